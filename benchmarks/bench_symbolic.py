"""Timings of the symbolic layer against the targets of the symbolic issue.

Targets: the 5-layer derivation with rendering < 0.5 s, any 10-layer derivation (with rendering) < 2 s,
verification of the 5-layer case < 1 s. SymPy caches results globally, so every sample starts from a
cleared cache (``sympy.core.cache.clear_cache``): the figures are what a learner's first call costs.
Each benchmark first checks that what it times is right (the derived gradient equals the engine's).

Run: ``python benchmarks/bench_symbolic.py [--repeat N]``
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time


def _time(fn, repeat: int) -> tuple[float, float]:
    from sympy.core.cache import clear_cache

    from backprop_course.symbolic import printing

    samples = []
    for _ in range(repeat):
        clear_cache()
        printing._PRINTERS.clear()  # and the printers' memo of printed sub-expressions
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), min(samples)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)

    start = time.perf_counter()
    import sympy  # noqa: F401

    print(f"{platform.machine()} · {os.cpu_count()} cores · Python {sys.version.split()[0]}; "
          f"import sympy {time.perf_counter() - start:.2f} s")
    from backprop_course.symbolic import derivations as dv
    from backprop_course.symbolic import render
    from backprop_course.symbolic.verify import verify

    # correctness first: the timed derivations must verify
    for d in (dv.derive_weight_gradient(5, 1, 7, 3), dv.derive_weight_gradient(10, 1, 2, 1),
              dv.derive_input_gradient(10, 2)):
        report = verify(d)
        if not report.passed:
            print(report)
            return 1

    def derive_and_render(make):
        def run():
            d = make()
            render.derivation_to_markdown(d)
            render.derivation_to_latex(d)
            render.derivation_to_text(d)
        return run

    cases = [
        ("5 layers, dE/dw_173: derive only", lambda: dv.derive_weight_gradient(5, 1, 7, 3), 0.5),
        ("5 layers, dE/dw_173: derive + Markdown + LaTeX + text",
         derive_and_render(lambda: dv.derive_weight_gradient(5, 1, 7, 3)), 0.5),
        ("5 layers, dE/dy_05: derive + render", derive_and_render(lambda: dv.derive_input_gradient(5, 5)), 0.5),
        ("10 layers, dE/dw_1,2,1: derive + render",
         derive_and_render(lambda: dv.derive_weight_gradient(10, 1, 2, 1)), 2.0),
        ("10 layers, dE/dw_5,2,1: derive + render",
         derive_and_render(lambda: dv.derive_weight_gradient(10, 5, 2, 1)), 2.0),
        ("10 layers, dE/dw_10,1,1: derive + render",
         derive_and_render(lambda: dv.derive_weight_gradient(10, 10, 1, 1)), 2.0),
        ("10 layers, dE/dy_0,2: derive + render", derive_and_render(lambda: dv.derive_input_gradient(10, 2)), 2.0),
        ("10 layers, dE/db_1,1: derive + render", derive_and_render(lambda: dv.derive_bias_gradient(10, 1, 1)), 2.0),
    ]
    d5 = dv.derive_weight_gradient(5, 1, 7, 3)
    cases.append(("5 layers, dE/dw_173: verify (symbolic + numeric)", lambda: verify(d5), 1.0))

    width = max(len(name) for name, _, _ in cases)
    print(f"{'case':<{width}}  median    best   target")
    failed = 0
    for name, fn, target in cases:
        median, best = _time(fn, args.repeat)
        ok = median < target
        failed += not ok
        print(f"{name:<{width}}  {median:6.3f}s {best:6.3f}s  < {target:.1f}s {'ok' if ok else 'MISSED'}")
    return 0 if failed == 0 else 2


if __name__ == "__main__":
    sys.exit(main())
