"""`backprop-course derive` prints derivations as text, Markdown or LaTeX."""
from __future__ import annotations

import subprocess
import sys

import pytest

from backprop_course.cli import main


def run(capsys, *argv):
    code = main(["derive", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_default_is_gashlers_w173_as_text(capsys):
    code, out, _ = run(capsys)
    assert code == 0
    assert out.startswith("dE/dw_173:")
    assert "13. only the m = 7 term survives" in out
    assert out.rstrip().endswith("= -e_17 y_03")


def test_latex(capsys):
    code, out, _ = run(capsys, "--layers", "2", "--weight", "1", "2", "1", "--format", "latex")
    assert code == 0
    assert out.startswith("\\begin{align*}\n\\frac{\\partial E}{\\partial w_{121}} &=")
    assert out.rstrip().endswith("- e_{12} y_{01} && \\text{(15) cache the error term: $e_{12}$ = "
                                 "$\\sum_{i} e_{2i} w_{2i2} f'_{1}\\left(x_{12}\\right)$}\n\\end{align*}")


def test_markdown_ufldl(capsys):
    code, out, _ = run(capsys, "--layers", "3", "--weight", "3", "1", "2", "--format", "markdown",
                       "--notation", "ufldl")
    assert code == 0
    assert "| step | rule | expression |" in out
    assert "$= \\delta^{(4)}_{1} a^{(3)}_{2}$ |" in out


def test_input_with_verify(capsys):
    code, out, _ = run(capsys, "--layers", "3", "--input", "2", "--verify")
    assert code == 0
    assert "= -sum_k e_1k w_1k2" in out
    assert "all checks passed" in out


def test_bias(capsys):
    code, out, _ = run(capsys, "--layers", "2", "--bias", "1", "2")
    assert code == 0
    assert out.rstrip().endswith("= -e_12")


@pytest.mark.parametrize("argv, fragment", [
    (["--layers", "2", "--weight", "3", "1", "1"], "The 'layer' parameter"),
    (["--layers", "0"], "The 'layers' parameter"),
    (["--layers", "3", "--input", "0"], "The 'k' parameter"),
])
def test_errors_exit_2_with_a_message(capsys, argv, fragment):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert fragment in err and out == ""


def test_weight_and_input_are_exclusive(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["derive", "--weight", "1", "1", "1", "--input", "1"])
    assert exc.value.code == 2


def test_help_does_not_import_sympy():
    code = ("import sys; from backprop_course.cli import build_parser; build_parser(); "
            "import backprop_course.symbolic; print('sympy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
