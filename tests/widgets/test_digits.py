"""View 11: lesson 12's digits network learning, against bc.train and counts made here by hand."""
import asyncio
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_course import datasets
from backprop_course.engine.mlp import MLP
from backprop_course.engine.optim import SGD
from backprop_course.engine.training import train
from backprop_course.widgets.digits import (HIDDEN_WIDTHS, SHOWN_MISTAKES, DigitsRun, DigitsView,
                                            confusion_matrix, digits_view_state)

X_ALL, T_ALL = datasets.digits()
SPLIT = datasets.train_test_split(X_ALL, T_ALL, test_fraction=0.25, seed=0)   # lesson 12's split
# a smaller split for the tests that build many views: 300 training and 100 test images
SMALL = (SPLIT[0][:300], SPLIT[1][:100], SPLIT[2][:300], SPLIT[3][:100])


def lesson_net(hidden=32, seed=0):
    return MLP([64, hidden, 10], activation=["tanh", "sigmoid"], init="xavier", seed=seed)


@pytest.mark.parametrize("chunks", [[3], [1, 1, 1], [2, 1]])
def test_run_is_bc_train_number_for_number_however_epochs_are_grouped(chunks):
    run = DigitsRun(data=SPLIT)
    for c in chunks:
        assert run.step(c) == c
    ref = lesson_net()
    hist = train(ref, SPLIT[0], SPLIT[2], SGD(lr=0.005, momentum=0.9), mode="minibatch", batch_size=32,
                 epochs=3, seed=0)
    assert run.loss == hist.loss and run.initial_loss == hist.initial_loss
    assert run.updates == hist.updates == 3 * 43
    for a, b in zip(run.net.parameters(), ref.parameters()):
        np.testing.assert_array_equal(a, b)


def test_other_settings_and_a_rate_change_between_epochs_match_bc_train():
    run = DigitsRun(hidden=8, lr=0.01, momentum=0.5, batch_size=50, seed=3, data=SMALL)
    run.step(2)
    run.set_rate(lr=0.02)
    run.step(1)
    ref, opt = lesson_net(8, seed=3), SGD(lr=0.01, momentum=0.5)
    # bc.train with one generator over all epochs: change the rate from a callback after epoch 2
    hist = train(ref, SMALL[0], SMALL[2], opt, mode="minibatch", batch_size=50, epochs=3, seed=3,
                 callback=lambda e, h: setattr(opt, "lr", 0.02) if e == 2 else None)
    assert run.loss == hist.loss
    np.testing.assert_array_equal(run.net.weights[0], ref.weights[0])


def test_accuracy_and_confusion_counted_image_by_image():
    run = DigitsRun(data=SPLIT)
    run.step(2)
    s = digits_view_state(run)
    correct_train = correct_test = 0
    confusion = [[0] * 10 for _ in range(10)]
    for x, t in zip(SPLIT[0], SPLIT[2]):
        correct_train += int(np.argmax(run.net.forward(x)) == np.argmax(t))
    for x, t in zip(SPLIT[1], SPLIT[3]):
        said, true = int(np.argmax(run.net.forward(x))), int(np.argmax(t))
        correct_test += said == true
        confusion[true][said] += 1
    assert s["train_acc"][-1] == pytest.approx(correct_train / 1348, abs=1e-12)
    assert s["test_acc"][-1] == pytest.approx(correct_test / 449, abs=1e-12)
    assert s["confusion"].tolist() == confusion
    assert len(s["wrong"]) == 449 - correct_test
    # E per sample: the half sum of squares over the test set, divided by its size
    E = sum(0.5 * np.sum((t - run.net.forward(x)) ** 2) for x, t in zip(SPLIT[1], SPLIT[3]))
    assert s["test_loss"][-1] == pytest.approx(E / 449, rel=1e-12)


def test_the_shown_digits_really_are_misclassified():
    run = DigitsRun(data=SPLIT)
    run.step(1)
    s = digits_view_state(run)
    assert 0 < len(s["shown"]) == min(SHOWN_MISTAKES, len(s["wrong"]))
    for i, true, said in zip(s["shown"], s["shown_true"], s["shown_said"]):
        y = run.net.forward(SPLIT[1][i])
        assert int(np.argmax(SPLIT[3][i])) == true and int(np.argmax(y)) == said != true
    # the first ones in test-set order: no misclassified image comes before the last one shown
    before = [i for i in range(s["shown"][-1]) if np.argmax(run.net.forward(SPLIT[1][i])) != np.argmax(SPLIT[3][i])]
    assert before == list(s["shown"][:-1])


def test_confusion_matrix_by_hand():
    # truth 0, 1, 1, 2; answers 0, 2, 1, 2: one hit for 0, one 1 said as 2, one hit for 1, one for 2
    C = confusion_matrix(np.array([0, 1, 1, 2]), np.array([0, 2, 1, 2]), classes=3)
    assert C.tolist() == [[1, 0, 0], [0, 1, 1], [0, 0, 1]]


def test_view_default_is_lesson_12_and_step_reset_repeat_the_numbers():
    v = DigitsView(data=SMALL)
    assert v.state["epoch"] == 0 and len(v.state["train_loss"]) == 1
    v.step_button.click()
    v.step_button.click()
    first = v.state["train_loss"].copy()
    assert v.state["epoch"] == 2 and first[-1] < first[0]
    v.reset_button.click()
    assert v.state["epoch"] == 0
    v.train(2)
    np.testing.assert_array_equal(v.state["train_loss"], first)
    assert v.image.value[:8] == b"\x89PNG\r\n\x1a\n"


