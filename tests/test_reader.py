"""What a reader meets: accessibility (axe-core), phone width, the charts' text
alternatives, table views and CSV downloads, and keyboard use of the controls.

Every page of the built book is loaded in chromium once at desktop width (axe
and the chart checks) and at two phone widths (390x844, the issue's, and
360x800, the narrowest common one); colour contrast is checked in dark mode too.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from conftest import HTML, ROOT, pages, wait_until_drawn

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# The phone, and the narrowest common one (many Android phones are 360 px wide).
PHONES = [{"width": 390, "height": 844}, {"width": 360, "height": 800}]
DESKTOP = {"width": 1280, "height": 900}

# No axe rule is excluded: third-party markup that lacked a name or a role is
# mended by the book's script (_static/russia_iran.js, named and namedPage).
BLOCKING = ("critical", "serious")


def _name(path: Path) -> str:
    return path.relative_to(HTML).as_posix()


def _open(browser, site: str, path: Path, viewport: dict, color_scheme: str = "light"):
    """A fresh page on one book page, offline, with its charts and widgets drawn."""
    context = browser.new_context(viewport=viewport, accept_downloads=True, color_scheme=color_scheme)
    page = context.new_page()
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("data:")
               or urlparse(r.request.url).hostname == "127.0.0.1" else r.abort())
    page.goto(f"{site}/{_name(path)}", wait_until="load")
    wait_until_drawn(page)
    # The theme sets the reader's mode at DOMContentLoaded and its buttons fade to the new colours
    # (150 ms CSS transitions): contrast is judged once they have finished.
    page.wait_for_function("() => !document.getAnimations().some(a => a instanceof CSSTransition)")
    return context, page


AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations'], elementRef: true});
  return result.violations.map(v => {
    const nodes = v.nodes;
    return {id: v.id, impact: v.impact, help: v.help, count: nodes.length,
            targets: nodes.map(n => n.target.join(' ') + (n.element && n.element.closest('figure.ri-chart')
              ? ` (in #${n.element.closest('figure.ri-chart').id})` : '')).slice(0, 5)};
  }).filter(v => v.count > 0);
}"""

# Text a chart's drawing cuts off: titles, legends, labels wider than the chart.
CUT_TEXT = """embed => [...embed.querySelectorAll('svg.marks')].flatMap(svg => {
  const box = svg.getBoundingClientRect();
  return [...svg.querySelectorAll('text')].filter(t => {
    const r = t.getBoundingClientRect();
    const shown = getComputedStyle(t).opacity !== '0' && t.getAttribute('opacity') !== '0';
    return r.width > 0 && shown && (r.right > box.right + 1 || r.left < box.left - 1);
  }).map(t => t.textContent.slice(0, 50));
})"""

# Point marks that stick out of their plot's box at an axis end (half a dot cut off).
CUT_MARKS = """embed => [...embed.querySelectorAll('svg.marks g.mark-symbol')].flatMap(marks => {
  let cell = marks.parentElement;
  while (cell && !cell.querySelector(':scope > path.background')) cell = cell.parentElement;
  if (!cell) return [];
  const box = cell.querySelector(':scope > path.background').getBoundingClientRect();
  return [...marks.querySelectorAll('path')].filter(p => {
    const r = p.getBoundingClientRect();
    return r.width > 0 && getComputedStyle(p).opacity !== '0' && (r.left < box.left - 0.5 || r.right > box.right + 0.5);
  }).map(p => (p.getAttribute('aria-label') || 'a point').slice(0, 60));
})"""

