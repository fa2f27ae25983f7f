"""Sphinx extension of the book: its directives, its edition notice, its own copy of the chart
libraries, and notebooks re-run when what they import changes.

Charts are rendered for the book at the source (the Altair renderer in charts.py, switched on
by BOOK_BUILD for the kernels the build starts); this extension serves vega, vega-lite and
vega-embed from the pinned npm packages to the pages that hold charts. Nothing here rewrites
the HTML Sphinx writes (meta/adrs/0004).
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

from . import bibstyle, edition
from .assessment import AssessmentMapDirective
from .paths import BOOK_BUILD, CHART_CLASS, ROOT
from .quiz import QuizDirective

# Served from node_modules (package-lock.json), loaded only by pages with charts, in this order.
CHART_LIBRARIES = [ROOT / "node_modules" / name / "build" / f"{name}.min.js" for name in ("vega", "vega-lite", "vega-embed")]
LIBRARY_VERSIONS: dict[str, str] = {}  # file name -> its package's version, for caches


def serve_chart_libraries(app: Sphinx, config) -> None:
    """Have Sphinx copy the chart libraries into _static (html_static_path takes single files),
    and the notebooks the build runs use the book's renderer."""
    missing = [str(path.relative_to(ROOT)) for path in CHART_LIBRARIES if not path.is_file()]
    if missing:
        raise ExtensionError(f"{', '.join(missing)} missing: run the README's build command (it runs npm ci)")
    config.html_static_path = [*config.html_static_path, *map(str, CHART_LIBRARIES)]
    for path in CHART_LIBRARIES:
        LIBRARY_VERSIONS[path.name] = json.loads((path.parent.parent / "package.json").read_text())["version"]
    os.environ[BOOK_BUILD] = "1"


def page_scripts(app: Sphinx, pagename: str, templatename, context: dict, doctree) -> None:
    """A page with charts lists the chart libraries as preloads, fetched first; the book's
    script runs them in order as they arrive (deferred scripts would wait for the whole page
    to be parsed, holding up the first chart: meta/adrs/0009). No page
    loads sphinx-thebe, whose "Live code" button the book does not offer (it needs a Binder), or
    a second copy of the theme's icon script, which _static/scripts/fontawesome.js empties."""
    scripts = context.get("script_files", [])
    scripts[:] = [js for js in scripts if not any(name in (js.filename or "").lower() for name in ("thebe", "fontawesome"))
                  and "THEBE" not in js.attributes.get("body", "")]
    if f'class="{CHART_CLASS}"' in context.get("body", ""):
        context["metatags"] = context.get("metatags", "") + "".join(
            f'<link rel="preload" as="script" fetchpriority="high" data-ri-library '
            f'href="{context["pathto"]("_static/" + path.name, 1)}?v={LIBRARY_VERSIONS[path.name]}" />\n'
            for path in CHART_LIBRARIES)
    context["theme_announcement"] = edition.banner_html(context["pathto"]("reference/changes"))


