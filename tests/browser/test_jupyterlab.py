"""The views in a real JupyterLab, driven by headless Chromium through Playwright.

One module-scoped JupyterLab server (127.0.0.1, a free port, a random token, an isolated root and
settings directory) serves a notebook that shows the graph explorer (view 1), the gradient-flow view
(view 4), the training playground (view 5) and the derivation explorer (view 7). The test waits for
the kernel to be idle (/api/sessions), runs all cells from the Run menu, then moves sliders and presses
buttons and checks what the browser renders:

* view 1: the image changes after "backward step";
* view 4: the dE/dw readout is negative left of the weight value that minimises the loss along that
  weight and positive right of it (the minimiser is computed here with the engine, the oracle);
* view 5: "run" trains in the background (the epoch counter climbs while the page stays
  responsive), "pause" stops it, "step" adds exactly one epoch;
* view 7: "next" changes the typeset formula, "verify" shows passing checks.

Screenshots go to ``test-artifacts/`` (gitignored). The server is stopped by its PID. Without
/usr/bin/chromium the test skips, except in CI (CI=true), where that is a failure.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]   # a JupyterLab server and Chromium: 10-20 s each

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
NOTEBOOK = "views.ipynb"

CELLS = [
    "import numpy as np\n"
    "from backprop_course.widgets.graph_view import graph_explorer\n"
    "from backprop_course.widgets.flow import GradientFlowView\n"
    "from backprop_course.widgets.playground import TrainingPlayground\n"
    "from backprop_course.widgets.derivation_view import DerivationExplorer",
    "graph = graph_explorer()\ngraph",
    "flow = GradientFlowView()\nflow",
    "play = TrainingPlayground(dataset='xor', hidden='4', lr=0.5, mode='batch', epochs_per_run=50_000)\n"
    "play",
    "derivation = DerivationExplorer(layers=3, layer=1, j=2, k=1)\nderivation",
]


def _require_chromium() -> None:
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{CHROMIUM} is missing in CI: .ci/run installs the Debian package 'chromium'.")
    pytest.skip(f"{CHROMIUM} not found (install the Debian package 'chromium' to run the browser test).")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _notebook(sources: list[str] = CELLS) -> dict:
    cells = [{"cell_type": "code", "execution_count": None, "id": f"cell{i}", "metadata": {},
              "outputs": [], "source": src} for i, src in enumerate(sources)]
    return {"cells": cells, "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                                        "name": "python3"}},
            "nbformat": 4, "nbformat_minor": 5}


def _get_json(url: str):
    with urllib.request.urlopen(url, timeout=5) as r:  # noqa: S310 - local test server
        return json.loads(r.read())


def serve_lab(root: Path, home: Path, env: dict, extra_args: tuple = ()):
    """Run JupyterLab on 127.0.0.1 (a free port, a random token) until the generator is closed; yields
    ``{"base", "token", "root"}``. Its log is ``home/server.log``; it is stopped by its PID."""
    port, token = _free_port(), secrets.token_hex(16)
    log = open(home / "server.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", f"--ServerApp.token={token}",
         f"--ServerApp.root_dir={root}", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
         "--ServerApp.port_retries=0", *extra_args,
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        stdout=log, stderr=subprocess.STDOUT, env=env, cwd=root)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                _get_json(f"{base}/api/status?token={token}")
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail("JupyterLab did not start:\n" + (home / "server.log").read_text()[-3000:])
                time.sleep(0.3)
        yield {"base": base, "token": token, "root": root}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    _require_chromium()
    root = tmp_path_factory.mktemp("lab")
    (root / NOTEBOOK).write_text(json.dumps(_notebook()))
    home = tmp_path_factory.mktemp("jupyter-home")
    settings = home / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    # no news or update toasts over the page
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False, "doNotDisturbMode": True}))
    env = dict(os.environ, JUPYTER_DATA_DIR=str(home / "data"), JUPYTER_RUNTIME_DIR=str(home / "runtime"),
               JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTERLAB_SETTINGS_DIR=str(home / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"), MPLBACKEND="agg",
               # the kernels import this checkout's package (a worktree, a clone), not another install
               PYTHONPATH=os.pathsep.join([str(Path(__file__).resolve().parents[2]),
                                           os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep))
    yield from serve_lab(root, home, env)


def _wait_kernel_idle(lab: dict, timeout: float = 60, notebook: str = NOTEBOOK) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sessions = _get_json(f"{lab['base']}/api/sessions?token={lab['token']}")
        mine = [s for s in sessions if s.get("path", "").endswith(notebook)]
        if mine and mine[0]["kernel"]["execution_state"] == "idle":
            return
        time.sleep(0.3)
    raise AssertionError(f"the kernel of {notebook} did not become idle within {timeout} s")


def _wait_for(predicate, timeout: float, what: str, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def _number(text: str, pattern: str) -> float:
    m = re.search(pattern, text.replace("\u2212", "-"))
    assert m, f"no match for {pattern!r} in {text!r}"
    return float(m.group(1))


def _set_slider(page, slider, value: float) -> None:
    """Type a value into an ipywidgets slider's readout (a contenteditable box) and press Enter."""
    readout = slider.locator(".widget-readout")
    readout.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(f"{value:.2f}")
    page.keyboard.press("Enter")


