"""The views' frame throttle as pure logic: a fake clock, a fake event loop, a fake redraw.

The simulation is a kernel in miniature: one thread, one first-in-first-out queue. A slider position
"arrives" at its time and joins the queue; handling it sets the control's value and calls
``request(deferrable=True)``; a deferred frame joins the queue as a callback; drawing a frame moves
the fake clock on by the frame's cost, and positions that arrive meanwhile join the queue behind
whatever was already there (as ZeroMQ messages waiting for a busy kernel do).
"""
from __future__ import annotations

import collections

import ipywidgets as W
import numpy as np
import pytest

from backprop_course.widgets.base import FrameThrottle, View, _from_front_end


class Kernel:
    """Fake clock + FIFO event loop + a redraw of fixed cost that records what it drew."""

    def __init__(self, cost: float) -> None:
        self.now, self.cost = 0.0, cost
        self.queue: collections.deque = collections.deque()
        self.value = None              # the slider's value as the kernel knows it
        self.drawn: list[tuple[float, object]] = []  # (time the frame ended, value drawn)
        self.throttle = FrameThrottle(self.draw, defer=self.defer)

    def draw(self) -> None:
        value = self.value             # a frame reads the control when it starts
        self.now += self.cost
        self.drawn.append((self.now, value))

    def defer(self, callback) -> bool:
        self.queue.append(("callback", callback))
        return True

    def drag(self, positions: list[tuple[float, object]]) -> None:
        """Deliver (time, value) positions in time order and run until nothing is left."""
        arrivals = collections.deque(sorted(positions, key=lambda p: p[0]))
        while arrivals or self.queue:
            while arrivals and arrivals[0][0] <= self.now:   # arrived while busy: wait in the queue
                self.queue.append(("position", arrivals.popleft()[1]))
            if not self.queue:                                # idle: jump to the next arrival
                self.now = arrivals[0][0]
                continue
            kind, item = self.queue.popleft()
            if kind == "position":
                self.value = item
                self.throttle.request(deferrable=True)
            else:
                item()


def steady_drag(n: int, seconds: float) -> list[tuple[float, int]]:
    return [(seconds * i / n, i) for i in range(n)]


@pytest.mark.parametrize("cost", [0.001, 0.02, 0.05, 0.3])
def test_final_position_is_always_drawn_and_frames_never_fall_behind(cost):
    k = Kernel(cost)
    positions = steady_drag(120, 1.0)  # 120 positions a second, as a browser sends while dragging
    k.drag(positions)
    assert k.drawn[-1][1] == positions[-1][1]              # the last position is drawn, last
    values = [v for _, v in k.drawn]
    assert values == sorted(set(values))                    # never an older position after a newer one
    # No stale backlog: the hand stops at 1 s; the last frame ends at most two frames later (the one
    # being drawn when the last position arrived, then the one that draws it).
    assert k.drawn[-1][0] <= positions[-1][0] + 2 * cost + 1e-9
    assert k.throttle.frames == len(k.drawn) and k.throttle.requests == len(positions)
    assert not k.throttle.pending


def test_slow_redraw_drops_positions_instead_of_queueing_them():
    k = Kernel(cost=0.05)                                   # 20 frames a second at most
    k.drag(steady_drag(100, 1.0))
    # one frame per 50 ms of dragging (+1 for the first and the last), not one per position
    assert 19 <= k.throttle.frames <= 22
    # Each frame drew a position at most one frame (+ one gap between positions) older than the
    # frame's start: what arrived while the previous frame was drawn, never an older backlog.
    arrived_at = {v: t for t, v in steady_drag(100, 1.0)}
    for end, v in k.drawn:
        assert (end - k.cost) - arrived_at[v] <= k.cost + 0.01 + 1e-9


def test_fast_redraw_draws_every_position():
    k = Kernel(cost=0.002)                                  # faster than the positions arrive
    k.drag(steady_drag(60, 1.0))
    assert [v for _, v in k.drawn] == list(range(60))


@pytest.mark.parametrize("seed", range(20))
def test_random_drags_end_on_the_final_position(seed):
    rng = np.random.default_rng(seed)
    k = Kernel(cost=float(rng.uniform(0.001, 0.2)))
    times = np.sort(rng.uniform(0, 1.5, size=int(rng.integers(1, 200))))
    positions = [(float(t), i) for i, t in enumerate(times)]
    k.drag(positions)
    assert k.drawn[-1][1] == positions[-1][1]
    assert k.throttle.frames <= k.throttle.requests


def test_request_from_python_draws_before_returning_even_with_a_frame_waiting():
    k = Kernel(cost=0.01)
    k.value = 1
    k.throttle.request(deferrable=True)                     # from the browser: deferred
    assert k.drawn == [] and k.throttle.pending
    k.value = 2
    k.throttle.request()                                    # from a cell: drawn now
    assert [v for _, v in k.drawn] == [2]
    kind, callback = k.queue.popleft()
    callback()                                              # the waiting frame has nothing left to do
    assert [v for _, v in k.drawn] == [2] and k.throttle.frames == 1


def test_without_an_event_loop_every_request_draws_at_once():
    drawn = []
    t = FrameThrottle(lambda: drawn.append(1), defer=lambda cb: False)
    for _ in range(3):
        t.request(deferrable=True)
    assert drawn == [1, 1, 1] and not t.pending


def test_a_request_made_by_the_frame_itself_gives_one_more_frame_not_recursion():
    calls = []

    def draw():
        calls.append(len(calls))
        if len(calls) < 3:
            t.request()                                      # e.g. update() clamps another slider

    t = FrameThrottle(draw, defer=None)
    t.request()
    assert calls == [0, 1, 2] and t.frames == 3 and not t.pending


def test_a_failing_frame_does_not_wedge_the_throttle():
    def draw():
        raise RuntimeError("boom")

    t = FrameThrottle(draw, defer=None)
    with pytest.raises(RuntimeError):
        t.request()
    calls = []
    t._draw = lambda: calls.append(1)
    t.request()
    assert calls == [1]


# -- wired into View ----------------------------------------------------------------------------

class Square(View):
    def __init__(self):
        self.x = W.FloatSlider(value=2.0, min=-3, max=3, continuous_update=True)
        super().__init__(controls=[self.x])
        self.observe_controls(self.x)
        self.refresh()

    def update(self):
        self.state["y"] = self.x.value ** 2


def test_view_values_set_in_python_are_drawn_at_once():
    v = Square()
    v.x.value = 1.5
    assert v.state["y"] == 2.25 and v.throttle.frames == 2


def test_view_positions_from_the_browser_are_deferred_and_merged():
    v = Square()
    waiting = []
    v.throttle._defer = lambda cb: (waiting.append(cb), True)[1]
    for x in (0.5, 1.0, 2.5):                          # three messages from a dragged slider
        v.x.set_state({"value": x})
    assert v.state["y"] == 4.0 and len(waiting) == 1   # nothing drawn yet, one frame waiting
    waiting.pop()()
    assert v.state["y"] == 6.25 and v.throttle.frames == 2 and v.throttle.requests == 4


def test_from_front_end_tells_browser_changes_from_python_ones():
    s = W.FloatSlider()
    seen = []
    s.observe(lambda ch: seen.append(_from_front_end(ch)), names="value")
    s.value = 0.5
    s.set_state({"value": 0.7})
    assert seen == [False, True]
    assert _from_front_end(None) is False
