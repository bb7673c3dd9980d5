"""Reference figures from the published code of Heras, Anderson, Laughlin & Niven 2017 (J R Soc Interface
14:20160938) for their blowfly photoreceptor, shared by the frequency-response and information tests.
"""

# Heras et al. 2017's own code (ModelDB 266948, phhotoreceptor package at 3f1216c, run here unchanged but
# for `from scipy import pi` -> numpy): the CalliphoraR16("Anderson") cell depolarised by light to each
# V_rest (FlyPhotoreceptor.depolarise_with_light), its impedance (ElectricalCompartment.impedance: the
# channels linearised as RrL circuits) and bandwidth (GBWPutils.Gain_Bandwidth_1: where |Z| falls to
# peak/sqrt(2) above the peak). Rows: V_rest (mV), g_light (nS), pump current (nA), |Z| at 0, 1, 10,
# 30, 100, 300 Hz (MOhm), peak |Z| (MOhm), bandwidth (Hz).
HERAS_2017 = [
    (-60, 0.0, 0.1388, (25.179, 25.186, 25.610, 24.258, 11.650, 3.732), 25.732, 58.654),
    (-52, 12.277, 0.3550, (10.127, 10.146, 11.212, 12.417, 10.765, 3.793), 12.666, 128.893),
    (-44, 44.738, 0.8353, (4.526, 4.567, 5.907, 6.629, 7.174, 3.694), 7.201, 211.454),
    (-37, 111.508, 1.6508, (2.367, 2.421, 3.617, 3.982, 4.256, 3.162), 4.269, 320.405),
]
