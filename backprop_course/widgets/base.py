"""The common shell of every view.

A view *is* a widget (an ``ipywidgets.VBox``), so library code returns it and never calls ``display``.
Each view

- keeps its last computed result in ``self.state`` (a dict), so tests can set ``.value`` on a control
  and assert on ``state`` without a browser;
- owns exactly one matplotlib ``Figure`` (made without pyplot, so nothing is shown twice and no figures
  pile up) which is redrawn in place and shipped to the front end as PNG bytes in one ``Image`` widget;
- shows problems (clamped or rejected settings, divergence) in its ``message`` area instead of raising a
  traceback in the learner's face.

Subclasses build their controls, call ``super().__init__(controls=[...])`` and implement ``update()``,
which recomputes through pure functions, fills ``state`` and draws on ``self.fig``.
"""
from __future__ import annotations

import contextlib
import functools
import html
import io
import time
from typing import Any, Callable

import ipywidgets as W
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

__all__ = ["View", "guarded"]


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

    def refresh(self, *_: Any) -> None:
        """Recompute and redraw: the callback every control is wired to (a no-op while held)."""
        if self._hold:
            return
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

    def save_png(self, path: str) -> None:
        """Write what the learner sees (the last rendered PNG) to a file."""
        if not self.image.value:
            self.render()
        with open(path, "wb") as fh:
            fh.write(bytes(self.image.value))
