"""The bibliography style: pybtex's plain output, each entry formatted once."""

from __future__ import annotations

import copy
import pickle

import pytest
from pybtex.plugin import find_plugin
from pybtex.style.formatting.plain import Style as PlainStyle

from russia_iran import bibstyle
from russia_iran.paths import ROOT
from russia_iran.sources import bibliography


def _entries(count: int):
    entries = list(bibliography().values())
    assert len(entries) >= count
    return entries[:count]


@pytest.fixture
def formatting_calls(monkeypatch):
    """Entry keys pybtex's own plain style formats, with a fresh in-memory cache."""
    monkeypatch.setattr(bibstyle, "_formatted", {})
    calls = []
    original = PlainStyle.format_entry
    monkeypatch.setattr(PlainStyle, "format_entry",
                        lambda self, label, entry, bib_data=None: calls.append(entry.key) or original(self, label, entry, bib_data))
    return calls


def test_output_is_pybtex_plain():
    ours, plain = bibstyle.Style(), PlainStyle()
    for entry in _entries(25):
        assert (ours.format_entry("x", entry).text.render_as("text")
                == plain.format_entry("x", entry).text.render_as("text"))


def test_each_entry_is_formatted_once_per_label(formatting_calls):
    first, second = _entries(2)
    bibliography_style, tooltip_style = bibstyle.Style(), bibstyle.Style()
    a = bibliography_style.format_entry("a", first)
    assert tooltip_style.format_entry("a", first) is a
    bibliography_style.format_entry("b", second)
    bibliography_style.format_entry("a", first)
    bibliography_style.format_entry("c", first)  # another label is another formatting
    assert formatting_calls == [first.key, second.key, first.key]


def test_a_changed_entry_is_formatted_afresh(formatting_calls):
    entry = _entries(1)[0]
    changed = copy.deepcopy(entry)
    changed.fields["title"] = "A title changed since the last build"
    style = bibstyle.Style()
    before = style.format_entry("a", entry).text.render_as("text")
    after = style.format_entry("a", changed).text.render_as("text")
    assert "changed since the last build" in after and after != before
    assert formatting_calls == [entry.key, entry.key]


def test_the_next_build_reuses_what_the_environment_kept(formatting_calls):
    store = {}
    bibstyle.register(store)
    entries = _entries(3)
    texts = [bibstyle.Style().format_entry("x", e).text.render_as("text") for e in entries]
    assert len(store) == 3

    bibstyle.register(pickle.loads(pickle.dumps(store)))  # a new process, as Sphinx saves its environment
    assert [bibstyle.Style().format_entry("x", e).text.render_as("text") for e in entries] == texts
    assert formatting_calls == [e.key for e in entries]  # nothing formatted the second time


def test_registered_under_the_configured_name():
    bibstyle.register({})
    assert find_plugin("pybtex.style.formatting", bibstyle.NAME) is bibstyle.Style
    assert f"bibtex_default_style: {bibstyle.NAME}" in (ROOT / "_config.yml").read_text()
