"""Sphinx extension: the built book loads nothing from another host.

Altair's HTML output and myst-nb's widget support point at CDN addresses
(cdn.jsdelivr.net), which keeps the notebooks working unchanged in JupyterLab.
After the HTML is written, this extension copies the files those addresses
name from ``node_modules`` (installed from the pinned package.json) into
``_build/html/_vendor/`` and rewrites each address to a path relative to the
page. A CDN address it cannot serve locally, or a package version that does
not satisfy the address, fails the build.

The same pass makes pages with charts quicker to show: vega is fetched first,
from the top of <head>, and run just before the first chart; the small helper
scripts of Sphinx and its extensions are deferred; each chart is drawn through
riChart (_static/russia_iran.js: the first at once, the others in turn);
RequireJS comes only with the widget manager, after the page has loaded; the
search index is deferred (on chart pages it waits until the page is parsed); the
theme's icon script is left out (its stylesheet draws the icons). Every page's stylesheets come as one file (stylesheets.py).
Only the pages Sphinx wrote in this build are rewritten (the others were
rewritten when they were written).
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import re
import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

from . import bibstyle, edition
from .assessment import AssessmentMapDirective
from .paths import ROOT
from .quiz import QuizDirective
from .stylesheets import Bundles, StylesheetError

NODE_MODULES = ROOT / "node_modules"
VENDOR = "_vendor"
DATASETS_PAGE = "reference/_datasets.md"  # generated; included by reference/about_data.md
# An npm package address on jsDelivr: package (maybe scoped), optional version, optional file.
CDN_ADDRESS = re.compile(
    r"https://cdn\.jsdelivr\.net/npm/"
    r"(?P<package>(?:@[\w.-]+/)?[\w.-]+?)(?:@(?P<version>[\w.^~-]+))?"
    r"(?P<file>/[\w./@-]*)?(?=[?\"'\s]|$)"
)
# Any other reference to a third-party script host is an error.
FOREIGN_HOST = re.compile(r"https?://(?:cdn\.jsdelivr\.net|cdnjs\.cloudflare\.com|unpkg\.com|ajax\.googleapis\.com)[^\"'\s]*")
# Altair lists "vega-lib" among its script paths but never loads it; serve vega there.
ALIASES = {"vega-lib": "vega"}
# sphinx-thebe writes its library's address into every page, twice (the second
# copy is a console error), for a "Live code" button this book does not enable
# (it needs a Binder server). The first copy is kept with a blank address.
THEBE_SCRIPT = re.compile(r'<script>const THEBE_JS_URL = "https://unpkg\.com/thebe@[\w.]+/lib/index\.js";(.*?)</script>\s*')
# The widget manager (3.5 MB) would block the page's charts if loaded in <head>:
# it is loaded, with RequireJS, once the page has loaded. RequireJS is not in
# <head> either: the charts then load vega the plain way (a RequireJS present
# while they do would make them wait for it, and would take the UMD bundles for
# mismatched anonymous modules). The loader waits for vega-embed on pages with
# charts still loading. The widget manager finds its icon fonts beside the
# address RequireJS gives its modules (by default the page's own folder), so
# RequireJS is pointed at _vendor first.
REQUIRE_TAG = re.compile(r'<script\b[^>]*\bsrc="([^"]*/requirejs/require\.js)"[^>]*></script>\s*')
WIDGET_MANAGER_TAG = re.compile(r'<script\b[^>]*\bsrc="([^"]*/@jupyter-widgets/html-manager/dist/)embed-amd\.js"[^>]*></script>')
WIDGET_CDN_ATTRIBUTE = re.compile(r'data-jupyter-widgets-cdn="([^"]*)"')
# Altair's output: its <div> and the inline script that draws the chart into it.
ALTAIR_CHART = re.compile(r'(<div id="(altair-viz-[0-9a-f]+)"></div>\s*<script type="text/javascript">)(.*?)(</script>)', re.S)
ALTAIR_CALL = "(function(spec, embedOpt){"
ALTAIR_AMD_TEST = 'if(typeof define === "function" && define.amd) {'


def _widget_manager_loader(match: re.Match, require: str | None = None) -> str:
    folder = match[1]
    attribute = WIDGET_CDN_ATTRIBUTE.search(match[0])
    base = attribute[1] if attribute else folder.split("@jupyter-widgets/")[0]
    load_require = (f'  add("{require}", function () {{ configure(); add(manager); }});\n' if require
                    else "  configure();\n  add(manager);\n")
    return (
        "<script>\n"
        'window.addEventListener("load", function () {\n'
        f'  var manager = "{folder}embed-amd.js";\n'
        "  function add(src, then) {\n"
        '    var s = document.createElement("script");\n'
        f'    if (src === manager) s.setAttribute("data-jupyter-widgets-cdn", "{base}");\n'
        "    if (then) s.onload = then;\n"
        "    s.src = src;\n"
        "    document.body.appendChild(s);\n"
        "  }\n"
        "  function configure() {\n"
        f'    require.config({{paths: {{"@jupyter-widgets/html-manager/dist": "{folder.rstrip("/")}"}}}});\n'
        "  }\n"
        "  var tries = 0;\n"
        "  (function go() {\n"
        "    if (document.querySelector('div[id^=\"altair-viz-\"]') && !window.vegaEmbed && tries++ < 200) {\n"
        "      setTimeout(go, 50);\n"
        "      return;\n"
        "    }\n"
        f"{load_require}"
        "  })();\n"
        "});</script>"
    )


ALTAIR_PATH = re.compile(r'"(vega|vega-lite|vega-embed)": "([^"]+)"')
ALTAIR_VERSION = re.compile(r'maybeLoadScript\("(vega|vega-lite|vega-embed)", "([^"]+)"\)')
VEGA_MARK = "<!-- vega for the charts -->"
SEARCH_INDEX_TAG = re.compile(r'<script src="((?:\.\./)*searchindex\.js)"></script>')
# On a page with charts the chart libraries come first. Sphinx's and the
# extensions' helper scripts act at DOMContentLoaded; deferred, they keep their
# order and no longer hold up the parser on its way to the first chart
# (documentation_options.js stays: inline scripts in <head> use it). The
# theme's preloads of its own deferred scripts are dropped. The search index is
# fetched once the page has been parsed, and so after the first chart is drawn
# (fetched and compiled alongside, it took 20-35 ms of the first chart's time on
# 2 cores); a search waits for it.
DEFERRABLE_SCRIPT = re.compile(
    r'<script (?P<attributes>(?:data-[\w-]+="[^"]*" )*)src="(?P<src>[^"]*/_static/(?:scripts/)?'
    r'(?:doctools|sphinx_highlight|clipboard\.min|copybutton|sphinx-book-theme|togglebutton|design-tabs'
    r'|searchtools|language_data)\.js[^"]*)"></script>')
THEME_SCRIPT_PRELOAD = re.compile(
    r'<link rel="preload" as="script" href="[^"]*/_static/scripts/(?:bootstrap|pydata-sphinx-theme)\.js[^"]*" />\s*')
AFTER_PARSING_SCRIPT = re.compile(r'<script defer src="([^"]*searchindex\.js[^"]*)"></script>')
# The theme's icon script (1.45 MB, the largest file of a page) draws Font Awesome
# icons as SVG "so that users can add custom icons"; the theme's stylesheet already
# draws the same Font Awesome 6 icons from its web fonts, and the book adds none.
ICON_SCRIPT = re.compile(r'\s*<script defer src="(?:[^"]*/)?_static/scripts/fontawesome\.js[^"]*"></script>')
AFTER_PARSING_LOADER = ('<script>document.addEventListener("DOMContentLoaded", function () {{ '
                        'var s = document.createElement("script"); s.src = "{}"; document.head.appendChild(s); }});</script>')


def _charts_first(page: str) -> str:
    page = DEFERRABLE_SCRIPT.sub(r'<script defer \g<attributes>src="\g<src>"></script>', page)
    page = THEME_SCRIPT_PRELOAD.sub("", page)
    return AFTER_PARSING_SCRIPT.sub(lambda match: AFTER_PARSING_LOADER.format(match[1]), page)


def _vega_tags(body: str) -> tuple[str, str] | None:
    """Altair's snippet fetches vega, then vega-lite, then vega-embed, each only
    once the one before has run, and only once the parser reaches the first
    chart: on a long page with much else to load, the first chart waits for all
    that. Instead the three are preloaded from the top of <head> (fetched at once,
    first in the queue) and run just before the first chart, which then draws at
    once. They are marked loaded in VEGA_DEBUG as Altair's snippet does, so that it
    loads none again; if one failed, the snippet tries itself and shows the error.
    Returns (the <head> links, the scripts before the first chart)."""
    paths = dict(ALTAIR_PATH.findall(body))
    versions = dict(ALTAIR_VERSION.findall(body))
    libs = [(paths[lib], lib.replace("-", "") + "_version", versions[lib])
            for lib in ("vega", "vega-lite", "vega-embed") if lib in paths and lib in versions]
    if len(libs) != 3:
        return None
    links = "".join(f'<link rel="preload" as="script" fetchpriority="high" href="{path}" />\n' for path, _, _ in libs)
    marks = "".join(f' VEGA_DEBUG["{key}"] = "{version}";' for _, key, version in libs)
    scripts = (VEGA_MARK + "".join(f'<script src="{path}"></script>' for path, _, _ in libs)
               + '<script>var VEGA_DEBUG = (typeof VEGA_DEBUG == "undefined") ? {} : VEGA_DEBUG;\n'
               f"if (window.vega && window.vegaLite && window.vegaEmbed) {{{marks} }}</script>\n")
    return links, scripts


def _lazy_chart(match: re.Match) -> str:
    """Hand one Altair chart's drawing to riChart (_static/russia_iran.js), which
    draws the page's first chart at once and the others in turn."""
    opening, chart_id, body, closing = match[1], match[2], match[3], match[4]
    start = body.find(ALTAIR_CALL)
    if "riChart" in body or start < 0:
        return match[0]
    body = body.replace("document.currentScript.previousElementSibling", f'document.getElementById("{chart_id}")')
    # Once vega-embed is loaded (by an earlier chart), use it even if RequireJS has arrived since.
    body = body.replace(ALTAIR_AMD_TEST, 'if(typeof define === "function" && define.amd && typeof vegaEmbed === "undefined") {')
    start = body.find(ALTAIR_CALL)
    call = body[start:].rstrip()
    return (f"{opening}{body[:start]}(window.riChart || function (id, draw) {{ draw(); }})"
            f'("{chart_id}", function () {{\n{call}\n}});\n{closing}')


