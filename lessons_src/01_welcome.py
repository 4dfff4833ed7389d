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
# # 01 · Welcome: what backpropagation is for
#
# **After this lesson you can**
#
# - say in one sentence what backpropagation computes and why training needs it;
# - run a notebook of this course, drive its interactive views and read their numbers;
# - find help on any function of the package and check your exercise answers;
# - translate between the four notations used by the write-ups this course follows and the names
#   used in the code.
#
# **Time:** about 20 minutes.

# %%
import random

import numpy as np
import matplotlib.pyplot as plt
import backprop_course as bc

random.seed(0)
np.random.seed(0)
rng = np.random.default_rng(0)

# %% [markdown]
# ## 1. The problem backpropagation solves
#
# A neural network is a function with knobs. The knobs are its **weights** (and biases); turning
# them changes what the network outputs. To *train* a network we pick an error measure, for example
# the half sum of squared differences used throughout this course,
#
# $$E = \tfrac12 \sum_{\text{samples}} \sum_{\text{outputs}} (t - y)^2 ,$$
#
# where $t$ is the target and $y$ the network's output, and we turn every knob a little in the
# direction that lowers $E$. To know that direction we need the slope of $E$ with respect to every
# single weight, $\partial E / \partial w$.
#
# **Backpropagation** is the bookkeeping that delivers all of those slopes at once: one sweep
# forward through the network to compute the outputs, then one sweep backward that applies the chain
# rule node by node. The backward sweep costs about as much as one or two forward passes, whether the
# network has 13 weights or 13 million.
#
# The naive alternative is to wiggle each weight in turn and measure how $E$ changes. That needs two
# extra forward passes *per weight*. We will use it, but only as an independent check.
#
# Here is a tiny network with 2 inputs, 3 hidden neurons and 1 output, and the XOR data set (output
# 1 when exactly one input is 1).

# %%
X, T = bc.datasets.xor()[:2]              # X: (4, 2) inputs, T: (4, 1) targets
net = bc.MLP([2, 3, 1], activation="sigmoid", seed=0)

n_params = sum(p.size for p in net.parameters())
print("inputs X:", X.tolist())
print("targets T:", T.ravel().tolist())
print("number of weights and biases:", n_params)
print("outputs before training:", np.round(net.forward(X).ravel(), 4).tolist())
print("error E before training:", round(net.loss(X, T), 6))
assert n_params == 2 * 3 + 3 + 3 * 1 + 1

# %% [markdown]
# One call to `net.backward(T)` (after `net.forward(X)`) returns the gradient of $E$ with respect to
# every parameter. `bc.gradcheck` recomputes each of them the slow way, by finite differences, and
# reports the largest relative disagreement per array (`check.summary()` prints them all). Values
# around $10^{-10}$ mean the two methods agree to about ten digits.

# %%
net.forward(X)
g = net.backward(T)
print("dE/dW for the hidden layer, shape", g.weights[0].shape)
print(np.round(g.weights[0], 6))

check = bc.gradcheck(net, X, T)
print("arrays compared:", list(check))
print("largest relative error below 1e-8:", check.max_error < 1e-8)
assert check.passed(1e-8)

# %% [markdown]
# For 13 parameters the slow way is affordable. It is not for a network of realistic size: central
# differences need two forward passes per parameter, while backpropagation needs one forward and one
# backward pass in total. Two examples: a small network for the 8 × 8 pixel digits of lesson 12
# (64 inputs, 10 classes), and one for 28 × 28 pixel images:

# %%
for sizes in ([64, 32, 10], [784, 128, 64, 10]):
    n = sum(p.size for p in bc.MLP(sizes, seed=0).parameters())
    print(f"MLP({sizes}): {n:7d} parameters -> finite differences: {2 * n:7d} forward passes;"
          " backpropagation: 1 forward + 1 backward")

# %% [markdown]
# With the gradients in hand, training is a loop: compute them, step every weight a little against
# its gradient, repeat. `bc.train` runs that loop with an optimizer (`bc.SGD` is plain gradient
# descent, with an optional momentum term you will meet in lesson 10). Watch the error fall.

# %%
# NBVAL_IGNORE_OUTPUT
net = bc.MLP([2, 3, 1], activation="sigmoid", seed=0)
hist = bc.train(net, X, T, bc.SGD(lr=2.0, momentum=0.9), mode="batch", epochs=300)

