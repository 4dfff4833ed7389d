"""Exercises of lesson 12 (all seeds): the digits run of the lesson, rebuilt from scratch with numpy.

``one_hot_split`` is judged by the package's own data handling (:func:`backprop_course.datasets.one_hot`
and :func:`~backprop_course.datasets.train_test_split`, the calls the lesson makes). ``accuracy_confusion``
has a small reference here that counts with ``np.bincount`` (the lesson counts with ``np.add.at``).
``train_mlp`` is judged by the engine: an ``MLP`` holding the given parameters, trained by ``train_step``
with plain ``SGD`` on the same batches; the loss is the seeds' E = 1/2 * sum of (t - y)^2 over a batch.
"""
from __future__ import annotations

import numpy as np

from ...datasets import one_hot, train_test_split
from . import draw
from .worksheet import Worksheet
from ..checking.cases import Case
from ..checking.exercise import Exercise
from ._nets import net_from, sgd_over_batches

NOTEBOOK = "ex12_digits"
_ALWAYS = frozenset({"engine", "torch", "autograd", "jax", "sklearn", "tensorflow", "keras"})
SPLIT_FORBIDDEN = _ALWAYS | {"datasets", "train_test_split", "model_selection"}
CONFUSION_FORBIDDEN = _ALWAYS | {"metrics", "confusion_matrix", "accuracy_score"}
TRAIN_FORBIDDEN = _ALWAYS | {"MLP", "train", "train_step", "training", "SGD", "optim", "compute_update",
                             "backward", "gradcheck", "Gradients", "get_activation", "ACTIVATIONS",
                             "set_state", "datasets"}

WORKSHEET = Worksheet(
    stem=NOTEBOOK,
    title="Exercises 12: the digits network from scratch",
    lesson="12",
    intro="""Practice for lesson 12, the capstone. The lesson let the package do the work: `bc.datasets`
prepared the digits, `bc.MLP`, `bc.SGD` and `bc.train` trained the network, and a few lines of numpy
counted its mistakes. Here you write those pieces yourself with numpy alone, so that every step of the
course (one-hot targets, the forward pass, error terms, summed batch gradients, the update) sits in code
you wrote. Shapes follow the package: `weights[l]` has shape `(sizes[l+1], sizes[l])` (row j holds the
weights *into* neuron j), `biases[l]` shape `(sizes[l+1],)`, and samples are rows. The error is the
seeds' E = 1/2 sum (t - y)^2 over the samples of a batch and the outputs.

When all three checks pass, try the real thing in cells of your own: split `bc.datasets.digits()` with
your first function, train `[64, 32, 10]` with your `train_mlp` on mini-batches of 32 (a fresh
permutation each epoch, as in exercise 9.1), and measure the test set with your `accuracy_confusion`.
Without momentum a rate around 0.05 works: from the lesson's starting weights (`bc.MLP([64, 32, 10],
activation=["tanh", "sigmoid"], seed=0)`), 30 epochs give above 95 % on the test images.""",
)

ONE_HOT_SPLIT_PROMPT = """### Exercise 12.1 - one-hot targets and a seeded train/test split

Write `one_hot_split(X, labels, n_classes, test_fraction, seed)`. `X` is an `(n, d)` array of inputs and
`labels` a sequence of n class numbers in `0 .. n_classes - 1`.

1. Build the one-hot targets `T`, shape `(n, n_classes)`: row p is all zeros except a 1 in column
   `labels[p]`. Take the number of columns from `n_classes`, not from the labels (a class may be missing
   from a small sample).
2. Split as `bc.datasets.train_test_split` does in the lesson: draw one random order of the samples with
   `np.random.default_rng(seed).permutation(n)`; the first `round(n * test_fraction)` positions of that
   order are the test samples, the remaining ones (in the order's sequence) the training samples. Inputs
   and targets must be split with the same order, or images and digits get separated.

Return `(X_train, X_test, T_train, T_test)`."""