ASSET_SUFFIXES = {".woff", ".woff2", ".ttf", ".eot", ".svg", ".png", ".gif", ".css"}


def _installed_version(package: str) -> str:
    manifest = NODE_MODULES / package / "package.json"
    if not manifest.exists():
        raise ExtensionError(f"the npm package {package} is not installed: run the README's build command (npm ci)")
    return json.loads(manifest.read_text())["version"]


def _satisfies(installed: str, wanted: str | None) -> bool:
    """jsDelivr version ranges as used here: '6' (major), '6.4.1' (exact), or none."""
    if not wanted:
        return True
    wanted = wanted.lstrip("^~")
    return installed == wanted or installed.startswith(wanted + ".")


def _entry_file(package: str) -> str:
    """The file jsDelivr serves for a bare package address."""
    manifest = json.loads((NODE_MODULES / package / "package.json").read_text())
    for field in ("jsdelivr", "unpkg", "browser", "main"):
        if isinstance(manifest.get(field), str):
            return manifest[field].lstrip("./")
    raise ExtensionError(f"cannot tell which file of {package} to serve")


def local_file(match: re.Match) -> str:
    """Path under _vendor/ for one CDN address; checks the pinned version satisfies it."""
    package, version, file = match["package"], match["version"], match["file"]
    package = ALIASES.get(package, package)
    installed = _installed_version(package)
    if not _satisfies(installed, version):
        raise ExtensionError(
            f"the page asks for {package}@{version} but package.json pins {installed}: update package.json"
        )
    relative = file.lstrip("/") if file and file != "/" else _entry_file(package)
    if not (NODE_MODULES / package / relative).is_file():
        raise ExtensionError(f"{package} has no file {relative} to serve in place of {match[0]}")
    return f"{package}/{relative}"


