"""View 8: vanishing products along a chain of single neurons (lesson 05, the UFLDL guide's chain).

A chain has one neuron per layer, no biases and every weight equal to ``weight``. With input x and
target t, the gradient of the first weight is one long product (lesson 05, section 4):

    dJ/dW(1) = (y - t) f'(z(L)) * W f'(z(L-1)) * ... * W f'(z(1)) * x

so walking back from the output, every layer multiplies the gradient by the *factor* |W f'(z)|.
Factors below 1 make the gradients of early layers vanish geometrically with depth; above 1 they
explode. The sigmoid's slope is at most 1/4, so with weights of moderate size its factors stay below 1.

:func:`chain_gradients` is the pure, tested part: the engine's ``MLP`` does the forward and backward
pass, the engine's activation registry gives the slopes. :class:`ChainView` draws |dJ/dW(l)| per
layer (log scale) and the factors |W f'(z)| per layer, with sliders for the depth and the weight and a
menu for the activation.
"""
from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as W
import numpy as np

from backprop_course.engine import checks
from backprop_course.engine.activations import ACTIVATIONS, get_activation
from backprop_course.engine.mlp import MLP
from backprop_course.widgets import plotting as P
from backprop_course.widgets import sliders as S
from backprop_course.widgets.base import View

__all__ = ["MAX_DEPTH", "ChainResult", "chain_gradients", "chain_view_state", "log_limits", "decade_limits", "ChainView", "chain_explorer"]

MAX_DEPTH = 30


@dataclass(frozen=True)
class ChainResult:
    """One forward and backward pass through a chain of single neurons.

    Every array has shape ``(depth,)``, layer 1 (next to the input) first.

    Attributes
    ----------
    net_inputs : ndarray
        z of each neuron.
    outputs : ndarray
        a = f(z) of each neuron; ``outputs[-1]`` is the prediction y.
    slopes : ndarray
        f'(z) of each neuron.
    factors : ndarray
        |W f'(z)| for the neurons of layers 1 .. depth-1: what the backward pass multiplies by when it
        crosses that neuron on its way from the output to W(1); shape ``(depth - 1,)``.
    grads : ndarray
        dJ/dW(l) of each weight layer (signed), as the engine's backward pass computes it.
    loss : float
        J = 1/2 (y - t)^2.
    """

    depth: int
    activation: str
    weight: float
    x: float
    target: float
    net_inputs: np.ndarray
    outputs: np.ndarray
    slopes: np.ndarray
    factors: np.ndarray
    grads: np.ndarray
    loss: float


def chain_gradients(depth: int, activation: str = "sigmoid", weight: float = 1.0, x: float = 1.0,
                    target: float = 0.0) -> ChainResult:
    """Forward and backward pass through ``depth`` single neurons, all weights ``weight``, no biases.

    Parameters
    ----------
    depth : int in [1, 30]
        Number of weight layers (and of neurons).
    activation : str
        A name of the engine's activation registry.
    weight : float
        The value of every weight W(1) .. W(depth).
    x, target : float
        The input and the target.

    Returns
    -------
    ChainResult

    Examples
    --------
    One sigmoid neuron, w = x = 1, t = 0: y = sigmoid(1) = 0.7311 and dJ/dW = (y - 0) y (1 - y) x:

    >>> r = chain_gradients(1)
    >>> round(float(r.outputs[-1]), 4), round(float(r.grads[0]), 4)
    (0.7311, 0.1437)
    """
    owner = "chain_gradients"
    depth = checks.integer(depth, "depth", owner, 1, MAX_DEPTH)
    act = get_activation(activation, parameter="activation", owner=owner)
    weight = checks.real(weight, "weight", owner, "a finite float")
    x = checks.real(x, "x", owner, "a finite float")
    target = checks.real(target, "target", owner, "a finite float")
    net = MLP([1] * (depth + 1), activation=act.name, bias=False, seed=0)
    for Wl in net.weights:
        Wl[0, 0] = weight
    with np.errstate(all="ignore"):
        net.forward(np.array([[x]]))
        g = net.backward(np.array([[target]]))
    z = np.array([zl.item() for zl in net.net_inputs])
    a = np.array([al.item() for al in net.layer_outputs[1:]])
    slopes = act.fprime_from(z, a)
    return ChainResult(depth=depth, activation=act.name, weight=weight, x=x, target=target,
                       net_inputs=z, outputs=a, slopes=slopes,
                       factors=np.abs(weight * slopes[:-1]),
                       grads=np.array([gw.item() for gw in g.weights]), loss=float(g.loss))


def log_limits(values: np.ndarray, floor: float = 1e-300) -> tuple[float, float]:
    """Limits of a log axis that hold every positive finite value, with a third of a decade spare.

    >>> log_limits(np.array([1e-3, 0.0, 10.0]))
    (0.0005, 20.0)
    """
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v) & (v > floor)]
    if v.size == 0:
        return 0.1, 10.0
    lo, hi = float(v.min()) / 2, float(v.max()) * 2
    return lo, hi


