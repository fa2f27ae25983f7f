"""Take-away editions made from the built book: PDFs of each chapter and of the whole book, and
each chapter as a notebook with its outputs.

    python -m russia_iran.takeaway        (./run.sh build runs it after the book; ./run.sh pdf alone)

The built pages are served on 127.0.0.1 and Debian's chromium prints them with every other
request refused, so the PDFs hold exactly what the offline book shows, charts as vectors. The
print stylesheet (``_static/russia_iran.css``) hides navigation, code and controls. The book PDF
gets a title page with the edition's dates, a contents page with page numbers, an outline and the
bibliography last; pypdf merges the parts.

The notebooks are the chapters as the book executed them (from its execution cache). myst-nb
stores values glued without display under its own ``application/papermill.record/`` types, which
JupyterLab does not show, so they are given back their plain types, and each chart becomes the SVG
chromium drew for the book: it reads in JupyterLab, on GitHub or offline; running the notebook redraws the
interactive chart. Output: ``_build/html/pdf/`` and ``_build/html/notebooks/``.
"""

from __future__ import annotations

import copy
import functools
import html
import http.server
import io
import re
import sys
import threading
from pathlib import Path

import yaml

from . import edition
from .paths import ROOT

HTML = ROOT / "_build" / "html"
OUT = HTML / "pdf"
NOTEBOOKS = HTML / "notebooks"
CACHE = ROOT / "_build" / ".jupyter_cache"
RECORD = "application/papermill.record/"
CHART_ID = re.compile(r'id="chart-([a-z0-9-]+)"')
CHART_SVGS = ("() => Object.fromEntries([...document.querySelectorAll('figure.ri-chart')]"
              ".map(f => [f.id.slice(6), (f.querySelector('.vega-embed svg') || {}).outerHTML || '']))")
BOOK = "russia-iran-an-uneven-partnership.pdf"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
SKIPPED_PARTS = ("Exercises", "For instructors")  # notebooks to download and a guide, not reading
PAPER = {"A4": "A4", "Letter": "Letter"}
FOOTER = ('<div style="font-size:8px;width:100%;text-align:center;color:#555">'
          '<span class="pageNumber"></span></div>')
CHARTS_DRAWN = ("() => [...document.querySelectorAll('div.ri-vega')]"
                ".every(e => e.querySelector('svg, canvas, .error'))")


class TakeawayError(RuntimeError):
    """The take-away editions cannot be made (no built book, no chromium), with the reason."""


def menu_items(pagename: str) -> list[tuple[str, str, str, str]]:
    """The take-away editions a page offers in the theme's download menu, as (address from the
    site's root, text, icon, tooltip): the book's PDF on every page, a chapter's PDF and executed
    notebook on its own page."""
    items = []
    if pagename.startswith("chapters/"):
        chapter = pagename.split("/", 1)[1]
        items += [("pdf/" + chapter + ".pdf", "chapter PDF", "fas fa-file-pdf", "Download this chapter as PDF"),
                  ("notebooks/" + chapter + ".ipynb", "chapter .ipynb with outputs", "fas fa-book",
                   "Download this chapter as a notebook with its charts")]
    return items + [("pdf/" + BOOK, "whole book PDF", "fas fa-book-open", "Download the whole book as PDF")]


def reading_order(toc: Path = ROOT / "_toc.yml") -> list[tuple[str, str]]:
    """(page path without suffix, part caption) for the pages the book PDF holds, bibliography last."""
    spec = yaml.safe_load(toc.read_text(encoding="utf-8"))
    pages = [(spec["root"], "")]
    for part in spec.get("parts", []):
        if part.get("caption") in SKIPPED_PARTS:
            continue
        pages += [(entry["file"], part.get("caption", "")) for entry in part.get("chapters", [])]
    bibliography = [p for p in pages if p[0].endswith("bibliography")]
    return [p for p in pages if p not in bibliography] + bibliography


def _serve(folder: Path):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _open(browser, url: str):
    page = browser.new_page()
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("http://127.0.0.1", "data:"))
               else r.abort())
    page.goto(url, wait_until="load")
    page.wait_for_function(CHARTS_DRAWN, timeout=60000)
    page.emulate_media(media="print")
    return page


def _print(page, paper: str = "A4") -> bytes:
    return page.pdf(format=PAPER[paper], print_background=True, display_header_footer=True,
                    header_template="<span></span>", footer_template=FOOTER,
                    margin={"top": "16mm", "bottom": "16mm", "left": "14mm", "right": "14mm"})


def _title_page() -> str:
    return (f"<html><body style='font-family:sans-serif;text-align:center;padding-top:30%'>"
            f"<h1 style='font-size:28pt'>Russia and Iran: An Uneven Partnership</h1>"
            f"<p style='font-size:13pt'>An open teaching module</p>"
            f"<p>Edition {edition.VERSION}, released {edition.RELEASED:%d %B %Y}.<br>"
            f"It covers events up to {edition.COVERS_TO:%d %B %Y}.</p>"
            f"<p style='font-size:9pt;margin-top:40%'>Text and data: CC BY 4.0. Code: MIT licence.</p>"
            f"</body></html>")


