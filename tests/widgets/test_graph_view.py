"""View 1: layout, the step-by-step backward pass, and the explorer against the engine."""
import math

import numpy as np
import pytest

from backprop_course.engine.graph import trace
from backprop_course.engine.value import Value
from backprop_course.widgets.graph_view import (GraphView, backward_steps, graph_explorer, layered_layout,
                                                node_columns, node_depths)


def seed_graph():
    x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    q = x + y
    q.label = "q"
    return q * z


def square(a, b):
    return a * a + b          # a used twice by one node: two edges a -> (a*a)


def diamond(a, b):
    c = a * b
    return (c + a) * (c - b)  # c and a, b shared by several users


def deep_chain(a, b):
    v = a
    for _ in range(300):
        v = (v * 0.9 + b).tanh()
    return v


def mixed(a, b):
    return (a * b + b).tanh() * a - (a ** 2) / b + (a - 1.5).exp()


EXPRESSIONS = [(square, (0.7, -1.3)), (diamond, (1.5, -0.5)), (deep_chain, (0.3, 0.2)), (mixed, (0.5, -1.5))]


def test_seed_000_depths_and_positions():
    nodes, edges = trace(seed_graph())            # ids: x 0, y 1, q 2, z 3, f 4
    assert [n["label"] for n in nodes] == ["x", "y", "q", "z", ""]
    assert node_depths(nodes, edges) == {0: 0, 1: 0, 2: 1, 3: 0, 4: 2}
    pos = layered_layout(nodes, edges)
    assert pos == {4: (2.0, 0.0), 2: (1.0, 0.0), 0: (0.0, 1.0), 1: (0.0, 0.0), 3: (0.0, -1.0)}


@pytest.mark.parametrize("fn, args", EXPRESSIONS)
def test_layout_columns_are_longest_path_depths_and_no_two_nodes_collide(fn, args):
    nodes, edges = trace(fn(*[Value(a, label=name) for a, name in zip(args, "ab")]))
    depth = node_depths(nodes, edges)
    pos = layered_layout(nodes, edges, x_gap=1.5, y_gap=0.8)
    assert len(set(pos.values())) == len(nodes)
    for e in edges:  # every arrow goes right, and a result sits right after its deepest operand
        assert pos[e["target"]][0] > pos[e["source"]][0]
    for n in nodes:
        ins = [depth[e["source"]] for e in edges if e["target"] == n["id"]]
        assert depth[n["id"]] == (1 + max(ins) if ins else 0)
        users = [depth[e["target"]] for e in edges if e["source"] == n["id"]]
        if n["op"] or n["label"]:     # inputs in the first column, operations at their depth
            assert pos[n["id"]][0] == pytest.approx(1.5 * depth[n["id"]])
        else:                         # a constant: the column just before its first user
            assert pos[n["id"]][0] == pytest.approx(1.5 * (min(users) - 1))


def test_constants_sit_just_before_their_first_user_and_inputs_stay_first():
    # f = (x * 0.9 + y).tanh() * 2 + x: the constant 0.9 is used at depth 1, the constant 2 at depth 4
    x, y = Value(0.3, label="x"), Value(-0.2, label="y")
    nodes, edges = trace((x * 0.9 + y).tanh() * 2 + x)
    by_value = {(n["label"], n["op"], n["data"]): n["id"] for n in nodes}
    ix, iy, c09, c2 = by_value[("x", "", 0.3)], by_value[("y", "", -0.2)], by_value[("", "", 0.9)], by_value[("", "", 2.0)]
    depth, col = node_depths(nodes, edges), node_columns(nodes, edges)
    assert depth[c2] == 0 and col[c2] == 3            # its user (the product with tanh) has depth 4
    assert col[c09] == 0 and col[ix] == col[iy] == 0  # x is used at depth 1 and at the very end: still 0
    pos = layered_layout(nodes, edges)
    assert pos[c2][0] == 3.0 and pos[ix][0] == pos[iy][0] == pos[c09][0] == 0.0
    times = next(e["target"] for e in edges if e["source"] == c2)
    assert pos[times][0] - pos[c2][0] == 1.0          # a one-column arrow, not one that spans the graph
    for n in nodes:                                   # every other node keeps its longest-path depth
        if n["id"] != c2:
            assert col[n["id"]] == depth[n["id"]]


