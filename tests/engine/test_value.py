"""Tests for ``backprop_course.engine.value.Value``.

Oracles: the hand-worked numbers of the 2017 note, numbers worked by hand in the comments, and central
finite differences evaluated with plain ``math`` functions (never with ``Value`` itself).
"""
from __future__ import annotations

import math
import operator
import random
import re
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_course.engine.value import Value
from engine_helpers import seed_graph

pytestmark = pytest.mark.filterwarnings("error")  # any warning (overflow, ...) fails the test


# ---------------------------------------------------------------------------- the 2017 note's graph
def test_2017_note_forward_values():
    x, y, z, q, f = seed_graph()
    assert q.data == 3.0      # -2 + 5
    assert f.data == -12.0    # 3 * -4
    assert (q.op, f.op) == ("+", "*")
    assert q._prev == (x, y) and f._prev == (q, z)


def test_2017_note_local_gradients_are_stored_in_the_forward_pass():
    # Before any backward pass, each result already holds its local gradients.
    x, y, z, q, f = seed_graph()
    assert q.local_grads == (1.0, 1.0)      # dq/dx = 1, dq/dy = 1
    assert f.local_grads == (-4.0, 3.0)     # df/dq = z = -4, df/dz = q = 3
    assert x.local_grads == () and x._prev == ()
    assert all(v.grad == 0.0 for v in (x, y, z, q, f))


def test_2017_note_backward():
    x, y, z, q, f = seed_graph()
    f.backward()
    assert f.grad == 1.0
    assert q.grad == -4.0     # df/dq = z
    assert x.grad == -4.0     # df/dq * dq/dx = -4 * 1
    assert y.grad == -4.0     # df/dq * dq/dy = -4 * 1
    assert z.grad == 3.0      # df/dz = q


def test_2017_note_increasing_x_by_one_decreases_f_by_four():
    # The seed's reading of df/dx = -4: f is linear in x here, so the step is exact.
    x, y, z, q, f = seed_graph()
    f2 = (Value(x.data + 1.0) + y) * z
    assert f2.data - f.data == -4.0


def test_repr_shows_data_grad_label_and_op():
    *_, f = seed_graph()
    f.backward()
    assert repr(f) == "Value(data=-12.0, grad=1.0, label='f', op='*')"
    assert repr(Value(2)) == "Value(data=2.0, grad=0.0)"


# ---------------------------------------------------------------------------- oracle helpers
def central_difference(fn, args, i, h=1e-5):
    """d fn / d args[i] by (fn(x + h) - fn(x - h)) / 2h, in plain floats, step scaled to |x|."""
    step = h * max(1.0, abs(args[i]))
    plus, minus = list(args), list(args)
    plus[i] += step
    minus[i] -= step
    return (fn(*plus) - fn(*minus)) / (2.0 * step)


def rel_error(a, b, floor=1e-8):
    """|a - b| relative to the larger magnitude, with a floor so that 0 vs 1e-15 is not 'infinite'."""
    return abs(a - b) / max(abs(a), abs(b), floor)


def sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x))


