"""Exercises of lesson 13: your own autograd engine, in three pieces graded separately.

* ``ex13.ops``: the learner's class ``Value`` (``+ * ** tanh exp``, each storing a ``_backward`` closure
  that *adds* into its operands' gradients). The child-side ``ops`` driver (``sandbox/drivers.py``) makes
  one or two Values, applies one operation, sets the result's ``grad`` and calls its ``_backward()``
  once. Judged by :class:`backprop_course.Value`: its forward value and the local gradients it stores.
* ``ex13.backward``: the learner's ``backward_pass(root)`` (an iterative topological order, the root
  seeded with 1, every ``_backward`` called in reverse order). The ``graph`` driver builds random
  expressions from correct micrograd-style nodes, so this piece is graded apart from the learner's
  operations; hidden expressions hold a reused node at two very different depths, a chain of at least
  2,000 operations, and a second ``backward_pass`` after the gradients were set to zero. Judged by
  ``bc.Value.backward()`` on the same expression.
* ``ex13.train``: the learner's ``train_mlp`` trains a small tanh network with their own ``Value`` on a
  course data set (moons, circles, XOR). Judged by the vectorised engine: an ``MLP`` with the same
  parameters trained by ``train_step`` and plain ``SGD``; E = 1/2 * sum of (t - y)^2 over all samples.

The model solutions live here as text (:data:`CODE`); ``scripts/make_exercises.py`` writes them into the
notebook and every misconception is a small text edit of them.
"""
from __future__ import annotations

import re

import numpy as np

from ... import datasets
from ...engine.value import Value
from . import draw
from ._nets import net_from, sgd_over_batches
from .worksheet import Worksheet
from ..checking.cases import Case
from ..checking.compare import compare_numbers
from ..checking.exercise import Exercise, Misconception
from ..sandbox.codec import DriverSpec

NOTEBOOK = "ex13_autograd"
FORBIDDEN = frozenset({"engine", "bc", "local_grads", "_topological_order", "micrograd", "torch", "autograd",
                       "jax", "sandbox", "drivers", "grading", "build_graph", "MLP", "SGD", "optim",
                       "train_step", "gradcheck", "datasets"})

# -- the model solutions (cells of the exercise notebook) ------------------------------------------------------
OPS_CODE = '''class Value:
    """A number that remembers how it was computed (micrograd's design: one closure per node)."""

    def __init__(self, data, _children=(), _op=""):
        self.data = float(data)
        self.grad = 0.0                     # d(output)/d(this node), filled in by the backward pass
        self._prev = tuple(_children)       # the operands this node was computed from
        self._op = _op                      # the operation's name, for printing
        self._backward = lambda: None       # an input has nothing to pass back

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)   # a plain number becomes a Value
        # BEGIN SOLUTION
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += 1.0 * out.grad       # d(a + b)/da = 1; += adds this path to the others
            other.grad += 1.0 * out.grad      # d(a + b)/db = 1
        out._backward = _backward
        return out
        # END SOLUTION

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        # BEGIN SOLUTION
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad    # d(a b)/da = b
            other.grad += self.data * out.grad    # d(a b)/db = a
        out._backward = _backward
        return out
        # END SOLUTION

    def __pow__(self, n):
        """self ** n for a plain number n (not a Value)."""
        # BEGIN SOLUTION
        out = Value(self.data ** n, (self,), f"**{n}")

        def _backward():
            self.grad += n * self.data ** (n - 1) * out.grad    # the power rule
        out._backward = _backward
        return out
        # END SOLUTION

    def tanh(self):
        # BEGIN SOLUTION
        t = float(np.tanh(self.data))
        out = Value(t, (self,), "tanh")

        def _backward():
            self.grad += (1.0 - t ** 2) * out.grad    # tanh' = 1 - tanh^2, from the OUTPUT t
        out._backward = _backward
        return out
        # END SOLUTION

    def exp(self):
        # BEGIN SOLUTION
        out = Value(float(np.exp(self.data)), (self,), "exp")

        def _backward():
            self.grad += out.data * out.grad    # (e^x)' = e^x, the output itself
        out._backward = _backward
        return out
        # END SOLUTION

    # Given: everything else is built from the five operations above.
    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-other)

    def __truediv__(self, other):
        return self * other ** -1.0

    def __radd__(self, other):              # 3 + v
        return self + other

    def __rmul__(self, other):              # 3 * v
        return self * other

    def __rsub__(self, other):              # 3 - v
        return (-self) + other

    def __rtruediv__(self, other):          # 3 / v
        return Value(other) * self ** -1.0

    def backward(self):
        """d(self)/d(node) into every node's grad: your backward_pass of exercise 13.2."""
        backward_pass(self)

    def __repr__(self):
        return f"Value(data={self.data:.4g}, grad={self.grad:.4g})"'''

