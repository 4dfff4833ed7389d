"""View 5: a training playground you watch (learning rate, momentum, optimizers, update modes).

The learner picks a 2-D data set, the hidden layer sizes, activation, initialiser, optimizer, learning
rate, momentum and update mode (online / batch / mini-batch, the terms of Backpropagation for
dummies), then runs, pauses, steps, resumes or resets the training and watches three panels move
together: the loss curve, the gradient norm of each weight layer, and the decision boundary.

The view is a thin shell over :class:`~backprop_course.widgets.training_session.TrainingSession`,
which holds the network, the optimizer and the history and is tested without widgets. Every control
hands its value to the session at once: training settings apply from the next epoch, mid-run, with
the weights kept; the readout's second line shows the settings in force, read back from the network
and the optimizer that train.

How the animation runs, and why with asyncio
--------------------------------------------
A loop inside the cell would block the kernel: a click on pause or a moved slider would wait until
the loop ended. In a notebook, "run" therefore starts an ``asyncio`` task on the kernel's own event
loop. Each frame trains ``epochs/frame`` epochs (2 by default), redraws, and then *awaits* until the
next frame is due (:attr:`TrainingPlayground.fps` frames per second): between frames the kernel is
idle and handles clicks and slider moves, which the next frame already uses. We chose this over an
``ipywidgets.Play`` widget because a Play widget's ticks are sent by the browser at a fixed interval
whatever a frame costs: when a frame takes longer than the interval, ticks pile up in the kernel and
a click on pause waits behind them. The task paces itself in Python instead: the next frame is timed
from the end of the last one, a late frame is never followed by a burst of catch-up frames, and the
frame rate is measured where it is set (``frame_times``; ``docs/performance.md`` records it).

Without a running event loop (a script, a test), :meth:`TrainingPlayground.run` trains synchronously
and draws once at the end. A run never goes on forever: it stops after "epochs/run" epochs.
Divergence (NaN/inf, or a loss above 1e12) stops training with a message; the plots keep the last
finite network until reset. With a sigmoid output the loss E is bounded and saturation stalls
training instead; a linear output (targets 0/1 fitted like a regression) with a large learning rate
in batch mode shows divergence.
"""
from __future__ import annotations

import asyncio
import time
from typing import Any

import numpy as np

import ipywidgets as W

from backprop_course.widgets import sliders as S
from backprop_course.widgets.base import View, guarded
from backprop_course.widgets.netplot import BoundaryPlot, LayerBarsPlot, LossCurvePlot, decision_grid
from backprop_course.widgets.plotting import FastPNG
from backprop_course.widgets.training_session import (ACTIVATIONS, DATASETS, INITS, MODES,
                                                      OPTIMIZER_CHOICES, OUTPUTS, STRUCTURE,
                                                      TrainingSession, describe, load_dataset,
                                                      optimizer_options, parse_hidden_sizes)

__all__ = ["DATASETS", "OPTIMIZER_CHOICES", "parse_hidden_sizes", "accuracy", "optimizer_options",
           "load_dataset", "TrainingPlayground", "playground"]


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


