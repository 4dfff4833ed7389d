"""The walls around a graded child: which route this machine allows, and what each route builds (parent side).

Three routes, strongest first; :func:`choose_route` takes the first one that works here, or the one named
by the ``BACKPROP_COURSE_SANDBOX`` environment variable (``bwrap``, ``user``, ``none``; ``auto`` is the
default):

``bwrap``
    bubblewrap (Debian's ``bubblewrap``; the sandbox Flatpak uses) starts the child in new user, PID,
    mount, network, IPC and UTS namespaces with every capability dropped. Its file system holds only the
    operating system's libraries, the Python installation and the sandbox's own part of the course, all
    read-only, and an empty private ``/tmp``: the references, the solutions, other submissions, the
    report and the grader's files do not exist there. In its own PID namespace the child cannot see or
    signal the grader, and when the namespace's first process ends the kernel ends every process in it.
    Chosen over util-linux's ``unshare`` + ``setpriv`` because one program does the namespaces, the
    read-only binds and the capability drop, with no helper process of ours in between.
``user``
    Where namespaces are refused (Docker's default seccomp profile, as on Gradescope) but the grader runs
    as root: the child runs as the unprivileged user ``bc-sandbox`` (made by ``python -m
    backprop_course.grading.sandbox.install``, which also makes the answer-holding parts of the installed
    package readable by root only), in its own session, with a private folder only it can write. It
    cannot read the references, signal the grader or write the grader's files; every process of that
    user is killed when the exercise ends.
``none``
    A learner's own machine (no bubblewrap, not root): the child is an ordinary process in its own
    session. The audit hook (:mod:`.guard`) is the wall here, and it is escapable; a learner grading their
    own work can only cheat themselves.

In every route: hard resource limits, an allow-listed environment, the job and the results on pipes (the
seed never leaves the grader: the child gets the cases' inputs, never how they were drawn) and the audit
hook. docs/grading.md has the trust model and the table of attacks tried against each route.
"""
from __future__ import annotations

import functools
import importlib.util
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

from .guard import ALWAYS_BLOCKED_MODULES, Policy
from .install import CHILD_VISIBLE as _VISIBLE_IN_SITE_PACKAGES
from .install import SANDBOX_USER, is_child_visible

__all__ = ["ROUTES", "ENV_VAR", "SANDBOX_USER", "CHILD_VISIBLE", "SandboxUnavailable", "choose_route",
           "child_environment", "policy_for", "bwrap_command", "sandbox_user", "kill_user_processes",
           "USER_ROUTE_LOCK", "SANDBOX_WORKDIR"]

ROUTES = ("bwrap", "user", "none")
ENV_VAR = "BACKPROP_COURSE_SANDBOX"
#: The parts of the package (relative to it) the child may read; everything else of it is hidden.
CHILD_VISIBLE = tuple(path.split("/", 1)[1] for path in _VISIBLE_IN_SITE_PACKAGES)
#: The child's folder inside a bubblewrap sandbox (its private /tmp).
SANDBOX_WORKDIR = "/tmp/work"
#: One exercise at a time runs as the sandbox user, so that killing all its processes hits only one.
USER_ROUTE_LOCK = threading.Lock()

PACKAGE_DIR = Path(__file__).resolve().parents[2]
_ETC_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime", "/etc/passwd",
              "/etc/group", "/etc/nsswitch.conf", "/etc/fonts", "/etc/alternatives", "/etc/mime.types")
_DEVICES = ("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom")
#: Passed through from the grader's environment when set (machine-specific numeric settings).
_PASSED_THROUGH = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "LD_LIBRARY_PATH")
TMP_BYTES = 512 * 1024**2


class SandboxUnavailable(RuntimeError):
    """The route asked for (``BACKPROP_COURSE_SANDBOX``) cannot run on this machine."""


# -- choosing a route ---------------------------------------------------------------------------------------
def choose_route() -> str:
    """The route graded children take here: the one named by ``BACKPROP_COURSE_SANDBOX``, else the strongest."""
    wanted = os.environ.get(ENV_VAR, "auto").strip().lower() or "auto"
    if wanted not in (*ROUTES, "auto"):
        raise SandboxUnavailable(f"{ENV_VAR} must be one of auto, {', '.join(ROUTES)}. Got {wanted!r} instead.")
    if wanted == "auto":
        for route in ROUTES:
            if _usable(route)[0]:
                return route
    ok, why = _usable(wanted)
    if not ok:
        raise SandboxUnavailable(f"{ENV_VAR}={wanted}, but that route cannot run here: {why}. "
                                 f"Unset {ENV_VAR} to use the strongest route this machine allows.")
    return wanted


