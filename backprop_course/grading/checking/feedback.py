"""The text a learner reads: one aligned line per case.

Public cases show ``name | verdict | max |diff| | input | expected | actual``; hidden cases show only
``name | verdict`` and, on failure, a hint. A failing answer that matches a catalogued misconception gets
one more line naming it (``Diagnosis: looks like ...``). The text is identical for every correct solution (no
timings, no random numbers), so stored notebook outputs stay valid under nbval.
"""
from __future__ import annotations

from .cases import ExerciseResult
from .formatting import fmt_diff

__all__ = ["render"]


def render(result: ExerciseResult) -> str:
    """Feedback for one exercise as a multi-line string."""
    if result.status == "not attempted":
        return f"{result.id}: not attempted yet (the stub still raises NotImplementedError)."
    if result.status == "rule violation":
        return f"{result.id}: {result.message}"
    n, passed = len(result.cases), result.n_passed
    head = f"{result.id}: {passed}/{n} cases passed"
    if passed == n:
        head += " - well done!"
    lines = [head]
    width = max((len(c.name) for c in result.cases), default=0)
    for case in result.cases:
        verdict = "passed" if case.passed else "FAILED"
        parts = [f"  {case.name:<{width}}", verdict]
        if not case.hidden:
            parts.append(f"max |diff| {fmt_diff(case.max_diff):>7}")
            parts.append(f"input {case.input}")
            parts.append(f"expected {case.expected}")
            parts.append(f"actual {case.actual or '-'}")
        if not case.passed and case.message:
            parts.append(case.message)
        lines.append(" | ".join(parts))
    if result.diagnosis is not None:
        lines.append(result.diagnosis.line())
    if result.message:
        lines.append(result.message)
    return "\n".join(lines)
