"""More exercises of the ``backprop`` notebook: softmax cross-entropy, the backward pass of a whole
small network, and a quiz on the logistic output.

The references are the package's own code (:func:`nncourse.losses.softmax_cross_entropy` and the
:mod:`nncourse.functional` pairs); finite differences check the references in the tests. Quiz keys
are salted hashes (see :mod:`nncourse.exercises.quiz`).
"""
from __future__ import annotations

import numbers

import numpy as np

from nncourse.exercises.base import SanitizeError, register
from nncourse.exercises.explained import ExplainedQuiz
from nncourse.exercises.function import FunctionExercise


class LossAndGradientExercise(FunctionExercise):
    """A function returning ``(loss, grad)``: one number, then arrays (the loss is a 0-d array here)."""

    def _want(self) -> str:
        return f"a tuple ({', '.join(self.outputs)}): one number, then {len(self.outputs) - 1} numpy array(s)"

    def sanitize(self, raw) -> tuple:
        if type(raw) not in (tuple, list) or len(raw) != len(self.outputs):
            got = f"a {type(raw).__name__} of {len(raw)} items" if type(raw) in (tuple, list) \
                else type(raw).__name__
            raise SanitizeError(f"wrong type: expected {self._want()}, got {got}")
        loss = raw[0]
        if isinstance(loss, (bool, np.bool_)):
            raise SanitizeError(f"wrong type: expected {self.outputs[0]} to be a number, got a bool")
        if issubclass(type(loss), np.ndarray):
            if loss.ndim != 0 and loss.size != 1:
                raise SanitizeError(f"wrong type: expected {self.outputs[0]} to be one number, got an array of "
                                    f"shape {loss.shape} (average the per-example losses into one number)")
            loss = loss.reshape(())[()]
        if not isinstance(loss, (numbers.Real, np.integer, np.floating)):
            raise SanitizeError(f"wrong type: expected {self.outputs[0]} to be a number, got {type(loss).__name__}")
        rest = tuple(self._array(raw[i], name) for i, name in enumerate(self.outputs) if i)
        return (np.array(float(loss), dtype=np.float64),) + rest


# -- softmax cross-entropy ------------------------------------------------------------------------
def _softmax_ce_args(rng: np.random.Generator, N: int, C: int, big: float) -> tuple:
    logits = rng.standard_normal((N, C)) * 3.0
    logits[0] += big          # a confident network: one row far from 0 (exp would overflow)
    logits[1, 0] -= big       # and one very negative logit
    y = rng.integers(0, C, size=N)
    y[0] = int(np.argmin(logits[0]))  # the confident row is wrong about its label
    y[1] = 0                          # and one label's probability underflows to 0: log(0) is -inf
    return logits, y.astype(np.int64)


def _softmax_ce_numerical(case) -> tuple:
    from nncourse.gradcheck import numerical_gradient
    from nncourse.losses import softmax_cross_entropy

    logits, y = case.args
    logits = logits.copy()
    loss = softmax_cross_entropy(logits, y)[0]
    return np.array(loss), numerical_gradient(lambda: np.array(softmax_cross_entropy(logits, y)[0]), logits)


