"""``backprop-course derive``: print a step-by-step derivation in a terminal, as Markdown or as LaTeX.

Examples::

    backprop-course derive                                  # Gashler's dE/dw_173, 5 layers, text
    backprop-course derive --layers 3 --weight 2 1 2 --format latex --notation ufldl
    backprop-course derive --layers 5 --input 5 --verify    # dE/dy_05 and its checks
"""
from __future__ import annotations

import argparse
import os
import sys


def register(subparsers) -> argparse.ArgumentParser:
    """Add the ``derive`` subcommand (SymPy is imported only when it runs)."""
    p = subparsers.add_parser(
        "derive",
        help="print a step-by-step SymPy derivation of a backpropagation gradient",
        description="Derive dE/dw (or dE/db, dE/dy_0k) of an L-layer network step by step with SymPy, "
                    "as in Gashler's derivation (Gashler 2010), and print every step.",
    )
    p.add_argument("--layers", type=int, default=5, metavar="N", help="number of layers L, 1-10 (default 5)")
    target = p.add_mutually_exclusive_group()
    target.add_argument("--weight", type=int, nargs=3, metavar=("L", "J", "K"),
                        help="the weight into layer L, node J, from node K of layer L-1 (default 1 7 3)")
    target.add_argument("--bias", type=int, nargs=2, metavar=("L", "J"), help="the bias of node J in layer L")
    target.add_argument("--input", type=int, metavar="K", help="input K (the gradient by y_0K)")
    p.add_argument("--format", choices=("text", "markdown", "latex"), default="text", help="output format")
    p.add_argument("--notation", choices=("gashler", "ufldl"), default="gashler", help="symbols to print")
    p.add_argument("--verify", action="store_true",
                   help="also check the result symbolically and numerically on a small sigmoid network")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    from .derivations import derive_bias_gradient, derive_input_gradient, derive_weight_gradient
    from .render import derivation_to_latex, derivation_to_markdown, derivation_to_text
    from .verify import verify

    try:
        if args.input is not None:
            d = derive_input_gradient(args.layers, args.input)
        elif args.bias is not None:
            d = derive_bias_gradient(args.layers, *args.bias)
        else:
            d = derive_weight_gradient(args.layers, *(args.weight or (1, 7, 3)))
    except (ValueError, TypeError) as exc:
        print(f"backprop-course derive: error: {exc}", file=sys.stderr)
        return 2
    if args.format == "latex":
        out = derivation_to_latex(d, args.notation)
    elif args.format == "markdown":
        out = derivation_to_markdown(d, args.notation)
    else:
        out = derivation_to_text(d, args.notation)
    try:
        print(out.rstrip("\n"))
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. piped into `head`: stop quietly, like other command-line tools
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    if args.verify:
        report = verify(d)
        print()
        print(report)
        return 0 if report.passed else 1
    return 0
