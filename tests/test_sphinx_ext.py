"""The book's Sphinx extension: its own chart libraries, and what makes pages be read again."""

from __future__ import annotations

import json

import pytest
from sphinx.errors import ExtensionError

from russia_iran import sphinx_ext
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


def test_an_edit_to_static_files_alone_writes_the_start_page_again(tmp_path):
    """Sphinx copies _static only when it writes a page; the hook makes it write one."""
    (tmp_path / "_static").mkdir()
    stylesheet = tmp_path / "_static" / "russia_iran.css"
    stylesheet.write_text("p { color: black; }")

    class Config:
        root_doc = "index"

    class App:
        srcdir = str(tmp_path)
        config = Config()
        russia_iran_inputs = "unchanged"

    class Environment:
        russia_iran_inputs = "unchanged"

    app, env = App(), Environment()
    assert sphinx_ext.pages_to_reread(app, env, set(), set(), set()) == ["index"]
    assert sphinx_ext.pages_to_reread(app, env, set(), set(), set()) == [], "nothing changed"
    stylesheet.write_text("p { color: navy; }")
    assert sphinx_ext.pages_to_reread(app, env, set(), set(), set()) == ["index"]


def test_notebooks_rerun_for_what_they_import_not_for_the_grader():
    names = {p.relative_to(ROOT).as_posix() for p in sphinx_ext.notebook_modules()}
    assert {"russia_iran/data.py", "russia_iran/display.py", "russia_iran/figures/war2026.py",
            "russia_iran/charts.py", "russia_iran/about.py"} <= names
    assert not names & {"russia_iran/grading/batch.py", "russia_iran/lms.py", "russia_iran/takeaway.py",
                        "russia_iran/assignments.py", "russia_iran/answer_keys.py", "russia_iran/sphinx_ext.py"}
