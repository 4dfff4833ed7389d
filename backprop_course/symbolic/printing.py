"""How one SymPy expression is written in a notation: LaTeX for lessons, plain text for terminals.

This module spells single expressions; :mod:`.render` builds whole documents from them (a derivation as
a table or an ``align*`` block, the errata). It knows the symbols of :mod:`.notation` and nothing of
derivations, so :mod:`.derivations` can use it (``Step.latex``) without importing the renderer.

Two notations are supported:

* ``"gashler"`` (Gashler 2010): y_{ij}, x_{ij}, w_{ijk}, f_i, f'_i, t_i, e_{ij}; layers 0..L;
* ``"ufldl"`` (Yuhang He's guide, UFLDL notation): a^{(l)}_j, z^{(l)}_j, W^{(l)}_{jk}, b^{(l)}_j,
  f^{(l)}, target y_j, error term delta^{(l)}_j; layers 1..L+1, so Gashler's layer i is UFLDL's layer
  i+1 and w_{ijk} = W^{(i)}_{jk}. Gashler's error term is the negative of UFLDL's: e_{ij} = -delta^{(i+1)}_j.

Factors print in the sources' order (the outer layer first, derivatives and inner sums last), a sum
that is followed by more factors is parenthesised, and nothing is ever ``simplify``-ed.

>>> from backprop_course.symbolic.notation import e, y
>>> latex(-e[1, 7] * y[0, 3])
'- e_{17} y_{03}'
>>> latex(-e[1, 7] * y[0, 3], notation="ufldl")
'\\\\delta^{(2)}_{7} a^{(1)}_{3}'
>>> text(-e[1, 7] * y[0, 3], notation="ufldl")
'delta^(2)_7 a^(1)_3'
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.str import StrPrinter

from backprop_course.engine import checks

from .notation import ActivationDerivative, ActivationFunction, b, e, t, w, x, y
from .rules import pull_numbers

__all__ = ["NOTATIONS", "FORMS", "latex", "text", "spell", "check_notation", "ordered_factors"]

NOTATIONS = ("gashler", "ufldl")
FORMS = ("latex", "text")
delta = sp.IndexedBase("delta")

# UFLDL's name for each of Gashler's quantities and how much its layer number grows (UFLDL counts the
# input layer as 1, Gashler as 0; a weight keeps the number of the layer it leaves in UFLDL).
_UFLDL = {y: ("a", 1), x: ("z", 1), w: ("W", 0), b: ("b", 0), delta: ("delta", 1)}


def check_notation(notation: str) -> str:
    """Return ``notation`` if it is one of :data:`NOTATIONS`, else raise the course's ValueError."""
    if notation not in NOTATIONS:
        raise checks.error("the renderer", "notation", f"one of {', '.join(NOTATIONS)}", repr(notation))
    return notation


def prepare(expr: sp.Basic, notation: str) -> sp.Basic:
    """UFLDL writes error terms as delta = -e: substitute before printing (SymPy folds the signs)."""
    if notation == "ufldl" and expr.has(e):
        expr = expr.replace(lambda a: isinstance(a, sp.Indexed) and a.base == e, lambda a: -delta[a.indices])
        expr = pull_numbers(expr)
    return expr


@lru_cache(maxsize=4096)
def _level(factor: sp.Basic) -> float:
    """Position of a factor in the sources' order: higher levels print first."""
    if isinstance(factor, sp.Indexed):
        layer = factor.indices[0] if factor.base != t else None
        offset = {w: 0.25, b: 0.2, y: 0.1, x: 0.05, e: 0.75, delta: 0.75}.get(factor.base, 0.0)
        if layer is None or not layer.is_Integer:
            return 1000.0
        return int(layer) + offset
    if isinstance(factor, ActivationDerivative):
        return type(factor).layer + 0.5
    if isinstance(factor, ActivationFunction):
        return type(factor).layer + 0.4
    if isinstance(factor, (sp.Add, sp.Pow)):
        levels = [_level(a) for a in factor.atoms(sp.Indexed)]
        return max(levels, default=0.0) + 100.0
    if isinstance(factor, sp.Sum):
        return max((_level(a) for a in factor.atoms(sp.Indexed)), default=0.0)
    return 0.0


