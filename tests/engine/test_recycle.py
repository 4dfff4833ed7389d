"""The Recycler reuses memory only when nothing else refers to it, so results never change under a learner."""
import gc

import numpy as np
import pytest

from backprop_course.engine import _recycle
from backprop_course.engine._recycle import MIN_SIZE, Recycler
from backprop_course.engine.mlp import MLP
from backprop_course.engine.optim import SGD

BIG = (128, 784)   # above MIN_SIZE: the layer size whose page faults motivated the recycler
SMALL = (4, 4)


def address(a):
    return a.__array_interface__["data"][0]


def test_an_array_nobody_holds_is_handed_out_again():
    rec = Recycler()
    first = address(rec.empty("k", BIG, np.float64))   # the caller drops it at once
    assert address(rec.empty("k", BIG, np.float64)) == first


@pytest.mark.parametrize("hold", [
    lambda a: a,                       # the array itself
    lambda a: a[3:5],                  # a view keeps its base alive
    lambda a: a.T,
    lambda a: [a],                     # inside a container
    lambda a: memoryview(a),           # an exported buffer
], ids=["array", "slice", "transpose", "list", "memoryview"])
def test_an_array_still_referenced_is_never_handed_out(hold):
    rec = Recycler(keep=3)
    a = rec.empty("k", BIG, np.float64)
    a[...] = 7.0
    kept = hold(a)
    del a
    for _ in range(5):
        b = rec.empty("k", BIG, np.float64)
        b[...] = -1.0
    back = np.asarray(kept) if not isinstance(kept, list) else kept[0]
    assert np.all(back == 7.0)


def test_small_arrays_and_other_shapes_are_always_fresh():
    rec = Recycler()
    assert np.prod(SMALL) < MIN_SIZE
    small = address(rec.empty("s", SMALL, np.float64))
    others = [rec.empty("s", SMALL, np.float64) for _ in range(3)]
    assert all(o.shape == SMALL for o in others)
    big = rec.empty("k", BIG, np.float64)
    del big
    other_shape = rec.empty("k", (784, 128), np.float64)
    assert other_shape.shape == (784, 128)
    other_dtype = rec.empty("k", BIG, np.float32)
    assert other_dtype.dtype == np.float32 and other_dtype.shape == BIG
    assert isinstance(small, int)


def test_keep_bounds_the_remembered_arrays_and_clear_forgets_them():
    rec = Recycler(keep=2)
    held = [rec.empty("k", BIG, np.float64) for _ in range(4)]   # all held: four fresh arrays
    assert len({address(a) for a in held}) == 4
    assert len(rec._slots["k"]) == 2
    rec.clear()
    assert rec._slots == {}


def test_without_getrefcount_nothing_is_recycled(monkeypatch):
    monkeypatch.setattr(_recycle, "_ALONE", -1)
    rec = Recycler()
    a = rec.empty("k", BIG, np.float64)
    a_address = address(a)
    b = rec.empty("k", BIG, np.float64)
    assert rec._slots == {} and b is not a and a_address == address(a)


def data(seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((64, 784)), np.eye(10)[rng.integers(0, 10, 64)]


def test_gradients_kept_by_a_learner_survive_later_steps():
    X, T = data()
    net, opt = MLP([784, 128, 10], seed=0), SGD(lr=1e-3)
    kept_grads, kept_updates, copies = [], [], []
    for _ in range(4):
        net.forward(X)
        g = net.backward(T)
        kept_grads.append(g.weights[0])
        kept_updates.append(opt.step(net, g)[0])
        copies.append((g.weights[0].copy(), kept_updates[-1].copy()))
    gc.collect()
    assert len({address(a) for a in kept_grads}) == 4
    for a, u, (a0, u0) in zip(kept_grads, kept_updates, copies):
        np.testing.assert_array_equal(a, a0)
        np.testing.assert_array_equal(u, u0)
        np.testing.assert_array_equal(u, -1e-3 * a)


def test_the_usual_loop_cycles_through_two_buffers():
    """g = net.backward(T) rebinds g only after the next gradients exist: two buffers take turns."""
    X, T = data(1)
    net, opt = MLP([784, 128, 10], seed=0), SGD(lr=1e-3)
    seen_g = set()
    for _ in range(8):
        net.forward(X)
        g = net.backward(T)
        opt.step(net, g)
        seen_g.add(address(g.weights[0]))
    assert len(seen_g) <= 2


def test_momentum_velocity_a_learner_keeps_is_not_overwritten():
    X, T = data(2)
    net, opt = MLP([784, 128, 10], seed=0), SGD(lr=1e-3, momentum=0.9)
    history = []
    for _ in range(4):
        net.forward(X)
        opt.step(net, net.backward(T))
        history.append((opt.velocity[0], opt.velocity[0].copy()))
    for v, v0 in history:
        np.testing.assert_array_equal(v, v0)
    assert len({address(v) for v, _ in history}) == 4


def test_a_copied_network_has_its_own_recycler():
    net = MLP([784, 128, 10], seed=0)
    assert net.copy()._recycler is not net._recycler
