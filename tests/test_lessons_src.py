"""Every lesson notebook is what its jupytext source in lessons_src/ builds (scripts/build_lessons.py)."""
import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "lessons_src").glob("[0-9][0-9]_*.py"))


@pytest.fixture(scope="module")
def build_lessons():
    scripts = str(ROOT / "scripts")
    sys.path.insert(0, scripts)  # the build script imports its neighbours (hosted, execute_notebooks)
    try:
        spec = importlib.util.spec_from_file_location("build_lessons", ROOT / "scripts" / "build_lessons.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.path.remove(scripts)


def test_every_lesson_has_a_source_and_a_notebook():
    notebooks = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert [p.stem for p in SOURCES] == notebooks


@pytest.mark.parametrize("source", SOURCES, ids=[p.stem for p in SOURCES])
def test_stored_notebook_matches_its_source(build_lessons, source):
    assert build_lessons.differences(source) == []


def test_sources_do_not_edit_sys_path():
    for source in SOURCES:
        assert "sys.path" not in source.read_text(), source.name


def test_a_changed_source_is_detected(build_lessons, tmp_path):
    source = tmp_path / SOURCES[0].name
    source.write_text(SOURCES[0].read_text().replace("# %% [markdown]\n", "# %% [markdown]\n# A new line.\n", 1))
    assert "cell 0 (markdown) differs" in build_lessons.differences(source)
