"""View 10: online / mini-batch / batch side by side, against hand-worked updates and bc.train."""
import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_course import datasets
from backprop_course.engine.mlp import MLP
from backprop_course.engine.optim import SGD
from backprop_course.engine.training import train
from backprop_course.widgets.modes import (BLOW_UP, MODE_NAMES, ModesView, compare_modes,
                                           modes_view_state)

X12, T12 = datasets.regression_1d(n=12, noise=0.1, seed=1)


def small_net():
    return MLP([1, 4, 1], activation=["tanh", "linear"], seed=2)


def test_hand_worked_batch_step_of_a_linear_neuron():
    # y = w x + b with w = 0.5, b = 0; samples (x, t) = (1, 2), (2, 1); E = 1/2 sum (t - y)^2
    # dE/dw = sum (y - t) x = (0.5 - 2) * 1 + (1 - 1) * 2 = -1.5;  dE/db = (0.5 - 2) + 0 = -1.5
    # one batch update with lr 0.1: w = 0.5 + 0.15 = 0.65, b = 0.15
    # E after: y = (0.8, 1.45): 1/2 ((2 - 0.8)^2 + (1 - 1.45)^2) = 1/2 (1.44 + 0.2025) = 0.82125
    net = MLP([1, 1], activation="linear", seed=0)
    net.weights[0][:] = 0.5
    net.biases[0][:] = 0.0
    runs = compare_modes(net, [[1.0], [2.0]], [[2.0], [1.0]], lrs=(0.1, 0.1, 0.1), batch_size=1, epochs=1)
    b = runs["batch"]
    assert b.losses[0] == pytest.approx(0.5 * (1.5 ** 2 + 0.0))
    assert b.net.weights[0][0, 0] == pytest.approx(0.65) and b.net.biases[0][0] == pytest.approx(0.15)
    assert b.losses[1] == pytest.approx(0.82125)
    assert list(b.updates) == [0, 1]
    assert net.weights[0][0, 0] == 0.5          # the starting network is not changed


@pytest.mark.parametrize("batch_size", [1, 5, 12])
def test_each_run_is_bc_train_from_the_same_start(batch_size):
    runs = compare_modes(small_net(), X12, T12, lrs=(0.05, 0.04, 0.01), batch_size=batch_size, epochs=7,
                         seed=3)
    for name, mode, lr in (("online", "online", 0.05), ("mini-batch", "minibatch", 0.04),
                           ("batch", "batch", 0.01)):
        ref = small_net()
        hist = train(ref, X12, T12, SGD(lr=lr), mode=mode, epochs=7, seed=3,
                     batch_size=batch_size if mode == "minibatch" else None)
        r = runs[name]
        np.testing.assert_array_equal(r.losses, [hist.initial_loss, *hist.loss])
        assert r.updates[-1] == hist.updates
        np.testing.assert_array_equal(r.net.weights[0], ref.weights[0])
    per_epoch = {"online": 12, "mini-batch": math.ceil(12 / batch_size), "batch": 1}
    for name in MODE_NAMES:
        np.testing.assert_array_equal(runs[name].updates, per_epoch[name] * np.arange(8))
    assert len({runs[n].losses[0] for n in MODE_NAMES}) == 1


def test_divergence_is_reported_not_raised():
    runs = compare_modes(small_net(), X12, T12, lrs=(50.0, 0.01, 0.01), batch_size=4, epochs=20)
    r = runs["online"]
    assert r.diverged_epoch is not None and "diverged" in r.message
    assert len(r.losses) == r.diverged_epoch and len(r.updates) == len(r.losses)
    s = modes_view_state(small_net(), X12, T12, (50.0, 0.01, 0.01), 4, 20)
    assert "online (lr=50) diverged in epoch" in s["warning"]


