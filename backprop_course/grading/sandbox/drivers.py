"""Child-side drivers: run a learner's autograd code on a case given as data, and return data.

Some exercises ask for a *class* (lesson 13's ``Value``) or for a function that works on graph nodes
(``backward_pass(root)``). Neither can be called with numbers and give numbers back, and objects cannot
cross the process line. So a case sends a :class:`~backprop_course.grading.sandbox.codec.DriverSpec` (a
driver's name and plain parameters); on the child's side :func:`build` turns it into a :class:`Driver`,
and :func:`~backprop_course.grading.sandbox.call.call_case` calls ``driver.run(fn)`` instead of ``fn(...)``.
A driver builds the objects, calls the learner's code on them and reads the results back as floats, so
what leaves the child is a list of numbers, never a learner's object.

``ops``
    ``params["items"]``: rows ``[kind, a, b, upstream, grad_a, grad_b]``. For each row the driver makes
    ``A = Value(a)`` (and ``B = Value(b)`` for a two-operand kind), sets their ``grad`` to ``grad_a`` and
    ``grad_b`` (as if another path had already delivered that much), applies one operation, sets the
    result's ``grad`` to ``upstream`` and calls its ``_backward()`` once. Row of the output:
    ``[out.data, A.grad, B.grad]`` (``B.grad`` is 0.0 when there is no ``B``). Kinds: ``add``, ``mul``
    (``A + B``, ``A * B``), ``add_self``, ``mul_self`` (``A + A``, ``A * A``), ``addc``, ``mulc``,
    ``pow`` (``A + b``, ``A * b``, ``A ** b`` with a plain number ``b``), ``tanh``, ``exp``.
``graph``
    ``params["leaves"]`` (numbers) and ``params["ops"]``: rows ``[kind, i, x]`` that each append one node
    computed from node ``i`` (and node ``x`` for ``add``/``mul``, the constant ``x`` for ``addc``,
    ``mulc``, ``pow``; nothing for ``tanh``/``exp``); the last node is the root. The driver builds the graph
    from its own small micrograd-style nodes (:class:`Node`: ``data``, ``grad``, ``_prev``, ``_op``,
    ``_backward``), calls the learner's ``backward_pass(root)`` and reads every leaf's ``grad``. With
    ``params["repeat"]`` it then sets every node's ``grad`` to 0 and calls ``backward_pass(root)`` again.
    Output: one row of leaf gradients per call.

Only the standard library is used here (``math``): the child imports nothing of the package outside the
sandbox. The judge's references live with the exercise (``exercises/ex13_autograd.py``), out of reach.
"""
from __future__ import annotations

import math
from typing import Any, Callable

__all__ = ["Driver", "Node", "build", "NAMES"]

_BINARY = ("add", "mul")
_WITH_NUMBER = ("addc", "mulc", "pow")
_UNARY = ("tanh", "exp")
OPS_KINDS = ("add", "mul", "add_self", "mul_self", "addc", "mulc", "pow", "tanh", "exp")
GRAPH_KINDS = _BINARY + _WITH_NUMBER + _UNARY


def _number(x: Any) -> float:
    """A learner's number as a plain float (a bool, a list or an object without ``__float__`` is refused)."""
    if isinstance(x, bool):
        raise TypeError("a gradient or value must be a number, not a bool")
    return float(x)


class Node:
    """A micrograd-style scalar node, correct by construction, for testing a learner's ``backward_pass``.

    It has exactly the attributes the exercise's ``Value`` has: ``data``, ``grad``, ``_prev`` (the
    operands, a tuple), ``_op`` and ``_backward`` (a closure that adds this node's share of the
    gradient into its operands, never resets anything).
    """

    __slots__ = ("data", "grad", "_prev", "_op", "_backward")

    def __init__(self, data: float, _children: tuple = (), _op: str = "") -> None:
        self.data, self.grad, self._prev, self._op = float(data), 0.0, tuple(_children), _op
        self._backward = _nothing

    def __repr__(self) -> str:
        return f"Node(data={self.data!r}, grad={self.grad!r}, op={self._op!r})"


def _nothing() -> None:
    return None


