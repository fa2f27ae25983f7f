"""The bibliography's pybtex style: pybtex's ``plain``, each entry formatted once, keyed on its
full content and label. sphinxcontrib-bibtex formats every cited entry on every build, which was
most of a no-change rebuild's time (ADR 9); the Sphinx extension keeps what was formatted in the
Sphinx environment, which Sphinx saves between builds. A changed entry has a new key and is
formatted afresh; the old one stays until a clean build."""

from __future__ import annotations

import hashlib

import pybtex
from pybtex.plugin import register_plugin
from pybtex.style.formatting.plain import Style as PlainStyle

NAME = "russia_iran_plain"  # bibtex_default_style in _config.yml

_formatted: dict[str, object] = {}  # key -> FormattedEntry


def _key(label: str, entry) -> str:
    persons = sorted((role, [str(person) for person in people]) for role, people in entry.persons.items())
    content = (pybtex.__version__, NAME, label, entry.type, entry.key, sorted(entry.fields.items()), persons)
    return hashlib.sha256(repr(content).encode()).hexdigest()


class Style(PlainStyle):
    def format_entry(self, label, entry, bib_data=None):
        if bib_data is not None:  # cross-referenced data: not worth keeping
            return super().format_entry(label, entry, bib_data=bib_data)
        key = _key(label, entry)
        if key not in _formatted:
            _formatted[key] = super().format_entry(label, entry)
        return _formatted[key]


def register(store: dict) -> None:
    """Register the style, formatting into ``store``, which the caller keeps between builds, reusing what it holds."""
    global _formatted
    _formatted = store
    register_plugin("pybtex.style.formatting", NAME, Style, force=True)
