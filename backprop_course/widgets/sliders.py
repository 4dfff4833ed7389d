"""Sliders whose value the browser never changes on its own (issue 24).

When a slider is displayed, its front end (ipywidgets 8 draws it with noUiSlider 15) places the
handle at the value, *snaps it to the slider's step grid*, and, for a slider with
``continuous_update=True``, sends the snapped value back to the kernel. A lesson that set
``lr=0.9`` on a ``FloatLogSlider(min=-3, max=0.5, step=0.05)`` found ``lr == 0.891`` once the view
appeared in JupyterLab, and every number the view showed changed with it.

Where the front end does it (jupyter-widgets/ipywidgets, ``packages/controls/src/``):

* ``widget_int.ts``, ``BaseIntSliderView.createSlider`` (also used by ``FloatSliderView``, whose
  ``_validate_slide_value`` is the identity, and by ``IntSliderView``, where it is ``Math.round``):
  ``noUiSlider.create(el, {start: value, range: {min, max}, step, format: {to: _validate_slide_value}})``
  then ``.on('update', ...)``. noUiSlider fires ``update`` as soon as the handler is bound, and
  ``handleSliderUpdateEvent`` sends the value to the kernel when ``continuous_update`` is set
  (``handleSliderChanged``: if it differs from the model's; a slider that acts on release sends
  nothing until it is moved).
* ``widget_float.ts``, ``FloatLogSliderView``: the same on the exponent,
  ``start: log(value) / log(base)`` and ``value = base ** exponent``; ``step: step ?? undefined``;
  its ``handleSliderChanged`` sends even an unchanged value, so every update the kernel makes comes
  back (with round-off).
* noUiSlider 15 (``Spectrum.toStepping``, ``getStep``, ``fromStepping``, and ``setHandle``): the
  value becomes a percentage of the range, the percentage is rounded to the step's percentage
  (``Math.round``), limited to 0..100, and turned back into a value.

:func:`front_end_value` repeats those operations in the same order, in IEEE doubles as JavaScript
does, so a test can tell without a browser whether a displayed slider would move. Two things follow:

1. A value that Python may set anywhere (a constructor argument, ``set(...)``, a weight of a
   network, a point pressed on a plot) must not sit on a grid that does not contain it. The
   course's ``FloatSlider`` and ``FloatLogSlider`` have no grid (``step=None``; noUiSlider then
   places the handle anywhere), which ipywidgets allows for both.
2. Even without a grid (and on a grid, for a value on it), value -> percentage -> value is not exact
   in floating point: ``0.3`` on ``[-1, 1]`` comes back as ``0.30000000000000004``, and ``0.9`` on a
   log slider as ``0.8999999999999998``. The course's sliders ignore a value from the browser that
   differs from the kernel's by such round-off only (far less than a pixel of the slider), so the
   kernel keeps exactly the number the lesson set; also when the echo is of an earlier value and
   arrives after a later cell set the slider again (see ``_KeepsSetValue``). Any real move is taken
   as it comes.

Each slider also records the last value Python set (``set_value``), which is what a browser test
compares the kernel's value with after the lesson ran in JupyterLab.
"""
from __future__ import annotations

import math
from typing import Any

import ipywidgets as W

__all__ = ["FloatLogSlider", "FloatSlider", "IntSlider", "ROUND_OFF", "front_end_value", "is_round_off",
           "moved_by_front_end", "sliders_of"]

# A browser value within ROUND_OFF of the slider's span (a log slider: of the value) is the kernel's
# value after a floating-point round trip. A slider is a few hundred pixels wide: one pixel is ~1e-3.
ROUND_OFF = 1e-9


def _js_round(x: float) -> float:
    """JavaScript's ``Math.round``: the nearest integer, halves towards +infinity."""
    f = math.floor(x)
    return f + 1.0 if x - f >= 0.5 else float(f)


def _to_percent(v: float, lo: float, hi: float) -> float:
    """noUiSlider ``Spectrum.toStepping`` for one range ``[lo, hi]`` (xPct = [0, 100])."""
    if v >= hi:
        return 100.0
    d = v + abs(lo) if lo < 0 else v - lo
    return 0 + (100 * d / (hi - lo)) / (100 / (100 - 0))


def _from_percent(p: float, lo: float, hi: float) -> float:
    """noUiSlider ``Spectrum.fromStepping`` for one range."""
    if p >= 100:
        return hi
    return (p - 0) * (100 / (100 - 0)) * (hi - lo) / 100 + lo


def _on_step(p: float, lo: float, hi: float, step: float | None) -> float:
    """noUiSlider ``Spectrum.getStep``: the percentage rounded to the step's percentage, if any."""
    if p == 100 or not step:
        return p
    per = (100 * step / (hi - lo)) / (100 / (100 - 0))
    return 0 + _js_round((p - 0) / per) * per


def _linear(v: float, lo: float, hi: float, step: float | None) -> float:
    p = _to_percent(float(v), lo, hi)
    p = max(min(_on_step(p, lo, hi, step), 100.0), 0.0)  # setHandle: getStep, then limit to 0..100
    return _from_percent(p, lo, hi)


