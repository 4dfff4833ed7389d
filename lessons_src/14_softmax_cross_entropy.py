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
# # 14 · Softmax and cross-entropy
#
# **After this lesson you can**
#
# - turn a network's K output scores into probabilities with the softmax, and score them with the
#   cross-entropy;
# - derive, step by step with SymPy, that the gradient of the two together by the scores is simply
#   $\partial E/\partial z_j = y_j - t_j$, and check it three independent ways;
# - explain why this pair learns quickly exactly where a sigmoid output with the squared error of
#   lesson 03 is stuck (the output neuron's saturation);
# - compute the softmax and its logarithm for scores as large as 1000 without overflow (the
#   log-sum-exp trick).
#
# The course's four write-ups (the 2017 "Back Propagation" note, "Backpropagation for dummies",
# Gashler's "A thorough derivation of back-propagation" (2010) and the UFLDL guide) all score the
# outputs with the squared error. This lesson goes one step beyond them, to the output layer that
# classifiers use today; the derivation below is in the same step-by-step style as lesson 07's.
#
# **Time:** about 30 minutes. Prerequisites: [lesson 03](03_neuron.ipynb) (the sigmoid's slope and
# saturation), [lesson 06](06_backprop_network.ipynb) (error terms) and
# [lesson 07](07_five_layer_derivation.ipynb) (a derivation step by step with SymPy); the `bc.Value`
# graph of section 3 is the kind of engine you built in [lesson 13](13_your_own_autograd.ipynb).
#
# Notation: $z_i$ are the output layer's net inputs (the *logits* or
# scores), $y_i$ the softmax outputs, $t_i$ the targets, $K$ the number of classes. In the package,
# one sample's logits are a row of `Y` when the last layer is `"linear"`, and the loss is
# `loss="softmax_cross_entropy"`.

# %%
import random

import numpy as np
import matplotlib.pyplot as plt
import backprop_course as bc
from IPython.display import Markdown
from backprop_course import symbolic
from backprop_course.engine.activations import get_activation
from backprop_course.engine.gradcheck import numerical_gradient
from backprop_course.engine.losses import binary_cross_entropy, half_sse, softmax, softmax_cross_entropy
from backprop_course.symbolic.render import steps_to_markdown
from backprop_course.widgets import plotting as P

random.seed(0)
np.random.seed(0)
rng = np.random.default_rng(0)

# %% [markdown]
# ## 1. From scores to probabilities
#
# Lesson 12's digits network answered with ten sigmoid outputs, one per digit, each between 0 and 1
# but with no reason to add up to 1. For a choice between K classes we would like a **probability
# vector**: K non-negative numbers that sum to one. The **softmax** makes one from any K scores
# $z_1, \dots, z_K$:
#
# $$y_i = \frac{e^{z_i}}{\sum_{m=1}^{K} e^{z_m}} .$$
#
# The exponential makes every entry positive and keeps the order of the scores (a larger score gets
# a larger probability); dividing by the sum makes the entries add up to 1. With the scores
# $z = (1, 2, 3)$: $e^1 \approx 2.718$, $e^2 \approx 7.389$, $e^3 \approx 20.086$, sum $\approx 30.193$, so
# $y \approx (0.090, 0.245, 0.665)$.
#
# To score a probability vector against a target vector $t$ (one-hot: a 1 for the right class, 0
# elsewhere) we use the **cross-entropy**
#
# $$E = -\sum_{i=1}^{K} t_i \log y_i ,$$
#
# which for a one-hot target is $-\log$ of the probability given to the right class: 0 when the
# network is certain and right, large when it is confident and wrong. Over a batch the course **sums**
# $E$ over the samples, as it does for the squared error (lesson 09).

# %%
z = np.array([[1.0, 2.0, 3.0]])
t = np.array([[0.0, 1.0, 0.0]])                      # the right class is the second one
exps = np.exp(z)
y = exps / exps.sum(axis=1, keepdims=True)          # the definition, as written above
E = -np.sum(t * np.log(y))

