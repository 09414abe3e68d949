"""Exercises of the ``failures`` notebook: per-layer gradient norms, clipping by the global norm, a quiz.

- ``failures.grad_norms``: the backward pass of a stack ``Linear -> activation -> ... -> Linear``
  written with the chain rule alone, returning the size of the gradient that reaches each Linear
  layer. The reference is :func:`nncourse.experiments.failures.grad_norms`.
- ``failures.clip_by_global_norm``: rescale a list of gradients so that their joint length is at
  most ``max_norm``. The reference runs the package's :func:`nncourse.optim.clip_grad_norm` on a
  stand-in layer. Its cases come in pairs, one with the gradients longer than ``max_norm`` and one
  with them shorter; a pair earns points only when both of its cases pass, so an idea that is right
  in one regime only (always rescaling, never rescaling) earns nothing.

Quiz keys are salted hashes (see :mod:`nncourse.exercises.quiz`).
"""
from __future__ import annotations

import copy

import numpy as np

from nncourse.exercises.base import Case, CaseResult, SanitizeError, register
from nncourse.exercises.function import FunctionExercise
from nncourse.exercises.quiz import QuizExercise


# -- grad_norms -----------------------------------------------------------------------------------
def _slopes(rng: np.random.Generator, shape: tuple, kind: str) -> np.ndarray:
    """Local slopes of an activation at random pre-activations: ReLU masks, sigmoid or tanh slopes."""
    z = rng.standard_normal(shape) * 2.0
    if kind == "relu":
        s = (z > 0).astype(np.float64)
        s.reshape(-1)[:2] = (1.0, 0.0)  # both values in every case
        return s
    if kind == "sigmoid":
        p = 1.0 / (1.0 + np.exp(-z))
        return p * (1.0 - p)
    return 1.0 - np.tanh(z) ** 2


def _grad_norms_args(rng: np.random.Generator, N: int, widths: tuple, kind: str = "relu",
                     scale: float = 1.0) -> tuple:
    weights = tuple(scale * rng.standard_normal((a, b)) / np.sqrt(a) for a, b in zip(widths[:-1], widths[1:]))
    slopes = tuple(_slopes(rng, (N, w), kind) for w in widths[1:-1])
    dout = rng.standard_normal((N, widths[-1]))
    return dout, weights, slopes


grad_norms = register(FunctionExercise(
    "failures.grad_norms",
    target="grad_norms",
    title="the size of the gradient at the output of every Linear layer, input side first",
    reference="nncourse.experiments.failures:grad_norms",
    make_args=_grad_norms_args,
    # every width differs from its neighbours, so W in place of W.T, or the slopes of the wrong
    # layer, give a shape error instead of a lucky match; N >= 2 so a mean is not a sum
    public_shapes=[{"N": 3, "widths": (4, 5, 3, 2), "kind": "relu"},
                   {"N": 2, "widths": (3, 6, 4, 5, 2), "kind": "sigmoid"}],
    random_shapes=[{"N": 4, "widths": (5, 3, 6, 2), "kind": "tanh", "scale": 3.0},
                   {"N": 5, "widths": (2, 4, 3), "kind": "relu", "scale": 2.0},
                   {"N": 3, "widths": (6, 5, 4, 3, 7, 2), "kind": "sigmoid"}],
    arg_names=("dout", {"weights": ("W1", "W2", "W3", "W4", "W5")},
               {"slopes": ("S1", "S2", "S3", "S4")}),
    outputs="norms",
    rtol=1e-9, atol=1e-12,
    points=2,
    time_limit=5.0,
    hints=(
        "norms has one entry per Linear layer (len(weights) of them), the layer next to the input first, "
        "and its last entry is the size of dout itself. Walk backwards from dout, one layer at a time.",
        "Going down one layer takes two steps of the chain rule: through the Linear layer above (which "
        "way round is W for a gradient travelling backwards?), then through that layer's activation, "
        "whose local slopes are given. Measure the size of the whole (N, D) matrix after both steps.",
        "With delta = dout: for l from L down to 2, delta = (delta @ W_l.T) * S_(l-1), i.e. "
        "(delta @ weights[l-1].T) * slopes[l-2]; norms[l-2] = np.linalg.norm(delta) (the Frobenius norm "
        "over the whole batch, no mean, no division by N).",
    ),
))


# -- clip_by_global_norm --------------------------------------------------------------------------
def clip_reference(grads, max_norm: float) -> list[np.ndarray]:
    """The gradients as ``nncourse.clip_grad_norm`` leaves them: one new array per input array."""
    from nncourse.optim import clip_grad_norm

    class Holder:  # the smallest thing clip_grad_norm walks over: a trainable layer with grads
        trainable = True

        def __init__(self, arrays):
            self.params = {str(i): np.zeros_like(g) for i, g in enumerate(arrays)}
            self.grads = {str(i): np.array(g, dtype=np.float64, copy=True) for i, g in enumerate(arrays)}

    holder = Holder(grads)
    clip_grad_norm(holder, max_norm)
    return [holder.grads[str(i)] for i in range(len(grads))]


