"""Experiments that settle the eight review questions of the ``questions_to_answer`` notebook.

Each function trains small networks with the course's engine and returns plain numbers (dicts of
floats or arrays), so the notebook prints them, plots them and asserts on them. Every function takes
its seeds explicitly; none touches numpy's global random state. Networks train in float32
(``mlp(..., dtype=np.float32)``), which keeps the whole notebook fast.

Data: the 8x8 digits (:func:`nncourse.digits_splits`) and MNIST-1D (:func:`nncourse.datasets.mnist1d`,
Greydanus 2020), on which reusing layers from a related task pays (Yosinski et al. 2014). The transfer
experiments are the transfer notebook's (:mod:`nncourse.experiments.transfer`), run with the settings
given here.
"""
from __future__ import annotations

import time

import numpy as np

from nncourse.datasets import digits_splits
from nncourse.experiments.regularization import digits_subset, paired  # noqa: F401 (paired: for the notebook)
from nncourse.layers import Linear
from nncourse.model import mlp, transfer
from nncourse.optim import Adam
from nncourse.train import accuracy, fit, predict

#: the dtype of the networks trained here
DTYPE = np.float32


def net(sizes, *, seed, drop_prob: float = 0.0):
    """``mlp(sizes)`` with ReLU and He initialisation in :data:`DTYPE`."""
    return mlp(sizes, seed=seed, drop_prob=drop_prob, dtype=DTYPE)


def head(n_in: int, n_out: int, seed) -> Linear:
    """A new output layer ``Linear(n_in, n_out)`` in :data:`DTYPE`."""
    return Linear(n_in, n_out, seed=seed, dtype=DTYPE)


def train(model, X, y, *, epochs: int, lr: float = 0.01, batch_size: int = 32, seed=0, loss="cross_entropy",
          weight_decay: float = 0.0, val_data=None, early_stopping=None):
    """``fit`` with Adam, quiet, without diagnostics; returns the History."""
    return fit(model, X, y, loss=loss, optimizer=Adam(lr=lr, weight_decay=weight_decay), epochs=epochs,
               batch_size=batch_size, seed=seed, val_data=val_data, early_stopping=early_stopping,
               progress=False, diagnostics=False)


def n_trainable(model) -> int:
    """Number of parameters the optimizer updates (frozen layers excluded)."""
    return int(sum(p.size for _, p, _ in model.trainable_params()))


def draw_seeds(seed: int, n: int) -> list[int]:
    """``n`` seeds for the paired draws of one experiment whose own seed is ``seed``."""
    return [int(seed) * 100 + i for i in range(n)]


# -- question 1: output units ----------------------------------------------------------------------
def output_units(seed: int, *, classes=(3, 8), epochs: int = 20) -> dict:
    """One sigmoid unit against a two-unit softmax on two digits, and ten softmax units on all ten.

    Returns
    -------
    dict with ``one_unit`` and ``two_units`` (validation accuracy on the two classes, the first
    trained with ``loss="bce"`` on one output), ``ten_units`` (all ten digits), ``n_val_two``, and
    ``two_model`` and ``X_val_two`` (the trained two-unit network and its validation images).
    """
    s = digits_splits(seed=seed)
    a, b = classes
    pick, vpick = np.isin(s.y_train, classes), np.isin(s.y_val, classes)
    X, y = s.X_train[pick], (s.y_train[pick] == b).astype(np.int64)
    Xv, yv = s.X_val[vpick], (s.y_val[vpick] == b).astype(np.int64)
    one = net([64, 32, 1], seed=seed)
    train(one, X, y.astype(np.float64), epochs=epochs, loss="bce", seed=seed)
    two = net([64, 32, 2], seed=seed)
    train(two, X, y, epochs=epochs, seed=seed)
    ten = net([64, 32, 10], seed=seed)
    train(ten, s.X_train, s.y_train, epochs=epochs, seed=seed)
    return {"one_unit": float(np.mean((predict(one, Xv)[:, 0] > 0) == (yv == 1))),
            "two_units": accuracy(two, Xv, yv), "ten_units": accuracy(ten, s.X_val, s.y_val),
            "n_val_two": int(len(yv)), "two_model": two, "X_val_two": Xv}


