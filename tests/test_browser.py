"""Every page of the built book in chromium, with every request outside 127.0.0.1 refused."""

from __future__ import annotations

from urllib.parse import urlparse

from conftest import HTML, offline_page, pages, wait_until_drawn

# Third-party noise that is not an error of the book. Keep this list short and explained.
ALLOWED_CONSOLE = (
    # Chromium's own message when a page has no favicon.
    "favicon.ico",
)
PAGE_KB = 3000  # what one cold load of a page may transfer, everything included (issue 17)
CHART_LIBRARIES = ["vega.min.js", "vega-lite.min.js", "vega-embed.min.js"]
UNUSED_SCRIPTS = ("embed-amd.js", "sphinx-thebe.js", "searchindex.js")  # widget manager, Live code, search-as-you-type


def visit(browser, url: str) -> dict:
    """Load one page; return what went wrong and what rendered."""
    context = browser.new_context()
    page = context.new_page()
    problems = {"console": [], "failed": [], "foreign": []}
    sizes, requested = [], []

    def route(route):
        host = urlparse(route.request.url).hostname
        if route.request.url.startswith("data:") or host == "127.0.0.1":
            route.continue_()
        else:
            problems["foreign"].append(route.request.url)
            route.abort()

    page.route("**/*", route)
    page.on("console", lambda m: m.type == "error" and not any(a in m.text for a in ALLOWED_CONSOLE)
            and problems["console"].append(m.text))
    page.on("pageerror", lambda e: problems["console"].append(str(e)))
    page.on("requestfailed", lambda r: problems["failed"].append(f"{r.url} {r.failure}"))
    page.on("response", lambda r: r.status >= 400 and problems["failed"].append(f"{r.url} {r.status}"))
    page.on("requestfinished", lambda r: sizes.append(r.sizes()["responseBodySize"]))
    page.on("request", lambda r: requested.append(urlparse(r.url).path.rsplit("/", 1)[-1]))
    page.goto(url, wait_until="load")
    wait_until_drawn(page)
    page.wait_for_load_state("networkidle")
    problems["kilobytes"] = sum(sizes) / 1024
    problems["charts"] = page.locator("div.ri-vega").count()
    problems["chart_errors"] = page.locator("div.ri-vega .error").count()
    problems["libraries"] = [name for name in requested if name in CHART_LIBRARIES]
    problems["unused"] = [name for name in requested if name in UNUSED_SCRIPTS]
    problems["widget_state"] = page.locator('script[type="application/vnd.jupyter.widget-state+json"]').count()
    context.close()
    return problems


def test_every_page_renders_offline(site, browser):
    failures = {}
    for path in pages():
        url = f"{site}/{path.relative_to(HTML).as_posix()}"
        result = visit(browser, url)
        bad = {k: v for k, v in result.items() if k in ("console", "failed", "foreign") and v}
        if result["chart_errors"]:
            bad["chart_errors"] = result["chart_errors"]
        if result["kilobytes"] > PAGE_KB:
            bad["kilobytes"] = round(result["kilobytes"])
        if result["libraries"] != (CHART_LIBRARIES if result["charts"] else []):  # only pages with charts load them
            bad["libraries"] = result["libraries"]
        if result["unused"] and path.name != "search.html":
            bad["unused"] = result["unused"]
        if result["widget_state"]:  # data for the widget manager no page loads
            bad["widget_state"] = result["widget_state"]
        if bad:
            failures[path.relative_to(HTML).as_posix()] = bad
    assert not failures, failures


