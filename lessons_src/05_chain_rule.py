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
# # 05 · The chain rule along one path
#
# **After this lesson you can**
#
# - write the gradient of the error with respect to any weight or bias of a chain of single neurons
#   as a product of local factors, and say where each factor comes from;
# - compute that product by hand and confirm it three independent ways: with `bc.Value`, with
#   `bc.MLP` and with the SymPy derivation of the package;
# - explain why a bias gradient has one factor fewer than the weight gradient next to it;
# - explain why, with the sigmoid, gradients shrink at least fourfold per layer on the way back.
#
# **Time:** about 25 minutes. Notation: the UFLDL guide's (the UFLDL tutorial's notation), summarised in
# [lesson 01](01_welcome.ipynb) (section 4).

# %%
import random

import numpy as np
import matplotlib.pyplot as plt
import backprop_course as bc
from IPython.display import Markdown
from backprop_course import symbolic
from backprop_course.symbolic.render import to_latex
from backprop_course.symbolic.verify import NumericNetwork, evaluate

random.seed(0)
np.random.seed(0)
rng = np.random.default_rng(0)

# %% [markdown]
# ## 1. A network that is a single path
#
# The UFLDL guide strips a network down to its skeleton: **one neuron per layer**. The input $x$ is layer 1,
# two hidden neurons form layers 2 and 3, and one output neuron forms layer 4:
#
# $$x = a^{(1)} \xrightarrow{\;W^{(1)},\,b^{(1)}\;} a^{(2)} \xrightarrow{\;W^{(2)},\,b^{(2)}\;} a^{(3)}
#   \xrightarrow{\;W^{(3)},\,b^{(3)}\;} a^{(4)} = h_{W,b}(x).$$
#
# In UFLDL notation, $W^{(l)}$ and $b^{(l)}$ lead from layer $l$ into layer $l+1$, $z^{(l+1)}$ is the
# net input that arrives there and $a^{(l+1)} = f(z^{(l+1)})$ its activation (with one neuron per
# layer every index $i, j$ is 1, so we drop them):
#
# $$z^{(l+1)} = W^{(l)} a^{(l)} + b^{(l)}, \qquad a^{(l+1)} = f\big(z^{(l+1)}\big), \qquad
#   J = \tfrac12 \big(y - h_{W,b}(x)\big)^2 .$$
#
# Here $y$ is the **target** (UFLDL's letter; Backpropagation for dummies and the code call it $t$ and `T`) and $J$ the
# error (the code's $E$). Everything is sigmoid, $f(z) = 1/(1+e^{-z})$, so $f'(z) = f(z)(1 - f(z))$
# ([lesson 03](03_neuron.ipynb)).
#
# ### The chain rule, one link per arrow
#
# $J$ depends on $W^{(1)}$ only through the path $W^{(1)} \to z^{(2)} \to a^{(2)} \to z^{(3)} \to
# a^{(3)} \to z^{(4)} \to a^{(4)} \to J$. The chain rule multiplies one local derivative per link:
#
# $$\frac{\partial J}{\partial W^{(1)}} =
#   \underbrace{\frac{\partial J}{\partial a^{(4)}}}_{-(y - h(x))}\;
#   \underbrace{\frac{\partial a^{(4)}}{\partial z^{(4)}}}_{f'(z^{(4)})}\;
#   \underbrace{\frac{\partial z^{(4)}}{\partial a^{(3)}}}_{W^{(3)}}\;
#   \underbrace{\frac{\partial a^{(3)}}{\partial z^{(3)}}}_{f'(z^{(3)})}\;
#   \underbrace{\frac{\partial z^{(3)}}{\partial a^{(2)}}}_{W^{(2)}}\;
#   \underbrace{\frac{\partial a^{(2)}}{\partial z^{(2)}}}_{f'(z^{(2)})}\;
#   \underbrace{\frac{\partial z^{(2)}}{\partial W^{(1)}}}_{a^{(1)} = x}.$$
#
# The UFLDL guide pairs the links two by two: since $z^{(4)} = W^{(3)} f(z^{(3)}) + b^{(3)}$, one step back
# from $z^{(4)}$ to $z^{(3)}$ costs the factor $\partial z^{(4)}/\partial z^{(3)} = W^{(3)} f'(z^{(3)})$:
# the weight leaving a neuron times that neuron's slope. (The guide writes the bias in that line as
# $b_{(3)}$; it means $b^{(3)}$.)
#
# The first two factors appear in **every** gradient of this network, so UFLDL gives them a name,
# the **error term of the output layer**:
#
# $$\delta^{(4)} = \frac{\partial J}{\partial z^{(4)}} = -\big(y - h_{W,b}(x)\big)\, f'\big(z^{(4)}\big).$$
#
# With it, all six gradients read
#
# | parameter | gradient = product of local factors |
# |---|---|
# | $W^{(3)}$ | $\delta^{(4)}\; a^{(3)}$ |
# | $b^{(3)}$ | $\delta^{(4)}$ |
# | $W^{(2)}$ | $\delta^{(4)}\; W^{(3)} f'(z^{(3)})\; a^{(2)}$ |
# | $b^{(2)}$ | $\delta^{(4)}\; W^{(3)} f'(z^{(3)})$ |
# | $W^{(1)}$ | $\delta^{(4)}\; W^{(3)} f'(z^{(3)})\; W^{(2)} f'(z^{(2)})\; a^{(1)}$ |
# | $b^{(1)}$ | $\delta^{(4)}\; W^{(3)} f'(z^{(3)})\; W^{(2)} f'(z^{(2)})$ |
#
# Read each row from left to right as a walk from the error back to the parameter: start with the
# output's error term, pay $W^{(l)} f'(z^{(l)})$ for every neuron you pass through, and finish with
# what the parameter multiplies.
#
# **Why a bias gradient lacks the last factor.** A weight enters its neuron as $W^{(l)} a^{(l)}$, so
# $\partial z^{(l+1)}/\partial W^{(l)} = a^{(l)}$: the signal coming in through the weight. A bias is
# added on its own, $+\,b^{(l)}$, so $\partial z^{(l+1)}/\partial b^{(l)} = 1$. A bias behaves like a
# weight whose incoming activation is always 1, and multiplying by 1 leaves nothing to write. (The
# UFLDL guide phrases it as: the weight takes into account the value $f(\cdot)$ feeding into it, the bias
# ignores it. For $W^{(1)}$ that value is the input $x = a^{(1)}$ itself; the guide writes it as
# $f_1^{(1)}(x)$, as if the input layer had an activation that passes $x$ through unchanged. Both
# slips are listed in `docs/errata.md`.)

