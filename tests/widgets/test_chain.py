"""View 8: vanishing products along a chain, against hand-worked numbers and finite differences."""
import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_course.widgets.chain import ChainView, chain_gradients, chain_view_state, log_limits

ACTS = ["sigmoid", "tanh", "relu", "linear"]


def chain_loss(weights, activation, x=1.0, t=0.0):
    """Independent oracle: the chain written out with math, one neuron at a time."""
    f = {"sigmoid": lambda z: 1 / (1 + math.exp(-z)), "tanh": math.tanh,
         "relu": lambda z: max(z, 0.0), "linear": lambda z: z}[activation]
    a = x
    for w in weights:
        a = f(w * a)
    return 0.5 * (a - t) ** 2


def test_hand_worked_two_layer_sigmoid_chain():
    # z1 = 1*1 = 1, a1 = sigmoid(1) = 0.7310586, f'(z1) = a1(1 - a1) = 0.1966119
    # z2 = 1*a1 = 0.7310586, a2 = sigmoid(0.7310586) = 0.6750375, f'(z2) = 0.2193618
    # dJ/dW2 = (a2 - 0) f'(z2) a1 = 0.6750375 * 0.2193618 * 0.7310586 = 0.1082533
    # dJ/dW1 = (a2 - 0) f'(z2) W2 f'(z1) x = 0.6750375 * 0.2193618 * 0.1966119 = 0.0291139
    r = chain_gradients(2)
    assert r.outputs == pytest.approx([0.7310586, 0.6750375], abs=1e-7)
    assert r.slopes == pytest.approx([0.1966119, 0.2193618], abs=1e-7)
    assert r.grads == pytest.approx([0.0291139, 0.1082533], abs=1e-7)
    assert r.factors == pytest.approx([0.1966119], abs=1e-7)


def test_relu_chain_with_unit_weights_keeps_the_gradient():
    # y = x = 1 at every depth, f' = 1: dJ/dW(l) = (1 - 0) * 1 * 1 = 1 for every layer
    r = chain_gradients(12, "relu", 1.0)
    assert np.all(r.grads == 1.0) and np.all(r.factors == 1.0)


@pytest.mark.parametrize("activation", ACTS)
@pytest.mark.parametrize("depth, weight", [(1, 0.7), (3, 1.3), (6, -0.9), (4, 2.5)])
def test_first_and_last_gradients_match_central_differences(activation, depth, weight):
    r = chain_gradients(depth, activation, weight, x=0.8, target=0.3)
    h = 1e-6
    for layer in (0, depth - 1):
        up = [weight] * depth
        down = [weight] * depth
        up[layer] += h
        down[layer] -= h
        fd = (chain_loss(up, activation, 0.8, 0.3) - chain_loss(down, activation, 0.8, 0.3)) / (2 * h)
        assert r.grads[layer] == pytest.approx(fd, rel=1e-5, abs=1e-10)
    assert r.loss == pytest.approx(chain_loss([weight] * depth, activation, 0.8, 0.3), rel=1e-12)


@pytest.mark.parametrize("activation", ACTS)
def test_first_gradient_is_the_product_of_the_factors(activation):
    # |dJ/dW(1)| = |y - t| f'(z(L)) * prod |W f'(z(l))| * |x|   (lesson 05, section 4)
    r = chain_gradients(7, activation, 1.1, x=0.9, target=0.2)
    expected = abs(r.outputs[-1] - 0.2) * abs(r.slopes[-1]) * np.prod(r.factors) * 0.9
    assert abs(r.grads[0]) == pytest.approx(expected, rel=1e-10)


def test_sigmoid_gradient_vanishes_with_depth():
    first = [abs(chain_gradients(d).grads[0]) for d in range(1, 21)]
    assert all(b < a / 4 for a, b in zip(first, first[1:]))


@pytest.mark.parametrize("kwargs, match", [
    (dict(depth=0), "'depth' parameter of chain_gradients must be an int in"),
    (dict(depth=2.5), "'depth'"),
    (dict(depth=3, activation="softsign"), "'activation'"),
    (dict(depth=3, weight=float("nan")), "'weight'"),
])
def test_bad_arguments_name_the_parameter(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        chain_gradients(**kwargs)


def test_view_rejects_bad_arguments():
    with pytest.raises(ValueError, match="'depth' parameter of ChainView"):
        ChainView(depth=25)
    with pytest.raises(ValueError, match="'weight' parameter of ChainView must be a float in"):
        ChainView(weight=9.0)


def test_log_limits_hold_every_positive_value():
    lo, hi = log_limits(np.array([3e-20, 0.0, 5.0]))
    assert lo < 3e-20 and hi > 5.0


def test_view_state_follows_the_controls():
    v = ChainView()
    v.depth.value = 8
    r = chain_gradients(8, "sigmoid", 1.0)
    np.testing.assert_array_equal(v.state["grads"], np.abs(r.grads))
    v.activation.value = "relu"
    assert v.state["first_grad"] == 1.0 and v.state["message"] == ""
    v.weight.value = -1.0      # the first relu gets z = -1: nothing passes
    assert v.state["zero_layers"] == list(range(1, 9)) and "every layer" in v.state["message"]
    assert bytes(v.image.value[:4]) == b"\x89PNG" and "error" not in v.state


def labelled(html, label):
    """The number printed after ``label = `` in the readout."""
    return float(re.search(re.escape(label) + r" = ([-+]?[0-9.]+(?:e[-+]\d+)?)", html).group(1))


CONTROL_MOVES = st.lists(st.one_of(st.tuples(st.just("depth"), st.integers(1, 20)),
                                   st.tuples(st.just("weight"), st.floats(-5, 5)),
                                   st.tuples(st.just("activation"), st.sampled_from(ACTS))),
                         min_size=1, max_size=12)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(CONTROL_MOVES)
def test_random_control_sequences_keep_readout_and_axes_honest(moves):
    controls = dict(depth=5, weight=1.0, activation="sigmoid")
    for name, value in moves:
        controls[name] = value
        s = chain_view_state(**controls)
        ref = chain_gradients(**controls)
        np.testing.assert_array_equal(s["grads"], np.abs(ref.grads))
        # the readout states the numbers drawn
        html = s["readout"]
        assert labelled(html, "<b>|dJ/dW(1)|") == pytest.approx(s["first_grad"], rel=1e-3)
        assert labelled(html, "|dJ/dW(L)|") == pytest.approx(s["last_grad"], rel=1e-3)
        assert labelled(html, "J") == pytest.approx(s["loss"], rel=1e-3)
        assert f"L = {controls['depth']}<" in html
        # the axes contain what they draw
        lo, hi = s["grad_ylim"]
        drawn = s["grads"][s["grads"] > 1e-300]
        assert np.all((lo <= drawn) & (drawn <= hi))
        assert np.all(s["factors"][np.isfinite(s["factors"])] <= s["factor_ylim"][1])
        assert (s["warning"] != "") == bool(s["zero_layers"])


def test_view_draws_its_state():
    v = ChainView()
    for name, value in [("depth", 12), ("weight", 3.0), ("activation", "tanh"), ("depth", 1)]:
        getattr(v, name).value = value
        s = v.state
        assert v.readout.value == s["readout"] and "error" not in s
        assert v._ax_grad.get_ylim() == pytest.approx(s["grad_ylim"])
        assert v._ax_factor.get_ylim() == pytest.approx(s["factor_ylim"])
        line = v._ax_grad.lines[0]
        np.testing.assert_array_equal(line.get_ydata(), s["grads"][s["grads"] > 1e-300])
