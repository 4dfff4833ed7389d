"""The ``backprop-course`` command line.

Each subcommand lives in its own module exposing ``register(subparsers)``; that function adds an
argparse parser whose default ``func(args) -> int`` runs the command. Modules must import their heavy
dependencies inside ``func``, so ``backprop-course --help`` stays fast.
"""
from __future__ import annotations

import argparse
import importlib
import sys

# Order here is the order in --help.
SUBCOMMAND_MODULES = (
    "backprop_course.lab",             # lab: open the course in JupyterLab
    "backprop_course.symbolic.cli",    # derive: print a step-by-step derivation
    "backprop_course.grading.cli",     # grade, autograder (a Gradescope zip), progress
)


def build_parser() -> argparse.ArgumentParser:
    from backprop_course import __version__

    parser = argparse.ArgumentParser(
        prog="backprop-course",
        description="Learn backpropagation from the chain rule up: lessons, derivations and graded exercises.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(title="subcommands", dest="command", metavar="COMMAND")
    for name in SUBCOMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:
        # Only commands that wrap another program (``lab`` -> JupyterLab) take unknown options.
        if not getattr(args, "passthrough", False):
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        args.jupyter_args = [*args.jupyter_args, *extra]
    if getattr(args, "func", None) is None:
        parser.print_help(sys.stderr)
        print("\nbackprop-course: error: choose a subcommand (see the list above).", file=sys.stderr)
        return 2
    return int(args.func(args) or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