BACKWARD_CODE = '''def backward_pass(root):
    """Fill node.grad with d(root)/d(node) for every node that root depends on."""
    # BEGIN SOLUTION
    # 1. A topological order (operands before the nodes built from them), with a stack of our own:
    #    a recursive search would stop at Python's recursion limit (about 1,000 nodes deep).
    order, visited = [], set()
    stack = [(root, False)]
    while stack:
        node, operands_done = stack.pop()
        if operands_done:
            order.append(node)                  # all its operands are in order already
        elif node not in visited:
            visited.add(node)                   # a node used twice is still visited once
            stack.append((node, True))          # come back to it after its operands
            for child in node._prev:
                if child not in visited:
                    stack.append((child, False))
    # 2. d(root)/d(root) = 1, then outputs before inputs: when a node passes its gradient on,
    #    every path through it has already delivered its share.
    root.grad = 1.0
    for node in reversed(order):
        node._backward()
    # END SOLUTION'''

TRAIN_CODE = '''def train_mlp(X, T, weights, biases, lr, steps):
    """Gradient descent with your own Value; returns the list of E values, one per step."""
    # BEGIN SOLUTION
    W = [[[Value(w) for w in row] for row in Wl] for Wl in weights]     # one Value per parameter
    B = [[Value(b) for b in bl] for bl in biases]
    params = [p for Wl in W for row in Wl for p in row] + [p for bl in B for p in bl]
    losses = []
    for _ in range(steps):
        E = Value(0.0)
        for x, t in zip(X, T):                                  # every sample: one forward pass
            a = [float(v) for v in x]
            for l, (Wl, bl) in enumerate(zip(W, B)):
                z = [sum((w * ak for w, ak in zip(row, a)), b) for row, b in zip(Wl, bl)]
                a = [zj.tanh() for zj in z] if l < len(W) - 1 else z    # tanh hidden, linear output
            for tj, yj in zip(t, a):
                E = E + (float(tj) - yj) ** 2
        E = E * 0.5                                             # E = 1/2 sum (t - y)^2
        losses.append(E.data)                                   # measured before the update
        for p in params:
            p.grad = 0.0                                        # the old step's gradients must go
        E.backward()
        for p in params:
            p.data -= lr * p.grad                               # downhill
    return losses
    # END SOLUTION'''

CODE = {"ex13.ops": OPS_CODE, "ex13.backward": BACKWARD_CODE, "ex13.train": TRAIN_CODE}
_MARKER = re.compile(r"^[ \t]*# (BEGIN|END) SOLUTION[^\n]*\n", re.M)


