#!/usr/bin/env python
"""Re-execute course notebooks in place, so stored outputs are exactly what the code produces.

Usage::

    python scripts/execute_notebooks.py                 # every lesson, exercise and solution
    python scripts/execute_notebooks.py notebooks/02_*.ipynb

Each notebook runs top to bottom in a fresh kernel of the current environment (nbclient), from its own
folder, and is written back only if it ran without error. The run time of each is printed, since every
lesson must run in under 20 s.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_GLOBS = ("notebooks/*.ipynb", "exercises/*.ipynb", "exercises/solutions/*.ipynb")


def execute(path: Path, timeout: int = 300) -> float:
    """Execute one notebook in place; return the seconds it took. Raises on a cell error."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    nbformat.write(nb, path)
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", help="notebooks to run (default: all course notebooks)")
    parser.add_argument("--timeout", type=int, default=300, help="seconds allowed per cell")
    args = parser.parse_args(argv)
    paths = [Path(p) for p in args.paths] or sorted(p for g in DEFAULT_GLOBS for p in ROOT.glob(g))
    failed = []
    for path in paths:
        try:
            secs = execute(path, args.timeout)
            print(f"{secs:7.2f} s  {path}")
        except CellExecutionError as exc:
            failed.append(path)
            print(f"FAILED    {path}\n{exc}", file=sys.stderr)
    if failed:
        print(f"{len(failed)} notebook(s) failed; they were not rewritten.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
