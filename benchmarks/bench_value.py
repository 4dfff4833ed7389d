"""The scalar engine ``bc.Value`` against micrograd's ``Value``, on micrograd's own workload.

    .venv/bin/pip install -e ".[bench]"
    .venv/bin/python benchmarks/bench_value.py [--repeats 7] [--json OUT] [--write]

The workload is written exactly as micrograd's README and lectures write it: micrograd's own
``nn.MLP(10, [32, 32, 1])`` (``sum((wi * xi for wi, xi in zip(self.w, x)), self.b)``, ``.relu()``),
the loss ``sum((mlp(x) - y) ** 2 ...)`` and ``loss.backward()``. For ``bc.Value`` the *same source
file*, ``micrograd/nn.py``, is executed a second time with its name ``Value`` bound to ``bc.Value``,
and ``random`` is seeded alike, so both libraries build the same graph from the same weights. The loss
and every parameter gradient must agree (1e-9) before anything is timed.

Sizes: the MLP on 20 samples, on 200 samples, and a chain of 100,001 nodes (``y = y * 0.999 + 0.001``,
25,000 times). micrograd's recursive topological sort raises RecursionError on the chain at Python's
default recursion limit; it is timed a second time with the limit raised so there is a ratio.

Each figure is the median of ``--repeats`` runs, libraries alternating, forward and backward timed
apart in the same run (wall clock, ``perf_counter``), once with the garbage collector as Python sets
it (on, default thresholds) and once with it off.

Whose garbage? micrograd's nodes refer to closures that refer back to them, so each graph it drops
is a reference cycle that only the cyclic collector frees, at whichever moment the collector next
runs a full pass: in a side-by-side run, usually during the *other* library's run. ``bc.Value``
nodes hold no cycles and are freed by reference counting when the loss goes. So before each timed
run the benchmark calls ``gc.collect()`` outside the clock: each run pays for the collections its own
allocations trigger, not for what the previous run left behind. (This flatters micrograd: its own
cycles are freed off the clock.) The naive side-by-side run without that step is also reported,
with the time the collector spent inside each library's runs (``gc.callbacks``), because it is
what a quick measurement sees.

Memory: bytes per node of a built 20-sample graph (tracemalloc, everything allocated while building
it that is still alive, divided by the number of distinct nodes).
"""
from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import random
import re
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CHAIN_STEPS = 25_000                     # 4 nodes a step (2 constants) + the input: 100,001 nodes
TARGET_TOTAL, TARGET_BACKWARD = 2.0, 3.0


# ------------------------------------------------------------------------------ the two libraries
def micrograd_nn(value_cls):
    """micrograd's nn module, executed with ``Value`` bound to ``value_cls``."""
    spec = importlib.util.find_spec("micrograd.nn")
    namespace: dict = {"__name__": f"micrograd_nn_{value_cls.__module__}"}
    exec(compile(Path(spec.origin).read_text(), spec.origin, "exec"), namespace)
    namespace["Value"] = value_cls       # its classes look the name up when they build parameters
    return namespace


def libraries() -> dict:
    import micrograd.engine

    import backprop_course as bc

    return {"micrograd": micrograd.engine.Value, "ours": bc.Value}


def data(n: int, seed: int = 1):
    rng = random.Random(seed)
    return ([[rng.uniform(-1, 1) for _ in range(10)] for _ in range(n)],
            [rng.choice([-1.0, 1.0]) for _ in range(n)])


class MLPWorkload:
    """One library's MLP and data; ``forward()`` builds the loss, ``backward(loss)`` runs it."""

    def __init__(self, value_cls, samples: int):
        random.seed(1337)                # micrograd's Neuron draws its weights from ``random``
        self.model = micrograd_nn(value_cls)["MLP"](10, [32, 32, 1])
        self.xs, self.ys = data(samples)

    def forward(self):
        model = self.model
        return sum((model(x) - y) ** 2 for x, y in zip(self.xs, self.ys))

    def backward(self, loss):
        self.model.zero_grad()           # micrograd's backward adds; ours resets (no effect on time)
        loss.backward()

    def result(self, loss) -> list[float]:
        return [loss.data, *(p.grad for p in self.model.parameters())]


class ChainWorkload:
    def __init__(self, value_cls, steps: int = CHAIN_STEPS):
        self.cls, self.steps = value_cls, steps

    def forward(self):
        self.x = y = self.cls(0.5)
        for _ in range(self.steps):
            y = y * 0.999 + 0.001
        return y

    def backward(self, loss):
        loss.backward()

    def result(self, loss) -> list[float]:
        return [loss.data, self.x.grad]


