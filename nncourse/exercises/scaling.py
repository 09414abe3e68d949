"""Exercises of the ``scaling`` notebook: z-scoring and min-max scaling with training statistics, and a quiz.

The references are the package's scalers (:class:`nncourse.ZScoreScaler`,
:class:`nncourse.LinearScaler`), called through two thin wrappers below; nothing here repeats their
math. Every case gives the columns very different sizes and offsets, draws the data to transform from
a shifted distribution (so statistics of the wrong array give wrong values), and most cases hold a
column that is constant in the training data. Quiz keys are salted hashes (see
:mod:`nncourse.exercises.quiz`).
"""
from __future__ import annotations

import numpy as np

from nncourse.exercises.base import register
from nncourse.exercises.explained import ExplainedQuiz
from nncourse.exercises.function import Convention, FunctionExercise


def zscore_reference(X_train: np.ndarray, X: np.ndarray) -> np.ndarray:
    """``ZScoreScaler().fit(X_train).transform(X)``: the reference of ``scaling.zscore``."""
    from nncourse.scaling import ZScoreScaler

    return ZScoreScaler().fit(X_train).transform(X)


def linear_scale_reference(X_train: np.ndarray, X: np.ndarray, low: float, high: float) -> np.ndarray:
    """``LinearScaler((low, high)).fit(X_train).transform(X)``: the reference of ``scaling.linear_scale``."""
    from nncourse.scaling import LinearScaler

    return LinearScaler((low, high)).fit(X_train).transform(X)


def _tables(rng: np.random.Generator, N: int, M: int, D: int, constant: int | None) -> tuple:
    """A training table (N, D) and a table to transform (M, D) with columns of very different sizes.

    The second table is shifted and wider than the first, so its own statistics differ from the
    training ones. Column ``constant`` (if any) holds one whole number in the training table, so that
    its standard deviation and its range are exactly 0; in the second table it varies.
    """
    sizes = 10.0 ** rng.uniform(-2, 5, D)
    centres = rng.normal(0.0, 3.0, D) * sizes
    X_train = centres + sizes * rng.standard_normal((N, D))
    X = centres + sizes * (1.0 + 1.5 * rng.standard_normal((M, D)))
    if constant is not None:
        value = float(rng.integers(-5, 6))
        X_train[:, constant] = value
        X[:, constant] = value + rng.standard_normal(M)
    return X_train, X


def _zscore_args(rng: np.random.Generator, N: int, M: int, D: int, constant: int | None = None) -> tuple:
    return _tables(rng, N, M, D, constant)


def _linear_args(rng: np.random.Generator, N: int, M: int, D: int, constant: int | None = None,
                 low: float | None = None, high: float | None = None) -> tuple:
    X_train, X = _tables(rng, N, M, D, constant)
    if low is None:
        low = float(rng.uniform(-3.0, 1.0))
        high = low + float(rng.uniform(0.5, 4.0))
    return X_train, X, float(low), float(high)


def _zscore_sample_std(case) -> np.ndarray:
    """What a z-score with the sample standard deviation (ddof=1, pandas' default) returns."""
    X_train, X = case.args
    std = X_train.std(axis=0, ddof=1)
    safe = np.where(std > 0, std, 1.0)
    return np.where(std > 0, (X - X_train.mean(axis=0)) / safe, 0.0)


_DDOF = ("that is the sample standard deviation (pandas' default, Series.std with ddof=1). The course, like "
         "np.std and scikit-learn's StandardScaler, divides by N (ddof=0): the scaler describes the training "
         "table it has, it does not estimate a population, and then every scaled training column has a "
         "standard deviation of exactly 1")


# -- zscore ---------------------------------------------------------------------------------------
zscore = register(FunctionExercise(
    "scaling.zscore",
    target="zscore",
    title="z-scores of X with the mean and standard deviation of X_train",
    reference="nncourse.exercises.scaling:zscore_reference",
    make_args=_zscore_args,
    # N, M and D differ in every case, so statistics taken along the wrong axis have the wrong shape
    public_shapes=[{"N": 6, "M": 4, "D": 3}, {"N": 5, "M": 3, "D": 4, "constant": 2}],
    random_shapes=[{"N": 8, "M": 5, "D": 3, "constant": 0}, {"N": 10, "M": 6, "D": 5},
                   {"N": 4, "M": 9, "D": 2, "constant": 1}],
    arg_names=("X_train", "X"),
    outputs="Z",
    conventions=(Convention("your standard deviation divides by N - 1", _zscore_sample_std, _DDOF),),
    rtol=1e-7, atol=1e-9,
    points=2,
    time_limit=5.0,
    hints=(
        "Z has the shape of X. Look at the statistics you use: computed from which array (X_train or X), "
        "along which axis (one per column), and what happens in a column whose training values are all equal.",
        "Every row of Z uses one mean and one standard deviation per column of X_train (shape (D,)), with "
        "np.std's default ddof=0 (divide by N, not N - 1); where that standard deviation is 0, Z is 0 in "
        "every row, not NaN or inf.",
        "Z = (X - X_train.mean(axis=0)) / X_train.std(axis=0), with 0 where X_train.std(axis=0) == 0.",
    ),
))


