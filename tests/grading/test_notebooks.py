"""The learner notebooks are exactly the solution notebooks with the solutions stripped.

Sources are compared cell by cell (outputs aside), no line of any solution block survives in a learner
notebook, the stored outputs show "not attempted" for learners and full marks for solutions.
"""
from __future__ import annotations

import nbformat
import pytest

from backprop_course.grading.exercises import registry
from backprop_course.grading.exercises.strip import BEGIN, END, solution_blocks, strip_notebook, strip_source, stub_line

from grading_helpers import EXERCISES, META, SOLUTIONS

STEMS = list(registry.NOTEBOOKS)


def _read(path):
    return nbformat.read(path, as_version=4)


def test_one_learner_and_one_solution_notebook_per_registered_notebook():
    assert sorted(p.stem for p in EXERCISES.glob("*.ipynb")) == sorted(STEMS)
    assert sorted(p.stem for p in SOLUTIONS.glob("*.ipynb")) == sorted(STEMS)


@pytest.mark.parametrize("stem", STEMS)
def test_learner_notebook_is_the_stripped_solution(stem):
    solution, learner = _read(SOLUTIONS / f"{stem}.ipynb"), _read(EXERCISES / f"{stem}.ipynb")
    expected = strip_notebook(solution, META)
    assert len(learner.cells) == len(expected.cells)
    for got, want in zip(learner.cells, expected.cells):
        assert got.cell_type == want.cell_type
        assert got.source == want.source
        assert got.metadata.get(META) == want.metadata.get(META)
    assert learner.metadata.get(META) == solution.metadata.get(META)


@pytest.mark.parametrize("stem", STEMS)
def test_no_solution_text_is_left_in_the_learner_notebook(stem):
    solution, learner = _read(SOLUTIONS / f"{stem}.ipynb"), _read(EXERCISES / f"{stem}.ipynb")
    learner_text = "\n".join(c.source for c in learner.cells)
    assert BEGIN not in learner_text and END not in learner_text
    for cell in solution.cells:
        meta = cell.metadata.get(META, {})
        if meta.get("role") != "solution":
            continue
        blocks = solution_blocks(cell.source)
        assert blocks, f"solution cell of {meta['exercise']} has no marked answer"
        for block in blocks:
            for line in block.splitlines():
                code = line.strip()
                if len(code) > 12 and not code.startswith("#"):
                    assert code not in learner_text, f"solution line left in {stem}: {code!r}"
        assert stub_line(meta["exercise"]) in learner_text


@pytest.mark.parametrize("stem", STEMS)
def test_every_exercise_has_prompt_stub_and_check(stem):
    learner = _read(EXERCISES / f"{stem}.ipynb")
    setup = [c for c in learner.cells if c.metadata.get(META, {}).get("role") == "setup"]
    assert setup and "import backprop_course as bc" in setup[0].source and "default_rng(0)" in setup[0].source
    for ex in registry.for_notebook(stem):
        roles = {c.metadata[META]["role"]: c for c in learner.cells
                 if c.metadata.get(META, {}).get("exercise") == ex.id}
        assert set(roles) == {"prompt", "solution", "check"}
        assert f'raise NotImplementedError("{ex.id}' in roles["solution"].source
        assert roles["check"].source == f'bc.check("{ex.id}", {ex.function})'


@pytest.mark.parametrize("stem", STEMS)
def test_stored_outputs_say_not_attempted_and_full_marks(stem):
    learner, solution = _read(EXERCISES / f"{stem}.ipynb"), _read(SOLUTIONS / f"{stem}.ipynb")

    def check_outputs(nb):
        return {c.metadata[META]["exercise"]: "".join(o.get("text", "") for o in c.outputs)
                for c in nb.cells if c.metadata.get(META, {}).get("role") == "check"}

    for ex_id, text in check_outputs(learner).items():
        assert text.strip() == f"{ex_id}: not attempted yet (the stub still raises NotImplementedError)."
    for ex_id, text in check_outputs(solution).items():
        assert "well done" in text and "FAILED" not in text, text


def test_strip_source_rejects_unbalanced_markers():
    with pytest.raises(ValueError, match="unbalanced"):
        strip_source("def f():\n    # BEGIN SOLUTION\n    return 1\n", "ex00.f")


def test_strip_keeps_indentation_and_surrounding_code():
    src = "def f(x):\n    '''doc'''\n    # BEGIN SOLUTION\n    y = x\n    return y\n    # END SOLUTION\n\nZ = 1"
    out = strip_source(src, "ex00.f")
    assert out == "def f(x):\n    '''doc'''\n    " + stub_line("ex00.f") + "\n\nZ = 1"
