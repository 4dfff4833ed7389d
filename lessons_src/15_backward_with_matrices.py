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
# # 15 · Backward with matrices
#
# **After this lesson you can**
#
# - go from the scalar chain rule to the matrix formulas of a layer, `dW = delta.T @ A` and
#   `dA = delta @ W`, and check such a formula by its shapes alone;
# - verify the formulas entry by entry with SymPy on a small case;
# - turn a broadcast in the forward pass into a sum in the backward pass;
# - say where a max or ReLU gate sends the gradient, including at a tie;
# - write layers as modules (`forward` keeps a cache, `backward` uses it) and assemble lesson 06's
#   network from them, number for number.
#
# **Time:** about 40 minutes. Prerequisites: [lesson 02](02_computational_graphs.ipynb) (gates on a
# computational graph, a node used twice) and [lesson 06](06_backprop_network.ipynb) (error terms and
# the 2-2-2 example).

# %%
import random

import numpy as np
import sympy as sp
import backprop_course as bc
from backprop_course.engine.gradcheck import numerical_gradient

random.seed(0)
np.random.seed(0)
rng = np.random.default_rng(0)

# %% [markdown]
# ## 1. From one weight to a matrix: shapes decide
#
# Lesson 06 wrote the backward pass of a layer as three lines of matrix code. Here we derive them from
# the scalar chain rule, one entry at a time, and then find a shortcut that makes them hard to get wrong.
#
# The package's affine layer takes a batch `A` of shape `(n, k)` (one sample per row), weights `W` of
# shape `(m, k)` (row $j$ holds the weights *into* neuron $j$) and a bias `b` of shape `(m,)`:
#
# $$Z = A W^\top + b, \qquad Z_{sj} = \sum_k A_{sk} W_{jk} + b_j ,$$
#
# with $s$ numbering the samples, $j$ the neurons of the layer and $k$ its inputs.
#
# Whatever comes after the layer (activations, more layers, the error $E$), it reaches $E$ only through
# $Z$. So all we need from downstream is the **upstream gradient** $G = \partial E/\partial Z$, one
# number per entry of $Z$. For the net input of a layer this is exactly the error term of lesson 06,
# `delta` (the UFLDL guide's $\delta$). The chain rule then adds up every path from a parameter to $E$:
#
# $$\frac{\partial E}{\partial W_{jk}} = \sum_{s} \frac{\partial E}{\partial Z_{sj}}
#   \frac{\partial Z_{sj}}{\partial W_{jk}} = \sum_s G_{sj} A_{sk} = (G^\top A)_{jk},$$
#
# $$\frac{\partial E}{\partial A_{sk}} = \sum_{j} G_{sj} W_{jk} = (G W)_{sk}, \qquad
#   \frac{\partial E}{\partial b_j} = \sum_s G_{sj}.$$
#
# ($W_{jk}$ appears in $Z_{sj}$ for every sample $s$, so its gradient sums over the samples; $A_{sk}$
# feeds every neuron $j$, so its gradient sums over the neurons.)
#
# **The shortcut.** A gradient has the shape of what it is the gradient of: $\partial E/\partial W$ is
# one number per weight, so it has `W`'s shape `(m, k)`. We hold `G` `(n, m)` and `A` `(n, k)`, and the
# only product of the two that has shape `(m, k)` is `G.T @ A`. Likewise `dA` must be `(n, k)` and the
# only way to get it from `G` `(n, m)` and `W` `(m, k)` is `G @ W`. The cell tries every candidate:

# %%
n, k, m = 5, 3, 2                                    # three different sizes: shapes tell candidates apart
A = rng.normal(size=(n, k))
W = rng.normal(size=(m, k))
b = rng.normal(size=m)
G = rng.normal(size=(n, m))                          # an upstream gradient dE/dZ

candidates = {"G.T @ A": lambda: G.T @ A, "A.T @ G": lambda: A.T @ G, "G @ A.T": lambda: G @ A.T,
              "G @ W": lambda: G @ W, "G @ W.T": lambda: G @ W.T, "W @ G.T": lambda: W @ G.T}
for name, product in candidates.items():
    try:
        shape = product().shape
    except ValueError:
        shape = "shapes do not fit"
    print(f"{name:8s} -> {shape}")
print("wanted: dW", W.shape, "  dA", A.shape)

