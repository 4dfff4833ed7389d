"""Every catalogued misconception points the learner at a section that exists.

A diagnosis ends with a pointer such as ``lesson 13, '5. A node used twice'`` (or the older form
``lesson 02, section 3 "The forward pass stores local gradients"``). A pointer to a heading that was
renamed or never existed sends the learner looking for nothing, so each one is looked up among the
``##`` / ``###`` headings of the lesson's jupytext source.
"""
from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import backprop_course.grading.exercises as catalogue

LESSONS = Path(__file__).resolve().parents[2] / "lessons_src"
QUOTED = re.compile(r"""^lesson (\d+), '(.+)'$""")                       # lesson 13, '5. A node used twice'
SECTION = re.compile(r"""^lesson (\d+), section (\d+),? "(.+)"$""")      # lesson 02, section 3 "Title"


def _headings(lesson: int) -> set[str]:
    (source,) = LESSONS.glob(f"{lesson:02d}_*.py")
    return {re.sub(r"^# #{2,3} ", "", line).strip()
            for line in source.read_text(encoding="utf-8").splitlines() if re.match(r"^# #{2,3} ", line)}


def _pointers():
    for info in pkgutil.iter_modules(catalogue.__path__):
        if not re.match(r"ex\d", info.name):
            continue
        module = importlib.import_module(f"{catalogue.__name__}.{info.name}")
        for exercise in getattr(module, "EXERCISES", []):
            for m in exercise.misconceptions:
                yield pytest.param(m.lesson, id=f"{exercise.id}: {m.name}")


@pytest.mark.parametrize("pointer", list(_pointers()))
def test_misconception_points_at_an_existing_heading(pointer):
    quoted, section = QUOTED.match(pointer), SECTION.match(pointer)
    assert quoted or section, f"pointer {pointer!r} is neither lesson NN, 'heading' nor lesson NN, section N \"title\""
    if quoted:
        lesson, wanted = int(quoted.group(1)), {quoted.group(2)}
    else:   # "section N" names a ## heading "N. title", or a ### heading inside section N
        lesson, wanted = int(section.group(1)), {f"{section.group(2)}. {section.group(3)}", section.group(3)}
    assert wanted & _headings(lesson), f"{pointer!r}: no such heading in lesson {lesson:02d}"


def test_the_lookup_can_fail():
    assert "5. A node used twice" in _headings(13)
    assert "Calling backward twice" not in _headings(13)          # the pointer this test first caught
