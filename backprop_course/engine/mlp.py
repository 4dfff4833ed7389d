"""A fully connected network (multilayer perceptron) with a vectorised forward and backward pass.

Notation, once for the whole package (layer ``l`` of the code is layer ``l+1`` of the seeds, because
the code counts weight matrices from 0 and the seeds count layers from the input):

=======================  ===============  ===============  ==================  =====================
this package             2017 note        for dummies      Gashler (2010)      UFLDL guide (He)
=======================  ===============  ===============  ==================  =====================
``X`` (input batch)      a^1 = x          a_k (inputs)     y_0k                x = a^(1)
``net_inputs[l]``        z^(l+2)          in_i             x_(l+1)j            z^(l+2)
``layer_outputs[l+1]``   a^(l+2)          a_i = g(in_i)    y_(l+1)j            a^(l+2)
``weights[l][j, k]``     w^(l+2)_jk       w_ij             w_(l+1)jk           W^(l+1)_jk
``biases[l][j]``         (none)           (bias neuron)    (none)              b^(l+1)_j
``deltas[l]``            dL/dz^(l+2)      dE/d in_i        -e_(l+1)j           delta^(l+2)
``T`` (targets)          y                t_i              t_i                 y
=======================  ===============  ===============  ==================  =====================

Rows of a weight matrix are destination neurons and columns are source neurons, so a batch ``A``
of shape ``(n, sizes[l])`` goes forward as ``Z = A @ W.T + b`` (one row per sample).

Forward (the 2017 note steps 3-4)::

    Z_l = A_l @ W_l.T + b_l          A_{l+1} = f_l(Z_l)

Backward (the 2017 note steps 4-6; Backpropagation for dummies eqs. (9)-(13); Gashler steps 20-24)::

    delta_L = dE/dY * f_L'(Z_L)                      output error term
    delta_l = (delta_{l+1} @ W_{l+1}) * f_l'(Z_l)    hidden error terms (error flows backwards)
    dE/dW_l = delta_l.T @ A_l      dE/db_l = sum over samples of delta_l
    dE/dX   = delta_0 @ W_0                          (Gashler's gradient w.r.t. the inputs)

>>> import numpy as np
>>> net = MLP([2, 3, 1], seed=0)
>>> Y = net.forward(np.array([[0.0, 1.0], [1.0, 0.0]]))
>>> Y.shape
(2, 1)
>>> g = net.backward(np.array([[1.0], [0.0]]))
>>> [w.shape for w in g.weights], g.deltas[0].shape, g.inputs.shape
([(3, 2), (1, 3)], (2, 3), (2, 2))
"""
from __future__ import annotations

import copy as _copy
import numbers
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ._recycle import Recycler
from .checks import boolean, error, integer
from .activations import ACTIVATIONS, Activation, get_activation
from .init import check_init_name, initialize
from .losses import Loss, get_loss

__all__ = ["MLP", "Gradients"]


@dataclass
class Gradients:
    """Gradients of the loss from one :meth:`MLP.backward` call.

    Attributes
    ----------
    weights : list of ndarray
        ``weights[l]`` is dE/dW_l, shape ``(sizes[l+1], sizes[l])``.
    biases : list of ndarray
        ``biases[l]`` is dE/db_l, shape ``(sizes[l+1],)``; all zeros when the net has no biases.
    deltas : list of ndarray
        ``deltas[l]`` is dE/d(net input) of layer l+1, shape ``(n_samples, sizes[l+1])``, always 2-D
        (``n_samples = 1`` for a single 1-D sample). Gashler's error term is ``e = -delta``.
    inputs : ndarray or None
        dE/dX with the shape of ``X`` (None if ``backward(..., input_grad=False)``).
    loss : float
        The loss value at the cached forward pass.
    bias : bool
        Whether the net has biases (decides what :meth:`as_list` returns).
    """

    weights: list[np.ndarray]
    biases: list[np.ndarray]
    deltas: list[np.ndarray]
    inputs: np.ndarray | None
    loss: float
    bias: bool = True

    def as_list(self) -> list[np.ndarray]:
        """Gradients in the order of :meth:`MLP.parameters`: ``[dW0, db0, dW1, db1, ...]``."""
        if not self.bias:
            return list(self.weights)
        return [g for pair in zip(self.weights, self.biases) for g in pair]


