"""Views outside a live kernel (issue 24): every view leaves a static picture of its state.

A view's output carries, beside the widget, its current look as plain mime data (``image/png``; the
derivation explorer, which has no figure, ``text/html``) and a one-line ``text/plain`` instead of the
ipywidgets repr. The unit tests check the bundle; the notebook tests read every stored notebook and
check each widget output: a view (a VBox holding the view's Image) carries the picture, and the
picture is the one its widget showed (the Image model in the notebook's saved widget state, which
nbclient records from the kernel independently of the output). No output shows a bare widget repr.
"""
from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import ipywidgets as W
import numpy as np
import pytest

from backprop_course.widgets.base import View
from backprop_course.widgets.derivation_view import DerivationExplorer
from backprop_course.widgets.graph_view import graph_explorer

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = (sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
             + sorted((ROOT / "exercises").glob("*.ipynb"))
             + sorted((ROOT / "exercises" / "solutions").glob("*.ipynb")))
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
# ipywidgets' own text/plain: "GraphView(children=(HBox(children=(FloatSlider(value=-2.0, ..."
BARE_REPR = re.compile(r"^\w+\((children|value|layout)=")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class Line(View):
    def __init__(self):
        self.a = W.FloatSlider(value=1.0, min=-2, max=2)
        super().__init__(controls=[self.a])
        self.observe_controls(self.a)
        self.refresh()

    def update(self):
        self.fig.clear()
        self.fig.add_subplot().plot([0, 1], [0, self.a.value])


# -- the bundle -------------------------------------------------------------------------------------

def test_bundle_holds_widget_picture_and_one_line():
    v = Line()
    b = v._repr_mimebundle_()
    assert set(b) == {WIDGET_VIEW, "image/png", "text/plain"}
    assert b[WIDGET_VIEW]["model_id"] == v.model_id
    assert base64.b64decode(b["image/png"]) == bytes(v.image.value)
    assert b["text/plain"] == "<Line: an interactive view; run this cell in Jupyter to use it>"
    assert "\n" not in b["text/plain"] and not BARE_REPR.match(b["text/plain"])


def test_bundle_shows_the_state_at_display_time():
    v = Line()
    first = v._repr_mimebundle_()["image/png"]
    v.a.value = -1.5
    second = v._repr_mimebundle_()["image/png"]
    assert first != second and base64.b64decode(second) == bytes(v.image.value)


def test_closed_view_has_no_bundle():
    v = Line()
    v.close()
    assert v._repr_mimebundle_ is None or v._repr_mimebundle_() is None


def test_snapshot_is_a_still_that_later_changes_leave_alone():
    v = Line()
    still = v.snapshot()
    shown = still._repr_mimebundle_()
    assert set(shown) == {"image/png", "text/plain"} and shown["text/plain"] == "<still of Line>"
    v.a.value = -1.5
    assert still._repr_mimebundle_() == shown                     # unchanged by the later change
    assert base64.b64decode(shown["image/png"]) != bytes(v.image.value)
    assert v.snapshot()._repr_mimebundle_()["image/png"] != shown["image/png"]


def test_graph_view_picture_is_its_image():
    v = graph_explorer()
    png = base64.b64decode(v._repr_mimebundle_()["image/png"])
    assert png.startswith(PNG_MAGIC) and png == bytes(v.image.value)


def test_derivation_fallback_is_the_current_step_as_html():
    v = DerivationExplorer(layers=1, layer=1, j=1, k=1)
    v.step.value = 2
    b = v._repr_mimebundle_()
    assert "image/png" not in b and b["text/html"] == v.math.value
    assert "step 2" in b["text/html"] and v.state["marked"] in b["text/html"]


def test_course_lab_defaults_save_widget_state():
    """The override the wheel installs names a real setting of the installed widget manager."""
    import sys

    overrides = json.loads((ROOT / "backprop_course" / "jupyter" / "lab-overrides.json").read_text())
    assert overrides == {"@jupyter-widgets/jupyterlab-manager:plugin": {"saveState": True}}
    schema = Path(sys.prefix, "share/jupyter/labextensions/@jupyter-widgets/jupyterlab-manager/schemas",
                  "@jupyter-widgets/jupyterlab-manager/plugin.json")
    if not schema.exists():
        pytest.skip(f"the JupyterLab widget manager's schema is not installed at {schema}")
    assert json.loads(schema.read_text())["properties"]["saveState"]["type"] == "boolean"
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert ('"backprop_course/jupyter/lab-overrides.json" = '
            '"share/jupyter/lab/settings/overrides.d/backprop-course.json"') in pyproject


# -- the stored notebooks ---------------------------------------------------------------------------

def _widget_outputs(path: Path):
    """(cell index, output data, saved widget state by model id) for every widget output."""
    nb = json.loads(path.read_text())
    state = nb["metadata"].get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    for n, cell in enumerate(nb["cells"]):
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if WIDGET_VIEW in data:
                yield n, data, state


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else value


def _view_parts(model_id: str, state: dict):
    """The saved models of a view's picture and math: (ImageModel or None, HTMLMathModel or None).

    A view is a VBox whose direct children include its Image (shown, or hidden for the derivation,
    whose formulas are an HTMLMath child). None for any other widget (a tqdm bar, a plain slider).
    """
    model = state.get(model_id)
    if model is None or model["model_name"] != "VBoxModel":
        return None
    kids = [state.get(ref.removeprefix("IPY_MODEL_")) for ref in model["state"].get("children", [])]
    kids = [k for k in kids if k is not None]
    image = next((k for k in kids if k["model_name"] == "ImageModel"), None)
    math = next((k for k in kids if k["model_name"] == "HTMLMathModel"), None)
    if image is None and math is None:
        return None
    return image, math


