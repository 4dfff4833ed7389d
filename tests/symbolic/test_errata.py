"""The errata lists are data; docs/errata.md is generated from them, the corrected steps of Gashler
are SymPy's, and every other erratum is checked against an independent computation (SymPy, finite
differences or the engine)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import sympy as sp

import backprop_course as bc
from backprop_course.engine.losses import get_loss
from backprop_course.symbolic.errata import ALL_ERRATA, ERRATA, PARTS, SOURCES, corrected_expression, errata_for
from backprop_course.symbolic.render import corrected_latex, errata_markdown
from backprop_course.symbolic.notation import w, y

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "errata.md"


def test_docs_errata_is_generated_from_the_data():
    assert DOC.read_text() == errata_markdown()


def test_every_erratum_is_complete():
    assert len(ERRATA) >= 10
    assert {er.source for er in ERRATA} == {"gashler2010"}          # ERRATA keeps meaning Gashler only
    assert set(ERRATA) < set(ALL_ERRATA)
    assert {er.source for er in ALL_ERRATA} == set(SOURCES)  # every source has at least one record
    for er in ALL_ERRATA:
        assert er.printed and er.correct and er.why and er.source_step
        assert er.printed != er.correct
        assert er.derivation in PARTS
        assert "|" not in er.printed + er.correct + er.why + er.source_step  # would break the table
        assert (er.printed_value is None) == (er.recomputed is None)
        if er.recomputed is not None:
            assert er.printed_value != er.recomputed
            assert str(er.recomputed) in er.correct and str(er.printed_value) in er.printed


def test_docs_have_one_section_per_source():
    doc = DOC.read_text()
    positions = [doc.index(f"## {title}") for title in SOURCES.values()]
    assert positions == sorted(positions)


def test_errata_for_selects_one_source_and_rejects_unknown_keys():
    assert errata_for("gashler2010") == ERRATA
    assert all(er.source == "note2017" for er in errata_for("note2017"))
    with pytest.raises(ValueError, match="'source' parameter of errata_for"):
        errata_for("004")


def test_only_gashler_points_at_a_sympy_step():
    for er in ALL_ERRATA:
        if er.source != "gashler2010":
            assert er.step is None and corrected_expression(er) is None and corrected_latex(er) is None


def by_step(kind, label):
    return next(er for er in ERRATA if er.derivation == kind and er.source_step == label)


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


# --- the other sources: each slip checked against an independent computation --------------------------

def record(source, label):
    return next(er for er in errata_for(source) if er.source_step == label)


def test_note2017_eq10_needs_the_weights_of_the_next_layer():
    # 2-2-2 net: w^n and w^(n+1) are both 2 x 2, so the printed form runs and gives a wrong gradient
    assert "w^{n+1}" in record("note2017", "eq. 10").correct and "w^{n+1}" not in record("note2017", "eq. 10").printed
    net = bc.MLP([2, 2, 2], activation="sigmoid", seed=3)
    X, T = np.array([[0.4, -0.9]]), np.array([[0.2, 0.7]])
    Y = net.forward(X)
    H = net.layer_outputs[1]
    d_out = (Y - T) * Y * (1 - Y)                                  # eq. 9 with L = 1/2 sum (t - a)^2
    d_right = (d_out @ net.weights[1]) * H * (1 - H)               # w^(n+1)
    d_printed = (d_out @ net.weights[0]) * H * (1 - H)             # w^n, as printed
    h, fd = 1e-6, np.zeros_like(net.weights[0])                    # oracle: central differences
    for idx in np.ndindex(fd.shape):
        old = net.weights[0][idx]
        net.weights[0][idx] = old + h
        up = net.loss(X, T)
        net.weights[0][idx] = old - h
        down = net.loss(X, T)
        net.weights[0][idx] = old
        fd[idx] = (up - down) / (2 * h)
    assert np.allclose(d_right.T @ X, fd, atol=1e-9)               # eq. 11: dL/dw^n = delta^T a^(n-1)
    assert not np.allclose(d_printed.T @ X, fd, atol=1e-4)
    # a 2-3-1 net: the printed product does not even fit
    net = bc.MLP([2, 3, 1], seed=0)
    net.forward(X)
    with pytest.raises(ValueError):
        net.backward(np.array([[1.0]])).deltas[1] @ net.weights[0]


def test_note2017_eq4_multiplies_by_the_transpose_and_eqs5_6_are_the_two_derivatives():
    net = bc.MLP([3, 2], activation="sigmoid", seed=1)
    X = np.array([[0.5, -1.0, 2.0]])
    net.forward(X)
    W = net.weights[0]                                             # W[j, k]: from k to j (the 2017 note's w_jk)
    assert W.shape == (2, 3)
    assert np.allclose(net.net_inputs[0], X @ W.T + net.biases[0])
    # eqs. 5 and 6 for z_j = sum_k w_jk a_k: dz_j/da_k = w_jk, dz_j/dw_jk = a_k (and the two differ)
    a = sp.symbols("a0:3")
    ws = sp.Matrix(2, 3, lambda j, k: sp.Symbol(f"w{j}{k}"))
    z = [sum(ws[j, k] * a[k] for k in range(3)) for j in range(2)]
    for j in range(2):
        for k in range(3):
            assert sp.diff(z[j], a[k]) == ws[j, k] and sp.diff(z[j], ws[j, k]) == a[k]


def test_dummies_half_squared_error_is_not_the_mean_squared_error():
    Y, T = np.array([[0.75, 0.2], [0.1, 0.6]]), np.array([[1.0, 0.0], [0.0, 1.0]])
    half, mse = get_loss("half_sse"), get_loss("mse")
    assert half.value(Y, T) == pytest.approx(0.5 * np.sum((T - Y) ** 2))
    assert mse.value(Y, T) == pytest.approx(np.mean((T - Y) ** 2))
    assert half.value(Y, T) != pytest.approx(mse.value(Y, T))
    assert np.allclose(half.grad(Y, T), Y - T) and np.allclose(mse.grad(Y, T), 2 * (Y - T) / Y.size)


def test_dummies_small_weights_collapse_and_positive_weights_saturate():
    X = np.random.default_rng(1).standard_normal((200, 50))
    net = bc.MLP([50] * 6, activation="sigmoid", seed=0)
    rng = np.random.default_rng(0)
    net.weights = [rng.uniform(0.0, 1.0, W.shape) for W in net.weights]     # "0-1 range", literally
    net.forward(X)
    assert net.layer_outputs[-1].min() > 0.999                               # saturated at 1
    net.weights = [rng.uniform(-0.1, 0.1, W.shape) for W in net.weights]    # small, centred on 0
    net.forward(X)
    top = net.layer_outputs[-1]
    assert np.mean(np.abs(top - 0.5) < 0.1) > 0.9                            # near 0.5 ...
    assert top.std(axis=0).max() < 0.01                                      # ... whatever the input (collapse)
    assert (top * (1 - top)).min() > 0.2                                     # slopes near their best, 0.25


def test_ufldl_guide_chain_link_and_bias():
    W3, b3, z3 = sp.symbols("W3 b3 z3")
    f = sp.Function("f")
    z4 = W3 * f(z3) + b3
    assert sp.simplify(sp.diff(z4, z3) - W3 * sp.diff(f(z3), z3)) == 0      # the bias does not enter
    assert sp.diff(z4, b3) == 1
    assert "b_1^{(3)}" in record("he_ufldl", "simple example").correct


def _example_error(weights, biases=(0.35, 0.35, 0.6, 0.6)):
    """E of the 2-2-2 example at the given eight weights, exactly (SymPy rationals)."""
    i1, i2, t1, t2 = sp.Rational("0.05"), sp.Rational("0.10"), sp.Rational("0.01"), sp.Rational("0.99")
    w1, w2, w3, w4, w5, w6, w7, w8 = weights
    bh1, bh2, bo1, bo2 = (sp.Rational(str(b)) for b in biases)
    g = lambda v: 1 / (1 + sp.exp(-v))  # noqa: E731
    h1, h2 = g(w1 * i1 + w2 * i2 + bh1), g(w3 * i1 + w4 * i2 + bh2)
    o1, o2 = g(w5 * h1 + w6 * h2 + bo1), g(w7 * h1 + w8 * h2 + bo2)
    return (t1 - o1) ** 2 / 2 + (t2 - o2) ** 2 / 2


def test_example_error_after_one_step_is_recomputed_independently():
    er = record("example", "E after the step")
    ws = sp.symbols("w1:9")
    start = [sp.Rational(v) for v in ("0.15", "0.20", "0.25", "0.30", "0.40", "0.45", "0.50", "0.55")]
    E = _example_error(ws)
    at_start = dict(zip(ws, start))
    assert round(float(E.subs(at_start).evalf(30)), 9) == 0.298371109          # the published E before
    new = [v - sp.Rational(1, 2) * sp.diff(E, s).subs(at_start).evalf(40) for s, v in zip(ws, start)]
    assert round(float(new[4]), 8) == 0.35891648                               # the published new w5
    exact = float(E.subs(dict(zip(ws, new))).evalf(30))
    assert round(exact, 9) == er.recomputed
    rounded = [sp.Float(float(f"{float(v):.9g}"), 30) for v in new]            # digits as printed
    assert round(float(E.subs(dict(zip(ws, rounded))).evalf(30)), 9) == er.recomputed
    assert abs(er.printed_value - exact) > 1e-7                                # a real slip, not rounding
    # the engine agrees (the oracle above does not use it)
    net = bc.MLP([2, 2, 2], activation="sigmoid", seed=0)
    net.weights[0][:] = [[0.15, 0.20], [0.25, 0.30]]
    net.weights[1][:] = [[0.40, 0.45], [0.50, 0.55]]
    net.biases[0][:], net.biases[1][:] = 0.35, 0.60
    X, T = np.array([[0.05, 0.10]]), np.array([[0.01, 0.99]])
    net.forward(X)
    g = net.backward(T)
    for W, dW in zip(net.weights, g.weights):
        W -= 0.5 * dW                                                          # biases kept
    assert net.loss(X, T) == pytest.approx(exact, abs=1e-14)


def test_lessons_state_the_same_errata():
    lesson06 = (ROOT / "lessons_src" / "06_backprop_network.py").read_text()
    er = record("example", "E after the step")
    assert f"{er.printed_value}" in lesson06 and f"{er.recomputed}" in lesson06
    assert "w^{n+1}" in lesson06 and "eq. 10" in lesson06
    lesson01 = (ROOT / "lessons_src" / "01_welcome.py").read_text()
    assert "eq. 5 twice" in lesson01
    assert "b_{(3)}" in (ROOT / "lessons_src" / "05_chain_rule.py").read_text()
    assert "0-1 range" in (ROOT / "lessons_src" / "11_initialisation.py").read_text()
    for name in ("01_welcome.py", "05_chain_rule.py", "06_backprop_network.py", "11_initialisation.py"):
        assert "docs/errata.md" in (ROOT / "lessons_src" / name).read_text(), name