print("e^z          :", np.round(exps, 3))
print("softmax y    :", np.round(y, 6), " sum =", round(float(y.sum()), 12))
print("E = -log y_2 :", round(float(E), 6))
print("the engine   :", np.round(softmax(z), 6), round(softmax_cross_entropy.value(z, t), 6))
assert np.allclose(y, softmax(z), atol=1e-15, rtol=0)
assert abs(E - softmax_cross_entropy.value(z, t)) < 1e-14

# %% [markdown]
# One property matters later: adding the same number $c$ to every score changes nothing, because
# $e^{z_i + c} = e^c e^{z_i}$ and the factor $e^c$ cancels between numerator and denominator. Only the
# *differences* between scores count:

# %%
for c in (-5.0, 0.0, 10.0):
    print(f"softmax(z + {c:5.1f}) =", np.round(softmax(z + c), 6))
assert np.allclose(softmax(z + 10.0), softmax(z), atol=1e-15)

# %% [markdown]
# ## 2. The derivation: dE/dz_j = y_j - t_j
#
# Backpropagation needs $\partial E/\partial z_j$, the error term of output node $j$ (lesson 06's
# $\delta$ of the output layer). Every $y_i$ depends on every $z_j$ through the shared denominator, so
# the chain rule has to go through all K outputs. As in lesson 07, SymPy does it one rule at a time:
# `symbolic.derive_softmax_cross_entropy()` returns the steps, each a SymPy expression equal to
# $\partial E/\partial z_j$.

# %%
d = symbolic.derive_softmax_cross_entropy()
Markdown(steps_to_markdown(d.steps, r"\frac{\partial E}{\partial z_{j}}"))

# %% [markdown]
# Reading the steps:
#
# 1. The gradient we want, with $E$ written through the outputs $y_i$.
# 2. **Chain rule** (done by SymPy's `diff`, with $y_i$ standing for an unknown function of $z_j$):
#    $\frac{d}{dz}\log u = \frac{1}{u}\frac{du}{dz}$ inside the sum. The targets are constants.
# 3. The **softmax's own derivative** $\partial y_i/\partial z_j = y_i(\delta_{ij} - y_j)$, where
#    $\delta_{ij}$ is 1 when $i = j$ and 0 otherwise. It comes from the quotient rule; its five substeps
#    are in the next cell.
# 4. $\frac{1}{y_i}$ cancels $y_i$: this cancellation is the whole secret of the pair.
# 5. Split the sum; $y_j$ does not depend on $i$ and leaves it.
# 6. Of $\sum_i t_i \delta_{ij}$ only the term $i = j$ is left: $t_j$.
# 7. The targets form a probability vector, $\sum_i t_i = 1$, and what remains is
#    $\partial E/\partial z_j = y_j - t_j$ (printed as $-t_j + y_j$).
#
# In the sources' terms this is the output error term with nothing else in it: the package's
# `deltas[-1]` (UFLDL's $\delta$ of the output layer) is $y - t$, and Gashler's $e = -\delta$ is $t - y$.
# With the squared error the same term also carries the activation's slope $f'$ (lesson 06).
#
# Step 6 is worth keeping in mind: for targets that do *not* sum to 1 the gradient is
# $y_j \sum_i t_i - t_j$, which is what the engine computes, so it stays right for any $T$.

# %%
Markdown(steps_to_markdown(d.steps[2].substeps, r"\frac{\partial y_{i}}{\partial z_{j}}"))

# %% [markdown]
# Is the derivation right? `verify_softmax_derivation` checks it for a concrete number of classes
# without trusting any step: it writes the loss out in full for K = 3, lets SymPy differentiate it
# directly, and compares. The softmax derivative (all 9 pairs $i, j$) and the result (all 3 $j$) must
# pass `simplify(a - b) == 0`; every step is evaluated at random scores and targets; and $y - t$ is
# compared with the engine's gradient and with central finite differences of the engine's loss.