# %% [markdown]
# Only `G.T @ A` has the shape of `W` and only `G @ W` the shape of `A`. The shapes chose the formulas
# for us. To be sure the chosen product holds the right *numbers* too, compare it with the sums of the
# chain rule written as loops, and with central finite differences of a scalar that has this upstream
# gradient, $E = \sum_{sj} G_{sj} Z_{sj}$:

# %%
dW_loops = np.zeros_like(W)
for j in range(m):
    for kk in range(k):
        dW_loops[j, kk] = sum(G[s, j] * A[s, kk] for s in range(n))     # the chain rule, one entry


def E_of(_):                                          # reads A, W, b as they are (numerical_gradient nudges them)
    return float(np.sum(G * (A @ W.T + b)))


checks = {"dW = G.T @ A": (G.T @ A, W), "dA = G @ W": (G @ W, A), "db = G.sum(axis=0)": (G.sum(axis=0), b)}
print("loops vs G.T @ A, equal up to rounding (1e-14):", np.allclose(dW_loops, G.T @ A, rtol=0, atol=1e-14))
for name, (formula, array) in checks.items():
    numeric = numerical_gradient(E_of, array, eps=1e-6)
    agree = np.allclose(formula, numeric, rtol=1e-7, atol=1e-9)
    print(f"{name:20s} agrees with finite differences: {agree}")
    assert agree
assert np.allclose(dW_loops, G.T @ A, rtol=0, atol=1e-14)

# %% [markdown]
# **Where the shortcut stops.** Shapes catch a transposed product only when the sizes differ. With as
# many samples as inputs and outputs (all three sizes equal), the wrong `A.T @ G` has the right shape and
# the wrong numbers:

# %%
As, Gs = rng.normal(size=(3, 3)), rng.normal(size=(3, 3))
print("shapes:", (Gs.T @ As).shape, (As.T @ Gs).shape)
print("same numbers:", np.allclose(Gs.T @ As, As.T @ Gs))

# %% [markdown]
# So test a backward pass with sizes that all differ (as the exercises' hidden cases do), and keep
# finite differences as the referee.
#
# The four write-ups say the same thing in their own layouts. The UFLDL guide works with one sample as
# a column vector and writes $\nabla_{W^{(l)}} J = \delta^{(l+1)} (a^{(l)})^\top$, an outer product:
# our `delta.T @ A` is that outer product added up over the rows (samples) of the batch. The 2017 note
# writes $\partial L/\partial w^n = \partial L/\partial z^n \cdot a^{n-1}$ (its eqs. 6 and 11, lesson 06),
# and eq. 10 of Backpropagation for dummies, $\partial E/\partial w_{i,j} = \delta_i\, a_j$, is one entry
# of it. Gashler derives the same product in his notation, $-e_{ij}\, y_{(i-1)k}$ (lesson 07).
#
# ## 2. SymPy checks one small case, entry by entry
#
# Now the same formulas with no numbers at all. Take two samples, three inputs and two outputs, a
# linear output layer and the sources' error $E = \tfrac12 \sum (t - z)^2$. Every input, weight, bias
# and target is a symbol. SymPy differentiates $E$ with respect to each of the $6 + 2 + 6$ parameters and
# inputs separately, and we compare each derivative with the matching entry of the matrix formula, whose
# upstream gradient here is $G = \partial E/\partial Z = -(T - Z)$.

# %%
N, K, M = 2, 3, 2
As_ = sp.Matrix(N, K, lambda s, i: sp.Symbol(f"a_{s + 1}{i + 1}"))
Ws_ = sp.Matrix(M, K, lambda j, i: sp.Symbol(f"w_{j + 1}{i + 1}"))
bs_ = sp.Matrix(1, M, lambda _, j: sp.Symbol(f"b_{j + 1}"))
Ts_ = sp.Matrix(N, M, lambda s, j: sp.Symbol(f"t_{s + 1}{j + 1}"))

Zs_ = As_ * Ws_.T + sp.ones(N, 1) * bs_               # Z = A W^T + b, the bias copied to each row
E_sym = sp.Rational(1, 2) * sum((Ts_[s, j] - Zs_[s, j]) ** 2 for s in range(N) for j in range(M))
Gs_ = -(Ts_ - Zs_)                                    # dE/dZ