ONE_HOT_SPLIT_SOLUTION = '''def one_hot_split(X, labels, n_classes, test_fraction, seed):
    """One-hot targets from labels, then a seeded split: (X_train, X_test, T_train, T_test)."""
    # BEGIN SOLUTION
    labels = np.asarray(labels, dtype=int)
    T = np.eye(n_classes)[labels]                      # row p: the identity row of class labels[p]
    n = len(X)
    order = np.random.default_rng(seed).permutation(n) # one shuffled order for inputs AND targets
    n_test = int(round(n * test_fraction))
    test, train = order[:n_test], order[n_test:]       # the test part comes first
    return X[train], X[test], T[train], T[test]
    # END SOLUTION'''

ACCURACY_CONFUSION_PROMPT = """### Exercise 12.2 - predictions, accuracy and the confusion matrix

`Y` holds a network's outputs, shape `(n, k)` (k = 10 for the digits), and `T` the one-hot targets of
the same shape. Return the tuple `(predicted, accuracy, confusion)`:

- `predicted`: shape `(n,)`, the class the network answers for each sample, i.e. the position of its
  largest output;
- `accuracy`: the fraction of samples (a float between 0 and 1) whose answer is the true class, the
  position of the 1 in its target row;
- `confusion`: a `(k, k)` array of counts; entry `[i, j]` is the number of samples of **true class i
  (row)** that the network labelled **j (column)**. Its diagonal holds the correct answers, and all its
  entries add up to n.

A trap worth knowing: with index arrays that repeat a pair, numpy's `A[rows, cols] += 1` adds 1 only
once per distinct pair."""

ACCURACY_CONFUSION_SOLUTION = '''def accuracy_confusion(Y, T):
    """(predicted classes (n,), accuracy, confusion (k, k) with rows = true class, columns = answer)."""
    # BEGIN SOLUTION
    k = Y.shape[1]
    predicted = Y.argmax(axis=1)                       # the answer: the largest output of each row
    true = T.argmax(axis=1)                            # where the 1 sits in each one-hot target
    accuracy = float(np.mean(predicted == true))
    confusion = np.zeros((k, k), dtype=int)
    np.add.at(confusion, (true, predicted), 1)         # adds 1 for every sample, repeated pairs too
    return predicted, accuracy, confusion
    # END SOLUTION'''

TRAIN_MLP_PROMPT = """### Exercise 12.3 - training a network, from scratch

Write `train_mlp(weights, biases, activations, X, T, lr, batches)`: plain gradient descent (no
momentum) on a fully connected network of any depth.

- `weights`, `biases`: the initial parameters, lists with one array per layer (shapes above);
- `activations`: one name per layer, `"tanh"` or `"sigmoid"` (the lesson's network is
  `["tanh", "sigmoid"]`); both slopes can be written with the layer's output a: tanh' = 1 - a^2 and
  sigmoid' = a (1 - a);
- `X` `(n, sizes[0])`, `T` `(n, sizes[-1])`; `lr` the learning rate;
- `batches`: a list of index lists, e.g. `[[0, 2], [1, 3], [3]]`; a sample may appear in several.

For each batch in turn: run the forward pass on its samples (net input `A @ W.T + b`, then the layer's
activation), record the batch's E at the current weights, backpropagate the error terms from the output
down, form every layer's gradient **summed** over the batch's samples, and only then update every layer:
W <- W - lr dE/dW, b <- b - lr dE/db. Return the tuple `(weights, biases, losses)`: the final parameters
(lists of arrays, shapes as given) and the list of the batches' E values, one per update, each measured
before its update. Do not change the arrays you were given.

The check compares your result with the package's own training step on the same network and batches.
Everything the function needs (the activations, their slopes) must be inside its cell."""

