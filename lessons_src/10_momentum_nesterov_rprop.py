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
# # 10 · Momentum, Nesterov and RPROP
#
# **After this lesson you can**
#
# - apply the momentum rule of Backpropagation for dummies $\Delta w_t = -\varepsilon\,\partial E/\partial w + \alpha\,\Delta w_{t-1}$
#   by hand and with `bc.SGD(lr, momentum)`;
# - show how momentum can carry a descent out of a shallow local minimum where plain gradient
#   descent stays, and when it cannot;
# - explain Nesterov's look-ahead with a picture, and use `bc.SGD(..., nesterov=True)`;
# - describe how RPROP adapts one step size per weight from the *signs* of the gradient, and why it
#   needs no learning rate;
# - try all of them on a loss surface and on a real training run with two interactive views.
#
# **Time:** about 35 minutes.

# %%
import random

import numpy as np
import matplotlib.pyplot as plt
import backprop_course as bc
from backprop_course.widgets import plotting as P
from backprop_course.widgets.descent import SURFACES, Surface, descend, grid
from backprop_course.engine.optim import nesterov_lookahead_step

random.seed(0)
np.random.seed(0)
rng = np.random.default_rng(0)

# %% [markdown]
# ## 1. Momentum: remember the last step
#
# Backpropagation for dummies writes the change of a weight at step $t$ as
#
# $$\Delta w_t = -\varepsilon \frac{\partial E}{\partial w} + \alpha\, \Delta w_{t-1},
# \qquad w \leftarrow w + \Delta w_t ,$$
#
# with the learning rate $\varepsilon$ (`lr`) and the **momentum** $\alpha$ (`momentum`, between 0
# and 1). With $\alpha = 0$ it is the plain gradient descent of lesson 04. With $\alpha > 0$ each
# step keeps a share $\alpha$ of the previous one, so steps that keep pointing the same way add up
# (like a ball gathering speed downhill), while steps that alternate partly cancel.
#
# **Two steps by hand.** Take two weights and the error $E(w_1, w_2) = \tfrac12 (w_1^2 + 4 w_2^2)$,
# so $\partial E/\partial w_1 = w_1$ and $\partial E/\partial w_2 = 4 w_2$. Start at
# $w = (1, -2)$ with $\varepsilon = 0.1$, $\alpha = 0.9$ and $\Delta w_0 = 0$.
#
# | step | gradient at $w$ | $-\varepsilon \cdot$ gradient | $+\ \alpha\,\Delta w_{t-1}$ | $\Delta w_t$ | new $w$ |
# |---|---|---|---|---|---|
# | 1 | $(1, -8)$ | $(-0.1, 0.8)$ | $(0, 0)$ | $(-0.1, 0.8)$ | $(0.9, -1.2)$ |
# | 2 | $(0.9, -4.8)$ | $(-0.09, 0.48)$ | $(-0.09, 0.72)$ | $(-0.18, 1.2)$ | $(0.72, 0)$ |
#
# The second step is larger than plain descent's $(-0.09, 0.48)$ because it still carries 90 % of
# the first. Now the same two steps with the package: `bc.Value` computes the gradients by
# backpropagation (lesson 02) and `bc.SGD(...).step(values)` applies the update.

# %%
w1, w2 = bc.Value(1.0, label="w1"), bc.Value(-2.0, label="w2")
opt = bc.SGD(lr=0.1, momentum=0.9)

expected = [([-0.1, 0.8], [0.9, -1.2]), ([-0.18, 1.2], [0.72, 0.0])]
for t, (dw_hand, w_hand) in enumerate(expected, start=1):
    E = 0.5 * (w1**2 + 4 * w2**2)
    E.backward()
    grads = [w1.grad, w2.grad]
    dw = opt.step([w1, w2])[0]              # computes Delta w_t, then adds it to w1.data, w2.data
    print(f"step {t}: gradient {np.round(grads, 6).tolist()}, Delta w {np.round(dw, 6).tolist()}, "
          f"new w {[round(w1.data, 6), round(w2.data, 6)]}")
    assert np.allclose(dw, dw_hand, atol=1e-12)
    assert np.allclose([w1.data, w2.data], w_hand, atol=1e-12)

