"""Tests of the rapprochement chapter's charts, helpers and explorer (russia_iran/figures/rapprochement.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from russia_iran import load
from russia_iran.figures import proportion
from russia_iran.figures import rapprochement as fig


@pytest.fixture(scope="module")
def trade() -> pd.DataFrame:
    return load("trade")


@pytest.fixture(scope="module")
def arms() -> pd.DataFrame:
    return load("arms")


@pytest.fixture(scope="module")
def partners() -> pd.DataFrame:
    return load("partners")


def title_text(spec: dict) -> str:
    text = spec["title"]["text"]
    return " ".join(text) if isinstance(text, list) else text


def units(spec: dict) -> list[dict]:
    """Every unit (non-layered) spec of a chart dict."""
    return spec.get("layer", [spec])


def fields(unit: dict) -> dict[str, str]:
    """Encoding channel -> field name for one unit spec."""
    out = {}
    for channel, enc in unit.get("encoding", {}).items():
        if isinstance(enc, dict) and "field" in enc:
            out[channel] = enc["field"]
    return out


def tooltip_fields(unit: dict) -> list[str]:
    tip = unit.get("encoding", {}).get("tooltip", [])
    return [t["field"] for t in tip] if isinstance(tip, list) else []


def param_names(spec: dict) -> set[str]:
    names = {p["name"] for p in spec.get("params", [])}
    for unit in units(spec):
        names |= {p["name"] for p in unit.get("params", [])}
    return names


def plotted(spec: dict) -> pd.DataFrame:
    """The rows of the chart's inline dataset."""
    datasets = spec["datasets"]
    assert len(datasets) >= 1
    name = spec.get("data", {}).get("name") or units(spec)[0]["data"]["name"]
    return pd.DataFrame(datasets[name])


# ---------------------------------------------------------------- helpers for the prose


def test_turnover_range_separates_whole_year_from_preliminary(trade):
    whole = fig.turnover_range(trade, 2022)
    everything = fig.turnover_range(trade, 2022, include_preliminary=True)
    assert whole["low"] >= 4.8 and whole["high"] <= 5.0 + 1e-9
    assert everything["n"] > whole["n"]
    assert everything["low"] < whole["low"]  # a part-year figure is lower
    with pytest.raises(ValueError):
        fig.turnover_range(trade, 1990)


def test_figure_finds_one_value_and_refuses_ambiguity(trade):
    assert fig.trade_value(trade, 2020, "turnover", "eec") == pytest.approx(2.22)
    assert fig.trade_value(trade, 2020, "turnover", "secondary", sources="kozhanov2023putin") == pytest.approx(1.6)
    with pytest.raises(ValueError):
        fig.trade_value(trade, 2022, "turnover", "secondary")  # several sources on that basis


def test_share_of_world_is_small_for_iran(partners):
    share = proportion.share_of_world(partners, "Russia", "Iran", 2022)
    assert 0.3 < share < 1.0
    with pytest.raises(ValueError):
        proportion.share_of_world(partners, "Russia", "Iran", 2015)


def test_arms_counts_show_the_reversal(arms):
    counts = fig.arms_direction_counts(arms)
    assert counts["iran_to_russia_before"] == 0
    assert counts["iran_to_russia_since"] > counts["russia_to_iran_since"] > 0
    assert counts["russia_to_iran_before"] >= 10
    assert 0 < counts["unconfirmed_since"] < counts["iran_to_russia_since"] + counts["russia_to_iran_since"]


# ---------------------------------------------------------------- chart 1: trade by source


def test_trade_points_keep_every_source_row(trade):
    data = fig.trade_points(trade, start=2013)
    assert len(data) == int((trade["year"] >= 2013).sum())
    assert data["year"].min() == 2013
    assert set(data["measure_label"]) == set(fig.MEASURE_LABELS.values())
    assert {"sources", "note", "source", "basis_label", "figure_kind"} <= set(data.columns)
    # both 2022 figures of $4.6bn are kept, as preliminary
    prelim_2022 = data[(data["year"] == 2022) & (data["figure_kind"] == "Preliminary or part-year")]
    assert (prelim_2022["value_usd_bn"] == 4.6).sum() == 2


def test_trade_by_source_chart(trade):
    spec = fig.trade_by_source(trade).to_dict()
    assert "2022" in title_text(spec)
    assert {"measure_choice", "basis_pick"} <= param_names(spec)
    points = [u for u in units(spec) if (u["mark"]["type"] if isinstance(u["mark"], dict) else u["mark"]) == "point"]
    assert len(points) == 1
    enc = fields(points[0])
    assert enc["x"] == "year" and enc["y"] == "value_usd_bn"
    assert enc["color"] == "basis_label" and enc["shape"] == "figure_kind"
    assert {"source", "basis_label", "figure_kind", "note"} <= set(tooltip_fields(points[0]))
    bars = [u for u in units(spec) if (u["mark"]["type"] if isinstance(u["mark"], dict) else u["mark"]) == "bar"]
    assert bars and tooltip_fields(bars[0])
    # the dropdown binds to the three measures
    measure = next(p for p in spec["params"] if p["name"] == "measure_choice")
    assert measure["bind"]["options"] == list(fig.MEASURE_LABELS.values())
    rows = plotted(spec)
    assert rows["year"].min() == 2013 and 2022 in set(rows["year"])


