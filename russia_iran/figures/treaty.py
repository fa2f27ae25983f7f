"""Charts, a coding helper and an explorer for the chapter on the 2025 Russia–Iran treaty."""

from __future__ import annotations

import html
import re

import altair as alt
import pandas as pd

from .. import charts
from ..sources import keys_in
from ..vocabulary import COMMITMENT_LABELS, DOMAIN_LABELS, TREATY_LABELS

COMMITMENTS = ["binding", "consult", "intent", "not_read"]
COMMITMENT_LETTERS = {"binding": "B", "consult": "C", "intent": "I", "not_read": "·"}
COMMITMENT_COLOURS = {"binding": charts.PALETTE[1], "consult": charts.PALETTE[0],
                      "intent": charts.PALETTE[2], "not_read": "#e3e3e3"}
ALL_TREATIES = "Both treaties"
ALL_DOMAINS = "All domains"

# Agreements compared in the side-by-side chart, oldest first.
COMPARED = ["russia-persia-1921", "russia-iran-2001", "iran-china-2021", "russia-dprk-2024", "russia-iran-2025"]
AGREEMENT_DOMAINS = ["security", "military", "nuclear", "energy", "trade", "finance", "transport",
                     "information", "culture", "science", "legal", "territory"]

# The EAEU–Iran agreements whose entry into force the trade chart marks.
FTA_KINDS = {"eaeu-iran-2018": "Interim", "eaeu-iran-2023": "Full"}


# --------------------------------------------------------------------------- provisions

def provisions_frame(provisions: pd.DataFrame) -> pd.DataFrame:
    """One row per article of the coded treaties, with readable labels, in treaty and article order."""
    rows = provisions[provisions["treaty"].isin(["russia-iran-2025", "russia-dprk-2024"])].copy()
    if rows.empty:
        raise ValueError("treaty_provisions has no rows for the 2025 or 2024 treaties")
    rows["treaty_label"] = rows["treaty"].map(TREATY_LABELS)
    rows["commitment_label"] = rows["commitment"].map(COMMITMENT_LABELS)
    rows["code"] = rows["commitment"].map(COMMITMENT_LETTERS)
    rows["domain_label"] = rows["domain"].map(DOMAIN_LABELS)
    rows["paraphrase"] = rows["paraphrase"].fillna("(not read)")
    rows["article"] = rows["article"].astype(int)
    order = {"russia-iran-2025": 0, "russia-dprk-2024": 1}
    rows = rows.sort_values(["treaty", "article"], key=lambda s: s.map(order) if s.name == "treaty" else s)
    return rows[["treaty_label", "article", "domain_label", "commitment", "commitment_label", "code",
                 "paraphrase", "sources"]].reset_index(drop=True)

# The chapter's timeline (figures.timeline.chart), titled like the other charts.
TIMELINE = {
    "title": "Twenty months from Raisi's death to a treaty in force",
    "description": "Timeline of events from May 2024 to October 2025 in Russian–Iranian relations: the treaty's negotiation, signature, ratification and entry into force, and the trade, gas and railway agreements around it, one row per category.",
    "subtitle": "Events discussed in this chapter; shape shows the module's reading of each event.",
}



def read_counts(provisions: pd.DataFrame, treaty: str) -> dict[str, int]:
    """How many articles (preamble counted as article 0) a treaty has in the data, how many were read, by level."""
    rows = provisions[provisions["treaty"] == treaty]
    if rows.empty:
        raise ValueError(f"no provisions for treaty {treaty!r}")
    counts = rows["commitment"].value_counts()
    out = {level: int(counts.get(level, 0)) for level in COMMITMENTS}
    out["rows"] = int(len(rows))
    out["articles"] = int((rows["article"] > 0).sum())
    out["read"] = out["rows"] - out["not_read"]
    return out