# %% [markdown]
# ## 2. With numbers, by hand
#
# Pick a sample and some parameters (our own choice; the UFLDL guide gives no numbers):
# $x = 1.5$, target $y = 0.2$, and
#
# | | $l = 1$ | $l = 2$ | $l = 3$ |
# |---|---|---|---|
# | $W^{(l)}$ | 0.8 | −1.2 | 1.6 |
# | $b^{(l)}$ | −0.3 | 0.5 | −0.4 |
#
# First the forward pass, one layer at a time, keeping every net input $z$ and activation $a$
# (the backward pass will need them):

# %%
x, y = 1.5, 0.2                     # input and target (UFLDL's y is the target)
W = {1: 0.8, 2: -1.2, 3: 1.6}       # W^(l): from layer l into layer l+1
b = {1: -0.3, 2: 0.5, 3: -0.4}

def f(z):                           # the sigmoid
    return 1 / (1 + np.exp(-z))

a = {1: x}
z = {}
for l in (1, 2, 3):
    z[l + 1] = W[l] * a[l] + b[l]
    a[l + 1] = f(z[l + 1])
    print(f"z^({l + 1}) = {W[l]:+.1f} * {a[l]:.6f} {b[l]:+.1f} = {z[l + 1]:+.6f}    "
          f"a^({l + 1}) = f(z^({l + 1})) = {a[l + 1]:.6f}")
