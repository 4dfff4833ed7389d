"""MLP: shapes, caches, gradients against finite differences, hand-worked numbers, bad input."""
from __future__ import annotations

import numpy as np
import pytest

from backprop_course.engine.activations import ACTIVATIONS
from backprop_course.engine.gradcheck import gradcheck, numerical_gradient
from backprop_course.engine.mlp import MLP, Gradients


def _data(sizes, n, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, sizes[0])), rng.uniform(0.05, 0.95, size=(n, sizes[-1]))


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("bias", [True, False])
def test_gradients_match_finite_differences(activation, bias):
    net = MLP([3, 4, 2], activation=activation, seed=1, bias=bias)
    rng = np.random.default_rng(2)
    if bias:
        for b in net.biases:
            b[:] = rng.normal(size=b.shape)
    X, T = _data(net.sizes, 5)
    result = gradcheck(net, X, T)
    expected = {"weights[0]", "weights[1]", "inputs"} | ({"biases[0]", "biases[1]"} if bias else set())
    assert set(result) == expected
    assert result.max_error < 1e-7, result.summary()


def test_forward_shapes_and_caches():
    net = MLP([2, 3, 4, 1], activation=["tanh", "relu", "sigmoid"], seed=0)
    X, T = _data(net.sizes, 6)
    Y = net.forward(X)
    assert Y.shape == (6, 1)
    assert [z.shape for z in net.net_inputs] == [(6, 3), (6, 4), (6, 1)]
    assert [a.shape for a in net.layer_outputs] == [(6, 2), (6, 3), (6, 4), (6, 1)]
    np.testing.assert_array_equal(net.layer_outputs[0], X)
    np.testing.assert_array_equal(net.layer_outputs[-1], Y)
    # each layer: Z = A W^T + b, A' = f(Z), recomputed here one sample and one neuron at a time
    for l, (W, b) in enumerate(zip(net.weights, net.biases)):
        A = net.layer_outputs[l]
        for s in range(6):
            for j in range(W.shape[0]):
                z = sum(W[j, k] * A[s, k] for k in range(W.shape[1])) + b[j]
                assert net.net_inputs[l][s, j] == pytest.approx(z, rel=1e-12, abs=1e-14)
        np.testing.assert_allclose(net.layer_outputs[l + 1],
                                   ACTIVATIONS[net.activations[l]].f(net.net_inputs[l]))
    g = net.backward(T)
    assert isinstance(g, Gradients)
    assert [w.shape for w in g.weights] == [w.shape for w in net.weights]
    assert [b.shape for b in g.biases] == [b.shape for b in net.biases]
    assert [d.shape for d in g.deltas] == [(6, 3), (6, 4), (6, 1)]
    assert g.inputs.shape == X.shape
    assert g.loss == pytest.approx(0.5 * np.sum((T - Y) ** 2))
