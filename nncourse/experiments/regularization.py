"""Experiments of the ``regularization`` notebook: digits with wrong labels, remedies compared on paired
draws, and training on freshly augmented images every epoch.

- :func:`digits_subset` takes a few training digits and replaces part of their labels at random;
  :func:`unused_digits` gives every non-test digit it left out, a larger held-out set;
- :func:`make_net` and :func:`train` build and train the notebook's network (Adam, float32);
- :func:`compare_remedies` trains the plain network and each remedy on the same draw, for several draws;
- :func:`train_augmented` trains on a new random transformation of the training images every epoch;
- :func:`paired` summarises paired differences (mean and standard error).

Every function takes its seed explicitly; none touches numpy's global random state.
"""
from __future__ import annotations

import numpy as np

from nncourse._validate import check_number, check_positive_int
from nncourse.datasets import digits_splits
from nncourse.layers import Dropout
from nncourse.model import Sequential, mlp
from nncourse.optim import Adam
from nncourse.train import EarlyStopping, evaluate, fit

SIZES = (64, 128, 128, 10)
DTYPE = np.float32
#: the training recipe of the notebook: Adam, mini-batches of 100, 100 epochs
RECIPE = {"lr": 3e-3, "batch_size": 100, "epochs": 100}
#: the remedies :func:`compare_remedies` tries, as keyword arguments of :func:`make_net` and :func:`train`
REMEDIES = {
    "none": {},
    "early stopping": {"early_stopping": 10},
    "L2": {"weight_decay": 1e-2},
    "dropout": {"drop_in": 0.2, "drop_hidden": 0.5},
}


def digits_subset(n_train: int, label_noise: float = 0.0, *, seed: int):
    """``n_train`` training digits (labels partly replaced at random) and the validation digits.

    Parameters
    ----------
    n_train : int
        How many training images to keep (drawn at random from the 1,257 of the split).
    label_noise : float in [0, 1]
        Fraction of training images whose label is replaced by a label drawn uniformly from 0-9
        (it can be the right one by chance, so about ``0.9 * label_noise`` of the labels end wrong).
    seed : int
        Seeds the split, the choice of images and the new labels.

    Returns
    -------
    X : ndarray, shape (n_train, 64); y : ndarray, shape (n_train,), the labels trained on;
    X_val : ndarray, shape (270, 64); y_val : ndarray, shape (270,);
    wrong : ndarray of bool, shape (n_train,), True where ``y`` differs from the true label.
    """
    label_noise = check_number(label_noise, "label_noise", 0.0, 1.0)
    splits, idx, rng = _draw(n_train, seed)
    X, y_true = splits.X_train[idx], splits.y_train[idx]
    y = y_true.copy()
    replace = rng.random(n_train) < label_noise
    y[replace] = rng.integers(0, 10, size=int(replace.sum()))
    return X, y, splits.X_val, splits.y_val, y != y_true


def _draw(n_train: int, seed: int):
    """The split, the indices of the ``n_train`` training images drawn, and the generator that drew them."""
    n_train = check_positive_int(n_train, "n_train")
    splits = digits_splits(seed=seed)
    if n_train > len(splits.y_train):
        raise ValueError(f"expected n_train <= {len(splits.y_train)}, got {n_train}")
    rng = np.random.default_rng([seed, 17])
    return splits, rng.permutation(len(splits.y_train))[:n_train], rng


def unused_digits(n_train: int, *, seed: int):
    """Every digit that :func:`digits_subset` with the same ``n_train`` and ``seed`` leaves out of training,
    except the test set: the other training images of the split and the validation images.

    Returns
    -------
    X : ndarray, shape (1527 - n_train, 64); y : ndarray, shape (1527 - n_train,)
        A larger held-out set than the 270 validation images alone, for comparisons that involve no
        choice made on it (the smaller the set, the noisier an accuracy measured on it).
    """
    splits, idx, _ = _draw(n_train, seed)
    rest = np.setdiff1d(np.arange(len(splits.y_train)), idx)
    return np.concatenate([splits.X_train[rest], splits.X_val]), np.concatenate([splits.y_train[rest], splits.y_val])


def make_net(drop_in: float = 0.0, drop_hidden: float = 0.0, *, seed: int, sizes=SIZES) -> Sequential:
    """The notebook's MLP in float32, with dropout on the input (``drop_in``) and after each hidden layer."""
    net = mlp(list(sizes), drop_prob=drop_hidden, seed=seed, dtype=DTYPE)
    if drop_in > 0:
        net = Sequential(Dropout(drop_in, seed=np.random.default_rng([seed, 1])), *net.layers)
    return net


