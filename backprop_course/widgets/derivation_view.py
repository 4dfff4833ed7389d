"""View 7: the derivation explorer (Gashler, in Gashler's or the UFLDL notation).

The learner chooses the depth of the network, the quantity to differentiate by (a weight
``w_{layer, j, k}`` or an input ``y_{0k}``, 1-based as in the seed) and the notation, then steps
through the SymPy derivation of :mod:`backprop_course.symbolic` one rule at a time. Each step is shown
as LaTeX (an ``HTMLMath`` widget, typeset by MathJax in JupyterLab) under the previous one, with the
parts that changed coloured. A verify button runs the numeric checks of ``Derivation.verify`` (the
engine's ``MLP.backward``, central finite differences and the error-term form) and shows the report.

What changed between two steps is found by :func:`highlight_changes`, a pure function on LaTeX
strings: formulas are split into *atoms* that can be coloured without breaking the LaTeX (a command
with the brace groups that follow it such as ``\\frac{a}{b}``, a ``\\left( ... \\right)`` pair, a brace
group or a single character, each with its sub/superscripts and primes). Consecutive steps are
compared atom by atom with ``difflib``; atoms of the same shape whose insides differ are compared
recursively, so a change deep inside a fraction colours only that part. Separators (``&``, ``\\\\``,
``\\begin``/``\\end``) are never wrapped.

>>> highlight_changes(r"a + b", r"a + c", open_mark="[", close_mark="]")
'a + [c]'
"""
from __future__ import annotations

import difflib
import functools
import html
import re
import time
from typing import Any

import ipywidgets as W

from backprop_course.widgets import sliders as S
from backprop_course.widgets.base import View, guarded

__all__ = ["highlight_changes", "split_atoms", "HIGHLIGHT_COLOUR", "derivation_steps",
           "DerivationExplorer", "derivation_explorer"]

HIGHLIGHT_COLOUR = "#d62728"
# Each displayed equation sits in a box of the view's width that scrolls sideways when the equation is
# wider (a deep network's expanded gradient is): nothing is clipped, the highlighted term included.
EQUATION_BOX_STYLE = "overflow-x:auto;overflow-y:hidden;max-width:100%;padding-bottom:4px"
_SEPARATORS = {"&", "\\\\"}
_MODIFIERS = {"\\limits", "\\nolimits"}
_CONTROL = re.compile(r"\\([A-Za-z]+|.)")

# An atom is a list of pieces: a str (raw text) or a list of atoms (a group's content).
Atom = list


