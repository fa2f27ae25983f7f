"""Charts and explorer for the chapter "The 2022 rapprochement: from buyer to supplier".

Every chart function takes DataFrames from ``load(...)``, keeps only the rows
and columns it draws (they become the downloadable CSV, with the ``sources``
column kept for the source line) and returns a chart passed through
``charts.finish``. The small helpers at the top compute the numbers the
chapter's prose glues in, so that prose and data cannot drift apart.
"""

from __future__ import annotations

import html

import altair as alt
import pandas as pd

from .. import charts
from ..sources import citations
from ..vocabulary import BASIS_LABELS, MEASURE_LABELS

CONFIDENCE_RANK = {"high": 0, "medium": 1, "low": 2}
INVASION_YEAR = 2022
ALL_BASES = "All bases"


# ---------------------------------------------------------------- helpers

# The chapter's timeline (figures.timeline.chart), titled like the other charts.
TIMELINE = {
    "title": 'In two years, drones, railways and summits tied Moscow and Tehran closer',
    "description": 'Timeline of events in Russian-Iranian relations from January 2022 to September 2024, one row per category of event, coloured by category, with shape showing whether the module reads each event as cooperation, conflict or mixed.',
    "subtitle": "Events of 2022–2024 discussed in this chapter; shape shows the module's reading of each event.",
}



def _label_basis(frame: pd.DataFrame) -> pd.Series:
    return frame["basis"].map(BASIS_LABELS).fillna(frame["basis"])


def full_year(trade: pd.DataFrame, measure: str = "turnover") -> pd.DataFrame:
    """Rows of one measure that their source gives as final, whole-year figures."""
    rows = trade[(trade["measure"] == measure) & (~trade["preliminary"].astype(bool))]
    return rows.reset_index(drop=True)


def turnover_range(trade: pd.DataFrame, year: int, *, include_preliminary: bool = False) -> dict:
    """Lowest and highest turnover figure for ``year`` across sources, and how many there are."""
    rows = trade[(trade["measure"] == "turnover") & (trade["year"] == year)]
    if not include_preliminary:
        rows = rows[~rows["preliminary"].astype(bool)]
    if rows.empty:
        raise ValueError(f"no turnover figure for {year}")
    values = rows["value_usd_bn"]
    return {"low": float(values.min()), "high": float(values.max()), "n": int(len(rows)),
            "spread": float(values.max() - values.min())}


def trade_value(trade: pd.DataFrame, year: int, measure: str, basis: str, *, sources: str | None = None,
                preliminary: bool = False) -> float:
    """One figure from the trade data, located by year, measure, basis (and source, if several)."""
    rows = trade[(trade["year"] == year) & (trade["measure"] == measure) & (trade["basis"] == basis)
                 & (trade["preliminary"].astype(bool) == preliminary)]
    if sources is not None:
        rows = rows[rows["sources"].str.split(";").apply(lambda keys: sources in keys)]
    if len(rows) != 1:
        raise ValueError(f"expected one {measure} figure for {year} on basis {basis}, found {len(rows)}")
    return float(rows["value_usd_bn"].iloc[0])


def arms_direction_counts(arms: pd.DataFrame, since: int = INVASION_YEAR) -> dict:
    """How many arms records in each direction fall in or after ``since`` (by year agreed or first delivered)."""
    year = arms[["year_agreed", "first_delivery_year"]].min(axis=1)
    recent = arms[year >= since]
    before = arms[year < since]
    to_russia = recent["recipient"] == "Russia"
    return {
        "iran_to_russia_since": int(to_russia.sum()),
        "russia_to_iran_since": int((~to_russia).sum()),
        "iran_to_russia_before": int((before["recipient"] == "Russia").sum()),
        "russia_to_iran_before": int((before["recipient"] != "Russia").sum()),
        "unconfirmed_since": int((recent["status"] == "reported_only").sum()),
    }


# ---------------------------------------------------------------- chart 1: trade by source


