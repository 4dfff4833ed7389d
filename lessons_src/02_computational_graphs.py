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
# # 02 · Computational graphs
#
# **After this lesson you can**
#
# - write a calculation as a graph of small operations and evaluate it forward;
# - say which *local* gradient each operation stores during the forward pass;
# - run the backward pass by hand: multiply the gradient arriving from above by the stored local
#   gradient, and add up what reaches a node along different paths;
# - interpret a partial derivative such as $\partial f/\partial x = -4$ correctly, including when it
#   predicts a change exactly and when only approximately;
# - build graphs with `bc.Value`, inspect them, and check their gradients by finite differences.
#
# **Time:** about 30 minutes. Everything here follows the 2017 note's example.

# %%
import random

import numpy as np
import matplotlib.pyplot as plt
import backprop_course as bc
from backprop_course.engine.graph import trace
from backprop_course.widgets import plotting as P
from backprop_course.widgets.graph_view import backward_steps, graph_explorer, layered_layout

random.seed(0)
np.random.seed(0)
rng = np.random.default_rng(0)

# %% [markdown]
# ## 1. Five nodes
#
# The 2017 note works with five quantities. Three are given (the **inputs**) and two are computed from
# them:
#
# $$x = -2, \qquad y = 5, \qquad z = -4, \qquad q = x + y = 3, \qquad f = q \cdot z = -12 .$$
#
# Drawn as a graph, every quantity is a node and every arrow says "is used to compute". Computing the
# nodes from the inputs towards $f$ is the **forward pass**. `bc.Value` builds exactly this graph
# while it computes: each `+` or `*` on Values creates a new node that remembers its operands.

# %%
x = bc.Value(-2.0, label="x")
y = bc.Value(5.0, label="y")
z = bc.Value(-4.0, label="z")
q = x + y
q.label = "q"
f = q * z
f.label = "f"

print("q =", q.data, "  made by", repr(q.op), "from", [v.label for v in q._prev])
print("f =", f.data, " made by", repr(f.op), "from", [v.label for v in f._prev])
assert (x.data, y.data, z.data, q.data, f.data) == (-2.0, 5.0, -4.0, 3.0, -12.0)

# %% [markdown]
# ## 2. What we want to know
#
# Training needs to know how the output responds to each input: the **partial derivatives**
# $\partial f/\partial x$, $\partial f/\partial y$, $\partial f/\partial z$. Each one asks how fast $f$
# changes when that one input moves and the other two stay where they are.
#
# - $f$ uses $z$ directly: $f = q \cdot z$, so $\dfrac{\partial f}{\partial z} = q = 3$ (the 2017 note,
#   eq. 1).
# - $f$ uses $x$ only *through* $q$. The **chain rule** multiplies the two links of the chain
#   (eqs. 2 and 3):
#   $$\frac{\partial f}{\partial x} = \frac{\partial f}{\partial q}\,\frac{\partial q}{\partial x}
#     = z \cdot 1 = -4, \qquad
#     \frac{\partial f}{\partial y} = \frac{\partial f}{\partial q}\,\frac{\partial q}{\partial y}
#     = z \cdot 1 = -4 .$$
#
# (The 2017 note writes these derivatives with $\delta$; the usual symbol for a partial derivative is
# $\partial$, used here.)
#
# ## 3. The forward pass stores local gradients
#
# Each factor in those products belongs to **one** operation and can be computed the moment that
# operation runs, knowing nothing about the rest of the graph:
#
# - the add node $q = x + y$ knows $\partial q/\partial x = 1$ and $\partial q/\partial y = 1$;
# - the multiply node $f = q \cdot z$ knows $\partial f/\partial q = z = -4$ and
#   $\partial f/\partial z = q = 3$ ("each factor's gradient is the other factor").
#
# These are the **local gradients**. The 2017 note's key idea is to compute them during the forward pass
# and keep them in the node. `bc.Value` does exactly that: `node.local_grads` holds one number per
# operand, in the order of `node._prev`.

# %%
print("q.local_grads =", q.local_grads, "  (dq/dx, dq/dy)")
print("f.local_grads =", f.local_grads, " (df/dq, df/dz)")
assert q.local_grads == (1.0, 1.0)
assert f.local_grads == (z.data, q.data) == (-4.0, 3.0)

# %% [markdown]
# `trace` turns a graph into plain lists: the nodes in **topological order** (every node after the
# nodes it is computed from) and one edge per (operand, result) pair with its local gradient. The
# gradients are still 0: no backward pass has run yet.

