"""``bc.progress()`` and ``backprop-course progress``: pass, fail and not attempted, from the grader."""
from __future__ import annotations

import copy
import shutil
import subprocess
import sys

import nbformat
import pytest

import backprop_course as bc
from backprop_course.grading.reports.progress import course_progress, exercise_folder, format_table, lesson_totals

from backprop_course.grading.exercises import registry
from gradescope_helpers import hidden_expected_texts
from grading_helpers import EXERCISES, META, SOLUTIONS, solution_notebook

SEED = 5
WRONG_PRIME = "def sigmoid_prime(z):\n    return 1 / (1 + np.exp(-z))  # forgot the (1 - g) factor\n"
EXPECTED = {  # exercise -> (status, grader status, score)
    "ex02.graph": ("not attempted", "not attempted", 0.0),
    "ex02.add_gate": ("not attempted", "not attempted", 0.0),
    "ex02.mul_gate": ("not attempted", "not attempted", 0.0),
    "ex03.sigmoid": ("pass", "passed", 1.0),
    "ex03.sigmoid_prime": ("fail", "failed", 0.0),
    "ex03.neuron_forward": ("pass", "passed", 1.0),
    "ex11.xavier_uniform": ("pass", "passed", 2.0),
}


def make_course(folder):
    """A course folder as `backprop-course lab` makes it: an untouched exercise, a wrong answer, a solution."""
    exercises = folder / "exercises"
    exercises.mkdir(parents=True)
    shutil.copyfile(EXERCISES / "ex02_graphs.ipynb", exercises / "ex02_graphs.ipynb")
    shutil.copyfile(SOLUTIONS / "ex11_init.ipynb", exercises / "ex11_init.ipynb")
    nb = copy.deepcopy(solution_notebook("ex03_neuron"))
    for cell in nb.cells:
        meta = cell.metadata.get(META, {})
        if meta.get("role") == "solution" and meta.get("exercise") == "ex03.sigmoid_prime":
            cell.source = WRONG_PRIME
    nbformat.write(nb, exercises / "ex03_neuron.ipynb")
    notes = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print('my notes')")])
    nbformat.write(notes, exercises / "notes.ipynb")
    return folder


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return make_course(tmp_path_factory.mktemp("course"))


@pytest.fixture(scope="module")
def result(course):
    return course_progress(course, seed=SEED, jobs=2)


def test_each_exercise_gets_its_verdict(result):
    got = {r.exercise: (r.status, r.detail, r.score) for r in result.rows}
    assert got == EXPECTED
    assert [r.exercise for r in result.rows] == list(EXPECTED)  # course order
    assert {r.file for r in result.rows} == {"ex02_graphs.ipynb", "ex03_neuron.ipynb", "ex11_init.ipynb"}
    assert result.counts() == {"pass": 3, "fail": 1, "not attempted": 3}


def test_a_notebook_that_is_no_exercise_is_listed_as_not_graded(result):
    assert result.skipped == [("notes.ipynb", "no exercise of the course was found in this notebook")]


def test_lesson_totals(result):
    assert lesson_totals(result.rows) == {
        "02": {"pass": 0, "fail": 0, "not attempted": 3, "score": 0.0, "max_score": 3.0},
        "03": {"pass": 2, "fail": 1, "not attempted": 0, "score": 2.0, "max_score": 3.0},
        "11": {"pass": 1, "fail": 0, "not attempted": 0, "score": 2.0, "max_score": 2.0},
    }


def test_table_has_one_line_per_exercise_and_the_totals(result):
    lines = format_table(result).splitlines()
    assert lines[0].split() == ["notebook", "exercise", "status", "score"]
    assert lines[2].split() == ["ex02_graphs", "ex02.graph", "not", "attempted", "0/1"]
    assert lines[5].split() == ["ex03_neuron", "ex03.sigmoid", "pass", "1/1"]
    # the wrong answer is the catalogued "g instead of g'": the table names it and the lesson
    assert lines[6].split()[:4] == ["ex03_neuron", "ex03.sigmoid_prime", "fail", "0/1"]
    assert lines[6].split("0/1", 1)[1].strip() == "looks like g instead of g' (see " + next(
        m.lesson for m in registry.get("ex03.sigmoid_prime").misconceptions if m.name == "g instead of g'") + ")"
    assert all("looks like" not in line for i, line in enumerate(lines) if i != 6)
    assert lines[-2] == "3 passed, 1 failed, 3 not attempted; 4/8 points"
    assert lines[-1] == "not graded: notes.ipynb: no exercise of the course was found in this notebook"


