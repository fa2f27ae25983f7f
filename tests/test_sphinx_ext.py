"""The build-time rewrite of CDN addresses to the book's own copies."""

from __future__ import annotations

import json

import pytest
from sphinx.errors import ExtensionError

from russia_iran import sphinx_ext
from russia_iran.paths import ROOT


def page(tmp_path, body: str, where: str = "chapters/page.html"):
    path = tmp_path / where
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"<html><body>{body}</body></html>", encoding="utf-8")
    return path


def test_altair_addresses_become_relative_local_paths(tmp_path):
    html = page(tmp_path, '"vega": "https://cdn.jsdelivr.net/npm/vega@6?noext", '
                          '"vega-lib": "https://cdn.jsdelivr.net/npm/vega-lib?noext"')
    assert sphinx_ext.localise_page(html, tmp_path)
    text = html.read_text()
    assert '"../_vendor/vega/build/vega.min.js?noext"' in text
    assert "cdn.jsdelivr" not in text
    assert (tmp_path / "_vendor/vega/build/vega.min.js").is_file()


def test_file_addresses_and_widget_base_are_rewritten(tmp_path):
    html = page(tmp_path, '<script src="https://cdn.jsdelivr.net/npm/@jupyter-widgets/html-manager@1.0.15/dist/embed-amd.js" '
                          'data-jupyter-widgets-cdn="https://cdn.jsdelivr.net/npm/"></script>', "index.html")
    sphinx_ext.localise_page(html, tmp_path)
    text = html.read_text()
    # loaded after the page, so that it does not hold up the charts
    assert 'var manager = "_vendor/@jupyter-widgets/html-manager/dist/embed-amd.js"' in text
    assert 'window.addEventListener("load"' in text
    assert '"data-jupyter-widgets-cdn", "_vendor/"' in text
    fonts = list((tmp_path / "_vendor/@jupyter-widgets/html-manager/dist").glob("*.woff2"))
    assert fonts, "the widget manager's fonts travel with it"


def test_a_version_the_lock_does_not_pin_fails_the_build(tmp_path):
    html = page(tmp_path, '"https://cdn.jsdelivr.net/npm/vega-lite@5.20.1?noext"')
    with pytest.raises(ExtensionError, match="package.json pins"):
        sphinx_ext.localise_page(html, tmp_path)


def test_an_address_the_book_cannot_serve_fails_the_build(tmp_path):
    html = page(tmp_path, '<script src="https://unpkg.com/some-lib@1/index.js"></script>')
    with pytest.raises(ExtensionError, match="cannot serve"):
        sphinx_ext.localise_page(html, tmp_path)


def test_package_json_pins_the_vega_lite_altair_expects():
    import altair as alt

    pins = json.loads((sphinx_ext.ROOT / "package.json").read_text())["dependencies"]
    assert pins["vega-lite"] == alt.VEGALITE_VERSION
    assert pins["vega"].split(".")[0] == alt.VEGA_VERSION.split(".")[0]
    assert pins["vega-embed"].split(".")[0] == alt.VEGAEMBED_VERSION.split(".")[0]


def test_rewriting_twice_changes_nothing_more(tmp_path):
    html = page(tmp_path, '<script>const THEBE_JS_URL = "https://unpkg.com/thebe@0.8.2/lib/index.js"; const a = 1</script>\n'
                          '<script>const THEBE_JS_URL = "https://unpkg.com/thebe@0.8.2/lib/index.js"; const a = 1</script>\n'
                          '<script src="https://cdn.jsdelivr.net/npm/@jupyter-widgets/html-manager@1.0.15/dist/embed-amd.js"></script>')
    sphinx_ext.localise_page(html, tmp_path)
    once = html.read_text()
    assert once.count("THEBE_JS_URL") == 1 and "unpkg" not in once
    assert once.count("require.config") == 1
    assert not sphinx_ext.localise_page(html, tmp_path)
    assert html.read_text() == once


ALTAIR = """<style>
  #altair-viz-abc123.vega-embed { width: 100%; }
</style>
<div id="altair-viz-abc123"></div>
<script type="text/javascript">
  var VEGA_DEBUG = (typeof VEGA_DEBUG == "undefined") ? {} : VEGA_DEBUG;
  (function(spec, embedOpt){
    let outputDiv = document.currentScript.previousElementSibling;
    const paths = {
      "vega": "https://cdn.jsdelivr.net/npm/vega@6?noext",
      "vega-lib": "https://cdn.jsdelivr.net/npm/vega-lib?noext",
      "vega-lite": "https://cdn.jsdelivr.net/npm/vega-lite@6.4.1?noext",
      "vega-embed": "https://cdn.jsdelivr.net/npm/vega-embed@7?noext",
    };
    if(typeof define === "function" && define.amd) {
    } else {
      maybeLoadScript("vega", "6")
        .then(() => maybeLoadScript("vega-lite", "6.4.1"))
        .then(() => maybeLoadScript("vega-embed", "7"))
    }
  })({"mark": "point"}, {"mode": "vega-lite"});
</script>"""