# %%
nodes, edges = trace(f)
for n in nodes:
    print(f"node {n['id']}: {n['label']}  op={n['op'] or '(input)':8s} value={n['data']:6.1f}  grad={n['grad']}")
for e in edges:
    print(f"edge {nodes[e['source']]['label']} -> {nodes[e['target']]['label']}:  local gradient {e['local_grad']}")
assert [n["label"] for n in nodes] == ["x", "y", "q", "z", "f"]

# %%
# NBVAL_IGNORE_OUTPUT
fig, ax = plt.subplots(figsize=(6.4, 3.4), dpi=80)
P.draw_computational_graph(ax, nodes, edges, layered_layout(nodes, edges),
                           grads=[float("nan")] * len(nodes))
ax.set_title("After the forward pass: values known, local gradients stored, gradients unknown (?)",
             fontsize=10)
fig.tight_layout()
assert len(nodes) == 5 and len(edges) == 4
plt.show()

# %% [markdown]
# ## 4. The backward pass
#
# Now walk the graph from $f$ back to the inputs, in reverse topological order.
#
# 1. Start with $\partial f/\partial f = 1$.
# 2. At $f$: hand each operand *(gradient of $f$) × (its local gradient)*:
#    $q$ gets $1 \cdot (-4) = -4$ and $z$ gets $1 \cdot 3 = 3$.
# 3. At $q$: its gradient $-4$ is complete (nothing else uses $q$), so hand $-4 \cdot 1 = -4$ to
#    $x$ and $-4 \cdot 1 = -4$ to $y$.
#
# Every step is one multiplication by a number stored in the forward pass; no derivative is worked out
# during the backward pass. That is the **back propagation** of the 2017 note: the gradient at the end is
# passed backwards, node by node, and multiplied by each node's local gradient. Here are the same
# three steps with the stored numbers:

# %%
df_df = 1.0
df_dq = df_df * f.local_grads[0]        # step 2: upstream 1 times df/dq = -4
df_dz = df_df * f.local_grads[1]        #         upstream 1 times df/dz = 3
df_dx = df_dq * q.local_grads[0]        # step 3: upstream -4 times dq/dx = 1
df_dy = df_dq * q.local_grads[1]        #         upstream -4 times dq/dy = 1
print("by hand: df/dq =", df_dq, " df/dz =", df_dz, " df/dx =", df_dx, " df/dy =", df_dy)

# %% [markdown]
# `f.backward()` does the same walk for any graph (iteratively, so even a graph a million nodes deep
# is fine) and writes each result into the node's `.grad`:

# %%
f.backward()
print("engine: df/dx =", x.grad, " df/dy =", y.grad, " df/dz =", z.grad, " df/dq =", q.grad, " df/df =", f.grad)
assert (x.grad, y.grad, z.grad, q.grad, f.grad) == (-4.0, -4.0, 3.0, -4.0, 1.0)
assert (df_dx, df_dy, df_dz, df_dq) == (x.grad, y.grad, z.grad, q.grad)

# %% [markdown]
# The graph view's pure helper `backward_steps` lists the same walk as states, one per node that has
# operands (`nan` marks a gradient that has not arrived yet):

# %%
for k, s in enumerate(backward_steps(nodes, edges)):
    done = {nodes[i]["label"]: g for i, g in enumerate(s.grads) if not np.isnan(g)}
    where = "seed df/df = 1" if k == 0 else f"process node {nodes[s.node]['label']}"
    print(f"step {k} ({where}):  known gradients {done}")


# %% [markdown]
# ## 5. What "decreases $f$ by 4" means
#
# The 2017 note reads $\partial f/\partial x = -4$ as: *increase $x$ by one unit, keep $y$ and $z$ fixed,
# and $f$ decreases by 4 units*; the same for $y$. Let us check it by recomputing $f$:

# %%
def f_of(x, y, z):
    return (x + y) * z

base = f_of(-2.0, 5.0, -4.0)
print("f(-2, 5, -4) =", base)
print("x + 1: f(-1, 5, -4) =", f_of(-1.0, 5.0, -4.0), "  change", f_of(-1.0, 5.0, -4.0) - base)
print("y + 1: f(-2, 6, -4) =", f_of(-2.0, 6.0, -4.0), "  change", f_of(-2.0, 6.0, -4.0) - base)
print("z + 1: f(-2, 5, -3) =", f_of(-2.0, 5.0, -3.0), "   change", f_of(-2.0, 5.0, -3.0) - base)
assert f_of(-1.0, 5.0, -4.0) - base == x.grad == -4.0
assert f_of(-2.0, 6.0, -4.0) - base == y.grad == -4.0
assert f_of(-2.0, 5.0, -3.0) - base == z.grad == 3.0

