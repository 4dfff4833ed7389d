"""engine/checks.py: one message template; a wrong type is a TypeError, a wrong value a ValueError."""
import doctest

import numpy as np
import pytest

from backprop_course.engine import checks
from backprop_course.engine.checks import boolean, error, integer, one_of, real


def test_the_template_names_parameter_rule_and_value():
    e = error("SGD", "lr", "a float > 0", "-0.1")
    assert type(e) is ValueError
    assert str(e) == "The 'lr' parameter of SGD must be a float > 0. Got -0.1 instead."
    e = error("Value '+'", "other", "a real number", "'x' (str)", TypeError, role="operand",
              hint="; use float(x)", must="be")
    assert type(e) is TypeError
    assert str(e) == ("The 'other' operand of Value '+' must be a real number. "
                      "Got 'x' (str) instead; use float(x).")
    assert str(error("f", "grads", "one array per parameter (2)", "1", must="have")) == \
        "The 'grads' parameter of f must have one array per parameter (2). Got 1 instead."


@pytest.mark.parametrize("value, kind", [(2.5, TypeError), (True, TypeError), ("3", TypeError),
                                         (np.bool_(True), TypeError), (0, ValueError), (11, ValueError)])
def test_integer_refuses_wrong_types_and_values(value, kind):
    with pytest.raises(kind, match=r"^The 'n' parameter of f must be an int in \[1, 10\]\. Got .* instead\.$"):
        integer(value, "n", "f", 1, 10)


def test_integer_accepts_numpy_ints_and_returns_int():
    assert integer(np.int64(3), "n", "f", 1) == 3 and type(integer(np.int64(3), "n", "f", 1)) is int
    assert integer(-5, "n", "f") == -5
    with pytest.raises(ValueError, match="must be an int >= 0 or None"):
        integer(-1, "seed", "f", 0, rule="an int >= 0 or None")


def test_real_shows_the_float_it_rejected_and_refuses_non_finite():
    with pytest.raises(ValueError, match=r"Got 0\.0 instead"):
        real(0, "lr", "SGD", "a float > 0", lambda v: v > 0)
    with pytest.raises(ValueError, match="Got nan instead"):
        real(float("nan"), "lr", "SGD", "a float > 0")
    with pytest.raises(TypeError, match="Got False instead"):
        real(False, "lr", "SGD", "a float > 0")
    assert real(np.float32(0.5), "lr", "SGD", "a float > 0") == 0.5


def test_boolean_and_one_of():
    assert boolean(np.bool_(True), "bias", "MLP") is True
    with pytest.raises(TypeError, match=r"The 'bias' parameter of MLP must be a bool\. Got 1 instead\."):
        boolean(1, "bias", "MLP")
    assert one_of("batch", "mode", "train", ("online", "batch")) == "batch"
    with pytest.raises(ValueError, match=r"must be one of 'online', 'batch'\. Got array"):
        one_of(np.zeros(2), "mode", "train", ("online", "batch"))


def test_docstring_examples_run():
    result = doctest.testmod(checks)
    assert result.attempted >= 2 and result.failed == 0
