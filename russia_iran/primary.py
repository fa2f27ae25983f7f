"""Primary-source boxes: short excerpts of treaties and statements, with provenance and questions.

The excerpts live in ``data/primary_sources.csv``. A chapter glues its boxes
(``boxes(sources, chapter)``, one per excerpt) and pastes each with myst-nb's
``{glue:md}`` directive in MyST format, so the box's admonition and citation
are rendered like the rest of the page; the reader page gathers every box.
"""

from __future__ import annotations

import pandas as pd
from IPython.display import Markdown

from .figures.timeline import CHAPTER_PAGES

QUESTION_SEPARATOR = " | "
# The chapters in reading order, as the reader page lists them: label and document.
CHAPTERS = {chapter: (f"Chapter {number}", page.removesuffix(".html"))
            for number, (chapter, page) in enumerate(CHAPTER_PAGES.items(), start=1)}


def box_markdown(row: pd.Series) -> str:
    """One box: the excerpt as a quotation, where it comes from, and the questions."""
    when = f"{row['date'].day} {row['date']:%B %Y}"
    questions = "\n".join(f"{n}. {q.strip()}" for n, q in
                          enumerate(str(row["questions"]).split(QUESTION_SEPARATOR), start=1))
    keys = ",".join(str(row["sources"]).split(";"))
    return (f":::{{admonition}} Primary source: {row['document']}, {row['provision']} ({when})\n"
            f":class: seealso\n\n"
            f"> {row['excerpt']}\n\n"
            f"{row['translation']} {{cite:p}}`{keys}`\n\n"
            f"**Read it by asking:**\n\n{questions}\n:::\n")


def reader(sources: pd.DataFrame) -> Markdown:
    """Every excerpt, chapter by chapter and in date order within a chapter."""
    parts = []
    for chapter, (label, page) in CHAPTERS.items():
        rows = sources[sources["chapter"] == chapter].sort_values("date")
        if rows.empty:
            continue
        parts.append(f"**{label}**: {{doc}}`{page}`\n")
        parts += [box_markdown(row) for _, row in rows.iterrows()]
    return Markdown("\n".join(parts))


def boxes(sources: pd.DataFrame, chapter: str) -> dict[str, Markdown]:
    """Every box of one chapter, by excerpt id, ready to glue as ``primary-<id>``."""
    rows = sources[sources["chapter"] == chapter]
    if rows.empty:
        raise ValueError(f"no primary sources for the chapter {chapter!r}")
    return {row["id"]: Markdown(box_markdown(row)) for _, row in rows.iterrows()}