def _apply(kind: str, a: Node, x: Any) -> Node:
    """One operation of the ``graph`` driver, with its backward closure (the micrograd pattern)."""
    if kind == "add":
        out = Node(a.data + x.data, (a, x), "+")
        local = (1.0, 1.0)
    elif kind == "mul":
        out = Node(a.data * x.data, (a, x), "*")
        local = (x.data, a.data)
    elif kind == "addc":
        out = Node(a.data + x, (a,), "+")
        local = (1.0,)
    elif kind == "mulc":
        out = Node(a.data * x, (a,), "*")
        local = (x,)
    elif kind == "pow":
        out = Node(a.data ** x, (a,), f"**{x:g}")
        local = (x * a.data ** (x - 1.0),)
    elif kind == "tanh":
        t = math.tanh(a.data)
        out = Node(t, (a,), "tanh")
        local = (1.0 - t * t,)
    else:  # "exp"
        e = math.exp(a.data)
        out = Node(e, (a,), "exp")
        local = (e,)
    operands = out._prev

    def _backward() -> None:
        for operand, slope in zip(operands, local):
            operand.grad += slope * out.grad     # += : paths that meet at an operand add up
    out._backward = _backward
    return out


class Driver:
    """A case's driver, rebuilt in the child from its name and parameters (see the module docstring)."""

    def __init__(self, name: str, params: dict) -> None:
        self.name, self.params = name, params

    def run(self, fn: Callable) -> list:
        """Run the learner's ``fn`` (a class for ``ops``, a function for ``graph``) and return numbers."""
        return _ops(fn, self.params) if self.name == "ops" else _graph(fn, self.params)


def _ops(cls: Callable, params: dict) -> list:
    rows = []
    for kind, a, b, upstream, grad_a, grad_b in params["items"]:
        A = cls(a)
        A.grad = grad_a
        B = None
        if kind in _BINARY:
            B = cls(b)
            B.grad = grad_b
        out = {"add": lambda: A + B, "mul": lambda: A * B, "add_self": lambda: A + A,
               "mul_self": lambda: A * A, "addc": lambda: A + b, "mulc": lambda: A * b,
               "pow": lambda: A ** b, "tanh": lambda: A.tanh(), "exp": lambda: A.exp()}[kind]()
        out.grad = upstream
        out._backward()
        rows.append([_number(out.data), _number(A.grad), _number(B.grad) if B is not None else 0.0])
    return rows


def build_graph(leaves: list, ops: list) -> list[Node]:
    """Every node of the program, leaves first; the last one is the root."""
    nodes = [Node(v) for v in leaves]
    for row in ops:
        kind, i = row[0], int(row[1])
        if kind in _BINARY:
            x = nodes[int(row[2])]
        elif kind in _WITH_NUMBER:
            x = float(row[2])
        else:
            x = None
        nodes.append(_apply(kind, nodes[i], x))
    return nodes


def _graph(backward_pass: Callable, params: dict) -> list:
    leaves = params["leaves"]
    nodes = build_graph(leaves, params["ops"])
    root, n = nodes[-1], len(leaves)
    rows = []
    for call in range(2 if params.get("repeat") else 1):
        if call:
            for node in nodes:
                node.grad = 0.0
        backward_pass(root)
        rows.append([_number(node.grad) for node in nodes[:n]])
    return rows


NAMES = ("ops", "graph")


def _check(name: str, params: Any) -> None:
    """Raise ValueError unless the parameters have the driver's shape (they come from the judge)."""
    if not isinstance(params, dict):
        raise ValueError(f"The 'params' parameter of the {name} driver must be a dict. Got {type(params).__name__}.")
    if name == "ops":
        items = params.get("items")
        ok = isinstance(items, list) and all(
            isinstance(r, list) and len(r) == 6 and r[0] in OPS_KINDS for r in items)
    else:
        ops, leaves = params.get("ops"), params.get("leaves")
        ok = (isinstance(leaves, list) and isinstance(ops, list) and leaves
              and all(isinstance(r, list) and 2 <= len(r) <= 3 and r[0] in GRAPH_KINDS for r in ops))
        if ok:
            count = len(leaves)
            for r in ops:
                refs = [r[1]] + ([r[2]] if r[0] in _BINARY else [])
                if not all(isinstance(j, int) and 0 <= j < count for j in refs):
                    ok = False
                    break
                count += 1
    if not ok:
        raise ValueError(f"The 'params' parameter of the {name} driver is malformed.")


def build(name: str, params: dict) -> Driver:
    """The driver named ``name`` with ``params`` (checked)."""
    if name not in NAMES:   # the house template by hand: the child side imports nothing outside the sandbox
        raise ValueError(f"The 'name' parameter of build must be one of {list(NAMES)}. Got {name!r} instead.")
    _check(name, params)
    return Driver(name, params)
