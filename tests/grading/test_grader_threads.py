"""The grader's own work (reading, checking sources, judging, diagnosing) never runs in two threads at once.

``grade_many`` drives several children from threads. CPython 3.11 keeps the depth counter of its AST
conversion per interpreter, so two threads inside ``ast.parse`` at once can fail with "SystemError: AST
constructor recursion depth mismatch" (CI, 3.11.7: three ex13 submissions lost). Here ``ast.parse`` is
wrapped to sleep inside (releasing the GIL, so another thread WOULD get in) and to record how many threads
are inside at once: with the grader's lock it is always one.
"""
from __future__ import annotations

import ast
import threading
import time

import nbformat
import pytest

from backprop_course.grading.grader import grade_many

from grading_helpers import SOLUTIONS

pytestmark = pytest.mark.slow   # a few sandboxed children: about 10 s


def test_parsing_is_never_concurrent(tmp_path, monkeypatch):
    inside, most, lock = [0], [0], threading.Lock()
    real_parse = ast.parse

    def watched_parse(*args, **kwargs):
        with lock:
            inside[0] += 1
            most[0] = max(most[0], inside[0])
        try:
            time.sleep(0.002)   # let another thread in, if anything would let it
            return real_parse(*args, **kwargs)
        finally:
            with lock:
                inside[0] -= 1

    paths = []
    for i, stem in enumerate(["ex03_neuron", "ex07_symbolic", "ex02_graphs", "ex14_softmax"] * 2):
        path = tmp_path / f"{i}-{stem}.ipynb"
        nbformat.write(nbformat.read(SOLUTIONS / f"{stem}.ipynb", as_version=4), path)
        paths.append(path)
    monkeypatch.setattr(ast, "parse", watched_parse)
    reports = grade_many(paths, seed=3, timeout=60, jobs=4, progress=False)
    assert [r.status for r in reports] == ["graded"] * len(paths), [r.error for r in reports]
    assert all(r.score == r.max_score for r in reports)
    assert most[0] == 1, f"{most[0]} threads were inside ast.parse at once"