def _minimiser_along_first_weight() -> float:
    """Oracle: argmin of the engine's loss along the flow view's default weight (W3[0,0])."""
    from backprop_course import datasets
    from backprop_course.widgets.flow import PRESETS, loss_along_weight
    from backprop_course.engine.mlp import MLP

    spec = PRESETS[next(iter(PRESETS))]
    net = MLP(spec["sizes"], activation=spec["activation"], init=spec["init"], seed=0)
    X, T = datasets.xor()
    grid = np.linspace(-6, 6, 2401)
    return float(grid[np.argmin(loss_along_weight(net, X, T, len(net.weights) - 1, 0, 0, grid))])


def test_views_respond_in_jupyterlab(lab):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    w_star = _minimiser_along_first_weight()
    # One retry with a fresh browser: a real regression fails both attempts, while a one-off timing
    # hiccup of the shared machine (seen once in early runs) does not sink CI. Each failure leaves a
    # screenshot and is printed, so a flaky pass is visible in the log.
    attempts = 2
    for attempt in range(1, attempts + 1):
        started = time.monotonic()
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.set_default_timeout(30_000)
                try:
                    _drive(page, lab, w_star)
                except Exception as exc:
                    page.screenshot(path=str(ARTIFACTS / f"lab-failure-{attempt}.png"), full_page=True)
                    if attempt == attempts:
                        raise
                    print(f"browser attempt {attempt} failed ({type(exc).__name__}: {exc}); retrying once")
                    continue
            finally:
                browser.close()
        print(f"browser part took {time.monotonic() - started:.1f} s (attempt {attempt})")
        return


