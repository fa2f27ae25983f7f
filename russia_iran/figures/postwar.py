"""Charts and explorers for the chapter "After the twelve-day war: the balance shifts to Moscow".

Every chart function takes DataFrames from ``load(...)``, keeps only the rows
and columns it draws (they become the downloadable CSV, with the ``sources``
column kept for the source line) and returns a chart passed through
``charts.finish``. The helpers at the top compute the numbers that the
chapter's prose glues in and the indicators of ``dependence_indicators.csv``
that are counted from the module's other data sets, so that a test can check
the file against the data it claims to summarise.
"""

from __future__ import annotations

import re

import altair as alt
import pandas as pd

from .. import charts
from ..sources import citations, keys_in
from .proportion import pair_value, proportion_data

WAR_START, WAR_END = pd.Timestamp("2025-06-13"), pd.Timestamp("2025-06-24")
YEARS = [2021, 2023, 2025]
DIRECTIONS = {"iran_needs_russia": "Iran's need for Russia", "russia_needs_iran": "Russia's need for Iran"}
DIRECTION_COLOURS = {"Iran's need for Russia": charts.COUNTRY_COLOURS["Iran"],
                     "Russia's need for Iran": charts.COUNTRY_COLOURS["Russia"]}
# The window each observation year summarises, for the counts from arms.csv and un_votes.csv.
WINDOWS = {2021: (2019, 2021), 2023: (2022, 2023), 2025: (2024, 2025)}
# Each measure is taken the same way for both sides, so the two directions can be compared.
MEASURES = {"trade_share": "Share of the other in one's goods trade",
            "arms_records": "Arms transfer records from the other",
            "un_votes": "UN votes on which one needed the other's vote"}


# ---------------------------------------------------------------- helpers for the prose

# The chapter's timeline (figures.timeline.chart), titled like the other charts.
TIMELINE = {
    "title": 'After the war, Iran signed up to more Russian projects, not fewer',
    "description": 'Timeline of events in Russian-Iranian relations from the Israeli strikes of 13 June 2025 to February 2026, one row per category, coloured by category, with shape showing whether the module reads each event as cooperation, conflict or mixed.',
    "subtitle": "Events of June 2025 to February 2026 discussed in this chapter; shape shows the module's reading of each event.",
}



def postwar_events(events: pd.DataFrame) -> pd.DataFrame:
    """The chapter's events, oldest first."""
    rows = events[events["chapter"] == "postwar"].sort_values("date").reset_index(drop=True)
    if rows.empty:
        raise ValueError("no events with chapter == 'postwar'")
    return rows


def war_length_days(start: pd.Timestamp = WAR_START, end: pd.Timestamp = WAR_END) -> int:
    """Days of the twelve-day war, counting both the first and the last."""
    return int((end - start).days) + 1


def _arms_year(row) -> list[int]:
    """Years in which an arms record did something: agreed, first delivered, or (undated reports) was reported."""
    years = [int(y) for y in (row["year_agreed"], row["first_delivery_year"]) if pd.notna(y)]
    if not years:
        found = re.findall(r"(19|20)(\d\d)", str(row["sources"]))
        years = [int(min(a + b for a, b in found))] if found else []
    return years


def arms_count(arms: pd.DataFrame, recipient: str, year: int) -> int:
    """Arms records going to ``recipient`` with a step in the window that ends in ``year`` (see WINDOWS)."""
    low, high = WINDOWS[year]
    to = arms[arms["recipient"] == recipient]
    return int(sum(any(low <= y <= high for y in _arms_year(r)) for _, r in to.iterrows()))


def un_votes_needed(un_votes: pd.DataFrame, voter: str, year: int) -> int:
    """Recorded UN votes cast by ``voter`` on texts that mattered to its partner, in the window ending in ``year``."""
    low, high = WINDOWS[year]
    years = un_votes["date"].dt.year
    return int(((un_votes["voter"] == voter) & years.between(low, high)).sum())


