"""Lesson 14's derivation: dE/dz_j = y_j - t_j for softmax outputs and the cross-entropy."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import sympy as sp

from backprop_course.engine.gradcheck import numerical_gradient
from backprop_course.engine.losses import softmax, softmax_cross_entropy
from backprop_course.symbolic.derivations import Step
from backprop_course.symbolic.notation import t, y
from backprop_course.symbolic.render import steps_to_markdown, to_latex, to_text
from backprop_course.symbolic.softmax import (
    K, derive_softmax_cross_entropy, i, j, m, verify_softmax_derivation, z)


@pytest.fixture(scope="module")
def d():
    return derive_softmax_cross_entropy()


def test_steps_and_rules_in_order(d):
    assert [s.rule for s in d.steps] == [
        "given", "apply the chain rule", "the softmax's derivative", "cancel y_i", "split the sum",
        "only the i = j term survives", "the targets sum to one"]
    assert [s.number for s in d.steps] == list(range(1, 8))
    assert all(s.note for s in d.steps)
    assert [s.rule for s in d.steps[2].substeps] == [
        "given", "quotient rule", "split the fraction", "substitute the softmax", "factor out y_i"]


def test_the_forms_a_learner_reads(d):
    delta = sp.KroneckerDelta(i, j)
    assert d.result == y[j] - t[j]
    assert d.before_normalising == y[j] * sp.Sum(t[i], (i, 1, K)) - t[j]
    assert d.softmax_derivative == y[i] * (delta - y[j])
    assert d.softmax == sp.exp(z[i]) / sp.Sum(sp.exp(z[m]), (m, 1, K))
    # the chain rule was done by SymPy: (1/y_i) dy_i/dz_j inside the sum, the targets untouched
    assert d.steps[1].expr == -sp.Sum(t[i] / y[i] * sp.Derivative(y[i], z[j]), (i, 1, K))
    # step 3 keeps y_i unevaluated, so the cancellation of step 4 is visible
    assert d.steps[2].expr.has(sp.UnevaluatedExpr)
    assert d.steps[3].expr == -sp.Sum(t[i] * (delta - y[j]), (i, 1, K))


def test_latex_and_text_pinned(d):
    assert to_latex(d.result) == "- t_{j} + y_{j}"
    assert to_latex(d.steps[1].expr) == (
        r"- \sum_{i} \frac{1}{y_{i}} t_{i} \frac{\partial y_{i}}{\partial z_{j}}")
    assert to_latex(d.steps[2].substeps[-1].expr) == r"\left(\delta_{i j} - y_{j}\right) y_{i}"
    assert to_text(d.steps[3].expr) == "-sum_i (delta_ij - y_j) t_i"
    table = steps_to_markdown(d.steps, r"\frac{\partial E}{\partial z_{j}}")
    lines = table.splitlines()
    assert len(lines) == 2 + 7 and lines[2].startswith(r"| 1 | given | $\frac{\partial E}{\partial z_{j}} =")
    assert lines[-1] == "| 7 | the targets sum to one | $= - t_{j} + y_{j}$ |"


@pytest.mark.parametrize("classes", [2, 3])
def test_verification_passes(d, classes):
    v = verify_softmax_derivation(d, classes=classes, points=4, seed=classes)
    assert v.symbolic == {"softmax derivative": True, "result": True}
    assert len(v.step_errors) == 7 and max(v.step_errors) < 1e-12
    assert v.engine_error < 1e-15 and v.finite_difference_error < 1e-8
    assert v.passed


def _with_step(d, number, expr):
    steps = list(d.steps)
    steps[number - 1] = dataclasses.replace(steps[number - 1], expr=expr)
    return dataclasses.replace(d, steps=steps)


def test_verification_catches_a_wrong_step(d):
    # the classic sign slip t - y in the last step, and a lost 1/y_i in the chain rule
    wrong_sign = _with_step(d, 7, t[j] - y[j])
    v = verify_softmax_derivation(wrong_sign, classes=3, points=3)
    assert v.step_errors[6] > 0.01 and not v.passed
    lost = _with_step(d, 2, -sp.Sum(t[i] * sp.Derivative(y[i], z[j]), (i, 1, K)))
    v = verify_softmax_derivation(lost, classes=3, points=3)
    assert v.step_errors[1] > 0.01 and not v.passed


def test_verification_catches_a_wrong_result_symbolically(d):
    wrong = dataclasses.replace(d, result=y[j] * (1 - y[j]) * (y[j] - t[j]))
    assert verify_softmax_derivation(wrong, classes=2, points=1).symbolic["result"] is False
    wrong = dataclasses.replace(d, softmax_derivative=y[i] * (1 - y[j]))
    assert verify_softmax_derivation(wrong, classes=2, points=1).symbolic["softmax derivative"] is False


def test_hand_worked_example():
    # z = (1, 2, 3): exp = (e, e^2, e^3); softmax = (0.090031, 0.244728, 0.665241); t = (0, 1, 0)
    # E = -log 0.244728 = 1.407606 and dE/dz = y - t = (0.090031, -0.755272, 0.665241)
    Z, T = np.array([[1.0, 2.0, 3.0]]), np.array([[0.0, 1.0, 0.0]])
    np.testing.assert_allclose(softmax(Z), [[0.090031, 0.244728, 0.665241]], atol=1e-6)
    assert abs(softmax_cross_entropy.value(Z, T) - 1.407606) < 1e-6
    np.testing.assert_allclose(softmax(Z) - T, [[0.090031, -0.755272, 0.665241]], atol=1e-6)
    fd = numerical_gradient(lambda V: softmax_cross_entropy.value(V, T), Z.copy())
    np.testing.assert_allclose(fd, softmax(Z) - T, atol=1e-8)


@pytest.mark.parametrize("bad", [1, 7, 2.5, "3", True])
def test_bad_classes_named_in_the_error(bad):
    with pytest.raises((ValueError, TypeError), match="classes"):
        verify_softmax_derivation(classes=bad)


def test_steps_are_course_steps(d):
    assert all(isinstance(s, Step) for s in d.steps)
    assert d.target == z[j]
