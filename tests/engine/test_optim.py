"""Optimizers: first steps against hand-worked numbers, RPROP's sign logic, validation, MLP and Value.

The running example is the 2-parameter quadratic E(w) = w1^2 + 2*w2^2, gradient (2*w1, 4*w2),
started at w = (1.0, -0.5). Every expected number below is worked out by hand in the comments.
"""
import numpy as np
import pytest

from backprop_course.engine import optim
from backprop_course.engine.mlp import MLP
from backprop_course.engine.optim import RPROP, SGD, Optimizer, get_optimizer, nesterov_lookahead_step
from backprop_course.engine.value import Value

W0 = (1.0, -0.5)


def quad_grad(w):
    return np.array([2.0 * w[0], 4.0 * w[1]])


def run_arrays(opt, steps):
    """Step the quadratic with arrays; return the weights after each step."""
    w = [np.array(W0)]
    path = []
    for _ in range(steps):
        opt.apply(w, opt.compute_update(w, [quad_grad(w[0])]))
        path.append(w[0].copy())
    return path


def run_values(opt, steps):
    """Step the same quadratic built from Values (backward fills .grad, step changes .data)."""
    w1, w2 = Value(W0[0], label="w1"), Value(W0[1], label="w2")
    path = []
    for _ in range(steps):
        E = w1 * w1 + 2 * w2 * w2
        E.backward()
        opt.step([w1, w2])
        path.append(np.array([w1.data, w2.data]))
    return path


# Hand-worked first two steps on the quadratic.
HAND = {
    # plain GD, lr = 0.1
    # step 1: g = (2, -2);     dw = (-0.2, 0.2)    -> w = (0.8, -0.3)
    # step 2: g = (1.6, -1.2); dw = (-0.16, 0.12)  -> w = (0.64, -0.18)
    "gd": (lambda: SGD(lr=0.1), [(0.8, -0.3), (0.64, -0.18)]),
    # momentum, Backpropagation for dummies: dw_t = -lr*g + alpha*dw_{t-1}, lr = 0.1, alpha = 0.9
    # step 1: dw = -0.1*(2, -2) = (-0.2, 0.2)                           -> w = (0.8, -0.3)
    # step 2: g = (1.6, -1.2); dw = (-0.16, 0.12) + 0.9*(-0.2, 0.2)
    #                             = (-0.34, 0.30)                       -> w = (0.46, 0.0)
    "momentum": (lambda: SGD(lr=0.1, momentum=0.9), [(0.8, -0.3), (0.46, 0.0)]),
    # Nesterov: v_t = mu*v_{t-1} - lr*g; dw = mu*v_t - lr*g; lr = 0.1, mu = 0.9
    # step 1: g = (2, -2); v = (-0.2, 0.2); dw = (-0.18, 0.18) + (-0.2, 0.2) = (-0.38, 0.38)
    #         -> w = (0.62, -0.12)
    # step 2: g = (1.24, -0.48); v = (-0.18, 0.18) + (-0.124, 0.048) = (-0.304, 0.228)
    #         dw = 0.9*(-0.304, 0.228) - 0.1*(1.24, -0.48) = (-0.2736 - 0.124, 0.2052 + 0.048)
    #            = (-0.3976, 0.2532)                                    -> w = (0.2224, 0.1332)
    "nesterov": (lambda: SGD(lr=0.1, momentum=0.9, nesterov=True), [(0.62, -0.12), (0.2224, 0.1332)]),
    # RPROP (any variant; no sign flip yet): step 1: steps 0.1, dw = -sign(g)*0.1 = (-0.1, 0.1)
    #         -> w = (0.9, -0.4)
    # step 2: g = (1.8, -1.6), same signs: steps 0.1*1.2 = 0.12, dw = (-0.12, 0.12) -> (0.78, -0.28)
    "rprop": (lambda: RPROP(), [(0.9, -0.4), (0.78, -0.28)]),
}


@pytest.mark.parametrize("runner", [run_arrays, run_values], ids=["arrays", "values"])
@pytest.mark.parametrize("name", sorted(HAND))
def test_first_two_steps_match_hand_worked_numbers(name, runner):
    make, expected = HAND[name]
    path = runner(make(), 2)
    np.testing.assert_allclose(path, expected, rtol=0, atol=1e-12)