def computed_indicators(partners: pd.DataFrame, trade: pd.DataFrame, arms: pd.DataFrame,
                        un_votes: pd.DataFrame) -> pd.DataFrame:
    """The indicator values computed from the module's data, for checking the CSV against them."""
    rows = []
    for year in YEARS:
        rows += [("arms_iran_to_russia", year, arms_count(arms, "Russia", year)),
                 ("arms_russia_to_iran", year, arms_count(arms, "Iran", year)),
                 ("un_votes_by_russia", year, un_votes_needed(un_votes, "Russia", year)),
                 ("un_votes_by_iran", year, un_votes_needed(un_votes, "Iran", year))]
    # Shares: the reference year used for each observation year is in the CSV's reference_year column.
    ref = {"iran_share_of_russia_trade": ("Russia", "Iran", {2021: 2022, 2023: 2023, 2025: 2023}),
           "russia_share_of_iran_trade": ("Iran", "Russia", {2021: 2021, 2023: 2022, 2025: 2024})}
    for name, (reporter, partner, years) in ref.items():
        for year, used in years.items():
            rows.append((name, year, round(pair_value(partners, trade, reporter, partner, used, "share_pct"), 2)))
    return pd.DataFrame(rows, columns=["indicator", "year", "value"])


# ---------------------------------------------------------------- chart 1: the war, day by day


def war_days(events: pd.DataFrame, start: str = "2025-06-12", end: str = "2025-06-26") -> alt.TopLevelMixin:
    """The twelve days of war: one point per event on a day scale, labelled, with tooltips; a menu picks the category."""
    rows = postwar_events(events)
    rows = rows[(rows["date"] >= pd.Timestamp(start)) & (rows["date"] <= pd.Timestamp(end))].copy()
    if rows.empty:
        raise ValueError(f"no events between {start} and {end}")
    rows["day_of_war"] = (rows["date"] - WAR_START).dt.days + 1
    rows["source"] = rows["sources"].map(citations)
    data = rows[["date", "day_of_war", "title", "summary", "category", "relation", "source", "sources"]]
    present = [c for c in charts.CATEGORY_COLOURS if c in set(data["category"])]
    pick = alt.param(name="war_category", value="All", bind=alt.binding_select(
        options=["All"] + present, name="Category: "))
    base = alt.Chart(data).transform_filter((alt.datum.category == pick) | (pick == "All")).transform_window(
        stack="rank()", groupby=["date"], sort=[alt.SortField("title")])
    x = alt.X("date:T", title=None, axis=alt.Axis(format="%d %b", tickCount="day", labelAngle=-45),
              scale=alt.Scale(domain=[start, end]))
    y = alt.Y("stack:O", title=None, axis=None)
    colour = alt.Color("category:N", title="Category", scale=alt.Scale(
        domain=present, range=[charts.CATEGORY_COLOURS[c] for c in present]))
    tooltip = [alt.Tooltip("date:T", title="Date", format="%d %B %Y"),
               alt.Tooltip("day_of_war:Q", title="Day of the war"),
               alt.Tooltip("title:N", title="Event"), alt.Tooltip("summary:N", title="Summary"),
               alt.Tooltip("category:N", title="Category"), alt.Tooltip("source:N", title="Sources")]
    shape = alt.Shape("category:N", title="Category", scale=alt.Scale(domain=present))
    points = base.mark_point(size=160, filled=True, opacity=0.9).encode(x=x, y=y, color=colour, shape=shape,
                                                                           tooltip=tooltip)
    war = alt.Chart(pd.DataFrame({"start": [WAR_START], "end": [WAR_END + pd.Timedelta(hours=23)],
                                  "label": ["Twelve-day war, 13–24 June 2025"]})).mark_rect(
        color="#f3d6dc", opacity=0.45).encode(x="start:T", x2="end:T")
    war_label = war.mark_text(align="left", baseline="top", dx=4, dy=4, fontSize=11, color=charts.MUTED).encode(
        x="start:T", y=alt.value(0), text="label:N")
    layered = alt.layer(war, war_label, points).add_params(pick).properties(height=220)
    return charts.finish(
        layered,
        sources=keys_in(data["sources"]),
        title="Russia talked throughout the war but sent no help",
        subtitle="Events of 12–26 June 2025, one symbol per event; hover for the summary and sources",
        description=("Day-by-day chart of the twelve-day war between Israel and Iran, 13 to 24 June 2025, and the "
                     "days around it. Each event is a symbol on its date, coloured and shaped by category (war, "
                     "diplomacy, nuclear); events on the same day are stacked. The war days are shaded. Diplomatic "
                     "events are Russian condemnations, calls and offers of mediation; none is a military step. "
                     "A menu filters the categories."),
    )


