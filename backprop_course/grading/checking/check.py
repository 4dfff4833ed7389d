"""``bc.check("exNN.name", fn)``: immediate feedback in the learner's own notebook.

This runs the learner's function in the learner's kernel, which is fine for feedback (the grader never
trusts it: see :mod:`.grader`). Public cases print their input, expected and actual values; hidden
cases, drawn afresh at every call, print only passed/FAILED and a hint.
"""
from __future__ import annotations

import inspect
import textwrap
from typing import Callable

from ...engine import checks
from ..exercises import registry
from ..sandbox import codec
from ..sandbox.call import NOT_ATTEMPTED, call_case
from .cases import ExerciseResult
from .diagnosis import attach
from .exercise import Exercise
from .feedback import render
from .judge import judge_case, summarize
from .source_rules import find_violations

__all__ = ["check", "evaluate"]


def _source_violations(exercise: Exercise, fn: Callable) -> list[str]:
    try:
        source = textwrap.dedent(inspect.getsource(fn))
    except (OSError, TypeError):  # no source available (e.g. a builtin): the grader checks anyway
        return []
    return find_violations(source, exercise.forbidden)


def evaluate(exercise: Exercise, fn: Callable, seed: int | None = None) -> ExerciseResult:
    """Run every case of ``exercise`` on ``fn`` in this process and return the verdicts.

    ``seed`` fixes the hidden cases (None: drawn afresh). The learner's output goes through the same
    encoding and judging as in the grader, so the two agree; a failing answer that matches a catalogued
    misconception on every case gets it as ``diagnosis`` (see :mod:`.diagnosis`).
    """
    violations = _source_violations(exercise, fn)
    if violations:
        return summarize(exercise, [], violations=violations)
    results, outcomes = [], []
    cases = exercise.cases(seed)
    for case in cases:
        outcome = call_case(fn, call_inputs(case), exercise.id, several=bool(case.calls))
        if outcome.kind == NOT_ATTEMPTED:
            return summarize(exercise, [], not_attempted=True)
        outcomes.append(outcome)
        results.append(judge_case(exercise, case, outcome))
    return attach(summarize(exercise, results), exercise, cases, outcomes)


def check(exercise_id: str, fn: Callable) -> None:
    """Check ``fn`` against exercise ``exercise_id`` and print one line per case.

    Parameters
    ----------
    exercise_id : str
        The id printed in the exercise, e.g. ``"ex03.sigmoid"``.
    fn : callable
        Your function (pass the function itself, not a call: ``check("ex03.sigmoid", sigmoid)``).
    """
    exercise = registry.get(exercise_id)
    if not callable(fn):
        raise checks.error("check", "fn", "your function (callable)", type(fn).__name__, TypeError)
    print(render(evaluate(exercise, fn)))


def call_inputs(case: Case) -> list[tuple]:
    """Fresh decoded copies of a case's arguments (so a learner mutating them changes nothing)."""
    return [tuple(codec.roundtrip(list(args))) for args in case.call_args()]
