"""Run every benchmark and write ``docs/performance.md`` (figures, targets, PASS/MISS).

    .venv/bin/python benchmarks/run_all.py [--out-dir DIR] [--reuse] [--only mlp,value,...] [--quick]

Each benchmark runs in its own child process of this interpreter (the environment with the ``bench``
extra), one after the other, so they do not compete with each other for the two cores. Their printed
output is kept in ``--out-dir`` (``NAME.txt``, plus ``NAME.json`` for those that write JSON); with
``--reuse`` a benchmark whose output is already there is not run again. The report puts a compact
summary table first (for the README's Performance section) and each benchmark's own output after it.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from _common import machine  # noqa: E402

# name -> (script, arguments, arguments with --quick, writes JSON)
BENCHMARKS = {
    "mlp": ("bench_mlp.py", ["--repeats", "15"], ["--repeats", "5"], True),
    "value": ("bench_value.py", ["--repeats", "7"], ["--repeats", "3"], True),
    "symbolic": ("bench_symbolic.py", ["--repeat", "5"], ["--repeat", "3"], False),
    "views": ("bench_views.py", ["--rounds", "3"], ["--rounds", "2"], False),
    "course": ("bench_course.py", [], ["--import-repeats", "9"], True),
    "grader": ("bench_grader.py", ["--copies", "2"], ["--copies", "1"], True),
    "progress": ("bench_progress.py", ["--repeats", "3"], ["--repeats", "1"], True),
    "autograder": ("bench_autograder.py", [], [], True),
}


# Profile notes for the MLP step (written by hand from the profiles of 2026-11-22; rerun the
# profiles before trusting them on another machine). Printed after the MLP table.
MLP_NOTES = """\
**What was wrong, and what changed** (profiles of 2026-11-22: line_profiler, per-phase CPU time,
minor page faults from `getrusage`):

* *Page faults.* Freeing a step's 800 KB gradient and update arrays together let glibc trim the heap,
  and the next step faulted the memory back in: 360 minor faults per step on `[784, 128, 64, 10]`,
  0.8 ms becoming 1.4 ms in the processes where it happened (it depends on what was allocated
  before, which is why earlier runs of this benchmark scattered from 1.31x to 1.68x). The MLP's
  weight gradients now come from `MLP._gradient_memory` (`engine/_recycle.py`), which reuses an
  array only when nothing outside refers to it; 0 faults per step on this net since.
* *Work nobody used.* `train()` computed dE/dX on every update (a full product with the first
  weight matrix) and threw it away; the update made a new array `-lr * g` and then added it. "ours"
  is now `train_step`, the step `train()` runs: `backward(T, input_grad=False)`, then
  `optim.step_discarding_grads`, where plain SGD turns the gradient arrays it alone holds into the
  updates in place (`np.multiply(g, -lr, out=g)`) and `apply` adds them. The weights are
  bit-identical to the step written out by hand (checked above, and in the unit tests for every
  optimizer). The hand-written step is still timed: the *loop/GEMM* column.
* *Readable engine (2026-12-07).* The optimizers now compute plain new arrays (no recycled update
  or velocity memory) and `train()` reaches the in-place step by its public name instead of a
  private method. CPU time per step, before/after alternately in one shell on a busy machine (load
  5-7), median of 3: [784, 128, 64, 10]/64 0.837 -> 0.851 ms, [784, 512, 512, 10]/256 16.6 -> 16.8 ms
  (within the noise). Without `step_discarding_grads` both nets were 8% slower than the old code
  run alongside (0.895 vs 0.826 ms, 18.9 vs 17.5 ms; the larger net's new 3.2 MB update array was
  faulted in on every step, 1776 instead of 864 minor faults), so that one mechanism stays.
