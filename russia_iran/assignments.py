"""Build the graded exercises from their otter master notebooks.

Each exercise is written once, as an otter-grader 7 *master* notebook in
``exercises/masters/<NN>_<slug>.ipynb`` (questions, solutions, public and hidden
tests). ``otter assign`` turns a master into

* the **student notebook** (committed as ``exercises/<NN>_<slug>.ipynb``): the
  questions with ``...`` where the answers go, no outputs, and only the *public*
  tests, stored inside the notebook's metadata (``tests: files: false``), so that
  ``grader.check("q1")`` works in a downloaded copy with no ``tests/`` folder;
* the **autograder zip** (built into ``_build/autograder/<name>-autograder.zip``,
  never committed): every test, hidden ones included, plus otter's config and
  the Gradescope set-up scripts. The solutions notebook stays in a temporary
  folder and is thrown away.

The hidden tests compute the expected answers with ``russia_iran.load``, so the
zip also carries what that needs wherever it runs (``otter grade``'s Docker
image, Gradescope): a copy of the helper package, the data and the
bibliography (otter puts them beside the notebook being graded) and a
``requirements.txt`` pinning, from ``requirements.lock``, the packages the
package and the exercises import. ``assign`` adds these to a copy of the master
in a staging folder (``autograder_files``, ``requirements``, ``python_version``);
the master itself stays as written.

Usage::

    from russia_iran.assignments import assign, build_all, is_stale
    build_all()                                   # regenerate everything
    is_stale(master, committed_student_notebook)  # True if a rebuild would change it

or ``python -m russia_iran.assignments build`` / ``check`` (exit status 1 if stale).

``otter assign`` gives the cells it creates (init, check and export cells) random
ids and stamps the zip's name and members with the time; everything else in its
output is deterministic. ``assign`` therefore replaces every cell id of the student
notebook with one derived from the cell's content, and repacks the zip with a
fixed name, sorted members and a fixed timestamp, so that rebuilding an unchanged
master changes nothing in git. ``is_stale`` also ignores cell ids altogether.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .masters import (MASTERS_DIR, STUDENT_DIR, Question, cell_source, check_student_notebook,
                      config_cell, read_master)
from .paths import ROOT

AUTOGRADER_DIR = ROOT / "_build" / "autograder"

ASSIGN_TIMEOUT = 900  # seconds; otter assign runs the solutions once
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip file can hold


class AssignError(RuntimeError):
    """otter assign failed, or its output is not what the module needs."""


@dataclass
class AssignResult:
    master: Path
    out_dir: Path
    student_notebook: Path      # out_dir/student/<master name>
    solutions_notebook: Path    # out_dir/autograder/<master name>: never publish
    autograder_zip: Path        # out_dir/autograder/<stem>-autograder.zip
    assignment_name: str | None  # otter's `name:`; submissions must carry the same
    questions: list[Question] = field(default_factory=list)
    log: str = ""               # what otter printed

    @property
    def manual_questions(self) -> list[Question]:
        return [q for q in self.questions if q.manual]

    @property
    def auto_questions(self) -> list[Question]:
        return [q for q in self.questions if not q.manual]


# --------------------------------------------------------------------------- determinism


def title_first(nb: dict) -> dict:
    """otter puts its set-up cell above everything; the assignment's title comes
    first instead, in the notebook and on the book's page, with the set-up cell
    (still the first code cell) just below it."""
    cells = nb.get("cells", [])
    if (len(cells) >= 2 and cells[0].get("cell_type") == "code" and cell_source(cells[0]).startswith("# Initialize Otter")
            and cells[1].get("cell_type") == "markdown" and cell_source(cells[1]).startswith("# ")):
        cells[0], cells[1] = cells[1], cells[0]
    return nb


def any_file_name(nb: dict, assignment: str) -> dict:
    """otter's set-up cell names the notebook file; ask russia_iran.student to find it instead."""
    for cell in nb.get("cells", []):
        text = cell_source(cell)
        if cell.get("cell_type") == "code" and text.startswith("# Initialize Otter"):
            cell["source"] = text.replace(
                f'otter.Notebook("{assignment}.ipynb")',
                f'otter.Notebook(find_notebook("{assignment}"))').replace(
                "import otter\n", "import otter\nfrom russia_iran.student import find_notebook\n")
    return nb