# Each op: name -> (function on Values, the same function on floats (oracle), sampler of a point).
# The float versions use ``math`` only, so they share no code with Value's local gradients.
U = random.Random(12345)
UNARY = {
    "neg": (lambda a: -a, lambda a: -a, lambda r: r.uniform(-3, 3)),
    "pos": (lambda a: +a, lambda a: +a, lambda r: r.uniform(-3, 3)),
    "relu+": (lambda a: a.relu(), lambda a: max(a, 0.0), lambda r: r.uniform(0.1, 3)),
    "relu-": (lambda a: a.relu(), lambda a: max(a, 0.0), lambda r: r.uniform(-3, -0.1)),
    "tanh": (lambda a: a.tanh(), math.tanh, lambda r: r.uniform(-3, 3)),
    "sigmoid": (lambda a: a.sigmoid(), sigmoid, lambda r: r.uniform(-5, 5)),
    "exp": (lambda a: a.exp(), math.exp, lambda r: r.uniform(-3, 3)),
    "log": (lambda a: a.log(), math.log, lambda r: r.uniform(0.2, 5)),
    "pow2": (lambda a: a ** 2, lambda a: a ** 2, lambda r: r.uniform(-3, 3)),
    "pow3": (lambda a: a ** 3, lambda a: a ** 3, lambda r: r.uniform(-3, 3)),
    "pow-1": (lambda a: a ** -1, lambda a: a ** -1, lambda r: r.choice([-1, 1]) * r.uniform(0.5, 3)),
    "pow0.5": (lambda a: a ** 0.5, math.sqrt, lambda r: r.uniform(0.2, 5)),
    "pow-2.5": (lambda a: a ** -2.5, lambda a: a ** -2.5, lambda r: r.uniform(0.5, 3)),
    "radd": (lambda a: 2.5 + a, lambda a: 2.5 + a, lambda r: r.uniform(-3, 3)),
    "rsub": (lambda a: 2.5 - a, lambda a: 2.5 - a, lambda r: r.uniform(-3, 3)),
    "rmul": (lambda a: 2.5 * a, lambda a: 2.5 * a, lambda r: r.uniform(-3, 3)),
    "rtruediv": (lambda a: 2.5 / a, lambda a: 2.5 / a, lambda r: r.choice([-1, 1]) * r.uniform(0.5, 3)),
    "rpow": (lambda a: 2.5 ** a, lambda a: 2.5 ** a, lambda r: r.uniform(-3, 3)),
    "add_const": (lambda a: a + 1.5, lambda a: a + 1.5, lambda r: r.uniform(-3, 3)),
    "sub_const": (lambda a: a - 1.5, lambda a: a - 1.5, lambda r: r.uniform(-3, 3)),
    "mul_const": (lambda a: a * -1.5, lambda a: a * -1.5, lambda r: r.uniform(-3, 3)),
    "div_const": (lambda a: a / -1.5, lambda a: a / -1.5, lambda r: r.uniform(-3, 3)),
}
BINARY = {
    "add": (lambda a, b: a + b, lambda a, b: a + b, lambda r: (r.uniform(-3, 3), r.uniform(-3, 3))),
    "sub": (lambda a, b: a - b, lambda a, b: a - b, lambda r: (r.uniform(-3, 3), r.uniform(-3, 3))),
    "mul": (lambda a, b: a * b, lambda a, b: a * b, lambda r: (r.uniform(-3, 3), r.uniform(-3, 3))),
    "truediv": (lambda a, b: a / b, lambda a, b: a / b,
                lambda r: (r.uniform(-3, 3), r.choice([-1, 1]) * r.uniform(0.5, 3))),
    "pow_value": (lambda a, b: a ** b, lambda a, b: a ** b, lambda r: (r.uniform(0.2, 3), r.uniform(-2, 2))),
}


def value_grads(fn, args):
    """Build fn on fresh leaves, back-propagate, return (output data, leaf gradients)."""
    leaves = [Value(a) for a in args]
    out = fn(*leaves)
    out.backward()
    return out.data, [leaf.grad for leaf in leaves]


# ---------------------------------------------------------------------------- every op vs finite differences
@pytest.mark.parametrize("trial", range(5))
@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_op_gradient_matches_central_differences(name, trial):
    vfn, ffn, sample = UNARY[name]
    a = sample(random.Random(f"{name}-{trial}"))
    data, (grad,) = value_grads(vfn, [a])
    assert data == pytest.approx(ffn(a), rel=1e-12, abs=1e-300)
    assert rel_error(grad, central_difference(ffn, [a], 0)) < 1e-7


@pytest.mark.parametrize("trial", range(5))
@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_op_gradients_match_central_differences(name, trial):
    vfn, ffn, sample = BINARY[name]
    args = sample(random.Random(f"{name}-{trial}"))
    data, grads = value_grads(vfn, args)
    assert data == pytest.approx(ffn(*args), rel=1e-12)
    for i, grad in enumerate(grads):
        assert rel_error(grad, central_difference(ffn, args, i)) < 1e-7, (i, args)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(a=st.floats(-3, 3), b=st.floats(0.5, 3), sign=st.sampled_from([-1.0, 1.0]))
