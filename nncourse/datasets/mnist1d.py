"""MNIST-1D: ten classes of short 1-D signals, shipped with the package, and seeded splits.

MNIST-1D was made by S. Greydanus (2020), "Scaling down deep learning" (arXiv:2011.14439), as a
small data set on which the usual architectures clearly differ: each example is one of ten
hand-drawn 1-D templates, padded, stretched, scaled, shifted circularly, sheared and overlaid with
noise, then resampled to 40 values. Trained on 8,000 examples, a linear classifier reaches about 31%
validation accuracy on this copy and a one-hidden-layer MLP of 256 units about 62%, so depth, shape
and reuse of features show effects here that the 8x8 digits hide.

The file ``nncourse/data/mnist1d.npz`` holds 10,000 examples (1,000 per class) generated once with
``make_dataset`` of the ``mnist1d`` package (version 0.0.2.post1, Apache-2.0) with its default
settings except ``num_samples`` (see :data:`MNIST1D_SETTINGS`), stored as int8 twentieths (every
value rounded to a multiple of 0.05; the signals have standard deviation 1, the rounding error is
at most 0.025). Shipping the generated copy keeps the course offline and free of extra run-time
dependencies (``mnist1d`` downloads by default and pulls in ``requests`` and ``scipy``);
:func:`generate_mnist1d` regenerates it with the ``mnist1d`` package (the dev extra), which the test
suite uses to confirm the shipped copy. Attribution: ``nncourse/data/README.md``.

Note: ``nncourse.datasets.mnist1d`` is the loader function; import the module's other names with
``from nncourse.datasets.mnist1d import load_mnist1d``.
"""
from __future__ import annotations

import random as _random
from pathlib import Path

import numpy as np

from .digits import ChecksumError, Splits, _verify, train_val_test_split

MNIST1D_SHA256 = "fa23dbb8e043e4e9c2755971f4d09478b059d441f6defc32783882d398fb9f2c"

#: ``make_dataset`` settings that produced the shipped file (all others are the package defaults).
MNIST1D_SETTINGS = {
    "num_samples": 10000, "train_split": 1.0, "template_len": 12, "padding": [36, 60],
    "scale_coeff": 0.4, "max_translation": 48, "corr_noise_scale": 0.25,
    "iid_noise_scale": 2e-2, "shear_scale": 0.75, "shuffle_seq": False, "final_seq_length": 40,
    "seed": 42,
}
#: the stored values are ``round(x / STEP)`` as int8
STEP = 0.05
N_EXAMPLES, LENGTH, N_CLASSES = 10000, 40, 10


def _mnist1d_path() -> Path:
    return Path(__file__).resolve().parent.parent / "data" / "mnist1d.npz"


def quantise(x) -> np.ndarray:
    """Round signals to multiples of `STEP` and store them as int8 (the shipped format).

    Parameters
    ----------
    x : ndarray, shape (N, 40), float
        Signals with values in [-6.4, 6.35].

    Returns
    -------
    ndarray, shape (N, 40), int8
        ``round(x / STEP)``.
    """
    x = np.asarray(x, dtype=np.float64)
    q = np.round(x / STEP)
    if q.size and (q.min() < -128 or q.max() > 127):
        raise ValueError(f"expected x within [{-128 * STEP}, {127 * STEP}] to fit int8 steps of "
                         f"{STEP}, got values from {x.min():.3f} to {x.max():.3f}")
    return q.astype(np.int8)