def _saved_png(image_model: dict) -> bytes:
    for buf in image_model.get("buffers", []):
        if buf["path"] == ["value"]:
            assert buf["encoding"] == "base64"
            return base64.b64decode(buf["data"])
    return b""


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_widget_output_shows_a_bare_repr(path):
    for n, data, _ in _widget_outputs(path):
        text = _text(data.get("text/plain", ""))
        assert not BARE_REPR.match(text), (
            f"cell {n}: a reader without a kernel sees the widget repr {text[:60]!r}; "
            "display a View (it carries a static picture) or give the widget a short text/plain")


LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def test_every_lesson_shows_a_view():
    """Guards the next test against passing on nothing: the course's views are in its lessons."""
    with_views = [p.name for p in LESSONS
                  if any(_view_parts(d[WIDGET_VIEW]["model_id"], s) for _, d, s in _widget_outputs(p))]
    assert len(with_views) >= 10, with_views


def _rebuilt(source: str):
    """The view a cell displays, built afresh from its source: the oracle for its initial state.

    Only for a cell whose displayed name is assigned once from a call of a ``backprop_course.widgets``
    factory with literal arguments and not touched before the display (anything else: None).
    """
    import ast

    import backprop_course.widgets as widgets

    tree = ast.parse(source)
    last = tree.body[-1]
    if not (isinstance(last, ast.Expr) and isinstance(last.value, ast.Name)):
        return None
    name = last.value.id
    assigns = [s for s in tree.body if isinstance(s, ast.Assign)
               and any(isinstance(t, ast.Name) and t.id == name for t in s.targets)]

    def root(node):  # view.a.b(...) -> "view"
        while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
            node = node.func if isinstance(node, ast.Call) else node.value
        return node.id if isinstance(node, ast.Name) else None

    touched = [s for s in tree.body  # view.set(...), view.x.value = ...: changed before the display
               if (isinstance(s, ast.Expr) and isinstance(s.value, ast.Call) and root(s.value) == name)
               or (isinstance(s, (ast.Assign, ast.AugAssign)) and s not in assigns
                   and any(root(t) == name for t in getattr(s, "targets", [getattr(s, "target", None)])))]
    if len(assigns) != 1 or touched or not isinstance(assigns[0].value, ast.Call):
        return None
    call = assigns[0].value
    factory = ast.unparse(call.func).split(".")[-1]
    try:
        args = [ast.literal_eval(a) for a in call.args]
        kwargs = {k.arg: ast.literal_eval(k.value) for k in call.keywords}
    except ValueError:
        return None
    return getattr(widgets, factory)(*args, **kwargs)


def _pixels(png: bytes):
    import io

    import numpy as np
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=float)


def _same_renderer(path: Path) -> bool:
    """Were the notebook's pictures drawn by the matplotlib running here? (``scripts/build_lessons.py`` notes
    it in the notebook's metadata.) Another release, such as CI's lowest environment's 3.8, lays the same
    figure out a few pixels differently, so pixels are compared only under the same one."""
    import matplotlib

    meta = json.loads(path.read_text()).get("metadata", {}).get("backprop_course", {})
    return meta.get("pictures_drawn_with") == f"matplotlib {matplotlib.__version__}"


def test_the_lessons_say_which_matplotlib_drew_their_pictures():
    for path in NOTEBOOKS:
        if path.parent.name == "notebooks":
            meta = json.loads(path.read_text())["metadata"].get("backprop_course", {})
            assert re.fullmatch(r"matplotlib \d+\.\d+\S*", meta.get("pictures_drawn_with", "")), path


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_view_output_carries_its_initial_picture(path):
    """The picture is the view as displayed: its widget's saved picture, or the view built afresh.

    The saved widget state is the view's last state, so it is the oracle only while no later cell
    changed the view; for a view a later cell changed (a lesson turning it to step 13, say), the
    view is built again here from the cell's source and its picture compared pixel by pixel (a
    tolerance for another matplotlib's antialiasing, as CI runs older versions).
    """
    cells = json.loads(path.read_text())["cells"]
    for n, data, state in _widget_outputs(path):
        parts = _view_parts(data[WIDGET_VIEW]["model_id"], state)
        if parts is None:
            continue
        image, math = parts
        text = _text(data["text/plain"])
        assert text.startswith("<") and "\n" not in text, f"cell {n}: text/plain {text[:60]!r}"
        source = _text(cells[n]["source"])
        if image is not None and _saved_png(image):
            assert "image/png" in data, f"cell {n}: a view output without its static picture (image/png)"
            png = base64.b64decode(_text(data["image/png"]))
            assert png.startswith(PNG_MAGIC), f"cell {n}: image/png is not a PNG"
            if png == _saved_png(image):
                continue
            view = _rebuilt(source)
            assert view is not None, (
                f"cell {n}: the static picture differs from the view's saved picture (a later cell "
                "changed it?) and the view cannot be rebuilt from the cell to tell which is right")
            fresh, stored = _pixels(bytes(view.image.value)), _pixels(png)
            assert fresh.shape == stored.shape, f"cell {n}: picture size {stored.shape} != {fresh.shape}"
            assert np.abs(_pixels(_saved_png(image)) - stored).mean() > 0.0  # really changed later
            if not _same_renderer(path):
                continue  # another matplotlib lays figures out differently: pixels cannot be compared
            assert np.abs(fresh - stored).mean() < 1.0, f"cell {n}: the picture is not the initial view"
        else:  # the derivation explorer: no figure, the current step as HTML
            assert math is not None and "text/html" in data, f"cell {n}: a view output without a fallback"
            html = _text(data["text/html"])
            if html != math["state"]["value"]:
                view = _rebuilt(source)
                assert view is not None and html == view.math.value, f"cell {n}: html is not the initial view"
