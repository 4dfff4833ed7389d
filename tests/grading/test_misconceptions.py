"""The catalogued misconceptions: each wrong function fails a case and earns at most half the points.

Every row is a classic mistake written as a whole function (or as text edits of the model solution).
The hidden cases must be chosen so that none of them scores more than half an exercise's points: a mean
instead of a sum must meet a case with several samples, a layer-index slip a network with two weight
layers, and so on. Each row runs through ``evaluate`` (what ``bc.check`` prints) for several seeds, and
through the grader (``grade_many`` on a solution notebook whose cell holds the wrong function); every
model solution keeps full marks in both.
"""
from __future__ import annotations

import copy

import nbformat
import pytest

from backprop_course.grading.checking.check import evaluate
from backprop_course.grading.exercises import registry

from grading_helpers import META, cells_by_role, load_function, solution_notebook

SEEDS = range(20)
GRADER_SEED = 2026

SIG = ("    e = np.exp(-np.abs(z))\n"
       "    g = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))\n")

# exercise id -> {misconception: function source, or [(old, new), ...] edits of the model solution}
WRONG = {
    "ex03.sigmoid": {
        "sign flip in the exponent": "def sigmoid(z):\n    return 1 / (1 + np.exp(z))",
        "tanh instead": "def sigmoid(z):\n    return np.tanh(z)",
        "tanh form without the 1/2 inside": "def sigmoid(z):\n    return 0.5 * (1 + np.tanh(z))",
    },
    "ex03.sigmoid_prime": {
        "formula applied to z": "def sigmoid_prime(z):\n    return z * (1 - z)",
        "g instead of g'": "def sigmoid_prime(z):\n" + SIG + "    return g",
        "plus instead of minus": "def sigmoid_prime(z):\n" + SIG + "    return g * (1 + g)",
        "sign flip": "def sigmoid_prime(z):\n" + SIG + "    return -g * (1 - g)",
        "tanh's rule 1 - g^2": "def sigmoid_prime(z):\n" + SIG + "    return 1 - g ** 2",
        "tanh form without the 1/2 inside": "def sigmoid_prime(z):\n    return (1 - np.tanh(z) ** 2) / 4",
    },
    "ex03.neuron_forward": {
        "forgotten bias": "def neuron_forward(w, X, b):\n    n = X @ w\n    return (n, 1 / (1 + np.exp(-n)))",
        "no activation": "def neuron_forward(w, X, b):\n    n = X @ w + b\n    return (n, n)",
        "mean instead of sum over inputs": (
            "def neuron_forward(w, X, b):\n    n = np.mean(X * w, axis=1) + b\n    return (n, 1 / (1 + np.exp(-n)))"),
        "bias added after the activation": (
            "def neuron_forward(w, X, b):\n    n = X @ w\n    return (n + b, 1 / (1 + np.exp(-n)) + b)"),
    },
    "ex04.step": {
        "steps uphill (sign flip)": "def descent_step(w, grad, lr):\n    d = lr * grad\n    return (d, w + d)",
        "forgets the learning rate": "def descent_step(w, grad, lr):\n    return (-grad, w - grad)",
        "extra 2 from the bowl's gradient": "def descent_step(w, grad, lr):\n    d = -2 * lr * grad\n    return (d, w + d)",
        "returns the update as the new weights": "def descent_step(w, grad, lr):\n    d = -lr * grad\n    return (d, d)",
    },
    "ex04.path": {
        "missing 2 (gradient a w)": [("grad = 2.0 * a * w", "grad = a * w")],
        "start point left out": [("path = [w.copy()]", "path = []")],
        "one step too many": [("for _ in range(steps):", "for _ in range(steps + 1):")],
        "gradient always at w0": [("grad = 2.0 * a * w ", "grad = 2.0 * a * np.asarray(w0) ")],
        "steps uphill (sign flip)": [("w = w - lr * grad", "w = w + lr * grad")],
    },
    "ex04.lr_limits": {
        "flattest direction instead of steepest": [("steepest = np.max(a)", "steepest = np.min(a)")],
        "last curvature instead of the largest": [("steepest = np.max(a)", "steepest = a[-1]")],
        "first curvature instead of the largest": [("steepest = np.max(a)", "steepest = a[0]")],
        "mean curvature": [("steepest = np.max(a)", "steepest = np.mean(a)")],
        "factor 2 forgotten": [("1.0 / (2.0 * steepest)", "1.0 / steepest"), ("converge = 1.0 / steepest", "converge = 2.0 / steepest")],
    },
    "ex06.output_delta": {
        "sign flip": "def output_delta(a, t):\n    return (t - a) * a * (1 - a)",
        "missing f'": "def output_delta(a, t):\n    return -(t - a)",
        "extra 2 (E without the 1/2)": "def output_delta(a, t):\n    return -2 * (t - a) * a * (1 - a)",
        "mean over samples (MSE)": "def output_delta(a, t):\n    return -(t - a) * a * (1 - a) / len(a)",
        "g' applied to the activation again": (
            "def output_delta(a, t):\n    g = 1 / (1 + np.exp(-a))\n    return -(t - a) * g * (1 - g)"),
    },
    "ex06.hidden_delta": {
        "missing transpose (W.T)": "def hidden_delta(a, W, d):\n    return (d @ W.T) * a * (1 - a)",
        "missing f'": "def hidden_delta(a, W, d):\n    return d @ W",
        "sign flip": "def hidden_delta(a, W, d):\n    return -(d @ W) * a * (1 - a)",
        "mean over samples": "def hidden_delta(a, W, d):\n    return (d @ W) * a * (1 - a) / len(a)",
        "g instead of g'": "def hidden_delta(a, W, d):\n    return (d @ W) * a",
    },
    "ex06.weight_gradient": {
        "transposed product": "def weight_gradient(delta, a_prev):\n    return a_prev.T @ delta",
        "mean instead of sum": "def weight_gradient(delta, a_prev):\n    return delta.T @ a_prev / len(delta)",
        "sign flip": "def weight_gradient(delta, a_prev):\n    return -(delta.T @ a_prev)",
        "last sample only": "def weight_gradient(delta, a_prev):\n    return np.outer(delta[-1], a_prev[-1])",
    },
    "ex06.mlp_backward": {
        "mean instead of sum": [("grad_w[l] = delta.T @ activations[l]", "grad_w[l] = delta.T @ activations[l] / len(X)"),
                                ("grad_b[l] = delta.sum(axis=0)", "grad_b[l] = delta.mean(axis=0)")],
        "w^n instead of w^(n+1) (the 2017 note's eq. 10)": [
            ("delta = upstream * a * (1.0 - a)", "delta = (delta @ weights[l - 1]) * a * (1.0 - a)")],
        "missing f' in hidden layers": [("delta = upstream * a * (1.0 - a)", "delta = upstream")],
        "sign flip": [("delta = -(T - Y) * Y * (1.0 - Y)", "delta = (T - Y) * Y * (1.0 - Y)")],
        "extra 2 (E without the 1/2)": [("delta = -(T - Y) * Y * (1.0 - Y)", "delta = -2 * (T - Y) * Y * (1.0 - Y)")],
        "bias gradient of the first sample only": [("grad_b[l] = delta.sum(axis=0)", "grad_b[l] = delta[0]")],
        "forgotten bias in the forward pass": [("activations[-1] @ W.T + b", "activations[-1] @ W.T")],
    },
    "ex08.input_gradient": {
        "sign flip (e used as delta)": "def input_gradient(e, W):\n    return e @ W",
        "transposed result": "def input_gradient(e, W):\n    return -(e @ W).T",
        "sum over the wrong axis": "def input_gradient(e, W):\n    return -(e.sum(axis=1, keepdims=True) * W.sum(axis=0))",
        "summed over the samples": "def input_gradient(e, W):\n    return -(e.sum(axis=0, keepdims=True) @ W) + 0 * e[:, :1]",
    },
    "ex08.network_input_gradient": {
        "extra g' at the inputs": [("return delta @ weights[0]", "return (delta @ weights[0]) * X * (1.0 - X)")],
        "missing f' in hidden layers": [("delta = (delta @ weights[l]) * a * (1.0 - a)", "delta = delta @ weights[l]")],
        "w^n instead of w^(n+1)": [("delta = (delta @ weights[l]) * a * (1.0 - a)",
                                    "delta = (delta @ weights[l - 1].T) * a * (1.0 - a)")],
        "sign flip": [("delta = -(T - Y) * Y * (1.0 - Y)", "delta = (T - Y) * Y * (1.0 - Y)")],
        "mean over samples": [("return delta @ weights[0]", "return delta @ weights[0] / len(X)")],
        "forgotten bias in the forward pass": [("activations[-1] @ W.T + b", "activations[-1] @ W.T")],
    },
    "ex08.nudge_table": {
        "all inputs moved at once": [("shifted[0, i] += dx", "shifted[0, :] += dx")],
        "prediction without the step": [("return (grad * dx, measured)", "return (grad, measured)")],
        "prediction with the wrong sign": [("return (grad * dx, measured)", "return (-grad * dx, measured)")],
        "input not put back (cumulative nudges)": [("shifted = X.copy()", "shifted = X")],
        "missing f' in hidden layers": [("delta = (delta @ weights[l]) * a * (1.0 - a)", "delta = delta @ weights[l]")],
    },
    "ex09.epoch_batches": {
        "no reshuffle between epochs": [
            ("    schedule = []\n", "    schedule = []\n    order = rng.permutation(n)\n"),
            ("        order = rng.permutation(n)               # a fresh order every epoch\n", "")],
        "new generator every epoch": [
            ("        order = rng.permutation(n)", "        order = np.random.default_rng(seed).permutation(n)")],
        "drops the short last mini-batch": [("range(0, n, batch_size)", "range(0, n - batch_size + 1, batch_size)")],
        "online in index order": [("[order[u:u + 1] for u in range(n)]", "[np.array([u]) for u in range(n)]")],
        "batch mode shuffled too": [("schedule.append([np.arange(n)])", "schedule.append([rng.permutation(n)])")],
        "mini-batches not sorted": [("np.sort(order[s:s + batch_size])", "order[s:s + batch_size]")],
    },
    "ex09.per_sample_gradients": {
        "outer product transposed": [("deltas[:, :, None] * X[:, None, :]", "X[:, :, None] * deltas[:, None, :]")],
        "batch gradient repeated for every sample": [
            ("return deltas[:, :, None] * X[:, None, :]", "return np.repeat((deltas.T @ X)[None], len(X), axis=0)")],
        "missing f'": [("deltas = -(T - Y) * Y * (1.0 - Y)", "deltas = -(T - Y)")],
        "sign flip": [("deltas = -(T - Y) * Y * (1.0 - Y)", "deltas = (T - Y) * Y * (1.0 - Y)")],
    },
    "ex09.train_epoch": {
        "mean instead of sum": [("gradient = deltas.T @ Xb", "gradient = deltas.T @ Xb / len(idx)")],
        "every gradient at the starting weights": [("    history = []\n", "    history = []\n    W0 = W.copy()\n"),
                                                   ("np.exp(-(Xb @ W.T))", "np.exp(-(Xb @ W0.T))")],
        "one update for the whole epoch": [("for idx in batches:", "for idx in [sum(batches, [])]:")],
        "sign flip": [("W = W - lr * gradient", "W = W + lr * gradient")],
        "missing f'": [("deltas = -(Tb - Y) * Y * (1.0 - Y)", "deltas = -(Tb - Y)")],
    },
}

