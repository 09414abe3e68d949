"""Tests of nncourse.datasets: the shipped digits, splits, augmentation and generated data sets."""
import hashlib
import shutil
from pathlib import Path

import numpy as np
import pytest

import nncourse.datasets as ds
from nncourse.datasets import digits as digits_module

DIGITS_FILE = Path(ds.__file__).resolve().parent.parent / "data" / "digits.npz"
PUBLISHED_SHA256 = "dff739c317c3d7a561cd1d11ae22ab4ac7f0557489c9e3935e97bec510d05737"


# ---------------------------------------------------------------- digits
def test_digits_file_checksum_and_licence_note():
    assert hashlib.sha256(DIGITS_FILE.read_bytes()).hexdigest() == PUBLISHED_SHA256
    note = (DIGITS_FILE.parent / "README.md").read_text()
    for fact in ("Alpaydin", "Kaynak", "1998", "UCI", "scikit-learn", "CC BY 4.0"):
        assert fact in note
        assert fact in ds.__doc__


def test_load_digits_shapes_values_and_balance():
    X, y = ds.load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0
    raw, y_raw = ds.load_digits(scaled=False)
    assert raw.dtype == np.float64 and raw.max() == 16.0
    assert np.array_equal(raw, np.round(raw))  # grey levels are whole numbers
    np.testing.assert_array_equal(raw / 16, X)
    np.testing.assert_array_equal(y_raw, y)
    counts = np.bincount(y)
    assert len(counts) == 10 and counts.min() >= 174 and counts.max() <= 183
    assert counts.sum() == 1797


def test_load_digits_returns_fresh_arrays():
    X, _ = ds.load_digits()
    X[:] = -1
    assert ds.load_digits()[0].min() == 0.0


def test_load_digits_detects_a_replaced_file(tmp_path, monkeypatch):
    X, y = ds.load_digits(scaled=False)
    fake = tmp_path / "digits.npz"
    X_changed = X.astype(np.uint8)
    X_changed[0, 0] = 16  # one pixel differs
    np.savez(fake, X=X_changed, y=y.astype(np.uint8))
    monkeypatch.setattr(digits_module, "_digits_path", lambda: fake)
    expected = "sha256 is [0-9a-f]{64}, expected " + PUBLISHED_SHA256
    with pytest.raises(ds.ChecksumError, match=expected):
        ds.load_digits()
    X_unchecked, _ = ds.load_digits(verify=False, scaled=False)  # verify=False skips the check
    assert X_unchecked[0, 0] == 16


def test_load_digits_checks_once_per_process(tmp_path, monkeypatch):
    copy = tmp_path / "digits.npz"
    shutil.copy(DIGITS_FILE, copy)
    monkeypatch.setattr(digits_module, "_digits_path", lambda: copy)
    ds.load_digits()  # first load hashes the file

    def no_hashing(*args, **kwargs):
        raise AssertionError("the checksum was computed a second time")

    monkeypatch.setattr(digits_module.hashlib, "sha256", no_hashing)
    ds.load_digits()


def test_load_digits_missing_file_and_bad_flags(tmp_path, monkeypatch):
    with pytest.raises(TypeError, match="scaled.*'yes'"):
        ds.load_digits(scaled="yes")
    monkeypatch.setattr(digits_module, "_digits_path", lambda: tmp_path / "nothing.npz")
    with pytest.raises(FileNotFoundError, match="nothing.npz"):
        ds.load_digits()


# ---------------------------------------------------------------- splits
def _id_split(n=200, n_classes=4, **kw):
    """Split example ids so that membership can be checked exactly."""
    ids = np.arange(n)
    y = np.arange(n) % n_classes
    return ids, y, ds.train_val_test_split(ids[:, None], y, **kw)


