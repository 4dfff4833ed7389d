"""View 11: watch the digits network of lesson 12 learn (loss, accuracy, the digits it gets wrong).

Lesson 12 trains a 64-32-10 network (tanh, then sigmoid outputs; Xavier; seed 0) on the course's
handwritten digits with mini-batches of 32 and gradient descent with momentum. This view trains the
same network on the same split, one epoch at a time, and after every epoch shows

- E per sample on the training and on the test set (log scale),
- the accuracy on both sets (the share of images whose largest output is the right digit),
- a few test images the network currently gets wrong, each with its true digit and the answer.

:class:`DigitsRun` is the pure, tested part (no widgets, no drawing). It trains exactly as the
engine's ``bc.train`` does, number for number: the same seeded shuffling, the same mini-batches and
the same update (``train_step``), so ``run.step(30)`` gives the history of
``bc.train(net, X_train, T_train, opt, mode="minibatch", batch_size=32, epochs=30, seed=0)``,
however the epochs are grouped into frames. :func:`digits_view_state` turns a run into everything
the view draws and states.

A run is animated like the playground's (:mod:`.playground`): "run" starts an ``asyncio`` task on the
kernel's event loop that trains ``epochs/frame`` epochs, redraws and then awaits the next frame, so
the kernel handles pause and the sliders between frames. Without a running loop (a script, a test)
``run()`` trains synchronously and draws once.
"""
from __future__ import annotations

import asyncio
import time
from typing import Any

import numpy as np

import ipywidgets as W

from backprop_course.engine import checks
from backprop_course.engine.mlp import MLP
from backprop_course.engine.optim import SGD
from backprop_course.engine.training import update_batches, train_step
from backprop_course.widgets import plotting as P
from backprop_course.widgets import sliders as S
from backprop_course.widgets.base import View

__all__ = ["HIDDEN_WIDTHS", "DigitsRun", "confusion_matrix", "digits_view_state", "DigitsView",
           "digits_explorer"]

#: Hidden layer widths offered (lesson 12 uses 32; its "Try this" box suggests 8 and 64).
HIDDEN_WIDTHS = (8, 16, 32, 64)
#: How many misclassified test images the view shows.
SHOWN_MISTAKES = 8


def confusion_matrix(labels: np.ndarray, predicted: np.ndarray, classes: int = 10) -> np.ndarray:
    """Counts ``C[i, j]`` of images of digit ``i`` answered as ``j`` (rows: truth, columns: answer).

    >>> confusion_matrix(np.array([0, 1, 1]), np.array([0, 1, 0]), classes=2).tolist()
    [[1, 0], [1, 1]]
    """
    C = np.zeros((classes, classes), dtype=int)
    np.add.at(C, (np.asarray(labels, int), np.asarray(predicted, int)), 1)
    return C