def test_no_hidden_value_is_shown(result):
    from backprop_course.grading.reports.progress_view import Progress

    shown = repr(Progress(result)) + Progress(result)._repr_html_()
    secrets = hidden_expected_texts("ex03_neuron", SEED)
    assert secrets and not [s for s in secrets if s in shown]


@pytest.mark.parametrize("where", ["course", "course/exercises", "parent"])
def test_finds_the_exercises_from_the_course_folder_its_parent_or_itself(course, tmp_path, where):
    if where == "parent":  # the folder `backprop-course lab` was run in: it made ./backprop-course
        shutil.copytree(course, tmp_path / "backprop-course")
        folder = tmp_path
        expected = tmp_path / "backprop-course" / "exercises"
    else:
        folder = course / "exercises" if where.endswith("exercises") else course
        expected = course / "exercises"
    assert exercise_folder(folder) == expected


def test_bc_progress_shows_the_same_data(course, monkeypatch):
    monkeypatch.chdir(course / "exercises")  # the kernel's folder in JupyterLab
    shown = bc.progress(seed=SEED)
    assert {r.exercise: r.status for r in shown.state.rows} == {k: v[0] for k, v in EXPECTED.items()}
    assert repr(shown) == format_table(shown.state)
    page = shown._repr_html_()
    assert page.count("<tr>") == 3 and "lesson 03" in page and "2/3 passed, 2/3 points" in page
    assert "width:66.67%;background:#2e7d32" in page and "width:33.33%;background:#c62828" in page


def test_plot_draws_one_stacked_bar_per_lesson(result):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from backprop_course.grading.reports.progress_view import Progress

    ax = Progress(result).plot()
    widths = {(round(p.get_y(), 2), p.get_x(), p.get_width()) for p in ax.patches if p.get_width()}
    # three lessons (rows), verdict bars stacked left to right: pass, fail, not attempted
    assert sorted((x, w) for _, x, w in widths) == [(0, 1), (0, 2), (0, 3), (2, 1)]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["lesson 02", "lesson 03", "lesson 11"]
    plt.close(ax.figure)


def test_bc_progress_is_a_lazy_name():
    assert "progress" in dir(bc) and callable(bc.progress)


@pytest.mark.parametrize("kwargs, error, says", [
    ({"folder": "no/such/folder"}, ValueError, "'folder' parameter of progress must be an existing folder"),
    ({"folder": 3}, TypeError, "'folder' parameter of progress must be a path"),
    ({"seed": "x"}, TypeError, "'seed' parameter of progress must be an int"),
    ({"timeout": 0}, ValueError, "'timeout' parameter of progress must be a finite number"),
    ({"timeout": float("inf")}, ValueError, "'timeout' parameter of progress must be a finite number"),
    ({"timeout": "30"}, TypeError, "'timeout' parameter of progress must be a number"),
    ({"jobs": 0}, ValueError, "'jobs' parameter of progress"),
])
def test_bad_arguments_are_clear_errors(course, kwargs, error, says):
    kwargs = {"folder": course, **kwargs}
    with pytest.raises(error, match=says):
        course_progress(**kwargs)


def test_a_folder_without_notebooks_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="No notebook was found in"):
        course_progress(tmp_path)
    nbformat.write(nbformat.v4.new_notebook(), tmp_path / "scratch.ipynb")
    with pytest.raises(ValueError, match="None of the 1 notebook.* is an exercise notebook"):
        course_progress(tmp_path)


def _cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "backprop_course.cli", "progress", *args],
                          capture_output=True, text=True, timeout=300, cwd=cwd)


@pytest.mark.slow
def test_cli_prints_the_table(course):
    run = _cli("--seed", str(SEED), cwd=course)
    assert run.returncode == 0, run.stderr
    assert "3 passed, 1 failed, 3 not attempted; 4/8 points" in run.stdout
    assert str(course / "exercises") in run.stdout.splitlines()[0]


@pytest.mark.parametrize("make, says", [
    (lambda tmp: tmp / "missing", "error: DIR must be an existing folder"),
    (lambda tmp: tmp, "error: No notebook was found in"),
])
def test_cli_fails_clearly_for_a_missing_or_empty_folder(tmp_path, make, says):
    run = _cli(str(make(tmp_path)))
    assert run.returncode == 1 and says in run.stderr, run.stderr


@pytest.mark.parametrize("args", [["--timeout", "-1"], ["--jobs", "0"], ["--seed", "abc"], ["a", "b"]])
def test_cli_rejects_bad_options(tmp_path, args):
    run = _cli(*args, cwd=tmp_path)
    assert run.returncode == 2 and "error" in run.stderr


def test_docstring_example_runs():
    import doctest

    from backprop_course.grading.reports import progress_view

    result = doctest.testmod(progress_view)
    assert result.attempted >= 2 and result.failed == 0