class TrainingPlayground(View):
    """Train a small network on 2-D data and watch the loss, the gradient norms and the boundary.

    Attributes
    ----------
    session : TrainingSession
        The network, optimizer, settings and history (everything but the drawing).
    state : dict
        ``epoch``, ``loss_history`` (E over the whole data set after each epoch), ``loss``,
        ``accuracy``, ``diverged``, ``running``, ``status``, ``sizes`` (the full layer list),
        ``grad_norms`` (per layer, the last epoch's; None before the first), ``in_force`` (the
        settings line of the readout) and ``grid`` (``xx, yy, zz`` of the decision boundary).
    frame_times : list of float
        ``time.perf_counter()`` at the start of every frame of the last animated run.
    """

    figsize = (10.8, 3.5)
    #: Frames per second of an animated run (the pace is kept by the run's asyncio task).
    fps = 25.0
    #: Seconds the kernel is left idle after a frame even when the next one is late.
    min_idle = 0.005
    grid_resolution = 60

    def __init__(self, dataset: str = "moons", hidden: str = "8,8", activation: str = "tanh",
                 init: str = "xavier", output: str = "sigmoid", optimizer: str = OPTIMIZER_CHOICES[0],
                 lr: float = 0.01, momentum: float = 0.9, mode: str = "minibatch", batch_size: int | None = None,
                 epochs_per_run: int = 200, epochs_per_frame: int = 2, seed: int = 0) -> None:
        settings = dict(dataset=dataset, hidden=hidden, activation=activation, output=output, init=init,
                        optimizer=optimizer, lr=lr, momentum=momentum, mode=mode)
        if batch_size is not None:
            settings["batch_size"] = batch_size
        self.session = TrainingSession(seed=seed, epochs_per_frame=epochs_per_frame, **settings)
        s = self.session.settings
        self.seed = seed
        self._quiet = False
        self._task = None
        self.frame_times: list[float] = []
        wide = W.Layout(width="230px")
        self.dataset = W.Dropdown(options=DATASETS, value=s.dataset, description="data", layout=wide)
        self.hidden = W.Text(value=hidden, description="hidden", continuous_update=False,
                             placeholder="e.g. 8,8", layout=wide,
                             tooltip="hidden layer widths, comma-separated")
        self.activation = W.Dropdown(options=ACTIVATIONS, value=s.activation, description="activation",
                                     layout=wide)
        self.init = W.Dropdown(options=INITS, value=s.init, description="init", layout=wide)
        self.output = W.Dropdown(options=OUTPUTS, value=s.output, description="output",
                                 layout=wide, tooltip="activation of the output neuron")
        self.optimizer = W.Dropdown(options=OPTIMIZER_CHOICES, value=s.optimizer, description="optimizer",
                                    layout=W.Layout(width="330px"))
        self.lr = S.FloatLogSlider(value=s.lr, base=10, min=-4, max=1, description="lr",
                                   continuous_update=True, readout_format=".3g")
        self.momentum = S.FloatSlider(value=s.momentum, min=0.0, max=0.99,
                                      description="momentum", continuous_update=True)
        self.mode = W.Dropdown(options=MODES, value=s.mode, description="mode", layout=wide)
        self.batch_size = S.IntSlider(value=s.batch_size, min=1, max=len(self.session.X),
                                      description="batch size", continuous_update=True)
        self.epochs_per_run = W.BoundedIntText(value=epochs_per_run, min=1, max=100_000,
                                               description="epochs/run", layout=wide)
        self.speed = S.IntSlider(value=epochs_per_frame, min=1, max=50, description="epochs/frame",
                                 continuous_update=True, style={"description_width": "96px"},
                                 tooltip="epochs trained between two frames of a run")
        self.run_button = W.Button(description="run", icon="play", button_style="success")
        self.pause_button = W.Button(description="pause", icon="pause")
        self.step_button = W.Button(description="step (1 epoch)", icon="step-forward")
        self.reset_button = W.Button(description="reset", icon="undo",
                                     tooltip="back to the same initial weights")
        self.readout = W.HTML(value="")
        self._controls = {"dataset": self.dataset, "hidden": self.hidden, "activation": self.activation,
                          "output": self.output, "init": self.init, "optimizer": self.optimizer,
                          "lr": self.lr, "momentum": self.momentum, "mode": self.mode,
                          "batch_size": self.batch_size}
        controls = [*self._controls.values(), self.epochs_per_run, self.speed, self.run_button,
                    self.pause_button, self.step_button, self.reset_button]
        super().__init__(controls=controls, extra=[self.readout])
        self.children = (self.children[0], self.readout, *self.children[1:-1])
        # Native pixel size: in a flex column the Image would otherwise be stretched (and blurred).
        self.image.layout.width = f"{int(self.figsize[0] * self.dpi)}px"
        for name, control in self._controls.items():
            control.observe(lambda change, name=name: self._on_setting(name, change), names="value")
        self.speed.observe(self._on_speed, names="value")
        for widget, name in ((self, "bc-playground"), (self.run_button, "bc-pg-run"),
                             (self.pause_button, "bc-pg-pause"), (self.step_button, "bc-pg-step"),
                             (self.reset_button, "bc-pg-reset"), (self.readout, "bc-pg-readout"),
                             (self.image, "bc-pg-image"), (self.lr, "bc-pg-lr")):
            widget.add_class(name)  # stable handles for styling and for the browser test
        self.run_button.on_click(self._on_run)
        self.pause_button.on_click(lambda _: self.pause())
        self.step_button.on_click(lambda _: self.step())
        self.reset_button.on_click(lambda _: self.reset())
        self._build_axes()
        self._advise()
        self.refresh()

    # -- what the session holds, under the names the view always had --------------------------------
    net = property(lambda self: self.session.net)
    opt = property(lambda self: self.session.opt)
    X = property(lambda self: self.session.X)
    T = property(lambda self: self.session.T)

    # -- building ---------------------------------------------------------------------------------
    def _build_axes(self) -> None:
        fig = self.fig
        fig.clear()
        fig.set_layout_engine("none")
        self._fast = FastPNG(fig)
        self._curve = LossCurvePlot(fig.add_axes((0.05, 0.14, 0.3, 0.74)))
        n_layers = len(self.net.sizes) - 1
        self._bars = LayerBarsPlot(fig.add_axes((0.41, 0.14, 0.17, 0.74)), n_layers,
                                   title="|dE/dW| per layer, last epoch")
        xx, yy, _ = decision_grid(lambda P: np.zeros(len(P)), self.X, self.grid_resolution)
        self._grid_xy = (xx, yy)
        self._boundary = BoundaryPlot(fig.add_axes((0.63, 0.1, 0.34, 0.8)), xx, yy, self.X, self.T,
                                      title="decision boundary (shade: predicted class)")
        for artist in self._curve.artists + self._bars.artists + self._boundary.artists:
            artist.set_animated(True)  # redrawn on every frame over the cached axes, ticks and titles

    def _set_quietly(self, control: W.Widget, **traits: Any) -> None:
        self._quiet = True
        try:
            for name, value in traits.items():
                setattr(control, name, value)
        finally:
            self._quiet = False

    def clear_message(self) -> None:
        """Clear the message line; typed hidden sizes that were refused go back to the network in force.

        The refused text stays in its box only while the message beside it says why (so it can be
        corrected); once that message goes, the box shows the network that trains again.
        """
        if self.state.pop("sizes_error", None) is not None:
            self._set_quietly(self.hidden, value=",".join(map(str, self.session.settings.hidden)))
        super().clear_message()

    # -- callbacks --------------------------------------------------------------------------------
    @guarded
    def _on_setting(self, name: str, change: dict) -> None:
        """A control moved: hand the value to the session; refused values snap back with a message."""
        if self._quiet:
            return
        value = change["new"]
        changes = {name: value}
        warning = None
        if name == "optimizer" and value == "Nesterov momentum" and self.momentum.value == 0:
            changes["momentum"] = 0.9
            warning = "Nesterov momentum needs momentum > 0: momentum set to 0.9."
        had_run = self.session.status in ("running", "paused")
        try:
            changed = self.session.apply(**changes)
        except (ValueError, TypeError) as exc:
            s = self.session.settings
            shown = ",".join(map(str, s.hidden)) if name == "hidden" else getattr(s, name)
            if name == "hidden":  # the typed text stays, so it can be corrected
                self.state["sizes_error"] = str(exc)
                self.show_message(f"{exc} The previous network ({self._describe()}) is kept.", "error")
                return
            self._set_quietly(self._controls[name], value=shown)
            self.show_message(f"{exc} The setting stays at {shown!r}.", "error")
            return
        self.clear_message()
        s = self.session.settings
        self._set_quietly(self.momentum, value=s.momentum)
        if changed & set(STRUCTURE):
            # max first: a smaller data set clamps the old value, then its own default is set
            self._set_quietly(self.batch_size, max=len(self.X), value=s.batch_size)
            self._build_axes()
            if had_run:  # a new network starts from epoch 0: the run it replaces is over
                self.show_message(f"New network {self._describe()} (same seed): the run stopped; "
                                  f"press run to train it.")
        if warning:
            self.show_message(warning, "warning")
        self._advise()
        self.refresh(change)  # the readout shows the new settings at once, running or not

    def _on_speed(self, change: dict) -> None:
        self.session.epochs_per_frame = int(change["new"])
        self.refresh(change)

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
        if self.session.running:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is None:
            self.run()
        else:
            self._task = loop.create_task(self.run_async())

    # -- training ---------------------------------------------------------------------------------
    def _describe(self) -> str:
        return "-".join(str(s) for s in self.net.sizes)

    def _refuse_if_diverged(self) -> bool:
        if self.session.diverged:
            self.show_message("Training diverged earlier: lower the learning rate, then press reset "
                              "(the same initial weights come back).", "error")
            return True
        return False

    def _start(self, epochs: int | None) -> bool:
        """Start a run of ``epochs`` (default "epochs/run"), or resume a paused one; False if refused."""
        if self._refuse_if_diverged():
            return False
        self.clear_message()
        if epochs is None and self.session.status == "paused":
            self.session.resume()
        else:
            self.session.run(self.epochs_per_run.value if epochs is None else int(epochs))
        return True

    def _after_training(self) -> None:
        if self.session.diverged:
            self.show_message(self.session.diverged, "error")

    def step(self) -> None:
        """Train one epoch and redraw (a running run pauses first; resume continues it)."""
        if self._refuse_if_diverged():
            return
        self.session.pause()
        self.clear_message()
        self.session.step(1)
        self._after_training()
        self.refresh()

    def run(self, epochs: int | None = None) -> None:
        """Train ``epochs`` epochs (default: the "epochs/run" setting, or the rest of a paused run)
        synchronously and draw once at the end; stops early on divergence."""
        if not self._start(epochs):
            return
        while self.session.running:
            self.session.tick()
        self._after_training()
        self.refresh()

    async def run_async(self, epochs: int | None = None) -> None:
        """Like :meth:`run`, but one frame per tick at :attr:`fps` frames per second, awaiting in
        between so the kernel handles clicks and slider moves (the notebook's run button)."""
        if not self._start(epochs):
            return
        period = 1.0 / self.fps
        self.frame_times = []
        self.run_button.disabled = True
        try:
            while self.session.running:
                start = time.perf_counter()
                self.frame_times.append(start)
                self.session.tick()
                self._after_training()
                self.refresh()
                # the next frame starts one period after this one started; a frame that took
                # longer than that is followed after a short pause, never by catch-up frames
                wait = max(start + period - time.perf_counter(), self.min_idle)
                await asyncio.sleep(wait)  # the kernel handles clicks and slider moves here
        finally:
            self.session.pause()
            self.run_button.disabled = False
            self._task = None
            self.refresh()  # the readout says "ready" (or "paused") again

    def pause(self) -> None:
        """Stop a running training after its current frame; run (or resume) continues it."""
        if self.session.running:
            self.session.pause()
            self.show_message(f"Paused after epoch {self.session.epoch}; press resume to go on.")
        self.refresh()

    def reset(self) -> None:
        """Back to the initial weights (same numbers), a fresh optimizer and an empty history."""
        self.session.reset()  # a run in progress ends: its task sees that nothing is running
        self.clear_message()
        self.refresh()

    # -- recompute + draw -------------------------------------------------------------------------
    def update(self) -> None:
        session = self.session
        with np.errstate(all="ignore"):
            Y = self.net.forward(self.X)
            loss = float(self.net.loss(self.X, self.T))
            xx, yy = self._grid_xy
            P = np.column_stack([xx.ravel(), yy.ravel()])
            zz = self.net.forward(P)[:, 0].reshape(xx.shape)
        hist = session.loss_history
        norms = session.grad_norms[-1] if session.grad_norms else None
        status = session.status
        in_force = describe(session.in_force())
        self.state.update(epoch=session.epoch, loss_history=hist, loss=loss,
                          accuracy=accuracy(Y, self.T), grid=(xx, yy, zz), diverged=bool(session.diverged),
                          running=session.running, status=status, sizes=list(self.net.sizes),
                          grad_norms=norms, in_force=in_force)
        self.run_button.description = "resume" if status == "paused" else "run"
        shown = {"diverged": "<b style='color:#b00'>diverged</b>", "running": "running",
                 "paused": f"paused at epoch {session.epoch} of {session.target}: ready to resume",
                 "ready": "ready"}[status]
        self.readout.value = (
            f"network {self._describe()} &nbsp;|&nbsp; <b>epoch <span class='bc-epoch'>"
            f"{session.epoch}</span></b> &nbsp;|&nbsp; E = {loss:.4g} &nbsp;|&nbsp; accuracy "
            f"{100 * self.state['accuracy']:.1f}% &nbsp;|&nbsp; {shown}<br>"
            f"<span class='bc-pg-settings'>in force: {in_force} &nbsp;·&nbsp; "
            f"{session.epochs_per_frame} epochs/frame</span>")
        changed = self._curve.update(hist, start=loss)
        n_layers = len(self.net.sizes) - 1
        changed |= self._bars.update(norms if norms is not None else np.ones(n_layers),
                                     known=[norms is not None] * n_layers)
        if changed:
            self._fast.invalidate()
        self._boundary.update(zz)

    def render(self) -> None:
        """PNG of the figure; the moving parts are drawn over a cached background."""
        self.image.value = self._fast.png()


def playground(**kwargs: Any) -> TrainingPlayground:
    """Build the training playground (see :class:`TrainingPlayground`)."""
    return TrainingPlayground(**kwargs)
