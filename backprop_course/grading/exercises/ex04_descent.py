"""Exercises of lesson 4 (Backpropagation for dummies): one gradient-descent step, a descent run on a bowl, and the
learning rates at which descent on a bowl starts to bounce and to diverge.

The bowls are the lesson's: f(w) = sum_i a_i w_i^2 (a = 1 is the bowl x^2 of the lesson's table,
a = (0.1, 2) its valley). The references use the engine: ``SGD`` makes the steps, and a ``Value`` graph
supplies the gradient of the bowl (automatic differentiation, not the learner's formula 2 a w).
"""
from __future__ import annotations

import numpy as np

from ...engine.optim import SGD
from ...engine.value import Value
from . import draw
from .worksheet import Worksheet
from ..checking.cases import Case
from ..checking.compare import compare_numbers
from ..checking.exercise import Exercise
from ..checking.exercise import Misconception

NOTEBOOK = "ex04_descent"
FORBIDDEN = frozenset({"engine", "optim", "SGD", "compute_update", "Value", "backward", "descend",
                       "descent_explorer", "widgets", "train", "torch"})

WORKSHEET = Worksheet(
    stem=NOTEBOOK,
    title="Exercises 4: gradient descent",
    lesson="04",
    intro="""Practice for lesson 4. Gradient descent walks downhill by stepping against the gradient:
with learning rate $\\epsilon$ (`lr` in code) every weight moves by $\\Delta w = -\\epsilon\\, \\partial E /
\\partial w$. You will write that step, run it on the lesson's bowls $f(w) = \\sum_i a_i w_i^2$ and watch
the path, and then work out from the curvatures $a_i$ which learning rates make descent bounce or
diverge.""",
)

STEP_PROMPT = """### Exercise 4.1 - one step downhill

Write `descent_step(w, grad, lr)`. `w` holds the current weights and `grad` the gradient
$\\partial E / \\partial w$ at `w` (numpy arrays of one shape, any shape). Return the tuple
`(delta_w, w_new)`: the change $\\Delta w = -\\epsilon\\, \\partial E / \\partial w$ and the weights after the
step, $w + \\Delta w$. Build a new array for `w_new` (do not change `w` in place).

Check with the lesson: weights `[1, -2]`, gradient `[0.5, -1]` and `lr = 0.1` give
$\\Delta w$ = `[-0.05, 0.1]`; on the blog post's line $f(x) = 3x + 4$ a step from $x = 2$ lands on $x = 1.7$."""

STEP_SOLUTION = '''def descent_step(w, grad, lr):
    """One gradient-descent step: returns (delta_w, w_new), both shaped like w."""
    # BEGIN SOLUTION
    delta_w = -lr * grad          # step against the gradient, scaled by the learning rate
    w_new = w + delta_w           # a new array: w itself is left as it was
    return (delta_w, w_new)
    # END SOLUTION'''

PATH_PROMPT = """### Exercise 4.2 - a descent run on a bowl

The bowl $f(w) = \\sum_i a_i w_i^2$ has its minimum at $w = 0$, and its gradient has the entries
$\\partial f / \\partial w_i = 2 a_i w_i$. With one curvature $a = 1$ it is the lesson's $f(x) = x^2$; with
$a = (0.1, 2)$ it is the lesson's long valley.

Write `descent_path(w0, a, lr, steps)`: start at `w0` (shape `(n,)`, the same shape as `a`), make `steps`
gradient-descent steps, and return an array of shape `(steps + 1, n)` whose row 0 is `w0` and row k the
weights after k steps.

The first public case is the lesson's bouncing run ($x_0 = 2.5$, $\\epsilon = 0.9$: the sign flips at
every step while $|x|$ shrinks by the factor 0.8); the second is the zig-zag in the valley. Once your
check passes, try `lr = 1.1` on the first bowl and look at the path."""

PATH_SOLUTION = '''def descent_path(w0, a, lr, steps):
    """The iterates of gradient descent on f(w) = sum a_i w_i^2, shape (steps + 1, n), row 0 = w0."""
    # BEGIN SOLUTION
    w = np.array(w0, dtype=float)
    path = [w.copy()]
    for _ in range(steps):
        grad = 2.0 * a * w        # the gradient of the bowl at the current point
        w = w - lr * grad         # one step against it
        path.append(w.copy())
    return np.array(path)
    # END SOLUTION'''

