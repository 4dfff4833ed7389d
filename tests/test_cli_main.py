"""The command line: help lists subcommands, bad input is a clear error with a non-zero exit."""
import subprocess
import sys

import pytest

from backprop_course import cli, lab


def run(*args):
    return subprocess.run([sys.executable, "-m", "backprop_course.cli", *args],
                          capture_output=True, text=True, timeout=120)


def test_help_lists_subcommands():
    out = run("--help")
    assert out.returncode == 0
    assert "lab" in out.stdout


@pytest.mark.parametrize("args", [["frobnicate"], []])
def test_unknown_or_missing_subcommand_fails_clearly(args):
    out = run(*args)
    assert out.returncode != 0
    assert "backprop-course" in out.stderr
    assert "error" in out.stderr


def test_lab_copies_without_overwriting(tmp_path):
    src = tmp_path / "src"
    for folder in ("notebooks", "exercises"):
        (src / folder).mkdir(parents=True)
        (src / folder / "01_a.ipynb").write_text("{}")
    dest = tmp_path / "dest"
    copied, kept = lab.copy_course(src, dest)
    assert len(copied) == 2 and not kept
    (dest / "notebooks" / "01_a.ipynb").write_text("learner edit")
    copied, kept = lab.copy_course(src, dest)
    assert not copied and len(kept) == 2
    assert (dest / "notebooks" / "01_a.ipynb").read_text() == "learner edit"


def test_lab_refreshes_untouched_notebooks_but_never_edited_ones(tmp_path):
    src, dest = tmp_path / "src", tmp_path / "dest"
    (src / "notebooks").mkdir(parents=True)
    (src / "notebooks" / "01_a.ipynb").write_text("v1")
    (src / "notebooks" / "02_b.ipynb").write_text("v1")
    lab.copy_course(src, dest)
    (dest / "notebooks" / "02_b.ipynb").write_text("learner's work")
    (src / "notebooks" / "01_a.ipynb").write_text("v2")      # a new course release
    (src / "notebooks" / "02_b.ipynb").write_text("v2")
    copied, kept = lab.copy_course(src, dest)
    assert (dest / "notebooks" / "01_a.ipynb").read_text() == "v2"
    assert (dest / "notebooks" / "02_b.ipynb").read_text() == "learner's work"
    assert [p.name for p in copied] == ["01_a.ipynb"] and [p.name for p in kept] == ["02_b.ipynb"]


def test_lab_dry_run_in_clone_opens_repository(capsys):
    assert cli.main(["lab", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "jupyterlab" in out and str(lab.repo_root()) in out


def test_lab_passes_unknown_options_to_jupyterlab(capsys):
    assert cli.main(["lab", "--dry-run", "--no-browser", "--port", "8899"]) == 0
    out = capsys.readouterr().out
    assert "--no-browser --port 8899" in out


def test_other_commands_reject_unknown_options():
    out = run("derive", "--layers", "2", "--weight", "1", "1", "1", "--frobnicate")
    assert out.returncode == 2 and "unrecognized arguments: --frobnicate" in out.stderr
