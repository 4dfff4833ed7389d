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
# # 08 · Gradients with respect to the inputs
#
# **After this lesson you can**
#
# - derive $\partial E/\partial y_{05}$, the gradient of the error with respect to an **input**, and
#   see why it costs almost nothing once backpropagation has run;
# - compute it with the package (`g.inputs`) and check it by finite differences;
# - use it to predict how a small change of one input changes the error, and know when that
#   prediction stops being accurate.
#
# **Time:** about 25 minutes. Prerequisite: [lesson 07](07_five_layer_derivation.ipynb).

# %%
import random

import numpy as np
import matplotlib.pyplot as plt
import sympy as sp
import backprop_course as bc
from IPython.display import Markdown
from backprop_course import symbolic
from backprop_course.engine.gradcheck import numerical_gradient
from backprop_course.symbolic.notation import e, w
from backprop_course.symbolic.render import to_latex
from backprop_course.widgets import plotting as P
from backprop_course.symbolic.verify import NumericNetwork, default_sizes, evaluate, verify

random.seed(0)
np.random.seed(0)
rng = np.random.default_rng(0)

# %% [markdown]
# ## 1. The same derivation, a different target
#
# Training changes weights, so lesson 07 differentiated by a weight. Gashler adds a second
# derivation "just for fun": the gradient with respect to an input, $y_{05}$ (input node 5 of the
# same five-layer network). Nothing in the chain rule cares whether the variable is a weight or an
# input, so the derivation runs exactly as before, layer by layer, until it reaches layer 1. There
# the difference shows: the weight $w_{173}$ fed only node 7, but the input $y_{05}$ feeds **every**
# node $m$ of layer 1, through the weights $w_{1m5}$. So no sum collapses at the bottom, and the
# result keeps a sum over $m$.

# %%
di = symbolic.derive_input_gradient(layers=5, k=5)
print("steps:", len(di.steps))
print("error form:", di.error_form)
Markdown(symbolic.to_markdown(di))

# %% [markdown]
# Steps 1 to 10 are lesson 07's steps 1 to 10 with $\partial y_{05}$ in the denominator. In lesson
# 07 the next expansion (step 13 there) collapsed the sum over the nodes $m$ of layer 1 to $m = 7$,
# because only node 7 depended on $w_{173}$. Here every node of layer 1 depends on $y_{05}$, so
# nothing collapses and step 11 is simply one more "repeat". Step 14 is where the two derivations
# part for good: of $\sum_n w_{1mn}\, y_{0n}$ only the term $n = 5$ depends on $y_{05}$, and
# its derivative is the **weight** $w_{1m5}$, where lesson 07's step 18 left the **input**
# $y_{03}$. Steps 16 to 20 cache the same error terms as lesson 07 (now for every node $m$ of
# layer 1), and the result is
#
# $$\frac{\partial E}{\partial y_{05}} = -\sum_m e_{1m}\, w_{1m5}.$$

# %%
print("LaTeX:", to_latex(di.error_form))
print("UFLDL:", to_latex(di.error_form, notation="ufldl"))
print("steps at which the derivation changes character:")
for s in di.steps:
    if s.rule not in ("simplify", "expand a term", "apply the chain rule", "repeat steps 5 through 8"):
        print(f"  {s.number:2d}. {s.rule}")
assert len(di.steps) == 20 and di.steps[13].rule == "only the n = 5 term survives"
assert di.error_form.has(sp.Sum) and di.error_form.has(e) and di.error_form.has(w)