def test_momentum_is_seed_001_rule_over_many_steps():
    # Independent recursion of dw_t = -eps * dE/dw + alpha * dw_{t-1}, written out with scalars.
    eps, alpha = 0.05, 0.7
    opt = SGD(lr=eps, momentum=alpha)
    w = np.array([0.3, -1.2])
    w_ref, dw_prev = w.copy(), np.zeros(2)
    params = [w]
    for _ in range(25):
        opt.apply(params, opt.compute_update(params, [quad_grad(w)]))
        dw = -eps * quad_grad(w_ref) + alpha * dw_prev
        w_ref, dw_prev = w_ref + dw, dw
        np.testing.assert_allclose(w, w_ref, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("momentum", [0.5, 0.9])
def test_nesterov_equals_lookahead_form_after_change_of_variables(momentum):
    # Textbook form on (w, v): the gradient is taken at w + mu*v. SGD(nesterov=True) stores
    # u = w + mu*v, so starting both at the same point with v = 0, u_t == w_t + mu*v_t every step.
    lr = 0.05
    opt = SGD(lr=lr, momentum=momentum, nesterov=True)
    u = [np.array([1.0, -0.5])]
    w, v = [u[0].copy()], [np.zeros(2)]
    for _ in range(30):
        opt.apply(u, opt.compute_update(u, [quad_grad(u[0])]))
        w, v, look = nesterov_lookahead_step(w, v, lambda p: [quad_grad(p[0])], lr, momentum)
        np.testing.assert_allclose(u[0], w[0] + momentum * v[0], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(opt.velocity[0], v[0], rtol=1e-12, atol=1e-14)


def test_lookahead_point_is_params_plus_momentum_times_velocity():
    opt = SGD(lr=0.1, momentum=0.9, nesterov=True)
    w = [np.array(W0)]
    np.testing.assert_array_equal(opt.lookahead(w)[0], W0)  # no velocity yet
    opt.apply(w, opt.compute_update(w, [quad_grad(w[0])]))
    # after step 1: w = (0.62, -0.12), v = (-0.2, 0.2): look-ahead = w + 0.9*v = (0.44, 0.06)
    np.testing.assert_allclose(opt.lookahead(w)[0], [0.44, 0.06], atol=1e-12)
    assert w[0].tolist() == pytest.approx([0.62, -0.12])  # lookahead does not move the weights


@pytest.mark.parametrize("make", [lambda: SGD(lr=0.1), lambda: SGD(lr=0.1, momentum=0.9),
                                  lambda: SGD(lr=0.1, momentum=0.9, nesterov=True),
                                  lambda: RPROP(), lambda: RPROP(variant="rprop+")])
def test_compute_update_leaves_params_and_grads_alone_and_reset_restarts(make):
    opt = make()
    p, g = [np.array([1.0, -2.0]), np.array([[0.5]])], [np.array([0.3, -0.1]), np.array([[2.0]])]
    p_copy, g_copy = [a.copy() for a in p], [a.copy() for a in g]
    first = opt.compute_update(p, g)
    for a, b in zip(p + g, p_copy + g_copy):
        np.testing.assert_array_equal(a, b)
    assert all(u is not a for u in first for a in p + g)
    # The memory advanced: the same gradients again give another update (plain GD has no memory).
    second = opt.compute_update(p, g)
    stateful = not (isinstance(opt, SGD) and opt.momentum == 0)
    assert any(not np.array_equal(a, b) for a, b in zip(first, second)) == stateful
    opt.reset()
    again = opt.compute_update(p, g)
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)


def test_apply_adds_in_place():
    p = [np.array([1.0, 2.0])]
    ref = p[0]
    SGD(lr=1.0).apply(p, [np.array([0.5, -1.0])])
    assert p[0] is ref and ref.tolist() == [1.5, 1.0]


# -- RPROP's sign logic ---------------------------------------------------------------------------------
# Gradient sequence for two weights; only the signs matter.
RPROP_GRADS = [(3.0, -0.5), (1.0, 2.0), (1.0, 2.0), (-1.0, 2.0)]
RPROP_EXPECTED = {
    # irprop-: step 1: steps (0.1, 0.1), dw = (-0.1, +0.1)
    #   step 2: w0 same sign -> 0.12, dw -0.12; w1 flips -> 0.05, no move, stored grad := 0
    #   step 3: w0 -> 0.144, dw -0.144; w1 has no stored sign -> step stays 0.05, dw -0.05
    #   step 4: w0 flips -> 0.072, no move; w1 same sign -> 0.06, dw -0.06
    "irprop-": ([(-0.1, 0.1), (-0.12, 0.0), (-0.144, -0.05), (0.0, -0.06)],
                [(0.1, 0.1), (0.12, 0.05), (0.144, 0.05), (0.072, 0.06)]),
    # rprop-: as above but a flip moves at once by the shrunken step and keeps the gradient:
    #   step 2: w1 -> 0.05, dw -0.05; step 3: w1 same sign as stored 2.0 -> 0.06, dw -0.06
    #   step 4: w0 flips -> 0.072, dw +0.072; w1 -> 0.072, dw -0.072
    "rprop-": ([(-0.1, 0.1), (-0.12, -0.05), (-0.144, -0.06), (0.072, -0.072)],
               [(0.1, 0.1), (0.12, 0.05), (0.144, 0.06), (0.072, 0.072)]),
    # rprop+ (backtracking): a flip undoes the previous change and zeroes the stored gradient:
    #   step 2: w1 -> 0.05, dw = -(+0.1) = -0.1; step 3: w1 no stored sign -> dw -0.05
    #   step 4: w0 flips -> 0.072, dw = -(-0.144) = +0.144; w1 -> 0.06, dw -0.06
    "rprop+": ([(-0.1, 0.1), (-0.12, -0.1), (-0.144, -0.05), (0.144, -0.06)],
               [(0.1, 0.1), (0.12, 0.05), (0.144, 0.05), (0.072, 0.06)]),
}


@pytest.mark.parametrize("variant", sorted(RPROP_EXPECTED))
def test_rprop_sign_changes_by_hand(variant):
    opt = RPROP(variant=variant)
    w = [np.zeros(2)]
    updates, steps = RPROP_EXPECTED[variant]
    for g, du, st in zip(RPROP_GRADS, updates, steps):
        got = opt.compute_update(w, [np.array(g)])
        np.testing.assert_allclose(got[0], du, rtol=0, atol=1e-12)
        np.testing.assert_allclose(opt.step_sizes[0], st, rtol=0, atol=1e-12)


def test_rprop_respects_step_max():
    # 40 -> 48 -> 57.6 capped at 50 -> 50
    opt = RPROP(step_init=40.0, step_max=50.0)
    sizes = []
    for _ in range(4):
        du = opt.compute_update([np.zeros(1)], [np.array([-1.0])])
        sizes.append(opt.step_sizes[0][0])
        assert du[0][0] == pytest.approx(sizes[-1])  # negative gradient: move up by the step
    assert sizes == pytest.approx([40.0, 48.0, 50.0, 50.0])


def test_rprop_respects_step_min():
    # rprop- flips on every step with alternating signs: 1.5e-3 -> 7.5e-4 clipped to 1e-3 -> 1e-3
    opt = RPROP(step_init=1.5e-3, step_min=1e-3, variant="rprop-")
    sizes = []
    for g in (1.0, -1.0, 1.0, -1.0):
        opt.compute_update([np.zeros(1)], [np.array([g])])
        sizes.append(opt.step_sizes[0][0])
    assert sizes == pytest.approx([1.5e-3, 1e-3, 1e-3, 1e-3])


def test_rprop_zero_gradient_neither_moves_nor_adapts():
    opt = RPROP()
    opt.compute_update([np.zeros(1)], [np.array([1.0])])
    du = opt.compute_update([np.zeros(1)], [np.array([0.0])])
    assert du[0][0] == 0.0 and opt.step_sizes[0][0] == pytest.approx(0.1)


@pytest.mark.parametrize("variant", sorted(RPROP_EXPECTED))
def test_rprop_minimises_the_quadratic(variant):
    path = run_arrays(RPROP(variant=variant), 200)
    assert np.abs(path[-1]).max() < 1e-4


# -- MLP ----------------------------------------------------------------------------------------------------
OPTIMIZERS = [lambda: SGD(lr=0.5), lambda: SGD(lr=0.5, momentum=0.9),
              lambda: SGD(lr=0.5, momentum=0.9, nesterov=True), lambda: RPROP(),
              lambda: RPROP(variant="rprop+"), lambda: RPROP(variant="rprop-")]
OPT_IDS = ["gd", "momentum", "nesterov", "irprop-", "rprop+", "rprop-"]


@pytest.mark.parametrize("make", OPTIMIZERS, ids=OPT_IDS)
def test_step_on_mlp_equals_compute_update_on_its_parameters(make):
    rng = np.random.default_rng(3)
    X, T = rng.normal(size=(5, 2)), rng.uniform(size=(5, 1))
    net = MLP([2, 3, 1], activation="sigmoid", seed=1)
    twin = net.copy()
    a, b = make(), make()
    for _ in range(3):
        net.forward(X)
        g = net.backward(T)
        applied = a.step(net, g)
        params = twin.parameters()
        twin.forward(X)
        expected = b.compute_update(params, twin.backward(T).as_list())
        b.apply(params, expected)
        for u, e in zip(applied, expected):
            np.testing.assert_array_equal(u, e)
        for p, q in zip(net.parameters(), twin.parameters()):
            np.testing.assert_array_equal(p, q)


@pytest.mark.parametrize("make", OPTIMIZERS, ids=OPT_IDS)
def test_each_optimizer_lowers_the_loss_of_an_mlp(make):
    rng = np.random.default_rng(0)
    X, T = rng.normal(size=(8, 2)), rng.uniform(size=(8, 1))
    net = MLP([2, 4, 1], activation="tanh", seed=2)
    opt = make()
    before = net.loss(X, T)
    for _ in range(30):
        net.forward(X)
        opt.step(net, net.backward(T))
    assert net.loss(X, T) < 0.8 * before


def test_step_on_mlp_without_bias_changes_only_weights():
    net = MLP([2, 2, 1], seed=0, bias=False)
    X, T = np.array([[0.5, -1.0]]), np.array([[1.0]])
    W_before = [w.copy() for w in net.weights]
    net.forward(X)
    SGD(lr=0.1).step(net, net.backward(T))
    assert all(not np.any(b) for b in net.biases)
    assert any(not np.array_equal(w, w0) for w, w0 in zip(net.weights, W_before))


# -- validation ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("make, exc, message", [
    (lambda: SGD(lr=-0.1), ValueError, "The 'lr' parameter of SGD must be a float > 0. Got -0.1 instead."),
    (lambda: SGD(lr=0), ValueError, "'lr' parameter of SGD must be a float > 0. Got 0.0"),
    (lambda: SGD(lr="0.1"), TypeError, "'lr' parameter of SGD must be a float > 0. Got '0.1'"),
    (lambda: SGD(lr=float("nan")), ValueError, "'lr' parameter of SGD must be a float > 0"),
    (lambda: SGD(momentum=1.0), ValueError, "'momentum' parameter of SGD must be a float in [0, 1)"),
    (lambda: SGD(momentum=-0.1), ValueError, "Got -0.1 instead"),
    (lambda: SGD(nesterov=True), ValueError, "'nesterov' parameter of SGD must be False when momentum"),
    (lambda: SGD(momentum=0.5, nesterov="yes"), TypeError, "'nesterov' parameter of SGD must be a bool"),
    (lambda: RPROP(eta_plus=1.0), ValueError, "'eta_plus' parameter of RPROP must be a float > 1"),
    (lambda: RPROP(eta_minus=1.0), ValueError, "'eta_minus' parameter of RPROP must be a float in (0, 1)"),
    (lambda: RPROP(eta_minus=0), ValueError, "'eta_minus' parameter of RPROP"),
    (lambda: RPROP(step_min=0), ValueError, "'step_min' parameter of RPROP must be a float > 0"),
    (lambda: RPROP(step_max=1e-7), ValueError, "'step_max' parameter of RPROP must be a float >= step_min"),
    (lambda: RPROP(step_init=60), ValueError, "'step_init' parameter of RPROP must be a float in [step_min"),
    (lambda: RPROP(variant="rprop"), ValueError, "'variant' parameter of RPROP must be one of"),
])
def test_bad_hyperparameters_are_named(make, exc, message):
    with pytest.raises(exc) as info:
        make()
    assert message in str(info.value)


