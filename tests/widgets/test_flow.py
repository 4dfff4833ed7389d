"""View 4 (gradient flow) and the network drawing helpers, checked against the engine."""
import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

from backprop_course import datasets
from backprop_course.engine.mlp import MLP
from backprop_course.widgets.flow import (PRESETS, GradientFlowView, delta_table_html, gradient_flow,
                                          loss_along_weight, revealed_layers, weight_options)
from backprop_course.widgets.netplot import (decision_grid, draw_decision_boundary, draw_layer_bars,
                                             draw_loss_curve, draw_loss_slice, draw_network,
                                             edge_segments, edge_style, layer_layout)

SMALL, DEEP_SIGMOID, DEEP_RELU = (list(PRESETS)[0], list(PRESETS)[1], list(PRESETS)[3])


def engine_net(preset, seed=0):
    spec = PRESETS[preset]
    return MLP(spec["sizes"], activation=spec["activation"], init=spec["init"], seed=seed)


# -- pure functions ---------------------------------------------------------------------------------
@pytest.mark.parametrize("sizes", [[2, 1], [2, 3, 2, 1], [1, 4, 1], [3, 5, 5, 2]])
def test_layout_and_segments_follow_the_weight_layout(sizes):
    layout = layer_layout(sizes)
    assert [p.shape for p in layout] == [(n, 2) for n in sizes]
    segs, index = edge_segments(layout)
    assert len(index) == sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    # the order is that of weights[l].ravel(): row j (destination) major, column k (source) minor
    expected = [(l, j, k) for l in range(len(sizes) - 1) for j in range(sizes[l + 1])
                for k in range(sizes[l])]
    assert index == expected
    for (l, j, k), seg in zip(index, segs):
        np.testing.assert_array_equal(seg[0], layout[l][k])
        np.testing.assert_array_equal(seg[1], layout[l + 1][j])


def test_layout_rejects_bad_sizes():
    with pytest.raises(ValueError, match="'sizes' parameter of layer_layout"):
        layer_layout([3])


def test_edge_style_sign_magnitude_and_nan():
    colours, widths = edge_style(np.array([2.0, -1.0, 0.5, np.nan, 0.0]), max_width=5.0, min_width=0.5)
    assert colours[0, 0] > colours[0, 2] and colours[1, 2] > colours[1, 0]   # red vs blue
    assert widths[0] == pytest.approx(5.0) and widths[1] == pytest.approx(0.5 + 4.5 * 0.5)
    assert widths[0] > widths[1] > widths[2] > widths[4]
    assert widths[3] == pytest.approx(0.5) and colours[3, 0] == colours[3, 1] == colours[3, 2]


def test_revealed_layers_walk_down_from_the_output():
    assert [revealed_layers(s, 3) for s in range(5)] == [
        [False, False, False], [False, False, True], [False, True, True], [True, True, True],
        [True, True, True]]


def test_weight_options_cover_every_weight_once():
    sizes = [2, 3, 2, 1]
    keys = [key for _, key in weight_options(sizes)]
    assert sorted(keys) == sorted((l, j, k) for l in range(3) for j in range(sizes[l + 1])
                                  for k in range(sizes[l]))
    assert keys[0][0] == 2  # output layer first


def test_gradient_flow_equals_the_engine():
    X, T = datasets.xor()
    net = engine_net(SMALL, seed=3)
    result = gradient_flow(net, X, T)
    ref = engine_net(SMALL, seed=3)
    ref.forward(X)
    g = ref.backward(T)
    assert result["loss"] == pytest.approx(g.loss)
    for l in range(3):
        np.testing.assert_allclose(result["gradients"].weights[l], g.weights[l])
        np.testing.assert_allclose(result["node_deltas"][l], g.deltas[l].sum(axis=0))
        assert result["grad_norms"][l] == pytest.approx(np.linalg.norm(g.weights[l]))
    np.testing.assert_allclose(result["input_grad"], g.inputs.sum(axis=0))


