"""Training: :func:`fit` with mini-batches, validation, early stopping, diagnostics and the NaN trap."""
from __future__ import annotations

import contextlib
import math
import numbers
from dataclasses import dataclass

import numpy as np

from nncourse import diagnostics as diag
from nncourse._validate import as_float_array, as_labels, check_choice, check_number, check_positive_int, make_rng
from nncourse.losses import _softmax_cross_entropy, bce_with_logits, mse, softmax_cross_entropy
from nncourse.history import EarlyStopping, History, TrainingDiverged  # noqa: F401 (public here too)
from nncourse.optim import SGD, Optimizer, clip_grad_norm, penalty, trainable

LOSSES = ("cross_entropy", "mse", "bce")


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
    model : a Sequential, or any single layer (a bare :class:`~nncourse.layers.Linear` trains too).
    X : ndarray, shape (N, D), float features (no NaN: scale or impute first). They are cast once to
        the model's dtype, so a float32 model (``mlp(..., dtype=np.float32)``) trains in float32
        throughout: activations, gradients, optimizer state and losses.
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
    run = _check_fit_args(model, X, y, loss=loss, optimizer=optimizer, epochs=epochs, batch_size=batch_size,
                          val_data=val_data, early_stopping=early_stopping, clip_norm=clip_norm,
                          schedule=schedule, callbacks=callbacks, diagnostics=diagnostics, on_nan=on_nan,
                          blas_threads=blas_threads)
    rng = make_rng(seed)
    hist = History(history={k: [] for k in run.keys})
    stopper = _Stopper(early_stopping, run.X_val is not None)
    step = run.optimizer.t
    bar = _progress_bar(run.epochs, progress)
    contexts = contextlib.ExitStack()
    # overflow on the way to inf/NaN is expected when training diverges; the NaN trap reports it
    contexts.enter_context(np.errstate(over="ignore", invalid="ignore", divide="ignore"))
    if run.blas_threads is not None:
        contexts.enter_context(_blas_limit(run.blas_threads))
    try:
        for epoch in range(run.epochs):
            logs, step = _train_epoch(model, run, rng.permutation(len(run.X)), hist, epoch, step)
            for k, v in logs.items():
                hist.history[k].append(float(v))
            if bar is not None:
                bar.set_postfix({k: f"{v:.4g}" for k, v in logs.items() if k != "lr"}, refresh=False)
                bar.update(1)
            if stopper.after_epoch(epoch, step, logs, model, hist):
                break
            if any(cb(epoch, logs, model) is True for cb in run.callbacks):
                break
    except _Diverged as stop:
        _diverged(hist, model, run.optimizer, stop.epoch, stop.step, stop.value, bar)
        if run.on_nan == "raise":
            raise TrainingDiverged(hist.diverged["message"], hist) from None
        return hist
    finally:
        contexts.close()
        if bar is not None:
            bar.close()
    stopper.restore(model, hist)
    return hist


@dataclass
class _Run:
    """The checked arguments of one :func:`fit` call (data cast once to the model's dtype)."""
    X: np.ndarray
    y: np.ndarray
    X_val: np.ndarray | None
    y_val: np.ndarray | None
    loss: str
    optimizer: Optimizer
    epochs: int
    batch_size: int
    clip_norm: float | None
    schedule: object
    callbacks: tuple
    diagnostics: bool
    on_nan: str
    blas_threads: int | None
    keys: list[str]


def _check_fit_args(model, X, y, *, loss, optimizer, epochs, batch_size, val_data, early_stopping, clip_norm,
                    schedule, callbacks, diagnostics, on_nan, blas_threads) -> _Run:
    """Every argument of :func:`fit` checked (each message names the argument), the data cast to the model's dtype."""
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
    X_val = y_val = None
    if val_data is not None:
        if not isinstance(val_data, (tuple, list)) or len(val_data) != 2:
            raise ValueError("expected val_data to be a pair (X_val, y_val)")
        X_val = as_float_array(val_data[0], "X_val", ndim=2)
        y_val = _check_targets(loss, val_data[1], len(X_val), "y_val")
    if early_stopping is not None and not isinstance(early_stopping, (int, EarlyStopping)) \
            or isinstance(early_stopping, bool):
        raise TypeError(f"expected early_stopping to be an int patience or EarlyStopping, got {early_stopping!r}")
    if schedule is not None and not callable(schedule):
        raise TypeError(f"expected schedule to be a function lr(step), got {schedule!r}")
    for cb in callbacks:
        if not callable(cb):
            raise TypeError(f"expected callbacks to be callables cb(epoch, logs, model), got {cb!r}")
    first = next(layer for _, layer in model.named_layers())
    if first.in_features is not None and X.shape[1] != first.in_features:
        raise ValueError(f"expected X of shape (N, {first.in_features}) for a model whose first layer is "
                         f"{first!r}, got {X.shape}")
    if loss == "cross_entropy":
        out_features = model.forward(X[:1], False).shape[1]
        if y.size and y.max() >= out_features:
            raise ValueError(f"y contains label {int(y.max())} but the model has only {out_features} outputs")
    # a float32 model trains on float32 data: cast once here, not on every batch
    dtype = model.dtype or X.dtype
    X = X.astype(dtype, copy=False)
    y = y if loss == "cross_entropy" else y.astype(dtype, copy=False)
    if X_val is not None:
        X_val = X_val.astype(dtype, copy=False)
        y_val = y_val if loss == "cross_entropy" else y_val.astype(dtype, copy=False)
    keys = ["train_loss", "val_loss"] if X_val is not None else ["train_loss"]
    if loss != "mse":
        keys += ["train_acc", "val_acc"] if X_val is not None else ["train_acc"]
    return _Run(X, y, X_val, y_val, loss, optimizer, epochs, batch_size, clip_norm, schedule, tuple(callbacks),
                bool(diagnostics), on_nan, blas_threads, keys + ["lr"])


