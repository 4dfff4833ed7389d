"""The sandbox's walls, attacked directly: each route, the audit hook, and the parent's conversation.

The grader-level attack suite (test_attacks.py) grades whole notebooks; these tests aim at one wall at a
time, so that a wall that stops holding is named by the test that fails.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from backprop_course.grading.checking.cases import Case
from backprop_course.grading.sandbox import guard, walls
from backprop_course.grading.sandbox.parent import run_exercise

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "backprop_course"
HAVE_BWRAP = walls._usable("bwrap")[0]
needs_bwrap = pytest.mark.skipif(not HAVE_BWRAP and os.environ.get("CI") != "true",
                                 reason="bubblewrap cannot run here (CI installs it and must run these)")


def _cases(n=2):
    return [Case(name=f"c{i}", args=(float(i),), hidden=i > 0) for i in range(n)]


def _run(route, monkeypatch, cells, function="f", timeout=10.0, cases=None, forbidden=()):
    monkeypatch.setenv(walls.ENV_VAR, route)
    return run_exercise(cells, function, "exNN.f", cases if cases is not None else _cases(), timeout,
                        forbidden=forbidden)


def _survivors(token: str) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if token.encode() in Path(f"/proc/{entry}/cmdline").read_bytes():
                    found.append(int(entry))
            except OSError:
                pass
    return found


# -- the audit hook's decisions (pure) ------------------------------------------------------------------
def test_policy_reads_only_inside_the_installation_and_never_the_hidden_parts(tmp_path):
    policy = walls.policy_for({"torch", "engine"}, str(tmp_path))
    assert policy.may_read(sys.executable)
    assert policy.may_read(str(PACKAGE / "grading" / "sandbox" / "child.py"))
    assert policy.may_read(str(PACKAGE / "__init__.py"))
    for secret in (PACKAGE / "grading" / "exercises" / "ex03_neuron.py", PACKAGE / "engine" / "mlp.py",
                   PACKAGE / "grading" / "checking" / "compare.py", ROOT / "exercises" / "solutions",
                   Path("/proc/1/cmdline"), Path("/etc/shadow"), Path.home()):
        assert not policy.may_read(str(secret)), secret
    assert policy.may_write(str(tmp_path / "scratch.txt"))
    assert not policy.may_write(str(PACKAGE / "grading" / "sandbox" / "call.py"))


def test_policy_follows_links_before_deciding(tmp_path):
    policy = walls.policy_for(set(), str(tmp_path))
    link = tmp_path / "innocent.txt"
    link.symlink_to(PACKAGE / "grading" / "exercises" / "ex03_neuron.py")
    assert not policy.may_read(str(link))


def test_policy_imports_only_the_sandbox_part_of_the_course():
    policy = walls.policy_for({"torch", "scipy", "engine"}, "/tmp/work")
    assert policy.may_import("backprop_course") and policy.may_import("backprop_course.grading.sandbox.codec")
    assert policy.may_import("numpy") and policy.may_import("sympy")
    for name in ("backprop_course.grading.exercises.ex03_neuron", "backprop_course.engine",
                 "backprop_course.grading.checking.judge", "backprop_course.symbolic", "torch", "scipy.optimize"):
        assert not policy.may_import(name), name


def test_the_hook_refuses_in_a_real_interpreter(tmp_path):
    # A fresh interpreter with the hook: each line must be refused, and the refusal must say so.
    policy = walls.policy_for({"torch"}, str(tmp_path)).to_json()
    attempts = {
        "open": f"open({str(PACKAGE / 'grading' / 'exercises' / 'ex03_neuron.py')!r}).read()",
        "import": "import backprop_course.grading.exercises.ex03_neuron",
        "subprocess": "import subprocess; subprocess.run(['true'])",
        "kill": "import os; os.kill(os.getppid(), 0)",
        "fork": "import os; os.fork()",
        "socket": "import socket; socket.create_connection(('127.0.0.1', 9))",
        "rlimit": "import resource; resource.setrlimit(resource.RLIMIT_AS, (-1, -1))",
        "ctypes": "import ctypes; ctypes.CDLL(None)",
        "gc": "import gc; gc.get_objects()",
        "write": f"open({str(ROOT / 'x.txt')!r}, 'w')",
        "list": f"import os; os.listdir({str(ROOT)!r})",
    }
    for what, line in attempts.items():
        code = (f"import json, sys\nfrom backprop_course.grading.sandbox import guard\n"
                f"guard.install(guard.Policy.from_json(json.loads(sys.argv[1])))\n"
                f"try:\n    {line}\nexcept (PermissionError, ImportError) as exc:\n"
                f"    assert 'graded code may not' in str(exc), exc\n    sys.exit(42)\nsys.exit(0)\n")
        import json
        done = subprocess.run([sys.executable, "-c", code, json.dumps(policy)], cwd=tmp_path,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 42, (what, done.stdout, done.stderr)
    assert not (ROOT / "x.txt").exists()


# -- the bubblewrap route's walls, without the hook ------------------------------------------------------
@needs_bwrap
def test_bwrap_shows_the_child_only_the_installation_and_the_sandbox():
    script = ("import os, sys\n"
              f"pkg = {str(PACKAGE)!r}\n"
              "print(sorted(os.listdir(pkg)), sorted(os.listdir(pkg + '/grading')))\n"
              f"print(os.path.exists({str(ROOT / 'exercises' / 'solutions')!r}), os.path.exists('/work'), "
              "os.path.exists('/root/.bash_history'))\n"
              "print(len([p for p in os.listdir('/proc') if p.isdigit()]), os.getuid())\n"
              "print(open('/proc/self/status').read().split('CapEff:')[1].split()[0])\n"
              "try:\n    open(pkg + '/__init__.py', 'a')\nexcept OSError as exc:\n    print(type(exc).__name__)\n"
              "import socket\n"
              "try:\n    socket.create_connection(('8.8.8.8', 53), timeout=2)\nexcept OSError as exc:\n"
              "    print('net', type(exc).__name__)\n")
    cmd = walls.bwrap_command([sys.executable, "-s", "-B", "-c", script], forbidden=())
    done = subprocess.run(cmd, capture_output=True, text=True, env=walls.child_environment(), timeout=60)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "['__init__.py', '_lazy.py', 'grading'] ['__init__.py', 'sandbox']"
    solutions_seen = lines[1].split()[0]
    assert solutions_seen == "False"
    n_processes = int(lines[2].split()[0])
    assert n_processes <= 3                       # bubblewrap's init, the child (and ps-like helpers): no grader
    assert lines[3] == "0000000000000000"         # no capability at all
    assert lines[4] in ("OSError", "PermissionError")   # the package is read-only
    assert lines[5].startswith("net ")            # no network


@needs_bwrap
def test_bwrap_hides_forbidden_modules():
    cmd = walls.bwrap_command([sys.executable, "-s", "-B", "-c", "import sympy"], forbidden={"sympy"})
    done = subprocess.run(cmd, capture_output=True, text=True, env=walls.child_environment(), timeout=60)
    assert done.returncode != 0 and "not available to graded code" in done.stderr


@needs_bwrap
def test_bwrap_ends_every_process_when_bubblewrap_is_killed():
    token = f"bc-survivor-{uuid.uuid4().hex}"
    shell = f"setsid sh -c 'exec sleep 300 {token}' & nohup sh -c 'exec sleep 301 {token}' >/dev/null 2>&1 & sleep 300"
    cmd = walls.bwrap_command(["/bin/sh", "-c", shell], forbidden=())
    proc = subprocess.Popen(cmd, env=walls.child_environment(), start_new_session=True)
    try:
        deadline = time.time() + 10
        while len(_survivors(token)) < 2 and time.time() < deadline:
            time.sleep(0.05)
        assert len(_survivors(token)) >= 2          # both detached sleeps (a shell may not have exec'd yet)
        os.killpg(proc.pid, 9)
        proc.wait(timeout=10)
        deadline = time.time() + 5
        while _survivors(token) and time.time() < deadline:
            time.sleep(0.05)
        assert _survivors(token) == []
    finally:
        for pid in _survivors(token):
            os.kill(pid, 9)


# -- whole runs, per route --------------------------------------------------------------------------------
ROUTES = [pytest.param("bwrap", marks=needs_bwrap), "none"]


@pytest.mark.parametrize("route", ROUTES)
def test_an_honest_child_answers_every_case(route, monkeypatch):
    run = _run(route, monkeypatch, ["import numpy as np\ndef f(x):\n    return 2 * x\n"])
    assert run.route == route and run.found and run.ended and not run.tampered
    assert [o.kind for o in run.outcomes] == ["ok", "ok"]
    assert [o.output for o in run.outcomes] == [0.0, 2.0]


@pytest.mark.parametrize("route", ROUTES)
def test_references_are_out_of_reach(route, monkeypatch):
    cells = ["import importlib\n"
             "def f(x):\n"
             "    m = importlib.import_module('backprop_course.grading.exercises.ex03_neuron')\n"
             "    return m._sigmoid(x)\n"]
    run = _run(route, monkeypatch, cells)
    assert [o.kind for o in run.outcomes] == ["error", "error"]
    assert all(o.error in ("ImportError", "ModuleNotFoundError", "PermissionError") for o in run.outcomes)


@pytest.mark.parametrize("route", ROUTES)
def test_files_outside_the_installation_are_out_of_reach(route, monkeypatch):
    target = ROOT / "exercises" / "solutions" / "ex03_neuron.ipynb"
    run = _run(route, monkeypatch, [f"def f(x):\n    return len(open({str(target)!r}).read())\n"])
    assert [o.kind for o in run.outcomes] == ["error", "error"]


@pytest.mark.parametrize("route", ROUTES)
def test_errors_leave_the_child_as_type_names_only(route, monkeypatch):
    cells = ["class Leak(ValueError):\n    pass\n"
             "Named = type('0.123456 secret', (KeyError,), {})\n"
             "def f(x):\n"
             "    if x == 0:\n        raise Leak(f'input was {x}')\n"
             "    raise Named(f'input was {x}')\n"
             "raise RuntimeError('printed in the cell: 9.87654')\n"]
    run = _run(route, monkeypatch, cells)
    assert [o.error for o in run.outcomes] == ["ValueError (a subclass)", "KeyError (a subclass)"]
    assert run.cell_errors == ["cell 1, line 8: RuntimeError"]


@pytest.mark.parametrize("route", ROUTES)
def test_a_public_case_never_sees_the_hidden_inputs(route, monkeypatch):
    # The child gets each case only after answering the previous one: while the public case runs, no
    # hidden input is in the child to be read from standard input or memory and returned as an answer.
    cells = ["import sys, select\n"
             "def f(x):\n"
             "    ready = select.select([sys.stdin], [], [], 0.5)[0]\n"
             "    return float(len(ready))\n"]
    run = _run(route, monkeypatch, cells, cases=_cases(3))
    assert [o.output for o in run.outcomes] == [0.0, 0.0, 0.0]


@pytest.mark.parametrize("route", ROUTES)
def test_a_looping_child_is_stopped_and_its_processes_end(route, monkeypatch):
    run = _run(route, monkeypatch, ["def f(x):\n    while True:\n        pass\n"], timeout=1.5)
    assert run.timed_out and run.outcomes == [None, None]
    assert run.duration < 10


@pytest.mark.parametrize("route", ROUTES)
def test_the_child_cannot_signal_the_grader(route, monkeypatch):
    cells = ["import os, signal\n"
             "def f(x):\n"
             "    for sig in (signal.SIGSTOP, signal.SIGKILL):\n"
             "        try:\n            os.kill(os.getppid(), sig)\n        except OSError:\n            pass\n"
             "    return x\n"]
    run = _run(route, monkeypatch, cells)
    assert run.ended                              # this test process is still running, and not stopped
    assert [o.kind for o in run.outcomes] == ["ok", "ok"]


@pytest.mark.parametrize("route", ROUTES)
def test_limits_are_hard(route, monkeypatch):
    cells = ["import resource\n"
             "def f(x):\n"
             "    soft, hard = resource.getrlimit(resource.RLIMIT_AS)\n"
             "    try:\n        resource.setrlimit(resource.RLIMIT_AS, (hard, hard))\n"
             "    except (PermissionError, ValueError):\n        pass\n"
             "    return float(soft == hard == 4 * 1024**3)\n"]
    run = _run(route, monkeypatch, cells)
    assert [o.output for o in run.outcomes] == [1.0, 1.0]


@pytest.mark.parametrize("route", ROUTES)
def test_the_child_environment_is_an_allow_list(route, monkeypatch):
    monkeypatch.setenv("BC_TEST_SECRET", "918273645")
    cells = ["import os\ndef f(x):\n    return float(any('918273645' in v for v in os.environ.values()))\n"]
    run = _run(route, monkeypatch, cells)
    assert [o.output for o in run.outcomes] == [0.0, 0.0]


def test_an_unknown_route_is_a_clear_error(monkeypatch):
    monkeypatch.setenv(walls.ENV_VAR, "docker")
    with pytest.raises(walls.SandboxUnavailable, match="must be one of auto, bwrap, user, none"):
        walls.choose_route()


def test_a_route_that_cannot_run_here_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(walls, "_usable", lambda route: (False, "just testing"))
    monkeypatch.setenv(walls.ENV_VAR, "bwrap")
    with pytest.raises(walls.SandboxUnavailable, match="cannot run here: just testing"):
        walls.choose_route()
