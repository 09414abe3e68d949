"""Experiments of the ``dropout`` notebook: how strong to make it, dropout as an ensemble, and what it costs.

- :func:`make_dropout_net` builds the notebook's MLP with dropout on the input and after each hidden layer;
- :func:`drop_prob_sweep` trains the same network at several drop probabilities on the same data;
- :func:`mnist1d_dropout` compares hidden dropout with the plain network on MNIST-1D with clean labels;
- :func:`thinned_ensemble` averages the predictions of many thinned networks and compares them with the
  single rescaled network that inverted dropout evaluates;
- :func:`dropout_cost` measures dropout's price: seconds per training epoch, epochs until the validation
  loss is lowest, and seconds per prediction, each with and without dropout, as ratios.

The data are the notebook's digits with 30% random labels (:func:`nncourse.experiments.regularization.digits_subset`),
where dropout clearly helps. Every function takes its seed explicitly; none touches numpy's global
random state.
"""
from __future__ import annotations

import math
import time

import numpy as np

from nncourse._validate import check_number, check_positive_int
from nncourse.experiments.regularization import DTYPE, SIZES, digits_subset
from nncourse.layers import Dropout
from nncourse.losses import softmax
from nncourse.model import Sequential, mlp
from nncourse.optim import Adam
from nncourse.train import evaluate, fit, predict


def make_dropout_net(drop_hidden: float = 0.0, drop_in: float = 0.0, *, seed: int, sizes=SIZES,
                     always_dropout_layers: bool = False, layer=Dropout) -> Sequential:
    """An MLP (ReLU, He initialisation, float32) with ``Dropout(drop_in)`` first and ``Dropout(drop_hidden)``
    after each hidden activation.

    With ``always_dropout_layers`` the Dropout layers are there even at a drop probability of 0 (to show,
    by training, that they then change nothing); otherwise a probability of 0 leaves them out.
    The weights are the same for every drop probability with the same ``seed``. ``layer`` builds the
    dropout layers, ``layer(drop_prob, seed=Generator)`` (default :class:`nncourse.Dropout`; a notebook
    passes a layer built on the student's own functions).
    """
    drop_hidden = check_number(drop_hidden, "drop_hidden", 0.0, 1.0)
    drop_in = check_number(drop_in, "drop_in", 0.0, 1.0)
    base = mlp(list(sizes), seed=seed, dtype=DTYPE)
    rng = np.random.default_rng([seed, 5])
    layers = []
    if drop_in > 0 or always_dropout_layers:
        layers.append(layer(drop_in, seed=rng))
    for part in base.layers:
        layers.append(part)
        if type(part).__name__ == "ReLU" and (drop_hidden > 0 or always_dropout_layers):
            layers.append(layer(drop_hidden, seed=rng))
    return Sequential(*layers)


def _train(net, data, *, seed, epochs, lr=3e-3, batch_size=100):
    X, y, X_val, y_val = data
    return fit(net, X, y, optimizer=Adam(lr=lr), epochs=epochs, batch_size=batch_size, val_data=(X_val, y_val),
               seed=seed, progress=False, diagnostics=False)


def drop_prob_sweep(drop_probs, seeds, *, n_train: int = 300, label_noise: float = 0.3, epochs: int = 100,
                    layer=Dropout) -> dict:
    """Train the network with hidden dropout at every probability in ``drop_probs``, once per seed.

    Parameters
    ----------
    drop_probs : sequence of float in [0, 1]
    seeds : sequence of int; every drop probability sees the same data, weights and order per seed.
    n_train, label_noise : the training set (see ``digits_subset``).
    epochs : int
    layer : builds the dropout layers (see :func:`make_dropout_net`).

    Returns
    -------
    dict with arrays of shape (len(drop_probs), len(seeds)):
    ``"val_acc"``, ``"train_acc"`` (evaluation mode, on the labels trained on), ``"fits_wrong"`` (fraction
    of the wrong labels the network reproduces), ``"gap"`` (validation minus training loss, evaluation
    mode), ``"last_train_loss"`` (the training loss fit reported for the last epoch, dropout on), and
    ``"histories"`` and ``"nets"``: lists (per drop probability) of lists (per seed) of the Histories and
    the trained networks.
    """
    drop_probs = [check_number(p, "each of drop_probs", 0.0, 1.0) for p in drop_probs]
    keys = ("val_acc", "train_acc", "fits_wrong", "gap", "last_train_loss")
    out = {k: np.zeros((len(drop_probs), len(seeds))) for k in keys}
    out["histories"] = [[None] * len(seeds) for _ in drop_probs]
    out["nets"] = [[None] * len(seeds) for _ in drop_probs]
    for j, s in enumerate(seeds):
        X, y, X_val, y_val, wrong = digits_subset(n_train, label_noise, seed=s)
        for i, p in enumerate(drop_probs):
            net = make_dropout_net(p, seed=s, always_dropout_layers=True, layer=layer)
            history = _train(net, (X, y, X_val, y_val), seed=s, epochs=epochs)
            val_loss, val_acc = evaluate(net, X_val, y_val)
            train_loss, train_acc = evaluate(net, X, y)
            out["val_acc"][i, j], out["train_acc"][i, j] = val_acc, train_acc
            out["fits_wrong"][i, j] = np.mean(predict(net, X[wrong]).argmax(axis=1) == y[wrong]) if wrong.any() else np.nan
            out["gap"][i, j] = val_loss - train_loss
            out["last_train_loss"][i, j] = history["train_loss"][-1]
            out["histories"][i][j] = history
            out["nets"][i][j] = net
    return out


