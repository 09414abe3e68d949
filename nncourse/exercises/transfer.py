"""Exercises of the ``transfer`` notebook: counting an MLP's parameters, per-image reconstruction
errors of an autoencoder, and a quiz on freezing reused layers.

The references call the package (:func:`nncourse.mlp` for the count, :func:`nncourse.mse` for the
errors); nothing here repeats their math. ``count_params`` answers with a whole number, so its
exercise accepts an ``int`` and compares it exactly (:class:`CountExercise`). Quiz keys are salted
hashes (see :mod:`nncourse.exercises.quiz`); the quiz explains every answer once given, with notes
sealed as in :mod:`nncourse.exercises.questions_to_answer`.
"""
from __future__ import annotations

import copy

import numpy as np

from nncourse.exercises.base import Case, CaseResult, SanitizeError, register, resolve
from nncourse.exercises.function import FunctionExercise
from nncourse.exercises.explained import ExplainedQuiz


class CountExercise(FunctionExercise):
    """A function exercise whose answer is one whole number, compared exactly.

    Takes the same parameters as :class:`~nncourse.exercises.function.FunctionExercise` (``outputs``
    names the count in messages; ``rtol``/``atol`` are not used). The student's value must be a Python
    ``int`` or a numpy integer; a float, even a whole one, is the wrong type.
    """

    def expected(self, case: Case) -> int:
        return int(resolve(self.reference)(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs)))

    def sanitize(self, raw) -> int:
        name = self.outputs[0]
        if isinstance(raw, (bool, np.bool_)):
            raise SanitizeError(f"wrong type: expected the {name} as an int, got a bool")
        if type(raw) is int:
            return raw
        if isinstance(raw, np.integer) and type(raw).__module__ == "numpy":
            return int(raw)
        if isinstance(raw, (float, np.floating)) and type(raw).__module__ in ("builtins", "numpy"):
            raise SanitizeError(f"wrong type: expected the {name} as an int, got the float {float(raw):g}; "
                                "a count is a whole number (int(...) converts one)")
        what = type(raw).__name__
        extra = " (add the numbers up into one int)" if type(raw) in (list, tuple) else ""
        raise SanitizeError(f"wrong type: expected the {name} as an int, got {what}{extra}")

    def compare(self, got: int, expected: int, case: Case) -> CaseResult:
        if got == expected:
            return CaseResult(case.name, "passed", "", case.public)
        name = self.outputs[0]
        if case.public:
            (sizes,) = case.args
            message = f"wrong {name} for sizes {list(sizes)}: got {got}, expected {expected}"
        else:
            message = (f"wrong {name} (values of randomized cases are not shown; the public cases "
                       "show an example)")
        return CaseResult(case.name, "failed", message, case.public)


# -- count_params ---------------------------------------------------------------------------------
def mlp_param_count(sizes) -> int:
    """The number of parameters of ``nncourse.mlp(sizes)``, counted on the model itself."""
    from nncourse import mlp

    return int(sum(p.size for p in mlp(list(sizes), init="zeros").params.values()))


def _count_args(rng: np.random.Generator, sizes: tuple = (), L: int = 0) -> tuple:
    """A public case gives ``sizes``; a randomized one has ``L`` entries between 1 and 150."""
    if sizes:
        return (tuple(int(s) for s in sizes),)
    return (tuple(int(s) for s in rng.integers(1, 151, size=L)),)


count_params = register(CountExercise(
    "transfer.count_params",
    target="count_params",
    title="the number of weights and biases of mlp(sizes)",
    reference="nncourse.exercises.transfer:mlp_param_count",
    make_args=_count_args,
    # in/out widths differ in the public cases, so a bias counted on the wrong side shows
    public_shapes=[{"sizes": (64, 32, 10)}, {"sizes": (20, 50, 30, 5)}],
    random_shapes=[{"L": 3}, {"L": 4}, {"L": 6}],
    edge_shapes=[{"sizes": (64, 10)}],  # one layer: counting the first layer alone is right here
    arg_names=("sizes",),
    outputs="count",
    points=2,
    time_limit=5.0,
    hints=(
        "Compare your count with the public case's expected one: is it short by a few (one per unit: the "
        "biases?) or off by whole layers? Every Linear layer has weights and biases.",
        "Each pair of neighbours (n_in, n_out) in sizes is one Linear layer; a list of L sizes has L - 1 "
        "layers. How many numbers does a weight matrix of shape (n_in, n_out) hold, and how many biases "
        "does the layer have?",
        "A Linear(n_in, n_out) layer has n_in * n_out + n_out parameters; the count adds that up over "
        "zip(sizes[:-1], sizes[1:]).",
    ),
))


# -- reconstruction_errors ------------------------------------------------------------------------
def per_image_mse(X: np.ndarray, X_hat: np.ndarray) -> np.ndarray:
    """``nncourse.mse`` of each row: one mean squared error per image, shape (N,)."""
    from nncourse import mse

    return np.array([mse(X_hat[i], X[i])[0] for i in range(len(X))], dtype=np.float64)


def _errors_args(rng: np.random.Generator, N: int, D: int) -> tuple:
    X = rng.random((N, D))
    X_hat = X + 0.2 * rng.standard_normal((N, D))
    return X, X_hat


