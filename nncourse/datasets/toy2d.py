"""Two-dimensional two-class data sets in the spirit of the TensorFlow Playground.

Every generator has the signature ``(n_samples=200, *, noise=0.1, seed=0)`` and returns
``X`` float64 of shape (N, 2) and ``y`` int64 of shape (N,) with labels 0 and 1, in shuffled order.
The noise-free points lie within [-1, 1] x [-1, 1] (the Gaussian blobs almost all of them);
``noise`` is the standard deviation of Gaussian noise added independently to each coordinate, in
the same units, so with the default 0.1 the points stay roughly within [-1.3, 1.3]. Labels are
decided before the noise is added, so a large noise moves points across the class boundary.
Class 0 gets ``n_samples - n_samples // 2`` points and class 1 gets ``n_samples // 2``.
"""
from __future__ import annotations

import numpy as np

from nncourse._validate import check_number, check_positive_int, make_rng

DATASETS_2D = ("circle", "xor", "gaussian", "spiral", "moons")


def _start(n_samples, noise, seed):
    n_samples = check_positive_int(n_samples, "n_samples", 2)
    noise = check_number(noise, "noise", 0.0)
    return n_samples - n_samples // 2, n_samples // 2, noise, make_rng(seed)


def _finish(parts: list[np.ndarray], noise: float, rng: np.random.Generator):
    """Stack the per-class points, label them 0, 1, add the noise and shuffle."""
    X = np.concatenate(parts)
    y = np.concatenate([np.full(len(p), k, dtype=np.int64) for k, p in enumerate(parts)])
    X = X + rng.normal(0.0, noise, size=X.shape)
    order = rng.permutation(len(y))
    return X[order], y[order]


def _polar(r: np.ndarray, angle: np.ndarray) -> np.ndarray:
    return np.column_stack([r * np.cos(angle), r * np.sin(angle)])


def make_circle(n_samples: int = 200, *, noise: float = 0.1, seed=0):
    """A disk (class 0, radius < 0.5) inside a ring (class 1, radius 0.7 to 1).

    Without noise the classes are separated by the circle of radius 0.6.

    Parameters
    ----------
    n_samples : int
        Number of points (>= 2).
    noise : float
        Standard deviation of the Gaussian noise on each coordinate (>= 0).
    seed : int or numpy.random.Generator

    Returns
    -------
    X : ndarray, shape (n_samples, 2), float64
    y : ndarray, shape (n_samples,), int64
    """
    n0, n1, noise, rng = _start(n_samples, noise, seed)
    inner = _polar(0.5 * np.sqrt(rng.random(n0)), rng.uniform(0, 2 * np.pi, n0))
    outer = _polar(rng.uniform(0.7, 1.0, n1), rng.uniform(0, 2 * np.pi, n1))
    return _finish([inner, outer], noise, rng)


def make_xor(n_samples: int = 200, *, noise: float = 0.1, seed=0):
    """Points in the four quadrants: class 0 where x1 and x2 have the same sign, class 1 where not.

    Points are uniform in the square [-1, 1]^2 but at least 0.05 away from both axes.
    Parameters and returns as in `make_circle`.
    """
    n0, n1, noise, rng = _start(n_samples, noise, seed)

    def quadrant_points(n: int, same_sign: bool) -> np.ndarray:
        mag = rng.uniform(0.05, 1.0, size=(n, 2))
        s1 = rng.choice([-1.0, 1.0], size=n)
        s2 = s1 if same_sign else -s1
        return mag * np.column_stack([s1, s2])

    return _finish([quadrant_points(n0, True), quadrant_points(n1, False)], noise, rng)


def make_gaussian(n_samples: int = 200, *, noise: float = 0.1, seed=0):
    """Two round Gaussian blobs: class 0 around (-0.5, -0.5), class 1 around (0.5, 0.5).

    Each blob has its own spread (standard deviation 0.2 per coordinate) before the noise is added.
    Parameters and returns as in `make_circle`.
    """
    n0, n1, noise, rng = _start(n_samples, noise, seed)
    blob0 = rng.normal(-0.5, 0.2, size=(n0, 2))
    blob1 = rng.normal(0.5, 0.2, size=(n1, 2))
    return _finish([blob0, blob1], noise, rng)


def make_spiral(n_samples: int = 200, *, noise: float = 0.1, seed=0):
    """Two interleaved spiral arms, each turning 1.25 times around the origin out to radius 1.

    A point at radius t sits at angle ``2.5 * pi * t`` (class 0) or the same plus pi (class 1);
    t is drawn between 0.1 and 1 with density proportional to t, so the points are spread evenly
    over the area rather than crowded at the centre. The arms are 0.4 apart, so noise above
    about 0.1 starts to blur them into each other.
    Parameters and returns as in `make_circle`.
    """
    n0, n1, noise, rng = _start(n_samples, noise, seed)
    arms = []
    for n, phase in ((n0, 0.0), (n1, np.pi)):
        t = np.sqrt(rng.uniform(0.01, 1.0, n))
        arms.append(_polar(t, 2.5 * np.pi * t + phase))
    return _finish(arms, noise, rng)


def make_moons(n_samples: int = 200, *, noise: float = 0.1, seed=0):
    """Two interlocking half circles of radius 2/3, rescaled to x in [-1, 1], y in [-0.5, 0.5].

    Class 0 is the upper arc centred at (-1/3, -1/6), class 1 the lower arc centred at (1/3, 1/6).
    Parameters and returns as in `make_circle`.
    """
    n0, n1, noise, rng = _start(n_samples, noise, seed)
    a0, a1 = rng.uniform(0, np.pi, n0), rng.uniform(0, np.pi, n1)
    upper = _polar(np.full(n0, 2 / 3), a0) + np.array([-1 / 3, -1 / 6])
    lower = -_polar(np.full(n1, 2 / 3), a1) + np.array([1 / 3, 1 / 6])
    return _finish([upper, lower], noise, rng)


_GENERATORS = {"circle": make_circle, "xor": make_xor, "gaussian": make_gaussian,
               "spiral": make_spiral, "moons": make_moons}


def make_2d(name: str, n_samples: int = 200, *, noise: float = 0.1, seed=0):
    """Generate one of the 2-D data sets by name (one of `DATASETS_2D`).

    Parameters
    ----------
    name : str
        "circle", "xor", "gaussian", "spiral" or "moons".
    n_samples, noise, seed
        As in `make_circle`.

    Returns
    -------
    X : ndarray, shape (n_samples, 2), float64
    y : ndarray, shape (n_samples,), int64
    """
    if not isinstance(name, str) or name not in _GENERATORS:
        raise ValueError(f"unknown 2-D data set {name!r}; choose one of {', '.join(DATASETS_2D)}")
    return _GENERATORS[name](n_samples, noise=noise, seed=seed)
