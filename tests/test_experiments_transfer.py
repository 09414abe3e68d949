"""Tests of nncourse.experiments.transfer: paired statistics, label draws, tasks and reuse runs."""
import numpy as np
import pytest

from nncourse import Linear, transfer
from nncourse.experiments import transfer as xp


def test_paired_against_hand_computed_values():
    mean, se = xp.paired([0.5, 0.7, 0.9], [0.4, 0.4, 0.4])  # differences 0.1, 0.3, 0.5
    assert mean == pytest.approx(0.3)
    assert se == pytest.approx(0.2 / np.sqrt(3))  # sample sd of (0.1, 0.3, 0.5) is 0.2
    with pytest.raises(ValueError, match="at least 2 draws"):
        xp.paired([1.0], [0.0])


def test_sub_seed_is_deterministic_and_separates_keys():
    assert xp.sub_seed(3, 1) == xp.sub_seed(3, 1)
    assert len({xp.sub_seed(3, 1), xp.sub_seed(3, 2), xp.sub_seed(4, 1), xp.sub_seed(3, 1, 3)}) == 4


def test_few_labels_draws_per_class_without_repeats():
    X = np.arange(60, dtype=float).reshape(30, 2)
    y = np.repeat([0, 1, 2], 10)
    Xs, ys = xp.few_labels(X, y, 4, seed=5)
    np.testing.assert_array_equal(np.bincount(ys), [4, 4, 4])
    assert len({tuple(r) for r in Xs}) == 12  # no example twice
    np.testing.assert_array_equal(ys, (Xs[:, 0] // 2) // 10)  # every example keeps its own label
    Xt, yt = xp.few_labels(X, y, 4, seed=5)
    np.testing.assert_array_equal(Xs, Xt)
    with pytest.raises(ValueError, match="per_class"):
        xp.few_labels(X, y, 0, seed=5)


def test_transfer_task_splits_classes_and_relabels():
    task = xp.transfer_task("digits", 0)
    assert set(np.unique(task.y_source)) == {0, 1, 2, 3, 4}
    assert set(np.unique(task.y_pool)) == {0, 1, 2, 3, 4}  # digits 5..9 renumbered
    assert len(task.y_source) + len(task.y_pool) == 1257 and task.X_pool.dtype == np.float32
    with pytest.raises(ValueError, match="data"):
        xp.transfer_task("cifar", 0)


def test_frozen_head_matches_training_the_frozen_network_end_to_end():
    task = xp.transfer_task("digits", 1)
    source = xp.mlp([64, 16, 5], seed=0, dtype=np.float32)
    X, y = xp.few_labels(task.X_pool, task.y_pool, 6, seed=0)
    head = xp.frozen_head(transfer(source, 2), X, y, 5, epochs=3, lr=0.01, batch_size=10, seed=7)
    whole = transfer(source, 2, head=[Linear(16, 5, seed=7, dtype=np.float32)])
    xp.train(whole, X, y, epochs=3, lr=0.01, batch_size=10, seed=7)
    np.testing.assert_allclose(head.params["W"], whole.layers[2].params["W"], atol=1e-5)
    assert not np.allclose(head.params["W"], Linear(16, 5, seed=7).params["W"])  # it did train


def test_reuse_runs_pairs_draws_and_leaves_the_source_alone():
    task = xp.transfer_task("digits", 2)
    source = xp.mlp([64, 16, 8, 5], seed=1, dtype=np.float32)
    before = {k: v.copy() for k, v in source.params.items()}
    plan = {"scratch": ("scratch", "s"), "frozen": ("frozen", "s"), "fine": ("fine-tuned", "s"),
            "unfrozen": ("unfrozen", "s"), "random": ("random, frozen", "s"), "first": ("frozen", "s", 2)}
    runs = xp.reuse_runs(task, {"s": source}, plan, draws=2, per_class=3, seed=4, epochs=2, batch_size=5)
    for part in ("val", "train"):
        assert set(runs[part]) == set(plan)
        assert all(a.shape == (2,) and np.all((a >= 0) & (a <= 1)) for a in runs[part].values())
    assert all(np.array_equal(before[k], v) for k, v in source.params.items())
    again = xp.reuse_runs(task, {"s": source}, {"frozen": ("frozen", "s")}, draws=2, per_class=3, seed=4,
                          epochs=2, batch_size=5)
    np.testing.assert_array_equal(again["val"]["frozen"], runs["val"]["frozen"])  # same draws, same result


@pytest.mark.parametrize("plan, words", [
    ({"x": ("melted", "s")}, "unknown mode"),
    ({"x": ("frozen", "nope")}, "uses source 'nope'"),
    ({"x": ("frozen", "s", 9)}, "reuses 9 layers"),
])
def test_reuse_runs_rejects_a_bad_plan(plan, words):
    task = xp.transfer_task("digits", 0)
    with pytest.raises(ValueError, match=words):
        xp.reuse_runs(task, {"s": xp.mlp([64, 8, 5], seed=0)}, plan, draws=1, per_class=2, seed=0)


def test_architecture_runs_returns_one_accuracy_per_seed():
    out = xp.architecture_runs("digits", {"tiny": [64, 4, 10]}, [0, 1], epochs=1, batch_size=256)
    assert out["tiny"].shape == (2,) and np.all((out["tiny"] >= 0) & (out["tiny"] <= 1))
