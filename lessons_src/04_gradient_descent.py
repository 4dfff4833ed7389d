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
# # 04 · Gradient descent
#
# **After this lesson you can**
#
# - read a gradient as "how much the function changes per unit step in each input";
# - explain why a minimiser steps *against* the gradient, and see it on a contour map;
# - apply the update $w \leftarrow w - \epsilon\, \partial E/\partial w$ with the engine's `bc.SGD`;
# - recognise a learning rate that is too small (crawling), well chosen, too large (bouncing) and far
#   too large (diverging), and predict which is which on a simple bowl.
#
# **Time:** about 25 minutes. Notation: Backpropagation for dummies calls the learning rate $\epsilon$ (the 2017 note calls it
# $\alpha$); the code calls it `lr`.

# %%
import random

import numpy as np
import matplotlib.pyplot as plt
import backprop_course as bc
from backprop_course.widgets import plotting as P
from backprop_course.widgets.descent import SURFACES, descend, descent_explorer, grid

random.seed(0)
np.random.seed(0)
rng = np.random.default_rng(0)

# %% [markdown]
# ## 1. A slope tells you which way is down
#
# Backpropagation for dummies starts from the straight line
#
# $$f(x) = 3x + 4 .$$
#
# Its gradient (here simply the derivative) is $\dfrac{df}{dx} = 3$ **at every $x$**: whenever $x$
# grows by one unit, $f$ grows by three. A `bc.Value` graph (lesson 02 explains how it works) reports
# the same slope wherever we evaluate it:

# %%
for x0 in (-2.0, 0.0, 5.0):
    x = bc.Value(x0, label="x")
    f = 3 * x + 4
    f.backward()
    x_plus_one = 3 * (x0 + 1) + 4
    print(f"x = {x0:5.1f}   f = {f.data:5.1f}   df/dx = {x.grad}   f(x + 1) - f(x) = {x_plus_one - f.data}")
    assert x.grad == 3.0 and x_plus_one - f.data == 3.0

# %% [markdown]
# The slope is positive, so to make $f$ **smaller** we must make $x$ smaller: move against the sign of
# the gradient. (To make $f$ larger we would move with it.) Gradient descent does exactly that in
# small steps of size $\epsilon$ times the gradient:
#
# $$x \leftarrow x - \epsilon \,\frac{df}{dx}.$$
#
# The engine's `bc.SGD` ("stochastic gradient descent"; without momentum it is plain gradient descent)
# applies that rule to a list of `Value` leaves, reading their `.grad`:

# %%
x = bc.Value(2.0, label="x")
opt = bc.SGD(lr=0.1)
for step in range(4):
    f = 3 * x + 4
    f.backward()
    print(f"step {step}:  x = {x.data:.2f}   f(x) = {f.data:.2f}   df/dx = {x.grad}")
    opt.step([x])                      # x <- x - 0.1 * 3
assert abs(x.data - (2.0 - 4 * 0.1 * 3)) < 1e-12

# %% [markdown]
# Each step moves $x$ by $-0.1 \times 3 = -0.3$ and lowers $f$ by $0.9$. On a straight line this never
# ends: $f$ has no minimum, and the slope never shrinks to tell us we have arrived. Real error
# functions curve upwards somewhere, and there the gradient shrinks as we approach the bottom.
#
# ## 2. The hill picture
#
# With two inputs $(x, y)$ the function is a landscape. Backpropagation for dummies asks you to picture standing on a hill
# and walking downwards, only ever seeing the ground right around you. The gradient
#
# $$\nabla f = \left(\frac{\partial f}{\partial x},\ \frac{\partial f}{\partial y}\right)$$
#
# points in the direction in which the ground rises fastest, so its negative $-\nabla f$ points where
# it falls fastest. The map below uses the surface
# $f(x, y) = \tfrac14 x^4 - x^2 + \tfrac12 x + y^2$: red is high, blue is low, thin lines join points of
# equal height (contour lines; everything above height 5 shares one red), and each arrow shows the
# direction of $-\nabla f$ there. The black path
# is 60 steps of gradient descent with $\epsilon = 0.05$ from the square at $(2.5, 1.5)$.

