"""Self-check questions: the pure verdicts, the form, the plain-Python fallback, and every lesson's questions."""
import ast
import json
import re
from pathlib import Path

import pytest

from backprop_course.widgets import selfcheck as S
from backprop_course.widgets.selfcheck import Choice, Feedback, Number, Quiz, parse_number, quiz

ROOT = Path(__file__).resolve().parents[2]
LESSONS = sorted((ROOT / "lessons_src").glob("[0-9][0-9]_*.py"))


def chain_rule_choice():
    # f = (x + y) z at x=-2, y=5, z=-4: df/dx = z = -4, df/dz = x + y = 3 (the 2017 note's example)
    return Choice("What is $\\partial f/\\partial x$?", ["-4", "3", "-12"], "-4",
                  why="df/dx = z = -4: the sum passes the gradient through unchanged.",
                  wrong={"3": "3 = x + y is df/dz.", "-12": "-12 is f itself."})


def slope_number():
    return Number("The sigmoid's slope at 0?", 0.25, why="0.5 * (1 - 0.5) = 0.25.", tol=0.005,
                  wrong={0.5: "0.5 is sigma(0), the output, not its slope."})


# --- the pure core -------------------------------------------------------------------------------------

@pytest.mark.parametrize("response", ["a", "A", "(a)", " a ", "-4", -4, -4.0, "-4.0"])
def test_choice_accepts_letter_text_or_the_number_shown(response):
    fb = chain_rule_choice().judge(response)
    assert fb == Feedback(True, "Right. df/dx = z = -4: the sum passes the gradient through unchanged.")


@pytest.mark.parametrize("response, reason", [("b", "3 = x + y is df/dz."), ("3", "3 = x + y is df/dz."),
                                              ("c", "-12 is f itself."), (-12, "-12 is f itself.")])
def test_a_wrong_choice_gets_its_own_reason_and_not_the_answer(response, reason):
    fb = chain_rule_choice().judge(response)
    assert fb.correct is False and fb.text == f"Not quite: {reason}"
    assert "gradient through" not in fb.text          # the reason for the right answer is not given away


def test_a_wrong_choice_without_a_reason_is_just_wrong():
    q = Choice("Pick", ["yes", "no", "maybe"], "yes", why="Because.", wrong={"no": "No."})
    assert q.judge("maybe") == Feedback(False, "Not quite.")


@pytest.mark.parametrize("response", ["d", "z", "", "7", 7, None, 1.5, ["a"]])
def test_an_unreadable_choice_asks_again(response):
    fb = chain_rule_choice().judge(response)
    assert fb.correct is None and fb.text == "Pick one of the choices (a, b, c)."


@pytest.mark.parametrize("response, correct", [
    (0.25, True), ("0.25", True), ("1/4", True), ("0.2549", True), ("0.2451", True), ("2.5e-1", True),
    (" 0.25 ", True), (0.2551, False), (0.2449, False), (0.0, False), (1, False)])
def test_number_tolerance_is_inclusive_and_stated(response, correct):
    assert slope_number().judge(response).correct is correct


def test_number_exact_when_no_tolerance():
    q = Number("How many steps?", 24, why="Counted.")
    assert q.judge("24").correct and q.judge(24.0).correct and not q.judge(23.999).correct
    assert q.note() == "a number" and slope_number().note() == "a number, accepted within ±0.005"


@pytest.mark.parametrize("tol, shown", [(5e-05, "0.00005"), (0.0001, "0.0001"), (0.001, "0.001"), (0.01, "0.01"),
                                        (0.25, "0.25"), (0.125, "0.125"), (1.5, "1.5"), (2.0, "2"), (1e-9, "0.000000001"),
                                        (20.0, "20")])
def test_the_tolerance_is_shown_in_plain_decimals(tol, shown):
    assert Number("Q", 1.0, why="w", tol=tol).note() == f"a number, accepted within ±{shown}"


def test_number_reasons_for_listed_mistakes_and_for_the_sign():
    q = slope_number()
    assert q.judge("0.5").text == "Not quite: 0.5 is sigma(0), the output, not its slope."
    assert q.judge(-0.25).text == "Not quite: the size is right but the sign is not."
    assert q.judge(3).text == "Not quite."
    assert q.judge("a quarter") == Feedback(None, "Type a number, such as 0.25, -3 or 1/4.")


