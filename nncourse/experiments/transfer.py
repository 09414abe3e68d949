"""Experiments of the ``transfer`` notebook: depth against width, reusing layers, pre-training.

Each function trains small networks with the course's engine (:func:`nncourse.mlp`,
:func:`nncourse.transfer`, :func:`nncourse.fit` with Adam) in float32 and returns plain numbers, so a
notebook prints, plots and asserts on them, and another notebook can rerun the same experiment.
Every function takes its seeds explicitly; none touches numpy's global random state. Comparisons are
paired: within one draw every method sees the same data and the same few labels, so
:func:`paired` measures the difference between two methods draw by draw.

Data: MNIST-1D (:func:`nncourse.datasets.mnist1d`; Greydanus 2020, "Scaling down deep learning") and
the 8x8 digits (:func:`nncourse.digits_splits`).
"""
from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np

from nncourse._validate import check_choice, check_positive_int
from nncourse.datasets import digits_splits, mnist1d
from nncourse.layers import Linear
from nncourse.model import Sequential, mlp, transfer
from nncourse.optim import Adam
from nncourse.train import accuracy, fit, predict

#: every network of these experiments trains in float32 (faster than float64, as accurate at these sizes)
DTYPE = np.float32
#: reuse modes of :func:`reuse_runs` (what happens to the reused layers)
MODES = ("scratch", "random, frozen", "frozen", "fine-tuned", "unfrozen")


def sub_seed(seed: int, *keys: int) -> int:
    """An int seed derived from ``seed`` and ``keys`` (independent streams for draws and methods)."""
    return int(np.random.SeedSequence([int(seed), *map(int, keys)]).generate_state(1)[0])


def train(model, X, y, *, epochs: int, lr: float = 0.01, batch_size: int = 32, seed=0,
          loss: str = "cross_entropy"):
    """``fit`` with Adam at learning rate ``lr``, no progress bar and no diagnostics; returns History."""
    return fit(model, X, y, loss=loss, optimizer=Adam(lr=lr), epochs=epochs, batch_size=batch_size,
               seed=seed, progress=False, diagnostics=False)


def paired(a, b) -> tuple[float, float]:
    """Mean and standard error of the paired differences ``a - b`` (one pair per draw).

    Parameters
    ----------
    a, b : array_like, shape (n,)
        The same measurement of two methods, draw by draw (n >= 2).

    Returns
    -------
    mean, se : float
        ``mean(a - b)`` and ``std(a - b, ddof=1) / sqrt(n)``.
    """
    d = np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)
    if d.ndim != 1 or d.size < 2:
        raise ValueError(f"expected two equal-length 1-D arrays of at least 2 draws, got shape {d.shape}")
    return float(d.mean()), float(d.std(ddof=1) / np.sqrt(d.size))


def load(data: str, seed: int):
    """Splits of ``"mnist1d"`` (8,000 / 1,000 / 1,000) or ``"digits"`` (1,257 / 270 / 270), float32."""
    check_choice(data, "data", ("mnist1d", "digits"))
    s = mnist1d(seed, val_frac=0.1, test_frac=0.1) if data == "mnist1d" else digits_splits(seed)
    return [a.astype(DTYPE) if a.dtype.kind == "f" else a for a in s]


# -- architecture ----------------------------------------------------------------------------------
def architecture_runs(data: str, shapes: dict, seeds, *, epochs: int, lr: float = 0.01,
                      batch_size: int = 128, n_train: int | None = None) -> dict:
    """Validation accuracy of each shape, trained once per seed (split and initial weights).

    Parameters
    ----------
    data : ``"mnist1d"`` or ``"digits"``
    shapes : dict name -> list of int, the ``mlp`` sizes, e.g. ``{"one layer": [40, 196, 10]}``
    seeds : iterable of int; seed ``s`` draws the split and every network's weights of that draw
    epochs, lr, batch_size : training settings (Adam)
    n_train : use only the first ``n_train`` training examples (default all)

    Returns
    -------
    dict name -> ndarray, shape (len(seeds),)
    """
    out = {name: [] for name in shapes}
    for seed in seeds:
        X, y, Xv, yv, _, _ = load(data, seed)
        X, y = X[:n_train], y[:n_train]
        for name, sizes in shapes.items():
            net = mlp(sizes, seed=sub_seed(seed, 1), dtype=DTYPE)
            train(net, X, y, epochs=epochs, lr=lr, batch_size=batch_size, seed=sub_seed(seed, 2))
            out[name].append(accuracy(net, Xv, yv))
    return {name: np.array(v) for name, v in out.items()}


