"""Rendering: whole documents built from derivations and errata (LaTeX, Markdown, plain text).

A single expression is spelled by :mod:`.printing`; this module builds what is made of many of them:
a derivation as an ``align*`` block, a numbered Markdown table or terminal text, a step with the part
it rewrote highlighted, and the errata document (``docs/errata.md``). It depends on
:mod:`.derivations` and :mod:`.errata`; neither depends on it.

>>> from backprop_course.symbolic.notation import e, y
>>> to_latex(-e[1, 7] * y[0, 3])
'- e_{17} y_{03}'
>>> to_latex(-e[1, 7] * y[0, 3], notation="ufldl")
'\\\\delta^{(2)}_{7} a^{(1)}_{3}'
"""
from __future__ import annotations

from typing import Any

import sympy as sp
from sympy.printing.latex import LatexPrinter

from backprop_course.engine import checks

from .derivations import Derivation, Step
from .errata import ALL_ERRATA, PARTS, SOURCES, Erratum, corrected_expression
from .printing import NOTATIONS, LatexForm, check_notation, prepare, spell
from .rules import what_changed

__all__ = ["NOTATIONS", "to_latex", "to_text", "to_markdown", "derivation_to_latex", "derivation_to_markdown",
           "derivation_to_text", "steps_to_markdown", "target_latex", "target_text", "step_latex_highlighted",
           "corrected_latex", "errata_markdown"]


def _render(obj: Any, notation: str, form: str) -> str:
    """An expression, a :class:`Step` (its expression) or a whole :class:`Derivation`, as ``form``."""
    check_notation(notation)
    if isinstance(obj, Derivation):
        return (derivation_to_latex if form == "latex" else derivation_to_text)(obj, notation)
    if isinstance(obj, Step):
        obj = obj.expr
    return spell(obj, notation, form)


def to_latex(obj: Any, notation: str = "gashler") -> str:
    """LaTeX of a SymPy expression, a :class:`Step` or (as an ``align*`` block) a :class:`Derivation`."""
    return _render(obj, notation, "latex")


def to_text(obj: Any, notation: str = "gashler") -> str:
    """Plain text of an expression, a step or a whole derivation (for terminals)."""
    return _render(obj, notation, "text")


class _Highlight(LatexForm):
    """LaTeX with one sub-expression wrapped in ``\\colorbox`` (no memo: the mark depends on position)."""

    def __init__(self, notation: str, part: sp.Basic, color: str) -> None:
        super().__init__(notation)
        self.part, self.color = part, color

    def _print(self, expr: Any, **kwargs: Any) -> str:
        out = LatexPrinter._print(self, expr, **kwargs)
        if isinstance(expr, sp.Basic) and expr == self.part and not kwargs:
            return f"\\colorbox{{{self.color}}}{{$\\displaystyle {out}$}}"
        return out


def step_latex_highlighted(derivation: Derivation, number: int, notation: str = "gashler",
                           color: str = "yellow") -> str:
    """LaTeX of step ``number`` (1-based) with the part that the step rewrote highlighted.

    The rewritten part is found by comparing the step with the one before it
    (:func:`.rules.what_changed`); step 1 is returned without a mark.
    """
    check_notation(notation)
    steps = derivation.steps
    if not isinstance(number, int) or not 1 <= number <= len(steps):
        raise checks.error("step_latex_highlighted", "number", f"a step number between 1 and {len(steps)}",
                           repr(number))
    expr = prepare(steps[number - 1].expr, notation)
    if number == 1:
        return to_latex(expr, notation)
    change = what_changed(prepare(steps[number - 2].expr, notation), expr)
    if change is None:
        return to_latex(expr, notation)
    return _Highlight(notation, change[1], color).doprint(expr)


def to_markdown(derivation: Derivation, notation: str = "gashler") -> str:
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
    check_notation(notation)
    lines = []
    for s in derivation.steps:
        lhs = target_latex(derivation, notation) if s.number == 1 else ""
        rule = _rule_text(s, lambda ex: "$" + to_latex(ex, notation) + "$", notation)
        lines.append(f"{lhs} &= {to_latex(s.expr, notation)} && \\text{{({s.number}) {rule}}}")
    return "\\begin{align*}\n" + " \\\\\n".join(lines) + "\n\\end{align*}"


def derivation_to_markdown(derivation: Any, notation: str = "gashler") -> str:
    """A numbered Markdown table (step | rule | expression) with inline LaTeX, like the source's list."""
    check_notation(notation)
    head = f"Gradient ${target_latex(derivation, notation)}$ " \
           f"({'UFLDL' if notation == 'ufldl' else 'Gashler'} notation)\n\n"
    rows = ["| step | rule | expression |", "|---:|---|---|"]
    for s in derivation.steps:
        rule = _rule_text(s, lambda ex: "$" + to_latex(ex, notation) + "$", notation)
        rows.append(f"| {s.number} | {rule} | $= {to_latex(s.expr, notation)}$ |")
    return head + "\n".join(rows) + "\n"


