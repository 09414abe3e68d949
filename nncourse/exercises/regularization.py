"""Exercises of the ``regularization`` notebook: the L2 penalty with its gradient, and a quiz on
dropout at evaluation time (the dropout exercise itself is in :mod:`nncourse.exercises.dropout`).

The references are the package's own code: :func:`nncourse.optim.penalty` and the gradient that
:class:`nncourse.optim.SGD` adds for ``weight_decay``. Nothing here repeats their math. The quiz key
is a salted hash (see :mod:`nncourse.exercises.quiz`).
"""
from __future__ import annotations

import numbers

import numpy as np

from nncourse.exercises.base import Case, CaseResult, SanitizeError, register
from nncourse.exercises.explained import ExplainedQuiz
from nncourse.exercises.function import FunctionExercise


# -- l2_penalty -------------------------------------------------------------------------------------
def _model_of(weights):
    """A Sequential of Linear layers holding copies of ``weights`` (2-D arrays) as their ``W``."""
    from nncourse.layers import Linear
    from nncourse.model import Sequential

    layers = []
    for W in weights:
        layer = Linear(W.shape[0], W.shape[1], init="zeros")
        layer.params["W"][...] = W
        layers.append(layer)
    return Sequential(*layers)


def l2_reference(weights, weight_decay: float) -> tuple:
    """``(penalty, grads)`` as the package computes them.

    The penalty is :func:`nncourse.optim.penalty`. The gradient is what ``SGD(lr=1, weight_decay=...)``
    subtracts from each ``W`` when the data gradient is zero: the package's own convention.
    """
    from nncourse.optim import SGD, penalty

    model = _model_of(weights)
    value = penalty(model, weight_decay=weight_decay)
    before = [layer.params["W"].copy() for layer in model.layers]
    for grad in model.grads.values():
        grad[...] = 0.0
    SGD(lr=1.0, weight_decay=weight_decay).step(model)
    grads = [b - layer.params["W"] for b, layer in zip(before, model.layers)]
    return value, grads


def _l2_args(rng: np.random.Generator, shapes: tuple, weight_decay: float | None = None) -> tuple:
    if weight_decay is None:
        weight_decay = float(np.round(rng.uniform(0.001, 0.5), 3))
    weights = [rng.standard_normal(shape) for shape in shapes]
    return weights, float(weight_decay)


class PenaltyExercise(FunctionExercise):
    """A function returning ``(penalty, grads)``: one number and one array per weight matrix."""

    def _want(self) -> str:
        return "a tuple (penalty, grads): one number and a list with one numpy array per weight matrix"

    def sanitize(self, raw) -> tuple:
        """``(penalty as a 0-d float64 array, grad_0, grad_1, ...)``."""
        if type(raw) not in (tuple, list) or len(raw) != 2:
            got = f"a {type(raw).__name__} of {len(raw)} items" if type(raw) in (tuple, list) \
                else type(raw).__name__
            raise SanitizeError(f"wrong type: expected {self._want()}, got {got}")
        value, grads = raw
        if isinstance(value, (bool, np.bool_)):
            raise SanitizeError("wrong type: expected penalty to be a number, got a bool")
        if issubclass(type(value), np.ndarray):
            if value.ndim != 0:
                raise SanitizeError(f"wrong type: expected penalty to be one number, got an array of shape "
                                    f"{value.shape} (add the terms of every matrix up into one number)")
            value = value[()]
        if not isinstance(value, (numbers.Real, np.integer, np.floating)):
            raise SanitizeError(f"wrong type: expected penalty to be a number, got {type(value).__name__}")
        if issubclass(type(grads), np.ndarray):
            raise SanitizeError(f"wrong type: expected grads to be a list with one array per weight matrix, "
                                f"got a single array of shape {grads.shape}")
        if type(grads) not in (tuple, list):
            raise SanitizeError(f"wrong type: expected grads to be a list of numpy arrays, got "
                                f"{type(grads).__name__}")
        pen = np.array(float(value), dtype=np.float64)
        return (pen,) + tuple(self._array(g, f"grads[{i}]") for i, g in enumerate(grads))

    def expected(self, case: Case) -> tuple:
        import copy

        value, grads = l2_reference(*copy.deepcopy(case.args))
        return (np.array(value, dtype=np.float64),) + tuple(np.array(g, dtype=np.float64) for g in grads)

    def compare(self, got: tuple, expected: tuple, case: Case) -> CaseResult:
        if len(got) != len(expected):
            return CaseResult(case.name, "failed",
                              f"wrong number of gradients: grads has {len(got) - 1} arrays, expected "
                              f"{len(expected) - 1} (one per weight matrix, in the same order)", case.public)
        names = ("penalty",) + tuple(f"grads[{i}]" for i in range(len(expected) - 1))
        problems = [(n, self._problem(n, g, e, case)) for n, g, e in zip(names, got, expected)]
        wrong = [(n, p) for n, p in problems if p]
        if not wrong:
            return CaseResult(case.name, "passed", "", case.public)
        notes = [f"also wrong: {', '.join(n for n, _ in wrong[1:])}"] if len(wrong) > 1 else []
        if not problems[0][1]:
            notes.append("penalty is right")
        elif len(wrong) == 1:
            notes.append("grads are right")
        message = wrong[0][1] + f" ({'; '.join(notes)})"
        credit = (not problems[0][1]) / 2 + all(not p for _, p in problems[1:]) / 2 if self.output_credit else None
        return CaseResult(case.name, "failed", message, case.public, credit=credit)


