"""Helpers for the Gradescope tests: what a valid results.json is, and the hidden values it must not show."""
from __future__ import annotations

import json
import math

from backprop_course.grading.exercises import registry
from backprop_course.grading.checking.formatting import short

VISIBILITIES = {"hidden", "after_due_date", "after_published", "visible"}


def _refuse_constant(name: str):
    raise ValueError(f"results.json holds {name}, which is not JSON")


def load_results(text: str) -> dict:
    """Parse a results.json strictly and check it against Gradescope's schema; returns the document."""
    doc = json.loads(text, parse_constant=_refuse_constant)
    assert isinstance(doc, dict)
    assert isinstance(doc["score"], (int, float)) and math.isfinite(doc["score"])
    assert isinstance(doc.get("output", ""), str)
    assert doc.get("visibility", "visible") in VISIBILITIES
    assert doc.get("stdout_visibility", "hidden") in VISIBILITIES
    assert isinstance(doc["tests"], list)
    for test in doc["tests"]:
        assert isinstance(test["name"], str) and test["name"]
        assert isinstance(test["score"], (int, float)) and isinstance(test["max_score"], (int, float))
        assert 0 <= test["score"] <= test["max_score"] or test["max_score"] == 0 == test["score"]
        assert isinstance(test["output"], str)
        assert test["visibility"] in VISIBILITIES
    assert doc["score"] == round(sum(t["score"] for t in doc["tests"]), 4)
    return doc


def hidden_expected_texts(notebook: str, seed: int) -> list[str]:
    """The text forms of the hidden cases' inputs and expected values of one notebook's exercises.

    Only forms long enough not to occur by chance in other text (a bare ``0.5`` would) are returned.
    """
    texts = []
    for exercise in registry.for_notebook(notebook):
        for case in exercise.cases(seed):
            if case.hidden:
                texts.append(short(exercise.shown(exercise.expected(case))))
                texts.append(short(case.calls if case.calls else case.args))
    return [t for t in texts if len(t) >= 12]
