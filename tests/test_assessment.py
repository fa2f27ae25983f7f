"""What the assignments assess, computed from the masters: objectives covered, strands in balance."""

from __future__ import annotations

import pytest

from russia_iran import assessment

MASTERS = sorted(assessment.MASTERS_DIR.glob("0*.ipynb"))


@pytest.mark.parametrize("master", MASTERS, ids=lambda p: p.stem)
def test_every_question_states_its_objective_strand_and_true_points(master):
    qs = assessment.questions(master)
    objectives = len(assessment.chapter_objectives(master.stem))
    for q in qs:
        assert q["points"] == q["stated_points"], q["name"]
        assert all(1 <= k <= objectives for k in q["objectives"]), q["name"]
    assert [q["number"] for q in qs] == list(range(1, len(qs) + 1))


@pytest.mark.parametrize("master", MASTERS, ids=lambda p: p.stem)
def test_every_chapter_objective_is_assessed(master):
    covered = {k for q in assessment.questions(master) for k in q["objectives"]}
    missing = set(range(1, len(assessment.chapter_objectives(master.stem)) + 1)) - covered
    assert not missing, f"objectives assessed by no question: {sorted(missing)}"


@pytest.mark.parametrize("master", MASTERS, ids=lambda p: p.stem)
def test_methods_hold_at_most_a_third_of_the_automatic_points(master):
    s = assessment.summary(master)
    assert 0 < s["methods_share"] <= assessment.MAX_METHODS_SHARE + 1e-9, s


def test_a_question_without_its_header_is_named(tmp_path):
    master = tmp_path / "01_x.ipynb"
    master.write_text('{"cells": [{"cell_type": "raw", "source": "# BEGIN QUESTION\\nname: q1\\npoints: 1"},'
                      ' {"cell_type": "markdown", "source": "**Question 1** (1 point). Count."}]}')
    with pytest.raises(ValueError, match="q1"):
        assessment.questions(master)


def test_the_map_lists_every_objective_of_every_chapter():
    markup = assessment.map_html()
    for master in MASTERS:
        for k in range(1, len(assessment.chapter_objectives(master.stem)) + 1):
            assert f"<td>{master.stem[:2]}.{k}</td>" in markup
    assert "none: see the discussion prompts" not in markup