def trade_points(trade: pd.DataFrame, start: int = 2013) -> pd.DataFrame:
    """Every source's figure from ``start`` on, with labels for the chart and its table."""
    rows = trade[trade["year"] >= start].copy()
    if rows.empty:
        raise ValueError(f"no trade figures from {start} on")
    rows["measure_label"] = rows["measure"].map(MEASURE_LABELS)
    rows["basis_label"] = _label_basis(rows)
    rows["figure_kind"] = rows["preliminary"].map({True: "Preliminary or part-year", False: "Whole-year figure"})
    rows["source"] = rows["sources"].map(citations)
    columns = ["year", "measure_label", "value_usd_bn", "basis_label", "figure_kind", "confidence",
               "source", "note", "sources"]
    return rows[columns].sort_values(["year", "measure_label", "value_usd_bn"]).reset_index(drop=True)


def trade_by_source(trade: pd.DataFrame, start: int = 2013) -> alt.TopLevelMixin:
    """Bilateral trade by year, one point per source's figure, coloured and shaped by statistical basis.

    A dropdown chooses the measure (turnover or either direction of exports);
    clicking a basis in the legend highlights its figures; a grey bar spans
    the lowest to highest whole-year figure of each year.
    """
    data = trade_points(trade, start)
    measure = alt.param(name="measure_choice", value=MEASURE_LABELS["turnover"],
                        bind=alt.binding_select(options=list(MEASURE_LABELS.values()), name="Show: "))
    highlight = alt.selection_point(name="basis_pick", fields=["basis_label"], bind="legend")
    bases = [b for b in BASIS_LABELS.values() if b in set(data["basis_label"])]
    chosen = alt.datum.measure_label == measure
    x = alt.X("year:Q", title="Year", axis=alt.Axis(format="d", tickMinStep=1),
              scale=alt.Scale(domain=[int(data["year"].min()) - 0.5, int(data["year"].max()) + 0.5]))
    spread = alt.Chart(data).transform_filter(chosen).transform_filter(
        alt.datum.figure_kind == "Whole-year figure"
    ).transform_aggregate(
        low="min(value_usd_bn)", high="max(value_usd_bn)", figures="count()", groupby=["year"]
    ).mark_bar(width=14, color="#d0d7de", opacity=0.7).encode(
        x=x,
        y=alt.Y("low:Q", title="US$ billion, current prices"),
        y2="high:Q",
        tooltip=[alt.Tooltip("year:Q", title="Year", format="d"),
                 alt.Tooltip("low:Q", title="Lowest whole-year figure", format=".2f"),
                 alt.Tooltip("high:Q", title="Highest whole-year figure", format=".2f"),
                 alt.Tooltip("figures:Q", title="Whole-year figures")],
    )
    points = alt.Chart(data).transform_filter(chosen).mark_point(size=100, filled=True).encode(
        x=x,
        y=alt.Y("value_usd_bn:Q", title="US$ billion, current prices"),
        color=alt.Color("basis_label:N", title="Statistical basis (click to highlight)",
                        scale=alt.Scale(domain=bases)),
        shape=alt.Shape("figure_kind:N", title="Figure", legend=alt.Legend(orient="top"),  # two legends side by side overflow a phone
                        scale=alt.Scale(domain=["Whole-year figure", "Preliminary or part-year"],
                                        range=["circle", "triangle-down"])),
        opacity=alt.condition(highlight, alt.value(0.95), alt.value(0.15)),
        tooltip=[alt.Tooltip("year:Q", title="Year", format="d"),
                 alt.Tooltip("measure_label:N", title="Measure"),
                 alt.Tooltip("value_usd_bn:Q", title="US$ bn", format=".2f"),
                 alt.Tooltip("basis_label:N", title="Statistical basis"),
                 alt.Tooltip("figure_kind:N", title="Figure"),
                 alt.Tooltip("confidence:N", title="Confidence"),
                 alt.Tooltip("source:N", title="Source"),
                 alt.Tooltip("note:N", title="Note")],
    ).add_params(highlight)
    layered = alt.layer(spread, points).add_params(measure).properties(height=340)
    return charts.finish(
        layered,
        title="Trade peaked in 2022, but no two statistics agree on how high",
        subtitle="Russia–Iran goods trade, one point per source; grey bars span each year's whole-year figures",
        description=("Chart of Russia–Iran goods trade by year since " f"{int(data['year'].min())}, "
                     "one point for each source's figure, coloured by statistical basis; downward triangles "
                     "mark preliminary or part-year figures, circles whole-year figures. Grey bars show the range from the lowest to the "
                     "highest whole-year figure in each year. A menu switches between turnover, Russian "
                     "exports and Iranian exports; clicking a basis in the legend highlights its figures."),
    )


