"""Sphinx extension: the built book loads nothing from another host.

Altair's HTML output and myst-nb's widget support point at CDN addresses
(cdn.jsdelivr.net), which keeps the notebooks working unchanged in JupyterLab.
After the HTML is written, this extension copies the files those addresses
name from ``node_modules`` (installed from the pinned package.json) into
``_build/html/_vendor/`` and rewrites each address to a path relative to the
page. A CDN address it cannot serve locally, or a package version that does
not satisfy the address, fails the build.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

from .paths import ROOT

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
# it is loaded once the page has loaded. It finds its icon fonts beside the
# address RequireJS gives its modules (by default the page's own folder), so
# RequireJS is pointed at _vendor first.
WIDGET_MANAGER_TAG = re.compile(r'<script\b[^>]*\bsrc="([^"]*/@jupyter-widgets/html-manager/dist/)embed-amd\.js"[^>]*></script>')
WIDGET_CDN_ATTRIBUTE = re.compile(r'data-jupyter-widgets-cdn="([^"]*)"')


def _widget_manager_loader(match: re.Match) -> str:
    folder = match[1]
    attribute = WIDGET_CDN_ATTRIBUTE.search(match[0])
    base = attribute[1] if attribute else folder.split("@jupyter-widgets/")[0]
    return (
        f'<script>require.config({{paths: {{"@jupyter-widgets/html-manager/dist": "{folder.rstrip("/")}"}}}});\n'
        'window.addEventListener("load", function () {\n'
        '  var s = document.createElement("script");\n'
        f'  s.setAttribute("data-jupyter-widgets-cdn", "{base}");\n'
        f'  s.src = "{folder}embed-amd.js";\n'
        "  document.body.appendChild(s);\n"
        "});</script>"
    )
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


def _copy(vendored: str, outdir: Path) -> None:
    """Copy one file, and the fonts and images beside it that it may load."""
    source = NODE_MODULES / vendored
    target = outdir / VENDOR / vendored
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)
    for sibling in source.parent.iterdir():
        if sibling.suffix in ASSET_SUFFIXES and not (target.parent / sibling.name).exists():
            shutil.copy2(sibling, target.parent / sibling.name)


def localise_page(page: Path, outdir: Path) -> bool:
    """Rewrite one HTML page's CDN addresses; return whether it changed."""
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
    new = WIDGET_MANAGER_TAG.sub(_widget_manager_loader, new)
    leftover = FOREIGN_HOST.search(new)
    if leftover:
        raise ExtensionError(f"{page.relative_to(outdir)} still refers to {leftover[0]}, which the book cannot serve")
    if new != text:
        page.write_text(new, encoding="utf-8")
        return True
    return False


def localise_build(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    for page in outdir.rglob("*.html"):
        if VENDOR not in page.relative_to(outdir).parts:
            localise_page(page, outdir)


def write_dataset_pages(app: Sphinx) -> None:
    """Describe the data sets from datapackage.json; a bad row fails the build here, clearly."""
    from .about import datasets_markdown
    from .data import DataError

    try:
        text = datasets_markdown()
    except DataError as problem:
        raise ExtensionError(str(problem)) from None
    target = Path(app.srcdir) / DATASETS_PAGE
    if not target.exists() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")


def inputs_fingerprint() -> str:
    """Hash of what every notebook's output depends on besides its own code."""
    digest = hashlib.sha256()
    files = sorted([*(ROOT / "russia_iran").rglob("*.py"), *(ROOT / "data").glob("*.csv"),
                    ROOT / "data" / "datapackage.json", ROOT / "references.bib"])
    for path in files:
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def refresh_cache_when_inputs_change(app: Sphinx) -> None:
    """The execution cache keys on a notebook's code only; a change to the helper
    package or the data must re-run the notebooks too, or pages would show stale
    numbers. The cache (which both editions may share) is cleared when the inputs
    changed since it was filled."""
    cache = Path(app.config.nb_execution_cache_path or Path(app.outdir).parent / ".jupyter_cache")
    stamp = cache.with_name(cache.name + ".inputs")
    fingerprint = inputs_fingerprint()
    if not stamp.exists() or stamp.read_text() != fingerprint:
        shutil.rmtree(cache, ignore_errors=True)
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.write_text(fingerprint)


def notebooks_to_rerun(app: Sphinx, env, added, changed, removed) -> list[str]:
    """Every notebook page, when the inputs changed since this environment last read them."""
    fingerprint = inputs_fingerprint()
    if getattr(env, "russia_iran_inputs", None) == fingerprint:
        return []
    env.russia_iran_inputs = fingerprint
    return [doc for doc in env.found_docs
            if doc not in added and doc not in changed
            and (Path(app.srcdir) / f"{doc}.md").is_file()
            and (Path(app.srcdir) / f"{doc}.md").read_text(encoding="utf-8").startswith("---\njupytext:")]


def setup(app: Sphinx) -> dict:
    app.connect("builder-inited", refresh_cache_when_inputs_change)
    app.connect("env-get-outdated", notebooks_to_rerun)
    app.connect("builder-inited", write_dataset_pages)
    app.connect("build-finished", localise_build)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
