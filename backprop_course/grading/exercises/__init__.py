"""Exercise definitions, one module per learner notebook (``exercises/<stem>.ipynb``).

Each module defines ``EXERCISES``, a list of :class:`~backprop_course.grading.checking.exercise.Exercise`. The
references call the engine (the package's own, tested implementation); they run in the process that
judges, never in the learner's code.
"""
