"""Test cases as data, and the results of running them.

A :class:`Case` is plain data: a name, the positional arguments of one call (or of several calls),
whether it is hidden, and the hint shown when it fails. Results are plain data too, so the same objects
feed the learner's feedback (:mod:`.check`) and the instructor's reports (:mod:`..reports.formats`).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["Case", "CaseResult", "Diagnosis", "ExerciseResult", "STATUSES"]

#: Exercise statuses, from best to worst (documented in docs/grading.md).
STATUSES = ("passed", "partial", "failed", "not attempted", "rule violation", "timeout", "crashed",
            "missing")


@dataclass(frozen=True)
class Case:
    """One test of an exercise.

    Parameters
    ----------
    name : str
        Shown to the learner, e.g. ``"public 1"`` or ``"hidden 3"``.
    args : tuple
        Positional arguments of the learner's function. When ``calls`` is given instead, the
        function is called once per argument tuple and the case's output is the list of results.
    hidden : bool
        Hidden cases never show their inputs, expected values or code; only pass/fail and ``hint``.
    hint : str
        What to look at when this case fails (one sentence, no expected value).
    calls : tuple of tuple, optional
        Several calls making one case (e.g. "the same seed gives the same weights").
    """

    name: str
    args: tuple = ()
    hidden: bool = False
    hint: str = ""
    calls: tuple = ()

    def call_args(self) -> tuple:
        """The argument tuples of every call this case makes (at least one)."""
        return tuple(self.calls) if self.calls else (tuple(self.args),)


@dataclass
class CaseResult:
    """The verdict on one case. ``max_diff`` is None when no numbers were compared."""

    name: str
    hidden: bool
    passed: bool
    message: str = ""
    max_diff: float | None = None
    input: str = ""      # public cases only: short text forms of the input, expected and actual values
    expected: str = ""
    actual: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Diagnosis:
    """A catalogued misconception the failing answer matches on every case (see :mod:`.diagnosis`)."""

    name: str
    explanation: str
    lesson: str

    def to_dict(self) -> dict[str, str]:
        return asdict(self)

    def line(self) -> str:
        """The one line of feedback that names the mistake."""
        return f"Diagnosis: looks like {self.name}: {self.explanation} ({self.lesson})"


@dataclass
class ExerciseResult:
    """The verdict on one exercise of one submission."""

    id: str
    title: str
    status: str
    score: float
    max_score: float
    message: str = ""
    cases: list[CaseResult] = field(default_factory=list)
    duration: float | None = None
    output: str = ""
    diagnosis: Diagnosis | None = None   # set only for a failing answer that matches a misconception

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["cases"] = [c.to_dict() for c in self.cases]
        d["diagnosis"] = self.diagnosis.to_dict() if self.diagnosis is not None else None
        return d

    @property
    def n_passed(self) -> int:
        return sum(c.passed for c in self.cases)
