"""Gradient checking: compare back-propagated gradients with central finite differences.

Two formulas, both centred on the point being checked (``h`` is ``eps``):

* ``order=2``, the textbook one:   f'(x) ~ (f(x+h) - f(x-h)) / (2h)                  error O(h^2)
* ``order=4``, five-point stencil: f'(x) ~ (-f(x+2h) + 8f(x+h) - 8f(x-h) + f(x-2h)) / (12h)  O(h^4)

Agreement is measured per entry with a relative error that has a floor (as in Stanford's cs231n)::

    rel = |analytic - numeric| / max(|analytic| + |numeric|, floor)

Dividing by the size of the numbers makes the test scale-free; the floor decides below which size a
gradient entry is compared in absolute terms instead (``rel < tol`` then means
``|analytic - numeric| < tol * floor``). Each checked array is summarised by its LARGEST entry error.

Why the defaults ``order=4, eps=1e-3, floor=1e-4``: in float64 each evaluation of the loss carries
rounding noise of a few times 1e-16 * |E|, which a difference quotient divides by h. With ``order=2``
even the best h (~1e-5) leaves an absolute error near 1e-11 * |E|. The five-point stencil allows
h = 1e-3, where the truncation error (order h^4) is ~1e-12 and the rounding noise ~1e-13 * |E|. A
summed loss over a batch reaches |E| ~ 10-50, so numeric gradients carry absolute noise up to ~1e-11,
whatever the true gradient; entries of deep networks can be as small as 1e-9. A floor of 1e-4 makes
such noise count as a relative error of ~1e-7 at most, while any real mistake in an entry larger than
about 1e-11 still stands out. (cs231n's floor of 1e-8 only guards against 0/0 and reports errors of
1e-5 on perfectly correct deep networks.)

Kinks: relu and leaky relu have no derivative at 0. For an :class:`~.mlp.MLP`, ``gradcheck`` watches
the sign pattern of the net inputs of every relu/leaky-relu layer and leaves out entries whose
stencil crossed a kink (counted in ``result.skipped``); for plain functions it cannot know.

>>> import numpy as np
>>> result = gradcheck(lambda w: float(np.sum(w ** 3)), [np.array([1.0, -2.0])],
...                    grad=lambda w: [3 * w ** 2])
>>> result.max_error < 1e-10
True
>>> np.round(result.numeric["arrays[0]"], 6).tolist()
[3.0, 12.0]
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from .checks import error

__all__ = ["GradcheckResult", "gradcheck", "numerical_gradient", "relative_error"]

DEFAULT_FLOOR = 1e-4


def relative_error(analytic, numeric, floor: float = DEFAULT_FLOOR) -> np.ndarray:
    """Entrywise ``|a - n| / max(|a| + |n|, floor)`` (an array of the broadcast shape).

    >>> round(float(relative_error(1.0, 1.001)), 9)    # 0.001 / 2.001
    0.00049975
    >>> float(relative_error(0.0, 1e-12)) < 1.01e-8    # below the floor: 1e-12 / 1e-4
    True
    """
    a = np.asarray(analytic, dtype=float)
    n = np.asarray(numeric, dtype=float)
    return np.abs(a - n) / np.maximum(np.abs(a) + np.abs(n), floor)


def _describe_array(obj: object) -> str:
    dtype = getattr(obj, "dtype", None)
    return f"{type(obj).__name__} of dtype {dtype}" if dtype is not None else type(obj).__name__


def _check_stencil(eps: float, order: int, owner: str) -> None:
    if isinstance(eps, bool) or not isinstance(eps, (int, float)) or not eps > 0:
        raise error(owner, "eps", "a float > 0", repr(eps))
    if order not in (2, 4) or isinstance(order, bool):
        raise error(owner, "order", "2 or 4", repr(order))


def _differences(evaluate: Callable[[], float], array: np.ndarray, eps: float, order: int,
                 crossed: Callable[[], bool] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Perturb each entry of ``array`` in place, call ``evaluate()``, restore the entry.

    Returns the numeric gradient and a boolean mask of entries where ``crossed()`` reported a kink.
    Differences of symmetric pairs are taken first, (f(x+h) - f(x-h)), so that an entry the loss
    does not depend on gets exactly 0 instead of the rounding error of a weighted sum.
    """
    offsets = (1.0, -1.0) if order == 2 else (1.0, -1.0, 2.0, -2.0)
    grad = np.zeros(array.shape, dtype=float)
    kinked = np.zeros(array.shape, dtype=bool)
    for index in np.ndindex(array.shape):
        original = array[index]
        f = []
        try:
            for offset in offsets:
                array[index] = original + offset * eps
                f.append(float(evaluate()))
                if crossed is not None and crossed():
                    kinked[index] = True
        finally:
            array[index] = original  # restore exactly, even if evaluate() raised
        if order == 2:
            grad[index] = (f[0] - f[1]) / (2.0 * eps)
        else:
            grad[index] = (8.0 * (f[0] - f[1]) - (f[2] - f[3])) / (12.0 * eps)
    return grad, kinked


