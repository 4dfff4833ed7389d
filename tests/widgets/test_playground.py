"""View 5 (training playground), checked against the engine's train()."""
import asyncio

import numpy as np
import pytest

from backprop_course import datasets
from backprop_course.engine.mlp import MLP
from backprop_course.engine.optim import SGD
from backprop_course.engine.training import train
from backprop_course.widgets.playground import (DATASETS, TrainingPlayground, accuracy,
                                                optimizer_options, parse_hidden_sizes)
from backprop_course.widgets.training_session import DEFAULT_BATCH_SIZES, describe


@pytest.mark.parametrize("text, sizes", [("8,8", [8, 8]), (" 3 ", [3]), ("", []), ("4; 2", [4, 2]),
                                         ("64,1,1,1,1,1", [64, 1, 1, 1, 1, 1])])
def test_parse_hidden_sizes_accepts(text, sizes):
    assert parse_hidden_sizes(text) == sizes


@pytest.mark.parametrize("text", ["8,x", "0", "65", "-2", "1,1,1,1,1,1,1", "8,,8", "2.5"])
def test_parse_hidden_sizes_rejects_with_the_template(text):
    with pytest.raises(ValueError, match=r"The 'hidden layers' setting must be .* Got .* instead\."):
        parse_hidden_sizes(text)


def test_accuracy_counts_sides_of_the_threshold():
    Y = np.array([[0.9], [0.4], [0.51], [0.2]])
    T = np.array([[1.0], [1.0], [0.0], [0.0]])
    assert accuracy(Y, T) == 0.5


def test_optimizer_options_rejects_unknown_names():
    with pytest.raises(ValueError, match="'optimizer' parameter of optimizer_options"):
        optimizer_options("adam", 0.1, 0.0)


def test_initial_state_matches_a_fresh_engine_network():
    v = TrainingPlayground(dataset="circles", hidden="5,3", activation="sigmoid", seed=4)
    X, T = datasets.circles()
    ref = MLP([2, 5, 3, 1], activation="sigmoid", init="xavier", seed=4)
    for W, W_ref in zip(v.net.weights, ref.weights):
        np.testing.assert_array_equal(W, W_ref)
    assert v.state["epoch"] == 0 and v.state["loss_history"] == []
    assert v.state["loss"] == pytest.approx(ref.loss(X, T))
    assert v.state["accuracy"] == pytest.approx(accuracy(ref.forward(X), T))
    xx, yy, zz = v.state["grid"]
    P = np.column_stack([xx.ravel(), yy.ravel()])
    np.testing.assert_allclose(zz.ravel(), ref.forward(P)[:, 0])


def test_batch_mode_run_equals_one_engine_train_call():
    # batch mode has no randomness, so the playground's epoch-by-epoch training must equal a single
    # train() call of the same length with the same optimizer settings
    v = TrainingPlayground(dataset="xor", hidden="4", activation="tanh", lr=0.5, momentum=0.9,
                           mode="batch", seed=2)
    v.run(25)
    X, T = datasets.xor()
    ref = MLP([2, 4, 1], activation=["tanh", "sigmoid"], init="xavier", seed=2)
    hist = train(ref, X, T, SGD(lr=0.5, momentum=0.9), mode="batch", epochs=25)
    np.testing.assert_allclose(v.state["loss_history"], hist.loss, rtol=1e-12)
    for W, W_ref in zip(v.net.weights, ref.weights):
        np.testing.assert_allclose(W, W_ref, rtol=1e-12)
    assert v.state["epoch"] == 25 and v.state["loss"] == pytest.approx(hist.loss[-1])


def test_run_step_and_chunks_give_the_same_weights():
    settings = dict(dataset="moons", hidden="6", mode="minibatch", batch_size=16, seed=1)
    a, b, c = (TrainingPlayground(**settings) for _ in range(3))
    a.run(12)
    for _ in range(12):
        b.step_button.click()
    c.run(5)
    c.run(7)
    for other in (b, c):
        np.testing.assert_allclose(other.state["loss_history"], a.state["loss_history"], rtol=1e-12)
        for W, W_ref in zip(other.net.weights, a.net.weights):
            np.testing.assert_array_equal(W, W_ref)


def test_training_lowers_the_loss_and_redraws():
    v = TrainingPlayground(dataset="moons", seed=0)
    first = bytes(v.image.value)
    v.run(60)
    hist = v.state["loss_history"]
    assert len(hist) == 60 and hist[-1] < 0.5 * hist[0]
    assert v.state["accuracy"] > 0.85
    assert bytes(v.image.value) != first and "error" not in v.state
    assert "epoch <span class='bc-epoch'>60</span>" in v.readout.value


