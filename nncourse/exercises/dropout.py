"""Exercises of the ``dropout`` notebook: inverted dropout's forward pass from a given random draw.

The reference is the package's own :func:`nncourse.functional.dropout_forward`, fed the case's
uniform numbers through a Generator that returns them, so nothing here repeats its math.

Every case that earns points drops some units and keeps others with a drop probability strictly
between 0 and 1 (a draw just below and one just above ``drop_prob`` are planted in each), so an
implementation that forgets to rescale the kept units, or reads ``drop_prob`` as a keep
probability, fails all of them. Drop probabilities 0 and 1 are edge cases: they check that
``drop_prob = 1`` gives zeros (not a division by zero) but earn nothing on their own.
"""
from __future__ import annotations

import numpy as np

from nncourse.exercises.base import register
from nncourse.exercises.function import Convention, FunctionExercise

NOTEBOOK_NUMBER = 7


class GivenUniform(np.random.Generator):
    """A Generator whose ``random(size)`` returns the given array, so the package draws exactly that mask.

    Parameters
    ----------
    u : ndarray
        The uniform numbers in [0, 1) that ``random`` returns (a copy of them, whatever the call).
    """

    def __init__(self, u: np.ndarray) -> None:
        super().__init__(np.random.PCG64(0))
        self._u = np.asarray(u, dtype=np.float64)

    def random(self, size=None, dtype=np.float64, out=None):
        if size is not None and tuple(np.atleast_1d(size)) != self._u.shape:
            raise ValueError(f"expected a draw of shape {self._u.shape}, got a request for {size}")
        return self._u.copy()


def dropout_reference(x: np.ndarray, drop_prob: float, u: np.ndarray) -> np.ndarray:
    """``nncourse.functional.dropout_forward(x, drop_prob)`` with its uniform draw replaced by ``u``.

    The package drops unit i where its draw ``rng.random(x.shape)[i] < drop_prob``; handing it a
    Generator that returns ``u`` gives the package's output for that very mask.

    Parameters
    ----------
    x : ndarray, shape (N, D)
    drop_prob : float in [0, 1]
    u : ndarray, shape (N, D), uniform numbers in [0, 1)

    Returns
    -------
    out : ndarray, shape (N, D)
    """
    from nncourse.functional import dropout_forward

    out, _ = dropout_forward(x, drop_prob, train=True, rng=GivenUniform(u))
    return out


def _dropout_args(rng: np.random.Generator, N: int, D: int, drop_prob: float | None = None) -> tuple:
    if drop_prob is None:  # randomized cases draw their own rate, away from 0.5 (where p = 1 - p)
        drop_prob = float(np.round(rng.choice([rng.uniform(0.1, 0.4), rng.uniform(0.6, 0.9)]), 2))
    x = rng.standard_normal((N, D))
    x[x == 0.0] = 1.0
    u = rng.random((N, D))
    if 0.0 < drop_prob < 1.0:  # every such case drops one unit and keeps another, whatever the draw
        u[0, 0], u[0, 1] = drop_prob / 2, (1.0 + drop_prob) / 2
    return x, float(drop_prob), u


def _keep_prob(case) -> np.ndarray:
    """What a function that reads drop_prob as the probability of KEEPING a unit returns."""
    x, p, u = case.args
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(u < p, x / p, 0.0)


def _keep_prob_mirrored(case) -> np.ndarray:
    x, p, u = case.args
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(u >= 1.0 - p, x / p, 0.0)


def _mirrored_mask(case) -> np.ndarray:
    """Drops where u >= 1 - drop_prob: the right rate and scale, the other half of the draws."""
    x, p, u = case.args
    return np.where(u < 1.0 - p, x / (1.0 - p), 0.0) if p < 1 else np.zeros_like(x)


_KEEP = ("the course's drop_prob is the probability of DROPPING a unit, as in PyTorch's nn.Dropout(p) and "
         "Keras' Dropout(rate); the original paper (Srivastava et al., 2014) and TensorFlow 1 wrote the "
         "probability of keeping one (keep_prob = 1 - drop_prob). The course uses drop_prob because "
         "drop_prob = 0 then means 'no dropout', the same number as in the layers you will use next. "
         "Drop unit i where u[i] < drop_prob and divide the kept ones by 1 - drop_prob")

dropout_forward = register(FunctionExercise(
    "dropout.dropout_forward",
    target="dropout_forward",
    title="inverted dropout: drop where u < drop_prob and rescale the kept units",
    reference="nncourse.exercises.dropout:dropout_reference",
    make_args=_dropout_args,
    # no rate of 0.5: there 1 / drop_prob = 1 / (1 - drop_prob), and a wrong scale would pass
    public_shapes=[{"N": 2, "D": 5, "drop_prob": 0.4}, {"N": 3, "D": 4, "drop_prob": 0.2}],
    random_shapes=[{"N": 4, "D": 3}, {"N": 3, "D": 5}, {"N": 5, "D": 2}, {"N": 2, "D": 6}],
    edge_shapes=[{"N": 2, "D": 3, "drop_prob": 1.0}, {"N": 3, "D": 2, "drop_prob": 0.0}],
    arg_names=("x", "drop_prob", "u"),
    outputs="out",
    rtol=1e-9, atol=1e-12,
    points=2,
    time_limit=5.0,
    conventions=(
        Convention("your function reads drop_prob as the probability of keeping a unit", _keep_prob, _KEEP),
        Convention("your function reads drop_prob as the probability of keeping a unit", _keep_prob_mirrored,
                   _KEEP),
        Convention("your mask drops the units whose draw is u >= 1 - drop_prob",
                   _mirrored_mask,
                   "that drops the right fraction of units, but not the ones the course's Dropout drops for "
                   "the same draws: the course (like the package's Dropout layer) drops unit i where "
                   "u[i] < drop_prob, so that your function and the layer agree on every mask"),
    ),
    hints=(
        "out has the shape of x. Look at two things: which units are dropped (compare u with "
        "drop_prob), and what the mean of out should be compared with the mean of x.",
        "A unit is dropped where u < drop_prob (so drop_prob = 0 keeps everything). The kept units must "
        "be scaled up so that each unit of out has the same expected value as the unit of x.",
        "A unit is kept with probability 1 - drop_prob, so a kept unit multiplied by c has the expected "
        "value c * (1 - drop_prob) * x: choose c to make that x. With drop_prob = 1 every unit is dropped: "
        "return zeros, do not divide by 0.",
        "out = x * (u >= drop_prob) / (1 - drop_prob), and zeros when drop_prob == 1.",
    ),
))
