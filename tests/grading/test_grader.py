"""The grader end to end: solutions score full marks, learner notebooks zero, and adversarial
submissions score what they deserve (each misbehaving exercise costs only its own points)."""
from __future__ import annotations

import copy
import csv
import io
import json
import subprocess
import sys

import nbformat
import pytest

from backprop_course.grading.exercises import registry
from backprop_course.grading.grader import grade_many
from backprop_course.grading.reports.formats import write_atomic

from grading_helpers import EXERCISES, META, SOLUTIONS, solution_notebook

SEED = 12345
TIMEOUT = 5.0  # short, since one submission loops forever

WRONG = "def sigmoid(z):\n    return z * 0.0 + 0.5\n"
PUBLIC_TABLE = '''def sigmoid(z):
    # remembers the public answers, knows nothing else
    table = {(-2.0, 0.0, 2.0): [0.11920292202211755, 0.5, 0.8807970779778823],
             ((1.0, -0.5), (3.0, -4.0)): [[0.7310585786300049, 0.3775406687981454],
                                          [0.9525741268224334, 0.01798620996209156]]}
    key = tuple(map(tuple, z)) if z.ndim == 2 else tuple(z)
    return np.array(table.get(key, np.zeros_like(z)))
'''
FORGE = '''import gc, json
def sigmoid(z):
    for obj in gc.get_objects():
        if isinstance(obj, dict) and "nonce" in obj and "result_path" in obj:
            with open(obj["result_path"], "a") as fh:
                for i in range(10):
                    record = {"case": i, "kind": "ok", "output": {"__ndarray__": [0.5], "shape": [1]}, "error": ""}
                    fh.write(obj["nonce"] + "\\t" + json.dumps(record) + "\\n")
    with open("results.txt", "a") as fh:
        fh.write("0" * 32 + "\\t{\\"case\\": 0, \\"kind\\": \\"ok\\", \\"output\\": 1.0}\\n")
    return z
'''
FORGE_AND_EXIT = FORGE.replace("    return z\n", "    import os\n    os._exit(0)\n")
# Without the nonce (the garbage collector is refused to graded code), a forger can only write junk to
# every descriptor the child might use for its answers.
JUNK = '''import os
def sigmoid(z):
    for fd in range(3, 64):
        try:
            os.write(fd, b"0" * 32 + b'\\t{"case": 0, "kind": "ok", "output": 0.5}\\n')
        except OSError:
            pass
    return 1 / (1 + np.exp(-z))
'''

# name -> (replacement source of the ex03.sigmoid cell, new source of its check cell or None,
#          expected sigmoid score (of 1), expected sigmoid status)
ADVERSARIAL = {
    "looping": ("def sigmoid(z):\n    while True:\n        pass\n", None, 0.0, "timeout"),
    "crashing": ("def sigmoid(z):\n    import os\n    os._exit(3)\n", None, 0.0, "crashed"),
    "segfault": ("def sigmoid(z):\n    import ctypes\n    return ctypes.string_at(0)\n", None, 0.0, "failed"),
    "raising": ("def sigmoid(z):\n    return 1 / 0\n", None, 0.0, "failed"),
    "printing megabytes": ("print('x' * 5_000_000)\ndef sigmoid(z):\n    print('y' * 1_000_000)\n"
                           "    return 1 / (1 + np.exp(-z))\n", None, 1.0, "passed"),
    "sys.exit in the function": ("import sys\ndef sigmoid(z):\n    sys.exit(0)\n", None, 0.0, "failed"),
    "sys.exit in the cell": ("import sys\nsys.exit(1)\ndef sigmoid(z):\n    return 1 / (1 + np.exp(-z))\n",
                             None, 0.0, "failed"),
    "monkeypatching numpy": ("np.allclose = lambda *a, **k: True\nnp.testing.assert_allclose = lambda *a, **k: None\n"
                             "np.abs = lambda x: 0 * x\n" + WRONG, None, 0.0, "failed"),
    "redefining check": ("bc.check = lambda *a, **k: print('passed')\ndef check(*a, **k):\n    return True\n"
                         + WRONG, None, 0.0, "failed"),
    "hard-coding public answers": (PUBLIC_TABLE, None, round(2 / 6, 4), "partial"),
    "editing the check cell (wrong answer)": (WRONG, 'print("ex03.sigmoid: 6/6 cases passed - well done!")',
                                              0.0, "failed"),
    "editing the check cell (right answer)": (None, "bc.check = None\nbc.check('ex03.sigmoid', None)", 1.0, "passed"),
    "writing to the results file": (FORGE, None, 0.0, "failed"),
    "forging results then exiting": (FORGE_AND_EXIT, None, 0.0, "failed"),
    "writing junk to the result pipe": (JUNK, None, 1.0, "passed"),
    "allocating 800 GB": ("def sigmoid(z):\n    big = np.ones((10**6, 10**5))\n    return z\n", None, 0.0, "failed"),
    "returning NaN": ("def sigmoid(z):\n    return np.full_like(z, np.nan)\n", None, 0.0, "failed"),
    "returning a non-number": ("def sigmoid(z):\n    return object()\n", None, 0.0, "failed"),
    "calling the reference": ("def sigmoid(z):\n    return bc.engine.activations.get_activation('sigmoid')(z)\n",
                              None, 0.0, "rule violation"),
}


