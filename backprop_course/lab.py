"""``backprop-course lab``: open the course in JupyterLab.

In a clone of the repository the lessons are opened where they are. After a plain ``pip install`` the
lessons and learner exercises shipped in the wheel are first copied into ``--dir`` (default
``./backprop-course``); a notebook the learner has edited is never overwritten (one left untouched is
refreshed when the course ships a newer version).
Options that ``lab`` does not know (``--no-browser``, ``--port 8899``) are passed to JupyterLab.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from backprop_course._paths import PACKAGE_DIR, repo_root

COURSE_FOLDERS = ("notebooks", "exercises")


def shipped_course() -> Path:
    """Where the wheel keeps its copy of the lessons and learner exercises."""
    return PACKAGE_DIR / "course"


MANIFEST = ".backprop-course.json"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def copy_course(source: Path, dest: Path) -> tuple[list[Path], list[Path]]:
    """Copy ``source/{notebooks,exercises}/*.ipynb`` into ``dest`` without losing a learner's work.

    A notebook missing from ``dest`` is copied. One that is there is replaced only if it is still
    byte for byte what this function copied last time (its hash is kept in ``dest/.backprop-course.json``)
    and the course now ships a different version; anything the learner has edited is kept as it is.

    Returns
    -------
    (copied, kept) : lists of destination paths that were written, and that were left alone.
    """
    manifest_path = dest / MANIFEST
    try:
        manifest: dict[str, str] = json.loads(manifest_path.read_text())
    except (OSError, ValueError):
        manifest = {}
    copied: list[Path] = []
    kept: list[Path] = []
    for folder in COURSE_FOLDERS:
        for nb in sorted((source / folder).glob("*.ipynb")):
            target = dest / folder / nb.name
            key = f"{folder}/{nb.name}"
            new_hash = _sha256(nb)
            if target.exists():
                current = _sha256(target)
                untouched = manifest.get(key) == current
                if current == new_hash or not untouched:
                    kept.append(target)   # already current, or the learner's own version
                    continue
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(nb, target)
            manifest[key] = new_hash
            copied.append(target)
    if copied:
        dest.mkdir(parents=True, exist_ok=True)
        tmp = manifest_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(manifest, indent=1, sort_keys=True))
        os.replace(tmp, manifest_path)
    return copied, kept


def prepare(dir_arg: str | None) -> Path:
    """Decide which folder JupyterLab opens, copying the course out of the wheel when needed."""
    root = repo_root()
    if root is not None and dir_arg is None:
        return root
    dest = Path(dir_arg or "backprop-course").resolve()
    source = root if root is not None else shipped_course()
    if not any((source / f).is_dir() for f in COURSE_FOLDERS):
        raise FileNotFoundError(
            f"The course notebooks were not found in {source}. Reinstall the package "
            "(pip install --force-reinstall backprop-course) or run from a clone of the repository."
        )
    copied, kept = copy_course(source, dest)
    print(f"Course folder: {dest} ({len(copied)} notebooks copied, {len(kept)} kept as you left them)")
    return dest


def run(args: argparse.Namespace) -> int:
    try:
        folder = prepare(args.dir)
    except FileNotFoundError as exc:
        print(f"backprop-course lab: {exc}", file=sys.stderr)
        return 1
    extra = list(args.jupyter_args)
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--allow-root" not in extra:
        extra.append("--allow-root")  # JupyterLab refuses to start as root otherwise (containers)
    cmd = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={folder}", *extra]
    if args.dry_run:
        print(" ".join(cmd))
        return 0
    return subprocess.call(cmd)


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "lab",
        help="open the course (lessons and exercises) in JupyterLab",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--dir", default=None,
                   help="folder to copy the course into and open (default: the clone, or ./backprop-course)")
    p.add_argument("--dry-run", action="store_true", help="prepare the folder and print the command only")
    # Any other options (e.g. --no-browser --port 8899) go to JupyterLab unchanged, in order:
    # cli.main collects them with parse_known_args because this parser sets passthrough.
    p.set_defaults(func=run, passthrough=True, jupyter_args=[])