def test_loss_along_weight_matches_engine_and_leaves_net_alone():
    X, T = datasets.xor()
    net = engine_net(SMALL)
    before = net.weights[1].copy()
    values = np.array([-1.0, 0.25, 2.0])
    losses = loss_along_weight(net, X, T, 1, 1, 2, values)
    np.testing.assert_array_equal(net.weights[1], before)
    for v, e in zip(values, losses):
        probe = engine_net(SMALL)
        probe.weights[1][1, 2] = v
        assert e == pytest.approx(probe.loss(X, T))


def test_delta_table_marks_unknown_layers():
    html = delta_table_html([np.array([0.5, -0.25]), np.array([1.5])], [False, True], np.zeros(2))
    assert html.count("?") == 2 + 2          # layer 1 and the input gradients are not known yet
    assert "+1.50e+00" in html and "+5.00e-01" not in html


# -- drawing helpers --------------------------------------------------------------------------------
def test_draw_functions_return_their_axes():
    fig = Figure()
    axes = fig.subplots(2, 3).ravel()
    sizes = [2, 3, 1]
    W = [np.ones((3, 2)), -np.ones((1, 3))]
    assert draw_network(axes[0], sizes, W, node_values=[None, np.ones(3), np.ones(1)]) is axes[0]
    assert len(axes[0].collections) == 3  # outline, edges, nodes
    assert draw_layer_bars(axes[1], [1e-3, 1e-1], known=[False, True]) is axes[1]
    assert draw_loss_curve(axes[2], [1.0, 0.5, np.nan]) is axes[2]
    assert draw_loss_slice(axes[3], np.linspace(-1, 1, 5), np.linspace(-1, 1, 5) ** 2, 0.5, 0.25,
                           1.0) is axes[3]
    xx, yy, zz = decision_grid(lambda P: P[:, 0] + P[:, 1], np.array([[0.0, 0.0], [1.0, 1.0]]), 7)
    assert draw_decision_boundary(axes[4], xx, yy, zz, np.zeros((2, 2)), np.array([0, 1])) is axes[4]


def test_draw_network_checks_shapes():
    with pytest.raises(ValueError, match="'edge_values' parameter of draw_network"):
        draw_network(Figure().add_subplot(), [2, 3], [np.ones((2, 3))])


def test_decision_grid_evaluates_every_point():
    X = np.array([[0.0, -1.0], [2.0, 3.0]])
    xx, yy, zz = decision_grid(lambda P: 10 * P[:, 0] - P[:, 1], X, resolution=9, margin=0.5)
    assert xx.shape == yy.shape == zz.shape == (9, 9)
    assert xx.min() == pytest.approx(-1.0) and xx.max() == pytest.approx(3.0)
    assert yy.min() == pytest.approx(-3.0) and yy.max() == pytest.approx(5.0)
    np.testing.assert_allclose(zz, 10 * xx - yy)


# -- the view ---------------------------------------------------------------------------------------
def test_view_state_equals_engine_backward():
    v = GradientFlowView(seed=1)
    X, T = datasets.xor()
    ref = engine_net(SMALL, seed=1)
    ref.forward(X)
    g = ref.backward(T)
    assert v.state["loss"] == pytest.approx(g.loss)
    for l in range(3):
        np.testing.assert_allclose(v.state["gradients"].weights[l], g.weights[l])
        np.testing.assert_allclose(v.state["deltas"][l], g.deltas[l])
    assert "error" not in v.state
    assert bytes(v.image.value[:4]) == b"\x89PNG"


@pytest.mark.parametrize("key, value", [((2, 0, 1), 1.7), ((0, 2, 0), -2.25), ((1, 1, 2), 0.4)])
def test_dragging_a_weight_updates_loss_and_all_gradients(key, value):
    v = GradientFlowView()
    fig, first = v.fig, bytes(v.image.value)
    v.set_weight(*key, value)
    X, T = datasets.xor()
    ref = engine_net(SMALL)
    l, j, k = key
    ref.weights[l][j, k] = value
    ref.forward(X)
    g = ref.backward(T)
    assert v.state["loss"] == pytest.approx(g.loss)
    assert v.state["selected"] == key and v.state["weight"] == pytest.approx(value)
    assert v.state["selected_grad"] == pytest.approx(g.weights[l][j, k])
    for ll in range(3):
        np.testing.assert_allclose(v.state["gradients"].weights[ll], g.weights[ll])
    assert v.fig is fig and bytes(v.image.value) != first
    assert f"{g.loss:.5f}" in v.readout.value


