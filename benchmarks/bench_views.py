"""Callback latency of every interactive view: recompute + redraw per control change.

    .venv/bin/python benchmarks/bench_views.py [--rounds 3]

Each view is built headless and driven through a few dozen control changes of the kinds a learner
makes (slider moves, button presses, dropdown choices). A control change runs its callback
synchronously (traitlets observers), so the wall time of ``control.value = v`` / ``button.click()``
is the time the kernel is busy before the new image is ready to be sent. Target (issue 4): median
< 50 ms and 95th percentile < 100 ms per view.

Two kinds of change are reported apart because they are rebuilds, not moves:
``flow: new network`` (another preset: a new network, new axes, a full draw) and ``derivation: new
target`` (a fresh SymPy derivation; cached afterwards, so revisiting a target costs a step).
``playground: run frame`` is one frame of an animated run (2 epochs, then a redraw); it must fit
the same budget, and ``bench_playground.py`` measures the frame rate of a whole run. ``digits: run
frame`` is one frame of the digits view's run (one epoch of lesson 12's network, 43 updates, then a
redraw): reported, not held to the budget, since the training alone takes 15-35 ms. The ``drag``
rows move one slider only (what a learner's drag sends); the rows without ``drag`` mix in the
controls that rebuild the axes (depth, activation, the input of the nudge).
"""
from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import time
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine  # noqa: E402

class Action:
    """A labelled control change (the label groups timings in ``--detail``)."""

    def __init__(self, fn: Callable[[], object], label: str) -> None:
        self.fn, self.label = fn, label

    def __call__(self) -> object:
        return self.fn()


def timed(actions: Iterable[Action], warmup: int = 2) -> list[tuple[str, float]]:
    """(label, seconds) per action; the first ``warmup`` actions (import and cache effects) are not kept."""
    out = []
    for i, act in enumerate(actions):
        start = time.perf_counter()
        act()
        if i >= warmup:
            out.append((act.label, time.perf_counter() - start))
    return out


def setter(widget, value) -> Action:
    return Action(lambda: setattr(widget, "value", value),
                  f"set {getattr(widget, 'description', '') or type(widget).__name__}")


def click(button) -> Action:
    return Action(button.click, f"click {button.description}")


def graph_actions(rounds: int) -> list[Action]:
    from backprop_course.widgets.graph_view import graph_explorer

    v = graph_explorer()
    acts: list[Action] = []
    for r in range(rounds):
        for name, slider in v.leaves.items():
            for value in (-3.0 + r, 1.5, 4.0 - r):
                acts.append(setter(slider, value))
        acts += [click(v.step_button)] * 4 + [click(v.reset_button)]
    return acts


def neuron_actions(rounds: int) -> list[Action]:
    from backprop_course.widgets.neuron import NeuronView

    v = NeuronView()
    acts: list[Action] = []
    for r in range(rounds):
        for s in (*v.inputs, *v.weights, v.bias):
            acts += [setter(s, -1.5 + 0.5 * r), setter(s, 2.0 - 0.25 * r)]
        acts += [setter(v.activation, a) for a in ("tanh", "relu", "sigmoid")]
    return acts


def descent_actions(rounds: int) -> list[Action]:
    from backprop_course.widgets.descent import DescentView

    v = DescentView()
    acts: list[Action] = []
    for r in range(rounds):
        acts += [setter(v.lr, lr) for lr in (0.02, 0.05, 0.2, 0.5)]
        acts += [setter(v.momentum, m) for m in (0.0, 0.5, 0.9)]
        acts += [setter(v.start_x, x) for x in (-0.6, 0.3, 0.8)]
        acts += [setter(v.steps, s) for s in (20, 80, 150)]
        acts += [setter(v.method, m) for m in list(v.method.options)[:3]]
    return acts