ROWS = [(ex_id, name) for ex_id, rows in WRONG.items() for name in rows]


def wrong_source(exercise_id: str, name: str) -> str:
    """The source of one wrong function: given whole, or made by editing the model solution."""
    row = WRONG[exercise_id][name]
    if isinstance(row, str):
        return row
    notebook = registry.get(exercise_id).notebook
    source = cells_by_role(solution_notebook(notebook), "solution", exercise_id)[0].source
    for old, new in row:
        assert old in source, f"the solution changed; update the wrong function {name!r}"
        source = source.replace(old, new)
    return source


def test_the_table_has_at_least_three_rows_per_exercise():
    for ex_id, rows in WRONG.items():
        assert len(rows) >= 3, ex_id
    for stem in ("ex03_neuron", "ex04_descent", "ex06_backprop", "ex08_input_grads", "ex09_modes"):
        assert {ex.id for ex in registry.for_notebook(stem)} <= set(WRONG), stem


@pytest.mark.parametrize("exercise_id,name", ROWS)
def test_wrong_function_scores_at_most_half(exercise_id, name):
    ex = registry.get(exercise_id)
    fn = load_function(exercise_id, wrong_source(exercise_id, name))
    for seed in SEEDS:
        result = evaluate(ex, fn, seed=seed)
        assert result.status in ("failed", "partial"), (seed, result.status, result.message)
        assert result.score <= ex.points / 2, (seed, [(c.name, c.passed) for c in result.cases])
        assert any(c.hidden and not c.passed for c in result.cases), seed


