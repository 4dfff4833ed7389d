"""Optimizers: turn gradients into weight changes ("compute the update, then apply it").

Every optimizer splits one training step in two, as scikit-learn's do:

1. ``updates = opt.compute_update(params, grads)`` returns the weight changes (Delta w) as new arrays.
   It never touches ``params``; it does advance the optimizer's own memory (velocities, step sizes,
   previous gradients), so call it exactly once per step.
2. ``opt.apply(params, updates)`` adds the changes to the parameters in place: ``w <- w + Delta w``.

``opt.step(net, g)`` does both for an :class:`~backprop_course.engine.mlp.MLP` and its gradients, and
``opt.step(values)`` does both for a list of :class:`~backprop_course.engine.value.Value` (it reads
``.grad`` and changes ``.data``). ``opt.reset()`` forgets the memory, as if no step had been taken.

:data:`OPTIMIZERS` names every optimizer and :func:`get_optimizer` builds one by name with its own
options (``get_optimizer("sgd", lr=0.1, momentum=0.9)``): the views offer their menus through it.

Keeping the two halves apart lets a lesson print or plot the update before it is applied. Each
optimizer's rule is its ``_updates`` method: a few lines of array arithmetic.

Notation (Backpropagation for dummies): epsilon is the learning rate ``lr``, alpha the ``momentum``, and
``Delta w_t = -epsilon * dE/dw + alpha * Delta w_{t-1}`` the momentum rule.

>>> import numpy as np
>>> w = [np.array([1.0, -2.0])]
>>> opt = SGD(lr=0.1)
>>> opt.compute_update(w, [np.array([0.5, -1.0])])
[array([-0.05,  0.1 ])]
"""
from __future__ import annotations

import inspect
from typing import Any, Callable, Sequence

import numpy as np

from .checks import boolean, error, one_of, real

__all__ = ["Optimizer", "SGD", "RPROP", "OPTIMIZERS", "get_optimizer", "nesterov_lookahead_step",
           "step_discarding_grads", "RPROP_VARIANTS"]

ArrayList = list[np.ndarray]