# %%
# NBVAL_IGNORE_OUTPUT
surface = SURFACES["local_minimum"]
path = descend(surface, [2.5, 1.5], bc.SGD(lr=0.05), steps=60)

Xg, Yg, Zg = grid(surface, 80)
fig, ax = plt.subplots(figsize=(7.2, 4.6), dpi=72)
P.draw_contour_descent(ax, Xg, Yg, Zg, path.points, surface.minima, levels=14, vmax=5.0,
                       title="Arrows: the downhill direction -grad f, crossing the contour lines")
# vmax=5: heights above 5 all get the same red, so the levels below 5 keep their detail
qx, qy = np.meshgrid(np.linspace(-2.3, 2.6, 11), np.linspace(-1.7, 1.7, 7))
down = -np.array([surface.grad(np.array([a, b])) for a, b in zip(qx.ravel(), qy.ravel())])
down /= np.linalg.norm(down, axis=1, keepdims=True)      # show directions only
ax.quiver(qx.ravel(), qy.ravel(), down[:, 0], down[:, 1], color="#1f3b73", width=0.004,
          scale=26, alpha=0.85)
ax.set_aspect("equal")                   # equal scales, so right angles look like right angles
ax.legend(loc="upper left", fontsize=8, framealpha=0.9)   # start, path, end and the two minima
bar = fig.colorbar(ax.collections[0], ax=ax, label="height f(x, y)", shrink=0.85)
bar.set_ticks([-1.5, 0.0, 1.5, 3.0, 4.5])
fig.tight_layout()
assert np.all(np.diff(path.losses) < 0)                 # every step went downhill
plt.show()

# %%
print("start:", path.points[0].round(4).tolist(), " f =", round(path.losses[0], 4))
print("after 60 steps:", path.points[-1].round(4).tolist(), " f =", round(path.losses[-1], 4))
print("minima (global first):", [tuple(round(c, 4) for c in m) for m in surface.minima])
assert np.linalg.norm(path.points[-1] - np.array(surface.minima[1])) < 0.01

# %% [markdown]
# Four things to read off the picture:
#
# - The arrows cross the contour lines at right angles: going *along* a contour line keeps the
#   height, going across it changes the height fastest.
# - The path follows the arrows and every step lowers $f$ (the cell asserts it).
# - The black square is the start and the yellow dot the end of the walk. The green stars mark the
#   minima: filled for the deeper (global) one, hollow for the other (the legend says which is which).
# - The walk ends in the nearer basin on the right, at about $(1.2671, 0.0027)$, close to the
#   **local** minimum $(1.2670, 0)$, although the left basin around $(-1.5257, 0)$ is deeper. Gradient descent only sees the
#   ground under its feet; lesson 10 shows how momentum can carry it over the ridge.
#
# **Why exactly $-\nabla f$?** For a small step $\Delta$ the change of height is about
# $\nabla f \cdot \Delta$. Among all steps of the same length that dot product is most negative when
# $\Delta$ points opposite to $\nabla f$. The cell below tries 3600 directions of a short step from
# the point $(2, 1)$ and finds the best one within a fraction of a degree of $-\nabla f$:

# %%
p = np.array([2.0, 1.0])
gradient = surface.grad(p)
angles = np.linspace(0.0, 2 * np.pi, 3600, endpoint=False)
steps = 1e-3 * np.stack([np.cos(angles), np.sin(angles)], axis=1)
drops = np.array([surface.f(p + s) for s in steps]) - surface.f(p)
best = angles[np.argmin(drops)]
minus_grad = np.arctan2(-gradient[1], -gradient[0]) % (2 * np.pi)
print("gradient at (2, 1):", gradient.tolist())
print(f"best of 3600 directions: {np.degrees(best):.1f} degrees;  direction of -gradient: {np.degrees(minus_grad):.1f} degrees")
assert abs(np.degrees(best - minus_grad)) < 0.5

