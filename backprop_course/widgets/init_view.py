"""View 6: initialisation and saturation (Backpropagation for dummies).

A deep stack of equal-width layers gets random inputs; for each layer we look at the distribution of
its activations (forward) and of its error terms dE/d(net input) (backward). Backpropagation for
dummies makes the point:

- weights drawn from the standard normal make every net input huge (its variance is the layer width
  times the input variance), so a sigmoid sits almost always near 0 or 1 — *saturated*, where its
  slope a(1 - a) is nearly 0 and the backward pass carries almost nothing;
- small weights (``small_uniform``, U(-0.1, 0.1)) do the opposite: every net input is close to 0, so
  after a layer or two every activation is close to 0.5 and the layers stop telling inputs apart;
- Xavier's initialisation scales the weights by the layer sizes and keeps activations spread out and
  away from saturation in every layer (He does the same job for relu layers).

Definitions used by :func:`layer_statistics` (and the tests):

* *saturated*: a sigmoid output within 0.05 of 0 or 1 (a tanh output within 0.05 of -1 or 1). There
  the slope a(1 - a) is below 0.0475, less than a fifth of its best value 0.25 (for tanh, 1 - a^2 <
  0.0975, under a tenth of its best value 1). For relu, "saturated" means exactly 0 (a dead unit:
  slope 0).
* *near the centre*: a sigmoid output within 0.1 of 0.5 (tanh: within 0.1 of 0).

The upstream gradient fed into the backward pass is a fixed standard-normal dE/dY (we set the
targets to T = Y - G, so that dE/dY = Y - T = G for the half sum of squares), so only the network
itself shapes how gradients shrink or grow from layer to layer.
"""
from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as W
import numpy as np

from backprop_course.engine import checks
from backprop_course.engine.mlp import MLP
from backprop_course.widgets import plotting as P
from backprop_course.widgets import sliders as S
from backprop_course.widgets.base import View

__all__ = ["INITS", "ACTIVATIONS", "SATURATION_MARGIN", "CENTRE_MARGIN", "LayerStats",
           "layer_statistics", "InitView", "init_explorer"]

INITS = ("standard_normal", "small_uniform", "xavier", "he")
ACTIVATIONS = ("sigmoid", "tanh", "relu")
SATURATION_MARGIN = 0.05
CENTRE_MARGIN = 0.1
_CENTRE = {"sigmoid": 0.5, "tanh": 0.0, "relu": 0.0}
#: Fixed plotting ranges (fixed, so the axes are drawn once): activation values, log10 |dE/dz|.
ACT_RANGE = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0), "relu": (0.0, 4.0)}
GRAD_RANGE = (-12.0, 1.0)


@dataclass
class LayerStats:
    """Per-layer statistics of one forward and backward pass; every array has shape (depth,).

    Attributes
    ----------
    mean, std : ndarray
        Mean and standard deviation of each layer's activations (over samples and units).
    saturated : ndarray
        Fraction of activations that are saturated (see the module docstring).
    near_centre : ndarray
        Fraction of activations within 0.1 of the activation's centre (0.5 for sigmoid).
    sample_std : ndarray
        Standard deviation over the samples, averaged over the units: how much a layer still
        distinguishes one input from another.
    delta_std : ndarray
        Root mean square of the error terms dE/dz of each layer.
    weight_grad_norm : ndarray
        Frobenius norm of dE/dW of each layer.
    activations, deltas : list of ndarray, each (n_samples, width)
        The raw values, for histograms.
    """

    mean: np.ndarray
    std: np.ndarray
    saturated: np.ndarray
    near_centre: np.ndarray
    sample_std: np.ndarray
    delta_std: np.ndarray
    weight_grad_norm: np.ndarray
    activations: list
    deltas: list


def _check_int(name: str, value: object, lo: int, hi: int) -> int:
    return checks.integer(value, name, "layer_statistics", lo, hi)


