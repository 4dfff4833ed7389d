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
# # 13 · Your own autograd engine (capstone)
#
# **After this lesson you can**
#
# - write a scalar `Value` class whose operations `+ * ** tanh exp` each remember how to send gradients
#   back to their operands;
# - order any graph topologically **without recursion**, and say why a recursive search fails on deep
#   graphs;
# - explain why a node used twice must *add* (`+=`) the gradients arriving along each path;
# - check your engine against `bc.Value` and against finite differences, and train a small network
#   with it that learns exactly what `bc.MLP` learns;
# - compare the two ways of storing the backward step: a function per node (micrograd) or numbers per
#   node (`bc.Value`).
#
# **Time:** about 45 minutes. Prerequisites: [lesson 02](02_computational_graphs.ipynb) (graphs, local
# gradients) and [lesson 06](06_backprop_network.ipynb) (backpropagation in a network).
#
# Lesson 12 trained a real network with the package: `bc.MLP` did the differentiating there, as
# `bc.Value` did for single expressions in lesson 02. This lesson and the two after it open that box:
# here you write the scalar engine yourself, lesson 14 replaces the squared error by the loss that
# classifiers use, and lesson 15 writes the backward pass of whole layers with matrices.
#
# The engine you write here follows **micrograd**, Andrej Karpathy's tiny autograd engine (about a
# hundred lines of Python), which inspired this lesson. Nothing in it is specific to neural networks:
# it differentiates any calculation built from its operations.

# %%
import random
import sys

import numpy as np
import matplotlib.pyplot as plt
import backprop_course as bc

random.seed(0)
np.random.seed(0)
rng = np.random.default_rng(0)

# %% [markdown]
# ## 1. The plan: one node, four things to remember
#
# Lesson 02 drew a calculation as a graph: every intermediate number is a node, computed from its
# operands. For the backward pass each node must know four things:
#
# | attribute | what it holds |
# |---|---|
# | `data` | the number computed in the forward pass |
# | `grad` | $\partial\,\text{output}/\partial\,\text{node}$, filled in by the backward pass (0 until then) |
# | `_prev` | the operands it was computed from |
# | `_backward` | a small function that, when called, passes this node's gradient on to its operands |
#
# The last one is micrograd's idea. When `out = a * b` is computed, the multiplication also writes a
# function that knows the rule for *this* multiplication: "add `b.data * out.grad` to `a.grad` and
# `a.data * out.grad` to `b.grad`". Python functions defined inside another function keep the variables
# they use (`a`, `b`, `out`): such a function is called a **closure**. The backward pass then only has to
# call every node's `_backward` in the right order.
#
# Every operation has the same beats: (1) compute the result and make the new node, (2) write its
# `_backward` with the local gradients of lesson 02, (3) attach it, (4) return the node. Here is the
# whole class; the five operations it implements are `+`, `*`, `**` (a plain number as exponent), `tanh`
# and `exp`. Everything else (negation, subtraction, division, and the reflected forms such as `3 * v`
# and `2 / v`) is built from them.