def stable_cell_ids(nb: dict) -> dict:
    """Replace every cell id with one derived from the cell's type and source (unique within nb)."""
    seen: dict[str, int] = {}
    for cell in nb.get("cells", []):
        digest = hashlib.sha1(f"{cell.get('cell_type')}\n{cell_source(cell)}".encode("utf-8")).hexdigest()[:12]
        n = seen.get(digest, 0)
        seen[digest] = n + 1
        if "id" in cell or nb.get("nbformat_minor", 0) >= 5:
            cell["id"] = digest if n == 0 else f"{digest}-{n}"
    return nb


def normalise_notebook(nb: dict) -> str:
    """A canonical text of a notebook for comparison: no cell ids, sorted keys, joined sources."""
    nb = copy.deepcopy(nb)
    for cell in nb.get("cells", []):
        cell.pop("id", None)
        cell["source"] = cell_source(cell)
        for out in cell.get("outputs", []) or []:
            if isinstance(out.get("text"), list):
                out["text"] = "".join(out["text"])
    return json.dumps(nb, sort_keys=True, ensure_ascii=False, indent=0)


def _write_notebook(nb: dict, path: Path) -> None:
    text = json.dumps(nb, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    _atomic_write(path, text.encode("utf-8"))


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def repack_zip(src: Path, dest: Path) -> None:
    """Copy a zip with its members sorted and dated 1980-01-01 (keeps the permission bits)."""
    with zipfile.ZipFile(src) as zin:
        members = sorted(zin.infolist(), key=lambda i: i.filename)
        fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp")
        os.close(fd)
        try:
            with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zout:
                for info in members:
                    new = zipfile.ZipInfo(info.filename, date_time=ZIP_DATE)
                    new.external_attr = info.external_attr
                    new.create_system = 3  # unix, so the permission bits are honoured
                    new.compress_type = zipfile.ZIP_DEFLATED
                    zout.writestr(new, zin.read(info.filename))
            os.chmod(tmp, 0o644)
            os.replace(tmp, dest)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


# --------------------------------------------------------------------------- otter assign

# What the hidden tests need beside the notebook, and the packages they and the
# exercises import (pinned to requirements.lock's versions).
SUPPORT_FILES = ("russia_iran", "data", "references.bib")
GRADING_PACKAGES = ("pandas", "altair", "pybtex", "pyyaml")
GRADING_PYTHON = "3.11"  # altair 6 needs 3.11


def grading_requirements(lock: Path = ROOT / "requirements.lock") -> str:
    """requirements.txt for the grading image: GRADING_PACKAGES at the lock's versions."""
    pins = dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", lock.read_text(encoding="utf-8"), re.M))
    pins = {name.lower(): version for name, version in pins.items()}
    missing = [name for name in GRADING_PACKAGES if name not in pins]
    if missing:
        raise AssignError(f"requirements.lock pins none of: {', '.join(missing)}")
    return "".join(f"{name}=={pins[name]}\n" for name in GRADING_PACKAGES)


def _stage(master: Path, stage: Path) -> Path:
    """A copy of master in stage, with the support files beside it and its config
    told to put them, and the grading requirements, into the autograder zip."""
    nb = json.loads(master.read_text(encoding="utf-8"))
    found = config_cell(nb)
    if found:
        index, config = found
        config.update(autograder_files=list(SUPPORT_FILES), requirements="requirements.txt",
                      python_version=GRADING_PYTHON)
        source = "# ASSIGNMENT CONFIG\n" + yaml.safe_dump(config, sort_keys=False, allow_unicode=True)
        nb["cells"][index] = {"cell_type": "raw", "id": nb["cells"][index].get("id", "config"), "metadata": {},
                              "source": source}
    staged = stage / master.name
    _write_notebook(nb, staged)
    for name in SUPPORT_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, stage / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "_incoming"))
        else:
            shutil.copy2(source, stage / name)
    (stage / "requirements.txt").write_text(grading_requirements(), encoding="utf-8")
    return staged