class _Parser:
    def __init__(self, text: str) -> None:
        self.s = text
        self.i = 0

    def peek(self) -> str:
        return self.s[self.i] if self.i < len(self.s) else ""

    def space(self) -> str:
        j = self.i
        while self.i < len(self.s) and self.s[self.i].isspace():
            self.i += 1
        return self.s[j:self.i]

    def token(self) -> str:
        """One raw token: a control sequence or a single character."""
        if self.peek() == "\\":
            m = _CONTROL.match(self.s, self.i)
            if m:
                self.i = m.end()
                return m.group(0)
        ch = self.s[self.i]
        self.i += 1
        return ch

    def group(self) -> Atom:
        """Parse ``{ ... }`` (the opening brace is next)."""
        self.i += 1
        inner = self.sequence(closing="}")
        close = ""
        if self.peek() == "}":
            self.i += 1
            close = "}"
        return ["{", inner, close]

    def argument(self) -> Atom:
        """A script argument: a brace group or one token."""
        if self.peek() == "{":
            return self.group()
        return [self.token()] if self.peek() else []

    def attach_scripts(self, atom: Atom) -> Atom:
        while True:
            j = self.i
            ws = self.space()
            nxt = self.peek()
            if nxt in ("_", "^"):
                self.i += 1
                atom += [ws + nxt, *self.argument()]
            elif nxt == "'":
                self.i += 1
                atom.append(ws + "'")
            elif nxt == "\\" and (m := _CONTROL.match(self.s, self.i)) and m.group(0) in _MODIFIERS:
                self.i = m.end()
                atom.append(ws + m.group(0))
            else:
                self.i = j
                return atom

    def atom(self) -> tuple[str, Atom]:
        """Parse one atom; returns (kind, pieces) with kind "sep", "space" or "atom"."""
        if self.peek().isspace():
            return "space", [self.space()]
        if self.peek() == "{":
            return "atom", self.attach_scripts(self.group())
        tok = self.token()
        if tok in _SEPARATORS:
            return "sep", [tok]
        if tok in ("\\begin", "\\end"):
            pieces = [tok]
            if self.peek() == "{":
                pieces += self.group()
            return "sep", pieces
        if tok == "\\left":
            pieces: Atom = [tok + self.space()]
            pieces.append(self.token() if self.peek() else "")
            pieces.append(self.sequence(closing="\\right"))
            if self.s.startswith("\\right", self.i):
                self.i += len("\\right")
                tail = "\\right" + self.space()
                tail += self.token() if self.peek() else ""
                pieces.append(tail)
            return "atom", self.attach_scripts(pieces)
        pieces = [tok]
        if tok.startswith("\\") and tok[1:].isalpha():
            while True:  # the brace groups right after a command are its arguments
                j = self.i
                ws = self.space()
                if self.peek() == "{":
                    pieces.append(ws)
                    pieces += self.group()
                else:
                    self.i = j
                    break
        return "atom", self.attach_scripts(pieces)

    def sequence(self, closing: str = "") -> list:
        atoms = []
        while self.i < len(self.s):
            if closing == "}" and self.peek() == "}":
                break
            if closing == "\\right" and self.s.startswith("\\right", self.i):
                break
            if not closing and self.peek() == "}":  # stray closing brace: keep it as text
                self.i += 1
                atoms.append(("sep", ["}"]))
                continue
            atoms.append(self.atom())
        return atoms


def split_atoms(latex: str) -> list[tuple[str, Atom]]:
    """Split a LaTeX formula into top-level atoms ``(kind, pieces)``; joining them gives it back.

    >>> [_text(a) for _, a in split_atoms(r"\\frac{a}{b} x_{1}^{2}")]
    ['\\\\frac{a}{b}', ' ', 'x_{1}^{2}']
    """
    return _Parser(latex).sequence()


def _text(pieces: Atom) -> str:
    out = []
    for p in pieces:
        if isinstance(p, str):
            out.append(p)
        else:
            out.append("".join(_text(a) for _, a in p))
    return "".join(out)


def _key(kind: str, pieces: Atom) -> str:
    return "".join(_text(pieces).split()) if kind != "space" else " "


def _shape(pieces: Atom) -> tuple:
    return tuple(p if isinstance(p, str) else None for p in pieces)


def _wrap(atoms: list, open_mark: str, close_mark: str) -> str:
    out, run = [], []

    def flush() -> None:
        if any(kind == "atom" for kind, _ in run):
            body = "".join(_text(a) for _, a in run)
            lead = body[:len(body) - len(body.lstrip())]
            trail = body[len(body.rstrip()):]
            out.append(lead + open_mark + body.strip() + close_mark + trail)
        else:
            out.extend(_text(a) for _, a in run)
        run.clear()

    for kind, a in atoms:
        if kind == "sep":
            flush()
            out.append(_text(a))
        else:
            run.append((kind, a))
    flush()
    return "".join(out)


def _mark(old: list, new: list, open_mark: str, close_mark: str) -> str:
    sm = difflib.SequenceMatcher(None, [_key(*a) for a in old], [_key(*a) for a in new], autojunk=False)
    out = []
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            out.extend(_text(a) for _, a in new[j1:j2])
        elif tag == "replace" and i2 - i1 == j2 - j1 and all(
                ko == kn == "atom" and _shape(po) == _shape(pn)
                for (ko, po), (kn, pn) in zip(old[i1:i2], new[j1:j2])):
            for (_, po), (_, pn) in zip(old[i1:i2], new[j1:j2]):
                if all(isinstance(p, str) for p in pn):  # nothing to recurse into
                    out.append(_wrap([("atom", pn)], open_mark, close_mark))
                    continue
                for a, b in zip(po, pn):
                    out.append(b if isinstance(b, str) else _mark(a, b, open_mark, close_mark))
        elif tag in ("replace", "insert"):
            out.append(_wrap(new[j1:j2], open_mark, close_mark))
    return "".join(out)


