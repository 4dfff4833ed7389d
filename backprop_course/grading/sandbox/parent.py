"""Run one exercise of a submission in a fresh child process, with a timeout and an output cap.

The parent side of the process line: it starts :mod:`.child` with ``sys.executable``, sends the job on
standard input, drains the child's printed output (keeping only the first :data:`OUTPUT_CAP` bytes),
kills the child's whole process group when the timeout expires, and reads back the framed result lines
that carry this run's nonce. It returns plain data; judging is done by :mod:`.grader`.
"""
from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from typing import Sequence

from . import codec
from .call import Outcome
from ..checking.cases import Case

__all__ = ["RunResult", "run_exercise", "OUTPUT_CAP", "RESULT_CAP"]

#: Bytes of the learner's printed output kept for the report (the rest is read and dropped).
OUTPUT_CAP = 20_000
#: Largest result file read back; bigger means tampering or an absurd output.
RESULT_CAP = 64 * 1024**2

_CHILD_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
              "MPLBACKEND": "Agg", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0"}


@dataclass
class RunResult:
    """What came back from one child: per-case outcomes (None: no result) and how the run ended."""

    outcomes: list[Outcome | None]
    found: bool = False
    cells_done: bool = False     # the child finished running the cells
    ended: bool = False          # the child reported reaching the end
    timed_out: bool = False
    returncode: int | None = None
    cell_errors: list[str] = field(default_factory=list)
    output: str = ""
    tampered: bool = False
    duration: float = 0.0


def _drain(stream, keep: list[bytes], cap: int) -> None:
    """Read a pipe to its end, keeping the first ``cap`` bytes."""
    kept = 0
    while True:
        chunk = stream.read(65536)
        if not chunk:
            break
        if kept < cap:
            keep.append(chunk[: cap - kept])
            kept += len(keep[-1])
    stream.close()


def _parse(path: str, nonce: str, n_cases: int, result: RunResult) -> None:
    try:
        with open(path, "rb") as fh:
            data = fh.read(RESULT_CAP + 1)
    except OSError:
        return
    if len(data) > RESULT_CAP:
        result.tampered = True
        return
    prefix = nonce + "\t"
    seen: set[int] = set()
    for raw in data.decode("utf-8", errors="replace").splitlines():
        if not raw.startswith(prefix):
            continue  # not written by the runner of this job
        try:
            record = json.loads(raw[len(prefix):])
        except ValueError:
            result.tampered = True
            continue
        if not isinstance(record, dict):
            result.tampered = True
            continue
        if record.get("event") == "cells":
            result.found = bool(record.get("found"))
            result.cells_done = True
            result.cell_errors = [str(e)[:300] for e in record.get("errors", [])][:10]
        elif record.get("event") == "end":
            result.ended = True
        elif isinstance(record.get("case"), int) and 0 <= record["case"] < n_cases:
            index = record["case"]
            if index in seen:  # two answers for one case: trust neither
                result.tampered = True
                result.outcomes[index] = None
                continue
            seen.add(index)
            kind = record.get("kind")
            if kind not in ("ok", "error", "not attempted"):
                result.tampered = True
                continue
            result.outcomes[index] = Outcome(kind, record.get("output"), str(record.get("error", ""))[:500])
        else:
            result.tampered = True


def run_exercise(cells: Sequence[str], function: str, exercise_id: str, cases: Sequence[Case],
                 timeout: float) -> RunResult:
    """Run ``cells`` then call ``function`` on every case in a new process; never raises for learner faults."""
    nonce = secrets.token_hex(16)
    result = RunResult(outcomes=[None] * len(cases))
    with tempfile.TemporaryDirectory(prefix="bc-grade-") as workdir:
        result_path = os.path.join(workdir, "results.txt")
        open(result_path, "w").close()
        job = {
            "cells": list(cells), "function": function, "exercise": exercise_id, "nonce": nonce,
            "result_path": result_path,
            "cases": [[codec.encode(list(args)) for args in case.call_args()] for case in cases],
            "several": [bool(case.calls) for case in cases],
        }
        env = {**os.environ, **_CHILD_ENV}
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "backprop_course.grading.sandbox.child"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=workdir, env=env,
            start_new_session=hasattr(os, "killpg"))
        kept: list[bytes] = []
        reader = threading.Thread(target=_drain, args=(proc.stdout, kept, OUTPUT_CAP), daemon=True)
        reader.start()
        try:
            proc.stdin.write(json.dumps(job, allow_nan=True).encode())
            proc.stdin.close()
        except (BrokenPipeError, OSError):
            pass
        try:
            result.returncode = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            result.timed_out = True
        finally:
            _kill_group(proc)
        reader.join(timeout=5)
        result.duration = time.perf_counter() - start
        result.output = b"".join(kept).decode("utf-8", errors="replace")
        _parse(result_path, nonce, len(cases), result)
    return result


def _kill_group(proc: subprocess.Popen) -> None:
    """Kill the child and anything it started (its own session), then reap it."""
    try:
        if hasattr(os, "killpg"):
            os.killpg(proc.pid, signal.SIGKILL)
        elif proc.poll() is None:  # pragma: no cover - platforms without process groups
            proc.kill()
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL failed
        pass