# ---------------------------------------------------------------- chart 2: arms


def test_arms_events_have_two_steps_and_two_directions(arms):
    data = fig.arms_events(arms)
    assert set(data["step"]) == {"Agreed", "First delivery"}
    assert set(data["direction"]) == {"Soviet Union/Russia → Iran", "Iran → Russia"}
    iran_rows = data[data["direction"] == "Iran → Russia"]
    assert iran_rows["year"].min() >= 2022
    assert (~data["confirmed"]).any()


def test_arms_reversal_chart(arms):
    spec = fig.arms_reversal(arms).to_dict()
    assert "2022" in title_text(spec)
    assert "show_unconfirmed" in param_names(spec)
    checkbox = next(p for p in spec["params"] if p["name"] == "show_unconfirmed")
    assert checkbox["bind"]["input"] == "checkbox" and checkbox["value"] is True
    points = units(spec)[0]
    enc = fields(points)
    assert enc["x"] == "year" and enc["y"] == "direction" and enc["shape"] == "step"
    assert {"system", "status_label", "source", "note"} <= set(tooltip_fields(points))
    rows = plotted(spec)
    assert rows["year"].min() <= 1991 and rows["year"].max() >= 2024


# ---------------------------------------------------------------- chart 3: Iran in proportion


def test_pick_turnover_prefers_own_customs_and_lists_alternatives(partners):
    picked = proportion.pick_turnover(partners)
    assert not picked.duplicated(["reporter", "partner", "year"]).any()
    turkey = picked[(picked["reporter"] == "Russia") & (picked["partner"] == "Turkey") & (picked["year"] == 2022)].iloc[0]
    assert turkey["other_figures"] != ""  # three official figures exist for 2022
    world = picked[(picked["reporter"] == "Russia") & (picked["partner"] == "World") & (picked["year"] == 2022)].iloc[0]
    assert world["basis"] == "russian_customs"


def test_proportion_data_marks_the_bilateral_pair(partners, trade):
    data = proportion.proportion_data(partners, trade)
    bilateral = data[data["bilateral"]]
    assert set(bilateral["reporter"]) == {"Russia", "Iran"}
    assert set(bilateral["partner"]) == {"Iran", "Russia"}
    assert "World" not in set(data["partner"])
    row = data[(data["reporter"] == "Russia") & (data["partner"] == "Iran") & (data["year"] == 2022)].iloc[0]
    assert row["share_pct"] == pytest.approx(proportion.share_of_world(partners, "Russia", "Iran", 2022), abs=0.01)
    china = data[(data["reporter"] == "Russia") & (data["partner"] == "China") & (data["year"] == 2022)].iloc[0]
    assert china["value_usd_bn"] > 20 * row["value_usd_bn"]


def test_partners_in_proportion_chart(partners, trade):
    spec = proportion.partners_in_proportion(partners, trade).to_dict()
    assert {"reporter_choice", "year_choice"} <= param_names(spec)
    year = next(p for p in spec["params"] if p["name"] == "year_choice")
    assert year["bind"]["input"] == "range" and year["value"] == 2022
    reporter = next(p for p in spec["params"] if p["name"] == "reporter_choice")
    assert reporter["bind"]["options"] == ["Russia", "Iran"]
    bars = units(spec)[0]
    assert (bars["mark"]["type"] if isinstance(bars["mark"], dict) else bars["mark"]) == "bar"
    enc = fields(bars)
    assert enc["x"] == "value_usd_bn" and enc["y"] == "partner"
    assert {"share_pct", "other_figures", "source"} <= set(tooltip_fields(bars))


# ---------------------------------------------------------------- explorer


def test_explorer_html_reflects_year_and_basis(trade):
    every = fig.trade_explorer_html(trade, 2022)
    assert "2022" in every and "4.84" in every and "5.00" in every
    assert "not compared" in every  # the preliminary $4.6bn rows
    customs = fig.trade_explorer_html(trade, 2021, "Russian customs")
    assert "4.04" in customs and "3.07" in customs and "0.97" in customs
    assert "Analyst or press figure" not in customs
    with pytest.raises(ValueError):
        fig.trade_explorer_html(trade, 2014, "Russian customs")


def test_explorer_change_uses_the_same_basis(trade):
    html = fig.trade_explorer_html(trade, 2023, "Analyst or press figure")
    # 2023's $4.0bn against 2022's whole-year analyst figures (median 4.9): a fall of about a fifth
    assert "-18%" in html


def test_explorer_options(trade):
    options = fig.explorer_options(trade)
    assert options["bases"][0] == fig.ALL_BASES
    assert 2022 in options["years"] and min(options["years"]) >= 2013


def test_trade_explorer_widget_shows_default_year(trade):
    box = fig.trade_explorer(trade)
    result = box.widget.children[-1]
    assert "Russia–Iran trade in 2022" in result.value
    year, basis = box.widget.children[1].children
    year.value = 2021
    basis.value = "Russian customs"
    assert "Russia–Iran trade in 2021" in result.value and "4.04" in result.value
