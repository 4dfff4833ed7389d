"""The process line: JSON codec, the safe SymPy reader, and the source rules."""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from backprop_course.grading.sandbox import codec
from backprop_course.grading.checking.source_rules import find_violations
from backprop_course.grading.sandbox.symexpr import SreprError, parse_srepr


@pytest.mark.parametrize("value", [
    1.5, -3, "text", None, True, [1.0, [2.0]], {"a": 1.0},
    (1.0, np.array([1.0, -2.0])), np.arange(6.0).reshape(2, 3), np.array(2.5),
])
def test_codec_roundtrip(value):
    back = codec.roundtrip(value)
    if isinstance(value, tuple):
        assert isinstance(back, tuple) and back[0] == value[0]
        np.testing.assert_array_equal(back[1], value[1])
    elif isinstance(value, np.ndarray):
        assert isinstance(back, np.ndarray) and back.shape == value.shape
        np.testing.assert_array_equal(back, value)
    else:
        assert back == value


def test_codec_rebuilds_generators_and_functions_for_inputs_only():
    data = codec.encode([codec.RngSeed(3), codec.FunctionSpec("wavy", {"c": np.ones(2), "d": np.ones(2),
                                                                       "w": np.ones(2)})])
    rng, f = codec.decode(data)
    assert rng.random() == np.random.default_rng(3).random()
    assert f(np.zeros(2)) == pytest.approx(0.0)
    with pytest.raises(codec.EncodingError):
        codec.decode(data, inputs=False)


@pytest.mark.parametrize("bad", [{"__pickle__": "x"}, {"__ndarray__": [[1], [2, 3]], "shape": [2]}])
def test_codec_rejects_unknown_or_malformed_tags(bad):
    with pytest.raises(codec.EncodingError):
        codec.decode(bad, inputs=False)


@pytest.mark.parametrize("value", [object(), np.array([object()]), {1: 2.0}, {"__ndarray__": 1}])
def test_codec_refuses_values_that_cannot_be_graded(value):
    with pytest.raises(codec.EncodingError):
        codec.encode(value)


def test_sympy_answers_roundtrip():
    x, w = sp.symbols("x w")
    f = sp.Function("f")
    for expr in [sp.diff(1 / (1 + sp.exp(-w * x)), w), sp.Rational(1, 2) * x ** 2 + sp.pi, f(x) * sp.tanh(x),
                 sp.Derivative(f(x), x), sp.Float(0.25) * x]:
        assert parse_srepr(sp.srepr(expr)) == expr


@pytest.mark.parametrize("text", [
    "__import__('os').system('echo hacked')",
    "Symbol('x').__class__",
    "Add(Symbol('x'), eval('1'))",
    "Integer(Symbol('x'))",
    "Pow(Integer(10), Integer(100000000))",
    "(lambda: 1)()",
    "Symbol('x', real=Symbol('y'))",
    "x" * 200_001,
])
def test_safe_reader_refuses_code(text):
    with pytest.raises(SreprError):
        parse_srepr(text)


@pytest.mark.parametrize("source,forbidden,name", [
    ("def f(net, T):\n    return net.backward(T)", {"backward"}, "backward"),
    ("def f(s):\n    return bc.MLP(s)", {"MLP"}, "MLP"),
    ("from backprop_course.engine.mlp import MLP as M\ndef f(s):\n    return M(s)", {"engine"}, "engine"),
    ("import backprop_course.engine.optim\n", {"optim"}, "optim"),
    ("def f(m):\n    return getattr(m, 'back' + 'ward')", set(), "getattr"),
    ("def f():\n    return __import__('backprop_course')", set(), "__import__"),
    ("def f(s):\n    return eval('bc.MLP')(s)", set(), "eval"),
    ("import operator\ndef f(s):\n    return operator.attrgetter('ML' + 'P')(bc)(s)", set(), "attrgetter"),
    ("def f(s):\n    return bc.__getattr__('ML' + 'P')(s)", set(), "__getattr__"),
])
def test_rules_catch_forbidden_names(source, forbidden, name):
    messages = find_violations(source, forbidden)
    assert messages and any(repr(name) in m for m in messages)


def test_rules_accept_honest_code_and_report_syntax_errors():
    assert find_violations("def f(x):\n    delta = x @ x.T\n    return delta", {"backward", "MLP"}) == []
    assert "does not parse" in find_violations("def f(:\n", set())[0]