def _contents_page(entries: list[tuple[str, int]]) -> str:
    rows = "".join(f"<tr><td>{html.escape(t)}</td><td style='text-align:right'>{n}</td></tr>" for t, n in entries)
    return (f"<html><body style='font-family:sans-serif'><h1>Contents</h1>"
            f"<table style='width:100%;font-size:11pt;border-collapse:collapse'>{rows}</table></body></html>")


def build(out: Path = OUT, html_dir: Path = HTML, paper: str = "A4") -> dict[str, Path]:
    """Print every chapter and the whole book; returns {name: path}."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright
    from pypdf import PdfReader, PdfWriter

    if not (html_dir / "index.html").exists():
        raise TakeawayError(f"no built book in {html_dir}: run ./run.sh build first")
    if not Path(CHROMIUM).exists():
        raise TakeawayError(f"Debian's chromium is needed at {CHROMIUM} to print the PDFs")
    out.mkdir(parents=True, exist_ok=True)
    server = _serve(html_dir)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    written: dict[str, Path] = {}
    parts: list[tuple[str, bytes]] = []
    svgs: dict[str, dict[str, str]] = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            for page_path, _caption in reading_order():
                page = _open(browser, f"{base}/{page_path}.html")
                title = page.title().split(" — ")[0].strip()
                if page_path.startswith("chapters/"):
                    svgs[Path(page_path).name] = page.evaluate(CHART_SVGS)
                data = _print(page, paper)
                page.close()
                parts.append((title, data))
                if page_path.startswith("chapters/"):
                    target = out / f"{Path(page_path).name}.pdf"
                    target.write_bytes(data)
                    written[Path(page_path).name] = target
            front = browser.new_page()
            front.set_content(_title_page())
            title_pdf = front.pdf(format=PAPER[paper])
            counts = [len(PdfReader(io.BytesIO(d)).pages) for _, d in parts]
            contents_pdf, contents_pages = b"", 1
            for _ in range(2):  # the contents page's own length shifts the numbers once at most
                first, entries = len(PdfReader(io.BytesIO(title_pdf)).pages) + contents_pages + 1, []
                for (title, _), n in zip(parts, counts):
                    entries.append((title, first))
                    first += n
                front.set_content(_contents_page(entries))
                contents_pdf = front.pdf(format=PAPER[paper], margin={"top": "16mm", "bottom": "16mm",
                                                                       "left": "14mm", "right": "14mm"})
                if len(PdfReader(io.BytesIO(contents_pdf)).pages) == contents_pages:
                    break
                contents_pages = len(PdfReader(io.BytesIO(contents_pdf)).pages)
            browser.close()
    except PlaywrightError as e:
        raise TakeawayError(f"chromium could not print the book: {e}") from None
    finally:
        server.shutdown()
    writer = PdfWriter()
    for data in (title_pdf, contents_pdf):
        writer.append(PdfReader(io.BytesIO(data)))
    for title, data in parts:
        start = len(writer.pages)
        writer.append(PdfReader(io.BytesIO(data)))
        writer.add_outline_item(title=title, page_number=start)
    writer.add_metadata({"/Title": "Russia and Iran: An Uneven Partnership",
                         "/Subject": f"Edition {edition.VERSION}, covering events to {edition.COVERS_TO:%Y-%m-%d}"})
    book = out / BOOK
    with open(book, "wb") as f:
        writer.write(f)
    written["book"] = book
    for name, charts in svgs.items():
        written[f"{name}.ipynb"] = write_notebook(name, charts)
    return written


def executed_notebook(chapter: str, cache_path: Path = CACHE):
    """The chapter as the book last executed it, from myst-nb's execution cache."""
    from jupyter_cache import get_cache

    records = [r for r in get_cache(str(cache_path)).list_cache_records()
               if Path(r.uri).name == f"{chapter}.md" and Path(r.uri).parent.name == "chapters"]
    if not records:
        raise TakeawayError(f"no executed copy of chapters/{chapter}.md in {cache_path}: build the book first")
    latest = max(records, key=lambda r: r.created)
    return get_cache(str(cache_path)).get_cache_bundle(latest.pk).nb


def readable_outputs(nb, charts: dict[str, str]):
    """Glued outputs with their plain types; each chart as the SVG the book drew (see module doc)."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            plain = {k[len(RECORD):] if k.startswith(RECORD) else k: v for k, v in data.items()}
            chart = CHART_ID.search(str(plain.get("text/html", "")))
            if chart and charts.get(chart.group(1)):
                plain = {"image/svg+xml": charts[chart.group(1)], "text/plain": plain.get("text/plain", "")}
            output["data"] = plain
            output.get("metadata", {}).pop("scrapbook", None)
    nb.metadata.pop("execution", None)
    return nb


def write_notebook(chapter: str, charts: dict[str, str], folder: Path = NOTEBOOKS) -> Path:
    import nbformat

    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{chapter}.ipynb"
    nbformat.write(readable_outputs(executed_notebook(chapter), charts), str(target))
    return target


def main(argv: list[str] | None = None) -> int:
    try:
        written = build()
    except TakeawayError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    for name, path in written.items():
        print(f"{name}: {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
