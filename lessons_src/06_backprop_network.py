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
# # 06 · Backpropagation in a network
#
# **After this lesson you can**
#
# - state the three equations that give every weight gradient of a sigmoid network (Backpropagation for dummies,
#   eqs. 10, 11 and 13) and write them as three lines of matrix code with error terms (deltas) and
#   biases;
# - carry out the 2017 note's seven-step procedure with the package, and spot the misprinted index in its
#   eq. 10;
# - compute a whole training step of a 2-2-2 network by hand, number by number;
# - check any gradient with central finite differences and read a relative error.
#
# **Time:** about 40 minutes. Prerequisite: [lesson 05](05_chain_rule.ipynb) (the chain rule along
# one path).

# %%
import random

import numpy as np
import matplotlib.pyplot as plt
import backprop_course as bc
from IPython.display import Markdown
from backprop_course.engine.gradcheck import numerical_gradient, relative_error

random.seed(0)
np.random.seed(0)
rng = np.random.default_rng(0)

# %% [markdown]
# ## 1. From one path to many: the three equations of Backpropagation for dummies
#
# In lesson 05 each neuron fed exactly one other, so the chain rule followed a single path. In a
# real network a hidden neuron feeds **every** neuron of the next layer, and its output reaches the
# error along all of those paths at once. The chain rule then adds the paths up.
#
# Backpropagation for dummies writes a neuron $N_i$ as $in_i = \sum_k w_{i,k}\, a_k$ and $a_i = g(in_i)$, with $g$ the
# sigmoid, and the error of one sample as $E = \tfrac12 \sum_o (t_o - a_o)^2$. The weight $w_{i,j}$
# leads from $N_j$ into $N_i$. Its three equations are:
#
# $$\frac{\partial E}{\partial w_{i,j}} = a_j\, a_i (1 - a_i)\, \frac{\partial E}{\partial a_i} \tag{10}$$
#
# $$\text{output neuron: } \frac{\partial E}{\partial a_i} = -(t_i - a_i) \tag{11}$$
#
# $$\text{hidden neuron: } \frac{\partial E}{\partial a_i} = \sum_k w_{k,i}\, a_k (1 - a_k)\,
#   \frac{\partial E}{\partial a_k} \tag{13}$$
#
# Eq. 13 sums over the neurons $N_k$ that $N_i$ feeds: the many paths. The product
# $a_i(1 - a_i)\,\partial E/\partial a_i$ appears in all three (it is eq. 9 of Backpropagation for dummies, the
# derivative with respect to the net input). Give it a name, the **error term** of neuron $i$:
#
# $$\delta_i = \frac{\partial E}{\partial in_i} = a_i (1 - a_i)\, \frac{\partial E}{\partial a_i}.$$
#
# This is the UFLDL guide's $\delta$ and the package's `deltas`. With it the three equations
# become short:
#
# | | one neuron (Backpropagation for dummies) | whole layer, one sample per row (package) |
# |---|---|---|
# | output error term, eqs. 9 + 11 | $\delta_i = -(t_i - a_i)\, a_i(1 - a_i)$ | `delta_L = -(T - Y) * Y * (1 - Y)` |
# | hidden error term, eqs. 9 + 13 | $\delta_i = a_i(1 - a_i) \sum_k w_{k,i}\, \delta_k$ | `delta_l = (delta_next @ W_next) * A * (1 - A)` |
# | weight gradient, eq. 10 | $\partial E/\partial w_{i,j} = \delta_i\, a_j$ | `dE/dW = delta.T @ A_prev` |
# | bias gradient | $\partial E/\partial b_i = \delta_i$ | `dE/db = delta.sum(axis=0)` |
#
# Two translations make the right column work. **Rows are destinations**: `W_next[k, i]` is
# $w_{k,i}$, so $\sum_k w_{k,i}\,\delta_k$ is entry $i$ of the row vector `delta_next @ W_next`.
# **Samples are rows**: with several samples, `delta.T @ A_prev` multiplies and *adds over the
# samples* in one product, which is exactly the gradient of an error summed over samples. The bias
# row comes from lesson 05: a bias is a weight on a constant input 1, so its gradient is the error
# term itself (summed over samples). Backpropagation for dummies models biases as extra "bias neurons"; the package keeps
# them as separate vectors `biases[l]`.
#
# The cell below checks each row of the table against `MLP.backward` on a random 3-4-2 network with
# five samples.

# %%
net = bc.MLP([3, 4, 2], activation="sigmoid", seed=1)
net.biases[0][:] = rng.normal(size=4)           # nonzero biases so that they matter
net.biases[1][:] = rng.normal(size=2)
X = rng.normal(size=(5, 3))
T = rng.uniform(size=(5, 2))
Y = net.forward(X)
g = net.backward(T)

