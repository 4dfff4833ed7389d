"""Property tests: random sequences of control changes, driven through a view, never make it draw a wrong picture.

Each example builds a fresh view, applies a random sequence of control changes (as a learner clicking around
in any order would), and after every change checks invariants that hold for any setting:

- what the learner sees is the current figure: the PNG the view sends (drawn from cached backgrounds)
  is pixel for pixel a full redraw of the figure as it stands now;
- the drawn path lies on the surface shown, and the axes contain what they draw;
- the readout (message and ``state``) matches the state and the surface.

Issue 24 (the descent view's path floating above the quadratic after ``linear``: the y-limits of the
previous curve were kept) fails the first two.

Every view of ``backprop_course/widgets`` has one: descent, neuron, initialisation, the graph explorer,
the chain, gradient flow, the derivation explorer, nudge, modes, the playground (its buttons and
synchronous ``run``; never the real-time loop) and digits. Beyond the picture, each checks its numbers
against an oracle computed apart from the view: a closed form (the 2017 note's graph), central finite
differences, a plain loop over the chain, a fresh forward pass of the engine on a copy of the network,
``bc.train`` from the same seed, SymPy's derivation. The three bugs they found are at the end.
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


# =============================================================================================
# Every other view (issue 24, continued). Each property drives the view through its own controls
# (``.value`` set in the control's range, dropdown and toggle options, button presses through the
# buttons' own handlers) and, after every change, checks the view against an independent oracle:
# the numbers in ``state`` against a fresh computation (the engine's MLP / Value, finite differences,
# plain math, SymPy), what is drawn against ``state`` and the Axes limits, the readout against
# ``state``, and the PNG against a full redraw. A count of the moving artists catches stale ones.
# A full redraw costs about as much as the change itself, so the PNG is compared once, after the
# last change of each sequence: every prefix of a sequence is an example of its own as well.
# =============================================================================================
import math  # noqa: E402

import ipywidgets as W  # noqa: E402

# A control change is (name, u) with u in [0, 1]: the position along the control's range (or the
# index into its options), so one strategy fits every slider and menu whatever its bounds, which
# may depend on other controls (the derivation's layer slider, the playground's batch size).
UNIT = st.floats(0.0, 1.0)


def set_control(control, u: float) -> None:
    """Move ``control`` to the fraction ``u`` of its range, or to option ``u`` of its menu."""
    if isinstance(control, W.FloatLogSlider):
        control.value = control.base ** (control.min + u * (control.max - control.min))
    elif isinstance(control, (W.IntSlider, W.BoundedIntText)):
        control.value = int(round(control.min + u * (control.max - control.min)))
    elif isinstance(control, W.FloatSlider):
        control.value = control.min + u * (control.max - control.min)
    else:  # Dropdown, ToggleButtons: options are values or (label, value) pairs
        options = [o[1] if isinstance(o, tuple) and len(o) == 2 and isinstance(o[0], str) else o
                   for o in control.options]
        control.value = options[min(int(u * len(options)), len(options) - 1)]


def press(button) -> None:
    """Press a button as the browser does: through its click handlers."""
    button.click()


def inside(ax, xs, ys, tol: float = 1e-9) -> bool:
    """True if every point (xs, ys) lies within ``ax``'s limits (either orientation)."""
    xs, ys = np.asarray(xs, float), np.asarray(ys, float)
    x0, x1 = sorted(ax.get_xlim())
    y0, y1 = sorted(ax.get_ylim())
    sx, sy = tol * max(1.0, x1 - x0), tol * max(1.0, y1 - y0)
    return bool(np.all((x0 - sx <= xs) & (xs <= x1 + sx) & (y0 - sy <= ys) & (ys <= y1 + sy)))


def bar_tops(bars) -> np.ndarray:
    return np.array([b.get_y() + b.get_height() for b in bars])


# ---------------------------------------------------------------------------------------------
# The computational-graph explorer
# ---------------------------------------------------------------------------------------------
from backprop_course.widgets.graph_view import GraphView, graph_explorer  # noqa: E402

GRAPH_ACTIONS = st.one_of(
    st.tuples(st.sampled_from(["x", "y", "z"]), UNIT),
    st.tuples(st.sampled_from(["step", "run", "reset"]), st.just(0.0)),
)


def apply_graph(view: GraphView, name: str, u: float) -> None:
    button = {"step": view.step_button, "run": view.run_button, "reset": view.reset_button}.get(name)
    press(button) if button is not None else set_control(view.leaves[name], u)


