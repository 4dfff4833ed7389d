"""Checking: cases, comparison, verdicts and feedback, shared by ``bc.check`` and the grader.

``cases`` (test cases and results as data), ``exercise`` (what an exercise is), ``compare`` (numeric
comparison), ``judge`` (outputs -> verdicts and scores), ``diagnosis`` (a failing answer -> the catalogued
misconception it matches), ``source_rules`` (names a submission may not
use), ``formatting`` and ``feedback`` (the one-line-per-case text), ``check`` (``bc.check`` in the
learner's own kernel). Nothing here runs learner code for a graded run.
"""
