#!/usr/bin/env python
"""Write the exercise notebooks: solutions first, learner notebooks derived from them.

Usage::

    python scripts/make_exercises.py            # writes exercises/solutions/*.ipynb and exercises/*.ipynb
    python scripts/execute_notebooks.py exercises/*.ipynb exercises/solutions/*.ipynb   # store outputs

The SPEC below is the single source: each notebook has an introduction and a list of exercises, each
with a prompt (Markdown), a solution cell whose answer sits between ``# BEGIN SOLUTION`` and
``# END SOLUTION`` and the check call. The learner notebook is the solution notebook passed through
``backprop_course.grading.exercises.strip.strip_notebook`` (tests/grading/test_notebooks.py proves it stays so).
Cells carry metadata ``{"backprop_course": {"role": ..., "exercise": ...}}`` that the grader reads.
"""
from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from backprop_course.grading.exercises.strip import strip_notebook  # noqa: E402
from hosted import colab_badge, with_install  # noqa: E402

META = "backprop_course"

SETUP = '''# Setup: run this cell first. It fixes the random seed so every run prints the same numbers.
import numpy as np
import backprop_course as bc

rng = np.random.default_rng(0)
np.set_printoptions(precision=4, suppress=True)'''

HOW = """**How these exercises work.** Each exercise has a short prompt, a code cell with a function to
complete (it raises `NotImplementedError` until you replace the marked line) and a check cell that calls
`bc.check("<id>", your_function)`. The check prints one line per test case: *public* cases show the
input, the expected value, your value and the largest difference; *hidden* cases are drawn afresh every
time and only say passed or FAILED with a hint. Keep everything a function needs inside its own cell
(helpers too): the grader runs each exercise cell on its own, in a separate process, with the setup cell
above it. Do not call the package's own implementation of the thing you are writing; the grader checks
the source and scores such an answer 0."""