CHARTS = """() => [...document.querySelectorAll('figure.ri-chart')].map(figure => {
  const embed = figure.querySelector('.vega-embed');
  const drawn = embed && embed.querySelector('svg.marks, canvas');
  const described = embed && [embed, ...embed.querySelectorAll('[role="graphics-document"], svg, canvas')]
    .map(e => (e.getAttribute('aria-label') || '').trim()).find(text => text.length > 0);
  const details = figure.querySelector('details.ri-data');
  const link = figure.querySelector('p.ri-download a.ri-csv');
  // The link builds its CSV from the table when clicked (russia_iran/display.py):
  // run its handler as a click would, then read the file it points at.
  if (link && link.onclick) link.onclick.call(link, new MouseEvent('click'));
  return {
    id: figure.id,
    embed: !!embed, drawn: !!drawn,
    role: embed ? [...embed.querySelectorAll('[role="graphics-document"]')].length : 0,
    description: described || '',
    summary: details ? details.querySelector('summary').textContent : null,
    tableRows: details ? details.querySelectorAll('table tbody tr').length : null,
    download: link ? link.getAttribute('download') : null,
    href: link ? link.getAttribute('href') : null,
    clipped: embed ? (""" + CUT_TEXT + """)(embed) : [],
    title: [...(embed ? embed.querySelectorAll('.role-title-text text') : [])].map(t =>
      t.querySelectorAll('tspan').length ? [...t.querySelectorAll('tspan')].map(s => s.textContent) : [t.textContent]
    )[0] || [],
  };
})"""


@pytest.fixture(scope="module")
def desktop_visits(site, browser) -> dict:
    """axe violations and chart facts for every page, from one desktop visit each."""
    visits = {}
    for path in pages():
        context, page = _open(browser, site, path, DESKTOP)
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(AXE_RUN)
        charts = page.evaluate(CHARTS)
        download = None
        if charts:  # the first chart's link, clicked: chromium saves a file
            with page.expect_download(timeout=10000) as info:
                page.locator("figure.ri-chart p.ri-download a.ri-csv").first.click()
            download = {"name": info.value.suggested_filename, "text": Path(info.value.path()).read_text("utf-8")}
        visits[_name(path)] = {"violations": violations, "charts": charts, "download": download}
        context.close()
    return visits


def test_no_serious_accessibility_violations(desktop_visits):
    problems = [f"{page}: {v['id']} ({v['impact']}, {v['count']} element(s)) {v['help']}; e.g. {v['targets'][0]}"
                for page, visit in desktop_visits.items()
                for v in visit["violations"] if v["impact"] in BLOCKING]
    assert not problems, "axe-core found:\n" + "\n".join(problems)


def test_no_chart_cuts_off_its_text_at_desktop_width(desktop_visits):
    problems = [f"{page} #{chart['id']}: {chart['clipped'][:3]}"
                for page, visit in desktop_visits.items() for chart in visit["charts"] if chart["clipped"]]
    assert not problems, "text cut off at 1280 px:\n" + "\n".join(problems)


def test_titles_are_wrapped_to_the_width_a_chart_is_drawn_at(desktop_visits):
    """The spec's titles are wrapped for a phone; the book re-wraps them to the
    chart's width (_static/russia_iran.js), so a short title is one line on a desktop."""
    titles = [(page, chart["id"], chart["title"]) for page, visit in desktop_visits.items()
              for chart in visit["charts"]]
    assert titles and all(title for _, _, title in titles), "a chart has no drawn title"
    short = [(page, name, title) for page, name, title in titles if len(" ".join(title)) <= 60]
    assert len(short) >= 5, "too few short titles to tell"
    broken = [f"{page} #{name}: {title}" for page, name, title in short if len(title) > 1]
    assert not broken, "short titles drawn on several lines:\n" + "\n".join(broken)


def test_every_page_passes_axe_in_dark_mode(site, browser):
    """Readers whose system asks for dark mode get the theme's dark colours: every axe
    rule (contrast above all) on every page, with charts and widgets drawn."""
    problems = []
    for path in pages():
        context, page = _open(browser, site, path, DESKTOP, color_scheme="dark")
        assert page.evaluate("document.documentElement.dataset.theme") == "dark"
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(AXE_RUN)  # every rule, contrast included, in the dark inks
        problems += [f"{_name(path)}: {v['id']} ({v['impact']}): {v['count']} element(s), e.g. {v['targets'][0]}"
                     for v in violations if v["impact"] in BLOCKING]
        context.close()
    assert not problems, "accessibility problems in dark mode:\n" + "\n".join(problems)


