"""Pure matplotlib drawing helpers shared by the views.

Every ``draw_*`` function takes plain data (numbers, numpy arrays, the dicts of
:func:`backprop_course.engine.graph.trace`) and a matplotlib ``Axes``, draws on that Axes and returns
it. None of them computes anything a test would want to check (that lives in the views' pure
functions), none of them creates a figure, and none of them calls ``plt.show``: a lesson can use them
on its own Axes (``fig, ax = plt.subplots(); draw_activation(ax, ...)``).

Colours follow one convention across the course: values in dark blue, gradients in orange-red, the
current step of the backward pass highlighted in red, minima as green stars. Figures that compare
several runs (one line per run) take their styles from :data:`SERIES`: a colour-blind-safe palette
(Okabe and Ito) in which every line also has its own dash pattern and marker, so no two lines are told
apart by colour alone. :func:`readable_log_ticks` gives a log axis tick labels a reader can read.
"""
from __future__ import annotations

import io
import math
from typing import Any, Mapping, Sequence

import numpy as np

from backprop_course.engine import checks

__all__ = [
    "VALUE_COLOUR", "GRAD_COLOUR", "ACTIVE_COLOUR", "OKABE_ITO", "SERIES", "series_style", "series_styles",
    "log_tick_values", "readable_log_ticks",
    "fmt", "graph_geometry", "fit_text", "draw_computational_graph", "draw_activation", "draw_curve_descent",
    "curve_ylim", "draw_contour_descent", "draw_ridgeline", "ridge_outline", "freeze_layout",
    "FastPNG",
    "encode_png",
]

VALUE_COLOUR = "#1f3b73"
GRAD_COLOUR = "#c0392b"
ACTIVE_COLOUR = "#d62728"
PENDING_COLOUR = "#9a9a9a"
PATH_COLOUR = "#e67e22"
BOX_W, BOX_H = 0.46, 0.5  # node box size in data units (columns are 1 unit apart)

# The colour-blind-safe palette of Okabe and Ito ("Color Universal Design", 2008): its colours stay
# distinct for the common forms of colour blindness (no red/green pair).
OKABE_ITO = {"blue": "#0072B2", "vermillion": "#D55E00", "bluish green": "#009E73",
             "reddish purple": "#CC79A7", "orange": "#E69F00", "sky blue": "#56B4E9",
             "yellow": "#F0E442", "black": "#000000"}
# Markers of a descent path and of the minima, shared by the drawings and the descent view. Minima are
# drawn above the path, the local one hollow, so a path that ends on a minimum never hides its star.
START_STYLE: dict[str, Any] = {"marker": "s", "color": "black", "ms": 7, "ls": "none"}
END_STYLE: dict[str, Any] = {"marker": "o", "color": OKABE_ITO["yellow"], "mec": "black", "ms": 8, "ls": "none"}
MINIMUM_COLOUR = OKABE_ITO["bluish green"]


def _draw_minima(ax, points: Sequence[tuple[float, float]], ms: float) -> None:
    """Stars at the minima: the first (the global one) filled, the others hollow; above the path."""
    for i, (mx, my) in enumerate(points):
        if i == 0:
            ax.plot([mx], [my], "*", color=MINIMUM_COLOUR, mec="white", ms=ms, zorder=6,
                    label="global minimum")
        else:
            ax.plot([mx], [my], "*", color=MINIMUM_COLOUR, mfc="none", mew=1.8, ms=ms, zorder=6,
                    label="local minimum" if i == 1 else "_local minimum")


# One style per line of a comparison, in this order. Colour, dash pattern and marker all differ, so
# the lines stay apart in grey print and for every reader. (Yellow is left out: too pale on white.)
SERIES: tuple[dict[str, Any], ...] = (
    {"color": OKABE_ITO["blue"], "ls": "-", "marker": "o"},
    {"color": OKABE_ITO["vermillion"], "ls": "--", "marker": "s"},
    {"color": OKABE_ITO["bluish green"], "ls": ":", "marker": "^"},
    {"color": OKABE_ITO["reddish purple"], "ls": "-.", "marker": "D"},
    {"color": OKABE_ITO["orange"], "ls": (0, (5, 1.5, 1, 1.5, 1, 1.5)), "marker": "v"},
    {"color": OKABE_ITO["sky blue"], "ls": (0, (1, 1)), "marker": "P"},
    {"color": OKABE_ITO["black"], "ls": (0, (8, 2)), "marker": "X"},
)


