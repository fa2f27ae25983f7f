"""Measure the book: build time, page weight, time to first chart, widget manager.

    ./run.sh benchmark                 cold build + rebuild into a temporary folder, then the pages
    ./run.sh benchmark --html DIR      skip the builds; measure an existing _build/html
    ./run.sh benchmark --grading [N]   the batch grader against a serial `otter run` loop
                                       (benchmarks/grading_batch.py)

Prints figures and the targets they are read against; asserts nothing. The
last part of the output is Markdown, ready to paste into the README.

Targets: a no-change rebuild takes at most 10% of a cold build; the first chart
of a chapter page is drawn within 1.5x the time a bare page with that one chart
takes; no chapter page weighs over 400 KB before the shared JavaScript
(_static/ and Sphinx's searchindex.js, which the search page loads); the widget manager (embed-amd.js) loads only on pages
that show widgets.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
LOADS = 11  # timings are the median of this many cold loads, a chapter's alternating with its floor's
SHARED = ("_static",)
SHARED_FILES = ("searchindex.js",)  # at the top of the site, loaded by the search page
FLOOR_PREFIX = "_benchmark_floor_"
REBUILD_SHARE, CHART_RATIO, CHAPTER_KB = 0.10, 1.5, 400

# Records, from before any page script runs, when the first chart is drawn.
FIRST_CHART_PROBE = """
window.__firstChart = null;
new MutationObserver((changes, observer) => {
  if (document.querySelector('.vega-embed svg.marks, .vega-embed canvas')) {
    window.__firstChart = performance.now();
    observer.disconnect();
  }
}).observe(document, {childList: true, subtree: true});
"""
# One chart as the book renders it (russia_iran/charts.py): a placeholder holding its spec.
CHART_PLACEHOLDER = re.compile(r'<div class="ri-vega"><script type="application/json">.*?</script></div>', re.S)
# What a chapter loads to draw it: the loader at the top of its head (russia_iran/sphinx_ext.py).
SCRIPT_LOADER = re.compile(r"<script>\[[^\]]*\]\.forEach\(.*?</script>")


def build(output: Path) -> float:
    """One `jupyter-book build` (the README's flags) into output; seconds taken."""
    command = [str(Path(sys.executable).parent / "jupyter-book"), "build", str(ROOT), "-W", "-n",
               "--keep-going", "--path-output", str(output)]
    start = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        print(result.stdout[-3000:], result.stderr[-3000:], sep="\n", file=sys.stderr)
        sys.exit("the build failed; nothing measured")
    return seconds


def book_pages(html: Path) -> list[Path]:
    return sorted(p for p in html.rglob("*.html")
                  if not set(SHARED) & set(p.relative_to(html).parts) and not p.name.startswith(FLOOR_PREFIX))


def write_floor(html: Path, chapter: Path) -> Path | None:
    """A bare page beside the chapter holding only the chapter's first chart, drawn the same way."""
    text = chapter.read_text(encoding="utf-8")
    chart, scripts = CHART_PLACEHOLDER.search(text), SCRIPT_LOADER.search(text)
    if not chart:
        return None
    floor = chapter.with_name(f"{FLOOR_PREFIX}{chapter.name}")
    floor.write_text(f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Floor</title>{scripts[0]}</head>\n'
                     f'<body><figure class="ri-chart">{chart[0]}</figure></body></html>\n', encoding="utf-8")
    return floor


class Server:
    def __init__(self, directory: Path):
        class Quiet(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args):
                pass
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(directory)))
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def close(self):
        self.httpd.shutdown()


def load(browser, url: str) -> dict:
    """One cold load (fresh context): bytes received, scripts, time to first chart."""
    context = browser.new_context()
    page = context.new_page()
    page.add_init_script(FIRST_CHART_PROBE)
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("data:")
               or urlparse(r.request.url).hostname == "127.0.0.1" else r.abort())
    responses = []
    page.on("response", lambda response: responses.append(response))
    page.goto(url, wait_until="load")
    charts = page.locator("div.ri-vega").count()
    if charts:
        page.wait_for_function("() => window.__firstChart !== null", timeout=30000)
    page.wait_for_load_state("networkidle")
    total = own = index = 0
    for response in responses:
        try:
            size = len(response.body())
        except Exception:  # redirects and aborted requests have no body
            continue
        total += size
        parts = urlparse(response.url).path.split("/")
        if parts[-1] == "searchindex.js":
            index = size
        if not set(SHARED) & set(parts) and parts[-1] not in SHARED_FILES:
            own += size
    result = {
        "total": total, "own": own, "search_index": index, "charts": charts,
        "first_chart": page.evaluate("() => window.__firstChart"),
        "widget_manager": any(urlparse(r.url).path.endswith("/embed-amd.js") for r in responses),
        "widgets": page.locator('script[type="application/vnd.jupyter.widget-view+json"]').count(),
    }
    context.close()
    return result


def median_first_charts(browser, urls: list[str]) -> list[float | None]:
    """Median time to first chart of each page, their loads alternating so
    that a slow spell of the machine falls on all of them alike."""
    times = [[] for _ in urls]
    for _ in range(LOADS):
        for url, record in zip(urls, times):
            first = load(browser, url)["first_chart"]
            if first is not None:
                record.append(first)
    return [statistics.median(record) if record else None for record in times]