HEAD = ('<head><meta charset="utf-8" /><script src="../_vendor/requirejs/require.js"></script>'
        '<link rel="preload" as="script" href="../_static/scripts/bootstrap.js?digest=x" />\n'
        '<script src="../_static/documentation_options.js?v=1"></script>'
        '<script src="../_static/doctools.js?v=2"></script>'
        '<script data-sd-tabs-storage-prefix="x-" src="../_static/design-tabs.js?v=3"></script>'
        '<script src="../searchindex.js"></script></head>')


def test_charts_draw_in_turn_with_vega_loaded_up_front(tmp_path):
    html = page(tmp_path, HEAD + ALTAIR + ALTAIR.replace("abc123", "def456") +
                '<script src="https://cdn.jsdelivr.net/npm/@jupyter-widgets/html-manager@1.0.15/dist/embed-amd.js"></script>')
    sphinx_ext.localise_page(html, tmp_path)
    text = html.read_text()
    # each chart is handed to riChart (_static/russia_iran.js), which draws the first at once
    assert text.count('(window.riChart || function (id, draw) { draw(); })') == 2
    assert '("altair-viz-def456", function () {' in text
    assert "document.currentScript" not in text  # the script no longer runs where it stands
    # vega preloaded in <head> and run once, just before the first chart (not inside a chart's style)
    assert text.count('<link rel="preload" as="script" fetchpriority="high" '
                      'href="../_vendor/vega-lite/build/vega-lite.min.js?noext" />') == 1
    scripts = text.index('<script src="../_vendor/vega-embed/build/vega-embed.min.js?noext"></script>')
    assert text.index("<head>") < text.index('rel="preload"') < scripts < text.index("<style>")
    assert 'VEGA_DEBUG["vegalite_version"] = "6.4.1"' in text
    # RequireJS only with the widget manager, after the page has loaded; the search index after parsing
    assert '<script src="../_vendor/requirejs/require.js">' not in text
    assert 'add("../_vendor/requirejs/require.js"' in text
    assert '<script defer src="../searchindex.js"></script>' not in text
    assert ('document.addEventListener("DOMContentLoaded", function () { var s = document.createElement("script"); '
            's.src = "../searchindex.js"; document.head.appendChild(s); });') in text
    # helper scripts deferred (in order), except the one inline scripts in <head> use; theme preloads gone
    assert '<script src="../_static/documentation_options.js?v=1"></script>' in text
    assert text.index('<script defer src="../_static/doctools.js?v=2"></script>') < text.index(
        '<script defer data-sd-tabs-storage-prefix="x-" src="../_static/design-tabs.js?v=3"></script>')
    assert "scripts/bootstrap.js" not in text
    assert not sphinx_ext.localise_page(html, tmp_path), "a second pass changes nothing"


def test_a_page_without_charts_keeps_its_scripts(tmp_path):
    html = page(tmp_path, HEAD + "<p>No chart here.</p>", where="reference/glossary.html")
    sphinx_ext.localise_page(html, tmp_path)
    text = html.read_text()
    assert '<script src="../_static/doctools.js?v=2"></script>' in text
    assert 'rel="preload" as="script" href="../_static/scripts/bootstrap.js?digest=x"' in text
    assert '<script defer src="../searchindex.js"></script>' in text


def test_only_pages_written_in_this_build_are_rewritten(tmp_path):
    class Builder:
        format = "html"

    class App:
        outdir = str(tmp_path)
        parallel = 1
        builder = Builder()

    app = App()
    app.russia_iran_written = {page(tmp_path, '"https://cdn.jsdelivr.net/npm/vega@6?noext"', "chapters/new.html")}
    old = page(tmp_path, '"https://cdn.jsdelivr.net/npm/vega@6?noext"', "chapters/old.html")
    sphinx_ext.localise_build(app, None)
    assert "cdn.jsdelivr" not in (tmp_path / "chapters/new.html").read_text()
    assert "cdn.jsdelivr" in old.read_text()


def test_an_edit_to_static_files_alone_writes_the_start_page_again(tmp_path):
    """Sphinx copies _static only when it writes a page; the hook makes it write one."""
    (tmp_path / "_static").mkdir()
    stylesheet = tmp_path / "_static" / "russia_iran.css"
    stylesheet.write_text("p { color: black; }")

    class Config:
        html_static_path = ["_static"]
        root_doc = "index"

    class App:
        confdir = str(tmp_path)
        srcdir = str(tmp_path)
        config = Config()

    class Environment:
        pass

    app, env = App(), Environment()
    assert sphinx_ext.copy_changed_static_files(app, env, set(), set(), set()) == ["index"]
    assert sphinx_ext.copy_changed_static_files(app, env, set(), set(), set()) == [], "nothing changed"
    stylesheet.write_text("p { color: navy; }")
    assert sphinx_ext.copy_changed_static_files(app, env, set(), set(), set()) == ["index"]


def test_notebooks_rerun_for_what_they_import_not_for_the_grader():
    from russia_iran.sphinx_ext import notebook_modules

    names = {p.relative_to(ROOT).as_posix() for p in notebook_modules()}
    assert {"russia_iran/data.py", "russia_iran/display.py", "russia_iran/figures/war2026.py",
            "russia_iran/charts.py"} <= names
    assert not names & {"russia_iran/grading/batch.py", "russia_iran/lms.py", "russia_iran/takeaway.py",
                        "russia_iran/assignments.py", "russia_iran/answer_keys.py", "russia_iran/sphinx_ext.py"}
