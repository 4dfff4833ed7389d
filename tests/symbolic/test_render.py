"""Rendering details: highlighting what a step rewrote, notations, and the modules' doctests."""
from __future__ import annotations

import doctest
import importlib

import pytest
import sympy as sp

from backprop_course.symbolic import derivations as dv
from backprop_course.symbolic import render
from backprop_course.symbolic.notation import w, y
from backprop_course.symbolic.rules import what_changed


@pytest.fixture(scope="module")
def d5():
    return dv.derive_weight_gradient(5, 1, 7, 3)


def test_what_changed_finds_the_rewritten_derivative(d5):
    before, after = what_changed(d5.steps[11].expr, d5.steps[12].expr)
    assert before == sp.Sum(w[2, sp.Symbol("l", integer=True, positive=True), sp.Symbol("m", integer=True, positive=True)]
                            * y[1, sp.Symbol("m", integer=True, positive=True)],
                            (sp.Symbol("m", integer=True, positive=True), 1, sp.Symbol("n_1", integer=True, positive=True)))
    assert after == w[2, sp.Symbol("l", integer=True, positive=True), 7] * y[1, 7]
    assert what_changed(d5.result, d5.result) is None


def test_highlight_marks_only_the_new_part(d5):
    latex = render.step_latex_highlighted(d5, 13)
    assert latex.count("\\colorbox") == 1
    assert "\\colorbox{yellow}{$\\displaystyle w_{2l7} y_{17}$}" in latex
    assert render.step_latex_highlighted(d5, 1) == d5.steps[0].latex
    with pytest.raises(ValueError, match="The 'number' parameter"):
        render.step_latex_highlighted(d5, 25)


def test_text_and_latex_agree_on_factor_order(d5):
    text = render.to_text(d5.steps[13])
    assert text.endswith("sum_l w_3kl f'_2(x_2l) w_2l7 dy_17/dw_173")


def test_ufldl_text(d5):
    assert render.to_text(d5.error_form, "ufldl") == "delta^(2)_7 a^(1)_3"
    assert render.to_text(d5, "ufldl").startswith("dJ/dW^(1)_73:")


def test_bias_in_ufldl_notation():
    d = dv.derive_bias_gradient(2, 1, 2)
    assert render.to_latex(d.error_form, "ufldl") == r"\delta^{(2)}_{2}"
    assert r"b^{(1)}_{2}" in render.to_latex(d.steps[0], "ufldl")


@pytest.mark.parametrize("name", ["notation", "rules", "printing", "derivations", "render", "errata", "examples"])
def test_doctests(name):
    module = importlib.import_module(f"backprop_course.symbolic.{name}")
    result = doctest.testmod(module)
    assert result.failed == 0 and result.attempted > 0
