"""The playground: train a small network with the settings of your choice and read the verdict.

Plain functions (no front end needed): `run_playground(settings) -> PlaygroundResult`,
`verdict(history, settings) -> str`, and `nncourse.plots.draw_playground(result)`.
The widget `playground(**settings)` puts controls around them.
"""
from __future__ import annotations

import functools
import html
import math
import time
from dataclasses import dataclass, field

import numpy as np

import nncourse as nc
from nncourse.datasets import DATASETS_2D, digits_splits, make_2d
from nncourse.widgets._common import Choice, Flag, Number, ControlledWidget, check_settings

SPEC = {
    "dataset": Choice("data set", tuple(DATASETS_2D) + ("digits",)),
    "noise": Number("noise", 0.0, 0.5, step=0.05),
    "hidden_layers": Number("hidden layers", 1, 4, integer=True),
    "units": Number("units per layer", 1, 64, integer=True),
    "activation": Choice("activation", ("relu", "leaky_relu", "tanh", "sigmoid")),
    "init": Choice("initialisation", ("he", "xavier", "normal", "zeros"),
                   names=(("normal", "normal (std 0.01)"),)),
    "batchnorm": Flag("batch norm"),
    "optimizer": Choice("optimizer", ("sgd", "momentum", "nesterov", "rmsprop", "adam")),
    "lr": Number("learning rate", 1e-4, 10.0, log=True),
    "drop_prob": Number("dropout", 0.0, 1.0, step=0.05),
    "l2": Number("L2 strength", 0.0, 0.1, step=0.001),
    "epochs": Number("epochs", 1, 200, integer=True),
    "seed": Number("seed", 0, 10**6, integer=True, text=True),
}
DEFAULTS = {
    "dataset": "circle", "noise": 0.1, "hidden_layers": 2, "units": 16, "activation": "relu",
    "init": "he", "batchnorm": False, "optimizer": "sgd", "lr": 0.1, "drop_prob": 0.0,
    "l2": 0.0, "epochs": 40, "seed": 0,
}
N_POINTS, N_TRAIN = 240, 160   # 2-D sets: 160 training and 80 validation points
BATCH_SIZE = {"2d": 32, "digits": 64}  # mini-batch size: 5 steps per epoch on 2-D, 20 on digits
GRID = 48                      # the decision boundary is evaluated on a GRID x GRID mesh


def check_playground_settings(settings: dict | None = None, **overrides) -> dict:
    """The full settings dict: defaults, then ``settings``, then keyword overrides, all checked.

    Raises
    ------
    ValueError
        For an unknown setting name or a value outside its range (the message names both).
    """
    return check_settings(SPEC, DEFAULTS, settings, **overrides)


@functools.lru_cache(maxsize=16)
def _data(dataset: str, noise: float, seed: int):
    """Training and validation arrays (read-only, cached) for a data set."""
    if dataset == "digits":
        s = digits_splits(seed)
        parts = (s.X_train, s.y_train, s.X_val, s.y_val)
    else:
        X, y = make_2d(dataset, N_POINTS, noise=noise, seed=seed)
        parts = (X[:N_TRAIN], y[:N_TRAIN], X[N_TRAIN:], y[N_TRAIN:])
    for a in parts:
        a.flags.writeable = False
    return parts


@dataclass(repr=False)
class PlaygroundResult:
    """Everything one playground run produced.

    Attributes
    ----------
    settings : dict
    history : nncourse.History
    verdict : str
    model : Sequential
    X_train, y_train, X_val, y_val : ndarray, shapes (N, D) and (N,)
    grid_extent : tuple (x_min, x_max, y_min, y_max) or None
        Region of the decision-boundary grid (2-D data sets).
    grid_probs : ndarray, shape (GRID, GRID) or None
        P(class 1) on the grid, rows from y_min to y_max (NaN where the network output is not finite).
    confusion : ndarray, shape (10, 10) or None
        Validation counts, ``confusion[true, predicted]`` (digits).
    seconds : float
        Wall time of training and evaluation.
    """

    settings: dict
    history: object
    verdict: str
    model: object
    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    grid_extent: tuple | None = None
    grid_probs: np.ndarray | None = None
    confusion: np.ndarray | None = None
    seconds: float = field(default=0.0)

    def __repr__(self) -> str:
        return (f"PlaygroundResult({self.settings['dataset']}, {self.history.epochs} epochs, "
                f"verdict={self.verdict!r})")


