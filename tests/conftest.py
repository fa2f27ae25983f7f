"""Shared fixtures: the built book (built once per test session) and a browser."""

from __future__ import annotations

import functools
import http.server
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]


def pytest_collection_modifyitems(items):
    """Tests that need the built book or a browser are marked ``book``, so that a quick run
    (``./run.sh test -m "not slow and not book"``) leaves them and the kernels out."""
    for item in items:
        if {"built_book", "site", "browser", "take_away"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.book)


def jupyter_book_build() -> subprocess.CompletedProcess:
    """The README's build, with warnings as errors, as a subprocess."""
    command = [str(Path(sys.executable).parent / "jupyter-book"), "build", str(ROOT), "-W", "-n", "--keep-going"]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=1800)


@pytest.fixture(scope="session")
def built_book() -> subprocess.CompletedProcess:
    result = jupyter_book_build()
    if result.returncode != 0:
        pytest.fail(f"the book did not build:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
    return result


@pytest.fixture(scope="session")
def site(built_book) -> str:
    """Serve _build/html on 127.0.0.1; yields the base address."""
    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(QuietHandler, directory=str(HTML))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's chromium is needed at /usr/bin/chromium: ./run.sh test installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


# The book draws a page's charts one after another (_static/russia_iran.js): wait
# until every chart's placeholder holds a drawing or an error, and a widget is drawn.
CHART_SLOTS = "div.ri-vega"
CHARTS_DRAWN = (f"() => [...document.querySelectorAll('{CHART_SLOTS}')]"
                ".every(e => e.querySelector('svg, canvas, .error'))")
WIDGET_STATE = 'script[type="application/vnd.jupyter.widget-view+json"]'
WIDGETS_DRAWN = "() => document.querySelectorAll('.jupyter-widgets.widget-box, .widget-vbox, .widget-hbox').length >= 1"


def wait_until_drawn(page) -> None:
    """Return once every chart and (if the page saved any) a widget is drawn."""
    if page.locator(CHART_SLOTS).count():
        page.wait_for_function(CHARTS_DRAWN, timeout=20000)
    if page.locator(WIDGET_STATE).count():
        page.wait_for_function(WIDGETS_DRAWN, timeout=20000)


def offline_page(browser, url: str, width: int = 1280):
    """A page opened at ``width`` px with every request outside 127.0.0.1 refused, its charts drawn."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.route("**/*", lambda r: r.continue_() if "127.0.0.1" in r.request.url else r.abort())
    page.goto(url, wait_until="load")
    wait_until_drawn(page)
    return page


def pages() -> list[Path]:
    """Every HTML page of the built book (the book's own, not vendored files)."""
    return sorted(p for p in HTML.rglob("*.html") if "_static" not in p.parts)


FIXTURE_MASTER = Path(__file__).parent / "fixtures" / "grading" / "fixture_master.ipynb"


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """otter assign on the small fixture master of the grading tests (also runs its solutions
    against every test)."""
    from russia_iran import assignments

    return assignments.assign(FIXTURE_MASTER, tmp_path_factory.mktemp("assign") / "dist")


@pytest.fixture(scope="session")
def assigned(tmp_path_factory) -> dict:
    """otter assign on every master, without running its tests: the student notebook, the
    solutions notebook and the autograder zip that otter itself writes, by assignment."""
    from russia_iran import assignments, masters

    work = tmp_path_factory.mktemp("assigned")
    return {master.stem: assignments.assign(master, work / master.stem, run_tests=False)
            for master in sorted(masters.MASTERS_DIR.glob("*.ipynb"))}


@pytest.fixture(scope="session")
def take_away(built_book) -> dict:
    """The PDFs and chapter notebooks made from the built book (./run.sh build makes them too)."""
    from russia_iran import takeaway

    # In its own process: playwright's sync API cannot start inside the session's browser fixture.
    made = subprocess.run([sys.executable, "-m", "russia_iran.takeaway"], cwd=ROOT, capture_output=True,
                          text=True, timeout=900)
    if made.returncode != 0:
        pytest.fail(f"the take-away editions were not made:\n{made.stdout[-2000:]}\n{made.stderr[-2000:]}")
    chapters = sorted(p.stem for p in (ROOT / "chapters").glob("0*.md"))
    return {"book": takeaway.OUT / takeaway.BOOK, **{c: takeaway.OUT / f"{c}.pdf" for c in chapters},
            **{f"{c}.ipynb": takeaway.NOTEBOOKS / f"{c}.ipynb" for c in chapters}}


def as_ordinary_user(command: list[str], uid: int, home: Path) -> list[str]:
    """``command`` as run by an unprivileged user id (the tests run as root in CI).

    The interpreter, the environment or the project may sit under a folder only root may
    enter (``/root/.pyenv``): in a private mount namespace such a folder is covered by an
    empty one that everyone may enter, with just the paths on the way put back. Nothing
    else changes, and the namespace ends with the command.
    """
    reopen: dict[Path, set[Path]] = {}  # private folder -> its children on the way to what is needed
    for needed in {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(), ROOT}:
        private = next((p for p in reversed(needed.parents) if not os.stat(p).st_mode & 0o001), None)
        if private is not None:
            reopen.setdefault(private, set()).add(private / needed.relative_to(private).parts[0])
    steps = ["set -e"]
    for i, (private, children) in enumerate(sorted(reopen.items())):
        for j, child in enumerate(sorted(children)):
            (home / f".reopen-{i}-{j}").mkdir(exist_ok=True)
            steps.append(f"mount --bind '{child}' '{home}/.reopen-{i}-{j}'")
        steps.append(f"mount -t tmpfs -o mode=0755 tmpfs '{private}'")
        for j, child in enumerate(sorted(children)):
            steps += [f"mkdir -p '{child}'", f"mount --bind '{home}/.reopen-{i}-{j}' '{child}'"]
    steps.append(f"exec setpriv --reuid={uid} --regid={uid} --clear-groups --inh-caps=-all --bounding-set=-all "
                 f"env -i HOME='{home}' PATH=/usr/bin:/bin LANG=C.UTF-8 \"$@\"")
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c", "\n".join(steps), "sh", *command]


def processes_with(text: str) -> list[str]:
    """Command lines of the running processes (zombies excluded) that contain ``text``."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                cmd = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if text in cmd:
                found.append(cmd)
    return found