def count_nodes(root) -> int:
    seen, stack = {id(root)}, [root]
    while stack:
        for child in stack.pop()._prev:
            if id(child) not in seen:
                seen.add(id(child))
                stack.append(child)
    return len(seen)


# ------------------------------------------------------------------------------ measuring
class CollectorClock:
    """Seconds the cyclic garbage collector spends while ``running`` is set (gc.callbacks)."""

    def __init__(self):
        self.spent, self.started, self.running = 0.0, None, False

    def __call__(self, phase, info):
        if phase == "start":
            self.started = time.perf_counter()
        elif self.started is not None:
            if self.running:
                self.spent += time.perf_counter() - self.started
            self.started = None


def timed_run(work, collect_first: bool, clock: CollectorClock) -> tuple[float, float, float]:
    """(forward s, backward s, collector s) of one forward + backward; the graph is dropped after."""
    if collect_first:
        gc.collect()
    clock.spent, clock.running = 0.0, True
    t0 = time.perf_counter()
    loss = work.forward()
    t1 = time.perf_counter()
    work.backward(loss)
    t2 = time.perf_counter()
    clock.running = False
    del loss
    return t1 - t0, t2 - t1, clock.spent


def compare(works: dict, repeats: int, gc_on: bool, collect_first: bool = True) -> dict:
    clock = CollectorClock()
    gc.callbacks.append(clock)
    samples = {name: [] for name in works}
    try:
        if not gc_on:
            gc.disable()
        for r in range(repeats + 1):                     # the first round warms up, untimed
            names = list(works) if r % 2 == 0 else list(reversed(works))
            for name in names:
                sample = timed_run(works[name], collect_first, clock)
                if r:
                    samples[name].append(sample)
    finally:
        gc.enable()
        gc.callbacks.remove(clock)
    out = {}
    for name, runs in samples.items():
        fwd, bwd, col = (statistics.median(v) for v in zip(*runs))
        tot = statistics.median(f + b for f, b, _ in runs)
        out[name] = {"total_ms": tot * 1e3, "forward_ms": fwd * 1e3, "backward_ms": bwd * 1e3,
                     "collector_ms": col * 1e3}
    for part in ("total", "forward", "backward"):
        out[f"{part}_speedup"] = out["micrograd"][f"{part}_ms"] / out["ours"][f"{part}_ms"]
    return out


def check_same(works: dict) -> float:
    results = {}
    for name, work in works.items():
        loss = work.forward()
        work.backward(loss)
        results[name] = work.result(loss)
    a, b = results["micrograd"], results["ours"]
    if len(a) != len(b):
        raise SystemExit("MISMATCH: different numbers of parameters")
    return max(abs(x - y) / max(1.0, abs(x)) for x, y in zip(a, b))


def bytes_per_node(value_cls) -> float:
    work = MLPWorkload(value_cls, 20)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    loss = work.forward()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return (after - before) / count_nodes(loss)


# ------------------------------------------------------------------------------ report
def table(result: dict) -> list[str]:
    lines = ["| workload | collector | part | ours ms | micrograd ms | speed-up | target |",
             "|---|---|---|---|---|---|---|"]
    for row in result["rows"]:
        for regime in ("gc on", "gc off"):
            r = row[regime]
            for part in ("total", "forward", "backward"):
                target = {"total": f"≥ {TARGET_TOTAL:g}x", "backward": f"≥ {TARGET_BACKWARD:g}x"}.get(part, "")
                if regime == "gc off" or row["name"].startswith("chain"):
                    target = ""
                mark = ""
                if target:
                    goal = TARGET_TOTAL if part == "total" else TARGET_BACKWARD
                    mark = " ✓" if r[f"{part}_speedup"] >= goal else " ✗"
                lines.append(f"| {row['name']} | {regime} | {part} | {r['ours'][f'{part}_ms']:.1f} "
                             f"| {r['micrograd'][f'{part}_ms']:.1f} | {r[f'{part}_speedup']:.2f}x "
                             f"| {target}{mark} |")
    return lines


def render(result: dict) -> str:
    n = result["naive"]
    lines = [f"# bc.Value vs micrograd 0.1.0 · {result['machine']} · median of {result['repeats']}", "",
             "Same numbers first (max relative difference of the loss and every gradient): "
             + ", ".join(f"{row['name']} {row['max_diff']:.0e}" for row in result["rows"]), ""]
    lines += table(result)
    lines += ["", f"Bytes per node (20-sample graph, tracemalloc): ours {result['bytes_per_node']['ours']:.0f}, "
              f"micrograd {result['bytes_per_node']['micrograd']:.0f} "
              f"({result['bytes_per_node']['micrograd'] / result['bytes_per_node']['ours']:.1f}x more).",
              f"Chain at the default recursion limit: micrograd {result['chain_default_limit']}; "
              f"the chain rows above raise the limit for micrograd only.",
              "",
              "Naive side by side (20 samples, gc on, no collection between runs): "
              f"ours {n['ours']['total_ms']:.0f} ms of which collector {n['ours']['collector_ms']:.0f} ms, "
              f"micrograd {n['micrograd']['total_ms']:.0f} ms of which collector "
              f"{n['micrograd']['collector_ms']:.0f} ms: {n['total_speedup']:.2f}x (with the collection between "
              f"runs: {result['rows'][0]['gc on']['total_speedup']:.2f}x)."]
    return "\n".join(lines)