# %%
v = symbolic.verify_softmax_derivation(d, classes=3)
print("symbolic checks (simplify(a - b) == 0):", v.symbolic)
print("every step equals SymPy's direct derivative, below 1e-12:", max(v.step_errors) < 1e-12)
print("y - t equals the engine's gradient, below 1e-15:           ", v.engine_error < 1e-15)
print("y - t equals finite differences of the loss, below 1e-8:   ", v.finite_difference_error < 1e-8)
assert v.passed and max(v.step_errors) < 1e-12

# %% [markdown]
# ## 3. Three independent numbers
#
# At the scores of section 1 the formula says $\partial E/\partial z = y - t \approx (0.090, -0.755,
# 0.665)$. Check it against the engine's loss gradient, central finite differences of the loss, and
# a graph of `bc.Value` nodes (lesson 02) that knows only `exp`, `log`, sums and quotients.

# %%
by_formula = softmax(z) - t
by_engine = softmax_cross_entropy.grad(z, t)
by_differences = numerical_gradient(lambda v: softmax_cross_entropy.value(v, t), z.copy())

zs = [bc.Value(float(zk), label=f"z{k + 1}") for k, zk in enumerate(z[0])]
denominator = sum((zk.exp() for zk in zs), bc.Value(0.0))
E_graph = -sum((float(tk) * (zk.exp() / denominator).log() for tk, zk in zip(t[0], zs)), bc.Value(0.0))
E_graph.backward()
by_graph = np.array([[zk.grad for zk in zs]])

print("E by the graph     :", round(E_graph.data, 6))
print("y - t              :", np.round(by_formula, 6))
print("engine gradient    :", np.round(by_engine, 6))
print("finite differences :", np.round(by_differences, 6))
print("bc.Value backward  :", np.round(by_graph, 6))
assert np.allclose(by_formula, by_engine, atol=1e-15, rtol=0)
assert np.allclose(by_formula, by_differences, atol=1e-9, rtol=0)
assert np.allclose(by_formula, by_graph, atol=1e-14, rtol=0)

# %% [markdown]
# The gradient has a plain meaning (a descent step moves the scores against it): push down the score
# of every class in proportion to the probability it received, and push up the right class's score by 1.
# Because both $y$ and a one-hot $t$ sum to 1, the entries of $y - t$ always sum to 0.
#
# ## 4. Why this pair does not saturate
#
# Lesson 03 warned that a sigmoid output neuron **saturates**: far from 0 its slope $g'(z)$ is nearly
# 0, and with the squared error $E = \tfrac12 (y - t)^2$ the gradient by the net input,
#
# $$\frac{\partial E}{\partial z} = (y - t)\; y (1 - y),$$
#
# carries that slope as a factor. A neuron that is *confidently wrong* ($z = -8$ with target 1) gets
# almost no gradient and learns slowly. With the cross-entropy the factor is gone: for two classes,
# the softmax of the scores $(z, 0)$ is exactly the sigmoid, $e^z/(e^z + e^0) = 1/(1 + e^{-z})$, and the
# derivation gives $\partial E/\partial z = y - t$: the more wrong, the larger the gradient. (The same
# holds for one sigmoid output with the binary cross-entropy: its $\frac{1}{y(1-y)}$ cancels the slope.)
#
# The cell computes both gradients along $z$ for target $t = 1$, each two ways: from the engine's
# losses and activations, and from the formulas.

# %%
zz = np.linspace(-10.0, 10.0, 401)
sig = get_activation("sigmoid")
a = sig(zz)
target = np.ones_like(zz)

# sigmoid + half squared error: dE/da from the engine's loss, times the slope g'(z) (chain rule)
sse = half_sse.grad(a[:, None], target[:, None])[:, 0] * sig.derivative(zz)
# softmax over the two scores (z, 0) + cross-entropy: the engine's gradient by the first score
logits = np.stack([zz, np.zeros_like(zz)], axis=1)
onehot = np.stack([target, 1.0 - target], axis=1)
ce = softmax_cross_entropy.grad(logits, onehot)[:, 0]
# sigmoid + binary cross-entropy: dE/da times the slope
bce = binary_cross_entropy.grad(a[:, None], target[:, None])[:, 0] * sig.derivative(zz)