def test_selecting_a_weight_shows_its_value_without_changing_it():
    v = GradientFlowView()
    W = v.net.weights[1].copy()
    v.weight_choice.value = (1, 0, 2)
    assert v.weight.value == pytest.approx(round(W[0, 2], 2), abs=0.006)
    np.testing.assert_array_equal(v.net.weights[1], W)


def test_gradient_readout_changes_sign_across_the_minimum_along_a_weight():
    # Oracle: the engine's loss on a fine grid of values of one weight; its minimiser w* is where
    # dE/dw crosses zero, so the view must report dE/dw < 0 left of w* and > 0 right of it.
    X, T = datasets.xor()
    key = (2, 0, 0)
    grid = np.linspace(-6, 6, 1201)
    losses = loss_along_weight(engine_net(SMALL), X, T, *key, grid)
    w_star = grid[np.argmin(losses)]
    assert -5 < w_star < 5
    v = GradientFlowView()
    v.set_weight(*key, round(w_star - 0.5, 2))
    left = v.state["selected_grad"]
    v.set_weight(*key, round(w_star + 0.5, 2))
    right = v.state["selected_grad"]
    assert left < 0 < right


def test_readout_hint_follows_the_sign():
    v = GradientFlowView()
    X, T = datasets.xor()
    grid = np.linspace(-6, 6, 601)
    w_star = grid[np.argmin(loss_along_weight(engine_net(SMALL), X, T, 2, 0, 0, grid))]
    v.set_weight(2, 0, 0, round(w_star + 1.0, 2))
    assert v.state["selected_grad"] > 0 and "decrease w" in v.readout.value
    v.set_weight(2, 0, 0, round(w_star - 1.0, 2))
    assert v.state["selected_grad"] < 0 and "increase w" in v.readout.value


def test_selected_gradient_matches_central_differences():
    v = GradientFlowView(seed=2)
    v.set_weight(1, 1, 0, 0.8)
    X, T = datasets.xor()
    h = 1e-5
    plus, minus = engine_net(SMALL, seed=2), engine_net(SMALL, seed=2)
    plus.weights[1][1, 0], minus.weights[1][1, 0] = 0.8 + h, 0.8 - h
    fd = (plus.loss(X, T) - minus.loss(X, T)) / (2 * h)
    assert v.state["selected_grad"] == pytest.approx(fd, rel=1e-6, abs=1e-10)


def test_step_button_reveals_one_layer_at_a_time_then_wraps():
    v = GradientFlowView()
    L = 3
    assert v.state["step"] == L and all(v.state["revealed"])
    v.forward_button.click()
    assert v.state["step"] == 0 and not any(v.state["revealed"])
    seen = []
    for _ in range(L):
        v.step_button.click()
        seen.append(list(v.state["revealed"]))
    assert seen == [[False, False, True], [False, True, True], [True, True, True]]
    v.step_button.click()
    assert v.state["step"] == 0
    v.all_button.click()
    assert v.state["step"] == L
    assert "complete" in v.state["message"]


def test_stepping_redraws_the_image():
    v = GradientFlowView()
    v.forward_button.click()
    before = bytes(v.image.value)
    v.step_button.click()
    assert bytes(v.image.value) != before


def test_deep_sigmoid_preset_shows_vanishing_gradients():
    v = GradientFlowView(preset=DEEP_SIGMOID)
    norms = np.array(v.state["grad_norms"])
    assert len(norms) == 8
    assert np.all(np.diff(norms) > 0)           # every layer closer to the input gets less
    assert norms[0] < 1e-3 * norms[-1]
    # the engine agrees (independent recomputation)
    X, T = datasets.xor()
    ref = engine_net(DEEP_SIGMOID)
    ref.forward(X)
    np.testing.assert_allclose(norms, [np.linalg.norm(gw) for gw in ref.backward(T).weights])


