"""Data augmentation for 8x8 images: shifts, small rotations and pixel noise (pure numpy).

Every function accepts images flattened as ``(N, 64)`` or as ``(N, 8, 8)`` and returns float64
arrays of the same shape. Image coordinates are those of ``plt.imshow``: row 0 is the top row,
column 0 the left column.
"""
from __future__ import annotations

import numpy as np

from nncourse._validate import check_number, check_positive_int, make_rng

from ._validate import as_images, per_image


def shift_images(X, dx, dy) -> np.ndarray:
    """Shift images by whole pixels, filling the uncovered border with zeros.

    Parameters
    ----------
    X : ndarray, shape (N, 64) or (N, 8, 8)
        The images.
    dx : int or ndarray of int, shape (N,)
        Shift to the right in pixels (negative: to the left); one value for all or one per image.
    dy : int or ndarray of int, shape (N,)
        Shift downwards in pixels (negative: upwards).

    Returns
    -------
    ndarray, same shape as X, float64
        ``out[r, c] = X[r - dy, c - dx]`` where that pixel exists, else 0.
    """
    imgs, shape = as_images(X)
    n = imgs.shape[0]
    dx = per_image(dx, n, "dx", integer=True)
    dy = per_image(dy, n, "dy", integer=True)
    out = np.zeros_like(imgs)
    for sx, sy in set(zip(dx.tolist(), dy.tolist())):
        if abs(sx) >= 8 or abs(sy) >= 8:
            continue  # shifted completely out of the frame: stays zero
        sel = np.flatnonzero((dx == sx) & (dy == sy))
        rows_out, rows_in = slice(max(sy, 0), 8 + min(sy, 0)), slice(max(-sy, 0), 8 - max(sy, 0))
        cols_out, cols_in = slice(max(sx, 0), 8 + min(sx, 0)), slice(max(-sx, 0), 8 - max(sx, 0))
        out[sel, rows_out, cols_out] = imgs[sel, rows_in, cols_in]
    return out.reshape(shape)


def random_shifts(X, max_shift: int = 1, *, seed=0) -> np.ndarray:
    """Shift each image by its own random whole-pixel offset.

    Parameters
    ----------
    X : ndarray, shape (N, 64) or (N, 8, 8)
    max_shift : int
        ``dx`` and ``dy`` are drawn independently and uniformly from the integers
        ``-max_shift .. max_shift``.
    seed : int or numpy.random.Generator

    Returns
    -------
    ndarray, same shape as X, float64
    """
    imgs, _ = as_images(X)
    max_shift = check_positive_int(max_shift, "max_shift", 0)
    rng = make_rng(seed)
    n = imgs.shape[0]
    dx = rng.integers(-max_shift, max_shift + 1, size=n)
    dy = rng.integers(-max_shift, max_shift + 1, size=n)
    return shift_images(X, dx, dy)


