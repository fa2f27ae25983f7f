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


def figure(trade: pd.DataFrame, year: int, measure: str, basis: str, *, sources: str | None = None,
           preliminary: bool = False) -> float:
    """One figure from the trade data, located by year, measure, basis (and source, if several)."""
    rows = trade[(trade["year"] == year) & (trade["measure"] == measure) & (trade["basis"] == basis)
                 & (trade["preliminary"].astype(bool) == preliminary)]
    if sources is not None:
        rows = rows[rows["sources"].str.split(";").apply(lambda keys: sources in keys)]
    if len(rows) != 1:
        raise ValueError(f"expected one {measure} figure for {year} on basis {basis}, found {len(rows)}")
    return float(rows["value_usd_bn"].iloc[0])


def share_of_world(partners: pd.DataFrame, reporter: str, partner: str, year: int) -> float:
    """Partner's share (per cent) of the reporter's total goods turnover in ``year``."""
    picked = pick_turnover(partners)
    rows = picked[(picked["reporter"] == reporter) & (picked["year"] == year)]
    one = rows[rows["partner"] == partner]
    world = rows[rows["partner"] == "World"]
    if one.empty or world.empty:
        raise ValueError(f"no {partner} or World turnover for {reporter} in {year}")
    return 100 * float(one["value_usd_bn"].iloc[0]) / float(world["value_usd_bn"].iloc[0])


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


# ---------------------------------------------------------------- chart 3: Iran in proportion

SHARE_OF = {"Russia": "Russia's total goods trade (Russian customs)",
            "Iran": "Iran's non-oil goods trade (Iranian customs, Iranian year)"}
BASIS_PRIORITY = ["russian_customs", "iranian_customs", "eec", "imf_dots", "un_comtrade",
                  "official_statement", "secondary"]
# A partner's mirror figure ranks with analysts' figures: neither is the reporter's own statistics.
BASIS_RANK = {**{basis: i for i, basis in enumerate(BASIS_PRIORITY)},
              "partner_statistics": BASIS_PRIORITY.index("secondary")}


def pick_turnover(partners: pd.DataFrame) -> pd.DataFrame:
    """One turnover figure per reporter, partner and year.

    Where only exports and imports are given by one source, their sum is used.
    Where several figures exist, the one on the reporter's own customs basis is
    preferred, then other official bases, then the most confident; the others
    are listed in ``other_figures``.
    """
    rows = partners.copy()
    turnover = rows[rows["measure"] == "turnover"]
    flows = rows[rows["measure"].isin(["exports", "imports"])]
    sums = flows.groupby(["reporter", "partner", "year", "basis", "sources"], as_index=False).agg(
        value_usd_bn=("value_usd_bn", "sum"), parts=("measure", "nunique"),
        confidence=("confidence", "max"), note=("note", "first"))
    sums = sums[sums["parts"] == 2].drop(columns="parts")
    sums["note"] = "Sum of exports and imports given by the same source."
    have = set(map(tuple, turnover[["reporter", "partner", "year"]].astype(str).values))
    sums = sums[[tuple(map(str, k)) not in have for k in sums[["reporter", "partner", "year"]].values]]
    allrows = pd.concat([turnover.drop(columns="measure"), sums], ignore_index=True)

    def rank(r) -> tuple:
        own = {"Russia": "russian_customs", "Iran": "iranian_customs"}.get(r["reporter"])
        basis_rank = -1 if r["basis"] == own else BASIS_RANK[r["basis"]]
        return (basis_rank, CONFIDENCE_RANK.get(str(r["confidence"]), 3))

    allrows["_rank"] = allrows.apply(rank, axis=1)
    allrows = allrows.sort_values(["reporter", "partner", "year", "_rank"])
    out = []
    for _, group in allrows.groupby(["reporter", "partner", "year"], sort=False):
        best = group.iloc[0].copy()
        others = group.iloc[1:]["value_usd_bn"].map(lambda v: f"{v:g}").tolist()
        best["other_figures"] = ", ".join(others)
        out.append(best)
    return pd.DataFrame(out).drop(columns="_rank").reset_index(drop=True)


def bilateral_for_iran(trade: pd.DataFrame) -> pd.DataFrame:
    """Iran's turnover with Russia by year, from the bilateral trade data (whole-year figures only)."""
    rows = full_year(trade).copy()
    order = ["iranian_customs", "eec", "russian_customs", "imf_dots", "un_comtrade", "official_statement", "secondary"]
    rows["_rank"] = rows["basis"].map(order.index)
    rows["_conf"] = rows["confidence"].astype(str).map(CONFIDENCE_RANK)
    rows = rows.sort_values(["year", "_rank", "_conf"])
    out = []
    for _, group in rows.groupby("year"):
        best = group.iloc[0].copy()
        best["other_figures"] = ", ".join(group.iloc[1:]["value_usd_bn"].map(lambda v: f"{v:g}"))
        out.append(best)
    picked = pd.DataFrame(out)
    picked["reporter"] = "Iran"
    picked["partner"] = "Russia"
    picked["note"] = "From the bilateral trade data set. " + picked["note"].fillna("")
    return picked.drop(columns=["_rank", "_conf", "measure", "preliminary"]).reset_index(drop=True)


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
    rows["basis_label"] = _label_basis(rows)
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
