"""View 2: one artificial neuron (Backpropagation for dummies).

The neuron computes a weighted sum of its inputs plus a bias, then applies its activation g:

    in = sum_k w_k a_k + b          (eq. (1) of Backpropagation for dummies, with the bias written out)
    a  = g(in)                      (eq. (2) of Backpropagation for dummies)

and the slope g'(in) is what the backward pass multiplies by; for the sigmoid it is g(in)(1 - g(in))
(eq. (8) of Backpropagation for dummies), read off the forward output without a second exponential.

:func:`neuron_forward` is the pure, tested part; :class:`NeuronView` draws the activation curve with
the operating point (in, a) and the tangent of slope g'(in) there.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import ipywidgets as W
import numpy as np

from backprop_course.engine import checks
from backprop_course.engine.activations import ACTIVATIONS, get_activation
from backprop_course.widgets import plotting as P
from backprop_course.widgets import sliders as S
from backprop_course.widgets.base import View

__all__ = ["NeuronResult", "neuron_forward", "curve_range", "NeuronView", "neuron_explorer"]

#: How the slope is computed from the forward output, per activation (shown to the learner).
SLOPE_FORMULAS = {
    "sigmoid": "a(1 - a)",
    "tanh": "1 - a^2",
    "relu": "1 if in > 0 else 0",
    "leaky_relu": "1 if in > 0 else 0.01",
    "linear": "1",
}


@dataclass(frozen=True)
class NeuronResult:
    """The neuron's numbers: ``net_input`` (in), ``output`` (a = g(in)) and ``slope`` (g'(in))."""

    net_input: float
    output: float
    slope: float
    activation: str


def neuron_forward(inputs: Sequence[float], weights: Sequence[float], bias: float,
                   activation: str = "sigmoid") -> NeuronResult:
    """Forward pass of one neuron, with the slope of its activation at the operating point.

    Parameters
    ----------
    inputs : sequence of float, shape (n,)
        The incoming activations a_k.
    weights : sequence of float, shape (n,)
        The weights w_k, one per input.
    bias : float
        b, added to the weighted sum.
    activation : str
        A name in the engine's registry (``sigmoid``, ``tanh``, ``relu``, ``leaky_relu``, ``linear``).

    Returns
    -------
    NeuronResult
        ``net_input = sum_k w_k a_k + b``, ``output = g(net_input)``, ``slope = g'(net_input)``, all
        computed by the engine's activation registry.

    Examples
    --------
    in = 0.5*1 + (-1)*2 + 1.5 = 0, so a = sigmoid(0) = 0.5 and g' = 0.5 * (1 - 0.5) = 0.25:

    >>> r = neuron_forward([1.0, 2.0], [0.5, -1.0], 1.5)
    >>> (r.net_input, r.output, r.slope)
    (0.0, 0.5, 0.25)
    """
    a = np.asarray(inputs, dtype=float).reshape(-1)
    w = np.asarray(weights, dtype=float).reshape(-1)
    if a.shape != w.shape:
        raise checks.error("neuron_forward", "weights", f"one weight per input ({a.size})", str(w.size),
                           must="have")
    act = get_activation(activation, parameter="activation", owner="neuron_forward")
    z = np.array([float(w @ a) + float(bias)])
    out = act.f(z)
    slope = act.fprime_from(z, out)
    return NeuronResult(float(z[0]), float(out[0]), float(slope[0]), act.name)


def curve_range(net_input: float, half_width: float = 6.0,
                current: tuple[float, float] | None = None) -> tuple[float, float]:
    """The z range to plot: ``[-6, 6]`` unless the operating point lies outside, then wider in steps
    of 6, so the range (and the expensive axes behind it) changes rarely.

    Parameters
    ----------
    net_input : float
    half_width : float
        The step of the ranges.
    current : (lo, hi), optional
        The range shown now. It is kept while the point fits inside it and is not far inside a
        narrower one (under half of the narrower range), so a slider moving the point back and forth
        across a boundary does not flip the axes on every move.

    >>> curve_range(0.3), curve_range(-8.0)
    ((-6.0, 6.0), (-12.0, 12.0))
    >>> curve_range(5.8, current=(-12.0, 12.0)), curve_range(2.0, current=(-12.0, 12.0))
    ((-12.0, 12.0), (-6.0, 6.0))
    """
    k = max(1.0, float(np.ceil((abs(net_input) + 0.5) / half_width)))
    if current is not None:
        k_now = current[1] / half_width
        if k <= k_now and abs(net_input) + 0.5 > 0.5 * (k_now - 1.0) * half_width:
            k = k_now
    return -k * half_width, k * half_width


def _signed(x: float) -> str:
    return f"({P.fmt(x)})" if x < 0 else P.fmt(x)


class NeuronView(View):
    """Inputs, weights, bias and activation of one neuron; the activation curve with the operating
    point and its tangent.

    Controls (attributes): ``inputs`` and ``weights`` (lists of FloatSliders a_k and w_k), ``bias``
    (FloatSlider), ``activation`` (Dropdown of the engine's registry names). ``set(**values)``
    changes several at once (``inputs=[...]``, ``weights=[...]``, ``bias=...``, ``activation=...``)
    with one redraw. ``state`` holds ``net_input``, ``output``, ``slope``, ``activation``,
    ``inputs``, ``weights``, ``bias``.
    """

    figsize = (6.0, 3.8)

    def __init__(self, inputs: Sequence[float] = (1.0, -0.5), weights: Sequence[float] = (0.8, 1.2),
                 bias: float = 0.3, activation: str = "sigmoid", limit: float = 3.0) -> None:
        if len(inputs) != len(weights) or not 1 <= len(inputs) <= 5:
            raise checks.error("NeuronView", "weights", "one weight per input, 1 to 5 inputs",
                               f"{len(inputs)} inputs and {len(weights)} weights", must="have")
        get_activation(activation, parameter="activation", owner="NeuronView")

        def slider(name: str, value: float) -> S.FloatSlider:
            return S.FloatSlider(value=float(np.clip(value, -limit, limit)), min=-limit, max=limit,
                                 description=name, readout_format=".2f",
                                 style={"description_width": "28px"}, layout=W.Layout(width="230px"))

        self.inputs = [slider(f"a{k + 1}", v) for k, v in enumerate(inputs)]
        self.weights = [slider(f"w{k + 1}", v) for k, v in enumerate(weights)]
        self.bias = slider("b", bias)
        self.activation = W.Dropdown(options=list(ACTIVATIONS), value=activation, description="g",
                                     style={"description_width": "28px"}, layout=W.Layout(width="230px"))
        self._key = None
        controls = [W.VBox(self.inputs), W.VBox(self.weights), W.VBox([self.bias, self.activation])]
        super().__init__(controls=controls)
        self._fast = P.FastPNG(self.fig)
        self.observe_controls(*self.inputs, *self.weights, self.bias, self.activation)
        self.refresh()

    # -- driving ----------------------------------------------------------------------------------
    def render(self) -> None:
        """Send the figure to the front end, re-drawing only what moved."""
        self.image.value = self._fast.png(key=self._key)

    def set(self, inputs: Sequence[float] | None = None, weights: Sequence[float] | None = None,
            bias: float | None = None, activation: str | None = None) -> None:
        """Set several controls at once and redraw once."""
        with self.held():
            for sliders, values, name in ((self.inputs, inputs, "inputs"), (self.weights, weights, "weights")):
                if values is None:
                    continue
                if len(values) != len(sliders):
                    raise checks.error("NeuronView.set", name, f"{len(sliders)} values", str(len(values)),
                                       must="have")
                for s, v in zip(sliders, values):
                    s.value = float(v)
            if bias is not None:
                self.bias.value = float(bias)
            if activation is not None:
                self.activation.value = activation
        self.refresh()

    # -- recompute and redraw ---------------------------------------------------------------------
    def update(self) -> None:
        a = [s.value for s in self.inputs]
        w = [s.value for s in self.weights]
        b = self.bias.value
        r = neuron_forward(a, w, b, self.activation.value)
        self.state.update(inputs=a, weights=w, bias=b, activation=r.activation, net_input=r.net_input,
                          output=r.output, slope=r.slope, slope_formula=SLOPE_FORMULAS.get(r.activation, ""))
        clamped = [s.description for s in (*self.inputs, *self.weights, self.bias)
                   if s.value in (s.min, s.max)]
        if clamped:
            self.show_message(f"{', '.join(clamped)} at the end of the slider range "
                              f"[{self.bias.min:g}, {self.bias.max:g}].", "info")
        else:
            self.clear_message()
        self._draw(a, w, b, r)

    def _draw(self, a, w, b, r: NeuronResult) -> None:
        lo, hi = curve_range(r.net_input, current=None if self._key is None else self._key[1:])
        key = (r.activation, lo, hi)
        act = get_activation(r.activation)
        if self._key is None:  # first call: build the axes and artists once
            ax = self.fig.add_subplot()
            z = np.linspace(lo, hi, 301)
            P.draw_activation(ax, z, act.f(z), r.net_input, r.output, r.slope, r.activation,
                              tangent_halfwidth=0.15 * (hi - lo))
            self._curve, self._tangent, self._point = ax.lines[0], ax.lines[1], ax.lines[2]
            self._vline = ax.lines[3]
            self.fig.suptitle("in = ...\na = ...", fontsize=10)  # reserve two lines
            for artist in (self._tangent, self._point, self._vline, self.fig._suptitle):
                artist.set_animated(True)
            # Lay out once, with the widest tick labels any activation needs ("-10"), and keep it:
            # switching the activation then only redraws, without the layout solver.
            ax.set_xlim(-18, 18)
            ax.set_ylim(-10.5, 10.5)
            P.freeze_layout(self.fig)
            self._ax = ax
        if key != self._key:  # another curve or range: update the static part, lay out once more
            z = np.linspace(lo, hi, 301)
            a_curve = act.f(z)
            self._curve.set_data(z, a_curve)
            self._curve.set_label(f"a = {r.activation}(in)")
            self._ax.legend(loc="upper left", fontsize=8, framealpha=0.9)
            self._ax.set_xlim(lo, hi)
            top, bottom = float(a_curve.max()), float(a_curve.min())
            pad = 0.08 * (top - bottom if top > bottom else 1.0)
            self._ax.set_ylim(bottom - pad, top + pad)
            self._key = key  # also the key of the cached background (see render)
        h = 0.15 * (hi - lo)
        zt = np.array([r.net_input - h, r.net_input + h])
        self._tangent.set_data(zt, r.output + r.slope * (zt - r.net_input))
        self._point.set_data([r.net_input], [r.output])
        self._vline.set_xdata([r.net_input, r.net_input])
        terms = " + ".join(f"{_signed(wk)}·{_signed(ak)}" for wk, ak in zip(w, a))
        formula = SLOPE_FORMULAS.get(r.activation, "")
        self.fig._suptitle.set_text(
            f"in = {terms} + {_signed(b)} = {P.fmt(r.net_input)}\n"
            f"a = {r.activation}(in) = {P.fmt(r.output)},   slope g'(in) = {formula} = {P.fmt(r.slope)}")


def neuron_explorer(**kwargs) -> NeuronView:
    """Return a :class:`NeuronView`; keyword arguments as its constructor."""
    return NeuronView(**kwargs)
