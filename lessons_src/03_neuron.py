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
# # 03 · The artificial neuron
#
# **After this lesson you can**
#
# - compute a neuron's net input $in_i = \sum_k w_{i,k}\, a_k$ and its output $a_i = g(in_i)$, by hand
#   and with the package;
# - derive the slope of the sigmoid, $g'(x) = g(x)\,(1 - g(x))$, with SymPy, and check it with
#   numbers;
# - compare the sigmoid with tanh, ReLU, leaky ReLU and the identity, and say where each one's slope
#   is small;
# - explain why that slope appears in every gradient that passes through the neuron.
#
# **Time:** about 25 minutes. Notation (Backpropagation for dummies): neuron $N_i$ receives the outputs $a_k$ of the
# neurons feeding it; $w_{i,k}$ is the weight $N_i$ gives to input $k$.

# %%
import random

import numpy as np
import matplotlib.pyplot as plt
import sympy as sp
import backprop_course as bc
from backprop_course.engine.activations import ACTIVATIONS, get_activation
from backprop_course.engine.gradcheck import numerical_gradient
from backprop_course.widgets.neuron import neuron_explorer, neuron_forward

random.seed(0)
np.random.seed(0)
rng = np.random.default_rng(0)

# %% [markdown]
# ## 1. Two steps: weigh, then squash
#
# A neuron does two things with the values arriving at it.
#
# 1. It forms a **weighted sum** of its inputs, its *net input* (Backpropagation for dummies, eq. 1):
#    $$in_i = \sum_{k \in \text{Inputs}(N_i)} w_{i,k}\, a_k .$$
# 2. It passes that sum through its **activation function** $g$ (eq. 2):
#    $$a_i = g(in_i).$$
#
# Most networks also add a **bias** $b_i$ to the sum. Backpropagation for dummies mentions **bias neurons**, which is the
# same thing seen differently: an extra neuron whose output is always 1, with weight $b_i$: $in_i = \sum_k w_{i,k} a_k +
# b_i \cdot 1$.
#
# Take three inputs $a = (0.5, -1, 2)$, weights $w = (0.4, 0.3, -0.2)$ and bias $b = 0.1$. Then
# $in = 0.4 \cdot 0.5 + 0.3 \cdot (-1) + (-0.2) \cdot 2 + 0.1 = 0.2 - 0.3 - 0.4 + 0.1 = -0.4$.

# %%
a_in = np.array([0.5, -1.0, 2.0])     # the incoming activations a_k
w = np.array([0.4, 0.3, -0.2])        # the weights w_ik, one per input
b = 0.1

net_input = w @ a_in + b              # eq. (1) plus the bias
sigmoid = get_activation("sigmoid")
out = sigmoid(np.array([net_input]))[0]   # eq. (2) with g = sigmoid

print("net input in =", round(net_input, 6))
print("output a = g(in) =", round(out, 6))
assert abs(net_input - (-0.4)) < 1e-12
assert abs(out - 1 / (1 + np.exp(0.4))) < 1e-12

# %% [markdown]
# The bias really is "one more input that is always 1": append a constant 1 to the inputs and $b$ to
# the weights and the net input does not change. And the same neuron is a one-layer network
# `bc.MLP([3, 1])` whose weight matrix has one row (one destination) and three columns (three
# sources):

# %%
in_bias_neuron = np.append(w, b) @ np.append(a_in, 1.0)
print("with a bias neuron:", round(in_bias_neuron, 6))

net = bc.MLP([3, 1], activation="sigmoid", seed=0)
net.weights[0][:] = [w]               # shape (1, 3): row = this neuron, columns = its inputs
net.biases[0][:] = [b]
y = net.forward(a_in)
print("MLP([3, 1]) output:", np.round(y, 6), " cached net input:", np.round(net.net_inputs[0], 6))

