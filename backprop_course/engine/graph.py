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

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # only for type hints: value.py imports this module, not the other way round
    from backprop_course.engine.value import Value

__all__ = ["topological_order", "trace"]


def _check_root(root: Any, caller: str) -> None:
    from backprop_course.engine.value import Value  # deferred: avoids a circular import

    if not isinstance(root, Value):
        raise TypeError(f"The 'root' parameter of {caller} must be a Value. "
                        f"Got {root!r} ({type(root).__name__}) instead.")


def topological_order(root: Value) -> list[Value]:
    """Every node that ``root`` depends on, each once, operands before the nodes built from them.

    A depth-first search with an explicit stack instead of recursion, so a chain of 100,000 nodes
    is as fine as a chain of three (a recursive walk stops at Python's recursion limit, ~1000).

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


# Marker placed on the stack above a node whose operands are being visited (see below).
_EMIT = object()


def _topological_order(root: Value) -> list[Value]:
    """:func:`topological_order` without the input check (the backward pass calls this).

    It reads ``Value``'s operand slots (``_a``, ``_b``, ``_more``) directly instead of building a
    ``_prev`` tuple per node: this loop is half of the cost of ``backward()``.
    """
    visited: set[Value] = set()
    order: list[Value] = []
    # Depth-first search with an explicit stack. The first time a node is popped it is expanded:
    # it goes back on the stack under an _EMIT marker, with its operands on top. By the time the
    # marker surfaces again, every operand is already in ``order``, so the node can follow them.
    # (A marker object instead of (node, flag) tuples keeps the loop free of allocations, which
    # matters for the garbage collector on graphs of 10**5 nodes and more.)
    stack: list = [root]
    pop, push, visit, emit = stack.pop, stack.append, visited.add, order.append
    while stack:
        node = pop()
        if node is _EMIT:
            emit(pop())
            continue
        if node in visited:
            continue  # reached before through another path (a shared node, e.g. a diamond)
        visit(node)
        a = node._a
        if a is None:
            emit(node)  # an input has no operands to wait for
            continue
        push(node)
        push(_EMIT)
        # Operands go on the stack last-first, so the first operand is expanded first (x before
        # y in x + y), which makes the order read like the expression.
        b = node._b
        if b is not None:
            more = node._more
            if more is not None:
                for child, _ in reversed(more):
                    if child not in visited:
                        push(child)
            if b not in visited:
                push(b)
        if a not in visited:
            push(a)
    return order


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