def ordered_factors(expr: sp.Mul) -> tuple[sp.Expr, list[sp.Expr]]:
    """The numeric coefficient of a product and its other factors in the order they are printed."""
    coeff, rest = expr.as_coeff_mul()
    group = {sp.Sum: 1, sp.Derivative: 2}
    # stable sort: ties keep SymPy's canonical order
    factors = sorted(rest, key=lambda f: (group.get(type(f), 0), -_level(f)))
    return coeff, factors


def _subscript_digits(indices: tuple) -> str:
    """Indices of one digit or letter each run together (w_173); longer ones are separated (w_10,i,j)."""
    parts = [str(i) for i in indices]
    return ("" if all(len(p) == 1 for p in parts) else ",").join(parts)


class _Memo:
    """Printing the steps of a derivation prints the same sub-expressions again and again: remember them."""

    def _print(self, expr: Any, **kwargs: Any) -> str:
        if kwargs or not isinstance(expr, sp.Basic):
            return super()._print(expr, **kwargs)
        memo = self.__dict__.setdefault("_memo", {})
        if expr not in memo:
            memo[expr] = super()._print(expr)
        return memo[expr]


class _CourseNotation:
    """What the LaTeX and the text printer share: symbols, activations, sums and products.

    A subclass says how its form writes a subscript, a layer superscript, brackets, a minus sign,
    a sum sign, a Greek letter and an activation's name.
    """

    notation: str
    minus: str
    sum_sign: str
    greek: dict = {}

    def sub(self, s: str) -> str:
        raise NotImplementedError

    def layer_sup(self, layer: Any) -> str:
        raise NotImplementedError

    def paren(self, s: str) -> str:
        raise NotImplementedError

    def activation_head(self, layer: int, prime: bool) -> str:
        raise NotImplementedError

    def _print_Indexed(self, expr: sp.Indexed) -> str:
        base, idx = expr.base, expr.indices
        if self.notation == "ufldl":
            if base == t:
                return "y" + self.sub(str(idx[0]))
            if base in _UFLDL:
                name, shift = _UFLDL[base]
                name = self.greek.get(name, name)
                return name + self.layer_sup(idx[0] + shift) + self.sub(_subscript_digits(idx[1:]))
        return str(base.label) + self.sub(_subscript_digits(idx))

    def _print_Function(self, expr: sp.Function, *args: Any, **kwargs: Any) -> str:
        if isinstance(expr, (ActivationFunction, ActivationDerivative)):
            head = self.activation_head(type(expr).layer, isinstance(expr, ActivationDerivative))
            return head + self.paren(self._print(expr.args[0]))
        return super()._print_Function(expr, *args, **kwargs)

    def _print_Sum(self, expr: sp.Sum) -> str:
        heads = "".join(self.sum_sign + self.sub(str(v)) + " " for v in reversed(expr.variables))
        return heads + self._print(expr.function)

    def _print_Mul(self, expr: sp.Mul) -> str:
        if not isinstance(expr, sp.Mul):  # SymPy prints 1/u through _print_Mul(Pow): let it write the fraction
            return super()._print_Mul(expr)
        coeff, factors = ordered_factors(expr)
        parts = []
        for n, f in enumerate(factors):
            s = self._print(f)
            if isinstance(f, sp.Add) or (isinstance(f, sp.Sum) and n != len(factors) - 1):
                s = self.paren(s)
            parts.append(s)
        body = " ".join(parts)
        if coeff == 1:
            return body
        if coeff == -1:
            return self.minus + body
        return f"{self._print(coeff)} {body}" if body else self._print(coeff)


