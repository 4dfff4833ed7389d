"""The command line: help lists subcommands, bad input is a clear error with a non-zero exit."""
import subprocess
import sys
from pathlib import Path

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
    done = lab.copy_course(src, dest)
    assert len(done.copied) == 2 and not (done.refreshed or done.current or done.kept)
    done = lab.copy_course(src, dest)
    assert len(done.current) == 2 and not (done.copied or done.refreshed or done.kept)
    (dest / "notebooks" / "01_a.ipynb").write_text("learner edit")
    done = lab.copy_course(src, dest)
    assert [p.name for p in done.kept] == ["01_a.ipynb"] and len(done.current) == 1
    assert not (done.copied or done.refreshed)
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
    done = lab.copy_course(src, dest)
    assert (dest / "notebooks" / "01_a.ipynb").read_text() == "v2"
    assert (dest / "notebooks" / "02_b.ipynb").read_text() == "learner's work"
    assert [p.name for p in done.refreshed] == ["01_a.ipynb"] and [p.name for p in done.kept] == ["02_b.ipynb"]
    assert not done.copied and not done.current


def test_lab_dry_run_in_clone_opens_lesson_01_in_a_course_folder(tmp_path, capsys):
    # Not the repository root (lessons_src/, tests/, ...): a folder with the lessons and exercises only.
    course = tmp_path / "course"
    assert cli.main(["lab", "--dry-run", "--dir", str(course)]) == 0
    out = capsys.readouterr().out
    assert f"--ServerApp.root_dir={course} " in out
    assert out.rstrip().endswith(str(course / "notebooks" / "01_welcome.ipynb"))
    assert sorted(p.name for p in course.iterdir()) == [".backprop-course.json", "exercises", "notebooks"]


def test_lab_refuses_the_repository_itself_as_course_folder(capsys):
    assert cli.main(["lab", "--dry-run", "--dir", str(lab.repo_root())]) == 1
    assert "The 'dir' option of lab must be a folder of its own" in capsys.readouterr().err


def test_lab_passes_unknown_options_to_jupyterlab(tmp_path, capsys):
    assert cli.main(["lab", "--dry-run", "--dir", str(tmp_path), "--no-browser", "--port", "8899"]) == 0
    out = capsys.readouterr().out
    assert "--no-browser --port 8899" in out


def test_other_commands_reject_unknown_options():
    out = run("derive", "--layers", "2", "--weight", "1", "1", "1", "--frobnicate")
    assert out.returncode == 2 and "unrecognized arguments: --frobnicate" in out.stderr


# ---------------------------------------------------------------------------------------------
# `lab` with a fake JupyterLab: a `jupyterlab` package first on PYTHONPATH, so `python -m jupyterlab`
# (this interpreter's JupyterLab, the one the command runs) is the fake. It records its arguments,
# writes a runtime file as a Jupyter server does, and on SIGINT either stops cleanly (removing its
# file: what the real server does when told --ServerApp.answer_yes=True) or dies leaving it.
# ---------------------------------------------------------------------------------------------
FAKE_JUPYTERLAB = r'''
import json, os, signal, sys, time
from pathlib import Path
runtime = Path(os.environ["JUPYTER_RUNTIME_DIR"]); runtime.mkdir(parents=True, exist_ok=True)
mine = runtime / f"jpserver-{os.getpid()}.json"
mine.write_text("{}")
Path(os.environ["FAKE_LOG"]).write_text(json.dumps(sys.argv[1:]))
def stop(signum, frame):
    if os.environ.get("FAKE_MODE") == "die" or "--ServerApp.answer_yes=True" not in sys.argv:
        os._exit(1)                      # killed mid-way: the runtime file stays behind
    mine.unlink()
    print("Shutting down...", flush=True)
    sys.exit(0)
signal.signal(signal.SIGINT, stop)
Path(os.environ["FAKE_LOG"] + ".ready").write_text("")
time.sleep(60)
'''


def run_lab_with_fake_jupyter(tmp_path, mode="clean"):
    import json
    import os
    import signal
    import subprocess
    import sys
    import time

    fake = tmp_path / "fake"
    (fake / "jupyterlab").mkdir(parents=True)
    (fake / "jupyterlab" / "__init__.py").write_text("")
    (fake / "jupyterlab" / "__main__.py").write_text(FAKE_JUPYTERLAB)
    log, runtime, course = tmp_path / "argv.json", tmp_path / "runtime", tmp_path / "course"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(fake), os.environ.get("PYTHONPATH", "")]),
               JUPYTER_RUNTIME_DIR=str(runtime), FAKE_LOG=str(log), FAKE_MODE=mode)
    # Its own session, so SIGINT to its process group is exactly a terminal's Ctrl-C.
    proc = subprocess.Popen([sys.executable, "-m", "backprop_course.cli", "lab", "--dir", str(course),
                             "--no-browser", "--port", "8899"], env=env, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while not (tmp_path / "argv.json.ready").exists():
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    return proc.returncode, out, err, json.loads(log.read_text()), runtime, course


def test_lab_ctrl_c_stops_cleanly_without_traceback(tmp_path):
    code, out, err, argv, runtime, course = run_lab_with_fake_jupyter(tmp_path)
    assert code == 0 and "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert "Shutting down..." in out
    assert list(runtime.iterdir()) == []
    # The arguments JupyterLab got: the clean course folder, shut down without asking, the learner's
    # own options in order, and lesson 01 to open.
    assert f"--ServerApp.root_dir={course}" in argv and "--ServerApp.answer_yes=True" in argv
    assert argv[argv.index("--no-browser"):argv.index("--no-browser") + 3] == ["--no-browser", "--port", "8899"]
    assert argv[-1] == str(course / "notebooks" / "01_welcome.ipynb")
    assert sorted(p.name for p in course.iterdir()) == [".backprop-course.json", "exercises", "notebooks"]
    assert "notebooks copied" in out and "kept" not in out


def test_lab_removes_the_runtime_files_of_a_server_that_died(tmp_path):
    code, out, err, argv, runtime, course = run_lab_with_fake_jupyter(tmp_path, mode="die")
    assert code == 1 and "Traceback" not in err, err
    assert list(runtime.iterdir()) == []


@pytest.mark.parametrize("copied, refreshed, current, kept, expected", [
    (1, 0, 0, 0, "1 notebook copied."),
    (24, 0, 0, 0, "24 notebooks copied."),
    (0, 0, 24, 0, "24 notebooks already up to date."),
    (0, 1, 22, 1, "1 notebook updated to the new course version, 1 edited by you and kept as you left "
                  "them, 22 already up to date."),
    (0, 0, 0, 0, "no notebooks."),
])
def test_lab_summary_counts_and_plurals(copied, refreshed, current, kept, expected):
    paths = lambda n: [Path(f"{i}.ipynb") for i in range(n)]  # noqa: E731
    done = lab.CourseCopy(paths(copied), paths(refreshed), paths(current), paths(kept))
    assert lab.summary(Path("/c"), done) == f"Course folder {Path('/c')}: {expected}"
