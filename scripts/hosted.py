"""What every stored notebook needs to run on a hosted service (Google Colab, Binder) as well as locally.

Both notebook builders (``scripts/build_lessons.py`` for lessons, ``scripts/make_exercises.py`` for
exercises) use this module, so the lines are the same everywhere and live in one place:

* ``install_lines()``: the opening lines of each notebook's first code cell. Where the course is
  installed (a clone, ``pip install``, Binder, the grader) they only import it; on a fresh Colab
  runtime they install it from the repository once, then import it.
* ``colab_badge(path)``: an "Open in Colab" badge for a notebook of the repository.

The repository address is read from ``[project.urls] Repository`` in ``pyproject.toml``.
"""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BRANCH = "main"


def repository() -> str:
    """``owner/name`` of the course's GitHub repository, from ``pyproject.toml``."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")   # no tomllib: Python 3.10 runs this too
    found = re.search(r'^Repository\s*=\s*"([^"]*)"', text, flags=re.M)
    url = found.group(1).rstrip("/") if found else "(missing)"
    prefix = "https://github.com/"
    if not url.startswith(prefix) or url[len(prefix):].count("/") != 1:
        raise ValueError(f"[project.urls] Repository must be https://github.com/OWNER/NAME; got {url!r}")
    return url[len(prefix):]


def install_spec() -> str:
    """The pip requirement that installs the course on a machine that has only the notebook."""
    return f"backprop-course @ git+https://github.com/{repository()}@{BRANCH}"


def install_lines() -> str:
    """The first lines of every notebook's first code cell.

    Plain Python without ``importlib`` or magics, because the grader runs a notebook's first cell as
    the setup of every exercise and its source rules forbid ``importlib``.
    """
    return (
        "try:\n"
        "    import backprop_course as bc\n"
        "except ModuleNotFoundError:  # on Colab, or any Python without the course: install it once\n"
        "    import subprocess, sys\n"
        f"    subprocess.run([sys.executable, \"-m\", \"pip\", \"install\", \"-q\", \"{install_spec()}\"], check=True)\n"
        "    import backprop_course as bc\n"
    )


def with_install(setup: str) -> str:
    """``setup`` (a first code cell) with the install lines in front, unless it already has them."""
    lines = install_lines()
    return setup if setup.startswith(lines) else lines + "\n" + setup


def colab_badge(path: str) -> str:
    """Markdown for an "Open in Colab" badge of ``path`` (relative to the repository root)."""
    url = f"https://colab.research.google.com/github/{repository()}/blob/{BRANCH}/{path}"
    return f"[![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)]({url})"