TRAIN_MLP_SOLUTION = '''def train_mlp(weights, biases, activations, X, T, lr, batches):
    """Plain gradient descent over the given batches; returns (weights, biases, losses)."""
    # BEGIN SOLUTION
    def f(name, z):
        if name == "tanh":
            return np.tanh(z)
        e = np.exp(-np.abs(z))                         # a sigmoid that never overflows
        return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))

    def slope(name, a):
        # the derivative of the activation, written with its output a = f(z)
        return 1.0 - a * a if name == "tanh" else a * (1.0 - a)

    weights = [np.array(W, dtype=float) for W in weights]   # copies: the caller's arrays stay unchanged
    biases = [np.array(b, dtype=float) for b in biases]
    L, losses = len(weights), []
    for idx in batches:
        Xb, Tb = X[idx], T[idx]                        # the samples of this update
        outs = [Xb]                                    # forward pass, keeping every layer's output
        for W, b, name in zip(weights, biases, activations):
            outs.append(f(name, outs[-1] @ W.T + b))
        Y = outs[-1]
        losses.append(0.5 * np.sum((Tb - Y) ** 2))     # E of this batch at the weights before the update
        grad_w, grad_b = [None] * L, [None] * L
        delta = -(Tb - Y) * slope(activations[-1], Y)  # output error term dE/d(net input)
        for l in range(L - 1, -1, -1):                 # backward pass, top layer first
            grad_w[l] = delta.T @ outs[l]              # summed over the samples of the batch
            grad_b[l] = delta.sum(axis=0)              # a bias is a weight on a constant input 1
            if l > 0:
                delta = (delta @ weights[l]) * slope(activations[l - 1], outs[l])
        for l in range(L):                             # update only now that every gradient is known
            weights[l] = weights[l] - lr * grad_w[l]
            biases[l] = biases[l] - lr * grad_b[l]
    return weights, biases, losses
    # END SOLUTION'''


# -- references ---------------------------------------------------------------------------------------------
def _one_hot_split(X, labels, n_classes, test_fraction, seed):
    T = one_hot(np.asarray(labels, dtype=int), int(n_classes))
    return train_test_split(np.asarray(X, dtype=float), T, test_fraction=test_fraction, seed=int(seed))


def _accuracy_confusion(Y, T):
    Y, T = np.asarray(Y, dtype=float), np.asarray(T, dtype=float)
    k = Y.shape[1]
    predicted, true = Y.argmax(axis=1), T.argmax(axis=1)
    confusion = np.bincount(true * k + predicted, minlength=k * k).reshape(k, k)  # row: true, column: answer
    return (predicted, float(np.mean(predicted == true)), confusion)


def _train_mlp(weights, biases, activations, X, T, lr, batches):
    net = net_from(weights, biases, list(activations))
    losses = list(sgd_over_batches(net, X, T, lr, batches))
    return ([W.copy() for W in net.weights], [b.copy() for b in net.biases], losses)


# -- hints --------------------------------------------------------------------------------------------------
SPLIT_HINT = ("T = the rows of np.eye(n_classes) picked by the labels; order = np.random.default_rng(seed)"
              ".permutation(n), n_test = round(n * test_fraction); the TEST part is order[:n_test], the "
              "training part order[n_test:], and X and T are indexed with the same order")
CONF_HINT = ("predicted = Y.argmax(axis=1), true = T.argmax(axis=1); accuracy is the FRACTION of equal "
             "pairs; confusion[true, predicted] counts every sample (row = true class, column = answer), "
             "and confusion[rows, cols] += 1 counts a repeated pair only once: use np.add.at or a loop")
TRAIN_HINT = ("per batch: forward with biases (Z = A @ W.T + b, then that layer's activation), E = 1/2 "
              "sum (T - Y)^2 before the update, output delta = -(T - Y) * f'(out), hidden delta = "
              "(delta @ W_next) * f'(a) with tanh' = 1 - a^2 and sigmoid' = a(1 - a); gradients SUMMED "
              "over the batch; update every layer only after all gradients of the batch are known")


# -- hidden cases -------------------------------------------------------------------------------------------
def _split_hidden(rng):
    cases = []
    # the fractional part of n * test_fraction: kept away from .5 (where rounding rules differ), and
    # above .5 in cases 2 to 4, where truncating instead of rounding gives a different split
    for i, want_up in enumerate((False, True, True, True), start=1):
        while True:
            n = int(rng.integers(6, 31))
            frac = float(rng.choice([0.2, 0.25, 0.3, 1.0 / 3.0, 0.4]))
            part = n * frac - np.floor(n * frac)
            if abs(part - 0.5) < 0.05 or (want_up is True and part < 0.55):
                continue
            break
        n_classes = int(rng.integers(3, 11))
        # cases 1, 3 and 4: the highest class never occurs, so n_classes cannot be read off the labels
        top = n_classes if i == 2 else n_classes - 1
        labels = [int(v) for v in rng.integers(0, top, size=n)]
        X = draw.mixed(rng, (n, int(rng.integers(2, 6))), 0.1, 2.0)
        cases.append(Case(f"hidden {i}", (X, labels, n_classes, frac, int(rng.integers(0, 10_000))), True,
                          SPLIT_HINT))
    return cases