A0, A1 = net.layer_outputs[0], net.layer_outputs[1]          # inputs and hidden activations
delta_out = -(T - Y) * Y * (1 - Y)                            # eqs. 9 + 11
delta_hid = (delta_out @ net.weights[1]) * A1 * (1 - A1)      # eqs. 9 + 13
checks = {
    "output error terms": (delta_out, g.deltas[1]),
    "hidden error terms": (delta_hid, g.deltas[0]),
    "dE/dW, output layer": (delta_out.T @ A1, g.weights[1]),
    "dE/dW, hidden layer": (delta_hid.T @ A0, g.weights[0]),
    "dE/db, output layer": (delta_out.sum(axis=0), g.biases[1]),
    "dE/db, hidden layer": (delta_hid.sum(axis=0), g.biases[0]),
}
tol = 1e-15          # the two sides sum in different orders, so they may differ by rounding only
for name, (ours, engine) in checks.items():
    diff = np.max(np.abs(ours - engine))
    print(f"{name:20s} shape {str(engine.shape):7s} max |difference| below {tol:.0e}: {diff < tol}")
    assert diff < tol

# %% [markdown]
# ## 2. The 2017 note's seven steps, with the package
#
# The 2017 note states the whole algorithm as a procedure in its own notation: layers are numbered from
# 1 (the input), $z^n = a^{n-1} \cdot w^n$ is the net input of layer $n$ (eq. 4), $a^n = \sigma(z^n)$
# its activation, and $L$ the loss. It has no biases, so we switch them off (`bias=False`). Below,
# each step is one cell: the package call that does it, and a check of the step's formula on the
# numbers the package cached. The map from the 2017 note to the code: $a^n$ is `layer_outputs[n-1]`,
# $w^n$ is `weights[n-2]`, $z^n$ is `net_inputs[n-2]` and $\partial L/\partial z^n$ is `deltas[n-2]`.
#
# **Steps 1 and 2: input, and weights from the standard normal** (the 2017 note's "quick, easy way").

# %%
X, T = bc.datasets.xor()[:2]                       # step 1: the input (4 samples, 2 features)
net = bc.MLP([2, 3, 1], activation="sigmoid", init="standard_normal", bias=False, seed=0)
print("w^2 (weights[0]):", np.round(net.weights[0], 4).tolist())
print("w^3 (weights[1]):", np.round(net.weights[1], 4).tolist())

# %% [markdown]
# **Step 3: feed forward**, $z^n = a^{n-1} \cdot w^n$ (eq. 7) and $a^n = \sigma(z^n)$ (eq. 8), layer
# after layer, with $a^1 = X$. In the package's index order (rows are destinations) the product is
# `A @ W.T`, one sample per row.

# %%
Y = net.forward(X)
for n in (2, 3):
    z = net.layer_outputs[n - 2] @ net.weights[n - 2].T             # eq. 7
    assert np.allclose(net.net_inputs[n - 2], z)
    assert np.allclose(net.layer_outputs[n - 1], 1 / (1 + np.exp(-z)))   # eq. 8
print("outputs a^3:", np.round(Y.ravel(), 6).tolist())

# %% [markdown]
# **Step 4: the error at the last layer**, $\dfrac{\partial L}{\partial z^L} = \dfrac{\partial L}{\partial a^L}\,
# \sigma'(z^L)$ (eq. 9). For $L = \tfrac12 \sum (t - a)^2$ the first factor is $-(t - a^L)$.

# %%
g = net.backward(T)                                   # steps 4 to 6 in one call
dL_da = -(T - Y)
dL_dz3 = dL_da * Y * (1 - Y)                          # eq. 9, sigma' = a (1 - a)
assert np.allclose(g.deltas[1], dL_dz3)
print("dL/dz^3 per sample:", np.round(dL_dz3.ravel(), 6).tolist())

# %% [markdown]
# **Step 5: propagate the error back.** The 2017 note prints eq. 10 as
#
# $$\frac{\partial L}{\partial z^n} = \frac{\partial L}{\partial z^{n+1}}
#   \frac{\partial z^{n+1}}{\partial a^n} \frac{\partial a^n}{\partial z^n}
#   = \frac{\partial L}{\partial z^{n+1}} * w^n * \sigma'(z^n). \qquad \text{(as printed)}$$
#
# The middle factor is wrong. By eq. 4 one layer up, $z^{n+1} = a^n \cdot w^{n+1}$, so
# $\partial z^{n+1}/\partial a^n = w^{n+1}$: the error comes back through the weights that **leave**
# layer $n$, not the ones that enter it. (Eq. 5, $\partial z^n/\partial a^{n-1} = w^n$, says the
# same thing one layer lower; the 2017 note happens to print it twice.) Correct:
#
# $$\frac{\partial L}{\partial z^n} = \frac{\partial L}{\partial z^{n+1}}\, w^{n+1} \odot \sigma'(z^n).$$
#
# The shapes settle it too: in our 2-3-1 net, $\partial L/\partial z^3$ holds one number per sample
# (a $4 \times 1$ array) and $w^3$ is $1 \times 3$, so their product gives three numbers per sample,
# one for each hidden neuron of layer 2; $w^2$ ($3 \times 2$) cannot even be multiplied with it.

