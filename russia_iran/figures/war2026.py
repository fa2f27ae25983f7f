"""Charts and the claims explorer for the chapter "2026: war, succession and the partnership's second test".

As in the other chapters, each chart function takes DataFrames from
``load(...)``, keeps the rows and columns it draws (the table view and CSV)
and returns a chart passed through ``charts.finish``. The helpers at the top
compute the numbers the prose glues in. The explorer is a Vega-Lite chart, so
its menu works on the published page as well as in JupyterLab.
"""

from __future__ import annotations

import json

import altair as alt
import pandas as pd

from .. import charts
from ..sources import citations
from ..vocabulary import BASIS_WORDS, PERSPECTIVES, POSITION_WORDS, REACTION_ACTS

CHAPTER = "war2026"
WAR_START = pd.Timestamp("2026-02-28")
INTELLIGENCE_CLAIM = "Russia gave Iran targeting information on US forces"
POSITION_COLOURS = {"reports it": "#D55E00", "denies it": "#0072B2", "no comment": "#999999",
                    "doubts it": "#009E73"}


# ---------------------------------------------------------------- helpers for the prose

# The chapter's timeline (figures.timeline.chart), titled like the other charts.
TIMELINE = {
    "title": 'Moscow spoke often in 2026, but the war was ended by others',
    "description": 'Timeline of events in Russian-Iranian relations from the Iranian unrest of December 2025 to June 2026, one row per category, coloured by category, with shape showing whether the module reads each event as cooperation, conflict or mixed.',
    "subtitle": "Events of December 2025 to June 2026 discussed in this chapter; shape shows the module's reading of each event.",
}


def confidence_shape() -> alt.Shape:
    """Shape by the module's confidence in a figure; its legend on top, as two side by side overflow a phone."""
    return alt.Shape("confidence:N", title="Confidence", legend=alt.Legend(orient="top"), scale=alt.Scale(
        domain=["high", "medium", "low"], range=["circle", "square", "triangle-up"]))


def chapter_events(events: pd.DataFrame) -> pd.DataFrame:
    """The chapter's events, oldest first."""
    rows = events[events["chapter"] == CHAPTER].sort_values("date").reset_index(drop=True)
    if rows.empty:
        raise ValueError(f"no events with chapter == {CHAPTER!r}")
    return rows


def event_date(events: pd.DataFrame, event_id: str) -> pd.Timestamp:
    """The date of one event, by id; an unknown id names itself."""
    hit = events.loc[events["id"] == event_id, "date"]
    if hit.empty:
        raise KeyError(f"no event with id {event_id!r}")
    return hit.iloc[0]


def days_between(events: pd.DataFrame, first: str, last: str) -> int:
    """Days from one event to another, counting both the first and the last day."""
    return int((event_date(events, last) - event_date(events, first)).days) + 1


def acts_of(reactions: pd.DataFrame, perspective: str) -> dict[str, int]:
    """How many of one perspective's recorded reactions did each act (REACTION_ACTS), and in all."""
    rows = reactions[reactions["perspective"] == perspective]
    if rows.empty:
        raise ValueError(f"no reactions from the perspective {perspective!r}")
    counts = {act: int(rows[act].fillna(False).astype(bool).sum()) for act in REACTION_ACTS}
    return {**counts, "statements": len(rows)}


def figures_of(reported: pd.DataFrame, topic: str) -> pd.DataFrame:
    """The reported figures on one topic, oldest first."""
    rows = reported[reported["topic"] == topic].sort_values("date").reset_index(drop=True)
    if rows.empty:
        raise ValueError(f"no reported figures on {topic!r}")
    return rows


def figure_value(reported: pd.DataFrame, figure_id: str) -> float:
    """One reported figure, by id; an unknown id names itself."""
    hit = reported.loc[reported["id"] == figure_id, "value"]
    if hit.empty:
        raise KeyError(f"no reported figure with id {figure_id!r}")
    return float(hit.iloc[0])


def claim_summary(claims: pd.DataFrame, claim: str) -> dict[str, int]:
    """For one claim: how many reports, and how many rest on each basis or take each position."""
    rows = claims[claims["claim"] == claim]
    if rows.empty:
        raise ValueError(f"no reports of the claim {claim!r}")
    summary = {"reports": len(rows)}
    summary.update({f"basis_{k}": int((rows["basis"] == k).sum()) for k in BASIS_WORDS})
    summary.update({f"position_{k}": int((rows["position"] == k).sum()) for k in POSITION_WORDS})
    return summary


