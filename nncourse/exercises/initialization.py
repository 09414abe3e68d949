"""Exercises of the ``initialization`` notebook: He initialisation, batch norm's forward pass (running
statistics, train and eval modes) and its backward pass.

References: the variance that :func:`nncourse.init.he_normal` and :func:`nncourse.init.he_uniform` draw
with (2 / fan_in, a closed form checked against their draws in the tests) and the package's
:func:`nncourse.functional.batchnorm_forward` / :func:`~nncourse.functional.batchnorm_backward`.

Grading rules that differ from the default:

- ``he_init`` draws random numbers, so its output cannot equal a reference draw: each case checks the
  shape, the dtype, and that the sample mean and variance of tens of thousands of weights match a
  distribution of mean 0 and variance 2 / fan_in (normal or uniform: both are He initialisation).
- ``batchnorm_forward`` earns its points only when every case passes: a forward pass that is right in
  training and wrong at evaluation (or right in its output and wrong in its running statistics) is one
  wrong idea about batch norm, not a partly right answer.
"""
from __future__ import annotations

import numpy as np

from nncourse.exercises.base import Case, CaseResult, register
from nncourse.exercises.function import FunctionExercise


# -- he_init ----------------------------------------------------------------------------------------
def he_reference(shape, seed) -> np.ndarray:
    """:func:`nncourse.init.he_normal` for a seed or a Generator (the exercise's signature)."""
    from nncourse.init import he_normal

    return he_normal(tuple(shape), np.random.default_rng(seed))


def _he_args(rng: np.random.Generator, fan_in: int, fan_out: int) -> tuple:
    return (int(fan_in), int(fan_out)), int(rng.integers(2**31))


#: allowed relative deviation of the sample variance (the standard error is at most 1% for these sizes)
VARIANCE_TOLERANCE = 0.07
#: allowed deviation of the sample mean, in standard errors
MEAN_TOLERANCE = 5.0


def _scale_diagnosis(sample_var: float, fan_in: int, fan_out: int) -> str:
    """A note naming the common mistake whose variance matches ``sample_var``, or ``""``."""
    guesses = [
        (2.0 / fan_out, "; that is the variance 2 / fan_out would give: which of the two fans counts the inputs "
                        "that are added up in one unit's sum?"),
        (2.0 / (fan_in + fan_out), "; that is Xavier's variance 2 / (fan_in + fan_out), made for tanh: He's "
                                   "variance is set for ReLU"),
        ((2.0 / fan_in) ** 2, "; that is what you get when 2 / fan_in is passed where numpy expects a standard "
                              "deviation"),
        (2.0 / fan_in / 3.0, "; that is a uniform distribution on [-a, a] with a**2 equal to the target variance: "
                             "the variance of that uniform is a**2 / 3"),
    ]
    notes = [note for var, note in guesses if abs(sample_var / var - 1.0) <= VARIANCE_TOLERANCE]
    return notes[0] if len(notes) == 1 else ""   # two mistakes that give one variance: name neither


class InitExercise(FunctionExercise):
    """An initialiser ``f(shape, seed) -> W``: checked by its shape, dtype, sample mean and variance."""

    def expected(self, case: Case) -> tuple:
        (fan_in, fan_out), _ = case.args
        return (np.array([fan_in, fan_out, 2.0 / fan_in]),)   # shape and the target variance

    def compare(self, got: tuple, expected: tuple, case: Case) -> CaseResult:
        W = got[0]
        fan_in, fan_out, var = expected[0]
        shape = (int(fan_in), int(fan_out))
        fail = lambda msg: CaseResult(case.name, "failed", msg, case.public)  # noqa: E731
        if W.shape != shape:
            swapped = " (fan_in and fan_out swapped?)" if W.shape == shape[::-1] else ""
            return fail(f"wrong shape for W: got {W.shape}, expected {shape}, i.e. (fan_in, fan_out){swapped}")
        if not np.isfinite(W).all():
            return fail("W contains NaN or inf; every weight must be a finite number")
        if np.ptp(W) == 0:
            return fail("every weight of W has the same value: the units of the layer would stay identical "
                        "copies of each other (draw every weight independently)")
        mean, sample_var = float(W.mean()), float(W.var())
        ratio = sample_var / var
        if abs(ratio - 1.0) > VARIANCE_TOLERANCE:
            where = f"the variance of W is {sample_var:.4g}, " if case.public else "the variance of W is "
            return fail(f"wrong scale: {where}{ratio:.3g} times the target for fan_in={shape[0]}, "
                        f"fan_out={shape[1]} (a correct draw is within {VARIANCE_TOLERANCE:.0%} of it)"
                        + _scale_diagnosis(sample_var, shape[0], shape[1]))
        if abs(mean) > MEAN_TOLERANCE * np.sqrt(sample_var / W.size):
            return fail(f"the weights are not centred on 0: their mean is {mean:.3g} (fan_in={shape[0]}, "
                        f"fan_out={shape[1]}); draw from a distribution that is symmetric around 0")
        return CaseResult(case.name, "passed", "", case.public)


