"""Every exercise of the course, by id and by notebook.

Exercise definitions live in :mod:`backprop_course.grading.exercises`, one module per learner notebook;
this module only collects them (lazily: SymPy is imported only by the symbolic exercise's functions).
"""
from __future__ import annotations

import importlib
from functools import lru_cache

from ...engine import checks
from ..checking.exercise import Exercise

__all__ = ["NOTEBOOKS", "all_exercises", "get", "for_notebook"]

#: Learner notebooks in course order; each is a module of ``grading.exercises`` with ``EXERCISES``.
NOTEBOOKS = ("ex02_graphs", "ex03_neuron", "ex04_descent", "ex05_chain", "ex06_backprop", "ex06b_gradcheck",
             "ex07_symbolic", "ex08_input_grads", "ex09_modes", "ex10_optimizers", "ex11_init", "ex12_digits",
             "ex13_autograd")


@lru_cache(maxsize=1)
def all_exercises() -> dict[str, Exercise]:
    """``{id: Exercise}`` in course order."""
    out: dict[str, Exercise] = {}
    for stem in NOTEBOOKS:
        module = importlib.import_module(f"backprop_course.grading.exercises.{stem}")
        for ex in module.EXERCISES:
            if ex.id in out:
                raise RuntimeError(f"duplicate exercise id {ex.id!r}")
            out[ex.id] = ex
    return out


def get(exercise_id: str) -> Exercise:
    """The exercise with this id; a ValueError lists the known ids otherwise."""
    exercises = all_exercises()
    if not isinstance(exercise_id, str):
        raise checks.error("check", "exercise_id", "a str such as 'ex03.sigmoid'", repr(exercise_id), TypeError)
    if exercise_id not in exercises:
        raise checks.error("check", "exercise_id", f"one of {list(exercises)}", repr(exercise_id))
    return exercises[exercise_id]


def for_notebook(stem: str) -> list[Exercise]:
    """The exercises of one learner notebook (by file stem), in order."""
    return [ex for ex in all_exercises().values() if ex.notebook == stem]