# ---------------------------------------------------------------- chart 2: each other's weight


def weight_data(partners: pd.DataFrame, trade: pd.DataFrame) -> pd.DataFrame:
    """Shares of each reporter's total trade held by each partner, for every year with a world total."""
    rows = proportion_data(partners, trade, start=2020)
    rows = rows[rows["share_pct"].notna()].copy()
    if rows.empty:
        raise ValueError("no partner share can be computed")
    rows["year"] = rows["year"].astype(int)
    rows["pair"] = rows["bilateral"].map({True: "Russia–Iran trade", False: "Trade with other partners"})
    return rows[["reporter", "partner", "year", "value_usd_bn", "share_pct", "share_of", "pair", "basis_label",
                 "source", "note", "sources"]].reset_index(drop=True)


def weight_of_each_other(partners: pd.DataFrame, trade: pd.DataFrame) -> alt.TopLevelMixin:
    """Partner shares of the chosen country's trade, grouped by year; the Russia–Iran bar is solid, labelled."""
    data = weight_data(partners, trade)
    reporter = alt.param(name="weight_reporter", value="Russia",
                         bind=alt.binding_select(options=["Russia", "Iran"], name="Share of the trade of: "))
    base = alt.Chart(data).transform_filter(alt.datum.reporter == reporter)
    y = alt.Y("partner:N", title=None, sort=alt.EncodingSortField(field="share_pct", op="max", order="descending"))
    bars = base.mark_bar().encode(
        x=alt.X("share_pct:Q", title=["Share of the country's", "total goods trade (%)"]),
        y=y,
        yOffset=alt.YOffset("year:O"),
        color=alt.Color("year:O", title="Year", scale=alt.Scale(scheme="blues")),
        opacity=alt.Opacity("pair:N", title=None, scale=alt.Scale(
            domain=["Russia–Iran trade", "Trade with other partners"], range=[1.0, 0.45])),
        stroke=alt.condition(alt.datum.pair == "Russia–Iran trade", alt.value(charts.COUNTRY_COLOURS["Iran"]),
                             alt.value(None)),
        strokeWidth=alt.value(2),
        tooltip=[alt.Tooltip("reporter:N", title="Trade of"), alt.Tooltip("partner:N", title="With"),
                 alt.Tooltip("year:O", title="Year"), alt.Tooltip("share_pct:Q", title="Share (%)", format=".2f"),
                 alt.Tooltip("value_usd_bn:Q", title="US$ bn", format=".2f"),
                 alt.Tooltip("share_of:N", title="Share of"), alt.Tooltip("basis_label:N", title="Basis"),
                 alt.Tooltip("source:N", title="Source"), alt.Tooltip("note:N", title="Note")],
    )
    labels = base.mark_text(align="left", dx=3, fontSize=10).encode(
        x="share_pct:Q", y=y, yOffset=alt.YOffset("year:O"),
        text=alt.Text("share_pct:Q", format=".1f"))
    layered = alt.layer(bars, labels).add_params(reporter).properties(height=320)
    return charts.finish(
        layered,
        title="Russia is a middling partner for Iran; Iran is a marginal one for Russia",
        subtitle=("Partner shares of each country's goods trade, by year; the outlined bar is Russia–Iran trade. "
                  "Iran's shares are of non-oil trade in the Iranian year"),
        description=("Grouped horizontal bar chart. For the country chosen in the menu (Russia or Iran), each bar "
                     "is one partner's share of that country's total goods trade in one year; bars are grouped by "
                     "partner and shaded by year. The bar for Russia–Iran trade is outlined in orange. Iran "
                     "accounts for well under one per cent of Russia's trade, while Russia accounts for about "
                     "three to four per cent of Iran's non-oil trade, behind China, the UAE and Turkey."),
    )