# %% [markdown]
# The changes are **exactly** the partial derivatives, even for a whole unit step. That is special to
# this $f$: with $y$ and $z$ held fixed, $f = (x + y)\,z$ is a straight line in $x$ with slope $z$, and a
# straight line changes by its slope times the step, however large the step. The same holds for $y$
# and for $z$.
#
# In general a derivative is a statement about **small** changes. Take $g(x) = x^2$ at $x = -2$: its
# slope $g'(-2) = -4$ is the same number, but a whole unit step gives $g(-1) - g(-2) = 1 - 4 = -3$,
# not $-4$. Only as the step shrinks does change ÷ step approach the slope:

# %%
for h in (1.0, 0.1, 0.001):
    change = (-2.0 + h) ** 2 - (-2.0) ** 2
    print(f"step {h:5}: g changes by {change:+.6f}   change / step = {change / h:+.4f}")
assert abs(((-2.0 + 1e-3) ** 2 - 4.0) / 1e-3 - (-4.0)) < 2e-3

# %% [markdown]
# ## 6. The graph explorer
#
# The view below draws the 2017 note's graph: inputs on the left, $f$ on the right, each box with its value
# (blue) and gradient (red, `?` until it arrives), each arrow with the local gradient stored on it.
# The buttons run the backward pass one node at a time; the sliders change the inputs and re-run the
# forward pass.
#
# > **Try this.**
# > 1. Press **reset**, then **backward step** twice, and read the explanation the view prints with
# >    each step: upstream gradient × local gradient for each operand, exactly the products of
# >    section 4.
# > 2. Move the `z` slider to 2. Which gradients change? ($\partial f/\partial x = \partial f/\partial
# >    y = z$ follow it, $\partial f/\partial z = q$ does not.)
# > 3. Make $q = 0$ (for example $x = -5$): now $\partial f/\partial z = 0$. Nudging $z$ cannot change
# >    $f = 0 \cdot z$.

# %%
# NBVAL_IGNORE_OUTPUT
view = graph_explorer()                 # the 2017 note's graph at x = -2, y = 5, z = -4
view.run_all()
assert view.state["output"] == -12.0
assert view.state["leaf_grads"] == {"x": -4.0, "y": -4.0, "z": 3.0}
view

# %%
view.reset()
view.step()
print("after one step, at node", view.state["nodes"][view.state["current"]]["label"], ":",
      [(up, local, out) for _, up, local, out in view.state["contributions"]])
view.set(z=2.0)
view.run_all()
print("with z = 2:", view.state["leaf_grads"], " f =", view.state["output"])
assert view.state["leaf_grads"] == {"x": 2.0, "y": 2.0, "z": 3.0}
view.set(z=-4.0)                        # back to the 2017 note's numbers

# %% [markdown]
# ## 7. When a node is used twice
#
# In the 2017 note every node is used once. When a node feeds two operations, its gradient has two paths
# to the output, and the two contributions **add up** (the multivariable chain rule). Take
# $h = x\,y + x$ at $x = -2$, $y = 5$: by hand $\partial h/\partial x = y + 1 = 6$ and
# $\partial h/\partial y = x = -2$. The engine adds the contributions arriving along both paths:

# %%
x = bc.Value(-2.0, label="x")
y = bc.Value(5.0, label="y")
h = x * y + x
h.backward()
print("h =", h.data, "  dh/dx =", x.grad, "  dh/dy =", y.grad)
assert (h.data, x.grad, y.grad) == (-12.0, 6.0, -2.0)


# %% [markdown]
# ## 8. A bigger graph: one sigmoid neuron
#
# Lesson 03 is about the artificial neuron: a weighted sum of inputs followed by the sigmoid
# $\sigma(n) = 1/(1 + e^{-n})$. Built from the primitive operations `*`, `+`, `neg`, `exp` and `/`,
# one neuron with two inputs is already a graph of fifteen nodes (the two constants 1 are nodes too,
# inputs that nobody trains). Nothing new is needed: the
# forward pass stores a local gradient per edge, the backward pass multiplies and adds.
#
# Inputs $x_1 = 1.5$, $x_2 = -0.5$, weights $w_1 = 0.8$, $w_2 = -1.2$, bias $b = -0.3$:
# $n = 0.8 \cdot 1.5 + (-1.2)(-0.5) - 0.3 = 1.5$ and the output is $\sigma(1.5) \approx 0.817574$.

