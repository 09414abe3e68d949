"""Feature scaling: learn statistics on the training data, then apply them to any data.

Every scaler has ``fit(X_train) -> self``, ``transform(X)``, ``fit_transform(X)`` and
``inverse_transform(X)``; ``X`` has shape (N, D), one column per feature, and results are new
float64 arrays (the input is never changed). Statistics learnt by ``fit`` end with an underscore
(``mean_``, ``data_min_``, ...). Fit on the training part only and reuse the fitted scaler on the
validation and test parts, so that no information leaks from them into training.

- `IdentityScaler` ("none"): leaves values as they are.
- `LinearScaler` ("linear"): min-max scaling to a range such as [-1, 1].
- `ClipScaler` ("clip"): clips to fixed bounds or to training percentiles.
- `LogScaler` ("log"): ``log(x + offset)`` for heavy-tailed positive features.
- `ZScoreScaler` ("zscore"): mean 0 and standard deviation 1 on the training data.
- `ColumnScaler`: a different scaler per column; `Chain`: scalers one after the other.
- `make_scaler(name, **kwargs)` builds one of the above by its name.
"""
from __future__ import annotations

import copy
import inspect
import numbers

import numpy as np


class NotFittedError(ValueError):
    """A scaler was used before ``fit`` was called."""


def _as_2d(X, who: str) -> np.ndarray:
    """Return X as a new float64 (N, D) array, or raise an error a student can act on."""
    arr = np.asarray(X)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{who}: expected X to hold numbers, got an array of dtype {arr.dtype}")
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


