"""The bibliography style: pybtex's plain output, each entry formatted once."""

from __future__ import annotations

from pybtex.plugin import find_plugin
from pybtex.style.formatting.plain import Style as PlainStyle

from russia_iran import bibstyle
from russia_iran.paths import ROOT
from russia_iran.sources import bibliography


def _entries(count: int):
    entries = list(bibliography().values())
    assert len(entries) >= count
    return entries[:count]


def test_output_is_pybtex_plain():
    ours, plain = bibstyle.Style(), PlainStyle()
    for entry in _entries(25):
        assert (ours.format_entry("x", entry).text.render_as("text")
                == plain.format_entry("x", entry).text.render_as("text"))


def test_a_repeated_call_is_not_formatted_again(monkeypatch):
    calls = []
    original = PlainStyle.format_entry
    monkeypatch.setattr(PlainStyle, "format_entry",
                        lambda self, label, entry, bib_data=None: calls.append(entry.key) or original(self, label, entry, bib_data))
    style = bibstyle.Style()
    first, second = _entries(2)
    a = style.format_entry("a", first)
    assert style.format_entry("a", first) is a  # the tooltip's call
    b = style.format_entry("b", second)
    assert style.format_entry("a", first) is not a  # only the latest call is remembered
    assert calls == [first.key, second.key, first.key]
    assert b.key == second.key


def test_registered_under_the_configured_name():
    bibstyle.register()
    assert find_plugin("pybtex.style.formatting", bibstyle.NAME) is bibstyle.Style
    assert f"bibtex_default_style: {bibstyle.NAME}" in (ROOT / "_config.yml").read_text()