def test_binary_ops_gradients_hypothesis(a, b, sign):
    b = sign * b   # keep divisors away from 0
    for name in ("add", "sub", "mul", "truediv"):
        vfn, ffn, _ = BINARY[name]
        _, grads = value_grads(vfn, [a, b])
        for i, grad in enumerate(grads):
            assert rel_error(grad, central_difference(ffn, [a, b], i)) < 1e-7, (name, i)


# ---------------------------------------------------------------------------- hand-worked numbers
@pytest.mark.parametrize("build, data, grads", [
    # a = 3, b = 4
    (lambda a, b: a + b, 7.0, (1.0, 1.0)),
    (lambda a, b: a - b, -1.0, (1.0, -1.0)),
    (lambda a, b: a * b, 12.0, (4.0, 3.0)),              # d/da = b, d/db = a
    (lambda a, b: a / b, 0.75, (0.25, -0.1875)),         # 1/b = 1/4; -a/b^2 = -3/16
    (lambda a, b: a ** b, 81.0, (108.0, 81.0 * math.log(3.0))),   # b a^(b-1) = 4*27; a^b ln a
    (lambda a, b: a ** 2, 9.0, (6.0, 0.0)),              # 2a; b unused
    (lambda a, b: -a * b, -12.0, (-4.0, -3.0)),
    (lambda a, b: 1 / a, 1 / 3, (-1 / 9, 0.0)),          # -1/a^2
    (lambda a, b: 2 ** b, 16.0, (0.0, 16.0 * math.log(2.0))),
    (lambda a, b: (a - b).relu(), 0.0, (0.0, 0.0)),      # a - b = -1 < 0: flat
    (lambda a, b: (b - a).relu(), 1.0, (-1.0, 1.0)),
])
def test_hand_worked_gradients(build, data, grads):
    a, b = Value(3.0), Value(4.0)
    out = build(a, b)
    out.backward()
    assert out.data == pytest.approx(data, rel=1e-15)
    assert (a.grad, b.grad) == pytest.approx(grads, rel=1e-15)


@pytest.mark.parametrize("method, x, data, local", [
    ("sigmoid", 0.0, 0.5, 0.25),           # s = 1/2, s(1 - s) = 1/4
    ("tanh", 0.0, 0.0, 1.0),               # 1 - 0^2
    ("exp", 0.0, 1.0, 1.0),
    ("log", math.e, 1.0, 1 / math.e),
    ("relu", 2.0, 2.0, 1.0),
    ("relu", 0.0, 0.0, 0.0),               # at the kink, slope 0 (micrograd's choice)
    ("relu", -2.0, 0.0, 0.0),
])
def test_hand_worked_unary(method, x, data, local):
    out = getattr(Value(x), method)()
    assert out.data == pytest.approx(data, rel=1e-15, abs=0.0)
    assert out.local_grads == pytest.approx((local,), rel=1e-15, abs=0.0)
    assert out.op == method


def test_neuron_with_tanh_hand_worked():
    # n = x1*w1 + x2*w2 + b = 1*0.5 + (-2)*0.25 + 0 = 0;  o = tanh(0) = 0;  do/dn = 1 - 0^2 = 1.
    x1, w1 = Value(1.0, label="x1"), Value(0.5, label="w1")
    x2, w2 = Value(-2.0, label="x2"), Value(0.25, label="w2")
    b = Value(0.0, label="b")
    o = (x1 * w1 + x2 * w2 + b).tanh()
    o.backward()
    assert o.data == 0.0
    assert (x1.grad, w1.grad) == (0.5, 1.0)     # do/dx1 = w1, do/dw1 = x1
    assert (x2.grad, w2.grad) == (0.25, -2.0)   # do/dx2 = w2, do/dw2 = x2
    assert b.grad == 1.0