WORKSHEET = Worksheet(
    stem=NOTEBOOK,
    title="Exercises 13: your own autograd engine",
    lesson="13",
    intro="""Practice for lesson 13, the capstone. You build a small automatic-differentiation engine of
your own in the style of Andrej Karpathy's micrograd, in three pieces that are checked separately: the
class `Value` with its five operations (13.1), the backward pass that walks any graph in the right order
(13.2), and a training loop that fits a small network with your engine (13.3).

Your `Value` follows micrograd's design, which differs from `bc.Value` in one point: instead of storing
local gradients as numbers, each operation stores a small function `_backward` (a *closure*) that, when
called, adds this node's share of the gradient into its operands. Lesson 13 compares the two designs.

Exercise 13.3 uses your `Value` and your `backward_pass`: the grader runs the cells of 13.1 and 13.2
before the cell of 13.3 (and only for it). Do not use `bc` inside the exercise cells.""",
)

OPS_PROMPT = """### Exercise 13.1 - five operations, each with its backward closure

Complete the class `Value`. Each of `__add__`, `__mul__`, `__pow__` (a plain number exponent `n`), `tanh`
and `exp` must

1. compute the result and wrap it in a new `Value(result, (operands...), "op")`;
2. attach to that new node `out` a function `out._backward()` that **adds** (`+=`) *local gradient ×
   `out.grad`* into each operand's `grad`: 1 and 1 for `+`; the *other* factor for `*`; `n * a**(n-1)`
   for `a ** n`; `1 - t**2` with `t` the tanh *output*; `e**x` (the output) for `exp`;
3. return `out`.

The rest of the class (subtraction, division, the reflected forms such as `3 * v`) is given: it is
built from your five operations. The check makes one or two Values, applies one operation, sets
`out.grad` and calls `out._backward()` once, then compares `out.data` and the operands' gradients with
`bc.Value`. The operands' gradients may already hold a number (as if another path had delivered it), and
`a + a` and `a * a` use the same node twice: `+=` gets both right."""

BACKWARD_PROMPT = """### Exercise 13.2 - the backward pass, without recursion

Write `backward_pass(root)`, which fills `node.grad` with d(root)/d(node) for every node `root` depends on
(the method `Value.backward()` above calls it):

1. build a **topological order** of the graph (every node after its operands `node._prev`), each node
   once, **without recursion**: keep the nodes still to visit on a list of your own (Python stops a
   recursion about 1,000 calls deep, and the check uses chains of several thousand operations);
2. seed the output: the root's gradient is 1 (d root / d root);
3. call every node's `_backward` in the **reversed** order (the root first).

Do not reset the gradients (micrograd does not; the training loop of 13.3 does). The check builds random
expressions from correct micrograd-style nodes (so this exercise does not depend on your 13.1), runs your
function, reads the leaves' gradients, sets every gradient to 0 and runs it a second time: both passes
must agree with `bc.Value`."""

TRAIN_PROMPT = """### Exercise 13.3 - training a small network with your engine

Write `train_mlp(X, T, weights, biases, lr, steps)`: plain gradient descent on a fully connected network
built from your `Value`s.

- `weights[l]` has shape `(sizes[l+1], sizes[l])` (row j holds the weights *into* neuron j) and
  `biases[l]` shape `(sizes[l+1],)`; make one `Value` per entry, **once**, before the loop;
- every hidden layer is `tanh(W a + b)`, the output layer is linear: `W a + b`;
- each step: E = 1/2 sum (t - y)^2 over **all** samples and outputs, record `E.data`, set every
  parameter's `grad` to 0, call `E.backward()`, then move every weight and bias: `p.data -= lr * p.grad`.

Return the list of the `steps` values of E, each measured before its update. The check runs it on XOR,
moons and circles and compares the loss curve with the package's vectorised network (`bc.MLP`) trained
the same way."""

def solution(exercise_id: str) -> str:
    """The model solution of ``exercise_id`` as runnable source (markers removed)."""
    return _MARKER.sub("", CODE[exercise_id] + "\n")


def _edit(exercise_id: str, *edits: tuple[str, str], count: int = 1) -> str:
    source = solution(exercise_id)
    for old, new in edits:
        if old not in source:
            raise RuntimeError(f"the solution of {exercise_id} changed; update the edit {old!r}")
        source = source.replace(old, new) if count == 0 else source.replace(old, new, count)
    return source