# ---------------------------------------------------------------- chart 3: balance of dependence


def scaled_indicators(indicators: pd.DataFrame) -> pd.DataFrame:
    """Each value divided by the largest value of its measure, across both directions and all years.

    Scaling the two sides of a measure together keeps them comparable: if Russia weighs seven
    times more in Iran's trade than Iran in Russia's, the scaled values keep that ratio. Dividing by
    the maximum (rather than min–max scaling) keeps zero at zero.
    """
    rows = indicators.copy()
    top = rows.groupby("measure")["value"].transform("max")
    rows["scaled"] = (rows["value"] / top.where(top > 0)).fillna(0.0).round(3)
    rows["direction_label"] = rows["direction"].map(DIRECTIONS)
    rows["measure_label"] = rows["measure"].map(MEASURES)
    return rows


def measure_names(indicators: pd.DataFrame) -> list[str]:
    """Measure ids in the file's order; each has one indicator per direction."""
    return list(dict.fromkeys(indicators["measure"]))


def dependence_scores(indicators: pd.DataFrame, weights: dict[str, float] | None = None) -> pd.DataFrame:
    """Weighted mean of the scaled indicators for each direction and year (the same formula as the chart).

    ``weights`` maps a measure id to its weight (default 1); a measure's weight applies to both sides.
    """
    rows = scaled_indicators(indicators)
    weights = weights or {}
    rows["weight"] = rows["measure"].map(lambda m: float(weights.get(m, 1.0)))
    rows["contribution"] = rows["weight"] * rows["scaled"]
    out = rows.groupby(["direction_label", "year"], as_index=False).agg(
        total=("contribution", "sum"), weights=("weight", "sum"))
    out["score"] = (out["total"] / out["weights"].where(out["weights"] > 0)).fillna(0.0)
    return out[["direction_label", "year", "score"]]


def _param_name(measure: str) -> str:
    return "w_" + re.sub(r"\W", "_", measure)


def dependence_chart(indicators: pd.DataFrame) -> alt.TopLevelMixin:
    """Combined dependence score by direction and year; one weight slider per measure, computed in Vega-Lite."""
    rows = scaled_indicators(indicators)
    data = rows[["indicator", "label", "measure", "measure_label", "year", "direction", "direction_label",
                 "value", "unit", "scaled", "sources"]].copy()
    names = measure_names(indicators)
    params = [alt.param(name=_param_name(m), value=1.0,
                        bind=alt.binding_range(min=0, max=3, step=0.5, name=f"{MEASURES[m]}: "))
              for m in names]
    expr = "0"
    for m in reversed(names):
        expr = f"(datum.measure === '{m}' ? {_param_name(m)} : {expr})"
    base = alt.Chart(data).transform_calculate(weight=expr).transform_calculate(
        contribution="datum.weight * datum.scaled"
    ).transform_aggregate(
        total="sum(contribution)", weights="sum(weight)", indicators="count()", groupby=["direction_label", "year"]
    ).transform_calculate(score="datum.weights > 0 ? datum.total / datum.weights : 0")
    colour = alt.Color("direction_label:N", title="Direction", scale=alt.Scale(
        domain=list(DIRECTION_COLOURS), range=list(DIRECTION_COLOURS.values())),
        legend=alt.Legend(orient="top"))
    x = alt.X("year:O", title="Year")
    tooltip = [alt.Tooltip("direction_label:N", title="Direction"), alt.Tooltip("year:O", title="Year"),
               alt.Tooltip("score:Q", title="Score (0–1)", format=".2f"),
               alt.Tooltip("weights:Q", title="Sum of weights"),
               alt.Tooltip("indicators:Q", title="Indicators")]
    bars = base.mark_bar().encode(
        x=x, xOffset=alt.XOffset("direction_label:N"),
        y=alt.Y("score:Q", title=["Combined score (0 = none,", "1 = the highest value of every measure)"],
                scale=alt.Scale(domain=[0, 1])),
        color=colour, tooltip=tooltip)
    text = base.mark_text(dy=-6, fontSize=11).encode(
        x=x, xOffset=alt.XOffset("direction_label:N"), y="score:Q",
        text=alt.Text("score:Q", format=".2f"))
    layered = alt.layer(bars, text).add_params(*params).properties(height=300)
    return charts.finish(
        layered,
        title="Russia's need for Iran peaked in 2023; by 2025 Iran's need for Russia was the larger",
        subtitle=("Three measures taken the same way for both sides; move a slider to weight a measure "
                  "(0 leaves it out)"),
        description=("Grouped bar chart of a combined dependence score for 2021, 2023 and 2025: one bar for Iran's "
                     "need for Russia and one for Russia's need for Iran in each year. Each score is a weighted "
                     "mean of three measures taken the same way for both sides (share of the other in one's "
                     "trade, arms transfer records from the other, UN votes on which one needed the other), each "
                     "scaled by its largest value over both sides and all years. One slider per measure sets "
                     "its weight; the scores are recomputed in the page."),
    )


