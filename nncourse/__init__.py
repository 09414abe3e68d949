"""nncourse: an interactive course on training neural networks, backed by a small numpy engine.

The engine: :mod:`nncourse.functional` (forward/backward pairs), layers (:class:`Linear`, :class:`ReLU`,
...), :class:`Sequential`, initialisers, optimizers, schedules, :func:`fit` with diagnostics and the
NaN trap, :mod:`nncourse.gradcheck`, feature scaling and offline data sets. Widgets and their figures
live in ``nncourse.widgets`` (imported on demand, so ``import nncourse`` stays light).
"""
from nncourse import functional, gradcheck, init, optim, schedules  # noqa: F401
from nncourse.check import check, progress, reset_progress  # noqa: F401
from nncourse.course import base_seed, claim, seed, use  # noqa: F401
from nncourse.layers import BatchNorm, Dropout, LeakyReLU, Layer, Linear, ReLU, Sigmoid, Tanh  # noqa: F401
from nncourse.losses import bce_with_logits, mse, softmax, softmax_cross_entropy  # noqa: F401
from nncourse.model import Sequential, load, mlp, transfer  # noqa: F401
from nncourse.optim import SGD, Adam, RMSProp, clip_grad_norm, make_optimizer  # noqa: F401
from nncourse.train import EarlyStopping, History, TrainingDiverged, accuracy, evaluate, fit, predict  # noqa: F401

from nncourse.datasets import (  # noqa: F401
    DATASETS_2D, Splits, augment, digits_splits, load_digits, make_2d, make_scaling_regression, train_val_test_split,
)
from nncourse.datasets import load_mnist1d, mnist1d  # noqa: F401
from nncourse.scaling import (  # noqa: F401
    Chain, ClipScaler, ColumnScaler, LinearScaler, LogScaler, ZScoreScaler, make_scaler,
)

__version__ = "0.1.0"
