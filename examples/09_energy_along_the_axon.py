"""Where an action potential's energy goes along a neuron: ATP per um^2 in soma, dendrite, axon initial
segment, nodes and myelin.

The Pospischil et al. (2008) regular-spiking cell's channels on a ball-and-stick with a myelinated axon
(``Cell.spatial_neuron``): the initial segment and the nodes carry five and ten times the somatic Na+
conductance, the myelin a fiftieth of the capacitance and no channels (densities in the spirit of
Hallermann et al. 2012, not theirs). One action potential is triggered at the soma; its ATP per region
is the AP window's ``region_budget`` minus that of an equally long window at rest. Printed beside
Hallermann et al.'s figures for their L5 neuron (ModelDB 144526): an illustration of where the cost
lies, not a reproduction. Writes ``figures/09_energy_along_the_axon.png``.
"""

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from brian2 import (
    Cylinder,
    Network,
    Soma,
    StateMonitor,
    cm,
    defaultclock,
    mS,
    ms,
    mV,
    nA,
    ohm,
    prefs,
    uF,
    um,
)

from brian2energy import load_model, plot
from brian2energy.spatial import counter_values, region_budget

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--out", type=Path, default=Path("figures"), help="directory for the figure")
parser.add_argument("--quick", action="store_true", help="numpy target (for the test suite)")
args = parser.parse_args()
args.out.mkdir(parents=True, exist_ok=True)
prefs.codegen.target = "numpy" if args.quick else "cython"
defaultclock.dt = 0.01 * ms

morphology = Soma(diameter=20 * um)
morphology.dendrite = Cylinder(length=300 * um, diameter=2 * um, n=30)
morphology.ais = Cylinder(length=40 * um, diameter=1 * um, n=8)
morphology.ais.myelin = Cylinder(length=100 * um, diameter=1 * um, n=10)
morphology.ais.myelin.node = Cylinder(length=2 * um, diameter=1 * um, n=1)
morphology.ais.myelin.node.myelin = Cylinder(length=100 * um, diameter=1 * um, n=10)
cell = load_model("cortical_pyramidal_rs")
g_na = cell.namespace["g_NaV"]
no_channels = {"g_NaV": 0 * mS / cm**2, "g_Kdr": 0 * mS / cm**2, "g_KM": 0 * mS / cm**2, "C_m": 0.02 * uF / cm**2}
neuron = cell.spatial_neuron(morphology, Ri=150 * ohm * cm, regions={
    "ais": {"g_NaV": 5 * g_na}, "ais.myelin": no_channels, "ais.myelin.node": {"g_NaV": 10 * g_na},
    "ais.myelin.node.myelin": no_channels})
v = StateMonitor(neuron, "v", record=[0, neuron.ais.start + 4, neuron.ais.myelin.node.start])
net = Network(neuron, v)
net.run(20 * ms)  # settle: the regions' rests differ a little
window = 10 * ms
start = counter_values(neuron)
net.run(window)
rest = region_budget(neuron, since=start)
start = counter_values(neuron)
neuron.I[0] = 1 * nA
net.run(1 * ms)
neuron.I[0] = 0 * nA
net.run(window - 1 * ms)
spike = region_budget(neuron, since=start) - rest

published = {"ais": 5.5e4, "ais.myelin.node": 3.5e4, "soma": 6.8e3, "dendrite": 2.4e3, "ais.myelin": 2.1e2}
print(f"one action potential: {spike.total:.3g} ATP above rest (Hallermann et al. 2012, L5 cell: 2.0e8)")
for name, per_um2 in spike.atp_per_um2.items():
    note = f"   (Hallermann: {published[name]:.2g})" if name in published else ""
    print(f"  {name:24s} {per_um2:10.3g} ATP/um^2{note}")
fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
for row, label in zip(v.v, ("soma", "initial segment", "node")):
    axes[0].plot(v.t / ms, row / mV, label=label)
axes[0].set(xlabel="time (ms)", ylabel="v (mV)", title="one action potential", xlim=(29, 36))
axes[0].legend(frameon=False, fontsize="small")
plot.atp_along(spike, axes=axes[1])
axes[1].set_yscale("symlog", linthresh=100)  # myelin: slightly below its rest (less Na+ leak when depolarized)
axes[1].set_title("its ATP per um$^2$ above rest, by region")
fig.tight_layout()
fig.savefig(args.out / "09_energy_along_the_axon.png", dpi=110)
print(f"wrote {args.out / '09_energy_along_the_axon.png'}")