# %%
A2 = net.layer_outputs[1]
dL_dz2 = (dL_dz3 @ net.weights[1]) * A2 * (1 - A2)    # w^(n+1) = w^3 = weights[1]
assert np.allclose(g.deltas[0], dL_dz2)
try:
    dL_dz3 @ net.weights[0]                           # w^n = w^2, as printed: shapes do not fit
except ValueError as err:
    print("with w^n as printed:", err)
print("dL/dz^2, first sample:", np.round(dL_dz2[0], 6).tolist())

# %% [markdown]
# **Step 6: the weight gradients**, $\dfrac{\partial L}{\partial w^n} = \dfrac{\partial L}{\partial z^n}
# \dfrac{\partial z^n}{\partial w^n}$ (eq. 11), where $\partial z^n/\partial w^n = a^{n-1}$ (eq. 6). For
# a matrix of weights and a batch of samples that product is an outer product summed over samples.

# %%
for n in (2, 3):
    grad = g.deltas[n - 2].T @ net.layer_outputs[n - 2]      # eq. 11 with eq. 6
    assert np.allclose(g.weights[n - 2], grad)
print("dL/dw^3:", np.round(g.weights[1], 6).tolist())

# %% [markdown]
# **Step 7: update**, $w^n \leftarrow w^n - \alpha\, \partial L/\partial w^n$ (eq. 12; the 2017 note's
# $\alpha$ is the learning rate, the code's `lr`). Then repeat from step 3.

# %%
before = [W.copy() for W in net.weights]
loss_before = g.loss
bc.SGD(lr=0.5).step(net, g)
for n in (2, 3):
    assert np.allclose(net.weights[n - 2], before[n - 2] - 0.5 * g.weights[n - 2])
loss_after = net.loss(X, T)
print(f"L before: {loss_before:.6f}   after one step: {loss_after:.6f}")
assert loss_after < loss_before

# %% [markdown]
# ## 3. A 2-2-2 network with every number
#
# Now one full training step of a tiny network, with every intermediate number on the page. The
# network and its numbers are Matt Mazur's well-known worked example (Matt Mazur, "A Step by Step
# Backpropagation Example", 2015: two inputs, two hidden and two output sigmoid neurons). His post
# walks through the same step by hand; we recompute every number here rather than trust it.
#
# | | value | meaning | in the package |
# |---|---|---|---|
# | $i_1, i_2$ | 0.05, 0.10 | inputs | `X[0]` |
# | $w_1, w_2$ | 0.15, 0.20 | $i_1 \to h_1$, $i_2 \to h_1$ | `weights[0][0]` |
# | $w_3, w_4$ | 0.25, 0.30 | $i_1 \to h_2$, $i_2 \to h_2$ | `weights[0][1]` |
# | $w_5, w_6$ | 0.40, 0.45 | $h_1 \to o_1$, $h_2 \to o_1$ | `weights[1][0]` |
# | $w_7, w_8$ | 0.50, 0.55 | $h_1 \to o_2$, $h_2 \to o_2$ | `weights[1][1]` |
# | $b_{h1}, b_{h2}$ | 0.35, 0.35 | hidden biases | `biases[0]` |
# | $b_{o1}, b_{o2}$ | 0.60, 0.60 | output biases | `biases[1]` |
# | $t_1, t_2$ | 0.01, 0.99 | targets | `T[0]` |
# | $\epsilon$ | 0.5 | learning rate | `lr` |
#
# The cell computes everything with plain scalar arithmetic, in the order a person would on paper,
# naming each equation it uses; the cell after it compares every number with the engine.

# %%
i1, i2 = 0.05, 0.10
w1, w2, w3, w4, w5, w6, w7, w8 = 0.15, 0.20, 0.25, 0.30, 0.40, 0.45, 0.50, 0.55
bh1 = bh2 = 0.35
bo1 = bo2 = 0.60
t1, t2 = 0.01, 0.99
lr = 0.5

def g(x):                                  # the sigmoid
    return 1 / (1 + np.exp(-x))

rows = []                                  # (stage, symbol, formula, value)

def note(stage, symbol, formula, value):
    rows.append((stage, symbol, formula, value))
    return value

