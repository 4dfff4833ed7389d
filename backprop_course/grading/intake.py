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

Any file may arrive here, so nothing is trusted: a file that is not a notebook (too big, not UTF-8, not
JSON, not an object, an nbformat other than 3 or 4, no list of cells) is a :class:`NotebookError` with the
reason; inside a notebook, metadata of the wrong type, ids that are not text or not in the course, cells
that are not objects are ignored and noted (:attr:`Extracted.notes`); a cell whose source is not text costs
the exercise it belongs to (:attr:`Extracted.problems`); code is parsed only through
:func:`.checking.source_rules.parse_source`, which refuses sources too long or nested too deeply.
"""
from __future__ import annotations

import ast
import json
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from .checking.source_rules import UncheckableSource, parse_source
from .exercises import registry

__all__ = ["NotebookError", "Extracted", "read_notebook", "extract", "META_KEY", "strip_magics", "drop_check_calls",
           "MAX_NOTEBOOK_BYTES"]

META_KEY = "backprop_course"
_CHECK_CALL = re.compile(r"""check\(\s*['"](ex\d+[a-z]?\.[A-Za-z_0-9]+)['"]""")
#: The largest file read as a notebook. A course notebook with every output is under 1 MB; a learner's
#: with many figures a few MB.
MAX_NOTEBOOK_BYTES = 50 * 2**20
_MAX_NOTES = 8


class NotebookError(ValueError):
    """The file is not a readable Jupyter notebook."""


@dataclass
class Extracted:
    """The runnable parts of one submission."""

    notebook: str | None
    setup: list[str] = field(default_factory=list)
    exercises: dict[str, list[str]] = field(default_factory=dict)   # id -> code cells (may be empty)
    problems: dict[str, list[str]] = field(default_factory=dict)    # id -> why it cannot be graded
    notes: list[str] = field(default_factory=list)                  # what was ignored in the notebook


_KINDS = {bool: "true/false", int: "a number", float: "a number", str: "text", dict: "an object",
          type(None): "null", list: "a list"}


def _kind(value: object) -> str:
    """A short description of a JSON value's type, for messages (one level deep: no recursion)."""
    if isinstance(value, list):
        inner = sorted({_KINDS.get(type(v), type(v).__name__) for v in value if not isinstance(v, str)})
        return f"a list holding {' and '.join(inner)}" if inner else "a list"
    return _KINDS.get(type(value), type(value).__name__)


def _v3_to_v4(data: dict) -> dict:
    """The parts of an nbformat 3 notebook the grader reads, in nbformat 4's shape."""
    cells = []
    worksheets = data.get("worksheets")
    for sheet in worksheets if isinstance(worksheets, list) else []:
        sheet_cells = sheet.get("cells") if isinstance(sheet, dict) else None
        for cell in sheet_cells if isinstance(sheet_cells, list) else []:
            if not isinstance(cell, dict):
                cells.append(cell)
                continue
            kind = cell.get("cell_type")
            source = cell.get("input", "") if kind == "code" else cell.get("source", "")
            cells.append({"cell_type": "code" if kind == "code" else "markdown", "source": source,
                          "metadata": cell.get("metadata", {})})
    return {"nbformat": 4, "nbformat_minor": 0, "metadata": data.get("metadata", {}), "cells": cells}


def read_notebook(path: str | Path):
    """Read the notebook at ``path`` (nbformat 4, or 3 converted); any failure is a NotebookError saying why.

    The JSON is read by the standard library and not validated against nbformat's schema: :func:`extract`
    reads any shape, so a notebook with a damaged cell still has its other exercises graded.
    """
    import nbformat

    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise NotebookError(f"{path}: no such file") from None
    except (OSError, ValueError) as exc:
        raise NotebookError(f"{path}: cannot be read ({type(exc).__name__})") from None
    if stat.S_ISDIR(info.st_mode):
        raise NotebookError(f"{path}: is a folder, not a notebook")
    if not stat.S_ISREG(info.st_mode):
        raise NotebookError(f"{path}: is not a regular file (a device, pipe or socket), so it was not read")
    if info.st_size > MAX_NOTEBOOK_BYTES:
        raise NotebookError(f"{path}: is {info.st_size / 2**20:.0f} MB, over the limit of "
                            f"{MAX_NOTEBOOK_BYTES // 2**20} MB for a notebook; clear its outputs, save it and "
                            "submit it again")
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_NOTEBOOK_BYTES + 1)
        text = raw.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise NotebookError(f"{path}: cannot be read as text ({type(exc).__name__})") from None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError, MemoryError) as exc:
        reason = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        raise NotebookError(f"{path}: not a Jupyter notebook (not valid JSON: {reason})") from None
    if not isinstance(data, dict):
        raise NotebookError(f"{path}: not a Jupyter notebook (the file holds {_kind(data)}, not an object)")
    version = data.get("nbformat")
    if version == 3 and not isinstance(data.get("cells"), list):
        data = _v3_to_v4(data)
    elif version not in (4, None):
        shown = repr(version)[:40]
        raise NotebookError(f"{path}: not a Jupyter notebook the grader reads (nbformat {shown}; versions 4 and 3 "
                            "are read): save it again with a current Jupyter")
    if not isinstance(data.get("cells"), list):
        raise NotebookError(f"{path}: not a Jupyter notebook (no list of cells)")
    try:
        return nbformat.from_dict(data)
    except RecursionError:
        raise NotebookError(f"{path}: not a Jupyter notebook (nested too deeply)") from None