def check_graph_drawing(view: GraphView) -> None:
    """The numbers drawn are the state's: one value and one gradient per node, no leftovers."""
    s = view.state
    ax = view._ax
    texts = [t for t in ax.texts if t.get_visible() and t.get_text()]
    grads = sorted(t.get_text() for t in texts if t.get_text().startswith("grad "))
    assert grads == sorted(f"grad {P.fmt(g)}" for g in s["grads"])  # nan is drawn as "?"
    values = {t.get_text() for t in texts if t.get_text().startswith("value ")}
    assert values == {f"value {P.fmt(v)}" for v in s["values"]}
    drawn = {t.get_text() for t in texts}
    for _, up, local, c in s["contributions"]:
        assert f"{P.fmt(up)} x {P.fmt(local)}\n= {P.fmt(c)}" in drawn
    assert not any("nan" in t.lower() for t in drawn)
    # Every text lies inside the Axes (whole figure): nothing is cut off at the edge.
    renderer = view.fig.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    for t in texts:
        box = t.get_window_extent(renderer)
        assert frame.x0 - 1 <= box.x0 and box.x1 <= frame.x1 + 1, t.get_text()
        assert frame.y0 - 1 <= box.y0 and box.y1 <= frame.y1 + 1, t.get_text()
    # The message says the step and the output.
    if s["step"] == 0:
        out = s["nodes"][-1]["label"] or "out"
        assert s["message"].startswith(f"Forward pass done: {out} = {P.fmt(s['output'])}.")
    else:
        assert s["message"].startswith(f"Step {s['step']}/{s['n_steps']}, node ")
    assert view.step_button.disabled == (s["step"] == s["n_steps"])


def check_note_graph(view: GraphView, step: int) -> None:
    """The 2017 note's f = (x + y) * z against its closed form: df/dx = df/dy = z, df/dz = x + y."""
    s = view.state
    assert "error" not in s, s["error"]
    x, y, z = (view.leaves[n].value for n in "xyz")
    q = x + y
    value = {"x": x, "y": y, "z": z, "q": q, "f": q * z}
    grad = {"x": z, "y": z, "z": q, "q": z, "f": 1.0}
    labels = [n["label"] for n in s["nodes"]]
    assert sorted(labels) == sorted(value)
    assert s["values"] == pytest.approx([value[n] for n in labels], abs=1e-12)
    assert s["engine_grads"] == pytest.approx([grad[n] for n in labels], abs=1e-12)
    assert s["step"] == min(step, s["n_steps"]) and s["n_steps"] == 2
    # A tree: a node's gradient, once reached, is final. Step 0 knows only df/df = 1.
    known = [not math.isnan(g) for g in s["grads"]]
    assert sum(known) == {0: 1, 1: 3, 2: 5}[s["step"]]
    for n, g, k in zip(labels, s["grads"], known):
        if k:
            assert g == pytest.approx(grad[n], abs=1e-12)
    check_graph_drawing(view)


@settings(max_examples=12, deadline=None, derandomize=True)
@given(actions=st.lists(GRAPH_ACTIONS, min_size=1, max_size=5))
def test_graph_view_draws_what_its_state_says(actions):
    view = graph_explorer()
    step = 0  # the model: the step the buttons have reached (clamped by the view to the last)
    check_note_graph(view, step)
    for name, u in actions:
        apply_graph(view, name, u)
        step = {"step": min(step + 1, 2), "run": 2, "reset": 0}.get(name, step)
        check_note_graph(view, step)
    assert_picture_is_current(view)


def _reused(a, b):
    return (a * b + a.tanh()) * a  # a is used three times: its gradient accumulates


@settings(max_examples=6, deadline=None, derandomize=True)
@given(a=UNIT, b=UNIT, steps=st.integers(0, 6))
def test_graph_view_with_a_reused_input_ends_at_the_finite_difference_gradient(a, b, steps):
    view = graph_explorer(_reused, a=1.0, b=-0.5)
    set_control(view.leaves["a"], a)
    set_control(view.leaves["b"], b)
    for _ in range(steps):
        press(view.step_button)
    check_graph_drawing(view)
    assert_picture_is_current(view)
    press(view.run_button)
    av, bv = view.leaves["a"].value, view.leaves["b"].value

    def f(a_, b_):
        return (a_ * b_ + math.tanh(a_)) * a_

    h = 1e-6
    assert view.state["output"] == pytest.approx(f(av, bv), rel=1e-12, abs=1e-12)
    fd = {"a": (f(av + h, bv) - f(av - h, bv)) / (2 * h), "b": (f(av, bv + h) - f(av, bv - h)) / (2 * h)}
    assert view.state["leaf_grads"] == pytest.approx(fd, rel=1e-6, abs=1e-6)
    check_graph_drawing(view)
    assert_picture_is_current(view)


# ---------------------------------------------------------------------------------------------
# The chain of single neurons
# ---------------------------------------------------------------------------------------------
from backprop_course.widgets.chain import ChainView  # noqa: E402

CHAIN_ACTIONS = st.tuples(st.sampled_from(["depth", "weight", "activation"]), UNIT)


def chain_by_hand(weights, activation, x=1.0, t=0.0):
    """Independent oracle: the chain one neuron at a time (z, then a = f(z)); the loss and the z's."""
    f = get_activation(activation).f
    a, zs = x, []
    for w in weights:
        zs.append(w * a)
        a = float(f(np.array([zs[-1]]))[0])
    return 0.5 * (a - t) ** 2, a, zs