# -- question 2: all weights equal (the initialisation notebook's experiment) ----------------------
def equal_start(seed: int, *, hidden: int = 32, epochs: int = 5) -> dict:
    """Train from a start where every weight of a layer has one value drawn with He's scale.

    Runs the initialisation notebook's :func:`~nncourse.experiments.initialization.symmetry_run`
    (``64 -> hidden (ReLU) -> 10`` on the digits split with ``seed``, plain SGD) twice: from
    :func:`~nncourse.experiments.initialization.equal_weights` of He's normal initialiser (one value
    per layer, drawn with variance ``2 / fan_in``) and, as the control, from ordinary He initialisation.

    Returns
    -------
    dict with ``unit_spread`` (largest difference between two hidden units' incoming weights after
    training), ``activation_spread`` (largest difference between two hidden units' outputs on the
    validation images), ``acc_equal`` and ``acc_he`` (validation accuracy of the two starts).
    """
    from nncourse.experiments.initialization import equal_weights, symmetry_run
    from nncourse.init import he_normal

    splits = digits_splits(seed=seed)
    equal = symmetry_run(equal_weights(he_normal), splits, seed=seed, hidden=hidden, epochs=epochs)
    he = symmetry_run(he_normal, splits, seed=seed, hidden=hidden, epochs=epochs)
    return {"unit_spread": equal["unit_spread"], "activation_spread": equal["activation_spread"],
            "acc_equal": float(equal["val_acc"]), "acc_he": float(he["val_acc"])}


# -- question 3: remedies for overfitting ----------------------------------------------------------
REMEDIES = ("none", "more dropout", "more weight decay", "early stopping", "smaller network")


def noisy_digits(seed: int, n_train: int = 300, noise: float = 0.3):
    """``n_train`` digits with a fraction ``noise`` of their labels redrawn at random, and clean test digits.

    The training images and labels are those of the regularisation notebook's
    :func:`~nncourse.experiments.regularization.digits_subset`; returns ``(X, y_noisy, X_val, y_val,
    X_test, y_test)``, the validation and test labels clean.
    """
    X, y, X_val, y_val, _ = digits_subset(n_train, noise, seed=seed)
    s = digits_splits(seed=seed)  # the split digits_subset draws from
    return X, y, X_val, y_val, s.X_test, s.y_test


def overfitting_remedies(seeds, *, epochs: int = 40, hidden: int = 64, small=(64, 32, 10)) -> dict:
    """Train accuracy (on the noisy labels) and test accuracy for each remedy in :data:`REMEDIES`.

    The plain network is ``[64, hidden, hidden, 10]`` trained for ``epochs`` epochs with Adam (lr
    0.01); each remedy changes one thing: hidden dropout 0.5, weight decay 0.01, early stopping on
    the validation loss (patience 5, best weights restored), or the network ``small`` (default one
    hidden layer of 32 units).

    Returns
    -------
    dict remedy -> {"train": ndarray (n_seeds,), "test": ndarray (n_seeds,)}
    """
    out = {r: {"train": [], "test": []} for r in REMEDIES}
    for seed in seeds:
        X, y, X_val, y_val, X_test, y_test = noisy_digits(seed)
        for remedy in REMEDIES:
            sizes = list(small) if remedy == "smaller network" else [64, hidden, hidden, 10]
            model = net(sizes, seed=seed, drop_prob=0.5 if remedy == "more dropout" else 0.0)
            train(model, X, y, epochs=epochs, batch_size=64, seed=seed,
                  weight_decay=0.01 if remedy == "more weight decay" else 0.0,
                  val_data=(X_val, y_val) if remedy == "early stopping" else None,
                  early_stopping=5 if remedy == "early stopping" else None)
            out[remedy]["train"].append(accuracy(model, X, y))
            out[remedy]["test"].append(accuracy(model, X_test, y_test))
    return {r: {k: np.array(v) for k, v in d.items()} for r, d in out.items()}


