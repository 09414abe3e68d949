"""Scalers built from scalers: :class:`ColumnScaler` (one per column), :class:`Chain`, and :func:`make_scaler`."""
from __future__ import annotations

import copy
import inspect
import numbers

from nncourse.scaling.base import IdentityScaler, Scaler
from nncourse.scaling.scalers import ClipScaler, LinearScaler, LogScaler, ZScoreScaler


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
