"""Hostile submissions, written as a determined student would, against the two-stage grader.

One batch per mode: as root (when the tests run as root) and as an ordinary user (an
unprivileged user id when the tests run as root, else the tester). Every attack sits in a
notebook whose honest answers earn nothing, or only question 1 (2 points), and must earn
exactly that. Each attack prints what it managed (``RIB-ATTACK name [...]``) into its
executed notebook, which the grader keeps beside the gradebook; the tests read it there.
Network probes go to a server this test starts on 127.0.0.1; nothing leaves the machine.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from russia_iran.grading.gradebook import unescape_cell
from russia_iran.paths import ROOT

from conftest import FIXTURE_MASTER, as_ordinary_user, processes_with

ORDINARY_UID = 61234
SHM_KEY = 0x52494221  # "RIB!"
MODES = ["root", "ordinary user"] if os.geteuid() == 0 else ["ordinary user"]

REPORT = '''
def rib_report(name, found):
    print("RIB-ATTACK", name, json.dumps(sorted(set(map(str, found)))))
import json
'''

PATCH_TEST_RUNNER = REPORT + '''
import otter.test_files.abstract_test as abstract, otter.test_files.exception_test as exception
abstract.TestFile.score = property(lambda self: self.possible)
abstract.TestFile.passed_all = property(lambda self: True)
exception.ExceptionTestFile.run = lambda self, env: setattr(self, "test_case_results", [
    abstract.TestCaseResult(test_case=tc, message="passed", passed=True) for tc in self.test_cases])
import russia_iran.answer_keys as keys
keys.check_answer = lambda *args, **kwargs: None
rib_report("patch_test_runner", ["patched"])
'''

OVERWRITE_TESTS = REPORT + '''
import os
ALWAYS = "from otter.test_files import test_case\\nOK_FORMAT = False\\nname = '{q}'\\npoints = 100\\n" \\
         "@test_case(points=100)\\ndef test_anything():\\n    pass\\n"
written = []
skip = ("/proc", "/sys", "/dev", "/usr")
for root, dirs, files in os.walk("/"):
    dirs[:] = [d for d in dirs if not os.path.join(root, d).startswith(skip)]
    if os.path.basename(root) == "tests" or "q1.py" in files:
        for q in ("q1", "q2", "q3"):
            try:
                with open(os.path.join(root, q + ".py"), "w") as f:
                    f.write(ALWAYS.format(q=q))
                written.append(root)
            except OSError:
                pass
os.makedirs("tests", exist_ok=True)
for q in ("q1", "q2", "q3"):
    open(f"tests/{q}.py", "w").write(ALWAYS.format(q=q))
rib_report("overwrite_tests", written)
'''

FORGED_SCORES = '{"questions": {"q1": {"score": 2, "possible": 2}, "q2": {"score": 2, "possible": 2}, ' \
                '"q3": {"score": 1, "possible": 1}}}'

FORGE_RESULTS = REPORT + '''
import os, glob
FORGED = 'FORGED_SCORES'
places = []
for folder in {".", "..", "../out", "/tmp"} | set(glob.glob("/tmp/*")) | set(glob.glob("/job*")):
    for name in ("summary.json", "results.json", "run.json", "scores.json", "grading_results.json"):
        try:
            with open(os.path.join(folder, name), "w") as f:
                f.write(FORGED if name != "run.json" else '{"status": "ok", "cell_errors": []}')
            places.append(os.path.join(folder, name))
        except OSError:
            pass
print(FORGED)  # a line that looks like stage two's result
rib_report("forge_results", [])
'''.replace("FORGED_SCORES", FORGED_SCORES)

FORGE_AND_DIE = FORGE_RESULTS + '''
os._exit(0)  # the kernel dies after forging: an error row, never the forged score
'''

FORGE_EXPORT = REPORT + '''
import json as _json
import russia_iran.grading.answers as answers_module
hostile = {"n_datasets": {"kind": "chart", "class": "__import__", "spec": {"x": 1}},
           "recent": {"kind": "table", "table": "{\\"schema\\": 1, \\"data\\": 5}"},
           "q3_answer": {"kind": "dict", "items": [[{"kind": "list", "items": []}, {"kind": "none"}]]},
           "extra": {"kind": "other", "type": "int"}}
answers_module.export = lambda names, path, namespace: open(path, "w").write(_json.dumps(hostile))
rib_report("forge_export", [])
'''

UNREADABLE_EXPORT = REPORT + '''
import russia_iran.grading.answers as answers_module
answers_module.export = lambda names, path, namespace: open(path, "w").write("[" * 200000 + "]" * 200000)
rib_report("unreadable_export", [])
'''

STRIP_ASSERTS = REPORT + '''
import ast, builtins
_compile = builtins.compile
class NoAsserts(ast.NodeTransformer):
    def visit_Assert(self, node):
        return ast.Pass()
def compile_without_asserts(source, filename, mode, *args, **kwargs):
    if isinstance(source, (str, bytes)):
        try:
            tree = _compile(source, filename, mode, ast.PyCF_ONLY_AST)
            source = ast.fix_missing_locations(NoAsserts().visit(tree))
        except SyntaxError:
            pass
    return _compile(source, filename, mode, *args, **kwargs)
builtins.compile = compile_without_asserts
import sys
sys.flags.__class__  # the tests' interpreter is another process: nothing here reaches it
rib_report("strip_asserts", ["compile replaced"])
'''

REPLACE_BUILTINS = REPORT + '''
import builtins
builtins.abs = lambda x: 0
builtins.round = lambda x, *a: x
builtins.sum = lambda *a, **k: 0
rib_report("replace_builtins", ["abs", "round", "sum"])
'''

READ_SECRETS = REPORT + '''
import os, glob
targets = ["ROOT/exercises/masters", "ROOT/tests", "ROOT/_build/autograder", "ROOT/.git/config", "ROOT/README.md",
           "SUBMISSIONS", "GRADEBOOK", "/etc/shadow"]
read = []
for target in targets:
    paths = glob.glob(os.path.join(target, "**"), recursive=True) if os.path.isdir(target) else [target]
    for path in paths:
        try:
            if os.path.isfile(path):
                open(path, "rb").read(64)
                read.append(path)
            elif os.path.isdir(path) and path.rstrip("/") == target.rstrip("/"):
                if os.listdir(path):
                    read.append(path)
        except OSError:
            pass
for root, dirs, files in os.walk("/"):
    dirs[:] = [d for d in dirs if not os.path.join(root, d).startswith(("/proc", "/sys", "/dev", "/usr"))]
    for name in files:
        if name.endswith("autograder.zip") or name == "q1.py" or name.endswith(".csv.lock"):
            try:
                open(os.path.join(root, name), "rb").read(64)
                read.append(os.path.join(root, name))
            except OSError:
                pass
rib_report("read_secrets", read)
'''

WRITE_OUTSIDE = REPORT + '''
import os, glob, site
targets = ["ROOT/russia_iran/grading/__init__.py", "ROOT/russia_iran/answer_keys.py", "ROOT/README.md",
           "ROOT/planted.txt", "SUBMISSIONS/planted.ipynb", "GRADEBOOK", "LOGS/planted.log"]
targets += [os.path.join(p, "otter", "__init__.py") for p in site.getsitepackages()]
written = []
for target in targets:
    try:
        with open(target, "a") as f:
            f.write("\\n# planted by a submission\\n")
        written.append(target)
    except OSError:
        pass
rib_report("write_outside", written)
'''

NETWORK = REPORT + '''
import socket
reached = []
for host in ("127.0.0.1", "HOST_ADDRESS"):
    try:
        socket.create_connection((host, PORT), timeout=3).sendall(b"escaped")
        reached.append(host)
    except OSError:
        pass
try:
    socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"escaped", ("HOST_ADDRESS", PORT))
except OSError:
    pass
rib_report("network", reached)
'''

IPC_LEFTOVERS = REPORT + '''
import ctypes, os
made = []
for path in ("/tmp/rib-attack-tmp", "/var/tmp/rib-attack-vartmp", "/dev/shm/rib-attack-devshm",
             "/run/lock/rib-attack-lock"):
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        open(path, "w").write("left behind")
        made.append(path)
    except OSError:
        pass
libc = ctypes.CDLL(None, use_errno=True)
shm_id = libc.shmget(SHM_KEY, 1 << 20, 0o1000 | 0o666)  # IPC_CREAT
if shm_id >= 0:
    made.append("sysv shm")
from multiprocessing import shared_memory, resource_tracker
block = shared_memory.SharedMemory(name="rib-attack-posix", create=True, size=1 << 20)
resource_tracker.unregister(block._name, "shared_memory")
made.append("posix shm")
rib_report("ipc_leftovers", made)
'''.replace("SHM_KEY", str(SHM_KEY))

LATE_FORKS = REPORT + '''
import os, subprocess
subprocess.Popen(["sleep", "317.25"], start_new_session=True)
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execvp("sh", ["sh", "-c", "sleep 317.25; echo late > /tmp/rib-attack-late"])
    os._exit(0)
rib_report("late_forks", ["forked"])
'''

ANSWER_Q1 = "n_datasets = len(russia_iran.names())\nn_datasets"


def code_cell(source: str) -> dict:
    return {"cell_type": "code", "execution_count": None, "id": f"rib{abs(hash(source)) % 10**10}",
            "metadata": {}, "outputs": [], "source": source}


def notebook(student: dict, *cells: str, answer_q1: bool = False) -> dict:
    nb = json.loads(json.dumps(student))
    if answer_q1:
        for cell in nb["cells"]:
            src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            if cell["cell_type"] == "code" and src.startswith("n_datasets = "):
                cell["source"] = ANSWER_Q1
    for i, source in enumerate(cells):
        nb["cells"].insert(1 + i, code_cell(source))
    return nb


class Listener:
    """A TCP and UDP server on 127.0.0.1 (and the host's own address) counting what reaches it."""

    def __init__(self):
        self.host = host_address()
        self.tcp = socket.create_server(("0.0.0.0", 0))
        self.port = self.tcp.getsockname()[1]
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("0.0.0.0", self.port))
        self.udp.settimeout(0.2)
        self.tcp.settimeout(0.2)
        self.hits: list[str] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while not self.stop.is_set():
            try:
                conn, peer = self.tcp.accept()
                self.hits.append(f"tcp {peer}")
                conn.close()
            except OSError:
                pass
            try:
                _, peer = self.udp.recvfrom(100)
                self.hits.append(f"udp {peer}")
            except OSError:
                pass

    def close(self):
        self.stop.set()
        self.thread.join(5)
        self.tcp.close()
        self.udp.close()


