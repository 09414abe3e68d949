"""Tests of nncourse.datasets.mnist1d: the shipped MNIST-1D copy, its checksum and its splits."""
import hashlib
import random
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

import nncourse
import nncourse.datasets as ds
from nncourse.datasets import mnist1d as loader
from nncourse.datasets.mnist1d import generate_mnist1d, load_mnist1d, quantise

m1d = sys.modules["nncourse.datasets.mnist1d"]  # the module (its name is shadowed by the loader)
DATA_FILE = Path(ds.__file__).resolve().parent.parent / "data" / "mnist1d.npz"
PUBLISHED_SHA256 = "fa23dbb8e043e4e9c2755971f4d09478b059d441f6defc32783882d398fb9f2c"


def test_exported_names():
    assert nncourse.mnist1d is loader is ds.mnist1d
    assert nncourse.load_mnist1d is load_mnist1d
    assert callable(loader) and m1d.__name__ == "nncourse.datasets.mnist1d"


def test_file_checksum_size_and_attribution():
    assert hashlib.sha256(DATA_FILE.read_bytes()).hexdigest() == PUBLISHED_SHA256
    assert DATA_FILE.stat().st_size < 400_000  # small enough to ship
    note = (DATA_FILE.parent / "README.md").read_text()
    section = note[note.index("## mnist1d.npz"):]
    for fact in ("Greydanus", "2020", "Scaling down deep learning", "Apache", "0.0.2.post1",
                 "make_dataset", PUBLISHED_SHA256):
        assert fact in section, fact
    for key, value in m1d.MNIST1D_SETTINGS.items():  # the README records every setting used
        assert f"`{key}`" in section and str(value).lower() in section.lower(), key


def test_regenerating_with_the_mnist1d_package_gives_the_shipped_data():
    pytest.importorskip("mnist1d")
    pytest.importorskip("scipy")
    X_new, y_new = generate_mnist1d()
    X, y = load_mnist1d()
    np.testing.assert_array_equal(y, y_new)
    # stored values are rounded to multiples of 0.05: within half a step of the fresh ones
    assert np.max(np.abs(X - X_new)) <= 0.025 + 1e-9
    assert np.mean(np.abs(X - X_new)) > 0.005  # the rounding is really there (not a copy of X)


def test_generating_leaves_global_random_state_alone():
    pytest.importorskip("mnist1d")
    np.random.seed(123)
    random.seed(456)
    expected_np, expected_py = np.random.rand(3), random.random()
    np.random.seed(123)
    random.seed(456)
    generate_mnist1d(num_samples=20)
    np.testing.assert_array_equal(np.random.rand(3), expected_np)
    assert random.random() == expected_py


def test_loading_and_splitting_leave_global_random_state_alone():
    np.random.seed(7)
    expected = np.random.rand(4)
    np.random.seed(7)
    load_mnist1d()
    loader(seed=3)
    loader(seed=None, classes=[1, 2])
    np.testing.assert_array_equal(np.random.rand(4), expected)


def test_load_shapes_values_and_balance():
    X, y = load_mnist1d()
    assert X.shape == (10000, 40) and X.dtype == np.float64
    assert y.shape == (10000,) and y.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(y), [1000] * 10)
    assert abs(X.mean()) < 0.01 and abs(X.std() - 1) < 0.01  # standardised over the whole set
    np.testing.assert_allclose(X / 0.05, np.round(X / 0.05), atol=1e-9)  # multiples of 0.05
    X[:] = 99  # a fresh array every call
    assert load_mnist1d()[0].max() < 10


def test_classes_differ_so_a_nearest_mean_rule_beats_chance():
    X, y = load_mnist1d()
    means = np.stack([X[y == k].mean(0) for k in range(10)])
    pred = np.argmin(((X[:, None, :] - means[None]) ** 2).sum(-1), axis=1)
    assert np.mean(pred == y) > 0.2  # chance is 0.1; the labels belong to the signals


def test_splits_sizes_cover_everything_once_and_are_stratified():
    s = loader(seed=0)
    assert isinstance(s, ds.Splits)
    assert (len(s.y_train), len(s.y_val), len(s.y_test)) == (7000, 1500, 1500)
    X, _ = load_mnist1d()
    rows = np.concatenate([s.X_train, s.X_val, s.X_test])
    key = lambda a: np.sort(a.view([("", a.dtype)] * a.shape[1]).ravel())  # noqa: E731
    np.testing.assert_array_equal(key(rows), key(X))
    np.testing.assert_array_equal(np.bincount(s.y_val), [150] * 10)
    assert repr(s) == "Splits(train=7000, val=1500, test=1500, X shape per example (40,))"


