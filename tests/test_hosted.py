"""Hosted notebooks (Colab, Binder): the Binder spec matches the project, and every notebook's first cell
installs the course exactly when it is missing.

The install lines are run for real in a child Python, with the package hidden from imports until a
stand-in for ``pip`` has run, so both branches execute without a network.
"""
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import hosted  # noqa: E402

LESSONS = sorted((ROOT / "notebooks").glob("*.ipynb"))
EXERCISES = sorted((ROOT / "exercises").glob("*.ipynb"))
ALL = LESSONS + EXERCISES + sorted((ROOT / "exercises" / "solutions").glob("*.ipynb"))


def project() -> dict:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10: pytest itself depends on tomli there
        import tomli as tomllib
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def test_binder_requirements_are_the_project_dependencies():
    lines = (ROOT / "binder" / "requirements.txt").read_text().splitlines()
    listed = [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
    assert listed == project()["dependencies"]


def test_binder_post_build_installs_this_checkout_without_touching_dependencies():
    post = ROOT / "binder" / "postBuild"
    assert post.stat().st_mode & stat.S_IXUSR, "repo2docker runs postBuild only if it is executable"
    assert "pip install --no-deps -e ." in post.read_text()
    assert (ROOT / "binder" / "runtime.txt").read_text().strip().startswith("python-3.")


@pytest.mark.parametrize("path", ALL, ids=lambda p: str(p.relative_to(ROOT)))
def test_first_code_cell_starts_with_the_install_lines(path):
    cells = [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    assert cells[0].source.startswith(hosted.install_lines()), "rebuild with lessons_src/ or make_exercises.py"


@pytest.mark.parametrize("path", LESSONS + EXERCISES, ids=lambda p: str(p.relative_to(ROOT)))
def test_notebook_opens_in_colab_from_its_own_path(path):
    first_md = next(c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown")
    badge = hosted.colab_badge(str(path.relative_to(ROOT)))
    assert badge in first_md.source
    assert f"/blob/{hosted.BRANCH}/{path.relative_to(ROOT)})" in badge


def test_install_spec_points_at_the_declared_repository():
    url = project()["urls"]["Repository"]
    assert hosted.install_spec() == f"backprop-course @ git+{url}@{hosted.BRANCH}"


def test_repository_must_be_a_github_address(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text('[project.urls]\nRepository = "https://example.org/x"\n')
    monkeypatch.setattr(hosted, "ROOT", tmp_path)
    with pytest.raises(ValueError, match=r"Repository must be https://github.com/OWNER/NAME"):
        hosted.repository()


def run_install_lines(tmp_path: Path, hidden: bool) -> tuple[subprocess.CompletedProcess, Path]:
    """Run the install lines in a child Python; when ``hidden``, backprop_course cannot be imported
    until the stand-in ``pip`` (sys.executable) has written its marker file."""
    marker = tmp_path / "pip-was-called"
    fake = tmp_path / "fake-python"
    fake.write_text(f'#!/bin/sh\necho "$@" > "{marker}"\n')
    fake.chmod(0o755)
    prelude = textwrap.dedent(f"""
        import os, sys
        class HideCourse:
            def find_spec(self, name, path=None, target=None):
                if {hidden!r} and name.split(".")[0] == "backprop_course" and not os.path.exists({str(marker)!r}):
                    raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
                return None
        sys.meta_path.insert(0, HideCourse())
        sys.executable = {str(fake)!r}
    """)
    epilogue = "\nprint('imported', bc.__name__, hasattr(bc, 'Value'))\n"
    child = subprocess.run([sys.executable, "-c", prelude + hosted.install_lines() + epilogue],
                           capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONWARNINGS": ""})
    return child, marker


def test_install_lines_install_the_course_once_when_it_is_missing(tmp_path):
    child, marker = run_install_lines(tmp_path, hidden=True)
    assert child.returncode == 0, child.stderr
    assert marker.read_text().strip() == f"-m pip install -q {hosted.install_spec()}"
    assert child.stdout.strip() == "imported backprop_course True"


def test_install_lines_do_nothing_when_the_course_is_installed(tmp_path):
    child, marker = run_install_lines(tmp_path, hidden=False)
    assert child.returncode == 0, child.stderr
    assert not marker.exists(), "pip ran although the course was importable"
    assert child.stdout.strip() == "imported backprop_course True"


def test_install_lines_keep_the_grader_rules():
    from backprop_course.grading.checking.source_rules import find_violations

    assert find_violations(hosted.install_lines(), ()) == []
