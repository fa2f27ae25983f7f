"""Grade a folder of submitted notebooks with otter-grader, without Docker.

    python -m russia_iran.grading SUBMISSIONS_DIR --assignment NAME
        [--autograder ZIP] [--master NOTEBOOK] [--out GRADEBOOK.csv]
        [--timeout SECONDS] [--jobs 2] [--recursive] [--retry-errors]
        [--roster CLASS.csv [--match REGEX] [--title "Assignment 1"]]

Every ``*.ipynb`` in SUBMISSIONS_DIR gets one row in a CSV gradebook: file, sha256,
status (ok / error), a reason in plain words, the points of each automatically graded
question, the total and possible automatic points, an empty column for each question
graded by hand (``<q>_manual``), when it was graded and how long it took.

How one submission is graded
  * The parent process checks the file first (empty, too big, binary, not JSON, JSON
    but not a notebook, a notebook of another assignment): these get their row
    without running anything.
  * Otherwise it writes a *copy* into a fresh private folder and starts a child
    process (this file run as a script, ``python -I grading.py --_child FOLDER``) in
    a new session. The child gets no path to the submissions folder: only its copy
    and its own copy of the autograder zip.
  * Run as root, the child first enters its own mount namespace (the submissions
    folder is covered by an empty read-only tmpfs; private folders on the way to the
    Python environment, e.g. an interpreter under /root, are opened up just enough)
    and its own network namespace (loopback only: no network, no access to another
    job's kernel), sets resource limits (address space, file size, processes, one
    CPU), then drops to an unprivileged user id of its own (one per parallel slot)
    with no_new_privs. What that user leaves in /tmp, /var/tmp or /dev/shm is removed.
    Run as an ordinary user, the child keeps your user id (the same trust as
    ``otter run``): only the limits, the private copy and the checks below apply.
  * The child runs otter's own grader (``otter.run``, which executes the notebook in
    a Jupyter kernel and runs every test, hidden ones included) and writes a small
    JSON summary. It is a child subreaper and kills whatever the notebook left running.
  * The parent enforces the time limit (stopping and killing the whole process tree,
    and in root mode every process of the slot's user id), keeps at most 256 kB of the
    child's output for the log, and never unpickles anything the child wrote.
  * After each job the parent checks (size, time, then sha256) that no original
    submission changed; if one did, it restores the original bytes and warns loudly.

Rows are written as each submission finishes (the whole CSV is rewritten to a
temporary file and renamed, so it is always valid, even after Ctrl-C). Running the
command again skips every file whose name and sha256 are already in the gradebook; a
changed file is regraded and its row replaced (marks typed in the manual columns are
kept, with a warning in the reason).
"""

from __future__ import annotations

import argparse
import csv
import ctypes
import hashlib
import io
import json
import os
import re
import resource
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from queue import Queue

# Not imported from .paths: each grading child runs this file on its own
# (python -I grading.py), where the package's relative imports do not work.
ROOT = Path(__file__).resolve().parent.parent
MASTERS_DIR = ROOT / "exercises" / "masters"
AUTOGRADER_DIR = ROOT / "_build" / "autograder"

DEFAULT_TIMEOUT = 300.0
DEFAULT_JOBS = 2
DEFAULT_MAX_SIZE_MB = 50
DEFAULT_MEMORY_MB = 4096
FILE_SIZE_LIMIT = 256 * 1024 * 1024      # largest file a submission may write
PROCESS_LIMIT = 512                       # processes + threads of one grading user
OUTPUT_HEAD = 200 * 1024                  # kept from the start of a child's output
OUTPUT_TAIL = 56 * 1024                   # kept from its end
SUMMARY_LIMIT = 4 * 1024 * 1024
UID_BASE = 61000                          # grading user ids when run as root: 61000, 61001, ...
NOGROUP = 65534

STATUS_OK, STATUS_ERROR = "ok", "error"
HEAD_COLUMNS = ["file", "sha256", "status", "reason"]
TAIL_COLUMNS = ["graded_at", "seconds"]


class GradingSetupError(Exception):
    """Something outside the submissions is wrong (paths, autograder, gradebook): stop with a message."""


# =========================================================================== child side
# This part runs in the child process, started as `python -I grading.py --_child JOBDIR`.
# It must only need the standard library until it has dropped its privileges.

CLONE_NEWNS = 0x00020000
CLONE_NEWNET = 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_BIND, MS_REC, MS_PRIVATE = 1, 2, 4, 4096, 16384, 1 << 18
MNT_DETACH = 2
PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
PR_SET_NO_NEW_PRIVS = 38


