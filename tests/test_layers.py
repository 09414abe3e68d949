"""Layers and models: gradient checks, no accumulation, train/eval behaviour, freezing, state, transfer."""
import numpy as np
import pytest

import nncourse as nc
from nncourse.gradcheck import check_layer, numerical_gradient, rel_error


def data(N, D, seed=0):
    return np.random.default_rng(seed).normal(size=(N, D))


@pytest.mark.parametrize("N", [1, 3, 8])
@pytest.mark.parametrize("make", [
    lambda: nc.Linear(5, 4, init="xavier_normal", seed=1),
    lambda: nc.ReLU(), lambda: nc.LeakyReLU(0.1), lambda: nc.Sigmoid(), lambda: nc.Tanh(),
    lambda: nc.Dropout(0.4, seed=3),
], ids=["linear", "relu", "leaky", "sigmoid", "tanh", "dropout"])
def test_layer_gradients(make, N):
    x = data(N, 5, seed=N)
    x[np.abs(x) < 1e-3] = 0.3
    errors = check_layer(make(), x)
    assert max(errors.values()) < 1e-7, errors


def test_batchnorm_layer_gradients():
    errors = check_layer(nc.BatchNorm(4), data(6, 4) * 3 + 1, h=1e-3, order=4)
    assert set(errors) == {"x", "gamma", "beta"} and max(errors.values()) < 1e-7, errors


def away_from_kinks(model, N, D, margin=1e-2):
    """Inputs for which no pre-activation sits within ``margin`` of a ReLU kink (not differentiable there)."""
    for seed in range(100):
        x = data(N, D, seed=seed)
        model.forward(x)
        pre = [layer.last_output for layer in model.layers if isinstance(layer, nc.Linear)][:-1]
        if all(np.abs(z).min() > margin for z in pre):
            return x
    raise RuntimeError("no input away from the kinks found")


# finite differences of order 4 with h=1e-3: truncation error ~h**4 and little rounding, so the
# comparison measures the backward pass, not the finite-difference noise
@pytest.mark.parametrize("N", [1, 5])
@pytest.mark.parametrize("act", ["relu", "tanh", "sigmoid", "leaky_relu"])
def test_whole_network_gradients(act, N):
    model = nc.mlp([6, 7, 5, 3], activation=act, init="xavier_normal", seed=2)
    x, y = away_from_kinks(model, N, 6), np.random.default_rng(5).integers(0, 3, N)
    loss = lambda: nc.softmax_cross_entropy(model.forward(x), y)[0]  # noqa: E731
    _, dlogits = nc.softmax_cross_entropy(model.forward(x), y)
    dx = model.backward(dlogits)
    grads = {k: g.copy() for k, g in model.grads.items()}
    for k, p in model.params.items():
        assert rel_error(grads[k], numerical_gradient(loss, p, h=1e-3, order=4)) < 1e-7, k
    assert rel_error(dx, numerical_gradient(loss, x, h=1e-3, order=4)) < 1e-7
    errors = check_layer(model, x, h=1e-3, order=4)  # the same through the layer protocol
    assert max(errors.values()) < 1e-7, errors


def test_network_with_batchnorm_gradients():
    model = nc.mlp([4, 6, 3], batchnorm=True, seed=1)
    x, y = away_from_kinks(model, 7, 4), np.array([0, 1, 2, 0, 1, 2, 0])
    loss = lambda: nc.softmax_cross_entropy(model.forward(x), y)[0]  # noqa: E731
    model.backward(nc.softmax_cross_entropy(model.forward(x), y)[1])
    grads = {k: g.copy() for k, g in model.grads.items()}
    assert set(grads) == {"0.W", "0.b", "1.gamma", "1.beta", "3.W", "3.b"}
    for k, p in model.params.items():
        num = numerical_gradient(loss, p, h=1e-3, order=4)
        if k == "0.b":  # batch norm subtracts the batch mean: a bias before it has exactly no effect
            assert np.abs(grads[k]).max() < 1e-12 and np.abs(num).max() < 1e-9
        else:
            assert rel_error(grads[k], num) < 1e-7, k


def test_backward_twice_gives_the_same_gradients():
    model = nc.mlp([4, 5, 2], seed=0)
    x = data(3, 4)
    out = model.forward(x)
    dout = np.ones_like(out)
    dx1 = model.backward(dout).copy()
    g1 = {k: v.copy() for k, v in model.grads.items()}
    dx2 = model.backward(dout)
    np.testing.assert_array_equal(dx1, dx2)
    for k, v in model.grads.items():
        np.testing.assert_array_equal(g1[k], v)


