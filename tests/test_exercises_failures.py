"""The failures notebook's checks: right answers get full points, conceptually wrong ones get none.

The right functions are written out here by hand, independently of the package, to build the wrong
ones from them; the references are checked against the package's own layers and by hand.
"""
import numpy as np
import pytest

import nncourse
from nncourse import exercises
from nncourse.check import check
from nncourse.exercises.failures import clip_reference
from nncourse.experiments.failures import backward_inputs, grad_norms, train_steps


# ---- grad_norms ---------------------------------------------------------------------------------
def norms_right(dout, weights, slopes):
    delta, out = dout, [np.linalg.norm(dout)]
    for l in range(len(weights) - 1, 0, -1):
        delta = (delta @ weights[l].T) * slopes[l - 1]
        out.append(np.linalg.norm(delta))
    return np.array(out[::-1])


def norms_no_slopes(dout, weights, slopes):  # the activations are forgotten: a linear network
    return norms_right(dout, weights, [np.ones_like(s) for s in slopes])


def norms_output_first(dout, weights, slopes):
    return norms_right(dout, weights, slopes)[::-1].copy()


def norms_W_not_transposed(dout, weights, slopes):
    return norms_right(dout, [W.T for W in weights], slopes)


def norms_before_slope(dout, weights, slopes):  # measures dL/dh instead of dL/dz
    delta, out = dout, [np.linalg.norm(dout)]
    for l in range(len(weights) - 1, 0, -1):
        dh = delta @ weights[l].T
        out.append(np.linalg.norm(dh))
        delta = dh * slopes[l - 1]
    return np.array(out[::-1])


def norms_mean_over_batch(dout, weights, slopes):  # average length of one example's gradient
    delta, out = dout, [np.linalg.norm(dout, axis=1).mean()]
    for l in range(len(weights) - 1, 0, -1):
        delta = (delta @ weights[l].T) * slopes[l - 1]
        out.append(np.linalg.norm(delta, axis=1).mean())
    return np.array(out[::-1])


def norms_wrong_slope(dout, weights, slopes):  # the slope of the layer above
    delta, out = dout, [np.linalg.norm(dout)]
    for l in range(len(weights) - 1, 0, -1):
        delta = (delta @ weights[l].T) * slopes[l]  # IndexError at the top: off by one
        out.append(np.linalg.norm(delta))
    return np.array(out[::-1])


def norms_of_weight_rows(dout, weights, slopes):  # the size of the weights, not of the gradient
    return np.array([np.linalg.norm(W) for W in weights])


def norms_without_last(dout, weights, slopes):
    return norms_right(dout, weights, slopes)[:-1]


NORMS_WRONG = [norms_no_slopes, norms_output_first, norms_W_not_transposed, norms_before_slope,
               norms_mean_over_batch, norms_wrong_slope, norms_of_weight_rows, norms_without_last]


def test_grad_norms_matches_the_package_backward_pass():
    net = nncourse.mlp([6, 5, 4, 3], activation="tanh", seed=3)
    X = np.random.default_rng(0).standard_normal((7, 6))
    y = np.array([0, 1, 2, 0, 1, 2, 0])
    dout, weights, slopes = backward_inputs(net, X, y)
    seen = {}
    for i, layer in enumerate(net):  # the gradient arriving at each Linear layer's output
        if isinstance(layer, nncourse.Linear):
            original = layer.backward

            def spy(d, *args, _i=i, _orig=original, **kw):
                seen[_i] = np.linalg.norm(d)
                return _orig(d, *args, **kw)

            layer.backward = spy
            layer.backward_params = spy
    net.backward(dout)
    expected = [seen[i] for i in sorted(seen)]
    np.testing.assert_allclose(grad_norms(dout, weights, slopes), expected, rtol=1e-12)


def test_grad_norms_by_hand():
    # one hidden unit: dout = 2, W2 = 3, slope 0.5 -> delta_1 = 2 * 3 * 0.5 = 3
    out = grad_norms(np.array([[2.0]]), [np.array([[1.0]]), np.array([[3.0]])], [np.array([[0.5]])])
    np.testing.assert_allclose(out, [3.0, 2.0])