def _proc_table() -> dict[int, tuple[int, int | None]]:
    """pid -> (parent pid, real uid) of every process we can see."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                data = f.read()
            ppid = int(data[data.rindex(b")") + 2:].split()[1])
            uid = None
            with open(f"/proc/{entry}/status", "rb") as f:
                for line in f:
                    if line.startswith(b"Uid:"):
                        uid = int(line.split()[1])
                        break
            table[int(entry)] = (ppid, uid)
        except (OSError, ValueError, IndexError):
            continue
    return table


def _descendants(root_pid: int, table: dict | None = None) -> set[int]:
    table = _proc_table() if table is None else table
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    found, todo = set(), [root_pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _signal_all(pids: set[int], sig: int) -> None:
    for pid in pids:
        try:
            os.kill(pid, sig)
        except OSError:
            pass


def _kill_my_descendants() -> None:
    """Kill every process below this one (orphans come back to us: we are a subreaper)."""
    me = os.getpid()
    for _ in range(20):
        pids = _descendants(me)
        if not pids:
            break
        _signal_all(pids, signal.SIGSTOP)
        _signal_all(pids, signal.SIGKILL)
        deadline = time.monotonic() + 1
        while time.monotonic() < deadline:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                time.sleep(0.02)
    while True:
        try:
            if os.waitpid(-1, os.WNOHANG)[0] == 0:
                break
        except ChildProcessError:
            break


def _loopback_up() -> None:
    import fcntl
    import socket
    import struct

    siocgifflags, siocsifflags, iff_up = 0x8913, 0x8914, 0x1
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        req = struct.pack("16sH", b"lo", 0)
        flags = struct.unpack("16sH", fcntl.ioctl(s, siocgifflags, req)[:18])[1]
        fcntl.ioctl(s, siocsifflags, struct.pack("16sH", b"lo", flags | iff_up))


def _isolate_network(libc) -> str:
    """A network namespace of our own, with only the loopback interface (needs root)."""
    if libc.unshare(CLONE_NEWNET) != 0:
        return f"network not isolated ({os.strerror(ctypes.get_errno())})"
    _loopback_up()
    return "network isolated"


def _mount(libc, source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    enc = (lambda v: v.encode() if v is not None else None)
    if libc.mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"mount {target}: {os.strerror(err)}")


def _private_view(libc, job: dict, jobdir: Path) -> str:
    """In a new mount namespace: let the grading user reach the Python environment and the
    project even where a parent folder is private (e.g. an interpreter under /root), and
    cover the submissions folder with an empty read-only tmpfs."""
    if libc.unshare(CLONE_NEWNS) != 0:
        return f"no private mount namespace ({os.strerror(ctypes.get_errno())})"
    _mount(libc, None, "/", None, MS_REC | MS_PRIVATE)
    # private directories (no 'x' for others) on the way to each needed path -> children to keep
    blocked: dict[str, set[str]] = {}
    for needed in job.get("expose", []):
        parts = Path(os.path.realpath(needed)).parts
        for i in range(1, len(parts)):
            parent = Path(*parts[:i])
            try:
                if not os.stat(parent).st_mode & 0o001:
                    blocked.setdefault(str(parent), set()).add(parts[i])
            except OSError:
                break
    stage = jobdir / "stage"
    stage.mkdir(mode=0o700, exist_ok=True)
    n = 0
    for parent in sorted(blocked, key=lambda p: len(Path(p).parts)):
        keep = []
        for child in sorted(blocked[parent]):
            src = os.path.join(parent, child)
            if not os.path.exists(src):
                continue
            n += 1
            tmp = stage / str(n)
            tmp.mkdir() if os.path.isdir(src) else tmp.touch()
            _mount(libc, src, str(tmp), None, MS_BIND | MS_REC)
            keep.append((child, tmp, os.path.isdir(src)))
        _mount(libc, "tmpfs", parent, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=64k")
        for child, tmp, is_dir in keep:
            target = os.path.join(parent, child)
            os.mkdir(target) if is_dir else open(target, "w").close()
            _mount(libc, str(tmp), target, None, MS_BIND | MS_REC)
            libc.umount2(str(tmp).encode(), MNT_DETACH)
    hidden = []
    for path in job.get("hide", []):
        if os.path.isdir(path):
            _mount(libc, "tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, "mode=0555,size=4k")
            hidden.append(path)
    return f"private mount namespace ({len(blocked)} private folder(s) opened, {len(hidden)} hidden)"


def _confine(job: dict, jobdir: Path) -> list[str]:
    """Namespaces, limits and the drop to the job's user id. Returns notes for the log."""
    notes = []
    libc = ctypes.CDLL(None, use_errno=True)
    as_root = os.geteuid() == 0
    if as_root and job.get("uid") is not None:
        try:
            notes.append(_private_view(libc, job, jobdir))
        except OSError as e:
            notes.append(f"mount namespace incomplete ({e})")
    if job.get("isolate_network") and as_root:
        try:
            notes.append(_isolate_network(libc))
        except OSError as e:
            notes.append(f"network not isolated ({e})")
    limits = [(resource.RLIMIT_CORE, 0), (resource.RLIMIT_FSIZE, job["file_size_limit"])]
    if job.get("memory_bytes"):
        limits.append((resource.RLIMIT_AS, job["memory_bytes"]))
    if job.get("uid") is not None:
        limits.append((resource.RLIMIT_NPROC, job["process_limit"]))
    for which, value in limits:
        soft, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY and value > hard:
            value = hard
        resource.setrlimit(which, (value, value))
    if job.get("cpu") is not None:
        try:
            os.sched_setaffinity(0, {job["cpu"]})
        except OSError:
            pass
    if job.get("uid") is not None:
        os.setgroups([])
        os.setgid(job["gid"])
        os.setuid(job["uid"])
        try:
            os.setuid(0)
        except PermissionError:
            pass
        else:
            raise SystemExit("could not drop root privileges")
        notes.append(f"running as uid {job['uid']}")
    libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # after setuid, which clears it
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    os.umask(0o077)
    return notes


def _short(text: object, limit: int = 240) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _grade_in_child(job: dict, jobdir: Path) -> dict:
    os.chdir(jobdir / "work")
    if job.get("probe"):  # can this user run otter and find what the notebooks import?
        import importlib.util

        import ipykernel  # noqa: F401
        import nbclient  # noqa: F401
        import otter.run  # noqa: F401

        missing = [m for m in job.get("probe_imports", []) if importlib.util.find_spec(m) is None]
        if missing:
            return {"status": STATUS_ERROR, "kind": "internal", "message": f"cannot import {', '.join(missing)}"}
        return {"status": STATUS_OK}

    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from otter.run import main as otter_run
    from otter.run.run_autograder.utils import OtterRuntimeError, capture_run_output

    try:
        with capture_run_output() as captured:
            results = otter_run(str(jobdir / job["submission"]), autograder=str(jobdir / job["autograder"]),
                                output_dir=str(jobdir / "out"), no_logo=True)
        print(captured.getvalue()[-20000:])
    except DeadKernelError:
        return {"status": STATUS_ERROR, "kind": "kernel_died", "message": ""}
    except CellTimeoutError as e:
        return {"status": STATUS_ERROR, "kind": "cell_timeout", "message": _short(e)}
    except OtterRuntimeError as e:
        return {"status": STATUS_ERROR, "kind": "otter", "message": _short(e, 400)}
    except Exception as e:  # otter or nbclient failing on this notebook
        text = f"{type(e).__name__}: {e}"
        if "kernel died" in text.lower():
            return {"status": STATUS_ERROR, "kind": "kernel_died", "message": ""}
        if "didn't respond" in text or "did not respond" in text:
            return {"status": STATUS_ERROR, "kind": "kernel_start", "message": _short(text)}
        return {"status": STATUS_ERROR, "kind": "otter", "message": _short(text, 400)}

    questions = {}
    for name, test_file in results.results.items():
        questions[str(name)] = {"score": float(test_file.score), "possible": float(test_file.possible)}
    cell_errors = []
    nb = getattr(results, "notebook", None)
    for cell in (nb or {}).get("cells", []):
        for out in cell.get("outputs", []) or []:
            if out.get("output_type") == "error":
                cell_errors.append({"ename": _short(out.get("ename", ""), 80),
                                    "evalue": _short(out.get("evalue", ""), 160)})
    catastrophic = results.catastrophic_error
    return {"status": STATUS_OK, "questions": questions, "cell_errors": cell_errors[:20],
            "catastrophic": _short(f"{type(catastrophic).__name__}: {catastrophic}", 400) if catastrophic else None}


