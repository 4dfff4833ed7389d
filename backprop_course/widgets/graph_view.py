"""View 1: the computational-graph explorer (the 2017 note).

A ``Value`` expression is drawn as a graph: one box per node with its label, value and gradient, one
arrow per operand with the local gradient the forward pass stored on it. A button runs the backward
pass one node at a time, showing for the node being processed

    upstream gradient x local gradient = contribution        (the chain rule, one edge at a time)

added into each operand's gradient. The 2017 note's example is the default:
x = -2, y = 5, z = -4, q = x + y = 3, f = q * z = -12, and after the full pass
df/dx = df/dy = z = -4, df/dz = q = 3.

Pure, tested parts: :func:`node_columns` and :func:`layered_layout` (where each node goes) and :func:`backward_steps` (the
sequence of gradient states of the step-by-step backward pass), both on the plain data of
:func:`backprop_course.engine.graph.trace`.
"""
from __future__ import annotations

import inspect
import math
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import ipywidgets as W
import numpy as np

from backprop_course.engine import checks
from backprop_course.engine.graph import trace
from backprop_course.engine.value import Value
from backprop_course.widgets import plotting as P
from backprop_course.widgets import sliders as S
from backprop_course.widgets.base import View

__all__ = ["node_depths", "node_columns", "layered_layout", "BackwardStep", "backward_steps", "GraphView",
           "graph_explorer", "note_example"]


def node_depths(nodes: Sequence[Mapping[str, Any]], edges: Sequence[Mapping[str, Any]]) -> dict[int, int]:
    """Depth of every node: the length of the longest path from an input (inputs have depth 0).

    Parameters
    ----------
    nodes, edges : list of dict
        As returned by ``trace`` (node ids in topological order, operands before results).

    Returns
    -------
    dict id -> int

    >>> node_depths([{"id": 0}, {"id": 1}, {"id": 2}], [{"source": 0, "target": 1},
    ...             {"source": 1, "target": 2}, {"source": 0, "target": 2}])
    {0: 0, 1: 1, 2: 2}
    """
    depth = {n["id"]: 0 for n in nodes}
    for e in sorted(edges, key=lambda e: e["target"]):  # targets in topological order
        depth[e["target"]] = max(depth[e["target"]], depth[e["source"]] + 1)
    return depth


def _is_constant(node: Mapping[str, Any]) -> bool:
    """A leaf without a label: a number the engine turned into a Value (the ``1`` of ``1 + x``)."""
    return not node.get("op") and not node.get("label")


def node_columns(nodes: Sequence[Mapping[str, Any]], edges: Sequence[Mapping[str, Any]]) -> dict[int, int]:
    """The column of every node: inputs in column 0, every operation at its :func:`node_depths`, and
    every constant (an unlabelled leaf) in the column just before its first (leftmost) user, so that
    its arrow is one column long instead of crossing the graph from the input column.

    Parameters
    ----------
    nodes, edges : list of dict
        As returned by ``trace``; a node is a constant when its ``op`` and ``label`` are empty.

    Returns
    -------
    dict id -> int

    >>> nodes = [{"id": 0, "label": "x", "op": ""}, {"id": 1, "label": "", "op": "exp"},
    ...          {"id": 2, "label": "", "op": ""}, {"id": 3, "label": "", "op": "+"}]   # exp(x) + 1
    >>> edges = [{"source": 0, "target": 1}, {"source": 1, "target": 3}, {"source": 2, "target": 3}]
    >>> node_depths(nodes, edges)[2], node_columns(nodes, edges)[2]
    (0, 1)
    """
    depth = node_depths(nodes, edges)
    first_user: dict[int, int] = {}
    for e in edges:
        d = depth[e["target"]]
        first_user[e["source"]] = min(first_user.get(e["source"], d), d)
    return {n["id"]: first_user[n["id"]] - 1 if _is_constant(n) and n["id"] in first_user else depth[n["id"]]
            for n in nodes}


