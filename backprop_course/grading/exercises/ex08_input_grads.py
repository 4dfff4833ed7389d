"""Exercises of lesson 8 (Gashler (2010), second part): gradients of the error with respect to the inputs.

Gashler's result dE/dy_0k = -sum_j e_1j w_1jk in the package's shapes: ``weights[0]`` is
``(sizes[1], sizes[0])`` (row j = destination node), error terms are ``(n_samples, neurons)`` and
Gashler's error term is ``e = -delta``. Every layer of the networks uses the sigmoid, with biases, and
the loss is E = 1/2 * sum over samples and outputs of (t - y)^2. The references are the engine's
``MLP.backward`` (``g.inputs``) and its ``loss``.
"""
from __future__ import annotations

import numpy as np

from ...engine.mlp import MLP
from . import draw
from .worksheet import Worksheet
from ..checking.cases import Case
from ..checking.exercise import Exercise
from ._nets import net_from

NOTEBOOK = "ex08_input_grads"
FORBIDDEN = frozenset({"engine", "MLP", "backward", "gradcheck", "Gradients", "numerical_gradient",
                       "symbolic", "derive_input_gradient", "get_activation", "torch", "autograd", "jax"})

WORKSHEET = Worksheet(
    stem=NOTEBOOK,
    title="Exercises 8: gradients with respect to the inputs",
    lesson="08",
    intro="""Practice for lesson 8. Gashler's second derivation ends in
dE/dy_0k = -sum_j e_1j w_1jk: the error terms of layer 1, weighted by the connections leaving input k.
Shapes follow the package: `weights[l]` has shape `(sizes[l+1], sizes[l])` (row j holds the weights
*into* node j of the layer above), activations and error terms are `(n_samples, neurons)`. Mind the
sign convention: Gashler's error term is e = -dE/d(net input), while the package (and lesson 6) use
delta = dE/d(net input), so e = -delta. Every layer uses the sigmoid and E = 1/2 sum (t - y)^2 over
samples and outputs.""",
)

INPUT_GRADIENT_PROMPT = """### Exercise 8.1 - one layer: from error terms to input gradients

Given Gashler's error terms of layer 1, `e` of shape `(n, m)` (one row per sample, one column per node
j of layer 1), and the weights `W` of shape `(m, k)` from the k inputs into those nodes, return
$\\partial E / \\partial y_{0k}$ for every sample and input, shape `(n, k)`:

$$\\frac{\\partial E}{\\partial y_{0k}} = -\\sum_j e_{1j}\\, w_{1jk}.$$

Write the sum as one matrix product. With `e = [[0.1, -0.2, 0.05]]` and
`W = [[0.4, -0.3], [0.2, 0.5], [-0.6, 0.1]]` the answer is `[[0.03, 0.125]]`."""

INPUT_GRADIENT_SOLUTION = '''def input_gradient(e, W):
    """dE/dY0 (n, k) from Gashler's error terms e (n, m) of layer 1 and its weights W (m, k)."""
    # BEGIN SOLUTION
    # sum over the nodes j of layer 1 of e_1j * w_1jk, for every sample (row) and input k (column),
    # and the minus sign because Gashler's e is -dE/d(net input)
    return -(e @ W)
    # END SOLUTION'''

NETWORK_INPUT_GRADIENT_PROMPT = """### Exercise 8.2 - dE/dX of a whole network

For a sigmoid network of any depth with biases (`weights[l]` of shape `(sizes[l+1], sizes[l])`,
`biases[l]` of shape `(sizes[l+1],)`), inputs `X` `(n, sizes[0])` and targets `T` `(n, sizes[-1])`,
return dE/dX with the shape of `X`. Run the forward pass (net input = A @ W.T + b, then the sigmoid),
backpropagate the error terms down to layer 1 as in lesson 6, and finish with exercise 8.1's product.
Note what the last step does *not* have: inputs have no activation function, so no factor g'.
Everything the function needs must be inside its cell."""

