"""Scalar test functions named by data, for the gradient-checking exercise.

A case cannot send a Python function to the child process, so it sends a
:class:`~backprop_course.grading.sandbox.codec.FunctionSpec` (a name and parameters); :func:`build` turns it
into the callable ``f(x) -> float`` on the other side, and :func:`gradient` gives its exact gradient
for the judge (an independent oracle: no finite differences involved).
"""
from __future__ import annotations

from typing import Callable

import numpy as np

__all__ = ["build", "gradient", "NAMES"]


def _wavy(p: dict) -> Callable[[np.ndarray], float]:
    # f(x) = sum c*sin(x) + 1/2 sum d*x^2 + 1/4 (w . x)^2   (x of any shape)
    c, d, w = (np.asarray(p[k], dtype=float) for k in ("c", "d", "w"))

    def f(x):
        x = np.asarray(x, dtype=float)
        return float(np.sum(c * np.sin(x)) + 0.5 * np.sum(d * x * x) + 0.25 * np.sum(w * x) ** 2)
    return f


def _wavy_grad(p: dict, x: np.ndarray) -> np.ndarray:
    c, d, w = (np.asarray(p[k], dtype=float) for k in ("c", "d", "w"))
    return c * np.cos(x) + d * x + 0.5 * np.sum(w * x) * w


def _mlp_net(p: dict):
    from ...engine.mlp import MLP

    weights = [np.asarray(W, dtype=float) for W in p["weights"]]
    sizes = [weights[0].shape[1]] + [W.shape[0] for W in weights]
    net = MLP(sizes, activation="sigmoid", seed=0)
    for l, (W, b) in enumerate(zip(weights, p["biases"])):
        net.weights[l][...] = W
        net.biases[l][...] = b
    return net


def _mlp_loss(p: dict) -> Callable[[np.ndarray], float]:
    # E of a sigmoid MLP as a function of its first weight matrix (the others fixed)
    net = _mlp_net(p)
    X, T = np.asarray(p["X"], dtype=float), np.asarray(p["T"], dtype=float)

    def f(W0):
        net.weights[0][...] = W0
        return float(net.loss(X, T))
    return f


def _mlp_loss_grad(p: dict, W0: np.ndarray) -> np.ndarray:
    net = _mlp_net(p)
    net.weights[0][...] = W0
    net.forward(np.asarray(p["X"], dtype=float))
    return net.backward(np.asarray(p["T"], dtype=float)).weights[0]


_BUILDERS = {"wavy": (_wavy, _wavy_grad), "mlp_loss": (_mlp_loss, _mlp_loss_grad)}
NAMES = tuple(_BUILDERS)


def build(name: str, params: dict) -> Callable[[np.ndarray], float]:
    """The callable ``f(x) -> float`` named ``name`` with ``params``."""
    if name not in _BUILDERS:
        raise ValueError(f"The 'name' parameter of build must be one of {list(NAMES)}. Got {name!r} instead.")
    return _BUILDERS[name][0](params)


def gradient(name: str, params: dict, x: np.ndarray) -> np.ndarray:
    """The exact gradient of the named function at ``x`` (same shape as ``x``)."""
    return _BUILDERS[name][1](params, np.asarray(x, dtype=float))