# %%
class Value:
    """A scalar that remembers how it was computed (micrograd's design: one closure per node)."""

    def __init__(self, data, _children=(), _op=""):
        self.data = float(data)
        self.grad = 0.0                      # d(output)/d(this node)
        self._prev = tuple(_children)        # the operands, in order
        self._op = _op                       # the operation's name, for printing
        self._backward = lambda: None        # an input passes nothing back

    # -- the five operations ---------------------------------------------------------------------------
    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)   # 2 + ... : wrap plain numbers
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += 1.0 * out.grad        # local gradient of a + b with respect to a: 1
            other.grad += 1.0 * out.grad       # ... and with respect to b: 1
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad   # each factor's gradient is the other factor
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def __pow__(self, n):                     # n is a plain number
        out = Value(self.data ** n, (self,), f"**{n}")

        def _backward():
            self.grad += n * self.data ** (n - 1) * out.grad   # the power rule
        out._backward = _backward
        return out

    def tanh(self):
        t = float(np.tanh(self.data))
        out = Value(t, (self,), "tanh")

        def _backward():
            self.grad += (1.0 - t ** 2) * out.grad    # tanh' = 1 - tanh^2, written with the output t
        out._backward = _backward
        return out

    def exp(self):
        out = Value(float(np.exp(self.data)), (self,), "exp")

        def _backward():
            self.grad += out.data * out.grad          # e^x is its own derivative
        out._backward = _backward
        return out

    # -- built from the five ---------------------------------------------------------------------------
    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-other)

    def __truediv__(self, other):
        return self * other ** -1.0

    def __radd__(self, other):               # 2 + v: Python asks the number first, then v
        return self + other

    def __rmul__(self, other):
        return self * other

    def __rsub__(self, other):
        return (-self) + other

    def __rtruediv__(self, other):           # 2 / v
        return Value(other) * self ** -1.0

    # -- the backward pass (section 3) -----------------------------------------------------------------
    def backward(self):
        """Fill node.grad = d(self)/d(node) for every node this one depends on."""
        order = topological_order(self)
        self.grad = 1.0                              # d(self)/d(self)
        for node in reversed(order):                 # outputs before inputs
            node._backward()

    def __repr__(self):
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g})"


def topological_order(root):
    """Every node root depends on, each once, every node after its operands. No recursion."""
    order, visited = [], set()
    stack = [(root, False)]                  # (node, are its operands already in order?)
    while stack:
        node, operands_done = stack.pop()
        if operands_done:
            order.append(node)               # its operands are all in order: now it may follow
        elif node not in visited:
            visited.add(node)
            stack.append((node, True))       # come back to it after its operands...
            for child in reversed(node._prev):   # ...which are pushed last, so they are handled
                if child not in visited:             # first (reversed: the order reads like the code)
                    stack.append((child, False))
    return order


# %% [markdown]
# ## 2. Five operations, one closure each
#
# Before any backward pass, each closure can be tried on its own: set `out.grad` by hand (as if the
# gradient had arrived from above) and call `out._backward()`. The operand's gradient must become
# *local gradient × `out.grad`*. The local gradients are those of lesson 02 and lesson 03:
#
# | operation | local gradient with respect to `a` |
# |---|---|
# | `a + b` | 1 |
# | `a * b` | `b` |
# | `a ** n` | `n * a**(n-1)` |
# | `tanh(a)` | `1 - tanh(a)**2` |
# | `exp(a)` | `exp(a)` |
#
# `bc.Value` stores these same local gradients as numbers in `local_grads` (lesson 02), so it can
# judge every closure. A central finite difference, $(f(a+h) - f(a-h))/2h$, is a second, independent
# judge.

# %%
def one_step(make, a, upstream=1.5):
    """Apply one operation to Value(a), set out.grad = upstream, run its closure: (out.data, a.grad)."""
    x = Value(a)
    out = make(x)
    out.grad = upstream
    out._backward()
    return out.data, x.grad


operations = {
    "a + 2":   (lambda v: v + 2.0,   lambda u: u + 2.0),
    "a * -3":  (lambda v: v * -3.0,  lambda u: u * -3.0),
    "a ** 3":  (lambda v: v ** 3,    lambda u: u ** 3),
    "tanh(a)": (lambda v: v.tanh(),  np.tanh),
    "exp(a)":  (lambda v: v.exp(),   np.exp),
}
a, h = 0.7, 1e-6
for name, (make, plain) in operations.items():
    data, grad = one_step(make, a)
    ref = make(bc.Value(a))                                # bc.Value: the local gradient it stored
    numeric = 1.5 * (plain(a + h) - plain(a - h)) / (2 * h)
    print(f"{name:8s} out = {data:8.4f}   a.grad = {grad:8.4f}   bc.Value: {1.5 * ref.local_grads[0]:8.4f}"
          f"   finite difference: {numeric:8.4f}")
    assert abs(data - ref.data) < 1e-15 and abs(grad - 1.5 * ref.local_grads[0]) < 1e-12
    assert abs(grad - numeric) < 1e-6

