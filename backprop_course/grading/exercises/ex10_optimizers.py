"""Exercises of lesson 10 (Backpropagation for dummies): the momentum update, a Nesterov step and RPROP.

Momentum and RPROP receive the gradients a training run produced, one array per step, and return the weight
changes Delta w_t they would apply, one per step; their references are the engine's optimizers
(:mod:`backprop_course.engine.optim`), stepped through the same gradients. Nesterov's look-ahead needs the
gradient at a point the learner computes, so that exercise receives a gradient FUNCTION (a test function
named by data, :mod:`..sandbox.testfunctions`) and the starting weights; its reference is the engine's
:func:`~backprop_course.engine.optim.nesterov_lookahead_step` with the exact gradient of ex06b's judge.
"""
from __future__ import annotations

import numpy as np

from ...engine.optim import RPROP, SGD, nesterov_lookahead_step
from . import draw
from .ex06b_gradcheck import exact_gradient
from .worksheet import Worksheet
from ..checking.cases import Case
from ..sandbox.codec import FunctionSpec
from ..checking.exercise import Exercise

NOTEBOOK = "ex10_optimizers"
FORBIDDEN = frozenset({"engine", "optim", "SGD", "RPROP", "compute_update", "train", "torch",
                       "nesterov_lookahead_step"})

WORKSHEET = Worksheet(
    stem=NOTEBOOK,
    title="Exercises 10: momentum, Nesterov and RPROP",
    lesson="10",
    intro="""Practice for lesson 10. Each function returns the list of weight changes Delta w_t an
optimizer would apply, one per step. Momentum and RPROP receive the gradients a training run produced,
`grads[t]` being dE/dw at step t (numpy arrays of one shape); they do not need the weights themselves.
Nesterov's method needs the gradient at a point of its own choosing, so its exercise receives the
gradient as a function instead.""",
)

MOMENTUM_PROMPT = """### Exercise 10.1 - momentum

The blog post's rule, with learning rate $\\epsilon$ (`lr`) and momentum $\\alpha$ (`momentum`):

$$\\Delta w_t = -\\epsilon \\frac{\\partial E}{\\partial w} + \\alpha\\, \\Delta w_{t-1}, \\qquad \\Delta w_0 = 0.$$"""

MOMENTUM_SOLUTION = '''def momentum_updates(grads, lr, momentum):
    """Weight changes of gradient descent with momentum, one per gradient."""
    # BEGIN SOLUTION
    updates, previous = [], np.zeros_like(grads[0], dtype=float)
    for g in grads:
        previous = -lr * g + momentum * previous
        updates.append(previous)
    return updates
    # END SOLUTION'''

NESTEROV_PROMPT = r"""### Exercise 10.2 - Nesterov momentum: look before you leap

Lesson 10's textbook form of Nesterov's method. Start from the weights `w0` with velocity $v_0 = 0$;
at every step first jump along the old velocity to the **look-ahead point**, take the gradient
*there*, and then update the velocity and the weights:

$$u_t = w_{t-1} + \alpha\, v_{t-1}, \qquad v_t = \alpha\, v_{t-1} - \epsilon\, \nabla E(u_t), \qquad
w_t = w_{t-1} + v_t .$$

`grad` is a function: `grad(u)` returns dE/dw at the point `u`, an array of the shape of `w0`. Run
`steps` steps with learning rate `lr` ($\epsilon$) and `momentum` ($\alpha$) and return the weight
changes $\Delta w_t = w_t - w_{t-1}$, one per step. To try it yourself, `grad = lambda u: u` is the
gradient of E = w^2 / 2. (`bc.SGD(..., nesterov=True)` stores the look-ahead points instead of the
weights, which lets it use the gradient at its own parameters; here you compute the look-ahead
yourself.)"""

NESTEROV_SOLUTION = '''def nesterov_updates(grad, w0, lr, momentum, steps):
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
    # END SOLUTION'''

RPROP_PROMPT = """### Exercise 10.3 - RPROP (the iRprop- variant the package uses)

Every weight has its own step size, starting at `step_init`. At each step compare the sign of the
gradient with the one remembered from the previous step, entry by entry:

- same sign: step = min(step * 1.2, step_max), and move by -sign(g) * step;
- opposite sign: step = max(step * 0.5, step_min), do not move (change 0), and remember 0 instead of g;
- either gradient 0: keep the step and move by -sign(g) * step.

The remembered gradient starts at 0."""

RPROP_SOLUTION = '''def rprop_updates(grads, step_init, step_min, step_max):
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
    # END SOLUTION'''


def _run(opt, grads):
    params = [np.zeros_like(np.asarray(grads[0], dtype=float))]
    return [opt.compute_update(params, [np.asarray(g, dtype=float)])[0] for g in grads]


