# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 09 · Update modes: online, batch and mini-batch
#
# **After this lesson you can**
#
# - say exactly what happens in one epoch of *online*, *batch* and *mini-batch* training;
# - train the same network in each mode with `bc.train` and compare the loss curves fairly
#   (per epoch and per weight update);
# - explain why the batch mode needs a smaller learning rate when the gradient is summed over the
#   batch, and pick a rate that does not blow up;
# - weigh what each mode costs and which situation suits it.
#
# **Time:** about 25 minutes.

# %%
import random
import time

import numpy as np
import matplotlib.pyplot as plt
import backprop_course as bc
from backprop_course.widgets import plotting as P

random.seed(0)
np.random.seed(0)
rng = np.random.default_rng(0)

# %% [markdown]
# ## 1. Three answers to "how often do we update?"
#
# Backpropagation gives us $\partial E/\partial w$ for every weight; the update rule of lesson 04
# turns it into a change $\Delta w = -\varepsilon\, \partial E/\partial w$ ($\varepsilon$ is the
# learning rate, `lr` in the code). What Backpropagation for dummies leaves open until the end is **which error** we
# differentiate before each change. Every training sample has its own error
# $E_p = \tfrac12 \sum_{\text{outputs}} (t - y)^2$, and there are three common choices:
#
# | mode | gradient used for one update | updates per epoch ($n$ samples) |
# |---|---|---|
# | **online** | $\partial E_p/\partial w$ of one sample $p$ | $n$ |
# | **batch** | $\sum_{p=1}^{n} \partial E_p/\partial w$, the whole training set | $1$ |
# | **mini-batch** (stochastic) | $\sum_{p \in B} \partial E_p/\partial w$ over a random subset $B$ of size $b$ | $\lceil n/b \rceil$ |
#
# An **epoch** is one pass over the training set. In every mode it evaluates the gradient of each
# sample exactly once, so one epoch costs the same number of per-sample gradients whatever the mode.
# The modes differ in how those gradients are grouped before the weights move.
#
# `bc.train(net, X, T, optimizer, mode=..., batch_size=..., epochs=..., seed=...)` implements all
# three. Online and mini-batch visit the samples in a new random order every epoch (drawn from
# `seed`); batch mode has no randomness at all. Each update it makes is one call of
# `bc.train_step(net, X_batch, T_batch, optimizer)`: forward, backward and the optimizer's step,
# with exactly the numbers you get by writing those three lines out yourself (the cell after the
# data checks this). It is faster only because it skips what nobody looks at, such as the gradient
# with respect to the inputs.
#
# The data for this lesson: 100 noisy samples of $t = \sin(\pi x)$, and a network with one input,
# 10 tanh hidden units and a linear output (a linear output suits targets that are not confined to
# $[0, 1]$).

# %%
X, T = bc.datasets.regression_1d(n=100, noise=0.1, seed=0)
n = len(X)
SIZES, ACTS = [1, 10, 1], ["tanh", "linear"]

def fresh_net():
    # the same initial weights every time: seed 0
    return bc.MLP(SIZES, activation=ACTS, seed=0)

print("X", X.shape, " T", T.shape)
print("E before training:", round(fresh_net().loss(X, T), 4))
# Even a perfect fit of sin(pi x) leaves the noise: E = 1/2 * sum(noise^2), about 100 * 0.01 / 2.
noise_floor = 0.5 * float(np.sum((T[:, 0] - np.sin(np.pi * X[:, 0])) ** 2))
print("E of the true curve sin(pi x):", round(noise_floor, 4))

# %%
# One update written out, and the same update by bc.train_step: the weights agree bit for bit.
by_hand, by_step = fresh_net(), fresh_net()
opt_hand, opt_step = bc.SGD(lr=0.01, momentum=0.9), bc.SGD(lr=0.01, momentum=0.9)
for _ in range(3):
    by_hand.forward(X)
    opt_hand.step(by_hand, by_hand.backward(T))
    bc.train_step(by_step, X, T, opt_step)
same = all(np.array_equal(a, b) for a, b in zip(by_hand.parameters(), by_step.parameters()))
print("identical weights after 3 updates:", same)
assert same

