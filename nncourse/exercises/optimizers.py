"""Exercises of the ``optimizers`` notebook: one momentum step, one Adam step, and a quiz on schedules.

The references are the package's pure update functions :func:`nncourse.updates.sgd_step` (with
momentum) and :func:`nncourse.updates.adam_step`, the rules the optimizer classes run, so nothing
here repeats the update rules. Quiz keys are salted hashes (see
:mod:`nncourse.exercises.quiz`).
"""
from __future__ import annotations

import numpy as np

from nncourse.exercises.base import register
from nncourse.exercises.explained import ExplainedQuiz
from nncourse.exercises.function import Convention, FunctionExercise


def momentum_reference(w: np.ndarray, dw: np.ndarray, v: np.ndarray, lr: float,
                       momentum: float) -> tuple[np.ndarray, np.ndarray]:
    """One step of SGD with momentum from velocity ``v``: ``(next_w, next_v)``, by :func:`nncourse.updates.sgd_step`."""
    from nncourse.updates import sgd_step

    next_w, state = sgd_step(w, dw, {"velocity": v}, lr=lr, momentum=momentum)
    return next_w, state["velocity"]


def adam_reference(w: np.ndarray, dw: np.ndarray, m: np.ndarray, v: np.ndarray, t: int, lr: float,
                   beta1: float, beta2: float, eps: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Step number ``t`` (1 for the first) of Adam from moments ``m``, ``v``: ``(next_w, next_m, next_v)``.

    Computed by :func:`nncourse.updates.adam_step`, the rule the package's :class:`~nncourse.optim.Adam` runs.
    """
    from nncourse.updates import adam_step

    next_w, state = adam_step(w, dw, {"m": m, "v": v}, lr=lr, beta1=beta1, beta2=beta2, eps=eps, t=int(t))
    return next_w, state["m"], state["v"]


def _shape(D: int, H: int | None) -> tuple:
    return (D,) if H is None else (D, H)


# -- momentum_update ------------------------------------------------------------------------------
def _momentum_args(rng: np.random.Generator, D: int, H: int | None = None, first: bool = False,
                   lr: float | None = None, momentum: float | None = None) -> tuple:
    shape = _shape(D, H)
    w = rng.standard_normal(shape)
    dw = rng.standard_normal(shape)
    v = np.zeros(shape) if first else 0.3 * rng.standard_normal(shape)
    lr = float(rng.uniform(0.01, 0.5)) if lr is None else float(lr)
    momentum = float(rng.uniform(0.5, 0.99)) if momentum is None else float(momentum)
    return w, dw, v, lr, momentum


def _pytorch_momentum(case) -> tuple:
    """What PyTorch's SGD(momentum) returns when it reads the given v as its own velocity."""
    w, dw, v, lr, momentum = case.args
    v_next = momentum * v + dw
    return w - lr * v_next, v_next


_PYTORCH_MOMENTUM = (
    "a correct method, and with a constant learning rate it takes the same steps (its velocity is the "
    "course's divided by -lr). The course keeps lr inside the velocity (v = momentum * v - lr * dw; "
    "w = w + v), as in Sutskever et al. (2013) and the package's SGD, so that the velocity is the step "
    "itself and a learning-rate schedule changes only future steps. The v you are given and must return "
    "is in that form")

momentum_update = register(FunctionExercise(
    "optimizers.momentum_update",
    target="momentum_update",
    title="one step of SGD with momentum: (next_w, next_v)",
    reference="nncourse.exercises.optimizers:momentum_reference",
    make_args=_momentum_args,
    # D and H differ in every matrix case, so a transposed result has the wrong shape
    public_shapes=[{"D": 2, "H": 4, "lr": 0.05, "momentum": 0.8}, {"D": 3, "H": 2, "lr": 0.1, "momentum": 0.9}],
    random_shapes=[{"D": 4, "H": 3}, {"D": 5, "H": 2}, {"D": 3, "H": 5}],
    # edge cases: the first step (v = 0 hides the sign and the placement of the velocity) and a bias
    # vector (where a transposed result is right)
    edge_shapes=[{"D": 3, "H": 2, "first": True, "lr": 0.1, "momentum": 0.9}, {"D": 5}],
    arg_names=("w", "dw", "v", "lr", "momentum"),
    outputs=("next_w", "next_v"),
    output_credit=True,
    rtol=1e-7, atol=1e-12,
    points=2,
    time_limit=5.0,
    conventions=(Convention("your update is PyTorch's form of momentum (v = momentum * v + dw; "
                            "w = w - lr * v)", _pytorch_momentum, _PYTORCH_MOMENTUM),),
    hints=(
        "Return new arrays (next_w, next_v), in that order, without += or *= on the inputs. Look at the "
        "output the message names: its sign, and where the learning rate enters.",
        "next_v: the velocity keeps the fraction momentum of its old value and adds a step downhill. It "
        "is measured in weight units (the course's v is a step of w), so lr is inside it.",
        "next_w moves by the NEW velocity, the one that already includes this step's gradient.",
        "next_v = momentum * v - lr * dw, then next_w = w + next_v.",
    ),
))


# -- adam_update ----------------------------------------------------------------------------------
def _adam_args(rng: np.random.Generator, D: int, H: int | None = None, t: int = 1, scale: float = 1.0,
               public: bool = False, eps: float | None = None) -> tuple:
    """One case; ``eps`` is 1e-8 with tiny gradients (scale 1e-4) and between 1e-4 and 1e-2 with
    gradients of size 1, so that in every case eps inside the square root changes the step visibly."""
    shape = _shape(D, H)
    if public:
        lr, beta1, beta2 = 0.01, 0.9, 0.999
    else:
        lr, beta1 = float(rng.uniform(1e-3, 0.1)), float(rng.uniform(0.8, 0.95))
        beta2 = float(rng.uniform(0.99, 0.9999))
    if eps is None:
        eps = 1e-8 if scale < 1e-2 else float(10.0 ** rng.uniform(-4, -2))
    w = rng.standard_normal(shape)
    m, v = np.zeros(shape), np.zeros(shape)
    for _ in range(t - 1):  # moments as t - 1 earlier steps would have left them
        g = scale * rng.standard_normal(shape)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
    dw = scale * rng.standard_normal(shape)
    return w, dw, m, v, int(t), lr, beta1, beta2, eps


adam_update = register(FunctionExercise(
    "optimizers.adam_update",
    target="adam_update",
    title="step number t of Adam with bias correction: (next_w, next_m, next_v)",
    reference="nncourse.exercises.optimizers:adam_reference",
    make_args=_adam_args,
    # t = 2 and t = 30 tell an off-by-one step count apart; tiny gradients (scale 1e-4, so that
    # sqrt(v_hat) is about 1e-4) show whether eps sits outside the square root
    public_shapes=[{"D": 2, "H": 4, "t": 5, "public": True, "eps": 1e-4},
                   {"D": 4, "t": 3, "scale": 1e-4, "public": True}],
    random_shapes=[{"D": 4, "H": 3, "t": 2}, {"D": 5, "t": 30}, {"D": 3, "H": 5, "t": 10, "scale": 1e-4},
                   {"D": 2, "H": 3, "t": 4}],
    # the first step is an edge case: with m = v = 0 the bias correction undoes any beta, swapped or not
    edge_shapes=[{"D": 3, "H": 2, "t": 1, "public": True, "eps": 1e-3}],
    arg_names=("w", "dw", "m", "v", "t", "lr", "beta1", "beta2", "eps"),
    outputs=("next_w", "next_m", "next_v"),
    # all or nothing per case: the moments are the easy part, and an update rule that gets them right
    # but misplaces eps or drops the bias correction is a wrong idea, not two thirds of a right one
    rtol=1e-7, atol=1e-13,
    points=3,
    time_limit=5.0,
    hints=(
        "Work in order and build new arrays: first the two running averages, then their bias-corrected "
        "versions, then the step; return (next_w, next_m, next_v). Look at the output the message names.",
        "next_m and next_v are the running averages themselves (beta1 for the gradient, beta2 for its "
        "square), not their bias-corrected versions m_hat and v_hat.",
        "next_w divides the corrected first moment by the square root of the corrected second moment. "
        "t counts this step (1 for the first), and eps only keeps the division safe: where does it go?",
        "next_m = beta1 * m + (1 - beta1) * dw and next_v = beta2 * v + (1 - beta2) * dw**2.",
        "next_w = w - lr * m_hat / (np.sqrt(v_hat) + eps), with m_hat = next_m / (1 - beta1**t) and "
        "v_hat = next_v / (1 - beta2**t); eps goes outside the square root.",
    ),
))


# -- quiz -----------------------------------------------------------------------------------------
quiz_warmup_cosine = register(ExplainedQuiz(
    "optimizers.quiz_warmup_cosine",
    target="answer_warmup_cosine",
    title="the learning rate of a warmed-up cosine schedule at step 600",
    answer_format="number",
    keys=("00d9caca7a9bb1378a80e55ea642ed40608e148f86467e26997f0568e5eb12d2",),
    notes={
        '4992e9f358722891d9c2f5f84d7f4bb9aed5f40ad5bb073e4d83578ffe06de9c':
            'cUsdgA+l76IGzc9MZt8/NnkJzOQvDe07y7CkgYSW6PTBHHsXvxFrROVh4Z1Gaa+D4uXFC/UFiLVAZM0QU/MZl8VceF2p5aK6'
            '9YCk240o2V+2rEfllQRcIdFrcLJd5l4rwC528XmtcGbz2ShivZmswdwEFCBQ2xvPKEsC8DcCuIpjdZAC5O7vMWKDLK8wYXdD'
            'ujwMKHGCOGsXkKZvlqZqWQOw',
        '66aab8d56bbaa300943f80d82d7ce2f0b92feba1fdd40312d5ab6a6c47d5ce7d':
            '3VtbkwYhAa0OXPca9QM2irj43Zac/Ua00rHmBh3/GEzjftq5Br9m25xxwdsYGmH68THnP4QM2k88Z6nYo//rPG9zek4ZhG8=',
        '4025e900bd23dcaeef5d4bd49de265a6207f27b6f9b70f2c9280d42de7f4ade8':
            'DuL8a0eJSZ975BzHMbQhGEt8xDgkB2cI+aZiZStHcKK0HO34vC7Y125yew1pPs8VY6nJCgzT3aIWiFesDBYsVabgcdvbms2a'
            '9BpEU8/4BV+CR3EvnJhjWJ7228OfMTmEMa/u//E3rHbFfyAEDRveFr3sIbIH/Qz36i9o2b6o8QGx+S88cSVUoGtglAdVqYGo'
            'LtJZml++LxtV0sJ7Mw==',
        '372142b6317a20c639c7dd5ca8217e5bbd014569c897a98122e3cc1438027f75':
            'w6uMdP1DSFbMNS8uhSyqGtebQysA00dje3m5OFj1OW4Fv75aI+cckSAyxHmVKk/mWGEW9sRSAzOLOsisgGHUPxGxq1s9zric'
            'outP3aQTDFVpn9WgJ7V3FTTYt3Xx2DqG4fgkGuaQjcm/jx/iDL6EI1/lCtyb/BHjyD9oAeNsAgU2Haokv+fi/RFN+SivFaPc'
            'R5wSayyatJZ0TqyaPw==',
        '66cdda06656e20ddeaa7a5fb6c7a48d2b9b43b60b0c2f62ca3361d94d929acda':
            'op1l6ULwCBhZQL31ivjRxlqutYXYW2kdsHi6OkXRL41SLGz38p/GnP8tA2R/lqAAn1PoBpEEc0FGmkJzhsyH/L1ebC/4rK0n'
            'L6RccjNOUPuFzLvQ/uc0NtqHQbzAfqvu88BynwThEogg/YN2YH4Bvka+nh8bwNSIeCk3UaZPKkB+szrhy6YmpFdoetMueogD'
            'O0eVPNpAGTCt7N55uA==',
        '31bfa5fda880a7bcee77b91a321cbbafd9a69c3edb9c44846d67b4d2206078f9':
            'xSYXvov6MqnhIG3k6o0esG4CaI150DuCiZkVXieUjzyZepP8rRgPb1W5sbYbyC1kE8kKTuZaRYVccE+DPqmMnI2zKTlLarUT'
            'wvtEICKGk/gyT0KjqFtr8p1rsaiEyTehg1KOjb5XXb9jCLnQHeoguXLc1imnyfV5g3VthTgTAp8po57BaQOapa+ChDbJcVHT'
            'yIvjPLnqils+qd2hZw==',
    },
    points=1,
    hints=("First find where step 600 falls: still in the warm-up, or how far into the cosine part?",
           "After the warm-up, the cosine schedule starts at its own step 0; and half-way through, "
           "the cosine factor (1 + cos(pi * step / total_steps)) / 2 is exactly 1/2.",),
))