LR_LIMITS_PROMPT = """### Exercise 4.3 - how large may the learning rate be?

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
beyond 1), and its valley the second."""

LR_LIMITS_SOLUTION = '''def learning_rate_limits(a):
    """(no_bounce, converge): the learning-rate limits of gradient descent on f(w) = sum a_i w_i^2."""
    # BEGIN SOLUTION
    steepest = np.max(a)                 # the most sharply curved direction binds
    no_bounce = 1.0 / (2.0 * steepest)   # 1 - 2 lr a >= 0
    converge = 1.0 / steepest            # 1 - 2 lr a > -1
    return (no_bounce, converge)
    # END SOLUTION'''


def _descent_step(w, grad, lr):
    w = np.array(w, dtype=float)
    opt = SGD(lr=lr)
    update = opt.compute_update([w], [np.asarray(grad, dtype=float)])
    opt.apply([w], update)
    return (update[0], w)


def _bowl_gradient(a, w) -> np.ndarray:
    """Gradient of f(w) = sum a_i w_i^2 at w, by backpropagation through a Value graph."""
    leaves = [Value(float(wi)) for wi in w]
    f = Value(0.0)
    for ai, wi in zip(a, leaves):
        f = f + float(ai) * wi ** 2
    f.backward()
    return np.array([leaf.grad for leaf in leaves])


def _descent_path(w0, a, lr, steps):
    a = np.asarray(a, dtype=float)
    w = np.array(w0, dtype=float)
    opt = SGD(lr=lr)
    points = [w.copy()]
    for _ in range(int(steps)):
        opt.apply([w], opt.compute_update([w], [_bowl_gradient(a, w)]))
        points.append(w.copy())
    return np.array(points)


def _lr_limits(a):
    # Each step multiplies w_i by 1 - 2 lr a_i. No sign flip needs 1 - 2 lr a_i >= 0 for every i;
    # convergence needs |1 - 2 lr a_i| < 1 for every i. The steepest direction (largest a_i) binds both.
    steepest = float(np.max(np.asarray(a, dtype=float)))
    return (1.0 / (2.0 * steepest), 1.0 / steepest)


STEP_HINT = "Delta w = -lr * grad (every entry), then the new weights are w + Delta w; return both"
PATH_HINT = ("the gradient of sum a_i w_i^2 is 2 a_i w_i; start the list with w0 and append the weights "
             "after every one of the steps")
LIMIT_HINT = ("each step multiplies w_i by 1 - 2 lr a_i: no bouncing while that factor is >= 0, "
              "convergence while it is > -1, for the steepest direction (the largest a_i)")


def _step_hidden(rng):
    cases = []
    for i, shape in enumerate(((1,), draw.shape(rng, 1, 2, 6), draw.shape(rng, 2, 2, 5)), start=1):
        cases.append(Case(f"hidden {i}", (draw.mixed(rng, shape, 0.1, 3.0), draw.mixed(rng, shape, 0.1, 3.0),
                                          float(rng.uniform(0.01, 1.5))), True, STEP_HINT))
    return cases


def _curvatures(rng, n):
    return rng.uniform(0.1, 3.0, size=n)


def _path_hidden(rng):
    cases = []
    # 1: a single step of a 2-D bowl; 2: a bouncing 1-D bowl; 3: a crawl/zig-zag in n-D; 4: divergence
    a = _curvatures(rng, 2)
    cases.append(Case("hidden 1", (draw.mixed(rng, 2, 0.5, 3.0), a, float(rng.uniform(0.05, 0.4) / a.max()), 1),
                      True, PATH_HINT))
    a = _curvatures(rng, 1)
    cases.append(Case("hidden 2", (draw.mixed(rng, 1, 0.5, 3.0), a, float(rng.uniform(0.6, 0.95) / a[0]),
                                   int(rng.integers(5, 12))), True, PATH_HINT))
    n = int(rng.integers(2, 5))
    a = _curvatures(rng, n)
    cases.append(Case("hidden 3", (draw.mixed(rng, n, 0.5, 3.0), a, float(rng.uniform(0.1, 0.9) / a.max()),
                                   int(rng.integers(8, 20))), True, PATH_HINT))
    n = int(rng.integers(1, 4))
    a = _curvatures(rng, n)
    cases.append(Case("hidden 4", (draw.mixed(rng, n, 0.5, 3.0), a, float(rng.uniform(1.05, 1.3) / a.max()),
                                   int(rng.integers(6, 15))), True,
                      "a learning rate too large for the bowl must make the path grow, step after step"))
    return cases


