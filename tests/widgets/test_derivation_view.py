"""View 7 (derivation explorer) and the LaTeX step diff, checked against the symbolic package."""
import re

import pytest

from backprop_course.symbolic.derivations import derive_input_gradient, derive_weight_gradient
from backprop_course.symbolic.render import to_latex
from backprop_course.widgets.derivation_view import (DerivationExplorer, derivation_steps,
                                                     highlight_changes, split_atoms)

OPEN, CLOSE = "[[", "]]"


def marked_parts(text):
    return re.findall(r"\[\[(.*?)\]\]", text)


def balanced(text):
    depth = 0
    for i, ch in enumerate(text):
        if ch == "{" and (i == 0 or text[i - 1] != "\\"):
            depth += 1
        elif ch == "}" and (i == 0 or text[i - 1] != "\\"):
            depth -= 1
        if depth < 0:
            return False
    return depth == 0


# -- the pure diff ----------------------------------------------------------------------------------
@pytest.mark.parametrize("old, new, parts", [
    ("a + b", "a + c", ["c"]),
    ("a + b", "a + b", []),
    (r"\frac{x_{1}}{y}", r"\frac{x_{2}}{y}", ["2"]),                 # only inside the fraction
    (r"\left(t - y\right) z", r"\left(t - y\right) w", ["w"]),
    (r"- \sum_{i} e_{3i} y", r"- \sum_{j} e_{2j} y", ["j", "2j"]),
    (r"a &= b \\ c &= d", r"a &= x \\ c &= d + 1", ["x", "+ 1"]),   # separators stay outside
    (r"f'_{3}\left(x\right)", r"f'_{2}\left(x\right)", ["2"]),
])
def test_highlight_marks_exactly_the_changed_parts(old, new, parts):
    out = highlight_changes(old, new, open_mark=OPEN, close_mark=CLOSE)
    assert marked_parts(out) == parts
    assert out.replace(OPEN, "").replace(CLOSE, "") == new


def test_left_right_pairs_are_never_split():
    old = r"\left(t_{i} - y_{5i}\right)"
    new = r"\left(t_{i} - y_{5i}\right) f'_{5}\left(x_{5i}\right)"
    out = highlight_changes(old, new, open_mark=OPEN, close_mark=CLOSE)
    assert marked_parts(out) == [r"f'_{5}\left(x_{5i}\right)"]


@pytest.mark.parametrize("text", [r"\frac{a}{b} x_{1}^{2}", r"\sum\limits_{i} w_{ij}'", "}{ stray",
                                  r"\begin{aligned} a &= b \\ c \end{aligned}", r"\left. x \right|_{0}", ""])
def test_split_atoms_keeps_every_character(text):
    from backprop_course.widgets.derivation_view import _text

    assert "".join(_text(a) for _, a in split_atoms(text)) == text


@pytest.mark.parametrize("make", [
    lambda: derive_weight_gradient(layers=5, layer=1, j=7, k=3),
    lambda: derive_weight_gradient(layers=3, layer=2, j=1, k=2),
    lambda: derive_input_gradient(layers=4, k=2),
])
@pytest.mark.parametrize("notation", ["gashler", "ufldl"])
def test_highlight_on_every_real_step_is_lossless_and_balanced(make, notation):
    d = make()
    tex = [to_latex(s.expr, notation) for s in d.steps]
    for a, b in zip(tex, tex[1:]):
        plain = highlight_changes(a, b, open_mark="", close_mark="")
        assert plain == b
        coloured = highlight_changes(a, b)
        assert balanced(coloured)
        if a != b:
            assert r"\color{" in coloured


def test_seed_002_highlights_the_chain_rule_factor():
    steps = derivation_steps("weight", 5, 1, 7, 3, "gashler")
    step5 = steps[4]
    assert step5["rule"] == "apply the chain rule"
    # step 5 turns d f_5(x_5i) into f'_5(x_5i) d x_5i: that and only that is coloured
    coloured = re.findall(r"\\color\{#d62728\}\{(.*)\}\}", step5["marked"])
    assert len(coloured) == 1 and "f'_{5}" in coloured[0] and r"\partial x_{5i}" in coloured[0]
    assert step5["marked"].startswith(r"- \sum_{i} \left(t_{i} - y_{5i}\right)")


def test_derivation_steps_follow_the_symbolic_package():
    d = derive_weight_gradient(layers=5, layer=1, j=7, k=3)
    for notation in ("gashler", "ufldl"):
        steps = derivation_steps("weight", 5, 1, 7, 3, notation)
        assert [s["number"] for s in steps] == [s.number for s in d.steps]
        assert [s["latex"] for s in steps] == [to_latex(s.expr, notation) for s in d.steps]
        assert steps[0]["marked"] == steps[0]["latex"]
    assert derivation_steps("weight", 5, 1, 7, 3, "gashler")[-1]["latex"] == "- e_{17} y_{03}"


