"""Rendering: the only place where LaTeX, Markdown and plain text are built from SymPy objects.

Two notations are supported:

* ``"gashler"`` (seed 002): y_{ij}, x_{ij}, w_{ijk}, f_i, f'_i, t_i, e_{ij}; layers 0..L;
* ``"ufldl"`` (seed 003): a^{(l)}_j, z^{(l)}_j, W^{(l)}_{jk}, b^{(l)}_j, f^{(l)}, target y_j, error term
  delta^{(l)}_j; layers 1..L+1, so Gashler's layer i is UFLDL's layer i+1 and w_{ijk} = W^{(i)}_{jk}.
  Gashler's error term is the negative of UFLDL's: e_{ij} = -delta^{(i+1)}_j.

Factors print in the seed's order (the outer layer first, derivatives and inner sums last), a sum
that is followed by more factors is parenthesised, and nothing is ever ``simplify``-ed.

>>> from backprop_course.symbolic.notation import e, y
>>> to_latex(-e[1, 7] * y[0, 3])
'- e_{17} y_{03}'
>>> to_latex(-e[1, 7] * y[0, 3], notation="ufldl")
'\\\\delta^{(2)}_{7} a^{(1)}_{3}'
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.str import StrPrinter

from .notation import ActivationDerivative, ActivationFunction, b, e, t, w, x, y

__all__ = ["NOTATIONS", "to_latex", "to_text", "to_markdown", "derivation_to_latex", "derivation_to_markdown",
           "derivation_to_text", "target_latex", "target_text", "step_latex_highlighted",
           "errata_to_markdown"]

NOTATIONS = ("gashler", "ufldl")
_delta = sp.IndexedBase("delta")


def _check_notation(notation: str) -> str:
    if notation not in NOTATIONS:
        raise ValueError(f"The 'notation' parameter of the renderer must be one of {', '.join(NOTATIONS)}. "
                         f"Got {notation!r} instead.")
    return notation


def _prepare(expr: sp.Basic, notation: str) -> sp.Basic:
    """UFLDL writes error terms as delta = -e: substitute before printing (SymPy folds the signs)."""
    if notation == "ufldl" and expr.has(e):
        from .rules import pull_numbers

        expr = expr.replace(lambda a: isinstance(a, sp.Indexed) and a.base == e, lambda a: -_delta[a.indices])
        expr = pull_numbers(expr)
    return expr


@lru_cache(maxsize=4096)
def _level(factor: sp.Basic) -> float:
    """Position of a factor in the seed's order: higher levels print first."""
    if isinstance(factor, sp.Indexed):
        layer = factor.indices[0] if factor.base != t else None
        offset = {w: 0.25, b: 0.2, y: 0.1, x: 0.05, e: 0.75, _delta: 0.75}.get(factor.base, 0.0)
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


def _ordered_factors(expr: sp.Mul) -> tuple[sp.Expr, list[sp.Expr]]:
    coeff, rest = expr.as_coeff_mul()
    group = {sp.Sum: 1, sp.Derivative: 2}
    # stable sort: ties keep SymPy's canonical order
    factors = sorted(rest, key=lambda f: (group.get(type(f), 0), -_level(f)))
    return coeff, factors


def _gashler_sub(indices: tuple) -> str:
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


