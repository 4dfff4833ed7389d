"""The symbols of Gashler's notation (Gashler 2010) as SymPy objects.

Gashler numbers the layers of a network 0 (the input pattern) to L (the output layer) and writes

* ``y[i, j]``     the output of node j in layer i (``y[0, k]`` is input k),
* ``x[i, j]``     the net input of that node, ``x[i, j] = sum_k w[i, j, k] * y[i-1, k] (+ b[i, j])``,
* ``w[i, j, k]``  the weight into layer i, node j, from node k of layer i-1,
* ``b[i, j]``     a bias of node j in layer i (the UFLDL guide's b^(l); absent from Gashler's text),
* ``t[j]``        target j, ``e[i, j]`` the cached "error term" of a node,
* ``f_i``         the activation of layer i and ``f'_i`` its derivative.

Node indices are 1-based, as in Gashler. A summation index belongs to a layer: counting down from the
output layer the names are i, j, k, l, m, n, p, q, r, s, u (o and t are skipped), so a 5-layer network
uses i for layer 5 ... n for layer 0, exactly the source's letters.

Index mapping to the engine (``backprop_course.engine.mlp.MLP``, 0-based arrays)::

    w[i, j, k]  ->  net.weights[i - 1][j - 1, k - 1]     (UFLDL: W^(i)_{jk})
    b[i, j]     ->  net.biases[i - 1][j - 1]              (UFLDL: b^(i)_j)
    x[i, j]     ->  net.net_inputs[i - 1][:, j - 1]       (UFLDL: z^(i+1)_j)
    y[i, j]     ->  net.layer_outputs[i][:, j - 1]        (UFLDL: a^(i+1)_j)
    e[i, j]     -> -g.deltas[i - 1][:, j - 1]             (UFLDL: -delta^(i+1)_j)
"""
from __future__ import annotations

from functools import lru_cache

import sympy as sp

__all__ = [
    "w", "x", "y", "b", "t", "e", "INDEX_NAMES", "MAX_LAYERS",
    "index", "width", "activation", "activation_prime", "ActivationFunction", "ActivationDerivative",
]

w = sp.IndexedBase("w")
x = sp.IndexedBase("x")
y = sp.IndexedBase("y")
b = sp.IndexedBase("b")
t = sp.IndexedBase("t")
e = sp.IndexedBase("e")

#: Summation index names, output layer first (Gashler uses i, j, k, l, m, n for layers 5..0).
INDEX_NAMES = ("i", "j", "k", "l", "m", "n", "p", "q", "r", "s", "u")
#: The deepest network the derivations support (one index name per layer, layers 0..L).
MAX_LAYERS = len(INDEX_NAMES) - 1


@lru_cache(maxsize=None)
def index(layer: int, layers: int) -> sp.Symbol:
    """The summation index that runs over the nodes of ``layer`` in a ``layers``-layer network.

    >>> index(5, 5), index(0, 5)
    (i, n)
    """
    return sp.Symbol(INDEX_NAMES[layers - layer], integer=True, positive=True)


@lru_cache(maxsize=None)
def width(layer: int) -> sp.Symbol:
    """The number of nodes of ``layer`` as a symbol ``n_layer`` (the upper limit of its sums)."""
    return sp.Symbol(f"n_{layer}", integer=True, positive=True)


class ActivationFunction(sp.Function):
    """f_l: the activation of layer ``layer`` (an unknown function; its derivative is f'_l)."""

    layer: int = 0
    nargs = 1

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return activation_prime(self.layer)(self.args[0])


class ActivationDerivative(sp.Function):
    """f'_l: the derivative of the activation of layer ``layer`` (kept as its own symbol)."""

    layer: int = 0
    nargs = 1


# One class per layer, made once and reused: two classes with the same name would compare unequal.
@lru_cache(maxsize=None)
def activation(layer: int) -> type[ActivationFunction]:
    """The class of f_layer; ``activation(5)(x[5, 1])`` is f_5(x_51)."""
    return type(f"f{layer}", (ActivationFunction,), {"layer": layer})


@lru_cache(maxsize=None)
def activation_prime(layer: int) -> type[ActivationDerivative]:
    """The class of f'_layer."""
    return type(f"fprime{layer}", (ActivationDerivative,), {"layer": layer})
