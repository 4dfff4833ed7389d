"""Exercise of lesson 11 (Backpropagation for dummies): Xavier (Glorot) uniform initialisation, checked statistically.

Random weights cannot be compared entry by entry, so each case calls the learner's function three times:
twice with generators made from the same seed (the results must be identical) and once with another
seed (they must differ). The first result must have shape ``(fan_out, fan_in)``, stay inside
``[-r, r]`` with ``r = sqrt(6 / (fan_in + fan_out))``, and have mean about 0 and variance about
``2 / (fan_in + fan_out)`` (the engine's :func:`~backprop_course.engine.init.init_variance`).
"""
from __future__ import annotations

import numpy as np

from ...engine.init import init_variance
from .worksheet import Worksheet
from ..checking.cases import Case
from ..sandbox.codec import RngSeed
from ..checking.compare import Comparison
from ..checking.exercise import Exercise

NOTEBOOK = "ex11_init"
FORBIDDEN = frozenset({"engine", "initialize", "INITIALIZERS", "MLP", "torch", "glorot_uniform",
                       "xavier_uniform_", "GlorotUniform"})

WORKSHEET = Worksheet(
    stem=NOTEBOOK,
    title="Exercises 11: initialisation",
    lesson="11",
    intro="""Practice for lesson 11. Xavier (Glorot) initialisation draws a layer's weights with
variance 2 / (fan_in + fan_out), so that signals keep their size going forward and gradients going
backward. Its uniform version draws from U(-r, r); since U(-r, r) has variance r^2 / 3, the bound is
r = sqrt(6 / (fan_in + fan_out)).""",
)

XAVIER_UNIFORM_PROMPT = """### Exercise 11.1 - Xavier uniform

Return a `(fan_out, fan_in)` weight matrix drawn from U(-r, r) with the `rng` you are given (a
`numpy.random.Generator`; never the global `np.random`), so that the same seed always gives the same
weights. Random weights cannot be compared one by one: the check tests the shape, the bound, the mean,
the variance and the determinism."""

XAVIER_UNIFORM_SOLUTION = '''def xavier_uniform(fan_in, fan_out, rng):
    """A (fan_out, fan_in) matrix drawn from U(-r, r), r = sqrt(6 / (fan_in + fan_out))."""
    # BEGIN SOLUTION
    r = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-r, r, size=(fan_out, fan_in))
    # END SOLUTION'''
#: Statistics are tested only on matrices with at least this many entries.
MIN_ENTRIES_FOR_STATS = 2000


def _spec(fan_in, fan_out, rng):
    fan_in, fan_out = int(fan_in), int(fan_out)
    return {"shape": (fan_out, fan_in), "variance": init_variance("xavier_uniform", fan_in, fan_out),
            "limit": float(np.sqrt(6.0 / (fan_in + fan_out)))}


def _compare(expected: list, actual: list) -> Comparison:
    if not (isinstance(expected, list) and expected and isinstance(expected[0], dict)):
        return _compare_outputs(expected, actual)
    spec = expected[0]
    try:
        arrays = [np.asarray(a, dtype=float) for a in actual]
    except (TypeError, ValueError):
        return Comparison(False, None, "each call should return an array of numbers")
    first = arrays[0]
    if any(a.shape != tuple(spec["shape"]) for a in arrays):
        return Comparison(False, None, f"the weights have shape {first.shape}; (fan_out, fan_in) = "
                                       f"{tuple(spec['shape'])} was expected")
    if not np.all(np.isfinite(first)):
        return Comparison(False, None, "the weights contain NaN or infinity")
    if not np.array_equal(arrays[0], arrays[1]):
        return Comparison(False, None, "two generators with the same seed gave different weights: draw "
                                       "from the rng argument only")
    if first.size > 1 and np.array_equal(arrays[0], arrays[2]):
        return Comparison(False, None, "generators with different seeds gave the same weights")
    limit = spec["limit"]
    if np.max(np.abs(first)) > limit * (1 + 1e-12):
        return Comparison(False, None, f"some weights lie outside [-r, r], r = sqrt(6 / (fan_in + fan_out))")
    n, var = first.size, spec["variance"]
    if n >= MIN_ENTRIES_FOR_STATS:
        # sample variance of U(-r, r): relative standard error sqrt(0.8 / n); allow 6 of them
        if abs(first.var() / var - 1.0) > 6.0 * np.sqrt(0.8 / n):
            return Comparison(False, None, "the variance is not 2 / (fan_in + fan_out)")
        if abs(first.mean()) > 6.0 * np.sqrt(var / n):
            return Comparison(False, None, "the mean of the weights is not close to 0")
    return Comparison(True, None, "")


def _compare_outputs(first: list, second: list) -> Comparison:
    """Do two answers' three calls behave alike? (how a diagnosis matches an answer with a misconception)

    Alike means: the same shapes, the same determinism (same seed -> same weights, another seed ->
    other weights), and either the same numbers or, on a large matrix, the same statistics (variance,
    mean and largest |w|) within sampling error.
    """
    try:
        a = [np.asarray(x, dtype=float) for x in first]
        b = [np.asarray(x, dtype=float) for x in second]
    except (TypeError, ValueError):
        return Comparison(False, None, "each call should return an array of numbers")
    if len(a) != len(b) or any(x.shape != y.shape for x, y in zip(a, b)):
        return Comparison(False, None, "the weights have other shapes")
    if (np.array_equal(a[0], a[1]), np.array_equal(a[0], a[2])) != (np.array_equal(b[0], b[1]),
                                                                  np.array_equal(b[0], b[2])):
        return Comparison(False, None, "the weights depend on the seed differently")
    x, y = a[0], b[0]
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        return Comparison(False, None, "the weights contain NaN or infinity")
    if np.allclose(x, y, rtol=1e-9, atol=1e-12):
        return Comparison(True, None, "")
    n = x.size
    if n < MIN_ENTRIES_FOR_STATS:
        return Comparison(True, None, "")  # too few numbers for statistics: shape and determinism decide
    vx, vy = float(x.var()), float(y.var())
    if vx <= 0 or vy <= 0 or abs(vx / vy - 1.0) > 5.0 * np.sqrt(2.0 / n):
        return Comparison(False, None, "the variances differ")
    if abs(float(x.mean()) - float(y.mean())) > 6.0 * np.sqrt((vx + vy) / n):
        return Comparison(False, None, "the means differ")
    if abs(float(np.abs(x).max()) / float(np.abs(y).max()) - 1.0) > 0.25:
        return Comparison(False, None, "the largest weights differ")
    return Comparison(True, None, "")


