"""Load and validate the module's data sets.

Every data set is a CSV file in ``data/`` described by ``data/datapackage.json``
(a Frictionless Data Package). ``load(name)`` returns it as a typed DataFrame;
``validate()`` checks the whole package and returns readable problems;
``python -m russia_iran.data`` prints them (the book's build runs it first).
"""

from __future__ import annotations

import csv
import json
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from .paths import DATA_DIR
from .sources import bibliography

PACKAGE_FILE = DATA_DIR / "datapackage.json"
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class DataError(ValueError):
    """A data set is unknown or a row breaks its schema."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the data, located as precisely as possible."""

    file: str
    row: int | None  # line number in the CSV file, header = 1
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.field:
            where += f", field '{self.field}'"
        return f"{where}: {self.message}"


@lru_cache(maxsize=1)
def package() -> dict:
    """The parsed ``datapackage.json``."""
    return json.loads(PACKAGE_FILE.read_text(encoding="utf-8"))


def names() -> list[str]:
    """Names of the data sets, in package order."""
    return [r["name"] for r in package()["resources"]]


def resource(name: str) -> dict:
    """The package's description of one data set."""
    for r in package()["resources"]:
        if r["name"] == name:
            return r
    raise DataError(f"unknown data set {name!r}; the data sets are: {', '.join(names())}")


def _parse_column(values: pd.Series, field: dict, file: str) -> tuple[pd.Series, list[Problem]]:
    """Convert one column of strings to the field's type; report unparseable cells."""
    kind = field.get("type", "string")
    present = values.notna()
    problems: list[Problem] = []

    def bad(mask: pd.Series, what: str) -> None:
        for idx in values.index[mask & present]:
            problems.append(Problem(file, int(idx) + 2, field["name"], f"{values[idx]!r} is not {what}"))

    if kind == "integer":
        parsed = pd.to_numeric(values, errors="coerce")
        bad(parsed.isna() | (parsed.fillna(0) % 1 != 0), "a whole number")
        return parsed.astype("Int64"), problems
    if kind == "number":
        parsed = pd.to_numeric(values, errors="coerce")
        bad(parsed.isna(), "a number")
        return parsed.astype("float64"), problems
    if kind == "date":
        well_formed = values.fillna("").str.fullmatch(ISO_DATE)
        parsed = pd.to_datetime(values.where(well_formed), format="%Y-%m-%d", errors="coerce")
        bad(parsed.isna(), "a real date written YYYY-MM-DD")
        return parsed, problems
    if kind == "boolean":
        mapping = {"true": True, "false": False}
        parsed = values.str.lower().map(mapping)
        bad(parsed.isna(), "true or false")
        return parsed.astype("boolean"), problems
    return values.astype("string"), problems