def strip_magics(source: str) -> str | None:
    """Drop IPython-only lines; None for a whole-cell magic (``%%...``), which cannot run as Python."""
    if source.lstrip().startswith("%%"):
        return None
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())


def drop_check_calls(source: str) -> str:
    """Blank out top-level ``check(...)`` / ``bc.check(...)`` statements (feedback, not graded code).

    A source that does not parse (or is refused by :func:`parse_source`) is returned unchanged; the
    grader's rule check then reports it.
    """
    try:
        tree = parse_source(source)
    except (SyntaxError, UncheckableSource):
        return source
    lines = source.splitlines()
    for node in tree.body:
        call = node.value if isinstance(node, ast.Expr) else None
        if isinstance(call, ast.Call):
            func = call.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name == "check":
                for i in range(node.lineno - 1, min(node.end_lineno, len(lines))):
                    lines[i] = ""
    return "\n".join(lines)


def _only_checks(source: str) -> bool:
    rest = drop_check_calls(source)
    return all(not line.strip() or line.lstrip().startswith("#") for line in rest.splitlines())


def _dict(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def _defines(source: str) -> set[str]:
    try:
        tree = parse_source(source)
    except (SyntaxError, UncheckableSource):
        # fall back to a textual search, so a solution with a syntax error is still found (and fails)
        return set(re.findall(r"^(?:def|class)[ \t]+([A-Za-z_]\w*)", source, flags=re.M))
    return {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}


def _notebook_stem(nb_meta: dict, filename: str | None) -> str | None:
    named = nb_meta.get("notebook")
    if isinstance(named, str) and named in registry.NOTEBOOKS:
        return named
    if filename:
        name = Path(filename).name
        for stem in sorted(registry.NOTEBOOKS, key=len, reverse=True):
            if name.startswith(stem):
                return stem
    return None


@dataclass
class _Cell:
    number: int           # 1-based position in the notebook, as the learner counts cells
    source: str
    exercise: str | None
    role: str | None
    is_check: bool
    defines: set[str]


def extract(nb, filename: str | None = None) -> Extracted:
    """Split a notebook into setup cells and each exercise's cells (see the module docstring).

    ``nb`` is what :func:`read_notebook` returns (any mapping of that shape); this never raises for a
    malformed notebook: what cannot be used is noted in ``notes`` or, when it costs an exercise, in
    ``problems``.
    """
    known = registry.all_exercises()
    notes: dict[str, None] = {}     # ordered and unique; a hostile notebook may hold 100,000 bad cells
    problems: dict[str, list[str]] = {}
    ids: list[str] = []
    unknown: dict[str, None] = {}
    foreign: dict[str, None] = {}

    def note(text: str) -> None:
        if len(notes) < _MAX_NOTES * 2:
            notes[text] = None

    def add(ex_id: object, where: str) -> None:
        if not isinstance(ex_id, str):
            note(f"{where}: an exercise id that is not text was ignored ({_kind(ex_id)})")
        elif ex_id not in known:
            shown = repr(ex_id[:40] + ("..." if len(ex_id) > 40 else ""))
            unknown[shown] = None
        elif stem and known[ex_id].notebook != stem:
            # a notebook of the course is graded for its own exercises only (its maximum stays its own)
            foreign[ex_id] = None
        elif ex_id not in ids:
            ids.append(ex_id)

    def course_meta(raw: object, whose: str) -> dict:
        """The course's part of a metadata object (empty when missing), noting what had the wrong type."""
        if raw is not None and not isinstance(raw, dict):
            note(f"{whose} metadata was ignored ({_kind(raw)}, not an object)")
        ours = _dict(raw).get(META_KEY)
        if ours is not None and not isinstance(ours, dict):
            note(f"{whose} metadata {META_KEY!r} was ignored ({_kind(ours)}, not an object)")
        return _dict(ours)

    nb_meta = course_meta(nb.get("metadata") if isinstance(nb, dict) else None, "the notebook's")
    stem = _notebook_stem(nb_meta, filename)
    if stem:
        for ex in registry.for_notebook(stem):
            add(ex.id, "")
    listed = nb_meta.get("exercises")
    if isinstance(listed, list):
        for ex_id in listed:
            add(ex_id, "the notebook's metadata 'exercises'")
    elif listed is not None:
        note(f"the notebook's metadata 'exercises' was ignored ({_kind(listed)}, not a list)")

    cells = nb.get("cells") if isinstance(nb, dict) else None
    cells = cells if isinstance(cells, list) else []
    if not cells:
        note("the notebook has no cells")
    code_cells: list[_Cell] = []
    unreadable_setup: list[str] = []
    for number, cell in enumerate(cells, 1):
        if not isinstance(cell, dict):
            note(f"cell {number} was ignored ({_kind(cell)}, not a cell)")
            continue
        if cell.get("cell_type") != "code":
            continue
        meta = course_meta(cell.get("metadata"), f"cell {number}: its")
        role = meta.get("role") if isinstance(meta.get("role"), str) else None
        exercise = meta.get("exercise")
        if exercise is not None:
            add(exercise, f"cell {number}")
        exercise = exercise if isinstance(exercise, str) and exercise in known else None
        source = cell.get("source", "")
        if source is None:
            source = ""
        elif isinstance(source, list) and all(isinstance(part, str) for part in source):
            source = "".join(source)
        elif not isinstance(source, str):
            reason = f"cell {number} cannot be read: its source is {_kind(source)}, not text"
            if exercise:
                problems.setdefault(exercise, []).append(reason)
            elif role == "setup":
                unreadable_setup.append(f"the setup {reason}")
            else:
                note(f"{reason}; it was ignored")
            continue
        for ex_id in _CHECK_CALL.findall(source):
            add(ex_id, f"cell {number}")
        is_check = role == "check" or (bool(_CHECK_CALL.search(source)) and _only_checks(source))
        code_cells.append(_Cell(number, source, exercise, role, is_check,
                                set() if is_check else _defines(source)))
    if foreign:
        listed_foreign = ", ".join(list(foreign)[:_MAX_NOTES])
        note(f"exercises of other notebooks were ignored ({listed_foreign}): submit each in its own notebook")
    if unknown:
        more = f" and {len(unknown) - _MAX_NOTES} more" if len(unknown) > _MAX_NOTES else ""
        note(f"ids that are not exercises of the course were ignored: {', '.join(list(unknown)[:_MAX_NOTES])}{more}")

    out = Extracted(notebook=stem, notes=list(notes))
    functions = {known[i].function for i in ids}
    marked_setup = [c.source for c in code_cells if c.role == "setup" and not c.is_check]
    if marked_setup:
        out.setup = marked_setup
    elif code_cells and not unreadable_setup:
        first = code_cells[0]
        if not first.is_check and not (first.defines & functions):
            out.setup = [first.source]
    for ex_id in ids:
        marked = [c.source for c in code_cells if c.role == "solution" and c.exercise == ex_id and not c.is_check]
        if not marked:
            fn = known[ex_id].function
            marked = [c.source for c in code_cells if not c.is_check and c.role != "setup" and fn in c.defines]
        out.exercises[ex_id] = marked
        reasons = unreadable_setup + problems.get(ex_id, [])
        if reasons:
            out.problems[ex_id] = reasons

    def clean(cells: list[str]) -> list[str]:
        return [drop_check_calls(c) for c in (strip_magics(s) for s in cells) if c is not None]

    out.setup = clean(out.setup)
    out.exercises = {k: clean(v) for k, v in out.exercises.items()}
    # an exercise built on earlier ones (Exercise.requires) runs their cells first, in order
    own = dict(out.exercises)
    for ex_id in own:
        before = [c for req in known[ex_id].requires for c in own.get(req, [])]
        if before:
            out.exercises[ex_id] = before + own[ex_id]
    return out
