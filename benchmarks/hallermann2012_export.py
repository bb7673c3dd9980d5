"""Regenerate models/hallermann2012_l5/compartments.csv from NEURON running ModelDB 144526.

Copies the model's .hoc and .mod files (commit 4c648db, the one with ``charge_``) to a temporary directory
with their line endings made LF (several files end lines with a bare CR, which nocmodl does not read),
compiles the mechanisms with nrnivmodl, and builds the cell as the model's mosinit.hoc does: loads
28_04_10_num19.hoc, "Cell parameters.hoc" and charge.hoc, then parameters(), geom_nseg(), init_channels().
No simulation: the table is geometry and densities only. One row per NEURON segment, sections in tree order
(depth first from the soma), converted to brian2energy's terms:

* densities in pS/um^2 x 0.1 = mS/cm^2 (g_ih is in S/cm^2: x 1e3);
* g_Kv = tadj gbar_Kv, tadj = 2.3^((33 - 23)/10) = 2.3: Kv.mod multiplies its conductance by it;
* Kv1_axonal.mod's two populations: g_Kv1a = (1 - propH2) gbar_Kv1, g_Kv1b = propH2 gbar_Kv1, propH2 = 0.73157;
* g_pas split into a Na+ and a K+ leak reversing together at e_pas = -85 mV between ena = 55 and ek = -98 mV;
* diameters at segment boundaries interpolated linearly in the 3D points along their arc length, rescaled to L.

Usage: python benchmarks/hallermann2012_export.py --modeldb PATH [--out FILE]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

PROP_H2 = 0.73157  # Kv1_axonal.mod CONSTANT propH2
TADJ_KV = 2.3  # Kv.mod: gk = tadj*gbar*n, tadj = 2.3^((33-23)/10)
E_NA, E_K, E_L = 55.0, -98.0, -85.0
S_NA = (E_L - E_K) / (E_NA - E_K)  # Na+ share of g_pas
PS = 0.1  # 1 pS/um^2 = 0.1 mS/cm^2
COLUMNS = [
    "section",
    "parent",
    "region",
    "length [um]",
    "diameter_start [um]",
    "diameter_end [um]",
    "C_m [uF/cm^2]",
    "g_na [mS/cm^2]",
    "g_nax [mS/cm^2]",
    "g_Kv [mS/cm^2]",
    "g_Kv1a [mS/cm^2]",
    "g_Kv1b [mS/cm^2]",
    "g_Kv7 [mS/cm^2]",
    "g_ih [mS/cm^2]",
    "g_CaH [mS/cm^2]",
    "g_CaT [mS/cm^2]",
    "g_leak_Na [mS/cm^2]",
    "g_leak_K [mS/cm^2]",
]
HEADER = f"""\
# Hallermann, de Kock, Stuart & Kole 2012, ModelDB 144526 (cell 28_04_10_num19): one row per NEURON segment.
# Written by benchmarks/hallermann2012_export.py from NEURON running the model's own hoc (parameters(),
# geom_nseg(), init_channels()); see models/SOURCES.md. Densities in brian2energy's terms: pS/um^2 x 0.1 =
# mS/cm^2; g_Kv = tadj gbar_Kv (tadj = 2.3, Kv.mod scales its conductance); g_Kv1a, g_Kv1b = (1 - 0.73157),
# 0.73157 x gbar_Kv1 (Kv1_axonal.mod's two populations); g_leak_Na, g_leak_K = g_pas split to reverse at
# e_pas = -85 mV between ena = 55 and ek = -98 mV (Na share {S_NA:.6f}). Diameters at segment boundaries are
# interpolated linearly along the 3D points' arc length.
"""


def compile_model(modeldb: Path, directory: Path) -> None:
    """The model's .hoc and .mod files in ``directory`` with LF line endings, mechanisms compiled there."""
    for source in [*modeldb.glob("*.hoc"), *modeldb.glob("*.mod")]:
        text = source.read_bytes().replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        (directory / source.name).write_bytes(text)
    nrnivmodl = shutil.which("nrnivmodl", path=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    if nrnivmodl is None:
        raise SystemExit("nrnivmodl not found: install NEURON (pip install neuron)")
    out = subprocess.run([nrnivmodl], cwd=directory, capture_output=True, text=True, check=False)
    if out.returncode:
        raise SystemExit(f"nrnivmodl failed:\n{out.stdout[-2000:]}{out.stderr[-2000:]}")


def region_of(name: str) -> str:
    if name == "axon[0]":
        return "ais"
    for prefix, region in (
        ("soma", "soma"),
        ("dend", "basal"),
        ("apic", "apical"),
        ("axon", "collateral"),
        ("my", "myelin"),
        ("node", "node"),
    ):
        if name.startswith(prefix):
            return region
    raise ValueError(f"section {name!r} is in no region")


def boundary_diameters(sec) -> list[tuple[float, float]]:
    """Diameter at each segment's two ends, linear in the 3D points along their arc rescaled to L."""
    n, length, nseg = int(sec.n3d()), sec.L, sec.nseg
    if n < 2:
        return [(sec(0.5).diam, sec(0.5).diam)] * nseg
    arc = np.array([sec.arc3d(i) for i in range(n)])
    ends = np.interp(
        np.array([i / nseg for i in range(nseg + 1)]) * length,
        arc / arc[-1] * length,
        np.array([sec.diam3d(i) for i in range(n)]),
    )
    return [(float(ends[i]), float(ends[i + 1])) for i in range(nseg)]


def density(mechs: dict, name: str, param: str, scale: float) -> float:
    """``param`` of mechanism ``name`` in a segment's ``mechs`` times ``scale``; 0 where it is not inserted."""
    return getattr(mechs[name], param) * scale if name in mechs else 0.0


def rows(h):
    """One list of CSV values per segment, sections depth first from the soma."""

    def tree(sec):
        yield sec
        for child in sec.children():
            yield from tree(child)

    for sec in tree(h.soma):
        parent = sec.parentseg()
        for seg, (d0, d1) in zip(sec, boundary_diameters(sec)):
            m = {mech.name(): mech for mech in seg}
            gpas = m["pas"].g * 1e3
            yield [
                sec.name(),
                parent.sec.name() if parent is not None else "",
                region_of(sec.name()),
                sec.L / sec.nseg,
                d0,
                d1,
                seg.cm,
                density(m, "na", "gbar", PS),
                density(m, "nax", "gbar", PS),
                density(m, "Kv", "gbar", PS * TADJ_KV),
                density(m, "Kv1", "gbar", PS * (1 - PROP_H2)),
                density(m, "Kv1", "gbar", PS * PROP_H2),
                density(m, "Kv7", "gbar", PS),
                density(m, "ih", "gbar", 1e3),
                density(m, "ca", "gbar", PS),
                density(m, "it2", "gcabar", PS),
                gpas * S_NA,
                gpas * (1 - S_NA),
            ]


def main() -> None:
    default = Path(__file__).resolve().parent.parent / "models" / "hallermann2012_l5" / "compartments.csv"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modeldb", type=Path, required=True, help="checkout of ModelDB 144526 (commit 4c648db)")
    parser.add_argument("--out", type=Path, default=default, help=f"CSV to write (default {default})")
    args = parser.parse_args()
    modeldb, out = args.modeldb.resolve(), args.out.resolve()
    if not (modeldb / "28_04_10_num19.hoc").is_file():
        raise SystemExit(f"{modeldb} has no 28_04_10_num19.hoc: not a checkout of ModelDB 144526")
    here = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="hallermann2012_") as tmp:
        compile_model(modeldb, Path(tmp))
        os.chdir(tmp)  # NEURON loads ./x86_64's mechanisms on import; the hoc opens files relative to here
        try:
            from neuron import h

            h.load_file("stdrun.hoc")
            for name in ("28_04_10_num19.hoc", "Cell parameters.hoc", "charge.hoc"):
                h.xopen(name)
            h.parameters()
            h.geom_nseg()
            h.init_channels()
            table = list(rows(h))
        finally:
            os.chdir(here)
    with open(out, "w") as f:
        f.write(HEADER + ",".join(COLUMNS) + "\n")
        f.writelines(",".join(x if isinstance(x, str) else f"{x:.10g}" for x in row) + "\n" for row in table)
    print(f"wrote {len(table)} segments to {out}")


if __name__ == "__main__":
    main()
