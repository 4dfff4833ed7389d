"""Exercises of lesson 15 (backward with matrices): the affine layer's backward pass, the bias
(broadcast) backward pass and a two-layer network assembled from modules.

Shapes follow the package: a layer's weights ``W`` are ``(neurons out, neurons in)``, a batch ``X`` is
``(n_samples, neurons in)``, so the affine layer computes ``Z = X @ W.T + b``. The two-layer network is
affine -> ReLU -> affine -> sigmoid with E = 1/2 * sum over samples and outputs of (t - y)^2 (the
sources' E); its reference is the engine's MLP with one activation per layer.
"""
from __future__ import annotations

import numpy as np

from ...engine.mlp import MLP
from . import draw
from .worksheet import Worksheet
from ..checking.cases import Case
from ..checking.exercise import Exercise, Misconception
from ._nets import net_from

NOTEBOOK = "ex15_matrices"
FORBIDDEN = frozenset({"engine", "MLP", "Gradients", "gradcheck", "numerical_gradient", "Value",
                       "torch", "autograd", "jax", "tensorflow", "net_from"})


WORKSHEET = Worksheet(
    stem=NOTEBOOK,
    title="Exercises 15: backward with matrices",
    lesson="15",
    intro="""Practice for lesson 15. Shapes follow the package: a layer's weights `W` have shape
`(neurons out, neurons in)` (row j holds the weights *into* neuron j), a batch `X` has one sample per row,
and an affine layer computes `Z = X @ W.T + b`. The *upstream gradient* of an array is dE/d(that array),
with the array's own shape. One rule checks every answer here: **a gradient has the shape of what it is
the gradient of.**""",
)

AFFINE_BACKWARD_PROMPT = """### Exercise 15.1 - the affine layer's backward pass

An affine layer computed `Z = X @ W.T + b` for a batch `X` `(n, k)`, weights `W` `(m, k)` and a bias `b`
`(m,)`. Given the upstream gradient `upstream` = dE/dZ `(n, m)`, the cached input `X` and `W`, return the
tuple `(dX, dW, db)`: dE/dX `(n, k)`, dE/dW `(m, k)` and dE/db `(m,)`. Let the shapes tell you which
product to take."""

AFFINE_BACKWARD_SOLUTION = '''def affine_backward(upstream, X, W):
    """dE/dX (n, k), dE/dW (m, k) and dE/db (m,) of Z = X @ W.T + b, from upstream = dE/dZ (n, m)."""
    # BEGIN SOLUTION
    dX = upstream @ W             # each input feeds every output through its column of W
    dW = upstream.T @ X           # entry (j, k): sum over samples of upstream[:, j] * X[:, k]
    db = upstream.sum(axis=0)     # the bias was copied to every sample: add the copies' gradients
    return (dX, dW, db)
    # END SOLUTION'''

BIAS_BACKWARD_PROMPT = """### Exercise 15.2 - broadcast forward, sum backward

In the forward pass a parameter `p` of shape `shape` (a tuple) was added to an array by numpy's
broadcasting, so the result had the shape of `upstream` (new axes in front, and axes where `p` has
length 1 stretched). Given the upstream gradient `upstream` and `shape`, return dE/dp with exactly the
shape `shape`. Examples: a bias of shape `(m,)` added to a batch `(n, m)`; a column `(n, 1)`; a single
number, `shape == ()`; a 3-D upstream."""

BIAS_BACKWARD_SOLUTION = '''def bias_backward(upstream, shape):
    """dE/dp of a parameter p of shape `shape` that was broadcast to upstream's shape in the forward pass."""
    # BEGIN SOLUTION
    g = np.asarray(upstream, dtype=float)
    lead = g.ndim - len(shape)                 # axes broadcasting put in front of p's own axes
    if lead:
        g = g.sum(axis=tuple(range(lead)))
    stretched = tuple(i for i, s in enumerate(shape) if s == 1)   # p's own axes of length 1
    if stretched:
        g = g.sum(axis=stretched, keepdims=True)
    return g.reshape(shape)
    # END SOLUTION'''

TWO_LAYER_PROMPT = """### Exercise 15.3 - a two-layer network from modules

Assemble the network affine -> ReLU -> affine -> sigmoid from small modules, each with a `forward`
that keeps what its backward pass needs (its *cache*) and a `backward` that turns the upstream gradient
into the gradient of its input (and stores the gradients of its parameters). `W1` is `(h, k)`, `b1`
`(h,)`, `W2` `(m, h)`, `b2` `(m,)`, `X` `(n, k)` and `T` `(n, m)`; the error is
E = 1/2 sum (t - y)^2 over the samples and outputs. Return a dict with the keys `"loss"` (E),
`"dW1"`, `"db1"`, `"dW2"`, `"db2"` and `"dX"`, each with the shape of what it is the gradient of.

Where a ReLU's input is exactly 0 its derivative does not exist; use 0 there, as the package does (the
gradient passes only where the input was **> 0**). Keep the classes inside the function's cell."""

