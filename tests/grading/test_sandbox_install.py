"""``python -m backprop_course.grading.sandbox.install``: the permissions that keep the references from
the ``user`` sandbox route, tested on a copy of the package (never the source tree itself), and the
system user, tested only where the tests run as root."""
from __future__ import annotations

import compileall
import os
import pwd
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path

import pytest

from backprop_course.grading.sandbox import install

from grading_helpers import ROOT

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
needs_root = pytest.mark.skipif(not IS_ROOT, reason="creating users and switching to them needs root")
SYSTEM_PYTHON = "/usr/bin/python3"   # readable by an unprivileged user (the dev venv's Python may not be)


@pytest.fixture
def package() -> Path:
    """A compiled copy of the package in a folder anyone may enter (pytest's tmp_path is 0700)."""
    base = Path(tempfile.mkdtemp(prefix="bc-install-", dir="/tmp"))
    os.chmod(base, 0o755)
    copy = base / "backprop_course"
    shutil.copytree(ROOT / "backprop_course", copy, ignore=shutil.ignore_patterns("__pycache__"))
    assert compileall.compile_dir(copy, quiet=1)
    os.chmod(copy / "grading" / "exercises" / "strip.py", 0o755)   # an executable file, to see its x bit kept
    yield copy
    shutil.rmtree(base)


def _tree(package: Path) -> dict[str, os.stat_result]:
    out = {".": package.lstat()}
    for path in package.rglob("*"):
        out[path.relative_to(package).as_posix()] = path.lstat()
    return out


def _expected_visible(package: Path) -> set[str]:
    """Written out independently of install.is_child_visible: what the child may read or enter."""
    visible = {".", "__init__.py", "_lazy.py", "grading", "grading/__init__.py", "__pycache__",
               "grading/__pycache__"}
    visible |= {p for p in _tree(package) if p == "grading/sandbox" or p.startswith("grading/sandbox/")}
    visible |= {p for p in _tree(package) if p.startswith(("__pycache__/__init__.", "__pycache__/_lazy.",
                                                           "grading/__pycache__/__init__."))}
    return visible


def test_child_visible_lists_exactly_the_brief():
    assert install.SANDBOX_USER == "bc-sandbox"
    assert set(install.CHILD_VISIBLE) == {"backprop_course/__init__.py", "backprop_course/_lazy.py",
                                          "backprop_course/grading/__init__.py", "backprop_course/grading/sandbox"}


def test_only_the_child_side_stays_readable_by_others(package):
    before = _tree(package)
    assert all(st.st_mode & 0o004 for st in before.values())   # a plain copy: everything readable
    install.apply_permissions(package)
    after = _tree(package)
    assert after.keys() == before.keys()
    readable = {p for p, st in after.items() if st.st_mode & 0o005}
    assert readable == _expected_visible(package)
    for path, st in after.items():
        mode = stat.S_IMODE(st.st_mode)
        if path in readable:
            assert mode in ((0o755,) if stat.S_ISDIR(st.st_mode) else (0o644, 0o755)), (path, oct(mode))
        else:
            assert mode & 0o077 == 0, (path, oct(mode))
        if IS_ROOT:
            assert (st.st_uid, st.st_gid) == (0, 0), path
    # the references, hidden-case generators and the engine, with their compiled forms, are root-only
    for secret in ("grading/exercises/ex03_neuron.py", "grading/exercises/registry.py", "engine/value.py",
                   "grading/checking/judge.py", "grading/grader.py", "datasets.py", "grading/exercises",
                   "engine/__pycache__"):
        assert secret not in readable
    assert any(p.startswith("grading/exercises/__pycache__/ex03_neuron.") for p in after)
    assert not any(p.startswith("grading/exercises/__pycache__/") and p in readable for p in after)
    assert stat.S_IMODE(after["grading/exercises/strip.py"].st_mode) == 0o700   # x bit kept, for root only


def test_is_idempotent_and_reports_what_it_changed(package):
    first = install.apply_permissions(package)
    assert first.changed and first.visible and first.hidden
    assert "backprop_course/grading/exercises/registry.py" in first.changed
    assert "backprop_course/grading/sandbox/codec.py" not in first.changed   # it was 0644 already
    modes = {p: st.st_mode for p, st in _tree(package).items()}
    second = install.apply_permissions(package)
    assert second.changed == [] and (second.visible, second.hidden) == (first.visible, first.hidden)
    assert {p: st.st_mode for p, st in _tree(package).items()} == modes
    assert "root-only; 0 changed" in second.summary()


