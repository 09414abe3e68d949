"""Training: :func:`fit` with mini-batches, validation, early stopping, diagnostics and the NaN trap."""
from __future__ import annotations

import contextlib
import math
import numbers
from dataclasses import dataclass, field

import numpy as np

from nncourse import diagnostics as diag
from nncourse._validate import as_float_array, as_labels, check_choice, check_number, check_positive_int, make_rng
from nncourse.losses import _softmax_cross_entropy, bce_with_logits, mse, softmax_cross_entropy
from nncourse.optim import SGD, Optimizer, clip_grad_norm, penalty, trainable

LOSSES = ("cross_entropy", "mse", "bce")


class TrainingDiverged(FloatingPointError):
    """The loss or a gradient became NaN or infinite; ``history`` holds every epoch finished before."""

    def __init__(self, message: str, history: "History") -> None:
        super().__init__(message)
        self.history = history


@dataclass
class EarlyStopping:
    """Stop when ``monitor`` has not improved by more than ``min_delta`` for ``patience`` epochs.

    With ``restore_best`` (default) the model ends with the weights of its best epoch.
    ``monitor`` is ``"val_loss"`` (default; falls back to ``"train_loss"`` without validation data).
    """
    patience: int = 5
    min_delta: float = 0.0
    restore_best: bool = True
    monitor: str = "val_loss"

    def __post_init__(self) -> None:
        check_positive_int(self.patience, "patience")
        check_number(self.min_delta, "min_delta", 0.0)
        check_choice(self.monitor, "monitor", ("val_loss", "train_loss"))


@dataclass
class History:
    """What :func:`fit` recorded. ``history[key]`` gives the per-epoch list for ``key``."""
    history: dict[str, list[float]] = field(default_factory=dict)
    diagnostics: list[dict[str, dict[str, float]]] = field(default_factory=list)
    best_epoch: int | None = None  # 0-based epoch with the best monitored value (early stopping)
    stopped_early: bool = False
    diverged: dict | None = None   # {"epoch", "step", "layer", "message"} when the NaN trap fired

    def __getitem__(self, key: str) -> list[float]:
        if key not in self.history:
            raise KeyError(f"no {key!r} in this history; it has {', '.join(self.history)}")
        return self.history[key]

    @property
    def epochs(self) -> int:
        return len(self.history.get("train_loss", []))

    def __repr__(self) -> str:
        last = {k: round(v[-1], 4) for k, v in self.history.items() if v}
        extra = " (stopped early)" if self.stopped_early else " (diverged)" if self.diverged else ""
        return f"History({self.epochs} epochs{extra}, last={last})"


def _loss_fn(loss: str, checked: bool = True):
    ce = softmax_cross_entropy if checked else _softmax_cross_entropy
    return {"cross_entropy": ce, "mse": mse, "bce": bce_with_logits}[loss]


def _accuracy(loss: str, out: np.ndarray, y: np.ndarray) -> float | None:
    if loss == "cross_entropy":
        return np.count_nonzero(out.argmax(axis=1) == y) / len(y)
    if loss == "bce":
        return float(np.mean((out.reshape(y.shape) > 0) == (y > 0.5)))
    return None


def predict(model, X, batch_size: int = 4096) -> np.ndarray:
    """The model's outputs (logits for classifiers) on ``X`` in evaluation mode (``train=False``)."""
    X = as_float_array(X, "X", ndim=2)
    return np.concatenate([model.forward(X[i:i + batch_size], train=False)
                           for i in range(0, len(X), batch_size)] or [np.zeros((0, 0))])


def accuracy(model, X, y) -> float:
    """Fraction of examples whose arg-max output equals the label."""
    out = predict(model, X)
    y = as_labels(y, "y", n=len(out))
    return float(np.mean(out.argmax(axis=1) == y))


def evaluate(model, X, y, loss: str = "cross_entropy") -> tuple[float, float | None]:
    """``(mean loss, accuracy or None)`` of ``model`` on ``(X, y)`` in evaluation mode."""
    out = predict(model, X)
    value, _ = _loss_fn(loss)(out, y)
    return value, _accuracy(loss, out, y)


def _check_targets(loss, y, n, name):
    if loss == "cross_entropy":
        return as_labels(y, name, n=n)
    y = as_float_array(y, name, ndim=(1, 2))
    if y.shape[0] != n:
        raise ValueError(f"expected {name} to hold one target per example ({n}), got {y.shape[0]}")
    return y


