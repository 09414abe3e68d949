"""Input checks of the data generators and image helpers (private)."""
from __future__ import annotations


import numpy as np

# The general checks are the engine's own (nncourse._validate: check_number, check_positive_int,
# make_rng); this module adds only the image-specific ones.


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
