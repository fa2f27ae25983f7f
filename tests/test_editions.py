"""Two editions from one source: the student edition carries no solution, hidden test or rubric answer."""

from __future__ import annotations

import html
import json
import re

import pytest

from conftest import HTML, ROOT
from russia_iran import assignments, editions

MASTERS = sorted(assignments.MASTERS_DIR.glob("*.ipynb"))
RUBRICS = ROOT / "instructors" / "rubrics.md"
TAG = re.compile(r"<[^>]+>")
# Short secret lines ("x = 3") could occur anywhere by chance; these are long enough to be telling.
MIN_SECRET_LENGTH = 16
MIN_RUBRIC_WORDS = 12


def flatten(text: str) -> str:
    """Text without tags or entities, whitespace folded: what a reader or a search could find."""
    return " ".join(html.unescape(TAG.sub(" ", text)).split())


def secrets() -> set[str]:
    found = set()
    for master in MASTERS:
        lines, _public_tests = assignments.secret_lines(json.loads(master.read_text(encoding="utf-8")))
        found |= {line for line in lines if len(line) >= MIN_SECRET_LENGTH}
    return found


def rubric_passages() -> set[str]:
    """Paragraphs and list items of the instructor-only rubrics page."""
    text = RUBRICS.read_text(encoding="utf-8")
    blocks = re.split(r"\n\s*\n|\n(?=\s*[-*] )|\n(?=\s*\d+\. )", text)
    passages = {" ".join(re.sub(r"^\s*([-*]|\d+\.)\s+", "", b).replace("*", "").split()) for b in blocks}
    return {p for p in passages if len(p.split()) >= MIN_RUBRIC_WORDS and not p.startswith(("#", "|", "```"))}


def student_edition_files() -> list:
    built = [p for p in HTML.rglob("*") if p.is_file() and p.suffix in {".html", ".js", ".txt", ".ipynb", ".md", ".json"}
             and "_vendor" not in p.parts and "_static" not in p.parts]
    return built + sorted((ROOT / "exercises").glob("*.ipynb"))


@pytest.mark.parametrize("master", MASTERS, ids=lambda p: p.stem)
def test_committed_student_notebook_is_current(master):
    student = ROOT / "exercises" / master.name
    assert not assignments.is_stale(master, student), f"run: python -m russia_iran.assignments build ({student.name})"


def test_student_edition_holds_no_solution_hidden_test_or_rubric_answer(built_book):
    assert MASTERS and RUBRICS.exists()
    needles = secrets() | rubric_passages()
    assert len(needles) > 20, "the masters and rubrics should yield many lines to look for"
    leaks = {}
    for path in student_edition_files():
        text = flatten(path.read_text(encoding="utf-8", errors="replace"))
        found = [n for n in needles if n in text]
        if found:
            leaks[str(path.relative_to(ROOT))] = found[:3]
    assert not leaks, leaks


def test_student_edition_lists_the_assignments_but_not_the_masters(built_book):
    for master in MASTERS:
        assert (HTML / "exercises" / f"{master.stem}.html").is_file()
        assert not (HTML / "exercises" / "masters").exists()
    assert not (HTML / "instructors" / "rubrics.html").exists()


def test_instructor_edition_adds_rubrics_and_solutions():
    config, toc = editions.instructor_config(), editions.instructor_toc()
    assert editions.MASTERS_EXCLUDE not in config["exclude_patterns"]
    files = {c["file"] for part in toc["parts"] for c in part["chapters"]}
    assert "instructors/rubrics" in files
    assert {f"exercises/masters/{m.stem}" for m in MASTERS} <= files
    student_files = {c["file"] for part in editions.yaml.safe_load((ROOT / "_toc.yml").read_text())["parts"]
                     for c in part["chapters"]}
    assert not {f for f in student_files if "masters" in f or f == "instructors/rubrics"}
