"""Exercises of lesson 10 (Backpropagation for dummies): the momentum update, a Nesterov step and RPROP.

Each function receives the gradients a training run produced, one array per step, and returns the weight
changes Delta w_t it would apply, one per step. The references are the engine's optimizers
(:mod:`backprop_course.engine.optim`), stepped through the same gradients.
"""
from __future__ import annotations

import numpy as np

from ...engine.optim import RPROP, SGD
from . import draw
from .worksheet import Worksheet
from ..checking.cases import Case
from ..checking.exercise import Exercise

NOTEBOOK = "ex10_optimizers"
FORBIDDEN = frozenset({"engine", "optim", "SGD", "RPROP", "compute_update", "train", "torch",
                       "nesterov_lookahead_step"})

WORKSHEET = Worksheet(
    stem=NOTEBOOK,
    title="Exercises 10: momentum, Nesterov and RPROP",
    lesson="10",
    intro="""Practice for lesson 10. Each function receives the gradients a training run produced,
`grads[t]` being dE/dw at step t (numpy arrays of one shape), and returns the list of weight changes
Delta w_t it would apply, one per step. The weights themselves are not needed.""",
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

NESTEROV_PROMPT = """### Exercise 10.2 - Nesterov momentum

The package uses the form of Nesterov's method that needs the gradient at the current weights only:
keep a velocity $v$ ($v_0 = 0$) and, at each step with gradient $g_t$,

$$v_t = \\alpha\\, v_{t-1} - \\epsilon\\, g_t, \\qquad \\Delta w_t = \\alpha\\, v_t - \\epsilon\\, g_t$$

(the second term looks one step further along the new velocity)."""

NESTEROV_SOLUTION = '''def nesterov_updates(grads, lr, momentum):
    """Weight changes of Nesterov momentum (the form described above), one per gradient."""
    # BEGIN SOLUTION
    updates, velocity = [], np.zeros_like(grads[0], dtype=float)
    for g in grads:
        velocity = momentum * velocity - lr * g
        updates.append(momentum * velocity - lr * g)
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


def _nesterov(grads, lr, momentum):
    return _run(SGD(lr=lr, momentum=momentum, nesterov=True), grads)


def _rprop(grads, step_init, step_min, step_max):
    return _run(RPROP(step_init=step_init, step_min=step_min, step_max=step_max, variant="irprop-"), grads)


def _grads(rng, steps, shape, flips=True):
    g = [draw.mixed(rng, shape, 0.1, 2.0) for _ in range(steps)]
    if not flips:  # keep every entry's sign for a while, so step sizes grow
        sign = np.sign(g[0])
        g = [np.abs(x) * sign for x in g]
    return g


M_HINT = "Delta w_t = -lr * g_t + momentum * Delta w_(t-1), starting from Delta w_0 = 0"
N_HINT = "v_t = momentum * v_(t-1) - lr * g_t, then Delta w_t = momentum * v_t - lr * g_t (v_0 = 0)"
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


def _r_hidden(rng):
    out = []
    for i in (1, 2, 3):
        shape = (1,) if i == 1 else draw.shape(rng)
        grads = _grads(rng, int(rng.integers(4, 8)), shape, flips=(i != 1))
        step_init = float(rng.uniform(0.05, 0.2))
        bounds = (1e-6, 50.0)
        if i == 3:  # steps grow past step_max, then the signs alternate until step_min is reached
            grads = _grads(rng, 4, shape, flips=False)
            grads += [grads[-1] * (-1.0) ** (k + 1) for k in range(8)]
            bounds = (step_init * 0.4, step_init * 1.5)
        out.append(Case(f"hidden {i}", (grads, step_init, *bounds), True, R_HINT))
    return out


_PUBLIC_GRADS = [np.array([2.0, -1.0]), np.array([1.0, 0.5]), np.array([1.5, 0.5])]

EXERCISES = [
    Exercise(
        id="ex10.momentum", function="momentum_updates", title="momentum updates (Backpropagation for dummies)",
        prompt=MOMENTUM_PROMPT, solution=MOMENTUM_SOLUTION,
        notebook=NOTEBOOK, public=lambda: [Case("public 1", (_PUBLIC_GRADS, 0.1, 0.9))],
        hidden=_m_hidden(M_HINT), reference=_momentum, forbidden=FORBIDDEN, hint=M_HINT,
    ),
    Exercise(
        id="ex10.nesterov", function="nesterov_updates", title="Nesterov momentum updates",
        prompt=NESTEROV_PROMPT, solution=NESTEROV_SOLUTION,
        notebook=NOTEBOOK, public=lambda: [Case("public 1", (_PUBLIC_GRADS, 0.1, 0.9))],
        hidden=_m_hidden(N_HINT), reference=_nesterov, forbidden=FORBIDDEN, hint=N_HINT,
    ),
    Exercise(
        id="ex10.rprop", function="rprop_updates", title="RPROP updates (iRprop-)",
        prompt=RPROP_PROMPT, solution=RPROP_SOLUTION,
        notebook=NOTEBOOK, public=lambda: [Case("public 1", (_PUBLIC_GRADS, 0.1, 1e-6, 50.0))],
        hidden=_r_hidden, reference=_rprop, forbidden=FORBIDDEN, points=2.0, hint=R_HINT,
    ),
]
