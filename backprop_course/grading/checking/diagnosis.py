"""Name the mistake: match a failing answer against its exercise's catalogued misconceptions.

Every exercise may list :class:`~.exercise.Misconception` objects, each the wrong function a learner
would write (course code, numpy only). When an answer fails at least one case, :func:`diagnose` runs
each wrong function on the same cases, in order, and returns the first whose outputs the learner's
outputs match on EVERY case, public and hidden, under the exercise's own comparison. Raising counts as
an output: a learner's code that raises where the wrong function raises the same built-in exception type
(a transposed product meeting a non-square matrix, say) matches there, as long as some other case
matches by value. A case where the learner's code ran out of time or returned nothing readable gives no
diagnosis at all: a guess is worse than the generic hint.

This runs where the score is decided (``bc.check`` in the learner's kernel, the grader's parent), never
in the sandbox's child. The wrong functions are the course's code, so running them here is as safe as
running the references. What reaches the learner is the misconception's name, explanation and lesson
pointer: fixed text written in the catalogue, never a value computed from a case.

A time budget (:data:`TIME_BUDGET`) bounds the work per answer: when it is spent, the search stops
without a diagnosis (the generic hint stands), so a slow exercise cannot slow grading down.
"""
from __future__ import annotations

import time
from functools import lru_cache
from typing import Any, Callable, Sequence

import numpy as np

from ..sandbox import codec
from ..sandbox.call import ERROR, OK, Outcome, call_case
from .cases import Case, Diagnosis, ExerciseResult
from .exercise import Exercise, Misconception

__all__ = ["Diagnosis", "diagnose", "attach", "learner_outputs", "wrong_function", "TIME_BUDGET"]

#: CPU seconds (of the judging thread) one answer's diagnosis may take, all misconceptions and cases,
#: before it gives up. CPU time, not the wall clock: a busy machine must not change a diagnosis.
TIME_BUDGET = 2.0

_NO_OUTPUT = object()


class _Raised(str):
    """The output of a call that raised: the exception's built-in type name (all that leaves a child)."""


def _raised(outcome: Outcome) -> _Raised:
    return _Raised(str(outcome.error).split(":", 1)[0].strip())


@lru_cache(maxsize=None)
def _compile(function: str, source: str, label: str) -> Callable:
    namespace: dict[str, Any] = {"np": np}
    if "sp." in source:  # a symbolic exercise's wrong function builds SymPy expressions (imported only then)
        import sympy

        namespace["sp"] = sympy
    exec(compile(source, label, "exec"), namespace)  # noqa: S102 - the course's own catalogue
    fn = namespace.get(function)
    if not callable(fn):
        raise ValueError(f"The misconception {label!r} must define {function}(). Got no such function instead.")
    return fn


def wrong_function(exercise: Exercise, misconception: Misconception) -> Callable:
    """The callable a misconception's source defines (compiled once, then cached)."""
    return _compile(exercise.function, misconception.source, f"<misconception {exercise.id}: {misconception.name}>")


def _decoded(outcome: Outcome | None) -> Any:
    if outcome is not None and outcome.kind == ERROR:
        return _raised(outcome)
    if outcome is None or outcome.kind != OK:
        return _NO_OUTPUT
    try:
        return codec.decode(outcome.output, inputs=False)
    except Exception:  # noqa: BLE001 - an unreadable output simply gives no diagnosis
        return _NO_OUTPUT


def learner_outputs(outcomes: Sequence[Outcome | None]) -> list:
    """The learner's decoded output per case, as the judge sees it (a marker where there is none)."""
    return [_decoded(o) for o in outcomes]


def _settle(wrong: Any, actual: Any) -> tuple[Any, Any]:
    """Zero the entries that are the same non-finite value in both (a NaN the mistake makes matches a NaN).

    The exercise's comparison fails any NaN in an answer, as it must for scoring; to recognise a mistake
    that yields NaN (a missing floor, say), the two outputs are compared with those entries set aside.
    """
    if isinstance(wrong, dict) and isinstance(actual, dict) and wrong.keys() == actual.keys():
        pairs = {k: _settle(wrong[k], actual[k]) for k in wrong}
        return {k: p[0] for k, p in pairs.items()}, {k: p[1] for k, p in pairs.items()}
    if isinstance(wrong, (list, tuple)) and isinstance(actual, (list, tuple)) and len(wrong) == len(actual):
        pairs = [_settle(w, a) for w, a in zip(wrong, actual)]
        return type(wrong)(p[0] for p in pairs), type(actual)(p[1] for p in pairs)
    try:
        w, a = np.asarray(wrong, dtype=float), np.asarray(actual, dtype=float)
    except (TypeError, ValueError):
        return wrong, actual
    if w.shape != a.shape or np.all(np.isfinite(w)) or np.all(np.isfinite(a)):
        return wrong, actual
    same = ~np.isfinite(w) & ~np.isfinite(a) & ((np.isnan(w) & np.isnan(a)) | (w == a))
    return np.where(same, 0.0, w), np.where(same, 0.0, a)


def _matches(exercise: Exercise, case: Case, wrong: Any, actual: Any) -> bool:
    if isinstance(wrong, _Raised) or isinstance(actual, _Raised):
        return isinstance(wrong, _Raised) and isinstance(actual, _Raised) and wrong == actual
    if case.calls and (not isinstance(actual, list) or len(actual) != len(wrong)):
        return False
    try:
        wrong, actual = _settle(wrong, actual)
        return bool(exercise.compare(wrong, actual).passed)
    except Exception:  # noqa: BLE001 - an odd output is simply not a match
        return False


def diagnose(exercise: Exercise, cases: Sequence[Case], outputs: Sequence[Any],
             budget: float = TIME_BUDGET) -> Diagnosis | None:
    """The first misconception of ``exercise`` whose outputs match ``outputs`` on every case, or None.

    Parameters
    ----------
    exercise : Exercise
        Its ``misconceptions`` are tried in catalogue order.
    cases : sequence of Case
        The cases the learner's function ran on (public and hidden), in order.
    outputs : sequence
        The learner's decoded output per case (from :func:`learner_outputs`).
    budget : float
        Seconds allowed; when spent, the search stops and returns None.
    """
    if not exercise.misconceptions or not cases or len(outputs) != len(cases):
        return None
    if any(out is _NO_OUTPUT for out in outputs) or all(isinstance(out, _Raised) for out in outputs):
        return None
    deadline = time.thread_time() + budget
    for misconception in exercise.misconceptions:
        fn = wrong_function(exercise, misconception)
        for case, actual in zip(cases, outputs):
            if time.thread_time() > deadline:
                return None
            inputs = [tuple(codec.roundtrip(list(args))) for args in case.call_args()]  # as the learner got them
            outcome = call_case(fn, inputs, exercise.id, several=bool(case.calls))
            wrong = _decoded(outcome)
            if wrong is _NO_OUTPUT or not _matches(exercise, case, wrong, actual):
                break
        else:
            return Diagnosis(misconception.name, misconception.explanation, misconception.lesson)
    return None


def attach(result: ExerciseResult, exercise: Exercise, cases: Sequence[Case],
           outcomes: Sequence[Outcome | None], budget: float = TIME_BUDGET) -> ExerciseResult:
    """Set ``result.diagnosis`` when the answer failed a case and matches a misconception; returns ``result``."""
    if result.cases and result.n_passed < len(result.cases) and len(outcomes) == len(cases):
        result.diagnosis = diagnose(exercise, cases, learner_outputs(outcomes), budget)
    return result
