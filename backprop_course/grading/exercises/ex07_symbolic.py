"""Exercises of lesson 7 (Backpropagation for dummies and Gashler (2010)): small derivations done by SymPy, judged by symbolic equality.

The learner's expression reaches the judge as ``srepr`` text, is rebuilt by the safe parser
(:mod:`..symexpr`) and passes when ``simplify(answer - reference) == 0``: any correct form is accepted
(``sigma*(1 - sigma)``, the raw output of ``diff``, ...), a string comparison is never made. Hidden cases
rename the symbols, so an answer typed in with fixed names fails.
"""
from __future__ import annotations

import numpy as np

from .worksheet import Worksheet
from ..checking.cases import Case
from ..checking.compare import Comparison
from ..checking.exercise import Exercise

NOTEBOOK = "ex07_symbolic"
FORBIDDEN = frozenset({"symbolic", "derive_weight_gradient", "derive_input_gradient", "engine"})

WORKSHEET = Worksheet(
    stem=NOTEBOOK,
    title="Exercises 7: derivations with SymPy",
    lesson="07",
    intro="""Practice for lesson 7. Let SymPy do the calculus: build the expression, call `sp.diff`,
and return the result. Your answer is judged by symbolic equality (SymPy simplifies the difference from
the reference to 0), so any correct form passes. The hidden cases call your function with symbols of
other names, so build everything from the arguments.""",
    setup_extra="import sympy as sp",
)

SIGMOID_DERIVATIVE_PROMPT = """### Exercise 7.1 - the derivative of the sigmoid

Given a SymPy symbol `x`, return d/dx of 1 / (1 + e^(-x)). Then, in a cell of your own, check that it
equals g (1 - g)."""

SIGMOID_DERIVATIVE_SOLUTION = '''def sigmoid_derivative(x):
    """d/dx of the sigmoid 1 / (1 + exp(-x)), as a SymPy expression in x."""
    # BEGIN SOLUTION
    g = 1 / (1 + sp.exp(-x))
    return sp.diff(g, x)
    # END SOLUTION'''

WEIGHT_GRADIENT_PROMPT = """### Exercise 7.2 - the gradient of one weight

A single sigmoid neuron with weight `w` receives the input `a`; its target is `t` and its error is
E = 1/2 (t - g(w a))^2. Given the three symbols, return dE/dw as a SymPy expression."""

WEIGHT_GRADIENT_SOLUTION = '''def neuron_weight_gradient(w, a, t):
    """dE/dw for E = (t - g(w*a))**2 / 2 with g the sigmoid, as a SymPy expression."""
    # BEGIN SOLUTION
    y = 1 / (1 + sp.exp(-w * a))
    E = sp.Rational(1, 2) * (t - y) ** 2
    return sp.diff(E, w)
    # END SOLUTION'''
#: Answers longer than this (in srepr characters) are refused before simplify can take long.
MAX_ANSWER_CHARS = 5000


def _symbols(*names):
    import sympy

    return tuple(sympy.Symbol(n) for n in names)


def _sigma(x):
    import sympy

    return 1 / (1 + sympy.exp(-x))


def _sigmoid_derivative(x):
    # the teaching form, g' = g (1 - g), built explicitly (Backpropagation for dummies eq (8))
    s = _sigma(x)
    return s * (1 - s)


def _weight_gradient(w, a, t):
    # E = 1/2 (t - g(w a))^2  ->  dE/dw = -(t - g) g (1 - g) a   (Backpropagation for dummies eqs (10), (11))
    s = _sigma(w * a)
    return -(t - s) * s * (1 - s) * a


