"""Every check passes its model solution and rejects planted bugs (at least two per exercise).

The solutions come from exercises/solutions/*.ipynb; each bug is a small, realistic slip written as
source code run after the notebook's setup cell. The hidden cases are drawn from several seeds.
An exercise's catalogued misconceptions (``Exercise.misconceptions``) count as its planted bugs and are
tested, more strictly, in test_misconceptions.py; BUGS holds only the slips the catalogue does not (a
hard-coded answer, a slip that raises so there is nothing to diagnose) and those of exercises not yet
catalogued.
"""
from __future__ import annotations

import pytest

from backprop_course.grading.exercises import registry
from backprop_course.grading.checking.check import evaluate

from grading_helpers import load_function

SEEDS = (0, 1, 2)

BUGS = {
    "ex02.graph": {
        "hard-coded seed numbers": "def graph_forward_backward(x, y, z):\n    return (3.0, -12.0, -4.0, -4.0, 3.0)",
    },
    "ex06.mlp_backward": {
        # with distinct layer sizes this raises, so there is no output to diagnose; it must still fail
        "w^n instead of w^(n+1) (the 2017 note's eq. 10)": None,
    },
    "ex07.sigmoid_derivative": {
        "plus instead of minus": "def sigmoid_derivative(x):\n    g = 1 / (1 + sp.exp(-x))\n    return g * (1 + g)",
        "the sigmoid itself": "def sigmoid_derivative(x):\n    return 1 / (1 + sp.exp(-x))",
        "fixed symbol name": "def sigmoid_derivative(x):\n    x = sp.Symbol('x')\n    return sp.diff(1 / (1 + sp.exp(-x)), x)",
    },
    "ex07.weight_gradient": {
        "sign error": ("def neuron_weight_gradient(w, a, t):\n    y = 1 / (1 + sp.exp(-w * a))\n"
                       "    return (t - y) * y * (1 - y) * a"),
        "missing input factor": ("def neuron_weight_gradient(w, a, t):\n    y = 1 / (1 + sp.exp(-w * a))\n"
                                 "    return -(t - y) * y * (1 - y)"),
    },
    "ex08.input_gradient": {
        "sign error (e used as delta)": "def input_gradient(e, W):\n    return e @ W",
        "transposed result": "def input_gradient(e, W):\n    return -(e @ W).T",
        "sum over the wrong axis": "def input_gradient(e, W):\n    return -(e.sum(axis=1, keepdims=True) * W.sum(axis=0))",
    },
    "ex08.network_input_gradient": {
        "extra g' at the inputs": None,  # filled below from the solution by text edits
        "missing f' in hidden layers": None,
        "sign error": None,
        "forgotten bias in the forward pass": None,
    },
    "ex08.nudge_table": {
        "all inputs moved at once": None,
        "prediction without the step": None,
        "prediction with the wrong sign": None,
        "input not put back (cumulative nudges)": None,
    },
    "ex09.epoch_batches": {
        "no reshuffle between epochs": (
            "def epoch_batches(mode, n, batch_size, epochs, seed):\n"
            "    order = np.random.default_rng(seed).permutation(n)\n    out = []\n    for _ in range(epochs):\n"
            "        if mode == 'batch':\n            out.append([np.arange(n)])\n"
            "        elif mode == 'online':\n            out.append([[i] for i in order])\n"
            "        else:\n            out.append([np.sort(order[s:s + batch_size]) for s in range(0, n, batch_size)])\n"
            "    return out"),
        "new generator every epoch": (
            "def epoch_batches(mode, n, batch_size, epochs, seed):\n    out = []\n    for _ in range(epochs):\n"
            "        order = np.random.default_rng(seed).permutation(n)\n"
            "        if mode == 'batch':\n            out.append([np.arange(n)])\n"
            "        elif mode == 'online':\n            out.append([[i] for i in order])\n"
            "        else:\n            out.append([np.sort(order[s:s + batch_size]) for s in range(0, n, batch_size)])\n"
            "    return out"),
        "drops the short last mini-batch": (
            "def epoch_batches(mode, n, batch_size, epochs, seed):\n    rng = np.random.default_rng(seed)\n    out = []\n"
            "    for _ in range(epochs):\n        if mode == 'batch':\n            out.append([np.arange(n)])\n            continue\n"
            "        order = rng.permutation(n)\n        if mode == 'online':\n            out.append([[i] for i in order])\n"
            "        else:\n            out.append([np.sort(order[s:s + batch_size]) for s in range(0, n - batch_size + 1, batch_size)])\n"
            "    return out"),
        "online in index order": (
            "def epoch_batches(mode, n, batch_size, epochs, seed):\n    rng = np.random.default_rng(seed)\n    out = []\n"
            "    for _ in range(epochs):\n        if mode == 'batch':\n            out.append([np.arange(n)])\n            continue\n"
            "        order = rng.permutation(n)\n        if mode == 'online':\n            out.append([[i] for i in range(n)])\n"
            "        else:\n            out.append([np.sort(order[s:s + batch_size]) for s in range(0, n, batch_size)])\n"
            "    return out"),
    },
    "ex09.per_sample_gradients": {
        "outer product transposed": None,
        "batch gradient repeated for every sample": None,
        "missing f'": None,
    },
    "ex09.train_epoch": {
        "mean instead of sum": None,
        "every gradient at the starting weights": None,
        "one update for the whole epoch": None,
        "sign error": None,
    },
    "ex10.momentum": {
        "sign error": ("def momentum_updates(grads, lr, momentum):\n    out, p = [], 0 * grads[0]\n"
                       "    for g in grads:\n        p = lr * g + momentum * p\n        out.append(p)\n    return out"),
        "no momentum": "def momentum_updates(grads, lr, momentum):\n    return [-lr * g for g in grads]",
    },
    "ex10.nesterov": {
        "plain momentum": ("def nesterov_updates(grad, w0, lr, momentum, steps):\n    out, w, v = [], w0.copy(), 0 * w0\n"
                           "    for _ in range(steps):\n        v = momentum * v - lr * grad(w)\n        w = w + v\n"
                           "        out.append(v)\n    return out"),
        "look-ahead along the whole velocity": (
            "def nesterov_updates(grad, w0, lr, momentum, steps):\n    out, w, v = [], w0.copy(), 0 * w0\n"
            "    for _ in range(steps):\n        v = momentum * v - lr * grad(w + v)\n        w = w + v\n"
            "        out.append(v)\n    return out"),
    },
    "ex10.rprop": {
        "fixed step size": "def rprop_updates(grads, step_init, step_min, step_max):\n    return [-np.sign(g) * step_init for g in grads]",
        "moves on a sign flip (Rprop-)": (
            "def rprop_updates(grads, step_init, step_min, step_max):\n    s = np.full_like(grads[0], step_init); p = 0 * grads[0]; out = []\n"
            "    for g in grads:\n        a = p * g\n        s = np.where(a > 0, np.minimum(s * 1.2, step_max), np.where(a < 0, np.maximum(s * 0.5, step_min), s))\n"
            "        out.append(-np.sign(g) * s); p = g\n    return out"),
        "ignores the bounds": (
            "def rprop_updates(grads, step_init, step_min, step_max):\n    s = np.full_like(grads[0], step_init); p = 0 * grads[0]; out = []\n"
            "    for g in grads:\n        a = p * g\n        s = np.where(a > 0, s * 1.2, np.where(a < 0, s * 0.5, s))\n"
            "        out.append(np.where(a < 0, 0.0, -np.sign(g) * s)); p = np.where(a < 0, 0.0, g)\n    return out"),
    },
    "ex11.xavier_uniform": {
        "transposed shape": "def xavier_uniform(fan_in, fan_out, rng):\n    r = np.sqrt(6 / (fan_in + fan_out))\n    return rng.uniform(-r, r, size=(fan_in, fan_out))",
        "variance from fan_in only": "def xavier_uniform(fan_in, fan_out, rng):\n    r = np.sqrt(3 / fan_in)\n    return rng.uniform(-r, r, size=(fan_out, fan_in))",
        "ignores the rng": "def xavier_uniform(fan_in, fan_out, rng):\n    r = np.sqrt(6 / (fan_in + fan_out))\n    return np.random.uniform(-r, r, size=(fan_out, fan_in))",
        "normal instead of uniform": "def xavier_uniform(fan_in, fan_out, rng):\n    return rng.normal(0, np.sqrt(2 / (fan_in + fan_out)), size=(fan_out, fan_in))",
    },
    "ex12.one_hot_split": {
        "test part taken from the end": None,  # filled below from the solution by text edits
        "truncates instead of rounding": None,
        "number of classes read off the labels": None,
        "targets split in file order": None,
    },
    "ex12.accuracy_confusion": {
        "rows and columns swapped": None,
        "repeated pairs counted once": None,
        "accuracy as a count": None,
        "answer from the smallest output": None,
    },
    "ex12.train_mlp": {
        "mean instead of sum": None,
        "sigmoid slope for tanh layers": None,
        "slope of the layer above": None,
        "missing f' in hidden layers": None,
        "each layer updated during the backward pass": None,
        "biases never updated": None,
        "loss without the 1/2": None,
    },
}


