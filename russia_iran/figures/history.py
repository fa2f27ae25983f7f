"""Charts, tables and the explorer of the history chapter (1722–2021).

Every function takes DataFrames from ``load(...)``, keeps only the rows and
columns it draws, and returns a finished chart (see ``charts.finish``), a
table or an HTML string.
"""

from __future__ import annotations

import html

import altair as alt
import pandas as pd

from .. import charts
from ..basemap import SOURCE_NOTE, countries
from ..sources import keys_in, short_citation

FIRST_YEAR, LAST_YEAR = 1722, 2021
RELATIONS = ["cooperation", "mixed", "conflict"]
ALL_KINDS = "All kinds of event"

# The eras the chapter is written in: (label on the axis, name, first year, last year).
# They are the module's periodisation, of unequal length on purpose: each begins
# with a break in the relationship (a war, a revolution, a treaty).
ERAS = [
    ("1722–1799", "Peter I and the Safavid collapse", 1722, 1799),
    ("1800–1829", "Caucasus wars: Gulistan and Turkmenchay", 1800, 1829),
    ("1830–1916", "The Great Game", 1830, 1916),
    ("1917–1940", "The Soviet neighbour", 1917, 1940),
    ("1941–1953", "Occupation and the 1946 crisis", 1941, 1953),
    ("1954–1978", "The Shah between the blocs", 1954, 1978),
    ("1979–1988", "Revolution, Afghanistan, Iran–Iraq war", 1979, 1988),
    ("1989–2000", "The opening and the 1990s", 1989, 2000),
    ("2001–2014", "Treaty, Caspian and the nuclear file", 2001, 2014),
    ("2015–2021", "Syria and the JCPOA", 2015, 2021),
]
ERA_LABELS = [label for label, *_ in ERAS]

# The chapter's timeline (figures.timeline.chart), titled like the other charts.
TIMELINE = {
    "title": 'Three centuries of swings between war and partnership',
    "description": 'Timeline of events in Russian-Iranian relations from 1722 to 2021, one row per category of event, with shape showing whether the module reads each event as cooperation, conflict or mixed.',
    "subtitle": "Events from 1722 to 2021; shape shows the module's reading of each event.",
}



def era_of(year: int) -> str:
    """Axis label of the era a year falls in; ValueError outside 1722–2021."""
    for label, _name, first, last in ERAS:
        if first <= year <= last:
            return label
    raise ValueError(f"{year} lies outside the chapter's period {FIRST_YEAR}–{LAST_YEAR}")


def era_name(label: str) -> str:
    for era_label, name, _first, _last in ERAS:
        if era_label == label:
            return name
    raise KeyError(f"unknown era {label!r}; the eras are {', '.join(ERA_LABELS)}")


def history_events(events: pd.DataFrame) -> pd.DataFrame:
    """The history chapter's events (1722–2021), oldest first, with year and era added."""
    rows = events[(events["chapter"] == "history")
                  & (events["date"].dt.year.between(FIRST_YEAR, LAST_YEAR))].copy()
    if rows.empty:
        raise ValueError("no events of the history chapter between 1722 and 2021")
    rows["year"] = rows["date"].dt.year.astype(int)
    rows["era"] = rows["year"].map(era_of)
    return rows.sort_values("date").reset_index(drop=True)


def relation_table(events: pd.DataFrame) -> pd.DataFrame:
    """Counts of events per era (rows, in order) and reading (columns), zeros included."""
    rows = history_events(events) if "era" not in events.columns else events
    table = pd.crosstab(rows["era"], rows["relation"])
    return table.reindex(index=ERA_LABELS, columns=RELATIONS, fill_value=0)


def conflict_share(events: pd.DataFrame, first: int, last: int) -> float:
    """Share (0–1) of the events dated first–last that the module reads as conflict."""
    years = events["date"].dt.year
    rows = events[years.between(first, last)]
    if rows.empty:
        raise ValueError(f"no events between {first} and {last}")
    return float((rows["relation"] == "conflict").mean())