# -- references (the package's own Value and MLP; never learner code) -----------------------------------------
def _apply(kind: str, a, x):
    """One operation on bc.Value nodes, named as the drivers name it."""
    if kind in ("add", "addc"):
        return a + x
    if kind in ("mul", "mulc"):
        return a * x
    if kind == "pow":
        return a ** x
    return a.tanh() if kind == "tanh" else a.exp()


def _ops(spec: DriverSpec) -> list:
    rows = []
    for kind, a, b, upstream, grad_a, grad_b in spec.params["items"]:
        A = Value(a)
        B = Value(b) if kind in ("add", "mul") else None
        if kind == "add_self":
            out = A + A
        elif kind == "mul_self":
            out = A * A
        else:
            out = _apply(kind, A, B if B is not None else b)
        # the local gradients bc.Value stored, summed over the operands that are A (A * A has two)
        new_a = grad_a + upstream * sum(g for c, g in zip(out._prev, out.local_grads) if c is A)
        new_b = grad_b + upstream * sum(g for c, g in zip(out._prev, out.local_grads) if c is B) if B else 0.0
        rows.append([out.data, new_a, new_b])
    return rows


def _graph(spec: DriverSpec) -> list:
    nodes = [Value(v) for v in spec.params["leaves"]]
    for row in spec.params["ops"]:
        kind = row[0]
        x = nodes[row[2]] if kind in ("add", "mul") else (row[2] if len(row) > 2 else None)
        nodes.append(_apply(kind, nodes[row[1]], x))
    nodes[-1].backward()
    grads = [v.grad for v in nodes[:len(spec.params["leaves"])]]
    return [grads] * (2 if spec.params.get("repeat") else 1)


def _train(X, T, weights, biases, lr, steps):
    n_layers = len(weights)
    net = net_from(weights, biases, ["tanh"] * (n_layers - 1) + ["linear"])
    everything = [np.arange(len(X))] * int(steps)            # full batch: every sample, every step
    return list(sgd_over_batches(net, X, T, lr, everything))


# -- cases ----------------------------------------------------------------------------------------------------
def _ops_items(rng: np.random.Generator) -> list:
    items = []
    for kind in ("add", "mul", "add_self", "mul_self", "addc", "mulc", "pow", "tanh", "exp"):
        a, b = draw.mixed(rng, 2, 0.3, 1.8)
        if kind == "pow":
            b = float(rng.choice([2.0, 3.0, -1.0, 0.5, 1.5]))
            a = abs(a) if b != int(b) else a            # a real power of a negative base needs a whole n
        upstream, grad_a, grad_b = draw.mixed(rng, 3, 0.4, 2.0)
        items.append([kind, float(a), float(b), float(upstream), float(grad_a), float(grad_b)])
    return items


OPS_HINT = ("each operation: compute out.data, then a _backward that ADDS (+=) local gradient * out.grad into "
            "each operand's grad: (1, 1) for +, (b, a) for *, n * a**(n-1) for a**n, 1 - t**2 with t the "
            "tanh OUTPUT, and e**x (the output) for exp")


def _ops_public():
    items = [["add", 2.0, -3.0, 1.5, 0.5, -0.25], ["mul", 2.0, -3.0, 1.5, 0.5, -0.25],
             ["add_self", 0.5, 0.0, 2.0, 0.0, 0.0], ["mul_self", -1.5, 0.0, 2.0, 0.0, 0.0],
             ["addc", 1.0, 4.0, -1.0, 0.0, 0.0], ["mulc", 1.0, 4.0, -1.0, 0.0, 0.0],
             ["pow", 2.0, 3.0, 0.5, 0.0, 0.0], ["tanh", 0.5, 0.0, 2.0, 0.0, 0.0], ["exp", 1.0, 0.0, 0.5, 0.0, 0.0]]
    text = "a+b, a*b, a+a, a*a, a+4, a*4, a**3, a.tanh(), a.exp(); out.grad = upstream; out._backward()"
    return [Case("public 1", (DriverSpec("ops", {"items": items}, text),))]