def highlight_changes(old: str, new: str, colour: str = HIGHLIGHT_COLOUR, open_mark: str | None = None,
                      close_mark: str | None = None) -> str:
    """Return ``new`` with the parts that differ from ``old`` coloured.

    Parameters
    ----------
    old, new : str
        LaTeX of two consecutive derivation steps.
    colour : str
        CSS/LaTeX colour of the changed parts.
    open_mark, close_mark : str, optional
        What to put around each changed part; default ``{\\color{colour}{`` and ``}}`` (a group, so it
        is valid wherever a single argument is, in MathJax 2 and 3 and in KaTeX).

    Returns
    -------
    str
        With empty marks, exactly ``new``.
    """
    if open_mark is None:
        open_mark = "{\\color{" + colour + "}{"
    if close_mark is None:
        close_mark = "}}"
    return _mark(split_atoms(old), split_atoms(new), open_mark, close_mark)


# -- the derivation as displayable steps ----------------------------------------------------------------
@functools.lru_cache(maxsize=32)
def _derivation(kind: str, layers: int, layer: int, j: int, k: int):
    from backprop_course.symbolic.derivations import derive_input_gradient, derive_weight_gradient

    if kind == "input":
        return derive_input_gradient(layers=layers, k=k)
    return derive_weight_gradient(layers=layers, layer=layer, j=j, k=k)


@functools.lru_cache(maxsize=64)
def derivation_steps(kind: str, layers: int, layer: int, j: int, k: int,
                     notation: str = "gashler") -> tuple[dict, ...]:
    """The steps of a derivation ready to show: LaTeX, highlighted LaTeX, rule and note.

    Parameters
    ----------
    kind : {"weight", "input"}
    layers : int
        Depth L of the network (1-10).
    layer, j, k : int
        The weight ``w_{layer, j, k}`` (1-based, as in Gashler); for ``kind="input"`` only ``k``
        counts (the input ``y_{0k}``).
    notation : {"gashler", "ufldl"}

    Returns
    -------
    tuple of dict
        One per step: ``number``, ``rule`` (with the error term's definition for caching steps),
        ``note``, ``latex`` and ``marked`` (``latex`` with what changed since the previous step in
        colour; the first step is not marked). Cached, so stepping back and forth costs nothing.
    """
    from backprop_course.symbolic.render import target_latex, to_latex

    d = _derivation(kind, layers, layer, j, k)
    out, previous = [], None
    for s in d.steps:
        tex = to_latex(s.expr, notation)
        rule = s.rule
        if s.definition is not None:
            lhs, rhs = s.definition
            if notation == "ufldl":  # UFLDL's delta is minus Gashler's e
                lhs, rhs = -lhs, -rhs
            rule = f"{s.rule}: ${to_latex(lhs, notation)} = {to_latex(rhs, notation)}$"
        marked = tex if previous is None else highlight_changes(previous, tex)
        out.append({"number": s.number, "rule": rule, "note": s.note, "latex": tex, "marked": marked,
                    "target": target_latex(d, notation)})
        previous = tex
    return tuple(out)


def _verify(kind: str, layers: int, layer: int, j: int, k: int):
    from backprop_course.symbolic.verify import verify

    return verify(_derivation(kind, layers, layer, j, k), symbolic=False)


