"""The data package: Frictionless validation plus what a schema cannot say."""

from __future__ import annotations

import re

import frictionless
import pandas as pd
import pytest

import russia_iran
from russia_iran import data
from russia_iran.paths import ROOT
from russia_iran.sources import SOURCE_KINDS, bibliography


def test_frictionless_validates_the_package():
    report = frictionless.Package(str(data.PACKAGE_FILE)).validate()
    assert report.valid, report.flatten(["resourcePath", "rowNumber", "fieldName", "type", "note"])[:20]


def test_module_checks_find_no_problem():
    problems = russia_iran.validate()
    assert not problems, "\n".join(map(str, problems[:30]))


@pytest.mark.parametrize("name", data.names())
def test_every_data_set_loads_typed(name):
    frame = russia_iran.load(name)
    assert len(frame) > 0
    for field in data.resource(name)["schema"]["fields"]:
        if field.get("type") == "date":
            assert str(frame[field["name"]].dtype).startswith("datetime64")


def test_every_source_has_an_address_and_a_kind():
    for key, entry in bibliography().items():
        fields = {k.lower(): v for k, v in entry.fields.items()}
        assert fields.get("keywords") in SOURCE_KINDS, f"{key}: keywords must be one of {SOURCE_KINDS}"
        assert fields.get("note"), f"{key}: note on who publishes it"
        assert fields.get("url") or fields["note"].startswith("No public address"), f"{key}: url"


def test_every_bibliography_entry_is_used():
    used = set()
    for name in data.names():
        frame = russia_iran.load(name)
        if "sources" in frame:
            used |= {k for cell in frame["sources"].dropna() for k in cell.split(";")}
    text = "".join(p.read_text(encoding="utf-8") for p in data.DATA_DIR.parent.glob("*/*.md"))
    unused = [k for k in bibliography() if k not in used and k not in text]
    assert not unused, f"entries cited nowhere: {unused}"


def test_events_span_three_centuries_and_every_chapter():
    events = russia_iran.load("events")
    assert len(events) >= 100
    assert events["date"].min().year <= 1722 and events["date"].max() >= pd.Timestamp("2026-06-01")
    assert set(events["chapter"]) == {"history", "rapprochement", "treaty", "postwar", "war2026"}


def test_a_broken_row_is_reported_not_raised(tmp_path, monkeypatch):
    broken = tmp_path / "events.csv"
    original = (data.DATA_DIR / "events.csv").read_text(encoding="utf-8").splitlines()
    broken.write_text("\n".join(original[:3] + [original[3] + ",an extra field"] + original[4:]) + "\n", encoding="utf-8")
    monkeypatch.setattr(data, "DATA_DIR", tmp_path)
    with pytest.raises(data.DataError, match="events.csv: cannot be read as CSV"):
        data.load("events")


def test_the_data_command_lists_each_problem_and_fails(tmp_path, monkeypatch, capsys):
    """`python -m russia_iran.data`, which `./run.sh build` runs before the book: no traceback."""
    import shutil

    for csv in data.DATA_DIR.glob("*.csv"):
        shutil.copy(csv, tmp_path)
    monkeypatch.setattr(data, "DATA_DIR", tmp_path)
    assert data.main() == 0 and "no problems" in capsys.readouterr().out
    lines = (tmp_path / "agreements.csv").read_text(encoding="utf-8").splitlines()
    (tmp_path / "agreements.csv").write_text("\n".join([lines[0], "not,a,valid,row", *lines[1:]]) + "\n", encoding="utf-8")
    assert data.main() == 1
    report = capsys.readouterr().err
    assert "agreements.csv, row 2: has 4 fields where the header has" in report
    assert "problem(s) in the data sets" in report and "Traceback" not in report