def test_split_sizes_disjoint_and_paired():
    ids, y, (X_tr, y_tr, X_val, y_val, X_te, y_te) = _id_split(200, val_frac=0.15, test_frac=0.25)
    assert (len(y_tr), len(y_val), len(y_te)) == (120, 30, 50)
    parts = [X_tr[:, 0], X_val[:, 0], X_te[:, 0]]
    np.testing.assert_array_equal(np.sort(np.concatenate(parts)), ids)  # disjoint and complete
    for X_part, y_part in ((X_tr, y_tr), (X_val, y_val), (X_te, y_te)):
        np.testing.assert_array_equal(y_part, y[X_part[:, 0]])  # rows stay paired with labels


def test_split_is_deterministic_for_a_seed():
    _, _, a = _id_split(seed=3)
    _, _, b = _id_split(seed=3)
    _, _, c = _id_split(seed=4)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[0], c[0])
    _, _, g = _id_split(seed=np.random.default_rng(3))
    assert len(g[0]) == len(a[0])


def test_split_is_stratified():
    y = np.repeat([0, 1, 2], [100, 60, 40])
    parts = ds.train_val_test_split(np.zeros((200, 2)), y, val_frac=0.2, test_frac=0.1, seed=0)
    _, y_tr, _, y_val, _, y_te = parts
    for y_part, frac in ((y_val, 0.2), (y_te, 0.1)):
        np.testing.assert_allclose(np.bincount(y_part, minlength=3), frac * np.array([100, 60, 40]),
                                   atol=1)
    assert len(y_val) == 40 and len(y_te) == 20


def test_split_real_targets_and_zero_validation():
    y = np.linspace(0, 1, 50)
    X_tr, y_tr, X_val, y_val, X_te, y_te = ds.train_val_test_split(
        y[:, None], y, val_frac=0.0, test_frac=0.2)
    assert (len(y_tr), len(y_val), len(y_te)) == (40, 0, 10)
    np.testing.assert_array_equal(X_tr[:, 0], y_tr)


