"""The common shell of every view.

A view *is* a widget (an ``ipywidgets.VBox``), so library code returns it and never calls ``display``.
Each view

- keeps its last computed result in ``self.state`` (a dict), so tests can set ``.value`` on a control
  and assert on ``state`` without a browser;
- owns exactly one matplotlib ``Figure`` (made without pyplot, so nothing is shown twice and no figures
  pile up) which is redrawn in place and shipped to the front end as PNG bytes in one ``Image`` widget;
- shows problems (clamped or rejected settings, divergence) in its ``message`` area instead of raising a
  traceback in the learner's face;
- follows the hand: sliders send every position while dragged (``continuous_update=True``) and one
  ``FrameThrottle`` per view keeps redraws from falling behind (see there);
- leaves a static picture where it is displayed: besides the widget, its output carries the current
  figure as ``image/png`` and a one-line ``text/plain``, which is what a reader without a live kernel
  sees (GitHub, nbviewer, a lesson reopened in JupyterLab before its cells run); see ``_repr_mimebundle_``.

Subclasses build their controls, call ``super().__init__(controls=[...])`` and implement ``update()``,
which recomputes through pure functions, fills ``state`` and draws on ``self.fig``.
"""
from __future__ import annotations

import asyncio
import base64
import contextlib
import functools
import html
import io
import time
from typing import Any, Callable

import ipywidgets as W
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

__all__ = ["FrameThrottle", "Snapshot", "View", "guarded"]


def guarded(method: Callable) -> Callable:
    """Run a callback; show any exception as a message in the view instead of a traceback."""

    @functools.wraps(method)
    def wrapper(self: "View", *args: Any, **kwargs: Any):
        try:
            return method(self, *args, **kwargs)
        except Exception as exc:  # the learner sees a sentence, the state records the failure
            self.state["error"] = f"{type(exc).__name__}: {exc}"
            self.show_message(str(exc), kind="error")
            return None

    return wrapper