def test_hidden_width_builds_a_new_network_from_the_same_seed():
    v = DigitsView(data=SMALL)
    v.step()
    v.hidden.value = 8
    assert v.state["epoch"] == 0 and v.run.net.sizes == [64, 8, 10]
    np.testing.assert_array_equal(v.run.net.weights[0], lesson_net(8).weights[0])


def test_animated_run_trains_to_the_target_and_pause_stops_it():
    v = DigitsView(data=SMALL, epochs_per_run=4, epochs_per_frame=1)
    v.fps = 1000.0

    async def go():
        await v.train_async()
    asyncio.run(go())
    assert v.state["epoch"] == 4 and v.state["running"] is False and not v.run_button.disabled

    async def go_and_pause():
        task = asyncio.ensure_future(v.train_async(10))
        await asyncio.sleep(0)
        v.pause()
        await task
    asyncio.run(go_and_pause())
    assert 4 < v.state["epoch"] < 14


@pytest.mark.parametrize("kwargs, name", [(dict(hidden=7), "hidden"), (dict(lr=0.0), "lr"),
                                          (dict(lr=5.0), "lr"), (dict(momentum=1.0), "momentum"),
                                          (dict(epochs_per_run=0), "epochs_per_run"),
                                          (dict(batch_size=0), "batch_size")])
def test_bad_arguments_name_the_parameter(kwargs, name):
    with pytest.raises((ValueError, TypeError), match=f"'{name}' parameter"):
        DigitsView(data=SMALL, **kwargs)


def test_bad_data_and_rates_name_the_parameter():
    with pytest.raises(ValueError, match="'data' parameter"):
        DigitsRun(data=SMALL[:2])
    run = DigitsRun(data=SMALL)
    with pytest.raises(ValueError, match="'lr' parameter"):
        run.set_rate(lr=-1.0)


_VIEWS = []


def _shared_view():
    if not _VIEWS:
        _VIEWS.append(DigitsView(data=SMALL, epochs_per_run=3))
    return _VIEWS[0]


ACTIONS = st.lists(st.one_of(
    st.tuples(st.just("step"), st.integers(1, 2)),
    st.tuples(st.just("lr"), st.floats(-4, 0).map(lambda e: round(10 ** e, 6))),
    st.tuples(st.just("momentum"), st.floats(0, 0.99).map(lambda m: round(m, 2))),
    st.tuples(st.just("hidden"), st.sampled_from(HIDDEN_WIDTHS)),
    st.tuples(st.just("reset"), st.none()),
    st.tuples(st.just("epochs_per_run"), st.integers(1, 5))), min_size=1, max_size=6)


@pytest.mark.slow  # about 0.3 s per example (each control change redraws)
@settings(max_examples=25, deadline=None)
@given(ACTIONS)
def test_random_control_sequences_readout_equals_state_and_axes_hold_what_they_draw(actions):
    v = _shared_view()
    with v.held():   # back to the start: one view for every example keeps the test fast
        v.hidden.value, v.lr.value, v.momentum.value, v.epochs_per_run.value = 32, 0.005, 0.9, 3
    v.reset()
    epochs = 0
    for kind, value in actions:
        if kind == "step":
            v.train(value)
            epochs += value
        elif kind in ("reset", "hidden"):
            if kind == "reset":
                v.reset_button.click()
            else:
                changed = v.hidden.value != value
                v.hidden.value = value
                if not changed:
                    continue
            epochs = 0
        else:
            getattr(v, kind).value = value
    check_view_draws_its_state(v, epochs)


def test_a_fixed_control_sequence_draws_the_state():   # the fast tier's share of the property test
    v = DigitsView(data=SMALL, epochs_per_run=2)
    v.train(3)                      # past epochs_per_run: the epoch axis grows
    v.lr.value = 0.02
    v.step()
    check_view_draws_its_state(v, 4)
    assert v._ax_loss.get_xlim() == (0.0, 4.0)


def check_view_draws_its_state(v, epochs):
    s = v.state
    assert s["epoch"] == epochs == len(s["train_loss"]) - 1
    assert v.run.opt.lr == pytest.approx(v.lr.value) and v.run.opt.momentum == pytest.approx(v.momentum.value)
    # the readout states the state's numbers
    text = re.sub("<[^>]+>", "", s["readout"])
    assert f"epoch {epochs} " in text and f"64-{v.hidden.value}-10" in text
    assert f"training {s['train_loss'][-1]:.4f}, test {s['test_loss'][-1]:.4f}" in text
    assert f"training {100 * s['train_acc'][-1]:.1f}%, test {100 * s['test_acc'][-1]:.1f}%" in text
    assert f"({len(s['wrong'])} of 100 test images wrong)" in text
    # each curve draws the state's numbers, inside its axes' limits
    for ax, names in ((v._ax_loss, ("train_loss", "test_loss")), (v._ax_acc, ("train_acc", "test_acc"))):
        lo, hi = ax.get_ylim()
        x0, x1 = ax.get_xlim()
        for name in names:
            xd, yd = v._lines[name].get_data()
            np.testing.assert_array_equal(xd, s["epochs"])
            np.testing.assert_array_equal(yd, s[name])
            assert lo <= yd.min() and yd.max() <= hi and x0 <= xd.min() and xd.max() <= x1
    # the digit strip shows the shown images, captioned with their labels
    for i, (img, cap) in enumerate(zip(v._images, v._captions)):
        if i < len(s["shown"]):
            np.testing.assert_array_equal(img.get_array(), SMALL[1][s["shown"][i]].reshape(8, 8))
            assert cap.get_text() == f"true {s['shown_true'][i]}, said {s['shown_said'][i]}"
            assert s["predicted"][s["shown"][i]] != np.argmax(SMALL[3][s["shown"][i]])
        else:
            assert not img.get_visible() and cap.get_text() == ""
