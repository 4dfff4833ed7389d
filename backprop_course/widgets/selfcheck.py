"""Self-check questions: two to four short questions at the end of a lesson, answered in the notebook.

A question is data: :class:`Choice` (pick one of a few answers) or :class:`Number` (type a number,
accepted within a stated tolerance). Each knows its correct answer, the reason it is correct
(``why``) and, where one is written, the reason a particular wrong answer is wrong (``wrong``).
:meth:`Choice.judge` and :meth:`Number.judge` are the pure, tested core: a response in, a
:class:`Feedback` (right or not, and a sentence saying why) out.

:func:`quiz` (``bc.selfcheck``) puts the questions of one lesson together. In a live notebook it is
a small form (radio buttons or a text box, a *Check* and a *Show answer* button per question); the
same object also answers in plain Python, without any widget front end::

    quiz.answer(1, "b")       # prints whether answer (b) to question 1 is right, and why
    quiz.answer(2, 0.25)      # a number question
    quiz.reveal(2)            # prints the answer and the reason

**Privacy.** Answers stay in the running kernel: nothing is sent anywhere, written to disk or
logged. Close the notebook and they are gone.

Outside a live kernel (GitHub, nbviewer, an untrusted or reopened notebook) the cell still shows the
questions and their choices, from a Markdown rendering that carries neither the answers nor the
reasons (:meth:`Quiz.markdown`).

>>> q = Number("What is the sigmoid's slope at 0?", answer=0.25, tol=0.001,
...            why="sigma'(0) = sigma(0)(1 - sigma(0)) = 0.5 * 0.5.")
>>> q.judge("1/4").correct
True
>>> print(q.judge(-0.25).text)
Not quite: the size is right but the sign is not.
"""
from __future__ import annotations

import html
import math
import numbers
import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, Mapping, Sequence

from backprop_course.engine import checks

__all__ = ["Feedback", "Choice", "Number", "Quiz", "QuizView", "quiz", "parse_number"]

LETTERS = "abcdefgh"


@dataclass(frozen=True)
class Feedback:
    """The verdict on one response.

    ``correct`` is True or False, or None when the response could not be read (not a number, not
    one of the choices); ``text`` says so and gives the reason.
    """

    correct: bool | None
    text: str

    def __str__(self) -> str:
        return self.text


