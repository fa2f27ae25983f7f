"""Grade a folder: each submission in two stages, several at once, one gradebook row each.

Stage one runs the notebook in the sandbox and exports its answers as data; stage two, a
fresh process outside the sandbox that runs no student code, scores those answers with the
hidden tests. The row comes from stage two alone; a stage one that fails is a reported
error, never a score.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import stat
import sys
import tempfile
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from . import sandbox
from .answers import MAX_BYTES as ANSWERS_LIMIT
from .assignment import Assignment
from .gradebook import STATUS_ERROR, STATUS_OK, Gradebook, GradingSetupError
from .submissions import Checked, Submission, find_submissions, precheck, restore_changed, snapshot

STAGE_TWO_TIMEOUT = 120.0
EXECUTED_LIMIT = 8 * 1024 * 1024     # an executed notebook kept for review (outputs already capped)
RUN_RECORD_LIMIT = 64 * 1024


@dataclass
class Batch:
    assignment: Assignment
    base: Path                  # private folder of this run: backups, tests, job folders
    tests: Path                 # the autograder's test files, for stage two only
    timeout: float
    memory_bytes: int
    sandboxed: bool
    logs: Path
    jobs: sandbox.Jobs = field(default_factory=sandbox.Jobs)


@dataclass
class Outcome:
    row: dict
    log: str
    executed: bytes | None = None


def short(text: object, limit: int = 240) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def fmt(x: float) -> str:
    return f"{x:g}"


def now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def read_untrusted(path: Path, limit: int) -> bytes | None:
    """A file stage one wrote: a regular file within the size limit, never through a link."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())
        if not stat.S_ISREG(st.st_mode) or st.st_size > limit:
            return None
        return f.read(limit + 1)[:limit]


def stage_one(batch: Batch, checked: Checked, job_dir: Path):
    (job_dir / "out").mkdir()
    (job_dir / "work").mkdir()
    (job_dir / "work" / checked.copy_name).write_bytes(checked.notebook)
    job = {"notebook": f"work/{checked.copy_name}", "names": batch.assignment.names,
           "memory_bytes": batch.memory_bytes}
    (job_dir / "job.json").write_text(json.dumps(job), encoding="utf-8")
    env = sandbox.job_env(job_dir / "scratch")
    (job_dir / "scratch" / "home").mkdir(parents=True)
    return sandbox.run(sandbox.stage_one_command(job_dir, batch.sandboxed), env, batch.timeout, job_dir,
                       batch.jobs)


def stage_two(batch: Batch, answers: bytes, private: Path):
    answers_path = private / "answers.json"
    answers_path.write_bytes(answers)
    cmd = [sys.executable, "-I", "-B", "-m", "russia_iran.grading.stage_two", str(batch.tests), str(answers_path)]
    return sandbox.run(cmd, sandbox.job_env(private), STAGE_TWO_TIMEOUT, private, batch.jobs)


def error_row(sub: Submission, reasons: list[str]) -> dict:
    return {"file": sub.file, "sha256": sub.sha256, "status": STATUS_ERROR, "reason": "; ".join(reasons)}


def scored_row(batch: Batch, sub: Submission, questions: dict, reasons: list[str]) -> dict:
    row = {"file": sub.file, "sha256": sub.sha256, "status": STATUS_OK}
    total, possible = 0.0, 0.0
    for q in batch.assignment.auto:
        result = questions.get(q.name) or {}
        score, q_possible = result.get("score"), q.points if q.points is not None else result.get("possible", 0.0)
        if not isinstance(score, (int, float)):
            score = 0.0
            reasons.append(f"{q.name} was not graded (counted as 0)")
        score = min(max(float(score), 0.0), float(q_possible))
        row[q.name] = fmt(score)
        total += score
        possible += float(q_possible)
    row["total"], row["possible"] = fmt(round(total, 4)), fmt(round(possible, 4))
    return row


