#!/usr/bin/env python
"""Build the lesson notebooks from their text sources: lessons_src/NN_name.py -> notebooks/NN_name.ipynb.

Usage::

    python scripts/build_lessons.py                                 # every lesson, built and executed
    python scripts/build_lessons.py lessons_src/02_computational_graphs.py
    python scripts/build_lessons.py --check                         # do the stored notebooks match their sources?

A source is a jupytext "percent" file: ``# %%`` starts a code cell and ``# %% [markdown]`` a Markdown
cell whose lines are comments. Jupyter opens it as a notebook where jupytext is installed, and any
editor shows it as plain Python. The build reads it with jupytext, puts the "Open in Colab" badge under
the title of the first Markdown cell and the install-if-missing lines at the top of the first code cell
(``scripts/hosted.py``), runs it top to bottom in a fresh kernel (nbclient, as
``scripts/execute_notebooks.py`` does) and writes the executed notebook, which is what learners and
nbval see. A notebook whose run fails is not written.

``--check`` builds without running and compares every cell's type and source with the stored
notebook: it fails if a source was edited and its notebook not rebuilt, or the other way round.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import jupytext
import nbformat
from execute_notebooks import execute
from hosted import colab_badge, with_install
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "lessons_src"
NOTEBOOKS = ROOT / "notebooks"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def notebook_of(source: Path) -> nbformat.NotebookNode:
    """The unexecuted notebook of one lesson source, with the badge and the install lines added."""
    nb = jupytext.read(source, fmt="py:percent")
    nb.metadata = nbformat.NotebookNode({"kernelspec": KERNELSPEC, "language_info": {"name": "python"}})
    first_md = next(c for c in nb.cells if c.cell_type == "markdown")
    title, _, rest = first_md.source.partition("\n")
    first_md.source = f"{title}\n\n{colab_badge(f'notebooks/{source.stem}.ipynb')}\n{rest}"
    first_code = next(c for c in nb.cells if c.cell_type == "code")
    first_code.source = with_install(first_code.source)
    for cell in nb.cells:  # jupytext leaves empty metadata as {}; keep only what the source says
        cell.metadata = nbformat.NotebookNode({k: v for k, v in cell.metadata.items() if v})
    return nb


def differences(source: Path) -> list[str]:
    """How the stored notebook differs from what its source builds (cell types and sources only)."""
    built = notebook_of(source).cells
    target = NOTEBOOKS / f"{source.stem}.ipynb"
    if not target.exists():
        return [f"{target.relative_to(ROOT)} is missing"]
    stored = nbformat.read(target, as_version=4).cells
    out = []
    if len(built) != len(stored):
        out.append(f"{len(built)} cells in the source, {len(stored)} in the notebook")
    for n, (a, b) in enumerate(zip(built, stored)):
        if (a.cell_type, a.source) != (b.cell_type, b.source):
            out.append(f"cell {n} ({a.cell_type}) differs")
    return out


def record_renderer(target: Path) -> None:
    """Note in the notebook which matplotlib drew its pictures: another release lays the same figure out a
    few pixels differently, so tests compare the views' pictures pixel for pixel only under the same one."""
    import matplotlib

    nb = nbformat.read(target, as_version=4)
    nb.metadata["backprop_course"] = {"pictures_drawn_with": f"matplotlib {matplotlib.__version__}"}
    nbformat.write(nb, target)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sources", nargs="*", type=Path, help="lesson sources (default: all of lessons_src/)")
    parser.add_argument("--check", action="store_true", help="compare with the stored notebooks; build nothing")
    parser.add_argument("--timeout", type=int, default=300, help="seconds allowed per cell")
    args = parser.parse_args(argv)
    sources = [p.resolve() for p in args.sources] or sorted(SOURCES.glob("[0-9][0-9]_*.py"))
    if args.check:
        stale = {s.name: d for s in sources if (d := differences(s))}
        for name, diffs in stale.items():
            print(f"{name}: " + "; ".join(diffs) + " (rebuild: python scripts/build_lessons.py)", file=sys.stderr)
        return 1 if stale else 0
    failed = []
    for source in sources:
        target = NOTEBOOKS / f"{source.stem}.ipynb"
        unexecuted = target.with_suffix(".unexecuted.ipynb")
        nbformat.write(notebook_of(source), unexecuted)
        try:
            secs = execute(unexecuted, args.timeout, out=target)
            record_renderer(target)
            print(f"{secs:7.2f} s  {target.relative_to(ROOT)}")
        except CellExecutionError as exc:
            failed.append(source)
            print(f"FAILED    {source}\n{exc}", file=sys.stderr)
        finally:
            unexecuted.unlink()
    if failed:
        print(f"{len(failed)} lesson(s) failed; their notebooks were not rewritten.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