def steps_to_markdown(steps: Any, lhs: str, notation: str = "gashler") -> str:
    """Any list of :class:`Step` as a numbered Markdown table (step | rule | expression).

    ``lhs`` is the LaTeX of what every step equals (e.g. ``\\frac{\\partial E}{\\partial z_{j}}``);
    it heads the first row. Used for derivations that are not Gashler's, such as lesson 14's softmax.
    """
    check_notation(notation)
    rows = ["| step | rule | expression |", "|---:|---|---|"]
    for n, s in enumerate(steps):
        head = lhs + " " if n == 0 else ""
        rows.append(f"| {s.number} | {s.rule} | ${head}= {to_latex(s.expr, notation)}$ |")
    return "\n".join(rows) + "\n"


def derivation_to_text(derivation: Any, notation: str = "gashler") -> str:
    """Plain text: one numbered line per step and the expression on the next line."""
    check_notation(notation)
    out = [f"{target_text(derivation, notation)}:"]
    for s in derivation.steps:
        rule = _rule_text(s, lambda ex: to_text(ex, notation), notation)
        out.append(f"{s.number:>2}. {rule}")
        out.append(f"    = {to_text(s.expr, notation)}")
    return "\n".join(out) + "\n"


def corrected_latex(erratum: Erratum, notation: str = "gashler") -> str | None:
    """LaTeX of the corrected step, produced by the derivation (None when there is no single step)."""
    expr = corrected_expression(erratum)
    return None if expr is None else to_latex(expr, notation)


def errata_markdown(errata: tuple[Erratum, ...] = ALL_ERRATA) -> str:
    """The errata as a Markdown document (the content of ``docs/errata.md``): one section per source,
    one table per part; for Gashler the corrected steps are shown as this package's SymPy derivation
    prints them."""
    out = [
        "# Errata of the sources",
        "",
        "Generated by `python -c \"from backprop_course.symbolic import errata_markdown; "
        "print(errata_markdown())\"`; do not edit by hand.",
        "Every slip the course found in its sources, as listed in `backprop_course.symbolic.errata`;",
        "the package's code, its SymPy derivations and the lessons follow the corrected forms. A wrong",
        "number is listed with its recomputed value, which `tests/symbolic/test_errata.py` checks",
        "against an independent computation.",
        "",
    ]
    for source, title in SOURCES.items():
        rows = [er for er in errata if er.source == source]
        if rows:
            out += [f"## {title}", ""]
            out += _gashler_section(rows) if source == "gashler2010" else _errata_section(rows)
    return "\n".join(out)


def _errata_section(rows: list) -> list[str]:
    """One table per part: where, what the source prints, what is right, why, recomputed value."""
    out: list[str] = []
    for kind in dict.fromkeys(er.derivation for er in rows):
        out += [f"### {PARTS[kind]}", "", "| where | the source prints | correct | why | recomputed |",
                "|---|---|---|---|---|"]
        for er in (er for er in rows if er.derivation == kind):
            value = "" if er.recomputed is None else f"{er.recomputed} (printed: {er.printed_value})"
            out.append(f"| {er.source_step} | ${er.printed}$ | ${er.correct}$ | {er.why} | {value} |")
        out.append("")
    return out


def _gashler_section(rows: list) -> list[str]:
    """Gashler: one table per derivation, then the corrected steps as SymPy prints them."""
    out = [
        "\"Step\" is the source's step label; \"our step\" is the step of",
        "`derive_weight_gradient(5, 1, 7, 3)` or `derive_input_gradient(5, 5)` that shows the correct form.",
        "",
    ]
    for kind in ("definitions", "weight", "input"):
        part = [er for er in rows if er.derivation == kind]
        if not part:
            continue
        out += [f"### {PARTS[kind]}", "", "| Gashler's step | Gashler prints | correct | why | our step |",
                "|---|---|---|---|---|"]
        for er in part:
            ours = "" if er.step is None or kind == "definitions" else str(er.step)
            out.append(f"| {er.source_step} | ${er.printed}$ | ${er.correct}$ | {er.why} | {ours} |")
        out.append("")
        shown = [er for er in part if er.step is not None and kind != "definitions"]
        for er in shown:
            out += [f"Our step {er.step} (for Gashler's step {er.source_step}):", "", "$$", corrected_latex(er), "$$", ""]
    return out
