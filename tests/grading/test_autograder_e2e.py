"""The Gradescope bundle end to end, as Gradescope runs it: unpack the zip into ``ROOT/source``, run
``setup.sh`` (a fresh virtual environment with the wheel from the zip and its dependencies from the
package index), then ``run_autograder`` for a solution, an untouched learner notebook and an adversarial
one. ``ROOT`` is a temporary folder (``AUTOGRADER_ROOT``). Slow (about a minute, mostly pip).

    python -m pytest -m gradescope tests/grading
"""
from __future__ import annotations

import copy
import os
import subprocess
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

SEED, TIMEOUT = 11, 5.0
NOTEBOOK = "ex03_neuron"


def _env(root: Path) -> dict:
    # PYTHONPATH points at the source tree on purpose: the scripts must not grade with it.
    return {**os.environ, "AUTOGRADER_ROOT": str(root), "AUTOGRADER_PYTHON": sys.executable,
            "PYTHONPATH": str(ROOT)}


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bundle") / "autograder.zip"
    run = subprocess.run([sys.executable, "-m", "backprop_course.cli", "autograder", "--out", str(out),
                          "--seed", str(SEED), "--timeout", str(TIMEOUT)],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    return out


@pytest.fixture(scope="module")
def installed(bundle, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("autograder")
    with zipfile.ZipFile(bundle) as zf:
        zf.extractall(root / "source")
    start = time.perf_counter()
    run = subprocess.run(["bash", str(root / "source" / "setup.sh")], env=_env(root), capture_output=True,
                         text=True, timeout=900)
    print(f"setup.sh took {time.perf_counter() - start:.1f} s")
    assert run.returncode == 0, run.stderr[-3000:]
    return root


def run_autograder(root: Path, files: dict[str, str | bytes]) -> tuple[dict, str]:
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
    run = subprocess.run(["bash", str(root / "source" / "run_autograder")], env=_env(root), cwd=root,
                         capture_output=True, text=True, timeout=n_exercises * TIMEOUT + 120)
    assert run.returncode == 0, run.stderr
    return load_results((root / "results" / "results.json").read_text()), run.stdout


def _notebook_text(nb) -> str:
    return nbformat.writes(nb)


def test_bundle_has_gradescope_files_at_its_root(bundle):
    with zipfile.ZipFile(bundle) as zf:
        infos = {i.filename: i for i in zf.infolist()}
        assert set(infos) == {"setup.sh", "run_autograder", "README.md",
                              f"backprop_course-{__version__}-py3-none-any.whl"}
        for script in ("setup.sh", "run_autograder"):
            assert (infos[script].external_attr >> 16) & 0o111, f"{script} is not executable"
        runner = zf.read("run_autograder").decode()
    assert f"SEED={SEED}\n" in runner and f"TIMEOUT={TIMEOUT!r}\n" in runner


def test_solution_gets_full_marks_from_the_installed_wheel(installed):
    doc, stdout = run_autograder(installed, {f"{NOTEBOOK}.ipynb": (SOLUTIONS / f"{NOTEBOOK}.ipynb").read_bytes()})
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