def build_model(settings: dict):
    """The network and optimizer for checked ``settings``: ``(model, optimizer, n_classes)``."""
    digits = settings["dataset"] == "digits"
    n_in, n_out = (64, 10) if digits else (2, 2)
    sizes = [n_in] + [settings["units"]] * settings["hidden_layers"] + [n_out]
    model = nc.mlp(sizes, activation=settings["activation"], init=settings["init"],
                   batchnorm=settings["batchnorm"], drop_prob=settings["drop_prob"],
                   seed=settings["seed"])
    opt = nc.make_optimizer(settings["optimizer"], settings["lr"], weight_decay=settings["l2"])
    return model, opt, n_out


def run_playground(settings: dict | None = None, *, diagnostics: bool = True,
                   **overrides) -> PlaygroundResult:
    """Train the playground's network and evaluate it (no widgets involved).

    Parameters
    ----------
    settings : dict, optional
        Any of the playground settings (see ``SPEC``); missing ones take their defaults.
    diagnostics : bool
        Record per-layer statistics in ``history.diagnostics`` (the verdict reads the dead-ReLU
        fractions from them; the health panel shows them).
    **overrides
        Settings given by name, e.g. ``run_playground(lr=10)``.

    Returns
    -------
    PlaygroundResult
    """
    s = check_playground_settings(settings, **overrides)
    start = time.perf_counter()
    X_train, y_train, X_val, y_val = _data(s["dataset"], s["noise"], s["seed"])
    model, opt, n_classes = build_model(s)
    extent = probs = confusion = None
    # a diverging run is an expected outcome here, reported by the verdict, not a warning
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        history = nc.fit(model, X_train, y_train, optimizer=opt, epochs=s["epochs"],
                         batch_size=BATCH_SIZE["digits" if n_classes == 10 else "2d"], seed=s["seed"], val_data=(X_val, y_val),
                         progress=False, diagnostics=diagnostics, on_nan="stop")
        if n_classes == 2:
            lo = np.minimum(X_train.min(axis=0), X_val.min(axis=0)) - 0.25
            hi = np.maximum(X_train.max(axis=0), X_val.max(axis=0)) + 0.25
            gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], GRID), np.linspace(lo[1], hi[1], GRID))
            logits = nc.predict(model, np.column_stack([gx.ravel(), gy.ravel()]))
            probs = 1.0 / (1.0 + np.exp(np.clip(logits[:, 0] - logits[:, 1], -50, 50)))
            probs = probs.reshape(GRID, GRID)
            extent = (float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1]))
        else:
            pred = nc.predict(model, X_val).argmax(axis=1)
            confusion = np.bincount(y_val * 10 + pred, minlength=100).reshape(10, 10)
    text = verdict(history, s)
    return PlaygroundResult(s, history, text, model, X_train, y_train, X_val, y_val,
                            extent, probs, confusion, time.perf_counter() - start)


def _floats(values) -> np.ndarray:
    return np.asarray(values, dtype=float)