@pytest.mark.parametrize("kwargs, message", [
    (dict(val_frac=0.5, test_frac=0.5), "val_frac=0.5 and test_frac=0.5"),
    (dict(val_frac=-0.1), "val_frac.*-0.1"),
    (dict(test_frac=1.2), "test_frac=1.2"),
    (dict(val_frac="a lot"), "val_frac.*'a lot'"),
])
def test_split_rejects_bad_fractions(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ds.train_val_test_split(np.zeros((20, 2)), np.zeros(20, dtype=int), **kwargs)


def test_split_rejects_mismatched_or_tiny_inputs():
    with pytest.raises(ValueError, match=r"X \(10, 2\) and y \(9,\)"):
        ds.train_val_test_split(np.zeros((10, 2)), np.zeros(9))
    with pytest.raises(ValueError, match="3 examples are too few"):
        ds.train_val_test_split(np.zeros((3, 2)), np.zeros(3))
    with pytest.raises(ValueError, match="seed.*-1"):
        ds.train_val_test_split(np.zeros((30, 2)), np.zeros(30), seed=-1)


def test_digits_splits():
    s = ds.digits_splits(seed=0)
    assert (len(s.y_train), len(s.y_val), len(s.y_test)) == (1257, 270, 270)
    X_tr, y_tr, X_val, y_val, X_te, y_te = s  # unpacks as a 6-tuple
    assert X_tr.shape == (1257, 64) and X_val.shape == (270, 64) and X_te.shape == (270, 64)
    assert set(np.unique(y_val)) == set(range(10))
    assert np.array_equal(ds.digits_splits(seed=0).X_test, X_te)
    assert not np.array_equal(ds.digits_splits(seed=1).X_test, X_te)
    assert "train=1257" in repr(s)


# ---------------------------------------------------------------- augmentation
def _one_pixel(r, c, value=1.0):
    img = np.zeros((1, 8, 8))
    img[0, r, c] = value
    return img


def test_shift_moves_a_known_pixel_and_fills_zeros():
    out = ds.shift_images(_one_pixel(1, 2), dx=1, dy=2)  # right 1, down 2
    np.testing.assert_array_equal(out, _one_pixel(3, 3))
    out = ds.shift_images(_one_pixel(1, 2), dx=-2, dy=-1)
    np.testing.assert_array_equal(out, _one_pixel(0, 0))
    assert ds.shift_images(_one_pixel(7, 7), dx=1, dy=0).sum() == 0  # moved out of the frame
    full = np.ones((1, 64))
    out = ds.shift_images(full, dx=0, dy=1)
    assert out.shape == (1, 64) and out.reshape(8, 8)[0].sum() == 0 and out.sum() == 56


def test_shift_per_image_and_random_shifts():
    imgs = np.concatenate([_one_pixel(4, 4), _one_pixel(4, 4)])
    out = ds.shift_images(imgs, dx=np.array([1, -1]), dy=0)
    assert out[0, 4, 5] == 1 and out[1, 4, 3] == 1
    X = np.random.default_rng(0).random((30, 64))
    np.testing.assert_array_equal(ds.random_shifts(X, max_shift=0), X)
    shifted = ds.random_shifts(X, max_shift=1, seed=5)
    np.testing.assert_array_equal(shifted, ds.random_shifts(X, max_shift=1, seed=5))
    for i in range(30):  # each result is one of the 9 possible shifts of its image
        options = [ds.shift_images(X[i:i + 1], dx, dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1)]
        assert any(np.array_equal(shifted[i:i + 1], o) for o in options)


def test_rotation_by_0_and_multiples_of_90():
    X = np.random.default_rng(1).random((5, 8, 8))
    np.testing.assert_allclose(ds.rotate_images(X, 0), X, atol=1e-12)
    # positive angles turn the picture counter-clockwise, like np.rot90
    np.testing.assert_allclose(ds.rotate_images(X, 90), np.rot90(X, 1, axes=(1, 2)), atol=1e-12)
    np.testing.assert_allclose(ds.rotate_images(X, -90), np.rot90(X, -1, axes=(1, 2)), atol=1e-12)
    np.testing.assert_allclose(ds.rotate_images(X, 180), X[:, ::-1, ::-1], atol=1e-12)
    flat = ds.rotate_images(X.reshape(5, 64), np.array([0, 90, 0, 0, 0]))
    assert flat.shape == (5, 64)
    np.testing.assert_allclose(flat[1].reshape(8, 8), np.rot90(X[1]), atol=1e-12)


def test_rotation_interpolates_a_linear_ramp_exactly():
    # bilinear interpolation reproduces a linear function wherever all 4 neighbours exist
    ramp = np.tile(np.arange(8.0), (8, 1))[None]  # value = column index
    theta = np.deg2rad(10)
    out = ds.rotate_images(ramp, 10)[0]
    for r, c in [(3, 3), (3, 4), (4, 3), (4, 4), (2, 5)]:
        x, y = c - 3.5, 3.5 - r
        assert out[r, c] == pytest.approx(x * np.cos(theta) + y * np.sin(theta) + 3.5, abs=1e-12)


def test_random_rotations():
    X, _ = ds.load_digits()
    X = X[:20]
    np.testing.assert_allclose(ds.random_rotations(X, max_degrees=0), X, atol=1e-12)
    a = ds.random_rotations(X, max_degrees=15, seed=2)
    np.testing.assert_array_equal(a, ds.random_rotations(X, max_degrees=15, seed=2))
    assert not np.allclose(a, X)
    assert a.min() >= 0 and a.max() <= 1 + 1e-12


def test_add_noise_std_and_clip():
    zeros = np.zeros((500, 64))
    noisy = ds.add_noise(zeros, 0.1, seed=0, clip=None)
    assert abs(noisy.mean()) < 0.002 and noisy.std() == pytest.approx(0.1, rel=0.02)
    clipped = ds.add_noise(zeros + 0.5, 1.0, seed=0)
    assert clipped.min() == 0 and clipped.max() == 1
    again = ds.add_noise(zeros, 0.1, seed=4)
    np.testing.assert_array_equal(ds.add_noise(zeros, 0.1, seed=4), again)
    with pytest.raises(ValueError, match="std.*-0.1"):
        ds.add_noise(zeros, -0.1)
    with pytest.raises(ValueError, match=r"clip.*\(1, 0\)"):
        ds.add_noise(zeros, 0.1, clip=(1, 0))


def test_augment_keeps_originals_and_labels():
    X, y = ds.load_digits()
    X, y = X[:10], y[:10]
    X_aug, y_aug = ds.augment(X, y, copies=2, noise_std=0.05, seed=0)
    assert X_aug.shape == (30, 64) and y_aug.shape == (30,)
    np.testing.assert_array_equal(X_aug[:10], X)
    np.testing.assert_array_equal(y_aug, np.tile(y, 3))
    assert not np.allclose(X_aug[10:20], X)
    assert X_aug.min() >= 0 and X_aug.max() <= 1
    same, _ = ds.augment(X.reshape(10, 8, 8), y, copies=1, max_shift=0, max_degrees=0)
    assert same.shape == (20, 8, 8)
    np.testing.assert_allclose(same[10:], X.reshape(10, 8, 8), atol=1e-12)
    with pytest.raises(ValueError, match=r"y of shape \(10,\).*got \(9,\)"):
        ds.augment(X, y[:9])
    with pytest.raises(ValueError, match="copies.*-1"):
        ds.augment(X, y, copies=-1)


@pytest.mark.parametrize("func", [ds.shift_images, ds.rotate_images])
def test_image_helpers_reject_wrong_shapes(func):
    args = (0, 0) if func is ds.shift_images else (0,)
    with pytest.raises(ValueError, match=r"\(N, 64\) or \(N, 8, 8\), got \(32, 63\)"):
        func(np.zeros((32, 63)), *args)
    with pytest.raises(ValueError, match=r"got \(64,\)"):
        func(np.zeros(64), *args)


def test_image_helpers_reject_bad_amounts():
    with pytest.raises(ValueError, match="dx.*0.5"):
        ds.shift_images(np.zeros((2, 64)), 0.5, 0)
    with pytest.raises(ValueError, match=r"degrees.*shape \(2,\)"):
        ds.rotate_images(np.zeros((2, 64)), [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="max_shift.*-1"):
        ds.random_shifts(np.zeros((2, 64)), max_shift=-1)


# ---------------------------------------------------------------- 2-D sets
@pytest.mark.parametrize("name", ds.DATASETS_2D)
def test_2d_sets_shapes_classes_determinism(name):
    X, y = ds.make_2d(name, n_samples=101, noise=0.1, seed=0)
    assert X.shape == (101, 2) and X.dtype == np.float64
    assert y.shape == (101,) and y.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(y), [51, 50])
    assert np.abs(X).max() < 1.6
    X2, y2 = ds.make_2d(name, n_samples=101, noise=0.1, seed=0)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    X3, _ = ds.make_2d(name, n_samples=101, noise=0.1, seed=1)
    assert not np.allclose(X, X3)
    direct = getattr(ds, f"make_{name}")(101, noise=0.1, seed=0)
    np.testing.assert_array_equal(direct[0], X)


@pytest.mark.parametrize("name", ds.DATASETS_2D)
def test_2d_noise_is_gaussian_with_the_given_std(name):
    clean, y_clean = ds.make_2d(name, n_samples=3000, noise=0.0, seed=7)
    noisy, y_noisy = ds.make_2d(name, n_samples=3000, noise=0.2, seed=7)
    np.testing.assert_array_equal(y_clean, y_noisy)  # same seed: same points, labels, order
    diff = noisy - clean
    assert abs(diff.mean()) < 0.02 and diff.std() == pytest.approx(0.2, rel=0.05)


def test_2d_noise_free_geometry():
    X, y = ds.make_circle(400, noise=0.0)
    r = np.hypot(X[:, 0], X[:, 1])
    assert r[y == 0].max() < 0.6 < r[y == 1].min()  # separable by the radius
    X, y = ds.make_xor(400, noise=0.0)
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] < 0).astype(int))
    X, y = ds.make_moons(400, noise=0.0)
    for label, centre in ((0, (-1 / 3, -1 / 6)), (1, (1 / 3, 1 / 6))):
        np.testing.assert_allclose(np.hypot(*(X[y == label] - centre).T), 2 / 3)
    X, y = ds.make_spiral(400, noise=0.0)
    r = np.hypot(X[:, 0], X[:, 1])
    expected_angle = 2.5 * np.pi * r + np.pi * y
    np.testing.assert_allclose(np.cos(expected_angle) * r, X[:, 0], atol=1e-12)
    X, y = ds.make_gaussian(400, noise=0.0)
    np.testing.assert_allclose(X[y == 0].mean(axis=0), [-0.5, -0.5], atol=0.05)
    np.testing.assert_allclose(X[y == 1].mean(axis=0), [0.5, 0.5], atol=0.05)


