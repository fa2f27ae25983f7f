"""Gradebooks a learning platform imports: match submissions to a roster, write Canvas and Moodle CSVs.

    python -m russia_iran.lms GRADEBOOK.csv --roster ROSTER.csv --title "Assignment 1"
        [--match REGEX] [--out-dir DIR]

The roster is a CSV with the columns ``student_id``, ``name`` and ``email`` (an optional
``section`` is passed on to Canvas). A submission file belongs to a student when its name
contains the student's id or the part of the email before the ``@`` as a whole word
(``jdoe_01_history.ipynb``, ``01_history - 2024123.ipynb``), or, with ``--match``, when the
regular expression's group named ``student`` matches the id or that part of the email.
Files that match no one, or more than one student, and students with no file are reported,
never guessed.

The score is the gradebook's automatic ``total`` plus any marks typed in its ``*_manual``
columns. Two exports are written beside the gradebook:

* ``…-canvas.csv``: the columns ``Student``, ``ID``, ``SIS User ID``, ``SIS Login ID``,
  ``Section`` and one column named after the assignment. Canvas needs one of the student's
  name, Canvas ID or SIS User ID, plus the SIS Login ID and Section columns; the roster's
  ``student_id`` is written as the SIS User ID and its email as the SIS Login ID.
* ``…-moodle.csv``: ``Email address``, ``ID number``, ``Full name`` and the assignment's
  column, one row per roster student (a Moodle import stops at a student it does not know);
  map "Email address" to the user's email when importing. A student with no submission gets
  an empty cell, which Moodle leaves unchanged.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROSTER_COLUMNS = ("student_id", "name", "email")
CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
MOODLE_COLUMNS = ["Email address", "ID number", "Full name"]


class ExportError(ValueError):
    """A roster or gradebook that cannot be used, with the reason."""


@dataclass
class Matching:
    scores: dict[str, float] = field(default_factory=dict)  # student_id -> score
    unmatched_files: list[str] = field(default_factory=list)
    ambiguous_files: list[str] = field(default_factory=list)
    missing_students: list[str] = field(default_factory=list)
    without_manual_marks: list[str] = field(default_factory=list)


def _read_csv(path: Path, what: str) -> list[dict]:
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            return list(csv.DictReader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise ExportError(f"cannot read the {what} {path}: {e}") from None


def read_roster(path: Path) -> list[dict]:
    rows = _read_csv(path, "roster")
    if not rows or not set(ROSTER_COLUMNS) <= set(rows[0]):
        raise ExportError(f"the roster {path} needs the columns {', '.join(ROSTER_COLUMNS)}")
    ids = [r["student_id"].strip() for r in rows]
    blank = [i + 2 for i, r in enumerate(rows) if not r["student_id"].strip() or not r["email"].strip()]
    if blank:
        raise ExportError(f"the roster {path} has rows without a student_id or email (lines {blank[:5]})")
    if len(set(ids)) != len(ids):
        raise ExportError(f"the roster {path} lists a student_id twice")
    return rows


def _keys(student: dict) -> set[str]:
    return {student["student_id"].strip().lower(), student["email"].split("@")[0].strip().lower()}


def owner(file_name: str, roster: list[dict], match: str | None = None) -> list[dict]:
    """The roster students a submission file name points to (none, one, or several)."""
    stem = Path(file_name).stem.lower()
    if match:
        m = re.search(match, Path(file_name).name)
        token = (m.group("student") if m else "").lower()
        return [s for s in roster if token and token in _keys(s)]
    words = set(re.split(r"[^0-9a-z.]+", stem)) | set(re.split(r"[^0-9a-z]+", stem))
    return [s for s in roster if _keys(s) & words]


def _number(text: str) -> float | None:
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def match(gradebook: list[dict], roster: list[dict], pattern: str | None = None) -> Matching:
    result = Matching()
    for row in gradebook:
        found = owner(row["file"], roster, pattern)
        if not found:
            result.unmatched_files.append(row["file"])
            continue
        if len(found) > 1:
            result.ambiguous_files.append(row["file"])
            continue
        student = found[0]["student_id"].strip()
        auto = _number(row.get("total")) or 0.0
        manual_columns = [c for c in row if c.endswith("_manual")]
        marks = [_number(row[c]) for c in manual_columns]
        if manual_columns and any(m is None for m in marks):
            result.without_manual_marks.append(student)
        score = auto + sum(m for m in marks if m is not None)
        if student in result.scores:  # two files for one student: keep the better, report it
            result.ambiguous_files.append(row["file"])
        result.scores[student] = max(score, result.scores.get(student, score))
    result.missing_students = [s["student_id"].strip() for s in roster if s["student_id"].strip() not in result.scores]
    return result


def _write(path: Path, columns: list[str], rows: list[list]) -> Path:
    partial = path.with_suffix(".partial")
    with open(partial, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(columns)
        writer.writerows(rows)
    partial.replace(path)
    return path


def _score(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def write_canvas(path: Path, roster: list[dict], result: Matching, title: str) -> Path:
    rows = [[s["name"], "", s["student_id"].strip(), s["email"].strip(), s.get("section", "") or "",
             _score(result.scores.get(s["student_id"].strip()))]
            for s in roster if s["student_id"].strip() in result.scores]
    return _write(path, CANVAS_COLUMNS + [title], rows)


def write_moodle(path: Path, roster: list[dict], result: Matching, title: str) -> Path:
    rows = [[s["email"].strip(), s["student_id"].strip(), s["name"],
             _score(result.scores.get(s["student_id"].strip()))] for s in roster]
    return _write(path, MOODLE_COLUMNS + [title], rows)


def export(gradebook_path: Path, roster_path: Path, title: str, pattern: str | None = None,
           out_dir: Path | None = None) -> tuple[Matching, Path, Path]:
    roster = read_roster(roster_path)
    gradebook = _read_csv(gradebook_path, "gradebook")
    if gradebook and not {"file", "total"} <= set(gradebook[0]):
        raise ExportError(f"{gradebook_path} is not a gradebook written by the grader (no file/total columns)")
    if pattern:
        try:
            if "student" not in re.compile(pattern).groupindex:
                raise ExportError("--match needs a group named student, for example '^(?P<student>\\d+)_'")
        except re.error as e:
            raise ExportError(f"--match is not a valid regular expression: {e}") from None
    result = match(gradebook, roster, pattern)
    folder = out_dir or gradebook_path.parent
    stem = gradebook_path.stem
    return (result, write_canvas(folder / f"{stem}-canvas.csv", roster, result, title),
            write_moodle(folder / f"{stem}-moodle.csv", roster, result, title))


def report(result: Matching) -> str:
    lines = [f"{len(result.scores)} students matched"]
    for label, items in (("files matching no student", result.unmatched_files),
                         ("files matching several students, or a second file for one student", result.ambiguous_files),
                         ("students with no submission", result.missing_students),
                         ("students whose marks graded by hand are still empty", result.without_manual_marks)):
        if items:
            lines.append(f"{label} ({len(items)}): {', '.join(items)}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m russia_iran.lms", description=__doc__.split("\n\n")[0])
    parser.add_argument("gradebook", type=Path, help="the CSV the grader wrote")
    parser.add_argument("--roster", type=Path, required=True, help="CSV with student_id, name, email (and section)")
    parser.add_argument("--title", required=True, help="the assignment's name in the course site")
    parser.add_argument("--match", help="regular expression with a group named student, applied to file names")
    parser.add_argument("--out-dir", type=Path, help="folder for the exports (default: beside the gradebook)")
    args = parser.parse_args(argv)
    try:
        result, canvas, moodle = export(args.gradebook, args.roster, args.title, args.match, args.out_dir)
    except ExportError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(report(result))
    print(f"wrote {canvas} and {moodle}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
