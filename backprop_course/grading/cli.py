"""The grading commands of ``backprop-course``: ``grade``, ``autograder`` and ``progress``.

``grade`` grades submitted notebooks for an instructor, ``autograder`` writes a Gradescope autograder
zip for the running version, ``progress`` shows a learner which exercises pass. All three grade with the
same options (``--seed``, ``--timeout``), defined once here.
"""
from __future__ import annotations

import argparse
import math
import os
import sys

__all__ = ["register", "positive", "add_seed_and_timeout"]


def positive(kind, name):
    """An argparse ``type`` accepting a finite number > 0 of ``kind`` (``nan`` and ``inf`` are refused)."""
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            value = None
        if value is None or not math.isfinite(value) or value <= 0:
            raise argparse.ArgumentTypeError(f"{name} must be a finite number > 0. Got {text!r} instead.")
        return value
    return parse


def add_seed_and_timeout(parser: argparse.ArgumentParser, seed_help: str) -> None:
    """``--seed`` and ``--timeout``, the options every command that grades takes."""
    parser.add_argument("--seed", type=int, default=None, help=seed_help)
    parser.add_argument("--timeout", type=positive(float, "--timeout"), default=30.0,
                        help="seconds allowed per exercise (default 30)")


def _seed_from_file(path: str) -> int:
    """An argparse ``type``: the integer held by the file ``path``."""
    try:
        text = open(path, encoding="utf-8").read(100).strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise argparse.ArgumentTypeError(f"--seed-file {path!r} cannot be read ({type(exc).__name__}).") from None
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--seed-file {path!r} must hold one integer, the seed of the hidden "
                                         "cases. Write it with: echo 12345 > FILE") from None


def register_grade(subparsers) -> argparse.ArgumentParser:
    """Add the ``grade`` subcommand to the ``backprop-course`` parser."""
    parser = subparsers.add_parser(
        "grade", help="grade submitted exercise notebooks",
        description="Grade exercise notebooks. Learner code runs in sandboxed processes with a time limit "
                    "per exercise; scores are decided in this process. Exit code 0 when grading ran, "
                    "1 when no file could be graded.")
    parser.add_argument("submissions", nargs="+", metavar="SUBMISSION.ipynb", help="notebooks to grade")
    parser.add_argument("--out", required=True, type=_report_path, metavar="REPORT",
                        help="report file to write (atomically): a new name or a regular file, in an existing "
                             "writable folder; checked before grading starts")
    parser.add_argument("--format", choices=("json", "gradescope", "csv"), default="json",
                        help="json: full report (default); gradescope: results.json; csv: gradebook")
    add_seed_and_timeout(parser, "seed of the hidden cases (default: a fresh one, recorded in the report); "
                                 "it is visible to other processes while grading runs: see --seed-file")
    parser.add_argument("--seed-file", type=_seed_from_file, default=None, metavar="FILE",
                        help="read the seed from FILE (one integer) instead of the command line, where any "
                             "process of the machine can read it; keep the file readable by you only")
    parser.add_argument("--jobs", type=positive(int, "--jobs"), default=1,
                        help="submissions graded in parallel (default 1)")
    parser.set_defaults(func=run_grade)
    return parser


def _report_path(text: str):
    """argparse ``type`` of ``grade --out``: refused here (exit status 2) before anything is graded."""
    from .reports.formats import check_report_path

    try:
        return check_report_path(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc).replace("The 'out' parameter", "--out")) from None


def _save_elsewhere(text: str, fmt: str) -> str | None:
    """Keep a report that could not be written to --out: a new file in the temp folder, or None."""
    import tempfile

    try:
        fd, name = tempfile.mkstemp(prefix="backprop-course-report-", suffix="." + ("csv" if fmt == "csv" else "json"))
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        return name
    except OSError:
        return None


