"""Initialisers: shapes, reproducibility, empirical mean/variance/range on large matrices."""
from __future__ import annotations

import math

import numpy as np
import pytest

from backprop_course.engine.init import (INITIALIZERS, SMALL_UNIFORM_LIMIT, init_variance,
                                         initialize)

NAMES = sorted(INITIALIZERS)
# (fan_in, fan_out) deliberately unequal, so swapping them changes both the shape and the variance
FAN_IN, FAN_OUT = 400, 1500
N = FAN_IN * FAN_OUT                                   # 600,000 draws

EXPECTED_VARIANCE = {
    "standard_normal": 1.0,
    "small_uniform": 0.1**2 / 3,                          # U(-a, a) has variance a^2 / 3
    "xavier_uniform": 2 / (FAN_IN + FAN_OUT),
    "xavier": 2 / (FAN_IN + FAN_OUT),
    "xavier_normal": 2 / (FAN_IN + FAN_OUT),
    "he": 2 / FAN_IN,
}
UNIFORM_LIMIT = {"small_uniform": 0.1, "xavier_uniform": math.sqrt(6 / (FAN_IN + FAN_OUT)),
                 "xavier": math.sqrt(6 / (FAN_IN + FAN_OUT))}


@pytest.mark.parametrize("name", NAMES)
def test_empirical_moments(name):
    W = initialize(name, FAN_IN, FAN_OUT, np.random.default_rng(0))
    assert W.shape == (FAN_OUT, FAN_IN) and W.dtype == np.float64
    var = EXPECTED_VARIANCE[name]
    assert init_variance(name, FAN_IN, FAN_OUT) == pytest.approx(var, rel=1e-15)
    # Tolerances: the sample variance of N i.i.d. draws has relative standard error
    # sqrt((kurtosis - 1) / N): sqrt(2 / N) = 1.8e-3 for a normal, sqrt(0.8 / N) = 1.2e-3 for a
    # uniform. 1% is more than 5 standard errors; a wrong formula (e.g. fan_in and fan_out swapped
    # in He, 2/1500 instead of 2/400, or a uniform limit of sqrt(3/...)) is off by 50% or more.
    assert W.var() == pytest.approx(var, rel=0.01)
    # the mean has standard error sqrt(var / N); allow 5 of them
    assert abs(W.mean()) < 5 * math.sqrt(var / N)
    if name in UNIFORM_LIMIT:
        limit = UNIFORM_LIMIT[name]
        assert np.abs(W).max() <= limit
        assert np.abs(W).max() > 0.999 * limit              # and it reaches (nearly) the edge
        # a uniform puts a quarter of its mass in each quarter of [-limit, limit]
        counts = np.histogram(W, bins=4, range=(-limit, limit))[0] / N
        np.testing.assert_allclose(counts, 0.25, atol=0.005)
    else:
        # a normal puts 68.27% of its mass within one standard deviation (SE ~6e-4)
        within = np.mean(np.abs(W) < math.sqrt(var))
        assert within == pytest.approx(0.6827, abs=0.005)


def test_small_uniform_range_is_documented_constant():
    assert SMALL_UNIFORM_LIMIT == 0.1


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_same_weights(name):
    a = initialize(name, 3, 5, np.random.default_rng(42))
    b = initialize(name, 3, 5, 42)                          # an int seed works too
    c = initialize(name, 3, 5, np.random.default_rng(43))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert a.shape == (5, 3)


def test_xavier_is_an_alias_of_xavier_uniform():
    np.testing.assert_array_equal(initialize("xavier", 7, 9, 1), initialize("xavier_uniform", 7, 9, 1))


@pytest.mark.parametrize(
    "args, error, match",
    [
        (("glorot", 3, 4, 0), ValueError, r"'name' parameter of initialize must be one of "
                                          r"\['he', 'small_uniform', 'standard_normal', 'xavier', "
                                          r"'xavier_normal', 'xavier_uniform'\]. Got 'glorot'"),
        ((None, 3, 4, 0), TypeError, r"'name' parameter of initialize must be a str"),
        (("he", 0, 4, 0), ValueError, r"'fan_in' parameter of initialize must be an int >= 1. Got 0"),
        (("he", 3, 2.0, 0), ValueError, r"'fan_out' parameter .* Got 2.0"),
        (("he", 3, 4, "seed"), TypeError, r"'rng' parameter of initialize must be a "
                                          r"numpy.random.Generator"),
    ],
)
def test_bad_arguments(args, error, match):
    with pytest.raises(error, match=match):
        initialize(*args)
