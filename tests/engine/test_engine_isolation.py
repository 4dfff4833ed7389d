"""The engine must work with only numpy and the standard library (docs/architecture.md: engine <- symbolic <- widgets)."""
from __future__ import annotations

import subprocess
import sys
import textwrap

BLOCKED = ("sympy", "matplotlib", "ipywidgets")

# Runs in a fresh interpreter: a meta-path finder placed FIRST refuses the heavy packages (and the
# course layers above the engine), then every module of backprop_course.engine is imported and
# exercised a little. Any import of a blocked name raises ImportError and fails the child.
CHILD = textwrap.dedent(
    """
    import importlib, importlib.abc, pkgutil, sys

    BLOCKED = {blocked!r}
    LAYERS = ("backprop_course.symbolic", "backprop_course.widgets", "backprop_course.grading")

    class Refuse(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED or name.startswith(LAYERS):
                raise ImportError(f"{{name}} is not allowed inside the engine")
            return None

    sys.meta_path.insert(0, Refuse())
    for name in BLOCKED:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
        else:
            raise SystemExit(f"the blocker failed to block {{name}}")

    import backprop_course.engine as engine
    names = sorted(m.name for m in pkgutil.iter_modules(engine.__path__))
    for name in names:
        importlib.import_module(f"backprop_course.engine.{{name}}")

    import numpy as np
    from backprop_course.engine.mlp import MLP
    from backprop_course.engine.gradcheck import gradcheck
    net = MLP([2, 3, 1], seed=0)
    assert gradcheck(net, np.ones((2, 2)), np.zeros((2, 1))).max_error < 1e-7

    loaded = sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED or m.startswith(LAYERS))
    assert not loaded, loaded
    print("OK", " ".join(names))
    """
).format(blocked=BLOCKED)


def test_engine_imports_without_sympy_matplotlib_ipywidgets():
    proc = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    modules = proc.stdout.split()
    assert modules[0] == "OK"
    # the modules this test must cover really were found and imported
    assert {"activations", "losses", "init", "mlp", "gradcheck"} <= set(modules[1:])