def numerical_gradient(f: Callable[[np.ndarray], float], array: np.ndarray,
                       eps: float = 1e-5, order: int = 2) -> np.ndarray:
    """Central finite-difference gradient of the scalar ``f(array)`` with respect to ``array``.

    ``array`` is perturbed IN PLACE, one entry at a time, and restored afterwards; ``f`` may
    therefore also ignore its argument and read a live array it closes over (a network's weights).

    Parameters
    ----------
    f : callable
        ``f(array) -> float``.
    array : ndarray of floats, any shape
    eps : float
        Step ``h`` (default 1e-5, about the best for ``order=2`` in float64).
    order : {2, 4}
        2: ``(f(x+h) - f(x-h)) / 2h``; 4: the five-point stencil (see the module docstring).

    Returns
    -------
    ndarray, the shape of ``array``

    >>> w = np.array([3.0])
    >>> np.round(numerical_gradient(lambda w: float(w[0] ** 2), w), 8).tolist()
    [6.0]
    """
    if not isinstance(array, np.ndarray) or not np.issubdtype(array.dtype, np.floating):
        raise error("numerical_gradient", "array", "a numpy array of floats (it is perturbed in place)",
                    _describe_array(array), TypeError)
    _check_stencil(eps, order, "numerical_gradient")
    return _differences(lambda: f(array), array, eps, order)[0]


class GradcheckResult(dict):
    """Maximum relative error per checked array: ``{"weights[0]": 3e-10, ..., "inputs": ...}``.

    Extra attributes: ``numeric`` and ``analytic`` (name -> gradient array), ``errors`` (name ->
    entrywise relative errors), ``skipped`` (name -> number of entries left out at a relu kink),
    ``eps``, ``order``, ``floor``. A value is NaN when no analytic gradient was given.
    """

    def __init__(self, eps: float, order: int, floor: float) -> None:
        super().__init__()
        self.eps, self.order, self.floor = eps, order, floor
        self.numeric: dict[str, np.ndarray] = {}
        self.analytic: dict[str, np.ndarray | None] = {}
        self.errors: dict[str, np.ndarray | None] = {}
        self.skipped: dict[str, int] = {}

    def _add(self, name: str, numeric: np.ndarray, analytic, kinked=None) -> None:
        self.numeric[name] = numeric
        self.skipped[name] = 0 if kinked is None else int(kinked.sum())
        if analytic is None:
            self.analytic[name] = self.errors[name] = None
            self[name] = float("nan")
            return
        analytic = np.asarray(analytic, dtype=float)
        if analytic.shape != numeric.shape:
            raise ValueError(
                f"The analytic gradient for {name} must have shape {numeric.shape}. "
                f"Got shape {analytic.shape} instead."
            )
        errors = relative_error(analytic, numeric, self.floor)
        if kinked is not None:
            errors = np.where(kinked, 0.0, errors)
        self.analytic[name], self.errors[name] = analytic, errors
        self[name] = float(errors.max()) if errors.size else 0.0

    @property
    def max_error(self) -> float:
        """The largest relative error over all checked arrays."""
        return max(self.values(), default=0.0)

    def passed(self, tol: float = 1e-7) -> bool:
        """True if every maximum relative error is below ``tol``."""
        return all(err < tol for err in self.values())

    def summary(self) -> str:
        """One aligned line per checked array (name, max relative error, skipped entries)."""
        width = max((len(k) for k in self), default=4)
        lines = [f"{'name':<{width}}  max rel. error  skipped"]
        lines += [f"{k:<{width}}  {v:14.2e}  {self.skipped[k]:7d}" for k, v in self.items()]
        return "\n".join(lines)


def _is_mlp(obj: object) -> bool:
    return all(hasattr(obj, a) for a in ("forward", "backward", "weights", "biases", "sizes"))


def _is_value(obj: object) -> bool:
    from .value import Value  # the engine's own scalar node (numpy-free module)

    return isinstance(obj, Value)