# %% [markdown]
# The optimizer keeps $\Delta w_{t-1}$ in `opt.velocity`; `opt.reset()` forgets it. The
# `compute_update` / `apply` pair that `step` uses lets you look at an update before it is applied.
#
# ## 2. Escaping a shallow local minimum
#
# Backpropagation for dummies gives momentum a second job: getting gradient descent unstuck from a **local
# minimum**, a dip that is lower than its surroundings but not the lowest point overall. Here is a
# surface with exactly that: $f(x, y) = x^4/4 - x^2 + x/2 + y^2$ has a shallow minimum near
# $x \approx 1.27$ and a deeper, global one near $x \approx -1.53$, separated by a low ridge. Both
# runs start at $(2.5, 1.5)$ with $\varepsilon = 0.02$ for 200 steps; one is plain descent, the
# other uses $\alpha = 0.9$.

# %%
surf = SURFACES["local_minimum"]
(x_global, _), (x_local, _) = surf.minima
print("global minimum at x =", round(x_global, 4), " f =", round(float(surf.f(np.array([x_global, 0.0]))), 4))
print("local minimum at x =", round(x_local, 4), " f =", round(float(surf.f(np.array([x_local, 0.0]))), 4))

paths = {
    "plain, lr 0.02": descend(surf, surf.start, bc.SGD(lr=0.02), steps=200),
    "momentum 0.9, lr 0.02": descend(surf, surf.start, bc.SGD(lr=0.02, momentum=0.9), steps=200),
    "momentum 0.5, lr 0.02": descend(surf, surf.start, bc.SGD(lr=0.02, momentum=0.5), steps=200),
}
for name, t in paths.items():
    end = np.round(t.points[-1], 3) + 0.0             # + 0.0 turns a printed -0.0 into 0.0
    print(f"{name:22s} ends at {end.tolist()}, f = {t.losses[-1]:.4f}")

assert np.allclose(paths["plain, lr 0.02"].points[-1], [x_local, 0.0], atol=1e-3)
assert np.allclose(paths["momentum 0.9, lr 0.02"].points[-1], [x_global, 0.0], atol=1e-3)
assert np.allclose(paths["momentum 0.5, lr 0.02"].points[-1], [x_local, 0.0], atol=1e-3)

# %%
# NBVAL_IGNORE_OUTPUT
GX, GY, GZ = grid(surf, 80)
levels = np.unique(np.quantile(GZ, np.linspace(0, 1, 10) ** 2))
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8), dpi=80, gridspec_kw={"width_ratios": [1.2, 1]})
ax1.contourf(GX, GY, GZ, levels=levels, cmap="coolwarm", alpha=0.5)
ax1.contour(GX, GY, GZ, levels=levels, colors="#555555", linewidths=0.5)
styles = P.series_styles(list(paths))        # colour-blind-safe: colour, dash and marker differ
for name, t in paths.items():
    ax1.plot(t.points[:, 0], t.points[:, 1], lw=1, label=name, **dict(styles[name], ms=2, markevery=1))
    ax2.plot(t.points[:, 0], label=name, **dict(styles[name], markevery=20))
