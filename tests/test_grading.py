"""Tests of the exercise machinery: otter assign (russia_iran.assignments) and batch grading
without Docker (russia_iran.grading), on the small fixture assignment in fixtures/grading/.

The expensive part, grading ~30 ordinary and hostile submissions, is ONE batch call (a
module-scoped fixture); the tests then check its rows one by one. Tests that start Jupyter
kernels are marked ``slow``. The whole file takes about 2-3 minutes on two cores.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import io
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pytest

import russia_iran
from russia_iran import assignments, grading, masters
from russia_iran.grading.gradebook import HEAD_COLUMNS, TAIL_COLUMNS, unescape_cell
from russia_iran.paths import ROOT

from conftest import FIXTURE_MASTER, processes_with

MARKER = "RIB_GRADING_MARKER_do_not_touch.txt"
BATCH_TIMEOUT = 40  # seconds per submission in the batch (the endless loop must hit it; others need ~5-15 s)
CORRECT = {
    "n_datasets": "n_datasets = len(russia_iran.names())\nn_datasets",
    "recent": 'recent = toy[toy["year"] >= 2021]\nrecent',
    "q3_answer": 'q3_answer = "a"',
}


# --------------------------------------------------------------------------- helpers


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_rows(path: Path) -> list[dict]:
    """Rows of a gradebook, as a spreadsheet would show them (file names that look like
    formulas are written with a leading apostrophe)."""
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        r["file"] = unescape_cell(r["file"])
    return rows


def code_cell(source: str) -> dict:
    return {"cell_type": "code", "execution_count": None, "id": f"x{random.Random(source).getrandbits(40):x}",
            "metadata": {}, "outputs": [], "source": source}


def answer_index(nb: dict, var: str) -> int:
    for i, cell in enumerate(nb["cells"]):
        src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if cell["cell_type"] == "code" and src.startswith(f"{var} = "):
            return i
    raise LookupError(var)


def answered(student: dict, answers: dict | None = None) -> dict:
    nb = copy.deepcopy(student)
    for var, src in {**CORRECT, **(answers or {})}.items():
        nb["cells"][answer_index(nb, var)]["source"] = src
    return nb


def insert_after_init(nb: dict, source: str) -> dict:
    nb = copy.deepcopy(nb)
    nb["cells"].insert(1, code_cell(source))
    return nb


def write_nb(path: Path, nb: dict) -> None:
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False), encoding="utf-8")


@pytest.fixture
def world_readable_dir():
    """A submissions folder anyone may read (0755): so the hostile notebooks' attacks by absolute
    path are real attempts, stopped by the sandbox rather than by permissions."""
    path = Path(tempfile.mkdtemp(prefix="rib-grading-"))
    os.chmod(path, 0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


# --------------------------------------------------------------------------- otter assign


@pytest.fixture(scope="module")
def student_nb(built) -> dict:
    return json.loads(built.student_notebook.read_text(encoding="utf-8"))


@pytest.mark.slow
def test_assign_outputs(built, student_nb):
    assert built.assignment_name == "fixture"
    assert [(q.name, q.manual) for q in built.questions] == [("q1", False), ("q2", False), ("q3", False), ("q4", True)]
    assert built.autograder_zip.name == "fixture_master-autograder.zip"
    # the student notebook: tests inside (no tests/ folder), public tests only, no solutions, no outputs
    assert not (built.student_notebook.parent / "tests").exists()
    meta = student_nb["metadata"]["otter"]
    assert meta["assignment_name"] == "fixture"
    assert sorted(meta["tests"]) == ["q1", "q2", "q3"]
    assert all("hidden=True" not in t for t in meta["tests"].values())
    assert masters.check_student_notebook(FIXTURE_MASTER, built.student_notebook) == []
    text = built.student_notebook.read_text(encoding="utf-8")
    for secret in ("len(russia_iran.names())", '>= 2021]', "q3_answer = \\\"a\\\"", "_A reader who is not told"):
        assert secret not in text
    # the solutions notebook would fail the same check (the check does detect leaks)
    assert masters.check_student_notebook(FIXTURE_MASTER, built.solutions_notebook)
    # the autograder zip: every test, hidden ones included, and the assignment name
    with zipfile.ZipFile(built.autograder_zip) as z:
        names = sorted(z.namelist())
        assert {"tests/q1.py", "tests/q2.py", "tests/q3.py", "otter_config.json", "run_autograder",
                "setup.sh", "environment.yml"} <= set(names)
        assert not any(n.endswith(".ipynb") for n in names)
        assert "hidden=True" in z.read("tests/q1.py").decode()
        assert json.loads(z.read("otter_config.json"))["assignment_name"] == "fixture"
        assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in z.infolist())


def test_autograder_zip_carries_what_the_hidden_tests_import(built, tmp_path):
    """otter grade and Gradescope have no checkout of the module: the zip holds the
    package, data and bibliography (put beside the graded notebook) and pins the
    packages they need at the lock's versions."""
    with zipfile.ZipFile(built.autograder_zip) as z:
        names = set(z.namelist())
        assert {"files/russia_iran/__init__.py", "files/russia_iran/data.py", "files/data/datapackage.json",
                "files/data/events.csv", "files/references.bib"} <= names
        assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)
        environment = z.read("environment.yml").decode()
        z.extractall(tmp_path, [n for n in names if n.startswith("files/")])
    lock = (ROOT / "requirements.lock").read_text()
    assert "python=3.11" in environment
    for package in assignments.GRADING_PACKAGES:
        pin = next(line for line in lock.splitlines() if line.lower().startswith(f"{package}=="))
        assert pin.lower() in environment.lower()
    # the copy finds its own data, wherever it is unpacked
    script = ("import russia_iran, sys; from russia_iran import load; "
              "print(russia_iran.__file__); print(len(load('events')))")
    run = subprocess.run([sys.executable, "-c", script], cwd=tmp_path / "files", capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    location, rows = run.stdout.split()
    assert Path(location).is_relative_to(tmp_path / "files")
    assert int(rows) == len(russia_iran.load("events"))


@pytest.mark.slow
def test_student_notebook_checks_on_its_own(built, student_nb, tmp_path):
    """grader.check works in a lone copy of the student notebook (no tests/ folder) and its
    public tests say what is wrong without giving the answer."""
    from nbclient import NotebookClient
    import nbformat

    nb = answered(student_nb, {"n_datasets": 'n_datasets = "9"', "q3_answer": "q3_answer = ..."})
    del nb["cells"][answer_index(nb, "recent")]  # q2's variable never defined
    write_nb(tmp_path / built.student_notebook.name, nb)
    node = nbformat.read(tmp_path / built.student_notebook.name, as_version=4)
    NotebookClient(node, timeout=120, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    checks = {}
    for cell in node.cells:
        if cell.cell_type == "code" and cell.source.startswith("grader.check("):
            q = cell.source.split('"')[1]
            checks[q] = json.dumps([dict(o) for o in cell.outputs])
    assert set(checks) == {"q1", "q2", "q3"}
    assert "string" in checks["q1"] and "without quotes" in checks["q1"]
    assert "not defined yet" in checks["q2"]
    assert "placeholder" in checks["q3"]
    for out in checks.values():  # feedback, never the answer
        assert "len(russia_iran.names())" not in out and ">= 2021" not in out and '"a"' not in out


@pytest.mark.slow
def test_is_stale(built, tmp_path):
    committed = tmp_path / "committed.ipynb"
    nb = json.loads(built.student_notebook.read_text(encoding="utf-8"))
    for i, cell in enumerate(nb["cells"]):  # ids are not part of the comparison
        cell["id"] = f"other-{i}"
    write_nb(committed, nb)
    assert not assignments.is_stale(FIXTURE_MASTER, committed)

    changed = tmp_path / "m" / FIXTURE_MASTER.name
    changed.parent.mkdir()
    master = json.loads(FIXTURE_MASTER.read_text(encoding="utf-8"))
    for cell in master["cells"]:
        src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if "**Question 3.**" in src:
            cell["source"] = src.replace("**Question 3.**", "**Question 3 (changed).**")
    write_nb(changed, master)
    assert assignments.is_stale(changed, committed)
    assert assignments.is_stale(FIXTURE_MASTER, tmp_path / "missing.ipynb")


@pytest.mark.slow
def test_build_all(tmp_path):
    masters = tmp_path / "masters"
    masters.mkdir()
    master = json.loads(FIXTURE_MASTER.read_text(encoding="utf-8"))
    write_nb(masters / "fixture.ipynb", master)  # name: fixture == file stem
    results = assignments.build_all(masters, tmp_path / "exercises", tmp_path / "build", run_tests=False)
    assert [r.student_notebook for r in results] == [tmp_path / "exercises" / "fixture.ipynb"]
    assert (tmp_path / "build" / "fixture-autograder.zip").is_file()
    first = (tmp_path / "exercises" / "fixture.ipynb").read_bytes()
    assignments.build_all(masters, tmp_path / "exercises", tmp_path / "build", run_tests=False)
    assert (tmp_path / "exercises" / "fixture.ipynb").read_bytes() == first  # deterministic output

    (masters / "fixture.ipynb").rename(masters / "01_other.ipynb")
    with pytest.raises(assignments.AssignError, match="use name: 01_other"):
        assignments.build_all(masters, tmp_path / "exercises", tmp_path / "build", run_tests=False)


def test_assign_reports_otter_failure(tmp_path):
    bad = tmp_path / "bad.ipynb"
    master = json.loads(FIXTURE_MASTER.read_text(encoding="utf-8"))
    master["cells"] = [c for c in master["cells"]
                       if ("".join(c["source"]) if isinstance(c["source"], list) else c["source"]) != "# END QUESTION"]
    write_nb(bad, master)
    with pytest.raises(assignments.AssignError, match="otter assign failed on bad.ipynb"):
        assignments.assign(bad, tmp_path / "out", run_tests=False)


# --------------------------------------------------------------------------- the hostile batch

ATTACK_ORIGINALS = r'''
import os, time, glob
found = []
start = time.time()
skip = {"/proc", "/sys", "/dev", "/usr", "/lib", "/lib64", "/bin", "/sbin", "/etc", "/var", "/boot", "/snap"}
for root, dirs, files in os.walk("/"):
    dirs[:] = [d for d in dirs if os.path.join(root, d) not in skip and "site-packages" not in root]
    if "MARKER_NAME" in files:
        found.append(root)
    if time.time() - start > 6:
        break
# also harvest paths from every process's command line (the grader's own included)
for cmd in glob.glob("/proc/[0-9]*/cmdline"):
    try:
        for arg in open(cmd, "rb").read().split(b"\0"):
            arg = arg.decode(errors="ignore")
            if arg.startswith("/") and os.path.isdir(arg) and os.path.exists(os.path.join(arg, "MARKER_NAME")):
                found.append(arg)
    except OSError:
        pass
damage = []
for folder in set(found):
    for victim in [os.path.join(folder, "MARKER_NAME")] + glob.glob(os.path.join(folder, "*.ipynb")):
        for attempt in (lambda p: open(p, "w").write("pwned"), os.remove):
            try:
                attempt(victim)
                damage.append(victim)
            except OSError:
                pass
    try:
        open(os.path.join(folder, "planted.ipynb"), "w").write("{}")
        damage.append("planted")
    except OSError:
        pass
print("found", found, "damage", damage)
'''.replace("MARKER_NAME", MARKER)

BACKGROUND = r'''
import os, subprocess
open("/tmp/rib-grading-leftover-317.txt", "w").write("left behind")
subprocess.Popen(["sleep", "317.25"], start_new_session=True)
if os.fork() == 0:          # a double-forked daemon as well
    os.setsid()
    if os.fork() == 0:
        os.execvp("sleep", ["sleep", "317.25"])
    os._exit(0)
'''


def make_batch(folder: Path, student: dict) -> dict[str, dict]:
    """Write the batch into folder; return {file name: expectation}."""
    good = answered(student)
    cases: dict[str, tuple[object, dict]] = {
        # name: (notebook dict, or bytes for raw files; expected row fields)
        "correct.ipynb": (good, {"status": "ok", "total": "5", "reason_has": "identical to"}),
        "unmodified.ipynb": (student, {"status": "ok", "total": "0", "q1": "0", "q2": "0", "q3": "0"}),
        "raises.ipynb": (insert_after_init(good, "1 / 0"),
                         {"status": "ok", "total": "5", "reason_has": "ZeroDivisionError"}),
        "endless_loop.ipynb": (insert_after_init(good, "while True:\n    pass"),
                               {"status": "error", "reason_has": f"timed out after {BATCH_TIMEOUT} s"}),
        "sys_exit_0.ipynb": (insert_after_init(good, "import sys\nsys.exit(0)"),
                             {"status": "ok", "total": "5", "reason_has": "SystemExit"}),
        "sys_exit_1.ipynb": (insert_after_init(good, "import sys\nsys.exit(1)"),
                             {"status": "ok", "total": "5", "reason_has": "SystemExit"}),
        "os_exit.ipynb": (insert_after_init(good, "import os\nos._exit(0)"),
                          {"status": "error", "reason_has": "kernel died"}),
        "kill_9.ipynb": (insert_after_init(good, "import os\nos.kill(os.getpid(), 9)"),
                         {"status": "error", "reason_has": "kernel died"}),
        "deletes_cwd.ipynb": (insert_after_init(
            good, "import os, shutil\nfor f in os.listdir('.'):\n"
                  "    shutil.rmtree(f) if os.path.isdir(f) else os.remove(f)"),
            {"status": "ok", "total": "5"}),  # its own working folder: the answers are exported elsewhere
        "attacks_originals.ipynb": (insert_after_init(good, ATTACK_ORIGINALS),
                                    {"status": "ok", "total": "5"}),
        "prints_megabytes.ipynb": (insert_after_init(
            good, "import os\nprint('x' * 10_000_000)\nos.write(1, b'y' * 3_000_000)"),
            {"status": "ok", "total": "5"}),
        "background_process.ipynb": (insert_after_init(good, BACKGROUND), {"status": "ok", "total": "5"}),
        "memory_hog.ipynb": (insert_after_init(good, "hog = bytearray(16 * 1024 ** 3)"),
                             {"status": "ok", "total": "5", "reason_has": "MemoryError"}),
        "wrong_types.ipynb": (answered(student, {"n_datasets": 'n_datasets = "9"', "recent": 'recent = "2021"',
                                                 "q3_answer": "q3_answer = 1"}),
                              {"status": "ok", "total": "0", "q1": "0", "q2": "0", "q3": "0"}),
        "missing_variable.ipynb": (answered(student, {"q3_answer": "# no idea"}),
                                   {"status": "ok", "total": "4", "q3": "0"}),
        "other_kernel_name.ipynb": (dict(good, metadata={**good["metadata"], "kernelspec": {
            "name": "conda-env-old-py", "display_name": "old", "language": "python"}}),
            {"status": "ok", "total": "5"}),
        "Zoë ünïcode answers.ipynb": (answered(student, {"q3_answer": 'q3_answer = " A "'}),
                                      {"status": "ok", "total": "5"}),
        "empty.ipynb": (b"", {"status": "error", "reason_has": "empty (0 bytes)"}),
        "not_json.ipynb": (b'{"cells": [ this is not json', {"status": "error", "reason_has": "not valid JSON"}),
        "json_not_notebook.ipynb": (b'{"name": "a list of things", "items": [1, 2, 3]}',
                                    {"status": "error", "reason_has": "JSON but has no 'cells'"}),
        "binary.ipynb": (bytes([0x89, 0x50, 0x4E, 0x47, 0, 0]) + random.Random(7).randbytes(6000),
                         {"status": "error", "reason_has": "binary data"}),
        "other_assignment.ipynb": (dict(good, metadata={**good["metadata"], "otter": {
            **good["metadata"]["otter"], "assignment_name": "02_rapprochement"}}),
            {"status": "error", "reason_has": "assignment '02_rapprochement', not 'fixture'"}),
        "no_otter_metadata.ipynb": (dict(good, metadata={"kernelspec": good["metadata"]["kernelspec"]}),
                                    {"status": "error", "reason_has": "no otter assignment name"}),
        "damaged_cells.ipynb": (dict(good, cells=good["cells"][:3] + ["not a cell"]),
                                {"status": "error", "reason_has": "cell 4 is not a valid cell"}),
        "oversized.ipynb": (b" " * 21_000_000 + json.dumps(good).encode(),
                            {"status": "error", "reason_has": "over the 20.0 MB limit"}),
    }
    # cells removed: q2's answer and check cells are gone
    removed = copy.deepcopy(good)
    i = answer_index(removed, "recent")
    del removed["cells"][i: i + 2]
    cases["cells_removed.ipynb"] = (removed, {"status": "ok", "total": "3", "q2": "0",
                                              "reason_has": "check cells of q2 are missing"})
    # a huge stored output (12 MB) in an otherwise correct notebook
    huge = copy.deepcopy(good)
    huge["cells"][answer_index(huge, "n_datasets")]["outputs"] = [
        {"output_type": "stream", "name": "stdout", "text": "z" * 12_000_000}]
    cases["huge_output.ipynb"] = (huge, {"status": "ok", "total": "5"})
    cases["duplicate of correct.ipynb"] = (good, {"status": "ok", "total": "5", "reason_has": "identical to correct.ipynb"})
    cases["=HYPERLINK(1) formula-like name.ipynb"] = (answered(student, {"n_datasets": "n_datasets = 3"}),
                                                      {"status": "ok", "total": "3", "q1": "0"})

    expectations = {}
    for name, (content, expect) in cases.items():
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            write_nb(path, content)
        expectations[name] = expect
    os.symlink(folder / "correct.ipynb", folder / "symlink.ipynb")
    expectations["symlink.ipynb"] = {"status": "error", "reason_has": "symbolic link"}
    (folder / "nested").mkdir()
    write_nb(folder / "nested" / "not_graded_without_recursive.ipynb", good)
    (folder / MARKER).write_text("the grading must never touch this file\n")
    for p in folder.rglob("*"):
        if not p.is_symlink():
            os.chmod(p, 0o755 if p.is_dir() else 0o644)
    return expectations


@pytest.fixture(scope="module")
def batch(built, student_nb, tmp_path_factory):
    folder = Path(tempfile.mkdtemp(prefix="rib-grading-batch-"))
    os.chmod(folder, 0o755)
    expectations = make_batch(folder, student_nb)
    before = {p.relative_to(folder).as_posix(): sha(p) for p in folder.rglob("*") if p.is_file()}
    before["symlink.ipynb"] = hashlib.sha256(b"symlink:" + os.fsencode(os.readlink(folder / "symlink.ipynb"))).hexdigest()
    out = tmp_path_factory.mktemp("gradebook") / "gradebook.csv"
    args = [str(folder), "--assignment", "fixture", "--autograder", str(built.autograder_zip),
            "--master", str(FIXTURE_MASTER), "--out", str(out), "--timeout", str(BATCH_TIMEOUT),
            "--jobs", "2", "--max-size-mb", "20"]
    start = time.monotonic()
    status = grading.main(args)
    seconds = time.monotonic() - start
    yield {"folder": folder, "expect": expectations, "before": before, "out": out, "args": args,
           "status": status, "seconds": seconds}
    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.slow
def test_batch_runs_to_the_end(batch):
    assert batch["status"] == 0
    rows = read_rows(batch["out"])
    assert sorted(r["file"] for r in rows) == sorted(batch["expect"])  # one row each, nested/ not included
    assert len({r["file"] for r in rows}) == len(rows)
    header = next(csv.reader(io.StringIO(batch["out"].read_text(encoding="utf-8"))))
    assert header == ["file", "sha256", "status", "reason", "q1", "q2", "q3", "total", "possible",
                      "q4_manual", "graded_at", "seconds"]
    assert "\n'=HYPERLINK(1) formula-like name.ipynb," in batch["out"].read_text(encoding="utf-8")
    assert batch["out"].stat().st_mode & 0o077 == 0  # a new gradebook is private
    print(f"\nbatch of {len(rows)} submissions graded in {batch['seconds']:.0f} s")
    if os.environ.get("RIB_KEEP_GRADEBOOK"):
        shutil.copy(batch["out"], os.environ["RIB_KEEP_GRADEBOOK"])


@pytest.mark.slow
@pytest.mark.parametrize("name", [
    "correct.ipynb", "unmodified.ipynb", "raises.ipynb", "endless_loop.ipynb", "sys_exit_0.ipynb",
    "sys_exit_1.ipynb", "os_exit.ipynb", "kill_9.ipynb", "deletes_cwd.ipynb", "attacks_originals.ipynb",
    "prints_megabytes.ipynb", "background_process.ipynb", "memory_hog.ipynb", "wrong_types.ipynb",
    "missing_variable.ipynb", "other_kernel_name.ipynb", "Zoë ünïcode answers.ipynb", "empty.ipynb",
    "not_json.ipynb", "json_not_notebook.ipynb", "binary.ipynb", "other_assignment.ipynb",
    "no_otter_metadata.ipynb", "damaged_cells.ipynb", "oversized.ipynb", "cells_removed.ipynb",
    "huge_output.ipynb", "duplicate of correct.ipynb", "=HYPERLINK(1) formula-like name.ipynb", "symlink.ipynb"])
def test_batch_row(batch, name):
    rows = {r["file"]: r for r in read_rows(batch["out"])}
    row, expect = rows[name], batch["expect"][name]
    assert row["sha256"] == batch["before"][name]
    assert row["status"] == expect["status"], row
    assert row["possible"] == "5"
    assert row["q4_manual"] == ""
    if "reason_has" in expect:
        assert expect["reason_has"] in row["reason"], row
    for key in ("total", "q1", "q2", "q3"):
        if key in expect:
            assert row[key] == expect[key], row
    if expect["status"] == "ok" and expect.get("total") == "5":
        assert (row["q1"], row["q2"], row["q3"]) == ("2", "2", "1")
    if expect["status"] == "error":
        assert row["total"] == "" and row["q1"] == ""
    assert "Traceback" not in row["reason"]


@pytest.mark.slow
def test_batch_leaves_every_file_untouched(batch):
    folder = batch["folder"]
    after = {p.relative_to(folder).as_posix(): sha(p) for p in folder.rglob("*") if p.is_file()}
    after["symlink.ipynb"] = hashlib.sha256(b"symlink:" + os.fsencode(os.readlink(folder / "symlink.ipynb"))).hexdigest()
    assert after == batch["before"]  # nothing changed, deleted or planted (the marker included)
    assert not (folder / "planted.ipynb").exists()


@pytest.mark.slow
def test_batch_leaves_no_process_behind(batch):
    assert processes_with("sleep 317.25") == []
    assert not Path("/tmp/rib-grading-leftover-317.txt").exists()  # the sandbox's /tmp ends with it


@pytest.mark.slow
def test_rerun_skips_and_changed_file_is_regraded(batch, student_nb, capsys):
    out, folder = batch["out"], batch["folder"]
    first = out.read_text(encoding="utf-8")
    assert grading.main(batch["args"]) == 0
    assert "0 to grade" in capsys.readouterr().out
    assert out.read_text(encoding="utf-8") == first  # nothing regraded, nothing duplicated

    # the instructor types a manual mark, then the student's file changes
    rows = read_rows(out)
    for r in rows:
        if r["file"] == "wrong_types.ipynb":
            r["q4_manual"] = "1.5"
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    victim = folder / "wrong_types.ipynb"
    write_nb(victim, answered(student_nb))
    assert grading.main(batch["args"]) == 0
    assert "1 to grade" in capsys.readouterr().out
    new_rows = read_rows(out)
    assert [r["file"] for r in new_rows] == [r["file"] for r in rows]  # replaced in place
    row = {r["file"]: r for r in new_rows}["wrong_types.ipynb"]
    assert (row["status"], row["total"], row["sha256"]) == ("ok", "5", sha(victim))
    assert row["q4_manual"] == "1.5" and "file changed since these were entered" in row["reason"]
    others = {r["file"]: r for r in new_rows if r["file"] != "wrong_types.ipynb"}
    assert others == {r["file"]: r for r in rows if r["file"] != "wrong_types.ipynb"}
    batch["before"]["wrong_types.ipynb"] = sha(victim)


# --------------------------------------------------------------------------- error paths (fast)


def run_cli(args, cwd=None, timeout=120):
    return subprocess.run([sys.executable, "-m", "russia_iran.grading", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def zip_path(built):
    return built.autograder_zip


@pytest.mark.parametrize("content, words", [
    (",".join(HEAD_COLUMNS + ["q1", "q2", "q3", "total", "possible", "q4_manual"] + TAIL_COLUMNS)
     + '\nx.ipynb,"unterminated', "not valid CSV"),
    ("file,sha256,status,reason,q1,q2,q3,total,possible,q4_manual,graded_at,seconds\nx.ipynb,abc,ok\n",
     "fields instead of 12"),
    ("name,score\nalice,3\n", "missing: file"),
    (b"\xff\xfe\x00garbage", "not UTF-8"),
])
def test_malformed_gradebook_is_left_alone(tmp_path, zip_path, capsys, content, words):
    (tmp_path / "subs").mkdir()
    (tmp_path / "subs" / "empty.ipynb").write_bytes(b"")
    book = tmp_path / "book.csv"
    book.write_bytes(content if isinstance(content, bytes) else content.encode())
    before = book.read_bytes()
    status = grading.main([str(tmp_path / "subs"), "--assignment", "fixture", "--autograder", str(zip_path),
                           "--master", str(FIXTURE_MASTER), "--out", str(book)])
    err = capsys.readouterr().err
    assert status == 1
    assert "malformed" in err and words in err and "Traceback" not in err
    assert book.read_bytes() == before


def test_setup_errors_are_plain_messages(tmp_path, zip_path, capsys):
    cases = [
        ([tmp_path / "nowhere", "--assignment", "fixture", "--autograder", zip_path], "submissions folder not found"),
        ([tmp_path, "--assignment", "fixture", "--autograder", tmp_path / "no.zip"], "autograder zip not found"),
        ([tmp_path, "--assignment", "fixture", "--autograder", FIXTURE_MASTER], "not a readable otter autograder zip"),
        ([tmp_path, "--assignment", "fixture", "--autograder", zip_path, "--master", tmp_path / "x.ipynb"],
         "master notebook not found"),
        ([tmp_path, "--assignment", "fixture", "--autograder", zip_path, "--out", tmp_path],
         "exists but is not a file"),
    ]
    for args, words in cases:
        assert grading.main([str(a) for a in args]) == 1
        err = capsys.readouterr().err
        assert words in err and "Traceback" not in err
    # the same through the real command line
    proc = run_cli([tmp_path / "nowhere", "--assignment", "fixture", "--autograder", zip_path])
    assert proc.returncode == 1 and "submissions folder not found" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    proc = run_cli([tmp_path, "--assignment", "fixture", "--timeout", "-3"])
    assert proc.returncode == 2 and "--timeout must be positive" in proc.stderr


def test_without_bubblewrap_the_grader_says_so_before_grading(world_readable_dir, student_nb, zip_path, tmp_path):
    write_nb(world_readable_dir / "a.ipynb", student_nb)
    out = tmp_path / "g.csv"
    no_bwrap = {"PATH": str(tmp_path), "LANG": "C.UTF-8"}  # python by its full path; no bwrap to find
    proc = subprocess.run([sys.executable, "-m", "russia_iran.grading", str(world_readable_dir), "--assignment",
                           "fixture", "--autograder", str(zip_path), "--master", str(FIXTURE_MASTER), "--out", str(out)],
                          capture_output=True, text=True, timeout=120, env=no_bwrap, cwd=tmp_path)
    assert proc.returncode == 1
    assert "bubblewrap" in proc.stderr and "--no-sandbox" in proc.stderr and "Traceback" not in proc.stderr
    assert not out.exists() or read_rows(out) == []  # nothing was graded


def test_precheck_only_batch_runs_no_kernel(world_readable_dir, zip_path, tmp_path):
    (world_readable_dir / "a.ipynb").write_bytes(b"")
    (world_readable_dir / "b.ipynb").write_text("[1, 2]")
    out = tmp_path / "g.csv"
    assert grading.main([str(world_readable_dir), "--assignment", "fixture", "--autograder", str(zip_path),
                         "--master", str(FIXTURE_MASTER), "--out", str(out)]) == 0
    rows = read_rows(out)
    assert [(r["file"], r["status"]) for r in rows] == [("a.ipynb", "error"), ("b.ipynb", "error")]


@pytest.mark.slow
def test_ctrl_c_leaves_a_valid_gradebook(world_readable_dir, built, student_nb, tmp_path):
    (world_readable_dir / "a_empty.ipynb").write_bytes(b"")
    write_nb(world_readable_dir / "b_loop.ipynb", insert_after_init(answered(student_nb), "while True:\n    pass"))
    out = tmp_path / "g.csv"
    proc = subprocess.Popen([sys.executable, "-m", "russia_iran.grading", str(world_readable_dir),
                             "--assignment", "fixture", "--autograder", str(built.autograder_zip),
                             "--master", str(FIXTURE_MASTER), "--out", str(out), "--timeout", "120"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (out.exists() and "a_empty" in out.read_text()):
        time.sleep(0.2)
    time.sleep(6)  # the probe, then the endless loop is running
    proc.send_signal(signal.SIGINT)
    output, _ = proc.communicate(timeout=60)
    assert proc.returncode == 130, output
    assert "Traceback" not in output and "interrupted" in output
    rows = read_rows(out)
    assert [r["file"] for r in rows] == ["a_empty.ipynb"]
    assert not out.with_name(out.name + ".lock").exists()
    time.sleep(0.5)
    assert processes_with("russia_iran.grading.stage_one") == []  # the sandbox ended with its processes


def test_a_roster_gives_course_site_exports(world_readable_dir, zip_path, tmp_path, capsys):
    (world_readable_dir / "s101_essay.ipynb").write_bytes(b"")
    (world_readable_dir / "unknown.ipynb").write_text("[1, 2]")
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,name,email\ns101,One,one@x.example\ns102,Two,two@x.example\n", encoding="utf-8")
    out = tmp_path / "g.csv"
    assert grading.main([str(world_readable_dir), "--assignment", "fixture", "--autograder", str(zip_path),
                         "--master", str(FIXTURE_MASTER), "--out", str(out), "--roster", str(roster),
                         "--title", "Assignment 1"]) == 0
    said = capsys.readouterr().out
    assert "files matching no student (1): unknown.ipynb" in said and "students with no submission (1): s102" in said
    assert (tmp_path / "g-canvas.csv").exists() and (tmp_path / "g-moodle.csv").exists()
    bad = tmp_path / "bad.csv"
    bad.write_text("who\nx\n", encoding="utf-8")
    assert grading.main([str(world_readable_dir), "--assignment", "fixture", "--autograder", str(zip_path),
                         "--master", str(FIXTURE_MASTER), "--out", str(out), "--roster", str(bad)]) == 1
    assert "student_id" in capsys.readouterr().err
