"""The Gradescope bundle end to end, as Gradescope runs it: unpack the zip into ``ROOT/source``, run
``setup.sh`` (a fresh virtual environment with the wheel from the zip and its dependencies from the
package index; as root also the sandbox user and the root-only references), then ``run_autograder`` for a
solution, an untouched learner notebook, adversarial ones and two attacks on the grader itself (a forged
results file with a killed parent, and a hunt for the seed and the references). ``ROOT`` is a folder
made under /tmp and opened to all (pytest's tmp_path sits in a 0700 folder the sandbox user could not
enter), and the environment is made from /usr/bin/python3, which that user can run. Slow (about a
minute, mostly pip). Run it once per sandbox route that matters:

    python -m pytest -m gradescope tests/grading
    BACKPROP_COURSE_SANDBOX=user python -m pytest -m gradescope tests/grading
"""
from __future__ import annotations

import copy
import json
import os
import shutil
import stat
import subprocess
import tempfile
import sys
import time
import zipfile
from pathlib import Path

import nbformat
import pytest

from backprop_course import __version__
from backprop_course.grading.exercises import registry

from gradescope_helpers import hidden_expected_texts, load_results
from grading_helpers import EXERCISES, META, ROOT, SOLUTIONS, solution_notebook

pytestmark = [pytest.mark.slow, pytest.mark.gradescope]

SEED, TIMEOUT = 590217346, 5.0   # a seed long enough never to appear in a report by chance
NOTEBOOK = "ex03_neuron"
SYSTEM_PYTHON = "/usr/bin/python3"   # Debian's: a Python the sandbox user can read (the dev one is under /root)
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
ROUTE = os.environ.get("BACKPROP_COURSE_SANDBOX", "auto")


def _env(root: Path, route: str | None = None) -> dict:
    # PYTHONPATH points at the source tree on purpose: the scripts must not grade with it.
    # BACKPROP_COURSE_SANDBOX, when set (or given as ``route``), passes through to the grader.
    python = SYSTEM_PYTHON if os.path.exists(SYSTEM_PYTHON) else sys.executable
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "AUTOGRADER_PYTHON": python, "PYTHONPATH": str(ROOT)}
    if route is not None:
        env["BACKPROP_COURSE_SANDBOX"] = route
    return env


