"""Reference figures for Hallermann, de Kock, Stuart & Kole 2012 (Nat Neurosci 15:1007), ModelDB 144526.

PUBLISHED: the ATP per action potential the model's readme lists (``ch()`` in charge.hoc: Na+ entry through
na and nax from 517 to 535 ms, / 3), computed by NEURON at the model's fixed step, dt = 0.01 ms.

NEURON_CONVERGED: the same protocol rerun here in NEURON 8 (2026-12-04) under CVODE at atol 1e-6 (atol 1e-4 to
1e-8 agree within 0.01%), with Kv.mod and CaT.mod rewritten as DERIVATIVE/cnexp without TABLE so that CVODE
accepts them (at dt = 0.01 the rewrite matches the original within 1e-6). The fixed step's error is of first
order: dt 0.01, 0.005 and 0.0025 ms give 1.9985e8, 1.9569e8 and 1.9356e8 ATP, extrapolating to 1.914e8. The
readme's figures are thus 4.2% above the converged total, 7-11% in the axon (AIS, collaterals, myelin, nodes).
The same runs: rest at soma(0.5) just before the stimulus -76.906 mV; spike peaks at soma(0.5) 25.36 mV, at the
AIS (axon[0](0.5)) 29.43 mV under CVODE (24.95 and 28.58 mV at dt = 0.01 ms). Membrane area per region from
NEURON's area(), whole cell 70911.97 um^2.

Sensitivity, NEURON at dt 0.01: without kca and cad (Ca2+-activated K+ and Ca2+ accumulation) every region's
ATP changes by less than 0.03%; the soma as one isopotential compartment instead of nseg = 9 by less than 0.1%.
"""

REGIONS = ("soma", "basal", "apical", "ais", "collateral", "myelin", "node")

PUBLISHED = {  # ATP per action potential (readme of ModelDB 144526)
    "total": 1.998503e8,
    "soma": 1.416016e7,
    "basal": 4.609883e7,
    "apical": 9.149446e7,
    "ais": 2.498228e7,
    "collateral": 2.095502e7,
    "myelin": 7.227968e5,
    "node": 1.436733e6,
}
PUBLISHED_PER_UM2 = {
    "total": 2.818287e3,
    "soma": 6.810007e3,
    "basal": 2.531221e3,
    "apical": 2.213969e3,
    "ais": 5.531797e4,
    "collateral": 3.932075e3,
    "myelin": 2.081271e2,
    "node": 3.517895e4,
}
NEURON_CONVERGED_PER_UM2 = {
    "total": 2699.07,
    "soma": 6486.48,
    "basal": 2457.87,
    "apical": 2148.10,
    "ais": 51374.4,
    "collateral": 3613.14,
    "myelin": 185.422,
    "node": 31173.5,
}
NEURON_AREA_UM2 = {
    "total": 70911.97,
    "soma": 2079.316,
    "basal": 18212.10,
    "apical": 41325.99,
    "ais": 451.612,
    "collateral": 5329.252,
    "myelin": 3472.862,
    "node": 40.8407,
}
NEURON_REST_SOMA_MV = -76.906
NEURON_PEAK_MV = {"soma": 25.36, "ais": 29.43}