def write_docs(result: dict, text: str) -> None:
    """Replace this benchmark's section of docs/performance.md and its rows in the README."""
    perf = ROOT / "docs" / "performance.md"
    doc = perf.read_text()
    doc = re.sub(r"(## `Value` vs micrograd\n\n)```\n.*?```\n",
                 lambda m: m.group(1) + "```\n" + text + "\n```\n", doc, count=1, flags=re.S)
    mlp20 = result["rows"][0]["gc on"]
    row = (f"| Value vs micrograd, MLP(10,[32,32,1]) x 20, gc on: forward+backward / backward "
           f"| {mlp20['total_speedup']:.2f}x / {mlp20['backward_speedup']:.2f}x faster "
           f"| ≥ 2x / ≥ 3x | {'PASS' if mlp20['total_speedup'] >= 2 else '**MISS**'} / "
           f"{'PASS' if mlp20['backward_speedup'] >= 3 else '**MISS**'} |")
    doc = re.sub(r"^\| Value vs micrograd.*\n(\| Value vs micrograd.*\n)*", row + "\n", doc, count=1, flags=re.M)
    perf.write_text(doc)
    readme = ROOT / "README.md"
    text_r = readme.read_text()
    big = result["rows"][1]["gc on"]
    new = (f"| `Value` vs micrograd, micrograd's MLP(10, [32, 32, 1]) as its README writes it, gc on: "
           f"20 / 200 samples | {mlp20['total_speedup']:.1f}x / {big['total_speedup']:.1f}x faster "
           f"(backward alone {mlp20['backward_speedup']:.1f}x / {big['backward_speedup']:.1f}x); "
           f"{result['bytes_per_node']['ours']:.0f} vs {result['bytes_per_node']['micrograd']:.0f} bytes per node "
           f"| ≥ 2x {'✓' if mlp20['total_speedup'] >= 2 else '✗'}, backward ≥ 3x "
           f"{'✓' if mlp20['backward_speedup'] >= 3 else '✗'} |")
    text_r = re.sub(r"^\| `Value` vs micrograd.*$", lambda m: new, text_r, count=1, flags=re.M)
    readme.write_text(text_r)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument("--write", action="store_true", help="update docs/performance.md and the README")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error(f"--repeats must be >= 1. Got {args.repeats} instead.")
    libs = libraries()
    result: dict = {"machine": machine(), "repeats": args.repeats, "rows": []}
    sizes = [("MLP x 20 samples", lambda cls: MLPWorkload(cls, 20)),
             ("MLP x 200 samples", lambda cls: MLPWorkload(cls, 200)),
             ("chain of 100,001 nodes", ChainWorkload)]
    for name, make in sizes:
        works = {lib: make(cls) for lib, cls in libs.items()}
        if name.startswith("chain"):
            try:
                check_same({"micrograd": works["micrograd"], "ours": works["ours"]})
                result["chain_default_limit"] = "completes"
            except RecursionError:
                result["chain_default_limit"] = "RecursionError"
            sys.setrecursionlimit(max(sys.getrecursionlimit(), 4 * CHAIN_STEPS * 4 + 1000))
        diff = check_same(works)
        if diff > 1e-9:
            print(f"MISMATCH on {name}: max relative difference {diff:.1e}; not timing different computations")
            return 1
        row = {"name": name, "max_diff": diff}
        reps = max(1, args.repeats // 2) if "200" in name or name.startswith("chain") else args.repeats
        for regime in ("gc on", "gc off"):
            row[regime] = compare(works, reps, gc_on=regime == "gc on")
        result["rows"].append(row)
        print(f"{name}: done", file=sys.stderr)
    result["naive"] = compare({lib: MLPWorkload(cls, 20) for lib, cls in libs.items()}, args.repeats,
                              gc_on=True, collect_first=False)
    result["bytes_per_node"] = {lib: bytes_per_node(cls) for lib, cls in libs.items()}
    text = render(result)
    print(text)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    if args.write:
        write_docs(result, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
