"""Every catalogued misconception points the learner at a section that exists.

A diagnosis ends with a pointer such as ``lesson 13, section 5 "A node used twice"`` (or, for a
``###`` heading without a number, ``lesson 08, "The first-order prediction"``). A pointer to a heading that was
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
PLAIN = re.compile(r"""^lesson (\d+), "(.+)"$""")                        # lesson 08, "The first-order prediction"
SECTION = re.compile(r"""^lesson (\d+), section (\d+) "(.+)"$""")        # lesson 13, section 5 "A node used twice"


def _same_quotes(text: str) -> str:
    return text.replace('"', "'")   # a heading may quote with either kind of quote mark


def _headings(lesson: int) -> set[str]:
    (source,) = LESSONS.glob(f"{lesson:02d}_*.py")
    return {_same_quotes(re.sub(r"^# #{2,3} ", "", line).strip())
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
    plain, section = PLAIN.match(pointer), SECTION.match(pointer)
    assert plain or section, f"pointer {pointer!r} is neither lesson NN, section N \"title\" nor lesson NN, \"title\""
    if plain:
        lesson, wanted = int(plain.group(1)), {_same_quotes(plain.group(2))}
    else:   # "section N" names a ## heading "N. title", or a ### heading inside section N
        title = _same_quotes(section.group(3))
        lesson, wanted = int(section.group(1)), {f"{section.group(2)}. {title}", title}
    assert wanted & _headings(lesson), f"{pointer!r}: no such heading in lesson {lesson:02d}"


def test_the_lookup_can_fail():
    assert "5. A node used twice" in _headings(13)
    assert "Calling backward twice" not in _headings(13)          # the pointer this test first caught