def _drive(page, lab: dict, w_star: float) -> None:
    page.goto(f"{lab['base']}/lab/tree/{NOTEBOOK}?reset&token={lab['token']}")
    page.locator(".jp-Notebook").wait_for()
    _wait_kernel_idle(lab)
    # Run > Run All Cells
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
    page.locator(".bc-derivation-view").wait_for(timeout=90_000)
    page.locator(".bc-pg-readout", has_text="epoch").wait_for()
    page.screenshot(path=str(ARTIFACTS / "lab-after-run-all.png"))

    # -- view 1: the image changes after a backward step -------------------------------------------
    graph_cell = page.locator(".jp-CodeCell").nth(1)
    graph_img = graph_cell.locator(".jp-OutputArea img").first
    graph_img.scroll_into_view_if_needed()
    before = graph_img.screenshot()
    graph_cell.get_by_role("button", name="backward step").click()
    _wait_for(lambda: graph_img.screenshot() != before, 20, "view 1 to redraw after a step")
    graph_img.screenshot(path=str(ARTIFACTS / "view1-after-step.png"))

    # -- view 4: dE/dw changes sign across the minimiser along the weight --------------------------
    readout = page.locator(".bc-flow-readout")
    slider = page.locator(".bc-flow-weight")
    slider.scroll_into_view_if_needed()
    grads = []
    for value in (w_star - 0.6, w_star + 0.6):
        old = readout.inner_text()
        _set_slider(page, slider, value)
        _wait_for(lambda: readout.inner_text() != old, 20, "the flow readout to change")
        text = readout.inner_text()
        assert _number(text, r"W3\[0,0\] = ([-+]?\d+\.\d+)") == pytest.approx(value, abs=0.006)
        grads.append(_number(text, r"dE/dw = ([-+]?\d+\.\d+)"))
        page.locator(".bc-flow").screenshot(path=str(ARTIFACTS / f"view4-w{len(grads)}.png"))
    assert grads[0] < 0 < grads[1], f"dE/dw should change sign across w* = {w_star:.3f}: {grads}"
    assert "decrease w" in readout.inner_text()  # the hint follows the sign

    # -- view 5: run in the background, pause, step ------------------------------------------------
    pg_readout = page.locator(".bc-pg-readout")
    epoch = lambda: int(_number(pg_readout.inner_text(), r"epoch (\d+)"))  # noqa: E731
    assert epoch() == 0
    page.locator(".bc-pg-run").scroll_into_view_if_needed()
    page.locator(".bc-pg-run").click()
    first = _wait_for(lambda: epoch() > 0 and epoch(), 30, "training to start")
    _wait_for(lambda: epoch() > first, 30, "the epoch counter to climb while running")
    page.locator(".bc-pg-pause").click()  # handled between chunks: the kernel is not blocked
    _wait_for(lambda: "ready" in pg_readout.inner_text(), 30, "the run to pause")
    paused = epoch()
    assert 0 < paused < 50_000
    time.sleep(1.0)
    assert epoch() == paused, "training went on after pause"
    page.locator(".bc-pg-step").click()
    _wait_for(lambda: epoch() == paused + 1, 20, "one step to add one epoch")
    page.locator(".bc-playground").screenshot(path=str(ARTIFACTS / "view5-paused.png"))

    # -- view 7: next step re-typesets, verify shows the checks ------------------------------------
    math = page.locator(".bc-dv-math")
    math.scroll_into_view_if_needed()
    _wait_for(lambda: math.locator("mjx-container").count() > 0, 30, "MathJax to typeset")
    old = math.inner_text()
    page.locator(".bc-dv-next").click()
    _wait_for(lambda: math.inner_text() != old and "step 2" in math.inner_text(), 20,
              "the next derivation step")
    page.locator(".bc-dv-verify").click()
    report = page.locator(".bc-dv-report")
    _wait_for(lambda: "all numeric checks passed" in report.inner_text(), 40, "the verify report")
    page.locator(".bc-derivation-view").screenshot(path=str(ARTIFACTS / "view7-step2.png"))
    page.screenshot(path=str(ARTIFACTS / "lab-final.png"), full_page=True)


# -- sliders follow the hand (issue 24) -------------------------------------------------------------
#
# A second notebook shows one view per cell; the test drags one slider of each for about a second
# with the mouse (the way a learner does) and counts, in the page, how often the view's picture
# changes while the mouse moves: the src of its <img> (each new PNG from the kernel is a new blob
# URL), or the derivation's typeset block (it has no picture). Then it re-runs the last cell, which
# prints what the kernel holds, and checks that the last thing drawn is the slider's final value:
# the kernel's slider value equals the readout the browser shows, the view's state was computed
# from it, no frame is pending, and the browser shows exactly the kernel's last PNG (same SHA-256).

