"""Exercises of lesson 6 (the 2017 note, Backpropagation for dummies and the UFLDL guide): error terms, weight gradients, a whole backward pass.

Shapes follow the package: ``weights[l]`` is ``(sizes[l+1], sizes[l])`` (row = destination neuron),
activations and error terms are ``(n_samples, neurons)``. Every layer uses the sigmoid and the loss is
the seeds' E = 1/2 * sum over samples and outputs of (t - y)^2.
"""
from __future__ import annotations

import numpy as np

from ...engine.activations import get_activation
from ...engine.mlp import MLP
from . import draw
from .worksheet import Worksheet
from ..checking.cases import Case
from ..checking.exercise import Exercise
from ..checking.exercise import Misconception
from ._nets import net_from

NOTEBOOK = "ex06_backprop"
FORBIDDEN = frozenset({"engine", "MLP", "backward", "gradcheck", "Gradients", "torch", "autograd",
                       "jax", "get_activation", "numerical_gradient"})

WORKSHEET = Worksheet(
    stem=NOTEBOOK,
    title="Exercises 6: backpropagation in a network",
    lesson="06",
    intro="""Practice for lesson 6. Shapes follow the package: a layer's weight matrix `W` has shape
`(neurons in this layer, neurons in the layer below)`, so row j holds the weights *into* neuron j;
activations and error terms are `(n_samples, neurons)` arrays, one row per sample. Every neuron uses
the sigmoid, and the error is E = 1/2 sum (t - y)^2 over samples and outputs. The *error term* (delta)
of a neuron is dE/d(net input).""",
)

OUTPUT_DELTA_PROMPT = """### Exercise 6.1 - error term of the output neurons

For output neurons with activations `a` and targets `t` (both `(n, m)`), return
$\\partial E / \\partial\\, in_i$: the derivative of $E$ with respect to the output, $-(t_i - a_i)$
("Backpropagation for dummies", eq. (11)), times the sigmoid's slope $a_i (1 - a_i)$."""

OUTPUT_DELTA_SOLUTION = '''def output_delta(a, t):
    """Error terms dE/d(net input) of sigmoid output neurons; a, t and the result are (n, m)."""
    # BEGIN SOLUTION
    return -(t - a) * a * (1.0 - a)
    # END SOLUTION'''

HIDDEN_DELTA_PROMPT = """### Exercise 6.2 - error term of hidden neurons

A hidden neuron influences E through every neuron it feeds. Given its activations `a` `(n, h)`, the
weights of the next layer `weights_next` `(m, h)` and the next layer's error terms `delta_next`
`(n, m)`, return the hidden error terms `(n, h)`:

$$\\delta_i = a_i (1 - a_i) \\sum_k w_{ki}\\, \\delta_k$$

(the blog post's eqs. (9) and (13) combined, with $\\delta = \\partial E / \\partial\\, in$). Write the sum as one matrix product."""

HIDDEN_DELTA_SOLUTION = '''def hidden_delta(a, weights_next, delta_next):
    """Error terms (n, h) of sigmoid hidden neurons from the next layer's weights (m, h) and deltas (n, m)."""
    # BEGIN SOLUTION
    return (delta_next @ weights_next) * a * (1.0 - a)
    # END SOLUTION'''

WEIGHT_GRADIENT_PROMPT = """### Exercise 6.3 - weight gradients

The gradient of E with respect to the weight from neuron j (below) to neuron i (above) is the error
term of i times the activation of j, added up over the samples. Given `delta` `(n, m)` and the
activations of the layer below `a_prev` `(n, k)`, return dE/dW with the weight matrix's shape
`(m, k)`."""

WEIGHT_GRADIENT_SOLUTION = '''def weight_gradient(delta, a_prev):
    """dE/dW (m, k) from error terms delta (n, m) and the activations below a_prev (n, k)."""
    # BEGIN SOLUTION
    return delta.T @ a_prev
    # END SOLUTION'''

MLP_BACKWARD_PROMPT = """### Exercise 6.4 - the backward pass of a whole network

Now put it together for a network of any depth with biases. `weights[l]` has shape
`(sizes[l+1], sizes[l])`, `biases[l]` shape `(sizes[l+1],)`, `X` is `(n, sizes[0])` and `T` is
`(n, sizes[-1])`. Run the forward pass (net input = A @ W.T + b, then the sigmoid), then the backward
pass, and return a dict with four lists/arrays:

- `"deltas"`: the error terms of every layer, `deltas[l]` of shape `(n, sizes[l+1])`;
- `"weights"`: dE/dW for every layer (shapes of the weights);
- `"biases"`: dE/db for every layer (shapes of the biases);
- `"inputs"`: dE/dX, shape of `X`.

Everything the function needs must be inside its cell."""

