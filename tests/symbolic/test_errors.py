"""Invalid targets raise errors that name the parameter, the rule and the value received."""
from __future__ import annotations

import pytest

from backprop_course.symbolic import derivations as dv
from backprop_course.symbolic import render
from backprop_course.symbolic.verify import verify


@pytest.mark.parametrize("call, parameter, error", [
    (lambda: dv.derive_weight_gradient(layers=0), "layers", ValueError),
    (lambda: dv.derive_weight_gradient(layers=11), "layers", ValueError),
    (lambda: dv.derive_weight_gradient(layers=2.5), "layers", TypeError),
    (lambda: dv.derive_weight_gradient(layers=True), "layers", TypeError),
    (lambda: dv.derive_weight_gradient(layers=5, layer=0), "layer", ValueError),
    (lambda: dv.derive_weight_gradient(layers=5, layer=6), "layer", ValueError),
    (lambda: dv.derive_weight_gradient(layers=5, layer=1, j=0), "j", ValueError),
    (lambda: dv.derive_weight_gradient(layers=5, layer=1, k=-1), "k", ValueError),
    (lambda: dv.derive_weight_gradient(layers=5, layer=1, j="7"), "j", TypeError),
    (lambda: dv.derive_weight_gradient(2, 1, 3, 1, sizes=(2, 2, 2)), "j", ValueError),
    (lambda: dv.derive_weight_gradient(2, 1, 1, 3, sizes=(2, 2, 2)), "k", ValueError),
    (lambda: dv.derive_weight_gradient(2, 1, 1, 1, sizes=(2, 2)), "sizes", ValueError),
    (lambda: dv.derive_weight_gradient(2, 1, 1, 1, sizes=(2, 0, 2)), "sizes", ValueError),
    (lambda: dv.derive_input_gradient(layers=5, k=0), "k", ValueError),
    (lambda: dv.derive_input_gradient(2, 3, sizes=(2, 2, 2)), "k", ValueError),
    (lambda: dv.derive_input_gradient(layers=-1), "layers", ValueError),
    (lambda: dv.derive_bias_gradient(3, 4, 1), "layer", ValueError),
    (lambda: dv.derive_bias_gradient(3, 1, 0), "j", ValueError),
])
def test_bad_arguments(call, parameter, error):
    with pytest.raises(error, match=rf"The '{parameter}' parameter of derive_\w+ must be .*Got .* instead"):
        call()


def test_unknown_notation():
    d = dv.derive_weight_gradient(1, 1, 1, 1)
    with pytest.raises(ValueError, match="The 'notation' parameter"):
        render.to_latex(d, notation="dirac")


def test_verify_rejects_sizes_of_the_wrong_length():
    d = dv.derive_weight_gradient(2, 1, 1, 1)
    with pytest.raises(ValueError, match="The 'sizes' parameter of verify"):
        verify(d, sizes=(2, 2))
