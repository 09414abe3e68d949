"""fit: learning digits, early stopping, callbacks, diagnostics, the NaN trap and bad input."""
import numpy as np
import pytest

import nncourse as nc
from nncourse.datasets import digits_splits


@pytest.fixture(scope="module")
def digits():
    return digits_splits(seed=0)


def test_small_mlp_learns_digits(digits):
    model = nc.mlp([64, 64, 10], seed=0)
    hist = nc.fit(model, digits.X_train, digits.y_train, epochs=15, batch_size=32, seed=0,
                  optimizer=nc.SGD(lr=0.1, momentum=0.9), val_data=(digits.X_val, digits.y_val), progress=False)
    assert hist["val_acc"][-1] >= 0.95, hist
    assert hist["train_loss"][-1] < hist["train_loss"][0] / 5
    assert nc.accuracy(model, digits.X_test, digits.y_test) >= 0.93
    assert set(hist.history) == {"train_loss", "train_acc", "val_loss", "val_acc", "lr"}


def test_same_seed_same_run_and_shuffling_depends_on_seed(digits):
    def run(seed):
        model = nc.mlp([64, 16, 10], seed=1)
        return nc.fit(model, digits.X_train[:300], digits.y_train[:300], epochs=2, seed=seed, progress=False)["train_loss"]
    assert run(3) == run(3)
    assert run(3) != run(4)


def test_early_stopping_restores_the_best_epoch():
    # a tiny, noisy training set and a big model: validation loss turns upward quickly
    rng = np.random.default_rng(0)
    X, Xv = rng.normal(size=(40, 20)), rng.normal(size=(200, 20))
    w = rng.normal(size=20)
    y, yv = (X @ w + rng.normal(scale=3, size=40) > 0).astype(int), (Xv @ w > 0).astype(int)
    snapshots = []
    model = nc.mlp([20, 256, 2], seed=0)
    hist = nc.fit(model, X, y, optimizer=nc.SGD(lr=0.2, momentum=0.9), epochs=200, batch_size=8,
                  val_data=(Xv, yv), early_stopping=nc.EarlyStopping(patience=5), progress=False,
                  callbacks=[lambda epoch, logs, m: snapshots.append(m.state_dict())])
    assert hist.stopped_early and hist.epochs < 200
    best = int(np.argmin(hist["val_loss"]))
    assert hist.best_epoch == best and best <= hist.epochs - 6
    assert hist["val_loss"][-1] > hist["val_loss"][best]
    # the model now holds exactly the weights it had at the end of the best epoch
    for k, v in snapshots[best].items():
        np.testing.assert_array_equal(model.state_dict()[k], v)
    assert nc.evaluate(model, Xv, yv)[0] == pytest.approx(hist["val_loss"][best])


def test_callback_can_stop_training():
    X, y = np.random.default_rng(0).normal(size=(20, 3)), np.arange(20) % 2
    hist = nc.fit(nc.mlp([3, 4, 2]), X, y, epochs=50, progress=False, callbacks=[lambda e, logs, m: e == 2])
    assert hist.epochs == 3


def test_diagnostics_show_vanishing_gradients_in_a_deep_sigmoid_net(digits):
    model = nc.mlp([64] + [32] * 6 + [10], activation="sigmoid", seed=0)  # Xavier init
    hist = nc.fit(model, digits.X_train[:256], digits.y_train[:256], epochs=1, batch_size=256, progress=False)
    d = hist.diagnostics[0]
    linear = [name for name in d if name.endswith("Linear")]
    assert d[linear[0]]["grad_norm"] < d[linear[-1]]["grad_norm"] / 100
    assert 0 <= d["1:Sigmoid"]["saturated_frac"] <= 1 and "update_ratio" in d[linear[0]]


def test_diagnostics_count_dead_relus():
    model = nc.mlp([4, 8, 2], seed=0)
    model[0].params["b"][:3] = -100.0  # three units can never fire
    X, y = np.random.default_rng(0).normal(size=(32, 4)), np.arange(32) % 2
    hist = nc.fit(model, X, y, epochs=1, batch_size=32, progress=False)
    assert hist.diagnostics[0]["1:ReLU"]["dead_frac"] == pytest.approx(3 / 8)


def test_nan_trap_stops_with_an_actionable_message():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 3)) * np.array([1.0, 1e3, 1e5])  # unscaled features
    y = X @ np.array([1.0, 1e-3, 1e-5])
    model = nc.Sequential(nc.Linear(3, 8, seed=0), nc.ReLU(), nc.Linear(8, 1, seed=1))
    with pytest.raises(nc.TrainingDiverged) as info:
        nc.fit(model, X, y, loss="mse", optimizer=nc.SGD(lr=0.5), epochs=20, batch_size=16, progress=False)
    msg = str(info.value)
    assert "loss became" in msg and "epoch 1" in msg and "step" in msg
    assert "learning rate 0.5" in msg and "lower learning rate" in msg
    assert "scale the input features" in msg and "clip" in msg
    assert "Linear" in msg  # names the first layer that went bad
    hist = info.value.history
    assert hist.diverged["epoch"] == 0 and hist.epochs == 0