# forward pass (eqs. 1, 2, 4 of Backpropagation for dummies)
in_h1 = note("forward", "in_h1", "w1 i1 + w2 i2 + b_h1", w1 * i1 + w2 * i2 + bh1)
in_h2 = note("forward", "in_h2", "w3 i1 + w4 i2 + b_h2", w3 * i1 + w4 * i2 + bh2)
a_h1 = note("forward", "a_h1", "g(in_h1)", g(in_h1))
a_h2 = note("forward", "a_h2", "g(in_h2)", g(in_h2))
in_o1 = note("forward", "in_o1", "w5 a_h1 + w6 a_h2 + b_o1", w5 * a_h1 + w6 * a_h2 + bo1)
in_o2 = note("forward", "in_o2", "w7 a_h1 + w8 a_h2 + b_o2", w7 * a_h1 + w8 * a_h2 + bo2)
a_o1 = note("forward", "a_o1", "g(in_o1)", g(in_o1))
a_o2 = note("forward", "a_o2", "g(in_o2)", g(in_o2))
E1 = note("error", "E_o1", "1/2 (t1 - a_o1)^2", 0.5 * (t1 - a_o1) ** 2)
E2 = note("error", "E_o2", "1/2 (t2 - a_o2)^2", 0.5 * (t2 - a_o2) ** 2)
E = note("error", "E", "E_o1 + E_o2", E1 + E2)

# error terms (eqs. 11 and 9 at the outputs, eqs. 13 and 9 at the hidden neurons)
dE_da_o1 = note("error terms", "dE/da_o1", "-(t1 - a_o1)   (eq. 11)", -(t1 - a_o1))
dE_da_o2 = note("error terms", "dE/da_o2", "-(t2 - a_o2)   (eq. 11)", -(t2 - a_o2))
d_o1 = note("error terms", "delta_o1", "a_o1 (1 - a_o1) dE/da_o1   (eq. 9)", a_o1 * (1 - a_o1) * dE_da_o1)
d_o2 = note("error terms", "delta_o2", "a_o2 (1 - a_o2) dE/da_o2   (eq. 9)", a_o2 * (1 - a_o2) * dE_da_o2)
dE_da_h1 = note("error terms", "dE/da_h1", "w5 delta_o1 + w7 delta_o2   (eq. 13)", w5 * d_o1 + w7 * d_o2)
dE_da_h2 = note("error terms", "dE/da_h2", "w6 delta_o1 + w8 delta_o2   (eq. 13)", w6 * d_o1 + w8 * d_o2)
d_h1 = note("error terms", "delta_h1", "a_h1 (1 - a_h1) dE/da_h1   (eq. 9)", a_h1 * (1 - a_h1) * dE_da_h1)
d_h2 = note("error terms", "delta_h2", "a_h2 (1 - a_h2) dE/da_h2   (eq. 9)", a_h2 * (1 - a_h2) * dE_da_h2)

# gradients: error term of the destination times the activation of the source (eq. 10)
sources = {"w1": ("delta_h1", d_h1, "i1", i1), "w2": ("delta_h1", d_h1, "i2", i2),
           "w3": ("delta_h2", d_h2, "i1", i1), "w4": ("delta_h2", d_h2, "i2", i2),
           "w5": ("delta_o1", d_o1, "a_h1", a_h1), "w6": ("delta_o1", d_o1, "a_h2", a_h2),
           "w7": ("delta_o2", d_o2, "a_h1", a_h1), "w8": ("delta_o2", d_o2, "a_h2", a_h2)}
grad = {}
for w, (dname, dval, aname, aval) in sources.items():
    grad[w] = note("gradients", f"dE/d{w}", f"{dname} {aname}   (eq. 10)", dval * aval)
for bname, dname, dval in (("b_h1", "delta_h1", d_h1), ("b_h2", "delta_h2", d_h2),
                           ("b_o1", "delta_o1", d_o1), ("b_o2", "delta_o2", d_o2)):
    grad[bname] = note("gradients", f"dE/d{bname}", f"{dname}   (bias: input 1)", dval)

# one step of gradient descent
old = dict(w1=w1, w2=w2, w3=w3, w4=w4, w5=w5, w6=w6, w7=w7, w8=w8,
           b_h1=bh1, b_h2=bh2, b_o1=bo1, b_o2=bo2)
new = {p: note("update", f"{p} new", f"{p} - 0.5 dE/d{p}", old[p] - lr * grad[p]) for p in old}

print(f"E = {E:.9f}   dE/dw5 = {grad['w5']:.9f}   w5 new = {new['w5']:.8f}")
assert abs(E - 0.298371109) < 5e-10
assert abs(new["w5"] - 0.35891648) < 5e-9