def run_grade(args: argparse.Namespace) -> int:
    import secrets

    from .grader import grade_many
    from .reports.formats import render_report, write_atomic

    if args.seed is not None and args.seed_file is not None:
        print("backprop-course grade: error: give the seed with --seed or with --seed-file, not both.",
              file=sys.stderr)
        return 2
    seed = args.seed if args.seed is not None else args.seed_file
    seed = seed if seed is not None else secrets.randbelow(2**31)
    reports = grade_many(args.submissions, seed=seed, timeout=args.timeout, jobs=args.jobs)
    for report in reports:
        if report.status != "graded":
            print(f"backprop-course grade: {report.error}", file=sys.stderr)
        else:
            print(f"{report.file}: {report.score:g}/{report.max_score:g}", file=sys.stderr)
    text = render_report(reports, args.format, seed, args.timeout)
    try:
        write_atomic(args.out, text)
    except (OSError, ValueError) as exc:   # the path changed during grading, or the disk is full
        reason = str(exc).replace("The 'path' parameter", "--out")
        kept = _save_elsewhere(text, args.format)
        where = f"; the report was saved to {kept} instead" if kept else ""
        print(f"backprop-course grade: error: cannot write {args.out}: {reason}{where}", file=sys.stderr)
        return 1
    graded = sum(r.status == "graded" for r in reports)
    if graded == 0:
        print("backprop-course grade: error: no submission could be graded (see the messages above).",
              file=sys.stderr)
        return 1
    said = "the seed in --seed-file" if args.seed_file is not None else f"seed {seed}"
    print(f"graded {graded} of {len(reports)} submission(s) with {said}; report: {args.out}",
          file=sys.stderr)
    return 0


def _zip_path(text: str):
    from .gradescope.bundle import check_out_path

    try:
        return check_out_path(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc).replace("The 'out' parameter", "--out")) from None


def register_autograder(subparsers) -> argparse.ArgumentParser:
    """Add the ``autograder`` subcommand to the ``backprop-course`` parser."""
    parser = subparsers.add_parser(
        "autograder", help="write a Gradescope autograder bundle (zip)",
        description="Write a Gradescope autograder zip: setup.sh installs this exact version of the course "
                    "from a wheel inside the zip; run_autograder grades the submitted notebook with the seed "
                    "and time limit given here. See docs/grading.md.")
    parser.add_argument("--out", required=True, type=_zip_path, metavar="AUTOGRADER.zip",
                        help="the zip to write (atomically)")
    add_seed_and_timeout(parser, "seed of the hidden cases, the same for every submission "
                                 "(default: a fresh one, printed)")
    parser.add_argument("--wheel", default=None, metavar="WHEEL",
                        help="ship this wheel of the running version instead of building one")
    parser.set_defaults(func=run_autograder)
    return parser


def run_autograder(args: argparse.Namespace) -> int:
    import secrets

    from .gradescope.bundle import build_bundle
    from .gradescope.wheel import WheelError

    seed = args.seed if args.seed is not None else secrets.randbelow(2**31)
    try:
        path = build_bundle(args.out, seed=seed, timeout=args.timeout, wheel=args.wheel)
    except (WheelError, ValueError) as exc:
        print(f"backprop-course autograder: error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"backprop-course autograder: error: cannot write {args.out}: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {path} (hidden-case seed {seed}, {args.timeout:g} s per exercise); upload it as the "
          "autograder of a Gradescope programming assignment", file=sys.stderr)
    return 0


def register_progress(subparsers) -> argparse.ArgumentParser:
    """Add the ``progress`` subcommand to the ``backprop-course`` parser."""
    parser = subparsers.add_parser(
        "progress", help="show which of your exercises pass, fail or are not attempted yet",
        description="Grade every exercise notebook in your course folder as the grader does (hidden cases "
                    "included, none of their values shown) and print one line per exercise. Exit code 0 "
                    "when grading ran (whatever the scores), 1 when DIR is missing or holds no exercise "
                    "notebook, 2 for bad options.")
    parser.add_argument("dir", nargs="?", default=None, metavar="DIR",
                        help="your course folder or its exercises folder (default: the current folder)")
    add_seed_and_timeout(parser, "seed of the hidden cases (default: fresh ones)")
    parser.add_argument("--jobs", type=positive(int, "--jobs"), default=None,
                        help="notebooks graded at a time (default: one per core)")
    parser.set_defaults(func=run_progress)
    return parser


def run_progress(args: argparse.Namespace) -> int:
    from .reports.progress import course_progress, format_table

    try:
        result = course_progress(args.dir, seed=args.seed, timeout=args.timeout, jobs=args.jobs)
    except ValueError as exc:
        message = str(exc).replace("The 'folder' parameter of progress", "DIR")
        print(f"backprop-course progress: error: {message}", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - a learner's command: a reason, never a traceback
        print(f"backprop-course progress: error: the progress could not be computed ({type(exc).__name__}: "
              f"{str(exc)[:200]}); please report this to your instructor.", file=sys.stderr)
        return 1
    print(f"{result.folder} ({result.seconds:.1f} s)")
    print(format_table(result))
    return 0


def register(subparsers) -> None:
    """Add ``grade``, ``autograder`` and ``progress`` to the ``backprop-course`` parser."""
    register_grade(subparsers)
    register_autograder(subparsers)
    register_progress(subparsers)
