"""What an exercise is: its id, the learner's function, its cases, the reference that judges them, and
the text of its notebook (prompt and model answer; the learner's stub is derived from the answer).

Each module of :mod:`backprop_course.grading.exercises` is one learner notebook: a ``WORKSHEET``
(:class:`~backprop_course.grading.exercises.worksheet.Worksheet`: title, lesson, introduction) and its
``EXERCISES``. To add an exercise, write (or extend) one module; ``scripts/make_exercises.py`` writes
the notebooks and the docs tables from it.
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from .cases import Case
from .compare import Comparison, compare_numbers

__all__ = ["Exercise", "Misconception", "case_rng"]


def case_rng(exercise_id: str, seed: int | None) -> np.random.Generator:
    """The generator that draws an exercise's hidden inputs.

    With an instructor seed every submission gets the same hidden inputs (and a rerun reproduces
    them); with ``seed=None`` fresh entropy is used, as at every ``check`` in a learner's notebook.
    """
    if seed is None:
        return np.random.default_rng()
    return np.random.default_rng([int(seed) & 0xFFFFFFFF, zlib.crc32(exercise_id.encode())])


@dataclass(frozen=True)
class Misconception:
    """A classic mistake, written as the wrong function a learner would write.

    Parameters
    ----------
    name : str
        A few words naming the mistake, e.g. ``"sign flip"`` or ``"mean instead of sum"``.
    explanation : str
        One or two sentences in the course's own words: what went wrong and how to put it right.
        Never an expected value.
    lesson : str
        Where the course teaches the point, e.g. ``"lesson 06, 'The output layer'"``.
    source : str
        The wrong function as Python source (numpy as ``np`` only; SymPy as ``sp`` for a symbolic
        exercise), defining the exercise's function name; the course runs it on the same cases as the
        learner's answer to recognise the mistake (see :mod:`.diagnosis`).
    """

    name: str
    explanation: str
    lesson: str
    source: str


@dataclass(frozen=True)
class Exercise:
    """One graded exercise.

    Parameters
    ----------
    id : str
        ``"exNN.name"``, the id used in ``bc.check(id, fn)`` and in reports.
    function : str
        Name of the function the learner writes (how the grader finds it in a notebook).
    title : str
        A few words for reports.
    notebook : str
        Stem of the learner notebook holding it, e.g. ``"ex06_backprop"``.
    public : callable () -> list of Case
        The fixed public cases (shown in full).
    hidden : callable (rng) -> list of Case
        Draws the hidden cases from ``rng`` (fresh at every check; the instructor's seed at grading).
    reference : callable (*args) -> expected
        Computes the expected output of one call, in the process that judges (never learner code).
    compare : callable (expected, actual) -> Comparison
        How one call's output is judged (default: numbers within tolerance).
    forbidden : frozenset of str
        Names the submission may not use (see :mod:`.source_rules`).
    points : float
        The exercise's maximum score; the score is ``points * passed / cases``.
    hint : str
        Shown when a case without its own hint fails.
    show : callable, optional
        Summarises expected and actual values for feedback (e.g. statistics of random weights).
    misconceptions : tuple of Misconception
        The classic mistakes this exercise recognises and names when an answer fails.
    prompt : str
        The exercise's Markdown text in the notebook (a ``### Exercise N.k - ...`` heading, then the task).
    solution : str
        The code cell of the solution notebook: the function, with the model answer between
        ``# BEGIN SOLUTION`` and ``# END SOLUTION``. The learner's cell, :attr:`stub`, is derived from it.
    requires : tuple of str
        Ids of exercises of the same notebook whose cells the grader runs before this one's, in order
        (e.g. lesson 13's training exercise uses the learner's ``Value`` class of exercise 13.1).
    """

    id: str
    function: str
    title: str
    notebook: str
    public: Callable[[], list[Case]]
    hidden: Callable[[np.random.Generator], list[Case]]
    reference: Callable[..., Any]
    compare: Callable[[Any, Any], Comparison] = compare_numbers
    forbidden: frozenset = field(default_factory=frozenset)
    points: float = 1.0
    hint: str = ""
    show: Callable[[Any], Any] | None = None
    misconceptions: tuple = ()
    requires: tuple = ()
    prompt: str = ""
    solution: str = ""

    @property
    def stub(self) -> str:
        """The learner's code cell: :attr:`solution` with each marked answer replaced by a raising line."""
        from ..exercises.strip import strip_source   # the one strip rule, shared with the notebook writer

        return strip_source(self.solution, self.id)

    @property
    def check_call(self) -> str:
        """The check cell of the notebooks, e.g. ``bc.check("ex03.sigmoid", sigmoid)``."""
        return f'bc.check("{self.id}", {self.function})'

    def shown(self, value: Any) -> Any:
        """What feedback prints for an expected or actual value (a summary for random outputs)."""
        if self.show is None:
            return value
        try:
            return self.show(value)
        except Exception:  # noqa: BLE001 - a malformed output is shown as it is
            return value

    def cases(self, seed: int | None = None) -> list[Case]:
        """Public cases followed by hidden ones drawn for ``seed`` (None: fresh entropy)."""
        return list(self.public()) + list(self.hidden(case_rng(self.id, seed)))

    def expected(self, case: Case) -> Any:
        """The reference output of ``case`` (a list when the case makes several calls)."""
        outs = [self.reference(*args) for args in case.call_args()]
        return outs if case.calls else outs[0]

    def judge(self, case: Case, actual: Any) -> Comparison:
        """Compare ``actual`` (already decoded, as the grader's parent sees it) with the reference."""
        expected = self.expected(case)
        if case.calls:
            if not isinstance(actual, list) or len(actual) != len(expected):
                return Comparison(False, None, "the calls of this case did not all return")
        return self.compare(expected, actual)