TWO_LAYER_SOLUTION = '''def two_layer(W1, b1, W2, b2, X, T):
    """E and its gradients for affine -> ReLU -> affine -> sigmoid; see the prompt for the returned dict."""
    # BEGIN SOLUTION
    class Affine:
        def __init__(self, W, b):
            self.W, self.b = W, b

        def forward(self, A):
            self.A = A                             # cache: the input, needed for dW
            return A @ self.W.T + self.b

        def backward(self, dZ):
            self.dW = dZ.T @ self.A
            self.db = dZ.sum(axis=0)
            return dZ @ self.W

    class ReLU:
        def forward(self, Z):
            self.open = Z > 0                      # cache: where the gate let the input through
            return np.where(self.open, Z, 0.0)

        def backward(self, dA):
            return dA * self.open

    class Sigmoid:
        def forward(self, Z):
            e = np.exp(-np.abs(Z))
            self.Y = np.where(Z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))   # cache: the output
            return self.Y

        def backward(self, dY):
            return dY * self.Y * (1.0 - self.Y)

    layers = [Affine(W1, b1), ReLU(), Affine(W2, b2), Sigmoid()]
    Y = X
    for layer in layers:
        Y = layer.forward(Y)
    loss = 0.5 * np.sum((T - Y) ** 2)
    grad = -(T - Y)                                # dE/dY
    for layer in reversed(layers):
        grad = layer.backward(grad)
    return {"loss": loss, "dW1": layers[0].dW, "db1": layers[0].db,
            "dW2": layers[2].dW, "db2": layers[2].db, "dX": grad}
    # END SOLUTION'''


# ---- references (never learner code) -----------------------------------------------------------

def _affine_backward(upstream, X, W):
    # The engine's one linear layer: with T = Y - upstream, dE/dY = -(T - Y) is exactly `upstream`,
    # so the engine's gradients are those of the affine layer under that upstream gradient.
    X, W, upstream = (np.asarray(a, dtype=float) for a in (X, W, upstream))
    net = MLP([W.shape[1], W.shape[0]], activation="linear", seed=0)
    net.weights[0][...] = W
    net.biases[0][...] = 0.0
    Y = net.forward(X)
    g = net.backward(Y - upstream)
    return (g.inputs, g.weights[0], g.biases[0])


def _bias_backward(upstream, shape):
    # Broadcasting copies entry i of the parameter to every output position whose broadcast index is i;
    # the chain rule adds the upstream gradient of each copy back onto entry i (np.bincount does the adding).
    upstream = np.asarray(upstream, dtype=float)
    shape = tuple(int(s) for s in shape)
    size = int(np.prod(shape, dtype=int))
    source = np.broadcast_to(np.arange(size).reshape(shape), upstream.shape)
    return np.bincount(source.ravel(), weights=upstream.ravel(), minlength=size).reshape(shape)


def _two_layer(W1, b1, W2, b2, X, T):
    net = net_from([W1, W2], [b1, b2], activation=["relu", "sigmoid"])
    net.forward(np.asarray(X, dtype=float))
    g = net.backward(np.asarray(T, dtype=float))
    return {"loss": g.loss, "dW1": g.weights[0], "db1": g.biases[0], "dW2": g.weights[1],
            "db2": g.biases[1], "dX": g.inputs}


# ---- hints -------------------------------------------------------------------------------------

AFFINE_HINT = ("a gradient has the shape of what it is the gradient of: dX (n, k) is a product of upstream "
               "(n, m) and W (m, k); dW (m, k) one of upstream and X, whose entry (j, k) adds "
               "upstream[:, j] * X[:, k] over the samples; db (m,): the bias was added to every sample")
BIAS_HINT = ("the parameter was copied to every position of the output; add up the upstream gradient over "
             "every axis it was copied along (new leading axes, and axes where its length is 1), so the "
             "result has exactly the parameter's shape")
TWO_HINT = ("forward through affine, ReLU, affine, sigmoid, each keeping its cache (an affine layer its input, "
            "the ReLU where its input was > 0, the sigmoid its output Y); then start from dE/dY = -(T - Y) and "
            "go back through the same modules in reverse order, each affine layer as in exercise 15.1")