def assign(master: Path, out_dir: Path, *, run_tests: bool = True,
           timeout: float = ASSIGN_TIMEOUT) -> AssignResult:
    """Run ``otter assign`` on ``master`` into ``out_dir`` (in a subprocess).

    ``run_tests=True`` lets otter run the solutions against every test (slower, but it
    proves the master's solutions pass). Raises AssignError, with otter's own message,
    if otter fails or its student notebook would leak a solution or a hidden test.
    """
    master = Path(master).resolve()
    out_dir = Path(out_dir).resolve()
    if not master.is_file():
        raise AssignError(f"master notebook not found: {master}")
    try:
        config, questions = read_master(master)
    except (ValueError, OSError) as e:
        raise AssignError(f"{master.name} is not a readable notebook: {e}") from None
    if not config:
        raise AssignError(f"{master.name} has no '# ASSIGNMENT CONFIG' raw cell: is it an otter master?")
    tests_conf = config.get("tests") or {}
    if tests_conf.get("files", False):
        raise AssignError(f"{master.name}: set 'tests: files: false' in its ASSIGNMENT CONFIG, so that "
                          "the tests travel inside the student notebook")

    with tempfile.TemporaryDirectory(prefix="otter-stage-") as stage:
        staged = _stage(master, Path(stage))
        cmd = [sys.executable, "-m", "otter", "assign", "-v", "--no-pdfs"]
        if not run_tests:
            cmd.append("--no-run-tests")
        cmd += [str(staged), str(out_dir)]
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
        try:
            proc = subprocess.run(cmd, cwd=stage, env=env, capture_output=True, text=True,
                                  timeout=timeout, errors="replace")
        except subprocess.TimeoutExpired:
            raise AssignError(f"otter assign on {master.name} did not finish within {timeout:.0f} s") from None
    log = (proc.stdout or "") + (proc.stderr or "")
    if proc.returncode != 0:
        tail = "\n".join(line for line in log.strip().splitlines()[-25:])
        raise AssignError(f"otter assign failed on {master.name} (exit status {proc.returncode}):\n{tail}")

    student = out_dir / "student" / master.name
    solutions = out_dir / "autograder" / master.name
    zips = sorted((out_dir / "autograder").glob(f"{master.stem}-autograder_*.zip"))
    if not student.is_file() or not zips:
        raise AssignError(f"otter assign on {master.name} did not write the expected files in {out_dir}")

    nb = json.loads(student.read_text(encoding="utf-8"))
    _write_notebook(stable_cell_ids(any_file_name(title_first(nb), master.stem)), student)
    stable_zip = out_dir / "autograder" / f"{master.stem}-autograder.zip"
    repack_zip(zips[-1], stable_zip)
    for z in zips:
        z.unlink()

    problems = check_student_notebook(master, student)
    if problems:
        raise AssignError(f"the student notebook made from {master.name} is not safe to publish:\n  "
                          + "\n  ".join(problems))
    return AssignResult(master=master, out_dir=out_dir, student_notebook=student,
                        solutions_notebook=solutions, autograder_zip=stable_zip,
                        assignment_name=config.get("name"), questions=questions, log=log)


def master_notebooks(masters_dir: Path) -> list[Path]:
    return sorted(p for p in Path(masters_dir).glob("*.ipynb")
                  if not p.name.startswith((".", "_")) and ".ipynb_checkpoints" not in p.parts)