# -- linear_scale ---------------------------------------------------------------------------------
linear_scale = register(FunctionExercise(
    "scaling.linear_scale",
    target="linear_scale",
    title="min-max scaling of X to [low, high] with the minimum and maximum of X_train",
    reference="nncourse.exercises.scaling:linear_scale_reference",
    make_args=_linear_args,
    public_shapes=[{"N": 6, "M": 4, "D": 3, "low": -1.0, "high": 1.0},
                   {"N": 5, "M": 3, "D": 4, "constant": 1, "low": -2.0, "high": 3.0}],
    # [0, 1], the usual range, cannot tell a function that ignores low and high from a right one
    edge_shapes=[{"N": 5, "M": 3, "D": 2, "constant": 0, "low": 0.0, "high": 1.0}],
    random_shapes=[{"N": 8, "M": 5, "D": 3, "constant": 2}, {"N": 10, "M": 6, "D": 5},
                   {"N": 4, "M": 9, "D": 2, "constant": 0}],
    arg_names=("X_train", "X", "low", "high"),
    outputs="Z",
    rtol=1e-7, atol=1e-9,
    points=2,
    time_limit=5.0,
    hints=(
        "Z has the shape of X. Look at which minimum and maximum you use (of which array, one per column) "
        "and where they land: the training minimum at low, the training maximum at high.",
        "Values of X outside the training range land outside [low, high]; where a column of X_train is "
        "constant (max == min), Z is the middle (low + high) / 2 in every row.",
        "Z = low + (X - min) / (max - min) * (high - low), with min and max of X_train along axis 0.",
    ),
))


# -- quiz -----------------------------------------------------------------------------------------
quiz_leakage = register(ExplainedQuiz(
    "scaling.quiz_leakage",
    target="answer_leakage",
    title="why a scaler is fitted on the training part only",
    answer_format="choice",
    options=("A", "B", "C", "D"),
    keys=("9727bf49082a3ab9e0faebf155c1fbc700f1d0b9c9f67e7391d48cd26494c0b9",),
    notes={
        '05ced6ec31508b88ce6952de62ec8ea53b1a68595d364b8d13fb3e888c1636fb':
            'SXchCihUfdYtOFgyEXy3wtYQclofW6DisrdnGBf6oxcWokWMT3q/EzBLfmMzlJ9jAbknos5JTCl6v+z5k7ZwyZZEsPhPUG1p'
            'N9q3zUmem9s2yNVLYBNiTfEYKEncLsMcm9a433o5SpG/wH8hnfe/xzKlLc4z',
        '9c0ee51790a87dcb64adb001ec19d8e6d51fe67a6be5242ba066c7831c887303':
            'ANRsrcUcAKiX9+fBxlJ3ZElcGWQV4YLTuygqa0ZHiHVz7GSXJRhyvI0wxDvr9pGSIE+sYZzwUBrqwdQnEPcduiwZkoYT8Ae6'
            'hoqLw0UN/m0y7Za35sY5JHDkInFUZcC0RnnGT86GWNL8JDURyFLrY6ThY3vGdLpnOiwRkat3Di7ovwryflMuQznYptOw4gt4'
            'DZmmVVb7BZkBKT8sQ3E3feVxLx0X1rl5E5Kn5PJEg/XwiUBAQVbL07Kt6VV7qjk5kod0TpkD9DUOgmmg8MH4AQ8Sl/GgtHE4'
            'cytwoerCsrVghsww/H/7ub3IvtTuEQ==',
        'e5d967219ed6c0fdfefa3d00ae2c31828defe66a271343675185911e11137eb5':
            '1sV0foESqX149LZvdMqLG1qG0OQiuBaC9cPMyezed0Hk4fmLZhHXkcxsEr2iZY1SA/5FQKZadU5rFylb1zBVmwmUOFBG9hvw'
            'e/vs68WBPjCZoF4s1hr3Th9ik7P14SdyveYONHysqT4WHD8g3+f2aJkCxY/oWQFgnIQoBeZQFOxnUxmsZtsMMxE91adcfQQp'
            'GJHiJIy9TE/YEo8=',
        'e4fd8a9917e67e50beeb45f5143ea037c59792c66515abd5fe4e50fdbab55759':
            'fFSdD7LNc6v+sVmnTDDbFJtEGg8nNUdMfCFJsJDLTD31ppQ95B+dGRT8PYGyCUl8e5tXb/6p57kFVx3jaqD/lE9MYDhK68Mh'
            '9i/sqrHreXX+paBpJUCvFG8UAAtXB9UOuucwb7l9wC5zmbNObcdIEvuvxpQ2zAN/ywqeh2bM',
    },
    points=1,
    hints=("Ask what the validation loss is supposed to measure, and which numbers the model may "
           "have seen before it is measured.",),
))
