"""The COBAHH benchmark network's cell, as a Brian2 user writes it (shared by the tests and the benchmark).

Benchmark 3 of Brette et al. (2007) J Comput Neurosci 23:349-398 (the network of Brian2's
examples/COBAHH.py): Traub & Miles (1991) HH cells with exponential synaptic conductances.
Parameters as published; the equations written here with the currents as subexpressions.
"""

from brian2 import cm, ms, msiemens, mV, siemens, ufarad, umetre

AREA = 20000 * umetre**2
COBAHH = dict(
    Cm=1 * ufarad / cm**2 * AREA,
    gl=5e-5 * siemens / cm**2 * AREA,
    El=-60 * mV,
    EK=-90 * mV,
    ENa=50 * mV,
    g_na=100 * msiemens / cm**2 * AREA,
    g_kd=30 * msiemens / cm**2 * AREA,
    VT=-63 * mV,
    taue=5 * ms,
    taui=10 * ms,
    Ee=0 * mV,
    Ei=-80 * mV,
)
COBAHH_EQS = """
dv/dt = (I_leak + I_exc + I_inh - I_Na - I_K)/Cm : volt
I_leak = gl*(El - v) : amp
I_exc = ge*(Ee - v) : amp
I_inh = gi*(Ei - v) : amp
I_Na = g_na*m**3*h*(v - ENa) : amp
I_K = g_kd*n**4*(v - EK) : amp
dm/dt = alpha_m*(1 - m) - beta_m*m : 1
dn/dt = alpha_n*(1 - n) - beta_n*n : 1
dh/dt = alpha_h*(1 - h) - beta_h*h : 1
dge/dt = -ge/taue : siemens
dgi/dt = -gi/taui : siemens
alpha_m = 1.28/exprel((13*mV - v + VT)/(4*mV))/ms : Hz
beta_m = 1.4/exprel((v - VT - 40*mV)/(5*mV))/ms : Hz
alpha_h = 0.128*exp((17*mV - v + VT)/(18*mV))/ms : Hz
beta_h = 4/(1 + exp((40*mV - v + VT)/(5*mV)))/ms : Hz
alpha_n = 0.16/exprel((15*mV - v + VT)/(5*mV))/ms : Hz
beta_n = 0.5*exp((10*mV - v + VT)/(40*mV))/ms : Hz
"""
COBAHH_IONS = {"ENa": "Na", "EK": "K", "El": ("Na", "K"), "Ee": ("Na", "K"), "Ei": "Cl"}
