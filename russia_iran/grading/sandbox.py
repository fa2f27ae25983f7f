"""Where stage one runs: a bubblewrap sandbox, the same for root and for an ordinary user.

The sandbox sees, read-only, the system's programs and libraries, the Python environment,
the ``russia_iran`` package and ``data/``; read-write, only its own job folder. It has no
network, its own processes, IPC and hostname, and fresh ``/tmp``, ``/var/tmp``,
``/dev/shm`` and ``/run``, all discarded when it ends. It cannot see the tests, the
masters, the autograder zips, other submissions, the gradebook or the rest of the project.
Bubblewrap needs user namespaces, which most Linux kernels allow to ordinary users; where
they do not, :func:`check` says why before anything is graded.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..basemap import TOPOLOGY
from ..paths import BIBLIOGRAPHY, DATA_DIR, ROOT

OUTPUT_HEAD = 200 * 1024     # kept from the start of a job's output
OUTPUT_TAIL = 56 * 1024      # kept from its end
TMPFS_SIZE = 512 * 1024 * 1024
ETC_FILES = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "passwd", "group", "nsswitch.conf", "hosts")
NO_SANDBOX_NOTE = ("WITHOUT a sandbox: submissions run as your own user and can read and rewrite whatever you "
                   "can (the hidden tests, other submissions, the gradebook) and reach the network; the two "
                   "stages only stop tricks inside the notebook's own kernel (patching otter, built-ins or "
                   "asserts). Grade this way only submissions you trust")


class SandboxUnavailable(Exception):
    """Bubblewrap is missing or cannot create namespaces here: the message says what to do."""


@dataclass
class Finished:
    output: str
    timed_out: bool
    seconds: float
    returncode: int | None


def read_only_paths() -> list[Path]:
    """What stage one needs to read: the interpreter and its library, the environment's packages,
    this package, the data, the bibliography and the map (what the student pack holds), never
    the project folder as a whole."""
    paths = {Path(sys.base_prefix), Path(sys.prefix), ROOT / "russia_iran", DATA_DIR, BIBLIOGRAPHY, TOPOLOGY}
    paths.update(Path(p) for p in sys.path if "-packages" in p)
    paths = {p for p in paths if p.exists()}
    paths |= {p.resolve() for p in paths}  # both a link's own path and where it leads
    return sorted(p for p in paths if not str(p).startswith("/usr/"))


def job_env(scratch: Path) -> dict[str, str]:
    """The whole environment of a job: nothing inherited from the instructor's shell."""
    return {"PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin", "HOME": str(scratch / "home"),
            "TMPDIR": str(scratch), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "MPLBACKEND": "Agg",
            "PYTHONDONTWRITEBYTECODE": "1", "PYDEVD_DISABLE_FILE_VALIDATION": "1", "JUPYTER_PLATFORM_DIRS": "1",
            "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}


def bwrap_command(job_dir: Path) -> list[str]:
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise SandboxUnavailable("bubblewrap (bwrap) is not installed: install Debian's 'bubblewrap' package "
                                 "(sudo apt-get install bubblewrap), or pass --no-sandbox to grade without isolation")
    cmd = [bwrap, "--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent", "--new-session",
           "--cap-drop", "ALL", "--hostname", "grading", "--clearenv",
           "--ro-bind", "/usr", "/usr", "--proc", "/proc", "--dev", "/dev"]
    for name in ("bin", "lib", "lib64", "sbin"):
        target = os.readlink(f"/{name}") if os.path.islink(f"/{name}") else None
        if target:
            cmd += ["--symlink", target, f"/{name}"]
        elif os.path.isdir(f"/{name}"):
            cmd += ["--ro-bind", f"/{name}", f"/{name}"]
    for name in ETC_FILES:
        if os.path.exists(f"/etc/{name}"):
            cmd += ["--ro-bind", f"/etc/{name}", f"/etc/{name}"]
    for folder in ("/tmp", "/var/tmp", "/dev/shm", "/run"):
        cmd += ["--size", str(TMPFS_SIZE), "--tmpfs", folder]
    # The project folder is an empty read-only one holding only what is bound into it
    # (it may live under /tmp, whose empty stand-in is writable).
    cmd += ["--tmpfs", str(ROOT)]
    for path in read_only_paths():
        cmd += ["--ro-bind", str(path), str(path)]
    cmd += ["--remount-ro", str(ROOT)]
    for key, value in job_env(Path("/tmp")).items():
        cmd += ["--setenv", key, value]
    return cmd + ["--dir", "/tmp/home", "--bind", str(job_dir), str(job_dir), "--remount-ro", "/",
                  "--chdir", str(job_dir)]


def stage_one_command(job_dir: Path, sandboxed: bool) -> list[str]:
    python = [sys.executable, "-I", "-B", "-m", "russia_iran.grading.stage_one", str(job_dir)]
    return bwrap_command(job_dir) + python if sandboxed else python


def kill(proc: subprocess.Popen) -> None:
    """Stop a job and everything it started: its process group, and in the sandbox its
    whole process namespace, which ends with the sandbox's first process."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass


class CappedOutput:
    """Read a pipe to its end, keeping only its head and tail."""

    def __init__(self, pipe):
        self.pipe, self.head, self.tail, self.total = pipe, bytearray(), bytearray(), 0
        self.thread = threading.Thread(target=self._pump, daemon=True)
        self.thread.start()

    def _pump(self):
        while chunk := self.pipe.read1(65536):
            self.total += len(chunk)
            room = max(OUTPUT_HEAD - len(self.head), 0)
            self.head += chunk[:room]
            self.tail += chunk[room:]
            del self.tail[:-OUTPUT_TAIL]

    def text(self) -> str:
        self.thread.join(5)
        dropped = self.total - len(self.head) - len(self.tail)
        middle = f"\n[... {dropped} bytes of output left out ...]\n" if dropped > 0 else ""
        return self.head.decode("utf-8", "replace") + middle + self.tail.decode("utf-8", "replace")


class Stopped(Exception):
    """The batch is stopping (Ctrl-C): no new process starts."""


@dataclass
class Jobs:
    """The live processes of a batch, so that Ctrl-C stops them all and starts no new one."""
    processes: dict = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stopping: threading.Event = field(default_factory=threading.Event)

    def stop_all(self) -> None:
        with self.lock:
            self.stopping.set()
            running = list(self.processes.values())
        for proc in running:
            kill(proc)


def run(cmd: list[str], env: dict, timeout: float, cwd: Path, jobs: Jobs) -> Finished:
    """Run a command in a session of its own; kill it and all it started at the time limit."""
    start = time.monotonic()
    with jobs.lock:
        if jobs.stopping.is_set():
            raise Stopped
        proc = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, start_new_session=True, env=env)
        jobs.processes[proc.pid] = proc
    output = CappedOutput(proc.stdout)
    try:
        proc.wait(timeout=timeout)
        timed_out = False
    except subprocess.TimeoutExpired:
        timed_out = True
    finally:
        kill(proc)
        with jobs.lock:
            jobs.processes.pop(proc.pid, None)
    text = output.text()
    proc.stdout.close()
    return Finished(text, timed_out, time.monotonic() - start, proc.returncode)


def check(sandboxed: bool, scratch: Path) -> str:
    """Before grading: can stage one start here? Returns a line saying what isolation applies."""
    if not sandboxed:
        return NO_SANDBOX_NOTE
    probe = [*bwrap_command(scratch), sys.executable, "-I", "-c",
             "import russia_iran, nbclient, ipykernel, pandas, altair"]
    try:
        done = subprocess.run(probe, capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        raise SandboxUnavailable("the sandbox did not start within 120 s") from None
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip()[-1200:]
        hint = ""
        if "namespace" in detail.lower() or "permission" in detail.lower():
            hint = (" This kernel does not let an ordinary user create namespaces (on Ubuntu 24.04 and later: "
                    "sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0; elsewhere: "
                    "sudo sysctl kernel.unprivileged_userns_clone=1), or grade as root.")
        raise SandboxUnavailable(f"the grading sandbox cannot start: {detail}.{hint} "
                                 "Or pass --no-sandbox to grade without isolation.")
    return ("each submission runs in a bubblewrap sandbox: no network, read-only software, its own "
            "processes and temporary folders, no view of tests, masters, other submissions or the gradebook")
