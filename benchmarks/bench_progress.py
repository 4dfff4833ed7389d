"""How long ``backprop-course progress`` takes on a whole course, every exercise done.

    .venv/bin/python benchmarks/bench_progress.py [--repeats 3] [--json out.json]

A temporary course folder gets a copy of every solution notebook in ``exercises/`` (as
``backprop-course lab`` lays it out), and the installed command line grades it in a child process, as a
learner runs it after an exercise (so the figure includes the start of the command and every
per-exercise child process). Before a time is reported, that run's table is checked: every exercise
passed. Runs with ``--jobs 1`` and the default (one notebook per core) are interleaved.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def progress(folder: Path, jobs: int | None) -> tuple[float, int]:
    """Seconds for one run and the number of exercises; raises unless every exercise passed."""
    cmd = [sys.executable, "-m", "backprop_course.cli", "progress", str(folder)]
    cmd += ["--jobs", str(jobs)] if jobs else []
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"progress exited with {proc.returncode}:\n{proc.stderr[-2000:]}")
    totals = proc.stdout.strip().splitlines()[-1]        # "32 passed, 0 failed, 0 not attempted; ..."
    passed = int(totals.split()[0])
    if not totals.startswith(f"{passed} passed, 0 failed, 0 not attempted"):
        raise RuntimeError(f"not every exercise passed: {totals}")
    return seconds, passed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    print(f"# progress on the whole course · {machine()} · load average {os.getloadavg()[0]:.1f}", flush=True)
    samples: dict[str, list[float]] = {"1": [], "default": []}
    with tempfile.TemporaryDirectory(prefix="bench-progress-") as tmp:
        folder = Path(tmp) / "backprop-course" / "exercises"
        folder.mkdir(parents=True)
        for src in sorted((ROOT / "exercises" / "solutions").glob("*.ipynb")):
            shutil.copyfile(src, folder / src.name)
        n_notebooks = len(list(folder.glob("*.ipynb")))
        for _ in range(args.repeats):
            for jobs in ("1", "default"):
                seconds, n_ex = progress(folder.parent, None if jobs == "default" else int(jobs))
                samples[jobs].append(seconds)
    result = {"machine": machine(), "notebooks": n_notebooks, "exercises": n_ex, "cores": os.cpu_count(),
              "seconds": {k: statistics.median(v) for k, v in samples.items()},
              "range": {k: [min(v), max(v)] for k, v in samples.items()}}
    print(f"{n_notebooks} solution notebooks, {n_ex} exercises, every one passed in every run")
    for jobs, secs in samples.items():
        label = f"--jobs {jobs}" if jobs != "default" else f"default ({os.cpu_count()} jobs)"
        print(f"{label:>20}: median {statistics.median(secs):5.2f} s  (range {min(secs):.2f}-{max(secs):.2f} s, "
              f"{len(secs)} runs)")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