@functools.lru_cache(maxsize=None)
def _usable(route: str) -> tuple[bool, str]:
    if route == "none":
        return True, ""
    if route == "user":
        if not hasattr(os, "geteuid") or os.geteuid() != 0:
            return False, "the grader is not running as root"
        owner = sandbox_user()
        if owner is None:
            return False, (f"there is no user {SANDBOX_USER!r} (make it with "
                           "`python -m backprop_course.grading.sandbox.install` as root)")
        try:  # the user must be able to start this interpreter and import the sandbox part of the course
            done = subprocess.run([sys.executable, "-s", "-B", "-c", "import backprop_course.grading.sandbox.child"],
                                  user=owner[0], group=owner[1], extra_groups=[], cwd="/",
                                  env=child_environment("/nonexistent"), stdin=subprocess.DEVNULL,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
        except (OSError, subprocess.SubprocessError) as exc:
            return False, f"{SANDBOX_USER} cannot start {sys.executable} ({type(exc).__name__})"
        if done.returncode != 0:
            return False, (f"{SANDBOX_USER} cannot run {sys.executable} with the course (an interpreter and "
                           "packages that user can read are needed, e.g. a virtual environment outside /root)")
        return True, ""
    if shutil.which("bwrap") is None:
        return False, "bubblewrap is not installed (Debian/Ubuntu: apt-get install bubblewrap)"
    probe = bwrap_command([sys.executable, "-c", "import sys; sys.exit(0)"], forbidden=())
    try:
        done = subprocess.run(probe, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              timeout=30, env=child_environment())
    except (OSError, subprocess.SubprocessError) as exc:
        return False, f"bwrap did not start ({type(exc).__name__})"
    if done.returncode != 0:
        first = done.stdout.decode(errors="replace").strip().splitlines()[:1]
        return False, f"bwrap failed ({first[0] if first else 'exit ' + str(done.returncode)})"
    return True, ""


def sandbox_user() -> tuple[int, int] | None:
    """(uid, gid) of the sandbox user, or None where it does not exist."""
    try:
        import pwd
    except ImportError:  # pragma: no cover - not POSIX
        return None
    try:
        entry = pwd.getpwnam(SANDBOX_USER)
    except KeyError:
        return None
    return entry.pw_uid, entry.pw_gid


# -- what the child may see --------------------------------------------------------------------------------
def child_environment(home: str = SANDBOX_WORKDIR) -> dict[str, str]:
    """The child's whole environment: an allow-list, nothing inherited but a few numeric settings."""
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": home, "TMPDIR": home, "LANG": "C.UTF-8",
           "LC_ALL": "C.UTF-8", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           "MPLBACKEND": "Agg", "MPLCONFIGDIR": os.path.join(home, ".matplotlib"),
           "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0", "PYTHONNOUSERSITE": "1"}
    env.update({k: os.environ[k] for k in _PASSED_THROUGH if k in os.environ})
    return env


def _python_roots() -> list[str]:
    """Folders the interpreter and its installed packages live in.

    Only the installation's own folders: a script's folder, the working folder or PYTHONPATH entries are
    left out (they may hold submissions), and so is the repository around an editable install (it holds
    the solutions); the package itself is handled by the callers.
    """
    prefixes = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix)}
    prefixes.add(os.path.dirname(os.path.dirname(os.path.realpath(sys.executable))))
    roots = sorted(os.path.normpath(r) for r in prefixes if r and r != "/")
    return [r for r in roots if not any(r != o and r.startswith(o.rstrip("/") + "/") for o in roots)]


def _module_locations(names) -> list[str]:
    """Installed top-level modules among ``names`` (found without importing them): their folders or files."""
    found = []
    for name in sorted(set(names)):
        if not name.isidentifier() or name in sys.builtin_module_names:
            continue
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            continue
        if spec is None:
            continue
        if spec.submodule_search_locations:
            found.extend(str(p) for p in spec.submodule_search_locations)
        elif spec.origin and os.path.isfile(spec.origin):
            found.append(spec.origin)
    return found