class _Diverged(Exception):
    """Raised inside the training loop when the loss or the gradient norm stops being finite."""

    def __init__(self, epoch: int, step: int, value: float) -> None:
        super().__init__(epoch, step, value)
        self.epoch, self.step, self.value = epoch, step, value


def _train_epoch(model, run: _Run, order: np.ndarray, hist: History, epoch: int, step: int):
    """One pass over the training data in the given order; returns ``(logs, step)``.

    Raises :class:`_Diverged` when the loss or the gradient norm is not finite.
    """
    X, y, optimizer, bs = run.X, run.y, run.optimizer, run.batch_size
    lossf = _loss_fn(run.loss, checked=False)  # the targets were checked once, in _check_fit_args
    reg = optimizer.weight_decay or optimizer.l1
    entries = trainable(model)  # callbacks may freeze or unfreeze layers between epochs
    n, n_batches = len(X), -(-len(X) // bs)
    total_loss, total_correct, before = 0.0, 0.0, None
    classify = run.loss == "cross_entropy"
    for b in range(n_batches):
        idx = order[b * bs:(b + 1) * bs]
        xb, yb = X[idx], y[idx]
        out = model.forward(xb, True)
        value, dout = lossf(out, yb)
        if reg:
            value += penalty(model, optimizer.weight_decay, optimizer.l1)
        if not math.isfinite(value):
            raise _Diverged(epoch, step, value)
        model.backward_params(dout)
        if run.clip_norm is not None:
            norm = clip_grad_norm(model, run.clip_norm)
            if not math.isfinite(norm):
                raise _Diverged(epoch, step, norm)
        if run.schedule is not None:
            optimizer.lr = _scheduled_lr(run.schedule, step)
        if run.diagnostics and b == n_batches - 1:
            before = diag.snapshot_weights(model)
        optimizer.update(entries)
        step += 1
        total_loss += value * len(idx)
        if classify:  # softmax: count the arg-max hits directly (the common case, kept cheap)
            total_correct += np.count_nonzero(out.argmax(axis=1) == yb)
        elif run.loss == "bce":
            total_correct += _accuracy(run.loss, out, yb) * len(idx)
    logs = {"train_loss": total_loss / n}
    if run.loss != "mse":
        logs["train_acc"] = total_correct / n
    if run.X_val is not None:
        logs["val_loss"], acc = evaluate(model, run.X_val, run.y_val, run.loss)
        if run.loss != "mse":
            logs["val_acc"] = acc
    logs["lr"] = optimizer.lr
    if run.diagnostics:
        hist.diagnostics.append(diag.layer_stats(model, before))
    return logs, step


class _Stopper:
    """Early stopping's bookkeeping: the best monitored value, its epoch and (optionally) its weights."""

    def __init__(self, rule, has_val: bool) -> None:
        if isinstance(rule, int):
            rule = EarlyStopping(patience=rule)
        self.rule = rule
        self.monitor = None if rule is None else (rule.monitor if has_val else "train_loss")
        self.best_value, self.best_state, self.bad_epochs = math.inf, None, 0

    def after_epoch(self, epoch: int, step: int, logs: dict, model, hist: History) -> bool:
        """Record the epoch; True when training should stop. A non-finite monitored value is divergence."""
        if self.monitor is None:
            return False
        value = logs[self.monitor]
        if not math.isfinite(value):
            raise _Diverged(epoch, step, value)
        if value < self.best_value - self.rule.min_delta:
            self.best_value, self.bad_epochs, hist.best_epoch = value, 0, epoch
            if self.rule.restore_best:
                self.best_state = model.state_dict()
            return False
        self.bad_epochs += 1
        hist.stopped_early = self.bad_epochs >= self.rule.patience
        return hist.stopped_early

    def restore(self, model, hist: History) -> None:
        """Put back the weights of the best epoch (when they were kept and are not the last ones)."""
        if self.best_state is not None and hist.best_epoch != hist.epochs - 1:
            model.load_state_dict(self.best_state)


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


def _diverged(hist, model, optimizer, epoch, step, value, bar) -> None:
    """Fill ``hist.diverged`` with where and how training diverged, and an actionable message."""
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
