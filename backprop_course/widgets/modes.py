"""View 10: online, batch and mini-batch training side by side (lesson 09, Backpropagation for dummies).

The same network (the same initial weights), the same data and the same shuffling seed are trained
three times with plain gradient descent, once per update mode of ``bc.train``:

- online: one update per sample (n updates per epoch);
- mini-batch: one update per ``batch_size`` samples (ceil(n / batch_size) updates per epoch);
- batch: one update per epoch, from the gradient summed over all n samples.

Each mode has its own learning rate: the batch gradient is a sum over n samples, so batch mode
needs a rate about n times smaller for steps of the same size (lesson 09, section 2). The view shows
the loss against epochs (equal work: n per-sample gradients each) and against the number of updates.

:func:`compare_modes` and :func:`modes_view_state` are the pure, tested part; the training is the
engine's ``train``, and a run that diverges is reported (epoch and message), not raised.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import ipywidgets as W
import numpy as np

from backprop_course.engine import checks
from backprop_course.engine.mlp import MLP
from backprop_course.engine.optim import SGD
from backprop_course.engine.training import TrainingDiverged, train
from backprop_course.widgets import plotting as P
from backprop_course.widgets import sliders as S
from backprop_course.widgets.base import View

__all__ = ["MODE_NAMES", "ModeRun", "compare_modes", "modes_view_state", "ModesView", "modes_explorer"]

#: The three runs, in the order they are drawn (their series styles follow it).
MODE_NAMES = ("online", "mini-batch", "batch")
#: A run whose E climbs above this many times its starting value is drawn only up to there.
BLOW_UP = 100.0
_ENGINE_MODE = {"online": "online", "mini-batch": "minibatch", "batch": "batch"}


@dataclass(frozen=True)
class ModeRun:
    """One training run.

    Attributes
    ----------
    name : str
        One of :data:`MODE_NAMES`.
    lr : float
    batch_size : int
        Samples per update (1 online, n in batch mode).
    losses : ndarray, shape (epochs_run + 1,)
        E over the training set before training, then after each completed epoch.
    updates : ndarray of int, shape (epochs_run + 1,)
        Weight updates made by then (0 first).
    diverged_epoch : int or None
        The epoch in which the run diverged (its losses stop before it), else None.
    message : str
        The engine's divergence message, or "".
    net : MLP
        The trained network.
    """

    name: str
    lr: float
    batch_size: int
    losses: np.ndarray
    updates: np.ndarray
    diverged_epoch: int | None
    message: str
    net: Any

    @property
    def final_loss(self) -> float:
        return float(self.losses[-1])


def compare_modes(net: Any, X: Any, T: Any, lrs: Sequence[float], batch_size: int, epochs: int,
                  seed: int = 0) -> dict[str, ModeRun]:
    """Train copies of ``net`` in the three modes; ``net`` itself is not changed.

    Parameters
    ----------
    net : MLP
        The common starting point (copied three times).
    X : array, shape (n, sizes[0]); T : array, shape (n, sizes[-1])
    lrs : three floats > 0
        Learning rates of online, mini-batch and batch mode, in that order.
    batch_size : int in [1, n]
        Samples per mini-batch.
    epochs : int >= 1
    seed : int
        Seeds the shuffling (the same for every mode).

    Returns
    -------
    dict
        ``{name: ModeRun}`` for the names of :data:`MODE_NAMES`.
    """
    owner = "compare_modes"
    if not hasattr(net, "copy"):
        raise checks.error(owner, "net", "an MLP", type(net).__name__, TypeError)
    if isinstance(lrs, (str, bytes)) or len(lrs) != 3:
        raise checks.error(owner, "lrs", "three learning rates (online, mini-batch, batch)", repr(lrs))
    lrs = [checks.real(lr, "lrs", owner, "three floats > 0", lambda v: v > 0) for lr in lrs]
    runs = {}
    for name, lr in zip(MODE_NAMES, lrs):
        mode = _ENGINE_MODE[name]
        copy = net.copy()
        try:
            hist = train(copy, X, T, SGD(lr=lr), mode=mode,
                         batch_size=batch_size if mode == "minibatch" else None, epochs=epochs, seed=seed)
            diverged, message = None, ""
        except TrainingDiverged as err:
            hist, diverged, message = err.history, err.epoch, str(err)
        per_epoch = hist.updates // hist.epochs_run if hist.epochs_run else 0
        if diverged is not None and hist.epochs_run == 0:   # count the updates of one epoch anyway
            n = len(np.asarray(X))
            per_epoch = {"online": n, "batch": 1}.get(mode, -(-n // batch_size))
        runs[name] = ModeRun(name=name, lr=lr, batch_size=hist.batch_size,
                             losses=np.array([hist.initial_loss, *hist.loss]),
                             updates=per_epoch * np.arange(hist.epochs_run + 1),
                             diverged_epoch=diverged, message=message, net=copy)
    return runs


def _log_limits(values: np.ndarray) -> tuple[float, float]:
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v) & (v > 0)]
    if v.size == 0:
        return 0.1, 10.0
    return float(v.min()) / 1.5, float(v.max()) * 1.5


def modes_view_state(net: Any, X: Any, T: Any, lrs: Sequence[float], batch_size: int, epochs: int,
                     seed: int = 0) -> dict:
    """Everything :class:`ModesView` draws and states, as data.

    Returns
    -------
    dict
        ``runs`` (:func:`compare_modes`), ``drawn`` (per name, the ``epochs``, ``losses`` and
        ``updates`` drawn: a run is drawn up to its last epoch with E below :data:`BLOW_UP` times the
        starting value), ``blown_up`` (name -> the first epoch above that), ``final_losses`` and ``total_updates`` (per name),
        ``loss_ylim`` (the shared log axis of E), ``epoch_xlim``, ``update_xlim``, ``readout`` (an
        HTML table) and ``warning`` ("" unless a run diverged).
    """
    runs = compare_modes(net, X, T, lrs, batch_size, epochs, seed)
    start = float(runs["online"].losses[0])
    cap = BLOW_UP * start
    drawn, blown = {}, {}
    for name, r in runs.items():
        # draw a run up to its last epoch below the cap: a curve that climbs to 1e200 would flatten
        # the others to a line on the floor
        over = np.flatnonzero(~(r.losses <= cap))
        keep = len(r.losses) if over.size == 0 else int(over[0])
        if over.size:
            blown[name] = int(over[0])
        drawn[name] = dict(epochs=np.arange(keep), losses=r.losses[:keep], updates=r.updates[:keep])
    all_losses = np.concatenate([d["losses"] for d in drawn.values()])
    max_updates = max(int(r.updates[-1]) for r in runs.values())
    rows = []
    for r in runs.values():
        if r.diverged_epoch is not None:
            after = f"diverged in epoch {r.diverged_epoch}"
        else:
            after = f"{r.final_loss:.4g}" if r.final_loss > 1e4 else f"{r.final_loss:.4f}"
        rows.append(f"<tr><td>{r.name}</td><td>{r.lr:.4g}</td><td>{r.batch_size}</td>"
                    f"<td>{int(r.updates[-1])}</td><td>{after}</td></tr>")
    cell = "{padding:1px 10px;text-align:right}"
    readout = (f"<style>.bc-modes th, .bc-modes td {cell}</style><table class='bc-modes' style='font-size:12px'>"
               "<tr><th>mode</th><th>lr</th><th>samples per update</th><th>updates</th>"
               f"<th>E after {epochs} epochs</th></tr>" + "".join(rows) +
               f"</table>E before training: {start:.4f} (the same network for all three)")
    notes = []
    for name, r in runs.items():
        if r.diverged_epoch is not None:
            notes.append(f"{name} (lr={r.lr:.4g}) diverged in epoch {r.diverged_epoch}: try a smaller rate.")
        elif name in blown:
            notes.append(f"{name} (lr={r.lr:.4g}) overshoots: E passed {BLOW_UP:g} times its starting "
                         f"value in epoch {blown[name]} and is drawn up to epoch {blown[name] - 1}; try a "
                         "smaller rate.")
    warning = " ".join(notes)
    return dict(runs=runs, drawn=drawn, blown_up=blown, final_losses={n: r.final_loss for n, r in runs.items()},
                total_updates={n: int(r.updates[-1]) for n, r in runs.items()},
                loss_ylim=_log_limits(all_losses), epoch_xlim=(0.0, float(epochs)),
                update_xlim=(0.8, 1.25 * max(max_updates, 1)), readout=readout, warning=warning,
                epochs=epochs, batch_size=batch_size, lrs=tuple(float(v) for v in lrs))


class ModesView(View):
    """Online, mini-batch and batch gradient descent from the same start, on the same data.

    Parameters
    ----------
    X, T : array, optional
        The training set (default: lesson 09's ``datasets.regression_1d(n=100, noise=0.1, seed=0)``).
    sizes, activation, seed
        The network every run starts from: ``MLP(sizes, activation=activation, seed=seed)``
        (default: lesson 09's 1-10-1 net, tanh then linear, seed 0).
    lrs : three floats
        Initial learning rates of online, mini-batch and batch mode (lesson 09: 0.03, 0.03, 0.003).
    batch_size, epochs : int
        Initial mini-batch size and number of epochs (lesson 09: 10 and 60).

    Controls (attributes): ``lr_online``, ``lr_minibatch``, ``lr_batch`` (log sliders), ``batch_size``
    and ``epochs`` (IntSliders). ``state`` holds what :func:`modes_view_state` returns.

    Training all three runs takes a noticeable fraction of a second, so the sliders redraw when
    released (``continuous_update=False``) rather than while dragged.
    """

    figsize = (10.0, 3.8)

    def __init__(self, X: Any = None, T: Any = None, sizes: Sequence[int] = (1, 10, 1),
                 activation: Any = ("tanh", "linear"), seed: int = 0,
                 lrs: Sequence[float] = (0.03, 0.03, 0.003), batch_size: int = 10,
                 epochs: int = 60) -> None:
        from backprop_course import datasets

        owner = "ModesView"
        if X is None or T is None:
            X, T = datasets.regression_1d(n=100, noise=0.1, seed=0)
        self.X, self.T = np.asarray(X, float), np.asarray(T, float)
        n = len(self.X)
        self.net = MLP(list(sizes), activation=list(activation) if not isinstance(activation, str)
                       else activation, seed=seed)
        if isinstance(lrs, (str, bytes)) or len(lrs) != 3:
            raise checks.error(owner, "lrs", "three learning rates (online, mini-batch, batch)", repr(lrs))
        lrs = [checks.real(v, "lrs", owner, "three floats in [1e-5, 10]", lambda v: 1e-5 <= v <= 10)
               for v in lrs]
        batch_size = checks.integer(batch_size, "batch_size", owner, 1, n,
                                    f"an int in [1, n_samples] = [1, {n}]")
        epochs = checks.integer(epochs, "epochs", owner, 1, 500)
        style = {"description_width": "110px"}

        def rate(name: str, value: float) -> S.FloatLogSlider:
            return S.FloatLogSlider(value=value, base=10, min=-5, max=1, description=name,
                                    readout_format=".2g", continuous_update=False, style=style,
                                    layout=W.Layout(width="330px"))

        self.lr_online = rate("lr online", lrs[0])
        self.lr_minibatch = rate("lr mini-batch", lrs[1])
        self.lr_batch = rate("lr batch", lrs[2])
        self.batch_size = S.IntSlider(value=batch_size, min=1, max=n, description="mini-batch size",
                                      continuous_update=False, style=style, layout=W.Layout(width="330px"))
        self.epochs = S.IntSlider(value=epochs, min=1, max=500, description="epochs",
                                  continuous_update=False, style=style, layout=W.Layout(width="330px"))
        self.readout = W.HTML(value="")
        controls = [W.VBox([self.lr_online, self.lr_minibatch, self.lr_batch]),
                    W.VBox([self.batch_size, self.epochs])]
        super().__init__(controls=controls, extra=[self.readout])
        self.children = (self.children[0], self.readout, *self.children[1:-1])
        self._ax_epoch, self._ax_update = self.fig.subplots(1, 2)
        self.observe_controls(self.lr_online, self.lr_minibatch, self.lr_batch, self.batch_size,
                              self.epochs)
        self.refresh()

    def set(self, lrs: Sequence[float] | None = None, batch_size: int | None = None,
            epochs: int | None = None) -> None:
        """Set several controls at once and train once."""
        with self.held():
            if lrs is not None:
                if len(lrs) != 3:
                    raise checks.error("ModesView.set", "lrs", "three learning rates", repr(lrs))
                self.lr_online.value, self.lr_minibatch.value, self.lr_batch.value = lrs
            if batch_size is not None:
                self.batch_size.value = batch_size
            if epochs is not None:
                self.epochs.value = epochs
        self.refresh()

    def update(self) -> None:
        s = modes_view_state(self.net, self.X, self.T,
                             (self.lr_online.value, self.lr_minibatch.value, self.lr_batch.value),
                             self.batch_size.value, self.epochs.value)
        self.state.update(s)
        self.readout.value = s["readout"]
        self.show_message(s["warning"], "warning") if s["warning"] else self.clear_message()
        self._draw(s)

    def _draw(self, s: dict) -> None:
        ax, ux = self._ax_epoch, self._ax_update
        ax.cla()
        ux.cla()
        for i, run in enumerate(s["runs"].values()):
            label = f"{run.name} (lr {run.lr:.2g}" + (f", {run.batch_size} per update)" if run.name ==
                                                       "mini-batch" else ")")
            d = s["drawn"][run.name]
            style = P.series_style(i, len(d["losses"]))
            ax.semilogy(d["epochs"], d["losses"], label=label, **style)
            ux.loglog(d["updates"][1:], d["losses"][1:], label=label, **style)
        for a in (ax, ux):
            a.set_ylim(*s["loss_ylim"])
            a.set_ylabel("E over the training set")
            a.grid(alpha=0.3, which="both")
        ax.set_xlim(*s["epoch_xlim"])
        ux.set_xlim(*s["update_xlim"])
        ax.set_xlabel(f"epoch (= {len(self.X)} per-sample gradients)")
        ax.set_title("equal work: per epoch", fontsize=10)
        ux.set_xlabel("number of weight updates")
        ux.set_title("equal number of updates", fontsize=10)
        ax.legend(fontsize=8)


def modes_explorer(**kwargs: Any) -> ModesView:
    """Return a :class:`ModesView`; keyword arguments as its constructor."""
    return ModesView(**kwargs)