# %% [markdown]
# ## 3. The learning rate
#
# The update for a weight $w$ with error $E$ (Backpropagation for dummies, without the momentum term, which waits for
# lesson 10; the 2017 note writes the same rule with $\alpha$) is
#
# $$\Delta w = -\epsilon\, \frac{\partial E}{\partial w}, \qquad w \leftarrow w + \Delta w .$$
#
# The engine splits it into *compute the update*, then *apply it*, so you can look at $\Delta w$
# first:

# %%
opt = bc.SGD(lr=0.1)
w = [np.array([1.0, -2.0])]
dE_dw = [np.array([0.5, -1.0])]
update = opt.compute_update(w, dE_dw)
print("Delta w =", update[0].tolist())
opt.apply(w, update)
print("w after the step =", w[0].tolist())
assert np.allclose(w[0], [1.0 - 0.05, -2.0 + 0.1])

# %% [markdown]
# How big should $\epsilon$ be? Backpropagation for dummies warns about both ends: too small and training takes forever,
# too large and it "keeps bouncing around". The bowl $f(x) = x^2$ makes this exact. Its gradient is
# $2x$, so one step gives
#
# $$x \leftarrow x - \epsilon \cdot 2x = (1 - 2\epsilon)\, x .$$
#
# Every step multiplies $x$ by the same factor $1 - 2\epsilon$:
#
# | $\epsilon$ | factor $1 - 2\epsilon$ | what happens |
# |---|---|---|
# | 0.01 | 0.98 | crawls towards 0 (too small) |
# | 0.1 | 0.8 | steady walk to the minimum |
# | 0.5 | 0 | lands on the minimum in one step |
# | 0.9 | $-0.8$ | jumps over the minimum every step, sign flips: **bouncing**, but it still settles |
# | 1.1 | $-1.2$ | every jump overshoots further: **diverges** |
#
# The image in Backpropagation for dummies of running towards a point B so fast that you overshoot it, turn, and overshoot
# again is the row $\epsilon = 0.9$; when each overshoot is *larger* than the last ($\epsilon > 1$
# here) you never arrive. The engine's `SGD` on the bowl reproduces the factors exactly:

# %%
bowl = SURFACES["quadratic"]
runs = {lr: descend(bowl, [2.5], bc.SGD(lr=lr), steps=10) for lr in (0.01, 0.1, 0.5, 0.9, 1.1)}
for lr, run in runs.items():
    xs = run.points[:, 0]
    factor = xs[1] / xs[0]
    print(f"lr = {lr:4}:  x = {np.round(xs[:5], 3).tolist()} ...  factor per step {factor:+.2f}"
          f"  after 10 steps x = {xs[-1]:+.3f}")
    assert np.allclose(xs[1:], (1 - 2 * lr) * xs[:-1], atol=1e-12)
assert runs[0.9].reversals == 9 and abs(runs[1.1].points[-1, 0]) > abs(runs[1.1].points[0, 0])

# %%
# NBVAL_IGNORE_OUTPUT
show = (0.01, 0.1, 0.9, 1.1)
labels = {0.01: "too small", 0.1: "about right", 0.9: "bouncing", 1.1: "diverging"}
fig, axes = plt.subplots(1, 4, figsize=(12, 3.3), dpi=80)
for ax, lr in zip(axes, show):
    xs = runs[lr].points[:, 0]
    half = max(3.0, 1.1 * np.max(np.abs(xs)))
    curve = np.linspace(-half, half, 200)
    P.draw_curve_descent(ax, curve, curve**2, xs, xs**2, minima=[0.0],
                         title=f"lr = {lr}: {labels[lr]}")