# %% [markdown]
# ## 2. The batch gradient is a sum
#
# The engine's `net.backward(T)` returns the gradient of $E$ **summed** over the samples that were
# fed forward, just as Backpropagation for dummies accumulates it. So the batch gradient is literally the sum of the
# 100 per-sample gradients. Let us check that, and see how big it is compared with one sample's.

# %%
net = fresh_net()
net.forward(X)
g_batch = net.backward(T).weights[0]          # dE/dW of the hidden layer, all 100 samples

g_sum = np.zeros_like(g_batch)
for p in range(n):
    net.forward(X[p:p + 1])
    g_sum += net.backward(T[p:p + 1]).weights[0]

per_sample = []
for p in range(n):
    net.forward(X[p:p + 1])
    per_sample.append(np.linalg.norm(net.backward(T[p:p + 1]).weights[0]))

print("batch gradient == sum of per-sample gradients:", np.allclose(g_batch, g_sum, atol=1e-12))
print("norm of the batch gradient:            ", round(float(np.linalg.norm(g_batch)), 4))
print("mean norm of one sample's gradient:    ", round(float(np.mean(per_sample)), 4))
assert np.allclose(g_batch, g_sum, atol=1e-12)

# %% [markdown]
# The batch gradient is far larger than a single sample's. With the same learning rate, one batch
# step is the sum of all the online steps of an epoch, taken in one jump from one point instead of
# a hundred small steps that each look at the ground again. The slope of the summed error also
# changes $n$ times faster as the weights move (its curvature is the sum of the samples'
# curvatures), and gradient descent overshoots once the rate times the curvature gets too large
# (the "bouncing" of lesson 04). So a rate that is comfortable online can make batch mode bounce
# and blow up. Here is that happening with $\varepsilon = 0.03$:

# %%
LR = 0.03
try:
    bc.train(fresh_net(), X, T, bc.SGD(lr=LR), mode="batch", epochs=200)
    diverged_epoch = None
except bc.TrainingDiverged as err:
    diverged_epoch = err.epoch
    last = err.history.loss                 # E after each epoch before the blow-up
    print(f"batch mode, lr = {LR}: diverged in epoch {err.epoch}")
    print("E after epochs 1, 50, 100, 105:", [f"{last[e - 1]:.3g}" for e in (1, 50, 100, 105)])
assert diverged_epoch is not None

# %% [markdown]
# A rule of thumb: if $\varepsilon$ works for updates from one sample, start a batch of $b$ samples
# near $\varepsilon / b$ (then a batch step is the *average* of the per-sample steps) and raise it
# while training stays stable. Libraries that average the loss over the batch instead of summing
# it build this division in, which is why their batch learning rates look $b$ times larger. For our
# 100 samples we take $\varepsilon = 0.03 / 10 = 0.003$ in batch mode: larger than $0.03/100$,
# and still stable.
#
# ## 3. The same network, three ways
#
# Same initial weights, same data, same shuffling seed. Online and mini-batch (10 samples per
# batch) use $\varepsilon = 0.03$, batch mode $\varepsilon = 0.003$. Each run lasts 60 epochs, so
# each evaluates exactly $60 \times 100 = 6000$ per-sample gradients.

# %%
EPOCHS = 60
runs = {
    "online": dict(mode="online", lr=0.03),
    "mini-batch (10)": dict(mode="minibatch", batch_size=10, lr=0.03),
    "batch": dict(mode="batch", lr=0.003),
}
hists, nets, seconds = {}, {}, {}
for name, cfg in runs.items():
    cfg = dict(cfg)
    net = fresh_net()
    opt = bc.SGD(lr=cfg.pop("lr"))
    start = time.perf_counter()
    hists[name] = bc.train(net, X, T, opt, epochs=EPOCHS, seed=0, **cfg)
    seconds[name] = time.perf_counter() - start
    nets[name] = net

for name, h in hists.items():
    print(f"{name:16s} updates: {h.updates:5d}   E after 10 epochs: {h.loss[9]:7.3f}"
          f"   after {EPOCHS}: {h.loss[-1]:7.3f}")

