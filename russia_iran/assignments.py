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
import ast
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

from .paths import ROOT

MASTERS_DIR = ROOT / "exercises" / "masters"
STUDENT_DIR = ROOT / "exercises"
AUTOGRADER_DIR = ROOT / "_build" / "autograder"

ASSIGN_TIMEOUT = 900  # seconds; otter assign runs the solutions once
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip file can hold


class AssignError(RuntimeError):
    """otter assign failed, or its output is not what the module needs."""


@dataclass(frozen=True)
class Question:
    name: str
    points: float | None  # None: otter's default (1 per question, or the tests' points)
    manual: bool


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


# --------------------------------------------------------------------------- master parsing

_BLOCK = re.compile(r"#\s+(BEGIN|END)\s+(QUESTION|PROMPT|SOLUTION|TESTS)\b", re.IGNORECASE)
_CONFIG = re.compile(r"#\s+ASSIGNMENT\s+CONFIG\b", re.IGNORECASE)


def cell_source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _unfence(cell: dict) -> tuple[str, str]:
    """(cell type, text) with a Markdown ```otter fenced block read as a raw cell, as otter does."""
    text = cell_source(cell)
    kind = cell.get("cell_type", "")
    if kind == "markdown":
        lines = text.strip().splitlines()
        if len(lines) >= 2 and lines[0].strip() == "```otter" and lines[-1].strip() == "```":
            return "raw", "\n".join(lines[1:-1])
    return kind, text


def _yaml(text: str) -> dict:
    body = text.split("\n", 1)[1] if "\n" in text else ""
    data = yaml.safe_load(body) or {}
    return data if isinstance(data, dict) else {}


def read_master(master: Path) -> tuple[dict, list[Question]]:
    """The assignment config and the questions of a master notebook."""
    nb = json.loads(Path(master).read_text(encoding="utf-8"))
    config: dict = {}
    questions: list[Question] = []
    for cell in nb.get("cells", []):
        kind, text = _unfence(cell)
        if kind != "raw":
            continue
        first = text.lstrip().split("\n", 1)[0]
        if _CONFIG.match(first):
            config.update(_yaml(text.lstrip()))
        m = _BLOCK.match(first)
        if m and m.group(1).upper() == "BEGIN" and m.group(2).upper() == "QUESTION":
            q = _yaml(text.lstrip())
            if "name" in q:
                pts = q.get("points")
                questions.append(Question(str(q["name"]),
                                          float(pts) if isinstance(pts, (int, float)) else None,
                                          bool(q.get("manual", False))))
    return config, questions


def normalised(line: str) -> list[str]:
    """Comparable forms of one source line (no trailing otter marker, single spaces, ast form)."""
    line = re.sub(r"#\s*(SOLUTION|SEED|IGNORE)(\s+NO PROMPT)?\s*$", "", line).strip()
    if not line or line.startswith("#") or line in ("...", '"""', "'''"):
        return []
    out = [" ".join(line.split())]
    try:  # otter rewrites tests with ast.unparse: compare that form too
        out.append(ast.unparse(ast.parse(line)))
    except SyntaxError:
        pass
    return out


def secret_lines(master_nb: dict) -> tuple[set[str], int]:
    """Solution lines and hidden-test lines of a master that must not reach students.

    Returns (normalised lines, number of public test cells). A line that also occurs
    in public material (prompts, public tests, other cells) is not counted as secret.
    """
    secret: set[str] = set()
    public: set[str] = set()
    public_tests = 0
    stack: list[str] = []

    for cell in master_nb.get("cells", []):
        kind, text = _unfence(cell)
        first = text.lstrip().split("\n", 1)[0]
        m = _BLOCK.match(first) if kind == "raw" else None
        if m:
            if m.group(1).upper() == "BEGIN":
                stack.append(m.group(2).upper())
            elif stack:
                stack.pop()
            continue
        if kind == "raw" and _CONFIG.match(first):
            continue
        block = stack[-1] if stack else None
        lines = text.split("\n")
        if block == "SOLUTION":
            if kind == "markdown":
                tags = cell.get("metadata", {}).get("tags", [])
                target = public if "otter_include" in tags else secret
                for line in lines:
                    target.update(normalised(line))
            else:
                inside = False
                for line in lines:
                    s = line.strip()
                    if re.match(r"#\s*BEGIN SOLUTION", s):
                        inside = True
                        continue
                    if re.match(r"#\s*END SOLUTION", s):
                        inside = False
                        continue
                    is_secret = inside or re.search(r"#\s*SOLUTION(\s+NO PROMPT)?\s*$", line)
                    (secret if is_secret else public).update(normalised(line))
        elif block == "TESTS":
            config_end = 0
            hidden = bool(re.search(r"\bhidden\b", first, re.IGNORECASE)) and first.strip().startswith("#")
            if re.match(r'(?:.\s*=\s*)?""?"?\s*#\s*BEGIN\s*TEST\s*CONFIG', first, re.IGNORECASE):
                for i, line in enumerate(lines):
                    if re.match(r'""?"?\s*#\s*END\s*TEST\s*CONFIG', line, re.IGNORECASE):
                        config_end = i + 1
                        break
                conf = _yaml("\n".join(lines[:config_end - 1])) if config_end else {}
                hidden = bool(conf.get("hidden", hidden))
            body = lines[config_end:]
            if not hidden:
                public_tests += 1
            for line in body:
                if line.rstrip().endswith("# IGNORE"):
                    continue
                (secret if hidden else public).update(normalised(line))
        else:
            for line in lines:
                public.update(normalised(line))
    return secret - public, public_tests


