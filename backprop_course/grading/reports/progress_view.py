"""``bc.progress()``: the learner's progress, shown in a notebook or a terminal.

A thin shell over :func:`.progress.course_progress` (the data, which is what tests check). The object
keeps that data in ``state``; its plain-text form is the terminal table, in JupyterLab it shows a
compact bar per lesson (HTML, no figure) above the table, and :meth:`Progress.plot` draws the same bars
with matplotlib. Only verdicts and scores are shown, never a case's input or expected value.
"""
from __future__ import annotations

import html
import os

from .progress import FAIL, NOT_ATTEMPTED, PASS, VERDICTS, CourseProgress, _one_line, course_progress, \
    format_table, lesson_totals

__all__ = ["Progress", "progress", "COLORS"]

COLORS = {PASS: "#2e7d32", FAIL: "#c62828", NOT_ATTEMPTED: "#bdbdbd"}


class Progress:
    """What :func:`progress` returns: ``state`` is the :class:`~.progress.CourseProgress`."""

    def __init__(self, state: CourseProgress):
        self.state = state

    def __repr__(self) -> str:
        return format_table(self.state)

    def _repr_html_(self) -> str:
        bars = []
        for lesson, t in lesson_totals(self.state.rows).items():
            n = sum(t[v] for v in VERDICTS)
            parts = "".join(
                f'<span title="{t[v]} {v}" style="display:inline-block;height:0.9em;width:{100 * t[v] / n:.4g}%;'
                f'background:{COLORS[v]}"></span>' for v in VERDICTS if t[v])
            bars.append(f"<tr><td>lesson {html.escape(lesson)}</td>"
                        f'<td style="width:16em"><div style="display:flex;width:100%">{parts}</div></td>'
                        f"<td>{t[PASS]}/{n} passed, {t['score']:g}/{t['max_score']:g} points</td></tr>")
        legend = " ".join(f'<span style="color:{COLORS[v]}">&#9632;</span> {v}' for v in VERDICTS)
        lost = "".join(f"<li>{html.escape(name)}: not graded, {html.escape(_one_line(why))}</li>"
                       for name, why in self.state.ungraded)
        lost = f'<ul style="color:{COLORS[FAIL]}">{lost}</ul>' if lost else ""
        return (f"<div><table>{''.join(bars)}</table><p>{legend}</p>{lost}"
                f"<details><summary>every exercise</summary><pre>{html.escape(repr(self))}</pre></details></div>")

    def plot(self, ax=None):
        """Horizontal stacked bars, one per lesson: exercises passed, failed, not attempted. Returns the Axes."""
        import matplotlib.pyplot as plt

        totals = lesson_totals(self.state.rows)
        if ax is None:
            _, ax = plt.subplots(figsize=(6, 0.35 * len(totals) + 0.8))
        labels = [f"lesson {lesson}" for lesson in totals]
        left = [0] * len(totals)
        for verdict in VERDICTS:
            widths = [t[verdict] for t in totals.values()]
            ax.barh(labels, widths, left=left, color=COLORS[verdict], label=verdict)
            left = [a + b for a, b in zip(left, widths)]
        ax.invert_yaxis()
        ax.set_xlabel("exercises")
        ax.legend(loc="lower right", fontsize="small", frameon=False)
        return ax


def progress(folder: str | os.PathLike | None = None, *, seed: int | None = None, timeout: float = 30.0,
             jobs: int | None = None) -> Progress:
    """Grade your exercise notebooks and show which pass, fail or are not attempted yet.

    Each notebook is graded as the instructor's grader does (your code in a separate process, hidden
    cases included); save your notebook first, since the file on disk is what is graded.

    Parameters
    ----------
    folder : path, optional
        Your course folder, or its ``exercises`` folder (default: the current folder, which in
        JupyterLab is the folder of the open notebook).
    seed, timeout, jobs
        As for :func:`backprop_course.grading.reports.progress.course_progress`.

    >>> import backprop_course as bc
    >>> bc.progress("no/such/folder")
    Traceback (most recent call last):
    ...
    ValueError: The 'folder' parameter of progress must be an existing folder (your course folder, the one `backprop-course lab` opened). Got 'no/such/folder' instead.
    """
    return Progress(course_progress(folder, seed=seed, timeout=timeout, jobs=jobs))

