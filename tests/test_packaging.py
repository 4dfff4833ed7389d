"""The wheel carries the package, its data, the lessons and the learner exercises, never the solutions."""
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
                   check=True, timeout=600)
    (whl,) = out.glob("backprop_course-*.whl")
    return zipfile.ZipFile(whl)


@pytest.mark.slow
def test_wheel_contents(wheel):
    names = set(wheel.namelist())
    assert "backprop_course/engine/value.py" in names
    assert "backprop_course/data/digits.csv.gz" in names
    lessons = {n for n in names if n.startswith("backprop_course/course/notebooks/")}
    exercises = {n for n in names if n.startswith("backprop_course/course/exercises/")}
    assert {Path(n).name for n in lessons} == {p.name for p in (ROOT / "notebooks").glob("*.ipynb")}
    assert {Path(n).name for n in exercises} == {p.name for p in (ROOT / "exercises").glob("*.ipynb")}
    assert lessons and exercises
    assert not any("solutions" in n for n in names), "solutions must never ship"
    # the course's JupyterLab defaults (save widget state), where JupyterLab reads packaged defaults
    assert "backprop_course-0.1.0.data/data/share/jupyter/lab/settings/overrides.d/backprop-course.json" in names


@pytest.mark.slow
def test_entry_point_declared(wheel):
    (ep,) = [n for n in wheel.namelist() if n.endswith("entry_points.txt")]
    assert "backprop-course = backprop_course.cli:main" in wheel.read(ep).decode()