def provisions_grid(provisions: pd.DataFrame) -> alt.TopLevelMixin:
    """Every article as a cell: colour and letter give the strength of commitment; dropdowns pick treaty and domain."""
    data = provisions_frame(provisions)
    treaties = list(dict.fromkeys(data["treaty_label"]))
    domains = [DOMAIN_LABELS[d] for d in DOMAIN_LABELS if DOMAIN_LABELS[d] in set(data["domain_label"])]
    pick_treaty = alt.param(name="treaty_choice", value=ALL_TREATIES,
                            bind=alt.binding_select(options=[ALL_TREATIES] + treaties, name="Treaty: "))
    pick_domain = alt.param(name="domain_choice", value=ALL_DOMAINS,
                            bind=alt.binding_select(options=[ALL_DOMAINS] + domains, name="Highlight domain: "))
    in_treaty = (alt.datum.treaty_label == pick_treaty) | (pick_treaty == ALL_TREATIES)
    in_domain = (alt.datum.domain_label == pick_domain) | (pick_domain == ALL_DOMAINS)
    x = alt.X("article:O", title="Article (0 = preamble)", axis=alt.Axis(labelAngle=0, labelFontSize=9, labelOverlap=True))
    y = alt.Y("treaty_label:N", title=None, sort=treaties)
    tooltip = [alt.Tooltip("treaty_label:N", title="Treaty"), alt.Tooltip("article:O", title="Article"),
               alt.Tooltip("domain_label:N", title="Domain"), alt.Tooltip("commitment_label:N", title="Commitment"),
               alt.Tooltip("paraphrase:N", title="Paraphrase"), alt.Tooltip("sources:N", title="Sources")]
    base = alt.Chart(data).transform_filter(in_treaty)
    cells = base.mark_rect(stroke="white", strokeWidth=1.5).encode(
        x=x, y=y,
        color=alt.Color("commitment:N", title="Commitment",
                        scale=alt.Scale(domain=COMMITMENTS, range=[COMMITMENT_COLOURS[c] for c in COMMITMENTS]),
                        legend=alt.Legend(labelExpr="{'binding': 'B binding (shall)', "
                                                    "'consult': 'C consult', "
                                                    "'intent': 'I intent (strive)', "
                                                    "'not_read': '· not read'}[datum.label]")),
        opacity=alt.condition(in_domain, alt.value(1.0), alt.value(0.18)),
        tooltip=tooltip,
    )
    letters = base.mark_text(fontSize=11, fontWeight="bold").encode(
        x=x, y=y, text="code:N",
        color=alt.condition(alt.datum.commitment == "not_read", alt.value("#8c959f"), alt.value("white")),
        opacity=alt.condition(in_domain, alt.value(1.0), alt.value(0.25)),
        tooltip=tooltip,
    )
    layered = alt.layer(cells, letters).add_params(pick_treaty, pick_domain).properties(height=130)
    return charts.finish(
        layered,
        title="Russia's treaty with Iran binds it to stay out; its treaty with North Korea binds it to help",
        subtitle=("Each cell is one article, coded by its strongest undertaking. Grey cells were not read and are not "
                  "coded; the articles read are those the press quoted, not a sample of the treaty."),
        description="Grid of articles: one row for the 2025 Russia–Iran treaty (preamble and 47 articles) and one for "
                    "the 2024 Russia–DPRK treaty (preamble and 23 articles). Each cell's colour and letter give the "
                    "strength of commitment: B binding, C consult, I intent; grey cells with a dot were not read. "
                    "Dropdowns show one treaty or both and highlight one domain.")


# --------------------------------------------------------------------------- agreements side by side