def _variant(tmp_path, name, sigmoid_source, check_source):
    nb = copy.deepcopy(solution_notebook("ex03_neuron"))
    for cell in nb.cells:
        meta = cell.metadata.get(META, {})
        if meta.get("exercise") != "ex03.sigmoid":
            continue
        if meta["role"] == "solution" and sigmoid_source is not None:
            cell.source = sigmoid_source
        if meta["role"] == "check" and check_source is not None:
            cell.source = check_source
    path = tmp_path / f"ex03_neuron-{name.replace(' ', '_').replace('.', '')}.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def adversarial(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("adversarial")
    paths = {name: _variant(tmp, name, src, chk) for name, (src, chk, _, _) in ADVERSARIAL.items()}
    corrupt = tmp / "ex03_neuron-corrupt.ipynb"
    corrupt.write_text('{"cells": [{"cell_type": "code", "source": "def sigm')
    not_nb = tmp / "notes.txt"
    not_nb.write_text("just some words")
    ordered = [*paths.values(), corrupt, not_nb]
    reports = grade_many(ordered, seed=SEED, timeout=TIMEOUT, jobs=2, progress=False)
    by_file = {r.file: r for r in reports}
    return {name: by_file[str(p)] for name, p in paths.items()}, by_file[str(corrupt)], by_file[str(not_nb)]


@pytest.mark.slow
@pytest.mark.parametrize("name", list(ADVERSARIAL))
def test_adversarial_submission_scores_what_it_deserves(adversarial, name):
    report = adversarial[0][name]
    _, _, score, status = ADVERSARIAL[name]
    assert report.status == "graded"
    by_id = {e.id: e for e in report.exercises}
    sigmoid = by_id["ex03.sigmoid"]
    assert sigmoid.status == status, (sigmoid.message, [c.message for c in sigmoid.cases])
    assert sigmoid.score == pytest.approx(score)
    # the other exercises of the notebook are untouched and keep their full marks
    for other in ("ex03.sigmoid_prime", "ex03.neuron_forward"):
        assert by_id[other].status == "passed", (other, by_id[other].message)
    assert report.score == pytest.approx(score + 2.0)
    # the learner's printed output is text their code wrote: graded reports never carry it
    assert "yyyy" not in sigmoid.output and "xxxx" not in sigmoid.output


@pytest.mark.slow
def test_looping_exercise_is_stopped_by_its_own_timeout(adversarial):
    sigmoid = {e.id: e for e in adversarial[0]["looping"].exercises}["ex03.sigmoid"]
    assert "time limit of 5 s" in sigmoid.message
    assert TIMEOUT <= sigmoid.duration < TIMEOUT + 10


@pytest.mark.slow
def test_tampering_is_reported(adversarial):
    sigmoid = {e.id: e for e in adversarial[0]["writing junk to the result pipe"].exercises}["ex03.sigmoid"]
    assert "not trusted" in sigmoid.message
    # the forger that looks for the job in memory is refused the garbage collector
    forger = {e.id: e for e in adversarial[0]["writing to the results file"].exercises}["ex03.sigmoid"]
    assert all("PermissionError" in c.message for c in forger.cases), [c.message for c in forger.cases]


