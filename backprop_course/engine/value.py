"""``Value``: one scalar node of a computational graph (the 2017 note).

Every arithmetic operation on ``Value`` objects builds a new node that remembers

* ``data``        -- the number computed in the forward pass,
* ``_prev``       -- the operands it was computed from, in operand order,
* ``op``          -- the name of the operation (``"+"``, ``"*"``, ``"tanh"``, ...),
* ``local_grads`` -- one float per operand: the partial derivative of this node with respect to
  that operand, evaluated *right now, during the forward pass*.

The backward pass then needs no calculus at all. Walking the graph from the output back to the
inputs, each node hands ``upstream * local`` to each of its operands, where ``upstream`` is the
gradient of the output with respect to the node (already complete, thanks to the topological
order) and ``local`` is the number stored on the way forward. That product is the chain rule;
summing the products that reach an operand along different paths (``+=``) is the multivariable
chain rule.

>>> x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
>>> q = x + y          # q = 3;   stores dq/dx = 1, dq/dy = 1
>>> f = q * z          # f = -12; stores df/dq = z = -4, df/dz = q = 3
>>> q.local_grads, f.local_grads
((1.0, 1.0), (-4.0, 3.0))
>>> f.backward()
>>> x.grad, y.grad, z.grad
(-4.0, -4.0, 3.0)

The operators mirror micrograd's ``Value`` (``+ - * / **``, unary ``-``, the reflected forms,
``relu``, ``tanh``, ``exp``; plus ``sigmoid`` and ``log``), so expressions and training loops written
for micrograd run unchanged. Deliberate differences: ``_prev`` is a tuple in operand order
(micrograd uses a set); there are no per-node ``_backward`` closures, because the stored local
gradients make them unnecessary (so nodes hold no reference cycles and are freed at once); and
``backward()`` resets the graph's gradients first (next section).

Calling ``backward()`` twice
----------------------------
``f.backward()`` first resets the gradient of *every node in f's graph* to 0, then fills in
``node.grad = df/dnode``. Calling it again therefore gives the same numbers, not doubled ones. This
also means gradients do *not* pile up across separate ``backward()`` calls that share parameters.
To add the gradients of several outputs, either back-propagate their sum (``(f1 + f2).backward()``)
or pass ``accumulate=True``, which adds into the leaves' existing gradients (PyTorch's behaviour for
leaf tensors). ``zero_grad()`` sets every gradient in a graph to 0 by hand.

Numerical behaviour
-------------------
``tanh`` and ``sigmoid`` are evaluated in forms that never overflow, so ``Value(1000).sigmoid()`` is
exactly 1.0 and ``Value(-1000).tanh()`` exactly -1.0, without warnings. ``exp`` of an input above
about 709.78 exceeds the largest float; it returns ``math.inf`` silently (the limit, and the IEEE
overflow result that NumPy also gives, with a warning), and its stored local gradient is ``inf``
as well. ``log`` of a value <= 0 and
division by a zero ``Value`` raise errors that show the offending value.

Powers
------
``v ** n`` with a plain number ``n`` works for any base where the real power exists: a negative
base needs a whole-number exponent, and ``0 ** n`` needs ``n >= 0``. ``v ** w`` with a ``Value``
exponent also sends a gradient to ``w``, d(a**b)/db = a**b * log(a), so it needs a base ``a > 0``
(a ``ValueError`` says so otherwise; use a plain number exponent when it is a constant).
"""
from __future__ import annotations

import math
from numbers import Real
from typing import Any, Union

from backprop_course.engine.checks import describe, error

__all__ = ["Value"]

Number = Union[int, float]
Operand = Union["Value", Number]


def _as_float(obj: Any, name: str, owner: str = "Value", role: str = "parameter",
              rule: str = "a real number") -> float:
    """A real number (int, float, numpy scalar or 0-d array) as a float; inf and nan included."""
    if type(obj) is float:
        return obj
    if isinstance(obj, Real) and not isinstance(obj, bool):
        return float(obj)
    if getattr(obj, "ndim", None) == 0 and getattr(getattr(obj, "dtype", None), "kind", "") in "iuf":
        return float(obj)       # a 0-d numpy array, e.g. np.array(2.0) (recognised without numpy)
    hint = " (for many numbers, use a list of Values)" if getattr(obj, "ndim", 0) else ""
    raise error(owner, name, f"{rule} (int, float or numpy scalar){hint}", describe(obj),
                TypeError, role)


