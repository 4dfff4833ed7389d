"""Shared builders for the engine tests (imported as a sibling module, like tests/grading's helpers)."""
from backprop_course.engine.value import Value


def seed_graph():
    """The 2017 note, figure 1: x = -2, y = 5, z = -4; q = x + y = 3; f = q * z = -12."""
    x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    q = x + y
    q.label = "q"
    f = q * z
    f.label = "f"
    return x, y, z, q, f
