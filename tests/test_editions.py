"""Two editions from one source: the student edition carries no solution, hidden test or rubric answer."""

from __future__ import annotations

import ast
import html
import json
import re
import zipfile

import pytest

from conftest import HTML, ROOT
from russia_iran import assignments, editions, masters

MASTERS = sorted(masters.MASTERS_DIR.glob("*.ipynb"))
RUBRICS = ROOT / "instructors" / "rubrics.md"
TAG = re.compile(r"<[^>]+>")
# Short secret lines ("x = 3") could occur anywhere by chance; these are long enough to be telling.
MIN_SECRET_LENGTH = 16
MIN_RUBRIC_WORDS = 12


def flatten(path) -> str:
    """What a reader or a search could find in a file, whitespace folded: a page's text without
    tags or entities (highlighted code reads as written), a notebook's cells as written."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".ipynb":
        try:
            text = "\n".join("".join(c["source"]) if isinstance(c["source"], list) else c["source"]
                             for c in json.loads(text)["cells"])
        except (ValueError, KeyError, TypeError):
            pass
    return " ".join(html.unescape(TAG.sub("", text)).split())


def secrets(assigned: dict) -> set[str]:
    """What otter itself withholds from students, read from its own outputs (not from the
    module's parser of the masters): lines of the solutions notebook's code that its student
    notebook lacks, and the lines of the autograder's hidden tests that no public test has."""
    found = set()
    for made in assigned.values():
        student = set(code_lines(made.student_notebook))
        found |= {line for line in code_lines(made.solutions_notebook)
                  if line not in student and not re.match(r"# (BEGIN|END) ", line)}
        with zipfile.ZipFile(made.autograder_zip) as z:
            tests = [z.read(n).decode() for n in z.namelist() if re.fullmatch(r"tests/q\w+\.py", n)]
        hidden, public = set(), set()
        for source in tests:
            for node in ast.parse(source).body:
                if isinstance(node, ast.FunctionDef):
                    is_hidden = any(isinstance(k, ast.keyword) and k.arg == "hidden" and getattr(k.value, "value", False)
                                    for d in node.decorator_list if isinstance(d, ast.Call) for k in d.keywords)
                    lines = {" ".join(ast.get_source_segment(source, s).split()) for s in node.body}
                    (hidden if is_hidden else public).update(lines)
        found |= hidden - public - student
    return {line for line in found if len(line) >= MIN_SECRET_LENGTH}


def code_lines(notebook) -> list[str]:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return [" ".join(line.split()) for c in cells if c["cell_type"] == "code"
            for line in ("".join(c["source"]) if isinstance(c["source"], list) else c["source"]).splitlines()]


def rubric_passages() -> set[str]:
    """Paragraphs and list items of the instructor-only rubrics page."""
    text = RUBRICS.read_text(encoding="utf-8")
    blocks = re.split(r"\n\s*\n|\n(?=\s*[-*] )|\n(?=\s*\d+\. )", text)
    passages = {" ".join(re.sub(r"^\s*([-*]|\d+\.)\s+", "", b).replace("*", "").split()) for b in blocks}
    return {p for p in passages if len(p.split()) >= MIN_RUBRIC_WORDS and not p.startswith(("#", "|", "```"))}


def student_edition_files() -> list:
    built = [p for p in HTML.rglob("*") if p.is_file() and p.suffix in {".html", ".js", ".txt", ".ipynb", ".md", ".json"}
             and "_static" not in p.parts]
    return built + sorted((ROOT / "exercises").glob("*.ipynb"))


@pytest.mark.parametrize("master", MASTERS, ids=lambda p: p.stem)
def test_committed_student_notebook_is_current(master):
    student = ROOT / "exercises" / master.name
    assert not assignments.is_stale(master, student), f"run: python -m russia_iran.assignments build ({student.name})"


def test_student_edition_holds_no_solution_hidden_test_or_rubric_answer(built_book, assigned):
    assert MASTERS and RUBRICS.exists()
    needles = secrets(assigned) | rubric_passages()
    assert len(needles) > 20, "the masters and rubrics should yield many lines to look for"
    for made in assigned.values():  # the search does find what it looks for
        assert any(n in flatten(made.solutions_notebook) for n in needles), made.solutions_notebook
    leaks = {}
    for path in student_edition_files():
        text = flatten(path)
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
