"""Sphinx extension of the book: its directives, edition notice and take-away menu, the chart
libraries (from the pinned npm packages) for the charts its Altair renderer leaves as placeholders
(charts.py, switched on by BOOK_BUILD), and notebooks re-run when their inputs change. Nothing
here rewrites the HTML Sphinx writes (meta/adrs/0004)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

from . import bibstyle, edition, fingerprint
from .assessment import AssessmentMapDirective
from .paths import BOOK_BUILD, CHART_CLASS, ROOT
from .quiz import QuizDirective

# Served from node_modules (package-lock.json), loaded only by pages with charts, in this order.
CHART_LIBRARIES = [ROOT / "node_modules" / name / "build" / f"{name}.min.js" for name in ("vega", "vega-lite", "vega-embed")]
BOOK_SCRIPTS = [ROOT / "_static" / name for name in ("russia_iran.js", "quiz.js")]
# File name -> its package's version or its digest, for caches. A config value of the "html" kind:
# when it changes Sphinx writes every page again (its .buildinfo), and so copies _static again.
ASSET_VERSIONS: dict[str, str] = {}
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def serve_chart_libraries(app: Sphinx, config) -> None:
    """Have Sphinx copy the chart libraries into _static (html_static_path takes single files),
    and the notebooks the build runs use the book's renderer."""
    missing = [str(path.relative_to(ROOT)) for path in CHART_LIBRARIES if not path.is_file()]
    if missing:
        raise ExtensionError(f"{', '.join(missing)} missing: run the README's build command (it runs npm ci)")
    config.html_static_path = [*config.html_static_path, *map(str, CHART_LIBRARIES)]
    config.html_js_files = [name for name in config.html_js_files if name not in {p.name for p in BOOK_SCRIPTS}]  # page_scripts loads them
    for path in CHART_LIBRARIES:
        ASSET_VERSIONS[path.name] = json.loads((path.parent.parent / "package.json").read_text())["version"]
    for path in filter(Path.is_file, (ROOT / "_static").rglob("*")):
        ASSET_VERSIONS[path.name] = hashlib.sha256(path.read_bytes()).hexdigest()[:8]
    config.russia_iran_asset_versions = ASSET_VERSIONS
    os.environ[BOOK_BUILD] = "1"


def script_loader(static: str, charts: bool) -> str:
    """For the top of <head>: the chart libraries (if the page has charts) and the book's scripts,
    preloaded so that they are fetched first, and run in order as soon as each arrives by an
    inline script, neither waiting for the theme's stylesheets and scripts nor holding up the
    page (meta/adrs/0009)."""
    paths = [f"{static}/{path.name}?v={ASSET_VERSIONS[path.name]}" for path in [*(CHART_LIBRARIES if charts else []), *BOOK_SCRIPTS]]
    return ("".join(f'<link rel="preload" as="script" fetchpriority="high" href="{path}" />\n' for path in paths)
            + f"<script>{json.dumps(paths)}.forEach(function (src) {{ var script = document.createElement('script');"
            " script.src = src; script.async = false; document.head.appendChild(script); });</script>\n")


def page_scripts(app: Sphinx, pagename: str, templatename, context: dict, doctree) -> None:
    """Every page starts the book's scripts, and a page with charts the chart libraries, from the
    top of its head (script_loader). No page loads sphinx-thebe (the book offers no "Live code"),
    a second copy of the theme's icon script, which _static/scripts/fontawesome.js empties, or the
    widget state MyST-NB copies from an executed notebook for the widget manager (ADR 4)."""
    for files in (context.get("script_files", []), context.get("css_files", [])):
        files[:] = [file for file in files if not any(name in (file.filename or "").lower() for name in ("thebe", "fontawesome"))
                    and "THEBE" not in file.attributes.get("body", "") and file.attributes.get("type") != WIDGET_STATE]
    charts = f'class="{CHART_CLASS}"' in context.get("body", "")
    context["metatags"] = context.get("metatags", "") + script_loader(context["pathto"]("_static", 1), charts)
    context["theme_announcement"] = edition.banner_html(context["pathto"]("reference/changes"))


def take_away_buttons(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """The take-away editions (russia_iran/takeaway.py writes them after the build) in the theme's download menu."""
    from .takeaway import menu_items

    group = next((b for b in context.get("header_buttons", []) if b.get("label") == "download-buttons"), None)
    if group is not None:
        group["buttons"] += [{"type": "link", "url": context["pathto"](url, 1), "text": text, "icon": icon, "tooltip": tip,
                              "label": "takeaway-" + url.replace("/", "-").replace(".", "-")}
                             for url, text, icon, tip in menu_items(pagename)]


def build_student_pack(app: Sphinx) -> None:
    """The zip the exercise pages and the guide link (russia_iran/student_pack.py); a leak fails the build."""
    from .student_pack import build_checked

    if problems := build_checked():
        raise ExtensionError("the student pack would leak: " + "; ".join(problems[:5]))


def refresh_cache_when_inputs_change(app: Sphinx) -> None:
    """The execution cache keys on a notebook's code only: it is cleared when what the notebooks
    depend on besides their code (russia_iran/fingerprint.py, ADR 6) changed since it was filled
    (both editions may share it). Changed data is checked first, so that a problem stops the build
    with the data checker's list instead of a notebook's traceback."""
    app.russia_iran_inputs = fingerprint.inputs_digest()
    cache = Path(app.config.nb_execution_cache_path or Path(app.outdir).parent / ".jupyter_cache")
    stamp = cache.with_name(cache.name + ".inputs")
    if not stamp.exists() or stamp.read_text() != app.russia_iran_inputs:
        from .data import validate  # pandas: imported only when the inputs changed
        if problems := validate():
            raise ExtensionError(f"{len(problems)} problem(s) in the data sets:\n  " + "\n  ".join(map(str, problems)))
        shutil.rmtree(cache, ignore_errors=True)
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.write_text(app.russia_iran_inputs)


def pages_to_reread(app: Sphinx, env, added, changed, removed) -> list[str]:
    """Every notebook page, when the inputs changed since this environment last read them."""
    if getattr(env, "russia_iran_inputs", None) == app.russia_iran_inputs:
        return []
    env.russia_iran_inputs = app.russia_iran_inputs
    return sorted(doc for doc in env.found_docs - added - changed if fingerprint.is_notebook(Path(app.srcdir) / f"{doc}.md"))


def bibliography_style(app: Sphinx) -> None:
    """The bibliography's style, keeping formatted entries in the environment Sphinx saves (russia_iran/bibstyle.py, ADR 9)."""
    bibstyle.register(vars(app.env).setdefault("russia_iran_bibliography", {}))


def edition_substitutions(app: Sphinx, config) -> None:
    """{{ covers_to }}, {{ version }} and {{ released }} on every page (russia_iran/edition.py)."""
    config.myst_substitutions = {**(config.myst_substitutions or {}), **edition.substitutions()}


def setup(app: Sphinx) -> dict:
    app.add_config_value("russia_iran_asset_versions", {}, "html")
    app.add_directive("quiz", QuizDirective)
    app.add_directive("assessment-map", AssessmentMapDirective)
    app.connect("config-inited", edition_substitutions)
    app.connect("config-inited", serve_chart_libraries)
    app.connect("builder-inited", refresh_cache_when_inputs_change)
    app.connect("builder-inited", build_student_pack)
    app.connect("builder-inited", bibliography_style)
    app.connect("env-get-outdated", pages_to_reread)
    app.connect("html-page-context", page_scripts)
    app.connect("html-page-context", take_away_buttons, priority=502)  # after the theme fills its menu (501)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