MLP_BACKWARD_SOLUTION = '''def mlp_backward(weights, biases, X, T):
    """Gradients of E = 1/2 sum (T - Y)^2 for a sigmoid MLP; see the prompt for the returned dict."""
    # BEGIN SOLUTION
    def sigmoid(z):
        e = np.exp(-np.abs(z))
        return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))

    # forward pass, keeping every layer's activations (activations[0] is the input)
    activations = [X]
    for W, b in zip(weights, biases):
        activations.append(sigmoid(activations[-1] @ W.T + b))
    Y = activations[-1]

    L = len(weights)
    deltas, grad_w, grad_b = [None] * L, [None] * L, [None] * L
    delta = -(T - Y) * Y * (1.0 - Y)                 # output error term
    for l in range(L - 1, -1, -1):
        deltas[l] = delta
        grad_w[l] = delta.T @ activations[l]          # sum over samples of delta_i * a_j
        grad_b[l] = delta.sum(axis=0)                 # a bias is a weight on a constant input 1
        upstream = delta @ weights[l]                 # dE/d(activations of the layer below)
        if l > 0:
            a = activations[l]
            delta = upstream * a * (1.0 - a)          # hidden error term
    return {"weights": grad_w, "biases": grad_b, "deltas": deltas, "inputs": upstream}
    # END SOLUTION'''


def _fprime_from_a(a):
    a = np.asarray(a, dtype=float)
    z = np.log(a) - np.log1p(-a)  # the net input whose sigmoid is a
    return get_activation("sigmoid").fprime_from(z, a)


def _output_delta(a, t):
    # Backpropagation for dummies eqs (9), (11): dE/d(in_i) = a_i (1 - a_i) * (-(t_i - a_i))
    return -(np.asarray(t, dtype=float) - a) * _fprime_from_a(a)


def _hidden_delta(a, weights_next, delta_next):
    # Backpropagation for dummies eqs (9), (13), vectorised: (delta_next @ W) * g'(in)
    return (np.asarray(delta_next) @ np.asarray(weights_next)) * _fprime_from_a(a)


def _weight_gradient(delta, a_prev):
    # Backpropagation for dummies eq (10) summed over the samples: dE/dw_ij = sum_n delta_ni a_nj
    net = MLP([np.shape(a_prev)[1], np.shape(delta)[1]], activation="linear", seed=0)
    net.weights[0][...] = 0.0
    net.forward(np.asarray(a_prev, dtype=float))
    # with zero weights and linear outputs, Y = 0, so T = -delta makes dE/dY = delta exactly
    return net.backward(-np.asarray(delta, dtype=float)).weights[0]


def _mlp_backward(weights, biases, X, T):
    net = net_from(weights, biases)  # every layer sigmoid, with biases
    net.forward(np.asarray(X, dtype=float))
    g = net.backward(np.asarray(T, dtype=float))
    return {"weights": g.weights, "biases": g.biases, "deltas": g.deltas, "inputs": g.inputs}


OUT_HINT = "delta = -(t - a) * a * (1 - a): mind the sign and the factor g'(in) = a(1 - a)"
HID_HINT = ("delta_hidden = (delta_next @ W_next) * a * (1 - a), with W_next of shape "
            "(neurons next, neurons here)")
W_HINT = "dE/dW[i, j] = sum over samples of delta[:, i] * a_prev[:, j]; the result has W's shape"
MLP_HINT = ("forward with biases (Z = A @ W.T + b), output delta = -(T - Y) * Y(1 - Y), then "
            "delta_l = (delta_{l+1} @ W_{l+1}) * A(1 - A); dW = delta.T @ A_prev, db = delta summed over samples, "
            "dX = delta_0 @ W_0")


def _sample_counts(rng, cases=3):
    """Hidden cases hold several samples each (the public cases show one): a mean over the samples
    instead of a sum, or one sample's term alone, then fails every hidden case."""
    return [int(n) for n in rng.integers(2, 6, size=cases)]


def _out_hidden(rng):
    cases = []
    for i, n in enumerate(_sample_counts(rng), start=1):
        m = int(rng.integers(1, 5))
        cases.append(Case(f"hidden {i}", (draw.probabilities(rng, (n, m)), draw.probabilities(rng, (n, m), 0.0, 1.0)),
                          True, OUT_HINT))
    return cases


