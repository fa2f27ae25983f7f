"""The timeline of events, shared by every chapter and the reference timeline page."""

from __future__ import annotations

import altair as alt
import pandas as pd

from .. import charts

COLUMNS = ["date", "date_precision", "title", "summary", "category", "relation", "chapter", "sources"]
CATEGORIES = list(charts.CATEGORY_COLOURS)
ALL = "All categories"
ALL_CHAPTERS = "All chapters"
EDGE = 8  # pixels kept free at each end of the time axis, so no mark is cut in half
# About one date label per 90 px of the page's width: on a phone, three or four
# that fit, rather than a dozen month names of which overlap removal leaves one.
DATE_AXIS = alt.Axis(labelFlush=True, labelBound=True, tickCount=alt.ExprRef("max(2, floor(containerSize()[0] / 90))"))
# Where each chapter's page sits, relative to a page one folder deep (reference/, chapters/).
CHAPTER_PAGES = {"history": "../chapters/01_history.html", "rapprochement": "../chapters/02_rapprochement.html",
                 "treaty": "../chapters/03_treaty.html", "postwar": "../chapters/04_postwar.html",
                 "war2026": "../chapters/05_war2026.html"}


def plotted(events: pd.DataFrame) -> pd.DataFrame:
    """The rows and columns the timeline draws, oldest first."""
    missing = [c for c in COLUMNS if c not in events.columns]
    if missing:
        raise ValueError(f"events data lacks columns {missing}")
    if events.empty:
        raise ValueError("no events to draw")
    return events[COLUMNS].sort_values("date").reset_index(drop=True)


def chart(events: pd.DataFrame, *, title: str, description: str, subtitle: str | None = None,
          interactive: bool = True, explore: bool = False) -> alt.TopLevelMixin:
    """Events as points on a time axis, one row per category, coloured by category.

    Interactive: a dropdown filters by category and a brush on the overview
    strip below zooms the main view. Shape carries the cooperation/conflict
    reading so that colour is not the only signal. ``explore`` adds, for the
    reference timeline, a chapter dropdown, a text search and a click through
    to the chapter that discusses the event.
    """
    data = plotted(events)
    if explore:
        data["page"] = data["chapter"].map(CHAPTER_PAGES)
    present = [c for c in CATEGORIES if c in set(data["category"])]
    # The y axis names each category, so colour needs no legend of its own.
    colour = alt.Color("category:N", title="Category", legend=None, scale=alt.Scale(
        domain=present, range=[charts.CATEGORY_COLOURS[c] for c in present]))
    shape = alt.Shape("relation:N", title="Relation", scale=alt.Scale(
        domain=["cooperation", "mixed", "conflict"], range=["circle", "diamond", "triangle-up"]))
    tooltip = [alt.Tooltip("date:T", title="Date", format="%d %b %Y"),
               alt.Tooltip("date_precision:N", title="Date known to the"),
               alt.Tooltip("title:N", title="Event"),
               alt.Tooltip("summary:N", title="Summary"),
               alt.Tooltip("category:N", title="Category"),
               alt.Tooltip("relation:N", title="Relation (module's reading)"),
               alt.Tooltip("sources:N", title="Sources")]
    if not interactive:
        points = alt.Chart(data).mark_point(size=90, opacity=0.85).encode(
            x=alt.X("date:T", title=None, scale=alt.Scale(padding=EDGE)),
            y=alt.Y("category:N", title=None, sort=present),
            color=colour, shape=shape, tooltip=tooltip,
        ).properties(height=max(120, 28 * len(present)))
        return charts.finish(points, title=title, description=description, subtitle=subtitle)

    pick = alt.param(name="category_choice", value=ALL,
                     bind=alt.binding_select(options=[ALL] + present, name="Category: "))
    brush = alt.selection_interval(name="period", encodings=["x"])
    chosen = (alt.datum.category == pick) | (pick == ALL)
    controls = [pick]
    extra = {}
    if explore:
        chapter = alt.param(name="chapter_choice", value=ALL_CHAPTERS, bind=alt.binding_select(
            options=[ALL_CHAPTERS] + list(CHAPTER_PAGES), name="Chapter: "))
        search = alt.param(name="search_text", value="", bind=alt.binding(
            input="search", placeholder="e.g. Bushehr", name="Search: "))
        text = alt.expr.lower(alt.datum.title + " " + alt.datum.summary)
        chosen = (chosen & ((alt.datum.chapter == chapter) | (chapter == ALL_CHAPTERS))
                  & (alt.expr.indexof(text, alt.expr.lower(search)) >= 0))
        controls += [chapter, search]
        extra["href"] = alt.Href("page:N")
        tooltip = tooltip + [alt.Tooltip("chapter:N", title="Chapter (click to open)")]
    base = alt.Chart()  # the data sits on the concatenation, shared by both views
    detail = base.mark_point(size=90, opacity=0.85, cursor="pointer" if explore else "default").encode(
        x=alt.X("date:T", title=None, scale=alt.Scale(domain={"param": "period", "encoding": "x"}, padding=EDGE),
                axis=DATE_AXIS),
        y=alt.Y("category:N", title=None, sort=present),
        color=colour, shape=shape, tooltip=tooltip, **extra,
    ).add_params(*controls).transform_filter(chosen).properties(
        width="container", height=max(120, 28 * len(present)))
    overview = base.mark_tick(thickness=1.5, size=14).encode(
        x=alt.X("date:T", title=["Drag to zoom;", "double-click to reset"], scale=alt.Scale(padding=EDGE),
                axis=DATE_AXIS),
        color=colour,
        tooltip=[alt.Tooltip("date:T", title="Date", format="%Y"), alt.Tooltip("title:N", title="Event")],
    ).add_params(brush).transform_filter(chosen).properties(width="container", height=36)
    combined = alt.vconcat(detail, overview, data=data, spacing=6).resolve_scale(color="shared")
    return charts.finish(combined, title=title, description=description, subtitle=subtitle)
