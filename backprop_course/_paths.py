"""Where the package is, and the repository around it when running from a clone.

Shared by the ``lab`` command and the Gradescope wheel builder (neither imports the other).
"""
from __future__ import annotations

from pathlib import Path

__all__ = ["PACKAGE_DIR", "repo_root"]

PACKAGE_DIR = Path(__file__).resolve().parent


def repo_root() -> Path | None:
    """The repository root when running from a clone (editable install), else None."""
    root = PACKAGE_DIR.parent
    if (root / "pyproject.toml").is_file() and (root / "notebooks").is_dir():
        return root
    return None