softmax_ce = register(LossAndGradientExercise(
    "backprop.softmax_ce",
    target="softmax_ce",
    title="the mean softmax cross-entropy of (N, C) logits and its gradient dlogits",
    reference="nncourse.losses:softmax_cross_entropy",
    make_args=_softmax_ce_args,
    # N >= 3 everywhere (a mean differs from a sum); every case holds logits near +-800 (overflow test)
    public_shapes=[{"N": 3, "C": 4, "big": 800.0}, {"N": 4, "C": 3, "big": 850.0}],
    random_shapes=[{"N": 5, "C": 2, "big": 900.0}, {"N": 6, "C": 10, "big": 1000.0},
                   {"N": 3, "C": 5, "big": 820.0}],
    arg_names=("logits", "y"),
    outputs=("loss", "dlogits"),
    rtol=1e-7, atol=1e-10,
    numerical=_softmax_ce_numerical, fd_tolerance=1e-6,
    points=3,
    time_limit=5.0,
    hints=(
        "Look at three things: the scale (the loss and dlogits are means over the batch of N examples), "
        "whether any value is inf or NaN (the cases hold logits near +-800, as a confident network "
        "produces), and the shape of dlogits (N, C).",
        "If the loss or dlogits hold inf or NaN: np.exp(800) overflows, and the probability of a label "
        "whose logit is 800 below the others is 0 in floating point, so log(p) is -inf. The loss does not "
        "change if you subtract the same number from every logit of a row: which number keeps exp finite? "
        "And take the log of the sum of exponentials rather than of a probability.",
        "One example's loss is log(sum_j exp(s_j)) - s_y with s = logits - max(logits) of its row; the "
        "loss is the mean of these over the N rows.",
        "dlogits: the gradient of one example's loss is its softmax probabilities minus 1 at the true "
        "class; the mean over the batch divides every row by N: (softmax(logits) - onehot(y)) / N.",
    ),
))


# -- the backward pass of a whole network ---------------------------------------------------------
def network_forward(x, W1, b1, W2, b2) -> tuple:
    """``logits = relu(x @ W1 + b1) @ W2 + b2`` and the caches ``(cache1, mask, cache2)``."""
    from nncourse.functional import linear_forward, relu_forward

    z, cache1 = linear_forward(x, W1, b1)
    h, mask = relu_forward(z)
    logits, cache2 = linear_forward(h, W2, b2)
    return logits, (cache1, mask, cache2)


def network_backward_reference(dlogits, caches) -> tuple:
    """``(dW1, db1, dW2, db2)`` of the network of :func:`network_forward`, by the package's pairs."""
    from nncourse.functional import linear_backward, relu_backward

    cache1, mask, cache2 = caches
    dh, dW2, db2 = linear_backward(dlogits, cache2)
    dz = relu_backward(dh, mask)
    _, dW1, db1 = linear_backward(dz, cache1)
    return dW1, db1, dW2, db2


def _network_args(rng: np.random.Generator, N: int, D: int, H: int, C: int) -> tuple:
    x = rng.standard_normal((N, D))
    W1 = rng.standard_normal((D, H)) / np.sqrt(D)
    b1 = rng.standard_normal(H) * 0.5
    b1[0], b1[1] = 4.0, -4.0          # one unit always active, one never: both sides of ReLU in every case
    W2 = rng.standard_normal((H, C)) / np.sqrt(H)
    b2 = rng.standard_normal(C) * 0.5
    dlogits = rng.standard_normal((N, C))
    _, caches = network_forward(x, W1, b1, W2, b2)
    return dlogits, caches


def _network_numerical(case) -> tuple:
    from nncourse.gradcheck import numerical_gradient

    dlogits, ((x, W1, b1), _, (_, W2, b2)) = case.args
    params = [p.copy() for p in (W1, b1, W2, b2)]

    def forward():
        return network_forward(x, *params)[0]

    return tuple(numerical_gradient(forward, p, dlogits) for p in params)


network_backward = register(FunctionExercise(
    "backprop.network_backward",
    target="network_backward",
    title="(dW1, db1, dW2, db2) of logits = relu(x @ W1 + b1) @ W2 + b2, from your layer functions",
    reference="nncourse.exercises.backprop_network:network_backward_reference",
    make_args=_network_args,
    # D, H and C differ in every case, so a gradient sent through the wrong layer has the wrong shape
    public_shapes=[{"N": 3, "D": 4, "H": 5, "C": 2}, {"N": 4, "D": 2, "H": 6, "C": 3}],
    random_shapes=[{"N": 5, "D": 3, "H": 4, "C": 6}, {"N": 2, "D": 6, "H": 3, "C": 4},
                   {"N": 6, "D": 5, "H": 7, "C": 3}],
    arg_names=("dlogits", {"caches": ("cache1", "mask", "cache2")}),
    outputs=("dW1", "db1", "dW2", "db2"),
    rtol=1e-7, atol=1e-10,
    numerical=_network_numerical, fd_tolerance=1e-6,
    points=3,
    time_limit=5.0,
    hints=(
        "Work from the top down: the last layer gets dlogits first, and each layer hands the layer below "
        "the gradient with respect to its own input. If linear_backward or relu_backward fail their own "
        "checks, fix them first: this function is built from them.",
        "dW2 and db2 come from the second linear layer alone; dW1 and db1 need the gradient that has passed "
        "back through the second layer AND through the ReLU (its mask) on the way down.",
        "dh, dW2, db2 = linear_backward(dlogits, cache2); dz = relu_backward(dh, mask); "
        "_, dW1, db1 = linear_backward(dz, cache1).",
    ),
))