ax1.plot(*surf.start, "ks", ms=7)
ax1.plot([x_global], [0], "*", color=P.MINIMUM_COLOUR, mec="white", ms=16, zorder=6)
ax1.plot([x_local], [0], "*", color=P.MINIMUM_COLOUR, mfc="none", mew=1.8, ms=14, zorder=6)
ax1.annotate("global", (x_global, 0.0), (x_global - 0.3, -1.4), fontsize=9)
ax1.annotate("local", (x_local, 0.0), (x_local - 0.2, -1.4), fontsize=9)
ax1.set_xlabel("x")
ax1.set_ylabel("y")
ax1.set_title("paths from the square (200 steps)", fontsize=10)
ax1.legend(fontsize=8, loc="upper left")
for x0, name in ((x_global, "global minimum"), (x_local, "local minimum")):
    ax2.axhline(x0, color="#555555", lw=0.8, ls=(0, (1, 3)))
    ax2.text(200, x0 + 0.08, name, ha="right", fontsize=8, color="#555555")
ax2.set_xlabel("step")
ax2.set_ylabel("x coordinate")
ax2.set_title("x over the steps", fontsize=10)
fig.tight_layout()
plt.show()

# %% [markdown]
# Plain descent slows to a crawl in the first dip it meets and stays there: at the bottom the
# gradient is zero, so the update is zero. With $\alpha = 0.9$ the point arrives with speed built
# up on the way down, rolls over the ridge and on into the deeper valley, overshoots the global
# minimum a few times and settles, because each pass back and forth loses speed (the right-hand
# plot). That is the picture behind the remark in Backpropagation for dummies that the search comes back to a true minimum
# as the momentum dies away.
#
# It is no guarantee: with $\alpha = 0.5$ the speed is not enough and the point stays in the local
# dip too. Momentum changes *which* minimum you end up in, depending on the start, the rate and
# $\alpha$; it does not find the global one in general.
#
# ### The descent view
#
# The view below runs the package's optimizers on these surfaces (the same `descend` function as
# above).
#
# > **Try this.** With `local_minimum` and `momentum`, lower the momentum slider from 0.9 step by
# > step: at which value does the point stop escaping? Then switch the optimizer to `nesterov`
# > (section 3) and `rprop` (section 4), and the surface to `valley` to see momentum cut down the
# > zig-zag of plain descent.

# %%
# NBVAL_IGNORE_OUTPUT
from backprop_course.widgets.descent import descent_explorer

view = descent_explorer(surface="local_minimum", method="momentum", lr=0.02, momentum=0.9, steps=200)
assert np.allclose(view.state["final_point"], [x_global, 0.0], atol=1e-3)
view.set(momentum=0.5)
assert np.allclose(view.state["final_point"], [x_local, 0.0], atol=1e-3)
view.set(momentum=0.9)
view

# %% [markdown]
# ## 3. Nesterov momentum: look before you leap
#
# Backpropagation for dummies only names **Nesterov momentum**. The idea: the momentum part of the next step,
# $\alpha \Delta w_{t-1}$, is already decided before we look at any gradient. So take that jump
# first, look at the gradient where it lands (the **look-ahead point**), and correct from there:
#
# $$v_t = \alpha\, v_{t-1} - \varepsilon\, \frac{\partial E}{\partial w}\Big|_{\,w_{t-1} + \alpha v_{t-1}},
# \qquad w_t = w_{t-1} + v_t .$$
#
# Classic momentum takes the gradient at $w_{t-1}$ instead. When the velocity is about to carry the
# weights past a minimum, the look-ahead gradient already points back and brakes the step.
# `nesterov_lookahead_step` performs one step in exactly this form and returns the look-ahead
# point too, so we can draw it: on the narrow valley $f = 0.1x^2 + 2y^2$ with $\varepsilon = 0.1$,
# $\alpha = 0.9$.

# %%
valley = SURFACES["valley"]
grad_at = lambda points: [valley.grad(points[0])]      # dE/dw at a list of parameter arrays

w, v = [np.array(valley.start, dtype=float)], [np.zeros(2)]
steps = []                                              # (w_before, look-ahead, w_after)
for t in range(12):
    before = w[0].copy()
    w, v, look = nesterov_lookahead_step(w, v, grad_at, lr=0.1, momentum=0.9)
    steps.append((before, look[0], w[0].copy()))

