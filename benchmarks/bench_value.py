"""The scalar engine ``bc.Value`` against micrograd's ``Value``.

    .venv/bin/pip install -e ".[bench]"
    .venv/bin/python benchmarks/bench_value.py [--repeats 15] [--json OUT]

1. Forward + backward of micrograd's own ``MLP(10, [32, 32, 1])`` on 20 samples (sum of squared errors).
   micrograd runs its own ``nn.MLP``; ours runs the same expression, term for term, built from
   ``bc.Value`` with the same weights. The losses and every parameter gradient must agree before timing.
   Target: ours at least 2x faster.
2. A chain of 100,000 nodes: micrograd's recursive topological sort raises RecursionError; ours must
   back-propagate it (and we report how long it takes).
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import interleaved, machine, median  # noqa: E402


def twin_models(seed: int = 0):
    """micrograd's MLP and the same weights as lists of bc.Value: [(W rows, b)] per layer."""
    from micrograd.engine import Value as MValue  # noqa: F401  (imported for side effects in nn)
    from micrograd.nn import MLP as MMLP

    import backprop_course as bc

    random.seed(seed)
    theirs = MMLP(10, [32, 32, 1])
    ours = []
    for i, layer in enumerate(theirs.layers):
        rows = [[bc.Value(w.data) for w in n.w] for n in layer.neurons]
        biases = [bc.Value(n.b.data) for n in layer.neurons]
        ours.append((rows, biases, i != len(theirs.layers) - 1))
    return theirs, ours


def ours_forward(layers, x):
    # The same expression micrograd's Neuron builds: sum(w_i * x_i, start=b), then relu if hidden.
    for rows, biases, nonlin in layers:
        out = []
        for w, b in zip(rows, biases):
            act = sum((wi * xi for wi, xi in zip(w, x)), b)
            out.append(act.relu() if nonlin else act)
        x = out
    return x[0]


def data(seed: int = 1, n: int = 20):
    rng = random.Random(seed)
    xs = [[rng.uniform(-1, 1) for _ in range(10)] for _ in range(n)]
    ys = [rng.choice([-1.0, 1.0]) for _ in range(n)]
    return xs, ys


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    result: dict = {"machine": machine(), "regimes": {}, "chain": {}}
    import backprop_course as bc

    theirs, ours = twin_models()
    xs, ys = data()
    our_params = [p for rows, biases, _ in ours for w, b in zip(rows, biases) for p in (*w, b)]

    def run_theirs():
        theirs.zero_grad()
        loss = sum((theirs(x) - y) ** 2 for x, y in zip(xs, ys))
        loss.backward()
        return loss

    def run_ours():
        loss = sum((ours_forward(ours, x) - y) ** 2 for x, y in zip(xs, ys))
        loss.backward()
        return loss

    lt, lo = run_theirs(), run_ours()
    their_grads = [p.grad for p in theirs.parameters()]
    diff = max(abs(a.grad - b) for a, b in zip(our_params, their_grads))
    diff = max(diff, abs(lt.data - lo.data))
    print(f"# bc.Value vs micrograd 0.1.0 · {machine()}")
    print(f"same numbers: loss {lo.data:.6f} vs {lt.data:.6f}; max |grad difference| {diff:.1e} over "
          f"{len(our_params)} parameters")
    if diff > 1e-9:
        print("MISMATCH: not timing different computations")
        return 1
    # micrograd's per-node closures refer back to their node, so its graphs are reference cycles that
    # only the cyclic garbage collector frees; ours are freed at once. Report both regimes.
    import gc

    for regime in ("gc on", "gc off"):
        if regime == "gc off":
            gc.disable()
        s = interleaved({"ours": run_ours, "micrograd": run_theirs}, repeats=args.repeats, target=0.2,
                        clock=time.process_time)  # CPU time: the machine is shared
        gc.enable()
        o, t = median(s["ours"]), median(s["micrograd"])
        result["regimes"][regime] = {"ours_ms": o * 1e3, "micrograd_ms": t * 1e3, "speedup": t / o}
        print(f"MLP(10,[32,32,1]) x 20 samples, forward+backward ({regime}): ours {o*1e3:.1f} ms, "
              f"micrograd {t*1e3:.1f} ms, speed-up {t/o:.2f}x (target >= 2x)")

    # A 100,000-node chain.
    from micrograd.engine import Value as MValue

    from backprop_course.engine.graph import topological_order

    for name, cls in (("micrograd", MValue), ("ours", bc.Value)):
        x = cls(0.5)
        y = x
        for _ in range(50_000):
            y = y * 1.0 + 0.0           # each step: two constants, a product and a sum
        start = time.perf_counter()
        try:
            y.backward()
            seconds = time.perf_counter() - start
            n_nodes = len(topological_order(y))
            result["chain"][name] = {"nodes": n_nodes, "backward_s": seconds, "dx": x.grad}
            print(f"50,000-step chain ({n_nodes:,} nodes), {name}: backward {seconds:.3f} s, "
                  f"dx = {x.grad}")
        except RecursionError:
            result["chain"][name] = {"error": "RecursionError"}
            print(f"50,000-step chain, {name}: RecursionError")
    result["max_grad_diff"] = diff
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