assert np.allclose(softmax(logits)[:, 0], a, atol=1e-15)           # two-class softmax = sigmoid
assert np.allclose(sse, (a - 1.0) * a * (1.0 - a), atol=1e-15)
assert np.allclose(ce, a - 1.0, atol=1e-15) and np.allclose(bce, ce, atol=1e-12)
for z0 in (-8.0, -4.0, 0.0, 4.0):
    k = int(np.argmin(np.abs(zz - z0)))
    print(f"z = {z0:5.1f}:  y = {a[k]:.6f}   squared error dE/dz = {sse[k]: .6f}   "
          f"cross-entropy dE/dz = {ce[k]: .6f}")
k8 = int(np.argmin(np.abs(zz + 8.0)))
ratio = ce[k8] / sse[k8]                                             # = 1 / (y (1 - y))
print(f"at z = -8 the cross-entropy gradient is {ratio:.0f} times the squared error's")
assert abs(ratio - 1.0 / (a[k8] * (1.0 - a[k8]))) < 1e-6 and 2900 < ratio < 3100

# %%
# NBVAL_IGNORE_OUTPUT
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 3.8), dpi=80)
ax1.plot(zz, sse, color=P.OKABE_ITO["blue"], ls="-", lw=2, label="sigmoid + squared error: (y - t) y (1 - y)")
ax1.plot(zz, ce, color=P.OKABE_ITO["vermillion"], ls="--", lw=2, label="softmax / sigmoid + cross-entropy: y - t")
ax1.axhline(0, color="black", lw=0.6)
ax1.axvline(0, color="black", lw=0.6)
ax1.set_xlabel("net input z of the output (target t = 1)")
ax1.set_ylabel("dE/dz")
ax1.set_title("the gradient that reaches the output")
ax1.legend(loc="lower right", fontsize=8)
ax1.grid(alpha=0.3)
ax2.semilogy(zz, np.abs(sse), color=P.OKABE_ITO["blue"], ls="-", lw=2, label="squared error")
ax2.semilogy(zz, np.abs(ce), color=P.OKABE_ITO["vermillion"], ls="--", lw=2, label="cross-entropy")
ax2.axvspan(-10, -4, color=P.OKABE_ITO["orange"], alpha=0.15, lw=0)
ax2.text(-9.6, 2e-4, "confidently wrong:\nsquared error stalls", fontsize=8)
ax2.set_xlabel("net input z of the output (target t = 1)")
ax2.set_ylabel("|dE/dz| (log scale)")
ax2.set_title("the same on a log scale")
ax2.legend(loc="lower left", fontsize=8)
ax2.grid(alpha=0.3, which="both")
fig.tight_layout()
assert len(ax1.lines) == 4 and ax1.lines[0].get_linestyle() != ax1.lines[1].get_linestyle()
plt.show()

# %% [markdown]
# On the left, the squared-error gradient (solid) is largest in size near $z = -0.7$ (where $y = 1/3$)
# and then *falls back to 0* as the output becomes more wrong; the cross-entropy gradient (dashed) grows
# towards $-1$. At $z = -8$ the two differ by the factor $1/(y(1 - y))$, about 3000 (printed above the
# figure).
#
# What that does to learning: one output neuron with a single weight, input 1, target 1, starts at
# $z = -8$. Plain gradient descent with learning rate 1 on each loss; count the steps until the
# output passes 0.5.

# %%
def steps_to_half(gradient, z_start=-8.0, lr=1.0, limit=100_000):
    z_now = z_start
    for step in range(1, limit + 1):
        y_now = 1.0 / (1.0 + np.exp(-z_now))
        z_now -= lr * gradient(y_now)            # dE/dw = dE/dz * 1, the input is 1
        if 1.0 / (1.0 + np.exp(-z_now)) > 0.5:
            return step
    return None


with_sse = steps_to_half(lambda y: (y - 1.0) * y * (1.0 - y))
with_ce = steps_to_half(lambda y: y - 1.0)
print("steps with the squared error:", with_sse)
print("steps with the cross-entropy:", with_ce)
assert with_ce < 10 < 1000 < with_sse