def _ops_hidden(rng):
    return [Case(f"hidden {i}", (DriverSpec("ops", {"items": _ops_items(rng)}),), True, OPS_HINT)
            for i in (1, 2, 3, 4)]


def _value(kind: str, a: float, x) -> float:
    if kind in ("add", "addc"):
        return a + x
    if kind in ("mul", "mulc"):
        return a * x
    if kind == "pow":
        return a ** x
    return float(np.tanh(a)) if kind == "tanh" else float(np.exp(a))


def _program(rng: np.random.Generator, depth: int) -> dict:
    """A random expression: a small tangle over the leaves with a reused node, a deep chain on top of it,
    and a root that uses the reused node again (reached at two very different depths)."""
    k = int(rng.integers(3, 6))
    vals = [float(v) for v in draw.mixed(rng, k, 0.3, 1.5)]
    ops: list = []

    def add(kind, i, x=None):
        value = _value(kind, vals[i], vals[x] if kind in ("add", "mul") else x)
        ops.append([kind, i] + ([x] if x is not None else []))
        vals.append(value)
        return len(vals) - 1

    shared = add("mul", 0, 1)                                   # a node that will be used again
    add("mul", 2, 2)                                            # a node times itself (x * x)
    for _ in range(int(rng.integers(5, 9))):
        i = int(rng.integers(max(0, len(vals) - 4), len(vals)))
        kind = str(rng.choice(["add", "mul", "addc", "mulc", "pow", "tanh", "exp"]))
        if abs(vals[i]) > 2.0 or (kind == "exp" and abs(vals[i]) > 1.5):
            kind = "tanh"                                       # keeps the numbers moderate
        if kind in ("add", "mul"):
            add(kind, i, int(rng.integers(0, len(vals))))
        elif kind in ("addc", "mulc"):
            add(kind, i, float(draw.mixed(rng, 1, 0.3, 1.5)[0]))
        elif kind == "pow":
            add(kind, i, float(rng.choice([2.0, 3.0])))
        else:
            add(kind, i)
    node = add("mul", len(vals) - 1, shared)                    # the shared node, used a second time
    for step in range(depth):                                   # the deep chain: slopes near +-1
        if step % 2:
            node = add("mulc", node, float(rng.choice([-1.0, 1.0]) * rng.uniform(0.999, 1.001)))
        else:
            node = add("addc", node, float(draw.mixed(rng, 1, 0.05, 0.5)[0]))
    node = add("tanh", add("mulc", node, 0.05))
    node = add("mul", node, shared)                             # and a third time, right under the root
    add("add", node, int(rng.integers(0, k)))
    return {"leaves": vals[:k], "ops": ops, "repeat": True}


BACKWARD_HINT = ("build the order with a stack of your own (deep graphs exceed the recursion limit), visit "
                 "each node once (a set of visited nodes, made fresh at every call), set root.grad = 1, then "
                 "call _backward() of every node from the root down (the REVERSED topological order)")


def _backward_public():
    params = {"leaves": [2.0, -3.0, 0.5],
              "ops": [["mul", 0, 1], ["add", 3, 2], ["mulc", 4, 0.2], ["tanh", 5], ["mul", 6, 3], ["add", 7, 0]],
              "repeat": True}
    text = "x0=2, x1=-3, x2=0.5; u = x0*x1; root = tanh(0.2*(u + x2))*u + x0; backward_pass twice, grads zeroed between"
    return [Case("public 1", (DriverSpec("graph", params, text),))]


def _backward_hidden(rng):
    depths = (2_000, 3_000, int(rng.integers(2_000, 5_001)), 5_000)
    return [Case(f"hidden {i}", (DriverSpec("graph", _program(rng, d)),), True, BACKWARD_HINT)
            for i, d in enumerate(depths, start=1)]


