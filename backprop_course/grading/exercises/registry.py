"""Every exercise of the course, by id and by notebook, found by looking at the package.

Each module of :mod:`backprop_course.grading.exercises` whose name looks like ``exNN_name`` or
``exNNx_name`` (``ex06_backprop``, ``ex06b_gradcheck``) is one learner notebook: it defines
``WORKSHEET`` (a :class:`~backprop_course.grading.exercises.worksheet.Worksheet`: title, lesson,
introduction) and ``EXERCISES`` (its :class:`~backprop_course.grading.checking.exercise.Exercise` list).
Adding such a module adds the notebook everywhere: this registry, ``scripts/make_exercises.py`` (the
notebooks and the docs tables), the grader, ``progress`` and the tests. Modules are imported lazily
(SymPy is imported only by the symbolic exercise's functions); the names are read from the folder.
"""
from __future__ import annotations

import importlib
import pkgutil
import re
import sys
from functools import lru_cache

from ...engine import checks
from ..checking.exercise import Exercise
from .worksheet import Worksheet

__all__ = ["NOTEBOOKS", "STEM_PATTERN", "all_exercises", "get", "for_notebook", "worksheet", "worksheets"]

#: The name of an exercise module (and notebook stem): ``ex``, two digits, an optional letter, ``_name``.
STEM_PATTERN = re.compile(r"^ex(\d\d)([a-z]?)_[a-z0-9_]+$")


def _course_order(stem: str) -> tuple:
    number, letter = STEM_PATTERN.match(stem).groups()
    return int(number), letter, stem          # ex06_backprop (letter "") before ex06b_gradcheck


def discover() -> tuple[str, ...]:
    """The stems of the exercise modules in this package, in course order (no module is imported)."""
    folders = sys.modules[__package__].__path__          # this package's folder(s)
    stems = {m.name for m in pkgutil.iter_modules(folders) if STEM_PATTERN.match(m.name) and not m.ispkg}
    return tuple(sorted(stems, key=_course_order))


#: Learner notebooks in course order; each is a module of ``grading.exercises`` with ``EXERCISES``.
NOTEBOOKS = discover()


def _module(stem: str):
    return importlib.import_module(f"{__package__}.{stem}")


def worksheet(stem: str) -> Worksheet:
    """The notebook-level text (title, lesson, introduction) of the learner notebook ``stem``."""
    if stem not in NOTEBOOKS:
        raise checks.error("worksheet", "stem", f"one of {list(NOTEBOOKS)}", repr(stem))
    sheet = getattr(_module(stem), "WORKSHEET", None)
    if not isinstance(sheet, Worksheet) or sheet.stem != stem:
        raise RuntimeError(f"grading/exercises/{stem}.py must define WORKSHEET = Worksheet(stem={stem!r}, ...)")
    return sheet


def worksheets() -> list[Worksheet]:
    """Every learner notebook's :class:`Worksheet`, in course order."""
    return [worksheet(stem) for stem in NOTEBOOKS]


@lru_cache(maxsize=1)
def all_exercises() -> dict[str, Exercise]:
    """``{id: Exercise}`` in course order."""
    out: dict[str, Exercise] = {}
    for stem in NOTEBOOKS:
        for ex in _module(stem).EXERCISES:
            if ex.id in out:
                raise RuntimeError(f"duplicate exercise id {ex.id!r}")
            if ex.notebook != stem:
                raise RuntimeError(f"{ex.id} is defined in {stem}.py but says notebook={ex.notebook!r}")
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
