"""Time the batch grader against a serial `otter run` loop on the same submissions.

    ./run.sh benchmark --grading [N]     N submissions of assignment 1 (default 40)

Half the submissions are the master's solutions, half untouched student notebooks. The
grader runs them two at a time, each in two stages (the sandbox, then the tests); the
baseline runs `otter run` on each in turn, as an instructor without Docker would. Prints
both times and their ratio; the target is a ratio of at least 1.8. Asserts nothing.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENT = "01_history"
TARGET_RATIO = 1.8


def main(count: int) -> None:
    sys.path.insert(0, str(ROOT))
    from russia_iran import assignments

    work = Path(tempfile.mkdtemp(prefix="russia-iran-grading-benchmark-"))
    try:
        master = assignments.MASTERS_DIR / f"{ASSIGNMENT}.ipynb"
        made = assignments.assign(master, work / "dist", run_tests=False)
        folder = work / "submissions"
        folder.mkdir()
        for i in range(count):
            source = made.solutions_notebook if i % 2 == 0 else made.student_notebook
            shutil.copy(source, folder / f"student_{i:03d}.ipynb")
        print(f"{count} submissions of {ASSIGNMENT} (half solutions, half untouched)", flush=True)

        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "russia_iran.grading", str(folder), "--assignment", ASSIGNMENT,
                        "--autograder", str(made.autograder_zip), "--master", str(master),
                        "--out", str(work / "gradebook.csv"), "--jobs", "2"], check=True, cwd=work,
                       stdout=subprocess.DEVNULL)
        grader = time.perf_counter() - start
        print(f"  the grader, two at a time, two stages each: {grader:.0f} s", flush=True)

        otter = Path(sys.executable).parent / "otter"
        start = time.perf_counter()
        for notebook in sorted(folder.glob("*.ipynb")):
            out = work / "otter" / notebook.stem
            out.mkdir(parents=True)
            subprocess.run([str(otter), "run", "-a", str(made.autograder_zip), "-o", str(out), str(notebook)],
                           cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        serial = time.perf_counter() - start
        print(f"  a serial `otter run` loop: {serial:.0f} s", flush=True)
        print(f"  ratio {serial / grader:.2f} (target at least {TARGET_RATIO})")
    finally:
        shutil.rmtree(work, ignore_errors=True)
