"""Offline, seeded data for the course.

- `load_digits`, `train_val_test_split`, `digits_splits`, `Splits` (module ``digits``):
  the 8x8 handwritten digits shipped with the package and reproducible splits.
- `mnist1d`, `load_mnist1d` (module ``mnist1d``): MNIST-1D (Greydanus, 2020), 10,000 short 1-D
  signals in ten classes, shipped with the package, and reproducible splits.
- `shift_images`, `random_shifts`, `rotate_images`, `random_rotations`, `add_noise`, `augment`,
  `warp_images`, `random_warps`, `augment_warps` (module ``augment``): data augmentation for 8x8
  images, with whole-pixel shifts or sub-pixel warps (shift, rotation and scaling, interpolated).
- `make_circle`, `make_xor`, `make_gaussian`, `make_spiral`, `make_moons`, `make_2d`,
  `DATASETS_2D` (module ``toy2d``): two-class point clouds in the plane.
- `make_scaling_regression`, `ScalingRegression` (module ``regression``): a synthetic table whose
  columns need scaling.

Nothing here downloads anything, and every random function takes a ``seed`` (an int or a
``numpy.random.Generator``); the same seed gives the same data.

Digits data and licence
-----------------------
The file ``nncourse/data/digits.npz`` is the "Optical Recognition of Handwritten Digits" data set
by E. Alpaydin and C. Kaynak (1998), published by the UCI Machine Learning Repository under the
Creative Commons Attribution 4.0 International licence (CC BY 4.0),
https://doi.org/10.24432/C50P49. The copy shipped here is the
test-set version that scikit-learn distributes, converted to numpy's npz format without other
changes. Its sha256 is checked before the first load in each process.
"""
from .augment import (add_noise, augment, augment_warps, random_rotations, random_shifts, random_warps,
                      rotate_images, shift_images, warp_images)
from .digits import (DIGITS_SHA256, ChecksumError, Splits, digits_splits, load_digits,
                     train_val_test_split)
from .mnist1d import MNIST1D_SHA256, load_mnist1d, mnist1d
from .regression import ScalingRegression, make_scaling_regression
from .toy2d import (DATASETS_2D, make_2d, make_circle, make_gaussian, make_moons, make_spiral,
                    make_xor)

__all__ = [
    "load_digits", "train_val_test_split", "digits_splits", "Splits", "ChecksumError",
    "DIGITS_SHA256",
    "mnist1d", "load_mnist1d", "MNIST1D_SHA256",
    "shift_images", "random_shifts", "rotate_images", "random_rotations", "add_noise", "augment",
    "warp_images", "random_warps", "augment_warps",
    "make_circle", "make_xor", "make_gaussian", "make_spiral", "make_moons", "make_2d",
    "DATASETS_2D",
    "make_scaling_regression", "ScalingRegression",
]
