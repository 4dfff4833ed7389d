"""Test functions named by data, for the gradient-checking and Nesterov exercises (child side).

A case cannot send a Python function to the child process, so it sends a
:class:`~backprop_course.grading.sandbox.codec.FunctionSpec` (a name and parameters); :func:`build` turns it
into the callable ``f(x) -> float`` on the other side. Only numpy is used here: the child cannot reach the
engine. The exact gradients the judge compares with live with the exercise (``exercises/ex06b_gradcheck``).
"""
from __future__ import annotations

from typing import Callable

import numpy as np

__all__ = ["build", "NAMES"]


def _wavy(p: dict) -> Callable[[np.ndarray], float]:
    # f(x) = sum c*sin(x) + 1/2 sum d*x^2 + 1/4 (w . x)^2   (x of any shape)
    c, d, w = (np.asarray(p[k], dtype=float) for k in ("c", "d", "w"))

    def f(x):
        x = np.asarray(x, dtype=float)
        return float(np.sum(c * np.sin(x)) + 0.5 * np.sum(d * x * x) + 0.25 * np.sum(w * x) ** 2)
    return f


def _wavy_gradient(p: dict) -> Callable[[np.ndarray], np.ndarray]:
    # the gradient of "wavy": c*cos(x) + d*x + 1/2 (w . x) w, an array of x's shape (the Nesterov exercise)
    c, d, w = (np.asarray(p[k], dtype=float) for k in ("c", "d", "w"))

    def grad(x):
        x = np.asarray(x, dtype=float)
        return c * np.cos(x) + d * x + 0.5 * np.sum(w * x) * w
    return grad


def _sigmoid(z: np.ndarray) -> np.ndarray:
    # 1 / (1 + e^-z), written so that neither branch overflows
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _mlp_loss(p: dict) -> Callable[[np.ndarray], float]:
    # E = 1/2 sum (t - y)^2 of a sigmoid MLP, as a function of its first weight matrix (the others fixed)
    weights = [np.asarray(W, dtype=float) for W in p["weights"]]
    biases = [np.asarray(b, dtype=float) for b in p["biases"]]
    X, T = np.atleast_2d(np.asarray(p["X"], dtype=float)), np.asarray(p["T"], dtype=float)

    def f(W0):
        A = X
        for W, b in zip([np.asarray(W0, dtype=float), *weights[1:]], biases):
            A = _sigmoid(A @ W.T + b)
        return float(0.5 * np.sum((T.reshape(A.shape) - A) ** 2))
    return f


_BUILDERS = {"wavy": _wavy, "wavy_gradient": _wavy_gradient, "mlp_loss": _mlp_loss}
NAMES = tuple(_BUILDERS)


def build(name: str, params: dict) -> Callable[[np.ndarray], float]:
    """The callable named ``name`` with ``params`` (``f(x) -> float``, or a gradient ``x -> array``)."""
    if name not in _BUILDERS:   # the house template by hand: the child side imports nothing outside the sandbox
        raise ValueError(f"The 'name' parameter of build must be one of {list(NAMES)}. Got {name!r} instead.")
    return _BUILDERS[name](params)
