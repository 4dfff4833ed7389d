"""Every check passes its model solution and rejects planted bugs (at least two per exercise).

The solutions come from exercises/solutions/*.ipynb; each bug is a small, realistic slip written as
source code run after the notebook's setup cell. The hidden cases are drawn from several seeds.
"""
from __future__ import annotations

import pytest

from backprop_course.grading.exercises import registry
from backprop_course.grading.checking.check import evaluate

from grading_helpers import load_function

SEEDS = (0, 1, 2)

BUGS = {
    "ex02.graph": {
        "df/dz is z instead of q": "def graph_forward_backward(x, y, z):\n    q = x + y\n    return (q, q * z, z, z, z)",
        "sign error": "def graph_forward_backward(x, y, z):\n    q = x + y\n    return (q, q * z, -z, -z, q)",
        "hard-coded seed numbers": "def graph_forward_backward(x, y, z):\n    return (3.0, -12.0, -4.0, -4.0, 3.0)",
    },
    "ex02.add_gate": {
        "ignores upstream": "def add_gate_backward(x, y, upstream):\n    return (1.0 + 0 * x, 1.0 + 0 * y)",
        "treated as multiply": "def add_gate_backward(x, y, upstream):\n    return (upstream * y, upstream * x)",
    },
    "ex02.mul_gate": {
        "inputs swapped": "def mul_gate_backward(x, y, upstream):\n    return (upstream * x, upstream * y)",
        "ignores upstream": "def mul_gate_backward(x, y, upstream):\n    return (y, x)",
    },
    "ex03.sigmoid": {
        "sign error": "def sigmoid(z):\n    return 1 / (1 + np.exp(z))",
        "tanh instead": "def sigmoid(z):\n    return np.tanh(z)",
    },
    "ex03.sigmoid_prime": {
        "formula applied to z": "def sigmoid_prime(z):\n    return z * (1 - z)",
        "missing derivative": "def sigmoid_prime(z):\n    return 1 / (1 + np.exp(-z))",
        "plus instead of minus": "def sigmoid_prime(z):\n    g = 1 / (1 + np.exp(-z))\n    return g * (1 + g)",
    },
    "ex03.neuron_forward": {
        "forgotten bias": "def neuron_forward(w, X, b):\n    n = X @ w\n    return (n, 1 / (1 + np.exp(-n)))",
        "no activation": "def neuron_forward(w, X, b):\n    n = X @ w + b\n    return (n, n)",
    },
    "ex04.step": {
        "steps uphill": "def descent_step(w, grad, lr):\n    d = lr * grad\n    return (d, w + d)",
        "forgets the learning rate": "def descent_step(w, grad, lr):\n    return (-grad, w - grad)",
        "returns the update as the new weights": "def descent_step(w, grad, lr):\n    d = -lr * grad\n    return (d, d)",
    },
    "ex04.path": {
        "gradient a w instead of 2 a w": (
            "def descent_path(w0, a, lr, steps):\n    w = np.array(w0, dtype=float); out = [w.copy()]\n"
            "    for _ in range(steps):\n        w = w - lr * a * w; out.append(w.copy())\n    return np.array(out)"),
        "start point left out": (
            "def descent_path(w0, a, lr, steps):\n    w = np.array(w0, dtype=float); out = []\n"
            "    for _ in range(steps):\n        w = w - lr * 2 * a * w; out.append(w.copy())\n    return np.array(out)"),
        "one step too many": (
            "def descent_path(w0, a, lr, steps):\n    w = np.array(w0, dtype=float); out = [w.copy()]\n"
            "    for _ in range(steps + 1):\n        w = w - lr * 2 * a * w; out.append(w.copy())\n    return np.array(out)"),
        "every row the same array (no copy)": (
            "def descent_path(w0, a, lr, steps):\n    w = np.array(w0, dtype=float); out = [w]\n"
            "    for _ in range(steps):\n        w -= lr * 2 * a * w; out.append(w)\n    return np.array(out)"),
    },
    "ex04.lr_limits": {
        "flattest direction instead of steepest": "def learning_rate_limits(a):\n    return (1 / (2 * np.min(a)), 1 / np.min(a))",
        "factor 2 forgotten": "def learning_rate_limits(a):\n    return (1 / np.max(a), 2 / np.max(a))",
        "limits swapped": "def learning_rate_limits(a):\n    return (1 / np.max(a), 1 / (2 * np.max(a)))",
        "mean curvature": "def learning_rate_limits(a):\n    return (1 / (2 * np.mean(a)), 1 / np.mean(a))",
    },
    "ex05.chain_derivative": {
        "local derivatives taken at x": None,  # filled below from the solution by text edits
        "sum instead of product": None,
        "sigmoid slope from the incoming value": None,
        "mul link's constant dropped": None,
    },
    "ex05.chain_gradients": {
        "bias gradient with the activation factor": None,
        "missing f' at the output": None,
        "sign error": None,
        "weight not passed back": None,
        "slope from the net input": None,
    },
    "ex06.output_delta": {
        "sign error": "def output_delta(a, t):\n    return (t - a) * a * (1 - a)",
        "missing f'": "def output_delta(a, t):\n    return -(t - a)",
    },
    "ex06.hidden_delta": {
        "missing transpose": "def hidden_delta(a, W, d):\n    return (d @ W.T) * a * (1 - a)",
        "missing f'": "def hidden_delta(a, W, d):\n    return d @ W",
    },
    "ex06.weight_gradient": {
        "transposed result": "def weight_gradient(delta, a_prev):\n    return a_prev.T @ delta",
        "mean instead of sum": "def weight_gradient(delta, a_prev):\n    return delta.T @ a_prev / len(delta)",
    },
    "ex06.mlp_backward": {
        "forgotten bias in the forward pass": None,  # filled below from the solution by text edits
        "missing f' in hidden layers": None,
        "sign error": None,
        "bias gradient not summed": None,
    },
    "ex06b.numerical_gradient": {
        "forward difference": (
            "def numerical_gradient(f, x, eps):\n    g = np.zeros_like(x)\n    f0 = f(x)\n"
            "    for i in np.ndindex(x.shape):\n        s = x[i]; x[i] = s + eps; g[i] = (f(x) - f0) / eps; x[i] = s\n"
            "    return g"),
        "divides by eps": (
            "def numerical_gradient(f, x, eps):\n    g = np.zeros_like(x)\n    for i in np.ndindex(x.shape):\n"
            "        s = x[i]; x[i] = s + eps; a = f(x); x[i] = s - eps; b = f(x); x[i] = s\n"
            "        g[i] = (a - b) / eps\n    return g"),
        "does not restore x": (
            "def numerical_gradient(f, x, eps):\n    g = np.zeros_like(x)\n    for i in np.ndindex(x.shape):\n"
            "        s = x[i]; x[i] = s + eps; a = f(x); x[i] = s - eps; b = f(x)\n"
            "        g[i] = (a - b) / (2 * eps)\n    return g"),
    },
    "ex06b.relative_error": {
        "no floor": "def relative_error(a, n):\n    return np.abs(a - n) / (np.abs(a) + np.abs(n))",
        "divides by |a| only": "def relative_error(a, n):\n    return np.abs(a - n) / np.maximum(np.abs(a), 1e-8)",
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
        "forgotten bias in the forward pass": [("activations[-1] @ W.T + b", "activations[-1] @ W.T")],
        "missing f' in hidden layers": [("delta = upstream * a * (1.0 - a)", "delta = upstream")],
        "sign error": [("delta = -(T - Y) * Y * (1.0 - Y)", "delta = (T - Y) * Y * (1.0 - Y)")],
        "bias gradient not summed": [("grad_b[l] = delta.sum(axis=0)", "grad_b[l] = delta[0]")],
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
    "ex05.chain_derivative": {
        # every link's local derivative evaluated at the input x instead of the value entering it
        "local derivatives taken at x": [
            ("u = float(x)\n", "u = float(x)\n    x0 = u\n"),
            ("s = 1.0 / (1.0 + np.exp(-u))\n",
             "s = 1.0 / (1.0 + np.exp(-u))\n            s0 = 1.0 / (1.0 + np.exp(-x0))\n"),
            ("local, u = s * (1.0 - s), s", "local, u = s0 * (1.0 - s0), s"),
            ("local, u = 1.0 - t * t, t", "local, u = 1.0 - np.tanh(x0) ** 2, t"),
            ("local, u = e, e", "local, u = np.exp(x0), e"),
            ("local, u = 2.0 * u, u * u", "local, u = 2.0 * x0, u * u"),
        ],
        "sum instead of product": [("derivative *= local", "derivative += local")],
        "sigmoid slope from the incoming value": [("local, u = s * (1.0 - s), s", "local, u = u * (1.0 - u), s")],
        "mul link's constant dropped": [("local, u = step[1], step[1] * u", "local, u = 1.0, step[1] * u")],
    },
    "ex05.chain_gradients": {
        "bias gradient with the activation factor": [("dJ_db[l] = delta ", "dJ_db[l] = delta * a[l] ")],
        "missing f' at the output": [("delta = -(y - a[L]) * a[L] * (1.0 - a[L])", "delta = -(y - a[L])")],
        "sign error": [("delta = -(y - a[L])", "delta = (y - a[L])")],
        "weight not passed back": [("delta = delta * W[l] * a[l]", "delta = delta * a[l]")],
        "slope from the net input": [(
            "delta = delta * W[l] * a[l] * (1.0 - a[l])",
            "z = W[l - 1] * a[l - 1] + b[l - 1] if l else 0.0\n        delta = delta * W[l] * z * (1.0 - z)")],
    },
})


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


CASES = [(ex_id, bug) for ex_id, bugs in BUGS.items() for bug in bugs]


@pytest.mark.parametrize("exercise_id", list(BUGS))
def test_every_exercise_has_at_least_two_planted_bugs(exercise_id):
    assert len(BUGS[exercise_id]) >= 2


def test_every_registered_exercise_is_covered():
    assert set(BUGS) == set(registry.all_exercises())


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("exercise_id", list(BUGS))
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
