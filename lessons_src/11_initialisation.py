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
# # 11 · Initialisation: where the weights start
#
# **After this lesson you can**
#
# - name the common ways to draw initial weights (standard normal, small uniform, Xavier, He) and
#   the variance each one gives;
# - predict, from the variance of the weights and the slope of the activation, whether a deep net
#   will push its units into **saturation** (outputs stuck near 0 or 1) or let its signal
#   **collapse** (every output near 0.5), and check it layer by layer;
# - explain why all-equal initial weights can never be trained into different hidden units;
# - explore all of this in the initialisation view.
#
# **Time:** about 30 minutes.

# %%
import random

import numpy as np
import matplotlib.pyplot as plt
import backprop_course as bc
from backprop_course.engine.init import initialize, init_variance
from backprop_course.widgets import plotting as P
from backprop_course.widgets.init_view import layer_statistics

random.seed(0)
np.random.seed(0)
rng = np.random.default_rng(0)

# %% [markdown]
# ## 1. Step 2 of the procedure
#
# The 2017 note sums backpropagation up in seven steps: (1) put the input in as the first activations,
# (2) **initialise the weights**, (3) feed forward, $z^n = a^{n-1} \cdot w^n$ and
# $a^n = \sigma(z^n)$, (4) compute the output error $\partial L/\partial z^L$, (5) propagate it back
# layer by layer, (6) compute $\partial L/\partial w^n$ and (7) update the weights,
# $w^n \leftarrow w^n - \alpha\, \partial L/\partial w^n$. (Lesson 06 goes through steps 3 to 7;
# note that step 5 as printed multiplies by $w^n$ where $w^{n+1}$ is meant, since
# $z^{n+1} = a^n \cdot w^{n+1}$.) For step 2 the note suggests the quick choice of drawing
# every weight from the **standard normal distribution** $N(0, 1)$.
#
# In the package, step 2 is the `init` argument of `bc.MLP` (biases always start at 0):

# %%
net = bc.MLP([50, 50, 1], activation="sigmoid", init="standard_normal", seed=0)
W = net.weights[0]
print("first layer weights:", W.shape, " mean", round(float(W.mean()), 3), " std", round(float(W.std()), 3))
print("biases start at zero:", all(np.all(b == 0) for b in net.biases))
assert abs(W.std() - 1) < 0.05

# %% [markdown]
# That is a fine start for a small network, but Backpropagation for dummies warns that with three or more hidden layers
# a poor choice of initial weights can ruin training. To see why, we need the other options and one
# small calculation.
#
# ## 2. Four ways to draw the weights
#
# A layer with `fan_in` $= n_\text{in}$ inputs and `fan_out` $= n_\text{out}$ units gets a `(fan_out, fan_in)` weight matrix, drawn
# by `backprop_course.engine.init.initialize(name, fan_in, fan_out, rng)`:
#
# | name | distribution | variance of each weight |
# |---|---|---|
# | `standard_normal` | $N(0, 1)$ (the 2017 note) | $1$ |
# | `small_uniform` | $U(-0.1, 0.1)$ | $0.1^2/3 = 1/300$ |
# | `xavier` (uniform) | $U(-r, r)$, $r = \sqrt{6/(n_\text{in} + n_\text{out})}$ | $2/(n_\text{in} + n_\text{out})$ |
# | `xavier_normal` | $N(0, 2/(n_\text{in} + n_\text{out}))$ | $2/(n_\text{in} + n_\text{out})$ |
# | `he` | $N(0, 2/n_\text{in})$ | $2/n_\text{in}$ |
#
# **Xavier** (Glorot and Bengio, 2010; the remedy Backpropagation for dummies recommends) and **He** (He et al., 2015)
# scale the weights with the size of the layer. The cell draws a large matrix of each kind and
# compares its sample variance with the formula.

