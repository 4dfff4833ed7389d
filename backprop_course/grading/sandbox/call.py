"""Call a learner's function on one case, containing whatever it does.

Used in the learner's kernel (by :func:`.check.check`) and in the grader's child process. It only runs
and encodes; judging happens elsewhere (:mod:`..checking.judge`), in the grading parent for graded runs.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from . import codec
from .drivers import Driver

__all__ = ["Outcome", "call_case", "NOT_ATTEMPTED", "OK", "ERROR"]

OK, NOT_ATTEMPTED, ERROR = "ok", "not attempted", "error"


@dataclass
class Outcome:
    """``kind`` is OK (``output`` holds the JSON-ready output), NOT_ATTEMPTED or ERROR (``error``)."""

    kind: str
    output: Any = None
    error: str = ""

    def to_json(self) -> dict:
        return {"kind": self.kind, "output": self.output, "error": self.error}


def describe_exception(exc: BaseException, message: bool = True) -> str:
    """``"TypeName: first line of the message"``, or the type's name alone when ``message`` is False.

    Graded runs pass ``message=False``: an exception's text is written by the learner's code and could
    carry anything it saw (a hidden input, say), so only the type's name leaves the child.
    """
    if not message:
        return _builtin_name(type(exc))
    name = type(exc).__name__ if isinstance(type(exc).__name__, str) else "Exception"
    try:
        text = str(exc).strip()
    except BaseException:  # noqa: BLE001 - a hostile __str__
        text = ""
    text = text.splitlines()[0][:300] if text else ""
    return f"{name}: {text}" if text else name


def _builtin_name(kind: type) -> str:
    """The name of ``kind``'s nearest built-in exception class (a learner's own class name is text too)."""
    import builtins

    for base in kind.__mro__:
        if getattr(builtins, getattr(base, "__name__", ""), None) is base:
            return base.__name__ if base is kind else f"{base.__name__} (a subclass)"
    return "BaseException (a subclass)"


def call_case(fn: Callable, case_args: list[tuple], exercise_id: str, several: bool,
              messages: bool = True) -> Outcome:
    """Call ``fn(*args)`` for each argument tuple (inputs already decoded, fresh copies).

    Returns the encoded output(s). A ``NotImplementedError`` whose message names ``exercise_id`` means
    the stub is untouched: NOT_ATTEMPTED. Any other exception, including ``SystemExit`` and
    ``KeyboardInterrupt`` raised by the learner's code, is an ERROR for this case only. ``messages=False``
    (graded runs) reports exceptions by their type alone.
    """
    outputs = []
    for args in case_args:
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                # a case given to a driver (a class, or a function of graph nodes): the driver calls fn
                driven = len(args) == 1 and isinstance(args[0], Driver)
                out = args[0].run(fn) if driven else fn(*args)
        except NotImplementedError as exc:
            if exercise_id in str(exc):
                return Outcome(NOT_ATTEMPTED)
            return Outcome(ERROR, error=describe_exception(exc, messages))
        except BaseException as exc:  # noqa: BLE001 - learner code may raise anything, even SystemExit
            return Outcome(ERROR, error=describe_exception(exc, messages))
        try:
            outputs.append(codec.encode(out))
        except (codec.EncodingError, RecursionError) as exc:
            detail = f": {exc}" if messages else f" ({type(exc).__name__})"
            return Outcome(ERROR, error=f"the function returned something that cannot be graded{detail}")
    return Outcome(OK, output=outputs if several else outputs[0])