he_init = register(InitExercise(
    "initialization.he_init",
    target="he_init",
    title="He initialisation: weights of shape (fan_in, fan_out) with mean 0 and variance 2 / fan_in",
    reference="nncourse.exercises.initialization:he_reference",
    make_args=_he_args,
    # fan_in and fan_out differ by a factor of 3 or more in every case (He with fan_out, or Xavier, is
    # then off by 25% or more)
    public_shapes=[{"fan_in": 100, "fan_out": 400}, {"fan_in": 600, "fan_out": 200}],
    random_shapes=[{"fan_in": 64, "fan_out": 512}, {"fan_in": 900, "fan_out": 300},
                   {"fan_in": 128, "fan_out": 384}],
    arg_names=("shape", "seed"),
    outputs="W",
    points=2,
    time_limit=5.0,
    hints=(
        "Check three things: the shape (fan_in, fan_out), that the weights are centred on 0, and their "
        "scale: which of fan_in and fan_out sets it, and is the number you computed a variance or a "
        "standard deviation?",
        "He initialisation sets the VARIANCE of every weight to 2 / fan_in. numpy's normal(loc, scale) "
        "takes a standard deviation; a uniform distribution on [-a, a] has variance a**2 / 3.",
        "rng.normal(0.0, np.sqrt(2.0 / fan_in), size=shape), or rng.uniform(-a, a, size=shape) with "
        "a = np.sqrt(6.0 / fan_in).",
    ),
))


# -- batch norm forward -------------------------------------------------------------------------------
def batchnorm_forward_reference(x, gamma, beta, running_mean, running_var, train, momentum=0.9, eps=1e-5):
    """``(out, new_running_mean, new_running_var)`` of :func:`nncourse.functional.batchnorm_forward`."""
    from nncourse.functional import batchnorm_forward

    out, _, mean, var = batchnorm_forward(x, gamma, beta, running_mean, running_var, train=bool(train),
                                          momentum=momentum, eps=eps)
    return out, np.array(mean, dtype=np.float64), np.array(var, dtype=np.float64)


def _bn_args(rng: np.random.Generator, N: int, D: int, train: bool, momentum: float) -> tuple:
    scales = np.exp(rng.uniform(np.log(0.003), np.log(5.0), size=D))   # some features tiny: eps matters
    scales[0] = 0.004
    x = rng.standard_normal((N, D)) * scales + rng.uniform(-3, 3, size=D)
    gamma = rng.uniform(0.5, 2.0, size=D) * rng.choice([-1.0, 1.0], size=D)
    beta = rng.standard_normal(D)
    running_mean = rng.standard_normal(D)              # far from this batch's statistics
    running_var = rng.uniform(0.2, 3.0, size=D)
    return x, gamma, beta, running_mean, running_var, bool(train), float(momentum), 1e-5


class AllOrNothingExercise(FunctionExercise):
    """Full points when every case passes, otherwise 0 (the message says how many cases passed)."""

    def grade(self, case_results: list) -> tuple:
        points, status, message = super().grade(case_results)
        if status != "partial":
            return points, status, message
        n_passed = sum(r.passed for r in case_results)
        return 0.0, "failed", (f"{message} ({n_passed} of {len(case_results)} cases pass; batch norm earns "
                               "its points when training, evaluation and the running statistics are all right)")

    def compare(self, got: tuple, expected: tuple, case: Case) -> CaseResult:
        result = super().compare(got, expected, case)
        if result.passed or len(got) != 3:
            return result
        x, gamma, beta, running_mean, running_var, train, momentum, eps = case.args
        result.message = f"in {'training' if train else 'evaluation'} mode (train={train}): {result.message}"
        if train and got[0].shape == x.shape and len(x) > 1:
            unbiased = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0, ddof=1) + eps) * gamma + beta
            if np.allclose(got[0], unbiased, rtol=1e-7, atol=1e-10):
                result.message += ("; your out matches a normalisation by the unbiased variance (divided by "
                                   "N - 1, like np.var(..., ddof=1)): batch norm uses the plain average of the "
                                   "squared deviations over the N examples of the batch")
        if train and got[1].shape == running_mean.shape:
            torch_style = (1.0 - momentum) * running_mean + momentum * x.mean(axis=0)
            if np.allclose(got[1], torch_style, rtol=1e-9, atol=1e-12):
                result.message += (f"; your running mean keeps {1 - momentum:g} of the old value: that is "
                                   f"PyTorch's convention. This course follows Keras: momentum = {momentum:g} "
                                   "is the share of the OLD running value that is kept")
        return result


