"""Losses: values against direct formulas, gradients against finite differences, stability."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from backprop_course.engine.gradcheck import gradcheck
from backprop_course.engine.losses import BCE_CLIP, LOSSES, get_loss, softmax

NAMES = sorted(LOSSES)


def _case(name, rng, shape=(4, 3), soft=False):
    if name == "binary_cross_entropy":
        return rng.uniform(0.05, 0.95, size=shape), rng.uniform(0, 1, size=shape)
    if name == "softmax_cross_entropy":
        T = rng.dirichlet(np.ones(shape[-1]), size=shape[:-1]) if soft else \
            np.eye(shape[-1])[rng.integers(shape[-1], size=shape[:-1])]
        return rng.normal(scale=3.0, size=shape), T
    return rng.normal(size=shape), rng.normal(size=shape)


# (softmax over a single logit is constant, so that loss is not paired with a width of 1)
@pytest.mark.parametrize("name, shape", [
    (name, shape) for name in NAMES for shape in [(4, 3), (1, 2), (7, 1), (3,)]
    if not (name == "softmax_cross_entropy" and shape[-1] == 1)
])
def test_gradient_matches_finite_differences(name, shape):
    loss = LOSSES[name]
    Y, T = _case(name, np.random.default_rng(len(shape) * 10 + shape[-1]), shape)
    result = gradcheck(lambda Y: loss(Y, T), [Y], grad=[loss.grad(Y, T)])
    assert result["arrays[0]"] < 1e-8, result.summary()
    value, grad = loss.value_and_grad(Y, T)
    assert value == loss.value(Y, T) and isinstance(value, float)
    np.testing.assert_array_equal(grad, loss.grad(Y, T))


def test_softmax_cross_entropy_with_soft_targets():
    loss = LOSSES["softmax_cross_entropy"]
    Y, T = _case("softmax_cross_entropy", np.random.default_rng(1), (5, 4), soft=True)
    assert gradcheck(lambda Y: loss(Y, T), [Y], grad=[loss.grad(Y, T)]).max_error < 1e-9
    np.testing.assert_allclose(loss.grad(Y, T), softmax(Y) - T, atol=1e-15)   # rows sum to 1


def test_values_against_direct_formulas():
    Y = np.array([[0.2, 0.7], [0.9, 0.4], [0.6, 0.1]])
    T = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    # half_sse: 1/2 * (0.04 + 0.09 + 0.01 + 0.16 + 0.16 + 0.81) = 1/2 * 1.27
    assert LOSSES["half_sse"](Y, T) == pytest.approx(0.635, rel=1e-14)
    np.testing.assert_allclose(LOSSES["half_sse"].grad(Y, T), Y - T)
    # mse: 1.27 / 6 entries; gradient 2 (Y - T) / 6
    assert LOSSES["mse"](Y, T) == pytest.approx(1.27 / 6, rel=1e-14)
    np.testing.assert_allclose(LOSSES["mse"].grad(Y, T), (Y - T) / 3, rtol=1e-14)
    # binary cross-entropy: -sum log(p of the true label), summed over all entries
    bce = -(math.log(0.8) + math.log(0.7) + math.log(0.9) + math.log(0.6) + math.log(0.6)
            + math.log(0.1))
    assert LOSSES["binary_cross_entropy"](Y, T) == pytest.approx(bce, rel=1e-14)
    # softmax cross-entropy on logits: -sum over samples of log softmax(y)[true class]
    L = np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]])
    C = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    direct = -(math.log(math.exp(2) / (math.exp(1) + math.exp(2) + math.exp(0.5)))
               + math.log(1 / (1 + math.exp(-1) + math.exp(3))))
    assert LOSSES["softmax_cross_entropy"](L, C) == pytest.approx(direct, rel=1e-14)


def test_half_sse_sums_over_samples_like_the_seeds():
    """E over a batch is the sum of the per-sample errors 1/2 sum_o (t_o - a_o)^2 (Backpropagation for dummies eq. 4)."""
    rng = np.random.default_rng(3)
    Y, T = rng.normal(size=(6, 2)), rng.normal(size=(6, 2))
    total = sum(LOSSES["half_sse"](y, t) for y, t in zip(Y, T))
    assert LOSSES["half_sse"](Y, T) == pytest.approx(total, rel=1e-13)


def test_extremes_are_finite_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", divide="raise", invalid="raise"):
            big = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.0]])
            onehot = np.array([[1.0, 0.0, 0.0], [1.0, 0.0, 0.0]])
            value, grad = LOSSES["softmax_cross_entropy"].value_and_grad(big, onehot)
            # sample 1 is right with certainty (0); sample 2 puts logit 1000 over the true -1000
            assert value == pytest.approx(2000 + math.log1p(math.exp(-1)), rel=1e-12)
            assert np.all(np.isfinite(grad))
            np.testing.assert_allclose(softmax(big).sum(axis=1), [1.0, 1.0])
            P = np.array([[0.0, 1.0], [1.0, 0.5]])
            T = np.array([[1.0, 1.0], [0.0, 1.0]])
            value, grad = LOSSES["binary_cross_entropy"].value_and_grad(P, T)
            assert math.isfinite(value) and np.all(np.isfinite(grad))
            # 0 and 1 are clipped to 1e-12 from the edge: -log(1e-12) - log(1 - (1 - 1e-12)) - log(0.5)
            # (1 - 1e-12 is not exact in binary, so the second term is spelled out the same way)
            expected = -math.log(BCE_CLIP) - math.log1p(-(1 - BCE_CLIP)) + math.log(2)
            assert value == pytest.approx(expected, rel=1e-12)


def test_get_loss_and_errors():
    assert get_loss("mse") is LOSSES["mse"]
    assert get_loss(LOSSES["mse"]) is LOSSES["mse"]
    assert NAMES == ["binary_cross_entropy", "half_sse", "mse", "softmax_cross_entropy"]
    assert LOSSES["softmax_cross_entropy"].output_activation == "linear"
    assert LOSSES["binary_cross_entropy"].output_activation == "sigmoid"
    with pytest.raises(ValueError, match=r"'name' parameter of get_loss must be one of "
                                         r"\['binary_cross_entropy', 'half_sse', 'mse', "
                                         r"'softmax_cross_entropy'\]. Got 'sse' instead."):
        get_loss("sse")
    with pytest.raises(TypeError, match=r"'name' parameter of get_loss must be a str"):
        get_loss(2)