def build_all(masters_dir: Path = MASTERS_DIR, student_dir: Path = STUDENT_DIR,
              autograder_dir: Path = AUTOGRADER_DIR, *, run_tests: bool = True) -> list[AssignResult]:
    """Regenerate every student notebook (student_dir/<name>.ipynb) and autograder zip.

    Each master's otter ``name:`` must equal its file stem (e.g. ``01_history``): the
    grading command finds the zip and the master by that name and checks it against
    the name stored in each submitted notebook.
    """
    masters = master_notebooks(masters_dir)
    wrong = []
    for master in masters:
        try:
            name = read_master(master)[0].get("name")
        except (ValueError, OSError) as e:
            raise AssignError(f"{master.name} is not a readable notebook: {e}") from None
        if name != master.stem:
            wrong.append(f"{master.name}: its ASSIGNMENT CONFIG says name: {name!r}; use name: {master.stem}")
    if wrong:
        raise AssignError("\n".join(wrong))
    from . import answer_keys  # pandas: only when keys are written

    results = []
    Path(autograder_dir).mkdir(parents=True, exist_ok=True)
    for master in masters:
        with tempfile.TemporaryDirectory(prefix=f"assign-{master.stem}-") as tmp:
            answer_keys.write_keys(master)  # before otter runs the public checks against the solutions
            res = assign(master, Path(tmp) / "dist", run_tests=run_tests)
            student_out = Path(student_dir) / master.name
            zip_out = Path(autograder_dir) / f"{master.stem}-autograder.zip"
            _atomic_write(student_out, res.student_notebook.read_bytes())
            _atomic_write(zip_out, res.autograder_zip.read_bytes())
            results.append(AssignResult(master=master, out_dir=Path(autograder_dir),
                                        student_notebook=student_out, solutions_notebook=Path(),
                                        autograder_zip=zip_out, assignment_name=res.assignment_name,
                                        questions=res.questions, log=res.log))
    return results


def is_stale(master: Path, committed_student: Path) -> bool:
    """True if ``otter assign`` on ``master`` would give a different student notebook.

    Compares a fresh build with the committed notebook after removing what otter
    makes non-deterministic (cell ids); a missing or unreadable committed notebook
    counts as stale.
    """
    committed_student = Path(committed_student)
    try:
        committed = json.loads(committed_student.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return True
    with tempfile.TemporaryDirectory(prefix="stale-") as tmp:
        res = assign(master, Path(tmp) / "dist", run_tests=False)
        fresh = json.loads(res.student_notebook.read_text(encoding="utf-8"))
    return normalise_notebook(fresh) != normalise_notebook(committed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m russia_iran.assignments",
                                     description="Build the exercises from their otter masters.")
    parser.add_argument("action", choices=["build", "check"],
                        help="build: regenerate student notebooks and autograder zips; "
                             "check: exit 1 if a committed student notebook is out of date")
    parser.add_argument("--masters", type=Path, default=MASTERS_DIR)
    parser.add_argument("--students", type=Path, default=STUDENT_DIR)
    parser.add_argument("--autograders", type=Path, default=AUTOGRADER_DIR)
    parser.add_argument("--no-run-tests", action="store_true",
                        help="do not run the solutions against the tests (faster)")
    args = parser.parse_args(argv)
    masters = master_notebooks(args.masters)
    if not masters:
        print(f"no master notebooks in {args.masters}")
        return 0
    try:
        if args.action == "build":
            for res in build_all(args.masters, args.students, args.autograders,
                                 run_tests=not args.no_run_tests):
                print(f"{res.master.name}: {res.student_notebook} and {res.autograder_zip}")
            return 0
        from . import answer_keys

        stale = [m for m in masters if is_stale(m, args.students / m.name) or answer_keys.keys_are_stale(m)]
        for m in stale:
            print(f"out of date: {args.students / m.name} or its answer keys "
                  "(run: python -m russia_iran.assignments build)")
        return 1 if stale else 0
    except AssignError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
