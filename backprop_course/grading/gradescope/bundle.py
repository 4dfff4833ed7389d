"""Build a Gradescope autograder bundle: the zip that ``backprop-course autograder`` writes.

The zip holds, at its root, Gradescope's two required files and what they need:

* ``setup.sh``: makes a virtual environment, installs the course from the wheel below and, as root,
  walls the references off from the sandbox user (:mod:`..sandbox.install`) and makes the seed file,
  the wheel and the unpacked zip root-only;
* ``run_autograder``: grades the submitted notebook (:mod:`.run`) with the time limit baked in and the
  seed read from the ``seed`` file, and writes ``results/results.json``;
* ``seed``: the hidden-case seed, alone in its own file (never in a script, never on a command line);
* ``backprop_course-<version>-py3-none-any.whl``: the running version of the course (:mod:`.wheel`);
* ``README.md``: what the bundle is and how to try it locally (without the seed).

The scripts are templates in ``files/``; ``@NAME@`` placeholders are filled in here. The
zip is written atomically (a temporary file in the same folder, then ``os.replace``).
"""
from __future__ import annotations

import io
import math
import numbers
import os
import tempfile
import zipfile
from pathlib import Path

__all__ = ["build_bundle", "check_out_path", "TEMPLATES", "EXECUTABLE", "SEED_FILE"]

TEMPLATES = Path(__file__).resolve().parent / "files"
EXECUTABLE = ("setup.sh", "run_autograder")
_FILES = ("setup.sh", "run_autograder", "README.md")
#: The zip member that holds the seed (setup.sh makes it root-only; run_autograder passes its path).
SEED_FILE = "seed"


def check_out_path(out: str | Path) -> Path:
    """``out`` as a Path, or a ValueError saying what is wrong with it (suffix, folder, permission)."""
    if not isinstance(out, (str, os.PathLike)):
        raise TypeError(f"The 'out' parameter must be a path ending in .zip. Got {type(out).__name__} instead.")
    path = Path(out)
    if path.suffix.lower() != ".zip":
        raise ValueError(f"The 'out' parameter must be a file name ending in .zip (Gradescope takes a zip). "
                         f"Got {str(out)!r} instead.")
    # a regular file or a new name (no link, folder, device or pipe), in an existing folder a file can
    # really be created in: the same checks as every report (write_atomic checks again when writing)
    from ..reports.formats import check_report_path

    return check_report_path(path)


def _check_options(seed: object, timeout: object) -> float:
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"The 'seed' parameter must be an int. Got {seed!r} instead.")
    if isinstance(timeout, bool) or not isinstance(timeout, numbers.Real):
        raise TypeError(f"The 'timeout' parameter must be a number of seconds. Got {timeout!r} instead.")
    if not math.isfinite(timeout) or timeout <= 0:
        raise ValueError(f"The 'timeout' parameter must be a finite number of seconds > 0. Got {timeout!r} instead.")
    return float(timeout)


def _fill(template: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        template = template.replace(f"@{key}@", value)
    return template


def _add(zf: zipfile.ZipFile, name: str, data: bytes, executable: bool, private: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    mode = 0o100600 if private else 0o100755 if executable else 0o100644
    info.external_attr = mode << 16  # Unix mode, so the scripts run (unzip applies it; zipfile does not)
    zf.writestr(info, data)


def build_bundle(out: str | Path, seed: int, timeout: float, wheel: str | Path | None = None) -> Path:
    """Write the autograder zip to ``out`` and return its path.

    Parameters
    ----------
    out : path
        The zip to write (ending in ``.zip``, in an existing writable folder); replaced atomically.
    seed : int
        The hidden-case seed, written to the zip's ``seed`` file (every submission gets the same cases).
    timeout : float
        Seconds allowed per exercise, > 0.
    wheel : path, optional
        A wheel of this very version to ship instead of building one (see :mod:`.wheel`).
    """
    from backprop_course import __version__

    from ..reports.formats import write_atomic
    from .wheel import course_wheel

    path = check_out_path(out)
    timeout = _check_options(seed, timeout)
    with tempfile.TemporaryDirectory(prefix="bc-bundle-") as tmp:
        if wheel is None:
            wheel_path = course_wheel(tmp)
        else:
            wheel_path = Path(wheel)
            if not wheel_path.is_file() or not wheel_path.name.startswith(f"backprop_course-{__version__}-") \
                    or wheel_path.suffix != ".whl":
                raise ValueError(f"The 'wheel' parameter must be an existing backprop_course-{__version__}-*.whl "
                                 f"file (the version that is running). Got {str(wheel)!r} instead.")
        values = {"VERSION": __version__, "WHEEL": wheel_path.name, "SEED_FILE": SEED_FILE,
                  "TIMEOUT": repr(timeout)}
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            for name in _FILES:
                text = _fill((TEMPLATES / name).read_text(encoding="utf-8"), values)
                _add(zf, name, text.encode("utf-8"), name in EXECUTABLE)
            _add(zf, SEED_FILE, f"{int(seed)}\n".encode("ascii"), False, private=True)
            _add(zf, wheel_path.name, wheel_path.read_bytes(), False)
    write_atomic(path, buf.getvalue())
    return path