TRAIN_HINT = ("one Value per weight and bias, made once before the loop; each step: E = 1/2 sum (t - y)^2 "
              "over all samples (tanh hidden layers, linear output), record E.data, set every parameter's "
              "grad to 0, E.backward(), then p.data -= lr * p.grad for weights AND biases")


def _net_case(rng, X, T, sizes, lr, steps):
    weights = [draw.mixed(rng, (b, a), 0.2, 1.2) for a, b in zip(sizes[:-1], sizes[1:])]
    biases = [draw.mixed(rng, b, 0.1, 0.5) for b in sizes[1:]]
    return (np.asarray(X, dtype=float), np.asarray(T, dtype=float), weights, biases, float(lr), int(steps))


def _train_public():
    X, T = datasets.xor().X, datasets.xor().T
    weights = [np.array([[0.5, -0.4], [-0.3, 0.8], [0.7, 0.2]]), np.array([[0.6, -0.5, 0.4]])]
    biases = [np.array([0.1, -0.2, 0.05]), np.array([0.3])]
    return [Case("public 1", (X, T, weights, biases, 0.1, 5))]


def _train_hidden(rng):
    seed = int(rng.integers(0, 2**31))
    moons = datasets.moons(int(rng.integers(8, 13)), noise=0.1, seed=seed)
    circles = datasets.circles(int(rng.integers(8, 13)), noise=0.05, seed=seed + 1)
    xor = datasets.xor()
    return [
        Case("hidden 1", _net_case(rng, moons.X, moons.T, [2, int(rng.integers(3, 6)), 1], 0.1, 6), True, TRAIN_HINT),
        Case("hidden 2", _net_case(rng, circles.X, circles.T, [2, 4, 3, 1], 0.05, 6), True, TRAIN_HINT),
        Case("hidden 3", _net_case(rng, xor.X, xor.T, [2, 3, 1], 0.2, 8), True, TRAIN_HINT),
    ]


# -- misconceptions: the wrong code a learner would write -----------------------------------------------------
_L = "lesson 13"
OPS_MISCONCEPTIONS = (
    Misconception(
        "= instead of += in _backward",
        "A node used on two paths, or an operand that already received a gradient, must add the new share to "
        "what is there; assigning throws the other paths away.",
        f'{_L}, section 5 "A node used twice"',
        _edit("ex13.ops", (".grad += ", ".grad = "), count=0)),
    Misconception(
        "tanh slope from the input",
        "The slope of tanh is 1 - t**2 where t is tanh's OUTPUT; 1 - x**2 with the input x is another function.",
        f'{_L}, section 2 "Five operations, one closure each"',
        _edit("ex13.ops", ("(1.0 - t ** 2) * out.grad", "(1.0 - self.data ** 2) * out.grad"))),
    Misconception(
        "exp slope is the input",
        "e**x is its own derivative: the local gradient of exp is the output e**x, not the input x.",
        f'{_L}, section 2 "Five operations, one closure each"',
        _edit("ex13.ops", ("self.grad += out.data * out.grad", "self.grad += self.data * out.grad"))),
    Misconception(
        "power rule without lowering the exponent",
        "d(a**n)/da = n * a**(n-1): the exponent drops by one; n * a**n is off by a factor of a.",
        f'{_L}, section 2 "Five operations, one closure each"',
        _edit("ex13.ops", ("n * self.data ** (n - 1) * out.grad", "n * self.data ** n * out.grad"))),
    Misconception(
        "multiply gate's gradients swapped",
        "Each factor's gradient is the OTHER factor times the upstream gradient: d(a b)/da = b.",
        f'{_L}, section 2 "Five operations, one closure each"',
        _edit("ex13.ops", ("self.grad += other.data * out.grad", "self.grad += self.data * out.grad"),
              ("other.grad += self.data * out.grad", "other.grad += other.data * out.grad"))),
    Misconception(
        "upstream gradient left out (multiply)",
        "The chain rule multiplies the local gradient by the gradient arriving from above (out.grad); the "
        "local gradient alone is only right when out.grad happens to be 1.",
        f'{_L}, section 2 "Five operations, one closure each"',
        _edit("ex13.ops", ("self.grad += other.data * out.grad", "self.grad += other.data"),
              ("other.grad += self.data * out.grad", "other.grad += self.data"))),
)