def _outputs(rng, n, k, correct=0.7):
    """Network-like outputs: random in (0, 1), the true class lifted for about ``correct`` of the rows."""
    labels = rng.integers(0, k, size=n)
    T = np.eye(k)[labels]
    Y = rng.uniform(0.0, 1.0, size=(n, k))
    Y[np.arange(n), labels] += 0.8 * (rng.uniform(size=n) < correct)
    return Y, T


def _conf_hidden(rng):
    cases = []
    for i, (n, k) in enumerate(((1, 10), (int(rng.integers(30, 80)), 10), (int(rng.integers(15, 40)),
                                                                          int(rng.integers(3, 7)))), start=1):
        while True:
            Y, T = _outputs(rng, n, k)
            confusion = _accuracy_confusion(Y, T)[2]
            wrong = np.trace(confusion) < n
            # every case has a mistake; the larger ones are lopsided, so rows and columns cannot be swapped
            if wrong and (n == 1 or not np.array_equal(confusion, confusion.T)):
                break
        cases.append(Case(f"hidden {i}", (Y, T), True, CONF_HINT))
    return cases


def _net_case(rng, sizes, activations, n, batches, lr):
    weights = [draw.mixed(rng, (b, a), 0.2, 1.2) for a, b in zip(sizes[:-1], sizes[1:])]
    biases = [draw.mixed(rng, b, 0.1, 0.8) for b in sizes[1:]]
    X = draw.mixed(rng, (n, sizes[0]), 0.1, 1.5)
    T = np.eye(sizes[-1])[rng.integers(0, sizes[-1], size=n)]
    return (weights, biases, activations, X, T, lr, batches)


def _minibatches(rng, n, size, epochs=1):
    out = []
    for _ in range(epochs):
        order = [int(p) for p in rng.permutation(n)]
        out += [sorted(order[s:s + size]) for s in range(0, n, size)]
    return out


def _train_hidden(rng):
    cases = []
    lr = lambda: float(rng.uniform(0.3, 1.0))  # noqa: E731 - large enough that stale weights show
    # 1: three layers as in the lesson (tanh hidden, sigmoid output), mini-batches of 2 or 3
    sizes = draw.distinct_sizes(rng, 3, 2, 7)
    n = int(rng.integers(5, 9))
    cases.append(_net_case(rng, sizes, ["tanh", "sigmoid"], n, _minibatches(rng, n, int(rng.integers(2, 4))),
                           lr()))
    # 2: two hidden layers of different activations, two epochs of mini-batches
    sizes = draw.distinct_sizes(rng, 4, 2, 7)
    n = int(rng.integers(4, 8))
    acts = [str(a) for a in rng.choice(["tanh", "sigmoid"], size=2, replace=False)] + ["sigmoid"]
    cases.append(_net_case(rng, sizes, acts, n, _minibatches(rng, n, 2, epochs=2), lr()))
    # 3: a single update on a batch of one sample
    sizes = draw.distinct_sizes(rng, 3, 2, 6)
    cases.append(_net_case(rng, sizes, ["tanh", "sigmoid"], 1, [[0]], lr()))
    # 4: online updates with tanh everywhere (a tanh output layer too)
    sizes = draw.distinct_sizes(rng, 3, 2, 6)
    n = int(rng.integers(3, 6))
    cases.append(_net_case(rng, sizes, ["tanh", "tanh"], n, _minibatches(rng, n, 1), lr()))
    # 5: one batch holding every sample, sigmoid everywhere
    sizes = draw.distinct_sizes(rng, 3, 2, 6)
    n = int(rng.integers(3, 7))
    cases.append(_net_case(rng, sizes, ["sigmoid", "sigmoid"], n, [list(range(n))], lr()))
    return [Case(f"hidden {i}", args, True, TRAIN_HINT) for i, args in enumerate(cases, start=1)]


