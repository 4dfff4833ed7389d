"""Issue 23: the grader attacked. Every attack is a submission built at test time from a solution notebook
with one exercise's cell replaced (see ``attack_helpers.ATTACKS``; outcomes on the pre-sandbox grader in
``tests/grading/ATTACKS.md``).

For each attack, after grading through the command line with a fixed unusual seed and a short time limit:

1. scores: the attacked exercise scores what an honest wrong answer would (0, or the public-only share
   for the call-count trick, or full marks when the code is right and only its side effects are hostile),
   every other exercise of the notebook keeps full marks, and an honest neighbour (``victim``) keeps its;
2. leaks: no hidden input, hidden expected value (their repr / 6- and 8-digit forms), the seed or the
   grader's secret environment variable appears in the JSON report's submissions, the Gradescope report's
   tests (for the leak group) or the CLI's stdout/stderr. The places that hold the seed by design for the
   instructor are left out: the JSON report's top-level ``seed``, Gradescope's ``extra_data`` and the
   CLI's closing "graded N ... with seed S" line on stderr;
3. processes: no process carrying the attack's token survives the run (polled for 2 s; killed after);
4. the grader: a report with every submission, exit status 0, no traceback, no hang.

The grading runs (one per group; groups that attack the grader itself are graded apart so a successful
attack shows in its own tests only):

* ``batch``: most attacks plus an honest submission, one ``grade --jobs 2`` run;
* ``leak``: the leaking attacks, graded twice (``--format json`` and ``--format gradescope``);
* ``kill``, ``stop``, ``blank``, ``report``, ``children``: one attacker and one victim each;
* ``compare``: the compare.py attack, then a later run of a wrong answer (which must still score 0);
  graded first and alone, and compare.py is restored byte for byte whatever happens;
* the intake notebooks are also given to ``backprop-course progress``.
"""
from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest

from backprop_course.grading.exercises import registry

from attack_helpers import (ATTACKS, BY_NAME, CANARY_NAME, SEED, TIMEOUT, Attack, build, victim,
                            wrong_answer)

pytestmark = pytest.mark.slow

CLI_TIMEOUT = 45.0      # a run that takes longer is hung (a normal group takes under 20 s)
SURVIVOR_WAIT = 2.0     # how long spawned processes may take to disappear after the run
CANARY = "canary" + uuid.uuid4().hex[:20]
TRACEBACK = "Traceback (most recent call last)"


# --------------------------------------------------------------------------------------------------
# processes and runs

def _pids_with(tokens) -> dict[str, list[int]]:
    """{token: [pid]} of live processes whose argv holds the token (zombies have no argv)."""
    found: dict[str, list[int]] = {}
    wanted = [(t, t.encode()) for t in tokens]
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == os.getpid():
            continue
        try:
            with open(f"/proc/{name}/cmdline", "rb") as fh:
                cmd = fh.read()
        except OSError:
            continue
        for token, raw in wanted:
            if raw in cmd:
                found.setdefault(token, []).append(int(name))
    return found


def _kill_all(tokens) -> None:
    for pids in _pids_with(tokens).values():
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


@dataclass
class Run:
    """One CLI call."""

    args: list
    returncode: int | None = None
    stdout: str = ""
    stderr: str = ""
    hung: bool = False           # still running after CLI_TIMEOUT (then killed with its process group)
    exited: int | None = None    # when hung: the command's own exit code if it had ended (pipes held open)
    seconds: float = 0.0
    out: Path | None = None
    text: str | None = None      # the report file's text (read after the survivors' wait)

    @property
    def doc(self):
        try:
            return json.loads(self.text) if self.text else None
        except ValueError:
            return None


def _cli(args: list, cwd: Path) -> Run:
    env = {**os.environ, CANARY_NAME: CANARY}
    run = Run(args=list(args))
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "backprop_course.cli", *map(str, args)], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        run.stdout, run.stderr = proc.communicate(timeout=CLI_TIMEOUT)
    except subprocess.TimeoutExpired:
        run.hung = True
        run.exited = proc.poll()
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            pass
        try:
            run.stdout, run.stderr = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            pass
    run.returncode = proc.returncode
    run.seconds = time.perf_counter() - start
    return run


