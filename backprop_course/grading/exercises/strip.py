"""Derive a learner notebook from a solution notebook by removing the solutions.

In a solution cell the model answer sits between two marker lines::

    def sigmoid(z):
        # BEGIN SOLUTION
        return 1 / (1 + np.exp(-z))
        # END SOLUTION

:func:`strip_source` replaces everything from ``# BEGIN SOLUTION`` to ``# END SOLUTION`` (inclusive) by
one line, at the marker's indentation, that raises ``NotImplementedError`` naming the exercise id; the
check call then reports "not attempted". ``scripts/make_exercises.py`` writes the learner notebooks
with it, and a test proves that the stored learner notebooks are exactly the stripped solutions.

>>> print(strip_source("def f(x):\\n    # BEGIN SOLUTION\\n    return x\\n    # END SOLUTION", "ex00.f"))
def f(x):
    raise NotImplementedError("ex00.f: replace this line with your code")
"""
from __future__ import annotations

import copy
import re

__all__ = ["BEGIN", "END", "strip_source", "strip_notebook", "stub_line", "solution_blocks"]

BEGIN, END = "# BEGIN SOLUTION", "# END SOLUTION"
_BLOCK = re.compile(r"^([ \t]*)# BEGIN SOLUTION[^\n]*\n(.*?)^[ \t]*# END SOLUTION[^\n]*(\n|$)", re.M | re.S)


def stub_line(exercise_id: str) -> str:
    return f'raise NotImplementedError("{exercise_id}: replace this line with your code")'


def strip_source(source: str, exercise_id: str) -> str:
    """Replace every solution block in ``source`` by the stub line; unbalanced markers are an error."""
    if source.count(BEGIN) != source.count(END):
        raise ValueError(f"The solution of {exercise_id} has unbalanced markers: "
                         f"{source.count(BEGIN)} '{BEGIN}' and {source.count(END)} '{END}'.")
    return _BLOCK.sub(lambda m: f"{m.group(1)}{stub_line(exercise_id)}{m.group(3)}", source)


def solution_blocks(source: str) -> list[str]:
    """The text of each solution block (between the markers)."""
    return [m.group(2) for m in _BLOCK.finditer(source)]


def strip_notebook(nb, meta_key: str = "backprop_course"):
    """A copy of the solution notebook ``nb`` with every solution cell stripped and outputs cleared."""
    out = copy.deepcopy(nb)
    for cell in out.cells:
        meta = cell.get("metadata", {}).get(meta_key, {})
        if cell.get("cell_type") == "code":
            if meta.get("role") == "solution":
                cell["source"] = strip_source(cell["source"], meta["exercise"])
            cell["outputs"] = []
            cell["execution_count"] = None
    return out
