"""This edition of the module: its version, release date and how far its story goes.

The one source of truth for these facts. The build writes them into every
page (a banner carrying ``data-covers-to``, and the MyST substitutions
``{{ covers_to }}``, ``{{ version }}`` and ``{{ released }}``); tests check that
the README, ``CITATION.cff`` and the events data agree with them.
Edit them here, together with ``reference/changes.md``, when a new edition
is released.
"""

from __future__ import annotations

from datetime import date

VERSION = "0.2.0"
RELEASED = date(2026, 12, 6)
# The last day the chapters and the data follow events to: no event in the
# data is later, and the latest dated source read is no earlier.
COVERS_TO = date(2026, 6, 30)


def in_words(day: date) -> str:
    """'30 June 2026' (no leading zero, as the chapters write dates)."""
    return f"{day.day} {day:%B %Y}"


def substitutions() -> dict[str, str]:
    """The MyST substitutions every page can use."""
    return {"covers_to": in_words(COVERS_TO), "version": VERSION, "released": in_words(RELEASED)}


def banner_html(changes_href: str) -> str:
    """The notice at the top of every page: how far the story goes, machine-readable too."""
    return (f'<p class="ri-edition" data-covers-to="{COVERS_TO.isoformat()}">'
            f"This edition (version {VERSION}) follows events to {in_words(COVERS_TO)}. "
            f'<a href="{changes_href}">What changed in this edition</a></p>')
