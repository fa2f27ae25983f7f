"""Charts for "Reading the charts": one of each kind of interaction, on the trade data."""

from __future__ import annotations

import html

import altair as alt
import pandas as pd

from .. import charts
from ..vocabulary import BASIS_LABELS

def turnover(trade: pd.DataFrame) -> pd.DataFrame:
    """Turnover rows with a readable basis label, oldest first."""
    rows = trade[trade["measure"] == "turnover"].copy()
    if rows.empty:
        raise ValueError("the trade data has no turnover rows")
    rows["basis_label"] = rows["basis"].map(BASIS_LABELS).fillna(rows["basis"])
    return rows[["year", "value_usd_bn", "basis_label", "preliminary", "sources"]].sort_values("year").reset_index(drop=True)


def _tooltip() -> list[alt.Tooltip]:
    return [alt.Tooltip("year:O", title="Year"),
            alt.Tooltip("value_usd_bn:Q", title="Turnover (US$ bn)", format=".2f"),
            alt.Tooltip("basis_label:N", title="Statistical basis"),
            alt.Tooltip("preliminary:N", title="Preliminary"),
            alt.Tooltip("sources:N", title="Source")]


def tooltips(trade: pd.DataFrame) -> alt.TopLevelMixin:
    """Turnover by year, one point per source's figure: hover for details."""
    data = turnover(trade)
    points = alt.Chart(data).mark_point(size=80).encode(
        x=alt.X("year:Q", title="Year", axis=alt.Axis(format="d"), scale=alt.Scale(zero=False, padding=8)),
        y=alt.Y("value_usd_bn:Q", title="Turnover, US$ billion"),
        color=alt.Color("basis_label:N", title="Statistical basis"),
        shape=alt.Shape("basis_label:N", title="Statistical basis"),
        tooltip=_tooltip(),
    ).properties(height=280)
    return charts.finish(
        points,
        title="Sources often report different figures for the same year",
        subtitle="Russia–Iran goods turnover; each point is one source's figure",
        description="Scatter plot of Russia–Iran trade turnover by year, one point per source and "
                    "statistical basis; hover over a point to read its value, basis and source.")


def threshold(trade: pd.DataFrame) -> alt.TopLevelMixin:
    """The same points, with a slider that highlights figures above a threshold."""
    data = turnover(trade)
    top = float(data["value_usd_bn"].max())
    level = alt.param(name="level", value=round(top / 2, 1),
                      bind=alt.binding_range(min=0, max=round(top + 0.5, 1), step=0.1,
                                             name="Highlight turnover above (US$ bn): "))
    above = alt.datum.value_usd_bn >= level
    points = alt.Chart(data).mark_point(size=80, filled=True).encode(
        x=alt.X("year:Q", title="Year", axis=alt.Axis(format="d"), scale=alt.Scale(zero=False, padding=8)),
        y=alt.Y("value_usd_bn:Q", title="Turnover, US$ billion"),
        color=alt.condition(above, alt.value(charts.PALETTE[1]), alt.value("#bbbbbb")),
        shape=alt.condition(above, alt.value("triangle-up"), alt.value("circle")),
        tooltip=_tooltip(),
    )
    rule = alt.Chart(data).mark_rule(strokeDash=[4, 4], color=charts.MUTED).encode(
        y=alt.Y("level_value:Q")).transform_aggregate(rows="count()").transform_calculate(
        level_value=level.name)
    layered = alt.layer(points, rule).add_params(level).properties(height=280)
    return charts.finish(
        layered,
        title="Move the slider to see which years passed a level of trade",
        subtitle="Triangles mark figures at or above the level; the dashed line shows it",
        description="Scatter plot of Russia–Iran trade turnover by year with a slider; figures at or "
                    "above the chosen level are drawn as orange triangles, the others as grey circles.")


def year_summary(trade: pd.DataFrame, year: int) -> str:
    """HTML table of every source's turnover figure for one year."""
    rows = turnover(trade)
    rows = rows[rows["year"] == year]
    if rows.empty:
        raise ValueError(f"No source in the data gives a turnover figure for {year}.")
    body = "".join(
        f"<tr><td>{html.escape(r.basis_label)}</td><td>{r.value_usd_bn:.2f}</td>"
        f"<td>{'yes' if r.preliminary else 'no'}</td><td>{html.escape(r.sources)}</td></tr>"
        for r in rows.itertuples())
    spread = rows["value_usd_bn"].max() - rows["value_usd_bn"].min()
    return (f"<table class='ri-data-table'><caption>Turnover in {year}: {len(rows)} figure(s), "
            f"spread US$ {spread:.2f} bn</caption><thead><tr><th>Basis</th><th>US$ bn</th>"
            f"<th>Preliminary</th><th>Source</th></tr></thead><tbody>{body}</tbody></table>")