# %% [markdown]
# ## 3. The backward pass
#
# A closure may only run when its node's `grad` is **complete**, that is, when every node that uses it
# has already passed its share down. So the closures are called from the output back to the inputs, in
# the reverse of a **topological order** (an order where every node comes after its operands). That is
# all `backward()` does: seed $\partial\,\text{out}/\partial\,\text{out} = 1$, then call the closures
# in reverse order.
#
# The 2017 note's graph $f = (x + y)\,z$ at $x = -2$, $y = 5$, $z = -4$ once more:

# %%
x, y, z = Value(-2.0), Value(5.0), Value(-4.0)
q = x + y
f = q * z
print("topological order:", [node._op or f"input {node.data:g}" for node in topological_order(f)])
f.backward()
print("df/dx =", x.grad, " df/dy =", y.grad, " df/dz =", z.grad)
assert (x.grad, y.grad, z.grad) == (-4.0, -4.0, 3.0)

# %% [markdown]
# ## 4. A topological order without recursion
#
# micrograd builds the order with a short recursive function: visit the operands, then append the
# node. It reads beautifully, but every level of the graph costs one Python call frame, and Python stops
# a recursion at about 1,000 frames (`sys.getrecursionlimit()`). A chain of a few thousand operations,
# ordinary in a long training loop or a recurrent network unrolled in time, is too deep.
#
# `topological_order` above keeps the nodes still to visit on a list of its own (a *stack*). Each node is
# pushed twice: first to push its operands, then, marked "operands done", to be appended to the order.
# The `visited` set makes sure a node reached along two paths is handled once. Here is a chain 5,000
# operations deep, first with the recursive search, then with the stack:

# %%
def recursive_order(root):
    order, visited = [], set()

    def visit(node):
        if node not in visited:
            visited.add(node)
            for child in node._prev:
                visit(child)                 # one call frame per level of the graph
            order.append(node)
    visit(root)
    return order


def chain(v):
    """depth operations in a row: add 0.001, multiply by 1.0002, add 0.001, ..."""
    for i in range(depth):
        v = v * 1.0002 if i % 2 else v + 0.001
    return v


depth = 5_000
assert depth > sys.getrecursionlimit()
start = Value(0.5)
node = chain(start)
try:
    recursive_order(node)
    print("recursive search: finished")
except RecursionError:
    print("recursive search: RecursionError (Python's recursion limit)")
node.backward()
print("stack search:", len(topological_order(node)), "nodes ordered; d(out)/d(start) =", round(start.grad, 6))

# %% [markdown]
# Is that gradient right? $\partial\,\text{out}/\partial\,\text{start}$ is the product of the 5,000 local
# gradients along the chain (lesson 05): 1 for each addition and 1.0002 for each of the 2,500
# multiplications, so $1.0002^{2500}$. `bc.Value` computes the same chain with its own iterative
# backward pass, and a finite difference measures it from outside:

# %%
reference = bc.Value(0.5)
chain(reference).backward()
numeric = (chain(0.5 + 1e-6) - chain(0.5 - 1e-6)) / 2e-6     # the same chain on plain floats
print("bc.Value:", round(reference.grad, 6), "  finite difference:", round(numeric, 5),
      "  1.0002 ** 2500 =", round(1.0002 ** 2500, 6))
assert abs(start.grad - reference.grad) < 1e-12 and abs(start.grad - numeric) < 1e-6
assert abs(start.grad - 1.0002 ** 2500) < 1e-9

# %% [markdown]
# > **Try this.** Replace `topological_order` in `backward` by `recursive_order` and run the chain again;
# > then try `depth = 500`. The recursive version is fine for shallow graphs only.
#
# ## 5. A node used twice
#
# In $g = x \cdot x + x$ the node $x$ feeds three places: both factors of the product and the sum.
# Each path delivers its own share, and the multivariable chain rule says the shares **add up**:
# $\partial g/\partial x = x + x + 1 = 2x + 1$. That is why every closure writes `+=`: with `=`, the
# share arriving last would overwrite the others. Watch the shares arrive at $x = 3$, one closure at a
# time:

