"""Grade one Gradescope submission: ``python -m backprop_course.grading.gradescope.run``.

The bundle's ``run_autograder`` calls this on Gradescope with the time limit it was made with and the
seed file ``setup.sh`` made root-only (``--seed-file``: the seed is never in argv, where any process can
read it in ``/proc/<pid>/cmdline``; ``--seed N`` is kept for tests and local tries, and is visible to
every process of the machine while it runs). It grades the one notebook in ``ROOT/submission`` exactly
as ``backprop-course grade --format gradescope`` does and writes ``ROOT/results/results.json``. A
submission that cannot be graded (no notebook, several, a file that is not a notebook) still gets a
valid results.json: score 0 and a message saying why, so the student learns what to fix. ``ROOT`` is
``--root``, else the environment variable ``AUTOGRADER_ROOT``, else ``/autograder``.

Only a results.json written here counts: before grading the results folder is made root-owned and not
writable by group or others (when running as root) and any results.json in it is removed; after grading
(when the grader has ended every sandbox process) whatever is at ``results.json`` (a file, a folder, a
link a submission managed to plant) is removed and the report is written atomically.

What is printed here goes to Gradescope's stdout, which only instructors see (``stdout_visibility``).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import stat
import sys
from pathlib import Path

__all__ = ["find_submission", "refusal", "grade_submission", "read_seed_file", "prepare_results",
           "write_results", "main", "DEFAULT_ROOT"]

DEFAULT_ROOT = "/autograder"


def find_submission(folder: Path) -> tuple[Path | None, str]:
    """The one notebook in ``folder`` (top level), or None and the reason to give the student."""
    notebooks = sorted(p for p in folder.glob("*.ipynb") if p.is_file()) if folder.is_dir() else []
    if len(notebooks) == 1:
        return notebooks[0], ""
    if not notebooks:
        others = sorted(p.name for p in folder.iterdir())[:10] if folder.is_dir() else []
        seen = f" (the submission holds: {', '.join(others)})" if others else " (the submission is empty)"
        return None, f"No notebook was found{seen}. Submit exactly one exercise notebook, e.g. ex06_backprop.ipynb."
    names = ", ".join(p.name for p in notebooks)
    return None, (f"{len(notebooks)} notebooks were submitted ({names}). Submit exactly one exercise notebook, "
                  "so that no exercise is counted twice.")


def refusal(reason: str, seed: int, timeout: float) -> str:
    """A valid Gradescope results.json for a submission that could not be graded: score 0 and why."""
    from ..reports.formats import to_gradescope

    doc = json.loads(to_gradescope([], seed, timeout))   # the same document as for a graded one, no tests
    doc["output"] = reason
    return json.dumps(doc, indent=2) + "\n"


def grade_submission(root: Path, seed: int, timeout: float) -> tuple[str, str]:
    """(results.json text, one line for the instructor) for the submission under ``root``."""
    from ..grader import grade_many
    from ..reports.formats import to_gradescope

    notebook, reason = find_submission(root / "submission")
    if notebook is None:
        return refusal(reason, seed, timeout), f"not graded: {reason}"
    (report,) = grade_many([notebook], seed=seed, timeout=timeout, jobs=1, progress=False)
    if report.status != "graded":
        summary = f"not graded: {report.error}"
    else:
        statuses = ", ".join(f"{e.id} {e.status}" for e in report.exercises)
        summary = f"{notebook.name}: {report.score:g}/{report.max_score:g} ({statuses})"
    return to_gradescope([report], seed, timeout), summary


def read_seed_file(path: str | os.PathLike) -> int:
    """The seed stored in ``path`` (an integer, surrounding whitespace allowed); ValueError saying what to fix."""
    try:
        text = Path(path).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ValueError(f"--seed-file {str(path)!r} cannot be read ({exc.strerror or exc}); it is written by "
                         "setup.sh from the bundle's 'seed' file: run setup.sh first, as root.") from None
    except UnicodeDecodeError:
        text = None
    try:
        return int(text)   # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"--seed-file {str(path)!r} must hold one integer (the hidden-case seed); it holds "
                         f"{len(text or '')} other characters. Rebuild the bundle with backprop-course "
                         "autograder.") from None


def _remove(path: Path) -> None:
    """Remove whatever is at ``path`` (file, link, folder), without following links."""
    try:
        st = path.lstat()
    except FileNotFoundError:
        return
    if stat.S_ISDIR(st.st_mode):
        shutil.rmtree(path)
    else:
        path.unlink()


def prepare_results(results: Path) -> None:
    """Make ``results``' folder root-owned and closed to writes by others (as root); remove ``results``."""
    folder = results.parent
    if folder.is_symlink():
        folder.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        os.chown(folder, 0, 0, follow_symlinks=False)
        os.chmod(folder, 0o755)
    else:   # not root (local tries, tests): at least nobody else may write there
        os.chmod(folder, stat.S_IMODE(folder.stat().st_mode) & ~0o022)
    _remove(results)


def write_results(results: Path, text: str) -> None:
    """Replace whatever is at ``results`` by ``text``, atomically."""
    from ..reports.formats import write_atomic

    _remove(results)   # a folder or link planted there would make os.replace fail or follow it
    write_atomic(results, text)


def main(argv: list[str] | None = None) -> int:
    from backprop_course import __version__

    from ..cli import positive

    parser = argparse.ArgumentParser(prog="python -m backprop_course.grading.gradescope.run",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=Path(os.environ.get("AUTOGRADER_ROOT") or DEFAULT_ROOT),
                        help="Gradescope's folder (default: $AUTOGRADER_ROOT, else /autograder)")
    seed = parser.add_mutually_exclusive_group(required=True)
    seed.add_argument("--seed-file", type=Path, metavar="PATH",
                      help="file holding the seed of the hidden cases (what run_autograder passes; keep it root-only)")
    seed.add_argument("--seed", type=int,
                      help="seed of the hidden cases, for tests and local tries: visible to every process of "
                           "the machine (/proc/<pid>/cmdline) while it runs")
    parser.add_argument("--timeout", type=positive(float, "--timeout"), required=True,
                        help="seconds allowed per exercise")
    args = parser.parse_args(argv)
    if args.seed_file is not None:
        try:
            args.seed = read_seed_file(args.seed_file)
        except ValueError as exc:
            parser.error(str(exc))
    import backprop_course
    from ..sandbox.walls import SandboxUnavailable, choose_route

    try:
        route = choose_route()
    except SandboxUnavailable as exc:
        route = f"unavailable ({exc})"
    # (the seed is never printed: this output is the instructor's, but it need not carry the seed)
    print(f"backprop-course {__version__} from {Path(backprop_course.__file__).parent}; "
          f"sandbox route {route}; time limit {args.timeout:g} s per exercise", flush=True)
    results = args.root / "results" / "results.json"
    prepare_results(results)
    try:
        text, summary = grade_submission(args.root, args.seed, args.timeout)
    except Exception as exc:  # noqa: BLE001 - the student must still get a results.json
        text = refusal(f"The autograder failed on this submission ({type(exc).__name__}). "
                       "Please tell your instructor.", args.seed, args.timeout)
        summary = f"grader error: {type(exc).__name__}: {exc}"
    write_results(results, text)
    print(summary, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
