"""Malformed and hostile notebooks cost only what they break, and reports never replace what is not a file.

Each attack here was run against the code before the fix and succeeded there (a traceback from
``progress`` and ``grade``, ``ast.parse`` raising MemoryError / RecursionError, ``--out`` replacing a
device, a pipe or a symbolic link with a regular file after all the grading was done).
"""
from __future__ import annotations

import ast
import copy
import json
import os
import stat
import subprocess
import sys
import time

import pytest

from backprop_course.grading import intake
from backprop_course.grading.checking import source_rules
from backprop_course.grading.checking.source_rules import (MAX_NESTING, MAX_SOURCE_CHARS, UncheckableSource,
                                                           find_violations, parse_source, precheck)
from backprop_course.grading.grader import grade_notebook
from backprop_course.grading.intake import NotebookError, extract, read_notebook
from backprop_course.grading.reports.formats import UnsafeOutput, check_report_path, write_atomic

from grading_helpers import EXERCISES, META, SOLUTIONS

MINUS = "x = " + "-" * 100_000 + "1\n"          # the attacker's cell: 100,000 unary minus signs
NESTED = "x = " + "-" * 5_000 + "1\n"           # under the size limit, still too deep for ast
SIG_OK = "def sigmoid(z):\n    return 1 / (1 + np.exp(-z))\n"
PRIME_OK = "def sigmoid_prime(z):\n    s = 1 / (1 + np.exp(-z))\n    return s * (1 - s)\n"
FORWARD_OK = "def neuron_forward(w, b, x):\n    return 1 / (1 + np.exp(-(np.dot(w, x) + b)))\n"


# ---------------------------------------------------------------- parsing hostile sources

def test_the_attack_breaks_a_bare_ast_parse():
    with pytest.raises(MemoryError):    # what intake and the rule check did before: an uncaught error
        ast.parse(MINUS)


PLUS_CHAIN = "x = " + "1+" * 200_000 + "1"   # ast.parse of this kills Python 3.10 with a segmentation fault


