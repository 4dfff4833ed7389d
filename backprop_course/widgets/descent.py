"""View 3: gradient descent on a loss curve or surface (Backpropagation for dummies).

Pure part (tested on its own):

- :data:`SURFACES`: 1-D curves and 2-D surfaces, each with its value and gradient:
  ``"linear"`` (Backpropagation for dummies: f(x) = 3x + 4, slope 3 everywhere, no minimum),
  ``"quadratic"``, ``"double_well"`` (1-D, a shallow and a deep minimum), ``"bowl"``, ``"valley"`` (long and narrow,
  condition number 20) and ``"local_minimum"`` (2-D, shallow local and deeper global minimum).
- :func:`optimizer_options` names the engine optimizer (and its options) behind each entry of the menu,
  "plain", "momentum", "nesterov", "rprop"; ``get_optimizer`` of the engine builds it.
- :func:`descend` runs that optimizer step by step on a surface ("compute the update, then apply")
  and returns the trajectory; a run that blows up stops with ``diverged=True`` instead of NaNs.

Settings that show the source's points (each asserted in ``tests/widgets/test_descent.py``):

==========================================  ===================================================
setting                                      what the learner sees
==========================================  ===================================================
quadratic, plain, lr 0.1, start 2.5          steady walk down to the minimum at 0
quadratic, plain, lr 0.9                     "bouncing": x flips sign every step, slowly settles
quadratic (or bowl), plain, lr 1.1           the bounces grow: divergence, the path leaves the plot
valley, plain, lr 0.45                       zig-zag across the narrow valley, slow along it
double_well / local_minimum, plain, lr 0.02  stops in the shallow local minimum (x ~ 1.26)
same start, momentum 0.9, lr 0.02            momentum carries the point over the ridge into the
                                             deeper global minimum (x ~ -1.52)
==========================================  ===================================================

Notation: Backpropagation for dummies writes the learning rate epsilon (``lr``), the momentum alpha
(``momentum``); the update is Delta w_t = -lr * dE/dw + momentum * Delta w_{t-1}.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

import ipywidgets as W

from backprop_course.engine import checks
from backprop_course.engine.optim import Optimizer, get_optimizer
from backprop_course.widgets import plotting as P
from backprop_course.widgets import sliders as S
from backprop_course.widgets.base import View
from backprop_course.widgets.pointer import PointerGesture, attach_pointer, pixel_to_data

__all__ = ["Surface", "SURFACES", "METHODS", "Trajectory", "get_surface", "optimizer_options", "descend",
           "grid", "DescentView", "descent_explorer"]

METHODS = ("plain", "momentum", "nesterov", "rprop")


@dataclass(frozen=True)
class Surface:
    """A loss to descend: value, gradient and how to plot it.

    Attributes
    ----------
    name, title : str
    dim : int
        1 (a curve f(x)) or 2 (a surface f(x, y)).
    f : callable
        ``f(p) -> float`` for a point ``p`` of shape (dim,). Also works on a grid: ``f`` of an array
        of shape (dim, ...) returns shape (...).
    grad : callable
        ``grad(p) -> ndarray (dim,)``, the exact gradient.
    bounds : tuple of (lo, hi), one per dimension
        The plotted range.
    start : tuple of float
        Default start point.
    minima : tuple of points
        Known minima (for drawing and tests), the global one first.
    """

    name: str
    title: str
    dim: int
    f: Callable[[np.ndarray], float]
    grad: Callable[[np.ndarray], np.ndarray]
    bounds: tuple
    start: tuple
    minima: tuple = field(default=())


def _double_well(x):
    # g(x) = x^4/4 - x^2 + x/2: minima at x ~ -1.52 (g ~ -1.73, global) and x ~ 1.26 (g ~ -0.33),
    # separated by a ridge at x ~ 0.25 (g ~ 0.06).
    return 0.25 * x**4 - x**2 + 0.5 * x


def _double_well_prime(x):
    return x**3 - 2.0 * x + 0.5


# The minima of the double well: roots of x^3 - 2x + 1/2 where g'' = 3x^2 - 2 > 0.
_WELL_ROOTS = np.sort(np.roots([1.0, 0.0, -2.0, 0.5]).real)
_WELL_GLOBAL, _WELL_LOCAL = float(_WELL_ROOTS[0]), float(_WELL_ROOTS[2])

SURFACES: dict[str, Surface] = {s.name: s for s in (
    Surface("linear", "f(x) = 3x + 4: slope 3 everywhere", 1,
            lambda p: 3.0 * p[0] + 4.0, lambda p: np.array([3.0]),
            ((-5.0, 5.0),), (3.0,)),
    Surface("quadratic", "f(x) = x^2", 1,
            lambda p: p[0] ** 2, lambda p: np.array([2.0 * p[0]]),
            ((-3.0, 3.0),), (2.5,), ((0.0,),)),
    Surface("double_well", "f(x) = x^4/4 - x^2 + x/2: two minima", 1,
            lambda p: _double_well(p[0]), lambda p: np.array([_double_well_prime(p[0])]),
            ((-2.5, 2.8),), (2.5,), ((_WELL_GLOBAL,), (_WELL_LOCAL,))),
    Surface("bowl", "bowl f(x, y) = x^2 + y^2", 2,
            lambda p: p[0] ** 2 + p[1] ** 2, lambda p: np.array([2.0 * p[0], 2.0 * p[1]]),
            ((-3.0, 3.0), (-3.0, 3.0)), (2.5, 2.0), ((0.0, 0.0),)),
    Surface("valley", "narrow valley f(x, y) = 0.1 x^2 + 2 y^2", 2,
            lambda p: 0.1 * p[0] ** 2 + 2.0 * p[1] ** 2, lambda p: np.array([0.2 * p[0], 4.0 * p[1]]),
            ((-5.0, 5.0), (-2.0, 2.0)), (-4.5, 1.5), ((0.0, 0.0),)),
    Surface("local_minimum", "f(x, y) = x^4/4 - x^2 + x/2 + y^2: local and global minimum", 2,
            lambda p: _double_well(p[0]) + p[1] ** 2,
            lambda p: np.array([_double_well_prime(p[0]), 2.0 * p[1]]),
            ((-2.5, 2.8), (-2.0, 2.0)), (2.5, 1.5), ((_WELL_GLOBAL, 0.0), (_WELL_LOCAL, 0.0))),
)}


def get_surface(name: str) -> Surface:
    """Look a surface up by name; a ValueError lists the valid names."""
    try:
        return SURFACES[name]
    except (KeyError, TypeError):
        raise ValueError(f"The 'surface' parameter must be one of {sorted(SURFACES)}. "
                         f"Got {name!r} instead.") from None


def optimizer_options(method: str, lr: float, momentum: float = 0.0) -> tuple[str, dict]:
    """The engine optimizer behind a menu entry: its name in ``OPTIMIZERS`` and its options.

    ``name, options = optimizer_options(method, lr, momentum)``, then ``get_optimizer(name, **options)``
    builds it (:func:`backprop_course.engine.optim.get_optimizer`); the options are the engine's names.

    Parameters
    ----------
    method : {"plain", "momentum", "nesterov", "rprop"}
        plain = SGD with ``lr``; momentum = SGD with ``lr`` and ``momentum``; nesterov = the same with
        ``nesterov=True``; rprop = RPROP with ``step_init=lr`` (RPROP has no learning rate: ``lr`` is
        its first step size, clipped to RPROP's bounds [1e-6, 50]; ``momentum`` is ignored).
    lr : float > 0
    momentum : float in [0, 1)

    Returns
    -------
    name : str
    options : dict

    >>> optimizer_options("nesterov", 0.1, 0.9)
    ('sgd', {'lr': 0.1, 'momentum': 0.9, 'nesterov': True})
    >>> name, options = optimizer_options("rprop", 100.0)
    >>> get_optimizer(name, **options)
    RPROP(eta_plus=1.2, eta_minus=0.5, step_init=50.0, step_min=1e-06, step_max=50.0, variant='irprop-')
    """
    if method == "plain":
        return "sgd", {"lr": lr}
    if method == "momentum":
        return "sgd", {"lr": lr, "momentum": momentum}
    if method == "nesterov":
        return "sgd", {"lr": lr, "momentum": momentum, "nesterov": True}
    if method == "rprop":
        return "rprop", {"step_init": float(np.clip(lr, 1e-6, 50.0))}
    raise checks.error("optimizer_options", "method", f"one of {list(METHODS)}", repr(method))


@dataclass
class Trajectory:
    """The result of :func:`descend`.

    Attributes
    ----------
    points : ndarray, shape (k + 1, dim)
        Start point and the point after each of the k steps taken (all finite).
    losses : ndarray, shape (k + 1,)
        The loss at each point.
    diverged : bool
        True if the run was stopped because the point ran off (|coordinate| > limit or non-finite).
    left_plot : int or None
        Index of the first point outside the surface's plotted range, if any.
    reversals : int
        In how many steps some coordinate moved the opposite way to the step before: many reversals
        means "bouncing" (across a valley, or around a minimum).
    """

    points: np.ndarray
    losses: np.ndarray
    diverged: bool
    left_plot: int | None
    reversals: int

    @property
    def steps(self) -> int:
        return len(self.points) - 1


def descend(surface: Surface, start, optimizer: Optimizer, steps: int, limit: float = 1e6) -> Trajectory:
    """Run ``optimizer`` for ``steps`` steps on ``surface`` from ``start``.

    Each step is exactly ``updates = optimizer.compute_update([p], [grad(p)])`` followed by
    ``optimizer.apply([p], updates)``: the trajectory is the optimizer's, not a re-implementation.

    Parameters
    ----------
    surface : Surface
    start : sequence of float, length surface.dim
    optimizer : Optimizer
        A fresh optimizer (its memory is reset first).
    steps : int >= 0
    limit : float
        Stop (``diverged=True``) once a coordinate exceeds this in absolute value.

    Returns
    -------
    Trajectory

    Examples
    --------
    Plain descent on f(x) = x^2 with lr = 0.25 halves x each step (x <- x - 0.25 * 2x):

    >>> t = descend(SURFACES["quadratic"], [2.0], get_optimizer("sgd", lr=0.25), steps=3)
    >>> t.points[:, 0].tolist()
    [2.0, 1.0, 0.5, 0.25]
    """
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise checks.error("descend", "steps", "an int >= 0", repr(steps))
    p = np.array(start, dtype=float).reshape(-1)
    if p.shape != (surface.dim,) or not np.all(np.isfinite(p)):
        raise checks.error("descend", "start", f"{surface.dim} finite number(s)", repr(start))
    optimizer.reset()
    points, losses = [p.copy()], [float(surface.f(p))]
    diverged = False
    with np.errstate(all="ignore"):
        for _ in range(int(steps)):
            g = np.asarray(surface.grad(p), dtype=float)
            if not np.all(np.isfinite(g)):
                diverged = True
                break
            params = [p]
            updates = optimizer.compute_update(params, [g])
            optimizer.apply(params, updates)
            loss = float(surface.f(p))
            if not (np.all(np.isfinite(p)) and np.isfinite(loss)) or np.max(np.abs(p)) > limit:
                diverged = True
                break
            points.append(p.copy())
            losses.append(loss)
    pts = np.array(points)
    lo = np.array([b[0] for b in surface.bounds])
    hi = np.array([b[1] for b in surface.bounds])
    outside = np.nonzero(np.any((pts < lo) | (pts > hi), axis=1))[0]
    moves = np.diff(pts, axis=0)
    flips = np.any(moves[1:] * moves[:-1] < 0, axis=1) if len(moves) > 1 else np.zeros(0, bool)
    return Trajectory(pts, np.array(losses), diverged, int(outside[0]) if outside.size else None,
                      int(np.sum(flips)))


def grid(surface: Surface, n: int = 60) -> tuple[np.ndarray, ...]:
    """Sample a surface on a regular grid for plotting.

    Returns
    -------
    (x, f) with shapes (n,), (n,) for a 1-D curve, or (X, Y, Z) each (n, n) for a 2-D surface.
    """
    axes = [np.linspace(lo, hi, n) for lo, hi in surface.bounds]
    if surface.dim == 1:
        x = axes[0]
        return x, surface.f(x[None, :]) + 0.0 * x
    X, Y = np.meshgrid(*axes)
    return X, Y, surface.f(np.stack([X, Y]))


# ---------------------------------------------------------------------------------------------
# The view
# ---------------------------------------------------------------------------------------------
def is_diverging(t: Trajectory, surface: Surface) -> bool:
    """True if the run blew up, or left the plot with its loss still rising at the end.

    A path that leaves the plot on the slope ``3x + 4`` (no minimum) is not diverging: it is going
    downhill forever.
    """
    if t.diverged:
        return True
    if t.left_plot is None or surface.name == "linear" or len(t.losses) < 2:
        return False
    return bool(t.losses[-1] > t.losses[t.left_plot - 1])


def _describe(t: Trajectory, surface: Surface, method: str, lr: float) -> tuple[str, str]:
    """A one-line message for the learner and its kind, from a finished trajectory."""
    final = ", ".join(f"{v:.3g}" for v in t.points[-1])
    if t.diverged:
        return (f"Diverged: stopped at step {t.steps}, where the point ran off past 1e6. Each step "
                f"overshoots the minimum by more than the last one (bouncing that grows): lower the "
                f"learning rate (now {lr:.3g}).", "warning")
    if is_diverging(t, surface):
        return (f"Diverging: the path left the plot at step {t.left_plot} and the loss keeps growing. "
                f"Each step overshoots the minimum by more than the last one (bouncing that grows): "
                f"lower the learning rate (now {lr:.3g}).", "warning")
    if surface.name == "linear":
        where = f" and left the plot at step {t.left_plot}" if t.left_plot is not None else ""
        return (f"The slope is 3 everywhere, so every step moves x by -lr*3 = {-3 * lr:.3g}{where}: "
                "f has no minimum, descent never stops.", "info")
    msg = f"After {t.steps} steps: point ({final}), loss {t.losses[-1]:.4g}."
    for m in surface.minima[1:]:  # the first listed minimum is the global one
        if np.linalg.norm(t.points[-1] - np.array(m)) < 0.1:
            msg += (" This is the shallow local minimum, not the deepest one: the gradient is 0 here. "
                    "Momentum can carry the point over the ridge.")
    if t.steps >= 4 and t.reversals >= 0.6 * (t.steps - 1) and method != "rprop":
        return msg + " The path bounces back and forth: the learning rate is close to too high.", "info"
    return msg, "info"


class DescentView(View):
    """Gradient descent on a curve or surface, with the engine's optimizers.

    Controls (attributes): ``surface`` (Dropdown), ``method`` (Dropdown: plain, momentum, nesterov,
    rprop), ``lr`` (FloatLogSlider), ``momentum`` (FloatSlider), ``steps`` (IntSlider), ``start_x``,
    ``start_y`` (FloatSliders; ``start_y`` is disabled on 1-D curves). ``set(**values)`` changes
    several at once with a single redraw. ``state`` holds the trajectory (``points`` (k+1, dim),
    ``losses`` (k+1,)), ``final_point``, ``final_loss``, ``diverged`` (stopped past 1e6), ``diverging`` (that, or off the plot with the loss still rising), ``left_plot``, ``reversals``.
    """

    figsize = (6.0, 4.2)

    def __init__(self, surface: str = "quadratic", method: str = "plain", lr: float = 0.1,
                 momentum: float = 0.9, steps: int = 30, start=None) -> None:
        s = get_surface(surface)
        style = {"description_width": "80px"}  # "momentum" is 76 px wide in 13 px DejaVu Sans
        self.surface = W.Dropdown(options=list(SURFACES), value=surface, description="surface",
                                  style=style)
        self.method = W.Dropdown(options=list(METHODS), value=method, description="optimizer",
                                 style=style)
        self.lr = S.FloatLogSlider(value=lr, base=10, min=-3, max=0.5, description="lr",
                                   readout_format=".3g", continuous_update=True, style=style)
        self.momentum = S.FloatSlider(value=momentum, min=0.0, max=0.99,
                                      description="momentum", continuous_update=True, style=style)
        self.steps = S.IntSlider(value=steps, min=0, max=200, description="steps",
                                 continuous_update=True, style=style)
        self.start_x = S.FloatSlider(value=0.0, min=-1, max=1, description="start x",
                                     continuous_update=True, style=style)
        self.start_y = S.FloatSlider(value=0.0, min=-1, max=1, description="start y",
                                     continuous_update=True, style=style)
        self._built_for: str | None = None
        self._dynamic: list = []
        self._axes: dict = {}
        super().__init__(controls=[self.surface, self.method, self.lr, self.momentum, self.steps,
                                   self.start_x, self.start_y])
        self.fig.set_layout_engine("none")  # axes are placed by hand, see _draw
        self._fast = P.FastPNG(self.fig)
        self._reset_start(s, start)
        self.surface.observe(self._on_surface, names="value")
        self.observe_controls(self.method, self.lr, self.momentum, self.steps, self.start_x,
                              self.start_y)
        self.gesture = PointerGesture(self.press_at, self.drag_to)
        self.pointer = attach_pointer(self.image, self.gesture)
        self.image.add_class("bc-descent-image")
        self.refresh()

    # -- direct manipulation ----------------------------------------------------------------------
    def start_at_pixel(self, x_px: float, y_px: float, clamp: bool = False):
        """The start point under image pixel ``(x_px, y_px)``, kept inside the surface's bounds.

        On a 1-D curve only x counts (the point sits on the curve); None outside the plot.
        """
        if self._built_for is None:
            return None
        s = get_surface(self.surface.value)
        point = pixel_to_data(self._ax, x_px, y_px, clamp=clamp)
        if point is None:
            return None
        return tuple(float(np.clip(v, lo, hi)) for v, (lo, hi) in zip(point[: s.dim], s.bounds))

    def press_at(self, x_px: float, y_px: float) -> bool:
        """A press on the figure: move the start point there. Returns True (a drag may follow)."""
        start = self.start_at_pixel(x_px, y_px)
        if start is None:
            return False
        self._move_start(start)
        return True

    def drag_to(self, x_px: float, y_px: float) -> None:
        """The pointer moved with the button held: the start point follows (along the plot's edge
        when the pointer leaves it)."""
        start = self.start_at_pixel(x_px, y_px, clamp=True)
        if start is not None:
            self._move_start(start)

    def _move_start(self, start) -> None:
        with self.held():
            for slider, v in zip((self.start_x, self.start_y), start):
                slider.value = float(v)
        if not self._hold:  # pointer events come from the browser: throttled like a dragged slider
            self.throttle.request(deferrable=True)

    # -- driving the view -----------------------------------------------------------------------
    def render(self) -> None:
        """Send the figure to the front end, re-drawing only the path."""
        self.image.value = self._fast.png(key=self._built_for)

    def set(self, **values) -> None:
        """Set several controls by name (``lr=0.5, method="momentum"``) and redraw once.

        ``start=(x, y)`` sets both start sliders. Values outside a slider's range are clamped by the
        slider (the state shows what was used).
        """
        with self.held():
            if "surface" in values:
                self.surface.value = values.pop("surface")
            start = values.pop("start", None)
            if start is not None:
                for slider, v in zip((self.start_x, self.start_y), start):
                    slider.value = float(v)
            for name, value in values.items():
                if name not in ("method", "lr", "momentum", "steps", "start_x", "start_y"):
                    raise ValueError(f"The {name!r} setting of DescentView.set is not a control; "
                                     "use surface, method, lr, momentum, steps, start, start_x or "
                                     f"start_y. Got {name}={value!r} instead.")
                getattr(self, name).value = value
        self.refresh()

    def _on_surface(self, change) -> None:
        with self.held():
            self._reset_start(get_surface(change["new"]))
        self.refresh()

    def _reset_start(self, s: Surface, start=None) -> None:
        start = tuple(s.start if start is None else start) + (0.0,)
        for slider, (lo, hi), v in zip((self.start_x, self.start_y), s.bounds + ((-1.0, 1.0),), start):
            # One message to the browser with the final min, max and value: a browser that saw the
            # widened range alone would place the value on it and send it back off by ~1e-7.
            with slider.hold_sync():
                slider.min, slider.max = -1e9, 1e9  # widen first, so min <= value <= max always holds
                slider.value = float(np.clip(v, lo, hi))
                slider.min, slider.max = lo, hi
        self.start_y.disabled = s.dim == 1

    # -- recompute and redraw -------------------------------------------------------------------
    def update(self) -> None:
        s = get_surface(self.surface.value)
        method = self.method.value
        self.momentum.disabled = method in ("plain", "rprop")
        note = ""
        if method in ("momentum", "nesterov") and self.momentum.value == 0.0:
            note = " (Momentum 0 is plain gradient descent.)"
            method = "plain"
        elif method == "rprop":
            note = " (RPROP has no learning rate: lr is its first step size; only gradient signs count.)"
        name, options = optimizer_options(method, self.lr.value, self.momentum.value)
        opt = get_optimizer(name, **options)
        start = [self.start_x.value, self.start_y.value][: s.dim]
        t = descend(s, start, opt, int(self.steps.value))
        self.state.update(surface=s.name, method=self.method.value, optimizer=repr(opt),
                          lr=self.lr.value, momentum=self.momentum.value, start=np.array(start),
                          points=t.points, losses=t.losses, final_point=t.points[-1].copy(),
                          final_loss=float(t.losses[-1]), diverged=t.diverged,
                          diverging=is_diverging(t, s),
                          left_plot=t.left_plot, reversals=t.reversals)
        text, kind = _describe(t, s, self.method.value, self.lr.value)
        self.show_message(text + note, kind)
        self._draw(s, t)

    def _draw(self, s: Surface, t: Trajectory) -> None:
        lo = np.array([b[0] for b in s.bounds])
        hi = np.array([b[1] for b in s.bounds])
        # Draw the path up to where it leaves the plot, clamped to the box: no huge numbers (and no
        # NaN) ever reach matplotlib.
        pts = t.points if t.left_plot is None else t.points[: t.left_plot + 1]
        pts = np.clip(pts, lo, hi)
        title = s.title  # the settings are on the controls; static text keeps redraws cheap
        if self._built_for != s.name:  # a new surface: draw the static background once
            # One Axes per dimension, made once at a fixed place (no layout solver: the tick labels
            # of every surface fit the same margins); a new surface only replaces their contents.
            for artist in self._dynamic:  # the old path may live on the other Axes
                artist.remove()
            self._dynamic = []
            for ax in self._axes.values():
                ax.set_visible(False)
            if s.dim not in self._axes:
                self._axes[s.dim] = self.fig.add_axes((0.11, 0.12, 0.86, 0.8))
            self._ax = self._axes[s.dim]
            self._ax.set_visible(True)
            for artist in [*self._ax.lines, *self._ax.collections, *self._ax.images]:
                artist.remove()
            if s.dim == 1:
                x, f = grid(s, 200)
                P.draw_curve_descent(self._ax, x, f, np.zeros(0), np.zeros(0),
                                     [m[0] for m in s.minima], title=title)
            else:
                X, Y, Z = grid(s, 60)
                levels = np.unique(np.quantile(Z, np.linspace(0, 1, 16) ** 2))
                P.draw_contour_descent(self._ax, X, Y, Z, np.zeros((0, 2)), s.minima, levels=levels,
                                       title=title)
            # The stars join the animated layer, so they are drawn above the path (by zorder) and
            # an end point on a minimum never hides its star.
            for line in self._ax.lines:
                if line.get_label().lstrip("_") in ("global minimum", "local minimum"):
                    line.set_animated(True)
            self._dynamic = []
            self._built_for = s.name  # also the key of the cached background (see render)
        ax = self._ax
        for artist in self._dynamic:  # replace only the path (cheap)
            artist.remove()
        if s.dim == 1:
            xs = pts[:, 0]
            ys = np.clip(s.f(xs[None, :]) + 0.0 * xs, *ax.get_ylim())
            self._dynamic = ax.plot(xs, ys, "-o", color=P.PATH_COLOUR, ms=4, lw=1.2, zorder=4)
        else:
            xs, ys = pts[:, 0], pts[:, 1]
            self._dynamic = ax.plot(xs, ys, "-o", color="black", ms=3, lw=1.2, zorder=4)
        self._dynamic += ax.plot(xs[:1], ys[:1], zorder=5, **P.START_STYLE)
        self._dynamic += ax.plot(xs[-1:], ys[-1:], zorder=5, **P.END_STYLE)
        for artist in self._dynamic:
            artist.set_animated(True)


def descent_explorer(**kwargs) -> DescentView:
    """Return a :class:`DescentView`; keyword arguments as its constructor.

    >>> view = descent_explorer(surface="valley", method="momentum", lr=0.05)  # doctest: +SKIP
    """
    return DescentView(**kwargs)
