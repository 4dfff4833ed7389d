"""JSON encoding of case inputs and learner outputs: the only language spoken across the process line.

The grader parent and the child process that runs learner code exchange plain JSON, never pickle.
Values that JSON lacks travel as small tagged objects:

========================  =============================================================
Python value              JSON form
========================  =============================================================
``numpy.ndarray``         ``{"__ndarray__": nested list, "shape": [...]}`` (float64)
tuple                     ``{"__tuple__": [...]}``
SymPy expression          ``{"__sympy__": srepr string}`` (read back by :mod:`.symexpr`)
:class:`RngSeed`          ``{"__rng__": seed}`` -> a fresh ``numpy.random.Generator``
:class:`FunctionSpec`     ``{"__function__": name, "params": {...}}`` -> a test function
:class:`DriverSpec`       ``{"__driver__": name, "params": {...}}`` -> a driver (:mod:`.drivers`)
========================  =============================================================

>>> import numpy as np
>>> decode(encode({"x": np.array([1.0, -2.0]), "pair": (1, 2)}))["x"]
array([ 1., -2.])
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["RngSeed", "FunctionSpec", "DriverSpec", "EncodingError", "encode", "decode", "dumps", "loads", "roundtrip"]

#: Outputs deeper than this are refused (a guard against hostile, self-referencing structures).
MAX_DEPTH = 32


class EncodingError(TypeError):
    """A value cannot cross the process line (unsupported type, too deep, malformed tag)."""


@dataclass(frozen=True)
class RngSeed:
    """Stands for ``numpy.random.default_rng(seed)``; each decode makes a fresh generator."""

    seed: int


@dataclass(frozen=True)
class FunctionSpec:
    """A test function named by data (see :mod:`.testfunctions`), rebuilt on the other side."""

    name: str
    params: dict = field(default_factory=dict)

    def __hash__(self) -> int:  # params holds arrays: hash by name only
        return hash(self.name)


@dataclass(frozen=True)
class DriverSpec:
    """A case run by a child-side driver (see :mod:`.drivers`): the learner's class or function is handed
    to the driver, which builds objects from ``params``, calls the learner's code and returns numbers.
    ``text`` is how feedback shows the case (it does not cross the process line)."""

    name: str
    params: dict = field(default_factory=dict)
    text: str = ""

    def __hash__(self) -> int:
        return hash(self.name)

    def __str__(self) -> str:
        return self.text or f"<{self.name} driver>"


def _is_sympy(obj: Any) -> bool:
    return type(obj).__module__.split(".")[0] == "sympy"


def encode(obj: Any, _depth: int = 0) -> Any:
    """Turn ``obj`` into JSON-ready data (see the table in the module docstring)."""
    if _depth > MAX_DEPTH:
        raise EncodingError(f"The value is nested more than {MAX_DEPTH} levels deep.")
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, (int, np.integer)) and not isinstance(obj, bool):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        return float(obj)
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, np.ndarray):
        if obj.dtype == object:
            raise EncodingError("Arrays of Python objects cannot be graded; return numbers.")
        arr = np.asarray(obj, dtype=float)
        return {"__ndarray__": arr.tolist(), "shape": list(arr.shape)}
    if isinstance(obj, tuple):
        return {"__tuple__": [encode(v, _depth + 1) for v in obj]}
    if isinstance(obj, list):
        return [encode(v, _depth + 1) for v in obj]
    if isinstance(obj, dict):
        out = {}
        for key, value in obj.items():
            if not isinstance(key, str) or key.startswith("__"):
                raise EncodingError(f"Dictionary keys must be plain strings. Got {key!r} instead.")
            out[key] = encode(value, _depth + 1)
        return out
    if isinstance(obj, RngSeed):
        return {"__rng__": int(obj.seed)}
    if isinstance(obj, FunctionSpec):
        return {"__function__": obj.name, "params": encode(obj.params, _depth + 1)}
    if isinstance(obj, DriverSpec):
        return {"__driver__": obj.name, "params": encode(obj.params, _depth + 1)}
    if _is_sympy(obj):
        import sympy

        return {"__sympy__": sympy.srepr(obj)}
    raise EncodingError(
        f"Values of type {type(obj).__name__} cannot be graded; return numbers, numpy arrays, "
        "lists, tuples, dicts or SymPy expressions."
    )


def decode(data: Any, _depth: int = 0, *, inputs: bool = True) -> Any:
    """Inverse of :func:`encode`. Tagged objects are validated; unknown tags raise EncodingError.

    With ``inputs=False`` (how the grader reads a learner's outputs) the ``__rng__`` and
    ``__function__`` tags are refused: only case inputs may carry them.
    """
    if _depth > MAX_DEPTH:
        raise EncodingError(f"The value is nested more than {MAX_DEPTH} levels deep.")
    if data is None or isinstance(data, (bool, int, float, str)):
        return data
    if isinstance(data, list):
        return [decode(v, _depth + 1, inputs=inputs) for v in data]
    if not isinstance(data, dict):
        raise EncodingError(f"Unexpected JSON value of type {type(data).__name__}.")
    if "__ndarray__" in data:
        try:
            arr = np.array(data["__ndarray__"], dtype=float)
            shape = tuple(int(s) for s in data["shape"])
            return arr.reshape(shape)
        except (TypeError, ValueError, KeyError) as exc:
            raise EncodingError(f"Malformed array: {exc}") from None
    if "__tuple__" in data:
        return tuple(decode(v, _depth + 1, inputs=inputs) for v in data["__tuple__"])
    if not inputs and ("__rng__" in data or "__function__" in data or "__driver__" in data):
        raise EncodingError("Outputs may not contain generators, functions or drivers.")
    if "__rng__" in data:
        return np.random.default_rng(int(data["__rng__"]))
    if "__function__" in data:
        from . import testfunctions

        return testfunctions.build(str(data["__function__"]), decode(data.get("params", {}), _depth + 1))
    if "__driver__" in data:
        from . import drivers

        try:
            return drivers.build(str(data["__driver__"]), decode(data.get("params", {}), _depth + 1))
        except ValueError as exc:
            raise EncodingError(str(exc)) from None
    if "__sympy__" in data:
        from . import symexpr

        return symexpr.parse_srepr(str(data["__sympy__"]))
    bad = [k for k in data if k.startswith("__")]
    if bad:
        raise EncodingError(f"Unknown tag {bad[0]!r}.")
    return {k: decode(v, _depth + 1, inputs=inputs) for k, v in data.items()}


def roundtrip(obj: Any, *, inputs: bool = True) -> Any:
    """Encode and decode: the exact view of a value that the other side of the process line gets."""
    return decode(json.loads(json.dumps(encode(obj), allow_nan=True)), inputs=inputs)