h = a[4]
J = 0.5 * (y - h) ** 2
print(f"h(x) = {h:.6f}   J = 1/2 (y - h)^2 = {J:.6f}")
assert abs(z[2] - 0.9) < 1e-12 and abs(J - 0.066497) < 1e-6

# %% [markdown]
# Now the backward pass. The slopes $f'(z^{(l)}) = a^{(l)}(1 - a^{(l)})$ come straight from the stored
# activations; then we build each product of the table above. Each row reuses the product of the row
# before it and multiplies one more $W f'$ pair: that reuse is backpropagation in miniature.

# %%
fprime = {l: a[l] * (1 - a[l]) for l in (2, 3, 4)}
delta4 = -(y - h) * fprime[4]                        # output error term
back3 = delta4 * W[3] * fprime[3]                    # ... passed back through neuron 3
back2 = back3 * W[2] * fprime[2]                     # ... and through neuron 2
by_hand = {
    "W3": delta4 * a[3], "b3": delta4,
    "W2": back3 * a[2], "b2": back3,
    "W1": back2 * a[1], "b1": back2,
}
for l in (2, 3, 4):
    print(f"f'(z^({l})) = {fprime[l]:.6f}")
print(f"delta^(4) = -({y} - {h:.6f}) * {fprime[4]:.6f} = {delta4:.6f}")
for name, value in by_hand.items():
    print(f"dJ/d{name} = {value:+.6f}")
assert abs(by_hand["W1"] - (-0.012859)) < 1e-6 and abs(by_hand["b3"] - 0.089645) < 1e-6

# %% [markdown]
# Two things to notice. The gradient of $W^{(1)}$ is the smallest of the three weight gradients although $x = 1.5$ is the largest
# activation in the network: three slopes of at most $\tfrac14$ each sit in its product. And its sign
# is negative while the other weights' are positive: $W^{(2)} = -1.2$ flips the sign of everything
# that passes back through it.
#
# ## 3. The same numbers three more ways
#
# **A computational graph.** Build the forward pass from `bc.Value` nodes ([lesson 02](02_computational_graphs.ipynb)).
# Its backward pass knows nothing about error terms or the table above; it just multiplies local
# gradients edge by edge.

# %%
params = {name: bc.Value(value, label=name) for name, value in
          [("W1", W[1]), ("b1", b[1]), ("W2", W[2]), ("b2", b[2]), ("W3", W[3]), ("b3", b[3])]}
act = bc.Value(x, label="x")
for l in (1, 2, 3):
    act = (params[f"W{l}"] * act + params[f"b{l}"]).sigmoid()
J_graph = 0.5 * (y - act) ** 2
J_graph.backward()
for name, p in params.items():
    print(f"dJ/d{name}: by hand {by_hand[name]:+.6f}   bc.Value {p.grad:+.6f}")
    assert abs(p.grad - by_hand[name]) < 1e-14

# %% [markdown]
# **The vectorised engine.** `bc.MLP([1, 1, 1, 1])` is the same chain: every weight matrix is
# $1 \times 1$. We overwrite its random parameters with ours. `weights[l]` is UFLDL's $W^{(l+1)}$,
# and `g.deltas[l]` is the error term of the layer that `weights[l]` feeds, so `g.deltas[2]` is
# $\delta^{(4)}$.

# %%
net = bc.MLP([1, 1, 1, 1], activation="sigmoid", seed=0)
for l in (1, 2, 3):
    net.weights[l - 1][0, 0] = W[l]
    net.biases[l - 1][0] = b[l]
net.forward(np.array([x]))
g = net.backward(np.array([y]))