def verdict(history, settings: dict) -> str:
    """A one-line diagnosis of a training run, in words.

    Parameters
    ----------
    history : nncourse.History
        With ``train_loss``, ``train_acc``, ``val_loss`` and ``val_acc`` per epoch.
    settings : dict
        The playground settings the run used (missing ones take their defaults).

    Returns
    -------
    str
        Starts with one of "learns nothing", "diverged", "overfitting", "underfitting" or
        "good fit", followed by the evidence and, where it helps, what to try.

    Notes
    -----
    Checked in this order, with C classes:

    1. dropout 1.0 ("learns nothing");
    2. the NaN trap fired (``history.diverged``), the final loss is above twice that of a uniform
       guess (``2 ln C``), or the loss jumped above ``10 ln C`` and the network ended at chance
       level ("diverged"); the validation loss is judged where there is one, because heavy
       dropout makes the training loss high and noisy by design;
    2b. dropout of 0.8 or more with validation accuracy below 90% ("underfitting", because of dropout);
    3. training accuracy within 10 points of chance ("learns nothing", with the likely cause:
       zero initialisation, dead ReLUs from the diagnostics, or a tiny learning rate);
    4. the mean validation loss of the last 3 epochs is above 1.25 times its minimum plus 0.02,
       the minimum was at least 3 epochs before the end, and the training loss kept falling
       ("overfitting");
    5. training accuracy below 90% ("underfitting");
    6. otherwise "good fit".
    """
    s = check_playground_settings(settings)
    n_classes = 10 if s["dataset"] == "digits" else 2
    chance, guess, lr = 1.0 / n_classes, math.log(n_classes), s["lr"]
    too_high = f"the learning rate {lr:g} is too high, try {lr / 10:g}"
    if s["drop_prob"] >= 1.0:
        return ("learns nothing: dropout 1.0 drops every unit, so no signal from the input "
                "reaches the output; lower the dropout (0.1 to 0.5 is typical)")
    if history.diverged is not None:
        return f"diverged: loss became NaN at epoch {history.diverged['epoch'] + 1}; {too_high}"
    train = _floats(history["train_loss"])
    if train.size == 0:
        return "learns nothing: no epoch was trained"
    if not np.isfinite(train).all():
        first = int(np.argmin(np.isfinite(train)))
        return f"diverged: loss became NaN at epoch {first + 1}; {too_high}"
    train_acc = history["train_acc"][-1]
    dead = _dead_fraction(history)
    died = f" and {dead:.0%} of the ReLU units died" if dead > 0.5 else ""
    # judge divergence on the evaluation-mode (validation) loss where there is one: with heavy
    # dropout the training loss is measured on a thinned network and is high and noisy by design
    val = _floats(history.history.get("val_loss", []))
    judged = val if val.size == train.size and np.isfinite(val).all() else train
    peak = int(np.argmax(judged))
    if judged[-1] > 2 * guess or (judged[peak] > 10 * guess and train_acc < chance + 0.1):
        cure = too_high if lr > 1e-3 else "try batch norm, gradient clipping or another initialisation"
        return (f"diverged: {'validation' if judged is val else 'training'} loss jumped to "
                f"{judged[peak]:.3g} at epoch {peak + 1} (a uniform guess scores {guess:.2f}){died}; {cure}")
    val_acc = history.history.get("val_acc", [train_acc])[-1]
    if s["drop_prob"] >= 0.8 and val_acc < 0.9:
        return (f"underfitting: dropout {s['drop_prob']:g} drops {s['drop_prob']:.0%} of the units on every "
                f"step, so little signal gets through (validation accuracy {val_acc:.0%}); lower the "
                "dropout (0.1 to 0.5 is typical)")
    if train_acc < chance + 0.1:
        if s["init"] == "zeros":
            why = ("zero initialisation gives every hidden unit the same (zero) gradient; "
                   "use he or xavier")
        elif dead > 0.5:
            why = (f"{dead:.0%} of the ReLU units are dead (zero for every example); lower the "
                   "learning rate or try leaky_relu")
        elif lr <= 1e-3 and s["optimizer"] in ("sgd", "momentum", "nesterov"):
            why = f"the learning rate {lr:g} is too small to move the weights; try 0.1"
        else:
            why = "try another learning rate, initialisation or activation"
        return f"learns nothing: training accuracy {train_acc:.0%} is chance level; {why}"
    if val.size >= 6 and np.isfinite(val).all():
        best = int(np.argmin(val))
        recent = float(val[-3:].mean())
        if (recent > 1.25 * val[best] + 0.02 and val.size - 1 - best >= 3
                and train[-3:].mean() < train[best]):
            return (f"overfitting: validation loss rising since epoch {best + 1} "
                    f"({val[best]:.3f} -> {val[-1]:.3f}) while training loss keeps falling; "
                    "try L2, dropout, fewer epochs or more data")
    # with dropout the training accuracy is measured on a thinned network: judge on validation
    acc, which = (val_acc, "validation") if s["drop_prob"] > 0 else (train_acc, "training")
    if acc < 0.9:
        return (f"underfitting: {which} accuracy only {acc:.0%} after {len(train)} epochs; "
                "try more units or layers, more epochs or a larger learning rate")
    return (f"good fit: validation accuracy {history['val_acc'][-1]:.0%} "
            f"(training {train_acc:.0%})")


def _dead_fraction(history) -> float:
    """Fraction of ReLU units dead in the last epoch's diagnostics (0.0 without diagnostics)."""
    if not history.diagnostics:
        return 0.0
    fracs = [st["dead_frac"] for st in history.diagnostics[-1].values() if "dead_frac" in st]
    return float(np.mean(fracs)) if fracs else 0.0


