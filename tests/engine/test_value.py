"""Tests for ``backprop_course.engine.value.Value``.

Oracles: the hand-worked numbers of seed 000, numbers worked by hand in the comments, and central
finite differences evaluated with plain ``math`` functions (never with ``Value`` itself).
"""
from __future__ import annotations

import math
import random
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_course.engine.value import Value

pytestmark = pytest.mark.filterwarnings("error")  # any warning (overflow, ...) fails the test


# ---------------------------------------------------------------------------- seed 000's graph
def seed_graph():
    """x = -2, y = 5, z = -4; q = x + y = 3; f = q * z = -12 (seed 000, figure 1)."""
    x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    q = x + y
    q.label = "q"
    f = q * z
    f.label = "f"
    return x, y, z, q, f


def test_seed000_forward_values():
    x, y, z, q, f = seed_graph()
    assert q.data == 3.0      # -2 + 5
    assert f.data == -12.0    # 3 * -4
    assert (q.op, f.op) == ("+", "*")
    assert q._prev == (x, y) and f._prev == (q, z)


def test_seed000_local_gradients_are_stored_in_the_forward_pass():
    # Before any backward pass, each result already holds its local gradients.
    x, y, z, q, f = seed_graph()
    assert q.local_grads == (1.0, 1.0)      # dq/dx = 1, dq/dy = 1
    assert f.local_grads == (-4.0, 3.0)     # df/dq = z = -4, df/dz = q = 3
    assert x.local_grads == () and x._prev == ()
    assert all(v.grad == 0.0 for v in (x, y, z, q, f))


def test_seed000_backward():
    x, y, z, q, f = seed_graph()
    f.backward()
    assert f.grad == 1.0
    assert q.grad == -4.0     # df/dq = z
    assert x.grad == -4.0     # df/dq * dq/dx = -4 * 1
    assert y.grad == -4.0     # df/dq * dq/dy = -4 * 1
    assert z.grad == 3.0      # df/dz = q


def test_seed000_increasing_x_by_one_decreases_f_by_four():
    # The seed's reading of df/dx = -4: f is linear in x here, so the step is exact.
    x, y, z, q, f = seed_graph()
    f2 = (Value(x.data + 1.0) + y) * z
    assert f2.data - f.data == -4.0


def test_repr_shows_data_grad_label_and_op():
    *_, f = seed_graph()
    f.backward()
    assert repr(f) == "Value(data=-12.0, grad=1.0, label='f', op='*')"
    assert repr(Value(2)) == "Value(data=2.0, grad=0.0)"
