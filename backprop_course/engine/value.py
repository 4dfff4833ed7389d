"""``Value``: one scalar node of a computational graph (seed 000).

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

from backprop_course.engine.graph import _topological_order

__all__ = ["Value"]

Number = Union[int, float]
Operand = Union["Value", Number]

_exp = math.exp
_tanh = math.tanh
_log = math.log


def _describe(obj: Any) -> str:
    """Show a received object and its type, for error messages."""
    return f"{obj!r} ({type(obj).__name__})"


def _as_float(obj: Any, what: str, rule: str = "a real number") -> float:
    """Convert a real number (int, float, numpy scalar, 0-d array) to float, or raise TypeError.

    ``what`` names the parameter and ``rule`` what it must be, for the error message, e.g.
    "The 'data' parameter of Value" must be "a real number".
    """
    if isinstance(obj, Real) and not isinstance(obj, bool):
        return float(obj)
    # A 0-d numpy array (e.g. ``np.array(2.0)``) is accepted without importing numpy here.
    if getattr(obj, "ndim", None) == 0 and getattr(getattr(obj, "dtype", None), "kind", "") in "iuf":
        return float(obj)
    hint = " (for many numbers, use a list of Values)" if getattr(obj, "ndim", 0) else ""
    raise TypeError(f"{what} must be {rule} (int, float or numpy scalar){hint}. "
                    f"Got {_describe(obj)} instead.")


class Value:
    """A scalar that records how it was computed, so gradients can flow back through it.

    Parameters
    ----------
    data : float
        The number held by this node (ints and numpy scalars are converted to float; inf and nan
        are accepted and propagate as IEEE arithmetic says).
    _children : tuple of Value, optional
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
        The operands, in operand order (read-only; ``()`` for an input).
    local_grads : tuple of float
        Local gradients stored in the forward pass, one per entry of ``_prev`` (read-only).
    """

    # Storage. A node has at most two operands in practice, so instead of two small tuples
    # (_prev, local_grads) it keeps them in fixed slots: operand a with local gradient la, operand
    # b with lb. That is one object per node instead of three for Python's memory manager and
    # garbage collector, which made forward + backward of a small MLP about 2x faster (measured).
    # ``_prev`` and ``local_grads`` below rebuild the tuples on demand. Invariants:
    #   input node:        _a is None (nothing else is read)
    #   one operand:       _a, _la set; _b is None
    #   two operands:      _a, _la, _b, _lb set; _more is None
    #   three or more:     as two, plus _more = ((child, local), ...) for the rest (hand-built only)
    __slots__ = ("data", "grad", "label", "op", "_a", "_b", "_la", "_lb", "_more")

    # Tell NumPy to step aside: ``np.float64(2.0) * v`` then falls back to ``v.__rmul__`` and
    # returns a Value instead of a 0-d object array.
    __array_ufunc__ = None

    def __init__(self, data: Number, _children: tuple = (), _op: str = "", label: str = "",
                 _local_grads: tuple = ()) -> None:
        self.data = data if type(data) is float else _as_float(data, "The 'data' parameter of Value")
        for name, text in (("label", label), ("_op", _op)):
            if not isinstance(text, str):
                raise TypeError(f"The '{name}' parameter of Value must be a str. "
                                f"Got {_describe(text)} instead.")
        children = tuple(_children)
        if not all(isinstance(c, Value) for c in children):
            raise TypeError("The '_children' parameter of Value must hold Value objects only. "
                            f"Got {_describe(children)} instead.")
        local_grads = tuple(_as_float(g, "Each entry of the '_local_grads' parameter of Value")
                            for g in _local_grads)
        if len(local_grads) != len(children):
            # Without its local gradients a node could not pass gradients back to its children.
            raise ValueError("The '_local_grads' parameter of Value must hold one number per child "
                             f"in '_children' ({len(children)}). Got {len(local_grads)} instead.")
        self.grad = 0.0
        self.label = label
        self.op = _op
        self._a = self._b = self._more = None
        self._la = self._lb = 0.0
        if len(children) >= 1:
            self._a, self._la = children[0], local_grads[0]
        if len(children) >= 2:
            self._b, self._lb = children[1], local_grads[1]
        if len(children) >= 3:
            self._more = tuple(zip(children[2:], local_grads[2:]))

    # ------------------------------------------------------------------ the stored graph, as tuples
    @property
    def _prev(self) -> tuple[Value, ...]:
        """The operands this node was computed from, in operand order (``()`` for an input)."""
        a = self._a
        if a is None:
            return ()
        b = self._b
        if b is None:
            return (a,)
        more = self._more
        return (a, b) if more is None else (a, b, *(child for child, _ in more))

    @property
    def local_grads(self) -> tuple[float, ...]:
        """d(this node)/d(operand) for each operand in ``_prev``, computed in the forward pass."""
        if self._a is None:
            return ()
        if self._b is None:
            return (self._la,)
        more = self._more
        return (self._la, self._lb) if more is None else (self._la, self._lb, *(g for _, g in more))

    # ------------------------------------------------------------------ helpers
    @property
    def _op(self) -> str:
        """micrograd's name for :attr:`op` (read-only), so drawing code written for it still runs."""
        return self.op

    # ------------------------------------------------------------------ binary operators
    # Each operator follows the same beats: coerce the operand, compute the result, compute the
    # local gradients (numbers, not functions), store all of it on a new node, return it.

    def __add__(self, other: Operand) -> Value:
        if type(other) is not Value:
            other = _operand(other, "+")
        out = _new(Value)
        # q = a + b  =>  dq/da = 1, dq/db = 1: addition passes the upstream gradient through unchanged.
        out.data = self.data + other.data
        out.grad = 0.0
        out.label = ""
        out.op = "+"
        out._a = self
        out._b = other
        out._la = 1.0
        out._lb = 1.0
        out._more = None
        return out

    def __mul__(self, other: Operand) -> Value:
        if type(other) is not Value:
            other = _operand(other, "*")
        a, b = self.data, other.data
        out = _new(Value)
        # f = a * b  =>  df/da = b, df/db = a: each factor's gradient is "the other factor".
        out.data = a * b
        out.grad = 0.0
        out.label = ""
        out.op = "*"
        out._a = self
        out._b = other
        out._la = b
        out._lb = a
        out._more = None
        return out

    def __sub__(self, other: Operand) -> Value:
        if type(other) is not Value:
            other = _operand(other, "-")
        out = _new(Value)
        # d = a - b  =>  dd/da = 1, dd/db = -1.
        out.data = self.data - other.data
        out.grad = 0.0
        out.label = ""
        out.op = "-"
        out._a = self
        out._b = other
        out._la = 1.0
        out._lb = -1.0
        out._more = None
        return out

    def __truediv__(self, other: Operand) -> Value:
        if type(other) is not Value:
            other = _operand(other, "/")
        a, b = self.data, other.data
        if b == 0.0:
            raise ZeroDivisionError(f"The divisor of Value '/' must be nonzero. Got {other!r} "
                                    f"(dividing {a!r}) instead.")
        q = a / b
        out = _new(Value)
        # q = a / b  =>  dq/da = 1/b, dq/db = -a/b**2 = -q/b.
        out.data = q
        out.grad = 0.0
        out.label = ""
        out.op = "/"
        out._a = self
        out._b = other
        out._la = 1.0 / b
        out._lb = -q / b
        out._more = None
        return out

    def __pow__(self, exponent: Operand) -> Value:
        if type(exponent) is Value:
            return self._pow_value(exponent)
        n = _as_float(exponent, "The 'exponent' operand of Value '**'", "a Value or a real number")
        # p = a**n with a constant n  =>  dp/da = n * a**(n-1) (the power rule). The constant n is
        # not a node of the graph, as in micrograd; the op name records it, e.g. "**2".
        p, slope = _power(self.data, n)
        out = _new(Value)
        out.data = p
        out.grad = 0.0
        out.label = ""
        out.op = f"**{n:g}"
        out._a = self
        out._b = None
        out._la = slope
        return out

    def _pow_value(self, b: Value) -> Value:
        """``a ** b`` where the exponent is a node too, so it receives a gradient."""
        a = self.data
        if not a > 0.0:
            # d(a**b)/db = a**b * log(a) needs log(a), defined only for a > 0.
            raise ValueError("The base of Value '**' must be > 0 when the exponent is a Value "
                             f"(d(a**b)/db = a**b * log(a) needs log(a)). Got {a!r} instead; use a "
                             "plain number exponent if it is a constant.")
        p, slope = _power(a, b.data)
        out = _new(Value)
        # p = a**b  =>  dp/da = b * a**(b-1) (as for a constant b),  dp/db = a**b * log(a).
        out.data = p
        out.grad = 0.0
        out.label = ""
        out.op = "**"
        out._a = self
        out._b = b
        out._la = slope
        out._lb = p * _log(a)
        out._more = None
        return out

    # ------------------------------------------------------------------ reflected and unary forms
    # ``3 + v`` asks int first, which gives up, so Python calls ``v.__radd__(3)``. The number is
    # wrapped as a constant node and the operation is done in the written order.

    def __radd__(self, other: Number) -> Value:
        return _operand(other, "+") + self

    def __rsub__(self, other: Number) -> Value:
        return _operand(other, "-") - self

    def __rmul__(self, other: Number) -> Value:
        return _operand(other, "*") * self

    def __rtruediv__(self, other: Number) -> Value:
        return _operand(other, "/") / self

    def __rpow__(self, other: Number) -> Value:
        return _operand(other, "**")._pow_value(self)

    def __neg__(self) -> Value:
        out = _new(Value)
        # m = -a  =>  dm/da = -1.
        out.data = -self.data
        out.grad = 0.0
        out.label = ""
        out.op = "neg"
        out._a = self
        out._b = None
        out._la = -1.0
        return out

    def __pos__(self) -> Value:
        return self

    # ------------------------------------------------------------------ functions of one input
    def relu(self) -> Value:
        """max(0, x); slope 1 for x > 0 and 0 otherwise (0 at x = 0, as micrograd does).

        A nan input stays nan (value and slope), so a diverging computation is not masked.
        """
        a = self.data
        out = _new(Value)
        if a > 0.0:
            out.data = a
            out._la = 1.0
        elif a <= 0.0:
            out.data = 0.0
            out._la = 0.0
        else:  # nan: every comparison is False
            out.data = a
            out._la = a
        out.grad = 0.0
        out.label = ""
        out.op = "relu"
        out._a = self
        out._b = None
        return out

    def tanh(self) -> Value:
        """tanh(x); slope 1 - tanh(x)**2. ``math.tanh`` saturates to +-1 without overflowing."""
        t = _tanh(self.data)
        out = _new(Value)
        out.data = t
        out.grad = 0.0
        out.label = ""
        out.op = "tanh"
        out._a = self
        out._b = None
        out._la = 1.0 - t * t
        return out

    def sigmoid(self) -> Value:
        """1 / (1 + exp(-x)); slope s * (1 - s), seed 001's g' = g(1 - g).

        Only ever exponentiates a number <= 0, so exp cannot overflow: for x >= 0 use
        1 / (1 + exp(-x)); for x < 0 use the equal form exp(x) / (1 + exp(x)).
        """
        a = self.data
        if a >= 0.0:
            s = 1.0 / (1.0 + _exp(-a))
        else:
            e = _exp(a)
            s = e / (1.0 + e)
        out = _new(Value)
        out.data = s
        out.grad = 0.0
        out.label = ""
        out.op = "sigmoid"
        out._a = self
        out._b = None
        out._la = s * (1.0 - s)
        return out

    def exp(self) -> Value:
        """e**x; the slope of e**x is e**x itself. Returns ``math.inf`` (no warning) above ~709.78."""
        try:
            e = _exp(self.data)
        except OverflowError:
            e = math.inf  # exp(x) beyond the float range: its limit, as IEEE arithmetic gives.
        out = _new(Value)
        out.data = e
        out.grad = 0.0
        out.label = ""
        out.op = "exp"
        out._a = self
        out._b = None
        out._la = e
        return out

    def log(self) -> Value:
        """Natural logarithm; slope 1/x. Defined for x > 0 only."""
        a = self.data
        if not a > 0.0:
            raise ValueError(f"Value.log needs data > 0 (the logarithm is undefined otherwise). "
                             f"Got {a!r} instead.")
        out = _new(Value)
        out.data = _log(a)
        out.grad = 0.0
        out.label = ""
        out.op = "log"
        out._a = self
        out._b = None
        out._la = 1.0 / a
        return out

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
        if accumulate:
            for node in order:
                if node._a is not None:     # intermediate nodes only; inputs keep their grad
                    node.grad = 0.0
        else:
            for node in order:
                node.grad = 0.0
        # 2. d(self)/d(self) = 1 (accumulate=True on an input node: add 1 to it).
        self.grad = 1.0 if (self._a is not None or not accumulate) else self.grad + 1.0
        # 3. Outputs before inputs: when a node is reached, every path through it has already
        #    delivered its share, so node.grad is final. Hand upstream * local to each operand:
        #    that product is the chain rule, and += sums the paths that meet at an operand.
        for node in reversed(order):
            a = node._a
            if a is None:
                continue                    # an input: nothing further back
            g = node.grad
            a.grad += node._la * g
            b = node._b
            if b is not None:
                b.grad += node._lb * g
                more = node._more
                if more is not None:        # a hand-built node with three or more operands
                    for child, local in more:
                        child.grad += local * g

    def zero_grad(self) -> None:
        """Set ``grad`` to 0 for every node of the graph that ends at this node (self included)."""
        for node in _topological_order(self):
            node.grad = 0.0

    # ------------------------------------------------------------------ display
    def __repr__(self) -> str:
        parts = [f"data={self.data!r}", f"grad={self.grad!r}"]
        if self.label:
            parts.append(f"label={self.label!r}")
        if self.op:
            parts.append(f"op={self.op!r}")
        return f"Value({', '.join(parts)})"


# Building result nodes through ``object.__new__`` skips ``__init__``'s input checks: the
# operators already know their data is a float and their local gradients match their operands.
_new = object.__new__


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


def _constant(x: float) -> Value:
    """A new input node holding the float ``x`` (fast path for numbers mixed into expressions)."""
    v = _new(Value)
    v.data = x
    v.grad = 0.0
    v.label = ""
    v.op = ""
    v._a = None
    return v


def _operand(other: Any, symbol: str) -> Value:
    """Wrap a plain number as a constant input node; reject anything else with a clear message."""
    if type(other) is float:
        return _constant(other)
    return _constant(_as_float(other, f"The 'other' operand of Value '{symbol}'",
                               "a Value or a real number"))