* *Left:* about 0.1 ms of elementwise work (bias, sigmoid, sigmoid', loss, bias gradients) and
  0.04 ms of Python per step on this net, plus the update's two passes over 109k parameters: numpy
  has no fused multiply-add.
* *Tried and not kept:* back-propagating `-lr * E` (`scale=-lr`), so the weight-gradient products
  produce the updates themselves: 2-4% faster, but then `train()` agrees with a hand-written loop
  only to rounding, and lesson 11's chaotic tanh/Xavier run ended at E = 0.139 instead of 1.144. A
  learner comparing their own loop with `train()` must get the same numbers. Also an update in
  L1-sized chunks: the Python loop costs more than it saves.
* *Spread:* on 2026-11-22 after these changes, 13 runs of the 64-batch net (quiet, with a CPU-bound
  or a GEMM-bound process on the other core, and with other jobs running) gave ours/GEMM median
  1.32, range 1.22-1.43; one of the 13 was above 1.4. The written-out step: 1.32-1.47.
* Against PyTorch the products themselves differ: torch's CPU wheel uses MKL, numpy OpenBLAS, and on
  these shapes torch's products are about 1.2-1.3x faster (*torch GEMM* column).
"""


def run(name: str, out_dir: Path, quick: bool, reuse: bool) -> tuple[str, dict | None]:
    script, full, short, has_json = BENCHMARKS[name]
    txt, js = out_dir / f"{name}.txt", out_dir / f"{name}.json"
    if not (reuse and txt.exists() and (js.exists() or not has_json)):
        cmd = [sys.executable, str(HERE / script), *(short if quick else full)]
        if has_json:
            cmd += ["--json", str(js)]
        print(f"running {name}: {' '.join(cmd[1:])}", flush=True)
        start = time.perf_counter()
        proc = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        txt.write_text(proc.stdout)
        (out_dir / f"{name}.stderr").write_text(proc.stderr)
        print(f"  {name} done in {time.perf_counter() - start:.0f} s (exit {proc.returncode})", flush=True)
    data = json.loads(js.read_text()) if has_json and js.exists() else None
    return txt.read_text(), data


# ------------------------------------------------------------------------------------ parsing
def parse_symbolic(text: str) -> list[dict]:
    rows = []
    for line in text.splitlines():
        m = re.match(r"^(.*?)\s+([\d.]+)s\s+([\d.]+)s\s+<\s*([\d.]+)s\s+(ok|MISSED)\s*$", line)
        if m:
            rows.append({"case": m.group(1).strip(), "median": float(m.group(2)), "best": float(m.group(3)),
                         "target": float(m.group(4)), "passed": m.group(5) == "ok"})
    return rows


def parse_views(text: str) -> list[dict]:
    rows = []
    for line in text.splitlines():
        m = re.match(r"^(\d .+?)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+(ok|SLOW|\(rebuild, not a move\))\s*$", line)
        if m:
            rows.append({"view": m.group(1).strip(), "n": int(m.group(2)), "median": float(m.group(3)),
                         "p95": float(m.group(4)), "targeted": m.group(5) != "(rebuild, not a move)",
                         "passed": m.group(5) == "ok"})
    return rows


def verdict(passed: bool | None) -> str:
    return "—" if passed is None else ("PASS" if passed else "**MISS**")


# ------------------------------------------------------------------------------------ report
def report(texts: dict[str, str], data: dict[str, dict | None], when: str) -> str:
    summary: list[tuple[str, str, str, str]] = []   # (figure, measured, target, verdict)
    mlp, value, course, grader, progress, autograder = (
        data.get(k) for k in ("mlp", "value", "course", "grader", "progress", "autograder"))

    if mlp:
        for r in mlp["rows"]:
            if r["dtype"] != "float64":
                continue
            net = f"MLP step {r['sizes']}/{r['batch']} f64"
            summary.append((f"{net}: ours / PyTorch", f"{r['ours_over_torch']:.2f}x "
                            f"({r['ours_ms']:.3g} vs {r['torch_ms']:.3g} ms)",
                            "< 1 (faster)" if r["target_gemm"] is None else f"≤ {r['target_torch']}x",
                            verdict(r["ours_over_torch"] < r["target_torch"] if r["target_gemm"] is None
                                    else r["ours_over_torch"] <= r["target_torch"])))
            if r["target_gemm"] is not None:
                summary.append((f"{net}: ours / GEMM-only", f"{r['ours_over_gemm']:.2f}x "
                                f"(GEMM {r['gemm_ms']:.3g} ms, {r['gflops']:.0f} GFLOP/s)",
                                f"≤ {r['target_gemm']}x", verdict(r["ours_over_gemm"] <= r["target_gemm"])))
        f32 = [r for r in mlp["rows"] if r["dtype"] == "float32"]
        if f32:
            summary.append(("MLP step float32: ours / PyTorch (3 nets)",
                            " · ".join(f"{r['ours_over_torch']:.2f}x" for r in f32), "reported", "—"))
    if value:
        for row in value["rows"]:
            r = row["gc on"]
            summary.append((f"Value vs micrograd, {row['name']} (gc on): forward+backward / backward",
                            f"{r['total_speedup']:.2f}x / {r['backward_speedup']:.2f}x "
                            f"({r['ours']['total_ms']:.0f} vs {r['micrograd']['total_ms']:.0f} ms)",
                            "≥ 2x / ≥ 3x" if row["name"].startswith("MLP x 20 ") else "reported",
                            verdict(r["total_speedup"] >= 2 and r["backward_speedup"] >= 3)
                            if row["name"].startswith("MLP x 20 ") else "—"))
        b = value["bytes_per_node"]
        summary.append(("Value bytes per node (20-sample graph)", f"ours {b['ours']:.0f}, micrograd {b['micrograd']:.0f}",
                        "ours lower", verdict(b["ours"] < b["micrograd"])))
    sym = parse_symbolic(texts.get("symbolic", ""))
    if sym:
        groups = {"5-layer derivation + render": [r for r in sym if r["target"] == 0.5],
                  "10-layer derivations + render (worst)": [r for r in sym if r["target"] == 2.0],
                  "5-layer verification": [r for r in sym if r["target"] == 1.0]}
        for label, rows in groups.items():
            if rows:
                worst = max(rows, key=lambda r: r["median"] / r["target"])
                summary.append((f"Symbolic: {label}", f"{worst['median']:.3f} s (median, cold cache)",
                                f"< {worst['target']} s", verdict(all(r["passed"] for r in rows))))
    views = parse_views(texts.get("views", ""))
    targeted = [v for v in views if v["targeted"]]
    if targeted:
        worst_med = max(targeted, key=lambda v: v["median"])
        worst_p95 = max(targeted, key=lambda v: v["p95"])
        summary.append((f"View callbacks ({len(targeted)} views): worst median / worst p95",
                        f"{worst_med['median']:.0f} ms ({worst_med['view'][2:]}) / {worst_p95['p95']:.0f} ms "
                        f"({worst_p95['view'][2:]})", "< 50 / < 100 ms",
                        verdict(all(v["passed"] for v in targeted))))
    if course:
        imp = course["import"]
        clean = not {"numpy", "sympy", "matplotlib"} & set(imp["heavy_modules"])
        summary.append(("`import backprop_course` (fresh interpreter)",
                        f"{imp['median_s'] * 1e3:.1f} ms; heavy modules loaded: "
                        f"{', '.join(imp['heavy_modules']) or 'none'}", "< 0.3 s, no numpy/sympy/matplotlib",
                        verdict(imp["median_s"] < 0.3 and clean)))
        nbs = course.get("notebooks", [])
        lessons = [n for n in nbs if n["notebook"].startswith("notebooks/")]
        failed = [n for n in nbs if n["seconds"] is None]
        if lessons:
            slow = max((n for n in lessons if n["seconds"] is not None), key=lambda n: n["seconds"])
            summary.append((f"Notebook execution ({len(nbs)} notebooks): slowest lesson",
                            f"{slow['seconds']:.1f} s ({Path(slow['notebook']).stem}); total "
                            f"{sum(n['seconds'] or 0 for n in nbs):.0f} s; {len(failed)} failed",
                            "< 20 s per lesson", verdict(not failed and slow["seconds"] < 20)))
        for s in course.get("suites", []):
            summary.append((s["label"], f"{s['seconds']:.0f} s ({s['summary']})", "reported",
                            "—" if s["returncode"] == 0 else "**FAILED**"))
            summary.append((f"Peak memory, {s['label'].split(' (')[0]}",
                            f"{s['peak_tree_rss_mib']:.0f} MiB summed over the process tree "
                            f"({s['processes_at_peak']} processes); largest process {s['max_single_rss_mib']:.0f} MiB",
                            "reported", "—"))
    if grader:
        j1, j2 = grader["jobs"].get("1") or grader["jobs"].get(1), grader["jobs"].get("2") or grader["jobs"].get(2)
        summary.append((f"Grader throughput ({grader['submissions']} submissions, all full marks)",
                        f"--jobs 1: {j1['submissions_per_s']:.2f}/s · --jobs 2: {j2['submissions_per_s']:.2f}/s "
                        f"({grader['speedup']:.2f}x)", "reported", "—"))
    if progress:
        secs = progress["seconds"]
        summary.append((f"`backprop-course progress`, whole course ({progress['exercises']} exercises done)",
                        f"{secs['default']:.1f} s ({progress['cores']} jobs) · {secs['1']:.1f} s (--jobs 1)",
                        "reported", "—"))
    if autograder:
        summary.append(("Gradescope bundle: build / setup.sh / run_autograder (median solution)",
                        f"{autograder['build_s']:.1f} s / {autograder['setup_s']:.0f} s / "
                        f"{autograder['run_median_s']:.1f} s", "reported", "—"))

    out = ["# Performance", "",
           f"Measured {when} on {machine()} by `python benchmarks/run_all.py` (environment with the "
           "`bench` extra: torch 2.13.0 CPU, micrograd 0.1.0). The machine is shared with other jobs, so "
           "every comparison is timed interleaved in one run and given as a median ratio; single-threaded "
           "comparisons use the CPU time of the process. Absolute times are indicative only.", "",
           "## Summary", "", "| figure | measured | target | verdict |", "|---|---|---|---|"]
    out += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in summary]
    misses = [a for a, _, _, d in summary if "MISS" in d or "FAILED" in d]
    out += ["", f"Targets missed: {', '.join(misses) if misses else 'none'}.", ""]

    if mlp:
        out += ["## MLP training step vs PyTorch and vs GEMM alone", "",
                "Forward + backward + plain gradient-descent update (*ours*: `bc.train_step`, the step "
                "`train()` runs; *loop*: the same step written out with `forward`, `backward` and "
                "`SGD.step`), half sum-of-squares loss, sigmoid hidden "
                "layers, linear output, 1 thread each, same initial weights; losses and gradients are "
                "checked to agree (max relative difference column) before anything is timed. *GEMM-only* "
                "times just the matrix products one step needs, with numpy (the floor for this "
                f"implementation); *torch GEMM* the same products with torch's BLAS (MKL); clock: {mlp['clock']} time.", "",
                "| network | batch | dtype | ours ms | torch ms | ours/torch | GEMM ms | GFLOP/s | ours/GEMM "
                "| loop/GEMM | torch GEMM ms | max rel diff | verdict |",
                "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for r in mlp["rows"]:
            v = verdict(r["passed"]) if r["dtype"] == "float64" else "reported"
            out.append(f"| {r['sizes']} | {r['batch']} | {r['dtype']} | {r['ours_ms']:.3f} | {r['torch_ms']:.3f} "
                       f"| {r['ours_over_torch']:.2f} | {r['gemm_ms']:.3f} | {r['gflops']:.1f} "
                       f"| {r['ours_over_gemm']:.2f} | {r.get('loop_over_gemm', float('nan')):.2f} "
                       f"| {r.get('torch_gemm_ms', float('nan')):.3f} | {r['max_rel_diff']:.1e} | {v} |")
        out += ["", MLP_NOTES]
    for name, title in (("mlp", "MLP benchmark output"), ("value", "`Value` vs micrograd"),
                        ("symbolic", "Symbolic layer"), ("views", "View callbacks"),
                        ("course", "Course: import, notebooks, suites, memory"),
                        ("grader", "Grader throughput"), ("progress", "Progress on the whole course"),
                        ("autograder", "Gradescope autograder bundle")):
        if name in texts:
            body = "\n".join(line for line in texts[name].splitlines() if "[IPKernelApp] WARNING" not in line)
            out += [f"## {title}" if name != "mlp" else f"### {title}", "", "```", body.rstrip(), "```", ""]
    out += ["## How to reproduce", "", "```", "pip install -e \".[bench,test]\"",
            "python benchmarks/run_all.py            # all benchmarks, writes docs/performance.md",
            "python benchmarks/bench_mlp.py          # or any single benchmark", "```", ""]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out-dir", type=Path, help="where the raw outputs go (default: a new temporary folder)")
    parser.add_argument("--reuse", action="store_true", help="do not rerun benchmarks with outputs in --out-dir")
    parser.add_argument("--only", help=f"comma-separated subset of {','.join(BENCHMARKS)}")
    parser.add_argument("--quick", action="store_true", help="fewer repeats (for a smoke run)")
    parser.add_argument("--report", type=Path, default=ROOT / "docs" / "performance.md")
    args = parser.parse_args(argv)
    out_dir = args.out_dir or Path(tempfile.mkdtemp(prefix="bench-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    names = args.only.split(",") if args.only else list(BENCHMARKS)
    unknown = set(names) - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmark(s) {sorted(unknown)}; choose from {list(BENCHMARKS)}")
    os.environ.setdefault("PYTHONWARNINGS", "ignore::DeprecationWarning")
    texts, data = {}, {}
    for name in names:
        texts[name], data[name] = run(name, out_dir, args.quick, args.reuse)
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    args.report.write_text(report(texts, data, when))
    print(f"wrote {args.report} (raw outputs in {out_dir})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