# %%
fan_in, fan_out = 400, 300                 # a large layer: 120,000 draws give a good estimate
print(f"{'name':16s} {'formula':>9s} {'sample':>9s}   (variance of the weights, fan_in 400, fan_out 300)")
for name in ("standard_normal", "small_uniform", "xavier", "xavier_normal", "he"):
    W = initialize(name, fan_in, fan_out, rng=np.random.default_rng(0))
    print(f"{name:16s} {init_variance(name, fan_in, fan_out):9.5f} {W.var():9.5f}")
    assert W.shape == (fan_out, fan_in)
    assert abs(W.var() / init_variance(name, fan_in, fan_out) - 1) < 0.02

# %% [markdown]
# ## 3. One layer: how far does the signal spread?
#
# Take a layer whose inputs $a_k$ vary from sample to sample with variance $\operatorname{Var}(a)$,
# and weights drawn independently with mean 0 and variance $\operatorname{Var}(w)$. The net input
# $z_j = \sum_k w_{jk} a_k$ of a unit then varies across samples with variance about
#
# $$\operatorname{Var}(z) \approx n_\text{in} \cdot \operatorname{Var}(w) \cdot \operatorname{Var}(a).$$
#
# Near $z = 0$ an activation behaves like a straight line with slope $g'(0)$, so as long as the
# units are not saturated, the spread of the outputs changes by a factor of about
#
# $$\text{spread factor} = g'(0)\,\sqrt{n_\text{in} \cdot \operatorname{Var}(w)}$$
#
# per layer. The slope is $g'(0) = 1/4$ for the sigmoid ($g' = g(1 - g) = 0.5 \cdot 0.5$) and $1$
# for tanh. A factor below 1 shrinks the signal layer after layer, above 1 it grows until the units
# saturate. For a stack of layers 50 units wide:

# %%
slope0 = {"sigmoid": 0.25, "tanh": 1.0}
print(f"{'init':16s} {'sigmoid':>8s} {'tanh':>8s}")
factor = {}
for name in ("standard_normal", "small_uniform", "xavier", "he"):
    for act, s in slope0.items():
        factor[name, act] = s * np.sqrt(50 * init_variance(name, 50, 50))
    print(f"{name:16s} {factor[name, 'sigmoid']:8.3f} {factor[name, 'tanh']:8.3f}")

# Xavier with equal widths gives fan_in * Var(w) = 1: made for activations with slope 1 at 0
assert abs(factor["xavier", "tanh"] - 1) < 1e-12 and abs(factor["xavier", "sigmoid"] - 0.25) < 1e-12

# %% [markdown]
# Xavier's variance makes $n_\text{in} \cdot \operatorname{Var}(w) = 1$ when a layer has as
# many inputs as units: exactly right for tanh, whose slope at 0 is 1. With the sigmoid, whose
# slope is at most $1/4$, even Xavier shrinks the spread fourfold per layer. Small uniform weights
# shrink it about tenfold per layer with the sigmoid; standard normal weights make it grow.
#
# Now the real thing, with the pure function behind this lesson's view: `layer_statistics` sends
# 200 random inputs through a stack of 5 sigmoid layers, 50 units each, and backpropagates a random
# output error. `sample_std` is the spread of each layer's outputs across the inputs.

# %%
stats = {name: layer_statistics(name, "sigmoid", depth=5, width=50, seed=0)
         for name in ("standard_normal", "small_uniform", "xavier", "he")}
for name, s in stats.items():
    ratios = s.sample_std[1:] / s.sample_std[:-1]
    print(f"{name:16s} spread per layer {np.round(s.sample_std, 4).tolist()}"
          f"   layer-to-layer ratio ~ {np.median(ratios):.2f}")

assert 0.05 < np.median(stats["small_uniform"].sample_std[1:3] / stats["small_uniform"].sample_std[:2]) < 0.2
assert 0.15 < np.median(stats["xavier"].sample_std[1:] / stats["xavier"].sample_std[:-1]) < 0.35