formulas = {"W": (Ws_, Gs_.T * As_), "A": (As_, Gs_ * Ws_), "b": (bs_, sp.ones(1, N) * Gs_)}
for name, (params, formula) in formulas.items():
    agree = [sp.expand(sp.diff(E_sym, params[i, j]) - formula[i, j]) == 0
             for i in range(params.rows) for j in range(params.cols)]
    print(f"dE/d{name}: {sum(agree)} of {len(agree)} entries equal the matrix formula")
    assert all(agree)

# %% [markdown]
# One entry written out, so you can see the sum over the two samples that `G.T @ A` performs:

# %%
entry = sp.factor_terms(sp.diff(E_sym, Ws_[0, 1]))
print("dE/dw_12 =", entry)
assert sp.expand(entry - (Gs_[0, 0] * As_[0, 1] + Gs_[1, 0] * As_[1, 1])) == 0

# %% [markdown]
# And a numeric cross-check of the symbolic result: `lambdify` turns the derivative with respect to
# `W` into numbers, and the package's network (one linear layer, `bc.MLP([3, 2],
# activation="linear")`) computes its own gradient with the same inputs.

# %%
Xn, Tn = rng.normal(size=(N, K)), rng.normal(size=(N, M))
net = bc.MLP([K, M], activation="linear", seed=1)
net.biases[0][:] = rng.normal(size=M)
subs = {**{As_[s, i]: Xn[s, i] for s in range(N) for i in range(K)},
        **{Ws_[j, i]: net.weights[0][j, i] for j in range(M) for i in range(K)},
        **{bs_[0, j]: net.biases[0][j] for j in range(M)},
        **{Ts_[s, j]: Tn[s, j] for s in range(N) for j in range(M)}}
symbols = list(subs)
dW_fn = sp.lambdify(symbols, sp.Matrix(M, K, lambda j, i: sp.diff(E_sym, Ws_[j, i])), "numpy")
dW_sympy = np.array(dW_fn(*subs.values()), dtype=float)
net.forward(Xn)
g = net.backward(Tn)
print("SymPy :", np.round(dW_sympy, 6).tolist())
print("engine:", np.round(g.weights[0], 6).tolist())
assert np.allclose(dW_sympy, g.weights[0], rtol=1e-12, atol=1e-14)

# %% [markdown]
# ## 3. Broadcast forward, sum backward
#
# In `Z = A @ W.T + b` the bias `b` of shape `(m,)` is added to every row: numpy *broadcasts* it,
# which is the same as copying it $n$ times. Lesson 02 (section 7, "When a node is used twice") showed
# that a value used in several places receives the **sum** of the gradients arriving along each use. So the backward pass of a
# broadcast is a sum over the axis the copies were made along:
#
# | forward (broadcast) | shape of the parameter | backward (sum) |
# |---|---|---|
# | a bias added to every sample | `(m,)` | `G.sum(axis=0)` |
# | a row vector kept 2-D | `(1, m)` | `G.sum(axis=0, keepdims=True)` |
# | one shift per sample (a column) | `(n, 1)` | `G.sum(axis=1, keepdims=True)` |
# | one number added to everything | `()` | `G.sum()` |
#
# The general rule: sum over every axis broadcasting added in front, and over every axis where the
# parameter had length 1; the result then has the parameter's own shape (the shape check again). The
# cell checks the four rows of the table with finite differences.

# %%
G = rng.normal(size=(4, 3))
params = {"(m,)": (rng.normal(size=3), lambda G: G.sum(axis=0)),
          "(1, m)": (rng.normal(size=(1, 3)), lambda G: G.sum(axis=0, keepdims=True)),
          "(n, 1)": (rng.normal(size=(4, 1)), lambda G: G.sum(axis=1, keepdims=True)),
          "()": (np.array(rng.normal()), lambda G: G.sum())}
base = rng.normal(size=(4, 3))
for name, (p, backward) in params.items():
    grad = backward(G)
    numeric = numerical_gradient(lambda _: float(np.sum(G * (base + p))), p, eps=1e-6)
    ok = np.shape(grad) == p.shape and np.allclose(grad, numeric, rtol=1e-7, atol=1e-9)
    print(f"parameter {name:7s} gradient shape {str(np.shape(grad)):7s} agrees with finite differences: {ok}")
    assert ok

