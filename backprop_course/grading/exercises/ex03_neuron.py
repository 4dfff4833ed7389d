"""Exercises of lesson 3 (Backpropagation for dummies): the sigmoid, its derivative and one neuron's forward pass."""
from __future__ import annotations

import numpy as np

from ...engine.activations import get_activation
from ...engine.mlp import MLP
from . import draw
from .worksheet import Worksheet
from ..checking.cases import Case
from ..checking.exercise import Exercise

NOTEBOOK = "ex03_neuron"
FORBIDDEN = frozenset({"engine", "activations", "get_activation", "ACTIVATIONS", "MLP", "expit",
                       "scipy", "torch", "forward"})

WORKSHEET = Worksheet(
    stem=NOTEBOOK,
    title="Exercises 3: the artificial neuron",
    lesson="03",
    intro="""Practice for lesson 3. A neuron forms the weighted sum of its inputs plus a bias (its
*net input*) and passes it through an activation function. Here the activation is the sigmoid
g(z) = 1 / (1 + e^(-z)), whose derivative can be written with its own output: g'(z) = g(z) (1 - g(z)).""",
)

SIGMOID_PROMPT = """### Exercise 3.1 - the sigmoid

Write `sigmoid(z)` for a numpy array `z` of any shape. Large inputs such as z = -800 must give values
near 0 (and +800 near 1) without NaN. Bonus: avoid overflow warnings too."""

SIGMOID_SOLUTION = '''def sigmoid(z):
    """The logistic sigmoid 1 / (1 + exp(-z)), entrywise; same shape as z."""
    # BEGIN SOLUTION
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))   # never overflows: the exponent is <= 0
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    # END SOLUTION'''

SIGMOID_PRIME_PROMPT = """### Exercise 3.2 - its derivative

Write `sigmoid_prime(z)`, the derivative g'(z), using the identity g' = g (1 - g). A classic slip is
to apply the formula to `z` instead of to `g(z)`. Keep the cell self-contained: compute the sigmoid
inside it."""

SIGMOID_PRIME_SOLUTION = '''def sigmoid_prime(z):
    """Derivative of the sigmoid at z, entrywise: g(z) * (1 - g(z))."""
    # BEGIN SOLUTION
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    g = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return g * (1.0 - g)
    # END SOLUTION'''

NEURON_FORWARD_PROMPT = """### Exercise 3.3 - one neuron, many samples

Write `neuron_forward(w, X, b)`: `w` holds the neuron's k weights (shape `(k,)`), each row of `X`
(shape `(n, k)`) is one sample of inputs, and `b` is the bias. Return the tuple `(net_input,
activation)`, both of shape `(n,)`: net input = sum over k of w_k x_k, plus b; activation = sigmoid of
it."""

NEURON_FORWARD_SOLUTION = '''def neuron_forward(w, X, b):
    """Net inputs (n,) and sigmoid activations (n,) of one neuron for the n rows of X (n, k)."""
    # BEGIN SOLUTION
    net_input = X @ w + b
    activation = 1.0 / (1.0 + np.exp(-net_input))
    return (net_input, activation)
    # END SOLUTION'''


def _sigmoid(z):
    return get_activation("sigmoid")(np.asarray(z, dtype=float))


def _sigmoid_prime(z):
    return get_activation("sigmoid").derivative(np.asarray(z, dtype=float))


def _neuron_forward(w, X, b):
    w = np.asarray(w, dtype=float)
    net = MLP([w.size, 1], activation="sigmoid", seed=0)
    net.weights[0][...] = w[None, :]
    net.biases[0][...] = b
    a = net.forward(np.asarray(X, dtype=float))
    return net.net_inputs[0][:, 0].copy(), a[:, 0].copy()


def _hidden_z(rng):
    return [
        Case("hidden 1", (draw.mixed(rng, draw.shape(rng)),), True,
             "use the logistic function 1 / (1 + exp(-z)), entrywise"),
        Case("hidden 2", (draw.saturated(rng, draw.shape(rng, 2)),), True,
             "large |z| must give values close to 0 or 1, without NaN"),
        Case("hidden 3", (np.array([float(draw.mixed(rng, None, 0.01, 0.3))]),), True,
             "a single value must work too"),
        Case("hidden 4", (draw.mixed(rng, draw.shape(rng, 2, 2, 6), 1.0, 6.0),), True,
             "return an array of the same shape as z"),
    ]