# %%
x = Value(3.0)
sq = x * x
g = sq + x
g.grad = 1.0
for node in reversed(topological_order(g)):
    before = x.grad
    node._backward()
    if x.grad != before:
        print(f"the {node._op!r} node adds {x.grad - before:g} to x.grad, which is now {x.grad:g}")
print("dg/dx =", x.grad, " (2x + 1 =", 2 * 3.0 + 1, ")")
assert x.grad == 7.0

# %% [markdown]
# The `*` node adds two shares at once (`self` and `other` are both `x`), the `+` node a third: 3 + 3 + 1
# = 7. With `=` instead of `+=` in every closure, each share would overwrite the one before it and
# `x.grad` would end at 3, the `*` node's share alone (that closure runs last).
#
# ## 6. Checking the whole engine
#
# Both engines speak the same operators, so one Python function builds the same expression on either.
# Here is a random-looking expression with a reused node, checked against `bc.Value` and against central
# finite differences of every input:

# %%
def expression(a, b, c):
    u = a * b                          # u is used twice below
    w = (u + c).tanh() * u
    return w + (a * 0.5).exp() - b ** 2 / c + 1.0 / c   # 1.0 / c: the reflected division


inputs = [0.8, -1.3, 2.1]
mine = [Value(v) for v in inputs]
theirs = [bc.Value(v) for v in inputs]
out_mine, out_theirs = expression(*mine), expression(*theirs)
out_mine.backward()
out_theirs.backward()
numeric = []
for i in range(3):
    up, down = list(inputs), list(inputs)
    up[i] += 1e-6
    down[i] -= 1e-6
    # forward passes only (on numbers wrapped as Values): no gradient code is involved
    numeric.append((expression(*map(Value, up)).data - expression(*map(Value, down)).data) / 2e-6)
print("output:", round(out_mine.data, 6), "  bc.Value:", round(out_theirs.data, 6))
print("gradients (mine):         ", [round(v.grad, 6) for v in mine])
print("gradients (bc.Value):     ", [round(v.grad, 6) for v in theirs])
print("gradients (finite diff.): ", [round(n, 6) for n in numeric])
assert all(abs(m.grad - t.grad) < 1e-12 for m, t in zip(mine, theirs))
assert all(abs(m.grad - n) < 1e-6 for m, n in zip(mine, numeric))

# %% [markdown]
# ## 7. Calling `backward()` twice
#
# Our `backward()` does not reset anything: the closures *add*, so a second call adds the same
# gradients again and doubles them. micrograd behaves the same way, and a training loop therefore sets
# every parameter's `grad` to 0 before each backward pass. `bc.Value.backward()` resets the graph's
# gradients first (see its docstring), so calling it twice gives the same numbers.

# %%
w = Value(3.0)
loss = w * w                            # d(loss)/dw = 2w = 6
loss.backward()
first = w.grad
loss.backward()
print("ours, first call:", first, "  second call:", w.grad)
w.grad = 0.0                            # what a training loop does before every backward pass
loss.backward()
print("ours after zeroing:", w.grad)
w_bc = bc.Value(3.0)
loss_bc = w_bc * w_bc
loss_bc.backward()
loss_bc.backward()
print("bc.Value, second call:", w_bc.grad)
assert (first, w_bc.grad) == (6.0, 6.0)

