"""Exercises of lesson 5 (the UFLDL guide): the chain rule along one path.

First the derivative of a composition of simple functions (a product of local derivatives, each taken at
the value that reaches it); then every weight and bias gradient of the UFLDL guide's chain of single sigmoid
neurons. The references never use the learner's recipe: a ``Value`` graph differentiates the
composition, and a 1-wide ``MLP`` backpropagates through the chain.
"""
from __future__ import annotations

import numpy as np

from ...engine import checks
from ...engine.mlp import MLP
from ...engine.value import Value
from . import draw
from .worksheet import Worksheet
from ..checking.cases import Case
from ..checking.compare import compare_numbers
from ..checking.exercise import Exercise
from ..checking.exercise import Misconception

NOTEBOOK = "ex05_chain"
FORBIDDEN = frozenset({"engine", "Value", "backward", "MLP", "sympy", "symbolic", "derive_chain",
                       "gradcheck", "torch", "autograd", "jax"})

WORKSHEET = Worksheet(
    stem=NOTEBOOK,
    title="Exercises 5: the chain rule along one path",
    lesson="05",
    intro="""Practice for lesson 5. When a quantity depends on $x$ through a chain of links
$x \\to u_1 \\to u_2 \\to \\dots \\to u_m$, its derivative with respect to $x$ is the product of the links'
local derivatives, each evaluated at the value that enters that link. You will compute such products
for a chain of simple functions, then for the UFLDL guide's network with one sigmoid neuron per layer.""",
)

CHAIN_DERIVATIVE_PROMPT = """### Exercise 5.1 - the derivative of a composition

A composition is given as a list `steps` of links applied to $x$ in order. Each link is a tuple whose
first entry names it; `"add"` and `"mul"` carry a constant `c` as the second entry:

| link | what it does to the incoming value $u$ | local derivative |
|---|---|---|
| `("add", c)` | $u + c$ | $1$ |
| `("mul", c)` | $c\\,u$ | $c$ |
| `("sigmoid",)` | $\\sigma(u) = 1/(1 + e^{-u})$ | $\\sigma(u)\\,(1 - \\sigma(u))$ |
| `("tanh",)` | $\\tanh u$ | $1 - \\tanh^2 u$ |
| `("exp",)` | $e^u$ | $e^u$ |
| `("square",)` | $u^2$ | $2u$ |

Write `chain_derivative(x, steps)` returning the tuple `(value, derivative)`: the output of the whole
chain and its derivative with respect to `x`, both floats. Go forward once, and at each link keep its
local derivative at the value that enters it, as the nodes of a computational graph do (lesson 02).

The public cases are the blog post's line $3x + 4$ at $x = 2$, the first neuron of the lesson's chain
($\\sigma(0.8 x - 0.3)$ at $x = 1.5$), and the lesson's whole chain of three neurons at $x = 1.5$,
whose output is $h(x)$:

```python
[("mul", 0.8), ("add", -0.3), ("sigmoid",), ("mul", -1.2), ("add", 0.5), ("sigmoid",),
 ("mul", 1.6), ("add", -0.4), ("sigmoid",)]
```"""

CHAIN_DERIVATIVE_SOLUTION = '''def chain_derivative(x, steps):
    """(value, d value / dx) of the composition described by steps, applied to x."""
    # BEGIN SOLUTION
    u = float(x)
    derivative = 1.0
    for step in steps:
        name = step[0]
        if name == "add":
            local, u = 1.0, u + step[1]
        elif name == "mul":
            local, u = step[1], step[1] * u
        elif name == "sigmoid":
            s = 1.0 / (1.0 + np.exp(-u))
            local, u = s * (1.0 - s), s
        elif name == "tanh":
            t = np.tanh(u)
            local, u = 1.0 - t * t, t
        elif name == "exp":
            e = np.exp(u)
            local, u = e, e
        elif name == "square":
            local, u = 2.0 * u, u * u
        else:
            raise ValueError(f"unknown link {name!r}")
        derivative *= local       # chain rule: one local derivative per link
    return (u, derivative)
    # END SOLUTION'''

CHAIN_GRADIENTS_PROMPT = """### Exercise 5.2 - every gradient of a chain of neurons

The UFLDL guide's network has one sigmoid neuron per layer. With $L$ weight layers, input $x = a^{(1)}$ and
target $y$:

$$z^{(l+1)} = W^{(l)} a^{(l)} + b^{(l)}, \\qquad a^{(l+1)} = f(z^{(l+1)}), \\qquad
  J = \\tfrac12 \\big(y - a^{(L+1)}\\big)^2,$$

with $f$ the sigmoid. Write `chain_gradients(x, y, W, b)`: `W` and `b` are arrays of length $L$ (`W[0]`
is $W^{(1)}$). Return the tuple `(dJ_dW, dJ_db)`, two arrays of length $L$ holding
$\\partial J / \\partial W^{(l)}$ and $\\partial J / \\partial b^{(l)}$.

Use the lesson's recipe: the output error term $\\delta = -(y - h(x))\\, f'(z^{(L+1)})$, one factor
$W^{(l)} f'(z^{(l)})$ for every neuron passed on the way back, and for a weight (not for a bias) the
activation it multiplies. With $L = 1$ this is a single neuron and the blog post's error
$E = \\tfrac12 (t - a)^2$. The public case is the lesson's chain: you should find
$\\partial J / \\partial W^{(1)} \\approx -0.012859$ and $\\partial J / \\partial b^{(3)} \\approx 0.089645$."""