class Value:
    """A scalar that records how it was computed, so gradients can flow back through it.

    Parameters
    ----------
    data : float
        The number held by this node (ints and numpy scalars are converted to float; inf and nan
        are accepted and propagate as IEEE arithmetic says).
    _children : tuple of at most two Value, optional
        The operands this node was computed from. Set by the operators; leave it empty for an input.
    _op : str, optional
        Name of the operation that produced this node (``""`` for an input).
    label : str, optional
        A name for drawings and ``repr``, e.g. ``"x"``.
    _local_grads : tuple of float, optional
        d(this node)/d(child) for each child, same order as ``_children``.

    Attributes
    ----------
    data : float
        Forward value.
    grad : float
        d(output)/d(this node) after ``output.backward()``; 0.0 before.
    label, op : str
        Name and producing operation.
    _prev : tuple of Value
        The operands, in operand order (``()`` for an input; read-only).
    local_grads : tuple of float
        Local gradients stored in the forward pass, one per entry of ``_prev`` (read-only).
    """

    # A node of an operation has one or two operands, so it keeps them in fixed slots: operand
    # ``_a`` with its local gradient ``_la``, operand ``_b`` with ``_lb`` (``_a`` is None for an
    # input, ``_b`` for a function of one input). One object per node and no per-node dict or
    # tuples keeps a graph small and quick to build; ``_prev`` and ``local_grads`` show the slots
    # as tuples.
    __slots__ = ("data", "grad", "label", "op", "_a", "_b", "_la", "_lb")

    # Tell NumPy to step aside: ``np.float64(2.0) * v`` then falls back to ``v.__rmul__`` and
    # returns a Value instead of a 0-d object array.
    __array_ufunc__ = None

    def __init__(self, data: Number, _children: tuple = (), _op: str = "", label: str = "",
                 _local_grads: tuple = ()) -> None:
        for name, text in (("label", label), ("_op", _op)):
            if not isinstance(text, str):
                raise error("Value", name, "a str", describe(text), TypeError)
        children = tuple(_children)
        if not all(isinstance(c, Value) for c in children):
            raise error("Value", "_children", "Value objects only", describe(children), TypeError,
                        must="hold")
        if len(children) > 2:
            raise error("Value", "_children", "at most two Values (an operation has one or two "
                        "operands)", f"{len(children)} Values", must="hold",
                        hint="; build a sum of three terms as (a + b) + c")
        local_grads = tuple(_as_float(g, "_local_grads") for g in _local_grads)
        if len(local_grads) != len(children):
            # Without its local gradients a node could not pass gradients back to its children.
            raise error("Value", "_local_grads", f"one number per child in '_children' "
                        f"({len(children)})", str(len(local_grads)), must="hold")
        self.data, self.grad, self.label, self.op = _as_float(data, "data"), 0.0, label, _op
        pairs = [*zip(children, local_grads), (None, 0.0), (None, 0.0)]   # unused slots: None, 0.0
        (self._a, self._la), (self._b, self._lb) = pairs[0], pairs[1]

    @property
    def _prev(self) -> tuple[Value, ...]:
        """The operands this node was computed from, in operand order (``()`` for an input)."""
        return tuple(child for child in (self._a, self._b) if child is not None)

    @property
    def local_grads(self) -> tuple[float, ...]:
        """d(this node)/d(operand) for each operand in ``_prev``, computed in the forward pass."""
        return (self._la, self._lb)[:len(self._prev)]

    @property
    def _op(self) -> str:
        """micrograd's name for :attr:`op` (read-only), so drawing code written for it still runs."""
        return self.op

    # ------------------------------------------------------------------ operations
    # Each operation has the same beats: compute the result, compute the local gradient of the
    # result with respect to each operand (numbers, not functions), and store both on a new node.

    def __add__(self, other: Operand) -> Value:
        other = other if type(other) is Value else _constant(other, "+")
        # q = a + b  =>  dq/da = 1, dq/db = 1: addition passes the upstream gradient through.
        return _node(self.data + other.data, "+", self, 1.0, other, 1.0)

    def __mul__(self, other: Operand) -> Value:
        other = other if type(other) is Value else _constant(other, "*")
        # f = a * b  =>  df/da = b, df/db = a: each factor's gradient is "the other factor".
        return _node(self.data * other.data, "*", self, other.data, other, self.data)

    def __sub__(self, other: Operand) -> Value:
        other = other if type(other) is Value else _constant(other, "-")
        # d = a - b  =>  dd/da = 1, dd/db = -1.
        return _node(self.data - other.data, "-", self, 1.0, other, -1.0)

    def __truediv__(self, other: Operand) -> Value:
        other = other if type(other) is Value else _constant(other, "/")
        a, b = self.data, other.data
        if b == 0.0:
            raise ZeroDivisionError(f"The divisor of Value '/' must be nonzero. Got {other!r} "
                                    f"(dividing {a!r}) instead.")
        q = a / b
        # q = a / b  =>  dq/da = 1/b, dq/db = -a/b**2 = -q/b.
        return _node(q, "/", self, 1.0 / b, other, -q / b)

    def __pow__(self, exponent: Operand) -> Value:
        if type(exponent) is Value:
            return self._pow_value(exponent)
        n = _as_float(exponent, "exponent", "Value '**'", "operand", "a Value or a real number")
        # p = a**n with a constant n  =>  dp/da = n * a**(n-1) (the power rule). The constant n is
        # not a node of the graph, as in micrograd; the op name records it, e.g. "**2".
        p, slope = _power(self.data, n)
        return _node(p, f"**{n:g}", self, slope)

    def _pow_value(self, b: Value) -> Value:
        """``a ** b`` where the exponent is a node too, so it receives a gradient."""
        a = self.data
        if not a > 0.0:
            # d(a**b)/db = a**b * log(a) needs log(a), defined only for a > 0.
            raise ValueError("The base of Value '**' must be > 0 when the exponent is a Value "
                             f"(d(a**b)/db = a**b * log(a) needs log(a)). Got {a!r} instead; use a "
                             "plain number exponent if it is a constant.")
        p, slope = _power(a, b.data)
        # p = a**b  =>  dp/da = b * a**(b-1) (as for a constant b),  dp/db = a**b * log(a).
        return _node(p, "**", self, slope, b, p * math.log(a))

    # ``3 + v`` asks int first, which gives up, so Python calls ``v.__radd__(3)``. The number is
    # wrapped as a constant node and the operation is done in the written order.
    def __radd__(self, other: Number) -> Value:
        return _constant(other, "+") + self

    def __rsub__(self, other: Number) -> Value:
        return _constant(other, "-") - self

    def __rmul__(self, other: Number) -> Value:
        return _constant(other, "*") * self

    def __rtruediv__(self, other: Number) -> Value:
        return _constant(other, "/") / self

    def __rpow__(self, other: Number) -> Value:
        return _constant(other, "**")._pow_value(self)

    def __neg__(self) -> Value:
        # m = -a  =>  dm/da = -1.
        return _node(-self.data, "neg", self, -1.0)

    def __pos__(self) -> Value:
        return self

    def relu(self) -> Value:
        """max(0, x); slope 1 for x > 0 and 0 otherwise (0 at x = 0, as micrograd does).

        A nan input stays nan (value and slope), so a diverging computation is not masked.
        """
        a = self.data
        if a > 0.0:
            return _node(a, "relu", self, 1.0)
        if a <= 0.0:
            return _node(0.0, "relu", self, 0.0)
        return _node(a, "relu", self, a)          # nan (neither > 0 nor <= 0): value and slope

    def tanh(self) -> Value:
        """tanh(x); slope 1 - tanh(x)**2. ``math.tanh`` saturates to +-1 without overflowing."""
        t = math.tanh(self.data)
        return _node(t, "tanh", self, 1.0 - t * t)

    def sigmoid(self) -> Value:
        """1 / (1 + exp(-x)); slope s * (1 - s), the blog post's g' = g(1 - g).

        Only ever exponentiates a number <= 0, so exp cannot overflow: for x >= 0 use
        1 / (1 + exp(-x)); for x < 0 use the equal form exp(x) / (1 + exp(x)).
        """
        a = self.data
        s = 1.0 / (1.0 + math.exp(-a)) if a >= 0.0 else math.exp(a) / (1.0 + math.exp(a))
        return _node(s, "sigmoid", self, s * (1.0 - s))

    def exp(self) -> Value:
        """e**x; the slope of e**x is e**x itself. Returns ``math.inf`` (no warning) above ~709.78."""
        try:
            e = math.exp(self.data)
        except OverflowError:
            e = math.inf  # exp(x) beyond the float range: its limit, as IEEE arithmetic gives.
        return _node(e, "exp", self, e)

    def log(self) -> Value:
        """Natural logarithm; slope 1/x. Defined for x > 0 only."""
        a = self.data
        if not a > 0.0:
            raise ValueError(f"Value.log needs data > 0 (the logarithm is undefined otherwise). "
                             f"Got {a!r} instead.")
        return _node(math.log(a), "log", self, 1.0 / a)

    # ------------------------------------------------------------------ backward pass
    def backward(self, *, accumulate: bool = False) -> None:
        """Fill ``node.grad`` with d(self)/d(node) for every node of this graph.

        Iterative (no recursion), so graphs of any depth work.

        Parameters
        ----------
        accumulate : bool, default False
            False: every gradient in the graph is reset to 0 first, so calling ``backward()`` twice
            gives the same gradients, not doubled ones. True: the inputs (nodes without operands)
            keep their current ``grad`` and the new gradients are added to it, which sums the
            gradients of several outputs that share inputs; intermediate nodes are still reset.

        Examples
        --------
        >>> w = Value(3.0)
        >>> f = w * w            # df/dw = 2w = 6
        >>> f.backward(); f.backward()
        >>> w.grad               # reset first, so not 12
        6.0
        >>> (w * 10).backward(accumulate=True)
        >>> w.grad               # 6 + 10
        16.0
        """
        order = _topological_order(self)
        # 1. Start from zero, so that each += below adds exactly one path's contribution.
        for node in order:
            if node._a is not None or not accumulate:   # with accumulate, inputs keep their grad
                node.grad = 0.0
        # 2. d(self)/d(self) = 1.
        self.grad += 1.0
        # 3. Outputs before inputs: when a node is reached, every path through it has already
        #    delivered its share, so node.grad is final. Hand upstream * local to each operand:
        #    that product is the chain rule, and += sums the paths that meet at an operand.
        for node in reversed(order):
            if node._a is not None:
                node._a.grad += node._la * node.grad
            if node._b is not None:
                node._b.grad += node._lb * node.grad

    def zero_grad(self) -> None:
        """Set ``grad`` to 0 for every node of the graph that ends at this node (self included)."""
        for node in _topological_order(self):
            node.grad = 0.0

    def __repr__(self) -> str:
        parts = [f"data={self.data!r}", f"grad={self.grad!r}"]
        if self.label:
            parts.append(f"label={self.label!r}")
        if self.op:
            parts.append(f"op={self.op!r}")
        return f"Value({', '.join(parts)})"