# %% [markdown]
# $E = 0.298371109$ and the new $w_5 = 0.35891648$ are the values Mazur's example publishes
# (asserted above). Now the engine: load the same numbers into `bc.MLP([2, 2, 2])`, run
# `forward`, `backward` and one `SGD` step, and put the engine's number for every row next to ours.

# %%
net = bc.MLP([2, 2, 2], activation="sigmoid", seed=0)
net.weights[0][:] = [[w1, w2], [w3, w4]]
net.weights[1][:] = [[w5, w6], [w7, w8]]
net.biases[0][:] = [bh1, bh2]
net.biases[1][:] = [bo1, bo2]
X1, T1 = np.array([[i1, i2]]), np.array([[t1, t2]])
Y1 = net.forward(X1)
g1 = net.backward(T1)
Z, A = net.net_inputs, net.layer_outputs
engine = {
    "in_h1": Z[0][0, 0], "in_h2": Z[0][0, 1], "a_h1": A[1][0, 0], "a_h2": A[1][0, 1],
    "in_o1": Z[1][0, 0], "in_o2": Z[1][0, 1], "a_o1": Y1[0, 0], "a_o2": Y1[0, 1],
    "E_o1": 0.5 * (t1 - Y1[0, 0]) ** 2, "E_o2": 0.5 * (t2 - Y1[0, 1]) ** 2, "E": g1.loss,
    "dE/da_o1": -(t1 - Y1[0, 0]), "dE/da_o2": -(t2 - Y1[0, 1]),
    "delta_o1": g1.deltas[1][0, 0], "delta_o2": g1.deltas[1][0, 1],
    "dE/da_h1": (g1.deltas[1] @ net.weights[1])[0, 0], "dE/da_h2": (g1.deltas[1] @ net.weights[1])[0, 1],
    "delta_h1": g1.deltas[0][0, 0], "delta_h2": g1.deltas[0][0, 1],
}
where = {"w1": (0, 0, 0), "w2": (0, 0, 1), "w3": (0, 1, 0), "w4": (0, 1, 1),
         "w5": (1, 0, 0), "w6": (1, 0, 1), "w7": (1, 1, 0), "w8": (1, 1, 1)}
for w, (l, j, k) in where.items():
    engine[f"dE/d{w}"] = g1.weights[l][j, k]
for bname, (l, j) in {"b_h1": (0, 0), "b_h2": (0, 1), "b_o1": (1, 0), "b_o2": (1, 1)}.items():
    engine[f"dE/d{bname}"] = g1.biases[l][j]
bc.SGD(lr=lr).step(net, g1)
for w, (l, j, k) in where.items():
    engine[f"{w} new"] = net.weights[l][j, k]
for bname, (l, j) in {"b_h1": (0, 0), "b_h2": (0, 1), "b_o1": (1, 0), "b_o2": (1, 1)}.items():
    engine[f"{bname} new"] = net.biases[l][j]
E_after = net.loss(X1, T1)

table = ["| stage | quantity | formula | by hand | engine |", "|---|---|---|---:|---:|"]
for stage, symbol, formula, value in rows:
    assert abs(engine[symbol] - value) < 1e-15, symbol
    table.append(f"| {stage} | `{symbol}` | `{formula}` | {value:.9f} | {engine[symbol]:.9f} |")
assert len(rows) == len(engine) == 43
Markdown("\n".join(table))

# %% [markdown]
# The same backward pass as a picture, one step per panel. Above each node is its output $a$ from
# the forward pass, below it its error term $\delta$ (`?` until the step that computes it). Step 1
# computes the output error terms. Step 2 sends them back through the four weights between the
# layers (the arrows) and multiplies by each hidden neuron's slope $a(1 - a)$. Step 3 multiplies
# every error term by the output that enters through each weight: the gradient of that weight,
# printed on it next to the node it enters. (The bias gradients are the error terms themselves.)

# %%
# NBVAL_IGNORE_OUTPUT
from backprop_course.widgets.netplot import backward_pass_steps, draw_backward_step

outs = [np.array([i1, i2]), np.array([a_h1, a_h2]), np.array([a_o1, a_o2])]   # the numbers by hand
weights = [np.array([[w1, w2], [w3, w4]]), np.array([[w5, w6], [w7, w8]])]      # before the step
steps = backward_pass_steps(weights, outs, [np.array([d_h1, d_h2]), np.array([d_o1, d_o2])])
fig, axes = plt.subplots(1, 3, figsize=(12, 4.2), dpi=80)
for ax, step in zip(axes, steps):
    draw_backward_step(ax, step, outs, names=[["i1", "i2"], ["h1", "h2"], ["o1", "o2"]])
fig.tight_layout()
assert abs(steps[1]["deltas"][1][0] - d_h1) < 1e-15 and abs(steps[2]["gradients"][1][0, 0] - grad["w5"]) < 1e-15
plt.show()