def test_dropout_identity_at_eval_and_batchnorm_uses_running_stats():
    x = data(10, 4) * 5 + 3
    drop = nc.Dropout(0.5, seed=0)
    np.testing.assert_array_equal(drop.forward(x, train=False), x)
    assert np.count_nonzero(drop.forward(x, train=True) == 0) > 0
    bn = nc.BatchNorm(4, momentum=0.0)  # momentum 0: running stats become the last batch's
    bn.forward(x, train=True)
    np.testing.assert_allclose(bn.running_mean, x.mean(axis=0))
    np.testing.assert_allclose(bn.running_var, x.var(axis=0))
    shifted = x + 100.0
    ev = bn.forward(shifted, train=False)  # uses the stored statistics, not the shifted batch's
    np.testing.assert_allclose(ev, (shifted - x.mean(0)) / np.sqrt(x.var(0) + 1e-5))
    np.testing.assert_allclose(bn.running_mean, x.mean(axis=0))  # eval does not update them


def test_frozen_layer_does_not_move_and_behaves_the_same():
    model = nc.mlp([4, 8, 3], seed=0)
    model[0].trainable = False
    W0 = model[0].params["W"].copy()
    W2 = model[2].params["W"].copy()
    x, y = data(30, 4), np.random.default_rng(1).integers(0, 3, 30)
    nc.fit(model, x, y, epochs=3, batch_size=10, progress=False)
    np.testing.assert_array_equal(model[0].params["W"], W0)
    assert not np.allclose(model[2].params["W"], W2)
    assert "frozen" in repr(model[0])


def test_state_dict_save_load_and_copy(tmp_path):
    model = nc.mlp([4, 6, 3], batchnorm=True, seed=0)
    model.forward(data(5, 4), train=True)  # moves the running statistics
    path = model.save(tmp_path / "m")
    assert path.name == "m.npz"
    other = nc.mlp([4, 6, 3], batchnorm=True, seed=99)
    nc.load(path, other)
    x = data(3, 4, seed=7)
    np.testing.assert_array_equal(model.forward(x, train=False), other.forward(x, train=False))
    clone = model.copy()
    clone[0].params["W"] += 1.0
    assert not np.allclose(clone[0].params["W"], model[0].params["W"])
    with pytest.raises(ValueError, match=r"state\['0.W'\] has shape \(4, 6\), this model expects \(4, 7\)"):
        nc.mlp([4, 7, 3], batchnorm=True).load_state_dict(model.state_dict())
    with pytest.raises(ValueError, match="missing keys"):
        nc.mlp([4, 6, 3]).load_state_dict(model.state_dict())
    with pytest.raises(FileNotFoundError, match="no saved model"):
        nc.load(tmp_path / "nothing.npz", other)


def test_transfer_copies_or_shares_lower_layers():
    base = nc.mlp([4, 6, 5, 3], seed=0)
    copied = nc.transfer(base, 4, head=[nc.Linear(5, 2, seed=1)])
    assert len(copied) == 5 and not copied[0].trainable and copied[4].trainable
    assert base[0].trainable  # copying does not freeze the source
    copied[0].params["W"][...] = 0.0
    assert not np.allclose(base[0].params["W"], 0.0)
    shared = nc.transfer(base, 2, head=[nc.Linear(6, 2, seed=1)], share=True, freeze=False)
    shared[0].params["W"][...] = 0.0
    np.testing.assert_array_equal(base[0].params["W"], 0.0)
    names = [n for n, _, _ in copied.trainable_params()]
    assert names == ["4:Linear.W", "4:Linear.b"]
    with pytest.raises(ValueError, match="n_layers between 1 and 5, got 9"):
        nc.transfer(base, 9)


def test_reprs_are_readable():
    assert repr(nc.Linear(64, 128, init="he")) == "Linear(64 -> 128, init=he)"
    assert repr(nc.Dropout(0.25)) == "Dropout(drop_prob=0.25)"
    text = repr(nc.mlp([2, 3, 2]))
    assert "(0) Linear(2 -> 3, init=he)" in text and "17 parameters" in text


