"""A synthetic tabular regression set built to show why features need scaling.

It imitates house prices, but every number is generated: nothing here describes a real market.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nncourse._validate import check_positive_int, make_rng

FEATURE_NAMES = ("condition", "area_sqft", "income", "distance_km")

_DESCRIPTION = """\
Synthetic house prices, {n} rows, 4 features, generated with seed {seed!r}.

features (columns of X)
  0 condition    uniform in [0, 1]                           scale ~1
  1 area_sqft    normal, mean 1800, std 600, at least 400    scale ~1e3
  2 income       uniform in [30000, 150000]                  scale ~1e5
  3 distance_km  log-normal, exp(normal(1, 0.9))             heavy right tail
target y (price_k, thousands)
  y = 50 + 60 condition + 0.05 area_sqft + 0.003 income - 30 ln(distance_km) + noise,
  noise normal with std 10
outliers
  {k} rows (outlier_mask) have area_sqft recorded 10 times too large, a typing error;
  their y was computed from the true area.
why it needs scaling
  the income column is ~1e5, so the mean squared error has curvature ~1e10 along its weight:
  plain gradient descent with lr=0.01 on the raw columns diverges within a few steps, while
  on z-scored columns the same learning rate converges. The outliers squash the other areas
  into a sliver of a min-max scaled column and weaken a linear fit; clipping area_sqft to its
  training percentiles helps, and log(distance_km) turns the curved effect into a straight one."""


@dataclass(frozen=True, repr=False, eq=False)
class ScalingRegression:
    """A generated regression table: inputs, target, names, outliers and a description.

    Attributes
    ----------
    X : ndarray, shape (N, 4), float64
        Columns named by `feature_names`.
    y : ndarray, shape (N,), float64
        The target, a price in thousands.
    feature_names : tuple of str
    outlier_mask : ndarray, shape (N,), bool
        True for the rows whose ``area_sqft`` is a typing error.
    description : str
        How every column and the target were generated.
    target_name : str
    """

    X: np.ndarray
    y: np.ndarray
    feature_names: tuple
    outlier_mask: np.ndarray
    description: str
    target_name: str = "price_k"

    def __repr__(self) -> str:
        return (f"ScalingRegression(n_samples={len(self.y)}, "
                f"features=[{', '.join(self.feature_names)}], target={self.target_name}, "
                f"n_outliers={int(self.outlier_mask.sum())})")


def make_scaling_regression(n_samples: int = 1000, *, n_outliers: int = 5,
                            seed=0) -> ScalingRegression:
    """Generate the feature-scaling lesson's regression set (synthetic house prices).

    Parameters
    ----------
    n_samples : int
        Number of rows (>= 1).
    n_outliers : int
        Number of rows whose ``area_sqft`` is recorded 10 times too large (0..n_samples).
    seed : int or numpy.random.Generator

    Returns
    -------
    ScalingRegression
        With ``X`` of shape (n_samples, 4), ``y`` of shape (n_samples,), ``feature_names``,
        ``outlier_mask`` of shape (n_samples,) and ``description``.

    Notes
    -----
    Columns: ``condition`` ~ U(0, 1); ``area_sqft`` ~ N(1800, 600^2) floored at 400;
    ``income`` ~ U(30000, 150000); ``distance_km`` = exp(N(1, 0.9^2)) (log-normal). The target is
    ``y = 50 + 60 condition + 0.05 area + 0.003 income - 30 ln(distance) + N(0, 10^2)``, computed
    before the outliers' area is multiplied by 10. ``description`` repeats this in words.
    """
    n = check_positive_int(n_samples, "n_samples", 1)
    n_outliers = check_positive_int(n_outliers, "n_outliers", 0)
    if n_outliers > n:
        raise ValueError(f"expected n_outliers <= n_samples ({n}), got {n_outliers}")
    rng = make_rng(seed)
    condition = rng.random(n)
    area = np.maximum(rng.normal(1800.0, 600.0, n), 400.0)
    income = rng.uniform(30_000.0, 150_000.0, n)
    distance = np.exp(rng.normal(1.0, 0.9, n))
    y = (50.0 + 60.0 * condition + 0.05 * area + 0.003 * income - 30.0 * np.log(distance)
         + rng.normal(0.0, 10.0, n))
    outlier_mask = np.zeros(n, dtype=bool)
    outlier_mask[rng.choice(n, size=n_outliers, replace=False)] = True
    area = np.where(outlier_mask, 10.0 * area, area)
    X = np.column_stack([condition, area, income, distance])
    text = _DESCRIPTION.format(n=n, seed=seed if not isinstance(seed, np.random.Generator)
                               else "Generator", k=n_outliers)
    return ScalingRegression(X=X, y=y, feature_names=FEATURE_NAMES, outlier_mask=outlier_mask,
                             description=text)