def test_2d_errors_name_the_value():
    with pytest.raises(ValueError, match="'circles'.*circle, xor, gaussian, spiral, moons"):
        ds.make_2d("circles")
    for bad in (0, 1, 2.5, True, "10"):
        with pytest.raises(ValueError, match=f"n_samples.*{bad!r}"):
            ds.make_moons(bad)
    with pytest.raises(ValueError, match="noise.*-0.1"):
        ds.make_xor(noise=-0.1)
    with pytest.raises(ValueError, match="noise.*nan"):
        ds.make_spiral(noise=float("nan"))


# ---------------------------------------------------------------- scaling regression
def _gd_losses(X, y, lr=0.01, steps=300):
    """Full-batch gradient descent on a linear model with bias, mean squared error."""
    w, b, losses = np.zeros(X.shape[1]), 0.0, []
    with np.errstate(all="ignore"):
        for _ in range(steps):
            residual = X @ w + b - y
            losses.append(np.mean(residual ** 2))
            w = w - lr * 2 * X.T @ residual / len(y)
            b = b - lr * 2 * residual.mean()
    return np.array(losses)


def test_scaling_regression_columns_and_target():
    d = ds.make_scaling_regression(1000, seed=0)
    assert d.X.shape == (1000, 4) and d.y.shape == (1000,)
    assert d.feature_names == ("condition", "area_sqft", "income", "distance_km")
    assert d.outlier_mask.dtype == bool and d.outlier_mask.sum() == 5
    cond, area, income, dist = d.X.T
    assert 0 <= cond.min() and cond.max() <= 1
    assert 1e2 < np.median(area) < 1e4 and 1e4 < np.median(income) < 1e6
    assert dist.min() > 0 and dist.max() > 10 * np.median(dist)  # heavy right tail
    clean = ~d.outlier_mask
    assert area[d.outlier_mask].min() > np.median(area[clean]) * 2  # typing errors, x10
    true_area = np.where(d.outlier_mask, area / 10, area)
    formula = 50 + 60 * cond + 0.05 * true_area + 0.003 * income - 30 * np.log(dist)
    assert np.std(d.y - formula) == pytest.approx(10, rel=0.1)  # the documented noise
    assert "price" in d.description and "outlier" in d.description
    assert "n_outliers=5" in repr(d)


def test_scaling_regression_needs_scaling_for_gradient_descent():
    d = ds.make_scaling_regression(1000, seed=0)
    raw = _gd_losses(d.X, d.y)
    assert not np.isfinite(raw[-1]) or raw[-1] > 1e6 * raw[0]  # diverges
    Z = (d.X - d.X.mean(axis=0)) / d.X.std(axis=0)
    scaled = _gd_losses(Z, d.y)
    assert np.all(np.isfinite(scaled))
    assert scaled[-1] < 0.15 * d.y.var()  # converges well below the variance of y


def test_scaling_regression_seed_and_errors():
    a = ds.make_scaling_regression(50, seed=1, n_outliers=2)
    b = ds.make_scaling_regression(50, seed=1, n_outliers=2)
    np.testing.assert_array_equal(a.X, b.X)
    assert a.outlier_mask.sum() == 2
    assert not np.array_equal(a.X, ds.make_scaling_regression(50, seed=2).X)
    with pytest.raises(ValueError, match="n_samples.*0"):
        ds.make_scaling_regression(0)
    with pytest.raises(ValueError, match="n_outliers <= n_samples.*got 20"):
        ds.make_scaling_regression(10, n_outliers=20)