# %% [markdown]
# Two slips are common here. Taking the first sample's row, `G[0]`, has the right shape but keeps the
# gradient of one copy only; and `G.mean(axis=0)` divides by the number of samples, which is the
# gradient of a *mean* over the samples, not of the sum $E$ the course uses. Both give the right answer
# with a single sample, which is why a backward pass should always be tested on a batch:

# %%
wrong_ways = {"G[0]": lambda G: G[0], "G.mean(axis=0)": lambda G: G.mean(axis=0)}
for name, wrong in wrong_ways.items():
    batch = np.allclose(wrong(G), G.sum(axis=0))
    single = np.allclose(wrong(G[:1]), G[:1].sum(axis=0))
    print(f"{name:15s} equals the sum with 4 samples: {batch};  with 1 sample: {single}")
    assert single and not batch

# %% [markdown]
# ## 4. Gates that route: max and ReLU
#
# The operations of lesson 02's graph each treat the upstream gradient in their own way: an add gate
# passes it on unchanged to both inputs (its local gradients are 1), a multiply gate gives each input
# the upstream gradient times the *other* input. A third kind, the **max gate**, *routes*: $\max(x, y)$ equals whichever
# input is larger, so a small nudge of the larger input moves the output one for one, and a nudge of
# the smaller one does nothing. The whole upstream gradient goes to the winner, none to the loser.
# Elementwise on arrays, the forward pass must remember *who won* (its cache) so that the backward pass
# can route (at a tie, `P > Q` is False and the gradient goes to `Q`; see the ReLU below):

# %%
P, Q = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
G = rng.normal(size=(3, 4))
p_won = P > Q                                          # the cache of the forward pass np.maximum(P, Q)
dP, dQ = G * p_won, G * ~p_won
for name, grad, arr in (("dP", dP, P), ("dQ", dQ, Q)):
    numeric = numerical_gradient(lambda _: float(np.sum(G * np.maximum(P, Q))), arr, eps=1e-6)
    print(f"{name} agrees with finite differences: {np.allclose(grad, numeric, atol=1e-9)}")
    assert np.allclose(grad, numeric, atol=1e-9)
print("each entry's gradient went to exactly one input:", bool(np.all((dP == 0) | (dQ == 0))))

# %% [markdown]
# The **ReLU** is a max gate with a constant: $\mathrm{relu}(z) = \max(0, z)$. Its backward pass lets
# the upstream gradient through where the net input was positive and stops it elsewhere:
# `dZ = dA * (Z > 0)`. The decision uses the *forward* pass's input (the cache), never the sign of the
# gradient coming back.
#
# **The tie.** At exactly $z = 0$ the ReLU has a kink and no derivative: the slope is 0 from the left
# and 1 from the right. Any value in between is defensible (it is a *subgradient*); the package, like
# most libraries, uses 0, so the gradient passes only where $z > 0$. A central difference straddles the
# kink and reports the average of the two slopes, $\tfrac12$, so at a tie finite differences and
# backpropagation honestly disagree:

# %%
v = bc.Value(0.0)
v.relu().backward()
relu_fn = bc.engine.activations.get_activation("relu")
central = numerical_gradient(lambda z: float(relu_fn(z).sum()), np.array([0.0]), eps=1e-6)[0]
print(f"at z = 0: Value.relu passes {v.grad}, the engine's slope is {relu_fn.derivative(np.array([0.0]))[0]}, "
      f"a central difference gives {central:.2f}")
assert v.grad == 0.0 and abs(central - 0.5) < 1e-9

