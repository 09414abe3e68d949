"""The scalers of single columns: linear (min-max), clip, log and z-score."""
from __future__ import annotations

import numpy as np

from nncourse._validate import check_number
from nncourse.scaling.base import Scaler


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
        a, b = (check_number(v, "feature_range[{}]".format(i)) for i, v in enumerate(feature_range))
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
                p = [check_number(v, "percentiles") for v in percentiles]
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
        self.offset = check_number(offset, "offset")

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