# ---------------------------------------------------------------- chart 1: words, not aid


def reactions_frame(reactions: pd.DataFrame) -> pd.DataFrame:
    """The statements the chart draws, with readable labels, grouped by perspective then date."""
    unknown = set(reactions["perspective"]) - set(PERSPECTIVES)
    if unknown:
        raise ValueError(f"perspectives without a label: {sorted(unknown)}")
    rows = reactions.copy()
    rows["order"] = rows["perspective"].map(list(PERSPECTIVES).index)
    rows = rows.sort_values(["order", "date"]).reset_index(drop=True)
    rows["row"] = rows.index
    rows["perspective"] = rows["perspective"].map(PERSPECTIVES)
    # The office's bracketed context ("call with the US president") keeps two statements of one day apart.
    context = rows["office"].str.extract(r"\(([^)]*)\)", expand=False)
    rows["who"] = (rows["perspective"] + ": " + rows["speaker"] + (", " + context).fillna("") + ", "
                   + rows["date"].dt.strftime("%-d %b"))
    if rows["who"].duplicated().any():
        raise ValueError(f"two statements share a label: {sorted(rows.loc[rows['who'].duplicated(), 'who'])}")
    rows["source"] = rows["sources"].map(citations)
    for act in REACTION_ACTS:
        rows[act] = rows[act].fillna(False).astype(bool).map({True: "yes", False: "no"})
    return rows[["row", "date", "who", "speaker", "office", "perspective", *REACTION_ACTS, "summary", "source",
                 "sources"]]


def reactions_matrix(reactions: pd.DataFrame) -> alt.TopLevelMixin:
    """One row per statement, grouped by perspective, one column per act: a filled circle where it did it."""
    data = reactions_frame(reactions)
    present = list(dict.fromkeys(data["perspective"]))
    pick = alt.param(name="reaction_perspective", value="All", bind=alt.binding_select(
        options=["All"] + present, name="Whose statements: "))
    base = alt.Chart(data).transform_filter((alt.datum.perspective == pick) | (pick == "All")).transform_fold(
        list(REACTION_ACTS), as_=["act", "answer"]).transform_calculate(
        act_words=f"{json.dumps(REACTION_ACTS)}[datum.act]")  # the column's words, looked up in the page
    colour = alt.Color("perspective:N", title="Perspective", legend=None, scale=alt.Scale(domain=present))
    marks = base.mark_point(size=150, strokeWidth=2, filled=False).encode(
        x=alt.X("act_words:N", title=None, sort=list(REACTION_ACTS.values()),
                axis=alt.Axis(orient="top", labelAngle=-90, labelAlign="left", labelBaseline="middle")),
        y=alt.Y("who:N", title=None, sort=alt.EncodingSortField(field="row", order="ascending"),
                axis=alt.Axis(labelLimit=170)),
        shape=alt.Shape("answer:N", title="Did it", scale=alt.Scale(domain=["yes", "no"],
                                                                  range=["circle", "stroke"])),
        color=colour,
        fill=alt.condition(alt.datum.answer == "yes", colour, alt.value("transparent")),
        tooltip=[alt.Tooltip("who:N", title="Statement"), alt.Tooltip("office:N", title="Office"),
                 alt.Tooltip("act_words:N", title="Act"), alt.Tooltip("answer:N", title="Did it"),
                 alt.Tooltip("summary:N", title="What was said"), alt.Tooltip("source:N", title="Source")],
    ).add_params(pick).properties(height=alt.Step(22))
    return charts.finish(
        marks,
        title="Moscow condemned the war in words; the only material help on record was humanitarian",
        subtitle=("Official reactions to the war that began on 28 February 2026, one row per statement, grouped "
                  "by perspective; a filled circle where the statement did what the column says, a dash where "
                  "it did not"),
        description=("Dot matrix of official statements on the war against Iran that began on 28 February 2026. "
                     "Each row is one statement, labelled with the perspective, the speaker and the date, grouped "
                     "by perspective (Russia, China, the Gulf states, Ukraine, the South Caucasus, Central Asia, "
                     "Turkey). Four columns ask whether the statement condemned the strikes, named the United "
                     "States or Israel as the attackers, offered to mediate, and offered Iran material help; a "
                     "filled circle means yes, a dash means no. A menu shows one perspective at a time."),
    )