def _hid_hidden(rng):
    cases = []
    for i, n in enumerate(_sample_counts(rng), start=1):
        h, m = draw.distinct_sizes(rng, 2, 1, 5)
        cases.append(Case(f"hidden {i}", (draw.probabilities(rng, (n, h)), draw.mixed(rng, (m, h), 0.2, 2.0),
                                          draw.mixed(rng, (n, m), 0.05, 0.5)), True, HID_HINT))
    return cases


def _w_hidden(rng):
    cases = []
    for i, n in enumerate(_sample_counts(rng), start=1):
        m, k = draw.distinct_sizes(rng, 2, 1, 5)
        cases.append(Case(f"hidden {i}", (draw.mixed(rng, (n, m), 0.05, 0.5), draw.probabilities(rng, (n, k))),
                          True, W_HINT))
    return cases


def _net(rng, sizes, n, scale=1.0):
    weights = [draw.mixed(rng, (b, a), 0.2, 1.5) * scale for a, b in zip(sizes[:-1], sizes[1:])]
    biases = [draw.mixed(rng, b, 0.1, 1.0) for b in sizes[1:]]
    X = draw.mixed(rng, (n, sizes[0]), 0.1, 2.0)
    T = rng.uniform(0.0, 1.0, size=(n, sizes[-1]))
    return (weights, biases, X, T)


def _mlp_hidden(rng):
    # Every net has at least two weight layers, so a hidden layer's error term (and which layer's weights
    # it uses) counts in every case, and several samples, so sums over samples count too.
    cases = []
    plans = zip((3, 3, 4, 3), _sample_counts(rng, 4))
    for i, (n_sizes, n) in enumerate(plans, start=1):
        sizes = draw.distinct_sizes(rng, n_sizes, 1, 5)
        scale = 4.0 if i == 4 else 1.0  # case 4: large weights push some neurons into saturation
        cases.append(Case(f"hidden {i}", _net(rng, sizes, n, scale), True, MLP_HINT))
    return cases


_PUBLIC_NET = (
    [np.array([[0.1, -0.2], [0.4, 0.3], [-0.5, 0.2]]), np.array([[0.3, -0.6, 0.9]])],
    [np.array([0.1, -0.1, 0.2]), np.array([-0.3])],
    np.array([[1.0, 2.0]]),
    np.array([[0.5]]),
)

L06_EQUATIONS = 'lesson 06, section 1 "From one path to many: the three equations of Backpropagation for dummies"'
L06_STEPS = 'lesson 06, section 2 "The 2017 note\'s seven steps, with the package"'
L06_NUMBERS = 'lesson 06, section 3 "A 2-2-2 network with every number"'


def _backward_source(forward="activations[-1] @ W.T + b", output="-(T - Y) * Y * (1.0 - Y)",
                     grad_w="delta.T @ activations[l]", grad_b="delta.sum(axis=0)",
                     hidden="upstream * a * (1.0 - a)", inputs="upstream") -> str:
    # a wrong mlp_backward, written as the model solution with one piece changed
    return ("def mlp_backward(weights, biases, X, T):\n"
            "    def sigmoid(z):\n        e = np.exp(-np.abs(z))\n"
            "        return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))\n\n"
            "    activations = [X]\n    for W, b in zip(weights, biases):\n"
            f"        activations.append(sigmoid({forward}))\n    Y = activations[-1]\n"
            "    L = len(weights)\n    deltas, grad_w, grad_b = [None] * L, [None] * L, [None] * L\n"
            f"    delta = {output}\n    for l in range(L - 1, -1, -1):\n        deltas[l] = delta\n"
            f"        grad_w[l] = {grad_w}\n        grad_b[l] = {grad_b}\n"
            "        upstream = delta @ weights[l]\n        if l > 0:\n            a = activations[l]\n"
            f"            delta = {hidden}\n"
            f"    return {{'weights': grad_w, 'biases': grad_b, 'deltas': deltas, 'inputs': {inputs}}}\n")


