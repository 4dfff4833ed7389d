"""Toy data sets: shapes, dtypes, balance, determinism, the geometry they promise, shipped files."""
import csv
import gzip
import io
import pickle
from importlib import resources

import numpy as np
import pytest

from backprop_course import datasets as ds

MAKERS = {
    "xor": (lambda: ds.xor(), (4, 2), (4, 1)),
    "moons": (lambda: ds.moons(), (200, 2), (200, 1)),
    "circles": (lambda: ds.circles(n=51), (51, 2), (51, 1)),
    "spirals": (lambda: ds.spirals(), (200, 2), (200, 1)),
    "spirals3": (lambda: ds.spirals(n=90, classes=3), (90, 2), (90, 3)),
    "regression_1d": (lambda: ds.regression_1d(), (50, 1), (50, 1)),
    "digits": (lambda: ds.digits(), (1797, 64), (1797, 10)),
    "iris": (lambda: ds.iris(), (150, 4), (150, 3)),
}


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_shapes_and_dtypes(name):
    make, x_shape, t_shape = MAKERS[name]
    data = make()
    X, T = data  # unpacks like a tuple
    assert X.shape == x_shape and T.shape == t_shape
    assert X.dtype == np.float64 and T.dtype == np.float64
    assert np.all(np.isfinite(X)) and np.all(np.isfinite(T))
    assert data.X is X and data.T is T


@pytest.mark.parametrize("name", [n for n in sorted(MAKERS) if n != "regression_1d"])
def test_targets_agree_with_labels(name):
    data = MAKERS[name][0]()
    labels = data.labels
    assert labels.dtype.kind == "i" and labels.shape == (len(data.X),)
    assert len(data.class_names) == labels.max() + 1
    if data.T.shape[1] == 1:
        np.testing.assert_array_equal(data.T.ravel(), labels)
        assert set(np.unique(data.T)) == {0.0, 1.0}
    else:
        np.testing.assert_array_equal(data.T.argmax(axis=1), labels)
        np.testing.assert_array_equal(data.T.sum(axis=1), 1.0)


@pytest.mark.parametrize("make, n, k", [(ds.moons, 201, 2), (ds.circles, 7, 2),
                                        (lambda n, seed: ds.spirals(n=n, classes=4, seed=seed), 202, 4)])
def test_classes_are_balanced(make, n, k):
    counts = np.bincount(make(n=n, seed=3).labels, minlength=k)
    assert counts.sum() == n and counts.max() - counts.min() <= 1


@pytest.mark.parametrize("make", [ds.moons, ds.circles, ds.spirals, ds.regression_1d])
def test_same_seed_same_data_other_seed_other_data(make):
    a, b, c = make(seed=5), make(seed=5), make(seed=6)
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.T, b.T)
    assert not np.array_equal(a.X, c.X)


def test_samples_are_shuffled():
    # the first 20 samples of a shuffled 200-sample set hold both classes
    assert len(set(ds.moons().labels[:20])) == 2


def test_xor_is_the_truth_table():
    X, T = ds.xor()
    np.testing.assert_array_equal(T.ravel(), np.logical_xor(X[:, 0], X[:, 1]))


# -- the geometry each generator promises (noise = 0 makes it exact) ------------------------------------------
def test_moons_without_noise_lie_on_their_half_circles():
    data = ds.moons(n=100, noise=0.0)
    upper, lower = data.X[data.labels == 0], data.X[data.labels == 1]
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0)
    assert np.all(upper[:, 1] >= 0)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0)
    assert np.all(lower[:, 1] <= 0.5)


def test_circles_without_noise_have_radius_1_and_factor():
    data = ds.circles(n=60, noise=0.0, factor=0.3)
    radius = np.hypot(data.X[:, 0], data.X[:, 1])
    np.testing.assert_allclose(radius[data.labels == 0], 1.0)
    np.testing.assert_allclose(radius[data.labels == 1], 0.3)


def test_spiral_arms_without_noise_follow_their_angle():
    turns, k = 1.5, 3
    data = ds.spirals(n=90, noise=0.0, turns=turns, classes=k)
    r = np.hypot(data.X[:, 0], data.X[:, 1])
    expected = 2 * np.pi * (turns * r + data.labels / k)
    # compare the direction, not the angle (angles wrap around)
    np.testing.assert_allclose(data.X / r[:, None], np.column_stack([np.cos(expected), np.sin(expected)]),
                               atol=1e-12)
    assert r.min() > 0 and r.max() <= 1.0