def relations_by_era(events: pd.DataFrame) -> alt.TopLevelMixin:
    """Grouped bars: events per era, one bar per reading, with a kind-of-event dropdown
    and a legend that highlights one reading."""
    rows = history_events(events) if "era" not in events.columns else events.copy()
    rows["era_name"] = rows["era"].map(era_name)
    data = rows[["era", "era_name", "year", "title", "category", "relation", "sources"]].reset_index(drop=True)
    kinds = sorted(data["category"].unique())
    kind = alt.param(name="kind", value=ALL_KINDS,
                     bind=alt.binding_select(options=[ALL_KINDS] + kinds, name="Kind of event: "))
    reading = alt.selection_point(name="reading", fields=["relation"], bind="legend")
    colour = alt.Color("relation:N", title="Module's reading",
                       scale=alt.Scale(domain=RELATIONS, range=[charts.RELATION_COLOURS[r] for r in RELATIONS]))
    bars = alt.Chart(data).mark_bar().encode(
        x=alt.X("era:N", title=None, sort=ERA_LABELS, axis=alt.Axis(labelAngle=-35)),
        xOffset=alt.XOffset("relation:N", sort=RELATIONS),
        y=alt.Y("count():Q", title="Number of events"),
        color=colour,
        opacity=alt.condition(reading, alt.value(1.0), alt.value(0.25)),
        tooltip=[alt.Tooltip("era:N", title="Era"), alt.Tooltip("era_name:N", title="Period"),
                 alt.Tooltip("relation:N", title="Reading"), alt.Tooltip("count():Q", title="Events")],
    ).add_params(kind, reading).transform_filter(
        (kind == ALL_KINDS) | (alt.datum.category == kind)
    ).properties(height=320)
    early = data[data["year"] <= 1916]
    late = data[data["year"] >= 1989]
    conflict_before = (early["relation"] == "conflict").mean()
    cooperation_after = (late["relation"] == "cooperation").mean()
    return charts.finish(
        bars,
        title=(f"{conflict_before:.0%} of recorded events before 1917 were conflicts; "
               f"{cooperation_after:.0%} after 1989 were cooperation"),
        subtitle="Events per era, by the module's reading of each. Pick a kind of event; click the legend to highlight a reading.",
        description=("Grouped bar chart of the history chapter's events in ten eras from 1722 to 2021. For each era "
                     "three bars count the events read as cooperation, mixed and conflict. Conflict events are the "
                     "majority before 1917; cooperation events are the majority after 1989. A dropdown keeps one "
                     "kind of event, and clicking the legend highlights one reading."),
    )


def estimates_1989(arms: pd.DataFrame) -> tuple[float, float, int]:
    """Lowest and highest value (US$ bn) of the estimates of the 1989–91 arms agreements, and their number."""
    rows = arms[arms["supplier"].isin(["Soviet Union", "Russia"]) & (arms["recipient"] == "Iran")
                & (arms["weapon_type"] == "package") & (arms["year_agreed"] == 1989)
                & arms["value_usd_bn"].notna()]
    if rows.empty:
        raise ValueError("the arms data has no valued package rows for the 1989–91 agreements")
    return float(rows["value_usd_bn"].min()), float(rows["value_usd_bn"].max()), int(len(rows))


def _arms_label(row: pd.Series) -> str:
    """A short, unique-enough axis label: the system and the first source's short citation."""
    system = row["system"].split(" (")[0]
    if len(system) > 24:
        system = system[:23].rstrip() + "…"
    first = row["sources"].split(";")[0]
    try:
        cited = short_citation(first)
    except KeyError:
        cited = first
    return f"{system} — {cited}"


def arms_rows(arms: pd.DataFrame) -> pd.DataFrame:
    """Soviet and Russian arms for Iran dated 1989–2021 (agreement year, else first delivery)."""
    rows = arms[arms["supplier"].isin(["Soviet Union", "Russia"]) & (arms["recipient"] == "Iran")].copy()
    rows["year"] = rows["year_agreed"].fillna(rows["first_delivery_year"])
    rows["year_basis"] = rows["year_agreed"].notna().map({True: "year agreed", False: "first delivery"})
    rows = rows[rows["year"].notna() & rows["year"].between(1989, LAST_YEAR)].copy()
    if rows.empty:
        raise ValueError("no Soviet or Russian arms rows for Iran dated 1989–2021")
    rows["year"] = rows["year"].astype(int)
    rows["value_shown"] = rows["value_usd_bn"].fillna(0.0)
    rows["value_label"] = rows["value_usd_bn"].map(lambda v: "not reported" if pd.isna(v) else f"US${v:.2f} bn")
    rows["label"] = rows.apply(_arms_label, axis=1)
    rows["status"] = charts.in_words(rows["status"])
    columns = ["id", "label", "year", "year_basis", "system", "weapon_type", "quantity", "value_label", "value_shown",
               "status", "confidence", "note", "sources"]
    return rows[columns].sort_values(["year", "id"]).reset_index(drop=True)