def _clip_args(rng: np.random.Generator, shapes: tuple, above: bool, max_norm: float | None = None) -> tuple:
    """Gradients of equal size whose joint length is 2-5 times max_norm (above) or 0.65-0.9 times it."""
    if max_norm is None:
        max_norm = float(np.round(rng.uniform(1.2, 4.0), 2))  # never 1: a unit length must fail
    factor = rng.uniform(2.0, 5.0) if above else rng.uniform(0.65, 0.9)
    grads = [rng.standard_normal(shape) for shape in shapes]
    each = factor * max_norm / np.sqrt(len(grads))  # equal norms: the sum of the norms exceeds max_norm
    grads = [g * (each / np.linalg.norm(g)) for g in grads]
    return grads, float(max_norm)


class ClipExercise(FunctionExercise):
    """A function returning one new array per input gradient; cases are graded in pairs."""

    def _want(self) -> str:
        return "a list with one numpy array per gradient in grads, in the same order"

    def sanitize(self, raw) -> tuple:
        if issubclass(type(raw), np.ndarray):
            raise SanitizeError(f"wrong type: expected {self._want()}, got a single array of shape {raw.shape}")
        if type(raw) not in (tuple, list):
            raise SanitizeError(f"wrong type: expected {self._want()}, got {type(raw).__name__}")
        return tuple(self._array(g, f"grads[{i}]") for i, g in enumerate(raw))

    def expected(self, case: Case) -> tuple:
        return tuple(np.array(g, dtype=np.float64) for g in clip_reference(*copy.deepcopy(case.args)))

    def compare(self, got: tuple, expected: tuple, case: Case) -> CaseResult:
        if len(got) != len(expected):
            return CaseResult(case.name, "failed", f"wrong number of arrays: got {len(got)}, expected "
                              f"{len(expected)} (one per gradient, in the same order)", case.public)
        grads, max_norm = case.args
        norm = float(np.sqrt(sum(np.sum(g * g) for g in grads)))
        where = (f"(here the gradients' joint length is {norm:.4g}, max_norm {max_norm:g})" if case.public
                 else f"(here the gradients' joint length is {'above' if norm > max_norm else 'below'} max_norm)")
        for i, (g, e) in enumerate(zip(got, expected)):
            problem = self._problem(f"grads[{i}]", g, e, case)
            if problem:
                return CaseResult(case.name, "failed", f"{problem} {where}", case.public)
        return CaseResult(case.name, "passed", "", case.public)

    def grade(self, case_results: list[CaseResult]) -> tuple[float, str, str]:
        """Like the base class, but a pair of cases (above, below ``max_norm``) passes only as a whole."""
        points, status, message = super().grade(case_results)
        if status != "partial":
            return points, status, message
        pairs = [case_results[i:i + 2] for i in range(0, len(case_results), 2)]
        passed = sum(all(r.passed for r in pair) for pair in pairs)
        points = round(self.points * passed / len(pairs), 2)
        return points, ("partial" if passed else "failed"), message


clip_by_global_norm = register(ClipExercise(
    "failures.clip_by_global_norm",
    target="clip_by_global_norm",
    title="gradients rescaled together so that their joint length is at most max_norm",
    reference="nncourse.exercises.failures:clip_reference",
    make_args=_clip_args,
    # each (above, below) pair shares its shapes; several arrays of different shapes per case
    public_shapes=[{"shapes": ((3, 2), (2,), (2, 4)), "above": True, "max_norm": 1.5},
                   {"shapes": ((3, 2), (2,), (2, 4)), "above": False, "max_norm": 1.5},
                   {"shapes": ((4, 3), (3,)), "above": True, "max_norm": 0.5},
                   {"shapes": ((4, 3), (3,)), "above": False, "max_norm": 0.5}],
    random_shapes=[{"shapes": ((2, 5), (5,), (5, 3), (3,)), "above": True},
                   {"shapes": ((2, 5), (5,), (5, 3), (3,)), "above": False},
                   {"shapes": ((6, 2), (2, 2), (2,)), "above": True},
                   {"shapes": ((6, 2), (2, 2), (2,)), "above": False}],
    arg_names=({"grads": ("g0", "g1", "g2", "g3")}, "max_norm"),
    outputs=("grads",),
    rtol=1e-9, atol=1e-12,
    points=2,
    time_limit=5.0,
    hints=(
        "Look at the cases whose message says the joint length is below max_norm, and at those where it is "
        "above: one kind of gradients must come back unchanged, the other rescaled. Return new arrays, "
        "one per gradient, in the same order.",
        "There is one length for all the gradients together, the square root of the sum of the squares "
        "of every entry of every array; every array is scaled by the same factor, so their direction "
        "as one long vector is kept.",
        "norm = np.sqrt(sum(np.sum(g**2) for g in grads)); if norm > max_norm return "
        "[g * (max_norm / norm) for g in grads], otherwise copies of the gradients unchanged.",
    ),
))


# -- quiz -----------------------------------------------------------------------------------------
quiz_diagnose = register(QuizExercise(
    "failures.quiz_diagnose",
    target="answer_diagnose",
    title="which failure a per-layer gradient profile shows, and the first fix to try",
    answer_format="choice",
    options=("A", "B", "C", "D"),
    keys=("b72ce2c5d259c0513d6c41d93579b3c1471fb7152c1f2ad4b3edafabd2653584",),
    points=1,
    hints=("Compare the profile at the very first step with the profiles of this notebook: which one grew "
           "towards the input before any step was taken, and what made it grow?",),
))