def test_splits_are_reproducible_and_seeded():
    a, b, c = loader(seed=1), loader(seed=1), loader(seed=2)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a.X_train, c.X_train)
    d = loader(seed=np.random.default_rng(1))
    np.testing.assert_array_equal(d.X_val, a.X_val)
    e = loader(seed=0, val_frac=0.1, test_frac=0.2)
    assert (len(e.y_train), len(e.y_val), len(e.y_test)) == (7000, 1000, 2000)


def test_classes_keeps_and_renumbers_in_the_given_order():
    X, y = load_mnist1d()
    s = loader(seed=0, classes=(9, 5))
    assert len(s.y_train) + len(s.y_val) + len(s.y_test) == 2000
    for Xp, yp in ((s.X_train, s.y_train), (s.X_test, s.y_test)):
        assert set(np.unique(yp)) == {0, 1}
        # every example labelled 0 is one of the original nines, every 1 a five
        nines = {r.tobytes() for r in X[y == 9]}
        fives = {r.tobytes() for r in X[y == 5]}
        assert all(r.tobytes() in nines for r in Xp[yp == 0])
        assert all(r.tobytes() in fives for r in Xp[yp == 1])
    t = loader(seed=0, classes=range(5))
    assert t.y_train.max() == 4 and len(t.y_train) == 3500


@pytest.mark.parametrize("classes, error, words", [
    (5, TypeError, "expected classes to be None or a sequence"),
    ([10], ValueError, "distinct labels from 0..9"),
    ([-1, 2], ValueError, "got \\[-1, 2\\]"),
    ([1, 1], ValueError, "distinct"),
    ([], ValueError, "at least one"),
    ([True], ValueError, "distinct labels"),
    ([1.0], ValueError, "distinct labels"),
])
def test_bad_classes(classes, error, words):
    with pytest.raises(error, match=words):
        loader(classes=classes)


def test_bad_split_arguments_name_the_argument():
    with pytest.raises(ValueError, match="val_frac"):
        loader(val_frac=1.5)
    with pytest.raises(ValueError, match="seed"):
        loader(seed=-1)
    with pytest.raises(TypeError, match="verify"):
        load_mnist1d(verify="yes")


def test_detects_a_replaced_or_missing_file(tmp_path, monkeypatch):
    with np.load(DATA_FILE) as data:
        Xq, y = data["X"].copy(), data["y"].copy()
    Xq[0, 0] += 1  # one value differs by one step
    fake = tmp_path / "mnist1d.npz"
    np.savez_compressed(fake, X=Xq, y=y)
    monkeypatch.setattr(m1d, "_mnist1d_path", lambda: fake)
    with pytest.raises(ds.ChecksumError, match="MNIST-1D file .* sha256 is [0-9a-f]{64}, expected "
                       + PUBLISHED_SHA256):
        load_mnist1d()
    X_unchecked, _ = load_mnist1d(verify=False)
    assert X_unchecked[0, 0] == pytest.approx((Xq[0, 0]) * 0.05)
    monkeypatch.setattr(m1d, "_mnist1d_path", lambda: tmp_path / "nothing.npz")
    with pytest.raises(FileNotFoundError, match="reinstall"):
        load_mnist1d()


def test_checksum_computed_once_per_process(tmp_path, monkeypatch):
    copy = tmp_path / "copy.npz"
    shutil.copy(DATA_FILE, copy)
    monkeypatch.setattr(m1d, "_mnist1d_path", lambda: copy)
    load_mnist1d()

    def no_hashing(*args, **kwargs):
        raise AssertionError("the checksum was computed a second time")
    monkeypatch.setattr(hashlib, "sha256", no_hashing)
    load_mnist1d()


def test_quantise_rounds_to_steps_and_rejects_out_of_range():
    x = np.array([[0.0, 0.024, 0.026, -1.0, 6.35, -6.4]])
    np.testing.assert_array_equal(quantise(x), [[0, 0, 1, -20, 127, -128]])
    assert quantise(x).dtype == np.int8
    with pytest.raises(ValueError, match="fit int8"):
        quantise(np.array([[7.0]]))


@pytest.mark.parametrize("bad", [0, 15, -10, 2.0, True, "100"])
def test_generate_rejects_bad_num_samples(bad):
    with pytest.raises(ValueError, match="num_samples"):
        generate_mnist1d(num_samples=bad)
