"""Write grading reports: JSON (the full record), Gradescope's results.json, and a CSV gradebook.

Every file is written atomically: to a temporary file in the same folder, then ``os.replace``d over the
target, so a reader never sees half a report and an interrupted run leaves the old one intact. The JSON
schema is documented in ``docs/grading.md``.

The target must be a regular file or a new name: :func:`check_report_path` refuses anything else (a
symbolic link, a folder, a device such as ``/dev/full``, a pipe, a folder that is missing or not
writable) before any grading starts, and :func:`write_atomic` checks again at write time (the path may
have changed meanwhile), so a report never replaces a device and never follows a link.
"""
from __future__ import annotations

import csv
import io
import json
import os
import stat
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Sequence

from ..checking.feedback import render
from ..grader import SubmissionReport

__all__ = ["SCHEMA", "FORMATS", "to_json", "to_gradescope", "to_csv", "render_report", "write_atomic",
           "check_report_path", "UnsafeOutput", "REPORT_MODE"]

#: The mode of every report written (readable by all, like a file saved by an editor).
REPORT_MODE = 0o644

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
    only, plus the diagnosed misconception if any), so it may be shown to students as it is. The seed
    is not in it at all (not even in ``extra_data``): with the seed and the package a student could
    compute every hidden case, and the instructor has it from the bundle's build.
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
    """A gradebook: one row per submission, one score column per exercise seen anywhere, then the error and
    the diagnosed misconceptions (``"ex06.output_delta: sign flip; ..."``), so common mistakes show at a glance."""
    columns: list[str] = []
    for report in reports:
        for ex in report.exercises:
            if ex.id not in columns:
                columns.append(ex.id)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["file", "status", "score", "max_score", *columns, "error", "diagnoses"])
    for report in reports:
        scores = {ex.id: ex.score for ex in report.exercises}
        diagnoses = "; ".join(f"{ex.id}: {ex.diagnosis.name}" for ex in report.exercises if ex.diagnosis is not None)
        writer.writerow([report.file, report.status, report.score, report.max_score,
                         *[scores.get(c, "") for c in columns], report.error, diagnoses])
    return buf.getvalue()


def render_report(reports: Sequence[SubmissionReport], fmt: str, seed: int, timeout: float) -> str:
    """The report text in format ``fmt`` (one of :data:`FORMATS`)."""
    if fmt not in FORMATS:
        raise ValueError(f"The 'format' parameter must be one of {list(FORMATS)}. Got {fmt!r} instead.")
    return {"json": to_json, "gradescope": to_gradescope, "csv": to_csv}[fmt](reports, seed, timeout)


class UnsafeOutput(ValueError):
    """The output path is not a place a report may be written (a link, folder, device, missing folder...)."""


def _target_problem(path: Path, name: str) -> str | None:
    """What is wrong with ``path`` as the file to (re)place, judged without following a final link."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"The {name!r} parameter names a path that cannot be inspected ({exc.strerror}): {str(path)!r}."
    if stat.S_ISLNK(info.st_mode):
        return (f"The {name!r} parameter must not be a symbolic link (a report is never written through one). "
                f"Got {str(path)!r}; give the path of the real file, or a new file name.")
    if stat.S_ISDIR(info.st_mode):
        return (f"The {name!r} parameter must be a file, not a folder. Got {str(path)!r}; give a file name "
                f"inside it, e.g. {str(path / 'results.json')!r}.")
    if not stat.S_ISREG(info.st_mode):
        return (f"The {name!r} parameter must be a regular file or a new file name, not a device, pipe or "
                f"socket. Got {str(path)!r}; give a file name such as 'results.json'.")
    return None


def check_report_path(out: str | os.PathLike, name: str = "out") -> Path:
    """``out`` as a Path if a report can be written there, else an :class:`UnsafeOutput` saying why and what
    to do instead. Call it before any work whose result goes there.

    Accepted: a regular file (replaced) or a new name, in an existing folder this process can create files
    in (tried, not guessed: ``os.access`` says yes to root even on a read-only file system).
    """
    if not isinstance(out, (str, os.PathLike)):
        raise TypeError(f"The {name!r} parameter must be a path (str or Path). Got {type(out).__name__} instead.")
    text = os.fspath(out)
    if not text or not str(text).strip():
        raise UnsafeOutput(f"The {name!r} parameter must be a file name. Got {text!r} instead.")
    path = Path(text)
    problem = _target_problem(path, name)
    if problem:
        raise UnsafeOutput(problem)
    if str(text).endswith(("/", os.sep)):
        raise UnsafeOutput(f"The {name!r} parameter must be a file name, not a folder. Got {text!r} instead.")
    folder = path.parent
    if not folder.is_dir():
        raise UnsafeOutput(f"The {name!r} parameter must be in an existing folder; {str(folder)!r} does not exist. "
                           "Create it first or choose another path.")
    try:
        fd, probe = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".probe", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise UnsafeOutput(f"The {name!r} parameter must be in a folder you can write to; {str(folder)!r} is not "
                           f"({exc.strerror or type(exc).__name__}). Choose another path.") from None
    return path


def write_atomic(path: str | Path, text: str | bytes) -> None:
    """Write ``text`` (str: UTF-8; bytes: as is) to ``path`` through a temporary file and ``os.replace``.

    The temporary file is made in the same folder (missing folders are created), gets mode
    :data:`REPORT_MODE` and is synced before the replace. ``path`` must be a regular file or a new name:
    a symbolic link, folder, device, pipe or socket is refused with :class:`UnsafeOutput` (checked before
    writing and again just before the replace), and the file found there is left as it was.
    """
    path = Path(path)
    problem = _target_problem(path, "path")
    if problem:
        raise UnsafeOutput(problem)
    folder = path.parent if str(path.parent) else Path(".")
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        binary = isinstance(text, bytes)
        with os.fdopen(fd, "wb" if binary else "w", encoding=None if binary else "utf-8",
                       newline=None if binary else "") as fh:
            os.fchmod(fh.fileno(), REPORT_MODE)
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        problem = _target_problem(path, "path")   # again: the path may have changed while we worked
        if problem:
            raise UnsafeOutput(problem)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