fig.suptitle("10 steps of gradient descent on f(x) = x^2 from x = 2.5 (square = start, yellow dot = end)",
             fontsize=11)
fig.tight_layout()
assert len(fig.axes) == 4
plt.show()

# %%
# NBVAL_IGNORE_OUTPUT
fig, ax = plt.subplots(figsize=(6.4, 3.4), dpi=80)
styles = P.series_styles(show)           # colour-blind-safe: colour, dash and marker all differ
for lr in show:
    style = dict(styles[lr], mfc="none", ms=7) if lr == 0.9 else styles[lr]   # 0.9 lies on 0.1: hollow
    ax.semilogy(runs[lr].losses, label=f"lr = {lr} ({labels[lr]})", **style)
ax.set_xlabel("step")
ax.set_ylabel("f(x) = x^2 (log scale)")
ax.set_title("The same runs: loss per step")
ax.grid(alpha=0.3, which="both")
ax.legend(fontsize=8)
fig.tight_layout()
assert runs[1.1].losses[-1] > runs[1.1].losses[0] > runs[0.01].losses[-1] > runs[0.1].losses[-1]
plt.show()

# %% [markdown]
# The curves for $\epsilon = 0.1$ and $\epsilon = 0.9$ lie on top of each other: the factors $0.8$ and
# $-0.8$ have the same size, so the loss $x^2$ shrinks at the same rate. One run approaches the
# minimum from one side, the other jumps across it every step. The distance to the minimum, not the
# sign, decides the loss.

# %% [markdown]
# In two dimensions the bouncing has a typical look. In the long, narrow valley
# $f(x, y) = 0.1\,x^2 + 2\,y^2$ the walls are steep across the valley ($y$) and the floor is nearly
# flat along it ($x$). A rate that is fine along the floor is too large for the walls: the path
# zig-zags from wall to wall while it creeps along. The safe rate is set by the steepest direction
# (here $\epsilon < 0.5$, because the $y$ part behaves like the bowl $2y^2$, whose factor per step is
# $1 - 4\epsilon$), and at such a rate the flat direction shrinks only by the factor
# $1 - 0.2\,\epsilon$ per step (0.91 at $\epsilon = 0.45$).

# %%
valley = SURFACES["valley"]
zigzag = descend(valley, [-4.5, 1.5], bc.SGD(lr=0.45), steps=30)
ys = zigzag.points[:, 1]
print("y over the first 6 steps:", np.round(ys[:6], 3).tolist())
print("x after 30 steps:", round(zigzag.points[-1, 0], 3), "(the minimum is at x = 0)")
assert np.all(ys[1:6] * ys[:5] < 0)              # y changes sign every step: bouncing
assert zigzag.points[-1, 0] < -0.1               # while x has still not arrived

# %% [markdown]
# ## 4. The descent view
#
# The view runs the engine's optimizers on a few curves and surfaces and draws the path. It starts
# on the bowl $f(x) = x^2$ with $\epsilon = 0.9$: bouncing.
#
# > **Try this.**
# > 1. Move `lr` to 0.1, then 0.5, then 1.1. Compare with the table above.
# > 2. Choose the surface `valley` with `lr` 0.45: the zig-zag. Then lower `lr` to 0.05: no zig-zag,
# >    but after 30 steps the point is still far from the minimum along the floor. Raise `steps`.
# > 3. Choose `linear` ($f(x) = 3x + 4$ of Backpropagation for dummies): every step moves $x$ by $-3\epsilon$, forever.
# > 4. Choose `double_well` with `lr` 0.02 and `steps` 100: descent settles in the shallow minimum
# >    near $x \approx 1.27$. Switch the optimizer to `momentum` (0.9): the point rolls over the ridge
# >    into the deeper minimum near $x \approx -1.53$. Lesson 10 explains why.
# > 5. The plot is a control too: press anywhere on it to start there, and drag to move the start
# >    point (on `valley` or `local_minimum`, drag across the surface and watch the path change).