print("E (the engine's J):", round(g.loss, 6))
print("error terms delta^(2), delta^(3), delta^(4):", [round(d.item(), 6) for d in g.deltas])
for l in (1, 2, 3):
    print(f"layer {l}:  dJ/dW = {g.weights[l - 1].item():+.6f}   dJ/db = {g.biases[l - 1].item():+.6f}")
    assert abs(g.weights[l - 1].item() - by_hand[f"W{l}"]) < 1e-14
    assert abs(g.biases[l - 1].item() - by_hand[f"b{l}"]) < 1e-14
assert abs(g.loss - J) < 1e-15 and abs(g.deltas[2].item() - delta4) < 1e-15

# %% [markdown]
# Every bias gradient equals the error term of the neuron it feeds: `g.biases[l] == g.deltas[l]`
# here. That is the "missing factor" again: the bias's own local factor is 1. Lesson 06 shows that in
# a wider network the same holds neuron by neuron.
#
# **SymPy.** `symbolic.derive_chain(3)` runs the package's general derivation (the one lesson 07
# steps through) on a chain of three weight layers with biases, and collapses every sum to its single
# term. It returns each gradient as a product of factors, printed here in the UFLDL guide's notation:

# %%
chain = symbolic.derive_chain(3)
rows = ["| parameter | derived by SymPy |", "|---|---|",
        f"| output error term $\\delta^{{(4)}}$ | ${to_latex(chain.error_term, 'ufldl')}$ |"]
for l in (3, 2, 1):
    rows.append(f"| $W^{{({l})}}$ | ${to_latex(chain.weight_gradients[l], 'ufldl')}$ |")
    rows.append(f"| $b^{{({l})}}$ | ${to_latex(chain.bias_gradients[l], 'ufldl')}$ |")
# the bias's product is the weight's product without its last factor, the incoming activation
for l in (1, 2, 3):
    assert chain.weight_factors[l][:-1] == chain.bias_factors[l]
Markdown("\n".join(rows))

# %% [markdown]
# The printed products are exactly the table of section 1: $-(y_1 - a^{(4)}_1) f^{(4)\prime}(z^{(4)}_1)$
# is $\delta^{(4)}$, then one $W^{(l)} f^{(l)\prime}(z^{(l)})$ pair per neuron passed, then the incoming
# activation for a weight and nothing for a bias (the cell asserts that the bias's factors are the
# weight's without the last one). Evaluating the SymPy expressions at our numbers gives our numbers
# once more:

# %%
numbers = NumericNetwork(sizes=(1, 1, 1, 1), weights=[np.array([[W[l]]]) for l in (1, 2, 3)],
                         biases=[np.array([b[l]]) for l in (1, 2, 3)],
                         inputs=np.array([x]), targets=np.array([y]))
for l in (1, 2, 3):
    dW = evaluate(chain.weight_gradients[l], numbers)
    db = evaluate(chain.bias_gradients[l], numbers)
    print(f"layer {l}:  SymPy dJ/dW = {dW:+.6f}   dJ/db = {db:+.6f}")
    assert abs(dW - by_hand[f"W{l}"]) < 1e-14 and abs(db - by_hand[f"b{l}"]) < 1e-14


# %% [markdown]
# Four methods, one set of numbers. The hand computation and the engine use the same recipe; the
# `Value` graph and SymPy do not, which is what makes the agreement worth something.
#
# ## 4. Long products vanish
#
# The sigmoid's slope $f'(z) = f(z)(1 - f(z))$ is largest at $z = 0$, where it is $\tfrac12 \cdot
# \tfrac12 = \tfrac14$ ([lesson 03](03_neuron.ipynb)). In a chain with $L$ weight layers, the gradient
# of the first weight contains $L$ such slopes (one per neuron from layer 2 to the output), so
#
# $$\left|\frac{\partial J}{\partial W^{(1)}}\right| \le |y - h(x)|\,|x|\,
#   \Big(\tfrac14\Big)^{L} \prod_{l=2}^{L} |W^{(l)}| .$$
#
# Unless the weights are large, and large weights push $z$ away from 0 where the slope is even
# smaller, every extra layer divides the gradient of the first weight by at least 4. The cell below
# builds chains of 1 to 20 layers with every weight equal to `w_all`, no biases, $x = 1$ and target
# 0, and measures $|\partial J / \partial W^{(1)}|$ with the engine, for the sigmoid and, for
# comparison, tanh (whose slope reaches 1 at $z = 0$).