fig, ax = plt.subplots(figsize=(6, 3.2), dpi=80)
ax.semilogy(range(0, hist.epochs_run + 1), [hist.initial_loss] + hist.loss, color="#1f3b73")
ax.set_xlabel("epoch (one pass over the 4 XOR samples)")
ax.set_ylabel("error E (log scale)")
ax.set_title("Training a 2-3-1 network on XOR with the gradients from backpropagation")
ax.grid(alpha=0.3, which="both")
fig.tight_layout()
assert hist.loss[-1] < 0.01 < hist.initial_loss
plt.show()

# %%
print("error E after training:", round(hist.loss[-1], 6))
print("outputs after training:", np.round(net.forward(X).ravel(), 2).tolist())
print("targets:               ", T.ravel().tolist())
assert np.all(np.abs(net.forward(X) - T) < 0.05)

# %% [markdown]
# > **Try this.** In the plotting cell, change `lr=2.0` to `lr=0.2`, or `[2, 3, 1]` to `[2, 1, 1]`
# > (a single hidden neuron), and run the two cells again. With a smaller step the error falls much
# > more slowly; with one hidden neuron the network cannot represent XOR and the error stalls. Lessons
# > 04, 09 and 10 explain both effects.
#
# Everything after this lesson opens the black box: where the numbers in `g.weights` come from
# (lessons 02 to 08), and how to use them well (lessons 09 to 12).

# %% [markdown]
# ## 2. How to use these notebooks
#
# - Run cells **from top to bottom** with <kbd>Shift</kbd>+<kbd>Enter</kbd>. Each lesson starts with
#   a setup cell that imports the package as `bc` and seeds every random generator, so your numbers
#   match the ones printed here. If you get lost, use *Kernel → Restart Kernel and Run All Cells*.
# - The outputs you see were stored when the lesson was last run by the course's test suite, which
#   re-runs every notebook and checks that every printed number is still what the code produces.
#   Cells also contain `assert` lines on the key numbers: if one ever fails, the lesson and the code
#   disagree, which is a bug to report.
# - `backprop-course lab` copies the lessons and exercises into `./backprop-course` (never overwriting
#   a file you changed) and opens JupyterLab there, on this lesson.
#
# ### Interactive views
#
# Some cells end with an **interactive view**: sliders and menus above a picture that redraws when
# you move them. The views need a running kernel (a static copy of the notebook shows no picture).
# Every view keeps the numbers behind its latest picture in a dictionary called `state`, so you can
# also read them in code. Here is the neuron view of lesson 03, set to one input of 1 with weight 2
# and bias 0:

# %%
# NBVAL_IGNORE_OUTPUT
from backprop_course.widgets.neuron import neuron_explorer

view = neuron_explorer(inputs=[1.0], weights=[2.0], bias=0.0)
assert abs(view.state["net_input"] - 2.0) < 1e-12
assert abs(view.state["output"] - 1 / (1 + np.exp(-2.0))) < 1e-12
view

# %%
print("net input:", round(view.state["net_input"], 6))
print("output   :", round(view.state["output"], 6))
view.set(weights=[-2.0])        # what moving the w1 slider to -2 does
print("after w1 = -2, output:", round(view.state["output"], 6))
assert abs(view.state["output"] - 1 / (1 + np.exp(2.0))) < 1e-12

# %% [markdown]
# > **Try this.** Drag the `w1` slider of the view above and watch `a` follow; then run the cell
# > below the view again to read `view.state` at your new setting.
#
# ### Getting help
#
# Every public function and class of the package has a docstring that says what it takes (with array
# shapes), what it returns, and usually a small example. Read one with `help(bc.MLP)`, or in
# JupyterLab with `bc.MLP?` in a cell, or <kbd>Shift</kbd>+<kbd>Tab</kbd> with the cursor on a name.

# %%
for obj in (bc.Value, bc.MLP, bc.SGD, bc.gradcheck):
    print(f"{obj.__name__:10s}", obj.__doc__.strip().splitlines()[0])

# %% [markdown]
# Wrong input is met with a message that names the parameter, the rule it breaks and what it got:

# %%
try:
    bc.SGD(lr=-0.1)
except ValueError as err:
    print(err)