def _is_int(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


class MLP:
    """Multilayer perceptron: fully connected layers, one activation per layer.

    Parameters
    ----------
    sizes : sequence of int
        Neurons per layer, input first: ``[2, 3, 1]`` has 2 inputs, 3 hidden neurons, 1 output.
        At least two entries, each >= 1.
    activation : str or sequence of str
        One name for every layer, or one per layer (``len(sizes) - 1`` names, output layer last).
        Names: ``"sigmoid"``, ``"tanh"``, ``"relu"``, ``"leaky_relu"``, ``"linear"``.
    init : str
        Weight initialiser (see :mod:`backprop_course.engine.init`); biases start at zero.
    seed : int or None
        Seed of the generator that draws the initial weights (None: fresh entropy).
    bias : bool
        With ``bias=False`` the biases are zero arrays that are never part of :meth:`parameters`,
        so optimizers leave them at zero; their reported gradients are zeros too.
    loss : str
        ``"half_sse"`` (the seeds' E, default), ``"mse"``, ``"binary_cross_entropy"`` (needs a
        ``"sigmoid"`` output layer) or ``"softmax_cross_entropy"`` (needs a ``"linear"`` output
        layer: it takes logits and applies the softmax itself).
    dtype : numpy float dtype
        ``np.float64`` (default) or ``np.float32``; inputs are converted to it.

    Attributes
    ----------
    sizes : list of int
    activations : list of str
        One activation name per layer (``len(sizes) - 1``).
    weights : list of ndarray
        ``weights[l]`` has shape ``(sizes[l+1], sizes[l])``.
    biases : list of ndarray
        ``biases[l]`` has shape ``(sizes[l+1],)``.
    net_inputs : list of ndarray
        After :meth:`forward`: ``net_inputs[l]`` is Z_l, shape ``(n, sizes[l+1])``.
    layer_outputs : list of ndarray
        After :meth:`forward`: ``layer_outputs[0]`` is X as a 2-D array (not copied when it
        already has the right dtype and layout), ``layer_outputs[l+1] = f_l(net_inputs[l])``; the
        last one is Y, 2-D.
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activation: str | Sequence[str] = "sigmoid",
        init: str = "xavier",
        seed: int | None = 0,
        bias: bool = True,
        loss: str = "half_sse",
        dtype: type = np.float64,
    ) -> None:
        owner = "MLP"
        if isinstance(sizes, np.ndarray) and sizes.ndim == 1:
            sizes = sizes.tolist()
        if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence):
            raise error(owner, "sizes", "a list of at least two ints >= 1", repr(sizes), TypeError)
        if len(sizes) < 2 or not all(_is_int(s) and s >= 1 for s in sizes):
            raise error(owner, "sizes", "a list of at least two ints >= 1", repr(list(sizes)))
        self.sizes: list[int] = [int(s) for s in sizes]
        n_layers = len(self.sizes) - 1

        if isinstance(activation, str):
            names = [activation] * n_layers
        elif isinstance(activation, Sequence) and not isinstance(activation, bytes):
            names = list(activation)
            if len(names) != n_layers:
                raise error(owner, "activation", f"a str or a list of {n_layers} names (one per "
                            "layer, len(sizes) - 1)", f"{len(names)} names {names!r}")
        else:
            raise error(owner, "activation", f"a str or a list of str (one of {sorted(ACTIVATIONS)})",
                        repr(activation), TypeError)
        self._acts: list[Activation] = [get_activation(n, "activation", owner) for n in names]
        self.activations: list[str] = [a.name for a in self._acts]

        self.init = check_init_name(init, "init", owner)
        self.seed = None if seed is None else integer(seed, "seed", owner, rule="an int or None")
        self.bias = boolean(bias, "bias", owner)
        self._loss: Loss = get_loss(loss, "loss", owner)
        self.loss_name = self._loss.name
        required = self._loss.output_activation
        if required is not None and self.activations[-1] != required:
            raise error(owner, "activation", f"{required!r} for the output layer when "
                        f"loss={self.loss_name!r}", repr(self.activations[-1]))
        try:
            self.dtype = np.dtype(dtype)
        except TypeError:
            self.dtype = None
        if self.dtype not in (np.float64, np.float32):
            raise error(owner, "dtype", "np.float64 or np.float32", repr(dtype), TypeError)

        rng = np.random.default_rng(seed)
        self.weights: list[np.ndarray] = [
            np.ascontiguousarray(initialize(self.init, n_in, n_out, rng), dtype=self.dtype)
            for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:])
        ]
        self.biases: list[np.ndarray] = [np.zeros(n, dtype=self.dtype) for n in self.sizes[1:]]
        self._recycler = Recycler()   # see _gradient_memory
        self._clear_cache()

    # ------------------------------------------------------------------ helpers
    def _clear_cache(self) -> None:
        self.net_inputs: list[np.ndarray] = []
        self.layer_outputs: list[np.ndarray] = []
        self._single = False

    def __repr__(self) -> str:
        acts = self.activations[0] if len(set(self.activations)) == 1 else self.activations
        return (f"MLP({self.sizes}, activation={acts!r}, init={self.init!r}, seed={self.seed!r}, "
                f"bias={self.bias}, loss={self.loss_name!r})")

    def _as_batch(self, X: object) -> np.ndarray:
        """Validate X and return it as a C-contiguous 2-D array of the net's dtype."""
        d = self.sizes[0]
        if type(X) is np.ndarray and X.dtype == self.dtype and X.ndim == 2 and X.shape[1] == d:
            self._single = False  # fast path: nothing to convert
            return X if X.flags.c_contiguous else np.ascontiguousarray(X)
        try:
            A = np.asarray(X, dtype=self.dtype)
        except (TypeError, ValueError):
            raise error("MLP.forward", "X", f"an array of numbers of shape (n_samples, {d}) or "
                        f"({d},)", f"{type(X).__name__} {X!r:.60}", TypeError)
        if A.ndim == 1 and A.shape[0] == d:
            self._single = True
            return A.reshape(1, d)
        if A.ndim == 2 and A.shape[1] == d and A.shape[0] >= 1:
            self._single = False
            return np.ascontiguousarray(A)
        raise error("MLP.forward", "X", f"of shape (n_samples, {d}) or ({d},) with n_samples >= 1 "
                    f"(sizes[0] = {d})", f"an array of shape {A.shape}")

    # ------------------------------------------------------------------ forward / backward
    def forward(self, X: np.ndarray) -> np.ndarray:
        """Run the network on ``X`` and cache net inputs and layer outputs for :meth:`backward`.

        Parameters
        ----------
        X : array, shape (n_samples, sizes[0]) or (sizes[0],)

        Returns
        -------
        Y : ndarray, shape (n_samples, sizes[-1]) or (sizes[-1],) for a 1-D ``X``
        """
        A = self._as_batch(X)
        net_inputs, outputs = [], [A]
        for W, b, act in zip(self.weights, self.biases, self._acts):
            Z = A @ W.T                     # (n, in) @ (in, out): every sample's weighted sums at once
            if self.bias:
                Z += b                      # broadcast the bias over the samples (in place)
            A = act.f(Z)
            net_inputs.append(Z)
            outputs.append(A)
        self.net_inputs, self.layer_outputs = net_inputs, outputs
        return A[0] if self._single else A

    def _as_targets(self, T: object, n: int, owner: str = "MLP.backward") -> np.ndarray:
        k = self.sizes[-1]
        try:
            T2 = np.asarray(T, dtype=self.dtype)
        except (TypeError, ValueError):
            raise error(owner, "T", "an array of numbers", f"{type(T).__name__}", TypeError)
        if T2.shape == (n, k):
            return T2
        if self._single and T2.shape == (k,):
            return T2.reshape(1, k)
        expected = f"({k},) or (1, {k})" if self._single else f"({n}, {k})"
        hint = ""
        if k == 1 and T2.shape == (n,):
            hint = " (use T.reshape(-1, 1) for a single output)"
        raise error(owner, "T", f"shape {expected} to match the last forward pass ({n} samples, "
                    f"sizes[-1] = {k})", f"shape {T2.shape}", hint=hint, must="have")

    def backward(self, T: np.ndarray, input_grad: bool = True) -> Gradients:
        """Back-propagate the loss of the LAST :meth:`forward` call against targets ``T``.

        Uses the cached net inputs and layer outputs and the current weights, so call
        :meth:`forward` again after changing the weights or the data; ``backward`` checks only
        that ``T`` matches the cached number of samples. Calling it twice gives the same result.

        Parameters
        ----------
        T : array, shape (n_samples, sizes[-1]) (or (sizes[-1],) after a 1-D forward)
        input_grad : bool
            Also compute dE/dX (one extra matrix product); ``False`` leaves ``inputs`` as None.

        Returns
        -------
        Gradients
            ``weights``, ``biases``, ``deltas`` (2-D), ``inputs`` (shape of X) and ``loss``.
        """
        if not self.layer_outputs:
            raise ValueError(
                "MLP.backward needs the cached values of a forward pass, and there is none: "
                "call net.forward(X) before net.backward(T)."
            )
        outputs, net_inputs, acts, weights = (
            self.layer_outputs, self.net_inputs, self._acts, self.weights)
        n = outputs[0].shape[0]
        T2 = self._as_targets(T, n)
        loss, grad_y = self._loss.value_and_grad(outputs[-1], T2)   # dE/dY (a new array)

        L = len(weights)
        gw: list = [None] * L
        gb: list = [None] * L
        deltas: list = [None] * L
        # output error term: delta = dE/dY * f'(Z); linear layers skip the multiplication
        delta = self._times_fprime(grad_y, L - 1)
        g_inputs = None
        for l in range(L - 1, -1, -1):
            deltas[l] = delta
            # dE/dW_l: the sum over samples of delta_j * a_k, one matrix product
            gw[l] = np.matmul(delta.T, outputs[l], out=self._gradient_memory(l))
            gb[l] = np.add.reduce(delta, axis=0) if self.bias else np.zeros_like(self.biases[l])
            if l > 0:
                delta = self._times_fprime(delta @ weights[l], l - 1)   # hidden error term
            elif input_grad:
                g_inputs = delta @ weights[0]                     # Gashler: dE/dy_0k
        if g_inputs is not None and self._single:
            g_inputs = g_inputs[0]
        return Gradients(gw, gb, deltas, g_inputs, loss, self.bias)

    def _gradient_memory(self, l: int) -> np.ndarray:
        """An uninitialised array for dE/dW_l, the one speed mechanism of the training step.

        What it buys: a new 800 KB array per large layer per step is memory the C allocator gives
        back to the operating system and takes back page by page on the next step; reusing the
        array of an earlier step that nobody refers to any more avoids that (a [784, 128, 64, 10]
        step takes 0.9 instead of 1.5 ms; docs/performance.md). A gradient a learner keeps is
        never reused, so results never change (engine/_recycle.py).
        """
        W = self.weights[l]
        return self._recycler.empty(l, W.shape, W.dtype)

    def _times_fprime(self, grad_a: np.ndarray, l: int) -> np.ndarray:
        """dE/dZ_l = dE/dA_{l+1} * f_l'(Z_l); ``grad_a`` is a fresh array and may be reused."""
        act = self._acts[l]
        if act.name == "linear":
            return grad_a
        fprime = act.fprime_from(self.net_inputs[l], self.layer_outputs[l + 1])
        fprime *= grad_a
        return fprime

    # ------------------------------------------------------------------ conveniences
    def loss(self, X: np.ndarray, T: np.ndarray) -> float:
        """The loss at ``X`` and ``T`` (runs :meth:`forward`, so it replaces the cache)."""
        self.forward(X)
        T2 = self._as_targets(T, self.layer_outputs[0].shape[0], "MLP.loss")
        return self._loss.value(self.layer_outputs[-1], T2)

    def parameters(self) -> list[np.ndarray]:
        """The live parameter arrays ``[W0, b0, W1, b1, ...]`` (no biases when ``bias=False``).

        Optimizers update these in place; :meth:`Gradients.as_list` has the same order.
        """
        if not self.bias:
            return list(self.weights)
        return [p for pair in zip(self.weights, self.biases) for p in pair]

    def copy(self) -> "MLP":
        """A deep copy with its own parameter arrays (the forward cache is not copied)."""
        new = _copy.copy(self)
        new.weights = [W.copy() for W in self.weights]
        new.biases = [b.copy() for b in self.biases]
        new.activations = list(self.activations)
        new._acts = list(self._acts)
        new.sizes = list(self.sizes)
        new._recycler = Recycler()
        new._clear_cache()
        return new

    def get_state(self) -> dict[str, list[np.ndarray]]:
        """A snapshot ``{"weights": [...], "biases": [...]}`` of copies of the parameters."""
        return {"weights": [W.copy() for W in self.weights],
                "biases": [b.copy() for b in self.biases]}

    def set_state(self, state: dict) -> None:
        """Restore a :meth:`get_state` snapshot, writing INTO the live arrays (so references held
        by optimizers stay valid). Shapes must match."""
        if not isinstance(state, dict) or set(state) != {"weights", "biases"}:
            raise error("MLP.set_state", "state", "a dict with keys 'weights' and 'biases'",
                        repr(type(state).__name__ if not isinstance(state, dict) else sorted(state)),
                        TypeError)
        for key, live in (("weights", self.weights), ("biases", self.biases)):
            new = list(state[key])
            shapes = [np.shape(a) for a in new]
            if shapes != [a.shape for a in live]:
                raise error("MLP.set_state", "state", f"{key} of shapes {[a.shape for a in live]}",
                            f"shapes {shapes}")
            for dst, src in zip(live, new):
                dst[...] = src
        self._clear_cache()
