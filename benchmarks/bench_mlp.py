"""MLP training step (forward + backward + update) against PyTorch on the CPU, and against GEMM alone.

    .venv/bin/pip install -e ".[bench]"      # torch==2.13.0 (CPU build) and micrograd
    .venv/bin/python benchmarks/bench_mlp.py [--threads 1] [--repeats 15] [--clock cpu|wall] [--json OUT]

For each network the two implementations start from the same weights and must produce the same loss
and gradients (checked before timing). "ours" is ``bc.train_step``, the step ``train()`` runs for
every update; "loop" is the same step written out by hand (``forward``, ``backward(T,
input_grad=False)``, ``SGD.step``), which must leave the weights identical bit for bit (also checked).
``train_step`` differs only in that plain SGD turns the gradient arrays nobody else holds into the
updates in place (``optim.step_discarding_grads``) instead of writing new update arrays. Both use half sum-of-squares E, sigmoid hidden layers, a linear output layer, plain gradient descent, the same dtype and the same thread count. "GEMM only" times the
matrix products of one step alone (forward, weight gradients, back-propagated errors) at the same
shapes with numpy: the floor for this implementation. "torch GEMM" times the same products with
torch's BLAS, so that a gap to PyTorch can be split into BLAS speed and everything else.

Targets: faster than PyTorch on the course-size net; within 1.3x of PyTorch on the two larger ones;
step time within 1.4x of GEMM-only time on the two larger ones.

Clock: by default the CPU time of this process (``time.process_time``; everything runs on one thread),
because on a shared, oversubscribed machine wall time mostly measures the other processes; ``--clock
wall`` uses ``time.perf_counter``. Either way the three are sampled interleaved and compared by medians.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import interleaved, load, machine, median, pin_threads  # noqa: E402

NETWORKS = [([2, 16, 16, 1], 32), ([784, 128, 64, 10], 64), ([784, 512, 512, 10], 256)]
LR = 1e-4   # E is summed over the batch, so this is a moderate step; larger ones drive the sigmoid
            # layers into saturation within a few hundred steps, and float32 deltas then fill with
            # denormal numbers that make every GEMM ~20x slower (in any library without flush-to-zero).


def build(sizes, batch, dtype, seed=0):
    import numpy as np
    import torch

    import backprop_course as bc

    rng = np.random.default_rng(seed)
    X = rng.random((batch, sizes[0])).astype(dtype)                      # pixel-like inputs in [0, 1)
    T = np.eye(sizes[-1], dtype=dtype)[rng.integers(0, sizes[-1], batch)]  # one-hot targets
    acts = ["sigmoid"] * (len(sizes) - 2) + ["linear"]
    net = bc.MLP(sizes, activation=acts, init="xavier", seed=seed, dtype=dtype)
    opt = bc.SGD(lr=LR)

    tdtype = torch.float64 if dtype == np.float64 else torch.float32
    layers = []
    for l in range(len(sizes) - 1):
        lin = torch.nn.Linear(sizes[l], sizes[l + 1], dtype=tdtype)
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(net.weights[l].copy()))
            lin.bias.copy_(torch.from_numpy(net.biases[l].copy()))
        layers.append(lin)
        if l < len(sizes) - 2:
            layers.append(torch.nn.Sigmoid())
    model = torch.nn.Sequential(*layers)
    topt = torch.optim.SGD(model.parameters(), lr=LR)
    tX, tT = torch.from_numpy(X), torch.from_numpy(T)

    def ours():                    # what train() runs for every update
        return bc.train_step(net, X, T, opt)

    loop_net, loop_opt = net.copy(), bc.SGD(lr=LR)

    def loop():                    # the same step written out by hand, as the lessons do
        loop_net.forward(X)
        g = loop_net.backward(T, input_grad=False)
        loop_opt.step(loop_net, g)
        return g

    def theirs():
        topt.zero_grad(set_to_none=True)
        loss = 0.5 * ((model(tX) - tT) ** 2).sum()
        loss.backward()
        topt.step()
        return loss

    # GEMM-only: the same matrix products one step needs, at the same shapes.
    Ws = [w.copy() for w in net.weights]
    As = [X] + [rng.standard_normal((batch, s)).astype(dtype) for s in sizes[1:]]
    Ds = [rng.standard_normal((batch, s)).astype(dtype) for s in sizes[1:]]

    def gemm():
        for l, W in enumerate(Ws):
            As[l] @ W.T                      # forward net input
            Ds[l].T @ As[l]                  # weight gradient
            if l > 0:
                Ds[l] @ W                    # error sent back to layer l (not needed for l = 0)

    # The same products with torch's BLAS (MKL in the CPU wheel): tells BLAS speed from overhead.
    tWs, tAs, tDs = ([torch.from_numpy(a) for a in arrays] for arrays in (Ws, As, Ds))

    def torch_gemm():
        for l, W in enumerate(tWs):
            tAs[l] @ W.T
            tDs[l].T @ tAs[l]
            if l > 0:
                tDs[l] @ W

    gemm.torch = torch_gemm
    ours.loop = loop
    flops = sum(2 * batch * sizes[l] * sizes[l + 1] * (3 if l > 0 else 2) for l in range(len(sizes) - 1))
    return net, model, X, T, ours, theirs, gemm, flops


def same_numbers(net, model, X, T) -> float:
    """Max relative difference of loss and weight gradients between the two, before any update."""
    import numpy as np
    import torch

    net.forward(X)
    g = net.backward(T, input_grad=False)
    model.zero_grad(set_to_none=True)
    loss = 0.5 * ((model(torch.from_numpy(X)) - torch.from_numpy(T)) ** 2).sum()
    loss.backward()
    lins = [m for m in model if isinstance(m, torch.nn.Linear)]
    diffs = [abs(g.loss - loss.item()) / abs(loss.item())]
    for l, lin in enumerate(lins):
        for ours, theirs in ((g.weights[l], lin.weight.grad), (g.biases[l], lin.bias.grad)):
            t = theirs.numpy()
            diffs.append(float(np.max(np.abs(ours - t)) / (np.max(np.abs(t)) + 1e-30)))
    return max(diffs)


def same_step(net, X, T) -> bool:
    """Do train_step and the hand-written loop leave bit-identical weights after three steps?"""
    import numpy as np

    import backprop_course as bc

    a, b = net.copy(), net.copy()
    opt_a, opt_b = bc.SGD(lr=LR), bc.SGD(lr=LR)
    for _ in range(3):
        bc.train_step(a, X, T, opt_a)
        b.forward(X)
        opt_b.step(b, b.backward(T, input_grad=False))
    return all(np.array_equal(p, q) for p, q in zip(a.parameters(), b.parameters()))


def targets(sizes) -> tuple[float, float | None]:
    """(max ours/torch, max ours/GEMM) for a network: the course-size net must beat PyTorch."""
    return (1.0, None) if sizes == NETWORKS[0][0] else (1.3, 1.4)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--clock", choices=("cpu", "wall"), default="cpu")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    pin_threads(args.threads)
    import numpy as np
    import torch

    torch.set_num_threads(args.threads)
    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    print(f"# MLP training step vs PyTorch {torch.__version__} · {args.threads} thread(s) · {args.clock} time · "
          f"{machine()} · {load()}")
    print(f"{'network':<22} {'batch':>5} {'dtype':>7} {'ours ms':>9} {'torch ms':>9} {'ours/torch':>10} "
          f"{'GEMM ms':>8} {'GFLOP/s':>8} {'ours/GEMM':>9} {'loop/GEMM':>9} {'torchGEMM':>9} {'max rel diff':>12}  verdict")
    ok, rows = True, []
    for dtype in (np.float64, np.float32):
        for sizes, batch in NETWORKS:
            net, model, X, T, ours, theirs, gemm, flops = build(sizes, batch, dtype)
            diff = same_numbers(net, model, X, T)
            if not same_step(net, X, T):
                print(f"  MISMATCH {sizes}: train_step and the hand-written step disagree")
                ok = False
                continue
            tol = 1e-10 if dtype == np.float64 else 1e-4
            if diff > tol:
                print(f"  MISMATCH {sizes}: {diff:.2e} > {tol}")
                ok = False
                continue
            s = interleaved({"ours": ours, "loop": ours.loop, "torch": theirs, "gemm": gemm,
                             "tgemm": gemm.torch}, repeats=args.repeats, clock=clock)
            o, t, gm, tg = median(s["ours"]), median(s["torch"]), median(s["gemm"]), median(s["tgemm"])
            lo = median(s["loop"])
            max_torch, max_gemm = targets(sizes)
            passed = o / t < max_torch and (max_gemm is None or o / gm < max_gemm)
            verdict = ("PASS" if passed else "MISS") if dtype == np.float64 else "(float32: reported)"
            print(f"{str(sizes):<22} {batch:>5} {np.dtype(dtype).name:>7} {o*1e3:>9.3f} {t*1e3:>9.3f} "
                  f"{o/t:>10.2f} {gm*1e3:>8.3f} {flops/gm/1e9:>8.1f} {o/gm:>9.2f} {lo/gm:>9.2f} {tg*1e3:>9.3f} {diff:>12.1e}  {verdict}",
                  flush=True)
            net.forward(X)
            g = net.backward(T, input_grad=False)
            tiny = np.finfo(dtype).tiny
            denormal = max(float(np.mean((np.abs(d) < tiny) & (d != 0))) for d in g.deltas)
            if denormal > 0:
                print(f"  note: {denormal:.1%} of the deltas are denormal after timing (slows GEMM)")
            rows.append({"sizes": sizes, "batch": batch, "dtype": np.dtype(dtype).name, "ours_ms": o * 1e3,
                         "torch_ms": t * 1e3, "gemm_ms": gm * 1e3, "torch_gemm_ms": tg * 1e3, "gflops": flops / gm / 1e9,
                         "ours_over_torch": o / t, "ours_over_gemm": o / gm, "loop_ms": lo * 1e3, "loop_over_gemm": lo / gm, "max_rel_diff": diff,
                         "target_torch": max_torch, "target_gemm": max_gemm, "passed": passed,
                         "spread_ours": [min(s["ours"]) * 1e3, max(s["ours"]) * 1e3]})
    if args.json:
        args.json.write_text(json.dumps({"machine": machine(), "clock": args.clock, "torch": torch.__version__,
                                         "threads": args.threads, "rows": rows}, indent=1))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