@pytest.mark.slow
def test_rule_violation_names_the_forbidden_call(adversarial):
    sigmoid = {e.id: e for e in adversarial[0]["calling the reference"].exercises}["ex03.sigmoid"]
    assert "'engine'" in sigmoid.message and sigmoid.message.startswith("scored 0")


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["json", "gradescope", "csv"])
def test_adversarial_reports_render_in_every_format(adversarial, fmt):
    from backprop_course.grading.reports.formats import render_report

    named, corrupt, not_nb = adversarial
    text = render_report([*named.values(), corrupt, not_nb], fmt, SEED, TIMEOUT)
    if fmt != "csv":
        json.loads(text)  # strict JSON: no NaN or infinity sneaks in
    assert "ex03_neuron-looping" in text or fmt == "gradescope"


@pytest.mark.slow
def test_malformed_files_get_a_clear_error_and_do_not_stop_the_others(adversarial):
    _, corrupt, not_nb = adversarial
    assert corrupt.status == "error" and "not a Jupyter notebook" in corrupt.error
    assert not_nb.status == "error" and "notes.txt" in not_nb.error
    assert not corrupt.exercises and corrupt.score == 0


def _cli(*args, timeout=300):
    return subprocess.run([sys.executable, "-m", "backprop_course.cli", "grade", *args],
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory):
    """One CLI run over every solution, every learner notebook and a corrupt file (--jobs 2)."""
    tmp = tmp_path_factory.mktemp("cli")
    corrupt = tmp / "corrupt.ipynb"
    corrupt.write_text('{"nbformat": 4, "cells": [')
    files = [*sorted(SOLUTIONS.glob("*.ipynb")), *sorted(EXERCISES.glob("*.ipynb")), corrupt]
    out = tmp / "results.json"
    run = _cli(*map(str, files), "--out", str(out), "--seed", "7", "--jobs", "2")
    return run, json.loads(out.read_text())


@pytest.mark.slow
def test_cli_gives_full_marks_to_the_solutions(cli_run):
    run, doc = cli_run
    assert run.returncode == 0, run.stderr
    assert doc["schema"] == "backprop-course/grades/1" and doc["seed"] == 7
    n = len(registry.NOTEBOOKS)  # one learner and one solution notebook each, plus the corrupt file
    assert doc["summary"] == {"submissions": 2 * n + 1, "graded": 2 * n, "errors": 1}
    solutions = [s for s in doc["submissions"] if "/solutions/" in s["file"]]
    assert len(solutions) == n
    for sub in solutions:
        assert sub["status"] == "graded" and sub["score"] == sub["max_score"] > 0, sub["file"]
        ids = [e["id"] for e in sub["exercises"]]
        assert ids == [ex.id for ex in registry.for_notebook(sub["notebook"])]
        for ex in sub["exercises"]:
            assert ex["status"] == "passed"
            for case in ex["cases"]:
                assert set(case) >= {"name", "hidden", "passed", "message"} and case["passed"]
    total = sum(ex.points for ex in registry.all_exercises().values())
    assert sum(s["score"] for s in solutions) == pytest.approx(total)


@pytest.mark.slow
def test_cli_gives_zero_and_not_attempted_to_the_learner_notebooks(cli_run):
    _, doc = cli_run
    learners = [s for s in doc["submissions"] if "/solutions/" not in s["file"] and s["status"] == "graded"]
    assert len(learners) == len(registry.NOTEBOOKS)
    for sub in learners:
        assert sub["score"] == 0 and sub["max_score"] > 0 and not sub["error"]
        assert all(e["status"] == "not attempted" and e["score"] == 0 for e in sub["exercises"])


@pytest.mark.slow
def test_cli_reports_a_corrupt_file_and_grades_the_rest(cli_run):
    run, doc = cli_run
    bad = [s for s in doc["submissions"] if s["status"] == "error"]
    assert len(bad) == 1 and bad[0]["file"].endswith("corrupt.ipynb")
    assert "not a Jupyter notebook" in bad[0]["error"] and "corrupt.ipynb" in run.stderr


def test_csv_gradebook_has_one_row_per_submission_and_one_column_per_exercise(tmp_path):
    reports = grade_many([EXERCISES / "ex02_graphs.ipynb", SOLUTIONS / "ex11_init.ipynb"], seed=1, timeout=30)
    from backprop_course.grading.reports.formats import render_report

    rows = list(csv.DictReader(io.StringIO(render_report(reports, "csv", 1, 30))))
    assert [r["score"] for r in rows] == ["0.0", "2.0"]
    assert list(rows[0]) == ["file", "status", "score", "max_score", "ex02.graph", "ex02.add_gate",
                             "ex02.mul_gate", "ex11.xavier_uniform", "error", "diagnoses"]
    assert rows[0]["ex11.xavier_uniform"] == "" and rows[1]["ex11.xavier_uniform"] == "2.0"


