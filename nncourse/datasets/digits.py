"""The handwritten digits shipped with the package, and seeded train/validation/test splits.

The file ``nncourse/data/digits.npz`` holds the 1,797 8x8 images of the "Optical Recognition of
Handwritten Digits" data set by E. Alpaydin and C. Kaynak (1998), UCI Machine Learning Repository,
in the test-set copy distributed with scikit-learn. It is used under CC BY 4.0; see
``nncourse/data/README.md``.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nncourse._validate import check_number, make_rng

DIGITS_SHA256 = "dff739c317c3d7a561cd1d11ae22ab4ac7f0557489c9e3935e97bec510d05737"

_VERIFIED: set[str] = set()  # files whose checksum already matched in this process


class ChecksumError(RuntimeError):
    """A shipped data file does not have the expected sha256 checksum."""


def _digits_path() -> Path:
    return Path(__file__).resolve().parent.parent / "data" / "digits.npz"


def _verify(path: Path, expected: str, name: str = "digits") -> None:
    """Raise ChecksumError unless the sha256 of ``path`` is ``expected`` (cached per path).

    ``name`` names the data set in the message (every shipped data file is checked this way).
    """
    key = str(path)
    if key in _VERIFIED:
        return
    got = hashlib.sha256(path.read_bytes()).hexdigest()
    if got != expected:
        raise ChecksumError(
            f"the {name} file {path} is damaged or was replaced: its sha256 is {got}, "
            f"expected {expected}. Reinstall nncourse or restore nncourse/data/{path.name} "
            "from the repository."
        )
    _VERIFIED.add(key)


def load_digits(*, scaled: bool = True, verify: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Load the 8x8 handwritten digits (offline, from the file shipped with the package).

    Parameters
    ----------
    scaled : bool
        If True (default) divide the grey levels 0..16 by 16 so every pixel is in [0, 1];
        if False return the raw levels 0..16 as float64.
    verify : bool
        Check the sha256 of the file before the first load in this process (default True).

    Returns
    -------
    X : ndarray, shape (1797, 64), float64
        One flattened image per row, row-major (``X[i].reshape(8, 8)`` is the picture).
    y : ndarray, shape (1797,), int64
        The digit shown, 0..9 (174 to 183 examples per class).

    Raises
    ------
    ChecksumError
        If ``verify`` is True and the file's sha256 is not the published one.
    """
    if not isinstance(scaled, bool):
        raise TypeError(f"expected scaled to be True or False, got {scaled!r}")
    if not isinstance(verify, bool):
        raise TypeError(f"expected verify to be True or False, got {verify!r}")
    path = _digits_path()
    if not path.is_file():
        raise FileNotFoundError(
            f"the digits file {path} is missing; reinstall nncourse to restore it"
        )
    if verify:
        _verify(path, DIGITS_SHA256)
    with np.load(path) as data:
        X = data["X"].astype(np.float64)
        y = data["y"].astype(np.int64)
    if X.shape != (1797, 64) or y.shape != (1797,):
        raise ChecksumError(
            f"the digits file {path} holds X of shape {X.shape} and y of shape {y.shape}, "
            "expected (1797, 64) and (1797,); reinstall nncourse"
        )
    if scaled:
        X /= 16.0
    return X, y


def _allocate(counts: np.ndarray, total: int, frac: float, rng: np.random.Generator) -> np.ndarray:
    """Split ``total`` items over classes in proportion to ``counts`` (largest remainders)."""
    ideal = counts * frac
    take = np.minimum(np.floor(ideal).astype(np.int64), counts)
    order = np.lexsort((rng.random(len(counts)), -(ideal - take)))  # ties broken at random
    while take.sum() < min(total, counts.sum()):
        for k in order:
            if take.sum() < total and take[k] < counts[k]:
                take[k] += 1
    return take