def _child_main(jobdir_arg: str) -> int:
    jobdir = Path(jobdir_arg)
    with open(jobdir / "job.json", encoding="utf-8") as f:
        job = json.load(f)
    notes = _confine(job, jobdir)
    print("; ".join(notes), flush=True)
    summary: dict
    try:
        summary = _grade_in_child(job, jobdir)
    except BaseException as e:  # noqa: BLE001 - the parent must always get a summary
        summary = {"status": STATUS_ERROR, "kind": "internal", "message": _short(f"{type(e).__name__}: {e}", 400)}
    finally:
        _kill_my_descendants()
    out = jobdir / "out"
    tmp = out / "summary.json.tmp"
    tmp.write_text(json.dumps(summary), encoding="utf-8")
    os.replace(tmp, out / "summary.json")
    sys.stdout.flush()
    return 0


# =========================================================================== parent side


@dataclass
class AssignmentInfo:
    name: str
    autograder_zip: Path
    expected_name: str                       # otter assignment name the notebooks must carry
    auto: list[tuple[str, float | None]]     # (question, points) from the autograder's tests
    manual: list[tuple[str, float | None]]   # hand-graded questions, from the master
    warnings: list[str] = field(default_factory=list)

    @property
    def columns(self) -> list[str]:
        return (HEAD_COLUMNS + [q for q, _ in self.auto] + ["total", "possible"]
                + [f"{q}_manual" for q, _ in self.manual] + TAIL_COLUMNS)

    @property
    def possible(self) -> float | None:
        pts = [p for _, p in self.auto]
        return None if any(p is None for p in pts) else float(sum(pts))


def _natural_key(name: str):
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name)]


def load_assignment(name: str, autograder: Path | None, master: Path | None) -> AssignmentInfo:
    zip_path = Path(autograder) if autograder else AUTOGRADER_DIR / f"{name}-autograder.zip"
    if not zip_path.is_file():
        hint = "" if autograder else " (build it with: python -m russia_iran.assignments build, or pass --autograder)"
        raise GradingSetupError(f"autograder zip not found: {zip_path}{hint}")
    try:
        with zipfile.ZipFile(zip_path) as z:
            names = z.namelist()
            config = json.loads(z.read("otter_config.json")) if "otter_config.json" in names else {}
            auto = []
            for member in names:
                m = re.fullmatch(r"tests/([^/]+)\.py", member)
                if not m:
                    continue
                text = z.read(member).decode("utf-8", "replace")
                pm = re.search(r"^points\s*=\s*([0-9.]+)\s*$", text, re.MULTILINE)
                auto.append((m.group(1), float(pm.group(1)) if pm else None))
    except (zipfile.BadZipFile, OSError, ValueError, KeyError) as e:
        raise GradingSetupError(f"{zip_path} is not a readable otter autograder zip ({e})") from None
    if not auto:
        raise GradingSetupError(f"{zip_path} holds no tests (no tests/*.py): is it an otter autograder zip?")
    auto.sort(key=lambda qp: _natural_key(qp[0]))
    expected = config.get("assignment_name") or name
    warnings = []
    if config.get("assignment_name") and config["assignment_name"] != name:
        warnings.append(f"note: the autograder zip is for otter assignment '{config['assignment_name']}'; "
                        f"submissions must carry that name")

    manual: list[tuple[str, float | None]] = []
    master_path = Path(master) if master else MASTERS_DIR / f"{name}.ipynb"
    if master_path.is_file():
        try:
            from russia_iran.assignments import read_master

            _, questions = read_master(master_path)
            manual = [(q.name, q.points) for q in questions if q.manual]
            auto_master = {q.name for q in questions if not q.manual}
            if auto_master and auto_master != {q for q, _ in auto}:
                warnings.append(f"warning: the questions of {master_path.name} ({', '.join(sorted(auto_master))}) "
                                f"differ from the autograder's; is {zip_path.name} out of date?")
        except Exception as e:  # noqa: BLE001 - a broken master only costs the manual columns
            warnings.append(f"warning: could not read the master {master_path} ({e}); no manual-question columns")
    elif master:
        raise GradingSetupError(f"master notebook not found: {master_path}")
    else:
        warnings.append(f"note: no master at {master_path}; the gradebook has no columns for hand-graded "
                        "questions (pass --master to add them)")
    return AssignmentInfo(name, zip_path, expected, auto, manual, warnings)


# --------------------------------------------------------------------------- gradebook


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _escape_cell(value: str) -> str:
    """A file name that a spreadsheet would run as a formula gets a leading apostrophe."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _unescape_cell(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:].startswith(_FORMULA_START) else value


class Gradebook:
    """The CSV gradebook: read and checked once, then rewritten atomically after every row."""

    def __init__(self, path: Path, columns: list[str]):
        self.path = path
        self.columns = list(columns)
        self.extra: list[str] = []      # columns an instructor added: kept as they are
        self.rows: list[dict] = []
        self.index: dict[str, int] = {}
        self._lock_file = None

    def load(self) -> None:
        if not self.path.exists():
            return
        if not self.path.is_file():
            raise GradingSetupError(f"the gradebook path {self.path} exists but is not a file")
        raw = self.path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise GradingSetupError(f"the existing gradebook {self.path} is not UTF-8 text; it was left "
                                    "untouched (move it away or choose another --out)") from None
        if not text.strip():
            return
        problem = None
        try:
            reader = csv.reader(io.StringIO(text, newline=""), strict=True)
            header = next(reader)
            missing = [c for c in self.columns if c not in header]
            if missing:
                problem = (f"its columns do not match this assignment (missing: {', '.join(missing)}); "
                           "was it made for another assignment?")
            elif len(set(header)) != len(header):
                problem = "its header repeats a column name"
            else:
                self.extra = [c for c in header if c not in self.columns]
                for line_no, values in enumerate(reader, start=2):
                    if not values:
                        continue
                    if len(values) != len(header):
                        problem = f"line {line_no} has {len(values)} fields instead of {len(header)}"
                        break
                    row = dict(zip(header, values))
                    row["file"] = _unescape_cell(row["file"])
                    if not row["file"]:
                        problem = f"line {line_no} has no file name"
                        break
                    if row["file"] in self.index:
                        problem = f"line {line_no} repeats the file {row['file']!r}"
                        break
                    if not re.fullmatch(r"[0-9a-f]{64}", row["sha256"] or ""):
                        problem = f"line {line_no} has no valid sha256"
                        break
                    if row["status"] not in (STATUS_OK, STATUS_ERROR):
                        problem = f"line {line_no} has status {row['status']!r} (expected ok or error)"
                        break
                    self.index[row["file"]] = len(self.rows)
                    self.rows.append(row)
        except StopIteration:
            return
        except csv.Error as e:
            problem = f"it is not valid CSV ({e})"
        if problem:
            raise GradingSetupError(f"the existing gradebook {self.path} is malformed: {problem}. It was left "
                                    "untouched; fix it, move it away, or choose another --out.")

    def lock(self) -> None:
        import fcntl

        lock_path = self.path.with_name(self.path.name + ".lock")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._lock_file = open(lock_path, "a")
        except OSError as e:
            raise GradingSetupError(f"cannot write the gradebook next to {self.path}: {e.strerror}") from None
        try:
            fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise GradingSetupError(f"another grading run is using {self.path}; wait until it finishes") from None

    def unlock(self) -> None:
        if self._lock_file:
            self._lock_file.close()
            self.path.with_name(self.path.name + ".lock").unlink(missing_ok=True)
            self._lock_file = None

    def graded(self, file: str, sha: str) -> dict | None:
        i = self.index.get(file)
        return self.rows[i] if i is not None and self.rows[i]["sha256"] == sha else None

    def put(self, row: dict) -> None:
        i = self.index.get(row["file"])
        if i is None:
            self.index[row["file"]] = len(self.rows)
            self.rows.append(row)
        else:
            old = self.rows[i]
            kept = [c for c in self.columns if c.endswith("_manual") and old.get(c)] + \
                   [c for c in self.extra if old.get(c)]
            for c in kept:
                row[c] = old[c]
            if kept and old.get("sha256") != row["sha256"]:
                note = f"file changed since these were entered: {', '.join(kept)}"
                row["reason"] = f"{row['reason']}; {note}" if row.get("reason") else note
            self.rows[i] = row
        self.save()

    def _mode(self) -> int:
        """Keep an existing gradebook's permissions; a new one is private (grades are personal data)."""
        try:
            return stat.S_IMODE(self.path.stat().st_mode)
        except OSError:
            return 0o600

    def save(self) -> None:
        header = self.columns + self.extra
        buf = io.StringIO(newline="")
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(header)
        for row in self.rows:
            writer.writerow([_escape_cell(row.get(c, "")) if c == "file" else row.get(c, "") for c in header])
        data = buf.getvalue().encode("utf-8")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, self._mode())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


