"""Run one exercise of a submission in a fresh child behind the sandbox's walls (parent side).

:func:`run_exercise` starts :mod:`.child` by the route :mod:`.walls` chose, and talks to it over two pipes:
the child's standard input carries the job, and a result pipe carries the child's framed answers back.
The cases go one at a time, each only after the previous answer came back, so the child never holds a
hidden case's input while a public case runs (a public case's answer is shown to the learner: it must not
be able to carry a hidden input). The learner's printed output is read and dropped (only its size is
kept): it is text the learner's code wrote. When the time limit expires, or the child is done, every
process the child started is ended. The result is plain data; judging happens in :mod:`..grader`.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from typing import Sequence

from . import codec, walls
from .call import Outcome

__all__ = ["RunResult", "run_exercise", "RESULT_CAP", "LIMITS"]

#: Largest answer read back from one child; more means tampering or an absurd output.
RESULT_CAP = 64 * 1024**2
#: Hard resource limits of the child (the CPU limit is added per run, from the time limit).
LIMITS = {"RLIMIT_AS": 4 * 1024**3, "RLIMIT_FSIZE": 64 * 1024**2, "RLIMIT_CORE": 0, "RLIMIT_NOFILE": 256,
          "RLIMIT_NPROC": 64}
_CHILD = ["-s", "-B", "-m", "backprop_course.grading.sandbox.child"]

# What an error may look like when it reaches a report: built-in exception names, cell and line numbers.
_ERROR = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,60}( \(a subclass\))?"
                    r"|the function returned something that cannot be graded \([A-Za-z][A-Za-z0-9_]{0,60}\)")
_CELL_ERROR = re.compile(r"cell \d{1,4}(, line \d{1,7})?: (" + _ERROR.pattern + ")")


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
    output_bytes: int = 0        # how much the learner's code printed (never what)
    tampered: bool = False
    duration: float = 0.0
    route: str = ""


def _drain(stream, counter: list[int]) -> None:
    """Read a pipe to its end, counting the bytes and keeping none of them."""
    while True:
        chunk = stream.read(65536)
        if not chunk:
            break
        counter[0] += len(chunk)
    stream.close()


def _safe_error(text) -> str:
    text = str(text)
    return text if _ERROR.fullmatch(text) else "an exception"


def _safe_cell_error(text) -> str:
    text = str(text)
    return text if _CELL_ERROR.fullmatch(text) else "a cell raised an exception"


class _Conversation:
    """The parent's side of the talk: send the job, then one case per answer received."""

    def __init__(self, proc: subprocess.Popen, results, nonce: str, header: dict, cases: list, result: RunResult):
        self.proc, self.results, self.nonce, self.result = proc, results, nonce, result
        self.header, self.cases = header, cases
        self.sent = 0
        self.read = 0

    def _send(self, message: dict) -> bool:
        try:
            self.proc.stdin.write((json.dumps(message, allow_nan=True) + "\n").encode())
            self.proc.stdin.flush()
            return True
        except (BrokenPipeError, OSError, ValueError):
            return False

    def _close_stdin(self) -> None:
        try:
            self.proc.stdin.close()
        except OSError:
            pass

    def _next_case(self) -> None:
        if self.sent < len(self.cases):
            calls, several = self.cases[self.sent]
            self.sent += 1
            if not self._send({"case": self.sent - 1, "calls": calls, "several": several}):
                self._close_stdin()
        else:
            self._close_stdin()     # no more cases: the child writes "end" and stops

    def run(self) -> None:
        if not self._send(self.header):
            self._close_stdin()
            return
        prefix = (self.nonce + "\t").encode()
        result = self.result
        while True:
            line = self.results.readline(RESULT_CAP + 1)
            if not line:
                break
            self.read += len(line)
            if self.read > RESULT_CAP or not line.endswith(b"\n"):
                result.tampered = True
                break
            if not line.startswith(prefix):
                result.tampered = True       # not written by this run's child code
                continue
            try:
                record = json.loads(line[len(prefix):].decode("utf-8", errors="replace"))
            except ValueError:
                result.tampered = True
                continue
            if not isinstance(record, dict):
                result.tampered = True
                continue
            if record.get("event") == "cells" and not result.cells_done:
                result.cells_done = True
                result.found = bool(record.get("found"))
                errors = record.get("errors", [])
                result.cell_errors = [_safe_cell_error(e) for e in (errors if isinstance(errors, list) else [])][:10]
                if result.found:
                    self._next_case()
                else:
                    self._close_stdin()
            elif record.get("event") == "end":
                result.ended = True
            elif record.get("case") == self.sent - 1 and result.outcomes[self.sent - 1] is None:
                kind = record.get("kind")
                if kind not in ("ok", "error", "not attempted"):
                    result.tampered = True
                    self._close_stdin()
                    continue
                result.outcomes[self.sent - 1] = Outcome(kind, record.get("output"), _safe_error(record.get("error", "")))
                self._next_case()
            else:
                result.tampered = True       # an answer to a case not asked, or asked twice
        self.results.close()


