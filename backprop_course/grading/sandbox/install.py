"""Prepare an installed course for the ``user`` sandbox route: ``python -m backprop_course.grading.sandbox.install``.

Where namespaces are refused (Gradescope's Docker containers, usually), the grader runs each child as
the unprivileged system user :data:`SANDBOX_USER`. That only walls off the references if the user
cannot read them, so this command (run as root, once, e.g. by the Gradescope bundle's ``setup.sh``):

1. creates the system user ``bc-sandbox`` if it is missing (``useradd --system``, no home folder, a
   ``nologin`` shell, a group of its own);
2. makes the installed package root-only except :data:`CHILD_VISIBLE`, the few files the child side
   needs (``backprop_course/__init__.py``, ``backprop_course/_lazy.py``,
   ``backprop_course/grading/__init__.py`` and all of ``backprop_course/grading/sandbox/``): those are
   readable by everyone, every other file and folder of the package (the engine, the exercise
   catalogue with its references and hidden-case generators, checking/, ..., and their
   ``__pycache__``) is owned by root and closed to group and others. The folders on the way to a
   visible file stay listable (``rwxr-xr-x``) so that Python can import through them; listing shows
   names, never contents. Nothing outside the package is touched: the interpreter and
   site-packages must stay readable (``setup.sh`` makes the virtual environment readable first);
3. checks the result as that user: the child side imports, a reference cannot be opened.

It is idempotent (run it again after reinstalling the wheel) and prints what it did. It refuses to
run on a source tree (an editable install), where it would lock up the developer's own files.
"""
from __future__ import annotations

import argparse
import os
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["SANDBOX_USER", "CHILD_VISIBLE", "PermissionChanges", "apply_permissions", "is_child_visible",
           "ensure_user", "package_dir", "check_as_user", "main"]

#: The unprivileged system user the ``user`` route runs each child as.
SANDBOX_USER = "bc-sandbox"

#: The parts of the installed package the child may read, relative to the folder holding the package
#: (site-packages). A folder means everything under it. Everything else of the package is root-only.
CHILD_VISIBLE = (
    "backprop_course/__init__.py",
    "backprop_course/_lazy.py",
    "backprop_course/grading/__init__.py",
    "backprop_course/grading/sandbox",
)

_PACKAGE = "backprop_course"
_OPEN_DIR, _OPEN_FILE = 0o755, 0o644          # visible: readable by all, writable by root only
_CLOSED_DIR, _CLOSED_FILE = 0o700, 0o600      # hidden: root only


def _visible_parts() -> tuple[frozenset[Path], tuple[Path, ...]]:
    """(visible files, visible folders) relative to the package folder."""
    files, folders = set(), []
    for rel in CHILD_VISIBLE:
        parts = Path(rel).parts
        assert parts[0] == _PACKAGE, rel
        inner = Path(*parts[1:])
        (folders.append(inner) if inner.suffix != ".py" else files.add(inner))
    return frozenset(files), tuple(folders)


def is_child_visible(rel: Path) -> bool:
    """Whether the file or folder ``rel`` (relative to the package folder) may be read by the child.

    True for the visible files, everything under a visible folder, the compiled forms of visible files
    (``__pycache__/<name>.cpython-*.pyc`` next to them) and the folders leading to any of those.
    """
    files, folders = _visible_parts()
    rel = Path(rel)
    if rel == Path(".") or rel in files or any(rel == f or f in rel.parents for f in folders):
        return True
    if rel.parent.name == "__pycache__" and rel.suffix == ".pyc":   # x/__pycache__/name.cpython-311.pyc
        source = rel.parent.parent / (rel.name.split(".", 1)[0] + ".py")
        return source in files
    if any(rel in target.parents for target in (*files, *folders)):   # a folder on the way to one
        return True
    return rel.name == "__pycache__" and any(f.parent == rel.parent for f in files)