# %% [markdown]
# Ties are rare with real-valued data, but not impossible (inputs of exactly 0 are common in images,
# and a dead neuron's net input can sit on 0); grading code that checks a ReLU network against finite
# differences must keep its net inputs away from 0.
#
# ## 5. Layers as modules: forward keeps a cache, backward uses it
#
# Every piece of this lesson has the same shape: a forward computation that *remembers something*,
# and a backward computation that turns the upstream gradient into the gradient of its input using what
# was remembered (and, for a layer with parameters, stores their gradients). Written as small classes,
# each layer is a **module** with two methods, and a network is a list of modules: forward runs the
# list in order, backward runs it in reverse. What each module caches:
#
# | module | `forward` | cache | `backward(G)` returns | parameter gradients |
# |---|---|---|---|---|
# | `Affine(W, b)` | `A @ W.T + b` | the input `A` | `G @ W` | `dW = G.T @ A`, `db = G.sum(axis=0)` |
# | `Sigmoid()` | $\sigma(Z)$ | the output `Y` | `G * Y * (1 - Y)` | none |
# | `ReLU()` | `max(Z, 0)` | the mask `Z > 0` | `G * mask` | none |
# | `HalfSquaredError()`, `forward(Y, T)` | $\tfrac12 \sum (T - Y)^2$ | `Y` and `T` | `-(T - Y)`, the first upstream gradient | none |
#
# The sigmoid caches its output because its slope is cheapest from it, $\sigma' = y(1 - y)$ (lesson
# 03); the affine layer caches its input because $\partial Z/\partial W$ is the input.
#
# This is lesson 13's design one level up: there every scalar operation carried its own backward step,
# here every layer does, and the network only calls them in reverse order. Lesson 14's loss would be one
# more loss module, whose `backward` returns `softmax(Z) - T`.

# %%
class Affine:
    """Z = A @ W.T + b for a batch A (n, k); W is (m, k), b is (m,)."""

    def __init__(self, W, b):
        self.W, self.b = np.array(W, dtype=float), np.array(b, dtype=float)

    def forward(self, A):
        self.A = A                                   # cache: dZ/dW is the input
        return A @ self.W.T + self.b

    def backward(self, G):
        self.dW = G.T @ self.A                       # shape of W
        self.db = G.sum(axis=0)                      # broadcast forward, sum backward
        return G @ self.W                            # shape of A


class Sigmoid:
    def forward(self, Z):
        self.Y = 1.0 / (1.0 + np.exp(-Z))            # cache: the slope is Y (1 - Y)
        return self.Y

    def backward(self, G):
        return G * self.Y * (1.0 - self.Y)


class ReLU:
    def forward(self, Z):
        self.mask = Z > 0                            # cache: where the gate was open (closed at a tie)
        return np.where(self.mask, Z, 0.0)

    def backward(self, G):
        return G * self.mask


class HalfSquaredError:
    """E = 1/2 * sum over samples and outputs of (T - Y)^2, the sources' error."""

    def forward(self, Y, T):
        self.Y, self.T = Y, T
        return 0.5 * float(np.sum((T - Y) ** 2))

    def backward(self):
        return -(self.T - self.Y)                    # dE/dY


class Network:
    """Modules run in order forward and in reverse backward."""

    def __init__(self, modules):
        self.modules, self.loss = modules, HalfSquaredError()

    def forward(self, X, T):
        for module in self.modules:
            X = module.forward(X)
        return self.loss.forward(X, T)

    def backward(self):
        G = self.loss.backward()
        for module in reversed(self.modules):
            G = module.backward(G)
        return G                                     # dE/dX

    def affine_layers(self):
        return [mod for mod in self.modules if isinstance(mod, Affine)]


# %% [markdown]
# Now assemble lesson 06's network from the modules: Matt Mazur's 2-2-2 worked example ("A Step by Step
# Backpropagation Example", 2015), with the same weights, biases, input and targets. Lesson 06 computed
# every number of one training step by hand and with `bc.MLP`; the modules must reproduce them.

# %%
mazur = {"W1": [[0.15, 0.20], [0.25, 0.30]], "b1": [0.35, 0.35],
         "W2": [[0.40, 0.45], [0.50, 0.55]], "b2": [0.60, 0.60]}
X1, T1 = np.array([[0.05, 0.10]]), np.array([[0.01, 0.99]])
modular = Network([Affine(mazur["W1"], mazur["b1"]), Sigmoid(), Affine(mazur["W2"], mazur["b2"]), Sigmoid()])
E = modular.forward(X1, T1)
dX = modular.backward()
hidden, output = modular.affine_layers()

engine = bc.MLP([2, 2, 2], activation="sigmoid", seed=0)
engine.set_state({"weights": [np.array(mazur["W1"]), np.array(mazur["W2"])],
                  "biases": [np.array(mazur["b1"]), np.array(mazur["b2"])]})
engine.forward(X1)
g = engine.backward(T1)

print(f"E = {E:.9f}   dE/dw5 = {output.dW[0, 0]:.9f}   w5 after one step (lr 0.5) = "
      f"{output.W[0, 0] - 0.5 * output.dW[0, 0]:.8f}")