# %% [markdown]
# ### Graded exercises and `bc.check`
#
# Most lessons have a companion notebook in `exercises/`. Each exercise gives a prompt and a function
# stub that raises `NotImplementedError`; you replace the stub with your code and run the check cell
# below it, which looks like
#
# ```python
# bc.check("ex03.sigmoid", sigmoid)      # pass your function itself, not a call
# ```
#
# `bc.check` runs your function on two kinds of cases and prints one line per case:
#
# - **public cases** show the input, the expected value, your value and their largest difference,
#   so you can debug;
# - **hidden cases** are drawn afresh every time (random shapes, mixed signs, saturated neurons) and
#   only say passed or failed, with a hint. They exist so that copying the public answers into your
#   function does not pass.
#
# An untouched stub is reported as *not attempted*, not as a crash. Some exercises also forbid
# calling the package's own implementation of the thing you are asked to write. Instructors grade
# submitted notebooks with `backprop-course grade`, which uses the same cases in a separate process.

# %% [markdown]
# Here is what that looks like for the first exercise of lesson 03, first with the untouched stub,
# then with an attempt that has a sign error in the exponent. (The hidden inputs are drawn afresh on
# every run, so your printout may differ in the hidden lines.)

# %%
# NBVAL_IGNORE_OUTPUT
from backprop_course.grading.exercises import registry
from backprop_course.grading.checking.check import evaluate

def sigmoid(z):
    raise NotImplementedError("ex03.sigmoid")       # the stub, as the exercise hands it out

bc.check("ex03.sigmoid", sigmoid)
assert evaluate(registry.get("ex03.sigmoid"), sigmoid).status == "not attempted"


# %%
# NBVAL_IGNORE_OUTPUT
def sigmoid(z):
    return 1 / (1 + np.exp(np.asarray(z, dtype=float)))   # wrong: the exponent should be -z

bc.check("ex03.sigmoid", sigmoid)
result = evaluate(registry.get("ex03.sigmoid"), sigmoid)
assert not all(case.passed for case in result.cases if not case.hidden)

# %% [markdown]
# ## 3. The course map
#
# | # | lesson | what you learn | source write-ups |
# |---|---|---|---|
# | 01 | [Welcome](01_welcome.ipynb) | what backpropagation is for, how the course works, notations | all |
# | 02 | [Computational graphs](02_computational_graphs.ipynb) | forward pass storing local gradients, backward pass, `bc.Value` | 2017 note |
# | 03 | [The artificial neuron](03_neuron.ipynb) | weighted sum, activation, sigmoid and $g' = g(1-g)$ | for dummies |
# | 04 | [Gradient descent](04_gradient_descent.ipynb) | slopes, stepping downhill, the learning rate | for dummies |
# | 05 | [The chain rule along one path](05_chain_rule.ipynb) | one neuron per layer, gradients as products, vanishing products | UFLDL guide |
# | 06 | [Backpropagation in a network](06_backprop_network.ipynb) | output and hidden error terms, the seven steps, gradient checking | 2017 note, for dummies, UFLDL guide |
# | 07 | [The five-layer derivation](07_five_layer_derivation.ipynb) | every step by SymPy, caching error terms, $\partial E/\partial w_{173} = -e_{17}\,y_{03}$ | Gashler |
# | 08 | [Gradients with respect to the inputs](08_input_gradients.ipynb) | $\partial E/\partial y_{05}$ and what it is good for | Gashler |
# | 09 | [Update modes](09_update_modes.ipynb) | online, batch and mini-batch training | for dummies |
# | 10 | [Momentum, Nesterov and RPROP](10_momentum_nesterov_rprop.ipynb) | better steps than plain gradient descent | for dummies |
# | 11 | [Initialisation](11_initialisation.ipynb) | standard normal, Xavier, He; saturation; symmetry breaking | 2017 note, for dummies |
# | 12 | [Putting it together](12_putting_it_together.ipynb) | training on handwritten digits end to end | all |
# | 13 | [Your own autograd engine](13_your_own_autograd.ipynb) | the capstone: a micrograd-style `Value`, an iterative backward pass, a network trained with it | 2017 note |
# | 14 | [Softmax and cross-entropy](14_softmax_cross_entropy.ipynb) | $\partial E/\partial z = y - t$ by SymPy, no output saturation, the log-sum-exp trick | Gashler (derivation style) |
# | 15 | [Backward with matrices](15_backward_with_matrices.ipynb) | shapes as the check, broadcast forward = sum backward, gates that route, layers as modules | UFLDL guide, for dummies, 2017 note |
#
# The lessons call the four source write-ups by short names:
#
# - **the 2017 note**, "Back Propagation" (no author named): a worked computational graph, local
#   gradients stored in the forward pass, and a seven-step procedure for a layered network;
# - **Backpropagation for dummies**, a blog post: the neuron, the sigmoid, gradient descent, momentum,
#   RPROP, Nesterov, training modes and Xavier initialisation;
# - **Gashler**, Mike Gashler's "A thorough derivation of back-propagation" (2010): every step of the
#   gradient in a five-layer network, and the error terms that make it backpropagation;
# - **the UFLDL guide**, Yuhang He's "A step by step guide to understand backpropagation", in the
#   notation of the UFLDL tutorial: one neuron per layer, error terms for weights and biases.