def _pixel(imgs: np.ndarray, r: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Gather ``imgs[i, r, c]`` for integer maps r, c of shape (N, 8, 8); 0 outside the frame."""
    inside = (r >= 0) & (r < 8) & (c >= 0) & (c < 8)
    i = np.arange(imgs.shape[0])[:, None, None]
    return np.where(inside, imgs[i, np.clip(r, 0, 7), np.clip(c, 0, 7)], 0.0)


def _bilinear(imgs: np.ndarray, src_r: np.ndarray, src_c: np.ndarray) -> np.ndarray:
    """Sample ``imgs`` (N, 8, 8) at fractional positions (N, 8, 8) by bilinear interpolation; 0 outside."""
    r0, c0 = np.floor(src_r).astype(np.int64), np.floor(src_c).astype(np.int64)
    fr, fc = src_r - r0, src_c - c0
    return ((1 - fr) * (1 - fc) * _pixel(imgs, r0, c0) + (1 - fr) * fc * _pixel(imgs, r0, c0 + 1)
            + fr * (1 - fc) * _pixel(imgs, r0 + 1, c0) + fr * fc * _pixel(imgs, r0 + 1, c0 + 1))


def rotate_images(X, degrees) -> np.ndarray:
    """Rotate images about their centre with bilinear interpolation (zero outside the frame).

    Parameters
    ----------
    X : ndarray, shape (N, 64) or (N, 8, 8)
    degrees : float or ndarray, shape (N,)
        Angle in degrees, counter-clockwise as the image is displayed (row 0 at the top);
        one value for all images or one per image. ``degrees=90`` gives ``np.rot90(image)``.

    Returns
    -------
    ndarray, same shape as X, float64

    Notes
    -----
    Each output pixel at displayed position (x, y) relative to the centre (3.5, 3.5) takes the
    value at the source position ``(x cos t + y sin t, -x sin t + y cos t)``, interpolated
    bilinearly from the four surrounding pixels. Rotating by more than ~20 degrees cuts off corners
    of an 8x8 image, and every rotation slightly blurs it.
    """
    imgs, shape = as_images(X)
    n = imgs.shape[0]
    theta = np.deg2rad(per_image(degrees, n, "degrees", integer=False))[:, None, None]
    rows, cols = np.mgrid[0:8, 0:8].astype(np.float64)
    x, y = cols - 3.5, 3.5 - rows  # displayed coordinates, y pointing up
    cos, sin = np.cos(theta), np.sin(theta)
    src_c = np.round(x * cos + y * sin + 3.5, 12)  # rounding makes multiples of 90 exact
    src_r = np.round(3.5 - (-x * sin + y * cos), 12)
    out = _bilinear(imgs, src_r, src_c)
    return out.reshape(shape)


def random_rotations(X, max_degrees: float = 15, *, seed=0) -> np.ndarray:
    """Rotate each image by its own angle drawn uniformly from [-max_degrees, max_degrees].

    Parameters
    ----------
    X : ndarray, shape (N, 64) or (N, 8, 8)
    max_degrees : float
        Largest rotation in degrees (>= 0).
    seed : int or numpy.random.Generator

    Returns
    -------
    ndarray, same shape as X, float64
    """
    imgs, _ = as_images(X)
    max_degrees = check_number(max_degrees, "max_degrees", 0.0)
    rng = make_rng(seed)
    return rotate_images(X, rng.uniform(-max_degrees, max_degrees, size=imgs.shape[0]))


def add_noise(X, std: float, *, seed=0, clip: tuple[float, float] | None = (0, 1)) -> np.ndarray:
    """Add independent Gaussian noise to every value, then clip.

    Parameters
    ----------
    X : ndarray, any shape
        Numbers, e.g. images scaled to [0, 1].
    std : float
        Standard deviation of the noise, in the units of X (>= 0).
    seed : int or numpy.random.Generator
    clip : (low, high) or None
        Range the result is clipped to; the default (0, 1) suits pixels scaled to [0, 1]
        (use (0, 16) for raw digits); None disables clipping.

    Returns
    -------
    ndarray, same shape as X, float64
    """
    arr = np.asarray(X)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"expected X to hold numbers, got an array of dtype {arr.dtype}")
    std = check_number(std, "std", 0.0)
    rng = make_rng(seed)
    if clip is not None:
        if (not isinstance(clip, (tuple, list)) or len(clip) != 2
                or not all(isinstance(v, (int, float, np.number)) for v in clip)
                or not clip[0] < clip[1]):
            raise ValueError(f"expected clip to be None or a pair (low, high) with low < high, "
                             f"got {clip!r}")
    out = arr.astype(np.float64) + rng.normal(0.0, std, size=arr.shape)
    return out if clip is None else np.clip(out, clip[0], clip[1])


def augment(X, y, copies: int = 1, max_shift: int = 1, max_degrees: float = 10,
            noise_std: float = 0.0, seed=0) -> tuple[np.ndarray, np.ndarray]:
    """Return the original images plus ``copies`` randomly transformed versions of each.

    Each copy is rotated by a random angle in [-max_degrees, max_degrees], then shifted by a
    random whole-pixel offset in -max_shift..max_shift, then (if ``noise_std > 0``) given
    Gaussian noise, clipped to the value range of the original X.

    Parameters
    ----------
    X : ndarray, shape (N, 64) or (N, 8, 8)
    y : ndarray, shape (N,)
        Labels, repeated for every copy.
    copies : int
        Number of augmented copies per image (0 returns the originals only).
    max_shift : int
    max_degrees : float
    noise_std : float
    seed : int or numpy.random.Generator

    Returns
    -------
    X_aug : ndarray, shape ((copies + 1) * N, ...) same trailing shape as X, float64
        The originals first, then copy 1 of every image, then copy 2, and so on.
    y_aug : ndarray, shape ((copies + 1) * N,)
    """
    imgs, shape, y, copies = _images_and_labels(X, y, copies)
    max_shift = check_positive_int(max_shift, "max_shift", 0)
    max_degrees = check_number(max_degrees, "max_degrees", 0.0)
    noise_std = check_number(noise_std, "noise_std", 0.0)
    rng = make_rng(seed)
    low, high = (float(imgs.min()), float(imgs.max())) if imgs.size else (0.0, 1.0)
    blocks = [imgs]
    for _ in range(copies):
        new = random_rotations(imgs, max_degrees, seed=rng) if max_degrees > 0 else imgs
        new = random_shifts(new, max_shift, seed=rng)
        if noise_std > 0:
            new = add_noise(new, noise_std, seed=rng, clip=(low, high) if low < high else None)
        blocks.append(new)
    return _stack(blocks, shape, y)


# -- sub-pixel warps ---------------------------------------------------------------------------------
def warp_images(X, dx=0.0, dy=0.0, degrees=0.0, scale=1.0) -> np.ndarray:
    """Move, turn and resize images by any amount, with bilinear interpolation (zero outside the frame).

    The transformation acts about the image centre: first scale by ``scale``, then rotate by
    ``degrees``, then shift by ``(dx, dy)`` pixels. Whole-pixel shifts alone reproduce
    :func:`shift_images`, a rotation alone reproduces :func:`rotate_images`.

    Parameters
    ----------
    X : ndarray, shape (N, 64) or (N, 8, 8)
        The images.
    dx, dy : float or ndarray, shape (N,)
        Shift to the right and downwards in pixels; fractions of a pixel are allowed.
    degrees : float or ndarray, shape (N,)
        Counter-clockwise rotation as the image is displayed (row 0 at the top).
    scale : float or ndarray, shape (N,)
        Size factor (> 0); 1.1 makes the digit 10% larger, 0.9 10% smaller.

    Returns
    -------
    ndarray, same shape as X, float64

    Notes
    -----
    With displayed coordinates ``p = (x, y)`` relative to the centre (3.5, 3.5), y pointing up,
    output pixel ``p`` takes the input value at ``R(-degrees) (p - t) / scale`` with
    ``t = (dx, -dy)``, interpolated from the four surrounding pixels. A shift by half a pixel
    therefore averages two neighbouring pixels: the kind of change that resampling a scanned
    digit to 8 x 8 produces.
    """
    imgs, shape = as_images(X)
    n = imgs.shape[0]
    tx = per_image(dx, n, "dx", integer=False)[:, None, None]
    ty = -per_image(dy, n, "dy", integer=False)[:, None, None]
    theta = np.deg2rad(per_image(degrees, n, "degrees", integer=False))[:, None, None]
    factor = per_image(scale, n, "scale", integer=False)
    if np.any(factor <= 0):
        raise ValueError(f"expected scale > 0 (a size factor, 1 = unchanged), got {scale!r}")
    factor = factor[:, None, None]
    rows, cols = np.mgrid[0:8, 0:8].astype(np.float64)
    x, y = cols - 3.5 - tx, 3.5 - rows - ty  # displayed coordinates, shift undone
    cos, sin = np.cos(theta), np.sin(theta)
    src_c = np.round((x * cos + y * sin) / factor + 3.5, 12)
    src_r = np.round(3.5 - (-x * sin + y * cos) / factor, 12)
    return _bilinear(imgs, src_r, src_c).reshape(shape)


def random_warps(X, max_shift: float = 0.5, max_degrees: float = 10.0, max_scale: float = 0.1, *,
                 seed=0) -> np.ndarray:
    """Warp each image by its own small random shift, rotation and change of size.

    Parameters
    ----------
    X : ndarray, shape (N, 64) or (N, 8, 8)
    max_shift : float
        ``dx`` and ``dy`` are drawn independently and uniformly from [-max_shift, max_shift] pixels.
    max_degrees : float
        The angle is drawn uniformly from [-max_degrees, max_degrees].
    max_scale : float in [0, 1)
        The size factor is drawn uniformly from [1 - max_scale, 1 + max_scale].
    seed : int or numpy.random.Generator

    Returns
    -------
    ndarray, same shape as X, float64
    """
    imgs, _ = as_images(X)
    max_shift = check_number(max_shift, "max_shift", 0.0)
    max_degrees = check_number(max_degrees, "max_degrees", 0.0)
    max_scale = check_number(max_scale, "max_scale", 0.0, 1.0, high_open=True)
    rng = make_rng(seed)
    n = imgs.shape[0]
    dx, dy = rng.uniform(-max_shift, max_shift, size=(2, n))
    degrees = rng.uniform(-max_degrees, max_degrees, size=n)
    scale = rng.uniform(1 - max_scale, 1 + max_scale, size=n)
    return warp_images(X, dx, dy, degrees, scale)


def augment_warps(X, y, copies: int = 1, max_shift: float = 0.5, max_degrees: float = 10.0,
                  max_scale: float = 0.1, seed=0) -> tuple[np.ndarray, np.ndarray]:
    """The original images plus ``copies`` randomly warped versions of each (see :func:`random_warps`).

    Parameters
    ----------
    X : ndarray, shape (N, 64) or (N, 8, 8)
    y : ndarray, shape (N,)
        Labels, repeated for every copy.
    copies : int
        Number of warped copies per image (0 returns the originals only).
    max_shift, max_degrees, max_scale : float
        As in :func:`random_warps`; the defaults (half a pixel, 10 degrees, 10%) stay within the
        variation of the digits data set itself.
    seed : int or numpy.random.Generator

    Returns
    -------
    X_aug : ndarray, shape ((copies + 1) * N, ...) same trailing shape as X, float64
        The originals first, then copy 1 of every image, then copy 2, and so on.
    y_aug : ndarray, shape ((copies + 1) * N,)
    """
    imgs, shape, y, copies = _images_and_labels(X, y, copies)
    rng = make_rng(seed)
    blocks = [imgs] + [random_warps(imgs, max_shift, max_degrees, max_scale, seed=rng) for _ in range(copies)]
    return _stack(blocks, shape, y)


def _images_and_labels(X, y, copies):
    """The checked inputs of an augmenter: images (N, 8, 8), X's shape, labels (N,), the copy count."""
    imgs, shape = as_images(X)
    y = np.asarray(y)
    if y.shape != (imgs.shape[0],):
        raise ValueError(f"expected y of shape ({imgs.shape[0]},) to match X {shape}, got {y.shape}")
    return imgs, shape, y, check_positive_int(copies, "copies", 0)


def _stack(blocks, shape, y):
    """The originals and their copies in X's own layout, with the labels repeated once per block."""
    return np.concatenate(blocks).reshape((-1,) + tuple(shape[1:])), np.tile(y, len(blocks))