r = neuron_forward(a_in, w, b, "sigmoid")    # the function behind the neuron view (section 4)
print("neuron_forward:", round(r.net_input, 6), round(r.output, 6))
assert abs(in_bias_neuron - net_input) < 1e-12
assert abs(y[0] - out) < 1e-12 and abs(r.output - out) < 1e-12

# %% [markdown]
# ## 2. The sigmoid and its slope
#
# Backpropagation for dummies uses the **sigmoid** (logistic) function (eq. 3)
#
# $$g(x) = \frac{1}{1 + e^{-x}} ,$$
#
# which squeezes any real number into the interval $(0, 1)$: large negative inputs give nearly 0,
# large positive ones nearly 1, and $g(0) = \tfrac12$.
#
# Backpropagation needs the slope $g'(x)$ at every neuron. Let SymPy differentiate:

# %%
x = sp.symbols("x", real=True)
g = 1 / (1 + sp.exp(-x))
dg = sp.diff(g, x)
dg

# %% [markdown]
# That is $\dfrac{e^{-x}}{(1 + e^{-x})^2}$. Split it into two factors:
#
# $$g'(x) = \frac{1}{1 + e^{-x}} \cdot \frac{e^{-x}}{1 + e^{-x}}
#         = g(x) \cdot \frac{(1 + e^{-x}) - 1}{1 + e^{-x}}
#         = g(x)\,\bigl(1 - g(x)\bigr).$$
#
# This is eq. 8 of Backpropagation for dummies. Instead of trusting the algebra, let SymPy confirm that the difference
# between its derivative and $g(1-g)$ simplifies to zero. (We simplify only the *difference*: asked
# to simplify $g'$ itself, SymPy picks a form with a hyperbolic cosine that hides the structure.)

# %%
difference = sp.simplify(dg - g * (1 - g))
print("simplify(g' - g(1 - g)) =", difference)
assert difference == 0

# %% [markdown]
# Why the form $g(1-g)$ matters: the forward pass has already computed $a = g(in)$, so the backward
# pass gets the slope as $a(1-a)$, one multiplication and no second exponential. The engine does
# exactly that: `ACTIVATIONS["sigmoid"].fprime_from(z, a)` takes the cached output `a`.
#
# Now three independent numbers at 81 points from $-8$ to $8$: SymPy's formula turned into a numpy
# function, the engine's derivative, and central finite differences of the engine's sigmoid.

# %%
z = np.linspace(-8.0, 8.0, 81)
from_sympy = sp.lambdify(x, dg, "numpy")(z)
act = ACTIVATIONS["sigmoid"]
from_engine = act.fprime_from(z, act.f(z))          # a * (1 - a) from the cached outputs
from_differences = numerical_gradient(lambda v: float(np.sum(act.f(v))), z.copy())

print("engine and SymPy agree to 1e-15:      ", np.max(np.abs(from_engine - from_sympy)) < 1e-15)
print("engine and differences agree to 1e-9:", np.max(np.abs(from_engine - from_differences)) < 1e-9)
print("slope at 0:", from_engine[40], "  largest slope:", from_engine.max())
print("slope at 8:", f"{from_engine[-1]:.6f}")
assert np.max(np.abs(from_engine - from_sympy)) < 1e-15
assert np.max(np.abs(from_engine - from_differences)) < 1e-9
assert from_engine[40] == 0.25 == from_engine.max()

