"""Exercises of lesson 9 (Backpropagation for dummies): online, batch and mini-batch updates.

``epoch_batches`` is judged against what :func:`backprop_course.engine.training.train` actually hands the
network, recorded by a stand-in network whose inputs are the sample numbers. The gradient exercises use
one sigmoid layer without biases, ``W`` of shape ``(m, k)``, and the seeds' E = 1/2 sum (t - y)^2; their
references are the engine's ``MLP.backward`` on one-sample batches and ``train_step`` with plain SGD.
"""
from __future__ import annotations

import numpy as np

from ...engine.training import train
from . import draw
from .worksheet import Worksheet
from ..checking.cases import Case
from ..checking.exercise import Exercise
from ._nets import net_from, sgd_over_batches

NOTEBOOK = "ex09_modes"
FORBIDDEN = frozenset({"engine", "training", "train", "train_step", "_batches", "update_batches", "MLP", "backward", "SGD",
                       "optim", "compute_update", "gradcheck", "Gradients", "torch", "autograd", "jax"})

WORKSHEET = Worksheet(
    stem=NOTEBOOK,
    title="Exercises 9: online, batch and mini-batch updates",
    lesson="09",
    intro="""Practice for lesson 9. An *epoch* is one pass over the n training samples; the modes
differ in how the per-sample gradients of that pass are grouped into weight *updates*: one sample per
update (online), all n in one update (batch), or chunks of `batch_size` (mini-batch). The gradient of
an update is the gradient of E **summed** over its samples, as in "Backpropagation for dummies" and `bc.train`.
The gradient exercises use a single layer of sigmoid neurons without biases: weights `W` of shape
`(m, k)`, inputs `X` `(n, k)`, targets `T` `(n, m)`, outputs Y = sigmoid(X @ W.T) and
E = 1/2 sum (t - y)^2.""",
)

EPOCH_BATCHES_PROMPT = """### Exercise 9.1 - which samples each update uses

Write `epoch_batches(mode, n, batch_size, epochs, seed)` returning, for each of the `epochs` epochs,
the list of index arrays (or lists of ints) its updates use, exactly as `bc.train` visits the samples:

- make **one** generator, `rng = np.random.default_rng(seed)`, before the first epoch;
- `"online"`: every epoch draws a fresh `order = rng.permutation(n)`; update u uses the one sample
  `[order[u]]`;
- `"batch"`: a single update with all samples `0, 1, ..., n-1`; no shuffling, so the rng is not used;
- `"minibatch"`: every epoch draws a fresh `order = rng.permutation(n)` and cuts it into consecutive
  chunks of `batch_size` (the last one is shorter when `batch_size` does not divide n, and it is kept);
  each chunk is sorted into increasing order (the order inside a batch does not change its summed
  gradient).

`batch_size` is `None` in the online and batch modes. With `("minibatch", 7, 3, 1, 0)` the permutation
is `[2, 4, 3, 6, 5, 0, 1]`, so the answer is `[[[2, 3, 4], [0, 5, 6], [1]]]`: one epoch, three updates.
How many updates does each mode make per epoch?"""

EPOCH_BATCHES_SOLUTION = '''def epoch_batches(mode, n, batch_size, epochs, seed):
    """Per epoch, the list of index arrays of its updates (see the prompt for the three modes)."""
    # BEGIN SOLUTION
    rng = np.random.default_rng(seed)            # one generator for the whole run
    schedule = []
    for _ in range(epochs):
        if mode == "batch":
            schedule.append([np.arange(n)])      # one update, every sample, no shuffling
            continue
        order = rng.permutation(n)               # a fresh order every epoch
        if mode == "online":
            schedule.append([order[u:u + 1] for u in range(n)])
        else:
            schedule.append([np.sort(order[s:s + batch_size]) for s in range(0, n, batch_size)])
    return schedule
    # END SOLUTION'''

PER_SAMPLE_GRADIENTS_PROMPT = """### Exercise 9.2 - per-sample gradients, and the batch gradient as their sum

Return the gradient of every sample's own error $E_p = \\tfrac12 \\sum_i (t_{pi} - y_{pi})^2$ with
respect to `W`, stacked into an array of shape `(n, m, k)`: entry `[p]` is $\\partial E_p / \\partial W$,
the outer product of sample p's error terms $\\delta_p = -(t_p - y_p)\\, y_p (1 - y_p)$ (shape `(m,)`)
with its inputs $x_p$ (shape `(k,)`).

Then, in a cell of your own, check the lesson's claim: summing your result over the samples
(`.sum(axis=0)`) gives the batch gradient $\\delta^T X$ of the summed error, and compare its size with
one sample's gradient. Batch mode steps along the sum; what does that mean for its learning rate?"""

