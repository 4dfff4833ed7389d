"""The training loop: the blog post's online, batch and mini-batch modes, with a history.

One *epoch* is one pass over the training set. What differs between the modes is how often the
weights change within it:

``"online"``
    one update per sample, visiting the samples in a fresh random order every epoch;
``"batch"``
    one update per epoch, from the gradient accumulated over all samples (no randomness at all);
``"minibatch"``
    the samples are shuffled every epoch and cut into consecutive mini-batches of ``batch_size``
    (the last one is smaller when ``batch_size`` does not divide ``n_samples``; it is kept), one
    update per mini-batch.

The gradient of every update is that of E *summed* over the samples it covers (the network's loss,
by default the seeds' E = 1/2 sum (t - y)^2), exactly as the seeds accumulate it. Consequence for the
learning rate: the batch gradient is n_samples times the average per-sample gradient, so one epoch
of batch mode moves the weights about as far as one epoch of online mode with the same ``lr``, but
in one jump; on a large training set a rate that is fine online can make batch mode overshoot.
(Frameworks that average the loss over a batch need an ``lr`` that is batch-size times larger.)

>>> import numpy as np
>>> from backprop_course.engine.mlp import MLP
>>> from backprop_course.engine.optim import SGD
>>> X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]); T = np.array([[0.], [1.], [1.], [0.]])
>>> hist = train(MLP([2, 4, 1], seed=0), X, T, SGD(lr=2.0, momentum=0.9), mode="batch", epochs=300)
>>> hist.epochs_run, hist.loss[-1] < 0.01
(300, True)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from .checks import error, integer, one_of
from .optim import step_discarding_grads

__all__ = ["train", "train_step", "update_batches", "History", "TrainingDiverged", "MODES"]

MODES = ("online", "batch", "minibatch")


@dataclass
class History:
    """What happened during :func:`train`, one entry per completed epoch.

    Attributes
    ----------
    loss : list of float
        The network's loss (E by default) over the WHOLE training set, measured after each epoch's
        last update. ``loss[e]`` belongs to epoch ``e + 1``.
    initial_loss : float
        The same measure before the first update.
    grad_norms : list of list of float
        With ``record_grad_norms=True``: per epoch, one number per layer: the Euclidean (Frobenius)
        norm of that layer's weight gradient dE/dW_l, averaged over the updates of the epoch (in
        batch mode this is the norm of the full gradient at the start of the epoch). Biases are
        not included. Empty otherwise.
    weights : list of dict
        With ``record_weights=True``: per epoch, a snapshot ``{"weights": [...], "biases": [...]}``
        of copies taken after the epoch (``net.get_state()``). Empty otherwise.
    initial_weights : dict or None
        With ``record_weights=True``: the snapshot before training.
    epochs_run : int
        Completed epochs (less than requested when a callback stopped training or it diverged).
    updates : int
        Total number of weight updates made.
    mode : str
    batch_size : int
        Samples per update: 1 online, n_samples in batch mode, ``batch_size`` for mini-batches.
    stopped_early : bool
        True when the callback returned False.
    """

    mode: str
    batch_size: int
    loss: list[float] = field(default_factory=list)
    initial_loss: float = float("nan")
    grad_norms: list[list[float]] = field(default_factory=list)
    weights: list[dict] = field(default_factory=list)
    initial_weights: dict | None = None
    epochs_run: int = 0
    updates: int = 0
    stopped_early: bool = False

    @property
    def final_loss(self) -> float:
        """The loss after the last completed epoch (``initial_loss`` if none completed)."""
        return self.loss[-1] if self.loss else self.initial_loss


class TrainingDiverged(ValueError):
    """The loss or the parameters became NaN or infinite.

    Attributes
    ----------
    epoch : int
        The epoch (1-based) in which it happened.
    loss : float
        The loss measured at the end of that epoch (NaN or inf, or finite if only weights blew up).
    history : History
        Everything recorded for the epochs before it (``history.epochs_run == epoch - 1``).
    """

    def __init__(self, message: str, epoch: int = 0, loss: float = float("nan"),
                 history: History | None = None) -> None:
        super().__init__(message)
        self.epoch, self.loss, self.history = epoch, loss, history

    def __reduce__(self):  # keep the attributes when the error crosses a process boundary
        return (type(self), (str(self), self.epoch, self.loss, self.history))


# -- argument checks (the vocabulary and the message are engine/checks.py's) -----------------------------
def _check_net(net: Any, owner: str = "train") -> None:
    if not all(hasattr(net, a) for a in ("forward", "backward", "loss", "parameters", "sizes")):
        raise error(owner, "net", "an MLP (with forward, backward, loss, parameters and sizes)",
                    type(net).__name__, TypeError)


def _check_optimizer(optimizer: Any, owner: str = "train") -> None:
    if not callable(getattr(optimizer, "step", None)):
        raise error(owner, "optimizer", "an optimizer with a step(net, grads) method, e.g. SGD(lr=0.1)",
                    type(optimizer).__name__, TypeError)


def _as_data(name: str, A: object, columns: int, layer: str, n: int | None, net: Any) -> np.ndarray:
    dtype = getattr(net, "dtype", None)
    dtype = np.float64 if dtype is None else dtype
    try:
        A = np.asarray(A, dtype=dtype)
    except (TypeError, ValueError):
        raise error("train", name, "an array of numbers", type(A).__name__, TypeError) from None
    rows = "n_samples" if n is None else str(n)
    if A.ndim != 2 or A.shape[1] != columns or A.shape[0] < 1 or (n is not None and A.shape[0] != n):
        hint = " (use .reshape(-1, 1) for a single column)" if A.ndim == 1 and columns == 1 else ""
        raise error("train", name, f"a 2-D array of shape ({rows}, {columns}) ({columns} = {layer})",
                    f"shape {A.shape}", hint=hint)
    if not np.all(np.isfinite(A)):
        raise error("train", name, "finite (no NaN or inf)", "non-finite values")
    return np.ascontiguousarray(A)


def _check_args(net, X, T, optimizer, mode, batch_size, epochs, seed, callback):
    _check_net(net)
    X = _as_data("X", X, net.sizes[0], "sizes[0], the inputs of the network", None, net)
    T = _as_data("T", T, net.sizes[-1], "sizes[-1], the outputs of the network", len(X), net)
    _check_optimizer(optimizer)
    one_of(mode, "mode", "train", MODES)
    n = len(X)
    if mode == "minibatch":
        if batch_size is None:
            raise error("train", "batch_size", "an int >= 1 when mode='minibatch'", "None")
        batch_size = integer(batch_size, "batch_size", "train", 1, n,
                             f"an int in [1, n_samples] = [1, {n}]")
    else:
        if batch_size is not None:  # accepted (a view may pass it for every mode) but not used
            integer(batch_size, "batch_size", "train", 1, rule="an int >= 1 or None")
        batch_size = 1 if mode == "online" else n
    epochs = integer(epochs, "epochs", "train", 1)
    if seed is not None:
        integer(seed, "seed", "train", 0, rule="an int >= 0 or None")
    if callback is not None and not callable(callback):
        raise error("train", "callback", "callable as callback(epoch, history) or None",
                    repr(callback), TypeError)
    return X, T, batch_size, epochs


# -- the loop ---------------------------------------------------------------------------------------
def update_batches(mode: str, n: int, batch_size: int, rng: np.random.Generator):
    """The row index sets of one epoch's updates, exactly as :func:`train` uses them.

    Slices keep the data as views; the shuffles draw from ``rng`` (one permutation per epoch, none in
    batch mode). A view that trains step by step calls this to repeat ``train``'s updates exactly.
    """
    if mode == "batch":
        return [slice(None)]
    order = rng.permutation(n)
    if mode == "online":
        return [slice(i, i + 1) for i in order]                   # rows stay 2-D: (1, n_inputs)
    return [np.sort(order[i:i + batch_size]) for i in range(0, n, batch_size)]


def _step(net, X, T, optimizer, norms: bool):
    """One update; returns (loss before it, weight-gradient norms or None)."""
    net.forward(X)
    g = net.backward(T, input_grad=False)        # dE/dX is not needed to train: one product fewer
    layer_norms = np.array([np.linalg.norm(gw) for gw in g.weights]) if norms else None
    step_discarding_grads(optimizer, net, g)     # optimizer.step(net, g); nobody reads g again
    return g.loss, layer_norms


def train_step(net, X, T, optimizer) -> float:
    """One training step on one batch: forward, backward and update. Returns the loss before it.

    It changes the weights exactly as (number for number)::

        net.forward(X)
        g = net.backward(T, input_grad=False)   # dE/dX is not needed to train: one product fewer
        optimizer.step(net, g)

    and it is what :func:`train` does for every update. As nobody sees ``g``, plain gradient
    descent may turn it into the update in place (``optim.step_discarding_grads``);
    ``benchmarks/bench_mlp.py`` times both forms.

    Parameters
    ----------
    net : MLP
        Updated in place; its forward cache then holds this batch.
    X : array, shape (n_samples, sizes[0])
    T : array, shape (n_samples, sizes[-1])
    optimizer : SGD, RPROP or any object with ``step(net, grads)``

    Returns
    -------
    float
        The loss on this batch at the weights before the update.

    >>> import numpy as np
    >>> from backprop_course.engine.mlp import MLP
    >>> from backprop_course.engine.optim import SGD
    >>> net, opt = MLP([2, 3, 1], seed=0), SGD(lr=0.5)
    >>> X, T = np.array([[0.0, 1.0]]), np.array([[1.0]])
    >>> first = train_step(net, X, T, opt)
    >>> second = train_step(net, X, T, opt)
    >>> second < first
    True
    """
    _check_net(net, "train_step")
    _check_optimizer(optimizer, "train_step")
    return _step(net, X, T, optimizer, False)[0]


def _run_epoch(net, X, T, optimizer, batches, norms: bool) -> np.ndarray | None:
    total = None
    for idx in batches:
        _, layer_norms = _step(net, X[idx], T[idx], optimizer, norms)
        if norms:
            total = layer_norms if total is None else total + layer_norms
    return None if total is None else total / len(batches)


def _diverged(epoch, epochs, loss, params_ok, optimizer, hist) -> TrainingDiverged:
    what = f"the loss over the training set is {loss}" if not np.isfinite(loss) else \
        f"the loss is still {loss:.4g}"
    if not params_ok:
        what += " and some weights are NaN or infinite"
    if hasattr(optimizer, "lr"):
        advice = f"try a lower learning rate than lr={optimizer.lr!r}"
    else:
        advice = "try a lower learning rate or smaller steps"
    return TrainingDiverged(
        f"Training diverged in epoch {epoch} of {epochs}: {what}. The updates overshoot and grow "
        f"without bound; {advice} (or reset the network: a diverged network stays broken).",
        epoch, loss, hist)


def train(net, X, T, optimizer, mode: str = "batch", batch_size: int | None = None,
          epochs: int = 100, seed: int | None = 0, record_grad_norms: bool = False,
          record_weights: bool = False, progress: bool = False,
          callback: Callable[[int, History], Any] | None = None) -> History:
    """Train ``net`` in place on ``(X, T)`` with ``optimizer``; return the :class:`History`.

    Parameters
    ----------
    net : MLP
        Trained in place.
    X : array, shape (n_samples, sizes[0])
    T : array, shape (n_samples, sizes[-1])
    optimizer : SGD, RPROP or any object with ``step(net, grads)``
        Used as it is: its memory (velocities, step sizes) carries over from earlier calls, so a
        second ``train`` call continues where the first stopped. Call ``optimizer.reset()`` (or
        make a new one) to start afresh.
    mode : {"batch", "online", "minibatch"}
        How often the weights are updated per epoch (see the module docstring).
    batch_size : int or None
        Samples per mini-batch, required for ``mode="minibatch"`` (1 <= batch_size <= n_samples);
        other modes accept and ignore it.
    epochs : int >= 1
    seed : int or None
        Seeds the generator that shuffles the samples (online and minibatch). The same net,
        optimizer state and seed give the same history, number for number.
    record_grad_norms, record_weights : bool
        Fill ``history.grad_norms`` / ``history.weights`` (see :class:`History`).
    progress : bool
        Show a tqdm progress bar with the current loss.
    callback : callable or None
        ``callback(epoch, history)`` after every epoch (1-based, history already updated); return
        ``False`` to stop training early (any other value, including None, continues).

    Returns
    -------
    History

    Raises
    ------
    TrainingDiverged
        When the loss or a parameter becomes NaN or infinite at the end of an epoch. The message
        names the epoch; ``error.history`` holds the epochs before. Overflow inside that epoch
        raises no numpy warning: it is reported by this error instead.
    """
    X, T, size, epochs = _check_args(net, X, T, optimizer, mode, batch_size, epochs, seed, callback)
    rng = np.random.default_rng(seed)
    hist = History(mode=mode, batch_size=size)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        hist.initial_loss = float(net.loss(X, T))
    if record_weights:
        hist.initial_weights = net.get_state()
    bar = None
    if progress:
        from tqdm.auto import tqdm  # lazy: only when a bar is asked for
        bar = tqdm(total=epochs, desc=f"training ({mode})", unit="epoch")
    try:
        for epoch in range(1, epochs + 1):
            batches = update_batches(mode, len(X), size, rng)
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                norms = _run_epoch(net, X, T, optimizer, batches, record_grad_norms)
                loss = float(net.loss(X, T))
                params_ok = all(np.all(np.isfinite(p)) for p in net.parameters())
            if not (np.isfinite(loss) and params_ok):
                raise _diverged(epoch, epochs, loss, params_ok, optimizer, hist)
            hist.loss.append(loss)
            hist.updates += len(batches)
            hist.epochs_run = epoch
            if record_grad_norms:
                hist.grad_norms.append([float(v) for v in norms])
            if record_weights:
                hist.weights.append(net.get_state())
            if bar is not None:
                bar.update(1)
                bar.set_postfix(loss=f"{loss:.4g}")
            if callback is not None and callback(epoch, hist) is False:
                hist.stopped_early = True
                break
    finally:
        if bar is not None:
            bar.close()
    return hist