@pytest.mark.parametrize("kwargs, kind, match", [
    (dict(lrs=(0.1, 0.1)), ValueError, "'lrs' parameter of compare_modes must be three learning rates"),
    (dict(lrs=(0.1, -0.1, 0.1)), ValueError, "'lrs' parameter of compare_modes must be three floats > 0"),
    (dict(batch_size=13), ValueError, "'batch_size' parameter of train"),
    (dict(epochs=0), ValueError, "'epochs'"),
])
def test_bad_arguments_name_the_parameter(kwargs, kind, match):
    args = dict(lrs=(0.1, 0.1, 0.1), batch_size=4, epochs=2) | kwargs
    with pytest.raises(kind, match=match):
        compare_modes(small_net(), X12, T12, **args)


def test_view_rejects_bad_arguments():
    with pytest.raises(ValueError, match="'batch_size' parameter of ModesView must be an int in \\[1, n_samples\\]"):
        ModesView(X=X12, T=T12, batch_size=20)
    with pytest.raises(ValueError, match="'lrs' parameter of ModesView"):
        ModesView(X=X12, T=T12, lrs=(0.1, 0.1, 100.0))


def final_column(html):
    cells = re.findall(r"<tr><td>([^<]+)</td><td>[^<]+</td><td>\d+</td><td>(\d+)</td><td>([^<]+)</td></tr>", html)
    return {name: (int(updates), text) for name, updates, text in cells}


@settings(max_examples=25, deadline=None, derandomize=True)
@given(st.lists(st.one_of(st.tuples(st.just("lr"), st.integers(0, 2), st.floats(1e-4, 3.0)),
                          st.tuples(st.just("batch_size"), st.just(0), st.integers(1, 12)),
                          st.tuples(st.just("epochs"), st.just(0), st.integers(1, 6))),
                min_size=1, max_size=6))
def test_random_control_sequences_keep_readout_and_axes_honest(moves):
    net = small_net()
    lrs, controls = [0.05, 0.05, 0.01], dict(batch_size=4, epochs=3)
    for name, i, value in moves:
        if name == "lr":
            lrs[i] = value
        else:
            controls[name] = value
        s = modes_view_state(net, X12, T12, tuple(lrs), **controls)
        table = final_column(s["readout"])
        assert list(table) == list(MODE_NAMES)
        lo, hi = s["loss_ylim"]
        for name_, run in s["runs"].items():
            updates, text = table[name_]
            assert updates == s["total_updates"][name_] == run.updates[-1]
            if run.diverged_epoch is None:
                assert float(text) == pytest.approx(run.final_loss, rel=1e-3)
            else:
                assert text == f"diverged in epoch {run.diverged_epoch}"
            d = s["drawn"][name_]
            # the axes contain what they draw, and nothing drawn lies above the cap
            assert np.all((lo <= d["losses"]) & (d["losses"] <= hi))
            assert np.all(d["losses"] <= BLOW_UP * run.losses[0])
            assert np.all(d["epochs"] <= s["epoch_xlim"][1])
            assert np.all(d["updates"][1:] <= s["update_xlim"][1])
            np.testing.assert_array_equal(d["losses"], run.losses[:len(d["losses"])])
        assert (s["warning"] == "") == (not s["blown_up"] and all(r.diverged_epoch is None
                                                                  for r in s["runs"].values()))


def test_view_draws_its_state():
    v = ModesView(X=X12, T=T12, sizes=(1, 4, 1), seed=2, lrs=(0.05, 0.05, 0.01), batch_size=4, epochs=5)
    v.set(lrs=(0.05, 0.05, 5.0), epochs=8)       # batch mode overshoots
    s = v.state
    assert "error" not in s and v.readout.value == s["readout"]
    assert "batch" in s["blown_up"] and "overshoots" in s["message"]
    ax = v._ax_epoch
    assert ax.get_ylim() == pytest.approx(s["loss_ylim"])
    for line, name in zip(ax.lines, MODE_NAMES):
        np.testing.assert_array_equal(line.get_ydata(), s["drawn"][name]["losses"])
    v.batch_size.value = 12
    assert v.state["total_updates"]["mini-batch"] == 8