PER_SAMPLE_GRADIENTS_SOLUTION = '''def per_sample_gradients(W, X, T):
    """dE_p/dW for every sample p of a sigmoid layer without biases: shape (n, m, k)."""
    # BEGIN SOLUTION
    Y = 1.0 / (1.0 + np.exp(-(X @ W.T)))                # (n, m) outputs, one row per sample
    deltas = -(T - Y) * Y * (1.0 - Y)                   # (n, m) error terms
    return deltas[:, :, None] * X[:, None, :]           # row p: outer(delta_p, x_p)
    # END SOLUTION'''

TRAIN_EPOCH_PROMPT = """### Exercise 9.3 - one epoch of updates

Write `train_epoch(W, X, T, lr, batches)`: plain gradient descent (no momentum) through one epoch
whose updates use the given `batches`, a list of lists of sample indices such as exercise 9.1
produces. For each batch in turn, compute the gradient of E summed over the batch's samples **at the
current weights**, then take the step W <- W - lr * gradient. Return the list of weight matrices after
each update (copies, one per batch). Do not change the `W` you were given.

The same function runs all three modes: `[[0], [1], ...]` is online, `[[0, 1, ..., n-1]]` is batch.
Two things to check for yourself afterwards: with the online batches, the next sample sees the weights
the previous one produced; and a batch update is not the same as the n online updates of an epoch,
even though both use each sample's gradient once."""

TRAIN_EPOCH_SOLUTION = '''def train_epoch(W, X, T, lr, batches):
    """Weights after each update of one epoch of gradient descent over the given batches."""
    # BEGIN SOLUTION
    W = W.copy()                                        # never change the caller's array
    history = []
    for idx in batches:
        Xb, Tb = X[idx], T[idx]                         # the samples of this update
        Y = 1.0 / (1.0 + np.exp(-(Xb @ W.T)))
        deltas = -(Tb - Y) * Y * (1.0 - Y)
        gradient = deltas.T @ Xb                        # summed over the batch, at the current W
        W = W - lr * gradient
        history.append(W.copy())
    return history
    # END SOLUTION'''


class _NoUpdate:
    """An optimizer that leaves the weights alone (only the visits are of interest)."""

    def step(self, net, grads) -> None:
        return None


class _Grads:
    loss = 0.0


class _Recorder:
    """Stands in for an MLP in ``train``: its input column holds sample numbers, and it records them."""

    sizes = [1, 1]

    def __init__(self) -> None:
        self.visits: list[np.ndarray] = []

    def forward(self, X):
        self.visits.append(np.rint(np.asarray(X)[:, 0]).astype(int))
        return np.zeros((len(X), 1))

    def backward(self, T, input_grad=True):
        return _Grads()

    def loss(self, X, T) -> float:
        return 0.0

    def parameters(self) -> list:
        return []


def _epoch_batches(mode, n, batch_size, epochs, seed):
    rec = _Recorder()
    X = np.arange(n, dtype=float).reshape(-1, 1)
    hist = train(rec, X, np.zeros((n, 1)), _NoUpdate(), mode=mode, batch_size=batch_size, epochs=epochs,
                 seed=seed)
    per_epoch = hist.updates // hist.epochs_run
    visits = [v.astype(float) for v in rec.visits]
    return [visits[e * per_epoch:(e + 1) * per_epoch] for e in range(hist.epochs_run)]


def _layer(W):
    return net_from([W])  # one sigmoid layer without biases


def _per_sample_gradients(W, X, T):
    net = _layer(W)
    X, T = np.asarray(X, dtype=float), np.asarray(T, dtype=float)
    out = []
    for p in range(len(X)):
        net.forward(X[p:p + 1])
        out.append(net.backward(T[p:p + 1]).weights[0].copy())
    return np.stack(out)


def _train_epoch(W, X, T, lr, batches):
    net = _layer(W)
    return [net.weights[0].copy() for _ in sgd_over_batches(net, X, T, lr, batches)]


B_HINT = ("online: [order[0]], [order[1]], ...; batch: all of range(n), no shuffling; mini-batch: consecutive "
          "chunks of order of batch_size (the last may be shorter), each sorted; one new "
          "order = rng.permutation(n) per epoch from a single rng = np.random.default_rng(seed)")