def check_chain(view: ChainView) -> None:
    s = view.state
    assert "error" not in s, s["error"]
    depth, weight, act = view.depth.value, view.weight.value, view.activation.value
    assert (s["depth"], s["weight"], s["activation"]) == (depth, weight, act)
    with np.errstate(all="ignore"):
        loss, y, zs = chain_by_hand([weight] * depth, act)
    assert s["loss"] == pytest.approx(loss, rel=1e-9, abs=1e-300)
    assert s["output"] == pytest.approx(y, rel=1e-9, abs=1e-300)
    np.testing.assert_allclose(s["net_inputs"], zs, rtol=1e-9, atol=1e-300)
    # dJ/dW of the first and the last layer by central differences (away from a kink of relu).
    if np.isfinite(loss) and loss < 1e100 and min(abs(z) for z in zs) > 1e-4:
        for layer in {0, depth - 1}:
            h = 1e-6 * max(1.0, abs(weight))
            up, down = [weight] * depth, [weight] * depth
            up[layer] += h
            down[layer] -= h
            fd = (chain_by_hand(up, act)[0] - chain_by_hand(down, act)[0]) / (2 * h)
            assert s["grads"][layer] == pytest.approx(abs(fd), rel=1e-4, abs=1e-9)
    # The drawing: one marker per layer with a nonzero gradient, one bar per factor, inside the axes.
    layers = np.arange(1, depth + 1)
    shown_ = s["grads"] > 1e-300
    gx, gy = view._grad_line.get_data()
    np.testing.assert_array_equal(gx, layers[shown_])
    np.testing.assert_array_equal(gy, s["grads"][shown_])
    assert np.all(np.isfinite(gy))
    assert inside(view._ax_grad, gx, gy)
    bx = view._ax_factor
    assert len(view._bars) == depth - 1 and len(bx.patches) == depth - 1
    assert all(bar.axes is bx for bar in view._bars)
    heights = np.array([b.get_height() for b in view._bars])
    np.testing.assert_allclose(heights, np.where(np.isfinite(s["factors"]), s["factors"], s["factor_ylim"][1]))
    assert np.all(heights <= bx.get_ylim()[1])
    assert view._ax_grad.get_ylim() == pytest.approx(s["grad_ylim"])
    assert bx.get_ylim() == pytest.approx(s["factor_ylim"])
    if act == "sigmoid":
        assert view._sigmoid_line.get_ydata()[0] == pytest.approx(0.25 * abs(weight))
        assert view._sigmoid_line.get_ydata()[0] <= bx.get_ylim()[1]
    # The readout states the state's numbers.
    assert f"|dJ/dW(1)| = {s['grads'][0]:.3e}" in view.readout.value
    assert f"L = {depth}</b>, f = {act}, every W = {weight:+.2f}" in view.readout.value
    assert (s["message"] == s["warning"]) and (bool(s["warning"]) == bool(s["zero_layers"]))


@pytest.mark.slow
@settings(max_examples=8, deadline=None, derandomize=True)
@given(start=st.sampled_from(sorted(ACTIVATIONS)), actions=st.lists(CHAIN_ACTIONS, min_size=1, max_size=5))
def test_chain_view_draws_what_its_state_says(start, actions):
    view = ChainView(activation=start)
    check_chain(view)
    for name, u in actions:
        set_control(getattr(view, name), u)
        check_chain(view)
    assert_picture_is_current(view)


# ---------------------------------------------------------------------------------------------
# Gradient flow
# ---------------------------------------------------------------------------------------------
from backprop_course.widgets.flow import PRESETS, GradientFlowView  # noqa: E402

FLOW_ACTIONS = st.one_of(
    st.tuples(st.sampled_from(["preset", "weight_choice", "weight"]), UNIT),
    st.tuples(st.sampled_from(["step", "all", "forward"]), st.just(0.0)),
)