def grade_one(batch: Batch, sub: Submission, checked: Checked) -> Outcome:
    job_dir = Path(tempfile.mkdtemp(prefix="job-", dir=batch.base))
    private = Path(tempfile.mkdtemp(prefix="score-", dir=batch.base))
    try:
        first = stage_one(batch, checked, job_dir)
        log = f"--- stage one (the notebook, in the sandbox) ---\n{first.output}"
        run_record = read_untrusted(job_dir / "out" / "run.json", RUN_RECORD_LIMIT)
        try:
            record = json.loads(run_record) if run_record else {}
        except ValueError:
            record = {}
        record = record if isinstance(record, dict) else {}
        executed = read_untrusted(job_dir / "out" / "executed.ipynb", EXECUTED_LIMIT)
        answers = read_untrusted(job_dir / "out" / "answers.json", ANSWERS_LIMIT)
        reasons = []
        if first.timed_out:
            reasons.append(f"timed out after {fmt(batch.timeout)} s: the notebook was still running (an endless "
                           "loop, or very slow code) and was stopped")
        elif record.get("status") == "kernel_died":
            reasons.append("the notebook's Python kernel died while running: a cell ended the process "
                           "(os._exit, os.kill, a crash) or it ran out of memory")
        elif record.get("status") == "failed":
            reasons.append(f"the notebook could not be run: {short(record.get('message', ''), 300)}")
        elif answers is None:
            reasons.append(f"the notebook's answers were not exported (stage one ended with status "
                           f"{first.returncode}); see the log")
        if reasons:
            return Outcome(error_row(sub, reasons), log, executed)

        second = stage_two(batch, answers, private)
        log += f"\n--- stage two (the tests, outside the sandbox) ---\n{second.output}"
        try:
            result = json.loads(second.output.strip().splitlines()[-1])
        except (ValueError, IndexError):
            result = None
        if not isinstance(result, dict):
            result = {"error": f"the tests could not be run (exit status {second.returncode}); see the log"}
        if "error" in result or not isinstance(result.get("questions"), dict):
            problem = short(result.get("error", "no result"), 300)
            reasons.append(f"the notebook's answers could not be read: {problem}" if result.get("unreadable_answers")
                           else f"the grader failed: {problem}")
            return Outcome(error_row(sub, reasons), log, executed)
        row = scored_row(batch, sub, result["questions"], reasons)
        errors = [e for e in record.get("cell_errors", []) if isinstance(e, dict)]
        if errors:
            shown = "; ".join(short(f"{e.get('ename')}: {e.get('evalue')}".rstrip(": "), 120) for e in errors[:3])
            more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
            word = "a cell" if len(errors) == 1 else f"{len(errors)} cells"
            reasons.append(f"{word} raised an error, grading went on past it: {shown}{more}")
        row["reason"] = "; ".join(reasons)
        return Outcome(row, log, executed)
    finally:
        shutil.rmtree(job_dir, ignore_errors=True)
        shutil.rmtree(private, ignore_errors=True)


def log_name(file: str) -> str:
    return re.sub(r"[\x00-\x1f/\\]", "_", file.replace("/", "__"))[:200]


def write_log(batch: Batch, outcome: Outcome) -> None:
    """The log (the row, then what each stage printed) and the executed notebook, for review."""
    row = outcome.row
    try:
        batch.logs.mkdir(mode=0o700, parents=True, exist_ok=True)
        header = "\n".join(f"{k}: {row.get(k, '')}" for k in ("file", "sha256", "status", "reason", "seconds"))
        name = log_name(row["file"])
        (batch.logs / f"{name}.log").write_text(f"{header}\n\n{outcome.log}", encoding="utf-8")
        if outcome.executed:
            (batch.logs / f"{name}.executed.ipynb").write_bytes(outcome.executed)
    except OSError:
        pass


def finish_row(batch: Batch, row: dict, notes: list[str], seconds: float) -> dict:
    row["reason"] = "; ".join(r for r in [row.get("reason", "")] + notes if r)
    if batch.assignment.possible is not None:
        row.setdefault("possible", fmt(batch.assignment.possible))
    row["graded_at"], row["seconds"] = now(), f"{seconds:.1f}"
    return row


def say(message: str) -> None:
    print(message, flush=True)


