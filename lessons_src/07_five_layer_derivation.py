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
# # 07 · The five-layer derivation
#
# **After this lesson you can**
#
# - follow, step by step, a complete derivation of $\partial E/\partial w_{173}$ in a five-layer
#   network, and name the calculus rule behind each step;
# - see where the error terms $e$ come from: they are the parts of the formula that every gradient
#   shares, cached once instead of recomputed;
# - translate the result $-e_{17}\, y_{03}$ into the package's `deltas` and `weights`;
# - recognise the slips in the published derivation, and verify a derivation numerically.
#
# **Time:** about 35 minutes. Notation: Gashler (Mike Gashler's "thorough derivation"); the
# translation table is in [lesson 01](01_welcome.ipynb), section 4.

# %%
import random

import numpy as np
import matplotlib.pyplot as plt
import sympy as sp
import backprop_course as bc
from IPython.display import Markdown
from backprop_course import symbolic
from backprop_course.symbolic.notation import e, w, y
from backprop_course.symbolic.render import to_latex
from backprop_course.symbolic.verify import NumericNetwork, default_sizes, evaluate, verify

random.seed(0)
np.random.seed(0)
rng = np.random.default_rng(0)

# %% [markdown]
# ## 1. The question
#
# Gashler takes a network with **five layers** of neurons above the input, large enough for the
# repeating pattern to show. Layer 0 is the input pattern, layer 5 the output. His names:
#
# | symbol | meaning | in the package (one sample) |
# |---|---|---|
# | $y_{ij}$ | output of node $j$ in layer $i$; $y_{0j}$ is input $j$ | `net.layer_outputs[i][0, j-1]` |
# | $x_{ij} = \sum_k w_{ijk}\, y_{i-1,k}$ | net input of node $j$ in layer $i$ | `net.net_inputs[i-1][0, j-1]` |
# | $y_{ij} = f_i(x_{ij})$ | each layer has its activation $f_i$, with derivative $f'_i$ | `net.activations[i-1]` |
# | $w_{ijk}$ | weight into node $j$ of layer $i$ from node $k$ of layer $i-1$ | `net.weights[i-1][j-1, k-1]` |
# | $E = \tfrac12 \sum_i (t_i - y_{5i})^2$ | sum-squared error | `net.loss(X, T)` |
#
# Gashler counts nodes from 1, the code from 0: his node 7 is index 6. There are no biases.
#
# The question: how does $E$ change with $w_{173}$, the weight into **node 7 of layer 1** from
# **input 3**? That weight sits at the very bottom of the network, so its influence travels through
# every layer above it. The derivation removes the $\partial$ symbol one rule at a time until only
# numbers the forward pass already has remain.
#
# ## 2. Every step, produced by SymPy
#
# `symbolic.derive_weight_gradient` does not copy the source. It starts from $E$ written with SymPy
# symbols and applies one rewrite per step (chain rule, expanding a net input, dropping constant
# terms ...), recording each intermediate expression. Because SymPy does the algebra, the source's
# typos (section 5) cannot creep in, and the same function works for any depth.

# %%
d = symbolic.derive_weight_gradient(layers=5, layer=1, j=7, k=3)
print("steps:", len(d.steps))
print("error form:", d.error_form)
assert len(d.steps) == 24 and d.error_form == -e[1, 7] * y[0, 3]

# %% [markdown]
# Here are all 24 steps, in the same numbering as Gashler. (Scroll sideways for the long ones; in
# the explorer of section 6 you can also step through them one at a time with the changes
# highlighted.)

# %%
Markdown(symbolic.to_markdown(d))

# %% [markdown]
# And the reason each step is allowed, as the package records it:

# %%
for s in d.steps[:19]:
    print(f"{s.number:2d}. {s.rule:30s} {s.note}")