def fit(model, X, y, *, loss: str = "cross_entropy", optimizer: Optimizer | None = None, epochs: int = 10,
        batch_size: int = 32, seed=0, val_data=None, early_stopping=None, clip_norm: float | None = None,
        schedule=None, callbacks=(), progress: bool = True, diagnostics: bool = True,
        on_nan: str = "raise", blas_threads: int | None = 1) -> History:
    """Train ``model`` with mini-batch gradient descent and return its :class:`History`.

    Parameters
    ----------
    model : a Sequential (or any layer with the protocol).
    X : ndarray, shape (N, D), float features (no NaN: scale or impute first).
    y : ndarray, shape (N,), integer labels for ``loss="cross_entropy"``; targets for ``"mse"``; 0/1 for ``"bce"``.
    loss : ``"cross_entropy"`` (softmax), ``"mse"`` or ``"bce"`` (binary, on logits).
    optimizer : default ``SGD(lr=0.1)``. Its ``weight_decay``/``l1`` penalties are added to the reported loss.
    epochs, batch_size : ints >= 1. The last mini-batch of an epoch may be smaller.
    seed : int or Generator for shuffling (the same seed gives the same order).
    val_data : ``(X_val, y_val)`` evaluated after every epoch in evaluation mode.
    early_stopping : an int patience or :class:`EarlyStopping`.
    clip_norm : clip the global gradient norm to this value before every update.
    schedule : ``lr(step)``, see :mod:`nncourse.schedules`; sets ``optimizer.lr`` before every update.
    callbacks : callables ``cb(epoch, logs, model)``; returning True stops training.
    progress : show a progress bar (notebook or terminal); False for quiet.
    diagnostics : record per-layer statistics (see :mod:`nncourse.diagnostics`) on each epoch's last batch.
    on_nan : ``"raise"`` raises :class:`TrainingDiverged` when the loss or gradients stop being finite;
        ``"stop"`` stops and returns the history with ``history.diverged`` set.
    blas_threads : threads numpy's BLAS may use while training (default 1; None leaves the setting
        alone). The matrices of a course-sized network are small: a pool of BLAS threads only adds
        synchronisation, and on a busy machine it can make each step many times slower.
    """
    check_choice(loss, "loss", LOSSES)
    check_choice(on_nan, "on_nan", ("raise", "stop"))
    if blas_threads is not None:
        blas_threads = check_positive_int(blas_threads, "blas_threads")
    X = as_float_array(X, "X", ndim=2)
    y = _check_targets(loss, y, len(X), "y")
    epochs = check_positive_int(epochs, "epochs")
    batch_size = check_positive_int(batch_size, "batch_size")
    if clip_norm is not None:
        clip_norm = check_number(clip_norm, "clip_norm", 0.0, low_open=True)
    optimizer = SGD(lr=0.1) if optimizer is None else optimizer
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"expected optimizer to be an nncourse optimizer such as SGD(lr=0.1), got {optimizer!r}")
    if val_data is not None:
        if not isinstance(val_data, (tuple, list)) or len(val_data) != 2:
            raise ValueError("expected val_data to be a pair (X_val, y_val)")
        X_val = as_float_array(val_data[0], "X_val", ndim=2)
        y_val = _check_targets(loss, val_data[1], len(X_val), "y_val")
    if isinstance(early_stopping, int) and not isinstance(early_stopping, bool):
        early_stopping = EarlyStopping(patience=early_stopping)
    if early_stopping is not None and not isinstance(early_stopping, EarlyStopping):
        raise TypeError(f"expected early_stopping to be an int patience or EarlyStopping, got {early_stopping!r}")
    for cb in callbacks:
        if not callable(cb):
            raise TypeError(f"expected callbacks to be callables cb(epoch, logs, model), got {cb!r}")

    # a float32 model trains on float32 data: cast once here, not on every batch
    dtype = model.dtype or X.dtype
    X = X.astype(dtype, copy=False)
    if loss != "cross_entropy":
        y = y.astype(dtype, copy=False)
    if val_data is not None:
        X_val = X_val.astype(dtype, copy=False)
        if loss != "cross_entropy":
            y_val = y_val.astype(dtype, copy=False)
    rng = make_rng(seed)
    first = next((layer for _, layer in model.named_layers()), None)
    if hasattr(first, "in_features") and X.shape[1] != first.in_features:
        raise ValueError(f"expected X of shape (N, {first.in_features}) for a model whose first layer is "
                         f"{first!r}, got {X.shape}")
    lossf = _loss_fn(loss, checked=False)  # targets were validated above, once
    if loss == "cross_entropy":
        out_features = model.forward(X[:1], False).shape[1]
        if y.size and y.max() >= out_features:
            raise ValueError(f"y contains label {int(y.max())} but the model has only {out_features} outputs")
    n = len(X)
    keys = ["train_loss", "val_loss"] if val_data is not None else ["train_loss"]
    if loss != "mse":
        keys += ["train_acc", "val_acc"] if val_data is not None else ["train_acc"]
    hist = History(history={k: [] for k in keys + ["lr"]})
    monitor = None
    if early_stopping is not None:
        monitor = early_stopping.monitor if val_data is not None else "train_loss"
    best_value, best_state, bad_epochs = math.inf, None, 0
    reg = optimizer.weight_decay or optimizer.l1
    step = getattr(optimizer, "t", 0)

    bar = _progress_bar(epochs, progress)
    contexts = contextlib.ExitStack()
    # overflow on the way to inf/NaN is expected when training diverges; the NaN trap below reports it
    contexts.enter_context(np.errstate(over="ignore", invalid="ignore", divide="ignore"))
    if blas_threads is not None:
        contexts.enter_context(_blas_limit(blas_threads))
    try:
        for epoch in range(epochs):
            order = rng.permutation(n)
            total_loss, total_correct = 0.0, 0.0
            before = None
            n_batches = -(-n // batch_size)
            entries = trainable(model)  # callbacks may freeze or unfreeze layers between epochs
            for b in range(n_batches):
                idx = order[b * batch_size:(b + 1) * batch_size]
                xb, yb = X[idx], y[idx]
                out = model.forward(xb, True)
                value, dout = lossf(out, yb)
                if reg:
                    value += penalty(model, optimizer.weight_decay, optimizer.l1)
                if not math.isfinite(value):
                    _diverged(hist, model, optimizer, epoch, step, value, on_nan, bar)
                    return hist
                model.backward_params(dout)
                if clip_norm is not None:
                    norm = clip_grad_norm(model, clip_norm)
                    if not math.isfinite(norm):
                        _diverged(hist, model, optimizer, epoch, step, norm, on_nan, bar)
                        return hist
                if schedule is not None:
                    optimizer.lr = _scheduled_lr(schedule, step)
                if diagnostics and b == n_batches - 1:
                    before = diag.snapshot_weights(model)
                optimizer.update(entries)
                step += 1
                total_loss += value * len(idx)
                if loss != "mse":
                    total_correct += _accuracy(loss, out, yb) * len(idx)
            logs = {"train_loss": total_loss / n}
            if loss != "mse":
                logs["train_acc"] = total_correct / n
            if val_data is not None:
                logs["val_loss"], acc = evaluate(model, X_val, y_val, loss)
                if loss != "mse":
                    logs["val_acc"] = acc
            logs["lr"] = optimizer.lr
            for k, v in logs.items():
                hist.history[k].append(float(v))
            if diagnostics:
                hist.diagnostics.append(diag.layer_stats(model, before))
            if bar is not None:
                bar.set_postfix({k: f"{v:.4g}" for k, v in logs.items() if k != "lr"}, refresh=False)
                bar.update(1)
            if monitor is not None:
                value = logs[monitor]
                if not math.isfinite(value):
                    _diverged(hist, model, optimizer, epoch, step, value, on_nan, bar)
                    return hist
                if value < best_value - early_stopping.min_delta:
                    best_value, bad_epochs, hist.best_epoch = value, 0, epoch
                    if early_stopping.restore_best:
                        best_state = model.state_dict()
                else:
                    bad_epochs += 1
                    if bad_epochs >= early_stopping.patience:
                        hist.stopped_early = True
                        break
            if any(cb(epoch, logs, model) is True for cb in callbacks):
                break
    finally:
        contexts.close()
        if bar is not None:
            bar.close()
    if best_state is not None and hist.best_epoch != hist.epochs - 1:
        model.load_state_dict(best_state)
    return hist


def _scheduled_lr(schedule, step: int) -> float:
    """The schedule's value at ``step``, checked like ``SGD(lr=...)``: a finite number > 0."""
    value = schedule(step)
    if isinstance(value, np.ndarray) and value.shape == ():
        value = value.item()
    if (isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value)
            or value <= 0):
        raise ValueError(f"schedule returned lr={value!r} at step {step}; expected a finite number > 0 "
                         f"(the same rule as SGD(lr=...))")
    return float(value)