class DigitsRun:
    """Lesson 12's network on lesson 12's split, trained epoch by epoch; no widgets.

    Parameters
    ----------
    hidden : int
        Width of the one hidden layer (lesson 12: 32).
    lr, momentum : float
        Of the ``SGD`` optimizer (lesson 12: 0.005 and 0.9). May be changed between epochs with
        :meth:`set_rate`; the velocity is kept.
    batch_size : int
        Samples per mini-batch (lesson 12: 32).
    seed : int
        Seeds the initial weights (``MLP(..., seed=seed)``) and the shuffling, as ``bc.train(seed=...)``.
    data : (X_train, X_test, T_train, T_test), optional
        Default: ``bc.datasets.digits()`` split by ``train_test_split(test_fraction=0.25, seed=0)``,
        as in lesson 12.

    Attributes
    ----------
    epoch : int
        Epochs trained so far.
    loss, test_loss : list of float
        E (summed over the samples, as ``History.loss``) on the training / test set after each epoch.
    initial_loss, initial_test_loss : float
        The same before training.
    train_acc, test_acc : list of float
        Accuracies after each epoch (``initial_train_acc``, ``initial_test_acc`` before training).
    updates : int
        Weight updates so far.
    diverged : str
        "" or the reason training stopped (NaN or infinite weights or loss).
    """

    def __init__(self, hidden: int = 32, lr: float = 0.005, momentum: float = 0.9, batch_size: int = 32,
                 seed: int = 0, data: Any = None) -> None:
        owner = "DigitsRun"
        self.hidden = checks.integer(hidden, "hidden", owner, 1, 256)
        self.seed = checks.integer(seed, "seed", owner, 0)
        if data is None:
            from backprop_course import datasets

            X, T = datasets.digits()
            data = datasets.train_test_split(X, T, test_fraction=0.25, seed=0)
        if len(data) != 4:
            raise checks.error(owner, "data", "(X_train, X_test, T_train, T_test)",
                               f"{len(data)} arrays", must="be four arrays")
        self.X_train, self.X_test, self.T_train, self.T_test = (np.asarray(a, float) for a in data)
        self.y_train, self.y_test = self.T_train.argmax(axis=1), self.T_test.argmax(axis=1)
        n = len(self.X_train)
        self.batch_size = checks.integer(batch_size, "batch_size", owner, 1, n,
                                         f"an int in [1, n_train] = [1, {n}]")
        self.opt = SGD(lr=lr, momentum=momentum)
        self.reset()

    def set_rate(self, lr: float | None = None, momentum: float | None = None) -> None:
        """Change the optimizer's settings; they apply from the next epoch, the velocity is kept."""
        new = SGD(lr=self.opt.lr if lr is None else lr,
                  momentum=self.opt.momentum if momentum is None else momentum)  # checks both
        self.opt.lr, self.opt.momentum = new.lr, new.momentum

    def reset(self) -> None:
        """Back to the seeded initial weights, a fresh velocity and an empty history."""
        self.net = MLP([self.X_train.shape[1], self.hidden, self.T_train.shape[1]],
                       activation=["tanh", "sigmoid"], init="xavier", seed=self.seed)
        self.opt.reset()
        self._rng = np.random.default_rng(self.seed)  # the generator bc.train(seed=seed) shuffles with
        self.epoch = 0
        self.updates = 0
        self.diverged = ""
        self.loss: list[float] = []
        self.test_loss: list[float] = []
        self.train_acc: list[float] = []
        self.test_acc: list[float] = []
        self.initial_loss, self.initial_test_loss, self.initial_train_acc, self.initial_test_acc = \
            self._measure()

    def _measure(self) -> tuple[float, float, float, float]:
        with np.errstate(all="ignore"):   # the network's own loss, as bc.train records it
            loss = float(self.net.loss(self.X_train, self.T_train))
            train_acc = float(np.mean(self.net.layer_outputs[-1].argmax(axis=1) == self.y_train))
            test_loss = float(self.net.loss(self.X_test, self.T_test))
            test_acc = float(np.mean(self.net.layer_outputs[-1].argmax(axis=1) == self.y_test))
        return loss, test_loss, train_acc, test_acc

    def step(self, epochs: int = 1) -> int:
        """Train up to ``epochs`` epochs (fewer if training diverges); return how many ran."""
        epochs = checks.integer(epochs, "epochs", "DigitsRun.step", 1)
        done = 0
        for _ in range(epochs):
            if self.diverged:
                break
            batches = update_batches("minibatch", len(self.X_train), self.batch_size, self._rng)
            with np.errstate(all="ignore"):
                for idx in batches:
                    train_step(self.net, self.X_train[idx], self.T_train[idx], self.opt)
                ok = all(np.all(np.isfinite(p)) for p in self.net.parameters())
            loss, test_loss, train_acc, test_acc = self._measure()
            if not (ok and np.isfinite(loss)):
                self.diverged = (f"Training diverged in epoch {self.epoch + 1}: the weights are no longer "
                                 f"finite. Lower the learning rate (now {self.opt.lr:.3g}) and press reset.")
                break
            self.epoch += 1
            self.updates += len(batches)
            self.loss.append(loss)
            self.test_loss.append(test_loss)
            self.train_acc.append(train_acc)
            self.test_acc.append(test_acc)
            done += 1
        return done

    def predicted(self) -> np.ndarray:
        """The network's answer (index of the largest output) for every test image."""
        with np.errstate(all="ignore"):
            return self.net.forward(self.X_test).argmax(axis=1)


def _log_limits(values: np.ndarray) -> tuple[float, float]:
    """Whole decades around the positive finite values (so the axes change rarely)."""
    v = np.asarray(values, float)
    v = v[np.isfinite(v) & (v > 0)]
    if v.size == 0:
        return 0.01, 10.0
    return 10.0 ** np.floor(np.log10(v.min())), 10.0 ** np.ceil(np.log10(v.max()) + 1e-12)