CHAIN_GRADIENTS_SOLUTION = '''def chain_gradients(x, y, W, b):
    """(dJ/dW, dJ/db), arrays of length L, for a chain of single sigmoid neurons with J = (y - h)^2 / 2."""
    # BEGIN SOLUTION
    L = len(W)
    a = [float(x)]                                   # a[l] is UFLDL's a^(l+1); a[0] is the input
    for l in range(L):
        a.append(1.0 / (1.0 + np.exp(-(W[l] * a[l] + b[l]))))
    dJ_dW, dJ_db = np.zeros(L), np.zeros(L)
    delta = -(y - a[L]) * a[L] * (1.0 - a[L])        # output error term dJ/dz
    for l in range(L - 1, -1, -1):
        dJ_db[l] = delta                              # dz/db = 1
        dJ_dW[l] = delta * a[l]                       # dz/dW = the incoming activation
        delta = delta * W[l] * a[l] * (1.0 - a[l])    # pass back through the neuron below: W f'(z)
    return (dJ_dW, dJ_db)
    # END SOLUTION'''

#: The links a composition may have: name -> how a Value graph applies it (c is the step's constant).
_OPS = {
    "add": lambda v, c: v + c,
    "mul": lambda v, c: v * c,
    "sigmoid": lambda v, c: v.sigmoid(),
    "tanh": lambda v, c: v.tanh(),
    "exp": lambda v, c: v.exp(),
    "square": lambda v, c: v ** 2,
}


def _chain_derivative(x, steps):
    leaf = Value(float(x))
    out = leaf
    for step in steps:
        name = step[0]
        if name not in _OPS:
            raise checks.error("chain_derivative", "steps", f"links from {sorted(_OPS)}", repr(name),
                               must="name")
        out = _OPS[name](out, float(step[1]) if len(step) > 1 else None)
    out.backward()
    return (out.data, leaf.grad)


def _chain_gradients(x, y, W, b):
    W, b = np.asarray(W, dtype=float).reshape(-1), np.asarray(b, dtype=float).reshape(-1)
    net = MLP([1] * (W.size + 1), activation="sigmoid", seed=0)
    for l in range(W.size):
        net.weights[l][0, 0] = W[l]
        net.biases[l][0] = b[l]
    net.forward(np.array([float(x)]))
    g = net.backward(np.array([float(y)]))
    return (np.array([gw.item() for gw in g.weights]), np.array([gb.item() for gb in g.biases]))


DERIV_HINT = ("go forward once, keeping each link's local derivative at the value that ENTERS it; "
              "the derivative of the whole chain is the product of those local derivatives")
GRAD_HINT = ("delta = -(y - h) f'(z) at the output; for every neuron passed on the way back multiply by "
             "W f'(z); a weight's gradient takes one more factor (the activation it multiplies), a bias's not")

_NONLINEAR = ("sigmoid", "tanh", "exp", "square")


def _random_steps(rng, length):
    steps = []
    for _ in range(length):
        kind = str(rng.choice(["mul", "add", "nonlinear"]))
        if kind == "nonlinear":
            steps.append((str(rng.choice(_NONLINEAR)),))
        else:
            steps.append((kind, float(draw.mixed(rng, None, 0.3, 1.5))))
    return steps


def _tame(x, steps) -> bool:
    """A composition is usable when its value and slope are moderate (no overflow, no vanished slope)."""
    value, slope = _chain_derivative(x, steps)
    return bool(np.isfinite(value) and np.isfinite(slope) and abs(value) < 1e3 and 1e-4 < abs(slope) < 1e3)


