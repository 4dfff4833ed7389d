"""A learner's progress through the course's exercises, as plain data (``bc.progress`` shows it).

Every exercise notebook in the learner's folder is graded by the grader itself (:mod:`.grader`: each
exercise in its own child process with a time limit, hidden cases included, drawn afresh unless a
seed is given) and each exercise gets one of three verdicts:

* ``pass``: every case passed;
* ``not attempted``: the stub still raises its ``NotImplementedError`` (see :mod:`.strip`);
* ``fail``: anything else (some case failed, a rule broken, a timeout, a crash, the function missing);
  ``detail`` keeps the grader's own status.

Nothing here prints a case's input or expected value: a row holds verdicts and scores only. Notebooks
are graded in threads (the work is in the child processes), ``jobs`` at a time.

A course notebook that cannot be graded at all (not valid JSON, too big, the grader failing on it) is
listed in ``ungraded`` with the reason, and shown as a row of the table; other notebooks without an
exercise (the learner's own notes) in ``skipped``. Nothing a notebook holds makes this raise.
"""
from __future__ import annotations

import math
import os
import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ...engine import checks

__all__ = ["ExerciseProgress", "CourseProgress", "course_progress", "exercise_folder", "lesson_totals",
           "format_table", "PASS", "FAIL", "NOT_ATTEMPTED", "VERDICTS"]

PASS, FAIL, NOT_ATTEMPTED = "pass", "fail", "not attempted"
VERDICTS = (PASS, FAIL, NOT_ATTEMPTED)


@dataclass(frozen=True)
class ExerciseProgress:
    """One exercise of one notebook: its verdict (:data:`VERDICTS`) and score."""

    file: str            # the notebook, relative to the folder searched
    notebook: str        # the course notebook it is, e.g. "ex06_backprop"
    lesson: str          # "06"
    exercise: str        # "ex06.hidden_delta"
    status: str          # pass, fail or not attempted
    detail: str          # the grader's status: passed, partial, failed, timeout, ...
    score: float
    max_score: float
    diagnosis: str = ""  # the catalogued mistake a failing answer matches, with its lesson ("" if none)


@dataclass
class CourseProgress:
    """Every exercise found under ``folder``, in course order, and the files that were not graded."""

    folder: str
    rows: list[ExerciseProgress] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)   # (file, why): not a course notebook
    ungraded: list[tuple[str, str]] = field(default_factory=list)  # (file, why): a course notebook not graded
    seconds: float = 0.0

    def counts(self) -> dict[str, int]:
        return {v: sum(r.status == v for r in self.rows) for v in VERDICTS}


def exercise_folder(folder: str | os.PathLike | None = None) -> Path:
    """Where the exercise notebooks are: ``folder/exercises``, ``folder/backprop-course/exercises``
    (the folder ``backprop-course lab`` makes) or ``folder`` itself; default: the current folder."""
    if folder is None:
        folder = Path.cwd()
    elif not isinstance(folder, (str, os.PathLike)):
        raise checks.error("progress", "folder", "a path (str or Path)", type(folder).__name__, TypeError)
    base = Path(folder)
    if not base.is_dir():
        raise checks.error("progress", "folder",
                           "an existing folder (your course folder, the one `backprop-course lab` opened)",
                           repr(str(folder)))
    for candidate in (base / "exercises", base / "backprop-course" / "exercises"):
        if candidate.is_dir() and any(candidate.glob("*.ipynb")):
            return candidate
    return base


def _course_notebook(name: str) -> str | None:
    """The course notebook a file name stands for (``ex06_backprop_v2.ipynb`` -> ``ex06_backprop``)."""
    from ..exercises import registry

    for stem in sorted(registry.NOTEBOOKS, key=len, reverse=True):
        if name.startswith(stem):
            return stem
    return None


def _grade(path: Path, seed: int, timeout: float):
    """``grade_notebook``, with any failure of the grader itself turned into an ungraded report."""
    from ..grader import SubmissionReport, grade_notebook

    try:
        return grade_notebook(path, seed, timeout)
    except Exception as exc:  # noqa: BLE001 - one notebook must not hide the others' progress
        return SubmissionReport(file=str(path), status="error",
                                error=f"{path}: the grader failed on this notebook ({type(exc).__name__})")


def _lesson(notebook: str) -> str:
    """The lesson a course notebook practises, from its module's WORKSHEET (ex06b_gradcheck -> "06")."""
    from ..exercises import registry

    return registry.worksheet(notebook).lesson


def _rows(report, name: str) -> list[ExerciseProgress]:
    from ..exercises import registry

    rows = []
    for ex in report.exercises:
        notebook = registry.get(ex.id).notebook
        status = PASS if ex.status == "passed" else NOT_ATTEMPTED if ex.status == "not attempted" else FAIL
        d = getattr(ex, "diagnosis", None)
        rows.append(ExerciseProgress(name, notebook, _lesson(notebook), ex.id, status, ex.status,
                                     ex.score, ex.max_score,
                                     f"looks like {d.name} (see {d.lesson})" if d else ""))
    return rows


