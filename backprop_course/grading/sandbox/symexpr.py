"""Read a SymPy ``srepr`` string back into an expression without ``eval``.

A learner's symbolic answer crosses from the child process as ``sympy.srepr`` text, e.g.
``"Mul(Integer(2), Symbol('x'))"``. ``sympify`` would ``eval`` that text, and text made by learner code
must never be evaluated in the grading process. This parser walks Python's AST of the string and only
accepts calls of whitelisted SymPy constructors on literals.

>>> parse_srepr("Mul(Integer(2), Symbol('x'))")
2*x
"""
from __future__ import annotations

import ast

__all__ = ["parse_srepr", "SreprError", "MAX_CHARS"]

#: Longer answers are refused: no derivation in the course needs more.
MAX_CHARS = 100_000

_CONSTRUCTORS = (
    "Symbol", "Dummy", "Integer", "Rational", "Float", "Add", "Mul", "Pow", "exp", "log", "sin", "cos",
    "tanh", "cosh", "sinh", "sqrt", "Abs", "Function", "Derivative", "Tuple", "Half", "One", "Zero",
    "NegativeOne", "Pi", "E", "Max", "Min", "Heaviside", "sign", "Piecewise", "ExprCondPair",
    "BooleanTrue", "BooleanFalse", "StrictGreaterThan", "GreaterThan", "StrictLessThan", "LessThan",
)
_SINGLETONS = {"Half", "One", "Zero", "NegativeOne", "Pi", "E", "BooleanTrue", "BooleanFalse"}


class SreprError(ValueError):
    """The text is not a SymPy expression this parser accepts."""


def _namespace() -> dict:
    import sympy

    ns = {name: getattr(sympy, name) for name in _CONSTRUCTORS if hasattr(sympy, name)}
    ns["Half"], ns["One"], ns["Zero"] = sympy.S.Half, sympy.S.One, sympy.S.Zero
    ns["NegativeOne"], ns["Pi"], ns["E"] = sympy.S.NegativeOne, sympy.pi, sympy.E
    ns["BooleanTrue"], ns["BooleanFalse"] = sympy.true, sympy.false
    ns.update(pi=sympy.pi, I=sympy.I, oo=sympy.oo, zoo=sympy.zoo, nan=sympy.nan)
    return ns


def _literal(node: ast.AST):
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str, bool)):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        value = _literal(node.operand)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return -value
    raise SreprError("only numbers and strings may appear as literal arguments")


_LITERAL_ARGS = {"Symbol", "Dummy", "Function", "Integer", "Rational", "Float"}
_NAMED = {"pi", "E", "I", "oo", "zoo", "nan"}


def _build(node: ast.AST, ns: dict, depth: int = 0):
    """Rebuild one AST node: a whitelisted constructor call, a named constant, a tuple or a literal."""
    if depth > 200:
        raise SreprError("the expression is nested too deeply")
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Call):
        # an applied undefined function, srepr's Function('f')(Symbol('x'))
        import sympy

        fn = _build(node.func, ns, depth + 1)
        if not isinstance(fn, sympy.core.function.UndefinedFunction) or node.keywords:
            raise SreprError("only undefined functions may be applied")
        return fn(*[_build(a, ns, depth + 1) for a in node.args])
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in ns:
            name = getattr(node.func, "id", type(node.func).__name__)
            raise SreprError(f"'{name}' is not an allowed SymPy constructor")
        name = node.func.id
        if name in _SINGLETONS:
            if node.args or node.keywords:
                raise SreprError(f"'{name}' takes no arguments")
            return ns[name]
        if any(kw.arg is None for kw in node.keywords):
            raise SreprError("'**' is not allowed")
        kwargs = {kw.arg: _literal(kw.value) for kw in node.keywords}
        if name in _LITERAL_ARGS:
            args = [_literal(a) for a in node.args]
        else:
            args = [_build(a, ns, depth + 1) for a in node.args]
        if name in ("Symbol", "Dummy", "Function"):
            if len(args) != 1 or not isinstance(args[0], str):
                raise SreprError(f"{name} takes one name")
            if any(not isinstance(v, bool) for v in kwargs.values()):
                raise SreprError(f"{name} assumptions must be True or False")
        if name == "Pow" and len(args) == 2 and getattr(args[1], "is_Integer", False) and abs(args[1]) > 1000:
            raise SreprError("integer powers above 1000 are refused")
        if name in ("Integer", "Rational") and any(isinstance(a, int) and abs(a) > 10**30 for a in args):
            raise SreprError("integers above 10**30 are refused")
        return ns[name](*args, **kwargs)
    if isinstance(node, ast.Name) and (node.id in _SINGLETONS or node.id in _NAMED):
        return ns[node.id]
    if isinstance(node, ast.Tuple):
        return tuple(_build(e, ns, depth + 1) for e in node.elts)
    return _literal(node)


def parse_srepr(text: str):
    """Rebuild the SymPy object described by ``text`` (an ``srepr`` string), or raise SreprError."""
    if not isinstance(text, str):
        raise SreprError(f"An srepr string was expected. Got {type(text).__name__} instead.")
    if len(text) > MAX_CHARS:
        raise SreprError(f"The expression is longer than {MAX_CHARS} characters.")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise SreprError(f"not a valid srepr string: {exc.msg}") from None
    try:
        return _build(tree.body, _namespace())
    except SreprError:
        raise
    except (TypeError, ValueError, AttributeError, RecursionError) as exc:
        raise SreprError(f"the expression could not be rebuilt: {exc}") from None
