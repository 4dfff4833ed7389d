"""The rewriting rules a derivation step applies, each a genuine SymPy transformation.

A derivation in progress is one SymPy expression that contains exactly one unevaluated
``Derivative(q, target)``: the *frontier*. The rules act on it:

* :func:`chain_rule` treats a sub-expression of q as an unknown function of the target and lets
  ``sympy.diff`` apply the chain rule (f_l(x) becomes f'_l(x) times the derivative of x);
* :func:`simplify_derivative` lets ``sympy.diff`` move the derivative through sums and products and
  drop every term that does not depend on the target;
* :func:`expand_term` replaces a quantity inside the derivative by its definition;
* :func:`collapse_sum` multiplies a sum by the Kronecker delta that ``sympy.diff`` produced and lets
  SymPy evaluate the sum, so only one term survives;
* :func:`factor_out_of_sum`, :func:`exchange_sums` and :func:`replace_factors` rearrange finite sums for
  the error-term caching of Gashler's steps 20-24.

No rule calls ``simplify``: what learners see keeps the source's shape.
"""
from __future__ import annotations

from typing import Callable

import sympy as sp

from .notation import INDEX_NAMES

__all__ = [
    "frontier", "pull_numbers", "chain_rule", "simplify_derivative", "expand_term", "dependence_delta",
    "collapse_sum", "find_sum", "factor_out_of_sum", "exchange_sums", "replace_factors", "what_changed",
]


def frontier(expr: sp.Expr) -> sp.Derivative | None:
    """The single unevaluated derivative left in ``expr`` (None once the derivation is done)."""
    found = expr.atoms(sp.Derivative)
    if len(found) > 1:  # pragma: no cover - the derivations never build two
        raise RuntimeError(f"expected one unevaluated derivative, found {len(found)}")
    return next(iter(found), None)


def pull_numbers(expr: sp.Expr) -> sp.Expr:
    """Move numeric factors (a minus sign, 1/2 * 2) out of every sum, innermost first.

    >>> from backprop_course.symbolic.notation import t, index, width
    >>> i = index(1, 1)
    >>> pull_numbers(sp.Sum(-2 * t[i], (i, 1, width(1))))
    -2*Sum(t[i], (i, 1, n_1))
    """
    def pull(s: sp.Sum) -> sp.Expr:
        coeff, rest = s.function.as_coeff_Mul()
        if coeff == 1:
            return s
        return coeff * sp.Sum(rest, *s.limits)

    return expr.replace(lambda a: isinstance(a, sp.Sum), pull)


def _index_symbols(expr: sp.Basic) -> list[sp.Symbol]:
    names = set(INDEX_NAMES)
    return sorted((s for s in expr.atoms(sp.Symbol) if s.name in names and s.is_integer), key=str)


def _diff_with_unknowns(arg: sp.Expr, target: sp.Indexed, unknowns: dict) -> sp.Expr:
    """Differentiate ``arg`` by the target after replacing each key of ``unknowns`` by an unknown
    function of the target; then map everything back (derivatives of unknowns stay unevaluated)."""
    tau = sp.Dummy("tau")
    forward, back = {target: tau}, {}
    for n, atom in enumerate(unknowns):
        args = atom.indices if isinstance(atom, sp.Indexed) else _index_symbols(atom)
        fn = sp.Function(f"U{n}")(*args, tau)
        forward[atom] = fn
        back[sp.Derivative(fn, tau)] = sp.Derivative(atom, target)
        back[fn] = atom
    back[tau] = target
    result = sp.diff(arg.xreplace(forward), tau)
    return pull_numbers(result.xreplace(back))


def chain_rule(expr: sp.Expr, inner: sp.Expr, target: sp.Indexed) -> sp.Expr:
    """Apply the chain rule to the frontier, treating ``inner`` as the inside function.

    ``d f(inner) / d target`` becomes ``f'(inner) * d inner / d target``; SymPy's ``diff`` does it.
    """
    front = frontier(expr)
    new = _diff_with_unknowns(front.expr, target, {inner: None})
    return pull_numbers(expr.xreplace({front: new}))


def simplify_derivative(expr: sp.Expr, target: sp.Indexed, depends: Callable[[sp.Indexed], bool]) -> sp.Expr:
    """Move the frontier derivative through sums and products, dropping constant terms.

    Every indexed quantity for which ``depends`` is true becomes an unknown function of the target,
    so ``sympy.diff`` knows what varies; the target itself differentiates to 1.
    """
    front = frontier(expr)
    atoms = {a: None for a in sorted(front.expr.atoms(sp.Indexed), key=str) if a != target and depends(a)}
    new = _diff_with_unknowns(front.expr, target, atoms)
    return pull_numbers(expr.xreplace({front: new}))


def expand_term(expr: sp.Expr, old: sp.Expr, new: sp.Expr) -> sp.Expr:
    """Replace ``old`` by its definition ``new`` inside the frontier derivative (still unevaluated)."""
    front = frontier(expr)
    expanded = sp.Derivative(front.expr.xreplace({old: new}), *front.variables)
    return expr.xreplace({front: expanded})