# --------------------------------------------------------------------------- submissions


@dataclass
class Submission:
    path: Path
    file: str            # path relative to the submissions folder, with /
    sha256: str = ""
    size: int = 0
    stat_key: tuple = ()
    index: int = -1      # position of its backup copy
    is_link: bool = False


def _stat_key(path: Path) -> tuple:
    try:
        st = path.stat(follow_symlinks=False)
        return (st.st_ino, st.st_size, st.st_mtime_ns)
    except OSError:
        return ()


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def find_submissions(folder: Path, recursive: bool) -> list[Submission]:
    pattern = "**/*.ipynb" if recursive else "*.ipynb"
    subs = []
    for path in sorted(folder.glob(pattern)):
        rel = path.relative_to(folder)
        if ".ipynb_checkpoints" in rel.parts or any(p.startswith(".") for p in rel.parts):
            continue
        if path.is_dir():
            continue
        subs.append(Submission(path, rel.as_posix()))
    return subs


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB"


def precheck(data: bytes, info: AssignmentInfo, max_size: int) -> tuple[str | None, bytes | None, list[str], str]:
    """(error reason, bytes to grade, notes, file name for the copy). A reason means: do not run it."""
    if len(data) == 0:
        return "the file is empty (0 bytes)", None, [], ""
    if len(data) > max_size:
        return f"the file is {_mb(len(data))}, over the {_mb(max_size)} limit for a submission", None, [], ""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        sample = data[:4096]
        binary = b"\0" in sample or sum(b < 9 or 13 < b < 32 for b in sample) > len(sample) // 20
        if binary:
            return "not a notebook: the file holds binary data, not text", None, [], ""
        return "not a notebook: the file is not UTF-8 text", None, [], ""
    try:
        nb = json.loads(text)
    except json.JSONDecodeError as e:
        return f"not a notebook: the file is not valid JSON (line {e.lineno}, column {e.colno}: {e.msg})", None, [], ""
    except (RecursionError, ValueError):
        return "not a notebook: the file is not valid JSON", None, [], ""
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list) or not isinstance(nb.get("nbformat"), int):
        return ("not a notebook: the file is JSON but has no 'cells' list and 'nbformat' number, "
                "as every Jupyter notebook does"), None, [], ""
    if nb["nbformat"] < 4:
        return (f"the notebook is in the old format version {nb['nbformat']}; open it in Jupyter, save it, "
                "and submit it again"), None, [], ""
    for i, cell in enumerate(nb["cells"]):
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw") \
                or not isinstance(cell.get("source", ""), (str, list)):
            return f"the notebook is damaged: cell {i + 1} is not a valid cell", None, [], ""
    metadata = nb.get("metadata") if isinstance(nb.get("metadata"), dict) else {}
    otter_meta = metadata.get("otter") if isinstance(metadata.get("otter"), dict) else {}
    got = otter_meta.get("assignment_name")
    if not got:
        return ("not a notebook of this assignment: it carries no otter assignment name (was it started "
                "from the distributed notebook?)"), None, [], ""
    if got != info.expected_name:
        return f"this is a notebook of assignment '{got}', not '{info.expected_name}'", None, [], ""

    notes = []
    code = "\n".join("".join(c["source"]) if isinstance(c["source"], list) else c["source"]
                     for c in nb["cells"] if c.get("cell_type") == "code")
    missing = [q for q, _ in info.auto if not re.search(r"""\.check\(\s*["']%s["']\s*\)""" % re.escape(q), code)]
    if missing:
        notes.append(f"the check cells of {', '.join(missing)} are missing (cells removed?)")
    # grade with the standard kernel, whatever kernel the student's copy names (as otter grade does)
    metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb["metadata"] = metadata
    # otter's init cell, otter.Notebook("<name>.ipynb"), reads the notebook under the name it was
    # distributed with, even while grading: give the copy that name, whatever the student called it
    # (find_notebook("<name>") stands for "<name>.ipynb")
    m = re.search(r"""otter\.Notebook\(\s*(?:find_notebook\(\s*)?["']([\w.\- ]{1,100}?)(\.ipynb)?["']""", code)
    copy_name = f"{m.group(1)}.ipynb" if m and not m.group(1).startswith(".") else "submission.ipynb"
    return None, json.dumps(nb, ensure_ascii=False).encode("utf-8"), notes, copy_name


# --------------------------------------------------------------------------- running jobs