NETWORK_INPUT_GRADIENT_SOLUTION = '''def network_input_gradient(weights, biases, X, T):
    """dE/dX (shape of X) of E = 1/2 sum (T - Y)^2 for a sigmoid MLP with biases."""
    # BEGIN SOLUTION
    def sigmoid(z):
        e = np.exp(-np.abs(z))
        return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))

    activations = [X]                                   # forward, keeping every layer's output
    for W, b in zip(weights, biases):
        activations.append(sigmoid(activations[-1] @ W.T + b))
    Y = activations[-1]

    delta = -(T - Y) * Y * (1.0 - Y)                    # output error term (delta = -e)
    for l in range(len(weights) - 1, 0, -1):            # down to layer 1
        a = activations[l]
        delta = (delta @ weights[l]) * a * (1.0 - a)    # hidden error terms
    return delta @ weights[0]                           # -sum_j e_1j w_1jk: no g' at the inputs
    # END SOLUTION'''

NUDGE_TABLE_PROMPT = """### Exercise 8.3 - predicted and measured changes of the error

Lesson 8 nudged every pixel of a digit in turn and compared the change of E with the first-order
prediction $\\Delta E \\approx \\frac{\\partial E}{\\partial x_k} \\Delta x$. Do the same for one sample:
given the network (`weights`, `biases` as in 8.2), one input vector `x` of shape `(k,)`, its target `t`
of shape `(sizes[-1],)` and a step `dx` (a number, possibly negative), return the tuple
`(predicted, measured)`, two arrays of shape `(k,)`:

- `predicted[i]` = dE/dx_i * dx, with the input gradient from one backward pass;
- `measured[i]` = E(x with x_i increased by dx) - E(x), from forward passes, changing one input at a
  time (the others keep their values).

The cell is graded on its own, so it needs its own forward and backward pass (copy them from 8.2).
Afterwards, try a large `dx`: which entries stop agreeing, and why?"""

NUDGE_TABLE_SOLUTION = '''def nudge_table(weights, biases, x, t, dx):
    """(predicted, measured) changes of E when each input of the sample x (k,) moves by dx alone."""
    # BEGIN SOLUTION
    def sigmoid(z):
        e = np.exp(-np.abs(z))
        return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))

    def forward(X):
        activations = [X]
        for W, b in zip(weights, biases):
            activations.append(sigmoid(activations[-1] @ W.T + b))
        return activations

    def error(X):
        return 0.5 * np.sum((T - forward(X)[-1]) ** 2)

    X, T = x.reshape(1, -1), t.reshape(1, -1)           # one sample as a batch of one
    activations = forward(X)
    Y = activations[-1]
    delta = -(T - Y) * Y * (1.0 - Y)
    for l in range(len(weights) - 1, 0, -1):
        a = activations[l]
        delta = (delta @ weights[l]) * a * (1.0 - a)
    grad = (delta @ weights[0])[0]                      # dE/dx, shape (k,)

    E0 = error(X)
    measured = np.zeros_like(grad)
    for i in range(X.shape[1]):
        shifted = X.copy()                              # only input i moves
        shifted[0, i] += dx
        measured[i] = error(shifted) - E0
    return (grad * dx, measured)
    # END SOLUTION'''


def _input_gradient(e, weights):
    # Gashler: dE/dy_0k = -sum_j e_1j w_1jk. Reference by the engine: a linear layer with zero inputs
    # and zero biases outputs Y = 0, so targets T = e give delta = Y - T = -e, and g.inputs = delta @ W.
    e = np.asarray(e, dtype=float)
    W = np.asarray(weights, dtype=float)
    net = MLP([W.shape[1], W.shape[0]], activation="linear", seed=0)
    net.weights[0][...] = W
    net.biases[0][...] = 0.0
    net.forward(np.zeros((e.shape[0], W.shape[1])))
    return net.backward(e).inputs


def _net(weights, biases) -> MLP:
    return net_from(weights, biases)  # every layer sigmoid, with biases


def _network_input_gradient(weights, biases, X, T):
    net = _net(weights, biases)
    net.forward(np.asarray(X, dtype=float))
    return net.backward(np.asarray(T, dtype=float)).inputs


def _nudge_table(weights, biases, x, t, dx):
    # predicted: dE/dx_k * dx from one backward pass; measured: E(x + dx e_k) - E(x), one input at a time
    net = _net(weights, biases)
    X, T = np.asarray(x, dtype=float)[None, :], np.asarray(t, dtype=float)[None, :]
    net.forward(X)
    grad = net.backward(T).inputs[0]
    E0 = net.loss(X, T)
    measured = np.empty_like(grad)
    for k in range(X.shape[1]):
        shifted = X.copy()
        shifted[0, k] += dx
        measured[k] = net.loss(shifted, T) - E0
    return (grad * dx, measured)


