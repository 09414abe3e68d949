"""The scaler protocol (:class:`Scaler`), its input checks and the "none" scaler."""
from __future__ import annotations

import numpy as np

from nncourse._validate import as_float_array


class NotFittedError(ValueError):
    """A scaler was used before ``fit`` was called."""


def _as_2d(X, who: str) -> np.ndarray:
    """Return X as a new float64 (N, D) array, or raise an error a student can act on."""
    try:
        arr = as_float_array(X, "X", allow_nan=True)  # the engine's type check (numbers only)
    except TypeError as exc:
        raise TypeError(f"{who}: {exc}") from None
    if arr.ndim == 1:
        raise ValueError(f"{who}: expected X of shape (N, D), got a 1-D array of shape "
                         f"{arr.shape}; use X.reshape(-1, 1) for a single feature or "
                         "X.reshape(1, -1) for a single example")
    if arr.ndim != 2:
        raise ValueError(f"{who}: expected X of shape (N, D), got shape {arr.shape}")
    arr = arr.astype(np.float64)
    bad = ~np.isfinite(arr)
    if bad.any():
        nan = np.isnan(arr)
        parts = []
        for label, mask in (("NaN", nan), ("infinite", bad & ~nan)):
            cols = np.flatnonzero(mask.any(axis=0))
            if cols.size:
                where = ", ".join(f"column {c}: {int(mask[:, c].sum())}" for c in cols[:10])
                more = ", ..." if cols.size > 10 else ""
                parts.append(f"{int(mask.sum())} {label} value(s) ({where}{more})")
        raise ValueError(f"{who}: X contains {' and '.join(parts)}; "
                         "impute or drop the rows before scaling")
    return arr


class Scaler:
    """Base class: input checks, the fit/transform protocol and the ``__repr__``."""

    _params: tuple[str, ...] = ()

    @property
    def fitted(self) -> bool:
        """True once ``fit`` has been called."""
        return getattr(self, "n_features_in_", None) is not None

    def fit(self, X) -> "Scaler":
        """Learn the scaler's statistics from training data X, shape (N, D); returns self."""
        X = _as_2d(X, f"{type(self).__name__}.fit")
        if X.shape[0] == 0:
            raise ValueError(f"{type(self).__name__}.fit: expected at least one row, got X of "
                             f"shape {X.shape}")
        self._fit(X)
        self.n_features_in_ = X.shape[1]
        return self

    def transform(self, X) -> np.ndarray:
        """Scale X, shape (N, D), with the statistics learnt by ``fit``."""
        return self._transform(self._checked(X, "transform"))

    def fit_transform(self, X) -> np.ndarray:
        """``fit(X)`` then ``transform(X)``."""
        return self.fit(X).transform(X)

    def inverse_transform(self, Z) -> np.ndarray:
        """Map scaled values Z, shape (N, D), back to the original units."""
        return self._inverse(self._checked(Z, "inverse_transform"))

    def _checked(self, X, method: str) -> np.ndarray:
        name = type(self).__name__
        if not self.fitted:
            raise NotFittedError(f"this {name} is not fitted yet; call fit(X_train) first")
        X = _as_2d(X, f"{name}.{method}")
        if X.shape[1] != self.n_features_in_:
            raise ValueError(f"{name}.{method}: the scaler was fitted on {self.n_features_in_} "
                             f"feature(s) but X has {X.shape[1]} column(s)")
        return X

    def _column(self, j: int) -> int:
        """Column number to show in messages (a ColumnScaler sets the real one)."""
        return getattr(self, "_column_ids", range(j + 1))[j]

    def _fit(self, X: np.ndarray) -> None:
        pass

    def _transform(self, X: np.ndarray) -> np.ndarray:
        return X

    def _inverse(self, Z: np.ndarray) -> np.ndarray:
        return Z

    def _spec(self) -> str:
        args = ", ".join(f"{k}={getattr(self, k)!r}" for k in self._params
                         if getattr(self, k) is not None)
        return f"{type(self).__name__}({args})"

    def __repr__(self) -> str:
        state = f"fitted on {self.n_features_in_} feature(s)" if self.fitted else "not fitted"
        return f"{self._spec()[:-1]}{'; ' if self._params else ''}{state})"


class IdentityScaler(Scaler):
    """No scaling: ``transform`` returns a float64 copy of X (the "none" choice)."""

    def __init__(self):
        pass