def _deriv_hidden(rng):
    def draw_case(make):
        while True:
            x, steps = make()
            if _tame(x, steps):
                return (x, steps)

    def single():
        return float(draw.mixed(rng, None, 0.2, 1.5)), [(str(rng.choice(_NONLINEAR)),)]

    def neurons():  # a chain of neurons: w * u + b, then a sigmoid or tanh, one to three times
        steps = []
        for k in range(int(rng.integers(1, 4))):
            squash = "sigmoid" if k == 0 else str(rng.choice(["sigmoid", "tanh"]))
            steps += [("mul", float(draw.mixed(rng, None, 0.5, 2.0))), ("add", float(draw.mixed(rng, None, 0.1, 1.0))),
                      (squash,)]
        return float(draw.mixed(rng, None, 0.2, 2.0)), steps

    def mixture(last):
        def make():
            steps = _random_steps(rng, int(rng.integers(3, 7)))
            steps.insert(int(rng.integers(0, 2)), ("add", float(draw.mixed(rng, None, 0.3, 1.0))))
            steps.append((str(rng.choice(last)),))       # at least one link whose slope depends on its input
            return float(draw.mixed(rng, None, 0.2, 1.5)), steps
        return make

    # the two mixtures end in different kinds of links (a squashing one, then exp or square), so a slip
    # in one kind of link cannot pass both of them
    makers = (single, neurons, mixture(("sigmoid", "tanh")), mixture(("exp", "square")))
    return [Case(f"hidden {i}", draw_case(make), True, DERIV_HINT) for i, make in enumerate(makers, start=1)]


def _grad_hidden(rng):
    cases = []
    for i, depth in enumerate((1, int(rng.integers(2, 4)), int(rng.integers(3, 6))), start=1):
        W, b = draw.mixed(rng, depth, 0.4, 2.5), draw.mixed(rng, depth, 0.1, 1.0)
        x, y = float(draw.mixed(rng, None, 0.3, 2.0)), float(rng.uniform(0.05, 0.95))
        hint = ("one sigmoid neuron: dE/dw = -(t - a) a (1 - a) x and dE/db = -(t - a) a (1 - a)"
                if depth == 1 else GRAD_HINT)
        cases.append(Case(f"hidden {i}", (x, y, W, b), True, hint))
    return cases


LESSON_STEPS = [("mul", 0.8), ("add", -0.3), ("sigmoid",), ("mul", -1.2), ("add", 0.5), ("sigmoid",),
                ("mul", 1.6), ("add", -0.4), ("sigmoid",)]

L05_CHAIN = 'lesson 05, section 1 "The chain rule, one link per arrow"'
L05_NUMBERS = 'lesson 05, section 2 "With numbers, by hand"'


def _composition_source(start="1.0", combine="derivative *= local", sigmoid="s * (1.0 - s)", tanh="1.0 - t * t",
                        exp="e", square="2.0 * v", mul="step[1]", before="") -> str:
    # a wrong chain_derivative, written as the model solution with one piece changed; the local
    # derivatives are computed before u moves on, except where `before` names the value they use
    return ("def chain_derivative(x, steps):\n    u = float(x)\n    x0 = u\n"
            f"    derivative = {start}\n    for step in steps:\n        name = step[0]\n        v = u{before}\n"
            f"        if name == 'add':\n            local, u = 1.0, u + step[1]\n"
            f"        elif name == 'mul':\n            local, u = {mul}, step[1] * u\n"
            f"        elif name == 'sigmoid':\n            s = 1.0 / (1.0 + np.exp(-v))\n"
            f"            local, u = {sigmoid}, 1.0 / (1.0 + np.exp(-u))\n"
            f"        elif name == 'tanh':\n            t = np.tanh(v)\n            local, u = {tanh}, np.tanh(u)\n"
            f"        elif name == 'exp':\n            e = np.exp(v)\n            local, u = {exp}, np.exp(u)\n"
            f"        elif name == 'square':\n            local, u = {square}, u * u\n"
            f"        {combine}\n    return (u, derivative)\n")


_AFTER = ("\n        if name == 'sigmoid':\n            v = 1.0 / (1.0 + np.exp(-u))\n"
          "        elif name == 'tanh':\n            v = np.tanh(u)\n"
          "        elif name in ('exp', 'square'):\n            v = np.exp(u) if name == 'exp' else u * u")


def _chain_source(output="-(y - a[L]) * a[L] * (1.0 - a[L])", bias="delta", back="delta * W[l] * a[l] * (1.0 - a[l])",
                  extra="") -> str:
    # a wrong chain_gradients, written as the model solution with one piece changed
    return ("def chain_gradients(x, y, W, b):\n    L = len(W)\n    a = [float(x)]\n    for l in range(L):\n"
            "        a.append(1.0 / (1.0 + np.exp(-(W[l] * a[l] + b[l]))))\n"
            "    dJ_dW, dJ_db = np.zeros(L), np.zeros(L)\n"
            f"    delta = {output}\n    for l in range(L - 1, -1, -1):\n"
            f"        dJ_db[l] = {bias}\n        dJ_dW[l] = delta * a[l]\n{extra}"
            f"        delta = {back}\n    return (dJ_dW, dJ_db)\n")


