"""The data sets described for readers, from datapackage.json and the data itself.

A cell of the "About the data" page (reference/about_data.md) displays this
Markdown, so the page can never disagree with the package's schemas.
"""

from __future__ import annotations

from collections import Counter

from . import data
from .sources import bibliography, keys_in


def _constraints(field: dict) -> str:
    c = field.get("constraints", {})
    parts = []
    if c.get("required"):
        parts.append("required")
    if c.get("unique"):
        parts.append("unique")
    if "enum" in c:
        parts.append("one of " + ", ".join(f"`{v}`" for v in c["enum"]))
    if "minimum" in c or "maximum" in c:
        parts.append(f"from {c.get('minimum', '…')} to {c.get('maximum', '…')}")
    return "; ".join(parts)


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def dataset_markdown(name: str) -> str:
    res = data.resource(name)
    frame = data.load(name)
    lines = [f"### {res['title']}", "", f"`{name}` — {res['description']}", ""]
    facts = [f"{len(frame)} rows"]
    if "sources" in frame:
        keys = keys_in(frame["sources"])
        kinds = Counter(bibliography()[k].fields.get("keywords", "unknown") for k in keys)
        facts.append(f"{len(keys)} distinct sources (" + ", ".join(f"{n} {kind}" for kind, n in kinds.most_common()) + ")")
    if "confidence" in frame:
        counts = frame["confidence"].value_counts()
        facts.append("confidence: " + ", ".join(f"{counts.get(level, 0)} {level}" for level in ("high", "medium", "low")))
    lines += ["; ".join(facts) + ".", "",
              f"Download: {{download}}`{res['path']} <../data/{res['path']}>`. Licence: CC BY 4.0.", "",
              "| Field | Type | Meaning | Constraints |", "| --- | --- | --- | --- |"]
    for field in res["schema"]["fields"]:
        meaning = field.get("description", field.get("title", ""))
        lines.append(f"| `{field['name']}` | {field.get('type', 'string')} | {_cell(meaning)} | {_cell(_constraints(field))} |")
    key = res["schema"].get("primaryKey")
    if key:
        lines += ["", f"Each row is identified by: {', '.join(f'`{k}`' for k in key)}."]
    return "\n".join(lines) + "\n"


def datasets_markdown() -> str:
    return "\n".join(dataset_markdown(name) for name in data.names())