def init_actions(rounds: int) -> list[Action]:
    from backprop_course.widgets.init_view import InitView

    v = InitView()
    acts: list[Action] = []
    for r in range(rounds):
        acts += [setter(v.init, name) for name in v.init.options]
        acts += [setter(v.activation, a) for a in list(v.activation.options)[:3]]
        acts += [setter(v.depth, d) for d in (3, 8, 5)]
        acts += [setter(v.width, w) for w in (20, 100, 50)]
    return acts


def flow_actions(rounds: int) -> list[Action]:
    from backprop_course.widgets.flow import PRESETS, GradientFlowView

    acts: list[Action] = []
    for r in range(rounds):
        v = GradientFlowView(preset=list(PRESETS)[r % 2])  # the small and the deep sigmoid net
        acts += [setter(v.weight, w) for w in np.linspace(-3, 3, 9)]
        acts.append(Action(lambda v=v: setattr(v.weight_choice, "value", v.weight_choice.options[3][1]),
                           "select another weight"))
        acts += [setter(v.weight, w) for w in (0.5, -0.5, 1.0)]
        acts += [click(v.forward_button)] + [click(v.step_button)] * 3 + [click(v.all_button)]
    return acts


def flow_presets(rounds: int) -> list[Action]:
    from backprop_course.widgets.flow import PRESETS, GradientFlowView

    v = GradientFlowView()
    return [setter(v.preset, p) for p in list(PRESETS)[1:] * rounds]


def playground_actions(rounds: int) -> list[Action]:
    from backprop_course.widgets.playground import TrainingPlayground

    v = TrainingPlayground()
    acts: list[Action] = []
    for r in range(rounds):
        acts += [click(v.step_button)] * 8
        acts += [setter(v.lr, lr) for lr in (0.003, 0.01)]
        acts += [setter(v.momentum, m) for m in (0.5, 0.9)]
        acts += [setter(v.mode, m) for m in ("online", "batch", "minibatch")]
        acts += [click(v.reset_button)]
    return acts


def playground_frames(rounds: int) -> list[Action]:
    from backprop_course.widgets.playground import TrainingPlayground

    v = TrainingPlayground()
    v.session.run(10**6)
    # one frame of the run button's animation: train epochs_per_frame epochs, then redraw
    frame = Action(lambda: (v.session.tick(), v.refresh()), "run frame")
    return [frame] * (12 * rounds)


def derivation_actions(rounds: int) -> list[Action]:
    from backprop_course.widgets.derivation_view import DerivationExplorer

    v = DerivationExplorer()
    acts: list[Action] = []
    for r in range(rounds):
        acts += [click(v.next_button)] * 6 + [click(v.prev_button)] * 2
        acts += [setter(v.step, s) for s in (20, 3, 24)]
        acts += [setter(v.notation, n) for n in ("ufldl", "gashler")]
    return acts


def derivation_targets(rounds: int) -> list[Action]:
    from backprop_course.widgets.derivation_view import DerivationExplorer

    v = DerivationExplorer()
    targets = itertools.cycle([(4, 2, 1, 2), (5, 3, 2, 1), (3, 1, 4, 4), (6, 2, 3, 2)])
    acts: list[Action] = []
    for _ in range(2 * rounds):
        L, layer, j, k = next(targets)

        def change(L=L, layer=layer, j=j, k=k):
            v.layers.value, v.layer.value, v.j.value, v.k.value = L, layer, j, k
        acts.append(Action(change, "new target"))
    return acts


def chain_actions(rounds: int) -> list[Action]:
    from backprop_course.widgets.chain import ChainView

    v = ChainView()
    acts: list[Action] = []
    for r in range(rounds):
        acts += [setter(v.weight, w) for w in np.linspace(-3 + 0.1 * r, 3, 9)]
        acts += [setter(v.depth, d) for d in (3, 10, 20, 5)]
        acts += [setter(v.activation, a) for a in ("tanh", "relu", "sigmoid")]
    return acts


def chain_drag(rounds: int) -> list[Action]:
    from backprop_course.widgets.chain import ChainView

    v = ChainView(depth=10)
    return [setter(v.weight, round(w, 2)) for w in np.linspace(0.5, 2.0, 12 * rounds)]


