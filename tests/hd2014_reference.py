#!/usr/bin/env python
"""Independent scipy reference implementation of the Hubel & Dahlem (2014)
single-cell model.

Hübel N, Dahlem MA (2014) "Dynamics from seconds to hours in Hodgkin-Huxley
model with time-dependent ion concentrations and buffer reservoirs".
PLoS Comput Biol 10(12): e1003941. doi:10.1371/journal.pcbi.1003941
ModelDB accession 167714, file ``spreading-depression.ode`` (XPP), which is
transcribed here term by term (same names, same numbers).

Units (as in the .ode file)
    v       mV
    n       1
    ki, cli mM (intracellular K+, Cl-)
    dk      mM (change of extracellular K+ due to the glial buffer / bath)
    t       s   (the .ode writes  x' = 1000 * x_DOT  with x_DOT in 1/ms)
    currents  uA/cm^2,  C = 1 uF/cm^2,  conductances mS/cm^2
    CONV = 9.55589e-5  converts uA/cm^2 * (membrane area) / F  into
           mM * (1e3 um^3) / ms  (membrane area A = 922 um^2, F = 96485 C/mol),
           so  CONV/vol_i = 4.424e-5 mM/ms per uA/cm^2.
    vol_i = 2.16, vol_e = 0.72  (units of 1e3 um^3 = 1e-12 L; ratio 3:1)
    26.64 mV = RT/F  (T ~ 309.15 K)

State vector y = [v, n, ki, cli, dk] (plus, optionally, an explicitly
integrated nai_explicit to check the charge bookkeeping).

Run this file to print the numbers recorded in /tmp/research/issue7.md.
"""

from __future__ import annotations

import numpy as np
from scipy.integrate import solve_ivp
from scipy.optimize import fsolve

# ---------------------------------------------------------------- parameters
P = dict(
    # volumes (1e3 um^3)
    vol_i=2.16,
    vol_e=0.72,
    # reference concentrations (mM) used by the conservation laws
    ki0=129.25764,
    nai0=25.231485,
    cli0=9.900239,
    ke0=4.0,
    nae0=125.30555,
    cle0=123.2716,
    # conductances (mS/cm^2)
    G_NA_L=0.0175,
    G_NA_G=100.0,
    G_K_L=0.05,
    G_K_G=40.0,
    G_CL_L=0.02,
    # pump
    NA_PUMP=25.0,
    K_PUMP=5.5,
    MAX_PUMP=6.8,  # mM, mM, uA/cm^2
    # potassium regulation
    lam=3.0e-5,  # 1/ms   diffusive coupling to bath (s=1)
    B0=500.0,  # mM     total glial buffer
    K_cr=15.0,  # mM     buffer threshold
    k1=5.0e-8,  # 1/ms   backward buffer rate
    k_bath=4.0,  # mM
    s=0,  # 0: glial buffering, 1: diffusive bath coupling
    # membrane / gating
    PHI=3.0,
    C=1.0,
    CONV=9.55589e-05,
    RTF=26.64,  # mV
)

# initial conditions given in the .ode file ("physiological resting conditions")
Y0_ODE = np.array([-67.193253, 0.069410823, 129.25764, 9.900239, 0.0])


# ------------------------------------------------------------------ algebra
def concentrations(ki, cli, dk, p=P):
    nai = p["nai0"] + p["ki0"] - ki - p["cli0"] + cli
    nae = (p["nai0"] * p["vol_i"] + p["nae0"] * p["vol_e"] - nai * p["vol_i"]) / p["vol_e"]
    cle = (p["cli0"] * p["vol_i"] + p["cle0"] * p["vol_e"] - cli * p["vol_i"]) / p["vol_e"]
    ke = (p["ki0"] * p["vol_i"] + p["ke0"] * p["vol_e"] - ki * p["vol_i"]) / p["vol_e"] + dk
    return nai, nae, cle, ke


def gating(v, n):
    A_N = 0.01 * (v + 34.0) / (1.0 - np.exp(-0.1 * (v + 34.0)))
    B_N = 0.125 * np.exp(-(v + 44.0) / 80.0)
    A_M = 0.1 * (v + 30.0) / (1.0 - np.exp(-0.1 * (v + 30.0)))
    B_M = 4.0 * np.exp(-(v + 55.0) / 18.0)
    m = A_M / (A_M + B_M)
    h = 1.0 - 1.0 / (1.0 + np.exp(-6.5 * (n - 0.35)))
    return A_N, B_N, m, h