def test_grad_norms_rejects_a_missing_slope():
    with pytest.raises(ValueError, match="one slope array per hidden layer"):
        grad_norms(np.ones((2, 2)), [np.ones((2, 2))] * 3, [np.ones((2, 2))])


@pytest.mark.parametrize("fn", NORMS_WRONG, ids=lambda f: f.__name__)
def test_wrong_grad_norms_score_zero(fn):
    for seed in (0, 1):
        with np.errstate(all="ignore"):
            result = check("failures.grad_norms", fn, seed=seed)
        assert result.points == 0, str(result)
        assert result.message


# ---- clip_by_global_norm ------------------------------------------------------------------------
def clip_right(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g * g) for g in grads))
    return [g * (max_norm / norm) if norm > max_norm else g.copy() for g in grads]


def clip_always(grads, max_norm):  # rescales short gradients up as well
    norm = np.sqrt(sum(np.sum(g * g) for g in grads))
    return [g * (max_norm / norm) for g in grads]


def clip_never(grads, max_norm):
    return [g.copy() for g in grads]


def clip_each_array(grads, max_norm):  # per-array clipping changes the direction
    return [g * min(1.0, max_norm / np.linalg.norm(g)) for g in grads]


def clip_by_value(grads, max_norm):
    return [np.clip(g, -max_norm, max_norm) for g in grads]


def clip_sum_of_norms(grads, max_norm):  # adds the arrays' lengths instead of their squares
    norm = sum(np.linalg.norm(g) for g in grads)
    return [g * (max_norm / norm) if norm > max_norm else g.copy() for g in grads]


def clip_to_unit(grads, max_norm):  # forgets max_norm in the scale
    norm = np.sqrt(sum(np.sum(g * g) for g in grads))
    return [g / norm if norm > max_norm else g.copy() for g in grads]


def clip_squared_norm(grads, max_norm):
    norm = sum(np.sum(g * g) for g in grads)
    return [g * (max_norm / norm) if norm > max_norm else g.copy() for g in grads]


def clip_in_place(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g * g) for g in grads))
    for g in grads:
        if norm > max_norm:
            g *= max_norm / norm
    return grads


def clip_returns_array(grads, max_norm):
    return np.concatenate([g.ravel() for g in clip_right(grads, max_norm)])


CLIP_WRONG = [clip_always, clip_never, clip_each_array, clip_by_value, clip_sum_of_norms, clip_to_unit,
              clip_squared_norm, clip_in_place, clip_returns_array]


def test_clip_reference_by_hand():
    # lengths 3 and 4 make 5; clipped to 1 they become 0.6 and 0.8 of their directions
    out = clip_reference([np.array([3.0]), np.array([0.0, 4.0])], 1.0)
    np.testing.assert_allclose(out[0], [0.6])
    np.testing.assert_allclose(out[1], [0.0, 0.8])
    same = clip_reference([np.array([0.3]), np.array([0.4])], 1.0)
    np.testing.assert_allclose(np.concatenate(same), [0.3, 0.4])


def test_clip_cases_come_in_pairs_above_and_below():
    ex = exercises.get("failures.clip_by_global_norm")
    cases = ex.cases(0)
    assert len(cases) % 2 == 0
    for above, below in zip(cases[0::2], cases[1::2]):
        length = [np.sqrt(sum(np.sum(g * g) for g in c.args[0])) for c in (above, below)]
        assert length[0] > above.args[1] and length[1] < below.args[1]
        # the arrays' lengths add up to more than max_norm, so a sum of lengths clips too early
        assert sum(np.linalg.norm(g) for g in below.args[0]) > below.args[1]


@pytest.mark.parametrize("fn", [clip_right, clip_reference], ids=lambda f: f.__name__)
def test_the_right_functions_get_full_points(fn):
    for seed in (0, 1, 2):
        result = check("failures.clip_by_global_norm", fn, seed=seed)
        assert result.points == result.max_points, str(result)
    for seed in (0, 1, 2):
        result = check("failures.grad_norms", norms_right if fn is clip_right else grad_norms, seed=seed)
        assert result.points == result.max_points, str(result)


