"""Tests of the history chapter's charts, tables and explorer (russia_iran/figures/history.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from russia_iran import load
from russia_iran.figures import history

@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    return load("events")


@pytest.fixture(scope="module")
def history_events(events) -> pd.DataFrame:
    return history.history_events(events)


def title_text(spec: dict) -> str:
    """The chart's title as one string (charts.finish may wrap it into lines)."""
    text = spec["title"]["text"]
    return " ".join(text) if isinstance(text, list) else text


def layers(spec: dict) -> list[dict]:
    """Every unit spec of a (possibly layered) chart dict."""
    return spec.get("layer", [spec])


# ---------------------------------------------------------------- eras and rows

def test_eras_cover_the_period_without_gaps():
    years = [y for _label, _name, first, last in history.ERAS for y in range(first, last + 1)]
    assert years == list(range(history.FIRST_YEAR, history.LAST_YEAR + 1))
    assert history.era_of(1828) == "1800–1829"
    assert history.era_of(2021) == "2015–2021"
    with pytest.raises(ValueError):
        history.era_of(2022)


def test_history_events_keeps_only_the_period_and_adds_eras(history_events):
    assert history_events["date"].dt.year.between(1722, 2021).all()
    assert (history_events["chapter"] == "history").all()
    assert set(history_events["era"]) <= set(history.ERA_LABELS)
    assert history_events["date"].is_monotonic_increasing


def test_relation_table_counts_every_event(history_events):
    table = history.relation_table(history_events)
    assert list(table.index) == history.ERA_LABELS
    assert list(table.columns) == history.RELATIONS
    assert int(table.to_numpy().sum()) == len(history_events)
    # the wars of 1804-1828 are in the data and are conflicts
    assert table.loc["1800–1829", "conflict"] >= 2


def test_conflict_share_is_a_proportion(history_events):
    before = history.conflict_share(history_events, 1722, 1916)
    after = history.conflict_share(history_events, 1989, 2021)
    assert 0 <= after < before <= 1
    with pytest.raises(ValueError):
        history.conflict_share(history_events, 1600, 1700)


# ---------------------------------------------------------------- cooperation-conflict chart

def test_relations_by_era_is_grouped_bars_with_dropdown_and_legend_selection(history_events):
    chart = history.relations_by_era(history_events)
    spec = chart.to_dict()
    assert spec["mark"]["type"] == "bar"
    enc = spec["encoding"]
    assert enc["x"]["field"] == "era" and enc["x"]["sort"] == history.ERA_LABELS
    assert enc["xOffset"]["field"] == "relation"
    assert enc["y"]["aggregate"] == "count"
    assert enc["color"]["scale"]["domain"] == history.RELATIONS
    assert {t.get("field") for t in enc["tooltip"]} >= {"era", "relation"}
    params = {p["name"]: p for p in spec["params"]}
    assert params["kind"]["bind"]["input"] == "select"
    assert history.ALL_KINDS in params["kind"]["bind"]["options"]
    assert params["reading"]["bind"] == "legend"
    assert any("kind" in str(t.get("filter", "")) for t in spec["transform"])
    plotted = chart.data
    assert len(plotted) == len(history_events)
    assert "sources" in plotted.columns
    assert "%" in title_text(spec)


# ---------------------------------------------------------------- arms

def test_estimates_1989_are_the_three_package_rows():
    low, high, n = history.estimates_1989(load("arms"))
    assert n >= 2 and low < high
    assert (low, high) == (2.0, 5.1)


def test_arms_chart_plots_soviet_and_russian_rows_to_2021():
    arms = load("arms")
    chart = history.arms_to_iran(arms)
    spec = chart.to_dict()
    assert spec["mark"]["type"] == "point"
    enc = spec["encoding"]
    assert enc["x"]["field"] == "year" and enc["size"]["field"] == "value_shown"
    assert any(t.get("field") == "note" for t in enc["tooltip"])
    assert any(p["name"] == "status_pick" and p.get("bind") == "legend" for p in spec["params"])
    plotted = chart.data
    assert plotted["year"].between(1989, 2021).all()
    assert set(plotted["id"]) >= {"ussr-iran-agreements-1989-1991-riddle", "s-300pmu2-2015"}
    assert "su-35-2023-deal" not in set(plotted["id"])  # after the chapter's period
    assert plotted["label"].is_unique
    assert "$2bn" in title_text(spec) and "$5.1bn" in title_text(spec)


# ---------------------------------------------------------------- map

def test_corridor_map_draws_places_and_links_over_outlines():
    nodes, segments = load("corridor_nodes"), load("corridor_segments")
    chart = history.corridor_map(nodes, segments)
    spec = chart.to_dict()
    units = layers(spec)
    marks = [u["mark"]["type"] if isinstance(u["mark"], dict) else u["mark"] for u in units]
    assert "rule" in marks and "point" in marks and "text" in marks
    assert marks[0] == "geoshape"  # the country outlines are the bottom layer
    assert spec["projection"]["type"] == "mercator"
    rule = units[marks.index("rule")]
    assert {"longitude", "latitude", "longitude2", "latitude2", "strokeDash", "tooltip"} <= set(rule["encoding"])
    plotted = chart.data
    assert (plotted["row"] == "place").sum() == len(nodes)
    assert (plotted["row"] == "link").sum() == len(segments)
    assert plotted.loc[plotted["row"] == "link", ["lon2", "lat2"]].notna().all().all()
    data = units[0]["data"]
    features = data["values"] if "values" in data else spec["datasets"][data["name"]]
    assert "Iran" in {f["properties"]["name"] for f in features}


def test_corridor_rows_reject_unknown_nodes():
    nodes, segments = load("corridor_nodes"), load("corridor_segments")
    broken = segments.copy()
    broken.loc[0, "to_node"] = "atlantis"
    with pytest.raises(ValueError, match="atlantis"):
        history.corridor_rows(nodes, broken)


# ---------------------------------------------------------------- trade, table, explorer

def test_quoted_turnover_reads_the_quoted_values():
    points = history.quoted_turnover(load("trade"))
    assert points["2021"] > points["2020_eec"] > points["2020_kozhanov"] > points["2000"] > 0


def test_timeline_table_lists_treaties_and_wars(history_events):
    table = history.timeline_table(history_events).data
    assert list(table.columns) == ["Date", "Event", "Kind", "Reading", "Sources"]
    assert set(table["Kind"]) <= {"treaty", "war"}
    assert table["Event"].str.contains("Turkmenchay").any()


def test_era_summary_reflects_the_era_chosen(history_events):
    early = history.era_summary("1800–1829", history_events)
    late = history.era_summary("2015–2021", history_events)
    assert "Caucasus wars" in early and "Syria" in late
    assert "Turkmenchay" in early and "Turkmenchay" not in late
    n_early = int((history_events["era"] == "1800–1829").sum())
    assert f"{n_early} events" in early
    with pytest.raises(KeyError):
        history.era_summary("1066–1100", history_events)


def test_era_explorer_shows_the_default_era(history_events):
    box = history.era_explorer(history_events)
    result = box.widget.children[-1].value
    assert "1800–1829" in result
    picker = box.widget.children[1].children[0]
    picker.value = "1941–1953"
    assert "1941–1953" in box.widget.children[-1].value