b, la, a = steps[2]
print("step 3: w =", np.round(b, 4).tolist(), " look-ahead =", np.round(la, 4).tolist(),
      " new w =", np.round(a, 4).tolist())
# the look-ahead point is w + momentum * v, and the step is the velocity
assert np.allclose(steps[0][1], valley.start)           # v_0 = 0: the first look-ahead is w itself
assert np.allclose(la, b + 0.9 * (b - steps[1][0]))

# %%
# NBVAL_IGNORE_OUTPUT
VX, VY, VZ = grid(valley, 80)
vlevels = np.unique(np.quantile(VZ, np.linspace(0, 1, 10) ** 2))
mom = descend(valley, valley.start, bc.SGD(lr=0.1, momentum=0.9), steps=40)
nes = descend(valley, valley.start, bc.SGD(lr=0.1, momentum=0.9, nesterov=True), steps=40)

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.6), dpi=80)
for ax in (ax1, ax2):
    ax.contourf(VX, VY, VZ, levels=vlevels, cmap="coolwarm", alpha=0.45)
    ax.contour(VX, VY, VZ, levels=vlevels, colors="#555555", linewidths=0.4)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
for i, (b, la, a) in enumerate(steps[:6]):
    ax1.annotate("", la, b, arrowprops=dict(arrowstyle="->", color=P.OKABE_ITO["blue"], ls="--", lw=1.3))
    ax1.annotate("", a, la, arrowprops=dict(arrowstyle="->", color=P.OKABE_ITO["vermillion"], lw=1.6))
    ax1.plot(*b, "ko", ms=5)
    ax1.annotate(f"w{i}", b, (4, 4), textcoords="offset points", fontsize=8)
ax1.plot([], [], "--", color=P.OKABE_ITO["blue"], label="jump along the old velocity (alpha v)")
ax1.plot([], [], "-", color=P.OKABE_ITO["vermillion"], label="correction: -lr * gradient at the look-ahead")
ax1.legend(fontsize=8, loc="upper right")
ax1.set_xlim(-4.8, -2.4)                                  # zoom in on the first steps
ax1.set_ylim(-0.7, 1.7)
ax1.set_title("Nesterov, first 6 steps (zoomed): jump, then correct", fontsize=10)
ax2.plot(mom.points[:, 0], mom.points[:, 1], lw=1, label="classic momentum", **dict(P.series_style(1), ms=2))
ax2.plot(nes.points[:, 0], nes.points[:, 1], lw=1, label="Nesterov", **dict(P.series_style(3), ms=2))
ax2.legend(fontsize=8, loc="lower right")
ax2.set_title("40 steps, lr 0.1, momentum 0.9", fontsize=10)
fig.tight_layout()
plt.show()

# %%
for name, t in (("classic momentum", mom), ("Nesterov", nes)):
    print(f"{name:17s} f after 10 steps: {t.losses[10]:.4f}   after 40: {t.losses[40]:.2e}"
          f"   direction reversals: {t.reversals}")
assert nes.losses[10] < 0.5 * mom.losses[10]

# %% [markdown]
# On this valley the braking shows: after 10 steps Nesterov's error is about a tenth of classic
# momentum's.
#
# **How `bc.SGD(..., nesterov=True)` stores it.** Evaluating a gradient at a point other than the
# stored weights is awkward inside a training loop, so the optimizer (like most libraries) keeps
# the *look-ahead point* $u_t = w_t + \alpha v_t$ as its parameters instead of $w_t$. Rewritten in
# $u$, the same method needs only the gradient at the stored parameters:
#
# $$v_t = \alpha v_{t-1} - \varepsilon\,\frac{\partial E}{\partial w}\Big|_{u_{t-1}}, \qquad
# \Delta u_t = \alpha v_t - \varepsilon\,\frac{\partial E}{\partial w}\Big|_{u_{t-1}} .$$
#
# The cell checks, step by step, that both forms describe the same run: the optimizer's parameters
# minus $\alpha v$ are exactly the look-ahead form's weights.

