#!/usr/bin/env python3
"""Write pip constraints that pin every declared dependency to the lowest release the project allows.

Usage::

    python scripts/dependency_bounds.py lowest [--extra test] > constraints.txt
    pip install -c constraints.txt -e ".[test]"

Each direct dependency in ``pyproject.toml`` is declared as ``name>=X`` (optionally with an upper
bound after a comma); ``lowest`` pins it to ``name==X``. The transitive dependencies are left for pip to
resolve, which is pip's "lowest-direct" notion of the oldest supported environment. A declaration
without a lower bound is an error: an untestable range is a guess.

Runs on the system Python before any virtual environment exists, so it uses the standard library only.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    tomllib = None

ROOT = Path(__file__).resolve().parent.parent
_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*?)\s*$")


def declared(extras: list[str], pyproject: Path = ROOT / "pyproject.toml") -> list[str]:
    """The project's dependency strings, plus those of the named optional extras."""
    text = pyproject.read_text(encoding="utf-8")
    if tomllib is None:
        raise SystemExit("dependency_bounds.py needs Python 3.11 or newer (tomllib)")
    project = tomllib.loads(text)["project"]
    reqs = list(project["dependencies"])
    optional = project.get("optional-dependencies", {})
    for extra in extras:
        if extra not in optional:
            raise SystemExit(f"--extra {extra!r} is not declared; choose from {sorted(optional)}")
        reqs += optional[extra]
    return reqs


def lower_bound(requirement: str) -> tuple[str, str]:
    """``"numpy>=1.24,<3"`` -> ``("numpy", "1.24")``; a pin ``==X`` is its own lower bound."""
    match = _REQUIREMENT.match(requirement.split(";")[0])
    if not match:
        raise ValueError(f"cannot read the requirement {requirement!r}")
    name, _, spec = match.groups()
    for clause in filter(None, (c.strip() for c in spec.split(","))):
        found = re.fullmatch(r"(>=|==)\s*([0-9][0-9A-Za-z.]*)", clause)
        if found:
            return name, found.group(2)
    raise ValueError(f"the requirement {requirement!r} declares no lower bound (>= or ==); add one")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("which", choices=["lowest"], help="which end of the declared ranges to pin")
    parser.add_argument("--extra", action="append", default=[], help="also pin this optional extra")
    args = parser.parse_args(argv)
    for requirement in declared(args.extra):
        name, version = lower_bound(requirement)
        print(f"{name}=={version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
