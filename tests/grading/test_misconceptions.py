"""The catalogued misconceptions: each wrong function is diagnosed as itself and earns at most half the points.

Every exercise lists its classic mistakes (``Exercise.misconceptions``), each written as the wrong function a
learner would write. The hidden cases must be chosen so that none of them scores more than half an exercise's
points (a mean instead of a sum must meet a case with several samples, a layer-index slip a network with two
weight layers, ...) and so that no two of them give the same outputs on every case (else the first would be
named for the second). Each wrong function runs through ``evaluate`` (what ``bc.check`` prints) for several
seeds, and through the grader (``grade_many`` on a solution notebook whose cell holds the wrong function);
every model solution keeps full marks, with no diagnosis, in both.
"""
from __future__ import annotations

import copy
import re

import nbformat
import numpy as np
import pytest

from backprop_course.grading.checking.check import evaluate
from backprop_course.grading.checking.diagnosis import wrong_function
from backprop_course.grading.checking.feedback import render
from backprop_course.grading.exercises import registry

from grading_helpers import META, load_function, solution_notebook

SEEDS = range(12)
GRADER_SEED = 2026
MINIMUM = 3

ROWS = [(ex.id, k) for ex in registry.all_exercises().values() for k in range(len(ex.misconceptions))]


def _row_id(row) -> str:
    ex_id, k = row
    return f"{ex_id}[{k}] {registry.get(ex_id).misconceptions[k].name}"


def test_every_exercise_has_at_least_three_misconceptions():
    # The exercises of lessons 7-12 are catalogued on another branch; until it is merged this lists them.
    short = {ex.id: len(ex.misconceptions) for ex in registry.all_exercises().values()
             if len(ex.misconceptions) < MINIMUM}
    assert not short, f"exercises with fewer than {MINIMUM} misconceptions: {short}"


@pytest.mark.parametrize("exercise_id", [ex.id for ex in registry.all_exercises().values() if ex.misconceptions])
def test_catalogue_entries_are_well_formed(exercise_id):
    ex = registry.get(exercise_id)
    names = [m.name for m in ex.misconceptions]
    assert len(set(names)) == len(names), names
    for m in ex.misconceptions:
        assert m.name and m.explanation and m.lesson.startswith("lesson "), m
        # no computed number: only the method's own constants (RPROP's factors 1.2 and 0.5) may appear
        assert not re.search(r"\d\.\d", re.sub(r"\b(1\.2|0\.5)\b", "", m.explanation)), (
            m.name, "an explanation quotes no computed number")
        assert callable(wrong_function(ex, m))
        imports = re.findall(r"^\s*(?:import|from)\s+(\w+)", m.source, re.M)
        assert set(imports) <= {"sympy"}, (m.name, "numpy as np (and SymPy for ex07) are all a wrong function may use")


@pytest.mark.parametrize("row", ROWS, ids=_row_id)
def test_wrong_function_is_diagnosed_as_itself_and_scores_at_most_half(row):
    ex_id, k = row
    ex = registry.get(ex_id)
    m = ex.misconceptions[k]
    fn = load_function(ex_id, m.source)        # as a learner's cell: run after the notebook's setup
    for seed in SEEDS:
        result = evaluate(ex, fn, seed=seed)
        assert result.status in ("failed", "partial"), (seed, result.status, result.message)
        assert result.score <= ex.points / 2, (seed, [(c.name, c.passed) for c in result.cases])
        assert any(c.hidden and not c.passed for c in result.cases), seed
        assert result.diagnosis is not None, (seed, "not recognised")
        assert result.diagnosis.name == m.name, (seed, "taken for", result.diagnosis.name)
        text = render(result)
        assert text.splitlines()[-1] == f"Diagnosis: looks like {m.name}: {m.explanation} ({m.lesson})"
        assert len(text.splitlines()) == len(result.cases) + 2      # head, one line per case, the diagnosis


@pytest.mark.parametrize("exercise_id", [ex.id for ex in registry.all_exercises().values() if ex.misconceptions])
def test_reference_scores_full_marks_without_diagnosis(exercise_id):
    ex = registry.get(exercise_id)
    fn = load_function(exercise_id)
    for seed in SEEDS:
        result = evaluate(ex, fn, seed=seed)
        assert result.status == "passed" and result.score == ex.points, (
            seed, [(c.name, c.message) for c in result.cases if not c.passed])
        assert result.diagnosis is None


