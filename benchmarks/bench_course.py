"""The course as a learner and a CI runner meet it: import time, notebook run times, test suites, memory.

    .venv/bin/python benchmarks/bench_course.py [--import-repeats 21] [--skip-suites] [--json OUT]

1. ``import backprop_course`` in a fresh interpreter, many times (median). Target < 0.3 s. The same
   fresh interpreter reports whether numpy, sympy or matplotlib were pulled in (none may be: the
   package's names load lazily); ``python -X importtime`` names the slowest modules.
2. Every notebook in ``notebooks/``, ``exercises/`` and ``exercises/solutions/`` executed top to
   bottom by nbclient in a fresh kernel of this environment, as ``scripts/execute_notebooks.py``
   does, but on a temporary copy in a temporary folder: the repository's notebooks are never
   rewritten. Target (lessons): < 20 s each.
3. The whole nbval suite (``pytest notebooks exercises`` with the options of ``pyproject.toml``) and
   the whole unit suite (``pytest tests``), each as one child process, timed, while a sampler adds up
   the resident memory of the process tree (pytest plus its kernels, browsers, grader children)
   every 0.1 s. Reported: the peak of that sum, and the largest single process
   (``getrusage(RUSAGE_CHILDREN).ru_maxrss``, which is a maximum over processes, not a sum).
"""
from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_GLOBS = ("notebooks/*.ipynb", "exercises/*.ipynb", "exercises/solutions/*.ipynb")
HEAVY = ("numpy", "sympy", "matplotlib", "ipywidgets", "nbclient", "nbformat", "torch")
IMPORT_TARGET = 0.3
LESSON_TARGET = 20.0

_PROBE = """
import sys, time
t = time.perf_counter()
import backprop_course
dt = time.perf_counter() - t
heavy0 = [m for m in {heavy!r} if m in sys.modules]
n0 = len(sys.modules)
t = time.perf_counter()
backprop_course.MLP
first_use = time.perf_counter() - t
heavy = [m for m in {heavy!r} if m in sys.modules]
print(repr((dt, heavy0, n0, first_use)))
"""


# ---------------------------------------------------------------------------------------- import
def import_time(repeats: int = 21) -> dict:
    """Median seconds of ``import backprop_course`` in fresh interpreters, and what it pulled in."""
    code = _PROBE.format(heavy=HEAVY)
    times, heavy, n_modules, first = [], set(), 0, []
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="0")
    for _ in range(repeats):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                             cwd=tempfile.gettempdir(), env=env).stdout
        dt, mods, n_modules, first_use = ast.literal_eval(out.strip().splitlines()[-1])
        times.append(dt)
        first.append(first_use)
        heavy.update(mods)
    return {"median_s": statistics.median(times), "min_s": min(times), "max_s": max(times),
            "repeats": repeats, "first_mlp_s": statistics.median(first), "heavy_modules": sorted(heavy), "modules_loaded": n_modules,
            "top": import_offenders()}


def import_offenders(n: int = 8) -> list[tuple[str, float]]:
    """The ``n`` modules with the largest cumulative time in ``python -X importtime``."""
    err = subprocess.run([sys.executable, "-X", "importtime", "-c", "import backprop_course"],
                         capture_output=True, text=True, check=True, cwd=tempfile.gettempdir()).stderr
    rows = []
    for line in err.splitlines():
        m = re.match(r"import time:\s+(\d+)\s+\|\s+(\d+)\s+\|(\s*)(\S+)", line)
        if m:
            rows.append((m.group(4), int(m.group(2)) / 1e6, len(m.group(3))))
    # only top-level entries of each import chain (smallest indentation) are not double counted
    rows.sort(key=lambda r: -r[1])
    return [(name, secs) for name, secs, _ in rows[:n]]