class _Latex(_Memo, LatexPrinter):
    def __init__(self, notation: str) -> None:
        super().__init__({"mul_symbol": None})
        self.notation = notation

    def _print_Indexed(self, expr: sp.Indexed) -> str:
        base, idx = expr.base, expr.indices
        if self.notation == "ufldl":
            if base == t:
                return f"y_{{{idx[0]}}}"
            sub = "".join(str(i) for i in idx[1:]) if all(len(str(i)) == 1 for i in idx[1:]) else \
                ",".join(str(i) for i in idx[1:])
            layer = idx[0]
            if base == y:
                return f"a^{{({layer + 1})}}_{{{sub}}}"
            if base == x:
                return f"z^{{({layer + 1})}}_{{{sub}}}"
            if base == w:
                return f"W^{{({layer})}}_{{{sub}}}"
            if base == b:
                return f"b^{{({layer})}}_{{{sub}}}"
            if base == _delta:
                return f"\\delta^{{({layer + 1})}}_{{{sub}}}"
        return f"{base.label}_{{{_gashler_sub(idx)}}}"

    def _print_Function(self, expr: sp.Function, exp: Any = None) -> str:
        if isinstance(expr, (ActivationFunction, ActivationDerivative)):
            layer, prime = type(expr).layer, isinstance(expr, ActivationDerivative)
            if self.notation == "ufldl":
                head = f"f^{{({layer + 1})" + ("\\prime}" if prime else "}")
            else:
                head = ("f'" if prime else "f") + f"_{{{layer}}}"
            return f"{head}\\left({self._print(expr.args[0])}\\right)"
        return super()._print_Function(expr, exp)

    def _print_Sum(self, expr: sp.Sum) -> str:
        heads = "".join(f"\\sum_{{{v}}} " for v in reversed(expr.variables))
        return heads + self._print(expr.function)

    def _print_Derivative(self, expr: sp.Derivative) -> str:
        arg = expr.expr
        body = self._print(arg)
        if isinstance(arg, sp.Add):
            body = f"\\left({body}\\right)"
        wrt = self._print(expr.variables[0])
        return f"\\frac{{\\partial {body}}}{{\\partial {wrt}}}"

    def _print_Mul(self, expr: sp.Mul) -> str:
        coeff, factors = _ordered_factors(expr)
        parts = []
        for n, f in enumerate(factors):
            s = self._print(f)
            last = n == len(factors) - 1
            if isinstance(f, sp.Add) or (isinstance(f, sp.Sum) and not last):
                s = f"\\left({s}\\right)"
            parts.append(s)
        body = " ".join(parts)
        if coeff == 1:
            return body
        if coeff == -1:
            return "- " + body
        return f"{self._print(coeff)} {body}" if body else self._print(coeff)


class _Text(_Memo, StrPrinter):
    printmethod = "_course_text"  # not "_sympystr": Indexed defines that and would bypass this printer

    def __init__(self, notation: str) -> None:
        super().__init__()
        self.notation = notation

    def _print_Indexed(self, expr: sp.Indexed) -> str:
        base, idx = expr.base, expr.indices
        if self.notation == "ufldl":
            if base == t:
                return f"y_{idx[0]}"
            sub = _gashler_sub(idx[1:])
            layer = idx[0]
            names = {y: ("a", 1), x: ("z", 1), w: ("W", 0), b: ("b", 0), _delta: ("delta", 1)}
            if base in names:
                name, shift = names[base]
                return f"{name}^({layer + shift})_{sub}"
        return f"{base.label}_{_gashler_sub(idx)}"

    def _print_Function(self, expr: sp.Function) -> str:
        if isinstance(expr, (ActivationFunction, ActivationDerivative)):
            layer, prime = type(expr).layer, isinstance(expr, ActivationDerivative)
            if self.notation == "ufldl":
                head = f"f^({layer + 1})" + ("'" if prime else "")
            else:
                head = ("f'" if prime else "f") + f"_{layer}"
            return f"{head}({self._print(expr.args[0])})"
        return super()._print_Function(expr)

    def _print_Sum(self, expr: sp.Sum) -> str:
        return "".join(f"sum_{v} " for v in reversed(expr.variables)) + self._print(expr.function)

    def _print_Derivative(self, expr: sp.Derivative) -> str:
        arg = self._print(expr.expr)
        if isinstance(expr.expr, (sp.Add, sp.Mul, sp.Sum)):
            arg = f"({arg})"
        return f"d{arg}/d{self._print(expr.variables[0])}"

    def _print_Pow(self, expr: sp.Pow, rational: bool = False) -> str:
        base = self._print(expr.base)
        if isinstance(expr.base, (sp.Add, sp.Mul)):
            base = f"({base})"
        return f"{base}^{self._print(expr.exp)}"

    def _print_Mul(self, expr: sp.Mul) -> str:
        coeff, factors = _ordered_factors(expr)
        parts = []
        for n, f in enumerate(factors):
            s = self._print(f)
            if isinstance(f, sp.Add) or (isinstance(f, sp.Sum) and n != len(factors) - 1):
                s = f"({s})"
            parts.append(s)
        body = " ".join(parts)
        if coeff == 1:
            return body
        if coeff == -1:
            return "-" + body
        return f"{self._print(coeff)} {body}" if body else self._print(coeff)


# --------------------------------------------------------------------------------------------------
# expressions

# Printers are stateless apart from their memo of printed sub-expressions, so one per notation is kept
# (bounded: the memo is dropped when it grows large).
_PRINTERS: dict = {}


