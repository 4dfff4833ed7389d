"""Optimizers: turn gradients into weight changes ("compute the update, then apply it").

Every optimizer splits one training step in two:

1. ``updates = opt.compute_update(params, grads)`` returns the weight changes (Delta w) as new arrays.
   It never touches ``params``; it does advance the optimizer's own memory (velocities, step sizes,
   previous gradients), so call it exactly once per step.
2. ``opt.apply(params, updates)`` adds the changes to the parameters in place: ``w <- w + Delta w``.

``opt.step(net, g)`` does both for an :class:`~backprop_course.engine.mlp.MLP` and its gradients, and
``opt.step(values)`` does both for a list of :class:`~backprop_course.engine.value.Value` (it reads
``.grad`` and changes ``.data``). ``opt.reset()`` forgets the memory, as if no step had been taken.

Keeping the two halves apart lets a lesson print or plot the update before it is applied.

Notation (seed 001): epsilon is the learning rate ``lr``, alpha the ``momentum``, and
``Delta w_t = -epsilon * dE/dw + alpha * Delta w_{t-1}`` the momentum rule.

>>> import numpy as np
>>> w = [np.array([1.0, -2.0])]
>>> opt = SGD(lr=0.1)
>>> opt.compute_update(w, [np.array([0.5, -1.0])])
[array([-0.05,  0.1 ])]
"""
from __future__ import annotations

import numbers
from typing import Callable, Sequence

import numpy as np

from ._recycle import Recycler

__all__ = ["Optimizer", "SGD", "RPROP", "nesterov_lookahead_step", "RPROP_VARIANTS"]

ArrayList = list[np.ndarray]


def _bad(owner: str, name: str, rule: str, value: object) -> ValueError:
    """The house error: names the parameter, the rule and the value received."""
    return ValueError(f"The {name!r} parameter of {owner} must be {rule}. Got {value!r} instead.")


