"""Exercises of lesson 14: a stable softmax, the cross-entropy with log-sum-exp, and dE/dZ = softmax(Z) - T.

Scores are a batch: ``Z`` has shape ``(n_samples, K)``, one row per sample, and the softmax works along
each row. ``T`` holds the targets, one probability vector (usually one-hot) per row. The loss is the
course's summed convention: E = -sum over samples and classes of t log softmax(z), so its gradient
has no division by the number of samples.

The hidden cases are built so that each classic mistake fails most of them: every case has several
samples (a mean instead of a sum shows), and three of the four hold scores of several hundred to 1000
in both signs, with rows whose largest score lies far below the largest score of the batch (a shift by
the batch's maximum instead of each row's then gives 0/0) and rows whose scores span more than the
~745 that ``exp`` can resolve (a logarithm taken after the softmax then meets log 0).
"""
from __future__ import annotations

import numpy as np

from ...engine.losses import softmax as _softmax
from ...engine.losses import softmax_cross_entropy
from . import draw
from .worksheet import Worksheet
from ..checking.cases import Case
from ..checking.exercise import Exercise, Misconception

NOTEBOOK = "ex14_softmax"
FORBIDDEN = frozenset({"engine", "losses", "softmax_cross_entropy", "log_softmax", "logsumexp",
                       "scipy", "special", "torch", "jax", "MLP", "backward"})

LESSON_LSE = 'lesson 14, section 5 "Large scores: the log-sum-exp trick"'
LESSON_SOFTMAX = 'lesson 14, section 1 "From scores to probabilities"'
LESSON_DERIVATION = 'lesson 14, section 2 "The derivation: dE/dz_j = y_j - t_j"'
LESSON_SATURATION = 'lesson 14, section 4 "Why this pair does not saturate"'
LESSON_BATCH = 'lesson 14, section 6 "A batch, and a whole network"'


WORKSHEET = Worksheet(
    stem=NOTEBOOK,
    title="Exercises 14: softmax and cross-entropy, stable for large scores",
    lesson="14",
    intro="""Practice for lesson 14. A classifier's last layer gives K scores (logits) per sample; the
softmax turns them into probabilities, the cross-entropy scores those against the targets, and the
backward pass starts from the gradient the lesson derived with SymPy, dE/dz = y - t. You write all three
for a **batch**: `Z` has shape `(n_samples, K)`, one row per sample, and `T` the same shape, one target
probability vector (usually one-hot) per row. The loss is **summed** over the samples, as everywhere in
the course.

The checks use scores as large as |z| = 1000 in both signs, where `np.exp` overflows (it is infinite
above about 709.78) or underflows to 0 (below about -745): the log-sum-exp trick of the lesson is
required. Everything a function needs must sit in its own cell (the grader runs each cell alone).""",
)

SOFTMAX_PROMPT = """### Exercise 14.1 - a stable softmax for a batch

Write `softmax(Z)` for `Z` of shape `(n, K)`: row p of the result is the softmax of row p of `Z`,

y_pi = exp(z_pi) / sum_m exp(z_pm).

Subtract each row's largest score before exponentiating (the result is the same mathematically, and
nothing overflows). Every row of the result must sum to 1. With `Z = [[1, 2, 3]]` you should get about
`[[0.090031, 0.244728, 0.665241]]`, and `[[1000, 999, 998]]` must give the same numbers in reverse
order, not NaN."""

SOFTMAX_SOLUTION = '''def softmax(Z):
    """Row-wise softmax of the scores Z (n, K); rows of the result sum to 1."""
    # BEGIN SOLUTION
    shifted = Z - Z.max(axis=1, keepdims=True)         # each row's largest score becomes 0: no overflow
    E = np.exp(shifted)
    return E / E.sum(axis=1, keepdims=True)            # each row's sum is at least 1: no 0/0
    # END SOLUTION'''

CROSS_ENTROPY_PROMPT = """### Exercise 14.2 - the cross-entropy, with the log-sum-exp trick

Write `cross_entropy(Z, T)` returning the float

E = - sum over samples p and classes i of  t_pi * log softmax(z_p)_i .

Do not take the logarithm of a softmax probability: for large scores a probability underflows to 0,
`log(0)` is `-inf` and `0 * log(0)` is NaN. Compute the log-softmax directly, row by row, with
c = the row's largest score:

log softmax(z)_i = z_i - c - log(sum_m exp(z_m - c)).

With `Z = [[1, 2, 3]]` and `T = [[0, 1, 0]]` you should get about 1.407606. Sum over the samples: no
division by n."""