def mnist1d_dropout(seeds, drop_hidden: float = 0.5, *, n_train: int = 1000, width: int = 192,
                    epochs: int = 80) -> dict:
    """Plain network against hidden dropout on MNIST-1D (Greydanus, 2020), clean labels, once per seed.

    Both networks are ``[40, width, width, 10]`` with the same initial weights and order of mini-batches,
    trained with Adam (learning rate 0.003, mini-batches of 100) on the first ``n_train`` training
    examples of ``nncourse.datasets.mnist1d(seed=s)`` and validated on its 1,500 validation examples.

    Returns
    -------
    dict with arrays of shape (len(seeds),): ``"plain"`` and ``"dropout"`` (final validation accuracy),
    ``"plain_best"`` (the plain network's best validation accuracy over all epochs), and ``"histories"``
    (a list of ``{"plain": History, "dropout": History}`` per seed).
    """
    from nncourse.datasets import mnist1d

    drop_hidden = check_number(drop_hidden, "drop_hidden", 0.0, 1.0)
    out = {"plain": [], "dropout": [], "plain_best": [], "histories": []}
    for s in seeds:
        splits = mnist1d(seed=s)
        data = (splits.X_train[:n_train], splits.y_train[:n_train], splits.X_val, splits.y_val)
        histories = {}
        for name, p in (("plain", 0.0), ("dropout", drop_hidden)):
            net = make_dropout_net(p, seed=s, sizes=(40, width, width, 10))
            histories[name] = _train(net, data, seed=s, epochs=epochs)
            out[name].append(evaluate(net, splits.X_val, splits.y_val)[1])
        out["plain_best"].append(max(histories["plain"]["val_acc"]))
        out["histories"].append(histories)
    return {k: (v if k == "histories" else np.array(v)) for k, v in out.items()}


def thinned_ensemble(net: Sequential, X, n_masks: int, *, seed: int) -> dict:
    """Average the class probabilities of ``n_masks`` thinned networks and compare with the rescaled one.

    Each thinned network is ``net`` with a fresh random dropout mask (``forward(X, train=True)``); the
    rescaled network is ``net`` at ``train=False`` (inverted dropout: every unit kept, nothing rescaled).

    Parameters
    ----------
    net : Sequential with dropout layers (layers with ``drop_prob`` and ``rng``; their generator is
        replaced by one derived from ``seed``).
    X : ndarray, shape (N, D)
    n_masks : int >= 1

    Returns
    -------
    dict with ``"ensemble"`` (N, C) mean probabilities over the masks, ``"rescaled"`` (N, C) probabilities
    of the evaluation-mode network, ``"single"`` (n_masks, N) the predicted classes of each thinned
    network, and ``"running"`` (n_masks, N): the ensemble's predicted classes after 1, 2, ... masks.
    """
    n_masks = check_positive_int(n_masks, "n_masks")
    X = np.asarray(X, dtype=DTYPE)
    rng = np.random.default_rng([seed, 9])
    for _, leaf in net.named_layers():
        if hasattr(leaf, "drop_prob") and hasattr(leaf, "rng"):
            leaf.rng = rng
    total = None
    single, running = [], []
    for k in range(n_masks):
        probs = softmax(net.forward(X, train=True).astype(np.float64))
        total = probs if total is None else total + probs
        single.append(probs.argmax(axis=1))
        running.append(total.argmax(axis=1))
    rescaled = softmax(net.forward(X, train=False).astype(np.float64))
    return {"ensemble": total / n_masks, "rescaled": rescaled, "single": np.array(single),
            "running": np.array(running)}


