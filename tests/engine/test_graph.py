"""Tests for ``backprop_course.engine.graph``: topological order and the plain-data trace."""
from __future__ import annotations

import json
import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_course.engine.graph import topological_order, trace
from backprop_course.engine.value import Value
from engine_helpers import seed_graph

pytestmark = pytest.mark.filterwarnings("error")


# ---------------------------------------------------------------------------- random graphs
# A recipe is a list of (op, operand indices); node i of the graph is built from earlier nodes. The
# same recipe is evaluated with Values and with plain floats, so finite differences are independent.
OPS = {
    "+": (2, lambda a, b: a + b, lambda a, b: a + b),
    "-": (2, lambda a, b: a - b, lambda a, b: a - b),
    "*": (2, lambda a, b: a * b, lambda a, b: a * b),
    "/": (2, lambda a, b: a / (b * b + 1.0), lambda a, b: a / (b * b + 1.0)),   # never divides by 0
    "tanh": (1, lambda a: a.tanh(), math.tanh),
    "sigmoid": (1, lambda a: a.sigmoid(), lambda a: 1.0 / (1.0 + math.exp(-a))),
    "neg": (1, lambda a: -a, lambda a: -a),
    "sq": (1, lambda a: a ** 2, lambda a: a ** 2),
}


def random_recipe(seed, n_leaves, n_ops):
    rng = random.Random(seed)
    recipe = []
    for i in range(n_ops):
        name = rng.choice(sorted(OPS))
        arity = OPS[name][0]
        # Prefer recent nodes (depth), but reuse any earlier node too (sharing, diamonds, x op x).
        size = n_leaves + i
        operands = tuple(max(0, size - 1 - int(rng.expovariate(0.3))) for _ in range(arity))
        recipe.append((name, operands))
    return recipe


def build(recipe, leaves, use_value):
    nodes = list(leaves)
    for name, operands in recipe:
        fn = OPS[name][1] if use_value else OPS[name][2]
        out = fn(*(nodes[k] for k in operands))
        if name not in ("tanh", "sigmoid"):   # squash, to keep values bounded in deep recipes
            out = out.tanh() if use_value else math.tanh(out)
        nodes.append(out)
    return nodes


recipes = st.tuples(st.integers(0, 10_000), st.integers(1, 4), st.integers(1, 40))


@settings(max_examples=40, deadline=None, derandomize=True)
@given(recipes)
def test_topological_order_puts_operands_first_and_lists_each_node_once(params):
    seed, n_leaves, n_ops = params
    leaves = [Value(random.Random(seed + k).uniform(-1, 1)) for k in range(n_leaves)]
    root = build(random_recipe(seed, n_leaves, n_ops), leaves, True)[-1]
    order = topological_order(root)
    position = {id(node): i for i, node in enumerate(order)}
    assert len(position) == len(order)                        # no duplicates
    assert order[-1] is root
    for node in order:
        for child in node._prev:
            assert position[id(child)] < position[id(node)]   # operands first
    # Exactly the nodes reachable from root: walk the graph another way (breadth-first).
    reachable, frontier = {id(root)}, [root]
    while frontier:
        frontier = [c for n in frontier for c in n._prev if id(c) not in reachable]
        reachable.update(id(c) for c in frontier)
    assert set(position) == reachable


@settings(max_examples=30, deadline=None, derandomize=True)
@given(recipes)
def test_backward_on_random_graphs_matches_finite_differences(params):
    seed, n_leaves, n_ops = params
    rng = random.Random(seed)
    point = [rng.uniform(-1, 1) for _ in range(n_leaves)]
    recipe = random_recipe(seed, n_leaves, n_ops)
    leaves = [Value(a) for a in point]
    root = build(recipe, leaves, True)[-1]
    root.backward()

    def f(*args):
        return build(recipe, args, False)[-1]

    h = 1e-5
    for i, leaf in enumerate(leaves):
        plus, minus = list(point), list(point)
        plus[i] += h
        minus[i] -= h
        fd = (f(*plus) - f(*minus)) / (2 * h)
        # Rounding noise of the difference quotient is ~1e-16 / h = 1e-11 in absolute terms, so
        # gradients below the floor 1e-3 are compared absolutely (to 1e-10), larger ones relatively.
        assert abs(leaf.grad - fd) / max(abs(leaf.grad), abs(fd), 1e-3) < 1e-7