# -- question 4: a logistic output -----------------------------------------------------------------
def probability_outputs(seed: int, *, classes=(3, 8), epochs: int = 20) -> dict:
    """One output unit trained two ways on two digits: logistic with log loss, and linear with MSE.

    Returns
    -------
    dict with ``logistic`` (sigmoid of the first network's outputs on the validation images),
    ``linear`` (the second network's raw outputs, trained towards the targets 0 and 1), ``y_val``
    (0/1) and ``mean_p_train``/``frac_train`` (mean predicted probability and fraction of positives
    on the training images).
    """
    s = digits_splits(seed=seed)
    pick, vpick = np.isin(s.y_train, classes), np.isin(s.y_val, classes)
    X, y = s.X_train[pick], (s.y_train[pick] == classes[1]).astype(np.float64)
    Xv, yv = s.X_val[vpick], (s.y_val[vpick] == classes[1]).astype(np.float64)
    logistic = net([64, 16, 1], seed=seed)
    train(logistic, X, y, epochs=epochs, loss="bce", seed=seed)
    linear = net([64, 16, 1], seed=seed)
    train(linear, X, y[:, None], epochs=epochs, loss="mse", seed=seed)

    def sigmoid(z):
        return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=np.float64)))

    return {"logistic": sigmoid(predict(logistic, Xv)[:, 0]), "linear": predict(linear, Xv)[:, 0].astype(np.float64),
            "y_val": yv, "mean_p_train": float(sigmoid(predict(logistic, X)[:, 0]).mean()),
            "frac_train": float(y.mean())}


# -- questions 5 to 7: transfer on MNIST-1D (the transfer notebook's experiment, nncourse.experiments.transfer) --
SOURCE_SIZES = (40, 128, 64, 5)
#: how each variant of :func:`transfer_draws` is built: a plan for :func:`~nncourse.experiments.transfer.reuse_runs`
TRANSFER_PLAN = {
    "scratch": ("scratch", "related"),
    "reuse 2 hidden, frozen": ("frozen", "related"),
    "reuse all, frozen": ("frozen", "related", 5),  # the source's output layer too, frozen, under the new head
    "reuse 2 hidden, fine-tuned": ("fine-tuned", "related"),
    "reuse 2 hidden, unfrozen from the start": ("unfrozen", "related"),
    "unlike source, frozen": ("frozen", "unlike"),
    "unlike source, fine-tuned": ("fine-tuned", "unlike"),
    "random layers, frozen": ("random, frozen", "related"),
}
TRANSFER_VARIANTS = tuple(TRANSFER_PLAN)


def transfer_sources(seed: int, *, epochs: int = 10) -> dict:
    """The transfer notebook's task and two source networks ``[40, 128, 64, 5]`` trained on its classes 0-4.

    The task is :func:`~nncourse.experiments.transfer.transfer_task` (MNIST-1D split with ``seed``:
    about 4,000 labelled signals of classes 0-4, the classes 5-9 as the target). ``"related"`` sees
    the signals as they are; ``"unlike"`` sees every signal with its 40 values in one fixed random
    order (:func:`~nncourse.experiments.transfer.train_source` with a permutation): a task as hard
    for a fully connected network, whose features, read in the target's order, mean something else.
    Both train ``epochs`` epochs with Adam (lr 0.003, mini-batches of 64).

    Returns
    -------
    dict with ``task``, ``related`` and ``unlike`` (the trained networks), ``acc_related`` and
    ``acc_unlike`` (validation accuracy on their own task) and ``order`` (the permutation).
    """
    from nncourse.experiments import transfer as tr

    task = tr.transfer_task("mnist1d", seed)
    order = np.random.default_rng([seed, 7]).permutation(task.X_source.shape[1])
    out = {"task": task, "order": order}
    for name, perm in (("related", None), ("unlike", order)):
        model = tr.train_source(task, SOURCE_SIZES, seed=seed, epochs=epochs, lr=0.003, batch_size=64,
                                permutation=perm)
        X_val = task.X_source_val if perm is None else task.X_source_val[:, perm]
        out[name], out[f"acc_{name}"] = model, accuracy(model, X_val, task.y_source_val)
    return out