def _node(data: float, op: str, a: Value | None = None, local_a: float = 0.0,
          b: Value | None = None, local_b: float = 0.0) -> Value:
    """A new node: the result of an operation, and each operand with its local gradient.

    It skips ``__init__``'s checks: an operation passes a float and Values, nothing to check.
    """
    node = object.__new__(Value)
    node.data, node.grad, node.label, node.op = data, 0.0, "", op
    node._a, node._la, node._b, node._lb = a, local_a, b, local_b
    return node


def _constant(number: Any, symbol: str) -> Value:
    """A plain number used as an operand, as a new input node; anything else is a TypeError."""
    name = "exponent" if symbol == "**" else "other"
    x = _as_float(number, name, f"Value '{symbol}'", "operand", "a Value or a real number")
    return _node(x, "")


def _topological_order(root: Value) -> list[Value]:
    """Every node ``root`` depends on, each once, operands before the nodes built from them.

    A depth-first search, as in micrograd, but with a stack of its own instead of recursion, so a
    chain of 100,000 nodes is as fine as a chain of three (Python stops recursion at ~1000 deep).
    A node is pushed twice: first to visit its operands, then (under ``_DONE``) to be emitted once
    they are all in ``order``. Operands are pushed last-first, so the order reads like the
    expression (``x`` before ``y`` in ``x + y``).
    """
    order: list[Value] = []
    visited: set[Value] = set()
    stack: list = [root]
    while stack:
        node = stack.pop()
        if node is _DONE:
            order.append(stack.pop())       # its operands are all in order now
        elif node not in visited:           # (a node reached twice, e.g. in x * x, is done once)
            visited.add(node)
            stack.append(node)
            stack.append(_DONE)
            for child in (node._b, node._a):    # second operand first: the first is expanded first
                if child is not None and child not in visited:
                    stack.append(child)
    return order