def _numbers(value) -> list[float]:
    if isinstance(value, dict):
        return [x for v in value.values() for x in _numbers(v)]
    if isinstance(value, (list, tuple)):
        return [x for v in value for x in _numbers(v)]
    try:
        return [float(x) for x in np.asarray(value, dtype=float).reshape(-1)]
    except (TypeError, ValueError):
        return []


@pytest.mark.parametrize("row", ROWS, ids=_row_id)
def test_diagnosis_never_shows_a_hidden_expected_value(row):
    ex_id, k = row
    ex = registry.get(ex_id)
    fn = load_function(ex_id, ex.misconceptions[k].source)
    for seed in (0, 1):
        result = evaluate(ex, fn, seed=seed)
        line = result.diagnosis.line()
        hidden = [ex.expected(c) for c in ex.cases(seed) if c.hidden]
        for value in (v for e in hidden for v in _numbers(e)):
            if not np.isfinite(value) or float(value * 2).is_integer():
                continue        # round constants (1, 2, 1/2) belong to formulas, not to a drawn case
            for form in (f"{value:.2g}", f"{value:.3g}", f"{value:.4g}", f"{value:.2f}", f"{value:.4f}"):
                if re.search(r"\d\.\d", form):
                    assert form not in line, (form, line)


# ---- through the grader: one notebook per stem and k, each exercise holding its k-th misconception ----

def _variants() -> dict[tuple[str, int], dict[str, int]]:
    """(notebook stem, k) -> {exercise id: k} for the k-th misconception of every exercise of the stem."""
    out: dict[tuple[str, int], dict[str, int]] = {}
    for ex_id, k in ROWS:
        out.setdefault((registry.get(ex_id).notebook, k), {})[ex_id] = k
    return out


VARIANTS = _variants()
STEMS = sorted({stem for stem, _ in VARIANTS})


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    from backprop_course.grading.grader import grade_many

    tmp = tmp_path_factory.mktemp("misconceptions")
    paths = {}
    for (stem, k), chosen in VARIANTS.items():
        nb = copy.deepcopy(solution_notebook(stem))
        for cell in nb.cells:
            meta = cell.metadata.get(META, {})
            if meta.get("role") == "solution" and meta.get("exercise") in chosen:
                cell.source = registry.get(meta["exercise"]).misconceptions[k].source
        path = tmp / f"{stem}-wrong{k}.ipynb"
        nbformat.write(nb, path)
        paths[(stem, k)] = path
    for stem in STEMS:
        path = tmp / f"{stem}-solution.ipynb"
        nbformat.write(solution_notebook(stem), path)
        paths[(stem, None)] = path
    keys = list(paths)
    reports = grade_many([paths[k] for k in keys], seed=GRADER_SEED, timeout=60, jobs=2, progress=False)
    return dict(zip(keys, reports))


@pytest.mark.slow
@pytest.mark.parametrize("stem,k", list(VARIANTS))
def test_grader_diagnoses_wrong_functions_and_gives_at_most_half(graded, stem, k):
    report = graded[(stem, k)]
    assert report.status == "graded", report.error
    chosen = VARIANTS[(stem, k)]
    for result in report.exercises:
        if result.id in chosen:
            m = registry.get(result.id).misconceptions[chosen[result.id]]
            assert result.status in ("failed", "partial"), (result.id, m.name, result.status, result.message)
            assert result.score <= result.max_score / 2, (result.id, m.name, [c.passed for c in result.cases])
            assert any(c.hidden and not c.passed for c in result.cases), (result.id, m.name)
            assert result.diagnosis is not None and result.diagnosis.name == m.name, (result.id, m.name,
                                                                                     result.diagnosis)
            assert result.to_dict()["diagnosis"] == {"name": m.name, "explanation": m.explanation,
                                                     "lesson": m.lesson}
            assert f"Diagnosis: looks like {m.name}" in render(result)   # the Gradescope test output
        else:  # the exercises left as solved keep their full marks
            assert result.status == "passed" and result.score == result.max_score, (result.id, result.message)
            assert result.diagnosis is None


@pytest.mark.slow
@pytest.mark.parametrize("stem", STEMS)
def test_grader_gives_the_solutions_full_marks(graded, stem):
    report = graded[(stem, None)]
    assert report.status == "graded" and report.exercises
    for result in report.exercises:
        assert result.status == "passed" and result.score == result.max_score, (result.id, result.message)
        assert result.diagnosis is None
