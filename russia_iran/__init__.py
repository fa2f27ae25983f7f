"""Helper package of the module *Russia and Iran: An Uneven Partnership*.

Chapters, exercises and tests all go through it:

    from russia_iran import load, show
    from russia_iran import charts      # house theme, finish(), source lines

``load(name)`` returns a data set as a typed DataFrame; ``show(chart, name)``
displays a finished chart with its data table and CSV download.
"""

from . import charts  # noqa: F401  (registers the house theme)
from .data import DataError, load, names, validate
from .display import show

__all__ = ["DataError", "charts", "load", "names", "show", "validate"]
