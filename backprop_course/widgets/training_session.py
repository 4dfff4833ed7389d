"""The training session behind the playground (view 5): settings, network, optimizer and history.

Pure Python and numpy on top of the engine: no widgets, no drawing, so it is tested on its own
(``tests/widgets/test_training_session.py``) and the widget in :mod:`.playground` stays a thin shell.

What a session promises
-----------------------
- **Epochs are the unit.** Every epoch is one call of the engine's ``train`` seeded by the epoch
  number, so the weights do not depend on how epochs are grouped into frames: ``step(10)``, ten
  ``step()`` calls and a run paused and resumed in between give the same numbers.
- **Settings change between epochs, never inside one.** :meth:`TrainingSession.apply` takes new
  settings at any time. Training settings (optimizer, ``lr``, ``momentum``, ``mode``,
  ``batch_size``) apply from the next epoch and the weights carry on; a new ``lr`` or ``momentum``
  keeps the optimizer's memory (the velocity), a different optimizer starts a fresh one. Structure
  settings (data set, hidden layers, activation, output, initialiser) need a new network: it is
  drawn from the same seed and the history starts again.
- **The batch size follows the data set.** A new data set brings its own default batch size
  (:data:`DEFAULT_BATCH_SIZES`) unless the same call sets one: four xor points do not leave a batch
  of 4 behind on the 200 moons.
- **Reset** restores the initial weights of the current network (the same numbers every time) and
  forgets the optimizer's memory and the history.
- **Runs.** :meth:`run` sets a target epoch; :meth:`tick` advances at most ``epochs_per_frame``
  epochs towards it (the caller draws a frame after each tick); :meth:`pause`, :meth:`step` and
  :meth:`resume` work in between.
- **Divergence** (NaN/inf, or a loss above :attr:`TrainingSession.explode_at`) stops training with
  a message; the network keeps its last finite weights and nothing trains until :meth:`reset`.
- :meth:`in_force` reads the settings back from the objects that train (the network, the optimizer
  and what the engine reported for the last epoch), so a readout built from it shows what is used.
"""
from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np

from backprop_course.engine import checks

__all__ = ["DATASETS", "OPTIMIZER_CHOICES", "INITS", "ACTIVATIONS", "OUTPUTS", "MODES",
           "DEFAULT_BATCH_SIZES", "STRUCTURE", "Settings", "TrainingSession", "parse_hidden_sizes", "optimizer_options",
           "load_dataset", "describe"]

#: Data sets offered (two classes, two inputs; T holds 0/1 in one column).
DATASETS = ("moons", "circles", "spirals", "xor")
#: The batch size each data set starts with (xor has only 4 points).
DEFAULT_BATCH_SIZES = {"moons": 20, "circles": 20, "spirals": 20, "xor": 2}
#: Optimizers shown to the learner; :func:`optimizer_options` names the engine optimizer behind each.
OPTIMIZER_CHOICES = ("gradient descent (momentum)", "Nesterov momentum", "RPROP")
INITS = ("xavier", "xavier_normal", "he", "standard_normal", "small_uniform")
ACTIVATIONS = ("tanh", "sigmoid", "relu", "leaky_relu", "linear")
OUTPUTS = ("sigmoid", "linear")
MODES = ("online", "batch", "minibatch")
MAX_HIDDEN_LAYERS = 6
MAX_WIDTH = 64
#: Settings whose change needs a new network (and starts the history again).
STRUCTURE = ("dataset", "hidden", "activation", "output", "init")
_OWNER = "the playground"


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


def optimizer_options(choice: str, lr: float, momentum: float) -> tuple[str, dict]:
    """The engine optimizer behind a playground choice: its name in ``OPTIMIZERS``, its options.

    ``name, options = optimizer_options(...)``, then ``get_optimizer(name, **options)`` builds it
    (:func:`backprop_course.engine.optim.get_optimizer`). ``"Nesterov momentum"`` needs
    ``momentum > 0`` (the engine refuses 0); RPROP takes neither ``lr`` nor ``momentum`` (it adapts a
    step size per weight).

    >>> optimizer_options("Nesterov momentum", 0.01, 0.9)
    ('sgd', {'lr': 0.01, 'momentum': 0.9, 'nesterov': True})
    """
    if choice == "RPROP":
        return "rprop", {}
    if choice == "Nesterov momentum":
        return "sgd", {"lr": lr, "momentum": momentum, "nesterov": True}
    if choice == "gradient descent (momentum)":
        return "sgd", {"lr": lr, "momentum": momentum}
    raise checks.error("optimizer_options", "optimizer", f"one of {list(OPTIMIZER_CHOICES)}",
                       repr(choice))


