"""Primary-source boxes (russia_iran/primary.py) and their place in every chapter."""

from __future__ import annotations

import re

import pytest

from russia_iran import load, primary
from russia_iran.sources import bibliography
from conftest import ROOT


@pytest.fixture(scope="module")
def sources():
    return load("primary_sources")


def test_a_box_quotes_the_excerpt_verbatim_with_its_source_and_questions(sources):
    row = sources.set_index("id").loc["treaty-2025-article-3"]
    text = primary.box_markdown(row.rename("treaty-2025-article-3"))
    assert f"> {row['excerpt']}" in text
    assert "{cite:p}`strbiz2025article51`" in text
    questions = [q for q in row["questions"].split(primary.QUESTION_SEPARATOR)]
    assert text.count("\n1. ") == 1 and len(re.findall(r"^\d+\. ", text, re.M)) == len(questions)
    assert text.startswith(":::{admonition} Primary source:") and text.rstrip().endswith(":::")


def test_every_excerpt_cites_known_sources_and_asks_at_least_two_questions(sources):
    for _, row in sources.iterrows():
        assert set(row["sources"].split(";")) <= set(bibliography()), row["id"]
        assert len(row["questions"].split(primary.QUESTION_SEPARATOR)) >= 2, row["id"]


def test_reader_lists_the_chapters_in_order(sources):
    text = primary.reader(sources).data
    positions = [text.index(f"**{label}**") for label, _ in primary.CHAPTERS.values()]
    assert positions == sorted(positions)
    assert text.count(":::{admonition}") == len(sources)


def test_an_unknown_chapter_is_named(sources):
    with pytest.raises(ValueError, match="atlantis"):
        primary.boxes(sources, "atlantis")


@pytest.mark.parametrize("chapter", sorted((ROOT / "chapters").glob("*.md")), ids=lambda p: p.stem)
def test_every_chapter_prints_its_primary_sources(chapter, sources):
    text = chapter.read_text(encoding="utf-8")
    pasted = set(re.findall(r"```\{glue:md\} primary-([a-z0-9-]+)", text))
    chapter_ids = {sid for sid, ch in zip(sources["id"], sources["chapter"])
                   if primary.CHAPTERS[ch][1].endswith(chapter.stem)}
    assert chapter_ids, f"no primary source is assigned to {chapter.name}"
    assert pasted == chapter_ids, f"{chapter.name}: pasted {sorted(pasted)}, data has {sorted(chapter_ids)}"