DRAG_NOTEBOOK = "drag.ipynb"
# Issue 24's target is 15 visible updates a second. Measured 2026-12 with this test on 2 cores under
# load 4.8 (a CI run alongside): 9.7-17.5/s for graph, descent and flow, with every position the
# browser sent drawn (the redraw takes 10-16 ms; the rest is the round trip). The floor asserted
# here (5) only separates following the hand from acting on release (0): under load the drag itself
# slows (1 s of mouse moves took up to 2.3 s). The 15/s target is not asserted; see docs/performance.md.
MIN_UPDATES_PER_SECOND = 5
DRAG_CELLS = [
    "import hashlib, json\n"
    "from backprop_course.widgets.graph_view import graph_explorer\n"
    "from backprop_course.widgets.descent import DescentView\n"
    "from backprop_course.widgets.flow import GradientFlowView\n"
    "from backprop_course.widgets.init_view import InitView\n"
    "from backprop_course.widgets.derivation_view import DerivationExplorer\n"
    "from backprop_course.widgets.playground import TrainingPlayground",
    "graph = graph_explorer()\ngraph",
    "descent = DescentView()\ndescent",
    "flow = GradientFlowView()\nflow",
    "init = InitView()\ninit",
    "derivation = DerivationExplorer(layers=1, layer=1, j=1, k=1)\nderivation",
    "play = TrainingPlayground(dataset='xor', hidden='4')\nlr_seen = []\n"
    "play.lr.observe(lambda ch: lr_seen.append(ch['new']), names='value')\nplay",
    "def _view(v, value, drawn):\n"
    "    return {'value': value, 'drawn': drawn, 'pending': v.throttle.pending,\n"
    "            'frames': v.throttle.frames, 'requests': v.throttle.requests,\n"
    "            'sha': hashlib.sha256(bytes(v.image.value)).hexdigest()}\n"
    "print(json.dumps({\n"
    "    'graph': _view(graph, graph.leaves['x'].value,\n"
    "                   next(n['data'] for n in graph.state['nodes'] if n['label'] == 'x')),\n"
    "    'descent': _view(descent, descent.lr.value, descent.state['lr']),\n"
    "    'flow': _view(flow, flow.weight.value, float(flow.net.weights[-1][0, 0])),\n"
    "    'init': _view(init, init.width.value, init.state['width']),\n"
    "    'derivation': _view(derivation, derivation.layers.value, derivation.state['layers']),\n"
    "    'playground': {'value': play.lr.value, 'drawn': play.opt.lr, 'changes': len(lr_seen)},\n"
    "}))",
]
# view -> (cell index, which slider in the cell, what to watch, readout tolerance, continuous?)
DRAGS = {
    "graph": (1, 0, "img", {"abs": 0.051}, True),
    "descent": (2, 0, "img", {"rel": 0.006}, True),  # log slider, readout of 3 digits
    "flow": (3, 0, "img", {"abs": 0.0051}, True),
    "init": (4, 1, "img", {"abs": 0.5}, False),       # on release: its redraw cannot keep up (init_view.py)
    "derivation": (5, 0, "math", {"abs": 0.5}, False),  # on release: a new SymPy derivation per position
    "playground": (6, 0, None, {"rel": 0.05}, True),  # 3-digit readout; lr only changes the optimizer: nothing to redraw
}

_WATCH_JS = """(el, kind) => {
  const target = kind === 'img' ? el : el.querySelector('.bc-derivation').parentElement;
  window.__bcTimes = [];
  window.__bcObserver && window.__bcObserver.disconnect();
  window.__bcObserver = new MutationObserver(records => {
    for (const r of records) window.__bcTimes.push(performance.now());
  });
  window.__bcObserver.observe(target, kind === 'img' ? {attributes: true, attributeFilter: ['src']}
                                                    : {childList: true});
}"""

_SHA_JS = """async el => {
  const buf = await (await fetch(el.src)).arrayBuffer();
  const digest = await crypto.subtle.digest('SHA-256', buf);
  return Array.from(new Uint8Array(digest)).map(b => b.toString(16).padStart(2, '0')).join('');
}"""


def _drag_handle(page, slider, seconds: float = 1.0, moves: int = 60) -> tuple[float, float]:
    """Drag a slider's handle across its track for about ``seconds``; (start, end) page times in ms."""
    handle = slider.locator(".noUi-handle").first
    track = slider.locator(".noUi-target").first
    h, t = handle.bounding_box(), track.bounding_box()
    x0, y = h["x"] + h["width"] / 2, h["y"] + h["height"] / 2
    # towards the farther end, and a little back at the end (a hand overshoots and corrects)
    x1 = t["x"] + 2 if x0 - t["x"] > t["x"] + t["width"] - x0 else t["x"] + t["width"] - 2
    page.mouse.move(x0, y)
    page.mouse.down()
    start = page.evaluate("performance.now()")
    began = time.monotonic()
    for i in range(1, moves + 1):
        frac = i / moves
        x = x0 + (x1 - x0) * (frac if frac < 0.85 else 0.85 - (frac - 0.85))
        page.mouse.move(x, y)
        time.sleep(max(0.0, began + seconds * i / moves - time.monotonic()))
    end = page.evaluate("performance.now()")
    page.mouse.up()
    return start, end


def _readout_value(slider) -> float:
    return float(slider.locator(".widget-readout").inner_text().replace("\u2212", "-"))


