"""The book's Sphinx extension: its own chart libraries, and what makes pages be read again."""

from __future__ import annotations

import json

import pytest
from sphinx.errors import ExtensionError

from russia_iran import fingerprint, sphinx_ext
from russia_iran.paths import BOOK_BUILD, ROOT


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


def test_an_edit_to_static_files_alone_writes_every_page_again(tmp_path, monkeypatch):
    """Sphinx copies _static only when it writes a page, and each page names the book's scripts by
    their digest: an edit to _static alone has every page written again, with the new digest."""
    import shutil

    from sphinx.cmd.build import build_main

    for hook in ("edition_substitutions", "refresh_cache_when_inputs_change", "build_student_pack", "pages_to_reread"):
        monkeypatch.setattr(sphinx_ext, hook, lambda *args: [])  # they need the whole book, not this one page
    monkeypatch.setattr(sphinx_ext, "ROOT", tmp_path)
    monkeypatch.setattr(sphinx_ext, "ASSET_VERSIONS", {})
    monkeypatch.setenv(BOOK_BUILD, "")  # the build sets it: undone after the test, later tests do not see it
    shutil.copytree(ROOT / "_static", tmp_path / "_static")
    (tmp_path / "conf.py").write_text('extensions = ["russia_iran.sphinx_ext"]\nhtml_static_path = ["_static"]\n')
    (tmp_path / "index.rst").write_text("A page\n======\n\nText.\n")
    page, script = tmp_path / "_build" / "index.html", tmp_path / "_build" / "_static" / "russia_iran.js"

    def build() -> str:
        assert build_main(["-q", "-b", "html", str(tmp_path), str(tmp_path / "_build")]) == 0
        return page.read_text()

    first = build()
    written = page.stat().st_mtime_ns
    assert build() == first and page.stat().st_mtime_ns == written, "nothing changed: nothing written"
    with (tmp_path / "_static" / "russia_iran.js").open("a") as edited:
        edited.write("\n// an edit\n")
    assert build() != first
    assert script.read_text().endswith("// an edit\n")
    assert f"russia_iran.js?v={sphinx_ext.ASSET_VERSIONS['russia_iran.js']}" in page.read_text()


def test_changed_inputs_have_the_notebook_pages_read_again_once(tmp_path):
    (tmp_path / "chapter.md").write_text(fingerprint.NOTEBOOK_HEADER + "\n# A chapter\n")
    (tmp_path / "about.md").write_text("# A page of prose\n")

    class App:
        srcdir, russia_iran_inputs = str(tmp_path), "data as first read"

    class Environment:
        found_docs = {"chapter", "about"}

    app, env = App(), Environment()
    assert sphinx_ext.pages_to_reread(app, env, set(), set(), set()) == ["chapter"]
    assert sphinx_ext.pages_to_reread(app, env, set(), set(), set()) == [], "nothing changed"
    app.russia_iran_inputs = "data edited"
    assert sphinx_ext.pages_to_reread(app, env, set(), {"chapter"}, set()) == [], "Sphinx reads it already"
    app.russia_iran_inputs = "data edited again"
    assert sphinx_ext.pages_to_reread(app, env, set(), set(), set()) == ["chapter"]


def test_a_data_problem_stops_the_build_with_the_checkers_list_before_a_notebook_runs(tmp_path, monkeypatch):
    from russia_iran import data

    problem = data.Problem("agreements.csv", 3, None, "has 6 fields where the header has 15")
    monkeypatch.setattr(data, "validate", lambda: [problem])
    monkeypatch.setattr(fingerprint, "inputs_digest", lambda: "data edited")
    (tmp_path / ".jupyter_cache").mkdir()

    class App:
        outdir = str(tmp_path / "html")

        class config:
            nb_execution_cache_path = str(tmp_path / ".jupyter_cache")

    with pytest.raises(ExtensionError, match="1 problem.*\n  agreements.csv, row 3: has 6 fields where the header has 15"):
        sphinx_ext.refresh_cache_when_inputs_change(App())
    assert (tmp_path / ".jupyter_cache").is_dir(), "the cache is kept"
    assert not (tmp_path / ".jupyter_cache.inputs").exists(), "the data is checked again on the next build"


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
