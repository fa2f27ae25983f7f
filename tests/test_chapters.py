"""Every chapter has the parts a reader expects, and its citations resolve to sources of several kinds."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from russia_iran.sources import bibliography
from conftest import ROOT

CHAPTERS = sorted((ROOT / "chapters").glob("*.md"))
SECTIONS = ["Learning objectives", "Self-check", "Summary", "Discussion questions", "Further reading"]
CITATION = re.compile(r"\{cite:[pt]\}`([^`]+)`")


def cited(path) -> list[str]:
    keys = []
    for group in CITATION.findall(path.read_text(encoding="utf-8")):
        keys += [k.strip() for k in group.split(",")]
    return keys


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_has_the_standard_sections(chapter):
    headings = re.findall(r"^##+ (.+)$", chapter.read_text(encoding="utf-8"), re.M)
    missing = [s for s in SECTIONS if s not in headings]
    assert not missing, f"{chapter.name} lacks {missing}"
    assert any("interpretation" in h.lower() or "reading" in h.lower() for h in headings), \
        f"{chapter.name} has no section of competing interpretations"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_every_citation_resolves(chapter):
    unknown = sorted(set(cited(chapter)) - set(bibliography()))
    assert not unknown, f"{chapter.name} cites keys missing from references.bib: {unknown}"


def test_the_2026_chapter_draws_on_many_kinds_of_source():
    keys = set(cited(ROOT / "chapters" / "05_war2026.md"))
    kinds = Counter(bibliography()[k].fields.get("keywords") for k in keys)
    assert len(keys) >= 12
    assert kinds["think-tank"] >= 2, kinds
    assert kinds["official"] + kinds["state-media"] >= 3, kinds
    assert kinds["news"] >= 10, kinds


def section(text: str, heading_word: str) -> str:
    """The text of the first level-2 section whose heading contains the word, up to the next level-2 heading."""
    match = re.search(rf"^## [^\n]*{heading_word}[^\n]*\n(.*?)(?=^## |\Z)", text, re.M | re.S | re.I)
    return match[1] if match else ""


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_each_chapter_sets_out_the_scholarly_debate_with_academic_works(chapter):
    text = chapter.read_text(encoding="utf-8")
    debate = section(text, "debate") or section(text, "historiography")
    assert debate, f"{chapter.name} has no section on the scholarly debate"
    keys = {k.strip() for group in CITATION.findall(debate) for k in group.split(",")}
    academic = [k for k in keys if bibliography()[k].fields.get("keywords") == "academic"]
    assert len(academic) >= 3, f"{chapter.name}'s debate cites {len(academic)} academic works"


def test_the_bibliography_holds_at_least_forty_academic_works():
    academic = [k for k, e in bibliography().items() if e.fields.get("keywords") == "academic"]
    assert len(academic) >= 40, len(academic)
    for key in academic:
        fields = bibliography()[key].fields
        assert fields.get("journal") or fields.get("publisher") or fields.get("booktitle") \
            or fields.get("institution") or "thesis" in fields.get("note", "").lower() \
            or fields.get("organization"), f"{key}: an academic work names its journal or publisher"