# ---------------------------------------------------------------- chart 4: cover at the United Nations

VOTERS = {"Russia": "Russia, on Iran", "Iran": "Iran, on Russia"}  # the subtitle names the two bodies
COVER = {"full": "voted as the partner wished", "partial": "abstained or did not vote", "none": "voted against the partner"}


def cover(vote: str, partner_position: str) -> str:
    """How far a vote covered the partner: as it wished (full), by abstaining or staying away, or not at all."""
    if vote == partner_position:
        return "full"
    return "partial" if vote in ("abstained", "did_not_vote") else "none"


def un_cover_frame(votes: pd.DataFrame) -> pd.DataFrame:
    """Each vote with the cover it gave, in words, oldest first."""
    rows = votes.sort_values("date").reset_index(drop=True).copy()
    rows["cover"] = [COVER[cover(v, p)] for v, p in zip(rows["vote"], rows["partner_position"])]
    rows["who"] = rows["voter"].map(VOTERS)
    rows["vote_words"] = charts.in_words(rows["vote"].astype(str))
    rows["partner_words"] = charts.in_words(rows["partner_position"].astype(str))
    rows["source"] = rows["sources"].map(citations)
    return rows[["date", "who", "resolution", "subject", "vote_words", "partner_words", "cover", "confidence",
                 "note", "source", "sources"]]


def un_cover(votes: pd.DataFrame) -> alt.TopLevelMixin:
    """One symbol per vote, a row for each side, coloured by how far the vote covered the partner."""
    data = un_cover_frame(votes)
    levels = list(COVER.values())
    points = alt.Chart(data).mark_point(size=170, filled=True, opacity=0.9).encode(
        x=alt.X("date:T", title=None, scale=alt.Scale(padding=14),
                axis=alt.Axis(format="%Y", labelFlush=True, labelBound=True, tickCount="year")),
        y=alt.Y("who:N", title=None, sort=list(VOTERS.values()), axis=alt.Axis(labelLimit=180)),
        color=alt.Color("cover:N", title="The vote", scale=alt.Scale(
            domain=levels, range=[charts.RELATION_COLOURS["cooperation"], charts.RELATION_COLOURS["mixed"],
                                  charts.RELATION_COLOURS["conflict"]])),
        shape=alt.Shape("cover:N", title="The vote", scale=alt.Scale(domain=levels,
                                                                   range=["circle", "diamond", "triangle-up"])),
        tooltip=[alt.Tooltip("date:T", title="Date", format="%-d %B %Y"), alt.Tooltip("resolution:N", title="Text"),
                 alt.Tooltip("subject:N", title="It would"), alt.Tooltip("vote_words:N", title="Vote"),
                 alt.Tooltip("partner_words:N", title="The partner's position"),
                 alt.Tooltip("cover:N", title="Cover"), alt.Tooltip("note:N", title="Note"),
                 alt.Tooltip("source:N", title="Source")],
    ).properties(height=alt.Step(60))
    return charts.finish(
        points,
        title="At the UN each covered the other, but neither every time",
        subtitle=("Russia's votes in the Security Council on texts about Iran, and Iran's in the General Assembly on "
                  "texts about Russia's war, 2020–2026; colour and shape show how far each vote covered the partner"),
        description=("Dot chart with two rows. The first shows Russia's votes in the UN Security Council on texts "
                     "concerning Iran: against extending the arms embargo in 2020, for keeping sanctions relief and "
                     "for delaying the snapback in September 2025, and an abstention on Resolution 2817 condemning "
                     "Iran's attacks in March 2026. The second shows Iran's votes in the General Assembly on "
                     "resolutions about Russia's war in Ukraine: abstentions in March 2022 and February 2023, no "
                     "vote in October 2022, and votes against in April and November 2022 and February 2026."),
    )