class _Capped:
    """Read a pipe to its end, keeping only its head and tail."""

    def __init__(self, pipe):
        self.pipe = pipe
        self.head = bytearray()
        self.tail = bytearray()
        self.total = 0
        self.thread = threading.Thread(target=self._pump, daemon=True)
        self.thread.start()

    def _pump(self):
        try:
            while True:
                chunk = self.pipe.read1(65536) if hasattr(self.pipe, "read1") else self.pipe.read(65536)
                if not chunk:
                    break
                self.total += len(chunk)
                room = OUTPUT_HEAD - len(self.head)
                if room > 0:
                    self.head += chunk[:room]
                    chunk = chunk[room:]
                if chunk:
                    self.tail += chunk
                    if len(self.tail) > OUTPUT_TAIL:
                        del self.tail[: len(self.tail) - OUTPUT_TAIL]
        except (OSError, ValueError):
            pass

    def text(self) -> str:
        out = self.head.decode("utf-8", "replace")
        dropped = self.total - len(self.head) - len(self.tail)
        if dropped > 0:
            out += f"\n[... {dropped} bytes of output left out ...]\n"
        return out + self.tail.decode("utf-8", "replace")


@dataclass
class Context:
    info: AssignmentInfo
    base: Path                 # private temporary folder of this run
    timeout: float
    memory_bytes: int
    drop_uids: list[int] | None
    cpus: list[int] | None
    isolate_network: bool
    logs: Path
    expose: list = field(default_factory=list)  # paths the grading user must be able to read
    hide: list = field(default_factory=list)    # folders covered up in the child's view
    slots: Queue = field(default_factory=Queue)
    active: dict = field(default_factory=dict)  # pid -> (Popen, uid)
    # Children the caller already had (e.g. a browser when called from a test run): never strays.
    preexisting: set = field(default_factory=lambda: {pid for pid, (ppid, _) in _proc_table().items()
                                                      if ppid == os.getpid()})
    lock: threading.Lock = field(default_factory=threading.Lock)
    stopping: threading.Event = field(default_factory=threading.Event)


def _kill_job(proc: subprocess.Popen, uid: int | None) -> None:
    """Stop, then kill, the child and everything it started (and, as root, every process of its uid)."""
    for _ in range(10):
        table = _proc_table()
        pids = _descendants(proc.pid, table)
        if proc.poll() is None:
            pids.add(proc.pid)
        if uid is not None:
            pids |= {pid for pid, (_, u) in table.items() if u == uid}
        pids.discard(os.getpid())
        if not pids:
            break
        _signal_all(pids, signal.SIGSTOP)
        _signal_all(pids, signal.SIGKILL)
        time.sleep(0.05)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass


def _child_env(jobdir: Path) -> dict:
    home = jobdir / "home"
    return {
        "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home), "USER": "grader", "LOGNAME": "grader",
        "TMPDIR": str(jobdir / "tmp"), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
        "JUPYTER_RUNTIME_DIR": str(jobdir / "runtime"), "JUPYTER_CONFIG_DIR": str(home / ".jupyter"),
        "JUPYTER_DATA_DIR": str(home / ".local/share/jupyter"), "JUPYTER_PLATFORM_DIRS": "1",
        "IPYTHONDIR": str(home / ".ipython"), "MPLCONFIGDIR": str(home / ".matplotlib"), "MPLBACKEND": "Agg",
        "XDG_CACHE_HOME": str(home / ".cache"), "PYTHONDONTWRITEBYTECODE": "1", "PYTHONUNBUFFERED": "1",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }


def _prepare_jobdir(ctx: Context, payload: bytes, uid: int | None, cpu: int | None, probe: bool,
                    name: str = "submission.ipynb") -> Path:
    jobdir = Path(tempfile.mkdtemp(prefix="job-", dir=ctx.base))
    for sub in ("work", "out", "tmp", "runtime", "home"):
        (jobdir / sub).mkdir(mode=0o700)
    (jobdir / "work" / name).write_bytes(payload)
    shutil.copyfile(ctx.info.autograder_zip, jobdir / "work" / "autograder.zip")
    job = {"submission": f"work/{name}", "autograder": "work/autograder.zip",
           "uid": uid, "gid": NOGROUP if uid is not None else None, "cpu": cpu,
           "memory_bytes": ctx.memory_bytes, "file_size_limit": FILE_SIZE_LIMIT,
           "process_limit": PROCESS_LIMIT, "isolate_network": ctx.isolate_network, "probe": probe,
           "probe_imports": ["russia_iran"] if probe else [], "expose": ctx.expose, "hide": ctx.hide}
    (jobdir / "job.json").write_text(json.dumps(job), encoding="utf-8")
    os.chmod(jobdir / "job.json", 0o600)  # read by the child before it drops to the grading user
    if uid is not None:
        for dirpath, dirnames, filenames in os.walk(jobdir):
            for name in [dirpath] + [os.path.join(dirpath, n) for n in dirnames + filenames]:
                if name != str(jobdir / "job.json"):
                    os.chown(name, uid, NOGROUP)
        os.chmod(jobdir, 0o700)
    return jobdir


def _read_summary(path: Path) -> dict | None:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > SUMMARY_LIMIT:
            return None
        with os.fdopen(fd, "rb") as f:
            fd = -1
            data = json.loads(f.read().decode("utf-8"))
        return data if isinstance(data, dict) else None
    except (OSError, ValueError, RecursionError):
        return None
    finally:
        if fd >= 0:
            os.close(fd)


def _rmtree(path: Path) -> None:
    def onerror(func, p, _exc):
        try:
            os.chmod(p, 0o700)
            func(p)
        except OSError:
            pass

    shutil.rmtree(path, onerror=onerror)


