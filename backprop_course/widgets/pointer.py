"""Direct manipulation: the figure is the control.

A view draws its figure into PNG bytes shown by one ``ipywidgets.Image``. ``ipyevents`` (PyPI; chosen
because it adds mouse events to that existing Image, so the drawing pipeline stays as it is, where
``ipympl`` or ``ipycanvas`` would replace it) reports where the pointer is, in the image's own pixels
(``dataX``, ``dataY``: origin top left, independent of how the browser scales the image). This module
turns those pixels into data coordinates of one matplotlib Axes, and a press / drag / release sequence
into three calls a view implements.

Pure part (tested on its own): :func:`pixel_to_data`, :func:`data_to_pixel`, :func:`nearest_segment`
and :class:`PointerGesture`, which a test drives with plain event dictionaries. Where ipyevents' front
end is missing (an environment without its extension) nothing arrives and the sliders still work.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

__all__ = ["pixel_to_data", "data_to_pixel", "nearest_segment", "PointerGesture", "attach_pointer"]


def pixel_to_data(ax, x_px: float, y_px: float, clamp: bool = False) -> tuple[float, float] | None:
    """Data coordinates of ``ax`` under image pixel ``(x_px, y_px)`` (origin top left).

    Returns None when the pixel lies outside the Axes, unless ``clamp`` (then the nearest point on
    the Axes' edge is used: a drag that leaves the plot keeps moving along its border).
    """
    fig = ax.figure
    height = fig.bbox.height
    xd, yd = float(x_px), height - float(y_px)  # matplotlib's display origin is bottom left
    box = ax.bbox
    edge = 0.5  # a pixel on the Axes' border line counts as inside (rounding puts it either side)
    if not (box.x0 - edge <= xd <= box.x1 + edge and box.y0 - edge <= yd <= box.y1 + edge):
        if not clamp:
            return None
        xd, yd = float(np.clip(xd, box.x0, box.x1)), float(np.clip(yd, box.y0, box.y1))
    x, y = ax.transData.inverted().transform((xd, yd))
    return float(x), float(y)


def data_to_pixel(ax, x: float, y: float) -> tuple[float, float]:
    """Image pixel (origin top left) of the data point ``(x, y)`` of ``ax``."""
    xd, yd = ax.transData.transform((float(x), float(y)))
    return float(xd), float(ax.figure.bbox.height - yd)


def nearest_segment(ax, segments: np.ndarray, x_px: float, y_px: float,
                    tolerance_px: float = 8.0) -> int | None:
    """Index of the segment (data coordinates of ``ax``, shape (n, 2, 2)) drawn closest to a pixel.

    None when no segment passes within ``tolerance_px`` pixels (a click on empty space).
    """
    segs = np.asarray(segments, dtype=float)
    if segs.size == 0:
        return None
    flat = ax.transData.transform(segs.reshape(-1, 2)).reshape(-1, 2, 2)
    flat[..., 1] = ax.figure.bbox.height - flat[..., 1]
    p = np.array([float(x_px), float(y_px)])
    a, b = flat[:, 0], flat[:, 1]
    ab = b - a
    length2 = np.maximum((ab ** 2).sum(axis=1), 1e-12)
    t = np.clip(((p - a) * ab).sum(axis=1) / length2, 0.0, 1.0)
    dist = np.linalg.norm(a + t[:, None] * ab - p, axis=1)
    i = int(np.argmin(dist))
    return i if dist[i] <= tolerance_px else None


class PointerGesture:
    """Press, drag and release, from ipyevents' event dictionaries.

    ``on_press(x_px, y_px)`` returns True when the press starts a drag (e.g. it hit something);
    ``on_drag(x_px, y_px)`` follows the pointer while the button is held; ``on_release()`` ends it.
    A move without a held button, or after the pointer left the image, is ignored.
    """

    def __init__(self, on_press: Callable[[float, float], bool],
                 on_drag: Callable[[float, float], None],
                 on_release: Callable[[], None] | None = None) -> None:
        self.on_press, self.on_drag, self.on_release = on_press, on_drag, on_release
        self.dragging = False

    def handle(self, event: dict) -> None:
        kind = event.get("type")
        x, y = event.get("dataX"), event.get("dataY")
        if kind == "mousedown":
            if event.get("button", 0) != 0 or x is None or y is None:
                return
            self.dragging = bool(self.on_press(float(x), float(y)))
        elif kind == "mousemove":
            if not self.dragging or x is None or y is None:
                return
            if not (int(event.get("buttons", 1)) & 1):  # released outside the image
                self._end()
                return
            self.on_drag(float(x), float(y))
        elif kind in ("mouseup", "mouseleave"):
            self._end()

    def _end(self) -> None:
        if self.dragging:
            self.dragging = False
            if self.on_release is not None:
                self.on_release()


def attach_pointer(image, gesture: PointerGesture):
    """Send mouse events on ``image`` (an ipywidgets.Image) to ``gesture``; returns the ipyevents Event.

    Returns None when ipyevents is not installed (the view then works through its sliders only).
    """
    try:
        from ipyevents import Event
    except ImportError:  # pragma: no cover - a declared dependency; kept optional for odd installs
        return None
    event = Event(source=image, watched_events=["mousedown", "mousemove", "mouseup", "mouseleave"],
                  prevent_default_action=True)
    event.on_dom_event(gesture.handle)
    return event
