"""Chapter 5's helpers, charts and explorer (russia_iran/figures/war2026.py), against the module's data."""

from __future__ import annotations

import pandas as pd
import pytest

from russia_iran import load
from russia_iran.figures import war2026 as fig
from russia_iran.vocabulary import REACTION_ACTS


@pytest.fixture(scope="module")
def data() -> dict[str, pd.DataFrame]:
    return {name: load(name) for name in ["events", "reactions", "reported_figures", "claims"]}


def plotted_rows(chart) -> pd.DataFrame:
    from russia_iran.charts import chart_data
    return chart_data(chart)


def test_chapter_events_run_from_the_unrest_to_june_2026(data):
    rows = fig.chapter_events(data["events"])
    assert rows["date"].is_monotonic_increasing
    assert rows["date"].min() == pd.Timestamp("2025-12-28")
    assert rows["date"].max() >= pd.Timestamp("2026-06-01")


def test_war_length_counts_both_ends(data):
    events = data["events"]
    start = fig.event_date(events, "2026-02-28-us-israeli-strikes")
    end = fig.event_date(events, "2026-04-07-ceasefire")
    assert fig.days_between(events, "2026-02-28-us-israeli-strikes", "2026-04-07-ceasefire") == (end - start).days + 1
    with pytest.raises(KeyError, match="no-such-event"):
        fig.event_date(events, "no-such-event")


def test_acts_of_counts_each_act_of_one_perspective(data):
    reactions = data["reactions"]
    russia = reactions[reactions["perspective"] == "russia"]
    counted = fig.acts_of(reactions, "russia")
    assert counted["statements"] == len(russia)
    for act in REACTION_ACTS:
        assert counted[act] == int(russia[act].sum())
    # The chapter's finding, as the data hold it: Putin's condolence named no attacker, and
    # the only material help Russia is recorded as offering was humanitarian.
    condolence = reactions.set_index("id").loc["russia-putin-2026-03-01"]
    assert bool(condolence["condemned_strikes"]) and not bool(condolence["named_attackers"])
    assert counted["offered_material_help"] <= 1
    with pytest.raises(ValueError, match="atlantis"):
        fig.acts_of(reactions, "atlantis")


def test_reactions_matrix_shows_every_statement_and_a_perspective_menu(data):
    chart = fig.reactions_matrix(data["reactions"])
    spec = chart.to_dict()
    rows = plotted_rows(chart)
    assert len(rows) == len(data["reactions"])
    assert set(rows[list(REACTION_ACTS)].stack()) <= {"yes", "no"}
    menu = spec["params"][0]
    assert menu["bind"]["input"] == "select"
    assert set(menu["bind"]["options"]) == {"All"} | set(rows["perspective"])
    assert spec["transform"][1]["fold"] == list(REACTION_ACTS)


def test_an_unknown_perspective_is_named(data):
    odd = data["reactions"].copy()
    odd.loc[0, "perspective"] = "mars"
    with pytest.raises(ValueError, match="mars"):
        fig.reactions_frame(odd)


def test_bushehr_chart_keeps_disagreeing_counts(data):
    rows = plotted_rows(fig.bushehr_staff(data["reported_figures"]))
    on_site = rows[rows["topic"] == "bushehr_staff_on_site"]
    # Rosatom's head gave about 450 on 11 March and about 480 on 17 March: both stay.
    assert {450.0, 480.0} <= set(on_site["value"])
    assert set(rows["topic"]) == set(fig.BUSHEHR_TOPICS)
    assert rows["source"].str.len().gt(0).all()


def test_oil_chart_marks_the_budget_price_apart_from_prices(data):
    rows = plotted_rows(fig.oil_prices(data["reported_figures"]))
    budget = rows[rows["budget"]]
    assert len(budget) == 1 and budget["blend"].iloc[0].startswith("Urals")
    prices = rows[~rows["budget"]]
    assert {"Brent", "Urals (Russia's export blend)"} == set(prices["blend"])
    prewar = prices[(prices["blend"] != "Brent") & (prices["date"] < pd.Timestamp("2026-02-28"))]
    assert (prewar["value"] < budget["value"].iloc[0]).all(), "before the war Urals sold below the budget price"


def test_unrest_tolls_keep_each_counter(data):
    rows = plotted_rows(fig.unrest_tolls(data["reported_figures"]))
    assert rows["reported_by"].nunique() >= 4
    assert rows["value"].max() / rows["value"].min() > 10, "the spread of the tolls is the point of the chart"


def test_claims_explorer_offers_every_claim_and_counts_reports(data):
    claims = data["claims"]
    chart = fig.claims_explorer(claims)
    menu = chart.to_dict()["params"][0]
    assert menu["bind"]["options"] == list(dict.fromkeys(fig.claims_frame(claims)["claim"]))
    summary = fig.claim_summary(claims, fig.INTELLIGENCE_CLAIM)
    rows = claims[claims["claim"] == fig.INTELLIGENCE_CLAIM]
    assert summary["reports"] == len(rows)
    assert summary["basis_anonymous_officials"] == int((rows["basis"] == "anonymous_officials").sum())
    assert sum(v for k, v in summary.items() if k.startswith("position_")) == len(rows)
    with pytest.raises(ValueError, match="unicorns"):
        fig.claim_summary(claims, "unicorns")


def test_no_claim_reported_only_by_anonymous_officials_is_coded_as_confirmed(data):
    """The intelligence claim has no named on-record confirmation; the data must not invent one."""
    rows = data["claims"][data["claims"]["claim"] == fig.INTELLIGENCE_CLAIM]
    confirmations = rows[(rows["basis"] == "official_statement") & (rows["position"] == "asserts")]
    assert confirmations.empty


def test_numbers_are_computed_from_the_data(data):
    numbers = fig.numbers(data["events"], data["reactions"], data["reported_figures"], data["claims"])
    reported = data["reported_figures"].set_index("id")["value"]
    for name, figure_id in fig.QUOTED_FIGURES.items():
        assert numbers[name] == reported[figure_id]
    assert numbers["n_events"] == int((data["events"]["chapter"] == "war2026").sum())
    assert numbers["revenue_jan_fall_pct"] == pytest.approx(
        100 * (1 - reported["revenue-2026-01"] / reported["revenue-2025-01"]), abs=0.05)
