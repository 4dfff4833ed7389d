"""One source per exercise: the notebooks, the registry and the docs tables come from the modules.

``scripts/make_exercises.py`` builds every notebook in memory from ``grading/exercises/exNN_*.py``; the
stored notebooks must hold exactly those cells (sources, cell types, the grader's metadata) and
``docs/grading.md`` exactly the generated tables. The registry finds the modules by name, in course order.
"""
from __future__ import annotations

import sys
import textwrap

import nbformat
import pytest

from backprop_course.grading.checking.exercise import Exercise
from backprop_course.grading.exercises.worksheet import Worksheet
from backprop_course.grading.exercises import registry
from backprop_course.grading.exercises.strip import BEGIN, END, stub_line

from grading_helpers import EXERCISES, META, ROOT, SOLUTIONS

sys.path.insert(0, str(ROOT / "scripts"))
import make_exercises  # noqa: E402

STEMS = list(registry.NOTEBOOKS)


def _read(path):
    return nbformat.read(path, as_version=4)


@pytest.mark.parametrize("stem", STEMS)
def test_stored_notebooks_are_what_the_modules_generate(stem):
    stored_solution, stored_learner = _read(SOLUTIONS / f"{stem}.ipynb"), _read(EXERCISES / f"{stem}.ipynb")
    solution, learner = make_exercises.build(stem, stored_solution)
    assert make_exercises.cell_differences(solution, stored_solution) == [], \
        f"{stem} is stale: run python scripts/make_exercises.py and execute the notebooks"
    assert make_exercises.cell_differences(learner, stored_learner) == []
    assert [c.id for c in solution.cells] == [c.id for c in stored_solution.cells]   # ids kept: a quiet diff
    stubs = {c.metadata[META]["exercise"]: c.source for c in stored_learner.cells
             if c.metadata.get(META, {}).get("role") == "solution"}
    assert stubs == {ex.id: ex.stub for ex in registry.for_notebook(stem)}


def test_cell_differences_names_a_changed_cell():
    stem = STEMS[0]
    stored = _read(SOLUTIONS / f"{stem}.ipynb")
    built, _ = make_exercises.build(stem, stored)
    stored.cells[2].source += "\n# changed by hand"
    assert make_exercises.cell_differences(built, stored) == [f"cell 2 (prompt/{registry.for_notebook(stem)[0].id})"]
    del stored.cells[-1]
    assert f"{len(built.cells) - 1} cells instead of {len(built.cells)}" in make_exercises.cell_differences(built, stored)


def test_new_cells_get_stable_ids():
    stem = STEMS[0]
    first, _ = make_exercises.build(stem)
    second, _ = make_exercises.build(stem)
    ids = [c.id for c in first.cells]
    assert ids == [c.id for c in second.cells] and len(set(ids)) == len(ids)


def test_docs_tables_are_current():
    text = (ROOT / "docs" / "grading.md").read_text(encoding="utf-8")
    assert make_exercises.render_docs(text) == text, "run python scripts/make_exercises.py"


def test_exercise_table_lists_every_exercise_with_its_counts():
    table = make_exercises.exercises_table()
    for ex in registry.all_exercises().values():
        row = next(line for line in table.splitlines() if line.startswith(f"| `{ex.id}` |"))
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert cells[2] == f"`{ex.notebook}`" and cells[3] == registry.worksheet(ex.notebook).lesson
        assert float(cells[4]) == ex.points and int(cells[5]) == len(ex.public())
        assert int(cells[6]) >= 1
    assert len(table.splitlines()) == 2 + len(registry.all_exercises())


def test_misconception_table_renders_what_is_catalogued(monkeypatch):
    from backprop_course.grading.checking.exercise import Misconception

    ex = next(iter(registry.all_exercises().values()))
    mistake = Misconception("sign flip | pipe", "explained", "lesson 02, 'The graph'", "def f(x):\n    return -x")
    patched = {ex.id: Exercise(**{**ex.__dict__, "misconceptions": (mistake,)})}
    monkeypatch.setattr(registry, "all_exercises", lambda: patched)
    table = make_exercises.misconceptions_table()
    assert table.splitlines()[2] == f"| `{ex.id}` | sign flip \\| pipe | lesson 02, 'The graph' |"
    monkeypatch.setattr(registry, "all_exercises", lambda: {})
    assert "No misconception" in make_exercises.misconceptions_table()


def test_render_docs_replaces_only_between_markers_and_needs_them():
    begin, end = make_exercises._marked("exercises")
    mbegin, mend = make_exercises._marked("misconceptions")
    text = f"before\n{begin}\nSTALE-TABLE\n{end}\nmiddle\n{mbegin}\n{mend}\nafter\n"
    out = make_exercises.render_docs(text)
    assert out.startswith(f"before\n{begin}\n| exercise |") and "STALE-TABLE" not in out
    assert f"{end}\nmiddle\n{mbegin}\n" in out and out.endswith(f"{mend}\nafter\n")
    assert make_exercises.render_docs(out) == out
    with pytest.raises(ValueError, match="markers"):
        make_exercises.render_docs("no markers here")


def test_check_command_passes_on_the_stored_files(capsys):
    assert make_exercises.main(["--check"]) == 0, capsys.readouterr().out


# ---- the units themselves ---------------------------------------------------------------------------

@pytest.mark.parametrize("ex", list(registry.all_exercises().values()), ids=lambda ex: ex.id)
def test_every_exercise_carries_its_prompt_and_solution(ex):
    assert ex.prompt.startswith("### Exercise "), ex.id
    heads = (f"def {ex.function}(", f"class {ex.function}:", f"class {ex.function}(")  # a function, or a class
    assert ex.solution.startswith(heads) and BEGIN in ex.solution and END in ex.solution
    assert stub_line(ex.id) in ex.stub and BEGIN not in ex.stub and END not in ex.stub
    assert ex.stub.startswith(heads)                         # the signature and docstring stay
    assert ex.check_call == f'bc.check("{ex.id}", {ex.function})'


