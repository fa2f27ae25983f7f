"""The student pack: everything a student needs to run the exercises, and nothing an instructor keeps.

Built with the book (``builder-inited``) into ``_build/student-pack/student-pack.zip`` and linked
from the exercise pages and the instructor guide. It holds the student notebooks, the
``russia_iran`` package (its answer keys are salted digests), the data, the bibliography the
charts cite, the pinned requirements and a README with two commands. ``leaks`` lists anything
in a pack that should not be there; a test runs it.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

from .masters import (MASTERS_DIR, STUDENT_DIR, answer_names, cell_source, check_student_notebook, normalised,
                      secret_lines)
from .paths import ROOT

PACK = ROOT / "_build" / "student-pack" / "student-pack.zip"
FOLDER = "russia-iran-exercises"
FILES = ["pyproject.toml", "requirements.lock", "references.bib", "LICENSE"]
TREES = ["russia_iran", "data"]
FIXED_TIME = (2026, 1, 1, 0, 0, 0)  # the same bytes for the same inputs

README = """# Russia and Iran: An Uneven Partnership — exercises

The five exercise notebooks of the module, with the Python package and data they need.
You need Python 3.11 or newer.

Set up once (a few minutes), then open the notebooks:

    python3 -m venv .venv && .venv/bin/pip install -r requirements.lock && .venv/bin/pip install --no-deps -e .
    .venv/bin/jupyter lab exercises

(On Windows use `.venv\\Scripts\\pip` and `.venv\\Scripts\\jupyter`.) In each notebook, run the
cells from the top; `grader.check("q1")` tells you whether your answer to question 1 is right or
not yet. Hand in the one `.ipynb` file your instructor asks for.
"""


def _members() -> list[tuple[str, Path | str]]:
    members: list[tuple[str, Path | str]] = [(f"{FOLDER}/README.md", README)]
    members += [(f"{FOLDER}/{name}", ROOT / name) for name in FILES]
    for tree in TREES:
        for path in sorted((ROOT / tree).rglob("*")):
            rel = path.relative_to(ROOT)
            if path.is_file() and "__pycache__" not in rel.parts and not any(p.startswith(("_", ".")) for p in rel.parts[1:-1]):
                members.append((f"{FOLDER}/{rel.as_posix()}", path))
    members += [(f"{FOLDER}/exercises/{p.name}", p) for p in sorted(STUDENT_DIR.glob("0*.ipynb"))]
    return members


def build(dest: Path = PACK) -> Path:
    """Write the pack; an unchanged pack is left as it was (the pages that link it, which Sphinx
    rereads when a linked file's time changes, are then not reread on every build)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_suffix(".partial")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as pack:
        for name, content in _members():
            data = content.encode() if isinstance(content, str) else content.read_bytes()
            pack.writestr(zipfile.ZipInfo(name, FIXED_TIME), data, zipfile.ZIP_DEFLATED)
    if dest.is_file() and dest.read_bytes() == partial.read_bytes():
        partial.unlink()
    else:
        partial.replace(dest)
    return dest


def leaks(pack: Path, masters_dir: Path = MASTERS_DIR) -> list[str]:
    """What in ``pack`` an instructor keeps: masters, rubrics, solution or hidden-test lines."""
    problems = []
    secrets, answers = set(), set()
    for master in sorted(masters_dir.glob("*.ipynb")):
        secrets |= secret_lines(json.loads(master.read_text(encoding="utf-8")))[0]
        answers |= set(answer_names(master))
    # Short or generic lines (")", "else:") also occur in ordinary code: look for the lines that
    # name an answer or a hidden test. Whole notebooks get the full check (notebooks_match_masters).
    secrets = {line for line in secrets if "def test_" in line or any(a in line for a in answers)}
    with zipfile.ZipFile(pack) as z:
        for name in z.namelist():
            if "masters/" in name or "rubrics" in name or name.endswith("-autograder.zip"):
                problems.append(f"{name}: instructors only")
                continue
            try:
                text = z.read(name).decode("utf-8")
            except UnicodeDecodeError:
                continue
            if name.endswith(".ipynb"):
                cells = json.loads(text).get("cells", [])
                text = "\n".join(cell_source(c) for c in cells) + "\n" + json.dumps(json.loads(text).get("metadata", {}))
            lines = {n for line in text.split("\n") for n in normalised(line)}
            problems += [f"{name}: a solution or hidden-test line: {line!r}" for line in sorted(lines & secrets)]
    return problems


def notebooks_match_masters(pack: Path, workdir: Path, masters_dir: Path = MASTERS_DIR) -> list[str]:
    """Run the assignment tool's own leak check on each notebook of the pack."""
    problems = []
    with zipfile.ZipFile(pack) as z:
        for name in z.namelist():
            if name.startswith(f"{FOLDER}/exercises/") and name.endswith(".ipynb"):
                copy = workdir / Path(name).name
                copy.write_bytes(z.read(name))
                problems += [f"{copy.name}: {p}" for p in check_student_notebook(masters_dir / copy.name, copy)]
    return problems


def build_checked() -> list[str]:
    """Write the pack and return what it would leak. The leak check (1.5 s) runs again only when
    the pack or a master changed since it passed."""
    pack = build()
    checked = pack.with_suffix(".checked")
    digest = hashlib.sha256()
    for path in [pack, *sorted(MASTERS_DIR.glob("*.ipynb"))]:
        digest.update(path.read_bytes())
    if checked.is_file() and checked.read_text() == digest.hexdigest():
        return []
    problems = leaks(pack)
    if not problems:
        checked.write_text(digest.hexdigest())
    return problems