# %%
# NBVAL_IGNORE_OUTPUT
view = descent_explorer(surface="quadratic", method="plain", lr=0.9, steps=20)
xs = view.state["points"][:, 0]
assert np.allclose(xs[1:], -0.8 * xs[:-1]) and not view.state["diverged"]
view

# %%
view.set(lr=0.5)
print("lr = 0.5:", np.round(view.state["points"][:3, 0], 6).tolist())
view.set(lr=1.1)
print("lr = 1.1 diverging:", view.state["diverging"], "| left the plot at step", view.state["left_plot"],
      "| ran past 1e6 within 20 steps:", view.state["diverged"])
assert view.state["points"][1, 0] == -3.0 and view.state["diverging"] and not view.state["diverged"]
view.set(lr=0.9)                       # back to bouncing for your own experiments

# %% [markdown]
# The view's state keeps two flags. `diverging` is what the table above calls diverging: the loss
# grows and the path has left the plot. `diverged` is stricter: the point ran past $10^6$ and the
# run was stopped. At $\epsilon = 1.1$ each step multiplies $x$ by $-1.2$, so after 20 steps $x$ is
# only $2.5 \cdot 1.2^{20} \approx 96$: diverging, but far from $10^6$.
#
# ## 5. The same rule trains a network
#
# Nothing above is special to toy curves. A network's error $E$ is a function of all its weights, and
# one training step is one gradient-descent step on that landscape. Take lesson 01's XOR network,
# compute the gradients once, and take a single step with a moderate and with a huge learning rate:

# %%
X, T = bc.datasets.xor()[:2]
for lr in (0.5, 50.0):
    net = bc.MLP([2, 3, 1], activation="sigmoid", seed=0)
    before = net.loss(X, T)                 # forward pass (fills the caches)
    grads = net.backward(T)                 # all dE/dw by backpropagation
    bc.SGD(lr=lr).step(net, grads)          # w <- w - lr * dE/dw, every weight and bias
    after = net.loss(X, T)
    print(f"lr = {lr:4}:  E before {before:.4f}  ->  after one step {after:.4f}")
    if lr == 0.5:
        assert after < before
    else:
        assert after > before

# %% [markdown]
# A small step against the gradient lowers $E$; a huge one jumps clean over the valley and lands
# higher than it started, the network version of the $\epsilon = 1.1$ bowl.

# %% [markdown]
# ## Check yourself
#
# Answer with the buttons, or in code with `quiz.answer(1, -1.5)` and `quiz.reveal(1)`; nothing
# leaves your notebook.

