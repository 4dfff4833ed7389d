"""The autograder bundle's options and its Gradescope runner, without installing anything
(the whole path through a fresh environment is tests/grading/test_autograder_e2e.py)."""
from __future__ import annotations

import os
import subprocess
import sys
import zipfile

import pytest

from backprop_course.grading.gradescope import bundle
from backprop_course.grading.gradescope import run as gradescope_run

from gradescope_helpers import load_results
from grading_helpers import SOLUTIONS


def _cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "backprop_course.cli", "autograder", *args],
                          capture_output=True, text=True, timeout=300, cwd=cwd)


@pytest.mark.parametrize("args, says", [
    (["--out", "bundle.tar"], "--out must be a file name ending in .zip"),
    (["--out", "no/such/folder/a.zip"], "does not exist"),
    (["--out", "a.zip", "--seed", "seven"], "invalid int value: 'seven'"),
    (["--out", "a.zip", "--timeout", "0"], "--timeout must be a finite number > 0"),
    (["--out", "a.zip", "--timeout", "nan"], "--timeout must be a finite number > 0"),
    ([], "the following arguments are required: --out"),
])
def test_cli_rejects_bad_options_and_writes_nothing(tmp_path, args, says):
    run = _cli(*args, cwd=tmp_path)
    assert run.returncode == 2 and says in run.stderr, run.stderr
    assert list(tmp_path.iterdir()) == []


def test_out_must_not_be_a_folder(tmp_path):
    (tmp_path / "x.zip").mkdir()
    with pytest.raises(ValueError, match="must be a file, not a folder"):
        bundle.check_out_path(tmp_path / "x.zip")


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root may write anywhere")
def test_out_folder_must_be_writable(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    with pytest.raises(ValueError, match="not writable"):
        bundle.check_out_path(locked / "a.zip")


@pytest.mark.parametrize("seed, timeout, error, says", [
    (1.5, 30, TypeError, "'seed' parameter must be an int"),
    (True, 30, TypeError, "'seed' parameter must be an int"),
    (1, -1, ValueError, "'timeout' parameter must be a finite number of seconds > 0"),
    (1, float("inf"), ValueError, "'timeout' parameter"),
    (1, "30", TypeError, "'timeout' parameter must be a number of seconds"),
])
def test_build_bundle_rejects_bad_arguments(tmp_path, seed, timeout, error, says):
    with pytest.raises(error, match=says):
        bundle.build_bundle(tmp_path / "a.zip", seed=seed, timeout=timeout, wheel=tmp_path / "unused.whl")
    assert list(tmp_path.iterdir()) == []


def test_given_wheel_must_be_of_the_running_version(tmp_path):
    other = tmp_path / "backprop_course-0.0.1-py3-none-any.whl"
    other.write_bytes(b"not really a wheel")
    with pytest.raises(ValueError, match="'wheel' parameter must be an existing backprop_course-"):
        bundle.build_bundle(tmp_path / "a.zip", seed=1, timeout=5, wheel=other)


def test_bundle_bakes_the_options_into_the_scripts_and_replaces_the_old_zip(tmp_path):
    from backprop_course import __version__

    wheel = tmp_path / f"backprop_course-{__version__}-py3-none-any.whl"
    wheel.write_bytes(b"stand-in wheel bytes")
    out = tmp_path / "autograder.zip"
    out.write_bytes(b"old bundle")
    bundle.build_bundle(out, seed=42, timeout=2.5, wheel=wheel)
    with zipfile.ZipFile(out) as zf:
        runner = zf.read("run_autograder").decode()
        setup = zf.read("setup.sh").decode()
        assert zf.read(wheel.name) == b"stand-in wheel bytes"
    assert "SEED=42\n" in runner and "TIMEOUT=2.5\n" in runner
    assert f'WHEEL="$ROOT/source/{wheel.name}"' in setup and "@" not in runner + setup
    assert sorted(p.name for p in tmp_path.iterdir()) == ["autograder.zip", wheel.name]  # no temp file left


@pytest.mark.parametrize("files, says", [
    ({}, "No notebook was found (the submission is empty)"),
    ({"essay.pdf": b"%PDF"}, "No notebook was found (the submission holds: essay.pdf)"),
    ({"a.ipynb": b"{}", "b.ipynb": b"{}"}, "2 notebooks were submitted (a.ipynb, b.ipynb)"),
])
def test_runner_refuses_anything_but_one_notebook(tmp_path, files, says):
    (tmp_path / "submission").mkdir()
    for name, data in files.items():
        (tmp_path / "submission" / name).write_bytes(data)
    assert gradescope_run.main(["--root", str(tmp_path), "--seed", "3", "--timeout", "5"]) == 0
    doc = load_results((tmp_path / "results" / "results.json").read_text())
    assert doc["score"] == 0 and doc["tests"] == [] and says in doc["output"]
    assert "seed" not in doc["extra_data"] and "3" not in doc["output"]


def test_runner_takes_its_root_from_the_environment(tmp_path, monkeypatch, capsys):
    (tmp_path / "submission").mkdir()
    (tmp_path / "submission" / "ex11_init.ipynb").write_bytes((SOLUTIONS / "ex11_init.ipynb").read_bytes())
    monkeypatch.setenv("AUTOGRADER_ROOT", str(tmp_path))
    assert gradescope_run.main(["--seed", "3", "--timeout", "30"]) == 0
    doc = load_results((tmp_path / "results" / "results.json").read_text())
    assert doc["score"] == 2.0 and [t["name"].split(":")[0] for t in doc["tests"]] == ["ex11.xavier_uniform"]
    assert "ex11_init.ipynb: 2/2 (ex11.xavier_uniform passed)" in capsys.readouterr().out


def test_run_autograder_writes_a_results_file_even_without_an_environment(tmp_path):
    """setup.sh never ran (no venv): Gradescope must still get a valid results.json saying so."""
    from backprop_course import __version__

    wheel = tmp_path / f"backprop_course-{__version__}-py3-none-any.whl"
    wheel.write_bytes(b"x")
    out = bundle.build_bundle(tmp_path / "a.zip", seed=1, timeout=5, wheel=wheel)
    root = tmp_path / "root"
    with zipfile.ZipFile(out) as zf:
        zf.extractall(root / "source")
    run = subprocess.run(["bash", str(root / "source" / "run_autograder")], capture_output=True, text=True,
                         env={**os.environ, "AUTOGRADER_ROOT": str(root)}, timeout=60)
    assert run.returncode == 0
    doc = load_results((root / "results" / "results.json").read_text())
    assert doc["score"] == 0 and "could not grade this submission" in doc["output"]
