"""Tests of the sub-pixel warps in nncourse.datasets.augment, against hand-computed images."""
import numpy as np
import pytest

from nncourse.datasets import load_digits, rotate_images, shift_images
from nncourse.datasets.augment import augment_warps, random_warps, warp_images


def _one_pixel(r, c, value=1.0):
    img = np.zeros((1, 8, 8))
    img[0, r, c] = value
    return img


def _digits(n=20):
    X, y = load_digits()
    return X[:n], y[:n]


def test_whole_pixel_shifts_match_shift_images():
    X, _ = _digits()
    for dx, dy in [(1, 0), (0, -2), (-1, 3), (2, 2)]:
        np.testing.assert_allclose(warp_images(X, dx, dy), shift_images(X, dx, dy), atol=1e-12)
    assert warp_images(X).shape == (20, 64)
    np.testing.assert_allclose(warp_images(X), X, atol=1e-12)  # the identity


def test_rotation_alone_matches_rotate_images():
    X, _ = _digits()
    angles = np.linspace(-15, 15, len(X))
    np.testing.assert_allclose(warp_images(X, degrees=angles), rotate_images(X, angles), atol=1e-12)


def test_half_pixel_shift_splits_a_pixel_between_two_neighbours():
    out = warp_images(_one_pixel(3, 4), dx=0.5)[0]  # half a pixel to the right
    expected = np.zeros((8, 8))
    expected[3, 4] = expected[3, 5] = 0.5
    np.testing.assert_allclose(out, expected, atol=1e-12)
    out = warp_images(_one_pixel(3, 4), dy=-0.25)[0]  # a quarter pixel up
    expected = np.zeros((8, 8))
    expected[3, 4], expected[2, 4] = 0.75, 0.25
    np.testing.assert_allclose(out, expected, atol=1e-12)


def test_sub_pixel_shift_of_a_linear_ramp_is_exact_inside_the_frame():
    ramp = np.tile(np.arange(8.0), (8, 1))[None]  # value = column index
    out = warp_images(ramp, dx=0.3)[0]
    np.testing.assert_allclose(out[:, 1:], ramp[0, :, 1:] - 0.3, atol=1e-12)


def test_scale_moves_pixels_away_from_the_centre():
    ramp = np.tile(np.arange(8.0) - 3.5, (8, 1))[None]  # value = x, the column's distance from the centre
    out = warp_images(ramp, scale=1.25)[0]
    # output pixel at x takes the input at x / 1.25: a ramp becomes flatter by that factor
    np.testing.assert_allclose(out, ramp[0] / 1.25, atol=1e-12)
    # an enlarged digit has its ink further from the centre
    X, _ = _digits()
    rows, cols = np.mgrid[0:8, 0:8]
    radius = np.hypot(rows - 3.5, cols - 3.5).ravel()

    def spread(images):
        return (images * radius).sum(axis=1) / images.sum(axis=1)

    assert np.all(spread(warp_images(X, scale=1.1)) > spread(X))
    assert np.all(spread(warp_images(X, scale=0.9)) < spread(X))


def test_warps_compose_in_the_documented_order():
    # scale, then rotate by 90 degrees, then shift: a pixel right of the centre ends up above it
    img = np.zeros((1, 8, 8))
    img[0, 3:5, 5] = 1.0  # column 5: x = 1.5
    out = warp_images(img, dx=1, dy=0, degrees=90, scale=1.0)[0]
    expected = np.rot90(img[0])
    expected = shift_images(expected[None], 1, 0)[0]
    np.testing.assert_allclose(out, expected, atol=1e-12)


def test_random_warps_are_seeded_small_and_leave_global_state_alone():
    X, _ = _digits()
    np.random.seed(123)
    before = np.random.random()
    np.random.seed(123)
    a = random_warps(X, seed=4)
    assert np.random.random() == before
    np.testing.assert_array_equal(a, random_warps(X, seed=4))
    assert not np.array_equal(a, random_warps(X, seed=5))
    np.testing.assert_allclose(random_warps(X, 0, 0, 0, seed=1), X, atol=1e-12)
    # every warped image is within a half-pixel-sized change: far closer to its original than a
    # one-pixel shift, but not equal to it
    change = np.abs(a - X).sum(axis=1)
    one_pixel = np.abs(shift_images(X, 1, 0) - X).sum(axis=1)
    assert np.all(change > 0) and np.mean(change) < np.mean(one_pixel)


def test_random_warps_draws_within_the_limits():
    # a single bright pixel in the centre moves at most max_shift (with scale and rotation about the
    # centre adding little); its ink centre stays within half a pixel plus a margin
    img = np.zeros((200, 8, 8))
    img[:, 3:5, 3:5] = 1.0
    out = random_warps(img, max_shift=0.5, max_degrees=10, max_scale=0.1, seed=0)
    ink = out.sum(axis=(1, 2))
    rows = (out.sum(axis=2) * np.arange(8)).sum(axis=1) / ink
    assert np.all(np.abs(rows - 3.5) <= 0.5 + 1e-9)
    assert np.std(rows) > 0.1  # and they do move


def test_augment_warps_keeps_originals_and_labels():
    X, y = _digits(10)
    X_aug, y_aug = augment_warps(X, y, copies=3, seed=0)
    assert X_aug.shape == (40, 64) and y_aug.shape == (40,)
    np.testing.assert_array_equal(X_aug[:10], X)
    np.testing.assert_array_equal(y_aug, np.tile(y, 4))
    assert not np.allclose(X_aug[10:20], X)
    assert X_aug.min() >= 0 and X_aug.max() <= 1 + 1e-12  # interpolation never leaves the value range
    same, _ = augment_warps(X.reshape(10, 8, 8), y, copies=0)
    np.testing.assert_array_equal(same, X.reshape(10, 8, 8))


def test_bad_input_is_named():
    X = np.zeros((2, 64))
    with pytest.raises(ValueError, match="scale > 0.*0"):
        warp_images(X, scale=0)
    with pytest.raises(ValueError, match=r"dx.*shape \(2,\)"):
        warp_images(X, dx=[0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match=r"\(N, 64\) or \(N, 8, 8\), got \(2, 63\)"):
        warp_images(np.zeros((2, 63)))
    with pytest.raises(ValueError, match="max_scale.*1.5"):
        random_warps(X, max_scale=1.5)
    with pytest.raises(ValueError, match="max_shift.*-0.5"):
        random_warps(X, max_shift=-0.5)
    with pytest.raises(ValueError, match=r"y of shape \(2,\).*got \(3,\)"):
        augment_warps(X, np.zeros(3))
    with pytest.raises(ValueError, match="copies.*-1"):
        augment_warps(X, np.zeros(2), copies=-1)
