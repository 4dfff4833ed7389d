"""gradcheck: the finite-difference oracle itself, on functions with known gradients."""
from __future__ import annotations

import math

import numpy as np
import pytest

from backprop_course.engine.gradcheck import gradcheck, numerical_gradient, relative_error
from backprop_course.engine.mlp import MLP
from backprop_course.engine.value import Value


def _quadratic_form(seed=0):
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(4, 4))
    return A, rng.normal(size=4)        # f(x) = x^T A x, grad = (A + A^T) x


@pytest.mark.parametrize("order, eps, tol", [(2, 1e-5, 1e-9), (4, 1e-3, 1e-12)])
def test_numerical_gradient_of_a_quadratic_form(order, eps, tol):
    A, x = _quadratic_form()
    before = x.copy()
    numeric = numerical_gradient(lambda v: float(v @ A @ v), x, eps=eps, order=order)
    # a quadratic has no third derivative: both stencils are exact up to rounding
    np.testing.assert_allclose(numeric, (A + A.T) @ before, rtol=0, atol=tol * 100)
    np.testing.assert_array_equal(x, before)                 # perturbed in place, then restored


def test_stencil_orders_on_a_function_with_curvature():
    """For sin, the 2-point error is ~h^2/6 |cos'''|, the 5-point one ~h^4/30 |cos^(5)|."""
    x = np.array([0.3, 1.1, -2.0])
    two = numerical_gradient(lambda v: float(np.sum(np.sin(v))), x.copy(), eps=1e-2, order=2)
    four = numerical_gradient(lambda v: float(np.sum(np.sin(v))), x.copy(), eps=1e-2, order=4)
    err2, err4 = np.abs(two - np.cos(x)), np.abs(four - np.cos(x))
    np.testing.assert_allclose(err2, 1e-4 / 6 * np.abs(np.cos(x)), rtol=1e-3)
    assert np.all(err4 < 1e-8 / 30 * np.abs(np.cos(x)) * 1.01)


def test_relative_error_definition():
    np.testing.assert_allclose(relative_error([1.0, -2.0], [1.1, -2.0]), [0.1 / 2.1, 0.0])
    # below the floor (1e-4 by default) the difference is divided by the floor instead
    assert float(relative_error(0.0, 0.0)) == 0.0
    assert float(relative_error(1e-9, 2e-9)) == pytest.approx(1e-9 / 1e-4)
    assert float(relative_error(1e-9, 2e-9, floor=1e-12)) == pytest.approx(1 / 3)


def test_arrays_form_accepts_and_rejects():
    A, x = _quadratic_form(1)
    B = np.random.default_rng(2).normal(size=(2, 4))
    f = lambda x, B: float(x @ A @ x + np.sum(np.tanh(B @ x)))          # noqa: E731

    def grad(x, B):
        s = 1 - np.tanh(B @ x) ** 2
        return [(A + A.T) @ x + B.T @ s, np.outer(s, x)]

    good = gradcheck(f, [x, B], grad=grad)
    assert set(good) == {"arrays[0]", "arrays[1]"}
    assert good.max_error < 1e-9 and good.passed()
    assert "arrays[1]" in good.summary()
    # the same with the gradients handed over as a list
    assert gradcheck(f, [x, B], grad=grad(x, B)).max_error < 1e-9
    # a gradient that is wrong by a factor 2 in one entry is caught
    wrong = grad(x, B)
    wrong[1][1, 2] *= 2
    bad = gradcheck(f, [x, B], grad=wrong)
    assert bad["arrays[0]"] < 1e-9 and bad["arrays[1]"] > 0.3 and not bad.passed()
    assert np.unravel_index(np.argmax(bad.errors["arrays[1]"]), B.shape) == (1, 2)
    # without an analytic gradient only the numeric one is returned
    plain = gradcheck(f, [x, B])
    assert math.isnan(plain["arrays[0]"])
    np.testing.assert_allclose(plain.numeric["arrays[0]"], grad(x, B)[0], rtol=1e-9)


def _square_with_local_grad(x: Value, slope_factor: float) -> Value:
    # x^2 built by hand with a chosen local gradient: slope_factor = 2 is correct
    return Value(x.data**2, (x,), "sq", _local_grads=(slope_factor * x.data,))


def test_values_form():
    a, b = Value(0.7, label="a"), Value(-1.3, label="b")
    result = gradcheck(lambda a, b: (a * b + b.tanh()).exp() + a.sigmoid() / b, [a, b])
    assert set(result) == {"a", "b"}
    assert result.max_error < 1e-10
    assert (a.data, b.data) == (0.7, -1.3)                                   # restored
    ea, eb = math.exp(0.7 * -1.3 + math.tanh(-1.3)), 1 / (1 + math.exp(-0.7))
    assert float(result.analytic["a"]) == pytest.approx(
        ea * -1.3 + eb * (1 - eb) / -1.3, rel=1e-14)
    # unlabelled leaves get positional names; a wrong local gradient is caught
    x = Value(1.5)
    assert gradcheck(lambda x: _square_with_local_grad(x, 2.0), [x])["values[0]"] < 1e-12
    assert gradcheck(lambda x: _square_with_local_grad(x, 3.0), [x])["values[0]"] > 0.1


