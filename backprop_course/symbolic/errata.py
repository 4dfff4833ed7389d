"""Errata of seed 002 (Gashler's derivation), as data that lessons and docs can show.

Each :class:`Erratum` names where the slip is (which derivation, which of the seed's steps), what the
seed printed (a LaTeX fragment transcribed from the seed), what is right, and why. ``derivation`` and
``step`` point at the step of this package's derivation that holds the correct form, so a lesson can
render it with :func:`corrected_latex`; that step is produced by SymPy, not typed in.
``docs/errata.md`` is generated from this list by :func:`backprop_course.symbolic.render.errata_to_markdown`.

>>> len(ERRATA) >= 10
True
>>> ERRATA[0].seed_step, ERRATA[0].derivation
('1', 'weight')
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Erratum", "ERRATA", "corrected_expression", "corrected_latex", "errata_markdown"]


@dataclass(frozen=True)
class Erratum:
    """One slip in the seed.

    Attributes
    ----------
    derivation : {"weight", "input", "definitions"}
        ``"weight"``: dE/dw_173 (steps 1-24); ``"input"``: dE/dy_05; ``"definitions"``: the set-up.
    seed_step : str
        The step label as printed in the seed.
    step : int or None
        The step of ``derive_weight_gradient(5, 1, 7, 3)`` / ``derive_input_gradient(5, 5)`` that
        shows the correct form (None when there is no single step to show).
    printed : str
        What the seed shows (LaTeX).
    correct : str
        What it should be (LaTeX, short form).
    why : str
        The reason, in a sentence.
    """

    derivation: str
    seed_step: str
    step: int | None
    printed: str
    correct: str
    why: str


ERRATA: tuple[Erratum, ...] = (
    Erratum("weight", "1", 1,
            r"\frac{\partial \frac{1}{2} \sum_{i} (t_i - y_{5i})}{\partial w_{173}}",
            r"\frac{\partial \frac{1}{2} \sum_{i} (t_i - y_{5i})^2}{\partial w_{173}}",
            "The error is the half sum of SQUARED differences; without the square, step 2 (which "
            "brings down the exponent 2 and cancels the 1/2) would not follow."),
    Erratum("weight", "13", 13,
            r"\ldots \partial w_{2l7} y_{17} \,/\, \partial w_{3kl}",
            r"\ldots \frac{\partial\, w_{2l7} y_{17}}{\partial w_{173}}",
            "Every step differentiates by the same weight w_173; w_3kl is a summation term, "
            "not the variable of differentiation."),
    Erratum("weight", "17", 17,
            r"\ldots \partial \sum_n w_{17n} y_{0n} \,/\, \partial w_{172}",
            r"\ldots \frac{\partial \sum_n w_{17n} y_{0n}}{\partial w_{173}}",
            "The weight of interest comes from input node 3, so the denominator is w_173; with "
            "w_172 the surviving term of step 18 would be n = 2, not n = 3."),
    Erratum("weight", "18", 18,
            r"\ldots \partial w_{173} y_{03} \,/\, \lvert w_{173} y_{03} \rvert \quad \partial w_{173}",
            r"\ldots \frac{\partial\, w_{173} y_{03}}{\partial w_{173}}",
            "A typesetting slip: the numerator is the single surviving product w_173 y_03 and the "
            "denominator is the weight w_173."),
    Erratum("definitions", "definitions", None,
            r"y_{i,j} = f(x_{i,j})",
            r"y_{ij} = f_i(x_{ij})",
            "Each layer has its own activation f_i, as the rest of the text assumes (f'_5, f'_4, ...)."),
    Erratum("input", "1-15", 1,
            r"(i_i - y_{5i})",
            r"(t_i - y_{5i})",
            "The targets are t_i; i_i is an extraction or typing slip (step 16 has t_i again)."),
    Erratum("input", "5-16", 5,
            r"f_5^{i}(x_{5i})",
            r"f'_5(x_{5i})",
            "The derivative of the activation: the prime became a superscript i."),
    Erratum("input", "8", 8,
            r"\ldots \sum_j w_{5ij} \partial y_{4j}",
            r"\ldots \sum_j w_{5ij} \frac{\partial f_4(x_{4j})}{\partial y_{05}}",
            "Step 8 repeats step 7 instead of expanding y_4j into f_4(x_4j)."),
    Erratum("input", "9-10", 10,
            r"\ldots \sum_k w_{3kk}\, \partial f_2(x_{2k})",
            r"\ldots \sum_l w_{3kl}\, \frac{\partial f_2(x_{2l})}{\partial y_{05}}",
            "Each layer needs its own summation index; k is used twice. Step 10 also repeats step 9 "
            "instead of going one layer further."),
    Erratum("input", "11-12", 11,
            r"\text{(step 11 missing; step 12 printed twice)}",
            r"\text{step 11: repeat steps 5 through 8 down to } \partial f_1(x_{1m})",
            "One more repetition (through layer 2) is needed before the chain rule at layer 1."),
    Erratum("input", "12-16", 15,
            r"f'_2(x_{1l})",
            r"f'_2(x_{2l})",
            "The derivative of layer 2's activation is taken at layer 2's net input x_2l."),
    Erratum("input", "12 (second)", 13,
            r"\partial x_m w_{1mn} y_{0m}",
            r"\frac{\partial \sum_n w_{1mn} y_{0n}}{\partial y_{05}}",
            "Expanding x_1m gives the weighted sum over the input nodes n."),
    Erratum("input", "14", 14,
            r"\ldots \partial w_{1m5} \partial y_{05} \,/\, \partial y_{05}",
            r"\ldots \frac{\partial\, w_{1m5} y_{05}}{\partial y_{05}}",
            "Only the n = 5 term of the sum depends on y_05; it is the product w_1m5 y_05 that is "
            "differentiated, which leaves w_1m5."),
    Erratum("input", "15", None,
            r"\text{(the line is cut off)}",
            r"\text{the final form, step 16 of the seed}",
            "Step 15 of the seed is incomplete; its step 16 gives the final form."),
)


def _derivation(kind: str):
    from .derivations import derive_input_gradient, derive_weight_gradient

    return derive_weight_gradient(5, 1, 7, 3) if kind == "weight" else derive_input_gradient(5, 5)


def corrected_expression(erratum: Erratum):
    """The SymPy expression of the derivation step that shows the corrected form (or None)."""
    if erratum.step is None or erratum.derivation not in ("weight", "input"):
        return None
    return _derivation(erratum.derivation).steps[erratum.step - 1].expr


def corrected_latex(erratum: Erratum, notation: str = "gashler") -> str | None:
    """LaTeX of the corrected step, produced by the derivation (None when there is no single step)."""
    from .render import to_latex

    expr = corrected_expression(erratum)
    return None if expr is None else to_latex(expr, notation)


def errata_markdown() -> str:
    """The errata as a Markdown document (the content of ``docs/errata.md``)."""
    from .render import errata_to_markdown

    return errata_to_markdown(ERRATA)
