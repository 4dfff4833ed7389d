"""Step-by-step derivations of backpropagation, produced by SymPy (Gashler 2010, generalised).

Gashler's "thorough derivation" differentiates the error of a 5-layer network by the weight w_173,
one rewriting step at a time, and then caches the repeated parts as error terms e. Here every step is
the previous expression transformed by SymPy (see :mod:`.rules`): nothing is transcribed from the
source, so its typos cannot creep in and any depth from 1 to 10 works.

>>> d = derive_weight_gradient(layers=5, layer=1, j=7, k=3)
>>> len(d.steps), d.steps[12].rule
(24, 'only the m = 7 term survives')
>>> d.error_form
-e[1, 7]*y[0, 3]
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import sympy as sp

from backprop_course.engine import checks

from . import printing, rules
from .notation import MAX_LAYERS, activation, activation_prime, b, e, index, t, w, width, x, y

__all__ = [
    "Step", "Derivation", "derive_weight_gradient", "derive_bias_gradient", "derive_input_gradient",
    "loss_expression", "net_input",
]


@dataclass(frozen=True)
class Step:
    """One step of a derivation.

    Attributes
    ----------
    number : int
        1-based position in the derivation (the source's step numbers for the 5-layer case).
    rule : str
        What was done, in the source's words: "given", "apply the chain rule", "simplify", "expand a
        term", "repeat steps 5 through 8", "only the m = 7 term survives", "final form", "cache the
        error term".
    expr : sympy.Expr
        The whole right-hand side after this step (equal to dE/d(target) at every step).
    note : str
        One sentence saying why the step is allowed.
    substeps : tuple of Step
        The individual rewrites a "repeat" or "cache" step is made of (empty otherwise).
    definition : (sympy.Indexed, sympy.Expr) or None
        For a caching step, the error term introduced and its definition.
    """

    number: int
    rule: str
    expr: sp.Expr
    note: str = ""
    substeps: tuple["Step", ...] = ()
    definition: tuple[sp.Expr, sp.Expr] | None = None

    @property
    def latex(self) -> str:
        """The step's expression as LaTeX in Gashler's notation (see :mod:`.printing`)."""
        return printing.latex(self.expr)


@dataclass
class Derivation:
    """A finished derivation of dE/d(target) for E = 1/2 sum_i (t_i - y_Li)^2.

    Attributes
    ----------
    kind : {"weight", "bias", "input"}
    layers : int
        L, the number of layers (the output layer is layer L, the input pattern layer 0).
    target : sympy.Indexed
        ``w[layer, j, k]``, ``b[layer, j]`` or ``y[0, k]``.
    steps : list of Step
    result : sympy.Expr
        The expanded gradient with no derivative left (Gashler's step 19).
    error_form : sympy.Expr
        The same gradient written with cached error terms (``-e[1, 7]*y[0, 3]``).
    error_terms : list of (sympy.Indexed, sympy.Expr)
        The error terms in the order they are introduced, output layer first.
    bias : bool
        Whether the network has biases (x = sum w y + b).
    sizes : tuple of int or None
        Concrete layer sizes (n_0, ..., n_L) when given, used by :func:`.verify.verify`.

    A derivation is data: :mod:`.render` writes it out (``render.to_markdown(d)``) and
    :func:`.verify.verify` checks it; neither is imported here.
    """

    kind: str
    layers: int
    target: sp.Indexed
    steps: list[Step]
    result: sp.Expr
    error_form: sp.Expr
    error_terms: list[tuple[sp.Expr, sp.Expr]]
    bias: bool = False
    sizes: tuple[int, ...] | None = None

    @property
    def layer(self) -> int:
        """The layer of the target (0 for an input)."""
        return int(self.target.indices[0])

    @property
    def loss(self) -> sp.Expr:
        """E = 1/2 sum_i (t_i - y_Li)^2 in this derivation's symbols."""
        return loss_expression(self.layers)

    def expand_error_terms(self, expr: sp.Expr) -> sp.Expr:
        """Replace every cached error term in ``expr`` by its definition (repeatedly, down to t, y, w)."""
        for lhs, rhs in reversed(self.error_terms):
            expr = _substitute_indexed(expr, lhs, rhs)
        return expr


# --------------------------------------------------------------------------------------------------
# building blocks


def loss_expression(layers: int) -> sp.Expr:
    """E = 1/2 * Sum_i (t_i - y_Li)^2 over the n_L output nodes."""
    i = index(layers, layers)
    return sp.Rational(1, 2) * sp.Sum((t[i] - y[layers, i]) ** 2, (i, 1, width(layers)))


def net_input(layer: int, node: Any, layers: int, bias: bool = False) -> sp.Expr:
    """x[layer, node] = Sum_k w[layer, node, k] y[layer-1, k] (+ b[layer, node])."""
    k = index(layer - 1, layers)
    s = sp.Sum(w[layer, node, k] * y[layer - 1, k], (k, 1, width(layer - 1)))
    return s + b[layer, node] if bias else s


def _substitute_indexed(expr: sp.Expr, lhs: sp.Indexed, rhs: sp.Expr) -> sp.Expr:
    """Replace every e[l, a] matching ``lhs``'s layer by ``rhs`` with its free index renamed to a."""
    layer, pattern = lhs.indices
    bound = {v for s in rhs.atoms(sp.Sum) for v in s.variables}

    def repl(a: sp.Indexed) -> sp.Expr:
        if pattern.is_Integer:
            return rhs if a.indices[1] == pattern else a
        # rename the sums of the definition first so they cannot capture the new index
        fresh = rhs.xreplace({v: sp.Dummy(v.name, integer=True, positive=True) for v in bound})
        return fresh.xreplace({pattern: a.indices[1]})

    return expr.replace(lambda a: isinstance(a, sp.Indexed) and a.base == lhs.base and a.indices[0] == layer, repl)


def _check_int(func: str, parameter: str, value: object, low: int, high: int | None, rule: str) -> int:
    return checks.integer(value, parameter, func, low, high, rule)


def _check_sizes(func: str, sizes: Sequence[int] | None, layers: int) -> tuple[int, ...] | None:
    if sizes is None:
        return None
    rule = f"a sequence of {layers + 1} positive integers (n_0, ..., n_{layers})"
    try:
        sizes = tuple(sizes)
    except TypeError:
        raise checks.error(func, "sizes", rule, repr(sizes), TypeError) from None
    if len(sizes) != layers + 1 or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 1 for s in sizes):
        raise checks.error(func, "sizes", rule, repr(sizes))
    return sizes


class _Recorder:
    """Collects steps; a 'repeat' group is stored as one step with its rewrites as substeps."""

    def __init__(self) -> None:
        self.steps: list[Step] = []

    def add(self, rule: str, expr: sp.Expr, note: str = "", substeps: Sequence[Step] = (), definition=None) -> None:
        number = len(self.steps) + 1
        subs = tuple(Step(number, s.rule, s.expr, s.note) for s in substeps)
        self.steps.append(Step(number, rule, expr, note, subs, definition))


def _plain_name(symbol: sp.Indexed) -> str:
    """A variable's name in plain text as Gashler writes it: ``w[1, 7, 3]`` -> ``"w_173"`` (indices
    run together while all are single digits, else separated by commas: ``"w_1,12,3"``)."""
    idx = [str(i) for i in symbol.indices]
    return f"{symbol.base}_" + ("".join(idx) if all(len(i) == 1 for i in idx) else ",".join(idx))


def _derive(kind: str, layers: int, p: int, j0: int | None, k0: int | None, bias: bool,
            sizes: tuple[int, ...] | None) -> Derivation:
    """The common derivation. ``p`` is the target's layer (0 for an input), j0/k0 its nodes."""
    L = layers
    if kind == "weight":
        target = w[p, j0, k0]
    elif kind == "bias":
        target = b[p, j0]
    else:
        target = y[0, k0]
    low = max(p, 1)  # x and y of layers >= low may depend on the target
    # the name the learner reads in the notes ("w_173"): in prose, "target" would clash with t_i
    name = _plain_name(target)

    def depends(a: sp.Indexed) -> bool:
        return a.base in (x, y) and int(a.indices[0]) >= low

    def unfold_layer_p(var: sp.Symbol) -> dict:
        # y[p, var] -> f_p(x[p, var] written out), so that differentiating shows which node holds the target
        return {y[p, var]: activation(p)(net_input(p, var, L, bias)), x[p, var]: net_input(p, var, L, bias)}

    rec = _Recorder()
    out = index(L, L)
    expr = sp.Derivative(loss_expression(L), target)
    rec.add("given", expr, f"the gradient we want: the derivative of the sum-squared error by {name}")
    expr = rules.chain_rule(expr, t[out] - y[L, out], target)
    rec.add("apply the chain rule", expr, "the derivative of u^2/2 is u times the derivative of u")
    expr = rules.simplify_derivative(expr, target, depends)
    rec.add("simplify", expr, "the targets t_i are constants, so only -y survives inside the derivative")
    node: Any = out
    if kind != "input" and p == L:
        delta = rules.dependence_delta(rules.find_sum(expr, out).function, out, target, unfold_layer_p(out))
        expr = rules.collapse_sum(expr, out, j0, delta)
        rec.add(f"only the {out} = {j0} term survives", expr,
                f"only output node {j0} depends on {name}; every other term of the sum has derivative 0")
        node = j0
    expr = rules.expand_term(expr, y[L, node], activation(L)(x[L, node]))
    rec.add("expand a term", expr, "an output is the activation of its net input: y = f(x)")

    c = p if kind != "input" else 1  # the layer whose net input contains the target
    for l in range(L, c, -1):
        lower = index(l - 1, L)
        sub = _Recorder()
        expr = rules.chain_rule(expr, x[l, node], target)
        sub.add("apply the chain rule", expr, "the derivative of f(x) is f'(x) times the derivative of x")
        expr = rules.expand_term(expr, x[l, node], net_input(l, node, L, bias))
        sub.add("expand a term", expr, "a net input is the weighted sum of the previous layer's outputs")
        next_node: Any = lower
        if kind != "input" and l - 1 == p:
            s = rules.find_sum(expr, lower)
            delta = rules.dependence_delta(s.function, lower, target, unfold_layer_p(lower))
            expr = rules.collapse_sum(expr, lower, j0, delta)
            sub.add(f"only the {lower} = {j0} term survives", expr,
                    f"only node {j0} of layer {p} depends on {name}; the other terms are constants")
            next_node = j0
        expr = rules.simplify_derivative(expr, target, depends)
        sub.add("simplify", expr, "the derivative of a sum is the sum of the derivatives; weights here are constants")
        expr = rules.expand_term(expr, y[l - 1, next_node], activation(l - 1)(x[l - 1, next_node]))
        sub.add("expand a term", expr, "an output is the activation of its net input: y = f(x)")
        node = next_node
        detailed = l == L or (kind != "input" and l - 1 == p)
        if detailed:
            for s in sub.steps:
                rec.add(s.rule, s.expr, s.note)
        else:
            rec.add("repeat steps 5 through 8", expr,
                    f"the same four rewrites one layer down, through layer {l}", sub.steps)

    # the layer whose net input holds the target
    lower = index(c - 1, L)
    expr = rules.chain_rule(expr, x[c, node], target)
    rec.add("apply the chain rule", expr, "the derivative of f(x) is f'(x) times the derivative of x")
    expr = rules.expand_term(expr, x[c, node], net_input(c, node, L, bias))
    rec.add("expand a term", expr, "a net input is the weighted sum of the previous layer's outputs")
    if kind in ("weight", "input"):
        s = rules.find_sum(expr, lower)
        delta = rules.dependence_delta(s.function, lower, target, {})
        expr = rules.collapse_sum(expr, lower, k0, delta)
        rec.add(f"only the {lower} = {k0} term survives", expr,
                f"only the term holding {name} varies; every other term of the sum has derivative 0")
    expr = rules.simplify_derivative(expr, target, depends)
    rec.add("final form", expr, f"the derivative of {name} by itself is 1: no derivative is left")
    result = expr

    expr, error_terms = _cache_error_terms(rec, expr, kind, L, p, j0, c)
    return Derivation(kind, L, target, rec.steps, result, expr, error_terms, bias, sizes)


def _cache_error_terms(rec: _Recorder, expr: sp.Expr, kind: str, L: int, p: int, j0: int | None, c: int):
    """Gashler's steps 20-24: name the repeated products e, layer by layer from the output."""
    terms = []
    note = "cache this product: it is reused by every gradient below this layer"
    # output layer: e_Li = (t_i - y_Li) f'_L(x_Li)
    node: Any = j0 if (kind != "input" and p == L) else index(L, L)
    factors = [t[node] - y[L, node], activation_prime(L)(x[L, node])]
    lhs, rhs = e[L, node], sp.Mul(*factors)
    if isinstance(node, sp.Symbol):
        s = rules.find_sum(expr, node)
        expr = expr.xreplace({s: sp.Sum(rules.replace_factors(s.function, factors, lhs), *s.limits)})
    else:
        expr = -rules.replace_factors(-expr, factors, lhs)
    terms.append((lhs, rhs))
    rec.add("cache the error term", expr, note, definition=(lhs, rhs))

    for l in range(L - 1, c - 1, -1):
        up = index(l + 1, L)
        outer = rules.find_sum(expr, up)
        fprime_node: Any = j0 if (kind != "input" and l == p) else index(l, L)
        fprime = activation_prime(l)(x[l, fprime_node])
        lhs = e[l, fprime_node]
        sub = _Recorder()
        if isinstance(fprime_node, sp.Symbol):
            moved, swapped = rules.exchange_sums(outer)
            sub.add("move a factor into the inner sum", expr.xreplace({outer: moved}),
                    f"e does not depend on {fprime_node}")
            sub.add("exchange the order of summation", expr.xreplace({outer: swapped}), "finite sums commute")
            over_up, over_node = swapped.limits[0], swapped.limits[1:]
            factored = rules.factor_out_of_sum(sp.Sum(swapped.function, over_up))
            sub.add(f"take out what does not depend on {up}",
                    expr.xreplace({outer: sp.Sum(factored, *over_node)}), "constant factors leave a sum")
            inner = next(a for a in sp.Mul.make_args(factored) if isinstance(a, sp.Sum))
            new = sp.Sum(rules.replace_factors(factored, [fprime, inner], lhs), *over_node)
        else:
            factored = rules.factor_out_of_sum(outer)
            sub.add(f"take out what does not depend on {up}", expr.xreplace({outer: factored}),
                    "constant factors leave a sum")
            inner = next(a for a in sp.Mul.make_args(factored) if isinstance(a, sp.Sum))
            new = rules.replace_factors(factored, [fprime, inner], lhs)
        rhs = sp.Sum(inner.function * fprime, *inner.limits)
        expr = expr.xreplace({outer: new})
        sub.add("substitute the definition", expr, "")
        terms.append((lhs, rhs))
        rec.add("cache the error term", expr, note, sub.steps, definition=(lhs, rhs))
    return expr, terms


# --------------------------------------------------------------------------------------------------
# public API


def _check_layers(func: str, layers: object) -> int:
    return _check_int(func, "layers", layers, 1, MAX_LAYERS, f"an integer between 1 and {MAX_LAYERS}")


def derive_weight_gradient(layers: int = 5, layer: int = 1, j: int = 7, k: int = 3, *,
                           bias: bool = False, sizes: Sequence[int] | None = None) -> Derivation:
    """Derive dE/dw_{layer, j, k} step by step (Gashler's steps 1-24 for the defaults).

    Parameters
    ----------
    layers : int
        L, the number of layers (1-10); layer 0 is the input pattern, layer L the output.
    layer : int
        The layer the weight feeds into (1..L).
    j, k : int
        1-based destination node in ``layer`` and source node in ``layer - 1``.
    bias : bool
        Give every node a bias (x = sum w y + b, the UFLDL guide); the gradient does not change.
    sizes : sequence of int, optional
        Concrete layer sizes (n_0, ..., n_L); j and k must then exist. Used by ``verify``.

    Returns
    -------
    Derivation
        ``steps``, ``result`` (step 19 for the defaults) and ``error_form`` (-e_{layer j} y_{layer-1, k}).
    """
    func = "derive_weight_gradient"
    L = _check_layers(func, layers)
    p = _check_int(func, "layer", layer, 1, L, f"an integer between 1 and {L} (the layers a weight can feed)")
    j0 = _check_int(func, "j", j, 1, None, "a 1-based node index (an integer >= 1)")
    k0 = _check_int(func, "k", k, 1, None, "a 1-based node index (an integer >= 1)")
    sizes = _check_sizes(func, sizes, L)
    if sizes is not None:
        _check_int(func, "j", j0, 1, sizes[p], f"a node of layer {p}, between 1 and {sizes[p]}")
        _check_int(func, "k", k0, 1, sizes[p - 1], f"a node of layer {p - 1}, between 1 and {sizes[p - 1]}")
    return _derive("weight", L, p, j0, k0, bool(bias), sizes)


def derive_bias_gradient(layers: int = 5, layer: int = 1, j: int = 7, *,
                         sizes: Sequence[int] | None = None) -> Derivation:
    """Derive dE/db_{layer, j} in a network with biases (the UFLDL guide's b^(l)); the result is -e_{layer j}.

    Parameters are as for :func:`derive_weight_gradient`; ``bias`` is always on.
    """
    func = "derive_bias_gradient"
    L = _check_layers(func, layers)
    p = _check_int(func, "layer", layer, 1, L, f"an integer between 1 and {L} (the layers with biases)")
    j0 = _check_int(func, "j", j, 1, None, "a 1-based node index (an integer >= 1)")
    sizes = _check_sizes(func, sizes, L)
    if sizes is not None:
        _check_int(func, "j", j0, 1, sizes[p], f"a node of layer {p}, between 1 and {sizes[p]}")
    return _derive("bias", L, p, j0, None, True, sizes)


def derive_input_gradient(layers: int = 5, k: int = 5, *, bias: bool = False,
                          sizes: Sequence[int] | None = None) -> Derivation:
    """Derive dE/dy_{0k}, the gradient by input k (Gashler's second derivation).

    The result for the defaults is -Sum_m e_1m w_1m5.
    """
    func = "derive_input_gradient"
    L = _check_layers(func, layers)
    k0 = _check_int(func, "k", k, 1, None, "a 1-based input index (an integer >= 1)")
    sizes = _check_sizes(func, sizes, L)
    if sizes is not None:
        _check_int(func, "k", k0, 1, sizes[0], f"an input of the network, between 1 and {sizes[0]}")
    return _derive("input", L, 0, None, k0, bool(bias), sizes)
