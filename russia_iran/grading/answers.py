"""Answers as data: how stage one hands a notebook's answers to stage two.

Stage one (inside the sandbox, after the student's code) calls :func:`export`; stage two
(a fresh process that runs no student code) calls :func:`load`. The file is plain JSON:
numbers, strings and None as themselves, tables in pandas' JSON table schema, charts as
their Vega-Lite JSON. Nothing is ever unpickled, so a forged file can at most claim
answers, which the hidden tests then judge like any others.
"""

from __future__ import annotations

import io
import json
import math
import numbers
import re
from pathlib import Path

MAX_BYTES = 32 * 1024 * 1024   # a larger answers file is refused as a whole
MAX_DEPTH = 4                  # lists in lists in ...: deeper parts become "other"
MAX_ITEMS = 10_000
CHART_CLASSES = ("Chart", "LayerChart", "HConcatChart", "VConcatChart", "ConcatChart", "FacetChart", "RepeatChart")


class AnswersError(ValueError):
    """The answers file cannot be read: stage one's result is reported as an error, never scored."""


def encode(value, depth: int = 0) -> dict:
    """One answer as JSON-ready data, keeping the type distinctions the tests ask about."""
    import pandas as pd

    if value is None:
        return {"kind": "none"}
    if value is Ellipsis:
        return {"kind": "ellipsis"}
    if isinstance(value, bool):
        return {"kind": "bool", "value": value}
    if isinstance(value, numbers.Integral):
        return {"kind": "int", "value": str(int(value))}
    if isinstance(value, numbers.Real):
        return {"kind": "float", "value": repr(float(value))}
    if isinstance(value, str):
        return {"kind": "str", "value": value}
    if isinstance(value, pd.DataFrame):
        return {"kind": "table", "table": value.to_json(orient="table", date_format="iso", default_handler=str)}
    if isinstance(value, pd.Series):
        return {"kind": "column", "name": None if value.name is None else str(value.name),
                "table": value.to_frame(name="value").to_json(orient="table", date_format="iso",
                                                                default_handler=str)}
    if type(value).__name__ in CHART_CLASSES and type(value).__module__.startswith("altair"):
        try:
            spec = value.to_dict()
        except Exception:  # noqa: BLE001 - an invalid chart is still the student's chart
            spec = value.to_dict(validate=False)
        return {"kind": "chart", "class": type(value).__name__, "spec": spec}
    if isinstance(value, (list, tuple)) and depth < MAX_DEPTH and len(value) <= MAX_ITEMS:
        return {"kind": type(value).__name__, "items": [encode(v, depth + 1) for v in value]}
    if isinstance(value, dict) and depth < MAX_DEPTH and len(value) <= MAX_ITEMS:
        return {"kind": "dict", "items": [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in value.items()]}
    return {"kind": "other", "type": type(value).__name__}


def export(names: list[str], path: str, namespace: dict) -> None:
    """Write the named variables of a notebook's namespace (those it defines) to ``path``."""
    answers = {}
    for name in names:
        if name in namespace:
            try:
                answers[name] = encode(namespace[name])
            except Exception as e:  # noqa: BLE001 - one odd value must not lose the others
                answers[name] = {"kind": "other", "type": type(namespace[name]).__name__, "error": str(e)[:200]}
    Path(path).write_text(json.dumps(answers), encoding="utf-8")


# --------------------------------------------------------------------------- stage two


def _other(type_name: object):
    """A stand-in whose type has the original's name, so a test's message can say 'not a function'."""
    name = re.sub(r"\W", "_", str(type_name))[:60] or "object"
    if not name[0].isalpha():
        name = "x" + name
    return type(name, (), {"__repr__": lambda self: f"<{name}>"})()


def decode(entry, depth: int = 0):
    import pandas as pd

    if not isinstance(entry, dict) or depth > MAX_DEPTH + 1:
        return _other("unreadable")
    kind = entry.get("kind")
    value = entry.get("value")
    if kind == "none":
        return None
    if kind == "ellipsis":
        return Ellipsis
    if kind == "bool" and isinstance(value, bool):
        return value
    if kind == "int" and isinstance(value, str) and re.fullmatch(r"-?\d{1,400}", value):
        return int(value)
    if kind == "float" and isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return math.nan
    if kind == "str" and isinstance(value, str):
        return value
    if kind in ("table", "column") and isinstance(entry.get("table"), str):
        try:
            frame = pd.read_json(io.StringIO(entry["table"]), orient="table")
        except Exception:  # noqa: BLE001 - whatever pandas makes of a malformed table
            return _other("unreadable table")
        if kind == "table":
            return frame
        column = frame["value"] if "value" in frame.columns else pd.Series(dtype=object)
        return column.rename(entry.get("name"))
    if kind == "chart" and entry.get("class") in CHART_CLASSES and isinstance(entry.get("spec"), dict):
        import altair as alt

        try:
            return getattr(alt, entry["class"]).from_dict(entry["spec"], validate=False)
        except Exception:  # noqa: BLE001
            return _other("unreadable chart")
    if kind in ("list", "tuple") and isinstance(entry.get("items"), list):
        items = [decode(v, depth + 1) for v in entry["items"][:MAX_ITEMS]]
        return items if kind == "list" else tuple(items)
    if kind == "dict" and isinstance(entry.get("items"), list):
        pairs = [p for p in entry["items"][:MAX_ITEMS] if isinstance(p, list) and len(p) == 2]
        result = {}
        for k, v in pairs:
            key = decode(k, depth + 1)
            try:
                result[key] = decode(v, depth + 1)
            except TypeError:  # an unhashable key
                continue
        return result
    return _other(entry.get("type", "unknown"))


def load(path: Path) -> dict:
    """The answers stage one exported, as Python values; AnswersError if the file is unusable."""
    try:
        size = path.stat().st_size
    except OSError:
        raise AnswersError("the notebook's answers were not exported (did a cell end the kernel?)") from None
    if size > MAX_BYTES:
        raise AnswersError(f"the exported answers are {size / 1e6:.0f} MB, over the {MAX_BYTES / 1e6:.0f} MB limit")
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except (ValueError, RecursionError):
        raise AnswersError("the exported answers are not valid JSON") from None
    if not isinstance(data, dict):
        raise AnswersError("the exported answers are not a JSON object")
    return {str(name): decode(entry) for name, entry in data.items()}