IG_HINT = ("dE/dy_0k = -sum_j e_1j w_1jk: the minus sign, because e = -delta; as a matrix product "
           "-e @ W, with W of shape (nodes of layer 1, inputs)")
NET_HINT = ("forward with biases (Z = A @ W.T + b, then the sigmoid), output delta = -(T - Y) * Y(1 - Y), "
            "hidden delta_l = (delta_{l+1} @ W_{l+1}) * A(1 - A), and at the bottom dE/dX = delta_0 @ W_0 "
            "(no activation slope: inputs have none)")
NUDGE_HINT = ("predicted[k] = dE/dx_k * dx for the single sample; measured[k] = E(x with x_k + dx) - E(x), "
              "moving one input at a time and putting it back")


def _weights(rng, sizes, scale=1.0):
    return [draw.mixed(rng, (b, a), 0.2, 1.5) * scale for a, b in zip(sizes[:-1], sizes[1:])]


def _ig_hidden(rng):
    # Several samples (the public cases show one) and several inputs in every case, and a sum over
    # several nodes j in most: summing over the samples or transposing the result then fails.
    cases = []
    for i, n in enumerate(rng.integers(2, 6, size=3), start=1):
        m, k = draw.distinct_sizes(rng, 2, 2, 5)
        cases.append(Case(f"hidden {i}", (draw.mixed(rng, (int(n), m), 0.05, 0.8), draw.mixed(rng, (m, k), 0.2, 2.0)),
                          True, IG_HINT))
    return cases


def _network(rng, sizes, n, scale=1.0):
    weights = _weights(rng, sizes, scale)
    biases = [draw.mixed(rng, b, 0.1, 1.0) for b in sizes[1:]]
    X = draw.mixed(rng, (n, sizes[0]), 0.1, 2.0)
    T = rng.uniform(0.0, 1.0, size=(n, sizes[-1]))
    return weights, biases, X, T


def _net_hidden(rng):
    cases = []
    # Two or three weight layers in every net (one layer has no hidden error term to get wrong) and
    # several samples (the public case shows two), so hidden-layer and per-sample slips fail every case.
    plans = zip((3, 3, 4, 3), (int(n) for n in rng.integers(2, 6, size=4)))
    for i, (n_sizes, n) in enumerate(plans, start=1):
        sizes = draw.distinct_sizes(rng, n_sizes, 1, 5)
        scale = 4.0 if i == 4 else 1.0  # case 4: large weights saturate some hidden neurons
        cases.append(Case(f"hidden {i}", _network(rng, sizes, n, scale), True, NET_HINT))
    return cases


def _nudge_hidden(rng):
    cases = []
    for i, dx in enumerate((float(rng.uniform(1e-3, 1e-2)), float(rng.uniform(0.05, 0.2)),
                            -float(rng.uniform(0.05, 0.3))), start=1):
        sizes = draw.distinct_sizes(rng, int(rng.integers(3, 5)), 2, 5)  # at least one hidden layer
        weights, biases, X, T = _network(rng, sizes, 1)
        cases.append(Case(f"hidden {i}", (weights, biases, X[0], T[0], dx), True, NUDGE_HINT))
    return cases


# A worked public case: 2 inputs, 3 nodes in layer 1.
_PUBLIC_E = np.array([[0.1, -0.2, 0.05]])
_PUBLIC_W = np.array([[0.4, -0.3], [0.2, 0.5], [-0.6, 0.1]])
_PUBLIC_NET = (
    [np.array([[0.1, -0.2], [0.4, 0.3], [-0.5, 0.2]]), np.array([[0.3, -0.6, 0.9]])],
    [np.array([0.1, -0.1, 0.2]), np.array([-0.3])],
    np.array([[1.0, 2.0], [-0.5, 0.25]]),
    np.array([[0.5], [1.0]]),
)

# -- misconceptions: the wrong functions a learner writes, run on the same cases ------------------------------
from ..checking.exercise import Misconception  # noqa: E402 - kept next to the catalogue it builds
from ._edits import edited as _edit  # noqa: E402

_L8_SAME = 'lesson 08, section 1 "The same derivation, a different target"'
_L8_NUMBERS = 'lesson 08, section 2 "Checking it with numbers"'
_L8_PREDICT = 'lesson 08, "The first-order prediction"'