def _check(frame: pd.DataFrame, res: dict) -> tuple[pd.DataFrame, list[Problem]]:
    """Type every column and check the schema's constraints, row by row."""
    file = res["path"]
    schema = res["schema"]
    problems: list[Problem] = []
    expected = [f["name"] for f in schema["fields"]]
    if list(frame.columns) != expected:
        problems.append(Problem(file, 1, None, f"columns are {list(frame.columns)}, expected {expected}"))
        return frame, problems
    typed = {}
    for field in schema["fields"]:
        name = field["name"]
        raw = frame[name]
        constraints = field.get("constraints", {})
        if constraints.get("required"):
            for idx in raw.index[raw.isna()]:
                problems.append(Problem(file, int(idx) + 2, name, "is required but empty"))
        if "pattern" in constraints:
            ok = raw.fillna("").str.fullmatch(constraints["pattern"]) | raw.isna()
            for idx in raw.index[~ok]:
                problems.append(Problem(file, int(idx) + 2, name,
                                        f"{raw[idx]!r} does not match the pattern {constraints['pattern']}"))
        column, column_problems = _parse_column(raw, field, file)
        problems += column_problems
        if "enum" in constraints:  # compared as typed values, so whole-number enums work too
            allowed = constraints["enum"]
            parsed_ok = column.notna()
            for idx in column.index[parsed_ok & ~column.isin(allowed)]:
                problems.append(Problem(file, int(idx) + 2, name,
                                        f"{raw[idx]!r} is not one of: {', '.join(map(str, allowed))}"))
        for bound, test in (("minimum", lambda c, b: c < b), ("maximum", lambda c, b: c > b)):
            if bound in constraints and field.get("type") in ("integer", "number"):
                for idx in column.index[test(column, constraints[bound]).fillna(False)]:
                    problems.append(Problem(file, int(idx) + 2, name,
                                            f"{column[idx]} is outside the allowed range ({bound} {constraints[bound]})"))
        typed[name] = column
    result = pd.DataFrame(typed)
    key = schema.get("primaryKey", [])
    if key:
        dup = result.duplicated(subset=key, keep="first")
        for idx in result.index[dup]:
            values = ", ".join(f"{k}={result.at[idx, k]}" for k in key)
            problems.append(Problem(file, int(idx) + 2, key[0], f"duplicate key ({values})"))
    if "sources" in result.columns:
        known = bibliography()
        for idx, cell in result["sources"].dropna().items():
            for source_key in cell.split(";"):
                if source_key not in known:
                    problems.append(Problem(file, int(idx) + 2, "sources",
                                            f"{source_key!r} is not a key in references.bib"))
    return result, problems


def _read(name: str) -> tuple[pd.DataFrame, list[Problem]]:
    res = resource(name)
    path = DATA_DIR / res["path"]
    if not path.exists():
        return pd.DataFrame(), [Problem(res["path"], None, None, "file is missing")]
    try:
        widths = _row_widths(path)
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8")
    except (pd.errors.ParserError, UnicodeDecodeError, csv.Error) as problem:  # say where, not a traceback
        return pd.DataFrame(), [Problem(res["path"], None, None, f"cannot be read as CSV: {problem}")]
    # pandas silently turns surplus fields into an index: a row with an unquoted comma must be named instead.
    uneven = [Problem(res["path"], line, None, f"has {n} fields where the header has {widths[0][1]} "
                                               "(a comma inside a value that is not in quotes?)")
              for line, n in widths[1:] if n != widths[0][1]]
    if uneven:
        return pd.DataFrame(), uneven
    return _check(raw, res)


def _row_widths(path: Path) -> list[tuple[int, int]]:
    """(line number, number of fields) of every non-empty row, the header first."""
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        return [(reader.line_num, len(row)) for row in reader if row]


def load(name: str) -> pd.DataFrame:
    """Return data set ``name`` as a typed DataFrame.

    Raises DataError, naming the file, row and field, when a row breaks the schema.
    """
    frame, problems = _read(name)
    if problems:
        listing = "\n  ".join(str(p) for p in problems[:20])
        more = f"\n  … and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise DataError(f"data set {name!r} has {len(problems)} problem(s):\n  {listing}{more}")
    return frame


def validate() -> list[Problem]:
    """Every problem in every data set, plus cross-file references."""
    problems: list[Problem] = []
    frames = {}
    for name in names():
        frames[name], found = _read(name)
        problems += found
    for res in package()["resources"]:
        for fk in res["schema"].get("foreignKeys", []):
            frame, target = frames[res["name"]], frames.get(fk["reference"]["resource"])
            if frame.empty or target is None or target.empty:
                continue
            known = set(target[fk["reference"]["fields"]].dropna())
            for idx, value in frame[fk["fields"]].dropna().items():
                if value not in known:
                    problems.append(Problem(res["path"], int(idx) + 2, fk["fields"],
                                            f"{value!r} is not an id in {fk['reference']['resource']}"))
    return problems


def main() -> int:
    """Every problem in the data sets on stderr (exit status 1), or how many sets were checked."""
    problems = validate()
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) in the data sets: fix them, then build again.", file=sys.stderr)
        return 1
    print(f"{len(names())} data sets checked: no problems.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