def _grade(files: list, out: Path, cwd: Path, jobs: int = 2, fmt: str = "json") -> Run:
    run = _cli(["grade", *files, "--out", out, "--format", fmt, "--seed", SEED, "--timeout", TIMEOUT, "--jobs", jobs], cwd)
    run.out = out
    return run


@dataclass
class Group:
    name: str
    attacks: list
    files: dict = field(default_factory=dict)     # attack name or "victim:<attack>" -> path
    tokens: dict = field(default_factory=dict)    # attack name -> token
    runs: list = field(default_factory=list)      # [Run]; runs[0] is the JSON grading run
    gradescope: Run | None = None
    survivors: dict = field(default_factory=dict)  # token -> pids alive after the wait
    extra: dict = field(default_factory=dict)

    def entry(self, key: str):
        doc = self.runs[0].doc if self.runs else None
        path = str(self.files[key])
        if not doc:
            return None
        return next((s for s in doc.get("submissions", []) if s.get("file") == path), None)


def _finish(group: Group) -> None:
    """Wait for the attack's processes to go, note the survivors, read the reports, then kill them."""
    tokens = list(group.tokens.values())
    deadline = time.monotonic() + SURVIVOR_WAIT
    alive = _pids_with(tokens)
    while alive and time.monotonic() < deadline:
        time.sleep(0.1)
        alive = _pids_with(tokens)
    group.survivors = alive
    for run in [*group.runs, group.gradescope]:
        if run is not None and run.out is not None and run.out.exists():
            run.text = run.out.read_text(encoding="utf-8", errors="replace")
    _kill_all(tokens)


class AnswerServer:
    """The 'network' attack's helper on 127.0.0.1: answers sigmoid(z) and records who asked."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            try:
                conn.settimeout(2)
                line = conn.makefile().readline()
                z = np.asarray(json.loads(line)["z"], dtype=float)
                conn.sendall((json.dumps((1 / (1 + np.exp(-z))).tolist()) + "\n").encode())
            except (OSError, ValueError, KeyError):
                pass
            finally:
                conn.close()

    def close(self):
        self.stop = True
        self.thread.join(timeout=2)
        self.sock.close()


def _ensure_pyc() -> None:
    """The .pyc attack needs the compiled exercise module to exist, as it does wherever the grader ran."""
    import importlib.util
    import py_compile

    import backprop_course.grading.exercises.ex03_neuron as mod

    cache = importlib.util.cache_from_source(mod.__file__)
    if not os.path.exists(cache):
        py_compile.compile(mod.__file__, cfile=cache)


GROUPS = ("batch", "leak", "kill", "killall", "stop", "blank", "report", "children")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Build every attack, grade every group (the compare group first and alone), collect everything."""
    import backprop_course.grading.checking.compare as compare_module

    _ensure_pyc()
    root = tmp_path_factory.mktemp("attacks")
    server = AnswerServer()
    groups = {name: Group(name, [a for a in ATTACKS if a.group == name]) for name in (*GROUPS, "compare")}
    all_tokens = []
    for group in groups.values():
        folder = root / group.name
        folder.mkdir()
        for attack in group.attacks:
            token = f"bcattack{uuid.uuid4().hex[:16]}"
            group.tokens[attack.name] = token
            all_tokens.append(token)
            group.files[attack.name] = build(attack, folder, token, server.port)
            if attack.victim:
                group.files[f"victim:{attack.name}"] = victim(folder, attack.slug)
    intake = {}
    for attack in ATTACKS:
        if attack.intake:   # one course folder each, so a crash shows against its own notebook
            folder = root / "progress" / attack.slug / "exercises"
            folder.mkdir(parents=True)
            build(attack, folder, "unused", server.port)
            intake[attack.name] = folder.parent

    compare_path = Path(compare_module.__file__)
    original = compare_path.read_bytes()
    marker = b"\n\ndef compare_numbers(expected, actual, *a, **k):  # ATTACK"
    if marker in original:  # left by an earlier run of this module that was cut short: repair it
        original = original[:original.index(marker)]
        compare_path.write_bytes(original)
    start = time.perf_counter()
    try:
        # compare.py: the attack run, then a later honest-but-wrong run; compare.py is restored after
        g = groups["compare"]
        g.runs.append(_grade(list(g.files.values()), root / "compare" / "results.json", root, jobs=1))
        g.files["later"] = wrong_answer(root / "compare")
        g.runs.append(_grade([g.files["later"]], root / "compare" / "later.json", root, jobs=1))
        g.extra["compare_changed"] = compare_path.read_bytes() != original
        _finish(g)
    finally:
        if compare_path.read_bytes() != original:
            compare_path.write_bytes(original)

    def grade_group(name: str) -> None:
        g = groups[name]
        folder = root / name
        files = list(g.files.values())
        jobs = 2 if name in ("batch", "leak", "kill", "stop") else 1   # the others need file order
        g.runs.append(_grade(files, folder / "results.json", root, jobs=jobs))
        if name == "leak":
            g.gradescope = _grade(files, folder / "gradescope.json", root, jobs=jobs, fmt="gradescope")
        _finish(g)

    def progress(name: str) -> Run:
        return _cli(["progress", intake[name], "--seed", SEED, "--timeout", TIMEOUT, "--jobs", 1], root)

    try:
        with ThreadPoolExecutor(max_workers=3) as pool:
            futures = [pool.submit(grade_group, name) for name in GROUPS]
            progress_futures = {name: pool.submit(progress, name) for name in intake}
            for f in futures:
                f.result()
            progress_runs = {name: f.result() for name, f in progress_futures.items()}
    finally:
        _kill_all(all_tokens)
        server.close()
    seconds = time.perf_counter() - start
    timings = {g.name: [round(r.seconds, 1) for r in [*g.runs, g.gradescope] if r] for g in groups.values()}
    timings["progress"] = {k: round(r.seconds, 1) for k, r in progress_runs.items()}
    timings["total"] = round(seconds, 1)
    (root / "timings.json").write_text(json.dumps(timings, indent=1))
    yield {"groups": groups, "progress": progress_runs, "server": server, "seconds": seconds}
    _kill_all(all_tokens)