DERIV_MISCONCEPTIONS = (
    Misconception(
        "every local derivative taken at x",
        "Each link's slope is taken at the value that ENTERS that link, which changes along the chain; "
        "only the first link sees x itself.", L05_CHAIN,
        _composition_source(before="\n        v = x0")),
    Misconception(
        "a sum of local derivatives instead of a product",
        "The chain rule MULTIPLIES the local derivatives along the path; adding them has no meaning.",
        L05_CHAIN,
        _composition_source(start="0.0", combine="derivative += local")),
    Misconception(
        "the output form of a slope applied to the incoming value",
        "a (1 - a) for the sigmoid and 1 - a^2 for tanh take the link's OUTPUT a; applied to the value "
        "coming in they give another number.", L05_NUMBERS,
        _composition_source(sigmoid="v * (1.0 - v)", tanh="1.0 - v * v")),
    Misconception(
        "the constant of a multiply link dropped",
        "A link u -> c u scales every small change by c, so its local derivative is the constant c, not 1.",
        L05_CHAIN,
        _composition_source(mul="1.0")),
    Misconception(
        "each slope taken at the value leaving the link",
        "A link's derivative is evaluated where the link is applied, at its input; evaluating the formula "
        "at the link's output is one step too late.", L05_NUMBERS,
        _composition_source(before=_AFTER)),
)

CHAIN_MISCONCEPTIONS = (
    Misconception(
        "the bias gradient with the activation factor",
        "A bias is added on its own (dz/db = 1), so its gradient is the error term alone; only a weight "
        "takes the extra factor of the activation it multiplies.", L05_CHAIN,
        _chain_source(bias="delta * a[l]")),
    Misconception(
        "the slope f' missing at the output",
        "The output error term is -(y - h) times f'(z) = h (1 - h): the loss reaches z only through the "
        "output neuron's squashing.", L05_CHAIN,
        _chain_source(output="-(y - a[L])")),
    Misconception(
        "a sign flip in the error term",
        "dJ/dh for J = (y - h)^2 / 2 is -(y - h): the minus sign comes from the inner derivative of y - h.",
        L05_CHAIN,
        _chain_source(output="(y - a[L]) * a[L] * (1.0 - a[L])")),
    Misconception(
        "the weight not passed back",
        "Each neuron passed on the way back costs W f'(z): the weight leaving it times its slope; here the "
        "weight is missing.", L05_CHAIN,
        _chain_source(back="delta * a[l] * (1.0 - a[l])")),
    Misconception(
        "the slope formula applied to the net input",
        "f'(z) = f(z) (1 - f(z)) takes the activation a = f(z); z (1 - z) applies it to the net input.",
        L05_NUMBERS,
        _chain_source(extra="        z = W[l - 1] * a[l - 1] + b[l - 1] if l else 0.0\n",
                      back="delta * W[l] * z * (1.0 - z)")),
    Misconception(
        "the slope of the neuron above (off by one layer)",
        "Going back through the weight W^(l) lands on the neuron BELOW it: multiply by that neuron's slope "
        "a^(l) (1 - a^(l)), not again by the slope already used.", L05_NUMBERS,
        _chain_source(back="delta * W[l] * a[l + 1] * (1.0 - a[l + 1])")),
)

EXERCISES = [
    Exercise(
        id="ex05.chain_derivative", function="chain_derivative", title="the derivative of a composition",
        prompt=CHAIN_DERIVATIVE_PROMPT, solution=CHAIN_DERIVATIVE_SOLUTION,
        notebook=NOTEBOOK,
        public=lambda: [Case("public 1", (2.0, [("mul", 3.0), ("add", 4.0)])),
                        Case("public 2", (1.5, [("mul", 0.8), ("add", -0.3), ("sigmoid",)])),
                        Case("public 3", (1.5, LESSON_STEPS))],
        hidden=_deriv_hidden, reference=_chain_derivative, forbidden=FORBIDDEN, points=2.0, hint=DERIV_HINT,
        compare=lambda e, a: compare_numbers(e, a, rtol=1e-9, atol=1e-12),
        misconceptions=DERIV_MISCONCEPTIONS,
    ),
    Exercise(
        id="ex05.chain_gradients", function="chain_gradients", title="every gradient of a chain of neurons",
        prompt=CHAIN_GRADIENTS_PROMPT, solution=CHAIN_GRADIENTS_SOLUTION,
        notebook=NOTEBOOK,
        public=lambda: [Case("public 1", (1.5, 0.2, np.array([0.8, -1.2, 1.6]), np.array([-0.3, 0.5, -0.4])))],
        hidden=_grad_hidden, reference=_chain_gradients, forbidden=FORBIDDEN, points=2.0, hint=GRAD_HINT,
        compare=lambda e, a: compare_numbers(e, a, rtol=1e-9, atol=1e-12),
        misconceptions=CHAIN_MISCONCEPTIONS,
    ),
]