# %% [markdown]
# ## 4. One network, four notations
#
# The four write-ups describe the same computation with different letters, and even different layer
# numbers. The code uses one set of names; this table translates. Layers in the code are counted
# the way the weight matrices are: `weights[l]` carries signals **from layer `l` into layer `l+1`**,
# where layer 0 is the input. For example, in `bc.MLP([2, 3, 1])` the matrix `weights[0]` (shape
# 3 × 2) is the 2017 note's $w^2$, Gashler's $w_{1jk}$ and UFLDL's $W^{(1)}$.
#
# | quantity | package (code) | the 2017 note | Backpropagation for dummies | Gashler | the UFLDL guide |
# |---|---|---|---|---|---|
# | input layer is numbered | 0 | 1 | (no layer numbers) | 0 | 1 |
# | input values | `X` = `net.layer_outputs[0]` | $x$, $a^1$ | $a_k$ of the input neurons | $y_{0k}$ | $x = a^{(1)}$ |
# | net input of neuron $j$ fed by `weights[l]` | `net.net_inputs[l][:, j]` | $z^{l+2}_j$ | $in_j$ | $x_{l+1,j}$ | $z^{(l+2)}_j$ |
# | its output (activation) | `net.layer_outputs[l+1][:, j]` | $a^{l+2}_j$ | $a_j = g(in_j)$ | $y_{l+1,j}$ | $a^{(l+2)}_j$ |
# | weight from neuron $k$ into neuron $j$ | `net.weights[l][j, k]` | $w^{l+2}_{jk}$ | $w_{j,k}$ | $w_{l+1,j,k}$ | $W^{(l+1)}_{jk}$ |
# | bias of neuron $j$ | `net.biases[l][j]` | (none) | a bias neuron's weight | (none) | $b^{(l+1)}_j$ |
# | activation function and its slope | `net.activations[l]`, `bc.engine.activations` | $\sigma$, $\sigma'$ | $g$, $g'$ | $f_{l+1}$, $f'_{l+1}$ | $f$, $f'$ |
# | target | `T` | $y$ | $t$ | $t$ | $y$ |
# | error | `net.loss(X, T)` $= E$ | $L$ | $E = \frac12 (t-a)^2$ | $\frac12 \sum_i (t_i - y_{5i})^2$ | $J(W, b)$ |
# | error term of neuron $j$ | `g.deltas[l][:, j]` $= \partial E/\partial$ net input | $\partial L/\partial z^{l+2}_j$ | $\partial E/\partial in_j$ | $-e_{l+1,j}$ | $\delta^{(l+2)}_j$ |
# | gradient of a weight | `g.weights[l][j, k]` | $\partial L/\partial w^{l+2}_{jk}$ | $\partial E/\partial w_{j,k}$ | $\partial E/\partial w_{l+1,j,k}$ | $\partial J/\partial W^{(l+1)}_{jk}$ |
# | learning rate | `lr` | $\alpha$ | $\epsilon$ | (not named) | (not named) |
# | momentum | `momentum` | (none) | $\alpha$ | (none) | (none) |
#
# Things to watch for:
#
# - **Rows are destinations.** All four write-ups put the *receiving* neuron first in a weight's
#   indices, and so does the code: row $j$ of `weights[l]` holds the weights *into* neuron $j$,
#   column $k$ the weights *out of* source neuron $k$. Backpropagation for dummies writes $w_{i,j}$ for "the weight
#   $N_i$ gives to its input $N_j$", which is the same convention with other letters.
# - **One sample per row.** The code handles a whole batch at once, one sample per row of `X`, so a
#   layer's net inputs are `A @ W.T + b` (the 2017 note writes $z^n = a^{n-1} \cdot w^n$; with its index
#   order $w^n_{jk}$ the matrix has to be transposed for that product to line up).
# - **Gashler's error has the opposite sign.** His $e$ is $-\partial E/\partial x$, so the package's
#   `deltas` are $-e$, and for one sample his weight gradient $-e_{17}\, y_{03}$ is
#   `g.deltas[0][0, 6] * X[0, 2]` in code.
# - **Counting from 1 or from 0.** The write-ups number neurons from 1; Python numbers array
#   positions from 0. Gashler's node 7 of layer 1 is row `6` of `weights[0]`, and his input 3 is
#   column `2`, so $w_{173}$ is `net.weights[0][6, 2]`. The table's letters $j, k$ mean the code's
#   0-based positions.
# - **Which $w$ in the 2017 note's eq. 10.** Going back from layer $n+1$ to layer $n$ multiplies by the
#   weights *between* them, $w^{n+1}$; the 2017 note's eq. 10 prints $w^n$ there. In code it is
#   `deltas[l - 1] = (deltas[l] @ weights[l]) * g'(net_inputs[l - 1])`: the matrix that feeds the
#   later layer.
# - **$\alpha$ means two things.** The 2017 note uses $\alpha$ for the learning rate; Backpropagation for dummies uses
#   it for the momentum and writes the learning rate $\epsilon$. The code says `lr` and `momentum`.
#
# The cell below checks each row of the table on a small network and one sample, so the table cannot
# drift away from the code.