pairs = [(hidden.dW, g.weights[0]), (hidden.db, g.biases[0]), (output.dW, g.weights[1]),
         (output.db, g.biases[1]), (dX, g.inputs)]
diff = max(float(np.max(np.abs(ours - theirs))) for ours, theirs in pairs)
print(f"modules vs bc.MLP, largest difference over all 14 gradients below 1e-15: {diff < 1e-15}")
assert abs(E - 0.298371109) < 5e-10 and abs(E - g.loss) < 1e-15
assert abs(output.W[0, 0] - 0.5 * output.dW[0, 0] - 0.35891648) < 5e-9
assert diff < 1e-15

# %% [markdown]
# $E = 0.298371109$ and the new $w_5 = 0.35891648$: the numbers of Mazur's example and of lesson 06.
#
# Modules make changing the network cheap: swap a module, keep the rest. The same classes with a ReLU
# hidden layer, three samples and sizes 3-4-2, against `bc.MLP(..., activation=["relu", "sigmoid"])`
# and against the package's gradient checker:

# %%
net = bc.MLP([3, 4, 2], activation=["relu", "sigmoid"], init="xavier", seed=3)
net.biases[0][:] = rng.normal(scale=0.5, size=4)
net.biases[1][:] = rng.normal(scale=0.5, size=2)
X, T = rng.normal(size=(3, 3)), rng.uniform(size=(3, 2))
modular = Network([Affine(net.weights[0], net.biases[0]), ReLU(),
                   Affine(net.weights[1], net.biases[1]), Sigmoid()])
E = modular.forward(X, T)
dX = modular.backward()
net.forward(X)
g = net.backward(T)
Z1 = X @ net.weights[0].T + net.biases[0]
print(f"hidden net inputs: {int((Z1 > 0).sum())} of {Z1.size} positive (gate open); "
      f"smallest |net input| {np.abs(Z1).min():.3f} (no tie)")
layers = modular.affine_layers()
pairs = [(layers[0].dW, g.weights[0]), (layers[0].db, g.biases[0]), (layers[1].dW, g.weights[1]),
         (layers[1].db, g.biases[1]), (dX, g.inputs)]
print(f"E = {E:.6f};  modules vs bc.MLP, all gradients equal to 1e-14: "
      f"{all(np.allclose(a, b, rtol=0, atol=1e-14) for a, b in pairs)}")
check = bc.gradcheck(net, X, T)
print("bc.gradcheck on the same net, largest relative error below 1e-8:", check.passed(1e-8))
assert all(np.allclose(a, b, rtol=0, atol=1e-14) for a, b in pairs) and check.passed(1e-8)
assert (Z1 > 0).any() and (Z1 < 0).any() and np.abs(Z1).min() > 1e-3

# %% [markdown]
# A module that caches the wrong thing is caught the same way. Here a sigmoid that applies its slope
# formula to its *input* `Z` instead of its output (a classic slip) is put into the 2-2-2 network, and
# its gradients are compared with finite differences of the network's error:

# %%
class SigmoidWrongCache(Sigmoid):
    def forward(self, Z):
        self.Z = Z
        return super().forward(Z)

    def backward(self, G):
        return G * self.Z * (1.0 - self.Z)           # slip: the slope formula needs the output Y


def first_weight_gradient(sigmoid_class):
    net = Network([Affine(mazur["W1"], mazur["b1"]), sigmoid_class(),
                   Affine(mazur["W2"], mazur["b2"]), sigmoid_class()])
    net.forward(X1, T1)
    net.backward()
    return net.affine_layers()[0].dW, net


for cls in (Sigmoid, SigmoidWrongCache):
    dW1, net = first_weight_gradient(cls)
    numeric = numerical_gradient(lambda _: net.forward(X1, T1), net.affine_layers()[0].W, eps=1e-4, order=4)
    rel = float(np.max(np.abs(dW1 - numeric) / (np.abs(dW1) + np.abs(numeric))))
    verdict = "right (below 1e-8)" if rel < 1e-8 else "WRONG (above 0.1)" if rel > 0.1 else "unclear"
    print(f"{cls.__name__:18s} largest relative error of dE/dW1: {verdict}")
    assert verdict == ("right (below 1e-8)" if cls is Sigmoid else "WRONG (above 0.1)")

