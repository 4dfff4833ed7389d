"""The pure drawing helpers: they draw what they are given, on the Axes they are given."""
import io

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch, Polygon
from PIL import Image

from backprop_course.engine.graph import trace
from backprop_course.engine.value import Value
from backprop_course.widgets import netplot as N
from backprop_course.widgets import plotting as P


def new_ax():
    fig = Figure(figsize=(4, 3), dpi=60)
    FigureCanvasAgg(fig)
    return fig, fig.add_subplot()


def texts(ax):
    return [t.get_text() for t in ax.texts]


@pytest.mark.parametrize("x, expected", [(-12.0, "-12"), (0.0, "0"), (0.123456, "0.123"), (1e-7, "1e-07"),
                                         (float("nan"), "?"), (float("inf"), "?"), (None, "?")])
def test_fmt(x, expected):
    assert P.fmt(x) == expected


def seed_graph():
    x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    q = x + y
    q.label = "q"
    f = q * z
    f.backward()
    return trace(f)


def test_graph_nodes_show_value_and_gradient_and_edges_their_local_gradient():
    nodes, edges = seed_graph()
    pos = {0: (0, 1), 1: (0, 0), 2: (1, 0), 3: (0, -1), 4: (2, 0)}
    fig, ax = new_ax()
    assert P.draw_computational_graph(ax, nodes, edges, pos) is ax
    t = texts(ax)
    assert sum(isinstance(p, FancyBboxPatch) for p in ax.patches) == 5
    for expected in ("x", "q (+)", "value -12", "grad -4", "grad 3", "grad 1"):
        assert expected in t
    # local gradients: dq/dx = dq/dy = 1, df/dq = z = -4, df/dz = q = 3
    assert sorted(s for s in t if s in ("1", "-4", "3")) == ["-4", "1", "1", "3"]
    fig.canvas.draw()


def test_graph_pending_gradients_current_node_and_active_edges():
    nodes, edges = seed_graph()
    pos = {0: (0, 1), 1: (0, 0), 2: (1, 0), 3: (0, -1), 4: (2, 0)}
    fig, ax = new_ax()
    nan = float("nan")
    P.draw_computational_graph(ax, nodes, edges, pos, grads=[nan, nan, -4.0, 3.0, 1.0], current=4,
                               active_edges=[2, 3], edge_notes={2: "1 x -4 = -4", 3: "1 x 3 = 3"})
    t = texts(ax)
    assert t.count("grad ?") == 2 and "1 x -4 = -4" in t and "1 x 3 = 3" in t
    red = [p for p in ax.patches if isinstance(p, FancyBboxPatch) and p.get_linewidth() > 2]
    assert len(red) == 1
    thick = [ln for ln in ax.lines if ln.get_linewidth() > 2]
    assert len(thick) == 2 and all(ln.get_color() == P.ACTIVE_COLOUR for ln in thick)


def test_graph_repeated_operand_draws_two_distinct_edges():
    a = Value(3.0, label="a")
    nodes, edges = trace(a * a)
    fig, ax = new_ax()
    P.draw_computational_graph(ax, nodes, edges, {0: (0, 0), 1: (1, 0)})
    assert len(ax.lines) == 2
    assert not np.allclose(ax.lines[0].get_ydata().max(), ax.lines[1].get_ydata().max())


def test_activation_tangent_has_the_given_slope():
    fig, ax = new_ax()
    z = np.linspace(-6, 6, 101)
    a = 1 / (1 + np.exp(-z))
    P.draw_activation(ax, z, a, 0.5, 0.6225, 0.235, "sigmoid")
    tangent = ax.lines[1]
    (x0, x1), (y0, y1) = tangent.get_xdata(), tangent.get_ydata()
    assert (y1 - y0) / (x1 - x0) == pytest.approx(0.235)
    assert list(ax.lines[2].get_xdata()) == [0.5] and list(ax.lines[2].get_ydata()) == [0.6225]