assert [h.updates for h in hists.values()] == [6000, 600, 60]
assert hists["online"].loss[-1] < 1.5 and hists["mini-batch (10)"].loss[-1] < 1.5
assert hists["batch"].loss[-1] > 5 * hists["online"].loss[-1]

# %% [markdown]
# Now the comparison in pictures. On the left the loss against **epochs**: equal work measured in
# per-sample gradients. On the right against the number of **updates** (log scale): equal numbers
# of weight changes. To make the right plot informative, the batch run continues for 1000 epochs
# (1000 updates).

# %%
long_batch = bc.train(fresh_net(), X, T, bc.SGD(lr=0.003), mode="batch", epochs=1000)
print("batch mode after 1000 updates: E =", round(long_batch.loss[-1], 3))
print("online after 1000 updates (10 epochs): E =", round(hists["online"].loss[9], 3))
assert long_batch.loss[-1] < 1.5

def updates_to_reach(h, level):
    # updates made by the end of the first epoch whose E is below `level`
    epoch = next(e for e, loss in enumerate(h.loss, start=1) if loss < level)
    return epoch * h.updates // h.epochs_run

needed = {name: updates_to_reach(h, 2.0) for name, h in hists.items() if name != "batch"}
needed["batch"] = updates_to_reach(long_batch, 2.0)
print("updates needed to bring E below 2:", needed)
assert needed["online"] > 5 * max(needed["mini-batch (10)"], needed["batch"])

# %%
# NBVAL_IGNORE_OUTPUT
# colour-blind-safe: each mode has its own colour, dash pattern and marker
names = ["online", "mini-batch (10)", "batch"]
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8), dpi=80)
for name, h in hists.items():
    curve = [h.initial_loss] + h.loss
    ax1.semilogy(range(len(curve)), curve, label=name, **P.series_style(names.index(name), len(curve)))
    per_epoch = h.updates // h.epochs_run
    ax2.loglog(np.arange(1, len(h.loss) + 1) * per_epoch, h.loss, label=name,
               **dict(P.series_style(names.index(name)), markevery=0.15))
ax2.loglog(np.arange(1, 1001), long_batch.loss, color=P.series_style(2)["color"], ls="-", lw=0.8,
           label="batch, continued to 1000 epochs")
for ax in (ax1, ax2):
    ax.axhline(noise_floor, color="grey", lw=0.8, ls=":")
    ax.set_ylabel("E over the training set")
    ax.grid(alpha=0.3, which="both")
ax1.set_ylim(0.3, 20)
ax2.set_ylim(0.3, 20)
for ax in (ax1, ax2):
    P.readable_log_ticks(ax, "y")         # 0.5, 1, 2, 5 ... rather than 4x10^0
ax1.text(1, noise_floor * 1.1, "noise floor", color="grey", fontsize=8)
ax1.set_xlabel("epoch (= 100 per-sample gradients)")
ax1.set_title("equal work: per epoch")
ax2.set_xlabel("number of weight updates")
ax2.set_title("equal number of updates")
ax1.legend(fontsize=8)
ax2.legend(fontsize=8, loc="lower left")
fig.tight_layout()
plt.show()

# %% [markdown]
# Read the two plots together:
#
# - **Per epoch** (left), online and mini-batch pull ahead: they move the weights 100 and 10 times
#   per pass, each time with fresh information. Batch mode uses the same 100 gradients for a single
#   careful step.
# - **Per update** (right), the order flips: an update built from many samples is worth much more
#   than one built from a single sample. The online curve needs about ten times as many updates as
#   the other two to reach the same error. (Here a mini-batch step with the 10 times larger rate
#   does about as well as a full-batch step.)
# - The online and mini-batch curves are slightly ragged (each update sees a different sample or
#   subset); the batch curve is smooth.
#
# And the fitted curves after 60 epochs:

