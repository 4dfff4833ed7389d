"""The playground's training session, without widgets: settings mid-run, reset, runs, invariants."""
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings as hyp_settings, strategies as st

from backprop_course import datasets
from backprop_course.engine.mlp import MLP
from backprop_course.engine.optim import RPROP, SGD
from backprop_course.engine.training import train
from backprop_course.widgets.training_session import (DATASETS, DEFAULT_BATCH_SIZES,
                                                      OPTIMIZER_CHOICES, Settings, TrainingSession,
                                                      describe)

SMALL = dict(dataset="xor", hidden="3", lr=0.5, momentum=0.9, mode="batch")


def weights(session):
    return [W.copy() for W in session.net.weights]


def test_a_fresh_session_is_the_engine_network_before_training():
    s = TrainingSession(dataset="circles", hidden="5,3", activation="sigmoid", seed=4)
    ref = MLP([2, 5, 3, 1], activation="sigmoid", init="xavier", seed=4)
    for W, W_ref in zip(s.net.weights, ref.weights):
        np.testing.assert_array_equal(W, W_ref)
    assert s.epoch == 0 and s.status == "ready" and s.grad_norms == [] and s.last_used is None
    assert s.settings.hidden == (5, 3) and s.settings.batch_size == DEFAULT_BATCH_SIZES["circles"]


def test_lr_changed_mid_run_applies_from_the_next_epoch_and_the_weights_continue():
    # batch mode has no randomness: 5 epochs at lr 0.5, then 5 at lr 0.1, must equal two train()
    # calls on one network with the same optimizer object whose lr is changed in between
    s = TrainingSession(**SMALL, seed=2)
    s.run(10)
    for _ in range(3):
        s.tick()                                     # 2 epochs per frame: 6 epochs
    s.pause()
    assert s.epoch == 6 and s.status == "paused"
    before = weights(s)
    changed = s.apply(lr=0.1)
    assert changed == {"lr"} and s.epoch == 6       # not reset: history and weights kept
    for W, W0 in zip(s.net.weights, before):
        np.testing.assert_array_equal(W, W0)
    s.resume()
    while s.running:
        s.tick()
    assert s.epoch == 10 and s.status == "ready"

    X, T = datasets.xor()
    ref = MLP([2, 3, 1], activation=["tanh", "sigmoid"], init="xavier", seed=2)
    opt = SGD(lr=0.5, momentum=0.9)
    h1 = train(ref, X, T, opt, mode="batch", epochs=6)
    opt.lr = 0.1                                     # the velocity is kept, as in the session
    h2 = train(ref, X, T, opt, mode="batch", epochs=4)
    np.testing.assert_allclose(s.loss_history, h1.loss + h2.loss, rtol=1e-12)
    for W, W_ref in zip(s.net.weights, ref.weights):
        np.testing.assert_allclose(W, W_ref, rtol=1e-12)


def test_a_new_optimizer_starts_with_fresh_memory_and_the_same_weights():
    s = TrainingSession(**SMALL, seed=1)
    s.step(5)
    before = weights(s)
    assert s.apply(optimizer="RPROP") == {"optimizer"}
    assert isinstance(s.opt, RPROP) and s.epoch == 5
    for W, W0 in zip(s.net.weights, before):
        np.testing.assert_array_equal(W, W0)
    s.step(1)
    assert s.last_used["optimizer"].startswith("RPROP")


@pytest.mark.parametrize("mode, per_update", [("online", 1), ("batch", 200), ("minibatch", 7)])
def test_mode_and_batch_size_reach_the_engine_from_the_next_epoch(mode, per_update):
    s = TrainingSession(dataset="moons", hidden="4")
    s.step(1)
    assert s.last_used["mode"] == "minibatch" and s.last_used["batch_size"] == 20
    s.apply(mode=mode, batch_size=7)
    s.step(1)
    assert s.last_used["mode"] == mode and s.last_used["batch_size"] == per_update
    assert s.epoch == 2


def test_reset_restores_the_same_initial_weights_every_time():
    s = TrainingSession(dataset="xor", hidden="3", seed=7)
    initial = weights(s)
    s.step(15)
    assert not np.allclose(s.net.weights[0], initial[0])
    s.apply(lr=0.2, mode="online")                   # training settings survive a reset
    s.reset()
    for W, W0 in zip(s.net.weights, initial):
        np.testing.assert_array_equal(W, W0)
    assert s.epoch == 0 and s.grad_norms == [] and s.diverged is None and s.status == "ready"
    assert s.settings.lr == 0.2 and s.opt.lr == 0.2 and s.opt.velocity is None
    first = (s.step(10), list(s.loss_history))
    s.reset()
    assert (s.step(10), list(s.loss_history)) == first  # the same run, number for number