def _real(owner: str, name: str, value: object, rule: str) -> float:
    """Accept a real number (not a bool); anything else is a TypeError naming the rule."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"The {name!r} parameter of {owner} must be {rule}. Got {value!r} instead.")
    value = float(value)
    if not np.isfinite(value):
        raise _bad(owner, name, rule, value)
    return value


class Optimizer:
    """Base class: validation of parameter/gradient lists, ``apply``, ``step`` and ``reset``.

    Subclasses implement :meth:`_updates` (the rule itself, on validated float arrays) and
    :meth:`reset`. The optimizer remembers the shapes of the parameters it saw first; a later call
    with other shapes is a ValueError that suggests :meth:`reset`.
    """

    def __init__(self) -> None:
        self._shapes: list[tuple[int, ...]] | None = None
        self._recycler = Recycler()   # memory for large update arrays; see engine/_recycle.py

    # -- the rule, supplied by subclasses -------------------------------------------------------
    def _updates(self, params: ArrayList, grads: ArrayList) -> ArrayList:  # pragma: no cover
        raise NotImplementedError

    def reset(self) -> None:
        """Forget all memory (velocities, step sizes, previous gradients and the parameter shapes)."""
        self._shapes = None
        self._recycler.clear()

    # -- public API -----------------------------------------------------------------------------
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
            raise ValueError(f"The 'updates' parameter of {owner} must have one array per parameter "
                             f"({len(params)}). Got {len(updates)} instead.")
        for i, (p, u) in enumerate(zip(params, updates)):
            if not isinstance(p, np.ndarray):
                raise TypeError(f"The 'params' parameter of {owner} must hold numpy arrays to update "
                                f"in place. Got {type(p).__name__} at index {i} instead.")
            if np.shape(u) != p.shape:
                raise ValueError(f"The 'updates' parameter of {owner} must match the shape of params[{i}]"
                                 f", {p.shape}. Got shape {np.shape(u)} instead.")
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
        if hasattr(target, "parameters") and callable(target.parameters):
            if grads is None:
                raise ValueError(f"The 'grads' parameter of {owner} must be the gradients of the network "
                                 "(from net.backward(T)). Got None instead.")
            grad_list = grads.as_list() if hasattr(grads, "as_list") else list(grads)
            params = target.parameters()
            updates = self.compute_update(params, grad_list)
            # compute_update has checked the shapes and an MLP's parameters are ndarrays, so add
            # directly instead of re-validating in apply() (a third of the optimizer's time on a
            # course-size network).
            for p, u in zip(params, updates):
                p += u
            return updates
        values = list(target) if isinstance(target, (list, tuple)) else None
        if not values or not all(hasattr(v, "data") and hasattr(v, "grad") for v in values):
            raise TypeError(f"The 'target' parameter of {owner} must be an MLP or a non-empty list of "
                            f"Value. Got {type(target).__name__} instead.")
        if grads is not None:
            raise ValueError(f"The 'grads' parameter of {owner} must be None for a list of Value (their "
                             f".grad is used). Got {type(grads).__name__} instead.")
        # All the Values form one parameter vector, so the optimizer's memory is one 1-D array.
        data = np.array([float(v.data) for v in values])
        grad = np.array([float(v.grad) for v in values])
        updates = self.compute_update([data], [grad])
        for v, du in zip(values, updates[0]):
            v.data = float(v.data) + float(du)
        return updates

    def _step_consuming(self, net, grads) -> None:
        """``step(net, grads)`` for a caller that never reads ``grads`` again; see ``SGD``."""
        self.step(net, grads)

    # -- helpers --------------------------------------------------------------------------------
    def _check(self, params, grads) -> tuple[ArrayList, ArrayList]:
        owner = type(self).__name__ + ".compute_update"
        if not isinstance(params, (list, tuple)) or not isinstance(grads, (list, tuple)):
            raise TypeError(f"The 'params' and 'grads' parameters of {owner} must be lists of arrays. "
                            f"Got {type(params).__name__} and {type(grads).__name__} instead.")
        if len(params) != len(grads):
            raise ValueError(f"The 'grads' parameter of {owner} must have one array per parameter "
                             f"({len(params)}). Got {len(grads)} instead.")
        if len(params) == 0:
            raise ValueError(f"The 'params' parameter of {owner} must hold at least one array. "
                             "Got [] instead.")
        # Keep a float parameter's dtype (float32 networks stay float32); ints etc. -> float64.
        p_arrays = [np.asarray(p) for p in params]
        for i, p in enumerate(p_arrays):
            if p.dtype.kind not in "fiub":
                hint = " (for Value nodes use opt.step(values))" if hasattr(params[i], "grad") else ""
                raise TypeError(f"The 'params' parameter of {owner} must hold arrays of numbers. "
                                f"Got {type(params[i]).__name__} at index {i} instead{hint}.")
        p_arrays = [p if p.dtype.kind == "f" else p.astype(float) for p in p_arrays]
        g_arrays = [np.asarray(g, dtype=p.dtype) for p, g in zip(p_arrays, grads)]
        for i, (p, g) in enumerate(zip(p_arrays, g_arrays)):
            if g.shape != p.shape:
                raise ValueError(f"The 'grads' parameter of {owner} must match the shape of params[{i}], "
                                 f"{p.shape}. Got shape {g.shape} for grads[{i}] instead.")
        shapes = [p.shape for p in p_arrays]
        if self._shapes is None:
            self._shapes = shapes
        elif shapes != self._shapes:
            raise ValueError(f"The 'params' parameter of {owner} must have the shapes this optimizer "
                             f"has been stepping, {self._shapes}. Got {shapes} instead; call reset() "
                             "before using it on other parameters.")
        return p_arrays, g_arrays


class SGD(Optimizer):
    """Gradient descent, optionally with momentum (seed 001) or Nesterov momentum.

    Parameters
    ----------
    lr : float > 0
        The learning rate (seed 001's epsilon).
    momentum : float in [0, 1)
        Seed 001's alpha. 0 gives plain gradient descent, ``Delta w_t = -lr * g_t``.
    nesterov : bool
        Use Nesterov's momentum (requires ``momentum > 0``).

    Notes
    -----
    With ``g_t = dE/dw`` at the current weights and ``Delta w_0 = 0``:

    * momentum (exactly seed 001): ``Delta w_t = -lr * g_t + momentum * Delta w_{t-1}``.
      The velocity ``v_t`` stored by the optimizer *is* the previous weight change.
    * Nesterov, in the form that needs the gradient only at the current weights (the one deep
      learning frameworks use)::

          v_t       = momentum * v_{t-1} - lr * g_t
          Delta w_t = momentum * v_t     - lr * g_t

      Why this is Nesterov's method. The textbook ("look-ahead") form keeps weights ``w`` and first
      jumps along the old velocity, then corrects with the gradient taken *there*::

          v_t = momentum * v_{t-1} - lr * dE/dw(w_{t-1} + momentum * v_{t-1});   w_t = w_{t-1} + v_t

      Rename the look-ahead point ``u_t = w_t + momentum * v_t``. The gradient is then taken at
      ``u_{t-1}`` (the stored weights), and substituting gives
      ``u_t = u_{t-1} + (1 + momentum) v_t - momentum v_{t-1} = u_{t-1} + momentum * v_t - lr * g_t``,
      which is the update above. So this optimizer's parameters are the look-ahead points of the
      textbook sequence (both forms use the same velocities and reach the same minimum); the
      textbook weights are ``params - momentum * v``. :func:`nesterov_lookahead_step` runs the
      textbook form for a view that draws the jump and the correction; :meth:`lookahead` gives
      ``params + momentum * v``, the point momentum alone would reach.

    Examples
    --------
    Seed 001's momentum rule, by hand: lr = 0.1, alpha = 0.9, gradient 2 then 1:
    Delta w_1 = -0.1*2 = -0.2, Delta w_2 = -0.1*1 + 0.9*(-0.2) = -0.28.

    >>> import numpy as np
    >>> opt = SGD(lr=0.1, momentum=0.9)
    >>> w = [np.array([0.0])]
    >>> [float(opt.compute_update(w, [np.array([g])])[0][0]) for g in (2.0, 1.0)]
    [-0.2, -0.28]
    """

    def __init__(self, lr: float = 0.1, momentum: float = 0.0, nesterov: bool = False) -> None:
        super().__init__()
        lr = _real("SGD", "lr", lr, "a float > 0")
        if lr <= 0:
            raise _bad("SGD", "lr", "a float > 0", lr)
        momentum = _real("SGD", "momentum", momentum, "a float in [0, 1)")
        if not 0.0 <= momentum < 1.0:
            raise _bad("SGD", "momentum", "a float in [0, 1)", momentum)
        if not isinstance(nesterov, (bool, np.bool_)):
            raise TypeError(f"The 'nesterov' parameter of SGD must be a bool. Got {nesterov!r} instead.")
        if nesterov and momentum == 0.0:
            raise ValueError("The 'nesterov' parameter of SGD must be False when momentum is 0 "
                             "(Nesterov's method needs momentum > 0). Got True instead.")
        self.lr, self.momentum, self.nesterov = lr, momentum, bool(nesterov)
        self.velocity: ArrayList | None = None

    def __repr__(self) -> str:
        return f"SGD(lr={self.lr!r}, momentum={self.momentum!r}, nesterov={self.nesterov!r})"

    def reset(self) -> None:
        """Forget the velocities (the next step behaves like the first)."""
        super().reset()
        self.velocity = None

    def _updates(self, params: ArrayList, grads: ArrayList) -> ArrayList:
        # The arithmetic is the seeds'; the results go into recycled memory (see _recycle.py), which
        # is only ever reused once nothing outside this optimizer refers to it.
        lr, m, rec = self.lr, self.momentum, self._recycler
        if m == 0.0:                                              # Delta w_t = -eps * g_t
            return [np.multiply(g, -lr, out=rec.empty(i, g.shape, g.dtype)) for i, g in enumerate(grads)]
        if self.velocity is None:
            self.velocity = [np.zeros_like(p) for p in params]
        # seed 001: Delta w_t = alpha * Delta w_{t-1} - eps * g_t; the velocity is Delta w_{t-1}.
        velocity, updates = [], []
        for i, (v, g) in enumerate(zip(self.velocity, grads)):
            lr_g = np.multiply(g, lr, out=rec.empty(("lr*g", i), g.shape, g.dtype))
            v = np.multiply(v, m, out=rec.empty(("v", i), v.shape, v.dtype))
            v -= lr_g
            velocity.append(v)
            u = rec.empty(("u", i), v.shape, v.dtype)
            if self.nesterov:                                     # Delta w_t = alpha * v_t - eps * g_t
                np.multiply(v, m, out=u)
                u -= lr_g
            else:
                np.copyto(u, v)
            updates.append(u)
        self.velocity = velocity
        return updates

    def _step_consuming(self, net, grads) -> None:
        """``step(net, grads)`` for a caller that never reads ``grads`` again (``train_step``).

        ``grads`` must be what ``net.backward`` returned for this very network.

        The weights change exactly as in :meth:`step`, number for number, but nothing is returned,
        so plain gradient descent writes ``-lr * g`` into the gradient arrays themselves and adds
        them from there: one array fewer per parameter to write and to keep in the cache. The first
        step, and any step whose parameter shapes differ from the ones seen so far, take the
        checked path of :meth:`step`.
        """
        params = net.parameters()
        if self._shapes is None or [p.shape for p in params] != self._shapes:
            self.step(net, grads)
            return
        g_list = grads.as_list()   # from net.backward: the parameters' shapes and dtype, by construction
        if self.momentum == 0.0:
            for p, g in zip(params, g_list):
                np.multiply(g, -self.lr, out=g)
                p += g
        else:
            for p, u in zip(params, self._updates(params, g_list)):
                p += u

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
            raise ValueError("The 'params' parameter of SGD.lookahead must have the shapes of the "
                             f"stored velocity, {[v.shape for v in self.velocity]}. "
                             f"Got {[p.shape for p in params]} instead.")
        return [p + self.momentum * v for p, v in zip(params, self.velocity)]


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
    SGD(lr=lr, momentum=momentum)  # validates lr and momentum with the usual messages
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
        eta_plus = _real("RPROP", "eta_plus", eta_plus, "a float > 1")
        if eta_plus <= 1.0:
            raise _bad("RPROP", "eta_plus", "a float > 1", eta_plus)
        eta_minus = _real("RPROP", "eta_minus", eta_minus, "a float in (0, 1)")
        if not 0.0 < eta_minus < 1.0:
            raise _bad("RPROP", "eta_minus", "a float in (0, 1)", eta_minus)
        step_min = _real("RPROP", "step_min", step_min, "a float > 0")
        if step_min <= 0:
            raise _bad("RPROP", "step_min", "a float > 0", step_min)
        step_max = _real("RPROP", "step_max", step_max, f"a float >= step_min ({step_min})")
        if step_max < step_min:
            raise _bad("RPROP", "step_max", f"a float >= step_min ({step_min})", step_max)
        rule = f"a float in [step_min, step_max] = [{step_min}, {step_max}]"
        step_init = _real("RPROP", "step_init", step_init, rule)
        if not step_min <= step_init <= step_max:
            raise _bad("RPROP", "step_init", rule, step_init)
        if variant not in RPROP_VARIANTS:
            raise _bad("RPROP", "variant", f"one of {', '.join(map(repr, RPROP_VARIANTS))}", variant)
        self.eta_plus, self.eta_minus = eta_plus, eta_minus
        self.step_init, self.step_min, self.step_max = step_init, step_min, step_max
        self.variant = variant
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