batchnorm_forward = register(AllOrNothingExercise(
    "initialization.batchnorm_forward",
    target="batchnorm_forward",
    title="batch norm's forward pass in training (batch statistics, running averages) and evaluation",
    reference="nncourse.exercises.initialization:batchnorm_forward_reference",
    make_args=_bn_args,
    public_shapes=[{"N": 4, "D": 3, "train": True, "momentum": 0.9},
                   {"N": 3, "D": 4, "train": False, "momentum": 0.9}],
    random_shapes=[{"N": 6, "D": 5, "train": True, "momentum": 0.8},
                   {"N": 5, "D": 2, "train": False, "momentum": 0.95},
                   {"N": 8, "D": 3, "train": True, "momentum": 0.99},
                   {"N": 2, "D": 6, "train": True, "momentum": 0.9}],
    arg_names=("x", "gamma", "beta", "running_mean", "running_var", "train", "momentum", "eps"),
    outputs=("out", "running_mean", "running_var"),
    rtol=1e-7, atol=1e-10,
    points=3,
    time_limit=5.0,
    hints=(
        "Find the mode of the failing case (train=True or False) and the output that is wrong: out, or the "
        "running statistics. In training the statistics come from the batch x; at evaluation from the "
        "running averages alone, which evaluation leaves unchanged.",
        "In training: out normalises each column with the batch's mean and its variance as a plain "
        "average of squared deviations (divide by N, not N - 1), with eps added to the variance before the "
        "square root; then scales by gamma and shifts by beta. The running statistics move towards the "
        "batch's: the new running_mean keeps a share momentum of the old one.",
        "Training: mu = x.mean(axis=0); var = x.var(axis=0); out = (x - mu) / np.sqrt(var + eps) * gamma "
        "+ beta; running_mean = momentum * running_mean + (1 - momentum) * mu (the same for var). "
        "Evaluation: out = (x - running_mean) / np.sqrt(running_var + eps) * gamma + beta.",
    ),
))


# -- batch norm backward ----------------------------------------------------------------------------
def batchnorm_backward_reference(dout, x, gamma, eps=1e-5):
    """``(dx, dgamma, dbeta)`` in training mode, from the package's forward/backward pair."""
    from nncourse.functional import batchnorm_backward, batchnorm_forward

    D = x.shape[1]
    _, cache, _, _ = batchnorm_forward(x, gamma, np.zeros(D), np.zeros(D), np.ones(D), train=True, eps=eps)
    return batchnorm_backward(dout, cache)


def _bn_back_args(rng: np.random.Generator, N: int, D: int) -> tuple:
    scales = np.exp(rng.uniform(np.log(0.003), np.log(5.0), size=D))
    scales[0] = 0.004
    x = rng.standard_normal((N, D)) * scales + rng.uniform(-3, 3, size=D)
    gamma = rng.uniform(0.5, 2.0, size=D) * rng.choice([-1.0, 1.0], size=D)
    dout = rng.standard_normal((N, D))
    return dout, x, gamma, 1e-5


def _bn_back_numerical(case) -> tuple:
    from nncourse.functional import batchnorm_forward
    from nncourse.gradcheck import numerical_gradient

    dout, x, gamma, eps = case.args
    x, gamma = x.copy(), gamma.copy()
    D = x.shape[1]
    beta = np.zeros(D)

    def f():
        return batchnorm_forward(x, gamma, beta, np.zeros(D), np.ones(D), train=True, eps=eps)[0]

    return tuple(numerical_gradient(f, p, dout) for p in (x, gamma, beta))


batchnorm_backward = register(FunctionExercise(
    "initialization.batchnorm_backward",
    target="batchnorm_backward",
    title="batch norm's backward pass in training mode: (dx, dgamma, dbeta)",
    reference="nncourse.exercises.initialization:batchnorm_backward_reference",
    make_args=_bn_back_args,
    public_shapes=[{"N": 4, "D": 3}, {"N": 3, "D": 5}],
    random_shapes=[{"N": 6, "D": 2}, {"N": 5, "D": 4}, {"N": 8, "D": 3}],
    arg_names=("dout", "x", "gamma", "eps"),
    outputs=("dx", "dgamma", "dbeta"),
    rtol=1e-6, atol=1e-9,
    numerical=_bn_back_numerical, fd_tolerance=1e-5,
    points=3,
    time_limit=5.0,
    hints=(
        "Start with the outputs that are easier: dbeta and dgamma have shape (D,) and add up over the batch. "
        "For dx, remember that every x[i] moves the batch mean and variance too, so each example's gradient "
        "depends on the whole batch.",
        "dgamma: out = xhat * gamma + beta, so each example contributes dout * xhat. For dx, go through "
        "xhat = (x - mu) / sqrt(var + eps) in three parts: the direct path, the path through mu, the path "
        "through var (with var the plain average over N).",
        "With dxhat = dout * gamma and the means over the batch: dx = (dxhat - mean(dxhat) - xhat * "
        "mean(dxhat * xhat)) / sqrt(var + eps); dgamma = (dout * xhat).sum(axis=0); dbeta = dout.sum(axis=0).",
    ),
))
