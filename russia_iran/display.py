"""Show a finished chart the way every chart in the book is shown.

``show(chart, "trade-by-source")`` returns one output holding the interactive
chart, a "Show the data" table of exactly the plotted rows and a CSV download
of the same rows. Vega-Embed's menu on the chart exports PNG and SVG.
The object can be displayed directly or passed to myst-nb's ``glue``.

The table's cells are written exactly as the CSV writes them, so the CSV is
built from the table by the link's own small click handler when the reader
asks for it, instead of travelling in the page a second time (as a data: URL).
Without JavaScript the link leads to the table.
"""

from __future__ import annotations

import html
import io
import re

import altair as alt
import pandas as pd

from .charts import chart_data
from .vocabulary import UNITS

SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
BETWEEN_TAGS = re.compile(r">\n\s*<")  # pandas' indentation
# The download link's click handler: builds the CSV from the table (quoting as
# pandas does) and lets the browser save it. Without JavaScript the link, which
# has no download attribute in the markup, just opens the table.
DOWNLOAD_HANDLER = (
    "var t=document.getElementById(this.hash.slice(1));if(!t)return true;"
    "var q=function(c){c=c.textContent;return /[\",\r\n]/.test(c)?'\"'+c.replace(/\"/g,'\"\"')+'\"':c};"
    "var r=[].map.call(t.querySelectorAll('tr'),function(tr){return [].map.call(tr.children,q).join(',')});"
    "this.download=this.getAttribute('data-download');"
    "this.href='data:text/csv;charset=utf-8,'+encodeURIComponent(r.join('\n')+'\n');return true"
).replace("\r", "\\r").replace("\n", "\\n")


def header(column: str) -> str:
    """A data column's name in words for the table and the CSV: value_usd_bn -> "Value US$ bn"."""
    words = [UNITS.get(w, w) for w in str(column).split("_") if w]
    text = " ".join(words) or str(column)
    return text[:1].upper() + text[1:]


def _table_frame(data: pd.DataFrame) -> pd.DataFrame:
    """Headers in words, dates as YYYY-MM-DD and missing values as empty cells, for reading and for CSV."""
    out = data.copy()
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].dt.strftime("%Y-%m-%d")
    out = out.astype(object).where(out.notna(), "")
    out.columns = [header(c) for c in out.columns]
    return out


class ChartWithData:
    """A chart, its data table and its CSV link, rendered as one HTML output."""

    def __init__(self, chart: alt.TopLevelMixin, name: str):
        if not SLUG.fullmatch(name):
            raise ValueError(f"chart name {name!r} must be lower-case words joined by hyphens")
        self.chart = chart
        self.name = name
        self.data = _table_frame(chart_data(chart))

    def _title(self) -> str:
        title = self.chart.title
        text = getattr(title, "text", title) if title is not alt.Undefined else self.name
        return " ".join(text) if isinstance(text, list) else str(text)

    def csv_text(self) -> str:
        """The CSV a reader downloads: the plotted rows, as the table shows them."""
        return self.data.to_csv(index=False)

    def table_html(self) -> str:
        rows = len(self.data)
        # Cells as the CSV writes them (full precision, same dates), so the download
        # built from the table is this CSV, byte for byte.
        cells = pd.read_csv(io.StringIO(self.csv_text()), dtype=str, keep_default_na=False)
        table = cells.to_html(index=False, border=0, classes="ri-data-table", escape=True,
                              table_id=f"data-{self.name}")
        table = BETWEEN_TAGS.sub("><", table)
        title = html.escape(str(self._title()))
        return (
            f'<details class="ri-data"><summary>Show the data ({rows} {"row" if rows == 1 else "rows"})</summary>'
            f'<div class="ri-table-scroll" role="region" aria-label="Data for: {title}" tabindex="0">'
            f"{table}</div></details>"
            f'<p class="ri-download"><a class="ri-csv" data-download="{self.name}.csv" href="#data-{self.name}" '
            f'onclick="{html.escape(DOWNLOAD_HANDLER)}">'
            f"Download the plotted data (CSV)</a></p>"
        )

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = self.chart._repr_mimebundle_(include, exclude)
        bundle = bundle[0] if isinstance(bundle, tuple) else bundle
        chart_html = bundle["text/html"]
        return {
            "text/html": f'<figure class="ri-chart" id="chart-{self.name}">{chart_html}{self.table_html()}</figure>',
            "text/plain": f"Chart: {self._title()} ({len(self.data)} rows of data)",
        }


def show(chart: alt.TopLevelMixin, name: str) -> ChartWithData:
    """Wrap a finished chart for display with its table view and CSV download."""
    return ChartWithData(chart, name)