OUTPUT_MISCONCEPTIONS = (
    Misconception(
        "a sign flip",
        "dE/da for E = 1/2 (t - a)^2 is -(t - a): the minus sign comes from the inner derivative of t - a.",
        L06_EQUATIONS,
        "def output_delta(a, t):\n    return (t - a) * a * (1 - a)\n"),
    Misconception(
        "the slope g' missing",
        "The error term is taken with respect to the net input, so the output error -(t - a) is multiplied "
        "by the sigmoid's slope a (1 - a).", L06_EQUATIONS,
        "def output_delta(a, t):\n    return -(t - a)\n"),
    Misconception(
        "an extra 2 (E without the 1/2)",
        "The course's E has a factor 1/2 in front, which cancels the 2 from differentiating the square: "
        "dE/da = -(t - a), with no 2.", L06_EQUATIONS,
        "def output_delta(a, t):\n    return -2 * (t - a) * a * (1 - a)\n"),
    Misconception(
        "a mean over the samples (the MSE)",
        "E SUMS over the samples, so each sample's error term stands on its own; dividing by the number "
        "of samples is the gradient of the mean squared error.", L06_EQUATIONS,
        "def output_delta(a, t):\n    return -(t - a) * a * (1 - a) / len(a)\n"),
    Misconception(
        "the slope taken of the activation instead of the net input",
        "a is already g(in): the slope is a (1 - a) itself; squashing a again and taking g(a) (1 - g(a)) "
        "evaluates the slope at the wrong point.", L06_EQUATIONS,
        "def output_delta(a, t):\n    g = 1 / (1 + np.exp(-a))\n    return -(t - a) * g * (1 - g)\n"),
)

HIDDEN_MISCONCEPTIONS = (
    Misconception(
        "the slope g' missing",
        "The error sent back through the weights, delta_next @ W_next, reaches the neuron's output; "
        "multiply by its slope a (1 - a) to reach its net input.", L06_EQUATIONS,
        "def hidden_delta(a, weights_next, delta_next):\n    return delta_next @ weights_next\n"),
    Misconception(
        "a sign flip",
        "No minus sign enters on the way back: the sign of the output's error term carries through the "
        "weights and slopes unchanged.", L06_EQUATIONS,
        "def hidden_delta(a, weights_next, delta_next):\n"
        "    return -(delta_next @ weights_next) * a * (1 - a)\n"),
    Misconception(
        "a mean over the samples",
        "Each sample (row) has its own error term; nothing is averaged here (sums over the samples come "
        "only in the weight gradients).", L06_EQUATIONS,
        "def hidden_delta(a, weights_next, delta_next):\n"
        "    return (delta_next @ weights_next) * a * (1 - a) / len(a)\n"),
    Misconception(
        "g instead of g'",
        "The factor is the sigmoid's slope a (1 - a), not the activation a itself.", L06_EQUATIONS,
        "def hidden_delta(a, weights_next, delta_next):\n    return (delta_next @ weights_next) * a\n"),
    Misconception(
        "the slope taken of the activation instead of the net input",
        "a is already g(in): the slope is a (1 - a); squashing a again and taking g(a) (1 - g(a)) evaluates "
        "the slope at the wrong point.", L06_EQUATIONS,
        "def hidden_delta(a, weights_next, delta_next):\n    g = 1 / (1 + np.exp(-a))\n"
        "    return (delta_next @ weights_next) * g * (1 - g)\n"),
)

WEIGHT_MISCONCEPTIONS = (
    Misconception(
        "a transposed product",
        "W has one row per destination neuron and one column per source neuron, so dE/dW = delta.T @ a_prev; "
        "a_prev.T @ delta is its transpose.", L06_EQUATIONS,
        "def weight_gradient(delta, a_prev):\n    return a_prev.T @ delta\n"),
    Misconception(
        "a mean instead of a sum over the samples",
        "E adds the samples' errors, so the weight gradient adds their contributions: delta.T @ a_prev, "
        "with no division by the number of samples.", L06_EQUATIONS,
        "def weight_gradient(delta, a_prev):\n    return delta.T @ a_prev / len(delta)\n"),
    Misconception(
        "a sign flip",
        "dE/dw_ij = delta_i a_j with no minus sign: the sign is already inside the error term.",
        L06_EQUATIONS,
        "def weight_gradient(delta, a_prev):\n    return -(delta.T @ a_prev)\n"),
    Misconception(
        "the last sample only",
        "Every sample adds its own delta_i a_j to the gradient; the matrix product delta.T @ a_prev does "
        "that sum over the rows.", L06_EQUATIONS,
        "def weight_gradient(delta, a_prev):\n    return np.outer(delta[-1], a_prev[-1])\n"),
)