# %%
net = bc.MLP([2, 3, 2], activation="sigmoid", seed=1)
b_rng = np.random.default_rng(1)
for b in net.biases:                      # give the biases nonzero values so they show up
    b[:] = b_rng.normal(size=b.shape)
x = np.array([[0.5, -1.0]])               # one sample (one row)
t = np.array([[1.0, 0.0]])                # its targets
y = net.forward(x)
g = net.backward(t)

W0, b0, W1 = net.weights[0], net.biases[0], net.weights[1]
print("weights[0] shape (destinations, sources):", W0.shape)
print("weights[1] shape (destinations, sources):", W1.shape)

# net input of hidden neuron j: sum over sources k of w[j, k] * input k, plus the bias
# (Backpropagation for dummies, eq. (1): in_j = sum_k w_jk a_k; Gashler x_1j = sum_k w_1jk y_0k)
for j in range(3):
    z_j = sum(W0[j, k] * x[0, k] for k in range(2)) + b0[j]
    assert abs(net.net_inputs[0][0, j] - z_j) < 1e-12
# the output of a layer is the activation of its net input (Backpropagation for dummies, eq. (2): a_j = g(in_j))
assert np.allclose(net.layer_outputs[1], 1 / (1 + np.exp(-net.net_inputs[0])))
assert np.array_equal(net.layer_outputs[0], x) and np.array_equal(net.layer_outputs[2], y)
# output error term: dE/d(net input) = -(t - y) * g'(net input), with g' = y (1 - y) for the sigmoid
assert np.allclose(g.deltas[1], -(t - y) * y * (1 - y))
# hidden error term: back through the weights that feed the LATER layer (the 2017 note's eq. (10) with w^(n+1))
h = net.layer_outputs[1]
assert np.allclose(g.deltas[0], (g.deltas[1] @ W1) * h * (1 - h))
# a weight's gradient = error term of its destination * value arriving from its source
# (eq. (6) of Backpropagation for dummies; Gashler's -e_jk * y_k with e = -delta)
e = -g.deltas[0]
for j in range(3):
    for k in range(2):
        assert abs(g.weights[0][j, k] - (-e[0, j] * x[0, k])) < 1e-12
# Gashler's w_173 (into node 7 of layer 1, from input 3; both counted from 1) on a net that has them
big = bc.MLP([3, 7, 1], seed=2)
xb = np.array([[0.3, -0.7, 0.9]])
big.forward(xb)
gb = big.backward(np.array([[1.0]]))
e_17, y_03 = -gb.deltas[0][0, 6], xb[0, 2]            # 0-based positions 6 and 2
assert abs(gb.weights[0][6, 2] - (-e_17 * y_03)) < 1e-15
print("every row of the table agrees with the code; dE/dw_173 = -e_17 * y_03 is weights[0][6, 2]")

# %% [markdown]
# The write-ups contain a few more slips (the 2017 note prints its eq. 5 twice; Gashler's steps 13 and 17
# divide by the wrong weight and his step 1 drops a square). The lessons point them out where the
# formulas appear, and the course's code and SymPy derivations follow the corrected forms;
# `docs/errata.md` lists every one of them, seed by seed.