def test_reset_brings_back_the_same_initial_weights():
    v = TrainingPlayground(dataset="xor", hidden="3", seed=7)
    initial = [W.copy() for W in v.net.weights]
    v.run(15)
    assert not np.allclose(v.net.weights[0], initial[0])
    v.reset_button.click()
    for W, W0 in zip(v.net.weights, initial):
        np.testing.assert_array_equal(W, W0)
    assert v.state["epoch"] == 0 and v.state["loss_history"] == [] and not v.state["diverged"]
    first_run = None
    for _ in range(2):  # after a reset the same run repeats number for number
        v.run(10)
        if first_run is None:
            first_run = list(v.state["loss_history"])
            v.reset()
    assert v.state["loss_history"] == first_run


def test_invalid_hidden_sizes_show_a_message_and_keep_the_network():
    v = TrainingPlayground(hidden="8,8")
    net = v.net
    v.hidden.value = "8,banana"
    assert v.net is net and v.state["sizes"] == [2, 8, 8, 1]
    assert "hidden layers" in v.message.value and v.state["message_kind"] == "error"
    assert "error" not in v.state  # a rejected setting, not a crash
    v.hidden.value = "3"
    assert v.state["sizes"] == [2, 3, 1] and v.message.value == ""


@pytest.mark.parametrize("name", DATASETS)
def test_every_dataset_builds_and_brings_its_own_batch_size(name):
    v = TrainingPlayground(dataset="xor" if name != "xor" else "moons", batch_size=3)
    v.dataset.value = name
    X, T = getattr(datasets, name)()
    assert v.X.shape == X.shape and v.batch_size.max == len(X)
    assert v.batch_size.value == v.session.settings.batch_size == DEFAULT_BATCH_SIZES[name]
    v.run(2)
    assert v.state["epoch"] == 2 and "error" not in v.state


def test_batch_size_is_not_left_at_xors_after_coming_back():
    # the issue: the slider stayed at 4 after visiting xor and returning to the moons
    v = TrainingPlayground(dataset="moons")
    v.dataset.value = "xor"
    assert v.batch_size.value == 2 and v.batch_size.max == 4
    v.dataset.value = "moons"
    assert v.batch_size.value == 20 and v.batch_size.max == 200
    v.step()
    assert v.session.last_used["batch_size"] == 20


def test_divergence_stops_with_a_message_and_finite_plots():
    v = TrainingPlayground(output="linear", lr=10.0, momentum=0.0, mode="batch")
    v.run(100)
    assert v.state["diverged"] and v.state["epoch"] < 100
    assert "diverged in epoch" in v.state["message"] and v.state["message_kind"] == "error"
    assert np.isfinite(v.state["grid"][2]).all() and np.isfinite(v.state["loss"])
    epochs = v.state["epoch"]
    v.run(10)
    v.step()
    assert v.state["epoch"] == epochs and "press reset" in v.state["message"]
    v.lr.value = 0.001
    v.reset()
    v.run(5)
    assert not v.state["diverged"] and v.state["epoch"] == 5


def test_engine_divergence_error_is_caught_too():
    # without the playground's own early stop the loss runs up to inf, where train() raises
    v = TrainingPlayground(output="linear", lr=10.0, momentum=0.0, mode="batch")
    v.session.explode_at = np.inf
    v.run(200)
    assert v.state["diverged"] and "became inf" in v.state["message"]
    assert all(np.isfinite(W).all() for W in v.net.weights)
    assert np.isfinite(v.state["loss_history"]).all()


def test_nesterov_with_zero_momentum_is_clamped_with_a_warning():
    v = TrainingPlayground(momentum=0.0)
    v.optimizer.value = "Nesterov momentum"
    assert v.momentum.value == 0.9 and v.opt.nesterov and v.opt.momentum == 0.9
    assert v.state["message_kind"] == "warning"


def test_rprop_outside_batch_mode_warns():
    v = TrainingPlayground(mode="online")
    v.optimizer.value = "RPROP"
    assert "batch" in v.state["message"] and v.state["message_kind"] == "warning"
    v.mode.value = "batch"
    assert v.state["message"] == ""


def test_learning_rate_change_reaches_the_optimizer():
    v = TrainingPlayground(lr=0.01)
    v.lr.value = 0.1
    assert v.opt.lr == pytest.approx(0.1)