@functools.lru_cache(maxsize=None)
def hidden_package_parts() -> tuple[str, ...]:
    """Every file and folder of the package the child may not read (the rule is :func:`.install.is_child_visible`)."""
    hidden = []

    def walk(folder: Path) -> None:
        for item in sorted(folder.iterdir()):
            if not is_child_visible(item.relative_to(PACKAGE_DIR)):
                hidden.append(str(item))
            elif item.is_dir():
                walk(item)
    walk(PACKAGE_DIR)
    return tuple(hidden)


@functools.lru_cache(maxsize=None)
def _forbidden_modules(forbidden: frozenset) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(module names, their installed folders or files) among the names an exercise forbids."""
    names = tuple(sorted(n for n in forbidden if n.isidentifier() and n != PACKAGE_DIR.name))
    return names, tuple(_module_locations(names))


def policy_for(forbidden, workdir: str) -> Policy:
    """The audit hook's policy for one exercise (``forbidden``: the names the exercise forbids)."""
    forbidden_modules, locations = _forbidden_modules(frozenset(forbidden))
    readable = [*_python_roots(), str(PACKAGE_DIR), *_ETC_FILES, *_DEVICES, "/usr/share"]
    hidden = [*hidden_package_parts(), *locations]
    return Policy(readable=readable, hidden=hidden, writable=[workdir],
                  blocked_modules=[PACKAGE_DIR.name, *ALWAYS_BLOCKED_MODULES, *forbidden_modules],
                  allowed_modules=[PACKAGE_DIR.name, f"{PACKAGE_DIR.name}._lazy", f"{PACKAGE_DIR.name}.grading",
                                   f"{PACKAGE_DIR.name}.grading.sandbox", f"{PACKAGE_DIR.name}.grading.sandbox.*"])


# -- the bubblewrap route -----------------------------------------------------------------------------------
def bwrap_command(argv: list[str], forbidden) -> list[str]:
    """The ``bwrap`` command line that runs ``argv`` behind every wall (see the module docstring)."""
    cmd = ["bwrap", "--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL",
           "--hostname", "sandbox", "--clearenv"]
    for key, value in child_environment().items():
        cmd += ["--setenv", key, value]
    # The operating system: /usr read-only, and the top-level links a merged-/usr system has.
    cmd += ["--ro-bind", "/usr", "/usr"]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            cmd += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            cmd += ["--ro-bind", top, top]
    for path in _ETC_FILES:
        cmd += ["--ro-bind-try", path, path]
    cmd += ["--proc", "/proc", "--dev", "/dev", "--size", str(TMP_BYTES), "--tmpfs", "/tmp",
            "--dir", SANDBOX_WORKDIR, "--chdir", SANDBOX_WORKDIR]
    # The interpreter and its packages, read-only (the repository of an editable install is left out).
    for root in _python_roots():
        if not root.startswith("/usr/"):
            cmd += ["--ro-bind", root, root]
    # The package: only its sandbox part (an empty folder hides the rest, wherever it is installed).
    pkg = str(PACKAGE_DIR)
    cmd += ["--tmpfs", pkg]
    for rel in CHILD_VISIBLE:
        cmd += ["--ro-bind", os.path.join(pkg, rel), os.path.join(pkg, rel)]
    # Modules the exercise forbids (e.g. torch, scipy, sympy where it is the answer): empty too.
    for location in _forbidden_modules(frozenset(forbidden))[1]:
        if os.path.isdir(location):   # an empty package whose __init__ refuses to import
            stub = str(Path(__file__).with_name("_hidden_module.py"))
            cmd += ["--tmpfs", location, "--ro-bind", stub, os.path.join(location, "__init__.py")]
        else:
            cmd += ["--ro-bind", "/dev/null", location]
    return [*cmd, "--", *argv]


# -- the user route -----------------------------------------------------------------------------------------
def kill_user_processes(uid: int, gid: int) -> None:
    """Kill every process of ``uid`` (a ``kill -9 -1`` run as that user), until none is left."""
    kill = shutil.which("kill") or "/bin/kill"
    for _ in range(50):
        if not _processes_of(uid):
            return
        try:
            subprocess.run([kill, "-9", "-1"], user=uid, group=gid, extra_groups=[], env={"PATH": "/usr/bin:/bin"},
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           timeout=10)
        except (OSError, subprocess.SubprocessError):
            pass


def _processes_of(uid: int) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status", encoding="ascii", errors="replace") as fh:
                for line in fh:
                    if line.startswith("Uid:"):
                        if int(line.split()[1]) == uid:
                            pids.append(int(entry))
                        break
        except OSError:
            continue
    return pids