# %% jupyter={"source_hidden": true}
# Self-check questions. The code is hidden because it holds the answers (click ••• to show it).
# NBVAL_IGNORE_OUTPUT
Choice, Number = bc.widgets.Choice, bc.widgets.Number
one_step = descend(bowl, [2.5], bc.SGD(lr=0.8), steps=1).points[1, 0]          # question 1
settles = {lr: abs(run.points[-1, 0]) < abs(run.points[0, 0]) for lr, run in runs.items()}
assert runs[0.9].reversals == 9 and settles[0.9] and not settles[1.1] and runs[0.1].reversals == 0
line = descend(SURFACES["linear"], [0.0], bc.SGD(lr=0.1), steps=5).points[:, 0]  # 'Try this' 3
assert np.allclose(np.diff(line), -0.3)
well = SURFACES["double_well"]                                    # what the view runs, without a view
plain_end = descend(well, well.start, bc.SGD(lr=0.02), steps=100).points[-1, 0]
rolled_end = descend(well, well.start, bc.SGD(lr=0.02, momentum=0.9), steps=100).points[-1, 0]
assert plain_end > 1.2 and rolled_end < -1.4                                     # 'Try this' 4
quiz = bc.selfcheck(
    Number("Gradient descent on the bowl $f(x) = x^2$ from $x = 2.5$ with $\\epsilon = 0.8$: where "
           "is $x$ after one step?", one_step, tol=0.001,
           why="The gradient is $2x = 5$, so $x \\leftarrow 2.5 - 0.8 \\cdot 5 = -1.5$: the factor "
               "$1 - 2\\epsilon = -0.6$ jumps across the minimum and lands closer to it.",
           wrong={2.5 - 0.8 * 2.5: "that steps by $\\epsilon\\,x$; the gradient of $x^2$ is $2x$."}),
    Choice("Try this (section 4, 1): for which learning rates does descent on $x^2$ jump across the "
           "minimum every step and still settle?",
           ["0 < ε < 0.5", "0.5 < ε < 1", "ε > 1"],
           "0.5 < ε < 1",
           why="Each step multiplies $x$ by $1 - 2\\epsilon$. Between 0.5 and 1 that factor lies between "
               "$-1$ and 0: the sign flips every step while the size shrinks (bouncing, as at 0.9).",
           wrong={"0 < ε < 0.5": "there the factor $1 - 2\\epsilon$ is between 0 and 1: "
                                           "$x$ shrinks without changing sign, no bouncing.",
                  "ε > 1": "there the factor is below $-1$: each jump overshoots further "
                                     "and descent diverges."}),
    Number("Try this (section 4, 3): on `linear`, $f(x) = 3x + 4$, with $\\epsilon = 0.1$: by how "
           "much does each step change $x$?", line[1] - line[0], tol=0.001,
           why="The slope is 3 everywhere, so every step is $-0.1 \\cdot 3 = -0.3$, forever: a straight "
               "line has no minimum, and its gradient never shrinks to say you have arrived.",
           wrong={3.0: "3 is the gradient; the step is $-\\epsilon$ times the gradient."}),
    Choice("Try this (section 4, 4): `double_well`, `lr` 0.02, 100 steps. Plain descent stops near "
           f"$x \\approx {plain_end:.2f}$. Where does momentum 0.9 end?",
           [f"in the same shallow minimum near {plain_end:.2f}",
            f"in the deeper minimum near {rolled_end:.2f}", "it diverges"],
           f"in the deeper minimum near {rolled_end:.2f}",
           why="Momentum keeps part of the previous step, so the point arrives at the ridge with speed "
               "and rolls over it into the other basin. Plain descent only sees the local slope and "
               "stops in the basin it starts in (lesson 10).",
           wrong={f"in the same shallow minimum near {plain_end:.2f}": "that is plain descent; momentum "
                  "carries the point over the ridge."}),
)
quiz

# %% [markdown]
# ## Recap
#
# - The gradient says how fast the function rises per unit step in each input; $f(x) = 3x + 4$ rises
#   by 3 per unit everywhere.
# - Gradient descent steps against it, $w \leftarrow w - \epsilon\,\partial E/\partial w$, the locally
#   steepest way down; on a contour map that direction crosses the contour lines at right angles.
# - With a small enough learning rate it finds *a* minimum: the one whose basin it starts in.
# - The learning rate decides the pace: too small crawls, too large bounces (on $x^2$: for
#   $0.5 < \epsilon < 1$), larger still diverges ($\epsilon > 1$). The steepest direction of the
#   landscape sets the limit.
#
# **Exercise:** `exercises/ex04_descent.ipynb`: write one
# gradient-descent step, run descent on this lesson's bowls and watch it crawl, bounce or diverge, and
# work out from the curvatures which learning rates make it do so. (Momentum, Nesterov and RPROP wait
# for `exercises/ex10_optimizers.ipynb` after lesson 10.)
#
# **Next:** [05 · The chain rule along one path](05_chain_rule.ipynb): where $\partial E/\partial w$
# comes from when $w$ sits deep inside a network.