def _show(value: list):
    """Feedback summary of the three calls: statistics of the first, and the determinism checks."""
    if isinstance(value[0], dict):  # the expected side
        spec = value[0]
        return {"shape": tuple(spec["shape"]), "variance": spec["variance"], "max |w| <=": spec["limit"],
                "same seed -> same weights": True}
    arrays = [np.asarray(a, dtype=float) for a in value]
    first = arrays[0]
    return {"shape": first.shape, "variance": round(float(first.var()), 4),
            "max |w|": round(float(np.abs(first).max()), 4),
            "same seed -> same weights": bool(np.array_equal(arrays[0], arrays[1]))}


def _case(name, fan_in, fan_out, seed, hidden=False, hint=""):
    calls = tuple((fan_in, fan_out, RngSeed(s)) for s in (seed, seed, seed + 1))
    return Case(name, hidden=hidden, hint=hint, calls=calls)


HINT = ("rng.uniform(-r, r, size=(fan_out, fan_in)) with r = sqrt(6 / (fan_in + fan_out)); use only the rng "
        "you are given")


def _hidden(rng):
    cases = []
    for i in (1, 2):
        small, large = int(rng.integers(30, 60)), int(rng.integers(120, 200))
        fan_in, fan_out = (small, large) if i == 1 else (large, small)
        cases.append(_case(f"hidden {i}", fan_in, fan_out, int(rng.integers(0, 2**31)), True, HINT))
    cases.append(_case("hidden 3", 1, int(rng.integers(2, 6)), int(rng.integers(0, 2**31)), True, HINT))
    return cases


# -- misconceptions: the wrong functions a learner writes, run on the same cases ------------------------------
from ..checking.exercise import Misconception  # noqa: E402 - kept next to the catalogue it builds

_L11_FOUR = 'lesson 11, section 2 "Four ways to draw the weights"'
_L11_SPREAD = 'lesson 11, section 3 "One layer: how far does the signal spread?"'


def _x_source(body: str, r: str = "np.sqrt(6.0 / (fan_in + fan_out))") -> str:
    return f"def xavier_uniform(fan_in, fan_out, rng):\n    r = {r}\n    return {body}\n"


MISCONCEPTIONS = (
    Misconception(
        "Xavier with fan-in only",
        "Xavier balances the forward and the backward pass, so its variance 2 / (fan_in + fan_out) uses both "
        "sizes; a variance of 1 / fan_in keeps only the forward signal in mind.",
        _L11_SPREAD, _x_source("rng.uniform(-r, r, size=(fan_out, fan_in))", "np.sqrt(3.0 / fan_in)")),
    Misconception(
        "shape transposed, (fan_in, fan_out)",
        "A layer's weight matrix has one row per unit it feeds and one column per input: (fan_out, fan_in), "
        "so that net inputs are A @ W.T.",
        _L11_FOUR, _x_source("rng.uniform(-r, r, size=(fan_in, fan_out))")),
    Misconception(
        "normal instead of uniform",
        "The uniform version draws from U(-r, r), so no weight lies beyond r; a normal distribution with the "
        "same variance (Xavier normal) has tails that go past it.",
        _L11_FOUR, _x_source("rng.normal(0.0, np.sqrt(2.0 / (fan_in + fan_out)), size=(fan_out, fan_in))")),
    Misconception(
        "variance used as the bound",
        "U(-r, r) has variance r^2 / 3, so reaching the variance 2 / (fan_in + fan_out) takes "
        "r = sqrt(6 / (fan_in + fan_out)); r = sqrt(2 / (fan_in + fan_out)) gives a third of it.",
        _L11_FOUR, _x_source("rng.uniform(-r, r, size=(fan_out, fan_in))", "np.sqrt(2.0 / (fan_in + fan_out))")),
    Misconception(
        "a generator of its own instead of rng",
        "Draw every number from the rng you are given: a generator made inside the function ignores the "
        "seed, so the same seed no longer gives the same weights.",
        _L11_FOUR, _x_source("np.random.default_rng().uniform(-r, r, size=(fan_out, fan_in))")),
    Misconception(
        "U(0, r) instead of U(-r, r)",
        "The weights must be centred on 0, half of them negative; drawing from U(0, r) gives every weight "
        "the same sign and a quarter of the variance.",
        _L11_FOUR, _x_source("rng.uniform(0.0, r, size=(fan_out, fan_in))")),
)

EXERCISES = [
    Exercise(
        id="ex11.xavier_uniform", function="xavier_uniform", title="Xavier uniform initialisation",
        prompt=XAVIER_UNIFORM_PROMPT, solution=XAVIER_UNIFORM_SOLUTION,
        notebook=NOTEBOOK, public=lambda: [_case("public 1", 120, 80, 0)],
        hidden=_hidden, reference=_spec, compare=_compare, forbidden=FORBIDDEN, points=2.0, hint=HINT, show=_show,
        misconceptions=MISCONCEPTIONS,
    ),
]