# %% [markdown]
# Compare with the weight gradient $-e_{17}\, y_{03}$: for a weight, *error term of the node it
# feeds times what enters through it*; for an input, *error terms of all the nodes it feeds, weighted
# by the connections*. The error terms are the ones backpropagation computes anyway, so the input
# gradient costs one more matrix product at the bottom. In the package's vectorised notation, with
# $\delta = -e$ and rows of `weights[0]` indexed by destination $m$:
#
# $$\frac{\partial E}{\partial X} = \delta_{\text{layer 1}}\, W_0 ,$$
#
# in code `g.inputs == g.deltas[0] @ net.weights[0]`.
#
# This is the hidden-layer rule of lesson 06 without the final factor $g'$: inputs have no activation.
#
# ### The source's errata in this part
#
# This part of the published text is the roughest (the package's `symbolic.ERRATA`, listed in
# `docs/errata.md`). The SymPy steps above avoid every one of these slips:

# %%
chosen = [er for er in symbolic.ERRATA if er.derivation == "input"]
table = ["| step in Gashler (2010) | Gashler (2010) prints | correct | why | our step |", "|---|---|---|---|---|"]
for er in chosen:
    ours = "" if er.step is None else str(er.step)
    table.append(f"| {er.source_step} | ${er.printed}$ | ${er.correct}$ | {er.why} | {ours} |")
assert len(chosen) == 9
Markdown("\n".join(table))

# %% [markdown]
# The most visible ones: the target $t_i$ is printed as $i_i$ in steps 1 to 15; the prime of
# $f'_5$ turned into a superscript $i$; two different sums share the index $k$ ($\sum_k w_{3kk}$);
# and $f'_2$ is evaluated at $x_{1l}$ instead of $x_{2l}$. The final line, step 17 of the source, is
# right.
#
# ## 2. Checking it with numbers
#
# On a concrete network (random weights, five inputs so that $y_{05}$ exists) we compare four
# computations of $\partial E/\partial y_{05}$: the derived formula, the error-term form with the
# engine's deltas, the engine's `g.inputs`, and central finite differences of $E$.

# %%
sizes = default_sizes(di)
numbers = NumericNetwork.random(sizes, seed=0)
net = numbers.to_mlp()
X = numbers.inputs[None, :]                 # one sample, shape (1, 5)
T = numbers.targets[None, :]
net.forward(X)
g = net.backward(T)

formula = evaluate(di.result, numbers)                        # the expanded formula (step 15)
e1 = -g.deltas[0][0]                                          # Gashler's e_1m = -delta
error_form = -np.sum(e1 * net.weights[0][:, 4])               # -sum_m e_1m w_1m5
engine = g.inputs[0, 4]
fd = numerical_gradient(lambda A: net.loss(A, T), X.copy(), eps=1e-3, order=4)[0, 4]

print("layer sizes n_0 .. n_5:", list(sizes))
print(f"derived formula       : {formula:.8e}")
print(f"-sum_m e_1m w_1m5     : {error_form:.8e}")
print(f"engine g.inputs[0, 4] : {engine:.8e}")
print(f"finite differences    : {fd:.5e}")     # differences carry rounding noise near 1e-13
assert abs(formula - engine) < 1e-15 and abs(error_form - engine) < 1e-15
assert abs(fd - engine) < 1e-8 * abs(engine)
assert np.allclose(g.inputs, g.deltas[0] @ net.weights[0], rtol=0, atol=1e-18)

# %% [markdown]
# `verify(di)` runs the same comparisons plus the two symbolic ones of lesson 07, and
# `bc.gradcheck` checks every input of a batch (its `"inputs"` entry):

# %%
report = verify(di)
for check in report.checks:
    print(f"{'pass' if check.passed else 'FAIL'}  {check.name}")
batch_net = bc.MLP([5, 4, 3], activation="sigmoid", seed=2)
Xb, Tb = rng.normal(size=(6, 5)), rng.uniform(size=(6, 3))
check = bc.gradcheck(batch_net, Xb, Tb)
print("gradcheck of dE/dX for 6 samples x 5 inputs, below 1e-8:", check["inputs"] < 1e-8)
assert report.passed and check["inputs"] < 1e-8