SPEC = [
    {
        "stem": "ex02_graphs",
        "title": "Exercises 2: computational graphs by hand",
        "lesson": "02",
        "intro": """Practice for lesson 2. You will redo the small graph of the lesson by hand, with
numbers, and then write the backward step of the two gates it is made of: an add gate and a multiply
gate. Every backward step has the same shape: the gradient arriving from above (the *upstream*
gradient) times the *local* gradient the gate stored on the way forward.""",
        "exercises": [
            {
                "id": "ex02.graph", "function": "graph_forward_backward",
                "prompt": """### Exercise 2.1 - the graph q = x + y, f = q * z

Write `graph_forward_backward(x, y, z)` returning the tuple `(q, f, df_dx, df_dy, df_dz)` for the graph
of the lesson: first the forward pass (q, then f), then the backward pass with the chain rule. Use plain
arithmetic, not `bc.Value`. With x = -2, y = 5, z = -4 you should get q = 3, f = -12, and gradients
-4, -4 and 3.""",
                "code": '''def graph_forward_backward(x, y, z):
    """Forward and backward pass of f = (x + y) * z.

    Returns (q, f, df/dx, df/dy, df/dz) as floats.
    """
    # BEGIN SOLUTION
    q = x + y              # forward: the add gate
    f = q * z              # forward: the multiply gate
    df_dq = z              # local gradient of f with respect to q
    df_dz = q              # local gradient of f with respect to z
    df_dx = df_dq * 1.0    # chain rule through the add gate (its local gradients are 1)
    df_dy = df_dq * 1.0
    return (q, f, df_dx, df_dy, df_dz)
    # END SOLUTION''',
            },
            {
                "id": "ex02.add_gate", "function": "add_gate_backward",
                "prompt": """### Exercise 2.2 - backward of an add gate

An add gate computes `out = x + y`. Given its inputs and the upstream gradient `dL/dout`, return
`(dL/dx, dL/dy)`. The inputs may be numbers or numpy arrays of one shape (work entry by entry).""",
                "code": '''def add_gate_backward(x, y, upstream):
    """Gradients (dL/dx, dL/dy) of an add gate out = x + y, given dL/dout = upstream."""
    # BEGIN SOLUTION
    # d(out)/dx = d(out)/dy = 1: the gate hands the upstream gradient to both inputs unchanged
    return (upstream * 1.0, upstream * 1.0)
    # END SOLUTION''',
            },
            {
                "id": "ex02.mul_gate", "function": "mul_gate_backward",
                "prompt": """### Exercise 2.3 - backward of a multiply gate

A multiply gate computes `out = x * y`. Return `(dL/dx, dL/dy)` given its inputs and `upstream =
dL/dout`, entry by entry for arrays. Think about which input each local gradient is.""",
                "code": '''def mul_gate_backward(x, y, upstream):
    """Gradients (dL/dx, dL/dy) of a multiply gate out = x * y, given dL/dout = upstream."""
    # BEGIN SOLUTION
    # d(out)/dx = y and d(out)/dy = x: each input receives the OTHER input times upstream
    return (upstream * y, upstream * x)
    # END SOLUTION''',
            },
        ],
    },
    {
        "stem": "ex03_neuron",
        "title": "Exercises 3: the artificial neuron",
        "lesson": "03",
        "intro": """Practice for lesson 3. A neuron forms the weighted sum of its inputs plus a bias (its
*net input*) and passes it through an activation function. Here the activation is the sigmoid
g(z) = 1 / (1 + e^(-z)), whose derivative can be written with its own output: g'(z) = g(z) (1 - g(z)).""",
        "exercises": [
            {
                "id": "ex03.sigmoid", "function": "sigmoid",
                "prompt": """### Exercise 3.1 - the sigmoid

Write `sigmoid(z)` for a numpy array `z` of any shape. Large inputs such as z = -800 must give values
near 0 (and +800 near 1) without NaN. Bonus: avoid overflow warnings too.""",
                "code": '''def sigmoid(z):
    """The logistic sigmoid 1 / (1 + exp(-z)), entrywise; same shape as z."""
    # BEGIN SOLUTION
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))   # never overflows: the exponent is <= 0
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    # END SOLUTION''',
            },
            {
                "id": "ex03.sigmoid_prime", "function": "sigmoid_prime",
                "prompt": """### Exercise 3.2 - its derivative

Write `sigmoid_prime(z)`, the derivative g'(z), using the identity g' = g (1 - g). A classic slip is
to apply the formula to `z` instead of to `g(z)`. Keep the cell self-contained: compute the sigmoid
inside it.""",
                "code": '''def sigmoid_prime(z):
    """Derivative of the sigmoid at z, entrywise: g(z) * (1 - g(z))."""
    # BEGIN SOLUTION
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    g = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return g * (1.0 - g)
    # END SOLUTION''',
            },
            {
                "id": "ex03.neuron_forward", "function": "neuron_forward",
                "prompt": """### Exercise 3.3 - one neuron, many samples

Write `neuron_forward(w, X, b)`: `w` holds the neuron's k weights (shape `(k,)`), each row of `X`
(shape `(n, k)`) is one sample of inputs, and `b` is the bias. Return the tuple `(net_input,
activation)`, both of shape `(n,)`: net input = sum over k of w_k x_k, plus b; activation = sigmoid of
it.""",
                "code": '''def neuron_forward(w, X, b):
    """Net inputs (n,) and sigmoid activations (n,) of one neuron for the n rows of X (n, k)."""
    # BEGIN SOLUTION
    net_input = X @ w + b
    activation = 1.0 / (1.0 + np.exp(-net_input))
    return (net_input, activation)
    # END SOLUTION''',
            },
        ],
    },
    {
        "stem": "ex04_descent",
        "title": "Exercises 4: gradient descent",
        "lesson": "04",
        "intro": """Practice for lesson 4. Gradient descent walks downhill by stepping against the gradient:
with learning rate $\\epsilon$ (`lr` in code) every weight moves by $\\Delta w = -\\epsilon\\, \\partial E /
\\partial w$. You will write that step, run it on the lesson's bowls $f(w) = \\sum_i a_i w_i^2$ and watch
the path, and then work out from the curvatures $a_i$ which learning rates make descent bounce or
diverge.""",
        "exercises": [
            {
                "id": "ex04.step", "function": "descent_step",
                "prompt": """### Exercise 4.1 - one step downhill

Write `descent_step(w, grad, lr)`. `w` holds the current weights and `grad` the gradient
$\\partial E / \\partial w$ at `w` (numpy arrays of one shape, any shape). Return the tuple
`(delta_w, w_new)`: the change $\\Delta w = -\\epsilon\\, \\partial E / \\partial w$ and the weights after the
step, $w + \\Delta w$. Build a new array for `w_new` (do not change `w` in place).

Check with the lesson: weights `[1, -2]`, gradient `[0.5, -1]` and `lr = 0.1` give
$\\Delta w$ = `[-0.05, 0.1]`; on the blog post's line $f(x) = 3x + 4$ a step from $x = 2$ lands on $x = 1.7$.""",
                "code": '''def descent_step(w, grad, lr):
    """One gradient-descent step: returns (delta_w, w_new), both shaped like w."""
    # BEGIN SOLUTION
    delta_w = -lr * grad          # step against the gradient, scaled by the learning rate
    w_new = w + delta_w           # a new array: w itself is left as it was
    return (delta_w, w_new)
    # END SOLUTION''',
            },
            {
                "id": "ex04.path", "function": "descent_path",
                "prompt": """### Exercise 4.2 - a descent run on a bowl

The bowl $f(w) = \\sum_i a_i w_i^2$ has its minimum at $w = 0$, and its gradient has the entries
$\\partial f / \\partial w_i = 2 a_i w_i$. With one curvature $a = 1$ it is the lesson's $f(x) = x^2$; with
$a = (0.1, 2)$ it is the lesson's long valley.

Write `descent_path(w0, a, lr, steps)`: start at `w0` (shape `(n,)`, the same shape as `a`), make `steps`
gradient-descent steps, and return an array of shape `(steps + 1, n)` whose row 0 is `w0` and row k the
weights after k steps.

The first public case is the lesson's bouncing run ($x_0 = 2.5$, $\\epsilon = 0.9$: the sign flips at
every step while $|x|$ shrinks by the factor 0.8); the second is the zig-zag in the valley. Once your
check passes, try `lr = 1.1` on the first bowl and look at the path.""",
                "code": '''def descent_path(w0, a, lr, steps):
    """The iterates of gradient descent on f(w) = sum a_i w_i^2, shape (steps + 1, n), row 0 = w0."""
    # BEGIN SOLUTION
    w = np.array(w0, dtype=float)
    path = [w.copy()]
    for _ in range(steps):
        grad = 2.0 * a * w        # the gradient of the bowl at the current point
        w = w - lr * grad         # one step against it
        path.append(w.copy())
    return np.array(path)
    # END SOLUTION''',
            },
            {
                "id": "ex04.lr_limits", "function": "learning_rate_limits",
                "prompt": """### Exercise 4.3 - how large may the learning rate be?

On the bowl $f(w) = \\sum_i a_i w_i^2$ (every $a_i > 0$) one step changes each weight to
$w_i - \\epsilon \\cdot 2 a_i w_i = (1 - 2\\epsilon a_i)\\, w_i$: every coordinate is multiplied by its own
factor. A coordinate **bounces** (changes sign) when its factor is negative, and the run **diverges**
when some factor has a size above 1. Every coordinate must behave, so the most sharply curved direction
(the largest $a_i$) sets both limits.

Write `learning_rate_limits(a)` returning the tuple `(no_bounce, converge)`:

- `no_bounce`: the largest $\\epsilon$ at which no factor is negative;
- `converge`: the learning rate above which the run diverges: for every smaller $\\epsilon > 0$ all factors
  have a size below 1.

The lesson's table answers the first public case ($a = 1$: bouncing for $0.5 < \\epsilon < 1$, divergence
beyond 1), and its valley the second.""",
                "code": '''def learning_rate_limits(a):
    """(no_bounce, converge): the learning-rate limits of gradient descent on f(w) = sum a_i w_i^2."""
    # BEGIN SOLUTION
    steepest = np.max(a)                 # the most sharply curved direction binds
    no_bounce = 1.0 / (2.0 * steepest)   # 1 - 2 lr a >= 0
    converge = 1.0 / steepest            # 1 - 2 lr a > -1
    return (no_bounce, converge)
    # END SOLUTION''',
            },
        ],
    },
    {
        "stem": "ex05_chain",
        "title": "Exercises 5: the chain rule along one path",
        "lesson": "05",
        "intro": """Practice for lesson 5. When a quantity depends on $x$ through a chain of links
$x \\to u_1 \\to u_2 \\to \\dots \\to u_m$, its derivative with respect to $x$ is the product of the links'
local derivatives, each evaluated at the value that enters that link. You will compute such products
for a chain of simple functions, then for the UFLDL guide's network with one sigmoid neuron per layer.""",
        "exercises": [
            {
                "id": "ex05.chain_derivative", "function": "chain_derivative",
                "prompt": """### Exercise 5.1 - the derivative of a composition

A composition is given as a list `steps` of links applied to $x$ in order. Each link is a tuple whose
first entry names it; `"add"` and `"mul"` carry a constant `c` as the second entry:

| link | what it does to the incoming value $u$ | local derivative |
|---|---|---|
| `("add", c)` | $u + c$ | $1$ |
| `("mul", c)` | $c\\,u$ | $c$ |
| `("sigmoid",)` | $\\sigma(u) = 1/(1 + e^{-u})$ | $\\sigma(u)\\,(1 - \\sigma(u))$ |
| `("tanh",)` | $\\tanh u$ | $1 - \\tanh^2 u$ |
| `("exp",)` | $e^u$ | $e^u$ |
| `("square",)` | $u^2$ | $2u$ |

Write `chain_derivative(x, steps)` returning the tuple `(value, derivative)`: the output of the whole
chain and its derivative with respect to `x`, both floats. Go forward once, and at each link keep its
local derivative at the value that enters it, as the nodes of a computational graph do (lesson 02).

The public cases are the blog post's line $3x + 4$ at $x = 2$, the first neuron of the lesson's chain
($\\sigma(0.8 x - 0.3)$ at $x = 1.5$), and the lesson's whole chain of three neurons at $x = 1.5$,
whose output is $h(x)$:

```python
[("mul", 0.8), ("add", -0.3), ("sigmoid",), ("mul", -1.2), ("add", 0.5), ("sigmoid",),
 ("mul", 1.6), ("add", -0.4), ("sigmoid",)]
```""",
                "code": '''def chain_derivative(x, steps):
    """(value, d value / dx) of the composition described by steps, applied to x."""
    # BEGIN SOLUTION
    u = float(x)
    derivative = 1.0
    for step in steps:
        name = step[0]
        if name == "add":
            local, u = 1.0, u + step[1]
        elif name == "mul":
            local, u = step[1], step[1] * u
        elif name == "sigmoid":
            s = 1.0 / (1.0 + np.exp(-u))
            local, u = s * (1.0 - s), s
        elif name == "tanh":
            t = np.tanh(u)
            local, u = 1.0 - t * t, t
        elif name == "exp":
            e = np.exp(u)
            local, u = e, e
        elif name == "square":
            local, u = 2.0 * u, u * u
        else:
            raise ValueError(f"unknown link {name!r}")
        derivative *= local       # chain rule: one local derivative per link
    return (u, derivative)
    # END SOLUTION''',
            },
            {
                "id": "ex05.chain_gradients", "function": "chain_gradients",
                "prompt": """### Exercise 5.2 - every gradient of a chain of neurons

The UFLDL guide's network has one sigmoid neuron per layer. With $L$ weight layers, input $x = a^{(1)}$ and
target $y$:

$$z^{(l+1)} = W^{(l)} a^{(l)} + b^{(l)}, \\qquad a^{(l+1)} = f(z^{(l+1)}), \\qquad
  J = \\tfrac12 \\big(y - a^{(L+1)}\\big)^2,$$

with $f$ the sigmoid. Write `chain_gradients(x, y, W, b)`: `W` and `b` are arrays of length $L$ (`W[0]`
is $W^{(1)}$). Return the tuple `(dJ_dW, dJ_db)`, two arrays of length $L$ holding
$\\partial J / \\partial W^{(l)}$ and $\\partial J / \\partial b^{(l)}$.

Use the lesson's recipe: the output error term $\\delta = -(y - h(x))\\, f'(z^{(L+1)})$, one factor
$W^{(l)} f'(z^{(l)})$ for every neuron passed on the way back, and for a weight (not for a bias) the
activation it multiplies. With $L = 1$ this is a single neuron and the blog post's error
$E = \\tfrac12 (t - a)^2$. The public case is the lesson's chain: you should find
$\\partial J / \\partial W^{(1)} \\approx -0.012859$ and $\\partial J / \\partial b^{(3)} \\approx 0.089645$.""",
                "code": '''def chain_gradients(x, y, W, b):
    """(dJ/dW, dJ/db), arrays of length L, for a chain of single sigmoid neurons with J = (y - h)^2 / 2."""
    # BEGIN SOLUTION
    L = len(W)
    a = [float(x)]                                   # a[l] is UFLDL's a^(l+1); a[0] is the input
    for l in range(L):
        a.append(1.0 / (1.0 + np.exp(-(W[l] * a[l] + b[l]))))
    dJ_dW, dJ_db = np.zeros(L), np.zeros(L)
    delta = -(y - a[L]) * a[L] * (1.0 - a[L])        # output error term dJ/dz
    for l in range(L - 1, -1, -1):
        dJ_db[l] = delta                              # dz/db = 1
        dJ_dW[l] = delta * a[l]                       # dz/dW = the incoming activation
        delta = delta * W[l] * a[l] * (1.0 - a[l])    # pass back through the neuron below: W f'(z)
    return (dJ_dW, dJ_db)
    # END SOLUTION''',
            },
        ],
    },
    {
        "stem": "ex06_backprop",
        "title": "Exercises 6: backpropagation in a network",
        "lesson": "06",
        "intro": """Practice for lesson 6. Shapes follow the package: a layer's weight matrix `W` has shape
`(neurons in this layer, neurons in the layer below)`, so row j holds the weights *into* neuron j;
activations and error terms are `(n_samples, neurons)` arrays, one row per sample. Every neuron uses
the sigmoid, and the error is E = 1/2 sum (t - y)^2 over samples and outputs. The *error term* (delta)
of a neuron is dE/d(net input).""",
        "exercises": [
            {
                "id": "ex06.output_delta", "function": "output_delta",
                "prompt": """### Exercise 6.1 - error term of the output neurons

For output neurons with activations `a` and targets `t` (both `(n, m)`), return
$\\partial E / \\partial\\, in_i$: the derivative of $E$ with respect to the output, $-(t_i - a_i)$
(Backpropagation for dummies, eq. (11)), times the sigmoid's slope $a_i (1 - a_i)$.""",
                "code": '''def output_delta(a, t):
    """Error terms dE/d(net input) of sigmoid output neurons; a, t and the result are (n, m)."""
    # BEGIN SOLUTION
    return -(t - a) * a * (1.0 - a)
    # END SOLUTION''',
            },
            {
                "id": "ex06.hidden_delta", "function": "hidden_delta",
                "prompt": """### Exercise 6.2 - error term of hidden neurons

A hidden neuron influences E through every neuron it feeds. Given its activations `a` `(n, h)`, the
weights of the next layer `weights_next` `(m, h)` and the next layer's error terms `delta_next`
`(n, m)`, return the hidden error terms `(n, h)`:

$$\\delta_i = a_i (1 - a_i) \\sum_k w_{ki}\\, \\delta_k$$

(the blog post's eqs. (9) and (13) combined, with $\\delta = \\partial E / \\partial\\, in$). Write the sum as one matrix product.""",
                "code": '''def hidden_delta(a, weights_next, delta_next):
    """Error terms (n, h) of sigmoid hidden neurons from the next layer's weights (m, h) and deltas (n, m)."""
    # BEGIN SOLUTION
    return (delta_next @ weights_next) * a * (1.0 - a)
    # END SOLUTION''',
            },
            {
                "id": "ex06.weight_gradient", "function": "weight_gradient",
                "prompt": """### Exercise 6.3 - weight gradients

The gradient of E with respect to the weight from neuron j (below) to neuron i (above) is the error
term of i times the activation of j, added up over the samples. Given `delta` `(n, m)` and the
activations of the layer below `a_prev` `(n, k)`, return dE/dW with the weight matrix's shape
`(m, k)`.""",
                "code": '''def weight_gradient(delta, a_prev):
    """dE/dW (m, k) from error terms delta (n, m) and the activations below a_prev (n, k)."""
    # BEGIN SOLUTION
    return delta.T @ a_prev
    # END SOLUTION''',
            },
            {
                "id": "ex06.mlp_backward", "function": "mlp_backward",
                "prompt": """### Exercise 6.4 - the backward pass of a whole network

Now put it together for a network of any depth with biases. `weights[l]` has shape
`(sizes[l+1], sizes[l])`, `biases[l]` shape `(sizes[l+1],)`, `X` is `(n, sizes[0])` and `T` is
`(n, sizes[-1])`. Run the forward pass (net input = A @ W.T + b, then the sigmoid), then the backward
pass, and return a dict with four lists/arrays:

- `"deltas"`: the error terms of every layer, `deltas[l]` of shape `(n, sizes[l+1])`;
- `"weights"`: dE/dW for every layer (shapes of the weights);
- `"biases"`: dE/db for every layer (shapes of the biases);
- `"inputs"`: dE/dX, shape of `X`.

Everything the function needs must be inside its cell.""",
                "code": '''def mlp_backward(weights, biases, X, T):
    """Gradients of E = 1/2 sum (T - Y)^2 for a sigmoid MLP; see the prompt for the returned dict."""
    # BEGIN SOLUTION
    def sigmoid(z):
        e = np.exp(-np.abs(z))
        return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))

    # forward pass, keeping every layer's activations (activations[0] is the input)
    activations = [X]
    for W, b in zip(weights, biases):
        activations.append(sigmoid(activations[-1] @ W.T + b))
    Y = activations[-1]

    L = len(weights)
    deltas, grad_w, grad_b = [None] * L, [None] * L, [None] * L
    delta = -(T - Y) * Y * (1.0 - Y)                 # output error term
    for l in range(L - 1, -1, -1):
        deltas[l] = delta
        grad_w[l] = delta.T @ activations[l]          # sum over samples of delta_i * a_j
        grad_b[l] = delta.sum(axis=0)                 # a bias is a weight on a constant input 1
        upstream = delta @ weights[l]                 # dE/d(activations of the layer below)
        if l > 0:
            a = activations[l]
            delta = upstream * a * (1.0 - a)          # hidden error term
    return {"weights": grad_w, "biases": grad_b, "deltas": deltas, "inputs": upstream}
    # END SOLUTION''',
            },
        ],
    },
    {
        "stem": "ex06b_gradcheck",
        "title": "Exercises 6b: checking gradients numerically",
        "lesson": "06",
        "intro": """Practice for lesson 6, second part. A backward pass is easy to get subtly wrong, and the
usual safety net is to compare it with finite differences: nudge one number a little each way, watch
how the output moves, and divide. The central difference (f(x + h) - f(x - h)) / 2h is far more
accurate than the one-sided (f(x + h) - f(x)) / h.""",
        "exercises": [
            {
                "id": "ex06b.numerical_gradient", "function": "numerical_gradient",
                "prompt": """### Exercise 6b.1 - a central-difference gradient

Write `numerical_gradient(f, x, eps)`: `f` maps an array to a number, `x` is a float array of any
shape. Return an array shaped like `x` whose entry i is (f(x with x_i + eps) - f(x with x_i - eps)) /
(2 eps). Change one entry at a time, and put it back before moving on (`np.ndindex(x.shape)` visits
every index). The hidden cases include the loss of a small network as a function of its weights.""",
                "code": '''def numerical_gradient(f, x, eps):
    """Central-difference estimate of the gradient of the scalar f at x (same shape as x)."""
    # BEGIN SOLUTION
    grad = np.zeros_like(x, dtype=float)
    for index in np.ndindex(x.shape):
        saved = x[index]
        x[index] = saved + eps
        f_plus = f(x)
        x[index] = saved - eps
        f_minus = f(x)
        x[index] = saved                      # restore before the next entry
        grad[index] = (f_plus - f_minus) / (2.0 * eps)
    return grad
    # END SOLUTION''',
            },
            {
                "id": "ex06b.relative_error", "function": "relative_error",
                "prompt": """### Exercise 6b.2 - how close is close?

Return the entrywise relative error |a - n| / max(|a| + |n|, 1e-8) of an analytic gradient `analytic`
and a numerical one `numeric` (arrays of one shape). The floor 1e-8 keeps two zero entries from
giving 0/0.""",
                "code": '''def relative_error(analytic, numeric):
    """Entrywise |a - n| / max(|a| + |n|, 1e-8)."""
    # BEGIN SOLUTION
    return np.abs(analytic - numeric) / np.maximum(np.abs(analytic) + np.abs(numeric), 1e-8)
    # END SOLUTION''',
            },
        ],
    },
    {
        "stem": "ex07_symbolic",
        "title": "Exercises 7: derivations with SymPy",
        "lesson": "07",
        "setup_extra": "import sympy as sp",
        "intro": """Practice for lesson 7. Let SymPy do the calculus: build the expression, call `sp.diff`,
and return the result. Your answer is judged by symbolic equality (SymPy simplifies the difference from
the reference to 0), so any correct form passes. The hidden cases call your function with symbols of
other names, so build everything from the arguments.""",
        "exercises": [
            {
                "id": "ex07.sigmoid_derivative", "function": "sigmoid_derivative",
                "prompt": """### Exercise 7.1 - the derivative of the sigmoid

Given a SymPy symbol `x`, return d/dx of 1 / (1 + e^(-x)). Then, in a cell of your own, check that it
equals g (1 - g).""",
                "code": '''def sigmoid_derivative(x):
    """d/dx of the sigmoid 1 / (1 + exp(-x)), as a SymPy expression in x."""
    # BEGIN SOLUTION
    g = 1 / (1 + sp.exp(-x))
    return sp.diff(g, x)
    # END SOLUTION''',
            },
            {
                "id": "ex07.weight_gradient", "function": "neuron_weight_gradient",
                "prompt": """### Exercise 7.2 - the gradient of one weight

A single sigmoid neuron with weight `w` receives the input `a`; its target is `t` and its error is
E = 1/2 (t - g(w a))^2. Given the three symbols, return dE/dw as a SymPy expression.""",
                "code": '''def neuron_weight_gradient(w, a, t):
    """dE/dw for E = (t - g(w*a))**2 / 2 with g the sigmoid, as a SymPy expression."""
    # BEGIN SOLUTION
    y = 1 / (1 + sp.exp(-w * a))
    E = sp.Rational(1, 2) * (t - y) ** 2
    return sp.diff(E, w)
    # END SOLUTION''',
            },
        ],
    },
    {
        "stem": "ex08_input_grads",
        "title": "Exercises 8: gradients with respect to the inputs",
        "lesson": "08",
        "intro": """Practice for lesson 8. Gashler's second derivation ends in
dE/dy_0k = -sum_j e_1j w_1jk: the error terms of layer 1, weighted by the connections leaving input k.
Shapes follow the package: `weights[l]` has shape `(sizes[l+1], sizes[l])` (row j holds the weights
*into* node j of the layer above), activations and error terms are `(n_samples, neurons)`. Mind the
sign convention: Gashler's error term is e = -dE/d(net input), while the package (and lesson 6) use
delta = dE/d(net input), so e = -delta. Every layer uses the sigmoid and E = 1/2 sum (t - y)^2 over
samples and outputs.""",
        "exercises": [
            {
                "id": "ex08.input_gradient", "function": "input_gradient",
                "prompt": """### Exercise 8.1 - one layer: from error terms to input gradients

Given Gashler's error terms of layer 1, `e` of shape `(n, m)` (one row per sample, one column per node
j of layer 1), and the weights `W` of shape `(m, k)` from the k inputs into those nodes, return
$\\partial E / \\partial y_{0k}$ for every sample and input, shape `(n, k)`:

$$\\frac{\\partial E}{\\partial y_{0k}} = -\\sum_j e_{1j}\\, w_{1jk}.$$

Write the sum as one matrix product. With `e = [[0.1, -0.2, 0.05]]` and
`W = [[0.4, -0.3], [0.2, 0.5], [-0.6, 0.1]]` the answer is `[[0.03, 0.125]]`.""",
                "code": '''def input_gradient(e, W):
    """dE/dY0 (n, k) from Gashler's error terms e (n, m) of layer 1 and its weights W (m, k)."""
    # BEGIN SOLUTION
    # sum over the nodes j of layer 1 of e_1j * w_1jk, for every sample (row) and input k (column),
    # and the minus sign because Gashler's e is -dE/d(net input)
    return -(e @ W)
    # END SOLUTION''',
            },
            {
                "id": "ex08.network_input_gradient", "function": "network_input_gradient",
                "prompt": """### Exercise 8.2 - dE/dX of a whole network

For a sigmoid network of any depth with biases (`weights[l]` of shape `(sizes[l+1], sizes[l])`,
`biases[l]` of shape `(sizes[l+1],)`), inputs `X` `(n, sizes[0])` and targets `T` `(n, sizes[-1])`,
return dE/dX with the shape of `X`. Run the forward pass (net input = A @ W.T + b, then the sigmoid),
backpropagate the error terms down to layer 1 as in lesson 6, and finish with exercise 8.1's product.
Note what the last step does *not* have: inputs have no activation function, so no factor g'.
Everything the function needs must be inside its cell.""",
                "code": '''def network_input_gradient(weights, biases, X, T):
    """dE/dX (shape of X) of E = 1/2 sum (T - Y)^2 for a sigmoid MLP with biases."""
    # BEGIN SOLUTION
    def sigmoid(z):
        e = np.exp(-np.abs(z))
        return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))

    activations = [X]                                   # forward, keeping every layer's output
    for W, b in zip(weights, biases):
        activations.append(sigmoid(activations[-1] @ W.T + b))
    Y = activations[-1]

    delta = -(T - Y) * Y * (1.0 - Y)                    # output error term (delta = -e)
    for l in range(len(weights) - 1, 0, -1):            # down to layer 1
        a = activations[l]
        delta = (delta @ weights[l]) * a * (1.0 - a)    # hidden error terms
    return delta @ weights[0]                           # -sum_j e_1j w_1jk: no g' at the inputs
    # END SOLUTION''',
            },
            {
                "id": "ex08.nudge_table", "function": "nudge_table",
                "prompt": """### Exercise 8.3 - predicted and measured changes of the error

Lesson 8 nudged every pixel of a digit in turn and compared the change of E with the first-order
prediction $\\Delta E \\approx \\frac{\\partial E}{\\partial x_k} \\Delta x$. Do the same for one sample:
given the network (`weights`, `biases` as in 8.2), one input vector `x` of shape `(k,)`, its target `t`
of shape `(sizes[-1],)` and a step `dx` (a number, possibly negative), return the tuple
`(predicted, measured)`, two arrays of shape `(k,)`:

- `predicted[i]` = dE/dx_i * dx, with the input gradient from one backward pass;
- `measured[i]` = E(x with x_i increased by dx) - E(x), from forward passes, changing one input at a
  time (the others keep their values).

The cell is graded on its own, so it needs its own forward and backward pass (copy them from 8.2).
Afterwards, try a large `dx`: which entries stop agreeing, and why?""",
                "code": '''def nudge_table(weights, biases, x, t, dx):
    """(predicted, measured) changes of E when each input of the sample x (k,) moves by dx alone."""
    # BEGIN SOLUTION
    def sigmoid(z):
        e = np.exp(-np.abs(z))
        return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))

    def forward(X):
        activations = [X]
        for W, b in zip(weights, biases):
            activations.append(sigmoid(activations[-1] @ W.T + b))
        return activations

    def error(X):
        return 0.5 * np.sum((T - forward(X)[-1]) ** 2)

    X, T = x.reshape(1, -1), t.reshape(1, -1)           # one sample as a batch of one
    activations = forward(X)
    Y = activations[-1]
    delta = -(T - Y) * Y * (1.0 - Y)
    for l in range(len(weights) - 1, 0, -1):
        a = activations[l]
        delta = (delta @ weights[l]) * a * (1.0 - a)
    grad = (delta @ weights[0])[0]                      # dE/dx, shape (k,)

    E0 = error(X)
    measured = np.zeros_like(grad)
    for i in range(X.shape[1]):
        shifted = X.copy()                              # only input i moves
        shifted[0, i] += dx
        measured[i] = error(shifted) - E0
    return (grad * dx, measured)
    # END SOLUTION''',
            },
        ],
    },
    {
        "stem": "ex09_modes",
        "title": "Exercises 9: online, batch and mini-batch updates",
        "lesson": "09",
        "intro": """Practice for lesson 9. An *epoch* is one pass over the n training samples; the modes
differ in how the per-sample gradients of that pass are grouped into weight *updates*: one sample per
update (online), all n in one update (batch), or chunks of `batch_size` (mini-batch). The gradient of
an update is the gradient of E **summed** over its samples, as in Backpropagation for dummies and `bc.train`.
The gradient exercises use a single layer of sigmoid neurons without biases: weights `W` of shape
`(m, k)`, inputs `X` `(n, k)`, targets `T` `(n, m)`, outputs Y = sigmoid(X @ W.T) and
E = 1/2 sum (t - y)^2.""",
        "exercises": [
            {
                "id": "ex09.epoch_batches", "function": "epoch_batches",
                "prompt": """### Exercise 9.1 - which samples each update uses

Write `epoch_batches(mode, n, batch_size, epochs, seed)` returning, for each of the `epochs` epochs,
the list of index arrays (or lists of ints) its updates use, exactly as `bc.train` visits the samples:

- make **one** generator, `rng = np.random.default_rng(seed)`, before the first epoch;
- `"online"`: every epoch draws a fresh `order = rng.permutation(n)`; update u uses the one sample
  `[order[u]]`;
- `"batch"`: a single update with all samples `0, 1, ..., n-1`; no shuffling, so the rng is not used;
- `"minibatch"`: every epoch draws a fresh `order = rng.permutation(n)` and cuts it into consecutive
  chunks of `batch_size` (the last one is shorter when `batch_size` does not divide n, and it is kept);
  each chunk is sorted into increasing order (the order inside a batch does not change its summed
  gradient).

`batch_size` is `None` in the online and batch modes. With `("minibatch", 7, 3, 1, 0)` the permutation
is `[2, 4, 3, 6, 5, 0, 1]`, so the answer is `[[[2, 3, 4], [0, 5, 6], [1]]]`: one epoch, three updates.
How many updates does each mode make per epoch?""",
                "code": '''def epoch_batches(mode, n, batch_size, epochs, seed):
    """Per epoch, the list of index arrays of its updates (see the prompt for the three modes)."""
    # BEGIN SOLUTION
    rng = np.random.default_rng(seed)            # one generator for the whole run
    schedule = []
    for _ in range(epochs):
        if mode == "batch":
            schedule.append([np.arange(n)])      # one update, every sample, no shuffling
            continue
        order = rng.permutation(n)               # a fresh order every epoch
        if mode == "online":
            schedule.append([order[u:u + 1] for u in range(n)])
        else:
            schedule.append([np.sort(order[s:s + batch_size]) for s in range(0, n, batch_size)])
    return schedule
    # END SOLUTION''',
            },
            {
                "id": "ex09.per_sample_gradients", "function": "per_sample_gradients",
                "prompt": """### Exercise 9.2 - per-sample gradients, and the batch gradient as their sum

Return the gradient of every sample's own error $E_p = \\tfrac12 \\sum_i (t_{pi} - y_{pi})^2$ with
respect to `W`, stacked into an array of shape `(n, m, k)`: entry `[p]` is $\\partial E_p / \\partial W$,
the outer product of sample p's error terms $\\delta_p = -(t_p - y_p)\\, y_p (1 - y_p)$ (shape `(m,)`)
with its inputs $x_p$ (shape `(k,)`).

Then, in a cell of your own, check the lesson's claim: summing your result over the samples
(`.sum(axis=0)`) gives the batch gradient $\\delta^T X$ of the summed error, and compare its size with
one sample's gradient. Batch mode steps along the sum; what does that mean for its learning rate?""",
                "code": '''def per_sample_gradients(W, X, T):
    """dE_p/dW for every sample p of a sigmoid layer without biases: shape (n, m, k)."""
    # BEGIN SOLUTION
    Y = 1.0 / (1.0 + np.exp(-(X @ W.T)))                # (n, m) outputs, one row per sample
    deltas = -(T - Y) * Y * (1.0 - Y)                   # (n, m) error terms
    return deltas[:, :, None] * X[:, None, :]           # row p: outer(delta_p, x_p)
    # END SOLUTION''',
            },
            {
                "id": "ex09.train_epoch", "function": "train_epoch",
                "prompt": """### Exercise 9.3 - one epoch of updates

Write `train_epoch(W, X, T, lr, batches)`: plain gradient descent (no momentum) through one epoch
whose updates use the given `batches`, a list of lists of sample indices such as exercise 9.1
produces. For each batch in turn, compute the gradient of E summed over the batch's samples **at the
current weights**, then take the step W <- W - lr * gradient. Return the list of weight matrices after
each update (copies, one per batch). Do not change the `W` you were given.

The same function runs all three modes: `[[0], [1], ...]` is online, `[[0, 1, ..., n-1]]` is batch.
Two things to check for yourself afterwards: with the online batches, the next sample sees the weights
the previous one produced; and a batch update is not the same as the n online updates of an epoch,
even though both use each sample's gradient once.""",
                "code": '''def train_epoch(W, X, T, lr, batches):
    """Weights after each update of one epoch of gradient descent over the given batches."""
    # BEGIN SOLUTION
    W = W.copy()                                        # never change the caller's array
    history = []
    for idx in batches:
        Xb, Tb = X[idx], T[idx]                         # the samples of this update
        Y = 1.0 / (1.0 + np.exp(-(Xb @ W.T)))
        deltas = -(Tb - Y) * Y * (1.0 - Y)
        gradient = deltas.T @ Xb                        # summed over the batch, at the current W
        W = W - lr * gradient
        history.append(W.copy())
    return history
    # END SOLUTION''',
            },
        ],
    },
    {
        "stem": "ex10_optimizers",
        "title": "Exercises 10: momentum, Nesterov and RPROP",
        "lesson": "10",
        "intro": """Practice for lesson 10. Each function returns the list of weight changes Delta w_t an
optimizer would apply, one per step. Momentum and RPROP receive the gradients a training run produced,
`grads[t]` being dE/dw at step t (numpy arrays of one shape); they do not need the weights themselves.
Nesterov's method needs the gradient at a point of its own choosing, so its exercise receives the
gradient as a function instead.""",
        "exercises": [
            {
                "id": "ex10.momentum", "function": "momentum_updates",
                "prompt": """### Exercise 10.1 - momentum

The blog post's rule, with learning rate $\\epsilon$ (`lr`) and momentum $\\alpha$ (`momentum`):

$$\\Delta w_t = -\\epsilon \\frac{\\partial E}{\\partial w} + \\alpha\\, \\Delta w_{t-1}, \\qquad \\Delta w_0 = 0.$$""",
                "code": '''def momentum_updates(grads, lr, momentum):
    """Weight changes of gradient descent with momentum, one per gradient."""
    # BEGIN SOLUTION
    updates, previous = [], np.zeros_like(grads[0], dtype=float)
    for g in grads:
        previous = -lr * g + momentum * previous
        updates.append(previous)
    return updates
    # END SOLUTION''',
            },
            {
                "id": "ex10.nesterov", "function": "nesterov_updates",
                "prompt": """### Exercise 10.2 - Nesterov momentum: look before you leap

Lesson 10's textbook form of Nesterov's method. Start from the weights `w0` with velocity $v_0 = 0$;
at every step first jump along the old velocity to the **look-ahead point**, take the gradient
*there*, and then update the velocity and the weights:

$$u_t = w_{t-1} + \\alpha\\, v_{t-1}, \\qquad v_t = \\alpha\\, v_{t-1} - \\epsilon\\, \\nabla E(u_t), \\qquad
w_t = w_{t-1} + v_t .$$

`grad` is a function: `grad(u)` returns dE/dw at the point `u`, an array of the shape of `w0`. Run
`steps` steps with learning rate `lr` ($\\epsilon$) and `momentum` ($\\alpha$) and return the weight
changes $\\Delta w_t = w_t - w_{t-1}$, one per step. To try it yourself, `grad = lambda u: u` is the
gradient of E = w^2 / 2. (`bc.SGD(..., nesterov=True)` stores the look-ahead points instead of the
weights, which lets it use the gradient at its own parameters; here you compute the look-ahead
yourself.)""",
                "code": '''def nesterov_updates(grad, w0, lr, momentum, steps):
    """Weight changes of Nesterov momentum, with the gradient taken at each step's look-ahead point."""
    # BEGIN SOLUTION
    w = np.array(w0, dtype=float)                  # a copy: the caller's array stays unchanged
    velocity = np.zeros_like(w)
    updates = []
    for _ in range(steps):
        lookahead = w + momentum * velocity        # jump along the old velocity first
        velocity = momentum * velocity - lr * grad(lookahead)   # correct with the gradient there
        w = w + velocity
        updates.append(velocity.copy())            # the change of this step is the new velocity
    return updates
    # END SOLUTION''',
            },
            {
                "id": "ex10.rprop", "function": "rprop_updates",
                "prompt": """### Exercise 10.3 - RPROP (the iRprop- variant the package uses)

Every weight has its own step size, starting at `step_init`. At each step compare the sign of the
gradient with the one remembered from the previous step, entry by entry:

- same sign: step = min(step * 1.2, step_max), and move by -sign(g) * step;
- opposite sign: step = max(step * 0.5, step_min), do not move (change 0), and remember 0 instead of g;
- either gradient 0: keep the step and move by -sign(g) * step.

The remembered gradient starts at 0.""",
                "code": '''def rprop_updates(grads, step_init, step_min, step_max):
    """Weight changes of iRprop- for a sequence of gradients."""
    # BEGIN SOLUTION
    step = np.full_like(grads[0], step_init, dtype=float)
    remembered = np.zeros_like(grads[0], dtype=float)
    updates = []
    for g in grads:
        agreement = remembered * g
        step = np.where(agreement > 0, np.minimum(step * 1.2, step_max), step)
        step = np.where(agreement < 0, np.maximum(step * 0.5, step_min), step)
        update = np.where(agreement < 0, 0.0, -np.sign(g) * step)
        remembered = np.where(agreement < 0, 0.0, g)
        updates.append(update)
    return updates
    # END SOLUTION''',
            },
        ],
    },
    {
        "stem": "ex11_init",
        "title": "Exercises 11: initialisation",
        "lesson": "11",
        "intro": """Practice for lesson 11. Xavier (Glorot) initialisation draws a layer's weights with
variance 2 / (fan_in + fan_out), so that signals keep their size going forward and gradients going
backward. Its uniform version draws from U(-r, r); since U(-r, r) has variance r^2 / 3, the bound is
r = sqrt(6 / (fan_in + fan_out)).""",
        "exercises": [
            {
                "id": "ex11.xavier_uniform", "function": "xavier_uniform",
                "prompt": """### Exercise 11.1 - Xavier uniform

Return a `(fan_out, fan_in)` weight matrix drawn from U(-r, r) with the `rng` you are given (a
`numpy.random.Generator`; never the global `np.random`), so that the same seed always gives the same
weights. Random weights cannot be compared one by one: the check tests the shape, the bound, the mean,
the variance and the determinism.""",
                "code": '''def xavier_uniform(fan_in, fan_out, rng):
    """A (fan_out, fan_in) matrix drawn from U(-r, r), r = sqrt(6 / (fan_in + fan_out))."""
    # BEGIN SOLUTION
    r = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-r, r, size=(fan_out, fan_in))
    # END SOLUTION''',
            },
        ],
    },
    {
        "stem": "ex12_digits",
        "title": "Exercises 12: the digits network from scratch",
        "lesson": "12",
        "intro": """Practice for lesson 12, the capstone. The lesson let the package do the work: `bc.datasets`
prepared the digits, `bc.MLP`, `bc.SGD` and `bc.train` trained the network, and a few lines of numpy
counted its mistakes. Here you write those pieces yourself with numpy alone, so that every step of the
course (one-hot targets, the forward pass, error terms, summed batch gradients, the update) sits in code
you wrote. Shapes follow the package: `weights[l]` has shape `(sizes[l+1], sizes[l])` (row j holds the
weights *into* neuron j), `biases[l]` shape `(sizes[l+1],)`, and samples are rows. The error is the
seeds' E = 1/2 sum (t - y)^2 over the samples of a batch and the outputs.

When all three checks pass, try the real thing in cells of your own: split `bc.datasets.digits()` with
your first function, train `[64, 32, 10]` with your `train_mlp` on mini-batches of 32 (a fresh
permutation each epoch, as in exercise 9.1), and measure the test set with your `accuracy_confusion`.
Without momentum a rate around 0.05 works: from the lesson's starting weights (`bc.MLP([64, 32, 10],
activation=["tanh", "sigmoid"], seed=0)`), 30 epochs give above 95 % on the test images.""",
        "exercises": [
            {
                "id": "ex12.one_hot_split", "function": "one_hot_split",
                "prompt": """### Exercise 12.1 - one-hot targets and a seeded train/test split

Write `one_hot_split(X, labels, n_classes, test_fraction, seed)`. `X` is an `(n, d)` array of inputs and
`labels` a sequence of n class numbers in `0 .. n_classes - 1`.

1. Build the one-hot targets `T`, shape `(n, n_classes)`: row p is all zeros except a 1 in column
   `labels[p]`. Take the number of columns from `n_classes`, not from the labels (a class may be missing
   from a small sample).
2. Split as `bc.datasets.train_test_split` does in the lesson: draw one random order of the samples with
   `np.random.default_rng(seed).permutation(n)`; the first `round(n * test_fraction)` positions of that
   order are the test samples, the remaining ones (in the order's sequence) the training samples. Inputs
   and targets must be split with the same order, or images and digits get separated.

Return `(X_train, X_test, T_train, T_test)`.""",
                "code": '''def one_hot_split(X, labels, n_classes, test_fraction, seed):
    """One-hot targets from labels, then a seeded split: (X_train, X_test, T_train, T_test)."""
    # BEGIN SOLUTION
    labels = np.asarray(labels, dtype=int)
    T = np.eye(n_classes)[labels]                      # row p: the identity row of class labels[p]
    n = len(X)
    order = np.random.default_rng(seed).permutation(n) # one shuffled order for inputs AND targets
    n_test = int(round(n * test_fraction))
    test, train = order[:n_test], order[n_test:]       # the test part comes first
    return X[train], X[test], T[train], T[test]
    # END SOLUTION''',
            },
            {
                "id": "ex12.accuracy_confusion", "function": "accuracy_confusion",
                "prompt": """### Exercise 12.2 - predictions, accuracy and the confusion matrix

`Y` holds a network's outputs, shape `(n, k)` (k = 10 for the digits), and `T` the one-hot targets of
the same shape. Return the tuple `(predicted, accuracy, confusion)`:

- `predicted`: shape `(n,)`, the class the network answers for each sample, i.e. the position of its
  largest output;
- `accuracy`: the fraction of samples (a float between 0 and 1) whose answer is the true class, the
  position of the 1 in its target row;
- `confusion`: a `(k, k)` array of counts; entry `[i, j]` is the number of samples of **true class i
  (row)** that the network labelled **j (column)**. Its diagonal holds the correct answers, and all its
  entries add up to n.

A trap worth knowing: with index arrays that repeat a pair, numpy's `A[rows, cols] += 1` adds 1 only
once per distinct pair.""",
                "code": '''def accuracy_confusion(Y, T):
    """(predicted classes (n,), accuracy, confusion (k, k) with rows = true class, columns = answer)."""
    # BEGIN SOLUTION
    k = Y.shape[1]
    predicted = Y.argmax(axis=1)                       # the answer: the largest output of each row
    true = T.argmax(axis=1)                            # where the 1 sits in each one-hot target
    accuracy = float(np.mean(predicted == true))
    confusion = np.zeros((k, k), dtype=int)
    np.add.at(confusion, (true, predicted), 1)         # adds 1 for every sample, repeated pairs too
    return predicted, accuracy, confusion
    # END SOLUTION''',
            },
            {
                "id": "ex12.train_mlp", "function": "train_mlp",
                "prompt": """### Exercise 12.3 - training a network, from scratch

Write `train_mlp(weights, biases, activations, X, T, lr, batches)`: plain gradient descent (no
momentum) on a fully connected network of any depth.

- `weights`, `biases`: the initial parameters, lists with one array per layer (shapes above);
- `activations`: one name per layer, `"tanh"` or `"sigmoid"` (the lesson's network is
  `["tanh", "sigmoid"]`); both slopes can be written with the layer's output a: tanh' = 1 - a^2 and
  sigmoid' = a (1 - a);
- `X` `(n, sizes[0])`, `T` `(n, sizes[-1])`; `lr` the learning rate;
- `batches`: a list of index lists, e.g. `[[0, 2], [1, 3], [3]]`; a sample may appear in several.

For each batch in turn: run the forward pass on its samples (net input `A @ W.T + b`, then the layer's
activation), record the batch's E at the current weights, backpropagate the error terms from the output
down, form every layer's gradient **summed** over the batch's samples, and only then update every layer:
W <- W - lr dE/dW, b <- b - lr dE/db. Return the tuple `(weights, biases, losses)`: the final parameters
(lists of arrays, shapes as given) and the list of the batches' E values, one per update, each measured
before its update. Do not change the arrays you were given.

The check compares your result with the package's own training step on the same network and batches.
Everything the function needs (the activations, their slopes) must be inside its cell.""",
                "code": '''def train_mlp(weights, biases, activations, X, T, lr, batches):
    """Plain gradient descent over the given batches; returns (weights, biases, losses)."""
    # BEGIN SOLUTION
    def f(name, z):
        if name == "tanh":
            return np.tanh(z)
        e = np.exp(-np.abs(z))                         # a sigmoid that never overflows
        return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))

    def slope(name, a):
        # the derivative of the activation, written with its output a = f(z)
        return 1.0 - a * a if name == "tanh" else a * (1.0 - a)

    weights = [np.array(W, dtype=float) for W in weights]   # copies: the caller's arrays stay unchanged
    biases = [np.array(b, dtype=float) for b in biases]
    L, losses = len(weights), []
    for idx in batches:
        Xb, Tb = X[idx], T[idx]                        # the samples of this update
        outs = [Xb]                                    # forward pass, keeping every layer's output
        for W, b, name in zip(weights, biases, activations):
            outs.append(f(name, outs[-1] @ W.T + b))
        Y = outs[-1]
        losses.append(0.5 * np.sum((Tb - Y) ** 2))     # E of this batch at the weights before the update
        grad_w, grad_b = [None] * L, [None] * L
        delta = -(Tb - Y) * slope(activations[-1], Y)  # output error term dE/d(net input)
        for l in range(L - 1, -1, -1):                 # backward pass, top layer first
            grad_w[l] = delta.T @ outs[l]              # summed over the samples of the batch
            grad_b[l] = delta.sum(axis=0)              # a bias is a weight on a constant input 1
            if l > 0:
                delta = (delta @ weights[l]) * slope(activations[l - 1], outs[l])
        for l in range(L):                             # update only now that every gradient is known
            weights[l] = weights[l] - lr * grad_w[l]
            biases[l] = biases[l] - lr * grad_b[l]
    return weights, biases, losses
    # END SOLUTION''',
            },
        ],
    },
]