# Bugs written as text edits of a model solution: (old, new) pairs applied in order.
EDITS = {
    "ex06.mlp_backward": {
        "w^n instead of w^(n+1) (the 2017 note's eq. 10)": [
            ("delta = upstream * a * (1.0 - a)", "delta = (delta @ weights[l - 1]) * a * (1.0 - a)")],
    },
    "ex08.network_input_gradient": {
        "extra g' at the inputs": [("return delta @ weights[0]", "return (delta @ weights[0]) * X * (1.0 - X)")],
        "missing f' in hidden layers": [("delta = (delta @ weights[l]) * a * (1.0 - a)", "delta = delta @ weights[l]")],
        "sign error": [("delta = -(T - Y) * Y * (1.0 - Y)", "delta = (T - Y) * Y * (1.0 - Y)")],
        "forgotten bias in the forward pass": [("activations[-1] @ W.T + b", "activations[-1] @ W.T")],
    },
    "ex08.nudge_table": {
        "all inputs moved at once": [("shifted[0, i] += dx", "shifted[0, :] += dx")],
        "prediction without the step": [("return (grad * dx, measured)", "return (grad, measured)")],
        "prediction with the wrong sign": [("return (grad * dx, measured)", "return (-grad * dx, measured)")],
        "input not put back (cumulative nudges)": [("shifted = X.copy()", "shifted = X")],
    },
    "ex09.per_sample_gradients": {
        "outer product transposed": [("deltas[:, :, None] * X[:, None, :]", "X[:, :, None] * deltas[:, None, :]")],
        "batch gradient repeated for every sample": [
            ("return deltas[:, :, None] * X[:, None, :]", "return np.repeat((deltas.T @ X)[None], len(X), axis=0)")],
        "missing f'": [("deltas = -(T - Y) * Y * (1.0 - Y)", "deltas = -(T - Y)")],
    },
    "ex09.train_epoch": {
        "mean instead of sum": [("gradient = deltas.T @ Xb", "gradient = deltas.T @ Xb / len(idx)")],
        "every gradient at the starting weights": [("    history = []\n", "    history = []\n    W0 = W.copy()\n"),
                                                   ("np.exp(-(Xb @ W.T))", "np.exp(-(Xb @ W0.T))")],
        "one update for the whole epoch": [("for idx in batches:", "for idx in [sum(batches, [])]:")],
        "sign error": [("W = W - lr * gradient", "W = W + lr * gradient")],
    },
}


