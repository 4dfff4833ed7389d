"""Grade submitted notebooks: the process that decides scores, and never runs learner code.

For each submission: read it (:mod:`.intake`), and for each exercise check the source rules
(:mod:`.checking.source_rules`), run its cells and cases in a fresh child process (:mod:`.sandbox`), then judge the
returned outputs against reference values computed here (:mod:`.checking.judge`), and name a catalogued
misconception a failing answer matches (:mod:`.checking.diagnosis`). Several submissions can be
graded at once (``jobs``): their children run in parallel, driven from threads of this process.

The work this process does itself (reading a notebook, checking its source, drawing cases, judging,
diagnosing) takes :data:`PARENT_WORK`, one lock, so only the waiting for children overlaps. Besides
keeping that work simple to reason about, it is needed: CPython 3.11 keeps the depth counter of its
AST conversion per interpreter, not per thread, and two threads parsing at once (``ast.parse`` in the
source rules and the expression reader, SymPy's own parser in references) can fail with ``SystemError:
AST constructor recursion depth mismatch`` (seen in CI on 3.11.7; CPython issues 95185 and 106905).
"""
from __future__ import annotations

import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Sequence

from .sandbox.call import NOT_ATTEMPTED
from .checking.cases import ExerciseResult
from .checking.exercise import Exercise
from .intake import NotebookError, extract, read_notebook
from .checking.diagnosis import attach
from .checking.judge import judge_case, summarize
from .checking.source_rules import find_violations
from .sandbox.parent import run_exercise

__all__ = ["SubmissionReport", "grade_exercise", "grade_notebook", "grade_many", "DEFAULT_TIMEOUT"]

DEFAULT_TIMEOUT = 30.0

#: Held by this process's own work on a submission; released while a child runs (see the module docstring).
PARENT_WORK = threading.RLock()


@dataclass
class SubmissionReport:
    """The verdict on one submitted file. ``status`` is ``"graded"`` or ``"error"``."""

    file: str
    status: str
    score: float = 0.0
    max_score: float = 0.0
    notebook: str | None = None
    error: str = ""
    exercises: list[ExerciseResult] = field(default_factory=list)
    duration: float = 0.0

    def to_dict(self) -> dict:
        d = asdict(self)
        d["exercises"] = [e.to_dict() for e in self.exercises]
        return d


def grade_exercise(exercise: Exercise, setup: Sequence[str], cells: Sequence[str], seed: int,
                   timeout: float) -> ExerciseResult:
    """Grade one exercise of one submission (its code runs in a child process)."""
    start = time.perf_counter()
    if not cells:
        result = summarize(exercise, [], status="missing",
                           message=f"no cell defines {exercise.function}(); nothing to grade")
        result.status = "missing"
        return result
    with PARENT_WORK:
        violations = find_violations("\n\n".join([*setup, *cells]), exercise.forbidden)
        if violations:
            return summarize(exercise, [], violations=violations)
        cases = exercise.cases(seed)
    run = run_exercise([*setup, *cells], exercise.function, exercise.id, cases, timeout,
                       forbidden=exercise.forbidden)
    with PARENT_WORK:
        result = _judge(exercise, cases, run, timeout)
    result.output = f"(the code printed {run.output_bytes} bytes; graded reports never show them)" if run.output_bytes else ""
    result.duration = round(time.perf_counter() - start, 3)
    return result