def front_end_value(slider: W.Widget, value: float | None = None) -> float:
    """The value a displayed slider sends back for ``value`` (default: its own), as the browser does.

    Mirrors ipywidgets 8's slider views on noUiSlider 15 (see the module docstring): a
    ``FloatSlider`` and an ``IntSlider`` snap the value in percent of ``[min, max]`` to ``step``
    (an ``IntSlider`` then rounds); a ``FloatLogSlider`` does the same to ``log(value) / log(base)``
    and sends ``base ** exponent``. ``Math.log`` and ``Math.pow`` may differ from Python's by an ulp.

    >>> front_end_value(W.FloatLogSlider(value=0.9, base=10, min=-3, max=0.5, step=0.05))  # issue 24
    0.8912509381337459
    >>> front_end_value(W.FloatSlider(value=-0.5124, min=-6, max=6, step=0.01))   # lesson 06
    -0.5099999999999998
    """
    if not isinstance(slider, (W.IntSlider, W.FloatSlider, W.FloatLogSlider)):
        raise TypeError("front_end_value takes an IntSlider, FloatSlider or FloatLogSlider. "
                        f"Got {type(slider).__name__} instead.")
    v = slider.value if value is None else value
    lo, hi, step = float(slider.min), float(slider.max), slider.step
    if isinstance(slider, W.FloatLogSlider):
        base = float(slider.base)
        exponent = min(max(math.log(v) / math.log(base), lo), hi)   # logCalc
        return base ** _linear(exponent, lo, hi, step)
    if isinstance(slider, W.IntSlider):
        return int(_js_round(_linear(v, lo, hi, step)))
    return _linear(v, lo, hi, step)                                # FloatSlider: the identity


def is_round_off(slider: W.Widget, old: float, new: float) -> bool:
    """True if ``new`` differs from ``old`` only by floating-point round-off (see ``ROUND_OFF``)."""
    if isinstance(slider, W.IntSlider):
        return new == old
    if isinstance(slider, W.FloatLogSlider):
        return abs(new - old) <= ROUND_OFF * abs(old)
    return abs(new - old) <= ROUND_OFF * (float(slider.max) - float(slider.min))


def moved_by_front_end(slider: W.Widget, value: float | None = None) -> bool:
    """True if displaying the slider would change ``value`` (default: its own) beyond round-off."""
    v = slider.value if value is None else value
    return not is_round_off(slider, v, front_end_value(slider, v))


class _KeepsSetValue:
    """Mixin: the kernel keeps the value Python set when the browser only echoes a value back.

    Two kinds of echo reach the kernel from a slider the browser draws:

    * the value it holds, back with round-off (``0.3`` -> ``0.30000000000000004``);
    * a *stale* value: a cell displays the view, a later cell sets the slider again
      (``view.set(weights=[0.4, 0.3, -2.0])``), and the browser, which drew the slider before that
      update arrived, sends back the first value (``-0.20000000000000018``) after the kernel moved on.
      "Run All" queues every cell first, so such an echo can arrive minutes later.

    Both are recognised as a value within round-off of one Python set since the browser last showed
    it was up to date (it echoed the current value, or the learner moved the slider), and ignored:
    the kernel sends nothing back, and the browser already has (or is about to get) the current
    value. Anything else is the learner's move and is taken as it comes.
    """

    set_value: Any = None  # the last value set from Python (a browser test compares with it)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_value = self.value
        self._python_values = [self.value]  # set from Python since the browser was last up to date
        self.observe(self._record_set_value, names="value")

    def _record_set_value(self, change: dict) -> None:
        # ipywidgets applies a browser update inside _lock_property: the name is then in _property_lock
        if "value" not in (self._property_lock or {}):
            self.set_value = change["new"]
            self._python_values.append(change["new"])

    def is_echo(self, value: Any) -> bool:
        """True if ``value`` from the browser is the current or an earlier Python value, round-off aside."""
        try:
            v = float(value)
        except (TypeError, ValueError):
            return False
        return any(is_round_off(self, old, v) for old in (self.value, *self._python_values))

    def set_state(self, sync_data: dict) -> None:
        """Apply a state the browser sent, minus a value that is only an echo (see the class)."""
        if "value" in sync_data:
            if self.is_echo(sync_data["value"]):
                if is_round_off(self, self.value, float(sync_data["value"])):
                    self._python_values = [self.value]  # the browser has the current value
                sync_data = {k: v for k, v in sync_data.items() if k != "value"}
            else:
                self._python_values = []            # the learner's move: the browser is current
        if sync_data:
            super().set_state(sync_data)


class FloatSlider(_KeepsSetValue, W.FloatSlider):
    """``ipywidgets.FloatSlider`` without a step grid (any value stays where it is set), which keeps
    the value Python set when the browser sends it back with round-off."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("step", None)
        super().__init__(*args, **kwargs)


class FloatLogSlider(_KeepsSetValue, W.FloatLogSlider):
    """``ipywidgets.FloatLogSlider`` without a step grid on the exponent (``0.9`` stays ``0.9``),
    which keeps the value Python set when the browser sends it back with round-off."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("step", None)
        super().__init__(*args, **kwargs)


class IntSlider(_KeepsSetValue, W.IntSlider):
    """``ipywidgets.IntSlider`` that records the value Python set (integers on a step-1 grid never
    move; a view with another step keeps its values on that grid)."""


def sliders_of(widget: W.Widget) -> list[W.Widget]:
    """Every Int/Float/FloatLog slider inside ``widget`` (a view), depth first."""
    found, stack = [], [widget]
    while stack:
        w = stack.pop(0)
        if isinstance(w, (W.IntSlider, W.FloatSlider, W.FloatLogSlider)):
            found.append(w)
        stack[:0] = list(getattr(w, "children", ()) or ())
    return found
