"""Source rules a submission must keep, checked on its syntax tree (never by running it).

An exercise asks the learner to re-implement something the package already provides; calling the
package's version instead would pass every numeric test and teach nothing. Each exercise lists the
names it forbids (e.g. ``backward``, ``MLP``, ``SGD``); any use of such a name, as a variable, an
attribute or in an import, is a violation. A few names that could reach anything indirectly
(``eval``, ``getattr``, ``__import__``, ``operator.attrgetter``, ...) are forbidden everywhere.
These rules are a deterrent checked without running anything, not a sandbox: the score itself only ever
depends on outputs judged against values computed in the grading process.

>>> find_violations("def f(net, T):\\n    return net.backward(T)", {"backward"})
["line 2: uses 'backward', which this exercise asks you to write yourself"]
>>> find_violations("def f(x):\\n    return x + 1", {"backward"})
[]
"""
from __future__ import annotations

import ast
from typing import Iterable

__all__ = ["ALWAYS_FORBIDDEN", "find_violations"]

#: Names that could fetch a forbidden implementation by a string, so no exercise may use them.
ALWAYS_FORBIDDEN = frozenset({
    "eval", "exec", "compile", "__import__", "importlib", "getattr", "globals", "locals", "vars",
    "__dict__", "__builtins__", "__getattribute__", "__getattr__", "modules", "attrgetter",
    "methodcaller", "getmembers", "runpy",
})


def _names(node: ast.AST) -> Iterable[tuple[str, int]]:
    """Every identifier the code refers to, with its line number."""
    for sub in ast.walk(node):
        line = getattr(sub, "lineno", 0)
        if isinstance(sub, ast.Name):
            yield sub.id, line
        elif isinstance(sub, ast.Attribute):
            yield sub.attr, line
        elif isinstance(sub, (ast.Import, ast.ImportFrom)):
            if isinstance(sub, ast.ImportFrom) and sub.module:
                for part in sub.module.split("."):
                    yield part, line
            for alias in sub.names:
                for part in alias.name.split("."):
                    yield part, line


def find_violations(source: str, forbidden: Iterable[str]) -> list[str]:
    """Return one message per forbidden name used in ``source`` (empty list: the rules are kept).

    A source that does not parse is reported as a violation too, since it cannot be checked.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        return [f"line {exc.lineno}: the code does not parse ({exc.msg})"]
    banned = set(forbidden)
    messages: list[str] = []
    seen: set[str] = set()
    for name, line in _names(tree):
        if name in seen:
            continue
        if name in banned:
            seen.add(name)
            messages.append(f"line {line}: uses {name!r}, which this exercise asks you to write yourself")
        elif name in ALWAYS_FORBIDDEN:
            seen.add(name)
            messages.append(f"line {line}: uses {name!r}, which graded code may not use")
    return messages
