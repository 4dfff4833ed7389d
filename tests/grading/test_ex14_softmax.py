"""Lesson 14's exercises: references, hidden cases and the catalogued misconceptions.

Each misconception is the wrong function a learner would write. It must fail at least one hidden case
and score at most half the points for every seed, and no two misconceptions of an exercise may give
the same outputs on every case (else the course could not tell them apart).
"""
from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest

from backprop_course.engine.gradcheck import numerical_gradient
from backprop_course.grading.checking.check import evaluate
from backprop_course.grading.exercises import ex14_softmax, registry

from grading_helpers import load_function

SEEDS = range(10)
IDS = [ex.id for ex in ex14_softmax.EXERCISES]
ROWS = [(ex.id, m.name) for ex in ex14_softmax.EXERCISES for m in ex.misconceptions]


def _wrong(exercise_id: str, name: str):
    ex = registry.get(exercise_id)
    (m,) = [m for m in ex.misconceptions if m.name == name]
    namespace = {"np": np}
    exec(m.source, namespace)  # noqa: S102 - the course's own catalogue
    return namespace[ex.function]


def test_registered_in_course_order():
    assert "ex14_softmax" in registry.NOTEBOOKS
    assert [ex.id for ex in registry.for_notebook("ex14_softmax")] == IDS


@pytest.mark.parametrize("exercise_id", IDS)
def test_solution_scores_full_marks(exercise_id):
    ex = registry.get(exercise_id)
    fn = load_function(exercise_id)
    for seed in SEEDS:
        result = evaluate(ex, fn, seed=seed)
        assert result.status == "passed" and result.score == ex.points, (
            seed, [(c.name, c.message) for c in result.cases if not c.passed])


@pytest.mark.parametrize("exercise_id,name", ROWS)
def test_misconception_scores_at_most_half(exercise_id, name):
    ex = registry.get(exercise_id)
    fn = _wrong(exercise_id, name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)   # overflow is the point of several of them
        for seed in SEEDS:
            result = evaluate(ex, fn, seed=seed)
            assert result.status in ("failed", "partial"), (seed, result.status)
            assert result.score <= ex.points / 2, (seed, [(c.name, c.passed) for c in result.cases])
            assert any(c.hidden and not c.passed for c in result.cases), seed


def _outputs(ex, fn, seed):
    out = []
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        for case in ex.cases(seed):
            out.append(np.asarray(fn(*[np.array(a, copy=True) for a in case.args]), dtype=float))
    return out


@pytest.mark.parametrize("exercise_id", IDS)
def test_misconceptions_are_told_apart(exercise_id):
    ex = registry.get(exercise_id)
    outs = {m.name: _outputs(ex, _wrong(exercise_id, m.name), 0) for m in ex.misconceptions}
    for a, b in itertools.combinations(outs, 2):
        same = all(x.shape == y.shape and np.allclose(x, y, rtol=1e-9, atol=1e-12, equal_nan=True)
                   for x, y in zip(outs[a], outs[b]))
        assert not same, (a, b)


def test_hidden_cases_expose_the_bugs_they_claim():
    rng = np.random.default_rng(3)
    for case in ex14_softmax._softmax_hidden(rng)[1:]:
        (Z,) = case.args
        n, k = Z.shape
        assert n >= 2 and n != k and np.abs(Z).max() <= 1000.0
        assert np.all(Z.max(axis=1) - Z.min(axis=1) > 760)               # a log after softmax meets log 0
        assert Z.max() - Z.max(axis=1).min() > 800                        # a batch-wide shift underflows
        with np.errstate(over="ignore"):
            assert np.isinf(np.exp(Z)).any()                              # a naive exp overflows
    for case in ex14_softmax._pairs_hidden("", "")(rng):
        Z, T = case.args
        assert len(Z) >= 2 and np.allclose(T.sum(axis=1), 1.0)


def test_references_against_independent_numbers():
    # hand-worked: z = (1, 2, 3), t = (0, 1, 0): y = (0.090031, 0.244728, 0.665241), E = -log 0.244728
    Z, T = ex14_softmax._PUBLIC_Z[0], ex14_softmax._PUBLIC_T[0]
    y = ex14_softmax._reference_softmax(Z)
    np.testing.assert_allclose(y[0], [0.090031, 0.244728, 0.665241], atol=1e-6)
    direct = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)     # fine for small scores
    np.testing.assert_allclose(y, direct, atol=1e-15)
    assert abs(ex14_softmax._reference_cross_entropy(Z, T) + np.sum(T * np.log(direct))) < 1e-12
    fd = numerical_gradient(lambda V: ex14_softmax._reference_cross_entropy(V, T), Z.copy())
    np.testing.assert_allclose(ex14_softmax._reference_backward(Z, T), fd, atol=1e-8)
    # large scores: (1000, 999, 998) is (2, 1, 0) shifted; the loss of class 3 is 2 + log(1 + e^-1 + e^-2)
    Zb, Tb = ex14_softmax._PUBLIC_Z[1], ex14_softmax._PUBLIC_T[1]
    np.testing.assert_allclose(ex14_softmax._reference_softmax(Zb)[0], y[0][::-1], atol=1e-15)
    lse = np.log(1 + np.exp(-1.0) + np.exp(-2.0))
    assert abs(ex14_softmax._reference_cross_entropy(Zb, Tb) - ((2 + lse) + (2 + lse))) < 1e-12


