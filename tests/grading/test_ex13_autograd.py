"""Lesson 13's exercises: the drivers that grade a learner's class through data, and the misconceptions.

* Every catalogued misconception (the wrong code a learner would write) fails a hidden case and scores
  at most half the points, for several seeds; no two give the same outputs on every case.
* The references are right by an independent oracle: finite differences of the same expressions.
* The drivers only ever return numbers: a hostile class (odd return types, exceptions of every kind,
  tampering with the driver's own nodes) costs its case and nothing else.
* The grader runs the cells of 13.1 and 13.2 before those of 13.3 (``Exercise.requires``).
"""
from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

from backprop_course.grading.checking.cases import Case
from backprop_course.grading.checking.check import call_inputs, evaluate
from backprop_course.grading.exercises import ex13_autograd as ex13
from backprop_course.grading.exercises import registry
from backprop_course.grading.intake import extract
from backprop_course.grading.sandbox import codec, drivers
from backprop_course.grading.sandbox.call import ERROR, NOT_ATTEMPTED, OK, call_case
from backprop_course.grading.sandbox.codec import DriverSpec

from grading_helpers import solution_notebook

EXERCISES = {ex.id: ex for ex in ex13.EXERCISES}
# ex13.backward's cases hold chains of thousands of nodes (about 1 s per seed): its rows join the slow tier,
# and the fast tier still meets each of its misconceptions once, in tests/grading/test_exercises.py.
SLOW = pytest.mark.slow
ROWS = [pytest.param(ex.id, m.name, marks=[SLOW] if ex.id == "ex13.backward" else [])
        for ex in ex13.EXERCISES for m in ex.misconceptions]
IDS = [pytest.param(i, marks=[SLOW] if i == "ex13.backward" else []) for i in ("ex13.ops", "ex13.backward", "ex13.train")]
SEEDS = {"ex13.ops": range(6), "ex13.backward": range(4), "ex13.train": range(6)}


def _load(source: str, name: str):
    namespace: dict = {"np": np}
    exec(source, namespace)  # noqa: S102 - our own sources
    return namespace[name]


def _misconception(exercise_id: str, name: str):
    ex = EXERCISES[exercise_id]
    return next(m for m in ex.misconceptions if m.name == name)


def test_registered_with_three_or_more_misconceptions_each():
    assert "ex13_autograd" in registry.NOTEBOOKS
    assert [e.id for e in registry.for_notebook("ex13_autograd")] == ["ex13.ops", "ex13.backward", "ex13.train"]
    for ex in ex13.EXERCISES:
        assert len(ex.misconceptions) >= 3, ex.id
        for m in ex.misconceptions:
            assert m.lesson.startswith("lesson 13, section ") and m.explanation and f"{ex.function}" in m.source


@pytest.mark.parametrize("exercise_id,name", ROWS)
def test_misconception_fails_a_hidden_case_and_scores_at_most_half(exercise_id, name):
    ex = EXERCISES[exercise_id]
    fn = _load(_misconception(exercise_id, name).source, ex.function)
    for seed in SEEDS[exercise_id]:
        result = evaluate(ex, fn, seed=seed)
        assert result.status in ("failed", "partial"), (seed, result.status, result.message)
        assert result.score <= ex.points / 2, (seed, [(c.name, c.passed) for c in result.cases])
        assert any(c.hidden and not c.passed for c in result.cases), seed


@pytest.mark.parametrize("exercise_id", IDS)
def test_no_two_misconceptions_give_the_same_outputs(exercise_id):
    ex = EXERCISES[exercise_id]
    cases = ex.cases(seed=0)
    seen = {}
    for m in ex.misconceptions:
        fn = _load(m.source, ex.function)
        outputs = []
        for case in cases:
            outcome = call_case(fn, call_inputs(case), ex.id, several=False)
            outputs.append(json.dumps([outcome.kind, outcome.output, outcome.error.split(":")[0]]))
        key = tuple(outputs)
        assert key not in seen, (m.name, seen.get(key))
        seen[key] = m.name


@pytest.mark.parametrize("exercise_id", IDS)
def test_model_solution_scores_full_marks(exercise_id):
    ex = EXERCISES[exercise_id]
    source = "\n\n".join(ex13.solution(i) for i in (*ex.requires, exercise_id))
    for seed in (0, 1):
        result = evaluate(ex, _load(source, ex.function), seed=seed)
        assert result.status == "passed", [(c.name, c.message) for c in result.cases if not c.passed]