# %%
opt = bc.SGD(lr=0.1, momentum=0.9, nesterov=True)
u = [np.array(valley.start, dtype=float)]               # the optimizer's parameters
w, v = [np.array(valley.start, dtype=float)], [np.zeros(2)]
for t in range(30):
    w, v, _ = nesterov_lookahead_step(w, v, grad_at, lr=0.1, momentum=0.9)
    opt.apply(u, opt.compute_update(u, [valley.grad(u[0])]))
    assert np.allclose(opt.velocity[0], v[0], atol=1e-12)
    assert np.allclose(u[0] - 0.9 * opt.velocity[0], w[0], atol=1e-12)
print("30 steps: both forms agree; SGD's parameters are the look-ahead points")

# %% [markdown]
# ## 4. RPROP: a step size per weight, from signs only
#
# Backpropagation for dummies mentions **resilient propagation** (RPROP; Riedmiller and Braun, 1993): every weight gets
# its own step size $\Delta_{ij}$, and the gradient is used only for its **sign**, that is, for the
# direction. After each step:
#
# - if $\partial E/\partial w_{ij}$ has the **same sign** as last time, the weight is still heading
#   the right way: $\Delta_{ij} \leftarrow 1.2\,\Delta_{ij}$ (`eta_plus`);
# - if the sign **flipped**, the last step jumped over a minimum: $\Delta_{ij} \leftarrow
#   0.5\,\Delta_{ij}$ (`eta_minus`);
# - then the weight moves by $-\operatorname{sign}(\partial E/\partial w_{ij})\,\Delta_{ij}$.
#
# The step sizes start at $\Delta_0 = 0.1$ and stay within $[10^{-6}, 50]$. `bc.RPROP()` uses the
# variant called iRprop$^-$: in the step right after a flip the weight does not move, and the
# flipped gradient is forgotten, so the following step neither grows nor shrinks (the other
# variants, `"rprop-"` and the original `"rprop+"` that undoes the previous step, are available
# through `variant=`).
#
# One weight, $E(w) = \tfrac12 (w - 1)^2$, starting at $w = 0$:

# %%
opt = bc.RPROP()
w = [np.zeros(1)]
rows = []
for t in range(1, 15):
    g = w[0] - 1.0                                       # dE/dw
    dw = opt.compute_update(w, [g])
    rows.append((t, float(w[0][0]), int(np.sign(g[0])), float(opt.step_sizes[0][0]), float(dw[0][0])))
    opt.apply(w, dw)

print(" t        w   sign(dE/dw)   step size   Delta w")
for t, wt, s, step, d in rows:
    print(f"{t:2d} {wt:8.4f} {s:+9d} {step:13.5f} {d:+10.5f}")

sizes = np.array([r[3] for r in rows])
assert np.allclose(sizes[1:7] / sizes[:6], 1.2)          # same sign: x 1.2 each step
assert abs(sizes[7] / sizes[6] - 0.5) < 1e-12 and rows[7][4] == 0.0   # flip: halve, wait one step
assert abs(sizes[8] - sizes[7]) < 1e-12                  # after the flip: neither grow nor shrink

# %% [markdown]
# Read the table: the steps grow by a factor of 1.2 (0.1, 0.12, 0.144, ...) while the weight heads
# for 1; at $t = 8$ the sign flips (we passed the minimum), the step is halved to $0.14930$ and the
# weight waits; from then on it homes in, the step halving at every further overshoot.

