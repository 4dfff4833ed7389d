"""Exercises of lesson 2 (the 2017 note): a computational graph by hand, and the backward of two gates."""
from __future__ import annotations

import numpy as np

from ...engine.value import Value
from . import draw
from .worksheet import Worksheet
from ..checking.cases import Case
from ..checking.exercise import Exercise
from ..checking.exercise import Misconception

NOTEBOOK = "ex02_graphs"
FORBIDDEN = frozenset({"engine", "Value", "backward", "trace", "torch", "autograd", "jax"})

WORKSHEET = Worksheet(
    stem=NOTEBOOK,
    title="Exercises 2: computational graphs by hand",
    lesson="02",
    intro="""Practice for lesson 2. You will redo the small graph of the lesson by hand, with
numbers, and then write the backward step of the two gates it is made of: an add gate and a multiply
gate. Every backward step has the same shape: the gradient arriving from above (the *upstream*
gradient) times the *local* gradient the gate stored on the way forward.""",
)

GRAPH_PROMPT = """### Exercise 2.1 - the graph q = x + y, f = q * z

Write `graph_forward_backward(x, y, z)` returning the tuple `(q, f, df_dx, df_dy, df_dz)` for the graph
of the lesson: first the forward pass (q, then f), then the backward pass with the chain rule. Use plain
arithmetic, not `bc.Value`. With x = -2, y = 5, z = -4 you should get q = 3, f = -12, and gradients
-4, -4 and 3."""

GRAPH_SOLUTION = '''def graph_forward_backward(x, y, z):
    """Forward and backward pass of f = (x + y) * z.

    Returns (q, f, df/dx, df/dy, df/dz) as floats.
    """
    # BEGIN SOLUTION
    q = x + y              # forward: the add gate
    f = q * z              # forward: the multiply gate
    df_dq = z              # local gradient of f with respect to q
    df_dz = q              # local gradient of f with respect to z
    df_dx = df_dq * 1.0    # chain rule through the add gate (its local gradients are 1)
    df_dy = df_dq * 1.0
    return (q, f, df_dx, df_dy, df_dz)
    # END SOLUTION'''

ADD_GATE_PROMPT = """### Exercise 2.2 - backward of an add gate

An add gate computes `out = x + y`. Given its inputs and the upstream gradient `dL/dout`, return
`(dL/dx, dL/dy)`. The inputs may be numbers or numpy arrays of one shape (work entry by entry)."""

ADD_GATE_SOLUTION = '''def add_gate_backward(x, y, upstream):
    """Gradients (dL/dx, dL/dy) of an add gate out = x + y, given dL/dout = upstream."""
    # BEGIN SOLUTION
    # d(out)/dx = d(out)/dy = 1: the gate hands the upstream gradient to both inputs unchanged
    return (upstream * 1.0, upstream * 1.0)
    # END SOLUTION'''

MUL_GATE_PROMPT = """### Exercise 2.3 - backward of a multiply gate

A multiply gate computes `out = x * y`. Return `(dL/dx, dL/dy)` given its inputs and `upstream =
dL/dout`, entry by entry for arrays. Think about which input each local gradient is."""

MUL_GATE_SOLUTION = '''def mul_gate_backward(x, y, upstream):
    """Gradients (dL/dx, dL/dy) of a multiply gate out = x * y, given dL/dout = upstream."""
    # BEGIN SOLUTION
    # d(out)/dx = y and d(out)/dy = x: each input receives the OTHER input times upstream
    return (upstream * y, upstream * x)
    # END SOLUTION'''


def _graph(x, y, z):
    # the 2017 note's graph through the engine: q = x + y, f = q * z
    xv, yv, zv = Value(float(x), label="x"), Value(float(y), label="y"), Value(float(z), label="z")
    q = xv + yv
    f = q * zv
    f.backward()
    return (q.data, f.data, xv.grad, yv.grad, zv.grad)