# %%
def neuron(x1, x2, w1, w2, b):
    p1 = x1 * w1
    p1.label = "p1"                      # short labels keep the drawing readable
    p2 = x2 * w2
    p2.label = "p2"
    n = p1 + p2 + b                      # the net input
    n.label = "n"
    e = (-n).exp()                       # e = exp(-n)
    e.label = "e"
    d = 1 + e                            # d = 1 + exp(-n)
    d.label = "d"
    out = 1 / d                          # the sigmoid, written with primitive operations
    out.label = "out"
    return out

leaves = dict(x1=1.5, x2=-0.5, w1=0.8, w2=-1.2, b=-0.3)
inputs = {name: bc.Value(v, label=name) for name, v in leaves.items()}
out = neuron(**inputs)
out.backward()

nodes, edges = trace(out)
print("nodes in the graph:", len(nodes), "  edges:", len(edges))
print("out =", round(out.data, 6))
print("gradients:", {name: round(v.grad, 6) for name, v in inputs.items()})
assert abs(out.data - 1 / (1 + np.exp(-1.5))) < 1e-15

# %% [markdown]
# Three independent checks of those gradients:
#
# - **By formula.** The sigmoid's slope is $\sigma(1 - \sigma)$ (derived in lesson 03), so
#   $\partial\,\text{out}/\partial w_1 = \sigma(1 - \sigma)\, x_1$, $\partial\,\text{out}/\partial x_1 =
#   \sigma(1 - \sigma)\, w_1$, $\partial\,\text{out}/\partial b = \sigma(1 - \sigma)$, and so on.
# - **By finite differences.** `bc.gradcheck(fn, values)` nudges each input up and down, recomputes
#   the output and compares the slope with `.grad`.
# - **By the engine's one-node sigmoid.** `n.sigmoid()` stores the slope $\sigma(1-\sigma)$ as one local
#   gradient instead of four operations; the gradients must be the same.

# %%
s = out.data
slope = s * (1 - s)
expected = {"x1": slope * 0.8, "x2": slope * -1.2, "w1": slope * 1.5, "w2": slope * -0.5, "b": slope}
for name, v in inputs.items():
    assert abs(v.grad - expected[name]) < 1e-12, name
print("formula: every gradient matches, slope sigma(1 - sigma) =", round(slope, 6))

check = bc.gradcheck(neuron, list(inputs.values()))
print("finite differences agree to 1e-8:", check.passed(1e-8))
assert check.passed(1e-8)

compact = {name: bc.Value(v, label=name) for name, v in leaves.items()}
n = compact["x1"] * compact["w1"] + compact["x2"] * compact["w2"] + compact["b"]
one_node = n.sigmoid()
one_node.backward()
print("one sigmoid node: out =", round(one_node.data, 6), " nodes:", len(trace(one_node)[0]))
for name in leaves:
    assert abs(compact[name].grad - inputs[name].grad) < 1e-15

# %% [markdown]
# The explorer draws any function of Values. Here is the neuron; press **backward step** repeatedly
# and watch the gradient travel from `out` back through `/`, `+`, `exp` and `neg` to the weights.
#
# > **Try this.** Step through the whole backward pass and check each product the view prints. Then
# > drag `b` to 5: the neuron saturates ($\sigma \approx 1$) and every gradient shrinks towards 0,
# > the effect lesson 03 explains. Finally give `x1` the value 0: the gradient of `w1` is 0, because a
# > weight's gradient is proportional to the input it multiplies.

# %%
# NBVAL_IGNORE_OUTPUT
view = graph_explorer(neuron, **leaves)
view.run_all()
grads = view.state["leaf_grads"]
assert all(abs(grads[name] - inputs[name].grad) < 1e-15 for name in leaves)
view.reset()
view

# %% [markdown]
# ## Check yourself
#
# Answer with the buttons, or in code with `quiz.answer(1, "b")` and `quiz.reveal(1)` (lesson 01
# explains; nothing you answer leaves your notebook).