BACKWARD_MISCONCEPTIONS = (
    Misconception(
        "a mean instead of a sum over the samples",
        "E sums over the samples, so do its gradients: delta.T @ A_prev and delta summed over the rows, "
        "without dividing by the number of samples.", L06_EQUATIONS,
        _backward_source(grad_w="delta.T @ activations[l] / len(X)", grad_b="delta.mean(axis=0)")),
    Misconception(
        "the slope f' missing in the hidden layers",
        "A hidden error term is the error sent back through the weights TIMES the neuron's slope "
        "A (1 - A); without it the gradient skips the squashing.", L06_EQUATIONS,
        _backward_source(hidden="upstream")),
    Misconception(
        "a sign flip at the output",
        "The output error term is -(T - Y) Y (1 - Y); the minus sign comes from differentiating T - Y.",
        L06_STEPS,
        _backward_source(output="(T - Y) * Y * (1.0 - Y)")),
    Misconception(
        "an extra 2 (E without the 1/2)",
        "The course's E = 1/2 sum (T - Y)^2: the 1/2 cancels the 2 of the square, so no factor 2 appears.",
        L06_STEPS,
        _backward_source(output="-2 * (T - Y) * Y * (1.0 - Y)")),
    Misconception(
        "the bias gradient of the first sample only",
        "A bias is a weight on a constant input 1, so its gradient sums the error terms over all samples.",
        L06_EQUATIONS,
        _backward_source(grad_b="delta[0]")),
    Misconception(
        "a forgotten bias in the forward pass",
        "The net input is A @ W.T + b: without the biases the forward pass, and so every gradient, is "
        "computed for another network.", L06_STEPS,
        _backward_source(forward="activations[-1] @ W.T")),
    Misconception(
        "an extra slope at the inputs",
        "The inputs are not squashed by any neuron: dE/dX is delta_0 @ W_0, with no slope factor at the end.",
        L06_NUMBERS,
        _backward_source(inputs="upstream * X * (1.0 - X)")),
    Misconception(
        "the hidden slope taken of the activation instead of the net input",
        "A hidden activation is already g(z): its slope is A (1 - A); squashing A again and taking "
        "g(A) (1 - g(A)) evaluates the slope at the wrong point.", L06_EQUATIONS,
        _backward_source(hidden="upstream * sigmoid(a) * (1.0 - sigmoid(a))")),
)

EXERCISES = [
    Exercise(
        id="ex06.output_delta", function="output_delta", title="error term of output neurons",
        prompt=OUTPUT_DELTA_PROMPT, solution=OUTPUT_DELTA_SOLUTION,
        notebook=NOTEBOOK,
        public=lambda: [Case("public 1", (np.array([[0.75]]), np.array([[1.0]]))),
                        Case("public 2", (np.array([[0.2, 0.9], [0.6, 0.4]]), np.array([[0.0, 1.0], [1.0, 0.0]])))],
        hidden=_out_hidden, reference=_output_delta, forbidden=FORBIDDEN, hint=OUT_HINT,
        misconceptions=OUTPUT_MISCONCEPTIONS,
    ),
    Exercise(
        id="ex06.hidden_delta", function="hidden_delta", title="error term of hidden neurons",
        prompt=HIDDEN_DELTA_PROMPT, solution=HIDDEN_DELTA_SOLUTION,
        notebook=NOTEBOOK,
        public=lambda: [Case("public 1", (np.array([[0.5, 0.8, 0.3]]), np.array([[0.2, -0.4, 0.6], [1.0, 0.5, -0.7]]),
                                          np.array([[0.1, -0.2]])))],
        hidden=_hid_hidden, reference=_hidden_delta, forbidden=FORBIDDEN, hint=HID_HINT,
        misconceptions=HIDDEN_MISCONCEPTIONS,
    ),
    Exercise(
        id="ex06.weight_gradient", function="weight_gradient", title="weight gradients from error terms",
        prompt=WEIGHT_GRADIENT_PROMPT, solution=WEIGHT_GRADIENT_SOLUTION,
        notebook=NOTEBOOK,
        public=lambda: [Case("public 1", (np.array([[0.1, -0.2]]), np.array([[0.5, 0.8, 0.3]]))),
                        Case("public 2", (np.array([[0.1, -0.2], [0.3, 0.05]]), np.array([[0.5, 0.8, 0.3], [0.1, 0.2, 0.9]])))],
        hidden=_w_hidden, reference=_weight_gradient, forbidden=FORBIDDEN, hint=W_HINT,
        misconceptions=WEIGHT_MISCONCEPTIONS,
    ),
    Exercise(
        id="ex06.mlp_backward", function="mlp_backward", title="backward pass of a whole MLP",
        prompt=MLP_BACKWARD_PROMPT, solution=MLP_BACKWARD_SOLUTION,
        notebook=NOTEBOOK, public=lambda: [Case("public 1", _PUBLIC_NET)],
        hidden=_mlp_hidden, reference=_mlp_backward, forbidden=FORBIDDEN, points=3.0, hint=MLP_HINT,
        misconceptions=BACKWARD_MISCONCEPTIONS,
    ),
]