def arms_to_iran(arms: pd.DataFrame) -> alt.TopLevelMixin:
    """Dot plot of Soviet/Russian arms for Iran, 1989–2021: one dot per row of the arms data,
    sized by value where one is reported; the legend selects a status."""
    data = arms_rows(arms)
    low, high, n = estimates_1989(arms)
    status = alt.selection_point(name="status_pick", fields=["status"], bind="legend")
    dots = alt.Chart(data).mark_point(filled=True, opacity=0.85).encode(
        x=alt.X("year:Q", title="Year", scale=alt.Scale(domain=[1988, LAST_YEAR + 1], padding=16),  # room for the largest dot
                axis=alt.Axis(format="d")),
        y=alt.Y("label:N", title=None, sort=alt.EncodingSortField("year", order="ascending"),
                # labels cut to fit a phone; whole in the tooltip and table
                axis=alt.Axis(labelLimit=alt.ExprRef("containerSize()[0] < 480 ? 150 : 300"))),
        size=alt.Size("value_shown:Q", scale=alt.Scale(range=[50, 700]), legend=None),
        color=alt.Color("status:N", title="Status"),
        shape=alt.Shape("status:N", title="Status"),
        opacity=alt.condition(status, alt.value(0.9), alt.value(0.15)),
        tooltip=[alt.Tooltip("system:N", title="System"), alt.Tooltip("year:Q", title="Year", format="d"),
                 alt.Tooltip("year_basis:N", title="Year is the"), alt.Tooltip("quantity:Q", title="Units"),
                 alt.Tooltip("value_label:N", title="Value"), alt.Tooltip("status:N", title="Status"),
                 alt.Tooltip("confidence:N", title="Confidence"), alt.Tooltip("note:N", title="Note"),
                 alt.Tooltip("sources:N", title="Sources")],
    ).add_params(status).properties(height=alt.Step(22))
    return charts.finish(
        dots,
        title=f"The 1989–91 deals are valued at anything from ${low:.0f}bn to ${high:.1f}bn",
        subtitle=(f"{n} estimates of one set of agreements are dated 1989. One line per row of the arms data, "
                  "labelled with its first source; dot area shows the value, and the smallest dots have none reported. "
                  "Click the legend to pick a status."),
        description=("Dot plot of Soviet and Russian arms agreed with or delivered to Iran from 1989 to 2021, by year "
                     "with one line per row of the arms data and dot size showing the reported value. Three lines "
                     "dated 1989 are three different estimates of the same agreements; there are few rows between "
                     "1995 and 2000."),
    )


# Places named on the map (others are shown by their symbol and tooltip only, to avoid clutter).
LABELLED_PLACES = {"astrakhan", "makhachkala", "baku", "astara-iran", "rasht", "tehran", "bandar-abbas",
                   "chabahar", "mumbai", "bereket", "uzen"}


def corridor_rows(nodes: pd.DataFrame, segments: pd.DataFrame) -> pd.DataFrame:
    """One table for the map: a row per place and a row per link, with coordinates and sources."""
    places = nodes.assign(row="place", status=pd.NA, mode=pd.NA, lon2=pd.NA, lat2=pd.NA,
                          label=nodes["name"].where(nodes["id"].isin(LABELLED_PLACES)))
    ends = nodes.set_index("id")
    missing = set(segments["from_node"]).union(segments["to_node"]) - set(ends.index)
    if missing:
        raise ValueError(f"segments refer to unknown nodes: {sorted(missing)}")
    links = segments.assign(
        row="link",
        name=segments["from_node"].map(ends["name"]) + " – " + segments["to_node"].map(ends["name"]),
        country=pd.NA, kind=pd.NA,
        lon=segments["from_node"].map(ends["lon"]), lat=segments["from_node"].map(ends["lat"]),
        lon2=segments["to_node"].map(ends["lon"]), lat2=segments["to_node"].map(ends["lat"]),
        label=pd.NA,
    )
    links["operating"] = links["status"].eq("operating").map({True: "operating", False: "planned, building or gap"})
    places["operating"] = pd.NA
    columns = ["row", "name", "label", "country", "route", "kind", "mode", "status", "operating",
               "lon", "lat", "lon2", "lat2", "sources"]
    rows = pd.concat([places[columns], links[columns]], ignore_index=True)
    for coded in ("kind", "status"):
        rows[coded] = charts.in_words(rows[coded].astype("string"))
    return rows