# ---------------------------------------------------------------- chart 2: arms by direction


def arms_events(arms: pd.DataFrame) -> pd.DataFrame:
    """One row per dated step of each arms record: its agreement and its first delivery."""
    frames = []
    for column, kind in (("year_agreed", "Agreed"), ("first_delivery_year", "First delivery")):
        dated = arms[arms[column].notna()].copy()
        dated["year"] = dated[column].astype(int)
        dated["step"] = kind
        frames.append(dated)
    rows = pd.concat(frames, ignore_index=True)
    if rows.empty:
        raise ValueError("no arms record has a year")
    rows["direction"] = rows["supplier"].map(
        lambda s: "Iran → Russia" if s == "Iran" else "Soviet Union/Russia → Iran")
    rows["confirmed"] = rows["status"] != "reported_only"
    rows["status_label"] = charts.in_words(rows["status"])
    rows["weapon_type"] = charts.in_words(rows["weapon_type"])
    rows["quantity_text"] = rows["quantity"].map(lambda q: "" if pd.isna(q) else f"{int(q):,}")
    rows["value_text"] = rows["value_usd_bn"].map(lambda v: "" if pd.isna(v) else f"{v:g}")
    rows["source"] = rows["sources"].map(citations)
    columns = ["year", "direction", "step", "system", "weapon_type", "quantity_text", "value_text",
               "status_label", "confirmed", "confidence", "source", "note", "sources"]
    return rows[columns].sort_values(["year", "direction", "step"]).reset_index(drop=True)