def comparison_frame(agreements: pd.DataFrame) -> pd.DataFrame:
    """Long table: for each compared agreement, one row per domain (covered or not) and one per obligation."""
    rows = agreements[agreements["id"].isin(COMPARED)].copy()
    if rows.empty:
        raise ValueError("none of the compared agreements is in the agreements data")
    rows["order"] = rows["id"].map({k: i for i, k in enumerate(COMPARED)})
    rows = rows.sort_values("order")
    out = []
    for r in rows.itertuples():
        covered = set(str(r.domains).split(";"))
        for d in AGREEMENT_DOMAINS:
            out.append({"agreement": r.short_name, "panel": "Domains covered", "column": d,
                        "value": "covered" if d in covered else "not listed", "covered": d in covered,
                        "sources": r.sources})
        years = "unlimited or not stated" if pd.isna(r.duration_years) else f"{int(r.duration_years)} years"
        defence = "yes" if bool(r.mutual_defence) else "no"
        no_aid = "not known" if pd.isna(r.no_aid_to_aggressor) else ("yes" if bool(r.no_aid_to_aggressor) else "no")
        for col, val in (("Initial term", years), ("Mutual defence", defence), ("No aid to an aggressor", no_aid)):
            out.append({"agreement": r.short_name, "panel": "Obligations", "column": col, "value": val,
                        "covered": val.startswith(("yes", "1", "2")) or val.endswith("years"), "sources": r.sources})
    return pd.DataFrame(out)


# Wide enough for the columns of text; narrower screens scroll the chart in its frame.
COMPARISON_WIDTH = 360


def treaty_comparison(agreements: pd.DataFrame) -> alt.TopLevelMixin:
    """Side by side: which domains each treaty covers, and what it obliges the parties to do if one is attacked."""
    data = comparison_frame(agreements)
    names = list(dict.fromkeys(data["agreement"]))
    tooltip = [alt.Tooltip("agreement:N", title="Agreement"), alt.Tooltip("column:N", title="Item"),
               alt.Tooltip("value:N", title="Value"), alt.Tooltip("sources:N", title="Sources")]
    y = alt.Y("agreement:N", title=None, sort=names, axis=alt.Axis(labelLimit=200))
    domains = alt.Chart().transform_filter(alt.datum.panel == "Domains covered").mark_point(size=150).encode(
        x=alt.X("column:N", title=["Domains covered: filled square = listed", "in the data, hollow circle = not listed"], sort=AGREEMENT_DOMAINS,
                axis=alt.Axis(labelAngle=-40, orient="top")),
        y=y,
        shape=alt.Shape("value:N", legend=None, scale=alt.Scale(domain=["covered", "not listed"],
                                                                 range=["square", "circle"])),
        stroke=alt.Stroke("value:N", legend=None, scale=alt.Scale(domain=["covered", "not listed"],
                                                                  range=[charts.PALETTE[0], "#b0b0b0"])),
        fill=alt.condition(alt.datum.covered, alt.value(charts.PALETTE[0]), alt.value("transparent")),
        tooltip=tooltip,
    ).properties(width=COMPARISON_WIDTH, height=34 * len(names))
    obligations = alt.Chart().transform_filter(alt.datum.panel == "Obligations").mark_text(fontSize=12).encode(
        x=alt.X("column:N", title="If one party is attacked…", sort=["Mutual defence", "No aid to an aggressor", "Initial term"],
                axis=alt.Axis(labelAngle=0, orient="top", labelLimit=170)),
        y=y,
        text="value:N",
        color=alt.condition(alt.datum.value == "yes", alt.value(charts.PALETTE[1]), alt.value(charts.TEXT)),
        tooltip=tooltip,
    ).properties(width=COMPARISON_WIDTH, height=34 * len(names))
    combined = alt.vconcat(domains, obligations, data=data, spacing=16)
    return charts.finish(
        combined, responsive=False,
        title="Only the North Korea treaty obliges Russia to fight; the Iran treaties promise not to help an attacker",
        subtitle="Domains as coded in the agreements data; the obligations columns answer 'what happens if one party is attacked?'",
        description="Two panels for five agreements (the 1921 Soviet–Persian treaty, the 2001 and 2025 Russia–Iran "
                    "treaties, the 2021 Iran–China plan and the 2024 Russia–DPRK treaty). Top: a filled square for "
                    "each domain the agreement covers, a hollow circle where none is listed. Below: its initial term and "
                    "whether it contains a mutual-defence clause and a promise not to help an aggressor.")


