"""Turn call outcomes into verdicts and scores. Runs where the score is decided: never learner code.

The learner's output reaches this module as JSON-ready data (from the child process, or encoded in the
learner's own kernel by :func:`.check.check`); it is decoded with generators and functions refused and
SymPy text read by the safe parser, then compared with the reference output.
"""
from __future__ import annotations

import math
from typing import Sequence

from ..sandbox import codec
from ..sandbox.call import ERROR, OK, Outcome
from .cases import Case, CaseResult, ExerciseResult
from .exercise import Exercise
from .formatting import short
from ..sandbox.symexpr import SreprError

__all__ = ["judge_case", "summarize", "NO_RESULT"]

NO_RESULT = "no result: the code ran out of time or stopped before this case"


def _hint(exercise: Exercise, case: Case) -> str:
    return case.hint or exercise.hint or "compare your function with the formula in the prompt"


def judge_case(exercise: Exercise, case: Case, outcome: Outcome | None) -> CaseResult:
    """The verdict on one case. Hidden cases get the hint only, never the expected value."""
    result = CaseResult(name=case.name, hidden=case.hidden, passed=False)
    if not case.hidden:
        result.input = short(case.calls if case.calls else case.args)
        result.expected = short(exercise.shown(exercise.expected(case)))
    if outcome is None:
        result.message = NO_RESULT
        return result
    if outcome.kind == ERROR:
        result.message = f"your function raised {outcome.error}; hint: {_hint(exercise, case)}"
        result.actual = "error"
        return result
    if outcome.kind != OK:
        result.message = "not attempted"
        return result
    try:
        actual = codec.decode(outcome.output, inputs=False)
    except (codec.EncodingError, SreprError, RecursionError, TypeError, ValueError) as exc:
        result.message = f"the output could not be read: {exc}"
        return result
    if not case.hidden:
        result.actual = short(exercise.shown(actual))
    try:
        comparison = exercise.judge(case, actual)
    except Exception as exc:  # noqa: BLE001 - a malformed output must fail the case, not the grader
        result.message = f"the output could not be compared: {type(exc).__name__}"
        return result
    result.passed = comparison.passed
    diff = comparison.max_diff
    result.max_diff = None if (case.hidden or diff is None or not math.isfinite(diff)) else float(diff)
    if not comparison.passed:
        detail = f"{comparison.message}; " if (comparison.message and not case.hidden) else ""
        result.message = f"{detail}hint: {_hint(exercise, case)}"
    return result


def summarize(exercise: Exercise, results: Sequence[CaseResult], *, not_attempted: bool = False,
              violations: Sequence[str] = (), status: str | None = None, message: str = "") -> ExerciseResult:
    """Score an exercise: ``points * passed / cases``; 0 when not attempted or a rule is broken."""
    out = ExerciseResult(id=exercise.id, title=exercise.title, status="", score=0.0,
                         max_score=float(exercise.points), cases=list(results), message=message)
    if violations:
        out.status = "rule violation"
        out.message = "scored 0: " + "; ".join(violations)
        return out
    if not_attempted:
        out.status = "not attempted"
        out.message = out.message or "not attempted: the stub still raises NotImplementedError"
        return out
    n = len(out.cases)
    passed = out.n_passed
    out.score = round(exercise.points * passed / n, 4) if n else 0.0
    if status is not None:
        out.status = status
    elif n and passed == n:
        out.status = "passed"
    elif passed:
        out.status = "partial"
    else:
        out.status = "failed"
    return out
