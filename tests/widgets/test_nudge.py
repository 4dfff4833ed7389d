"""View 9: nudge one input, against a hand-worked neuron, a numpy oracle and finite differences."""
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_course.engine.mlp import MLP
from backprop_course.widgets.nudge import (NudgeView, error_along_input, nudge_input,
                                           nudge_view_state)

SIZES = [4, 5, 3]


def make_net(seed=1):
    return MLP(SIZES, activation="sigmoid", init="standard_normal", seed=seed)


X0, T0 = np.array([0.4, -0.7, 1.1, 0.2]), np.array([0.1, 0.9, 0.3])


def oracle_error(net, x, t):
    """Independent oracle: the sigmoid network written out in numpy, E = 1/2 sum (t - y)^2."""
    a = np.asarray(x, float)
    for W, b in zip(net.weights, net.biases):
        a = 1.0 / (1.0 + np.exp(-(W @ a + b)))
    return 0.5 * float(np.sum((np.asarray(t) - a) ** 2)), a


def test_hand_worked_linear_neuron():
    # y = 2 x0 - x1 = 1 at x = (1, 1); E = (y - 0)^2 / 2 = 0.5; dE/dx0 = y * 2 = 2, dE/dx1 = -1
    # nudge x0 by 0.1: y = 1.2, E = 0.72; prediction 0.5 + 2 * 0.1 = 0.7; dE/dx0 after = 2.4
    net = MLP([2, 1], activation="linear", bias=False)
    net.weights[0][:] = [[2.0, -1.0]]
    r = nudge_input(net, [1.0, 1.0], [0.0], 0, 0.1)
    assert r.loss0 == 0.5 and r.loss == pytest.approx(0.72)
    assert r.predicted == pytest.approx(0.7)
    np.testing.assert_allclose(r.grad0, [2.0, -1.0])
    np.testing.assert_allclose(r.grad, [2.4, -1.2])
    np.testing.assert_allclose(r.outputs, [1.2])


@pytest.mark.parametrize("index", range(4))
@pytest.mark.parametrize("dx", [-0.3, 0.05, 0.2])
def test_matches_the_numpy_oracle_and_central_differences(index, dx):
    net = make_net()
    r = nudge_input(net, X0, T0, index, dx)
    moved = X0.copy()
    moved[index] += dx
    e0, y0 = oracle_error(net, X0, T0)
    e1, y1 = oracle_error(net, moved, T0)
    assert r.loss0 == pytest.approx(e0, rel=1e-12) and r.loss == pytest.approx(e1, rel=1e-12)
    np.testing.assert_allclose(r.outputs0, y0, rtol=1e-12)
    np.testing.assert_allclose(r.outputs, y1, rtol=1e-12)
    h = 1e-6
    for x, grad in ((X0, r.grad0), (moved, r.grad)):
        for k in range(4):
            up, down = x.copy(), x.copy()
            up[k] += h
            down[k] -= h
            fd = (oracle_error(net, up, T0)[0] - oracle_error(net, down, T0)[0]) / (2 * h)
            assert grad[k] == pytest.approx(fd, rel=1e-6, abs=1e-10)


def test_prediction_error_shrinks_with_the_square_of_dx():
    net = make_net()
    miss = [abs(nudge_input(net, X0, T0, 2, d).loss - nudge_input(net, X0, T0, 2, d).predicted)
            for d in (0.01, 0.1)]
    assert 50 < miss[1] / miss[0] < 200


def test_error_along_input_passes_through_the_sample():
    net = make_net()
    curve = error_along_input(net, X0, T0, 1, np.array([-0.2, 0.0, 0.2]))
    assert curve[1] == pytest.approx(oracle_error(net, X0, T0)[0], rel=1e-12)


@pytest.mark.parametrize("kwargs, kind, match", [
    (dict(index=4, dx=0.1), ValueError, "'index' parameter of nudge_input must be an int in \\[0, 3\\]"),
    (dict(index=1.0, dx=0.1), TypeError, "'index'"),
    (dict(index=1, dx=float("inf")), ValueError, "'dx'"),
])
def test_bad_arguments_name_the_parameter(kwargs, kind, match):
    with pytest.raises(kind, match=match):
        nudge_input(make_net(), X0, T0, **kwargs)