# -- the references against an independent oracle: central differences of the same expressions ------------
def _forward(leaves, ops):
    vals = list(leaves)
    for row in ops:
        kind, a = row[0], vals[row[1]]
        x = vals[row[2]] if kind in ("add", "mul") else (row[2] if len(row) > 2 else None)
        vals.append(ex13._value(kind, a, x))
    return vals[-1]


@pytest.mark.parametrize("seed", [0, 1])
def test_graph_reference_matches_finite_differences(seed):
    rng = np.random.default_rng(seed)
    params = ex13._program(rng, depth=2_000)
    expected = ex13._graph(DriverSpec("graph", params))
    assert len(params["ops"]) > 2_000 and expected[0] == expected[1]
    leaves, h = params["leaves"], 1e-6
    for i in range(len(leaves)):
        up, down = list(leaves), list(leaves)
        up[i] += h
        down[i] -= h
        numeric = (_forward(up, params["ops"]) - _forward(down, params["ops"])) / (2 * h)
        assert abs(numeric - expected[0][i]) <= 1e-5 * max(1.0, abs(numeric)), (i, numeric, expected[0][i])
    assert any(abs(g) > 1e-3 for g in expected[0])          # gradients that would expose a bug


def test_ops_reference_matches_finite_differences():
    rng = np.random.default_rng(3)
    items = ex13._ops_items(rng)
    rows = ex13._ops(DriverSpec("ops", {"items": items}))
    h = 1e-6
    for (kind, a, b, upstream, grad_a, grad_b), (out, new_a, new_b) in zip(items, rows):
        f = {"add": lambda u, v: u + v, "mul": lambda u, v: u * v, "add_self": lambda u, v: u + u,
             "mul_self": lambda u, v: u * u, "addc": lambda u, v: u + b, "mulc": lambda u, v: u * b,
             "pow": lambda u, v: u ** b, "tanh": lambda u, v: np.tanh(u), "exp": lambda u, v: np.exp(u)}[kind]
        assert out == pytest.approx(f(a, b), rel=1e-12)
        assert new_a == pytest.approx(grad_a + upstream * (f(a + h, b) - f(a - h, b)) / (2 * h), rel=1e-6)
        if kind in ("add", "mul"):
            assert new_b == pytest.approx(grad_b + upstream * (f(a, b + h) - f(a, b - h)) / (2 * h), rel=1e-6)


def test_hidden_cases_hold_deep_chains_reuse_and_a_second_pass():
    cases = EXERCISES["ex13.backward"].hidden(np.random.default_rng(0))
    for case in cases:
        params = case.args[0].params
        assert params["repeat"] is True and len(params["ops"]) >= 2_000
        k = len(params["leaves"])            # node k, the first operation's result, is the shared one
        users = [n for n, r in enumerate(params["ops"]) if r[1] == k or (r[0] in ("add", "mul") and r[2] == k)]
        assert len(users) >= 2 and users[-1] - users[0] >= 2_000       # used below and above the deep chain


# -- the drivers --------------------------------------------------------------------------------------------
def test_driver_spec_crosses_the_process_line_as_data():
    spec = DriverSpec("graph", {"leaves": [1.0, 2.0], "ops": [["mul", 0, 1], ["tanh", 2]]}, "text stays home")
    data = json.loads(json.dumps(codec.encode([spec])))
    assert "text stays home" not in json.dumps(data)
    (driver,) = codec.decode(data)
    assert isinstance(driver, drivers.Driver) and driver.name == "graph"
    with pytest.raises(codec.EncodingError):
        codec.decode(data, inputs=False)      # a learner's output can never carry a driver
    for bad in ({"__driver__": "shell", "params": {}}, {"__driver__": "graph", "params": {"leaves": [1.0],
                                                                                        "ops": [["add", 0, 5]]}}):
        with pytest.raises(codec.EncodingError):
            codec.decode(bad)


def _run(fn, spec: DriverSpec, exercise_id: str = "ex13.ops"):
    return call_case(fn, call_inputs(Case("c", (spec,))), exercise_id, several=False, messages=False)


OPS_SPEC = DriverSpec("ops", {"items": [["mul", 2.0, -3.0, 1.5, 0.5, -0.25], ["tanh", 0.5, 0.0, 2.0, 0.0, 0.0]]})
GRAPH_SPEC = DriverSpec("graph", {"leaves": [2.0, -3.0], "ops": [["mul", 0, 1], ["add", 2, 0]], "repeat": True})