class DerivationExplorer(View):
    """Step through the derivation of dE/dw (or dE/dy_0k) with the changes of each step highlighted.

    Attributes
    ----------
    state : dict
        ``kind``, ``layers``, ``layer``, ``j``, ``k``, ``notation``, ``n_steps``, ``step`` (1-based),
        ``latex`` (the current step), ``marked`` (with highlights), ``rule``, ``derive_seconds`` and,
        after "verify", ``verification`` (the report) and ``verified`` (bool).
    """

    max_layers = 8

    def __init__(self, layers: int = 5, kind: str = "weight", layer: int = 1, j: int = 7, k: int = 3,
                 notation: str = "gashler") -> None:
        self._quiet = False
        # layers and layer act on release (issue 24): each new target is a fresh SymPy derivation
        # (25-105 ms, measured 2026-12) that the browser then re-typesets with MathJax; dragged, the
        # formula changed about 2-3 times a second. The step slider (cached steps) follows the hand.
        self.layers = S.IntSlider(value=layers, min=1, max=self.max_layers, description="layers L",
                                  continuous_update=False)
        narrow = {"description_width": "70px", "button_width": "90px"}
        self.kind = W.ToggleButtons(options=[("weight w", "weight"), ("input y0k", "input")],
                                    value=kind, description="by", style=narrow)
        self.layer = S.IntSlider(value=min(layer, layers), min=1, max=layers, description="layer",
                                 continuous_update=False)
        self.j = W.BoundedIntText(value=j, min=1, max=9, description="node j", layout=W.Layout(width="150px"))
        self.k = W.BoundedIntText(value=k, min=1, max=9, description="node k", layout=W.Layout(width="150px"))
        self.notation = W.ToggleButtons(options=[("Gashler", "gashler"), ("UFLDL", "ufldl")],
                                        value=notation, description="notation", style=narrow)
        self.step = S.IntSlider(value=1, min=1, max=1, description="step", continuous_update=True)
        self.prev_button = W.Button(description="◀ previous", layout=W.Layout(width="110px"))
        self.next_button = W.Button(description="next ▶", button_style="primary",
                                    layout=W.Layout(width="110px"))
        self.verify_button = W.Button(description="verify numerically", icon="check",
                                      layout=W.Layout(width="180px"))
        # As wide as the view, never wider, so a long equation scrolls inside its own box
        # (EQUATION_BOX_STYLE) and the text wraps. display "block": as the default flex row, the
        # widget would grow its content to the widest equation and clip it at the view's edge.
        self.math = W.HTMLMath(value="", layout=W.Layout(min_height="140px", max_width="100%",
                                                         display="block"))
        self.report = W.HTML(value="")
        rows = W.VBox([W.HBox([self.layers, self.layer, self.j, self.k]),
                       W.HBox([self.kind, self.notation]),
                       W.HBox([self.step, self.prev_button, self.next_button, self.verify_button])])
        super().__init__(controls=[rows], extra=[self.math, self.report])
        self.image.layout.display = "none"  # no figure: the formulas are the picture
        self.children = (self.children[0], self.math, self.message, self.report)
        self.observe_controls(self.layers, self.kind, self.layer, self.j, self.k, self.notation)
        for widget, name in ((self, "bc-derivation-view"), (self.math, "bc-dv-math"),
                             (self.next_button, "bc-dv-next"), (self.verify_button, "bc-dv-verify"),
                             (self.report, "bc-dv-report")):
            widget.add_class(name)  # stable handles for styling and for the browser test
        self.step.observe(self._on_step, names="value")
        self.prev_button.on_click(lambda _: self._move(-1))
        self.next_button.on_click(lambda _: self._move(+1))
        self.verify_button.on_click(lambda _: self.verify())
        self.refresh()

    # -- callbacks --------------------------------------------------------------------------------
    def _move(self, delta: int) -> None:
        self.step.value = min(max(self.step.value + delta, self.step.min), self.step.max)

    @guarded
    def _on_step(self, change: dict) -> None:
        if not self._quiet:
            self._show_step()

    @guarded
    def verify(self) -> None:
        """Run the numeric checks (engine, finite differences, error form) and show the report."""
        st = self.state
        start = time.perf_counter()
        rep = _verify(st["kind"], st["layers"], st["layer"], st["j"], st["k"])
        st["verification"], st["verified"] = rep, bool(rep.passed)
        rows = "".join(
            f"<tr><td>{html.escape(c.name)}</td><td style='color:{'#080' if c.passed else '#b00'}'>"
            f"<b>{'pass' if c.passed else 'FAIL'}</b></td><td style='text-align:right'>{c.error:.1e}"
            f"</td><td>{html.escape(c.detail)}</td></tr>" for c in rep.checks)
        verdict = ("all numeric checks passed" if rep.passed else "SOME CHECKS FAILED")
        self.report.value = (
            f"<div class='bc-verify'><b>{verdict}</b> on a random sigmoid network of sizes "
            f"{list(rep.sizes)} ({time.perf_counter() - start:.2f} s): the derived formula, evaluated "
            f"numerically, against the engine and finite differences.<table style='font-size:12px'>"
            f"<tr><th>check</th><th>result</th><th>rel. error</th><th>detail</th></tr>{rows}</table></div>")

    # -- recompute + draw -------------------------------------------------------------------------
    def update(self) -> None:
        L = self.layers.value
        self._quiet = True
        try:
            self.layer.max = L               # clamps the layer into 1..L
            self.layer.disabled = self.j.disabled = self.kind.value == "input"
        finally:
            self._quiet = False
        kind, layer, j, k = self.kind.value, self.layer.value, self.j.value, self.k.value
        if kind == "input":  # only k matters: one cache entry per input
            layer, j = 0, 0
        key = (kind, L, layer, j, k)
        if key != tuple(self.state.get(n) for n in ("kind", "layers", "layer", "j", "k")):
            self.report.value = ""
            self.state.pop("verification", None)
            self.state.pop("verified", None)
        start = time.perf_counter()
        steps = derivation_steps(kind, L, layer, j, k, self.notation.value)
        self.state.update(kind=kind, layers=L, layer=layer, j=j, k=k, notation=self.notation.value,
                          n_steps=len(steps), derive_seconds=time.perf_counter() - start)
        self._steps = steps
        self._quiet = True
        try:
            self.step.max = len(steps)  # ipywidgets clamps the value into the new range
        finally:
            self._quiet = False
        self.clear_message()
        self._show_step()

    def _show_step(self) -> None:
        i = self.step.value
        s = self._steps[i - 1]
        prev = self._steps[i - 2]["latex"] if i > 1 else None
        self.state.update(step=i, latex=s["latex"], marked=s["marked"], rule=s["rule"])
        name = "Gashler" if self.notation.value == "gashler" else "UFLDL"
        before = (f"<div style='color:#888;font-size:85%'>step {i - 1}:</div>"
                  f"<div class='bc-dv-eq' style='{EQUATION_BOX_STYLE};color:#888;font-size:85%'>"
                  f"$$ = {prev}$$</div>") if prev else ""
        self.math.value = (
            f"<div class='bc-derivation'>"
            f"<div>Goal: ${s['target']}$ &nbsp; ({name} notation, {len(self._steps)} steps)</div>{before}"
            f"<div><b>step {i}: {s['rule']}</b> &mdash; {html.escape(s['note'])}</div>"
            f"<div class='bc-dv-eq' style='{EQUATION_BOX_STYLE}'>$$ = {s['marked']}$$</div>"
            f"<div style='color:#888;font-size:85%'>coloured: what this step changed</div></div>")

    def render(self) -> None:
        """Nothing to draw: the view has no figure (its image is hidden)."""

    def static_bundle(self) -> dict[str, str]:
        """The current step as ``text/html`` (the formulas are the picture; readers typeset them)."""
        return {"text/html": self.math.value}


def derivation_explorer(**kwargs: Any) -> DerivationExplorer:
    """Build the derivation explorer (see :class:`DerivationExplorer`)."""
    return DerivationExplorer(**kwargs)
