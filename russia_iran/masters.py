"""What an otter master notebook holds: its configuration, its questions, and the lines
(solutions, hidden tests) that must never reach a student.

Read by the exercise builder (assignments.py), the student pack's leak check
(student_pack.py), the assessment map (assessment.py) and the answer keys.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .paths import ROOT

MASTERS_DIR = ROOT / "exercises" / "masters"
STUDENT_DIR = ROOT / "exercises"  # the student notebooks otter assign makes from them


@dataclass(frozen=True)
class Question:
    name: str
    points: float | None  # None: otter's default (1 per question, or the tests' points)
    manual: bool


_BLOCK = re.compile(r"#\s+(BEGIN|END)\s+(QUESTION|PROMPT|SOLUTION|TESTS)\b", re.IGNORECASE)
_CONFIG = re.compile(r"#\s+ASSIGNMENT\s+CONFIG\b", re.IGNORECASE)


def cell_source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _unfence(cell: dict) -> tuple[str, str]:
    """(cell type, text) with a Markdown ```otter fenced block read as a raw cell, as otter does."""
    text = cell_source(cell)
    kind = cell.get("cell_type", "")
    if kind == "markdown":
        lines = text.strip().splitlines()
        if len(lines) >= 2 and lines[0].strip() == "```otter" and lines[-1].strip() == "```":
            return "raw", "\n".join(lines[1:-1])
    return kind, text


def _yaml(text: str) -> dict:
    body = text.split("\n", 1)[1] if "\n" in text else ""
    data = yaml.safe_load(body) or {}
    return data if isinstance(data, dict) else {}


def config_cell(nb: dict) -> tuple[int, dict] | None:
    """The position and settings of a master's ASSIGNMENT CONFIG cell, if it has one."""
    for index, cell in enumerate(nb.get("cells", [])):
        kind, text = _unfence(cell)
        if kind == "raw" and _CONFIG.match(text.lstrip().split("\n", 1)[0]):
            return index, _yaml(text.lstrip())
    return None


def read_master(master: Path) -> tuple[dict, list[Question]]:
    """The assignment config and the questions of a master notebook."""
    nb = json.loads(Path(master).read_text(encoding="utf-8"))
    config: dict = {}
    questions: list[Question] = []
    for cell in nb.get("cells", []):
        kind, text = _unfence(cell)
        if kind != "raw":
            continue
        first = text.lstrip().split("\n", 1)[0]
        if _CONFIG.match(first):
            config.update(_yaml(text.lstrip()))
        m = _BLOCK.match(first)
        if m and m.group(1).upper() == "BEGIN" and m.group(2).upper() == "QUESTION":
            q = _yaml(text.lstrip())
            if "name" in q:
                pts = q.get("points")
                questions.append(Question(str(q["name"]),
                                          float(pts) if isinstance(pts, (int, float)) else None,
                                          bool(q.get("manual", False))))
    return config, questions


def normalised(line: str) -> list[str]:
    """Comparable forms of one source line (no trailing otter marker, single spaces, ast form)."""
    line = re.sub(r"#\s*(SOLUTION|SEED|IGNORE)(\s+NO PROMPT)?\s*$", "", line).strip()
    if not line or line.startswith("#") or line in ("...", '"""', "'''"):
        return []
    out = [" ".join(line.split())]
    try:  # otter rewrites tests with ast.unparse: compare that form too
        out.append(ast.unparse(ast.parse(line)))
    except SyntaxError:
        pass
    return out


def secret_lines(master_nb: dict) -> tuple[set[str], int]:
    """Solution lines and hidden-test lines of a master that must not reach students.

    Returns (normalised lines, number of public test cells). A line that also occurs
    in public material (prompts, public tests, other cells) is not counted as secret.
    """
    secret: set[str] = set()
    public: set[str] = set()
    public_tests = 0
    stack: list[str] = []

    for cell in master_nb.get("cells", []):
        kind, text = _unfence(cell)
        first = text.lstrip().split("\n", 1)[0]
        m = _BLOCK.match(first) if kind == "raw" else None
        if m:
            if m.group(1).upper() == "BEGIN":
                stack.append(m.group(2).upper())
            elif stack:
                stack.pop()
            continue
        if kind == "raw" and _CONFIG.match(first):
            continue
        block = stack[-1] if stack else None
        lines = text.split("\n")
        if block == "SOLUTION":
            if kind == "markdown":
                tags = cell.get("metadata", {}).get("tags", [])
                target = public if "otter_include" in tags else secret
                for line in lines:
                    target.update(normalised(line))
            else:
                inside = False
                for line in lines:
                    s = line.strip()
                    if re.match(r"#\s*BEGIN SOLUTION", s):
                        inside = True
                        continue
                    if re.match(r"#\s*END SOLUTION", s):
                        inside = False
                        continue
                    is_secret = inside or re.search(r"#\s*SOLUTION(\s+NO PROMPT)?\s*$", line)
                    (secret if is_secret else public).update(normalised(line))
        elif block == "TESTS":
            config_end = 0
            hidden = bool(re.search(r"\bhidden\b", first, re.IGNORECASE)) and first.strip().startswith("#")
            if re.match(r'(?:.\s*=\s*)?""?"?\s*#\s*BEGIN\s*TEST\s*CONFIG', first, re.IGNORECASE):
                for i, line in enumerate(lines):
                    if re.match(r'""?"?\s*#\s*END\s*TEST\s*CONFIG', line, re.IGNORECASE):
                        config_end = i + 1
                        break
                conf = _yaml("\n".join(lines[:config_end - 1])) if config_end else {}
                hidden = bool(conf.get("hidden", hidden))
            body = lines[config_end:]
            if not hidden:
                public_tests += 1
            for line in body:
                if line.rstrip().endswith("# IGNORE"):
                    continue
                (secret if hidden else public).update(normalised(line))
        else:
            for line in lines:
                public.update(normalised(line))
    return secret - public, public_tests


def check_student_notebook(master: Path, student: Path) -> list[str]:
    """Problems that would leak answers: solution lines, hidden tests, or outputs in the student notebook."""
    master_nb = json.loads(Path(master).read_text(encoding="utf-8"))
    student_nb = json.loads(Path(student).read_text(encoding="utf-8"))
    problems: list[str] = []
    secrets, public_tests = secret_lines(master_nb)

    tests = student_nb.get("metadata", {}).get("otter", {}).get("tests", {}) or {}
    texts: list[str] = []
    n_cases = 0
    for name, test in tests.items():
        src = test if isinstance(test, str) else json.dumps(test)
        texts.append(src)
        if re.search(r"hidden\s*=\s*True|['\"]hidden['\"]\s*:\s*true", src):
            problems.append(f"the tests of {name} stored in the student notebook include a hidden test")
        n_cases += len(re.findall(r"@test_case\(", src)) if isinstance(test, str) else \
            sum(len(s.get("cases", [])) for s in test.get("suites", []))
    if n_cases > public_tests:
        problems.append(f"the student notebook holds {n_cases} test cases but the master has only "
                        f"{public_tests} public ones")
    for i, cell in enumerate(student_nb.get("cells", [])):
        texts.append(cell_source(cell))
        if cell.get("outputs") or cell.get("execution_count") is not None:
            problems.append(f"cell {i} of the student notebook has outputs")
    student_lines: set[str] = set()
    for text in texts:
        for line in text.split("\n"):
            student_lines.update(normalised(line))
    for line in sorted(secrets & student_lines):
        problems.append(f"a solution or hidden-test line reached the student notebook: {line!r}")
    return problems


def answer_names(master: Path) -> list[str]:
    """The answers whose public checks compare against a key (their ``check_answer`` calls)."""
    cells = json.loads(Path(master).read_text(encoding="utf-8")).get("cells", [])
    text = "\n".join(cell_source(cell) for cell in cells)
    return list(dict.fromkeys(re.findall(r'check_answer\("[^"]+", "(\w+)"', text)))