# %% [markdown]
# Two facts to remember from these numbers:
#
# - The sigmoid's slope is **at most $\tfrac14$**, reached at $in = 0$. Every sigmoid a gradient
#   passes through multiplies it by $\tfrac14$ or less; lesson 05 shows what that does across many
#   layers.
# - Far from 0 the neuron **saturates**: its output barely moves ($g(8) \approx 0.99966$) and its slope
#   is nearly 0 ($g'(8) \approx 0.000335$), so almost no gradient gets through. Lesson 11 shows how a
#   good initialisation keeps neurons out of that region.
#
# ## 3. Other activation functions
#
# The engine's registry `ACTIVATIONS` holds five activations, each with its derivative:
#
# | name | $g(x)$ | $g'(x)$ written with $a = g(x)$ |
# |---|---|---|
# | `sigmoid` | $1 / (1 + e^{-x})$ | $a(1 - a)$ |
# | `tanh` | $\tanh x$ | $1 - a^2$ |
# | `relu` | $\max(0, x)$ | 1 if $x > 0$, else 0 |
# | `leaky_relu` | $x$ if $x > 0$, else $0.01\,x$ | 1 if $x > 0$, else 0.01 |
# | `linear` | $x$ | 1 |
#
# ReLU has a kink at 0 where no derivative exists; the engine uses the slope from the left there (0),
# a convention. The cell below checks every derivative against finite differences on points that
# avoid the kink, and confirms $\tanh' = 1 - \tanh^2$ with SymPy as we did for the sigmoid.

# %%
z = np.linspace(-4.0, 4.0, 80)             # an even count: the grid never hits the kink at 0
for name, act in ACTIVATIONS.items():
    numeric = numerical_gradient(lambda v: float(np.sum(act.f(v))), z.copy())
    error = np.max(np.abs(act.derivative(z) - numeric))
    print(f"{name:10s}  largest |g' - finite differences| < 1e-8: {error < 1e-8}")
    assert error < 1e-8

t = sp.tanh(x)
assert sp.simplify(sp.diff(t, x) - (1 - t**2)) == 0
print("SymPy: d/dx tanh(x) - (1 - tanh(x)^2) simplifies to 0")

# %%
# NBVAL_IGNORE_OUTPUT
z = np.linspace(-4.0, 4.0, 401)
fig, axes = plt.subplots(2, len(ACTIVATIONS), figsize=(11, 4.4), dpi=80, sharex=True, sharey="row")
for col, (name, act) in enumerate(ACTIVATIONS.items()):
    top, bottom = axes[0, col], axes[1, col]
    top.plot(z, act.f(z), color="#1f3b73", lw=2)
    bottom.plot(z, act.derivative(z), color="#c0392b", lw=2)
    top.set_title(name)
    top.set_ylim(-1.5, 2.5)
    bottom.set_ylim(-0.1, 1.15)
    bottom.set_xlabel("net input  in")
    for ax in (top, bottom):
        ax.axhline(0, color="black", lw=0.6)
        ax.axvline(0, color="black", lw=0.6)
        ax.grid(alpha=0.3)
axes[0, 0].set_ylabel("a = g(in)")
axes[1, 0].set_ylabel("slope g'(in)")
fig.subplots_adjust(left=0.06, right=0.99, top=0.93, bottom=0.11, wspace=0.12, hspace=0.15)
assert [ax.get_title() for ax in axes[0]] == list(ACTIVATIONS)
plt.show()

# %% [markdown]
# Read the bottom row: the sigmoid's slope never exceeds 0.25; tanh's reaches 1 at the origin but
# also dies away on both sides; ReLU's is exactly 1 for positive inputs and exactly 0 for negative
# ones, so a ReLU neuron whose net input is negative for every
# sample passes no gradient at all ("dead"), which the leaky ReLU's small slope of 0.01 avoids.
#
# ## 4. The neuron view
#
# The view below is the neuron of section 1: sliders for the inputs $a_k$, the weights $w_k$, the bias
# $b$ and a menu for $g$. The picture shows the activation curve, the neuron's operating point
# $(in, a)$ and the tangent there, whose slope is $g'(in)$.

# %%
# NBVAL_IGNORE_OUTPUT
view = neuron_explorer(inputs=[0.5, -1.0, 2.0], weights=[0.4, 0.3, -0.2], bias=0.1)
assert abs(view.state["net_input"] - (-0.4)) < 1e-12
assert abs(view.state["slope"] - out * (1 - out)) < 1e-12
view