# %% [markdown]
# ## 3. What an input gradient is good for: which pixel matters?
#
# The input gradient answers a question the weight gradients cannot: **for this particular
# sample, which input would change the error most, and in which direction?** Take the 8×8 pixel
# handwritten digits that ship with the package (lesson 12 trains on them properly) and train a
# small 64-24-10 network for a few seconds:

# %%
digits = bc.datasets.digits()
Xd, Td, labels = digits.X, digits.T, digits.labels
clf = bc.MLP([64, 24, 10], activation="sigmoid", seed=0)
hist = bc.train(clf, Xd[:1500], Td[:1500], bc.SGD(lr=0.2), mode="minibatch", batch_size=32,
                epochs=30, seed=0)
predicted = clf.forward(Xd[1500:]).argmax(axis=1)
accuracy = np.mean(predicted == labels[1500:])
print(f"accuracy on the 297 digits not used for training: {accuracy:.3f}")
assert accuracy > 0.9

# %% [markdown]
# Now pick a digit the network gets **wrong**: sample 1551, a 6. For that single sample, $E$ is the
# squared distance between the network's 10 outputs and the one-hot target, and `g.inputs` holds
# $\partial E/\partial x$ for each of the 64 pixels.

# %%
i = 1551
x, t = Xd[i:i + 1], Td[i:i + 1]
out = clf.forward(x)
gi = clf.backward(t)
grad = gi.inputs[0]                                  # dE/dx for the 64 pixels
E0 = gi.loss
top = int(np.argmax(np.abs(grad)))
print(f"true digit {labels[i]}, network says {out.argmax()}, E = {E0:.6f}")
print(f"most influential pixel: {top} (row {top // 8}, column {top % 8}),"
      f" value {x[0, top]:.4f}, dE/dx = {grad[top]:+.6f}")
assert labels[i] == 6 and out.argmax() != 6 and top == 20