def test_nan_trap_keeps_history_of_finished_epochs():
    X, y = np.random.default_rng(0).normal(size=(30, 2)), np.arange(30) % 2
    model = nc.mlp([2, 4, 2], seed=0)

    def sabotage(epoch, logs, m):
        if epoch == 2:
            m[2].params["W"][0, 0] = np.nan

    hist = nc.fit(model, X, y, epochs=6, batch_size=10, progress=False, on_nan="stop", callbacks=[sabotage])
    assert hist.epochs == 3 and hist.diverged["epoch"] == 3
    assert hist.diverged["layer"] == "2:Linear"
    assert "epoch 4" in hist.diverged["message"]


def test_fit_bad_input_messages():
    X, y = np.zeros((10, 3)), np.zeros(10, dtype=int)
    model = nc.mlp([3, 4, 2])
    cases = [
        (dict(X=np.zeros((10, 4))), ValueError, r"expected X of shape \(N, 3\) for a model whose first layer is Linear\(3 -> 4, init=he\), got \(10, 4\)"),
        (dict(X=np.zeros(10)), ValueError, r"expected X to be 2-D, got an array of shape \(10,\)"),
        (dict(X=np.array([["a"] * 3] * 10)), TypeError, r"expected X to be a numeric array, got an array of dtype <U1"),
        (dict(X=np.array([[object()] * 3] * 10)), TypeError, "dtype object"),
        (dict(X=np.where(np.eye(10, 3) > 0, np.nan, 0.0)), ValueError, r"X contains 3 NaN or infinite value\(s\)"),
        (dict(y=np.zeros(9, dtype=int)), ValueError, r"one label per example \(10\), got 9 labels"),
        (dict(y=np.full(10, 0.5)), TypeError, "integer class labels"),
        (dict(epochs=0), ValueError, r"epochs to be an integer >= 1, got 0"),
        (dict(batch_size=2.5), ValueError, r"batch_size to be an integer >= 1, got 2.5"),
        (dict(loss="hinge"), ValueError, r"unknown loss 'hinge'; choose one of bce, cross_entropy, mse"),
        (dict(optimizer="adam"), TypeError, r"nncourse optimizer such as SGD\(lr=0.1\), got 'adam'"),
        (dict(val_data=np.zeros((3, 3))), ValueError, "val_data to be a pair"),
    ]
    for kw, exc, pattern in cases:
        args = dict(X=X, y=y)
        args.update(kw)
        with pytest.raises(exc, match=pattern):
            nc.fit(model, args.pop("X"), args.pop("y"), progress=False, **args)
    with pytest.raises(TypeError, match="unexpected keyword"):
        nc.fit(model, X, y, lr=0.1)


def test_progress_bar_runs_in_a_terminal(capsys):
    X, y = np.random.default_rng(0).normal(size=(20, 3)), np.arange(20) % 2
    nc.fit(nc.mlp([3, 4, 2]), X, y, epochs=2, progress=True)
    err = capsys.readouterr().err
    assert "training" in err and "2/2" in err


def test_integer_features_are_converted_not_rejected():
    # raw digits are uint8 grey levels 0..16: integers are valid features (converted to float64),
    # while float labels with fractions are not valid class labels (see the bad-input test)
    X, y = nc.load_digits(scaled=False)
    X8 = X[:200].astype(np.uint8)
    model = nc.mlp([64, 16, 10], seed=0)
    hist = nc.fit(model, X8, y[:200], epochs=2, optimizer=nc.SGD(lr=0.01), progress=False)
    assert np.isfinite(hist["train_loss"]).all()
    np.testing.assert_array_equal(nc.predict(model, X8), nc.predict(model, X8.astype(np.float64)))


def test_fit_runs_blas_on_one_thread_and_restores_the_setting():
    from threadpoolctl import threadpool_info

    def blas_threads():
        return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]

    before = blas_threads()
    seen = []
    X, y = np.random.default_rng(0).normal(size=(20, 3)), np.arange(20) % 2
    nc.fit(nc.mlp([3, 4, 2]), X, y, epochs=1, progress=False, callbacks=[lambda e, l, m: seen.append(blas_threads())])
    assert seen == [[1] * len(before)]
    assert blas_threads() == before
    with pytest.raises(ValueError, match="blas_threads to be an integer >= 1, got 0"):
        nc.fit(nc.mlp([3, 4, 2]), X, y, progress=False, blas_threads=0)