def series_style(i: int, n_points: int | None = None, markers: int = 8) -> dict[str, Any]:
    """Keyword arguments for ``ax.plot`` that draw line number ``i`` of a comparison.

    Parameters
    ----------
    i : int >= 0
        The line's place in the comparison; styles repeat after ``len(SERIES)`` lines.
    n_points : int, optional
        How many points the line has. Given, markers are spread to about ``markers`` per line
        (a marker on each of 1000 points would hide the line); omitted, every point gets one.
    markers : int
        Markers per line when ``n_points`` is given.

    >>> series_style(1)["ls"], series_style(1)["marker"]
    ('--', 's')
    >>> series_style(0, n_points=100)["markevery"]
    (0, 12)
    """
    if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or i < 0:
        raise checks.error("series_style", "i", "an int >= 0", repr(i))
    style = dict(SERIES[int(i) % len(SERIES)], ms=5)
    if n_points is not None and n_points > markers:
        # start each line's markers at a different point, so markers of lines that coincide do not
        # hide each other
        step = max(1, int(n_points) // int(markers))
        style["markevery"] = ((int(i) * step) // len(SERIES) % step, step)
    return style


def series_styles(names: Sequence[str], n_points: int | None = None) -> dict[str, dict[str, Any]]:
    """:func:`series_style` for several named lines, in the order given: ``{name: style}``."""
    return {name: series_style(i, n_points) for i, name in enumerate(names)}


def log_tick_values(lo: float, hi: float) -> list[float]:
    """Tick positions for a log axis from ``lo`` to ``hi`` that a reader can label plainly.

    Powers of ten when the axis spans more than two decades; over a narrower range, every
    1, 2 and 5 times a power of ten inside it; over less than a factor of about 3, every integer
    multiple (1 ... 9) of a power of ten inside it; over less still, evenly spaced round numbers.
    At least two ticks always show.

    >>> log_tick_values(0.3, 20)
    [0.5, 1.0, 2.0, 5.0, 10.0, 20.0]
    >>> log_tick_values(3.5, 5.5)
    [4.0, 5.0]
    >>> log_tick_values(1e-6, 1.0)
    [1e-06, 1e-05, 0.0001, 0.001, 0.01, 0.1, 1.0]
    """
    lo, hi = float(lo), float(hi)
    if not (math.isfinite(lo) and math.isfinite(hi) and 0 < lo < hi):
        raise checks.error("log_tick_values", "lo, hi", "finite numbers with 0 < lo < hi",
                           f"{lo!r}, {hi!r}")
    first, last = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    for subs in ((1,), (1, 2, 5), (1, 2, 3, 4, 5, 6, 7, 8, 9)):
        ticks = [float(f"{m * 10.0 ** e:.12g}") for e in range(first, last + 1) for m in subs]
        ticks = [t for t in ticks if lo * (1 - 1e-9) <= t <= hi * (1 + 1e-9)]
        if len(ticks) >= (3 if subs == (1,) else 2):
            return ticks
    # less than a factor of about 1.5: evenly spaced round numbers, as on a linear axis
    from matplotlib.ticker import MaxNLocator

    return [float(f"{t:.12g}") for t in MaxNLocator(nbins=4).tick_values(lo, hi)
            if lo * (1 - 1e-9) <= t <= hi * (1 + 1e-9)]


def readable_log_ticks(ax, axis: str = "y"):
    """Label a log axis with plain numbers (``0.5``, ``2``, ``20``) when it spans few decades.

    Matplotlib's default labels a narrow log axis with minor ticks like ``4x10^0``. Call this after
    the data are drawn and the limits are final: it fixes the ticks to :func:`log_tick_values` of the
    current limits. An axis spanning more than two decades keeps powers of ten (``10^-3``).

    Parameters
    ----------
    ax : matplotlib Axes
    axis : {"x", "y", "both"}

    Returns
    -------
    ax
    """
    from matplotlib.ticker import FixedLocator, FuncFormatter, LogFormatterSciNotation, NullFormatter

    if axis not in ("x", "y", "both"):
        raise checks.error("readable_log_ticks", "axis", "'x', 'y' or 'both'", repr(axis))
    for name in ("x", "y") if axis == "both" else (axis,):
        scale = ax.get_xscale() if name == "x" else ax.get_yscale()
        if scale != "log":
            raise checks.error("readable_log_ticks", "axis", f"a log-scaled axis ({name} is {scale!r})",
                               repr(axis), hint="; call ax.set_{0}scale('log') first".format(name))
        which = ax.xaxis if name == "x" else ax.yaxis
        lo, hi = sorted(ax.get_xlim() if name == "x" else ax.get_ylim())
        ticks = log_tick_values(lo, hi)
        which.set_major_locator(FixedLocator(ticks))
        which.set_minor_formatter(NullFormatter())
        if math.log10(hi / lo) > 2:
            which.set_major_formatter(LogFormatterSciNotation())
        else:
            which.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
    return ax


def fmt(x: float, digits: int = 3) -> str:
    """Format a number compactly for a label: ``fmt(-12.0) == '-12'``, ``fmt(0.123456) == '0.123'``.

    >>> fmt(-12.0), fmt(0.123456), fmt(float("nan"))
    ('-12', '0.123', '?')
    """
    if x is None or not np.isfinite(x):
        return "?"
    if x == 0:
        return "0"
    return f"{x:.{digits}g}"


# ---------------------------------------------------------------------------------------------
# View 1: a computational graph
# ---------------------------------------------------------------------------------------------
def graph_geometry(nodes: Sequence[Mapping[str, Any]], edges: Sequence[Mapping[str, Any]],
                   positions: Mapping[int, tuple[float, float]]) -> dict[str, Any]:
    """Where the arrows and their numbers go (pure; used by :func:`draw_computational_graph`).

    Edges run left to right (an operand is always in an earlier column), from the right side of one
    box to the left side of the next. An edge that skips columns, or repeats one (``x * x``), is a
    curve bulging away from the middle row so it never runs behind the boxes it skips. Each number
    sits in the free corridor just before its target box; the few numbers in front of one target
    are pushed apart vertically so they never overlap.

    Returns
    -------
    dict with
        ``curves``: list of (xs, ys) arrays per edge; ``heads``: list of ((x0, y0), (x1, y1)) per
        edge, the last bit of the curve that carries the arrowhead; ``labels``: list of (x, y) per
        edge; ``xlim``, ``ylim``: the view limits that show everything.
    """
    xs = np.array([positions[n["id"]][0] for n in nodes], dtype=float)
    ys = np.array([positions[n["id"]][1] for n in nodes], dtype=float)
    y_mid = 0.5 * (ys.min() + ys.max())
    seen_pairs: dict[tuple[int, int], int] = {}
    curves, heads, labels = [], [], []
    bulge_up = bulge_down = 0.0  # how far curves reach above the top row / below the bottom row
    for e in edges:
        (x0, y0), (x1, y1) = positions[e["source"]], positions[e["target"]]
        pair = (e["source"], e["target"])
        nth = seen_pairs.get(pair, 0)
        seen_pairs[pair] = nth + 1
        span = round(x1 - x0)
        xa, xb = x0 + BOX_W / 2, x1 - BOX_W / 2
        lift = 0.0
        if span > 1 or nth > 0:
            base = 0.45 * (span - 1) + 0.5 * nth + 0.25
            up = 0.5 * (y0 + y1) >= y_mid
            # Boxes the curve could run through: those of the columns strictly between source and target.
            between = [(bx, by) for bx, by in zip(xs, ys) if x0 + 0.5 < bx < x1 - 0.5]
            lift = _clear_lift(xa, xb, y0, y1, base, up, between)
        cy = 0.5 * (y0 + y1) + lift
        peak = 0.25 * (y0 + y1) + 0.5 * cy  # the curve's extreme height, at t = 1/2
        bulge_up = max(bulge_up, peak - ys.max())
        bulge_down = max(bulge_down, ys.min() - peak)

        def bezier(t, y0=y0, y1=y1, cy=cy):
            return (1 - t) ** 2 * y0 + 2 * t * (1 - t) * cy + t**2 * y1

        ts = np.linspace(0.0, 1.0, 24 if lift else 2)
        curves.append((xa + ts * (xb - xa), bezier(ts)))
        t_head = 1.0 - min(0.5, 0.12 / max(xb - xa, 1e-9))
        heads.append(((xa + t_head * (xb - xa), bezier(t_head)), (xb, y1)))
        t = (x1 - 0.5 - xa) / (xb - xa) if xb > xa else 0.5
        labels.append((x1 - 0.5, float(bezier(t))))
    by_target: dict[int, list[int]] = {}
    for k, e in enumerate(edges):
        by_target.setdefault(e["target"], []).append(k)
    for ks in by_target.values():
        ks = sorted(ks, key=lambda k: -labels[k][1])
        for upper, lower in zip(ks, ks[1:]):
            (xu, yu), (xl, yl) = labels[upper], labels[lower]
            if yu - yl < 0.3:
                shift = (0.3 - (yu - yl)) / 2
                labels[upper], labels[lower] = (xu, yu + shift), (xl, yl - shift)
    return {"curves": curves, "heads": heads, "labels": labels,
            "xlim": (xs.min() - 0.3, xs.max() + 0.3),
            "ylim": (min(ys.min() - 0.45, ys.min() - bulge_down - 0.1),
                     max(ys.max() + 0.45, ys.max() + bulge_up + 0.1))}


def _clear_lift(xa: float, xb: float, y0: float, y1: float, base: float, up: bool,
                boxes: Sequence[tuple[float, float]], margin: float = 0.06) -> float:
    """The signed lift of a quadratic curve from (xa, y0) to (xb, y1) that runs through none of ``boxes``.

    Tries lifts of growing size, ``base``, ``base + 0.25``, ..., first in the preferred direction
    (``up``) then in the other, and returns the smallest that clears every box (centres given, size
    BOX_W x BOX_H, plus ``margin``); a lift that takes the curve above (or below) every box always
    clears, so the search ends.
    """
    ts = np.linspace(0.0, 1.0, 64)
    px = xa + ts * (xb - xa)
    centres = np.array(boxes, dtype=float).reshape(-1, 2)

    def clear(lift: float) -> bool:
        cy = 0.5 * (y0 + y1) + lift
        py = (1 - ts) ** 2 * y0 + 2 * ts * (1 - ts) * cy + ts**2 * y1
        inside = ((np.abs(px[:, None] - centres[None, :, 0]) < BOX_W / 2 + margin)
                  & (np.abs(py[:, None] - (centres[None, :, 1] - 0.04)) < BOX_H / 2 + margin))
        return not inside.any()

    sign = 1.0 if up else -1.0
    reach = (np.abs(centres[:, 1]).max() if len(centres) else 0.0) + abs(y0) + abs(y1) + BOX_H
    m = base
    while True:
        for lift in (sign * m, -sign * m):
            if clear(lift):
                return lift
        if m > 4 * reach + 2:  # cannot happen (far enough out, every box is cleared); stay safe
            return sign * m
        m += 0.25


def fit_text(ax, text, width: float, min_size: float = 5.0) -> None:
    """Shrink ``text``'s font until it is at most ``width`` x-data units wide (no-op if it fits).

    Needs the Axes' final position and the figure's final size (it measures on the canvas).
    """
    renderer = ax.figure.canvas.get_renderer()
    limit = abs(ax.transData.transform((width, 0.0))[0] - ax.transData.transform((0.0, 0.0))[0])
    for _ in range(4):
        wide = text.get_window_extent(renderer).width
        if wide <= limit or text.get_fontsize() <= min_size:
            return
        text.set_fontsize(max(min_size, text.get_fontsize() * limit / wide * 0.97))


def draw_computational_graph(ax, nodes: Sequence[Mapping[str, Any]], edges: Sequence[Mapping[str, Any]],
                             positions: Mapping[int, tuple[float, float]],
                             grads: Sequence[float] | None = None, current: int | None = None,
                             active_edges: Sequence[int] = (), edge_notes: Mapping[int, str] | None = None,
                             fontsize: float = 9.0, part: str = "all"):
    """Draw a computational graph: boxes for nodes, arrows for edges, numbers on both.

    Parameters
    ----------
    ax : matplotlib Axes
    nodes : list of dict
        As returned by ``trace``: ``id``, ``label``, ``op``, ``data``, ``grad``.
    edges : list of dict
        As returned by ``trace``: ``source``, ``target``, ``local_grad``.
    positions : dict id -> (x, y)
        Where each node goes (e.g. from ``graph_view.layered_layout``).
    grads : sequence of float, optional, length len(nodes)
        Gradients to print instead of the nodes' own ``grad``; ``nan`` means "not reached yet" and is
        printed as ``?`` in grey.
    current : int, optional
        Id of the node the backward pass is processing: drawn with a red frame.
    active_edges : sequence of int
        Indices into ``edges`` that carry gradient in the current step: drawn red and thick.
    edge_notes : dict edge index -> str, optional
        Text to print on an active edge instead of its local gradient, e.g. "1 x -4 = -4".
    part : {"all", "static", "values", "step"}
        Draw one layer only, so a view can cache the layers below the one that changed: "static"
        depends only on the shape of the graph (arrows, boxes, names); "values" on the numbers of
        the forward pass (values, local gradients); "step" on the backward step (gradients, the
        current node, the active edges and their notes). "all" draws the three, in that order.

    Returns
    -------
    ax
    """
    ax.set_axis_off()
    if not nodes:
        return ax
    layers = {"all": ("static", "values", "step")}.get(part, (part,))
    if part not in ("all", "static", "values", "step"):
        raise checks.error("draw_computational_graph", "part", "'all', 'static', 'values' or 'step'", repr(part))
    geo = graph_geometry(nodes, edges, positions)
    ax.set_xlim(*geo["xlim"])
    ax.set_ylim(*geo["ylim"])
    grads = [n["grad"] for n in nodes] if grads is None else list(grads)
    edge_notes = dict(edge_notes or {})
    label_box = dict(boxstyle="square,pad=0.1", fc="white", ec="none", alpha=0.9)
    # Every text fits where it is: inside its box, or inside the corridor between two columns (an
    # edge's number sits in the middle of that corridor), so no text runs over a box's edge.
    inner, corridor = 0.92 * BOX_W, 0.9 * (1.0 - BOX_W)
    # One font size for the whole graph, from the figure's scale: a typical number line must fit a
    # box (a big graph on a capped figure is drawn smaller). fit_text then only catches the odd long one.
    probe = ax.text(0.0, 0.0, "grad -0.000", fontsize=fontsize)
    probe_max = fontsize
    fit_text(ax, probe, inner, min_size=0.5 * fontsize)
    fontsize = probe.get_fontsize() if probe.get_fontsize() < probe_max else fontsize
    probe.remove()

    def edge(k: int, colour: str, lw: float, zorder: float) -> None:
        bx, by = geo["curves"][k]
        ax.plot(bx, by, color=colour, lw=lw, zorder=zorder, solid_capstyle="butt")
        tail, tip = geo["heads"][k]
        ax.annotate("", xy=tip, xytext=tail, zorder=zorder,
                    arrowprops=dict(arrowstyle="-|>", color=colour, lw=lw, shrinkA=0, shrinkB=0,
                                    mutation_scale=12))

    def node_title(n: Mapping[str, Any], x: float, y: float, zorder: float) -> None:
        name, op = n["label"] or "", n["op"]
        title = f"{name} ({op})" if name and op else (name or op or "const")
        fit_text(ax, ax.text(x, y + 0.13, title, ha="center", va="center", fontsize=fontsize + 1,
                             weight="bold", color="black", zorder=zorder), inner)

    if "static" in layers:
        for k in range(len(edges)):
            edge(k, "#6b6b6b", 1.0, 2)
        for n in nodes:
            x, y = positions[n["id"]]
            ax.add_patch(_box(x, y, "#555555", 1.0, "#f7f7f7" if n["op"] else "#eef3fb", zorder=5))
            node_title(n, x, y, 6)
    if "values" in layers:
        for k, e in enumerate(edges):
            fit_text(ax, ax.text(*geo["labels"][k], fmt(e["local_grad"]), ha="center", va="center",
                                 fontsize=fontsize - 1, color="#444444", zorder=3, style="italic",
                                 bbox=label_box), corridor)
        for n in nodes:
            x, y = positions[n["id"]]
            fit_text(ax, ax.text(x, y - 0.05, f"value {fmt(n['data'])}", ha="center", va="center",
                                 fontsize=fontsize, color=VALUE_COLOUR, zorder=6), inner)
    if "step" in layers:
        # Drawn on top of the other layers; what it highlights covers what is underneath.
        for k in active_edges:
            edge(k, ACTIVE_COLOUR, 2.2, 7)
            fit_text(ax, ax.text(*geo["labels"][k], edge_notes.get(k, fmt(edges[k]["local_grad"])),
                                 ha="center", va="center", fontsize=fontsize - 1, color=ACTIVE_COLOUR,
                                 zorder=8, bbox=label_box), corridor)
        for n, g in zip(nodes, grads):
            x, y = positions[n["id"]]
            is_current = current is not None and n["id"] == current
            if is_current:
                ax.add_patch(_box(x, y, ACTIVE_COLOUR, 2.4, "#fdecea", zorder=9))
                node_title(n, x, y, 10)
                fit_text(ax, ax.text(x, y - 0.05, f"value {fmt(n['data'])}", ha="center", va="center",
                                     fontsize=fontsize, color=VALUE_COLOUR, zorder=10), inner)
            reached = g is not None and np.isfinite(g)
            fit_text(ax, ax.text(x, y - 0.21, f"grad {fmt(g) if reached else '?'}", ha="center",
                                 va="center", fontsize=fontsize,
                                 color=GRAD_COLOUR if reached else PENDING_COLOUR, zorder=10,
                                 weight="bold" if is_current else "normal"), inner)
    return ax


def _box(x: float, y: float, edge: str, lw: float, face: str, zorder: float = 5):
    from matplotlib.patches import FancyBboxPatch

    w, h = BOX_W, BOX_H
    return FancyBboxPatch((x - w / 2, y - h / 2 - 0.04), w, h, boxstyle="round,pad=0.02,rounding_size=0.06",
                          ec=edge, fc=face, lw=lw, zorder=zorder)


# ---------------------------------------------------------------------------------------------
# View 2: an activation function with its operating point and tangent
# ---------------------------------------------------------------------------------------------
def draw_activation(ax, z: np.ndarray, a: np.ndarray, z0: float, a0: float, slope: float, name: str,
                    tangent_halfwidth: float = 1.5):
    """Draw ``a = g(z)``, the operating point ``(z0, a0)`` and the tangent of slope ``g'(z0)`` there.

    Parameters
    ----------
    ax : matplotlib Axes
    z, a : ndarray, shape (m,)
        The curve.
    z0, a0, slope : float
        The neuron's net input, output and ``g'(z0)``.
    name : str
        Activation name, for the title.
    tangent_halfwidth : float
        The tangent is drawn over ``[z0 - h, z0 + h]``.

    Returns
    -------
    ax
    """
    ax.plot(z, a, color=VALUE_COLOUR, lw=2, label=f"a = {name}(in)")
    zt = np.array([z0 - tangent_halfwidth, z0 + tangent_halfwidth])
    ax.plot(zt, a0 + slope * (zt - z0), color=GRAD_COLOUR, lw=1.8, ls="--",
            label="tangent, slope g'(in)")
    ax.plot([z0], [a0], "o", color=GRAD_COLOUR, ms=8, zorder=5)
    ax.axvline(z0, color="#bbbbbb", lw=0.8, zorder=0)
    ax.set_xlim(z[0], z[-1])
    lo, hi = float(np.min(a)), float(np.max(a))
    pad = 0.08 * (hi - lo if hi > lo else 1.0)
    ax.set_ylim(lo - pad, hi + pad)
    ax.set_xlabel("net input  in = sum_k w_k a_k + b")
    ax.set_ylabel("activation  a = g(in)")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=8, framealpha=0.9)
    return ax


# ---------------------------------------------------------------------------------------------
# View 3: gradient descent on a curve or a surface
# ---------------------------------------------------------------------------------------------
def draw_curve_descent(ax, x: np.ndarray, f: np.ndarray, path_x: np.ndarray, path_f: np.ndarray,
                       minima: Sequence[float] = (), title: str = ""):
    """Draw a 1-D loss curve and a descent path on it (points joined in step order).

    Parameters
    ----------
    ax : matplotlib Axes
    x, f : ndarray, shape (m,)
        The curve ``f(x)``.
    path_x, path_f : ndarray, shape (k,)
        The visited points, already clamped to the plotted range by the caller.
    minima : sequence of float
        x positions of minima, marked with green stars drawn above the path (the first, the global
        one, filled; the others hollow, so an end point on a local minimum shows through).

    Every artist carries a label ("path", "start", "end", "global minimum", "local minimum"), so
    ``ax.legend()`` explains the markers.

    Returns
    -------
    ax
    """
    ax.plot(x, f, color=VALUE_COLOUR, lw=2)
    ax.plot(path_x, path_f, "-o", color=PATH_COLOUR, ms=4, lw=1.2, zorder=4, label="path")
    if len(path_x):
        ax.plot(path_x[:1], path_f[:1], zorder=5, label="start", **START_STYLE)
        ax.plot(path_x[-1:], path_f[-1:], zorder=5, label="end", **END_STYLE)
    _draw_minima(ax, [(m, float(np.interp(m, x, f))) for m in minima], ms=13)
    # Limits from what is drawn, set explicitly: an Axes reused for another curve must not keep the
    # old curve's data limits (autoscaling unions them), or the cached picture and the path disagree.
    ax.set_xlim(x[0], x[-1])
    ax.set_ylim(*curve_ylim(f, path_f))
    ax.set_xlabel("x")
    ax.set_ylabel("loss f(x)")
    if title:
        ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    return ax


def curve_ylim(f: np.ndarray, path_f: np.ndarray = np.zeros(0), margin: float = 0.05) -> tuple[float, float]:
    """The y-limits of a loss curve plot: the curve and the (finite) path, plus ``margin`` each side.

    >>> curve_ylim(np.array([0.0, 9.0]))
    (-0.45, 9.45)
    """
    values = np.concatenate([np.ravel(f), np.ravel(path_f)]).astype(float)
    values = values[np.isfinite(values)]
    lo, hi = (float(values.min()), float(values.max())) if values.size else (0.0, 1.0)
    pad = margin * (hi - lo) if hi > lo else 0.5
    return lo - pad, hi + pad


def draw_contour_descent(ax, X: np.ndarray, Y: np.ndarray, Z: np.ndarray, path: np.ndarray,
                         minima: Sequence[Sequence[float]] = (), levels: int | Sequence[float] = 14,
                         title: str = "", vmax: float | None = None):
    """Draw the contour lines of a 2-D loss and a descent path over them.

    Parameters
    ----------
    ax : matplotlib Axes
    X, Y, Z : ndarray, shape (m, m)
        A grid and the loss on it (as from ``np.meshgrid``).
    path : ndarray, shape (k, 2)
        The visited points, already clamped to the grid's range by the caller.
    minima : sequence of (x, y)
        Marked with green stars drawn above the path (the first, the global one, filled; the
        others hollow, so an end point on a local minimum shows through). Every artist carries a
        label, so ``ax.legend()`` explains the markers.
    levels : int or sequence of float
        Contour levels (a count spreads them evenly from ``Z.min()`` to ``vmax`` when given).
    vmax : float, optional
        Cap of the colour scale: heights above it all get the top colour and no contour lines, so
        a few huge values (a diverging path's corner of the grid) do not squeeze every interesting
        level into the lowest colour. Must be a finite number above ``Z.min()``. Explicit levels
        above ``vmax`` are dropped and ``vmax`` becomes the top level.

    Returns
    -------
    ax

    Raises
    ------
    TypeError, ValueError
        If ``vmax`` is not a finite number above ``Z.min()``, or leaves fewer than two levels.
    """
    if vmax is not None:
        Z, levels = _capped_levels(np.asarray(Z, dtype=float), levels, vmax)
    ax.contourf(X, Y, Z, levels=levels, cmap="coolwarm", alpha=0.55)
    ax.contour(X, Y, Z, levels=levels, colors="#555555", linewidths=0.5)
    path = np.asarray(path, dtype=float).reshape(-1, 2)
    ax.plot(path[:, 0], path[:, 1], "-o", color="black", ms=3, lw=1.2, zorder=4, label="path")
    if len(path):
        ax.plot(path[:1, 0], path[:1, 1], zorder=5, label="start", **START_STYLE)
        ax.plot(path[-1:, 0], path[-1:, 1], zorder=5, label="end", **END_STYLE)
    _draw_minima(ax, [(float(mx), float(my)) for mx, my in minima], ms=15)
    ax.set_xlim(X.min(), X.max())
    ax.set_ylim(Y.min(), Y.max())
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def _capped_levels(Z: np.ndarray, levels: int | Sequence[float], vmax: float):
    """``Z`` clipped at ``vmax`` and the contour levels up to ``vmax`` (for draw_contour_descent)."""
    if isinstance(vmax, bool) or not isinstance(vmax, (int, float, np.integer, np.floating)):
        raise checks.error("draw_contour_descent", "vmax", "a number or None", type(vmax).__name__, TypeError)
    zmin = float(np.nanmin(Z))
    if not math.isfinite(vmax) or vmax <= zmin:
        raise checks.error("draw_contour_descent", "vmax",
                           f"a finite number above the lowest loss on the grid ({zmin:.6g})", repr(vmax))
    if isinstance(levels, (int, np.integer)):
        capped = np.linspace(zmin, float(vmax), int(levels))
    else:
        capped = np.array([v for v in np.asarray(levels, dtype=float) if v < vmax] + [float(vmax)])
    if len(capped) < 2:
        raise checks.error("draw_contour_descent", "vmax", f"at least two contour levels (levels={levels!r})",
                           repr(vmax), hint=", which leaves fewer than two contour levels; raise vmax or pass "
                           "more levels", must="leave")
    return np.minimum(Z, vmax), capped


# ---------------------------------------------------------------------------------------------
# View 6: per-layer distributions
# ---------------------------------------------------------------------------------------------
def draw_ridgeline(ax, edges: np.ndarray, counts: Sequence[np.ndarray], labels: Sequence[str],
                   colour: str = VALUE_COLOUR, xlabel: str = "", title: str = "",
                   shade: Sequence[tuple[float, float]] = ()):
    """Draw one histogram per row, stacked vertically (first row at the top): a "ridgeline" plot.

    Parameters
    ----------
    ax : matplotlib Axes
    edges : ndarray, shape (b + 1,)
        Common bin edges.
    counts : list of ndarray, each shape (b,)
        Fractions (or counts) per bin, one array per row; each row is scaled to its own maximum.
    labels : list of str
        Row labels (e.g. "layer 1").
    shade : sequence of (lo, hi)
        x ranges to shade in the background (e.g. the saturated regions of the sigmoid).

    Returns
    -------
    ax
    """
    from matplotlib.patches import Polygon

    n = len(counts)
    for lo, hi in shade:
        ax.axvspan(lo, hi, color="#f4cccc", alpha=0.6, lw=0, zorder=0)
    for i, c in enumerate(counts):
        xy = ridge_outline(edges, c, n - 1 - i)
        ax.add_patch(Polygon(xy, closed=True, fc=colour, alpha=0.55, lw=0, label=f"_ridge{i}"))
        ax.plot(xy[:, 0], xy[:, 1], color=colour, lw=0.8, label=f"_ridge{i}")
    ax.set_yticks(np.arange(n)[::-1] + 0.3)
    ax.set_yticklabels(labels, fontsize=8)
    ax.set_ylim(-0.1, n)
    ax.set_xlim(edges[0], edges[-1])
    if xlabel:
        ax.set_xlabel(xlabel, fontsize=9)
    if title:
        ax.set_title(title, fontsize=10)
    ax.tick_params(axis="x", labelsize=8)
    return ax


def ridge_outline(edges: np.ndarray, counts: np.ndarray, base: float, height: float = 0.9) -> np.ndarray:
    """Outline of one ridgeline row: a step curve over ``edges`` scaled to ``height``, closed at
    ``base``.

    Returns
    -------
    ndarray, shape (2 * b + 2, 2)
        Vertices (x, y) for a ``Polygon`` (and, unchanged, for the outline ``Line2D``).

    >>> ridge_outline(np.array([0.0, 1.0, 2.0]), np.array([1.0, 2.0]), base=0.0, height=1.0).tolist()
    [[0.0, 0.0], [0.0, 0.5], [1.0, 0.5], [1.0, 1.0], [2.0, 1.0], [2.0, 0.0]]
    """
    c = np.asarray(counts, dtype=float)
    top = c.max() if c.size and c.max() > 0 else 1.0
    h = base + height * c / top
    xs = np.repeat(edges, 2)
    ys = np.concatenate([[base], np.repeat(h, 2), [base]])
    return np.column_stack([xs, ys])


# ---------------------------------------------------------------------------------------------
# Fast redraws: draw the static part once, then only the artists that change
# ---------------------------------------------------------------------------------------------
def freeze_layout(fig) -> None:
    """Run the constrained layout once, then keep those positions.

    Later redraws skip the layout solver (the slowest part of a small figure's draw). Call it again
    after adding or removing Axes.
    """
    fig.set_layout_engine("constrained")
    fig.get_layout_engine().execute(fig)
    fig.set_layout_engine("none")


class FastPNG:
    """Render a figure to PNG bytes, re-drawing only its *animated* artists after the first time.

    Mark every artist that changes between updates with ``artist.set_animated(True)``. The first
    :meth:`png` (and the first after :meth:`invalidate`) draws the static part (axes, ticks,
    contours...) and keeps a copy of the pixels; later calls paste that copy back and draw only the
    animated artists on top. Tick labels and contour lines are what makes a full draw slow, so this
    keeps a callback well under the views' time budget.

    A second cached layer is optional: animated artists whose ``gid`` is ``"middle"`` are drawn
    onto the static pixels once and cached too, until :meth:`invalidate_middle`; the other animated
    artists are drawn on every call. (The graph explorer caches its numbers this way while the
    step button changes only the gradients.)

    Parameters
    ----------
    fig : matplotlib Figure
        A figure with an Agg canvas (``FigureCanvasAgg(fig)``).
    compress_level : int
        zlib level for the PNG (1 is fast; the images are small either way).
    """

    MIDDLE = "middle"
    MAX_BACKGROUNDS = 12

    def __init__(self, fig, compress_level: int = 1) -> None:
        self.fig = fig
        self.compress_level = compress_level
        self._background = None
        self._middle = None
        self._key: Any = None
        self._backgrounds: dict = {}

    def invalidate(self) -> None:
        """Forget every cached static part (call after changing anything that is not animated and
        not described by the ``key`` passed to :meth:`png`)."""
        self._background = None
        self._middle = None
        self._backgrounds.clear()

    def invalidate_middle(self) -> None:
        """Forget the cached middle layer (call after changing a ``gid="middle"`` artist)."""
        self._middle = None

    def _animated(self) -> list:
        found = []
        for ax in self.fig.axes:
            if ax.get_visible():
                found += [a for a in ax.get_children() if a.get_animated()]
        found += [a for a in self.fig.get_children() if a.get_animated()]
        return sorted(found, key=lambda a: a.get_zorder())

    def png(self, key: Any = None) -> bytes:
        """Return the current figure as PNG bytes.

        Parameters
        ----------
        key : hashable, optional
            Names the current static state (e.g. the surface shown). Static parts are cached per
            key, so going back to an earlier state reuses its pixels instead of drawing again. The
            caller promises that equal keys mean equal static parts (and the same figure size).
        """
        canvas = self.fig.canvas
        animated = self._animated()
        middle = [a for a in animated if a.get_gid() == self.MIDDLE]
        top = [a for a in animated if a.get_gid() != self.MIDDLE]
        if key != self._key:
            self._key, self._middle = key, None
            self._background = self._backgrounds.get(key) if key is not None else None
        if self._background is None:
            canvas.draw()  # skips animated artists
            self._background = canvas.copy_from_bbox(self.fig.bbox)
            self._middle = None
            if key is not None:
                if len(self._backgrounds) >= self.MAX_BACKGROUNDS:
                    self._backgrounds.pop(next(iter(self._backgrounds)))
                self._backgrounds[key] = self._background
        renderer = canvas.get_renderer()
        if self._middle is None:
            canvas.restore_region(self._background)
            for artist in middle:
                if artist.get_visible():
                    artist.draw(renderer)
            self._middle = canvas.copy_from_bbox(self.fig.bbox) if middle else self._background
        else:
            canvas.restore_region(self._middle)
        for artist in top:
            if artist.get_visible():
                artist.draw(renderer)
        return encode_png(np.asarray(canvas.buffer_rgba()), self.compress_level)


def encode_png(rgba: np.ndarray, level: int = 1) -> bytes:
    """Encode an RGBA pixel array (a canvas's ``buffer_rgba()``) as an RGB PNG, through Pillow.

    The alpha channel is dropped: the views' figures are opaque. ``level`` is zlib's compression
    level; 1 is fast, and the flat colours of a plot compress well even so.

    Parameters
    ----------
    rgba : ndarray of uint8, shape (height, width, 4)
    level : int in [0, 9]

    Returns
    -------
    bytes
        A complete PNG file.
    """
    from PIL import Image

    rgba = np.ascontiguousarray(rgba)
    if rgba.dtype != np.uint8 or rgba.ndim != 3 or rgba.shape[2] != 4:
        raise checks.error("encode_png", "rgba", "a uint8 array of shape (height, width, 4)",
                           f"{rgba.dtype} array of shape {rgba.shape}", must="be",
                           hint="; pass np.asarray(canvas.buffer_rgba())")
    level = checks.integer(level, "level", "encode_png", 0, 9)
    h, w = rgba.shape[:2]
    image = Image.frombuffer("RGBA", (w, h), rgba, "raw", "RGBA", 0, 1).convert("RGB")
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=level)
    return out.getvalue()
