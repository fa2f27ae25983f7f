"""The book builds with -n -W, executes nothing twice, and references no other host."""

from __future__ import annotations

import re

from conftest import HTML, ROOT, jupyter_book_build, pages

EXECUTING = re.compile(r"Executing notebook")
LOADS = re.compile(r"<(?:script|link|img|iframe|source)\b[^>]*\b(?:src|href)=\"(https?:)?//", re.I)
CDN_HOSTS = ("cdn.jsdelivr.net", "cdnjs.cloudflare.com", "unpkg.com", "fonts.googleapis.com")


SPHINX_WARNING = re.compile(r"WARNING: ")  # Sphinx's form; kernels log "WARNING |" lines of their own


def test_book_builds_without_warnings(built_book):
    assert "build succeeded" in built_book.stdout
    assert not SPHINX_WARNING.search(built_book.stdout + built_book.stderr)


def test_no_page_refers_to_a_cdn(built_book):
    offenders = {}
    for page in pages():
        text = page.read_text(encoding="utf-8")
        found = [host for host in CDN_HOSTS if host in text] + LOADS.findall(text)
        if found:
            offenders[str(page.relative_to(HTML))] = found
    assert not offenders, offenders


def test_vendored_scripts_are_served_by_the_book(built_book):
    for name in ("vega/build/vega.min.js", "vega-lite/build/vega-lite.min.js", "vega-embed/build/vega-embed.min.js"):
        assert (HTML / "_vendor" / name).is_file(), name
    static = {p.name for p in (HTML / "_static").rglob("*.js")}
    assert not static & {"vega.min.js", "embed-amd.js", "require.js"}, "vendored JS must stay out of _static"


def test_widget_manager_only_on_pages_with_widgets(built_book):
    for page in pages():
        text = page.read_text(encoding="utf-8")
        has_widgets = "application/vnd.jupyter.widget-view+json" in text
        assert ("embed-amd.js" in text) == has_widgets, page.relative_to(HTML)


def test_solution_free_sources_are_the_only_sources(built_book):
    copied = {p.relative_to(HTML / "_sources").as_posix() for p in (HTML / "_sources").rglob("*") if p.is_file()}
    assert not [c for c in copied if c.startswith(("exercises/masters", "data/_incoming", "tests/"))]


def test_second_build_executes_no_notebook(built_book):
    again = jupyter_book_build()
    assert again.returncode == 0, again.stdout[-3000:]
    assert not EXECUTING.search(again.stdout), "a notebook was executed although nothing changed"
    assert (ROOT / "_build" / ".jupyter_cache").is_dir()