# The model solution of 8.2 (without its comments); the network misconceptions are small edits of it.
_NET_SOURCE = """def network_input_gradient(weights, biases, X, T):
    def sigmoid(z):
        return 1.0 / (1.0 + np.exp(-z))

    activations = [X]
    for W, b in zip(weights, biases):
        activations.append(sigmoid(activations[-1] @ W.T + b))
    Y = activations[-1]
    delta = -(T - Y) * Y * (1.0 - Y)
    for l in range(len(weights) - 1, 0, -1):
        a = activations[l]
        delta = (delta @ weights[l]) * a * (1.0 - a)
    return delta @ weights[0]
"""

# The model solution of 8.3 (without its comments).
_NUDGE_SOURCE = """def nudge_table(weights, biases, x, t, dx):
    def sigmoid(z):
        return 1.0 / (1.0 + np.exp(-z))

    def forward(X):
        activations = [X]
        for W, b in zip(weights, biases):
            activations.append(sigmoid(activations[-1] @ W.T + b))
        return activations

    def error(X):
        return 0.5 * np.sum((T - forward(X)[-1]) ** 2)

    X, T = x.reshape(1, -1), t.reshape(1, -1)
    activations = forward(X)
    Y = activations[-1]
    delta = -(T - Y) * Y * (1.0 - Y)
    for l in range(len(weights) - 1, 0, -1):
        a = activations[l]
        delta = (delta @ weights[l]) * a * (1.0 - a)
    grad = (delta @ weights[0])[0]
    E0 = error(X)
    measured = np.zeros_like(grad)
    for i in range(X.shape[1]):
        shifted = X.copy()
        shifted[0, i] += dx
        measured[i] = error(shifted) - E0
    return (grad * dx, measured)
"""


IG_MISCONCEPTIONS = (
    Misconception(
        "sign flip (e used as delta)",
        "Gashler's error term is e = -dE/d(net input), the opposite sign of lesson 06's delta; with e the "
        "input gradient carries a minus sign, -sum_j e_1j w_1jk.",
        _L8_SAME, "def input_gradient(e, W):\n    return e @ W\n"),
    Misconception(
        "transposed result",
        "The product came out as (inputs, samples): each row of the answer belongs to one sample, each "
        "column to one input, as in X. Multiply e (n, m) by W (m, k) in that order.",
        _L8_SAME, "def input_gradient(e, W):\n    return -(W.T @ e.T)\n"),
    Misconception(
        "summed over the samples",
        "Every sample has its own input gradient: the sum runs over the nodes j of layer 1, not over the "
        "samples, so the answer keeps one row per sample.",
        _L8_SAME, "def input_gradient(e, W):\n    return -(e.sum(axis=0, keepdims=True) @ W)\n"),
    Misconception(
        "product of sums instead of sum of products",
        "Input k collects e_1j * w_1jk node by node and then adds up: a sum of products, which is one "
        "matrix product, not the sum of the e's times the sum of the weights.",
        _L8_SAME, "def input_gradient(e, W):\n    return -(e.sum(axis=1, keepdims=True) * W.sum(axis=0))\n"),
)

NET_MISCONCEPTIONS = (
    Misconception(
        "extra g' at the inputs",
        "An input has no activation function, so the last step dE/dX = delta_1 @ W_0 has no slope factor; "
        "multiplying by X (1 - X) treats the inputs as if they were sigmoid outputs.",
        _L8_SAME, _edit(_NET_SOURCE, ("return delta @ weights[0]", "return (delta @ weights[0]) * X * (1.0 - X)"))),
    Misconception(
        "missing f' in hidden layers",
        "Passing an error term down through a hidden layer multiplies by that layer's slope a (1 - a); "
        "without it the error terms below the output are wrong.",
        _L8_NUMBERS, _edit(_NET_SOURCE, ("delta = (delta @ weights[l]) * a * (1.0 - a)",
                                         "delta = delta @ weights[l]"))),
    Misconception(
        "sign flip",
        "With E = 1/2 (t - y)^2, dE/dy = -(t - y) = y - t; dropping that minus turns every gradient around.",
        _L8_NUMBERS, _edit(_NET_SOURCE, ("delta = -(T - Y) * Y * (1.0 - Y)", "delta = (T - Y) * Y * (1.0 - Y)"))),
    Misconception(
        "mean over samples",
        "E is a sum over the samples, and each sample's inputs affect only its own term: there is nothing "
        "to divide by the number of samples.",
        _L8_NUMBERS, _edit(_NET_SOURCE, ("return delta @ weights[0]", "return delta @ weights[0] / len(X)"))),
    Misconception(
        "forgotten bias in the forward pass",
        "Every layer's net input is A @ W.T + b: without the biases the forward pass, and so every error "
        "term, belongs to a different network.",
        _L8_NUMBERS, _edit(_NET_SOURCE, ("activations[-1] @ W.T + b", "activations[-1] @ W.T"))),
)

