"""What each assignment assesses, read from the masters: objective, strand and points per question.

Every question's statement opens with a header such as
``**Question 9** (3 points; objective 2, chronology; subject strand).`` — visible to students,
and the one record of what the question assesses. The instructor guide's map of objectives to
questions is drawn from it at build time (``{assessment-map}``), never typed by hand.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

from .masters import MASTERS_DIR, cell_source
from .paths import ROOT

CHAPTERS_DIR = ROOT / "chapters"
HEADER = re.compile(r"\*\*Question (\d+)\*\* \((graded by hand, )?([\d.]+) points?; objectives? ([\d, and]+), "
                    r"([^;]+); (subject|methods) strand\)")
MAX_METHODS_SHARE = 1 / 3  # of the automatically graded points (issue 15)


def questions(master: Path) -> list[dict]:
    """One record per question of an otter master; raises ValueError naming a question without a header."""
    cells = json.loads(Path(master).read_text(encoding="utf-8"))["cells"]
    found = []
    for i, cell in enumerate(cells):
        config = cell_source(cell)
        if cell.get("cell_type") != "raw" or not config.startswith("# BEGIN QUESTION"):
            continue
        name = re.search(r"name: (\w+)", config).group(1)
        statement = cell_source(cells[i + 1])
        m = HEADER.search(statement)
        if not m:
            raise ValueError(f"{Path(master).name} {name}: its statement lacks the header "
                             "'**Question N** (P points; objective K, skill; subject|methods strand)'")
        found.append({"name": name, "number": int(m.group(1)), "manual": "manual: true" in config,
                      "points": float(re.search(r"points: ([\d.]+)", config).group(1)),
                      "stated_points": float(m.group(3)),
                      "objectives": [int(n) for n in re.findall(r"\d+", m.group(4))],
                      "skill": m.group(5), "strand": m.group(6)})
    return found


def chapter_objectives(chapter: str) -> list[str]:
    """The learning objectives of a chapter, as its "Learning objectives" list states them."""
    text = (CHAPTERS_DIR / f"{chapter}.md").read_text(encoding="utf-8")
    block = text.split("## Learning objectives", 1)[1].split("\n## ", 1)[0]
    return [re.sub(r"\*\*(.+?)\*\*", r"\1", re.sub(r"\{numref\}`[^`]*`", "a figure", line.split(". ", 1)[1]))
            for line in block.splitlines() if re.match(r"\d+\. ", line)]


def summary(master: Path) -> dict:
    qs = questions(master)
    auto = [q for q in qs if not q["manual"]]
    auto_points = sum(q["points"] for q in auto)
    methods = sum(q["points"] for q in auto if q["strand"] == "methods")
    return {"assignment": Path(master).stem, "questions": len(qs), "auto_points": auto_points,
            "methods_points": methods, "methods_share": methods / auto_points if auto_points else 0.0,
            "hand_points": sum(q["points"] for q in qs if q["manual"])}


def _cell(text: str) -> str:
    return f"<td>{html.escape(text)}</td>"


def map_html(masters_dir: Path = MASTERS_DIR) -> str:
    """Two tables: each assignment's points by strand, then each objective with the questions on it."""
    masters = sorted(masters_dir.glob("0*.ipynb"))
    rows = []
    for m in masters:
        s = summary(m)
        rows.append("<tr>" + "".join(_cell(t) for t in (
            f"Assignment {int(m.stem[:2])}", str(s["questions"]), f"{s['auto_points']:g}",
            f"{s['auto_points'] - s['methods_points']:g} ({1 - s['methods_share']:.0%})",
            f"{s['methods_points']:g} ({s['methods_share']:.0%})", f"{s['hand_points']:g}")) + "</tr>")
    points = ("<div class='ri-table-scroll' role='region' tabindex='0' aria-label='Points by strand'>"
              "<table class='ri-data-table'><caption>Points of each assignment by strand</caption><thead><tr>"
              "<th>Assignment</th><th>Questions</th><th>Checked automatically</th><th>of which subject</th>"
              "<th>of which methods</th><th>Graded by hand</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table></div>")
    rows = []
    for m in masters:
        qs = questions(m)
        for k, objective in enumerate(chapter_objectives(m.stem), 1):
            on = [q for q in qs if k in q["objectives"]]
            listed = "; ".join(f"q{q['number']} ({'hand' if q['manual'] else 'auto'}, {q['skill']}, "
                               f"{q['strand']})" for q in on) or "none: see the discussion prompts"
            rows.append("<tr>" + _cell(f"{m.stem[:2]}.{k}") + _cell(objective) + _cell(listed) + "</tr>")
    objectives = ("<div class='ri-table-scroll' role='region' tabindex='0' aria-label='Objectives and questions'>"
                  "<table class='ri-data-table'><caption>Each chapter objective and the questions that assess it"
                  "</caption><thead><tr><th>Objective</th><th>Students can…</th><th>Questions</th></tr></thead><tbody>"
                  + "".join(rows) + "</tbody></table></div>")
    return points + objectives


class AssessmentMapDirective(SphinxDirective):
    """``{assessment-map}``: the tables of map_html, drawn from the masters at build time."""

    def run(self):
        for master in sorted(MASTERS_DIR.glob("0*.ipynb")):
            self.env.note_dependency(str(master))
        try:
            markup = map_html()
        except ValueError as e:
            raise self.error(str(e)) from None
        return [nodes.raw("", markup, format="html")]