# -- public cases -------------------------------------------------------------------------------------------
_PUBLIC_SPLIT = (np.arange(24, dtype=float).reshape(8, 3) / 10.0, [3, 0, 2, 4, 1, 3, 0, 2], 5, 0.25, 0)
# answers 1, 0, 1, 2, 1, 2 for true classes 1, 0, 1, 0, 2, 2: two mistakes, a lopsided confusion matrix
_PUBLIC_Y = np.array([[0.1, 0.7, 0.2], [0.8, 0.3, 0.1], [0.2, 0.6, 0.4], [0.3, 0.2, 0.5], [0.3, 0.6, 0.2],
                      [0.1, 0.3, 0.9]])
_PUBLIC_T = np.eye(3)[[1, 0, 1, 0, 2, 2]]
_PUBLIC_NET = (
    [np.array([[0.4, -0.6, 0.2], [-0.3, 0.5, 0.8], [0.7, 0.1, -0.5], [-0.2, -0.4, 0.3]]),
     np.array([[0.5, -0.7, 0.3, 0.6], [-0.4, 0.2, 0.9, -0.5]])],
    [np.array([0.1, -0.2, 0.05, 0.3]), np.array([-0.1, 0.2])],
    ["tanh", "sigmoid"],
    np.array([[0.5, -1.0, 0.2], [1.0, 0.3, -0.6], [-0.4, 0.8, 0.9], [0.2, 0.1, -1.2]]),
    np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 1.0], [1.0, 0.0]]),
    0.5,
    [[0, 2], [1, 3], [3]],
)

# -- misconceptions: the wrong functions a learner writes, run on the same cases ------------------------------
from ..checking.exercise import Misconception  # noqa: E402 - kept next to the catalogue it builds
from ._edits import edited as _edit  # noqa: E402

_L12_DATA = 'lesson 12, section 1 "The data"'
_L12_MISTAKES = 'lesson 12, section 5 "Looking at the mistakes"'
_L12_RUN = 'lesson 12, section 2 "The network and the training run"'
_L9_SUM = 'lesson 09, section 2 "The batch gradient is a sum"'
_L6_EQUATIONS = 'lesson 06, section 1 "From one path to many: the three equations of Backpropagation for dummies"'

# The model solutions (without their comments); each misconception is a small edit of one of them.
_SPLIT_SOURCE = """def one_hot_split(X, labels, n_classes, test_fraction, seed):
    labels = np.asarray(labels, dtype=int)
    T = np.eye(n_classes)[labels]
    n = len(X)
    order = np.random.default_rng(seed).permutation(n)
    n_test = int(round(n * test_fraction))
    test, train = order[:n_test], order[n_test:]
    return X[train], X[test], T[train], T[test]
"""

_CONFUSION_SOURCE = """def accuracy_confusion(Y, T):
    k = Y.shape[1]
    predicted = Y.argmax(axis=1)
    true = T.argmax(axis=1)
    accuracy = float(np.mean(predicted == true))
    confusion = np.zeros((k, k), dtype=int)
    np.add.at(confusion, (true, predicted), 1)
    return predicted, accuracy, confusion
"""

_TRAIN_SOURCE = """def train_mlp(weights, biases, activations, X, T, lr, batches):
    def f(name, z):
        if name == "tanh":
            return np.tanh(z)
        return 1.0 / (1.0 + np.exp(-z))

    def slope(name, a):
        return 1.0 - a * a if name == "tanh" else a * (1.0 - a)

    weights = [np.array(W, dtype=float) for W in weights]
    biases = [np.array(b, dtype=float) for b in biases]
    L, losses = len(weights), []
    for idx in batches:
        Xb, Tb = X[idx], T[idx]
        outs = [Xb]
        for W, b, name in zip(weights, biases, activations):
            outs.append(f(name, outs[-1] @ W.T + b))
        Y = outs[-1]
        losses.append(0.5 * np.sum((Tb - Y) ** 2))
        grad_w, grad_b = [None] * L, [None] * L
        delta = -(Tb - Y) * slope(activations[-1], Y)
        for l in range(L - 1, -1, -1):
            grad_w[l] = delta.T @ outs[l]
            grad_b[l] = delta.sum(axis=0)
            if l > 0:
                delta = (delta @ weights[l]) * slope(activations[l - 1], outs[l])
        for l in range(L):
            weights[l] = weights[l] - lr * grad_w[l]
            biases[l] = biases[l] - lr * grad_b[l]
    return weights, biases, losses
"""