def test_structure_change_draws_a_new_network_from_the_seed_and_stops_the_run():
    s = TrainingSession(dataset="moons", hidden="8,8", seed=3)
    s.run(100)
    s.tick()
    assert s.apply(hidden="4") == {"hidden"}
    assert s.net.sizes == [2, 4, 1] and s.epoch == 0 and s.status == "ready"
    ref = MLP([2, 4, 1], activation=["tanh", "sigmoid"], seed=3)
    np.testing.assert_array_equal(s.net.weights[0], ref.weights[0])


def test_step_pause_resume_and_run_grouping_give_the_same_weights():
    a, b, c = (TrainingSession(dataset="moons", hidden="6", batch_size=16, seed=1) for _ in range(3))
    a.step(12)
    b.run(12)
    while b.running:
        b.tick()
        if b.epoch == 4:
            b.pause()
            b.step()                                  # one epoch while paused
            b.step()
            b.resume()
    for _ in range(12):
        c.step()
    assert a.epoch == b.epoch == c.epoch == 12
    for other in (b, c):
        assert other.loss_history == a.loss_history
        for W, W_ref in zip(other.net.weights, a.net.weights):
            np.testing.assert_array_equal(W, W_ref)


def test_tick_does_nothing_unless_running_and_stops_at_the_target():
    s = TrainingSession(**SMALL, epochs_per_frame=3)
    assert s.tick() == 0 and s.epoch == 0
    s.run(7)
    assert [s.tick() for _ in range(4)] == [3, 3, 1, 0]
    assert s.epoch == 7 and not s.running and s.status == "ready"
    s.resume()                                        # nothing left to resume
    assert not s.running


def test_batch_size_follows_the_dataset():
    # the issue: the batch size stayed at 4 after visiting xor and coming back to the moons
    s = TrainingSession(dataset="moons")
    assert s.settings.batch_size == 20
    s.apply(dataset="xor")
    assert s.settings.batch_size == DEFAULT_BATCH_SIZES["xor"] <= len(s.X) == 4
    s.apply(dataset="moons")
    assert s.settings.batch_size == 20
    s.apply(dataset="circles", batch_size=50)         # given in the same call: kept
    assert s.settings.batch_size == 50


@pytest.mark.parametrize("changes, match", [
    ({"lr": -0.1}, r"'lr' parameter of the playground must be a float > 0\. Got -0\.1"),
    ({"momentum": 1.0}, r"'momentum' .* must be a float in \[0, 1\)"),
    ({"batch_size": 500}, r"'batch_size' .* must be an int in \[1, 200\]"),
    ({"dataset": "iris"}, r"'dataset' .* must be one of 'moons'"),
    ({"hidden": "8,x"}, r"'hidden layers' setting must be"),
    ({"optimizer": "Nesterov momentum", "momentum": 0.0}, r"'momentum' .* > 0 with Nesterov"),
    ({"learning_rate": 0.1}, r"'learning_rate' setting .* must be one of the settings"),
])
def test_refused_settings_name_the_setting_and_change_nothing(changes, match):
    s = TrainingSession(dataset="moons")
    s.step(2)
    before, opt, net = s.settings, s.opt, s.net
    with pytest.raises((ValueError, TypeError), match=match):
        s.apply(**changes)
    assert s.settings == before and s.opt is opt and s.net is net and s.epoch == 2


def test_divergence_is_reported_and_training_refused_until_reset():
    s = TrainingSession(output="linear", lr=10.0, momentum=0.0, mode="batch")
    s.run(100)
    while s.running:
        s.tick()
    assert s.diverged and "diverged in epoch" in s.diverged and s.epoch < 100
    assert np.isfinite(s.loss_history).all() and all(np.isfinite(W).all() for W in s.net.weights)
    assert s.step(5) == 0 and s.status == "diverged"
    s.apply(lr=0.001)
    s.reset()
    assert s.step(5) == 5 and s.diverged is None


def test_engine_divergence_error_keeps_the_last_finite_network():
    s = TrainingSession(output="linear", lr=10.0, momentum=0.0, mode="batch")
    s.explode_at = np.inf                             # only the engine's inf/NaN check is left
    s.step(200)
    assert "became inf" in s.diverged
    assert all(np.isfinite(W).all() for W in s.net.weights)


def test_describe_names_every_setting_in_force():
    text = describe(Settings(dataset="xor", hidden=(3,), optimizer="Nesterov momentum", lr=0.25,
                             momentum=0.5, mode="minibatch", batch_size=2))
    assert text == ("xor · 2-3-1 tanh/sigmoid, xavier init · Nesterov momentum, lr 0.25, "
                    "momentum 0.5 · minibatch of 2")
    assert "lr and momentum unused" in describe(Settings(optimizer="RPROP"))


