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


EXERCISES = [
    Exercise(
        id="ex11.xavier_uniform", function="xavier_uniform", title="Xavier uniform initialisation",
        prompt=XAVIER_UNIFORM_PROMPT, solution=XAVIER_UNIFORM_SOLUTION,
        notebook=NOTEBOOK, public=lambda: [_case("public 1", 120, 80, 0)],
        hidden=_hidden, reference=_spec, compare=_compare, forbidden=FORBIDDEN, points=2.0, hint=HINT, show=_show,
    ),
]