SPLIT_MISCONCEPTIONS = (
    Misconception(
        "test part taken from the end",
        "The split follows the package: the FIRST round(n * test_fraction) positions of the shuffled order "
        "are the test samples, the rest the training samples.",
        _L12_DATA, _edit(_SPLIT_SOURCE, ("test, train = order[:n_test], order[n_test:]",
                                         "test, train = order[n - n_test:], order[:n - n_test]"))),
    Misconception(
        "inputs and targets shuffled with different orders",
        "One order must index both X and T: drawing a second permutation for the targets separates every "
        "image from its digit.",
        _L12_DATA, _edit(_SPLIT_SOURCE, ("    order = np.random.default_rng(seed).permutation(n)\n",
                                         "    rng = np.random.default_rng(seed)\n"
                                         "    order, order_t = rng.permutation(n), rng.permutation(n)\n"),
                         ("T[train], T[test]", "T[order_t[n_test:]], T[order_t[:n_test]]"))),
    Misconception(
        "number of classes read off the labels",
        "A small sample may miss a class entirely; the targets need n_classes columns whatever labels occur, "
        "so take the width from n_classes, not from the largest label.",
        _L12_DATA, _edit(_SPLIT_SOURCE, ("T = np.eye(n_classes)[labels]", "T = np.eye(labels.max() + 1)[labels]"))),
    Misconception(
        "size of the test part truncated",
        "The test part holds round(n * test_fraction) samples; int() cuts the fraction off, one sample short "
        "whenever it is above one half.",
        _L12_DATA, _edit(_SPLIT_SOURCE, ("n_test = int(round(n * test_fraction))", "n_test = int(n * test_fraction)"))),
    Misconception(
        "no shuffle",
        "Split a random order of the samples, drawn from the seed; cutting the data as it comes puts whatever "
        "order it was stored in (often sorted by class) into the test part.",
        _L12_DATA, _edit(_SPLIT_SOURCE, ("order = np.random.default_rng(seed).permutation(n)",
                                         "order = np.arange(n)"))),
)

CONF_MISCONCEPTIONS = (
    Misconception(
        "repeated pairs counted once (confusion[rows, cols] += 1)",
        "With index arrays, numpy's += adds 1 only once per distinct (true, answer) pair, however often it "
        "repeats; np.add.at, or a loop over the samples, counts every sample.",
        _L12_MISTAKES, _edit(_CONFUSION_SOURCE, ("np.add.at(confusion, (true, predicted), 1)",
                                                 "confusion[true, predicted] += 1"))),
    Misconception(
        "rows and columns swapped",
        "Row i of the confusion matrix is the TRUE class i and column j the network's answer j: entry "
        "[true, predicted], not [predicted, true].",
        _L12_MISTAKES, _edit(_CONFUSION_SOURCE, ("(true, predicted), 1)", "(predicted, true), 1)"))),
    Misconception(
        "accuracy as a count",
        "Accuracy is the FRACTION of samples answered correctly, between 0 and 1: the count divided by n.",
        _L12_MISTAKES, _edit(_CONFUSION_SOURCE, ("float(np.mean(predicted == true))",
                                                 "float(np.sum(predicted == true))"))),
    Misconception(
        "accuracy as a percentage",
        "Accuracy is returned as a fraction between 0 and 1; a percentage is the same number times 100, for "
        "printing only.",
        _L12_MISTAKES, _edit(_CONFUSION_SOURCE, ("float(np.mean(predicted == true))",
                                                 "float(100.0 * np.mean(predicted == true))"))),
)