@pytest.mark.parametrize("stem", STEMS)
def test_every_module_has_its_worksheet(stem):
    sheet = registry.worksheet(stem)
    assert isinstance(sheet, Worksheet) and sheet.stem == stem
    assert sheet.title.startswith("Exercises ") and sheet.intro and len(sheet.lesson) == 2
    assert registry.for_notebook(stem), f"{stem} has no exercise"


def test_registry_discovers_modules_in_course_order():
    assert STEMS == sorted(STEMS, key=registry._course_order)
    assert STEMS.index("ex06_backprop") + 1 == STEMS.index("ex06b_gradcheck")
    folder = ROOT / "backprop_course" / "grading" / "exercises"
    on_disk = {p.stem for p in folder.glob("ex*.py") if registry.STEM_PATTERN.match(p.stem)}
    assert set(STEMS) == on_disk
    assert {"registry", "draw", "strip", "_nets"}.isdisjoint(STEMS)


def test_course_order_puts_letters_after_the_plain_number_and_numbers_numerically():
    stems = ["ex13_attention", "ex06b_gradcheck", "ex10_optimizers", "ex06_backprop", "ex02_graphs", "ex15_x"]
    assert sorted(stems, key=registry._course_order) == ["ex02_graphs", "ex06_backprop", "ex06b_gradcheck",
                                                         "ex10_optimizers", "ex13_attention", "ex15_x"]


def test_a_new_module_is_found_by_adding_the_file(tmp_path, monkeypatch):
    # one more folder on the package's path holding one extra module: discovery needs nothing else
    import backprop_course.grading.exercises as pkg

    extra = tmp_path / "ex99_extra.py"
    extra.write_text(textwrap.dedent('''
        NOTEBOOK = "ex99_extra"
    '''))
    monkeypatch.setattr(pkg, "__path__", [*pkg.__path__, str(tmp_path)])
    assert registry.discover()[-1] == "ex99_extra"


def test_worksheet_rejects_an_unknown_stem():
    with pytest.raises(ValueError, match="stem"):
        registry.worksheet("ex99_missing")


def test_readme_lesson_map_links_each_exercise_notebook_in_its_lesson_row():
    # the README's lesson map is prose, checked against the registry rather than kept as a second list
    rows = {line.split("|")[1].strip(): line for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
            if line.startswith("| ") and line.split("|")[1].strip().isdigit()}
    for stem in STEMS:
        lesson = registry.worksheet(stem).lesson
        assert f"`exercises/{stem}.ipynb`" in rows.get(lesson, ""), f"README's lesson {lesson} row lacks {stem}"


def test_every_mentioned_exercise_notebook_exists():
    import re

    texts = [ROOT / "README.md", *(ROOT / "docs").glob("*.md"), *(ROOT / "lessons_src").glob("*.py")]
    for path in texts:
        for stem in re.findall(r"exercises/(?:solutions/)?(ex\d\d[a-z]?_\w+)\.ipynb", path.read_text(encoding="utf-8")):
            assert stem in STEMS, f"{path.relative_to(ROOT)} mentions exercises/{stem}.ipynb, which no module defines"


def test_progress_groups_a_notebook_under_its_worksheets_lesson():
    from backprop_course.grading.reports import progress

    assert progress._lesson("ex06b_gradcheck") == "06" == registry.worksheet("ex06b_gradcheck").lesson
    assert [progress._lesson(stem) for stem in STEMS] == [registry.worksheet(stem).lesson for stem in STEMS]


def test_main_rewrites_only_the_stale_notebooks_and_the_tables(tmp_path, monkeypatch, capsys):
    import shutil

    shutil.copytree(EXERCISES, tmp_path / "exercises")
    (tmp_path / "docs").mkdir()
    docs = tmp_path / "docs" / "grading.md"
    shutil.copyfile(ROOT / "docs" / "grading.md", docs)
    monkeypatch.setattr(make_exercises, "ROOT", tmp_path)
    monkeypatch.setattr(make_exercises, "DOCS", docs)
    before = {p: p.read_bytes() for p in (tmp_path / "exercises").rglob("*.ipynb")}
    stem = STEMS[1]
    stale = tmp_path / "exercises" / f"{stem}.ipynb"
    nb = _read(stale)
    nb.cells[2].source = "edited by hand"
    nbformat.write(nb, stale)
    begin, end = make_exercises._marked("exercises")
    text = docs.read_text(encoding="utf-8")
    docs.write_text(text.replace(begin, f"{begin}\nstale row"), encoding="utf-8")

    assert make_exercises.main(["--check"]) == 1
    assert make_exercises.main([]) == 0
    assert docs.read_text(encoding="utf-8") == text
    changed = {p.relative_to(tmp_path).as_posix() for p, data in before.items() if p.read_bytes() != data}
    assert changed == {f"exercises/{stem}.ipynb", f"exercises/solutions/{stem}.ipynb"}
    assert _read(stale).cells[2].source == registry.for_notebook(stem)[0].prompt
    assert make_exercises.main(["--check"]) == 0
    assert make_exercises.main(["--force"]) == 0
    changed = {p for p, data in before.items() if p.read_bytes() != data}
    assert len(changed) == 2 * len(STEMS)             # outputs cleared everywhere, sources unchanged
    assert make_exercises.main(["--check"]) == 0
    capsys.readouterr()
