"""Errata of the sources, as data that lessons and docs can show.

Each :class:`Erratum` names where the slip is (which source, which part, which equation or step), what
the source printed (a LaTeX fragment transcribed from it), what is right, and why; for a wrong
number it also holds the printed value and the recomputed one (``tests/symbolic/test_errata.py``
recomputes every such number independently).

``ERRATA`` holds Gashler's derivation only: there ``derivation`` and ``step`` point at the step of
this package's derivation that holds the correct form, so a lesson can render it with
:func:`backprop_course.symbolic.render.corrected_latex`; that step is produced by SymPy, not typed in.
``ALL_ERRATA`` holds every source in the order of :data:`SOURCES`, and :func:`errata_for` picks one
source. This module is data: ``docs/errata.md`` is generated from ``ALL_ERRATA`` by
:func:`backprop_course.symbolic.render.errata_markdown`.

>>> len(ERRATA) >= 10
True
>>> ERRATA[0].source_step, ERRATA[0].derivation, ERRATA[0].source
('1', 'weight', 'gashler2010')
>>> er = errata_for("example")[0]
>>> er.printed_value, er.recomputed
(0.291027924, 0.291027774)
"""
from __future__ import annotations

from dataclasses import dataclass

from backprop_course.engine import checks

__all__ = ["Erratum", "ERRATA", "ALL_ERRATA", "SOURCES", "PARTS", "errata_for", "corrected_expression"]


@dataclass(frozen=True)
class Erratum:
    """One slip in a source.

    Attributes
    ----------
    derivation : str
        The part of the source. Gashler's: ``"weight"`` (dE/dw_173, steps 1-24), ``"input"``
        (dE/dy_05) or ``"definitions"`` (the set-up); other sources: a short part name (see
        :data:`PARTS`).
    source_step : str
        Where in that part: the step label as Gashler prints it, or the equation / passage.
    step : int or None
        The step of ``derive_weight_gradient(5, 1, 7, 3)`` / ``derive_input_gradient(5, 5)`` that
        shows the correct form (None when there is no single step to show).
    printed : str
        What the source shows (LaTeX).
    correct : str
        What it should be (LaTeX, short form).
    why : str
        The reason, in a sentence.
    source : str
        The source: a key of :data:`SOURCES` (``"note2017"``, ``"dummies"``, ``"gashler2010"``,
        ``"he_ufldl"``, or ``"example"`` for the 2-2-2 worked example of lesson 06, which is not one
        of the four sources). Defaults to ``"gashler2010"``.
    printed_value, recomputed : float or None
        For a wrong number: the value the source prints and the value a recomputation gives, both
        rounded to the digits the source shows.
    """

    derivation: str
    source_step: str
    step: int | None
    printed: str
    correct: str
    why: str
    source: str = "gashler2010"
    printed_value: float | None = None
    recomputed: float | None = None


SOURCES: dict[str, str] = {
    "note2017": "*Back Propagation*, a 2017 note (no author named)",
    "dummies": "*Backpropagation for dummies*, a blog post",
    "gashler2010": "Mike Gashler, *A thorough derivation of back-propagation* (2010)",
    "he_ufldl": "Yuhang He, *A step by step guide to understand backpropagation* (UFLDL notation)",
    "example": ("Matt Mazur, *A Step by Step Backpropagation Example* (2015): the 2-2-2 worked example of "
                "lesson 06 (not one of the four sources)"),
}

PARTS: dict[str, str] = {
    "definitions": "Definitions",
    "weight": "Gradient by the weight w_173 (steps 1-24)",
    "input": "Gradient by the input y_05",
    "graph": "The computational graph (sections 2-3)",
    "network": "The layered network (section 4)",
    "error": "The error function",
    "backprop": "Output and hidden neurons (eqs. 5-13)",
    "initialisation": "Initialisation (the 2016 edit)",
    "chain": "Notation and the one-neuron-per-layer chain",
    "step": "One training step",
}


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
            r"\text{the final form: step 16 in Gashler (2010)}",
            "Gashler (2010) breaks off step 15 mid-line; his step 16 gives the final form."),
)