# ---------------------------------------------------------------- chart 2: Bushehr's Russian staff

BUSHEHR_TOPICS = {"bushehr_staff_on_site": "Russian staff at the plant",
                  "bushehr_staff_evacuated": "People evacuated in one stage"}


def bushehr_frame(reported: pd.DataFrame) -> pd.DataFrame:
    """Every reported Bushehr figure, with the source named and the measure in words."""
    rows = reported[reported["topic"].isin(BUSHEHR_TOPICS)].sort_values("date").reset_index(drop=True).copy()
    if rows.empty:
        raise ValueError("no Bushehr staff figures in the data")
    rows["figure"] = rows["topic"].map(BUSHEHR_TOPICS)
    rows["source"] = rows["sources"].map(citations)
    return rows[["date", "topic", "figure", "value", "reported_by", "source", "note", "sources"]]


def bushehr_staff(reported: pd.DataFrame) -> alt.TopLevelMixin:
    """Russian staff reported at Bushehr over time (labelled points, dotted between reports); evacuations as bars."""
    data = bushehr_frame(reported)
    x = alt.X("date:T", title=None, axis=alt.Axis(format="%b %Y", labelFlush=True, labelBound=True, tickCount=5))
    tooltip = [alt.Tooltip("date:T", title="Date", format="%-d %B %Y"), alt.Tooltip("figure:N", title="Figure"),
               alt.Tooltip("value:Q", title="People", format=","), alt.Tooltip("reported_by:N", title="Reported by"),
               alt.Tooltip("source:N", title="Source"), alt.Tooltip("note:N", title="Note")]
    colour = alt.Color("figure:N", title=None, scale=alt.Scale(
        domain=list(BUSHEHR_TOPICS.values()),
        range=[charts.COUNTRY_COLOURS["Russia"], charts.COUNTRY_COLOURS["Iran"]]))
    on_site = alt.Chart().transform_filter(alt.datum.topic == "bushehr_staff_on_site")
    y = alt.Y("value:Q", title=["People"])
    # Dotted: the reports are snapshots, and nothing is known of the numbers between them.
    line = on_site.mark_line(strokeDash=[2, 3], strokeWidth=1.5).encode(x=x, y=y, color=colour)
    points = on_site.mark_point(size=80, filled=True).encode(x=x, y=y, color=colour, tooltip=tooltip)
    labels = on_site.mark_text(dy=-10, fontSize=11).encode(x=x, y=y, text=alt.Text("value:Q", format=","))
    evacuated = alt.Chart().transform_filter(alt.datum.topic == "bushehr_staff_evacuated").mark_bar(
        size=8, opacity=0.85).encode(x=x, y=y, color=colour, tooltip=tooltip)
    layered = alt.layer(evacuated, line, points, labels, data=data).properties(height=300)
    return charts.finish(
        layered,
        title="Rosatom moved about a third of its Russian staff out of Bushehr in three weeks, but stayed",
        subtitle=("Russian staff reported at the Bushehr plant (points) and people evacuated in each reported "
                  "stage (bars); each figure as Rosatom's head gave it, nothing known between reports"),
        description=("Chart of the number of Russian staff reported at Iran's Bushehr nuclear power plant, from "
                     "about 700 in November 2025 to 639 on 3 March 2026, about 450 on 11 March and about 480 on "
                     "17 March, as labelled points joined by a dotted line, and bars for the 94 people evacuated "
                     "on 28 February and the 150 on 11 March. Hover for who gave each figure and its source."),
    )


# ---------------------------------------------------------------- chart 3: who gained from oil

OIL_TOPICS = {"oil_price_brent": "Brent", "oil_price_urals": "Urals (Russia's export blend)"}
BUDGET_MEASURE = "price assumed in Russia's 2026 budget"