# %% [markdown]
# ## Check yourself
#
# Every lesson ends with a few short questions. Pick or type an answer and press **Check**: the
# feedback says whether it is right and why, and a wrong choice is told what it mixed up. **Show
# answer** gives the answer and its reason. The answers are checked inside your own notebook: nothing
# you type is sent anywhere or saved to disk. Without buttons (a terminal, or a front end without
# ipywidgets) answer in code: `quiz.answer(1, "b")` or `quiz.answer(2, 0.25)`, and `quiz.reveal(1)`.
# The cell's code is hidden because it holds the answers; its numbers come from this lesson's own
# code, recomputed when the notebook is built.

# %% jupyter={"source_hidden": true}
# Self-check questions. The code is hidden because it holds the answers (click ••• to show it).
# NBVAL_IGNORE_OUTPUT
Choice, Number = bc.widgets.Choice, bc.widgets.Number
n_big = sum(p.size for p in bc.MLP([784, 128, 64, 10], seed=0).parameters())
narrow = bc.MLP([2, 1, 1], activation="sigmoid", seed=0)      # the 'Try this' of section 1
narrow_loss = bc.train(narrow, X, T, bc.SGD(lr=2.0, momentum=0.9), mode="batch", epochs=300).loss[-1]
slow = bc.MLP([2, 3, 1], activation="sigmoid", seed=0)
slow_loss = bc.train(slow, X, T, bc.SGD(lr=0.2, momentum=0.9), mode="batch", epochs=300).loss[-1]
assert 0.3 < narrow_loss < 0.4 and 0.05 < slow_loss < 0.2
quiz = bc.selfcheck(
    Number("How many forward passes do central differences need to check every gradient of "
           "`bc.MLP([784, 128, 64, 10])`?", 2 * n_big,
           why=f"The network has {n_big} weights and biases, and each needs two forward passes (one "
               "nudged up, one nudged down). Backpropagation gets all of them from one forward and "
               "one backward pass.",
           wrong={n_big: "that is the number of weights and biases; central differences need two "
                         "forward passes for each."}),
    Choice("Which weight is `net.weights[0][2, 1]` (counting from 0)?",
           ["from input 2 into hidden neuron 1", "from input 1 into hidden neuron 2",
            "from hidden neuron 2 into output 1"],
           "from input 1 into hidden neuron 2",
           why="`weights[l][j, k]` carries source k into destination j: the row is the destination "
               "(Gashler's j, UFLDL's i), the column the source. Layer 0 goes from the inputs into "
               "the hidden layer.",
           wrong={"from input 2 into hidden neuron 1": "the row is the destination and the column the "
                                                       "source, not the other way round.",
                  "from hidden neuron 2 into output 1": "index 0 is the first weight matrix, from the "
                                                        "inputs into the hidden layer."}),
    Choice("Try this (section 1): train `[2, 1, 1]` (one hidden neuron) instead of `[2, 3, 1]`, "
           "with the same optimizer and 300 epochs. What does the error do?",
           ["it falls below 0.01, only more slowly",
            f"it stalls near {narrow_loss:.2f}",
            "it grows: training diverges"],
           f"it stalls near {narrow_loss:.2f}",
           why="One sigmoid hidden neuron draws a single line through the input square, and XOR needs "
               "two. The network settles for the best it can do: three of the four outputs end near "
               f"{narrow.forward(X)[1, 0]:.2f}. (With `lr=0.2` instead, the 2-3-1 network is still "
               f"at E = {slow_loss:.2f} after 300 epochs: a smaller step is slower, not worse.)",
           wrong={"it falls below 0.01, only more slowly": "that is what a smaller learning rate does; "
                                                           "one hidden neuron is too few to represent XOR."}),
)
quiz

# %% [markdown]
# ## Recap
#
# - Training turns weights against $\partial E/\partial w$; backpropagation computes every such
#   gradient in one backward sweep, and finite differences (`bc.gradcheck`) confirm them.
# - Run notebooks top to bottom; views keep their numbers in `view.state`; docstrings answer most
#   questions; `bc.check("exNN.name", fn)` grades an exercise with public and hidden cases.
# - The code's `weights[l][j, k]` is the weight from source $k$ into destination $j$, `deltas` are
#   $\partial E/\partial(\text{net input})$, and Gashler's $e$ is $-\delta$.
#
# **Next:** [02 · Computational graphs](02_computational_graphs.ipynb). There is no exercise for this
# lesson; the first graded one, `exercises/ex02_graphs.ipynb`, follows lesson 02.
