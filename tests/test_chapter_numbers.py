"""Each chapter's numbers come from one call in the package: every number its prose glues is
computed by its ``numbers()`` from the data, and nothing else is glued beside it."""

from __future__ import annotations

import re

import pytest

from russia_iran import load
from russia_iran.figures import history, postwar, rapprochement, treaty, war2026
from russia_iran.paths import ROOT

GLUED = re.compile(r"\{glue:(?:text|md|)\}`([A-Za-z0-9_]+)")


def _numbers(chapter: str) -> dict:
    if chapter == "01_history":
        return history.numbers(history.history_events(load("events")), load("arms"), load("trade"))
    if chapter == "02_rapprochement":
        return rapprochement.numbers(load("trade"), load("arms"), load("partners"),
                                     load("events").query("chapter == 'rapprochement'"))
    if chapter == "03_treaty":
        return treaty.numbers(load("treaty_provisions"), load("agreements").set_index("id", drop=False), load("trade"),
                              load("events").query("chapter == 'treaty'"))
    if chapter == "04_postwar":
        return postwar.numbers(load("events"), load("partners"), load("trade"), load("arms"), load("nuclear"),
                               load("dependence_indicators"), load("un_votes"))
    return war2026.numbers(load("events"), load("reactions"), load("reported_figures"), load("claims"))


@pytest.mark.parametrize("chapter", ["01_history", "02_rapprochement", "03_treaty", "04_postwar", "05_war2026"])
def test_every_glued_number_comes_from_the_chapter_s_numbers(chapter):
    text = (ROOT / "chapters" / f"{chapter}.md").read_text(encoding="utf-8")
    glued = {key for key in GLUED.findall(text) if not key.startswith(("fig", "primary"))}
    numbers = _numbers(chapter)
    assert glued <= numbers.keys(), sorted(glued - numbers.keys())
    assert all(isinstance(value, (int, float)) and value == value for value in numbers.values()), "a number is missing"
    cells = re.findall(r"^glue\(\"([A-Za-z0-9_-]+)\"", text, re.M)
    assert all(name.startswith("fig") for name in cells), "numbers glued outside numbers(): " + ", ".join(cells)