# %% [markdown]
# The ratios match the spread factors of the table: about $0.1$ per layer for small uniform weights
# and $0.25$ for Xavier. For standard normal weights the factor, $1.77$, says "grow", but a sigmoid
# cannot leave $[0, 1]$: its units saturate instead, and as more of them sit at the same end for
# every input, the spread even shrinks.
#
# ## 4. Saturation and collapse are two different failures
#
# Let us be precise about the words, as the init view is:
#
# - A sigmoid unit is **saturated** when its output is close to 0 or 1 (here: within 0.05). There
#   its slope $a(1 - a)$ is below $0.0475$, less than a fifth of its best value $0.25$, so the
#   backward pass, which multiplies by that slope (Backpropagation for dummies, eq. (9)), lets almost nothing through.
#   Large weights cause this.
# - With small weights the opposite happens: every net input is near 0, every output is near
#   $0.5$, and after a layer or two the outputs hardly depend on the input any more. The units are
#   *not* saturated (their slope is at its largest, $0.25$), but the layer has **collapsed**: it
#   passes on almost no information about the input, and the gradients still shrink, by the small
#   weights and the factor $1/4$ at every layer.
#
# Backpropagation for dummies describes the second case (small weights, top-layer activations all around 0.5) and
# calls it "saturation". The word is usually kept for the first case, so read the source's sentence
# as "the signal collapses to 0.5"; both failures stall learning, for different reasons. The post
# also says the small weights are "in the 0-1 range": its picture needs weights that are small
# *and centred on 0*, like $U(-0.1, 0.1)$. Weights drawn from $U(0, 1)$, all positive, do the
# opposite, as the last lines of the next cell show. (`docs/errata.md` lists this passage with the
# other errata of the sources.)

# %%
print(f"{'init':16s} {'saturated':>10s} {'within 0.1 of 0.5':>18s}   (per layer, sigmoid, 5 x 50)")
for name, s in stats.items():
    print(f"{name:16s} {np.round(s.saturated, 2).tolist()}   {np.round(s.near_centre, 2).tolist()}")

# large weights: saturation in every layer; small weights: collapse towards 0.5, no saturation
assert stats["standard_normal"].saturated.min() > 0.5
assert stats["small_uniform"].saturated.max() == 0.0 and stats["small_uniform"].near_centre[1:].min() > 0.9

# the "0-1 range" of Backpropagation for dummies taken literally: all-positive weights U(0, 1), same inputs as layer_statistics
net = bc.MLP([50] * 6, activation="sigmoid", seed=0)
net.weights = [np.random.default_rng(0).uniform(0.0, 1.0, W.shape) for W in net.weights]
net.forward(np.random.default_rng(1).standard_normal((200, 50)))
top = net.layer_outputs[-1]
print("U(0, 1) weights: top-layer outputs between", round(float(top.min()), 6), "and", round(float(top.max()), 6))
assert top.min() > 0.999

# %% [markdown]
# With all-positive weights every net input is a sum of 50 positive terms, so from the second layer
# on every output is pinned at 1: saturation, not collapse.
#
# The backward pass tells the same story from the other end. The figure shows, per layer, the
# fraction of saturated outputs, the fraction within 0.1 of 0.5, and the size (root mean square) of
# the error terms $\partial E/\partial z$ that backpropagation delivers to each layer.

# %%
# NBVAL_IGNORE_OUTPUT
styles = P.series_styles(["standard_normal", "small_uniform", "xavier", "he"])   # colour-blind-safe
layers = np.arange(1, 6)
fig, axes = plt.subplots(1, 3, figsize=(11, 3.4), dpi=80)
for name, s in stats.items():
    axes[0].plot(layers, s.saturated, label=name, **styles[name])
    axes[1].plot(layers, s.near_centre, label=name, **styles[name])
    axes[2].semilogy(layers, s.delta_std, label=name, **styles[name])
axes[0].set_title("saturated (a < 0.05 or a > 0.95)", fontsize=10)
axes[1].set_title("collapsed (|a - 0.5| < 0.1)", fontsize=10)
axes[2].set_title("backward: rms of dE/dz per layer", fontsize=10)
for ax in axes[:2]:
    ax.set_ylim(-0.03, 1.03)
    ax.set_ylabel("fraction of outputs")
axes[2].set_ylabel("rms dE/dz (log scale)")
for ax in axes:
    ax.set_xlabel("layer (1 = next to the input)")
    ax.set_xticks(layers)
    ax.grid(alpha=0.3)
axes[0].legend(fontsize=8, loc="upper right")
P.readable_log_ticks(axes[2])
fig.suptitle("5 sigmoid layers of 50 units, 200 random inputs", fontsize=10)
fig.tight_layout()
plt.show()