def _edited_bug(exercise_id: str, name: str) -> str:
    from grading_helpers import cells_by_role, solution_notebook

    notebook = registry.get(exercise_id).notebook
    source = cells_by_role(solution_notebook(notebook), "solution", exercise_id)[0].source
    for old, new in EDITS[exercise_id][name]:
        assert old in source, f"the solution changed; update the planted bug {name!r}"
        source = source.replace(old, new)
    return source


EDITS.update({
    "ex12.one_hot_split": {
        "test part taken from the end": [("test, train = order[:n_test], order[n_test:]",
                                          "train, test = order[:n - n_test], order[n - n_test:]")],
        "truncates instead of rounding": [("int(round(n * test_fraction))", "int(n * test_fraction)")],
        "number of classes read off the labels": [("np.eye(n_classes)[labels]", "np.eye(labels.max() + 1)[labels]")],
        "targets split in file order": [("T[train], T[test]", "T[:len(train)], T[len(train):]")],
    },
    "ex12.accuracy_confusion": {
        "rows and columns swapped": [("(true, predicted), 1)", "(predicted, true), 1)")],
        "repeated pairs counted once": [("np.add.at(confusion, (true, predicted), 1)", "confusion[true, predicted] += 1")],
        "accuracy as a count": [("float(np.mean(predicted == true))", "float(np.sum(predicted == true))")],
        "answer from the smallest output": [("Y.argmax(axis=1)", "Y.argmin(axis=1)")],
    },
    "ex12.train_mlp": {
        "mean instead of sum": [("grad_w[l] = delta.T @ outs[l]", "grad_w[l] = delta.T @ outs[l] / len(idx)"),
                                ("grad_b[l] = delta.sum(axis=0)", "grad_b[l] = delta.mean(axis=0)")],
        "sigmoid slope for tanh layers": [('return 1.0 - a * a if name == "tanh" else a * (1.0 - a)',
                                           "return a * (1.0 - a)")],
        "slope of the layer above": [("slope(activations[l - 1], outs[l])", "slope(activations[l], outs[l])")],
        "missing f' in hidden layers": [("delta = (delta @ weights[l]) * slope(activations[l - 1], outs[l])",
                                         "delta = delta @ weights[l]")],
        "each layer updated during the backward pass": [
            ("            grad_b[l] = delta.sum(axis=0)",
             "            grad_b[l] = delta.sum(axis=0)\n            weights[l] = weights[l] - lr * grad_w[l]\n"
             "            biases[l] = biases[l] - lr * grad_b[l]"),
            ("        for l in range(L):", "        for l in []:")],
        "biases never updated": [("biases[l] = biases[l] - lr * grad_b[l]", "biases[l] = biases[l]")],
        "loss without the 1/2": [("0.5 * np.sum((Tb - Y) ** 2)", "np.sum((Tb - Y) ** 2)")],
    },
})