# %% [markdown]
# > **Try this.**
# > 1. Drag `w3` to $-2$: the net input falls to about $-4$ and the tangent goes almost flat. That
# >    neuron is saturated; a gradient reaching it is multiplied by about 0.02.
# > 2. Drag `b` until the point sits at $in = 0$: the tangent is steepest there, slope exactly 0.25.
# > 3. Switch `g` to `relu` and make the net input negative: output 0, slope 0. Then try
# >    `leaky_relu`.
# > 4. Switch to `tanh` and compare the steepest slope with the sigmoid's.
#
# The cell below makes the first experiment in code and reads the numbers from `view.state`:

# %%
view.set(weights=[0.4, 0.3, -2.0])
print("net input:", round(view.state["net_input"], 6))
print("output   :", round(view.state["output"], 6))
print("slope    :", round(view.state["slope"], 6), " =", view.state["slope_formula"])
assert abs(view.state["net_input"] - (-4.0)) < 1e-12

# %% [markdown]
# ## 5. Where the slope goes: one neuron's gradient
#
# Put the neuron at the output of a network with target $t$ and error $E = \tfrac12 (t - a)^2$
# (Backpropagation for dummies, eq. 4). The chain rule through the two steps of the neuron gives, for each weight
# (eqs. 6, 9 and 11 of Backpropagation for dummies together),
#
# $$\frac{\partial E}{\partial w_{i,k}}
#   = \underbrace{-(t - a_i)}_{\partial E/\partial a_i}\;
#     \underbrace{a_i (1 - a_i)}_{g'(in_i)}\;
#     \underbrace{a_k}_{\partial in_i / \partial w_{i,k}} .$$
#
# The sigmoid's slope sits in the middle of the product: a saturated neuron learns slowly however
# wrong its output is. Check the formula three ways at the numbers of section 1 with $t = 1$: the
# formula itself, the one-layer network's `backward`, and a graph of `bc.Value` nodes (lesson 02)
# whose backward pass knows nothing about this formula.

# %%
t = 1.0
by_formula = -(t - out) * out * (1 - out) * a_in

net.forward(a_in)
by_network = net.backward(np.array([t])).weights[0][0]

ws = [bc.Value(wk, label=f"w{k + 1}") for k, wk in enumerate(w)]
in_value = sum((wk * ak for wk, ak in zip(ws, a_in)), bc.Value(b, label="b"))
E = 0.5 * (t - in_value.sigmoid()) ** 2
E.backward()
by_graph = np.array([wk.grad for wk in ws])

print("E =", round(E.data, 6))
print("dE/dw by the formula :", np.round(by_formula, 6))
print("dE/dw by MLP.backward:", np.round(by_network, 6))
print("dE/dw by bc.Value    :", np.round(by_graph, 6))
assert np.allclose(by_formula, by_network, atol=1e-14, rtol=0)
assert np.allclose(by_formula, by_graph, atol=1e-14, rtol=0)

# %% [markdown]
# ## Check yourself
#
# Answer with the buttons, or in code with `quiz.answer(1, 0.24)` and `quiz.reveal(1)`; nothing
# leaves your notebook.