# The other sources. Their slips are in formulas and words, not in SymPy steps, so ``step`` is None.
OTHER_ERRATA: tuple[Erratum, ...] = (
    Erratum("graph", "eqs. 1-3", None,
            r"\frac{\delta f}{\delta x}",
            r"\frac{\partial f}{\partial x}",
            "The note writes partial derivatives with a delta. The usual sign is the curly d; the delta "
            "is better kept for error terms, as in the UFLDL guide and the package's deltas.",
            source="note2017"),
    Erratum("network", "4.1 (terminology)", None,
            r"z_i^n,\ a_i^n:\ \text{the value at node } j \text{ of layer } n",
            r"z_j^n,\ a_j^n:\ \text{the value at node } j \text{ of layer } n",
            "The subscript and the node it names must be the same letter; j matches the weight w_jk^n.",
            source="note2017"),
    Erratum("network", "eq. 4 with 4.1", None,
            r"z^n = a^{n-1} \cdot w^n,\quad w^n_{jk}:\ \text{node } k \to \text{node } j",
            r"z^n_j = \sum_k w^n_{jk}\, a^{n-1}_k,\ \text{i.e. } z^n = a^{n-1} (w^n)^{\top} \text{ for a row } a^{n-1}",
            "With the index order of 4.1 (destination first) the matrix is destinations x sources, so a "
            "row of activations meets its transpose; the package stores weights this way and computes "
            "A @ W.T + b.",
            source="note2017"),
    Erratum("network", "eq. 5", None,
            r"\frac{\partial z^n}{\partial a^{n-1}} = w^n \quad \text{(printed twice, both numbered 5)}",
            r"\frac{\partial z^n}{\partial a^{n-1}} = w^n \text{ once; eq. 6 gives } "
            r"\frac{\partial z^n}{\partial w^n} = a^{n-1}",
            "A duplicated line: the sentence before it announces the two derivatives of eq. 4, and eqs. 5 "
            "and 6 give them; nothing is missing.",
            source="note2017"),
    Erratum("network", "eq. 10", None,
            r"\frac{\partial L}{\partial z^n} = \frac{\partial L}{\partial z^{n+1}} * w^n * \sigma'(z^n)",
            r"\frac{\partial L}{\partial z^n} = \frac{\partial L}{\partial z^{n+1}}\, w^{n+1} \odot \sigma'(z^n)",
            "By eq. 4 one layer up, z^(n+1) = a^n w^(n+1), so dz^(n+1)/da^n = w^(n+1): the error returns "
            "through the weights that leave layer n. With w^n the shapes do not even fit unless the "
            "layers have equal widths, and then the result is wrong.",
            source="note2017"),
    Erratum("error", "eq. 4", None,
            r"E = \tfrac{1}{2}(t_o - a_o)^2 \ \text{called the Mean-Squared Error}",
            r"E = \tfrac{1}{2}(t_o - a_o)^2 \ \text{is half the squared error}",
            "Nothing is averaged and there is a factor 1/2. The mean squared error of N outputs averages "
            "(t - a)^2, a different number whose gradient 2(a - t)/N is not a - t (the engine's "
            "half_sse and mse losses).",
            source="dummies"),
    Erratum("backprop", "after eq. 10", None,
            r"\text{the second term on the RHS}",
            r"\text{the last factor } \frac{\partial E}{\partial a_i} \text{ of eq. 10}",
            "Eq. 10 has four factors, a_j, a_i, (1 - a_i) and dE/da_i; the two cases that follow (eqs. 11 "
            "and 13) are about the last one, as the sentence before says.",
            source="dummies"),
    Erratum("initialisation", "Xavier's initialization", None,
            r"\text{weights in the 0-1 range} \Rightarrow \text{top-layer activations near 0.5: saturation}",
            r"\text{small weights centred on 0} \Rightarrow \text{outputs near 0.5 (collapse); } "
            r"U(0, 1) \text{ weights} \Rightarrow \text{outputs pinned near 1 (saturation)}",
            "Outputs near 0.5 are where the sigmoid's slope is largest, the opposite of saturation (outputs "
            "near 0 or 1). And all-positive weights add up: in a sigmoid net 50 units wide they "
            "push every output of the top layer above 0.999 (lesson 11).",
            source="dummies"),
    Erratum("chain", "introduction", None,
            r"\text{the bias term } \delta",
            r"\text{the error term } \delta",
            "UFLDL's delta is the error term dJ/dz of a unit; the bias is b.",
            source="he_ufldl"),
    Erratum("chain", "simple example", None,
            r"z_1^{(4)} = W_{1,1}^{(3)} \cdot f_1^{(3)}(z_1^{(3)}) + b_{(3)}",
            r"z_1^{(4)} = W_{1,1}^{(3)}\, f_1^{(3)}(z_1^{(3)}) + b_1^{(3)}",
            "The bias of unit 1 leading out of layer 3 carries the layer as a superscript like W; a "
            "subscript (3) would name unit 3. Lesson 05 writes b^(3), dropping the unit index of its one-neuron "
            "layers.",
            source="he_ufldl"),
    Erratum("chain", "simple example", None,
            r"f_1^{(1)}(x)",
            r"a^{(1)} = x",
            "In UFLDL the input layer has no activation function: the value that W^(1) multiplies is the "
            "input itself.",
            source="he_ufldl"),
    Erratum("step", "E after the step", None,
            r"E = 0.291027924",
            r"E = 0.291027774",
            "After one step with learning rate 0.5 that updates the eight weights and keeps the biases, "
            "the error recomputes to 0.291027774, both exactly and with the new weights rounded to the "
            "digits the source prints; the published figure is off in its seventh decimal place.",
            source="example", printed_value=0.291027924, recomputed=0.291027774),
)

ALL_ERRATA: tuple[Erratum, ...] = tuple(
    er for key in SOURCES for er in (ERRATA + OTHER_ERRATA) if er.source == key)


def errata_for(source: str) -> tuple[Erratum, ...]:
    """The errata of one source, ``source`` a key of :data:`SOURCES` (e.g. ``"note2017"``)."""
    if source not in SOURCES:
        raise checks.error("errata_for", "source", f"one of {sorted(SOURCES)}", repr(source))
    return tuple(er for er in ALL_ERRATA if er.source == source)


def _derivation(kind: str):
    from .derivations import derive_input_gradient, derive_weight_gradient

    return derive_weight_gradient(5, 1, 7, 3) if kind == "weight" else derive_input_gradient(5, 5)


def corrected_expression(erratum: Erratum):
    """The SymPy expression of the derivation step that shows the corrected form (or None)."""
    if erratum.source != "gashler2010" or erratum.step is None or erratum.derivation not in ("weight", "input"):
        return None
    return _derivation(erratum.derivation).steps[erratum.step - 1].expr