_RECURSIVE = '''def backward_pass(root):
    order, visited = [], set()

    def visit(node):
        if node not in visited:
            visited.add(node)
            for child in node._prev:
                visit(child)
            order.append(node)
    visit(root)
    root.grad = 1.0
    for node in reversed(order):
        node._backward()
'''

_BREADTH_FIRST = '''def backward_pass(root):
    order, seen, queue = [], {root}, [root]
    while queue:
        node = queue.pop(0)
        order.append(node)
        for child in node._prev:
            if child not in seen:
                seen.add(child)
                queue.append(child)
    root.grad = 1.0
    for node in order:
        node._backward()
'''

BACKWARD_MISCONCEPTIONS = (
    Misconception(
        "recursive topological sort",
        "A recursive search needs one Python frame per level of the graph and stops at the recursion limit "
        "(about 1,000); keep the nodes still to visit on a list of your own instead.",
        f'{_L}, section 4 "A topological order without recursion"', _RECURSIVE),
    Misconception(
        "root gradient not seeded with 1",
        "The backward pass starts from d(root)/d(root) = 1; with root.grad left at 0 every product is 0.",
        f'{_L}, section 3 "The backward pass"',
        _edit("ex13.backward", ("    root.grad = 1.0\n", ""))),
    Misconception(
        "topological order not reversed",
        "A node may pass its gradient on only when it is complete, so the walk goes from the root down: "
        "the REVERSED topological order.",
        f'{_L}, section 3 "The backward pass"',
        _edit("ex13.backward", ("for node in reversed(order):", "for node in order:"))),
    Misconception(
        "no visited set: a shared node is processed twice",
        "Without remembering which nodes are in the order, a node reached along two paths appears twice and "
        "hands its gradient on twice.",
        f'{_L}, section 4 "A topological order without recursion"',
        _edit("ex13.backward", ("        elif node not in visited:\n", "        else:\n"),
              ("                if child not in visited:\n                    stack.append((child, False))",
               "                stack.append((child, False))"))),
    Misconception(
        "root-first order instead of a topological order",
        "Listing each node when it is first reached from the root (level by level, or depth-first before "
        "its operands) lets a node pass its gradient on before every path through it has delivered its "
        "share; only the reverse of a topological order (every node after its operands) guarantees it.",
        f'{_L}, section 4 "A topological order without recursion"', _BREADTH_FIRST),
    Misconception(
        "visited set kept between calls",
        "A default argument such as visited=set() is created once and shared by every call: the second "
        "backward pass finds every node visited and does nothing. Make the set inside the function.",
        f'{_L}, section 7 "Calling `backward()` twice"',
        _edit("ex13.backward", ("def backward_pass(root):", "def backward_pass(root, visited=set()):"),
              ("    order, visited = [], set()\n", "    order = []\n"))),
)


def _with_engine(train_source: str) -> str:
    """A whole wrong answer for the training exercise: the correct engine, then the edited train_mlp."""
    return solution("ex13.ops") + "\n\n" + solution("ex13.backward") + "\n\n" + train_source