def test_sliders_follow_the_hand_in_jupyterlab(lab):
    from playwright.sync_api import sync_playwright

    (lab["root"] / DRAG_NOTEBOOK).write_text(json.dumps(_notebook(DRAG_CELLS)))
    shots = ARTIFACTS / "drag-screenshots"  # kept with the others (.ci/run keeps test-artifacts/)
    shots.mkdir(parents=True, exist_ok=True)
    print(f"screenshots of the drags: {shots}")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(30_000)
            try:
                rates, readouts, shas = _drag_all(page, lab, shots)
                kernel = _kernel_report(page)
            except Exception:
                page.screenshot(path=str(shots / "failure.png"), full_page=True)
                raise
        finally:
            browser.close()
    print("updates per second while dragging: "
          + ", ".join(f"{k} {v[0]:.1f}/s ({v[1]} in {v[2]:.2f} s)" for k, v in rates.items()))
    print("kernel: " + ", ".join(f"{k}: {v}" for k, v in kernel.items()))
    for name, (cell, nth, watch, tol, continuous) in DRAGS.items():
        k = kernel[name]
        shown = readouts[name]
        assert k["value"] == pytest.approx(shown, **tol), (name, k, shown)  # tol: the readout's digits
        assert k["drawn"] == pytest.approx(k["value"], rel=1e-9, abs=1e-9), f"{name}: last frame not final"
        if name == "playground":
            assert k["changes"] >= MIN_UPDATES_PER_SECOND, f"playground lr saw {k['changes']} positions"
            continue
        assert not k["pending"], f"{name}: a frame is still pending after the drag"
        if watch == "img":
            assert shas[name] == k["sha"], f"{name}: the browser does not show the kernel's last frame"
        per_second, count, _ = rates[name]
        if continuous:
            assert per_second >= MIN_UPDATES_PER_SECOND, f"{name}: {per_second:.1f} updates/s"
        else:  # on release: nothing moves while the hand does, then one frame of the final value
            # (kernel side: the first frame when the cell ran, then one for the release)
            assert count == 0 and k["requests"] == 2, f"{name}: {count} updates while dragging, {k}"


def _drag_all(page, lab, shots: Path):
    page.goto(f"{lab['base']}/lab/tree/{DRAG_NOTEBOOK}?reset&token={lab['token']}")
    page.locator(".jp-Notebook").wait_for()
    _wait_kernel_idle(lab, notebook=DRAG_NOTEBOOK)
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
    cells = page.locator(".jp-CodeCell")
    cells.nth(len(DRAG_CELLS) - 1).locator(".jp-OutputArea-output").first.wait_for(timeout=90_000)
    _wait_kernel_idle(lab, notebook=DRAG_NOTEBOOK)
    rates, readouts, shas = {}, {}, {}
    for name, (cell, nth, watch, _, _) in DRAGS.items():
        out = cells.nth(cell).locator(".jp-OutputArea")
        slider = out.locator(".widget-slider").nth(nth)
        slider.scroll_into_view_if_needed()
        out.screenshot(path=str(shots / f"{name}-before.png"))
        target = None
        if watch == "img":
            target = out.locator("img").first
        elif watch == "math":
            target = out.locator(".bc-dv-math")
            _wait_for(lambda: target.locator("mjx-container").count() > 0, 30, "MathJax to typeset")
        if target is not None:
            target.evaluate(_WATCH_JS, watch)
        start, end = _drag_handle(page, slider)
        if target is not None:
            times = page.evaluate("window.__bcTimes")
            count = sum(1 for t in times if start <= t <= end)
            rates[name] = (count / ((end - start) / 1000), count, (end - start) / 1000)
        _wait_kernel_idle(lab, notebook=DRAG_NOTEBOOK)
        time.sleep(0.5)  # the last frame's message reaches the page
        readouts[name] = _readout_value(slider)
        if watch == "img":
            shas[name] = target.evaluate(_SHA_JS)
        out.screenshot(path=str(shots / f"{name}-after.png"))
    return rates, readouts, shas


def _kernel_report(page) -> dict:
    """Run the last cell again (it prints what the kernel holds) and parse its JSON."""
    cell = page.locator(".jp-CodeCell").nth(len(DRAG_CELLS) - 1)
    output = cell.locator(".jp-OutputArea-output").first
    old = output.inner_text()
    cell.locator(".jp-InputArea-editor").click()
    page.keyboard.press("Shift+Enter")
    _wait_for(lambda: output.inner_text() != old, 30, "the report cell to run again")
    return json.loads(output.inner_text())
