"""Where the module's files live: the package sits at the root of the book."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
BIBLIOGRAPHY = ROOT / "references.bib"
