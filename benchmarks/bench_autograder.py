"""The Gradescope bundle's three steps, timed as Gradescope runs them.

    .venv/bin/python benchmarks/bench_autograder.py [--json out.json]

1. ``backprop-course autograder --out autograder.zip`` (builds the wheel);
2. ``setup.sh`` in a temporary ``AUTOGRADER_ROOT``: a fresh virtual environment, the wheel from the zip
   and its dependencies from the package index (the figure depends on the index and pip's cache);
3. ``run_autograder`` once per solution notebook; each run's results.json must hold full marks.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def timed(cmd: list[str], env: dict | None = None) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited with {proc.returncode}:\n{proc.stderr[-2000:]}")
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    print(f"# Gradescope autograder · {machine()} · load average {os.getloadavg()[0]:.1f}", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-autograder-") as tmp:
        root = Path(tmp) / "autograder"
        bundle = Path(tmp) / "autograder.zip"
        build = timed([sys.executable, "-m", "backprop_course.cli", "autograder", "--out", str(bundle), "--seed", "7"])
        with zipfile.ZipFile(bundle) as zf:
            zf.extractall(root / "source")
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        env.update(AUTOGRADER_ROOT=str(root), AUTOGRADER_PYTHON=sys.executable)
        setup = timed(["bash", str(root / "source" / "setup.sh")], env)
        runs = {}
        (root / "submission").mkdir()
        for nb in sorted((ROOT / "exercises" / "solutions").glob("*.ipynb")):
            for old in (root / "submission").iterdir():
                old.unlink()
            (root / "submission" / nb.name).write_bytes(nb.read_bytes())
            runs[nb.stem] = timed(["bash", str(root / "source" / "run_autograder")], env)
            doc = json.loads((root / "results" / "results.json").read_text())
            if not doc["tests"] or doc["score"] != sum(t["max_score"] for t in doc["tests"]):
                raise RuntimeError(f"{nb.name}: not full marks: {doc['output']}")
    result = {"machine": machine(), "build_s": build, "setup_s": setup, "run_s": runs,
              "run_median_s": statistics.median(runs.values())}
    print(f"backprop-course autograder (build the zip): {build:6.1f} s")
    print(f"setup.sh (fresh venv + pip install)     : {setup:6.1f} s")
    print(f"run_autograder, each solution at full marks: median {result['run_median_s']:.2f} s, "
          f"slowest {max(runs, key=runs.get)} {max(runs.values()):.2f} s")
    for stem, secs in runs.items():
        print(f"  {stem:<18} {secs:5.2f} s")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
