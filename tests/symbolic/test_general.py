"""Derivations of any depth (1-10) and any target, checked symbolically and numerically."""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from backprop_course.symbolic import derivations as dv
from backprop_course.symbolic.notation import activation_prime, b, e, index, t, w, width, x, y
from backprop_course.symbolic.verify import NumericNetwork, default_sizes, evaluate, relative_error, verify


def _random_weight_targets(count, seed=0):
    rng = np.random.default_rng(seed)
    cases = []
    for L in range(1, count + 1):
        cases.append((L, int(rng.integers(1, L + 1)), int(rng.integers(1, 4)), int(rng.integers(1, 4))))
    return cases


WEIGHT_CASES = _random_weight_targets(10) + [(4, 4, 2, 1), (4, 1, 1, 2), (10, 10, 1, 2)]


@pytest.mark.parametrize("layers, layer, j, k", WEIGHT_CASES)
def test_weight_gradient_any_depth(layers, layer, j, k):
    d = dv.derive_weight_gradient(layers, layer, j, k)
    # shape of the derivation: one derivative until the final form, none after
    final = next(n for n, s in enumerate(d.steps) if s.rule == "final form")
    assert all(len(s.expr.atoms(sp.Derivative)) == 1 for s in d.steps[:final])
    assert all(not s.expr.has(sp.Derivative) for s in d.steps[final:])
    assert d.result == d.steps[final].expr
    assert d.error_form == -e[layer, j] * y[layer - 1, k]
    assert len(d.error_terms) == layers - layer + 1
    assert [s.rule for s in d.steps].count("repeat steps 5 through 8") == max(layers - layer - 2, 0)
    report = verify(d, seed=layers)
    assert report.passed, str(report)
    names = [c.name for c in report.checks]
    assert "numeric: engine MLP.backward" in names and "numeric: central finite differences" in names


@pytest.mark.parametrize("layers, k", [(1, 1), (2, 2), (5, 5), (10, 1)])
def test_input_gradient_any_depth(layers, k):
    d = dv.derive_input_gradient(layers, k)
    m = index(1, layers)
    assert d.error_form == -sp.Sum(e[1, m] * w[1, m, k], (m, 1, width(1)))
    report = verify(d, seed=k)
    assert report.passed, str(report)


@pytest.mark.parametrize("layers, layer, j", [(1, 1, 2), (3, 1, 1), (3, 3, 2), (6, 2, 1)])
def test_bias_gradient(layers, layer, j):
    d = dv.derive_bias_gradient(layers, layer, j)
    assert d.error_form == -e[layer, j]
    assert d.bias
    report = verify(d, seed=layer)
    assert report.passed, str(report)


@pytest.mark.parametrize("layers, layer", [(3, 2), (5, 1)])
def test_weight_gradient_with_biases_is_unchanged(layers, layer):
    plain = dv.derive_weight_gradient(layers, layer, 1, 2)
    biased = dv.derive_weight_gradient(layers, layer, 1, 2, bias=True)
    assert plain.result == biased.result
    report = verify(biased, seed=3)
    assert report.passed, str(report)


def test_output_layer_target_collapses_the_loss_sum():
    d = dv.derive_weight_gradient(5, 5, 2, 3)
    assert d.steps[3].rule == "only the i = 2 term survives"
    assert d.result == -((t[2] - y[5, 2]) * activation_prime(5)(x[5, 2]) * y[4, 3])
    assert d.error_terms == [(e[5, 2], (t[2] - y[5, 2]) * activation_prime(5)(x[5, 2]))]


def test_seed_input_derivation_final_form():
    # Gashler's inputs part, step 16, with x_1l corrected to x_2l (typed in independently)
    d = dv.derive_input_gradient(5, 5)
    i, j, k, l, m = (index(L, 5) for L in (5, 4, 3, 2, 1))
    fp = lambda L, a: activation_prime(L)(a)  # noqa: E731
    S = lambda body, v, L: sp.Sum(body, (v, 1, width(L)))  # noqa: E731
    expected = -S((t[i] - y[5, i]) * fp(5, x[5, i]) * S(w[5, i, j] * fp(4, x[4, j]) * S(
        w[4, j, k] * fp(3, x[3, k]) * S(w[3, k, l] * fp(2, x[2, l]) * S(
            w[2, l, m] * fp(1, x[1, m]) * w[1, m, 5], m, 1), l, 2), k, 3), j, 4), i, 5)
    assert d.result == expected
    assert [s.rule for s in d.steps][8:15] == ["repeat steps 5 through 8"] * 3 + [
        "apply the chain rule", "expand a term", "only the n = 5 term survives", "final form"]


@pytest.mark.parametrize("maker", [
    lambda: dv.derive_input_gradient(4, 2),
    lambda: dv.derive_weight_gradient(4, 2, 2, 1),
    lambda: dv.derive_bias_gradient(3, 2, 1),
    lambda: dv.derive_weight_gradient(2, 2, 1, 1, bias=True),
])
def test_every_step_equals_the_gradient(maker):
    d = maker()
    net = NumericNetwork.random(default_sizes(d), bias=d.bias, seed=11)
    reference = float(net.perturbed(d.target, 1e-20j).loss().imag / 1e-20)  # complex step on E
    for s in d.steps:
        for expr in [s.expr] + [ss.expr for ss in s.substeps]:
            assert relative_error(evaluate(expr, net, d.target, d.error_terms), reference) < 1e-12, s.rule


def test_verify_with_given_sizes_and_wider_layers():
    d = dv.derive_weight_gradient(3, 2, 3, 2, sizes=(2, 3, 3, 2))
    report = verify(d)
    assert report.sizes == (2, 3, 3, 2)
    assert report.passed, str(report)


def test_verify_detects_a_wrong_gradient():
    # plant a bug (drop one f' factor) and check that verification fails: the checks can fail
    d = dv.derive_weight_gradient(3, 1, 1, 1)
    wrong = d.result.replace(lambda a: a == activation_prime(2)(x[2, index(2, 3)]), lambda a: sp.Integer(1))
    assert wrong != d.result
    d.result = wrong
    report = verify(d)
    assert not report.passed
    failed = {c.name for c in report.checks if not c.passed}
    assert "numeric: engine MLP.backward" in failed and "numeric: central finite differences" in failed
    assert "symbolic: sympy.diff of the whole network" in failed


def test_depth10_indices_are_separated_by_commas():
    d = dv.derive_weight_gradient(10, 9, 1, 1)
    latex = d.steps[-1].latex
    assert latex == r"- e_{9,1} y_{8,1}" or latex == r"- e_{91} y_{81}"
    assert r"w_{10,i,j}" in d.steps[5].latex


def test_verify_sigmoid_node_differentiates_like_the_written_out_sigmoid():
    from backprop_course.symbolic.verify import Sigmoid

    z = sp.Symbol("z")
    written = 1 / (1 + sp.exp(-z))
    assert sp.simplify(sp.diff(Sigmoid(z), z).xreplace({Sigmoid(z): written}) - sp.diff(written, z)) == 0
    assert abs(float(Sigmoid(sp.Float(0.3))) - float(written.subs(z, 0.3))) < 1e-15