def _hidden_prime(rng):
    # The slope's own cases: moderate z on both sides, far-out z where the slope is small but still well
    # above the tolerance (so a sign flip or the sigmoid's own 0 or 1 is caught), z near 0 where the
    # slope is close to its peak 1/4, and a 2-D array.
    return [
        Case("hidden 1", (draw.mixed(rng, draw.shape(rng, 1, 3, 6), 0.3, 3.0),), True,
             "g'(z) = g(z) * (1 - g(z)) with g(z) = 1 / (1 + exp(-z)): apply it to g(z), not to z"),
        Case("hidden 2", (draw.mixed(rng, draw.shape(rng, 1, 3, 6), 4.0, 12.0),), True,
             "far from 0 the slope is small and positive on both sides (it tends to 0), and never NaN"),
        Case("hidden 3", (np.array([float(draw.mixed(rng, None, 0.01, 0.3))]),), True,
             "near z = 0 the slope is close to its largest value, 1/4; a single value must work too"),
        Case("hidden 4", (draw.mixed(rng, draw.shape(rng, 2, 2, 6), 1.0, 6.0),), True,
             "return an array of the same shape as z, the slope of every entry"),
    ]


def _neuron_hidden(rng):
    cases = []
    for i, n in enumerate((1, int(rng.integers(2, 7)), int(rng.integers(2, 7))), start=1):
        k = int(rng.integers(2, 6))
        b = float(draw.mixed(rng, None, 0.3, 1.5))
        cases.append(Case(f"hidden {i}", (draw.mixed(rng, k), draw.mixed(rng, (n, k), 0.1, 2.0), b), True,
                          "net input = X @ w + b for every sample (row of X); activation = sigmoid of it"))
    return cases


EXERCISES = [
    Exercise(
        id="ex03.sigmoid", function="sigmoid", title="the sigmoid function", notebook=NOTEBOOK,
        prompt=SIGMOID_PROMPT, solution=SIGMOID_SOLUTION,
        public=lambda: [Case("public 1", (np.array([-2.0, 0.0, 2.0]),)),
                        Case("public 2", (np.array([[1.0, -0.5], [3.0, -4.0]]),))],
        hidden=_hidden_z, reference=_sigmoid, forbidden=FORBIDDEN,
        hint="g(z) = 1 / (1 + exp(-z)) applied to every entry",
    ),
    Exercise(
        id="ex03.sigmoid_prime", function="sigmoid_prime", title="the derivative of the sigmoid",
        prompt=SIGMOID_PRIME_PROMPT, solution=SIGMOID_PRIME_SOLUTION,
        notebook=NOTEBOOK,
        public=lambda: [Case("public 1", (np.array([-2.0, 0.0, 2.0]),)),
                        Case("public 2", (np.array([[1.0, -0.5], [3.0, -4.0]]),))],
        hidden=_hidden_prime, reference=_sigmoid_prime, forbidden=FORBIDDEN,
        hint="g'(z) = g(z) * (1 - g(z)): apply the formula to the activation g(z), not to z",
    ),
    Exercise(
        id="ex03.neuron_forward", function="neuron_forward", title="one neuron's forward pass",
        prompt=NEURON_FORWARD_PROMPT, solution=NEURON_FORWARD_SOLUTION,
        notebook=NOTEBOOK,
        public=lambda: [Case("public 1", (np.array([0.5, -1.0]), np.array([[1.0, 2.0]]), 0.25)),
                        Case("public 2", (np.array([0.2, 0.4, -0.6]),
                                          np.array([[1.0, 0.5, -1.0], [-2.0, 1.0, 0.5]]), -0.1))],
        hidden=_neuron_hidden, reference=_neuron_forward, forbidden=FORBIDDEN,
        hint="in = sum_k w_k a_k + b for each sample, then a = g(in); return (in, a)",
    ),
]