def _limits_hidden(rng):
    # Several directions in every case (a single one lets the first, last, smallest or mean curvature
    # pass): the steepest comes first in case 1, and neither first nor last in cases 2 and 3.
    a = rng.uniform(0.05, 5.0, size=int(rng.integers(2, 5)))
    a[0] = a.max() * rng.uniform(1.5, 3.0)
    cases = [Case("hidden 1", (a,), True, LIMIT_HINT)]
    for i in (2, 3):
        a = rng.uniform(0.05, 5.0, size=int(rng.integers(3, 7)))
        a[int(rng.integers(1, a.size - 1))] = a.max() * rng.uniform(1.5, 3.0)  # steepest neither first nor last
        cases.append(Case(f"hidden {i}", (a,), True, LIMIT_HINT))
    return cases


L04_SLOPE = 'lesson 04, section 1 "A slope tells you which way is down"'
L04_HILL = 'lesson 04, section 2 "The hill picture"'
L04_RATE = 'lesson 04, section 3 "The learning rate"'


def _path_source(grad="2.0 * a * w", start="[w.copy()]", steps="steps", update="w = w - lr * grad",
                 keep="w.copy()") -> str:
    # a wrong descent run, written as the model solution with one piece changed
    return ("def descent_path(w0, a, lr, steps):\n    w = np.array(w0, dtype=float)\n"
            f"    path = {start}\n    for _ in range({steps}):\n        grad = {grad}\n"
            f"        {update}\n        path.append({keep})\n    return np.array(path)\n")


def _limits_source(steepest="np.max(a)", no_bounce="1.0 / (2.0 * steepest)", converge="1.0 / steepest") -> str:
    return (f"def learning_rate_limits(a):\n    steepest = {steepest}\n"
            f"    return ({no_bounce}, {converge})\n")


STEP_MISCONCEPTIONS = (
    Misconception(
        "a step uphill (sign flip)",
        "The gradient points uphill; descent steps AGAINST it: Delta w = -lr * grad.", L04_SLOPE,
        "def descent_step(w, grad, lr):\n    d = lr * grad\n    return (d, w + d)\n"),
    Misconception(
        "the learning rate forgotten",
        "The gradient gives the direction; the learning rate sets how far to go: Delta w = -lr * grad.",
        L04_RATE,
        "def descent_step(w, grad, lr):\n    return (-grad, w - grad)\n"),
    Misconception(
        "an extra 2 from the bowl's gradient",
        "The gradient is given: the step is -lr times it, with no further factor (the 2 of x^2 is already "
        "inside grad).", L04_SLOPE,
        "def descent_step(w, grad, lr):\n    d = -2 * lr * grad\n    return (d, w + d)\n"),
    Misconception(
        "the update returned as the new weights",
        "Delta w is the change; the new weights are the old ones plus that change, w + Delta w.", L04_SLOPE,
        "def descent_step(w, grad, lr):\n    d = -lr * grad\n    return (d, d)\n"),
)

PATH_MISCONCEPTIONS = (
    Misconception(
        "a missing 2 in the bowl's gradient",
        "The derivative of a_i w_i^2 is 2 a_i w_i: the power comes down as a factor 2.", L04_HILL,
        _path_source(grad="a * w")),
    Misconception(
        "the start point left out",
        "The path starts with w0 itself, then one row per step: steps + 1 rows in all.", L04_RATE,
        _path_source(start="[]")),
    Misconception(
        "one step too many",
        "After w0 come exactly `steps` updates; an extra pass of the loop adds one more row.", L04_RATE,
        _path_source(steps="steps + 1")),
    Misconception(
        "the gradient always taken at w0",
        "Each step needs the slope where descent stands NOW: recompute the gradient at the current w "
        "every time.", L04_HILL,
        _path_source(grad="2.0 * a * np.asarray(w0)")),
    Misconception(
        "steps uphill (sign flip)",
        "Descent moves against the gradient: w - lr * grad, not w + lr * grad.", L04_SLOPE,
        _path_source(update="w = w + lr * grad")),
    Misconception(
        "every row the same array (no copy)",
        "Updating w in place and appending w itself stores the same array again and again, so every row "
        "ends up as the last point: append a copy.", L04_RATE,
        _path_source(update="w -= lr * grad", start="[w]", keep="w")),
)