# ---- hidden cases ------------------------------------------------------------------------------

def _affine_hidden(rng):
    cases = []
    for i in range(1, 4):
        n, k, m = draw.distinct_sizes(rng, 3, 2, 5)   # several samples; a transposed result has a wrong shape
        while len({n, k, m}) < 3:
            n, k, m = draw.distinct_sizes(rng, 3, 2, 5)
        cases.append(Case(f"hidden {i}", (draw.mixed(rng, (n, m), 0.1, 1.5), draw.mixed(rng, (n, k), 0.1, 2.0),
                                          draw.mixed(rng, (m, k), 0.2, 1.5)), True, AFFINE_HINT))
    return cases


def _three_sizes(rng):
    """Three different lengths >= 2, so every axis is told apart by its length."""
    return [int(s) for s in rng.permutation(np.arange(2, 6))[:3]]


def _bias_hidden(rng):
    b, n, m = _three_sizes(rng)
    plans = [((n, m), (1, m)),          # a row vector kept 2-D
             ((b, n, m), (m,)),         # a bias added to a batch of batches
             ((b, n, m), (n, 1)),       # a column: one shift per row, shared by the batches and columns
             ((n, m), ()),              # one number added to everything
             ((b, n, m), (b, 1, m))]    # a size-1 axis in the middle
    return [Case(f"hidden {i}", (draw.mixed(rng, out, 0.1, 2.0), shape), True, BIAS_HINT)
            for i, (out, shape) in enumerate(plans, start=1)]


def _two_layer_net(rng, k, h, m, n):
    W1 = draw.mixed(rng, (h, k), 0.3, 1.5)
    b1 = draw.mixed(rng, h, 0.1, 0.8)
    W2 = draw.mixed(rng, (m, h), 0.3, 1.5)
    b2 = draw.mixed(rng, m, 0.1, 0.8)
    X = draw.mixed(rng, (n, k), 0.2, 2.0)
    T = rng.uniform(0.05, 0.95, size=(n, m))
    return [W1, b1, W2, b2, X, T]


def _tie_net(rng, k, h, m, n):
    """A net whose first sample meets the ReLU's kink exactly: Z1[0, 0] == 0.0 in floating point.

    Every number is a multiple of 1/8 of size at most 4, so every sum and product is exact in any order.
    """
    def grid(size):
        return rng.integers(-16, 17, size=size) / 8.0

    W1, W2, X, b1, b2 = grid((h, k)), grid((m, h)), grid((n, k)), grid(h), grid(m)
    for arr, fill in ((W1, 0.5), (W2, -0.375), (X, -0.25), (b1, 0.125), (b2, -0.625)):
        arr[arr == 0] = fill                         # no zeros that could hide a missing term
    b1[0] = -float(X[0] @ W1[0])
    T = rng.uniform(0.05, 0.95, size=(n, m))
    return [W1, b1, W2, b2, X, T]


def _two_layer_hidden(rng):
    cases = []
    for i in range(1, 5):
        k, h, m = draw.distinct_sizes(rng, 3, 2, 5)
        n = int(rng.integers(2, 6))
        while True:
            args = (_tie_net if i == 4 else _two_layer_net)(rng, k, h, m, n)
            Z1 = args[4] @ args[0].T + args[1]
            # some hidden neurons on (so gradients flow) and some off (so the ReLU gate matters)
            if (Z1 > 0).any() and (Z1 < 0).any() and (Z1 > 0).any(axis=0).any():
                break
        hint = ("the ReLU passes no gradient where its net input is exactly 0" if i == 4 else TWO_HINT)
        cases.append(Case(f"hidden {i}", tuple(args), True, hint))
    return cases


# ---- public cases ------------------------------------------------------------------------------

def _affine_public():
    return [
        Case("public 1", (np.array([[0.5, -1.0]]), np.array([[1.0, 2.0, -1.0]]),
                          np.array([[0.2, -0.4, 0.1], [0.3, 0.5, -0.6]]))),
        Case("public 2", (np.array([[0.1, -0.2], [0.4, 0.3], [-0.6, 0.2]]),
                          np.array([[1.0, 0.5, -1.0], [-2.0, 1.0, 0.5], [0.3, -0.7, 1.5]]),
                          np.array([[0.2, -0.4, 0.1], [0.3, 0.5, -0.6]]))),
    ]


def _bias_public():
    return [
        Case("public 1", (np.array([[0.1, -0.2], [0.4, 0.3], [-0.6, 0.2]]), (2,))),
        Case("public 2", (np.array([[1.0, 0.5, -1.0], [-2.0, 1.0, 0.5]]), (2, 1))),
    ]


