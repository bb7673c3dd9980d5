"""Sphinx configuration of the brian2energy documentation.

Build it from the repository's root with ``python -m sphinx -W --keep-going -n docs docs/_build/html``
(``pip install -e ".[docs]"`` first). The API reference (``api/``), the model pages (``models/``) and
the examples gallery (``gallery/``) are generated at build time by the extensions in ``docs/_ext/``
from the package's ``__all__``, the model files with ``models/SOURCES.md``, and ``examples/*.py``
with the figures ``docs/make_gallery.py`` wrote into ``docs/_static/gallery/``.
"""

from __future__ import annotations

import sys
from importlib import metadata
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(DOCS / "_ext"))
if (ROOT / "src" / "brian2energy").is_dir():  # a checkout: document its sources, installed or not
    sys.path.insert(0, str(ROOT / "src"))

import brian2energy  # noqa: E402

# -- Project ---------------------------------------------------------------------------------------
project = "brian2energy"
author = "brian2energy developers"
copyright = "the brian2energy developers"
release = getattr(brian2energy, "__version__", None) or metadata.version("brian2energy")
version = ".".join(release.split(".")[:2])

# -- General ---------------------------------------------------------------------------------------
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "myst_parser",
    "apipages",  # docs/_ext: api/<module>.rst from each module's __all__; re-exported names resolved
    "modelpages",  # docs/_ext: models/<model>.md from the model files and models/SOURCES.md
    "gallery",  # docs/_ext: gallery/<example>.rst from examples/*.py and docs/_static/gallery/
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
templates_path = []
default_role = "py:obj"  # `name` in a docstring is a cross-reference, as in numpydoc
pygments_style = "sphinx"

# MyST: $...$ maths, definition lists, ::: fences, and anchors for ## headings (models/SOURCES.md)
myst_enable_extensions = ["dollarmath", "colon_fence", "deflist"]
myst_heading_anchors = 3

# -- autodoc, autosummary, napoleon ----------------------------------------------------------------
autodoc_default_options = {"member-order": "bysource"}  # members are listed per directive (api pages)
autodoc_typehints = "signature"
autodoc_class_signature = "mixed"
autodoc_preserve_defaults = True  # show `dt=cell.dt`-style defaults as written, not their repr
autosummary_generate = False  # the API pages are written by docs/_ext/apipages.py
autosummary_ignore_module_all = False
add_module_names = False
python_use_unqualified_type_names = True

napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False
napoleon_use_param = True
napoleon_use_ivar = False
napoleon_use_admonition_for_examples = False
napoleon_use_admonition_for_notes = False
napoleon_use_admonition_for_references = False
napoleon_preprocess_types = True
napoleon_attr_annotations = True

# -- Cross-references ------------------------------------------------------------------------------
# Every reference to brian2energy's own names must resolve (nitpicky). There is no intersphinx (the
# build must work offline), so names from other packages and from the standard library are ignored here.
nitpicky = True
_EXTERNAL_MODULES = """
brian2 numpy np scipy sympy matplotlib mpl plt pandas neuron pathlib collections typing types dataclasses enum
os io csv json numbers abc warnings concurrent functools importlib fractions ast tomllib argparse subprocess
tempfile shutil re math itertools
""".split()
# Brian2, numpy and matplotlib classes, the standard library and typing, and the words numpydoc types use
_EXTERNAL_NAMES = r"""
Quantity Unit Dimension NeuronGroup SpatialNeuron Synapses Network Equations Morphology Section Soma Cylinder
StateMonitor SpikeMonitor PopulationRateMonitor PoissonGroup PoissonInput TimedArray Clock Group VariableOwner
BrianObject NetworkOperation Device StateUpdateMethod Variables Subgroup SpikeGeneratorGroup defaultclock volt
amp second siemens farad meter molar mmolar coulomb ohm hertz Hz ms mV kelvin
ndarray ArrayLike array_like array-like NDArray Generator RandomState dtype MagicNetwork StateUpdater
Network\..* BrianObject.contained_objects CodeObject Variable Function Axes Figure Line2D Artist Colormap
Path PathLike Mapping MutableMapping Sequence Iterable Iterator Callable Hashable Any Optional Union Literal
Self TextIO Fraction Number Real Enum Expr Symbol sympy optional callable iterable mapping sequence default
function scalar float int str bool tuple list dict set frozenset object type None True False module path file
path-like arrays array quantity quantities
""".split()
nitpick_ignore_regex = [
    ("py:.*", rf"({'|'.join(_EXTERNAL_MODULES)})(\..*)?"),
    ("py:.*", rf"({'|'.join(_EXTERNAL_NAMES)})"),
    ("py:.*", r"[^.]*\.(ndarray|Quantity|Equations|NeuronGroup|Axes|Figure)"),  # `np.ndarray`, `b2.Quantity` ...
    ("py:.*", r".*[\[\]].*"),  # a subscripted type (tuple[str, ...]), which napoleon splits at its commas
    ("py:.*", rf"{brian2energy.__name__}\..*\._\w+"),  # private helpers in signatures: not documented, on purpose
]

# -- HTML ------------------------------------------------------------------------------------------
html_theme = "sphinx_rtd_theme"
html_title = f"brian2energy {release}"
# only the stylesheet folder: _static/gallery holds the gallery's figures, which their pages copy (no double copy)
html_static_path = ["_static/css"]
html_css_files = ["custom.css"]
html_theme_options = {"navigation_depth": 3, "collapse_navigation": False}
html_show_sourcelink = True
