"""Exercises of the ``backprop`` notebook: the backward pass of a linear layer and of ReLU, and a quiz.

The references are the package's own :mod:`nncourse.functional` pairs; nothing here repeats their
math. Quiz keys are salted hashes (see :mod:`nncourse.exercises.quiz`).
"""
from __future__ import annotations

import numpy as np

from nncourse.exercises.base import Case, register
from nncourse.exercises.explained import ExplainedQuiz
from nncourse.exercises.function import Convention, FunctionExercise


# -- linear_backward ------------------------------------------------------------------------------
def _linear_args(rng: np.random.Generator, N: int, D: int, H: int) -> tuple:
    x = rng.standard_normal((N, D))
    W = rng.standard_normal((D, H))
    b = rng.standard_normal(H)
    dout = rng.standard_normal((N, H))
    return dout, (x, W, b)


def _linear_numerical(case: Case) -> tuple:
    """Finite-difference (dx, dW, db) of ``sum(linear_forward(x, W, b)[0] * dout)``."""
    from nncourse.functional import linear_forward
    from nncourse.gradcheck import numerical_gradient

    dout, (x, W, b) = case.args
    x, W, b = x.copy(), W.copy(), b.copy()

    def forward():
        return linear_forward(x, W, b)[0]

    return tuple(numerical_gradient(forward, p, dout) for p in (x, W, b))


def _linear_out_in(case: Case) -> tuple:
    """What a function that stores dW as (out, in) = (H, D), as PyTorch does, returns."""
    from nncourse.functional import linear_backward as reference

    dout, (x, W, b) = case.args
    dx, dW, db = reference(dout, (x.copy(), W.copy(), b.copy()))
    return dx, dW.T, db


_OUT_IN = ("PyTorch stores a weight as (out, in) and computes x @ W.T. The course stores W as (in, out) = "
           "(D, H) and computes out = x @ W + b (the layout of Keras' Dense kernel), so that the forward pass "
           "needs no transpose; a gradient has the shape of its parameter, so dW is (D, H) here: return the "
           "transpose of what you have")

linear_backward = register(FunctionExercise(
    "backprop.linear_backward",
    target="linear_backward",
    title="the gradients (dx, dW, db) of out = x @ W + b",
    reference="nncourse.functional:linear_backward",
    make_args=_linear_args,
    # N, D and H differ in every case so that a transposed result has the wrong shape
    public_shapes=[{"N": 2, "D": 3, "H": 4}, {"N": 4, "D": 2, "H": 3}],
    # no batch of one: there a mean over the batch equals the sum, and db as a mean would pass
    random_shapes=[{"N": 3, "D": 5, "H": 2}, {"N": 5, "D": 4, "H": 3}, {"N": 6, "D": 3, "H": 2}],
    arg_names=("dout", {"cache": ("x", "W", "b")}),
    outputs=("dx", "dW", "db"),
    output_credit=True,
    rtol=1e-6, atol=1e-9,
    numerical=_linear_numerical, fd_tolerance=1e-7,
    conventions=(Convention("your dW has the layout (out, in) = (H, D)", _linear_out_in, _OUT_IN),),
    points=3,
    time_limit=5.0,
    hints=(
        "Start from the forward pass out = x @ W + b, with W stored as (in, out) = (D, H). Each gradient "
        "has the shape of its parameter (dx like x (N, D), dW like W (D, H), db like b (H,)) and collects "
        "what that parameter does to every entry of out it touches.",
        "Write one entry of the forward pass by hand: out[n, h] = sum over d of x[n, d] * W[d, h] + b[h]. "
        "Which entries of out does W[d, h] touch, and with which factor? That gives dW[d, h]; the same "
        "question for x[n, d] gives dx[n, d].",
        "b[h] is added to out[n, h] for every example n of the batch, so db[h] receives something from "
        "every row of dout. How do the N contributions combine?",
        "dx = dout @ W.T and dW = x.T @ dout; the shapes tell you where the transpose goes.",
        "db = dout.sum(axis=0): b is added to every row of the batch, so its gradient adds dout up over it.",
    ),
))


# -- relu_backward --------------------------------------------------------------------------------
def _relu_args(rng: np.random.Generator, N: int, D: int) -> tuple:
    x = rng.standard_normal((N, D))
    flat = x.reshape(-1)
    flat[0], flat[1] = abs(flat[0]) + 0.1, -abs(flat[1]) - 0.1  # every case has both signs
    dout = rng.standard_normal((N, D))
    return dout, x > 0