# %% [markdown]
# ## 8. Design note: closures or stored local gradients?
#
# `bc.Value` (in `backprop_course/engine/value.py`) makes the other choice. Its operations store the
# **numbers** `local_grads` (one per operand) instead of a function, and one loop in `backward()`
# applies the same rule to every node: `operand.grad += local * node.grad`. The two designs compute the
# same products in the same order; the difference is *where the rule lives*:
#
# - a micrograd closure is "a local gradient plus the rule to apply it", packed into a function per
#   node. That is the most flexible form: an unusual operation just writes its own closure;
# - `bc.Value` keeps only the numbers, because for scalar operations with one or two operands the rule
#   is always the same. The numbers can be printed and drawn (the graph view of lesson 02 shows them on
#   the arrows), a node needs no function object, and there is no reference cycle: a closure refers to
#   `out`, and `out._backward` refers to the closure, so Python's cycle collector, not the moment the
#   last name goes away, frees such a graph.
#
# The closure of our `*` captured `self`, `other` and `out`; multiplying out its body gives exactly the
# two numbers `bc.Value` stored:

# %%
a, b = Value(2.0), Value(-3.0)
out = a * b
out.grad = 1.0
out._backward()
print("closure, run with out.grad = 1:", (a.grad, b.grad))
print("bc.Value's stored numbers:     ", (bc.Value(2.0) * bc.Value(-3.0)).local_grads)
assert (a.grad, b.grad) == (bc.Value(2.0) * bc.Value(-3.0)).local_grads

# %% [markdown]
# ## 9. Training a network with it
#
# A network is only a bigger expression. Make one `Value` per weight and bias, compute the error
# $E = \tfrac12 \sum (t - y)^2$ over all samples with the operations above, call `E.backward()`, and
# move every parameter downhill. The network has 2 inputs, 4 tanh neurons and one linear output, and
# learns the moons of `bc.datasets` (40 points).

# %%
data = bc.datasets.moons(40, noise=0.1, seed=1)
X, T = data.X, data.T
sizes, lr, steps = [2, 4, 1], 0.01, 40
start_net = bc.MLP(sizes, activation=["tanh", "linear"], init="xavier", seed=3)   # only for its starting weights
weights = [W.copy() for W in start_net.weights]
biases = [b.copy() for b in start_net.biases]


def train_with_values(X, T, weights, biases, lr, steps):
    W = [[[Value(w) for w in row] for row in Wl] for Wl in weights]      # one Value per parameter, made once
    B = [[Value(b) for b in bl] for bl in biases]
    params = [p for Wl in W for row in Wl for p in row] + [p for bl in B for p in bl]
    losses = []
    for _ in range(steps):
        E = Value(0.0)
        for x, t in zip(X, T):
            a = [float(v) for v in x]
            for l, (Wl, bl) in enumerate(zip(W, B)):
                z = [sum((w * ak for w, ak in zip(row, a)), b) for row, b in zip(Wl, bl)]
                a = [zj.tanh() for zj in z] if l < len(W) - 1 else z        # tanh hidden, linear output
            for tj, yj in zip(t, a):
                E = E + (float(tj) - yj) ** 2
        E = E * 0.5
        losses.append(E.data)                # before the update
        for p in params:
            p.grad = 0.0                     # our backward() adds: clear the last step's gradients
        E.backward()
        for p in params:
            p.data -= lr * p.grad
    return losses


losses = train_with_values(X, T, weights, biases, lr, steps)
print("E at steps 0, 10, 20, 30, 39:", [round(losses[i], 4) for i in (0, 10, 20, 30, 39)])
assert losses[-1] < 0.5 * losses[0]

# %% [markdown]
# The vectorised network of the course computes the same thing with matrices (lesson 06): same starting
# weights, same error, same plain gradient descent over all samples. Its loss curve must be our curve:

# %%
net = bc.MLP(sizes, activation=["tanh", "linear"], seed=0)
net.set_state({"weights": weights, "biases": biases})
optimizer = bc.SGD(lr=lr)
reference = []
for _ in range(steps):
    reference.append(0.5 * float(np.sum((T - net.forward(X)) ** 2)))
    optimizer.step(net, net.backward(T))
gap = max(abs(m - r) for m, r in zip(losses, reference))
print("largest difference between the two loss curves below 1e-9:", gap < 1e-9)
assert gap < 1e-9