def test_the_search_box_finds_pages_offline(site, browser):
    """The theme's search box leads to the search page, which loads the index and lists the pages."""
    page = offline_page(browser, f"{site}/chapters/01_history.html")
    page.keyboard.press("Control+k")
    page.keyboard.type("Turkmenchay")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search.html?q=Turkmenchay*")
    page.wait_for_selector("#search-results ul.search li a", timeout=15000)
    found = page.locator("#search-results ul.search li a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert any("01_history" in href for href in found), found
    page.close()


def test_demonstration_page_is_interactive(site, browser):
    page = offline_page(browser, f"{site}/start/reading_charts.html")
    slider = page.locator(".vega-bindings input[type=range]")
    assert slider.count() == 1
    slider.first.focus()
    page.keyboard.press("ArrowRight")  # the control is usable from the keyboard
    assert page.locator("details.ri-data").count() >= 2
    assert page.locator("a[download$='.csv']").count() >= 2
    menu = page.locator(".ri-static-explorer select")  # the explorer answers without a kernel
    before = page.locator(".ri-static-explorer [data-state]:not([hidden])").inner_text()
    menu.select_option(index=0)
    assert page.locator(".ri-static-explorer [data-state]:not([hidden])").inner_text() != before
    page.close()


def test_claims_explorer_responds_without_a_kernel(site, browser):
    """Chapter 5's explorer is a Vega-Lite menu: choosing a claim redraws the reports, offline."""
    page = offline_page(browser, f"{site}/chapters/05_war2026.html")
    chart = page.locator("#chart-war2026-claims")
    symbols = "() => document.querySelectorAll('#chart-war2026-claims g.mark-symbol path').length"
    before = page.evaluate(symbols)
    menu = chart.locator(".vega-bindings select")
    options = menu.locator("option").all_text_contents()
    assert len(options) >= 4 and before > 0
    menu.select_option(label=options[-1])
    page.wait_for_function(f"() => ({symbols})() !== {before}", timeout=10000)
    assert page.evaluate(symbols) > 0, "the chosen claim drew no report"
    page.close()


def _answer(form, question, answer) -> str:
    """Give ``answer`` to one quiz question on the page, press Check, return the feedback."""
    if question["kind"] == "choice":
        form.locator(f"input[value='{answer}']").check()
    elif question["kind"] == "number":
        form.locator("input").fill(str(answer))
    else:
        for position, item in enumerate(answer, 1):
            form.locator(f"select[data-item='{item}']").select_option(str(position))
    old = form.locator(".ri-quiz-feedback").text_content()
    form.locator("button").press("Enter")  # by keyboard
    form.page.wait_for_function("([f, old]) => f.textContent && f.textContent !== old",
                                arg=[form.locator(".ri-quiz-feedback").element_handle(), old], timeout=5000)
    return form.locator(".ri-quiz-feedback").text_content()


def test_every_self_check_answers_back_offline(site, browser):
    from russia_iran import quiz

    for chapter in sorted(p.stem for p in (HTML / "chapters").glob("0*.html")):
        page = offline_page(browser, f"{site}/chapters/{chapter}.html")
        questions = quiz.load(chapter)["questions"]
        forms = page.locator(".ri-quiz-question")
        assert forms.count() == len(questions), chapter
        for i, q in enumerate(questions):
            form = forms.nth(i)
            if q["kind"] == "number":
                assert _answer(form, q, "twelve").startswith("Type a number")  # bad input: a message
                wrong = q["answer"] + 5
            elif q["kind"] == "choice":
                wrong = next(o["id"] for o in q["options"] if o["id"] != q["answer"])
            else:
                wrong = list(reversed(q["answer"]))
            assert _answer(form, q, wrong).startswith("Not yet."), (chapter, q["id"])
            assert form.get_attribute("data-state") == "not-yet"
            assert _answer(form, q, q["answer"]).startswith("Right."), (chapter, q["id"])
            assert form.get_attribute("data-state") == "right"
        page.close()


def test_every_explorer_responds_without_a_kernel(site, browser):
    """Each control of each explorer in the book changes what the explorer shows, offline."""
    found = 0
    for path in pages():
        text = path.read_text(encoding="utf-8")
        if "ri-static-explorer" not in text:
            continue
        page = offline_page(browser, f"{site}/{path.relative_to(HTML).as_posix()}")
        for box in page.locator(".ri-static-explorer").all():
            found += 1
            for control in box.locator("[data-control]").all():
                before = box.locator("[data-state]:not([hidden])").get_attribute("data-state")
                if control.get_attribute("type") == "checkbox":
                    control.click()
                else:
                    values = control.locator("option").evaluate_all("os => os.map(o => o.value)")
                    control.select_option([v for v in values if v != control.input_value()][0])
                after = box.locator("[data-state]:not([hidden])")
                assert after.count() == 1, path.name
                assert after.get_attribute("data-state") != before, (path.name, before)
        page.close()
    assert found >= 4


def test_charts_follow_the_reader_s_colour_mode(site, browser):
    """Dark mode draws the charts in light inks on the page's ground; a switch of mode follows at once."""
    context = browser.new_context(color_scheme="dark")
    page = context.new_page()
    page.route("**/*", lambda r: r.continue_() if "127.0.0.1" in r.request.url else r.abort())
    page.goto(f"{site}/chapters/04_postwar.html", wait_until="load")
    wait_until_drawn(page)
    title_ink = "() => getComputedStyle(document.querySelector('.vega-embed svg .role-title-text text')).fill"
    card = "() => getComputedStyle(document.querySelector('.vega-embed svg.marks')).backgroundColor"
    assert page.evaluate(title_ink) == "rgb(230, 237, 243)"
    assert page.evaluate(card) == "rgba(0, 0, 0, 0)"
    page.evaluate("() => { document.documentElement.dataset.theme = 'light'; }")
    assert page.evaluate(title_ink) == "rgb(31, 35, 40)"
    assert page.evaluate(card) == "rgb(255, 255, 255)"
    context.close()


def test_a_chart_whose_libraries_did_not_load_says_so(site, browser):
    """Without the chart libraries (a blocked or failed download), each chart says it could not be drawn."""
    page = browser.new_page()
    page.route("**/*", lambda r: r.abort() if "/vega" in r.request.url or "127.0.0.1" not in r.request.url else r.continue_())
    page.goto(f"{site}/chapters/04_postwar.html", wait_until="load")
    charts = page.locator("div.ri-vega").count()
    assert charts >= 2
    # each chart in its turn: wait until every one has spoken, or fail on the timeout
    page.wait_for_function(f"() => document.querySelectorAll('div.ri-vega p.error').length === {charts}", timeout=15000)
    messages = page.locator("div.ri-vega p.error").all_text_contents()
    assert all("could not be drawn: the chart libraries did not load" in m for m in messages)
    page.close()


def test_icons_are_drawn_from_the_theme_s_font(site, browser):
    """The theme's 1.45 MB icon script is replaced by an empty one: its stylesheet's Font Awesome font draws them."""
    page = offline_page(browser, f"{site}/chapters/05_war2026.html")
    sources = page.evaluate("""() => [...document.querySelectorAll('script[src*="fontawesome.js"]')].map(s => s.src)""")
    assert len(sources) <= 1
    for source in sources:
        assert len(page.request.get(source).body()) < 1024, "the theme's icon script is served"
    icons = page.evaluate("""() => [...document.querySelectorAll('.fa-solid, .fa-brands')].map(i => [
        i.className, getComputedStyle(i, '::before').content, getComputedStyle(i).fontFamily])""")
    assert len(icons) >= 4
    for name, glyph, font in icons:
        assert glyph not in ("none", "normal", "") and "Font Awesome" in font, name
    assert page.evaluate("""() => [...document.fonts].some(
        f => f.family.includes("Font Awesome 6 Free") && f.status === "loaded")""")
    page.close()