relu_backward = register(FunctionExercise(
    "backprop.relu_backward",
    target="relu_backward",
    title="the gradient dx of out = max(0, x), given the mask x > 0",
    reference="nncourse.functional:relu_backward",
    make_args=_relu_args,
    public_shapes=[{"N": 2, "D": 3}, {"N": 3, "D": 4}],
    random_shapes=[{"N": 4, "D": 3}, {"N": 2, "D": 5}, {"N": 5, "D": 2}],
    arg_names=("dout", "cache"),
    outputs="dx",
    rtol=1e-12, atol=1e-12,
    points=2,
    time_limit=5.0,
    hints=(
        "dx has the shape of dout. Look at where your dx differs from the expected one: where the input "
        "x was positive, or where it was not? The cache is the boolean mask x > 0 from the forward pass.",
        "max(0, x) has slope 1 where x > 0 and slope 0 elsewhere: the gradient passes through unchanged "
        "where the input was positive and is 0 elsewhere.",
        "Multiplying by a boolean mask keeps the True entries: dx = dout * mask.",
    ),
))


# -- quiz -----------------------------------------------------------------------------------------
quiz_cache = register(ExplainedQuiz(
    "backprop.quiz_cache",
    target="answer_cache",
    title="why linear_forward returns a cache",
    answer_format="choice",
    options=("A", "B", "C", "D"),
    keys=("732fb259f4bdea5e25858b67fbefb35fadfa2f5da2ad206859785d5a5e4a3711",),
    notes={
        '3b064dca62a05fc2ce9e737767fdf864db6d78db40e8aede887d705c1e61c22f':
            'PrOzKwPF8S/m//d4Dj45OYEbB9uea0GmjFHZRSBoaDvWv+xXIF4Nd74Zl2Q5iAZaq/LBeQwJur3xH8l6h5tG+rQBWo5e6lpq'
            'wPTPRtS0MqKx5/6Nk1tZM3kQK2cD0g1mO53hvlqx4E/yrCr9FfWiegpaJLBH4b8vYdFA0MmTEIrB',
        '687a322d0a90622eb932727f0c3e82c226e45d0011ca97b61801373da49028c1':
            'f0pZ9wMTVpVuzlai4C4uJ22nu25lh+/kkbGW4lNs3cZdn2//HLoo936b7i9jUS169H/BxkYviN/oFRxvTKA/RmKUPFkeVm/1'
            'fEPrsWylTVbj3mNblkgVN51DnP8XUHtw6WNGdYdHRH3uurVbn9igrKpkyPcy5zekd21tGfrfwSo61h7ghdTJMwwaNYEJgGfZ'
            '9fJOS5SMMXqSrCgJSynIt4klFKy2L//jjEekhi1bk+g=',
        '27fbb8db58f7c34acf16c7d6d9272d8c244cac333f29e1b7ae3489326fd81954':
            'aSKBsGkb2g+RfTWMcJz1rGDvdLnZizsodRzQ9hWt3wZSuxni0ooSccnA16ieBSPOoHkDsT3syYNmU1TpjcjilKPI/ob7tYuC'
            'KZqw87VdUQNo6RmLYs4Abcmo1uQy7IuiGFuCGjevKqtGRd4qK6WSgNzpaWie2PLvMbB2D81zyLZaUA3rHWMCtqg2oPj6b3CN'
            'oWSTzyMIxfAPfeO8ZtT0Lu8/jNHcvTgAI7qaBGwQviRyflp1rENbLA==',
        '266c4cd7a2284575840d279a6cb59138a719ba30a4956132df551af11478bc41':
            'LrDl598OWP86VnFt0rWBV8CU4NLUZOJZ8IQoiCmCUn73jRwgd7fwj5b6C3yD1cQfpT7tAg04c1m4jlMqnnSeItt9Qp1+G2c0'
            'dzntg3qtUY20lzVDqaNMbLbf6NX8JhyK/ey9mVnVFHspBxBTyXx4UUN6jSb5l5d35NXlEGsI',
    },
    points=1,
    hints=("Look at what linear_backward reads from the cache, and at which gradient needs it.",),
))