def _gate(op):
    def backward_of(x, y, upstream):
        """dL/dx and dL/dy of out = x (op) y, entry by entry, by the engine's backward pass."""
        x, y, up = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (x, y, upstream)))
        dx, dy = np.empty(x.shape), np.empty(x.shape)
        for idx in np.ndindex(x.shape):
            a, b = Value(float(x[idx])), Value(float(y[idx]))
            out = (a + b) if op == "+" else (a * b)
            (out * float(up[idx])).backward()  # L = upstream * out, so dL/dout = upstream
            dx[idx], dy[idx] = a.grad, b.grad
        if dx.ndim == 0:
            return (float(dx), float(dy))
        return (dx, dy)
    return backward_of


def _graph_hidden(rng):
    return [Case(f"hidden {i}", tuple(float(v) for v in draw.mixed(rng, 3, 0.5, 9.0)), True,
                 "q = x + y, f = q * z; then df/dz = q and df/dx = df/dy = z")
            for i in range(1, 5)]


def _gate_hidden(hint):
    def hidden(rng):
        cases = [Case("hidden 1", tuple(float(v) for v in draw.mixed(rng, 3, 0.5, 5.0)), True, hint)]
        for i in (2, 3, 4):
            shp = draw.shape(rng)
            cases.append(Case(f"hidden {i}", (draw.mixed(rng, shp, 0.5, 5.0), draw.mixed(rng, shp, 0.5, 5.0),
                                              draw.mixed(rng, shp, 0.5, 3.0)), True, hint))
        return cases
    return hidden


ADD_HINT = "an add gate passes the upstream gradient to both inputs unchanged (local gradients 1 and 1)"
MUL_HINT = "a multiply gate swaps its inputs: dL/dx = upstream * y and dL/dy = upstream * x"

L02_BACKWARD = 'lesson 02, section 4 "The backward pass"'
L02_LOCAL = 'lesson 02, section 3 "The forward pass stores local gradients"'

GRAPH_MISCONCEPTIONS = (
    Misconception(
        "df/dz taken as z",
        "The local gradient of a multiply gate with respect to one input is the OTHER input: "
        "df/dz is q = x + y, not z itself.", L02_LOCAL,
        "def graph_forward_backward(x, y, z):\n    q = x + y\n    return (q, q * z, z, z, z)\n"),
    Misconception(
        "the multiply gate's gradients swapped",
        "For f = q * z, df/dq = z and df/dz = q; here they are the wrong way round, so x and y got q "
        "and z got z.", L02_LOCAL,
        "def graph_forward_backward(x, y, z):\n    q = x + y\n    return (q, q * z, q, q, z)\n"),
    Misconception(
        "local gradients without the chain rule",
        "The add gate's local gradients are 1, but df/dx multiplies them by the gradient arriving "
        "from above, df/dq = z: each gradient is local times upstream.", L02_BACKWARD,
        "def graph_forward_backward(x, y, z):\n    q = x + y\n    return (q, q * z, 1.0, 1.0, q)\n"),
    Misconception(
        "every gradient with the wrong sign",
        "The gradients are those of -f: a gradient says how f itself changes when an input grows, "
        "so no minus sign enters a plus or times gate.", L02_BACKWARD,
        "def graph_forward_backward(x, y, z):\n    q = x + y\n    return (q, q * z, -z, -z, -q)\n"),
)

ADD_MISCONCEPTIONS = (
    Misconception(
        "the upstream gradient ignored",
        "1 is only the add gate's local gradient; the chain rule multiplies it by the upstream "
        "gradient dL/dout, so each input receives upstream itself.", L02_BACKWARD,
        "def add_gate_backward(x, y, upstream):\n    return (1.0 + 0 * x, 1.0 + 0 * y)\n"),
    Misconception(
        "the add gate treated as a multiply gate",
        "Swapping the inputs is the multiply gate's rule; an add gate's local gradients are 1 and 1, "
        "whatever x and y are.", L02_LOCAL,
        "def add_gate_backward(x, y, upstream):\n    return (upstream * y, upstream * x)\n"),
    Misconception(
        "the gradient split between the inputs",
        "An add gate does not share the gradient out: each input gets ALL of it, because nudging "
        "either input moves the output by the same amount.", L02_LOCAL,
        "def add_gate_backward(x, y, upstream):\n    return (upstream / 2, upstream / 2)\n"),
    Misconception(
        "a minus sign on the second input (a subtract gate)",
        "out = x + y grows with y as much as with x: both local gradients are +1 (only x - y "
        "would give -1 to y).", L02_LOCAL,
        "def add_gate_backward(x, y, upstream):\n    return (upstream * 1.0, -upstream)\n"),
)