def _differs_at_a_point(difference, symbols) -> bool:
    """True when ``difference`` is clearly not 0 at one of a few fixed points (30-digit arithmetic).

    Only ever refutes: an expression equal to 0 evaluates to 0 everywhere, so a value far from 0 proves
    the answer wrong without ``simplify`` (which takes up to a second on the wrong derivations a
    diagnosis compares). Anything else, including points where it cannot be evaluated, goes on to simplify.
    """
    import sympy

    for shift in (0, 1, 2):
        point = {s: sympy.Rational(3 + 2 * i + 5 * shift, 7 + shift) * (-1) ** (i + shift)
                 for i, s in enumerate(symbols)}
        try:
            value = complex(difference.evalf(30, subs=point))
        except (TypeError, ValueError, ZeroDivisionError, OverflowError):
            continue
        if np.isfinite(value) and abs(value) > 1e-12:
            return True
    return False


def compare_symbolic(expected, actual) -> Comparison:
    """Pass when ``actual`` is a SymPy expression in the given symbols equal to ``expected``."""
    import sympy

    if not isinstance(actual, sympy.Expr):
        return Comparison(False, None, f"a SymPy expression was expected; got {type(actual).__name__}")
    if len(sympy.srepr(actual)) > MAX_ANSWER_CHARS:
        return Comparison(False, None, "the expression is too long to check; simplify it a little")
    extra = actual.free_symbols - expected.free_symbols
    if extra:
        names = ", ".join(sorted(str(s) for s in extra))
        return Comparison(False, None, f"the answer uses symbols that are not arguments: {names}")
    difference = (actual - expected).rewrite(sympy.exp)
    if _differs_at_a_point(difference, sorted(expected.free_symbols | actual.free_symbols, key=str)):
        return Comparison(False, None, "the expression is not equal to the derivative")
    if sympy.simplify(difference) == 0:
        return Comparison(True, None, "")
    return Comparison(False, None, "the expression is not equal to the derivative")


D_HINT = "differentiate 1 / (1 + exp(-x)) with sympy.diff, or write g(x) * (1 - g(x)) with g the sigmoid"
W_HINT = "E = (t - g(w*a))**2 / 2 with g the sigmoid; differentiate E with respect to w (chain rule: E, then g, then w*a)"

# -- misconceptions: the wrong derivations a learner writes, run on the same symbols -------------------------
# Each source builds a SymPy expression from its arguments, as a learner's answer does; the judge compares
# the learner's expression with it by simplify(difference) == 0, so any form of the same mistake is named.
from ..checking.exercise import Misconception  # noqa: E402 - kept next to the catalogue it builds

_L3_SLOPE = 'lesson 03, section 2 "The sigmoid and its slope"'
_L3_NEURON = 'lesson 03, section 5 "Where the slope goes: one neuron\'s gradient"'


def _d_source(body: str) -> str:
    return f"import sympy as sp\n\n\ndef sigmoid_derivative(x):\n    g = 1 / (1 + sp.exp(-x))\n    return {body}\n"


def _w_source(body: str) -> str:
    return ("import sympy as sp\n\n\ndef neuron_weight_gradient(w, a, t):\n"
            "    y = 1 / (1 + sp.exp(-w * a))\n"
            f"    return {body}\n")


D_MISCONCEPTIONS = (
    Misconception(
        "g instead of g'",
        "The answer is the sigmoid itself; its derivative is the slope of that curve, g(x) (1 - g(x)), which "
        "is largest at x = 0 and vanishes far out on either side.",
        _L3_SLOPE, _d_source("g")),
    Misconception(
        "sign lost in the chain rule of e^(-x)",
        "The derivative of e^(-x) is -e^(-x): with that inner minus, the two minus signs cancel and the "
        "slope e^(-x) / (1 + e^(-x))^2 is positive, as an increasing curve's must be.",
        _L3_SLOPE, _d_source("-sp.exp(-x) / (1 + sp.exp(-x)) ** 2")),
    Misconception(
        "plus instead of minus, g (1 + g)",
        "The slope is g (1 - g): it goes to 0 as g approaches 1, which is what saturation means; g (1 + g) "
        "grows instead.",
        _L3_SLOPE, _d_source("g * (1 + g)")),
    Misconception(
        "tanh's rule, 1 - g^2",
        "1 - f^2 is the slope of tanh; the sigmoid's slope written with its own output is g (1 - g).",
        _L3_SLOPE, _d_source("1 - g ** 2")),
    Misconception(
        "quotient rule without the square",
        "Differentiating 1 / u gives -u' / u^2: the denominator (1 + e^(-x)) appears squared.",
        _L3_SLOPE, _d_source("sp.exp(-x) / (1 + sp.exp(-x))")),
)