def _diverged(hist, model, optimizer, epoch, step, value, on_nan, bar):
    layer = diag.first_bad_layer(model)
    what = "NaN" if math.isnan(value) else "infinite"
    if layer:
        where = f" The first layer with non-finite values is {layer}."
    else:
        layer, size = diag.largest_output_layer(model)
        where = f" No layer holds NaN yet; the largest values are in the output of {layer} (|value| up to {size:.3g})."
    message = (
        f"Training diverged: the loss became {what} at epoch {epoch + 1}, step {step} "
        f"(learning rate {optimizer.lr:g}).{where} Try a lower learning rate (e.g. {optimizer.lr / 10:g}), "
        f"scale the input features (z-score), or clip gradients with fit(..., clip_norm=1.0). "
        f"The history of the {hist.epochs} finished epoch(s) is kept in this error's .history."
    )
    hist.diverged = {"epoch": epoch, "step": step, "layer": layer, "message": message}
    if bar is not None:
        bar.close()
    if on_nan == "raise":
        raise TrainingDiverged(message, hist)


def _blas_limit(threads: int):
    """A context that limits numpy's BLAS thread pool (does nothing without threadpoolctl)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl is a dependency
        return contextlib.nullcontext()
    return threadpool_limits(limits=threads, user_api="blas")


def _progress_bar(epochs: int, progress: bool):
    if not progress:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:  # pragma: no cover - tqdm is a dependency
        return None
    return tqdm(total=epochs, desc="training", unit="epoch", leave=True)
