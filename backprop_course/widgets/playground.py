"""View 5: a training playground (learning rate, momentum, optimizers, update modes: Backpropagation for dummies).

The learner picks a 2-D data set, the hidden layer sizes, activation, initialiser, optimizer, learning
rate, momentum and update mode (online / batch / mini-batch), then runs, pauses, steps or resets the
training and watches the loss curve and the decision boundary move.

How "run" behaves
-----------------
Training happens one epoch per call of the engine's ``train`` (seeded by the epoch number), so the
result does not depend on how epochs are grouped: ``run(100)``, 100 presses of "step" and a run that
is paused and resumed all give the same weights. The figure is redrawn after each *chunk* of epochs
(about :attr:`TrainingPlayground.chunk_seconds` of training).

In a notebook the "run" button starts an ``asyncio`` task on the kernel's event loop that yields
between chunks, so the kernel stays responsive and "pause" takes effect after the current chunk.
Without a running event loop (a script, a test), ``run(epochs)`` trains synchronously. A run never
goes on forever: it stops after the "epochs per run" setting.

Reset restores the initial weights of the current network (same seed, same numbers) and forgets the
optimizer's memory; changing the data set or the architecture draws a new network from the same seed.
A diverging run (loss or weights NaN/inf) stops with a message; the plots keep the last finite state.
With a sigmoid output the loss E is bounded and saturation stalls training instead; a linear output
(targets 0/1 fitted like a regression) with a large learning rate in batch mode shows divergence.
"""
from __future__ import annotations

import asyncio
import time
from typing import Any

import numpy as np

import ipywidgets as W

from backprop_course.engine import checks
from backprop_course.widgets.base import View, guarded
from backprop_course.widgets.netplot import BlitRenderer, BoundaryPlot, LossCurvePlot, decision_grid

__all__ = ["DATASETS", "OPTIMIZERS", "parse_hidden_sizes", "accuracy", "make_optimizer",
           "TrainingPlayground", "playground"]

#: Data sets offered (two classes, two inputs; T holds 0/1 in one column).
DATASETS = ("moons", "circles", "spirals", "xor")
#: Optimizer names shown to the learner.
OPTIMIZERS = ("gradient descent (momentum)", "Nesterov momentum", "RPROP")
INITS = ("xavier", "xavier_normal", "he", "standard_normal", "small_uniform")
ACTIVATIONS = ("tanh", "sigmoid", "relu", "leaky_relu", "linear")
MAX_HIDDEN_LAYERS = 6
MAX_WIDTH = 64


def parse_hidden_sizes(text: str) -> list[int]:
    """Read hidden layer widths from text such as ``"8, 8"`` (empty text: no hidden layer).

    Raises
    ------
    ValueError
        With a message meant for the learner when the text is not a comma-separated list of at most
        ``MAX_HIDDEN_LAYERS`` integers in 1..``MAX_WIDTH``.

    >>> parse_hidden_sizes(" 8,4 ")
    [8, 4]
    >>> parse_hidden_sizes("")
    []
    """
    parts = [p.strip() for p in str(text).replace(";", ",").split(",")]
    if parts == [""]:
        return []
    rule = (f"a comma-separated list of at most {MAX_HIDDEN_LAYERS} whole numbers from 1 to "
            f"{MAX_WIDTH}, like 8,8")
    try:
        sizes = [int(p) for p in parts]
    except ValueError:
        raise ValueError(f"The 'hidden layers' setting must be {rule}. Got {text!r} instead.") from None
    if len(sizes) > MAX_HIDDEN_LAYERS or not all(1 <= s <= MAX_WIDTH for s in sizes):
        raise ValueError(f"The 'hidden layers' setting must be {rule}. Got {text!r} instead.")
    return sizes