# %%
for name, s in stats.items():
    print(f"{name:16s} rms dE/dz, layer 1: {s.delta_std[0]:.1e}   layer 5: {s.delta_std[-1]:.1e}")
# small weights: the error terms reaching layer 1 are over a thousand times smaller than at the top
assert stats["small_uniform"].delta_std[0] < 1e-3 * stats["small_uniform"].delta_std[-1]

# %% [markdown]
# With small uniform weights the error terms shrink by more than a factor of a thousand on their way
# down to layer 1: the lower layers barely learn. With Xavier they shrink too (the sigmoid's $1/4$
# again), but far less. Standard normal weights keep the error terms from vanishing here, but most
# units sit in their flat ends, where a unit's output responds to its input in an almost
# all-or-nothing way.
#
# ### The initialisation view
#
# The view draws, for every layer, the histogram of the outputs (forward, left; saturated zones in
# red) and of $\log_{10}|\partial E/\partial z|$ (backward, right), with the numbers in a table.
#
# > **Try this.** Start from `standard_normal` and `sigmoid` (most outputs in the red zones). Switch
# > to `small_uniform`: every layer after the first is a spike at 0.5, and the error terms drift to
# > the left. Now `xavier`. Then change the activation to `tanh`: which initialiser keeps every
# > layer's histogram wide? Finally choose `relu` and compare `xavier` with `he` at depth 12.

# %%
# NBVAL_IGNORE_OUTPUT
from backprop_course.widgets.init_view import init_explorer

view = init_explorer(init="standard_normal", activation="sigmoid", depth=5, width=50)
assert view.state["saturated"].min() > 0.5
view.set(init="small_uniform")
assert view.state["near_centre"][-1] > 0.9 and view.state["saturated"].max() == 0.0
view.set(init="standard_normal")
view

# %% [markdown]
# ## 5. What it does to training
#
# Four hidden layers of 32 units on the `moons` data (200 points), a sigmoid output, mini-batches of
# 20, $\varepsilon = 0.01$ and momentum $0.9$: the same run with different initialisers, first with
# sigmoid hidden units, then with tanh.
#
# One run is not enough to judge an initialiser. The tanh runs with momentum are **chaotic**: change
# one weight by one part in $10^{13}$, or run the same code on a processor whose matrix product adds
# in another order (so the last bit of a sum differs), and after 100 epochs a tanh run ends at a
# visibly different $E$. At twice our rate ($\varepsilon = 0.02$) they also run at the edge of
# stability: $E$ falls below 1 and then jumps back up, to $E = 7$ in one run, at a random epoch. So
# each setting runs with **five seeds** (five sets of initial weights and mini-batch orders), and the
# cell prints only what holds in all five. The figure shows the median run and the range of all five.

# %%
X, T = bc.datasets.moons()
SEEDS = range(5)
INITS = ("small_uniform", "xavier", "standard_normal")
curves, accuracy = {}, {}             # (activation, init) -> one row per seed
for act in ("sigmoid", "tanh"):
    for init in INITS:
        runs, correct = [], []
        for seed in SEEDS:
            net = bc.MLP([2, 32, 32, 32, 32, 1], activation=[act] * 4 + ["sigmoid"], init=init, seed=seed)
            h = bc.train(net, X, T, bc.SGD(lr=0.01, momentum=0.9), mode="minibatch", batch_size=20,
                         epochs=100, seed=seed)
            runs.append([h.initial_loss] + h.loss)
            correct.append(float(np.mean((net.forward(X) > 0.5) == (T > 0.5))))
        curves[act, init], accuracy[act, init] = np.array(runs), np.array(correct)

