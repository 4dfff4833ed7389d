"""Activations: derivatives against finite differences and closed forms, numerics at |z| = 1000."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from backprop_course.engine.activations import ACTIVATIONS, LEAKY_SLOPE, get_activation

NAMES = sorted(ACTIVATIONS)


def _grid():
    # a spread of net inputs that stays clear of the relu kink at 0 (finite differences across a
    # kink measure the average of two slopes, not a derivative)
    z = np.linspace(-6.0, 6.0, 241)
    return z[np.abs(z) > 0.01]


@pytest.mark.parametrize("name", NAMES)
def test_derivative_matches_finite_differences(name):
    act = ACTIVATIONS[name]
    z = _grid()
    h = 1e-3
    # five-point central stencil, elementwise (each output depends on its own z only)
    numeric = (8 * (act.f(z + h) - act.f(z - h)) - (act.f(z + 2 * h) - act.f(z - 2 * h))) / (12 * h)
    analytic = act.fprime_from(z, act.f(z))
    rel = np.abs(analytic - numeric) / np.maximum(np.abs(analytic) + np.abs(numeric), 1e-4)
    assert rel.max() < 1e-9
    np.testing.assert_array_equal(act.derivative(z), analytic)


def test_sigmoid_derivative_is_a_times_one_minus_a():
    act = ACTIVATIONS["sigmoid"]
    z = _grid()
    a = act.f(z)
    np.testing.assert_array_equal(act.fprime_from(z, a), a * (1 - a))   # Backpropagation for dummies: g' = g (1 - g)
    # and against the independent closed form e^-z / (1 + e^-z)^2
    np.testing.assert_allclose(act.fprime_from(z, a), np.exp(-z) / (1 + np.exp(-z)) ** 2,
                               rtol=1e-12)
    np.testing.assert_allclose(a, [1 / (1 + math.exp(-v)) for v in z], rtol=1e-15)
    # the derivative uses only the cached output: a bogus z must not change it
    np.testing.assert_array_equal(act.fprime_from(np.full_like(z, np.nan), a), a * (1 - a))


def test_tanh_derivative_is_one_minus_a_squared():
    act = ACTIVATIONS["tanh"]
    z = _grid()
    a = act.f(z)
    np.testing.assert_allclose(act.fprime_from(z, a), 1 - a**2, rtol=1e-15)
    # 1 - a^2 cancels where a ~ +-1 (|z| = 6: 1 - a^2 ~ 2.5e-5, so ~1e-16 / 2.5e-5 relative)
    np.testing.assert_allclose(act.fprime_from(z, a), 1 / np.cosh(z) ** 2, rtol=1e-10)


def test_piecewise_linear_values_and_slopes():
    z = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    relu, leaky, linear = ACTIVATIONS["relu"], ACTIVATIONS["leaky_relu"], ACTIVATIONS["linear"]
    np.testing.assert_array_equal(relu.f(z), [0.0, 0.0, 0.0, 0.5, 2.0])
    np.testing.assert_array_equal(relu.derivative(z), [0.0, 0.0, 0.0, 1.0, 1.0])  # 0 at the kink
    assert LEAKY_SLOPE == 0.01
    np.testing.assert_array_equal(leaky.f(z), [-0.02, -0.005, 0.0, 0.5, 2.0])
    np.testing.assert_array_equal(leaky.derivative(z), [0.01, 0.01, 0.01, 1.0, 1.0])
    np.testing.assert_array_equal(linear.f(z), z)
    np.testing.assert_array_equal(linear.derivative(z), np.ones(5))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", NAMES)
def test_extreme_inputs_are_finite_without_warnings(name, dtype):
    act = ACTIVATIONS[name]
    z = np.array([-1000.0, -100.0, 0.0, 100.0, 1000.0], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", divide="raise", invalid="raise"):  # underflow to 0 is the limit
            a = act.f(z)
            d = act.fprime_from(z, a)
    assert a.dtype == dtype and d.dtype == dtype
    assert np.all(np.isfinite(a)) and np.all(np.isfinite(d))
    expected = {
        "sigmoid": ([0.0, 0.0, 0.5, 1.0, 1.0], [0.0, 0.0, 0.25, 0.0, 0.0]),
        "tanh": ([-1.0, -1.0, 0.0, 1.0, 1.0], [0.0, 0.0, 1.0, 0.0, 0.0]),
        "relu": ([0.0, 0.0, 0.0, 100.0, 1000.0], [0.0, 0.0, 0.0, 1.0, 1.0]),
        "leaky_relu": ([-10.0, -1.0, 0.0, 100.0, 1000.0], [0.01, 0.01, 0.01, 1.0, 1.0]),
        "linear": ([-1000.0, -100.0, 0.0, 100.0, 1000.0], [1.0] * 5),
    }[name]
    rtol = 1e-6 if dtype == np.float32 else 1e-15
    if name == "sigmoid":   # sigmoid(-100) = 1 / (1 + e^100) = 3.7e-44
        expected = (expected[0][:1] + [float(dtype(math.exp(-100)))] + expected[0][2:], expected[1])
    # float32: values below its smallest normal number (1.2e-38) may flush to 0
    np.testing.assert_allclose(a, expected[0], rtol=rtol, atol=0 if dtype == np.float64 else 1.2e-38)
    np.testing.assert_allclose(d, expected[1], rtol=rtol, atol=1e-40)


def test_sigmoid_keeps_relative_precision_in_the_left_tail():
    z = np.array([-30.0, -200.0, -700.0])
    a = ACTIVATIONS["sigmoid"].f(z)
    # 1 / (1 + e^30) = e^-30 / (1 + e^-30); for z << 0 the value is e^z to full precision
    np.testing.assert_allclose(a, [math.exp(-30) / (1 + math.exp(-30)), math.exp(-200),
                                   math.exp(-700)], rtol=1e-14)


def test_get_activation_and_errors():
    assert get_activation("tanh") is ACTIVATIONS["tanh"]
    assert NAMES == ["leaky_relu", "linear", "relu", "sigmoid", "tanh"]
    with pytest.raises(ValueError, match=r"'name' parameter of get_activation must be one of "
                                         r"\['leaky_relu', 'linear', 'relu', 'sigmoid', 'tanh'\]. "
                                         r"Got 'softplus' instead."):
        get_activation("softplus")
    with pytest.raises(TypeError, match=r"'name' parameter of get_activation must be a str"):
        get_activation(None)
