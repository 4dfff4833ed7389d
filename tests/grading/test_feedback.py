"""What bc.check prints: public cases in full, hidden cases without any expected value, not attempted."""
from __future__ import annotations

import re

import numpy as np
import pytest

import backprop_course as bc
from backprop_course.grading.exercises import registry
from backprop_course.grading.checking.check import evaluate

from grading_helpers import load_function

HIDDEN_LINE = re.compile(r"^  hidden \d+ \| (passed|FAILED)( \| (your function raised .*; )?hint: .*)?$")


def _lines(capsys):
    return capsys.readouterr().out.splitlines()


def test_public_lines_show_input_expected_actual_and_diff(capsys):
    bc.check("ex02.graph", load_function("ex02.graph"))
    lines = _lines(capsys)
    assert lines[0] == "ex02.graph: 6/6 cases passed - well done!"
    assert lines[1] == ("  public 1 | passed | max |diff| < 1e-10 | input (-2, 5, -4) | "
                        "expected (3, -12, -4, -4, 3) | actual (3, -12, -4, -4, 3)")
    assert [ln for ln in lines if ln.startswith("  hidden")] == [f"  hidden {i} | passed" for i in range(1, 5)]


@pytest.mark.parametrize("exercise_id", ["ex02.graph", "ex03.sigmoid", "ex06.mlp_backward", "ex10.rprop"])
def test_hidden_lines_never_show_values(exercise_id, capsys):
    """A wrong answer: hidden lines carry only the verdict and a hint, and no number from the case."""
    ex = registry.get(exercise_id)

    def wrong(*args):
        return _zeros_like(ex.reference(*args))

    bc.check(exercise_id, wrong)
    lines = _lines(capsys)
    hidden = [ln for ln in lines if ln.startswith("  hidden")]
    assert hidden and all(HIDDEN_LINE.match(ln) for ln in hidden), hidden
    for ln in hidden:
        # hints are fixed prose; the only digits allowed are the case number and those in the hint text
        hint = ln.split("hint: ", 1)[-1] if "hint: " in ln else ""
        assert hint in (ex.hint, *(c.hint for c in ex.hidden(np.random.default_rng(0)))), ln


def _zeros_like(value):
    if isinstance(value, dict):
        return {k: _zeros_like(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_zeros_like(v) for v in value)
    return np.zeros_like(np.asarray(value, dtype=float)) + 0.123


def test_hidden_failure_does_not_leak_the_expected_value(capsys):
    """The expected output of a hidden case never appears in the printed feedback."""
    ex = registry.get("ex02.graph")
    seen = []

    def spy(x, y, z):
        seen.append((x, y, z))
        return (0.5, 0.5, 0.5, 0.5, 0.5)

    bc.check("ex02.graph", spy)
    out = capsys.readouterr().out
    for x, y, z in seen[2:]:  # the hidden inputs
        for value in ((x + y), (x + y) * z):
            assert f"{value:.4g}" not in out


def test_stub_reports_not_attempted(capsys):
    def sigmoid(z):
        raise NotImplementedError("ex03.sigmoid: replace this line with your code")

    bc.check("ex03.sigmoid", sigmoid)
    assert capsys.readouterr().out == "ex03.sigmoid: not attempted yet (the stub still raises NotImplementedError).\n"


def test_other_errors_are_failures_with_the_error_named(capsys):
    def sigmoid(z):
        raise NotImplementedError("some other message")

    result = evaluate(registry.get("ex03.sigmoid"), sigmoid, seed=0)
    assert result.status == "failed"
    assert all("NotImplementedError" in c.message for c in result.cases)


def test_output_is_identical_for_a_correct_solution(capsys):
    fn = load_function("ex06.mlp_backward")
    bc.check("ex06.mlp_backward", fn)
    first = capsys.readouterr().out
    bc.check("ex06.mlp_backward", fn)
    assert capsys.readouterr().out == first


def test_check_applies_the_source_rules(capsys):
    def sigmoid(z):
        return bc.engine.activations.get_activation("sigmoid")(z)

    bc.check("ex03.sigmoid", sigmoid)
    out = capsys.readouterr().out
    assert out.startswith("ex03.sigmoid: scored 0:") and "'engine'" in out


@pytest.mark.parametrize("bad_id,error", [("ex99.nothing", ValueError), (3, TypeError)])
def test_check_rejects_unknown_ids(bad_id, error):
    with pytest.raises(error, match="exercise_id"):
        bc.check(bad_id, lambda z: z)


def test_check_rejects_a_non_function():
    with pytest.raises(TypeError, match="'fn' parameter"):
        bc.check("ex03.sigmoid", 3.0)