# %%
# NBVAL_IGNORE_OUTPUT
fig, ax = plt.subplots(figsize=(6.4, 3.2), dpi=80)
ax.semilogy(losses, color="#0072B2", ls="-", lw=4, alpha=0.6, label="your engine (Value, closures)")
ax.semilogy(reference, color="black", ls="--", lw=1.2, label="bc.MLP (matrices)")
ax.set_xlabel("step (one update over all 40 samples)")
ax.set_ylabel("E = 1/2 sum (t - y)^2 (log scale)")
ax.grid(alpha=0.3, which="both")
ax.set_title("The same training, two engines")
ax.legend()
fig.tight_layout()
assert len(ax.lines) == 2 and np.allclose(ax.lines[0].get_ydata(), ax.lines[1].get_ydata(), atol=1e-9)
plt.show()

# %% [markdown]
# > **Try this.**
# > 1. Delete the line `p.grad = 0.0` and train again: every step now also applies the gradients of all
# >    earlier steps, and the curve leaves the reference (it behaves like momentum without the decay).
# > 2. In `__mul__`, write `self.grad = other.data * out.grad` (with `=`) and rerun section 5: which
# >    share survives?
# > 3. Add `relu` to `Value` (local gradient 1 for a positive input, else 0) and check it against
# >    `bc.Value(...).relu()` as in section 2.

# %% [markdown]
# ## Check yourself
#
# Answer with the buttons, or in code with `quiz.answer(1, "b")` and `quiz.reveal(1)`; nothing leaves your notebook.

# %% jupyter={"source_hidden": true}
# Self-check questions. The code is hidden because it holds the answers (click ••• to show it).
# NBVAL_IGNORE_OUTPUT
Choice, Number = bc.widgets.Choice, bc.widgets.Number


def reused_x_grad(overwrite_other):
    """Section 5's g = x * x + x at x = 3, with `=` in the first line of __mul__ ('Try this' 2 of section 9)."""
    class Overwriting(Value):
        def __mul__(self, other):
            other = other if isinstance(other, Value) else Value(other)
            out = Value(self.data * other.data, (self, other), "*")

            def _backward():
                self.grad = other.data * out.grad                  # the change the 'Try this' asks for
                if overwrite_other:
                    other.grad = self.data * out.grad
                else:
                    other.grad += self.data * out.grad
            out._backward = _backward
            return out
    x3 = Overwriting(3.0)
    g3 = x3 * x3 + x3
    g3.backward()
    return x3.grad


survives, all_overwrite = reused_x_grad(False), reused_x_grad(True)
assert (survives, all_overwrite) == (6.0, 3.0)                      # section 5's text: 3 with `=` everywhere


def recursion_outcome(n):
    """recursive_order on section 4's chain, n operations deep ('Try this' of section 4)."""
    v = Value(0.5)
    for i in range(n):
        v = v * 1.0002 if i % 2 else v + 0.001
    try:
        recursive_order(v)
        return "finishes"
    except RecursionError:
        return "RecursionError"


outcomes = {n: recursion_outcome(n) for n in (500, 5_000)}
assert outcomes == {500: "finishes", 5_000: "RecursionError"}
recursion_answer = f"{outcomes[5_000]} at depth 5,000; it {outcomes[500]} at depth 500"

x_t = Value(0.5)
x_t.tanh().backward()
x_ref = bc.Value(0.5)
x_ref.tanh().backward()
tanh_slope = x_t.grad
assert abs(tanh_slope - x_ref.grad) < 1e-15
assert abs(tanh_slope - (np.tanh(0.5 + 1e-6) - np.tanh(0.5 - 1e-6)) / 2e-6) < 1e-9