def run_exercise(cells: Sequence[str], function: str, exercise_id: str, cases: Sequence, timeout: float,
                 forbidden=()) -> RunResult:
    """Run ``cells`` then call ``function`` on every case in a new sandboxed child; never raises for learner faults.

    ``cases`` are :class:`~backprop_course.grading.checking.cases.Case` objects (only their inputs are sent);
    ``forbidden`` the names the exercise forbids (their modules are hidden from the child too).
    """
    route = walls.choose_route()
    if route == "user":
        with walls.USER_ROUTE_LOCK:
            return _run(route, cells, function, exercise_id, cases, timeout, forbidden)
    return _run(route, cells, function, exercise_id, cases, timeout, forbidden)


def _run(route: str, cells, function, exercise_id, cases, timeout, forbidden) -> RunResult:
    nonce = secrets.token_hex(16)
    result = RunResult(outcomes=[None] * len(cases), route=route)
    encoded = [([codec.encode(list(args)) for args in case.call_args()], bool(case.calls)) for case in cases]
    owner = walls.sandbox_user() if route == "user" else None
    workdir = None if route == "bwrap" else tempfile.mkdtemp(prefix="bc-grade-")
    inside = walls.SANDBOX_WORKDIR if route == "bwrap" else workdir
    read_end, write_end = os.pipe()
    try:
        if owner is not None:
            os.chown(workdir, *owner)
        if workdir is not None:
            os.chmod(workdir, 0o700)
        limits = {**LIMITS, "RLIMIT_CPU": int(timeout) + 5}
        header = {"cells": list(cells), "function": function, "exercise": exercise_id, "nonce": nonce,
                  "result_fd": write_end, "limits": limits,
                  "policy": walls.policy_for(forbidden, inside).to_json()}
        argv = [sys.executable, *_CHILD]
        popen = dict(stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                     pass_fds=(write_end,), start_new_session=True, env=walls.child_environment(inside))
        if route == "bwrap":
            argv, popen["cwd"] = walls.bwrap_command(argv, forbidden), "/"
        else:
            popen["cwd"] = workdir
        if owner is not None:
            popen.update(user=owner[0], group=owner[1], extra_groups=[])
        start = time.perf_counter()
        proc = subprocess.Popen(argv, **popen)
        try:                        # from here on, whatever happens, the child's processes end
            os.close(write_end)
            write_end = -1
            printed = [0]
            drain = threading.Thread(target=_drain, args=(proc.stdout, printed), daemon=True)
            drain.start()
            talk = _Conversation(proc, os.fdopen(read_end, "rb"), nonce, header, encoded, result)
            read_end = -1
            talker = threading.Thread(target=talk.run, daemon=True)
            talker.start()
            try:
                result.returncode = proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                result.timed_out = True
        finally:
            _end_everything(proc, route, owner)
        talker.join(timeout=10)
        drain.join(timeout=5)
        result.output_bytes = printed[0]
        result.duration = time.perf_counter() - start
    finally:
        for fd in (read_end, write_end):
            if fd >= 0:
                os.close(fd)
        if workdir is not None:
            shutil.rmtree(workdir, ignore_errors=True)
    return result


def _end_everything(proc: subprocess.Popen, route: str, owner) -> None:
    """End the child and everything it started, then reap it.

    bwrap: killing bubblewrap kills the sandbox's first process (``--die-with-parent``), and with it the
    kernel ends its whole PID namespace. user: every process of the sandbox user. none: the child's session.
    """
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    if owner is not None:
        walls.kill_user_processes(*owner)
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL failed
        pass
    try:
        proc.stdin.close()
    except OSError:
        pass