# %%
# NBVAL_IGNORE_OUTPUT
ts = [r[0] for r in rows]
flips = [r[0] for r in rows if r[4] == 0.0]
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.4), dpi=80)
ax1.plot(ts, [r[1] for r in rows], "-o", ms=4, color=P.OKABE_ITO["blue"])
ax1.axhline(1.0, color=P.MINIMUM_COLOUR, ls="--", lw=0.8)
ax1.set_xlabel("step t")
ax1.set_ylabel("w before the step")
ax1.set_title("the weight: minimum of E at w = 1", fontsize=10)
ax2.semilogy(ts, sizes, "-o", ms=4, color=P.OKABE_ITO["vermillion"])
P.readable_log_ticks(ax2)
for f in flips:
    ax1.axvline(f, color="grey", lw=0.6, ls=":")
    ax2.axvline(f, color="grey", lw=0.6, ls=":")
ax2.set_xlabel("step t  (dotted: sign flipped, weight waits)")
ax2.set_ylabel("step size (log scale)")
ax2.set_title("x1.2 while the sign holds, x0.5 on a flip", fontsize=10)
fig.tight_layout()
plt.show()


# %% [markdown]
# ### No learning rate
#
# Because only signs are used, multiplying the error by any positive constant changes nothing for
# RPROP. Gradient descent, on the other hand, scales its steps with the gradient: a rate that is
# fine for one scale of $E$ overshoots for another. Below, $E_c(w) = \tfrac{c}{2}(w - 1)^2$ for
# $c = 1$ and $c = 1000$ (think of the same network with 1000 times more training samples, whose
# summed gradient is 1000 times larger, lesson 09).

# %%
def scaled(c):
    return Surface(f"scaled_{c}", f"E = {c}/2 (w - 1)^2", 1,
                   lambda p, c=c: 0.5 * c * (p[0] - 1.0) ** 2,
                   lambda p, c=c: np.array([c * (p[0] - 1.0)]), ((-2.0, 3.0),), (0.0,))

for c in (1, 1000):
    rp = descend(scaled(c), [0.0], bc.RPROP(), steps=40)
    gd = descend(scaled(c), [0.0], bc.SGD(lr=0.1), steps=40)
    print(f"c = {c:4d}:  RPROP ends at w = {rp.points[-1][0]:.6f}   "
          f"SGD(lr=0.1) {'diverged' if gd.diverged else f'ends at w = {gd.points[-1][0]:.6f}'}")

same = np.array_equal(descend(scaled(1), [0.0], bc.RPROP(), 40).points,
                      descend(scaled(1000), [0.0], bc.RPROP(), 40).points)
print("RPROP paths identical for c = 1 and c = 1000:", same)
assert same and descend(scaled(1000), [0.0], bc.SGD(lr=0.1), 40).diverged

# %% [markdown]
# RPROP still has settings (the start step, the factors 1.2 and 0.5, the bounds), but their
# defaults work across problems, which is what Backpropagation for dummies means by not having to provide a learning
# rate. Its weakness: it trusts the sign of each partial derivative, so it wants the full-batch
# gradient. In online or mini-batch mode the sign of a single sample's gradient flips for reasons
# that have nothing to do with overshooting, and the step sizes shrink for nothing.
#
# ## 5. On a real network: the training playground
#
# The same optimizers, now training a small network on a 2-D classification problem. First a plain
# comparison in batch mode on the `moons` data (200 points), same initial weights:

# %%
X, T = bc.datasets.moons()
results = {}
for name, opt in (("SGD lr 0.01", bc.SGD(lr=0.01)),
                  ("momentum 0.9, lr 0.01", bc.SGD(lr=0.01, momentum=0.9)),
                  ("Nesterov 0.9, lr 0.01", bc.SGD(lr=0.01, momentum=0.9, nesterov=True)),
                  ("RPROP", bc.RPROP())):
    net = bc.MLP([2, 8, 8, 1], activation=["tanh", "tanh", "sigmoid"], seed=0)
    h = bc.train(net, X, T, opt, mode="batch", epochs=100)
    acc = float(np.mean((net.forward(X) > 0.5) == (T > 0.5)))
    results[name] = (h.loss[-1], acc)
    print(f"{name:22s} E after 100 epochs: {h.loss[-1]:9.2e}   accuracy: {acc:.3f}")