def grade_folder(args, assignment: Assignment, folder: Path, out: Path, logs: Path, gradebook: Gradebook) -> int:
    """Grade every submission not yet in the gradebook; returns 0, or 130 after Ctrl-C."""
    paths = find_submissions(folder, args.recursive)  # read once: later arrivals wait for the next run
    if not paths:
        say(f"no .ipynb files in {folder}{'' if args.recursive else ' (use --recursive for sub-folders)'}")
        if not out.exists():
            gradebook.save()
        return 0
    base = Path(tempfile.mkdtemp(prefix="russia-iran-grading-"))
    subs: list[Submission] = []
    interrupted = False
    try:
        subs = snapshot(folder, paths, base / "originals")
        by_hash: dict[str, list[str]] = {}
        for sub in subs:
            by_hash.setdefault(sub.sha256, []).append(sub.file)
        todo = [s for s in subs if not ((row := gradebook.graded(s.file, s.sha256))
                                        and not (args.retry_errors and row["status"] == STATUS_ERROR))]
        say(f"{len(subs)} notebook(s) in {folder}: {len(subs) - len(todo)} already graded (skipped), "
            f"{len(todo)} to grade; gradebook {out}")
        batch = Batch(assignment, base, base / "tests", args.timeout,
                      args.memory_mb * 1024 * 1024 if args.memory_mb > 0 else 0, not args.no_sandbox, logs)
        to_run = []
        for sub in todo:
            checked = (Checked("a symbolic link, not a file: not graded") if sub.backup is None
                       else precheck(sub.backup.read_bytes(), assignment, int(args.max_size_mb * 1e6)))
            dups = [f for f in by_hash[sub.sha256] if f != sub.file]
            if dups and checked.reason is None:
                checked.notes.append(f"identical to {', '.join(dups)}")
            if checked.reason is None:
                to_run.append((sub, checked))
                continue
            gradebook.put(finish_row(batch, error_row(sub, [checked.reason]), [], 0.0))
            say(f"  {sub.file}: error: {checked.reason}")
        if not to_run:
            return 0
        (base / "probe").mkdir()
        try:
            say("isolation: " + sandbox.check(batch.sandboxed, base / "probe"))
        except sandbox.SandboxUnavailable as e:
            raise GradingSetupError(str(e)) from None
        assignment.extract_tests(batch.tests)
        interrupted = run_jobs(batch, to_run, gradebook, args.jobs)
        return 130 if interrupted else 0
    finally:
        restored = restore_changed(subs)
        if restored:
            say(f"WARNING: submission file(s) changed while grading; the original bytes were put back: "
                f"{', '.join(restored)}")
        late = sorted({p.relative_to(folder).as_posix() for p in find_submissions(folder, args.recursive)}
                      - {s.file for s in subs})
        if late and subs:
            say(f"note: {len(late)} file(s) appeared in {folder} while grading and were not graded in this run: "
                f"{', '.join(late)}; check where they came from, then run again to grade them")
        shutil.rmtree(base, ignore_errors=True)
        if interrupted:
            say(f"interrupted: {out} holds every row finished so far and is valid; run the same command "
                "again to grade the rest")


def run_jobs(batch: Batch, to_run: list, gradebook: Gradebook, jobs: int) -> bool:
    """Grade in parallel, writing each row as it finishes. Returns True if interrupted (Ctrl-C)."""
    def timed(sub, checked):
        start = time.monotonic()
        return grade_one(batch, sub, checked), time.monotonic() - start

    executor = ThreadPoolExecutor(max_workers=min(jobs, len(to_run)))
    futures = {executor.submit(timed, sub, checked): (sub, checked) for sub, checked in to_run}
    done = 0
    try:
        pending = set(futures)
        while pending:
            finished, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
            for future in finished:
                sub, checked = futures[future]
                try:
                    outcome, seconds = future.result()
                except Exception as e:  # noqa: BLE001 - a failure of ours must not stop the batch
                    outcome, seconds = Outcome(error_row(sub, [f"the grader failed: {type(e).__name__}: {e}"]),
                                               ""), 0.0
                if batch.jobs.stopping.is_set():
                    continue
                row = finish_row(batch, outcome.row, checked.notes, seconds)
                gradebook.put(row)
                write_log(batch, outcome)
                done += 1
                score = f"{row.get('total', '')}/{row.get('possible', '')}" if row["status"] == STATUS_OK else ""
                say(f"  [{done}/{len(to_run)}] {sub.file}: {row['status']} {score} ({seconds:.1f} s)"
                    + (f" - {row['reason']}" if row["reason"] else ""))
    except BaseException as e:  # Ctrl-C, or a failure of ours (e.g. the gradebook cannot be written)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        batch.jobs.stop_all()
        executor.shutdown(wait=True, cancel_futures=True)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        if isinstance(e, KeyboardInterrupt):
            return True
        raise
    executor.shutdown(wait=True)
    return False