def layered_layout(nodes: Sequence[Mapping[str, Any]], edges: Sequence[Mapping[str, Any]],
                   x_gap: float = 1.0, y_gap: float = 1.0) -> dict[int, tuple[float, float]]:
    """Place the nodes in columns (:func:`node_columns`: inputs left, output right, each constant
    just before its first user).

    Within a column, nodes are ordered by the mean height of the nodes that use them (placed first,
    from the output backwards), which keeps most arrows short and uncrossed; ties keep the
    topological order, first operand on top. Columns are centred on y = 0.

    Parameters
    ----------
    nodes, edges : list of dict
        As returned by ``trace``.
    x_gap, y_gap : float
        Distance between columns and between nodes of one column.

    Returns
    -------
    dict id -> (x, y)

    Examples
    --------
    The 2017 note's graph: x, y and z are inputs, q = x + y one step in, f = q * z two steps in.

    >>> nodes = [{"id": i, "label": s, "op": o} for i, (s, o) in enumerate(
    ...          [("x", ""), ("y", ""), ("q", "+"), ("z", ""), ("f", "*")])]
    >>> edges = [{"source": 0, "target": 2}, {"source": 1, "target": 2},
    ...          {"source": 2, "target": 4}, {"source": 3, "target": 4}]
    >>> layered_layout(nodes, edges)
    {4: (2.0, 0.0), 2: (1.0, 0.0), 0: (0.0, 1.0), 1: (0.0, 0.0), 3: (0.0, -1.0)}
    """
    depth = node_columns(nodes, edges)
    users: dict[int, list[int]] = {n["id"]: [] for n in nodes}
    for e in edges:
        users[e["source"]].append(e["target"])
    layers: dict[int, list[int]] = {}
    for n in nodes:
        layers.setdefault(depth[n["id"]], []).append(n["id"])
    pos: dict[int, tuple[float, float]] = {}
    for d in sorted(layers, reverse=True):
        ids = layers[d]

        def height(i: int) -> float:
            ys = [pos[u][1] for u in users[i] if u in pos]
            return sum(ys) / len(ys) if ys else 0.0

        ordered = sorted(ids, key=lambda i: (-height(i), i))
        top = (len(ordered) - 1) / 2.0
        for k, i in enumerate(ordered):
            pos[i] = (float(d * x_gap), float((top - k) * y_gap))
    return pos


@dataclass(frozen=True)
class BackwardStep:
    """One state of the step-by-step backward pass.

    Attributes
    ----------
    node : int
        Id of the node processed in this step (the root for step 0, which only seeds df/df = 1).
    grads : tuple of float, length len(nodes)
        Every node's gradient after this step; ``nan`` for nodes no gradient has reached yet.
    contributions : tuple of (edge index, upstream, local, contribution)
        What this step added: for each operand edge of ``node``, upstream gradient (``grads[node]``)
        times the edge's local gradient.
    """

    node: int
    grads: tuple
    contributions: tuple


def backward_steps(nodes: Sequence[Mapping[str, Any]], edges: Sequence[Mapping[str, Any]]) -> list[BackwardStep]:
    """The backward pass as a sequence of states, one per node that has operands.

    Step 0 seeds the output: d(root)/d(root) = 1. Each following step takes the next node in reverse
    topological order (so every use of it has already delivered its gradient), and adds
    ``upstream x local`` into each of its operands. Inputs have no operands and no step of their own.
    After the last step the gradients equal ``root.backward()``'s.

    Parameters
    ----------
    nodes, edges : list of dict
        As returned by ``trace`` (the root is the last node).

    Returns
    -------
    list of BackwardStep, length 1 + (number of nodes with operands)

    Examples
    --------
    The 2017 note: x, y, q = x + y, z, f = q * z at x = -2, y = 5, z = -4.

    >>> from backprop_course.engine.value import Value
    >>> x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    >>> steps = backward_steps(*trace((x + y) * z))
    >>> [s.grads for s in steps]          # doctest: +NORMALIZE_WHITESPACE
    [(nan, nan, nan, nan, 1.0), (nan, nan, -4.0, 3.0, 1.0), (-4.0, -4.0, -4.0, 3.0, 1.0)]
    """
    n = len(nodes)
    if n == 0:
        return []
    grads = [math.nan] * n
    root = n - 1
    grads[root] = 1.0
    steps = [BackwardStep(root, tuple(grads), ())]
    by_target: dict[int, list[int]] = {}
    for k, e in enumerate(edges):
        by_target.setdefault(e["target"], []).append(k)
    for node in range(n - 1, -1, -1):
        if node not in by_target:
            continue
        upstream = grads[node]
        contribs = []
        for k in by_target[node]:
            e = edges[k]
            c = upstream * e["local_grad"]
            src = e["source"]
            grads[src] = c if math.isnan(grads[src]) else grads[src] + c
            contribs.append((k, upstream, e["local_grad"], c))
        steps.append(BackwardStep(node, tuple(grads), tuple(contribs)))
    return steps