CROSS_ENTROPY_SOLUTION = '''def cross_entropy(Z, T):
    """Summed cross-entropy of softmax(Z) (n, K) against the targets T (n, K), as a float."""
    # BEGIN SOLUTION
    c = Z.max(axis=1, keepdims=True)
    log_y = Z - c - np.log(np.exp(Z - c).sum(axis=1, keepdims=True))   # log softmax, always finite
    return float(-np.sum(T * log_y))
    # END SOLUTION'''

SOFTMAX_CE_BACKWARD_PROMPT = """### Exercise 14.3 - the backward pass: dE/dZ

Write `softmax_ce_backward(Z, T)` returning dE/dZ for the summed loss of exercise 14.2, shape `(n, K)`.
The lesson derived it: for each sample, dE/dz_j = y_j - t_j with y = softmax(z) (the targets of each row
sum to 1). No slope of an activation is left, and with the summed loss nothing is divided by n. The
softmax must be the stable one of exercise 14.1 (write it again inside this cell). With `Z = [[1, 2, 3]]`
and `T = [[0, 1, 0]]` you should get about `[[0.090031, -0.755272, 0.665241]]`."""

SOFTMAX_CE_BACKWARD_SOLUTION = '''def softmax_ce_backward(Z, T):
    """dE/dZ (n, K) of E = -sum T log softmax(Z): softmax(Z) - T, row by row."""
    # BEGIN SOLUTION
    E = np.exp(Z - Z.max(axis=1, keepdims=True))       # the stable softmax again
    Y = E / E.sum(axis=1, keepdims=True)
    return Y - T                                       # the derivation's y - t, one row per sample
    # END SOLUTION'''


def _reference_softmax(Z):
    return _softmax(np.asarray(Z, dtype=float))


def _reference_cross_entropy(Z, T):
    return softmax_cross_entropy.value(np.asarray(Z, dtype=float), np.asarray(T, dtype=float))


def _reference_backward(Z, T):
    return softmax_cross_entropy.grad(np.asarray(Z, dtype=float), np.asarray(T, dtype=float))


# ---- inputs ----------------------------------------------------------------------------------------

def _shape(rng) -> tuple[int, int]:
    """n samples and K classes (2-6 each), with n != K so that a softmax over the wrong axis shows."""
    n, k = draw.distinct_sizes(rng, 2, 2, 6)
    return n, k


def _moderate(rng, n: int, k: int) -> np.ndarray:
    return draw.mixed(rng, (n, k), 0.2, 4.0)


def _large(rng, n: int, k: int) -> np.ndarray:
    """Scores up to |z| = 1000. "High" rows hold one score in [700, 1000] and one in [-1000, -700];
    "low" rows lie entirely in [-1000, -150], with a span above 790. Rows alternate, high first, so
    every row's span overflows a naive exp and the low rows sit > 850 below the batch's maximum."""
    Z = np.empty((n, k))
    for r in range(n):
        if r % 2 == 0:
            row = rng.uniform(-1000.0, 1000.0, size=k)
            a, b = rng.choice(k, size=2, replace=False)
            row[a], row[b] = rng.uniform(700.0, 1000.0), -rng.uniform(700.0, 1000.0)
        else:
            row = rng.uniform(-990.0, -200.0, size=k)
            a, b = rng.choice(k, size=2, replace=False)
            row[a], row[b] = -rng.uniform(150.0, 200.0), -rng.uniform(990.0, 1000.0)
        Z[r] = row
    return Z


def _one_hot(rng, n: int, k: int) -> np.ndarray:
    return np.eye(k)[rng.integers(0, k, size=n)]


def _probabilities(rng, n: int, k: int) -> np.ndarray:
    return rng.dirichlet(np.ones(k), size=n)


SOFTMAX_HINT = ("exp of each score minus its ROW's largest score, divided by the row's sum; "
                "the rows of the result sum to 1")
CE_HINT = ("E = -sum of T * log softmax(Z) over samples AND classes, with log softmax = "
           "z - max - log(sum(exp(z - max))) per row (no log of a probability that may be 0)")
BACK_HINT = ("dE/dZ = softmax(Z) - T, row by row, with the stable softmax; summed loss: no division "
             "by the number of samples")

_PUBLIC_Z = (np.array([[1.0, 2.0, 3.0], [1.0, -1.0, 0.5]]),
             np.array([[1000.0, 999.0, 998.0], [-998.0, -1000.0, -999.0]]))
_PUBLIC_T = (np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]),
             np.array([[0.0, 0.0, 1.0], [0.0, 1.0, 0.0]]))


