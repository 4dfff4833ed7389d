"""The errata list is data; docs/errata.md is generated from it and the corrected steps are SymPy's."""
from __future__ import annotations

from pathlib import Path

import pytest
import sympy as sp

from backprop_course.symbolic.errata import ERRATA, corrected_expression, corrected_latex, errata_markdown
from backprop_course.symbolic.notation import w, y

DOC = Path(__file__).resolve().parents[2] / "docs" / "errata.md"


def test_docs_errata_is_generated_from_the_data():
    assert DOC.read_text() == errata_markdown()


def test_every_erratum_is_complete():
    assert len(ERRATA) >= 10
    for er in ERRATA:
        assert er.printed and er.correct and er.why
        assert er.printed != er.correct
        assert "|" not in er.printed + er.correct + er.why  # would break the Markdown table


def by_step(kind, label):
    return next(er for er in ERRATA if er.derivation == kind and er.seed_step == label)


def test_step1_has_the_square():
    expr = corrected_expression(by_step("weight", "1"))
    assert any(isinstance(p, sp.Pow) and p.exp == 2 for p in sp.preorder_traversal(expr))


@pytest.mark.parametrize("label", ["13", "17", "18"])
def test_denominators_are_w173(label):
    front = corrected_expression(by_step("weight", label)).atoms(sp.Derivative).pop()
    assert front.variables == (w[1, 7, 3],)


def test_input_part_uses_t_and_layer2_net_input():
    latex = corrected_latex(by_step("input", "12-16"))
    assert "f'_{2}\\left(x_{2l}\\right)" in latex and "x_{1l}" not in latex
    assert "t_{i}" in corrected_latex(by_step("input", "1-15"))
    front = corrected_expression(by_step("input", "14")).atoms(sp.Derivative).pop()
    assert front.variables == (y[0, 5],)
