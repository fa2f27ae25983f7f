"""The five real assignments: solutions earn every automatic point, untouched student notebooks none."""

from __future__ import annotations

import csv
import zipfile
import shutil
import tempfile
from pathlib import Path

import pytest

from russia_iran import assignments, grading, masters

MASTERS = sorted(masters.MASTERS_DIR.glob("*.ipynb"))


@pytest.fixture(scope="module")
def graded(assigned) -> dict[str, dict[str, dict]]:
    """Each assignment's solution and student notebooks graded in one batch; rows by assignment and file."""
    results, zips = {}, {}
    work = Path(tempfile.mkdtemp(prefix="rib-assignments-"))
    try:
        for master in MASTERS:
            built, made = work / master.stem, assigned[master.stem]
            submissions = built / "submissions"
            submissions.mkdir(parents=True)
            shutil.copy(made.solutions_notebook, submissions / "solution.ipynb")
            shutil.copy(made.student_notebook, submissions / "untouched.ipynb")
            submissions.chmod(0o755)
            zips[master.stem] = sorted(zipfile.ZipFile(made.autograder_zip).namelist())
            gradebook = built / "gradebook.csv"
            status = grading.main([str(submissions), "--assignment", master.stem, "--autograder",
                                   str(made.autograder_zip), "--master", str(master), "--out", str(gradebook),
                                   "--timeout", "240"])
            assert status == 0
            with gradebook.open(encoding="utf-8") as f:
                results[master.stem] = {row["file"]: row for row in csv.DictReader(f)}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {"rows": results, "zips": zips}


def test_there_are_five_assignments_with_enough_questions():
    assert [m.stem for m in MASTERS] == ["01_history", "02_rapprochement", "03_treaty", "04_postwar", "05_war2026"]
    for master in MASTERS:
        _config, questions = masters.read_master(master)
        manual = [q for q in questions if q.manual]
        assert len(questions) >= 8 and len(questions) - len(manual) >= 5 and len(manual) >= 2, master.name


@pytest.mark.slow
@pytest.mark.parametrize("name", [m.stem for m in MASTERS])
def test_solutions_score_full_marks_and_untouched_notebooks_zero(graded, name):
    rows = graded["rows"][name]
    solution, untouched = rows["solution.ipynb"], rows["untouched.ipynb"]
    assert solution["status"] == "ok", solution["reason"]
    assert float(solution["total"]) == float(solution["possible"]) > 0, solution
    assert untouched["status"] == "ok", untouched["reason"]
    assert float(untouched["total"]) == 0, untouched


def test_the_title_comes_before_otters_set_up_cell():
    nb = {"cells": [{"cell_type": "code", "source": '# Initialize Otter\nimport otter\ngrader = otter.Notebook("a.ipynb")'},
                    {"cell_type": "markdown", "source": "# Assignment 1"},
                    {"cell_type": "markdown", "source": "## Setting up"}]}
    cells = assignments.title_first(nb)["cells"]
    assert [c["source"][:12] for c in cells] == ["# Assignment", "# Initialize", "## Setting u"]
    already = assignments.title_first(nb)["cells"]
    assert already == cells, "a notebook already in order is left alone"


@pytest.mark.slow
@pytest.mark.parametrize("name", [m.stem for m in MASTERS])
def test_autograder_zip_has_the_layout_otter_generates_for_gradescope(graded, name):
    """The files otter's own generator writes (its template list), at the zip's root, for Gradescope."""
    from otter.generate import LANGUAGE_BASED_CONFIGURATIONS, OTTER_CONFIG_FILENAME

    names = graded["zips"][name]
    expected = {Path(t).name for t in LANGUAGE_BASED_CONFIGURATIONS["python"]["templates"]}
    expected |= {"environment.yml", OTTER_CONFIG_FILENAME}
    assert expected <= set(names), expected - set(names)
    auto = [q.name for q in masters.read_master(masters.MASTERS_DIR / f"{name}.ipynb")[1] if not q.manual]
    assert {f"tests/{q}.py" for q in auto} <= set(names)
    assert any(n.startswith("files/russia_iran/") for n in names) and "files/data/events.csv" in names