# %% [markdown]
# > **Try this.**
# > 1. In section 1, set `n = k = m = 3` and rerun the first cell: which wrong products now pass the
# >    shape test?
# > 2. In section 5, replace the `ReLU()` module by `Sigmoid()` and `activation=["relu", "sigmoid"]` by
# >    `"sigmoid"`: the modules and the engine still agree. Change only one of the two and watch them part.
# > 3. Write a `Tanh` module (cache the output $y$; the slope is $1 - y^2$) and check it against
# >    `bc.MLP(..., activation=["tanh", "sigmoid"])`.
# > 4. Set one bias so that a hidden net input is exactly 0 (e.g. `b = -(X[0] @ W[0])` with numbers
# >    that are multiples of 1/8) and compare the module's gradient with `numerical_gradient`.

# %% [markdown]
# ## Check yourself
#
# Answer with the buttons, or in code with `quiz.answer(1, "b")` and `quiz.reveal(1)`; nothing leaves your notebook.

# %% jupyter={"source_hidden": true}
# Self-check questions. The code is hidden because it holds the answers (click ••• to show it).
# NBVAL_IGNORE_OUTPUT
Choice, Number = bc.widgets.Choice, bc.widgets.Number
layer = Affine(rng.normal(size=(30, 784)), rng.normal(size=30))     # 784 inputs, 30 neurons, a batch of 64
layer.forward(rng.normal(size=(64, 784)))
layer.backward(rng.normal(size=(64, 30)))
dW_shape = " × ".join(map(str, layer.dW.shape))                     # "30 × 784"
assert layer.dW.shape == layer.W.shape == (30, 784)

G_b = np.array([[0.5, -1.0], [2.0, 0.25], [-1.5, 1.0]])            # 3 samples, 2 neurons
bias_layer = Affine(rng.normal(size=(2, 3)), np.array([0.1, -0.2]))
A_b = rng.normal(size=(3, 3))
bias_layer.forward(A_b)
bias_layer.backward(G_b)
db1 = bias_layer.db[0]
numeric_db = numerical_gradient(lambda _: float(np.sum(G_b * (A_b @ bias_layer.W.T + bias_layer.b))),
                                bias_layer.b, eps=1e-6)
assert np.allclose(bias_layer.db, numeric_db, atol=1e-9) and abs(db1 - 1.0) < 1e-15

p_in, q_in, upstream = np.array([-0.5]), np.array([-2.0]), np.array([3.0])
won = p_in > q_in                                                   # section 4's cache
d_p, d_q = float((upstream * won)[0]), float((upstream * ~won)[0])
for arr, grad in ((p_in, d_p), (q_in, d_q)):                      # finite differences agree
    assert abs(numerical_gradient(lambda _: float(np.sum(upstream * np.maximum(p_in, q_in))), arr)[0] - grad) < 1e-6
route = {(3.0, 0.0): "all 3 to p, nothing to q", (0.0, 3.0): "all 3 to q, nothing to p"}[(d_p, d_q)]

square = {"A": rng.normal(size=(3, 3)), "W": rng.normal(size=(3, 3)), "G": rng.normal(size=(3, 3))}
right = {"G.T @ A", "G @ W"}                                        # section 1's candidates, sizes all 3
passing = [name for name in candidates if name not in right
           and eval(name, {}, square).shape == (3, 3)]              # each name is the numpy expression
assert len(candidates) - len(right) == len(passing) == 4
all_pass = f"all {len(passing)}: every product of two 3 × 3 matrices is 3 × 3"