assert results["RPROP"][0] < results["momentum 0.9, lr 0.01"][0] < results["SGD lr 0.01"][0]

# %% [markdown]
# The playground lets you change all of it while you watch. Press **run** and the training plays
# out: every frame trains two epochs (the "epochs/frame" slider) and redraws three panels, the loss
# curve, the size of the gradient of each weight layer (the norm of dE/dW, averaged over the last
# epoch's updates) and the decision boundary. Change the optimizer, the learning rate, the momentum,
# the mode or the batch size while it runs: the next epoch uses the new setting and the weights carry
# on from where they are. The second line of the readout shows the settings in force. **pause** stops
# after the current frame, **step** trains one epoch, **resume** goes on to the end of the run, and
# **reset** brings back the same initial weights. It starts here on the moons with RPROP in batch
# mode, already trained for 30 epochs.
#
# > **Try this.**
# > 1. Pick *gradient descent (momentum)* with momentum 0 and lr 0.01, press reset and run (200
# >    epochs); then set momentum to 0.9, reset and run again. Compare the accuracy each reaches.
# > 2. Reset and run with momentum 0.9; halfway through, drag momentum down to 0. At which epoch does
# >    the loss curve change its slope, and what do the gradient bars do?
# > 3. Choose RPROP and switch the mode to `minibatch`: read the warning, run, and compare the loss
# >    curve with batch mode.
# > 4. Choose the `spirals` data with hidden layers `16,16`: which optimizer gets through?
# > 5. Back on the moons with gradient descent, momentum 0.9 and mode `batch`: set the output to
# >    `linear` and lr to 0.1, and run. The network diverges (lesson 09); find the largest rate that
# >    does not.

# %%
# NBVAL_IGNORE_OUTPUT
from backprop_course.widgets.playground import playground

pg = playground(dataset="moons", hidden="8,8", activation="tanh", optimizer="RPROP", mode="batch")
pg.run(30)
assert pg.state["epoch"] == 30 and not pg.state["diverged"]
assert pg.state["loss_history"][-1] < pg.state["loss_history"][0]
assert pg.state["in_force"].startswith("moons · 2-8-8-1 tanh/sigmoid") and "RPROP" in pg.state["in_force"]
assert len(pg.state["grad_norms"]) == 3  # one gradient norm per weight layer, from the last epoch
pg

# %% [markdown]
# ## Check yourself
#
# Answer with the buttons, or in code with `quiz.answer(1, -0.2)` and `quiz.reveal(1)`; nothing
# leaves your notebook.

# %% jupyter={"source_hidden": true}
# Self-check questions. The code is hidden because it holds the answers (click ••• to show it).
# NBVAL_IGNORE_OUTPUT
Choice, Number = bc.widgets.Choice, bc.widgets.Number
# question 1: a third momentum step on the table's error E = 1/2 (w1^2 + 4 w2^2)
w_hand, opt_hand = [np.array([1.0, -2.0])], bc.SGD(lr=0.1, momentum=0.9)
for _ in range(3):
    step3 = opt_hand.compute_update(w_hand, [w_hand[0] * np.array([1.0, 4.0])])[0]
    opt_hand.apply(w_hand, [step3])
assert np.allclose(w_hand[0] - step3, [0.72, 0.0])
# question 2, the 'Try this' of section 2: lower the momentum in the view's steps of 0.01
def escapes(m):
    return descend(surf, surf.start, bc.SGD(lr=0.02, momentum=m), steps=200).points[-1][0] < 0
m = 0.9
while escapes(round(m, 2)):
    m -= 0.01
