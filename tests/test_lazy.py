"""The lazy-name mechanism behind ``bc.<name>``, ``bc.symbolic.<name>`` and ``bc.widgets.<name>``."""
import subprocess
import sys

import pytest

from backprop_course._lazy import lazy_names


def test_loads_on_first_use_caches_and_lists_names():
    ns = {"__all__": ["here"]}
    getattr_, dir_ = lazy_names("pkg", ns, {"sqrt": "math", "json_mod": ("json", None), "pi": ("math", "pi")})
    import json
    import math

    assert getattr_("sqrt") is math.sqrt and ns["sqrt"] is math.sqrt
    assert getattr_("json_mod") is json and getattr_("pi") == math.pi
    assert dir_() == ["here", "json_mod", "pi", "sqrt"]
    with pytest.raises(AttributeError, match="module 'pkg' has no attribute 'nope'"):
        getattr_("nope")


def test_import_backprop_course_loads_no_heavy_module():
    code = ("import sys, backprop_course as bc, backprop_course.symbolic, backprop_course.widgets; "
            "print(sorted(m for m in ('numpy', 'sympy', 'matplotlib', 'ipywidgets') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_import_backprop_course_adds_no_typing_when_the_interpreter_had_none():
    """typing alone costs ~9 ms, as much as the rest of the import; the package must not pull it in."""
    code = ("import sys; before = 'typing' in sys.modules; import backprop_course; "
            "print(before, 'typing' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    before, after = out.stdout.split()
    assert after == before
