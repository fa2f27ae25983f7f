"""Gradebook exports that Canvas and Moodle import, with unknown and missing students reported."""

from __future__ import annotations

import csv

import pytest

from russia_iran import lms

GRADEBOOK_COLUMNS = ["file", "sha256", "status", "reason", "q1", "q2", "total", "possible", "q14_manual",
                     "graded_at", "seconds"]


def write_csv(path, columns, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(columns)
        w.writerows(rows)
    return path


@pytest.fixture
def batch(tmp_path):
    roster = write_csv(tmp_path / "roster.csv", ["student_id", "name", "email", "section"], [
        ["2024001", "Doe, Jane", "j.doe@uni.example", "A"],
        ["2024002", "Roe, Rick", "rroe@uni.example", "B"],
        ["2024003", "Poe, Pat", "ppoe@uni.example", "A"],
    ])
    gradebook = write_csv(tmp_path / "gradebook-01_history.csv", GRADEBOOK_COLUMNS, [
        ["j.doe_01_history.ipynb", "x", "ok", "", "1", "2", "3", "5", "4", "", ""],
        ["01_history - 2024002.ipynb", "y", "ok", "", "1", "1", "2", "5", "", "", ""],
        ["stranger.ipynb", "z", "ok", "", "1", "1", "2", "5", "", "", ""],
    ])
    return gradebook, roster


def read(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_canvas_export_has_the_documented_columns_and_only_known_students(batch):
    gradebook, roster = batch
    result, canvas, _ = lms.export(gradebook, roster, "Assignment 1")
    rows = read(canvas)
    assert list(rows[0]) == lms.CANVAS_COLUMNS + ["Assignment 1"]
    assert {r["SIS User ID"]: float(r["Assignment 1"]) for r in rows} == {"2024001": 7.0, "2024002": 2.0}
    assert all(r["SIS Login ID"].endswith("@uni.example") and r["Section"] for r in rows)
    assert result.unmatched_files == ["stranger.ipynb"]
    assert result.missing_students == ["2024003"]
    assert result.without_manual_marks == ["2024002"]


def test_moodle_export_names_every_roster_student_and_no_one_else(batch):
    gradebook, roster = batch
    _, _, moodle = lms.export(gradebook, roster, "Assignment 1")
    rows = read(moodle)
    assert list(rows[0]) == lms.MOODLE_COLUMNS + ["Assignment 1"]
    known = {r["email"] for r in lms.read_roster(roster)}
    assert {r["Email address"] for r in rows} == known
    by_email = {r["Email address"]: r["Assignment 1"] for r in rows}
    assert by_email["ppoe@uni.example"] == ""  # no submission: left blank, not zero
    assert float(by_email["j.doe@uni.example"]) == 7.0


def test_a_match_rule_and_ambiguous_names(batch, tmp_path):
    _, roster = batch
    students = lms.read_roster(roster)
    assert [s["student_id"] for s in lms.owner("2024003_essay.ipynb", students, r"^(?P<student>\d+)_")] == ["2024003"]
    assert len(lms.owner("rroe and ppoe.ipynb", students)) == 2
    gradebook = write_csv(tmp_path / "g.csv", GRADEBOOK_COLUMNS,
                          [["rroe and ppoe.ipynb", "", "ok", "", "", "", "1", "5", "", "", ""]])
    result, _, _ = lms.export(gradebook, roster, "A1")
    assert result.ambiguous_files == ["rroe and ppoe.ipynb"] and not result.scores


def test_bad_inputs_get_a_message_not_a_traceback(batch, tmp_path, capsys):
    gradebook, _ = batch
    bad_roster = write_csv(tmp_path / "bad.csv", ["id", "who"], [["1", "x"]])
    assert lms.main([str(gradebook), "--roster", str(bad_roster), "--title", "A1"]) == 1
    assert "student_id" in capsys.readouterr().err
    _, roster = batch
    assert lms.main([str(gradebook), "--roster", str(roster), "--title", "A1", "--match", "(no group)"]) == 1
    assert "group named student" in capsys.readouterr().err
    assert lms.main([str(tmp_path / "missing.csv"), "--roster", str(roster), "--title", "A1"]) == 1
