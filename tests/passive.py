"""A passive test cell shared by the frequency-response and noise tests: an RC circuit."""

from __future__ import annotations

from brian2 import cm, kelvin, mS, mV, uF, um

from brian2energy import Cell, Ion, Leak

AREA = 1000 * um**2
IONS = {"Na": Ion(E=50 * mV), "K": Ion(E=-77 * mV)}


def passive_cell(g_na: float = 0.01, g_k: float = 0.09) -> Cell:
    """Two ohmic leaks (mS/cm^2) and C_m = 1 uF/cm^2 over 1000 um^2: R = 1/(g area), C = C_m area
    (the defaults: 0.1 mS/cm^2, R = 1 GOhm, C = 10 pF, RC = 10 ms).
    """
    return Cell(
        [Leak("Na", g_na * mS / cm**2), Leak("K", g_k * mS / cm**2)],
        C_m=1 * uF / cm**2,
        area=AREA,
        ions=IONS,
        temperature=310 * kelvin,
    )