def _group_of(graded, attack: Attack) -> Group:
    return graded["groups"][attack.group]


# --------------------------------------------------------------------------------------------------
# what must never appear

def _floats(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from _floats(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _floats(v)
    elif isinstance(value, np.ndarray) and value.dtype.kind == "f":
        yield from (float(v) for v in value.ravel())
    elif isinstance(value, (float, np.floating)) and not isinstance(value, bool):
        yield float(value)
    elif hasattr(value, "__dict__") and not isinstance(value, type):   # e.g. a gradients object
        yield from _floats(vars(value))


def _significant(text: str) -> int:
    digits = re.sub(r"[^0-9]", "", text.split("e")[0]).lstrip("0")
    return len(digits)


def _forms(v: float) -> set[str]:
    if not np.isfinite(v):
        return set()
    forms = {repr(v), f"{v:.6f}", f"{v:.8f}".rstrip("0"), np.format_float_positional(v, precision=8)}
    return {f for f in forms if _significant(f) >= 6}


@lru_cache(maxsize=None)
def hidden_forms(stem: str) -> frozenset[str]:
    """Text forms of every hidden input and expected value of a notebook's exercises for SEED."""
    forms: set[str] = set()
    for ex in registry.for_notebook(stem):
        for case in ex.cases(SEED):
            if not case.hidden:
                continue
            for v in [*_floats(list(case.call_args())), *_floats(ex.expected(case))]:
                forms |= _forms(v)
    return frozenset(forms)


def _cli_text(run: Run) -> str:
    """stdout + stderr without the closing line that tells the instructor the seed (by design)."""
    err = "\n".join(line for line in run.stderr.splitlines()
                    if not re.match(r"graded \d+ of \d+ submission\(s\) with seed \d+; report:", line))
    return run.stdout + "\n" + err


def _gradescope_tests_for(group: Group, key: str) -> str:
    """This file's tests in the Gradescope report (tests come in file order, one per exercise)."""
    doc = None
    try:
        doc = json.loads(group.gradescope.text) if group.gradescope and group.gradescope.text else None
    except ValueError:
        pass
    if doc is None:
        return (group.gradescope.text or "") if group.gradescope else ""
    tests, i = doc.get("tests", []), 0
    json_doc = group.runs[0].doc or {}
    entries = {s.get("file"): s for s in json_doc.get("submissions", [])}
    for k, path in group.files.items():
        entry = entries.get(str(path))
        n = len(entry["exercises"]) if entry and entry.get("status") == "graded" else 1
        if k == key:
            return json.dumps(tests[i:i + n] + [doc.get("output", "")])
        i += n
    return json.dumps(doc.get("tests", []))


def _outputs(graded, attack: Attack) -> dict[str, str]:
    group = _group_of(graded, attack)
    out = {}
    entry = group.entry(attack.name)
    out["json report"] = json.dumps(entry) if entry is not None else (group.runs[0].text or "")
    for i, run in enumerate(group.runs):
        out[f"cli run {i} stdout+stderr"] = _cli_text(run)
        if i > 0 and run.text:
            out[f"report of run {i}"] = json.dumps({k: v for k, v in (run.doc or {}).items() if k != "seed"}) \
                if run.doc else run.text
    if group.gradescope is not None:
        out["gradescope report"] = _gradescope_tests_for(group, attack.name)
        out["gradescope cli stdout+stderr"] = _cli_text(group.gradescope)
    if attack.intake:
        out["progress stdout+stderr"] = _cli_text(graded["progress"][attack.name])
    return out


# --------------------------------------------------------------------------------------------------
# the tests

@pytest.mark.parametrize("name", [a.name for a in ATTACKS])
def test_attack_costs_only_its_own_points(graded, name):
    attack = BY_NAME[name]
    group = _group_of(graded, attack)
    entry = group.entry(name)
    assert entry is not None, f"no report entry for the attack (grader: {group.runs[0].stderr[-2000:]})"
    if attack.intake and entry["status"] == "error":
        # a malformed notebook may be refused as a whole, with a reason (not an internal failure)
        assert entry["error"] and "grader failed" not in entry["error"], entry["error"]
        return
    assert entry["status"] == "graded", entry["error"]
    assert len(json.dumps(entry)) < 200_000, "the report holds megabytes of this submission's output"
    expected_ids = [ex.id for ex in registry.for_notebook(attack.notebook)]
    assert [e["id"] for e in entry["exercises"]] == expected_ids
    by_id = {e["id"]: e for e in entry["exercises"]}
    target = by_id[attack.target]
    assert target["score"] == pytest.approx(attack.score), (
        target["status"], target["message"][:500], [c["message"][:200] for c in target["cases"]])
    for other in expected_ids:
        if other != attack.target:
            assert by_id[other]["status"] == "passed", (other, by_id[other]["message"][:500])
            assert by_id[other]["score"] == by_id[other]["max_score"]
    total = sum(ex.points for ex in registry.for_notebook(attack.notebook))
    assert entry["max_score"] == pytest.approx(total)
    assert entry["score"] == pytest.approx(total - registry.get(attack.target).points + attack.score)
    if attack.victim:
        victim_entry = group.entry(f"victim:{name}")
        assert victim_entry is not None, "no report entry for the honest neighbour"
        assert victim_entry["status"] == "graded", victim_entry["error"]
        assert victim_entry["score"] == victim_entry["max_score"] > 0, [
            (e["id"], e["status"], e["message"][:200]) for e in victim_entry["exercises"]]


@pytest.mark.parametrize("name", [a.name for a in ATTACKS])
def test_attack_leaks_nothing(graded, name):
    attack = BY_NAME[name]
    secrets_ = {"the seed": str(SEED), "the grader's environment": CANARY}
    forms = hidden_forms(attack.notebook)
    assert len(forms) > 10  # the search is not empty
    problems = []
    for where, text in _outputs(graded, attack).items():
        for what, secret in secrets_.items():
            if secret in text:
                problems.append(f"{what} appears in the {where}")
        leaked = sorted(f for f in forms if f in text)
        if leaked:
            problems.append(f"hidden values appear in the {where}: {leaked[:4]}")
    assert not problems, "; ".join(problems)


@pytest.mark.parametrize("name", [a.name for a in ATTACKS])
def test_grader_survives_the_attack(graded, name):
    attack = BY_NAME[name]
    group = _group_of(graded, attack)
    for run in [*group.runs, group.gradescope]:
        if run is None:
            continue
        assert not run.hung, (
            f"the grader hung (killed after {CLI_TIMEOUT:g} s)" if run.exited is None else
            f"the grader ended with exit code {run.exited} but some of its processes lived on "
            f"(killed after {CLI_TIMEOUT:g} s)")
        assert run.returncode == 0, (run.returncode, run.stderr[-3000:])
        assert TRACEBACK not in run.stdout + run.stderr, run.stderr[-3000:]
        assert run.doc is not None, "no readable report"
        if "submissions" in run.doc:
            given = [str(a) for a in run.args if str(a).endswith(".ipynb")]
            assert sorted(s["file"] for s in run.doc["submissions"]) == sorted(given)
            assert "FORGED-BY-ATTACK" not in run.text, "the report was rewritten after the grader wrote it"


@pytest.mark.parametrize("name", [a.name for a in ATTACKS if a.spawns])
def test_no_process_outlives_the_attack(graded, name):
    group = _group_of(graded, BY_NAME[name])
    token = group.tokens[name]
    assert token not in group.survivors, (
        f"{len(group.survivors[token])} process(es) started by the attack were alive {SURVIVOR_WAIT:g} s "
        "after grading")


def test_spawning_attacks_really_spawn():
    """The token is in the argv of what they start, so the survivor check can see them."""
    for attack in ATTACKS:
        if attack.spawns:
            assert "@TOKEN@" in attack.source and "_spawn(" in attack.source


def test_compare_py_is_unchanged_and_later_runs_are_unaffected(graded):
    group = graded["groups"]["compare"]
    assert not group.extra["compare_changed"], "the attack rewrote the grader's compare.py"
    later = group.runs[1].doc
    assert later is not None, group.runs[1].stderr[-2000:]
    entry = next(s for s in later["submissions"] if s["file"] == str(group.files["later"]))
    by_id = {e["id"]: e for e in entry["exercises"]}
    assert by_id["ex03.sigmoid"]["score"] == 0, "a wrong answer passed in the run after the attack"
    assert entry["score"] == pytest.approx(2.0)


def test_the_answer_helper_is_never_reached(graded):
    assert graded["server"].connections == 0, "learner code reached a server on 127.0.0.1"


def _progress_rows(text: str) -> dict[str, dict[str, tuple[str, str]]]:
    rows: dict[str, dict[str, tuple[str, str]]] = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 4 and re.fullmatch(r"ex\d+[a-z]?\.\w+", parts[1]):
            rows.setdefault(parts[0], {})[parts[1]] = (parts[2], parts[-1])
    return rows


@pytest.mark.parametrize("name", [a.name for a in ATTACKS if a.intake])
def test_progress_survives_malformed_notebooks(graded, name):
    attack = BY_NAME[name]
    run = graded["progress"][name]
    assert not run.hung
    assert TRACEBACK not in run.stdout + run.stderr, run.stderr[-3000:]
    assert run.returncode == 0, run.stderr[-2000:]
    stem = f"{attack.notebook}-attack-{attack.slug.replace('.', '')}"
    rows = _progress_rows(run.stdout).get(stem)
    if rows is None:
        assert re.search(rf"not graded: {re.escape(stem)}\.ipynb: \S", run.stdout), run.stdout[-3000:]
        assert "grader failed" not in run.stdout
        return
    assert sorted(rows) == sorted(ex.id for ex in registry.for_notebook(attack.notebook)), rows
    for ex_id, (verdict, score) in rows.items():
        if ex_id == attack.target and attack.score < 1:
            assert verdict == "fail", rows
        else:
            assert verdict == "pass", rows