def test_the_session_imports_no_widgets_or_drawing():
    code = ("import sys\n"
            "from backprop_course.widgets.training_session import TrainingSession\n"
            "TrainingSession().step(1)\n"
            "print(sorted(m for m in ('ipywidgets', 'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# -- random sequences of actions: the invariants hold after every one ------------------------------
ACTIONS = st.one_of(
    st.tuples(st.just("lr"), st.sampled_from([1e-3, 0.05, 0.5, 3.0, 30.0])),
    st.tuples(st.just("momentum"), st.sampled_from([0.0, 0.5, 0.9])),
    st.tuples(st.just("optimizer"), st.sampled_from(OPTIMIZER_CHOICES)),
    st.tuples(st.just("mode"), st.sampled_from(["online", "batch", "minibatch"])),
    st.tuples(st.just("batch_size"), st.integers(1, 6)),
    st.tuples(st.just("output"), st.sampled_from(["sigmoid", "linear"])),
    st.tuples(st.just("dataset"), st.sampled_from(DATASETS)),
    st.tuples(st.just("step"), st.integers(1, 3)),
    st.tuples(st.just("tick"), st.just(None)),
    st.tuples(st.just("run"), st.integers(1, 5)),
    st.tuples(st.just("pause"), st.just(None)),
    st.tuples(st.just("resume"), st.just(None)),
    st.tuples(st.just("reset"), st.just(None)),
)


@hyp_settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ACTIONS, min_size=1, max_size=12))
def test_invariants_hold_after_any_sequence_of_actions(actions):
    s = TrainingSession(dataset="xor", hidden="3", mode="batch", seed=5)
    epochs_run = 0                                    # counted here, independently of the session
    trained = 0
    for name, arg in actions:
        before, trained = s.settings, 0
        if name in ("step", "tick", "run", "pause", "resume", "reset"):
            if name == "reset":
                s.reset()
                epochs_run = 0
            elif name in ("step", "tick"):
                trained = s.step(arg) if name == "step" else s.tick()
                epochs_run += trained
            else:
                getattr(s, name)(*(() if arg is None else (arg,)))
        else:
            try:
                changed = s.apply(**{name: arg})
            except ValueError:                        # e.g. Nesterov with momentum 0, batch > n
                assert s.settings == before
                continue
            if changed & {"dataset", "output"}:
                epochs_run = 0                        # a new network starts from epoch 0
            if name == "dataset" and arg != before.dataset:
                assert s.settings.batch_size == DEFAULT_BATCH_SIZES[arg]
        # the readout (read from the network and optimizer) shows the settings in force
        assert s.in_force() == s.settings
        assert describe(s.in_force()) == describe(s.settings)
        # history length == epochs run; one gradient-norm row per epoch, one norm per layer
        assert s.epoch == len(s.loss_history) == len(s.grad_norms) == epochs_run
        assert all(len(row) == len(s.net.sizes) - 1 for row in s.grad_norms)
        # the loss is finite, or divergence is reported (and then nothing runs)
        assert np.isfinite(s.loss_history).all()
        assert np.isfinite(float(s.net.loss(s.X, s.T))) or s.diverged
        if s.diverged:
            assert not s.running and s.status == "diverged"
        # what the engine used for the last epoch is what was in force then
        if name in ("step", "tick") and trained:
            per_update = {"online": 1, "batch": len(s.X)}.get(s.settings.mode, s.settings.batch_size)
            assert s.last_used["mode"] == s.settings.mode
            assert s.last_used["batch_size"] == per_update


def test_steps_by_hand_past_a_runs_target_end_the_run():
    # found by the property test: run(1), then step(2) while running, then a frame
    s = TrainingSession(dataset="moons", hidden="4", seed=3)
    s.run(1)
    s.step(2)
    assert s.tick() == 0 and not s.running and s.epoch == 2


@pytest.mark.parametrize("choice, name, options, expected", [
    ("gradient descent (momentum)", "sgd", {"lr": 0.5, "momentum": 0.9},
     "SGD(lr=0.5, momentum=0.9, nesterov=False)"),
    ("Nesterov momentum", "sgd", {"lr": 0.5, "momentum": 0.9, "nesterov": True},
     "SGD(lr=0.5, momentum=0.9, nesterov=True)"),
    ("RPROP", "rprop", {},   # RPROP takes neither lr nor momentum: it adapts one step size per weight
     "RPROP(eta_plus=1.2, eta_minus=0.5, step_init=0.1, step_min=1e-06, step_max=50.0, variant='irprop-')"),
])
def test_each_choice_is_an_engine_optimizer_built_from_the_registry(choice, name, options, expected):
    from backprop_course.widgets.training_session import optimizer_options

    assert optimizer_options(choice, 0.5, 0.9) == (name, options)
    session = TrainingSession(**SMALL, optimizer=choice)
    assert repr(session.opt) == expected