# %% [markdown]
# > **Try this.**
# > 1. In the cell before the figure, change the target to `target = np.zeros_like(zz)` (and the
# >    asserts' `1.0` to `0.0`), run both cells and look at the right side of the plot: the same story
# >    for an output that is confidently 1 when it should be 0.
# > 2. Call `steps_to_half` with `z_start=-2.0`: near the middle the slope is not small, and the gap
# >    between the two losses shrinks from hundreds of times to a few. The big difference is in the
# >    saturated region.
# > 3. Raise the learning rate for the squared error until it matches the cross-entropy's step count.
# >    How large must it be, and what would that rate do to a neuron that is *not* saturated?
#
# ## 5. Large scores: the log-sum-exp trick
#
# In float64, $e^{710}$ is already too large ($e^{709.78}$ is the largest finite value). A network can
# easily produce scores of a few hundred, and the softmax as written in section 1 then divides
# infinity by infinity:

# %%
big = np.array([[1000.0, 999.0, 998.0]])
with np.errstate(over="ignore", invalid="ignore"):   # the warnings are the point: silence them here
    naive = np.exp(big) / np.exp(big).sum(axis=1, keepdims=True)
print("naive softmax of (1000, 999, 998):", naive)
assert np.all(np.isnan(naive))

# %% [markdown]
# Section 1 showed the cure: subtracting a constant from every score changes nothing. Subtract the
# **largest** score $c = \max_m z_m$: the largest exponent becomes $e^0 = 1$, nothing can overflow,
# and the sum is at least 1, so nothing divides by zero either.
#
# $$y_i = \frac{e^{z_i - c}}{\sum_m e^{z_m - c}}, \qquad
#   \log y_i = (z_i - c) - \log \sum_m e^{z_m - c} .$$
#
# The second formula is the **log-sum-exp trick**, and it matters for the loss: taking the logarithm
# *after* the softmax fails for a class whose probability underflows to 0 ($\log 0 = -\infty$, and
# $0 \cdot \log 0$ is NaN), while the log-softmax on the right stays finite. The engine computes the loss
# this way.

# %%
shifted = big - big.max(axis=1, keepdims=True)
stable = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
print("shifted softmax of (1000, 999, 998):", np.round(stable, 6))
print("the same as softmax of (2, 1, 0):   ", np.round(softmax(np.array([[2.0, 1.0, 0.0]])), 6))
assert np.allclose(stable, softmax(big), atol=1e-15) and np.allclose(stable[0, ::-1], y[0], atol=1e-15)

far = np.array([[1000.0, -1000.0, 0.0]])            # two classes underflow to probability 0
t_far = np.array([[0.0, 0.0, 1.0]])                 # ... and the right class is one of them
with np.errstate(divide="ignore", invalid="ignore"):
    p = softmax(far)
    loss_after_softmax = -np.sum(t_far * np.log(p))
log_p = far - far.max() - np.log(np.sum(np.exp(far - far.max())))
print("probabilities:", p)
print("-sum t log(softmax):   ", loss_after_softmax)
print("-sum t log_softmax:    ", float(-np.sum(t_far * log_p)))
print("engine's loss          ", softmax_cross_entropy.value(far, t_far))
print("engine's gradient y - t:", softmax_cross_entropy.grad(far, t_far))
assert np.isnan(loss_after_softmax) and softmax_cross_entropy.value(far, t_far) == 1000.0

# %% [markdown]
# Taking the logarithm after the softmax gives NaN here ($-\infty$ for the right class, NaN from
# $0 \cdot \log 0$ for the others). The right answer is $E = 1000$: the right class's score is 1000 below
# the best one, and the log-softmax says so exactly. The gradient $y - t$ never needed a logarithm and is finite either way.
#
# ## 6. A batch, and a whole network
#
# For a batch the scores are the rows of an `(n_samples, K)` array, the softmax works row by row, and
# the summed loss gives one row of $y - t$ per sample, with no division by the number of samples. In the
# package, a network whose last layer is `"linear"` and whose loss is `"softmax_cross_entropy"` starts
# its backward pass from exactly that: the output error terms `g.deltas[-1]` are `softmax(Y) - T`. The
# rest of the backward pass is lesson 06 unchanged, and `bc.gradcheck` confirms the whole of it.

