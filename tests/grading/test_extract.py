"""Finding exercises in notebooks, with and without the generator's metadata."""
from __future__ import annotations

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
import pytest

from backprop_course.grading.intake import NotebookError, drop_check_calls, extract, read_notebook, strip_magics
from backprop_course.grading.grader import grade_notebook

from grading_helpers import EXERCISES


def test_generated_notebook_is_split_by_metadata():
    nb = read_notebook(EXERCISES / "ex06_backprop.ipynb")
    out = extract(nb, "anything.ipynb")
    assert out.notebook == "ex06_backprop"
    assert list(out.exercises) == ["ex06.output_delta", "ex06.hidden_delta", "ex06.weight_gradient",
                                   "ex06.mlp_backward"]
    assert len(out.setup) == 1 and "import backprop_course as bc" in out.setup[0]
    for ex_id, cells in out.exercises.items():
        assert len(cells) == 1 and f'NotImplementedError("{ex_id}' in cells[0]
        assert "check(" not in cells[0]


def _plain_notebook():
    """A learner's own notebook: no metadata, a magic, the check call inside the solution cell."""
    nb = new_notebook()
    nb.cells = [
        new_markdown_cell("my work"),
        new_code_cell("%matplotlib inline\nimport numpy as np\nimport backprop_course as bc"),
        new_code_cell("def sigmoid(z):\n    return 1 / (1 + np.exp(-z))\n\nbc.check('ex03.sigmoid', sigmoid)"),
        new_code_cell("%%timeit\nsigmoid(1.0)"),
        new_code_cell("def sigmoid_prime(z):\n    s = sigmoid(z)\n    return s * (1 - s)\n"),
    ]
    return nb


def test_notebook_without_metadata_is_found_by_check_calls_and_definitions():
    out = extract(_plain_notebook(), "homework.ipynb")
    assert out.notebook is None
    assert list(out.exercises) == ["ex03.sigmoid"]          # the only id named in a check call
    assert out.setup == ["\nimport numpy as np\nimport backprop_course as bc"]
    assert out.exercises["ex03.sigmoid"] == ["def sigmoid(z):\n    return 1 / (1 + np.exp(-z))\n\n"]


def test_file_name_selects_the_notebook_exercises(tmp_path):
    path = tmp_path / "ex03_neuron_alice.ipynb"
    nbformat.write(_plain_notebook(), path)
    report = grade_notebook(path, seed=0, timeout=30)
    by_id = {e.id: e for e in report.exercises}
    assert by_id["ex03.sigmoid"].status == "passed"
    # sigmoid_prime calls a helper from another exercise's cell, which the grader does not run
    assert by_id["ex03.sigmoid_prime"].status == "failed"
    assert "NameError" in by_id["ex03.sigmoid_prime"].cases[0].message
    assert by_id["ex03.neuron_forward"].status == "missing" and by_id["ex03.neuron_forward"].score == 0


@pytest.mark.parametrize("source,expected", [
    ("x = 1\nbc.check('ex03.sigmoid', f)\ny = 2", "x = 1\n\ny = 2"),
    ("check(\n  'ex03.sigmoid',\n  f)\n", "\n\n"),
    ("result = bc.check('ex03.sigmoid', f)", "result = bc.check('ex03.sigmoid', f)"),
])
def test_drop_check_calls(source, expected):
    assert drop_check_calls(source) == expected


def test_strip_magics():
    assert strip_magics("%%bash\necho hi") is None
    assert strip_magics("!pip install x\n  %time f()\ny = 1") == "\n\ny = 1"


@pytest.mark.parametrize("content,reason", [
    ("{not json", "not a Jupyter notebook"),
    ('{"cells": "nope", "nbformat": 4, "nbformat_minor": 5, "metadata": {}}', "not a Jupyter notebook"),
    (b"\xff\xfe\x00binary", "cannot be read as text"),
])
def test_unreadable_files_raise_a_clear_error(tmp_path, content, reason):
    path = tmp_path / "sub.ipynb"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(NotebookError, match=reason):
        read_notebook(path)