@settings(max_examples=30, deadline=None, derandomize=True)
@given(recipes)
def test_trace_satisfies_the_chain_rule(params):
    # For every node but the root: grad = sum over its out-edges of local_grad * grad(target).
    seed, n_leaves, n_ops = params
    leaves = [Value(random.Random(seed - k).uniform(-1, 1)) for k in range(n_leaves)]
    root = build(random_recipe(seed, n_leaves, n_ops), leaves, True)[-1]
    root.backward()
    nodes, edges = trace(root)
    grad = [n["grad"] for n in nodes]
    incoming = [0.0] * len(nodes)
    for e in edges:
        incoming[e["source"]] += e["local_grad"] * grad[e["target"]]
    assert grad[-1] == 1.0
    assert incoming[:-1] == pytest.approx(grad[:-1], rel=1e-12, abs=1e-15)


# ---------------------------------------------------------------------------- the 2017 note
def test_topological_order_of_the_seed_graph():
    x, y, z, q, f = seed_graph()
    assert topological_order(f) == [x, y, q, z, f]


def test_trace_of_the_seed_graph():
    *_, f = seed_graph()
    f.backward()
    nodes, edges = trace(f)
    assert nodes == [
        {"id": 0, "label": "x", "op": "", "data": -2.0, "grad": -4.0},
        {"id": 1, "label": "y", "op": "", "data": 5.0, "grad": -4.0},
        {"id": 2, "label": "q", "op": "+", "data": 3.0, "grad": -4.0},
        {"id": 3, "label": "z", "op": "", "data": -4.0, "grad": 3.0},
        {"id": 4, "label": "f", "op": "*", "data": -12.0, "grad": 1.0},
    ]
    assert edges == [
        {"source": 0, "target": 2, "local_grad": 1.0},    # dq/dx = 1
        {"source": 1, "target": 2, "local_grad": 1.0},    # dq/dy = 1
        {"source": 2, "target": 4, "local_grad": -4.0},   # df/dq = z
        {"source": 3, "target": 4, "local_grad": 3.0},    # df/dz = q
    ]
    assert json.loads(json.dumps([nodes, edges])) == [nodes, edges]


def test_trace_before_backward_has_zero_grads_but_local_grads():
    *_, f = seed_graph()
    nodes, edges = trace(f)
    assert [n["grad"] for n in nodes] == [0.0] * 5
    assert [e["local_grad"] for e in edges] == [1.0, 1.0, -4.0, 3.0]


def test_trace_does_not_change_the_graph():
    x, y, z, q, f = seed_graph()
    f.backward()
    before = [(v.data, v.grad, v.local_grads) for v in (x, y, z, q, f)]
    trace(f)
    assert [(v.data, v.grad, v.local_grads) for v in (x, y, z, q, f)] == before


def test_trace_keeps_one_edge_per_operand_slot():
    x = Value(3.0, label="x")
    y = x * x
    nodes, edges = trace(y)
    assert len(nodes) == 2
    assert edges == [{"source": 0, "target": 1, "local_grad": 3.0}] * 2


def test_trace_of_a_hand_built_node():
    a, b, c = Value(1.0, label="a"), Value(2.0, label="b"), Value(3.0, label="c")
    s = Value(3.0, (a, b), "sum", "s", (1.0, 1.0))
    nodes, edges = trace(s * c)
    assert [n["label"] for n in nodes] == ["a", "b", "s", "c", ""]
    assert [(e["source"], e["target"]) for e in edges] == [(0, 2), (1, 2), (2, 4), (3, 4)]


def test_trace_values_are_plain_python_types():
    x = Value(2.0)
    nodes, edges = trace((x * 3).exp().log())
    for record in nodes + edges:
        for value in record.values():
            assert type(value) in (int, float, str)


# ---------------------------------------------------------------------------- depth and reuse
def test_topological_order_of_a_100k_chain():
    x = Value(1.0)
    v = x
    for _ in range(100_000):
        v = v.tanh()
    order = topological_order(v)
    assert len(order) == 100_001 and order[0] is x and order[-1] is v


def test_a_node_reached_by_many_paths_appears_once():
    x = Value(1.0, label="x")
    v = x
    for _ in range(40):
        v = v + v * 0.5          # two paths per level from the top to x: 2**40 in all
    order = topological_order(v)
    assert sum(node is x for node in order) == 1
    assert len(order) == 1 + 40 * 3   # each level: a constant 0.5, a product, a sum


# ---------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("fn", [topological_order, trace])
@pytest.mark.parametrize("bad", [3.0, "f", None])
def test_root_must_be_a_value(fn, bad):
    with pytest.raises(TypeError, match=rf"The 'root' parameter of {fn.__name__} must be a Value\. "
                                        rf"Got {bad!r} \({type(bad).__name__}\) instead\."):
        fn(bad)


# ---------------------------------------------------------------------------- documented examples
@pytest.mark.parametrize("module_name", ["backprop_course.engine.value", "backprop_course.engine.graph"])
def test_docstring_examples_run(module_name):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module_name))
    assert result.attempted > 0 and result.failed == 0
