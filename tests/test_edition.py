"""One edition date everywhere: every built page carries it, and the README, CITATION.cff and the data agree."""

from __future__ import annotations

import re
from datetime import date

import yaml

import russia_iran
from russia_iran import edition
from conftest import HTML, ROOT, pages

COVERS_TO = re.compile(r'data-covers-to="(\d{4}-\d{2}-\d{2})"')


def test_every_built_page_carries_the_same_covers_to_date(built_book):
    found = {}
    for page in pages():
        dates = set(COVERS_TO.findall(page.read_text(encoding="utf-8")))
        found[page.relative_to(HTML).as_posix()] = dates
    missing = [name for name, dates in found.items() if not dates]
    assert not missing, f"pages without a data-covers-to element: {missing}"
    every = set().union(*found.values())
    assert every == {edition.COVERS_TO.isoformat()}, every


def test_the_story_ends_on_or_before_the_covers_to_date():
    last_event = russia_iran.load("events")["date"].max().date()
    assert last_event <= edition.COVERS_TO
    assert edition.COVERS_TO <= edition.RELEASED


def test_citation_file_matches_the_edition():
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert citation["version"] == edition.VERSION
    assert date.fromisoformat(str(citation["date-released"])) == edition.RELEASED


def test_readme_states_the_edition():
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert f"version {edition.VERSION}" in readme
    assert f"follows events to {edition.in_words(edition.COVERS_TO)}" in readme
    assert f"released {edition.in_words(edition.RELEASED)}" in readme


def test_changes_page_lists_this_edition():
    changes = (ROOT / "reference" / "changes.md").read_text(encoding="utf-8")
    assert f"## Version {edition.VERSION} ({edition.in_words(edition.RELEASED)})" in changes


def test_banner_is_machine_readable_and_links_the_changes():
    html = edition.banner_html("../reference/changes.html")
    assert f'data-covers-to="{edition.COVERS_TO.isoformat()}"' in html
    assert 'href="../reference/changes.html"' in html
    assert edition.in_words(date(2026, 6, 3)) == "3 June 2026"
