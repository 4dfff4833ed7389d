"""Argument checks: one vocabulary and one error message for the whole course.

Every function of the course that rejects an argument says the same three things, in the same
sentence: which parameter, what it must be, and what it got (scikit-learn's template)::

    The 'lr' parameter of SGD must be a float > 0. Got -0.1 instead.

:func:`error` builds that sentence; the checks below use it and return the argument converted to
the plain Python type the caller works with. A wrong *type* is a ``TypeError``, a value of the
right type outside the allowed range a ``ValueError``.

>>> integer(3, "epochs", "train", low=1)
3
>>> real(-0.1, "lr", "SGD", "a float > 0", lambda v: v > 0)
Traceback (most recent call last):
...
ValueError: The 'lr' parameter of SGD must be a float > 0. Got -0.1 instead.

Standard library only: ``Value`` (no numpy) uses it as well as the numpy code.
"""
from __future__ import annotations

import math
import numbers
from collections.abc import Hashable
from typing import Any, Callable, Sequence

__all__ = ["TEMPLATE", "error", "integer", "real", "boolean", "one_of", "describe"]

#: The one error message. ``must`` is "be" unless another verb reads better ("have one array per
#: parameter"); ``role`` is "parameter" except for an operator's operands; ``hint``, if any, says
#: how to fix it (" (use T.reshape(-1, 1) for a single output)").
TEMPLATE = "The {name!r} {role} of {owner} must {must} {rule}. Got {got} instead{hint}."


def error(owner: str, name: str, rule: str, got: str, kind: type[Exception] = ValueError,
          role: str = "parameter", hint: str = "", must: str = "be") -> Exception:
    """The exception for a rejected argument, with the house message (raise it).

    Parameters
    ----------
    owner : str
        The function or class that was called, e.g. ``"SGD"`` or ``"MLP.forward"``.
    name : str
        The parameter, e.g. ``"lr"``.
    rule : str
        What it must be, e.g. ``"a float > 0"``.
    got : str
        What it was, as the message shows it: usually ``repr(value)``, or a description such as
        ``"shape (3,)"``.
    kind : exception class
        ``TypeError`` for a wrong type, ``ValueError`` (default) for a wrong value.
    role : str
        ``"parameter"``, or ``"operand"`` for the operands of an operator.
    hint : str
        Appended after "instead": how to fix it, e.g. ``"; call reset() first"``.
    must : str
        The verb after "must": "be" (default), or e.g. "have", "hold", "match".
    """
    return kind(TEMPLATE.format(name=name, role=role, owner=owner, must=must, rule=rule, got=got,
                                hint=hint))


def describe(value: Any) -> str:
    """A received object and its type, for messages where the type is the point: ``'a' (str)``."""
    return f"{value!r} ({type(value).__name__})"


def _is_bool(value: Any) -> bool:
    """True for ``bool`` and numpy's bool scalars (recognised without importing numpy)."""
    return isinstance(value, bool) or (getattr(value, "ndim", None) == 0
                                       and getattr(getattr(value, "dtype", None), "kind", "") == "b")


def integer(value: Any, name: str, owner: str, low: int | None = None, high: int | None = None,
            rule: str | None = None) -> int:
    """``value`` as an int in ``[low, high]`` (either bound may be None); bools are refused.

    ``rule`` defaults to "an int >= low", "an int in [low, high]" or "an int".
    """
    if rule is None:
        rule = ("an int" if low is None and high is None else f"an int >= {low}" if high is None
                else f"an int <= {high}" if low is None else f"an int in [{low}, {high}]")
    if _is_bool(value) or not isinstance(value, numbers.Integral):
        raise error(owner, name, rule, repr(value), TypeError)
    if (low is not None and value < low) or (high is not None and value > high):
        raise error(owner, name, rule, repr(value))
    return int(value)


def real(value: Any, name: str, owner: str, rule: str,
         ok: Callable[[float], bool] | None = None) -> float:
    """``value`` as a finite float for which ``ok(value)`` holds; bools are refused."""
    if _is_bool(value) or not isinstance(value, numbers.Real):
        raise error(owner, name, rule, repr(value), TypeError)
    number = float(value)
    if not math.isfinite(number) or (ok is not None and not ok(number)):
        raise error(owner, name, rule, repr(number))
    return number


def boolean(value: Any, name: str, owner: str) -> bool:
    """``value`` as a bool; only ``True``, ``False`` and numpy's bools are accepted."""
    if not _is_bool(value):
        raise error(owner, name, "a bool", repr(value), TypeError)
    return bool(value)


def one_of(value: Any, name: str, owner: str, choices: Sequence[Any]) -> Any:
    """``value`` itself if it is one of ``choices``, else a ValueError listing them."""
    if not isinstance(value, Hashable) or value not in choices:   # (an array is not hashable)
        raise error(owner, name, f"one of {', '.join(map(repr, choices))}", repr(value))
    return value
