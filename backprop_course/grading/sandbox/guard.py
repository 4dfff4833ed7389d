"""The child's second wall: an audit hook, started before any learner code runs (child side).

Python raises an audit event before it opens a file, imports a module, starts a process, sends a signal,
opens a socket or calls into C through ctypes (PEP 578). The hook added here refuses the events a graded
exercise never needs, with a ``PermissionError`` that says what was refused:

* reading any file outside the Python installation and the child's own folder, or inside the parts of
  the course that hold answers (the references, the hidden-case generators, the solutions), and writing
  anywhere but the child's own folder;
* importing the course beyond its sandbox, and the modules the exercise forbids;
* starting processes, forking, signalling, sockets, ctypes, raising resource limits, and the garbage
  collector's and interpreter's introspection of other objects and frames.

A hook cannot be removed once added, but it runs in the same process as the code it watches, so it is
never the only wall: where the machine allows, the child also runs in its own namespaces or as an
unprivileged user (:mod:`.walls`). This module imports only the standard library.
"""
from __future__ import annotations

import os
import sys

__all__ = ["Policy", "install"]

#: Events refused outright: processes, signals, network, native code, limits and introspection.
REFUSED_EVENTS = frozenset({
    "subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty",
    "os.kill", "os.killpg", "signal.pthread_kill", "os.setsid", "os.startfile", "pty.spawn",
    "socket.bind", "socket.connect", "socket.sendto", "socket.sendmsg", "socket.getaddrinfo",
    "resource.setrlimit", "resource.prlimit", "os.symlink", "os.link", "os.chroot", "os.chown", "os.lchown",
    "gc.get_objects", "gc.get_referrers", "gc.get_referents", "sys._current_frames", "sys._current_exceptions",
    "sys.setprofile", "sys.settrace", "mmap.__new__", "webbrowser.open", "ftplib.connect", "smtplib.connect",
    "urllib.Request", "http.client.connect", "sqlite3.connect", "os.setxattr", "os.removexattr",
})
#: Events that change a path: allowed only inside the child's own folder.
PATH_CHANGING_EVENTS = frozenset({
    "os.remove", "os.rename", "os.rmdir", "os.mkdir", "os.truncate", "os.chmod", "os.utime", "shutil.rmtree",
    "shutil.move", "shutil.copyfile", "shutil.copytree", "os.chflags", "os.lchflags", "os.lchmod",
})
#: Events that list a folder: allowed where reading is.
LISTING_EVENTS = frozenset({"os.listdir", "os.scandir", "glob.glob", "os.walk"})
#: Modules that only reach native code or interpreter internals. (Modules such as subprocess and socket
#: may be imported, since libraries import them; what they do is refused by the events above.)
ALWAYS_BLOCKED_MODULES = ("_testcapi", "_testinternalcapi", "_xxsubinterpreters", "_xxtestfuzz", "cffi",
                          "_cffi_backend")


class Policy:
    """What the child may read, write and import (plain data, sent by the parent with the job).

    ``readable``: folders (and files) under which reading is allowed; ``hidden``: folders and files inside
    those that are refused all the same; ``writable``: folders where writing is allowed (the child's own);
    ``allowed_modules``: dotted names the course may import inside ``blocked_modules`` (exact names or
    packages ending with ``.*``); ``blocked_modules``: dotted prefixes that may not be imported.
    """

    def __init__(self, readable, hidden, writable, blocked_modules, allowed_modules=()):
        self.readable = tuple(_norm(p) for p in readable)
        self.hidden = tuple(_norm(p) for p in hidden)
        self.writable = tuple(_norm(p) for p in writable)
        self.blocked_modules = tuple(blocked_modules)
        self.allowed_modules = tuple(allowed_modules)

    def to_json(self) -> dict:
        return {"readable": list(self.readable), "hidden": list(self.hidden), "writable": list(self.writable),
                "blocked_modules": list(self.blocked_modules), "allowed_modules": list(self.allowed_modules)}

    @classmethod
    def from_json(cls, data: dict) -> "Policy":
        return cls(data["readable"], data["hidden"], data["writable"], data["blocked_modules"],
                   data.get("allowed_modules", ()))

    # -- decisions ----------------------------------------------------------------------------------
    def may_read(self, path: str) -> bool:
        path = _real(path)
        if _under(path, self.writable):
            return True
        return _under(path, self.readable) and not _under(path, self.hidden)

    def may_write(self, path: str) -> bool:
        return _under(_real(path), self.writable)

    def may_import(self, name: str) -> bool:
        for allowed in self.allowed_modules:
            if name == allowed or (allowed.endswith(".*") and (name + ".").startswith(allowed[:-1])):
                return True
        return not any(name == b or name.startswith(b + ".") for b in self.blocked_modules)


def _norm(path: str) -> str:
    return os.path.normpath(os.path.abspath(path))


def _real(path) -> str:
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    return os.path.realpath(os.fspath(path))


def _under(path: str, roots) -> bool:
    return any(path == root or path.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC


def install(policy: Policy) -> None:
    """Add the audit hook that enforces ``policy`` for the rest of this process's life."""
    refused, changing, listing = REFUSED_EVENTS, PATH_CHANGING_EVENTS, LISTING_EVENTS

    def refuse(what: str, kind=PermissionError):
        raise kind(f"graded code may not {what}")

    def hook(event: str, args: tuple) -> None:
        if event == "open":
            path, mode, flags = args
            if path is None or isinstance(path, int):
                return                      # an already open descriptor
            writing = ("w" in (mode or "") or "a" in (mode or "") or "x" in (mode or "") or "+" in (mode or "")
                       or bool((flags or 0) & _WRITE_FLAGS))
            if writing:
                if not policy.may_write(path):
                    refuse(f"write {path}")
            elif not policy.may_read(path):
                refuse(f"read {path}")
        elif event == "import":
            name = args[0]
            if not policy.may_import(name):
                refuse(f"import {name}", ImportError)
        elif event in refused or event.startswith("ctypes."):
            refuse(f"use {event}")
        elif event in changing:
            for arg in args[:2]:
                if isinstance(arg, (str, bytes, os.PathLike)) and not policy.may_write(arg):
                    refuse(f"change {arg}")
        elif event in listing:
            if args and isinstance(args[0], (str, bytes, os.PathLike)) and not policy.may_read(args[0]):
                refuse(f"list {args[0]}")

    sys.addaudithook(hook)
