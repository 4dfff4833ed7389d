"""Exercises of lesson 6, part 2: a gradient checker by central differences.

The judge knows every test function's exact gradient (:func:`exact_gradient`), so the learner's finite
differences are compared with calculus, not with another finite-difference code.
"""
from __future__ import annotations

import numpy as np

from ...engine.gradcheck import relative_error
from ...engine.mlp import MLP
from . import draw
from .worksheet import Worksheet
from ..checking.cases import Case
from ..sandbox.codec import FunctionSpec
from ..checking.compare import compare_numbers
from ..checking.exercise import Exercise
from ..checking.exercise import Misconception

NOTEBOOK = "ex06b_gradcheck"
FORBIDDEN = frozenset({"engine", "gradcheck", "approx_fprime",
                       "scipy", "torch", "autograd", "jax", "backward", "MLP"})

WORKSHEET = Worksheet(
    stem=NOTEBOOK,
    title="Exercises 6b: checking gradients numerically",
    lesson="06",
    intro="""Practice for lesson 6, second part. A backward pass is easy to get subtly wrong, and the
usual safety net is to compare it with finite differences: nudge one number a little each way, watch
how the output moves, and divide. The central difference (f(x + h) - f(x - h)) / 2h is far more
accurate than the one-sided (f(x + h) - f(x)) / h.""",
)

NUMERICAL_GRADIENT_PROMPT = """### Exercise 6b.1 - a central-difference gradient

Write `numerical_gradient(f, x, eps)`: `f` maps an array to a number, `x` is a float array of any
shape. Return an array shaped like `x` whose entry i is (f(x with x_i + eps) - f(x with x_i - eps)) /
(2 eps). Change one entry at a time, and put it back before moving on (`np.ndindex(x.shape)` visits
every index). The hidden cases include the loss of a small network as a function of its weights."""

NUMERICAL_GRADIENT_SOLUTION = '''def numerical_gradient(f, x, eps):
    """Central-difference estimate of the gradient of the scalar f at x (same shape as x)."""
    # BEGIN SOLUTION
    grad = np.zeros_like(x, dtype=float)
    for index in np.ndindex(x.shape):
        saved = x[index]
        x[index] = saved + eps
        f_plus = f(x)
        x[index] = saved - eps
        f_minus = f(x)
        x[index] = saved                      # restore before the next entry
        grad[index] = (f_plus - f_minus) / (2.0 * eps)
    return grad
    # END SOLUTION'''

RELATIVE_ERROR_PROMPT = """### Exercise 6b.2 - how close is close?

Return the entrywise relative error |a - n| / max(|a| + |n|, 1e-8) of an analytic gradient `analytic`
and a numerical one `numeric` (arrays of one shape). The floor 1e-8 keeps two zero entries from
giving 0/0."""

RELATIVE_ERROR_SOLUTION = '''def relative_error(analytic, numeric):
    """Entrywise |a - n| / max(|a| + |n|, 1e-8)."""
    # BEGIN SOLUTION
    return np.abs(analytic - numeric) / np.maximum(np.abs(analytic) + np.abs(numeric), 1e-8)
    # END SOLUTION'''


def _wavy_gradient(p: dict, x: np.ndarray) -> np.ndarray:
    c, d, w = (np.asarray(p[k], dtype=float) for k in ("c", "d", "w"))
    return c * np.cos(x) + d * x + 0.5 * np.sum(w * x) * w


def _mlp_loss_gradient(p: dict, W0: np.ndarray) -> np.ndarray:
    # backpropagation through the engine's MLP: dE/dW0 of the same network the child's test function runs
    weights = [np.asarray(W, dtype=float) for W in p["weights"]]
    net = MLP([weights[0].shape[1]] + [W.shape[0] for W in weights], activation="sigmoid", seed=0)
    for l, (W, b) in enumerate(zip([W0, *weights[1:]], p["biases"])):
        net.weights[l][...] = W
        net.biases[l][...] = b
    net.forward(np.asarray(p["X"], dtype=float))
    return net.backward(np.asarray(p["T"], dtype=float)).weights[0]