# %% jupyter={"source_hidden": true}
# Self-check questions. The code is hidden because it holds the answers (click ••• to show it).
# NBVAL_IGNORE_OUTPUT
Choice, Number = bc.widgets.Choice, bc.widgets.Number
# question 1: a node used twice, at new numbers
a, b = bc.Value(3.0), bc.Value(-2.0)
h2 = a * b + a
h2.backward()
assert (a.grad, b.grad) == (-1.0, 3.0)
# question 2: the 'Try this' of section 6 (z moved to 2)
x2, y2, z2 = bc.Value(-2.0), bc.Value(5.0), bc.Value(2.0)
f2 = (x2 + y2) * z2
f2.backward()
assert (x2.grad, z2.grad) == (2.0, 3.0)
# question 3: the 'Try this' of section 8 (x1 = 0 in the neuron)
zero = {name: bc.Value(v) for name, v in dict(leaves, x1=0.0).items()}
neuron(**zero).backward()
assert zero["w1"].grad == 0.0 and zero["x1"].grad != 0.0
x3, y3, z3 = bc.Value(-5.0), bc.Value(5.0), bc.Value(-4.0)           # 'Try this' 3 of section 6
f3 = (x3 + y3) * z3
f3.backward()
assert (f3.data, z3.grad, x3.grad) == (0.0, 0.0, -4.0)
quiz = bc.selfcheck(
    Number("For $h = x\\,y + x$ at $x = 3$, $y = -2$: what is $\\partial h/\\partial x$?", a.grad,
           why="$x$ reaches $h$ along two paths, and their contributions add: $y$ through the product "
               "and 1 through the sum, so $\\partial h/\\partial x = y + 1 = -2 + 1 = -1$.",
           wrong={-2.0: "that is only the path through $x\\,y$; $x$ is also added directly, which "
                        "contributes 1 more.",
                  1.0: "that is only the direct path; the path through $x\\,y$ contributes $y = -2$."}),
    Choice("Try this (section 6): in the 2017 note's graph, move $z$ from $-4$ to 2. What is "
           "$\\partial f/\\partial z$ now?",
           [f"{z2.grad:g}", "2", "-4", "0"], f"{z2.grad:g}",
           why="$\\partial f/\\partial z = q = x + y = 3$ does not depend on $z$. What follows $z$ are "
               "$\\partial f/\\partial x = \\partial f/\\partial y = z$, now 2.",
           wrong={"2": "2 is the new $\\partial f/\\partial x$ (and $\\partial f/\\partial y$), which "
                       "equal $z$; $\\partial f/\\partial z$ is the other factor, $q$.",
                  "-4": "$-4$ was $\\partial f/\\partial x$ before the change."}),
    Choice("Try this (section 8): give the neuron the input $x_1 = 0$. What is the gradient of $w_1$?",
           ["0", "σ(1 − σ) · w₁", "the same as before: x₁ is not a weight"], "0",
           why="The local gradient of $p_1 = x_1 w_1$ with respect to $w_1$ is the other factor, $x_1$. "
               "With $x_1 = 0$ everything arriving at $w_1$ is multiplied by 0: a weight's gradient "
               "is proportional to the input it multiplies.",
           wrong={"σ(1 − σ) · w₁": "that is the gradient of $x_1$, the other factor of the "
                                   "product."}),
    Number("Try this (section 6, 3): make $q = 0$ with $x = -5$ ($y = 5$, $z = -4$). What is "
           "$\\partial f/\\partial z$?", z3.grad,
           why="$\\partial f/\\partial z = q = x + y = 0$. With $q = 0$, $f = 0 \\cdot z$ stays 0 "
               "whatever $z$ does, so nudging $z$ cannot change $f$.",
           wrong={-4.0: "$-4$ is $\\partial f/\\partial x$ (which equals $z$); $\\partial f/\\partial z$ "
                        "is the other factor, $q$."}),
)
quiz

# %% [markdown]
# ## Recap
#
# - A computational graph breaks a calculation into operations; the forward pass computes every node
#   and stores, per operand, the **local gradient** of that one operation.
# - The backward pass starts from $\partial f/\partial f = 1$ and hands *upstream × local* to each
#   operand, in reverse topological order; contributions that arrive along several paths are added.
# - For the 2017 note: $q = 3$, $f = -12$, $\partial f/\partial x = \partial f/\partial y = -4$,
#   $\partial f/\partial z = 3$. Raising $x$ (or $y$) by 1 lowers $f$ by exactly 4 because $f$ is linear in
#   each input; for a curved function the derivative only predicts small changes.
# - `bc.Value` builds graphs as it computes; `backward()` fills `.grad`; `bc.gradcheck` confirms the
#   result by finite differences.
#
# **Exercise:** `exercises/ex02_graphs.ipynb`: the 2017 note's graph by hand, and the backward step of an
# add gate and of a multiply gate, checked with `bc.check`.
#
# **Next:** [03 · The artificial neuron](03_neuron.ipynb).