# ---------------------------------------------------------------------------------------- notebooks
def notebook_times(paths: list[Path] | None = None, timeout: int = 300) -> list[dict]:
    """Execute each notebook on a temporary copy; seconds per notebook (None and the error if it failed)."""
    import nbformat
    from nbclient import NotebookClient

    paths = paths or sorted(p for g in NOTEBOOK_GLOBS for p in ROOT.glob(g))
    results = []
    for path in paths:
        rel = path.relative_to(ROOT).as_posix()
        with tempfile.TemporaryDirectory(prefix="bench-nb-") as tmp:
            copy = Path(tmp) / path.name
            shutil.copyfile(path, copy)
            nb = nbformat.read(copy, as_version=4)
            client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                                    resources={"metadata": {"path": tmp}})
            start = time.perf_counter()
            try:
                client.execute()
                results.append({"notebook": rel, "seconds": time.perf_counter() - start, "error": ""})
            except Exception as exc:  # a failing notebook is reported, not fatal to the benchmark
                results.append({"notebook": rel, "seconds": None,
                                "error": f"{type(exc).__name__}: {str(exc).strip().splitlines()[-1:]}"})
        r = results[-1]
        print(f"  {r['seconds']:7.2f} s  {rel}" if r["seconds"] is not None else f"  FAILED  {rel}  {r['error']}",
              flush=True)
    return results


# ---------------------------------------------------------------------------------------- suites
def _tree_rss(proc) -> int:
    total = 0
    try:
        procs = [proc] + proc.children(recursive=True)
    except Exception:
        return 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except Exception:
            pass
    return total


def run_suite(args: list[str], label: str) -> dict:
    """Run ``python -m pytest <args>`` from the repository root; wall time, outcome and memory."""
    import psutil

    cmd = [sys.executable, "-m", "pytest", *args]
    before = _children_maxrss()
    start = time.perf_counter()
    child = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak = [0, 0]  # summed RSS peak, process count at that moment
    done = threading.Event()

    def sample():
        ps = psutil.Process(child.pid)
        while not done.is_set():
            total = _tree_rss(ps)
            if total > peak[0]:
                try:
                    peak[:] = [total, 1 + len(ps.children(recursive=True))]
                except Exception:
                    pass
            done.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = child.communicate()
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    after = _children_maxrss()
    tail = [line for line in output.strip().splitlines() if line.strip()][-1:] or [""]
    summary = tail[0].strip("= ")
    print(f"  {label}: {seconds:.1f} s · {summary} · peak summed RSS {peak[0] / 2**20:.0f} MiB "
          f"({peak[1]} processes) · largest single process {after / 1024:.0f} MiB", flush=True)
    return {"label": label, "command": "python -m pytest " + " ".join(args), "seconds": seconds,
            "returncode": child.returncode, "summary": summary, "peak_tree_rss_mib": peak[0] / 2**20,
            "processes_at_peak": peak[1],
            "max_single_rss_mib": max(after, before) / 1024, "max_single_is_new": after > before}


def _children_maxrss() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux


SUITES = [
    (["notebooks", "exercises", "-q", "-p", "no:randomly"], "nbval suite (notebooks + exercises)"),
    (["tests", "-q", "-p", "no:randomly"], "unit suite (tests/)"),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--import-repeats", type=int, default=21)
    parser.add_argument("--skip-notebooks", action="store_true")
    parser.add_argument("--skip-suites", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    print(f"# course timings · {machine()} · load average {os.getloadavg()[0]:.1f}", flush=True)
    result: dict = {"machine": machine()}

    imp = import_time(args.import_repeats)
    result["import"] = imp
    ok = imp["median_s"] < IMPORT_TARGET and not {"numpy", "sympy", "matplotlib"} & set(imp["heavy_modules"])
    print(f"import backprop_course: median {imp['median_s'] * 1e3:.1f} ms over {imp['repeats']} fresh "
          f"interpreters (min {imp['min_s'] * 1e3:.1f}, max {imp['max_s'] * 1e3:.1f}); target < "
          f"{IMPORT_TARGET} s {'PASS' if ok else 'MISS'}; heavy modules loaded: "
          f"{', '.join(imp['heavy_modules']) or 'none'}; {imp['modules_loaded']} modules in sys.modules; "
          f"first use of bc.MLP (loads numpy and the engine) {imp['first_mlp_s'] * 1e3:.0f} ms")
    print("  slowest imports (-X importtime, cumulative): "
          + ", ".join(f"{name} {secs * 1e3:.1f} ms" for name, secs in imp["top"][:5]), flush=True)

    if not args.skip_notebooks:
        print("notebooks (nbclient, fresh kernel, temporary copies):", flush=True)
        result["notebooks"] = notebook_times()
    if not args.skip_suites:
        print("suites:", flush=True)
        result["suites"] = [run_suite(a, label) for a, label in SUITES]
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    failed = any(r["seconds"] is None for r in result.get("notebooks", []))
    return 1 if failed or not ok else 0


if __name__ == "__main__":
    sys.exit(main())