def currents(y, z=1.0, p=P):
    v, n, ki, cli, dk = y[:5]
    nai, nae, cle, ke = concentrations(ki, cli, dk, p)
    EK = p["RTF"] * np.log(ke / ki)
    ENA = p["RTF"] * np.log(nae / nai)
    ECL = -p["RTF"] * np.log(cle / cli)
    A_N, B_N, m, h = gating(v, n)
    I_NA_L = p["G_NA_L"] * (v - ENA)
    I_NA_G = p["G_NA_G"] * m**3 * h * (v - ENA)
    I_K_L = p["G_K_L"] * (v - EK)
    I_K_G = p["G_K_G"] * n**4 * (v - EK)
    I_CL_L = p["G_CL_L"] * (v - ECL)
    IPUMP = p["MAX_PUMP"] / (1.0 + np.exp((p["NA_PUMP"] - nai) / 3.0)) / (1.0 + np.exp(p["K_PUMP"] - ke)) * z
    I_NA = I_NA_L + I_NA_G + 3.0 * IPUMP
    I_K = I_K_L + I_K_G - 2.0 * IPUMP
    return dict(
        nai=nai,
        nae=nae,
        cle=cle,
        ke=ke,
        EK=EK,
        ENA=ENA,
        ECL=ECL,
        I_NA_L=I_NA_L,
        I_NA_G=I_NA_G,
        I_K_L=I_K_L,
        I_K_G=I_K_G,
        I_CL_L=I_CL_L,
        IPUMP=IPUMP,
        I_NA=I_NA,
        I_K=I_K,
        A_N=A_N,
        B_N=B_N,
        m=m,
        h=h,
    )


def rhs(t, y, z=1.0, stim=0.0, p=P, explicit_na=False):
    """d/dt in 1/s (factor 1000 of the .ode applied)."""
    c = currents(y, z, p)
    v, n, ki, cli, dk = y[:5]
    v_DOT = -1.0 / p["C"] * (c["I_CL_L"] + c["I_NA"] + c["I_K"] - stim)
    n_DOT = p["PHI"] * (c["A_N"] * (1 - n) - c["B_N"] * n)
    ki_DOT = -1.0 / p["vol_i"] * p["CONV"] * c["I_K"]
    cli_DOT = 1.0 / p["vol_i"] * p["CONV"] * c["I_CL_L"]
    ke = c["ke"]
    k2 = p["k1"] / (1.0 + np.exp((p["K_cr"] - ke) / 1.09))
    dk_DOT_0 = -p["k1"] * dk - k2 * ke * (p["B0"] + dk)
    dk_DOT_1 = p["lam"] * (p["k_bath"] - ke)
    dk_DOT = (1 - p["s"]) * dk_DOT_0 + p["s"] * dk_DOT_1
    out = [v_DOT, n_DOT, ki_DOT, cli_DOT, dk_DOT]
    if explicit_na:  # bookkeeping check: integrate Na_i from I_NA directly
        out.append(-1.0 / p["vol_i"] * p["CONV"] * c["I_NA"])
    return 1000.0 * np.array(out)


# --------------------------------------------------------------- solvers
RTOL = 1e-10
ATOL = np.array([1e-8, 1e-11, 1e-9, 1e-9, 1e-13, 1e-9])


def _ev_up(t, y, *a):  # upward crossing of -20 mV = spike
    return y[0] + 20.0


_ev_up.direction = 1


def _ev_peak(t, y, z, stim, p, explicit_na):  # local maxima of v
    return rhs(t, y, z, stim, p, explicit_na)[0]


_ev_peak.direction = -1


def _solve(t0, t1, y0, z, p, explicit_na, method="Radau", t_eval=None):
    n = len(y0)
    return solve_ivp(
        rhs,
        (t0, t1),
        y0,
        method=method,
        rtol=RTOL,
        atol=ATOL[:n],
        args=(z, 0.0, p, explicit_na),
        events=[_ev_up, _ev_peak],
        t_eval=t_eval,
    )


