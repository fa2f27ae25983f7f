"""Helper package of the module *Russia and Iran: An Uneven Partnership*.

Chapters, exercises and tests all go through it:

    from russia_iran import load, show
    from russia_iran import charts      # house theme, finish(), source lines

``load(name)`` returns a data set as a typed DataFrame; ``show(chart, name)``
displays a finished chart with its data table and CSV download. Importing
``charts`` (which ``show`` and every figure module do) enables the house theme.
"""

from importlib import import_module

# Names load their module on first use (PEP 562), so that the build's Sphinx
# extension, which needs none of them, does not import pandas and Altair.
LAZY_EXPORTS = {"DataError": "data", "load": "data", "names": "data", "validate": "data", "show": "display"}
_SUBMODULES = {"charts", "data", "display", "sources", "widgets", "basemap", "figures",
               "assignments", "grading", "editions", "about"}

__all__ = ["DataError", "charts", "load", "names", "show", "validate"]


def __getattr__(name: str):
    if name in LAZY_EXPORTS:
        return getattr(import_module(f".{LAZY_EXPORTS[name]}", __name__), name)
    if name in _SUBMODULES:
        return import_module(f".{name}", __name__)
    raise AttributeError(f"module 'russia_iran' has no attribute {name!r}")
