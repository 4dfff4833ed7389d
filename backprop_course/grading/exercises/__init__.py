"""The exercise catalogue: one module per learner notebook (``exercises/<stem>.ipynb``), one unit per exercise.

To add an exercise notebook, write one module named ``exNN_name.py`` (``exNNb_name.py`` sorts right after
``exNN_...``): a ``WORKSHEET`` (:class:`~backprop_course.grading.exercises.worksheet.Worksheet`: title, lesson,
introduction) and ``EXERCISES``, a list of :class:`~backprop_course.grading.checking.exercise.Exercise`,
each holding its prompt, its solution cell (the learner's stub is derived from it), public cases, a
hidden-case generator, the reference, rules, hints and misconceptions. :mod:`.registry` finds the module by
its name; ``python scripts/make_exercises.py`` writes the notebooks and the docs tables from it. The
references call the engine (the package's own, tested implementation); they run in the process that
judges, never in the learner's code, and the sandbox's child can read none of this folder.
"""