def layer_statistics(init: str = "xavier", activation: str = "sigmoid", depth: int = 5, width: int = 50,
                     n_samples: int = 200, seed: int = 0) -> LayerStats:
    """Forward and backward pass of a deep net on random input; statistics per layer.

    Parameters
    ----------
    init : {"standard_normal", "small_uniform", "xavier", "he"} (or any engine initialiser name)
    activation : {"sigmoid", "tanh", "relu"} (or any engine activation name)
    depth : int in [1, 50]
        Number of layers (all of them ``width`` wide, all with ``activation``).
    width : int in [1, 2000]
        Units per layer (the inputs have the same width).
    n_samples : int in [1, 100000]
        Random inputs, standard normal, shape (n_samples, width).
    seed : int
        Seeds the weights, the inputs and the upstream gradient.

    Returns
    -------
    LayerStats
        Arrays of shape (depth,), layer 1 first.

    Examples
    --------
    >>> s = layer_statistics("standard_normal", "sigmoid", depth=3, width=50)
    >>> bool(s.saturated.min() > 0.5)      # most sigmoid outputs stuck near 0 or 1
    True
    """
    depth = _check_int("depth", depth, 1, 50)
    width = _check_int("width", width, 1, 2000)
    n_samples = _check_int("n_samples", n_samples, 1, 100_000)
    net = MLP([width] * (depth + 1), activation=activation, init=init, seed=seed)
    rng = np.random.default_rng(None if seed is None else seed + 1)
    X = rng.standard_normal((n_samples, width))
    Y = net.forward(X)
    G = rng.standard_normal(Y.shape)
    with np.errstate(all="ignore"):
        grads = net.backward(Y - G, input_grad=False)
    acts = [np.asarray(a) for a in net.layer_outputs[1:]]
    name = net.activations[0]
    centre = _CENTRE.get(name, 0.0)
    sat, near = [], []
    for a in acts:
        if name == "sigmoid":
            s = (a < SATURATION_MARGIN) | (a > 1.0 - SATURATION_MARGIN)
        elif name == "tanh":
            s = np.abs(a) > 1.0 - SATURATION_MARGIN
        else:  # relu and the like: a dead unit has slope 0
            s = a == 0.0
        sat.append(float(np.mean(s)))
        near.append(float(np.mean(np.abs(a - centre) < CENTRE_MARGIN)))
    deltas = [np.asarray(d) for d in grads.deltas]
    with np.errstate(all="ignore"):
        return LayerStats(
            mean=np.array([a.mean() for a in acts]), std=np.array([a.std() for a in acts]),
            saturated=np.array(sat), near_centre=np.array(near),
            sample_std=np.array([a.std(axis=0).mean() for a in acts]),
            delta_std=np.array([np.sqrt(np.mean(d**2)) for d in deltas]),
            weight_grad_norm=np.array([np.linalg.norm(g) for g in grads.weights]),
            activations=acts, deltas=deltas)


def histograms(stats: LayerStats, activation: str, bins: int = 40):
    """Per-layer histograms (fractions) of activations and of log10 |dE/dz| on fixed ranges.

    Values outside a range are counted in its first or last bin. Exact zeros are left out of the
    error-term histograms (their logarithm does not exist) and, for relu, out of the activation
    histograms (the dead units; the table counts them): otherwise a spike at 0 would flatten the
    rest.

    Returns
    -------
    act_edges (bins+1,), act_counts list of (bins,), grad_edges (bins+1,), grad_counts list of (bins,)
    """
    lo, hi = ACT_RANGE.get(activation, (-4.0, 4.0))
    a_edges = np.linspace(lo, hi, bins + 1)
    g_edges = np.linspace(*GRAD_RANGE, bins + 1)
    a_counts, g_counts = [], []
    for a, d in zip(stats.activations, stats.deltas):
        a = np.nan_to_num(a, nan=lo, posinf=hi, neginf=lo).ravel()
        if activation == "relu":
            a = a[a != 0.0]
        a = np.clip(a, lo, hi)
        a_counts.append(np.histogram(a, a_edges)[0] / max(a.size, 1))
        d = np.abs(np.nan_to_num(d, nan=0.0, posinf=1e300, neginf=-1e300)).ravel()
        lg = np.clip(np.log10(d[d > 0.0]), *GRAD_RANGE)
        g_counts.append(np.histogram(lg, g_edges)[0] / max(lg.size, 1))
    return a_edges, a_counts, g_edges, g_counts


def stats_table(stats: LayerStats, activation: str) -> str:
    """An HTML table of the per-layer numbers (shown under the histograms)."""
    centre = _CENTRE.get(activation, 0.0)
    sat = "dead (a = 0)" if activation == "relu" else "saturated"
    head = ("<tr><th>layer</th><th>mean a</th><th>std a</th>"
            f"<th>{sat}</th><th>within {CENTRE_MARGIN:g} of {centre:g}</th>"
            "<th>rms dE/dz</th><th>|dE/dW|</th></tr>")
    rows = "".join(
        f"<tr><td>{l + 1}</td><td>{stats.mean[l]:.3f}</td><td>{stats.std[l]:.3f}</td>"
        f"<td>{stats.saturated[l]:.0%}</td><td>{stats.near_centre[l]:.0%}</td>"
        f"<td>{stats.delta_std[l]:.2e}</td><td>{stats.weight_grad_norm[l]:.2e}</td></tr>"
        for l in range(len(stats.mean)))
    return ('<table style="font-size:12px;text-align:right;border-collapse:collapse" cellpadding="3">'
            f"{head}{rows}</table>")


