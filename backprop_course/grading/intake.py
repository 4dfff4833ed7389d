"""Find a submission's exercises in a notebook: which cells belong to which exercise.

Cells written by ``scripts/make_exercises.py`` carry metadata ``{"backprop_course": {"role": ...,
"exercise": ...}}`` with roles ``setup``, ``prompt``, ``solution`` and ``check``. Learners may lose that
metadata (copying cells into a new notebook), so each step has a fallback that reads the code:

* which exercises: notebook metadata, cell metadata, ids in ``check("exNN.name", ...)`` calls, and the
  file name (``ex06_backprop*.ipynb`` holds every exercise of that notebook);
* an exercise's cells: cells marked as its solution, else every code cell defining its function;
* setup cells: cells marked ``setup``, else the first code cell when it defines no exercise function.

Check cells are never run by the grader (a learner editing them changes nothing), and IPython magics
(``%...``, ``!...``, ``%%cell``) are dropped since the grader runs plain Python.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

from .exercises import registry

__all__ = ["NotebookError", "Extracted", "read_notebook", "extract", "META_KEY", "strip_magics", "drop_check_calls"]

META_KEY = "backprop_course"
_CHECK_CALL = re.compile(r"""check\(\s*['"](ex\d+[a-z]?\.[A-Za-z_0-9]+)['"]""")


class NotebookError(ValueError):
    """The file is not a readable Jupyter notebook."""


@dataclass
class Extracted:
    """The runnable parts of one submission."""

    notebook: str | None
    setup: list[str] = field(default_factory=list)
    exercises: dict[str, list[str]] = field(default_factory=dict)   # id -> code cells (may be empty)


def read_notebook(path: str | Path):
    """Read ``path`` with nbformat (version 4); any failure becomes a NotebookError with a clear reason."""
    import nbformat

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NotebookError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise NotebookError(f"{path}: cannot be read as text ({type(exc).__name__})") from None
    try:
        nb = nbformat.reads(text, as_version=4)
    except Exception as exc:  # noqa: BLE001 - nbformat raises many kinds for bad JSON/schema
        reason = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        raise NotebookError(f"{path}: not a Jupyter notebook ({reason})") from None
    if not isinstance(nb.get("cells"), list):
        raise NotebookError(f"{path}: not a Jupyter notebook (no list of cells)")
    return nb


def strip_magics(source: str) -> str | None:
    """Drop IPython-only lines; None for a whole-cell magic (``%%...``), which cannot run as Python."""
    if source.lstrip().startswith("%%"):
        return None
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())


def drop_check_calls(source: str) -> str:
    """Blank out top-level ``check(...)`` / ``bc.check(...)`` statements (feedback, not graded code)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source
    lines = source.splitlines()
    for node in tree.body:
        call = node.value if isinstance(node, ast.Expr) else None
        if isinstance(call, ast.Call):
            func = call.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name == "check":
                for i in range(node.lineno - 1, node.end_lineno):
                    lines[i] = ""
    return "\n".join(lines)


def _only_checks(source: str) -> bool:
    return not drop_check_calls(source).strip() or all(
        not line.strip() or line.lstrip().startswith("#") for line in drop_check_calls(source).splitlines())


def _meta(cell) -> dict:
    meta = cell.get("metadata", {}).get(META_KEY, {})
    return meta if isinstance(meta, dict) else {}


def _defines(source: str) -> set[str]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        # fall back to a textual search, so a solution with a syntax error is still found (and fails)
        return set(re.findall(r"^def\s+([A-Za-z_]\w*)", source, flags=re.M))
    return {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}


def _notebook_stem(nb, filename: str | None) -> str | None:
    meta = nb.get("metadata", {}).get(META_KEY, {})
    if isinstance(meta, dict) and meta.get("notebook") in registry.NOTEBOOKS:
        return meta["notebook"]
    if filename:
        name = Path(filename).name
        for stem in sorted(registry.NOTEBOOKS, key=len, reverse=True):
            if name.startswith(stem):
                return stem
    return None


def extract(nb, filename: str | None = None) -> Extracted:
    """Split a notebook into setup cells and each exercise's cells (see the module docstring)."""
    known = registry.all_exercises()
    stem = _notebook_stem(nb, filename)
    ids: list[str] = []

    def add(ex_id: str) -> None:
        if ex_id in known and ex_id not in ids:
            ids.append(ex_id)

    if stem:
        for ex in registry.for_notebook(stem):
            add(ex.id)
    nb_meta = nb.get("metadata", {}).get(META_KEY, {})
    if isinstance(nb_meta, dict):
        for ex_id in nb_meta.get("exercises", []) or []:
            add(str(ex_id))

    code_cells = []
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        meta = _meta(cell)
        if meta.get("exercise"):
            add(str(meta["exercise"]))
        for ex_id in _CHECK_CALL.findall(source):
            add(ex_id)
        role = meta.get("role")
        is_check = role == "check" or (bool(_CHECK_CALL.search(source)) and _only_checks(source))
        code_cells.append((source, meta, role, is_check))

    out = Extracted(notebook=stem)
    functions = {known[i].function: i for i in ids}
    marked_setup = [s for s, m, role, chk in code_cells if role == "setup" and not chk]
    if marked_setup:
        out.setup = marked_setup
    elif code_cells:
        first, _, _, chk = code_cells[0]
        if not chk and not (_defines(first) & set(functions)):
            out.setup = [first]
    for ex_id in ids:
        marked = [s for s, m, role, chk in code_cells
                  if role == "solution" and m.get("exercise") == ex_id and not chk]
        if not marked:
            fn = known[ex_id].function
            marked = [s for s, m, role, chk in code_cells
                      if not chk and role != "setup" and fn in _defines(s)]
        out.exercises[ex_id] = marked
    def clean(cells: list[str]) -> list[str]:
        return [drop_check_calls(c) for c in (strip_magics(s) for s in cells) if c is not None]

    out.setup = clean(out.setup)
    out.exercises = {k: clean(v) for k, v in out.exercises.items()}
    return out
