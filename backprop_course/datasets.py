"""Small seeded toy data sets, made in code (plus two tiny shipped files: digits and iris).

Every function returns a :class:`Dataset`: a pair ``(X, T)`` that unpacks like a tuple
(``X, T = moons()``) and also carries ``.labels`` (integer class per sample, or None for
regression) and ``.class_names``.

* ``X`` is a float array ``(n_samples, n_features)``.
* ``T`` is a float array of targets. Two classes: ``(n_samples, 1)`` of 0/1, fit for one sigmoid
  output. More classes: one-hot ``(n_samples, n_classes)`` by default; ``one_hot=False`` gives the
  class index as a float column ``(n_samples, 1)`` instead. Regression: ``(n_samples, 1)``.

Random data is drawn from ``np.random.default_rng(seed)``: the same seed gives the same arrays.
Samples are shuffled, so any slice mixes the classes.

>>> X, T = xor()
>>> X.shape, T.ravel().tolist()
((4, 2), [0.0, 1.0, 1.0, 0.0])
"""
from __future__ import annotations

import functools
import gzip
import io
from importlib import resources

import numpy as np

from backprop_course.engine.checks import boolean, error, integer, real

__all__ = ["Dataset", "xor", "moons", "circles", "spirals", "regression_1d", "digits", "iris",
           "one_hot", "train_test_split"]


class Dataset(tuple):
    """``(X, T)`` with extra attributes ``X``, ``T``, ``labels`` and ``class_names``.

    A tuple of two, so ``X, T = data`` works; ``labels`` is an int array ``(n_samples,)`` for
    classification data and None for regression.
    """

    def __new__(cls, X: np.ndarray, T: np.ndarray, labels: np.ndarray | None = None,
                class_names: tuple[str, ...] = ()):
        obj = super().__new__(cls, (X, T))
        obj.X, obj.T, obj.labels, obj.class_names = X, T, labels, tuple(class_names)
        return obj

    def __getnewargs__(self):  # lets copy, deepcopy and pickle rebuild the extra attributes
        return (self.X, self.T, self.labels, self.class_names)

    def __repr__(self) -> str:
        kind = "regression" if self.labels is None else f"{len(self.class_names)} classes"
        return f"Dataset(X{self.X.shape}, T{self.T.shape}, {kind})"


# -- argument checks (the vocabulary and the message are engine/checks.py's) ----------------------------
def _rng(owner: str, seed: object) -> np.random.Generator:
    return np.random.default_rng(integer(seed, "seed", owner, 0))


def _noise(owner: str, value: object) -> float:
    return real(value, "noise", owner, "a float >= 0", lambda v: v >= 0)


def _targets(labels: np.ndarray, n_classes: int, one_hot_flag: bool | None, owner: str):
    """Targets from integer labels: 2 classes -> (n, 1) 0/1, more -> one-hot unless asked otherwise."""
    if one_hot_flag is None:
        one_hot_flag = n_classes > 2
    one_hot_flag = boolean(one_hot_flag, "one_hot", owner)
    if one_hot_flag:
        return one_hot(labels, n_classes)
    return labels.astype(float).reshape(-1, 1)


def _shuffled(rng: np.random.Generator, X: np.ndarray, labels: np.ndarray):
    order = rng.permutation(len(X))
    return X[order], labels[order]


