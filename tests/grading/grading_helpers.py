"""Helpers for the grading tests: load solution functions and cells from the solution notebooks."""
from __future__ import annotations

from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
EXERCISES = ROOT / "exercises"
SOLUTIONS = EXERCISES / "solutions"
META = "backprop_course"


def solution_notebook(stem: str):
    return nbformat.read(SOLUTIONS / f"{stem}.ipynb", as_version=4)


def cells_by_role(nb, role: str, exercise: str | None = None) -> list:
    return [c for c in nb.cells
            if c.metadata.get(META, {}).get("role") == role
            and (exercise is None or c.metadata.get(META, {}).get("exercise") == exercise)]


def load_function(exercise_id: str, source: str | None = None):
    """The function of ``exercise_id`` from its solution notebook (or from ``source`` run after setup)."""
    from backprop_course.grading.exercises import registry

    ex = registry.get(exercise_id)
    nb = solution_notebook(ex.notebook)
    namespace: dict = {}
    for cell in cells_by_role(nb, "setup"):
        exec(cell.source, namespace)  # noqa: S102 - our own notebooks
    if source is None:   # the model solution runs after the cells it builds on (Exercise.requires)
        for required in ex.requires:
            exec(cells_by_role(nb, "solution", required)[0].source, namespace)  # noqa: S102
    code = source if source is not None else cells_by_role(nb, "solution", exercise_id)[0].source
    exec(code, namespace)  # noqa: S102
    return namespace[ex.function]

