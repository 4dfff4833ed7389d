"""train(): the three modes of Backpropagation for dummies against hand-rolled loops, XOR convergence, history, errors."""
import numpy as np
import pytest

from backprop_course.datasets import moons, xor
from backprop_course.engine.mlp import MLP
from backprop_course.engine.optim import RPROP, SGD
from backprop_course.engine.training import History, TrainingDiverged, train, train_step

X_XOR, T_XOR = xor()


def stop_below(threshold):
    """A callback that stops training once the loss is below ``threshold``."""
    return lambda epoch, hist: hist.loss[-1] >= threshold


# Hyperparameters picked from a sweep over 20 network seeds (every one solved XOR; the slowest
# needed 536 epochs online, 481 in batch mode with plain gradient descent), so the epoch budgets
# below leave a margin of about 2x.
XOR_CASES = [
    ("batch", None, lambda: SGD(lr=2.0), 1000),
    ("batch", None, lambda: SGD(lr=1.0, momentum=0.9), 400),
    ("batch", None, lambda: SGD(lr=1.0, momentum=0.9, nesterov=True), 400),
    ("online", None, lambda: SGD(lr=2.0), 1200),
    ("online", None, lambda: SGD(lr=0.5, momentum=0.9), 500),
    ("minibatch", 2, lambda: SGD(lr=2.0), 1000),
    ("minibatch", 3, lambda: SGD(lr=1.0, momentum=0.5), 1000),
    ("batch", None, lambda: RPROP(), 300),
    ("batch", None, lambda: RPROP(variant="rprop+"), 300),
]


@pytest.mark.parametrize("net_seed", [0, 1])
@pytest.mark.parametrize("mode, batch_size, make, epochs", XOR_CASES,
                         ids=["batch-gd", "batch-momentum", "batch-nesterov", "online-gd",
                              "online-momentum", "minibatch2-gd", "minibatch3-momentum",
                              "batch-irprop-", "batch-rprop+"])
def test_every_mode_learns_xor(mode, batch_size, make, epochs, net_seed):
    net = MLP([2, 4, 1], activation="sigmoid", seed=net_seed)
    hist = train(net, X_XOR, T_XOR, make(), mode=mode, batch_size=batch_size, epochs=epochs,
                 seed=net_seed, callback=stop_below(0.05))
    assert hist.stopped_early and hist.final_loss < 0.05
    assert net.loss(X_XOR, T_XOR) == pytest.approx(hist.final_loss)
    # the outputs round to the XOR truth table
    np.testing.assert_array_equal(np.round(net.forward(X_XOR)), T_XOR)


# -- the modes against loops written out by hand --------------------------------------------------------
def hand_epochs(net, X, T, opt, mode, batch_size, epochs, seed):
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        if mode == "batch":
            groups = [np.arange(len(X))]
        else:
            order = rng.permutation(len(X))
            size = 1 if mode == "online" else batch_size
            groups = [order[i:i + size] for i in range(0, len(X), size)]
        for idx in groups:
            net.forward(X[idx])
            opt.step(net, net.backward(T[idx]))
    return net


@pytest.mark.parametrize("mode, batch_size", [("batch", None), ("online", None), ("minibatch", 7),
                                              ("minibatch", 30)])
