"""The static figures of lessons 06 and 07: the backward pass step by step, and the paths of a weight."""
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

import backprop_course as bc
from backprop_course.widgets import netplot as N


def new_ax():
    fig = Figure(figsize=(4, 3), dpi=60)
    FigureCanvasAgg(fig)
    return fig.add_subplot()


def mazur():
    # Matt Mazur's 2-2-2 example (lesson 06): delta_o1 = 0.138498562, delta_h1 = 0.008771354
    net = bc.MLP([2, 2, 2], activation="sigmoid", seed=0)
    net.weights[0][:] = [[0.15, 0.20], [0.25, 0.30]]
    net.weights[1][:] = [[0.40, 0.45], [0.50, 0.55]]
    net.biases[0][:], net.biases[1][:] = 0.35, 0.60
    net.forward(np.array([[0.05, 0.10]]))
    g = net.backward(np.array([[0.01, 0.99]]))
    return net, g, [a[0] for a in net.layer_outputs], [d[0] for d in g.deltas]


def test_backward_steps_reveal_the_error_terms_from_the_output_down_then_the_gradients():
    net, g, outs, deltas = mazur()
    steps = N.backward_pass_steps(net.weights, outs, deltas)
    assert len(steps) == 3
    assert [s["current"] for s in steps] == [2, 1, None] and [s["active"] for s in steps] == [None, 1, None]
    assert steps[0]["deltas"][1] is None and steps[0]["deltas"][0] is None          # hidden: not yet
    np.testing.assert_allclose(steps[0]["deltas"][2], [0.138498562, -0.038098236], atol=1e-9)
    np.testing.assert_allclose(steps[1]["deltas"][1], [0.008771354, 0.009954254], atol=1e-9)
    for l in range(2):                                          # the last step holds dE/dW of the engine
        np.testing.assert_allclose(steps[2]["gradients"][l], g.weights[l], rtol=1e-12)
    assert steps[0]["gradients"] is None and steps[1]["gradients"] is None


def test_backward_steps_reject_mismatched_shapes():
    net, g, outs, deltas = mazur()
    with pytest.raises(ValueError, match="'layer_outputs, deltas' parameter of backward_pass_steps"):
        N.backward_pass_steps(net.weights, outs[:2], deltas)
    with pytest.raises(ValueError, match="'weights' parameter of backward_pass_steps"):
        N.backward_pass_steps([np.ones((3, 2)), net.weights[1]], outs, deltas)


def test_draw_backward_step_prints_the_known_error_terms_and_question_marks():
    net, g, outs, deltas = mazur()
    steps = N.backward_pass_steps(net.weights, outs, deltas)
    ax = N.draw_backward_step(new_ax(), steps[0], outs)
    texts = [t.get_text() for t in ax.texts]
    assert texts.count("δ ?") == 2 and "δ 0.138" in texts and "a 0.751" in texts
    ax = N.draw_backward_step(new_ax(), steps[1], outs)
    assert len([p for p in ax.texts if getattr(p, "arrow_patch", None) is not None]) == 4   # back through 4 weights
    ax = N.draw_backward_step(new_ax(), steps[2], outs)
    assert "0.082" in [t.get_text() for t in ax.texts]                       # Mazur's dE/dw5 = 0.082167041
    with pytest.raises(ValueError, match="'step' parameter of draw_backward_step"):
        N.draw_backward_step(new_ax(), steps[0], outs[:2])


def test_paths_from_counts_one_path_per_choice_of_node_above():
    paths = N.paths_from([3, 7, 2, 2, 2, 2], layer=1, node=6)
    assert len(paths) == 16 == len(set(paths)) and all(p[0] == 6 and len(p) == 5 for p in paths)
    assert N.paths_from([2, 3], layer=1, node=0) == [(0,)]                  # an output node: itself
    with pytest.raises(ValueError, match="'node' parameter of paths_from"):
        N.paths_from([2, 3], layer=1, node=3)


def test_draw_weight_paths_highlights_the_weight_and_exactly_the_edges_on_its_paths():
    sizes = (3, 7, 2, 2, 2, 2)
    ax = N.draw_weight_paths(new_ax(), sizes, layer=1, j=6, k=2, name="w_173", example=(6, 0, 1, 1, 0))
    blue = [ln for ln in ax.lines if ln.get_color() == "#0072B2"]
    red = [ln for ln in ax.lines if ln.get_color() == "#D55E00"]
    assert len(blue) == 2 + 4 + 4 + 4           # node 7 -> layer 2, then every edge above
    assert len(red) == 1 and red[0].get_xydata().tolist() == [[0.0, -1.0], [1.0, -1.0]]   # input 3 -> node 7
    assert ax.get_title().startswith("16 paths carry w_173")
    with pytest.raises(ValueError, match="'example' parameter of draw_weight_paths"):
        N.draw_weight_paths(new_ax(), sizes, layer=1, j=6, k=2, example=(5, 0, 0, 0, 0))
    with pytest.raises(ValueError, match="'j, k' parameter of draw_weight_paths"):
        N.draw_weight_paths(new_ax(), sizes, layer=1, j=7, k=2)