# The routes the graded runs below take: the strongest this machine allows, and, as root, the
# unprivileged-user route that Gradescope's containers (no namespaces) rely on.
ROUTES = [None, *(["user"] if hasattr(os, "geteuid") and os.geteuid() == 0 else [])]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bundle") / "autograder.zip"
    run = subprocess.run([sys.executable, "-m", "backprop_course.cli", "autograder", "--out", str(out),
                          "--seed", str(SEED), "--timeout", str(TIMEOUT)],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    return out


@pytest.fixture(scope="module")
def installed(bundle) -> Path:
    root = Path(tempfile.mkdtemp(prefix="bc-autograder-", dir="/tmp"))
    os.chmod(root, 0o755)   # like /autograder: every user may enter it
    with zipfile.ZipFile(bundle) as zf:
        zf.extractall(root / "source")
    start = time.perf_counter()
    run = subprocess.run(["bash", str(root / "source" / "setup.sh")], env=_env(root), capture_output=True,
                         text=True, timeout=900)
    print(f"setup.sh took {time.perf_counter() - start:.1f} s")
    print(run.stdout[-3000:])
    assert run.returncode == 0, run.stderr[-3000:]
    yield root
    shutil.rmtree(root, ignore_errors=True)


def run_autograder(root: Path, files: dict[str, str | bytes], route: str | None = None) -> tuple[dict, str]:
    """Put ``files`` in the submission folder, run run_autograder, return (results, stdout)."""
    submission = root / "submission"
    if submission.exists():
        for old in submission.iterdir():
            old.unlink()
    submission.mkdir(exist_ok=True)
    for name, content in files.items():
        (submission / name).write_bytes(content if isinstance(content, bytes) else content.encode())
    n_exercises = len(registry.for_notebook(NOTEBOOK))
    # A hang beyond the per-exercise limits fails here (generous slack for a loaded machine).
    run = subprocess.run(["bash", str(root / "source" / "run_autograder")], env=_env(root, route), cwd=root,
                         capture_output=True, text=True, timeout=n_exercises * TIMEOUT + 120)
    assert run.returncode == 0, run.stderr
    if route is not None:
        assert f"sandbox route {route};" in run.stdout, run.stdout[:2000]
    return load_results((root / "results" / "results.json").read_text()), run.stdout


def _notebook_text(nb) -> str:
    return nbformat.writes(nb)


def test_bundle_has_gradescope_files_at_its_root(bundle):
    with zipfile.ZipFile(bundle) as zf:
        infos = {i.filename: i for i in zf.infolist()}
        assert set(infos) == {"setup.sh", "run_autograder", "README.md", "seed",
                              f"backprop_course-{__version__}-py3-none-any.whl"}
        for script in ("setup.sh", "run_autograder"):
            assert (infos[script].external_attr >> 16) & 0o111, f"{script} is not executable"
        runner = zf.read("run_autograder").decode()
        assert zf.read("seed") == f"{SEED}\n".encode()
        assert str(SEED) not in runner + zf.read("setup.sh").decode() + zf.read("README.md").decode()
    assert f"TIMEOUT={TIMEOUT!r}\n" in runner and "--seed-file" in runner


@pytest.mark.parametrize("route", ROUTES)
def test_solution_gets_full_marks_from_the_installed_wheel(installed, route):
    doc, stdout = run_autograder(installed, {f"{NOTEBOOK}.ipynb": (SOLUTIONS / f"{NOTEBOOK}.ipynb").read_bytes()}, route)
    venv_package = installed / "venv" / "lib"
    assert f"from {venv_package}" in stdout and str(ROOT / "backprop_course") not in stdout, stdout
    points = sum(ex.points for ex in registry.for_notebook(NOTEBOOK))
    assert doc["score"] == points and len(doc["tests"]) == len(registry.for_notebook(NOTEBOOK))
    assert all(t["score"] == t["max_score"] > 0 for t in doc["tests"])
    assert "seed" not in doc["extra_data"]
    text = "\n".join([doc["output"], *(t["output"] for t in doc["tests"])])
    assert "hidden 1 | passed" in text
    leaked = [v for v in hidden_expected_texts(NOTEBOOK, SEED) if v in text]
    assert hidden_expected_texts(NOTEBOOK, SEED) and not leaked


def test_untouched_learner_notebook_scores_zero(installed):
    doc, _ = run_autograder(installed, {f"{NOTEBOOK}.ipynb": (EXERCISES / f"{NOTEBOOK}.ipynb").read_bytes()})
    assert doc["score"] == 0 and len(doc["tests"]) == len(registry.for_notebook(NOTEBOOK))
    assert all("not attempted" in t["output"] for t in doc["tests"])


ADVERSARIAL = {  # exercise -> source of its solution cell
    "ex03.sigmoid": "while True:\n    pass\n",
    "ex03.sigmoid_prime": "import sys\ndef sigmoid_prime(z):\n    sys.exit(3)\nraise RuntimeError('boom')\n",
    "ex03.neuron_forward": "import os\nos._exit(1)\n",
}


def test_adversarial_notebook_gets_a_valid_results_file_within_the_time_limits(installed):
    nb = copy.deepcopy(solution_notebook(NOTEBOOK))
    for cell in nb.cells:
        meta = cell.metadata.get(META, {})
        if meta.get("role") == "solution":
            cell.source = ADVERSARIAL[meta["exercise"]]
    doc, stdout = run_autograder(installed, {"my_ex03_neuron.ipynb": _notebook_text(nb)})
    assert doc["score"] == 0 and all(t["score"] == 0 for t in doc["tests"]), stdout
    by_id = {t["name"].split(":")[0]: t for t in doc["tests"]}
    assert f"time limit of {TIMEOUT:g} s" in by_id["ex03.sigmoid"]["output"]
    prime = by_id["ex03.sigmoid_prime"]["output"]
    # exceptions are named by their type; their text (learner-controlled) never reaches the student
    assert "RuntimeError" in prime and "boom" not in prime and "your function raised SystemExit" in prime
    assert "ex03.sigmoid timeout" in stdout
    leaked = [v for v in hidden_expected_texts(NOTEBOOK, SEED) if v in "\n".join(t["output"] for t in doc["tests"])]
    assert not leaked


@pytest.mark.parametrize("files, says", [
    ({}, "No notebook was found"),
    ({"a.ipynb": "{}", "b.ipynb": "{}", "notes.txt": "hi"}, "2 notebooks were submitted"),
])
def test_no_or_several_notebooks_score_zero_and_say_why(installed, files, says):
    doc, _ = run_autograder(installed, files)
    assert doc["score"] == 0 and doc["tests"] == [] and says in doc["output"]


def test_unreadable_notebook_scores_zero_and_says_why(installed):
    doc, _ = run_autograder(installed, {f"{NOTEBOOK}.ipynb": '{"cells": [{"cell_type": "code", "sou'})
    assert doc["score"] == 0
    (test,) = doc["tests"]
    assert "not a Jupyter notebook" in test["output"] and test["max_score"] == 0


def test_installed_course_packs_the_same_wheel_again(installed, bundle, tmp_path):
    """From a wheel install there is no source tree: the installed files are packed again."""
    out = tmp_path / "again.zip"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    run = subprocess.run([str(installed / "venv" / "bin" / "backprop-course"), "autograder", "--out", str(out),
                          "--seed", "1"], capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    name = f"backprop_course-{__version__}-py3-none-any.whl"

    def wheel_files(zip_path):
        with zipfile.ZipFile(zip_path) as outer, zipfile.ZipFile(outer.open(name)) as whl:
            return {n: whl.read(n) for n in whl.namelist() if not n.endswith("/RECORD")}

    original, repacked = wheel_files(bundle), wheel_files(out)
    assert repacked.keys() == original.keys()
    assert [n for n in original if original[n] != repacked[n]] == []


# ---- the grader as a trusted party: what setup.sh closes, and two attacks on it ------------------------

def _installed_package(root: Path) -> Path:
    (package,) = (root / "venv" / "lib").glob("python3*/site-packages/backprop_course")
    return package


@pytest.mark.skipif(not IS_ROOT, reason="setup.sh makes the sandbox user and root-only files only as root")
def test_setup_leaves_the_references_and_the_seed_to_root_only(installed):
    import pwd

    from backprop_course.grading.sandbox.install import SANDBOX_USER, is_child_visible

    assert pwd.getpwnam(SANDBOX_USER).pw_uid != 0
    package = _installed_package(installed)
    reference = package / "grading" / "exercises" / "ex03_neuron.py"
    assert reference.stat().st_mode & 0o077 == 0 and (reference.parent.stat().st_mode & 0o077) == 0
    for path in [package, *package.rglob("*")]:
        st = path.lstat()
        open_to_others = bool(st.st_mode & 0o004)
        assert open_to_others == is_child_visible(path.relative_to(package)), path
        assert st.st_uid == 0 and not st.st_mode & 0o022, path
    numpy = next((installed / "venv" / "lib").glob("python3*/site-packages/numpy/__init__.py"))
    assert numpy.stat().st_mode & 0o004   # the rest of the environment stays readable
    seed = installed / "source" / "seed"
    assert stat.S_IMODE(seed.stat().st_mode) == 0o600 and seed.stat().st_uid == 0
    assert stat.S_IMODE((installed / "source").stat().st_mode) == 0o700


def _attack_notebook(sources: dict[str, str]) -> str:
    nb = copy.deepcopy(solution_notebook(NOTEBOOK))
    for cell in nb.cells:
        meta = cell.metadata.get(META, {})
        if meta.get("role") == "solution" and meta["exercise"] in sources:
            cell.source = sources[meta["exercise"]]
    return _notebook_text(nb)


FORGED = {"score": 1000.0, "output": "forged", "tests": [
    {"name": "forged", "score": 1000.0, "max_score": 1000.0, "output": "", "visibility": "visible"}]}

FORGE_AND_KILL = '''
import json, os, signal, time
RESULTS = {results!r}
def _forge():
    try:
        with open(RESULTS, "w") as fh:
            fh.write(json.dumps({forged!r}))
        return "forged"
    except Exception as exc:
        return type(exc).__name__
print("forge:", _forge())
try:                      # a writer that outlives this exercise and keeps forging
    if os.fork() == 0:
        os.setsid()
        for _ in range(60):
            _forge()
            time.sleep(0.25)
        os._exit(0)
except Exception as exc:
    print("fork:", type(exc).__name__)

def sigmoid(z):
    print("forge:", _forge())
    try:
        os.kill(os.getppid(), signal.SIGKILL)   # the grader, which would have written the honest file
    except Exception as exc:
        print("kill:", type(exc).__name__)
    return z * 0 + 1000.0                      # a wrong answer: this exercise honestly scores 0
'''


WRITER_LIFE = 16.0   # seconds the left-behind writer of FORGE_AND_KILL forges for (60 x 0.25 s, and some)


@pytest.mark.parametrize("route", ROUTES)
def test_attack_forged_results_file_and_killed_parent_do_not_count(installed, route):
    source = FORGE_AND_KILL.format(results=str(installed / "results" / "results.json"), forged=FORGED)
    start = time.monotonic()
    try:
        try:
            doc, stdout = run_autograder(installed, {f"{NOTEBOOK}.ipynb": _attack_notebook({"ex03.sigmoid": source})}, route)
        except (ValueError, AssertionError) as exc:   # JSONDecodeError is a ValueError
            pytest.fail(f"route {route or ROUTE}: results.json is not the grader's honest report (forged or clobbered "
                        f"while being read): {type(exc).__name__}: {str(exc)[:300]}")
        honest = sum(ex.points for ex in registry.for_notebook(NOTEBOOK) if ex.id != "ex03.sigmoid")
        by_id = {t["name"].split(":")[0]: t for t in doc["tests"]}
        assert doc["score"] == honest and by_id["ex03.sigmoid"]["score"] == 0, (route or ROUTE, doc["score"], stdout)
        time.sleep(3)   # a writer left behind would forge again now
        text = (installed / "results" / "results.json").read_text()
        assert text and load_results(text) == doc, (route or ROUTE, "results.json changed after run_autograder ended")
    except BaseException:
        # a writer that escaped would clobber the next test's results: let it run out first
        time.sleep(max(0.0, start + WRITER_LIFE - time.monotonic()))
        raise


SEED_HUNT = '''
import os
ROOT = {root!r}
def _grab(path, keep=lambda line: True):
    try:
        with open(path, "rb") as fh:
            text = fh.read(200_000).decode("utf-8", "replace").replace("\\x00", " ")
    except Exception as exc:
        return type(exc).__name__
    return " | ".join(line.strip()[:120] for line in text.splitlines() if keep(line))
seedy = lambda line: "seed" in line.lower()
ppid = os.getppid()
cmdlines = []
try:
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            found = _grab(f"/proc/{{pid}}/cmdline", lambda line: "--seed" in line)
            if "--seed" in found:
                cmdlines.append(found[:150])
except Exception as exc:
    cmdlines.append(type(exc).__name__)
# Feedback never carries the learner's text, so the hunt reports by its score: the right answer
# (computed here, honestly) when it found anything secret, a wrong one otherwise.
import re
FINDINGS = {{
    "seed file": _grab(ROOT + "/source/seed").strip().isdigit(),
    "run_autograder": bool(re.search(r"seed\\D{{0,20}}\\d{{3,}}", _grab(ROOT + "/source/run_autograder", seedy)
                                     + _grab(ROOT + "/run_autograder", seedy) + _grab(ROOT + "/source/README.md", seedy))),
    "cmdlines": bool(re.search(r"--seed\\D{{0,3}}\\d", " ".join(cmdlines))),
    "parent cmdline": bool(re.search(r"--seed\\D{{0,3}}\\d", _grab(f"/proc/{{ppid}}/cmdline"))),
    "reference": "def " in _grab({reference!r}, lambda line: line.startswith("def ")),
    "parent environ": bool(re.search(r"SEED\\w*=\\d", _grab(f"/proc/{{ppid}}/environ", seedy))),
}}
FOUND = any(FINDINGS.values())
print(FINDINGS)

def sigmoid_prime(z):
    import numpy as np
    s = 1 / (1 + np.exp(-z))
    return s * (1 - s) if FOUND else s
'''


@pytest.mark.parametrize("route", ROUTES)
def test_attack_the_seed_and_the_references_stay_out_of_reach(installed, route):
    reference = _installed_package(installed) / "grading" / "exercises" / f"{NOTEBOOK}.py"
    source = SEED_HUNT.format(root=str(installed), reference=str(reference))
    doc, stdout = run_autograder(installed, {f"{NOTEBOOK}.ipynb": _attack_notebook({"ex03.sigmoid_prime": source})}, route)
    honest = sum(ex.points for ex in registry.for_notebook(NOTEBOOK) if ex.id != "ex03.sigmoid_prime")
    assert doc["score"] == honest, (route or ROUTE, doc["score"], stdout)
    # (the score above is the hunt's channel: full marks for sigmoid_prime would mean it found a secret)
    text = json.dumps(doc)
    assert "seed" not in doc["extra_data"] and str(SEED) not in text, (route or ROUTE, text[:4000])
    reference_defs = [line.strip() for line in reference.read_text().splitlines() if line.startswith("def _")]
    assert reference_defs and not [d for d in reference_defs if d in text], (route or ROUTE, text[:4000])