def cover_counts(votes: pd.DataFrame) -> dict[str, int]:
    """For each voter, how many recorded votes gave the partner full or partial cover: 'Russia_full', …"""
    rows = un_cover_frame(votes)
    out = {}
    for voter, label in VOTERS.items():
        mine = rows[rows["who"] == label]
        for level, words in COVER.items():
            out[f"{voter}_{level}"] = int((mine["cover"] == words).sum())
        out[f"{voter}_votes"] = len(mine)
    return out


def numbers(events: pd.DataFrame, partners: pd.DataFrame, trade: pd.DataFrame, arms: pd.DataFrame,
            nuclear: pd.DataFrame, indicators: pd.DataFrame, un_votes: pd.DataFrame) -> dict[str, float | int]:
    """Every number the chapter's prose glues, by name, computed from the data."""
    plants = nuclear.set_index("id")
    counted = indicators.set_index(["indicator", "year"])["value"]
    scores = dependence_scores(indicators).set_index(["direction_label", "year"])["score"]
    out: dict[str, float | int] = {
        "war_days": war_length_days(), "n_postwar": len(postwar_events(events)),
        "hormoz_bn": float(plants.loc["hormoz-2025-agreement", "value_usd_bn"]),
        "hormoz_mw": float(plants.loc["hormoz-2025-agreement", "capacity_mw"]),
        "bushehr_mw": float(plants.loc["bushehr-1-2025-capacity-reported", "capacity_mw"]),
        "su35_leak": int(arms.set_index("id").loc["su-35-48-rostec-leak", "quantity"]),
        "ir_share_ru23": pair_value(partners, trade, "Russia", "Iran", 2023, "share_pct"),
        "ru_share_ir24": pair_value(partners, trade, "Iran", "Russia", 2024, "share_pct"),
        "ru_share_ir21": pair_value(partners, trade, "Iran", "Russia", 2021, "share_pct")}
    for year in (2023, 2025):
        out[f"ir_ru_{year % 100}"] = int(counted[("arms_iran_to_russia", year)])
        out[f"ru_ir_{year % 100}"] = int(counted[("arms_russia_to_iran", year)])
    for key, (reporter, partner, year) in {"ru_tr24": ("Russia", "Turkey", 2024), "ru_ae23": ("Russia", "UAE", 2023),
                                           "ru_eg24": ("Russia", "Egypt", 2024), "ru_ir24": ("Russia", "Iran", 2024),
                                           "ir_eu23": ("Iran", "EU", 2023), "ir_cn24": ("Iran", "China", 2024),
                                           "ir_ae24": ("Iran", "UAE", 2024)}.items():
        out[key] = pair_value(partners, trade, reporter, partner, year)
    for year in (2021, 2023, 2025):
        out[f"ir_{year % 100}"] = float(scores[("Iran's need for Russia", year)])
        out[f"ru_{year % 100}"] = float(scores[("Russia's need for Iran", year)])
    return {**out, **{f"un_{key}": value for key, value in cover_counts(un_votes).items()}}