# %%
net = bc.MLP([4, 5, 3], activation=["tanh", "linear"], loss="softmax_cross_entropy", seed=0)
X = rng.normal(size=(6, 4))
T = np.eye(3)[rng.integers(0, 3, size=6)]
Y = net.forward(X)
g = net.backward(T)
check = bc.gradcheck(net, X, T)

print("rows of softmax(Y) sum to 1:", np.allclose(softmax(Y).sum(axis=1), 1.0))
print("output error terms equal softmax(Y) - T:", np.allclose(g.deltas[-1], softmax(Y) - T, atol=1e-15))
print("each row of the error terms sums to 0:", np.allclose(g.deltas[-1].sum(axis=1), 0.0, atol=1e-15))
print("gradcheck of every weight, bias and input, below 1e-7:", check.max_error < 1e-7)
assert np.allclose(g.deltas[-1], softmax(Y) - T, atol=1e-15) and check.max_error < 1e-7

# %% [markdown]
# ## Check yourself
#
# Answer with the buttons, or in code with `quiz.answer(1, "b")` and `quiz.reveal(1)`; nothing leaves your notebook.

# %% jupyter={"source_hidden": true}
# Self-check questions. The code is hidden because it holds the answers (click ••• to show it).
# NBVAL_IGNORE_OUTPUT
Choice, Number = bc.widgets.Choice, bc.widgets.Number
t3 = np.array([[0.0, 0.0, 1.0]])                                    # section 1's scores, the third class right
dz3 = softmax_cross_entropy.grad(z, t3)[0, 2]
y3 = softmax(z)[0, 2]
assert abs(dz3 - (y3 - 1.0)) < 1e-15
assert abs(dz3 - numerical_gradient(lambda v: softmax_cross_entropy.value(v, t3), z.copy())[0, 2]) < 1e-9

k4 = int(np.argmin(np.abs(zz + 4.0)))                               # section 4's arrays at z = -4
ratio4 = ce[k4] / sse[k4]
assert abs(zz[k4] + 4.0) < 1e-12 and abs(ratio4 - 1.0 / (a[k4] * (1.0 - a[k4]))) < 1e-9

middle_sse = steps_to_half(lambda y: (y - 1.0) * y * (1.0 - y), z_start=-2.0)   # 'Try this' 2 of section 4
middle_ce = steps_to_half(lambda y: y - 1.0, z_start=-2.0)
assert with_sse / with_ce > 100 and 1 < middle_sse / middle_ce < 10     # the gap: hundreds of times, then a few

by_max = far - far.max(axis=1, keepdims=True)                       # section 5's scores (1000, -1000, 0)
by_min = far - far.min(axis=1, keepdims=True)
with np.errstate(over="ignore"):
    min_overflows = not np.all(np.isfinite(np.exp(by_min)))
max_is_safe = np.exp(by_max).max() == 1.0 and np.exp(by_max).sum() >= 1.0
assert np.allclose(softmax(z - 7.0), softmax(z), atol=1e-15)        # the shift changes no probability
safe = "the largest exponent becomes e⁰ = 1, so nothing overflows and the sum is at least 1"
shift_answer = safe if max_is_safe and min_overflows else "any constant works; the maximum is only a convention"