def train(net, X, y, val, *, weight_decay: float = 0.0, l1: float = 0.0, early_stopping=None, seed: int,
          lr: float = RECIPE["lr"], batch_size: int = RECIPE["batch_size"], epochs: int = RECIPE["epochs"],
          record_train_loss: bool = True):
    """Train ``net`` with Adam on ``(X, y)``, validating on ``val = (X_val, y_val)``; returns fit's History.

    With ``record_train_loss`` the History also holds ``train_loss_eval``: the loss on the training set
    after every epoch in evaluation mode (no dropout, no penalty term), the number to compare with
    ``val_loss`` (it costs one more pass over the training set per epoch).
    """
    train_loss_eval = []

    def record(epoch, logs, model):
        train_loss_eval.append(evaluate(model, X, y)[0])

    history = fit(net, X, y, optimizer=Adam(lr=lr, weight_decay=weight_decay, l1=l1), epochs=epochs,
                  batch_size=batch_size, val_data=val, early_stopping=early_stopping, seed=seed,
                  callbacks=[record] if record_train_loss else [], progress=False, diagnostics=False)
    if record_train_loss:
        history.history["train_loss_eval"] = train_loss_eval
    return history


def compare_remedies(seeds, label_noise: float, n_train: int = 300, remedies=None) -> dict:
    """Train the plain network and every remedy on the same data, network and order, once per seed.

    Parameters
    ----------
    seeds : sequence of int
        One draw (data subset, labels, initial weights, order of mini-batches) per seed.
    label_noise, n_train : as in :func:`digits_subset`.
    remedies : dict name -> keyword arguments, default :data:`REMEDIES`.

    Returns
    -------
    dict with, for every remedy name, a dict of arrays of shape (len(seeds),):
    ``"val_acc"`` (the final network; for early stopping the restored one), ``"gap"`` (validation loss
    minus training loss in evaluation mode, final network), ``"history"`` (list of Histories) and
    ``"net"`` (list of the trained networks).
    """
    remedies = REMEDIES if remedies is None else remedies
    out = {name: {"val_acc": [], "gap": [], "history": [], "net": []} for name in remedies}
    for s in seeds:
        X, y, X_val, y_val, _ = digits_subset(n_train, label_noise, seed=s)
        for name, kw in remedies.items():
            kw = dict(kw)
            net = make_net(kw.pop("drop_in", 0.0), kw.pop("drop_hidden", 0.0), seed=s)
            es = kw.pop("early_stopping", None)
            history = train(net, X, y, (X_val, y_val), early_stopping=es, seed=s, record_train_loss=False, **kw)
            val_loss, val_acc = evaluate(net, X_val, y_val)
            out[name]["val_acc"].append(val_acc)
            out[name]["gap"].append(val_loss - evaluate(net, X, y)[0])
            out[name]["history"].append(history)
            out[name]["net"].append(net)
    for name in out:
        out[name]["val_acc"] = np.array(out[name]["val_acc"])
        out[name]["gap"] = np.array(out[name]["gap"])
    return out


def train_augmented(X, y, X_val, y_val, transform=None, *, seed: int, epochs: int = 100,
                    batch_size: int = 20, lr: float = 3e-3, sizes=SIZES) -> tuple[float, float]:
    """Validation loss and accuracy after training on a fresh transformation of ``X`` in every epoch.

    Parameters
    ----------
    X : ndarray, shape (N, 64); y : ndarray, shape (N,); X_val, y_val : the validation set.
    transform : callable ``transform(X, seed=Generator) -> X'`` or None (train on ``X`` as it is).
    seed : int; the network, the order of mini-batches and the transformations derive from it.
    epochs, batch_size, lr : the training recipe (Adam); sizes : the layer widths of the MLP.

    Returns
    -------
    (loss, accuracy) : floats, on ``(X_val, y_val)`` after ``epochs`` epochs (evaluation mode).
    """
    from threadpoolctl import threadpool_limits

    net = make_net(seed=seed, sizes=sizes)
    optimizer = Adam(lr=lr)
    # BLAS on one thread for the whole run, as fit would set it for each epoch (setting it costs ~1 ms)
    with threadpool_limits(limits=1, user_api="blas"):
        for epoch in range(check_positive_int(epochs, "epochs")):
            X_epoch = X if transform is None else transform(X, seed=np.random.default_rng([seed, 3, epoch]))
            fit(net, X_epoch, y, optimizer=optimizer, epochs=1, batch_size=batch_size,
                seed=np.random.default_rng([seed, 4, epoch]), progress=False, diagnostics=False,
                blas_threads=None)
    return evaluate(net, X_val, y_val)


def paired(a, b) -> tuple[float, float]:
    """Mean and standard error of the paired differences ``a - b`` (arrays of equal length >= 2)."""
    d = np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)
    if d.ndim != 1 or len(d) < 2:
        raise ValueError(f"expected two arrays of the same length >= 2, got shapes {np.shape(a)}, {np.shape(b)}")
    return float(d.mean()), float(d.std(ddof=1) / np.sqrt(len(d)))


__all__ = ["SIZES", "DTYPE", "RECIPE", "REMEDIES", "digits_subset", "unused_digits", "make_net", "train", "compare_remedies",
           "train_augmented", "paired", "EarlyStopping"]
