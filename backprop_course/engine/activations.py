"""Activation functions and their derivatives, looked up by name.

Each entry of :data:`ACTIVATIONS` pairs a function ``f(z)`` with ``fprime_from(z, a)``, which returns
``f'(z)`` given both the net input ``z`` and the output ``a = f(z)``. Passing ``a`` lets the sigmoid
and tanh derivatives reuse the forward pass, exactly as Backpropagation for dummies writes the sigmoid's slope:
``g'(in) = g(in) * (1 - g(in)) = a * (1 - a)`` (no second exponential needed).

Notation: ``z`` is the net input of a neuron (the 2017 note ``z^n``, Backpropagation for dummies ``in_i``, Gashler (2010) ``x_ij``,
the UFLDL guide ``z^(l)``); ``a`` is its output (``a^n``, ``a_i``, ``y_ij``, ``a^(l)``).

>>> import numpy as np
>>> act = get_activation("sigmoid")
>>> z = np.array([-1000.0, 0.0, 1000.0])
>>> a = act.f(z)
>>> a.tolist()
[0.0, 0.5, 1.0]
>>> act.fprime_from(z, a).tolist()
[0.0, 0.25, 0.0]
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .checks import error

__all__ = ["Activation", "ACTIVATIONS", "LEAKY_SLOPE", "get_activation"]

#: Slope of ``leaky_relu`` for negative net inputs: f(z) = 0.01 * z when z < 0.
LEAKY_SLOPE = 0.01


@dataclass(frozen=True)
class Activation:
    """An activation function with its derivative.

    Attributes
    ----------
    name : str
        Registry name, e.g. ``"sigmoid"``.
    f : callable
        ``f(z) -> a``, elementwise, same shape and dtype as ``z``.
    fprime_from : callable
        ``fprime_from(z, a) -> f'(z)`` where ``a = f(z)``; always returns a NEW array (the MLP
        multiplies into it in place).
    """

    name: str
    f: Callable[[np.ndarray], np.ndarray]
    fprime_from: Callable[[np.ndarray, np.ndarray], np.ndarray]

    def __reduce__(self):
        # A registered activation pickles as its name, like a registered loss.
        if ACTIVATIONS.get(self.name) is self:
            return (get_activation, (self.name,))
        return super().__reduce__()

    def __call__(self, z: np.ndarray) -> np.ndarray:
        return self.f(z)

    def derivative(self, z: np.ndarray) -> np.ndarray:
        """``f'(z)`` from ``z`` alone (runs ``f`` once more)."""
        z = np.asarray(z, dtype=float) if not isinstance(z, np.ndarray) else z
        return self.fprime_from(z, self.f(z))


# --- sigmoid -------------------------------------------------------------------------------
def _sigmoid(z: np.ndarray) -> np.ndarray:
    # 1 / (1 + e^-z), computed in place in one new array. For z < -709.78, e^-z exceeds the
    # largest float and becomes inf; then 1 / (1 + inf) = 0, which IS the limit (the true value
    # is below 1e-308), so that one intended overflow is silenced. The formula has no cancellation:
    # tiny outputs such as sigmoid(-700) = 9.86e-305 keep their full relative precision.
    with np.errstate(over="ignore"):
        out = np.negative(z)
        np.exp(out, out=out)
    out += 1.0
    np.reciprocal(out, out=out)
    return out


def _sigmoid_prime(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    # Backpropagation for dummies, eq. (8): g' = g (1 - g), written with the cached output a.
    out = 1.0 - a
    out *= a
    return out


# --- tanh ----------------------------------------------------------------------------------
def _tanh(z: np.ndarray) -> np.ndarray:
    return np.tanh(z)  # saturates to +-1 without overflow


def _tanh_prime(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    # d tanh(z)/dz = 1 - tanh(z)^2 = 1 - a^2
    out = a * a
    np.subtract(1.0, out, out=out)
    return out


# --- relu and leaky relu -------------------------------------------------------------------
# At the kink z = 0 both use the slope from the left (0 for relu, LEAKY_SLOPE for leaky relu): a
# convention, since the derivative does not exist there. Finite differences across 0 disagree.
def _relu(z: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0.0)


def _relu_prime(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return (z > 0).astype(z.dtype)


def _leaky_relu(z: np.ndarray) -> np.ndarray:
    return np.where(z > 0, z, LEAKY_SLOPE * z)


def _leaky_relu_prime(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return np.where(z > 0, 1.0, LEAKY_SLOPE).astype(z.dtype, copy=False)


# --- linear (identity) ---------------------------------------------------------------------
def _linear(z: np.ndarray) -> np.ndarray:
    return z


def _linear_prime(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return np.ones_like(z)


ACTIVATIONS: dict[str, Activation] = {
    act.name: act
    for act in (
        Activation("sigmoid", _sigmoid, _sigmoid_prime),
        Activation("tanh", _tanh, _tanh_prime),
        Activation("relu", _relu, _relu_prime),
        Activation("leaky_relu", _leaky_relu, _leaky_relu_prime),
        Activation("linear", _linear, _linear_prime),
    )
}


def get_activation(name: str, parameter: str = "name", owner: str = "get_activation") -> Activation:
    """Look an activation up by name.

    Parameters
    ----------
    name : str
        One of ``"sigmoid"``, ``"tanh"``, ``"relu"``, ``"leaky_relu"``, ``"linear"``.
    parameter, owner : str
        Used only in the error message (so ``MLP`` can report its own parameter name).

    Raises
    ------
    TypeError
        If ``name`` is not a string.
    ValueError
        If ``name`` is not registered; the message lists the valid names.
    """
    if not isinstance(name, str):
        raise error(owner, parameter, f"a str naming an activation (one of {sorted(ACTIVATIONS)})",
                    f"{name!r} of type {type(name).__name__}", TypeError)
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise error(owner, parameter, f"one of {sorted(ACTIVATIONS)}", repr(name)) from None
