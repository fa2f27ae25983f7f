"""Explorers: a row of controls above an HTML result, live in the book and in a notebook.

The result is computed by a plain function of the control values, so it is tested without a
browser. An explorer shows itself two ways from one object: in JupyterLab as ipywidgets, which
recompute the result as the controls change; in the built book as plain HTML holding the
result for every combination of the (discrete) controls, which ``_static/russia_iran.js`` switches
between, so every control responds with no kernel and no widget manager. myst-nb is told to
prefer the HTML (``nb_mime_priority_overrides`` in ``_config.yml``).
"""

from __future__ import annotations

import html
import itertools
from typing import Callable

import ipywidgets as widgets

MAX_STATES = 200  # combinations written into the page; beyond that only the current one


def _choices(control: widgets.ValueWidget) -> list[tuple[str, object]]:
    """(label, value) for every value a control can take; a continuous control keeps its current one."""
    if isinstance(control, widgets.Checkbox):
        return [("no", False), ("yes", True)]
    if hasattr(control, "_options_values"):
        return list(zip(map(str, control._options_labels), control._options_values))
    return [(str(control.value), control.value)]


def _result(render: Callable[..., str], values: dict) -> str:
    try:
        return render(**values)
    except (ValueError, KeyError) as problem:  # a combination with no data is a message, not a traceback
        return f"<p role='alert'>{html.escape(str(problem))}</p>"


class Explorer:
    """Controls named like ``render``'s keyword arguments, above the HTML ``render`` returns."""

    def __init__(self, controls: dict[str, widgets.ValueWidget], render: Callable[..., str], title: str):
        if not controls:
            raise ValueError("an explorer needs at least one control")
        self.controls, self.render, self.title = controls, render, title
        self.result = widgets.HTML(layout=widgets.Layout(width="100%"))
        for control in controls.values():
            control.observe(self._update, names="value")
        self._update()
        heading = widgets.HTML(f"<strong>{html.escape(title)}</strong>")
        row = widgets.HBox(list(controls.values()), layout=widgets.Layout(flex_flow="row wrap"))
        self.widget = widgets.VBox([heading, row, self.result])
        self.widget.add_class("ri-explorer")

    def _update(self, _change=None) -> None:
        self.result.value = _result(self.render, {n: c.value for n, c in self.controls.items()})

    def static_html(self) -> str:
        """Every state's result in one page, the current one shown (see the module's docstring)."""
        names = list(self.controls)
        choices = [_choices(self.controls[n]) for n in names]
        current = [next((i for i, (_l, v) in enumerate(c) if v == self.controls[n].value), 0)
                   for n, c in zip(names, choices)]
        combos = list(itertools.product(*(range(len(c)) for c in choices)))
        if len(combos) > MAX_STATES:
            combos, choices = [tuple(current)], [[c[i]] for c, i in zip(choices, current)]
            current = [0] * len(names)
        fields = []
        for k, (name, options) in enumerate(zip(names, choices)):
            label = html.escape(self.controls[name].description or name)
            if isinstance(self.controls[name], widgets.Checkbox):
                checked = " checked" if options[current[k]][1] else ""
                fields.append(f'<label><input type="checkbox" data-control="{k}"{checked}> {label}</label>')
            else:
                opts = "".join(f'<option value="{i}"{" selected" if i == current[k] else ""}>{html.escape(l)}</option>'
                               for i, (l, _v) in enumerate(options))
                fields.append(f'<label>{label} <select data-control="{k}">{opts}</select></label>')
        panels = []
        for combo in combos:
            values = {n: choices[k][i][1] for k, (n, i) in enumerate(zip(names, combo))}
            shown = "" if list(combo) == current else " hidden"
            panels.append(f'<div data-state="{",".join(map(str, combo))}"{shown}>{_result(self.render, values)}</div>')
        return (f'<div class="ri-explorer ri-static-explorer"><p><strong>{html.escape(self.title)}</strong></p>'
                f'<div class="ri-explorer-controls">{"".join(fields)}</div>'
                f'<div class="ri-explorer-result" role="region" tabindex="0" aria-live="polite" '
                f'aria-label="{html.escape(self.title)}: result">{"".join(panels)}</div></div>')

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = self.widget._repr_mimebundle_() or {}
        return {**bundle, "text/html": self.static_html()}


def explorer(controls: dict[str, widgets.ValueWidget], render: Callable[..., str], title: str) -> Explorer:
    return Explorer(controls, render, title)
