"""Exercise checks (public and hidden), notebook intake and the grader.

Learners call ``bc.check("exNN.name", fn)`` (:mod:`.checking.check`); instructors run ``backprop-course
grade`` (:mod:`.cli`, :mod:`.grader`). In a graded run the learner's cells run in a child process
(:mod:`.sandbox`) that reports outputs as JSON and cannot reach the references; the references computed
in the grading process judge them (:mod:`.checking.judge`).

Places, one concept each: ``exercises/`` (the catalogue), ``checking/`` (cases, comparison, verdicts,
feedback), ``sandbox/`` (the only place that runs learner code), ``intake`` (notebook -> cells),
``grader`` (notebooks -> reports), ``reports/`` (JSON, CSV, Gradescope, progress), ``gradescope/`` (the
autograder zip) and ``cli`` (the commands). Nothing is imported here, so ``import backprop_course``
stays fast. See docs/grading.md.
"""