def _printer(kind: type, notation: str):
    p = _PRINTERS.get((kind, notation))
    if p is None or len(p.__dict__.get("_memo", ())) > 20000:
        p = _PRINTERS[(kind, notation)] = kind(notation)
    return p


def _latex_printer(notation: str) -> "_Latex":
    return _printer(_Latex, notation)


def _text_printer(notation: str) -> "_Text":
    return _printer(_Text, notation)



def to_latex(obj: Any, notation: str = "gashler") -> str:
    """LaTeX of a SymPy expression, a :class:`Step` or (as an ``align*`` block) a :class:`Derivation`."""
    from .derivations import Derivation, Step

    _check_notation(notation)
    if isinstance(obj, Derivation):
        return derivation_to_latex(obj, notation)
    if isinstance(obj, Step):
        obj = obj.expr
    return _latex_printer(notation).doprint(_prepare(sp.sympify(obj), notation))


class _Highlight(_Latex):
    """LaTeX with one sub-expression wrapped in ``\\colorbox`` (no memo: the mark depends on position)."""

    def __init__(self, notation: str, part: sp.Basic, color: str) -> None:
        super().__init__(notation)
        self.part, self.color = part, color

    def _print(self, expr: Any, **kwargs: Any) -> str:
        out = LatexPrinter._print(self, expr, **kwargs)
        if isinstance(expr, sp.Basic) and expr == self.part and not kwargs:
            return f"\\colorbox{{{self.color}}}{{$\\displaystyle {out}$}}"
        return out


def step_latex_highlighted(derivation: Any, number: int, notation: str = "gashler",
                           color: str = "yellow") -> str:
    """LaTeX of step ``number`` (1-based) with the part that the step rewrote highlighted.

    The rewritten part is found by comparing the step with the one before it
    (:func:`.rules.what_changed`); step 1 is returned without a mark.
    """
    from .rules import what_changed

    _check_notation(notation)
    steps = derivation.steps
    if not isinstance(number, int) or not 1 <= number <= len(steps):
        raise ValueError(f"The 'number' parameter of step_latex_highlighted must be a step number between 1 "
                         f"and {len(steps)}. Got {number!r} instead.")
    expr = _prepare(steps[number - 1].expr, notation)
    if number == 1:
        return to_latex(expr, notation)
    change = what_changed(_prepare(steps[number - 2].expr, notation), expr)
    if change is None:
        return to_latex(expr, notation)
    return _Highlight(notation, change[1], color).doprint(expr)


def to_text(obj: Any, notation: str = "gashler") -> str:
    """Plain text of an expression, a step or a whole derivation (for terminals)."""
    from .derivations import Derivation, Step

    _check_notation(notation)
    if isinstance(obj, Derivation):
        return derivation_to_text(obj, notation)
    if isinstance(obj, Step):
        obj = obj.expr
    return _text_printer(notation).doprint(_prepare(sp.sympify(obj), notation))


def to_markdown(derivation: Any, notation: str = "gashler") -> str:
    """A derivation as a numbered Markdown table (see :func:`derivation_to_markdown`)."""
    return derivation_to_markdown(derivation, notation)


def target_latex(derivation: Any, notation: str = "gashler") -> str:
    """The left-hand side, e.g. ``\\frac{\\partial E}{\\partial w_{173}}`` (J in UFLDL notation)."""
    loss = "J" if notation == "ufldl" else "E"
    return f"\\frac{{\\partial {loss}}}{{\\partial {to_latex(derivation.target, notation)}}}"


def target_text(derivation: Any, notation: str = "gashler") -> str:
    loss = "J" if notation == "ufldl" else "E"
    return f"d{loss}/d{to_text(derivation.target, notation)}"


def _rule_text(step: Any, render, notation: str) -> str:
    if step.definition is None:
        return step.rule
    lhs, rhs = step.definition
    if notation == "ufldl":  # e = rhs  <=>  delta = -rhs
        lhs, rhs = -lhs, -rhs
    return f"{step.rule}: {render(lhs)} = {render(rhs)}"


def derivation_to_latex(derivation: Any, notation: str = "gashler") -> str:
    """Every step of a derivation as one LaTeX ``align*`` environment, rules as tags on the right."""
    _check_notation(notation)
    lines = []
    for s in derivation.steps:
        lhs = target_latex(derivation, notation) if s.number == 1 else ""
        rule = _rule_text(s, lambda ex: "$" + to_latex(ex, notation) + "$", notation)
        lines.append(f"{lhs} &= {to_latex(s.expr, notation)} && \\text{{({s.number}) {rule}}}")
    return "\\begin{align*}\n" + " \\\\\n".join(lines) + "\n\\end{align*}"