def _momentum(grads, lr, momentum):
    return _run(SGD(lr=lr, momentum=momentum), grads)


def _nesterov(grad, w0, lr, momentum, steps):
    # the textbook look-ahead form: the gradient at w + momentum * v, then v and w; the changes are the v's
    def grad_at(points):
        return [exact_gradient("wavy", grad.params, points[0])]

    w, v, changes = [np.asarray(w0, dtype=float)], [np.zeros(np.shape(w0))], []
    for _ in range(int(steps)):
        w, v, _look = nesterov_lookahead_step(w, v, grad_at, lr=lr, momentum=momentum)
        changes.append(v[0].copy())
    return changes


def _rprop(grads, step_init, step_min, step_max):
    return _run(RPROP(step_init=step_init, step_min=step_min, step_max=step_max, variant="irprop-"), grads)


def _grads(rng, steps, shape, flips=True):
    g = [draw.mixed(rng, shape, 0.1, 2.0) for _ in range(steps)]
    if not flips:  # keep every entry's sign for a while, so step sizes grow
        sign = np.sign(g[0])
        g = [np.abs(x) * sign for x in g]
    return g


M_HINT = "Delta w_t = -lr * g_t + momentum * Delta w_(t-1), starting from Delta w_0 = 0"
N_HINT = ("look-ahead point u = w + momentum * v, then v = momentum * v - lr * grad(u) and w = w + v; the change "
          "of each step is the new v (start: w = w0, v = 0)")
R_HINT = ("per entry: same sign as last step -> step * 1.2 (at most step_max), flip -> step * 0.5 (at least "
          "step_min), move 0 and forget the gradient; otherwise move -sign(g) * step")


def _m_hidden(hint):
    def hidden(rng):
        out = []
        for i in (1, 2, 3):
            shape = (1,) if i == 1 else draw.shape(rng)
            out.append(Case(f"hidden {i}", (_grads(rng, int(rng.integers(3, 6)), shape),
                                            float(rng.uniform(0.01, 0.5)), float(rng.uniform(0.5, 0.95))), True, hint))
        return out
    return hidden


def _wavy_gradient(rng, shape):
    return FunctionSpec("wavy_gradient", {"c": rng.uniform(-1.0, 1.0, size=shape),
                                          "d": rng.uniform(0.5, 2.0, size=shape),
                                          "w": draw.mixed(rng, shape, 0.3, 1.0)})


def _n_hidden(rng):
    # several steps in every case (the first step has v = 0, so its look-ahead point is w itself), and a
    # gradient that changes from point to point, so where it is taken shows in every later step
    out = []
    for i in (1, 2, 3):
        shape = (1,) if i == 1 else draw.shape(rng)
        args = (_wavy_gradient(rng, shape), draw.mixed(rng, shape, 0.5, 2.0), float(rng.uniform(0.05, 0.2)),
                float(rng.uniform(0.5, 0.9)), int(rng.integers(4, 7)))
        out.append(Case(f"hidden {i}", args, True, N_HINT))
    return out


def _r_hidden(rng):
    out = []
    for i in (1, 2, 3):
        shape = (1,) if i == 1 else draw.shape(rng)
        grads = _grads(rng, int(rng.integers(4, 8)), shape, flips=(i != 1))
        step_init = float(rng.uniform(0.05, 0.2))
        bounds = (1e-6, 50.0)
        if i == 2:  # the second gradient agrees with the first everywhere, so every step meets a tight step_max
            grads[1] = np.abs(grads[1]) * np.sign(grads[0])
            bounds = (step_init * 0.6, step_init * 1.1)
        if i == 3:  # steps grow past step_max, then the signs alternate until step_min is reached
            grads = _grads(rng, 4, shape, flips=False)
            grads += [grads[-1] * (-1.0) ** (k + 1) for k in range(8)]
            bounds = (step_init * 0.4, step_init * 1.5)
        out.append(Case(f"hidden {i}", (grads, step_init, *bounds), True, R_HINT))
    return out


_PUBLIC_GRADS = [np.array([2.0, -1.0]), np.array([1.0, 0.5]), np.array([1.5, 0.5])]
# E(w) = sum c sin(w) + 1/2 sum d w^2 + 1/4 (u . w)^2; the learner receives its gradient as a function
_PUBLIC_NESTEROV = (FunctionSpec("wavy_gradient", {"c": np.array([0.5, -1.0]), "d": np.array([2.0, 1.5]),
                                                   "w": np.array([1.0, -0.5])}),
                    np.array([1.0, -2.0]), 0.1, 0.9, 4)

# -- misconceptions: the wrong functions a learner writes, run on the same cases ------------------------------
from ..checking.exercise import Misconception  # noqa: E402 - kept next to the catalogue it builds
from ._edits import edited as _edit  # noqa: E402