def test_descent_drawings_show_the_path_as_given():
    fig, ax = new_ax()
    x = np.linspace(-3, 3, 50)
    P.draw_curve_descent(ax, x, x**2, np.array([2.0, 1.0, 0.5]), np.array([4.0, 1.0, 0.25]), [0.0])
    np.testing.assert_array_equal(ax.lines[1].get_xdata(), [2.0, 1.0, 0.5])
    fig, ax = new_ax()
    X, Y = np.meshgrid(np.linspace(-1, 1, 9), np.linspace(-1, 1, 9))
    path = np.array([[0.8, 0.8], [0.4, 0.3], [0.1, 0.0]])
    P.draw_contour_descent(ax, X, Y, X**2 + Y**2, path, minima=[(0, 0)], levels=5)
    np.testing.assert_array_equal(ax.lines[0].get_xydata(), path)
    assert ax.get_xlim() == (-1.0, 1.0)


def test_contour_vmax_caps_the_colour_scale_of_a_diverging_path():
    X, Y = np.meshgrid(np.linspace(-10, 10, 41), np.linspace(-10, 10, 41))
    Z = X**2 + Y**2                                             # 0 at the centre, 200 in the corners
    path = np.array([[1.0, 1.0], [-2.0, -2.0], [4.0, 4.0], [-8.0, -8.0]])   # a diverging path
    fig, ax = new_ax()
    P.draw_contour_descent(ax, X, Y, Z, path, levels=11)
    assert ax.collections[0].levels.max() == pytest.approx(200.0)          # without a cap: up to 200
    fig, ax = new_ax()
    P.draw_contour_descent(ax, X, Y, Z, path, levels=11, vmax=5.0)
    filled = ax.collections[0]
    np.testing.assert_allclose(filled.levels, np.linspace(0.0, 5.0, 11))    # all levels below the cap
    assert filled.norm.vmax <= 5.0 + 1e-12                                  # and so is the colour scale
    np.testing.assert_array_equal(ax.lines[0].get_xydata(), path)          # the path is drawn as given
    fig, ax = new_ax()                                                      # explicit levels: cut at vmax
    P.draw_contour_descent(ax, X, Y, Z, path, levels=[0.0, 1.0, 2.0, 8.0, 50.0], vmax=4.0)
    np.testing.assert_allclose(ax.collections[0].levels, [0.0, 1.0, 2.0, 4.0])


@pytest.mark.parametrize("vmax, error, match", [
    ("5", TypeError, "must be a number or None"), (True, TypeError, "must be a number or None"),
    (float("nan"), ValueError, "finite number above"), (float("inf"), ValueError, "finite number above"),
    (0.0, ValueError, r"above the lowest loss on the grid \(0\)"),
])
def test_contour_vmax_is_validated(vmax, error, match):
    X, Y = np.meshgrid(np.linspace(-1, 1, 9), np.linspace(-1, 1, 9))
    fig, ax = new_ax()
    with pytest.raises(error, match=match):
        P.draw_contour_descent(ax, X, Y, X**2 + Y**2, np.zeros((0, 2)), vmax=vmax)
    with pytest.raises(ValueError, match="fewer than two contour levels"):
        P.draw_contour_descent(ax, X, Y, X**2 + Y**2, np.zeros((0, 2)), levels=[1.0, 2.0], vmax=0.5)

def test_ridge_outline_and_ridgeline_rows():
    xy = P.ridge_outline(np.array([0.0, 1.0, 2.0]), np.array([1.0, 2.0]), base=3.0, height=1.0)
    np.testing.assert_allclose(xy, [[0, 3], [0, 3.5], [1, 3.5], [1, 4], [2, 4], [2, 3]])
    flat = P.ridge_outline(np.array([0.0, 1.0]), np.array([0.0]), base=0.0)  # no division by zero
    assert np.all(np.isfinite(flat))
    fig, ax = new_ax()
    edges = np.linspace(0, 1, 5)
    P.draw_ridgeline(ax, edges, [np.array([1, 2, 3, 4.0])] * 3, ["l1", "l2", "l3"], shade=[(0, 0.1)])
    # one filled outline per row (the band is a Polygon too before matplotlib 3.9, a Rectangle after)
    assert sum(isinstance(p, Polygon) and p.get_label().startswith("_ridge") for p in ax.patches) == 3
    assert len(ax.patches) == 4                                       # plus the shaded band
    assert [t.get_text() for t in ax.get_yticklabels()] == ["l1", "l2", "l3"]


