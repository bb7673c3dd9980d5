"""Your own Brian2 model, accounted: the COBAHH benchmark network with one ``from_equations`` call added.

The network is benchmark 3 of Brette et al. (2007, J Comput Neurosci 23:349), as in Brian2's
``examples/COBAHH.py``: 4000 Traub-Miles HH cells (80% excitatory), exponential synaptic
conductances, random connections (p = 0.02), exponential Euler at Brian2's default step. Its
equations, group and synapses are left as a Brian2 user writes them; ``from_equations`` reads
which ions each term of ``dv/dt`` carries (the leak and the excitatory synapses are mixed
Na+/K+ conductances, the inhibitory ones Cl-) and adds the energy counters. The figure
``figures/07_your_own_model.png`` shows the raster, the population rate and the ATP budget
(rest, action potentials, synapses) over time; the script prints the budget.
"""

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from brian2 import *

import brian2energy
from brian2energy import plot
from brian2energy.energy import BudgetMonitor, network_budget

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--out", type=Path, default=Path("figures"), help="directory for the figure")
parser.add_argument("--quick", action="store_true", help="400 neurons, 100 ms, numpy target (for the test suite)")
args = parser.parse_args()
args.out.mkdir(parents=True, exist_ok=True)
n_cells, p, duration = (400, 0.2, 100 * ms) if args.quick else (4000, 0.02, 1 * second)
prefs.codegen.target = "numpy" if args.quick else "cython"

# --- the user's model, as written for Brian2 -------------------------------------------------------
area = 20000 * umetre**2
Cm = (1 * ufarad * cm**-2) * area
gl = (5e-5 * siemens * cm**-2) * area
El, EK, ENa = -60 * mV, -90 * mV, 50 * mV
g_na = (100 * msiemens * cm**-2) * area
g_kd = (30 * msiemens * cm**-2) * area
VT = -63 * mV
taue, taui = 5 * ms, 10 * ms
Ee, Ei = 0 * mV, -80 * mV
we, wi = 6 * nS, 67 * nS
eqs = Equations("""
dv/dt = (gl*(El-v) + ge*(Ee-v) + gi*(Ei-v) - g_na*(m*m*m)*h*(v-ENa) - g_kd*(n*n*n*n)*(v-EK))/Cm : volt
dm/dt = alpha_m*(1-m) - beta_m*m : 1
dn/dt = alpha_n*(1-n) - beta_n*n : 1
dh/dt = alpha_h*(1-h) - beta_h*h : 1
dge/dt = -ge*(1./taue) : siemens
dgi/dt = -gi*(1./taui) : siemens
alpha_m = 0.32*(mV**-1)*4*mV/exprel((13.*mV-v+VT)/(4*mV))/ms : Hz
beta_m = 0.28*(mV**-1)*5*mV/exprel((v-VT-40.*mV)/(5*mV))/ms : Hz
alpha_h = 0.128*exp((17.*mV-v+VT)/(18.*mV))/ms : Hz
beta_h = 4./(1+exp((40.*mV-v+VT)/(5.*mV)))/ms : Hz
alpha_n = 0.032*(mV**-1)*5*mV/exprel((15.*mV-v+VT)/(5.*mV))/ms : Hz
beta_n = .5*exp((10.*mV-v+VT)/(40.*mV))/ms : Hz
""")
# --- the one call added: which ions each reversal potential's term carries -------------------------
model = brian2energy.from_equations(eqs, ions={"ENa": "Na", "EK": "K", "El": ("Na", "K"), "Ee": ("Na", "K"),
                                               "Ei": "Cl"}, area=area, synaptic=("Ee", "Ei"))
seed(2007)
P = NeuronGroup(n_cells, model=model.equations(), threshold="v>-20*mV", refractory=3 * ms, method="exponential_euler",
                namespace=model.namespace)
Pe, Pi = P[:int(0.8 * n_cells)], P[int(0.8 * n_cells):]
Ce, Ci = Synapses(Pe, P, on_pre="ge+=we"), Synapses(Pi, P, on_pre="gi+=wi")
Ce.connect(p=p)
Ci.connect(p=p)
P.v = "El + (randn() * 5 - 5)*mV"
P.ge = "(randn() * 1.5 + 4) * 10.*nS"
P.gi = "(randn() * 12 + 20) * 10.*nS"
spikes, budget_monitor = SpikeMonitor(P), BudgetMonitor(P, cell=model, dt=defaultclock.dt)
run(duration, report="text", report_period=30 * second)

rest = brian2energy.resting_state(model)
print(f"an isolated cell: one steady state, at {float(rest.v / mV):.1f} mV, {'stable' if rest.stable else 'unstable'}")
budget = network_budget({"COBAHH": budget_monitor})
print(budget)
fig, axes = plt.subplots(4, 1, figsize=(8, 11), gridspec_kw={"height_ratios": [3, 1, 1.3, 1.3]})
plot.raster(spikes, axes=axes[0])
plot.population_rate(spikes, bin=5 * ms, axes=axes[1])
plot.budget_rate(budget, axes=axes[2])
plot.budget_bars(budget, axes=axes[3])
axes[0].set_title(f"COBAHH, {n_cells} cells: the user's equations, with their energy counted")
axes[3].set_title("no stable rest: none of the cost is booked as rest", fontsize="small")
fig.tight_layout()
fig.savefig(args.out / "07_your_own_model.png", dpi=110)
print(f"wrote {args.out / '07_your_own_model.png'}")
