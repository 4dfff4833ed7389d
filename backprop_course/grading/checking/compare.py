"""Compare a learner's output with the expected one: structure first, then numbers.

Every comparison returns a :class:`Comparison`: passed or not, the largest absolute difference seen
(None when nothing numeric was compared) and a message in plain words that never quotes an expected
value (hidden cases may show it).

>>> import numpy as np
>>> compare_numbers((1.0, np.array([2.0, 3.0])), (1.0, [2.0, 3.0 + 1e-12])).passed
True
>>> compare_numbers(np.zeros((2, 3)), np.zeros((3, 2))).message
'the array at output has shape (3, 2); shape (2, 3) was expected'
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Comparison", "compare_numbers", "Mismatch", "RTOL", "ATOL"]

RTOL = 1e-6
ATOL = 1e-9


@dataclass(frozen=True)
class Comparison:
    passed: bool
    max_diff: float | None = None
    message: str = ""


class Mismatch(Exception):
    """Raised inside the recursive walk when the structure of the output is wrong."""


def _where(path: str) -> str:
    return path or "output"


def _as_float_array(value: Any, path: str) -> np.ndarray:
    if isinstance(value, bool) or value is None or isinstance(value, (str, dict)):
        raise Mismatch(f"{_where(path)} should hold numbers; got {type(value).__name__}")
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise Mismatch(f"{_where(path)} should hold numbers in a regular array") from None
    return arr


def _walk(expected: Any, actual: Any, path: str, diffs: list[float], rtol: float, atol: float,
          failures: list[str]) -> None:
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            raise Mismatch(f"{_where(path)} should be a dict with keys {sorted(expected)}; "
                           f"got {type(actual).__name__}")
        missing = [k for k in expected if k not in actual]
        if missing:
            raise Mismatch(f"{_where(path)} is missing the key {missing[0]!r}")
        for key in expected:
            _walk(expected[key], actual[key], f"{path}[{key!r}]", diffs, rtol, atol, failures)
        return
    if isinstance(expected, (list, tuple)):
        if not isinstance(actual, (list, tuple)):
            raise Mismatch(f"{_where(path)} should be a {type(expected).__name__} of "
                           f"{len(expected)} items; got {type(actual).__name__}")
        if len(actual) != len(expected):
            raise Mismatch(f"{_where(path)} has {len(actual)} items; {len(expected)} were expected")
        for i, (e, a) in enumerate(zip(expected, actual)):
            _walk(e, a, f"{path}[{i}]", diffs, rtol, atol, failures)
        return
    exp = np.asarray(expected, dtype=float)
    act = _as_float_array(actual, path)
    if act.shape != exp.shape:
        if exp.ndim == 0 and act.size == 1 and act.ndim <= 1:
            act = act.reshape(())
        else:
            what = "array" if exp.ndim else "number"
            raise Mismatch(f"the {what} at {_where(path)} has shape {act.shape}; "
                           f"shape {exp.shape} was expected")
    if not np.all(np.isfinite(act)):
        failures.append(f"{_where(path)} contains NaN or infinity")
        diffs.append(float("inf"))
        return
    diff = np.abs(act - exp)
    diffs.append(float(diff.max()) if diff.size else 0.0)
    if not np.all(diff <= atol + rtol * np.abs(exp)):
        failures.append(f"{_where(path)} differs")


def compare_numbers(expected: Any, actual: Any, rtol: float = RTOL, atol: float = ATOL) -> Comparison:
    """Compare nested dicts/lists/tuples of numbers and arrays entrywise.

    Passes when the structure matches (same keys, lengths and shapes) and every entry satisfies
    ``|actual - expected| <= atol + rtol * |expected|``. Lists and arrays are interchangeable, and so
    are tuples and lists.
    """
    diffs: list[float] = []
    failures: list[str] = []
    try:
        _walk(expected, actual, "", diffs, rtol, atol, failures)
    except Mismatch as exc:
        return Comparison(False, None, str(exc))
    max_diff = max(diffs) if diffs else None
    if failures:
        more = f" (and {len(failures) - 1} more)" if len(failures) > 1 else ""
        return Comparison(False, max_diff, f"{failures[0]}{more}")
    return Comparison(True, max_diff, "")