# %%
# NBVAL_IGNORE_OUTPUT
xs = np.linspace(-1, 1, 200).reshape(-1, 1)
fig, ax = plt.subplots(figsize=(6, 3.6), dpi=80)
ax.scatter(X[:, 0], T[:, 0], s=10, color="grey", label="training data")
ax.plot(xs, np.sin(np.pi * xs), color="black", lw=0.8, ls=":", label="sin(pi x)")
for name, net in nets.items():
    ax.plot(xs, net.forward(xs), label=f"{name} (E = {hists[name].loss[-1]:.2f})",
            **P.series_style(names.index(name), n_points=len(xs)))
ax.set_xlabel("x")
ax.set_ylabel("t and network output")
ax.set_title(f"after {EPOCHS} epochs")
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()

# %% [markdown]
# ## 4. What each mode costs
#
# The numbers of per-sample gradients are equal, but the time is not. One batch update is a few
# matrix products over all 100 samples at once, while online mode makes 100 small calls, each with
# its own Python overhead. The times below come from this machine and differ from run to run.

# %%
# NBVAL_IGNORE_OUTPUT
for name in runs:
    print(f"{name:16s} {1000 * seconds[name] / EPOCHS:6.2f} ms per epoch")
# online pays the per-call overhead 100 times per epoch
assert seconds["online"] > 3 * seconds["batch"]

# %% [markdown]
# Putting the remarks of Backpropagation for dummies and these measurements side by side:
#
# - **Online.** The weights change after every sample. Natural when the data arrive one at a time
#   (a stream, a robot learning as it acts), and it makes fast progress per epoch on redundant data.
#   But every update is a full forward and backward pass for a single sample, which is slow per
#   sample on large sets, and a single unusual sample (an outlier) pulls the weights towards it
#   straight away.
# - **Batch.** The gradient of the whole training set: the most reliable direction, unaffected by
#   the order of the samples and by how much individual samples vary. Each update is efficient
#   (vectorised), but there is only one per epoch, the rate must be smaller, and the whole set has
#   to be processed before anything moves. Methods that trust the exact gradient, such as RPROP in
#   the next lesson, want this mode.
# - **Mini-batch (stochastic).** Random subsets of $b$ samples. Vectorised like batch mode, many
#   updates per epoch like online mode, and because each epoch reshuffles the samples every update
#   sees a slightly different error surface. That noise can shake the weights out of a shallow
#   dip that full-batch descent would settle into; it is no guarantee, but it helps often enough that
#   mini-batches are the default for training networks today.
#
# > **Try this.** In the training cell of section 3, change the batch learning rate to `0.01` and
# > the mini-batch size to `50` or `1` (what does `batch_size=1` turn mini-batch mode into?). Then
# > give online mode `lr=0.3`: when does the ragged curve stop falling, and why would a smaller rate
# > near the end help?
# >
# > The view below runs the three modes of section 3 from the same start, on the same data, with a
# > slider for each learning rate, the mini-batch size and the number of epochs: each change retrains
# > all three when you release the slider.

# %%
# NBVAL_IGNORE_OUTPUT
modes_view = bc.widgets.modes_explorer(
    X=X, T=T, sizes=SIZES, activation=ACTS, seed=0, epochs=EPOCHS,
    lrs=(runs["online"]["lr"], runs["mini-batch (10)"]["lr"], runs["batch"]["lr"]),
    batch_size=runs["mini-batch (10)"]["batch_size"])
# the same three runs as section 3, number for number
for name, key in (("online", "online"), ("mini-batch", "mini-batch (10)"), ("batch", "batch")):
    assert modes_view.state["final_losses"][name] == hists[key].loss[-1]
    assert modes_view.state["total_updates"][name] == hists[key].updates
modes_view

# %%
# mini-batches of size 1 are online mode, mini-batches of size n are batch mode, update for update
a = bc.train(fresh_net(), X, T, bc.SGD(lr=0.03), mode="minibatch", batch_size=1, epochs=3, seed=0)
b = bc.train(fresh_net(), X, T, bc.SGD(lr=0.03), mode="online", epochs=3, seed=0)
c = bc.train(fresh_net(), X, T, bc.SGD(lr=0.003), mode="minibatch", batch_size=n, epochs=3, seed=0)
d = bc.train(fresh_net(), X, T, bc.SGD(lr=0.003), mode="batch", epochs=3)
print("size 1 == online:", np.allclose(a.loss, b.loss, rtol=1e-12, atol=0))
print("size n == batch: ", np.allclose(c.loss, d.loss, rtol=1e-12, atol=0))
assert np.allclose(a.loss, b.loss, rtol=1e-12, atol=0)
assert np.allclose(c.loss, d.loss, rtol=1e-12, atol=0)

