"""`pytest -m "not slow"` is the fast tier for development: it must leave out every notebook checked by nbval."""
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = str(ROOT / "notebooks" / "01_welcome.ipynb")


class _Selected:
    """A plugin that records the items left after -m selection."""

    def __init__(self) -> None:
        self.items: list[pytest.Item] = []

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.items = list(session.items)


def _selected(*args: str, target: str = NOTEBOOK) -> list[str]:
    record = _Selected()
    code = pytest.main(["--collect-only", "-q", "--rootdir", str(ROOT), *args, target], plugins=[record])
    assert code in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED), code
    return [item.nodeid for item in record.items]


def test_nbval_cells_are_slow_and_left_out_of_the_fast_tier(capsys):
    assert len(_selected("-m", "slow")) > 3  # nbval collects one item per code cell, all marked slow
    assert _selected("-m", "not slow") == []


def test_browser_tests_are_left_out_of_the_fast_tier(capsys):
    # each starts a JupyterLab server and Chromium (10-20 s): the fast tier must stay under 90 s
    browser = str(ROOT / "tests" / "browser")
    assert len(_selected("-m", "browser", target=browser)) >= 2
    assert _selected("-m", "not slow", target=browser) == []
