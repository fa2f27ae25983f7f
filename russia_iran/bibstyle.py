"""The bibliography's pybtex style: pybtex's ``plain``, each entry formatted once.

sphinxcontrib-bibtex formats every entry of the bibliography on every build,
even when nothing changed, and does it twice: once for the bibliography and
once for the citation's tooltip, with the same style object when no separate
tooltip style is set. Formatting is most of a no-change rebuild's time, so the
second call for the same entry returns the first result.
"""

from __future__ import annotations

from pybtex.plugin import register_plugin
from pybtex.style.formatting.plain import Style as PlainStyle

NAME = "russia_iran_plain"  # bibtex_default_style in _config.yml


class Style(PlainStyle):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._last = None  # (label, entry, formatted) of the latest call

    def format_entry(self, label, entry, bib_data=None):
        last = self._last
        if last is not None and last[0] == label and last[1] is entry and bib_data is None:
            return last[2]
        formatted = super().format_entry(label, entry, bib_data=bib_data)
        self._last = (label, entry, formatted)
        return formatted


def register() -> None:
    register_plugin("pybtex.style.formatting", NAME, Style, force=True)