def test_regression_is_a_noisy_sine_with_the_requested_noise():
    exact = ds.regression_1d(n=40, noise=0.0)
    assert np.all(np.diff(exact.X[:, 0]) >= 0) and np.abs(exact.X).max() <= 1.0
    np.testing.assert_allclose(exact.T, np.sin(np.pi * exact.X))
    assert exact.labels is None
    noisy = ds.regression_1d(n=20000, noise=0.1, seed=1)
    residual = noisy.T - np.sin(np.pi * noisy.X)
    assert residual.std() == pytest.approx(0.1, rel=0.03)


# -- shipped files ------------------------------------------------------------------------------------------------
def raw_rows(name):
    """The data file read independently of the package code (csv module, no numpy)."""
    blob = resources.files("backprop_course").joinpath("data", name).read_bytes()
    text = gzip.decompress(blob).decode() if name.endswith(".gz") else blob.decode()
    return list(csv.reader(io.StringIO(text)))


def test_digits_match_the_file_scaled_to_unit_interval():
    rows = raw_rows("digits.csv.gz")
    data = ds.digits()
    assert data.X.shape == (1797, 64) and len(rows) == 1797
    for i in (0, 1, 1000, 1796):
        np.testing.assert_allclose(data.X[i], [float(v) / 16 for v in rows[i][:64]])
        assert data.labels[i] == int(rows[i][64])
    assert data.X.min() == 0.0 and data.X.max() == 1.0
    counts = np.bincount(data.labels)
    assert counts.sum() == 1797 and len(counts) == 10 and counts.min() >= 170
    assert data.class_names == tuple("0123456789")


def test_digits_integer_targets_and_fresh_copies():
    data = ds.digits(one_hot=False)
    assert data.T.shape == (1797, 1)
    np.testing.assert_array_equal(data.T.ravel(), data.labels)
    data.X[:] = -1.0
    data.labels[:] = -1
    again = ds.digits()
    assert again.X.min() == 0.0 and again.labels.min() == 0  # the cache was not modified


def test_iris_matches_the_file_header_and_rows():
    rows = raw_rows("iris.csv")
    assert rows[0] == ["150", "4", "setosa", "versicolor", "virginica"]
    data = ds.iris()
    assert data.X.shape == (150, 4) and data.T.shape == (150, 3)
    np.testing.assert_allclose(data.X[0], [5.1, 3.5, 1.4, 0.2])
    np.testing.assert_allclose(data.X, [[float(v) for v in r[:4]] for r in rows[1:]])
    np.testing.assert_array_equal(data.labels, [int(r[4]) for r in rows[1:]])
    assert np.bincount(data.labels).tolist() == [50, 50, 50]
    assert data.class_names == ("setosa", "versicolor", "virginica")


