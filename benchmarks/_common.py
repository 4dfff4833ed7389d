"""Shared bits of the benchmarks: thread pinning, interleaved timing, machine description.

The machine is shared and noisy, so every comparison is timed *interleaved* (A, B, A, B, ...) in one
run and reported as medians and a ratio; absolute seconds are only indicative. For single-threaded
work, ``clock=time.process_time`` (CPU seconds of this process) leaves out the time the scheduler
gives to other processes, which on an oversubscribed machine is most of the noise in wall time.
"""
from __future__ import annotations

import gc
import os
import platform
import statistics
import sys
import time
from datetime import date
from typing import Callable


def pin_threads(n: int = 1) -> None:
    """Give every BLAS/OpenMP pool the same thread count (call before importing numpy/torch)."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
        os.environ[var] = str(n)


def machine() -> str:
    return (f"{date.today().isoformat()} · {platform.machine()} · {os.cpu_count()} cores · "
            f"Python {sys.version.split()[0]} · {platform.platform(terse=True)}")


def time_once(fn: Callable[[], object], number: int, clock: Callable[[], float] = time.perf_counter) -> float:
    start = clock()
    for _ in range(number):
        fn()
    return (clock() - start) / number


def autorange(fn: Callable[[], object], target: float = 0.05) -> int:
    """How many calls make one timing sample last about ``target`` seconds."""
    fn()
    n = 1
    while time_once(fn, n) * n < target:
        n *= 2
    return n


def interleaved(fns: dict[str, Callable[[], object]], repeats: int = 15, target: float = 0.05,
                clock: Callable[[], float] = time.perf_counter) -> dict[str, list[float]]:
    """Per-call seconds for each function, sampled in turn so noise hits them alike."""
    numbers = {name: autorange(fn, target) for name, fn in fns.items()}
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            gc.collect()  # garbage one side left behind must not be collected on the other's clock
            samples[name].append(time_once(fn, numbers[name], clock))
    return samples


def load() -> str:
    """The 1-minute load average, to print next to figures from a shared machine."""
    return f"load average {os.getloadavg()[0]:.1f}"


def median(xs: list[float]) -> float:
    return statistics.median(xs)


def p95(xs: list[float]) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(0.95 * (len(xs) - 1))))]
