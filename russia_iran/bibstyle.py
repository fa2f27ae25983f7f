"""The bibliography's pybtex style: pybtex's ``plain``, each entry formatted once and kept, keyed
on its full content and label, in a file beside the build output for the next build (through the
Sphinx extension). sphinxcontrib-bibtex formats every cited entry on every build, which was most of
a no-change rebuild's time (ADR 9); a changed entry has a new key and is formatted afresh."""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path

import pybtex
from pybtex.plugin import register_plugin
from pybtex.style.formatting.plain import Style as PlainStyle

NAME = "russia_iran_plain"  # bibtex_default_style in _config.yml

_formatted: dict[str, object] = {}  # key -> FormattedEntry
_used: set[str] = set()  # keys asked for since the cache was loaded
_loaded: dict[str, object] = {}  # what the cache file held


def _key(label: str, entry) -> str:
    persons = sorted((role, [str(person) for person in people]) for role, people in entry.persons.items())
    content = (pybtex.__version__, NAME, label, entry.type, entry.key, sorted(entry.fields.items()), persons)
    return hashlib.sha256(repr(content).encode()).hexdigest()


class Style(PlainStyle):
    def format_entry(self, label, entry, bib_data=None):
        if bib_data is not None:  # cross-referenced data: not worth keeping
            return super().format_entry(label, entry, bib_data=bib_data)
        key = _key(label, entry)
        _used.add(key)
        if key not in _formatted:
            _formatted[key] = super().format_entry(label, entry)
        return _formatted[key]


def register() -> None:
    register_plugin("pybtex.style.formatting", NAME, Style, force=True)


def load_cache(path: Path) -> None:
    """Start a build with the entries the last build in this output folder formatted."""
    global _loaded
    _used.clear()
    try:
        _loaded = pickle.loads(path.read_bytes())
        assert isinstance(_loaded, dict)
    except Exception:  # missing, from another pybtex, or damaged: format afresh
        _loaded = {}
    _formatted.update(_loaded)


def save_cache(path: Path) -> None:
    """Keep the entries this build used, if they differ from what was loaded."""
    kept = {key: _formatted[key] for key in _used if key in _formatted}
    if kept.keys() != _loaded.keys():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pickle.dumps(kept, protocol=pickle.HIGHEST_PROTOCOL))
