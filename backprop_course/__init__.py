"""backprop-course: learn backpropagation from the chain rule up.

The curated API is reachable as ``bc.<name>`` after ``import backprop_course as bc``. Every name is
loaded lazily on first use, so ``import backprop_course`` stays fast (no numpy, SymPy or matplotlib
until a lesson asks for them).

>>> import backprop_course as bc
>>> x, y, z = bc.Value(-2.0), bc.Value(5.0), bc.Value(-4.0)
>>> f = (x + y) * z
>>> f.backward()
>>> (f.data, x.grad, y.grad, z.grad)
(-12.0, -4.0, -4.0, 3.0)
"""
from __future__ import annotations

from backprop_course._lazy import lazy_names

__version__ = "0.1.0"

# name -> (module, attribute); attribute None means "the module itself".
_LAZY = {
    "Value": ("backprop_course.engine.value", "Value"),
    "trace": ("backprop_course.engine.graph", "trace"),
    "MLP": ("backprop_course.engine.mlp", "MLP"),
    "SGD": ("backprop_course.engine.optim", "SGD"),
    "RPROP": ("backprop_course.engine.optim", "RPROP"),
    "get_optimizer": ("backprop_course.engine.optim", "get_optimizer"),
    "train": ("backprop_course.engine.training", "train"),
    "train_step": ("backprop_course.engine.training", "train_step"),
    "TrainingDiverged": ("backprop_course.engine.training", "TrainingDiverged"),
    "gradcheck": ("backprop_course.engine.gradcheck", "gradcheck"),
    "check": ("backprop_course.grading.checking.check", "check"),
    "selfcheck": ("backprop_course.widgets.selfcheck", "quiz"),
    "progress": ("backprop_course.grading.reports.progress_view", "progress"),
    "engine": ("backprop_course.engine", None),
    "datasets": ("backprop_course.datasets", None),
    "symbolic": ("backprop_course.symbolic", None),
    "widgets": ("backprop_course.widgets", None),
    "grading": ("backprop_course.grading", None),
}

__all__ = ["__version__", *_LAZY]


__getattr__, __dir__ = lazy_names(__name__, globals(), _LAZY)