def check_flow(view: GradientFlowView, step: int) -> None:
    s = view.state
    assert "error" not in s, s["error"]
    L = view.n_layers
    spec = PRESETS[view.preset.value]
    assert list(view.net.sizes) == spec["sizes"]
    assert s["step"] == step and s["revealed"] == [l >= L - step for l in range(L)]
    # The numbers against a fresh forward and backward pass of the engine on a copy of the network.
    ref = view.net.copy()
    ref.forward(view.X)
    g = ref.backward(view.T)
    assert s["loss"] == pytest.approx(float(g.loss), rel=1e-12)
    for a, b in zip(s["gradients"].weights, g.weights):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(s["grad_norms"], [np.linalg.norm(w) for w in g.weights], rtol=1e-12)
    l, j, k = s["selected"]
    assert view.weight_choice.value == (l, j, k)
    assert s["weight"] == view.net.weights[l][j, k]
    assert view.weight.value == pytest.approx(np.clip(s["weight"], -view.weight_range, view.weight_range))
    # dE/dw of the selected weight by central differences.
    h = 1e-6
    up, down = ref.copy(), ref.copy()
    up.weights[l][j, k] += h
    down.weights[l][j, k] -= h
    fd = (up.loss(view.X, view.T) - down.loss(view.X, view.T)) / (2 * h)
    assert s["selected_grad"] == pytest.approx(fd, rel=1e-5, abs=1e-9)
    # The bars: the gradient norm of every layer the backward pass reached, a "?" elsewhere.
    bars = view._bars
    for bar, mark, norm, known in zip(bars.bars, bars.marks, s["grad_norms"], s["revealed"]):
        good = known and norm > 0
        assert bar.get_visible() == good and mark.get_visible() == (not good)
        if good:
            assert bar.get_y() + bar.get_height() == pytest.approx(norm, rel=1e-9)
            assert inside(bars.ax, [bar.get_x()], [norm])
    # The slice: E along the selected weight (all else fixed), the point at (w, E), the tangent.
    sl = view._slice
    cx, cy = sl.curve.get_data()
    probe = ref.copy()
    for i in (0, len(cx) // 2, len(cx) - 1):
        probe.weights[l][j, k] = cx[i]
        assert cy[i] == pytest.approx(probe.loss(view.X, view.T), rel=1e-9)
    assert inside(sl.ax, cx, cy)
    (px,), (py,) = sl.point.get_data()
    assert (px, py) == pytest.approx((s["weight"], s["loss"]))
    if abs(s["weight"]) <= view.weight_range:
        assert inside(sl.ax, [px], [py])
    tx, ty = sl.tangent.get_data()
    if s["selected_grad_shown"]:
        assert (ty[1] - ty[0]) / (tx[1] - tx[0]) == pytest.approx(s["selected_grad"], rel=1e-6, abs=1e-9)
        assert f"{s['selected_grad']:+.5f}" in view.readout.value
    else:
        assert len(tx) == 0 and "not computed yet" in view.readout.value
    # The selected edge is the one outlined.
    plot = view._net_plot
    outline = plot.outline.get_segments()[0]
    np.testing.assert_allclose(outline, plot.segments[plot.index.index((l, j, k))])
    assert f"<b>E = {s['loss']:.5f}</b>" in view.readout.value
    assert f"W{l + 1}[{j},{k}] = {s['weight']:+.3f}" in view.readout.value
    assert view.delta_table.value.count("?") == sum(
        len(d) for d, r in zip(s["node_deltas"], s["revealed"]) if not r) + (0 if all(s["revealed"]) else 2)


@pytest.mark.slow
@settings(max_examples=10, deadline=None, derandomize=True)
@given(actions=st.lists(FLOW_ACTIONS, min_size=1, max_size=5))
def test_flow_view_draws_what_its_state_says(actions):
    view = GradientFlowView(seed=1)
    step = view.n_layers
    check_flow(view, step)
    for name, u in actions:
        if name in ("preset", "weight_choice", "weight"):
            before = view.preset.value
            set_control(getattr(view, name), u)
            if name == "preset" and view.preset.value != before:
                step = view.n_layers
        else:
            press({"step": view.step_button, "all": view.all_button, "forward": view.forward_button}[name])
            L = view.n_layers
            step = {"step": 0 if step + 1 > L else step + 1, "all": L, "forward": 0}[name]
        check_flow(view, step)
    assert_picture_is_current(view)


# ---------------------------------------------------------------------------------------------
# The derivation explorer (no figure: the formulas are the picture)
# ---------------------------------------------------------------------------------------------
import functools  # noqa: E402

from backprop_course.widgets.derivation_view import DerivationExplorer, highlight_changes  # noqa: E402

DERIVATION_ACTIONS = st.one_of(
    st.tuples(st.sampled_from(["layers", "kind", "layer", "j", "k", "notation", "step"]), UNIT),
    st.tuples(st.sampled_from(["previous", "next", "verify"]), st.just(0.0)),
)


@functools.lru_cache(maxsize=None)
def fresh_derivation(kind: str, layers: int, layer: int, j: int, k: int):
    """The oracle: the symbolic package's derivation, built apart from the view's own cache."""
    from backprop_course.symbolic.derivations import derive_input_gradient, derive_weight_gradient

    if kind == "input":
        return derive_input_gradient(layers=layers, k=k)
    return derive_weight_gradient(layers=layers, layer=layer, j=j, k=k)


def derivation_key(view: DerivationExplorer) -> tuple:
    if view.kind.value == "input":
        return ("input", view.layers.value, 0, 0, view.k.value)
    return ("weight", view.layers.value, view.layer.value, view.j.value, view.k.value)


def check_derivation(view: DerivationExplorer, verified_key) -> None:
    from backprop_course.symbolic.render import to_latex

    s = view.state
    assert "error" not in s, s["error"]
    L, notation = view.layers.value, view.notation.value
    assert view.layer.max == L and 1 <= view.layer.value <= L
    key = derivation_key(view)
    assert (s["kind"], s["layers"], s["layer"], s["j"], s["k"]) == key and s["notation"] == notation
    d = fresh_derivation(*key)
    assert s["n_steps"] == len(d.steps) == view.step.max
    i = view.step.value
    assert s["step"] == i and 1 <= i <= len(d.steps)
    latex = to_latex(d.steps[i - 1].expr, notation)
    assert s["latex"] == latex
    if i == len(d.steps):  # the last step is the derivation's result, in its error-term form
        assert latex == to_latex(d.error_form, notation)
    previous = to_latex(d.steps[i - 2].expr, notation) if i > 1 else None
    assert s["marked"] == (latex if previous is None else highlight_changes(previous, latex))
    shown_ = view.math.value
    assert f"<b>step {i}: " in shown_ and f"$$ = {s['marked']}$$" in shown_
    assert f"{len(d.steps)} steps)" in shown_
    assert (f"$$ = {previous}$$" in shown_) == (previous is not None)
    # A verification report belongs to the derivation shown, or there is none.
    if verified_key == key:
        assert s["verified"] is True and s["verification"].target == str(d.target)
        assert "all numeric checks passed" in view.report.value
    else:
        assert "verification" not in s and view.report.value == ""


@pytest.mark.slow
@settings(max_examples=15, deadline=None, derandomize=True)
@given(actions=st.lists(DERIVATION_ACTIONS, min_size=1, max_size=6))
def test_derivation_explorer_shows_what_its_state_says(actions):
    view = DerivationExplorer(layers=3, layer=2, j=2, k=1)
    verified, key = None, derivation_key(view)
    check_derivation(view, verified)
    for name, u in actions:
        if name in ("previous", "next", "verify"):
            press({"previous": view.prev_button, "next": view.next_button,
                   "verify": view.verify_button}[name])
        else:
            set_control(getattr(view, name), u)
        new_key = derivation_key(view)
        if new_key != key:
            verified, key = None, new_key
        if name == "verify":
            verified = key
        check_derivation(view, verified)


# ---------------------------------------------------------------------------------------------
# Nudge one input
# ---------------------------------------------------------------------------------------------
from backprop_course.engine.mlp import MLP  # noqa: E402
from backprop_course.widgets.nudge import NudgeView  # noqa: E402

NUDGE_ACTIONS = st.tuples(st.sampled_from(["index", "dx"]), UNIT)
NUDGE_X, NUDGE_T = np.array([0.4, -0.7, 1.1, 0.2]), np.array([0.1, 0.9, 0.3])


def check_nudge(view: NudgeView, ref: MLP) -> None:
    s = view.state
    assert "error" not in s, s["error"]
    k, dx = view.index.value, view.dx.value
    assert (s["index"], s["dx"]) == (k, dx)

    def E(x):  # half the sum of squares, by hand from the engine's forward pass
        return 0.5 * float(np.sum((ref.forward(x[None, :])[0] - NUDGE_T) ** 2))

    def dE(x):  # central differences, input by input
        h = 1e-6
        return np.array([(E(x + h * e) - E(x - h * e)) / (2 * h) for e in np.eye(len(x))])

    moved = NUDGE_X.copy()
    moved[k] += dx
    assert s["loss0"] == pytest.approx(E(NUDGE_X), rel=1e-12)
    assert s["loss"] == pytest.approx(E(moved), rel=1e-12)
    np.testing.assert_allclose(s["grad0"], dE(NUDGE_X), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(s["grad"], dE(moved), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(s["outputs"], ref.forward(moved[None, :])[0], rtol=1e-12)
    assert s["predicted"] == pytest.approx(s["loss0"] + dE(NUDGE_X)[k] * dx, rel=1e-6, abs=1e-9)
    # The error panel: E along input k and its tangent; the markers at dx; all inside the axes.
    ax = view._ax_error
    (curve,) = [line for line in ax.lines if line.get_label().startswith("true E")]
    (tangent,) = [line for line in ax.lines if line.get_label().startswith("prediction")]
    cx, cy = curve.get_data()
    for i in (0, len(cx) // 2, len(cx) - 1):
        probe = NUDGE_X.copy()
        probe[k] += cx[i]
        assert cy[i] == pytest.approx(E(probe), rel=1e-12)
    tx, ty = tangent.get_data()
    assert (ty[-1] - ty[0]) / (tx[-1] - tx[0]) == pytest.approx(s["grad0"][k], rel=1e-9, abs=1e-12)
    assert inside(ax, cx, cy) and inside(ax, tx, ty)
    assert view._loss_point.get_data() == ([dx], [s["loss"]])
    assert view._predicted_point.get_data() == ([dx], [s["predicted"]])
    assert list(view._dx_line.get_xdata()) == [dx, dx]
    assert inside(ax, [dx, dx], [s["loss"], s["predicted"]])
    # The bars: one per output and one per input, the state's heights, inside their axes.
    for axis, bars, values, n in ((view._ax_out, view._out_bars, s["outputs"], 3),
                                  (view._ax_grad, view._grad_bars, s["grad"], 4)):
        assert len(bars) == n and len(axis.patches) == n and all(b.axes is axis for b in bars)
        np.testing.assert_array_equal([b.get_height() for b in bars], values)
        assert inside(axis, [b.get_x() for b in bars], values) and inside(axis, [0.0], [0.0])
    readout = view.readout.value
    assert f"<b>E = {s['loss0']:.6f} &rarr; {s['loss']:.6f}</b>" in readout
    assert f"dE/dx<sub>{k}</sub> = {s['grad0'][k]:+.6f} &rarr; {s['grad'][k]:+.6f}" in readout


@pytest.mark.slow
@settings(max_examples=8, deadline=None, derandomize=True)
@given(actions=st.lists(NUDGE_ACTIONS, min_size=1, max_size=5))
def test_nudge_view_draws_what_its_state_says(actions):
    view = NudgeView()
    ref = MLP([4, 5, 3], activation="sigmoid", init="standard_normal", seed=1)  # the default network
    check_nudge(view, ref)
    for name, u in actions:
        set_control(getattr(view, name), u)
        check_nudge(view, ref)
    assert_picture_is_current(view)


# ---------------------------------------------------------------------------------------------
# Online, mini-batch and batch side by side
# ---------------------------------------------------------------------------------------------
from backprop_course.widgets.modes import ModesView  # noqa: E402

# Epochs up to 50 of the slider's 500 (a run of 500 online epochs costs seconds).
MODES_ACTIONS = st.one_of(
    st.tuples(st.sampled_from(["lr_online", "lr_minibatch", "lr_batch", "batch_size"]), UNIT),
    st.tuples(st.just("epochs"), st.floats(0.0, 0.1)),
)


def check_modes(view: ModesView) -> None:
    from backprop_course.engine.optim import SGD
    from backprop_course.engine.training import TrainingDiverged, train

    s = view.state
    assert "error" not in s, s["error"]
    X, T = view.X, view.T
    n, b, epochs = len(X), view.batch_size.value, view.epochs.value
    lrs = {"online": view.lr_online.value, "mini-batch": view.lr_minibatch.value, "batch": view.lr_batch.value}
    assert s["lrs"] == tuple(lrs.values()) and (s["batch_size"], s["epochs"]) == (b, epochs)
    start_net = MLP([1, 10, 1], activation=["tanh", "linear"], seed=0)  # the view's network, rebuilt
    start = 0.5 * float(np.sum((start_net.forward(X) - T) ** 2))
    per_epoch = {"online": n, "mini-batch": -(-n // b), "batch": 1}
    for name, run in s["runs"].items():
        assert run.lr == lrs[name] and run.losses[0] == pytest.approx(start, rel=1e-12)
        net = start_net.copy()
        mode = {"online": "online", "mini-batch": "minibatch", "batch": "batch"}[name]
        try:
            hist = train(net, X, T, SGD(lr=lrs[name]), mode=mode,
                         batch_size=b if mode == "minibatch" else None, epochs=epochs, seed=0)
            assert run.diverged_epoch is None
        except TrainingDiverged as err:
            hist = err.history
            assert run.diverged_epoch == err.epoch
        np.testing.assert_allclose(run.losses[1:], hist.loss, rtol=1e-9)
        if run.diverged_epoch is None:
            assert s["total_updates"][name] == per_epoch[name] * epochs
    # Each axis shows exactly the three runs, as drawn in the state, finite and inside the axes.
    for ax, xkey, skip in ((view._ax_epoch, "epochs", 0), (view._ax_update, "updates", 1)):
        assert len(ax.lines) == 3
        for line, name in zip(ax.lines, s["runs"]):
            d = s["drawn"][name]
            xs, ys = line.get_data()
            np.testing.assert_array_equal(xs, d[xkey][skip:])
            np.testing.assert_array_equal(ys, d["losses"][skip:])
            assert np.all(np.isfinite(ys)) and np.all(ys > 0)
            assert inside(ax, xs, ys)
    readout = view.readout.value
    assert f"E before training: {start:.4f}" in readout
    for name, run in s["runs"].items():
        after = (f"diverged in epoch {run.diverged_epoch}" if run.diverged_epoch is not None else
                 f"{run.final_loss:.4g}" if run.final_loss > 1e4 else f"{run.final_loss:.4f}")
        assert f"<tr><td>{name}</td><td>{run.lr:.4g}</td><td>{run.batch_size}</td>" \
               f"<td>{s['total_updates'][name]}</td><td>{after}</td></tr>" in readout
    assert (s["message"] != "") == (bool(s["blown_up"]) or any(
        r.diverged_epoch is not None for r in s["runs"].values()))


@pytest.mark.slow
@settings(max_examples=5, deadline=None, derandomize=True)
@given(actions=st.lists(MODES_ACTIONS, min_size=1, max_size=3))
def test_modes_view_draws_what_its_state_says(actions):
    from backprop_course import datasets

    X, T = datasets.regression_1d(n=20, noise=0.1, seed=0)
    view = ModesView(X=X, T=T, epochs=10)
    check_modes(view)
    for name, u in actions:
        set_control(getattr(view, name), u)
        check_modes(view)


# ---------------------------------------------------------------------------------------------
# The training playground (its pure session methods and buttons; never the real-time loop)
# ---------------------------------------------------------------------------------------------
from backprop_course.widgets.playground import OPTIMIZER_CHOICES, TrainingPlayground  # noqa: E402
from backprop_course.widgets.training_session import describe, parse_hidden_sizes  # noqa: E402

PLAYGROUND_ACTIONS = st.one_of(
    st.tuples(st.sampled_from(["dataset", "activation", "init", "output", "optimizer", "lr", "momentum",
                               "mode", "batch_size", "speed"]), UNIT),
    st.tuples(st.just("hidden"), st.sampled_from(["3", "", "4,2", "8,8", "0", "two"])),  # two refused
    st.tuples(st.just("epochs_per_run"), st.integers(1, 4)),
    st.tuples(st.sampled_from(["run", "step", "pause", "reset"]), st.just(0.0)),
)


def apply_playground(view: TrainingPlayground, name: str, value) -> None:
    if name in ("run", "step", "pause", "reset"):
        press({"run": view.run_button, "step": view.step_button, "pause": view.pause_button,
               "reset": view.reset_button}[name])  # no event loop here: run trains synchronously
    elif name in ("hidden", "epochs_per_run"):
        getattr(view, name).value = value
    else:
        set_control(getattr(view, name), value)


def check_playground(view: TrainingPlayground) -> None:
    s, session = view.state, view.session
    assert "error" not in s, s["error"]
    settings_ = session.settings
    # The controls show the settings in force; a refused value snapped back (typed text stays).
    for name, control in view._controls.items():
        if name != "hidden":
            assert control.value == getattr(settings_, name), name
    # Typed hidden sizes that were refused stay only beside the message that says why.
    if "sizes_error" in s:
        assert s["message_kind"] == "error"
    else:
        assert tuple(parse_hidden_sizes(view.hidden.value)) == settings_.hidden
    # The network and the optimizer that train are the ones the settings describe.
    assert session.in_force() == settings_
    assert s["in_force"] == describe(settings_) and s["in_force"] in view.readout.value
    assert list(view.net.sizes) == [2, *settings_.hidden, 1] == s["sizes"]
    # The numbers against a fresh forward pass on a copy of the network.
    ref = view.net.copy()
    with np.errstate(all="ignore"):
        Y = ref.forward(view.X)
        loss = 0.5 * float(np.sum((Y - view.T) ** 2))
        xx, yy, zz = s["grid"]
        z_ref = ref.forward(np.column_stack([xx.ravel(), yy.ravel()]))[:, 0].reshape(xx.shape)
    assert s["loss"] == pytest.approx(loss, rel=1e-12)
    assert s["accuracy"] == np.mean((Y[:, 0] > 0.5) == (view.T[:, 0] > 0.5))
    np.testing.assert_array_equal(zz, z_ref)
    hist = s["loss_history"]
    assert s["epoch"] == len(hist) and not s["running"]
    if hist:  # the last epoch's E is the network's E now (after divergence too: the last finite one)
        assert hist[-1] == pytest.approx(loss, rel=1e-9)
    assert s["diverged"] == bool(session.diverged)
    # The drawing: the loss curve is the history, inside its axes; one bar per layer; the boundary.
    cx, cy = view._curve.line.get_data()
    good = np.isfinite(hist) & (np.asarray(hist) > 0) if hist else np.zeros(0, bool)
    np.testing.assert_array_equal(cx, np.arange(1, len(hist) + 1)[good])
    np.testing.assert_array_equal(cy, np.asarray(hist)[good])
    assert inside(view._curve.ax, cx, cy)
    assert view._curve.hint.get_visible() == (not good.any())
    bars = view._bars
    assert len(bars.bars) == len(view.net.sizes) - 1 == len(bars.ax.patches)
    norms = s["grad_norms"]
    for bar, mark, i in zip(bars.bars, bars.marks, range(len(bars.bars))):
        ok = norms is not None and np.isfinite(norms[i]) and norms[i] > 0
        assert bar.get_visible() == ok and mark.get_visible() == (not ok)
        if ok:
            assert bar.get_y() + bar.get_height() == pytest.approx(norms[i], rel=1e-9)
            assert inside(bars.ax, [bar.get_x()], [norms[i]])
    classes = np.where(np.isfinite(zz), (zz > 0.5).astype(float), 2.0)
    np.testing.assert_array_equal(view._boundary.image.get_array(), classes)
    readout = view.readout.value
    assert f"<span class='bc-epoch'>{s['epoch']}</span>" in readout
    assert f"E = {loss:.4g}" in readout and f"accuracy {100 * s['accuracy']:.1f}%" in readout
    assert f"{session.epochs_per_frame} epochs/frame" in readout and session.epochs_per_frame == view.speed.value


@pytest.mark.slow
@settings(max_examples=12, deadline=None, derandomize=True)
@given(optimizer=st.sampled_from(OPTIMIZER_CHOICES), actions=st.lists(PLAYGROUND_ACTIONS, min_size=1, max_size=6))
def test_playground_draws_what_its_state_says(optimizer, actions):
    view = TrainingPlayground(dataset="xor", hidden="3", lr=0.5, mode="batch", optimizer=optimizer,
                              epochs_per_run=3)
    check_playground(view)
    for name, value in actions:
        apply_playground(view, name, value)
        check_playground(view)
    assert_picture_is_current(view)


# ---------------------------------------------------------------------------------------------
# The digits network learning
# ---------------------------------------------------------------------------------------------
from backprop_course.widgets.digits import SHOWN_MISTAKES, DigitsView  # noqa: E402

DIGITS_ACTIONS = st.one_of(
    st.tuples(st.sampled_from(["hidden", "lr", "momentum"]), UNIT),
    st.tuples(st.just("epochs_per_run"), st.integers(1, 3)),
    st.tuples(st.sampled_from(["run", "step", "pause", "reset"]), st.just(0.0)),
)


def check_digits(view: DigitsView, clean: tuple | None) -> None:
    """``clean`` is (lr, momentum) when every epoch since the last reset ran with them, else None."""
    from backprop_course.engine.optim import SGD
    from backprop_course.engine.training import train

    s, run = view.state, view.run
    assert "error" not in s, s["error"]
    hidden = view.hidden.value
    assert run.hidden == hidden and list(run.net.sizes) == [64, hidden, 10]
    assert (run.opt.lr, run.opt.momentum) == (view.lr.value, view.momentum.value)
    epoch = s["epoch"]
    assert epoch == run.epoch and len(s["train_loss"]) == epoch + 1 and not s["running"]
    # The numbers now, against a fresh forward pass on a copy of the network.
    ref = run.net.copy()
    for X, T, y, loss_key, acc_key in ((run.X_train, run.T_train, run.y_train, "train_loss", "train_acc"),
                                       (run.X_test, run.T_test, run.y_test, "test_loss", "test_acc")):
        Y = ref.forward(X)
        assert s[loss_key][-1] == pytest.approx(0.5 * float(np.sum((Y - T) ** 2)) / len(X), rel=1e-9)
        assert s[acc_key][-1] == np.mean(Y.argmax(axis=1) == y)
    predicted = ref.forward(run.X_test).argmax(axis=1)
    np.testing.assert_array_equal(s["predicted"], predicted)
    wrong = np.flatnonzero(predicted != run.y_test)
    np.testing.assert_array_equal(s["wrong"], wrong)
    # The history, against the engine's own bc.train from the same seed (when the rate never changed).
    if clean is not None and epoch:
        net = MLP([64, hidden, 10], activation=["tanh", "sigmoid"], init="xavier", seed=0)
        hist = train(net, run.X_train, run.T_train, SGD(lr=clean[0], momentum=clean[1]), mode="minibatch",
                     batch_size=32, epochs=epoch, seed=0)
        np.testing.assert_allclose(s["train_loss"][1:] * len(run.X_train), hist.loss, rtol=1e-9)
    # The drawing: the curves are the state's, finite and inside their axes; the x axis follows
    # epochs/run; the strip shows the first mistakes and nothing left over from earlier ones.
    per_run = view.epochs_per_run.value
    assert s["epoch_xlim"] == (0.0, float(per_run * max(1, -(-epoch // per_run))))
    for name, ax in (("train_loss", view._ax_loss), ("test_loss", view._ax_loss),
                     ("train_acc", view._ax_acc), ("test_acc", view._ax_acc)):
        xs, ys = view._lines[name].get_data()
        np.testing.assert_array_equal(xs, np.arange(epoch + 1))
        np.testing.assert_array_equal(ys, s[name])
        assert np.all(np.isfinite(ys)) and inside(ax, xs, ys)
    shown_ = wrong[:SHOWN_MISTAKES]
    for i, (img, cap) in enumerate(zip(view._images, view._captions)):
        if i < len(shown_):
            assert img.get_visible()
            np.testing.assert_array_equal(img.get_array(), run.X_test[shown_[i]].reshape(8, 8))
            assert cap.get_text() == f"true {run.y_test[shown_[i]]}, said {predicted[shown_[i]]}"
        else:
            assert not img.get_visible() and cap.get_text() == ""
    readout = view.readout.value
    assert f"<b>epoch {epoch}</b> ({run.updates} updates, lr {view.lr.value:.3g}, " \
           f"momentum {view.momentum.value:.2f})" in readout
    assert f"({len(wrong)} of {len(run.X_test)} test images wrong)" in readout


@pytest.mark.slow
@settings(max_examples=6, deadline=None, derandomize=True)
@given(actions=st.lists(DIGITS_ACTIONS, min_size=1, max_size=5))
def test_digits_view_draws_what_its_state_says(actions):
    view = DigitsView(epochs_per_run=2)
    clean = (view.lr.value, view.momentum.value)
    check_digits(view, clean)
    for name, value in actions:
        if name in ("run", "step", "pause", "reset"):
            press({"run": view.run_button, "step": view.step_button, "pause": view.pause_button,
                   "reset": view.reset_button}[name])
        elif name == "epochs_per_run":
            view.epochs_per_run.value = value
        else:
            set_control(getattr(view, name), value)
        if name in ("reset", "hidden") or (clean is not None and view.run.epoch == 0):
            clean = (view.lr.value, view.momentum.value)   # a fresh network: the rate it starts with
        elif name in ("lr", "momentum") and clean != (view.lr.value, view.momentum.value):
            clean = None
        check_digits(view, clean)
    assert_picture_is_current(view)


# ---------------------------------------------------------------------------------------------
# The bugs these properties found, each as the shortest sequence that showed it
# ---------------------------------------------------------------------------------------------
def test_nudge_legends_do_not_depend_on_where_dx_was_when_the_background_was_drawn():
    # loc="best" placed the legends by the markers of the moment the static layer was cached:
    # after dx = -0.5 the cached picture kept the legends where they fitted dx = 0 (6211 pixels).
    view = NudgeView()
    view.dx.value = view.dx.min
    assert_picture_is_current(view)


def test_digits_epoch_axis_follows_epochs_per_run_at_once():
    # The axis spans whole runs; a new epochs/run changed it only at the next epoch.
    view = DigitsView(epochs_per_run=2)
    view.epochs_per_run.value = 1
    assert view.state["epoch_xlim"] == (0.0, 1.0) and view._ax_loss.get_xlim() == (0.0, 1.0)
    assert_picture_is_current(view)


def test_playground_refused_hidden_text_stays_only_beside_its_message():
    # "two" was refused (message, old network kept); a change of the data set then cleared the
    # message but left "two" in the box beside a 2-3-1 network.
    view = TrainingPlayground(dataset="xor", hidden="3", lr=0.5, mode="batch")
    view.hidden.value = "two"
    assert view.hidden.value == "two" and view.state["message_kind"] == "error"
    view.dataset.value = "moons"
    assert view.hidden.value == "3" and view.state["sizes"] == [2, 3, 1] and view.message.value == ""
    check_playground(view)
