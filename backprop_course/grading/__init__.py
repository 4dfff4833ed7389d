"""Exercise checks (public and hidden), notebook extraction and the grader.

Learners call ``bc.check("exNN.name", fn)`` (:mod:`.check`); instructors run ``backprop-course grade``
(:mod:`.cli`, :mod:`.grader`). The process that decides a score never runs learner code: the learner's
cells run in a child process (:mod:`.child`, :mod:`.runner`) that only reports outputs as JSON
(:mod:`.codec`, :mod:`.symexpr`), and references computed here judge them (:mod:`.judge`).

Modules, one concept each: ``cases`` (test cases and results as data), ``exercise`` (what an exercise
is), ``exercises/`` (the course's exercises, one module per notebook), ``registry`` (lookup by id),
``draw`` (hidden-input generators), ``testfunctions`` (functions sent by name), ``compare`` (numeric
comparison), ``rules`` (source rules), ``call`` (calling learner code safely), ``formatting`` and
``feedback`` (the learner's one-line-per-case text), ``extract`` (notebook -> cells), ``strip``
(solution -> learner notebook), ``report`` (JSON, Gradescope, CSV; atomic writes), ``progress`` and
``progress_view`` (``bc.progress``: a learner's verdicts), ``wheel``, ``bundle`` and ``gradescope_run``
(the Gradescope autograder zip and what runs in it). Nothing is imported
here, so ``import backprop_course`` stays fast. See docs/grading.md.
"""
