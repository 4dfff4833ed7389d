"""Self-check questions in a real JupyterLab (headless Chromium through Playwright).

* Live: a quiz cell is run; choosing an answer and pressing "Check" shows the verdict and its reason,
  a typed number is judged, "Show answer" shows the answer.
* Stored: a lesson notebook as it is committed (executed, its quiz cell hidden) is opened without
  running anything; the questions must be readable in the page and no answer or reason may show.

Uses the JupyterLab server fixture of ``test_jupyterlab.py`` (a second server, for this module).
"""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from test_jupyterlab import (ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, _notebook, _wait_for,  # noqa: F401
                             _wait_kernel_idle, lab)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
QUIZ = "quiz.ipynb"
STORED = "stored_lesson.ipynb"
QUIZ_CELLS = [
    "import backprop_course as bc\n"
    "quiz = bc.selfcheck(\n"
    "    bc.widgets.Choice('Which pass computes the gradients?', ['forward', 'backward'], 'backward',\n"
    "                      why='The backward pass applies the chain rule from the output down.',\n"
    "                      wrong={'forward': 'the forward pass computes the values.'}),\n"
    "    bc.widgets.Number('What is 2 * 3?', 6, why='Two threes.'))\n"
    "quiz",
]


def _open(page, lab: dict, name: str) -> None:
    page.goto(f"{lab['base']}/lab/tree/{name}?reset&token={lab['token']}")
    page.locator(".jp-Notebook").wait_for()
    _wait_kernel_idle(lab, notebook=name)


def test_quiz_answers_in_jupyterlab(lab):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    (lab["root"] / QUIZ).write_text(json.dumps(_notebook(QUIZ_CELLS)))
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.set_default_timeout(30_000)
            try:
                _open(page, lab, QUIZ)
                page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
                page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
                radios = page.locator(".widget-radio-box")
                radios.wait_for(timeout=60_000)
                checks = page.get_by_role("button", name="Check")
                feedback = page.locator(".jp-OutputArea .widget-htmlmath")

                radios.get_by_text("(a) forward").click()
                checks.nth(0).click()
                _wait_for(lambda: "Not quite: the forward pass computes the values." in feedback.nth(1).inner_text(),
                          20, "the reason for the wrong choice")
                radios.get_by_text("(b) backward").click()
                checks.nth(0).click()
                _wait_for(lambda: "Right. The backward pass applies" in feedback.nth(1).inner_text(), 20,
                          "the verdict for the right choice")

                box = page.locator(".jp-OutputArea .widget-text input")
                box.fill("6")
                checks.nth(1).click()
                _wait_for(lambda: "Right. Two threes." in feedback.nth(3).inner_text(), 20, "the number's verdict")
                page.get_by_role("button", name="Show answer").nth(1).click()
                _wait_for(lambda: "Answer: 6." in feedback.nth(3).inner_text(), 20, "the answer")
                page.screenshot(path=str(ARTIFACTS / "selfcheck-live.png"), full_page=True)
            except Exception:
                page.screenshot(path=str(ARTIFACTS / "selfcheck-live-failure.png"), full_page=True)
                raise
        finally:
            browser.close()


def test_stored_lesson_shows_questions_without_answers(lab):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(ROOT / "notebooks" / "02_computational_graphs.ipynb", lab["root"] / STORED)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.set_default_timeout(30_000)
            try:
                _open(page, lab, STORED)                                 # opened, nothing run
                cell = page.locator(".jp-CodeCell", has=page.locator(".jp-OutputArea",
                                                                     has_text="Check yourself")).first
                cell.scroll_into_view_if_needed()
                _wait_for(lambda: "Try this (section 8)" in cell.inner_text(), 30, "the stored questions")
                shown = cell.inner_text()
                print("stored quiz cell as rendered:", shown[:400].replace("\n", " | "))
                assert "bc.selfcheck(" not in shown                      # its source is hidden
                for secret in ("Right.", "Answer:", "Not quite", "proportional to the input it multiplies"):
                    assert secret not in shown, secret
                cell.screenshot(path=str(ARTIFACTS / "selfcheck-stored.png"))
            except Exception:
                page.screenshot(path=str(ARTIFACTS / "selfcheck-stored-failure.png"), full_page=True)
                raise
        finally:
            browser.close()
