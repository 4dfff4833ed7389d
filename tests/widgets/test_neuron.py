"""View 2: one neuron's weighted sum, activation and slope, against the Value engine."""
import numpy as np
import pytest

from backprop_course.engine.activations import ACTIVATIONS
from backprop_course.engine.value import Value
from backprop_course.widgets.neuron import NeuronView, curve_range, neuron_forward

CASES = [([1.0, -0.5], [0.8, 1.2], 0.3), ([2.0, 1.0, -1.5], [-0.7, 0.25, 1.1], -0.4), ([0.3], [2.5], 1.0)]


def value_neuron(inputs, weights, bias, name):
    """Independent oracle: the scalar autograd engine computes in, a and da/d(in)."""
    z = sum((Value(w) * Value(a) for w, a in zip(weights, inputs)), Value(bias))
    a = {"sigmoid": z.sigmoid, "tanh": z.tanh, "relu": z.relu}[name]()
    a.backward()
    return z.data, a.data, z.grad


def test_hand_worked_sigmoid_neuron():
    # in = 0.8*1 + 1.2*(-0.5) + 0.3 = 0.5; a = 1/(1+e^-0.5) = 0.6224593; g' = a(1-a) = 0.2350037
    r = neuron_forward([1.0, -0.5], [0.8, 1.2], 0.3)
    assert r.net_input == pytest.approx(0.5)
    assert r.output == pytest.approx(0.6224593312, abs=1e-9)
    assert r.slope == pytest.approx(0.2350037122, abs=1e-9)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("inputs, weights, bias", CASES)
def test_matches_the_value_engine(name, inputs, weights, bias):
    r = neuron_forward(inputs, weights, bias, name)
    z, a, slope = value_neuron(inputs, weights, bias, name)
    assert r.net_input == pytest.approx(z, abs=1e-12)
    assert r.output == pytest.approx(a, abs=1e-12)
    assert r.slope == pytest.approx(slope, abs=1e-12)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@pytest.mark.parametrize("inputs, weights, bias", CASES)
def test_slope_matches_central_differences(name, inputs, weights, bias):
    r = neuron_forward(inputs, weights, bias, name)
    h = 1e-6
    up = neuron_forward(inputs, weights, bias + h, name).output
    down = neuron_forward(inputs, weights, bias - h, name).output
    assert r.slope == pytest.approx((up - down) / (2 * h), abs=1e-6)


@pytest.mark.parametrize("z", [-8.0, -1.0, 0.0, 0.7, 5.0])
def test_sigmoid_slope_is_g_times_one_minus_g(z):
    r = neuron_forward([1.0], [z], 0.0, "sigmoid")
    assert r.slope == pytest.approx(r.output * (1 - r.output), rel=1e-12)


def test_bad_input_names_the_parameter():
    with pytest.raises(ValueError, match="'weights'.*one weight per input"):
        neuron_forward([1.0, 2.0], [1.0], 0.0)
    with pytest.raises(ValueError, match="'activation'"):
        neuron_forward([1.0], [1.0], 0.0, "softsign")


@pytest.mark.parametrize("z, expected", [(0.0, (-6, 6)), (5.4, (-6, 6)), (-5.6, (-12, 12)), (13.0, (-18, 18))])
def test_curve_range_grows_in_steps_and_contains_the_point(z, expected):
    lo, hi = curve_range(z)
    assert (lo, hi) == expected and lo < z < hi


@pytest.mark.parametrize("z, current, expected", [
    (5.8, (-12, 12), (-12, 12)),     # inside the wide range, near the boundary: keep it
    (2.0, (-12, 12), (-6, 6)),       # well inside the narrow one: go back
    (13.0, (-12, 12), (-18, 18)),    # outside: grow
    (-20.0, (-24, 24), (-24, 24)),
    (5.0, (-24, 24), (-6, 6)),
])
def test_curve_range_has_hysteresis(z, current, expected):
    assert curve_range(z, current=current) == expected


def test_view_state_follows_the_sliders():
    v = NeuronView()
    fig = v.fig
    v.weights[0].value = -1.25
    r = neuron_forward([s.value for s in v.inputs], [s.value for s in v.weights], v.bias.value)
    assert (v.state["net_input"], v.state["output"], v.state["slope"]) == (r.net_input, r.output, r.slope)
    v.activation.value = "tanh"
    z, a, slope = value_neuron(v.state["inputs"], v.state["weights"], v.state["bias"], "tanh")
    assert v.state["output"] == pytest.approx(a) and v.state["slope"] == pytest.approx(slope)
    assert v.state["slope_formula"] == "1 - a^2"
    assert v.fig is fig and bytes(v.image.value[:4]) == b"\x89PNG"


def test_view_set_and_sign_of_the_net_input():
    v = NeuronView(inputs=(1.0, 1.0, 1.0), weights=(0.5, 0.5, 0.5), bias=0.0)
    assert v.state["net_input"] == pytest.approx(1.5)
    v.set(weights=[-0.5, -0.5, -0.5], bias=0.2)
    assert v.state["net_input"] == pytest.approx(-1.3) and v.state["output"] < 0.5
    with pytest.raises(ValueError, match="'weights'"):
        v.set(weights=[1.0])


def test_view_clamps_out_of_range_values_and_says_so():
    v = NeuronView(limit=3.0)
    v.set(inputs=[10.0, 0.0])       # the slider clamps to its maximum
    assert v.state["inputs"][0] == 3.0
    assert "a1" in v.state["message"] and "end of the slider range" in v.state["message"]
    assert "error" not in v.state
    v.set(inputs=[1.0, 0.0])
    assert v.state["message"] == ""


def test_view_far_operating_point_widens_the_curve_without_error(tmp_path):
    v = NeuronView(inputs=(3.0, 3.0), weights=(3.0, 3.0), bias=3.0)   # in = 21
    assert v.state["net_input"] == pytest.approx(21.0) and "error" not in v.state
    assert v.state["slope"] < 1e-8                                     # deep in saturation
    v.save_png(str(tmp_path / "n.png"))
    assert (tmp_path / "n.png").stat().st_size > 1000