def dependence_delta(summand: sp.Expr, var: sp.Symbol, target: sp.Indexed, unfold: dict) -> sp.KroneckerDelta:
    """The Kronecker delta in ``var`` that says which term of a sum over ``var`` depends on the target.

    The quantities of the summand are unfolded one level (``unfold``: indexed quantity -> definition)
    so that the target appears; ``sympy.diff`` then yields products of Kronecker deltas (``w[1, m, n]``
    differentiated by ``w[1, 7, 3]`` is delta(m, 7) delta(n, 3)) and the factor in ``var`` is returned.
    """
    probe = summand.replace(lambda a: isinstance(a, sp.Derivative), lambda a: a.expr)
    probe = probe.xreplace(unfold)
    derivative = sp.diff(probe, target)
    deltas = [d for d in derivative.atoms(sp.KroneckerDelta) if var in d.free_symbols]
    if len(deltas) != 1:  # pragma: no cover - guarded by the derivation's structure
        raise RuntimeError(f"expected one Kronecker delta in {var}, found {deltas}")
    return deltas[0]


def _clear_node_exists(value: sp.Expr, var: sp.Symbol, node: int) -> sp.Expr:
    """Drop SymPy's "the node exists" condition from a collapsed sum.

    Summing a delta over ``var = 1..n_l`` gives ``Piecewise((term, node <= n_l), (0, True))``. The node
    is part of the network by construction, and the condition is monotone in the width, so it holds
    for every width if it holds when the width is exactly ``node``; that is checked, not assumed.
    """
    if not isinstance(value, sp.Piecewise):
        return value
    (term, cond), (other, always) = value.args
    widths = {s: node for s in cond.free_symbols if s.name.startswith("n_")}
    if other != 0 or always is not sp.true or cond.subs(widths) is not sp.true:  # pragma: no cover
        raise RuntimeError(f"cannot clear the condition {cond} for node {var} = {node}")
    return term


def find_sum(expr: sp.Expr, var: sp.Symbol) -> sp.Sum:
    """The sum over ``var`` inside ``expr``."""
    for s in sp.preorder_traversal(expr):
        if isinstance(s, sp.Sum) and var in s.variables:
            return s
    raise LookupError(f"no sum over {var} in {expr}")


def collapse_sum(expr: sp.Expr, var: sp.Symbol, node: int, delta: sp.KroneckerDelta) -> sp.Expr:
    """Multiply the sum over ``var`` by ``delta`` and let SymPy evaluate it: one term survives."""
    s = find_sum(expr, var)
    collapsed = sp.Sum(delta * s.function, *s.limits).doit(deep=False)
    return expr.xreplace({s: _clear_node_exists(collapsed, var, node)})


def factor_out_of_sum(s: sp.Sum) -> sp.Expr:
    """Take the factors that do not depend on the summation variable out of the sum."""
    independent, dependent = s.function.as_independent(*s.variables, as_Add=False)
    return independent * sp.Sum(dependent, *s.limits)


def exchange_sums(outer: sp.Sum) -> tuple[sp.Expr, sp.Expr]:
    """``sum_a c_a sum_b g_ab`` -> (``sum_a sum_b c_a g_ab``, ``sum_b sum_a c_a g_ab``).

    Returns both the form with the factor moved inside and the form with the order exchanged (finite
    sums, so the exchange is exact).
    """
    body = outer.function
    inner = next(a for a in sp.Mul.make_args(body) if isinstance(a, sp.Sum))
    others = body / inner
    # SymPy keeps nested sums as one Sum with several limits, innermost first
    moved = sp.Sum(others * inner.function, *inner.limits, *outer.limits)
    swapped = sp.Sum(others * inner.function, *outer.limits, *inner.limits)
    return moved, swapped


def replace_factors(product: sp.Expr, factors: list[sp.Expr], symbol: sp.Expr) -> sp.Expr:
    """Replace the given factors of a product by ``symbol`` (all must be present)."""
    args = list(sp.Mul.make_args(product))
    for f in factors:
        args.remove(f)  # ValueError if a factor is missing: a bug in the derivation, not user input
    return sp.Mul(symbol, *args)


def what_changed(before: sp.Basic, after: sp.Basic) -> tuple[sp.Basic, sp.Basic] | None:
    """The smallest pair of sub-expressions where ``before`` and ``after`` differ (None if equal).

    Walks both trees together while they have the same head and exactly one differing argument; used
    to highlight what a step rewrote.

    >>> from backprop_course.symbolic.notation import t, y, w
    >>> what_changed(sp.Derivative(y[5, 1], w[1, 7, 3]) * t[1], sp.Derivative(y[4, 1], w[1, 7, 3]) * t[1])
    (y[5, 1], y[4, 1])
    """
    if before == after:
        return None
    while True:
        atomic = isinstance(before, sp.Indexed) or isinstance(after, sp.Indexed)  # y_5i is one quantity
        if atomic or before.func != after.func or len(before.args) != len(after.args) or not before.args:
            return before, after
        differing = [(a, b_) for a, b_ in zip(before.args, after.args) if a != b_]
        if len(differing) != 1:
            return before, after
        before, after = differing[0]
