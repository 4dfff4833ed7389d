"""The notebook-level text of a learner notebook: title, lesson, introduction (one per exercise module)."""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Worksheet"]


@dataclass(frozen=True)
class Worksheet:
    """The notebook-level text of one learner notebook (``exercises/<stem>.ipynb``).

    Parameters
    ----------
    stem : str
        The notebook's file stem and the name of its module, e.g. ``"ex06_backprop"``.
    title : str
        The notebook's heading, e.g. ``"Exercises 6: backpropagation in a network"``.
    lesson : str
        The two-digit number of the lesson it practises, e.g. ``"06"``.
    intro : str
        Markdown introduction (what the exercises practise, what to know first).
    setup_extra : str
        Lines appended to the shared setup cell (e.g. ``"import sympy as sp"``); empty for most.
    """

    stem: str
    title: str
    lesson: str
    intro: str
    setup_extra: str = ""
