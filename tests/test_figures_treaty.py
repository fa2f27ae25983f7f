"""Tests of the chart, coding and explorer functions of the chapter on the 2025 treaty."""

from __future__ import annotations

import pytest

from russia_iran import load
from russia_iran.figures import treaty as figures


@pytest.fixture(scope="module")
def provisions():
    return load("treaty_provisions")


@pytest.fixture(scope="module")
def agreements():
    return load("agreements")


@pytest.fixture(scope="module")
def trade():
    return load("trade")


def _walk(spec):
    """Every dict in a Vega-Lite spec, depth first."""
    if isinstance(spec, dict):
        yield spec
        for value in spec.values():
            yield from _walk(value)
    elif isinstance(spec, list):
        for item in spec:
            yield from _walk(item)


def _marks(spec):
    return {d["mark"]["type"] if isinstance(d["mark"], dict) else d["mark"] for d in _walk(spec) if "mark" in d}


def _fields(spec):
    return {v["field"] for d in _walk(spec) if "encoding" in d for v in d["encoding"].values()
            if isinstance(v, dict) and "field" in v}


def _has_tooltip(spec):
    return any("tooltip" in d["encoding"] for d in _walk(spec) if "encoding" in d)


def _params(spec):
    return {p["name"]: p for d in _walk(spec) for p in d.get("params", []) if isinstance(p, dict) and "name" in p}


# ---------------------------------------------------------------- data as coded

def test_every_article_of_both_treaties_is_present(provisions):
    iran = provisions[provisions["treaty"] == "russia-iran-2025"]
    dprk = provisions[provisions["treaty"] == "russia-dprk-2024"]
    assert sorted(iran["article"]) == list(range(0, 48))
    assert sorted(dprk["article"]) == list(range(0, 24))


def test_unread_articles_have_no_paraphrase(provisions):
    unread = provisions[provisions["commitment"] == "not_read"]
    assert unread["paraphrase"].isna().all()
    assert not provisions[provisions["commitment"] != "not_read"]["paraphrase"].isna().any()


def test_read_counts(provisions):
    iran = figures.read_counts(provisions, "russia-iran-2025")
    assert iran["rows"] == 48 and iran["articles"] == 47
    assert iran["read"] + iran["not_read"] == 48
    assert iran["binding"] >= 1
    with pytest.raises(ValueError):
        figures.read_counts(provisions, "no-such-treaty")


def test_article_3_binding_and_dprk_article_4_binding(provisions):
    code = provisions.set_index(["treaty", "article"])["commitment"]
    assert code[("russia-iran-2025", 3)] == "binding"
    assert code[("russia-dprk-2024", 4)] == "binding"


# ---------------------------------------------------------------- chart 1

def test_provisions_grid(provisions):
    chart = figures.provisions_grid(provisions)
    spec = chart.to_dict()
    assert {"rect", "text"} <= _marks(spec)
    assert {"article", "treaty_label", "commitment", "code"} <= _fields(spec)
    assert _has_tooltip(spec)
    params = _params(spec)
    assert {"treaty_choice", "domain_choice"} <= set(params)
    assert params["treaty_choice"]["bind"]["input"] == "select"
    options = params["treaty_choice"]["bind"]["options"]
    assert "Russia–Iran 2025" in options and "Russia–DPRK 2024" in options
    data = figures.provisions_frame(provisions)
    assert len(data) == 72
    assert set(data["code"]) <= {"B", "C", "I", "·"}
    assert "sources" in data.columns


# ---------------------------------------------------------------- chart 2

def test_treaty_comparison(agreements):
    chart = figures.treaty_comparison(agreements)
    spec = chart.to_dict()
    # stacked, at a fixed width its columns of text need: a phone scrolls it in its frame
    assert "vconcat" in spec and "autosize" not in spec
    assert all(view["width"] == figures.COMPARISON_WIDTH for view in spec["vconcat"])
    assert {"point", "text"} <= _marks(spec)
    assert {"agreement", "column", "value"} <= _fields(spec)
    assert _has_tooltip(spec)
    data = figures.comparison_frame(agreements)
    assert {"Russia–Iran treaty 2025", "Russia–DPRK treaty 2024", "Foundations treaty 2001"} <= set(data["agreement"])
    defence = data[(data["column"] == "Mutual defence")].set_index("agreement")["value"]
    assert defence["Russia–DPRK treaty 2024"] == "yes"
    assert defence["Russia–Iran treaty 2025"] == "no"


# ---------------------------------------------------------------- chart 3

def test_trade_and_fta(trade, agreements):
    chart = figures.trade_and_fta(trade, agreements)
    spec = chart.to_dict()
    assert {"point", "line", "rule", "text"} <= _marks(spec)
    assert {"year", "value_usd_bn"} <= _fields(spec)
    assert _has_tooltip(spec)
    params = _params(spec)
    assert params["show_partial"]["bind"]["input"] == "checkbox"
    rules = figures.fta_dates(agreements)
    assert list(rules["in_force"]) == ["2019-10-27", "2025-05-15"]
    assert 2019.8 < rules["year"].iloc[0] < 2019.9
    points = figures.turnover_points(trade)
    assert points["year"].min() >= 2013
    assert set(points["figure"]) == {"full year", "partial year or preliminary"}


def test_median_turnover(trade):
    assert figures.median_turnover(trade, 2021) > figures.median_turnover(trade, 2019)
    with pytest.raises(ValueError):
        figures.median_turnover(trade, 1999)


# ---------------------------------------------------------------- coding helper

ARTICLE_3_3 = ("In the event that either Contracting Party is subject to aggression, the other Contracting Party "
               "shall not provide any military or other assistance to the aggressor")


def test_code_clause_levels():
    assert figures.code_clause(ARTICLE_3_3)["level"] == "binding"
    assert figures.code_clause("The services shall exchange information and experience.")["level"] == "consult"
    assert figures.code_clause("The Parties will strive to promote trade.")["level"] == "intent"
    assert figures.code_clause("The Parties shall pursue a policy of mutual respect.")["level"] == "uncoded"
    with pytest.raises(ValueError):
        figures.code_clause("  ")


def test_coding_steps_decides_once():
    steps = figures.coding_steps(ARTICLE_3_3 + ", and will cooperate to promote peace")
    assert list(steps["level tested"]) == ["binding", "consult", "intent"]
    assert (steps["decision"].str.startswith("code =")).sum() == 1
    assert steps.loc[0, "decision"] == "code = binding"
    assert steps.loc[2, "decision"] == "stronger level already applies"
    assert len(figures.rules_table()) == 3


# ---------------------------------------------------------------- explorer

def test_domain_table_reflects_inputs(provisions):
    security = figures.domain_table(provisions, "security")
    assert "<table" in security and "Russia–DPRK 2024" in security and "Russia–Iran 2025" in security
    assert "Not read" not in security
    with_unread = figures.domain_table(provisions, "unknown", include_unread=True)
    assert "Not read" in with_unread
    assert "No article" in figures.domain_table(provisions, "unknown", include_unread=False)
    render = figures.domain_renderer(provisions)
    assert render("security", False) == security
    controls = figures.domain_controls()
    assert controls["domain"].value == "security" and controls["include_unread"].value is False