@pytest.mark.parametrize("exercise_id", list(WRONG))
def test_reference_scores_full_marks(exercise_id):
    ex = registry.get(exercise_id)
    fn = load_function(exercise_id)
    for seed in SEEDS:
        result = evaluate(ex, fn, seed=seed)
        assert result.status == "passed" and result.score == ex.points, (
            seed, [(c.name, c.message) for c in result.cases if not c.passed])


# ---- through the grader: one notebook per stem and row number, each exercise holding its k-th row ----

def _variants() -> dict[tuple[str, int], dict[str, str]]:
    """(notebook stem, k) -> {exercise id: misconception name} for the k-th row of every exercise."""
    out: dict[tuple[str, int], dict[str, str]] = {}
    for ex_id, rows in WRONG.items():
        stem = registry.get(ex_id).notebook
        for k, name in enumerate(rows):
            out.setdefault((stem, k), {})[ex_id] = name
    return out


VARIANTS = _variants()
STEMS = sorted({stem for stem, _ in VARIANTS})


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    from backprop_course.grading.grader import grade_many

    tmp = tmp_path_factory.mktemp("misconceptions")
    paths = {}
    for (stem, k), chosen in VARIANTS.items():
        nb = copy.deepcopy(solution_notebook(stem))
        for cell in nb.cells:
            meta = cell.metadata.get(META, {})
            if meta.get("role") == "solution" and meta.get("exercise") in chosen:
                cell.source = wrong_source(meta["exercise"], chosen[meta["exercise"]])
        path = tmp / f"{stem}-wrong{k}.ipynb"
        nbformat.write(nb, path)
        paths[(stem, k)] = path
    for stem in STEMS:
        path = tmp / f"{stem}-solution.ipynb"
        nbformat.write(solution_notebook(stem), path)
        paths[(stem, None)] = path
    keys = list(paths)
    reports = grade_many([paths[k] for k in keys], seed=GRADER_SEED, timeout=60, jobs=2, progress=False)
    return dict(zip(keys, reports))


@pytest.mark.slow
@pytest.mark.parametrize("stem,k", list(VARIANTS))
def test_grader_gives_wrong_functions_at_most_half(graded, stem, k):
    report = graded[(stem, k)]
    assert report.status == "graded", report.error
    chosen = VARIANTS[(stem, k)]
    for result in report.exercises:
        if result.id in chosen:
            name = chosen[result.id]
            assert result.status in ("failed", "partial"), (result.id, name, result.status, result.message)
            assert result.score <= result.max_score / 2, (result.id, name, [c.passed for c in result.cases])
            assert any(c.hidden and not c.passed for c in result.cases), (result.id, name)
        else:  # the exercises left as solved keep their full marks
            assert result.status == "passed" and result.score == result.max_score, (result.id, result.message)


@pytest.mark.slow
@pytest.mark.parametrize("stem", STEMS)
def test_grader_gives_the_solutions_full_marks(graded, stem):
    report = graded[(stem, None)]
    assert report.status == "graded" and report.exercises
    for result in report.exercises:
        assert result.status == "passed" and result.score == result.max_score, (result.id, result.message)