def _csv_rows(href: str) -> list[list[str]]:
    header, _, body = href.partition(",")
    assert header.startswith("data:text/csv"), header
    return list(csv.reader(io.StringIO(unquote(body), newline="")))


def test_every_chart_has_description_table_and_csv(desktop_visits):
    problems = []
    seen = 0
    for page, visit in desktop_visits.items():
        for chart in visit["charts"]:
            seen += 1
            where = f"{page} #{chart['id']}"
            if not (chart["embed"] and chart["drawn"]):
                problems.append(f"{where}: no chart drawn")
            if not chart["description"]:
                problems.append(f"{where}: the chart has no accessible description (give the spec a description)")
            if chart["summary"] is None:
                problems.append(f"{where}: no table view (details.ri-data)")
                continue
            summary = chart["summary"].strip()
            if not (summary.endswith(" rows)") and "(" in summary):
                problems.append(f"{where}: table summary {summary!r} does not say '(N rows)'")
                continue
            rows = int(summary.rsplit("(", 1)[1].split()[0])
            if chart["tableRows"] != rows:
                problems.append(f"{where}: summary says {rows} rows, the table has {chart['tableRows']}")
            if not chart["href"] or not chart["download"] or not chart["download"].endswith(".csv"):
                problems.append(f"{where}: no CSV download link")
                continue
            lines = _csv_rows(chart["href"])
            if len(lines) != rows + 1:
                problems.append(f"{where}: the CSV has {len(lines)} records, expected {rows} rows + a header")
        if visit["download"]:
            first = visit["charts"][0]
            if visit["download"]["name"] != first["download"]:
                problems.append(f"{page}: the download was named {visit['download']['name']!r}, not {first['download']!r}")
            if visit["download"]["text"] != unquote(first["href"].partition(",")[2]):
                problems.append(f"{page}: the downloaded file differs from the link's data")
    assert seen, "no chart figure found in the built book"
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("phone", PHONES, ids=lambda phone: f"{phone['width']}px")
def test_no_sideways_scrolling_on_a_phone(site, browser, phone):
    """No page scrolls sideways, no chart sticks out of its column, and no chart
    cuts off its own text (a title or legend wider than the chart is clipped) or
    the points at the ends of its axes."""
    problems = []
    for path in pages():
        context, page = _open(browser, site, path, phone)
        page.wait_for_timeout(150)  # let vega-embed's resize observer settle at the new width
        facts = page.evaluate("""() => ({
          scroll: document.documentElement.scrollWidth,
          embeds: [...document.querySelectorAll('.vega-embed')].map(e => {
            // The visible box of the drawing: a chart wider than its column may
            // scroll inside .chart-wrapper, but that box must fit.
            const wrapper = e.querySelector('.chart-wrapper');
            return {id: e.closest('figure') ? e.closest('figure').id : e.id,
                    right: e.getBoundingClientRect().right,
                    drawnRight: wrapper ? wrapper.getBoundingClientRect().right : 0,
                    // a frame that scrolls must be reachable from the keyboard
                    unreachable: !!wrapper && wrapper.scrollWidth > wrapper.clientWidth + 1
                                 && wrapper.getAttribute('tabindex') !== '0',
                    clipped: (""" + CUT_TEXT + """)(e),
                    halved: (""" + CUT_MARKS + """)(e)};
          }),
          // the outermost elements that stick out: the likely culprits
          wide: [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > innerWidth + 1
                   && e.parentElement.getBoundingClientRect().right <= innerWidth + 1).slice(0, 3)
                .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                     + (typeof e.className === 'string' && e.className ? '.' + e.className.trim().split(/\\s+/).join('.') : '')),
        })""")
        name = _name(path)
        if facts["scroll"] > phone["width"] + 1:
            problems.append(f"{name}: the page is {facts['scroll']}px wide (e.g. {facts['wide']})")
        for embed in facts["embeds"]:
            if max(embed["right"], embed["drawnRight"]) > phone["width"] + 1:
                problems.append(f"{name}: chart {embed['id']} reaches {max(embed['right'], embed['drawnRight']):.0f}px")
            if embed["unreachable"]:
                problems.append(f"{name}: chart {embed['id']} scrolls in its frame, which the keyboard cannot reach")
            if embed["clipped"]:
                problems.append(f"{name}: chart {embed['id']} cuts off text: {embed['clipped'][:3]}")
            if embed["halved"]:
                problems.append(f"{name}: chart {embed['id']} cuts points at an axis end: {embed['halved'][:3]}")
        context.close()
    assert not problems, f"at {phone['width']}x{phone['height']}:\n" + "\n".join(problems)


