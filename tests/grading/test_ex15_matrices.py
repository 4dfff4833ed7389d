"""Lesson 15's exercises: references proved against independent oracles, and every catalogued
misconception recognised (it fails a hidden case and scores at most half the points).

The misconceptions live with the exercises (``Exercise.misconceptions``): each is the wrong function a
learner would write, as numpy-only source. Besides the half-the-points rule, no two of an exercise's
misconceptions may give the same outputs on every case (else the course could not tell them apart).
"""
from __future__ import annotations


import numpy as np
import pytest

from backprop_course.engine.gradcheck import numerical_gradient
from backprop_course.grading.checking.check import evaluate
from backprop_course.grading.checking.compare import compare_numbers
from backprop_course.grading.exercises import ex15_matrices as ex15
from backprop_course.grading.exercises import registry

SEEDS = range(10)
EXERCISES = ex15.EXERCISES
ROWS = [(ex.id, m.name) for ex in EXERCISES for m in ex.misconceptions]


def _wrong_function(ex, name):
    source = next(m.source for m in ex.misconceptions if m.name == name)
    namespace = {"np": np}
    exec(source, namespace)  # noqa: S102 - the course's own catalogue
    return namespace[ex.function]


def test_registered_in_course_order():
    assert registry.NOTEBOOKS.index("ex15_matrices") > registry.NOTEBOOKS.index("ex12_digits")
    assert [ex.id for ex in registry.for_notebook("ex15_matrices")] == [
        "ex15.affine_backward", "ex15.bias_backward", "ex15.two_layer"]


@pytest.mark.parametrize("exercise_id,name", ROWS)
def test_misconception_fails_a_hidden_case_and_scores_at_most_half(exercise_id, name):
    ex = registry.get(exercise_id)
    fn = _wrong_function(ex, name)
    for seed in SEEDS:
        result = evaluate(ex, fn, seed=seed)
        assert result.status in ("failed", "partial"), (seed, result.status, result.message)
        assert result.score <= ex.points / 2, (seed, [(c.name, c.passed) for c in result.cases])
        assert any(c.hidden and not c.passed for c in result.cases), seed


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.id)
def test_misconceptions_are_told_apart(ex):
    cases = ex.cases(seed=0)
    outputs = {}
    for m in ex.misconceptions:
        fn = _wrong_function(ex, m.name)
        outputs[m.name] = [_outcome(fn, case.args) for case in cases]
    names = list(outputs)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            same = all(_same(x, y) for x, y in zip(outputs[a], outputs[b]))
            assert not same, (a, b)


class _Raised(str):
    """A call that raised, by exception type: a wrong shape fails the same way in two wrong functions."""


def _outcome(fn, args):
    try:
        return fn(*args)
    except Exception as exc:  # noqa: BLE001
        return _Raised(type(exc).__name__)


def _same(x, y) -> bool:
    if isinstance(x, _Raised) or isinstance(y, _Raised):
        return x == y
    return compare_numbers(x, y).passed


# ---- the references against independent oracles ------------------------------------------------

@pytest.mark.parametrize("seed", range(3))
def test_affine_reference_matches_finite_differences(seed):
    rng = np.random.default_rng(seed)
    X, W, b = rng.normal(size=(4, 3)), rng.normal(size=(2, 3)), rng.normal(size=2)
    G = rng.normal(size=(4, 2))                       # E = sum(G * Z) has dE/dZ = G

    def loss(_):
        return float(np.sum(G * (X @ W.T + b)))

    dX, dW, db = ex15._affine_backward(G, X, W)
    for got, arr in ((dX, X), (dW, W), (db, b)):
        assert got.shape == arr.shape
        np.testing.assert_allclose(got, numerical_gradient(loss, arr, eps=1e-6), rtol=1e-7, atol=1e-9)


def test_affine_reference_by_hand():
    # one sample x = (1, 2), W = [[3, 4]], upstream g = 0.5: dX = g W = (1.5, 2), dW = g x = (0.5, 1), db = 0.5
    dX, dW, db = ex15._affine_backward(np.array([[0.5]]), np.array([[1.0, 2.0]]), np.array([[3.0, 4.0]]))
    assert dX.tolist() == [[1.5, 2.0]] and dW.tolist() == [[0.5, 1.0]] and db.tolist() == [0.5]


@pytest.mark.parametrize("out_shape,shape", [((3, 2), (2,)), ((3, 2), (1, 2)), ((4, 3, 2), (3, 1)),
                                             ((3, 2), ()), ((4, 3, 2), (4, 1, 2)), ((2, 3), (2, 3))])
def test_bias_reference_matches_finite_differences(out_shape, shape):
    rng = np.random.default_rng(1)
    G = rng.normal(size=out_shape)
    p = rng.normal(size=shape)

    def loss(_):
        return float(np.sum(G * (np.zeros(out_shape) + p)))   # p broadcast to out_shape

    got = ex15._bias_backward(G, shape)
    assert got.shape == shape
    np.testing.assert_allclose(got, numerical_gradient(loss, p, eps=1e-6), rtol=1e-7, atol=1e-9)


def test_bias_reference_by_hand():
    # a bias (2,) added to 3 samples: the gradient adds the three rows, (1 + 3 + 5, 2 + 4 + 6) = (9, 12)
    assert ex15._bias_backward(np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]), (2,)).tolist() == [9.0, 12.0]


@pytest.mark.parametrize("seed", range(3))
def test_two_layer_reference_matches_finite_differences(seed):
    case = ex15._two_layer_hidden(np.random.default_rng(seed))[0]
    W1, b1, W2, b2, X, T = (np.array(a, dtype=float) for a in case.args)
    params = {"dW1": W1, "db1": b1, "dW2": W2, "db2": b2, "dX": X}

    def loss(_):
        H = np.maximum(X @ W1.T + b1, 0.0)
        Y = 1.0 / (1.0 + np.exp(-(H @ W2.T + b2)))
        return 0.5 * float(np.sum((T - Y) ** 2))

    got = ex15._two_layer(W1, b1, W2, b2, X, T)
    assert got["loss"] == pytest.approx(loss(None), rel=1e-12)
    for key, arr in params.items():
        np.testing.assert_allclose(got[key], numerical_gradient(loss, arr, eps=1e-6), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("seed", range(10))
def test_two_layer_tie_case_sits_exactly_on_the_kink(seed):
    case = ex15._two_layer_hidden(np.random.default_rng(seed))[3]
    W1, b1, W2, b2, X, T = case.args
    Z1 = X @ W1.T + b1
    assert Z1[0, 0] == 0.0
    # summed in another order, the net input is still exactly 0: a learner's code meets the same tie
    assert sum(X[0, i] * W1[0, i] for i in range(X.shape[1])) + b1[0] == 0.0
