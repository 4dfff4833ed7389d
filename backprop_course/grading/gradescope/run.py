"""Grade one Gradescope submission: ``python -m backprop_course.grading.gradescope.run``.

The bundle's ``run_autograder`` calls this on Gradescope with the seed and time limit it was made with.
It grades the one notebook in ``ROOT/submission`` exactly as ``backprop-course grade --format
gradescope`` does and writes ``ROOT/results/results.json`` atomically. A submission that cannot be
graded (no notebook, several, a file that is not a notebook) still gets a valid results.json: score 0
and a message saying why, so the student learns what to fix. ``ROOT`` is ``--root``, else the
environment variable ``AUTOGRADER_ROOT``, else ``/autograder``.

What is printed here goes to Gradescope's stdout, which only instructors see (``stdout_visibility``).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

__all__ = ["find_submission", "refusal", "grade_submission", "main", "DEFAULT_ROOT"]

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


def main(argv: list[str] | None = None) -> int:
    from backprop_course import __version__

    from ..cli import positive
    from ..reports.formats import write_atomic

    parser = argparse.ArgumentParser(prog="python -m backprop_course.grading.gradescope.run",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=Path(os.environ.get("AUTOGRADER_ROOT") or DEFAULT_ROOT),
                        help="Gradescope's folder (default: $AUTOGRADER_ROOT, else /autograder)")
    parser.add_argument("--seed", type=int, required=True, help="seed of the hidden cases")
    parser.add_argument("--timeout", type=positive(float, "--timeout"), required=True,
                        help="seconds allowed per exercise")
    args = parser.parse_args(argv)
    import backprop_course

    print(f"backprop-course {__version__} from {Path(backprop_course.__file__).parent}; "
          f"seed {args.seed}; time limit {args.timeout:g} s per exercise", flush=True)
    results = args.root / "results" / "results.json"
    try:
        text, summary = grade_submission(args.root, args.seed, args.timeout)
    except Exception as exc:  # noqa: BLE001 - the student must still get a results.json
        text = refusal(f"The autograder failed on this submission ({type(exc).__name__}). "
                       "Please tell your instructor.", args.seed, args.timeout)
        summary = f"grader error: {type(exc).__name__}: {exc}"
    write_atomic(results, text)
    print(summary, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
