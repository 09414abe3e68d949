"""Exercise of the ``dropout`` notebook: the backward pass of inverted dropout, derived from its forward pass.

The student receives the upstream gradient ``dout``, the drop probability and the uniform draw ``u`` that
decided which units the forward pass dropped (unit i where ``u[i] < drop_prob``), and returns ``dx``.
The reference is the package's own pair: :func:`nncourse.functional.dropout_forward` fed ``u`` through a
Generator that returns it, then :func:`nncourse.functional.dropout_backward` on the mask it cached;
finite differences of the forward pass confirm it. Nothing here repeats the formula.

Every case that earns points has a drop probability strictly between 0 and 1, away from 0.5 (where
``1 / drop_prob`` and ``1 / (1 - drop_prob)`` coincide), with one dropped and one kept unit planted,
so forgetting the rescaling, rescaling the wrong way or flipping the mask fails every one of them.
A drop probability of 1 is an edge case that earns nothing on its own.
"""
from __future__ import annotations

import numpy as np

from nncourse.exercises.base import Case, register
from nncourse.exercises.dropout import GivenUniform
from nncourse.exercises.function import Convention, FunctionExercise


def dropout_backward_reference(dout: np.ndarray, drop_prob: float, u: np.ndarray) -> np.ndarray:
    """The gradient of inverted dropout's output with respect to its input, as the package computes it.

    Parameters
    ----------
    dout : ndarray, shape (N, D), the upstream gradient.
    drop_prob : float in [0, 1], the probability of DROPPING a unit.
    u : ndarray, shape (N, D), the uniform draw of the forward pass (unit i dropped where u[i] < drop_prob).

    Returns
    -------
    dx : ndarray, shape (N, D)
    """
    from nncourse.functional import dropout_backward, dropout_forward

    _, cache = dropout_forward(np.ones_like(dout), drop_prob, train=True, rng=GivenUniform(u))
    return np.array(dropout_backward(dout, cache), copy=True)


def _args(rng: np.random.Generator, N: int, D: int, drop_prob: float | None = None) -> tuple:
    if drop_prob is None:  # away from 0.5, where dividing by drop_prob or by 1 - drop_prob agree
        drop_prob = float(np.round(rng.choice([rng.uniform(0.1, 0.4), rng.uniform(0.6, 0.9)]), 2))
    dout = rng.standard_normal((N, D))
    dout[dout == 0.0] = 1.0
    u = rng.random((N, D))
    if 0.0 < drop_prob < 1.0:  # one dropped and one kept unit in every case, whatever the draw
        u[0, 0], u[0, 1] = drop_prob / 2, (1.0 + drop_prob) / 2
    return dout, float(drop_prob), u


def _numerical(case: Case) -> tuple:
    """Finite differences of ``sum(dropout_forward(x) * dout)`` with respect to x, for the case's mask."""
    from nncourse.functional import dropout_forward
    from nncourse.gradcheck import numerical_gradient

    dout, p, u = case.args
    x = np.random.default_rng(0).standard_normal(dout.shape)
    return (numerical_gradient(lambda: dropout_forward(x, p, train=True, rng=GivenUniform(u))[0], x, dout),)


def _keep_prob(case) -> tuple:
    """What a function that reads drop_prob as the probability of KEEPING a unit returns."""
    dout, p, u = case.args
    with np.errstate(divide="ignore", invalid="ignore"):
        return (np.where(u < p, dout / p, 0.0),)


dropout_backward = register(FunctionExercise(
    "dropout.dropout_backward",
    target="dropout_backward",
    title="the gradient dx of inverted dropout, from dout and the draw u",
    reference="nncourse.exercises.dropout_backward:dropout_backward_reference",
    make_args=_args,
    public_shapes=[{"N": 2, "D": 5, "drop_prob": 0.3}, {"N": 3, "D": 4, "drop_prob": 0.6}],
    random_shapes=[{"N": 4, "D": 3}, {"N": 3, "D": 5}, {"N": 5, "D": 2}],
    edge_shapes=[{"N": 2, "D": 3, "drop_prob": 1.0}],
    arg_names=("dout", "drop_prob", "u"),
    outputs="dx",
    rtol=1e-9, atol=1e-12,
    numerical=_numerical, fd_tolerance=1e-7,
    points=2,
    time_limit=5.0,
    conventions=(
        Convention("your function reads drop_prob as the probability of keeping a unit", _keep_prob,
                   "the course's drop_prob is the probability of DROPPING a unit (as PyTorch's "
                   "nn.Dropout(p)); a unit was dropped in the forward pass where u[i] < drop_prob"),
    ),
    hints=(
        "dx has the shape of dout. Check two things against the forward pass: which units can pass a "
        "gradient back at all, and by what factor a kept unit's output changed when its input changed.",
        "A dropped unit's output is 0 whatever its input, so its gradient is 0. A kept unit's output is "
        "its input times a constant: the gradient is dout times that same constant.",
        "The constant is the forward pass's rescaling factor, the one that keeps a unit's expected value: "
        "the gradient of a kept unit is dout times it, not dout alone. With drop_prob = 1 every unit was "
        "dropped: return zeros, do not divide by 0.",
        "dx = dout * (u >= drop_prob) / (1 - drop_prob), and zeros when drop_prob == 1.",
    ),
))