def oil_frame(reported: pd.DataFrame) -> pd.DataFrame:
    """Reported oil prices (Brent, Urals) with the budget's planning price, and a readable label."""
    rows = reported[reported["topic"].isin(OIL_TOPICS)].sort_values("date").reset_index(drop=True).copy()
    if rows.empty:
        raise ValueError("no oil prices in the data")
    rows["blend"] = rows["topic"].map(OIL_TOPICS)
    rows["budget"] = rows["measure"] == BUDGET_MEASURE
    rows["source"] = rows["sources"].map(citations)
    return rows[["date", "date_precision", "blend", "value", "measure", "budget", "reported_by", "confidence",
                 "source", "note", "sources"]]


def oil_prices(reported: pd.DataFrame) -> alt.TopLevelMixin:
    """Each reported Brent and Urals price as a point on a date axis, the war's start and the budget price as rules."""
    data = oil_frame(reported)
    blends = list(OIL_TOPICS.values())
    colour = alt.Color("blend:N", title=None, scale=alt.Scale(
        domain=blends, range=["#555555", charts.COUNTRY_COLOURS["Russia"]]))
    x = alt.X("date:T", title=None, scale=alt.Scale(domain=["2026-01-01", "2026-04-30"], padding=8),
              axis=alt.Axis(format="%-d %b", labelFlush=True, labelBound=True, tickCount=6))
    y = alt.Y("value:Q", title=["US$ a barrel"], scale=alt.Scale(domain=[0, 130]))
    prices = alt.Chart().transform_filter(~alt.datum.budget)
    points = prices.mark_point(size=90, filled=True).encode(
        x=x, y=y, color=colour,
        shape=confidence_shape(),
        tooltip=[alt.Tooltip("date:T", title="Date", format="%-d %B %Y"),
                 alt.Tooltip("date_precision:N", title="Date known to the"), alt.Tooltip("blend:N", title="Oil"),
                 alt.Tooltip("value:Q", title="US$ a barrel", format=".2f"), alt.Tooltip("measure:N", title="Measure"),
                 alt.Tooltip("reported_by:N", title="Reported by"), alt.Tooltip("confidence:N", title="Confidence"),
                 alt.Tooltip("source:N", title="Source"), alt.Tooltip("note:N", title="Note")])
    budget = alt.Chart().transform_filter(alt.datum.budget).mark_rule(
        strokeDash=[6, 4], color=charts.COUNTRY_COLOURS["Russia"]).encode(y="value:Q")
    budget_label = alt.Chart().transform_filter(alt.datum.budget).mark_text(
        align="left", dy=-6, fontSize=11, color=charts.MUTED).encode(
        x=alt.value(4), y="value:Q", text=alt.value("Budget price of Urals"))
    # One row of its own, so that the rule and its label are drawn once, not once per price.
    start = alt.Chart(pd.DataFrame({"date": [WAR_START], "label": ["War begins"]}))
    war = start.mark_rule(color=charts.MUTED).encode(x="date:T")
    war_label = start.mark_text(align="left", dx=4, baseline="top", fontSize=11, color=charts.MUTED).encode(
        x="date:T", y=alt.value(2), text="label:N")
    layered = alt.layer(budget, budget_label, war, war_label, points, data=data).properties(height=300)
    return charts.finish(
        layered,
        title="The war lifted Russia's oil above its budget price within a week",
        subtitle=("Brent and Urals prices as reported, January to April 2026; the dashed line is the price "
                  "Russia's 2026 budget assumes for Urals"),
        description=("Point chart of oil prices reported between January and April 2026. Urals, Russia's export "
                     "blend, sold at about 40 to 46 US dollars a barrel before and just after the war began on "
                     "28 February, below the 59 dollars assumed in Russia's budget, and reached about 70 dollars by "
                     "6 March. Brent rose from about 73 dollars to an intraday high of 119.50 on 9 March and "
                     "settled above 100 dollars on 12 and 20 March. Shapes show the confidence of each figure."),
    )


# ---------------------------------------------------------------- chart 4: the unrest, counted by whom

def tolls_frame(reported: pd.DataFrame) -> pd.DataFrame:
    """The unrest death tolls, each with who gave it."""
    rows = figures_of(reported, "unrest_deaths").copy()
    rows["source"] = rows["sources"].map(citations)
    return rows[["date", "value", "measure", "reported_by", "confidence", "source", "note", "sources"]]


