"""Walking a computational graph of ``Value`` nodes: topological order and a plain-data trace.

Nothing here draws; views and lessons turn :func:`trace`'s output into pictures or tables.

>>> from backprop_course.engine.value import Value
>>> x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
>>> q = x + y; q.label = "q"
>>> f = q * z; f.label = "f"
>>> [n.label for n in topological_order(f)]
['x', 'y', 'q', 'z', 'f']
"""
from __future__ import annotations

from typing import Any

from backprop_course.engine.checks import describe, error
from backprop_course.engine.value import Value, _topological_order

__all__ = ["topological_order", "trace"]


def _check_root(root: Any, caller: str) -> None:
    if not isinstance(root, Value):
        raise error(caller, "root", "a Value", describe(root), TypeError)


def topological_order(root: Value) -> list[Value]:
    """Every node that ``root`` depends on, each once, operands before the nodes built from them.

    The order ``Value.backward`` walks (backwards); see ``_topological_order`` in ``value.py``.
    Iterative, so a chain of 100,000 nodes is as fine as a chain of three.

    Parameters
    ----------
    root : Value
        The output node.

    Returns
    -------
    list of Value, length = number of distinct nodes in the graph
        Each node after all of its operands, ``root`` last; the first operand's subgraph comes
        before the second's, so the list reads like the expression. Reversed, it is the order of
        the backward pass: a node comes after every node that uses it.
    """
    _check_root(root, "topological_order")
    return _topological_order(root)


def trace(root: Value) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The graph ending at ``root`` as plain, JSON-serialisable data.

    Parameters
    ----------
    root : Value
        The output node.

    Returns
    -------
    nodes : list of dict, one per distinct node, in topological order
        ``{"id": int, "label": str, "op": str, "data": float, "grad": float}``; ``id`` is the
        node's position in :func:`topological_order`, ``op`` is ``""`` for inputs.
    edges : list of dict, one per (operand, result) use, grouped by result in node order
        ``{"source": id of the operand, "target": id of the result, "local_grad": float}`` where
        ``local_grad`` is d(result)/d(operand) as stored in the forward pass. An operand used twice
        by one node (``x * x``) gives two edges.

    Examples
    --------
    >>> from backprop_course.engine.value import Value
    >>> a, b = Value(3.0, label="a"), Value(4.0, label="b")
    >>> nodes, edges = trace(a * b)
    >>> [n["data"] for n in nodes]
    [3.0, 4.0, 12.0]
    >>> edges
    [{'source': 0, 'target': 2, 'local_grad': 4.0}, {'source': 1, 'target': 2, 'local_grad': 3.0}]
    """
    _check_root(root, "trace")
    order = topological_order(root)
    ids = {id(node): i for i, node in enumerate(order)}
    nodes = [{"id": i, "label": node.label, "op": node.op, "data": float(node.data),
              "grad": float(node.grad)} for i, node in enumerate(order)]
    edges = [{"source": ids[id(child)], "target": i, "local_grad": float(local)}
             for i, node in enumerate(order)
             for child, local in zip(node._prev, node.local_grads)]
    return nodes, edges
