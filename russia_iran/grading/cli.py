"""The grading command: arguments, set-up checks, the gradebook lock, the course-site exports."""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

from .assignment import load_assignment
from .batch import grade_folder, say
from .gradebook import Gradebook, GradingSetupError

DEFAULT_TIMEOUT = 300.0
DEFAULT_JOBS = 2
DEFAULT_MAX_SIZE_MB = 50
DEFAULT_MEMORY_MB = 4096


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m russia_iran.grading",
        description="Grade every submitted notebook in a folder into a CSV gradebook: each runs in a "
                    "sandbox, and the hidden tests score its exported answers in a separate process.")
    parser.add_argument("submissions", type=Path, metavar="SUBMISSIONS_DIR", help="folder of submitted .ipynb files")
    parser.add_argument("--assignment", required=True, metavar="NAME",
                        help="assignment name, e.g. 01_history (finds _build/autograder/NAME-autograder.zip "
                             "and exercises/masters/NAME.ipynb)")
    parser.add_argument("--autograder", type=Path, metavar="ZIP", help="otter autograder zip (default: from NAME)")
    parser.add_argument("--master", type=Path, metavar="NOTEBOOK",
                        help="master notebook, to list the hand-graded questions (default: from NAME)")
    parser.add_argument("--out", type=Path, metavar="CSV", help="gradebook file (default: gradebook-NAME.csv)")
    parser.add_argument("--logs", type=Path, metavar="DIR",
                        help="folder for each submission's log and executed notebook (default: next to the gradebook)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                        help=f"time limit per submission (default {DEFAULT_TIMEOUT:g})")
    parser.add_argument("--jobs", type=int, default=DEFAULT_JOBS,
                        help=f"submissions graded at once (default {DEFAULT_JOBS})")
    parser.add_argument("--recursive", action="store_true", help="also grade notebooks in sub-folders")
    parser.add_argument("--retry-errors", action="store_true", help="regrade unchanged files whose row says error")
    parser.add_argument("--max-size-mb", type=float, default=DEFAULT_MAX_SIZE_MB,
                        help=f"larger files are not graded (default {DEFAULT_MAX_SIZE_MB})")
    parser.add_argument("--memory-mb", type=int, default=DEFAULT_MEMORY_MB,
                        help=f"address-space limit per submission (default {DEFAULT_MEMORY_MB}; 0 = none)")
    parser.add_argument("--no-sandbox", action="store_true",
                        help="run submissions without the bubblewrap sandbox (only where it cannot start; "
                             "a submission can then read and write whatever you can)")
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


def run(args: argparse.Namespace) -> int:
    folder = args.submissions
    try:
        found = folder.is_dir()
    except OSError as e:
        raise GradingSetupError(f"cannot read the submissions folder {folder}: {e.strerror}") from None
    if not found:
        raise GradingSetupError(f"submissions folder not found: {folder}" if not folder.exists()
                                else f"{folder} is a file; give the folder that holds the submissions")
    assignment = load_assignment(args.assignment, args.autograder, args.master)
    for warning in assignment.warnings:
        say(warning)
    out = (args.out or Path(f"gradebook-{args.assignment}.csv")).resolve()
    folder = folder.resolve()
    logs = (args.logs or out.with_name(out.stem + "-logs")).resolve()
    if out.exists() and not out.is_file():
        raise GradingSetupError(f"the gradebook path {out} exists but is not a file")
    gradebook = Gradebook(out, assignment.columns)
    gradebook.lock()
    try:
        gradebook.load()
        status = grade_folder(args, assignment, folder, out, logs, gradebook)
    finally:
        gradebook.unlock()
    if args.roster and out.exists():
        from .. import lms

        try:
            result, canvas, moodle = lms.export(out, args.roster, args.title or args.assignment, args.match)
        except lms.ExportError as e:
            raise GradingSetupError(str(e)) from None
        say(lms.report(result))
        say(f"course-site exports: {canvas} (Canvas) and {moodle} (Moodle)")
    return status


def main(argv: list[str] | None = None) -> int:
    """Returns the exit status: 0 done, 1 a set-up error (with a message), 130 interrupted."""
    args = parse_args(argv)
    previous = signal.getsignal(signal.SIGTERM)

    def on_term(signum, frame):
        raise KeyboardInterrupt

    try:
        signal.signal(signal.SIGTERM, on_term)
    except ValueError:  # not in the main thread
        previous = None
    try:
        return run(args)
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