def kb(size: float) -> str:
    return f"{size / 1024:,.0f}"


def table(header: list[str], rows: list[list[str]], markdown: bool) -> str:
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
        return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows)]
    fmt = lambda r: "  ".join(str(c).ljust(w) for c, w in zip(r, widths))
    return "\n".join([fmt(header), fmt(["-" * w for w in widths])] + [fmt(r) for r in rows])


def manager_cell(row: dict, markdown: bool) -> str:
    loaded, needed = row["widget_manager"], bool(row["widgets"])
    cell = "loaded" if loaded else "-"
    problem = "unneeded" if loaded and not needed else "missing" if needed and not loaded else ""
    return cell + (f" (**{problem}**)" if markdown else f" ({problem.upper()})") if problem else cell


def report(builds: dict | None, rows: list[dict], markdown: bool) -> str:
    out = []
    yes = lambda ok: "yes" if ok else "**no**" if markdown else "NO"
    if builds:
        share = builds["rebuild"] / builds["cold"]
        out.append(table(["Build", "Seconds"], [
            ["cold (fresh output folder)", f"{builds['cold']:.1f}"],
            ["rebuild, nothing changed", f"{builds['rebuild']:.1f}"],
            ["rebuild / cold", f"{share:.1%} (target <= {REBUILD_SHARE:.0%}: {yes(share <= REBUILD_SHARE)})"],
        ], markdown))
        out.append("")
    header = ["Page", "HTML KB", "Loaded KB", "Without shared JS KB", "First chart ms", "Floor ms", "Ratio",
              "Widgets", "embed-amd.js"]
    body = []
    for r in rows:
        chapter = r["page"].startswith("chapters/")
        ratio = r["first_chart"] / r["floor"] if r.get("floor") and r.get("first_chart") else None
        body.append([
            r["page"], kb(r["html"]), kb(r["total"]),
            kb(r["own"]) + ("" if not chapter else f" ({yes(r['own'] <= CHAPTER_KB * 1024)})"),
            f"{r['first_chart']:.0f}" if r.get("first_chart") else "-",
            f"{r['floor']:.0f}" if r.get("floor") else "-",
            f"{ratio:.2f} ({yes(ratio <= CHART_RATIO)})" if ratio else "-",
            str(r["widgets"]),
            manager_cell(r, markdown),
        ])
    out.append(table(header, body, markdown))
    out.append("")
    index = max((r["search_index"] for r in rows), default=0)
    if index:
        out.append(f"'Without shared JS' leaves out Sphinx's search index (searchindex.js, {kb(index)} KB, "
                   "loaded by the search page only) with the other shared JavaScript.")
    out.append(f"Targets: rebuild <= {REBUILD_SHARE:.0%} of a cold build; time to first chart <= {CHART_RATIO}x "
               f"the floor (a bare page with the same first chart, drawn by the same scripts, which "
               f"the chapter's head starts: vega, vega-lite, vega-embed and the book's own); no chapter page over {CHAPTER_KB} KB without "
               f"the shared JavaScript under _static/ and searchindex.js; the widget manager (embed-amd.js) loaded only "
               f"on pages with widgets. Timings are the median of {LOADS} cold loads in headless chromium; "
               f"'Loaded KB' sums the bodies of every response of one cold load.")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--html", type=Path, help="measure this built site instead of building one")
    parser.add_argument("--grading", type=int, nargs="?", const=40, metavar="N",
                        help="time grading N submissions (default 40) instead of the book")
    args = parser.parse_args()
    if args.grading:
        import grading_batch

        grading_batch.main(args.grading)
        return

    temporary = None
    builds = None
    if args.html:
        html = args.html.resolve()
    else:
        temporary = Path(tempfile.mkdtemp(prefix="russia-iran-benchmark-"))
        print(f"Cold build into {temporary} ...", flush=True)
        cold = build(temporary)
        print(f"  {cold:.1f} s; rebuild with nothing changed ...", flush=True)
        rebuild = build(temporary)
        builds = {"cold": cold, "rebuild": rebuild}
        html = temporary / "_build" / "html"

    from playwright.sync_api import sync_playwright

    floors = []
    server = Server(html)
    rows = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            for path in book_pages(html):
                name = path.relative_to(html).as_posix()
                print(f"  loading {name} ...", file=sys.stderr, flush=True)
                url = f"{server.base}/{name}"
                first = load(browser, url)
                row = {"page": name, "html": path.stat().st_size, **first}
                row["first_chart"] = None
                floor = write_floor(html, path) if name.startswith("chapters/") and first["charts"] else None
                if floor:
                    floors.append(floor)
                    floor_url = f"{server.base}/{floor.relative_to(html).as_posix()}"
                    row["first_chart"], row["floor"] = median_first_charts(browser, [url, floor_url])
                rows.append(row)
            browser.close()
    finally:
        server.close()
        for floor in floors:
            floor.unlink(missing_ok=True)
        if temporary:
            shutil.rmtree(temporary, ignore_errors=True)

    print()
    print(report(builds, rows, markdown=False))
    print("\n----- Markdown for the README -----\n")
    print(report(builds, rows, markdown=True))


if __name__ == "__main__":
    main()