def take_away_buttons(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Add the take-away editions (russia_iran/takeaway.py writes them after the build) to the
    theme's download menu: the book's PDF on every page, a chapter's PDF and executed notebook
    on its own page."""
    from .takeaway import BOOK

    group = next((b for b in context.get("header_buttons", []) if b.get("label") == "download-buttons"), None)
    if group is None:
        return
    items = []
    if pagename.startswith("chapters/"):
        chapter = pagename.split("/", 1)[1]
        items += [("pdf/" + chapter + ".pdf", "chapter PDF", "fas fa-file-pdf", "Download this chapter as PDF"),
                  ("notebooks/" + chapter + ".ipynb", "chapter .ipynb with outputs", "fas fa-book",
                   "Download this chapter as a notebook with its charts")]
    items.append(("pdf/" + BOOK, "whole book PDF", "fas fa-book-open", "Download the whole book as PDF"))
    group["buttons"] += [{"type": "link", "url": context["pathto"](url, 1), "text": text, "icon": icon, "tooltip": tip,
                          "label": "takeaway-" + url.replace("/", "-").replace(".", "-")} for url, text, icon, tip in items]


def build_student_pack(app: Sphinx) -> None:
    """The zip the exercise pages and the guide link (russia_iran/student_pack.py); a leak fails the build.
    The leak check (1.5 s) runs again only when the pack or a master changed since it passed."""
    from . import student_pack

    pack = student_pack.build()
    checked = pack.with_suffix(".checked")
    digest = hashlib.sha256()
    for path in [pack, *sorted(student_pack.MASTERS_DIR.glob("*.ipynb"))]:
        digest.update(path.read_bytes())
    if checked.is_file() and checked.read_text() == digest.hexdigest():
        return
    problems = student_pack.leaks(pack)
    if problems:
        raise ExtensionError("the student pack would leak: " + "; ".join(problems[:5]))
    checked.write_text(digest.hexdigest())


def _imports(source: str, package: str = "") -> set[str]:
    """Modules of this package named by the import statements of ``source``, where relative
    imports are taken from ``package``; for ``from a import b``, both a and a.b."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1]) if node.level else ""
            base = ".".join(filter(None, [base, node.module]))
            found |= {base} | {f"{base}.{alias.name}" for alias in node.names}
    return {name for name in found if name.split(".")[0] == "russia_iran"}


def notebook_modules() -> list[Path]:
    """The package files the book's notebook pages import, directly or through other modules
    (a name the package exports lazily, such as russia_iran.load, leads to its module)."""
    from . import _EXPORTS

    todo = set()
    for page in ROOT.glob("*/*.md"):
        text = page.read_text(encoding="utf-8")
        if text.startswith("---\njupytext:"):
            for cell in text.split("```{code-cell}")[1:]:
                todo |= _imports("\n".join(line for line in cell.split("\n```")[0].splitlines()[1:]
                                           if not line.startswith(":")))
    seen: dict[str, Path] = {}
    while todo:
        name = todo.pop()
        head, _, attr = name.partition(".")
        base = ROOT.joinpath(*(f"{head}.{_EXPORTS[attr]}" if attr in _EXPORTS else name).split("."))
        path = next((p for p in (base.with_suffix(".py"), base / "__init__.py") if p.is_file()), None)
        if path is None or name in seen:
            continue
        seen[name] = path
        todo |= _imports(path.read_text(encoding="utf-8"), name if path.name == "__init__.py" else name.rpartition(".")[0])
    return sorted(set(seen.values()))


def inputs_fingerprint(app: Sphinx | None = None) -> str:
    """Hash of what the notebooks' outputs depend on besides their own code: the package modules
    they import (not the grader or the build tools), the data and the bibliography (ADR 6).
    Computed once per build."""
    if app is not None and getattr(app, "russia_iran_inputs", None):
        return app.russia_iran_inputs
    digest = hashlib.sha256()
    for path in sorted([*notebook_modules(), *(ROOT / "data").glob("*.csv"), ROOT / "data" / "datapackage.json",
                        ROOT / "references.bib"]):
        digest.update(path.relative_to(ROOT).as_posix().encode() + path.read_bytes())
    if app is not None:
        app.russia_iran_inputs = digest.hexdigest()
    return digest.hexdigest()


def refresh_cache_when_inputs_change(app: Sphinx) -> None:
    """The execution cache keys on a notebook's code only: it is cleared when the inputs changed
    since it was filled (both editions may share it)."""
    cache = Path(app.config.nb_execution_cache_path or Path(app.outdir).parent / ".jupyter_cache")
    stamp = cache.with_name(cache.name + ".inputs")
    if not stamp.exists() or stamp.read_text() != inputs_fingerprint(app):
        shutil.rmtree(cache, ignore_errors=True)
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.write_text(inputs_fingerprint(app))


def pages_to_reread(app: Sphinx, env, added, changed, removed) -> list[str]:
    """Every notebook page, when the inputs changed since this environment last read them; and
    the start page when only _static changed (Sphinx copies _static only when it writes a page)."""
    reread = []
    if getattr(env, "russia_iran_inputs", None) != inputs_fingerprint(app):
        env.russia_iran_inputs = inputs_fingerprint(app)
        reread = [doc for doc in env.found_docs if doc not in added | changed
                  and (Path(app.srcdir) / f"{doc}.md").is_file()
                  and (Path(app.srcdir) / f"{doc}.md").read_text(encoding="utf-8").startswith("---\njupytext:")]
    static = hashlib.sha256()
    for path in sorted((Path(app.srcdir) / "_static").rglob("*")):
        static.update(path.name.encode() + (path.read_bytes() if path.is_file() else b""))
    if getattr(env, "russia_iran_static", None) != static.hexdigest():
        env.russia_iran_static = static.hexdigest()
        reread.append(app.config.root_doc)
    return reread


def load_bibliography_cache(app: Sphinx) -> None:
    """The entries the last build formatted (russia_iran/bibstyle.py, ADR 9)."""
    bibstyle.load_cache(Path(app.outdir).parent / ".bibtex_formatted.pickle")


def save_bibliography_cache(app: Sphinx, exception: Exception | None) -> None:
    if exception is None:
        bibstyle.save_cache(Path(app.outdir).parent / ".bibtex_formatted.pickle")


def edition_substitutions(app: Sphinx, config) -> None:
    """{{ covers_to }}, {{ version }} and {{ released }} on every page (russia_iran/edition.py)."""
    config.myst_substitutions = {**(config.myst_substitutions or {}), **edition.substitutions()}


def setup(app: Sphinx) -> dict:
    bibstyle.register()
    app.add_directive("quiz", QuizDirective)
    app.add_directive("assessment-map", AssessmentMapDirective)
    app.connect("config-inited", edition_substitutions)
    app.connect("config-inited", serve_chart_libraries)
    app.connect("builder-inited", refresh_cache_when_inputs_change)
    app.connect("builder-inited", build_student_pack)
    app.connect("builder-inited", load_bibliography_cache)
    app.connect("build-finished", save_bibliography_cache)
    app.connect("env-get-outdated", pages_to_reread)
    app.connect("html-page-context", page_scripts)
    app.connect("html-page-context", take_away_buttons, priority=502)  # after the theme fills its menu (501)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
