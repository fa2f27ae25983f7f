"""Unit tests of the helper package: loading, validation messages, chart style, display."""

from __future__ import annotations

import json
import shutil

import altair as alt
import pandas as pd
import pytest

import russia_iran
from russia_iran import charts, data, show
from russia_iran.widgets import explorer

SOURCED = pd.DataFrame({"year": [2020, 2021], "value": [1.0, 2.0],
                        "sources": ["kozhanov2023putin", "riddle2025friends;kozhanov2023putin"]})


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    """A private copy of data/ that a test may break."""
    copy = tmp_path / "data"
    shutil.copytree(data.DATA_DIR, copy, ignore=shutil.ignore_patterns("_incoming"))
    monkeypatch.setattr(data, "DATA_DIR", copy)
    return copy


def test_unknown_data_set_lists_the_known_ones():
    with pytest.raises(russia_iran.DataError, match="the data sets are: events, trade"):
        russia_iran.load("trades")


def test_load_types_columns(data_copy):
    trade = russia_iran.load("trade")
    assert str(trade["year"].dtype) == "Int64"
    assert trade["value_usd_bn"].dtype == "float64"
    assert str(trade["preliminary"].dtype) == "boolean"


@pytest.mark.parametrize("field, bad, message", [
    ("year", "20x1", "is not a whole number"),
    ("measure", "exports", "is not one of"),
    ("sources", "", "is required but empty"),
    ("sources", "nobody2099", "is not a key in references.bib"),
    ("value_usd_bn", "-3", "outside the allowed range"),
])
def test_a_malformed_row_names_file_row_and_field(data_copy, field, bad, message):
    path = data_copy / "trade.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[2, field] = bad
    frame.to_csv(path, index=False)
    with pytest.raises(russia_iran.DataError) as raised:
        russia_iran.load("trade")
    assert f"trade.csv, row 4, field '{field}'" in str(raised.value)
    assert message in str(raised.value)


def test_an_impossible_date_is_reported():
    problems = data._check(pd.DataFrame({"id": ["x"], "date": ["2023-02-30"]}),
                           {"path": "demo.csv", "schema": {"fields": [
                               {"name": "id", "type": "string"}, {"name": "date", "type": "date"}]}})[1]
    assert [str(p) for p in problems] == ["demo.csv, row 2, field 'date': '2023-02-30' is not a real date written YYYY-MM-DD"]


def test_theme_is_enabled_and_palette_is_used():
    assert alt.theme.active == "russia_iran"
    assert alt.theme.get()()["config"]["range"]["category"] == charts.PALETTE


def test_finish_adds_title_source_line_and_description():
    chart = charts.finish(alt.Chart(SOURCED).mark_line().encode(x="year:O", y="value:Q"),
                          title="Trade doubled", description="A line rising from 1 to 2.")
    spec = chart.to_dict()
    assert spec["title"]["text"] == ["Trade doubled"]
    assert " ".join(spec["title"]["subtitle"]) == "Sources: Kozhanov (2023); Riddle Russia (2025). Licence: CC BY 4.0."
    assert spec["description"] == "A line rising from 1 to 2."
    assert spec["width"] == "container"


def test_source_line_counts_long_lists_instead_of_naming_them():
    keys = list(russia_iran.sources.bibliography())[: charts.MAX_NAMED_SOURCES + 1]
    assert charts.source_line(keys).startswith(f"Sources: {len(keys)} references, named row by row")
    assert charts.source_line(keys[:2]).count(";") == 1


def test_long_titles_are_wrapped_for_narrow_screens():
    long = "Iran sold Russia drones while Russia sold Iran jets and air defence systems"
    spec = charts.finish(alt.Chart(SOURCED).mark_point(), title=long, description="d", subtitle=long * 2).to_dict()
    assert all(len(line) <= charts.TITLE_WIDTH for line in spec["title"]["text"])
    assert all(len(line) <= charts.SUBTITLE_WIDTH for line in spec["title"]["subtitle"])
    # the unwrapped paragraphs, for the book to wrap to the width a chart is drawn at
    kept = spec["usermeta"][charts.USERMETA_KEY]
    assert kept["title"] == long and kept["subtitle"][0] == long * 2
    assert kept["subtitle"][1].startswith("Source") and len(kept["subtitle"]) == 2


def test_finish_refuses_data_without_sources():
    with pytest.raises(ValueError, match="no 'sources' column"):
        charts.finish(alt.Chart(pd.DataFrame({"a": [1]})).mark_point(), title="t", description="d")


