"""Property tests: random sequences of control changes, driven through a view, never make it draw a wrong picture.

Each example builds a fresh view, applies a random sequence of control changes (as a learner clicking around
in any order would), and after every change checks invariants that hold for any setting:

- what the learner sees is the current figure: the PNG the view sends (drawn from cached backgrounds)
  is pixel for pixel a full redraw of the figure as it stands now;
- the drawn path lies on the surface shown, and the axes contain what they draw;
- the readout (message and ``state``) matches the state and the surface.

Issue 24 (the descent view's path floating above the quadratic after ``linear``: the y-limits of the
previous curve were kept) fails the first two.
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_course.widgets import plotting as P
from backprop_course.widgets.descent import METHODS, SURFACES, DescentView

# Each property test takes 5-7 s (a fresh view per example, so a failure replays and shrinks): slow tier.
PROPERTY = settings(max_examples=25, deadline=None, derandomize=True)


def full_redraw(view) -> np.ndarray:
    """The figure's pixels drawn from scratch: a fresh draw of the static part (no cached pixels),
    then the moving (animated) artists on top in the order the view's FastPNG draws them (cached
    layer first, then the rest, each by zorder): blitting puts moving artists above static ones."""
    canvas = view.fig.canvas
    canvas.draw()  # skips animated artists
    renderer = canvas.get_renderer()
    animated = view._fast._animated()
    middle = [a for a in animated if a.get_gid() == P.FastPNG.MIDDLE]
    for artist in middle + [a for a in animated if a.get_gid() != P.FastPNG.MIDDLE]:
        if artist.get_visible():
            artist.draw(renderer)
    return np.asarray(canvas.buffer_rgba()).copy()


def shown(view) -> np.ndarray:
    """The pixels of the last PNG the view rendered (the canvas buffer it was encoded from)."""
    view.render()
    return np.asarray(view.fig.canvas.buffer_rgba()).copy()


def assert_picture_is_current(view) -> None:
    differ = np.any(shown(view) != full_redraw(view), axis=-1)
    assert not differ.any(), f"{differ.sum()} pixels differ from a full redraw of the current figure"


# ---------------------------------------------------------------------------------------------
# The descent view
# ---------------------------------------------------------------------------------------------
DESCENT_ACTIONS = st.one_of(
    st.tuples(st.just("surface"), st.sampled_from(sorted(SURFACES))),
    st.tuples(st.just("method"), st.sampled_from(METHODS)),
    st.tuples(st.just("lr"), st.floats(1e-3, 10 ** 0.5)),
    st.tuples(st.just("momentum"), st.floats(0.0, 0.99)),
    st.tuples(st.just("steps"), st.integers(0, 200)),
    st.tuples(st.just("start_x"), st.floats(-5.0, 5.0)),
    st.tuples(st.just("start_y"), st.floats(-2.0, 2.0)),
)


def check_descent(view: DescentView) -> None:
    s = SURFACES[view.surface.value]
    st_ = view.state
    assert "error" not in st_, st_["error"]
    assert st_["surface"] == s.name
    ax = view._ax
    assert ax.get_visible() and ax.get_title() == s.title
    assert [a for a in view.fig.axes if a.get_visible()] == [ax]

    # The state: the trajectory starts at the start sliders and its losses are the surface's.
    points, losses = st_["points"], st_["losses"]
    np.testing.assert_array_equal(points[0], [view.start_x.value, view.start_y.value][: s.dim])
    np.testing.assert_allclose(losses, [s.f(p) for p in points], rtol=1e-12, atol=1e-12)
    assert st_["final_loss"] == losses[-1]
    np.testing.assert_array_equal(st_["final_point"], points[-1])
    assert len(points) == view.steps.value + 1 or st_["diverged"]

    # The axes show the surface's plotted range.
    lo = np.array([b[0] for b in s.bounds])
    hi = np.array([b[1] for b in s.bounds])
    assert ax.get_xlim() == pytest.approx(s.bounds[0])
    if s.dim == 2:
        assert ax.get_ylim() == pytest.approx(s.bounds[1])

    # The drawn path: the points up to where the path leaves the plot, clamped to the box.
    path, start_mark, end_mark = view._dynamic
    xs, ys = path.get_xdata(), path.get_ydata()
    visible = points if st_["left_plot"] is None else points[: st_["left_plot"] + 1]
    np.testing.assert_allclose(xs, np.clip(visible[:, 0], lo[0], hi[0]))
    if s.dim == 1:
        # The path lies on the curve shown, and the curve shown is this surface's.
        np.testing.assert_allclose(ys, s.f(xs[None, :]), rtol=1e-9, atol=1e-9)
        curve = [line for line in ax.lines if not line.get_animated() and len(line.get_xdata()) > 10]
        assert len(curve) == 1
        cx, cy = curve[0].get_xdata(), curve[0].get_ydata()
        np.testing.assert_allclose(cy, s.f(cx[None, :]), rtol=1e-12)
        # The y-limits fit this curve: they contain it, with at most a 10% margin each side.
        y0, y1 = ax.get_ylim()
        span = cy.max() - cy.min()
        assert y0 <= cy.min() and cy.max() <= y1
        assert cy.min() - y0 <= 0.1 * span and y1 - cy.max() <= 0.1 * span
    else:
        np.testing.assert_allclose(ys, np.clip(visible[:, 1], lo[1], hi[1]))
    # The axes contain every drawn point; the square is the start, the dot the last drawn point.
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    assert np.all((x0 <= xs) & (xs <= x1) & (y0 <= ys) & (ys <= y1))
    assert (start_mark.get_xdata()[0], start_mark.get_ydata()[0]) == (xs[0], ys[0])
    assert (end_mark.get_xdata()[0], end_mark.get_ydata()[0]) == (xs[-1], ys[-1])
    if st_["left_plot"] is None and not st_["diverged"]:
        assert xs[-1] == points[-1, 0]

    # The readout matches the state.
    message = st_["message"]
    if st_["diverged"]:
        assert message.startswith("Diverged")
    elif st_["diverging"]:
        assert message.startswith("Diverging") and f"step {st_['left_plot']}" in message
    elif s.name == "linear":
        assert f"{-3 * view.lr.value:.3g}" in message
    else:
        assert f"After {len(points) - 1} steps" in message
        assert f"loss {st_['final_loss']:.4g}" in message
        assert ", ".join(f"{v:.3g}" for v in points[-1]) in message
    assert_picture_is_current(view)


@pytest.mark.slow
@PROPERTY
@given(actions=st.lists(DESCENT_ACTIONS, min_size=1, max_size=6))
def test_descent_view_draws_what_its_state_says(actions):
    view = DescentView()
    for name, value in actions:
        getattr(view, name).value = value
        check_descent(view)


def test_descent_issue_24_linear_then_quadratic():
    # Lesson 04's "Try this": linear, then quadratic. The path must sit on x^2 (it floated at y 3-5).
    view = DescentView()
    view.surface.value = "linear"
    check_descent(view)
    view.surface.value = "quadratic"
    check_descent(view)
    assert view._ax.get_ylim()[1] < 10


# ---------------------------------------------------------------------------------------------
# The neuron view
# ---------------------------------------------------------------------------------------------
from backprop_course.engine.activations import ACTIVATIONS, get_activation  # noqa: E402
from backprop_course.widgets.neuron import NeuronView  # noqa: E402

NEURON_ACTIONS = st.one_of(
    st.tuples(st.sampled_from(["a1", "a2", "w1", "w2", "b"]), st.floats(-3.0, 3.0)),
    st.tuples(st.just("activation"), st.sampled_from(sorted(ACTIVATIONS))),
)


def neuron_control(view, name):
    return {"a1": view.inputs[0], "a2": view.inputs[1], "w1": view.weights[0], "w2": view.weights[1],
            "b": view.bias, "activation": view.activation}[name]


def check_neuron(view: NeuronView) -> None:
    s = view.state
    assert "error" not in s, s["error"]
    act = get_activation(view.activation.value)
    a = [x.value for x in view.inputs]
    w = [x.value for x in view.weights]
    assert s["net_input"] == pytest.approx(np.dot(w, a) + view.bias.value, abs=1e-12)
    assert s["output"] == pytest.approx(float(act.f(np.array([s["net_input"]]))[0]), abs=1e-12)
    # The curve shown is this activation's, and the point and the tangent sit on it.
    zs, ys = view._curve.get_data()
    np.testing.assert_allclose(ys, act.f(np.asarray(zs)), rtol=1e-12, atol=1e-12)
    (px,), (py,) = view._point.get_data()
    assert (px, py) == pytest.approx((s["net_input"], s["output"]))
    tx, ty = view._tangent.get_data()
    assert (ty[1] - ty[0]) / (tx[1] - tx[0]) == pytest.approx(s["slope"], rel=1e-9, abs=1e-12)
    # The axes contain the point and the curve's extent.
    x0, x1 = view._ax.get_xlim()
    y0, y1 = view._ax.get_ylim()
    assert x0 <= px <= x1 and y0 <= py <= y1
    assert zs[0] == pytest.approx(x0) and zs[-1] == pytest.approx(x1)
    assert y0 <= np.min(ys) and np.max(ys) <= y1
    # The readout above the plot says the state's numbers.
    title = view.fig._suptitle.get_text()
    assert f"= {P.fmt(s['net_input'])}\n" in title and f"= {P.fmt(s['output'])}," in title
    assert title.endswith(f"= {P.fmt(s['slope'])}")
    assert_picture_is_current(view)


@pytest.mark.slow
@PROPERTY
@given(actions=st.lists(NEURON_ACTIONS, min_size=1, max_size=6))
def test_neuron_view_draws_what_its_state_says(actions):
    neuron_view = NeuronView()
    for name, value in actions:
        neuron_control(neuron_view, name).value = value
        check_neuron(neuron_view)


# ---------------------------------------------------------------------------------------------
# The initialisation view
# ---------------------------------------------------------------------------------------------
from backprop_course.widgets.init_view import ACT_RANGE, INITS, InitView  # noqa: E402

INIT_ACTIONS = st.one_of(
    st.tuples(st.just("init"), st.sampled_from(INITS)),
    st.tuples(st.just("activation"), st.sampled_from(sorted(ACT_RANGE))),
    st.tuples(st.just("depth"), st.integers(1, 12)),
    st.tuples(st.just("width"), st.sampled_from([5, 20, 50])),
)


def check_init(view: InitView) -> None:
    s = view.state
    assert "error" not in s, s["error"]
    depth = view.depth.value
    assert (s["init"], s["activation"], s["depth"], s["width"]) == (
        view.init.value, view.activation.value, depth, view.width.value)
    assert len(s["mean"]) == depth
    # One ridge (and one row label) per layer, no more.
    for rows in view._rows:
        assert [poly.get_visible() for poly, _ in rows] == [i < depth for i in range(len(rows))]
    assert [t.get_visible() for t in view._row_labels] == [i < depth for i in range(len(view._row_labels))]
    assert view._ax_a.get_xlim() == pytest.approx(ACT_RANGE[s["activation"]])
    assert view._ax_a.get_ylim() == pytest.approx((-0.1, depth))
    title = view.fig._suptitle.get_text()
    assert title.startswith(f"init = {s['init']}, {s['activation']}, {depth} layers of {s['width']} units")
    assert_picture_is_current(view)


@pytest.mark.slow
@settings(max_examples=15, deadline=None, derandomize=True)
@given(actions=st.lists(INIT_ACTIONS, min_size=1, max_size=5))
def test_init_view_draws_what_its_state_says(actions):
    init_view = InitView(n_samples=40)
    for name, value in actions:
        getattr(init_view, name).value = value
        check_init(init_view)


# ---------------------------------------------------------------------------------------------
# Gradient flow and the playground: their moving parts are redrawn over cached pixels too
# ---------------------------------------------------------------------------------------------
def test_flow_view_draws_the_current_figure_after_each_change():
    from backprop_course.widgets.flow import PRESETS, GradientFlowView

    v = GradientFlowView(seed=1)
    assert_picture_is_current(v)
    for change in (lambda: v.set_step(1),                                # bars: unknown layers show "?"
                   lambda: v.set_weight(0, 1, 0, 2.5),                   # edges, slice point and tangent
                   lambda: v.set_weight(0, 0, 1, -3.0),                  # another weight: a new curve
                   lambda: v.set_step(len(v.net.sizes)),                 # wraps to the forward pass
                   lambda: setattr(v.preset, "value", list(PRESETS)[1])):  # a new network, new axes
        change()
        assert "error" not in v.state, v.state["error"]
        assert_picture_is_current(v)


def test_playground_draws_the_current_figure_after_each_change():
    from backprop_course.widgets.playground import TrainingPlayground

    v = TrainingPlayground(dataset="xor", hidden="3", lr=0.5, mode="batch")
    assert_picture_is_current(v)
    for change in (v.step, lambda: v.run(5), lambda: v.run(300),         # the loss axis grows
                   lambda: setattr(v.lr, "value", 2.0), v.step, v.reset):
        change()
        assert "error" not in v.state, v.state["error"]
        assert_picture_is_current(v)
