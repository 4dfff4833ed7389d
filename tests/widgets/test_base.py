"""The view shell: state, one figure redrawn in place, messages instead of tracebacks."""
import ipywidgets as W

from backprop_course.widgets.base import View


class Square(View):
    def __init__(self):
        self.x = W.FloatSlider(value=2.0, min=-3, max=3, description="x")
        super().__init__(controls=[self.x])
        self.observe_controls(self.x)
        self.refresh()

    def update(self):
        if self.x.value == 0:
            raise ValueError("x must not be 0 here; move the slider.")
        self.clear_message()
        self.state["y"] = self.x.value ** 2
        self.fig.clear()
        self.fig.add_subplot().plot([0, self.x.value], [0, self.state["y"]])


def test_state_follows_controls_and_figure_is_reused():
    v = Square()
    fig = v.fig
    assert v.state["y"] == 4.0
    first = v.image.value
    v.x.value = -1.5
    assert v.state["y"] == 2.25
    assert v.fig is fig and v.image.value != first
    assert bytes(v.image.value[:4]) == b"\x89PNG"


def test_error_becomes_message_not_traceback():
    v = Square()
    v.x.value = 0.0
    assert "x must not be 0" in v.state["error"]
    assert "x must not be 0" in v.message.value
    v.x.value = 1.0
    assert "error" not in v.state and v.message.value == ""


def test_image_shown_at_its_pixel_width():
    v = Square()
    width = int.from_bytes(bytes(v.image.value[16:20]), "big")
    assert v.image.layout.width == f"{width}px"
    assert width == int(v.figsize[0] * v.dpi)


def test_held_changes_redraw_once_and_save_png_writes_what_is_shown(tmp_path):
    v = Square()
    calls = []
    original = v.update
    v.update = lambda: (calls.append(1), original())
    with v.held():
        v.x.value = 1.0
        v.x.value = 2.5
    assert calls == [] and v.state["y"] == 4.0       # nothing recomputed while held
    v.refresh()
    assert calls == [1] and v.state["y"] == 6.25
    v.save_png(tmp_path / "v.png")
    assert (tmp_path / "v.png").read_bytes() == bytes(v.image.value)