def digits_view_state(run: DigitsRun, epochs_shown: int = 30, mistakes: int = SHOWN_MISTAKES) -> dict:
    """Everything :class:`DigitsView` draws and states, as data.

    Parameters
    ----------
    run : DigitsRun
    epochs_shown : int
        The epoch axis reaches at least this far (it grows in steps of this size past it).
    mistakes : int
        How many misclassified test images to show (the first ones in test-set order).

    Returns
    -------
    dict
        ``epoch``, ``updates``, ``epochs`` (0, 1, ..., epoch), ``train_loss`` and ``test_loss`` (E per
        sample at those epochs, epoch 0 before training), ``train_acc`` and ``test_acc`` (same
        epochs), ``predicted`` (the answer for every test image), ``confusion`` (10 x 10, rows the
        true digit), ``wrong`` (indices of all misclassified test images), ``shown`` (the first
        ``mistakes`` of them) with ``shown_true`` and ``shown_said``, ``epoch_xlim``, ``loss_ylim``,
        ``acc_ylim``, ``readout`` (HTML) and ``diverged``.
    """
    epochs_shown = checks.integer(epochs_shown, "epochs_shown", "digits_view_state", 1)
    n_train, n_test = len(run.X_train), len(run.X_test)
    train_loss = np.array([run.initial_loss, *run.loss]) / n_train
    test_loss = np.array([run.initial_test_loss, *run.test_loss]) / n_test
    train_acc = np.array([run.initial_train_acc, *run.train_acc])
    test_acc = np.array([run.initial_test_acc, *run.test_acc])
    predicted = run.predicted()
    wrong = np.flatnonzero(predicted != run.y_test)
    shown = wrong[:mistakes]
    x_max = epochs_shown * max(1, -(-run.epoch // epochs_shown))
    readout = (f"network 64-{run.hidden}-10 &nbsp;|&nbsp; <b>epoch {run.epoch}</b> ({run.updates} updates, "
               f"lr {run.opt.lr:.3g}, momentum {run.opt.momentum:.2f}) &nbsp;|&nbsp; E per sample: "
               f"training {train_loss[-1]:.4f}, test {test_loss[-1]:.4f} &nbsp;|&nbsp; "
               f"<b>accuracy: training {100 * train_acc[-1]:.1f}%, test {100 * test_acc[-1]:.1f}%</b>"
               f" ({len(wrong)} of {n_test} test images wrong)")
    return dict(epoch=run.epoch, updates=run.updates, epochs=np.arange(run.epoch + 1),
                train_loss=train_loss, test_loss=test_loss, train_acc=train_acc, test_acc=test_acc,
                predicted=predicted, confusion=confusion_matrix(run.y_test, predicted), wrong=wrong,
                shown=shown, shown_true=run.y_test[shown], shown_said=predicted[shown],
                epoch_xlim=(0.0, float(x_max)),
                loss_ylim=_log_limits(np.concatenate([train_loss, test_loss])), acc_ylim=(0.0, 1.02),
                readout=readout, diverged=run.diverged)


class DigitsView(View):
    """Train lesson 12's digits network and watch the loss, the accuracy and the mistakes.

    Parameters
    ----------
    hidden, lr, momentum, batch_size, seed, data
        As :class:`DigitsRun` (defaults: lesson 12's run).
    epochs_per_run : int
        Epochs a press of "run" trains (lesson 12: 30).
    epochs_per_frame : int
        Epochs trained between two frames of an animated run.

    Controls (attributes): ``hidden`` (Dropdown: a new network, trained from the start), ``lr`` and
    ``momentum`` (sliders, applied from the next epoch), ``epochs_per_run``, and the buttons
    ``run_button``, ``pause_button``, ``step_button`` (one epoch), ``reset_button``. ``run`` holds
    the :class:`DigitsRun`; ``state`` what :func:`digits_view_state` returns, plus ``running``.
    """

    figsize = (10.4, 4.6)
    fps = 20.0
    min_idle = 0.005

    def __init__(self, hidden: int = 32, lr: float = 0.005, momentum: float = 0.9, batch_size: int = 32,
                 seed: int = 0, data: Any = None, epochs_per_run: int = 30, epochs_per_frame: int = 1) -> None:
        owner = "DigitsView"
        if hidden not in HIDDEN_WIDTHS:
            raise checks.error(owner, "hidden", f"one of {HIDDEN_WIDTHS}", repr(hidden))
        lr = checks.real(lr, "lr", owner, "a float in [1e-4, 1]", lambda v: 1e-4 <= v <= 1)
        momentum = checks.real(momentum, "momentum", owner, "a float in [0, 0.99]", lambda v: 0 <= v <= 0.99)
        epochs_per_run = checks.integer(epochs_per_run, "epochs_per_run", owner, 1, 1000)
        self.epochs_per_frame = checks.integer(epochs_per_frame, "epochs_per_frame", owner, 1, 50)
        self.run = DigitsRun(hidden=hidden, lr=lr, momentum=momentum, batch_size=batch_size, seed=seed,
                             data=data)
        self._target = 0       # the epoch a run trains up to
        self._task = None
        wide = W.Layout(width="260px")
        self.hidden = W.Dropdown(options=HIDDEN_WIDTHS, value=hidden, description="hidden units",
                                 layout=wide, style={"description_width": "90px"})
        self.lr = S.FloatLogSlider(value=lr, base=10, min=-4, max=0, description="lr",
                                   readout_format=".2g", layout=wide)
        self.momentum = S.FloatSlider(value=momentum, min=0.0, max=0.99, description="momentum",
                                      layout=wide)
        self.epochs_per_run = W.BoundedIntText(value=epochs_per_run, min=1, max=1000,
                                               description="epochs/run", layout=W.Layout(width="200px"))
        self.run_button = W.Button(description="run", icon="play", button_style="success")
        self.pause_button = W.Button(description="pause", icon="pause")
        self.step_button = W.Button(description="step (1 epoch)", icon="step-forward")
        self.reset_button = W.Button(description="reset", icon="undo", tooltip="back to the same initial weights")
        self.readout = W.HTML(value="")
        controls = [W.VBox([self.hidden, self.epochs_per_run]), W.VBox([self.lr, self.momentum]),
                    W.VBox([W.HBox([self.run_button, self.pause_button]),
                            W.HBox([self.step_button, self.reset_button])])]
        super().__init__(controls=controls, extra=[self.readout])
        self.children = (self.children[0], self.readout, *self.children[1:-1])
        self._build_axes()
        self.hidden.observe(self._on_hidden, names="value")
        self.lr.observe(self._on_rate, names="value")
        self.momentum.observe(self._on_rate, names="value")
        # the epoch axis spans a whole number of runs: a new epochs/run redraws it at once
        self.observe_controls(self.epochs_per_run)
        self.run_button.on_click(self._on_run)
        self.pause_button.on_click(lambda _: self.pause())
        self.step_button.on_click(lambda _: self.step())
        self.reset_button.on_click(lambda _: self.reset())
        self.refresh()

    # -- building ---------------------------------------------------------------------------------
    def _build_axes(self) -> None:
        """Two curve panels on top, a strip of misclassified digits below; laid out once, by hand."""
        fig = self.fig
        fig.set_layout_engine("none")
        self._ax_loss = fig.add_axes((0.07, 0.47, 0.40, 0.46))
        self._ax_acc = fig.add_axes((0.575, 0.47, 0.40, 0.46))
        self._ax_img = [fig.add_axes((0.03 + i * 0.12, 0.02, 0.09, 0.2)) for i in range(SHOWN_MISTAKES)]
        blue, red = P.OKABE_ITO["blue"], P.OKABE_ITO["vermillion"]
        self._lines = {}
        for ax, what in ((self._ax_loss, "loss"), (self._ax_acc, "acc")):
            self._lines[f"train_{what}"], = ax.plot([], [], "-o", ms=3, color=blue, label="training set")
            self._lines[f"test_{what}"], = ax.plot([], [], "-s", ms=3, color=red, label="test set")
            ax.set_xlabel("epoch")
            ax.grid(alpha=0.3, which="both")
            ax.legend(fontsize=8, loc="upper right" if what == "loss" else "lower right")
        self._ax_loss.set_yscale("log")
        self._ax_loss.set_ylabel("E per sample (log scale)")
        self._ax_loss.set_title("error", fontsize=10, y=1.01)
        self._ax_acc.set_ylabel("fraction classified correctly")
        self._ax_acc.set_title("accuracy", fontsize=10, y=1.01)
        self._images, self._captions = [], []
        for ax in self._ax_img:
            self._images.append(ax.imshow(np.zeros((8, 8)), cmap="gray_r", vmin=0, vmax=1,
                                          interpolation="nearest"))
            self._captions.append(ax.text(0.5, 1.04, "", transform=ax.transAxes, ha="center", va="bottom",
                                          fontsize=8))
            ax.set_axis_off()
        self._strip_title = fig.text(0.5, 0.3, "", ha="center", va="bottom", fontsize=10)
        for artist in (*self._lines.values(), *self._images, *self._captions, self._strip_title):
            artist.set_animated(True)
        # the digit strip changes only when the mistakes do: FastPNG's cached middle layer
        for artist in (*self._images, *self._captions, self._strip_title):
            artist.set_gid(P.FastPNG.MIDDLE)
        self._fast = P.FastPNG(fig)
        self._key = None
        self._strip = None

    # -- callbacks --------------------------------------------------------------------------------
    def _on_hidden(self, change: dict) -> None:
        self.pause()
        self.run.hidden = int(change["new"])
        self.run.reset()
        self.clear_message()
        self.refresh(change)

    def _on_rate(self, change: dict) -> None:
        self.run.set_rate(lr=self.lr.value, momentum=self.momentum.value)
        self.refresh(change)

    def _on_run(self, _: Any = None) -> None:
        if self.state.get("running"):
            return
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            self.train()
            return
        self._task = asyncio.get_running_loop().create_task(self.train_async())

    # -- training ---------------------------------------------------------------------------------
    def _start(self, epochs: int | None) -> bool:
        if self.run.diverged:
            self.show_message(self.run.diverged, "error")
            return False
        self.clear_message()
        self._target = self.run.epoch + (self.epochs_per_run.value if epochs is None else
                                         checks.integer(epochs, "epochs", "DigitsView.train", 1))
        return True

    def _after(self) -> None:
        if self.run.diverged:
            self.show_message(self.run.diverged, "error")

    def step(self) -> None:
        """Train one epoch and redraw."""
        self.pause()
        if self._start(1):
            self.run.step(1)
            self._after()
        self._target = self.run.epoch
        self.refresh()

    def train(self, epochs: int | None = None) -> None:
        """Train ``epochs`` epochs (default: "epochs/run") synchronously, then draw once."""
        if self._start(epochs):
            self.run.step(self._target - self.run.epoch)
            self._after()
        self._target = self.run.epoch
        self.refresh()

    async def train_async(self, epochs: int | None = None) -> None:
        """Like :meth:`train`, one frame of ``epochs_per_frame`` epochs at a time, awaiting in between
        so the kernel handles pause and the sliders (the run button)."""
        if not self._start(epochs):
            return
        self.state["running"] = True
        self.run_button.disabled = True
        try:
            while self.state["running"] and self.run.epoch < self._target and not self.run.diverged:
                start = time.perf_counter()
                self.run.step(min(self.epochs_per_frame, self._target - self.run.epoch))
                self._after()
                self.refresh()
                await asyncio.sleep(max(start + 1.0 / self.fps - time.perf_counter(), self.min_idle))
        finally:
            self.state["running"] = False
            self.run_button.disabled = False
            self._task = None
            self.refresh()

    def pause(self) -> None:
        """Stop an animated run after its current frame."""
        self.state["running"] = False

    def reset(self) -> None:
        """Back to the initial weights (the same numbers) and an empty history."""
        self.pause()
        self.run.reset()
        self.clear_message()
        self.refresh()

    # -- recompute + draw -------------------------------------------------------------------------
    def update(self) -> None:
        s = digits_view_state(self.run, epochs_shown=max(self.epochs_per_run.value, 1))
        self.state.update(s)
        self.state.setdefault("running", False)
        self.readout.value = s["readout"]
        for name in ("train_loss", "test_loss", "train_acc", "test_acc"):
            self._lines[name].set_data(s["epochs"], s[name])
        strip = (tuple(s["shown"]), tuple(s["shown_said"]), len(s["wrong"]))
        if strip != self._strip:
            self._draw_strip(s)
            self._strip = strip
            self._fast.invalidate_middle()
        key = (s["epoch_xlim"], s["loss_ylim"])
        if key != self._key:
            self._ax_loss.set_xlim(*s["epoch_xlim"])
            self._ax_acc.set_xlim(*s["epoch_xlim"])
            self._ax_loss.set_ylim(*s["loss_ylim"])
            self._ax_acc.set_ylim(*s["acc_ylim"])
            self._key = key

    def _draw_strip(self, s: dict) -> None:
        """The misclassified test images with their captions."""
        for i, (img, cap) in enumerate(zip(self._images, self._captions)):
            if i < len(s["shown"]):
                img.set_data(self.run.X_test[s["shown"][i]].reshape(8, 8))
                cap.set_text(f"true {s['shown_true'][i]}, said {s['shown_said'][i]}")
                img.set_visible(True)
            else:
                img.set_visible(False)
                cap.set_text("")
        n = len(s["wrong"])
        self._strip_title.set_text(
            f"the first {len(s['shown'])} of the {n} misclassified test images" if n else
            "no test image is misclassified")

    def render(self) -> None:
        """Send the figure to the front end, redrawing only the curves, digits and captions."""
        self.image.value = self._fast.png(key=self._key)


def digits_explorer(**kwargs: Any) -> DigitsView:
    """Return a :class:`DigitsView`; keyword arguments as its constructor."""
    return DigitsView(**kwargs)
