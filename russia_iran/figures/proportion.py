"""Russia and Iran in proportion: each country's trade with its partners, one figure each.

Shared by chapter 2 (the chart) and chapter 4 (the shares it quotes). Where sources give
several figures for one reporter, partner and year, one is chosen by a stated order of
statistical bases and the others are kept in ``other_figures``.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from .. import charts
from ..sources import citations
from ..vocabulary import BASIS_LABELS
from .rapprochement import CONFIDENCE_RANK, INVASION_YEAR, full_year

SHARE_OF = {"Russia": "Russia's total goods trade (Russian customs)",
            "Iran": "Iran's non-oil goods trade (Iranian customs, Iranian year)"}
BASIS_PRIORITY = ["russian_customs", "iranian_customs", "eec", "imf_dots", "un_comtrade",
                  "official_statement", "secondary"]
# A partner's mirror figure ranks with analysts' figures: neither is the reporter's own statistics.
BASIS_RANK = {**{basis: i for i, basis in enumerate(BASIS_PRIORITY)},
              "partner_statistics": BASIS_PRIORITY.index("secondary")}


def best_figure(rows: pd.DataFrame, keys: list[str], rank: pd.Series) -> pd.DataFrame:
    """One row per group of ``keys``: the lowest ``rank``; the group's other values listed in ``other_figures``."""
    ordered = rows.assign(_rank=rank).sort_values([*keys, "_rank"], kind="stable")
    others = ordered.groupby(keys, sort=False)["value_usd_bn"].agg(lambda v: ", ".join(f"{x:g}" for x in v.iloc[1:]))
    best = ordered.groupby(keys, sort=False).head(1).drop(columns="_rank")
    return best.merge(others.rename("other_figures").reset_index(), on=keys).reset_index(drop=True)


def pick_turnover(partners: pd.DataFrame) -> pd.DataFrame:
    """One turnover figure per reporter, partner and year.

    Where only exports and imports are given by one source, their sum is used.
    Where several figures exist, the one on the reporter's own customs basis is
    preferred, then other official bases, then the most confident; the others
    are listed in ``other_figures``.
    """
    turnover = partners[partners["measure"] == "turnover"]
    flows = partners[partners["measure"].isin(["exports", "imports"])]
    sums = flows.groupby(["reporter", "partner", "year", "basis", "sources"], as_index=False).agg(
        value_usd_bn=("value_usd_bn", "sum"), parts=("measure", "nunique"),
        confidence=("confidence", "max"), note=("note", "first"))
    sums = sums[sums["parts"] == 2].drop(columns="parts")
    sums["note"] = "Sum of exports and imports given by the same source."
    have = set(map(tuple, turnover[["reporter", "partner", "year"]].astype(str).values))
    sums = sums[[tuple(map(str, k)) not in have for k in sums[["reporter", "partner", "year"]].values]]
    rows = pd.concat([turnover.drop(columns="measure"), sums], ignore_index=True)
    own = rows["reporter"].map({"Russia": "russian_customs", "Iran": "iranian_customs"})
    basis_rank = rows["basis"].map(BASIS_RANK).where(rows["basis"] != own, -1)
    return best_figure(rows, ["reporter", "partner", "year"], 10 * basis_rank + confidence_rank(rows))


def confidence_rank(rows: pd.DataFrame) -> pd.Series:
    return rows["confidence"].astype(str).map(CONFIDENCE_RANK).fillna(3)


def bilateral_for_iran(trade: pd.DataFrame) -> pd.DataFrame:
    """Iran's turnover with Russia by year, from the bilateral trade data (whole-year figures only)."""
    rows = full_year(trade)
    order = ["iranian_customs", "eec", "russian_customs", "imf_dots", "un_comtrade", "official_statement", "secondary"]
    picked = best_figure(rows, ["year"], 10 * rows["basis"].map(order.index) + confidence_rank(rows))
    picked["reporter"] = "Iran"
    picked["partner"] = "Russia"
    picked["note"] = "From the bilateral trade data set. " + picked["note"].fillna("")
    return picked.drop(columns=["measure", "preliminary"])


def proportion_data(partners: pd.DataFrame, trade: pd.DataFrame, start: int = 2020) -> pd.DataFrame:
    """Turnover by reporter, partner and year (one figure each), with shares of the world total where known."""
    picked = pick_turnover(partners)
    iran_view = bilateral_for_iran(trade)
    iran_view = iran_view[~iran_view["year"].isin(
        picked[(picked["reporter"] == "Iran") & (picked["partner"] == "Russia")]["year"])]
    rows = pd.concat([picked, iran_view], ignore_index=True)
    rows = rows[rows["year"] >= start].copy()
    world = rows[rows["partner"] == "World"].set_index(["reporter", "year"])["value_usd_bn"]
    rows = rows[rows["partner"] != "World"]
    keys = list(zip(rows["reporter"], rows["year"]))
    totals = pd.Series([world.get(k) for k in keys], index=rows.index, dtype="float64")
    rows["share_pct"] = (100 * rows["value_usd_bn"] / totals).round(2)
    rows["share_of"] = rows["reporter"].map(SHARE_OF)
    rows["bilateral"] = ((rows["reporter"] == "Russia") & (rows["partner"] == "Iran")) | (
        (rows["reporter"] == "Iran") & (rows["partner"] == "Russia"))
    rows["basis_label"] = rows["basis"].map(BASIS_LABELS).fillna(rows["basis"])
    rows["source"] = rows["sources"].map(citations)
    rows["year"] = rows["year"].astype(int)
    columns = ["reporter", "partner", "year", "value_usd_bn", "share_pct", "share_of", "bilateral", "basis_label",
               "other_figures", "source", "note", "sources"]
    return rows[columns].sort_values(["reporter", "year", "value_usd_bn"], ascending=[True, True, False]).reset_index(drop=True)