final = {run: c[:, -1] for run, c in curves.items()}           # E after 100 epochs, per seed
best = {run: c.min(axis=1) for run, c in curves.items()}        # the lowest E of each run
claims = {  # what each setting does: (the claim, one truth value per seed)
    ("sigmoid", "small_uniform"): ("stuck: E above 24 in every epoch", best["sigmoid", "small_uniform"] > 24),
    ("sigmoid", "xavier"): ("a plateau (E > 24 at epoch 30), then slow: E < 11",
                            (curves["sigmoid", "xavier"][:, 30] > 24) & (final["sigmoid", "xavier"] < 11)),
    ("sigmoid", "standard_normal"): ("trains: E < 1", final["sigmoid", "standard_normal"] < 1),
    ("tanh", "small_uniform"): ("stuck near a straight boundary: E > 8", best["tanh", "small_uniform"] > 8),
    ("tanh", "xavier"): ("trains: E < 0.5 at its best epoch", best["tanh", "xavier"] < 0.5),
    ("tanh", "standard_normal"): ("trains: E < 0.1", final["tanh", "standard_normal"] < 0.1),
}
for (act, init), (claim, holds) in claims.items():
    print(f"{act:8s} {init:16s} {claim:50s} holds for {int(holds.sum())} of {len(SEEDS)} seeds")
    assert holds.all()
assert np.median(final["tanh", "xavier"]) < 1           # and the median run ends well trained

# %% [markdown]
# The cell prints what each run does rather than its final $E$ (the figure's legend shows the
# medians): for the chaotic tanh runs the digits of $E$ depend on the machine, what the runs *do*
# (train, or stay stuck) does not. The sigmoid runs are not chaotic and agree to many digits.

# %%
# NBVAL_IGNORE_OUTPUT
styles = P.series_styles(INITS, n_points=101)
epochs = np.arange(101)
fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), dpi=80, sharey=True)
for ax, act in zip(axes, ("sigmoid", "tanh")):
    for init in INITS:
        c = curves[act, init]
        label = (f"{init}: median E = {np.median(final[act, init]):.2g}, "
                 f"{np.mean(accuracy[act, init]):.0%} correct")
        ax.fill_between(epochs, c.min(axis=0), c.max(axis=0), color=styles[init]["color"], alpha=0.15,
                        lw=0)
        ax.semilogy(epochs, np.median(c, axis=0), label=label, **styles[init])
    ax.set_title(f"hidden units: {act} (line: median of 5 seeds; band: all 5)", fontsize=10)
    ax.set_xlabel("epoch")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8, loc="lower left")
axes[0].set_ylabel("E over the training set")
P.readable_log_ticks(axes[0])
fig.tight_layout()
assert all(len(ax.get_legend().get_texts()) == 3 for ax in axes)
plt.show()

# %% [markdown]
# What the runs show, and how the spread factor explains it:
#
# - **Small uniform** weights with sigmoid units (factor about $0.1$ per layer): the output is
#   $0.5$ for every input, $E$ sits at $200 \cdot \tfrac12 \cdot 0.5^2 = 25$ and does not move.
#   That is the collapse that Backpropagation for dummies describes, and the reason it asks for a better initialisation. With tanh
#   units (factor $0.4$) every unit works in the nearly straight middle part of tanh, a stack of
#   nearly linear layers is nearly linear, and the network gets stuck with an almost straight
#   decision boundary (about 89 % correct on the moons).
# - **Xavier** with tanh units (factor $1$) trains. With sigmoid units (factor $1/4$) it first
#   sits on the same plateau for 35 to 60 epochs and then stays slow: Xavier's variance assumes
#   slope 1 around 0, which the sigmoid does not have.
# - **Standard normal** weights (factors $\tfrac14\sqrt{32} \approx 1.4$ for sigmoid,
#   $\sqrt{32} \approx 5.7$ for tanh) train best on this small problem. Many units are saturated,
#   but enough of them stay in their sensitive range. So the lesson is not "never use large
#   weights": it is to stay clear of the two failures, and the collapse from weights that are too
#   small is the one these runs show most sharply. Which scale trains fastest inside the safe
#   range depends on the task, the width and the learning rate (try $\varepsilon = 0.02$ or $0.05$
#   in the cell above: the tanh runs then spike and turn erratic).
#
# **He** initialisation does the same job for relu units, which output 0 for half their inputs
# and so lose half the signal's power per layer; the variance $2/n_\text{in}$ makes up for it:

# %%
for name in ("xavier", "he"):
    s = layer_statistics(name, "relu", depth=10, width=50, seed=0)
    print(f"relu, {name:6s}: output std in layers 1..10 {np.round(s.std, 2).tolist()}")
he, xav = layer_statistics("he", "relu", 10, 50), layer_statistics("xavier", "relu", 10, 50)
assert he.std[-1] / he.std[0] > 0.5 and xav.std[-1] / xav.std[0] < 0.2

# %% [markdown]
# ## 6. Symmetry breaking: why not start all weights equal?
#
# If every weight starts with the same value, every hidden unit of a layer computes the same net
# input for every sample, so the same output. In the backward pass each of them receives the same
# error term (they feed the next layer through equal weights), so each gets the same gradient and
# the same update. After the update they are still identical, and so on forever: a layer of
# identical units is no better than a single unit. Random initial weights **break the symmetry**.
#
# A check with training: the 2-3-1 sigmoid network on XOR, once with every weight equal to 0.5 and
# once with Xavier weights, recording the weights after every epoch.

# %%
X, T = bc.datasets.xor()
equal = bc.MLP([2, 3, 1], activation="sigmoid", seed=0)
for W in equal.weights:
    W[...] = 0.5                                   # every weight 0.5, biases 0
h_equal = bc.train(equal, X, T, bc.SGD(lr=2.0, momentum=0.9), mode="batch", epochs=500,
                   record_weights=True)
h_random = bc.train(bc.MLP([2, 3, 1], activation="sigmoid", seed=0), X, T,
                    bc.SGD(lr=2.0, momentum=0.9), mode="batch", epochs=500)

# largest difference between the rows (hidden units) of the first weight matrix over all epochs
spread = max(float(np.abs(snap["weights"][0] - snap["weights"][0][0]).max()) for snap in h_equal.weights)
print("equal start: largest difference between hidden units over 500 epochs:", spread)
print("equal start: hidden weights after training\n", np.round(equal.weights[0], 4) + 0.0)
print("equal start:  E after 500 epochs =", round(h_equal.loss[-1], 4))
print("random start: E after 500 epochs =", round(h_random.loss[-1], 4))
assert spread < 1e-12
assert h_equal.loss[-1] > 0.45 and h_random.loss[-1] < 0.01

# %% [markdown]
# The three hidden units never differ, not even in the last digit, and the network behaves like a
# 2-1-1 network, which cannot represent XOR: it ends with every output at 0.5 and $E = 0.5$
# ($4 \cdot \tfrac12 \cdot 0.5^2$). With random weights the same training solves the task. Online
# or mini-batch updates would not help either: every update treats the identical units
# identically. (All-zero weights are a special case of the same trap: with zero outgoing weights
# the hidden units even get zero error terms at first.)

# %% [markdown]
# ## Check yourself
#
# Answer with the buttons, or in code with `quiz.answer(1, 0.4)` and `quiz.reveal(1)`; nothing
# leaves your notebook.

# %% jupyter={"source_hidden": true}
# Self-check questions. The code is hidden because it holds the answers (click ••• to show it).
# NBVAL_IGNORE_OUTPUT
Choice, Number = bc.widgets.Choice, bc.widgets.Number
tanh_stats = {name: layer_statistics(name, "tanh", depth=5, width=50, seed=0)   # the 'Try this'
              for name in ("standard_normal", "small_uniform", "xavier", "he")}