# --------------------------------------------------------------------------- trade and the FTA

def _decimal_year(date: pd.Timestamp) -> float:
    start = pd.Timestamp(year=date.year, month=1, day=1)
    return date.year + (date - start).days / 365.25


def fta_dates(agreements: pd.DataFrame) -> pd.DataFrame:
    """The entry-into-force dates of the interim and full EAEU–Iran agreements, as decimal years for the axis."""
    rows = agreements[agreements["id"].isin(FTA_KINDS)].dropna(subset=["in_force"]).copy()
    if len(rows) != len(FTA_KINDS):
        raise ValueError("the agreements data lacks an entry-into-force date for an EAEU–Iran agreement")
    kind = rows["id"].map(FTA_KINDS)
    rows["label"] = kind + " EAEU–Iran FTA in force, " + rows["in_force"].dt.strftime("%d %b %Y").str.lstrip("0")
    # Two short lines beside the rule: a long one runs off a phone-width chart.
    rows["mark"] = kind + " FTA\n" + rows["in_force"].dt.strftime("%b %Y")
    rows["year"] = rows["in_force"].map(_decimal_year)
    rows["in_force"] = rows["in_force"].dt.strftime("%Y-%m-%d")
    return rows[["label", "mark", "in_force", "year", "sources"]].reset_index(drop=True)


def turnover_points(trade: pd.DataFrame, start: int = 2013) -> pd.DataFrame:
    """Every source's Russia–Iran turnover figure from ``start`` on, flagged full-year or partial/preliminary."""
    rows = trade[(trade["measure"] == "turnover") & (trade["year"] >= start)].copy()
    if rows.empty:
        raise ValueError("no turnover rows in the trade data")
    rows["year"] = rows["year"].astype(int)
    rows["figure"] = rows["preliminary"].map({True: "partial year or preliminary", False: "full year"})
    rows["basis"] = rows["basis"].str.replace("_", " ")
    return rows[["year", "value_usd_bn", "basis", "figure", "sources"]].sort_values("year").reset_index(drop=True)


def median_turnover(trade: pd.DataFrame, year: int) -> float:
    """Median of the full-year turnover figures the sources give for one year (US$ bn)."""
    rows = turnover_points(trade, start=year)
    rows = rows[(rows["year"] == year) & (rows["figure"] == "full year")]
    if rows.empty:
        raise ValueError(f"no full-year turnover figure for {year}")
    return float(rows["value_usd_bn"].median())


