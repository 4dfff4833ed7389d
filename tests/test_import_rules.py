"""The import rules of docs/architecture.md, read off the source of every module (imports inside functions too).

Dependencies point one way: engine <- symbolic <- widgets, and engine <- grading. Nothing imports a layer
above its own, widgets never import grading, grading never imports symbolic or widgets. Inside symbolic,
derivations produce SymPy objects; printing, rendering, errata and checks depend on them, never back.
tests/engine/test_engine_isolation.py adds the run-time check for the engine (no SymPy, matplotlib or
ipywidgets at all); the last test here does the same for symbolic (no matplotlib or ipywidgets).
"""
from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "backprop_course"

# Modules every layer may use: the lazy-import helper, the repository paths, the toy data sets (numpy
# only) and the package root itself (``__version__``; it imports nothing eagerly).
BASE = {"backprop_course", "backprop_course._lazy", "backprop_course._paths", "backprop_course.datasets"}

# layer -> the layers it may import (besides itself and BASE)
MAY_IMPORT = {
    "engine": set(),
    "symbolic": {"engine"},
    "widgets": {"engine", "symbolic"},
    "grading": {"engine"},
}

# Inside symbolic: a module may import only modules of a lower rank.
SYMBOLIC_RANK = {
    "notation": 0,      # the symbols
    "rules": 1,         # rewriting rules
    "printing": 2,      # one expression in a notation (Step.latex)
    "derivations": 3,   # the derivations: SymPy objects
    "errata": 4,        # the sources' slips, pointing at derivation steps
    "verify": 4,        # symbolic and numeric checks of a derivation
    "softmax": 4,       # lesson 14: softmax + cross-entropy, derived and verified
    "examples": 5,      # the small worked examples
    "render": 5,        # documents: derivation tables, the errata
    "cli": 6,           # ``backprop-course derive``
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def course_imports(path: Path) -> set[str]:
    """Every ``backprop_course`` module that ``path`` imports, at any depth of its code."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if node.module is None or target == "backprop_course":  # from . import x; from backprop_course import x
                found |= {f"{target}.{a.name}" if a.name != "__version__" else target for a in node.names}
            else:
                found.add(target)
    return {m for m in found if m == "backprop_course" or m.startswith("backprop_course.")}


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in MAY_IMPORT else None


MODULES = sorted(PACKAGE.rglob("*.py"))


def test_the_rules_see_every_layer():
    layers = {layer_of(module_name(p)) for p in MODULES}
    assert set(MAY_IMPORT) <= layers
    symbolic = {p.stem for p in (PACKAGE / "symbolic").glob("*.py")} - {"__init__"}
    assert symbolic == set(SYMBOLIC_RANK), "give every symbolic module a rank in SYMBOLIC_RANK"


@pytest.mark.parametrize("path", MODULES, ids=[module_name(p) for p in MODULES])
def test_no_layer_imports_upward(path):
    own = layer_of(module_name(path))
    if own is None:  # the package root, cli, lab, datasets: the applications and the shared base
        return
    allowed = MAY_IMPORT[own] | {own}
    wrong = sorted(m for m in course_imports(path) if m not in BASE and layer_of(m) not in allowed)
    assert not wrong, f"{module_name(path)} ({own}) may import only {sorted(allowed)} and the base; it imports {wrong}"


@pytest.mark.parametrize("name", sorted(SYMBOLIC_RANK))
def test_symbolic_modules_import_only_lower_ranks(name):
    imports = course_imports(PACKAGE / "symbolic" / f"{name}.py")
    inside = {m.rpartition(".")[2] for m in imports if m.startswith("backprop_course.symbolic.")}
    wrong = sorted(m for m in inside if SYMBOLIC_RANK[m] >= SYMBOLIC_RANK[name])
    assert not wrong, f"symbolic.{name} (rank {SYMBOLIC_RANK[name]}) imports {wrong}"


def test_derivations_know_nothing_of_rendering_errata_or_checks():
    imports = course_imports(PACKAGE / "symbolic" / "derivations.py")
    inside = {m for m in imports if m.startswith("backprop_course.symbolic")}
    assert inside == {f"backprop_course.symbolic.{m}" for m in ("notation", "rules", "printing")}


def test_the_checker_finds_a_planted_upward_import(tmp_path, monkeypatch):
    # The rules above must be able to fail: a symbolic module that imports widgets is caught.
    fake = tmp_path / "backprop_course" / "symbolic" / "planted.py"
    fake.parent.mkdir(parents=True)
    fake.write_text("def f():\n    from ..widgets import plotting\n    from . import render\n")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", tmp_path / "backprop_course")
    assert course_imports(fake) == {"backprop_course.widgets", "backprop_course.symbolic.render"}
    with pytest.raises(AssertionError, match="imports"):
        test_no_layer_imports_upward(fake)


CHILD = textwrap.dedent(
    """
    import importlib, importlib.abc, pkgutil, sys

    BLOCKED = ("matplotlib", "ipywidgets")
    LAYERS = ("backprop_course.widgets", "backprop_course.grading")

    class Refuse(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED or name.startswith(LAYERS):
                raise ImportError(f"{name} is not allowed inside symbolic")
            return None

    sys.meta_path.insert(0, Refuse())
    import backprop_course.symbolic as symbolic
    names = sorted(m.name for m in pkgutil.iter_modules(symbolic.__path__))
    for name in names:
        importlib.import_module(f"backprop_course.symbolic.{name}")
    from backprop_course.symbolic.render import to_markdown
    from backprop_course.symbolic.verify import verify
    d = symbolic.derive_weight_gradient(layers=2, layer=1, j=1, k=2)
    assert "| step |" in to_markdown(d) and verify(d).passed
    print("OK", " ".join(names))
    """
)


def test_symbolic_runs_without_matplotlib_ipywidgets_or_the_layers_above():
    proc = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.split()[0] == "OK" and set(SYMBOLIC_RANK) <= set(proc.stdout.split()[1:])
