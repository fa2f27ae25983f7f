"""Right-or-not-yet feedback for the exercises' public checks, without the answer in the notebook.

As in UBC's worksheets, an answer is reduced to a canonical text (numbers to two decimals,
letters upper-case, tables as sorted rows) and compared, as a salted SHA-256 digest, with the
digest of the master's solution. The digests of an assignment's answers are in
``answer_keys/<assignment>.json``, written from the masters by
``python -m russia_iran.assignments build``. A digest hides an answer from a glance, not from
a student who tries every small number: the hidden tests still decide the grade.
"""

from __future__ import annotations

import hashlib
import json
import numbers
import secrets
import subprocess
import sys
from pathlib import Path

import pandas as pd

from .masters import answer_names

KEYS_DIR = Path(__file__).parent / "answer_keys"
NOT_YET = "not right yet"


def canonical(value) -> str:
    """The text an answer is compared by: independent of int/float, case, row and column order."""
    if isinstance(value, pd.DataFrame):
        columns = sorted(map(str, value.columns))
        frame = value.copy()
        frame.columns = [str(c) for c in frame.columns]
        rows = sorted("|".join(canonical(v) for v in row) for row in frame[columns].itertuples(index=False))
        return ",".join(columns) + "\n" + "\n".join(rows)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, numbers.Real):
        return f"{round(float(value), 2) + 0.0:.2f}"  # + 0.0 turns -0.00 into 0.00
    if isinstance(value, str):
        return value.strip().upper()
    return repr(value)


def digest(salt: str, name: str, value) -> str:
    return hashlib.sha256(f"{salt}\n{name}\n{canonical(value)}".encode()).hexdigest()


def key_for(salt: str, name: str, value) -> dict:
    """What the public check of one answer compares against (no answer in clear)."""
    key = {"digest": digest(salt, name, value)}
    if isinstance(value, pd.DataFrame):
        key["rows"] = len(value)
        key["columns"] = {str(c): digest(salt, f"{name}.{c}", sorted(map(canonical, value[c])))
                          for c in value.columns}
    return key


def _load(assignment: str) -> dict:
    path = KEYS_DIR / f"{assignment}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise AssertionError(f"the answer keys of {assignment} are missing ({path}); "
                             "ask your instructor for the current exercises") from None


def _number_hint(salt: str, name: str, value: float, expected: str) -> str:
    """A hint when a simple slip turns the student's number into the expected one."""
    slips = [(value * 100, "it is 100 times too small: a fraction where a percentage is asked for?"),
             (value / 100, "it is 100 times too large: a percentage where a fraction is asked for?"),
             (value + 1, "it is one too small: are both ends of the range counted?"),
             (value - 1, "it is one too large: is a boundary counted twice, or a year included that should not be?"),
             (-value, "the sign is wrong: which value is subtracted from which?")]
    for candidate, hint in slips:
        if digest(salt, name, candidate) == expected:
            return hint
    return "re-read the question's definition, and check which rows you kept"


def check_answer(assignment: str, name: str, value) -> None:
    """Raise AssertionError with a hint unless ``value`` matches the key; never reveal the answer."""
    keys = _load(assignment)
    key = keys["answers"].get(name)
    if key is None:
        raise AssertionError(f"no answer key for {name} in {assignment}")
    salt = keys["salt"]
    given = digest(salt, name, value)
    if given == key["digest"]:
        return
    if given in key.get("wrong", {}):
        raise AssertionError(f"{name} is {NOT_YET}: {key['wrong'][given]}")
    if isinstance(value, pd.DataFrame) and "columns" in key:
        if len(value) != key["rows"]:
            raise AssertionError(f"{name} is {NOT_YET}: it has {len(value)} rows, and the expected table "
                                 f"has {key['rows']}; check your filter and grouping")
        wrong = [c for c, d in key["columns"].items()
                 if c in value.columns and digest(salt, f"{name}.{c}", sorted(map(canonical, value[c]))) != d]
        raise AssertionError(f"{name} is {NOT_YET}: the column(s) {', '.join(wrong) or '(none alone)'} "
                             "do not hold the expected values")
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        raise AssertionError(f"{name} is {NOT_YET}: {_number_hint(salt, name, float(value), key['digest'])}")
    raise AssertionError(f"{name} is {NOT_YET}: re-read the question and the evidence it points to")


# ---------------------------------------------------------------- writing the keys from a master

_RUN_SOLUTIONS = r"""
import json, re, sys
from russia_iran.answer_keys import digest, key_for
master, salt, names = sys.argv[1], sys.argv[2], sys.argv[3:]
cells = json.load(open(master, encoding="utf-8"))["cells"]
space = {}
for cell in cells:
    text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
    if cell["cell_type"] == "code" and not text.lstrip().startswith('\"\"\" # BEGIN TEST CONFIG'):
        exec(compile(text, master, "exec"), space)
keys = {n: key_for(salt, n, space[n]) for n in names}
# "# KNOWN WRONG name: expression :: hint" lines, inside a solution block, name a likely mistake.
for cell in cells:
    text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
    for name, expression, hint in re.findall(r"# KNOWN WRONG (\w+): (.+?) :: (.+)", text):
        wrong = eval(expression, space)
        keys[name].setdefault("wrong", {})[digest(salt, name, wrong)] = hint
print(json.dumps(keys))
"""


def solution_keys(master: Path, names: list[str], salt: str) -> dict:
    """Run the master's solution cells in a fresh Python and return the keys of ``names``."""
    proc = subprocess.run([sys.executable, "-c", _RUN_SOLUTIONS, str(Path(master).resolve()), salt, *names],
                          capture_output=True, text=True, cwd=Path(master).parent, timeout=300)
    if proc.returncode != 0:
        raise RuntimeError(f"the solutions of {Path(master).name} did not run:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def keys_file(assignment: str, master: Path, names: list[str]) -> dict:
    """The keys file's content for ``assignment``, keeping its salt if it has one."""
    try:
        salt = json.loads((KEYS_DIR / f"{assignment}.json").read_text(encoding="utf-8"))["salt"]
    except (OSError, ValueError, KeyError):
        salt = secrets.token_hex(16)
    return {"assignment": assignment, "salt": salt, "answers": solution_keys(master, names, salt)}


def check_encoding(name: str, chart, **channels: str) -> None:
    """Check that a chart's channels show the fields the question names ("count()" for a count)."""
    encoding = chart.to_dict().get("encoding", {})
    for channel, wanted in channels.items():
        enc = encoding.get(channel, {})
        shown = "count()" if enc.get("aggregate") == "count" else enc.get("field")
        if shown != wanted:
            raise AssertionError(f"{name} is {NOT_YET}: its {channel} encoding should show {wanted}, as the "
                                 f"question asks; yours shows {shown or 'nothing'}")


def write_keys(master: Path) -> Path | None:
    """Run the master's solutions and write the salted digests its public checks compare against
    (nothing for a master whose checks compare no value)."""
    names = answer_names(master)
    if not names:
        return None
    path = KEYS_DIR / f"{master.stem}.json"
    path.parent.mkdir(exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")  # a failed write leaves the old keys whole
    partial.write_text(json.dumps(keys_file(master.stem, master, names), indent=1, sort_keys=True) + "\n")
    partial.replace(path)
    return path


def keys_are_stale(master: Path) -> bool:
    """True if the committed answer keys differ from those the master's solutions give now."""
    names = answer_names(master)
    if not names:
        return False
    try:
        committed = json.loads((KEYS_DIR / f"{master.stem}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return True
    return committed != keys_file(master.stem, master, names)