def note_example(x: Value, y: Value, z: Value) -> Value:
    """The 2017 note's expression f = (x + y) * z, with the intermediate node labelled q."""
    q = x + y
    q.label = "q"
    f = q * z
    f.label = "f"
    return f


def _name(node: Mapping[str, Any]) -> str:
    return node["label"] or node["op"] or "const"


class GraphView(View):
    """Draw a ``Value`` expression; sliders for its inputs; step through the backward pass.

    Build it with :func:`graph_explorer`. Controls (attributes): ``leaves`` (dict name ->
    FloatSlider, empty for a static expression), ``step_button``, ``run_button``, ``reset_button``.
    Methods ``step()``, ``run_all()``, ``reset()`` do what the buttons do; ``set(**leaf_values)``
    moves several sliders with one redraw. ``state`` holds ``nodes`` and ``edges`` (from ``trace``,
    with the engine's gradients after ``backward()``), ``values`` and ``engine_grads`` (per node id),
    ``step`` and ``n_steps``, ``grads`` (per node at the current step, nan = not reached),
    ``current`` (node id), ``contributions`` and ``leaf_grads`` (name -> gradient at this step).
    """

    figsize = (6.4, 3.6)

    def __init__(self, fn: Callable[..., Value] | None = None, root: Value | None = None,
                 leaves: Mapping[str, float] | None = None, slider_limit: float | None = None) -> None:
        self._fn = fn
        self._root = root
        self.leaves: dict[str, S.FloatSlider] = {}
        for name, value in (leaves or {}).items():
            lim = slider_limit or max(5.0, 2.0 * abs(float(value)))
            self.leaves[name] = S.FloatSlider(value=float(value), min=-lim, max=lim,
                                              description=name, continuous_update=True,
                                              readout_format=".2f", style={"description_width": "40px"},
                                              layout=W.Layout(width="260px"))
        self.step_button = W.Button(description="backward step", icon="step-backward",
                                    tooltip="Process the next node of the backward pass")
        self.run_button = W.Button(description="full backward", icon="fast-backward")
        self.reset_button = W.Button(description="reset", icon="undo",
                                     tooltip="Back to the forward pass only (df/df = 1)")
        self.step_button.on_click(lambda _: self.step())
        self.run_button.on_click(lambda _: self.run_all())
        self.reset_button.on_click(lambda _: self.reset())
        buttons = W.HBox([self.step_button, self.run_button, self.reset_button])
        super().__init__(controls=[*self.leaves.values(), buttons])
        self.fig.set_layout_engine("none")  # one Axes placed by hand: no layout solver needed
        self._fast = P.FastPNG(self.fig)
        self._step = 0
        self.observe_controls(*self.leaves.values())
        self.refresh()

    # -- driving ----------------------------------------------------------------------------------
    def render(self) -> None:
        """Send the figure to the front end, re-drawing only what the last step changed."""
        self.image.value = self._fast.png(key=self._static_key)

    def step(self) -> None:
        """Advance the backward pass by one node (stays at the end once finished)."""
        self._step += 1
        self.refresh()

    def run_all(self) -> None:
        """Jump to the end of the backward pass."""
        self._step = 10**9
        self.refresh()

    def reset(self) -> None:
        """Back to step 0: only the output's own gradient, df/df = 1, is known."""
        self._step = 0
        self.refresh()

    def set(self, **leaf_values: float) -> None:
        """Set several input sliders by name and redraw once (the step index is kept)."""
        with self.held():
            for name, value in leaf_values.items():
                if name not in self.leaves:
                    raise ValueError(f"The {name!r} input of GraphView.set must be one of "
                                     f"{sorted(self.leaves)}. Got {name}={value!r} instead.")
                self.leaves[name].value = float(value)
        self.refresh()

    # -- recompute --------------------------------------------------------------------------------
    def _build(self) -> Value:
        if self._fn is None:
            return self._root
        args = [Value(s.value, label=name) for name, s in self.leaves.items()]
        out = self._fn(*args)
        if not isinstance(out, Value):
            raise TypeError("The expression function must return a Value built from its arguments. "
                            f"Got {type(out).__name__} instead.")
        return out

    def update(self) -> None:
        root = self._build()
        root.backward()  # the engine's gradients: the end point the steps must reach
        nodes, edges = trace(root)
        steps = backward_steps(nodes, edges)
        self._step = min(max(self._step, 0), len(steps) - 1)
        s = steps[self._step]
        leaf_grads = {n["label"]: s.grads[n["id"]] for n in nodes if not n["op"] and n["label"]}
        self.state.update(nodes=nodes, edges=edges, values=[n["data"] for n in nodes],
                          engine_grads=[n["grad"] for n in nodes], step=self._step,
                          n_steps=len(steps) - 1, grads=list(s.grads), current=s.node,
                          contributions=list(s.contributions), leaf_grads=leaf_grads,
                          output=nodes[-1]["data"])
        self.step_button.disabled = self._step >= len(steps) - 1
        self._draw(nodes, edges, s, len(steps) - 1)
        self._message(nodes, edges, s, len(steps) - 1)

    def _draw(self, nodes, edges, s: BackwardStep, last: int) -> None:
        pos = layered_layout(nodes, edges)
        if getattr(self, "_ax", None) is None:
            self._ax = self.fig.add_axes((0.0, 0.0, 1.0, 1.0))
            self._static_key = None
        ax = self._ax
        # What depends only on the shape of the graph (arrows, boxes, names) is drawn once and cached
        # as pixels by FastPNG; a slider move or a step redraws only the numbers and highlights.
        key = (tuple((n["op"], n["label"]) for n in nodes),
               tuple((e["source"], e["target"]) for e in edges))
        if key != self._static_key:
            for artist in [*ax.texts, *ax.lines, *ax.patches]:
                artist.remove()
            # Size the figure to the graph first, at a fixed scale (1.8 in per column, 1.1 in per
            # row, less for big graphs), so boxes and text keep their proportions whatever the graph;
            # the drawing then fits each text to its box at that final size.
            geo = P.graph_geometry(nodes, edges, pos)
            (x0, x1), (y0, y1) = geo["xlim"], geo["ylim"]
            w = min(12.0, max(4.5, 1.8 * (x1 - x0)))
            h = min(9.0, max(2.2, 1.1 * (y1 - y0) + 0.2))
            if tuple(self.fig.get_size_inches()) != (w, h):
                self.fig.set_size_inches(w, h)
            ax.set_position((0.0, 0.1 / h, 1.0, 1.0 - 0.2 / h))
            P.draw_computational_graph(ax, nodes, edges, pos, part="static")
            self._static_key, self._values_key = key, None
            self._values: list = []
            self._dynamic: list = []
        values_key = (tuple(n["data"] for n in nodes), tuple(e["local_grad"] for e in edges))
        if values_key != self._values_key:  # new numbers from the forward pass: the middle layer
            self._values = self._redraw(self._values, lambda: P.draw_computational_graph(
                ax, nodes, edges, pos, part="values"), gid=P.FastPNG.MIDDLE)
            self._values_key = values_key
            self._fast.invalidate_middle()
        notes = {k: f"{P.fmt(up)} x {P.fmt(lg)}\n= {P.fmt(c)}" for k, up, lg, c in s.contributions}
        self._dynamic = self._redraw(self._dynamic, lambda: P.draw_computational_graph(
            ax, nodes, edges, pos, grads=s.grads, current=s.node if self._step > 0 else None,
            active_edges=[k for k, *_ in s.contributions], edge_notes=notes, part="step"))

    def _redraw(self, old: list, draw: Callable[[], Any], gid: str | None = None) -> list:
        """Replace the artists ``old`` by those ``draw()`` adds; mark them animated (and ``gid``)."""
        ax = self._ax
        for artist in old:
            artist.remove()
        before = {id(a) for a in [*ax.texts, *ax.lines, *ax.patches]}
        draw()
        new = [a for a in [*ax.texts, *ax.lines, *ax.patches] if id(a) not in before]
        for artist in new:
            artist.set_animated(True)
            artist.set_gid(gid)
        return new

    def _message(self, nodes, edges, s: BackwardStep, last: int) -> None:
        out = nodes[-1]["label"] or "out"
        if self._step == 0:
            head = (f"Forward pass done: {out} = {P.fmt(nodes[-1]['data'])}. The numbers on the arrows "
                    "are the local gradients d(result)/d(operand) stored in the forward pass. The backward "
                    f"pass starts from d{out}/d{out} = 1: press 'backward step'.")
        else:
            cur = nodes[s.node]
            parts = [f"into {_name(nodes[edges[k]['source']])}: {P.fmt(up)} x {P.fmt(lg)} = {P.fmt(c)}"
                     for k, up, lg, c in s.contributions]
            head = (f"Step {self._step}/{last}, node {_name(cur)}: upstream gradient x local gradient. "
                    + ";  ".join(parts) + (".  Done: these are the engine's gradients." if self._step == last
                                           else "."))
        self.show_message(head, "info")