def test_fit_trains_a_bare_layer_with_default_diagnostics():
    # a single Linear is a model too: fit and its diagnostics walk it like a one-layer Sequential
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = (X @ np.array([1.0, -2.0, 0.5]) > 0).astype(int)
    layer = nc.Linear(3, 2, seed=0)
    hist = nc.fit(layer, X, y, epochs=5, batch_size=10, optimizer=nc.SGD(lr=0.5), progress=False)
    assert hist["train_loss"][-1] < hist["train_loss"][0]
    assert list(hist.diagnostics[-1]) == ["Linear"] and hist.diagnostics[-1]["Linear"]["grad_norm"] > 0


@pytest.mark.parametrize("bad", [-1.0, 0.0, float("nan"), float("inf"), "0.1", None])
def test_fit_rejects_an_invalid_scheduled_learning_rate(bad):
    X, y = np.random.default_rng(0).normal(size=(20, 3)), np.arange(20) % 2
    schedule = lambda step: 0.1 if step < 3 else bad  # noqa: E731
    with pytest.raises(ValueError, match=r"schedule returned lr=.* at step 3; expected a finite number > 0"):
        nc.fit(nc.mlp([3, 4, 2]), X, y, epochs=2, batch_size=5, schedule=schedule, progress=False)


@pytest.mark.parametrize("loss", ["cross_entropy", "mse", "bce"])
def test_float32_model_stays_float32_in_training(loss, digits):
    X, y = digits.X_train[:256], digits.y_train[:256]  # float64 data: fit casts it once to the model's dtype
    out_dim = 10 if loss == "cross_entropy" else 1
    target = y if loss == "cross_entropy" else (y % 2).astype(float)
    model = nc.mlp([64, 32, 16, out_dim], batchnorm=True, drop_prob=0.2, seed=0, dtype=np.float32)
    opt = nc.Adam(lr=1e-3, weight_decay=1e-4, l1=1e-5)
    seen = []

    def spy(epoch, logs, m):
        seen.extend(a.dtype for _, layer in m.named_layers()
                    for a in [layer.last_output, *layer.params.values(), *layer.grads.values(), *layer.buffers.values()])
        seen.extend(s.dtype for slots in opt.state.values() for s in slots.values())

    hist = nc.fit(model, X, target, loss=loss, optimizer=opt, epochs=3, batch_size=32, clip_norm=5.0,
                  schedule=nc.schedules.cosine(1e-3, 30), val_data=(digits.X_val[:100], digits.y_val[:100]
                  if loss == "cross_entropy" else (digits.y_val[:100] % 2).astype(float)),
                  callbacks=[spy], progress=False)
    assert seen and set(seen) == {np.dtype(np.float32)}, set(seen)
    assert len(opt.state) == 10  # W, b of three Linear layers and gamma, beta of two BatchNorms
    assert nc.predict(model, digits.X_val[:5]).dtype == np.float32
    assert hist["train_loss"][-1] < hist["train_loss"][0]


def test_float32_training_matches_float64_closely(digits):
    X, y = digits.X_train[:400], digits.y_train[:400]
    runs = {}
    for dt in (np.float64, np.float32):
        model = nc.mlp([64, 32, 10], seed=3, dtype=dt)
        nc.fit(model, X, y, optimizer=nc.SGD(lr=0.1, momentum=0.9), epochs=3, batch_size=32, seed=1, progress=False)
        runs[dt] = model[0].params["W"]
    assert runs[np.float32].dtype == np.float32 and runs[np.float64].dtype == np.float64
    # the same seed gives the same start (rounded) and the same batches: float32 rounding stays small
    assert np.max(np.abs(runs[np.float32] - runs[np.float64])) < 1e-3


def test_dtype_is_checked_and_float64_stays_the_default():
    assert nc.mlp([3, 4, 2]).dtype == np.float64 and nc.Linear(2, 2).params["b"].dtype == np.float64
    assert nc.BatchNorm(3, dtype="float32").running_var.dtype == np.float32
    np.testing.assert_array_equal(nc.Linear(3, 2, seed=5, dtype=np.float32).params["W"],
                                  nc.Linear(3, 2, seed=5).params["W"].astype(np.float32))
    assert nc.Linear(3, 2, dtype=np.float32).forward(np.ones((2, 3))).dtype == np.float32
    for bad in (np.float16, "int32", None, 3):
        with pytest.raises(ValueError, match=r"expected dtype to be np.float32 or np.float64, got"):
            nc.mlp([3, 4, 2], dtype=bad)
