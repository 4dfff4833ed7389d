"""Direct manipulation: pixels -> data, press/drag/release, and the two views that use it.

Events are the dictionaries ipyevents sends (``type``, ``dataX``, ``dataY`` in image pixels with the
origin top left, ``button``, ``buttons``); the browser test drags on the real page.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from backprop_course.widgets.descent import SURFACES, DescentView, get_surface
from backprop_course.widgets.flow import PRESETS, GradientFlowView
from backprop_course.widgets.pointer import (PointerGesture, data_to_pixel, nearest_segment,
                                             pixel_to_data)


def _axes(xlim=(-3.0, 2.0), ylim=(10.0, -4.0)):
    fig = Figure(figsize=(4, 3), dpi=80)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.15, 0.1, 0.8, 0.8))
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)  # an inverted y axis too: the transform, not a formula, must do the work
    return ax


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.floats(-3.0, 2.0), st.floats(-4.0, 10.0))
def test_pixel_and_data_round_trip(x, y):
    ax = _axes()
    px, py = data_to_pixel(ax, x, y)
    assert 0 <= px <= 320 and 0 <= py <= 240  # inside the 4x3 in, 80 dpi image
    back = pixel_to_data(ax, px, py)
    assert back == pytest.approx((x, y), abs=1e-9)


def test_a_point_on_the_axes_border_is_inside():
    ax = _axes()
    for x, y in [(0.0, 10.0), (-3.0, -4.0), (2.0, 10.0), (-3.0, 0.0)]:   # on the edges and corners
        assert pixel_to_data(ax, *data_to_pixel(ax, x, y)) == pytest.approx((x, y), abs=1e-9)


def test_image_origin_is_top_left():
    ax = _axes(ylim=(0.0, 1.0))
    _, top = data_to_pixel(ax, 0.0, 1.0)
    _, bottom = data_to_pixel(ax, 0.0, 0.0)
    assert top < bottom  # larger y in data is higher up, i.e. fewer pixels from the image's top


def test_outside_the_axes_is_none_unless_clamped():
    ax = _axes(xlim=(0.0, 1.0), ylim=(0.0, 1.0))
    assert pixel_to_data(ax, 1.0, 1.0) is None  # the figure's top-left corner, outside the Axes
    x, y = pixel_to_data(ax, 1.0, 1.0, clamp=True)
    assert (x, y) == pytest.approx((0.0, 1.0))  # the Axes' top-left corner


def test_nearest_segment_and_tolerance():
    ax = _axes(xlim=(0.0, 10.0), ylim=(0.0, 10.0))
    segs = np.array([[[1, 1], [9, 1]], [[1, 5], [9, 5]], [[5, 0], [5, 10]]], dtype=float)
    px, py = data_to_pixel(ax, 3.0, 5.0)
    assert nearest_segment(ax, segs, px, py + 3) == 1  # 3 px below the middle line
    px, py = data_to_pixel(ax, 3.0, 3.0)  # far (in pixels) from every segment
    assert nearest_segment(ax, segs, px, py) is None
    assert nearest_segment(ax, segs[:0], px, py) is None


def test_gesture_press_drag_release():
    calls = []
    g = PointerGesture(lambda x, y: calls.append(("press", x, y)) or x > 10,
                       lambda x, y: calls.append(("drag", x, y)), lambda: calls.append(("release",)))
    g.handle({"type": "mousemove", "dataX": 5, "dataY": 5, "buttons": 1})  # no press yet: ignored
    g.handle({"type": "mousedown", "dataX": 5, "dataY": 5, "button": 0})   # press that hits nothing
    g.handle({"type": "mousemove", "dataX": 6, "dataY": 6, "buttons": 1})
    assert calls == [("press", 5.0, 5.0)] and not g.dragging
    g.handle({"type": "mousedown", "dataX": 20, "dataY": 5, "button": 2})  # right button: ignored
    assert not g.dragging
    g.handle({"type": "mousedown", "dataX": 20, "dataY": 5, "button": 0})
    g.handle({"type": "mousemove", "dataX": 21, "dataY": 7, "buttons": 1})
    g.handle({"type": "mouseup", "dataX": 21, "dataY": 7})
    g.handle({"type": "mousemove", "dataX": 30, "dataY": 7, "buttons": 1})  # after release: ignored
    assert calls[1:] == [("press", 20.0, 5.0), ("drag", 21.0, 7.0), ("release",)]
    # a button released outside the image arrives as a move without buttons: the drag ends
    g.handle({"type": "mousedown", "dataX": 20, "dataY": 5, "button": 0})
    g.handle({"type": "mousemove", "dataX": 22, "dataY": 5, "buttons": 0})
    assert not g.dragging and calls[-1] == ("release",)


@pytest.mark.parametrize("surface", list(SURFACES))
def test_descent_press_puts_the_start_under_the_pointer(surface):
    view = DescentView(surface=surface)
    s = get_surface(surface)
    rng = np.random.default_rng(3)
    for _ in range(5):
        target = [rng.uniform(lo, hi) for lo, hi in s.bounds]
        # on a curve only x counts: press anywhere in the plot's height
        y = target[1] if s.dim == 2 else float(np.mean(view._ax.get_ylim()))
        px, py = data_to_pixel(view._ax, target[0], y)
        view.gesture.handle({"type": "mousedown", "button": 0, "dataX": px, "dataY": py})
        # the sliders keep 0.05 steps: the start is the pressed point to within half a step
        assert view.state["start"] == pytest.approx(target[: s.dim], abs=0.026)
        # and the path drawn starts there (the trajectory of the state, from that start)
        assert view.state["points"][0] == pytest.approx(view.state["start"])
        view.gesture.handle({"type": "mouseup"})


def test_descent_drag_follows_and_clamps_to_the_plot():
    view = DescentView(surface="bowl")
    px, py = data_to_pixel(view._ax, 0.5, 0.5)
    view.gesture.handle({"type": "mousedown", "button": 0, "dataX": px, "dataY": py})
    for x in np.linspace(0.5, -1.0, 7):
        qx, qy = data_to_pixel(view._ax, x, 0.5)
        view.gesture.handle({"type": "mousemove", "buttons": 1, "dataX": qx, "dataY": qy})
        assert view.state["start"] == pytest.approx([x, 0.5], abs=0.026)
    view.gesture.handle({"type": "mousemove", "buttons": 1, "dataX": -500.0, "dataY": py})
    lo = get_surface("bowl").bounds[0][0]
    assert view.state["start"][0] == pytest.approx(lo, abs=0.026)  # stopped at the plot's edge
    # a press outside the plot (the title area) moves nothing and starts no drag
    view.gesture.handle({"type": "mouseup"})
    before = view.state["start"].copy()
    view.gesture.handle({"type": "mousedown", "button": 0, "dataX": 2.0, "dataY": 2.0})
    assert not view.gesture.dragging and np.array_equal(view.state["start"], before)


@pytest.mark.parametrize("preset", list(PRESETS)[:2])
def test_flow_click_selects_every_edge(preset):
    view = GradientFlowView(preset=preset)
    plot = view._net_plot
    for i, (a, b) in enumerate(plot.segments):
        if len(plot.segments) > 40 and i % 7:  # the deep preset: a sample of its edges
            continue
        # edges cross in the middle of a layer, so click near either end, where they fan out
        hits = {view.weight_at_pixel(*data_to_pixel(plot.ax, *(a + t * (b - a)))) for t in (0.2, 0.8)}
        assert plot.index[i] in hits


def test_flow_drag_edits_the_weight_and_every_gradient_follows():
    view = GradientFlowView()
    plot = view._net_plot
    i = len(plot.segments) - 1  # an output-layer edge
    px, py = data_to_pixel(plot.ax, *(0.25 * plot.segments[i][0] + 0.75 * plot.segments[i][1]))
    view.gesture.handle({"type": "mousedown", "button": 0, "dataX": px, "dataY": py})
    assert view.state["selected"] == plot.index[i]
    w0 = view.state["weight"]
    view.gesture.handle({"type": "mousemove", "buttons": 1, "dataX": px + 45, "dataY": py + 20})
    l, j, k = plot.index[i]
    assert view.state["weight"] == pytest.approx(w0 + 45 / view.drag_pixels_per_unit, abs=0.006)
    assert view.net.weights[l][j, k] == view.state["weight"] == view.weight.value
    # oracle: the engine's own backward pass on the edited network
    net = view.net
    net.forward(view.X)
    g = net.backward(view.T)
    for shown, fresh in zip(view.state["gradients"].weights, g.weights):
        np.testing.assert_allclose(shown, fresh, rtol=1e-12, atol=1e-15)
    assert view.state["loss"] == pytest.approx(0.5 * np.sum((view.T - net.forward(view.X)) ** 2), rel=1e-12)
    view.gesture.handle({"type": "mouseup"})
    # a press on empty space selects nothing
    before = view.state["selected"]
    view.gesture.handle({"type": "mousedown", "button": 0, "dataX": 1.0, "dataY": 1.0})
    assert not view.gesture.dragging and view.state["selected"] == before


@pytest.mark.parametrize("make", [DescentView, GradientFlowView])
def test_the_image_carries_no_tooltip(make):
    # ipywidgets 8.1's front end fails to create an ImageView whose model has a tooltip ("Failed to
    # create view for 'ImageView'": the figure disappears), found by tests/browser/test_pointer_browser.py.
    # The lessons say how to drag instead.
    assert make().image.tooltip is None
