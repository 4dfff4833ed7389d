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
from ..checking.cases import Case

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


def describe_exception(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    text = text[:300]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def call_case(fn: Callable, case_args: list[tuple], exercise_id: str, several: bool) -> Outcome:
    """Call ``fn(*args)`` for each argument tuple (inputs already decoded, fresh copies).

    Returns the encoded output(s). A ``NotImplementedError`` whose message names ``exercise_id`` means
    the stub is untouched: NOT_ATTEMPTED. Any other exception, including ``SystemExit`` and
    ``KeyboardInterrupt`` raised by the learner's code, is an ERROR for this case only.
    """
    outputs = []
    for args in case_args:
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                out = fn(*args)
        except NotImplementedError as exc:
            if exercise_id in str(exc):
                return Outcome(NOT_ATTEMPTED)
            return Outcome(ERROR, error=describe_exception(exc))
        except BaseException as exc:  # noqa: BLE001 - learner code may raise anything, even SystemExit
            return Outcome(ERROR, error=describe_exception(exc))
        try:
            outputs.append(codec.encode(out))
        except (codec.EncodingError, RecursionError) as exc:
            return Outcome(ERROR, error=f"the function returned something that cannot be graded: {exc}")
    return Outcome(OK, output=outputs if several else outputs[0])


def call_inputs(case: Case) -> list[tuple]:
    """Fresh decoded copies of a case's arguments (so a learner mutating them changes nothing)."""
    return [tuple(codec.roundtrip(list(args))) for args in case.call_args()]