# -- transfer --------------------------------------------------------------------------------------
@dataclass(frozen=True, repr=False)
class TransferTask:
    """A source task (classes 0-4, every training label) and a target task (classes 5-9, relabelled 0-4).

    ``X_pool, y_pool`` are the target's training examples, from which few labels are drawn;
    ``X_val, y_val`` its validation examples; ``X_source_val, y_source_val`` the source's.
    """

    X_source: np.ndarray
    y_source: np.ndarray
    X_source_val: np.ndarray
    y_source_val: np.ndarray
    X_pool: np.ndarray
    y_pool: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray

    def __repr__(self) -> str:
        return (f"TransferTask(source: {len(self.y_source)} labelled examples of classes 0-4; "
                f"target: {len(self.y_pool)} examples of classes 5-9 to draw labels from, "
                f"{len(self.y_val)} for validation)")


def transfer_task(data: str, seed: int) -> TransferTask:
    """Split ``data`` (``"mnist1d"`` or ``"digits"``) into the source and target tasks."""
    X, y, Xv, yv, _, _ = load(data, seed)
    s, sv = y < 5, yv < 5
    return TransferTask(X[s], y[s], Xv[sv], yv[sv], X[~s], y[~s] - 5, Xv[~sv], yv[~sv] - 5)


def few_labels(X, y, per_class: int, seed) -> tuple[np.ndarray, np.ndarray]:
    """``per_class`` examples of every class in ``y``, drawn without replacement with ``seed``."""
    per_class = check_positive_int(per_class, "per_class")
    rng = np.random.default_rng(seed)
    idx = np.concatenate([rng.choice(np.flatnonzero(y == c), per_class, replace=False)
                          for c in np.unique(y)])
    idx = rng.permutation(idx)
    return X[idx], y[idx]


def _head(n_in: int, n_out: int, seed: int) -> Linear:
    return Linear(n_in, n_out, seed=seed, dtype=DTYPE)


def _width(layers) -> int:
    return [layer for layer in layers if isinstance(layer, Linear)][-1].out_features


def frozen_head(lower, X, y, n_out: int, *, epochs: int, lr: float, batch_size: int, seed: int,
                shuffle_seed: int | None = None) -> Linear:
    """Train only a new output layer ``Linear(width, n_out)`` on top of the frozen layers ``lower``.

    The frozen layers never change, so their outputs are computed once and the head trains on them:
    the same arithmetic as training the frozen network end to end, without running the frozen layers
    again at every step. ``seed`` draws the head's initial weights, ``shuffle_seed`` (default
    ``seed``) the order of the mini-batches. Returns the trained head.
    """
    feats = predict(lower, X).astype(DTYPE, copy=False)
    head = _head(feats.shape[1], n_out, seed)
    train(head, feats, y, epochs=epochs, lr=lr, batch_size=batch_size,
          seed=seed if shuffle_seed is None else shuffle_seed)
    return head


