"""View 9: nudge one input, watch the prediction and dE/dy move (lesson 08, Gashler's dE/dy_0k).

For one sample x with target t, the backward pass gives dE/dx_k for every input k at no extra cost
(``g.inputs``; Gashler's dE/dy_0k = -sum_j e_1j w_1jk). Changing input k by dx changes the error by
about

    dE ~ dE/dx_k * dx          (the first-order prediction; exact in the limit dx -> 0)

The view moves one input by dx and shows, side by side: the true error along that input with the
tangent that makes the prediction, the network's outputs before and after the nudge, and dE/dx of
every input at the nudged point (the gradient itself moves as the input moves).

:func:`nudge_input` and :func:`nudge_view_state` are the pure, tested part; every number comes from
the engine's ``forward``, ``backward`` and ``loss``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ipywidgets as W
import numpy as np

from backprop_course.engine import checks
from backprop_course.engine.mlp import MLP
from backprop_course.widgets import plotting as P
from backprop_course.widgets import sliders as S
from backprop_course.widgets.base import View

__all__ = ["NudgeResult", "nudge_input", "error_along_input", "nudge_view_state", "NudgeView",
           "nudge_explorer"]


@dataclass(frozen=True)
class NudgeResult:
    """One input of one sample moved by ``dx``: the numbers before and after.

    Attributes
    ----------
    index, dx : int, float
        Which input moved, and by how much.
    value : float
        The input's original value x_k.
    loss0, loss : float
        E before and after the nudge (the engine's ``net.loss``).
    predicted : float
        E0 + dE/dx_k * dx, the first-order prediction of ``loss``.
    grad0, grad : ndarray, shape (sizes[0],)
        dE/dx of every input before and after the nudge (the engine's ``g.inputs``).
    outputs0, outputs : ndarray, shape (sizes[-1],)
        The network's outputs y before and after the nudge.
    target : ndarray, shape (sizes[-1],)
    """

    index: int
    dx: float
    value: float
    loss0: float
    loss: float
    predicted: float
    grad0: np.ndarray
    grad: np.ndarray
    outputs0: np.ndarray
    outputs: np.ndarray
    target: np.ndarray


def _sample(net: Any, x: Any, t: Any, owner: str) -> tuple[np.ndarray, np.ndarray]:
    if not all(hasattr(net, a) for a in ("forward", "backward", "loss", "sizes", "copy")):
        raise checks.error(owner, "net", "an MLP", type(net).__name__, TypeError)
    x = np.asarray(x, dtype=float).reshape(1, -1)
    t = np.asarray(t, dtype=float).reshape(1, -1)
    if x.shape[1] != net.sizes[0]:
        raise checks.error(owner, "x", f"one sample of {net.sizes[0]} inputs (sizes[0])",
                           f"{x.size} values", hint=" (pass a single row, e.g. X[i])")
    if t.shape[1] != net.sizes[-1]:
        raise checks.error(owner, "t", f"one target of {net.sizes[-1]} outputs (sizes[-1])",
                           f"{t.size} values", hint=" (pass a single row, e.g. T[i])")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(t))):
        raise checks.error(owner, "x", "finite, like its target t", "non-finite values")
    return x, t


def _pass(net: Any, x: np.ndarray, t: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """E, dE/dx and the outputs for one sample, from one forward and one backward pass."""
    Y = net.forward(x)
    g = net.backward(t)
    return float(g.loss), np.asarray(g.inputs, dtype=float).reshape(-1).copy(), np.array(Y).reshape(-1)


def nudge_input(net: Any, x: Any, t: Any, index: int, dx: float) -> NudgeResult:
    """Move input ``index`` of the sample ``x`` by ``dx``; E, dE/dx and the outputs before and after.

    Parameters
    ----------
    net : MLP
        Not changed (its forward cache aside).
    x : array, shape (sizes[0],) or (1, sizes[0])
    t : array, shape (sizes[-1],) or (1, sizes[-1])
    index : int in [0, sizes[0] - 1]
    dx : float

    Returns
    -------
    NudgeResult

    Examples
    --------
    A linear neuron y = 2 x_0 - x_1, target 0: E = y^2 / 2, so dE/dx_0 = 2y. At x = (1, 1), y = 1:

    >>> net = MLP([2, 1], activation="linear", bias=False)
    >>> net.weights[0][:] = [[2.0, -1.0]]
    >>> r = nudge_input(net, [1.0, 1.0], [0.0], index=0, dx=0.1)
    >>> r.loss0, float(r.grad0[0]), round(r.predicted, 6), round(r.loss, 6)
    (0.5, 2.0, 0.7, 0.72)
    """
    owner = "nudge_input"
    x, t = _sample(net, x, t, owner)
    index = checks.integer(index, "index", owner, 0, x.shape[1] - 1)
    dx = checks.real(dx, "dx", owner, "a finite float")
    loss0, grad0, y0 = _pass(net, x, t)
    moved = x.copy()
    moved[0, index] += dx
    loss, grad, y = _pass(net, moved, t)
    return NudgeResult(index=index, dx=dx, value=float(x[0, index]), loss0=loss0, loss=loss,
                       predicted=loss0 + float(grad0[index]) * dx, grad0=grad0, grad=grad,
                       outputs0=y0, outputs=y, target=t.reshape(-1).copy())


def error_along_input(net: Any, x: Any, t: Any, index: int, offsets: np.ndarray) -> np.ndarray:
    """E with input ``index`` moved by each of ``offsets`` (everything else fixed), shape (m,)."""
    x, t = _sample(net, x, t, "error_along_input")
    out = np.empty(len(offsets))
    moved = x.copy()
    for i, d in enumerate(offsets):
        moved[0, index] = x[0, index] + d
        out[i] = net.loss(moved, t)
    return out


def _limits(values: np.ndarray, pad: float = 0.08) -> tuple[float, float]:
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    lo, hi = float(v.min()), float(v.max())
    span = hi - lo if hi > lo else max(abs(hi), 1e-3)
    return lo - pad * span, hi + pad * span


def _sweep(net: Any, x: np.ndarray, t: np.ndarray, index: int, offsets: np.ndarray):
    """Outputs (m, sizes[-1]) and dE/dx (m, sizes[0]) with input ``index`` moved by each offset.

    One forward and one backward pass over m copies of the sample: E sums over samples, so row i of
    dE/dX is the gradient of sample i alone.
    """
    x, t = _sample(net, x, t, "nudge_view_state")
    X = np.repeat(x, len(offsets), axis=0)
    X[:, index] += offsets
    Y = np.array(net.forward(X))
    return Y, np.asarray(net.backward(np.repeat(t, len(offsets), axis=0)).inputs, dtype=float)


def _legend_corner(left: list, right: list, ylim: tuple[float, float], share: float = 0.35) -> str:
    """The corner of a panel where a legend covers least of what is drawn at that end.

    ``left`` and ``right`` are ``(low, high)`` spans drawn at the panel's left and right end (a bar
    from 0 to its height, a point as a span of zero length). Chosen from the static data of a key,
    so the cached background never depends on the moving markers (``loc="best"`` would place the
    legend by the markers of the moment it was drawn: the same state could then show two pictures).
    """
    lo, hi = ylim
    band = share * (hi - lo)
    regions = {"upper": (hi - band, hi), "lower": (lo, lo + band)}

    def covered(spans: list, region: tuple[float, float]) -> float:
        r0, r1 = region
        # a span inside the region counts at least a little, even a point (zero length)
        return sum(max(0.0, min(b, r1) - max(a, r0)) + (0.01 * band if a <= r1 and b >= r0 else 0.0)
                   for a, b in spans)

    scores = {f"{v} {h}": covered(spans, regions[v]) for v in ("upper", "lower")
              for h, spans in (("left", left), ("right", right))}
    return min(scores, key=scores.get)  # ties: upper left first


def _bar_spans(values: np.ndarray, *marks: np.ndarray, share: float = 0.45) -> tuple[list, list]:
    """Spans drawn under a legend in the left and in the right part of a bar panel: each bar from
    0, and the markers on it, of the first and the last ``share`` of the bars."""
    n = len(values)
    k = max(1, int(np.ceil(share * n)))

    def spans(indices: range) -> list:
        return [s for i in indices for s in [(min(0.0, float(values[i])), max(0.0, float(values[i])))]
                + [(float(m[i]), float(m[i])) for m in marks]]

    return spans(range(k)), spans(range(n - k, n))


def _widen(limits: tuple[float, float], values: np.ndarray) -> tuple[float, float]:
    """``limits``, widened (with the same 8% margin) only if some finite value lies outside."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    lo, hi = limits
    if v.size and (v.min() < lo or v.max() > hi):
        return _limits(np.concatenate([v, limits]), pad=0.08)
    return limits


def nudge_view_state(net: Any, x: Any, t: Any, index: int, dx: float, span: float,
                     points: int = 61) -> dict:
    """Everything :class:`NudgeView` draws and states, as data.

    Parameters
    ----------
    net, x, t, index, dx
        As :func:`nudge_input`.
    span : float > 0
        The curve of E is drawn for offsets in [-span, span] (``dx`` must lie inside).
    points : int
        Points of that curve.

    Returns
    -------
    dict
        The fields of :class:`NudgeResult`, plus ``offsets`` and ``curve`` (E along the input),
        ``tangent`` (the prediction at ``offsets``), ``true_change``, ``predicted_change``,
        ``prediction_error``, ``class0`` and ``class_`` (the largest output before and after),
        ``xlim``/``ylim`` of the error plot, ``output_ylim``, ``grad_ylim`` and ``readout`` (HTML).
    """
    owner = "nudge_view_state"
    span = checks.real(span, "span", owner, "a float > 0", lambda v: v > 0)
    r = nudge_input(net, x, t, index, dx)
    if abs(r.dx) > span:
        raise checks.error(owner, "dx", f"within [-span, span] = [{-span:g}, {span:g}]", repr(r.dx))
    offsets = np.linspace(-span, span, points)
    curve = error_along_input(net, x, t, r.index, offsets)
    tangent = r.loss0 + r.grad0[r.index] * offsets
    drawn = np.concatenate([curve, tangent, [r.loss, r.predicted, r.loss0]])
    # The outputs and dE/dx panels are scaled for every position of the slider at once (one batched
    # pass over the offsets), so dragging dx moves the bars, not the axes; the values shown now are
    # added in case they reach past the sampled ones.
    swept_outputs, swept_grads = _sweep(net, x, t, r.index, offsets)
    out_lim = _limits(np.concatenate([swept_outputs.ravel(), r.outputs0, r.target, [0.0]]))
    grad_lim = _limits(np.concatenate([swept_grads.ravel(), r.grad0, [0.0]]))
    outs = np.concatenate([r.outputs0, r.outputs, r.target, [0.0]])
    grads = np.concatenate([r.grad0, r.grad, [0.0]])
    output_ylim = _widen(out_lim, outs)
    grad_ylim = _widen(grad_lim, grads)
    k = r.index
    true_change, predicted_change = r.loss - r.loss0, r.predicted - r.loss0
    c0, c1 = int(np.argmax(r.outputs0)), int(np.argmax(r.outputs))
    readout = (
        f"input x<sub>{k}</sub> = {r.value:.4f} &rarr; {r.value + r.dx:.4f} (dx = {r.dx:+.3f})<br>"
        f"<b>E = {r.loss0:.6f} &rarr; {r.loss:.6f}</b>: true change {true_change:+.6f}, "
        f"predicted dE/dx<sub>{k}</sub>&middot;dx = {r.grad0[k]:+.6f} &times; {r.dx:+.3f} = "
        f"{predicted_change:+.6f}, prediction error {abs(true_change - predicted_change):.6f}<br>"
        f"dE/dx<sub>{k}</sub> = {r.grad0[k]:+.6f} &rarr; {r.grad[k]:+.6f}; "
        f"largest output: node {c0} ({r.outputs0[c0]:.4f}) &rarr; node {c1} ({r.outputs[c1]:.4f})")
    return dict(index=k, dx=r.dx, value=r.value, loss0=r.loss0, loss=r.loss, predicted=r.predicted,
                grad0=r.grad0, grad=r.grad, outputs0=r.outputs0, outputs=r.outputs, target=r.target,
                offsets=offsets, curve=curve, tangent=tangent, true_change=true_change,
                predicted_change=predicted_change,
                prediction_error=abs(true_change - predicted_change), class0=c0, class_=c1,
                xlim=(-1.05 * span, 1.05 * span), ylim=_limits(drawn), output_ylim=output_ylim,
                grad_ylim=grad_ylim, readout=readout)


class NudgeView(View):
    """Nudge one input of one sample: E with its tangent, the outputs, and dE/dx of every input.

    Parameters
    ----------
    net : MLP, optional
        Copied, so the view never changes it. Default: a seeded 4-5-3 sigmoid network.
    x, t : array, optional
        One sample and its target (default: x = (0.4, -0.7, 1.1, 0.2), t = (0.1, 0.9, 0.3)).
    index : int, optional
        The input moved first (default: the one with the largest |dE/dx|).
    span : float
        The slider moves the input by up to ``span`` either way.

    Controls (attributes): ``index`` (IntSlider: which input), ``dx`` (FloatSlider: the nudge).
    ``state`` holds what :func:`nudge_view_state` returns.
    """

    figsize = (10.4, 3.6)

    def __init__(self, net: Any = None, x: Any = None, t: Any = None, index: int | None = None,
                 span: float = 0.5) -> None:
        owner = "NudgeView"
        if net is None:
            net = MLP([4, 5, 3], activation="sigmoid", init="standard_normal", seed=1)
            x = [0.4, -0.7, 1.1, 0.2] if x is None else x
            t = [0.1, 0.9, 0.3] if t is None else t
        if x is None or t is None:
            raise checks.error(owner, "x", "given with t when net is given", "None",
                               hint=" (pass the sample and its target: nudge_explorer(net, X[i], T[i]))")
        self.net = net.copy() if hasattr(net, "copy") else net
        self.x, self.t = _sample(self.net, x, t, owner)
        self.span = checks.real(span, "span", owner, "a float > 0", lambda v: v > 0)
        n = self.net.sizes[0]
        if index is None:
            index = int(np.argmax(np.abs(_pass(self.net, self.x, self.t)[1])))
        index = checks.integer(index, "index", owner, 0, n - 1)
        self.index = S.IntSlider(value=index, min=0, max=n - 1, description="input k",
                                 layout=W.Layout(width="320px"))
        self.dx = S.FloatSlider(value=0.0, min=-self.span, max=self.span, description="dx",
                                readout_format=".3f", layout=W.Layout(width="320px"))
        self.readout = W.HTML(value="")
        super().__init__(controls=[self.index, self.dx], extra=[self.readout])
        self.children = (self.children[0], self.readout, *self.children[1:-1])
        # Fixed margins instead of the layout solver, which would cost more than the rest of a frame.
        self.fig.set_layout_engine("none")
        self._ax_error, self._ax_out, self._ax_grad = self.fig.subplots(1, 3, gridspec_kw=dict(
            width_ratios=[1.3, 1, 1], left=0.07, right=0.99, bottom=0.14, top=0.92, wspace=0.42))
        self._fast = P.FastPNG(self.fig)
        self._key = None
        self.observe_controls(self.index, self.dx)
        self.refresh()

    def render(self) -> None:
        """Send the figure to the front end, redrawing only what the nudge moves.

        The curve of E, its tangent, the axes and their labels depend only on ``self._key`` (the
        input and the axes' limits, which stay put while dx is dragged): they are drawn once per
        key; the markers at dx and the bars are drawn over them on every move.
        """
        self.image.value = self._fast.png(key=self._key)

    def set(self, index: int | None = None, dx: float | None = None) -> None:
        """Set both controls at once and redraw once."""
        with self.held():
            if index is not None:
                self.index.value = index
            if dx is not None:
                self.dx.value = dx
        self.refresh()

    def update(self) -> None:
        s = nudge_view_state(self.net, self.x, self.t, self.index.value, self.dx.value, self.span)
        self.state.update(s)
        self.readout.value = s["readout"]
        self._draw(s)

    def _draw(self, s: dict) -> None:
        key = (s["index"], s["ylim"], s["output_ylim"], s["grad_ylim"])
        if key != self._key:
            self._draw_static(s)
            self._key = key
        dx = s["dx"]
        self._loss_point.set_data([dx], [s["loss"]])
        self._predicted_point.set_data([dx], [s["predicted"]])
        self._dx_line.set_xdata([dx, dx])
        for bar, y in zip(self._out_bars, s["outputs"]):
            bar.set_height(y)
        for bar, g in zip(self._grad_bars, s["grad"]):
            bar.set_height(g)

    def _draw_static(self, s: dict) -> None:
        """The axes for one input and one set of limits, and the artists that move with dx."""
        ax, ox, gx = self._ax_error, self._ax_out, self._ax_grad
        for a in (ax, ox, gx):
            a.cla()
        k, dx = s["index"], s["dx"]
        blue, red = P.OKABE_ITO["blue"], P.OKABE_ITO["vermillion"]
        ax.plot(s["offsets"], s["curve"], "-", color=blue, label="true E (forward passes)")
        ax.plot(s["offsets"], s["tangent"], "--", color=red, label=f"prediction E0 + dE/dx{k}·dx")
        self._loss_point, = ax.plot([dx], [s["loss"]], "o", color=blue, ms=7)
        self._predicted_point, = ax.plot([dx], [s["predicted"]], "s", mfc="none", mec=red, mew=2, ms=8)
        self._dx_line = ax.axvline(dx, color="grey", lw=0.6)
        ax.set_xlim(*s["xlim"])
        ax.set_ylim(*s["ylim"])
        ax.set_xlabel(f"change dx of input {k}")
        ax.set_ylabel("error E of this sample")
        ax.set_title("E along one input, and its tangent", fontsize=10, y=1.01)
        ends = [(float(c), float(c)) for c in (s["curve"][0], s["tangent"][0])], \
            [(float(c), float(c)) for c in (s["curve"][-1], s["tangent"][-1])]
        ax.legend(fontsize=7, loc=_legend_corner(*ends, s["ylim"]))
        ax.grid(alpha=0.3)

        nodes = np.arange(len(s["outputs"]))
        self._out_bars = list(ox.bar(nodes, s["outputs"], color=P.VALUE_COLOUR, alpha=0.8, width=0.6,
                                     label="y after nudge"))
        # drawn over the bars, so they move with them to the top layer (zorder 3 > the bars' 1)
        markers = [ox.plot(nodes, s["outputs0"], "_", color="black", ms=14, mew=2, label="y before",
                           zorder=3)[0],
                   ox.plot(nodes, s["target"], "x", color=red, ms=7, mew=2, label="target t", zorder=3)[0]]
        ox.set_ylim(*s["output_ylim"])
        ox.set_xticks(nodes)
        ox.set_xlabel("output node")
        ox.set_title("the prediction y", fontsize=10, y=1.01)
        ox.legend(fontsize=7, loc=_legend_corner(*_bar_spans(s["outputs0"], s["outputs0"], s["target"]),
                                                 s["output_ylim"]))
        ox.grid(alpha=0.3, axis="y")

        inputs = np.arange(len(s["grad"]))
        colours = [P.GRAD_COLOUR if i == k else P.PENDING_COLOUR for i in inputs]
        self._grad_bars = list(gx.bar(inputs, s["grad"], color=colours, width=0.8))
        markers += gx.plot(inputs, s["grad0"], "_", color="black", ms=max(3, 14 - len(inputs) // 6),
                           mew=1.5, label="before the nudge", zorder=3)
        gx.axhline(0, color="grey", lw=0.6)
        gx.set_ylim(*s["grad_ylim"])
        gx.set_xlabel(f"input (red: input {k})")
        gx.set_ylabel("dE/dx after the nudge")
        gx.set_title("dE/dx of every input", fontsize=10, y=1.01)
        gx.legend(fontsize=7, loc=_legend_corner(*_bar_spans(s["grad0"]), s["grad_ylim"]))
        gx.grid(alpha=0.3, axis="y")
        gx.xaxis.get_major_locator().set_params(integer=True)
        for artist in (self._loss_point, self._predicted_point, self._dx_line, *self._out_bars,
                       *self._grad_bars, *markers):
            artist.set_animated(True)


def nudge_explorer(net: Any = None, x: Any = None, t: Any = None, **kwargs: Any) -> NudgeView:
    """Return a :class:`NudgeView` of ``net`` at the sample ``x`` with target ``t``."""
    return NudgeView(net, x, t, **kwargs)
