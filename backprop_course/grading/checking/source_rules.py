"""Source rules a submission must keep, checked on its syntax tree (never by running it).

An exercise asks the learner to re-implement something the package already provides; calling the
package's version instead would pass every numeric test and teach nothing. Each exercise lists the
names it forbids (e.g. ``backward``, ``MLP``, ``SGD``); any use of such a name, as a variable, an
attribute or in an import, is a violation. A few names that could reach anything indirectly
(``eval``, ``getattr``, ``__import__``, ``operator.attrgetter``, ...) are forbidden everywhere.
These rules are a deterrent checked without running anything, not a sandbox: the score itself only ever
depends on outputs judged against values computed in the grading process.

Parsing hostile text is itself a risk: ``ast.parse`` of a few megabytes takes gigabytes of memory, and
deeply nested expressions (``x = ----...1``, ``a.b.b.b...``, ``1+1+...``) exhaust the parser's stack
(MemoryError), the AST builder's recursion limit (RecursionError) or, on Python 3.10, crash the process
(``1+`` repeated 200,000 times). :func:`parse_source` is the one guarded way to parse a submission: a
cheap pre-check (:func:`precheck`: text only, at most :data:`MAX_SOURCE_CHARS` characters, no NUL byte,
nesting at most :data:`MAX_NESTING`, counted on tokens) and then ``ast.parse`` with those errors caught.

>>> find_violations("def f(net, T):\\n    return net.backward(T)", {"backward"})
["line 2: uses 'backward', which this exercise asks you to write yourself"]
>>> find_violations("def f(x):\\n    return x + 1", {"backward"})
[]
"""
from __future__ import annotations

import ast
import io
import tokenize
from typing import Iterable

__all__ = ["ALWAYS_FORBIDDEN", "find_violations", "parse_source", "precheck", "UncheckableSource",
           "MAX_SOURCE_CHARS", "MAX_NESTING"]

#: The longest source parsed (setup and exercise cells together): 30 times the longest code cell of the
#: course's notebooks, and about 70 MB and half a second for ``ast.parse`` in the worst case measured.
MAX_SOURCE_CHARS = 100_000
#: The deepest expression nesting accepted, estimated on tokens (see :func:`precheck`); the course's own
#: code stays under 15, and CPython's AST builder gives up near 1,000 (a few thousand unary minus signs).
MAX_NESTING = 200
#: ``if``/``elif`` chains nest too (each ``elif`` is an ``If`` inside the previous one's ``orelse``).
MAX_ELIFS = 1_000

_SEPARATORS = frozenset({",", ";", "=", "\n"})
_OPENERS, _CLOSERS = frozenset("([{"), frozenset(")]}")
_NESTING_WORDS = frozenset({"not", "and", "or", "if", "else", "lambda", "await", "in", "is"})


class UncheckableSource(ValueError):
    """A source the grader refuses to parse (too long, a NUL byte, nested too deeply, not text)."""


def precheck(source: object) -> str | None:
    """Why ``source`` must not be parsed, or None when it is safe to hand to ``ast.parse``.

    Cheap (one pass of :mod:`tokenize`, linear in the length) and safe (no recursion). The nesting is
    estimated per bracket level: every operator, ``.``, keyword operator and opening bracket between two
    separators (``,`` ``;`` ``=`` or a new line) adds one, summed over the enclosing bracket levels. That
    over-counts flat chains like ``1 + 2 + 3`` (which the AST nests anyway) and ignores long flat lists.
    Tokenizing errors are left to ``ast.parse``, which reports them as syntax errors, except the
    tokenizer's own refusal of brackets nested too deep (Python 3.12 and newer), reported as nesting.
    """
    if not isinstance(source, str):
        return f"the code is not text (it is {type(source).__name__})"
    if len(source) > MAX_SOURCE_CHARS:
        return (f"the code is {len(source):,} characters long, over the limit of {MAX_SOURCE_CHARS:,}; "
                "keep data out of the graded cells")
    if "\x00" in source:
        return f"the code contains a NUL byte (line {source.count(chr(10), 0, source.index(chr(0))) + 1})"
    levels = [0]          # nesting counted at each open bracket level
    total = deepest = elifs = 0
    line = 1
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            kind, text = tok.type, tok.string
            if kind == tokenize.NEWLINE or (kind == tokenize.OP and text in _SEPARATORS):
                total -= levels[-1]
                levels[-1] = 0
                continue
            if kind == tokenize.NAME:
                if text == "elif":
                    elifs += 1
                    if elifs > MAX_ELIFS:
                        return f"line {tok.start[0]}: more than {MAX_ELIFS:,} elif branches"
                if text not in _NESTING_WORDS:
                    continue
            elif kind != tokenize.OP:
                continue
            if text in _CLOSERS:
                if len(levels) > 1:
                    total -= levels.pop()
                continue
            levels[-1] += 1
            total += 1
            if text in _OPENERS:
                levels.append(0)
            if total > deepest:
                deepest, line = total, tok.start[0]
                if deepest > MAX_NESTING:
                    return (f"line {line}: an expression nested more than {MAX_NESTING} levels deep "
                            "(too complex to check)")
    except (tokenize.TokenError, SyntaxError, ValueError) as exc:
        # Python 3.12+ tokenizes in C, and its tokenizer itself refuses brackets nested too deep
        # ("too many nested parentheses"): that is the same verdict as the count above.
        if "nest" in str(exc).lower():
            where = getattr(exc, "lineno", None) or line
            return (f"line {where}: an expression nested more than {MAX_NESTING} levels deep "
                    "(too complex to check)")
    return None


def parse_source(source: str) -> ast.Module:
    """``ast.parse(source)``, guarded: :class:`UncheckableSource` (a ValueError) says why a source was not
    parsed or could not be; a plain ``SyntaxError`` is a syntax error in the learner's code."""
    reason = precheck(source)
    if reason:
        raise UncheckableSource(reason)
    try:
        return ast.parse(source)
    except SyntaxError:
        raise
    except (RecursionError, MemoryError):
        raise UncheckableSource("the code is nested too deeply to check") from None
    except ValueError as exc:   # e.g. "source code string cannot contain null bytes" on older versions
        raise UncheckableSource(f"the code cannot be parsed ({exc})") from None

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

    A source that does not parse, or that is refused by :func:`parse_source`, is reported as a violation
    too, since it cannot be checked.
    """
    try:
        tree = parse_source(source)
    except UncheckableSource as exc:
        return [f"the code cannot be checked: {exc}"]
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