PS_HINT = ("for sample p: y_p = sigmoid(W @ x_p), delta_p = -(t_p - y_p) * y_p * (1 - y_p), and "
           "dE_p/dW = outer(delta_p, x_p), of W's shape (m, k); stack them to (n, m, k)")
TE_HINT = ("for each batch in turn: the gradient SUMMED over its samples at the current W (not averaged, "
           "not at the starting W), then W = W - lr * gradient; return a copy of W after every update")


def _b_hidden(rng):
    # Each hidden case is one run in every mode (several calls with the same n and seed): a slip in one
    # mode then fails every hidden case, not one in five. Every run has two or more epochs (so reshuffling
    # counts), and its mini-batches a short last one (so dropping it counts); the cases differ in their
    # extra calls: mini-batches that divide n evenly, mini-batches of one sample, one sample in all.
    cases = []
    for i, extra in enumerate((None, "even", "one", None, "even"), start=1):
        n = int(rng.integers(5, 13))
        size = int(rng.integers(2, n))
        while n % size == 0:
            n += 1
        epochs, seed = int(rng.integers(2, 4)), int(rng.integers(0, 10_000))
        calls = [("online", n, None, epochs, seed), ("batch", n, None, epochs, seed),
                 ("minibatch", n, size, epochs, seed)]
        if extra == "even":
            even = int(rng.integers(2, 4))
            calls.append(("minibatch", even * int(rng.integers(2, 4)), even, epochs, seed))
        elif extra == "one":  # mini-batches of one sample, and a data set of one sample
            calls += [("minibatch", n, 1, epochs, seed), ("batch", 1, None, epochs, seed)]
        cases.append(Case(f"hidden {i}", hidden=True, hint=B_HINT, calls=tuple(calls)))
    return cases


def _data(rng, n, m, k, scale=1.0):
    W = draw.mixed(rng, (m, k), 0.2, 1.5) * scale
    X = draw.mixed(rng, (n, k), 0.1, 2.0)
    T = rng.uniform(0.0, 1.0, size=(n, m))
    return W, X, T


def _ps_hidden(rng):
    # several samples in every case (the public one shows two), so one gradient repeated for all fails
    cases = []
    for i, n in enumerate((int(n) for n in rng.integers(2, 6, size=3)), start=1):
        m, k = draw.distinct_sizes(rng, 2, 1, 5)
        cases.append(Case(f"hidden {i}", _data(rng, n, m, k), True, PS_HINT))
    return cases


def _epoch_args(rng, kind, n, m, k, lr):
    W, X, T = _data(rng, n, m, k)
    order = [int(p) for p in rng.permutation(n)]
    if kind == "online":
        batches = [[p] for p in order]
    elif kind == "batch":
        batches = [list(range(n))]
    else:
        size = int(rng.integers(2, n))
        batches = [sorted(order[s:s + size]) for s in range(0, n, size)]
    return (W, X, T, lr, batches)


def _te_hidden(rng):
    # Every case holds a batch of several samples (so a mean instead of a sum fails it) and several
    # updates (so gradients at the starting weights, or one update per epoch, fail it): the online run
    # and the one-sample run each come paired with a run whose batches hold several samples.
    cases = []
    for i, kinds in enumerate((("online", "batch"), ("minibatch",), ("minibatch",), ("single", "minibatch")), start=1):
        m, k = draw.distinct_sizes(rng, 2, 1, 4)
        lr = float(rng.uniform(0.5, 2.0))  # large enough that updating at stale weights shows
        n = int(rng.integers(3, 8))
        calls = [_epoch_args(rng, "online", 1, m, k, lr) if kind == "single" else _epoch_args(rng, kind, n, m, k, lr)
                 for kind in kinds]
        if len(calls) == 1:
            cases.append(Case(f"hidden {i}", calls[0], True, TE_HINT))
        else:
            cases.append(Case(f"hidden {i}", hidden=True, hint=TE_HINT, calls=tuple(calls)))
    return cases


_PUBLIC_W = np.array([[0.5, -0.4, 0.3], [-0.2, 0.6, 0.1]])
_PUBLIC_X = np.array([[1.0, 0.0, 2.0], [0.5, -1.0, 0.0], [-1.5, 0.5, 1.0], [0.0, 1.0, -0.5]])
_PUBLIC_T = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0]])

# -- misconceptions: the wrong functions a learner writes, run on the same cases ------------------------------
from ..checking.exercise import Misconception  # noqa: E402 - kept next to the catalogue it builds
from ._edits import edited as _edit  # noqa: E402