NUDGE_MISCONCEPTIONS = (
    Misconception(
        "all inputs moved at once",
        "The measured change of entry i must move input i alone; moving every input together measures the "
        "combined effect of all of them.",
        _L8_PREDICT, _edit(_NUDGE_SOURCE, ("shifted[0, i] += dx", "shifted[0, :] += dx"))),
    Misconception(
        "prediction without the step",
        "The first-order prediction is the slope times the step, dE/dx_i * dx: the gradient alone is a rate, "
        "not a change of E.",
        _L8_PREDICT, _edit(_NUDGE_SOURCE, ("return (grad * dx, measured)", "return (grad, measured)"))),
    Misconception(
        "prediction with the wrong sign",
        "Moving x_i by dx changes E by about +dE/dx_i * dx; the minus sign belongs to a descent step, not "
        "to the prediction.",
        _L8_PREDICT, _edit(_NUDGE_SOURCE, ("return (grad * dx, measured)", "return (-grad * dx, measured)"))),
    Misconception(
        "input not put back (cumulative nudges)",
        "Without a fresh copy, each nudge stays in the input and the next entry is measured from a moved "
        "point; copy x before every nudge.",
        _L8_PREDICT, _edit(_NUDGE_SOURCE, ("shifted = X.copy()", "shifted = X"))),
    Misconception(
        "missing f' in hidden layers",
        "The predicted column uses the backward pass: each hidden layer multiplies the error term by its "
        "slope a (1 - a), or the prediction misses what the measurement sees.",
        _L8_NUMBERS, _edit(_NUDGE_SOURCE, ("delta = (delta @ weights[l]) * a * (1.0 - a)",
                                           "delta = delta @ weights[l]"))),
)

EXERCISES = [
    Exercise(
        id="ex08.input_gradient", function="input_gradient", title="input gradient from the error terms",
        prompt=INPUT_GRADIENT_PROMPT, solution=INPUT_GRADIENT_SOLUTION,
        notebook=NOTEBOOK,
        public=lambda: [Case("public 1", (_PUBLIC_E, _PUBLIC_W)),
                        Case("public 2", (np.vstack([_PUBLIC_E, [[-0.3, 0.0, 0.2]]]), _PUBLIC_W))],
        hidden=_ig_hidden, reference=_input_gradient, forbidden=FORBIDDEN, hint=IG_HINT,
        misconceptions=IG_MISCONCEPTIONS,
    ),
    Exercise(
        id="ex08.network_input_gradient", function="network_input_gradient",
        prompt=NETWORK_INPUT_GRADIENT_PROMPT, solution=NETWORK_INPUT_GRADIENT_SOLUTION,
        title="dE/dX of a whole sigmoid network", notebook=NOTEBOOK,
        public=lambda: [Case("public 1", _PUBLIC_NET)],
        hidden=_net_hidden, reference=_network_input_gradient, forbidden=FORBIDDEN, points=2.0, hint=NET_HINT,
        misconceptions=NET_MISCONCEPTIONS,
    ),
    Exercise(
        id="ex08.nudge_table", function="nudge_table", title="predicted and measured changes of E",
        prompt=NUDGE_TABLE_PROMPT, solution=NUDGE_TABLE_SOLUTION,
        notebook=NOTEBOOK,
        public=lambda: [Case("public 1", (_PUBLIC_NET[0], _PUBLIC_NET[1], _PUBLIC_NET[2][1], _PUBLIC_NET[3][1], 0.1))],
        hidden=_nudge_hidden, reference=_nudge_table, forbidden=FORBIDDEN, points=2.0, hint=NUDGE_HINT,
        misconceptions=NUDGE_MISCONCEPTIONS,
    ),
]