def test_a_chart_drawn_wide_keeps_its_text_when_the_column_narrows(site, browser):
    """A phone turned upright: titles wrapped for the wide drawing are wrapped again."""
    context, page = _open(browser, site, HTML / "chapters" / "01_history.html", DESKTOP)
    page.evaluate("() => { for (const c of document.querySelectorAll('figure.ri-chart')) c.scrollIntoView(); }")
    wait_until_drawn(page)
    page.set_viewport_size(PHONES[1])
    page.wait_for_timeout(1500)  # the resize handler waits 200 ms, then each chart is drawn again
    wait_until_drawn(page)
    clipped = page.evaluate("() => [...document.querySelectorAll('.vega-embed')].flatMap(" + CUT_TEXT + ")")
    errors = page.evaluate("() => document.querySelectorAll('.vega-embed .error').length")
    context.close()
    assert not errors, "a chart failed when drawn again"
    assert not clipped, f"text cut off after narrowing to {PHONES[1]['width']} px: {clipped[:3]}"


def _tab_until(page, selector: str, limit: int = 400) -> list[str]:
    """Press Tab from the top of the page; return the ids of matching elements focused, in order."""
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
    reached = []
    total = page.locator(selector).count()
    for _ in range(limit):
        page.keyboard.press("Tab")
        key = page.evaluate("""(selector) => {
          const e = document.activeElement;
          if (!e || !e.matches(selector)) return null;
          return [...document.querySelectorAll(selector)].indexOf(e);
        }""", selector)
        if key is not None and key not in reached:
            reached.append(key)
            if len(reached) == total:
                break
    return reached


def test_slider_is_reached_and_moved_by_keyboard(site, browser):
    context, page = _open(browser, site, HTML / "start" / "reading_charts.html", DESKTOP)
    slider = ".vega-bindings input[type=range]"
    page.wait_for_selector(slider, state="attached", timeout=10000)
    assert page.locator(slider).count() >= 1, "no Vega-Lite slider on start/reading_charts.html"
    assert _tab_until(page, slider), "Tab never reaches the slider"
    before = page.evaluate("() => document.activeElement.value")
    if before == page.evaluate("() => document.activeElement.max"):  # already at the end: step back first
        page.keyboard.press("ArrowLeft")
        before = page.evaluate("() => document.activeElement.value")
    page.keyboard.press("ArrowRight")
    after = page.evaluate("() => document.activeElement.value")
    context.close()
    assert after != before, f"ArrowRight left the slider at {before}"


def test_timeline_selects_are_reached_by_keyboard(site, browser):
    context, page = _open(browser, site, HTML / "reference" / "timeline.html", DESKTOP)
    select = ".vega-bindings select"
    page.wait_for_selector(select, state="attached", timeout=10000)
    total = page.locator(select).count()
    reached = _tab_until(page, select) if total else []
    context.close()
    assert total >= 1, "no select control on reference/timeline.html"
    assert len(reached) == total, f"Tab reached {len(reached)} of the {total} select controls"