def test_async_run_animates_pauses_steps_and_resumes():
    v = TrainingPlayground(dataset="xor", hidden="3", epochs_per_run=120, epochs_per_frame=2)
    v.fps = 100.0                              # at most 30 frames (60 epochs) in the first 0.3 s
    seen = []

    async def scenario():
        task = asyncio.get_running_loop().create_task(v.run_async())
        await asyncio.sleep(0.2)
        assert v.state["running"] and v.run_button.disabled
        seen.append(v.state["epoch"])
        v.lr.value = 0.5                       # mid-run: the next frame trains with it, no reset
        await asyncio.sleep(0.1)
        assert v.state["epoch"] > seen[0] and v.opt.lr == 0.5
        v.pause_button.click()
        await asyncio.wait_for(task, 10)

    asyncio.run(scenario())
    paused = v.state["epoch"]
    assert not v.state["running"] and 0 < paused < 120 and v.state["status"] == "paused"
    assert "Paused after epoch" in v.state["message"] and "ready to resume" in v.readout.value
    assert v.run_button.description == "resume" and not v.run_button.disabled
    assert len(v.frame_times) == paused // 2   # one frame per 2 epochs: every tick was drawn
    v.step_button.click()
    assert v.state["epoch"] == paused + 1
    asyncio.run(v.run_async())                 # resume: on to the run's target, not 120 more
    assert v.state["epoch"] == 120 and v.state["status"] == "ready"
    assert v.run_button.description == "run"


def test_frames_come_at_a_steady_rate_not_in_bursts():
    v = TrainingPlayground(dataset="xor", hidden="3", epochs_per_run=30, epochs_per_frame=1)
    v.fps = 40.0
    asyncio.run(v.run_async())
    gaps = np.diff(v.frame_times)
    assert len(v.frame_times) == 30
    # never faster than the frame rate (a late frame is not followed by catch-up frames)
    assert gaps.min() >= 0.9 / v.fps
    assert np.median(gaps) == pytest.approx(1 / v.fps, rel=0.5)


def test_settings_change_mid_run_without_reset_and_the_readout_shows_them():
    v = TrainingPlayground(dataset="moons", hidden="6", seed=3)
    v.run(10)
    before = [W.copy() for W in v.net.weights]
    for control, value in ((v.optimizer, "Nesterov momentum"), (v.lr, 0.1), (v.momentum, 0.5),
                           (v.mode, "online"), (v.mode, "minibatch"), (v.batch_size, 7)):
        control.value = value
        assert v.state["epoch"] == 10                       # nothing was reset
        for W, W0 in zip(v.net.weights, before):
            np.testing.assert_array_equal(W, W0)
        assert v.state["in_force"] == describe(v.session.in_force())
        assert v.state["in_force"] in v.readout.value
    assert "Nesterov momentum, lr 0.1, momentum 0.5 · minibatch of 7" in v.readout.value
    assert v.opt.nesterov and v.opt.lr == 0.1 and v.opt.momentum == 0.5
    v.step()
    assert v.session.last_used == {"mode": "minibatch", "batch_size": 7, "optimizer": repr(v.opt)}


def test_gradient_norm_bars_show_the_last_epoch_and_nothing_before():
    v = TrainingPlayground(dataset="moons", hidden="8,8")
    assert v.state["grad_norms"] is None
    assert not any(b.get_visible() for b in v._bars.bars)  # "?" marks, never a made-up number
    v.run(3)
    norms = v.state["grad_norms"]
    assert norms == v.session.grad_norms[-1] and len(norms) == 3
    heights = [b.get_y() + b.get_height() for b in v._bars.bars]
    np.testing.assert_allclose(heights, norms, rtol=1e-9)


def test_a_refused_setting_snaps_back_with_a_message():
    v = TrainingPlayground(optimizer="Nesterov momentum", momentum=0.9)
    v.momentum.value = 0.0
    assert v.momentum.value == 0.9 and v.opt.momentum == 0.9
    assert "'momentum'" in v.state["message"] and v.state["message_kind"] == "error"


def test_run_button_without_event_loop_trains_synchronously():
    v = TrainingPlayground(dataset="xor", hidden="3", epochs_per_run=7)
    v.run_button.click()
    assert v.state["epoch"] == 7 and not v.state["running"]


def test_settings_that_do_not_apply_are_greyed_out():
    v = TrainingPlayground(mode="batch")
    assert v.batch_size.disabled and not v.lr.disabled
    v.mode.value = "minibatch"
    assert not v.batch_size.disabled
    v.optimizer.value = "RPROP"
    assert v.lr.disabled and v.momentum.disabled
    v.optimizer.value = "gradient descent (momentum)"
    assert not v.lr.disabled and not v.momentum.disabled


def test_run_after_divergence_is_refused_with_its_message_kept():
    from backprop_course.widgets.playground import playground

    pg = playground(output="linear", lr=10.0, momentum=0.0, mode="batch")
    pg.run(100)
    epochs_before = len(pg.state["loss_history"])
    assert pg.state["diverged"]
    pg.run(5)
    assert len(pg.state["loss_history"]) == epochs_before
    assert "diverged earlier" in pg.state["message"] and not pg.state["running"]
