"""Tiny helpers to author notebooks from Python (nbformat), used by lessons_src/*.py.

A lesson source is a Python file that builds a list of cells and calls ``write``::

    from nbbuild import md, code, write
    cells = [md("# 02 · Computational graphs"), code("import backprop_course as bc")]
    write(__file__, cells)

``write`` puts ``notebooks/<name>.ipynb`` next to the source's name (``lessons_src/02_graphs.py`` →
``notebooks/02_graphs.ipynb``). The notebook is written *unexecuted*; ``scripts/execute_notebooks.py``
then runs it in place, and only the executed form is committed.

``write`` also makes the notebook work on a hosted service (``scripts/hosted.py``): an "Open in Colab"
badge goes under the title of the first Markdown cell, and the first code cell starts with the lines
that install the course where it is missing.
"""
from __future__ import annotations

import textwrap
from pathlib import Path

import nbformat
from hosted import colab_badge, with_install
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parent.parent
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def md(text: str) -> nbformat.NotebookNode:
    """A Markdown cell; the text is dedented and stripped."""
    return new_markdown_cell(textwrap.dedent(text).strip("\n"))


def code(src: str, tags: tuple[str, ...] = ()) -> nbformat.NotebookNode:
    """A code cell; the source is dedented and stripped."""
    cell = new_code_cell(textwrap.dedent(src).strip("\n"))
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def write(source_file: str, cells: list, folder: str = "notebooks") -> Path:
    """Write the notebook for ``source_file`` into ``folder``; return its path."""
    name = Path(source_file).stem + ".ipynb"
    first_md = next(c for c in cells if c.cell_type == "markdown")
    title, _, rest = first_md.source.partition("\n")
    first_md.source = f"{title}\n\n{colab_badge(f'{folder}/{name}')}\n{rest}"
    first_code = next(c for c in cells if c.cell_type == "code")
    first_code.source = with_install(first_code.source)
    nb = new_notebook(cells=cells, metadata={"kernelspec": KERNELSPEC,
                                             "language_info": {"name": "python"}})
    path = ROOT / folder / name
    nbformat.write(nb, path)
    return path