def _split(n: int, k: int) -> np.ndarray:
    """Class labels for n samples in k nearly equal groups (the first n % k classes get one more)."""
    return np.repeat(np.arange(k), [n // k + (c < n % k) for c in range(k)])


# -- toy data made in code ------------------------------------------------------------------------------
def xor() -> Dataset:
    """The four XOR points: X (4, 2) in {0, 1}^2, T (4, 1) = x1 XOR x2.

    Not linearly separable, so a network needs a hidden layer to fit it.
    """
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    labels = np.array([0, 1, 1, 0])
    return Dataset(X, labels.astype(float).reshape(-1, 1), labels, ("0", "1"))


def moons(n: int = 200, noise: float = 0.1, seed: int = 0) -> Dataset:
    """Two interleaving half circles in the plane.

    Class 0 lies on the upper unit half circle around (0, 0); class 1 on the lower one around
    (1, 0.5). Gaussian noise of standard deviation ``noise`` is added to both coordinates.

    Returns
    -------
    Dataset
        X (n, 2), T (n, 1) of 0/1; the classes differ in size by at most one.
    """
    n = integer(n, "n", "moons", 2)
    noise = _noise("moons", noise)
    rng = _rng("moons", seed)
    labels = _split(n, 2)
    angle = rng.uniform(0.0, np.pi, size=n)
    X = np.column_stack([np.cos(angle), np.sin(angle)])
    lower = labels == 1
    X[lower] = np.column_stack([1.0 - np.cos(angle[lower]), 0.5 - np.sin(angle[lower])])
    X += rng.normal(0.0, noise, size=X.shape)
    X, labels = _shuffled(rng, X, labels)
    return Dataset(X, labels.astype(float).reshape(-1, 1), labels, ("upper", "lower"))


def circles(n: int = 200, noise: float = 0.05, factor: float = 0.5, seed: int = 0) -> Dataset:
    """A small circle (class 1, radius ``factor``) inside a unit circle (class 0).

    Returns
    -------
    Dataset
        X (n, 2), T (n, 1) of 0/1; the classes differ in size by at most one.
    """
    n = integer(n, "n", "circles", 2)
    noise = _noise("circles", noise)
    factor = real(factor, "factor", "circles", "a float in (0, 1)", lambda v: 0 < v < 1)
    rng = _rng("circles", seed)
    labels = _split(n, 2)
    angle = rng.uniform(0.0, 2 * np.pi, size=n)
    radius = np.where(labels == 1, factor, 1.0)
    X = radius[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    X += rng.normal(0.0, noise, size=X.shape)
    X, labels = _shuffled(rng, X, labels)
    return Dataset(X, labels.astype(float).reshape(-1, 1), labels, ("outer", "inner"))


def spirals(n: int = 200, noise: float = 0.2, turns: float = 1.0, seed: int = 0, classes: int = 2,
            one_hot: bool | None = None) -> Dataset:
    """``classes`` interleaved spiral arms (the classic hard case for a small network).

    Arm ``c`` is ``r * (cos(a), sin(a))`` with radius ``r`` growing from 0 to 1 and angle
    ``a = 2*pi*turns*r + 2*pi*c/classes``; ``noise`` is the standard deviation of Gaussian noise
    added to the angle (in radians, scaled by ``r`` so the centre stays tidy).

    Parameters
    ----------
    n : int >= classes
    noise : float >= 0
    turns : float > 0
        How many times each arm winds around the centre.
    seed : int
    classes : int >= 2
    one_hot : bool or None
        None: (n, 1) of 0/1 for two classes, one-hot (n, classes) for more.

    Returns
    -------
    Dataset
        X (n, 2); T as described; ``labels`` (n,) of ints.
    """
    classes = integer(classes, "classes", "spirals", 2)
    n = integer(n, "n", "spirals", classes)
    noise = _noise("spirals", noise)
    turns = real(turns, "turns", "spirals", "a float > 0", lambda v: v > 0)
    rng = _rng("spirals", seed)
    labels = _split(n, classes)
    radius = rng.uniform(0.05, 1.0, size=n)
    angle = 2 * np.pi * (turns * radius + labels / classes) + rng.normal(0.0, noise, size=n) * radius
    X = radius[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    X, labels = _shuffled(rng, X, labels)
    return Dataset(X, _targets(labels, classes, one_hot, "spirals"), labels,
                   tuple(f"arm {c}" for c in range(classes)))


def regression_1d(n: int = 50, noise: float = 0.1, seed: int = 0) -> Dataset:
    """A noisy sine: x uniform in [-1, 1] (sorted), t = sin(pi * x) + noise * N(0, 1).

    Targets lie around [-1, 1]: use a ``"linear"`` (or ``"tanh"``) output layer, not a sigmoid.

    Returns
    -------
    Dataset
        X (n, 1) sorted increasingly, T (n, 1); ``labels`` is None.
    """
    n = integer(n, "n", "regression_1d", 1)
    noise = _noise("regression_1d", noise)
    rng = _rng("regression_1d", seed)
    x = np.sort(rng.uniform(-1.0, 1.0, size=n))
    t = np.sin(np.pi * x) + rng.normal(0.0, noise, size=n)
    return Dataset(x.reshape(-1, 1), t.reshape(-1, 1))


# -- shipped files ----------------------------------------------------------------------------------------
def _data_file(name: str):
    return resources.files("backprop_course").joinpath("data", name)


@functools.lru_cache(maxsize=None)
def _load_digits() -> tuple[np.ndarray, np.ndarray]:
    raw = gzip.decompress(_data_file("digits.csv.gz").read_bytes()).decode("ascii")
    table = np.loadtxt(io.StringIO(raw), delimiter=",")
    return table[:, :64] / 16.0, table[:, 64].astype(int)


@functools.lru_cache(maxsize=None)
def _load_iris() -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    text = _data_file("iris.csv").read_text(encoding="ascii")
    header, body = text.split("\n", 1)
    fields = header.strip().split(",")
    n_samples, n_features, names = int(fields[0]), int(fields[1]), tuple(fields[2:])
    table = np.loadtxt(io.StringIO(body), delimiter=",")
    if table.shape != (n_samples, n_features + 1):  # pragma: no cover - guards the shipped file
        raise ValueError(f"iris.csv must hold {n_samples} rows of {n_features + 1} numbers as its "
                         f"header says. Got {table.shape} instead.")
    return table[:, :n_features], table[:, n_features].astype(int), names


def digits(one_hot: bool = True) -> Dataset:
    """The 1797 handwritten digits of 8x8 pixels (UCI optical digits, as shipped with scikit-learn).

    Returns
    -------
    Dataset
        X (1797, 64): pixel intensities scaled from 0..16 to [0, 1], row by row of the 8x8 image
        (``X[i].reshape(8, 8)`` shows it); T (1797, 10) one-hot, or (1797, 1) of the digit with
        ``one_hot=False``; ``labels`` (1797,) the digit 0-9. Rows are in the file's order.
    """
    X, labels = _load_digits()
    return Dataset(X.copy(), _targets(labels, 10, one_hot, "digits"), labels.copy(),
                   tuple(str(d) for d in range(10)))


def iris(one_hot: bool = True, standardize: bool = False) -> Dataset:
    """Fisher's 150 iris flowers: 4 measurements in cm, 3 species (50 each).

    Parameters
    ----------
    one_hot : bool
        True: T (150, 3) one-hot; False: T (150, 1) holding the class index.
    standardize : bool
        Shift and scale every feature to mean 0 and standard deviation 1 (helps sigmoid networks).

    Returns
    -------
    Dataset
        X (150, 4) (sepal length, sepal width, petal length, petal width), T as above,
        ``labels`` (150,) in {0, 1, 2}, ``class_names`` ("setosa", "versicolor", "virginica").
    """
    X, labels, names = _load_iris()
    X = X.copy()
    if boolean(standardize, "standardize", "iris"):
        X = (X - X.mean(axis=0)) / X.std(axis=0)
    return Dataset(X, _targets(labels, len(names), one_hot, "iris"), labels.copy(), names)


# -- helpers ------------------------------------------------------------------------------------------------
def one_hot(labels, n_classes: int | None = None) -> np.ndarray:
    """Encode integer class labels as rows of a float identity matrix.

    Parameters
    ----------
    labels : array-like of int, shape (n,)
    n_classes : int or None
        Number of classes; None means ``max(labels) + 1``.

    Returns
    -------
    ndarray, shape (n, n_classes)

    >>> one_hot([2, 0], 3)
    array([[0., 0., 1.],
           [1., 0., 0.]])
    """
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.size == 0:
        raise error("one_hot", "labels", "a non-empty 1-D array of ints", f"shape {labels.shape}")
    if labels.dtype.kind == "f" and np.all(labels == np.round(labels)):
        labels = labels.astype(int)
    if labels.dtype.kind not in "iu":
        raise error("one_hot", "labels", "integers", f"dtype {labels.dtype}", TypeError, must="hold")
    if n_classes is None:
        n_classes = int(labels.max()) + 1
    n_classes = integer(n_classes, "n_classes", "one_hot", 1)
    if labels.min() < 0 or labels.max() >= n_classes:
        raise error("one_hot", "labels", f"[0, {n_classes - 1}]",
                    f"values from {labels.min()} to {labels.max()}", must="lie in")
    return np.eye(n_classes)[labels]


def train_test_split(X, T, test_fraction: float = 0.25, seed: int = 0):
    """Shuffle the samples (seeded) and split them into a training and a test part.

    Parameters
    ----------
    X : array-like, shape (n, ...)
    T : array-like, shape (n, ...)
    test_fraction : float in (0, 1)
        Share of samples for the test part; ``round(n * test_fraction)`` samples, at least one,
        and at least one sample is left for training.
    seed : int

    Returns
    -------
    X_train, X_test, T_train, T_test : ndarray
    """
    X, T = np.asarray(X), np.asarray(T)
    if X.ndim == 0 or T.ndim == 0 or len(X) != len(T):
        raise error("train_test_split", "T", f"as many rows as X ({len(X) if X.ndim else 'X is a scalar'})",
                    f"shape {T.shape}", must="have")
    n = len(X)
    if n < 2:
        raise error("train_test_split", "X", "at least 2 samples", str(n), must="hold")
    frac = real(test_fraction, "test_fraction", "train_test_split", "a float in (0, 1)",
                lambda v: 0 < v < 1)
    n_test = min(max(int(round(n * frac)), 1), n - 1)
    order = _rng("train_test_split", seed).permutation(n)
    test, train = order[:n_test], order[n_test:]
    return X[train], X[test], T[train], T[test]