def test_a_group_or_world_writable_child_file_is_closed_too(package):
    codec = package / "grading" / "sandbox" / "codec.py"
    os.chmod(codec, 0o666)   # learner code must not be able to rewrite the child side
    install.apply_permissions(package)
    assert stat.S_IMODE(codec.stat().st_mode) == 0o644


@pytest.mark.parametrize("bad, error, says", [
    (42, TypeError, "'package' parameter must be the path of the installed backprop_course folder"),
    ("/nonexistent/backprop_course", ValueError, "'package' parameter must be the folder of the installed"),
])
def test_bad_package_argument_is_refused(bad, error, says):
    with pytest.raises(error, match=says):
        install.apply_permissions(bad)


def test_a_folder_that_is_not_the_package_is_refused_untouched(tmp_path):
    other = tmp_path / "site"
    other.mkdir()
    (other / "__init__.py").write_text("")
    with pytest.raises(ValueError, match="folder of the installed backprop_course package"):
        install.apply_permissions(other)
    assert stat.S_IMODE((other / "__init__.py").stat().st_mode) & 0o044


def test_main_refuses_without_root(monkeypatch, capsys):
    monkeypatch.setattr(install.os, "geteuid", lambda: 1000)
    monkeypatch.setattr(install, "apply_permissions", _must_not_run)
    assert install.main([]) == 2
    assert "must be run as root" in capsys.readouterr().err


def test_main_refuses_a_source_tree(monkeypatch, capsys):
    """This test runs from the source tree (editable install): locking it up would hurt the developer."""
    monkeypatch.setattr(install.os, "geteuid", lambda: 0)
    monkeypatch.setattr(install, "ensure_user", _must_not_run)
    monkeypatch.setattr(install, "apply_permissions", _must_not_run)
    assert install.package_dir() == (ROOT / "backprop_course").resolve()
    assert install.main([]) == 2
    assert "is not in a site-packages folder" in capsys.readouterr().err


def _must_not_run(*args, **kwargs):
    raise AssertionError("must not be reached")


def _read_as(user: str, package: Path, rel: str) -> subprocess.CompletedProcess:
    entry = pwd.getpwnam(user)
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import backprop_course.grading.sandbox; "
            "print(open(sys.argv[2]).read()[:60])")
    return subprocess.run([SYSTEM_PYTHON, "-I", "-c", code, str(package.parent), str(package / rel)],
                          user=entry.pw_uid, group=entry.pw_gid, extra_groups=[], cwd="/", capture_output=True,
                          text=True, timeout=60, env={"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"})


@needs_root
@pytest.mark.skipif(not os.path.exists(SYSTEM_PYTHON), reason="needs a Python an unprivileged user can read")
def test_attack_the_sandbox_user_reads_a_reference_until_the_permissions_are_applied(package):
    install.ensure_user()
    reference = "grading/exercises/ex03_neuron.py"
    before = _read_as(install.SANDBOX_USER, package, reference)
    assert before.returncode == 0 and before.stdout.strip(), before.stderr   # the attack works on a plain install
    install.apply_permissions(package)
    for secret in (reference, "grading/exercises/registry.py", "engine/value.py", "grading/checking/judge.py"):
        after = _read_as(install.SANDBOX_USER, package, secret)
        assert after.returncode != 0 and "PermissionError" in after.stderr, (secret, after.stdout, after.stderr)
    # ... while the child side still imports and reads
    ok = _read_as(install.SANDBOX_USER, package, "grading/sandbox/codec.py")
    assert ok.returncode == 0 and ok.stdout.strip(), ok.stderr


@needs_root
def test_ensure_user_creates_a_system_user_once():
    name = "bc-sandbox-t"   # a throwaway user, removed afterwards
    subprocess.run(["userdel", name], capture_output=True)
    try:
        said = install.ensure_user(name)
        assert said.startswith(f"created system user {name} ")
        entry = pwd.getpwnam(name)
        import grp

        assert 0 < entry.pw_uid < 1000 and grp.getgrgid(entry.pw_gid).gr_name == name
        assert entry.pw_shell.endswith(("nologin", "false")) and not os.path.exists(entry.pw_dir)
        assert install.ensure_user(name).startswith(f"user {name} exists (uid {entry.pw_uid}")
    finally:
        subprocess.run(["userdel", name], capture_output=True)


@needs_root
def test_ensure_user_refuses_a_user_with_uid_0():
    with pytest.raises(RuntimeError, match="uid 0"):
        install.ensure_user("root")
