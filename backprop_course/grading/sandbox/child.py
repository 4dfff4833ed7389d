"""The child process that runs a submission's code: ``python -m backprop_course.grading.sandbox.child``.

It reads one job as JSON on standard input (the cells to run, the function's name, the cases' encoded
inputs, a nonce and the path of the result file), runs the cells in a fresh namespace, calls the
function on every case and appends one framed JSON line per case to the result file::

    <nonce>\\t{"case": 0, "kind": "ok", "output": ..., "error": ""}

It decides nothing: the parent judges the outputs, computes the expected values itself and ignores any
line without the nonce. Learner code here can print, loop, crash or exit; the parent's timeout, output
cap and framing contain it. Nothing here is ever unpickled by the parent.
"""
from __future__ import annotations

import json
import sys

# Limits, set before any learner code runs (best effort: not every platform has every limit).
MEMORY_BYTES = 4 * 1024**3
FILE_BYTES = 256 * 1024**2


def _limit_resources() -> None:
    try:
        import resource
    except ImportError:  # pragma: no cover - not on POSIX
        return
    for name, value in (("RLIMIT_AS", MEMORY_BYTES), ("RLIMIT_FSIZE", FILE_BYTES), ("RLIMIT_CORE", 0)):
        limit = getattr(resource, name, None)
        if limit is None:
            continue
        try:
            soft, hard = resource.getrlimit(limit)
            if hard != resource.RLIM_INFINITY:
                value = min(value, hard)
            resource.setrlimit(limit, (value, hard))
        except (ValueError, OSError):
            pass


def main() -> int:
    job = json.loads(sys.stdin.read())
    sys.stdin.close()
    nonce, result_path = job["nonce"], job["result_path"]
    exercise_id, several_flags = job["exercise"], job["several"]
    _limit_resources()

    # Import before learner code runs, so a learner cannot swap these modules for look-alikes.
    from backprop_course.grading.sandbox import codec
    from backprop_course.grading.sandbox.call import ERROR, call_case, describe_exception

    out = open(result_path, "a", encoding="utf-8")

    def emit(record: dict) -> None:
        out.write(f"{nonce}\t{json.dumps(record, allow_nan=True)}\n")
        out.flush()

    # display() is a Jupyter builtin that plain Python lacks; a no-op keeps cells that show things running.
    namespace: dict = {"__name__": "__main__", "__builtins__": __builtins__,
                       "display": lambda *args, **kwargs: None}
    cell_errors = []
    for i, source in enumerate(job["cells"]):
        try:
            exec(compile(source, f"<cell {i + 1}>", "exec"), namespace)  # noqa: S102 - sandboxed child
        except BaseException as exc:  # noqa: BLE001 - a cell may raise anything, even SystemExit
            cell_errors.append(f"cell {i + 1}: {describe_exception(exc)}")
    fn = namespace.get(job["function"])
    emit({"event": "cells", "errors": cell_errors, "found": callable(fn)})
    if not callable(fn):
        return 0
    for index, (calls, several) in enumerate(zip(job["cases"], several_flags)):
        try:
            args = [tuple(codec.decode(c)) for c in calls]
        except Exception as exc:  # noqa: BLE001
            emit({"case": index, "kind": ERROR, "output": None, "error": describe_exception(exc)})
            continue
        outcome = call_case(fn, args, exercise_id, several)
        try:
            emit({"case": index, **outcome.to_json()})
        except (TypeError, ValueError) as exc:
            emit({"case": index, "kind": ERROR, "output": None, "error": describe_exception(exc)})
    emit({"event": "end"})
    out.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
