"""No control's label or option text is cut off ("moment...", "activat...", "(vanishing gradien", issue 24).

JupyterLab draws a control's description in a box of ``style.description_width`` (80 px when unset)
in a 13 px sans-serif font and cuts what does not fit with an ellipsis; a dropdown shows its option
in what is left of ``layout.width``. Text widths are measured here with matplotlib in DejaVu Sans at
13 px, the wide font JupyterLab falls back to on Linux: in headless Chromium the cut labels measured
within 1 px of these numbers (momentum 76 px in a 70 px box, activation 64 px in 60 px).
"""
import re

import ipywidgets as W
import pytest
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath

FONT = FontProperties(family="DejaVu Sans", size=13)
DEFAULT_LABEL, DEFAULT_WIDTH = 80.0, 300.0   # ipywidgets' --jp-widgets-inline-label-width / -inline-width
SELECT_CHROME = 28.0                          # the dropdown's arrow and padding
_MEASURE = TextToPath()


def text_width(text: str) -> float:
    return _MEASURE.get_text_width_height_descent(text.replace("\xa0", " "), FONT, ismath=False)[0]


def px(value, default: float) -> float:
    if not value:
        return default
    m = re.fullmatch(r"([0-9.]+)px", str(value))
    assert m, f"expected a width in px, got {value!r}"
    return float(m.group(1))


def controls(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from controls(child)


def views():
    from backprop_course.widgets import (derivation_explorer, descent_explorer, flow_view, graph_explorer,
                                         init_explorer, neuron_explorer, playground)
    return {"descent": descent_explorer, "neuron": neuron_explorer, "flow": flow_view, "init": init_explorer,
            "playground": playground, "graph": graph_explorer, "derivation": derivation_explorer}


def test_the_measure_matches_the_browser():
    # Chromium's scrollWidth of the two labels the issue found cut.
    assert text_width("momentum") == pytest.approx(76, abs=1.5)
    assert text_width("activation") == pytest.approx(64, abs=1.5)


@pytest.mark.parametrize("name", sorted(views()))
def test_no_label_or_option_is_cut(name):
    view = views()[name]()
    cut = []
    for w in controls(view):
        if isinstance(w, (W.Button, W.Checkbox, W.HTML, W.HTMLMath, W.Label)) or not getattr(w, "description", ""):
            continue
        label = px(getattr(w.style, "description_width", ""), DEFAULT_LABEL)
        if text_width(w.description) > label:
            cut.append(f"label {w.description!r}: {text_width(w.description):.0f} px in {label:.0f} px")
        if isinstance(w, W.Dropdown):
            room = px(w.layout.width, DEFAULT_WIDTH) - label - 8
            for option in w.options:
                text = option[0] if isinstance(option, tuple) else str(option)
                if text_width(text) + SELECT_CHROME > room:
                    cut.append(f"option {text!r} of {w.description!r}: "
                               f"{text_width(text) + SELECT_CHROME:.0f} px in {room:.0f} px")
    assert not cut, "; ".join(cut)
