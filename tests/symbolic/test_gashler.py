"""Gashler's 5-layer derivation, step by step, with his typos corrected."""
from __future__ import annotations

import pytest
import sympy as sp

from backprop_course.symbolic import derivations as dv
from backprop_course.symbolic import render
from backprop_course.symbolic.notation import activation, activation_prime, e, index, t, w, width, x, y
from backprop_course.symbolic.verify import NumericNetwork, default_sizes, evaluate, relative_error

SEED_RULES = [
    "given", "apply the chain rule", "simplify", "expand a term",                        # 1-4
    "apply the chain rule", "expand a term", "simplify", "expand a term",                # 5-8
    "repeat steps 5 through 8", "repeat steps 5 through 8",                              # 9-10
    "apply the chain rule", "expand a term", "only the m = 7 term survives",             # 11-13
    "simplify", "expand a term", "apply the chain rule", "expand a term",                # 14-17
    "only the n = 3 term survives", "final form",                                        # 18-19
] + ["cache the error term"] * 5                                                         # 20-24


@pytest.fixture(scope="module")
def d5():
    return dv.derive_weight_gradient(layers=5, layer=1, j=7, k=3)


def fp(l, arg):
    return activation_prime(l)(arg)


# index names of the seed: i (layer 5), j, k, l, m, n (layer 0)
i, j, k, l, m, n = (index(L, 5) for L in (5, 4, 3, 2, 1, 0))


def S(body, var, layer):
    return sp.Sum(body, (var, 1, width(layer)))


def seed_step19():
    """Gashler's step 19, typed in independently of the derivation code."""
    inner_l = S(w[3, k, l] * fp(2, x[2, l]) * w[2, l, 7] * fp(1, x[1, 7]) * y[0, 3], l, 2)
    inner_k = S(w[4, j, k] * fp(3, x[3, k]) * inner_l, k, 3)
    inner_j = S(w[5, i, j] * fp(4, x[4, j]) * inner_k, j, 4)
    return -S((t[i] - y[5, i]) * fp(5, x[5, i]) * inner_j, i, 5)


def test_step_count_and_rule_names(d5):
    assert [s.rule for s in d5.steps] == SEED_RULES
    assert [s.number for s in d5.steps] == list(range(1, 25))


def test_step1_is_the_half_sum_of_squares_not_the_seeds_unsquared_sum(d5):
    # erratum: the source's step 1 prints (t_i - y_5i) without the square
    expected = sp.Derivative(sp.Rational(1, 2) * S((t[i] - y[5, i]) ** 2, i, 5), w[1, 7, 3])
    assert d5.steps[0].expr == expected


def test_result_equals_seed_step19_and_error_form(d5):
    assert sp.expand(d5.result - seed_step19()) == 0
    assert d5.result == seed_step19()
    assert d5.error_form == -e[1, 7] * y[0, 3]


def test_step13_differentiates_by_w173_not_w3kl(d5):
    # erratum: the source's step 13 has the denominator d w_3kl
    front = d5.steps[12].expr.atoms(sp.Derivative).pop()
    assert front.variables == (w[1, 7, 3],)
    assert front.expr == w[2, l, 7] * y[1, 7]


def test_step17_differentiates_by_w173_not_w172(d5):
    # erratum: the source's step 17 has the denominator d w_172
    front = d5.steps[16].expr.atoms(sp.Derivative).pop()
    assert front.variables == (w[1, 7, 3],)
    assert front.expr == S(w[1, 7, n] * y[0, n], n, 0)


def test_step18_keeps_only_the_n3_term(d5):
    front = d5.steps[17].expr.atoms(sp.Derivative).pop()
    assert front.expr == w[1, 7, 3] * y[0, 3]


@pytest.mark.parametrize("number, lhs, rhs", [
    (20, e[5, i], (t[i] - y[5, i]) * fp(5, x[5, i])),
    (21, e[4, j], S(e[5, i] * w[5, i, j] * fp(4, x[4, j]), i, 5)),
    (22, e[3, k], S(e[4, j] * w[4, j, k] * fp(3, x[3, k]), j, 4)),
    (23, e[2, l], S(e[3, k] * w[3, k, l] * fp(2, x[2, l]), k, 3)),
    (24, e[1, 7], S(e[2, l] * w[2, l, 7] * fp(1, x[1, 7]), l, 2)),
])
def test_error_term_definitions(d5, number, lhs, rhs):
    assert d5.steps[number - 1].definition == (lhs, rhs)