# %% [markdown]
# The pattern is four moves, repeated once per layer on the way down (steps 5 to 8, then steps 9
# and 10 each do all four at once, as their rule says):
#
# 1. **chain rule** through an activation: $\partial f_i(x_{ij}) \to f'_i(x_{ij})\, \partial x_{ij}$;
# 2. **expand** the net input: $x_{ij} \to \sum_k w_{ijk}\, y_{i-1,k}$;
# 3. **simplify**: pull the constant weights out of the derivative;
# 4. **expand** the output: $y_{i-1,k} \to f_{i-1}(x_{i-1,k})$.
#
# Near the bottom two steps do something new. In step 13 only the node that $w_{173}$ feeds,
# $m = 7$, depends on $w_{173}$, so of the sum $\sum_m w_{2lm} y_{1m}$ only $w_{2l7}\, y_{17}$
# survives. In step 18 only the term $w_{173}\, y_{03}$ of $\sum_n w_{17n} y_{0n}$ does, and its
# derivative by $w_{173}$ is $y_{03}$. Step 19 has no $\partial$ left: every factor is a number the
# forward pass computed.
#
# ## 3. Every step has the same value
#
# Each step rewrites the expression without changing its value, so all 24 must evaluate to the same
# number. `evaluate` computes a step on a concrete network (random weights from the standard normal,
# a random input and target; the package picks widths of 2, with 7 nodes in layer 1 and 3 inputs so
# that $w_{173}$ exists). Derivatives that are still unevaluated in a step are computed numerically
# (by a complex step, which is exact to rounding). We compare with the engine's `MLP.backward` on
# the same network.

# %%
sizes = default_sizes(d)
numbers = NumericNetwork.random(sizes, seed=0)
mlp = numbers.to_mlp()                              # the same network as a bc.MLP
mlp.forward(numbers.inputs[None, :])
grads = mlp.backward(numbers.targets[None, :])
engine = grads.weights[0][6, 2]                     # w_173: layer 1, node 7 <- input 3
values = [evaluate(s.expr, numbers, d.target, d.error_terms) for s in d.steps]

print("layer sizes n_0 .. n_5:", list(sizes))
print(f"engine dE/dw_173: {engine:.9e}")           # 10 digits: the rest is rounding noise
for s, v in zip(d.steps, values):
    print(f"step {s.number:2d}: {v:.9e}")
    assert abs(v - engine) <= 1e-12 * abs(engine)

# %% [markdown]
# ## 4. Caching the error terms: from a formula to an algorithm
#
# Step 19 is a correct formula, but using it for every weight would be wasteful: the sums over
# $i, j, k, l$ from the output down are the same for **every** weight of layer 1 into node 7, and
# most of them are shared by all weights of all layers. Steps 20 to 24 name those shared parts, the
# **error terms**, starting at the output:

# %%
lines = []
for lhs, rhs in d.error_terms:
    lines.append(f"$${to_latex(lhs)} = {to_latex(rhs)}$$")
lines.append(f"$$\\frac{{\\partial E}}{{\\partial w_{{173}}}} = {to_latex(d.error_form)}$$")
Markdown("\n".join(lines))

# %% [markdown]
# Read from the top: the output layer's error terms come straight from the outputs; each lower
# layer's come from the layer above through the weights between them; and the gradient of a weight
# is **minus the error term of the node it feeds times the value that enters through it**.
# Implementing the first two lines for every node is backpropagation, as Gashler remarks.
#
# These are lesson 06's equations with the opposite sign: Gashler's $e$ is $-\delta$, where
# $\delta = \partial E/\partial x$ is the package's `deltas`. In the notation of the UFLDL guide
# (layer numbers one higher, $a$ for outputs, $\delta$ for error terms) the same result reads:

# %%
ufldl = to_latex(d.error_form, notation="ufldl")
print("Gashler:", to_latex(d.error_form))
print("UFLDL  :", ufldl)
e17 = -grads.deltas[0][0, 6]                        # Gashler's e_17 from the engine's delta
y03 = numbers.inputs[2]
print(f"-e_17 * y_03 = {-e17 * y03:.9e}   engine dE/dw_173 = {engine:.9e}")
assert abs(-e17 * y03 - engine) < 1e-18