def exact_gradient(name: str, params: dict, x) -> np.ndarray:
    """The exact gradient of the test function ``name`` (see ``sandbox/testfunctions.py``) at ``x``."""
    gradients = {"wavy": _wavy_gradient, "mlp_loss": _mlp_loss_gradient}
    return gradients[name](params, np.asarray(x, dtype=float))


def _numerical_gradient(f: FunctionSpec, x, eps):
    return exact_gradient(f.name, f.params, x)


def _relative_error(analytic, numeric):
    return relative_error(analytic, numeric)


def _wavy(rng, shape):
    return FunctionSpec("wavy", {"c": rng.uniform(-1.0, 1.0, size=shape), "d": rng.uniform(1.5, 3.0, size=shape),
                                 "w": draw.mixed(rng, shape, 0.3, 1.0)})


def _mlp(rng):
    sizes = draw.distinct_sizes(rng, 3, 1, 4)
    n = int(rng.integers(1, 4))
    params = {"weights": [draw.mixed(rng, (b, a), 0.3, 1.5) for a, b in zip(sizes[:-1], sizes[1:])],
              "biases": [draw.mixed(rng, b, 0.1, 0.5) for b in sizes[1:]],
              "X": draw.mixed(rng, (n, sizes[0]), 0.2, 2.0), "T": rng.uniform(0, 1, size=(n, sizes[-1]))}
    return FunctionSpec("mlp_loss", params), draw.mixed(rng, (sizes[1], sizes[0]), 0.3, 1.5)


NG_HINT = ("for each entry: (f(x + eps) - f(x - eps)) / (2 eps) with only that entry moved, and put the "
           "entry back before moving the next")
RE_HINT = "|a - n| / max(|a| + |n|, 1e-8), entry by entry"


def _ng_public():
    f = FunctionSpec("wavy", {"c": np.array([0.5, -1.0]), "d": np.array([2.0, 1.5]), "w": np.array([1.0, -0.5])})
    return [Case("public 1", (f, np.array([0.3, -1.2]), 1e-5))]


def _ng_hidden(rng):
    cases = []
    # cases 2 and 3 move several entries, so a slip between entries (one not put back) fails them
    for i, shape in enumerate(((1,), draw.shape(rng, 2, 2, 4), draw.shape(rng, 1, 2, 6)), start=1):
        cases.append(Case(f"hidden {i}", (_wavy(rng, shape), draw.mixed(rng, shape, 0.1, 2.0),
                                          1e-5 if i < 3 else 1e-4), True, NG_HINT))
    f, W = _mlp(rng)
    cases.append(Case("hidden 4", (f, W, 1e-5), True, NG_HINT))
    return cases


def _re_hidden(rng):
    cases = []
    for i in (1, 2, 3):
        shape = draw.shape(rng)
        a = draw.mixed(rng, shape, 1e-3, 5.0)
        n = a * (1 + rng.uniform(-1e-3, 1e-3, size=shape)) if i != 2 else draw.mixed(rng, shape, 1e-3, 5.0)
        if i == 3:  # both zero somewhere: the floor must keep the result finite
            a.reshape(-1)[0], n.reshape(-1)[0] = 0.0, 0.0
        cases.append(Case(f"hidden {i}", (a, n), True, RE_HINT))
    return cases


L06_CHECK = 'lesson 06, section 4 "Gradient checking"'


def _difference_source(plus="saved + eps", minus="saved - eps", divide="2.0 * eps", restore="saved",
                       move="x[index] = {value}") -> str:
    # a wrong numerical_gradient, written as the model solution with one piece changed
    return ("def numerical_gradient(f, x, eps):\n    grad = np.zeros_like(x, dtype=float)\n"
            "    for index in np.ndindex(x.shape):\n        saved = x[index].copy()\n"
            f"        {move.format(value=plus)}\n        f_plus = f(x)\n"
            f"        {move.format(value=minus)}\n        f_minus = f(x)\n"
            f"        {move.format(value=restore)}\n"
            f"        grad[index] = (f_plus - f_minus) / ({divide})\n    return grad\n")