def test_initialiser_variances():
    rng = np.random.default_rng(0)
    for name, fan_in, fan_out, var in [("xavier", 300, 200, 2 / 500), ("xavier_normal", 300, 200, 2 / 500),
                                       ("he", 300, 200, 2 / 300), ("he_normal", 300, 200, 2 / 300)]:
        W = nc.Linear(fan_in, fan_out, init=name, seed=rng).params["W"]
        assert abs(W.var() / var - 1) < 0.03, name
    assert np.all(nc.Linear(3, 2, init="zeros").params["W"] == 0)
    assert np.all(nc.Linear(3, 2, init=nc.init.constant(0.5)).params["W"] == 0.5)
    assert abs(nc.Linear(400, 400, init=nc.init.normal(0.1), seed=0).params["W"].std() - 0.1) < 0.002
    a = nc.Linear(3, 2, seed=5).params["W"]
    np.testing.assert_array_equal(a, nc.Linear(3, 2, seed=5).params["W"])  # same seed, same bits


def test_layer_bad_input_messages():
    with pytest.raises(ValueError, match=r'unknown init \'hee\'; choose one of .*he.*xavier'):
        nc.Linear(3, 2, init="hee")
    with pytest.raises(ValueError, match=r"unknown activation 'relu6'; choose one of"):
        nc.mlp([3, 2, 1], activation="relu6")
    with pytest.raises(ValueError, match=r"drop_prob <= 1.0, got 1.2"):
        nc.Dropout(1.2)
    with pytest.raises(ValueError, match=r"drop_prob >= 0.0, got -0.5"):
        nc.Dropout(-0.5)
    with pytest.raises(ValueError, match=r"in_features to be an integer >= 1, got 0"):
        nc.Linear(0, 2)
    with pytest.raises(ValueError, match=r"Linear\(64 -> 10, init=he\) expected x of shape \(N, 64\), got \(32, 63\)"):
        nc.Linear(64, 10).forward(np.zeros((32, 63)))
    with pytest.raises(RuntimeError, match="call forward"):
        nc.Linear(2, 2).backward(np.zeros((1, 2)))
    with pytest.raises(TypeError, match="got int at position 1"):
        nc.Sequential(nc.ReLU(), 3)


def test_batchnorm_running_statistics_can_be_assigned_and_loaded():
    bn = nc.BatchNorm(3)
    bn.running_mean = [1.0, 2.0, 3.0]
    bn.running_var = np.array([4.0, 1.0, 0.25])
    x = np.array([[1.0, 2.0, 3.0], [3.0, 3.0, 3.5]])
    expected = (x - [1.0, 2.0, 3.0]) / np.sqrt(np.array([4.0, 1.0, 0.25]) + 1e-5)
    np.testing.assert_allclose(bn.forward(x, train=False), expected)
    np.testing.assert_array_equal(bn.state_dict()["running_mean"], [1.0, 2.0, 3.0])
    other = nc.BatchNorm(3)
    other.load_state_dict(bn.state_dict())  # a bare layer loads its own state, buffers included
    np.testing.assert_array_equal(other.running_var, [4.0, 1.0, 0.25])
    model = nc.Sequential(nc.Linear(3, 3, seed=0), nc.BatchNorm(3))
    model[1].running_mean = np.full(3, 7.0)
    assert model.state_dict()["1.running_mean"].tolist() == [7.0, 7.0, 7.0]
    with pytest.raises(ValueError, match=r"running_var of shape \(3,\), got shape \(2,\)"):
        bn.running_var = [1.0, 2.0]
    with pytest.raises(ValueError, match=r"running_var >= 0"):
        bn.running_var = [1.0, -2.0, 1.0]


def test_every_layer_lists_its_leaves_and_state_the_same_way():
    inner = nc.Sequential(nc.Linear(3, 4, seed=0), nc.ReLU())
    model = nc.Sequential(inner, nc.BatchNorm(4), nc.Linear(4, 2, seed=1))
    assert [n for n, _ in model.named_layers()] == ["0.0:Linear", "0.1:ReLU", "1:BatchNorm", "2:Linear"]
    assert model.children() == model.layers and inner.children() == inner.layers
    leaf = nc.Linear(2, 2, seed=0)
    assert leaf.children() == [] and list(leaf.named_layers()) == [("Linear", leaf)]
    assert set(leaf.state_dict()) == {"W", "b"}
    assert set(model.state_dict()) == {"0.0.W", "0.0.b", "1.gamma", "1.beta", "1.running_mean",
                                       "1.running_var", "2.W", "2.b"}
    # training skips the input gradient through a nested first container, down to its first Linear
    x = data(5, 3)
    out = model.forward(x)
    assert model.backward_params(np.ones_like(out)) is None
    dx = model.backward(np.ones_like(out))
    assert dx.shape == x.shape
    assert nc.ReLU().unit_health(np.array([[0.0, 1.0], [0.0, 2.0]])) == {"dead_frac": 0.5}
    assert nc.Linear(2, 2).unit_health(np.ones((2, 2))) == {}