_L9_MODES = "lesson 09, section 1 \"Three answers to 'how often do we update?'\""
_L9_SUM = 'lesson 09, section 2 "The batch gradient is a sum"'
_L9_THREE = 'lesson 09, section 3 "The same network, three ways"'

# The model solutions (without their comments); each misconception is a small edit of one of them.
_BATCHES_SOURCE = """def epoch_batches(mode, n, batch_size, epochs, seed):
    rng = np.random.default_rng(seed)
    schedule = []
    for _ in range(epochs):
        if mode == "batch":
            schedule.append([np.arange(n)])
            continue
        order = rng.permutation(n)
        if mode == "online":
            schedule.append([order[u:u + 1] for u in range(n)])
        else:
            schedule.append([np.sort(order[s:s + batch_size]) for s in range(0, n, batch_size)])
    return schedule
"""

_PER_SAMPLE_SOURCE = """def per_sample_gradients(W, X, T):
    Y = 1.0 / (1.0 + np.exp(-(X @ W.T)))
    deltas = -(T - Y) * Y * (1.0 - Y)
    return deltas[:, :, None] * X[:, None, :]
"""

_EPOCH_SOURCE = """def train_epoch(W, X, T, lr, batches):
    W = W.copy()
    history = []
    for idx in batches:
        Xb, Tb = X[idx], T[idx]
        Y = 1.0 / (1.0 + np.exp(-(Xb @ W.T)))
        deltas = -(Tb - Y) * Y * (1.0 - Y)
        gradient = deltas.T @ Xb
        W = W - lr * gradient
        history.append(W.copy())
    return history
"""


B_MISCONCEPTIONS = (
    Misconception(
        "the same order every epoch",
        "Online and mini-batch training draw a new order at the start of EVERY epoch from one generator made "
        "before the first; shuffling once, or rebuilding the generator from the seed in each epoch, repeats "
        "the same updates epoch after epoch.",
        _L9_MODES, _edit(_BATCHES_SOURCE, ("    schedule = []\n",
                                           "    schedule = []\n    order = rng.permutation(n)\n"),
                         ("        order = rng.permutation(n)\n", ""))),
    Misconception(
        "drops the short last mini-batch",
        "When batch_size does not divide n, the last chunk is shorter, and it is still an update: every "
        "sample is used once per epoch.",
        _L9_MODES, _edit(_BATCHES_SOURCE, ("range(0, n, batch_size)", "range(0, n - batch_size + 1, batch_size)"))),
    Misconception(
        "online in index order",
        "Online mode visits the samples in a fresh random order every epoch, one sample per update, not "
        "0, 1, 2, ... in turn.",
        _L9_MODES, _edit(_BATCHES_SOURCE, ("[order[u:u + 1] for u in range(n)]", "[np.array([u]) for u in range(n)]"))),
    Misconception(
        "batch mode shuffled too",
        "Batch mode makes a single update with every sample, so there is no order to draw: it never uses the "
        "generator, and it lists the samples as 0, 1, ..., n-1.",
        _L9_MODES, _edit(_BATCHES_SOURCE, ("schedule.append([np.arange(n)])",
                                           "schedule.append([rng.permutation(n)])"))),
    Misconception(
        "mini-batches not sorted",
        "Each chunk of the permutation is listed in increasing order: the order inside a batch does not change "
        "its summed gradient, so the course writes every batch sorted.",
        _L9_MODES, _edit(_BATCHES_SOURCE, ("np.sort(order[s:s + batch_size])", "order[s:s + batch_size]"))),
)

PS_MISCONCEPTIONS = (
    Misconception(
        "outer product transposed",
        "Sample p's gradient has W's shape (m, k): row j belongs to output neuron j and column i to input i, "
        "so it is outer(delta_p, x_p), error terms first.",
        _L9_SUM, _edit(_PER_SAMPLE_SOURCE, ("deltas[:, :, None] * X[:, None, :]",
                                            "X[:, :, None] * deltas[:, None, :]"))),
    Misconception(
        "batch gradient repeated for every sample",
        "Entry p must be sample p's own gradient; the batch gradient delta^T X is their SUM, what you get by "
        "adding the entries up afterwards.",
        _L9_SUM, _edit(_PER_SAMPLE_SOURCE, ("return deltas[:, :, None] * X[:, None, :]",
                                            "return np.repeat((deltas.T @ X)[None], len(X), axis=0)"))),
    Misconception(
        "missing f'",
        "The error term of a sigmoid neuron is -(t - y) times its slope y (1 - y); without the slope it is "
        "the error term of a linear neuron.",
        _L9_SUM, _edit(_PER_SAMPLE_SOURCE, ("deltas = -(T - Y) * Y * (1.0 - Y)", "deltas = -(T - Y)"))),
    Misconception(
        "sign flip",
        "dE/dy = -(t - y): the minus sign makes the gradient point uphill, so that stepping against it lowers E.",
        _L9_SUM, _edit(_PER_SAMPLE_SOURCE, ("deltas = -(T - Y) * Y * (1.0 - Y)", "deltas = (T - Y) * Y * (1.0 - Y)"))),
)

