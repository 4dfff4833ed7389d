"""The references of exercises 4 and 5 agree with independent oracles: closed forms, simulations,
central differences and the hand-worked numbers of lessons 04 and 05."""
from __future__ import annotations

import numpy as np
import pytest

from backprop_course.grading.exercises import ex04_descent as ex04
from backprop_course.grading.exercises import ex05_chain as ex05


@pytest.mark.parametrize("seed", range(5))
def test_descent_path_is_the_closed_form(seed):
    # on sum a_i w_i^2 every step multiplies w_i by 1 - 2 lr a_i, so step k holds (1 - 2 lr a)^k w0
    rng = np.random.default_rng(seed)
    a, w0, lr = rng.uniform(0.1, 3, 3), rng.uniform(-3, 3, 3), float(rng.uniform(0.05, 0.6))
    path = ex04._descent_path(w0, a, lr, 7)
    k = np.arange(8)[:, None]
    assert np.allclose(path, (1 - 2 * lr * a) ** k * w0, rtol=1e-12, atol=0)


def test_descent_path_reproduces_lesson_04_bouncing_run():
    # lesson 04's table: lr = 0.9 on x^2 from 2.5 flips the sign each step with factor -0.8
    xs = ex04._descent_path(np.array([2.5]), np.array([1.0]), 0.9, 4)[:, 0]
    assert np.allclose(xs, [2.5, -2.0, 1.6, -1.28, 1.024])


@pytest.mark.parametrize("a", [np.array([1.0]), np.array([0.1, 2.0]), np.array([0.3, 4.0, 1.7])])
def test_lr_limits_by_simulation(a):
    no_bounce, converge = ex04._lr_limits(a)
    w0 = np.ones_like(a)

    def run(lr):
        return ex04._descent_path(w0, a, lr, 200)

    assert np.all(run(no_bounce * 0.999) >= 0)                     # no sign change below the first limit
    assert np.any(run(no_bounce * 1.01)[1:] < 0)                   # bouncing just above it
    assert np.max(np.abs(run(converge * 0.99)[-1])) < 0.5          # still converging below the second
    assert np.max(np.abs(run(converge * 1.01)[-1])) > 1.0          # diverging just above it


@pytest.mark.parametrize("case", range(4))
def test_chain_derivative_by_central_differences(case):
    x, steps = ex05._deriv_hidden(np.random.default_rng(case))[case].args
    value, slope = ex05._chain_derivative(x, steps)
    h = 1e-6
    numeric = (ex05._chain_derivative(x + h, steps)[0] - ex05._chain_derivative(x - h, steps)[0]) / (2 * h)
    assert abs(slope - numeric) <= 1e-6 * max(1.0, abs(slope))


def test_chain_derivative_of_seed_001_line():
    assert ex05._chain_derivative(2.0, [("mul", 3.0), ("add", 4.0)]) == (10.0, 3.0)


def test_chain_gradients_match_lesson_05_hand_numbers_and_differences():
    x, y, W, b = 1.5, 0.2, np.array([0.8, -1.2, 1.6]), np.array([-0.3, 0.5, -0.4])
    dW, db = ex05._chain_gradients(x, y, W, b)
    assert abs(dW[0] - (-0.012859)) < 1e-6 and abs(db[2] - 0.089645) < 1e-6     # lesson 05's printed values

    def J(W, b):
        a = x
        for w, c in zip(W, b):
            a = 1 / (1 + np.exp(-(w * a + c)))
        return 0.5 * (y - a) ** 2

    h = 1e-6
    for l in range(3):
        e = np.eye(3)[l] * h
        assert abs(dW[l] - (J(W + e, b) - J(W - e, b)) / (2 * h)) < 1e-9
        assert abs(db[l] - (J(W, b + e) - J(W, b - e)) / (2 * h)) < 1e-9