@pytest.mark.parametrize("text, value", [("1/4", 0.25), ("\u22123", -3.0), ("-2.5e-3", -0.0025), ("1 / 2", 0.5),
                                         ("nan", None), ("inf", None), ("1/0", None), (True, None), ("", None)])
def test_parse_number(text, value):
    assert parse_number(text) == value


def test_reveal_gives_the_answer_and_the_reason():
    assert chain_rule_choice().reveal() == ("Answer: (a) -4. df/dx = z = -4: the sum passes the gradient "
                                            "through unchanged.")
    assert slope_number().reveal() == "Answer: 0.25. 0.5 * (1 - 0.5) = 0.25."


# --- bad question data ---------------------------------------------------------------------------------

@pytest.mark.parametrize("make, kind, message", [
    (lambda: Choice("Q", ["a", "b"], "c", why="w"), ValueError,
     "The 'answer' parameter of Choice must be one of the choices ['a', 'b']. Got 'c' instead"),
    (lambda: Choice("Q", ["a"], "a", why="w"), ValueError, "'choices' parameter of Choice must be a list of 2 to 8"),
    (lambda: Choice("Q", ["a", "a"], "a", why="w"), ValueError, "different str"),
    (lambda: Choice("Q", "ab", "a", why="w"), TypeError, "'choices' parameter of Choice must be a list"),
    (lambda: Choice("Q", ["a", "b"], "a", why=""), ValueError, "'why' parameter of Choice must be a non-empty str"),
    (lambda: Choice("Q", ["a", "b"], "a", why="w", wrong={"a": "x"}), ValueError, "keyed by wrong choices only"),
    (lambda: Choice("Q", ["a", "b"], "a", why="w", wrong={"c": "x"}), ValueError, "keyed by wrong choices only"),
    (lambda: Choice("Q", ["$x$", "b"], "b", why="w"), ValueError,
     "The 'choices' parameter of Choice must be plain text without $...$. Got '$x$' instead"),
    (lambda: Choice(3, ["a", "b"], "a", why="w"), TypeError, "'prompt' parameter of Choice must be a non-empty str"),
    (lambda: Number("Q", "0.25", why="w"), TypeError, "'answer' parameter of Number must be a finite float"),
    (lambda: Number("Q", float("nan"), why="w"), ValueError, "'answer' parameter of Number"),
    (lambda: Number("Q", 1.0, why="w", tol=-1), ValueError, "'tol' parameter of Number must be a float >= 0"),
    (lambda: Number("Q", 1.0, why="w", tol=0.1, wrong={1.05: "x"}), ValueError, "farther than tol=0.1"),
    (lambda: Quiz(), ValueError, "'questions' parameter of selfcheck must be 1 to 8"),
    (lambda: Quiz("What?"), TypeError, "'questions' parameter of selfcheck must be Choice or Number objects"),
])
def test_bad_question_data_gets_a_clear_error(make, kind, message):
    with pytest.raises(kind, match=re.escape(message)):
        make()


def test_quiz_rejects_a_widget_flag_that_is_not_a_bool():
    with pytest.raises(TypeError, match=re.escape("The 'widget' parameter of selfcheck must be a bool. Got 'no'")):
        quiz(slope_number(), widget="no")


def test_quiz_rejects_a_question_number_out_of_range():
    q = Quiz(chain_rule_choice(), slope_number())
    with pytest.raises(ValueError, match=re.escape("The 'number' parameter of Quiz.answer must be an int in [1, 2]")):
        q.judge(3, "a")


# --- plain Python: no widgets needed -------------------------------------------------------------------

def test_plain_quiz_answers_and_reveals_by_printing(capsys):
    q = quiz(chain_rule_choice(), slope_number(), widget=False)
    assert type(q) is Quiz
    q.answer(1, "b")
    q.answer(2, "1/4")
    q.reveal(1)
    assert capsys.readouterr().out.splitlines() == [
        "1. Not quite: 3 = x + y is df/dz. (Try again, or .reveal(1) shows the answer.)",
        "2. Right. 0.5 * (1 - 0.5) = 0.25.",
        "1. Answer: (a) -4. df/dx = z = -4: the sum passes the gradient through unchanged."]


