"""``backprop-course autograder``: write a Gradescope autograder zip for the running version."""
from __future__ import annotations

import argparse
import sys

from .cli import add_seed_and_timeout

__all__ = ["register", "run"]


def _zip_path(text: str):
    from .bundle import check_out_path

    try:
        return check_out_path(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc).replace("The 'out' parameter", "--out")) from None


def register(subparsers) -> argparse.ArgumentParser:
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
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    import secrets

    from .bundle import build_bundle
    from .wheel import WheelError

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
