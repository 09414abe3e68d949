"""The experiment helpers of the regularisation and dropout notebooks, against hand-computed values."""
import numpy as np
import pytest

from nncourse.experiments.dropout import dropout_cost, make_dropout_net, thinned_ensemble
from nncourse.experiments.regularization import digits_subset, paired, unused_digits
from nncourse.layers import Dropout, Linear
from nncourse.model import Sequential


def test_paired_by_hand():
    mean, se = paired([0.9, 0.8, 0.7], [0.8, 0.8, 0.6])
    d = np.array([0.1, 0.0, 0.1])
    assert mean == pytest.approx(d.mean()) and se == pytest.approx(d.std(ddof=1) / np.sqrt(3))
    with pytest.raises(ValueError, match="length >= 2"):
        paired([1.0], [0.0])


def test_digits_subset_replaces_the_stated_fraction_of_labels():
    X, y, X_val, y_val, wrong = digits_subset(1000, label_noise=0.3, seed=1)
    X0, y0, _, _, wrong0 = digits_subset(1000, label_noise=0.0, seed=1)
    np.testing.assert_array_equal(X, X0)               # the same images, only labels differ
    assert not wrong0.any() and np.array_equal(y[~wrong], y0[~wrong]) and np.all(y[wrong] != y0[wrong])
    assert 0.22 < wrong.mean() < 0.32                   # 0.3 replaced, 9 in 10 of those end wrong: 0.27
    assert X_val.shape == (270, 64) and y_val.shape == (270,)
    again = digits_subset(1000, label_noise=0.3, seed=1)
    np.testing.assert_array_equal(again[1], y)
    with pytest.raises(ValueError, match="n_train"):
        digits_subset(5000, seed=0)


def test_unused_digits_are_the_rest_of_training_plus_validation():
    X, y, X_val, _, _ = digits_subset(100, seed=2)
    X_rest, y_rest = unused_digits(100, seed=2)
    assert X_rest.shape == (1257 - 100 + 270, 64) and y_rest.shape == (1427,)
    rows = {row.tobytes() for row in X_rest}
    assert sum(row.tobytes() in rows for row in X) <= 2   # (the digits hold a few duplicate images)
    np.testing.assert_array_equal(X_rest[-270:], X_val)


def test_make_dropout_net_places_layers_and_keeps_the_weights():
    net = make_dropout_net(0.5, 0.2, seed=3)
    kinds = [type(layer).__name__ for layer in net.layers]
    assert kinds == ["Dropout", "Linear", "ReLU", "Dropout", "Linear", "ReLU", "Dropout", "Linear"]
    assert [layer.drop_prob for layer in net.layers if isinstance(layer, Dropout)] == [0.2, 0.5, 0.5]
    plain = make_dropout_net(seed=3)
    assert [type(layer).__name__ for layer in plain.layers] == ["Linear", "ReLU", "Linear", "ReLU", "Linear"]
    w_drop = [p for k, p in net.params.items() if k.endswith("W")]
    w_plain = [p for k, p in plain.params.items() if k.endswith("W")]
    assert all(np.array_equal(a, b) for a, b in zip(w_drop, w_plain))
    assert len(make_dropout_net(0.0, seed=3, always_dropout_layers=True).layers) == 8


def test_thinned_ensemble_of_a_linear_network_averages_to_the_rescaled_one():
    # without a nonlinearity after the dropout, the mean over masks of the logits is exactly the
    # evaluation-mode logits; with many masks the average comes close to it
    rng = np.random.default_rng(0)
    first, second = Linear(5, 40, seed=1), Linear(40, 3, seed=2)
    net = Sequential(first, Dropout(0.5, seed=3), second)
    X = rng.standard_normal((20, 5))
    mean_logits = np.mean([net.forward(X, train=True) for _ in range(4000)], axis=0)
    np.testing.assert_allclose(mean_logits, net.forward(X, train=False), atol=0.1)
    out = thinned_ensemble(net, X, 50, seed=4)
    assert out["ensemble"].shape == (20, 3) and out["single"].shape == (50, 20)
    np.testing.assert_allclose(out["ensemble"].sum(axis=1), 1.0, atol=1e-9)
    assert np.mean(out["ensemble"].argmax(axis=1) == out["rescaled"].argmax(axis=1)) > 0.8
    again = thinned_ensemble(net, X, 50, seed=4)
    np.testing.assert_array_equal(again["single"], out["single"])


def test_dropout_cost_reports_ratios_of_its_own_measurements():
    cost = dropout_cost(seed=0, n_train=60, epochs=4, repeats=1)
    for key in ("epoch", "predict"):
        seconds = cost[f"{key}_seconds"]
        assert seconds["plain"] > 0 and seconds["dropout"] > 0
        assert cost[f"{key}_ratio"] == pytest.approx(seconds["dropout"] / seconds["plain"])
    assert 1 <= cost["best_epoch"]["plain"] <= 4 and cost["epochs"] == 4
    assert cost["epochs_ratio"] == pytest.approx(cost["best_epoch"]["dropout"] / cost["best_epoch"]["plain"])
    assert cost["histories"]["dropout"].epochs == 4


def test_mnist1d_dropout_pairs_the_two_networks_on_the_same_draw():
    from nncourse.experiments.dropout import mnist1d_dropout

    out = mnist1d_dropout([0, 1], n_train=100, width=16, epochs=3)
    assert out["plain"].shape == out["dropout"].shape == out["plain_best"].shape == (2,)
    for k in range(2):
        plain, drop = out["histories"][k]["plain"], out["histories"][k]["dropout"]
        assert out["plain_best"][k] == max(plain["val_acc"]) >= plain["val_acc"][-1] == out["plain"][k]
        assert drop["val_acc"][-1] == out["dropout"][k]
        assert plain["train_loss"] != drop["train_loss"]       # dropout changed the training
    again = mnist1d_dropout([0, 1], n_train=100, width=16, epochs=3)
    np.testing.assert_array_equal(again["dropout"], out["dropout"])