def _fresh(source: Path, target: Path) -> bool:
    """Whether target is already a copy of source (copy2 keeps the time stamp)."""
    try:
        here, there = source.stat(), target.stat()
    except FileNotFoundError:
        return False
    return here.st_size == there.st_size and int(here.st_mtime) == int(there.st_mtime)


def _copy(vendored: str, outdir: Path) -> None:
    """Copy one file, and the fonts and images beside it that it may load (unless copied already)."""
    source = NODE_MODULES / vendored
    target = outdir / VENDOR / vendored
    if _fresh(source, target):
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)
    for sibling in source.parent.iterdir():
        if sibling.suffix in ASSET_SUFFIXES and not (target.parent / sibling.name).exists():
            shutil.copy2(sibling, target.parent / sibling.name)


def localise_page(page: Path, outdir: Path, bundles: Bundles | None = None) -> bool:
    """Rewrite one HTML page's CDN addresses (and, given bundles, link its
    stylesheets as one file); return whether it changed."""
    text = page.read_text(encoding="utf-8")
    prefix = os.path.relpath(outdir / VENDOR, page.parent).replace(os.sep, "/")

    def rewrite(match: re.Match) -> str:
        vendored = local_file(match)
        _copy(vendored, outdir)
        return f"{prefix}/{vendored}"

    new = CDN_ADDRESS.sub(rewrite, text)
    thebe = list(THEBE_SCRIPT.finditer(new))
    for match in reversed(thebe):
        kept = f'<script>const THEBE_JS_URL = "";{match[1]}</script>\n' if match is thebe[0] else ""
        new = new[:match.start()] + kept + new[match.end():]
    # The widget manager's base address for widget modules it does not bundle.
    new = new.replace('data-jupyter-widgets-cdn="https://cdn.jsdelivr.net/npm/"',
                      f'data-jupyter-widgets-cdn="{prefix}/"')
    manager = WIDGET_MANAGER_TAG.search(new)
    if manager:
        require = REQUIRE_TAG.search(new)
        if require:
            new = new[:require.start()] + new[require.end():]
        new = WIDGET_MANAGER_TAG.sub(lambda m: _widget_manager_loader(m, require[1] if require else None), new)
    # Every page loads the search index (150 KB) in <head>, which holds up the
    # page's text and charts; deferred, it still loads before searchtools.js runs
    # its search (at DOMContentLoaded).
    new = SEARCH_INDEX_TAG.sub(r'<script defer src="\1"></script>', new)
    new = ICON_SCRIPT.sub("", new)
    first_chart = ALTAIR_CHART.search(new)
    tags = _vega_tags(first_chart[3]) if first_chart and VEGA_MARK not in new else None
    charset = new.find('<meta charset="utf-8" />')
    if tags and charset >= 0:
        at = charset + len('<meta charset="utf-8" />')
        before = first_chart.start()  # before the chart's <style>, if Altair wrote one
        style = new.rfind("<style>", 0, before)
        if style >= 0 and first_chart[2] in new[style:before] and "</style>" in new[style:before]:
            before = style
        new = _charts_first(new[:at] + "\n" + tags[0] + new[at:before] + tags[1] + new[before:])
    new = ALTAIR_CHART.sub(_lazy_chart, new)
    if bundles is not None:
        new = bundles.rewrite(page, new)
    leftover = FOREIGN_HOST.search(new)
    if leftover:
        raise ExtensionError(f"{page.relative_to(outdir)} still refers to {leftover[0]}, which the book cannot serve")
    if new != text:
        page.write_text(new, encoding="utf-8")
        return True
    return False


