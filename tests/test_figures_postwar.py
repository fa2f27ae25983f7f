"""Tests of the post-war chapter's charts, helpers, indicators and explorer (russia_iran/figures/postwar.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from russia_iran import load
from russia_iran.figures import postwar as fig
from russia_iran.figures.proportion import pair_value


@pytest.fixture(scope="module")
def data() -> dict[str, pd.DataFrame]:
    return {name: load(name) for name in ["events", "partners", "trade", "arms", "un_votes", "dependence_indicators"]}


def title_text(spec: dict) -> str:
    text = spec["title"]["text"]
    return " ".join(text) if isinstance(text, list) else text


def units(spec: dict) -> list[dict]:
    return spec.get("layer", [spec])


def encoded(spec: dict) -> set[str]:
    out = set()
    for unit in units(spec):
        for enc in unit.get("encoding", {}).values():
            if isinstance(enc, dict) and "field" in enc:
                out.add(enc["field"])
    return out


def has_tooltip(spec: dict) -> bool:
    return any("tooltip" in u.get("encoding", {}) for u in units(spec))


def param_names(spec: dict) -> list[str]:
    return [p["name"] for p in spec.get("params", [])]


def plotted(spec: dict) -> pd.DataFrame:
    datasets = spec["datasets"]
    names = [u["data"]["name"] for u in units(spec) if "data" in u and "name" in u["data"]]
    name = names[-1] if names else spec["data"]["name"]
    return pd.DataFrame(datasets[name])


# ---------------------------------------------------------------- helpers and the indicator file


def test_war_length_is_twelve_days():
    assert fig.war_length_days() == 12


def test_postwar_events_are_sorted_and_from_the_chapter(data):
    rows = fig.postwar_events(data["events"])
    assert set(rows["chapter"]) == {"postwar"}
    assert rows["date"].is_monotonic_increasing
    assert rows["date"].min() == pd.Timestamp("2025-06-13")


def test_shares_are_small_for_russia_and_larger_for_iran(data):
    iran_in_russia = pair_value(data["partners"], data["trade"], "Russia", "Iran", 2023, "share_pct")
    russia_in_iran = pair_value(data["partners"], data["trade"], "Iran", "Russia", 2024, "share_pct")
    assert 0 < iran_in_russia < 1
    assert 2 < russia_in_iran < 10
    with pytest.raises(ValueError):
        pair_value(data["partners"], data["trade"], "Russia", "Iran", 2019, "share_pct")


def test_arms_counts_follow_the_windows(data):
    assert fig.arms_count(data["arms"], "Russia", 2021) == 0
    assert fig.arms_count(data["arms"], "Russia", 2023) > fig.arms_count(data["arms"], "Russia", 2025)


def test_un_votes_are_counted_in_the_same_windows_for_both_voters(data):
    votes = data["un_votes"]
    assert fig.un_votes_needed(votes, "Iran", 2021) == 0  # no vote on the war before 2022
    assert fig.un_votes_needed(votes, "Iran", 2023) == 5
    assert fig.un_votes_needed(votes, "Russia", 2025) == 2
    later = votes.assign(date=votes["date"] + pd.DateOffset(years=10))
    assert fig.un_votes_needed(later, "Russia", 2025) == 0


def test_indicator_file_matches_the_data_it_summarises(data):
    computed = fig.computed_indicators(data["partners"], data["trade"], data["arms"], data["un_votes"])
    stored = data["dependence_indicators"].set_index(["indicator", "year"])["value"]
    for row in computed.itertuples():
        assert stored[(row.indicator, row.year)] == pytest.approx(row.value, abs=0.01), (row.indicator, row.year)


def test_every_measure_is_taken_for_both_sides_in_every_year(data):
    ind = data["dependence_indicators"]
    assert set(ind["measure"]) == set(fig.MEASURES)
    for measure, rows in ind.groupby("measure"):
        assert set(rows["direction"]) == set(fig.DIRECTIONS), measure
        assert rows["unit"].nunique() == 1, measure
        for direction, side in rows.groupby("direction"):
            assert sorted(side["year"]) == fig.YEARS, (measure, direction)
            assert side["indicator"].nunique() == 1, (measure, direction)


def test_scaling_keeps_the_two_sides_of_a_measure_comparable(data):
    scaled = fig.scaled_indicators(data["dependence_indicators"])
    assert scaled["scaled"].between(0, 1).all()
    trade = scaled[scaled["measure"] == "trade_share"].set_index(["indicator", "year"])
    raw = trade["value"]
    ratio = raw[("russia_share_of_iran_trade", 2025)] / raw[("iran_share_of_russia_trade", 2025)]
    scaled_ratio = trade["scaled"][("russia_share_of_iran_trade", 2025)] / trade["scaled"][("iran_share_of_russia_trade", 2025)]
    assert scaled_ratio == pytest.approx(ratio, rel=0.02)
    assert scaled.groupby("measure")["scaled"].max().eq(1.0).all()


def test_scores_respond_to_weights(data):
    ind = data["dependence_indicators"]
    equal = fig.dependence_scores(ind).set_index(["direction_label", "year"])["score"]
    assert equal[("Iran's need for Russia", 2025)] > equal[("Russia's need for Iran", 2025)]
    assert equal[("Russia's need for Iran", 2023)] > equal[("Iran's need for Russia", 2023)]
    only_trade = fig.dependence_scores(ind, {"trade_share": 1, "arms_records": 0, "un_votes": 0})
    only_trade = only_trade.set_index(["direction_label", "year"])["score"]
    assert only_trade[("Iran's need for Russia", 2023)] > only_trade[("Russia's need for Iran", 2023)]


# ---------------------------------------------------------------- charts


def test_war_days_chart(data):
    spec = fig.war_days(data["events"]).to_dict()
    assert "twelve" in title_text(spec).lower() or "war" in title_text(spec).lower()
    marks = [u["mark"]["type"] if isinstance(u["mark"], dict) else u["mark"] for u in units(spec)]
    assert "point" in marks and "rect" in marks
    assert {"date", "category"} <= encoded(spec)
    assert has_tooltip(spec)
    assert "war_category" in param_names(spec)
    rows = plotted(spec)
    dates = pd.to_datetime(rows["date"])
    assert dates.min() >= pd.Timestamp("2025-06-12") and dates.max() <= pd.Timestamp("2025-06-26")
    assert "sources" in rows.columns


def test_weight_chart(data):
    spec = fig.weight_of_each_other(data["partners"], data["trade"]).to_dict()
    marks = [u["mark"]["type"] if isinstance(u["mark"], dict) else u["mark"] for u in units(spec)]
    assert "bar" in marks
    assert {"share_pct", "partner", "year"} <= encoded(spec)
    assert has_tooltip(spec)
    assert "weight_reporter" in param_names(spec)
    rows = pd.DataFrame(spec["datasets"][spec["data"]["name"]]) if "data" in spec else plotted(spec)
    assert set(rows["reporter"]) == {"Russia", "Iran"}
    assert {2022, 2023} <= set(rows.loc[rows["reporter"] == "Russia", "year"])
    assert rows["share_pct"].notna().all()


def test_dependence_chart_has_one_slider_per_measure(data):
    ind = data["dependence_indicators"]
    spec = fig.dependence_chart(ind).to_dict()
    names = param_names(spec)
    assert len(names) == ind["measure"].nunique()
    assert all(p.get("bind", {}).get("input") == "range" for p in spec["params"])
    assert has_tooltip(spec)
    calcs = [t.get("calculate", "") for u in units(spec) for t in u.get("transform", [])]
    assert any("w_un_votes" in c for c in calcs)
    rows = plotted(spec)
    assert sorted(rows["year"].unique()) == [2021, 2023, 2025]


def test_cover_reads_each_vote_against_the_partners_position():
    assert fig.cover("against", "against") == "full"
    assert fig.cover("in_favour", "in_favour") == "full"
    assert fig.cover("abstained", "against") == "partial"
    assert fig.cover("did_not_vote", "against") == "partial"
    assert fig.cover("in_favour", "against") == "none"


def test_un_cover_counts_every_recorded_vote_of_both_sides():
    votes = load("un_votes")
    counts = fig.cover_counts(votes)
    for voter in fig.VOTERS:
        assert counts[f"{voter}_votes"] == int((votes["voter"] == voter).sum()) > 0
        assert sum(counts[f"{voter}_{level}"] for level in fig.COVER) == counts[f"{voter}_votes"]
    rows = fig.un_cover_frame(votes)
    assert set(rows["who"]) == set(fig.VOTERS.values()), "the measure is symmetric: both sides are drawn"
    assert fig.un_cover(votes).to_dict()["encoding"]["y"]["field"] == "who"


def test_war_days_table_shows_the_events_not_the_shaded_band(data):
    from russia_iran.charts import chart_data
    table = chart_data(fig.war_days(data["events"]))
    assert "title" in table.columns and len(table) > 1, "the table view lists the plotted events"
