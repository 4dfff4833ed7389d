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
    bundle.build_bundle(out, seed=424242, timeout=2.5, wheel=wheel)
    with zipfile.ZipFile(out) as zf:
        runner = zf.read("run_autograder").decode()
        setup = zf.read("setup.sh").decode()
        readme = zf.read("README.md").decode()
        assert zf.read(wheel.name) == b"stand-in wheel bytes"
        assert zf.read("seed") == b"424242\n"
        assert (zf.getinfo("seed").external_attr >> 16) & 0o777 == 0o600
    assert "TIMEOUT=2.5\n" in runner and 'SEED_FILE="$ROOT/source/seed"' in runner
    assert "--seed-file \"$SEED_FILE\"" in runner and "--seed " not in runner
    assert "424242" not in runner + setup + readme   # the seed lives in its own file only
    assert f'WHEEL="$SOURCE/{wheel.name}"' in setup and "@" not in runner + setup
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


def test_runner_reads_the_seed_from_a_file(tmp_path):
    (tmp_path / "submission").mkdir()
    (tmp_path / "seed").write_text(" 31337\n")
    assert gradescope_run.main(["--root", str(tmp_path), "--seed-file", str(tmp_path / "seed"),
                                "--timeout", "5"]) == 0
    doc = load_results((tmp_path / "results" / "results.json").read_text())
    assert "seed" not in doc["extra_data"] and "No notebook was found" in doc["output"]


@pytest.mark.parametrize("content, args, says", [
    (None, ["--seed-file", "{root}/no-seed"], "--seed-file '{root}/no-seed' cannot be read"),
    ("seven", ["--seed-file", "{root}/seed"], "must hold one integer (the hidden-case seed)"),
    (b"\xff\xfe", ["--seed-file", "{root}/seed"], "must hold one integer"),
    ("7", ["--seed-file", "{root}/seed", "--seed", "7"], "not allowed with argument"),
    ("7", [], "one of the arguments --seed-file --seed is required"),
])
def test_runner_refuses_a_bad_seed_file_and_writes_nothing(tmp_path, capsys, content, args, says):
    if content is not None:
        (tmp_path / "seed").write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(SystemExit) as exit_:
        gradescope_run.main(["--root", str(tmp_path), "--timeout", "5",
                             *(a.format(root=tmp_path) for a in args)])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert says.format(root=tmp_path) in err and "seven" not in err, err   # the file's content is not echoed
    assert not (tmp_path / "results").exists()


@pytest.mark.parametrize("planted", ["file", "folder", "link"])
def test_runner_replaces_a_results_file_it_did_not_write(tmp_path, planted):
    (tmp_path / "submission").mkdir()
    results = tmp_path / "results"
    results.mkdir(mode=0o777)
    os.chmod(results, 0o777)
    forged = results / "results.json"
    outside = tmp_path / "outside.json"
    outside.write_text("{}")
    if planted == "file":
        forged.write_text('{"score": 1000}')
    elif planted == "folder":
        forged.mkdir()
        (forged / "x").write_text("x")
    else:
        forged.symlink_to(outside)
    assert gradescope_run.main(["--root", str(tmp_path), "--seed", "3", "--timeout", "5"]) == 0
    assert forged.is_file() and not forged.is_symlink() and outside.read_text() == "{}"
    assert load_results(forged.read_text())["score"] == 0
    mode = results.stat().st_mode & 0o777
    assert mode & 0o022 == 0, oct(mode)   # nobody but the owner may write there any more
    if os.geteuid() == 0:
        assert (results.stat().st_uid, mode) == (0, 0o755)


FAKE_GRADER = """#!/usr/bin/env bash
printf '%s\\n' "$@" > "$AUTOGRADER_ROOT/argv.txt"
echo '{"score": 1000, "tests": []}' > "$AUTOGRADER_ROOT/results/results.json"
exit @STATUS@
"""


@pytest.mark.parametrize("status", [137, 1])
def test_run_autograder_discards_a_results_file_when_the_grader_dies(tmp_path, status):
    """The attack: a submission writes {"score": 1000} and kills the grader; the forged file must not count."""
    from backprop_course import __version__

    wheel = tmp_path / f"backprop_course-{__version__}-py3-none-any.whl"
    wheel.write_bytes(b"x")
    out = bundle.build_bundle(tmp_path / "a.zip", seed=987654, timeout=5, wheel=wheel)
    root = tmp_path / "root"
    with zipfile.ZipFile(out) as zf:
        zf.extractall(root / "source")
    python = root / "venv" / "bin" / "python"   # a stand-in grader that is "killed" after forging
    python.parent.mkdir(parents=True)
    python.write_text(FAKE_GRADER.replace("@STATUS@", str(status)))
    python.chmod(0o755)
    run = subprocess.run(["bash", str(root / "source" / "run_autograder")], capture_output=True, text=True,
                         env={**os.environ, "AUTOGRADER_ROOT": str(root)}, timeout=60)
    assert run.returncode == 0, run.stderr
    doc = load_results((root / "results" / "results.json").read_text())
    assert doc["score"] == 0 and f"stopped with status {status}" in doc["output"]
    argv = (root / "argv.txt").read_text()
    assert "--seed-file" in argv and "987654" not in argv   # the seed never on the command line
    assert [p.name for p in (root / "results").iterdir()] == ["results.json"]   # no temporary file left