def graph_explorer(expr: Callable[..., Value] | Value | None = None, **leaves: float) -> GraphView:
    """Return a graph-explorer view of an expression.

    Parameters
    ----------
    expr : callable, Value or None
        A function of Value arguments returning a Value (rebuilt whenever a slider moves: one slider
        per argument, named after it), or an already built Value (a static drawing, no sliders).
        None gives the 2017 note's ``f = (x + y) * z`` at x = -2, y = 5, z = -4.
    **leaves : float
        Initial values of the function's arguments (missing ones start at 1.0).

    Returns
    -------
    GraphView

    Examples
    --------
    >>> view = graph_explorer(lambda x, y, z: (x + y) * z, x=-2, y=5, z=-4)   # doctest: +SKIP
    >>> view.run_all(); view.state["leaf_grads"]                               # doctest: +SKIP
    {'x': -4.0, 'y': -4.0, 'z': 3.0}
    """
    if expr is None:
        expr = note_example
        leaves = {"x": -2.0, "y": 5.0, "z": -4.0, **leaves}
    if isinstance(expr, Value):
        if leaves:
            raise ValueError("The leaf values of graph_explorer need a function to rebuild the "
                             f"expression; a built Value is drawn as it is. Got {sorted(leaves)} instead.")
        return GraphView(root=expr)
    if not callable(expr):
        raise checks.error("graph_explorer", "expr", "a function of Values or a Value", type(expr).__name__,
                           TypeError)
    names = [p.name for p in inspect.signature(expr).parameters.values()
             if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    unknown = sorted(set(leaves) - set(names))
    if unknown:
        raise ValueError(f"The leaf values of graph_explorer must name arguments of the function "
                         f"({names}). Got {unknown} instead.")
    return GraphView(fn=expr, leaves={n: float(leaves.get(n, 1.0)) for n in names})
