"""The book builds with -n -W, executes nothing twice, and references no other host."""

from __future__ import annotations

import json
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


def test_solution_free_sources_are_the_only_sources(built_book):
    copied = {p.relative_to(HTML / "_sources").as_posix() for p in (HTML / "_sources").rglob("*") if p.is_file()}
    assert not [c for c in copied if c.startswith(("exercises/masters", "data/_incoming", "tests/"))]


def test_second_build_executes_no_notebook(built_book):
    again = jupyter_book_build()
    assert again.returncode == 0, again.stdout[-3000:]
    assert not EXECUTING.search(again.stdout), "a notebook was executed although nothing changed"
    assert (ROOT / "_build" / ".jupyter_cache").is_dir()


# A chart in the book: its spec as JSON in a placeholder (russia_iran/charts.py).
CHART_SPEC = re.compile(r'<div class="ri-vega"><script type="application/json">(.*?)</script>', re.S)
DATA_CODE = re.compile(r"[a-z]+(?:_[a-z]+)+")  # partly_delivered, air_defence


def _tooltip_fields(node) -> set[str]:
    if isinstance(node, dict):
        found = {t["field"] for t in node.get("tooltip", []) if isinstance(t, dict) and "field" in t} \
            if isinstance(node.get("tooltip"), list) else set()
        return found.union(*(_tooltip_fields(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_tooltip_fields(v) for v in node))
    return set()


def test_tooltips_show_words_not_data_codes(built_book):
    """A reader hovering a point reads 'partly delivered', not the data's code partly_delivered."""
    codes, charts = {}, 0
    for page in pages():
        for match in CHART_SPEC.finditer(page.read_text(encoding="utf-8")):
            spec = json.loads(match[1])
            charts += 1
            fields = _tooltip_fields(spec)
            for rows in spec.get("datasets", {}).values():
                for row in rows:
                    for field in fields:
                        if isinstance(row.get(field), str) and DATA_CODE.fullmatch(row[field]):
                            codes.setdefault(f"{page.relative_to(HTML)}: {field}", set()).add(row[field])
    assert charts >= 16, "the chart specs were not found in the pages"
    assert not codes, codes