def host_address() -> str:
    """This machine's own non-loopback address, if it has one (else loopback again)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 9))  # no packet is sent: this only picks a route
            return s.getsockname()[0]
        except OSError:
            return "127.0.0.1"


def tree_state(root: Path) -> dict[str, tuple]:
    """Every file of the project (environment included, build output excluded) by size and time."""
    state = {}
    for dirpath, dirnames, filenames in os.walk(root):
        rel = Path(dirpath).relative_to(root)
        if rel.parts[:1] in (("_build",), (".git",)) or "__pycache__" in rel.parts:
            dirnames[:] = []
            continue
        for name in filenames:
            try:
                st = os.stat(os.path.join(dirpath, name), follow_symlinks=False)
            except OSError:
                continue
            state[str(rel / name)] = (st.st_size, st.st_mtime_ns)
    return state


def leftovers() -> list[str]:
    found = [str(p) for folder in ("/tmp", "/var/tmp", "/dev/shm", "/run/lock")
             for p in Path(folder).glob("rib-attack-*")]
    try:
        keys = [line.split()[0] for line in Path("/proc/sysvipc/shm").read_text().splitlines()[1:]]
        found += ["sysv shm"] if str(SHM_KEY) in keys else []
    except OSError:
        pass
    return found + [f"process: {cmd}" for cmd in processes_with("317.25")]


def attack_reports(logs: Path, file: str) -> dict[str, list]:
    executed = logs / f"{file}.executed.ipynb"
    text = "".join("".join(o.get("text", "")) for c in json.loads(executed.read_text())["cells"]
                   for o in c.get("outputs", []) if isinstance(o, dict))
    return {m.group(1): json.loads(m.group(2)) for m in re.finditer(r"RIB-ATTACK (\w+) (\[.*\])", text)}


@pytest.fixture(scope="module", params=MODES)
def attacked(request, built):
    mode = request.param
    student = json.loads(built.student_notebook.read_text(encoding="utf-8"))
    work = Path(tempfile.mkdtemp(prefix="rib-grading-attacks-"))
    os.chmod(work, 0o755)
    folder, out, logs = work / "submissions", work / "gradebook" / "gradebook.csv", work / "gradebook" / "logs"
    folder.mkdir()
    out.parent.mkdir()
    listener = Listener()
    fill = {"ROOT": str(ROOT), "SUBMISSIONS": str(folder), "GRADEBOOK": str(out), "LOGS": str(logs),
            "HOST_ADDRESS": listener.host, "PORT": str(listener.port)}

    def filled(source: str) -> str:
        return re.sub("|".join(fill), lambda m: fill[m.group(0)], source)

    cases = {  # file: (cells, answer q1?, expected total; None means an error row)
        "empty.ipynb": ((), False, "0"),
        "correct_q1.ipynb": ((), True, "2"),
        "patch_test_runner.ipynb": ((PATCH_TEST_RUNNER,), False, "0"),
        "patch_test_runner_q1.ipynb": ((PATCH_TEST_RUNNER, STRIP_ASSERTS), True, "2"),
        "overwrite_tests.ipynb": ((OVERWRITE_TESTS,), False, "0"),
        "forge_results.ipynb": ((FORGE_RESULTS,), False, "0"),
        "forge_and_die.ipynb": ((FORGE_AND_DIE,), False, None),
        "forge_export.ipynb": ((FORGE_EXPORT,), False, "0"),
        "unreadable_export.ipynb": ((UNREADABLE_EXPORT,), False, None),
        "strip_asserts.ipynb": ((STRIP_ASSERTS,), False, "0"),
        "replace_builtins.ipynb": ((REPLACE_BUILTINS,), False, "0"),
        "read_secrets.ipynb": ((READ_SECRETS,), False, "0"),
        "write_outside.ipynb": ((WRITE_OUTSIDE,), False, "0"),
        "network.ipynb": ((NETWORK,), False, "0"),
        "ipc_leftovers.ipynb": ((IPC_LEFTOVERS,), False, "0"),
        "late_forks.ipynb": ((LATE_FORKS,), False, "0"),
    }
    for name, (cells, answer_q1, _) in cases.items():
        (folder / name).write_text(json.dumps(notebook(student, *map(filled, cells), answer_q1=answer_q1)))
    autograder = shutil.copy(built.autograder_zip, work)  # where an ordinary user can read it
    before = tree_state(ROOT)
    args = [sys.executable, "-m", "russia_iran.grading", str(folder), "--assignment", "fixture",
            "--autograder", str(autograder), "--master", str(FIXTURE_MASTER), "--out", str(out),
            "--logs", str(logs), "--timeout", "90", "--jobs", "2"]
    if mode == "ordinary user" and os.geteuid() == 0:
        for path in [work, *work.rglob("*")]:
            os.chown(path, ORDINARY_UID, ORDINARY_UID)
        args = as_ordinary_user(args, ORDINARY_UID, work)
    late = folder / "late.ipynb"

    def drop_a_late_file():  # a file arriving while the batch runs
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and not (out.exists() and out.read_text().count("\n") > 1):
            time.sleep(0.2)
        late.write_text(json.dumps(student))

    dropper = threading.Thread(target=drop_a_late_file, daemon=True)
    dropper.start()
    done = subprocess.run(args, capture_output=True, text=True, timeout=900, cwd=work)
    assert out.exists(), done.stdout + done.stderr
    dropper.join(10)
    time.sleep(1)
    listener.close()
    with open(out, newline="", encoding="utf-8") as f:
        rows = {unescape_cell(r["file"]): r for r in csv.DictReader(f)}
    yield {"mode": mode, "done": done, "rows": rows, "cases": cases, "logs": logs, "hits": listener.hits,
           "before": before, "after": tree_state(ROOT), "leftovers": leftovers(), "folder": folder}
    shutil.rmtree(work, ignore_errors=True)


@pytest.mark.slow
def test_the_batch_runs_in_the_sandbox(attacked):
    done = attacked["done"]
    assert done.returncode == 0, done.stdout + done.stderr
    assert "bubblewrap sandbox" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


@pytest.mark.slow
def test_each_attack_earns_only_what_its_honest_answers_earn(attacked):
    for name, (_, _, expected) in attacked["cases"].items():
        row = attacked["rows"][name]
        if expected is None:
            assert row["status"] == "error" and row["total"] == "", (name, row)
        else:
            assert (row["status"], row["total"]) == ("ok", expected), (attacked["mode"], name, row)


@pytest.mark.slow
def test_a_forged_result_is_an_error_never_a_score(attacked):
    row = attacked["rows"]["forge_and_die.ipynb"]
    assert "kernel died" in row["reason"] and row["q1"] == "" and row["total"] == ""


@pytest.mark.slow
@pytest.mark.parametrize("attack", ["read_secrets", "write_outside", "network", "overwrite_tests"])
def test_nothing_outside_the_sandbox_is_reached(attacked, attack):
    reports = attack_reports(attacked["logs"], f"{attack}.ipynb")
    assert attack in reports, "the attack did not run to its report"
    assert reports[attack] == [], f"{attacked['mode']}: {attack} reached {reports[attack]}"


@pytest.mark.slow
def test_the_network_attack_reached_no_server(attacked):
    assert attacked["hits"] == []


@pytest.mark.slow
def test_nothing_written_remains_and_the_project_is_unchanged(attacked):
    assert attacked["leftovers"] == []
    changed = {k for k in attacked["before"].keys() | attacked["after"].keys()
               if attacked["before"].get(k) != attacked["after"].get(k)}
    assert changed == set()
    assert not (attacked["folder"] / "planted.ipynb").exists()


@pytest.mark.slow
def test_a_file_arriving_during_the_run_is_reported_not_graded(attacked):
    assert "late.ipynb" not in attacked["rows"]
    assert "appeared" in attacked["done"].stdout and "late.ipynb" in attacked["done"].stdout


@pytest.mark.slow
def test_logs_keep_each_executed_notebook(attacked):
    for name in attacked["cases"]:
        assert (attacked["logs"] / f"{name}.log").is_file()
    executed = json.loads((attacked["logs"] / "empty.ipynb.executed.ipynb").read_text())
    assert any(c.get("outputs") for c in executed["cells"] if c["cell_type"] == "code")


@pytest.mark.slow
def test_without_the_sandbox_the_two_stages_still_decide_the_grade(built, tmp_path):
    """--no-sandbox (where bubblewrap cannot run): what a notebook patches in its own kernel
    still cannot reach the tests, which run in stage two. (A notebook that rewrites the test
    files on disk could: the grader says so, and the sandbox is what stops it.)"""
    student = json.loads(built.student_notebook.read_text(encoding="utf-8"))
    folder = tmp_path / "submissions"
    folder.mkdir()
    cases = {"correct_q1.ipynb": ((), "2"), "patch_test_runner.ipynb": ((PATCH_TEST_RUNNER,), "0"),
             "strip_asserts.ipynb": ((STRIP_ASSERTS,), "0")}
    for name, (cells, _) in cases.items():
        (folder / name).write_text(json.dumps(notebook(student, *cells, answer_q1=name == "correct_q1.ipynb")))
    out = tmp_path / "gradebook.csv"
    done = subprocess.run([sys.executable, "-m", "russia_iran.grading", str(folder), "--assignment", "fixture",
                           "--autograder", str(built.autograder_zip), "--master", str(FIXTURE_MASTER),
                           "--out", str(out), "--no-sandbox", "--timeout", "90"],
                          capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "WITHOUT a sandbox" in done.stdout and "only submissions you trust" in done.stdout
    with open(out, newline="", encoding="utf-8") as f:
        rows = {r["file"]: r for r in csv.DictReader(f)}
    assert {name: rows[name]["total"] for name in cases} == {name: total for name, (_, total) in cases.items()}
