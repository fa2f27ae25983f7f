"""Public checks say right or not yet, from salted digests, without the answer in the notebook."""

from __future__ import annotations

import json
import re

import altair as alt
import pandas as pd
import pytest

from russia_iran import answer_keys
from russia_iran.answer_keys import keys_are_stale
from russia_iran.assignments import master_notebooks
from russia_iran.masters import MASTERS_DIR, answer_names, cell_source

MASTERS = master_notebooks(MASTERS_DIR)


@pytest.fixture
def keys(tmp_path, monkeypatch):
    """A keys file for a made-up assignment, written the way the build writes them."""
    monkeypatch.setattr(answer_keys, "KEYS_DIR", tmp_path)
    answers = {"share_pct": 37.5, "count": 12, "letter": "B",
               "table": pd.DataFrame({"relation": ["conflict", "cooperation"], "n": [3, 5]})}
    content = {"salt": "s", "answers": {n: answer_keys.key_for("s", n, v) for n, v in answers.items()}}
    (tmp_path / "demo.json").write_text(json.dumps(content))
    return answers


def verdict(name, value) -> str:
    try:
        answer_keys.check_answer("demo", name, value)
    except AssertionError as e:
        return str(e)
    return "right"


def test_right_answers_pass_in_any_equivalent_form(keys):
    assert verdict("share_pct", 37.5) == "right"
    assert verdict("share_pct", 37.500000001) == "right"
    assert verdict("count", 12.0) == "right"
    assert verdict("letter", " b ") == "right"
    reordered = keys["table"].iloc[::-1][["n", "relation"]]
    assert verdict("table", reordered) == "right"


def test_wrong_answers_get_a_hint_and_never_the_answer(keys):
    assert "fraction" in verdict("share_pct", 0.375)
    assert "one too small" in verdict("count", 11)
    assert "one too large" in verdict("count", 13)
    assert "not right yet" in verdict("letter", "C")
    for name, wrong in [("share_pct", 40.0), ("count", 20), ("letter", "A")]:
        message = verdict(name, wrong)
        assert "not right yet" in message and str(keys[name]) not in message


def test_tables_say_which_part_is_wrong(keys):
    table = keys["table"]
    assert "rows" in verdict("table", table.iloc[:1])
    wrong_counts = table.assign(n=[4, 5])
    message = verdict("table", wrong_counts)
    assert "n" in message.split(":")[1] and "relation" not in message


def test_the_keys_hold_no_answer_in_clear():
    for path in answer_keys.KEYS_DIR.glob("*.json"):
        text = path.read_text()
        assert not re.search(r'"(A|B|C|D)"', text), path.name
        assert set(json.loads(text)["answers"]) == set(answer_names(MASTERS_DIR / f"{path.stem}.ipynb"))


# ---------------------------------------------------------------- every public check of every master


def _run_master(master):
    """The master's solution answers and its public check functions, run in this process."""
    space, checks = {}, {}
    for cell in json.loads(master.read_text(encoding="utf-8"))["cells"]:
        text = cell_source(cell)
        if cell["cell_type"] != "code":
            continue
        if text.lstrip().startswith('""" # BEGIN TEST CONFIG'):
            if "hidden: true" in text.split("# END TEST CONFIG")[0]:
                continue
            definition = text.split("\n\ntest_")[0]
            exec(compile(definition, master.name, "exec"), space)
            name = re.search(r"def (test_\w+)\((\w+)\)", definition)
            checks[name.group(2)] = space[name.group(1)]
        else:
            exec(compile(text, master.name, "exec"), space)
    return space, checks


def _wrong_versions(value):
    """Values of the same type as ``value`` that differ from it."""
    if isinstance(value, str):
        return [letter for letter in "ABCD" if letter != value.strip().upper()]
    if isinstance(value, alt.Chart):
        spec = value.to_dict()
        field = spec["encoding"]["x"].get("field")
        return [value.encode(x=alt.X("relation:N" if field != "relation" else "year:O"))]
    if isinstance(value, pd.DataFrame):
        numeric = value.select_dtypes("number").columns
        changed = value.copy()
        if len(numeric):
            changed.loc[changed.index[0], numeric[0]] += 1
        else:
            changed.iloc[0, 0] = "not a value"
        return [changed, value.iloc[:-1] if len(value) > 1 else value.iloc[0:0]]
    if isinstance(value, int):
        return [value + 3, value + 7]
    return [value * 1.1 + 0.5, value * 0.9 - 0.5]


@pytest.mark.parametrize("master", MASTERS, ids=lambda p: p.stem)
def test_every_public_check_passes_the_solution_and_fails_wrong_values(master):
    space, checks = _run_master(master)
    assert checks, f"{master.name} has no public checks"
    for name, check in checks.items():
        check(space[name])  # the solution is right
        for wrong in _wrong_versions(space[name]):
            with pytest.raises(AssertionError):
                check(wrong)
    by_value = [n for n, c in checks.items() if not isinstance(space[n], alt.Chart)]
    assert set(by_value) == set(answer_names(master)), "every answer but a chart is checked against its key"


@pytest.mark.parametrize("master", MASTERS, ids=lambda p: p.stem)
def test_answer_keys_match_the_masters_and_the_data(master):
    assert not keys_are_stale(master), f"run: python -m russia_iran.assignments build ({master.name})"


def test_a_known_mistake_gets_its_own_hint():
    """Assignment 2 names counting the preliminary rows as a likely mistake."""
    space, checks = _run_master(MASTERS_DIR / "02_rapprochement.ipynb")
    trade = space["trade"]
    with_preliminary = len(trade[(trade["measure"] == "turnover") & (trade["year"] == 2022)])
    assert with_preliminary != space["n_2022"]
    with pytest.raises(AssertionError, match="preliminary"):
        checks["n_2022"](with_preliminary)