def test_the_plain_quiz_needs_no_ipywidgets():
    import subprocess
    import sys
    code = ("import sys; sys.modules['ipywidgets'] = None\n"
            "import backprop_course as bc\n"
            "q = bc.selfcheck(bc.widgets.Number('Two?', 2, why='Yes.'), bc.widgets.Number('One?', 1, why='Yes.'))\n"
            "print(type(q).__name__); q.answer(1, 2)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.splitlines() == ["Quiz", "1. Right. Yes."]


# --- the static rendering never gives an answer away ---------------------------------------------------

def test_static_rendering_shows_questions_and_choices_but_no_answer_or_reason():
    q = quiz(chain_rule_choice(), slope_number())
    bundle = q._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    for mime in ("text/markdown", "text/plain"):
        text = bundle[mime]
        assert "What is $\\partial f/\\partial x$?" in text and "- (a) -4" in text and "- (c) -12" in text
        assert "The sigmoid's slope at 0? *(a number, accepted within ±0.005)*" in text
        for secret in ("Right", "gradient through", "is df/dz", "f itself", "0.25", "sigma(0)", "Answer:"):
            assert secret not in text, secret
    assert Quiz(chain_rule_choice())._repr_markdown_() == Quiz(chain_rule_choice()).markdown()


# --- the form --------------------------------------------------------------------------------------------

def test_view_check_button_judges_the_chosen_radio_button():
    view = quiz(chain_rule_choice(), slope_number())
    choice_row, number_row = view.rows
    choice_row.check_button.click()                               # nothing chosen yet
    assert view.state["feedback"][1] == Feedback(None, "Pick one of the choices first.")
    choice_row.control.value = 1                                  # (b) 3
    choice_row.check_button.click()
    assert view.state["responses"][1] == "b"
    assert view.state["feedback"][1].text == "Not quite: 3 = x + y is df/dz."
    assert "3 = x + y is df/dz." in choice_row.feedback.value and "Show answer" in choice_row.feedback.value
    choice_row.control.value = 0
    choice_row.check_button.click()
    assert view.state["feedback"][1].correct is True
    assert "the sum passes the gradient" in choice_row.feedback.value


def test_view_number_box_and_show_answer():
    view = quiz(chain_rule_choice(), slope_number())
    row = view.rows[1]
    row.control.value = "0.5"
    row.check_button.click()
    assert view.state["feedback"][2].text == "Not quite: 0.5 is sigma(0), the output, not its slope."
    row.control.value = "0.251"
    assert view.check(2).correct is True
    row.show_button.click()
    assert view.state["revealed"] == {2} and "Answer: 0.25." in row.feedback.value
    assert "accepted within ±0.005" in view.children[2].children[0].value


def test_view_answers_in_plain_python_too(capsys):
    view = quiz(chain_rule_choice(), slope_number())
    view.answer(1, "a")
    view.reveal(2)
    assert capsys.readouterr().out.splitlines()[0].startswith("1. Right.")
    assert view.markdown() == view.quiz.markdown() and view.questions == view.quiz.questions


def test_lazy_names():
    import backprop_course as bc
    assert bc.selfcheck is quiz and bc.widgets.Choice is Choice and bc.widgets.QuizView is S.QuizView
    assert bc.widgets.QuizView.__name__ == "QuizView"


# --- every lesson asks two to four questions, answering its 'Try this' boxes -----------------------------

def selfcheck_calls(source):
    tree = ast.parse(source.read_text())
    return [node for node in ast.walk(tree) if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute) and node.func.attr == "selfcheck"
            and isinstance(node.func.value, ast.Name) and node.func.value.id == "bc"]


def question_calls(call):
    """The arguments that build a question: ``Choice(...)``/``Number(...)``, or ``bc.widgets.Choice(...)``."""
    def name(func):
        return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    return [a for a in call.args if isinstance(a, ast.Call) and name(a.func) in ("Choice", "Number")]


def prompt_text(question):
    node = question.args[0] if question.args else next(k.value for k in question.keywords if k.arg == "prompt")
    return "".join(part.value for part in ast.walk(node) if isinstance(part, ast.Constant) and isinstance(part.value, str))


