"""Loss functions with their gradients with respect to the network output, looked up by name.

``Y`` is the network output and ``T`` the targets, both of shape ``(n_samples, n_outputs)`` (any
matching shape works; softmax works along the last axis). Every loss returns a Python float and its
gradient ``dL/dY`` with the shape of ``Y``.

=============================  ==============================================  ===================
name                           value                                           dL/dY
=============================  ==============================================  ===================
``"half_sse"`` (the default)   E = 1/2 * sum over samples and outputs (t-y)^2  Y - T
``"mse"``                      mean over ALL entries of (t-y)^2                2 (Y - T) / Y.size
``"binary_cross_entropy"``     -sum [t log y + (1-t) log(1-y)], Y in (0, 1)    (Y-T) / (Y (1-Y))
``"softmax_cross_entropy"``    -sum_n sum_k t_nk log softmax(y_n)_k, Y logits  softmax(Y) - T
=============================  ==============================================  ===================

``half_sse`` is the error every source uses (Backpropagation for dummies eq. (4), Gashler (2010) step 1); the factor 1/2 cancels
the 2 of the derivative, so ``dE/dY = -(T - Y)``. It SUMS over samples, so in batch mode the gradient
is the sum of the per-sample gradients (the blog post's "accumulating gradients"). The two cross-entropies
sum as well, which keeps learning rates comparable between them and ``half_sse``; only ``mse``
averages (as ``numpy.mean`` and most libraries do), dividing the gradient by ``n_samples * n_outputs``.

``binary_cross_entropy`` takes PROBABILITIES (e.g. sigmoid outputs). To stay finite it clips ``Y``
into ``[1e-12, 1 - 1e-12]`` in both value and gradient; inside that range both are exact.
``softmax_cross_entropy`` takes LOGITS (so the MLP's last layer must be ``"linear"``) and applies the
softmax itself through a shifted log-sum-exp, which never overflows. Rows of ``T`` are expected to
be one-hot (or any probability vectors); the gradient ``softmax(Y) * sum_k t_nk - T`` is exact for
any ``T`` and reduces to ``softmax(Y) - T`` when rows sum to one.

>>> import numpy as np
>>> Y, T = np.array([[0.75, 0.5]]), np.array([[1.0, 0.0]])
>>> half_sse.value(Y, T)       # 1/2 * (0.25**2 + 0.5**2)
0.15625
>>> half_sse.grad(Y, T).tolist()
[[-0.25, 0.5]]
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .checks import error

__all__ = [
    "Loss",
    "LOSSES",
    "BCE_CLIP",
    "get_loss",
    "half_sse",
    "mse",
    "binary_cross_entropy",
    "softmax_cross_entropy",
    "softmax",
]

#: Probabilities are clipped into [BCE_CLIP, 1 - BCE_CLIP] by binary_cross_entropy.
BCE_CLIP = 1e-12


@dataclass(frozen=True)
class Loss:
    """A loss ``L(Y, T)`` and its gradient ``dL/dY``.

    Attributes
    ----------
    name : str
    value : callable
        ``value(Y, T) -> float``.
    grad : callable
        ``grad(Y, T) -> ndarray`` with the shape of ``Y`` (a new array).
    value_and_grad : callable
        ``value_and_grad(Y, T) -> (float, ndarray)``, sharing work between the two.
    output_activation : str or None
        The output activation the loss requires (``"linear"`` for logits, ``"sigmoid"`` for
        probabilities), or None when any activation is fine.
    """

    name: str
    value: Callable[[np.ndarray, np.ndarray], float]
    grad: Callable[[np.ndarray, np.ndarray], np.ndarray]
    value_and_grad: Callable[[np.ndarray, np.ndarray], tuple[float, np.ndarray]]
    output_activation: str | None = None

    def __reduce__(self):
        # A registered loss pickles as its name (its functions are lambdas, which pickle cannot
        # store), so a network can be saved with pickle and loaded back with the same loss.
        if LOSSES.get(self.name) is self:
            return (get_loss, (self.name,))
        return super().__reduce__()

    def __call__(self, Y: np.ndarray, T: np.ndarray) -> float:
        return self.value(Y, T)


# --- half sum of squared errors (the seeds' E) ---------------------------------------------
def _half_sse_value_and_grad(Y, T):
    diff = Y - T                                 # dE/dY = -(t - y) = y - t   (Backpropagation for dummies eq. 11)
    return 0.5 * float(np.vdot(diff, diff)), diff


half_sse = Loss(
    "half_sse",
    value=lambda Y, T: _half_sse_value_and_grad(Y, T)[0],
    grad=lambda Y, T: Y - T,
    value_and_grad=_half_sse_value_and_grad,
)


# --- mean squared error --------------------------------------------------------------------
def _mse_value_and_grad(Y, T):
    diff = Y - T
    size = max(diff.size, 1)
    value = float(np.vdot(diff, diff)) / size
    diff *= 2.0 / size
    return value, diff


mse = Loss(
    "mse",
    value=lambda Y, T: _mse_value_and_grad(Y, T)[0],
    grad=lambda Y, T: _mse_value_and_grad(Y, T)[1],
    value_and_grad=_mse_value_and_grad,
)


# --- binary cross-entropy on probabilities -------------------------------------------------
def _bce_value(Y, T):
    P = np.clip(Y, BCE_CLIP, 1.0 - BCE_CLIP)
    return -float(np.sum(T * np.log(P) + (1.0 - T) * np.log1p(-P)))


def _bce_grad(Y, T):
    P = np.clip(Y, BCE_CLIP, 1.0 - BCE_CLIP)
    # d/dy of -[t log y + (1-t) log(1-y)] = -t/y + (1-t)/(1-y) = (y - t) / (y (1 - y))
    return (P - T) / (P * (1.0 - P))


binary_cross_entropy = Loss(
    "binary_cross_entropy",
    value=_bce_value,
    grad=_bce_grad,
    value_and_grad=lambda Y, T: (_bce_value(Y, T), _bce_grad(Y, T)),
    output_activation="sigmoid",
)


# --- softmax cross-entropy on logits -------------------------------------------------------
def _log_softmax(Y):
    shifted = Y - np.max(Y, axis=-1, keepdims=True)   # largest logit becomes 0: exp cannot overflow
    shifted -= np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))
    return shifted


def softmax(Y: np.ndarray) -> np.ndarray:
    """Softmax along the last axis, computed stably (rows sum to 1).

    >>> softmax(np.array([1000.0, 1000.0])).tolist()
    [0.5, 0.5]
    """
    return np.exp(_log_softmax(np.asarray(Y, dtype=float)))


def _softmax_ce_value_and_grad(Y, T):
    log_p = _log_softmax(Y)
    value = -float(np.sum(T * log_p))
    grad = np.exp(log_p)
    grad *= np.sum(T, axis=-1, keepdims=True)
    grad -= T
    return value, grad


softmax_cross_entropy = Loss(
    "softmax_cross_entropy",
    value=lambda Y, T: -float(np.sum(T * _log_softmax(Y))),
    grad=lambda Y, T: _softmax_ce_value_and_grad(Y, T)[1],
    value_and_grad=_softmax_ce_value_and_grad,
    output_activation="linear",
)


LOSSES: dict[str, Loss] = {
    loss.name: loss for loss in (half_sse, mse, binary_cross_entropy, softmax_cross_entropy)
}


def get_loss(name: str, parameter: str = "name", owner: str = "get_loss") -> Loss:
    """Look a loss up by name (one of ``LOSSES``); a :class:`Loss` is returned unchanged.

    Raises
    ------
    TypeError
        If ``name`` is neither a str nor a Loss.
    ValueError
        If ``name`` is not registered; the message lists the valid names.
    """
    if isinstance(name, Loss):
        return name
    if not isinstance(name, str):
        raise error(owner, parameter, f"a str naming a loss (one of {sorted(LOSSES)})",
                    f"{name!r} of type {type(name).__name__}", TypeError)
    try:
        return LOSSES[name]
    except KeyError:
        raise error(owner, parameter, f"one of {sorted(LOSSES)}", repr(name)) from None
