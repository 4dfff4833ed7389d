"""Throughput of ``backprop-course grade``: submissions per second with ``--jobs 1`` and ``--jobs 2``.

    .venv/bin/python benchmarks/bench_grader.py [--copies 2] [--repeats 1]

The submissions are copies of the solution notebooks (``exercises/solutions/*.ipynb``, each copied
``--copies`` times under a new name in a temporary folder), graded by the installed command line in
a child process, exactly as an instructor runs it (so the figure includes the start of the command
and every per-exercise child process). Before a throughput is reported, the report of that very run
is checked: every submission graded and every one at full marks. The runs with 1 and 2 jobs are
interleaved. The machine has 2 cores, so 2 jobs can at most double the rate.
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


def make_submissions(folder: Path, copies: int) -> list[Path]:
    files = []
    for c in range(copies):
        for src in sorted((ROOT / "exercises" / "solutions").glob("*.ipynb")):
            dst = folder / f"learner{c:02d}_{src.name}"
            shutil.copyfile(src, dst)
            files.append(dst)
    return files


def grade(files: list[Path], jobs: int, out: Path) -> float:
    """Seconds for one ``backprop-course grade`` run; raises unless every submission has full marks."""
    cmd = [sys.executable, "-m", "backprop_course.cli", "grade", *map(str, files), "--out", str(out),
           "--seed", "7", "--jobs", str(jobs)]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=out.parent)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"grade exited with {proc.returncode}:\n{proc.stderr[-2000:]}")
    report = json.loads(out.read_text())
    subs = report["submissions"]
    bad = [(s["file"], s["status"], s["score"], s["max_score"]) for s in subs
           if s["status"] != "graded" or s["score"] != s["max_score"]]
    if len(subs) != len(files) or bad:
        raise RuntimeError(f"not every solution scored full marks: {bad}")
    return seconds


def exercise_count(files: list[Path]) -> int:
    return sum(len(s["exercises"]) for s in json.loads((files[0].parent / "report.json").read_text())["submissions"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=2, help="copies of each solution notebook")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    print(f"# grader throughput · {machine()} · load average {os.getloadavg()[0]:.1f}", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-grade-") as tmp:
        folder = Path(tmp)
        files = make_submissions(folder, args.copies)
        out = folder / "report.json"
        samples: dict[int, list[float]] = {1: [], 2: []}
        for _ in range(args.repeats):
            for jobs in (1, 2):
                samples[jobs].append(grade(files, jobs, out))
        n_ex = exercise_count(files)
    result = {"machine": machine(), "submissions": len(files), "exercises": n_ex, "jobs": {}}
    print(f"{len(files)} submissions ({args.copies} copies of each of the {len(files) // args.copies} solution notebooks, {n_ex} exercises in all), "
          f"all at full marks in every run")
    for jobs, secs in samples.items():
        med = statistics.median(secs)
        result["jobs"][jobs] = {"seconds": med, "submissions_per_s": len(files) / med,
                                "exercises_per_s": n_ex / med}
        print(f"--jobs {jobs}: {med:6.1f} s  {len(files) / med:5.2f} submissions/s  "
              f"{n_ex / med:5.2f} exercises/s")
    speedup = result["jobs"][1]["seconds"] / result["jobs"][2]["seconds"]
    result["speedup"] = speedup
    print(f"--jobs 2 is {speedup:.2f}x --jobs 1")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