def load_dataset(name: str) -> tuple[np.ndarray, np.ndarray]:
    """``(X, T)`` of a playground data set (fixed seeds, 200 points except xor's 4)."""
    from backprop_course import datasets

    checks.one_of(name, "dataset", _OWNER, DATASETS)
    X, T = getattr(datasets, name)()
    return np.asarray(X, float), np.asarray(T, float)


@dataclass(frozen=True)
class Settings:
    """Everything a learner can set. ``hidden`` holds the hidden layer widths (``()``: none)."""

    dataset: str = "moons"
    hidden: tuple[int, ...] = (8, 8)
    activation: str = "tanh"
    output: str = "sigmoid"
    init: str = "xavier"
    optimizer: str = OPTIMIZER_CHOICES[0]
    lr: float = 0.01
    momentum: float = 0.9
    mode: str = "minibatch"
    batch_size: int = 20

    def checked(self, n_samples: int) -> "Settings":
        """These settings with every value checked (``hidden`` may be given as text such as "8,8").

        Raises ``ValueError``/``TypeError`` naming the setting, the rule and the value received.
        """
        hidden = self.hidden
        if isinstance(hidden, str):
            hidden = parse_hidden_sizes(hidden)
        if isinstance(hidden, (int, np.integer)) or not all(isinstance(h, (int, np.integer))
                                                             for h in hidden):
            raise checks.error(_OWNER, "hidden", "a sequence of whole numbers such as (8, 8)",
                               repr(hidden), TypeError)
        hidden = tuple(int(h) for h in hidden)
        parse_hidden_sizes(",".join(map(str, hidden)))  # the same limits as typed text
        for name, choices in (("dataset", DATASETS), ("activation", ACTIVATIONS), ("output", OUTPUTS),
                              ("init", INITS), ("optimizer", OPTIMIZER_CHOICES), ("mode", MODES)):
            checks.one_of(getattr(self, name), name, _OWNER, choices)
        lr = checks.real(self.lr, "lr", _OWNER, "a float > 0", lambda v: v > 0)
        momentum = checks.real(self.momentum, "momentum", _OWNER, "a float in [0, 1)",
                               lambda v: 0 <= v < 1)
        if self.optimizer == "Nesterov momentum" and momentum == 0:
            raise checks.error(_OWNER, "momentum", "> 0 with Nesterov momentum (0.9 is usual)", "0",
                               hint="; raise it or pick 'gradient descent (momentum)'")
        batch = checks.integer(self.batch_size, "batch_size", _OWNER, 1, n_samples,
                               f"an int in [1, {n_samples}] (the number of samples in {self.dataset})")
        return replace(self, hidden=hidden, lr=lr, momentum=momentum, batch_size=batch)


_NAMES = tuple(f.name for f in fields(Settings))


def describe(s: Settings) -> str:
    """One line naming the settings, as the playground's readout shows them.

    >>> describe(Settings())
    'moons · 2-8-8-1 tanh/sigmoid, xavier init · gradient descent (momentum), lr 0.01, momentum 0.9 · minibatch of 20'
    """
    sizes = "-".join(map(str, (2, *s.hidden, 1)))
    if s.optimizer == "RPROP":
        opt = "RPROP (own step sizes: lr and momentum unused)"
    else:
        opt = f"{s.optimizer}, lr {s.lr:.3g}, momentum {s.momentum:.3g}"
    mode = f"minibatch of {s.batch_size}" if s.mode == "minibatch" else s.mode
    return f"{s.dataset} · {sizes} {s.activation}/{s.output}, {s.init} init · {opt} · {mode}"