# %% [markdown]
# All 43 numbers agree to the last bit the table shows (the cell asserts agreement to $10^{-15}$).
# A few things worth reading off the table and the picture:
#
# - Both error terms of the output layer are far larger than those of the hidden layer: each hidden
#   error term went through one more sigmoid slope (at most $\tfrac14$) on the way back, as in
#   lesson 05.
# - $\delta_{o2}$ is negative: output 2 (0.773) is below its target 0.99, so $E$ falls when
#   $in_{o2}$ rises, and the update **raises** $w_7$ and $w_8$.
# - $\partial E/\partial a_{h1}$ adds two paths, through $o_1$ and through $o_2$ (eq. 13), and they
#   pull in opposite directions; the $o_1$ path wins.
#
# After the step the error is lower:

# %%
print(f"E before the step: {E:.9f}")
print(f"E after the step : {E_after:.9f}  (weights and biases updated)")
net.biases[0][:] = [bh1, bh2]                 # Mazur's example leaves its biases unchanged
net.biases[1][:] = [bo1, bo2]
E_fixed_biases = net.loss(X1, T1)
print(f"E after the step : {E_fixed_biases:.9f}  (weights updated, biases kept)")
assert E_after < E_fixed_biases < E
assert abs(E_fixed_biases - 0.291027774) < 5e-10

# %% [markdown]
# Updating the biases as well (as the package's `SGD` does) lowers the error further than updating
# the weights alone. A note on checking sources: Mazur's example keeps its
# biases fixed and reports $E = 0.291027924$ after the step. Recomputing with its own published
# (rounded) new weights gives $0.291027774$, like our exact computation, so the published figure has
# a slip in its seventh digit. Every number of a worked example deserves a recomputation.
# (`docs/errata.md` lists this slip with the other errata of the sources, the 2017 note's eq. 10 among
# them.)

# %% [markdown]
# ## 4. Gradient checking
#
# A backward pass can be wrong in subtle ways (a missing slope, a transposed matrix, a sign) and
# still produce numbers of a plausible size. The standard check needs nothing but the forward pass:
# nudge one parameter by a small $h$ each way and measure the change of $E$,
#
# $$\frac{\partial E}{\partial w} \approx \frac{E(w + h) - E(w - h)}{2h}.$$
#
# This **central difference** is accurate up to an error proportional to $h^2$ (the one-sided
# $(E(w+h) - E(w))/h$ only to $h$). It costs two forward passes per parameter, far too many for
# training, but perfect as an independent referee. `numerical_gradient` does it for every entry of
# an array (it nudges the array in place and restores it). Here for the output weights of the 2-2-2
# network, back at the starting values:

# %%
net.weights[1][:] = [[w5, w6], [w7, w8]]
net.weights[0][:] = [[w1, w2], [w3, w4]]
numeric = numerical_gradient(lambda W: net.loss(X1, T1), net.weights[1], eps=1e-5)
print("backprop  :", np.round(g1.weights[1].ravel(), 9).tolist())
print("numerical :", np.round(numeric.ravel(), 9).tolist())
assert np.allclose(numeric, g1.weights[1], rtol=1e-8, atol=0)

# %% [markdown]
# How close is close enough? Differences alone mislead: $10^{-6}$ is tiny for a gradient of 1 and
# huge for a gradient of $10^{-6}$. So we compare relative to the size of the numbers,
#
# $$\text{rel} = \frac{|a - n|}{\max(|a| + |n|,\ \text{floor})},$$
#
# where $a$ is the backprop (analytic) value and $n$ the numerical one. The floor stops two entries
# that are both essentially zero from dividing 0 by 0. Rough guide in double precision: below
# $10^{-7}$ the gradient is right; around $10^{-4}$ be suspicious; $10^{-2}$ or more is a bug.
#
# `bc.gradcheck(net, X, T)` runs the whole comparison for every weight matrix, bias vector and the
# inputs, and reports the largest relative error of each. By default it uses a more accurate
# five-point difference (error proportional to $h^4$), so correct gradients score around
# $10^{-10}$ or better. On a random 3-4-2 network with five samples:

# %%
net342 = bc.MLP([3, 4, 2], activation="sigmoid", seed=1)
net342.biases[0][:] = rng.normal(size=4)
Xc, Tc = rng.normal(size=(5, 3)), rng.uniform(size=(5, 2))
check = bc.gradcheck(net342, Xc, Tc)
print("largest relative error below 1e-8:", check.passed(1e-8))
assert check.passed(1e-8)

# %%
# NBVAL_IGNORE_OUTPUT
print(check.summary())          # the exact digits depend on floating-point rounding