_DONE = object()   # stack marker: the node below it has had all its operands emitted


def _power(a: float, n: float) -> tuple[float, float]:
    """``a**n`` and its slope ``n * a**(n-1)``, with errors that say what went wrong.

    A slope beyond the float range (e.g. ``1e-300 ** -1``) is returned as +-inf, like ``exp``.
    """
    try:
        p = a ** n
    except ZeroDivisionError:
        raise ZeroDivisionError(f"Value '**' cannot raise 0.0 to the negative power {n!r}. "
                                "Got base 0.0 instead.") from None
    except OverflowError:
        raise OverflowError(f"Value '**' overflowed: {a!r} ** {n!r} is larger than the largest "
                            "float.") from None
    if type(p) is complex:
        raise ValueError(f"The base of Value '**' must be >= 0 when the exponent {n!r} is not a "
                         f"whole number (the result would be complex). Got {a!r} instead.")
    if n == 0.0:
        return p, 0.0                 # a**0 = 1 whatever a is: flat.
    if a == 0.0 and n < 1.0:
        return p, math.inf            # e.g. sqrt at 0: the tangent is vertical (one-sided limit).
    try:
        return p, n * a ** (n - 1.0)
    except OverflowError:
        return p, n * (p / a)         # the same number, which float division turns into +-inf