def partners_in_proportion(partners: pd.DataFrame, trade: pd.DataFrame, start: int = 2020,
                           year: int = INVASION_YEAR) -> alt.TopLevelMixin:
    """Each country's goods trade with its partners in one year: a menu picks the country, a slider the year."""
    data = proportion_data(partners, trade, start)
    years = sorted(data["year"].unique())
    if year not in years:
        year = years[-1]
    reporter = alt.param(name="reporter_choice", value="Russia",
                         bind=alt.binding_select(options=["Russia", "Iran"], name="Trade of: "))
    year_pick = alt.param(name="year_choice", value=int(year),
                          bind=alt.binding_range(min=int(years[0]), max=int(years[-1]), step=1, name="Year: "))
    chosen = (alt.datum.reporter == reporter) & (alt.datum.year == year_pick)
    base = alt.Chart(data).transform_filter(chosen)
    y = alt.Y("partner:N", title=None, sort=alt.EncodingSortField(field="value_usd_bn", order="descending"))
    bars = base.mark_bar().encode(
        x=alt.X("value_usd_bn:Q", title="Goods turnover, US$ billion"),
        y=y,
        color=alt.condition(alt.datum.bilateral, alt.value(charts.COUNTRY_COLOURS["Iran"]), alt.value("#9aa4ae")),
        tooltip=[alt.Tooltip("reporter:N", title="Trade of"),
                 alt.Tooltip("partner:N", title="With"),
                 alt.Tooltip("year:Q", title="Year", format="d"),
                 alt.Tooltip("value_usd_bn:Q", title="US$ bn", format=".2f"),
                 alt.Tooltip("share_pct:Q", title="Share (%)", format=".2f"),
                 alt.Tooltip("share_of:N", title="Share of"),
                 alt.Tooltip("basis_label:N", title="Statistical basis"),
                 alt.Tooltip("other_figures:N", title="Other figures for this pair"),
                 alt.Tooltip("source:N", title="Source"),
                 alt.Tooltip("note:N", title="Note")],
    )
    labels = base.mark_text(align="left", dx=4, fontSize=11).encode(
        x="value_usd_bn:Q", y=y,
        text=alt.Text("value_usd_bn:Q", format=".1f"),
    )
    layered = alt.layer(bars, labels).add_params(reporter, year_pick).properties(height=260)
    return charts.finish(
        layered,
        title="For both countries, the other is a small trading partner",
        subtitle="Goods turnover with selected partners; the Russia–Iran bar is orange. Hover for shares and sources",
        description=("Horizontal bar chart of goods turnover between the chosen country (Russia or Iran) and "
                     "selected partners in the chosen year, largest first; the bar for the bilateral "
                     "Russia–Iran trade is orange. A menu picks the country and a slider the year; partners "
                     "with no figure for that year are absent."),
    )


def share_of_world(partners: pd.DataFrame, reporter: str, partner: str, year: int) -> float:
    """Partner's share (per cent) of the reporter's total goods turnover in ``year``."""
    picked = pick_turnover(partners)
    rows = picked[(picked["reporter"] == reporter) & (picked["year"] == year)]
    one = rows[rows["partner"] == partner]
    world = rows[rows["partner"] == "World"]
    if one.empty or world.empty:
        raise ValueError(f"no {partner} or World turnover for {reporter} in {year}")
    return 100 * float(one["value_usd_bn"].iloc[0]) / float(world["value_usd_bn"].iloc[0])


def pair_value(partners: pd.DataFrame, trade: pd.DataFrame, reporter: str, partner: str, year: int,
               column: str = "value_usd_bn") -> float:
    """One figure the share charts use for a pair and year: the turnover (US$ bn, ``value_usd_bn``)
    or the partner's share (per cent) of the reporter's total goods trade (``share_pct``)."""
    rows = proportion_data(partners, trade)
    hit = rows[(rows["reporter"] == reporter) & (rows["partner"] == partner) & (rows["year"] == year)][column].dropna()
    if hit.empty:
        raise ValueError(f"no {column} for {reporter} with {partner} in {year}")
    return float(hit.iloc[0])
