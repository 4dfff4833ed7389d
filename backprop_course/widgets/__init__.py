"""Interactive views (ipywidgets + matplotlib): thin shells over pure, tested functions.

Names load lazily (``bc.widgets.graph_explorer`` imports ipywidgets and matplotlib on first use), so
``import backprop_course.widgets`` stays cheap.
"""
from __future__ import annotations

from backprop_course._lazy import lazy_names

# name -> module that defines it (add a line per public view or factory)
_LAZY = {
    # view 1: computational graph explorer (the 2017 note)
    "graph_explorer": "backprop_course.widgets.graph_view",
    "GraphView": "backprop_course.widgets.graph_view",
    # view 2: neuron explorer (Backpropagation for dummies)
    "neuron_explorer": "backprop_course.widgets.neuron",
    "NeuronView": "backprop_course.widgets.neuron",
    # view 3: gradient descent on a surface (Backpropagation for dummies)
    "descent_explorer": "backprop_course.widgets.descent",
    "DescentView": "backprop_course.widgets.descent",
    # view 4: gradient flow in a network (all four sources)
    "flow_view": "backprop_course.widgets.flow",
    "GradientFlowView": "backprop_course.widgets.flow",
    # view 5: training playground
    "playground": "backprop_course.widgets.playground",
    "TrainingPlayground": "backprop_course.widgets.playground",
    # view 7: derivation explorer (Gashler 2010)
    "derivation_explorer": "backprop_course.widgets.derivation_view",
    "DerivationExplorer": "backprop_course.widgets.derivation_view",
    # view 6: initialisation and saturation (Backpropagation for dummies)
    "init_explorer": "backprop_course.widgets.init_view",
    "InitView": "backprop_course.widgets.init_view",
    # view 8: vanishing products along a chain (lesson 05)
    "chain_explorer": "backprop_course.widgets.chain",
    "ChainView": "backprop_course.widgets.chain",
    # view 9: nudge an input, watch the prediction and dE/dx move (lesson 08)
    "nudge_explorer": "backprop_course.widgets.nudge",
    "NudgeView": "backprop_course.widgets.nudge",
    # view 10: online, mini-batch and batch training side by side (lesson 09)
    "modes_explorer": "backprop_course.widgets.modes",
    "ModesView": "backprop_course.widgets.modes",
    # view 11: the digits network of lesson 12 learning (loss, accuracy, mistakes)
    "digits_explorer": "backprop_course.widgets.digits",
    "DigitsView": "backprop_course.widgets.digits",
    # self-check questions at the end of every lesson (answers stay in the kernel)
    "quiz": "backprop_course.widgets.selfcheck",
    "Quiz": "backprop_course.widgets.selfcheck",
    "QuizView": "backprop_course.widgets.selfcheck",
    "Choice": "backprop_course.widgets.selfcheck",
    "Number": "backprop_course.widgets.selfcheck",
}

__all__ = sorted(_LAZY)


__getattr__, __dir__ = lazy_names(__name__, globals(), _LAZY)