def test_mlp_form_leaves_the_network_untouched():
    net = MLP([3, 4, 2], activation="tanh", seed=0, dtype=np.float32)
    before = [p.copy() for p in net.parameters()]
    rng = np.random.default_rng(0)
    X, T = rng.normal(size=(5, 3)), rng.uniform(size=(5, 2))
    result = gradcheck(net, X, T)                        # float32 nets are checked in float64
    assert result.max_error < 1e-7
    assert net.layer_outputs == [] and net.dtype == np.float32
    for p, q in zip(net.parameters(), before):
        np.testing.assert_array_equal(p, q)


class _BrokenMLP(MLP):
    """Forgets the activation slope of the output layer's bias gradient (a typical slip)."""

    def backward(self, T, input_grad=True):
        g = super().backward(T, input_grad)
        g.biases[-1] = np.sum(self.layer_outputs[-1] - np.asarray(T), axis=0)
        return g


def test_mlp_form_finds_a_broken_backward_pass():
    net = _BrokenMLP([2, 3, 2], seed=1)
    rng = np.random.default_rng(1)
    X, T = rng.normal(size=(4, 2)), rng.uniform(size=(4, 2))
    result = gradcheck(net, X, T)
    assert result["biases[1]"] > 0.1
    assert all(result[k] < 1e-7 for k in result if k != "biases[1]")


def test_relu_kinks_are_detected_and_left_out():
    net = MLP([1, 1], activation="relu", seed=0)
    net.weights[0][:] = 1.0
    net.biases[0][:] = 0.0
    X, T = np.array([[0.0005], [1.0]]), np.array([[1.0], [0.0]])   # sample 1 sits 5e-4 from the kink
    result = gradcheck(net, X, T, eps=1e-3)
    # moving b or x_1 by up to 2 eps crosses z = 0; moving w by 2e-3 shifts z_1 by only 1e-6
    assert result.skipped == {"weights[0]": 0, "biases[0]": 1, "inputs": 1}
    assert result.max_error < 1e-7
    # the skipped entries really were wrong: their stencil straddled the kink
    assert abs(result.numeric["inputs"][0, 0] - result.analytic["inputs"][0, 0]) > 1e-2
    # with a step that stays on one side nothing is skipped and everything agrees
    fine = gradcheck(net, X, T, eps=1e-5, order=2)
    assert sum(fine.skipped.values()) == 0 and fine.max_error < 1e-7


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: gradcheck(lambda x: 0.0, [np.zeros(2)], eps=0), ValueError,
         r"'eps' parameter of gradcheck must be a float > 0. Got 0 instead."),
        (lambda: gradcheck(lambda x: 0.0, [np.zeros(2)], order=3), ValueError,
         r"'order' parameter of gradcheck must be 2 or 4. Got 3"),
        (lambda: gradcheck(lambda x: 0.0, [np.zeros(2)], floor=-1.0), ValueError,
         r"'floor' parameter of gradcheck"),
        (lambda: gradcheck(3.0, [np.zeros(2)]), TypeError,
         r"'target' parameter of gradcheck must be an MLP or a callable"),
        (lambda: gradcheck(lambda x: 0.0, np.zeros(2), np.zeros(2)), TypeError,
         r"gradcheck\(f, inputs\) needs one list"),
        (lambda: gradcheck(MLP([1, 1]), np.zeros((1, 1))), TypeError, r"gradcheck\(net, X, T\)"),
        (lambda: gradcheck(lambda x: 0.0, [np.zeros(2)], grad=[np.zeros(3)]), ValueError,
         r"analytic gradient for arrays\[0\] must have shape \(2,\). Got shape \(3,\)"),
        (lambda: gradcheck(lambda x: 0.0, [np.zeros(2)], grad=[]), ValueError,
         r"'grad' parameter of gradcheck must give 1 gradients"),
        (lambda: numerical_gradient(lambda x: 0.0, [1.0, 2.0]), TypeError,
         r"'array' parameter of numerical_gradient must be a numpy array of floats .* Got list"),
        (lambda: numerical_gradient(lambda x: 0.0, np.arange(3)), TypeError,
         r"Got ndarray of dtype int64 instead"),
        (lambda: numerical_gradient(lambda x: 0.0, np.zeros(3), eps=-1e-5), ValueError,
         r"'eps' parameter of numerical_gradient"),
    ],
)
def test_bad_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call()
