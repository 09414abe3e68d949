"""Input checks shared by the engine: every message names the argument, the value and the expectation."""
from __future__ import annotations

import numbers

import numpy as np


def as_float_array(x, name: str, ndim: int | tuple[int, ...] | None = None, *, allow_nan: bool = False) -> np.ndarray:
    """Return ``x`` as a float ndarray (float32 stays float32, everything else becomes float64).

    Raises a TypeError for object, string, complex or boolean-free non-numeric input and a ValueError
    for a wrong number of dimensions or for NaN/inf values.
    """
    if isinstance(x, np.ndarray):
        arr = x
    else:
        try:
            arr = np.asarray(x)
        except Exception as exc:  # ragged lists and the like
            raise TypeError(f"expected {name} to be a numeric array, got {type(x).__name__} ({exc})") from None
    if arr.dtype == object or arr.dtype.kind in "USVMmc":
        raise TypeError(f"expected {name} to be a numeric array, got an array of dtype {arr.dtype}")
    if arr.dtype.kind in "biu":
        arr = arr.astype(np.float64)
    elif arr.dtype != np.float32 and arr.dtype != np.float64:
        arr = arr.astype(np.float64)
    if ndim is not None:
        dims = (ndim,) if isinstance(ndim, int) else ndim
        if arr.ndim not in dims:
            want = " or ".join(f"{d}-D" for d in dims)
            raise ValueError(f"expected {name} to be {want}, got an array of shape {arr.shape}")
    if not allow_nan and not np.all(np.isfinite(arr)):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(f"{name} contains {bad} NaN or infinite value(s); clean or impute them first")
    return arr


def as_labels(y, name: str, n: int | None = None, num_classes: int | None = None) -> np.ndarray:
    """Return integer class labels of shape (N,); reject floats with fractions, NaN and bad counts."""
    arr = np.asarray(y)
    if arr.dtype == object or arr.dtype.kind not in "biuf":
        raise TypeError(f"expected {name} to be integer class labels, got an array of dtype {arr.dtype}")
    if arr.ndim != 1:
        raise ValueError(f"expected {name} to be 1-D integer labels of shape (N,), got shape {arr.shape}")
    if arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr)):
            raise TypeError(f"expected {name} to be integer class labels, got non-integer floats")
    arr = arr.astype(np.int64)
    if n is not None and arr.shape[0] != n:
        raise ValueError(f"expected {name} to hold one label per example ({n}), got {arr.shape[0]} labels")
    if arr.size and arr.min() < 0:
        raise ValueError(f"expected {name} to be labels >= 0, got {int(arr.min())}")
    if num_classes is not None and arr.size and arr.max() >= num_classes:
        raise ValueError(
            f"{name} contains label {int(arr.max())} but there are only {num_classes} classes (0..{num_classes - 1})"
        )
    return arr


def check_positive_int(value, name: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"expected {name} to be an integer >= {minimum}, got {value!r}")
    return int(value)


def check_number(value, name: str, low: float | None = None, high: float | None = None,
                 *, low_open: bool = False, high_open: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise ValueError(f"expected {name} to be a finite number, got {value!r}")
    v = float(value)
    if low is not None and (v < low or (low_open and v == low)):
        raise ValueError(f"expected {name} {'>' if low_open else '>='} {low}, got {value!r}")
    if high is not None and (v > high or (high_open and v == high)):
        raise ValueError(f"expected {name} {'<' if high_open else '<='} {high}, got {value!r}")
    return v


def check_choice(value, name: str, choices) -> str:
    if value not in choices:
        raise ValueError(f"unknown {name} {value!r}; choose one of {', '.join(sorted(map(str, choices)))}")
    return value


def make_rng(seed, name: str = "seed") -> np.random.Generator:
    """A Generator from an int seed, None (fresh entropy) or an existing Generator (used as is)."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None:
        return np.random.default_rng()
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"expected {name} to be a non-negative int or a numpy Generator, got {seed!r}")
    if seed < 0:
        raise ValueError(f"expected {name} to be a non-negative int or a numpy Generator, got {seed!r}")
    return np.random.default_rng(int(seed))


FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def check_dtype(value, name: str = "dtype") -> np.dtype:
    """``np.float32`` or ``np.float64`` (a dtype, a type or its name) as a numpy dtype; anything else is a ValueError."""
    try:
        dt = np.dtype(value)
    except TypeError:
        dt = None
    if value is None or dt not in FLOAT_DTYPES:
        raise ValueError(f"expected {name} to be np.float32 or np.float64, got {value!r}")
    return dt