def derivation_to_markdown(derivation: Any, notation: str = "gashler") -> str:
    """A numbered Markdown table (step | rule | expression) with inline LaTeX, like the seed's list."""
    _check_notation(notation)
    head = f"Gradient ${target_latex(derivation, notation)}$ " \
           f"({'UFLDL' if notation == 'ufldl' else 'Gashler'} notation)\n\n"
    rows = ["| step | rule | expression |", "|---:|---|---|"]
    for s in derivation.steps:
        rule = _rule_text(s, lambda ex: "$" + to_latex(ex, notation) + "$", notation)
        rows.append(f"| {s.number} | {rule} | $= {to_latex(s.expr, notation)}$ |")
    return head + "\n".join(rows) + "\n"


def derivation_to_text(derivation: Any, notation: str = "gashler") -> str:
    """Plain text: one numbered line per step and the expression on the next line."""
    _check_notation(notation)
    out = [f"{target_text(derivation, notation)}:"]
    for s in derivation.steps:
        rule = _rule_text(s, lambda ex: to_text(ex, notation), notation)
        out.append(f"{s.number:>2}. {rule}")
        out.append(f"    = {to_text(s.expr, notation)}")
    return "\n".join(out) + "\n"


def errata_to_markdown(errata: Any) -> str:
    """The errata as a Markdown document: one section per source (seed), one table per part; for
    seed 002 the corrected steps are shown as this package's SymPy derivation prints them."""
    from .errata import SOURCES

    out = [
        "# Errata of the seeds",
        "",
        "Generated by `python -c \"from backprop_course.symbolic import errata_markdown; "
        "print(errata_markdown())\"`; do not edit by hand.",
        "Every slip the course found in its sources, as listed in `backprop_course.symbolic.errata`;",
        "the package's code, its SymPy derivations and the lessons follow the corrected forms. A wrong",
        "number is listed with its recomputed value, which `tests/symbolic/test_errata.py` checks",
        "against an independent computation.",
        "",
    ]
    for seed, title in SOURCES.items():
        rows = [er for er in errata if er.seed == seed]
        if rows:
            out += [f"## {title}", ""]
            out += _seed_002_section(rows) if seed == "002" else _errata_section(rows)
    return "\n".join(out)


def _errata_section(rows: list) -> list[str]:
    """One table per part: where, what the source prints, what is right, why, recomputed value."""
    from .errata import PARTS

    out: list[str] = []
    for kind in dict.fromkeys(er.derivation for er in rows):
        out += [f"### {PARTS[kind]}", "", "| where | the source prints | correct | why | recomputed |",
                "|---|---|---|---|---|"]
        for er in (er for er in rows if er.derivation == kind):
            value = "" if er.recomputed is None else f"{er.recomputed} (printed: {er.printed_value})"
            out.append(f"| {er.seed_step} | ${er.printed}$ | ${er.correct}$ | {er.why} | {value} |")
        out.append("")
    return out


def _seed_002_section(rows: list) -> list[str]:
    """Seed 002: one table per derivation, then the corrected steps as SymPy prints them."""
    from .errata import PARTS, corrected_latex

    out = [
        "\"Step\" is the seed's step label; \"our step\" is the step of",
        "`derive_weight_gradient(5, 1, 7, 3)` or `derive_input_gradient(5, 5)` that shows the correct form.",
        "",
    ]
    for kind in ("definitions", "weight", "input"):
        part = [er for er in rows if er.derivation == kind]
        if not part:
            continue
        out += [f"### {PARTS[kind]}", "", "| seed step | the seed prints | correct | why | our step |",
                "|---|---|---|---|---|"]
        for er in part:
            ours = "" if er.step is None or kind == "definitions" else str(er.step)
            out.append(f"| {er.seed_step} | ${er.printed}$ | ${er.correct}$ | {er.why} | {ours} |")
        out.append("")
        shown = [er for er in part if er.step is not None and kind != "definitions"]
        for er in shown:
            out += [f"Our step {er.step} (for seed step {er.seed_step}):", "", "$$", corrected_latex(er), "$$", ""]
    return out