quiz = bc.selfcheck(
    Number("Section 1's scores $z = (1, 2, 3)$, but now the **third** class is the right one. What is "
           "$\\partial E/\\partial z_3$ for the softmax with cross-entropy, to three decimals?", dz3, tol=0.001,
           why=f"$\\partial E/\\partial z_3 = y_3 - t_3 = {y3:.4f} - 1 = {dz3:.3f}$: the softmax's own "
               "slope cancelled against the logarithm's $1/y$ in the derivation.",
           wrong={round(y3, 3): "that is $y_3$ alone; the gradient is $y_3 - t_3$, and $t_3 = 1$.",
                  round((y3 - 1.0) * y3 * (1.0 - y3), 3): "that is the squared error's "
                  "$(y - t)\\,y(1 - y)$; with the cross-entropy the factor $y(1 - y)$ cancels."}),
    Number("In section 4's table, at $z = -4$ (target 1), how many times larger is the cross-entropy's "
           "$\\partial E/\\partial z$ than the squared error's? One decimal.", ratio4, tol=0.05,
           why=f"The ratio is $1/(y(1 - y))$ with $y = \\sigma(-4) = {a[k4]:.5f}$: {ratio4:.1f}. The "
               "squared error's gradient carries the sigmoid's slope $y(1 - y)$ as a factor, the "
               "cross-entropy's does not.",
           wrong={round(1.0 / a[k4], 1): "that is $1/y$; the factor is $y(1 - y)$, so the ratio is "
                                         "$1/(y(1 - y))$.",
                  round(ratio, 1): "that is the ratio at $z = -8$, printed in the lesson; at $-4$ the "
                                   "neuron is less saturated."}),
    Number("Try this (section 4, 2): call `steps_to_half` with `z_start=-2.0`. How many steps does the "
           "**squared error** need for the output to pass 0.5?", middle_sse,
           why=f"{middle_sse} steps, against {middle_ce} for the cross-entropy and {with_sse} from "
               "$z = -8$: at $-2$ the sigmoid's slope is not small, so the squared error is only a few "
               "times slower. Its trouble is the saturated region.",
           wrong={float(middle_ce): "that is the cross-entropy's count; the squared error needs more.",
                  float(with_sse): "that is the count from $z = -8$, deep in the saturated region."}),
    Choice("Why does the stable softmax subtract the **largest** score from every score?",
           ["it makes the probabilities more accurate by changing them", safe,
            "any constant works; the maximum is only a convention"], shift_answer,
           why="The shift changes no probability (section 1), and after subtracting the maximum every "
               "exponent is at most 0: $e^{z_i - c} \\le 1$ cannot overflow, and the largest term is "
               "exactly 1, so the sum cannot be 0.",
           wrong={"it makes the probabilities more accurate by changing them": "subtracting the same "
                  "number from every score changes no probability; it only keeps the arithmetic finite.",
                  "any constant works; the maximum is only a convention": "subtracting the smallest score "
                  "from (1000, -1000, 0) leaves an exponent of 2000, which overflows; only the maximum "
                  "keeps every exponent at most 0."}),
)
quiz

# %% [markdown]
# ## Recap
#
# - The softmax turns K scores into a probability vector; only the differences between the scores
#   matter. The cross-entropy $-\sum_i t_i \log y_i$ scores it against the targets, summed over a batch.
# - SymPy derived $\partial E/\partial z_j = y_j - t_j$ in seven steps: chain rule, the softmax's
#   derivative $y_i(\delta_{ij} - y_j)$, a cancellation, and $\sum_i t_i = 1$. The symbolic check, the
#   engine, finite differences and a `bc.Value` graph agree.
# - The cancellation removes the output neuron's slope from the gradient: a confidently wrong output
#   gets a large gradient instead of almost none (about 3000 times larger at $z = -8$).
# - Subtract the largest score before exponentiating, and compute $\log y$ as
#   $z - c - \log\sum e^{z - c}$ (log-sum-exp): scores of 1000 then give exact probabilities and a
#   finite loss.
#
# **Exercise:** [`exercises/ex14_softmax.ipynb`](../exercises/ex14_softmax.ipynb): write a stable softmax for a batch, the cross-entropy
# with the log-sum-exp trick, and the backward pass $\partial E/\partial Z$, checked with `bc.check`
# for scores as large as $|z| = 1000$.
#
# **Next:** [15 · Backward with matrices](15_backward_with_matrices.ipynb): the backward pass of a whole
# layer as matrix products, checked by shapes, SymPy and finite differences.