# %% jupyter={"source_hidden": true}
# Self-check questions. The code is hidden because it holds the answers (click ••• to show it).
# NBVAL_IGNORE_OUTPUT
Choice, Number = bc.widgets.Choice, bc.widgets.Number
slope_0 = out * (1 - out)                              # the neuron of section 1, in = -0.4
saturated = neuron_forward(a_in, [0.4, 0.3, -2.0], b, "sigmoid")   # 'Try this' 1: w3 = -2
tanh_top = ACTIVATIONS["tanh"].derivative(np.array([0.0]))[0]
sigmoid_top = ACTIVATIONS["sigmoid"].derivative(np.array([0.0]))[0]
assert abs(saturated.slope - view.state["slope"]) < 1e-15 and (tanh_top, sigmoid_top) == (1.0, 0.25)
dead = neuron_forward(a_in, [0.4, 0.3, -2.0], b, "relu")           # 'Try this' 3: in = -4
leaky = neuron_forward(a_in, [0.4, 0.3, -2.0], b, "leaky_relu")
assert (dead.output, dead.slope, leaky.slope) == (0.0, 0.0, 0.01)
quiz = bc.selfcheck(
    Number("The neuron of section 1 ($a = (0.5, -1, 2)$, $w = (0.4, 0.3, -0.2)$, $b = 0.1$, sigmoid) "
           "has $in = -0.4$. What is its slope $g'(in)$, to three decimals?", slope_0, tol=0.001,
           why=f"$g' = a(1 - a)$ with $a = g(-0.4) = {out:.4f}$: ${out:.4f} \\times {1 - out:.4f} = "
               f"{slope_0:.4f}$, close to the maximum 0.25 because $in$ is close to 0.",
           wrong={round(out, 4): "that is the output $a = g(in)$; the slope is $a(1 - a)$.",
                  0.25: "0.25 is the slope at $in = 0$; here $in = -0.4$."}),
    Number("Try this (section 4): drag `w3` to $-2$, so that $in \\approx -4$. By what factor is a "
           "gradient passing through this neuron multiplied (its slope), to three decimals?",
           saturated.slope, tol=0.001,
           why=f"$a = g({saturated.net_input:.1f}) = {saturated.output:.4f}$ and $a(1-a) = "
               f"{saturated.slope:.4f}$: the neuron is saturated and passes on about 2% of a gradient.",
           wrong={0.25: "0.25 is the steepest slope, at $in = 0$; at $in = -4$ the curve is almost flat."}),
    Choice("Try this (section 4): switch `g` to `tanh`. How does its steepest slope compare with the "
           "sigmoid's?",
           ["the same, 0.25", f"{tanh_top:g}, four times the sigmoid's", "0.5, twice the sigmoid's"],
           f"{tanh_top:g}, four times the sigmoid's",
           why="$\\tanh'(x) = 1 - \\tanh^2 x$ is 1 at $x = 0$; the sigmoid's $g(1-g)$ is at most "
               "$\\tfrac12 \\cdot \\tfrac12 = \\tfrac14$. Both die away far from 0.",
           wrong={"the same, 0.25": "0.25 is the sigmoid's steepest slope; tanh's, $1 - \\tanh^2 0$, "
                                    "is larger."}),
    Choice("Try this (section 4, 3): with the net input at $-4$ ($w_3 = -2$), switch `g` to `relu`, "
           "then to `leaky_relu`. What is the slope?",
           [f"{dead.slope:g} with relu, {leaky.slope:g} with leaky_relu", "0.25 with both",
            "1 with both"],
           f"{dead.slope:g} with relu, {leaky.slope:g} with leaky_relu",
           why="For a negative net input ReLU outputs 0 with slope 0: no gradient passes, and a unit "
               "that is negative for every sample stops learning (\"dead\"). The leaky ReLU keeps a "
               "slope of 0.01 there, so some gradient always gets through.",
           wrong={"1 with both": "1 is the slope for a positive net input; here it is $-4$."}),
)
quiz

# %% [markdown]
# ## Recap
#
# - A neuron forms $in_i = \sum_k w_{i,k} a_k$ (plus a bias, a weight on a constant input 1) and
#   outputs $a_i = g(in_i)$. In code, one neuron is one row of a weight matrix.
# - For the sigmoid, $g' = g(1-g)$: SymPy derived it, and SymPy, the engine and finite differences
#   agree to about $10^{-10}$ or better. The slope is at most $\tfrac14$ and vanishes when the neuron
#   saturates.
# - tanh, ReLU, leaky ReLU and the identity trade these properties differently; all live in
#   `bc.engine.activations.ACTIVATIONS` with their derivatives.
# - The activation's slope is a factor of every weight gradient of the neuron.
#
# **Exercise:** `exercises/ex03_neuron.ipynb`: write the sigmoid, its derivative and a neuron's forward
# pass, and check them with `bc.check`.
#
# **Next:** [04 · Gradient descent](04_gradient_descent.ipynb): what to do with a gradient once you
# have it.