def test_hostile_sources_cannot_crash_the_grading_process():
    code = ("import sys; from backprop_course.grading.checking.source_rules import find_violations as f; "
            "src = sys.stdin.read(); print(f(src, ()), f('x = ' + '-' * 100_000 + '1', ()))")
    run = subprocess.run([sys.executable, "-c", code], input=PLUS_CHAIN, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.count("the code cannot be checked: the code is") == 2
    if sys.version_info < (3, 11):      # the attack itself, where it works: the bare parse crashes
        bare = subprocess.run([sys.executable, "-c", "import ast, sys; ast.parse(sys.stdin.read())"],
                              input=PLUS_CHAIN, capture_output=True, text=True, timeout=120)
        assert bare.returncode < 0


@pytest.mark.parametrize("source,reason", [
    (MINUS, f"the code is 100,006 characters long, over the limit of {MAX_SOURCE_CHARS:,}"),
    (NESTED, f"line 1: an expression nested more than {MAX_NESTING} levels deep"),
    ("x = " + "not " * 20_000 + "1", "nested more than"),
    ("x = " + "1+" * 40_000 + "1", "nested more than"),        # segfaults ast.parse on Python 3.10 at 200,000
    ("x = a" + ".b" * 40_000, "nested more than"),
    ("x = f" + "()" * 20_000, "nested more than"),
    ("x = " + "lambda: " * 10_000 + "1", "nested more than"),
    ("x = " + "1 if 1 else " * 5_000 + "1", "nested more than"),
    ("x = " + "(" * 300 + "1" + ")" * 300, "nested more than"),
    ("if x:\n pass\n" + "elif x:\n pass\n" * 1_001, "more than 1,000 elif branches"),
    ("x = 1\ny = 2\x00\n", "the code contains a NUL byte (line 2)"),
    (["def f(): pass"], "the code is not text (it is list)"),
])
def test_hostile_sources_are_refused_with_the_reason(source, reason):
    assert reason in precheck(source)
    with pytest.raises(UncheckableSource, match="."):
        parse_source(source)
    if isinstance(source, str):
        (message,) = find_violations(source, {"backward"})
        assert message.startswith("the code cannot be checked: ") and reason in message


def test_errors_of_ast_parse_itself_are_caught_too(monkeypatch):
    monkeypatch.setattr(source_rules, "precheck", lambda source: None)    # as if the pre-check missed it
    with pytest.raises(UncheckableSource, match="nested too deeply"):
        parse_source(MINUS)             # MemoryError inside ast.parse, on every Python version
    assert find_violations(MINUS, ()) == ["the code cannot be checked: the code is nested too deeply to check"]


@pytest.mark.parametrize("source", [
    "x = [" + "-1, " * 20_000 + "]",                       # long flat data is not nesting
    "x = [" + "[1, -2, [3]], " * 5_000 + "]",
    "print('" + "-" * 5_000 + "')  # " + "-" * 5_000,      # minus signs in strings and comments
    "y = -(-(-x)) + a.b.c(d)[e] ** 2 if not p else lambda q: -q",
])
def test_ordinary_code_passes_the_precheck(source):
    assert precheck(source) is None
    assert find_violations(source, ()) == []


def test_every_code_cell_of_the_course_passes_the_precheck():
    cells = 0
    for path in sorted([*EXERCISES.glob("*.ipynb"), *SOLUTIONS.glob("*.ipynb")]):
        for cell in json.loads(path.read_text())["cells"]:
            if cell["cell_type"] == "code":
                cells += 1
                assert precheck("".join(cell["source"])) is None, (path.name, cell["source"][:3])
    assert cells > 50


def test_a_syntax_error_is_still_reported_as_one():
    assert find_violations("def f(:\n  pass", ()) == ["line 1: the code does not parse (invalid syntax)"]


# ---------------------------------------------------------------- extract: every malformed kind

def _nb(cells, metadata=None):
    """A v4 notebook as plain JSON data (what a hostile file holds; no schema applies)."""
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": {} if metadata is None else metadata, "cells": cells}


def _code(source, role=None, exercise=None, metadata=None):
    meta = metadata if metadata is not None else (
        {META: {k: v for k, v in (("role", role), ("exercise", exercise)) if v is not None}} if role else {})
    return {"cell_type": "code", "metadata": meta, "source": source, "outputs": [], "execution_count": None}


SETUP = _code("import numpy as np\nimport backprop_course as bc\n", role="setup")
NEURON = [SETUP, _code(SIG_OK, "solution", "ex03.sigmoid"), _code(PRIME_OK, "solution", "ex03.sigmoid_prime"),
          _code(FORWARD_OK, "solution", "ex03.neuron_forward")]
ALL3 = ["ex03.sigmoid", "ex03.sigmoid_prime", "ex03.neuron_forward"]


@pytest.mark.parametrize("metadata,note", [
    (5, "the notebook's metadata was ignored (a number, not an object)"),
    ([1, 2], "the notebook's metadata was ignored (a list holding a number, not an object)"),
    ("text", "the notebook's metadata was ignored (text, not an object)"),
    ({META: ["ex03.sigmoid"]}, "the notebook's metadata 'backprop_course' was ignored (a list, not an object)"),
    ({META: [None]}, "the notebook's metadata 'backprop_course' was ignored (a list holding null, not an object)"),
    ({META: {"exercises": 5}}, "the notebook's metadata 'exercises' was ignored (a number, not a list)"),
    ({META: {"exercises": "ex03.sigmoid"}}, "the notebook's metadata 'exercises' was ignored (text, not a list)"),
    ({META: {"exercises": {"a": 1}, "notebook": 7}},
     "the notebook's metadata 'exercises' was ignored (an object, not a list)"),
])
def test_bad_notebook_metadata_is_ignored_and_noted(metadata, note):
    out = extract(_nb(copy.deepcopy(NEURON), metadata), "ex03_neuron.ipynb")
    assert out.notebook == "ex03_neuron" and list(out.exercises) == ALL3 and not out.problems
    assert note in out.notes
    assert out.exercises["ex03.sigmoid"] == [SIG_OK.rstrip("\n")]


def test_ids_that_are_not_text_or_not_in_the_course_are_ignored_and_duplicates_kept_once():
    meta = {META: {"exercises": [5, None, ["x"], "ex99.nope", "ex03.sigmoid", "ex03.sigmoid", "ex06.output_delta"]}}
    out = extract(_nb(copy.deepcopy(NEURON), meta), "homework.ipynb")
    assert out.notebook is None
    # foreign ids of the course (another notebook's exercise) are graded, as a learner may copy one in
    assert list(out.exercises) == ["ex03.sigmoid", "ex06.output_delta", "ex03.sigmoid_prime",
                                   "ex03.neuron_forward"]
    assert out.exercises["ex06.output_delta"] == []          # no cell defines it: graded as missing
    where = "the notebook's metadata 'exercises': "
    assert where + "an exercise id that is not text was ignored (a number)" in out.notes
    assert where + "an exercise id that is not text was ignored (null)" in out.notes
    assert "ids that are not exercises of the course were ignored: 'ex99.nope'" in out.notes


@pytest.mark.parametrize("metadata,note", [
    ([1], "cell 2: its metadata was ignored (a list holding a number, not an object)"),
    (3, "cell 2: its metadata was ignored (a number, not an object)"),
    ({META: "solution"}, "cell 2: its metadata 'backprop_course' was ignored (text, not an object)"),
    ({META: {"role": 5, "exercise": 5}}, "cell 2: an exercise id that is not text was ignored (a number)"),
])
def test_bad_cell_metadata_falls_back_to_the_definitions(metadata, note):
    cells = copy.deepcopy(NEURON)
    cells[1]["metadata"] = metadata
    out = extract(_nb(cells), "ex03_neuron.ipynb")
    assert note in out.notes and not out.problems
    assert out.exercises["ex03.sigmoid"] == [SIG_OK.rstrip("\n")]   # found by its def


@pytest.mark.parametrize("source,kind", [
    ([1, 2], "a list holding a number"),
    (["def sigmoid(z):\n", None], "a list holding null"),
    ({"code": "x"}, "an object"),
    (7, "a number"),
])
def test_a_cell_whose_source_is_not_text_costs_only_its_exercise(source, kind):
    cells = copy.deepcopy(NEURON)
    cells[2]["source"] = source
    out = extract(_nb(cells), "ex03_neuron.ipynb")
    assert list(out.exercises) == ALL3
    assert out.problems == {"ex03.sigmoid_prime": [f"cell 3 cannot be read: its source is {kind}, not text"]}
    assert out.exercises["ex03.sigmoid"] == [SIG_OK.rstrip("\n")]


def test_an_unreadable_setup_cell_costs_every_exercise_with_its_reason():
    cells = copy.deepcopy(NEURON)
    cells[0]["source"] = [1]
    out = extract(_nb(cells), "ex03_neuron.ipynb")
    reason = "the setup cell 1 cannot be read: its source is a list holding a number, not text"
    assert out.problems == {ex: [reason] for ex in ALL3} and out.setup == []


def test_cells_that_are_not_cells_or_have_no_source():
    cells = [5, "text", None, *copy.deepcopy(NEURON)]
    del cells[4]["source"]                                    # the sigmoid cell: no source at all
    cells[5]["source"] = None
    out = extract(_nb(cells), "ex03_neuron.ipynb")
    assert {"cell 1 was ignored (a number, not a cell)", "cell 2 was ignored (text, not a cell)",
            "cell 3 was ignored (null, not a cell)"} <= set(out.notes)
    assert out.exercises["ex03.sigmoid"] == [""] and out.exercises["ex03.sigmoid_prime"] == [""]
    assert out.exercises["ex03.neuron_forward"] == [FORWARD_OK.rstrip("\n")]


def test_an_empty_notebook_has_no_exercise_and_says_so():
    out = extract(_nb([]), "homework.ipynb")
    assert out.exercises == {} and out.notes == ["the notebook has no cells"]


@pytest.mark.parametrize("bad", [MINUS, NESTED, "x = 1\x00\n" + SIG_OK, "x = 1\n" * 30_000 + SIG_OK,
                                 "def sigmoid(z):\n" + "    return " + "(" * 500 + "z" + ")" * 500 + "\n"])
def test_pathological_cells_stay_with_their_exercise_and_cost_only_it(bad):
    cells = copy.deepcopy(NEURON)
    cells[2]["source"] = bad + PRIME_OK                       # the sigmoid_prime cell
    cells.insert(3, _code(bad))                               # and an unmarked cell of its own
    start = time.perf_counter()
    out = extract(_nb(cells), "ex03_neuron.ipynb")
    assert time.perf_counter() - start < 3
    assert out.exercises["ex03.sigmoid_prime"] == [bad + PRIME_OK.rstrip("\n")]
    assert out.exercises["ex03.sigmoid"] == [SIG_OK.rstrip("\n")] and not out.problems
    (message,) = find_violations("\n\n".join([*out.setup, *out.exercises["ex03.sigmoid_prime"]]), ())
    assert message.startswith("the code cannot be checked: ")
    assert find_violations("\n\n".join([*out.setup, *out.exercises["ex03.sigmoid"]]), ()) == []


def test_a_check_call_in_a_pathological_cell_is_left_for_the_rule_check():
    source = MINUS + "bc.check('ex03.sigmoid', sigmoid)\n"
    assert intake.drop_check_calls(source) == source
    assert intake._defines("def sigmoid(z):\n" + NESTED) == {"sigmoid"}      # textual fallback


# ---------------------------------------------------------------- read_notebook: files

def _write(tmp_path, data, name="ex03_neuron.ipynb"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def test_an_nbformat_3_notebook_is_read_and_its_exercises_found(tmp_path):
    v3 = {"nbformat": 3, "nbformat_minor": 0, "metadata": {"name": ""}, "worksheets": [{"cells": [
        {"cell_type": "heading", "level": 1, "source": "Neuron", "metadata": {}},
        {"cell_type": "code", "input": "import numpy as np\n", "language": "python", "metadata": {}, "outputs": []},
        {"cell_type": "code", "input": [SIG_OK, "bc.check('ex03.sigmoid', sigmoid)\n"], "language": "python",
         "metadata": {}, "outputs": []}]}]}
    out = extract(read_notebook(_write(tmp_path, v3, "homework.ipynb")), "homework.ipynb")
    assert out.setup == ["import numpy as np"]
    assert out.exercises == {"ex03.sigmoid": [SIG_OK]}       # the check call is dropped


@pytest.mark.parametrize("data,reason", [
    ({"nbformat": 2, "cells": []}, "nbformat 2; versions 4 and 3 are read"),
    ({"nbformat": "4", "cells": []}, "nbformat '4'"),
    ([1, 2], "the file holds a list holding a number, not an object"),
    ("5", "the file holds a number, not an object"),
    ({"nbformat": 4, "cells": {"0": {}}}, "no list of cells"),
    ({"nbformat": 3, "worksheets": 5}, None),                 # read, and simply has no cells
    ("[" * 100_000 + "]" * 100_000, "not valid JSON"),        # the JSON parser's own recursion limit
    ('{"nbformat": 4, "cells": [], "x": ' + "9" * 10_000 + "}", "not valid JSON"),   # int digits limit
])
def test_files_that_are_not_notebooks_get_a_reason(tmp_path, data, reason):
    path = _write(tmp_path, data)
    if reason is None:
        assert extract(read_notebook(path)).notes == ["the notebook has no cells"]
        return
    with pytest.raises(NotebookError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        read_notebook(path)


def test_a_notebook_over_the_size_limit_is_not_read(tmp_path, monkeypatch):
    monkeypatch.setattr(intake, "MAX_NOTEBOOK_BYTES", 1000)
    path = _write(tmp_path, _nb([_code("x = 1\n" * 400)]))
    with pytest.raises(NotebookError, match="over the limit of 0 MB for a notebook; clear its outputs"):
        read_notebook(path)


def test_a_pipe_or_a_folder_is_not_read(tmp_path):
    os.mkfifo(tmp_path / "pipe.ipynb")                        # reading it would block the grader forever
    with pytest.raises(NotebookError, match="is not a regular file"):
        read_notebook(tmp_path / "pipe.ipynb")
    (tmp_path / "dir.ipynb").mkdir()
    with pytest.raises(NotebookError, match="is a folder, not a notebook"):
        read_notebook(tmp_path / "dir.ipynb")


# ---------------------------------------------------------------- grading: only the affected exercises

@pytest.mark.slow
def test_one_notebook_with_every_kind_of_damage_is_graded_where_it_can_be(tmp_path):
    cells = [5, *copy.deepcopy(NEURON)]
    cells[3]["source"] = [1, 2]                               # sigmoid_prime: unreadable
    cells[4]["source"] = MINUS + FORWARD_OK                   # neuron_forward: pathological
    cells[2]["metadata"] = [1]                                # sigmoid: no metadata, found by its def
    path = _write(tmp_path, _nb(cells, {META: {"exercises": 5, "notebook": ["x"]}}))
    report = grade_notebook(path, seed=0, timeout=30)
    by_id = {e.id: e for e in report.exercises}
    assert report.status == "graded" and list(by_id) == ALL3
    assert (by_id["ex03.sigmoid"].status, by_id["ex03.sigmoid"].score) == ("passed", 1.0)
    assert by_id["ex03.sigmoid_prime"].status == "rule violation"
    assert by_id["ex03.sigmoid_prime"].message == (
        "scored 0: cell 4 cannot be read: its source is a list holding a number, not text")
    assert by_id["ex03.neuron_forward"].status == "rule violation"
    assert by_id["ex03.neuron_forward"].message == (
        "scored 0: the code cannot be checked: the code is 100,132 characters long, over the limit of 100,000; "
        "keep data out of the graded cells")
    assert report.score == 1.0 and report.max_score == 3.0


def test_a_notebook_without_exercises_says_what_was_ignored(tmp_path):
    path = _write(tmp_path, _nb([_code("x = 1", metadata=[1])], {META: {"exercises": 5}}), "homework.ipynb")
    report = grade_notebook(path, seed=0, timeout=30)
    assert report.status == "error" and report.error == (
        f"{path}: no exercise of the course was found in this notebook (the notebook's metadata 'exercises' "
        "was ignored (a number, not a list); cell 1: its metadata was ignored (a list holding a number, "
        "not an object))")


def _malformed_folder(folder):
    """A course folder of broken notebooks: each costs what it breaks, and nothing runs learner code long."""
    folder.mkdir(parents=True)
    unreadable = copy.deepcopy(NEURON)
    for cell in unreadable[1:]:
        cell["source"] = [1]
    _write(folder, _nb(unreadable, {META: {"exercises": 5}}), "ex03_neuron.ipynb")
    _write(folder, "{not json", "ex02_graphs.ipynb")
    _write(folder, _nb([]), "ex04_descent.ipynb")         # named as a course notebook: its exercises, missing
    _write(folder, _nb([]), "empty.ipynb")
    _write(folder, [1, 2], "notes.ipynb")
    hostile = copy.deepcopy(NEURON)
    hostile[1]["source"] = MINUS
    hostile[2]["source"] = "x = " + "1+" * 40_000 + "1\n"
    hostile[3]["source"] = "def neuron_forward(w, b, x):\n\x00"
    _write(folder, _nb(hostile), "ex03_neuron_b.ipynb")
    return folder


def _cli(*args, timeout=300):
    start = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "backprop_course.cli", *map(str, args)], capture_output=True,
                         text=True, timeout=timeout)
    return run, time.perf_counter() - start


@pytest.mark.slow
def test_progress_shows_broken_notebooks_as_rows_and_no_traceback(tmp_path):
    folder = _malformed_folder(tmp_path / "course" / "exercises")
    run, _ = _cli("progress", folder.parent, "--seed", "1", "--jobs", "1")
    assert run.returncode == 0 and "Traceback" not in run.stderr + run.stdout, run.stderr
    lines = run.stdout.splitlines()
    rows = {tuple(line.split()[:3]) for line in lines}
    for ex in ALL3:
        assert ("ex03_neuron", ex, "fail") in rows and ("ex03_neuron_b", ex, "fail") in rows
    (row,) = [line for line in lines if line.startswith("ex02_graphs ")]
    assert row.split()[:5] == ["ex02_graphs", "-", "not", "graded", "-"]
    assert row.endswith("  not a Jupyter notebook (not valid JSON: Expecting property name enclosed in double "
                        "quotes: line 1 column 2 (char 1))")
    assert ("ex04_descent", "ex04.step", "fail") in rows
    assert "0 passed, 9 failed, 0 not attempted; 0/10 points; 1 notebook(s) not graded" in lines
    assert lines[-2:] == [
        "not graded: empty.ipynb: no exercise of the course was found in this notebook (the notebook has no cells)",
        "not graded: notes.ipynb: not a Jupyter notebook (the file holds a list holding a number, not an object)"]


@pytest.mark.slow
def test_grade_reports_every_broken_notebook_and_no_traceback(tmp_path):
    folder = _malformed_folder(tmp_path / "subs")
    out = tmp_path / "report.json"
    run, _ = _cli("grade", *sorted(folder.glob("*.ipynb")), "--out", out, "--seed", "1")
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
    doc = json.loads(out.read_text())
    got = {os.path.basename(s["file"]): (s["status"], [(e["id"], e["status"]) for e in s["exercises"]])
           for s in doc["submissions"]}
    assert got["ex03_neuron.ipynb"] == ("graded", [(ex, "rule violation") for ex in ALL3])
    assert got["ex03_neuron_b.ipynb"] == ("graded", [(ex, "rule violation") for ex in ALL3])
    ex04 = ("ex04.step", "ex04.path", "ex04.lr_limits")
    assert got["ex04_descent.ipynb"] == ("graded", [(e, "missing") for e in ex04])
    assert got["ex02_graphs.ipynb"][0] == got["empty.ipynb"][0] == got["notes.ipynb"][0] == "error"
    assert "(the notebook has no cells)" in doc["submissions"][0]["error"]
    messages = {e["id"]: e["message"] for e in doc["submissions"][3]["exercises"]}
    assert "cannot be checked: the code is 100,054 characters long" in messages["ex03.sigmoid"]
    assert "nested more than 200 levels deep" in messages["ex03.sigmoid_prime"]
    # line numbers count the setup cell's lines too, as in every rule message
    assert "contains a NUL byte (line 5)" in messages["ex03.neuron_forward"]


# ---------------------------------------------------------------- --out: refused before any grading

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")


def _targets(tmp_path):
    real = tmp_path / "real.json"
    real.write_text("keep")
    (tmp_path / "link.json").symlink_to(real)
    (tmp_path / "dangling.json").symlink_to(tmp_path / "nowhere.json")
    os.mkfifo(tmp_path / "pipe.json")
    (tmp_path / "folder").mkdir()
    return real


def _snapshot(path):
    info = os.lstat(path)
    return stat.S_IFMT(info.st_mode), info.st_ino, info.st_size


@pytest.mark.parametrize("name,reason", [
    ("link.json", "--out must not be a symbolic link"),
    ("dangling.json", "--out must not be a symbolic link"),
    ("pipe.json", "--out must be a regular file or a new file name, not a device, pipe or socket"),
    ("folder", "--out must be a file, not a folder"),
    ("no/such/folder/r.json", "--out must be in an existing folder"),
    ("/proc/backprop-course-report.json", "--out must be in a folder you can write to; '/proc' is not"),
    ("/dev/full", "--out must be a regular file or a new file name, not a device"),
    ("", "--out must be a file name"),
])
def test_grade_refuses_a_bad_out_before_grading(tmp_path, name, reason):
    real = _targets(tmp_path)
    target = tmp_path / name if name and not name.startswith("/") else name
    before = {p: _snapshot(p) for p in [*tmp_path.iterdir(), "/dev/full"]}
    run, seconds = _cli("grade", SOLUTIONS / "ex03_neuron.ipynb", "--out", target)
    assert run.returncode == 2 and reason in run.stderr and "usage:" in run.stderr, run.stderr
    assert "Traceback" not in run.stderr and "3/3" not in run.stderr        # nothing was graded
    assert {p: _snapshot(p) for p in [*tmp_path.iterdir(), "/dev/full"]} == before
    assert real.read_text() == "keep" and stat.S_ISCHR(os.lstat("/dev/full").st_mode)


@needs_root
def test_a_device_is_neither_accepted_nor_replaced(tmp_path):
    device = tmp_path / "full"
    os.mknod(device, 0o644 | stat.S_IFCHR, os.makedev(1, 7))                # a twin of /dev/full
    with pytest.raises(UnsafeOutput, match="not a device, pipe or socket"):
        check_report_path(device)
    with pytest.raises(UnsafeOutput, match="'path' parameter must be a regular file"):
        write_atomic(device, "report")
    assert stat.S_ISCHR(os.lstat(device).st_mode) and [p.name for p in tmp_path.iterdir()] == ["full"]


def test_write_atomic_refuses_links_pipes_and_folders_and_leaves_them(tmp_path):
    real = _targets(tmp_path)
    for name in ("link.json", "dangling.json", "pipe.json", "folder"):
        before = _snapshot(tmp_path / name)
        with pytest.raises(UnsafeOutput):
            write_atomic(tmp_path / name, "report")
        assert _snapshot(tmp_path / name) == before
    assert real.read_text() == "keep" and not list(tmp_path.glob(".*.tmp"))


def test_write_atomic_rechecks_the_target_just_before_replacing(tmp_path, monkeypatch):
    out = tmp_path / "report.json"
    fsync = os.fsync

    def swap_then_sync(fd):   # while the report is being written, the name becomes a symbolic link
        if not out.is_symlink():
            out.symlink_to(tmp_path / "elsewhere")
        fsync(fd)

    monkeypatch.setattr(os, "fsync", swap_then_sync)
    with pytest.raises(UnsafeOutput, match="must not be a symbolic link"):
        write_atomic(out, "report")
    assert out.is_symlink() and not list(tmp_path.glob(".*.tmp"))


def test_write_atomic_writes_mode_0644_whatever_the_umask(tmp_path):
    old = os.umask(0o077)
    try:
        write_atomic(tmp_path / "r.json", "report")
        write_atomic(tmp_path / "r.json", "again")             # replacing keeps 0644 too
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "r.json").st_mode) == 0o644
    assert (tmp_path / "r.json").read_text() == "again"


