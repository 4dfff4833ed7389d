#!/usr/bin/env python
"""Write the exercise notebooks and the docs tables from the exercise modules.

Usage::

    python scripts/make_exercises.py            # writes the exercise notebooks whose cells changed
                                                # (exercises/solutions/*.ipynb, exercises/*.ipynb) and
                                                # the generated tables of docs/grading.md
    python scripts/make_exercises.py --force    # rewrites every exercise notebook
    python scripts/make_exercises.py --check    # exit 1 if a notebook's cells or a table are stale
    python scripts/execute_notebooks.py exercises/*.ipynb exercises/solutions/*.ipynb   # store outputs

The single source is ``backprop_course/grading/exercises/``: one module per learner notebook, found by
the registry (``exNN_name.py``, in course order). A module's ``WORKSHEET`` gives the notebook's title,
lesson and introduction; each of its ``EXERCISES`` gives its prompt (Markdown) and its solution cell, the
answer between ``# BEGIN SOLUTION`` and ``# END SOLUTION``. The learner notebook is the solution notebook
passed through ``backprop_course.grading.exercises.strip.strip_notebook``, so a stub is never written by
hand (tests/grading/test_notebooks.py proves both stay so). Cells carry metadata
``{"backprop_course": {"role": ..., "exercise": ...}}`` that the grader reads. A stored notebook's cell
ids are kept, and a notebook whose cells did not change is not rewritten (its outputs stay).
"""
from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from backprop_course.grading.checking.exercise import case_rng  # noqa: E402
from backprop_course.grading.exercises import registry  # noqa: E402
from backprop_course.grading.exercises.strip import strip_notebook  # noqa: E402
from hosted import colab_badge, with_install  # noqa: E402

META = "backprop_course"
DOCS = ROOT / "docs" / "grading.md"

SETUP = '''# Setup: run this cell first. It fixes the random seed so every run prints the same numbers.
import numpy as np
import backprop_course as bc

rng = np.random.default_rng(0)
np.set_printoptions(precision=4, suppress=True)'''

HOW = """**How these exercises work.** Each exercise has a short prompt, a code cell with a function to
complete (it raises `NotImplementedError` until you replace the marked line) and a check cell that calls
`bc.check("<id>", your_function)`. The check prints one line per test case: *public* cases show the
input, the expected value, your value and the largest difference; *hidden* cases are drawn afresh every
time and only say passed or FAILED with a hint. Keep everything a function needs inside its own cell
(helpers too): the grader runs each exercise cell on its own, in a separate process, with the setup cell
above it. Do not call the package's own implementation of the thing you are writing; the grader checks
the source and scores such an answer 0."""


def _meta(role: str, exercise: str | None = None) -> dict:
    inner = {"role": role}
    if exercise:
        inner["exercise"] = exercise
    return {META: inner}


def _cell_key(cell) -> tuple:
    meta = cell.get("metadata", {}).get(META, {})
    return meta.get("role"), meta.get("exercise")


def _keep_ids(nb, stored) -> None:
    """Give ``nb``'s cells the ids of the ``stored`` notebook's cells of the same role and exercise;
    a new cell gets an id derived from the notebook, its role and exercise (stable from run to run)."""
    old = {_cell_key(c): c.get("id") for c in (stored.cells if stored is not None else [])}
    for cell in nb.cells:
        key = _cell_key(cell)
        cell["id"] = old.get(key) or hashlib.sha1(repr((nb.metadata[META]["notebook"], key)).encode()).hexdigest()[:8]


def build_solution(stem: str, stored=None):
    """The solution notebook of the exercise module ``stem`` (cell ids kept from ``stored``, if given)."""
    sheet, exercises = registry.worksheet(stem), registry.for_notebook(stem)
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata[META] = {"notebook": stem, "exercises": [ex.id for ex in exercises]}
    badge = colab_badge(f"exercises/{stem}.ipynb")
    cells = [new_markdown_cell(f"# {sheet.title}\n\n{badge}\n\n{sheet.intro}\n\nLesson: "
                               f"`notebooks/{sheet.lesson}_*.ipynb`.\n\n{HOW}", metadata=_meta("intro"))]
    setup = with_install(SETUP + ("\n" + sheet.setup_extra if sheet.setup_extra else ""))
    cells.append(new_code_cell(setup, metadata=_meta("setup")))
    for ex in exercises:
        if not ex.prompt or not ex.solution:
            raise ValueError(f"{ex.id} needs prompt= and solution= in grading/exercises/{stem}.py")
        cells.append(new_markdown_cell(ex.prompt, metadata=_meta("prompt", ex.id)))
        cells.append(new_code_cell(ex.solution, metadata=_meta("solution", ex.id)))
        cells.append(new_code_cell(ex.check_call, metadata=_meta("check", ex.id)))
    cells.append(new_markdown_cell("When every check passes, save the notebook and hand it in; your instructor "
                                   "grades it with `backprop-course grade`.", metadata=_meta("outro")))
    nb.cells = cells
    _keep_ids(nb, stored)
    nbformat.validate(nb)
    return nb


def build(stem: str, stored=None) -> tuple:
    """``(solution, learner)`` notebooks of ``stem``; the learner one is the stripped solution."""
    solution = build_solution(stem, stored)
    return solution, strip_notebook(solution, META)