def nudge_actions(rounds: int) -> list[Action]:
    from backprop_course.widgets.nudge import NudgeView

    v = NudgeView()
    acts: list[Action] = []
    for r in range(rounds):
        acts += [setter(v.dx, round(d, 2)) for d in np.linspace(-0.5, 0.5, 11)]
        acts += [setter(v.index, k) for k in (0, 2, 3, 1)]
    return acts


def nudge_drag(rounds: int) -> list[Action]:
    from backprop_course.widgets.nudge import NudgeView

    v = NudgeView()
    return [setter(v.dx, round(d, 2)) for d in np.linspace(-0.5, 0.5, 12 * rounds)]


def digits_actions(rounds: int) -> list[Action]:
    from backprop_course.widgets.digits import DigitsView

    v = DigitsView()
    acts: list[Action] = []
    for r in range(rounds):
        acts += [setter(v.lr, lr) for lr in (0.01, 0.002, 0.005)]
        acts += [setter(v.momentum, m) for m in (0.5, 0.9)]
    return acts


def digits_frames(rounds: int) -> list[Action]:
    from backprop_course.widgets.digits import DigitsView

    v = DigitsView()
    # one frame of the run button's animation: train epochs_per_frame (1) epoch, then redraw
    return [Action(v.step, "run frame")] * (10 * rounds)


# The third field: True for a move held to the target; False for a rebuild; a string for anything
# else that is reported but not held to the target (the string says what it is).
VIEWS: list[tuple[str, Callable[[int], list[Action]], bool | str]] = [
    ("1 graph explorer", graph_actions, True),
    ("2 neuron", neuron_actions, True),
    ("3 descent", descent_actions, True),
    ("4 gradient flow", flow_actions, True),
    ("5 playground", playground_actions, True),
    ("6 initialisation", init_actions, True),
    ("7 derivation", derivation_actions, True),
    ("4 flow: new network", flow_presets, False),
    ("5 playground: run frame", playground_frames, True),
    ("7 derivation: new target", derivation_targets, False),
    ("8 chain", chain_actions, True),
    ("8 chain: weight drag", chain_drag, True),
    ("9 nudge", nudge_actions, True),
    ("9 nudge: dx drag", nudge_drag, True),
    ("11 digits: sliders", digits_actions, True),
    ("11 digits: run frame", digits_frames, "a frame: 1 epoch trained, then a redraw"),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="repetitions of each view's script")
    parser.add_argument("--only", default="", help="run only the views whose name contains this text")
    parser.add_argument("--detail", action="store_true", help="also print median/max per kind of change")
    args = parser.parse_args(argv)
    import os

    print(f"# view callbacks (recompute + redraw) · {machine()} · load average "
          f"{os.getloadavg()[0]:.1f}")
    print(f"{'view':<28}{'n':>5}{'median ms':>12}{'p95 ms':>10}  target (median < 50, p95 < 100)")
    failed = False
    for name, make, targeted in VIEWS:
        if args.only not in name:
            continue
        try:
            labelled = timed(make(args.rounds))
        except ImportError as exc:  # a view that does not exist yet
            print(f"{name:<28}  skipped: {exc}")
            continue
        times = np.array([t for _, t in labelled]) * 1e3
        med, p95 = statistics.median(times), float(np.percentile(times, 95))
        ok = med < 50 and p95 < 100
        if targeted is True:
            verdict = "ok" if ok else "SLOW"
        else:
            verdict = f"({targeted or 'rebuild, not a move'})"
        failed |= targeted is True and not ok
        print(f"{name:<28}{len(times):>5}{med:>12.1f}{p95:>10.1f}  {verdict}")
        if args.detail:
            for label in dict.fromkeys(lab for lab, _ in labelled):
                ts = [t * 1e3 for lab, t in labelled if lab == label]
                print(f"    {label:<28}{len(ts):>3}  median {statistics.median(ts):7.1f}  max {max(ts):7.1f}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
