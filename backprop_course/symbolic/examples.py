"""The small worked examples of the 2017 note and the UFLDL guide, derived with SymPy.

* :func:`derive_small_graph`: the 2017 note's graph q = x + y, f = q z at x = -2, y = 5, z = -4
  (f = -12, df/dx = df/dy = -4, df/dz = 3), with the local gradients the chain rule multiplies.
* :func:`derive_chain`: the UFLDL guide's network with one neuron per layer (UFLDL notation, biases); the
  output error term -(y - h(x)) f'(z) and every weight and bias gradient as a product of local factors.

>>> g = derive_small_graph()
>>> g.value, g.gradient_values
(-12, {'x': -4, 'y': -4, 'z': 3})
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from backprop_course.engine import checks

from .derivations import derive_bias_gradient, derive_weight_gradient
from .notation import activation_prime, t, x, y
from .printing import ordered_factors

__all__ = ["SmallGraph", "derive_small_graph", "ChainDerivation", "derive_chain"]


@dataclass
class SmallGraph:
    """The 2017 note's graph, symbolically and at the source's numbers.

    Attributes
    ----------
    symbols : dict of str -> sympy.Symbol
        x, y, z and the intermediate q.
    f : sympy.Expr
        (x + y) z.
    local_gradients : dict of (str, str) -> sympy.Expr
        d(node)/d(operand) for each edge: (q, x), (q, y), (f, q), (f, z).
    gradients : dict of str -> sympy.Expr
        df/dx, df/dy, df/dz by ``sympy.diff`` of f.
    chain_rule : dict of str -> sympy.Expr
        The same gradients as products of local gradients (df/dq * dq/dx, ...), q written back.
    value, q_value : int
        f and q at the source's point.
    gradient_values : dict of str -> int
        The gradients at the source's point.
    """

    symbols: dict
    f: sp.Expr
    local_gradients: dict
    gradients: dict
    chain_rule: dict
    value: int
    q_value: int
    gradient_values: dict


def derive_small_graph(x_value: int = -2, y_value: int = 5, z_value: int = -4) -> SmallGraph:
    """Differentiate f = (x + y) z with SymPy, directly and edge by edge (the 2017 note)."""
    xs, ys, zs, qs = sp.symbols("x y z q")
    q = xs + ys
    f_of_q = qs * zs                       # f as a function of the intermediate node q
    f = f_of_q.xreplace({qs: q})
    local = {("q", "x"): sp.diff(q, xs), ("q", "y"): sp.diff(q, ys),
             ("f", "q"): sp.diff(f_of_q, qs), ("f", "z"): sp.diff(f_of_q, zs).xreplace({qs: q})}
    gradients = {name: sp.diff(f, s) for name, s in (("x", xs), ("y", ys), ("z", zs))}
    chain = {"x": local[("f", "q")] * local[("q", "x")], "y": local[("f", "q")] * local[("q", "y")],
             "z": local[("f", "z")]}
    point = {xs: x_value, ys: y_value, zs: z_value}
    return SmallGraph(
        symbols={"x": xs, "y": ys, "z": zs, "q": qs}, f=f, local_gradients=local, gradients=gradients,
        chain_rule=chain, value=int(f.subs(point)), q_value=int(q.subs(point)),
        gradient_values={k: int(v.subs(point)) for k, v in gradients.items()},
    )


@dataclass
class ChainDerivation:
    """The UFLDL guide's one-neuron-per-layer network (Gashler symbols inside; render with notation="ufldl").

    Attributes
    ----------
    layers : int
        Number of weight layers (the UFLDL guide draws 3: W^(1), W^(2), W^(3), output a^(4) = h(x)).
    error_term : sympy.Expr
        The output error term -(y - h(x)) f'(z) (UFLDL's delta of the output node; Gashler's -e).
    weight_gradients, bias_gradients : dict of int -> sympy.Expr
        dJ/dW^(l)_11 and dJ/db^(l)_1 for l = 1..layers, each a product of local factors.
    weight_factors, bias_factors : dict of int -> list of sympy.Expr
        The local factors of each product in the source's order (the output layer's first).
    """

    layers: int
    error_term: sp.Expr
    weight_gradients: dict
    bias_gradients: dict
    weight_factors: dict
    bias_factors: dict


def _one_neuron(expr: sp.Expr, layers: int) -> sp.Expr:
    widths = {sp.Symbol(f"n_{l}", integer=True, positive=True): 1 for l in range(layers + 1)}
    return expr.xreplace(widths).doit()  # every sum has a single term


def _factors(expr: sp.Expr) -> list:
    coeff, factors = ordered_factors(expr)
    return ([coeff] if coeff != 1 else []) + factors


def derive_chain(layers: int = 3) -> ChainDerivation:
    """Derive every gradient of a chain of single neurons with biases (the UFLDL guide's simple example).

    The general derivations are run with one node per layer and their sums evaluated, so each
    gradient comes out as a product: the output error term, then W^(l) f'(z) for each layer passed on
    the way back, then the activation feeding the weight (or nothing, for a bias).
    """
    if not isinstance(layers, int) or isinstance(layers, bool) or not 1 <= layers <= 10:
        raise checks.error("derive_chain", "layers", "an integer between 1 and 10", repr(layers))
    weights, biases, wf, bf = {}, {}, {}, {}
    for l in range(1, layers + 1):
        dw = _one_neuron(derive_weight_gradient(layers, l, 1, 1, bias=True).result, layers)
        db = _one_neuron(derive_bias_gradient(layers, l, 1).result, layers)
        weights[l], biases[l] = dw, db
        wf[l], bf[l] = _factors(dw), _factors(db)
    error_term = -((t[1] - y[layers, 1]) * activation_prime(layers)(x[layers, 1]))  # keep -(y - h) f' unexpanded
    return ChainDerivation(layers, error_term, weights, biases, wf, bf)
