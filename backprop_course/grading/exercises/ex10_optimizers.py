"""Exercises of lesson 10 (Backpropagation for dummies): the momentum update, a Nesterov step and RPROP.

Each function receives the gradients a training run produced, one array per step, and returns the weight
changes Delta w_t it would apply, one per step. The references are the engine's optimizers
(:mod:`backprop_course.engine.optim`), stepped through the same gradients.
"""
from __future__ import annotations

import numpy as np

from ...engine.optim import RPROP, SGD
from . import draw
from ..checking.cases import Case
from ..checking.exercise import Exercise

NOTEBOOK = "ex10_optimizers"
FORBIDDEN = frozenset({"engine", "optim", "SGD", "RPROP", "compute_update", "train", "torch",
                       "nesterov_lookahead_step"})


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
        notebook=NOTEBOOK, public=lambda: [Case("public 1", (_PUBLIC_GRADS, 0.1, 0.9))],
        hidden=_m_hidden(M_HINT), reference=_momentum, forbidden=FORBIDDEN, hint=M_HINT,
    ),
    Exercise(
        id="ex10.nesterov", function="nesterov_updates", title="Nesterov momentum updates",
        notebook=NOTEBOOK, public=lambda: [Case("public 1", (_PUBLIC_GRADS, 0.1, 0.9))],
        hidden=_m_hidden(N_HINT), reference=_nesterov, forbidden=FORBIDDEN, hint=N_HINT,
    ),
    Exercise(
        id="ex10.rprop", function="rprop_updates", title="RPROP updates (iRprop-)",
        notebook=NOTEBOOK, public=lambda: [Case("public 1", (_PUBLIC_GRADS, 0.1, 1e-6, 50.0))],
        hidden=_r_hidden, reference=_rprop, forbidden=FORBIDDEN, points=2.0, hint=R_HINT,
    ),
]
