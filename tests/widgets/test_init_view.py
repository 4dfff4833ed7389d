"""View 6: saturation with standard-normal weights, collapse with small ones, health with Xavier.

Thresholds (width 50, depth 5, 200 standard-normal inputs; justified in init_view's docstring):
* saturated = a sigmoid output within 0.05 of 0 or 1, where the slope a(1-a) < 0.0475 (under a fifth
  of its best, 0.25). With N(0, 1) weights a net input has variance ~ 50 * E[a^2] ~ 20 (std ~ 4.5),
  so P(|z| > 2.94) is about 0.5 or more. Fifty random weights per unit make this fluctuate from
  layer to layer, so we require > 0.3 in every layer and > 0.45 on average (measured 0.37-0.68 per
  layer over 60 seeds; never below 0.3).
* Xavier: Var(w) = 2/(50+50) = 0.02, net-input std ~ 0.5, |z| > 2.94 is a > 5-sigma event: we require
  < 2 % saturated in every layer (measured < 0.4 %) while the spread stays > 0.08 (measured >= 0.085
  over 60 seeds).
* small uniform U(-0.1, 0.1): Var(w) = 1/300, net-input std ~ 0.2, so deep sigmoid outputs pile up
  around 0.5: we require > 85 % within 0.1 of 0.5 from layer 2 on (measured 0.90-0.98) and a spread
  < 0.07 in the last layer (measured ~0.05), against < 80 % near 0.5 for Xavier.
"""
import numpy as np
import pytest

from backprop_course.engine.mlp import MLP
from backprop_course.widgets.init_view import InitView, histograms, layer_statistics, stats_table

SEEDS = [0, 1, 2]


@pytest.mark.parametrize("seed", SEEDS)
def test_standard_normal_saturates_sigmoid_layers(seed):
    s = layer_statistics("standard_normal", "sigmoid", depth=5, width=50, seed=seed)
    assert np.all(s.saturated > 0.3) and s.saturated.mean() > 0.45


@pytest.mark.parametrize("seed", SEEDS)
def test_xavier_keeps_sigmoid_away_from_saturation(seed):
    s = layer_statistics("xavier", "sigmoid", depth=5, width=50, seed=seed)
    assert np.all(s.saturated < 0.02) and np.all(s.std > 0.08)
    assert np.all(s.near_centre < 0.8)


@pytest.mark.parametrize("seed", SEEDS)
def test_small_uniform_collapses_towards_one_half(seed):
    s = layer_statistics("small_uniform", "sigmoid", depth=5, width=50, seed=seed)
    assert np.all(s.near_centre[1:] > 0.85) and s.std[-1] < 0.07
    assert np.all(s.saturated == 0.0)
    assert abs(s.mean[-1] - 0.5) < 0.05


def test_small_weights_make_sigmoid_gradients_vanish_xavier_tanh_does_not():
    tiny = layer_statistics("small_uniform", "sigmoid", depth=8, width=50, seed=0)
    assert tiny.delta_std[0] / tiny.delta_std[-1] < 1e-4        # measured ~1e-8
    good = layer_statistics("xavier", "tanh", depth=8, width=50, seed=0)
    assert 0.05 < good.delta_std[0] / good.delta_std[-1] < 20   # measured ~0.33


def test_statistics_are_those_of_the_engine_network():
    # Recompute layer 3's numbers from an MLP built the same way (same seed -> same weights).
    s = layer_statistics("he", "tanh", depth=4, width=20, n_samples=64, seed=5)
    net = MLP([20] * 5, activation="tanh", init="he", seed=5)
    X = np.random.default_rng(6).standard_normal((64, 20))
    net.forward(X)
    a = net.layer_outputs[3]
    assert s.mean[2] == pytest.approx(a.mean()) and s.std[2] == pytest.approx(a.std())
    assert s.saturated[2] == pytest.approx(np.mean(np.abs(a) > 0.95))
    assert s.sample_std[2] == pytest.approx(a.std(axis=0).mean())
    assert s.mean.shape == s.weight_grad_norm.shape == (4,)


def test_upstream_gradient_is_standard_normal_times_the_output_slope():
    # T = Y - G makes dE/dY = G; the last layer's error term is then G * sigma'(z) = G * a (1 - a).
    s = layer_statistics("xavier", "sigmoid", depth=2, width=10, n_samples=30, seed=3)
    a = s.activations[-1]
    G = s.deltas[-1] / (a * (1 - a))
    assert abs(G.mean()) < 0.3 and 0.7 < G.std() < 1.3


def test_relu_dead_units_count_as_saturated():
    s = layer_statistics("he", "relu", depth=3, width=40, seed=0)
    assert np.all((s.saturated > 0.3) & (s.saturated < 0.7))   # about half the units are off


@pytest.mark.parametrize("act", ["sigmoid", "tanh", "relu"])
def test_histograms_are_fractions_on_fixed_ranges(act):
    s = layer_statistics("standard_normal", act, depth=3, width=30, seed=0)
    a_edges, a_counts, g_edges, g_counts = histograms(s, act, bins=20)
    assert a_edges.shape == g_edges.shape == (21,) and len(a_counts) == len(g_counts) == 3
    for c in a_counts + g_counts:
        assert c.sum() == pytest.approx(1.0) and np.all(c >= 0)


@pytest.mark.parametrize("bad, error", [(dict(depth=0), ValueError), (dict(depth=2.5), TypeError),
                                        (dict(width=0), ValueError), (dict(n_samples=True), TypeError)])
def test_bad_sizes_name_the_parameter(bad, error):
    name = next(iter(bad))
    with pytest.raises(error, match=f"The '{name}' parameter of layer_statistics must be an int in"):
        layer_statistics(**bad)


def test_view_state_and_messages_follow_the_controls():
    v = InitView()
    fig = v.fig
    assert "saturated" in v.state["message"]
    v.set(init="xavier")
    expected = layer_statistics("xavier", "sigmoid", 5, 50)
    np.testing.assert_array_equal(v.state["saturated"], expected.saturated)
    assert "spread out" in v.state["message"]
    v.init.value = "small_uniform"
    assert "0.5" in v.state["message"] and "tell inputs apart" in v.state["message"]
    v.depth.value = 8
    assert v.state["std"].shape == (8,) and "<td>8</td>" in v.table.value
    v.activation.value = "relu"
    assert "error" not in v.state
    assert v.fig is fig and bytes(v.image.value[:4]) == b"\x89PNG"
    with pytest.raises(ValueError, match="'seed'"):
        v.set(seed=3)


def test_stats_table_lists_every_layer():
    s = layer_statistics("xavier", "tanh", depth=3, width=10)
    html = stats_table(s, "tanh")
    assert html.count("<tr>") == 4 and "within 0.1 of 0" in html
