"""``backprop-course grade``: grade submitted exercise notebooks from the command line."""
from __future__ import annotations

import argparse
import math
import sys

__all__ = ["register", "run", "positive", "add_seed_and_timeout"]


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


def register(subparsers) -> argparse.ArgumentParser:
    """Add the ``grade`` subcommand to the ``backprop-course`` parser."""
    parser = subparsers.add_parser(
        "grade", help="grade submitted exercise notebooks",
        description="Grade exercise notebooks. Learner code runs in separate processes with a time limit "
                    "per exercise; scores are decided in this process. Exit code 0 when grading ran, "
                    "1 when no file could be graded.")
    parser.add_argument("submissions", nargs="+", metavar="SUBMISSION.ipynb", help="notebooks to grade")
    parser.add_argument("--out", required=True, help="report file to write (atomically)")
    parser.add_argument("--format", choices=("json", "gradescope", "csv"), default="json",
                        help="json: full report (default); gradescope: results.json; csv: gradebook")
    add_seed_and_timeout(parser, "seed of the hidden cases (default: a fresh one, recorded in the report)")
    parser.add_argument("--jobs", type=positive(int, "--jobs"), default=1,
                        help="submissions graded in parallel (default 1)")
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    import secrets

    from .grader import grade_many
    from .report import render_report, write_atomic

    seed = args.seed if args.seed is not None else secrets.randbelow(2**31)
    reports = grade_many(args.submissions, seed=seed, timeout=args.timeout, jobs=args.jobs)
    for report in reports:
        if report.status != "graded":
            print(f"backprop-course grade: {report.error}", file=sys.stderr)
        else:
            print(f"{report.file}: {report.score:g}/{report.max_score:g}", file=sys.stderr)
    try:
        write_atomic(args.out, render_report(reports, args.format, seed, args.timeout))
    except OSError as exc:
        print(f"backprop-course grade: error: cannot write {args.out}: {exc}", file=sys.stderr)
        return 1
    graded = sum(r.status == "graded" for r in reports)
    if graded == 0:
        print("backprop-course grade: error: no submission could be graded (see the messages above).",
              file=sys.stderr)
        return 1
    print(f"graded {graded} of {len(reports)} submission(s) with seed {seed}; report: {args.out}",
          file=sys.stderr)
    return 0
