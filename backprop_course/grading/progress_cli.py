"""``backprop-course progress [DIR]``: which exercises pass, fail or are not attempted yet."""
from __future__ import annotations

import argparse
import sys

from .cli import add_seed_and_timeout, positive

__all__ = ["register", "run"]


def register(subparsers) -> argparse.ArgumentParser:
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
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from .progress import course_progress, format_table

    try:
        result = course_progress(args.dir, seed=args.seed, timeout=args.timeout, jobs=args.jobs)
    except ValueError as exc:
        message = str(exc).replace("The 'folder' parameter of progress", "DIR")
        print(f"backprop-course progress: error: {message}", file=sys.stderr)
        return 1
    print(f"{result.folder} ({result.seconds:.1f} s)")
    print(format_table(result))
    return 0