BUGS.update({
    "ex15.affine_backward": {
        # raises on every case (no square W among them), so the catalogue cannot name it: a planted bug
        "input gradient through W.T": "def affine_backward(upstream, X, W):\n    return (upstream @ W.T, upstream.T @ X, upstream.sum(axis=0))",
        "dW from the upstream gradient alone": (
            "def affine_backward(upstream, X, W):\n    return (upstream @ W, upstream.T @ upstream @ W, upstream.sum(axis=0))"),
        "sign error": "def affine_backward(upstream, X, W):\n    return (-(upstream @ W), -(upstream.T @ X), -upstream.sum(axis=0))",
        "bias gradient summed over the wrong axis": (
            "def affine_backward(upstream, X, W):\n    return (upstream @ W, upstream.T @ X, upstream.sum(axis=1))"),
    },
    "ex15.bias_backward": {
        "sums everything": "def bias_backward(upstream, shape):\n    return np.full(shape, upstream.sum())",
        "returns the upstream gradient unchanged": "def bias_backward(upstream, shape):\n    return upstream",
    },
    "ex15.two_layer": {
        "ReLU gate opened at 0 too": None,  # filled below from the solution by text edits
        "loss without the 1/2": None,
        "sign error": None,
    },
})
EDITS.update({
    "ex15.two_layer": {
        "ReLU gate opened at 0 too": [("self.open = Z > 0", "self.open = Z >= 0")],
        "loss without the 1/2": [("loss = 0.5 * np.sum((T - Y) ** 2)", "loss = np.sum((T - Y) ** 2)")],
        "sign error": [("grad = -(T - Y)", "grad = T - Y")],
    },
})
# An exercise that catalogues its misconceptions (the wrong functions a learner would write) in its own
# module takes them as its planted bugs.
for _ex in registry.all_exercises().values():
    if _ex.misconceptions and _ex.id not in BUGS:
        BUGS[_ex.id] = {m.name: m.source for m in _ex.misconceptions}


CASES = [(ex_id, bug) for ex_id, bugs in BUGS.items() for bug in bugs]


ALL_IDS = list(registry.all_exercises())


@pytest.mark.parametrize("exercise_id", ALL_IDS)
def test_every_exercise_has_at_least_two_planted_bugs(exercise_id):
    assert len(BUGS.get(exercise_id, {})) + len(registry.get(exercise_id).misconceptions) >= 2


def test_every_bug_is_of_a_registered_exercise():
    assert set(BUGS) <= set(ALL_IDS)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("exercise_id", ALL_IDS)
def test_solution_passes_every_case(exercise_id, seed):
    ex = registry.get(exercise_id)
    result = evaluate(ex, load_function(exercise_id), seed=seed)
    failed = [(c.name, c.message) for c in result.cases if not c.passed]
    assert result.status == "passed", failed
    assert result.score == ex.points
    assert any(c.hidden for c in result.cases) and any(not c.hidden for c in result.cases)


@pytest.mark.parametrize("exercise_id,bug", CASES)
def test_planted_bug_is_rejected(exercise_id, bug):
    source = BUGS[exercise_id][bug] or _edited_bug(exercise_id, bug)
    ex = registry.get(exercise_id)
    result = evaluate(ex, load_function(exercise_id, source), seed=0)
    assert result.status in ("failed", "partial"), result.status
    assert result.score < ex.points
    # a bug is caught by a hidden case too, so hard-coding the public answers would not save it
    assert any(c.hidden and not c.passed for c in result.cases)