def _softmax_hidden(rng):
    cases = []
    for number in range(1, 5):
        n, k = _shape(rng)
        Z = _moderate(rng, n, k) if number == 1 else _large(rng, n, k)
        hint = SOFTMAX_HINT if number == 1 else "scores of +-1000 must give exact probabilities, never NaN"
        cases.append(Case(f"hidden {number}", (Z,), True, hint))
    return cases


def _pairs_hidden(hint_large: str, hint: str):
    def hidden(rng):
        cases = []
        for number in range(1, 5):
            n, k = _shape(rng)
            if number == 1:  # moderate scores, targets that are probability vectors but not one-hot
                args = (_moderate(rng, n, k), _probabilities(rng, n, k))
                cases.append(Case(f"hidden {number}", args, True, hint))
            else:
                args = (_large(rng, n, k), _one_hot(rng, n, k))
                cases.append(Case(f"hidden {number}", args, True, hint_large))
        return cases
    return hidden


# ---- the classic mistakes, as the functions a learner would write ------------------------------------

SOFTMAX_MISCONCEPTIONS = (
    Misconception(
        "no max-shift (overflow)",
        "exp(1000) is infinite in floating point, so the plain formula divides infinity by infinity and "
        "returns NaN. Subtract each row's largest score before exponentiating: the result is the same "
        "mathematically and nothing can overflow.",
        LESSON_LSE,
        "def softmax(Z):\n    E = np.exp(Z)\n    return E / E.sum(axis=1, keepdims=True)\n"),
    Misconception(
        "softmax over the wrong axis",
        "Each sample is a row, so the sum in the denominator runs along the row (axis=1); summing down "
        "the columns mixes different samples and the rows no longer sum to 1.",
        LESSON_BATCH,
        "def softmax(Z):\n    E = np.exp(Z - Z.max(axis=0, keepdims=True))\n"
        "    return E / E.sum(axis=0, keepdims=True)\n"),
    Misconception(
        "shift by the batch's maximum",
        "Subtracting one maximum for the whole batch avoids overflow but not underflow: a row whose "
        "scores all lie far below the batch's largest score becomes 0/0. Shift each row by its own "
        "maximum (keepdims=True).",
        LESSON_LSE,
        "def softmax(Z):\n    E = np.exp(Z - Z.max())\n    return E / E.sum(axis=1, keepdims=True)\n"),
    Misconception(
        "normalising without the exponential",
        "Dividing the scores by their sum does not give probabilities: negative scores stay negative "
        "and the ratios are wrong. The softmax exponentiates first.",
        LESSON_SOFTMAX,
        "def softmax(Z):\n    return Z / Z.sum(axis=1, keepdims=True)\n"),
)

CE_MISCONCEPTIONS = (
    Misconception(
        "log of the naive softmax",
        "Without the max-shift the softmax of large scores is NaN, and so is its logarithm. Use the "
        "log-sum-exp form of log softmax.",
        LESSON_LSE,
        "def cross_entropy(Z, T):\n    E = np.exp(Z)\n    Y = E / E.sum(axis=1, keepdims=True)\n"
        "    return float(-np.sum(T * np.log(Y)))\n"),
    Misconception(
        "log taken after the (stable) softmax",
        "A probability that underflows to 0 has log 0 = -infinity, and 0 * log 0 is NaN. Compute log "
        "softmax directly as z - max - log(sum(exp(z - max))), which stays finite.",
        LESSON_LSE,
        "def cross_entropy(Z, T):\n    E = np.exp(Z - Z.max(axis=1, keepdims=True))\n"
        "    Y = E / E.sum(axis=1, keepdims=True)\n    return float(-np.sum(T * np.log(Y)))\n"),
    Misconception(
        "mean over samples instead of sum",
        "The course sums the loss over the samples of a batch (as for the squared error); dividing by "
        "the number of samples changes the value and every gradient.",
        LESSON_BATCH,
        "def cross_entropy(Z, T):\n    c = Z.max(axis=1, keepdims=True)\n"
        "    L = Z - c - np.log(np.exp(Z - c).sum(axis=1, keepdims=True))\n"
        "    return float(-np.sum(T * L) / len(Z))\n"),
    Misconception(
        "the maximum not added back in log-sum-exp",
        "log sum exp(z) = c + log sum exp(z - c): the shift c must be added back (or log softmax written as "
        "z - c - log sum exp(z - c)); forgetting it is off by c for every sample.",
        LESSON_LSE,
        "def cross_entropy(Z, T):\n    c = Z.max(axis=1, keepdims=True)\n"
        "    L = Z - np.log(np.exp(Z - c).sum(axis=1, keepdims=True))\n"
        "    return float(-np.sum(T * L))\n"),
    Misconception(
        "missing minus sign",
        "log of a probability is negative or zero; the cross-entropy is MINUS the sum of t log y, a "
        "number >= 0.",
        LESSON_SOFTMAX,
        "def cross_entropy(Z, T):\n    c = Z.max(axis=1, keepdims=True)\n"
        "    L = Z - c - np.log(np.exp(Z - c).sum(axis=1, keepdims=True))\n"
        "    return float(np.sum(T * L))\n"),
)

