"""ipywidgets explorers for readers who run the notebooks locally.

An explorer is a row of controls above an HTML result. The result is
computed by a plain function of the control values, so it is tested without
a browser, and the page built online shows the result for the default values
(the saved widget state) even though no kernel is there to recompute it.
"""

from __future__ import annotations

from typing import Callable

import ipywidgets as widgets

OFFLINE_NOTE = ("<p class='ri-widget-note'><em>Online, this explorer shows the result for the values "
                "selected; run the notebook locally (see “How to use this book”) to change them.</em></p>")


def explorer(controls: dict[str, widgets.ValueWidget], render: Callable[..., str], title: str) -> widgets.VBox:
    """Controls named like ``render``'s keyword arguments, above the HTML ``render`` returns."""
    if not controls:
        raise ValueError("an explorer needs at least one control")
    result = widgets.HTML(layout=widgets.Layout(width="100%"))

    def update(_change=None) -> None:
        try:
            result.value = render(**{name: control.value for name, control in controls.items()})
        except (ValueError, KeyError) as problem:  # a combination with no data is a message, not a traceback
            result.value = f"<p role='alert'>{problem}</p>"

    for control in controls.values():
        control.observe(update, names="value")
    update()
    heading = widgets.HTML(f"<strong>{title}</strong>{OFFLINE_NOTE}")
    box = widgets.VBox([heading, widgets.HBox(list(controls.values()), layout=widgets.Layout(flex_flow="row wrap")), result])
    box.add_class("ri-explorer")
    return box
