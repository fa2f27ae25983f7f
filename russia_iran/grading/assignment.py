"""What the grader knows of an assignment: its questions, their points, the variables the tests
read, and the hand-graded questions, from the autograder zip and the master notebook."""

from __future__ import annotations

import ast
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..paths import ROOT
from .gradebook import HEAD_COLUMNS, TAIL_COLUMNS, GradingSetupError

MASTERS_DIR = ROOT / "exercises" / "masters"
AUTOGRADER_DIR = ROOT / "_build" / "autograder"


@dataclass
class Question:
    name: str
    points: float | None


@dataclass
class Assignment:
    name: str
    autograder_zip: Path
    expected_name: str                 # the otter assignment name every submission must carry
    auto: list[Question]               # graded by the tests, in the autograder's order
    manual: list[Question]             # graded by hand, from the master
    names: list[str]                   # the notebook variables the tests read
    warnings: list[str] = field(default_factory=list)

    @property
    def columns(self) -> list[str]:
        return (HEAD_COLUMNS + [q.name for q in self.auto] + ["total", "possible"]
                + [f"{q.name}_manual" for q in self.manual] + TAIL_COLUMNS)

    @property
    def possible(self) -> float | None:
        points = [q.points for q in self.auto]
        return None if None in points else float(sum(points))

    def extract_tests(self, folder: Path) -> Path:
        """The autograder's test files, for stage two only (never inside the sandbox)."""
        folder.mkdir(mode=0o700)
        with zipfile.ZipFile(self.autograder_zip) as z:
            for q in self.auto:
                (folder / f"{q.name}.py").write_bytes(z.read(f"tests/{q.name}.py"))
        return folder


def natural_key(name: str):
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name)]


def test_parameters(source: str) -> set[str]:
    """The variables an otter test file reads: the parameters of its test functions."""
    names = set()
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef):
            names.update(a.arg for a in node.args.args if a.arg != "env")
    return names


def load_assignment(name: str, autograder: Path | None = None, master: Path | None = None) -> Assignment:
    zip_path = Path(autograder) if autograder else AUTOGRADER_DIR / f"{name}-autograder.zip"
    try:
        found = zip_path.is_file()
    except OSError as e:
        raise GradingSetupError(f"cannot read the autograder zip {zip_path}: {e.strerror}") from None
    if not found:
        hint = "" if autograder else " (build it with: python -m russia_iran.assignments build, or pass --autograder)"
        raise GradingSetupError(f"autograder zip not found: {zip_path}{hint}")
    auto, names = [], set()
    try:
        with zipfile.ZipFile(zip_path) as z:
            members = z.namelist()
            config = json.loads(z.read("otter_config.json")) if "otter_config.json" in members else {}
            for member in members:
                m = re.fullmatch(r"tests/([^/]+)\.py", member)
                if not m:
                    continue
                text = z.read(member).decode("utf-8", "replace")
                points = re.search(r"^points\s*=\s*([0-9.]+)\s*$", text, re.MULTILINE)
                auto.append(Question(m.group(1), float(points.group(1)) if points else None))
                names |= test_parameters(text)
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, SyntaxError) as e:
        raise GradingSetupError(f"{zip_path} is not a readable otter autograder zip ({e})") from None
    if not auto:
        raise GradingSetupError(f"{zip_path} holds no tests (no tests/*.py): is it an otter autograder zip?")
    auto.sort(key=lambda q: natural_key(q.name))
    expected = config.get("assignment_name") or name
    warnings = []
    if config.get("assignment_name") and config["assignment_name"] != name:
        warnings.append(f"note: the autograder zip is for otter assignment '{config['assignment_name']}'; "
                        f"submissions must carry that name")

    manual: list[Question] = []
    master_path = Path(master) if master else MASTERS_DIR / f"{name}.ipynb"
    if master_path.is_file():
        try:
            from ..assignments import read_master

            _, questions = read_master(master_path)
            manual = [Question(q.name, q.points) for q in questions if q.manual]
            auto_master = {q.name for q in questions if not q.manual}
            if auto_master and auto_master != {q.name for q in auto}:
                warnings.append(f"warning: the questions of {master_path.name} ({', '.join(sorted(auto_master))}) "
                                f"differ from the autograder's; is {zip_path.name} out of date?")
        except Exception as e:  # noqa: BLE001 - a broken master only costs the manual columns
            warnings.append(f"warning: could not read the master {master_path} ({e}); no manual-question columns")
    elif master:
        raise GradingSetupError(f"master notebook not found: {master_path}")
    else:
        warnings.append(f"note: no master at {master_path}; the gradebook has no columns for hand-graded "
                        "questions (pass --master to add them)")
    return Assignment(name, zip_path, expected, auto, manual, sorted(names), warnings)