def rest(p=P, y_guess=Y0_ODE):
    """Steady state (fixed point) of the full 5D model with the pump on."""
    f = lambda y: rhs(0.0, y, 1.0, 0.0, p) / 1000.0
    y = fsolve(f, y_guess, xtol=1e-14, full_output=False)
    # polish with a long integration then a second root-find
    sol = _solve(0.0, 200.0, y, 1.0, p, False)
    y = fsolve(f, sol.y[:, -1], xtol=1e-14)
    c = currents(y, 1.0, p)
    J = np.empty((5, 5))
    for j in range(5):
        h = 1e-7 * max(1.0, abs(y[j]))
        e = np.zeros(5)
        e[j] = h
        J[:, j] = (f(y + e) - f(y - e)) / (2 * h)
    eig = np.linalg.eigvals(J)
    return dict(
        v=y[0],
        n=y[1],
        ki=y[2],
        cli=y[3],
        dk=y[4],
        nai=c["nai"],
        nae=c["nae"],
        ke=c["ke"],
        cle=c["cle"],
        EK=c["EK"],
        ENA=c["ENA"],
        ECL=c["ECL"],
        IPUMP=c["IPUMP"],
        y=y,
        residual=np.max(np.abs(f(y))),
        eig_per_ms=eig,
    )


def pump_block(t_block_on, t_block_off, t_end, fraction=1.0, p=P, y0=None, explicit_na=True, n_out=20001):
    """Pump multiplier z = 1 - fraction for t in [t_block_on, t_block_off).

    Times in seconds.  t_block_off may be None/inf for a permanent block.
    Returns dict with t (s), y (states), spike times (s, upward -20 mV),
    and diagnostics.
    """
    if y0 is None:
        y0 = rest(p)["y"]
    y0 = np.asarray(y0, float)
    if explicit_na:
        y0 = np.append(y0, currents(y0, 1.0, p)["nai"])
    if t_block_off is None or t_block_off > t_end:
        t_block_off = t_end
    segs = [(0.0, t_block_on, 1.0), (t_block_on, t_block_off, 1.0 - fraction), (t_block_off, t_end, 1.0)]
    T, Y, up, pk_t, pk_v = [], [], [], [], []
    y = y0
    for a, b, z in segs:
        if b <= a:
            continue
        te = np.linspace(a, b, max(2, int(n_out * (b - a) / t_end)))
        sol = _solve(a, b, y, z, p, explicit_na, t_eval=te)
        if sol.status != 0:
            raise RuntimeError(sol.message)
        T.append(sol.t)
        Y.append(sol.y)
        up.extend(sol.t_events[0].tolist())
        pk_t.extend(sol.t_events[1].tolist())
        pk_v.extend(sol.y_events[1][:, 0].tolist() if len(sol.t_events[1]) else [])
        y = sol.y[:, -1]
    pk_t, pk_v = np.array(pk_t), np.array(pk_v)
    return dict(
        t=np.concatenate(T),
        y=np.concatenate(Y, axis=1),
        up=np.array(up),
        peak_t=pk_t,
        peak_v=pk_v,
        # spikes = local maxima of v above 0 mV (full action potentials)
        spikes=pk_t[pk_v > 0.0] if len(pk_v) else np.array([]),
    )


# ---------------------------------------------------------------- analysis
def summarize(res, t_on, t_off, label, p=P):
    t, y = res["t"], res["y"]
    print(f"--- {label}")
    for name, sp in [("upward -20 mV crossings", res["up"]), ("AP peaks > 0 mV", res["spikes"])]:
        sp_blk = sp[sp >= t_on]
        if len(sp_blk) == 0:
            print(f"  [{name}] none after block onset")
            continue
        isi = np.diff(sp_blk)
        print(
            f"  [{name}] first after block: t = {sp_blk[0]:.4f} s "
            f"(= {sp_blk[0] - t_on:.4f} s after onset); last: t = {sp_blk[-1]:.4f} s; "
            f"count {len(sp_blk)}"
        )
        gaps = np.where(isi > 1.0)[0]
        starts = np.r_[0, gaps + 1]
        ends = np.r_[gaps, len(sp_blk) - 1]
        for s_, e_ in zip(starts, ends):
            seg = sp_blk[s_ : e_ + 1]
            d = np.diff(seg)
            print(
                f"    episode {seg[0]:.4f}..{seg[-1]:.4f} s: {len(seg)} events,"
                + (
                    f" ISI first {d[0] * 1e3:.2f} ms, median {np.median(d) * 1e3:.2f} ms,"
                    f" min {d.min() * 1e3:.2f} ms, last {d[-1] * 1e3:.2f} ms"
                    if len(d)
                    else ""
                )
            )
    pk_t, pk_v = res["peak_t"], res["peak_v"]
    sel = (pk_t >= t_on) & (pk_v > -20)
    if sel.any():
        pt, pv = pk_t[sel], pk_v[sel]
        print("  first 3 peaks (t,v):", [(round(a, 4), round(b, 2)) for a, b in zip(pt[:3], pv[:3])])
        print("  last 5 peaks >-20 mV (t,v):", [(round(a, 4), round(b, 2)) for a, b in zip(pt[-5:], pv[-5:])])

    # state after the last spike of the block phase
    def at(tq):
        i = np.searchsorted(t, tq)
        i = min(i, len(t) - 1)
        return y[:, i]

    tqs = [t_on, t_on + 1, t_on + 5, t_on + 10, t_on + 20, t_on + 50, t_on + 100, t_on + 300, t_on + 1000, t[-1]]
    if t_off is not None:
        tqs += [t_off, t_off + 1, t_off + 10, t_off + 60, t_off + 300]
    for tq in sorted(set(tqs)):
        if tq > t[-1]:
            continue
        yy = at(tq)
        c = currents(yy, 1.0, p)
        extra = ""
        if yy.shape[0] > 5:
            extra = f" nai_explicit-nai_alg={yy[5] - c['nai']:+.3e}"
        print(
            f"  t={tq:8.2f}s v={yy[0]:8.3f} n={yy[1]:.4f} ki={yy[2]:8.3f} "
            f"nai={c['nai']:8.3f} cli={yy[3]:7.3f} ke={c['ke']:7.3f} "
            f"nae={c['nae']:8.3f} cle={c['cle']:8.3f} dk={yy[4]:+.4e} "
            f"EK={c['EK']:7.2f} ENA={c['ENA']:7.2f} ECL={c['ECL']:7.2f}{extra}"
        )


