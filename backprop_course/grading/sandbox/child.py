"""The child process that runs a submission's code: ``python -m backprop_course.grading.sandbox.child``.

It reads the job as one JSON line on standard input: the cells to run, the function's name, a nonce, the
file descriptor of the result pipe, the resource limits and the audit-hook policy. Before any learner
code runs it sets hard resource limits and adds the audit hook (:mod:`.guard`). Then it runs the cells in
a fresh namespace, and answers each case as it arrives (one JSON line on standard input, sent by the
parent only after the previous answer) with one framed JSON line on the result pipe::

    <nonce>\\t{"case": 0, "kind": "ok", "output": ..., "error": "ValueError"}

It decides nothing: the parent judges the outputs against references the child cannot reach and ignores
lines without the nonce. Errors leave the child as exception type names and line numbers only, never as
text the learner's code wrote. It imports nothing of the package outside the sandbox.
"""
from __future__ import annotations

import json
import os
import sys


def _limit_resources(limits: dict) -> None:
    """Hard limits (soft == hard), so the learner's code cannot raise them back."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not POSIX
        return
    for name, value in limits.items():
        limit = getattr(resource, name, None)
        if limit is None:
            continue
        try:
            _, hard = resource.getrlimit(limit)
            if hard != resource.RLIM_INFINITY:
                value = min(int(value), hard)
            resource.setrlimit(limit, (int(value), int(value)))
        except (ValueError, OSError):
            pass


def _cell_error(index: int, exc: BaseException, describe) -> str:
    """``"cell 2, line 5: NameError"``: where the learner's cell failed, and the exception's type."""
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == f"<cell {index + 1}>":
            line = tb.tb_lineno
        tb = tb.tb_next
    if isinstance(exc, SyntaxError) and exc.filename == f"<cell {index + 1}>":
        line = exc.lineno
    where = f"cell {index + 1}" + (f", line {line}" if isinstance(line, int) else "")
    return f"{where}: {describe(exc, False)}"


def main() -> int:
    stdin = sys.stdin.buffer
    job = json.loads(stdin.readline())
    nonce = job["nonce"]
    out = os.fdopen(int(job["result_fd"]), "w", encoding="utf-8")
    _limit_resources(job.get("limits", {}))

    # Everything the child itself needs is imported before learner code runs (and before the hook that
    # would refuse some of it), so a learner cannot swap these modules for look-alikes.
    from backprop_course.grading.sandbox import codec, guard
    from backprop_course.grading.sandbox.call import ERROR, call_case, describe_exception

    def emit(record: dict) -> None:
        out.write(f"{nonce}\t{json.dumps(record, allow_nan=True)}\n")
        out.flush()

    guard.install(guard.Policy.from_json(job["policy"]))
    cells, function, exercise_id = job["cells"], job["function"], job["exercise"]
    del job

    # display() is a Jupyter builtin that plain Python lacks; a no-op keeps cells that show things running.
    namespace: dict = {"__name__": "__main__", "__builtins__": __builtins__,
                       "display": lambda *args, **kwargs: None}
    cell_errors = []
    for i, source in enumerate(cells):
        try:
            exec(compile(source, f"<cell {i + 1}>", "exec"), namespace)  # noqa: S102 - sandboxed child
        except BaseException as exc:  # noqa: BLE001 - a cell may raise anything, even SystemExit
            cell_errors.append(_cell_error(i, exc, describe_exception))
    fn = namespace.get(function)
    emit({"event": "cells", "errors": cell_errors, "found": callable(fn)})
    if not callable(fn):
        return 0
    while True:
        line = stdin.readline()
        if not line:
            break
        message = json.loads(line)
        index, several = message["case"], message["several"]
        try:
            args = [tuple(codec.decode(c)) for c in message["calls"]]
        except Exception as exc:  # noqa: BLE001
            emit({"case": index, "kind": ERROR, "output": None, "error": describe_exception(exc, False)})
            continue
        outcome = call_case(fn, args, exercise_id, several, messages=False)
        try:
            emit({"case": index, **outcome.to_json()})
        except (TypeError, ValueError) as exc:
            emit({"case": index, "kind": ERROR, "output": None, "error": describe_exception(exc, False)})
    emit({"event": "end"})
    out.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