# %% [markdown]
# Step 19 is a **sum over paths**. The weight $w_{173}$ changes $y_{17}$, and that change reaches
# the error along every path from node 7 of layer 1 up to an output: through one node of layer 2,
# one of layer 3, one of layer 4 and one output. Each path contributes one product of eleven factors
# (the input $y_{03}$, a slope $f'$ at each of its five nodes, the four weights between them, and the
# output's $t_i - y_{5i}$), and the
# sums over $i, j, k, l$ in step 19 run over all of them. In the network of section 3, with two
# nodes in each of layers 2 to 5, that is $2^4 = 16$ paths; the dashed one is $7 \to 1 \to 2 \to
# 2 \to 1$ in Gashler's numbering.

# %%
# NBVAL_IGNORE_OUTPUT
from backprop_course.widgets.netplot import draw_weight_paths, paths_from

fig, ax = plt.subplots(figsize=(8, 4), dpi=80)
draw_weight_paths(ax, sizes, layer=1, j=6, k=2, name="w_173", example=(6, 0, 1, 1, 0))  # 0-based nodes
ax.legend(loc="upper left", fontsize=8)
fig.tight_layout()
assert len(paths_from(sizes, layer=1, node=6)) == sizes[2] * sizes[3] * sizes[4] * sizes[5] == 16
plt.show()

# %% [markdown]
# What caching saves is easy to count. Step 19 for **one** weight of layer 1 is a sum over every
# path from that weight's node to the outputs, $n_2 n_3 n_4 n_5$ products of eleven factors each.
# With the error terms, one backward pass costs a few multiplications per weight of the network
# (one to pass the error terms down, one for the gradient), and then gives every gradient at once.
# For a modest network on 28×28 images:

# %%
n = [784, 128, 64, 32, 16, 10]                      # n_0 (inputs) .. n_5 (outputs)
paths = n[2] * n[3] * n[4] * n[5]                   # paths from one layer-1 node to the outputs
formula = n[1] * n[0] * paths                       # step 19 for every weight of layer 1
weights = sum(n[i] * n[i - 1] for i in range(1, 6))   # every weight of the network
backprop = 2 * weights                                # pass the error terms down + the gradients
print(f"step-19 formula, all layer-1 weights: {formula:.2e} path products")
print(f"backpropagation, all {weights:,} weights of all layers: about {backprop:,} multiplications")
assert formula / backprop > 1e5

# %% [markdown]
# ## 5. The source's errata
#
# The published derivation has a few slips (the package keeps them as data in
# `symbolic.ERRATA`, also listed in `docs/errata.md`). None of them changes the final result,
# but they would puzzle anyone who checks each step. For the weight derivation:

# %%
chosen = [er for er in symbolic.ERRATA if er.derivation in ("definitions", "weight")]
table = ["| step in Gashler (2010) | Gashler (2010) prints | correct | why |", "|---|---|---|---|"]
for er in chosen:
    table.append(f"| {er.source_step} | ${er.printed}$ | ${er.correct}$ | {er.why} |")
assert [er.source_step for er in chosen] == ["1", "13", "17", "18", "definitions"]
Markdown("\n".join(table))

# %% [markdown]
# The SymPy steps have the right form at each of those places: step 1 squares the difference,
# and steps 13, 17 and 18 differentiate by $w_{173}$ and nothing else.

# %%
assert d.steps[0].expr.has(sp.Pow) and any(p.exp == 2 for p in d.steps[0].expr.atoms(sp.Pow))
for number in (13, 17, 18):
    derivatives = d.steps[number - 1].expr.atoms(sp.Derivative)
    variables = {v for der in derivatives for v in der.variables}
    print(f"step {number}: differentiates by {variables}")
    assert variables == {w[1, 7, 3]}