_L10_MOMENTUM = 'lesson 10, section 1 "Momentum: remember the last step"'
_L10_NESTEROV = 'lesson 10, section 3 "Nesterov momentum: look before you leap"'
_L10_RPROP = 'lesson 10, section 4 "RPROP: a step size per weight, from signs only"'

# The model solutions (without their comments); each misconception is a small edit of one of them.
_MOMENTUM_SOURCE = """def momentum_updates(grads, lr, momentum):
    updates, previous = [], np.zeros_like(grads[0], dtype=float)
    for g in grads:
        previous = -lr * g + momentum * previous
        updates.append(previous)
    return updates
"""

_NESTEROV_SOURCE = """def nesterov_updates(grad, w0, lr, momentum, steps):
    w = np.array(w0, dtype=float)
    velocity = np.zeros_like(w)
    updates = []
    for _ in range(steps):
        lookahead = w + momentum * velocity
        velocity = momentum * velocity - lr * grad(lookahead)
        w = w + velocity
        updates.append(velocity.copy())
    return updates
"""

_RPROP_SOURCE = """def rprop_updates(grads, step_init, step_min, step_max):
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
"""


M_MISCONCEPTIONS = (
    Misconception(
        "uphill (sign flip on the gradient)",
        "The gradient term enters with a minus sign, -lr * dE/dw: the step goes downhill, and the momentum "
        "term then carries the previous change along.",
        _L10_MOMENTUM, _edit(_MOMENTUM_SOURCE, ("previous = -lr * g + momentum", "previous = lr * g + momentum"))),
    Misconception(
        "damped gradient, (1 - momentum) * lr * g",
        "Some libraries scale the new gradient by (1 - momentum), an average of gradients; the course's rule "
        "adds the full -lr * g to momentum times the last change.",
        _L10_MOMENTUM, _edit(_MOMENTUM_SOURCE, ("previous = -lr * g", "previous = -(1.0 - momentum) * lr * g"))),
    Misconception(
        "learning rate on the momentum term too",
        "Only the gradient is multiplied by the learning rate; the previous change is already a step, and "
        "momentum alone scales it.",
        _L10_MOMENTUM, _edit(_MOMENTUM_SOURCE, ("previous = -lr * g + momentum * previous",
                                                "previous = -lr * (g + momentum * previous)"))),
    Misconception(
        "one step late (the old change returned)",
        "Step t's change already includes step t's gradient: compute the new change first, then record it; "
        "recording before computing returns every change one step late, starting with 0.",
        _L10_MOMENTUM, _edit(_MOMENTUM_SOURCE,
                             ("        previous = -lr * g + momentum * previous\n        updates.append(previous)\n",
                              "        updates.append(previous)\n        previous = -lr * g + momentum * previous\n"))),
    Misconception(
        "momentum on the previous gradient",
        "Momentum remembers the previous CHANGE of the weights, which itself remembers all the gradients "
        "before it; adding only the last gradient forgets everything older.",
        _L10_MOMENTUM, _edit(_MOMENTUM_SOURCE,
                             ("updates, previous = [], np.zeros_like(grads[0], dtype=float)",
                              "updates, last = [], np.zeros_like(grads[0], dtype=float)"),
                             ("        previous = -lr * g + momentum * previous\n        updates.append(previous)\n",
                              "        updates.append(-lr * g - momentum * lr * last)\n        last = g\n"))),
)

N_MISCONCEPTIONS = (
    Misconception(
        "no look-ahead (classic momentum)",
        "Nesterov's method takes the gradient at the look-ahead point w + momentum * v, where the old velocity "
        "is about to carry the weights, not at w itself; at w it is classic momentum.",
        _L10_NESTEROV, _edit(_NESTEROV_SOURCE, ("grad(lookahead)", "grad(w)"))),
    Misconception(
        "look-ahead against the velocity (sign convention mixed)",
        "With v_t = momentum * v - lr * g the velocity points where the weights go, so the look-ahead is "
        "w + momentum * v; w - momentum * v belongs to the other convention, where v holds +lr * g and w -= v.",
        _L10_NESTEROV, _edit(_NESTEROV_SOURCE, ("lookahead = w + momentum * velocity",
                                                "lookahead = w - momentum * velocity"))),
    Misconception(
        "look-ahead without the momentum factor",
        "The jump before looking is the part of the next step already decided, momentum times the old "
        "velocity, not the whole velocity.",
        _L10_NESTEROV, _edit(_NESTEROV_SOURCE, ("lookahead = w + momentum * velocity", "lookahead = w + velocity"))),
    Misconception(
        "look-ahead counted twice (the stored form on top)",
        "The change momentum * v_t - lr * g is the stored form, for an optimizer that keeps the look-ahead "
        "points and takes the gradient at its own parameters; with the gradient already at the look-ahead "
        "point, the weights move by v_t alone.",
        _L10_NESTEROV, _edit(_NESTEROV_SOURCE,
                             ("        velocity = momentum * velocity - lr * grad(lookahead)\n"
                              "        w = w + velocity\n        updates.append(velocity.copy())\n",
                              "        g = grad(lookahead)\n        velocity = momentum * velocity - lr * g\n"
                              "        change = momentum * velocity - lr * g\n        w = w + change\n"
                              "        updates.append(change)\n"))),
    Misconception(
        "step taken from the look-ahead point",
        "The look-ahead point is only where the gradient is read: the new weights are w + v_t, from the old "
        "weights, so the jump along the old velocity is not added a second time.",
        _L10_NESTEROV, _edit(_NESTEROV_SOURCE,
                             ("        w = w + velocity\n        updates.append(velocity.copy())\n",
                              "        new_w = lookahead + velocity\n        updates.append(new_w - w)\n        w = new_w\n"))),
)

