"""``backprop-course lab``: open the course in JupyterLab, on lesson 01.

The lessons and learner exercises are copied into a course folder of their own (``--dir``, default
``./backprop-course``): from a clone of the repository, or from the copy shipped in the wheel after a
plain ``pip install``. JupyterLab opens that folder (only ``notebooks/`` and ``exercises/`` in it) with
lesson 01 in front. A notebook the learner has edited is never overwritten; one left untouched is
refreshed when the course ships a newer version.
Ctrl-C stops JupyterLab cleanly (no question, no traceback, no leftover runtime files).
Options that ``lab`` does not know (``--no-browser``, ``--port 8899``) are passed to JupyterLab.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

from backprop_course._paths import PACKAGE_DIR, repo_root

COURSE_FOLDERS = ("notebooks", "exercises")
FIRST_LESSON = "notebooks/01_welcome.ipynb"
MANIFEST = ".backprop-course.json"


def shipped_course() -> Path:
    """Where the wheel keeps its copy of the lessons and learner exercises."""
    return PACKAGE_DIR / "course"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class CourseCopy(NamedTuple):
    """What :func:`copy_course` did, as lists of destination paths.

    copied: new to the course folder; refreshed: untouched by the learner and replaced by the newer
    version the course now ships; current: already the version the course ships; kept: edited by the
    learner and left exactly as they are (the course ships a different version).
    """

    copied: list
    refreshed: list
    current: list
    kept: list


def copy_course(source: Path, dest: Path) -> CourseCopy:
    """Copy ``source/{notebooks,exercises}/*.ipynb`` into ``dest`` without losing a learner's work.

    A notebook missing from ``dest`` is copied. One that is there is replaced only if it is still
    byte for byte what this function copied last time (its hash is kept in ``dest/.backprop-course.json``)
    and the course now ships a different version; anything the learner has edited is kept as it is.
    """
    manifest_path = dest / MANIFEST
    try:
        manifest: dict[str, str] = json.loads(manifest_path.read_text())
    except (OSError, ValueError):
        manifest = {}
    result = CourseCopy([], [], [], [])
    for folder in COURSE_FOLDERS:
        for nb in sorted((source / folder).glob("*.ipynb")):
            target = dest / folder / nb.name
            key = f"{folder}/{nb.name}"
            new_hash = _sha256(nb)
            if target.exists():
                current = _sha256(target)
                if current == new_hash:
                    result.current.append(target)
                    continue
                if manifest.get(key) != current:  # the learner's own version: never overwritten
                    result.kept.append(target)
                    continue
            target.parent.mkdir(parents=True, exist_ok=True)
            (result.refreshed if target.exists() else result.copied).append(target)
            shutil.copyfile(nb, target)
            manifest[key] = new_hash
    if result.copied or result.refreshed:
        dest.mkdir(parents=True, exist_ok=True)
        tmp = manifest_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(manifest, indent=1, sort_keys=True))
        os.replace(tmp, manifest_path)
    return result


def _count(n: int, what: str) -> str:
    return f"{n} {what}" if n == 1 else f"{n} {what}s"


def summary(dest: Path, done: CourseCopy) -> str:
    """One line for the learner: where the course is and what happened to its notebooks.

    >>> summary(Path("/c"), CourseCopy([Path("a")], [], [Path("b"), Path("c")], []))
    'Course folder /c: 1 notebook copied, 2 already up to date.'
    """
    parts = [(len(done.copied), "copied"),
             (len(done.refreshed), "updated to the new course version"),
             (len(done.kept), "edited by you and kept as you left them"),
             (len(done.current), "already up to date")]
    said = [(n, text) for n, text in parts if n]
    if not said:
        return f"Course folder {dest}: no notebooks."
    (n, text), rest = said[0], said[1:]
    words = [f"{_count(n, 'notebook')} {text}", *(f"{m} {t}" for m, t in rest)]
    return f"Course folder {dest}: {', '.join(words)}."


def prepare(dir_arg: str | None) -> Path:
    """Copy the course into its folder (``dir_arg`` or ``./backprop-course``) and return that folder."""
    root = repo_root()
    dest = Path(dir_arg or "backprop-course").resolve()
    source = root if root is not None else shipped_course()
    if not any((source / f).is_dir() for f in COURSE_FOLDERS):
        raise FileNotFoundError(
            f"The course notebooks were not found in {source}. Reinstall the package "
            "(pip install --force-reinstall backprop-course) or run from a clone of the repository."
        )
    if root is not None and dest == root:
        raise FileNotFoundError(
            f"The 'dir' option of lab must be a folder of its own, not the repository {root}: "
            "the course is copied there. Use e.g. --dir backprop-course."
        )
    print(summary(dest, copy_course(source, dest)))
    return dest


def jupyter_command(folder: Path, extra: list[str]) -> list[str]:
    """The JupyterLab command line: this interpreter's JupyterLab, on ``folder``, lesson 01 in front.

    ``--ServerApp.answer_yes=True`` makes Ctrl-C shut the server down at once instead of asking.
    """
    cmd = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={folder}",
           "--ServerApp.answer_yes=True", *extra]
    lesson = folder / FIRST_LESSON
    if lesson.is_file():
        cmd.append(str(lesson))  # JupyterLab opens a file given as its argument
    return cmd


def _runtime_files(pid: int) -> list[Path]:
    """The files a Jupyter server with process id ``pid`` leaves in Jupyter's runtime folder."""
    try:
        from jupyter_core.paths import jupyter_runtime_dir
    except ImportError:  # no Jupyter installed: nothing could have been written
        return []
    runtime = Path(jupyter_runtime_dir())
    return [runtime / f"jpserver-{pid}.json", runtime / f"jpserver-{pid}-open.html",
            runtime / f"jpserver-file-to-run-{pid}-open.html"]


def launch(cmd: list[str]) -> int:
    """Run JupyterLab until it ends; return its exit status.

    Ctrl-C in a terminal interrupts the whole foreground process group: JupyterLab receives it and
    shuts down cleanly, so this process only waits for that (a no-op handler instead of Python's
    KeyboardInterrupt, which would print a traceback and kill the server before it cleans up). A
    SIGTERM sent to this process alone is passed on. Runtime files a killed server left behind are
    removed once it has ended.
    """
    proc = subprocess.Popen(cmd)
    previous = {}

    def pass_on(signum, frame):
        if signum != signal.SIGINT and proc.poll() is None:
            proc.send_signal(signum)

    for sig in (signal.SIGINT, signal.SIGTERM):
        previous[sig] = signal.signal(sig, pass_on)
    try:
        code = proc.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    for path in _runtime_files(proc.pid):
        path.unlink(missing_ok=True)
    if code in (-signal.SIGINT, -signal.SIGTERM):
        return 0  # stopped as asked
    return code


def run(args: argparse.Namespace) -> int:
    try:
        folder = prepare(args.dir)
    except FileNotFoundError as exc:
        print(f"backprop-course lab: {exc}", file=sys.stderr)
        return 1
    extra = list(args.jupyter_args)
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--allow-root" not in extra:
        extra.append("--allow-root")  # JupyterLab refuses to start as root otherwise (containers)
    cmd = jupyter_command(folder, extra)
    if args.dry_run:
        print(" ".join(cmd))
        return 0
    return launch(cmd)


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "lab",
        help="open the course (lessons and exercises) in JupyterLab",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--dir", default=None,
                   help="folder to copy the course into and open (default: ./backprop-course)")
    p.add_argument("--dry-run", action="store_true", help="prepare the folder and print the command only")
    # Any other options (e.g. --no-browser --port 8899) go to JupyterLab unchanged, in order:
    # cli.main collects them with parse_known_args because this parser sets passthrough.
    p.set_defaults(func=run, passthrough=True, jupyter_args=[])