def _two_layer_public():
    return [Case("public 1", (np.array([[0.1, -0.2], [0.4, 0.3], [-0.5, 0.2]]), np.array([0.1, -0.1, 0.2]),
                              np.array([[0.3, -0.6, 0.9]]), np.array([-0.3]),
                              np.array([[1.0, 2.0], [-1.0, 0.5]]), np.array([[0.5], [0.2]])))]


# ---- misconceptions: the wrong functions a learner would write ---------------------------------

LESSON = "lesson 15"

AFFINE_MISCONCEPTIONS = (
    Misconception(
        "transposed weight gradient",
        "X.T @ upstream multiplies the right numbers but lays them out as (inputs, outputs); the gradient "
        "of W must have W's shape, (outputs, inputs), which upstream.T @ X gives.",
        f'{LESSON}, section 1 "From one weight to a matrix: shapes decide"',
        "def affine_backward(upstream, X, W):\n"
        "    return (upstream @ W, X.T @ upstream, upstream.sum(axis=0))"),
    Misconception(
        "mean over the batch instead of sum",
        "E adds the errors of all samples, so its gradients add the samples' contributions; dividing by "
        "the number of samples is the gradient of a mean, a different loss.",
        f'{LESSON}, section 3 "Broadcast forward, sum backward"',
        "def affine_backward(upstream, X, W):\n"
        "    n = len(X)\n"
        "    return (upstream @ W, upstream.T @ X / n, upstream.sum(axis=0) / n)"),
    Misconception(
        "bias gradient of the first sample only",
        "The bias is added to every sample, so its gradient collects the upstream gradient of every "
        "sample: sum over the batch axis.",
        f'{LESSON}, section 3 "Broadcast forward, sum backward"',
        "def affine_backward(upstream, X, W):\n"
        "    return (upstream @ W, upstream.T @ X, upstream[0])"),
)

BIAS_MISCONCEPTIONS = (
    Misconception(
        "always sums over axis 0",
        "Summing over the first axis is right only for a bias vector added to a 2-D batch; the rule is to "
        "sum over every axis the parameter was copied along, including its axes of length 1.",
        f'{LESSON}, section 3 "Broadcast forward, sum backward"',
        "def bias_backward(upstream, shape):\n"
        "    return upstream.sum(axis=0)"),
    Misconception(
        "mean instead of sum",
        "Each copy of the parameter contributes its own upstream gradient, and the contributions add up; "
        "a mean divides them by the number of copies.",
        f'{LESSON}, section 3 "Broadcast forward, sum backward"',
        "def bias_backward(upstream, shape):\n"
        "    lead = upstream.ndim - len(shape)\n"
        "    g = upstream.mean(axis=tuple(range(lead))) if lead else upstream\n"
        "    axes = tuple(i for i, s in enumerate(shape) if s == 1)\n"
        "    return g.mean(axis=axes, keepdims=True) if axes else g"),
    Misconception(
        "gradient of the first copy only",
        "Taking the first row (or entry) keeps one copy's gradient and drops all the others; every copy "
        "changes the output, so every copy's gradient counts.",
        f'{LESSON}, section 3 "Broadcast forward, sum backward"',
        "def bias_backward(upstream, shape):\n"
        "    lead = upstream.ndim - len(shape)\n"
        "    g = upstream[(0,) * lead]\n"
        "    index = tuple(slice(0, 1) if s == 1 else slice(None) for s in shape)\n"
        "    return g[index]"),
    Misconception(
        "size-1 axes forgotten",
        "Broadcasting also stretches axes of length 1, not only the new leading axes; sum over those too "
        "(keeping them with keepdims=True) so the result has the parameter's shape.",
        f'{LESSON}, section 3 "Broadcast forward, sum backward"',
        "def bias_backward(upstream, shape):\n"
        "    lead = upstream.ndim - len(shape)\n"
        "    return upstream.sum(axis=tuple(range(lead))) if lead else upstream"),
)

_TWO_LAYER_FORWARD = (
    "    Z1 = X @ W1.T + b1\n"
    "    H = np.maximum(Z1, 0.0)\n"
    "    Z2 = H @ W2.T + b2\n"
    "    Y = 1.0 / (1.0 + np.exp(-Z2))\n"
    "    loss = 0.5 * np.sum((T - Y) ** 2)\n")


def _two_layer_wrong(backward: str) -> str:
    return ("def two_layer(W1, b1, W2, b2, X, T):\n" + _TWO_LAYER_FORWARD + backward +
            '    return {"loss": loss, "dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2, "dX": dX}')