stays_at = round(m, 2)
assert 0.5 < stays_at < 0.9 and escapes(round(stays_at + 0.01, 2))
# question 3, the 'Try this' of section 5: RPROP with mini-batches
rprop_loss = {}
for mode in ("batch", "minibatch"):
    net = bc.MLP([2, 8, 8, 1], activation=["tanh", "tanh", "sigmoid"], seed=0)
    rprop_loss[mode] = bc.train(net, X, T, bc.RPROP(), mode=mode, batch_size=20, epochs=100, seed=0).loss[-1]
assert rprop_loss["minibatch"] > 100 * rprop_loss["batch"]
quiz = bc.selfcheck(
    Number("Continue the table of section 1 ($\\varepsilon = 0.1$, $\\alpha = 0.9$) for a third step "
           "from $w = (0.72, 0)$. What is $\\Delta w_1$?", step3[0], tol=0.001,
           why=f"The gradient is $w_1 = 0.72$, so $-\\varepsilon \\cdot 0.72 = -0.072$, plus "
               f"$\\alpha$ times the previous step, $0.9 \\cdot (-0.18) = -0.162$: together {step3[0]:.3f}. "
               "The steps keep growing while the gradient keeps its sign.",
           wrong={-0.072: "that is plain descent's step; momentum adds $\\alpha$ times the previous "
                          "step, $0.9 \\cdot (-0.18)$.",
                  -0.162: "that is the momentum part alone; add the gradient part "
                          "$-0.1 \\cdot 0.72$."}),
    Number("Try this (section 2): on `local_minimum` with `lr` 0.02 and 200 steps, lower the momentum "
           "from 0.9 in steps of 0.01. At which value does the point first stay in the shallow "
           "local minimum?", stays_at, tol=0.001,
           why=f"Down to {stays_at + 0.01:.2f} the point arrives at the ridge fast enough to roll over "
               f"it; at {stays_at:.2f} it does not and settles near $x \\approx {x_local:.2f}$. The "
               "threshold depends on the start and the rate too: momentum changes where you land, it "
               "does not guarantee the global minimum."),
    Choice("Try this (section 5, 3): train the moons network with RPROP in `minibatch` mode "
           "(batches of 20) instead of batch mode, 100 epochs each. How does it compare?",
           ["about the same", "much worse", "better: ten times as many updates"], "much worse",
           why=f"$E$ ends at {rprop_loss['minibatch']:.2f} with mini-batches against "
               f"{rprop_loss['batch']:.1e} in batch mode. RPROP reads only the signs of the "
               "gradient; a mini-batch's signs flip from one batch to the next for reasons that have "
               "nothing to do with overshooting, so the step sizes shrink for nothing.",
           wrong={"better: ten times as many updates": "more updates help methods that use the size "
                  "of the gradient; RPROP needs signs it can trust, which only the full batch gives."}),
)
quiz

# %% [markdown]
# ## Recap
#
# - Momentum: $\Delta w_t = -\varepsilon\,\partial E/\partial w + \alpha\,\Delta w_{t-1}$; steps in
#   a steady direction add up, alternating ones cancel. `bc.SGD(lr, momentum)`.
# - With enough momentum a descent can roll out of a shallow local minimum and settle in a deeper
#   one; with too little it stays. It changes where you land; it guarantees nothing.
# - Nesterov: jump along the old velocity first, then correct with the gradient at the look-ahead
#   point; it brakes before overshooting. `bc.SGD(lr, momentum, nesterov=True)` stores the
#   look-ahead points.
# - RPROP: one step size per weight, $\times 1.2$ while the gradient's sign holds, $\times 0.5$ on a
#   flip; only signs matter, so there is no learning rate to tune. Use it with full batches.
#
# **Exercises:** `exercises/ex10_optimizers.ipynb` asks you to write the momentum update, Nesterov's
# method with its look-ahead point and an RPROP step yourself, checked with `bc.check`.
#
# **Next:** lesson 11 looks at the other end of training, where the weights start.