def _number(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise ValueError(f"expected {name} to be a finite number, got {value!r}")
    return float(value)


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


class LinearScaler(Scaler):
    """Min-max scaling: the training minimum maps to ``a`` and the maximum to ``b``.

    Parameters
    ----------
    feature_range : (a, b)
        Target range with a < b, e.g. (-1, 1) or (0, 1).

    Notes
    -----
    ``z = a + (x - min) / (max - min) * (b - a)`` per column, with min and max taken on the
    training data (``data_min_``, ``data_max_``). New data outside the training range maps outside
    [a, b]. A constant training column maps to the middle of the range, (a + b) / 2.
    """

    _params = ("feature_range",)

    def __init__(self, feature_range=(-1, 1)):
        if not isinstance(feature_range, (tuple, list)) or len(feature_range) != 2:
            raise ValueError(f"expected feature_range to be a pair (a, b), got {feature_range!r}")
        a, b = (_number(v, "feature_range[{}]".format(i)) for i, v in enumerate(feature_range))
        if not a < b:
            raise ValueError(f"expected feature_range (a, b) with a < b, got {feature_range!r}")
        self.feature_range = (a, b)

    def _fit(self, X):
        self.data_min_, self.data_max_ = X.min(axis=0), X.max(axis=0)

    def _transform(self, X):
        a, b = self.feature_range
        span = self.data_max_ - self.data_min_
        z = a + (X - self.data_min_) / np.where(span == 0, 1.0, span) * (b - a)
        return np.where(span == 0, (a + b) / 2, z)

    def _inverse(self, Z):
        a, b = self.feature_range
        return self.data_min_ + (Z - a) / (b - a) * (self.data_max_ - self.data_min_)


class ClipScaler(Scaler):
    """Clip every column to bounds: fixed values, or percentiles of the training data.

    Parameters
    ----------
    low, high : float or array of shape (D,) or None
        Fixed bounds (None: no bound on that side).
    percentiles : (p_low, p_high) or None
        Percentiles of each training column, 0 <= p_low < p_high <= 100, e.g. (1, 99).
        When neither bounds nor percentiles are given, percentiles (1, 99) are used.

    Notes
    -----
    The bounds in use are ``low_`` and ``high_`` (shape (D,)) after ``fit``. Clipping loses the
    values beyond the bounds, so ``inverse_transform`` returns its input unchanged.
    """

    _params = ("low", "high", "percentiles")

    def __init__(self, low=None, high=None, *, percentiles=None):
        if percentiles is not None and (low is not None or high is not None):
            raise ValueError(f"give either low/high or percentiles, not both; got low={low!r}, "
                             f"high={high!r}, percentiles={percentiles!r}")
        if percentiles is None and low is None and high is None:
            percentiles = (1, 99)
        if percentiles is not None:
            ok = isinstance(percentiles, (tuple, list)) and len(percentiles) == 2
            if ok:
                p = [_number(v, "percentiles") for v in percentiles]
                ok = 0 <= p[0] < p[1] <= 100
            if not ok:
                raise ValueError("expected percentiles (p_low, p_high) with "
                                 f"0 <= p_low < p_high <= 100, got {percentiles!r}")
            percentiles = tuple(percentiles)
        for name, v in (("low", low), ("high", high)):
            arr = np.asarray(v if v is not None else 0.0)
            if arr.dtype.kind not in "iuf" or not np.all(np.isfinite(arr)):
                raise ValueError(f"expected {name} to be a finite number, an array of finite "
                                 f"numbers (one per column) or None, got {v!r}")
        if low is not None and high is not None and not np.all(np.less(low, high)):
            raise ValueError(f"expected low < high, got low={low!r} and high={high!r}")
        self.low, self.high, self.percentiles = low, high, percentiles

    def _fit(self, X):
        d = X.shape[1]
        if self.percentiles is not None:
            self.low_, self.high_ = np.percentile(X, self.percentiles, axis=0)
            return
        bounds = []
        for name, v, default in (("low", self.low, -np.inf), ("high", self.high, np.inf)):
            b = np.asarray(default if v is None else v, dtype=np.float64)
            if b.ndim > 1 or (b.ndim == 1 and b.shape[0] != d):
                raise ValueError(f"ClipScaler.fit: {name} has shape {b.shape} but X has {d} "
                                 "column(s); give one number or one per column")
            bounds.append(np.broadcast_to(b, (d,)).copy())
        self.low_, self.high_ = bounds

    def _transform(self, X):
        return np.clip(X, self.low_, self.high_)


class LogScaler(Scaler):
    """Logarithm with an offset: ``z = log(x + offset)``, for positive, heavy-tailed features.

    Parameters
    ----------
    offset : float
        Added before the logarithm (default 1.0, so that 0 maps to 0). Every value must satisfy
        ``x + offset > 0``, on the training data and on any data transformed later.

    Notes
    -----
    ``data_min_`` holds the training minimum of each column; ``inverse_transform`` is
    ``exp(z) - offset``.
    """

    _params = ("offset",)

    def __init__(self, offset: float = 1.0):
        self.offset = _number(offset, "offset")

    def _check_positive(self, X, method: str) -> None:
        low = X.min(axis=0) if X.shape[0] else np.zeros(X.shape[1])
        bad = np.flatnonzero(low + self.offset <= 0)
        if bad.size:
            j = bad[0]
            raise ValueError(
                f"LogScaler.{method}: column {self._column(j)} has minimum value {low[j]:g}, but "
                f"log(x + {self.offset:g}) needs x + offset > 0; use an offset greater than "
                f"{-low[j]:g} or another scaler")

    def _fit(self, X):
        self._check_positive(X, "fit")
        self.data_min_ = X.min(axis=0)

    def _transform(self, X):
        self._check_positive(X, "transform")
        return np.log(X + self.offset)

    def _inverse(self, Z):
        return np.exp(Z) - self.offset


class ZScoreScaler(Scaler):
    """Standardisation: ``z = (x - mean_) / std_`` per column, with training mean and std.

    Notes
    -----
    ``std_`` is the population standard deviation (ddof=0), so the scaled training data has
    mean 0 and standard deviation exactly 1 per column. A column that is constant in the training
    data carries no information, and maps to 0 for any input.
    """

    def __init__(self):
        pass

    def _fit(self, X):
        self.mean_, self.std_ = X.mean(axis=0), X.std(axis=0)
        self.constant_ = X.max(axis=0) == X.min(axis=0)

    def _transform(self, X):
        z = (X - self.mean_) / np.where(self.constant_, 1.0, self.std_)
        return np.where(self.constant_, 0.0, z)

    def _inverse(self, Z):
        return self.mean_ + Z * np.where(self.constant_, 0.0, self.std_)


def _as_scaler(value, where: str) -> Scaler:
    if isinstance(value, str):
        return make_scaler(value)
    if not isinstance(value, Scaler):
        raise TypeError(f"expected {where} to be a scaler or a scaler name "
                        f"({', '.join(SCALER_NAMES)}), got {value!r}")
    return value


class ColumnScaler(Scaler):
    """A scaler per column; columns not listed are left unchanged.

    Parameters
    ----------
    scalers : dict[int, Scaler or str]
        Column index (negative counts from the end) -> scaler, or a name for `make_scaler`,
        e.g. ``{0: "log", 2: ZScoreScaler()}``. ``fit`` fits copies, kept in ``scalers_``;
        the scalers given here are left untouched.
    """

    def __init__(self, scalers: dict):
        if not isinstance(scalers, dict):
            raise TypeError(f"expected scalers to be a dict {{column: scaler}}, got {scalers!r}")
        self.scalers = {}
        for col, s in scalers.items():
            if isinstance(col, bool) or not isinstance(col, numbers.Integral):
                raise TypeError(f"expected column indices to be ints, got {col!r}")
            self.scalers[int(col)] = _as_scaler(s, f"scalers[{col}]")

    def _fit(self, X):
        d = X.shape[1]
        fitted_scalers = {}
        for col, s in self.scalers.items():
            if not -d <= col < d:
                raise ValueError(f"ColumnScaler.fit: column {col} does not exist in X with "
                                 f"{d} column(s)")
            if col % d in fitted_scalers:
                raise ValueError(f"ColumnScaler.fit: column {col % d} is given twice")
            fitted = copy.deepcopy(s)
            fitted._column_ids = (col % d,)
            fitted_scalers[col % d] = fitted.fit(X[:, [col % d]])
        self.scalers_ = fitted_scalers

    def _apply(self, X, method: str):
        out = X.copy()
        for col, s in self.scalers_.items():
            out[:, [col]] = getattr(s, method)(X[:, [col]])
        return out

    def _transform(self, X):
        return self._apply(X, "transform")

    def _inverse(self, Z):
        return self._apply(Z, "inverse_transform")

    def _spec(self):
        inner = ", ".join(f"{c}: {s._spec()}" for c, s in self.scalers.items())
        return f"ColumnScaler({{{inner}}})"

    def __repr__(self):
        state = f"fitted on {self.n_features_in_} feature(s)" if self.fitted else "not fitted"
        return f"{self._spec()[:-1]}; {state})"


class Chain(Scaler):
    """Scalers applied one after the other, e.g. ``Chain(ClipScaler(), ZScoreScaler())``.

    ``fit`` fits copies of the given scalers in turn (each on the output of the previous one),
    kept in ``steps_``; ``inverse_transform`` undoes them in reverse order.
    """

    def __init__(self, *steps):
        if not steps:
            raise ValueError("expected at least one scaler in Chain(...), got none")
        self.steps = [_as_scaler(s, f"step {i}") for i, s in enumerate(steps)]

    def _fit(self, X):
        steps = []
        for s in self.steps:
            fitted = copy.deepcopy(s)
            if hasattr(self, "_column_ids"):
                fitted._column_ids = self._column_ids
            X = fitted.fit_transform(X)
            steps.append(fitted)
        self.steps_ = steps

    def _transform(self, X):
        for s in self.steps_:
            X = s.transform(X)
        return X

    def _inverse(self, Z):
        for s in reversed(self.steps_):
            Z = s.inverse_transform(Z)
        return Z

    def _spec(self):
        return f"Chain({', '.join(s._spec() for s in self.steps)})"

    __repr__ = ColumnScaler.__repr__


_SCALERS = {"none": IdentityScaler, "linear": LinearScaler, "clip": ClipScaler,
            "log": LogScaler, "zscore": ZScoreScaler}
SCALER_NAMES = tuple(_SCALERS)


def make_scaler(name: str, **kwargs) -> Scaler:
    """Build a scaler by name: "none", "linear", "clip", "log" or "zscore".

    Parameters
    ----------
    name : str
    **kwargs
        Passed to the scaler, e.g. ``make_scaler("linear", feature_range=(0, 1))``,
        ``make_scaler("clip", percentiles=(5, 95))``, ``make_scaler("log", offset=0.5)``.

    Returns
    -------
    Scaler
        A new, unfitted scaler.
    """
    if not isinstance(name, str) or name not in _SCALERS:
        raise ValueError(f"unknown scaler {name!r}; choose one of {', '.join(SCALER_NAMES)}")
    cls = _SCALERS[name]
    accepted = list(inspect.signature(cls).parameters)
    unknown = sorted(set(kwargs) - set(accepted))
    if unknown:
        raise TypeError(f"unknown keyword argument(s) {', '.join(unknown)} for scaler {name!r}; "
                        f"it accepts {', '.join(accepted) or 'no arguments'}")
    return cls(**kwargs)