def _box(data: pd.DataFrame, margin: float = 2.0) -> tuple[float, float, float, float]:
    """West, south, east, north of the places, widened by ``margin`` degrees."""
    places = data[data["row"] == "place"]
    return (float(places["lon"].min()) - margin, float(places["lat"].min()) - margin,
            float(places["lon"].max()) + margin, float(places["lat"].max()) + margin)


def corridor_map(nodes: pd.DataFrame, segments: pd.DataFrame) -> alt.TopLevelMixin:
    """Map of the North–South corridor's places and links over country outlines."""
    data = corridor_rows(nodes, segments)
    west, south, east, north = _box(data)
    frame = {"type": "Feature", "properties": {},
             "geometry": {"type": "Polygon",
                          "coordinates": [[[west, south], [west, north], [east, north], [east, south], [west, south]]]}}
    outlines = alt.Chart(alt.Data(values=countries(box=(west, south, east, north)))).mark_geoshape(
        fill="#f2efe9", stroke="#b5b0a6", strokeWidth=0.6, clip=True
    ).encode(tooltip=[alt.Tooltip("properties.name:N", title="Country")])
    layers = [outlines]
    route_colour = alt.Color("route:N", title="Route")
    links = alt.Chart().transform_filter(alt.datum.row == "link").mark_rule(strokeWidth=3).encode(
        longitude="lon:Q", latitude="lat:Q", longitude2="lon2:Q", latitude2="lat2:Q",
        color=route_colour,
        strokeDash=alt.StrokeDash("operating:N", title="Link",
                                  scale=alt.Scale(domain=["operating", "planned, building or gap"],
                                                  range=[[1, 0], [6, 4]])),
        tooltip=[alt.Tooltip("name:N", title="Link"), alt.Tooltip("mode:N", title="Mode"),
                 alt.Tooltip("status:N", title="Status"), alt.Tooltip("route:N", title="Route"),
                 alt.Tooltip("sources:N", title="Sources")],
    )
    places = alt.Chart().transform_filter(alt.datum.row == "place").mark_point(filled=True, size=70).encode(
        longitude="lon:Q", latitude="lat:Q",
        color=route_colour,
        shape=alt.Shape("kind:N", legend=None),
        tooltip=[alt.Tooltip("name:N", title="Place"), alt.Tooltip("country:N", title="Country"),
                 alt.Tooltip("kind:N", title="Kind"), alt.Tooltip("route:N", title="Route"),
                 alt.Tooltip("sources:N", title="Sources")],
    )
    labels = alt.Chart().transform_filter("isValid(datum.label)").mark_text(
        align="left", dx=6, dy=-5, fontSize=10, color=charts.TEXT
    ).encode(longitude="lon:Q", latitude="lat:Q", text="label:N")
    layers += [links, places, labels]
    chart = alt.layer(*layers, data=data).project(type="mercator", fit=frame).properties(height=520)
    return charts.finish(
        chart,
        title="The corridor's missing western link sits on the 1828 frontier at Astara",
        subtitle=f"North–South Transport Corridor: places and links, by route. {SOURCE_NOTE}",
        description=("Map of the International North–South Transport Corridor from Russia's Volga ports through the "
                     "Caucasus, the Caspian and Central Asia to Iran's Gulf ports and Mumbai. Solid lines are "
                     "operating links; dashed lines are planned links, links under construction or gaps, including "
                     "the Rasht–Astara railway gap on Iran's border with Azerbaijan."),
        sources=keys_in(data["sources"]),
    )


