"""A wheel of exactly the running version of the course, for an autograder bundle to install.

Two ways to get one, chosen by where ``backprop_course`` was imported from:

* **a source tree** (a clone, an editable install, ``PYTHONPATH``): ``pip wheel --no-deps`` builds it
  from that tree, so the wheel holds the code that is running, uncommitted edits included;
* **an installed wheel** (``pip install backprop-course``): there is no source to build from, so the
  installed files are packed again from the distribution's ``RECORD`` (a wheel is a zip of exactly
  those files plus its ``.dist-info``), with fresh hashes. Scripts outside site-packages and byte code
  are left out; pip makes them again at install time.

Either way the wheel's name must carry ``backprop_course.__version__``, or this is an error.
"""
from __future__ import annotations

import base64
import hashlib
import subprocess
import sys
import zipfile
from pathlib import Path

__all__ = ["WheelError", "course_wheel", "build_from_source", "repack_installed"]

DIST_NAME = "backprop-course"
_SKIPPED = {"INSTALLER", "REQUESTED", "direct_url.json", "RECORD"}


class WheelError(RuntimeError):
    """No wheel of the running version could be made."""


def _version() -> str:
    from backprop_course import __version__

    return __version__


def _package_dir() -> Path:
    return Path(__file__).resolve().parents[2]


def _source_root() -> Path | None:
    from backprop_course._paths import repo_root

    return repo_root()


def build_from_source(root: Path, dest: Path) -> Path:
    """``pip wheel --no-deps`` of the project at ``root`` into ``dest``; returns the wheel's path."""
    cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(dest), str(root)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise WheelError(f"building the wheel failed ({' '.join(cmd)}); fix the error below or pass --wheel:\n"
                         f"{proc.stderr.strip()[-2000:]}")
    wheels = sorted(dest.glob(f"backprop_course-{_version()}-*.whl"))
    if len(wheels) != 1:
        found = [p.name for p in dest.glob("*.whl")]
        raise WheelError(f"pip wheel did not produce one wheel of backprop-course {_version()} (found {found}); "
                         f"is {root} the source of the running version?")
    return wheels[0]


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"sha256={digest}"


def repack_installed(dest: Path) -> Path:
    """Pack the installed distribution's files (from its ``RECORD``) into a wheel in ``dest``."""
    from importlib import metadata

    try:
        dist = metadata.distribution(DIST_NAME)
    except metadata.PackageNotFoundError:
        raise WheelError(f"{DIST_NAME} is not installed as a distribution and no source tree was found; "
                         "install it with pip, or pass --wheel.") from None
    if dist.version != _version():
        raise WheelError(f"the installed distribution is {DIST_NAME} {dist.version}, but the running package "
                         f"is {_version()}; reinstall it, or pass --wheel.")
    init = Path(dist.locate_file("backprop_course/__init__.py")).resolve()
    if init != _package_dir() / "__init__.py":
        raise WheelError(f"the installed {DIST_NAME} files ({init.parent}) are not the running package "
                         f"({_package_dir()}); pass --wheel.")
    info_dir = next((f.parts[0] for f in dist.files or () if f.parts[0].endswith(".dist-info")), None)
    if info_dir is None:
        raise WheelError(f"the installed {DIST_NAME} has no RECORD of its files; reinstall it, or pass --wheel.")
    wheel_meta = Path(dist.locate_file(f"{info_dir}/WHEEL")).read_text(encoding="utf-8")
    tags = [line.split(":", 1)[1].strip() for line in wheel_meta.splitlines() if line.startswith("Tag:")]
    path = dest / f"backprop_course-{dist.version}-{tags[0] if tags else 'py3-none-any'}.whl"
    rows = []
    # Files the wheel put outside site-packages (its ".data/data/" part, e.g. the JupyterLab setting in
    # share/jupyter/...) are recorded as paths relative to site-packages: map them back under the data root.
    import sysconfig

    data_root = Path(sysconfig.get_path("data")).resolve()
    data_dir = f"backprop_course-{dist.version}.data/data"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for file in sorted(dist.files, key=str):
            name = file.as_posix()
            if "__pycache__" in file.parts or name.endswith(".pyc"):
                continue  # byte code
            if name.startswith(".."):
                where = Path(dist.locate_file(file)).resolve()
                try:
                    rel = where.relative_to(data_root)
                except ValueError:
                    continue  # outside the environment: not ours to pack
                if rel.parts[0] == "bin":
                    continue  # console scripts: pip writes them again
                data = where.read_bytes()
                name = f"{data_dir}/{rel.as_posix()}"
                zf.writestr(name, data)
                rows.append(f"{name},{_record_hash(data)},{len(data)}")
                continue
            if file.parts[0] == info_dir and file.name in _SKIPPED:
                continue  # written by the installer, not part of the wheel (RECORD is made anew below)
            data = Path(dist.locate_file(file)).read_bytes()
            zf.writestr(name, data)
            rows.append(f"{name},{_record_hash(data)},{len(data)}")
        rows.append(f"{info_dir}/RECORD,,")
        zf.writestr(f"{info_dir}/RECORD", "\n".join(rows) + "\n")
    return path


def course_wheel(dest: str | Path) -> Path:
    """A wheel of the running ``backprop_course`` in folder ``dest`` (see the module docstring)."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    root = _source_root()
    if root is not None:
        return build_from_source(root, dest)
    return repack_installed(dest)