LIMITS_MISCONCEPTIONS = (
    Misconception(
        "the flattest direction instead of the steepest",
        "The most sharply curved direction (the largest a_i) is the first to bounce and diverge, so it "
        "sets both limits.", L04_RATE,
        _limits_source(steepest="np.min(a)")),
    Misconception(
        "the last curvature instead of the largest",
        "The limits come from the largest a_i, wherever it stands in the list, not from the last one.",
        L04_RATE,
        _limits_source(steepest="a[-1]")),
    Misconception(
        "the first curvature instead of the largest",
        "The limits come from the largest a_i, wherever it stands in the list, not from the first one.",
        L04_RATE,
        _limits_source(steepest="a[0]")),
    Misconception(
        "the mean curvature",
        "An average direction does not bind: the steepest one bounces and diverges first, so use the "
        "largest a_i.", L04_RATE,
        _limits_source(steepest="np.mean(a)")),
    Misconception(
        "the factor 2 forgotten",
        "Each step multiplies w_i by 1 - 2 lr a_i (the 2 of the gradient 2 a_i w_i): no bouncing up to "
        "1 / (2 a), divergence from 1 / a.", L04_RATE,
        _limits_source(no_bounce="1.0 / steepest", converge="2.0 / steepest")),
    Misconception(
        "the two limits swapped",
        "Bouncing starts first, when 1 - 2 lr a turns negative; divergence later, when it passes -1: the "
        "no-bounce limit is the smaller one.", L04_RATE,
        _limits_source(no_bounce="1.0 / steepest", converge="1.0 / (2.0 * steepest)")),
)

EXERCISES = [
    Exercise(
        id="ex04.step", function="descent_step", title="one gradient-descent step", notebook=NOTEBOOK,
        prompt=STEP_PROMPT, solution=STEP_SOLUTION,
        public=lambda: [Case("public 1", (np.array([1.0, -2.0]), np.array([0.5, -1.0]), 0.1)),
                        Case("public 2", (np.array([2.0]), np.array([3.0]), 0.1))],
        hidden=_step_hidden, reference=_descent_step, forbidden=FORBIDDEN, hint=STEP_HINT,
        misconceptions=STEP_MISCONCEPTIONS,
    ),
    Exercise(
        id="ex04.path", function="descent_path", title="a descent run on a bowl", notebook=NOTEBOOK,
        prompt=PATH_PROMPT, solution=PATH_SOLUTION,
        public=lambda: [Case("public 1", (np.array([2.5]), np.array([1.0]), 0.9, 10)),
                        Case("public 2", (np.array([-4.5, 1.5]), np.array([0.1, 2.0]), 0.45, 6))],
        hidden=_path_hidden, reference=_descent_path, forbidden=FORBIDDEN, points=2.0, hint=PATH_HINT,
        misconceptions=PATH_MISCONCEPTIONS,
    ),
    Exercise(
        id="ex04.lr_limits", function="learning_rate_limits", title="when descent bounces and diverges",
        prompt=LR_LIMITS_PROMPT, solution=LR_LIMITS_SOLUTION,
        notebook=NOTEBOOK,
        public=lambda: [Case("public 1", (np.array([1.0]),)), Case("public 2", (np.array([0.1, 2.0]),))],
        hidden=_limits_hidden, reference=_lr_limits, forbidden=FORBIDDEN, hint=LIMIT_HINT,
        compare=lambda e, a: compare_numbers(e, a, rtol=1e-9, atol=1e-12),
        misconceptions=LIMITS_MISCONCEPTIONS,
    ),
]