def accuracy(Y: np.ndarray, T: np.ndarray, threshold: float = 0.5) -> float:
    """Fraction of samples whose output is on the same side of ``threshold`` as the target.

    Parameters
    ----------
    Y, T : ndarray, shape (n, 1)

    >>> accuracy(np.array([[0.9], [0.2], [0.6]]), np.array([[1.0], [0.0], [0.0]]))
    0.6666666666666666
    """
    Y, T = np.asarray(Y, float).reshape(len(T), -1), np.asarray(T, float).reshape(len(T), -1)
    return float(np.mean((Y > threshold) == (T > threshold)))


def make_optimizer(name: str, lr: float, momentum: float):
    """The engine optimizer for a playground choice.

    ``"Nesterov momentum"`` needs ``momentum > 0`` (the engine refuses 0); RPROP ignores ``lr`` and
    ``momentum`` (it adapts a step size per weight).
    """
    from backprop_course.engine.optim import RPROP, SGD

    if name == "RPROP":
        return RPROP()
    if name == "Nesterov momentum":
        return SGD(lr=lr, momentum=momentum, nesterov=True)
    if name == "gradient descent (momentum)":
        return SGD(lr=lr, momentum=momentum)
    raise checks.error("make_optimizer", "optimizer", f"one of {list(OPTIMIZERS)}", repr(name))


def load_dataset(name: str):
    """``(X, T)`` of a playground data set (fixed seeds, 200 points except xor)."""
    from backprop_course import datasets

    if name not in DATASETS:
        raise ValueError(f"The 'dataset' parameter must be one of {list(DATASETS)}. Got {name!r} instead.")
    X, T = getattr(datasets, name)()
    return np.asarray(X, float), np.asarray(T, float)