# %% [markdown]
# ## 6. The derivation explorer
#
# The explorer steps through any derivation of this kind: choose the depth $L$ (1 to 8), the weight
# $w_{\text{layer}, j, k}$ or an input $y_{0k}$, and the notation. Each step shows the previous line
# in grey and the new one with **what changed in red**. The **verify numerically** button compares
# the derived formula with the engine and with finite differences on a random network.
#
# > **Try this.**
# > 1. Press **next** from step 1 to step 19 and say, before each press, which of the four moves
# >    comes next. At step 13, check which sum collapses.
# > 2. Switch the notation to UFLDL: the same steps with $a$, $z$, $W^{(l)}$ and $\delta$ instead of
# >    $y$, $x$, $w$ and $e$ (with layers numbered from 1).
# > 3. Set `layer` to 4: a weight near the output needs 15 steps instead of 24. Then set `layers L`
# >    to 8 and `layer` to 1. How many steps now, and why only two more per extra layer?
# > 4. Press **verify numerically** after each change.

# %%
# NBVAL_IGNORE_OUTPUT
from backprop_course.widgets.derivation_view import derivation_explorer

view = derivation_explorer(layers=5, kind="weight", layer=1, j=7, k=3, notation="gashler")
assert view.state["n_steps"] == 24 and view.state["step"] == 1
view

# %%
view.step.value = 13                     # what pressing "next" twelve times does
print("step", view.state["step"], "of", view.state["n_steps"], "-", view.state["rule"])
view.verify()                            # what the verify button does
print("verified:", view.state["verified"])
assert view.state["verified"] and view.state["rule"] == "only the m = 7 term survives"

# %% [markdown]
# ## 7. Verification, and a deeper network
#
# `verify(d)` runs the full set of checks on a random sigmoid network: the derived formula
# against `sympy.diff` of the whole network written out as one expression, the error-term form
# expanded back against the formula (exactly, `sympy.expand(a - b) == 0`), and both numerically
# against the engine and against central finite differences.

# %%
# NBVAL_IGNORE_OUTPUT
report = verify(d)
assert report.passed
report

# %%
for check in report.checks:
    print(f"{'pass' if check.passed else 'FAIL'}  {check.name}")

# %% [markdown]
# Nothing in the derivation is special to five layers. Here are the step counts for other depths
# (always for a weight of layer 1), and a full ten-layer derivation checked the same way:

# %%
counts = {L: len(symbolic.derive_weight_gradient(layers=L, layer=1, j=1, k=1).steps)
          for L in (1, 2, 3, 4, 5, 10)}
for L, count in counts.items():
    print(f"L = {L:2d}: {count} steps")
deep = symbolic.derive_weight_gradient(layers=10, layer=1, j=1, k=1)
deep_report = verify(deep)
print("10 layers:", to_latex(deep.error_form), "| verified:", deep_report.passed)
assert counts[5] == 24 and counts[10] == 34 and deep_report.passed

# %% [markdown]
# Beyond three layers each extra layer adds exactly two steps: one more "repeat steps 5 through 8"
# on the way down and one more cached error term on the way back. The result is always
# $-e_{11}\,y_{01}$ for this weight, however deep the network.

# %% [markdown]
# ## Check yourself
#
# Answer with the buttons, or in code with `quiz.answer(1, 30)` and `quiz.reveal(1)`; nothing
# leaves your notebook.

