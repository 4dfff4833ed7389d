"""Softmax with cross-entropy: dE/dz_j = y_j - t_j, derived step by step with SymPy (lesson 14).

A classifier with K classes turns its K net inputs (logits) z_1..z_K into probabilities with the
softmax, y_i = exp(z_i) / sum_m exp(z_m), and is scored by the cross-entropy E = -sum_i t_i log y_i,
where the targets t_i are a probability vector (one-hot, usually). The derivation below writes every
step as a SymPy expression equal to dE/dz_j, in the course's style (see :mod:`.derivations`): the chain
rule is done by SymPy (``diff`` with y_i standing as an unknown function of z_j), the other steps are
rewrites built explicitly, so nothing shown to a learner is ever ``simplify``-ed. The softmax's own
derivative, y_i (delta_ij - y_j), is derived as the substeps of step 3 (the quotient rule).

:func:`verify_softmax_derivation` proves the derivation for a concrete number of classes: every step
numerically at random points, the softmax derivative and the final y_j - t_j symbolically
(``simplify(a - b) == 0`` against SymPy's own derivative of the composed loss), and the result against
the engine's ``softmax_cross_entropy`` gradient and central finite differences of its value.

>>> d = derive_softmax_cross_entropy()
>>> [s.rule for s in d.steps][-2:]
['only the i = j term survives', 'the targets sum to one']
>>> d.result
-t[j] + y[j]
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp

from backprop_course.engine import checks

from .derivations import Step
from .notation import t, y

__all__ = ["SoftmaxDerivation", "derive_softmax_cross_entropy", "SoftmaxVerification",
           "verify_softmax_derivation", "z", "i", "j", "m", "K"]

#: The logits (net inputs of the output layer); y and t are the course's outputs and targets.
z = sp.IndexedBase("z")
i, j, m = sp.symbols("i j m", integer=True, positive=True)
#: The number of classes, symbolic (any K >= 1).
K = sp.Symbol("K", integer=True, positive=True)

MAX_CLASSES = 6


@dataclass
class SoftmaxDerivation:
    """The derivation of dE/dz_j for E = -sum_i t_i log softmax(z)_i.

    Attributes
    ----------
    target : sympy.Indexed
        z_j, the logit the gradient is taken by (j is a symbol: the result holds for every class).
    softmax : sympy.Expr
        y_i = exp(z_i) / sum_m exp(z_m).
    loss : sympy.Expr
        E = -sum_i t_i log y_i.
    steps : list of Step
        Ordered steps, each equal to dE/dz_j; step 3 carries the softmax's derivative as substeps.
    softmax_derivative : sympy.Expr
        dy_i/dz_j = y_i (delta_ij - y_j).
    result : sympy.Expr
        y_j - t_j (using sum_i t_i = 1).
    before_normalising : sympy.Expr
        y_j sum_i t_i - t_j, the gradient for targets that need not sum to one (the engine's form).
    """

    target: sp.Indexed
    softmax: sp.Expr
    loss: sp.Expr
    steps: list[Step]
    softmax_derivative: sp.Expr
    result: sp.Expr
    before_normalising: sp.Expr


def _sum(expr: sp.Expr, var: sp.Symbol = i) -> sp.Sum:
    return sp.Sum(expr, (var, 1, K))


def _softmax_derivative_steps() -> tuple[list[Step], sp.Expr]:
    """d/dz_j of exp(z_i) / S, S = sum_m exp(z_m), by the quotient rule (substeps of step 3)."""
    S = _sum(sp.exp(z[m]), m)
    delta = sp.KroneckerDelta(i, j)
    steps = []
    expr = sp.Derivative(sp.exp(z[i]) / S, z[j])
    steps.append(Step(1, "given", expr, "the softmax's output y_i as a function of the logits"))
    # (u/v)' = (u' v - u v') / v^2 with u = exp(z_i): u' = delta_ij exp(z_i); v = S: v' = exp(z_j)
    expr = (delta * sp.exp(z[i]) * S - sp.exp(z[i]) * sp.exp(z[j])) / S ** 2
    steps.append(Step(2, "quotient rule", expr,
                      "d exp(z_i)/dz_j is exp(z_i) when i = j and 0 otherwise (delta_ij); "
                      "the sum's derivative keeps only its m = j term, exp(z_j)"))
    expr = delta * sp.exp(z[i]) / S - (sp.exp(z[i]) / S) * (sp.exp(z[j]) / S)
    steps.append(Step(3, "split the fraction", expr, "divide each term of the numerator by S^2"))
    expr = delta * y[i] - y[i] * y[j]
    steps.append(Step(4, "substitute the softmax", expr, "exp(z_i) / S is y_i, and exp(z_j) / S is y_j"))
    expr = y[i] * (delta - y[j])
    steps.append(Step(5, "factor out y_i", expr, "both terms hold the factor y_i"))
    return steps, expr


def derive_softmax_cross_entropy() -> SoftmaxDerivation:
    """Derive dE/dz_j = y_j - t_j for softmax outputs and the cross-entropy, step by step.

    Returns
    -------
    SoftmaxDerivation
        Seven steps: given, chain rule, softmax derivative (with the quotient-rule substeps),
        cancel y_i, split the sum, only the i = j term survives, the targets sum to one.
    """
    delta = sp.KroneckerDelta(i, j)
    softmax = sp.exp(z[i]) / _sum(sp.exp(z[m]), m)
    loss = -_sum(t[i] * sp.log(y[i]))
    steps: list[Step] = []

    def add(rule: str, expr: sp.Expr, note: str, substeps: tuple = ()) -> sp.Expr:
        steps.append(Step(len(steps) + 1, rule, expr, note, tuple(substeps)))
        return expr

    add("given", sp.Derivative(loss, z[j]),
        "the gradient we want: the cross-entropy of the softmax outputs, by the logit z_j")

    # The chain rule by SymPy itself: y_i stands as an unknown function of z_j while diff runs.
    zeta = sp.Dummy("zeta")
    Y = sp.Function("Y")
    standin = loss.xreplace({y[i]: Y(i, zeta)})
    chained = sp.diff(standin, zeta)
    expr = chained.replace(lambda a: isinstance(a, sp.Derivative), lambda a: sp.Derivative(y[i], z[j]))
    expr = expr.xreplace({Y(i, zeta): y[i]})
    add("apply the chain rule", expr, "d log(u) = (1/u) du, inside the sum; the targets are constants")

    sub, dy = _softmax_derivative_steps()
    # keep y_i unevaluated so that the cancellation is a step of its own
    shown = dy.xreplace({y[i]: sp.UnevaluatedExpr(y[i])})
    expr = expr.xreplace({sp.Derivative(y[i], z[j]): shown})
    add("the softmax's derivative", expr,
        "dy_i/dz_j = y_i (delta_ij - y_j), by the quotient rule (the substeps)", sub)

    expr = -_sum(t[i] * (delta - y[j]))
    add("cancel y_i", expr, "(1/y_i) times y_i is 1")

    expr = -_sum(t[i] * delta) + y[j] * _sum(t[i])
    add("split the sum", expr, "a sum of differences is a difference of sums; y_j does not depend on i")

    kept = _sum(t[i] * delta).doit()
    # SymPy answers Piecewise((t_j, j <= K), (0, True)); class j exists (1 <= j <= K), so t_j.
    kept = kept.args[0][0] if isinstance(kept, sp.Piecewise) else kept
    before = -kept + y[j] * _sum(t[i])
    add("only the i = j term survives", before, "delta_ij is 1 for i = j and 0 for every other i")

    result = before.xreplace({_sum(t[i]): sp.Integer(1)})
    add("the targets sum to one", result, "t is a probability vector (one-hot, usually): sum_i t_i = 1")

    return SoftmaxDerivation(z[j], softmax, loss, steps, dy, result, before)


# --------------------------------------------------------------------------------------------------
# verification for a concrete number of classes


@dataclass
class SoftmaxVerification:
    """What :func:`verify_softmax_derivation` found.

    Attributes
    ----------
    classes : int
    symbolic : dict of str -> bool
        ``"softmax derivative"`` (all i, j) and ``"result"`` (all j): simplify(a - b) == 0 against
        SymPy's derivative of the composed softmax and loss.
    step_errors : list of float
        Per step, the largest |step - dE/dz_j| over the random points and every j.
    engine_error, finite_difference_error : float
        Largest |y - t - engine gradient| and |y - t - central differences of the engine's loss|.
    """

    classes: int
    symbolic: dict
    step_errors: list
    engine_error: float
    finite_difference_error: float

    @property
    def passed(self) -> bool:
        return (all(self.symbolic.values()) and max(self.step_errors) < 1e-9
                and self.engine_error < 1e-12 and self.finite_difference_error < 1e-7)


def _concrete(expr: sp.Expr, classes: int, jj: int, zs: list, ts: list) -> sp.Expr:
    """``expr`` for K = classes and j = jj, written in the concrete symbols z_1..z_K, t_1..t_K."""
    e = expr.replace(lambda a: isinstance(a, sp.UnevaluatedExpr), lambda a: a.args[0])
    e = e.xreplace({K: classes, j: jj})
    # sums become explicit (deltas evaluate); derivatives inside them wait until y is written out
    e = e.replace(lambda a: isinstance(a, sp.Sum), lambda a: a.doit(deep=False))
    denominator = sum(sp.exp(zk) for zk in zs)
    e = e.xreplace({y[k]: sp.exp(zs[k - 1]) / denominator for k in range(1, classes + 1)})
    e = e.xreplace({t[k]: ts[k - 1] for k in range(1, classes + 1)})
    e = e.xreplace({z[k]: zs[k - 1] for k in range(1, classes + 1)})
    return e.doit()


def verify_softmax_derivation(derivation: SoftmaxDerivation | None = None, classes: int = 3,
                              points: int = 5, seed: int = 0) -> SoftmaxVerification:
    """Check every step of the derivation for ``classes`` classes (symbolically and with numbers).

    Parameters
    ----------
    derivation : SoftmaxDerivation, optional
        Defaults to :func:`derive_softmax_cross_entropy`.
    classes : int
        K, between 2 and 6 (symbolic checks grow quickly with K).
    points : int
        Random logit vectors (and probability-vector targets) at which each step is evaluated.
    seed : int
        Seed of the random points.
    """
    from backprop_course.engine.gradcheck import numerical_gradient
    from backprop_course.engine.losses import softmax as engine_softmax
    from backprop_course.engine.losses import softmax_cross_entropy

    func = "verify_softmax_derivation"
    classes = checks.integer(classes, "classes", func, 2, MAX_CLASSES, f"an integer between 2 and {MAX_CLASSES}")
    points = checks.integer(points, "points", func, 1, 1000, "an integer between 1 and 1000")
    d = derive_softmax_cross_entropy() if derivation is None else derivation
    zs = list(sp.symbols(f"z1:{classes + 1}", real=True))
    ts = list(sp.symbols(f"t1:{classes + 1}", real=True))
    loss = -sum(tk * sp.log(sp.exp(zk) / sum(sp.exp(zm) for zm in zs)) for tk, zk in zip(ts, zs))
    truth = [sp.diff(loss, zk) for zk in zs]           # SymPy's own dE/dz_j, no derivation involved
    on_simplex = {ts[-1]: 1 - sum(ts[:-1])}            # targets summing to one

    # symbolic: the softmax derivative for every (i, j), the result for every j
    y_of = [sp.exp(zk) / sum(sp.exp(zm) for zm in zs) for zk in zs]
    ok_dy = all(
        sp.simplify(sp.diff(y_of[a - 1], zs[b - 1])
                    - _concrete(d.softmax_derivative.xreplace({i: a}), classes, b, zs, ts)) == 0
        for a in range(1, classes + 1) for b in range(1, classes + 1))
    ok_result = all(
        sp.simplify((truth[b - 1] - _concrete(d.result, classes, b, zs, ts)).xreplace(on_simplex)) == 0
        for b in range(1, classes + 1))

    # numbers: each step at random logits and random probability-vector targets
    rng = np.random.default_rng(seed)
    Z = rng.normal(0.0, 2.0, size=(points, classes))
    T = rng.dirichlet(np.ones(classes), size=points)
    step_errors = []
    for step in d.steps:
        worst = 0.0
        for b in range(1, classes + 1):
            f = sp.lambdify(zs + ts, _concrete(step.expr, classes, b, zs, ts) - truth[b - 1], "numpy")
            worst = max(worst, max(abs(float(f(*Z[p], *T[p]))) for p in range(points)))
        step_errors.append(worst)

    # the engine, and finite differences of the engine's loss
    ours = engine_softmax(Z) - T                       # y - t, the derivation's result
    engine_error = float(np.max(np.abs(ours - softmax_cross_entropy.grad(Z, T))))
    fd = numerical_gradient(lambda V: softmax_cross_entropy.value(V, T), Z.copy())
    fd_error = float(np.max(np.abs(ours - fd)))
    return SoftmaxVerification(classes, {"softmax derivative": ok_dy, "result": ok_result},
                               step_errors, engine_error, fd_error)
