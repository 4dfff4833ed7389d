"""The 2017 note's small graph and the UFLDL guide's one-neuron chain, derived with SymPy."""
from __future__ import annotations

import pytest
import sympy as sp

from backprop_course.symbolic.examples import derive_chain, derive_small_graph
from backprop_course.symbolic.notation import activation_prime, t, w, x, y
from backprop_course.symbolic.render import to_latex
from backprop_course.symbolic.verify import NumericNetwork, evaluate, finite_difference, relative_error


def test_small_graph_numbers_from_seed_000():
    g = derive_small_graph()
    # q = x + y = -2 + 5 = 3 ; f = q z = 3 * (-4) = -12
    assert (g.q_value, g.value) == (3, -12)
    # df/dx = df/dq dq/dx = z * 1 = -4 ; df/dy = -4 ; df/dz = q = 3
    assert g.gradient_values == {"x": -4, "y": -4, "z": 3}
    s = g.symbols
    assert g.local_gradients[("q", "x")] == 1 and g.local_gradients[("f", "q")] == s["z"]
    for name in "xyz":  # the chain-rule products equal sympy's direct derivatives
        assert sp.simplify(g.chain_rule[name] - g.gradients[name]) == 0


def test_small_graph_other_point():
    g = derive_small_graph(1, 2, 3)
    assert g.value == 9 and g.gradient_values == {"x": 3, "y": 3, "z": 3}


@pytest.fixture(scope="module")
def chain():
    return derive_chain(3)


def test_chain_output_error_term_is_ufldls(chain):
    assert to_latex(chain.error_term, "ufldl") == \
        r"- \left(y_{1} - a^{(4)}_{1}\right) f^{(4)\prime}\left(z^{(4)}_{1}\right)"


def test_chain_gradients_are_products_of_local_factors(chain):
    fp = lambda l: activation_prime(l)(x[l, 1])  # noqa: E731
    out = -((t[1] - y[3, 1]) * fp(3))             # the output error term, -(y - h(x)) f'(z^(4))
    assert chain.weight_gradients[3] == out * y[2, 1]
    assert chain.weight_gradients[2] == out * w[3, 1, 1] * fp(2) * y[1, 1]
    assert chain.weight_gradients[1] == out * w[3, 1, 1] * fp(2) * w[2, 1, 1] * fp(1) * y[0, 1]
    assert chain.bias_gradients[1] == out * w[3, 1, 1] * fp(2) * w[2, 1, 1] * fp(1)
    assert chain.weight_factors[1] == [-1, t[1] - y[3, 1], fp(3), w[3, 1, 1], fp(2), w[2, 1, 1], fp(1), y[0, 1]]
    # a bias gradient is the weight gradient without the activation that feeds the weight
    for l in (1, 2, 3):
        assert chain.weight_factors[l][:-1] == chain.bias_factors[l]


def test_chain_gradients_match_finite_differences(chain):
    net = NumericNetwork.random((1, 1, 1, 1), bias=True, seed=5)
    from backprop_course.symbolic.notation import b
    for l in (1, 2, 3):
        for expr, target in ((chain.weight_gradients[l], w[l, 1, 1]), (chain.bias_gradients[l], b[l, 1])):
            assert relative_error(evaluate(expr, net), finite_difference(net, target)) < 1e-9


def test_chain_rejects_bad_depth():
    with pytest.raises(ValueError, match="The 'layers' parameter of derive_chain"):
        derive_chain(0)