def test_seed_000_backward_steps_by_hand():
    nodes, edges = trace(seed_graph())
    steps = backward_steps(nodes, edges)
    nan = math.nan
    assert len(steps) == 3
    # step 0: only df/df = 1 is known
    np.testing.assert_array_equal(steps[0].grads, [nan, nan, nan, nan, 1.0])
    # step 1, node f = q * z: df/dq = 1 * z = -4, df/dz = 1 * q = 3
    assert steps[1].node == 4
    assert [(up, lg, c) for _, up, lg, c in steps[1].contributions] == [(1.0, -4.0, -4.0), (1.0, 3.0, 3.0)]
    np.testing.assert_array_equal(steps[1].grads, [nan, nan, -4.0, 3.0, 1.0])
    # step 2, node q = x + y: df/dx = df/dq * 1 = -4, df/dy = -4 (the 2017 note eqs (2), (3))
    assert steps[2].node == 2
    assert [(up, lg, c) for _, up, lg, c in steps[2].contributions] == [(-4.0, 1.0, -4.0), (-4.0, 1.0, -4.0)]
    np.testing.assert_array_equal(steps[2].grads, [-4.0, -4.0, -4.0, 3.0, 1.0])


@pytest.mark.parametrize("fn, args", EXPRESSIONS)
def test_last_step_equals_the_engines_backward(fn, args):
    root = fn(*[Value(a) for a in args])
    root.backward()
    nodes, edges = trace(root)
    steps = backward_steps(nodes, edges)
    assert len(steps) == 1 + sum(1 for n in nodes if n["op"])
    np.testing.assert_allclose(steps[-1].grads, [n["grad"] for n in nodes], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("fn, args", EXPRESSIONS[:2] + EXPRESSIONS[3:])
def test_each_step_adds_upstream_times_local_and_uses_final_upstream(fn, args):
    root = fn(*[Value(a) for a in args])
    root.backward()
    nodes, edges = trace(root)
    final = [n["grad"] for n in nodes]
    steps = backward_steps(nodes, edges)
    for before, step in zip(steps, steps[1:]):
        # when a node is processed, every user has delivered: its gradient is already final
        assert step.contributions[0][1] == pytest.approx(final[step.node])
        for k, up, lg, c in step.contributions:
            assert edges[k]["target"] == step.node and c == up * lg == up * edges[k]["local_grad"]


def test_leaf_gradients_match_central_differences():
    args = np.array([0.5, -1.5])
    root = mixed(*[Value(a, label=n) for a, n in zip(args, "ab")])
    nodes, edges = trace(root)
    grads = backward_steps(nodes, edges)[-1].grads
    h = 1e-6
    for i, name in enumerate("ab"):
        e = np.zeros(2)
        e[i] = h
        fd = (mixed(*[Value(v) for v in args + e]).data - mixed(*[Value(v) for v in args - e]).data) / (2 * h)
        got = [g for n, g in zip(nodes, grads) if n["label"] == name][0]
        assert got == pytest.approx(fd, rel=1e-6)


def test_empty_and_single_node_graphs():
    assert backward_steps([], []) == []
    nodes, edges = trace(Value(3.0, label="w"))
    steps = backward_steps(nodes, edges)
    assert len(steps) == 1 and steps[0].grads == (1.0,)
    assert layered_layout(nodes, edges) == {0: (0.0, 0.0)}


# ---------------------------------------------------------------------------------------------
# The view
# ---------------------------------------------------------------------------------------------
def test_default_view_is_seed_000_and_steps_to_the_engines_gradients():
    v = graph_explorer()
    fig = v.fig
    assert v.state["step"] == 0 and v.state["n_steps"] == 2 and v.state["output"] == -12.0
    assert math.isnan(v.state["leaf_grads"]["x"])
    v.step()
    assert v.state["current"] == 4 and v.state["leaf_grads"]["z"] == 3.0
    assert "into q: 1 x -4 = -4" in v.state["message"] and "into z: 1 x 3 = 3" in v.state["message"]
    v.step()
    assert v.state["leaf_grads"] == {"x": -4.0, "y": -4.0, "z": 3.0}
    assert v.state["grads"] == v.state["engine_grads"] and v.step_button.disabled
    v.step()                                           # past the end: stays at the end
    assert v.state["step"] == 2
    v.reset()
    assert v.state["step"] == 0 and not v.step_button.disabled
    assert v.fig is fig and bytes(v.image.value[:4]) == b"\x89PNG"


def test_sliders_rebuild_the_expression_and_buttons_drive_it():
    v = graph_explorer(lambda x, y, z: (x + y) * z, x=-2, y=5, z=-4)
    v.run_button.click()
    assert v.state["leaf_grads"] == {"x": -4.0, "y": -4.0, "z": 3.0}
    v.leaves["z"].value = 2.0                          # df/dx = z flips sign with z
    assert v.state["leaf_grads"] == {"x": 2.0, "y": 2.0, "z": 3.0}
    v.set(x=1.0, y=1.5)
    assert v.state["output"] == pytest.approx(5.0) and v.state["leaf_grads"]["z"] == 2.5
    v.reset_button.click()
    v.step_button.click()
    assert v.state["step"] == 1


@pytest.mark.parametrize("fn, args", EXPRESSIONS[:2] + EXPRESSIONS[3:])
def test_view_full_backward_equals_engine(fn, args):
    names = list(fn.__code__.co_varnames[:2])
    v = graph_explorer(fn, **dict(zip(names, args)))
    v.run_all()
    root = fn(*[Value(a) for a in args])
    root.backward()
    nodes, _ = trace(root)
    np.testing.assert_allclose(v.state["grads"], [n["grad"] for n in nodes])
    np.testing.assert_allclose(v.state["engine_grads"], [n["grad"] for n in nodes])


def test_static_value_has_no_sliders():
    x = Value(3.0, label="x")
    v = graph_explorer((x * x).tanh())
    assert v.leaves == {}
    v.run_all()
    assert v.state["leaf_grads"]["x"] == pytest.approx(2 * 3.0 * (1 - np.tanh(9.0) ** 2))


def test_errors_in_the_expression_become_messages():
    v = graph_explorer(lambda a: a.log(), a=2.0)
    assert "error" not in v.state
    v.leaves["a"].value = -1.0                         # log of a negative number
    assert "log" in v.state["error"] and "log" in v.message.value
    v.leaves["a"].value = 1.0
    assert "error" not in v.state and v.state["message_kind"] == "info"
    assert v.state["message"].startswith("Forward pass done: out = 0.")
    w = graph_explorer(lambda a: 3.0, a=1.0)            # not a Value
    assert "must return a Value" in w.state["error"]


def test_graph_explorer_rejects_bad_arguments():
    with pytest.raises(ValueError, match="name arguments"):
        graph_explorer(lambda x: x * 2, y=1.0)
    with pytest.raises(TypeError, match="'expr'"):
        graph_explorer(42)
    with pytest.raises(ValueError, match="built Value"):
        graph_explorer(Value(1.0), x=2.0)
    v = graph_explorer()
    with pytest.raises(ValueError, match="'w'"):
        v.set(w=1.0)


def test_figure_grows_with_the_graph(tmp_path):
    small = graph_explorer()
    big = graph_explorer(mixed, a=0.5, b=-1.5)
    assert big.fig.get_size_inches()[0] > small.fig.get_size_inches()[0]
    assert isinstance(big, GraphView)
    big.save_png(str(tmp_path / "g.png"))
    assert (tmp_path / "g.png").read_bytes()[:4] == b"\x89PNG"


# -- the drawing: no edge through a box, no text over a box's edge (issue 24) ------------------------
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from backprop_course.widgets import plotting as P  # noqa: E402


def neuron(x1, x2, w1, w2, b):
    # Lesson 02's neuron: the edge from b ran through the p1 box, a note ran over the neg box.
    p1 = x1 * w1
    p1.label = "p1"
    p2 = x2 * w2
    p2.label = "p2"
    n = p1 + p2 + b
    n.label = "n"
    e = (-n).exp()
    e.label = "e"
    d = 1 + e
    d.label = "d"
    out = 1 / d
    out.label = "out"
    return out


NEURON_LEAVES = dict(x1=1.5, x2=-0.5, w1=0.8, w2=-1.2, b=-0.3)


def assert_no_edge_through_a_box(nodes, edges, pos):
    geo = P.graph_geometry(nodes, edges, pos)
    for e, (cx, cy) in zip(edges, geo["curves"]):
        for n in nodes:
            if n["id"] in (e["source"], e["target"]):
                continue
            bx, by = pos[n["id"]]
            inside = (np.abs(cx - bx) < P.BOX_W / 2) & (np.abs(cy - (by - 0.04)) < P.BOX_H / 2)
            assert not inside.any(), f"edge {e['source']}->{e['target']} runs through node {n['id']}"
        assert geo["ylim"][0] <= cy.min() and cy.max() <= geo["ylim"][1]


def test_lesson_02_neuron_edges_run_around_the_boxes():
    nodes, edges = trace(neuron(**{k: Value(v, label=k) for k, v in NEURON_LEAVES.items()}))
    assert_no_edge_through_a_box(nodes, edges, layered_layout(nodes, edges))


@st.composite
def random_graphs(draw):
    """A random expression: leaves, then nodes that combine earlier ones (+, *, -, tanh, exp...)."""
    values = [Value(draw(st.floats(-2, 2)), label=f"a{i}") for i in range(draw(st.integers(1, 4)))]
    for _ in range(draw(st.integers(1, 10))):
        i = draw(st.integers(0, len(values) - 1))
        j = draw(st.integers(0, len(values) - 1))
        op = draw(st.sampled_from(["+", "*", "-", "tanh", "sigmoid", "+c"]))
        a, b = values[i], values[j]
        values.append({"+": lambda: a + b, "*": lambda: a * b, "-": lambda: a - b, "tanh": a.tanh,
                       "sigmoid": a.sigmoid, "+c": lambda: a + 1.5}[op]())
    return trace(values[-1])


@settings(max_examples=60, deadline=None, derandomize=True)
@given(graph=random_graphs())
def test_no_edge_of_a_random_graph_runs_through_a_box(graph):
    nodes, edges = graph
    assert_no_edge_through_a_box(nodes, edges, layered_layout(nodes, edges))


def assert_no_text_over_a_box_edge(view):
    ax = view._ax
    view.fig.canvas.draw()
    renderer = view.fig.canvas.get_renderer()
    boxes = [p.get_window_extent(renderer) for p in ax.patches]
    texts = [t for t in ax.texts if t.get_visible() and t.get_text()]
    assert texts and boxes
    for t in texts:
        tb = t.get_window_extent(renderer)
        for bb in boxes:
            overlap = (min(tb.x1, bb.x1) - max(tb.x0, bb.x0) > 0.5) and (min(tb.y1, bb.y1) - max(tb.y0, bb.y0) > 0.5)
            inside = bb.x0 <= tb.x0 and tb.x1 <= bb.x1 and bb.y0 <= tb.y0 and tb.y1 <= bb.y1
            assert inside or not overlap, f"text {t.get_text()!r} runs over the edge of a box"


@pytest.mark.parametrize("fn, leaves", [(None, {}), (neuron, NEURON_LEAVES)])
def test_no_text_runs_over_a_box_edge_at_any_step(fn, leaves):
    # Every number sits inside its box or in the corridor between columns, including the wide
    # "upstream x local = contribution" notes of the step being shown.
    view = graph_explorer(fn, **leaves) if fn else graph_explorer()
    for _ in range(view.state["n_steps"] + 1):
        assert_no_text_over_a_box_edge(view)
        view.step()