@pytest.mark.parametrize("base, exponent, data, local", [
    (-2.0, 3, -8.0, 12.0),      # 3 * (-2)^2
    (-2.0, -1, -0.5, -0.25),    # -1 * (-2)^-2
    (0.0, 2, 0.0, 0.0),         # 2 * 0
    (5.0, 0, 1.0, 0.0),         # constant 1
    (0.0, 0.5, 0.0, math.inf),  # sqrt at 0: vertical tangent, documented as inf
])
def test_power_with_number_exponent_edge_cases(base, exponent, data, local):
    out = Value(base) ** exponent
    assert out.data == data
    assert out.local_grads == (local,)
    assert out._prev[0].data == base and len(out._prev) == 1   # the constant exponent is not a node
    assert out.op == f"**{float(exponent):g}"


# ---------------------------------------------------------------------------- a micrograd-style expression
def relu(v):
    return v.relu() if isinstance(v, Value) else max(v, 0.0)


def tanh(v):
    return v.tanh() if isinstance(v, Value) else math.tanh(v)


def mixed_expression(a, b, c):
    """Every operator, reflected forms, in-place updates and reuse, written once for Values and floats."""
    d = a * b + c ** 2
    d += d * 0.5 + relu(b - a)          # d reused three times
    e = 1.5 - d / (2 + c * c) + (-a)
    e = e * e + 3 * tanh(e)
    f = e / 4.0 - 2 ** (b * 0.1) + relu(a + b + c)
    return f + f * a


@pytest.mark.parametrize("seed", range(6))
def test_mixed_expression_matches_finite_differences(seed):
    rng = random.Random(seed)
    args = [rng.uniform(-2, 2) for _ in range(3)]
    data, grads = value_grads(mixed_expression, args)
    assert data == pytest.approx(mixed_expression(*args), rel=1e-12)
    for i, grad in enumerate(grads):
        fd = central_difference(mixed_expression, args, i)
        assert rel_error(grad, fd, floor=1e-6) < 1e-7, (i, grad, fd)


# ---------------------------------------------------------------------------- deep graphs and reuse
def test_backward_through_a_100k_node_chain():
    # v_{k+1} = v_k * c, 100,000 times: dv_N/dx = c**N. A recursive walk would hit the recursion limit.
    n, c = 100_000, 1.00001
    x = Value(0.5)
    v = x
    for _ in range(n):
        v = v * c
    v.backward()
    assert x.grad == pytest.approx(c ** n, rel=1e-9)   # c**N = exp(N ln c), about e = 2.71827
    assert v.data == pytest.approx(0.5 * c ** n, rel=1e-9)


def test_backward_through_a_100k_chain_of_unary_ops():
    # 100,000 negations in a row: an even number of sign flips, so d/dx = +1.
    x = Value(1.25)
    v = x
    for _ in range(100_000):
        v = -v
    v.backward()
    assert (v.data, x.grad) == (1.25, 1.0)


def test_one_node_used_a_thousand_times():
    # f = sum_{i=1}^{1000} i * x  =>  df/dx = 1 + 2 + ... + 1000 = 500500.
    x = Value(0.3)
    f = Value(0.0)
    for i in range(1, 1001):
        f = f + i * x
    f.backward()
    assert x.grad == 500500.0


def test_product_of_a_thousand_copies():
    # p = x * x * ... * x (1000 factors) = x**1000  =>  dp/dx = 1000 * x**999.
    x = Value(1.0005)
    p = x
    for _ in range(999):
        p = p * x
    p.backward()
    assert x.grad == pytest.approx(1000 * 1.0005 ** 999, rel=1e-10)


def test_stacked_diamonds_are_not_exponential():
    # v_{k+1} = 2 v_k + 3 v_k: each layer is a diamond, so there are 2**60 paths from x to the top.
    # Summing path by path would never finish; the topological sweep visits each node once.
    # dv_60/dx = 5**60.
    x = Value(1.0)
    v = x
    for _ in range(60):
        v = v * 2.0 + v * 3.0
    v.backward()
    assert x.grad == pytest.approx(5.0 ** 60, rel=1e-12)


