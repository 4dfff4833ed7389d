"""Exercises of lesson 5 (the UFLDL guide): the chain rule along one path.

First the derivative of a composition of simple functions (a product of local derivatives, each taken at
the value that reaches it); then every weight and bias gradient of the UFLDL guide's chain of single sigmoid
neurons. The references never use the learner's recipe: a ``Value`` graph differentiates the
composition, and a 1-wide ``MLP`` backpropagates through the chain.
"""
from __future__ import annotations

import numpy as np

from ...engine import checks
from ...engine.mlp import MLP
from ...engine.value import Value
from . import draw
from ..checking.cases import Case
from ..checking.compare import compare_numbers
from ..checking.exercise import Exercise

NOTEBOOK = "ex05_chain"
FORBIDDEN = frozenset({"engine", "Value", "backward", "MLP", "sympy", "symbolic", "derive_chain",
                       "gradcheck", "torch", "autograd", "jax"})

#: The links a composition may have: name -> how a Value graph applies it (c is the step's constant).
_OPS = {
    "add": lambda v, c: v + c,
    "mul": lambda v, c: v * c,
    "sigmoid": lambda v, c: v.sigmoid(),
    "tanh": lambda v, c: v.tanh(),
    "exp": lambda v, c: v.exp(),
    "square": lambda v, c: v ** 2,
}


def _chain_derivative(x, steps):
    leaf = Value(float(x))
    out = leaf
    for step in steps:
        name = step[0]
        if name not in _OPS:
            raise checks.error("chain_derivative", "steps", f"links from {sorted(_OPS)}", repr(name),
                               must="name")
        out = _OPS[name](out, float(step[1]) if len(step) > 1 else None)
    out.backward()
    return (out.data, leaf.grad)


def _chain_gradients(x, y, W, b):
    W, b = np.asarray(W, dtype=float).reshape(-1), np.asarray(b, dtype=float).reshape(-1)
    net = MLP([1] * (W.size + 1), activation="sigmoid", seed=0)
    for l in range(W.size):
        net.weights[l][0, 0] = W[l]
        net.biases[l][0] = b[l]
    net.forward(np.array([float(x)]))
    g = net.backward(np.array([float(y)]))
    return (np.array([gw.item() for gw in g.weights]), np.array([gb.item() for gb in g.biases]))


DERIV_HINT = ("go forward once, keeping each link's local derivative at the value that ENTERS it; "
              "the derivative of the whole chain is the product of those local derivatives")
GRAD_HINT = ("delta = -(y - h) f'(z) at the output; for every neuron passed on the way back multiply by "
             "W f'(z); a weight's gradient takes one more factor (the activation it multiplies), a bias's not")

_NONLINEAR = ("sigmoid", "tanh", "exp", "square")


def _random_steps(rng, length):
    steps = []
    for _ in range(length):
        kind = str(rng.choice(["mul", "add", "nonlinear"]))
        if kind == "nonlinear":
            steps.append((str(rng.choice(_NONLINEAR)),))
        else:
            steps.append((kind, float(draw.mixed(rng, None, 0.3, 1.5))))
    return steps


def _tame(x, steps) -> bool:
    """A composition is usable when its value and slope are moderate (no overflow, no vanished slope)."""
    value, slope = _chain_derivative(x, steps)
    return bool(np.isfinite(value) and np.isfinite(slope) and abs(value) < 1e3 and 1e-4 < abs(slope) < 1e3)


def _deriv_hidden(rng):
    def draw_case(make):
        while True:
            x, steps = make()
            if _tame(x, steps):
                return (x, steps)

    def single():
        return float(draw.mixed(rng, None, 0.2, 1.5)), [(str(rng.choice(_NONLINEAR)),)]

    def neurons():  # a chain of neurons: w * u + b, then a sigmoid or tanh, one to three times
        steps = []
        for k in range(int(rng.integers(1, 4))):
            squash = "sigmoid" if k == 0 else str(rng.choice(["sigmoid", "tanh"]))
            steps += [("mul", float(draw.mixed(rng, None, 0.5, 2.0))), ("add", float(draw.mixed(rng, None, 0.1, 1.0))),
                      (squash,)]
        return float(draw.mixed(rng, None, 0.2, 2.0)), steps

    def mixture():
        steps = _random_steps(rng, int(rng.integers(3, 7)))
        steps.insert(int(rng.integers(0, 2)), ("add", float(draw.mixed(rng, None, 0.3, 1.0))))
        steps.append((str(rng.choice(_NONLINEAR)),))       # at least one link whose slope depends on its input
        return float(draw.mixed(rng, None, 0.2, 1.5)), steps

    makers = (single, neurons, mixture, mixture)
    return [Case(f"hidden {i}", draw_case(make), True, DERIV_HINT) for i, make in enumerate(makers, start=1)]


def _grad_hidden(rng):
    cases = []
    for i, depth in enumerate((1, int(rng.integers(2, 4)), int(rng.integers(3, 6))), start=1):
        W, b = draw.mixed(rng, depth, 0.4, 2.5), draw.mixed(rng, depth, 0.1, 1.0)
        x, y = float(draw.mixed(rng, None, 0.3, 2.0)), float(rng.uniform(0.05, 0.95))
        hint = ("one sigmoid neuron: dE/dw = -(t - a) a (1 - a) x and dE/db = -(t - a) a (1 - a)"
                if depth == 1 else GRAD_HINT)
        cases.append(Case(f"hidden {i}", (x, y, W, b), True, hint))
    return cases


LESSON_STEPS = [("mul", 0.8), ("add", -0.3), ("sigmoid",), ("mul", -1.2), ("add", 0.5), ("sigmoid",),
                ("mul", 1.6), ("add", -0.4), ("sigmoid",)]

EXERCISES = [
    Exercise(
        id="ex05.chain_derivative", function="chain_derivative", title="the derivative of a composition",
        notebook=NOTEBOOK,
        public=lambda: [Case("public 1", (2.0, [("mul", 3.0), ("add", 4.0)])),
                        Case("public 2", (1.5, [("mul", 0.8), ("add", -0.3), ("sigmoid",)])),
                        Case("public 3", (1.5, LESSON_STEPS))],
        hidden=_deriv_hidden, reference=_chain_derivative, forbidden=FORBIDDEN, points=2.0, hint=DERIV_HINT,
        compare=lambda e, a: compare_numbers(e, a, rtol=1e-9, atol=1e-12),
    ),
    Exercise(
        id="ex05.chain_gradients", function="chain_gradients", title="every gradient of a chain of neurons",
        notebook=NOTEBOOK,
        public=lambda: [Case("public 1", (1.5, 0.2, np.array([0.8, -1.2, 1.6]), np.array([-0.3, 0.5, -0.4])))],
        hidden=_grad_hidden, reference=_chain_gradients, forbidden=FORBIDDEN, points=2.0, hint=GRAD_HINT,
        compare=lambda e, a: compare_numbers(e, a, rtol=1e-9, atol=1e-12),
    ),
]
