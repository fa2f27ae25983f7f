"""Where the module's files live: the package sits at the root of the book."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
BIBLIOGRAPHY = ROOT / "references.bib"

# A book build sets this variable; the kernels it starts inherit it and draw charts with the
# book's renderer (charts.py) as placeholders of this class, which _static/russia_iran.js fills.
BOOK_BUILD = "RUSSIA_IRAN_BOOK_BUILD"
CHART_CLASS = "ri-vega"