def train_val_test_split(X, y, *, val_frac: float = 0.15, test_frac: float = 0.15, seed=0,
                         stratify: bool = True):
    """Shuffle and split a data set into training, validation and test parts.

    Parameters
    ----------
    X : ndarray, shape (N, ...)
        Inputs, one example per row (any number of trailing dimensions).
    y : ndarray, shape (N,)
        Targets: integer class labels, or real values for regression.
    val_frac, test_frac : float
        Fractions of the N examples put in the validation and test parts, each in [0, 1) with
        ``val_frac + test_frac < 1``. The part sizes are ``round(val_frac * N)`` and
        ``round(test_frac * N)``; the training part gets the rest.
    seed : int or numpy.random.Generator
        The same seed gives the same split.
    stratify : bool
        If True and ``y`` holds integer (or bool) labels, each class keeps about the same share in
        every part. Real-valued ``y`` is always split by plain shuffling.

    Returns
    -------
    X_train, y_train, X_val, y_val, X_test, y_test : ndarray
        Copies, each part in shuffled order.
    """
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim < 1 or y.ndim != 1 or X.shape[0] != y.shape[0]:
        raise ValueError(
            f"expected X of shape (N, ...) and y of shape (N,), got X {X.shape} and y {y.shape}"
        )
    val_frac = check_number(val_frac, "val_frac", 0.0)
    test_frac = check_number(test_frac, "test_frac", 0.0)
    if val_frac >= 1 or test_frac >= 1 or val_frac + test_frac >= 1:
        raise ValueError(
            f"expected val_frac + test_frac < 1 (some data must stay for training), got "
            f"val_frac={val_frac:g} and test_frac={test_frac:g}"
        )
    if not isinstance(stratify, bool):
        raise TypeError(f"expected stratify to be True or False, got {stratify!r}")
    rng = make_rng(seed)
    n = y.shape[0]
    n_val, n_test = int(round(val_frac * n)), int(round(test_frac * n))
    for frac, size, name in ((val_frac, n_val, "validation"), (test_frac, n_test, "test")):
        if frac > 0 and size == 0:
            raise ValueError(
                f"{n} examples are too few for a {name} fraction of {frac:g} (0 examples); "
                "use more data or a larger fraction"
            )
    if n - n_val - n_test < 1:
        raise ValueError(f"{n} examples leave none for training; use more data")

    if stratify and y.dtype.kind in "biu":
        classes, inverse = np.unique(y, return_inverse=True)
        members = [rng.permutation(np.flatnonzero(inverse == k)) for k in range(len(classes))]
        counts = np.array([len(m) for m in members])
        val_take = _allocate(counts, n_val, val_frac, rng)
        test_take = _allocate(counts - val_take, n_test, n_test / (n - n_val), rng)
        val_idx = np.concatenate([m[:v] for m, v in zip(members, val_take)])
        test_idx = np.concatenate([m[v:v + t] for m, v, t in zip(members, val_take, test_take)])
        train_idx = np.concatenate([m[v + t:] for m, v, t in zip(members, val_take, test_take)])
    else:
        perm = rng.permutation(n)
        val_idx, test_idx = perm[:n_val], perm[n_val:n_val + n_test]
        train_idx = perm[n_val + n_test:]
    parts = []
    for idx in (train_idx, val_idx, test_idx):
        idx = rng.permutation(idx.astype(np.int64))
        parts += [X[idx], y[idx]]
    return tuple(parts)


@dataclass(frozen=True, repr=False, eq=False)
class Splits:
    """Training, validation and test parts of a data set; unpacks as a 6-tuple."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray

    def __iter__(self):
        return iter((self.X_train, self.y_train, self.X_val, self.y_val, self.X_test, self.y_test))

    def __repr__(self) -> str:
        return (f"Splits(train={len(self.y_train)}, val={len(self.y_val)}, "
                f"test={len(self.y_test)}, X shape per example {self.X_train.shape[1:]})")


def digits_splits(seed=0, val_frac: float = 0.15, test_frac: float = 0.15, *,
                  scaled: bool = True) -> Splits:
    """Load the digits and split them (stratified by label) into train/validation/test.

    Parameters
    ----------
    seed : int or numpy.random.Generator
        Seed of the shuffle; the same seed gives the same split.
    val_frac, test_frac : float
        Fractions for validation and test (see `train_val_test_split`).
    scaled : bool
        Pixels in [0, 1] (True, default) or raw grey levels 0..16 (False).

    Returns
    -------
    Splits
        ``X_*`` of shape (n, 64) float64 and ``y_*`` of shape (n,) int64; with the defaults
        1257 training, 270 validation and 270 test examples.
    """
    X, y = load_digits(scaled=scaled)
    return Splits(*train_val_test_split(X, y, val_frac=val_frac, test_frac=test_frac,
                                        seed=seed, stratify=True))