@pytest.mark.parametrize("fn", CLIP_WRONG, ids=lambda f: f.__name__)
def test_wrong_clipping_scores_zero(fn):
    for seed in (0, 1):
        result = check("failures.clip_by_global_norm", fn, seed=seed)
        assert result.points == 0, str(result)
        assert result.message


def test_the_first_hints_hold_no_reference_code():
    for exercise_id, code in [("failures.grad_norms", ["@", ".T", "np.linalg.norm", "slopes["]),
                              ("failures.clip_by_global_norm", ["np.sqrt", "max_norm / norm", "**2"])]:
        first = exercises.get(exercise_id).hints[0]
        assert not any(c in first for c in code), first
        assert any(c in exercises.get(exercise_id).hints[-1] for c in code)


# ---- the experiment helper --------------------------------------------------------------------
def test_train_steps_uses_the_clipping_function():
    splits = nncourse.digits_splits(seed=0)
    X, y = splits.X_train[:256], splits.y_train[:256]
    seen = []

    def clip(grads, max_norm):
        seen.append(np.sqrt(sum(np.sum(g * g) for g in grads)))
        return clip_right(grads, max_norm)

    net = nncourse.mlp([64, 16, 10], seed=0)
    out = train_steps(net, X, y, lr=0.1, steps=5, seed=0, clip=clip, max_norm=1e-3)
    np.testing.assert_allclose(seen, out["grad_norm"])
    assert len(out["loss"]) == 5
    # with a tiny max_norm the weights move by at most lr * max_norm per step
    first = nncourse.mlp([64, 16, 10], seed=0)
    moved = np.sqrt(sum(np.sum((a - b) ** 2) for a, b in zip(net.params.values(), first.params.values())))
    assert moved <= 5 * 0.1 * 1e-3 + 1e-12


def test_the_helpers_reject_what_they_cannot_measure():
    net = nncourse.mlp([4, 3, 2], batchnorm=True, seed=0)
    with pytest.raises(ValueError, match="BatchNorm"):
        backward_inputs(net, np.ones((2, 4)), np.array([0, 1]))
    plain = nncourse.mlp([4, 3, 2], seed=0)
    with pytest.raises(ValueError, match="max_norm"):
        train_steps(plain, np.ones((4, 4)), np.array([0, 1, 0, 1]), lr=0.1, steps=2, seed=0, clip=clip_right)
    with pytest.raises(ValueError, match="steps"):
        train_steps(plain, np.ones((4, 4)), np.array([0, 1, 0, 1]), lr=0.1, steps=0, seed=0)


# ---- quiz -------------------------------------------------------------------------------------
@pytest.mark.parametrize("answer", ["A", "C", "D", "b)", "E", 2, None])
def test_the_quiz(answer):
    result = check("failures.quiz_diagnose", answer)
    if answer == "b)":
        assert result.points == 1
    else:
        assert result.points == 0


# ---- common mistakes are named ------------------------------------------------------------------
@pytest.mark.parametrize("fn, words", [
    (norms_of_weight_rows, "sizes of the weight matrices"),
    (norms_output_first, "reverse order"),
    (norms_no_slopes, "without activations"),
    (norms_before_slope, "activation's output h_l"),
    (norms_mean_over_batch, "averaged the lengths"),
], ids=lambda v: getattr(v, "__name__", "words"))
def test_common_grad_norms_mistakes_are_named(fn, words):
    result = check("failures.grad_norms", fn, seed=0)
    assert result.points == 0 and words in str(result), str(result)


@pytest.mark.parametrize("fn, words", [
    (clip_each_array, "clipped each array on its own"),
    (clip_by_value, "clipping by value"),
    (clip_always, "stretched to length max_norm"),
    (clip_never, "came back unchanged"),
    (clip_sum_of_norms, "added up the arrays' lengths"),
    (clip_to_unit, "joint length 1"),
], ids=lambda v: getattr(v, "__name__", "words"))
def test_common_clipping_mistakes_are_named(fn, words):
    result = check("failures.clip_by_global_norm", fn, seed=0)
    assert result.points == 0 and words in str(result), str(result)
    assert "examples of the batch" not in str(result)  # no batch axis here
