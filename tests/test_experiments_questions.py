"""The experiments of the questions_to_answer notebook, checked on small settings against hand counts
and definitions (the notebook itself asserts their outcomes for NNCOURSE_SEED 0 to 4)."""
import numpy as np
import pytest

from nncourse import Dropout, Linear, ReLU, Sequential, digits_splits, predict, transfer
from nncourse.experiments import questions as q


def test_paired_differences_by_hand():
    mean, se = q.paired([0.9, 0.8, 0.7], [0.8, 0.8, 0.5])
    # differences 0.1, 0.0, 0.2: mean 0.1, sample std 0.1, standard error 0.1 / sqrt(3)
    assert mean == pytest.approx(0.1) and se == pytest.approx(0.1 / np.sqrt(3))


def test_draw_seeds_are_distinct_across_experiments():
    seeds = q.draw_seeds(3, 4) + q.draw_seeds(4, 4) + q.draw_seeds(1003, 4)
    assert len(set(seeds)) == len(seeds) == 12


def test_networks_train_in_float32():
    model = q.net([4, 3, 2], seed=0)
    assert all(p.dtype == np.float32 for p in model.params.values())
    assert q.head(3, 2, 0).params["W"].dtype == np.float32


def test_noisy_digits_change_only_training_labels():
    X, y, X_val, y_val, X_test, y_test = q.noisy_digits(0, n_train=300, noise=0.3)
    clean = digits_splits(seed=0)
    assert X.shape == (300, 64) and y.shape == (300,)
    # find each training image among the clean ones and count the changed labels
    index = {row.tobytes(): label for row, label in zip(clean.X_train, clean.y_train)}
    changed = np.mean([index[row.tobytes()] != label for row, label in zip(X, y)])
    # 30% redrawn, of which 1 in 10 lands on the right label again: about 27% changed
    assert 0.18 <= changed <= 0.36, changed
    assert np.array_equal(y_val, clean.y_val) and np.array_equal(y_test, clean.y_test)
    assert np.array_equal(X_test, clean.X_test)


def test_equal_start_keeps_hidden_units_identical():
    result = q.equal_start(0, hidden=8, epochs=2)
    assert result["unit_spread"] <= 1e-12 and result["activation_spread"] <= 1e-12
    assert 0 <= result["acc_equal"] <= 1 and 0 <= result["acc_he"] <= 1


def test_trainable_count_of_a_frozen_transfer_by_hand():
    source = Sequential(Linear(6, 5, seed=0), ReLU(), Linear(5, 4, seed=1), ReLU(), Linear(4, 3, seed=2))
    model = transfer(source, 4, head=[Linear(4, 2, seed=3)])
    assert q.n_trainable(model) == 4 * 2 + 2
    model.trainable = True
    assert q.n_trainable(model) == (6 * 5 + 5) + (5 * 4 + 4) + (4 * 2 + 2)


def test_without_dropout_removes_only_dropout_and_predicts_the_same():
    model = Sequential(Linear(5, 4, seed=0), ReLU(), Dropout(0.5, seed=1), Linear(4, 3, seed=2))
    plain = q.without_dropout(model)
    assert [type(layer).__name__ for layer in plain.layers] == ["Linear", "ReLU", "Linear"]
    X = np.random.default_rng(0).standard_normal((7, 5))
    assert np.array_equal(predict(model, X), predict(plain, X))


def test_transfer_sources_unlike_order_is_a_permutation():
    sources = q.transfer_sources(0, epochs=1)
    assert np.array_equal(np.sort(sources["order"]), np.arange(40))
    assert not np.array_equal(sources["order"], np.arange(40))
    assert 0.2 <= sources["acc_related"] <= 1 and 0.2 <= sources["acc_unlike"] <= 1
    task = sources["task"]
    assert set(np.unique(task.y_source)) == set(range(5)) == set(np.unique(task.y_pool))
    draws = q.transfer_draws(sources, 0, draws=2, per_class=2, epochs=2)
    assert set(q.TRANSFER_VARIANTS) <= set(draws)
    assert all(draws[v].shape == (2,) for v in q.TRANSFER_VARIANTS)
    assert all(np.all((g >= -1) & (g <= 1)) and g.shape == (2,) for g in draws["train gap"].values())
    assert draws["trainable"] == {"frozen": 64 * 5 + 5, "unfrozen": 40 * 128 + 128 + 128 * 64 + 64 + 64 * 5 + 5}
    times = q.freeze_epoch_times(sources, 0, n_train=100, epochs=1)
    assert all(times[k] > 0 for k in ("all layers", "frozen", "cached features", "cache time"))


def test_overfitting_remedies_return_paired_draws():
    out = q.overfitting_remedies([0, 1], epochs=1, hidden=8)
    assert list(out) == list(q.REMEDIES)
    assert all(out[r]["train"].shape == out[r]["test"].shape == (2,) for r in q.REMEDIES)