def load_mnist1d(*, verify: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Load all 10,000 MNIST-1D examples (offline, from the file shipped with the package).

    Parameters
    ----------
    verify : bool
        Check the sha256 of the file before the first load in this process (default True).

    Returns
    -------
    X : ndarray, shape (10000, 40), float64
        One signal per row, standardised over the whole set (mean 0, standard deviation 1),
        values multiples of 0.05.
    y : ndarray, shape (10000,), int64
        The class, 0..9 (1,000 examples each).

    Raises
    ------
    ChecksumError
        If ``verify`` is True and the file's sha256 is not the published one.
    """
    if not isinstance(verify, bool):
        raise TypeError(f"expected verify to be True or False, got {verify!r}")
    path = _mnist1d_path()
    if not path.is_file():
        raise FileNotFoundError(f"the MNIST-1D file {path} is missing; reinstall nncourse to restore it")
    if verify:
        _verify(path, MNIST1D_SHA256, "MNIST-1D")
    with np.load(path) as data:
        X = data["X"].astype(np.float64) * STEP
        y = data["y"].astype(np.int64)
    if X.shape != (N_EXAMPLES, LENGTH) or y.shape != (N_EXAMPLES,):
        raise ChecksumError(f"the MNIST-1D file {path} holds X of shape {X.shape} and y of shape "
                            f"{y.shape}, expected ({N_EXAMPLES}, {LENGTH}) and ({N_EXAMPLES},); "
                            "reinstall nncourse")
    return X, y


def _check_classes(classes) -> tuple[int, ...] | None:
    if classes is None:
        return None
    try:
        items = list(classes)
    except TypeError:
        raise TypeError(f"expected classes to be None or a sequence of labels 0..9, "
                        f"got {classes!r}") from None
    ok = all(not isinstance(c, bool) and isinstance(c, (int, np.integer)) and 0 <= c < N_CLASSES
             for c in items)
    if not items or not ok or len(set(int(c) for c in items)) != len(items):
        raise ValueError(f"expected classes to be distinct labels from 0..9 (at least one), "
                         f"got {classes!r}")
    return tuple(int(c) for c in items)


def mnist1d(seed=0, val_frac: float = 0.15, test_frac: float = 0.15, *,
            classes=None) -> Splits:
    """MNIST-1D split (stratified by label) into training, validation and test parts.

    Parameters
    ----------
    seed : int or numpy.random.Generator
        Seed of the shuffle; the same seed gives the same split. numpy's global random state is
        neither used nor changed.
    val_frac, test_frac : float
        Fractions for validation and test (see `train_val_test_split`).
    classes : sequence of int, optional
        Keep only these labels and renumber them ``0 .. len(classes) - 1`` in the order given,
        e.g. ``classes=(5, 6, 7, 8, 9)`` makes 5 -> 0, ..., 9 -> 4 (for a five-way output layer).
        Default: all ten classes, labels unchanged.

    Returns
    -------
    Splits
        ``X_*`` of shape (n, 40) float64 and ``y_*`` of shape (n,) int64; with the defaults 7,000
        training, 1,500 validation and 1,500 test examples.

    Examples
    --------
    >>> from nncourse.datasets import mnist1d
    >>> mnist1d(seed=0)
    Splits(train=7000, val=1500, test=1500, X shape per example (40,))
    >>> mnist1d(seed=0, classes=range(5)).y_train.max()
    4
    """
    classes = _check_classes(classes)
    X, y = load_mnist1d()
    if classes is not None:
        keep = np.isin(y, classes)
        lookup = np.full(N_CLASSES, -1, dtype=np.int64)
        lookup[list(classes)] = np.arange(len(classes))
        X, y = X[keep], lookup[y[keep]]
    return Splits(*train_val_test_split(X, y, val_frac=val_frac, test_frac=test_frac,
                                        seed=seed, stratify=True))


def generate_mnist1d(num_samples: int = N_EXAMPLES) -> tuple[np.ndarray, np.ndarray]:
    """Regenerate the data with the ``mnist1d`` package (dev extra), leaving global state alone.

    ``mnist1d.data.make_dataset`` reseeds numpy's global random generator and Python's
    ``random``; both states are saved first and restored afterwards, so the caller sees no change.
    Nothing is downloaded.

    Parameters
    ----------
    num_samples : int
        Examples to make (a multiple of 10); the shipped file used 10,000.

    Returns
    -------
    X : ndarray, shape (num_samples, 40), float64
        The signals as ``make_dataset`` returns them (not yet quantised).
    y : ndarray, shape (num_samples,), int64
    """
    if (isinstance(num_samples, bool) or not isinstance(num_samples, (int, np.integer))
            or num_samples < 10 or num_samples % 10):
        raise ValueError(f"expected num_samples to be a positive multiple of 10, got {num_samples!r}")
    try:
        from mnist1d.data import get_dataset_args, make_dataset
    except ImportError:
        raise ImportError("generate_mnist1d needs the mnist1d package: pip install -e '.[dev]' "
                          "(the shipped copy needs nothing: use load_mnist1d)") from None
    args = get_dataset_args()
    for key, value in MNIST1D_SETTINGS.items():
        setattr(args, key, value)
    args.num_samples = int(num_samples)
    np_state, py_state = np.random.get_state(), _random.getstate()
    try:
        data = make_dataset(args)
    finally:
        np.random.set_state(np_state)
        _random.setstate(py_state)
    return np.asarray(data["x"], dtype=np.float64), np.asarray(data["y"], dtype=np.int64)