def summary(settings: dict) -> str:
    """A one-line description of the settings, used as the figure's title."""
    s = settings
    data = "digits" if s["dataset"] == "digits" else f"{s['dataset']} (noise {s['noise']:g})"
    return (f"{data} | {s['hidden_layers']} x {s['units']} {s['activation']}"
            f"{' + batch norm' if s['batchnorm'] else ''}, {s['init']} init | {s['optimizer']} "
            f"lr {s['lr']:.2g}, dropout {s['drop_prob']:g}, L2 {s['l2']:g}, {s['epochs']} epochs")


_VERDICT_COLORS = {"good": "#1a7f37", "overfitting": "#b35900", "underfitting": "#b35900"}

_GROUPS = (("data and network", ("dataset", "noise", "hidden_layers", "units", "activation",
                                 "init", "batchnorm")),
           ("training", ("optimizer", "lr", "drop_prob", "l2", "epochs", "seed")))


class Playground(ControlledWidget):
    """The playground widget; see :func:`playground`.

    Attributes
    ----------
    settings : dict
        The current settings (pass them back with ``playground(**pg.settings)``).
    result : PlaygroundResult
        The latest run.
    controls : dict
        The control widget of every setting, by setting name.
    """

    SPEC, DEFAULTS = SPEC, DEFAULTS

    def __init__(self, settings: dict) -> None:
        self.result = None
        super().__init__(settings)

    def _controls_box(self):
        import ipywidgets as W

        return W.HBox([W.VBox([W.HTML(f"<b>{title}</b>")] + [self.controls[n] for n in names],
                              layout=W.Layout(margin="0 24px 0 0")) for title, names in _GROUPS])

    def update(self) -> None:
        """Retrain with the current settings and redraw the picture and the verdict."""
        from nncourse.plots import draw_playground

        self.controls["noise"].disabled = self.controls["dataset"].value == "digits"
        try:
            result = run_playground(self.settings)
        except (ValueError, TypeError, FloatingPointError) as exc:
            self.message.value = f"<b>could not train: {html.escape(str(exc))}</b>"
            return
        self.result = result
        self.figure = draw_playground(result, self.figure, verdict=False)
        self._show(self.figure)
        color = _VERDICT_COLORS.get(result.verdict.split(":")[0].split()[0], "#b31d28")
        self.message.value = (f"<span style='color:{color};font-size:110%'><b>"
                              f"{html.escape(result.verdict)}</b></span>")

    def static_png(self) -> bytes:
        """The picture for pages without a front end: the figure titled with settings and verdict."""
        from nncourse.plots import draw_playground, figure_png

        if self.result is None:
            return b""
        png = figure_png(draw_playground(self.result, self.figure, title=summary(self.settings)))
        self.figure = draw_playground(self.result, self.figure, verdict=False)  # back to the live look
        return png

    def __repr__(self) -> str:
        verdict_text = self.result.verdict if self.result else "not trained"
        return f"Playground({summary(self.settings)}; {verdict_text})"


def playground(settings: dict | None = None, **overrides) -> Playground:
    """The course's main interactive: train a small network and watch loss, boundary and verdict.

    Parameters
    ----------
    settings : dict, optional
        Settings to start from, e.g. ``pg.settings`` of an earlier playground.
    **overrides
        Any setting by name: ``dataset`` (circle, xor, gaussian, spiral, moons, digits),
        ``noise`` (0..0.5), ``hidden_layers`` (1..4), ``units`` (1..64), ``activation``
        (relu, leaky_relu, tanh, sigmoid), ``init`` (he, xavier, normal = std 0.01, zeros),
        ``batchnorm`` (bool), ``optimizer`` (sgd, momentum, nesterov, rmsprop, adam),
        ``lr`` (1e-4..10), ``drop_prob`` (0..1, probability of dropping a unit), ``l2`` (0..0.1),
        ``epochs`` (1..200), ``seed`` (0..1000000).

    Returns
    -------
    Playground
        An ipywidgets VBox; display it (put it last in a cell). Every change of a control retrains
        and redraws. Without a front end its output still holds the picture as a PNG image.

    Raises
    ------
    ValueError
        For an unknown setting or a value out of range.
    """
    return Playground(check_playground_settings(settings, **overrides))