def test_same_operand_twice_in_one_op():
    # x * x: both operand slots hold x, each with local gradient x, so d/dx = 2x.
    x = Value(-3.0)
    y = x * x
    assert y._prev == (x, x) and y.local_grads == (-3.0, -3.0)
    y.backward()
    assert x.grad == -6.0
    z = Value(2.0)
    w = z + z
    w.backward()
    assert z.grad == 2.0


# ---------------------------------------------------------------------------- calling backward() again
def test_backward_twice_gives_the_same_gradients_not_doubled():
    x, y, z, q, f = seed_graph()
    f.backward()
    first = [v.grad for v in (x, y, z, q, f)]
    f.backward()
    assert [v.grad for v in (x, y, z, q, f)] == first == [-4.0, -4.0, 3.0, -4.0, 1.0]


def test_backward_resets_gradients_left_by_another_graph():
    # x is shared by two graphs; each backward() reports that graph's gradient only.
    x = Value(2.0)
    g1 = x * 3.0
    g2 = x ** 2
    g1.backward()
    assert x.grad == 3.0
    g2.backward()
    assert x.grad == 4.0        # d(x^2)/dx = 2x, not 3 + 4


def test_backward_accumulate_adds_into_leaves_only():
    x, w = Value(2.0), Value(-1.0)
    h = x * w                   # shared intermediate node
    f1 = h * 3.0                # df1/dx = 3w = -3,  df1/dw = 3x = 6
    f2 = h * h                  # df2/dx = 2h w = 4, df2/dw = 2h x = -8  (h = -2)
    f1.backward()
    f2.backward(accumulate=True)
    assert (x.grad, w.grad) == (1.0, -2.0)      # -3 + 4, 6 - 8
    assert h.grad == 2 * h.data                 # intermediate: this pass only (df2/dh = 2h = -4)
    total = f1 + f2
    total.backward()
    assert (x.grad, w.grad) == (1.0, -2.0)      # same as back-propagating the sum


def test_backward_on_a_leaf():
    x = Value(7.0)
    x.backward()
    assert x.grad == 1.0
    x.backward(accumulate=True)
    assert x.grad == 2.0


def test_zero_grad_clears_the_whole_graph():
    x, y, z, q, f = seed_graph()
    f.backward()
    f.zero_grad()
    assert [v.grad for v in (x, y, z, q, f)] == [0.0] * 5
    assert f.data == -12.0 and f.local_grads == (-4.0, 3.0)   # values and local gradients kept


# ---------------------------------------------------------------------------- numerics at |x| = 1000
@pytest.mark.parametrize("method, x, data, local", [
    ("sigmoid", 1000.0, 1.0, 0.0),
    ("sigmoid", -1000.0, 0.0, 0.0),
    ("tanh", 1000.0, 1.0, 0.0),
    ("tanh", -1000.0, -1.0, 0.0),
    ("exp", -1000.0, 0.0, 0.0),
    ("exp", 1000.0, math.inf, math.inf),     # beyond the float range: the limit, no warning
    ("exp", 709.0, math.exp(709.0), math.exp(709.0)),   # just below the overflow threshold
    ("sigmoid", 40.0, sigmoid(40.0), sigmoid(40.0) * (1 - sigmoid(40.0))),
    ("sigmoid", -745.0, math.exp(-745.0), math.exp(-745.0)),   # the smallest subnormal, not 0
])
def test_saturating_functions_at_large_inputs(method, x, data, local):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        v = Value(x)
        out = getattr(v, method)()
        out.backward()
    assert out.data == data
    assert out.local_grads == (local,)
    assert v.grad == local


@pytest.mark.parametrize("x", [-30.0, -5.0, -0.5, 0.5, 5.0, 30.0])
def test_sigmoid_symmetry_and_accuracy(x):
    # sigma(-x) = 1 - sigma(x); the stable branches must agree with the textbook formula.
    s = Value(x).sigmoid().data
    assert s == pytest.approx(sigmoid(x), rel=1e-15)
    assert s + Value(-x).sigmoid().data == pytest.approx(1.0, rel=1e-15)