TRAIN_MISCONCEPTIONS = (
    Misconception(
        "gradients not reset between steps",
        "backward_pass adds into .grad, so each step must set every parameter's grad to 0 first; otherwise "
        "the old steps' gradients are applied again.",
        f'{_L}, section 9 "Training a network with it"',
        _with_engine(_edit("ex13.train", ("            p.grad = 0.0  ", "            pass  ")))),
    Misconception(
        "steps uphill (sign flip)",
        "Gradient descent moves against the gradient: p.data -= lr * p.grad.",
        f'{_L}, section 9 "Training a network with it"',
        _with_engine(_edit("ex13.train", ("p.data -= lr * p.grad", "p.data += lr * p.grad")))),
    Misconception(
        "parameters rebuilt every step",
        "Values made from the initial arrays inside the loop start from the same numbers every step, so "
        "nothing is learned; make them once, before the loop, and update them in place.",
        f'{_L}, section 9 "Training a network with it"',
        _with_engine(_edit("ex13.train", ("    for _ in range(steps):\n        E = Value(0.0)\n",
                                          "    for _ in range(steps):\n"
                                          "        W = [[[Value(w) for w in row] for row in Wl] for Wl in weights]\n"
                                          "        B = [[Value(b) for b in bl] for bl in biases]\n"
                                          "        params = [p for Wl in W for row in Wl for p in row]"
                                          " + [p for bl in B for p in bl]\n"
                                          "        E = Value(0.0)\n")))),
    Misconception(
        "the 1/2 of E left out",
        "The course's error is E = 1/2 sum (t - y)^2; without the 1/2 every loss value and every gradient "
        "is twice as large, so each step is twice as long as the reference's.",
        f'{_L}, section 9 "Training a network with it"',
        _with_engine(_edit("ex13.train", ("E = E * 0.5", "E = E * 1.0")))),
    Misconception(
        "mean instead of the half sum",
        "The course's error is E = 1/2 sum (t - y)^2 over all samples; dividing by the number of samples "
        "changes both the loss and every gradient.",
        f'{_L}, section 9 "Training a network with it"',
        _with_engine(_edit("ex13.train", ("E = E * 0.5", "E = E * (1.0 / len(X))")))),
    Misconception(
        "biases never updated",
        "A bias is a parameter like a weight: it gets a gradient and takes a step too.",
        f'{_L}, section 9 "Training a network with it"',
        _with_engine(_edit("ex13.train", (" + [p for bl in B for p in bl]", "")))),
    Misconception(
        "tanh on the output layer too",
        "The network of the exercise has a linear output layer: tanh only on the hidden layers.",
        f'{_L}, section 9 "Training a network with it"',
        _with_engine(_edit("ex13.train", ("a = [zj.tanh() for zj in z] if l < len(W) - 1 else z",
                                          "a = [zj.tanh() for zj in z]")))),
)

EXERCISES = [
    Exercise(
        id="ex13.ops", function="Value", title="Value: + * ** tanh exp with backward closures", notebook=NOTEBOOK,
        prompt=OPS_PROMPT, solution=OPS_CODE,
        public=_ops_public, hidden=_ops_hidden, reference=_ops, forbidden=FORBIDDEN, points=2.0, hint=OPS_HINT,
        misconceptions=OPS_MISCONCEPTIONS,
    ),
    Exercise(
        id="ex13.backward", function="backward_pass", title="backward pass: iterative topological order",
        prompt=BACKWARD_PROMPT, solution=BACKWARD_CODE,
        notebook=NOTEBOOK, public=_backward_public, hidden=_backward_hidden, reference=_graph,
        forbidden=FORBIDDEN, points=2.0, hint=BACKWARD_HINT, misconceptions=BACKWARD_MISCONCEPTIONS,
        compare=lambda e, a: compare_numbers(e, a, rtol=1e-9, atol=1e-10),
    ),
    Exercise(
        id="ex13.train", function="train_mlp", title="training a small network with your engine",
        prompt=TRAIN_PROMPT, solution=TRAIN_CODE,
        notebook=NOTEBOOK, public=_train_public, hidden=_train_hidden, reference=_train, forbidden=FORBIDDEN,
        points=2.0, hint=TRAIN_HINT, misconceptions=TRAIN_MISCONCEPTIONS,
        compare=lambda e, a: compare_numbers(e, a, rtol=1e-7, atol=1e-9),
        requires=("ex13.ops", "ex13.backward"),
    ),
]