def test_the_drivers_return_plain_numbers_for_a_correct_answer():
    Value = _load(ex13.solution("ex13.ops"), "Value")
    outcome = _run(Value, OPS_SPEC)
    assert outcome.kind == OK and outcome.output == [[-6.0, 0.5 - 4.5, -0.25 + 3.0],
                                                     [float(np.tanh(0.5)), 2 * (1 - np.tanh(0.5) ** 2), 0.0]]
    outcome = _run(_load(ex13.solution("ex13.backward"), "backward_pass"), GRAPH_SPEC, "ex13.backward")
    assert outcome.kind == OK and outcome.output == [[-2.0, 2.0], [-2.0, 2.0]]     # d(x y + x) = (y + 1, x)


HOSTILE_OPS = {
    "data is a list": "class Value:\n    def __init__(self, d): self.data, self.grad = [d], 0.0; self._backward = lambda: None\n"
                      "    def __mul__(self, o): return Value(1.0)\n    def tanh(self): return Value(1.0)",
    "grad is a Value": "class Value:\n    def __init__(self, d): self.data, self.grad = d, 0.0; self._backward = lambda: None\n"
                       "    def __mul__(self, o): self.grad = Value(2.0); return Value(1.0)\n"
                       "    def tanh(self): return self",
    "SystemExit": "class Value:\n    def __init__(self, d): raise SystemExit(3)",
    "KeyboardInterrupt in __float__": (
        "class N(float):\n    def __float__(self): raise KeyboardInterrupt\n"
        "class Value:\n    def __init__(self, d): self.data, self.grad = N(d), N(0); self._backward = lambda: None\n"
        "    def __mul__(self, o): return Value(1.0)"),
    "returns itself from every op": (
        "class Value:\n    def __init__(self, d): self.data, self.grad = d, 0.0\n    def _backward(self): pass\n"
        "    def __mul__(self, o): return o\n    def tanh(self): return 'tanh'"),
    "a bool gradient": ("class Value:\n    def __init__(self, d): self.data, self.grad = d, 0.0; self._backward = lambda: None\n"
                        "    def __mul__(self, o): self.grad = True; return Value(1.0)"),
}


@pytest.mark.parametrize("name", list(HOSTILE_OPS))
def test_a_hostile_class_costs_only_its_case(name):
    cls = _load(HOSTILE_OPS[name], "Value")
    outcome = _run(cls, OPS_SPEC)
    assert outcome.kind in (OK, ERROR)
    json.dumps(outcome.to_json())                      # plain data, whatever happened
    if outcome.kind == OK:                             # numbers only, and not the right ones
        assert not EXERCISES["ex13.ops"].compare(ex13._ops(OPS_SPEC), outcome.output).passed
    else:
        assert ":" not in outcome.error                # graded runs: the exception's type name only


HOSTILE_BACKWARD = {
    "rewires the driver's nodes": ("def backward_pass(root):\n    root._prev = (root,)\n    root.data = 'x'\n"
                                   "    for c in []: pass"),
    "sets gradients to objects": "def backward_pass(root):\n    for c in root._prev: c.grad = [1.0]",
    "patches the node class": ("def backward_pass(root):\n    type(root).__init__ = None\n"
                               "    for c in root._prev: c.grad = 7.0"),
    "raises BaseException": "def backward_pass(root):\n    raise BaseException('hidden input: ' + repr(root))",
}


@pytest.fixture
def node_class_restored():
    """A hostile answer may patch the driver's node class; in a grader child that hurts only itself, but
    this test process runs on, so the class is put back."""
    saved = dict(vars(drivers.Node))
    yield
    for key in ("__init__", "__repr__"):
        setattr(drivers.Node, key, saved[key])


@pytest.mark.parametrize("name", list(HOSTILE_BACKWARD))
def test_a_hostile_backward_pass_costs_only_its_case(name, node_class_restored):
    fn = _load(HOSTILE_BACKWARD[name], "backward_pass")
    outcome = _run(fn, GRAPH_SPEC, "ex13.backward")
    assert outcome.kind in (OK, ERROR)
    json.dumps(outcome.to_json())
    if outcome.kind == OK:
        assert not EXERCISES["ex13.backward"].compare(ex13._graph(GRAPH_SPEC), outcome.output).passed
    else:
        assert "hidden input" not in outcome.error
    # the driver builds fresh nodes for the next case, whatever the learner did to the class
    good = _load(ex13.solution("ex13.backward"), "backward_pass")
    again = _run(good, GRAPH_SPEC, "ex13.backward")
    assert name == "patches the node class" or again.output == [[-2.0, 2.0], [-2.0, 2.0]]


