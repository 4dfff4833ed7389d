"""Write a catalogued misconception as a small edit of a model solution (never learner code).

Most classic mistakes differ from the model solution in one line. ``edited`` makes the wrong function's
full source from the solution's source and ``(old, new)`` replacements, and refuses an edit that no longer
matches, so a changed solution cannot leave a misconception that silently equals the right answer.
"""
from __future__ import annotations

__all__ = ["edited"]


def edited(source: str, *edits: tuple[str, str]) -> str:
    """``source`` with each ``(old, new)`` replaced in turn; every ``old`` must occur in it."""
    for old, new in edits:
        if old not in source:
            raise ValueError(f"The 'edits' of a misconception must match the model solution. Got {old!r}, "
                             "which does not occur in it.")
        source = source.replace(old, new)
    return source