def _text(value: Any, name: str, owner: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise checks.error(owner, name, "a non-empty str", checks.describe(value),
                           TypeError if not isinstance(value, str) else ValueError)
    return value.strip()


def parse_number(response: Any) -> float | None:
    """A typed response as a float: ``0.25``, ``"-0.25"``, ``"1/4"``, ``"2.5e-3"``, ``"−3"``; else None.

    >>> parse_number(" 1/4 "), parse_number("−3"), parse_number("abc"), parse_number(True)
    (0.25, -3.0, None, None)
    """
    if isinstance(response, bool):
        return None
    if isinstance(response, numbers.Real):
        number = float(response)
    elif isinstance(response, str):
        cleaned = response.strip().replace("\u2212", "-").replace(" ", "")
        try:
            number = float(Fraction(cleaned)) if "/" in cleaned else float(cleaned)
        except (ValueError, ZeroDivisionError):
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def _plain(number: float) -> str:
    """A positive number in plain decimals, never in e-notation: 5e-05 -> '0.00005', 0.01 -> '0.01'."""
    text = format(Decimal(repr(float(number))), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _inline_html(text: str) -> str:
    """Prompt text as HTML: escaped, with `code` and **bold**; $...$ is left to MathJax (HTMLMath)."""
    out = html.escape(text, quote=False)
    out = re.sub(r"`([^`]+)`", r"<code>\1</code>", out)
    return re.sub(r"\*\*([^*]+)\*\*", r"<b>\1</b>", out)


class Choice:
    """A multiple-choice question with one correct answer.

    Parameters
    ----------
    prompt : str
        The question (Markdown; ``$...$`` for mathematics).
    choices : sequence of str, 2 to 8 of them
        The possible answers, shown as (a), (b), ... in this order. Plain text: they become radio-button
        labels, which cannot show LaTeX, so write symbols in Unicode (ε, δ, σ′, w₁).
    answer : str
        The correct one; must be one of ``choices`` (so an answer computed in the lesson that is not
        among the choices fails loudly when the lesson is built).
    why : str
        Why the answer is right; shown after a right answer and by :meth:`reveal`.
    wrong : mapping str -> str, optional
        For some wrong choices, why that choice is wrong; shown when it is picked.
    """

    kind = "choice"

    def __init__(self, prompt: str, choices: Sequence[str], answer: str, why: str,
                 wrong: Mapping[str, str] | None = None) -> None:
        owner = "Choice"
        self.prompt = _text(prompt, "prompt", owner)
        if isinstance(choices, str) or not isinstance(choices, Sequence):
            raise checks.error(owner, "choices", "a list of 2 to 8 str", checks.describe(choices), TypeError)
        self.choices = tuple(_text(c, "choices", owner) for c in choices)
        if not 2 <= len(self.choices) <= len(LETTERS) or len(set(self.choices)) != len(self.choices):
            raise checks.error(owner, "choices", f"a list of 2 to {len(LETTERS)} different str",
                               repr(list(self.choices)))
        for c in self.choices:   # a radio button's label is plain text: LaTeX would show as typed
            if "$" in c:
                raise checks.error(owner, "choices", "plain text without $...$", repr(c),
                                   hint=" (radio-button labels cannot show LaTeX; write ε, δ, ∂, w₁ in Unicode)")
        if answer not in self.choices:
            raise checks.error(owner, "answer", f"one of the choices {list(self.choices)!r}", repr(answer),
                               hint=" (compute it in the lesson and list it among the choices)")
        self.answer = answer
        self.why = _text(why, "why", owner)
        wrong = dict(wrong or {})
        for key, reason in wrong.items():
            if key not in self.choices or key == answer:
                raise checks.error(owner, "wrong", "keyed by wrong choices only", repr(key),
                                   hint=f" (the wrong choices are {[c for c in self.choices if c != answer]!r})")
            _text(reason, f"wrong[{key!r}]", owner)
        self.wrong = {k: v.strip() for k, v in wrong.items()}

    def _index(self, response: Any) -> int | None:
        """The position of the chosen answer: from its letter, its text, or the number it shows."""
        if isinstance(response, str):
            text = response.strip()
            if text in self.choices:  # the choice's own text first: "(30, 784)" keeps its brackets
                return self.choices.index(text)
            letter = text.strip("()").strip()
            if len(letter) == 1 and letter.lower() in LETTERS[:len(self.choices)]:
                return LETTERS.index(letter.lower())
        number = parse_number(response)
        if number is not None:  # a number typed for a numeric choice: 3 or "3.0" picks "3"
            for i, c in enumerate(self.choices):
                value = parse_number(c)
                if value is not None and math.isclose(value, number, rel_tol=1e-12, abs_tol=1e-12):
                    return i
        return None

    def judge(self, response: Any) -> Feedback:
        """Right or wrong, and why. ``response``: a letter (``"b"``) or the choice's text (or number)."""
        i = self._index(response)
        if i is None:
            letters = ", ".join(LETTERS[:len(self.choices)])
            return Feedback(None, f"Pick one of the choices ({letters}).")
        picked = self.choices[i]
        if picked == self.answer:
            return Feedback(True, f"Right. {self.why}")
        reason = self.wrong.get(picked)
        return Feedback(False, f"Not quite: {reason}" if reason else "Not quite.")

    def reveal(self) -> str:
        """The answer and the reason."""
        letter = LETTERS[self.choices.index(self.answer)]
        return f"Answer: ({letter}) {self.answer}. {self.why}"

    def markdown(self, number: int) -> str:
        """The question and its choices as Markdown, without the answer or any reason."""
        lines = [f"**{number}.** {self.prompt}", ""]
        lines += [f"- ({LETTERS[i]}) {c}" for i, c in enumerate(self.choices)]
        return "\n".join(lines)


class Number:
    """A question whose answer is a number, accepted within ``tol``.

    Parameters
    ----------
    prompt : str
        The question (Markdown; ``$...$`` for mathematics). The tolerance is added to it when shown.
    answer : float
        The correct value, computed in the lesson from its own numbers.
    why : str
        Why (how it is computed); shown after a right answer and by :meth:`reveal`.
    tol : float >= 0
        A response within ``tol`` of ``answer`` is right; 0 asks for the exact value (a count).
    wrong : mapping float -> str, optional
        Likely wrong values (a forgotten factor, a dropped term) and why they are wrong; a response
        within ``tol`` of one of them gets its reason. A response of the right size with the wrong
        sign is told so without being listed.
    """

    kind = "number"

    def __init__(self, prompt: str, answer: float, why: str, tol: float = 0.0,
                 wrong: Mapping[float, str] | None = None) -> None:
        owner = "Number"
        self.prompt = _text(prompt, "prompt", owner)
        self.answer = checks.real(answer, "answer", owner, "a finite float")
        self.why = _text(why, "why", owner)
        self.tol = checks.real(tol, "tol", owner, "a float >= 0", lambda v: v >= 0)
        self.wrong: dict[float, str] = {}
        for key, reason in dict(wrong or {}).items():
            value = checks.real(key, "wrong", owner, "keyed by finite floats")
            if abs(value - self.answer) <= self.tol:
                raise checks.error(owner, "wrong", f"keyed by values farther than tol={self.tol:g} from the answer",
                                   repr(value))
            self.wrong[value] = _text(reason, f"wrong[{key!r}]", owner)

    def judge(self, response: Any) -> Feedback:
        """Right or wrong, and why. ``response``: a number or the text typed (``"0.25"``, ``"1/4"``)."""
        value = parse_number(response)
        if value is None:
            return Feedback(None, "Type a number, such as 0.25, -3 or 1/4.")
        if abs(value - self.answer) <= self.tol + 1e-12 * max(1.0, abs(self.answer)):
            return Feedback(True, f"Right. {self.why}")
        for wrong_value, reason in self.wrong.items():
            if abs(value - wrong_value) <= self.tol + 1e-12 * max(1.0, abs(wrong_value)):
                return Feedback(False, f"Not quite: {reason}")
        if self.answer != 0 and abs(value + self.answer) <= self.tol + 1e-12 * abs(self.answer):
            return Feedback(False, "Not quite: the size is right but the sign is not.")
        return Feedback(False, "Not quite.")

    def reveal(self) -> str:
        """The answer and the reason."""
        return f"Answer: {self.answer:g}. {self.why}"

    def note(self) -> str:
        """What counts as right, shown with the prompt: ``a number, accepted within ±0.0001``."""
        return f"a number, accepted within ±{_plain(self.tol)}" if self.tol > 0 else "a number"

    def markdown(self, number: int) -> str:
        """The question as Markdown, without the answer or any reason."""
        return f"**{number}.** {self.prompt} *({self.note()})*"


class Quiz:
    """The self-check questions of one lesson; answer them in plain Python (no widgets needed).

    Answers stay in the running kernel: nothing is sent anywhere or written to disk.

    Parameters
    ----------
    questions : Choice or Number, 1 to 8 of them
    title : str
        The heading of the static rendering.
    """

    def __init__(self, *questions: Choice | Number, title: str = "Check yourself") -> None:
        if not 1 <= len(questions) <= 8:
            raise checks.error("selfcheck", "questions", "1 to 8 Choice or Number questions",
                               f"{len(questions)} of them")
        for q in questions:
            if not isinstance(q, (Choice, Number)):
                raise checks.error("selfcheck", "questions", "Choice or Number objects", checks.describe(q),
                                   TypeError, hint=" (build each with bc.widgets.Choice(...) or bc.widgets.Number(...))")
        self.questions = tuple(questions)
        self.title = _text(title, "title", "selfcheck")

    def question(self, number: int) -> Choice | Number:
        """Question ``number``, counted from 1 as the questions are shown."""
        n = checks.integer(number, "number", "Quiz.answer", low=1, high=len(self.questions))
        return self.questions[n - 1]

    def judge(self, number: int, response: Any) -> Feedback:
        """The verdict on ``response`` to question ``number`` (counted from 1)."""
        return self.question(number).judge(response)

    def answer(self, number: int, response: Any) -> None:
        """Print the verdict on ``response`` to question ``number`` (counted from 1), and why."""
        feedback = self.judge(number, response)
        tail = "" if feedback.correct else f" (Try again, or .reveal({number}) shows the answer.)"
        print(f"{number}. {feedback.text}{tail}")

    def reveal(self, number: int) -> None:
        """Print the answer to question ``number`` and the reason."""
        print(f"{number}. {self.question(number).reveal()}")

    def markdown(self) -> str:
        """The questions (and choices) as Markdown, without any answer or reason."""
        parts = [f"**{self.title}**"]
        parts += [q.markdown(i) for i, q in enumerate(self.questions, 1)]
        parts.append('*Answer in a running notebook: with the buttons, or with `quiz.answer(1, "b")`; '
                     "answers stay on your machine.*")
        return "\n\n".join(parts)

    def __repr__(self) -> str:
        return self.markdown()

    def _repr_markdown_(self) -> str:
        return self.markdown()


def _view_class() -> type:
    """QuizView, built on first use so that this module (and the plain-Python quiz) needs no ipywidgets."""
    global _QuizView
    if _QuizView is not None:
        return _QuizView
    import ipywidgets as W

    class QuizView(W.VBox):
        """A quiz as a form: per question a prompt, a control, *Check*, *Show answer* and the feedback.

        ``state["responses"][n]`` and ``state["feedback"][n]`` hold the last response checked for
        question ``n`` (from 1; a choice as its letter) and its :class:`Feedback`;
        ``state["revealed"]`` the questions whose answer was shown. Nothing leaves the kernel. The display
        bundle also carries the questions as Markdown (no answers) for places without a live kernel.
        """

        def __init__(self, quiz_: Quiz) -> None:
            self.quiz = quiz_
            self.questions = quiz_.questions
            self.state: dict[str, Any] = {"responses": {}, "feedback": {}, "revealed": set()}
            self.rows: list[Any] = []
            # One Layout and one style per kind, shared: a notebook stores every widget model it
            # saved, and shared models keep the stored quiz small (about a third of the models).
            plain, auto, box = W.Layout(), W.Layout(width="auto"), W.Layout(width="12em")
            try:                          # (not exported by ipywidgets; without them, one each)
                from ipywidgets.widgets.widget_string import HTMLMathStyle, HTMLStyle
                text = {"style": HTMLStyle()}
                math = {"style": HTMLMathStyle()}
            except ImportError:
                text, math = {}, {}
            button_style = W.ButtonStyle()
            children = [W.HTML(f"<b>{html.escape(quiz_.title)}</b>", layout=plain, **text)]
            for n, q in enumerate(quiz_.questions, 1):
                prompt = f"<b>{n}.</b> {_inline_html(q.prompt)}"
                if isinstance(q, Choice):
                    control = W.RadioButtons(options=[(f"({LETTERS[i]}) {c}", i) for i, c in enumerate(q.choices)],
                                             value=None, layout=auto)
                else:
                    prompt += f" <i>({html.escape(q.note())})</i>"
                    control = W.Text(placeholder="a number", layout=box)
                check = W.Button(description="Check", button_style="primary", layout=plain, style=button_style)
                show = W.Button(description="Show answer", layout=plain, style=button_style)
                out = W.HTMLMath("", layout=plain, **math)
                check.on_click(lambda _b, n=n: self.check(n))
                show.on_click(lambda _b, n=n: self.show(n))
                row = W.VBox([W.HTMLMath(prompt, layout=plain, **math), control,
                              W.HBox([check, show], layout=plain), out], layout=plain)
                row.control, row.check_button, row.show_button, row.feedback = control, check, show, out
                self.rows.append(row)
                children.append(row)
            super().__init__(children=children)

        def check(self, number: int) -> Feedback:
            """Judge the control's current value for question ``number`` and show the feedback."""
            row = self.rows[number - 1]
            response = row.control.value
            if isinstance(row.control, W.RadioButtons) and response is not None:
                response = LETTERS[response]
            feedback = (Feedback(None, "Pick one of the choices first.") if response is None or response == ""
                        else self.quiz.judge(number, response))
            self.state["responses"][number] = response
            self.state["feedback"][number] = feedback
            colour = {True: "#1a7f37", False: "#b35900", None: "#555555"}[feedback.correct]
            tail = "" if feedback.correct else " Try again, or press <i>Show answer</i>."
            row.feedback.value = (f'<span style="color:{colour}">{_inline_html(feedback.text)}</span>'
                                  f"{tail if feedback.correct is False else ''}")
            return feedback

        def show(self, number: int) -> str:
            """Show the answer to question ``number`` and the reason."""
            text = self.quiz.question(number).reveal()
            self.state["revealed"].add(number)
            self.rows[number - 1].feedback.value = _inline_html(text)
            return text

        def answer(self, number: int, response: Any) -> None:
            """Print the verdict on ``response`` to question ``number``, as :meth:`Quiz.answer` does."""
            self.quiz.answer(number, response)

        def reveal(self, number: int) -> None:
            """Print the answer to question ``number`` and the reason, as :meth:`Quiz.reveal` does."""
            self.quiz.reveal(number)

        def markdown(self) -> str:
            return self.quiz.markdown()

        def _repr_mimebundle_(self, **kwargs: Any) -> dict:
            # The widget for a live front end; Markdown and plain text (no answers) for every other place.
            bundle = super()._repr_mimebundle_(**kwargs) or {}
            bundle = dict(bundle)
            bundle["text/markdown"] = self.quiz.markdown()
            bundle["text/plain"] = self.quiz.markdown()
            return bundle

    QuizView.__module__, QuizView.__qualname__ = __name__, "QuizView"
    _QuizView = QuizView
    return QuizView


_QuizView: type | None = None


def __getattr__(name: str) -> Any:
    if name == "QuizView":
        return _view_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def quiz(*questions: Choice | Number, title: str = "Check yourself", widget: bool | None = None) -> Any:
    """The self-check questions of a lesson: a form in a notebook, plain Python anywhere.

    Parameters
    ----------
    *questions : Choice or Number
        Two to four per lesson, by the course's convention.
    title : str
        Shown above the questions.
    widget : bool, optional
        True for the form (:class:`QuizView`, an ipywidgets box), False for the plain :class:`Quiz`;
        by default the form where ipywidgets can be imported.

    Returns
    -------
    QuizView or Quiz
        Both answer with ``.answer(number, response)`` and ``.reveal(number)`` (questions counted
        from 1). Answers stay in the kernel: nothing is sent anywhere or written to disk.

    Examples
    --------
    >>> q = quiz(Choice("Which pass computes the gradients?", ["forward", "backward"], "backward",
    ...                 why="The forward pass computes values; the backward pass their gradients."),
    ...          Number("What is 2 * 3?", 6, why="Two threes."), widget=False)
    >>> q.answer(1, "a")
    1. Not quite. (Try again, or .reveal(1) shows the answer.)
    >>> q.answer(2, "6")
    2. Right. Two threes.
    """
    plain = Quiz(*questions, title=title)
    if widget is not None:
        widget = checks.boolean(widget, "widget", "selfcheck")
    else:
        try:
            import ipywidgets  # noqa: F401
        except ImportError:
            widget = False
        else:
            widget = True
    return _view_class()(plain) if widget else plain
