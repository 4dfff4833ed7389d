"""Suite-wide pytest hooks.

The fast tier for development is ``pytest -m "not slow"`` (under 90 s here); the README's command and CI
run everything. Unit tests that take more than 3 s carry ``@pytest.mark.slow`` themselves; the notebooks
checked by nbval are marked here, all of them: the cells of one notebook share a kernel and cannot run
apart, and a lesson takes 3 to 10 s to run top to bottom.
"""
from __future__ import annotations

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    try:
        from nbval.plugin import IPyNbCell
    except ImportError:  # nbval not installed: there are no notebook items to mark
        return
    for item in items:
        if isinstance(item, IPyNbCell):
            item.add_marker(pytest.mark.slow)
