"""The diagnosis machinery: when a failing answer is named, when it is not, and where the name shows up."""
from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest

from backprop_course.grading.checking import diagnosis
from backprop_course.grading.checking.cases import Case
from backprop_course.grading.checking.check import call_inputs, evaluate
from backprop_course.grading.checking.exercise import Misconception
from backprop_course.grading.checking.feedback import render
from backprop_course.grading.exercises import registry
from backprop_course.grading.grader import SubmissionReport
from backprop_course.grading.reports.formats import render_report
from backprop_course.grading.sandbox.call import call_case

from grading_helpers import load_function

SIGN_FLIP = "def output_delta(a, t):\n    return (t - a) * a * (1 - a)\n"


def _outcomes(ex, fn, cases):
    return [call_case(fn, call_inputs(c), ex.id, several=bool(c.calls)) for c in cases]


def test_a_catalogued_mistake_is_named_with_its_explanation_and_lesson():
    ex = registry.get("ex06.output_delta")
    result = evaluate(ex, load_function(ex.id, SIGN_FLIP), seed=5)
    m = ex.misconceptions[0]
    assert result.diagnosis.to_dict() == {"name": m.name, "explanation": m.explanation, "lesson": m.lesson}
    assert render(result).splitlines()[-1].startswith(f"Diagnosis: looks like {m.name}: ")


def test_a_mistake_outside_the_catalogue_keeps_the_generic_hint():
    ex = registry.get("ex06.output_delta")
    fn = load_function(ex.id, "def output_delta(a, t):\n    return -(t - a) * a * (1 - a) * 3.0\n")
    result = evaluate(ex, fn, seed=5)
    assert result.status == "failed" and result.diagnosis is None
    assert "Diagnosis" not in render(result) and ex.hint in render(result)


def test_an_answer_that_matches_on_only_some_cases_is_not_named():
    # the sign flip on the first case only: it matches no catalogued function on every case
    ex = registry.get("ex06.output_delta")
    source = ("def output_delta(a, t):\n    d = -(t - a) * a * (1 - a)\n"
              "    return -d if a.shape == (1, 1) else d\n")
    result = evaluate(ex, load_function(ex.id, source), seed=5)
    assert result.status == "partial" and result.diagnosis is None


def test_a_case_that_raised_gives_no_diagnosis():
    ex = registry.get("ex06.output_delta")
    cases = ex.cases(3)
    fn = load_function(ex.id, SIGN_FLIP)
    outcomes = _outcomes(ex, fn, cases)
    assert diagnosis.diagnose(ex, cases, diagnosis.learner_outputs(outcomes)) is not None
    outcomes[-1] = call_case(lambda a, t: 1 / 0, call_inputs(cases[-1]), ex.id, several=False)
    assert diagnosis.diagnose(ex, cases, diagnosis.learner_outputs(outcomes)) is None
    outcomes[-1] = None            # no result at all (time limit, crash)
    assert diagnosis.diagnose(ex, cases, diagnosis.learner_outputs(outcomes)) is None


def test_a_passing_answer_is_never_diagnosed_even_if_a_misconception_would_match():
    ex = registry.get("ex06.output_delta")
    cases = ex.cases(3)
    result = evaluate(ex, load_function(ex.id), seed=3)
    outcomes = _outcomes(ex, load_function(ex.id), cases)
    assert diagnosis.attach(result, ex, cases, outcomes).diagnosis is None


def test_the_time_budget_stops_the_search():
    ex = registry.get("ex06.mlp_backward")
    fn = load_function(ex.id, ex.misconceptions[-1].source)
    cases = ex.cases(1)
    outputs = diagnosis.learner_outputs(_outcomes(ex, fn, cases))
    assert diagnosis.diagnose(ex, cases, outputs).name == ex.misconceptions[-1].name
    assert diagnosis.diagnose(ex, cases, outputs, budget=0.0) is None


def test_a_nan_the_mistake_makes_matches_the_same_nan_but_scoring_still_fails_it():
    ex = registry.get("ex06b.relative_error")
    no_floor = ex.misconceptions[0]
    result = evaluate(ex, load_function(ex.id, no_floor.source), seed=0)
    assert not result.cases[0].passed               # public 1 holds 0 and 0: NaN is never a pass
    assert result.diagnosis.name == no_floor.name
    wrong, actual = diagnosis._settle(np.array([1.0, np.nan]), np.array([1.0, np.nan]))
    assert np.all(np.isfinite(wrong)) and np.all(np.isfinite(actual))
    wrong, actual = diagnosis._settle(np.array([1.0, np.nan]), np.array([1.0, 2.0]))
    assert np.isnan(wrong[1])                        # a NaN on one side only still differs


def test_a_misconception_must_define_the_function():
    ex = registry.get("ex06.output_delta")
    bad = Misconception("x", "y", "lesson 06", "def something_else(a, t):\n    return a\n")
    with pytest.raises(ValueError, match="must define output_delta"):
        diagnosis.wrong_function(ex, bad)


def test_several_calls_per_case_are_compared_call_by_call():
    ex = registry.get("ex06.output_delta")
    m = ex.misconceptions[0]
    args = (np.array([[0.3, 0.6]]), np.array([[1.0, 0.0]]))
    case = Case("hidden 1", hidden=True, calls=(args, args))
    wrong = diagnosis.wrong_function(ex, m)
    outputs = diagnosis.learner_outputs(_outcomes(ex, wrong, [case]))
    assert isinstance(outputs[0], list) and len(outputs[0]) == 2
    assert diagnosis.diagnose(ex, [case], outputs).name == m.name
    assert diagnosis.diagnose(ex, [case], [outputs[0][:1]]) is None


def _report():
    ex = registry.get("ex06.output_delta")
    result = evaluate(ex, load_function(ex.id, SIGN_FLIP), seed=5)
    return SubmissionReport(file="a.ipynb", status="graded", score=result.score, max_score=result.max_score,
                            exercises=[result]), ex.misconceptions[0]


def test_the_json_report_carries_the_diagnosis():
    report, m = _report()
    doc = json.loads(render_report([report], "json", 1, 30))
    assert doc["submissions"][0]["exercises"][0]["diagnosis"] == {
        "name": m.name, "explanation": m.explanation, "lesson": m.lesson}


def test_the_gradescope_output_carries_the_diagnosis():
    report, m = _report()
    doc = json.loads(render_report([report], "gradescope", 1, 30))
    assert f"Diagnosis: looks like {m.name}: {m.explanation} ({m.lesson})" in doc["tests"][0]["output"]


def test_the_csv_gradebook_lists_the_diagnoses():
    report, m = _report()
    rows = list(csv.DictReader(io.StringIO(render_report([report], "csv", 1, 30))))
    assert rows[0]["diagnoses"] == f"ex06.output_delta: {m.name}"
