"""The book's Sphinx extension: its own chart libraries, and what makes pages be read again."""

from __future__ import annotations

import json

import pytest
from sphinx.errors import ExtensionError

from russia_iran import fingerprint, sphinx_ext
from russia_iran.paths import ROOT


def test_package_json_pins_the_vega_lite_altair_expects():
    import altair as alt

    pins = json.loads((ROOT / "package.json").read_text())["dependencies"]
    assert pins["vega-lite"] == alt.VEGALITE_VERSION
    assert pins["vega"].split(".")[0] == alt.VEGA_VERSION.split(".")[0]
    assert pins["vega-embed"].split(".")[0] == alt.VEGAEMBED_VERSION.split(".")[0]


def test_missing_chart_libraries_stop_the_build_with_what_to_do(tmp_path, monkeypatch):
    class Config:
        html_static_path = ["_static"]

    monkeypatch.setattr(sphinx_ext, "CHART_LIBRARIES", [ROOT / "node_modules" / "vega" / "build" / "missing.min.js"])
    with pytest.raises(ExtensionError, match="missing: run the README's build command"):
        sphinx_ext.serve_chart_libraries(None, Config())


def test_an_edit_to_static_files_alone_writes_every_page_again(tmp_path):
    """Sphinx copies _static only when it writes a page, and each page names the book's script by
    its digest: the hook has every page written again, once."""
    (tmp_path / "_static").mkdir()
    stylesheet = tmp_path / "_static" / "russia_iran.css"
    stylesheet.write_text("p { color: black; }")

    class App:
        srcdir = str(tmp_path)
        russia_iran_inputs = "unchanged"

    class Environment:
        russia_iran_inputs = "unchanged"
        found_docs = {"index", "chapters/01_history"}

    app, env = App(), Environment()
    assert sphinx_ext.pages_to_reread(app, env, set(), set(), set()) == ["chapters/01_history", "index"]
    assert sphinx_ext.pages_to_reread(app, env, set(), set(), set()) == [], "nothing changed"
    stylesheet.write_text("p { color: navy; }")
    assert sphinx_ext.pages_to_reread(app, env, set(), {"index"}, set()) == ["chapters/01_history"]


def test_notebooks_rerun_for_what_they_import_not_for_the_grader():
    names = {p.relative_to(ROOT).as_posix() for p in fingerprint.notebook_modules()}
    assert {"russia_iran/data.py", "russia_iran/display.py", "russia_iran/figures/war2026.py",
            "russia_iran/charts.py", "russia_iran/about.py"} <= names
    assert not names & {"russia_iran/grading/batch.py", "russia_iran/lms.py", "russia_iran/takeaway.py",
                        "russia_iran/assignments.py", "russia_iran/answer_keys.py", "russia_iran/sphinx_ext.py",
                        "russia_iran/fingerprint.py"}


def test_a_changed_input_changes_the_digest_and_a_grader_edit_does_not(tmp_path, monkeypatch):
    """The digest covers the data and the modules notebooks import, not the grader."""
    import shutil

    for name in ("russia_iran", "data", "chapters", "reference", "start"):
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "_incoming"))
    shutil.copy(ROOT / "references.bib", tmp_path)
    monkeypatch.setattr(fingerprint, "ROOT", tmp_path)
    before = fingerprint.inputs_digest()
    with (tmp_path / "russia_iran" / "grading" / "batch.py").open("a") as grader:
        grader.write("\n# an edit to the grader\n")
    assert fingerprint.inputs_digest() == before
    with (tmp_path / "data" / next(p.name for p in (ROOT / "data").glob("*.csv"))).open("a") as data:
        data.write("\n")
    assert fingerprint.inputs_digest() != before
