"""Charts and the claims explorer for the chapter "2026: war, succession and the partnership's second test".

As in the other chapters, each chart function takes DataFrames from
``load(...)``, keeps the rows and columns it draws (the table view and CSV)
and returns a chart passed through ``charts.finish``. The helpers at the top
compute the numbers the prose glues in. The explorer is a Vega-Lite chart, so
its menu works on the published page as well as in JupyterLab.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from .. import charts
from .rapprochement import _cite

CHAPTER = "war2026"
WAR_START = pd.Timestamp("2026-02-28")
# The perspectives of the reactions data, in the order the chart lists them.
PERSPECTIVES = {"russia": "Russia", "iran": "Iran", "china": "China", "united_states": "United States",
                "israel": "Israel", "gulf": "Gulf states", "europe": "Europe", "ukraine": "Ukraine",
                "south_caucasus": "South Caucasus", "central_asia": "Central Asia", "turkey": "Turkey",
                "south_asia": "South Asia", "united_nations": "United Nations"}
# What a reaction did, as the chart's columns (field → words).
REACTION_ACTS = {"condemned_strikes": "Condemned the strikes", "named_attackers": "Named the attackers",
                 "offered_mediation": "Offered to mediate", "offered_material_help": "Offered material help"}
POSITION_WORDS = {"asserts": "reports it", "denies": "denies it", "declines_comment": "declines to comment",
                  "doubts": "doubts it"}
BASIS_WORDS = {"anonymous_officials": "anonymous officials", "named_official": "a named official",
               "official_statement": "an official statement", "leaked_documents": "leaked documents",
               "analysis": "an analyst's reading", "press_report": "an earlier press report"}
POSITION_COLOURS = {"reports it": "#D55E00", "denies it": "#0072B2", "declines to comment": "#999999",
                    "doubts it": "#009E73"}


# ---------------------------------------------------------------- helpers for the prose


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


def staff_on_site(staff: pd.DataFrame) -> pd.DataFrame:
    """Reported counts of Russian staff at Bushehr, oldest first (one row per report)."""
    rows = staff[staff["measure"] == "on_site"].sort_values("date").reset_index(drop=True)
    if rows.empty:
        raise ValueError("no on-site staff counts in the data")
    return rows


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
    rows["perspective"] = rows["perspective"].map(PERSPECTIVES)
    rows["who"] = rows["speaker"] + " (" + rows["date"].dt.strftime("%-d %b") + ")"
    rows["source"] = rows["sources"].map(_cite)
    for act in REACTION_ACTS:
        rows[act] = rows[act].fillna(False).astype(bool).map({True: "yes", False: "no"})
    return rows[["date", "who", "speaker", "office", "perspective", *REACTION_ACTS, "summary", "source",
                 "sources"]]


def reactions_matrix(reactions: pd.DataFrame) -> alt.TopLevelMixin:
    """One row per statement, one column per act: a filled circle where the statement did it."""
    data = reactions_frame(reactions)
    present = list(dict.fromkeys(data["perspective"]))
    pick = alt.param(name="reaction_perspective", value="All", bind=alt.binding_select(
        options=["All"] + present, name="Whose statements: "))
    acts = list(REACTION_ACTS)
    base = alt.Chart(data).transform_filter((alt.datum.perspective == pick) | (pick == "All")).transform_fold(
        acts, as_=["act", "answer"]).transform_calculate(
        act_words=alt.expr.if_(alt.datum.act == acts[0], REACTION_ACTS[acts[0]], alt.expr.if_(
            alt.datum.act == acts[1], REACTION_ACTS[acts[1]], alt.expr.if_(
                alt.datum.act == acts[2], REACTION_ACTS[acts[2]], REACTION_ACTS[acts[3]]))))
    marks = base.mark_point(size=170, strokeWidth=2).encode(
        x=alt.X("act_words:N", title=None, sort=list(REACTION_ACTS.values()),
                axis=alt.Axis(orient="top", labelAngle=0, labelLimit=90)),
        y=alt.Y("who:N", title=None, sort=alt.EncodingSortField(field="date", order="ascending"),
                axis=alt.Axis(labelLimit=260)),
        shape=alt.Shape("answer:N", title="Did it", scale=alt.Scale(domain=["yes", "no"],
                                                                  range=["circle", "stroke"])),
        color=alt.Color("perspective:N", title="Perspective", legend=None),
        fill=alt.condition(alt.datum.answer == "yes", alt.Color("perspective:N", legend=None),
                           alt.value("transparent")),
        tooltip=[alt.Tooltip("who:N", title="Statement"), alt.Tooltip("office:N", title="Office"),
                 alt.Tooltip("perspective:N", title="Perspective"), alt.Tooltip("act_words:N", title="Act"),
                 alt.Tooltip("answer:N", title="Did it"), alt.Tooltip("summary:N", title="What was said"),
                 alt.Tooltip("source:N", title="Source")],
    ).add_params(pick).properties(height=alt.Step(22))
    return charts.finish(
        marks,
        title="Moscow condemned the war loudly and offered Iran nothing but mediation",
        subtitle=("Official reactions to the strikes of 28 February 2026 and after, one row per statement; "
                  "a filled circle where the statement did what the column says"),
        description=("Dot matrix of official statements on the war against Iran that began on 28 February 2026. "
                     "Each row is one statement, labelled with the speaker and date and grouped by perspective "
                     "(Russia, Iran, China, the United States, Israel, the Gulf states and others). Four columns "
                     "ask whether the statement condemned the strikes, named the United States or Israel as the "
                     "attackers, offered to mediate, and offered Iran material help; a filled circle means yes, a "
                     "line means no. A menu shows one perspective at a time."),
    )


# ---------------------------------------------------------------- chart 2: Bushehr's Russian staff


def bushehr_frame(staff: pd.DataFrame) -> pd.DataFrame:
    """Every reported figure, with the source named and the measure in words."""
    rows = staff.sort_values("date").reset_index(drop=True).copy()
    rows["measure_words"] = charts.in_words(rows["measure"].astype(str))
    rows["source"] = rows["sources"].map(_cite)
    return rows[["date", "measure", "measure_words", "count", "reported_by", "source", "note", "sources"]]


def bushehr_staff(staff: pd.DataFrame) -> alt.TopLevelMixin:
    """Russian staff reported on site at Bushehr over time (line and labelled points); evacuations as bars."""
    data = bushehr_frame(staff)
    x = alt.X("date:T", title=None, axis=alt.Axis(format="%b %Y", labelFlush=True, labelBound=True))
    tooltip = [alt.Tooltip("date:T", title="Date", format="%-d %B %Y"),
               alt.Tooltip("measure_words:N", title="Figure"), alt.Tooltip("count:Q", title="People"),
               alt.Tooltip("reported_by:N", title="Reported by"), alt.Tooltip("source:N", title="Source"),
               alt.Tooltip("note:N", title="Note")]
    on_site = alt.Chart().transform_filter(alt.datum.measure == "on_site")
    line = on_site.mark_line(interpolate="step-after", color=charts.COUNTRY_COLOURS["Russia"]).encode(
        x=x, y=alt.Y("count:Q", title=["Russian staff", "at the plant"]))
    points = on_site.mark_point(size=80, filled=True, color=charts.COUNTRY_COLOURS["Russia"]).encode(
        x=x, y="count:Q", tooltip=tooltip)
    labels = on_site.mark_text(dy=-10, fontSize=11).encode(x=x, y="count:Q", text=alt.Text("count:Q", format=","))
    evacuated = alt.Chart().transform_filter(alt.datum.measure == "evacuated").mark_bar(
        size=8, color=charts.COUNTRY_COLOURS["Iran"], opacity=0.8).encode(x=x, y="count:Q", tooltip=tooltip)
    layered = alt.layer(evacuated, line, points, labels, data=data).properties(height=300)
    return charts.finish(
        layered,
        title="Rosatom pulled most of its people out of Bushehr, in stages",
        subtitle=("Russian staff reported at the Bushehr plant (blue line and points) and people evacuated in "
                  "each reported stage (orange bars)"),
        description=("Chart of the number of Russian staff reported at Iran's Bushehr nuclear power plant from "
                     "before the war of February 2026 onwards, as a stepped line with each reported figure "
                     "labelled, and bars for the number evacuated in each reported stage. Hover over a point or "
                     "bar for who reported the figure and the source."),
    )


# ---------------------------------------------------------------- the claims explorer


def claims_frame(claims: pd.DataFrame) -> pd.DataFrame:
    """Reports of each claim, with basis and position in words."""
    rows = claims.sort_values(["claim", "date"]).reset_index(drop=True).copy()
    rows["basis_words"] = rows["basis"].map(BASIS_WORDS)
    rows["position_words"] = rows["position"].map(POSITION_WORDS)
    if rows[["basis_words", "position_words"]].isna().any().any():
        raise ValueError("a claim report has a basis or position without words")
    rows["source"] = rows["sources"].map(_cite)
    return rows[["claim", "date", "outlet", "speaker", "basis_words", "position_words", "summary", "source",
                 "sources"]]


def claims_explorer(claims: pd.DataFrame) -> alt.TopLevelMixin:
    """Pick a claim; see who reported, denied or doubted it, when, and on whose word."""
    data = claims_frame(claims)
    options = list(dict.fromkeys(data["claim"]))
    pick = alt.param(name="claim_choice", value=options[0], bind=alt.binding_select(
        options=options, name="Claim: "))
    chosen = alt.Chart(data).transform_filter(alt.datum.claim == pick)
    y = alt.Y("who:N", title=None, sort=alt.EncodingSortField(field="date", order="ascending"),
              axis=alt.Axis(labelLimit=240))
    positions = list(POSITION_COLOURS)
    points = chosen.transform_calculate(who=alt.datum.outlet + " — " + alt.datum.speaker).mark_point(
        size=200, filled=True, opacity=0.9).encode(
        x=alt.X("date:T", title=None, axis=alt.Axis(format="%-d %b %Y", labelFlush=True, labelBound=True,
                                                     tickCount=5)),
        y=y,
        color=alt.Color("position_words:N", title="Position", scale=alt.Scale(
            domain=positions, range=[POSITION_COLOURS[p] for p in positions])),
        shape=alt.Shape("basis_words:N", title="On the word of"),
        tooltip=[alt.Tooltip("date:T", title="Date", format="%-d %B %Y"), alt.Tooltip("outlet:N", title="Outlet"),
                 alt.Tooltip("speaker:N", title="Speaker"), alt.Tooltip("position_words:N", title="Position"),
                 alt.Tooltip("basis_words:N", title="On the word of"), alt.Tooltip("summary:N", title="What was said"),
                 alt.Tooltip("source:N", title="Source")],
    ).add_params(pick).properties(height=alt.Step(30))
    return charts.finish(
        points,
        title="Who said it, on whose word, and who denied it",
        subtitle=("Reports of claims about Russian help to Iran in 2026; choose a claim from the menu. Colour: "
                  "the report's position; shape: whose word it rests on"),
        description=("Explorer of contested claims from 2026, such as the reports that Russia gave Iran targeting "
                     "information. A menu picks one claim; each report of it is a symbol on its date, one row per "
                     "outlet and speaker, coloured by whether the report asserts, denies, doubts or declines to "
                     "comment on the claim, and shaped by whose word it rests on: anonymous officials, a named "
                     "official, an official statement, leaked documents or an analyst's reading."),
    )