_STABLE = "    E = np.exp(Z - Z.max(axis=1, keepdims=True))\n    Y = E / E.sum(axis=1, keepdims=True)\n"

BACKWARD_MISCONCEPTIONS = (
    Misconception(
        "sign flip (t - y)",
        "The derivation ends in y_j - t_j: the gradient is positive for the classes given too much "
        "probability. t - y points uphill.",
        LESSON_DERIVATION,
        "def softmax_ce_backward(Z, T):\n" + _STABLE + "    return T - Y\n"),
    Misconception(
        "mean over samples instead of sum",
        "With the course's summed loss each sample contributes its own y - t, undivided; dividing by the "
        "number of samples is the gradient of the mean loss.",
        LESSON_BATCH,
        "def softmax_ce_backward(Z, T):\n" + _STABLE + "    return (Y - T) / len(Z)\n"),
    Misconception(
        "no max-shift (overflow)",
        "The gradient uses the softmax, so it needs the same max-shift: without it scores of 1000 give "
        "NaN.",
        LESSON_LSE,
        "def softmax_ce_backward(Z, T):\n    E = np.exp(Z)\n    return E / E.sum(axis=1, keepdims=True) - T\n"),
    Misconception(
        "an extra activation slope y(1 - y)",
        "Treating the softmax like an elementwise sigmoid and multiplying by y(1 - y) misuses its Jacobian: "
        "the full Jacobian y_i(delta_ij - y_j) combined with the cross-entropy cancels to y - t, with no "
        "slope left (that cancellation is why the pair does not saturate).",
        LESSON_SATURATION,
        "def softmax_ce_backward(Z, T):\n" + _STABLE + "    return (Y - T) * Y * (1 - Y)\n"),
    Misconception(
        "gradient by the probabilities instead of the scores",
        "-t / y is dE/dy, the gradient by the softmax outputs; backpropagation needs dE/dz, one step "
        "further through the softmax, which gives y - t.",
        LESSON_DERIVATION,
        "def softmax_ce_backward(Z, T):\n" + _STABLE + "    return -T / Y\n"),
)


EXERCISES = [
    Exercise(
        id="ex14.softmax", function="softmax", title="a stable softmax for a batch", notebook=NOTEBOOK,
        prompt=SOFTMAX_PROMPT, solution=SOFTMAX_SOLUTION,
        public=lambda: [Case("public 1", (_PUBLIC_Z[0],)), Case("public 2", (_PUBLIC_Z[1],))],
        hidden=_softmax_hidden, reference=_reference_softmax, forbidden=FORBIDDEN, hint=SOFTMAX_HINT,
        misconceptions=SOFTMAX_MISCONCEPTIONS,
    ),
    Exercise(
        id="ex14.cross_entropy", function="cross_entropy", title="the cross-entropy, with log-sum-exp",
        prompt=CROSS_ENTROPY_PROMPT, solution=CROSS_ENTROPY_SOLUTION,
        notebook=NOTEBOOK,
        public=lambda: [Case("public 1", (_PUBLIC_Z[0], _PUBLIC_T[0])),
                        Case("public 2", (_PUBLIC_Z[1], _PUBLIC_T[1]))],
        hidden=_pairs_hidden("scores of +-1000 must give a finite loss: use log softmax, not log of softmax",
                             CE_HINT),
        reference=_reference_cross_entropy, forbidden=FORBIDDEN, hint=CE_HINT,
        misconceptions=CE_MISCONCEPTIONS,
    ),
    Exercise(
        id="ex14.softmax_ce_backward", function="softmax_ce_backward",
        prompt=SOFTMAX_CE_BACKWARD_PROMPT, solution=SOFTMAX_CE_BACKWARD_SOLUTION,
        title="dE/dZ of softmax with cross-entropy", notebook=NOTEBOOK,
        public=lambda: [Case("public 1", (_PUBLIC_Z[0], _PUBLIC_T[0])),
                        Case("public 2", (_PUBLIC_Z[1], _PUBLIC_T[1]))],
        hidden=_pairs_hidden("scores of +-1000: the gradient softmax(Z) - T must stay finite", BACK_HINT),
        reference=_reference_backward, forbidden=FORBIDDEN, hint=BACK_HINT,
        misconceptions=BACKWARD_MISCONCEPTIONS,
    ),
]
