"""Drop a brian2energy model into your own Brian2 network and read its ATP counters.

Twenty HH 1952 squid-axon patches receive Poisson excitation through ordinary
conductance-based Brian2 ``Synapses`` that add a whole-cell current ``I_syn``.
The script prints each cell's spike count and the ATP its Na+ entry costs
(ions-restored view: Na+ entry / 3e), and writes ``figures/01_squid_in_your_network.png``
(voltage of three cells and their cumulative ATP).
"""

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from brian2 import *

from brian2energy import load_model, plot

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--duration", type=float, default=500.0, help="simulated time in ms (default 500)")
parser.add_argument("--out", type=Path, default=Path("figures"), help="directory for the figure")
parser.add_argument("--quick", action="store_true", help="a 20 ms run, for the test suite")
args = parser.parse_args()
if args.quick:
    args.duration = 20.0

prefs.codegen.target = "numpy"
seed(1)
cell = load_model("squid_axon_hh1952")
neurons = cell.neuron_group(20, extra_currents=("I_syn",), dt=cell.dt)  # a plain NeuronGroup, at rest;
# cell.dt: the largest step keeping spike times within 0.1 ms (measured, see the model file)

inputs = PoissonGroup(100, rates=40 * Hz)
synapses = Synapses(
    inputs,
    neurons,
    model="""dg/dt = -g/(2*ms) : siemens (clock-driven)
             I_syn_post = g*(0*mV - v_post) : amp (summed)""",
    on_pre="g += 0.6*uS",
    method="exact",
)
synapses.connect(p=0.3)

states = StateMonitor(neurons, ["v", "ATP_ions"], record=[0, 1, 2], dt=0.1 * ms)
spikes = SpikeMonitor(neurons)
run(args.duration * ms, report="text", report_period=30 * second)

seconds = args.duration / 1000
atp = neurons.ATP_ions[:]
print(f"{spikes.num_spikes} spikes in {args.duration:g} ms from {len(neurons)} cells")
print(f"mean ATP per cell: {atp.mean():.4g} molecules ({atp.mean() / seconds:.4g} per second)")
print(f"busiest cell: {spikes.count[:].max()} spikes, {atp.max():.4g} ATP; quietest: {spikes.count[:].min()} spikes, "
      f"{atp.min():.4g} ATP")

args.out.mkdir(parents=True, exist_ok=True)
fig, axes = plt.subplots(2, 1, figsize=(7, 6), sharex=True)
plot.membrane_potential(states, axes=axes[0], lw=0.8)
plot.cumulative_atp(states, axes=axes[1])
fig.tight_layout()
path = args.out / "01_squid_in_your_network.png"
fig.savefig(path, dpi=110)
print(f"wrote {path}")