def _defer_on_running_loop(callback: Callable[[], None]) -> bool:
    """Run ``callback`` soon on the running asyncio loop (the kernel's); False if none is running."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # plain Python, a test, a script: draw right away instead
        return False
    loop.call_soon(callback)
    return True


def _from_front_end(change: Any) -> bool:
    """True if a trait change was sent by the browser (a dragged slider), not set by Python code.

    ipywidgets applies a browser's update inside ``Widget._lock_property``, so the changed name is in
    the owner's ``_property_lock`` while observers run; a value set in a cell never is.
    """
    if not isinstance(change, dict):
        return False
    return change.get("name") in (getattr(change.get("owner"), "_property_lock", None) or {})


class FrameThrottle:
    """Draw at most one frame at a time, always ending on the latest request.

    A control that moves calls :meth:`request`. Each frame reads the controls' values as they are
    when it starts, so requests that arrive while a frame is being drawn, or while one waits to be
    drawn, are not drawn one by one: they collapse into a single next frame, drawn with the newest
    values. No frame for a position the hand has already left is ever queued, and the last position
    is always drawn.

    Parameters
    ----------
    draw : callable
        Draws one frame from the current values; takes no arguments.
    defer : callable, optional
        ``defer(callback) -> bool`` runs ``callback`` later on the event loop and returns True, or
        returns False when there is no loop (then the frame is drawn at once). The default uses the
        running asyncio loop, which in Jupyter is the kernel's: a deferred frame runs after the
        messages already waiting, so positions that arrived during the previous frame are merged.

    Attributes
    ----------
    requests, frames : int
        Requests received and frames drawn so far; ``requests - frames`` positions were dropped.

    Examples
    --------
    >>> drawn = []
    >>> t = FrameThrottle(lambda: drawn.append(len(drawn)))
    >>> t.request(); t.request()
    >>> t.requests, t.frames
    (2, 2)
    """

    def __init__(self, draw: Callable[[], None],
                 defer: Callable[[Callable[[], None]], bool] | None = _defer_on_running_loop) -> None:
        self._draw, self._defer = draw, defer
        self.requests = 0
        self.frames = 0
        self._drawn_upto = 0      # the request count the last frame started from
        self._drawing = False
        self._scheduled = False

    @property
    def pending(self) -> bool:
        """True while a request has not been drawn yet."""
        return self._drawn_upto < self.requests

    def request(self, deferrable: bool = False) -> None:
        """A control moved: draw now, or later with the newest values (``deferrable``, and a loop).

        A request that is not deferrable (a value set from Python) is drawn before this returns, so
        ``state`` is current on the next line of a cell. A deferrable one (a position sent by the
        browser) is drawn from the event loop, merged with the positions that arrive before then.
        """
        self.requests += 1
        if self._drawing:          # set by the frame being drawn: the loop in _draw_pending catches it
            return
        if deferrable:
            if self._scheduled:    # a frame is already waiting and will read the newest values
                return
            if self._defer is not None and self._defer(self._scheduled_frame):
                self._scheduled = True
                return
        self._draw_pending()

    def _scheduled_frame(self) -> None:
        self._scheduled = False
        if not self._drawing:
            self._draw_pending()   # nothing to do if a synchronous request drew it meanwhile

    def _draw_pending(self) -> None:
        self._drawing = True
        try:
            while self._drawn_upto < self.requests:
                self._drawn_upto = self.requests
                self.frames += 1
                self._draw()
        finally:
            self._drawing = False


class Snapshot:
    """A still of a view at one moment: its picture, shown as is wherever the notebook is read.

    Made by :meth:`View.snapshot`. A lesson that changes a view step by step (``view.set_step(1)``)
    ends the cell with ``view.snapshot()`` to leave that step on the page: the view itself always
    shows its latest state, and displaying it again would only show a second live copy.
    """

    def __init__(self, data: dict[str, str], text: str) -> None:
        self.data, self.text = dict(data), text

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, str]:
        return {**self.data, "text/plain": self.text}


class View(W.VBox):
    """Base class: controls on top, one figure, a message line, and ``state``."""

    figsize: tuple[float, float] = (6.4, 4.0)
    dpi: int = 80

    def __init__(self, controls: list[W.Widget] | None = None, extra: list[W.Widget] | None = None,
                 figsize: tuple[float, float] | None = None, **kwargs: Any) -> None:
        self.state: dict[str, Any] = {}
        self._hold = False  # True while several controls change at once (see held())
        self.fig = Figure(figsize=figsize or self.figsize, dpi=self.dpi, layout="constrained")
        self._canvas = FigureCanvasAgg(self.fig)
        # Shown at its own pixel size (see _fit_image): a flex column would otherwise stretch the PNG
        # to the output width and blur it. max_width still lets it shrink in a narrow window.
        self.image = W.Image(format="png", layout=W.Layout(max_width="100%", align_self="flex-start"))
        self.image.observe(self._fit_image, names="value")
        self.message = W.HTML(value="")
        self.last_update_seconds: float | None = None
        self.throttle = FrameThrottle(self._frame)
        children = [W.HBox(controls, layout=W.Layout(flex_flow="row wrap"))] if controls else []
        children += [self.image, self.message, *(extra or [])]
        super().__init__(children=children, **kwargs)

    # -- messages ---------------------------------------------------------------------------------
    def show_message(self, text: str, kind: str = "info") -> None:
        """Show a one-line message: kind is "info", "warning" or "error"."""
        colour = {"info": "#335", "warning": "#a60", "error": "#b00"}[kind]
        self.message.value = f'<span style="color:{colour}">{html.escape(text)}</span>' if text else ""
        self.state["message"] = text
        self.state["message_kind"] = kind if text else None

    def clear_message(self) -> None:
        self.show_message("")

    # -- drawing ----------------------------------------------------------------------------------
    def _fit_image(self, change: dict) -> None:
        """Set the Image widget's width to the PNG's own pixel width (read from its IHDR header)."""
        data = bytes(change["new"][:24])
        if len(data) == 24 and data[:8] == b"\x89PNG\r\n\x1a\n":
            width = f"{int.from_bytes(data[16:20], 'big')}px"
            if self.image.layout.width != width:
                self.image.layout.width = width

    def render(self) -> None:
        """Send the current figure to the front end (PNG bytes into the one Image widget)."""
        buf = io.BytesIO()
        self._canvas.print_png(buf)
        self.image.value = buf.getvalue()

    @contextlib.contextmanager
    def held(self):
        """Change several controls inside ``with view.held():`` and redraw once afterwards yourself.

        While held, the callbacks that control changes trigger do nothing; nesting is allowed.
        """
        previous, self._hold = self._hold, True
        try:
            yield self
        finally:
            self._hold = previous

    def refresh(self, change: Any = None) -> None:
        """Recompute and redraw: the callback every control is wired to (a no-op while held).

        Through ``self.throttle``: a value set from Python is drawn before this returns; positions
        a dragged slider sends from the browser are drawn at most one frame at a time, the newest
        one last (see :class:`FrameThrottle`). A handler that does its own work first passes its
        ``change`` on, so the throttle can tell the two apart.
        """
        if self._hold:
            return
        self.throttle.request(deferrable=_from_front_end(change))

    def _frame(self) -> None:
        start = time.perf_counter()
        self._refresh()
        self.last_update_seconds = time.perf_counter() - start

    @guarded
    def _refresh(self) -> None:
        self.state.pop("error", None)
        self.update()
        self.render()

    def update(self) -> None:  # pragma: no cover - subclasses implement it
        raise NotImplementedError("View subclasses implement update()")

    def observe_controls(self, *controls: W.Widget) -> None:
        """Wire controls so that a change of value recomputes and redraws."""
        for c in controls:
            c.observe(self.refresh, names="value")

    # -- outside a live kernel ----------------------------------------------------------------------
    def static_bundle(self) -> dict[str, str]:
        """The view's current look as plain mime data (``image/png``, base64): its figure."""
        if not self.image.value:
            self.render()
        return {"image/png": base64.b64encode(bytes(self.image.value)).decode("ascii")}

    def snapshot(self) -> Snapshot:
        """A still of the view as it is now, which later changes of the view leave as it is."""
        return Snapshot(self.static_bundle(), f"<still of {type(self).__name__}>")

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any] | None:
        """The widget, plus a static picture of its current state for readers without a live kernel.

        One output holds all three, and each reader picks the richest it can show:

        * JupyterLab (and Notebook 7) render ``application/vnd.jupyter.widget-view+json`` only for
          trusted output (its renderer is registered as unsafe). Output the learner just produced by
          running the cell is trusted: the live view shows. A stored lesson opened before its cells
          run is not: JupyterLab picks the richest safe type, the picture, instead of the
          ipywidgets repr ``GraphView(children=(HBox(...`` it showed before.
        * nbconvert (nbviewer) shows the widget when the notebook's saved widget state holds its
          model, and otherwise falls back to the picture; GitHub shows the picture.
        * A terminal or a front end without widgets shows the one-line ``text/plain``.
        """
        data = super()._repr_mimebundle_(**kwargs)
        if data is None:  # a closed widget: nothing to show
            return None
        data.update(self.static_bundle())
        data["text/plain"] = (f"<{type(self).__name__}: an interactive view; run this cell in Jupyter "
                              "to use it>")
        return data

    def save_png(self, path: str) -> None:
        """Write what the learner sees (the last rendered PNG) to a file."""
        if not self.image.value:
            self.render()
        with open(path, "wb") as fh:
            fh.write(bytes(self.image.value))