# %% jupyter={"source_hidden": true}
# Self-check questions. The code is hidden because it holds the answers (click ••• to show it).
# NBVAL_IGNORE_OUTPUT
Choice, Number = bc.widgets.Choice, bc.widgets.Number
n_paths = len(paths_from(sizes, layer=1, node=6))
steps_8 = len(symbolic.derive_weight_gradient(layers=8, layer=1, j=1, k=1).steps)   # 'Try this' 3
steps_4 = len(symbolic.derive_weight_gradient(layers=5, layer=4, j=1, k=1).steps)
assert (n_paths, steps_8, steps_4) == (16, 30, 15) and d.steps[12].rule == "only the m = 7 term survives"
assert abs(-e17 * y03 - engine) < 1e-18
quiz = bc.selfcheck(
    Number("Step 19 sums one product per path from node 7 of layer 1 to an output. How many paths "
           "are there in the network of section 3 (two nodes in each of layers 2 to 5)?", n_paths,
           why="A path picks one node in each of layers 2, 3, 4 and 5: $2 \\cdot 2 \\cdot 2 \\cdot 2 = "
               "16$ choices. Backpropagation never enumerates them: the cached error terms add them "
               "up layer by layer.",
           wrong={8: "that counts three layers of choices; layers 2, 3, 4 and the output layer 5 each "
                     "offer two nodes."}),
    Choice("Gashler's error term $e$ and the package's `deltas` ($\\delta = \\partial E/\\partial x$) "
           "are related by ...",
           ["e = δ", "e = −δ", "e = δ · f′(x)"], "e = −δ",
           why="Gashler defines $e_{5i} = (t_i - y_{5i}) f'_5(x_{5i})$, while "
               "$\\partial E/\\partial x_{5i} = -(t_i - y_{5i}) f'_5(x_{5i})$; so "
               "$\\partial E/\\partial w_{173} = -e_{17}\\, y_{03} = \\delta_{17}\\, y_{03}$, which is "
               "`g.deltas[0][0, 6] * X[0, 2]` (section 4 checks it).",
           wrong={"e = δ · f′(x)": "both already contain the slope $f'$; they differ only in "
                                            "sign."}),
    Choice("Try this (section 6, 1): at step 13 of the derivation of $\\partial E/\\partial w_{173}$, "
           "which sum collapses, and why?",
           ["the sum over m: only node m = 7 of layer 1 depends on w₁₇₃",
            "the sum over the outputs i: only output 1 depends on w₁₇₃",
            "none: step 13 only applies the chain rule"],
           "the sum over m: only node m = 7 of layer 1 depends on w₁₇₃",
           why="$w_{173}$ feeds node 7 of layer 1 and nothing else, so in "
               "$\\sum_m w_{2lm}\\, y_{1m}$ only $w_{2l7}\\, y_{17}$ has a nonzero derivative. "
               "Every output depends on $w_{173}$, through node 7.",
           wrong={"the sum over the outputs i: only output 1 depends on w₁₇₃": "every output "
                  "depends on $w_{173}$ through node 7 of layer 1; the sum over outputs stays."}),
    Number("Try this (section 6, 3): set `layers L` to 8 and `layer` to 1. How many steps does the "
           "derivation take?", steps_8,
           why="Beyond three layers each extra layer adds two steps: one more repetition of steps 5 "
               "to 8 on the way down and one more cached error term on the way back. From 24 steps "
               "at $L = 5$: $24 + 3 \\cdot 2 = 30$.",
           wrong={27: "each extra layer adds two steps, not one: one on the way down and one error "
                      "term on the way back.",
                  24: "24 is the count for $L = 5$."}),
)
quiz

# %% [markdown]
# ## Recap
#
# - Differentiating $E$ by a deep weight is four moves repeated layer by layer (chain rule through
#   an activation, expand the net input, pull out constant weights, expand the output) until only
#   forward-pass numbers remain (step 19).
# - The shared parts of step 19 are the error terms: $e_{5i} = (t_i - y_{5i}) f'_5(x_{5i})$, and
#   $e_{ij} = f'_i(x_{ij}) \sum_m e_{i+1,m}\, w_{i+1,m,j}$ below. Caching them turns the formula into
#   backpropagation, with $\partial E/\partial w_{173} = -e_{17}\, y_{03}$.
# - Gashler's $e$ is $-\delta$: in code, `g.weights[0][6, 2] == g.deltas[0][0, 6] * X[0, 2]`.
# - The source's slips (a missing square, wrong denominators in steps 13, 17, 18, a missing layer index
#   on $f$) do not survive a derivation done by SymPy and checked by numbers.
#
# **Exercise:** `exercises/ex07_symbolic.ipynb`: let SymPy differentiate the sigmoid and a one-weight
# network yourself, checked by symbolic equality.
#
# **Next:** [08 · Gradients with respect to the inputs](08_input_gradients.ipynb): the second part
# of Gashler's text, and what $\partial E/\partial y_{05}$ is good for.