# %% [markdown]
# ## Check yourself
#
# Answer with the buttons, or in code with `quiz.answer(1, 600)` and `quiz.reveal(1)`; nothing
# leaves your notebook.

# %% jupyter={"source_hidden": true}
# Self-check questions. The code is hidden because it holds the answers (click ••• to show it).
# NBVAL_IGNORE_OUTPUT
Choice, Number = bc.widgets.Choice, bc.widgets.Number
mb_updates = hists["mini-batch (10)"].updates
assert mb_updates == 600 and diverged_epoch is not None
assert np.allclose(a.loss, b.loss, rtol=1e-12, atol=0)            # 'Try this': batch_size=1 is online
quiz = bc.selfcheck(
    Number("Section 3 trains on $n = 100$ samples for 60 epochs. How many weight updates does "
           "mini-batch mode with batches of 10 make?", mb_updates,
           why="$\\lceil 100/10 \\rceil = 10$ updates per epoch, times 60 epochs: 600. Every mode "
               "evaluates the same 6000 per-sample gradients; they differ in how they group them.",
           wrong={6000: "that is online mode (one update per sample), or the number of per-sample "
                        "gradients.",
                  60: "that is batch mode (one update per epoch)."}),
    Choice(f"A learning rate of {LR} works online, but batch mode with the same rate diverges "
           f"(section 2, epoch {diverged_epoch}). Why?",
           ["the batch gradient is the sum of the 100 per-sample gradients, so the same rate makes a "
            "step about 100 times larger",
            "batch mode shuffles the samples badly",
            "batch mode uses a different error function"],
           "the batch gradient is the sum of the 100 per-sample gradients, so the same rate makes a "
           "step about 100 times larger",
           why="`backward` sums over the samples, so the curvature of the summed error is 100 times "
               "that of one sample, and rate times curvature past the limit bounces and diverges "
               "(lesson 04). Start a batch of $b$ samples near $\\varepsilon/b$.",
           wrong={"batch mode shuffles the samples badly": "batch mode has no randomness at all; it "
                                                           "uses every sample in each update."}),
    Choice("Try this (section 4): what does `batch_size=1` turn mini-batch mode into?",
           ["online mode", "batch mode", "still something different: random subsets"],
           "online mode",
           why="A mini-batch of one sample is one sample per update, in a shuffled order: online mode "
               "update for update (the last cell of section 4 checks it; `batch_size=n` likewise "
               "gives batch mode).",
           wrong={"batch mode": "that is `batch_size=n`, all 100 samples per update."}),
)
quiz

# %% [markdown]
# ## Recap
#
# - One **epoch** evaluates every sample's gradient once; the modes differ in how many **updates**
#   they make from those gradients: $n$ (online), $1$ (batch), $\lceil n/b \rceil$ (mini-batch).
# - `bc.train` sums $E$ over the samples of an update, as Backpropagation for dummies does, so larger batches give
#   larger gradients: start the batch rate near $\varepsilon_\text{online}/b$. Too large a rate
#   bounces and diverges (`bc.TrainingDiverged` names the epoch).
# - Compare modes both per epoch (equal gradient work) and per update (equal number of steps); the
#   wall clock adds the overhead of many small updates.
# - Mini-batches combine vectorised work, frequent updates and helpful noise: the usual choice.
#
# **Exercises.** `exercises/ex09_modes.ipynb`: list the samples of every update that `bc.train`
# makes in each mode, compute per-sample gradients and add them up to the batch gradient, and run one
# epoch of updates over given batches.
#
# **Next:** lesson 10 changes the update rule itself: momentum, Nesterov's look-ahead and RPROP.