def test_numpy_sees_no_overflow_either():
    # The same inputs through a chain (exp then log, sigmoid of a big product) raise no warning.
    with np.errstate(all="raise"), warnings.catch_warnings():
        warnings.simplefilter("error")
        x = Value(1000.0)
        out = (x * 3.0).sigmoid() + (-x).exp() + (x * -2.0).tanh()
        out.backward()
    assert out.data == 0.0 and x.grad == 0.0


@pytest.mark.parametrize("method", ["relu", "tanh", "sigmoid", "exp"])
def test_nan_propagates_instead_of_being_hidden(method):
    # A nan from a diverged computation must stay visible, e.g. relu must not turn it into 0.
    out = getattr(Value(math.nan), method)()
    assert math.isnan(out.data) and math.isnan(out.local_grads[0])


# ---------------------------------------------------------------------------- numpy scalars
@pytest.mark.parametrize("scalar", [np.float64(2.0), np.float32(2.0), np.int64(2), np.array(2.0), 2, 2.0])
def test_numpy_and_python_scalars_on_both_sides(scalar):
    v = Value(3.0)
    results = [v + scalar, scalar + v, v - scalar, scalar - v, v * scalar, scalar * v,
               v / scalar, scalar / v, v ** scalar, scalar ** v]
    assert all(type(r) is Value for r in results)
    assert [r.data for r in results] == pytest.approx([5, 5, 1, -1, 6, 6, 1.5, 2 / 3, 9, 8])
    assert type(Value(scalar).data) is float


# ---------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("bad", ["abc", None, [1.0], True, 1 + 2j, np.array([1.0, 2.0])])
def test_value_rejects_non_numbers(bad):
    with pytest.raises(TypeError, match=r"The 'data' parameter of Value must be a real number.*Got "):
        Value(bad)


def test_type_error_message_follows_the_template():
    with pytest.raises(TypeError) as info:
        Value("abc")
    assert str(info.value) == ("The 'data' parameter of Value must be a real number (int, float or "
                               "numpy scalar). Got 'abc' (str) instead.")


@pytest.mark.parametrize("symbol, op", [("+", operator.add), ("-", operator.sub), ("*", operator.mul),
                                        ("/", operator.truediv), ("**", operator.pow)])
def test_operators_reject_strings_on_both_sides(symbol, op):
    v = Value(2.0)
    message = (rf"The '(other|exponent)' operand of Value '{re.escape(symbol)}' must be a Value or a "
               r"real number .*Got 'x' \(str\) instead\.")
    with pytest.raises(TypeError, match=message):
        op(v, "x")
    with pytest.raises(TypeError, match=message):
        op("x", v)


def test_operator_with_an_array_points_to_lists():
    with pytest.raises(TypeError, match="use a list of Values"):
        Value(1.0) * np.ones(3)


def test_label_must_be_a_string():
    with pytest.raises(TypeError, match=r"The 'label' parameter of Value must be a str\. Got 3 \(int\)"):
        Value(1.0, label=3)


def test_children_need_matching_local_gradients():
    a = Value(1.0)
    with pytest.raises(ValueError, match=r"one number per child in '_children' \(2\)\. Got 0 instead"):
        Value(2.0, (a, a), "+")
    with pytest.raises(TypeError, match=r"The '_children' parameter of Value must hold Value objects"):
        Value(2.0, (a, 1.0), "+", "", (1.0, 1.0))
    with pytest.raises(TypeError, match=r"'_local_grads' parameter of Value must be a real number"):
        Value(2.0, (a,), "relu", "", ("one",))
    with pytest.raises(TypeError, match=r"The '_op' parameter of Value must be a str"):
        Value(2.0, (a,), None, "", (1.0,))
    node = Value(2.0, (a, a), "+", "s", (1.0, 1.0))   # complete: accepted and usable
    node.backward()
    assert a.grad == 2.0


