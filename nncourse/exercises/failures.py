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
from nncourse.exercises.explained import ExplainedQuiz
from nncourse.exercises.function import Convention, FunctionExercise


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


def _deltas(case: Case, slopes: bool = True) -> list[np.ndarray]:
    """dL/dz_l for l = 1 .. L, input side first (with every slope 1 when ``slopes`` is False)."""
    dout, weights, S = case.args
    delta, out = dout, [dout]
    for W, s in zip(weights[:0:-1], S[::-1]):
        delta = (delta @ W.T) * (s if slopes else 1.0)
        out.append(delta)
    return out[::-1]


def _norms_of_weights(case: Case) -> np.ndarray:
    return np.array([np.linalg.norm(W) for W in case.args[1]])


def _norms_reversed(case: Case) -> np.ndarray:
    return np.array([np.linalg.norm(d) for d in _deltas(case)[::-1]])


def _norms_no_slopes(case: Case) -> np.ndarray:
    return np.array([np.linalg.norm(d) for d in _deltas(case, slopes=False)])


def _norms_before_slopes(case: Case) -> np.ndarray:
    dout, weights, _ = case.args
    return np.array([np.linalg.norm(d @ W.T) for d, W in zip(_deltas(case)[1:], weights[1:])]
                    + [np.linalg.norm(dout)])


def _norms_mean_per_example(case: Case) -> np.ndarray:
    return np.array([np.linalg.norm(d, axis=1).mean() for d in _deltas(case)])


_NORMS_MISTAKES = (
    Convention("these are the sizes of the weight matrices", _norms_of_weights,
               "norms[l] measures the gradient that reaches the output of Linear layer l, an (N, D_l) "
               "matrix that starts from dout and changes with it, not the layer's weights"),
    Convention("your norms are in reverse order", _norms_reversed,
               "the values are right, but the course lists them input side first: norms[0] belongs to "
               "the Linear layer next to the input, and the last entry is the size of dout"),
    Convention("your norms are those of a network without activations", _norms_no_slopes,
               "on its way down, the gradient also passes through the activation of every hidden layer; "
               "the slopes say how much of it gets through"),
    Convention("you measured the gradient at each activation's output h_l", _norms_before_slopes,
               "norms asks for the gradient at the Linear layer's output z_l, one step further down: "
               "through the activation, whose slopes are given"),
    Convention("you averaged the lengths of the examples' gradients", _norms_mean_per_example,
               "norms asks for the size of the whole (N, D_l) matrix, every example of the batch together"),
)


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
    conventions=_NORMS_MISTAKES,  # common mistakes, recognised and named (never accepted)
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


def _joint(grads) -> float:
    return float(np.sqrt(sum(np.sum(g * g) for g in grads)))


# common mistakes, recognised by their outputs: (what the student did, their outputs, what to look at)
_CLIP_MISTAKES = (
    ("you clipped each array on its own", lambda gs, c: [g * min(1.0, c / np.linalg.norm(g)) for g in gs],
     "every array got its own factor, which turns the whole gradient in another direction. Clipping by "
     "the global norm uses one length for all the arrays together and one factor for all of them"),
    ("you clipped every entry to [-max_norm, max_norm]", lambda gs, c: [np.clip(g, -c, c) for g in gs],
     "that is clipping by value, which changes the direction; this exercise clips by length"),
    ("your arrays came back stretched to length max_norm", lambda gs, c: [g * (c / _joint(gs)) for g in gs],
     "their joint length was already below max_norm, so they must come back unchanged"),
    ("your arrays came back unchanged", lambda gs, c: [g for g in gs],
     "their joint length is above max_norm, so all of them must shrink by one common factor"),
    ("you added up the arrays' lengths", lambda gs, c: [g * min(1.0, c / sum(np.linalg.norm(h) for h in gs))
                                                       for g in gs],
     "the joint length is the length of all the entries as one long vector, not the sum of the "
     "arrays' lengths"),
    ("your arrays came back with joint length 1", lambda gs, c: [g / _joint(gs) for g in gs],
     "after clipping, the joint length is max_norm, not 1"),
)