W_MISCONCEPTIONS = (
    Misconception(
        "sign flip",
        "dE/dy of E = 1/2 (t - y)^2 is -(t - y): the inner derivative of (t - y) with respect to y is -1, and "
        "the gradient keeps that minus.",
        _L3_NEURON, _w_source("(t - y) * y * (1 - y) * a")),
    Misconception(
        "the chain stops at the net input (no factor a)",
        "The last link of the chain is d(w a)/dw = a: the input that the weight multiplies ends the product.",
        _L3_NEURON, _w_source("-(t - y) * y * (1 - y)")),
    Misconception(
        "missing g'",
        "Between the error and the weight sits the neuron's squashing step: its slope g'(w a) = y (1 - y) is "
        "a factor of the gradient.",
        _L3_NEURON, _w_source("-(t - y) * a")),
    Misconception(
        "extra 2 (E without the 1/2)",
        "The 1/2 in E = 1/2 (t - y)^2 is there to cancel the 2 that differentiating the square brings down.",
        _L3_NEURON, _w_source("-2 * (t - y) * y * (1 - y) * a")),
    Misconception(
        "differentiated with respect to a",
        "The gradient is taken with respect to the weight w, so the last factor is the input a; "
        "differentiating by a leaves w there instead.",
        _L3_NEURON, _w_source("-(t - y) * y * (1 - y) * w")),
    Misconception(
        "g' applied to the output again",
        "The slope belongs at the net input: g'(w a) = y (1 - y) with y = g(w a); putting y through the "
        "sigmoid once more computes g'(y).",
        _L3_NEURON, _w_source("-(t - y) * (1 / (1 + sp.exp(-y))) * (1 - 1 / (1 + sp.exp(-y))) * a")),
)

EXERCISES = [
    Exercise(
        id="ex07.sigmoid_derivative", function="sigmoid_derivative", title="d/dx of the sigmoid in SymPy",
        prompt=SIGMOID_DERIVATIVE_PROMPT, solution=SIGMOID_DERIVATIVE_SOLUTION,
        notebook=NOTEBOOK, public=lambda: [Case("public 1", _symbols("x"))],
        hidden=lambda rng: [Case(f"hidden {i}", _symbols(name), True, D_HINT)
                            for i, name in enumerate(("z", f"in_{int(rng.integers(1, 10))}"), start=1)],
        reference=_sigmoid_derivative, compare=compare_symbolic, forbidden=FORBIDDEN, hint=D_HINT,
        misconceptions=D_MISCONCEPTIONS,
    ),
    Exercise(
        id="ex07.weight_gradient", function="neuron_weight_gradient", title="dE/dw of one sigmoid neuron",
        prompt=WEIGHT_GRADIENT_PROMPT, solution=WEIGHT_GRADIENT_SOLUTION,
        notebook=NOTEBOOK, public=lambda: [Case("public 1", _symbols("w", "a", "t"))],
        hidden=lambda rng: [Case("hidden 1", _symbols(f"w_{int(rng.integers(1, 10))}{int(rng.integers(1, 10))}",
                                                      "a_j", "t_i"), True, W_HINT),
                            Case("hidden 2", _symbols("u", "v", "y"), True, W_HINT)],
        reference=_weight_gradient, compare=compare_symbolic, forbidden=FORBIDDEN, points=2.0, hint=W_HINT,
        misconceptions=W_MISCONCEPTIONS,
    ),
]