# %% [markdown]
# Now plant a classic bug: forget the sigmoid slope in the hidden error term (use
# `delta_out @ W_next` without the factor `A * (1 - A)`). The check flags it at once:

# %%
net342.forward(Xc)
good = net342.backward(Tc)
A_hidden, A_in = net342.layer_outputs[1], net342.layer_outputs[0]
buggy_delta = good.deltas[1] @ net342.weights[1]                # slope factor forgotten
buggy_grad = buggy_delta.T @ A_in

def loss_of_W0(W0):
    trial = net342.copy()
    trial.weights[0][:] = W0
    return trial.loss(Xc, Tc)

result = bc.gradcheck(loss_of_W0, [net342.weights[0]], grad=[buggy_grad])
print(f"buggy hidden gradient: largest relative error {result['arrays[0]']:.2f}")
result = bc.gradcheck(loss_of_W0, [net342.weights[0]], grad=[good.weights[0]])
print("correct hidden gradient passes at 1e-8:", result.passed(1e-8))
assert result.passed(1e-8) and relative_error(buggy_grad, good.weights[0]).max() > 0.5

# %% [markdown]
# Use gradient checking whenever you write a backward pass, on a small network and a few samples
# (it is slow), with inputs that are not all zeros or all equal: symmetric test cases can hide
# a bug that swaps two entries.
#
# ## 5. Seeing the backward pass: the gradient-flow view
#
# The view shows a small sigmoid network learning XOR. Edges are coloured red (positive) or blue
# (negative) and drawn thicker for larger values; before the backward pass they show the weights,
# after it the gradients $\partial E/\partial w$. Each press of **backward step** computes the error
# terms of one more layer, from the output down, exactly in the order of step 5 above. The bars on
# the right show the size of the gradient of each weight layer; the curve below them is $E$ as the
# selected weight varies, with the tangent whose slope is the gradient.

# %%
# NBVAL_IGNORE_OUTPUT
from backprop_course.widgets.flow import flow_view

view = flow_view(preset="small sigmoid net 2-3-2-1", seed=0)
fresh = view.net.copy()
fresh.forward(view.X)
reference = fresh.backward(view.T)
assert all(np.allclose(a, b) for a, b in zip(view.state["gradients"].weights, reference.weights))
view

# %%
view.set_step(1)                         # only the output layer's error terms are known
print("after 1 backward step, layers revealed:", view.state["revealed"])
after_one = view.snapshot()              # a still of the view at this moment
view.set_step(3)                         # all three weight layers
print("after 3 backward steps, layers revealed:", view.state["revealed"])
print("|dE/dW| per weight layer:", np.round(view.state["grad_norms"], 6).tolist())
after_all = view.snapshot()
assert view.state["revealed"] == [True, True, True]

# %% [markdown]
# The same two moments as stills (the live view above always shows its latest state): after one
# backward step only the output layer's edges show $\partial E/\partial w$; after three, every edge does.

# %%
# NBVAL_IGNORE_OUTPUT
display(after_one, after_all)

# %% [markdown]
# The three layers of this small net have gradients of similar size. Switch to the deep sigmoid
# preset (eight weight layers) and compare:

# %%
view.preset.value = "deep sigmoid net, 8 layers (vanishing gradients)"
norms = np.array(view.state["grad_norms"])
print("|dE/dW| per weight layer, first to last:")
print("  ", [f"{v:.1e}" for v in norms])
print(f"last layer / first layer: {norms[-1] / norms[0]:.1e}")
assert np.all(np.diff(norms) > 0) and norms[-1] / norms[0] > 1e4

# %% [markdown]
# Lesson 05's vanishing products, now in a network with four neurons per layer: the gradient of
# the first weight layer is about $10^{5}$ times smaller than that of the last.
#
# > **Try this.** In the view above:
# > 1. Press **forward pass only**, then **backward step** repeatedly: watch the error terms (node
# >    colours, and the table under the figure) appear layer by layer from the output.
# > 2. Click an edge of the network (or choose a weight with the `weight` menu) and drag sideways
# >    on the figure, or drag the slider: the tangent in the lower plot always touches the curve, and
# >    its slope is the $dE/dw$ printed above the figure.
# > 3. Pick the deep sigmoid preset, then the deep tanh and deep relu presets, and compare the bars.
# >    Which network could train its first layer fastest with plain gradient descent?

# %% [markdown]
# ## Check yourself
#
# Answer with the buttons, or in code with `quiz.answer(1, 0.08)` and `quiz.reveal(1)`; nothing
# leaves your notebook.