class Optimizer:
    """Base class: checks of parameter and gradient lists, ``apply``, ``step`` and ``reset``.

    Subclasses implement :meth:`_updates` (the rule itself, on checked float arrays) and
    :meth:`reset`. The optimizer remembers the shapes of the parameters it saw first; a later call
    with other shapes is a ValueError that suggests :meth:`reset`.
    """

    def __init__(self) -> None:
        self._shapes: list[tuple[int, ...]] | None = None

    def _updates(self, params: ArrayList, grads: ArrayList) -> ArrayList:  # pragma: no cover
        raise NotImplementedError

    def reset(self) -> None:
        """Forget all memory (velocities, step sizes, previous gradients and the parameter shapes)."""
        self._shapes = None

    def compute_update(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> ArrayList:
        """Return the weight changes for one step, without modifying ``params``.

        Parameters
        ----------
        params : list of ndarray
            The current parameters, any shapes (e.g. ``net.parameters()``).
        grads : list of ndarray
            dE/dparam for each entry of ``params``, same shapes and order.

        Returns
        -------
        list of ndarray
            One new float array per parameter, same shape: Delta w, to be *added* to the parameter.

        Notes
        -----
        ``params`` and ``grads`` are left untouched, but the optimizer's memory advances (velocity,
        step sizes, stored gradient), so two calls in a row make two steps' worth of state change.
        """
        params, grads = self._check(params, grads)
        return self._updates(params, grads)

    def apply(self, params: Sequence[np.ndarray], updates: Sequence[np.ndarray]) -> None:
        """Add ``updates`` to ``params`` in place (``w += Delta w``). Shapes must match."""
        owner = type(self).__name__ + ".apply"
        if len(params) != len(updates):
            raise error(owner, "updates", f"one array per parameter ({len(params)})", str(len(updates)),
                        must="have")
        for i, (p, u) in enumerate(zip(params, updates)):
            if not isinstance(p, np.ndarray):
                raise error(owner, "params", "numpy arrays to update in place",
                            f"{type(p).__name__} at index {i}", TypeError, must="hold")
            if np.shape(u) != p.shape:
                raise error(owner, "updates", f"the shape of params[{i}], {p.shape}",
                            f"shape {np.shape(u)}", must="match")
        for p, u in zip(params, updates):
            p += u

    def step(self, target, grads=None) -> ArrayList:
        """Compute and apply one update; return the updates that were applied.

        Parameters
        ----------
        target : MLP or list of Value
            An MLP (then ``grads`` is the Gradients object from ``net.backward(T)``) or a list of
            ``Value`` nodes whose ``.grad`` has been filled by ``backward()`` (then ``grads`` must be
            None; their ``.data`` is changed).
        grads : Gradients, list of ndarray or None
            The gradients for an MLP (a Gradients object or a list in ``net.parameters()`` order).

        Returns
        -------
        list of ndarray
            The updates, as returned by :meth:`compute_update`. For a list of Values it is a single
            1-D array with one entry per Value.
        """
        owner = type(self).__name__ + ".step"
        if isinstance(target, (list, tuple)):
            return self._step_values(list(target), grads, owner)
        if not callable(getattr(target, "parameters", None)):
            raise error(owner, "target", "an MLP or a non-empty list of Value",
                        type(target).__name__, TypeError)
        if grads is None:
            raise error(owner, "grads", "the gradients of the network (from net.backward(T))", "None")
        params = target.parameters()
        updates = self.compute_update(params, grads.as_list() if hasattr(grads, "as_list") else grads)
        self.apply(params, updates)
        return updates

    def _step_values(self, values: list, grads, owner: str) -> ArrayList:
        """:meth:`step` for a list of ``Value``: they form one parameter vector, so one 1-D array."""
        if not values or not all(hasattr(v, "data") and hasattr(v, "grad") for v in values):
            kinds = ", ".join(sorted({type(v).__name__ for v in values}))
            raise error(owner, "target", "an MLP or a non-empty list of Value",
                        f"a list of {kinds}" if values else "[]", TypeError)
        if grads is not None:
            raise error(owner, "grads", "None for a list of Value (their .grad is used)",
                        type(grads).__name__)
        params = [np.array([float(v.data) for v in values])]
        updates = self.compute_update(params, [np.array([float(v.grad) for v in values])])
        self.apply(params, updates)
        for v, new in zip(values, params[0]):
            v.data = float(new)
        return updates

    def _check(self, params, grads) -> tuple[ArrayList, ArrayList]:
        """Parameters and gradients as float arrays of matching shapes (a float32 net stays float32)."""
        owner = type(self).__name__ + ".compute_update"
        for name, arrays in (("params", params), ("grads", grads)):
            if not isinstance(arrays, (list, tuple)):
                raise error(owner, name, "a list of arrays", type(arrays).__name__, TypeError)
        if len(params) != len(grads):
            raise error(owner, "grads", f"one array per parameter ({len(params)})", str(len(grads)),
                        must="have")
        if len(params) == 0:
            raise error(owner, "params", "at least one array", "[]", must="hold")
        p_arrays = [np.asarray(p) for p in params]
        for i, p in enumerate(p_arrays):
            if p.dtype.kind not in "fiub":
                hint = " (for Value nodes use opt.step(values))" if hasattr(params[i], "grad") else ""
                raise error(owner, "params", "arrays of numbers", f"{type(params[i]).__name__} at "
                            f"index {i}", TypeError, hint=hint, must="hold")
        p_arrays = [p if p.dtype.kind == "f" else p.astype(float) for p in p_arrays]
        g_arrays = [np.asarray(g, dtype=p.dtype) for p, g in zip(p_arrays, grads)]
        for i, (p, g) in enumerate(zip(p_arrays, g_arrays)):
            if g.shape != p.shape:
                raise error(owner, "grads", f"the shape of params[{i}], {p.shape}",
                            f"shape {g.shape} for grads[{i}]", must="match")
        shapes = [p.shape for p in p_arrays]
        if self._shapes is None:
            self._shapes = shapes
        elif shapes != self._shapes:
            raise error(owner, "params", f"the shapes this optimizer has been stepping, "
                        f"{self._shapes}", str(shapes), must="have",
                        hint="; call reset() before using it on other parameters")
        return p_arrays, g_arrays


class SGD(Optimizer):
    """Gradient descent, optionally with momentum (Backpropagation for dummies) or Nesterov momentum.

    Parameters
    ----------
    lr : float > 0
        The learning rate (the blog post's epsilon).
    momentum : float in [0, 1)
        The blog post's alpha. 0 gives plain gradient descent, ``Delta w_t = -lr * g_t``.
    nesterov : bool
        Use Nesterov's momentum (requires ``momentum > 0``).

    Notes
    -----
    With ``g_t = dE/dw`` at the current weights and ``Delta w_0 = 0``:

    * momentum (exactly as in Backpropagation for dummies): ``Delta w_t = -lr * g_t + momentum * Delta w_{t-1}``.
      The velocity ``v_t`` stored by the optimizer *is* the previous weight change.
    * Nesterov, in the form that needs the gradient only at the current weights (the one deep
      learning frameworks use): ``v_t = momentum * v_{t-1} - lr * g_t`` and
      ``Delta w_t = momentum * v_t - lr * g_t``. The parameters are then the look-ahead points of
      the textbook form; lesson 10 derives why. :func:`nesterov_lookahead_step` runs the textbook
      form and :meth:`lookahead` gives ``params + momentum * v``.

    Examples
    --------
    The blog post's momentum rule, by hand: lr = 0.1, alpha = 0.9, gradient 2 then 1:
    Delta w_1 = -0.1*2 = -0.2, Delta w_2 = -0.1*1 + 0.9*(-0.2) = -0.28.

    >>> import numpy as np
    >>> opt = SGD(lr=0.1, momentum=0.9)
    >>> w = [np.array([0.0])]
    >>> [float(opt.compute_update(w, [np.array([g])])[0][0]) for g in (2.0, 1.0)]
    [-0.2, -0.28]
    """

    def __init__(self, lr: float = 0.1, momentum: float = 0.0, nesterov: bool = False) -> None:
        super().__init__()
        self.lr = real(lr, "lr", "SGD", "a float > 0", lambda v: v > 0)
        self.momentum = real(momentum, "momentum", "SGD", "a float in [0, 1)", lambda v: 0 <= v < 1)
        self.nesterov = boolean(nesterov, "nesterov", "SGD")
        if self.nesterov and self.momentum == 0.0:
            raise error("SGD", "nesterov", "False when momentum is 0 (Nesterov's method needs "
                        "momentum > 0)", "True")
        self.velocity: ArrayList | None = None

    def __repr__(self) -> str:
        return f"SGD(lr={self.lr!r}, momentum={self.momentum!r}, nesterov={self.nesterov!r})"

    def reset(self) -> None:
        """Forget the velocities (the next step behaves like the first)."""
        super().reset()
        self.velocity = None

    def _updates(self, params: ArrayList, grads: ArrayList) -> ArrayList:
        lr, m = self.lr, self.momentum
        if m == 0.0:
            return [-lr * g for g in grads]                            # Delta w_t = -eps * g_t
        if self.velocity is None:
            self.velocity = [np.zeros_like(p) for p in params]
        # Backpropagation for dummies: v_t = alpha * v_{t-1} - eps * g_t, and the weight change is v_t itself
        self.velocity = [m * v - lr * g for v, g in zip(self.velocity, grads)]
        if self.nesterov:                                              # Delta w_t = alpha * v_t - eps * g_t
            return [m * v - lr * g for v, g in zip(self.velocity, grads)]
        return [v.copy() for v in self.velocity]

    def lookahead(self, params: Sequence[np.ndarray]) -> ArrayList:
        """Return ``params + momentum * v``: where the stored velocity alone would carry the weights.

        In the textbook form of Nesterov's method (see :func:`nesterov_lookahead_step`) this is the
        point at which the next gradient is evaluated. Before the first step ``v = 0`` and the
        look-ahead point is ``params`` itself.
        """
        params = [np.asarray(p, dtype=float) for p in params]
        if self.velocity is None:
            return [p.copy() for p in params]
        if [p.shape for p in params] != [v.shape for v in self.velocity]:
            raise error("SGD.lookahead", "params",
                        f"the shapes of the stored velocity, {[v.shape for v in self.velocity]}",
                        f"{[p.shape for p in params]}", must="have")
        return [p + self.momentum * v for p, v in zip(params, self.velocity)]


def step_discarding_grads(optimizer: Optimizer, net, grads) -> None:
    """``optimizer.step(net, grads)`` for a caller that throws ``grads`` away afterwards.

    The training loop's one speed mechanism on the optimizer side (``train_step`` calls it). For
    plain gradient descent the gradient arrays themselves become the updates (``g *= -lr``), which
    are then applied, instead of writing new update arrays: one pass over fresh memory fewer,
    about 8% of a [784, 128, 64, 10] step (docs/performance.md). The weights change exactly as with
    ``step``, bit for bit; every other optimizer simply takes its ``step``.
    """
    if type(optimizer) is not SGD or optimizer.momentum != 0.0:
        optimizer.step(net, grads)
        return
    updates = grads.as_list()
    for u in updates:
        np.multiply(u, -optimizer.lr, out=u)        # the SGD rule, -lr * g, written into g
    optimizer.apply(net.parameters(), updates)


def nesterov_lookahead_step(params: Sequence[np.ndarray], velocity: Sequence[np.ndarray],
                            grad_fn: Callable[[ArrayList], Sequence[np.ndarray]], lr: float,
                            momentum: float) -> tuple[ArrayList, ArrayList, ArrayList]:
    """One step of Nesterov's method in its textbook look-ahead form (pure function).

    Parameters
    ----------
    params, velocity : list of ndarray
        The weights ``w_{t-1}`` and the velocity ``v_{t-1}`` (zeros before the first step).
    grad_fn : callable
        ``grad_fn(points) -> list of arrays``: dE/dw evaluated at the given weights.
    lr, momentum : float
        As in :class:`SGD`.

    Returns
    -------
    new_params, new_velocity, lookahead : list of ndarray
        ``lookahead = w_{t-1} + momentum * v_{t-1}`` (where the gradient is taken),
        ``v_t = momentum * v_{t-1} - lr * grad_fn(lookahead)`` and ``w_t = w_{t-1} + v_t``.

    Examples
    --------
    E = w^2 / 2 (gradient w), lr = 0.1, momentum = 0.5, from w = 1 with v = 0.4:
    look-ahead 1 + 0.5*0.4 = 1.2, v = 0.2 - 0.12 = 0.08, w = 1.08.

    >>> import numpy as np
    >>> w, v, la = nesterov_lookahead_step([np.array(1.0)], [np.array(0.4)], lambda p: p, 0.1, 0.5)
    >>> [round(float(x[0]), 12) for x in (w, v, la)]
    [1.08, 0.08, 1.2]
    """
    SGD(lr=lr, momentum=momentum)  # checks lr and momentum with the usual messages
    params = [np.asarray(p, dtype=float) for p in params]
    velocity = [np.asarray(v, dtype=float) for v in velocity]
    look = [p + momentum * v for p, v in zip(params, velocity)]
    grads = [np.asarray(g, dtype=float) for g in grad_fn(look)]
    new_velocity = [momentum * v - lr * g for v, g in zip(velocity, grads)]
    return [p + v for p, v in zip(params, new_velocity)], new_velocity, look


RPROP_VARIANTS = ("irprop-", "rprop-", "rprop+")


class RPROP(Optimizer):
    """Resilient propagation (Riedmiller & Braun, 1993): a step size per weight, no learning rate.

    Only the *sign* of each partial derivative is used. Each weight keeps its own step size
    ``step``: while dE/dw keeps its sign the step grows (``step *= eta_plus``), when the sign flips
    (the last step jumped over a minimum) it shrinks (``step *= eta_minus``); it always stays in
    ``[step_min, step_max]``. The weight then moves by ``-sign(dE/dw) * step``.

    Parameters
    ----------
    eta_plus : float > 1
        Growth factor while the sign holds (1.2 in the paper).
    eta_minus : float in (0, 1)
        Shrink factor on a sign flip (0.5 in the paper).
    step_init : float
        The first step size of every weight (Delta_0 = 0.1 in the paper).
    step_min, step_max : float
        Bounds of the step sizes (1e-6 and 50 in the paper); ``0 < step_min <= step_init <= step_max``.
    variant : {"irprop-", "rprop-", "rprop+"}
        What happens on a sign flip (names from Igel & Huesken, 2000). In all three the step shrinks.

        * ``"irprop-"`` (default): no weight-backtracking; the weight does not move in this step
          and its stored gradient is set to 0, so the next step neither grows nor shrinks the step
          size and simply moves by ``-sign(g) * step``. Robust and the most common choice today.
        * ``"rprop-"``: no backtracking and no memory reset; the weight moves by the shrunken step
          at once, and the flipped gradient is remembered as usual.
        * ``"rprop+"``: the original 1993 algorithm with weight-backtracking: the previous weight
          change is undone (``Delta w_t = -Delta w_{t-1}``) and the stored gradient set to 0.

    Notes
    -----
    RPROP is a full-batch method: the sign of a per-sample or mini-batch gradient flips for reasons
    that have nothing to do with overshooting, so use it with ``mode="batch"`` in ``train``.
    A zero gradient leaves the step size alone and does not move the weight.

    Examples
    --------
    Gradients +1, +1, -1 on one weight (irprop-): steps 0.1, 0.12, then a flip: the step shrinks to
    0.06 and the weight waits one step.

    >>> import numpy as np
    >>> opt, w = RPROP(), [np.zeros(1)]
    >>> [round(float(opt.compute_update(w, [np.array([g])])[0][0]), 12) for g in (1.0, 1.0, -1.0)]
    [-0.1, -0.12, 0.0]
    >>> round(float(opt.step_sizes[0][0]), 12)
    0.06
    """

    def __init__(self, eta_plus: float = 1.2, eta_minus: float = 0.5, step_init: float = 0.1,
                 step_min: float = 1e-6, step_max: float = 50.0, variant: str = "irprop-") -> None:
        super().__init__()
        self.eta_plus = real(eta_plus, "eta_plus", "RPROP", "a float > 1", lambda v: v > 1)
        self.eta_minus = real(eta_minus, "eta_minus", "RPROP", "a float in (0, 1)", lambda v: 0 < v < 1)
        self.step_min = real(step_min, "step_min", "RPROP", "a float > 0", lambda v: v > 0)
        self.step_max = real(step_max, "step_max", "RPROP", f"a float >= step_min ({self.step_min})",
                             lambda v: v >= self.step_min)
        self.step_init = real(step_init, "step_init", "RPROP", "a float in [step_min, step_max] = "
                              f"[{self.step_min}, {self.step_max}]",
                              lambda v: self.step_min <= v <= self.step_max)
        self.variant = one_of(variant, "variant", "RPROP", RPROP_VARIANTS)
        self.step_sizes: ArrayList | None = None     # Delta_ij, one per weight
        self.prev_grads: ArrayList | None = None     # dE/dw of the previous step (0 after a flip)
        self.prev_updates: ArrayList | None = None   # Delta w of the previous step (for rprop+)

    def __repr__(self) -> str:
        return (f"RPROP(eta_plus={self.eta_plus!r}, eta_minus={self.eta_minus!r}, "
                f"step_init={self.step_init!r}, step_min={self.step_min!r}, "
                f"step_max={self.step_max!r}, variant={self.variant!r})")

    def reset(self) -> None:
        """Forget step sizes, stored gradients and previous updates (back to ``step_init``)."""
        super().reset()
        self.step_sizes = self.prev_grads = self.prev_updates = None

    def _updates(self, params: ArrayList, grads: ArrayList) -> ArrayList:
        if self.step_sizes is None:
            self.step_sizes = [np.full_like(p, self.step_init) for p in params]
            self.prev_grads = [np.zeros_like(p) for p in params]
            self.prev_updates = [np.zeros_like(p) for p in params]
        updates = []
        for i, g in enumerate(grads):
            g = g.copy()
            agreement = self.prev_grads[i] * g          # > 0 same sign, < 0 flip, 0 no information
            grow, flip = agreement > 0, agreement < 0
            step = self.step_sizes[i]
            step[grow] = np.minimum(step[grow] * self.eta_plus, self.step_max)
            step[flip] = np.maximum(step[flip] * self.eta_minus, self.step_min)
            update = -np.sign(g) * step
            if self.variant == "rprop+":
                update[flip] = -self.prev_updates[i][flip]  # undo the step that jumped over the minimum
                g[flip] = 0.0
            elif self.variant == "irprop-":
                update[flip] = 0.0
                g[flip] = 0.0
            self.prev_grads[i] = g
            self.prev_updates[i] = update
            updates.append(update.copy())
        return updates


#: Every optimizer by name. The options of ``get_optimizer(name, **options)`` are the class's own
#: parameters: ``lr``, ``momentum``, ``nesterov`` for "sgd"; ``step_init``, ``eta_plus``, ... for "rprop".
OPTIMIZERS: dict[str, type[Optimizer]] = {"sgd": SGD, "rprop": RPROP}


def get_optimizer(name: str, **options: Any) -> Optimizer:
    """Build the optimizer called ``name`` in :data:`OPTIMIZERS` with ``options``.

    Parameters
    ----------
    name : {"sgd", "rprop"}
    **options
        Keyword arguments of that optimizer's class, checked by it (``SGD(lr, momentum, nesterov)``,
        ``RPROP(eta_plus, eta_minus, step_init, step_min, step_max, variant)``); options left out
        take the class's defaults.

    Raises
    ------
    ValueError
        For an unknown name, or an option the optimizer does not have (RPROP has no ``lr``: its
        first step size is ``step_init``); bad values get the class's own messages.

    >>> get_optimizer("sgd", lr=0.1, momentum=0.9, nesterov=True)
    SGD(lr=0.1, momentum=0.9, nesterov=True)
    """
    if not isinstance(name, str) or name not in OPTIMIZERS:
        raise error("get_optimizer", "name", f"one of {', '.join(map(repr, OPTIMIZERS))}", repr(name))
    cls = OPTIMIZERS[name]
    known = list(inspect.signature(cls).parameters)
    unknown = [key for key in options if key not in known]
    if unknown:
        raise error("get_optimizer", "options", f"options of {cls.__name__} ({', '.join(known)})",
                    ", ".join(map(repr, unknown)), must="name",
                    hint="; RPROP has no learning rate, its first step size is step_init"
                    if name == "rprop" and "lr" in unknown else "")
    return cls(**options)
