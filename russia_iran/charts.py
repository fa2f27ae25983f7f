"""The house style of every chart in the module.

Importing this module registers and enables the ``russia_iran`` Altair theme,
and registers the book's renderer (enabled only inside a book build).
A chart function builds its marks and encodings, then passes the chart through
``finish`` which attaches the title that states the finding, the source line
built from the data's citations, the licence and an accessible description.
"""

from __future__ import annotations

import json
import math
import os
import textwrap

import altair as alt
import pandas as pd

from .paths import BOOK_BUILD, CHART_CLASS
from .sources import keys_in, short_citation

# Okabe & Ito's colour-blind-safe palette, black swapped for a grey that
# reads on both the light and the dark page.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#999999", "#F0E442"]
TEXT = "#1f2328"
MUTED = "#57606a"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
LICENCE = "CC BY 4.0"
MAX_NAMED_SOURCES = 4
# Vega titles do not wrap, and a line longer than the chart is cut off: wrap
# them here, to what fits a chart on a 360-pixel-wide phone. The book re-wraps
# them to the width a chart is drawn at (_static/russia_iran.js), from the
# unwrapped paragraphs kept in the spec's usermeta under USERMETA_KEY.
TITLE_WIDTH = 28
SUBTITLE_WIDTH = 40
USERMETA_KEY = "russia_iran_title"

# Fixed colours for the categories that recur across chapters, so that
# "war" or "cooperation" looks the same on every page.
RELATION_COLOURS = {"cooperation": "#009E73", "mixed": "#999999", "conflict": "#D55E00"}
# Paul Tol's colour-blind-safe "muted" scheme, one colour for each event category.
CATEGORY_COLOURS = {"war": "#CC6677", "treaty": "#332288", "diplomacy": "#44AA99", "arms": "#882255",
                    "nuclear": "#DDCC77", "trade": "#117733", "energy": "#999933", "transport": "#88CCEE",
                    "sanctions": "#AA4499", "multilateral": "#555555", "space": "#BBBBBB"}
COUNTRY_COLOURS = {"Russia": "#0072B2", "Soviet Union": "#0072B2", "Iran": "#D55E00"}


@alt.theme.register("russia_iran", enable=True)
def house_theme() -> alt.theme.ThemeConfig:
    """Readable type and a colour-blind-safe palette; in dark mode the page swaps the inks (russia_iran.js)."""
    label = {"labelFont": FONT, "labelFontSize": 12, "labelColor": TEXT,
             "titleFont": FONT, "titleFontSize": 13, "titleColor": TEXT, "titleFontWeight": "normal"}
    return {
        "config": {
            "background": "#ffffff",
            "padding": 10,
            "font": FONT,
            "view": {"continuousWidth": 600, "continuousHeight": 320, "stroke": None},
            "title": {"font": FONT, "fontSize": 15, "fontWeight": 600, "color": TEXT, "anchor": "start",
                      "subtitleFont": FONT, "subtitleFontSize": 12, "subtitleColor": MUTED,
                      "offset": 12, "limit": 0, "frame": "bounds"},
            "axis": {**label, "gridColor": "#e6e6e6", "domainColor": "#8c959f", "tickColor": "#8c959f"},
            "legend": {**label, "orient": "bottom", "direction": "horizontal", "columns": 1, "symbolSize": 120,
                       "labelLimit": 230, "titleLimit": 230},
            "header": {"labelFont": FONT, "labelFontSize": 12, "labelColor": TEXT,
                       "titleFont": FONT, "titleFontSize": 13, "titleColor": TEXT},
            "range": {"category": PALETTE},
            "text": {"font": FONT, "fontSize": 12, "color": TEXT},
            "line": {"strokeWidth": 2.5},
            "point": {"size": 60, "filled": True},
        }
    }


# The book's renderer: a chart becomes a placeholder holding its Vega-Lite spec, which
# _static/russia_iran.js draws with the vega files the book serves itself (sphinx_ext.py).
# JupyterLab keeps Altair's default renderer.
def _json_safe(value):
    """NaN and infinity, which JSON lacks, as null (Vega's missing value)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _json_safe(item) for key, item in value.items()}
    return [_json_safe(item) for item in value] if isinstance(value, list) else value


def book_markup(spec: dict, **_metadata) -> dict:
    """A chart's HTML in the book: its spec as JSON, with every "<" escaped so the script cannot end early."""
    data = json.dumps(_json_safe(spec), separators=(",", ":"), ensure_ascii=False).replace("<", "\\u003c")
    return {"text/html": f'<div class="{CHART_CLASS}"><script type="application/json">{data}</script></div>'}


alt.renderers.register("russia_iran_book", book_markup)
if os.environ.get(BOOK_BUILD):
    alt.renderers.enable("russia_iran_book")


def in_words(codes: pd.Series) -> pd.Series:
    """Data codes as a reader's words, for legends, tooltips and tables: partly_delivered -> partly delivered."""
    return codes.str.replace("_", " ", regex=False)


def source_line(keys: list[str]) -> str:
    """'Sources: Kozhanov (2023); Riddle Russia (2025). Licence: CC BY 4.0.'; long lists are counted, not named."""
    if not keys:
        raise ValueError("a chart needs at least one source")
    cited = [short_citation(k) for k in keys]
    if len(cited) > MAX_NAMED_SOURCES:
        return f"Sources: {len(cited)} references, named row by row in the data table. Licence: {LICENCE}."
    label = "Source" if len(keys) == 1 else "Sources"
    return f"{label}: {'; '.join(cited)}. Licence: {LICENCE}."


def chart_data(chart: alt.TopLevelMixin) -> pd.DataFrame:
    """The DataFrame a chart plots: its top-level data, or else the layer that carries sourced records.

    A layer of decoration (a shaded period, a label) has data of its own but no
    ``sources`` column; the records the reader came for do.
    """
    data = getattr(chart, "data", alt.Undefined)
    if isinstance(data, pd.DataFrame):
        return data
    layers = [sub.data for sub in getattr(chart, "layer", []) or [] if isinstance(sub.data, pd.DataFrame)]
    sourced = [frame for frame in layers if "sources" in frame.columns]
    if sourced or layers:
        return (sourced or layers)[0]
    raise ValueError("the chart has no DataFrame at its top level or in its layers")


def finish(chart: alt.TopLevelMixin, *, title: str, description: str, subtitle: str | None = None,
           sources: list[str] | None = None, responsive: bool = True) -> alt.TopLevelMixin:
    """Attach the house title, source line and accessible description to ``chart``.

    ``title`` states the finding; ``description`` says in words what the chart
    shows, for screen readers. Sources default to the keys in the plotted
    data's ``sources`` column.
    """
    if sources is None:
        data = chart_data(chart)
        if "sources" not in data.columns:
            raise ValueError("the plotted data has no 'sources' column; pass sources=[...]")
        sources = keys_in(data["sources"])
    paragraphs = [subtitle, source_line(sources)] if subtitle else [source_line(sources)]
    lines = [line for paragraph in paragraphs for line in textwrap.wrap(paragraph, SUBTITLE_WIDTH)]
    finished = chart.properties(title=alt.Title(text=textwrap.wrap(title, TITLE_WIDTH), subtitle=lines),
                                description=description,
                                usermeta={USERMETA_KEY: {"title": title, "subtitle": paragraphs}})
    if responsive and isinstance(chart, (alt.Chart, alt.LayerChart)):
        finished = finished.properties(width="container")
    elif responsive:
        # Concatenated views sized "container" overflow by their axes unless the
        # whole is fitted to the container's width.
        finished = finished.properties(autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))
    return finished
