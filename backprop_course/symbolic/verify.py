"""Checking a derivation: symbolically against SymPy and numerically against the engine.

:func:`verify` runs, on a concrete small sigmoid network (widths of 2 unless the target needs more):

1. *symbolic, direct*: the whole network written out as one nested SymPy expression, differentiated
   by the target with ``sympy.diff`` in one go, equals the derived expanded gradient (compared
   numerically at random points, never as strings);
2. *symbolic, error terms*: substituting the cached error terms' definitions back into the error form
   and writing out the sums gives exactly the expanded gradient (their difference is the zero
   polynomial in w, t, y and the f'(x) values, checked with ``sympy.Poly``);
3. *numeric, engine*: the lambdified gradient equals the gradient of the engine's
   ``MLP.backward`` (relative error < 1e-9, float64);
4. *numeric, finite differences*: it equals central finite differences of E (Richardson-extrapolated,
   relative error < 1e-9 with a floor of 1e-6 in the denominator, as in cs231n's relative error).

:func:`evaluate` gives the value of any step of a derivation on a concrete network; unevaluated
derivatives are evaluated by the complex-step method (exact to rounding for analytic activations).
The index mapping between Gashler's 1-based w_ijk and the engine's arrays is in :mod:`.notation`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import sympy as sp

from backprop_course.engine.checks import error   # (verify() has a local `checks`)

from .notation import ActivationDerivative, ActivationFunction, b, e, t, w, x, y

__all__ = ["NumericNetwork", "Check", "VerificationReport", "verify", "evaluate", "default_sizes",
           "lambdify_expression", "direct_gradient", "concrete_form", "Sigmoid", "relative_error", "finite_difference"]

REL_TOL = 1e-9
FLOOR = 1e-6
MAX_DIRECT_PATHS = 256  # the one-shot diff of the nested network grows with the number of paths
MAX_EXPAND_TERMS = 64  # above this many paths the exact expand check is skipped (the numeric one stays)


def relative_error(a: float, b_: float, floor: float = FLOOR) -> float:
    """|a - b| / max(|a|, |b|, floor): relative where the numbers are large, absolute-like near 0."""
    return abs(a - b_) / max(abs(a), abs(b_), floor)


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


@dataclass
class NumericNetwork:
    """A concrete sigmoid network in Gashler's indexing (layer 0 is the input).

    Attributes
    ----------
    sizes : tuple of int
        (n_0, ..., n_L).
    weights : list of ndarray
        ``weights[l - 1]`` has shape (n_l, n_{l-1}) and holds w[l, j, k] at [j - 1, k - 1].
    biases : list of ndarray or None
        ``biases[l - 1]`` has shape (n_l,).
    inputs : ndarray, shape (n_0,)
        y[0, k] at [k - 1].
    targets : ndarray, shape (n_L,)
        t[j] at [j - 1].
    """

    sizes: tuple[int, ...]
    weights: list[np.ndarray]
    biases: list[np.ndarray] | None
    inputs: np.ndarray
    targets: np.ndarray
    _cache: dict = field(default_factory=dict, repr=False)

    @classmethod
    def random(cls, sizes: Sequence[int], bias: bool = False, seed: int = 0) -> "NumericNetwork":
        """Random weights ~ N(0, 1) (the 2017 note's initialisation), inputs in [-1, 1], targets in [0, 1]."""
        rng = np.random.default_rng(seed)
        sizes = tuple(int(s) for s in sizes)
        weights = [rng.standard_normal((sizes[l], sizes[l - 1])) for l in range(1, len(sizes))]
        biases = [rng.normal(0.0, 0.5, sizes[l]) for l in range(1, len(sizes))] if bias else None
        return cls(sizes, weights, biases, rng.uniform(-1, 1, sizes[0]), rng.uniform(0, 1, sizes[-1]))

    def forward(self) -> tuple[list, list]:
        """Net inputs xs[l] and outputs ys[l] (xs[0] is None, ys[0] the inputs)."""
        if "fw" not in self._cache:
            xs, ys = [None], [self.inputs]
            for l in range(1, len(self.sizes)):
                z = self.weights[l - 1] @ ys[-1]
                if self.biases is not None:
                    z = z + self.biases[l - 1]
                xs.append(z)
                ys.append(_sigmoid(z))
            self._cache["fw"] = (xs, ys)
        return self._cache["fw"]

    def loss(self) -> Any:
        """E = 1/2 sum_i (t_i - y_Li)^2."""
        ys = self.forward()[1]
        return 0.5 * np.sum((self.targets - ys[-1]) ** 2)

    def value(self, base: sp.IndexedBase, indices: Sequence[int]) -> Any:
        """The number behind w[l, j, k], b[l, j], x[l, j], y[l, j] or t[j] (1-based node indices)."""
        if any(i < 0 for i in indices) or any(i < 1 for i in indices[1:]) or (base == t and indices[0] < 1):
            raise IndexError(f"no node {base}{list(indices)} in a network of sizes {self.sizes}")
        if base == t:
            return self.targets[indices[0] - 1]
        l = indices[0]
        if base == w:
            return self.weights[l - 1][indices[1] - 1, indices[2] - 1]
        if base == b:
            return 0.0 if self.biases is None else self.biases[l - 1][indices[1] - 1]
        xs, ys = self.forward()
        return (xs if base == x else ys)[l][indices[1] - 1]

    def perturbed(self, target: sp.Indexed, step: complex) -> "NumericNetwork":
        """A copy with ``step`` added to the target (complex steps allowed)."""
        weights = [np.array(a, dtype=complex) for a in self.weights]
        biases = None if self.biases is None else [np.array(a, dtype=complex) for a in self.biases]
        inputs = np.array(self.inputs, dtype=complex)
        idx = [int(i) for i in target.indices]
        if target.base == w:
            weights[idx[0] - 1][idx[1] - 1, idx[2] - 1] += step
        elif target.base == b:
            biases[idx[0] - 1][idx[1] - 1] += step
        else:
            inputs[idx[1] - 1] += step
        return NumericNetwork(self.sizes, weights, biases, inputs, self.targets)

    def to_mlp(self):
        """The same network as an engine ``MLP`` (0-based arrays; see the mapping in :mod:`.notation`)."""
        from backprop_course.engine.mlp import MLP

        net = MLP(list(self.sizes), activation="sigmoid", bias=self.biases is not None, seed=0)
        for l in range(1, len(self.sizes)):
            net.weights[l - 1][...] = self.weights[l - 1]
            if self.biases is not None:
                net.biases[l - 1][...] = self.biases[l - 1]
        return net


# --------------------------------------------------------------------------------------------------
# evaluating any step


class _Evaluator:
    def __init__(self, net: NumericNetwork, target: sp.Indexed | None, error_terms: Sequence = (), h: float = 1e-20):
        self.net, self.target, self.h = net, target, h
        self.defs = {int(lhs.indices[0]): (lhs.indices[1], rhs) for lhs, rhs in error_terms}
        self._perturbed: _Evaluator | None = None

    def __call__(self, ex: sp.Basic, env: dict) -> Any:
        if ex.is_Number:
            return float(ex) if ex.is_real else complex(ex)
        if isinstance(ex, sp.Symbol):
            if ex in env:
                return env[ex]
            if ex.name.startswith("n_"):
                return self.net.sizes[int(ex.name[2:])]
            raise ValueError(f"cannot evaluate the free symbol {ex}")
        if isinstance(ex, sp.Indexed):
            idx = [int(self(i, env)) for i in ex.indices]
            if ex.base == e:
                pattern, rhs = self.defs[idx[0]]
                if pattern.is_Integer:
                    if int(pattern) != idx[1]:
                        raise ValueError(f"error term e{idx} is not defined")
                    return self(rhs, {})
                return self(rhs, {pattern: idx[1]})
            return self.net.value(ex.base, idx)
        if isinstance(ex, sp.Add):
            return sum(self(a, env) for a in ex.args)
        if isinstance(ex, sp.Mul):
            out = 1.0
            for a in ex.args:
                out = out * self(a, env)
            return out
        if isinstance(ex, sp.Pow):
            return self(ex.base, env) ** self(ex.exp, env)
        if isinstance(ex, sp.Sum):
            return self._sum(ex.function, list(ex.limits), env)
        if isinstance(ex, ActivationFunction):
            return _sigmoid(self(ex.args[0], env))
        if isinstance(ex, ActivationDerivative):
            s = _sigmoid(self(ex.args[0], env))
            return s * (1 - s)
        if isinstance(ex, sp.KroneckerDelta):
            return 1.0 if self(ex.args[0], env) == self(ex.args[1], env) else 0.0
        if isinstance(ex, sp.Derivative):
            if self._perturbed is None:
                self._perturbed = _Evaluator(self.net.perturbed(self.target, 1j * self.h), self.target,
                                             (), self.h)
                self._perturbed.defs = self.defs
            return float(np.imag(self._perturbed(ex.expr, env))) / self.h
        raise TypeError(f"cannot evaluate {type(ex).__name__}: {ex}")

    def _sum(self, body: sp.Basic, limits: list, env: dict) -> Any:
        (var, lo, hi), rest = limits[-1], limits[:-1]  # the last limit is the outermost sum
        total = 0.0
        for value in range(int(self(lo, env)), int(self(hi, env)) + 1):
            inner = {**env, var: value}
            total = total + (self._sum(body, rest, inner) if rest else self(body, inner))
        return total


def evaluate(expr: sp.Basic, net: NumericNetwork, target: sp.Indexed | None = None,
             error_terms: Sequence = ()) -> float:
    """The value of a derivation expression on a concrete network.

    Widths n_l take the network's sizes, error terms their definitions, and each unevaluated
    ``Derivative(q, target)`` is evaluated by the complex step Im q(target + i h) / h with h = 1e-20.
    """
    value = _Evaluator(net, target, error_terms)(expr, {})
    return float(np.real(value))


# --------------------------------------------------------------------------------------------------
# concrete SymPy forms


def _widths(sizes: Sequence[int]) -> dict:
    return {sp.Symbol(f"n_{l}", integer=True, positive=True): n for l, n in enumerate(sizes)}


def _expand_sums(expr: sp.Expr) -> sp.Expr:
    """Write every sum with concrete limits out as a plain addition (inner sums first)."""
    def expand(s: sp.Sum) -> sp.Expr:
        body = s.function
        for var, lo, hi in s.limits:
            body = sp.Add(*[body.xreplace({var: sp.Integer(v)}) for v in range(int(lo), int(hi) + 1)])
        return body

    return expr.replace(lambda a: isinstance(a, sp.Sum), expand)


def concrete_form(expr: sp.Expr, sizes: Sequence[int]) -> sp.Expr:
    """``expr`` at concrete widths with its sums written out (x and y stay as symbols)."""
    return _expand_sums(expr.xreplace(_widths(sizes)))


def _safe_sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    ez = math.exp(z)
    return ez / (1.0 + ez)


def _safe_sigmoid_prime(z: float) -> float:
    s = _safe_sigmoid(z)
    return s * (1.0 - s)


def lambdify_expression(expr: sp.Expr, sizes: Sequence[int]):
    """A float64 function ``f(net: NumericNetwork) -> float`` of a derivation expression.

    The expression is written out at the concrete sizes and compiled by ``sympy.lambdify`` (with
    common-subexpression elimination); f_l and f'_l become the sigmoid and its derivative s(1 - s),
    and the indexed quantities (w, b, x, y, t) are read from the network.
    """
    concrete = concrete_form(expr, sizes)
    atoms = sorted(concrete.atoms(sp.Indexed), key=str)
    symbols = [sp.Dummy(f"v{n}") for n in range(len(atoms))]
    layers = len(sizes)
    namespace = {**{f"f{l}": _safe_sigmoid for l in range(layers)},
                 **{f"fprime{l}": _safe_sigmoid_prime for l in range(layers)}}
    fn = sp.lambdify(symbols, concrete.xreplace(dict(zip(atoms, symbols))), [namespace, "math"], cse=True)
    keys = [(a.base, [int(i) for i in a.indices]) for a in atoms]

    def call(net: NumericNetwork) -> float:
        return float(fn(*[float(net.value(base, idx)) for base, idx in keys]))

    return call


class Sigmoid(sp.Function):
    """The concrete logistic sigmoid 1 / (1 + exp(-z)) as one SymPy function.

    Its derivative is s(z) (1 - s(z)) (a test checks this against ``diff`` of 1 / (1 + exp(-z))).
    Keeping s as one node, instead of the written-out fraction, stops the one-shot derivative of a
    deep nested network from blowing up. At a number it evaluates to a number.
    """

    nargs = 1
    # known facts, stated so SymPy does not query them through the whole nested network
    is_extended_real = True
    is_real = True
    is_finite = True
    is_positive = True
    is_zero = False

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return self * (1 - self)

    @classmethod
    def eval(cls, arg: sp.Expr):
        if arg.is_Float:
            return sp.Float(_safe_sigmoid(float(arg)))
        return None


def direct_gradient(derivation: Any, net: NumericNetwork) -> float:
    """dE/d(target) by ``sympy.diff`` of the whole network at once, evaluated on ``net``.

    The network is written out as one nested SymPy expression of the target. Every weight, bias,
    input and target other than the target itself is a number, and so is every node that does not
    depend on the target (its value is computed once); these are constants for the derivative, so
    the result is the same, and the expression stays small enough to differentiate in one go.
    """
    tau = sp.Symbol("tau")
    target = derivation.target
    idx = [int(i) for i in target.indices]
    xs, ys_num = net.forward()
    sizes = net.sizes

    def param(base, *index):
        if base == target.base and list(index) == idx:
            return tau
        return sp.Float(float(net.value(base, list(index))))

    # nodes of layer 0: numbers, except the target input
    ys: list = [param(y, 0, k) for k in range(1, sizes[0] + 1)]
    for l in range(1, len(sizes)):
        new = []
        for j in range(1, sizes[l] + 1):
            symbolic_terms = [param(w, l, j, k) * ys[k - 1] for k in range(1, sizes[l - 1] + 1)
                              if isinstance(ys[k - 1], sp.Expr) and ys[k - 1].has(tau)
                              or (target.base == w and [l, j, k] == idx)]
            if not symbolic_terms and not (target.base == b and [l, j] == idx):
                new.append(sp.Float(float(ys_num[l][j - 1])))  # this node does not depend on the target
                continue
            constant = sum(float(net.value(w, [l, j, k])) * float(ys_num[l - 1][k - 1])
                           for k in range(1, sizes[l - 1] + 1)
                           if not (isinstance(ys[k - 1], sp.Expr) and ys[k - 1].has(tau))
                           and not (target.base == w and [l, j, k] == idx))
            z = sp.Add(sp.Float(constant), *symbolic_terms)
            if derivation.bias:
                z += param(b, l, j)
            new.append(Sigmoid(z))
        ys = new
    E = sp.Rational(1, 2) * sp.Add(*[(param(t, i) - ys[i - 1]) ** 2 for i in range(1, sizes[-1] + 1)])
    gradient = sp.diff(E, tau)
    return float(gradient.xreplace({tau: sp.Float(float(net.value(target.base, idx)))}))


# --------------------------------------------------------------------------------------------------
# the report


@dataclass
class Check:
    """One verification: its name, whether it passed, the error measured and a short detail."""

    name: str
    passed: bool
    error: float
    detail: str


@dataclass
class VerificationReport:
    """The outcome of :func:`verify`: ``passed`` is True when every check passed."""

    target: str
    sizes: tuple[int, ...]
    checks: list[Check]
    values: dict

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        lines = [f"verification of dE/d{self.target} on a sigmoid network of sizes {list(self.sizes)}"]
        for c in self.checks:
            lines.append(f"  [{'pass' if c.passed else 'FAIL'}] {c.name}: error {c.error:.2e} ({c.detail})")
        lines.append("all checks passed" if self.passed else "SOME CHECKS FAILED")
        return "\n".join(lines)

    def _repr_markdown_(self) -> str:
        rows = ["| check | result | error | detail |", "|---|---|---:|---|"]
        rows += [f"| {c.name} | {'pass' if c.passed else '**FAIL**'} | {c.error:.1e} | {c.detail} |"
                 for c in self.checks]
        return f"Verification of the gradient on sizes {list(self.sizes)}\n\n" + "\n".join(rows)


def default_sizes(derivation: Any, width: int = 2) -> tuple[int, ...]:
    """Widths of ``width`` per layer, enlarged where the target's nodes need more."""
    sizes = [width] * (derivation.layers + 1)
    idx = [int(i) for i in derivation.target.indices]
    if derivation.kind == "input":
        sizes[0] = max(sizes[0], idx[1])
    else:
        sizes[idx[0]] = max(sizes[idx[0]], idx[1])
        if derivation.kind == "weight":
            sizes[idx[0] - 1] = max(sizes[idx[0] - 1], idx[2])
    return tuple(sizes)


def finite_difference(net: NumericNetwork, target: sp.Indexed, h: float = 1e-3) -> float:
    """Central differences of E by the target, Richardson-extrapolated (error O(h^4)).

    The two losses are computed in ``numpy.longdouble`` (extended precision where the platform has
    it) so that their difference keeps its digits even when the gradient is tiny.
    """
    def shifted(step: float) -> NumericNetwork:
        ld = np.longdouble
        copy = NumericNetwork(net.sizes, [np.array(a, dtype=ld) for a in net.weights],
                              None if net.biases is None else [np.array(a, dtype=ld) for a in net.biases],
                              np.array(net.inputs, dtype=ld), np.array(net.targets, dtype=ld))
        idx = [int(i) for i in target.indices]
        if target.base == w:
            copy.weights[idx[0] - 1][idx[1] - 1, idx[2] - 1] += ld(step)
        elif target.base == b:
            copy.biases[idx[0] - 1][idx[1] - 1] += ld(step)
        else:
            copy.inputs[idx[1] - 1] += ld(step)
        return copy

    def central(step: float):
        return (shifted(step).loss() - shifted(-step).loss()) / (2 * np.longdouble(step))

    return float((4 * central(h / 2) - central(h)) / 3)


def _same_polynomial(a: sp.Expr, b_: sp.Expr) -> bool:
    """Exact check that a - b is 0 as a polynomial in its atoms (each f'(x) and w, t, y is one variable)."""
    difference = a - b_
    calls = sorted(difference.atoms(ActivationDerivative, ActivationFunction), key=str)
    first = difference.xreplace({c: sp.Dummy() for c in calls})
    atoms = sorted(first.atoms(sp.Indexed), key=str)
    plain = first.xreplace({a_: sp.Dummy() for a_ in atoms})
    gens = sorted(plain.free_symbols, key=str)
    return plain == 0 if not gens else sp.Poly(plain, *gens).is_zero


def _engine_gradient(net: NumericNetwork, derivation: Any) -> float | None:
    try:
        mlp = net.to_mlp()
    except ImportError:  # the engine is not installed: skip that comparison
        return None
    mlp.forward(net.inputs[None, :])
    g = mlp.backward(net.targets[None, :])
    idx = [int(i) for i in derivation.target.indices]
    if derivation.kind == "weight":
        return float(g.weights[idx[0] - 1][idx[1] - 1, idx[2] - 1])
    if derivation.kind == "bias":
        return float(g.biases[idx[0] - 1][idx[1] - 1])
    return float(g.inputs[0, idx[1] - 1])


def verify(derivation: Any, sizes: Sequence[int] | None = None, seed: int = 0, symbolic: bool = True,
           points: int = 1) -> VerificationReport:
    """Run the symbolic and numeric checks of a derivation (see the module docstring).

    Parameters
    ----------
    derivation : Derivation
    sizes : sequence of int, optional
        Concrete sizes (n_0, ..., n_L); default: the derivation's sizes, else 2 per layer, enlarged
        to hold the target's nodes. Keep them small: the direct check writes out the whole network.
    seed : int
        Seeds the random weights, inputs and targets.
    symbolic : bool
        Run the two symbolic checks (the numeric ones always run).
    points : int
        Random points at which the direct symbolic comparison is evaluated.
    """
    if sizes is None:
        sizes = derivation.sizes or default_sizes(derivation)
    sizes = tuple(int(s) for s in sizes)
    if len(sizes) != derivation.layers + 1:
        raise error("verify", "sizes", f"{derivation.layers + 1} entries (n_0, ..., n_{derivation.layers})",
                    repr(list(sizes)), must="have")
    net = NumericNetwork.random(sizes, bias=derivation.bias, seed=seed)
    checks: list[Check] = []
    target = derivation.target
    compiled = lambdify_expression(derivation.result, sizes)
    lambdified = compiled(net)
    values = {"lambdified": lambdified}

    paths = math.prod(sizes[max(derivation.layer, 1):])  # size of the written-out network above the target
    if symbolic and paths > MAX_DIRECT_PATHS:
        checks.append(Check("symbolic: sympy.diff of the whole network", True, 0.0,
                            f"skipped: {paths} paths are too many for a one-shot diff (limit {MAX_DIRECT_PATHS})"))
    elif symbolic:
        worst = 0.0
        for n in range(points):
            point = net if n == 0 else NumericNetwork.random(sizes, bias=derivation.bias, seed=seed + 1000 + n)
            derived = compiled(point)
            worst = max(worst, relative_error(direct_gradient(derivation, point), derived, 1e-12))
        checks.append(Check("symbolic: sympy.diff of the whole network", worst < 1e-10, worst,
                            f"{points} random points"))
        terms = math.prod(sizes[derivation.layer + 1:]) if derivation.kind != "input" else math.prod(sizes[1:])
        if terms <= MAX_EXPAND_TERMS:
            expanded = concrete_form(derivation.expand_error_terms(derivation.error_form), sizes)
            same = _same_polynomial(expanded, concrete_form(derivation.result, sizes))
            checks.append(Check("symbolic: error form with e substituted", same, 0.0 if same else float("nan"),
                                "a - b is the zero polynomial in w, t, y and f'(x)"))

    engine = _engine_gradient(net, derivation)
    if engine is not None:
        values["engine"] = engine
        err = relative_error(lambdified, engine)
        checks.append(Check("numeric: engine MLP.backward", err < REL_TOL, err, f"{engine:.6g}"))
    fd = finite_difference(net, target)
    values["finite_difference"] = fd
    err = relative_error(lambdified, fd)
    checks.append(Check("numeric: central finite differences", err < REL_TOL, err, f"{fd:.6g}"))
    err = relative_error(lambdified, evaluate(derivation.error_form, net, target, derivation.error_terms))
    checks.append(Check("numeric: error form", err < REL_TOL, err, "e_ij from their definitions"))
    return VerificationReport(str(target), sizes, checks, values)