def test_error_caching_steps_match_the_seed(d5):
    assert d5.steps[19].expr == -S(e[5, i] * S(w[5, i, j] * fp(4, x[4, j]) * S(w[4, j, k] * fp(3, x[3, k]) * S(
        w[3, k, l] * fp(2, x[2, l]) * w[2, l, 7] * fp(1, x[1, 7]) * y[0, 3], l, 2), k, 3), j, 4), i, 5)
    assert d5.steps[22].expr == -S(e[2, l] * w[2, l, 7] * fp(1, x[1, 7]) * y[0, 3], l, 2)


@pytest.mark.parametrize("seed", [0, 1])
def test_every_step_and_substep_has_the_same_value(d5, seed):
    # all steps are equal to dE/dw_173; unevaluated derivatives are evaluated by the complex step
    net = NumericNetwork.random(default_sizes(d5), seed=seed)
    values = [evaluate(s.expr, net, d5.target, d5.error_terms) for s in d5.steps]
    subs = [evaluate(ss.expr, net, d5.target, d5.error_terms) for s in d5.steps for ss in s.substeps]
    ref = float((net.perturbed(d5.target, 1e-20j).loss()).imag / 1e-20)
    for v in values + subs:
        assert relative_error(v, ref) < 1e-12


# The LaTeX of step 19 in Gashler's notation, pinned (a SymPy upgrade must not change what learners see).
STEP19_LATEX = (
    r"- \sum_{i} \left(t_{i} - y_{5i}\right) f'_{5}\left(x_{5i}\right) \sum_{j} w_{5ij} "
    r"f'_{4}\left(x_{4j}\right) \sum_{k} w_{4jk} f'_{3}\left(x_{3k}\right) \sum_{l} w_{3kl} "
    r"f'_{2}\left(x_{2l}\right) w_{2l7} f'_{1}\left(x_{17}\right) y_{03}"
)
STEP13_LATEX = (
    r"- \sum_{i} \left(t_{i} - y_{5i}\right) f'_{5}\left(x_{5i}\right) \sum_{j} w_{5ij} "
    r"f'_{4}\left(x_{4j}\right) \sum_{k} w_{4jk} f'_{3}\left(x_{3k}\right) \sum_{l} w_{3kl} "
    r"f'_{2}\left(x_{2l}\right) \frac{\partial w_{2l7} y_{17}}{\partial w_{173}}"
)


def test_pinned_latex(d5):
    assert d5.steps[18].latex == STEP19_LATEX
    assert d5.steps[12].latex == STEP13_LATEX
    assert d5.steps[0].latex == r"\frac{\partial \frac{1}{2} \sum_{i} \left(t_{i} - y_{5i}\right)^{2}}{\partial w_{173}}"
    assert d5.steps[23].latex == r"- e_{17} y_{03}"


def test_pinned_ufldl_latex(d5):
    assert render.to_latex(d5.error_form, "ufldl") == r"\delta^{(2)}_{7} a^{(1)}_{3}"
    assert render.to_latex(d5.steps[4], "ufldl") == (
        r"- \sum_{i} \left(y_{i} - a^{(6)}_{i}\right) f^{(6)\prime}\left(z^{(6)}_{i}\right) "
        r"\frac{\partial z^{(6)}_{i}}{\partial W^{(1)}_{73}}")


def test_markdown_table_has_a_row_per_step(d5):
    md = render.to_markdown(d5)
    rows = [r for r in md.splitlines() if r.startswith("| ") and r[2].isdigit()]
    assert len(rows) == 24
    assert rows[12].startswith("| 13 | only the m = 7 term survives |")
    assert "$e_{5i}$ = $\\left(t_{i} - y_{5i}\\right) f'_{5}\\left(x_{5i}\\right)$" in rows[19]


def test_text_rendering(d5):
    text = render.to_text(d5)
    assert "24. cache the error term: e_17 = sum_l e_2l w_2l7 f'_1(x_17)" in text
    assert text.rstrip().endswith("= -e_17 y_03")