def notebook_paths(stem: str) -> tuple[Path, Path]:
    """Where the solution and the learner notebook of ``stem`` are stored."""
    return ROOT / "exercises" / "solutions" / f"{stem}.ipynb", ROOT / "exercises" / f"{stem}.ipynb"


def _read(path: Path):
    return nbformat.read(path, as_version=4) if path.exists() else None


def cell_differences(built, stored) -> list[str]:
    """How ``stored`` differs from ``built`` in what the generator writes (outputs aside)."""
    if stored is None:
        return ["missing"]
    problems = []
    if stored.metadata.get(META) != built.metadata.get(META):
        problems.append("notebook metadata")
    if len(stored.cells) != len(built.cells):
        problems.append(f"{len(stored.cells)} cells instead of {len(built.cells)}")
    for i, (got, want) in enumerate(zip(stored.cells, built.cells)):
        if (got.cell_type, got.source, got.get("metadata", {}).get(META)) != \
                (want.cell_type, want.source, want.metadata.get(META)):
            problems.append(f"cell {i} ({'/'.join(str(k) for k in _cell_key(want) if k)})")
    return problems


# ---- the docs tables -------------------------------------------------------------------------------

def _marked(name: str) -> tuple[str, str]:
    return f"<!-- {name}:begin (generated by scripts/make_exercises.py) -->", f"<!-- {name}:end -->"


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def exercises_table() -> str:
    """Markdown table of every exercise: id, title, notebook, lesson, points, public and hidden cases."""
    rows = ["| exercise | title | notebook | lesson | points | public cases | hidden cases |",
            "|---|---|---|---|---|---|---|"]
    for stem in registry.NOTEBOOKS:
        lesson = registry.worksheet(stem).lesson
        for ex in registry.for_notebook(stem):
            hidden = len(ex.hidden(case_rng(ex.id, 0)))   # the count for a fixed seed (a generator may vary it)
            rows.append(f"| `{ex.id}` | {_cell(ex.title)} | `{stem}` | {lesson} | {ex.points:g} | "
                        f"{len(ex.public())} | {hidden} |")
    return "\n".join(rows)


def misconceptions_table() -> str:
    """Markdown table of the catalogued misconceptions: exercise, name, where the lesson teaches it."""
    rows = [(ex.id, m) for ex in registry.all_exercises().values() for m in ex.misconceptions]
    if not rows:
        return "No misconception is catalogued yet."
    lines = ["| exercise | misconception | lesson |", "|---|---|---|"]
    lines += [f"| `{ex_id}` | {_cell(m.name)} | {_cell(m.lesson)} |" for ex_id, m in rows]
    return "\n".join(lines)


TABLES = {"exercises": exercises_table, "misconceptions": misconceptions_table}


def render_docs(text: str) -> str:
    """``text`` (docs/grading.md) with every generated table replaced by its current version."""
    for name, make in TABLES.items():
        begin, end = _marked(name)
        if text.count(begin) != 1 or text.count(end) != 1 or text.index(begin) > text.index(end):
            raise ValueError(f"docs/grading.md must hold the markers {begin} ... {end} once each")
        head, rest = text.split(begin)
        tail = rest.split(end)[1]
        text = f"{head}{begin}\n{make()}\n{end}{tail}"
    return text


def check() -> list[str]:
    """Everything stale: notebooks whose generated cells differ from the stored ones, stale tables."""
    problems = []
    for stem in registry.NOTEBOOKS:
        solution_path, learner_path = notebook_paths(stem)
        stored_solution, stored_learner = _read(solution_path), _read(learner_path)
        solution, learner = build(stem, stored_solution)
        for path, built, stored in ((solution_path, solution, stored_solution), (learner_path, learner, stored_learner)):
            problems += [f"{path.relative_to(ROOT)}: {p}" for p in cell_differences(built, stored)]
    docs = DOCS.read_text(encoding="utf-8")
    if render_docs(docs) != docs:
        problems.append("docs/grading.md: a generated table is stale")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only report what is stale (exit 1 if anything is)")
    parser.add_argument("--force", action="store_true",
                        help="rewrite every notebook (outputs cleared), not only those whose cells changed")
    args = parser.parse_args(argv)
    if args.check:
        problems = check()
        for problem in problems:
            print(f"stale: {problem}")
        if problems:
            print("run: python scripts/make_exercises.py, then python scripts/execute_notebooks.py "
                  "exercises/*.ipynb exercises/solutions/*.ipynb")
        return 1 if problems else 0
    (ROOT / "exercises" / "solutions").mkdir(parents=True, exist_ok=True)
    written = []
    for stem in registry.NOTEBOOKS:
        solution_path, learner_path = notebook_paths(stem)
        stored_solution, stored_learner = _read(solution_path), _read(learner_path)
        solution, learner = build(stem, stored_solution)
        if not args.force and not cell_differences(solution, stored_solution) \
                and not cell_differences(learner, stored_learner):
            continue                     # unchanged: keep the stored notebooks and their outputs
        nbformat.write(solution, solution_path)
        nbformat.write(learner, learner_path)
        written += [str(learner_path.relative_to(ROOT)), str(solution_path.relative_to(ROOT))]
        print(f"wrote exercises/{stem}.ipynb and its solution")
    if written:
        print("store their outputs: python scripts/execute_notebooks.py " + " ".join(written))
    else:
        print("every exercise notebook is up to date")
    DOCS.write_text(render_docs(DOCS.read_text(encoding="utf-8")), encoding="utf-8")
    print("wrote the exercise tables of docs/grading.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