def reuse_runs(task: TransferTask, sources: dict, plan: dict, *, draws: int, per_class: int, seed: int,
               epochs: int = 30, lr: float = 0.005, batch_size: int = 25,
               finetune_epochs: int | None = None, finetune_lr: float | None = None) -> dict:
    """Train on a few target labels, reusing (or not) the lower layers of trained source networks.

    Parameters
    ----------
    task : TransferTask
    sources : dict key -> trained Sequential whose lower layers may be reused
    plan : dict name -> ``(mode, key)`` or ``(mode, key, n_layers)``; ``mode`` is one of
        :data:`MODES`, ``key`` names a source, ``n_layers`` (default 4: two Linear+ReLU pairs) how many
        of its first layers are reused:

        - ``"scratch"``: a fresh network of the reused part's shape with a new output layer, all trained;
        - ``"random, frozen"``: the same shape, the lower layers left at their random start and
          frozen, only the output layer trained (the control: a frozen layer that learned nothing);
        - ``"frozen"``: the source's lower layers, frozen, with a new output layer trained on top;
        - ``"fine-tuned"``: ``"frozen"`` first, then everything unfrozen and trained further with a
          10 times lower learning rate;
        - ``"unfrozen"``: the source's lower layers and a new output layer, all trained from the start
          with the full learning rate.
    draws : number of draws of the few labels; draw ``d`` is the same for every entry of the plan
        (and for every call with the same ``seed``), so results pair up draw by draw
    per_class : labelled target examples per class
    seed : base seed of the draws (labels, new layers, shuffling)
    epochs, lr, batch_size : training on the few labels (Adam)
    finetune_epochs, finetune_lr : the second stage of ``"fine-tuned"`` (default ``epochs`` and ``lr / 10``)

    Returns
    -------
    dict with ``"val"`` and ``"train"``: each a dict name -> ndarray, shape (draws,), the accuracy on
    the target's validation examples and on the few labelled training examples.
    """
    draws = check_positive_int(draws, "draws")
    steps = {}
    for name, entry in plan.items():
        mode, key, n_layers = (tuple(entry) + (4,))[:3]
        check_choice(mode, f"mode of {name!r}", MODES)
        if key not in sources:
            raise ValueError(f"plan {name!r} uses source {key!r}; sources has {sorted(sources)}")
        if not 1 <= n_layers <= len(sources[key].layers):
            raise ValueError(f"plan {name!r} reuses {n_layers} layers; source {key!r} has {len(sources[key].layers)}")
        steps[name] = (mode, key, n_layers)
    finetune_epochs = epochs if finetune_epochs is None else finetune_epochs
    finetune_lr = lr / 10 if finetune_lr is None else finetune_lr
    n_out = int(task.y_val.max()) + 1
    val = {name: [] for name in plan}
    fit_acc = {name: [] for name in plan}
    for d in range(draws):
        X, y = few_labels(task.X_pool, task.y_pool, per_class, sub_seed(seed, d))
        s_net, s_fit = sub_seed(seed, d, 1), sub_seed(seed, d, 2)
        frozen_cache = {}  # (key, n_layers) -> (lower, head): "fine-tuned" starts where "frozen" ends
        for name, (mode, key, n_layers) in steps.items():
            source = sources[key]
            if mode in ("scratch", "random, frozen"):
                widths = [layer.out_features for layer in source.layers[:n_layers] if isinstance(layer, Linear)]
                net = mlp([task.X_val.shape[1], *widths, n_out], seed=s_net, dtype=DTYPE)
                if mode == "scratch":
                    train(net, X, y, epochs=epochs, lr=lr, batch_size=batch_size, seed=s_fit)
                else:
                    lower = Sequential(*net.layers[:-1])
                    head = frozen_head(lower, X, y, n_out, epochs=epochs, lr=lr, batch_size=batch_size,
                                       seed=s_net, shuffle_seed=s_fit)
                    net = Sequential(*lower.layers, head)
            elif mode == "unfrozen":
                lower = copy.deepcopy(source.layers[:n_layers])
                net = Sequential(*lower, _head(_width(lower), n_out, s_net))
                train(net, X, y, epochs=epochs, lr=lr, batch_size=batch_size, seed=s_fit)
            else:
                if (key, n_layers) not in frozen_cache:
                    lower = transfer(source, n_layers)  # frozen copies
                    head = frozen_head(lower, X, y, n_out, epochs=epochs, lr=lr, batch_size=batch_size,
                                       seed=s_net, shuffle_seed=s_fit)
                    frozen_cache[key, n_layers] = Sequential(*lower.layers, head)
                net = copy.deepcopy(frozen_cache[key, n_layers])
                if mode == "fine-tuned":
                    net.trainable = True
                    train(net, X, y, epochs=finetune_epochs, lr=finetune_lr, batch_size=batch_size, seed=s_fit)
            val[name].append(accuracy(net, task.X_val, task.y_val))
            fit_acc[name].append(accuracy(net, X, y))
    return {"val": {k: np.array(v) for k, v in val.items()},
            "train": {k: np.array(v) for k, v in fit_acc.items()}}


def train_source(task: TransferTask, sizes, *, seed: int, epochs: int, lr: float = 0.005,
                 batch_size: int = 128, permutation=None) -> Sequential:
    """Train ``mlp(sizes)`` on the source task (optionally on inputs whose columns are permuted).

    ``permutation`` (an index array of the input length) trains on ``X_source[:, permutation]``: the
    same classes and the same amount of data, but a different input: the values arrive in another
    order, so the features the network learns look at the wrong places for the target's inputs.
    """
    X = task.X_source if permutation is None else task.X_source[:, permutation]
    net = mlp(list(sizes), seed=seed, dtype=DTYPE)
    train(net, X, task.y_source, epochs=epochs, lr=lr, batch_size=batch_size, seed=sub_seed(seed, 1))
    return net