# %%
def first_weight_gradient(depth, activation, w_all=1.0):
    chain_net = bc.MLP([1] * (depth + 1), activation=activation, bias=False, seed=0)
    for Wl in chain_net.weights:
        Wl[0, 0] = w_all
    chain_net.forward(np.array([1.0]))
    grads = chain_net.backward(np.array([0.0]))
    bound = abs(0.0 - chain_net.layer_outputs[-1].item()) * 1.0 * 0.25 ** depth * abs(w_all) ** (depth - 1)
    return abs(grads.weights[0].item()), bound

depths = np.arange(1, 21)
sig = np.array([first_weight_gradient(d, "sigmoid") for d in depths])
tanh = np.array([first_weight_gradient(d, "tanh")[0] for d in depths])
assert np.all(sig[:, 0] <= sig[:, 1] * (1 + 1e-12))          # the bound holds at every depth
assert np.all(sig[1:, 0] < sig[:-1, 0] / 4)                  # each layer costs more than a factor 4
assert sig[19, 0] / sig[0, 0] < 1e-12
for d in (1, 5, 10, 20):
    print(f"depth {d:2d}:  sigmoid |dJ/dW1| = {sig[d - 1, 0]:.3e}   bound {sig[d - 1, 1]:.3e}"
          f"   tanh |dJ/dW1| = {tanh[d - 1]:.3e}")

# %%
# NBVAL_IGNORE_OUTPUT
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 3.8), dpi=80)
ax1.semilogy(depths, sig[:, 0], "o-", color="#1f3b73", label="sigmoid, measured")
ax1.semilogy(depths, sig[:, 1], "--", color="#1f3b73", alpha=0.6, label="sigmoid bound: |y - h| (1/4)^L")
ax1.semilogy(depths, tanh, "s-", color="#c0392b", ms=4, label="tanh, measured")
ax1.set_xlabel("number of weight layers L")
ax1.set_ylabel("|dJ/dW(1)|  (log scale)")
ax1.set_title("Gradient of the first weight vs depth (all weights 1)")
ax1.set_xticks([1, 5, 10, 15, 20])
ax1.grid(alpha=0.3, which="major")
ax1.legend(fontsize=9)

deep = bc.MLP([1] * 13, activation="sigmoid", bias=False, seed=0)     # 12 weight layers
for Wl in deep.weights:
    Wl[0, 0] = 1.0
deep.forward(np.array([1.0]))
per_layer = np.array([abs(gw.item()) for gw in deep.backward(np.array([0.0])).weights])
ax2.semilogy(np.arange(1, 13), per_layer, "o-", color="#1f3b73")
ax2.set_xlabel("layer l of the weight W(l)  (1 = next to the input)")
ax2.set_ylabel("|dJ/dW(l)|  (log scale)")
ax2.set_title("One 12-layer sigmoid chain: gradient per layer")
ax2.set_xticks(range(1, 13))
ax2.grid(alpha=0.3)
fig.tight_layout()
assert np.all(np.diff(per_layer) > 0)        # the further from the output, the smaller
plt.show()

# %%
ratio = per_layer[-1] / per_layer[0]
a12 = deep.layer_outputs[-2].item()        # the activation that feeds W(12)
print(f"12-layer sigmoid chain: |dJ/dW(12)| / |dJ/dW(1)| = {ratio:.3e}")
print(f"eleven slopes of at most 1/4 lie between them: 4^11 = {4.0 ** 11:.3e}")
assert ratio >= 4.0 ** 11 * a12 / 1.0       # the bound: 4^11 times a(12) / x, with x = 1