def check_student_notebook(master: Path, student: Path) -> list[str]:
    """Problems that would leak answers: solution lines, hidden tests, or outputs in the student notebook."""
    master_nb = json.loads(Path(master).read_text(encoding="utf-8"))
    student_nb = json.loads(Path(student).read_text(encoding="utf-8"))
    problems: list[str] = []
    secrets, public_tests = secret_lines(master_nb)

    tests = student_nb.get("metadata", {}).get("otter", {}).get("tests", {}) or {}
    texts: list[str] = []
    n_cases = 0
    for name, test in tests.items():
        src = test if isinstance(test, str) else json.dumps(test)
        texts.append(src)
        if re.search(r"hidden\s*=\s*True|['\"]hidden['\"]\s*:\s*true", src):
            problems.append(f"the tests of {name} stored in the student notebook include a hidden test")
        n_cases += len(re.findall(r"@test_case\(", src)) if isinstance(test, str) else \
            sum(len(s.get("cases", [])) for s in test.get("suites", []))
    if n_cases > public_tests:
        problems.append(f"the student notebook holds {n_cases} test cases but the master has only "
                        f"{public_tests} public ones")
    for i, cell in enumerate(student_nb.get("cells", [])):
        texts.append(cell_source(cell))
        if cell.get("outputs") or cell.get("execution_count") is not None:
            problems.append(f"cell {i} of the student notebook has outputs")
    student_lines: set[str] = set()
    for text in texts:
        for line in text.split("\n"):
            student_lines.update(normalised(line))
    for line in sorted(secrets & student_lines):
        problems.append(f"a solution or hidden-test line reached the student notebook: {line!r}")
    return problems


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
    for index, cell in enumerate(nb.get("cells", [])):
        kind, text = _unfence(cell)
        if kind == "raw" and _CONFIG.match(text.lstrip().split("\n", 1)[0]):
            config = _yaml(text.lstrip())
            config.update(autograder_files=list(SUPPORT_FILES), requirements="requirements.txt",
                          python_version=GRADING_PYTHON)
            source = "# ASSIGNMENT CONFIG\n" + yaml.safe_dump(config, sort_keys=False, allow_unicode=True)
            nb["cells"][index] = {"cell_type": "raw", "id": cell.get("id", "config"), "metadata": {}, "source": source}
            break
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
    results = []
    Path(autograder_dir).mkdir(parents=True, exist_ok=True)
    for master in masters:
        with tempfile.TemporaryDirectory(prefix=f"assign-{master.stem}-") as tmp:
            write_answer_keys(master)  # before otter runs the public checks against the solutions
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


def answer_names(master: Path) -> list[str]:
    """The answers whose public checks compare against a key (their ``check_answer`` calls)."""
    cells = json.loads(Path(master).read_text(encoding="utf-8")).get("cells", [])
    text = "\n".join(cell_source(cell) for cell in cells)
    return list(dict.fromkeys(re.findall(r'check_answer\("[^"]+", "(\w+)"', text)))


def write_answer_keys(master: Path) -> Path | None:
    """Run the master's solutions and write the salted digests its public checks compare against
    (nothing for a master whose checks compare no value)."""
    from . import answer_keys  # pandas: only when keys are written

    names = answer_names(master)
    if not names:
        return None
    path = answer_keys.KEYS_DIR / f"{master.stem}.json"
    content = answer_keys.keys_file(master.stem, master, names)
    path.parent.mkdir(exist_ok=True)
    _atomic_write(path, (json.dumps(content, indent=1, sort_keys=True) + "\n").encode())
    return path


def keys_are_stale(master: Path) -> bool:
    """True if the committed answer keys differ from those the master's solutions give now."""
    from . import answer_keys

    names = answer_names(master)
    path = answer_keys.KEYS_DIR / f"{master.stem}.json"
    if not names:
        return False
    try:
        committed = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return True
    return committed != answer_keys.keys_file(master.stem, master, names)


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
        stale = [m for m in masters if is_stale(m, args.students / m.name) or keys_are_stale(m)]
        for m in stale:
            print(f"out of date: {args.students / m.name} or its answer keys "
                  "(run: python -m russia_iran.assignments build)")
        return 1 if stale else 0
    except AssignError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