def test_a_report_that_cannot_be_written_after_grading_is_kept_elsewhere(tmp_path, monkeypatch, capsys):
    from backprop_course.grading import cli, grader

    out = tmp_path / "report.json"

    def grade_many(paths, **kwargs):       # grading takes a while; meanwhile --out became a pipe
        os.mkfifo(out)
        return [grader.SubmissionReport(file="a.ipynb", status="graded", score=1.0, max_score=1.0)]

    monkeypatch.setattr(grader, "grade_many", grade_many)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    args = cli.register_grade(__import__("argparse").ArgumentParser().add_subparsers()).parse_args(
        ["a.ipynb", "--out", str(out), "--seed", "3"])
    assert cli.run_grade(args) == 1
    err = capsys.readouterr().err
    assert "cannot write" in err and "--out must be a regular file" in err and "saved to" in err
    kept = err.rsplit("saved to ", 1)[1].split(" instead")[0]
    assert json.loads(open(kept).read())["submissions"][0]["score"] == 1.0
    assert stat.S_ISFIFO(os.lstat(out).st_mode)


def test_the_autograder_out_gets_the_same_checks(tmp_path):
    from backprop_course.grading.gradescope.bundle import check_out_path

    (tmp_path / "real.zip").write_text("keep")
    (tmp_path / "link.zip").symlink_to(tmp_path / "real.zip")
    os.mkfifo(tmp_path / "pipe.zip")
    for name, reason in [("link.zip", "must not be a symbolic link"), ("pipe.zip", "not a device, pipe or socket"),
                         ("/proc/a.zip", "folder you can write to")]:
        with pytest.raises(ValueError, match=reason):
            check_out_path(tmp_path / name)
    assert check_out_path(tmp_path / "real.zip") == tmp_path / "real.zip"


@pytest.mark.parametrize("cells", [
    [5] * 100_000,                                            # 100,000 cells that are not cells
    [_code("x = 1", metadata={META: {"exercise": f"ex99.n{i}"}}) for i in range(20_000)],
    [_code("x = 1", metadata={META: {"exercise": [[[[1]]]] * 3}})],
])
def test_many_or_nested_bad_cells_are_cheap_and_their_notes_bounded(cells):
    start = time.perf_counter()
    out = extract(_nb(cells), "ex03_neuron.ipynb")
    assert time.perf_counter() - start < 3
    assert list(out.exercises) == ALL3 and 1 <= len(out.notes) <= 16
    assert all(len(note) < 400 for note in out.notes)