# %% [markdown]
# On the log scale the sigmoid curve is a straight line falling faster than the $(\tfrac14)^L$
# bound: the slopes here sit below $\tfrac14$ because the net inputs are not 0. After 20 layers the
# first weight's gradient is less than $10^{-12}$ of what it is in a one-layer net, so gradient descent
# barely moves it. This is the **vanishing gradient** problem. tanh falls more slowly, since its
# slope can reach 1, but it still falls. Lesson 06 shows the same effect layer by layer in a wider
# network, and lesson 11 shows how the choice of initial weights makes it worse or better.
#
# > **Try this.** In the cell that defines `first_weight_gradient`, change the default `w_all=1.0`
# > to `w_all=4.0` and rerun that cell and the plot. Weights of 4 undo the factor $\tfrac14$ of
# > the bound, yet the measured sigmoid gradient still vanishes. Why? (Hint: print
# > `chain_net.net_inputs` for a depth of 5 and look at the slopes $f'(z)$ at those net inputs.)
# > Then try `"relu"` as the activation: its slope is exactly 1 for positive net inputs, so with
# > all weights 1 the gradient stays the same at every depth.
# >
# > The view below asks the same questions without editing code: drag the number of layers, set every
# > weight (try 4), switch the activation. The left plot is $|\partial J/\partial W^{(l)}|$ for every
# > layer, the right one the factor $|W f'(z)|$ that the backward pass multiplies by at each neuron it
# > crosses: the gradient shrinks wherever the bars stay below 1.

# %%
# NBVAL_IGNORE_OUTPUT
view = bc.widgets.chain_explorer(depth=5, activation="sigmoid", weight=1.0)
# the view's numbers are the engine's, the same as first_weight_gradient computes
assert abs(view.state["first_grad"] - first_weight_gradient(5, "sigmoid", w_all=1.0)[0]) < 1e-15
view.set(depth=20, weight=4.0)
assert abs(view.state["first_grad"] - first_weight_gradient(20, "sigmoid", w_all=4.0)[0]) < 1e-15
assert all(f < 0.25 for f in view.state["factors"])     # weights of 4, and still every factor < 1/4
view.set(depth=5, weight=1.0)
view

# %% [markdown]
# ## Check yourself
#
# Answer with the buttons, or in code with `quiz.answer(1, 0.09)` and `quiz.reveal(1)`; nothing
# leaves your notebook.

