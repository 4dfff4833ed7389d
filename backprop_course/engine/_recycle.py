"""Reusing the memory of large per-step result arrays (an allocator detail; none of the maths).

Every training step makes a new weight-gradient array per layer in ``MLP.backward`` (its one user,
through ``MLP._gradient_memory``). For a large layer (784 x 128 float64 is 800 KB) the C
allocator gives that memory back to the operating system when the arrays of the previous step are
freed, and takes it back, page fault by page fault, on the next step. On Linux that costs more
than the update itself: a [784, 128, 64, 10] step went from 0.8 ms to 1.4 ms in some processes,
depending on what had been allocated before (see ``benchmarks/bench_mlp.py``).

A :class:`Recycler` remembers the last few large arrays it handed out under each key and hands one
out again only once *nothing else refers to it*: no variable, list, view or Gradients object of the
caller. So an array a learner keeps is never overwritten, and a recycled array cannot be told
apart from a fresh ``np.empty``. Arrays below :data:`MIN_SIZE` elements are always fresh: the
allocator keeps small blocks without asking the operating system, so reusing them gains nothing.
"""
from __future__ import annotations

import math
import sys

import numpy as np

__all__ = ["Recycler", "MIN_SIZE"]

#: Arrays with fewer elements than this are never recycled (128 KiB of float64: glibc's default
#: threshold above which a block comes straight from the operating system).
MIN_SIZE = 1 << 14

_getrefcount = getattr(sys, "getrefcount", None)   # absent on some Pythons: then never recycle


def _references(slots: list, i: int) -> int:
    return _getrefcount(slots[i])


def _calibrate() -> int:
    """How many references :func:`_references` reports for an array held by its slot list alone.

    Measured rather than assumed, because what the interpreter counts (its own temporary
    references, borrowed ones) differs between Python versions.
    """
    if _getrefcount is None:
        return -1
    slots = [np.empty(0)]
    return _references(slots, 0)


_ALONE = _calibrate()


class Recycler:
    """Hands out arrays for results that are rebuilt on every step, reusing unreferenced ones.

    Parameters
    ----------
    keep : int
        How many arrays to remember per key. Two cover the usual loop, in which the variable
        ``g = net.backward(T)`` still holds the previous step's gradients while the next ones are
        computed.
    """

    __slots__ = ("keep", "_slots")

    def __init__(self, keep: int = 2) -> None:
        self.keep = keep
        self._slots: dict[object, list[np.ndarray]] = {}

    def empty(self, key: object, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
        """An uninitialised array of ``shape`` and ``dtype`` that nobody else refers to."""
        if math.prod(shape) < MIN_SIZE or _ALONE < 0:
            return np.empty(shape, dtype)
        slots = self._slots.get(key)
        if slots is None:
            slots = self._slots[key] = []
        for i in range(len(slots)):
            if _references(slots, i) == _ALONE:
                a = slots[i]
                if a.shape == shape and a.dtype == dtype:
                    return a
        a = np.empty(shape, dtype)
        slots.append(a)
        if len(slots) > self.keep:
            del slots[0]      # forget the oldest; whoever still holds it keeps it
        return a

    def clear(self) -> None:
        """Forget every remembered array."""
        self._slots.clear()