# -- quiz -----------------------------------------------------------------------------------------
quiz_logistic = register(ExplainedQuiz(
    "backprop.quiz_logistic",
    target="answer_logistic",
    title="why a sigmoid output is trained with cross-entropy rather than the squared error",
    answer_format="choice",
    options=("A", "B", "C", "D"),
    keys=("2b01e6e0a966c08b67e741b76f8d3b13c2e0f1f6e609fa6f0569746702db6ea9",),
    notes={
        '61e8387311b51bd6f2fc80a2768d44862312e000b7ce7503ab2e41c416f19a13':
            '4C8hVVXFOBIe1xImX35OFBw6c9Q70+CLE1knmfbA+ae4No+BBwqo7UFiuy3wE6jiKbJxc7tgXBw3+IfiR89JpWErKWoFnfu8'
            'hkWhRPF6PlIxPMYCXbZZDjf7c19fxFUDylIqwjnd+91xBW+jH6chjevCSVv/Nb4okDK3lkpaig3tgP1lOF2iRfPgGmKFiYCr'
            '4vF8TgtuaYfmBFv0jKk=',
        '13a79564b18bdf7968638af13fe443218250c3d756c9d6368242dd04c64114b9':
            '6+8b0YK7t3xcfGXKzNxCMgsoBIvlvt3yjxPAg2maj+c9EjHoo8MK3C+lFykyRFiY9LV8r98So2cpcB5VkMo/fVim3jz2W7EK'
            'yycCmDzeTxLobGwVcZjemg4hXSDkPqjb/vOKr0d9EntSth2J2ijbxv0DGiiR+l6ur+/nM+65HPmXgf8vpG5i/RuHyjxNolem'
            'ZB+NAjadArW5w2nexLB7iMekgYF4367hS+I81iKYTmhPBriD7SBzS3OT8u224as+Wu+oio5q2Qk+fq9gvGqM9heAzYGaS89q'
            'RH39WdfPcDkALxfGeNqwGxq7BzDMNOgr8vTUted1fKkn3hIXGBFAy/nR+h5b9xzq',
        'c42fdbe05bd59e99b28519a2f70c3a4851c407eeff7a1a6899e2647bea0eaf59':
            'zqtcZv10oIPfsYCvaMP5PVIX3QlHRJqqEK/OWjxzrVIFFYp5Ic4CD1ldn/tIHAZXJqAk8ZAhLpgkIrvSQedDD8kRIQ3fWTrB'
            'Cy2J9diyVRjgV5DfCKmm8JxFow54uanwlDMBOvuc3WrX3hwuBj9XXCbx5kXZHTqBvatW17RUdh8stbGnIChn+fLyu8Jb',
        '589a5328d0d52cae702f93f751b53030fb5f5832cbaee59381e3dc9bd16bb957':
            'R3BJDCRlCxzCdAUWcAVXZ/HMbEvzvvFnwosPlCgQIbrIyTHLhN+XlrAE6SQR5OeTMmUgCKiYudJT3pQ0vAx3CkQqoDmu+14E'
            'G4UcOBOzFuPaQnTT2Cf+QGFCsHmlCS8kTanEFNZLeZCyqo9X8vCQ',
    },
    points=1,
    hints=("Compare the two gradients on the logit in the plot for a unit that is confidently wrong.",),
))