# %% jupyter={"source_hidden": true}
# Self-check questions. The code is hidden because it holds the answers (click ••• to show it).
# NBVAL_IGNORE_OUTPUT
Choice, Number = bc.widgets.Choice, bc.widgets.Number
assert abs(by_hand["b3"] - by_hand["W3"]) > 0.01 and by_hand["b3"] == delta4
from backprop_course.widgets.chain import chain_view_state
strong = chain_view_state(depth=20, activation="sigmoid", weight=4.0)   # the view's numbers, 'Try this'
assert strong["first_grad"] == first_weight_gradient(20, "sigmoid", w_all=4.0)[0]
assert max(strong["factors"]) < 0.25 and strong["first_grad"] < 1e-6
relu_ratio = first_weight_gradient(20, "relu")[0] / first_weight_gradient(1, "relu")[0]
assert relu_ratio == 1.0
quiz = bc.selfcheck(
    Number("In the chain of section 2, what is $\\partial J/\\partial b^{(3)}$, to four decimals?",
           by_hand["b3"], tol=0.0001,
           why=f"A bias adds itself to $z^{{(4)}}$ with local factor 1, so its gradient is the output "
               f"error term alone: $\\delta^{{(4)}} = -(y - h(x)) f'(z^{{(4)}}) = {delta4:.4f}$.",
           wrong={round(by_hand["W3"], 4): "that is the gradient of the weight $W^{(3)}$, which has "
                                           "the extra factor $a^{(3)}$; a bias multiplies nothing.",
                  round(y - h, 4): "that is $y - h(x)$ alone; the error term is $-(y - h(x))$ times "
                                   "the slope $f'(z^{(4)})$."}),
    Choice("In a sigmoid chain with every weight 1, each extra layer divides the first weight's "
           "gradient by at least ...",
           ["2", "4", "it does not shrink"], "4",
           why="Each neuron on the way back contributes $W f'(z)$, and the sigmoid's slope $f'(z)$ is "
               "at most $\\tfrac14$ (at $z = 0$); section 4 measured a factor larger than 4 per layer "
               "because the net inputs are not 0.",
           wrong={"2": "the sigmoid's slope is at most $\\tfrac12 \\cdot \\tfrac12 = \\tfrac14$, not "
                       "$\\tfrac12$.",
                  "it does not shrink": "that holds for ReLU with weights 1 (slope exactly 1), not "
                                        "for the sigmoid."}),
    Choice("Try this (section 4): with every weight 4, the factor $\\tfrac14$ of the bound is undone. "
           "Why does the sigmoid gradient still vanish?",
           ["weights of 4 push the net inputs far from 0, where the slopes f′(z) are much smaller "
            "than 1/4",
            "the bound is wrong for weights larger than 1",
            "the biases cancel the weights"],
           "weights of 4 push the net inputs far from 0, where the slopes f′(z) are much smaller "
           "than 1/4",
           why=f"Every activation is near 1, so each net input is about 4 and $f'(4) \\approx 0.018$. "
               f"At depth 20 the largest factor $|W f'(z)|$ is {max(strong['factors']):.3f}, still "
               f"below $\\tfrac14$, and the first gradient is {strong['first_grad']:.1e}.",
           wrong={"the bound is wrong for weights larger than 1": "the bound holds at every depth (the "
                  "lesson asserts it); it is the slopes that shrink.",
                  "the biases cancel the weights": "this chain has no biases (`bias=False`)."}),
    Number("Try this (section 4): with `\"relu\"` and every weight 1, what is $|\\partial J/\\partial "
           "W^{(1)}|$ at depth 20 divided by its value at depth 1?", relu_ratio, tol=0.001,
           why="With $x = 1$ and weights 1, every net input is 1 > 0, where ReLU's slope is exactly 1: "
               "each factor $W f'(z)$ is 1 and the gradient is the same at every depth.",
           wrong={0.25 ** 19: "that is the sigmoid's bound $(\\tfrac14)^{19}$; ReLU's slope is 1 for "
                              "positive net inputs."}),
)
quiz

# %% [markdown]
# ## Recap
#
# - Along a single path the chain rule is one multiplication per link. In the UFLDL guide's chain,
#   $\partial J/\partial W^{(l)}$ is the output error term $\delta^{(4)} = -(y - h(x)) f'(z^{(4)})$,
#   times $W f'(z)$ for every neuron passed on the way back, times the activation $a^{(l)}$ feeding the
#   weight.
# - A bias gradient is the same product without the last factor, because
#   $\partial z^{(l+1)}/\partial b^{(l)} = 1$; in code, `g.biases[l]` equals the error term
#   `g.deltas[l]` summed over samples.
# - The products share their beginnings, so computing them from the output backwards reuses work:
#   that reuse is backpropagation.
# - Each sigmoid on the path contributes a factor of at most $\tfrac14$: gradients of early layers
#   shrink geometrically with depth.
#
# **Exercise:** `exercises/ex05_chain.ipynb`: differentiate a chain
# of simple functions as a product of local derivatives, then compute every weight and bias gradient
# of this lesson's chain of single neurons. Whole layers follow in `exercises/ex06_backprop.ipynb`
# after lesson 06.
#
# **Next:** [06 · Backpropagation in a network](06_backprop_network.ipynb): many neurons per layer,
# where the single path becomes a sum over paths.