def unrest_tolls(reported: pd.DataFrame) -> alt.TopLevelMixin:
    """Death tolls of the January 2026 unrest, one point per figure, coloured by who counted."""
    data = tolls_frame(reported)
    points = alt.Chart(data).mark_point(size=110, filled=True, opacity=0.9).encode(
        x=alt.X("date:T", title=None, scale=alt.Scale(padding=12),
                axis=alt.Axis(format="%-d %b", labelFlush=True, labelBound=True)),
        y=alt.Y("value:Q", title=["People killed,", "as reported"], scale=alt.Scale(type="log", domain=[300, 20000])),
        # Long names are cut short on a phone; the tooltip and the table give them whole.
        color=alt.Color("reported_by:N", title="Counted by", legend=alt.Legend(labelLimit=130)),
        shape=confidence_shape(),
        tooltip=[alt.Tooltip("date:T", title="Date", format="%-d %B %Y"),
                 alt.Tooltip("value:Q", title="People killed", format=","), alt.Tooltip("measure:N", title="Measure"),
                 alt.Tooltip("reported_by:N", title="Counted by"), alt.Tooltip("confidence:N", title="Confidence"),
                 alt.Tooltip("source:N", title="Source"), alt.Tooltip("note:N", title="Note")],
    ).properties(height=280)
    return charts.finish(
        points,
        title="Nobody agreed how many died in January, and the gap never closed",
        subtitle="Death tolls of the Iranian unrest as each source gave them, on a logarithmic scale",
        description=("Point chart of death tolls for the Iranian unrest of January 2026 on a logarithmic scale, one "
                     "point per figure, coloured by who gave it: the rights group HRANA (544 on 11 January rising to "
                     "6,126 on 27 January), an unnamed Iranian official (about 2,000), the first official toll "
                     "(3,117 on 21 January), Iran Human Rights (at least 3,428) and the opposition broadcaster Iran "
                     "International (at least 12,000, from unnamed sources)."),
    )


# ---------------------------------------------------------------- the claims explorer


def claims_frame(claims: pd.DataFrame) -> pd.DataFrame:
    """Reports of each claim, with basis and position in words."""
    order = {claim: i for i, claim in enumerate(dict.fromkeys(claims["claim"]))}  # the file's order
    rows = claims.assign(order=claims["claim"].map(order)).sort_values(["order", "date"]).reset_index(drop=True)
    rows["basis_words"] = rows["basis"].map(BASIS_WORDS)
    rows["position_words"] = rows["position"].map(POSITION_WORDS)
    if rows[["basis_words", "position_words"]].isna().any().any():
        raise ValueError("a claim report has a basis or position without words")
    rows["source"] = rows["sources"].map(citations)
    return rows[["claim", "date", "outlet", "speaker", "basis_words", "position_words", "summary", "source",
                 "sources"]]