def course_progress(folder: str | os.PathLike | None = None, *, seed: int | None = None, timeout: float = 30.0,
                    jobs: int | None = None) -> CourseProgress:
    """Grade every exercise notebook in the learner's folder (see :func:`exercise_folder`).

    Parameters
    ----------
    folder : path, optional
        The course folder (default: the current folder).
    seed : int, optional
        Seed of the hidden cases (default: fresh ones, as at every ``bc.check``).
    timeout : float
        Seconds allowed per exercise.
    jobs : int, optional
        Notebooks graded at a time (default: one per core).

    Raises
    ------
    ValueError
        When the folder does not exist, or holds no exercise notebook of the course.
    """
    from ..exercises import registry

    if isinstance(seed, bool) or not (seed is None or isinstance(seed, int)):
        raise checks.error("progress", "seed", "an int or None", repr(seed), TypeError)
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
        raise checks.error("progress", "timeout", "a number of seconds", repr(timeout), TypeError)
    if not math.isfinite(timeout) or timeout <= 0:
        raise checks.error("progress", "timeout", "a finite number of seconds > 0", repr(timeout))
    if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1):
        raise checks.error("progress", "jobs", "an int >= 1 or None", repr(jobs))
    start = time.perf_counter()
    where = exercise_folder(folder)
    files = sorted(where.glob("*.ipynb"))
    if not files:
        raise ValueError(f"No notebook was found in {str(where)!r} (nor in an 'exercises' folder inside it). "
                         "Pass your course folder, the one `backprop-course lab` opened.")
    seed = secrets.randbelow(2**31) if seed is None else seed
    jobs = jobs or min(len(files), os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        reports = list(pool.map(lambda p: _grade(p, seed, timeout), files))
    result = CourseProgress(folder=str(where))
    order = {stem: i for i, stem in enumerate(registry.NOTEBOOKS)}
    for path, report in zip(files, reports):
        if report.status != "graded":
            why = report.error.replace(f"{path}: ", "")
            if report.notebook or _course_notebook(path.name):
                result.ungraded.append((path.name, why))
            else:
                result.skipped.append((path.name, why))
        else:
            result.rows.extend(_rows(report, path.name))
    if not result.rows and not result.ungraded:
        raise ValueError(f"None of the {len(files)} notebook(s) in {str(where)!r} is an exercise notebook of the "
                         f"course (such as ex02_graphs.ipynb). Pass your course folder, the one "
                         "`backprop-course lab` opened.")
    result.rows.sort(key=lambda r: (order.get(r.notebook, len(order)), r.file))
    result.seconds = round(time.perf_counter() - start, 3)
    return result


def lesson_totals(rows: list[ExerciseProgress]) -> dict[str, dict[str, float]]:
    """Per lesson, in order: how many exercises pass / fail / are not attempted, and the points."""
    out: dict[str, dict[str, float]] = {}
    for r in rows:
        t = out.setdefault(r.lesson, {**{v: 0 for v in VERDICTS}, "score": 0.0, "max_score": 0.0})
        t[r.status] += 1
        t["score"] += r.score
        t["max_score"] += r.max_score
    return out


def format_table(progress: CourseProgress) -> str:
    """The compact terminal table: notebook, exercise, status, score (and the mistake a failing answer looks
    like, when the exercise's catalogue names it); a row (and the reason) for each course notebook that
    could not be graded; then the totals and the other notebooks that were not graded."""
    head = ("notebook", "exercise", "status", "score")
    body = [(r.file.removesuffix(".ipynb"), r.exercise,
             r.status if r.detail in ("passed", "failed", "not attempted") else f"{r.status} ({r.detail})",
             f"{r.score:g}/{r.max_score:g}") for r in progress.rows]
    lost = [(name.removesuffix(".ipynb"), "-", "not graded", "-") for name, _ in progress.ungraded]
    widths = [max(len(row[i]) for row in [head, *body, *lost]) for i in range(len(head))]
    notes = [""] + [r.diagnosis for r in progress.rows]
    lines = [("  ".join(cell.ljust(w) for cell, w in zip(row, widths)) + ("  " + note if note else "")).rstrip()
             for row, note in zip([head, *body], notes)]
    lines.insert(1, "  ".join("-" * w for w in widths))
    for row, (_, why) in zip(lost, progress.ungraded):
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths)) + "  " + _one_line(why))
    counts = progress.counts()
    score = sum(r.score for r in progress.rows)
    total = sum(r.max_score for r in progress.rows)
    lines.append(f"{counts[PASS]} passed, {counts[FAIL]} failed, {counts[NOT_ATTEMPTED]} not attempted; "
                 f"{score:g}/{total:g} points" + (f"; {len(lost)} notebook(s) not graded" if lost else ""))
    for name, why in progress.skipped:
        lines.append(f"not graded: {name}: {_one_line(why)}")
    return "\n".join(lines)


def _one_line(text: str, limit: int = 300) -> str:
    """A reason on one line of at most ``limit`` characters (it may quote the learner's file)."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 3] + "..."