# %% jupyter={"source_hidden": true}
# Self-check questions. The code is hidden because it holds the answers (click ••• to show it).
# NBVAL_IGNORE_OUTPUT
Choice, Number = bc.widgets.Choice, bc.widgets.Number
assert abs(grad["w5"] - d_o1 * a_h1) < 1e-15 and new["w7"] > old["w7"] and new["w8"] > old["w8"]
moved = "raised" if new["w7"] > old["w7"] else "lowered"
from backprop_course.widgets.flow import PRESETS, gradient_flow
deep = [p for p in PRESETS if p.startswith("deep")]                   # the 'Try this' of section 5
first_layer = {}
for p in deep:                                                        # what the view computes per preset
    spec = PRESETS[p]
    preset_net = bc.MLP(spec["sizes"], activation=spec["activation"], init=spec["init"], seed=0)
    first_layer[p.split()[1]] = gradient_flow(preset_net, view.X, view.T)["grad_norms"][0]
assert first_layer["sigmoid"] == view.state["grad_norms"][0]          # the view shows the deep sigmoid net
fastest = max(first_layer, key=first_layer.get)
assert fastest == "tanh" and first_layer["sigmoid"] < 1e-5
quiz = bc.selfcheck(
    Number("In the 2-2-2 example of section 3, what is $\\partial E/\\partial w_5$, to four "
           "decimals?", grad["w5"], tol=0.0001,
           why=f"Eq. 10: the error term of the destination times the output of the source, "
               f"$\\delta_{{o1}}\\, a_{{h1}} = {d_o1:.4f} \\times {a_h1:.4f} = {grad['w5']:.4f}$.",
           wrong={round(d_o1, 4): "that is the error term $\\delta_{o1}$ alone; multiply by "
                                  "$a_{h1}$, the value that enters through $w_5$.",
                  round(dE_da_o1, 4): "that is $\\partial E/\\partial a_{o1} = -(t_1 - a_{o1})$; the "
                                      "slope $a_{o1}(1 - a_{o1})$ and $a_{h1}$ are missing."}),
    Choice("In the same example, what does the gradient-descent step do to $w_7$ and $w_8$, the "
           "weights into output 2?",
           ["raised", "lowered", "unchanged"], moved,
           why=f"Output 2 is {a_o2:.3f}, below its target 0.99, so its error term "
               f"$\\delta_{{o2}} = {d_o2:.4f}$ is negative; so are the gradients $\\delta_{{o2}}\\, a_h$, "
               "and a step against a negative gradient raises the weight.",
           wrong={"lowered": "a step goes against the gradient, and these gradients are negative "
                             "(the output is below its target)."}),
    Choice("Try this (section 5, 3): compare the deep sigmoid, tanh and ReLU presets of the "
           "gradient-flow view. Which has the largest gradient in its first weight layer, so that "
           "plain gradient descent would train that layer fastest?",
           ["sigmoid", "tanh", "relu"], fastest,
           why="First-layer $|\\partial E/\\partial W|$: "
               + ", ".join(f"{name} {v:.1e}" for name, v in first_layer.items())
               + ". tanh's slope reaches 1 near 0, so less is lost per layer; the sigmoid's is at most "
                 "$\\tfrac14$ and its first layer gets almost nothing.",
           wrong={"sigmoid": "the sigmoid preset is the one that vanishes: each layer costs a slope of "
                             "at most $\\tfrac14$.",
                  "relu": "ReLU keeps more than the sigmoid, but in this network its first-layer "
                          "gradient is smaller than tanh's."}),
)
quiz

# %% [markdown]
# ## Recap
#
# - With error terms $\delta = \partial E/\partial(\text{net input})$, backpropagation is three
#   lines: output $\delta = -(t - a)\,g'$; hidden $\delta = (\delta_{\text{next}} W_{\text{next}})
#   \odot g'$; gradient $\partial E/\partial W = \delta^\top A_{\text{prev}}$, and
#   $\partial E/\partial b = \sum_{\text{samples}} \delta$. These are eqs. 9 to 13 of Backpropagation for dummies.
# - The 2017 note's seven steps are the same algorithm; its eq. 10 must use $w^{n+1}$ (the weights
#   leaving layer $n$), not $w^n$ as printed.
# - The 2-2-2 example: $E = 0.298371109$ before and, with the biases kept fixed, $0.291027774$ after
#   one step with $\epsilon = 0.5$; the new $w_5$ is $0.35891648$. The engine agrees on all 43 numbers.
# - Central differences check any gradient; judge them by relative error (`bc.gradcheck`).
#
# **Exercises:** `exercises/ex06_backprop.ipynb` (error terms, weight gradients, a whole backward
# pass with biases) and `exercises/ex06b_gradcheck.ipynb` (write a central-difference gradient and
# the relative error yourself).
#
# **Next:** [07 · The five-layer derivation](07_five_layer_derivation.ipynb): the same result
# derived step by step, by SymPy, for a network five layers deep.