def claims_explorer(claims: pd.DataFrame) -> alt.TopLevelMixin:
    """Pick a claim; see who reported, denied or doubted it, when, and on whose word."""
    data = claims_frame(claims)
    options = list(dict.fromkeys(data["claim"]))
    first = INTELLIGENCE_CLAIM if INTELLIGENCE_CLAIM in options else options[0]
    pick = alt.param(name="claim_choice", value=first, bind=alt.binding_select(
        options=options, name="Claim: "))
    chosen = alt.Chart(data).transform_filter(alt.datum.claim == pick)
    y = alt.Y("who:N", title=None, sort=alt.EncodingSortField(field="date", order="ascending"),
              axis=alt.Axis(labelLimit=110))  # the full name is in the tooltip and the table
    positions = list(POSITION_COLOURS)
    points = chosen.transform_calculate(who=alt.datum.outlet + " — " + alt.datum.speaker).mark_point(
        size=200, filled=True, opacity=0.9).encode(
        x=alt.X("date:T", title=None, scale=alt.Scale(padding=16),
                axis=alt.Axis(format="%-d %b %Y", labelFlush=True, labelBound=True, tickCount=5,
                              tickMinStep=24 * 60 * 60 * 1000)),  # at most one tick a day
        y=y,
        color=alt.Color("position_words:N", title="Position", scale=alt.Scale(
            domain=positions, range=[POSITION_COLOURS[p] for p in positions])),
        shape=alt.Shape("basis_words:N", title="On the word of",
                        legend=alt.Legend(orient="top", labelLimit=130)),  # two legends side by side overflow a phone
        tooltip=[alt.Tooltip("date:T", title="Date", format="%-d %B %Y"), alt.Tooltip("outlet:N", title="Outlet"),
                 alt.Tooltip("speaker:N", title="Speaker"), alt.Tooltip("position_words:N", title="Position"),
                 alt.Tooltip("basis_words:N", title="On the word of"), alt.Tooltip("summary:N", title="What was said"),
                 alt.Tooltip("source:N", title="Source")],
    ).add_params(pick).properties(height=alt.Step(30))
    return charts.finish(
        points,
        title="The year's contested claims began with anonymous sources or leaks; watch who confirmed them",
        subtitle=("Reports of contested claims about Russia and Iran in 2026; choose a claim from the menu. Colour: "
                  "the report's position; shape: whose word it rests on"),
        description=("Explorer of contested claims from 2026, such as the reports that Russia gave Iran targeting "
                     "information. A menu picks one claim; each report of it is a symbol on its date, one row per "
                     "outlet and speaker, coloured by whether the report asserts, denies, doubts or declines to "
                     "comment on the claim, and shaped by whose word it rests on: anonymous officials, a named "
                     "official, an official statement, leaked documents or an analyst's reading."),
    )


# ---------------------------------------------------------------- the numbers the prose glues

# Reported figures the chapter quotes, by the name it glues them under.
QUOTED_FIGURES = {
    "toll_hrana_first": "unrest-2026-01-11-hrana", "toll_official": "unrest-2026-01-21-official",
    "toll_iranintl": "unrest-2026-01-13-iranintl", "toll_hrana_last": "unrest-2026-01-27-hrana",
    "staff_nov": "bushehr-2025-11-17-on-site", "evacuated_1": "bushehr-2026-02-28-stage-1",
    "staff_mar3": "bushehr-2026-03-03-on-site", "evacuated_2": "bushehr-2026-03-11-stage-2",
    "staff_mar11": "bushehr-2026-03-11-on-site", "staff_mar17": "bushehr-2026-03-17-on-site",
    "urals_prewar": "urals-2026-02-20-novorossiysk", "urals_budget": "urals-2026-budget",
    "urals_mar6": "urals-2026-03-06", "brent_prewar": "brent-2026-02-27",
    "brent_peak": "brent-2026-03-09-intraday", "brent_mar9": "brent-2026-03-09-settlement",
    "brent_mar12": "brent-2026-03-12-settlement",
    "revenue_jan26": "revenue-2026-01", "revenue_jan25": "revenue-2025-01",
    "revenue_feb26": "revenue-2026-02", "revenue_feb25": "revenue-2025-02",
}


def numbers(events: pd.DataFrame, reactions: pd.DataFrame, reported: pd.DataFrame,
            claims: pd.DataFrame) -> dict[str, float | int]:
    """Every number the chapter's prose glues, by name, computed from the data."""
    out: dict[str, float | int] = {name: figure_value(reported, i) for name, i in QUOTED_FIGURES.items()}
    out["n_events"] = len(chapter_events(events))
    out["war_days"] = days_between(events, "2026-02-28-us-israeli-strikes", "2026-04-07-ceasefire")
    russia = acts_of(reactions, "russia")
    out.update({f"russia_{k}": v for k, v in russia.items()})
    out["n_reactions"] = len(reactions)
    out["n_perspectives"] = int(reactions["perspective"].nunique())
    intel = claim_summary(claims, INTELLIGENCE_CLAIM)
    out["intel_reports"] = intel["reports"]
    out["intel_anonymous"] = intel["basis_anonymous_officials"]
    out["intel_denials"] = intel["position_denies"]
    out["revenue_jan_fall_pct"] = round(100 * (1 - out["revenue_jan26"] / out["revenue_jan25"]), 1)
    out["revenue_feb_fall_pct"] = round(100 * (1 - out["revenue_feb26"] / out["revenue_feb25"]), 1)
    out["staff_left_share_pct"] = round(100 * (1 - out["staff_mar17"] / out["staff_nov"]))
    return out
