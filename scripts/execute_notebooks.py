#!/usr/bin/env python
"""Re-execute course notebooks in place, so stored outputs are exactly what the code produces.

Usage::

    python scripts/execute_notebooks.py                 # every lesson, exercise and solution
    python scripts/execute_notebooks.py notebooks/02_*.ipynb
    python scripts/execute_notebooks.py --out-dir /tmp/rerun   # leave the repo alone, write copies

Each notebook runs top to bottom in a fresh kernel of the current environment (nbclient), from its own
folder, and is written back only if it ran without error. With ``--out-dir`` the executed copy goes to
the same relative path under that folder instead, so a second environment (another machine, other
dependency releases) can re-execute the course and ``pytest --nbval`` can compare its outputs. The run time of each is printed, since every
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


def execute(path: Path, timeout: int = 300, out: Path | None = None) -> float:
    """Execute one notebook and write it to ``out`` (default: in place); return the seconds it took.

    Raises ``CellExecutionError`` on a cell error, and then writes nothing."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    out = path if out is None else out
    out.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, out)
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", help="notebooks to run (default: all course notebooks)")
    parser.add_argument("--timeout", type=int, default=300, help="seconds allowed per cell")
    parser.add_argument("--out-dir", type=Path, default=None,
                        help="write executed copies under this folder (same paths relative to the repo) "
                             "instead of in place")
    args = parser.parse_args(argv)
    paths = [Path(p).resolve() for p in args.paths] or sorted(p for g in DEFAULT_GLOBS for p in ROOT.glob(g))
    outside = [p for p in paths if args.out_dir is not None and not p.is_relative_to(ROOT)]
    if outside:
        parser.error(f"--out-dir keeps paths relative to the repo, so every notebook must lie inside "
                     f"{ROOT}; got {outside[0]}")
    failed = []
    for path in paths:
        out = None if args.out_dir is None else args.out_dir / path.relative_to(ROOT)
        try:
            secs = execute(path, args.timeout, out)
            print(f"{secs:7.2f} s  {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
        except CellExecutionError as exc:
            failed.append(path)
            print(f"FAILED    {path}\n{exc}", file=sys.stderr)
    if failed:
        print(f"{len(failed)} notebook(s) failed; they were not rewritten.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