def quoted_turnover(trade: pd.DataFrame) -> dict[str, float]:
    """The few turnover values (US$ bn) the chapter quotes, read from the trade data."""
    turnover = trade[(trade["measure"] == "turnover") & ~trade["preliminary"].astype(bool)]

    def one(mask: pd.Series, what: str) -> float:
        rows = turnover[mask]
        if len(rows) != 1:
            raise ValueError(f"expected one trade row for {what}, found {len(rows)}")
        return float(rows["value_usd_bn"].iloc[0])

    return {
        "2000": one((turnover["year"] == 2000), "2000"),
        "2021": one((turnover["year"] == 2021) & (turnover["basis"] == "russian_customs"), "2021, Russian customs"),
        "2020_eec": one((turnover["year"] == 2020) & (turnover["basis"] == "eec"), "2020, EEC"),
        "2020_kozhanov": one((turnover["year"] == 2020) & turnover["sources"].str.contains("kozhanov2023putin"),
                             "2020, Kozhanov"),
    }


def _date_text(row: pd.Series) -> str:
    if row["date_precision"] == "day":
        return row["date"].strftime("%d %b %Y").lstrip("0")
    if row["date_precision"] == "month":
        return row["date"].strftime("%b %Y")
    return row["date"].strftime("%Y")


def timeline_table(events: pd.DataFrame, categories: tuple[str, ...] = ("treaty", "war")):
    """The chapter's treaties and wars as a table (date, event, reading, sources)."""
    rows = events[events["category"].isin(categories)].sort_values("date")
    if rows.empty:
        raise ValueError(f"no events of categories {categories}")
    table = pd.DataFrame({
        "Date": rows.apply(_date_text, axis=1),
        "Event": rows["title"],
        "Kind": rows["category"],
        "Reading": rows["relation"],
        "Sources": rows["sources"].str.replace(";", "; "),
    })
    return table.style.hide(axis="index")


def era_summary(era: str, events: pd.DataFrame) -> str:
    """HTML: for one era, the counts of events by reading and the treaties signed."""
    rows = history_events(events) if "era" not in events.columns else events
    name = era_name(era)
    in_era = rows[rows["era"] == era]
    counts = in_era["relation"].value_counts().reindex(RELATIONS, fill_value=0)
    cells = "".join(f"<tr><th scope='row'>{r}</th><td>{int(counts[r])}</td></tr>" for r in RELATIONS)
    treaties = in_era[in_era["category"] == "treaty"]
    if treaties.empty:
        treaty_html = "<p>No treaty among this era's events.</p>"
    else:
        items = "".join(
            f"<li>{html.escape(_date_text(t))}: {html.escape(t['title'])} "
            f"(<em>{html.escape(t['relation'])}</em>)</li>" for _, t in treaties.iterrows())
        treaty_html = f"<p>Treaties signed:</p><ul>{items}</ul>"
    return (f"<p><strong>{html.escape(era)}: {html.escape(name)}</strong>, {len(in_era)} events.</p>"
            f"<table class='ri-data-table'><caption>Events by the module's reading</caption>{cells}</table>"
            f"{treaty_html}")


def era_explorer(events: pd.DataFrame, era: str = "1800–1829"):
    """An ipywidgets explorer: pick an era, see its counts and treaties."""
    import ipywidgets as widgets

    from ..widgets import explorer

    rows = history_events(events) if "era" not in events.columns else events
    picker = widgets.Dropdown(options=[(f"{label} {name}", label) for label, name, *_ in ERAS],
                              value=era, description="Era")
    return explorer({"era": picker}, render=lambda era: era_summary(era, rows),
                    title="Cooperation and conflict in one era")


def numbers(events: pd.DataFrame, arms: pd.DataFrame, trade: pd.DataFrame) -> dict[str, float | int]:
    """Every number the chapter's prose glues, by name, computed from the data."""
    low, high, n = estimates_1989(arms)
    turnover = quoted_turnover(trade)
    return {
        "n_events": len(events),
        "n_conflict": int((events["relation"] == "conflict").sum()),
        "n_cooperation": int((events["relation"] == "cooperation").sum()),
        "arms_low": low, "arms_high": high, "arms_n": n,
        "s300_first": int(arms.set_index("id").loc["s-300pmu2-2015", "first_delivery_year"]),
        "trade_2000": turnover["2000"], "trade_2021": turnover["2021"],
        "trade_2020_eec": turnover["2020_eec"], "trade_2020_koz": turnover["2020_kozhanov"],
        "share_conflict_before_1917": 100 * conflict_share(events, 1722, 1916),
        "share_conflict_after_1989": 100 * conflict_share(events, 1989, 2021),
    }
