"""The misconception catalogue of ex07-ex12: every wrong function fails, and each one can be told apart.

For every catalogued misconception of lessons 7 to 12 and seeds 0..9: its wrong function (exec'd from
``Misconception.source`` with numpy as ``np``, as the course runs it) scores at most half the points and
fails at least one hidden case; no two misconceptions of one exercise give outputs that match each other
on every case (under the exercise's own ``compare``), so a diagnosis names one of them; and the model
solution keeps full marks. (May be folded into the generic catalogue test after merging.)
"""
from __future__ import annotations

import numpy as np
import pytest

from backprop_course.grading.checking.check import call_inputs, evaluate
from backprop_course.grading.exercises import registry
from backprop_course.grading.sandbox import codec
from backprop_course.grading.sandbox.call import OK, call_case

from grading_helpers import load_function

SEEDS = range(10)
STEMS = ("ex07_symbolic", "ex08_input_grads", "ex09_modes", "ex10_optimizers", "ex11_init", "ex12_digits")
EXERCISES = [ex for stem in STEMS for ex in registry.for_notebook(stem)]
ROWS = [(ex.id, m.name) for ex in EXERCISES for m in ex.misconceptions]


def wrong_function(ex, misconception):
    namespace = {"np": np}
    exec(misconception.source, namespace)  # noqa: S102 - the course's own source
    return namespace[ex.function]


def _misconception(exercise_id, name):
    ex = registry.get(exercise_id)
    return ex, next(m for m in ex.misconceptions if m.name == name)


def outputs(ex, fn, seed):
    """The decoded output of ``fn`` on every case (None where it raised), as the judge sees them."""
    out = []
    for case in ex.cases(seed):
        outcome = call_case(fn, call_inputs(case), ex.id, several=bool(case.calls))
        out.append(codec.decode(outcome.output, inputs=False) if outcome.kind == OK else None)
    return out


def same_on_every_case(ex, a, b) -> bool:
    for x, y in zip(a, b):
        if x is None or y is None:
            if x is not y:
                return False
            continue
        try:
            if not ex.compare(x, y).passed:
                return False
        except Exception:  # noqa: BLE001 - outputs of different structure do not match
            return False
    return True


def test_every_exercise_has_three_misconceptions_and_the_lessons_at_least_twenty_five():
    for ex in EXERCISES:
        assert len(ex.misconceptions) >= 3, ex.id
        names = [m.name for m in ex.misconceptions]
        assert len(set(names)) == len(names), ex.id
        for m in ex.misconceptions:
            assert m.explanation and m.lesson.startswith("lesson ") and f"def {ex.function}(" in m.source
    assert len(ROWS) >= 25


@pytest.mark.parametrize("exercise_id,name", ROWS)
def test_wrong_function_fails_and_scores_at_most_half(exercise_id, name):
    ex, m = _misconception(exercise_id, name)
    fn = wrong_function(ex, m)
    for seed in SEEDS:
        result = evaluate(ex, fn, seed=seed)
        assert result.status in ("failed", "partial"), (seed, result.status, result.message)
        assert result.score <= ex.points / 2, (seed, [(c.name, c.passed, c.message) for c in result.cases])
        assert any(c.hidden and not c.passed for c in result.cases), seed


@pytest.mark.parametrize("exercise_id,name", ROWS)
def test_wrong_function_returns_on_most_cases(exercise_id, name):
    # a diagnosis needs outputs to compare: a wrong function that raises everywhere could never be named
    ex, m = _misconception(exercise_id, name)
    fn = wrong_function(ex, m)
    for seed in SEEDS[:3]:
        outs = outputs(ex, fn, seed)
        assert sum(o is not None for o in outs) > len(outs) / 2, seed


@pytest.mark.parametrize("exercise_id,name", ROWS)
def test_misconception_matches_a_second_run_of_itself(exercise_id, name):
    # what a diagnosis needs: an answer with this mistake matches it on every case, even where the
    # outputs are random (ex11's own-generator row draws other numbers each run: statistics decide)
    ex, m = _misconception(exercise_id, name)
    for seed in SEEDS[:3]:
        first, second = outputs(ex, wrong_function(ex, m), seed), outputs(ex, wrong_function(ex, m), seed)
        assert same_on_every_case(ex, first, second), seed


@pytest.mark.parametrize("exercise_id", [pytest.param(ex.id, marks=pytest.mark.slow) if ex.id.startswith("ex07")
                                         else ex.id for ex in EXERCISES])
def test_no_two_misconceptions_match_on_every_case(exercise_id):
    ex = registry.get(exercise_id)
    fns = [(m.name, wrong_function(ex, m)) for m in ex.misconceptions]
    for seed in SEEDS:
        outs = [(name, outputs(ex, fn, seed)) for name, fn in fns]
        reference = [ex.expected(case) for case in ex.cases(seed)]
        for i, (name_a, a) in enumerate(outs):
            # the reference is told apart from every misconception too
            assert not same_on_every_case(ex, reference, a), (seed, name_a)
            for name_b, b in outs[i + 1:]:
                assert not same_on_every_case(ex, a, b), (seed, name_a, name_b)