def test_show_adds_table_and_csv_of_exactly_the_plotted_rows():
    chart = charts.finish(alt.Chart(SOURCED).mark_line().encode(x="year:O", y="value:Q"),
                          title="Trade doubled", description="d")
    html = show(chart, "demo-chart")._repr_mimebundle_()["text/html"]
    assert "Show the data (2 rows)" in html
    assert 'data-download="demo-chart.csv"' in html and 'href="#data-demo-chart"' in html
    assert 'id="data-demo-chart"' in html  # the table the link's handler turns into the CSV
    assert "data:text/csv," not in html.split("onclick=")[0]  # the data are not in the page a third time
    # the table's cells are the CSV's cells, so the file built from the table is the CSV
    shown = show(chart, "demo-chart")
    for line in shown.csv_text().splitlines():
        assert "".join(f"<t{'h' if line.startswith('Year') else 'd'}>{cell}</t{'h' if line.startswith('Year') else 'd'}>"
                       for cell in line.split(",")) in html
    assert shown.csv_text().startswith("Year,Value,Sources")  # headers in words, not data codes
    with pytest.raises(ValueError, match="lower-case words"):
        show(chart, "Bad Name")


def test_headers_are_words():
    from russia_iran.display import header

    assert header("value_usd_bn") == "Value US$ bn"
    assert header("share_pct") == "Share (%)"
    assert header("first_delivery_year") == "First delivery year"


def test_explorer_renders_defaults_and_reports_problems():
    import ipywidgets as widgets

    number = widgets.IntSlider(value=3, min=0, max=5)

    def render(n):
        if n == 0:
            raise ValueError("No data for zero.")
        return f"<b>{n * 2}</b>"

    box = explorer({"n": number}, render, title="Double")
    result = box.widget.children[-1]
    assert result.value == "<b>6</b>"
    number.value = 0
    assert "No data for zero." in result.value


def test_basemap_clips_to_the_region_without_slivers():
    from russia_iran import basemap

    features = basemap.countries()
    names = {f["properties"]["name"] for f in features}
    assert {"Iran", "Russia", "Azerbaijan", "Kazakhstan", "Turkmenistan"} <= names
    assert "Brazil" not in names
    west, south, east, north = basemap.REGION
    for feature in features:
        for polygon in feature["geometry"]["coordinates"]:
            for ring in polygon:
                assert ring[0] == ring[-1]
                assert abs(basemap._area([tuple(p) for p in ring])) >= basemap.MIN_RING_AREA or ring is not polygon[0]
                assert all(west <= x <= east and south <= y <= north for x, y in ring)


def test_run_sh_refuses_an_unknown_command():
    import subprocess

    from russia_iran.paths import ROOT
    result = subprocess.run(["bash", str(ROOT / "run.sh"), "bogus"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "Unknown command: bogus" in result.stderr
    shown = subprocess.run(["bash", str(ROOT / "run.sh"), "help"], capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0
    assert "Python 3.11" in shown.stdout and "npm" in shown.stdout and "_build/html/pdf" in shown.stdout
    assert all(m.stem in shown.stdout for m in (ROOT / "exercises" / "masters").glob("0*.ipynb"))


def test_explorer_writes_every_state_for_the_book_and_shows_the_current_one():
    import ipywidgets as widgets

    era = widgets.Dropdown(options=[("Early", 1), ("Late", 2)], value=2, description="Era")
    unread = widgets.Checkbox(value=False, description="Include unread")

    def render(era, unread):
        if era == 1 and unread:
            raise ValueError("Nothing for that choice.")
        return f"<b>{era}-{unread}</b>"

    box = explorer({"era": era, "unread": unread}, render, title="Demo")
    page = box.static_html()
    assert page.count("data-state=") == 4
    assert '<div data-state="1,0"><b>2-False</b></div>' in page  # the current state, not hidden
    assert '<div data-state="0,0" hidden><b>1-False</b></div>' in page
    assert "Nothing for that choice." in page and "role='alert'" in page
    assert '<option value="1" selected>Late</option>' in page and 'type="checkbox" data-control="1">' in page
    bundle = box._repr_mimebundle_()
    assert bundle["text/html"] == page and "application/vnd.jupyter.widget-view+json" in bundle


def test_book_renderer_keeps_the_spec_as_json_that_data_cannot_break_out_of():
    """The book's renderer: a placeholder holding the spec as strict JSON (a browser's JSON.parse
    rejects NaN); text in the data cannot end the script element it travels in."""
    hostile = pd.DataFrame({"label": ["</script><script>alert(1)</script>", "b"], "value": [float("nan"), 2.0]})
    chart = alt.Chart(hostile).mark_point().encode(x="label:N", y="value:Q")
    spec = chart.to_dict()
    spec["usermeta"] = {"mode": float("nan")}  # Altair cleans the data's NaN, not the rest of a spec
    html = charts.book_markup(spec)["text/html"]
    opening = f'<div class="{charts.CHART_CLASS}"><script type="application/json">'
    assert html.startswith(opening) and html.endswith("</script></div>")
    payload = html[len(opening):-len("</script></div>")]
    assert "<" not in payload
    spec = json.loads(payload, parse_constant=lambda name: pytest.fail(f"{name} is not JSON"))
    rows = next(iter(spec["datasets"].values()))
    assert rows == [{"label": "</script><script>alert(1)</script>", "value": None}, {"label": "b", "value": 2.0}]
    assert spec["mark"] == {"type": "point"} and spec["usermeta"] == {"mode": None}