quiz_dw_shape = register(ExplainedQuiz(
    "backprop.quiz_dw_shape",
    target="answer_dw_shape",
    title="the shape of dW",
    answer_format="shape",
    keys=("a56228b59bf205bad4c806102ee1ab1468499fde92c88d47440b4b92955eb5b7",),
    notes={
        'b0bb35c4fefe9349db180f37834dc243e21d055e50133fdcc066ad8215829f81':
            'hdrwJp+RR5SsJpCMuywPodk3ggY8BvrRPZ+w02DcNIJuYTMlMtn08V+2Mq4rDgOLL3EP/BLp9HrbZumYzOvTOa6N6XZ5Vfhx'
            '4Rg3paijSX8hPMG3hh/6G6m1rO7JpJwEm7KU3RG2xV57',
        'f7acd67c0522a335e80099dadd3eb1ceed94eec01651c50a66a7b3010e73add6':
            'sU9GLYj2+nMc76KnpoN+zP2CSll1d7vKxu539bYJC99BKYtK2+w9HChE8SloGa3aqUKEaqbjPQLH9iBivERzlQpZiq+LJ/yB'
            'K6ApptRXfaRGjLdjbnviksq5PLE3PIKSojyukg==',
        'd26135188c7924c4b4c66cd2b1c9b7252cd774533363455a63aeb3a2719658a1':
            'S89pZRt6JbpTH9h9l5CjWv6aJzhbLE29FwH7OZuYg8YNJ9D3NnsMM1GUJiE30PlGX1+81ohdp8c99gqYCy8awjWvOStv4dZX'
            'qKW4xyX5TF+HqHypP+Olo57RIwEUoljJzUVIMIIksu8qeCJjUWfZKQ==',
        '93ac256b691f01f889532595ed47174704a5206d74bd8a5e1b029cb6cca2e80a':
            'AjCi78+Pd2V9AZ1h4qksoXwmThLBwEbBh+PHrSBKb5wVnG4yfCcu8N9WaeEA08gK6PbJ5SB1nPLykubNqECx7InwsK5yAvjQ'
            'mqnK8WCMTFNwgQyHRjZxzcNqYBvUu630BOL/h2x2gIuxmM2MI0oPOjjjwpUdVfu+UcmJ6g5zsJGk',
    },
    points=1,
    hints=("A gradient has the shape of the parameter it belongs to; write it with the letters N, D, H.",),
))

quiz_multiplications = register(ExplainedQuiz(
    "backprop.quiz_multiplications",
    target="answer_multiplications",
    title="the number of multiplications in dW = x.T @ dout",
    answer_format="number",
    keys=("b7b6eaa6951b83f9cdd1c4e024e13274caf15ee3441bb9752fbde861f9037903",),
    notes={
        '8b3898fdb278b0cdd71ca52421cb83407457751d4fd3736c9198be12201b243a':
            'G/HWSNfgLSROAAY2SW01/q3CnlNXphI4c9FYsnbBYUZG9NZPY/GZ7xl4myb/ekSwLWQGa0echnAONqiOq16fPFPcDrfkMCUu'
            'ki0/dGO0GZAUc6Or5ctyAV40Xst7lTJudJaeEeBEgWwi3w==',
        'bf0042b5288b1d3a499fa560b4384a8d650ee10163ce8e54f85c4f462479c4f1':
            'SX+x2bViAiH+s29sJ0fUCDhIlQek0DX7mkrSW/PeWXp0u55d1TD3LYuLfNIn0t32kKrNWHFQNOhxbYCN7tm0jmOdBbcAGiTo'
            'vEl/JkRF4kImpLKXB8Jqj56QkzImBM81QvAA42PIYNXqC/Od6oHG0TD9inz8h8hMKYPoXLN94LBrbwsr30+IUQNzkErPng==',
        '4c9dd512fb472c13b6c06ef940f0935f9a1ebfdaaaaf5dcc07139a62db760fbd':
            '9RU8VfT3+htl1VQvko1sNxo9lht6rjVHzLt4GPo7K+a2xnDH0b56/GWKdfBxH8ZHnhJ3hmIM3Md11HJTpnzB8PYqB5AzeO0c'
            'N9ctKEIVeWHbZRl0olnGrbEJBQK7Ugo5aGPbG3GNDg==',
        '1bdfe6ca242c47880bbdb93191d8ae09a87469d13366c7573366836c9d7cbc48':
            'LD0ZUeo0MQ0PUqbSKUcd7ViFsdd4mP7x6/5A6DH9/ep3oFaXqbLhVBOuXtyn6QW1rOc1/HBv2REVGaHVkI2c8mo2cQk000qp'
            'MkOvgcY4qRiPwpRjz9kFi314v0XfzrwK0s3pRIWx4Wl0',
    },
    points=1,
    hints=("Write down the shapes of the two factors of x.T @ dout with the notebook's N, D and H, and "
           "count how many entries the result has.",
           "A matrix product of shapes (a, b) and (b, c) computes a * c sums of b products each.",),
))
