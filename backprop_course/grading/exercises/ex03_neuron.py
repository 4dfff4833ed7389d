"""Exercises of lesson 3 (Backpropagation for dummies): the sigmoid, its derivative and one neuron's forward pass."""
from __future__ import annotations

import numpy as np

from ...engine.activations import get_activation
from ...engine.mlp import MLP
from . import draw
from .worksheet import Worksheet
from ..checking.cases import Case
from ..checking.exercise import Exercise
from ..checking.exercise import Misconception

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


L03_SIGMOID = 'lesson 03, section 2 "The sigmoid and its slope"'
L03_NEURON = 'lesson 03, section 1 "Two steps: weigh, then squash"'
_SAFE_SIGMOID = ("    e = np.exp(-np.abs(z))\n"
                 "    g = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))\n")

SIGMOID_MISCONCEPTIONS = (
    Misconception(
        "a sign flip in the exponent",
        "The sigmoid is 1 / (1 + exp(-z)), with a minus sign in the exponent; without it the curve is "
        "mirrored and falls where it should rise.", L03_SIGMOID,
        "def sigmoid(z):\n    return 1 / (1 + np.exp(z))\n"),
    Misconception(
        "tanh instead of the sigmoid",
        "tanh is the other S-shaped curve, with values between -1 and 1; the sigmoid stays between 0 and 1 "
        "and equals 1/2 at z = 0.", L03_SIGMOID,
        "def sigmoid(z):\n    return np.tanh(z)\n"),
    Misconception(
        "the tanh form without the half inside",
        "The sigmoid equals (1 + tanh(z / 2)) / 2: the argument of tanh is halved as well, not only the "
        "result.", L03_SIGMOID,
        "def sigmoid(z):\n    return 0.5 * (1 + np.tanh(z))\n"),
)

SIGMOID_PRIME_MISCONCEPTIONS = (
    Misconception(
        "the slope formula applied to z",
        "g(z) (1 - g(z)) takes the sigmoid's OUTPUT: compute a = g(z) first, then a (1 - a); z (1 - z) is "
        "the formula applied to the net input.", L03_SIGMOID,
        "def sigmoid_prime(z):\n    return z * (1 - z)\n"),
    Misconception(
        "g instead of g'",
        "This returns the sigmoid itself, not its slope; the slope is g(z) (1 - g(z)), largest (1/4) at "
        "z = 0 and near 0 far from it.", L03_SIGMOID,
        "def sigmoid_prime(z):\n" + _SAFE_SIGMOID + "    return g\n"),
    Misconception(
        "plus instead of minus",
        "The slope is g(z) (1 - g(z)): one minus the sigmoid, not one plus it.", L03_SIGMOID,
        "def sigmoid_prime(z):\n" + _SAFE_SIGMOID + "    return g * (1 + g)\n"),
    Misconception(
        "a sign flip",
        "The sigmoid only ever rises, so its slope is positive everywhere: g(z) (1 - g(z)) with no minus "
        "sign in front.", L03_SIGMOID,
        "def sigmoid_prime(z):\n" + _SAFE_SIGMOID + "    return -g * (1 - g)\n"),
    Misconception(
        "tanh's rule 1 - g^2",
        "1 - a^2 is the slope of tanh written with its output; the sigmoid's is a (1 - a).", L03_SIGMOID,
        "def sigmoid_prime(z):\n" + _SAFE_SIGMOID + "    return 1 - g ** 2\n"),
    Misconception(
        "the tanh form without the half inside",
        "With g(z) = (1 + tanh(z / 2)) / 2 the slope is (1 - tanh(z / 2)^2) / 4: the argument of tanh is "
        "halved too.", L03_SIGMOID,
        "def sigmoid_prime(z):\n    return (1 - np.tanh(z) ** 2) / 4\n"),
)

NEURON_MISCONCEPTIONS = (
    Misconception(
        "a forgotten bias",
        "The net input is the weighted sum PLUS the bias, X @ w + b; the bias shifts the point where the "
        "neuron switches on.", L03_NEURON,
        "def neuron_forward(w, X, b):\n    n = X @ w\n    return (n, 1 / (1 + np.exp(-n)))\n"),
    Misconception(
        "no activation",
        "A neuron has two steps: weigh (the net input), then squash it with the sigmoid; the activation "
        "returned here is the net input unchanged.", L03_NEURON,
        "def neuron_forward(w, X, b):\n    n = X @ w + b\n    return (n, n)\n"),
    Misconception(
        "a mean instead of a sum over the inputs",
        "The net input adds up the weighted inputs, sum_k w_k a_k; dividing by the number of inputs "
        "shrinks it.", L03_NEURON,
        "def neuron_forward(w, X, b):\n    n = np.mean(X * w, axis=1) + b\n    return (n, 1 / (1 + np.exp(-n)))\n"),
    Misconception(
        "the bias added after the activation",
        "The bias belongs inside the squashing: a = g(X @ w + b), not g(X @ w) + b (which can leave the "
        "range 0 to 1).", L03_NEURON,
        "def neuron_forward(w, X, b):\n    n = X @ w\n    return (n + b, 1 / (1 + np.exp(-n)) + b)\n"),
)

EXERCISES = [
    Exercise(
        id="ex03.sigmoid", function="sigmoid", title="the sigmoid function", notebook=NOTEBOOK,
        prompt=SIGMOID_PROMPT, solution=SIGMOID_SOLUTION,
        public=lambda: [Case("public 1", (np.array([-2.0, 0.0, 2.0]),)),
                        Case("public 2", (np.array([[1.0, -0.5], [3.0, -4.0]]),))],
        hidden=_hidden_z, reference=_sigmoid, forbidden=FORBIDDEN,
        hint="g(z) = 1 / (1 + exp(-z)) applied to every entry",
        misconceptions=SIGMOID_MISCONCEPTIONS,
    ),
    Exercise(
        id="ex03.sigmoid_prime", function="sigmoid_prime", title="the derivative of the sigmoid",
        prompt=SIGMOID_PRIME_PROMPT, solution=SIGMOID_PRIME_SOLUTION,
        notebook=NOTEBOOK,
        public=lambda: [Case("public 1", (np.array([-2.0, 0.0, 2.0]),)),
                        Case("public 2", (np.array([[1.0, -0.5], [3.0, -4.0]]),))],
        hidden=_hidden_prime, reference=_sigmoid_prime, forbidden=FORBIDDEN,
        hint="g'(z) = g(z) * (1 - g(z)): apply the formula to the activation g(z), not to z",
        misconceptions=SIGMOID_PRIME_MISCONCEPTIONS,
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
        misconceptions=NEURON_MISCONCEPTIONS,
    ),
]