healthy = [name for name, s in tanh_stats.items() if s.std.min() > 0.3 and s.saturated.max() < 0.1]
assert healthy == ["xavier"]
relu_std = {name: layer_statistics(name, "relu", depth=12, width=50, seed=0).std for name in ("xavier", "he")}
assert relu_std["xavier"][-1] < 0.05 < 0.5 < relu_std["he"].min()
assert 30 < relu_std["xavier"][0] / relu_std["xavier"][-1] < 50            # "about 40-fold"
assert abs(h_equal.loss[-1] - 0.5) < 0.01
quiz = bc.selfcheck(
    Number("Layers of 50 units with `small_uniform` weights and **tanh** units: by what factor does "
           "the spread of the signal change per layer (the table of section 3), to two decimals?",
           factor["small_uniform", "tanh"], tol=0.01,
           why="$g'(0)\\sqrt{n_\\text{in}\\operatorname{Var}(w)} = 1 \\cdot \\sqrt{50/300} = "
               f"{factor['small_uniform', 'tanh']:.3f}$: tanh's slope at 0 is 1, and $U(-0.1, 0.1)$ has "
               "variance $1/300$. Below 1, so the signal shrinks layer after layer.",
           wrong={round(factor["small_uniform", "sigmoid"], 2): "that is the sigmoid's factor, with "
                  "slope $\\tfrac14$ at 0; tanh's slope there is 1."}),
    Choice("Try this (section 4): with **tanh** units, 5 layers of 50, which initialiser keeps every "
           "layer's outputs spread out (standard deviation above 0.3) with fewer than 10% of them "
           "saturated?",
           ["standard_normal", "small_uniform", "xavier", "he"], healthy[0],
           why="Per layer, the smallest spread and the largest saturated fraction: "
               + "; ".join(f"`{n}` {s.std.min():.2f} and {s.saturated.max():.0%}"
                           for n, s in tanh_stats.items())
               + ". Xavier makes $n_\\text{in}\\operatorname{Var}(w) = 1$, the right scale for a slope "
                 "of 1 at 0.",
           wrong={"standard_normal": "the spread is wide, but about four in five outputs sit in the "
                                     "saturated ends, where the slope is near 0.",
                  "small_uniform": "the spread collapses by about 0.4 per layer (question 1).",
                  "he": "He's larger variance saturates a fifth of the first layer's outputs; it is "
                        "made for relu."}),
    Choice("Try this (section 4): **relu** units, 12 layers. What happens to the outputs' spread "
           "from layer 1 to layer 12?",
           ["it shrinks about 40-fold with Xavier and stays about the same with He",
            "it stays about the same with both", "it shrinks with both"],
           "it shrinks about 40-fold with Xavier and stays about the same with He",
           why=f"Xavier: {relu_std['xavier'][0]:.2f} down to {relu_std['xavier'][-1]:.3f}; He: "
               f"{relu_std['he'][0]:.2f} to {relu_std['he'][-1]:.2f}. A relu unit outputs 0 for half "
               "its inputs and so loses half the signal's power per layer; He's variance "
               "$2/n_\\text{in}$ doubles Xavier's (for equal widths) to make up for it."),
    Number("Section 6 trains XOR with every initial weight equal to 0.5. What is $E$ after 500 epochs, "
           "to two decimals?", round(h_equal.loss[-1], 2), tol=0.01,
           why="The three hidden units get equal gradients and stay identical, so the network acts "
               "like a 2-1-1 network, which cannot represent XOR: every output ends at 0.5, "
               "$E = 4 \\cdot \\tfrac12 \\cdot 0.5^2 = 0.5$.",
           wrong={0.0: "that is what random initial weights reach; equal weights never break the "
                       "symmetry between the hidden units."}),
)
quiz

# %% [markdown]
# ## Recap
#
# - Initialisation is step 2 of the 2017 note's procedure; `bc.MLP(..., init=...)` offers
#   `standard_normal`, `small_uniform`, `xavier` (`xavier_normal`) and `he`.
# - Per layer the signal's spread changes by about $g'(0)\sqrt{n_\text{in}\cdot\operatorname{Var}(w)}$:
#   below 1 it **collapses** (outputs all near 0.5 for the sigmoid, what Backpropagation for dummies calls saturation),
#   above 1 the units **saturate** (outputs near 0 or 1, slope near 0). Both starve the gradients.
# - Xavier ($\operatorname{Var}(w) = 2/(n_\text{in}+n_\text{out})$) keeps the factor at 1 for
#   tanh; the sigmoid's slope of $1/4$ still shrinks it. He ($2/n_\text{in}$) is the relu
#   version.
# - Equal initial weights stay equal under backpropagation: random initialisation breaks the
#   symmetry.
#
# **Exercise:** `exercises/ex11_init.ipynb` asks you to write Xavier's uniform initialisation,
# checked with `bc.check`.
#
# **Next:** lesson 12 puts everything together on real data.