quiz = bc.selfcheck(
    Choice("A layer with 784 inputs and 30 neurons gets a batch of 64 samples. What is the shape of "
           "`dW = G.T @ A`?", ["784 × 30", "30 × 784", "64 × 784", "64 × 30"], dW_shape,
           why="A gradient has the shape of what it is the gradient of: `W` is (30, 784), one row per "
               "neuron, so `dW` is too. `G.T` (30, 64) times `A` (64, 784) sums over the 64 samples.",
           wrong={"784 × 30": "that is the shape of `A.T @ G`, the transpose; `W` stores one row per "
                              "neuron.",
                  "64 × 784": "that is the shape of `A` (and of `dA = G @ W`), one row per sample.",
                  "64 × 30": "that is the shape of `G`, the upstream gradient; the samples are summed "
                             "away in `dW`."}),
    Number("A bias $b$ of shape (2,) is broadcast over a batch of 3 samples, and the upstream gradient "
           "is $G = $ `[[0.5, -1.0], [2.0, 0.25], [-1.5, 1.0]]`. What is $\\partial E/\\partial b_1$?",
           db1, tol=0.001,
           why=f"Broadcast forward, sum backward: $b_1$ was added to all three samples, so it collects "
               f"the first column of $G$, $0.5 + 2.0 - 1.5 = {db1:g}$ (`G.sum(axis=0)`).",
           wrong={float(G_b[:, 0].mean()): "that is the mean over the samples, the gradient of a mean "
                                           "loss; the course's $E$ is a sum.",
                  float(G_b[0, 0]): "that is the first sample's share only; $b_1$ was used by every "
                                    "sample.",
                  float(G_b[0].sum()): "that sums the first row, over the neurons; $b_1$ belongs to "
                                       "neuron 1 and sums over the samples."}),
    Choice("A max gate $\\max(p, q)$ with $p = -0.5$ and $q = -2$ receives the upstream gradient 3. "
           "Where does the gradient go?",
           ["1.5 to each input", "all 3 to q, nothing to p", route,
            "nothing to either: both inputs are negative"],
           route,
           why="The max equals the larger input, here $p$; nudging $p$ moves the output one for one, "
               "nudging $q$ does nothing. The whole upstream gradient goes to the winner.",
           wrong={"1.5 to each input": "that is not any gate of the lesson; an add gate gives each input "
                                       "all 3, a max gate gives it all to the winner.",
                  "all 3 to q, nothing to p": "the gradient goes to the larger input, and $-0.5 > -2$.",
                  "nothing to either: both inputs are negative": "that confuses the max gate with the "
                  "ReLU, $\\max(0, z)$; here the winner is $p$ even though it is negative."}),
    Choice("Try this (section 5, 1): set `n = k = m = 3` in section 1. How many of the four wrong "
           "candidate products pass the shape test?",
           ["none: the shapes still decide", "only A.T @ G, the transpose of dW", all_pass], all_pass,
           why="With all sizes equal every product of two of these matrices, transposed or not, is "
               "3 × 3, so the shape check cannot tell right from wrong. Test with sizes that all differ, "
               "and keep finite differences as the referee.",
           wrong={"none: the shapes still decide": "the shapes decide only when the sizes differ; with "
                  "n = k = m every product is 3 × 3.",
                  "only A.T @ G, the transpose of dW": "A.T @ G is one of them, but G @ A.T, G @ W.T and "
                  "W @ G.T are 3 × 3 as well."}),
)
quiz

# %% [markdown]
# ## Recap
#
# - For a layer $Z = A W^\top + b$ with upstream gradient $G = \partial E/\partial Z$ (the error terms):
#   `dW = G.T @ A`, `dA = G @ W`, `db = G.sum(axis=0)`. Each comes from the scalar chain rule summed
#   over the paths, and SymPy confirms every entry on a 2-sample, 3 -> 2 case.
# - **A gradient has the shape of what it is the gradient of**: with sizes that differ, the shapes pick
#   the product; with equal sizes they cannot, so test with distinct sizes and finite differences.
# - Broadcast forward, sum backward: a parameter copied along an axis collects the sum of its copies'
#   gradients along that axis. A mean or a single row is a different (wrong) gradient for $E$.
# - A max gate routes the whole gradient to the larger input; the ReLU passes it where $z > 0$ (at a tie
#   the package uses 0; a central difference says $\tfrac12$).
# - Modules: `forward` caches what `backward` needs (the input for an affine layer, the output for a
#   sigmoid, the mask for a ReLU); a network is a list of modules run forward, then backward in reverse.
#   Assembled into the 2-2-2 network they reproduce lesson 06's numbers exactly.
#
# **Exercises:** [`exercises/ex15_matrices.ipynb`](../exercises/ex15_matrices.ipynb): the affine layer's
# backward pass, the backward pass of a general broadcast, and a two-layer network (affine, ReLU,
# affine, sigmoid) assembled from your own modules and checked against the package.
#
# **Where next:** this is the last lesson. Lesson 12's closing note says where the same ideas lead:
# frameworks such as PyTorch and JAX record the operations of the forward pass for you and call each
# one's backward step in reverse order, as your `Value` of lesson 13 and the `Network` class above do.