def decade_limits(values: np.ndarray, floor: float = 1e-300) -> tuple[float, float]:
    """:func:`log_limits` widened to whole decades (so small changes of the values keep the axis).

    >>> decade_limits(np.array([1e-3, 0.0, 10.0]))
    (0.0001, 100.0)
    """
    lo, hi = log_limits(values, floor)
    return float(10.0 ** np.floor(np.log10(lo))), float(10.0 ** np.ceil(np.log10(hi)))


def chain_view_state(depth: int, activation: str = "sigmoid", weight: float = 1.0, x: float = 1.0,
                     target: float = 0.0) -> dict:
    """Everything :class:`ChainView` shows, as data: the numbers, the readout and the axes' limits.

    Returns
    -------
    dict
        The fields of :class:`ChainResult` (``grads`` as |dJ/dW(l)|), ``output``, ``first_grad``,
        ``last_grad``, ``zero_layers`` (1-based layers whose gradient is exactly 0, which a log axis
        cannot draw), ``grad_ylim`` and ``factor_ylim`` (the limits of the two axes), ``readout``
        (HTML stating the numbers) and ``warning`` (a sentence, or "").
    """
    r = chain_gradients(depth, activation, weight, x, target)
    grads = np.abs(r.grads)
    zero = [l + 1 for l in range(r.depth) if not grads[l] > 1e-300]
    finite = r.factors[np.isfinite(r.factors)]
    # the factor axis grows in doublings from 1.5 and the gradient axis in whole decades, so while
    # a slider is dragged the axes stay put and only the bars and the line move
    need = 1.1 * float(finite.max()) if finite.size else 0.0
    top = 1.5 * 2.0 ** max(0, int(np.ceil(np.log2(need / 1.5)))) if need > 1.5 else 1.5
    ratio = f"{grads[0] / grads[-1]:.3e}" if grads[-1] > 0 else "undefined (|dJ/dW(L)| is 0)"
    parts = [f"<b>L = {r.depth}</b>, f = {r.activation}, every W = {r.weight:+.2f}, x = {P.fmt(r.x)},"
             f" t = {P.fmt(r.target)}: &nbsp; y = {r.outputs[-1]:.4g}, J = {r.loss:.4g}",
             f"<b>|dJ/dW(1)| = {grads[0]:.3e}</b>, &nbsp; |dJ/dW(L)| = {grads[-1]:.3e}, &nbsp;"
             f" |dJ/dW(1)| / |dJ/dW(L)| = {ratio}"]
    if r.depth > 1:
        parts.append(f"product of the {r.depth - 1} factors |W f'(z)| between them = "
                     f"{np.prod(r.factors):.3e}")
    warning = ""
    if zero:
        which = "every layer" if len(zero) == r.depth else f"layer(s) {', '.join(map(str, zero))}"
        warning = (f"The gradient of {which} is exactly 0 (no signal gets through): a log axis "
                   "cannot show 0, so those layers have no marker.")
    return dict(depth=r.depth, activation=r.activation, weight=r.weight, x=r.x, target=r.target,
                net_inputs=r.net_inputs, outputs=r.outputs, slopes=r.slopes, factors=r.factors,
                grads=grads, loss=r.loss, output=float(r.outputs[-1]), first_grad=float(grads[0]),
                last_grad=float(grads[-1]), zero_layers=zero, grad_ylim=decade_limits(grads),
                factor_ylim=(0.0, top), readout="<br>".join(parts), warning=warning)