@pytest.mark.parametrize("params, grads, message", [
    ([np.zeros(2), np.zeros(3)], [np.zeros(2)], "must have one array per parameter (2). Got 1"),
    ([np.zeros(2), np.zeros(3)], [np.zeros(2), np.zeros(4)],
     "must match the shape of params[1], (3,). Got shape (4,) for grads[1]"),
    ([np.zeros((2, 2))], [np.zeros(4)], "params[0], (2, 2)"),
    ([], [], "at least one array"),
])
def test_mismatched_params_and_grads_name_the_index(params, grads, message):
    with pytest.raises(ValueError) as info:
        SGD(lr=0.1).compute_update(params, grads)
    assert message in str(info.value)


def test_other_shapes_after_first_step_suggest_reset():
    opt = SGD(lr=0.1, momentum=0.5)
    opt.compute_update([np.zeros(2)], [np.ones(2)])
    with pytest.raises(ValueError, match="reset"):
        opt.compute_update([np.zeros(3)], [np.ones(3)])
    opt.reset()
    assert opt.compute_update([np.zeros(3)], [np.ones(3)])[0].shape == (3,)


def test_step_rejects_wrong_targets():
    with pytest.raises(TypeError, match="'target' parameter of SGD.step must be an MLP or a non-empty"):
        SGD().step(42)
    with pytest.raises(TypeError, match="non-empty list of Value"):
        SGD().step([])
    with pytest.raises(ValueError, match="'grads' parameter of SGD.step must be None"):
        SGD().step([Value(1.0)], [np.ones(1)])