NUMERICAL_MISCONCEPTIONS = (
    Misconception(
        "a forward difference",
        "(f(x + eps) - f(x)) / eps is off by about eps times the curvature; the central difference "
        "(f(x + eps) - f(x - eps)) / (2 eps) cancels that first error term.", L06_CHECK,
        _difference_source(minus="saved", divide="eps")),
    Misconception(
        "divided by eps instead of 2 eps",
        "The two points x + eps and x - eps are 2 eps apart, so the difference of f is divided by 2 eps.",
        L06_CHECK,
        _difference_source(divide="eps")),
    Misconception(
        "the entry not put back",
        "After measuring one entry, restore it before moving the next; otherwise every later entry is "
        "measured at a shifted point.", L06_CHECK,
        _difference_source(restore="saved - eps")),
    Misconception(
        "every entry moved at once",
        "A partial derivative moves ONE entry and holds the others still; moving all of them measures a "
        "slope along the diagonal, the same for every entry.", L06_CHECK,
        _difference_source(move="x += ({value}) - x[index]")),
)

RELATIVE_MISCONCEPTIONS = (
    Misconception(
        "no floor under the denominator",
        "Where both gradients are 0 the quotient is 0 / 0; the floor max(|a| + |n|, 1e-8) keeps it finite "
        "(and 0 there).", L06_CHECK,
        "def relative_error(analytic, numeric):\n"
        "    return np.abs(analytic - numeric) / (np.abs(analytic) + np.abs(numeric))\n"),
    Misconception(
        "divided by |a| only",
        "The course's relative error divides by |a| + |n|, so it treats both gradients alike and stays "
        "at most 1.", L06_CHECK,
        "def relative_error(analytic, numeric):\n"
        "    return np.abs(analytic - numeric) / np.maximum(np.abs(analytic), 1e-8)\n"),
    Misconception(
        "the larger of |a| and |n| instead of their sum",
        "Some write-ups divide by max(|a|, |n|); the course divides by |a| + |n| (with the floor 1e-8), "
        "which halves the result for nearly equal gradients.", L06_CHECK,
        "def relative_error(analytic, numeric):\n"
        "    return np.abs(analytic - numeric) / np.maximum(np.maximum(np.abs(analytic), np.abs(numeric)), 1e-8)\n"),
    Misconception(
        "the sign of the difference kept",
        "An error is a distance: take |a - n|, so the result is never negative.", L06_CHECK,
        "def relative_error(analytic, numeric):\n"
        "    return (analytic - numeric) / np.maximum(np.abs(analytic) + np.abs(numeric), 1e-8)\n"),
)

EXERCISES = [
    Exercise(
        id="ex06b.numerical_gradient", function="numerical_gradient",
        prompt=NUMERICAL_GRADIENT_PROMPT, solution=NUMERICAL_GRADIENT_SOLUTION,
        title="central-difference gradient", notebook=NOTEBOOK,
        public=_ng_public, hidden=_ng_hidden, reference=_numerical_gradient, forbidden=FORBIDDEN,
        compare=lambda e, a: compare_numbers(e, a, rtol=1e-7, atol=1e-7), points=2.0, hint=NG_HINT,
        misconceptions=NUMERICAL_MISCONCEPTIONS,
    ),
    Exercise(
        id="ex06b.relative_error", function="relative_error", title="relative error with a floor",
        prompt=RELATIVE_ERROR_PROMPT, solution=RELATIVE_ERROR_SOLUTION,
        notebook=NOTEBOOK,
        public=lambda: [Case("public 1", (np.array([1.0, -2.0, 0.0]), np.array([1.001, -2.0, 0.0])))],
        hidden=_re_hidden, reference=_relative_error, forbidden=FORBIDDEN, hint=RE_HINT,
        misconceptions=RELATIVE_MISCONCEPTIONS,
    ),
]
