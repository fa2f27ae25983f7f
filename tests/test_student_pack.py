"""The student pack holds what students need and nothing instructors keep."""

from __future__ import annotations

import json
import shutil
import zipfile

import pytest

from russia_iran import student_pack
from russia_iran.masters import MASTERS_DIR


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    return student_pack.build(tmp_path_factory.mktemp("pack") / "student-pack.zip")


def test_the_pack_holds_notebooks_package_data_and_instructions(pack):
    names = zipfile.ZipFile(pack).namelist()
    folder = student_pack.FOLDER
    for master in MASTERS_DIR.glob("0*.ipynb"):
        assert f"{folder}/exercises/{master.name}" in names
    assert {f"{folder}/README.md", f"{folder}/requirements.lock", f"{folder}/pyproject.toml",
            f"{folder}/data/datapackage.json", f"{folder}/russia_iran/answer_keys.py"} <= set(names)
    readme = zipfile.ZipFile(pack).read(f"{folder}/README.md").decode()
    assert "pip install -r requirements.lock" in readme and "jupyter lab exercises" in readme


def test_the_pack_leaks_nothing(pack, tmp_path):
    assert student_pack.leaks(pack) == []
    assert student_pack.notebooks_match_masters(pack, tmp_path) == []


def test_the_leak_check_finds_a_master_and_a_solution(pack, tmp_path):
    bad = tmp_path / "bad.zip"
    shutil.copy(pack, bad)
    master = sorted(MASTERS_DIR.glob("0*.ipynb"))[0]
    nb = json.loads(master.read_text(encoding="utf-8"))
    hidden = next("".join(c["source"]) for c in nb["cells"] if "hidden: true" in "".join(c["source"]))
    with zipfile.ZipFile(bad, "a") as z:
        z.writestr(f"{student_pack.FOLDER}/exercises/masters/{master.name}", master.read_text(encoding="utf-8"))
        z.writestr(f"{student_pack.FOLDER}/notes.py", hidden)
    problems = student_pack.leaks(bad)
    assert any("instructors only" in p for p in problems)
    assert any("notes.py" in p for p in problems)


def test_the_same_inputs_give_the_same_pack(pack, tmp_path):
    again = student_pack.build(tmp_path / "again.zip")
    assert again.read_bytes() == pack.read_bytes()
