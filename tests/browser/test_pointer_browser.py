"""The figure is the control, in a real JupyterLab: drag the start point, click and drag a weight.

Uses the JupyterLab server of ``test_jupyterlab.py`` (its module fixture). The kernel computes where, in
image pixels, a data point is drawn (``pointer.data_to_pixel``); the test scales that to the page (the
browser may show the PNG smaller than its natural size), drags there with the real mouse, and asks the
kernel what it holds. This proves ipyevents' front end is loaded and that pixels map to the right data.
"""
from __future__ import annotations

import json
import re
import time

import pytest

from test_jupyterlab import (ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, _notebook, _wait_for,  # noqa: F401
                             _wait_kernel_idle, lab)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NOTEBOOK = "pointer.ipynb"
CELLS = [
    "import json\n"
    "from backprop_course.widgets.descent import DescentView\n"
    "from backprop_course.widgets.flow import GradientFlowView\n"
    "from backprop_course.widgets.pointer import data_to_pixel",
    "descent = DescentView(surface='bowl')\ndescent",
    "flow = GradientFlowView()\nflow",
    # where to press and where to go, in image pixels (computed by the kernel, from the figures)
    "plot = flow._net_plot\n"
    "a, b = plot.segments[-1]\n"
    "print(json.dumps({'natural': [descent.image.layout.width, flow.image.layout.width],\n"
    "    'from': data_to_pixel(descent._ax, 1.0, 1.0), 'to': data_to_pixel(descent._ax, -0.5, 0.25),\n"
    "    'edge': data_to_pixel(plot.ax, *(a + 0.8 * (b - a))), 'edge_index': plot.index[-1],\n"
    "    'weight': round(float(flow.net.weights[-1][0, -1]), 2)}))",
    "print(json.dumps({'start': list(descent.state['start']), 'points0': list(descent.state['points'][0]),\n"
    "    'frames': descent.throttle.frames, 'selected': flow.state['selected'],\n"
    "    'weight': flow.state['weight'], 'net_weight': float(flow.net.weights[-1][0, -1])}))",
]


def _page_point(img, x_px: float, y_px: float, natural_width: float) -> tuple[float, float]:
    box = img.bounding_box()
    scale = box["width"] / natural_width
    return box["x"] + x_px * scale, box["y"] + y_px * scale


def _output_json(cell) -> dict:
    return json.loads(cell.locator(".jp-OutputArea-output").first.inner_text())


def test_drag_on_the_figures(lab):
    from playwright.sync_api import sync_playwright

    (lab["root"] / NOTEBOOK).write_text(json.dumps(_notebook(CELLS)))
    shots = ARTIFACTS / "pointer"
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(30_000)
            try:
                page.goto(f"{lab['base']}/lab/tree/{NOTEBOOK}?reset&token={lab['token']}")
                page.locator(".jp-Notebook").wait_for()
                _wait_kernel_idle(lab, notebook=NOTEBOOK)
                page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
                page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
                cells = page.locator(".jp-CodeCell")
                cells.nth(len(CELLS) - 1).locator(".jp-OutputArea-output").first.wait_for(timeout=90_000)
                _wait_kernel_idle(lab, notebook=NOTEBOOK)
                where = _output_json(cells.nth(3))
                natural = [float(w.rstrip("px")) for w in where["natural"]]

                # 1. the descent view: press on the start point's new place, drag, release
                img = cells.nth(1).locator(".bc-descent-image")
                img.scroll_into_view_if_needed()
                x0, y0 = _page_point(img, *where["from"], natural[0])
                x1, y1 = _page_point(img, *where["to"], natural[0])
                page.mouse.move(x0, y0)
                page.mouse.down()
                for i in range(1, 31):
                    page.mouse.move(x0 + (x1 - x0) * i / 30, y0 + (y1 - y0) * i / 30)
                    time.sleep(0.02)
                page.mouse.up()
                _wait_kernel_idle(lab, notebook=NOTEBOOK)
                cells.nth(1).screenshot(path=str(shots / "descent-after-drag.png"))

                # 2. the flow view: press on the last edge, drag 60 px to the right
                fimg = cells.nth(2).locator(".bc-flow-image")
                fimg.scroll_into_view_if_needed()
                ex, ey = _page_point(fimg, *where["edge"], natural[1])
                scale = fimg.bounding_box()["width"] / natural[1]
                page.mouse.move(ex, ey)
                page.mouse.down()
                for i in range(1, 16):
                    page.mouse.move(ex + 60 * scale * i / 15, ey)
                    time.sleep(0.02)
                page.mouse.up()
                _wait_kernel_idle(lab, notebook=NOTEBOOK)
                cells.nth(2).screenshot(path=str(shots / "flow-after-drag.png"))

                report_cell = cells.nth(4)
                old = report_cell.locator(".jp-OutputArea-output").first.inner_text()
                report_cell.locator(".jp-InputArea-editor").click()
                page.keyboard.press("Shift+Enter")
                _wait_for(lambda: report_cell.locator(".jp-OutputArea-output").first.inner_text() != old,
                          30, "the report cell to run again")
                got = _output_json(report_cell)
            except Exception:
                page.screenshot(path=str(shots / "failure.png"), full_page=True)
                raise
        finally:
            browser.close()
    print(f"pointer test: {got}")
    # the start went where the mouse was released (sliders keep 0.05 steps; page pixels are rounded)
    assert got["start"] == pytest.approx([-0.5, 0.25], abs=0.06)
    assert got["points0"] == pytest.approx(got["start"])
    assert got["frames"] >= 3  # the point moved while the hand did, not only at the end
    # the clicked edge is selected, and the drag moved its weight by about 1 (60 px per unit)
    assert tuple(got["selected"]) == tuple(where["edge_index"])
    assert got["weight"] == pytest.approx(where["weight"] + 1.0, abs=0.1)  # the slider's 0.01 steps
    assert got["net_weight"] == pytest.approx(got["weight"])