@dataclass
class PermissionChanges:
    """What :func:`apply_permissions` did (counts, and the paths whose mode or owner changed)."""

    visible: int = 0
    hidden: int = 0
    changed: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{self.visible} paths readable by the sandbox user, {self.hidden} root-only; "
                f"{len(self.changed)} changed")


def apply_permissions(package: str | os.PathLike, chown: bool | None = None) -> PermissionChanges:
    """Make the package folder ``package`` root-only except :data:`CHILD_VISIBLE`.

    Visible folders become ``0755`` and visible files ``0644`` (an executable bit the owner had is kept
    for all); every other file becomes ``0600`` (``0700`` if the owner could execute it) and every other
    folder ``0700``. With ``chown`` (default: when running as root) everything is also given to root, so
    that the mode bits are what decides. Symbolic links are left alone (their targets are what counts,
    and a link out of the package is not this command's business; the wheel holds none). Idempotent.
    """
    if not isinstance(package, (str, os.PathLike)):
        raise TypeError(f"The 'package' parameter must be the path of the installed backprop_course folder. "
                        f"Got {type(package).__name__} instead.")
    root = Path(package)
    if not (root / "__init__.py").is_file() or root.name != _PACKAGE:
        raise ValueError(f"The 'package' parameter must be the folder of the installed {_PACKAGE} package "
                         f"(holding __init__.py). Got {str(package)!r} instead.")
    if chown is None:
        chown = hasattr(os, "geteuid") and os.geteuid() == 0
    changes = PermissionChanges()

    def fix(path: Path, is_dir: bool) -> None:
        rel = path.relative_to(root)
        st = path.lstat()
        visible = is_child_visible(rel)
        if is_dir:
            mode = _OPEN_DIR if visible else _CLOSED_DIR
        else:
            executable = bool(st.st_mode & stat.S_IXUSR)
            mode = (_OPEN_FILE if visible else _CLOSED_FILE) | ((0o111 if visible else 0o100) if executable else 0)
        if visible:
            changes.visible += 1
        else:
            changes.hidden += 1
        changed = False
        if chown and (st.st_uid, st.st_gid) != (0, 0):
            os.chown(path, 0, 0, follow_symlinks=False)
            changed = True
        if stat.S_IMODE(st.st_mode) != mode:
            os.chmod(path, mode)
            changed = True
        if changed:
            changes.changed.append(f"{_PACKAGE}/{rel.as_posix()}" if rel != Path(".") else _PACKAGE)

    # Bottom-up: what a folder holds is fixed before the folder itself is opened.
    for dirpath, dirnames, filenames in os.walk(root, topdown=False):
        here = Path(dirpath)
        for name in filenames:
            path = here / name
            if not path.is_symlink():
                fix(path, is_dir=False)
        for name in dirnames:
            path = here / name
            if not path.is_symlink():
                fix(path, is_dir=True)
    fix(root, is_dir=True)
    return changes


def _nologin_shell() -> str:
    for shell in ("/usr/sbin/nologin", "/sbin/nologin", "/usr/bin/nologin", "/bin/false"):
        if os.path.exists(shell):
            return shell
    return "/bin/false"


def ensure_user(name: str = SANDBOX_USER) -> str:
    """Create the system user ``name`` (no home, nologin shell, a group of its own) unless it exists.

    Returns what was done, one line. Needs root and ``useradd`` (Debian/Ubuntu's ``passwd`` package).
    """
    import pwd

    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        pass
    else:
        if entry.pw_uid == 0:
            raise RuntimeError(f"The user {name!r} exists with uid 0 (root): it cannot be the sandbox user. "
                               f"Remove it (userdel {name}) and run this command again.")
        return f"user {name} exists (uid {entry.pw_uid}, gid {entry.pw_gid})"
    useradd = shutil.which("useradd") or next((p for p in ("/usr/sbin/useradd", "/sbin/useradd")
                                               if os.path.exists(p)), None)
    if useradd is None:
        raise RuntimeError(f"Cannot create the user {name!r}: useradd is not installed "
                           "(install the 'passwd' package, e.g. apt-get install -y passwd).")
    run = subprocess.run([useradd, "--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent",
                          "--shell", _nologin_shell(), "--comment", "backprop-course grading sandbox", name],
                         capture_output=True, text=True)
    if run.returncode != 0:
        raise RuntimeError(f"useradd could not create the user {name!r} (status {run.returncode}): "
                           f"{run.stderr.strip()}")
    entry = pwd.getpwnam(name)
    return f"created system user {name} (uid {entry.pw_uid}, gid {entry.pw_gid})"


