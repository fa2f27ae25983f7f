"""The bibliography: parse references.bib and format short citations."""

from __future__ import annotations

from functools import lru_cache

from pybtex.database import parse_file

from .paths import BIBLIOGRAPHY

SOURCE_KINDS = ("official", "state-media", "news", "think-tank", "academic",
                "reference", "statistics", "leaked-unverified", "commentary")


@lru_cache(maxsize=1)
def bibliography() -> dict:
    """Entries of references.bib by key."""
    return dict(parse_file(str(BIBLIOGRAPHY), bib_format="bibtex").entries)


def _author(entry) -> str:
    people = entry.persons.get("author", []) or entry.persons.get("editor", [])  # an edited volume: its editors
    if not people:
        return entry.fields.get("organization", "Anonymous").strip("{}")
    first = people[0]
    last = " ".join(first.last_names) or " ".join(first.first_names)
    name = last.replace("{", "").replace("}", "")
    if len(people) == 2:
        second = " ".join(people[1].last_names).replace("{", "").replace("}", "")
        return f"{name} and {second}"
    return name + (" et al." if len(people) > 2 else "")


def short_citation(key: str) -> str:
    """'Kozhanov (2023)' for a key; unknown keys raise KeyError naming the key."""
    try:
        entry = bibliography()[key]
    except KeyError:
        raise KeyError(f"{key!r} is not a key in references.bib") from None
    return f"{_author(entry)} ({entry.fields.get('year', 'n.d.')})"


def keys_in(column) -> list[str]:
    """Distinct source keys in a 'sources' column (keys separated by ';'), in order of appearance."""
    seen: dict[str, None] = {}
    for cell in column.dropna():
        for key in str(cell).split(";"):
            seen.setdefault(key, None)
    return list(seen)


def citations(cell: str) -> str:
    """'Kozhanov (2023); Riddle Russia (2025)' for a sources cell; an unknown key is shown as itself."""
    names = []
    for key in str(cell).split(";"):
        try:
            names.append(short_citation(key))
        except KeyError:
            names.append(key)
    return "; ".join(names)