class TrainingPlayground(View):
    """Train a small network on 2-D data and watch the loss curve and the decision boundary.

    Attributes
    ----------
    state : dict
        ``epoch``, ``loss_history`` (E over the whole data set after each epoch), ``loss``,
        ``accuracy``, ``diverged``, ``running``, ``sizes`` (the full layer list) and ``grid``
        (``xx, yy, zz`` of the decision boundary).
    net : MLP
        The network being trained.
    """

    figsize = (8.8, 3.5)
    chunk_seconds = 0.15
    grid_resolution = 60
    #: A loss above this counts as diverged (the engine only stops at inf/NaN, hundreds of decades on).
    explode_at = 1e12

    def __init__(self, dataset: str = "moons", hidden: str = "8,8", activation: str = "tanh",
                 init: str = "xavier", output: str = "sigmoid", optimizer: str = OPTIMIZERS[0], lr: float = 0.01,
                 momentum: float = 0.9, mode: str = "minibatch", batch_size: int = 20,
                 epochs_per_run: int = 200, seed: int = 0) -> None:
        self.seed = seed
        self._quiet = False
        self._task = None
        self._pause_requested = False
        wide = W.Layout(width="230px")
        self.dataset = W.Dropdown(options=DATASETS, value=dataset, description="data", layout=wide)
        self.hidden = W.Text(value=hidden, description="hidden", continuous_update=False,
                             placeholder="e.g. 8,8", layout=wide,
                             tooltip="hidden layer widths, comma-separated")
        self.activation = W.Dropdown(options=ACTIVATIONS, value=activation, description="activation",
                                     layout=wide)
        self.init = W.Dropdown(options=INITS, value=init, description="init", layout=wide)
        self.output = W.Dropdown(options=("sigmoid", "linear"), value=output, description="output",
                                 layout=wide, tooltip="activation of the output neuron")
        self.optimizer = W.Dropdown(options=OPTIMIZERS, value=optimizer, description="optimizer",
                                    layout=W.Layout(width="330px"))
        self.lr = W.FloatLogSlider(value=lr, base=10, min=-4, max=1, step=0.1, description="lr",
                                   continuous_update=True, readout_format=".2g")
        self.momentum = W.FloatSlider(value=momentum, min=0.0, max=0.99, step=0.01,
                                      description="momentum", continuous_update=True)
        self.mode = W.Dropdown(options=("online", "batch", "minibatch"), value=mode,
                               description="mode", layout=wide)
        self.batch_size = W.IntSlider(value=batch_size, min=1, max=200, description="batch size",
                                      continuous_update=True)
        self.epochs_per_run = W.BoundedIntText(value=epochs_per_run, min=1, max=100_000,
                                               description="epochs/run", layout=wide)
        self.run_button = W.Button(description="run", icon="play", button_style="success")
        self.pause_button = W.Button(description="pause", icon="pause")
        self.step_button = W.Button(description="step (1 epoch)", icon="step-forward")
        self.reset_button = W.Button(description="reset", icon="undo",
                                     tooltip="back to the same initial weights")
        self.readout = W.HTML(value="")
        controls = [self.dataset, self.hidden, self.activation, self.output, self.init, self.optimizer, self.lr,
                    self.momentum, self.mode, self.batch_size, self.epochs_per_run, self.run_button,
                    self.pause_button, self.step_button, self.reset_button]
        super().__init__(controls=controls, extra=[self.readout])
        self.children = (self.children[0], self.readout, *self.children[1:-1])
        # Native pixel size: in a flex column the Image would otherwise be stretched (and blurred).
        self.image.layout.width = f"{int(self.figsize[0] * self.dpi)}px"
        for c in (self.dataset, self.hidden, self.activation, self.output, self.init):
            c.observe(self._on_structure, names="value")
        for c in (self.optimizer, self.lr, self.momentum):
            c.observe(self._on_optimizer, names="value")
        for c in (self.mode, self.batch_size):
            c.observe(self._on_mode, names="value")
        for widget, name in ((self, "bc-playground"), (self.run_button, "bc-pg-run"),
                             (self.pause_button, "bc-pg-pause"), (self.step_button, "bc-pg-step"),
                             (self.reset_button, "bc-pg-reset"), (self.readout, "bc-pg-readout"),
                             (self.image, "bc-pg-image"), (self.lr, "bc-pg-lr")):
            widget.add_class(name)  # stable handles for styling and for the browser test
        self.run_button.on_click(self._on_run)
        self.pause_button.on_click(self._on_pause)
        self.step_button.on_click(lambda _: self.step())
        self.reset_button.on_click(lambda _: self.reset())
        self.state.update(running=False, sizes=None)
        self._rebuild()
        self._advise()

    # -- building ---------------------------------------------------------------------------------
    def _rebuild(self) -> None:
        """New data and/or network (same seed); keeps the old network if the settings are invalid."""
        from backprop_course.engine.mlp import MLP

        hidden = parse_hidden_sizes(self.hidden.value)
        X, T = load_dataset(self.dataset.value)
        sizes = [2, *hidden, 1]
        net = MLP(sizes, activation=[self.activation.value] * len(hidden) + [self.output.value],
                  init=self.init.value, seed=self.seed)
        self.X, self.T, self.net = X, T, net
        self.state["sizes"] = sizes
        self._initial = net.get_state()
        n = len(X)
        self._quiet = True
        try:
            self.batch_size.max = n
            self.batch_size.value = min(self.batch_size.value, n)
        finally:
            self._quiet = False
        self._build_axes()
        self.reset()

    def _build_axes(self) -> None:
        fig = self.fig
        fig.clear()
        fig.set_layout_engine("none")
        self._blit = BlitRenderer(fig, self._canvas)
        self._curve = LossCurvePlot(fig.add_axes((0.07, 0.14, 0.4, 0.74)))
        xx, yy, _ = decision_grid(lambda P: np.zeros(len(P)), self.X, self.grid_resolution)
        self._grid_xy = (xx, yy)
        self._boundary = BoundaryPlot(fig.add_axes((0.56, 0.1, 0.42, 0.8)), xx, yy, self.X, self.T)

    def _make_optimizer(self):
        name = self.optimizer.value
        if name == "Nesterov momentum" and self.momentum.value == 0:
            self._quiet = True
            try:
                self.momentum.value = 0.9
            finally:
                self._quiet = False
            self.show_message("Nesterov momentum needs momentum > 0: momentum set to 0.9.", "warning")
        return make_optimizer(name, self.lr.value, self.momentum.value)

    # -- callbacks --------------------------------------------------------------------------------
    @guarded
    def _on_structure(self, change: dict) -> None:
        if self._quiet:
            return
        self.pause()
        try:
            parse_hidden_sizes(self.hidden.value)
        except ValueError as exc:  # keep the previous network, say why
            self.state["sizes_error"] = str(exc)
            self.show_message(f"{exc} The previous network ({self._describe()}) is kept.", "error")
            return
        self.state.pop("sizes_error", None)
        self._rebuild()

    @guarded
    def _on_optimizer(self, change: dict) -> None:
        if self._quiet:
            return
        self.clear_message()
        self.opt = self._make_optimizer()  # a new optimizer: its memory starts afresh
        self._advise()

    @guarded
    def _on_mode(self, change: dict) -> None:
        if self._quiet:
            return
        self.clear_message()
        self._advise()

    def _advise(self) -> None:
        """Grey out settings that do not apply; warn about a poor combination."""
        rprop = self.optimizer.value == "RPROP"
        self.lr.disabled = self.momentum.disabled = rprop  # RPROP adapts its own step sizes
        self.batch_size.disabled = self.mode.value != "minibatch"
        if rprop and self.mode.value != "batch":
            self.show_message("RPROP uses only the sign of the gradient; with noisy online or "
                              "mini-batch gradients it misbehaves. Mode 'batch' is the one it is "
                              "made for.", "warning")

    def _on_run(self, _: Any = None) -> None:
        if self.state.get("running"):
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is None:
            self.run()
        else:
            self._task = loop.create_task(self.run_async())

    def _on_pause(self, _: Any = None) -> None:
        self.pause()

    # -- training ---------------------------------------------------------------------------------
    def _describe(self) -> str:
        return "-".join(str(s) for s in self.net.sizes)

    def _train_epochs(self, max_epochs: int, seconds: float | None) -> int:
        """Train up to ``max_epochs`` epochs, one ``train`` call each; stop early on divergence,
        on a pause request or when ``seconds`` have passed. Returns the epochs done."""
        from backprop_course.engine.training import TrainingDiverged, train

        if self._refuse_if_diverged():
            return 0
        mode = self.mode.value
        batch = self.batch_size.value if mode == "minibatch" else None
        start = time.perf_counter()
        done = 0
        while done < max_epochs and not self._pause_requested:
            before = self.net.get_state()
            epoch = len(self.state["loss_history"])
            try:
                hist = train(self.net, self.X, self.T, self.opt, mode=mode, batch_size=batch, epochs=1,
                             seed=self.seed * 100_003 + epoch)
            except TrainingDiverged as exc:  # the engine found inf/NaN in the loss or the weights
                self.net.set_state(before)  # keep the last finite network on screen
                self._diverged(epoch + 1, f"the loss E became {exc.loss} (or a weight did)")
                break
            self.state["loss_history"].append(hist.loss[-1])
            done += 1
            if hist.loss[-1] > self.explode_at:  # finite, but heading for inf: stop here
                self._diverged(epoch + 1, f"the loss E grew to {hist.loss[-1]:.3g} (more than "
                                          f"{self.explode_at:.0e})")
                break
            if seconds is not None and time.perf_counter() - start > seconds:
                break
        return done

    def _diverged(self, epoch: int, what: str) -> None:
        self.state["diverged"] = True
        advice = ("lower the learning rate (now {:.3g})".format(self.lr.value)
                  if self.optimizer.value != "RPROP" else "use gradient descent with a small rate")
        self.show_message(f"Training diverged in epoch {epoch}: {what}; every update overshoots more "
                          f"than the last. The plots show the last finite network. To recover, "
                          f"{advice} and press reset.", "error")

    def _refuse_if_diverged(self) -> bool:
        if self.state.get("diverged"):
            self.show_message("Training diverged earlier: lower the learning rate, then press reset "
                              "(the same initial weights come back).", "error")
            return True
        return False

    def step(self) -> None:
        """Train one epoch and redraw."""
        if self.state.get("running") or self._refuse_if_diverged():
            return
        self._pause_requested = False
        self.clear_message()
        self._train_epochs(1, None)
        self.refresh()

    def _chunks(self, epochs: int | None):
        """Train in chunks of about ``chunk_seconds``, redrawing after each; yields between chunks.

        The one training loop behind :meth:`run` and :meth:`run_async`: it stops when the epochs
        are done, on :meth:`pause`, on divergence, or when a chunk could not train at all.
        """
        total = self.epochs_per_run.value if epochs is None else int(epochs)
        if self._refuse_if_diverged():
            return
        self._pause_requested = False
        self.state["running"] = True
        self.clear_message()
        left = total
        while left > 0 and not self._pause_requested and not self.state.get("diverged"):
            done = self._train_epochs(left, self.chunk_seconds)
            left -= done
            self.refresh()
            if done == 0:
                break
            yield

    def run(self, epochs: int | None = None) -> None:
        """Train ``epochs`` epochs (default: the "epochs/run" setting) synchronously, redrawing
        after every chunk; stops early on divergence or :meth:`pause`."""
        try:
            for _ in self._chunks(epochs):
                pass
        finally:
            self.state["running"] = False
            self.refresh()  # the readout says "ready" again

    async def run_async(self, epochs: int | None = None) -> None:
        """Like :meth:`run`, but yields to the event loop between chunks (the notebook's run button)."""
        self.run_button.disabled = True
        try:
            for _ in self._chunks(epochs):
                await asyncio.sleep(0.02)  # let the kernel handle clicks (pause) and send the image
        finally:
            self.state["running"] = False
            self.run_button.disabled = False
            self._task = None
            self.refresh()  # the readout says "ready" again

    def pause(self) -> None:
        """Ask a running training to stop after its current chunk."""
        self._pause_requested = True
        if self.state.get("running"):
            self.show_message(f"Paused after epoch {len(self.state['loss_history'])}.")

    def reset(self) -> None:
        """Back to the initial weights (same numbers), a fresh optimizer and an empty history."""
        if self._task is not None:  # a run in progress stops now (its finally block tidies up)
            self._task.cancel()
        self.clear_message()
        self.net.set_state(self._initial)
        self.opt = self._make_optimizer()
        self.state.update(loss_history=[], diverged=False)
        self.refresh()  # the curve's axes keep their limits: no full redraw needed

    # -- recompute + draw -------------------------------------------------------------------------
    def update(self) -> None:
        with np.errstate(all="ignore"):
            Y = self.net.forward(self.X)
            loss = float(self.net.loss(self.X, self.T))
            xx, yy = self._grid_xy
            P = np.column_stack([xx.ravel(), yy.ravel()])
            zz = self.net.forward(P)[:, 0].reshape(xx.shape)
        hist = self.state["loss_history"]
        self.state.update(epoch=len(hist), loss=loss, accuracy=accuracy(Y, self.T), grid=(xx, yy, zz))
        status = "<b style='color:#b00'>diverged</b>" if self.state["diverged"] else (
            "running" if self.state["running"] else "ready")
        self.readout.value = (
            f"network {self._describe()} &nbsp;|&nbsp; <b>epoch <span class='bc-epoch'>"
            f"{len(hist)}</span></b> &nbsp;|&nbsp; E = {loss:.4g} &nbsp;|&nbsp; accuracy "
            f"{100 * self.state['accuracy']:.1f}% &nbsp;|&nbsp; {status}")
        if self._curve.update(hist, start=loss):
            self._blit.invalidate()
        self._boundary.update(zz)

    def render(self) -> None:
        """PNG of the figure; the loss line and the boundary image are drawn over a cached background."""
        self.image.value = self._blit.png(self._curve.artists + self._boundary.artists)


def playground(**kwargs: Any) -> TrainingPlayground:
    """Build the training playground (see :class:`TrainingPlayground`)."""
    return TrainingPlayground(**kwargs)