TRAIN_MISCONCEPTIONS = (
    Misconception(
        "mean instead of sum",
        "The course's E sums over the samples of a batch, so every gradient is the SUM of the samples' "
        "gradients; dividing by the batch size shrinks each step.",
        _L9_SUM, _edit(_TRAIN_SOURCE, ("grad_w[l] = delta.T @ outs[l]", "grad_w[l] = delta.T @ outs[l] / len(idx)"),
                       ("grad_b[l] = delta.sum(axis=0)", "grad_b[l] = delta.mean(axis=0)"))),
    Misconception(
        "layer updated before the error passes through it",
        "The error term of a lower layer goes down through the weights used in the forward pass; updating a "
        "layer before passing the error through it mixes old and new weights. Update every layer at the end.",
        _L6_EQUATIONS, _edit(_TRAIN_SOURCE, ("            grad_b[l] = delta.sum(axis=0)\n",
                                             "            grad_b[l] = delta.sum(axis=0)\n"
                                             "            weights[l] = weights[l] - lr * grad_w[l]\n"
                                             "            biases[l] = biases[l] - lr * grad_b[l]\n"),
                             ("        for l in range(L):\n            weights[l] = weights[l] - lr * grad_w[l]\n"
                              "            biases[l] = biases[l] - lr * grad_b[l]\n", ""))),
    Misconception(
        "slope of the wrong layer (off by one)",
        "The error term of hidden layer l is multiplied by the slope of THAT layer's activation, "
        "activations[l - 1] for outs[l]; with mixed activations the next layer's slope is the wrong one.",
        _L6_EQUATIONS, _edit(_TRAIN_SOURCE, ("slope(activations[l - 1], outs[l])", "slope(activations[l], outs[l])"))),
    Misconception(
        "biases never updated",
        "A bias is a weight on a constant input 1: its gradient is the error term summed over the batch, and "
        "it takes a step like every weight.",
        _L12_RUN, _edit(_TRAIN_SOURCE, ("biases[l] = biases[l] - lr * grad_b[l]", "biases[l] = biases[l]"))),
    Misconception(
        "the sigmoid's slope for every layer",
        "Each layer uses the slope of its own activation: tanh' = 1 - a^2 for a tanh layer, a (1 - a) only for "
        "a sigmoid layer.",
        _L6_EQUATIONS, _edit(_TRAIN_SOURCE, ("return 1.0 - a * a if name == \"tanh\" else a * (1.0 - a)",
                                             "return a * (1.0 - a)"))),
    Misconception(
        "loss recorded after the update",
        "Each batch's E is measured in the forward pass that computes its gradient, at the weights BEFORE "
        "its update.",
        _L12_RUN, _edit(_TRAIN_SOURCE, ("        losses.append(0.5 * np.sum((Tb - Y) ** 2))\n", ""),
                        ("    return weights, biases, losses\n",
                         "        A = Xb\n        for W, b, name in zip(weights, biases, activations):\n"
                         "            A = f(name, A @ W.T + b)\n        losses.append(0.5 * np.sum((Tb - A) ** 2))\n"
                         "    return weights, biases, losses\n"))),
)

EXERCISES = [
    Exercise(
        id="ex12.one_hot_split", function="one_hot_split", title="one-hot targets and a seeded train/test split",
        prompt=ONE_HOT_SPLIT_PROMPT, solution=ONE_HOT_SPLIT_SOLUTION,
        notebook=NOTEBOOK, public=lambda: [Case("public 1", _PUBLIC_SPLIT)],
        hidden=_split_hidden, reference=_one_hot_split, forbidden=SPLIT_FORBIDDEN, hint=SPLIT_HINT,
        misconceptions=SPLIT_MISCONCEPTIONS,
    ),
    Exercise(
        id="ex12.accuracy_confusion", function="accuracy_confusion",
        prompt=ACCURACY_CONFUSION_PROMPT, solution=ACCURACY_CONFUSION_SOLUTION,
        title="predicted classes, accuracy and confusion matrix", notebook=NOTEBOOK,
        public=lambda: [Case("public 1", (_PUBLIC_Y, _PUBLIC_T))],
        hidden=_conf_hidden, reference=_accuracy_confusion, forbidden=CONFUSION_FORBIDDEN, points=2.0,
        hint=CONF_HINT,
        misconceptions=CONF_MISCONCEPTIONS,
    ),
    Exercise(
        id="ex12.train_mlp", function="train_mlp", title="an MLP trained by gradient descent, from scratch",
        prompt=TRAIN_MLP_PROMPT, solution=TRAIN_MLP_SOLUTION,
        notebook=NOTEBOOK, public=lambda: [Case("public 1", _PUBLIC_NET)],
        hidden=_train_hidden, reference=_train_mlp, forbidden=TRAIN_FORBIDDEN, points=3.0, hint=TRAIN_HINT,
        misconceptions=TRAIN_MISCONCEPTIONS,
    ),
]
