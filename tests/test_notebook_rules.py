"""House rules for every stored notebook (lessons, exercises, solutions).

nbval checks that stored outputs are what the code produces; these tests check the conventions that
nbval cannot see: stored executed, seeded setup with ``import backprop_course as bc`` first, no
trailing ``;`` hiding output, lessons numbered in order.
"""
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted((ROOT / "notebooks").glob("*.ipynb"))
ALL = LESSONS + sorted((ROOT / "exercises").glob("*.ipynb")) + sorted((ROOT / "exercises" / "solutions").glob("*.ipynb"))


def code_cells(path):
    return [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


def test_lessons_exist_and_are_numbered_in_order():
    assert LESSONS, "no lesson notebooks in notebooks/"
    numbers = [int(re.match(r"(\d+)_", p.name).group(1)) for p in LESSONS]
    assert numbers == list(range(1, len(numbers) + 1)), numbers


@pytest.mark.parametrize("path", ALL, ids=lambda p: str(p.relative_to(ROOT)))
def test_stored_executed(path):
    cells = code_cells(path)
    assert cells, "a notebook without code"
    missing = [i for i, c in enumerate(cells) if c.source.strip() and c.execution_count is None]
    assert not missing, f"code cells {missing} were never executed; run scripts/execute_notebooks.py"
    counts = [c.execution_count for c in cells if c.source.strip()]
    assert counts == list(range(1, len(counts) + 1)), "cells were executed out of order or partly"


@pytest.mark.parametrize("path", ALL, ids=lambda p: str(p.relative_to(ROOT)))
def test_seeded_setup_imports_package_first(path):
    first = code_cells(path)[0].source
    assert "import backprop_course as bc" in first
    assert re.search(r"seed", first), "the first code cell must seed the random generators"


@pytest.mark.parametrize("path", ALL, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_trailing_semicolon(path):
    for c in code_cells(path):
        last = c.source.rstrip().splitlines()[-1] if c.source.strip() else ""
        assert not last.rstrip().endswith(";"), f"trailing ';' hides output (nbval ignores it): {last!r}"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lesson_has_the_parts_every_lesson_needs(path):
    nb = nbformat.read(path, as_version=4)
    md = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert re.search(r"After this lesson you can|you will be able", md), "state what the learner will be able to do"
    assert re.search(r"\*\*Time", md), "say roughly how long the lesson takes"
    assert re.search(r"[Tt]ry this", md), "give a 'Try this' prompt for a view or plot"
    assert re.search(r"^#+ *Recap", md, flags=re.M), "end with a recap"
    assert re.search(r"exercises/\w+\.ipynb|ex\d\d\w*", md), "point to a graded exercise"
    recap_at = max(i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and re.search(r"^#+ *Recap", c.source, flags=re.M))
    assert recap_at >= len(nb.cells) - 3, "the recap comes at the end"
    linked = set(re.findall(r"exercises/(\w+\.ipynb)", md))
    missing = [name for name in linked if not (ROOT / "exercises" / name).exists()]
    assert not missing, f"pointers to exercises that do not exist: {missing}"


_NOISE_LINE = re.compile(r"\b(differ\w*|diff|error|discrepancy)\b.*?\d\.?\d*e-(\d+)", re.I)


def checked_output_lines(path):
    """Text lines of the outputs nbval compares (cells without NBVAL_IGNORE_OUTPUT / NBVAL_SKIP)."""
    for cell in code_cells(path):
        if "NBVAL_IGNORE_OUTPUT" in cell.source or "NBVAL_SKIP" in cell.source:
            continue
        for out in cell.get("outputs", []):
            text = out.get("text", "") if out.output_type == "stream" else out.get("data", {}).get("text/plain", "")
            yield from ("".join(text) if isinstance(text, list) else text).splitlines()


@pytest.mark.parametrize("path", ALL, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_rounding_noise_in_checked_outputs(path):
    """A difference or error that is rounding noise (below 1e-9) depends on the BLAS, the CPU and the numpy
    release; a checked output prints it against its tolerance ("below 1e-12: True") instead."""
    noisy = [line for line in checked_output_lines(path)
             if (m := _NOISE_LINE.search(line)) and int(m.group(2)) >= 9 and not re.search(r"<|below|agree|toleran", line)]
    assert not noisy, f"print these against their tolerance: {noisy[:3]}"