def run_child(ctx: Context, payload: bytes, probe: bool = False,
              name: str = "submission.ipynb") -> tuple[dict | None, str, bool, float, int | None]:
    """Run one job in a child. Returns (summary, output, timed out, seconds, exit status)."""
    slot = ctx.slots.get()
    jobdir, proc, uid = None, None, None
    try:
        if ctx.stopping.is_set():
            return None, "", False, 0.0, None
        uid = ctx.drop_uids[slot] if ctx.drop_uids else None
        cpu = ctx.cpus[slot % len(ctx.cpus)] if ctx.cpus else None
        if uid is not None:
            _sweep_uid(uid)
        jobdir = _prepare_jobdir(ctx, payload, uid, cpu, probe, name)
        start = time.monotonic()
        with ctx.lock:
            proc = subprocess.Popen([sys.executable, "-I", str(Path(__file__).resolve()), "--_child", str(jobdir)],
                                    cwd=jobdir, env=_child_env(jobdir), stdin=subprocess.DEVNULL,
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
                                    close_fds=True)
            ctx.active[proc.pid] = (proc, uid)
        reader = _Capped(proc.stdout)
        timed_out = False
        try:
            if ctx.stopping.is_set():
                raise KeyboardInterrupt
            proc.wait(timeout=ctx.timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
        _kill_job(proc, uid)
        reader.thread.join(5)
        seconds = time.monotonic() - start
        summary = None if timed_out else _read_summary(jobdir / "out" / "summary.json")
        return summary, reader.text(), timed_out, seconds, proc.returncode
    finally:
        if proc is not None:
            if proc.poll() is None or uid is not None:
                _kill_job(proc, uid)
            if uid is not None:
                _sweep_uid_files(uid)
            with ctx.lock:
                ctx.active.pop(proc.pid, None)
            try:
                proc.stdout.close()
            except OSError:
                pass
        if jobdir is not None:
            _rmtree(jobdir)
        ctx.slots.put(slot)


def _reap_strays(ctx: "Context") -> None:
    """Kill and reap processes re-parented to us (we are a subreaper) that are not running jobs:
    what escaped a killed job, so no zombie or runaway process is left behind."""
    me = os.getpid()
    with ctx.lock:
        active = set(ctx.active)
        strays = {pid for pid, (ppid, _) in _proc_table().items()
                  if ppid == me and pid not in active and pid not in ctx.preexisting}
        if not strays:
            return
        _signal_all(strays, signal.SIGKILL)
        deadline = time.monotonic() + 2
        while strays and time.monotonic() < deadline:
            for pid in list(strays):
                try:
                    if os.waitpid(pid, os.WNOHANG)[0] == pid:
                        strays.discard(pid)
                except ChildProcessError:
                    strays.discard(pid)
            time.sleep(0.02)


def _sweep_uid_files(uid: int) -> None:
    """Remove what a grading user left in the shared writable folders (top level of each)."""
    for shared in ("/tmp", "/var/tmp", "/dev/shm"):
        try:
            entries = list(os.scandir(shared))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.stat(follow_symlinks=False).st_uid != uid:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    _rmtree(Path(entry.path))
                else:
                    os.unlink(entry.path)
            except OSError:
                pass


def _sweep_uid(uid: int) -> None:
    for _ in range(5):
        pids = {pid for pid, (_, u) in _proc_table().items() if u == uid}
        if not pids:
            return
        _signal_all(pids, signal.SIGSTOP)
        _signal_all(pids, signal.SIGKILL)
        time.sleep(0.05)


def _fmt(x: float) -> str:
    return f"{x:g}"


def build_row(ctx: Context, sub: Submission, summary: dict | None, timed_out: bool,
              exit_status: int | None, notes: list[str]) -> dict:
    info = ctx.info
    row = {"file": sub.file, "sha256": sub.sha256, "status": STATUS_ERROR, "reason": ""}
    reasons: list[str] = []
    possible = info.possible
    if possible is not None:
        row["possible"] = _fmt(possible)
    if timed_out:
        reasons.append(f"timed out after {_fmt(ctx.timeout)} s: the notebook was still running (an endless "
                       "loop, or very slow code) and was stopped")
    elif summary is None:
        if exit_status is not None and exit_status < 0:
            try:
                name = signal.Signals(-exit_status).name
            except ValueError:
                name = f"signal {-exit_status}"
            reasons.append(f"the grading process was killed ({name}); it may have run out of memory")
        else:
            reasons.append(f"grading stopped without a result (exit status {exit_status}); see the log")
    elif summary.get("status") != STATUS_OK:
        kind, message = summary.get("kind"), _short(summary.get("message", ""), 300)
        if kind == "kernel_died":
            reasons.append("the notebook's Python kernel died while running: a cell ended the process "
                           "(os._exit, os.kill, a crash) or it ran out of memory")
        elif kind == "kernel_start":
            reasons.append(f"the Jupyter kernel did not start ({message}); the machine may be overloaded: "
                           "run again with --retry-errors")
        elif kind == "cell_timeout":
            reasons.append(f"a cell took too long: {message}")
        elif kind == "internal":
            reasons.append(f"the grader failed: {message}")
        else:
            reasons.append(f"otter could not grade it: {message}")
    elif summary.get("catastrophic"):
        reasons.append(f"grading could not finish ({_short(summary['catastrophic'], 200)}); did the notebook "
                       "delete or change the grader's files?")
    else:
        row["status"] = STATUS_OK
        results = summary.get("questions") if isinstance(summary.get("questions"), dict) else {}
        total, total_possible = 0.0, 0.0
        for q, pts in info.auto:
            r = results.get(q) if isinstance(results.get(q), dict) else None
            score = r.get("score") if r else None
            q_possible = pts if pts is not None else (r.get("possible") if r else None)
            if not isinstance(score, (int, float)) or score != score:
                score = 0.0
                reasons.append(f"{q} was not graded (counted as 0)")
            if isinstance(q_possible, (int, float)) and q_possible == q_possible:
                score = min(max(float(score), 0.0), float(q_possible))
                total_possible += float(q_possible)
            row[q] = _fmt(score)
            total += score
        row["total"] = _fmt(round(total, 4))
        row["possible"] = _fmt(round(total_possible, 4))
        errors = [e for e in summary.get("cell_errors", []) if isinstance(e, dict)]
        if errors:
            shown = "; ".join(_short(f"{e.get('ename')}: {e.get('evalue')}".rstrip(": "), 120) for e in errors[:3])
            more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
            word = "a cell" if len(errors) == 1 else f"{len(errors)} cells"
            reasons.append(f"{word} raised an error, grading went on past it: {shown}{more}")
    reasons.extend(notes)
    row["reason"] = "; ".join(reasons)
    return row


def _log_name(file: str) -> str:
    name = re.sub(r"[\x00-\x1f/\\]", "_", file.replace("/", "__"))
    return name[:200] + ".log"


def _write_log(ctx: Context, row: dict, output: str) -> None:
    try:
        ctx.logs.mkdir(mode=0o700, parents=True, exist_ok=True)
        header = "\n".join(f"{k}: {row.get(k, '')}" for k in ("file", "sha256", "status", "reason", "seconds"))
        (ctx.logs / _log_name(row["file"])).write_text(f"{header}\n\n{output}", encoding="utf-8")
    except OSError:
        pass


# --------------------------------------------------------------------------- originals


class Originals:
    """Remember every submission's bytes (in a private backup) and put them back if they change."""

    def __init__(self, subs: list[Submission], backup_dir: Path):
        self.subs = subs
        self.backup_dir = backup_dir
        backup_dir.mkdir(mode=0o700)
        for i, sub in enumerate(subs):
            sub.index = i
            sub.stat_key = _stat_key(sub.path)
            if sub.path.is_symlink():  # never followed: recorded by the link's own text
                sub.is_link = True
                sub.sha256 = hashlib.sha256(b"symlink:" + os.fsencode(os.readlink(sub.path))).hexdigest()
                continue
            shutil.copyfile(sub.path, backup_dir / str(i))
            sub.sha256 = _sha256(backup_dir / str(i))
            sub.size = (backup_dir / str(i)).stat().st_size

    def data(self, sub: Submission) -> bytes:
        return (self.backup_dir / str(sub.index)).read_bytes()

    def verify(self, full: bool = False) -> list[str]:
        restored = []
        for i, sub in enumerate(self.subs):
            if sub.is_link or (not full and _stat_key(sub.path) == sub.stat_key):
                continue
            try:
                same = sub.path.is_file() and not sub.path.is_symlink() and _sha256(sub.path) == sub.sha256
            except OSError:
                same = False
            if same:
                sub.stat_key = _stat_key(sub.path)
                continue
            try:
                if sub.path.is_symlink() or sub.path.is_dir():
                    _rmtree(sub.path) if sub.path.is_dir() else sub.path.unlink()
                shutil.copyfile(self.backup_dir / str(i), sub.path)
                sub.stat_key = _stat_key(sub.path)
                restored.append(sub.file)
            except OSError as e:
                restored.append(f"{sub.file} (could NOT be restored: {e})")
        return restored


# --------------------------------------------------------------------------- main


def _needed_paths() -> list[str]:
    """What the grading processes import from: the interpreter, its library, the packages, the project."""
    paths = {os.path.realpath(sys.executable), sys.base_prefix, sys.prefix, str(ROOT)}
    paths.update(p for p in sys.path if p and os.path.isdir(p))
    return sorted(os.path.realpath(p) for p in paths)


def _may_hide(folder: Path, base: Path) -> bool:
    """The submissions folder can be covered up unless something the child needs lives inside it."""
    needed = [Path(p) for p in _needed_paths()] + [base.resolve()]
    return not any(p == folder or folder in p.parents for p in needed)


def _free_uids(n: int) -> list[int]:
    import pwd

    uids, candidate = [], UID_BASE
    while len(uids) < n and candidate < UID_BASE + 1000:
        try:
            pwd.getpwuid(candidate)
        except KeyError:
            uids.append(candidate)
        candidate += 1
    return uids


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m russia_iran.grading",
        description="Grade every submitted notebook in a folder with otter, without Docker, into a CSV gradebook.")
    parser.add_argument("submissions", type=Path, metavar="SUBMISSIONS_DIR", help="folder of submitted .ipynb files")
    parser.add_argument("--assignment", required=True, metavar="NAME",
                        help="assignment name, e.g. 01_history (finds _build/autograder/NAME-autograder.zip "
                             "and exercises/masters/NAME.ipynb)")
    parser.add_argument("--autograder", type=Path, metavar="ZIP", help="otter autograder zip (default: from NAME)")
    parser.add_argument("--master", type=Path, metavar="NOTEBOOK",
                        help="master notebook, to list the hand-graded questions (default: from NAME)")
    parser.add_argument("--out", type=Path, metavar="CSV", help="gradebook file (default: gradebook-NAME.csv)")
    parser.add_argument("--logs", type=Path, metavar="DIR", help="folder for per-submission logs "
                                                                 "(default: next to the gradebook)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                        help=f"time limit per submission (default {DEFAULT_TIMEOUT:g})")
    parser.add_argument("--jobs", type=int, default=DEFAULT_JOBS,
                        help=f"submissions graded at once (default {DEFAULT_JOBS})")
    parser.add_argument("--recursive", action="store_true", help="also grade notebooks in sub-folders")
    parser.add_argument("--retry-errors", action="store_true", help="regrade unchanged files whose row says error")
    parser.add_argument("--max-size-mb", type=float, default=DEFAULT_MAX_SIZE_MB,
                        help=f"larger files are not graded (default {DEFAULT_MAX_SIZE_MB})")
    parser.add_argument("--memory-mb", type=int, default=DEFAULT_MEMORY_MB,
                        help=f"address-space limit per grading process (default {DEFAULT_MEMORY_MB}; 0 = none)")
    parser.add_argument("--roster", type=Path, metavar="CSV",
                        help="class list (student_id, name, email): also write Canvas and Moodle exports")
    parser.add_argument("--match", metavar="REGEX",
                        help="with --roster: a regular expression whose group named student finds the id in a file name")
    parser.add_argument("--title", help="with --roster: the assignment's name in the course site (default: NAME)")
    args = parser.parse_args(argv)
    if args.timeout <= 0:
        parser.error("--timeout must be positive")
    if not 1 <= args.jobs <= 64:
        parser.error("--jobs must be between 1 and 64")
    if args.max_size_mb <= 0:
        parser.error("--max-size-mb must be positive")
    return args


def _say(msg: str) -> None:
    print(msg, flush=True)


def _run(args: argparse.Namespace) -> int:
    folder = args.submissions
    if not folder.is_dir():
        raise GradingSetupError(f"submissions folder not found: {folder}" if not folder.exists()
                                else f"{folder} is a file; give the folder that holds the submissions")
    info = load_assignment(args.assignment, args.autograder, args.master)
    for w in info.warnings:
        _say(w)
    out = args.out or Path(f"gradebook-{args.assignment}.csv")
    out = out.resolve()
    folder = folder.resolve()
    logs = (args.logs or out.with_name(out.stem + "-logs")).resolve()
    if out.exists() and not out.is_file():
        raise GradingSetupError(f"the gradebook path {out} exists but is not a file")
    gradebook = Gradebook(out, info.columns)
    gradebook.lock()
    try:
        gradebook.load()
        status = _grade_folder(args, info, folder, out, logs, gradebook)
    finally:
        gradebook.unlock()
    if args.roster and out.exists():
        from . import lms

        try:
            result, canvas, moodle = lms.export(out, args.roster, args.title or args.assignment, args.match)
        except lms.ExportError as e:
            raise GradingSetupError(str(e)) from None
        _say(lms.report(result))
        _say(f"course-site exports: {canvas} (Canvas) and {moodle} (Moodle)")
    return status


def _grade_folder(args, info: AssignmentInfo, folder: Path, out: Path, logs: Path, gradebook: Gradebook) -> int:
    subs = find_submissions(folder, args.recursive)
    if not subs:
        _say(f"no .ipynb files in {folder}{'' if args.recursive else ' (use --recursive for sub-folders)'}")
        if not out.exists():
            gradebook.save()
        return 0

    as_root = os.geteuid() == 0
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)  # what a killed job leaves comes back to us
    ctx = None
    base = Path(tempfile.mkdtemp(prefix="russia-iran-grading-"))
    os.chmod(base, 0o711)  # grading users may enter their own job folder, but not list the others
    interrupted = False
    try:
        originals = Originals(subs, base / "originals")
        by_hash: dict[str, list[str]] = {}
        for sub in subs:
            by_hash.setdefault(sub.sha256, []).append(sub.file)

        todo, skipped = [], 0
        for sub in subs:
            row = gradebook.graded(sub.file, sub.sha256)
            if row and not (args.retry_errors and row["status"] == STATUS_ERROR):
                skipped += 1
            else:
                todo.append(sub)
        _say(f"{len(subs)} notebook(s) in {folder}: {skipped} already graded (skipped), {len(todo)} to grade; "
             f"gradebook {out}")
        if not todo:
            return 0

        jobs = min(args.jobs, len(todo))
        cpus = sorted(os.sched_getaffinity(0))
        ctx = Context(info=info, base=base, timeout=args.timeout,
                      memory_bytes=args.memory_mb * 1024 * 1024 if args.memory_mb > 0 else 0,
                      drop_uids=_free_uids(jobs) if as_root else None,
                      cpus=cpus if jobs <= len(cpus) else None, isolate_network=as_root, logs=logs,
                      expose=_needed_paths(), hide=[str(folder)] if _may_hide(folder, base) else [])
        if as_root and len(ctx.drop_uids) < jobs:
            raise GradingSetupError("could not find free user ids for the grading processes")
        for slot in range(jobs):
            ctx.slots.put(slot)
        _say("isolation: " + (f"each submission runs as its own unprivileged user (uid "
                              f"{', '.join(map(str, ctx.drop_uids))}) without network"
                              if as_root else "not running as root, so submissions run as your own user "
                                              "(the same trust as `otter run`); originals are still checked and restored"))

        prechecked = []
        for sub in todo:
            if sub.is_link:
                reason, payload, notes, copy_name = "a symbolic link, not a file: not graded", None, [], ""
            else:
                reason, payload, notes, copy_name = precheck(originals.data(sub), info, int(args.max_size_mb * 1e6))
            dups = [f for f in by_hash[sub.sha256] if f != sub.file]
            if dups and reason is None:
                notes.append(f"identical to {', '.join(dups)}")
            if reason is not None:
                row = {"file": sub.file, "sha256": sub.sha256, "status": STATUS_ERROR, "reason": reason,
                       "graded_at": _now(), "seconds": "0"}
                if info.possible is not None:
                    row["possible"] = _fmt(info.possible)
                gradebook.put(row)
                _say(f"  {sub.file}: error: {reason}")
            else:
                prechecked.append((sub, payload, notes, copy_name))
        if not prechecked:
            return 0

        # Can the grading user run otter and import the module at all? (one quick probe)
        probe_summary, probe_output, probe_timeout, _, probe_status = run_child(ctx, b"{}", probe=True)
        if not probe_summary or probe_summary.get("status") != STATUS_OK:
            detail = ((probe_summary or {}).get("message") or probe_output.strip()[-1500:]
                      or f"exit status {probe_status}")
            raise GradingSetupError("the grading process cannot start otter in this environment"
                                    + (" as an unprivileged user (is the Python environment and the project "
                                       "readable by all users?)" if as_root else "") + f":\n{detail}")

        done = 0
        executor = ThreadPoolExecutor(max_workers=jobs)
        futures = {}
        try:
            for sub, payload, notes, copy_name in prechecked:
                futures[executor.submit(run_child, ctx, payload, False, copy_name)] = (sub, notes)
            pending = set(futures)
            while pending:
                finished, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
                for fut in finished:
                    sub, notes = futures[fut]
                    try:
                        summary, output, timed_out, seconds, status = fut.result()
                    except Exception as e:  # noqa: BLE001 - a failure of ours must not stop the batch
                        summary, output, timed_out, seconds, status = (
                            {"status": STATUS_ERROR, "kind": "internal", "message": f"{type(e).__name__}: {e}"},
                            "", False, 0.0, None)
                    _reap_strays(ctx)
                    if ctx.stopping.is_set():
                        continue
                    row = build_row(ctx, sub, summary, timed_out, status, notes)
                    row["graded_at"], row["seconds"] = _now(), f"{seconds:.1f}"
                    restored = originals.verify()
                    if restored:
                        _say(f"WARNING: submission file(s) changed while grading; the original bytes were "
                             f"put back: {', '.join(restored)}")
                    gradebook.put(row)
                    _write_log(ctx, row, output)
                    done += 1
                    score = f"{row.get('total', '')}/{row.get('possible', '')}" if row["status"] == STATUS_OK else ""
                    _say(f"  [{done}/{len(prechecked)}] {sub.file}: {row['status']} {score} ({seconds:.1f} s)"
                         + (f" - {row['reason']}" if row["reason"] else ""))
        except BaseException as e:  # Ctrl-C, or a failure of ours (e.g. the gradebook cannot be written)
            interrupted = isinstance(e, KeyboardInterrupt)
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            ctx.stopping.set()  # before the snapshot: a job starting later sees it and stops itself
            with ctx.lock:
                running = list(ctx.active.values())
            for proc, uid in running:
                _kill_job(proc, uid)
            executor.shutdown(wait=True, cancel_futures=True)
            if not interrupted:
                raise
        else:
            executor.shutdown(wait=True)
        return 130 if interrupted else 0
    except KeyboardInterrupt:
        interrupted = True
        return 130
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            restored = originals.verify(full=True) if "originals" in locals() else []
            if restored:
                _say(f"WARNING: submission file(s) changed while grading; the original bytes were put back: "
                     f"{', '.join(restored)}")
        finally:
            if ctx is not None:
                _reap_strays(ctx)
            libc.prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)
            _rmtree(base)
            if interrupted:
                _say(f"interrupted: {out} holds every row finished so far and is valid; run the same "
                     "command again to grade the rest")
            signal.signal(signal.SIGINT, signal.default_int_handler)


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def main(argv: list[str] | None = None) -> int:
    """Command line: see the module docstring. Returns the exit status (0 ok, 1 setup error, 130 interrupted)."""
    args = _parse_args(argv)
    previous = signal.getsignal(signal.SIGTERM)

    def on_term(signum, frame):
        raise KeyboardInterrupt

    try:
        signal.signal(signal.SIGTERM, on_term)
    except ValueError:  # not in the main thread
        previous = None
    try:
        return _run(args)
    except GradingSetupError as e:
        print(f"error: {e}", file=sys.stderr, flush=True)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr, flush=True)
        return 130
    except Exception as e:  # noqa: BLE001 - never a traceback for the instructor
        print(f"error: grading stopped unexpectedly: {type(e).__name__}: {e}", file=sys.stderr, flush=True)
        return 1
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--_child":
        sys.exit(_child_main(sys.argv[2]))
    sys.exit(main())