def test_modes_match_a_hand_rolled_loop(mode, batch_size):
    X, T = moons(n=30, seed=4)
    net = MLP([2, 5, 1], activation="tanh", seed=3)
    twin = net.copy()
    hist = train(net, X, T, SGD(lr=0.05, momentum=0.5), mode=mode, batch_size=batch_size,
                 epochs=3, seed=11)
    hand_epochs(twin, X, T, SGD(lr=0.05, momentum=0.5), mode, batch_size, 3, seed=11)
    for p, q in zip(net.parameters(), twin.parameters()):
        np.testing.assert_allclose(p, q, rtol=1e-12, atol=1e-14)
    per_epoch = {"batch": 1, "online": 30, "minibatch": -(-30 // (batch_size or 1))}[mode]
    assert hist.updates == 3 * per_epoch
    assert hist.batch_size == {"batch": 30, "online": 1}.get(mode, batch_size)


def test_batch_mode_uses_the_gradient_summed_over_all_samples():
    # One batch step with lr = 0.1 must equal w - 0.1 * sum_i dE_i/dw (per-sample gradients added).
    X, T = moons(n=6, seed=0)
    net = MLP([2, 3, 1], seed=5)
    summed = None
    for i in range(len(X)):
        net.forward(X[i:i + 1])
        g = net.backward(T[i:i + 1]).as_list()
        summed = g if summed is None else [a + b for a, b in zip(summed, g)]
    expected = [p - 0.1 * g for p, g in zip(net.parameters(), summed)]
    train(net, X, T, SGD(lr=0.1), mode="batch", epochs=1)
    for p, e in zip(net.parameters(), expected):
        np.testing.assert_allclose(p, e, rtol=1e-12, atol=1e-14)


# -- history ----------------------------------------------------------------------------------------------
def test_history_loss_is_loss_over_the_whole_set_after_each_epoch():
    X, T = moons(n=20, seed=1)
    net = MLP([2, 4, 1], seed=0)
    before = net.loss(X, T)
    hist = train(net, X, T, SGD(lr=0.3), mode="online", epochs=4, seed=2, record_weights=True)
    assert isinstance(hist, History) and hist.epochs_run == 4 and len(hist.loss) == 4
    assert hist.initial_loss == pytest.approx(before)
    probe = MLP([2, 4, 1], seed=0)
    for loss, state in zip(hist.loss, hist.weights):
        probe.set_state(state)
        assert probe.loss(X, T) == pytest.approx(loss, rel=1e-12)
    probe.set_state(hist.initial_weights)
    assert probe.loss(X, T) == pytest.approx(before, rel=1e-12)


def test_weight_snapshots_are_copies():
    net = MLP([2, 3, 1], seed=0)
    hist = train(net, X_XOR, T_XOR, SGD(lr=1.0), epochs=3, record_weights=True)
    assert len(hist.weights) == 3
    np.testing.assert_array_equal(hist.weights[-1]["weights"][0], net.weights[0])
    assert hist.weights[-1]["weights"][0] is not net.weights[0]
    assert not np.array_equal(hist.weights[0]["weights"][0], hist.weights[2]["weights"][0])


def test_grad_norms_in_batch_mode_are_the_full_gradient_at_the_start_of_each_epoch():
    net = MLP([2, 4, 3, 1], seed=1)
    hist = train(net, X_XOR, T_XOR, SGD(lr=0.5), epochs=3, record_grad_norms=True,
                 record_weights=True)
    assert len(hist.grad_norms) == 3 and all(len(n) == 3 for n in hist.grad_norms)
    probe = MLP([2, 4, 3, 1], seed=1)
    starts = [hist.initial_weights] + hist.weights[:-1]
    for norms, state in zip(hist.grad_norms, starts):
        probe.set_state(state)
        probe.forward(X_XOR)
        g = probe.backward(T_XOR)
        # Frobenius norm by hand: square root of the sum of squared entries
        expected = [np.sqrt((gw ** 2).sum()) for gw in g.weights]
        assert norms == pytest.approx(expected, rel=1e-12)


def test_grad_norms_online_are_the_mean_over_the_epochs_updates():
    X, T = X_XOR, T_XOR
    net = MLP([2, 3, 1], seed=2)
    twin = net.copy()
    hist = train(net, X, T, SGD(lr=0.5), mode="online", epochs=1, seed=9, record_grad_norms=True)
    opt, norms = SGD(lr=0.5), []
    for i in np.random.default_rng(9).permutation(4):
        twin.forward(X[i:i + 1])
        g = twin.backward(T[i:i + 1])
        norms.append([np.linalg.norm(gw) for gw in g.weights])
        opt.step(twin, g)
    assert hist.grad_norms[0] == pytest.approx(np.mean(norms, axis=0).tolist(), rel=1e-12)


def test_nothing_extra_is_recorded_unless_asked():
    hist = train(MLP([2, 3, 1], seed=0), X_XOR, T_XOR, SGD(lr=0.5), epochs=2)
    assert hist.grad_norms == [] and hist.weights == [] and hist.initial_weights is None


# -- determinism ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("mode, batch_size", [("online", None), ("minibatch", 5)])
def test_same_seed_same_history_other_seed_other_history(mode, batch_size):
    X, T = moons(n=25, seed=0)

    def run(seed):
        return train(MLP([2, 4, 1], seed=0), X, T, SGD(lr=0.2, momentum=0.5), mode=mode,
                     batch_size=batch_size, epochs=5, seed=seed).loss

    first, again, other = run(1), run(1), run(2)
    assert first == again
    assert first != other


# -- divergence -------------------------------------------------------------------------------------------
def test_divergence_raises_with_epoch_and_partial_history():
    X, T = moons(n=50, seed=0)
    net = MLP([2, 8, 8, 1], activation="linear", seed=0)
    with pytest.raises(TrainingDiverged) as info:
        train(net, X, T, SGD(lr=5.0), mode="batch", epochs=500)
    err = info.value
    assert isinstance(err, ValueError)
    assert f"epoch {err.epoch} " in str(err) and "lower learning rate" in str(err)
    assert "lr=5.0" in str(err)
    assert err.epoch > 1 and err.history.epochs_run == err.epoch - 1
    assert len(err.history.loss) == err.epoch - 1 and np.all(np.isfinite(err.history.loss))
    assert not np.isfinite(err.loss)


class Exploder:
    """A duck-typed optimizer without a learning rate that multiplies every parameter by 1e50."""

    def step(self, net, grads):
        for p in net.parameters():
            p *= 1e50


def test_divergence_without_lr_attribute_suggests_smaller_steps():
    # Two linear layers: after epoch 1 the weights are ~1e50, outputs ~1e100 and E ~1e200 (finite);
    # after epoch 2 the outputs are ~1e200 and E ~1e400 overflows to inf.
    net = MLP([2, 3, 1], activation="linear", seed=0)
    with pytest.raises(TrainingDiverged, match=r"in epoch 2 of 10: .*smaller steps") as info:
        train(net, X_XOR, T_XOR, Exploder(), epochs=10)
    assert info.value.epoch == 2 and info.value.history.loss[0] > 1e150


# -- progress bar and callback --------------------------------------------------------------------------------
def test_progress_bar_reports_epochs(capsys):
    hist = train(MLP([2, 3, 1], seed=0), X_XOR, T_XOR, SGD(lr=1.0), epochs=7, progress=True)
    err = capsys.readouterr().err
    assert hist.epochs_run == 7
    assert "training (batch)" in err and "7/7" in err


def test_callback_sees_each_epoch_and_can_stop():
    seen = []

    def callback(epoch, hist):
        seen.append((epoch, hist.epochs_run, len(hist.loss)))
        return False if epoch == 3 else None  # None (not False) continues

    hist = train(MLP([2, 3, 1], seed=0), X_XOR, T_XOR, SGD(lr=1.0), epochs=50, callback=callback)
    assert seen == [(1, 1, 1), (2, 2, 2), (3, 3, 3)]
    assert hist.stopped_early and hist.epochs_run == 3 and len(hist.loss) == 3


def test_callback_returning_none_continues():
    hist = train(MLP([2, 3, 1], seed=0), X_XOR, T_XOR, SGD(lr=1.0), epochs=4,
                 callback=lambda epoch, hist: None)
    assert hist.epochs_run == 4 and not hist.stopped_early


# -- validation --------------------------------------------------------------------------------------------------
NET = MLP([2, 3, 1], seed=0)


@pytest.mark.parametrize("kwargs, exc, message", [
    (dict(X=np.zeros((4, 3))), ValueError,
     "The 'X' parameter of train must be a 2-D array of shape (n_samples, 2)"),
    (dict(X=np.zeros(4)), ValueError, "Got shape (4,) instead"),
    (dict(X=[["a", "b"]]), TypeError, "'X' parameter of train must be an array of numbers"),
    (dict(X=np.full((4, 2), np.nan)), ValueError, "'X' parameter of train must be finite"),
    (dict(T=np.zeros((3, 1))), ValueError, "'T' parameter of train must be a 2-D array of shape (4, 1)"),
    (dict(T=np.zeros(4)), ValueError, "use .reshape(-1, 1)"),
    (dict(optimizer=0.1), TypeError, "'optimizer' parameter of train must be an optimizer"),
    (dict(net="net"), TypeError, "'net' parameter of train must be an MLP"),
    (dict(mode="stochastic"), ValueError,
     "The 'mode' parameter of train must be one of 'online', 'batch', 'minibatch'. Got 'stochastic'"),
    (dict(mode="minibatch"), ValueError,
     "'batch_size' parameter of train must be an int >= 1 when mode='minibatch'. Got None"),
    (dict(mode="minibatch", batch_size=5), ValueError, "an int in [1, n_samples] = [1, 4]. Got 5"),
    (dict(mode="minibatch", batch_size=0), ValueError, "Got 0 instead"),
    (dict(mode="minibatch", batch_size=2.0), TypeError, "'batch_size' parameter of train"),
    (dict(batch_size=-1), ValueError, "'batch_size' parameter of train must be an int >= 1 or None"),
    (dict(epochs=0), ValueError, "The 'epochs' parameter of train must be an int >= 1. Got 0 instead."),
    (dict(epochs=2.5), TypeError, "'epochs' parameter of train"),
    (dict(seed=-1), ValueError, "'seed' parameter of train must be an int >= 0 or None"),
    (dict(callback="stop"), TypeError, "'callback' parameter of train must be callable"),
])
def test_bad_arguments_are_named(kwargs, exc, message):
    args = dict(net=NET, X=X_XOR, T=T_XOR, optimizer=SGD(lr=0.1))
    args.update(kwargs)
    with pytest.raises(exc) as info:
        train(args.pop("net"), args.pop("X"), args.pop("T"), args.pop("optimizer"), **args)
    assert message in str(info.value)


def test_batch_size_is_ignored_outside_minibatch_mode():
    a = train(MLP([2, 3, 1], seed=0), X_XOR, T_XOR, SGD(lr=1.0), epochs=3, batch_size=2)
    b = train(MLP([2, 3, 1], seed=0), X_XOR, T_XOR, SGD(lr=1.0), epochs=3)
    assert a.loss == b.loss and a.batch_size == 4


def test_optimizer_memory_carries_over_between_calls():
    # Two calls of 3 epochs with one optimizer equal one call of 6 epochs (momentum is kept).
    net_a, net_b = MLP([2, 3, 1], seed=0), MLP([2, 3, 1], seed=0)
    opt_a = SGD(lr=1.0, momentum=0.9)
    train(net_a, X_XOR, T_XOR, opt_a, epochs=3)
    second = train(net_a, X_XOR, T_XOR, opt_a, epochs=3)
    whole = train(net_b, X_XOR, T_XOR, SGD(lr=1.0, momentum=0.9), epochs=6)
    assert second.loss == pytest.approx(whole.loss[3:], rel=1e-12)


def test_training_diverged_survives_pickling():
    import pickle

    X, T = moons(n=50, seed=0)
    with pytest.raises(TrainingDiverged) as info:
        train(MLP([2, 8, 8, 1], activation="linear", seed=0), X, T, SGD(lr=5.0), epochs=500)
    back = pickle.loads(pickle.dumps(info.value))
    assert str(back) == str(info.value) and back.epoch == info.value.epoch
    assert back.history.loss == info.value.history.loss


def test_docstring_examples_run():
    import doctest

    from backprop_course.engine import training

    result = doctest.testmod(training)
    assert result.attempted >= 1 and result.failed == 0


def hand_step(net, X, T, opt):
    net.forward(X)
    opt.step(net, net.backward(T, input_grad=False))


class OnlyStep:
    """A learner's optimizer: nothing but step(net, grads)."""

    def __init__(self, lr):
        self.lr = lr

    def step(self, net, g):
        for p, gp in zip(net.parameters(), g.as_list()):
            p -= self.lr * gp


@pytest.mark.parametrize("make", [lambda: SGD(lr=0.01), lambda: SGD(lr=0.01, momentum=0.9),
                                  lambda: SGD(lr=0.01, momentum=0.9, nesterov=True),
                                  lambda: RPROP(), lambda: RPROP(variant="rprop+"),
                                  lambda: OnlyStep(0.01)],
                         ids=["sgd", "momentum", "nesterov", "irprop-", "rprop+", "only-step"])
@pytest.mark.parametrize("sizes", [[2, 5, 1], [784, 128, 10]], ids=["small", "large"])
def test_train_step_changes_the_weights_exactly_as_the_written_out_step(make, sizes):
    rng = np.random.default_rng(8)
    X, T = rng.random((16, sizes[0])), rng.random((16, sizes[-1]))
    net = MLP(sizes, activation=["tanh", "linear"], seed=2)
    twin, opt, twin_opt = net.copy(), make(), make()
    for _ in range(5):
        net.forward(X)
        expected_loss = net.backward(T).loss
        assert train_step(net, X, T, opt) == expected_loss
        hand_step(twin, X, T, twin_opt)
        for p, q in zip(net.parameters(), twin.parameters()):
            np.testing.assert_array_equal(p, q)


def test_train_step_lowers_the_loss_and_leaves_the_optimizer_usable_by_hand():
    X, T = moons(n=40, seed=1)
    net, opt = MLP([2, 6, 1], seed=0), SGD(lr=0.05)
    losses = [train_step(net, X, T, opt) for _ in range(30)]
    assert losses[-1] < losses[0]
    net.forward(X)
    updates = opt.step(net, net.backward(T))       # the same optimizer, by hand afterwards
    assert [u.shape for u in updates] == [p.shape for p in net.parameters()]


def test_train_uses_the_same_step_as_train_step():
    X, T = moons(n=30, seed=2)
    net = MLP([2, 5, 1], seed=1)
    twin = net.copy()
    train(net, X, T, SGD(lr=0.1), mode="batch", epochs=4)
    opt = SGD(lr=0.1)
    for _ in range(4):
        train_step(twin, X, T, opt)
    for p, q in zip(net.parameters(), twin.parameters()):
        np.testing.assert_array_equal(p, q)


@pytest.mark.parametrize("args, exc, message", [
    (("net", None), TypeError, "'net' parameter of train_step must be an MLP"),
    (("optimizer", object()), TypeError, "'optimizer' parameter of train_step must be an optimizer"),
    (("X", np.zeros((4, 3))), ValueError, "'X' parameter"),
    (("T", np.zeros((4, 2))), ValueError, "'T' parameter"),
])
def test_train_step_names_a_bad_argument(args, exc, message):
    kwargs = dict(net=MLP([2, 3, 1], seed=0), X=np.zeros((4, 2)), T=np.zeros((4, 1)),
                  optimizer=SGD(lr=0.1))
    before = [p.copy() for p in kwargs["net"].parameters()]
    kwargs[args[0]] = args[1]
    with pytest.raises(exc, match=message):
        train_step(**kwargs)
    if isinstance(kwargs["net"], MLP):
        for p, q in zip(before, kwargs["net"].parameters()):
            np.testing.assert_array_equal(p, q)          # nothing changed, nothing lost