@pytest.mark.slow
def test_cli_gradescope_format(tmp_path):
    learner = EXERCISES / "ex02_graphs.ipynb"
    solution = SOLUTIONS / "ex03_neuron.ipynb"
    out = tmp_path / "results.json"
    run = _cli(str(learner), str(solution), "--out", str(out), "--format", "gradescope", "--seed", "3")
    assert run.returncode == 0, run.stderr
    doc = json.loads(out.read_text())
    assert doc["score"] == pytest.approx(3.0)
    assert len(doc["tests"]) == 6
    for test in doc["tests"]:
        assert set(test) >= {"name", "score", "max_score", "output", "visibility"}
        assert test["visibility"] == "visible"
    not_attempted = [t for t in doc["tests"] if t["name"].startswith("ex02.")]
    assert all(t["score"] == 0 and "not attempted" in t["output"] for t in not_attempted)
    assert all("hidden" in t["output"] for t in doc["tests"] if t["name"].startswith("ex03."))
    # the seed would let a student compute the hidden cases: it is nowhere in the results
    assert "seed" not in doc["extra_data"] and '"3"' not in out.read_text()
    assert "seed" not in doc["output"] and all("seed" not in t["output"] for t in doc["tests"])


@pytest.mark.slow
def test_cli_fails_when_nothing_could_be_graded(tmp_path):
    bad = tmp_path / "bad.ipynb"
    bad.write_text("not json at all")
    out = tmp_path / "r.json"
    run = _cli(str(bad), str(tmp_path / "missing.ipynb"), "--out", str(out))
    assert run.returncode == 1
    assert "no submission could be graded" in run.stderr and "missing.ipynb: no such file" in run.stderr
    assert json.loads(out.read_text())["summary"]["graded"] == 0


@pytest.mark.parametrize("args", [["--timeout", "0"], ["--timeout", "nan"], ["--timeout", "inf"],
                                  ["--jobs", "-1"], ["--format", "xml"], []])
def test_cli_rejects_bad_options(tmp_path, args):
    run = _cli(str(EXERCISES / "ex02_graphs.ipynb"), *args, *([] if not args else ["--out", str(tmp_path / "o")]))
    assert run.returncode == 2 and "error" in run.stderr


def test_reports_are_written_atomically(tmp_path, monkeypatch):
    target = tmp_path / "report.json"
    target.write_text("old report")

    class Boom(Exception):
        pass

    def failing_replace(src, dst):
        raise Boom

    monkeypatch.setattr("os.replace", failing_replace)
    with pytest.raises(Boom):
        write_atomic(target, "new report")
    assert target.read_text() == "old report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]  # no temporary file left behind
    monkeypatch.undo()
    write_atomic(target, "new report")
    assert target.read_text() == "new report"


@pytest.mark.slow
def test_cli_reads_the_seed_from_a_file_and_never_prints_it(tmp_path):
    seed_file = tmp_path / "seed"
    seed_file.write_text("918273645\n")
    out = tmp_path / "r.json"
    run = _cli(str(SOLUTIONS / "ex02_graphs.ipynb"), "--out", str(out), "--seed-file", str(seed_file))
    assert run.returncode == 0, run.stderr
    assert json.loads(out.read_text())["seed"] == 918273645          # the instructor's report records it
    assert "918273645" not in run.stderr + run.stdout


@pytest.mark.parametrize("content, says", [(None, "cannot be read"), ("twelve", "must hold one integer")])
def test_cli_refuses_a_bad_seed_file(tmp_path, content, says):
    seed_file = tmp_path / "seed"
    if content is not None:
        seed_file.write_text(content)
    run = _cli(str(SOLUTIONS / "ex02_graphs.ipynb"), "--out", str(tmp_path / "r.json"), "--seed-file", str(seed_file))
    assert run.returncode == 2 and says in run.stderr and not (tmp_path / "r.json").exists()


def test_cli_refuses_two_seeds(tmp_path):
    seed_file = tmp_path / "seed"
    seed_file.write_text("3")
    run = _cli(str(SOLUTIONS / "ex02_graphs.ipynb"), "--out", str(tmp_path / "r.json"), "--seed", "3",
               "--seed-file", str(seed_file))
    assert run.returncode == 2 and "not both" in run.stderr
