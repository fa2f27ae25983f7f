"""Take-away editions: chapter and book PDFs, chapter notebooks with outputs, linked from the pages."""

from __future__ import annotations

import html
import json
import re
import unicodedata

import pytest
from conftest import HTML, offline_page
from pypdf import PdfReader

from russia_iran import takeaway

CHAPTERS = sorted(p.stem for p in (HTML / "chapters").glob("0*.html"))


def words(text: str) -> str:
    """Text compared without spaces, case or typographic ligatures (a PDF's "ﬂ" is "fl")."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


def chart_titles(chapter: str) -> list[str]:
    """The title of every chart drawn on the chapter's page, from the SVG chromium drew."""
    nb = json.loads((HTML / "notebooks" / f"{chapter}.ipynb").read_text(encoding="utf-8"))
    svgs = [o["data"]["image/svg+xml"] for c in nb["cells"] for o in c.get("outputs", [])
            if "image/svg+xml" in o.get("data", {})]
    titles = []
    for svg in (s if isinstance(s, str) else "".join(s) for s in svgs):
        title = re.search(r'aria-roledescription="title" aria-label="Title text \'(.*?)\'" pointer-events', svg)
        titles.append(html.unescape(title.group(1)) if title else "")
    return titles


def test_the_book_pdf_holds_every_chapter_and_chart_as_text(take_away):
    book = PdfReader(take_away["book"])
    outline = [item.title for item in book.outline]
    for chapter in CHAPTERS:
        page_title = (HTML / "chapters" / f"{chapter}.html").read_text(encoding="utf-8")
        title = re.search(r"<title>(.*?)(?: &#8212;| —)", page_title).group(1)
        assert any(words(title) == words(t) for t in outline), title
    assert outline[-1] == "Bibliography"
    text = words(" ".join(page.extract_text() for page in book.pages))
    for chapter in CHAPTERS:
        titles = chart_titles(chapter)
        assert titles and all(titles), chapter
        missing = [t for t in titles if words(t) not in text]
        assert not missing, (chapter, missing)
    assert "coverseventsupto" in words(book.pages[0].extract_text())  # the title page dates the edition


def test_each_chapter_has_its_pdf(take_away):
    for chapter in CHAPTERS:
        pdf = PdfReader(take_away[chapter])
        assert len(pdf.pages) > 5 and pdf.pages[0].extract_text().strip()


@pytest.mark.parametrize("width", [688, 710], ids=["A4", "Letter"])
def test_nothing_is_cut_at_paper_width(site, browser, width):
    for chapter in CHAPTERS:
        page = offline_page(browser, f"{site}/chapters/{chapter}.html", width)
        page.emulate_media(media="print")
        overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, (chapter, overflow)
        page.close()


def test_chapter_notebooks_carry_every_chart_and_only_plain_types(take_away):
    for chapter in CHAPTERS:
        nb = json.loads(take_away[f"{chapter}.ipynb"].read_text(encoding="utf-8"))
        types = {k for c in nb["cells"] for o in c.get("outputs", []) for k in o.get("data", {})}
        assert not [t for t in types if t.startswith(takeaway.RECORD)], chapter
        charts = (HTML / "chapters" / f"{chapter}.html").read_text(encoding="utf-8").count('<figure class="ri-chart"')
        assert len(chart_titles(chapter)) == charts > 0, chapter


def test_pages_link_the_take_away_editions_and_the_links_resolve(take_away):
    for chapter in CHAPTERS:
        page = (HTML / "chapters" / f"{chapter}.html").read_text(encoding="utf-8")
        for target in (f"../pdf/{chapter}.pdf", f"../notebooks/{chapter}.ipynb", f"../pdf/{takeaway.BOOK}"):
            assert f'href="{target}"' in page, (chapter, target)
            assert (HTML / "chapters" / target).resolve().is_file()
    assert f'href="pdf/{takeaway.BOOK}"' in (HTML / "index.html").read_text(encoding="utf-8")