MUL_MISCONCEPTIONS = (
    Misconception(
        "the inputs not swapped",
        "d(x * y)/dx is y, not x: each input's gradient is the upstream gradient times the OTHER input.",
        L02_LOCAL,
        "def mul_gate_backward(x, y, upstream):\n    return (upstream * x, upstream * y)\n"),
    Misconception(
        "the upstream gradient ignored",
        "y and x are only the local gradients; the chain rule multiplies each by the gradient "
        "arriving from above, dL/dout.", L02_BACKWARD,
        "def mul_gate_backward(x, y, upstream):\n    return (y * 1.0, x * 1.0)\n"),
    Misconception(
        "the multiply gate treated as an add gate",
        "Passing the upstream gradient through unchanged is the add gate's rule; a multiply gate "
        "scales it by the other input.", L02_LOCAL,
        "def mul_gate_backward(x, y, upstream):\n    return (upstream * 1.0, upstream * 1.0)\n"),
    Misconception(
        "upstream added instead of multiplied",
        "The chain rule multiplies: dL/dx = dL/dout * dout/dx. Adding the upstream gradient to the "
        "local one has no meaning.", L02_BACKWARD,
        "def mul_gate_backward(x, y, upstream):\n    return (upstream + y, upstream + x)\n"),
)

EXERCISES = [
    Exercise(
        id="ex02.graph", function="graph_forward_backward", title="the 2017 note's graph by hand",
        prompt=GRAPH_PROMPT, solution=GRAPH_SOLUTION,
        notebook=NOTEBOOK,
        public=lambda: [Case("public 1", (-2.0, 5.0, -4.0)), Case("public 2", (1.0, 2.0, 3.0))],
        hidden=_graph_hidden, reference=_graph, forbidden=FORBIDDEN,
        hint="return (q, f, df/dx, df/dy, df/dz) with q = x + y and f = q * z",
        misconceptions=GRAPH_MISCONCEPTIONS,
    ),
    Exercise(
        id="ex02.add_gate", function="add_gate_backward", title="backward of an add gate",
        prompt=ADD_GATE_PROMPT, solution=ADD_GATE_SOLUTION,
        notebook=NOTEBOOK,
        public=lambda: [Case("public 1", (-2.0, 5.0, -4.0)),
                        Case("public 2", (np.array([1.0, -3.0]), np.array([2.0, 0.5]), np.array([0.5, -2.0])))],
        hidden=_gate_hidden(ADD_HINT), reference=_gate("+"), forbidden=FORBIDDEN, hint=ADD_HINT,
        misconceptions=ADD_MISCONCEPTIONS,
    ),
    Exercise(
        id="ex02.mul_gate", function="mul_gate_backward", title="backward of a multiply gate",
        prompt=MUL_GATE_PROMPT, solution=MUL_GATE_SOLUTION,
        notebook=NOTEBOOK,
        public=lambda: [Case("public 1", (3.0, -4.0, 1.0)),
                        Case("public 2", (np.array([1.0, -3.0]), np.array([2.0, 0.5]), np.array([0.5, -2.0])))],
        hidden=_gate_hidden(MUL_HINT), reference=_gate("*"), forbidden=FORBIDDEN, hint=MUL_HINT,
        misconceptions=MUL_MISCONCEPTIONS,
    ),
]