# %%
# NBVAL_IGNORE_OUTPUT
fig, axes = plt.subplots(1, 2, figsize=(8.4, 3.8), dpi=80)
axes[0].imshow(x.reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
axes[0].set_title(f"sample {i}: a {labels[i]}, classified as {out.argmax()}")
limit = np.abs(grad).max()
im = axes[1].imshow(grad.reshape(8, 8), cmap="RdBu_r", vmin=-limit, vmax=limit)
axes[1].set_title("dE/dx per pixel\n(red: brighter raises E, blue: brighter lowers E)", fontsize=10)
for ax in axes:
    ax.set_xticks(range(8))
    ax.set_yticks(range(8))
    ax.plot(top % 8, top // 8, "s", ms=17, mfc="none", mec="white", mew=4)   # a white rim: visible on
    ax.plot(top % 8, top // 8, "s", ms=17, mfc="none", mec="black", mew=2)   # dark and light pixels
fig.colorbar(im, ax=axes[1], shrink=0.85)
fig.suptitle("Black square: the pixel with the largest |dE/dx|", fontsize=10)
fig.tight_layout()
assert grad.shape == (64,)
plt.show()


# %% [markdown]
# Red pixels raise the error when they get brighter, blue ones lower it. The map is the
# network's answer to "what would have to change in this image for me to be less wrong?",
# restricted to changes so small that the network behaves linearly.
#
# ### The first-order prediction
#
# For a small change $\Delta x$ of one pixel, the definition of the derivative gives
#
# $$\Delta E \approx \frac{\partial E}{\partial x}\, \Delta x .$$
#
# How small is small? Change the most influential pixel by $\Delta x$ from $-0.3$ to $0.3$ and
# compare the true change of $E$ (two forward passes) with the prediction (one multiplication):

# %%
def error_with_pixel(p, dx):
    shifted = x.copy()
    shifted[0, p] += dx
    return clf.loss(shifted, t)

steps = np.linspace(-0.3, 0.3, 25)
true_change = np.array([error_with_pixel(top, dx) - E0 for dx in steps])
predicted_change = grad[top] * steps
misses = {}
for dx in (0.01, 0.1, 0.3):
    real = error_with_pixel(top, dx) - E0
    misses[dx] = abs(real - grad[top] * dx)             # absolute error of the prediction
    print(f"dx = {dx:4}:  true dE = {real:+.6f}   predicted {grad[top] * dx:+.6f}"
          f"   absolute error {misses[dx]:.6f}   relative error {misses[dx] / abs(real):.1%}")
assert 50 < misses[0.1] / misses[0.01] < 200           # 10 times the step: about 100 times the error
small = error_with_pixel(top, 1e-3) - E0
assert abs(small - grad[top] * 1e-3) < 0.01 * abs(small)      # tiny steps: the prediction is exact

# %% [markdown]
# The prediction ignores curvature, so its **absolute** error grows roughly with $\Delta x^2$: ten
# times the step ($0.01 \to 0.1$) gives about a hundred times the error (the cell checks it). The
# **relative** error divides that by a change of $E$ that itself grows with $\Delta x$, so it grows
# roughly in proportion to $\Delta x$: about 1% at 0.01, about 13% at 0.1. The tangent is excellent
# for changes of a few hundredths and rough for changes of a third of the pixel range.
#
# One pixel is a single check. A fairer test: nudge **each** of the 64 pixels by $+0.05$ in turn
# and compare all 64 measured changes of $E$ with the 64 predictions.

# %%
nudge = 0.05
measured = np.array([error_with_pixel(p, nudge) - E0 for p in range(64)])
predicted = grad * nudge
corr = np.corrcoef(measured, predicted)[0, 1]
print(f"correlation of predicted and measured changes over 64 pixels: {corr:.4f}")
print(f"pixel whose nudge changes E most: {int(np.argmax(np.abs(measured)))}   "
      f"predicted by the gradient: {int(np.argmax(np.abs(predicted)))}")
assert corr > 0.99 and np.argmax(np.abs(measured)) == np.argmax(np.abs(predicted)) == top

# %%
# NBVAL_IGNORE_OUTPUT
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4), dpi=80)
ax1.plot(steps, true_change, "o", color=P.OKABE_ITO["blue"], ms=5, label="true change (forward passes)")
ax1.plot(steps, predicted_change, "--", color=P.OKABE_ITO["vermillion"], label="prediction dE/dx * dx")
ax1.axhline(0, color="gray", lw=0.5)
ax1.axvline(0, color="gray", lw=0.5)
ax1.set_xlabel(f"change dx of pixel {top}")
ax1.set_ylabel("change of the error E")
ax1.set_title(f"One pixel (dE/dx = {grad[top]:+.3f}): tangent vs truth")
ax1.legend(fontsize=9)
ax1.grid(alpha=0.3)

ax2.plot(predicted, measured, "o", color=P.OKABE_ITO["blue"], ms=5)
lim = 1.1 * np.abs(np.concatenate([predicted, measured])).max()
ax2.plot([-lim, lim], [-lim, lim], "--", color=P.OKABE_ITO["vermillion"], label="measured = predicted")
ax2.plot(predicted[top], measured[top], "s", ms=12, mfc="none", mec="black", mew=2,
         label=f"pixel {top}")
ax2.set_xlim(-lim, lim)
ax2.set_ylim(-lim, lim)
ax2.set_xlabel(f"predicted change of E:  dE/dx * {nudge}")
ax2.set_ylabel(f"measured change of E (pixel + {nudge})")
ax2.set_title("All 64 pixels, each nudged by +0.05")
ax2.legend(fontsize=9)
ax2.grid(alpha=0.3)
fig.tight_layout()
assert len(ax2.lines) == 3
plt.show()

# %% [markdown]
# The 64 points sit close to the diagonal: one backward pass predicted what 64 extra forward
# passes measured. This is the same idea as gradient checking (lesson 06), used the other way round:
# there the measured changes checked the gradient; here the gradient stands in for the measurements.
#
# Input gradients are used for exactly this kind of question in practice: **saliency maps** (which
# parts of an image a classifier is sensitive to), **adversarial examples** (tiny input changes,
# chosen along the gradient, that raise the error a lot) and, in a network stacked on top of another
# one, passing the error down into the lower network: there $\partial E/\partial X$ of the upper
# network is the $\partial E/\partial a$ that the lower one's backward pass starts from.
#
# > **Try this.**
# > 1. Change `i = 1551` to `1500` (a correctly classified 1) and rerun the cells of this section.
# >    How large are the input gradients of a sample the network already gets right, and why?
# > 2. Set `nudge = 0.3`. The points leave the diagonal: which ones, and in which direction?
# > 3. Move every pixel at once a small step *against* the gradient,
# >    `clf.loss(x - 0.5 * grad, t)`, and compare with `E0`. Does the network now get the digit right?
# >
# > The view below nudges one pixel of the same sample with a slider. Left: the true error along
# > that pixel and the tangent that predicts it. Middle: the network's ten outputs before and after
# > the nudge. Right: $\partial E/\partial x$ of all 64 pixels at the nudged image, so you can watch
# > the gradient itself change as the pixel moves.

# %%
# NBVAL_IGNORE_OUTPUT
view = bc.widgets.nudge_explorer(clf, x[0], t[0], index=top, span=0.3)
view.dx.value = 0.1
# the view measures what error_with_pixel measured, and predicts with the same gradient
assert abs(view.state["true_change"] - (error_with_pixel(top, 0.1) - E0)) < 1e-12
assert abs(view.state["predicted_change"] - grad[top] * 0.1) < 1e-12
view

# %% [markdown]
# ## Check yourself
#
# Answer with the buttons, or in code with `quiz.answer(1, "a")` and `quiz.reveal(1)`; nothing
# leaves your notebook.

# %% jupyter={"source_hidden": true}
# Self-check questions. The code is hidden because it holds the answers (click ••• to show it).
# NBVAL_IGNORE_OUTPUT
Choice, Number = bc.widgets.Choice, bc.widgets.Number
x1500, t1500 = Xd[1500:1501], Td[1500:1501]                       # 'Try this' 1: a correctly classified 1
right_out = clf.forward(x1500)
g1500 = clf.backward(t1500)
assert labels[1500] == right_out.argmax() == 1
ratio_1500 = np.abs(g1500.inputs).max() / np.abs(grad).max()
assert 0.5 < ratio_1500 < 2 and g1500.loss > 0.1                  # not small: E is not small
moved = x - 0.5 * grad                                            # 'Try this' 3
E_moved, says = clf.loss(moved, t), int(clf.forward(moved).argmax())
assert E_moved < E0 / 2 and says == labels[i] == 6
big_nudge = 0.3                                                     # 'Try this' 2
measured_big = np.array([error_with_pixel(p, big_nudge) - E0 for p in range(64)])
miss = grad * big_nudge - measured_big
assert np.all(miss > 0)                                             # every point below the diagonal
assert set(np.argsort(-miss)[:5]) == set(np.argsort(-np.abs(grad))[:5])
quiz = bc.selfcheck(
    Choice("Why does no sum collapse at the bottom of the derivation of $\\partial E/\\partial y_{05}$, "
           "as the sum over $m$ did for $w_{173}$ in lesson 07?",
           ["the input y₀₅ feeds every node m of layer 1",
            "inputs have no activation function",
            "the derivation stops before layer 1"],
           "the input y₀₅ feeds every node m of layer 1",
           why="$w_{173}$ reaches only node 7, but $y_{05}$ enters every net input $x_{1m}$ through "
               "$w_{1m5}$. So the result keeps the sum: $-\\sum_m e_{1m}\\, w_{1m5}$, in code "
               "`g.deltas[0] @ net.weights[0]`.",
           wrong={"inputs have no activation function": "true, and it is why the result has no final "
                  "slope $f'$; but the sum survives because every node of layer 1 depends on "
                  "$y_{05}$."}),
    Choice("Try this (section 3, 1): with `i = 1500`, a 1 that the network classifies correctly, how "
           "large are the input gradients compared with those of sample 1551?",
           ["much smaller: a correctly classified sample has almost no error",
            "about as large: the error is not small just because the top output is right",
            "exactly zero"],
           "about as large: the error is not small just because the top output is right",
           why=f"The largest $|\\partial E/\\partial x|$ is {np.abs(g1500.inputs).max():.2f} for "
               f"sample 1500 against {np.abs(grad).max():.2f} for 1551. The gradients start from "
               f"$t - y$, and sample 1500 still has $E = {g1500.loss:.2f}$: its outputs are not yet "
               "close to the one-hot target. Being right (the largest output) and having a small "
               "error are different things.",
           wrong={"much smaller: a correctly classified sample has almost no error": "only if its "
                  f"outputs are close to their targets; here $E = {g1500.loss:.2f}$ is far from 0."}),
    Choice("Try this (section 3, 3): move every pixel of sample 1551 a step against the gradient, "
           "`x - 0.5 * grad`. Does the network now get the 6 right?",
           ["yes", "no, it still says 1", "no, the error rises"], "yes",
           why=f"$E$ falls from {E0:.2f} to {E_moved:.2f} and the largest output is now digit {says}: "
               "a step against $\\partial E/\\partial x$ changes the image, not the network, in the "
               "direction that lowers the error (the idea behind adversarial examples, used the "
               "helpful way round).",
           wrong={"no, the error rises": "a small step against the gradient lowers the error, as in "
                                         "gradient descent; here it is the input that moves."}),
    Choice("Try this (section 3, 2): set `nudge = 0.3`. The points leave the diagonal of the right-hand "
           "plot: which ones, and in which direction?",
           ["all fall below it, most of all the pixels with the largest gradients",
            "all rise above it, most of all the pixels with the smallest gradients",
            "half above, half below, at random"],
           "all fall below it, most of all the pixels with the largest gradients",
           why="For sample 1551 every one of the 64 measured changes is smaller than the tangent "
               "predicts: along each pixel the error bends below its tangent. The five biggest misses "
               f"are the five pixels with the largest $|\\partial E/\\partial x|$ (pixel {top} first); "
               "the prediction ignores curvature, and its error grows with $\\Delta x^2$."),
)
quiz

# %% [markdown]
# ## Recap
#
# - The gradient with respect to an input follows the weight derivation step for step until the
#   bottom layer, where the input feeds every node: $\partial E/\partial y_{05} = -\sum_m e_{1m}\,
#   w_{1m5}$.
# - It reuses the error terms backpropagation already has: `g.inputs = g.deltas[0] @ net.weights[0]`
#   (with $\delta = -e$); the engine, the derived formula and finite differences agree.
# - The source's second derivation has many slips ($i_i$ for $t_i$, a lost prime, a reused index, a
#   wrong layer index); the SymPy steps are correct.
# - $\Delta E \approx \partial E/\partial x \cdot \Delta x$ predicts how a small change of an input
#   moves the error; the prediction is exact in the limit and degrades with the square of the step.
#
# **Exercises:** `exercises/ex08_input_grads.ipynb`: Gashler's $-\sum_j e_{1j} w_{1jk}$ as one
# matrix product (mind $e = -\delta$), $\partial E/\partial X$ of a whole sigmoid network, and the
# table of predicted against measured changes of $E$ from section 3, for one sample.
#
# **Next:** [09 · Update modes](09_update_modes.ipynb): how often to update the weights, once per
# sample, once per pass over the data, or in between.