# Errors found in review and corrected (issue 14). Each pins the corrected fact in the data.
def test_corrected_facts_stay_corrected():
    events = russia_iran.load("events").set_index("id")
    assert events.loc["1989-khomeini-letter-gorbachev", "date"] == pd.Timestamp("1989-01-04")
    assert events.loc["1989-shevardnadze-meets-khomeini", "date"] == pd.Timestamp("1989-02-26")
    strikes = events.loc["2025-06-22-us-strikes-nuclear-sites", "summary"]
    assert "bunker-busting bombs on Fordow and Natanz" in strikes and "missiles hit Isfahan" in strikes
    nuclear = russia_iran.load("nuclear").set_index("id")
    assert nuclear.loc["bushehr-1-2011-grid-connection", "date"].year == 2011
    caspian = russia_iran.load("agreements").set_index("id").loc["caspian-convention-2018", "note"]
    assert "all but Iran had ratified" in caspian and "Turkmenistan ratified" in caspian
    rasht = events.loc["2023-05-17-rasht-astara-agreement", "note"]
    assert "could not be sourced" not in rasht


# Errors found when the encyclopedia citations were replaced (issue 14).
def test_facts_checked_against_better_sources_stay_corrected():
    events = russia_iran.load("events").set_index("id")
    tudeh = events.loc["1983-tudeh-crackdown"]
    assert tudeh["date"] == pd.Timestamp("1983-05-04") and "18 Soviet diplomats" in tudeh["summary"]
    assert events.loc["1881-akhal-treaty", "date"] == pd.Timestamp("1881-12-21")
    assert events.loc["1945-azerbaijan-peoples-government", "date"] == pd.Timestamp("1945-12-12")
    agreements = russia_iran.load("agreements").set_index("id")
    assert agreements.loc["russia-dprk-2024", "signed"] == pd.Timestamp("2024-06-19")
    assert "Shirvan" not in events.loc["1723-treaty-st-petersburg", "summary"]


ENCYCLOPEDIA_HOSTS = ("wikipedia", "dbpedia", "wikimili", "fandom.com", "absoluteastronomy",
                      "liquisearch", "wikizero", "classicistranieri", "wikiwand")


def test_every_address_in_the_bibliography_is_well_formed():
    from urllib.parse import urlsplit

    bad = []
    for key, entry in bibliography().items():
        url = str(entry.fields.get("url", ""))
        if not url:
            continue
        parts = urlsplit(url)
        host = parts.hostname or ""
        if parts.scheme not in ("http", "https") or not host or host.endswith(".") or "." not in host \
                or any(c.isspace() for c in url):
            bad.append(f"{key}: {url}")
    assert not bad, bad


def test_history_rows_and_chapters_cite_no_wikipedia_copies():
    bib = bibliography()
    def encyclopedic(key):
        url = str(bib[key].fields.get("url", "")) if key in bib else ""
        return any(host in url for host in ENCYCLOPEDIA_HOSTS)
    for name in ("events", "agreements"):
        for row in russia_iran.load(name).itertuples():
            bad = [k for k in str(row.sources).split(";") if encyclopedic(k)]
            assert not bad, (name, row.id, bad)
    for chapter in (ROOT / "chapters").glob("*.md"):
        cited = set(re.findall(r"\{cite:[pt]\}`([^`]+)`", chapter.read_text(encoding="utf-8")))
        keys = {k.strip() for group in cited for k in group.split(",")}
        assert not [k for k in keys if encyclopedic(k)], chapter.name


def test_trade_keeps_disagreeing_sources_side_by_side():
    trade = russia_iran.load("trade")
    turnover = trade[trade["measure"] == "turnover"]
    assert turnover.groupby("year")["value_usd_bn"].nunique().max() > 1
    assert set(turnover["year"]) >= {2020, 2021, 2022, 2023}


def test_treaty_articles_are_complete_and_unread_ones_uncoded():
    provisions = russia_iran.load("treaty_provisions")
    iran = provisions[provisions["treaty"] == "russia-iran-2025"]
    assert sorted(iran["article"]) == list(range(0, 48))
    unread = provisions[provisions["commitment"] == "not_read"]
    assert unread["paraphrase"].isna().all()
    assert provisions.loc[provisions["commitment"] != "not_read", "paraphrase"].notna().all()