class ClipExercise(FunctionExercise):
    """A function returning one new array per input gradient; cases are graded in pairs.

    A wrong answer that matches a common mistake (clipping each array on its own, clipping by value,
    stretching short gradients, ...) is named as such.
    """

    def _mistake(self, got: tuple, case: Case) -> str:
        grads, max_norm = case.args
        for name, outputs, message in _CLIP_MISTAKES:
            alt = outputs([np.array(g, dtype=np.float64) for g in grads], max_norm)
            if all(a.shape == g.shape and np.allclose(g, a, rtol=self.rtol, atol=self.atol)
                   for g, a in zip(got, alt)):
                return f"{name}: {message}"
        return ""

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
                mistake = self._mistake(got, case)
                return CaseResult(case.name, "failed", f"{mistake or problem} {where}", case.public)
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
    batch=None,  # no batch axis: a factor 2 is not "a sum over N = 2 examples"
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
quiz_diagnose = register(ExplainedQuiz(
    "failures.quiz_diagnose",
    target="answer_diagnose",
    title="which failure a per-layer gradient profile shows, and the first fix to try",
    answer_format="choice",
    options=("A", "B", "C", "D"),
    keys=("b72ce2c5d259c0513d6c41d93579b3c1471fb7152c1f2ad4b3edafabd2653584",),
    notes={
        '2a2777ee2edced29d1628c871eee2a7bd850299c6e18c0a801c3dcd782acc061':
            'e7qyeuMeWg5xdDxjhSEcElfDN5ydzAq0+TeEm2fqtumBXR7NNiDK+6ygu1UWCJF3XihnVnQ3ILQu3n/mnvdXWixSHizJ+vXJ'
            'eaZSax2FXo8xcNUg5qcAJc34tiFfAK+Ch/LoWG/9fIv0CQ8055Lh2x6JdqhnBQucG7YKzAEwczYhvUxLS0ZVc00PYNMr2X73'
            'qXjda2ZKJuXSEaUz8yT0Hq+9dYXLqEdGhk2iICKRadEGFof//nFadpvMsAQq4xkZHpzQs9rc7BLrwI1CDVbZdtA=',
        '09d27373f64c4a6482e5e7b34f3b50636d0e7cda84d2ce481a43bcbb0c1d21fd':
            'W5tFlidnz2s+6NlTDR7vXObsF3e3kxpnqVf0AFYZOkqHVUf9zkDmZ/lLRhY+hK7Wf59J1Cb8encmaGSG5aXnOVoSZ0TV0fsg'
            'NEOnYF813SsXKoIhh2NkSVzeVFKZwi6FzKcLrHXcEDKAqW4JnUl76KVgmpRRROd7o7C60mNfarc2tVzOgbeZU7zZ7uZls5sH'
            'KqgXEcHaSvsN6trG2VTzaU8UPNm69cr22XulO9W/qae6U5Al3yS8K8cqYaGlvZGjQqNefFE+r/o31phoQHde83F9cpS3AV1R'
            'nx7J26IU0+eDKnkS+FWylVmWL+Linfy33U/JHfnqOuTsdkVNoFLUW32r2vcnRmWf5kfCrhqwB5ZSpQY6nYNmg1Ryax8=',
        '503d1644a5922093c50893b080beeb79bd19a4b879cf80b8cba5a1a64332ff9b':
            '89/TYuIRpfJUpkl4eCDLKmXUA23H2OVf/YTHDkTyqc87G/eR7vwlcchdopvzoNmiELXNir7HcRT0TM7Dm2njucQAFJZOLmiM'
            '6AFz78UHV2xSii4VJnDB/RRciNhDxtjkpsKcjusTis6TLA9avGTfLEj/T+UlVJBUUVZzOQznZL3JjXcZNuC4x/J3cliNt0q4'
            '4mSW',
        'd9ac57c0a2d10a0c4aa8abf32331575acf9440be5f9575215cdfa893772e8b01':
            'afvnpbtDTNMttMXPrzAlebCg2zOjXkAg+5nwpKQ6h+mKC2K4Dfa5bCK/oOpDbRVcakuvv4TajAx9ZRuoNmK2Y2mOD9GFDWpZ'
            'lpsPlE1VfT5HMY4vu159pNh1hl0LJU01GGhYCr8YDn72d7oavF35Z8/d94/6V/V4i0orWaKOIN4dYQz4gvAiF1uzMx85oXGW'
            'sr/H3Yt382Qls1eLcxmW',
    },
    points=1,
    hints=("Compare the profile at the very first step with the profiles of this notebook: which one grew "
           "towards the input before any step was taken, and what made it grow?",),
))