def _meta(role: str, exercise: str | None = None) -> dict:
    inner = {"role": role}
    if exercise:
        inner["exercise"] = exercise
    return {META: inner}


def build_solution(spec: dict):
    """The solution notebook of one SPEC entry."""
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata[META] = {"notebook": spec["stem"], "exercises": [e["id"] for e in spec["exercises"]]}
    badge = colab_badge(f"exercises/{spec['stem']}.ipynb")
    cells = [new_markdown_cell(f"# {spec['title']}\n\n{badge}\n\n{spec['intro']}\n\nLesson: "
                               f"`notebooks/{spec['lesson']}_*.ipynb`.\n\n{HOW}", metadata=_meta("intro"))]
    setup = with_install(SETUP + ("\n" + spec["setup_extra"] if spec.get("setup_extra") else ""))
    cells.append(new_code_cell(setup, metadata=_meta("setup")))
    for ex in spec["exercises"]:
        cells.append(new_markdown_cell(ex["prompt"], metadata=_meta("prompt", ex["id"])))
        cells.append(new_code_cell(ex["code"], metadata=_meta("solution", ex["id"])))
        cells.append(new_code_cell(f'bc.check("{ex["id"]}", {ex["function"]})', metadata=_meta("check", ex["id"])))
    cells.append(new_markdown_cell("When every check passes, save the notebook and hand it in; your instructor "
                                   "grades it with `backprop-course grade`.", metadata=_meta("outro")))
    nb.cells = cells
    return nb


def main() -> int:
    out_dir = ROOT / "exercises"
    (out_dir / "solutions").mkdir(parents=True, exist_ok=True)
    for spec in SPEC:
        solution = build_solution(spec)
        learner = strip_notebook(solution, META)
        nbformat.validate(solution)
        nbformat.write(solution, out_dir / "solutions" / f"{spec['stem']}.ipynb")
        nbformat.write(learner, out_dir / f"{spec['stem']}.ipynb")
        print(f"wrote exercises/{spec['stem']}.ipynb and its solution")
    return 0


if __name__ == "__main__":
    sys.exit(main())