R_MISCONCEPTIONS = (
    Misconception(
        "moves by the gradient, not its sign",
        "RPROP uses only the sign of each partial derivative: the move is -sign(g) * step, whatever the "
        "gradient's size.",
        _L10_RPROP, _edit(_RPROP_SOURCE, ("-np.sign(g) * step", "-g * step"))),
    Misconception(
        "moves on a sign flip",
        "A sign flip means the last move jumped over a minimum: iRprop- shrinks the step and does not move "
        "the weight in that step at all.",
        _L10_RPROP, _edit(_RPROP_SOURCE, ("np.where(agreement < 0, 0.0, -np.sign(g) * step)", "-np.sign(g) * step"))),
    Misconception(
        "the flipped gradient remembered",
        "After a flip iRprop- remembers 0, not the new gradient, so the next step neither grows nor shrinks; "
        "remembering the flipped gradient shrinks the step again at once.",
        _L10_RPROP, _edit(_RPROP_SOURCE, ("remembered = np.where(agreement < 0, 0.0, g)", "remembered = g"))),
    Misconception(
        "growth and shrink factors swapped",
        "While the sign holds the step GROWS (x 1.2); a flip SHRINKS it (x 0.5).",
        _L10_RPROP, _edit(_RPROP_SOURCE, ("np.minimum(step * 1.2, step_max)", "np.minimum(step * 0.5, step_max)"),
                          ("np.maximum(step * 0.5, step_min)", "np.maximum(step * 1.2, step_min)"))),
    Misconception(
        "step bounds ignored",
        "Every step size stays inside [step_min, step_max]: a growing step is capped at step_max, a shrinking "
        "one stops at step_min.",
        _L10_RPROP, _edit(_RPROP_SOURCE, ("np.minimum(step * 1.2, step_max)", "step * 1.2"),
                          ("np.maximum(step * 0.5, step_min)", "step * 0.5"))),
    Misconception(
        "uphill (sign flip)",
        "RPROP moves against the gradient's sign, -sign(g) * step, like every descent method.",
        _L10_RPROP, _edit(_RPROP_SOURCE, ("-np.sign(g) * step", "np.sign(g) * step"))),
)

EXERCISES = [
    Exercise(
        id="ex10.momentum", function="momentum_updates", title="momentum updates (Backpropagation for dummies)",
        prompt=MOMENTUM_PROMPT, solution=MOMENTUM_SOLUTION,
        notebook=NOTEBOOK, public=lambda: [Case("public 1", (_PUBLIC_GRADS, 0.1, 0.9))],
        hidden=_m_hidden(M_HINT), reference=_momentum, forbidden=FORBIDDEN, hint=M_HINT,
        misconceptions=M_MISCONCEPTIONS,
    ),
    Exercise(
        id="ex10.nesterov", function="nesterov_updates", title="Nesterov momentum updates",
        prompt=NESTEROV_PROMPT, solution=NESTEROV_SOLUTION,
        notebook=NOTEBOOK, public=lambda: [Case("public 1", _PUBLIC_NESTEROV)],
        hidden=_n_hidden, reference=_nesterov, forbidden=FORBIDDEN, hint=N_HINT,
        misconceptions=N_MISCONCEPTIONS,
    ),
    Exercise(
        id="ex10.rprop", function="rprop_updates", title="RPROP updates (iRprop-)",
        prompt=RPROP_PROMPT, solution=RPROP_SOLUTION,
        notebook=NOTEBOOK, public=lambda: [Case("public 1", (_PUBLIC_GRADS, 0.1, 1e-6, 50.0))],
        hidden=_r_hidden, reference=_rprop, forbidden=FORBIDDEN, points=2.0, hint=R_HINT,
        misconceptions=R_MISCONCEPTIONS,
    ),
]