l2_penalty = register(PenaltyExercise(
    "regularization.l2_penalty",
    target="l2_penalty",
    title="the L2 penalty weight_decay/2 * sum of squared weights, and its gradient",
    reference="nncourse.exercises.regularization:l2_reference",
    make_args=_l2_args,
    # matrices of different shapes, so that a gradient of the wrong matrix has the wrong shape
    public_shapes=[{"shapes": ((2, 3), (3, 4)), "weight_decay": 0.1},
                   {"shapes": ((3, 2), (2, 5), (5, 4)), "weight_decay": 0.01}],
    random_shapes=[{"shapes": ((4, 3), (3, 2))}, {"shapes": ((2, 6), (6, 3), (3, 5))},
                   {"shapes": ((5, 4), (4, 6))}],
    edge_shapes=[{"shapes": ((5, 4),), "weight_decay": 0.05}],  # one matrix: the first alone is all
    arg_names=({"weights": ("W0", "W1", "W2")}, "weight_decay"),
    outputs=("penalty", "grads"),
    batch=None,
    output_credit=True,
    rtol=1e-9, atol=1e-12,
    points=2,
    time_limit=5.0,
    hints=(
        "penalty is one number for all the matrices together; grads has one array per matrix, each with "
        "the shape of its matrix. Look at the factor in front: compare your value with the expected one.",
        "The penalty adds up the squares of every weight of every matrix and multiplies the total by "
        "weight_decay / 2 (keep the 1/2).",
        "For grads, differentiate weight_decay / 2 * w**2 for one weight w: the 1/2 and the 2 of the "
        "square meet. Build new arrays instead of changing the weights in place.",
        "penalty = weight_decay / 2 * sum(np.sum(W**2) for W in weights) and grads = [weight_decay * W "
        "for W in weights].",
    ),
))


# -- quiz -------------------------------------------------------------------------------------------
quiz_eval_dropout = register(ExplainedQuiz(
    "regularization.quiz_eval_dropout",
    target="answer_eval_dropout",
    title="what inverted dropout does at evaluation time",
    answer_format="choice",
    options=("A", "B", "C", "D"),
    keys=("4ba6b3d0e5936a9c53a778cfa2f6a63e7c50b5ae0ed676ecef59acbefeea4c83",),
    notes={
        '948fdd7a6eb7b4b496bb01694204c109a2ce320375c6fca752a68ce9574e237b':
            'nsxCfs2IU0hIEQGDsTXPHm7CEvzZh6iO0ABIhrRiP1VotVJCENG5cVcp/6LjjylkRi99M7eA+B1l9nfSOmmOqwfS7QIPv27G'
            'NiRWcQeLun9kJpzyiBUirBvPK9wi2c21Xw==',
        '954bfb52aba35e2c4db8a759f8b289c738d545807d1f368f1d25bc49add7bfdf':
            'dde3E39EvBkFPQmz2ZTi5tWuDgefsKvgkgyoJRCHpYxhOTIYPIm7qI4NGKdvWFnG/bWtsl3/+TDsaz6ZhTLNjQNxV+qQT3SB'
            'x5dyLE1ZjYuzvVZdgIN4JJXbGxtva/lAYgYfnY67iWD7Xvo5mEfqiKnSMb6pMGJDNvReXIL30mqmIgNUhhR/gg5130X8fEJI'
            'My7H4X5bglOl4JclN74N2MDRruYI2zC5Va3xyQ==',
        'beabb34b630b592917f33c13c3dc45cb5e815a27c4579c7587c96a39afb6faa5':
            'zjBi1YLRVEjdyolW++IaYBKUzJItUNrFjBWguFxakX+cpPWpv2QwgLdU3gxufGTtW5Pi77BVN+uJpClLnIOtimkRZNwejJo8'
            'l3nC5/MOLSPsroDDCfy6O6MwllIwgQv6BmrjjFiKIA26FH6DYEzMrVdBxLpvfXNS1TPYmHxf/mOFR+Hd25nwrahzUULgMWAR'
            'Dgw0HTQlb1+KUTxaEL7SqcWP240rDVh5zlviOArOZ2jWGYcOPTki',
        '931b7a0030639cfca6422d6a848b0f631fdc49f4500b67c16da1fac2a691a5b4':
            'LrAAL8JIeKIiJng9uLIrvs8SaS92Eyrw/owBhG2w0ST/hBzQPKLuZMsfBBnvMIspu+lHbw02LymxssNuqfE9cR+l40QlARiV'
            'i+YBllINpKBvwowGxhSt/fOWOSKEBseQ3L8nKddIkIGQL2hZxv914kWQXhQWHa1Ly36JT3eTYVn6Sg==',
    },
    points=1,
    hints=("Think about where the factor 1 / (1 - drop_prob) was applied, and what is left to correct "
           "once training is over.",),
))