def gradcheck(target, *args, grad=None, eps: float = 1e-3, order: int = 4,
              floor: float = DEFAULT_FLOOR) -> GradcheckResult:
    """Check gradients against central finite differences; return the max relative error per array.

    Three forms:

    ``gradcheck(net, X, T)``
        ``net`` is an :class:`~.mlp.MLP`. Compares ``net.backward(T)`` after ``net.forward(X)``
        with finite differences of ``net.loss(X, T)`` for every weight matrix, every bias vector
        (if the net has biases) and the inputs. Keys: ``"weights[l]"``, ``"biases[l]"``,
        ``"inputs"``. Works on a float64 copy: the net itself is not touched.
    ``gradcheck(f, arrays, grad=...)``
        ``f(*arrays) -> float`` for a list of arrays. ``grad`` is either a callable
        ``grad(*arrays) -> list of arrays`` or the list of analytic gradients itself; without it
        only ``result.numeric`` is filled (errors are NaN). Keys: ``"arrays[i]"``. The arrays are
        copied to float64 first; ``f`` receives the copies.
    ``gradcheck(f, values)``
        ``f(*values) -> Value`` for a list of :class:`~.value.Value` leaves. The analytic
        gradients come from ``f(*values).backward()``; keys are the labels when they are unique
        and non-empty, else ``"values[i]"``. Each leaf's ``.data`` is restored afterwards.

    Parameters
    ----------
    eps, order : float, {2, 4}
        Finite-difference step and stencil (see the module docstring for the defaults).
    floor : float
        Floor of the relative error's denominator.

    Returns
    -------
    GradcheckResult
        A dict name -> maximum relative error, with ``.numeric``, ``.analytic``, ``.errors``,
        ``.skipped``, ``.max_error``, ``.passed(tol)`` and ``.summary()``.
    """
    _check_stencil(eps, order, "gradcheck")
    if isinstance(floor, bool) or not isinstance(floor, (int, float)) or not floor > 0:
        raise error("gradcheck", "floor", "a float > 0", repr(floor))
    result = GradcheckResult(eps, order, floor)
    if _is_mlp(target):
        if len(args) != 2 or grad is not None:
            raise TypeError("gradcheck(net, X, T) takes exactly the inputs X and the targets T "
                            f"after the network. Got {len(args)} positional arguments instead.")
        return _check_mlp(result, target, *args)
    if not callable(target):
        raise error("gradcheck", "target", "an MLP or a callable", type(target).__name__, TypeError)
    if len(args) != 1 or isinstance(args[0], (str, bytes)) or not isinstance(args[0], Sequence):
        raise TypeError("gradcheck(f, inputs) needs one list of arrays or of Values after f. "
                        f"Got {len(args)} positional arguments "
                        f"({', '.join(type(a).__name__ for a in args)}) instead.")
    inputs = list(args[0])
    if inputs and all(_is_value(v) for v in inputs):
        return _check_values(result, target, inputs)
    return _check_arrays(result, target, inputs, grad)


def _check_arrays(result: GradcheckResult, f, inputs: list, grad) -> GradcheckResult:
    try:
        arrays = [np.array(a, dtype=float) for a in inputs]   # float64 copies, perturbed in place
    except (TypeError, ValueError):
        raise error("gradcheck", "inputs", "a list of arrays of numbers (or a list of Value)",
                    f"[{', '.join(type(a).__name__ for a in inputs)}]", TypeError) from None
    analytic = grad(*arrays) if callable(grad) else grad
    if analytic is not None and len(analytic) != len(arrays):
        raise error("gradcheck", "grad", f"{len(arrays)} gradients (one per array)", str(len(analytic)),
                    must="give")
    for i, array in enumerate(arrays):
        numeric, _ = _differences(lambda: f(*arrays), array, result.eps, result.order)
        result._add(f"arrays[{i}]", numeric, None if analytic is None else analytic[i])
    return result


def _check_values(result: GradcheckResult, f, values: list) -> GradcheckResult:
    labels = [v.label for v in values]
    if not all(labels) or len(set(labels)) != len(labels):
        labels = [f"values[{i}]" for i in range(len(values))]
    out = f(*values)
    out.backward()
    analytic = [float(v.grad) for v in values]
    for label, value, exact in zip(labels, values, analytic):
        box = np.array([value.data], dtype=float)

        def evaluate(box=box, value=value):
            value.data = float(box[0])
            return f(*values).data

        try:
            numeric, _ = _differences(evaluate, box, result.eps, result.order)
        finally:
            value.data = float(box[0])  # box was restored, so this is the original number
        result._add(label, numeric.reshape(()), np.asarray(exact))
    return result


def _check_mlp(result: GradcheckResult, net, X, T) -> GradcheckResult:
    work = net.copy()
    if work.dtype != np.float64:  # finite differences in float32 are far too coarse
        work.dtype = np.dtype(np.float64)
        work.weights = [W.astype(np.float64) for W in work.weights]
        work.biases = [b.astype(np.float64) for b in work.biases]
    X = np.array(X, dtype=np.float64)            # a copy: perturbed in place below
    T = np.array(T, dtype=np.float64)
    work.forward(X)
    g = work.backward(T)

    kink_layers = [l for l, name in enumerate(work.activations) if name in ("relu", "leaky_relu")]
    base = [work.net_inputs[l] > 0 for l in kink_layers]

    def crossed() -> bool:  # did the last evaluation move any relu net input across 0?
        return any(not np.array_equal(work.net_inputs[l] > 0, pattern)
                   for l, pattern in zip(kink_layers, base))

    watch = crossed if kink_layers else None
    evaluate = lambda: work.loss(X, T)   # noqa: E731  (forward with the perturbed entry)
    for l in range(len(work.weights)):
        numeric, kinked = _differences(evaluate, work.weights[l], result.eps, result.order, watch)
        result._add(f"weights[{l}]", numeric, g.weights[l], kinked)
        if work.bias:
            numeric, kinked = _differences(evaluate, work.biases[l], result.eps, result.order, watch)
            result._add(f"biases[{l}]", numeric, g.biases[l], kinked)
    numeric, kinked = _differences(evaluate, X, result.eps, result.order, watch)
    result._add("inputs", numeric, g.inputs, kinked)
    return result