# simplify on every correct SymPy answer takes seconds: the ex07 rows join the slow tier
@pytest.mark.parametrize("exercise_id", [pytest.param(ex.id, marks=pytest.mark.slow) if ex.id.startswith("ex07")
                                         else ex.id for ex in EXERCISES])
def test_model_solution_keeps_full_marks(exercise_id):
    ex = registry.get(exercise_id)
    fn = load_function(exercise_id)
    for seed in SEEDS:
        result = evaluate(ex, fn, seed=seed)
        assert result.status == "passed" and result.score == ex.points, (
            seed, [(c.name, c.message) for c in result.cases if not c.passed])


# ---- ex10.nesterov: the learner computes the look-ahead, so the judge's numbers get their own oracles ----

def test_nesterov_gradient_function_is_the_exact_gradient_of_wavy():
    from backprop_course.grading.exercises.ex06b_gradcheck import exact_gradient
    from backprop_course.grading.sandbox import testfunctions

    ex = registry.get("ex10.nesterov")
    for seed in SEEDS:
        for case in ex.cases(seed):
            spec, w0 = case.args[0], np.asarray(case.args[1], dtype=float)
            grad = testfunctions.build("wavy_gradient", spec.params)
            assert np.allclose(grad(w0), exact_gradient("wavy", spec.params, w0), rtol=1e-12, atol=1e-12)
            # and a central difference of the loss "wavy" itself
            f, eps = testfunctions.build("wavy", spec.params), 1e-6
            numeric = np.array([(f(w0 + eps * e) - f(w0 - eps * e)) / (2 * eps)
                                for e in np.eye(w0.size).reshape((w0.size,) + w0.shape)]).reshape(w0.shape)
            assert np.allclose(grad(w0), numeric, rtol=1e-6, atol=1e-7)


def test_nesterov_reference_agrees_with_sgd_storing_the_look_ahead_points():
    # bc.SGD(nesterov=True) keeps u = w + momentum * v as its parameters and needs the gradient at u only;
    # its weights u - momentum * v must move exactly by the reference's changes
    from backprop_course.engine.optim import SGD
    from backprop_course.grading.sandbox import testfunctions

    ex = registry.get("ex10.nesterov")
    for seed in SEEDS:
        for case in ex.cases(seed):
            spec, w0, lr, momentum, steps = case.args
            grad = testfunctions.build("wavy_gradient", spec.params)
            opt = SGD(lr=lr, momentum=momentum, nesterov=True)
            u = [np.array(w0, dtype=float)]
            w_prev, changes = np.array(w0, dtype=float), []
            for _ in range(steps):
                opt.apply(u, opt.compute_update(u, [grad(u[0])]))
                w = u[0] - momentum * opt.velocity[0]
                changes.append(w - w_prev)
                w_prev = w
            assert ex.compare(ex.expected(case), changes).passed, seed


def test_nesterov_public_case_by_hand():
    # grad(w) = c cos(w) + d w + 1/2 (u . w) u with c = (0.5, -1), d = (2, 1.5), u = (1, -0.5); w0 = (1, -2),
    # lr 0.1, momentum 0.9. Step 1: v = 0, so the look-ahead is w0; u . w0 = 1 + 1 = 2;
    # grad = (0.5 cos 1 + 2 + 1, -cos(-2) - 3 - 0.5) = (3.270151, -3.083853); v1 = -0.1 grad = change 1.
    # Step 2: look-ahead = w1 + 0.9 v1 = w0 + 1.9 v1 = (0.378671, -1.414068), where the gradient is taken.
    ex = registry.get("ex10.nesterov")
    changes = ex.expected(ex.public()[0])
    v1 = -0.1 * np.array([0.5 * np.cos(1.0) + 3.0, -np.cos(-2.0) - 3.5])
    assert np.allclose(changes[0], v1)
    look = np.array([1.0, -2.0]) + 1.9 * v1
    g = np.array([0.5, -1.0]) * np.cos(look) + np.array([2.0, 1.5]) * look \
        + 0.5 * (look[0] - 0.5 * look[1]) * np.array([1.0, -0.5])
    assert np.allclose(changes[1], 0.9 * v1 - 0.1 * g)
    assert np.allclose(look, [0.378671, -1.414068], atol=1e-6)


def test_ex07_point_check_never_refutes_a_correct_form():
    # the comparison refutes at a few points before simplify: every correct form must still pass
    import sympy as sp

    from backprop_course.grading.exercises.ex07_symbolic import compare_symbolic

    x, w, a, t = sp.symbols("z w_12 a_j t_i")
    g = 1 / (1 + sp.exp(-x))
    for form in (sp.diff(g, x), g * (1 - g), 1 / (4 * sp.cosh(x / 2) ** 2), sp.exp(x) / (1 + sp.exp(x)) ** 2,
                 (1 - sp.tanh(x / 2) ** 2) / 4):
        assert compare_symbolic(g * (1 - g), form).passed, form
    y = 1 / (1 + sp.exp(-w * a))
    expected = -(t - y) * y * (1 - y) * a
    for form in (sp.diff((t - y) ** 2 / 2, w), (y - t) * a * sp.exp(-w * a) / (1 + sp.exp(-w * a)) ** 2):
        assert compare_symbolic(expected, form).passed, form
    assert not compare_symbolic(expected, 2 * expected).passed
