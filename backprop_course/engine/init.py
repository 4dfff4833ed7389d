"""Weight initialisers, looked up by name.

Every initialiser draws a weight matrix of shape ``(fan_out, fan_in)``: row ``j`` holds the weights
INTO destination neuron ``j``, column ``k`` the weights FROM source neuron ``k`` (the layout of
``MLP.weights``). Biases are not drawn here; the MLP starts them at zero.

========================  ==========================================  ===========================
name                      distribution                                variance
========================  ==========================================  ===========================
``"standard_normal"``     N(0, 1)  (the 2017 note's "quick, easy way")     1
``"small_uniform"``       U(-0.1, 0.1)                                0.1**2 / 3 = 1/300
``"xavier_uniform"``      U(-r, r), r = sqrt(6 / (fan_in + fan_out))  2 / (fan_in + fan_out)
``"xavier"``              alias of ``"xavier_uniform"``
``"xavier_normal"``       N(0, 2 / (fan_in + fan_out))                2 / (fan_in + fan_out)
``"he"``                  N(0, 2 / fan_in)                            2 / fan_in
========================  ==========================================  ===========================

Xavier/Glorot (the initialisation Backpropagation for dummies recommends against sigmoid saturation) keeps the variance
of signals roughly constant forward AND backward by averaging fan-in and fan-out; He keeps it
constant forward through relu layers, which zero half of their inputs (hence the factor 2).

>>> import numpy as np
>>> W = initialize("xavier", fan_in=3, fan_out=2, rng=np.random.default_rng(0))
>>> W.shape
(2, 3)
>>> bool(np.all(np.abs(W) <= np.sqrt(6 / 5)))
True
"""
from __future__ import annotations

import numbers
from typing import Callable

import numpy as np

from .checks import error

__all__ = ["INITIALIZERS", "SMALL_UNIFORM_LIMIT", "check_init_name", "initialize", "init_variance"]

#: Half-width of the ``small_uniform`` range: weights are drawn from U(-0.1, 0.1).
SMALL_UNIFORM_LIMIT = 0.1


def _standard_normal(fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
    return rng.standard_normal((fan_out, fan_in))


def _small_uniform(fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
    return rng.uniform(-SMALL_UNIFORM_LIMIT, SMALL_UNIFORM_LIMIT, size=(fan_out, fan_in))


def _xavier_uniform(fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
    # U(-r, r) has variance r^2 / 3, so r = sqrt(6 / (fan_in + fan_out)) gives 2 / (fan_in + fan_out).
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=(fan_out, fan_in))


def _xavier_normal(fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
    return rng.normal(0.0, np.sqrt(2.0 / (fan_in + fan_out)), size=(fan_out, fan_in))


def _he(fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
    return rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_out, fan_in))


INITIALIZERS: dict[str, Callable[[int, int, np.random.Generator], np.ndarray]] = {
    "standard_normal": _standard_normal,
    "small_uniform": _small_uniform,
    "xavier_uniform": _xavier_uniform,
    "xavier": _xavier_uniform,
    "xavier_normal": _xavier_normal,
    "he": _he,
}


def init_variance(name: str, fan_in: int, fan_out: int) -> float:
    """The theoretical variance of the weights that ``initialize(name, ...)`` draws.

    >>> init_variance("he", fan_in=50, fan_out=10)
    0.04
    """
    check_init_name(name)
    return {
        "standard_normal": 1.0,
        "small_uniform": SMALL_UNIFORM_LIMIT**2 / 3.0,
        "xavier_uniform": 2.0 / (fan_in + fan_out),
        "xavier": 2.0 / (fan_in + fan_out),
        "xavier_normal": 2.0 / (fan_in + fan_out),
        "he": 2.0 / fan_in,
    }[name]


def check_init_name(name: object, parameter: str = "name", owner: str = "initialize") -> str:
    """Return ``name`` if it is a registered initialiser, else raise TypeError/ValueError."""
    if not isinstance(name, str):
        raise error(owner, parameter, f"a str naming an initialiser (one of {sorted(INITIALIZERS)})",
                    f"{name!r} of type {type(name).__name__}", TypeError)
    if name not in INITIALIZERS:
        raise error(owner, parameter, f"one of {sorted(INITIALIZERS)}", repr(name))
    return name


def initialize(
    name: str, fan_in: int, fan_out: int, rng: np.random.Generator | int | None = None
) -> np.ndarray:
    """Draw a ``(fan_out, fan_in)`` float64 weight matrix with the initialiser ``name``.

    Parameters
    ----------
    name : str
        One of ``"standard_normal"``, ``"small_uniform"``, ``"xavier_uniform"`` (alias
        ``"xavier"``), ``"xavier_normal"``, ``"he"``.
    fan_in, fan_out : int
        Number of source and destination neurons (both >= 1).
    rng : numpy.random.Generator or int or None
        Random generator, or a seed for ``numpy.random.default_rng`` (None: fresh entropy).

    Returns
    -------
    ndarray, shape (fan_out, fan_in)
    """
    check_init_name(name)
    for param, value in (("fan_in", fan_in), ("fan_out", fan_out)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
            raise error("initialize", param, "an int >= 1", repr(value))
    if not isinstance(rng, np.random.Generator):
        if rng is not None and (isinstance(rng, bool) or not isinstance(rng, numbers.Integral)):
            raise error("initialize", "rng", "a numpy.random.Generator, an int seed or None",
                        f"{rng!r} of type {type(rng).__name__}", TypeError)
        rng = np.random.default_rng(rng)
    return INITIALIZERS[name](int(fan_in), int(fan_out), rng)