def note_written_page(app: Sphinx, pagename: str, templatename, context, doctree) -> None:
    """Remember each page Sphinx writes in this build: only those need rewriting."""
    if app.builder.format == "html":
        app.russia_iran_written.add(Path(app.builder.get_outfilename(pagename)))


def localise_build(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    if app.parallel > 1:  # pages written in worker processes are not seen here: rewrite every page
        written = outdir.rglob("*.html")
    else:  # a page Sphinx did not write this time was rewritten when it was written
        written = sorted(app.russia_iran_written)
    bundles = Bundles(outdir)
    try:
        for page in written:
            if page.is_file() and VENDOR not in page.relative_to(outdir).parts:
                localise_page(page, outdir, bundles)
        bundles.write()
    except StylesheetError as problem:
        raise ExtensionError(str(problem)) from None


def take_away_buttons(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Add the take-away editions (russia_iran/takeaway.py writes them after the build) to the
    theme's download menu: the book's PDF on every page, a chapter's PDF and executed notebook
    on its own page."""
    from .takeaway import BOOK

    group = next((b for b in context.get("header_buttons", []) if b.get("label") == "download-buttons"), None)
    if group is None:
        return
    pathto = context["pathto"]
    items = []
    if pagename.startswith("chapters/"):
        chapter = pagename.split("/", 1)[1]
        items += [("pdf/" + chapter + ".pdf", "chapter PDF", "fas fa-file-pdf", "Download this chapter as PDF"),
                  ("notebooks/" + chapter + ".ipynb", "chapter .ipynb with outputs", "fas fa-book",
                   "Download this chapter as a notebook with its charts")]
    items.append(("pdf/" + BOOK, "whole book PDF", "fas fa-book-open", "Download the whole book as PDF"))
    group["buttons"] += [{"type": "link", "url": pathto(url, 1), "text": text, "icon": icon, "tooltip": tip,
                          "label": "takeaway-" + url.replace("/", "-").replace(".", "-")} for url, text, icon, tip in items]


def build_student_pack(app: Sphinx) -> None:
    """The zip the exercise pages and the guide link (russia_iran/student_pack.py); a leak fails the build."""
    from . import student_pack

    pack = student_pack.build()
    # The leak check (1.5 s) runs again only when the pack or a master changed since it passed.
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


def write_dataset_pages(app: Sphinx) -> None:
    """Describe the data sets from datapackage.json; a bad row fails the build here, clearly.
    Skipped when neither the inputs nor the page changed since it was last written
    (then pandas is not even imported)."""
    target = Path(app.srcdir) / DATASETS_PAGE
    stamp = Path(app.outdir).parent / ".datasets.inputs"
    writer = hashlib.sha256((Path(__file__).parent / "about.py").read_bytes()).hexdigest()
    fingerprint = _fingerprint(app) + writer
    if target.exists() and stamp.exists():
        recorded = stamp.read_text().split()
        if recorded == [fingerprint, hashlib.sha256(target.read_bytes()).hexdigest()]:
            return
    from .about import datasets_markdown
    from .data import DataError

    try:
        text = datasets_markdown()
    except DataError as problem:
        raise ExtensionError(str(problem)) from None
    if not target.exists() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(f"{fingerprint} {hashlib.sha256(target.read_bytes()).hexdigest()}\n")


CODE_CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```", re.S | re.M)


def _module_file(name: str) -> Path | None:
    """russia_iran.figures.war2026 -> its file, or None if it is not a module of the package.
    A name the package exports lazily (russia_iran.load) leads to the module that defines it."""
    from . import _EXPORTS

    package, _, attr = name.partition(".")
    if attr in _EXPORTS:
        name = f"{package}.{_EXPORTS[attr]}"
    base = ROOT.joinpath(*name.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def _imports(source: str, module: str = "") -> set[str]:
    """Package modules named by the import statements of ``source`` (relative ones resolved)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = module.split(".")[: -node.level]
                base = ".".join(parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            found |= {base} | {f"{base}.{a.name}" for a in node.names}
    return {n for n in found if n.split(".")[0] == "russia_iran"}


def notebook_modules() -> list[Path]:
    """The package files the book's notebook pages import, directly or through other modules."""
    todo = set()
    for page in ROOT.glob("*/*.md"):
        text = page.read_text(encoding="utf-8")
        if text.startswith("---\njupytext:"):
            for cell in CODE_CELL.findall(text):
                code = "\n".join(line for line in cell.splitlines() if not line.startswith(":"))
                todo |= _imports(code)
    seen: dict[str, Path] = {}
    while todo:
        name = todo.pop()
        path = _module_file(name)
        if path is None or name in seen:
            continue
        seen[name] = path
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        todo |= _imports(path.read_text(encoding="utf-8"), package + ".x")
    return sorted(set(seen.values()))


def inputs_fingerprint() -> str:
    """Hash of what every notebook's output depends on besides its own code: the package modules
    the notebooks import (not the grader or the build tools), the data and the bibliography."""
    digest = hashlib.sha256()
    files = sorted([*notebook_modules(), *(ROOT / "data").glob("*.csv"),
                    ROOT / "data" / "datapackage.json", ROOT / "references.bib"])
    for path in files:
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _fingerprint(app: Sphinx) -> str:
    """inputs_fingerprint(), computed once per build."""
    if not getattr(app, "russia_iran_inputs", None):
        app.russia_iran_inputs = inputs_fingerprint()
    return app.russia_iran_inputs


def refresh_cache_when_inputs_change(app: Sphinx) -> None:
    """The execution cache keys on a notebook's code only; a change to the helper
    package or the data must re-run the notebooks too, or pages would show stale
    numbers. The cache (which both editions may share) is cleared when the inputs
    changed since it was filled."""
    cache = Path(app.config.nb_execution_cache_path or Path(app.outdir).parent / ".jupyter_cache")
    stamp = cache.with_name(cache.name + ".inputs")
    fingerprint = _fingerprint(app)
    if not stamp.exists() or stamp.read_text() != fingerprint:
        shutil.rmtree(cache, ignore_errors=True)
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.write_text(fingerprint)


def notebooks_to_rerun(app: Sphinx, env, added, changed, removed) -> list[str]:
    """Every notebook page, when the inputs changed since this environment last read them."""
    fingerprint = _fingerprint(app)
    if getattr(env, "russia_iran_inputs", None) == fingerprint:
        return []
    env.russia_iran_inputs = fingerprint
    return [doc for doc in env.found_docs
            if doc not in added and doc not in changed
            and (Path(app.srcdir) / f"{doc}.md").is_file()
            and (Path(app.srcdir) / f"{doc}.md").read_text(encoding="utf-8").startswith("---\njupytext:")]


def _static_fingerprint(app: Sphinx) -> str:
    digest = hashlib.sha256()
    for folder in app.config.html_static_path:
        base = Path(app.confdir or app.srcdir) / folder
        for path in sorted(p for p in base.rglob("*") if p.is_file()):
            digest.update(path.relative_to(base).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def copy_changed_static_files(app: Sphinx, env, added, changed, removed) -> list[str]:
    """Sphinx copies _static only when it writes a page, so an edit to the book's
    stylesheet or script alone never reached the site. When they changed, the
    start page is written again, which copies them (and refreshes the stylesheet bundle)."""
    fingerprint = _static_fingerprint(app)
    if getattr(env, "russia_iran_static", None) == fingerprint:
        return []
    env.russia_iran_static = fingerprint
    return [app.config.root_doc]


def _bibliography_cache(app: Sphinx) -> Path:
    return Path(app.outdir).parent / ".bibtex_formatted.pickle"


def load_bibliography_cache(app: Sphinx) -> None:
    bibstyle.load_cache(_bibliography_cache(app))


def save_bibliography_cache(app: Sphinx, exception: Exception | None) -> None:
    if exception is None:
        bibstyle.save_cache(_bibliography_cache(app))


def edition_substitutions(app: Sphinx, config) -> None:
    """{{ covers_to }}, {{ version }} and {{ released }} on every page, from russia_iran/edition.py.
    A change to them is a change of configuration, so Sphinx writes every page again."""
    config.myst_substitutions = {**(config.myst_substitutions or {}), **edition.substitutions()}


def edition_banner(app: Sphinx, pagename: str, templatename, context, doctree) -> None:
    """The theme's announcement slot, on every page: how far the story goes (``data-covers-to``)."""
    context["theme_announcement"] = edition.banner_html(context["pathto"]("reference/changes"))


def setup(app: Sphinx) -> dict:
    bibstyle.register()
    app.add_directive("quiz", QuizDirective)
    app.add_directive("assessment-map", AssessmentMapDirective)
    app.connect("config-inited", edition_substitutions)
    app.connect("html-page-context", edition_banner)
    app.connect("builder-inited", load_bibliography_cache)
    app.connect("build-finished", save_bibliography_cache)
    app.russia_iran_written = set()
    app.connect("html-page-context", note_written_page)
    app.connect("builder-inited", refresh_cache_when_inputs_change)
    app.connect("env-get-outdated", notebooks_to_rerun)
    app.connect("env-get-outdated", copy_changed_static_files)
    app.connect("builder-inited", write_dataset_pages)
    app.connect("builder-inited", build_student_pack)
    app.connect("html-page-context", take_away_buttons, priority=502)  # after the theme fills its menu (501)
    # Last: the theme and other extensions write stylesheets at build-finished
    # too (pydata-sphinx-theme replaces pygments.css with its light and dark
    # version), and the bundle must hold the files as they end up.
    app.connect("build-finished", localise_build, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