class InitView(View):
    """Per-layer histograms of activations and error terms for a choice of initialiser.

    Controls (attributes): ``init`` (Dropdown: standard_normal, small_uniform, xavier, he),
    ``activation`` (Dropdown: sigmoid, tanh, relu), ``depth`` (IntSlider 1-12), ``width`` (IntSlider
    5-200). ``set(**values)`` changes several with one redraw. The per-layer numbers are also shown
    in an HTML table (``table``) under the figure. ``state`` holds the per-layer arrays
    of :class:`LayerStats` (``mean``, ``std``, ``saturated``, ``near_centre``, ``sample_std``,
    ``delta_std``, ``weight_grad_norm``) and the settings.
    """

    figsize = (7.2, 4.2)

    def __init__(self, init: str = "standard_normal", activation: str = "sigmoid", depth: int = 5,
                 width: int = 50, n_samples: int = 200, seed: int = 0) -> None:
        style = {"description_width": "72px"}  # "activation" is 64 px wide in 13 px DejaVu Sans
        self.init = W.Dropdown(options=list(INITS), value=init, description="init", style=style)
        self.activation = W.Dropdown(options=list(ACTIVATIONS), value=activation,
                                     description="activation", style=style)
        # On release only (issue 24): a redraw runs the whole network forward and backward on its
        # sample, 60-270 ms at width 150-200 (measured 2026-12, 2 shared cores), far from the 15
        # frames a second a drag needs; a dragged slider would show a few stale-looking jumps.
        self.depth = S.IntSlider(value=depth, min=1, max=12, description="depth",
                                 continuous_update=False, style=style)
        self.width = S.IntSlider(value=width, min=5, max=200, description="width",
                                 continuous_update=False, style=style)
        self.n_samples, self.seed = n_samples, seed
        self._key = None
        self._shown_depth = None
        self.table = W.HTML(value="")
        super().__init__(controls=[self.init, self.activation, self.depth, self.width],
                         extra=[self.table])
        self._fast = P.FastPNG(self.fig)
        self.observe_controls(self.init, self.activation, self.depth, self.width)
        self.refresh()

    # -- driving ----------------------------------------------------------------------------------
    def render(self) -> None:
        """Send the figure to the front end, re-drawing only the histograms and numbers."""
        self.image.value = self._fast.png(key=self._key)

    def set(self, **values) -> None:
        """Set several controls by name (init, activation, depth, width) and redraw once."""
        with self.held():
            for name, value in values.items():
                if name not in ("init", "activation", "depth", "width"):
                    raise ValueError(f"The {name!r} setting of InitView.set is not a control; use "
                                     f"init, activation, depth or width. Got {name}={value!r} instead.")
                getattr(self, name).value = value
        self.refresh()

    # -- recompute and redraw ---------------------------------------------------------------------
    def update(self) -> None:
        act = self.activation.value
        stats = layer_statistics(self.init.value, act, self.depth.value, self.width.value,
                                 self.n_samples, self.seed)
        self.state.update(init=self.init.value, activation=act, depth=self.depth.value,
                          width=self.width.value, **{k: getattr(stats, k) for k in (
                              "mean", "std", "saturated", "near_centre", "sample_std", "delta_std",
                              "weight_grad_norm")})
        last = len(stats.mean) - 1
        if act == "relu" and self.init.value == "standard_normal":
            msg = (f"relu with standard-normal weights: activations grow layer after layer (last "
                   f"layer std {stats.std[last]:.3g}); values beyond {ACT_RANGE['relu'][1]:g} are "
                   "counted in the last bin.")
        elif act != "relu" and stats.saturated.mean() > 0.3:
            msg = (f"{stats.saturated.mean():.0%} of the {act} outputs are saturated: their slope is "
                   "almost 0, so little gradient flows back. Try xavier.")
        elif act != "relu" and stats.near_centre[last] > 0.9:
            msg = (f"{stats.near_centre[last]:.0%} of the last layer's outputs sit within "
                   f"{CENTRE_MARGIN:g} of {_CENTRE[act]:g}: the layers no longer tell inputs apart.")
        else:
            msg = "Activations spread out and mostly away from saturation."
        self.show_message(msg, "info")
        self.table.value = stats_table(stats, act)
        self._draw(stats, act)

    def _draw(self, stats: LayerStats, act: str) -> None:
        depth = len(stats.mean)
        a_edges, a_counts, g_edges, g_counts = histograms(stats, act)
        if self._key is None:
            self._build(len(a_edges) - 1)
        # Rows and their labels are animated artists and the y axis has no ticks, so a new depth
        # only moves them: the cached background (frame, x ticks, titles) stays valid.
        for rows in self._rows:
            for i, (poly, line) in enumerate(rows):
                poly.set_visible(i < depth)
                line.set_visible(i < depth)
        if depth != self._shown_depth:
            for i, label in enumerate(self._row_labels):
                label.set_visible(i < depth)
                label.set_y(depth - 1 - i + 0.3)
            self._shown_depth = depth
            self._fast.invalidate_middle()
        self._ax_a.set_ylim(-0.1, depth)
        if act != self._key:  # another x range and shading: the static part changes
            ax_a = self._ax_a
            ax_a.set_xlim(*ACT_RANGE[act])
            for name, spans in self._shades.items():
                for span in spans:
                    span.set_visible(name == act)
            note = "; red: saturated" if act in self._shades else ", zeros (dead units) left out"
            ax_a.set_xlabel(f"activation a ({act}){note}", fontsize=9)
            self._key = act  # also the key of the cached background (see render)
        for rows, edges, counts in zip(self._rows, (a_edges, g_edges), (a_counts, g_counts)):
            for i, ((poly, line), c) in enumerate(zip(rows, counts)):
                xy = P.ridge_outline(edges, c, depth - 1 - i)
                poly.set_xy(xy)
                line.set_data(xy[:, 0], xy[:, 1])
        self.fig._suptitle.set_text(f"init = {self.init.value}, {act}, {depth} layers of "
                                    f"{self.width.value} units, {self.n_samples} random inputs")

    def _build(self, bins: int) -> None:
        """Make the axes and every artist once, for the largest depth; later updates only move,
        show or hide them (the layout solver and new Axes are the slow part of a redraw)."""
        rows = self.depth.max
        self._ax_a, self._ax_g = self.fig.subplots(1, 2, sharey=True)
        empty = [np.zeros(bins)] * rows
        labels = [f"layer {l + 1}" for l in range(rows)]
        P.draw_ridgeline(self._ax_a, np.linspace(0, 1, bins + 1), empty, labels,
                         xlabel="activation a (sigmoid); red: saturated", title="activations, forward")
        P.draw_ridgeline(self._ax_g, np.linspace(*GRAD_RANGE, bins + 1), empty, labels,
                         colour=P.GRAD_COLOUR, xlabel="log10 |dE/dz|  (nonzero error terms)",
                         title="error terms, backward")
        m = SATURATION_MARGIN
        self._shades = {
            name: [self._ax_a.axvspan(lo, hi, color="#f4cccc", alpha=0.6, lw=0, zorder=0, visible=False)
                   for lo, hi in spans]
            for name, spans in (("sigmoid", [(0.0, m), (1.0 - m, 1.0)]),
                                ("tanh", [(-1.0, -1.0 + m), (1.0 - m, 1.0)]))}
        self._ax_a.set_ylim(-0.1, rows)
        self._ax_a.set_yticks([])
        from matplotlib.transforms import blended_transform_factory

        where = blended_transform_factory(self._ax_a.transAxes, self._ax_a.transData)
        self._row_labels = [self._ax_a.text(-0.02, rows - 1 - i + 0.3, label, transform=where, ha="right",
                                            va="center", fontsize=8, animated=True,
                                            gid=P.FastPNG.MIDDLE)  # cached until the depth changes
                            for i, label in enumerate(labels)]
        self.fig.suptitle("init = ...", fontsize=10)
        P.freeze_layout(self.fig)
        self._rows = []
        for ax in (self._ax_a, self._ax_g):
            polys = [[p for p in ax.patches if p.get_label() == f"_ridge{i}"][0] for i in range(rows)]
            lines = [[ln for ln in ax.lines if ln.get_label() == f"_ridge{i}"][0] for i in range(rows)]
            self._rows.append(list(zip(polys, lines)))
            for poly, line in self._rows[-1]:
                poly.set_animated(True)
                line.set_animated(True)
        self.fig._suptitle.set_animated(True)


def init_explorer(**kwargs) -> InitView:
    """Return an :class:`InitView`; keyword arguments as its constructor."""
    return InitView(**kwargs)