# -- the view ---------------------------------------------------------------------------------------
def test_view_shows_seed_002_from_the_first_to_the_last_step():
    v = DerivationExplorer()
    assert v.state["n_steps"] == 24 and v.state["step"] == 1
    assert v.state["latex"] == to_latex(derive_weight_gradient(5, 1, 7, 3).steps[0].expr)
    assert r"\frac{\partial E}{\partial w_{173}}" in v.math.value
    assert v.image.layout.display == "none" and "error" not in v.state
    for _ in range(30):
        v.next_button.click()
    assert v.state["step"] == 24 and v.state["latex"] == "- e_{17} y_{03}"
    assert "e_{17}" in v.state["rule"]          # the caching step names the error term it defines
    v.prev_button.click()
    assert v.state["step"] == 23


def test_previous_step_is_shown_above_the_current_one():
    v = DerivationExplorer()
    v.step.value = 3
    prev = to_latex(derive_weight_gradient(5, 1, 7, 3).steps[1].expr)
    assert prev in v.math.value and v.state["marked"] in v.math.value


def test_notation_switch_keeps_the_step():
    v = DerivationExplorer()
    v.step.value = 24
    v.notation.value = "ufldl"
    assert v.state["step"] == 24
    assert v.state["latex"] == to_latex(derive_weight_gradient(5, 1, 7, 3).steps[-1].expr, "ufldl")
    assert r"\delta" in v.state["latex"] and r"\partial J" in v.math.value


def test_input_gradient_and_depth_changes():
    v = DerivationExplorer(layers=3, layer=3, j=2, k=1)
    v.kind.value = "input"
    d = derive_input_gradient(layers=3, k=1)
    assert v.state["n_steps"] == len(d.steps) and v.layer.disabled and v.j.disabled
    v.step.value = v.step.max
    assert v.state["latex"] == to_latex(d.steps[-1].expr)
    v.kind.value = "weight"
    v.layers.value = 2          # layer 3 no longer exists: clamped to 2
    assert v.layer.value == 2 and v.state["layer"] == 2
    assert v.state["latex"] == to_latex(derive_weight_gradient(2, 2, 2, 1).steps[v.state["step"] - 1].expr)
    assert "error" not in v.state


def test_verify_button_reports_the_numeric_checks():
    v = DerivationExplorer(layers=3, layer=2, j=1, k=2)
    v.verify_button.click()
    rep = v.state["verification"]
    assert v.state["verified"] is True and rep.passed
    names = [c.name for c in rep.checks]
    assert any("engine" in n for n in names) and any("finite differences" in n for n in names)
    assert "all numeric checks passed" in v.report.value and "FAIL" not in v.report.value
    v.k.value = 1               # another target: the old report disappears
    assert v.report.value == "" and "verification" not in v.state


def test_out_of_range_node_index_is_clamped():
    v = DerivationExplorer()
    v.j.value = 50
    assert v.j.value == 9 and v.state["j"] == 9 and "error" not in v.state


# -- deep derivations are never clipped (issue 24) -------------------------------------------------
class _EquationBoxes(__import__("html.parser").parser.HTMLParser):
    """Collects the text of the view's HTML by whether it sits inside a scrolling equation box."""

    def __init__(self):
        super().__init__()
        self.stack, self.inside, self.outside = [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        style = (attrs.get("style") or "").replace(" ", "")
        self.stack.append("bc-dv-eq" in (attrs.get("class") or "").split()
                          and "overflow-x:auto" in style and "max-width:100%" in style)

    def handle_endtag(self, tag):
        self.stack.pop()

    def handle_data(self, data):
        (self.inside if any(self.stack) else self.outside).append(data)


def test_every_displayed_equation_scrolls_in_its_own_box_at_ten_layers():
    # Lesson 07 at 8 layers drew 915-996 px equations in an 844 px box with the highlighted term cut
    # off. Each $$...$$ must sit in a box as wide as the view that scrolls sideways (overflow-x: auto),
    # inside a math widget no wider than the view; checked at every step of a 10-layer derivation.
    class Deep(DerivationExplorer):
        max_layers = 10

    v = Deep(layers=10, layer=1, j=2, k=1)
    assert v.layers.value == 10 and v.state["n_steps"] > 20
    # A block, not the default flex row (which grew to the widest equation, 1140 px, and was clipped
    # at the view's edge: measured in Chromium), as wide as the view and no wider.
    assert v.math.layout.display == "block"
    assert v.math.layout.width is None and v.math.layout.max_width == "100%"
    widest = 0
    for step in range(1, v.state["n_steps"] + 1):
        v.step.value = step
        boxes = _EquationBoxes()
        boxes.feed(v.math.value)
        assert not boxes.stack
        outside, inside = "".join(boxes.outside), "".join(boxes.inside)
        assert "$$" not in outside
        assert inside.count("$$") == (4 if step > 1 else 2)
        assert v.state["marked"] in inside  # the highlighted "what changed" term is in a scrolling box
        widest = max(widest, len(v.state["latex"]))
    # The test covers wider equations than the (8 layers, steps 15-20: up to 996 px on screen).
    assert widest > max(len(s["latex"]) for s in derivation_steps("weight", 8, 1, 2, 1, "gashler")[14:20])
    assert "error" not in v.state