def arms_reversal(arms: pd.DataFrame) -> alt.TopLevelMixin:
    """Each arms agreement and first delivery as a point by year and direction; a checkbox hides unconfirmed reports."""
    data = arms_events(arms)
    show_unconfirmed = alt.param(name="show_unconfirmed", value=True,
                                 bind=alt.binding_checkbox(name="Include reports neither government confirmed "))
    keep = alt.datum.confirmed | show_unconfirmed
    directions = ["Soviet Union/Russia → Iran", "Iran → Russia"]
    colours = [charts.COUNTRY_COLOURS["Russia"], charts.COUNTRY_COLOURS["Iran"]]
    x = alt.X("year:Q", title="Year", axis=alt.Axis(format="d"),
              scale=alt.Scale(domain=[int(data["year"].min()) - 1, int(data["year"].max()) + 1]))
    points = alt.Chart(data).transform_filter(keep).mark_point(size=110, strokeWidth=2, opacity=0.85).encode(
        x=x,
        y=alt.Y("direction:N", title=None, sort=directions),
        yOffset=alt.YOffset("step:N", sort=["Agreed", "First delivery"]),
        color=alt.Color("direction:N", title="Direction", scale=alt.Scale(domain=directions, range=colours),
                        legend=None),  # the y axis already names the direction
        shape=alt.Shape("step:N", title="Step", scale=alt.Scale(domain=["Agreed", "First delivery"],
                                                                 range=["diamond", "circle"])),
        tooltip=[alt.Tooltip("year:Q", title="Year", format="d"),
                 alt.Tooltip("step:N", title="Step"),
                 alt.Tooltip("direction:N", title="Direction"),
                 alt.Tooltip("system:N", title="System"),
                 alt.Tooltip("weapon_type:N", title="Type"),
                 alt.Tooltip("quantity_text:N", title="Quantity reported"),
                 alt.Tooltip("value_text:N", title="Value reported (US$ bn)"),
                 alt.Tooltip("status_label:N", title="Status"),
                 alt.Tooltip("confidence:N", title="Confidence"),
                 alt.Tooltip("source:N", title="Source"),
                 alt.Tooltip("note:N", title="Note")],
    )
    marker = alt.Chart(pd.DataFrame({"year": [INVASION_YEAR - 0.5], "label": ["February 2022: invasion of Ukraine"]})).mark_rule(
        strokeDash=[4, 4], color=charts.MUTED).encode(x=alt.X("year:Q"))
    label = marker.mark_text(align="right", dx=-4, dy=-6, fontSize=11, color=charts.MUTED, baseline="bottom").encode(
        text="label:N", y=alt.value(0))
    layered = alt.layer(points, marker, label).add_params(show_unconfirmed).properties(height=230)
    return charts.finish(
        layered,
        title="Until 2022 arms went one way; since then Iran supplies Russia as well",
        subtitle="Arms agreements (diamonds) and first deliveries (circles) in the module's data, by direction",
        description=("Dot chart of arms agreements and first deliveries between the Soviet Union or Russia and "
                     "Iran from 1989, one row per direction. Before 2022 every point lies in the Russia-to-Iran "
                     "row; from 2022 points appear in the Iran-to-Russia row (drones, ammunition, missiles) "
                     "while Russia's deliveries to Iran are few. A checkbox hides reports that neither "
                     "government confirmed."),
    )


# ---------------------------------------------------------------- explorer


def trade_explorer_html(trade: pd.DataFrame, year: int, basis: str = ALL_BASES) -> str:
    """HTML table for one year and statistical basis: each figure, the change on the year before, the range."""
    labels = {v: k for k, v in BASIS_LABELS.items()}
    rows = trade[trade["year"] == year].copy()
    if basis != ALL_BASES:
        code = labels.get(basis, basis)
        rows = rows[rows["basis"] == code]
    if rows.empty:
        raise ValueError(f"No figure for {year} on the basis '{basis}'. Try another year or basis.")
    rows = rows.sort_values(["measure", "preliminary", "value_usd_bn"])

    def change(row) -> str:
        if row.preliminary:
            return "not compared (preliminary or part-year)"
        earlier = trade[(trade["year"] == year - 1) & (trade["measure"] == row.measure)
                        & (trade["basis"] == row.basis) & (~trade["preliminary"].astype(bool))]
        if earlier.empty:
            return f"no whole-year {year - 1} figure on this basis"
        before = float(earlier["value_usd_bn"].median())
        pct = 100 * (row.value_usd_bn - before) / before
        return f"{pct:+.0f}% (from {before:.2f})"

    body = "".join(
        f"<tr><td>{html.escape(MEASURE_LABELS[r.measure])}</td><td>{r.value_usd_bn:.2f}</td>"
        f"<td>{html.escape(BASIS_LABELS.get(r.basis, r.basis))}</td>"
        f"<td>{'yes' if r.preliminary else 'no'}</td><td>{html.escape(change(r))}</td>"
        f"<td>{html.escape(citations(r.sources))}</td></tr>"
        for r in rows.itertuples())
    try:
        spread = turnover_range(trade, year)
        summary = (f"Across all sources, whole-year turnover figures for {year} run from "
                   f"US$ {spread['low']:.2f} bn to {spread['high']:.2f} bn ({spread['n']} figure(s)).")
    except ValueError:
        summary = f"No source gives a whole-year turnover figure for {year}."
    return (f"<table class='ri-data-table'><caption>Russia–Iran trade in {year}, basis: {html.escape(basis)}"
            f"</caption><thead><tr><th>Measure</th><th>US$ bn</th><th>Basis</th><th>Preliminary</th>"
            f"<th>Change on {year - 1} (median figure, same basis)</th><th>Source</th></tr></thead><tbody>{body}</tbody></table>"
            f"<p>{html.escape(summary)}</p>")


