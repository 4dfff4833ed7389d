"""Write grading reports: JSON (the full record), Gradescope's results.json, and a CSV gradebook.

Every file is written atomically: to a temporary file in the same folder, then ``os.replace``d over the
target, so a reader never sees half a report and an interrupted run leaves the old one intact. The JSON
schema is documented in ``docs/grading.md``.
"""
from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Sequence

from ..checking.feedback import render
from ..grader import SubmissionReport

__all__ = ["SCHEMA", "FORMATS", "to_json", "to_gradescope", "to_csv", "render_report", "write_atomic"]

SCHEMA = "backprop-course/grades/1"
FORMATS = ("json", "gradescope", "csv")


def to_json(reports: Sequence[SubmissionReport], seed: int, timeout: float) -> str:
    """The full report: every submission, exercise and case (see docs/grading.md)."""
    from backprop_course import __version__

    graded = [r for r in reports if r.status == "graded"]
    doc = {
        "schema": SCHEMA,
        "version": __version__,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "seed": seed,
        "timeout": timeout,
        "summary": {"submissions": len(reports), "graded": len(graded), "errors": len(reports) - len(graded)},
        "submissions": [r.to_dict() for r in reports],
    }
    return json.dumps(doc, indent=2, allow_nan=False, default=str) + "\n"


def to_gradescope(reports: Sequence[SubmissionReport], seed: int, timeout: float) -> str:
    """Gradescope's ``results.json`` for ONE student's files: one test per exercise.

    The test output is the learner feedback (public cases in full, hidden cases pass/fail and a hint
    only), so it may be shown to students as it is. The seed is not in it at all (not even in
    ``extra_data``): with the seed and the package a student could compute every hidden case, and the
    instructor has it from the bundle's build.
    """
    from backprop_course import __version__

    tests = []
    for report in reports:
        if report.status != "graded":
            tests.append({"name": f"{Path(report.file).name}: could not be graded", "score": 0.0,
                          "max_score": 0.0, "output": report.error, "visibility": "visible",
                          "status": "failed"})
            continue
        for ex in report.exercises:
            tests.append({
                "name": f"{ex.id}: {ex.title}", "score": ex.score, "max_score": ex.max_score,
                "output": render(ex), "visibility": "visible",
                "status": "passed" if ex.score == ex.max_score else "failed",
            })
    doc = {
        "score": round(sum(t["score"] for t in tests), 4),
        "output": f"Time limit {timeout:g} s per exercise.",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "extra_data": {"timeout": timeout, "version": __version__},
        "tests": tests,
    }
    return json.dumps(doc, indent=2, allow_nan=False) + "\n"


def to_csv(reports: Sequence[SubmissionReport], seed: int, timeout: float) -> str:
    """A gradebook: one row per submission, one score column per exercise seen anywhere."""
    columns: list[str] = []
    for report in reports:
        for ex in report.exercises:
            if ex.id not in columns:
                columns.append(ex.id)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["file", "status", "score", "max_score", *columns, "error"])
    for report in reports:
        scores = {ex.id: ex.score for ex in report.exercises}
        writer.writerow([report.file, report.status, report.score, report.max_score,
                         *[scores.get(c, "") for c in columns], report.error])
    return buf.getvalue()


def render_report(reports: Sequence[SubmissionReport], fmt: str, seed: int, timeout: float) -> str:
    """The report text in format ``fmt`` (one of :data:`FORMATS`)."""
    if fmt not in FORMATS:
        raise ValueError(f"The 'format' parameter must be one of {list(FORMATS)}. Got {fmt!r} instead.")
    return {"json": to_json, "gradescope": to_gradescope, "csv": to_csv}[fmt](reports, seed, timeout)


def write_atomic(path: str | Path, text: str | bytes) -> None:
    """Write ``text`` (str: UTF-8; bytes: as is) to ``path`` through a temporary file and ``os.replace``."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        binary = isinstance(text, bytes)
        with os.fdopen(fd, "wb" if binary else "w", encoding=None if binary else "utf-8",
                       newline=None if binary else "") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