reconstruction_errors = register(FunctionExercise(
    "transfer.reconstruction_errors",
    target="reconstruction_errors",
    title="the mean squared reconstruction error of every image",
    reference="nncourse.exercises.transfer:per_image_mse",
    make_args=_errors_args,
    # N and D differ in every case so that averaging over the wrong axis gives the wrong shape
    public_shapes=[{"N": 3, "D": 4}, {"N": 5, "D": 3}],
    random_shapes=[{"N": 4, "D": 6}, {"N": 6, "D": 3}, {"N": 2, "D": 8}],
    arg_names=("X", "X_hat"),
    outputs="errors",
    rtol=1e-10, atol=1e-12,
    points=2,
    time_limit=5.0,
    hints=(
        "errors holds one number per image, shape (N,). Look at which axis you reduce over (the pixels of "
        "each row, not the images) and how (a mean, a sum, a root?).",
        "errors[i] compares row i of X_hat with row i of X: square each difference first, then average "
        "over the D pixels of that row (a mean, not a sum, and no square root).",
        "errors = ((X_hat - X) ** 2).mean(axis=1).",
    ),
))


# -- quiz -----------------------------------------------------------------------------------------
quiz_freeze = register(ExplainedQuiz(
    "transfer.quiz_freeze",
    target="answer_freeze",
    title="why the reused layers are frozen when there are few labels",
    answer_format="choice",
    options=("A", "B", "C", "D"),
    keys=("bd7fc5596b45374679d1b45214efdbaf08faceeefc47e87554e2627558b00bc4",),
    notes={
        'ce8f2b6d9e36c040c89c7e9d017a913566acb912553a457948b59af871bacbf0':
            'B6Etdg4TaoTTxdui1InqUO70iTw/0WeEWtug0dEItF+kDGdhMO7SoOwhHo2fYrDD9XsGiVBuSkkpbiIszCCS/8sz4yuJqkE0'
            'JwIKlsMrfWmMkrakz1Ng+gR/Vfbmt9Jb3UJSfhYeZ7z+zG3kWYLbWY9cNMlT+J8VYOwtrwasXMrqn3fBRiQxjlsQguIhp3m5'
            'lHlExFyy6A7TCiPnHsYtiEcj4oX1mShWJUJsGtiLYcal/IVtSn87yU5/e+7biQw8aHdmYpPaJokaVA5z8PXIOfxdyYJnQG0Z'
            'exf4/S0pE0UXKwJyHOgnzYZKSNah/vMrVDS77f3ucbUswIY35QmKDAFwRD6kGt54khWwNWpR+SB18k6vV3kuxRVG1YDBYoPC'
            'wkuReouubKPBqL2QAQgXFLJYowZLnzXARg/Vh94Mmb3v6fhsF0OuLK4dAqYLNH7bAv3gClsUrEXrTPkzAscFxpThMnp/dyzE'
            'yymEVo6U7C8SHPBdIdJJ8wZysnSDAcTnxxzh8qLV++sUk9OzmZxiSWfzcftL1dcvOFdsWbnn4n2QPsSgk30//UtnKX1SL2S9'
            'n0pcgGMMAWelYwwfWEr1',
        '2bde679efe788a5a2f6ca8e65381d073706f9d25724bc2b3ac86dcfb6d9b0d12':
            't9iH23DDJtdZ0XJWeNDmgIp/xoB/9k996jhw06pY1ViGBacBl3qDzaYxfTJJfKUCT5uFxVkJrPTponUFg7AGso9MBsSCmBPH'
            'qu2mBrMnwPXfQjGifR7bpsy3MqkY0jzB3w20AB1ReqJCgvUqDYP04UjZDDQZOYVDxbN5AB2AbNOb3EQZ8av/ZD3aQRZsM4Jc'
            'EID6CYsHlbh7L7cb3/09T5Xo+edXOSxUaVQC986hpK/swYKnBga8vIdAkL/p716yjUOI/xK3/4I=',
        '5b62132089d7ec285ccfef55366e130734fd6ba0eb43ce60e2dc132701232047':
            'arlUJ+VWLCskCzDkpijsBgmo6WazVKOwRJ4bHG5GMyaIh45XPbZkCjpeHtkrLDItM+6bZ3LNzabC24PxgDl0j90NiBJDMzgb'
            'LLDJAAXme3HqbremY3f1ACVOSliCLfXBp7JBlctlgQ0wFPCmHpRqTa7vsgZV17PIyN8opJmD52zpo+Yb5nBHBvh8jd1pewfK'
            'y0FADdrzFDzFB04fkkrRLy1XOZ+zVcSp35JuW8fMDbsCEAopNhX/It4fZn+8VaPQb3QZdsxuglmJk8lfFPuRf7LT1aLtY3Mt'
            'c+Pl',
        'c7857b3ba854044e3876bb345ab3e5cb5ee3812867ae3a4011fd560ad02dc815':
            'ajx9imXF+/oBb2IIWlsGNPFWhPRP0uA1q3Zkth2sBaakB0fTu50EpGmF/RJxRdmLAjOnGGRgMOoBuWQ9dZE2hICWYSltNQt8'
            '1RbvaVkxA2dwPjwoQ1b7bhaQhlEuCNnDAY2fkUbUhZcM+oiMkNzi3W9GzzZQtTWpEidIDIhoBWfaqDnU2yWMA/BHDZuOlmd8'
            'WPsjFNvVsSM=',
    },
    points=1,
    hints=("Count how many numbers the training has to estimate from the few labelled examples in "
           "each case, and think about what can happen to the reused weights.",),
))
