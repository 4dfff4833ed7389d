"""Pure drawing and geometry helpers for network diagrams, training curves and decision boundaries.

Every ``draw_*`` function takes plain data (numpy arrays, lists) and a matplotlib ``Axes``, draws on
it and returns the ``Axes``; nothing here touches widgets or the engine, so each piece is tested on its
own and reused by the gradient-flow view (:mod:`backprop_course.widgets.flow`) and the training
playground (:mod:`backprop_course.widgets.playground`). The ``*Plot`` classes keep their artists and
update them in place; a view marks those artists animated and renders through
:class:`~backprop_course.widgets.plotting.FastPNG`, the course's one renderer and PNG encoder.

Index convention (docs/architecture.md): ``weights[l]`` has shape ``(sizes[l+1], sizes[l])``; entry ``[j, k]``
joins node ``k`` of layer ``l`` to node ``j`` of layer ``l+1`` (Gashler's :math:`w_{l+1,j,k}`).
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from backprop_course.engine import checks

__all__ = [
    "NetworkPlot",
    "LayerBarsPlot",
    "LossSlicePlot",
    "LossCurvePlot",
    "BoundaryPlot",
    "layer_layout",
    "edge_segments",
    "edge_style",
    "draw_network",
    "draw_layer_bars",
    "draw_loss_curve",
    "draw_loss_slice",
    "decision_grid",
    "draw_decision_boundary",
    "backward_pass_steps",
    "draw_backward_step",
    "paths_from",
    "draw_weight_paths",
]

# Diverging colours: negative values blue, positive red, grey for "not computed yet".
NEGATIVE = np.array([0.19, 0.40, 0.73])
POSITIVE = np.array([0.80, 0.16, 0.16])
PENDING = (0.78, 0.78, 0.78, 1.0)


def layer_layout(sizes: Sequence[int]) -> list[np.ndarray]:
    """Node positions of a layered network, one array per layer.

    Layers sit at x = 0, 1, ..., L; the nodes of a layer are spread evenly over y in [-1, 1]
    (a single node sits at y = 0), the first node of a layer at the top.

    Parameters
    ----------
    sizes : sequence of int
        Widths of the layers, input first, each >= 1.

    Returns
    -------
    list of ndarray
        ``layout[l]`` has shape ``(sizes[l], 2)`` holding (x, y) of every node of layer ``l``.

    >>> [p.tolist() for p in layer_layout([2, 1])]
    [[[0.0, 1.0], [0.0, -1.0]], [[1.0, 0.0]]]
    """
    sizes = [int(s) for s in sizes]
    if len(sizes) < 2 or min(sizes) < 1:
        raise checks.error("layer_layout", "sizes", "at least two widths >= 1", repr(sizes), must="hold")
    layout = []
    for l, n in enumerate(sizes):
        ys = np.zeros(1) if n == 1 else np.linspace(1.0, -1.0, n)
        layout.append(np.column_stack([np.full(n, float(l)), ys]))
    return layout


def edge_segments(layout: Sequence[np.ndarray]) -> tuple[np.ndarray, list[tuple[int, int, int]]]:
    """Line segments for every weight, in the order of ``weights[l].ravel()`` for l = 0, 1, ...

    Parameters
    ----------
    layout : list of ndarray
        Output of :func:`layer_layout`.

    Returns
    -------
    segments : ndarray, shape (n_weights, 2, 2)
        Start (source node k) and end (destination node j) of each edge.
    index : list of (l, j, k)
        Which weight each segment draws.
    """
    segs, index = [], []
    for l in range(len(layout) - 1):
        src, dst = layout[l], layout[l + 1]
        for j in range(len(dst)):
            for k in range(len(src)):
                segs.append((src[k], dst[j]))
                index.append((l, j, k))
    return np.asarray(segs, dtype=float).reshape(-1, 2, 2), index


def edge_style(values: np.ndarray, scale: float | None = None, max_width: float = 5.0,
               min_width: float = 0.4) -> tuple[np.ndarray, np.ndarray]:
    """Colours (sign) and line widths (magnitude) for a set of signed values.

    Parameters
    ----------
    values : ndarray, shape (n,)
        Weights or gradients; non-finite entries are drawn as thin grey lines.
    scale : float, optional
        Magnitude that maps to ``max_width``; default the largest finite ``|value|``.

    Returns
    -------
    colours : ndarray, shape (n, 4)
        RGBA; red for positive, blue for negative, fading to white-ish grey as ``|value| -> 0``.
    widths : ndarray, shape (n,)
    """
    v = np.asarray(values, dtype=float).ravel()
    finite = np.isfinite(v)
    if scale is None:
        scale = float(np.max(np.abs(v[finite]))) if finite.any() else 1.0
    scale = scale if scale > 0 else 1.0
    r = np.where(finite, np.clip(np.abs(np.where(finite, v, 0.0)) / scale, 0.0, 1.0), 0.0)
    base = np.where((v >= 0)[:, None], POSITIVE, NEGATIVE)
    pale = np.array([0.85, 0.85, 0.85])
    t = (0.25 + 0.75 * r)[:, None]  # even tiny values keep a hint of their sign
    rgb = pale * (1 - t) + base * t
    colours = np.column_stack([rgb, np.ones(len(v))])
    colours[~finite] = PENDING
    widths = min_width + (max_width - min_width) * r
    return colours, widths


def _fmt(x: float) -> str:
    if not np.isfinite(x):
        return "nan"
    return f"{x:.2g}" if abs(x) >= 0.01 or x == 0 else f"{x:.0e}"


# -- network diagram ------------------------------------------------------------------------------------
class NetworkPlot:
    """A layered network on one Axes whose colours, widths and labels can be updated in place.

    Parameters
    ----------
    ax : matplotlib Axes
    sizes : sequence of int
        Layer widths, input first.
    annotate : bool, optional
        Print node values next to the nodes; default only for small networks (<= 24 nodes).
    """

    def __init__(self, ax, sizes: Sequence[int], annotate: bool | None = None) -> None:
        from matplotlib.collections import LineCollection

        self.ax, self.sizes = ax, [int(s) for s in sizes]
        self.layout = layer_layout(self.sizes)
        self.segments, self.index = edge_segments(self.layout)
        self.nodes = np.concatenate(self.layout)
        small = len(self.nodes) <= 24
        self.annotate = small if annotate is None else annotate
        self.edges = LineCollection(self.segments, zorder=1, capstyle="round")
        self.outline = LineCollection(self.segments[:1], colors="black", zorder=0.5)
        ax.add_collection(self.outline)
        ax.add_collection(self.edges)
        self.dots = ax.scatter(self.nodes[:, 0], self.nodes[:, 1], s=260 if small else 110,
                               c=[PENDING] * len(self.nodes), edgecolors="#333", linewidths=0.8,
                               zorder=3)
        self.labels = []
        if self.annotate:
            for x, y in self.nodes:
                self.labels.append(ax.text(x + 0.09, y + 0.12, "", fontsize=8, zorder=4,
                                           bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none",
                                                     alpha=0.8)))
        for l in range(len(self.sizes)):
            name = "input" if l == 0 else ("output" if l == len(self.sizes) - 1 else f"layer {l}")
            ax.text(l, -1.3, name, ha="center", va="top", fontsize=8, color="#444")
        self.caption = ax.text(-0.4, 1.32, "", fontsize=8, color="#444", va="bottom")
        self.title = ax.set_title("", fontsize=10)
        ax.set_xlim(-0.45, len(self.sizes) - 1 + 0.5)
        ax.set_ylim(-1.55, 1.55)
        ax.set_axis_off()

    @property
    def artists(self) -> list:
        """Everything :meth:`update` changes: a live view marks them animated for its
        :class:`~backprop_course.widgets.plotting.FastPNG`."""
        return [self.outline, self.edges, self.dots, *self.labels]

    def update(self, edge_values: Sequence[np.ndarray], node_values: Sequence | None = None,
               edge_known: Sequence[bool] | None = None, edge_group: Sequence[int] | None = None,
               highlight: tuple[int, int, int] | None = None, caption: str = "",
               title: str = "") -> bool:
        """Recolour the network; arguments as in :func:`draw_network`.

        Returns True when a static part (caption, title) changed, so a cached background is stale.
        """
        sizes = self.sizes
        flat = []
        for l, ev in enumerate(edge_values):
            ev = np.asarray(ev, dtype=float)
            if ev.shape != (sizes[l + 1], sizes[l]):
                raise checks.error("draw_network", "edge_values", "arrays of shape (sizes[l+1], sizes[l])",
                                   f"{ev.shape} for l={l}", must="hold")
            if edge_known is not None and not edge_known[l]:
                ev = np.full(ev.shape, np.nan)
            flat.append(ev.ravel())
        groups = list(edge_group) if edge_group is not None else [0] * len(flat)
        colours = np.zeros((len(self.segments), 4))
        widths = np.zeros(len(self.segments))
        starts = np.cumsum([0] + [len(f) for f in flat])
        for g in set(groups):
            members = [l for l in range(len(flat)) if groups[l] == g]
            c, w = edge_style(np.concatenate([flat[l] for l in members]))
            pos = np.concatenate([np.arange(starts[l], starts[l + 1]) for l in members])
            colours[pos], widths[pos] = c, w
        self.edges.set_color(colours)
        self.edges.set_linewidths(widths)
        if highlight is not None and tuple(highlight) in self.index:
            i = self.index.index(tuple(highlight))
            self.outline.set_segments(self.segments[i:i + 1])
            self.outline.set_linewidths([widths[i] + 3.5])
            self.outline.set_visible(True)
        else:
            self.outline.set_visible(False)
        nv = list(node_values) if node_values is not None else [None] * len(sizes)
        known = [np.asarray(v, float) for v in nv if v is not None]
        known = np.concatenate(known) if known else np.zeros(0)
        known = known[np.isfinite(known)]
        scale = float(np.max(np.abs(known))) if known.size else 1.0
        cols, texts = [], []
        for l, n in enumerate(sizes):
            if nv[l] is None:
                cols += [PENDING] * n
                texts += [""] * n
            else:
                vals = np.asarray(nv[l], float)
                cols += list(edge_style(vals, scale=scale)[0])
                texts += [_fmt(x) for x in vals]
        self.dots.set_facecolors(cols)
        for label, t in zip(self.labels, texts):
            label.set_text(t)
            label.set_visible(bool(t))
        changed = (caption, title) != (self.caption.get_text(), self.title.get_text())
        self.caption.set_text(caption)
        self.title.set_text(title)
        return changed


def draw_network(ax, sizes: Sequence[int], edge_values: Sequence[np.ndarray],
                 node_values: Sequence[np.ndarray | None] | None = None,
                 edge_known: Sequence[bool] | None = None, edge_group: Sequence[int] | None = None,
                 highlight: tuple[int, int, int] | None = None, caption: str = "", title: str = "",
                 annotate: bool | None = None):
    """Draw a layered network: edges coloured and sized by a signed value per weight.

    Parameters
    ----------
    ax : matplotlib Axes
    sizes : sequence of int
        Layer widths, input first.
    edge_values : list of ndarray
        ``edge_values[l]`` of shape ``(sizes[l+1], sizes[l])`` (weights or their gradients).
    node_values : list of (ndarray or None), optional
        One entry per layer; ``node_values[l]`` of shape ``(sizes[l],)`` colours the nodes of layer
        ``l`` (e.g. the error terms); ``None`` draws that layer's nodes grey ("not computed yet").
    edge_known : list of bool, optional
        Per weight layer; False draws those edges grey.
    edge_group : list of int, optional
        Per weight layer, a group id; widths are scaled by the largest ``|value|`` within each group
        (so weights and gradients drawn side by side each use the full range of widths).
    highlight : (l, j, k), optional
        A weight drawn with a black outline (the one the learner is editing).
    caption, title : str
    annotate : bool, optional
        Print node values next to the nodes; default only for small networks (<= 24 nodes).

    Returns
    -------
    matplotlib Axes
    """
    NetworkPlot(ax, sizes, annotate).update(edge_values, node_values, edge_known, edge_group,
                                           highlight, caption, title)
    return ax


# -- bars, curves ---------------------------------------------------------------------------------------
class LayerBarsPlot:
    """One bar per weight layer on a log axis; heights update in place.

    The axis starts at ``decades`` (default 1e-8 to 10, the same for every network, so magnitudes
    compare across networks) and only grows, by whole decades; ``update`` returns True when it had
    to (the caller must then redraw the static background).
    """

    def __init__(self, ax, n: int, labels: Sequence[str] | None = None, title: str = "",
                 decades: tuple[int, int] = (-8, 1)) -> None:
        self.ax, self.n = ax, n
        labels = list(labels) if labels is not None else [f"W{l + 1}" for l in range(n)]
        x = np.arange(n)
        self.bars = list(ax.bar(x, np.ones(n), color="#c44", edgecolor="#622"))
        self.marks = [ax.text(xi, 0.5, "?", ha="center", va="center", color="#888", fontsize=11,
                              transform=ax.get_xaxis_transform()) for xi in x]
        ax.set_yscale("log")
        ax.set_xticks(x)
        ax.set_xticklabels(labels, fontsize=8)
        ax.set_xlim(-0.6, n - 0.4)
        ax.tick_params(axis="y", labelsize=7)
        ax.set_title(title, fontsize=9)
        self.decades = (int(decades[0]), int(decades[1]))
        ax.set_ylim(10.0 ** self.decades[0], 10.0 ** self.decades[1])

    @property
    def artists(self) -> list:
        return [*self.bars, *self.marks]

    def update(self, values: Sequence[float], known: Sequence[bool] | None = None) -> bool:
        v = np.asarray(values, dtype=float)
        known = np.ones(self.n, bool) if known is None else np.asarray(known, bool)
        ok = known & np.isfinite(v) & (v > 0)
        changed = False
        if ok.any():
            lo = max(int(np.floor(np.log10(v[ok].min()))) - 1, -150)
            hi = min(int(np.ceil(np.log10(v[ok].max()))) + 1, 150)
            if lo < self.decades[0] or hi > self.decades[1]:
                self.decades = (min(lo, self.decades[0]), max(hi, self.decades[1]))
                self.ax.set_ylim(10.0 ** self.decades[0], 10.0 ** self.decades[1])
                changed = True
        bottom = 10.0 ** self.decades[0]
        for bar, mark, value, good in zip(self.bars, self.marks, v, ok):
            bar.set_visible(bool(good))
            mark.set_visible(not good)
            if good:
                bar.set_y(bottom)
                bar.set_height(value - bottom)
        return changed


def draw_layer_bars(ax, norms: Sequence[float], labels: Sequence[str] | None = None,
                    known: Sequence[bool] | None = None, title: str = ""):
    """Bar chart of one positive number per weight layer (e.g. the gradient norm), log scale.

    Parameters
    ----------
    norms : sequence of float, length L
    labels : sequence of str, optional
        Tick labels; default "W1", "W2", ...
    known : sequence of bool, optional
        False bars are replaced by a "?" (not computed yet).

    Returns
    -------
    matplotlib Axes
    """
    LayerBarsPlot(ax, len(norms), labels, title).update(norms, known)
    return ax


class LossSlicePlot:
    """The loss along one weight: the curve, the current point and its tangent (slope = dE/dw)."""

    def __init__(self, ax, title: str = "E along the selected weight") -> None:
        self.ax = ax
        (self.curve,) = ax.plot([], [], color="#555", lw=1.2)
        (self.tangent,) = ax.plot([], [], color="#c44", lw=2.2)
        (self.point,) = ax.plot([], [], "o", color="black", ms=5)
        self.title = ax.set_title(title, fontsize=9)
        ax.set_ylabel("E", fontsize=8)
        ax.set_xlabel("its value (red: tangent, slope dE/dw)", fontsize=8)
        ax.tick_params(labelsize=7)
        self.limits: tuple[float, float, float] | None = None

    @property
    def artists(self) -> list:
        return [self.curve, self.tangent, self.point]

    def set_curve(self, values: np.ndarray, losses: np.ndarray) -> bool:
        """A new curve. The axes limits only grow (in steps of 0.25 in E), so choosing
        another weight rarely changes the ticks; returns True when they did (redraw the background)."""
        ok = np.isfinite(losses)
        self.curve.set_data(values[ok], losses[ok])
        self.half = 0.12 * (values[-1] - values[0])
        # a margin of 0.05 keeps a flat curve off the frame
        top = float(np.ceil((losses[ok].max() + 0.05) / 0.25) * 0.25) if ok.any() else 1.0
        low = float(np.floor((losses[ok].min() - 0.05) / 0.25) * 0.25) if ok.any() else 0.0
        if self.limits is not None:
            top, low = max(top, self.limits[2]), min(low, self.limits[1])
        limits = (float(values[-1] - values[0]), low, top)
        if limits == self.limits:
            return False
        self.limits = limits
        self.ax.set_xlim(values[0], values[-1])
        self.ax.set_ylim(low, top + 0.02 * (top - low))
        return True

    def update(self, current: float, loss: float, slope: float | None) -> None:
        """Move the point to (current, loss); draw the tangent of ``slope`` (none if None)."""
        xs = np.array([current - self.half, current + self.half])
        if slope is None:
            self.tangent.set_data([], [])
        else:
            self.tangent.set_data(xs, loss + slope * (xs - current))
        self.point.set_data([current], [loss])


def draw_loss_slice(ax, values: np.ndarray, losses: np.ndarray, current: float, loss: float,
                    slope: float, name: str = "w"):
    """The loss along one weight with the current point and its tangent (slope = the gradient).

    Parameters
    ----------
    values, losses : ndarray, shape (m,)
        Weight values and the loss E at each (all other weights fixed).
    current, loss, slope : float
        The weight's present value, E there and dE/dw there.

    Returns
    -------
    matplotlib Axes
    """
    plot = LossSlicePlot(ax, title=f"E along {name} (red: tangent, slope dE/dw)")
    plot.set_curve(np.asarray(values, float), np.asarray(losses, float))
    plot.update(current, loss, slope)
    return ax


class LossCurvePlot:
    """Loss per epoch on a log axis whose limits only grow: the x range by doubling (from 100
    epochs), the y range by whole decades (at first the four decades below the starting loss), so
    almost every update only moves the line. ``update`` returns True when limits changed."""

    def __init__(self, ax, title: str = "loss E per epoch (whole data set)") -> None:
        self.ax = ax
        (self.line,) = ax.plot([], [], color="#c44", lw=1.5)
        self.hint = ax.text(0.5, 0.5, "press run or step", transform=ax.transAxes, ha="center",
                            color="#888")
        ax.set_yscale("log")
        ax.set_xlabel("epoch", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.set_title(title, fontsize=9)
        self.xmax, self.decades = 0, None

    @property
    def artists(self) -> list:
        return [self.line, self.hint]

    def update(self, losses: Sequence[float], start: float | None = None) -> bool:
        """Show ``losses`` (one per epoch); ``start``, the loss before training, sets the first
        y range when there is no history yet."""
        y = np.asarray(losses, dtype=float)
        x = np.arange(1, len(y) + 1)
        ok = np.isfinite(y) & (y > 0)
        self.line.set_data(x[ok], y[ok])
        self.hint.set_visible(not ok.any())
        changed = False
        xmax = max(self.xmax, 100)
        while xmax < len(y):
            xmax *= 2
        if xmax != self.xmax:
            self.xmax = xmax
            self.ax.set_xlim(0, xmax)
            changed = True
        if ok.any():
            lo = int(np.floor(np.log10(y[ok].min())))
            hi = int(np.ceil(np.log10(y[ok].max()) + 1e-12))
            # the log locator places ticks beyond the limits: keep them far from 1e308 (= inf)
            lo, hi = max(lo, -150), min(max(hi, lo + 1), 150)
            if self.decades is None or lo < self.decades[0] or hi > self.decades[1]:
                d = self.decades
                self.decades = (min(lo, d[0]), max(hi, d[1])) if d else (lo, hi)
                self.ax.set_ylim(10.0 ** self.decades[0], 10.0 ** self.decades[1])
                changed = True
        elif self.decades is None:
            hi = int(np.ceil(np.log10(start) + 1e-12)) if start and np.isfinite(start) and start > 0 else 0
            hi = min(max(hi, -140), 150)
            self.decades = (hi - 4, hi)
            self.ax.set_ylim(10.0 ** (hi - 4), 10.0 ** hi)
            changed = True
        return changed


def draw_loss_curve(ax, losses: Sequence[float], title: str = "loss E per epoch (whole data set)"):
    """Loss against epoch on a log axis; non-finite values are left out (never a NaN plot).

    Returns
    -------
    matplotlib Axes
    """
    LossCurvePlot(ax, title).update(losses)
    return ax


def decision_grid(predict: Callable[[np.ndarray], np.ndarray], X: np.ndarray, resolution: int = 60,
                  margin: float = 0.25) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Evaluate a 2-D classifier on a regular grid covering the data.

    Parameters
    ----------
    predict : callable
        Maps an array of points of shape (m, 2) to outputs of shape (m,) or (m, 1).
    X : ndarray, shape (n, 2)
        The data; the grid spans its bounding box plus ``margin`` times its extent on every side.
    resolution : int
        Grid points per axis.

    Returns
    -------
    xx, yy : ndarray, shape (resolution, resolution)
        Grid coordinates (``np.meshgrid`` order: ``xx[r, c]`` varies with the column).
    zz : ndarray, shape (resolution, resolution)
        ``predict`` at every grid point.

    >>> xx, yy, zz = decision_grid(lambda P: P[:, 0] > 0, np.array([[-1.0, 0.0], [1.0, 1.0]]), 3, 0.0)
    >>> zz.astype(int).tolist()
    [[0, 0, 1], [0, 0, 1], [0, 0, 1]]
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != 2:
        raise checks.error("decision_grid", "X", "shape (n, 2)", str(X.shape), must="have")
    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = margin * np.where(hi > lo, hi - lo, 1.0)
    xs = np.linspace(lo[0] - pad[0], hi[0] + pad[0], resolution)
    ys = np.linspace(lo[1] - pad[1], hi[1] + pad[1], resolution)
    xx, yy = np.meshgrid(xs, ys)
    zz = np.asarray(predict(np.column_stack([xx.ravel(), yy.ravel()])), dtype=float)
    return xx, yy, zz.reshape(xx.shape)


class BoundaryPlot:
    """Predicted classes shaded on a grid (an image), the data on top; the image updates in place."""

    def __init__(self, ax, xx: np.ndarray, yy: np.ndarray, X: np.ndarray, T: np.ndarray,
                 title: str = "decision boundary (shade: predicted class; dots: data)") -> None:
        from matplotlib.colors import ListedColormap

        self.ax = ax
        extent = (xx.min(), xx.max(), yy.min(), yy.max())
        self.image = ax.imshow(np.zeros(xx.shape), origin="lower", extent=extent, aspect="auto",
                               cmap=ListedColormap(["#c7d7f0", "#f3c9c9", "#eeeeee"]),
                               vmin=0, vmax=2, interpolation="nearest", zorder=0)
        T = np.asarray(T, dtype=float).reshape(len(X), -1)[:, 0]
        pos = T > 0.5
        size = 14 if len(X) > 50 else 70  # a handful of points (xor) may be big
        self.points = [
            ax.scatter(X[~pos, 0], X[~pos, 1], s=size, c="#2a5db0", edgecolors="white", linewidths=0.6,
                       zorder=2),
            ax.scatter(X[pos, 0], X[pos, 1], s=size, c="#c42a2a", edgecolors="white", linewidths=0.6,
                       zorder=2)]
        ax.set_xlim(extent[0], extent[1])
        ax.set_ylim(extent[2], extent[3])
        ax.tick_params(labelsize=7)
        ax.set_title(title, fontsize=9)

    @property
    def artists(self) -> list:
        return [self.image, *self.points]  # the points must be drawn over the moving image

    def update(self, zz: np.ndarray, threshold: float = 0.5) -> None:
        zz = np.asarray(zz, dtype=float)
        classes = np.where(np.isfinite(zz), (zz > threshold).astype(float), 2.0)  # 2: unknown, grey
        self.image.set_data(classes)


def draw_decision_boundary(ax, xx: np.ndarray, yy: np.ndarray, zz: np.ndarray, X: np.ndarray,
                           T: np.ndarray, threshold: float = 0.5,
                           title: str = "decision boundary (shade: predicted class; dots: data)"):
    """Shade the predicted class over the grid of :func:`decision_grid` and plot the data.

    Parameters
    ----------
    xx, yy, zz : ndarray, shape (r, r)
        Output of :func:`decision_grid`; non-finite ``zz`` is shaded grey (never a NaN plot).
    X : ndarray, shape (n, 2); T : ndarray, shape (n,) or (n, 1)
        Data and 0/1 targets (red: 1, blue: 0).

    Returns
    -------
    matplotlib Axes
    """
    BoundaryPlot(ax, xx, yy, X, T, title).update(zz, threshold)
    return ax


# -- static figures: the backward pass step by step (lesson 06), the paths of one weight (lesson 07) ----
def backward_pass_steps(weights: Sequence[np.ndarray], layer_outputs: Sequence[np.ndarray],
                        deltas: Sequence[np.ndarray]) -> list[dict]:
    """What is known after each step of the backward pass for one sample: the panels of a figure.

    Step 1 computes the error terms of the output layer; each later step those of the layer below,
    summed back through the weights between them; the last step turns every error term into the
    gradients of the weights entering its node, ``dE/dw_jk = delta_j * a_k``.

    Parameters
    ----------
    weights : list of ndarray
        ``weights[l]`` of shape ``(sizes[l+1], sizes[l])``.
    layer_outputs : list of ndarray
        One sample's activations, ``layer_outputs[l]`` of shape ``(sizes[l],)``, input first.
    deltas : list of ndarray
        One sample's error terms ``dE/d(net input)``, ``deltas[l]`` of shape ``(sizes[l+1],)``.

    Returns
    -------
    list of dict, one per step (``L + 1`` for ``L`` weight layers), each with
        ``title``, ``equation`` (str); ``deltas``: per layer of nodes the error terms known so far,
        ``None`` where not yet computed (always ``None`` for the inputs); ``current``: the layer of
        nodes this step computes (``None`` in the gradient step); ``active``: the weight layer the
        step sums through (``None`` if none); ``gradients``: per weight layer ``dE/dW`` (last step
        only, else ``None``).

    >>> steps = backward_pass_steps([np.ones((1, 1))], [np.array([2.0]), np.array([0.5])], [np.array([0.1])])
    >>> [s["title"] for s in steps]
    ['step 1: output error terms', 'step 2: gradients']
    >>> steps[1]["gradients"][0].tolist()
    [[0.2]]
    """
    weights = [np.asarray(W, dtype=float) for W in weights]
    outs = [np.asarray(a, dtype=float).ravel() for a in layer_outputs]
    dels = [np.asarray(d, dtype=float).ravel() for d in deltas]
    L = len(weights)
    if L < 1 or len(outs) != L + 1 or len(dels) != L:
        raise checks.error("backward_pass_steps", "layer_outputs, deltas",
                           "one array per layer of nodes and one per weight layer",
                           f"{len(weights)} weight layers, {len(outs)} output arrays, {len(dels)} delta arrays",
                           must="hold")
    for l, W in enumerate(weights):
        if W.shape != (len(outs[l + 1]), len(outs[l])) or dels[l].shape != (len(outs[l + 1]),):
            raise checks.error("backward_pass_steps", "weights", "shapes that match the layer widths",
                               f"weights[{l}] {W.shape} with widths {len(outs[l])} -> {len(outs[l + 1])}",
                               must="have")
    steps, known = [], [None] * (L + 1)
    for s in range(L):
        layer = L - s
        known = list(known)
        known[layer] = dels[layer - 1]
        if s == 0:
            title, eq = "output error terms", "δ = -(t - a) a(1 - a)"
        else:
            title, eq = f"error terms of hidden layer {layer}", "δ = a(1 - a) Σ_k w_k δ_k, summed from the layer above"
        steps.append({"title": f"step {s + 1}: {title}", "equation": eq, "deltas": known, "current": layer,
                      "active": None if s == 0 else layer, "gradients": None})
    steps.append({"title": f"step {L + 1}: gradients",
                  "equation": "dE/dw = δ of the node w enters × a of the node it leaves",
                  "deltas": list(known), "current": None, "active": None,
                  "gradients": [np.outer(dels[l], outs[l]) for l in range(L)]})
    return steps


def draw_backward_step(ax, step: dict, layer_outputs: Sequence[np.ndarray],
                       names: Sequence[Sequence[str]] | None = None, fontsize: float = 8.0):
    """Draw one step of :func:`backward_pass_steps`: values ``a`` above the nodes, error terms below.

    The layer the step computes is ringed; the weights it sums back through are drawn as thick arrows
    pointing down the network (the direction the error terms travel); error terms not yet computed
    print as ``?``. In the gradient step every weight carries its gradient, next to the node it enters.

    Parameters
    ----------
    ax : matplotlib Axes
    step : dict
        One entry of :func:`backward_pass_steps`.
    layer_outputs : list of ndarray
        The activations the steps were computed from, ``layer_outputs[l]`` of shape ``(sizes[l],)``.
    names : list of list of str, optional
        A name per node, per layer (e.g. ``[["i1", "i2"], ["h1", "h2"], ["o1", "o2"]]``).

    Returns
    -------
    ax
    """
    from backprop_course.widgets.plotting import GRAD_COLOUR, OKABE_ITO, PENDING_COLOUR, VALUE_COLOUR, fmt

    outs = [np.asarray(a, dtype=float).ravel() for a in layer_outputs]
    sizes = [len(a) for a in outs]
    if len(step.get("deltas", ())) != len(sizes):
        raise checks.error("draw_backward_step", "step", "an entry of backward_pass_steps for these layers",
                           f"{len(step.get('deltas', ()))} layers of error terms for {len(sizes)} layers",
                           must="be")
    layout = layer_layout(sizes)
    active_colour = OKABE_ITO["vermillion"]
    plate = dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.9)  # keeps numbers readable over arrows
    segments, index = edge_segments(layout)
    for (src, dst), (l, j, k) in zip(segments, index):
        if step["active"] is not None and l == step["active"]:
            ax.annotate("", xy=src, xytext=dst, zorder=2,
                        arrowprops=dict(arrowstyle="-|>", color=active_colour, lw=2.2, shrinkA=13, shrinkB=13,
                                        mutation_scale=12))
        else:
            ax.plot(*zip(src, dst), color="#b5b5b5", lw=1.0, zorder=1)
        if step["gradients"] is not None:
            x, y = src + 0.7 * (dst - src)
            ax.text(x, y, fmt(step["gradients"][l][j, k], 2), ha="center", va="center", fontsize=fontsize - 0.5,
                    color=GRAD_COLOUR, zorder=4,
                    bbox=dict(boxstyle="round,pad=0.12", fc="white", ec=GRAD_COLOUR, lw=0.5))
    for l, pts in enumerate(layout):
        ringed = step["current"] == l
        ax.scatter(pts[:, 0], pts[:, 1], s=330, c="#eef3fb", edgecolors=active_colour if ringed else "#333",
                   linewidths=2.6 if ringed else 0.8, zorder=3)
        for j, (x, y) in enumerate(pts):
            if names is not None:
                ax.text(x, y, names[l][j], ha="center", va="center", fontsize=fontsize, weight="bold", zorder=5)
            ax.text(x, y + 0.26, f"a {fmt(outs[l][j], 3)}", ha="center", va="bottom", fontsize=fontsize,
                    color=VALUE_COLOUR, zorder=5, bbox=plate)
            if l > 0:
                d = step["deltas"][l]
                text = "δ ?" if d is None else f"δ {fmt(d[j], 3)}"
                ax.text(x, y - 0.26, text, ha="center", va="top", fontsize=fontsize, zorder=5,
                        color=PENDING_COLOUR if d is None else GRAD_COLOUR,
                        weight="bold" if ringed else "normal", bbox=plate)
    ax.set_title(f"{step['title']}\n{step['equation']}", fontsize=fontsize + 1)
    ax.set_xlim(-0.45, len(sizes) - 1 + 0.45)
    ax.set_ylim(-1.65, 1.65)
    ax.set_axis_off()
    return ax


def paths_from(sizes: Sequence[int], layer: int, node: int) -> list[tuple[int, ...]]:
    """Every path from node ``node`` of layer ``layer`` up to an output node.

    A path lists one node index per layer, from ``layer`` to the output layer. In a fully connected
    network there are ``sizes[layer+1] * ... * sizes[-1]`` of them.

    >>> paths_from([3, 7, 2, 2], layer=1, node=6)
    [(6, 0, 0), (6, 0, 1), (6, 1, 0), (6, 1, 1)]
    """
    import itertools

    sizes = [int(s) for s in sizes]
    if not 0 <= int(layer) < len(sizes):
        raise checks.error("paths_from", "layer", f"a layer index from 0 to {len(sizes) - 1}", repr(layer))
    if not 0 <= int(node) < sizes[layer]:
        raise checks.error("paths_from", "node", f"a node index from 0 to {sizes[layer] - 1}", repr(node))
    return [(int(node),) + rest for rest in itertools.product(*[range(n) for n in sizes[layer + 1:]])]


def draw_weight_paths(ax, sizes: Sequence[int], layer: int, j: int, k: int, name: str = "w",
                      example: tuple[int, ...] | None = None, fontsize: float = 8.0):
    """Draw the weight from node ``k`` of layer ``layer - 1`` into node ``j`` of layer ``layer`` and
    every path by which it reaches the outputs: the sum over paths of ``dE/dw``.

    Parameters
    ----------
    ax : matplotlib Axes
    sizes : sequence of int
        Layer widths, input first.
    layer, j, k : int
        The weight ``weights[layer - 1][j, k]`` (0-based nodes, ``layer >= 1``).
    name : str
        The weight's name for the title, e.g. ``"w_173"``.
    example : tuple of int, optional
        One path of :func:`paths_from` to draw on top, dashed.

    Returns
    -------
    ax
    """
    from backprop_course.widgets.plotting import OKABE_ITO

    sizes = [int(s) for s in sizes]
    if not 1 <= int(layer) < len(sizes):
        raise checks.error("draw_weight_paths", "layer", f"a layer from 1 to {len(sizes) - 1}", repr(layer))
    if not (0 <= int(j) < sizes[layer] and 0 <= int(k) < sizes[layer - 1]):
        raise checks.error("draw_weight_paths", "j, k", f"nodes 0..{sizes[layer] - 1} and 0..{sizes[layer - 1] - 1}",
                           f"{j!r}, {k!r}")
    paths = paths_from(sizes, layer, j)
    if example is not None and tuple(example) not in paths:
        raise checks.error("draw_weight_paths", "example", f"one of the {len(paths)} paths from node {j} of "
                           f"layer {layer}", repr(example))
    layout = layer_layout(sizes)
    on_path = {(l, a, b) for l in range(layer + 1, len(sizes) - 1) for a in range(sizes[l]) for b in range(sizes[l + 1])}
    on_path |= {(layer, j, b) for b in range(sizes[layer + 1])} if layer + 1 < len(sizes) else set()
    for l in range(len(sizes) - 1):
        for a in range(sizes[l]):
            for b in range(sizes[l + 1]):
                (x0, y0), (x1, y1) = layout[l][a], layout[l + 1][b]
                if (l, a, b) in on_path:
                    ax.plot([x0, x1], [y0, y1], color=OKABE_ITO["blue"], lw=1.6, alpha=0.75, zorder=1)
                elif (l, a, b) == (layer - 1, k, j):
                    ax.plot([x0, x1], [y0, y1], color=OKABE_ITO["vermillion"], lw=4.0, zorder=2,
                            solid_capstyle="round")
                else:
                    ax.plot([x0, x1], [y0, y1], color="#d0d0d0", lw=0.7, zorder=0)
    if example is not None:
        pts = np.array([layout[layer + i][n] for i, n in enumerate(example)])
        ax.plot(pts[:, 0], pts[:, 1], color=OKABE_ITO["orange"], lw=3.2, ls=(0, (4, 2)), zorder=2.5,
                label="one path")
    reached = {(layer, j)} | {(l, a) for l in range(layer + 1, len(sizes)) for a in range(sizes[l])}
    for l, pts in enumerate(layout):
        for a, (x, y) in enumerate(pts):
            lit = (l, a) in reached or (l, a) == (layer - 1, k)
            ax.scatter([x], [y], s=120, c="#eef3fb" if lit else "#f4f4f4", edgecolors="#333" if lit else "#bbb",
                       linewidths=0.8, zorder=3)
        ax.text(l, -1.25, "input" if l == 0 else ("output" if l == len(sizes) - 1 else f"layer {l}"),
                ha="center", va="top", fontsize=fontsize, color="#444")
    xm, ym = 0.5 * (layout[layer - 1][k] + layout[layer][j])
    ax.text(xm, ym + 0.12, name, ha="center", va="bottom", fontsize=fontsize + 1, color=OKABE_ITO["vermillion"],
            weight="bold", zorder=5, bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.85))
    ax.set_title(f"{len(paths)} paths carry {name} to the outputs: dE/d{name} adds one product per path",
                 fontsize=fontsize + 1)
    ax.set_xlim(-0.4, len(sizes) - 1 + 0.4)
    ax.set_ylim(-1.45, 1.3)
    ax.set_axis_off()
    return ax