quiz = bc.selfcheck(
    Number("Try this (section 9, 2): in `__mul__`, write `self.grad = other.data * out.grad` (with `=`, "
           "the `other` line keeps `+=`) and rerun section 5, $g = x \\cdot x + x$ at $x = 3$. What is "
           "`x.grad` now?", survives,
           why=f"The `+` node runs first and adds its share 1; then the `*` node's first line overwrites "
               f"`x.grad` with 3 and its second line adds 3: {survives:g}. The share of the `+` node is "
               "lost, and the right answer $2x + 1 = 7$ needs all three shares added.",
           wrong={7.0: "7 is the right gradient, which needs `+=` in both lines; with `=` one share is "
                       "overwritten.",
                  1.0: "the `+` node's share 1 arrives first (its node comes last in the topological "
                       "order), so the `*` node's `=` overwrites it.",
                  all_overwrite: "3 is what `=` in both lines of `__mul__` gives; the `other` line still "
                                 "adds its share."}),
    Choice("Try this (section 4): in `backward`, put `recursive_order` in place of `topological_order`. What happens "
           "on the chain of 5,000 operations, and on one of 500?",
           ["it finishes at both depths, only more slowly", "RecursionError at both depths", recursion_answer,
            "it finishes at both, but the gradient comes out wrong"],
           recursion_answer,
           why=f"Every level of the graph costs the recursive search one Python call frame, and Python "
               f"stops at about {sys.getrecursionlimit():,} frames. 500 levels fit, 5,000 do not. The "
               "stack version keeps the nodes still to visit on a list of its own, so its depth is limited "
               "only by memory.",
           wrong={"it finishes at both depths, only more slowly": "the depth, not the speed, is the "
                  "problem: one call frame per level, and Python allows about a thousand.",
                  "RecursionError at both depths": "500 levels stay below Python's recursion limit; only "
                                                   "deeper graphs fail.",
                  "it finishes at both, but the gradient comes out wrong": "both orders are topological, "
                  "so when the recursive search finishes its gradients are the same."}),
    Number("Your `Value`: `x = Value(0.5)`, then `x.tanh().backward()`. What is `x.grad`, to three "
           "decimals?", tanh_slope, tol=0.001,
           why=f"The closure adds $(1 - t^2)$ times `out.grad` $= 1$, with $t = \\tanh 0.5 = "
               f"{np.tanh(0.5):.4f}$ the output: $1 - {np.tanh(0.5):.4f}^2 = {tanh_slope:.3f}$.",
           wrong={round(1 - 0.5 ** 2, 3): "that is $1 - a^2$ with the input $a = 0.5$; the slope is "
                                          "$1 - t^2$ with the output $t = \\tanh a$.",
                  round(float(np.tanh(0.5)), 3): "that is $\\tanh 0.5$, the forward value, not its slope."}),
)
quiz

# %% [markdown]
# ## Recap
#
# - An autograd engine is a graph of nodes, each with its value, its gradient, its operands and a way to
#   pass the gradient back. micrograd stores that way as a closure per node; `bc.Value` stores the local
#   gradients as numbers and applies one rule to all of them. Both compute the same products.
# - `backward()` seeds the output with 1 and calls the closures in reverse topological order. Build the
#   order with a stack of your own: a recursive search stops at Python's recursion limit, while the
#   stack handled a chain 5,000 operations deep.
# - Gradients that reach a node along several paths add up, hence `+=` in every closure; for the same
#   reason a training loop zeroes the gradients before each backward pass.
# - Checked three ways: against `bc.Value`, against finite differences, and by training a network whose
#   loss curve matches `bc.MLP`'s to better than 1e-9.
#
# **Exercise:** [`exercises/ex13_autograd.ipynb`](../exercises/ex13_autograd.ipynb): write `Value`'s
# five operations (ex13.ops), the iterative backward pass (ex13.backward, checked on expressions
# thousands of nodes deep, with reused nodes and a second pass) and a training loop with your engine
# (ex13.train), checked against the package on XOR, moons and circles.
#
# **Next:** [14 · Softmax and cross-entropy](14_softmax_cross_entropy.ipynb): the loss that classifiers
# use, and why its gradient at the output is simply $y - t$.