def trade_and_fta(trade: pd.DataFrame, agreements: pd.DataFrame) -> alt.TopLevelMixin:
    """Turnover figures by year with the median line, and rules at the two EAEU–Iran entry-into-force dates."""
    points = turnover_points(trade)
    rules = fta_dates(agreements)
    show_partial = alt.param(name="show_partial", value=False,
                             bind=alt.binding_checkbox(name="Include partial-year and preliminary figures "))
    keep = (alt.datum.figure == "full year") | show_partial
    tooltip = [alt.Tooltip("year:Q", title="Year", format="d"),
               alt.Tooltip("value_usd_bn:Q", title="Turnover (US$ bn)", format=".2f"),
               alt.Tooltip("basis:N", title="Statistical basis"), alt.Tooltip("figure:N", title="Figure"),
               alt.Tooltip("sources:N", title="Source")]
    x = alt.X("year:Q", title="Year", axis=alt.Axis(format="d", tickMinStep=1), scale=alt.Scale(domain=[2012.5, 2025.9]))
    y = alt.Y("value_usd_bn:Q", title="Russia–Iran goods turnover, US$ billion")
    dots = alt.Chart(points).transform_filter(keep).mark_point(size=70, filled=True, opacity=0.8).encode(
        x=x, y=y,
        shape=alt.Shape("figure:N", title="Figure", scale=alt.Scale(domain=["full year", "partial year or preliminary"],
                                                                   range=["circle", "triangle-down"])),
        color=alt.Color("figure:N", title="Figure", scale=alt.Scale(domain=["full year", "partial year or preliminary"],
                                                                   range=[charts.PALETTE[0], "#999999"])),
        tooltip=tooltip,
    )
    line = alt.Chart(points).transform_filter(keep).mark_line(color=charts.MUTED, strokeDash=[2, 2]).encode(
        x="year:Q", y=alt.Y("median(value_usd_bn):Q"),
        tooltip=[alt.Tooltip("year:Q", title="Year", format="d"),
                 alt.Tooltip("median(value_usd_bn):Q", title="Median of the figures shown (US$ bn)", format=".2f")],
    )
    rule_tooltip = [alt.Tooltip("label:N", title="Agreement"), alt.Tooltip("in_force:N", title="In force"),
                    alt.Tooltip("sources:N", title="Sources")]
    rule = alt.Chart(rules).mark_rule(color=charts.PALETTE[1], strokeWidth=2).encode(x="year:Q", tooltip=rule_tooltip)
    label = alt.Chart(rules).mark_text(align="right", dx=-4, baseline="bottom", fontSize=11, lineBreak="\n",
                                       color=charts.PALETTE[1]).encode(
        x="year:Q", y=alt.value(312), text="mark:N", tooltip=rule_tooltip)
    layered = alt.layer(dots, line, rule, label).add_params(show_partial).properties(height=320)
    return charts.finish(
        layered,
        title="Trade doubled in the two years after the interim agreement, then hovered near $4–5 billion",
        subtitle="Each point is one source's figure; the dashed line joins the yearly medians. Orange rules: EAEU–Iran agreements enter into force.",
        description="Scatter plot of Russia–Iran goods turnover from 2013, one point per source, with a dashed line "
                    "through the median of each year's figures. Two vertical rules mark the entry into force of the "
                    "interim EAEU–Iran free trade agreement (27 October 2019) and of the full agreement (15 May 2025). "
                    "A checkbox adds partial-year and preliminary figures.",
        sources=keys_in(pd.concat([points["sources"], rules["sources"]])))


# --------------------------------------------------------------------------- coding one clause

CODING_RULES = [
    ("binding", "shall / shall not / must not / undertakes (not) to + a checkable act or abstention",
     r"\b(shall|will|must|undertakes?)\s+(not\s+|immediately\s+|to\s+|not\s+to\s+)?"
     r"(provide|allow|permit|give|join|conclude|enter|refrain|establish|set up|apply)\b"),
    ("consult", "consult, coordinate, or exchange information, views or experience",
     r"\b(consult\w*|coordinat\w*|exchange\w*\s+(of\s+)?(information|views|opinions|experience))\b"),
    ("intent", "strive, seek, aspire, intend, promote, facilitate, encourage, develop, strengthen, cooperate",
     r"\b(striv\w*|seek\w*|aspir\w*|intend\w*|promot\w*|facilitat\w*|encourag\w*|develop\w*|strengthen\w*|cooperat\w*)\b"),
]


def code_clause(text: str) -> dict:
    """Apply the module's coding rules to one clause: the triggers found, the rule used and the code.

    The strongest level with a trigger wins (binding > consult > intent). With no
    trigger at all the clause cannot be coded and is returned as ``uncoded``.
    """
    if not text or not text.strip():
        raise ValueError("no text to code")
    found = {}
    for level, _rule, pattern in CODING_RULES:
        found[level] = [m.group(0) for m in re.finditer(pattern, text, flags=re.IGNORECASE)]
    for level, rule, _pattern in CODING_RULES:
        if found[level]:
            return {"triggers": found, "level": level, "rule": rule}
    return {"triggers": found, "level": "uncoded", "rule": "no trigger word: read the clause again by hand"}