class LatexForm(_CourseNotation, _Memo, LatexPrinter):
    """SymPy's LaTeX printer in the course's notations (no multiplication sign, sources' factor order)."""

    minus, sum_sign, greek = "- ", "\\sum", {"delta": "\\delta"}

    def __init__(self, notation: str) -> None:
        super().__init__({"mul_symbol": None})
        self.notation = notation

    def sub(self, s: str) -> str:
        return f"_{{{s}}}"

    def layer_sup(self, layer: Any) -> str:
        return f"^{{({layer})}}"

    def paren(self, s: str) -> str:
        return f"\\left({s}\\right)"

    def activation_head(self, layer: int, prime: bool) -> str:
        if self.notation == "ufldl":
            return f"f^{{({layer + 1})" + ("\\prime}" if prime else "}")
        return ("f'" if prime else "f") + f"_{{{layer}}}"

    def _print_Derivative(self, expr: sp.Derivative) -> str:
        body = self._print(expr.expr)
        if isinstance(expr.expr, sp.Add) or body.startswith("-"):  # d(-u)/dz, not "d - u / dz"
            body = self.paren(body)
        return f"\\frac{{\\partial {body}}}{{\\partial {self._print(expr.variables[0])}}}"


class TextForm(_CourseNotation, _Memo, StrPrinter):
    """Plain text for terminals: ``dE/dw_173 = -e_17 y_03``."""

    printmethod = "_course_text"  # not "_sympystr": Indexed defines that and would bypass this printer
    minus, sum_sign = "-", "sum"

    def __init__(self, notation: str) -> None:
        super().__init__()
        self.notation = notation

    def sub(self, s: str) -> str:
        return f"_{s}"

    def layer_sup(self, layer: Any) -> str:
        return f"^({layer})"

    def paren(self, s: str) -> str:
        return f"({s})"

    def activation_head(self, layer: int, prime: bool) -> str:
        if self.notation == "ufldl":
            return f"f^({layer + 1})" + ("'" if prime else "")
        return ("f'" if prime else "f") + f"_{layer}"

    def _print_Derivative(self, expr: sp.Derivative) -> str:
        arg = self._print(expr.expr)
        if isinstance(expr.expr, (sp.Add, sp.Mul, sp.Sum)):
            arg = self.paren(arg)
        return f"d{arg}/d{self._print(expr.variables[0])}"

    def _print_KroneckerDelta(self, expr: sp.KroneckerDelta) -> str:
        return "delta" + self.sub(_subscript_digits(expr.args))

    def _print_Pow(self, expr: sp.Pow, rational: bool = False) -> str:
        base = self._print(expr.base)
        if isinstance(expr.base, (sp.Add, sp.Mul)):
            base = self.paren(base)
        return f"{base}^{self._print(expr.exp)}"


# Printers are stateless apart from their memo of printed sub-expressions, so one per form and notation
# is kept (bounded: the memo is dropped when it grows large).
_FORM_CLASSES = {"latex": LatexForm, "text": TextForm}
_PRINTERS: dict = {}


def printer(form: str, notation: str) -> LatexForm | TextForm:
    """The shared printer of one form (``"latex"`` or ``"text"``) and notation."""
    key = (form, check_notation(notation))
    p = _PRINTERS.get(key)
    if p is None or len(p.__dict__.get("_memo", ())) > 20000:
        p = _PRINTERS[key] = _FORM_CLASSES[form](notation)
    return p


def spell(expr: Any, notation: str = "gashler", form: str = "latex") -> str:
    """``expr`` (anything ``sympify`` accepts) written in ``notation`` as LaTeX or plain text."""
    if form not in FORMS:
        raise checks.error("spell", "form", f"one of {', '.join(FORMS)}", repr(form))
    return printer(form, notation).doprint(prepare(sp.sympify(expr), notation))


def latex(expr: Any, notation: str = "gashler") -> str:
    """LaTeX of a SymPy expression in Gashler's or UFLDL notation."""
    return spell(expr, notation, "latex")


def text(expr: Any, notation: str = "gashler") -> str:
    """Plain text of a SymPy expression in Gashler's or UFLDL notation."""
    return spell(expr, notation, "text")
