"""View 3: loss surfaces, descent with the engine's optimizers, bouncing, divergence, escaping."""
import numpy as np
import pytest

from backprop_course.engine.optim import RPROP, SGD, get_optimizer
from backprop_course.widgets.descent import (METHODS, SURFACES, DescentView, descend, get_surface,
                                             grid, optimizer_options)


def menu_optimizer(method, lr, momentum=0.0):
    """The optimizer the view builds for a menu entry."""
    name, options = optimizer_options(method, lr, momentum)
    return get_optimizer(name, **options)


def central_diff(f, p, h=1e-6):
    g = np.zeros_like(p)
    for i in range(p.size):
        e = np.zeros_like(p)
        e[i] = h
        g[i] = (f(p + e) - f(p - e)) / (2 * h)
    return g


@pytest.mark.parametrize("name", sorted(SURFACES))
def test_gradient_matches_central_differences(name):
    s = SURFACES[name]
    rng = np.random.default_rng(0)
    for _ in range(5):
        p = np.array([rng.uniform(lo, hi) for lo, hi in s.bounds])
        np.testing.assert_allclose(s.grad(p), central_diff(s.f, p), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", [n for n in SURFACES if SURFACES[n].minima])
def test_listed_minima_are_stationary_and_inside_the_plot(name):
    s = SURFACES[name]
    for m in s.minima:
        m = np.array(m, dtype=float)
        np.testing.assert_allclose(s.grad(m), 0.0, atol=1e-9)
        assert all(lo < v < hi for v, (lo, hi) in zip(m, s.bounds))


def test_double_well_global_minimum_is_deeper_than_the_local_one():
    s = SURFACES["double_well"]
    (g,), (loc,) = s.minima
    # g(x) = x^4/4 - x^2 + x/2: about -1.73 at x = -1.52, about -0.33 at x = 1.26
    assert g == pytest.approx(-1.5257, abs=1e-3) and loc == pytest.approx(1.2670, abs=1e-3)
    assert s.f(np.array([g])) < s.f(np.array([loc])) - 1.0


def test_linear_slope_is_three_and_each_step_moves_x_by_minus_three_lr():
    # Backpropagation for dummies: f(x) = 3x + 4 has gradient 3 at every x; stepping against it with lr = 0.1
    # moves x by -0.3 per step: 3 -> 2.7 -> 2.4 -> 2.1, and f drops by 0.9 per step.
    s = SURFACES["linear"]
    for x in (-4.0, 0.0, 2.5):
        assert s.grad(np.array([x]))[0] == 3.0
    t = descend(s, [3.0], SGD(lr=0.1), steps=3)
    np.testing.assert_allclose(t.points[:, 0], [3.0, 2.7, 2.4, 2.1])
    np.testing.assert_allclose(np.diff(t.losses), [-0.9, -0.9, -0.9])


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("name", ["quadratic", "valley", "local_minimum", "double_well"])
def test_trajectory_is_exactly_the_optimizers_step_by_step(method, name):
    s = SURFACES[name]
    t = descend(s, s.start, menu_optimizer(method, 0.03, 0.8), steps=40)
    opt = menu_optimizer(method, 0.03, 0.8)
    p = np.array(s.start, dtype=float)
    expected = [p.copy()]
    for _ in range(40):
        updates = opt.compute_update([p], [s.grad(p)])
        opt.apply([p], updates)
        expected.append(p.copy())
    np.testing.assert_array_equal(t.points, np.array(expected))
    np.testing.assert_allclose(t.losses, [s.f(q) for q in expected])


def test_momentum_trajectory_matches_seed_001_rule_by_hand():
    # Delta w_t = -lr * f'(w) + momentum * Delta w_{t-1} on f = x^2 (f' = 2x), lr 0.1, momentum 0.5:
    # x0 = 2: dw1 = -0.4 -> x1 = 1.6; dw2 = -0.32 - 0.2 = -0.52 -> x2 = 1.08;
    # dw3 = -0.216 - 0.26 = -0.476 -> x3 = 0.604
    t = descend(SURFACES["quadratic"], [2.0], menu_optimizer("momentum", 0.1, 0.5), steps=3)
    np.testing.assert_allclose(t.points[:, 0], [2.0, 1.6, 1.08, 0.604])


def test_rprop_first_step_is_the_initial_step_size_against_the_gradient_sign():
    t = descend(SURFACES["bowl"], [2.0, -1.0], menu_optimizer("rprop", 0.25), steps=2)
    np.testing.assert_allclose(t.points[1], [1.75, -0.75])      # -sign(g) * 0.25
    np.testing.assert_allclose(t.points[2], [1.45, -0.45])      # step grew by eta+ = 1.2


def test_small_rate_converges_without_bouncing():
    t = descend(SURFACES["quadratic"], [2.5], SGD(lr=0.1), steps=60)
    assert abs(t.points[-1, 0]) < 1e-4 and t.reversals == 0 and not t.diverged


def test_too_high_rate_bounces_then_diverges():
    s = SURFACES["quadratic"]
    # lr = 0.9: x <- x - 0.9 * 2x = -0.8 x: the sign flips every step, |x| still shrinks.
    bounce = descend(s, [2.5], SGD(lr=0.9), steps=30)
    assert bounce.reversals == 29 and not bounce.diverged and bounce.left_plot is None
    assert abs(bounce.points[-1, 0]) < abs(bounce.points[0, 0])
    # lr = 1.1: x <- -1.2 x: every bounce is bigger than the last; the path leaves the plot.
    grow = descend(s, [2.5], SGD(lr=1.1), steps=30)
    assert grow.left_plot == 2 and abs(grow.points[-1, 0]) > 100


def test_divergence_stops_early_with_finite_points_only():
    t = descend(SURFACES["bowl"], [2.5, 2.0], SGD(lr=3.0), steps=200)
    assert t.diverged and t.steps < 200
    assert np.all(np.isfinite(t.points)) and np.all(np.isfinite(t.losses))
    assert t.left_plot == 1


def test_narrow_valley_plain_descent_zigzags_across():
    t = descend(SURFACES["valley"], SURFACES["valley"].start, SGD(lr=0.45), steps=30)
    ys = t.points[:, 1]
    assert np.all(np.sign(ys[1:]) != np.sign(ys[:-1]))  # y = -0.8 * y each step: crosses every time
    assert t.points[-1, 0] < 0  # while x creeps along the valley: 0.91^30 of the way left


@pytest.mark.parametrize("name", ["double_well", "local_minimum"])
@pytest.mark.parametrize("lr", [0.01, 0.02])
def test_momentum_escapes_the_shallow_local_minimum_plain_descent_does_not(name, lr):
    s = SURFACES[name]
    local_x, global_x = s.minima[1][0], s.minima[0][0]
    plain = descend(s, s.start, menu_optimizer("plain", lr), steps=300)
    heavy = descend(s, s.start, menu_optimizer("momentum", lr, 0.9), steps=300)
    nest = descend(s, s.start, menu_optimizer("nesterov", lr, 0.9), steps=300)
    assert plain.points[-1, 0] == pytest.approx(local_x, abs=0.02)
    assert heavy.points[-1, 0] == pytest.approx(global_x, abs=0.02)
    assert nest.points[-1, 0] == pytest.approx(global_x, abs=0.02)
    assert heavy.losses[-1] < plain.losses[-1] - 1.0


@pytest.mark.parametrize("bad, match", [
    (dict(steps=-1), "'steps'"), (dict(steps=2.5), "'steps'"), (dict(start=[1.0, 2.0]), "'start'"),
    (dict(start=[np.nan]), "'start'"),
])
def test_descend_rejects_bad_input(bad, match):
    kwargs = dict(surface=SURFACES["quadratic"], start=[1.0], optimizer=SGD(lr=0.1), steps=3) | bad
    with pytest.raises(ValueError, match=match):
        descend(**kwargs)


def test_lookups_name_the_valid_choices():
    with pytest.raises(ValueError, match="'surface'.*bowl"):
        get_surface("saddle")
    with pytest.raises(ValueError, match="The 'method' parameter of optimizer_options must be one of "
                                         r"\['plain', 'momentum', 'nesterov', 'rprop'\]"):
        optimizer_options("adam", 0.1)


@pytest.mark.parametrize("method, expected", [
    ("plain", ("sgd", {"lr": 0.3})),                     # the momentum slider is ignored (and disabled)
    ("momentum", ("sgd", {"lr": 0.3, "momentum": 0.8})),
    ("nesterov", ("sgd", {"lr": 0.3, "momentum": 0.8, "nesterov": True})),
    ("rprop", ("rprop", {"step_init": 0.3})),            # RPROP has no lr: it is the first step size
])
def test_each_menu_entry_names_an_engine_optimizer_with_the_engines_options(method, expected):
    assert optimizer_options(method, 0.3, 0.8) == expected


@pytest.mark.parametrize("lr, step_init", [(100.0, 50.0), (1e-9, 1e-6), (0.25, 0.25)])
def test_rprop_first_step_is_lr_clipped_into_rprops_bounds(lr, step_init):
    opt = menu_optimizer("rprop", lr)
    assert isinstance(opt, RPROP) and opt.step_init == step_init


@pytest.mark.parametrize("method, expected", [
    ("plain", "SGD(lr=0.2, momentum=0.0, nesterov=False)"),
    ("momentum", "SGD(lr=0.2, momentum=0.6, nesterov=False)"),
    ("nesterov", "SGD(lr=0.2, momentum=0.6, nesterov=True)"),
    ("rprop", "RPROP(eta_plus=1.2, eta_minus=0.5, step_init=0.2, step_min=1e-06, step_max=50.0, "
              "variant='irprop-')"),
])
def test_view_builds_its_optimizer_from_the_engine_registry(method, expected):
    v = DescentView(surface="bowl", method=method, lr=0.2, momentum=0.6)
    assert v.state["optimizer"] == expected


def test_grid_shapes():
    x, f = grid(SURFACES["linear"], 11)
    assert x.shape == f.shape == (11,) and f[0] == pytest.approx(3 * -5 + 4)
    X, Y, Z = grid(SURFACES["bowl"], 7)
    assert X.shape == Y.shape == Z.shape == (7, 7) and Z[3, 3] == 0.0


# ---------------------------------------------------------------------------------------------
# The view
# ---------------------------------------------------------------------------------------------
def test_view_state_is_the_trajectory_of_its_settings():
    v = DescentView()
    fig = v.fig
    v.set(surface="valley", method="nesterov", lr=0.05, momentum=0.7, steps=25)
    s = SURFACES["valley"]
    t = descend(s, s.start, SGD(lr=v.lr.value, momentum=0.7, nesterov=True), 25)
    np.testing.assert_array_equal(v.state["points"], t.points)
    assert v.state["final_loss"] == t.losses[-1]
    assert v.fig is fig and bytes(v.image.value[:4]) == b"\x89PNG"
    v.lr.value = 0.02  # a single control moves: state follows
    t2 = descend(s, s.start, SGD(lr=v.lr.value, momentum=0.7, nesterov=True), 25)
    np.testing.assert_array_equal(v.state["points"], t2.points)


def test_view_surface_change_resets_start_and_disables_y_on_curves():
    v = DescentView(surface="bowl")
    assert not v.start_y.disabled
    v.surface.value = "double_well"
    assert v.start_y.disabled and v.start_x.value == SURFACES["double_well"].start[0]
    assert v.state["points"].shape[1] == 1


def test_view_divergence_is_a_message_not_nan():
    v = DescentView(surface="bowl", lr=2.0, steps=100)
    assert v.state["message_kind"] == "warning" and "Diverged" in v.state["message"]
    assert "lower the learning rate" in v.state["message"]
    assert np.all(np.isfinite(v.state["points"]))
    assert "error" not in v.state


def test_view_bouncing_and_escape_settings_show_the_documented_behaviour():
    v = DescentView(surface="quadratic", lr=0.9, steps=30)
    assert "bounces" in v.state["message"]
    v.set(surface="local_minimum", method="plain", lr=0.02, steps=200)
    plain_end = v.state["final_point"][0]
    assert "shallow local minimum" in v.state["message"]
    v.set(method="momentum", momentum=0.9)
    assert "local minimum" not in v.state["message"]
    assert plain_end == pytest.approx(SURFACES["local_minimum"].minima[1][0], abs=0.02)
    assert v.state["final_point"][0] == pytest.approx(SURFACES["local_minimum"].minima[0][0], abs=0.02)


def test_view_momentum_zero_falls_back_to_plain_with_a_note():
    v = DescentView(method="nesterov", momentum=0.0)
    assert "error" not in v.state and "Momentum 0" in v.state["message"]
    assert v.state["optimizer"] == "SGD(lr=0.1, momentum=0.0, nesterov=False)"


def test_view_linear_explains_that_there_is_no_minimum(tmp_path):
    v = DescentView(surface="linear", lr=0.1, steps=5)
    assert "-0.3" in v.state["message"] and "no minimum" in v.state["message"]
    v.save_png(str(tmp_path / "d.png"))
    assert (tmp_path / "d.png").read_bytes()[:4] == b"\x89PNG"


def test_view_rprop_explains_its_step_size():
    v = DescentView(surface="bowl", method="rprop", lr=0.25, steps=2)
    np.testing.assert_allclose(v.state["points"][1], np.array(SURFACES["bowl"].start) - 0.25)
    assert "first step size" in v.state["message"]


def test_view_set_rejects_unknown_names():
    v = DescentView()
    with pytest.raises(ValueError, match="'colour'"):
        v.set(colour="red")


def test_switching_between_curves_and_surfaces_leaves_no_stale_path():
    v = DescentView(surface="quadratic")
    v.surface.value = "bowl"
    v.surface.value = "double_well"
    v.surface.value = "valley"
    visible = [ax for ax in v.fig.axes if ax.get_visible()]
    assert len(visible) == 1
    stars = ("global minimum", "local minimum", "_local minimum")
    paths = [ln for ax in v.fig.axes for ln in ax.lines if ln.get_animated() and ln.get_label() not in stars]
    assert len(paths) == 3 and all(ln.axes is visible[0] for ln in paths)  # path, start, end


def test_a_path_ending_on_the_local_minimum_does_not_hide_its_star():
    # double_well from its default start with plain descent settles in the shallow minimum: the
    # hollow star must be drawn after (above) the end point, in the animated layer
    v = DescentView(surface="double_well", method="plain", lr=0.02, steps=100)
    ax = [ax for ax in v.fig.axes if ax.get_visible()][0]
    local = [ln for ln in ax.lines if ln.get_label() == "local minimum"]
    end = [ln for ln in ax.lines if ln.get_animated() and ln.get_marker() == "o" and len(ln.get_xdata()) == 1]
    assert len(local) == 1 and len(end) == 1
    assert abs(end[0].get_xdata()[0] - local[0].get_xdata()[0]) < 0.05   # the end sits on the star
    assert local[0].get_animated() and local[0].get_zorder() > end[0].get_zorder()
    assert local[0].get_markerfacecolor() == "none"                     # hollow: the dot shows through


def test_message_and_state_agree_when_the_path_bounces_off_the_plot():
    from backprop_course.widgets.descent import descent_explorer

    v = descent_explorer()
    v.set(surface="quadratic", method="plain", lr=1.1, steps=20)
    # |x| grows by 1.2 per step: off the plot long before the 1e6 stop
    assert not v.state["diverged"] and v.state["diverging"]
    assert v.state["message"].startswith("Diverging") and v.state["message_kind"] == "warning"
    v.set(lr=0.9)                                   # bounces, but shrinks by 0.8 per step
    assert not v.state["diverging"] and not v.state["message"].startswith("Diverg")