def coding_steps(text: str) -> pd.DataFrame:
    """The decision for one clause as a small table: each level, its triggers found, and whether it decides."""
    result = code_clause(text)
    decided = False
    rows = []
    for level, rule, _pattern in CODING_RULES:
        hits = result["triggers"][level]
        decides = bool(hits) and not decided
        decided = decided or decides
        rows.append({"step": len(rows) + 1, "level tested": level, "rule": rule,
                     "trigger words found": "; ".join(hits) if hits else "none",
                     "decision": f"code = {level}" if decides else ("stronger level already applies" if hits else "go on")})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- explorer

def domain_table(provisions: pd.DataFrame, domain: str = "security", include_unread: bool = False) -> str:
    """HTML table of the articles of both treaties in one domain, with their commitment and paraphrase."""
    data = provisions_frame(provisions)
    wanted = DOMAIN_LABELS.get(domain, domain)
    rows = data if domain == "all" else data[data["domain_label"] == wanted]
    if not include_unread:
        rows = rows[rows["commitment"] != "not_read"]
    label = "all domains" if domain == "all" else wanted.lower()
    if rows.empty:
        return (f"<p class='ri-explorer-empty'>No article coded as <strong>{html.escape(label)}</strong> was read "
                f"in either treaty.</p>")
    body = "".join(
        f"<tr><td>{html.escape(r.treaty_label)}</td><td>{r.article}</td>"
        f"<td>{html.escape(r.code)} {html.escape(r.commitment_label)}</td><td>{html.escape(r.paraphrase)}</td></tr>"
        for r in rows.itertuples())
    counts = rows.groupby("treaty_label")["article"].count()
    summary = "; ".join(f"{html.escape(k)}: {v}" for k, v in counts.items())
    return (f"<table class='ri-data-table'><caption>Articles in {html.escape(label)} ({summary})</caption>"
            f"<thead><tr><th>Treaty</th><th>Article</th><th>Commitment</th><th>Paraphrase</th></tr></thead>"
            f"<tbody>{body}</tbody></table>")


def rules_table() -> pd.DataFrame:
    """The coding rules as a table: level, what triggers it, and the pattern the code searches for."""
    return pd.DataFrame([{"level": level, "triggered by": rule, "pattern searched": pattern}
                         for level, rule, pattern in CODING_RULES])


EXPLORER_DOMAINS = ["security", "military_technical", "general", "finance_trade", "information", "multilateral", "unknown"]


def domain_controls() -> dict:
    """The explorer's controls: a domain dropdown (default security) and a checkbox for unread articles."""
    import ipywidgets as widgets

    options = [(DOMAIN_LABELS[d], d) for d in EXPLORER_DOMAINS] + [("All domains", "all")]
    return {"domain": widgets.Dropdown(options=options, value="security", description="Domain"),
            "include_unread": widgets.Checkbox(value=False, description="Include articles not read")}


def domain_renderer(provisions: pd.DataFrame):
    """A render function for the explorer, bound to the provisions data."""
    def render(domain: str = "security", include_unread: bool = False) -> str:
        return domain_table(provisions, domain, include_unread)
    return render


def numbers(provisions: pd.DataFrame, agreements: pd.DataFrame, trade: pd.DataFrame,
            events: pd.DataFrame) -> dict[str, float | int]:
    """Every number the chapter's prose glues, by name, computed from the data (agreements indexed by id)."""
    iran, dprk = read_counts(provisions, "russia-iran-2025"), read_counts(provisions, "russia-dprk-2024")
    treaty = agreements.loc["russia-iran-2025"]
    return {**{f"ir_{k}": iran[k] for k in ("articles", "read", "rows", "not_read", "binding", "consult", "intent")},
            **{f"kp_{k}": dprk[k] for k in ("articles", "read", "binding")},
            "n_events": len(events),
            "term_2025": int(treaty["duration_years"]),
            "term_2001": int(agreements.loc["russia-iran-2001", "duration_years"]),
            "days_to_force": (treaty["in_force"] - treaty["signed"]).days,
            **{f"med_{year}": median_turnover(trade, year) for year in (2019, 2021, 2024)}}