class TrainingSession:
    """A network in training on one of the playground's data sets (see the module docstring).

    Parameters
    ----------
    settings : Settings, optional
        The starting settings (default :class:`Settings`); keyword arguments override single fields,
        e.g. ``TrainingSession(dataset="xor", hidden="3", lr=0.5)``.
    seed : int
        Seeds the initial weights and the shuffling of every epoch.
    epochs_per_frame : int
        Epochs one :meth:`tick` trains at most.

    Attributes
    ----------
    settings : Settings
        The settings in force (the last ones :meth:`apply` accepted).
    X, T : ndarray, shapes (n, 2) and (n, 1)
    net : MLP
    opt : SGD or RPROP
    loss_history : list of float
        E over the whole data set after each completed epoch.
    grad_norms : list of list of float
        Per completed epoch, the norm of dE/dW of each weight layer, averaged over its updates.
    diverged : str or None
        Why training stopped for good (until :meth:`reset`), or None.
    running : bool
        True while a run has epochs left and is not paused.
    target : int or None
        The epoch the current (or paused) run stops at.
    last_used : dict or None
        What the engine reported for the last epoch: ``mode`` and ``batch_size`` (samples per
        update) from its ``History``, and the optimizer's ``repr``.
    """

    #: A loss above this counts as diverged (the engine only stops at inf/NaN, hundreds of decades on).
    explode_at = 1e12

    def __init__(self, settings: Settings | None = None, seed: int = 0, epochs_per_frame: int = 2,
                 **changes: Any) -> None:
        self.seed = checks.integer(seed, "seed", _OWNER, 0, rule="an int >= 0")
        self.epochs_per_frame = checks.integer(epochs_per_frame, "epochs_per_frame", _OWNER, 1)
        s = settings if settings is not None else Settings()
        self._check_names(changes)
        if "dataset" in changes and "batch_size" not in changes:
            changes["batch_size"] = DEFAULT_BATCH_SIZES[checks.one_of(changes["dataset"], "dataset",
                                                                      _OWNER, DATASETS)]
        s = replace(s, **changes)
        X, T = load_dataset(checks.one_of(s.dataset, "dataset", _OWNER, DATASETS))
        self.settings = s.checked(len(X))
        self.X, self.T = X, T
        self.running, self.target = False, None
        self._build_network()

    # -- settings -----------------------------------------------------------------------------------
    @staticmethod
    def _check_names(changes: dict) -> None:
        for name in changes:
            if name not in _NAMES:
                raise checks.error(_OWNER, name, f"one of the settings {', '.join(_NAMES)}",
                                   "an unknown name", TypeError, role="setting")

    def apply(self, **changes: Any) -> set[str]:
        """Take new settings; return the names whose value changed.

        All or nothing: if any value is refused (``ValueError``/``TypeError`` naming it), nothing
        changes. Training settings apply from the next epoch with the weights kept; structure
        settings draw a new network (same seed), clear the history and stop a run. A new data set
        brings its default batch size unless ``batch_size`` is given too.
        """
        self._check_names(changes)
        old = self.settings
        if "dataset" in changes and changes["dataset"] != old.dataset and "batch_size" not in changes:
            changes["batch_size"] = DEFAULT_BATCH_SIZES.get(changes["dataset"], old.batch_size)
        new = replace(old, **changes)
        X, T = (self.X, self.T) if new.dataset == old.dataset else load_dataset(new.dataset)
        new = new.checked(len(X))
        changed = {n for n in _NAMES if getattr(new, n) != getattr(old, n)}
        self.settings = new
        if changed & set(STRUCTURE):
            self.X, self.T = X, T
            self._build_network()
        elif "optimizer" in changed:
            self.opt = self._new_optimizer()       # another method: its memory starts afresh
        elif changed & {"lr", "momentum"} and new.optimizer != "RPROP":
            self.opt.lr, self.opt.momentum = new.lr, new.momentum   # the velocity is kept
        return changed

    def in_force(self) -> Settings:
        """The settings as the objects that train use them (read from the network and optimizer)."""
        from backprop_course.engine.optim import RPROP

        s, net, opt = self.settings, self.net, self.opt
        if isinstance(opt, RPROP):
            optimizer, lr, momentum = "RPROP", s.lr, s.momentum   # unused by RPROP: shown as set
        else:
            optimizer = "Nesterov momentum" if opt.nesterov else "gradient descent (momentum)"
            lr, momentum = opt.lr, opt.momentum
        return Settings(dataset=self._dataset, hidden=tuple(net.sizes[1:-1]),
                        activation=net.activations[0] if len(net.sizes) > 2 else s.activation,
                        output=net.activations[-1], init=net.init, optimizer=optimizer, lr=lr,
                        momentum=momentum, mode=s.mode, batch_size=s.batch_size)

    # -- building -------------------------------------------------------------------------------------
    def _new_optimizer(self):
        from backprop_course.engine.optim import get_optimizer

        s = self.settings
        name, options = optimizer_options(s.optimizer, s.lr, s.momentum)
        return get_optimizer(name, **options)

    def _build_network(self) -> None:
        from backprop_course.engine.mlp import MLP

        s = self.settings
        self.net = MLP([2, *s.hidden, 1], activation=[s.activation] * len(s.hidden) + [s.output],
                       init=s.init, seed=self.seed)
        self._dataset = s.dataset
        self._initial = self.net.get_state()
        self.reset()

    def reset(self) -> None:
        """Back to the initial weights (same numbers), a fresh optimizer, an empty history; the
        run stops."""
        self.net.set_state(self._initial)
        self.opt = self._new_optimizer()
        self.loss_history: list[float] = []
        self.grad_norms: list[list[float]] = []
        self.diverged: str | None = None
        self.last_used: dict | None = None
        self.running, self.target = False, None

    # -- training -------------------------------------------------------------------------------------
    @property
    def epoch(self) -> int:
        """Completed epochs since the last reset."""
        return len(self.loss_history)

    @property
    def status(self) -> str:
        """``"diverged"``, ``"running"``, ``"paused"`` (a run has epochs left) or ``"ready"``."""
        if self.diverged:
            return "diverged"
        if self.running:
            return "running"
        return "paused" if self.target is not None and self.epoch < self.target else "ready"

    def step(self, epochs: int = 1) -> int:
        """Train up to ``epochs`` epochs with the settings in force; return how many completed.

        Stops early on divergence (then :attr:`diverged` says why); trains nothing after it.
        """
        from backprop_course.engine.training import TrainingDiverged, train

        epochs = checks.integer(epochs, "epochs", "TrainingSession.step", 0)
        s = self.settings
        done = 0
        while done < epochs and not self.diverged:
            before = self.net.get_state()
            epoch = self.epoch
            try:
                hist = train(self.net, self.X, self.T, self.opt, mode=s.mode,
                             batch_size=s.batch_size if s.mode == "minibatch" else None, epochs=1,
                             seed=self.seed * 100_003 + epoch, record_grad_norms=True)
            except TrainingDiverged as exc:   # inf/NaN in the loss or the weights
                self.net.set_state(before)     # keep the last finite network
                self._stop(epoch + 1, f"the loss E became {exc.loss} (or a weight did)")
                break
            self.loss_history.append(hist.loss[-1])
            self.grad_norms.append(hist.grad_norms[-1])
            self.last_used = {"mode": hist.mode, "batch_size": hist.batch_size, "optimizer": repr(self.opt)}
            done += 1
            if hist.loss[-1] > self.explode_at:  # finite, but heading for inf: stop here
                self._stop(epoch + 1, f"the loss E grew to {hist.loss[-1]:.3g} (more than "
                                      f"{self.explode_at:.0e})")
        return done

    def _stop(self, epoch: int, what: str) -> None:
        advice = (f"lower the learning rate (now {self.settings.lr:.3g})"
                  if self.settings.optimizer != "RPROP" else "use gradient descent with a small rate")
        self.diverged = (f"Training diverged in epoch {epoch}: {what}; every update overshoots more "
                         f"than the last. The plots show the last finite network. To recover, "
                         f"{advice} and press reset.")
        self.running = False

    def run(self, epochs: int) -> None:
        """Start a run of ``epochs`` more epochs; :meth:`tick` then trains it frame by frame."""
        epochs = checks.integer(epochs, "epochs", "TrainingSession.run", 1)
        if self.diverged:
            return
        self.target = self.epoch + epochs
        self.running = True

    def pause(self) -> None:
        """Stop ticking; the run keeps its target, so :meth:`resume` continues it."""
        self.running = False

    def resume(self) -> None:
        """Continue a paused run (nothing happens when no run has epochs left)."""
        self.running = self.status == "paused"

    def tick(self) -> int:
        """One frame's worth of training: up to ``epochs_per_frame`` epochs of a running run.

        Returns the epochs trained (0 when not running). The run ends at its target or on divergence.
        """
        if not self.running:
            return 0
        left = self.target - self.epoch
        if left <= 0:                # steps taken by hand during the run already reached its target
            self.running = False
            return 0
        done = self.step(min(self.epochs_per_frame, left))
        if self.epoch >= self.target or self.diverged:
            self.running = False
        return done