def test_a_hand_built_node_has_at_most_two_operands():
    # An operation has one or two operands; a sum of three terms is two additions.
    a, b, c = Value(1.0), Value(-1.0), Value(0.5)
    with pytest.raises(ValueError, match=r"The '_children' parameter of Value must hold at most two "
                                         r"Values .*Got 3 Values instead; build a sum of three terms"):
        Value(0.5, (a, b, c), "lin", "s", (1, 2, 3))
    s = a + 2 * b + 3 * c          # s = 0.5: local gradients 1, 2, 3 along the paths
    y = s * s                      # dy/ds = 2s = 1
    y.backward()
    assert (a.grad, b.grad, c.grad) == (1.0, 2.0, 3.0)


@pytest.mark.parametrize("x", [0.0, -1.0, -1e-300])
def test_log_of_non_positive_names_the_value(x):
    with pytest.raises(ValueError, match=rf"Value\.log needs data > 0.*Got {re.escape(repr(x))} instead"):
        Value(x).log()


@pytest.mark.parametrize("build", [lambda: Value(1.0) / Value(0.0), lambda: Value(1.0) / 0,
                                   lambda: 3 / Value(-0.0)])
def test_division_by_zero(build):
    with pytest.raises(ZeroDivisionError,
                       match=r"The divisor of Value '/' must be nonzero\. Got Value\(data="):
        build()


def test_power_errors():
    with pytest.raises(ValueError,
                       match=r"must be >= 0 when the exponent 0\.5 is not a whole number.*Got -8\.0"):
        Value(-8.0) ** 0.5
    with pytest.raises(ZeroDivisionError, match="cannot raise 0.0 to the negative power -1.0"):
        Value(0.0) ** -1
    with pytest.raises(OverflowError, match="larger than the largest float"):
        Value(1e200) ** 2
    with pytest.raises(TypeError,
                       match=r"The 'exponent' operand of Value '\*\*' must be a Value or a real.*Got 'a'"):
        Value(2.0) ** "a"


@pytest.mark.parametrize("exponent", [-1.0, Value(-1.0)])
def test_power_slope_beyond_the_float_range_is_infinite(exponent):
    # 1e-300 ** -1 = 1e300 fits, but its slope -1 * (1e-300)**-2 = -1e600 does not: -inf, no error.
    out = Value(1e-300) ** exponent
    assert out.data == pytest.approx(1e300, rel=1e-15)
    assert out.local_grads[0] == -math.inf


@pytest.mark.parametrize("base", [0.0, -2.0])
def test_power_with_a_value_exponent_needs_a_positive_base(base):
    # d(a**b)/db = a**b * log(a) is undefined for a <= 0, even where a**b itself exists (-2 ** 2).
    with pytest.raises(ValueError, match=rf"must be > 0 when the exponent is a Value.*Got {base!r}"):
        Value(base) ** Value(2.0)
    with pytest.raises(ValueError, match=rf"Got {base!r}"):
        base ** Value(2.0)


@pytest.mark.parametrize("n_children", [0, 1, 2])
def test_hand_built_nodes_keep_operands_in_order(n_children):
    kids = tuple(Value(float(k)) for k in range(n_children))
    grads = tuple(float(10 + k) for k in range(n_children))
    node = Value(1.0, kids, "op" if kids else "", "n", grads)
    assert node._prev == kids and node.local_grads == grads
    node.backward()
    assert [k.grad for k in kids] == list(grads)


def test_micrograd_names_still_work():
    x, y, z, q, f = seed_graph()
    assert f._op == "*" and x._op == ""
    assert set(f._prev) == {q, z}


def test_builtin_sum_of_values_like_a_neuron():
    # sum() starts from the int 0, so 0 + w1*x1 goes through __radd__.
    # n = 0.5*2 + (-1)*3 + 0.25*(-4) = 1 - 3 - 1 = -3;  dn/dw_i = x_i, dn/dx_i = w_i.
    ws = [Value(w) for w in (0.5, -1.0, 0.25)]
    xs = [Value(x) for x in (2.0, 3.0, -4.0)]
    n = sum(w * x for w, x in zip(ws, xs))
    n.backward()
    assert n.data == -3.0
    assert [w.grad for w in ws] == [2.0, 3.0, -4.0]
    assert [x.grad for x in xs] == [0.5, -1.0, 0.25]