def package_dir() -> Path:
    """The installed package folder, found from this module's own location."""
    return Path(__file__).resolve().parents[2]


def _is_installed(package: Path) -> bool:
    return any(part in ("site-packages", "dist-packages") for part in package.parts)


_CHECK = r"""
import sys
import backprop_course, backprop_course._lazy, backprop_course.grading, backprop_course.grading.sandbox
import backprop_course.grading.sandbox.codec
for path in sys.argv[1:]:
    try:
        open(path, "rb").close()
    except PermissionError:
        continue
    sys.exit("readable by the sandbox user: " + path)
"""


def check_as_user(package: Path, name: str = SANDBOX_USER) -> None:
    """As user ``name``, import the child side and fail to open the references; RuntimeError if not so."""
    import pwd

    entry = pwd.getpwnam(name)
    secrets = [package / "grading" / "exercises" / "registry.py", package / "engine" / "value.py",
               package / "grading" / "checking" / "judge.py"]
    hint = (f"The sandbox user must be able to run {sys.executable} (really {os.path.realpath(sys.executable)}) "
            "and read its standard library and site-packages: make the environment from a Python every user "
            "can read (e.g. AUTOGRADER_PYTHON=/usr/bin/python3, not one under /root), in folders every user "
            "can enter, and make it readable (chmod -R go+rX VENV).")
    try:
        run = subprocess.run([sys.executable, "-I", "-c", _CHECK, *map(str, secrets)], capture_output=True,
                             text=True, user=entry.pw_uid, group=entry.pw_gid, extra_groups=[], cwd="/",
                             env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1"},
                             timeout=120)
    except PermissionError as exc:
        raise RuntimeError(f"the check as user {name} could not start Python ({exc}). {hint}") from None
    if run.returncode != 0:
        said = (run.stderr or run.stdout).strip()[-2000:]
        extra = "" if "readable by the sandbox user" in said else f" {hint}"
        raise RuntimeError(f"the check as user {name} failed (status {run.returncode}): {said}.{extra}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m backprop_course.grading.sandbox.install",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-check", action="store_true",
                        help="skip the final check as the sandbox user (it runs this Python as that user)")
    args = parser.parse_args(argv)
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        print("install: must be run as root (it creates the system user "
              f"{SANDBOX_USER!r} and changes the owner and mode of the installed package); "
              "run it with sudo, or from the Gradescope bundle's setup.sh, which runs as root.", file=sys.stderr)
        return 2
    package = package_dir()
    if not _is_installed(package):
        print(f"install: {package} is not in a site-packages folder (a source tree or an editable install?); "
              "refusing to lock it up. Run this with the Python of an environment where the wheel is "
              "installed (pip install backprop_course-*.whl).", file=sys.stderr)
        return 2
    try:
        print(f"install: {ensure_user()}", flush=True)
        changes = apply_permissions(package, chown=True)
        print(f"install: {package}: {changes.summary()}", flush=True)
        for path in changes.changed[:20]:
            print(f"  changed {path}")
        if len(changes.changed) > 20:
            print(f"  ... and {len(changes.changed) - 20} more")
        if not args.no_check:
            check_as_user(package)
            print(f"install: checked as {SANDBOX_USER}: the child side imports, the references cannot be read",
                  flush=True)
    except (OSError, RuntimeError, subprocess.SubprocessError) as exc:
        print(f"install: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
