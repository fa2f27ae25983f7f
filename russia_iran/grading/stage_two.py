"""Stage two: score exported answers with the autograder's tests, running no student code.

    python -I -m russia_iran.grading.stage_two TESTS_DIR ANSWERS_JSON

A fresh process, outside the sandbox, that reads the answers as data (:mod:`.answers`) and
runs otter's test files (hidden tests included) against them. It prints one JSON object:
``{"questions": {"q1": {"score": 1.0, "possible": 1.0}, ...}}`` or ``{"error": "..."}``.
Nothing the submission did in stage one can reach this process.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .answers import AnswersError, load


def score(tests_dir: Path, answers_path: Path) -> dict:
    from otter.test_files import ExceptionTestFile

    try:
        env = load(answers_path)
    except AnswersError as e:
        return {"error": str(e), "unreadable_answers": True}
    questions = {}
    for path in sorted(tests_dir.glob("*.py")):
        test_file = ExceptionTestFile.from_file(str(path))
        test_file.run(dict(env))
        questions[path.stem] = {"score": float(test_file.score), "possible": float(test_file.possible)}
    return {"questions": questions}


def main(argv: list[str]) -> int:
    print(json.dumps(score(Path(argv[0]), Path(argv[1]))), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