def test_iris_standardized_has_zero_mean_unit_std():
    X = ds.iris(standardize=True).X
    np.testing.assert_allclose(X.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(X.std(axis=0), 1.0)
    assert ds.iris(one_hot=False).T.shape == (150, 1)


# -- Dataset object -------------------------------------------------------------------------------------------------
def test_dataset_pickles_and_shows_itself():
    data = ds.spirals(n=30, classes=3)
    back = pickle.loads(pickle.dumps(data))
    np.testing.assert_array_equal(back.labels, data.labels)
    assert back.class_names == data.class_names and len(back) == 2
    assert repr(data) == "Dataset(X(30, 2), T(30, 3), 3 classes)"
    assert "regression" in repr(ds.regression_1d())


# -- helpers ----------------------------------------------------------------------------------------------------------
def test_one_hot_by_hand():
    np.testing.assert_array_equal(ds.one_hot([1, 0, 2, 1]),
                                  [[0, 1, 0], [1, 0, 0], [0, 0, 1], [0, 1, 0]])
    assert ds.one_hot(np.array([0.0, 1.0]), 4).shape == (2, 4)


@pytest.mark.parametrize("labels, n_classes, exc, message", [
    ([0, 3], 3, ValueError, "The 'labels' parameter of one_hot must lie in [0, 2]. Got values from 0 to 3"),
    ([-1, 0], 2, ValueError, "must lie in [0, 1]"),
    ([0.5, 1], 2, TypeError, "'labels' parameter of one_hot must hold integers"),
    ([[0, 1]], 2, ValueError, "non-empty 1-D array of ints. Got shape (1, 2)"),
    ([], 2, ValueError, "non-empty 1-D"),
    ([0, 1], 0, ValueError, "'n_classes' parameter of one_hot must be an int >= 1. Got 0 instead."),
])
def test_one_hot_rejects_bad_labels(labels, n_classes, exc, message):
    with pytest.raises(exc) as info:
        ds.one_hot(labels, n_classes)
    assert message in str(info.value)


def test_train_test_split_partitions_the_rows_and_keeps_pairs():
    X = np.arange(20.0).reshape(10, 2)
    T = X[:, :1] * 10  # each target remembers its row
    X_tr, X_te, T_tr, T_te = ds.train_test_split(X, T, test_fraction=0.3, seed=1)
    assert len(X_te) == 3 and len(X_tr) == 7
    np.testing.assert_array_equal(np.sort(np.r_[X_tr[:, 0], X_te[:, 0]]), X[:, 0])
    np.testing.assert_array_equal(T_tr, X_tr[:, :1] * 10)
    np.testing.assert_array_equal(T_te, X_te[:, :1] * 10)
    again = ds.train_test_split(X, T, test_fraction=0.3, seed=1)
    np.testing.assert_array_equal(again[1], X_te)
    other = ds.train_test_split(X, T, test_fraction=0.3, seed=2)
    assert not np.array_equal(other[1], X_te)


def test_train_test_split_keeps_one_sample_on_each_side():
    X, T = np.zeros((3, 1)), np.zeros((3, 1))
    assert [len(a) for a in ds.train_test_split(X, T, 0.01)] == [2, 1, 2, 1]
    assert [len(a) for a in ds.train_test_split(X, T, 0.99)] == [1, 2, 1, 2]


@pytest.mark.parametrize("call, exc, message", [
    (lambda: ds.moons(n=1), ValueError, "The 'n' parameter of moons must be an int >= 2. Got 1 instead."),
    (lambda: ds.moons(n=10.0), TypeError, "'n' parameter of moons must be an int"),
    (lambda: ds.circles(noise=-0.1), ValueError, "'noise' parameter of circles must be a float >= 0"),
    (lambda: ds.circles(factor=1.0), ValueError, "'factor' parameter of circles must be a float in (0, 1)"),
    (lambda: ds.spirals(classes=1), ValueError, "'classes' parameter of spirals must be an int >= 2"),
    (lambda: ds.spirals(n=2, classes=3), ValueError, "'n' parameter of spirals must be an int >= 3"),
    (lambda: ds.spirals(turns=0), ValueError, "'turns' parameter of spirals must be a float > 0"),
    (lambda: ds.spirals(one_hot="yes"), TypeError, "'one_hot' parameter of spirals must be a bool"),
    (lambda: ds.regression_1d(n=0), ValueError, "'n' parameter of regression_1d must be an int >= 1"),
    (lambda: ds.regression_1d(seed=-3), ValueError, "'seed' parameter of regression_1d must be an int >= 0"),
    (lambda: ds.moons(seed=None), TypeError, "'seed' parameter of moons must be an int"),
    (lambda: ds.iris(standardize=1), TypeError, "'standardize' parameter of iris must be a bool"),
    (lambda: ds.train_test_split(np.zeros((4, 1)), np.zeros((3, 1))), ValueError,
     "'T' parameter of train_test_split must have as many rows as X (4)"),
    (lambda: ds.train_test_split(np.zeros((1, 1)), np.zeros((1, 1))), ValueError, "at least 2 samples"),
    (lambda: ds.train_test_split(np.zeros((4, 1)), np.zeros((4, 1)), 1.0), ValueError,
     "'test_fraction' parameter of train_test_split must be a float in (0, 1). Got 1.0"),
])
def test_bad_arguments_are_named(call, exc, message):
    with pytest.raises(exc) as info:
        call()
    assert message in str(info.value)


def test_docstring_examples_run():
    import doctest

    result = doctest.testmod(ds)
    assert result.attempted >= 2 and result.failed == 0
