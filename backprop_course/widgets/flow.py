"""View 4: gradient flow through a layered network (all four sources).

The learner sees a small network trained on XOR data: edges coloured (sign) and sized (magnitude) by
their weights, and, as the backward pass reaches them, by their gradients dE/dw. A "backward step"
button reveals the error terms (deltas, the 2017 note's dL/dz^n, Gashler's -e) one layer at a time, from
the output layer down, as equations (10)-(11) of the 2017 note compute them. Bars show the gradient norm of
every weight layer; a deep sigmoid preset makes them shrink layer by layer (vanishing gradients).
Any single weight can be edited with a selector and one slider, or on the drawing itself: click an edge
to select its weight, drag sideways to change it. The loss, every gradient and a plot of the loss along
that weight (with its tangent, whose slope is dE/dw) update at once.

The pure functions below do the numbers and are tested against the engine directly; the view only
wires controls to them.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

import ipywidgets as W

from backprop_course.engine import checks
from backprop_course.widgets import sliders as S
from backprop_course.widgets.base import View, guarded
from backprop_course.widgets.netplot import LayerBarsPlot, LossSlicePlot, NetworkPlot
from backprop_course.widgets.plotting import FastPNG
from backprop_course.widgets.pointer import PointerGesture, attach_pointer, nearest_segment

__all__ = ["PRESETS", "GradientFlowView", "gradient_flow", "revealed_layers", "loss_along_weight",
           "weight_options", "delta_table_html", "flow_view"]

#: Networks the view offers. Every preset learns XOR (4 samples, 2 inputs, 1 output).
PRESETS: dict[str, dict[str, Any]] = {
    "small sigmoid net 2-3-2-1": dict(sizes=[2, 3, 2, 1], activation="sigmoid", init="xavier"),
    "deep sigmoid net, 8 layers (vanishing gradients)": dict(
        sizes=[2, 4, 4, 4, 4, 4, 4, 4, 1], activation="sigmoid", init="xavier"),
    "deep tanh net, 8 layers": dict(sizes=[2, 4, 4, 4, 4, 4, 4, 4, 1], activation="tanh",
                                    init="xavier"),
    "deep relu net, 8 layers (He init)": dict(
        sizes=[2, 4, 4, 4, 4, 4, 4, 4, 1], activation=["relu"] * 7 + ["sigmoid"], init="he"),
}


def gradient_flow(net, X: np.ndarray, T: np.ndarray) -> dict[str, Any]:
    """One forward and one backward pass; everything the view shows.

    Parameters
    ----------
    net : MLP
    X : ndarray, shape (n, sizes[0]); T : ndarray, shape (n, sizes[-1])

    Returns
    -------
    dict
        ``loss`` (float E), ``gradients`` (the engine's ``Gradients``), ``deltas`` (list of
        ``(n, sizes[l+1])`` arrays), ``node_deltas`` (each summed over the samples, shape
        ``(sizes[l+1],)``: a node's total error term, which is also its bias gradient),
        ``input_grad`` (dE/dX summed over samples, ``(sizes[0],)``) and ``grad_norms`` (Frobenius
        norm of dE/dW per weight layer, length L).
    """
    net.forward(X)
    g = net.backward(T)
    return {
        "loss": float(g.loss),
        "gradients": g,
        "deltas": g.deltas,
        "node_deltas": [d.sum(axis=0) for d in g.deltas],
        "input_grad": np.asarray(g.inputs).reshape(len(X), -1).sum(axis=0),
        "grad_norms": [float(np.linalg.norm(gw)) for gw in g.weights],
    }


def revealed_layers(step: int, n_layers: int) -> list[bool]:
    """Which weight layers the backward pass has reached after ``step`` steps.

    Step 1 computes the output layer's error terms (and so dE/dW of the last weight layer), step 2
    the layer below it, ... step ``n_layers`` reaches the first weight layer.

    >>> revealed_layers(1, 3)
    [False, False, True]
    """
    step = min(max(int(step), 0), n_layers)
    return [l >= n_layers - step for l in range(n_layers)]


def loss_along_weight(net, X: np.ndarray, T: np.ndarray, layer: int, j: int, k: int,
                      values: np.ndarray) -> np.ndarray:
    """E as a function of one weight, all other parameters fixed (the net is left unchanged).

    Parameters
    ----------
    layer, j, k : int
        The weight ``net.weights[layer][j, k]``.
    values : ndarray, shape (m,)

    Returns
    -------
    ndarray, shape (m,)
    """
    probe = net.copy()
    out = np.empty(len(values))
    for i, v in enumerate(values):
        probe.weights[layer][j, k] = v
        out[i] = probe.loss(X, T)
    return out


def weight_options(sizes: Sequence[int]) -> list[tuple[str, tuple[int, int, int]]]:
    """Dropdown entries ``(label, (l, j, k))`` for every weight, output layer first.

    Labels count weight layers from 1 (``W1`` feeds layer 1, Gashler's w_1jk); the value is the
    engine's index: ``net.weights[l][j, k]`` with ``l`` from 0.

    >>> weight_options([2, 1])[0]
    ('W1[0,0]: into node 0 of output from node 0', (0, 0, 0))
    """
    L = len(sizes) - 1
    opts = []
    for l in range(L - 1, -1, -1):
        dest = "output" if l == L - 1 else f"layer {l + 1}"
        for j in range(sizes[l + 1]):
            for k in range(sizes[l]):
                opts.append((f"W{l + 1}[{j},{k}]: into node {j} of {dest} from node {k}", (l, j, k)))
    return opts


def delta_table_html(node_deltas: Sequence[np.ndarray], revealed: Sequence[bool],
                     input_grad: np.ndarray | None = None) -> str:
    """HTML table of the error terms, one column per layer, "?" where the backward pass has not been.

    Parameters
    ----------
    node_deltas : list of ndarray
        ``node_deltas[l]`` of shape ``(sizes[l+1],)``.
    revealed : list of bool
        Per weight layer (see :func:`revealed_layers`).
    input_grad : ndarray, shape (sizes[0],), optional
        dE/dx, shown once the pass is complete.
    """
    L = len(node_deltas)
    heads = ["input: dE/dx"] + [f"layer {l + 1}: &delta;" if l < L - 1 else "output: &delta;"
                                for l in range(L)]
    cols: list[list[str]] = []
    done = all(revealed)
    cols.append([f"{v:+.2e}" for v in input_grad] if (done and input_grad is not None)
                else ["?"] * (0 if input_grad is None else len(input_grad)))
    for l in range(L):
        cols.append([f"{v:+.2e}" for v in node_deltas[l]] if revealed[l] else ["?"] * len(node_deltas[l]))
    rows = max(len(c) for c in cols)
    cell = "padding:1px 8px;text-align:right;font-family:monospace"
    out = ["<table class='bc-deltas' style='border-collapse:collapse;font-size:12px'><tr>"]
    out += [f"<th style='padding:1px 8px'>{h}</th>" for h in heads]
    out.append("</tr>")
    for r in range(rows):
        out.append("<tr>" + "".join(f"<td style='{cell}'>{c[r] if r < len(c) else ''}</td>" for c in cols)
                   + "</tr>")
    out.append("</table>")
    return "".join(out)


class GradientFlowView(View):
    """Gradient flow in a network: weights, error terms layer by layer, gradient norms.

    Parameters
    ----------
    preset : str
        A key of :data:`PRESETS`.
    seed : int
        Seed of the initial weights.
    X, T : ndarray, optional
        Data (default: the four XOR points).

    Attributes
    ----------
    state : dict
        ``loss``, ``gradients`` (equal to ``net.backward``'s), ``deltas``, ``grad_norms``, ``step``
        (backward steps taken, 0..L), ``revealed`` (per weight layer), ``selected`` ((l, j, k)),
        ``weight`` and ``selected_grad`` (its value and dE/dw), ``selected_grad_shown`` (whether the
        backward pass has reached its layer, so the readout and the tangent show dE/dw).
    net : MLP
        The live network (the slider writes into ``net.weights``).
    """

    figsize = (9.6, 4.4)
    weight_range = 6.0

    def __init__(self, preset: str = "small sigmoid net 2-3-2-1", seed: int = 0,
                 X: np.ndarray | None = None, T: np.ndarray | None = None) -> None:
        from backprop_course import datasets

        if preset not in PRESETS:
            raise checks.error("GradientFlowView", "preset", f"one of {list(PRESETS)}", repr(preset))
        if X is None or T is None:
            X, T = datasets.xor()
        self.X, self.T, self.seed = np.asarray(X, float), np.asarray(T, float), seed
        self._quiet = False
        self.preset = W.Dropdown(options=list(PRESETS), value=preset, description="network",
                                 layout=W.Layout(width="440px"))
        self.weight_choice = W.Dropdown(description="weight", layout=W.Layout(width="420px"))
        r = self.weight_range
        self.weight = S.FloatSlider(value=0.0, min=-r, max=r, description="value",
                                    continuous_update=True, readout_format=".4f",
                                    layout=W.Layout(width="420px"))
        self.step_button = W.Button(description="backward step ▶", button_style="primary",
                                    tooltip="reveal the error terms of one more layer")
        self.all_button = W.Button(description="show all gradients")
        self.forward_button = W.Button(description="forward pass only")
        self.readout = W.HTML(value="")
        self.delta_table = W.HTML(value="")
        super().__init__(controls=[self.preset, self.weight_choice, self.weight, self.step_button,
                                   self.all_button, self.forward_button],
                         extra=[self.readout, self.delta_table])
        # Native pixel size: in a flex column the Image would otherwise be stretched (and blurred).
        self.image.layout.width = f"{int(self.figsize[0] * self.dpi)}px"
        # readout right under the controls, the error-term table under the figure
        self.children = (self.children[0], self.readout, *self.children[1:-2], self.delta_table)
        # CSS classes: stable handles for styling and for the browser test
        for widget, name in ((self, "bc-flow"), (self.weight, "bc-flow-weight"),
                             (self.weight_choice, "bc-flow-choice"), (self.step_button, "bc-flow-step"),
                             (self.readout, "bc-flow-readout"), (self.image, "bc-flow-image")):
            widget.add_class(name)
        self.preset.observe(self._on_preset, names="value")
        self.weight_choice.observe(self._on_choice, names="value")
        self.weight.observe(self._on_weight, names="value")
        self.step_button.on_click(lambda _: self.set_step(self.state.get("step", 0) + 1))
        self.all_button.on_click(lambda _: self.set_step(self.n_layers))
        self.forward_button.on_click(lambda _: self.set_step(0))
        self.gesture = PointerGesture(self.press_at, self.drag_to)
        self.pointer = attach_pointer(self.image, self.gesture)
        self._build_net()

    # -- direct manipulation ----------------------------------------------------------------------
    #: Pixels of sideways drag per unit of weight.
    drag_pixels_per_unit = 60.0

    def weight_at_pixel(self, x_px: float, y_px: float) -> tuple[int, int, int] | None:
        """The weight ``(l, j, k)`` whose edge is drawn under image pixel ``(x_px, y_px)``, or None."""
        plot = self._net_plot
        i = nearest_segment(plot.ax, plot.segments, x_px, y_px)
        return None if i is None else plot.index[i]

    def press_at(self, x_px: float, y_px: float) -> bool:
        """A press on the drawing: select the weight under the pointer (True: a drag may follow)."""
        chosen = self.weight_at_pixel(x_px, y_px)
        if chosen is None:
            return False
        if self.weight_choice.value != chosen:
            self.weight_choice.value = chosen
        self._drag_from = (float(x_px), float(self.weight.value))
        return True

    def drag_to(self, x_px: float, y_px: float) -> None:
        """Sideways drag after a press on an edge: right increases the weight, left decreases it."""
        x0, w0 = self._drag_from
        r = self.weight_range
        value = float(np.clip(w0 + (float(x_px) - x0) / self.drag_pixels_per_unit, -r, r))
        l, j, k = self.weight_choice.value
        self._quiet = True
        try:
            self.weight.value = value
        finally:
            self._quiet = False
        self.net.weights[l][j, k] = float(self.weight.value)
        self.throttle.request(deferrable=True)  # from the browser: one frame at a time, the last drawn

    # -- model ------------------------------------------------------------------------------------
    @property
    def n_layers(self) -> int:
        return len(self.net.weights)

    def _build_net(self) -> None:
        from backprop_course.engine.mlp import MLP

        spec = PRESETS[self.preset.value]
        self.net = MLP(spec["sizes"], activation=spec["activation"], init=spec["init"], seed=self.seed)
        self.state["step"] = self.n_layers
        self._build_axes()
        self._quiet = True
        try:
            opts = weight_options(self.net.sizes)
            self.weight_choice.options = opts
            self.weight_choice.value = opts[0][1]
            l, j, k = opts[0][1]
            self.weight.value = float(np.clip(self.net.weights[l][j, k], -self.weight_range,
                                              self.weight_range))
        finally:
            self._quiet = False
        self._slice_for = None
        self.refresh()

    def _build_axes(self) -> None:
        """Fixed axes (no layout engine) and persistent artists: updates only recolour them."""
        fig = self.fig
        fig.clear()
        fig.set_layout_engine("none")
        self._fast = FastPNG(fig)
        # Node values go to an HTML table, not into the figure: text is the slowest thing to draw.
        self._net_plot = NetworkPlot(fig.add_axes((0.0, 0.03, 0.64, 0.88)), self.net.sizes,
                                     annotate=False)
        self._bars = LayerBarsPlot(fig.add_axes((0.72, 0.62, 0.27, 0.3)), self.n_layers,
                                   title="|dE/dW| per weight layer (log scale)")
        self._slice = LossSlicePlot(fig.add_axes((0.72, 0.12, 0.27, 0.34)))
        for artist in self._net_plot.artists + self._bars.artists + self._slice.artists:
            artist.set_animated(True)  # redrawn on every update over the cached axes, ticks and titles

    # -- callbacks --------------------------------------------------------------------------------
    @guarded
    def _on_preset(self, change: dict) -> None:
        self._build_net()

    @guarded
    def _on_choice(self, change: dict) -> None:
        if self._quiet or change["new"] is None:
            return
        l, j, k = change["new"]
        value = float(self.net.weights[l][j, k])
        self._quiet = True
        try:
            self.weight.value = float(np.clip(value, -self.weight_range, self.weight_range))
        finally:
            self._quiet = False
        self.refresh()

    @guarded
    def _on_weight(self, change: dict) -> None:
        if self._quiet:
            return
        l, j, k = self.weight_choice.value
        self.net.weights[l][j, k] = float(change["new"])
        self.refresh(change)  # a dragged slider's positions go through the view's throttle

    def set_step(self, step: int) -> None:
        """Show the backward pass after ``step`` layers (wraps to 0 past the first layer)."""
        step = int(step)
        self.state["step"] = 0 if step > self.n_layers else max(step, 0)
        self.refresh()

    def set_weight(self, layer: int, j: int, k: int, value: float) -> None:
        """Select a weight and give it a value, as the selector and slider would."""
        self.weight_choice.value = (layer, j, k)
        self.weight.value = value

    # -- recompute + draw -------------------------------------------------------------------------
    def update(self) -> None:
        with np.errstate(all="ignore"):
            result = gradient_flow(self.net, self.X, self.T)
        l, j, k = self.weight_choice.value
        L = self.n_layers
        step = self.state.get("step", L)
        revealed = revealed_layers(step, L)
        g = result["gradients"]
        self.state.update(result, step=step, revealed=revealed, selected=(l, j, k),
                          weight=float(self.net.weights[l][j, k]),
                          selected_grad=float(g.weights[l][j, k]))
        grad = self.state["selected_grad"]
        # dE/dw is shown only once the backward pass has reached the selected weight's layer: before
        # that, nothing has computed it yet (the state keeps it for tests; the learner does not see it).
        self.state["selected_grad_shown"] = shown = revealed[l]
        where = (f"<b>dE/dw = <span class='bc-grad' style='color:{'#c22' if grad > 0 else '#25b'}'>"
                 f"{grad:+.5f}</span></b> &nbsp; ({'decrease' if grad > 0 else 'increase'} w to lower E)"
                 if shown else
                 f"dE/dw: <i>not computed yet</i> (the backward pass has not reached W{l + 1})")
        self.readout.value = (
            f"<b>E = {result['loss']:.5f}</b> &nbsp; | &nbsp; W{l + 1}[{j},{k}] = "
            f"{self.state['weight']:+.3f} &nbsp; | &nbsp; {where}")
        self.delta_table.value = delta_table_html(result["node_deltas"], revealed,
                                                  result["input_grad"])
        if step == 0:
            self.show_message("Forward pass only: edges show the weights. Press 'backward step' to "
                              "compute the output layer's error terms.")
        elif step < L:
            into = f"W{L}" if step == 1 else f"W{L - step + 1}..W{L}"
            self.show_message(f"Backward pass, step {step} of {L}: error terms known down to layer "
                              f"{L - step + 1}; the edges of {into} now show dE/dw, the others still "
                              f"their weights.")
        else:
            self.show_message("Backward pass complete: every edge shows dE/dw, every node its error "
                              "term (delta, summed over the samples).")
        self._draw(revealed, (l, j, k))

    def _draw(self, revealed: list[bool], selected: tuple[int, int, int]) -> None:
        st = self.state
        g = st["gradients"]
        L = self.n_layers
        edge_values = [g.weights[l] if revealed[l] else self.net.weights[l] for l in range(L)]
        nodes = [st["input_grad"] if all(revealed) else None]
        nodes += [st["node_deltas"][l] if revealed[l] else None for l in range(L)]
        # Fixed title and caption (text is the slowest thing to draw; the message line says which
        # layers already show gradients).
        stale = self._net_plot.update(
            edge_values, nodes, edge_group=[1 if r else 0 for r in revealed], highlight=selected,
            title="edges: weight, or dE/dw once reached (red > 0, blue < 0)",
            caption="node colour: error term delta = dE/dz (grey: not reached yet)")
        stale |= self._bars.update(st["grad_norms"], known=revealed)
        if stale:
            self._fast.invalidate()
        l, j, k = selected
        # E along the selected weight does not depend on that weight's own value: recompute the curve
        # only when another weight (or the selection) changed.
        others = [W.copy() for W in self.net.weights]
        others[l][j, k] = 0.0  # the selected weight's own value does not matter
        key = (selected, others, [b.copy() for b in self.net.biases])
        if not self._same_slice(key):
            r = self.weight_range
            values = np.linspace(-r, r, 61)
            with np.errstate(all="ignore"):
                losses = loss_along_weight(self.net, self.X, self.T, l, j, k, values)
            if self._slice.set_curve(values, losses):
                self._fast.invalidate()
        self._slice_for = key
        # The tangent's slope is dE/dw: drawn only once the backward pass has computed it.
        self._slice.update(st["weight"], st["loss"], st["selected_grad"] if st["selected_grad_shown"] else None)

    def _same_slice(self, key: tuple) -> bool:
        """True when the shown curve is still right: same selection, every other parameter unchanged."""
        if self._slice_for is None or self._slice_for[0] != key[0]:
            return False
        return all(np.array_equal(a, b) for part in (1, 2)
                   for a, b in zip(key[part], self._slice_for[part]))

    def render(self) -> None:
        """PNG of the figure; only the moving artists are redrawn over a cached background."""
        self.image.value = self._fast.png()


def flow_view(**kwargs: Any) -> GradientFlowView:
    """Build the gradient-flow view (see :class:`GradientFlowView`)."""
    return GradientFlowView(**kwargs)