@pytest.mark.parametrize("source", LESSONS, ids=[p.stem for p in LESSONS])
def test_every_lesson_has_two_to_four_self_check_questions(source):
    calls = selfcheck_calls(source)
    assert len(calls) == 1, f"{source.name}: one bc.selfcheck(...) call, in a 'Check yourself' section"
    questions = question_calls(calls[0])
    assert len(questions) == len(calls[0].args) and 2 <= len(questions) <= 4, source.name
    for q in questions:
        keywords = {k.arg for k in q.keywords}
        assert "why" in keywords, f"{source.name}: every question says why its answer is right"
    text = source.read_text()
    check_at, recap_at = text.find("# ## Check yourself"), text.rfind("# ## Recap")
    assert 0 < check_at < recap_at, f"{source.name}: a '## Check yourself' section before the recap"
    if "Try this" in text:
        assert any("Try this" in prompt_text(q) for q in questions), \
            f"{source.name}: a question answers the lesson's 'Try this' box"


@pytest.mark.parametrize("source", LESSONS, ids=[p.stem for p in LESSONS])
def test_the_question_cell_hides_its_source_and_ignores_its_widget_output(source):
    cells = re.split(r"^# %%", source.read_text(), flags=re.M)
    cell = next(c for c in cells if "bc.selfcheck(" in c)
    header = cell.splitlines()[0]
    assert json.loads(re.search(r'jupyter=(\{.*?\})', header).group(1)) == {"source_hidden": True}
    assert "# NBVAL_IGNORE_OUTPUT" in cell
    # JupyterLab shows a hidden cell's first line: it says what the cell is, not a test marker
    assert cell.splitlines()[1].startswith("# Self-check questions.")


def test_the_lesson_check_can_fail(tmp_path):
    bad = tmp_path / "99_bad.py"
    bad.write_text("# %%\nquiz = bc.selfcheck(bc.widgets.Number('Q', 1, why='w'))\n# ## Check yourself\n# ## Recap\n")
    with pytest.raises(AssertionError):
        test_every_lesson_has_two_to_four_self_check_questions(bad)


def test_doctests():
    import doctest
    result = doctest.testmod(S)
    assert result.attempted >= 6 and result.failed == 0


def test_the_form_shares_its_layout_and_styles():
    # a stored notebook keeps one model per widget, layout and style: shared ones keep it small
    view = quiz(chain_rule_choice(), slope_number())
    a, b = view.rows
    assert a.layout is b.layout is a.check_button.layout is b.feedback.layout
    assert a.check_button.style is b.show_button.style


def secret_fragments(question):
    """The literal text of a question's reasons (`why` and the values of `wrong`), in pieces of 25+ characters."""
    def strings(node):
        return [n.value.strip() for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    reasons = []
    for k in question.keywords:
        if k.arg == "why":
            reasons += strings(k.value)
        elif k.arg == "wrong" and isinstance(k.value, ast.Dict):
            reasons += [s for v in k.value.values for s in strings(v)]
    return [r for r in reasons if len(r) >= 25]


@pytest.mark.parametrize("source", LESSONS, ids=[p.stem for p in LESSONS])
def test_the_stored_lesson_shows_its_questions_without_answers(source):
    import nbformat
    notebook = ROOT / "notebooks" / f"{source.stem}.ipynb"
    cell = next(c for c in nbformat.read(notebook, as_version=4).cells
                if c.cell_type == "code" and "bc.selfcheck(" in c.source)
    assert cell.metadata.get("jupyter", {}).get("source_hidden") is True
    shown = [o.data["text/markdown"] for o in cell.outputs if "text/markdown" in o.get("data", {})]
    assert len(shown) == 1 and shown[0].startswith("**Check yourself**")
    questions = question_calls(selfcheck_calls(source)[0])
    assert re.findall(r"^\*\*(\d+)\.\*\*", shown[0], flags=re.M) == [str(i) for i in range(1, len(questions) + 1)]
    secrets = [s for q in questions for s in secret_fragments(q)]
    assert secrets, "the reasons were found in the source"
    for secret in secrets + ["Right.", "Answer:", "Not quite"]:
        assert secret not in shown[0], secret


def test_a_choice_written_with_brackets_can_be_typed_as_written():
    q = Choice("Shape of dW?", ["(30, 784)", "(784, 30)", "(b)"], "(30, 784)", why="rows: the outputs")
    assert q.judge("(30, 784)").correct is True
    assert q.judge(" (784, 30) ").correct is False
    assert q.judge("(b)").correct is False          # a choice's own text wins over the letter b
    assert q.judge("a").correct is True and q.judge("(a)").correct is True