TE_MISCONCEPTIONS = (
    Misconception(
        "mean instead of sum",
        "The course's E is summed over the samples, so a batch's gradient is the sum of its samples' "
        "gradients; averaging divides every step by the batch size.",
        _L9_SUM, _edit(_EPOCH_SOURCE, ("gradient = deltas.T @ Xb", "gradient = deltas.T @ Xb / len(idx)"))),
    Misconception(
        "every gradient at the starting weights",
        "Each update's gradient is taken at the CURRENT weights, the ones the previous update produced; "
        "gradients at the starting weights describe a network that no longer exists.",
        _L9_THREE, _edit(_EPOCH_SOURCE, ("    history = []\n", "    history = []\n    W0 = W.copy()\n"),
                                         ("np.exp(-(Xb @ W.T))", "np.exp(-(Xb @ W0.T))"))),
    Misconception(
        "one update for the whole epoch",
        "Every batch in the list is its own update, with its own step; gathering all of them into one step "
        "turns any mode into batch mode.",
        _L9_THREE, _edit(_EPOCH_SOURCE, ("for idx in batches:", "for idx in [sum(batches, [])]:"))),
    Misconception(
        "sign flip",
        "Gradient descent steps AGAINST the gradient, W - lr * gradient; adding the gradient climbs the error.",
        _L9_THREE, _edit(_EPOCH_SOURCE, ("W = W - lr * gradient", "W = W + lr * gradient"))),
    Misconception(
        "missing f'",
        "The error term of a sigmoid neuron is -(t - y) times its slope y (1 - y); without the slope the "
        "updates are those of a linear neuron.",
        _L9_SUM, _edit(_EPOCH_SOURCE, ("deltas = -(Tb - Y) * Y * (1.0 - Y)", "deltas = -(Tb - Y)"))),
)

EXERCISES = [
    Exercise(
        id="ex09.epoch_batches", function="epoch_batches", title="the samples of every update, per epoch",
        prompt=EPOCH_BATCHES_PROMPT, solution=EPOCH_BATCHES_SOLUTION,
        notebook=NOTEBOOK,
        public=lambda: [Case("public 1", ("batch", 5, None, 2, 0)),
                        Case("public 2", ("online", 4, None, 2, 0)),
                        Case("public 3", ("minibatch", 7, 3, 1, 0))],
        hidden=_b_hidden, reference=_epoch_batches, forbidden=FORBIDDEN, points=2.0, hint=B_HINT,
        misconceptions=B_MISCONCEPTIONS,
    ),
    Exercise(
        id="ex09.per_sample_gradients", function="per_sample_gradients",
        prompt=PER_SAMPLE_GRADIENTS_PROMPT, solution=PER_SAMPLE_GRADIENTS_SOLUTION,
        title="per-sample gradients and their sum", notebook=NOTEBOOK,
        public=lambda: [Case("public 1", (_PUBLIC_W, _PUBLIC_X[:2], _PUBLIC_T[:2]))],
        hidden=_ps_hidden, reference=_per_sample_gradients, forbidden=FORBIDDEN, hint=PS_HINT,
        misconceptions=PS_MISCONCEPTIONS,
    ),
    Exercise(
        id="ex09.train_epoch", function="train_epoch", title="one epoch of updates over given batches",
        prompt=TRAIN_EPOCH_PROMPT, solution=TRAIN_EPOCH_SOLUTION,
        notebook=NOTEBOOK,
        public=lambda: [Case("public 1", (_PUBLIC_W, _PUBLIC_X, _PUBLIC_T, 0.5, [[0, 1], [2, 3]]))],
        hidden=_te_hidden, reference=_train_epoch, forbidden=FORBIDDEN, points=2.0, hint=TE_HINT,
        misconceptions=TE_MISCONCEPTIONS,
    ),
]
