"""Reference building blocks shared by several exercise modules (never learner code).

``net_from`` puts given parameters into an engine :class:`~backprop_course.engine.mlp.MLP`;
``sgd_over_batches`` runs the engine's plain gradient descent (``train_step`` with ``SGD``) over given
index batches. Lesson 9's one-layer epoch and lesson 12's whole training run are both judged by them.
"""
from __future__ import annotations

from typing import Iterator, Sequence

import numpy as np

from ...engine.mlp import MLP
from ...engine.optim import SGD
from ...engine.training import train_step

__all__ = ["net_from", "sgd_over_batches"]


def net_from(weights: Sequence, biases: Sequence | None = None, activation="sigmoid") -> MLP:
    """An MLP holding copies of ``weights`` (``weights[l]`` of shape ``(sizes[l+1], sizes[l])``) and
    ``biases``; ``biases=None`` makes a network without biases (``bias=False``)."""
    weights = [np.asarray(W, dtype=float) for W in weights]
    sizes = [weights[0].shape[1]] + [W.shape[0] for W in weights]
    net = MLP(sizes, activation=activation, bias=biases is not None, seed=0)
    if biases is None:
        biases = [np.zeros(W.shape[0]) for W in weights]
    net.set_state({"weights": weights, "biases": [np.asarray(b, dtype=float) for b in biases]})
    return net


def sgd_over_batches(net: MLP, X, T, lr: float, batches) -> Iterator[float]:
    """Update ``net`` in place with plain gradient descent, one step per batch of sample indices.

    A generator: after each update it yields the loss of that batch at the weights before the update,
    so a caller can read the network's state between updates.
    """
    X, T = np.asarray(X, dtype=float), np.asarray(T, dtype=float)
    opt = SGD(lr=float(lr))
    for idx in batches:
        idx = np.asarray(idx, dtype=int)
        yield train_step(net, X[idx], T[idx], opt)
