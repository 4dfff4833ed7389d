"""The sandbox: the only place that runs learner code in a graded run.

``parent`` starts, limits, collects and ends the child; ``child`` is the program the child runs. The
child side (``child``, ``call``, ``codec``, ``symexpr``, ``testfunctions``, ``drivers``) imports nothing from the
rest of the package, so it works where the references are out of reach. Job and results travel by pipe.
"""