def depol_block_time(res, t_on, thr=-40.0, hold=1.0):
    """First time after t_on at which v stays above thr for >= hold s."""
    t, v = res["t"], res["y"][0]
    above = v > thr
    i0 = np.searchsorted(t, t_on)
    for i in range(i0, len(t)):
        if above[i]:
            j = np.searchsorted(t, t[i] + hold)
            if j < len(t) and above[i : j + 1].all():
                return t[i]
    return None


def recovered(res, t_off, v_rest, tol=1.0):
    """First time after t_off at which v is within tol mV of rest and stays."""
    t, v = res["t"], res["y"][0]
    i0 = np.searchsorted(t, t_off)
    ok = np.abs(v - v_rest) < tol
    for i in range(i0, len(t)):
        if ok[i:].all():
            return t[i]
    return None


if __name__ == "__main__":
    np.set_printoptions(precision=6, suppress=False)
    r = rest()
    print("REST (5D, glial buffer s=0):")
    for k in ["v", "n", "ki", "nai", "cli", "ke", "nae", "cle", "dk", "EK", "ENA", "ECL", "IPUMP", "residual"]:
        print(f"  {k:6s} = {r[k]:.8g}")
    print("  eigenvalues (1/ms):", np.sort_complex(r["eig_per_ms"]))
    y_ode = Y0_ODE
    print("  .ode init residual |dy/dt|max (1/ms units):", np.max(np.abs(rhs(0, y_ode) / 1000)))

    import sys

    scenarios = sys.argv[1:] or ["fig5", "perm", "restore"]
    v_rest = r["v"]
    if "fig5" in scenarios:
        res = pump_block(20.0, 29.5, 500.0, 1.0)
        np.savez("/tmp/research/run_fig5.npz", **res)
        summarize(res, 20.0, 29.5, "HD2014 Fig.5 protocol: pump off 20..29.5 s, t_end 500 s")
        print("  depol. block (v>-40 mV for >=1 s) from", depol_block_time(res, 20.0))
        print("  recovered (|v-rest|<1 mV) from", recovered(res, 29.5, v_rest))
    if "perm" in scenarios:
        res = pump_block(20.0, None, 3600.0, 1.0)
        np.savez("/tmp/research/run_perm.npz", **res)
        summarize(res, 20.0, None, "permanent full block from 20 s, t_end 3600 s")
        print("  depol. block (v>-40 mV for >=1 s) from", depol_block_time(res, 20.0))
    if "restore" in scenarios:
        for off in [60.0, 120.0, 320.0]:
            res = pump_block(20.0, off, off + 700.0, 1.0)
            np.savez(f"/tmp/research/run_restore_{int(off)}.npz", **res)
            summarize(res, 20.0, off, f"full block 20..{off} s, restore, t_end {off + 700} s")
            print("  depol. block from", depol_block_time(res, 20.0), " recovered from", recovered(res, off, v_rest))