def test_bad_samples_name_the_parameter():
    with pytest.raises(ValueError, match="'x' parameter of nudge_input must be one sample of 4 inputs"):
        nudge_input(make_net(), X0[:3], T0, 0, 0.1)
    with pytest.raises(ValueError, match="'t' parameter"):
        nudge_input(make_net(), X0, T0[:2], 0, 0.1)
    with pytest.raises(ValueError, match="'dx' parameter of nudge_view_state must be within"):
        nudge_view_state(make_net(), X0, T0, 0, 0.6, span=0.5)
    with pytest.raises(ValueError, match="'x' parameter of NudgeView"):
        NudgeView(make_net())


def labelled(html, label):
    return [float(v) for v in re.findall(re.escape(label) + r"([-+]?\d+\.\d+)", html)]


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.lists(st.one_of(st.tuples(st.just("index"), st.integers(0, 3)),
                          st.tuples(st.just("dx"), st.floats(-0.5, 0.5))), min_size=1, max_size=10))
def test_random_control_sequences_keep_readout_and_axes_honest(moves):
    net = make_net(seed=3)
    controls = dict(index=0, dx=0.0)
    for name, value in moves:
        controls[name] = value
        s = nudge_view_state(net, X0, T0, span=0.5, **controls)
        html = s["readout"]
        # the readout states the numbers drawn
        assert labelled(html, "<b>E = ") == [pytest.approx(s["loss0"], abs=1e-6)]
        assert labelled(html, "&rarr; ")[1] == pytest.approx(s["loss"], abs=1e-6)
        assert labelled(html, "true change ") == [pytest.approx(s["true_change"], abs=1e-6)]
        shown = float(re.search(r"&times; [-+]?\d+\.\d+ = ([-+]?\d+\.\d+)", html).group(1))
        assert shown == pytest.approx(s["predicted_change"], abs=1e-6)
        assert f"x<sub>{controls['index']}</sub>" in html
        assert s["predicted"] == pytest.approx(s["loss0"] + s["grad0"][s["index"]] * s["dx"])
        # the axes contain what they draw
        lo, hi = s["xlim"]
        assert lo <= s["offsets"].min() and s["offsets"].max() <= hi and lo <= s["dx"] <= hi
        lo, hi = s["ylim"]
        for drawn in (s["curve"], s["tangent"], [s["loss"], s["predicted"]]):
            assert np.all((lo <= np.asarray(drawn)) & (np.asarray(drawn) <= hi))
        lo, hi = s["output_ylim"]
        assert np.all((lo <= s["outputs"]) & (s["outputs"] <= hi) & (lo <= s["target"]) & (s["target"] <= hi))
        lo, hi = s["grad_ylim"]
        assert np.all((lo <= s["grad"]) & (s["grad"] <= hi) & (lo <= s["grad0"]) & (s["grad0"] <= hi))


def test_view_draws_its_state_and_leaves_the_net_alone():
    net = make_net()
    before = [w.copy() for w in net.weights]
    v = NudgeView(net, X0, T0)
    assert v.index.value == int(np.argmax(np.abs(v.state["grad0"])))   # starts on the steepest input
    v.set(index=2, dx=0.3)
    s = v.state
    ref = nudge_input(net, X0, T0, 2, 0.3)
    assert s["loss"] == ref.loss and s["predicted"] == ref.predicted and "error" not in s
    assert v.readout.value == s["readout"]
    assert v._ax_error.get_ylim() == pytest.approx(s["ylim"])
    np.testing.assert_array_equal(v._ax_error.lines[0].get_ydata(), s["curve"])
    assert v._ax_error.lines[2].get_xydata().tolist() == [[0.3, s["loss"]]]
    v.dx.value = 9.0                      # the slider clamps to its range
    assert v.state["dx"] == 0.5 and "error" not in v.state
    assert all(np.array_equal(a, b) for a, b in zip(before, net.weights))