def test_base_class_is_abstract():
    with pytest.raises(NotImplementedError):
        Optimizer().compute_update([np.zeros(1)], [np.zeros(1)])


@pytest.mark.parametrize("make", OPTIMIZERS, ids=OPT_IDS)
def test_float32_network_stays_float32(make):
    net = MLP([2, 3, 1], seed=0, dtype=np.float32)
    net.forward(np.array([[0.2, -0.4]]))
    updates = make().step(net, net.backward(np.array([[1.0]])))
    assert all(u.dtype == np.float32 for u in updates)
    assert all(p.dtype == np.float32 for p in net.parameters())


def test_compute_update_on_values_points_to_step():
    with pytest.raises(TypeError, match=r"must hold arrays of numbers. Got Value at index 1 .*opt.step"):
        SGD().compute_update([np.zeros(1), Value(1.0)], [np.zeros(1), np.zeros(1)])


def test_docstring_examples_run():
    import doctest

    from backprop_course.engine import optim

    result = doctest.testmod(optim)
    assert result.attempted >= 4 and result.failed == 0


@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum_updates_are_the_formula_bit_for_bit_on_large_arrays(nesterov):
    """Large arrays go through recycled memory; the arithmetic must stay the blog post's, exactly."""
    rng = np.random.default_rng(5)
    shape = (128, 784)
    opt = SGD(lr=0.03, momentum=0.9, nesterov=nesterov)
    w = [np.zeros(shape)]
    v = np.zeros(shape)
    for _ in range(4):
        g = rng.standard_normal(shape)
        u = opt.compute_update(w, [g])[0]
        v = 0.9 * v - 0.03 * g
        np.testing.assert_array_equal(opt.velocity[0], v)
        np.testing.assert_array_equal(u, 0.9 * v - 0.03 * g if nesterov else v)