class ChainView(View):
    """Depth, weight and activation of a chain of single neurons; |dJ/dW(l)| and |W f'(z)| per layer.

    Controls (attributes): ``depth`` (IntSlider), ``weight`` (FloatSlider, every weight of the chain),
    ``activation`` (Dropdown of the engine's registry names). ``state`` holds what
    :func:`chain_view_state` returns for the controls' values.
    """

    figsize = (9.6, 3.8)

    def __init__(self, depth: int = 5, activation: str = "sigmoid", weight: float = 1.0,
                 x: float = 1.0, target: float = 0.0, max_depth: int = 20) -> None:
        owner = "ChainView"
        max_depth = checks.integer(max_depth, "max_depth", owner, 1, MAX_DEPTH)
        depth = checks.integer(depth, "depth", owner, 1, max_depth, f"an int in [1, max_depth] = [1, {max_depth}]")
        get_activation(activation, parameter="activation", owner=owner)
        weight = checks.real(weight, "weight", owner, "a float in [-5, 5]", lambda v: -5 <= v <= 5)
        self.x = checks.real(x, "x", owner, "a finite float")
        self.target = checks.real(target, "target", owner, "a finite float")
        style = {"description_width": "70px"}
        self.depth = S.IntSlider(value=depth, min=1, max=max_depth, description="layers L",
                                 style=style, layout=W.Layout(width="300px"))
        self.weight = S.FloatSlider(value=weight, min=-5.0, max=5.0, description="every W",
                                    readout_format=".2f", style=style, layout=W.Layout(width="300px"))
        self.activation = W.Dropdown(options=list(ACTIVATIONS), value=activation, description="f",
                                     style={"description_width": "20px"}, layout=W.Layout(width="170px"))
        self.readout = W.HTML(value="")
        super().__init__(controls=[self.depth, self.weight, self.activation], extra=[self.readout])
        self.children = (self.children[0], self.readout, *self.children[1:-1])
        # Fixed margins instead of the layout solver, which would cost more than the rest of a frame;
        # the left margins leave room for log tick labels such as 10^-300.
        self.fig.set_layout_engine("none")
        self._ax_grad, self._ax_factor = self.fig.subplots(1, 2, gridspec_kw=dict(
            left=0.1, right=0.985, bottom=0.14, top=0.92, wspace=0.25))
        self._fast = P.FastPNG(self.fig)
        self._key = None
        self.observe_controls(self.depth, self.weight, self.activation)
        self.refresh()

    def render(self) -> None:
        """Send the figure to the front end, redrawing only the gradients and factors that moved.

        The axes, ticks, titles and labels depend only on ``self._key`` (depth, activation and the
        axes' limits, which change in whole steps), so they are drawn once per key and reused.
        """
        self.image.value = self._fast.png(key=self._key)

    def set(self, depth: int | None = None, weight: float | None = None,
            activation: str | None = None) -> None:
        """Set several controls at once and redraw once."""
        with self.held():
            if depth is not None:
                self.depth.value = depth
            if weight is not None:
                self.weight.value = weight
            if activation is not None:
                self.activation.value = activation
        self.refresh()

    def update(self) -> None:
        s = chain_view_state(self.depth.value, self.activation.value, self.weight.value, self.x,
                             self.target)
        self.state.update(s)
        self.readout.value = s["readout"]
        self.show_message(s["warning"], "warning") if s["warning"] else self.clear_message()
        self._draw(s)

    def _draw(self, s: dict) -> None:
        depth, grads = s["depth"], s["grads"]
        key = (depth, s["activation"], s["grad_ylim"], s["factor_ylim"])
        if key != self._key:
            self._draw_static(s)
            self._key = key
        layers = np.arange(1, depth + 1)
        shown = grads > 1e-300
        self._grad_line.set_data(layers[shown], grads[shown])
        for bar, f in zip(self._bars, s["factors"]):
            bar.set_height(f if np.isfinite(f) else s["factor_ylim"][1])
        if self._sigmoid_line is not None:
            self._sigmoid_line.set_ydata([0.25 * abs(s["weight"])] * 2)

    def _draw_static(self, s: dict) -> None:
        """Axes, limits, titles and the artists that move, for one depth, activation and limits."""
        ax, bx = self._ax_grad, self._ax_factor
        ax.cla()
        bx.cla()
        depth = s["depth"]
        self._grad_line, = ax.semilogy([], [], "o-", color=P.GRAD_COLOUR, ms=5, animated=True)
        ax.set_ylim(*s["grad_ylim"])
        ax.set_xlim(0.5, depth + 0.5)
        ax.set_xlabel("weight layer l  (1 = next to the input)")
        ax.set_ylabel("|dJ/dW(l)|  (log scale)")
        ax.set_title(f"gradient of each weight, {depth}-layer {s['activation']} chain", fontsize=10, y=1.01)
        ax.grid(alpha=0.3)
        bx.set_ylim(*s["factor_ylim"])
        self._bars = []
        if depth > 1:
            self._bars = list(bx.bar(np.arange(1, depth), np.zeros(depth - 1), color=P.VALUE_COLOUR,
                                     alpha=0.8, width=0.6))
            bx.set_xlim(0.5, depth - 0.5)
        else:
            bx.text(0.5, 0.5, "one layer: no factor between\nthe output and W(1)", ha="center",
                    va="center", transform=bx.transAxes, fontsize=9)
        bx.axhline(1.0, color="grey", ls="--", lw=1)
        self._sigmoid_line = None
        if s["activation"] == "sigmoid":
            self._sigmoid_line = bx.axhline(0.25 * abs(s["weight"]), color=P.GRAD_COLOUR, ls=":", lw=1.2,
                                            label="|W|/4: the largest a sigmoid allows")
            bx.legend(fontsize=8, loc="upper right")
            self._sigmoid_line.set_animated(True)
        bx.set_xlabel("neuron of layer l, crossed on the way back")
        bx.set_ylabel("factor |W f'(z)|")
        bx.set_title("below the dashed line 1: the product shrinks", fontsize=10, y=1.01)
        bx.grid(alpha=0.3, axis="y")
        for bar in self._bars:
            bar.set_animated(True)
        for a in (ax, bx):
            a.xaxis.get_major_locator().set_params(integer=True)


def chain_explorer(**kwargs) -> ChainView:
    """Return a :class:`ChainView`; keyword arguments as its constructor."""
    return ChainView(**kwargs)