def test_layer_bars_mark_values_a_log_axis_cannot_show():
    # the one draw_layer_bars lives with the network drawings (netplot); it is shared by views 4 and 5
    fig, ax = new_ax()
    N.draw_layer_bars(ax, [1e-6, 0.0, 1e-2, float("nan")], ["1", "2", "3", "4"])
    bars = [p for p in ax.patches if p.get_visible()]
    assert len(bars) == 2 and bars[1].get_height() > bars[0].get_height() > 0
    bottom = ax.get_ylim()[0]
    assert [b.get_y() + b.get_height() for b in bars] == pytest.approx([1e-6, 1e-2])   # tops at the values
    assert [t.get_text() for t in ax.texts if t.get_visible()] == ["?", "?"]            # 0 and nan: unknown
    assert ax.get_yscale() == "log" and bottom <= 1e-7
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "2", "3", "4"]
    fig.canvas.draw()


def test_freeze_layout_keeps_positions_and_drops_the_solver():
    fig = Figure(figsize=(4, 3), dpi=60, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.set_title("t")
    P.freeze_layout(fig)
    before = ax.get_position().bounds
    fig.canvas.draw()
    assert fig.get_layout_engine() is None or type(fig.get_layout_engine()).__name__ == "PlaceHolderLayoutEngine"
    assert ax.get_position().bounds == before and before != (0.125, 0.11, 0.775, 0.77)


def test_encode_png_round_trips_pixels():
    rng = np.random.default_rng(0)
    rgba = rng.integers(0, 256, size=(7, 5, 4), dtype=np.uint8)
    for level in (0, 1, 9):
        img = Image.open(io.BytesIO(P.encode_png(rgba, level)))
        assert img.size == (5, 7) and img.mode == "RGB"
        np.testing.assert_array_equal(np.asarray(img), rgba[:, :, :3])   # alpha dropped, nothing else


def test_encode_png_takes_a_canvas_buffer():
    fig, ax = new_ax()
    ax.plot([0, 1], [0, 1])
    fig.canvas.draw()
    buffer = np.asarray(fig.canvas.buffer_rgba())
    img = Image.open(io.BytesIO(P.encode_png(buffer)))
    np.testing.assert_array_equal(np.asarray(img), buffer[:, :, :3])


@pytest.mark.parametrize("rgba, level, exc, match", [
    (np.zeros((4, 4, 3), np.uint8), 1, ValueError, r"'rgba' parameter of encode_png must be a uint8 array of "
                                                   r"shape \(height, width, 4\)\. Got uint8 array of shape \(4, 4, 3\)"),
    (np.zeros((4, 4, 4)), 1, ValueError, "Got float64 array"),
    (np.zeros((4, 4, 4), np.uint8), 10, ValueError, "'level' parameter of encode_png must be an int in \\[0, 9\\]"),
    (np.zeros((4, 4, 4), np.uint8), 1.5, TypeError, "'level' parameter of encode_png"),
])
def test_encode_png_rejects_bad_input(rgba, level, exc, match):
    with pytest.raises(exc, match=match):
        P.encode_png(rgba, level)


def test_fast_png_redraws_animated_artists_and_caches_the_rest():
    fig = Figure(figsize=(3, 2), dpi=50)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    (moving,) = ax.plot([0.2], [0.2], "o", ms=10, animated=True)
    fast = P.FastPNG(fig)
    first = fast.png()
    assert first[:4] == b"\x89PNG"
    moving.set_data([0.8], [0.8])
    second = fast.png()
    assert second != first                           # the animated artist moved
    ax.set_facecolor("black")                        # a static change is NOT seen until invalidate()
    assert fast.png() == second
    fast.invalidate()
    assert fast.png() != second


def test_fast_png_middle_layer_is_cached_until_invalidated():
    fig = Figure(figsize=(3, 2), dpi=50)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    (mid,) = ax.plot([0.5], [0.5], "s", ms=12, animated=True, gid=P.FastPNG.MIDDLE)
    (top,) = ax.plot([0.2], [0.2], "o", ms=8, animated=True)
    fast = P.FastPNG(fig)
    first = fast.png()
    mid.set_data([0.8], [0.3])                      # middle layer changed, not yet invalidated
    assert fast.png() == first
    fast.invalidate_middle()
    second = fast.png()
    assert second != first
    top.set_data([0.6], [0.7])                       # the top layer is redrawn on every call
    assert fast.png() != second


def test_graph_layers_split_the_drawing():
    nodes, edges = seed_graph()
    pos = {0: (0, 1), 1: (0, 0), 2: (1, 0), 3: (0, -1), 4: (2, 0)}
    counts = {}
    for part in ("static", "values", "step"):
        fig, ax = new_ax()
        P.draw_computational_graph(ax, nodes, edges, pos, part=part)
        counts[part] = texts(ax)
    assert "value -12" in counts["values"] and "value -12" not in counts["static"]
    assert "grad -4" in counts["step"] and "x" in counts["static"]
    with pytest.raises(ValueError, match="'part'"):
        P.draw_computational_graph(new_ax()[1], nodes, edges, pos, part="numbers")


def test_fast_png_keeps_one_background_per_key():
    fig = Figure(figsize=(3, 2), dpi=50)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    (dot,) = ax.plot([0.5], [0.5], "o", animated=True)
    fast = P.FastPNG(fig)
    white = fast.png(key="white")
    ax.set_facecolor("black")
    black = fast.png(key="black")
    assert black != white
    ax.set_facecolor("red")          # the caller promised: key "white" means the white background
    assert fast.png(key="white") == white
    fast.invalidate()                # ... until the cache is dropped
    assert fast.png(key="white") not in (white, black)


def test_minima_stars_are_drawn_above_the_end_point_and_every_marker_is_labelled():
    fig, ax = new_ax()
    X, Y = np.meshgrid(np.linspace(-2, 2, 9), np.linspace(-1, 1, 9))
    path = np.array([[1.8, 0.8], [1.3, 0.1], [1.0, 0.0]])          # ends on the local minimum
    P.draw_contour_descent(ax, X, Y, X**2 + Y**2, path, minima=[(-1.0, 0.0), (1.0, 0.0)], levels=5)
    by_label = {ln.get_label(): ln for ln in ax.lines}
    assert set(by_label) == {"path", "start", "end", "global minimum", "local minimum"}
    end, local = by_label["end"], by_label["local minimum"]
    assert local.get_zorder() > end.get_zorder() and local.get_markerfacecolor() == "none"
    assert by_label["global minimum"].get_zorder() > end.get_zorder()
    fig, ax = new_ax()
    x = np.linspace(-2, 2, 50)
    P.draw_curve_descent(ax, x, x**2, np.array([1.5, 0.5]), np.array([2.25, 0.25]), minima=[0.0, 0.5])
    assert {ln.get_label() for ln in ax.lines} >= {"start", "end", "global minimum", "local minimum"}


def test_series_styles_differ_in_colour_dash_and_marker_and_avoid_red_green():
    styles = [P.series_style(i) for i in range(len(P.SERIES))]
    for key in ("color", "ls", "marker"):
        assert len({str(s[key]) for s in styles}) == len(styles), key
    assert all(s["color"] in P.OKABE_ITO.values() for s in styles)
    assert P.series_style(len(P.SERIES)) == P.series_style(0)                       # styles repeat
    assert P.series_style(2, n_points=100, markers=10)["markevery"][1] == 10
    assert list(P.series_styles(["a", "b"])) == ["a", "b"]
    with pytest.raises(ValueError, match="'i' parameter of series_style"):
        P.series_style(-1)


@pytest.mark.parametrize("lo, hi, expected", [
    (0.3, 20, [0.5, 1, 2, 5, 10, 20]),
    (3.5, 5.5, [4, 5]),
    (24.5, 25.2, [24.6, 24.8, 25.0, 25.2]),
    (1e-6, 1.0, [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 0.1, 1.0]),
])
def test_log_tick_values(lo, hi, expected):
    np.testing.assert_allclose(P.log_tick_values(lo, hi), expected)


def test_readable_log_ticks_label_a_narrow_log_axis_with_plain_numbers():
    fig, ax = new_ax()
    ax.semilogy([0, 1, 2], [3.5, 4.2, 5.5])
    ax.set_ylim(3.5, 5.5)
    P.readable_log_ticks(ax)
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    minor = [t.get_text() for t in ax.yaxis.get_minorticklabels() if t.get_text()]
    assert labels == ["4", "5"] and minor == []              # no "4x10^0"
    fig, ax = new_ax()
    ax.semilogy([0, 1], [1e-5, 1.0])
    P.readable_log_ticks(ax)
    fig.canvas.draw()
    assert any("10^" in t.get_text() or "10^{" in t.get_text() for t in ax.get_yticklabels())
    with pytest.raises(ValueError, match="log-scaled axis"):
        P.readable_log_ticks(new_ax()[1])
    with pytest.raises(ValueError, match="'lo, hi'"):
        P.log_tick_values(0.0, 1.0)