def _judge(exercise: Exercise, cases: list, run, timeout: float) -> ExerciseResult:
    """Verdicts, score, status notes and diagnosis of one finished run (this process's work)."""
    if any(o is not None and o.kind == NOT_ATTEMPTED for o in run.outcomes):
        result = summarize(exercise, [], not_attempted=True)
    else:
        results = [judge_case(exercise, case, outcome) for case, outcome in zip(cases, run.outcomes)]
        status, notes = None, []
        if run.timed_out:
            notes.append(f"stopped after the time limit of {timeout:g} s")
        elif run.cells_done and not run.found:
            notes.append(f"{exercise.function}() was not defined after running the cells")
        elif not run.ended:
            notes.append(f"the process ended early (exit code {run.returncode})")
        if run.cell_errors:
            notes.append("errors while running the cells: " + "; ".join(run.cell_errors))
        if run.tampered:
            notes.append("the result channel held lines this run did not write; they were not trusted and were ignored")
        result = summarize(exercise, results, message="; ".join(notes))
        attach(result, exercise, cases, run.outcomes)   # here, in the parent: the child never sees the catalogue
        if result.status != "passed":
            if run.timed_out:
                result.status = "timeout"
            elif not run.ended and (run.found or not run.cells_done):
                result.status = "crashed"
    return result


def grade_notebook(path: str | Path, seed: int, timeout: float = DEFAULT_TIMEOUT) -> SubmissionReport:
    """Grade every exercise found in one notebook; errors in the file itself are reported, not raised."""
    from .exercises import registry

    start = time.perf_counter()
    report = SubmissionReport(file=str(path), status="graded")
    with PARENT_WORK:
        try:
            nb = read_notebook(path)
        except NotebookError as exc:
            report.status, report.error = "error", str(exc)
            return report
        extracted = extract(nb, str(path))
    report.notebook = extracted.notebook
    if not extracted.exercises:
        report.status = "error"
        why = f" ({'; '.join(extracted.notes)})" if extracted.notes else ""
        report.error = f"{path}: no exercise of the course was found in this notebook{why}"
        return report
    for ex_id, cells in extracted.exercises.items():
        exercise = registry.get(ex_id)
        if ex_id in extracted.problems:   # a cell of it (or the setup cell) cannot be read: nothing is run
            with PARENT_WORK:
                result = summarize(exercise, [], violations=extracted.problems[ex_id])
        else:
            result = grade_exercise(exercise, extracted.setup, cells, seed, timeout)
        report.exercises.append(result)
    report.score = round(sum(e.score for e in report.exercises), 4)
    report.max_score = round(sum(e.max_score for e in report.exercises), 4)
    report.duration = round(time.perf_counter() - start, 3)
    return report


def _grade_one(args: tuple) -> SubmissionReport:
    path, seed, timeout = args
    try:
        return grade_notebook(path, seed, timeout)
    except Exception as exc:  # noqa: BLE001 - one broken submission must not stop the others
        return SubmissionReport(file=str(path), status="error",
                                error=f"{path}: the grader failed on this file ({type(exc).__name__}: {exc})")


def grade_many(paths: Sequence[str | Path], seed: int, timeout: float = DEFAULT_TIMEOUT, jobs: int = 1,
               progress: bool | None = None) -> list[SubmissionReport]:
    """Grade several notebooks, ``jobs`` at a time, in the order given.

    The work happens in the sandboxed children, so ``jobs`` threads of this process are enough; no
    learner code runs here, and a child can neither signal nor stop this process (see :mod:`.sandbox`).
    ``progress`` shows a tqdm bar on standard error (default: when there is more than one file).
    """
    from concurrent.futures import ThreadPoolExecutor

    from tqdm import tqdm

    from .exercises import registry
    from .sandbox.walls import choose_route

    choose_route()                  # a route asked for that cannot run here: say so before grading
    registry.all_exercises()        # import the catalogue once, before the threads need it
    tasks = [(str(p), seed, timeout) for p in paths]
    show = (len(tasks) > 1) if progress is None else progress
    reports: list[SubmissionReport | None] = [None] * len(tasks)
    with tqdm(total=len(tasks), desc="grading", unit="notebook", disable=not show, leave=False) as bar:
        if jobs <= 1 or len(tasks) <= 1:
            for i, task in enumerate(tasks):
                reports[i] = _grade_one(task)
                bar.update(1)
        else:
            with ThreadPoolExecutor(max_workers=jobs) as pool:
                for i, report in enumerate(pool.map(_grade_one, tasks)):
                    reports[i] = report
                    bar.update(1)
    return [r for r in reports if r is not None]