def test_a_stub_is_not_attempted_through_the_driver():
    stub = "class Value:\n    def __init__(self, d):\n        raise NotImplementedError('ex13.ops: replace this line')"
    assert _run(_load(stub, "Value"), OPS_SPEC).kind == NOT_ATTEMPTED


# -- the grader runs 13.1 and 13.2 before 13.3 ----------------------------------------------------------------
def test_training_runs_after_the_cells_it_builds_on():
    out = extract(solution_notebook("ex13_autograd"), "ex13_autograd.ipynb")
    ops, backward, train = (out.exercises[i] for i in ("ex13.ops", "ex13.backward", "ex13.train"))
    assert len(ops) == len(backward) == 1 and train == ops + backward + train[2:] and len(train) == 3
    assert "class Value" in ops[0] and "def backward_pass" in backward[0] and "def train_mlp" in train[2]


def test_misconception_sources_are_distinct_and_never_the_solution():
    for ex in ex13.EXERCISES:
        sources = [m.source for m in ex.misconceptions]
        assert len(set(sources)) == len(sources)
        for a, b in itertools.combinations([ex13.solution(ex.id), *sources], 2):
            assert a != b


# -- through a real grader child: the drivers are the only bridge, and it carries numbers only -------------
from backprop_course.grading.sandbox import walls  # noqa: E402
from backprop_course.grading.sandbox.parent import run_exercise  # noqa: E402

needs_bwrap = pytest.mark.skipif(not walls._usable("bwrap")[0] and __import__("os").environ.get("CI") != "true",
                                 reason="bubblewrap cannot run here (CI installs it and must run these)")
ROUTES = [pytest.param("bwrap", marks=needs_bwrap), "none"]


def _child(route, monkeypatch, cells, exercise_id):
    monkeypatch.setenv(walls.ENV_VAR, route)
    ex = EXERCISES[exercise_id]
    cases = ex.cases(seed=5)
    return ex, cases, run_exercise(cells, ex.function, ex.id, cases, 30.0, forbidden=ex.forbidden)


@pytest.mark.parametrize("route", ROUTES)
def test_a_correct_class_is_graded_through_the_child(route, monkeypatch):
    ex, cases, run = _child(route, monkeypatch, ["import numpy as np\n" + ex13.solution("ex13.ops")], "ex13.ops")
    assert run.found and run.ended and not run.tampered
    assert all(o.kind == "ok" for o in run.outcomes)
    assert all(ex.judge(c, codec.decode(o.output, inputs=False)).passed for c, o in zip(cases, run.outcomes))


HOSTILE_CHILD = {
    # from the driver's node class to the module that holds the references: hidden from the child
    "references through the node's module": (
        "import sys, importlib\n"
        "def backward_pass(root):\n"
        "    here = sys.modules[type(root).__module__]\n"
        "    ref = importlib.import_module('backprop_course.grading.exercises.ex13_autograd')\n"
        "    root.grad = 1.0\n"),
    # rewriting the driver inside the child changes only this submission's own (wrong) numbers
    "a patched driver": (
        "import sys\n"
        "def backward_pass(root):\n"
        "    sys.modules[type(root).__module__]._number = lambda x: 0.5\n"),
    # the grader's own files, through the path of the driver module
    "the package's files": (
        "import sys, os\n"
        "def backward_pass(root):\n"
        "    folder = os.path.dirname(sys.modules[type(root).__module__].__file__)\n"
        "    open(os.path.join(folder, '..', 'exercises', 'ex13_autograd.py')).read()\n"),
}


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("name", list(HOSTILE_CHILD))
def test_a_hostile_answer_cannot_reach_past_the_driver(route, name, monkeypatch):
    ex, cases, run = _child(route, monkeypatch, [HOSTILE_CHILD[name]], "ex13.backward")
    assert run.found and not run.tampered
    for case, outcome in zip(cases, run.outcomes):
        if outcome is None or outcome.kind != "ok":
            assert outcome is None or ":" not in outcome.error      # type names only
            continue
        assert not ex.judge(case, codec.decode(outcome.output, inputs=False)).passed
