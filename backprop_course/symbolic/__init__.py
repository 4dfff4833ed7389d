"""Symbolic derivations with SymPy (Gashler 2010, and generalisations); imports the engine only for checks.

>>> from backprop_course import symbolic
>>> d = symbolic.derive_weight_gradient(layers=5, layer=1, j=7, k=3)
>>> d.error_form
-e[1, 7]*y[0, 3]

Names load lazily, so importing this package (as the ``backprop-course`` command line does) does not
import SymPy until a derivation is asked for.
"""
from __future__ import annotations

from backprop_course._lazy import lazy_names

_LAZY = {
    "derive_weight_gradient": "backprop_course.symbolic.derivations",
    "derive_bias_gradient": "backprop_course.symbolic.derivations",
    "derive_input_gradient": "backprop_course.symbolic.derivations",
    "Derivation": "backprop_course.symbolic.derivations",
    "Step": "backprop_course.symbolic.derivations",
    "verify": "backprop_course.symbolic.verify",
    "VerificationReport": "backprop_course.symbolic.verify",
    "to_latex": "backprop_course.symbolic.render",
    "to_markdown": "backprop_course.symbolic.render",
    "to_text": "backprop_course.symbolic.render",
    "step_latex_highlighted": "backprop_course.symbolic.render",
    "evaluate": "backprop_course.symbolic.verify",
    "NumericNetwork": "backprop_course.symbolic.verify",
    "derive_chain": "backprop_course.symbolic.examples",
    "derive_small_graph": "backprop_course.symbolic.examples",
    "ERRATA": "backprop_course.symbolic.errata",
    "ALL_ERRATA": "backprop_course.symbolic.errata",
    "errata_for": "backprop_course.symbolic.errata",
    "errata_markdown": "backprop_course.symbolic.render",
    "derive_softmax_cross_entropy": "backprop_course.symbolic.softmax",
    "verify_softmax_derivation": "backprop_course.symbolic.softmax",
    "steps_to_markdown": "backprop_course.symbolic.render",
}

__all__ = sorted(_LAZY)


__getattr__, __dir__ = lazy_names(__name__, globals(), _LAZY)
