"""Input checks shared by the data generators and image helpers (private)."""
from __future__ import annotations

import numbers

import numpy as np


def as_rng(seed, name: str = "seed") -> np.random.Generator:
    """Return a Generator from an int seed, a Generator, or None (fresh OS entropy)."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None:
        return np.random.default_rng()
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise TypeError(
            f"expected {name} to be a non-negative int or a numpy.random.Generator, got {seed!r}"
        )
    return np.random.default_rng(int(seed))


def check_int(value, name: str, minimum: int) -> int:
    """Return ``value`` as an int after checking it is an integer >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"expected {name} to be an int >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"expected {name} to be an int >= {minimum}, got {value!r}")
    return int(value)


def check_real(value, name: str, minimum: float | None = None) -> float:
    """Return ``value`` as a finite float, optionally >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise ValueError(f"expected {name} to be a finite number, got {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"expected {name} to be a number >= {minimum:g}, got {value!r}")
    return float(value)


def as_images(X, name: str = "X") -> tuple[np.ndarray, tuple[int, ...]]:
    """Return ``X`` as float64 of shape (N, 8, 8) plus the original shape to restore later."""
    arr = np.asarray(X)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"expected {name} to hold numbers, got an array of dtype {arr.dtype}")
    if not ((arr.ndim == 2 and arr.shape[1] == 64) or (arr.ndim == 3 and arr.shape[1:] == (8, 8))):
        raise ValueError(
            f"expected {name} of shape (N, 64) or (N, 8, 8), got {arr.shape}; "
            "for a single image use X[None] or X.reshape(1, 64)"
        )
    return arr.astype(np.float64).reshape(-1, 8, 8), arr.shape


def per_image(value, n: int, name: str, integer: bool) -> np.ndarray:
    """Broadcast a scalar or a length-``n`` sequence to an array of shape (n,)."""
    arr = np.asarray(value)
    kinds = "iu" if integer else "iuf"
    if arr.dtype.kind not in kinds or arr.ndim > 1 or (arr.ndim == 1 and arr.shape[0] != n):
        what = "an int" if integer else "a number"
        raise ValueError(
            f"expected {name} to be {what} or an array of shape ({n},), got {value!r}"
        )
    if not integer and not np.all(np.isfinite(arr)):
        raise ValueError(f"expected {name} to be finite, got {value!r}")
    return np.broadcast_to(arr, (n,)).astype(np.int64 if integer else np.float64)