# -- the registry: optimizers by name ------------------------------------------------------------------
@pytest.mark.parametrize("name, options, expected", [
    ("sgd", {}, SGD()),
    ("sgd", {"lr": 0.05, "momentum": 0.9}, SGD(lr=0.05, momentum=0.9)),
    ("sgd", {"lr": 0.05, "momentum": 0.9, "nesterov": True}, SGD(lr=0.05, momentum=0.9, nesterov=True)),
    ("rprop", {}, RPROP()),
    ("rprop", {"step_init": 0.3, "variant": "rprop+"}, RPROP(step_init=0.3, variant="rprop+")),
])
def test_get_optimizer_builds_the_class_with_its_options(name, options, expected):
    opt = get_optimizer(name, **options)
    assert type(opt) is optim.OPTIMIZERS[name] is type(expected)
    assert repr(opt) == repr(expected)
    # and it steps as the class built by hand does: momentum 0.9, lr 0.05, gradients 2 then 1 give
    # -0.1 then -0.05 - 0.09 = -0.14 for the momentum rule (other rules differ, and must match too)
    w1, w2 = [np.array([0.0])], [np.array([0.0])]
    for g in (2.0, 1.0):
        np.testing.assert_array_equal(opt.compute_update(w1, [np.array([g])]),
                                      expected.compute_update(w2, [np.array([g])]))


@pytest.mark.parametrize("name", ["adam", "SGD", "", None, 3])
def test_get_optimizer_names_the_valid_names(name):
    with pytest.raises(ValueError, match=r"The 'name' parameter of get_optimizer must be one of 'sgd', 'rprop'"):
        get_optimizer(name)


def test_get_optimizer_names_the_options_it_takes():
    with pytest.raises(ValueError, match=r"must name options of RPROP \(eta_plus, .*step_init.*\)\. Got 'lr' "
                                         r"instead; RPROP has no learning rate"):
        get_optimizer("rprop", lr=0.1)
    with pytest.raises(ValueError, match=r"options of SGD \(lr, momentum, nesterov\)\. Got 'beta' instead\.$"):
        get_optimizer("sgd", lr=0.1, beta=0.9)
    with pytest.raises(ValueError, match="The 'lr' parameter of SGD must be a float > 0"):
        get_optimizer("sgd", lr=-1.0)   # values are checked by the class itself


def test_every_registered_optimizer_is_an_optimizer_named_by_its_class():
    for name, cls in optim.OPTIMIZERS.items():
        assert issubclass(cls, Optimizer) and name == cls.__name__.lower()