def _two_layer_backward(dZ2="-(T - Y) * Y * (1.0 - Y)", dW2="dZ2.T @ H", gate="dH * (Z1 > 0)", scale="",
                        db="dZ{}.sum(axis=0)"):
    """The backward lines of a two-layer net, with one slip planted by the keyword given."""
    return (f"    dZ2 = {dZ2}\n"
            f"    dW2 = {dW2}{scale}\n"
            f"    db2 = {db.format(2)}{scale}\n"
            "    dH = dZ2 @ W2\n"
            f"    dZ1 = {gate}\n"
            f"    dW1 = dZ1.T @ X{scale}\n"
            f"    db1 = {db.format(1)}{scale}\n"
            "    dX = dZ1 @ W1\n")


TWO_LAYER_MISCONCEPTIONS = (
    Misconception(
        "ReLU gate opened by the upstream gradient",
        "The ReLU lets the gradient through where its own input was positive in the forward pass (that is "
        "what its cache is for), whatever the sign of the gradient coming back.",
        f'{LESSON}, section 4 "Gates that route: max and ReLU"',
        _two_layer_wrong(_two_layer_backward(gate="dH * (dH > 0)"))),
    Misconception(
        "missing ReLU gate",
        "The ReLU's local derivative is 1 where its input was positive and 0 elsewhere; passing dH straight "
        "through treats the ReLU as if it were not there.",
        f'{LESSON}, section 4 "Gates that route: max and ReLU"',
        _two_layer_wrong(_two_layer_backward(gate="dH"))),
    Misconception(
        "wrong cache: pre-activation instead of the layer's input",
        "The second affine layer's weight gradient needs that layer's input, the ReLU output H; using the "
        "net input Z1 (before the ReLU) lets negative values leak into dW2.",
        f'{LESSON}, section 5 "Layers as modules: forward keeps a cache, backward uses it"',
        _two_layer_wrong(_two_layer_backward(dW2="dZ2.T @ Z1"))),
    Misconception(
        "wrong cache: sigmoid slope from the net input",
        "The sigmoid's slope is y(1 - y) with y its output; writing the same formula with its input z "
        "computes something else entirely.",
        f'{LESSON}, section 5 "Layers as modules: forward keeps a cache, backward uses it"',
        _two_layer_wrong(_two_layer_backward(dZ2="-(T - Y) * Z2 * (1.0 - Z2)"))),
    Misconception(
        "mean over the batch instead of sum",
        "E adds the errors of all samples, so every parameter's gradient adds the samples' contributions; "
        "dividing by the number of samples is the gradient of a mean.",
        f'{LESSON}, section 3 "Broadcast forward, sum backward"',
        _two_layer_wrong(_two_layer_backward(scale=" / len(X)"))),
    Misconception(
        "bias gradients of the first sample only",
        "A bias is broadcast over the batch in the forward pass, so its gradient sums the error terms of "
        "all samples.",
        f'{LESSON}, section 3 "Broadcast forward, sum backward"',
        _two_layer_wrong(_two_layer_backward(db="dZ{}[0]"))),
)


EXERCISES = [
    Exercise(
        id="ex15.affine_backward", function="affine_backward", title="backward pass of an affine layer",
        prompt=AFFINE_BACKWARD_PROMPT, solution=AFFINE_BACKWARD_SOLUTION,
        notebook=NOTEBOOK, public=_affine_public, hidden=_affine_hidden, reference=_affine_backward,
        forbidden=FORBIDDEN, hint=AFFINE_HINT, misconceptions=AFFINE_MISCONCEPTIONS,
    ),
    Exercise(
        id="ex15.bias_backward", function="bias_backward", title="broadcast forward, sum backward",
        prompt=BIAS_BACKWARD_PROMPT, solution=BIAS_BACKWARD_SOLUTION,
        notebook=NOTEBOOK, public=_bias_public, hidden=_bias_hidden, reference=_bias_backward,
        forbidden=FORBIDDEN, hint=BIAS_HINT, misconceptions=BIAS_MISCONCEPTIONS,
    ),
    Exercise(
        id="ex15.two_layer", function="two_layer", title="a two-layer network from modules",
        prompt=TWO_LAYER_PROMPT, solution=TWO_LAYER_SOLUTION,
        notebook=NOTEBOOK, public=_two_layer_public, hidden=_two_layer_hidden, reference=_two_layer,
        forbidden=FORBIDDEN, points=2.0, hint=TWO_HINT, misconceptions=TWO_LAYER_MISCONCEPTIONS,
    ),
]