def _seconds(fn, repeats: int) -> float:
    """The fastest of ``repeats`` timings of ``fn()`` (the least disturbed by other work on the machine)."""
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def dropout_cost(drop_hidden: float = 0.5, drop_in: float = 0.2, *, seed: int, n_train: int = 300,
                 label_noise: float = 0.3, epochs: int = 100, repeats: int = 5) -> dict:
    """What dropout costs in training and at inference, measured against the same network without it.

    Three measurements, each with and without dropout on the same data and initial weights:

    1. **seconds per training epoch**: the forward and backward passes of one epoch's mini-batches of 100
       (the optimizer's update, the same work with and without dropout, left out), from the fastest of
       ``3 * repeats`` timings of ten steps, the two networks timed in turns so that both see the same
       machine load;
    2. **epochs to converge**: training both for ``epochs`` epochs, the epoch at which the validation
       loss was lowest (what early stopping would keep), counted from 1;
    3. **seconds per prediction**: ``predict`` (``train=False``) on the 270 validation images, fastest of
       ``repeats * 20`` timings, in turns.

    Parameters
    ----------
    drop_hidden, drop_in : float in [0, 1]; the dropout network's rates (hidden layers, input).
    seed : int; data, weights and order of mini-batches.
    n_train, label_noise : the training set (see ``digits_subset``).
    epochs : int; the length of the runs that measure the epochs to converge.
    repeats : int; timings per measurement (the fastest counts).

    Returns
    -------
    dict with ``"epoch_seconds"``, ``"best_epoch"``, ``"predict_seconds"`` (each a dict
    ``{"plain": ..., "dropout": ...}``), the ratios ``"epoch_ratio"``, ``"epochs_ratio"`` and
    ``"predict_ratio"`` (dropout / plain), the two histories under ``"histories"`` and ``"epochs"``. When
    a network's best epoch is the last one, it was still improving: its epochs to converge (and the
    ratio) are then a lower bound.

    Notes
    -----
    Timings are wall-clock seconds on whatever else the machine is doing: compare the ratios, not the
    seconds, and allow a generous margin.
    """
    repeats = check_positive_int(repeats, "repeats")
    X, y, X_val, y_val, _ = digits_subset(n_train, label_noise, seed=seed)
    data = (X, y, X_val, y_val)
    nets = {"plain": make_dropout_net(seed=seed), "dropout": make_dropout_net(drop_hidden, drop_in, seed=seed)}
    histories = {name: _train(net, data, seed=seed, epochs=epochs) for name, net in nets.items()}
    best_epoch = {name: int(np.argmin(h["val_loss"])) + 1 for name, h in histories.items()}

    timing_nets = {name: make_dropout_net(*((drop_hidden, drop_in) if name == "dropout" else (0.0, 0.0)),
                                          seed=seed) for name in nets}
    epoch_seconds = {name: math.inf for name in nets}
    predict_seconds = {name: math.inf for name in nets}
    X_val32 = X_val.astype(DTYPE)
    with _one_blas_thread():  # as fit trains: the timings then measure the work, not thread handovers
        _time_in_turns(timing_nets, nets, epoch_seconds, predict_seconds, X, y, X_val32, seed, repeats)
    return {"epoch_seconds": epoch_seconds, "best_epoch": best_epoch, "predict_seconds": predict_seconds,
            "epoch_ratio": epoch_seconds["dropout"] / epoch_seconds["plain"],
            "epochs_ratio": best_epoch["dropout"] / best_epoch["plain"],
            "predict_ratio": predict_seconds["dropout"] / predict_seconds["plain"],
            "histories": histories, "epochs": epochs}


def _one_blas_thread():
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl is a dependency
        import contextlib

        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def _time_in_turns(timing_nets, nets, epoch_seconds, predict_seconds, X, y, X_val, seed, repeats):
    """Fill ``epoch_seconds`` and ``predict_seconds`` (fastest timings), the networks timed in turns.

    A training step is timed as the forward pass (``train=True``) and the backward pass of the loss on one
    mini-batch of 100 images; ``epoch_seconds`` is that times the steps per epoch. The optimizer's update
    is left out: it is the same work with and without dropout (the same parameters).
    """
    from nncourse.losses import softmax_cross_entropy

    rng = np.random.default_rng([seed, 7])
    idx = rng.permutation(len(X))[:100]
    xb, yb = X[idx].astype(DTYPE), y[idx]
    steps = -(-len(X) // 100)

    def step(net):
        def run():
            for _ in range(10):
                _, dout = softmax_cross_entropy(net.forward(xb, True), yb)
                net.backward(dout)
        return run

    for _ in range(repeats):
        for name, net in timing_nets.items():
            epoch_seconds[name] = min(epoch_seconds[name], _seconds(step(net), 3) / 10 * steps)
        for name, net in nets.items():
            predict_seconds[name] = min(predict_seconds[name], _seconds(lambda: predict(net, X_val), 20))