def explorer_options(trade: pd.DataFrame, start: int = 2013) -> dict:
    """Years and basis labels offered by the explorer's menus."""
    years = sorted(int(y) for y in trade.loc[trade["year"] >= start, "year"].unique())
    bases = [ALL_BASES] + [label for code, label in BASIS_LABELS.items() if code in set(trade["basis"])]
    return {"years": years, "bases": bases}


def trade_explorer(trade: pd.DataFrame, year: int = INVASION_YEAR, basis: str = ALL_BASES):
    """An ipywidgets explorer: pick a year and a statistical basis, see the figures as a table."""
    import ipywidgets as widgets

    from ..widgets import explorer

    options = explorer_options(trade)
    controls = {
        "year": widgets.Dropdown(options=options["years"], value=year, description="Year"),
        "basis": widgets.Dropdown(options=options["bases"], value=basis, description="Basis"),
    }
    return explorer(controls, render=lambda year, basis: trade_explorer_html(trade, year, basis),
                    title="Russia–Iran trade: one year, one basis")


def numbers(trade: pd.DataFrame, arms: pd.DataFrame, partners: pd.DataFrame, events: pd.DataFrame) -> dict[str, float | int]:
    """Every number the chapter's prose glues, by name, computed from the data."""
    from .proportion import pair_value, share_of_world  # proportion imports this module

    counts = arms_direction_counts(arms)
    out: dict[str, float | int] = {
        "arms_ir_since": counts["iran_to_russia_since"], "arms_ru_since": counts["russia_to_iran_since"],
        "arms_ir_before": counts["iran_to_russia_before"], "arms_ru_before": counts["russia_to_iran_before"],
        "arms_unconfirmed": counts["unconfirmed_since"]}
    out.update(t20_eec=trade_value(trade, 2020, "turnover", "eec"),
               t20_koz=trade_value(trade, 2020, "turnover", "secondary", sources="kozhanov2023putin"),
               t21_fcs=trade_value(trade, 2021, "turnover", "russian_customs"),
               t22_prelim=trade_value(trade, 2022, "turnover", "secondary", sources="kozhanov2023putin", preliminary=True),
               t23_ru=trade_value(trade, 2023, "turnover", "secondary", sources="riddle2025friends"),
               t23_ir=trade_value(trade, 2023, "turnover", "iranian_customs"),
               rx21=trade_value(trade, 2021, "russian_exports", "russian_customs"),
               ix21=trade_value(trade, 2021, "iranian_exports", "russian_customs"),
               rx23=trade_value(trade, 2023, "russian_exports", "secondary"),
               ix23=trade_value(trade, 2023, "iranian_exports", "secondary", sources="riddle2025friends"),
               share22=share_of_world(partners, "Russia", "Iran", 2022),
               share23=share_of_world(partners, "Russia", "Iran", 2023),
               n_events=len(events))
    out["ratio21"] = out["rx21"] / out["ix21"]
    spread = turnover_range(trade, 2022)
    out.update(t22_low=spread["low"], t22_high=spread["high"], t22_n=spread["n"])
    for name, (reporter, partner) in {"ru_cn22": ("Russia", "China"), "ru_ae22": ("Russia", "UAE"),
                                      "ir_ae22": ("Iran", "UAE"), "ir_cn22": ("Iran", "China")}.items():
        out[name] = pair_value(partners, trade, reporter, partner, 2022)
    out["ir_ru22_share"] = pair_value(partners, trade, "Iran", "Russia", 2022, "share_pct")
    return out
