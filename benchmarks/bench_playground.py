"""Frame rate of the training playground's animated run (view 5), measured in Python.

    .venv/bin/python benchmarks/bench_playground.py [--runs 3]

Builds the default playground (moons, 2-8-8-1, mini-batches of 20, 200 epochs per run, 2 epochs per
frame) and runs it the way the notebook's run button does: ``run_async`` on an asyncio event loop,
one frame per tick, paced at ``TrainingPlayground.fps``. Reports the frames drawn, the frames per
second achieved, the spread of the gaps between frame starts, and the share of the time the kernel
was busy (training + drawing) rather than idle and free to handle clicks.

What a browser then shows also depends on sending each PNG over the comm and decoding it there; this
measures the kernel's side only.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine  # noqa: E402


def one_run() -> dict:
    from backprop_course.widgets.playground import TrainingPlayground

    v = TrainingPlayground()
    busy = []
    frame = v.refresh

    def timed_refresh(change=None):  # the redraw each frame ends with
        start = time.perf_counter()
        frame(change)
        busy.append(time.perf_counter() - start)

    tick = v.session.tick

    def timed_tick():
        start = time.perf_counter()
        done = tick()
        busy.append(time.perf_counter() - start)
        return done

    v.refresh, v.session.tick = timed_refresh, timed_tick
    start = time.perf_counter()
    asyncio.run(v.run_async())
    elapsed = time.perf_counter() - start
    gaps = np.diff(v.frame_times) * 1e3
    assert v.state["epoch"] == v.epochs_per_run.value, v.state
    return {"frames": len(v.frame_times), "seconds": elapsed, "fps": (len(v.frame_times) - 1) /
            (v.frame_times[-1] - v.frame_times[0]), "gap_median": float(np.median(gaps)),
            "gap_p95": float(np.percentile(gaps, 95)), "gap_max": float(gaps.max()),
            "busy": sum(busy) / elapsed, "target": v.fps, "epochs": v.state["epoch"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    print(f"# playground animation · {machine()} · load average {os.getloadavg()[0]:.1f}")
    results = [one_run() for _ in range(args.runs)]
    for r in results:
        print(f"default run: {r['epochs']} epochs in {r['frames']} frames, {r['seconds']:.2f} s · "
              f"{r['fps']:.1f} fps (target {r['target']:.0f}) · gap between frames median "
              f"{r['gap_median']:.1f} ms, p95 {r['gap_p95']:.1f} ms, max {r['gap_max']:.1f} ms · "
              f"kernel busy {100 * r['busy']:.0f}% of the run")
    print(f"median over {args.runs} runs: {statistics.median(r['fps'] for r in results):.1f} fps")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