def test_relu_he_preset_does_not_vanish_like_sigmoid():
    v = GradientFlowView(preset=DEEP_RELU)
    norms = np.array(v.state["grad_norms"])
    assert norms[0] > 0.05 * norms[-1]


def test_changing_preset_rebuilds_everything():
    v = GradientFlowView()
    v.preset.value = DEEP_SIGMOID
    assert v.net.sizes == PRESETS[DEEP_SIGMOID]["sizes"]
    assert len(v.weight_choice.options) == sum(a * b for a, b in zip(v.net.sizes[:-1], v.net.sizes[1:]))
    assert v.state["selected"][0] == 7 and "error" not in v.state


def test_unknown_preset_is_rejected_with_the_template():
    with pytest.raises(ValueError, match="The 'preset' parameter of GradientFlowView must be one of"):
        GradientFlowView(preset="huge")


def test_out_of_range_slider_value_is_clamped_not_raised():
    v = GradientFlowView()
    v.weight.value = 50.0
    assert v.weight.value == v.weight_range
    assert v.state["weight"] == v.weight_range and "error" not in v.state


def test_save_png_writes_the_shown_image(tmp_path):
    v = GradientFlowView()
    path = tmp_path / "flow.png"
    v.save_png(str(path))
    assert path.read_bytes() == bytes(v.image.value)
    assert Image.open(path).size == (int(v.figsize[0] * v.dpi), int(v.figsize[1] * v.dpi))


def test_loss_slice_follows_the_other_weights():
    # the curve of E along the selected weight is cached while only that weight moves; it must be
    # recomputed when any other weight changed
    X, T = datasets.xor()
    v = GradientFlowView()
    grid = np.linspace(-v.weight_range, v.weight_range, 61)

    def expected(key):
        return loss_along_weight(v.net, X, T, *key, grid)

    v.set_weight(2, 0, 1, 0.7)
    np.testing.assert_allclose(v._slice.curve.get_ydata(), expected((2, 0, 1)))
    v.set_weight(2, 0, 1, -1.2)  # same weight: the curve is the same function
    np.testing.assert_allclose(v._slice.curve.get_ydata(), expected((2, 0, 1)))
    v.set_weight(0, 1, 1, 2.5)   # another weight moved: the curve of (0, 1, 1) is fresh ...
    np.testing.assert_allclose(v._slice.curve.get_ydata(), expected((0, 1, 1)))
    v.weight_choice.value = (2, 0, 1)  # ... and so is (2, 0, 1)'s when it is selected again
    np.testing.assert_allclose(v._slice.curve.get_ydata(), expected((2, 0, 1)))


def test_dE_dw_is_shown_only_once_the_backward_pass_reaches_its_layer():
    # Issue 24: "forward pass only" still showed a dE/dw (readout and tangent) nothing had computed.
    v = GradientFlowView()
    L = v.n_layers
    for l in (0, L - 1):
        v.set_weight(l, 0, 0, 0.5)
        v.forward_button.click()
        for step in range(L + 1):
            shown = step >= L - l          # step s reveals the weight layers L-s .. L-1
            assert v.state["selected_grad_shown"] is shown
            assert ("dE/dw = " in v.readout.value) is shown
            assert ("not computed yet" in v.readout.value) is not shown
            tangent = v._slice.tangent.get_xdata()
            assert len(tangent) == (2 if shown else 0)
            if shown:
                assert f"{v.state['selected_grad']:+.5f}" in v.readout.value
                ys = v._slice.tangent.get_ydata()
                slope = (ys[1] - ys[0]) / (tangent[1] - tangent[0])
                assert slope == pytest.approx(v.state["selected_grad"], rel=1e-6, abs=1e-12)
            if step < L:
                v.step_button.click()