def transfer_draws(sources: dict, seed: int, *, draws: int = 6, per_class: int = 10, epochs: int = 30,
                   lr: float = 0.005, batch_size: int = 25) -> dict:
    """Validation accuracy on classes 5-9 of each variant in :data:`TRANSFER_VARIANTS`, per draw.

    Runs :func:`~nncourse.experiments.transfer.reuse_runs` with :data:`TRANSFER_PLAN` on the task of
    ``sources`` (from :func:`transfer_sources`): ``draws`` draws of ``per_class`` labelled signals per
    class, every variant trained on the same signals of a draw for ``epochs`` epochs (Adam, ``lr``,
    mini-batches of ``batch_size``); fine-tuning then trains every layer ``epochs // 2`` more epochs at
    ``lr / 3``.

    Returns
    -------
    dict variant -> ndarray (draws,) of accuracies, plus ``"train gap"`` (training minus validation
    accuracy, per draw) for the two hidden layers reused ``"frozen"`` and ``"unfrozen"`` from the
    start, and ``"trainable"`` (the number of parameters the optimizer fits in each).
    """
    from nncourse.experiments import transfer as tr

    runs = tr.reuse_runs(sources["task"], {"related": sources["related"], "unlike": sources["unlike"]},
                         TRANSFER_PLAN, draws=draws, per_class=per_class, seed=seed, epochs=epochs, lr=lr,
                         batch_size=batch_size, finetune_epochs=epochs // 2, finetune_lr=lr / 3)
    val, fit_acc = runs["val"], runs["train"]
    out = dict(val)
    pairs = {"frozen": "reuse 2 hidden, frozen", "unfrozen": "reuse 2 hidden, unfrozen from the start"}
    out["train gap"] = {k: fit_acc[name] - val[name] for k, name in pairs.items()}
    frozen = transfer(sources["related"], 4, head=[head(SOURCE_SIZES[2], 5, 0)])
    counts = {"frozen": n_trainable(frozen)}
    frozen.trainable = True
    counts["unfrozen"] = n_trainable(frozen)
    out["trainable"] = counts
    return out


def freeze_epoch_times(sources: dict, seed: int, *, n_train: int = 2000, batch_size: int = 128,
                       epochs: int = 8) -> dict:
    """Seconds per training epoch on ``n_train`` target signals: every layer trained, the engine with
    the reused layers frozen, and only the head trained on features computed once.

    Frozen layers still pass the gradient down in this engine (their own weight gradients are
    computed and thrown away), so the real saving of freezing comes when their outputs are cached:
    the reused layers then run once, not once per epoch. The three runs alternate, ``epochs`` times each;
    each time is the fastest epoch, in CPU seconds of this process (:func:`time.process_time`; ``fit``
    trains on one BLAS thread), which other programs running on the machine barely change.

    Returns
    -------
    dict with ``all layers``, ``frozen`` and ``cached features`` (seconds per epoch) and
    ``cache time`` (seconds to compute the features once).
    """
    task = sources["task"]
    X, y = task.X_pool[:n_train], task.y_pool[:n_train]
    models = {"all layers": transfer(sources["related"], 4, head=[head(64, 5, seed)], freeze=False),
              "frozen": transfer(sources["related"], 4, head=[head(64, 5, seed)])}
    lower = sources["related"][:4]
    cache_time = _fastest_alternating({"cache": lambda: predict(lower, X)}, 3)["cache"]
    features = predict(lower, X)
    models["cached features"] = head(64, 5, seed)
    best = dict.fromkeys(models, np.inf)
    for _ in range(epochs):
        for name, model in models.items():
            data = features if name == "cached features" else X
            t0 = time.process_time()
            train(model, data, y, epochs=1, lr=0.003, batch_size=batch_size, seed=seed)
            best[name] = min(best[name], time.process_time() - t0)
    best["cache time"] = cache_time
    return best


# -- question 8: dropout at inference (its costs: nncourse.experiments.dropout.dropout_cost) -------
def without_dropout(model):
    """A network with the same layer objects as ``model`` minus its Dropout layers.

    At ``train=False`` a Dropout layer returns its input, so the two give the same outputs.
    """
    from nncourse.layers import Dropout
    from nncourse.model import Sequential

    return Sequential(*[layer for layer in model.layers if not isinstance(layer, Dropout)])


def _fastest_alternating(fns: dict, repeats: int) -> dict:
    """The fastest of ``repeats`` calls of each function (CPU seconds), the calls taking turns, on one BLAS thread.

    Taking turns call by call lets a busy machine slow every function alike; one BLAS thread (as
    ``fit`` trains) keeps a pool of threads from waiting on each other.
    """
    from threadpoolctl import threadpool_limits

    best = dict.fromkeys(fns, np.inf)
    with threadpool_limits(limits=1, user_api="blas"):
        for _ in range(repeats):
            for name, fn in fns.items():
                t0 = time.process_time()
                fn()
                best[name] = min(best[name], time.process_time() - t0)
    return best
