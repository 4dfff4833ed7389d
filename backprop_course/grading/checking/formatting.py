"""Short, deterministic text forms of case values for one-line feedback.

>>> import numpy as np
>>> short(np.array([[0.5, -1.0], [2.0, 1e-20]]))
'[[0.5, -1], [2, 0]]'
>>> short((-12.0, -4.0))
'(-12, -4)'
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..sandbox.codec import DriverSpec, FunctionSpec, RngSeed

__all__ = ["short", "fmt_diff", "WIDTH"]

#: Longest text form of one value in a feedback line.
WIDTH = 150


def _number(x: float) -> str:
    x = float(x)
    if x == 0:
        return "0"
    return f"{x:.4g}"


def _text(value: Any, depth: int = 0) -> str:
    if depth > 6:
        return "..."
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return repr(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        return _number(value)
    if isinstance(value, np.ndarray):
        arr = np.asarray(value, dtype=float)
        arr = np.where(np.abs(arr) < 1e-12, 0.0, arr)
        with np.printoptions(precision=4, suppress=True, threshold=24, edgeitems=2, linewidth=10**6,
                             floatmode="maxprec", sign="-"):
            text = np.array2string(arr, separator=", ", formatter={"float_kind": _number})
        return " ".join(text.split())
    if isinstance(value, tuple):
        inner = ", ".join(_text(v, depth + 1) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, list):
        if len(value) > 6:
            return "[" + ", ".join(_text(v, depth + 1) for v in value[:3]) + f", ... ({len(value)} items)]"
        return "[" + ", ".join(_text(v, depth + 1) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_text(v, depth + 1)}" for k, v in value.items()) + "}"
    if isinstance(value, RngSeed):
        return f"default_rng({value.seed})"
    if isinstance(value, DriverSpec):
        return str(value)
    if isinstance(value, FunctionSpec):
        return f"<test function {value.name}>"
    if isinstance(value, np.random.Generator):
        return "<random generator>"
    if callable(value):
        return f"<function {getattr(value, '__name__', '?')}>"
    return str(value)


def short(value: Any, width: int = WIDTH) -> str:
    """A one-line text form of ``value``, at most ``width`` characters."""
    text = _text(value)
    return text if len(text) <= width else text[: width - 3] + "..."


def fmt_diff(max_diff: float | None) -> str:
    """``max |diff|`` text that is identical for every correct solution (tiny rounding is '< 1e-10')."""
    if max_diff is None:
        return "-"
    if max_diff < 1e-10:
        return "< 1e-10"
    return f"{max_diff:.1e}"
