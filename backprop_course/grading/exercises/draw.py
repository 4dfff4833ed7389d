"""Draw hidden test inputs that expose bugs instead of hiding them.

Inputs avoid what masks a wrong backward pass: no all-zero or constant arrays, no symmetric matrices,
no square shapes where a missing transpose would go unnoticed (unless asked), both signs present, and
values kept away from zero. Every function takes the generator explicitly.
"""
from __future__ import annotations

import numpy as np

__all__ = ["mixed", "saturated", "shape", "distinct_sizes", "probabilities"]


def shape(rng: np.random.Generator, ndim: int | None = None, low: int = 1, high: int = 5) -> tuple:
    """A random shape with 1 or 2 axes (or ``ndim``), each of length in [low, high]."""
    ndim = int(rng.integers(1, 3)) if ndim is None else ndim
    return tuple(int(n) for n in rng.integers(low, high + 1, size=ndim))


def mixed(rng: np.random.Generator, size, low: float = 0.2, high: float = 2.0) -> np.ndarray:
    """Magnitudes in [low, high] with random signs; at least one of each sign when size >= 2."""
    mags = rng.uniform(low, high, size=size)
    signs = rng.choice([-1.0, 1.0], size=np.shape(mags))
    flat = signs.reshape(-1)
    if flat.size >= 2:
        flat[0], flat[-1] = 1.0, -1.0
        rng.shuffle(flat)
    return (mags * flat.reshape(np.shape(mags))) if np.ndim(mags) else float(mags * flat[0])


def saturated(rng: np.random.Generator, size, low: float = 8.0, high: float = 40.0) -> np.ndarray:
    """Large magnitudes (where sigmoid saturates) with mixed signs."""
    return mixed(rng, size, low, high)


def probabilities(rng: np.random.Generator, size, low: float = 0.05, high: float = 0.95) -> np.ndarray:
    """Values strictly inside (0, 1), as sigmoid activations are."""
    return rng.uniform(low, high, size=size)


def distinct_sizes(rng: np.random.Generator, count: int, low: int = 1, high: int = 5) -> list[int]:
    """``count`` layer sizes where consecutive sizes differ (so a transposed matrix has a wrong shape)."""
    sizes = [int(rng.integers(low, high + 1))]
    while len(sizes) < count:
        n = int(rng.integers(low, high + 1))
        if n != sizes[-1]:
            sizes.append(n)
    return sizes
