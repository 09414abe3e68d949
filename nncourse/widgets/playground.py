"""The playground: train a small network with the settings of your choice and read the verdict.

Plain functions (no front end needed): `run_playground(settings) -> PlaygroundResult`,
`verdict(history, settings) -> str` (in :mod:`nncourse.widgets.verdict`), and
`nncourse.widgets.figures.draw_playground(result)`.
The widget `playground(**settings)` puts controls around them.
"""
from __future__ import annotations

import functools
import time
from dataclasses import dataclass, field

import numpy as np

import nncourse as nc
from nncourse.datasets import DATASETS_2D, digits_splits, make_2d
from nncourse.widgets._common import Choice, ControlledWidget, Flag, Number, check_settings, message_html
from nncourse.widgets.verdict import Verdict, verdict  # noqa: F401 (part of the playground's API)

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
    "weight_decay": Number("L2 (weight decay)", 0.0, 0.1, step=0.001),
    "epochs": Number("epochs", 1, 200, integer=True),
    "seed": Number("seed", 0, 10**6, integer=True, text=True),
}
DEFAULTS = {
    "dataset": "circle", "noise": 0.1, "hidden_layers": 2, "units": 16, "activation": "relu",
    "init": "he", "batchnorm": False, "optimizer": "sgd", "lr": 0.1, "drop_prob": 0.0,
    "weight_decay": 0.0, "epochs": 40, "seed": 0,
}
RENAMED = {"l2": "weight_decay"}  # old setting names, accepted with a DeprecationWarning
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
    return check_settings(SPEC, DEFAULTS, settings, renamed=RENAMED, **overrides)


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
                f"verdict={str(self.verdict)!r})")


def build_model(settings: dict):
    """The network and optimizer for checked ``settings``: ``(model, optimizer, n_classes)``."""
    digits = settings["dataset"] == "digits"
    n_in, n_out = (64, 10) if digits else (2, 2)
    sizes = [n_in] + [settings["units"]] * settings["hidden_layers"] + [n_out]
    model = nc.mlp(sizes, activation=settings["activation"], init=settings["init"],
                   batchnorm=settings["batchnorm"], drop_prob=settings["drop_prob"],
                   seed=settings["seed"])
    opt = nc.make_optimizer(settings["optimizer"], settings["lr"], weight_decay=settings["weight_decay"])
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


def summary(settings: dict) -> str:
    """A one-line description of the settings, used as the figure's title."""
    s = settings
    data = "digits" if s["dataset"] == "digits" else f"{s['dataset']} (noise {s['noise']:g})"
    return (f"{data} | {s['hidden_layers']} x {s['units']} {s['activation']}"
            f"{' + batch norm' if s['batchnorm'] else ''}, {s['init']} init | {s['optimizer']} "
            f"lr {s['lr']:.3g}, dropout {s['drop_prob']:g}, weight decay {s['weight_decay']:g}, {s['epochs']} epochs")


_VERDICT_COLORS = {"good": "#1a7f37", "overfitting": "#b35900", "underfitting": "#b35900"}

_GROUPS = (("data and network", ("dataset", "noise", "hidden_layers", "units", "activation",
                                 "init", "batchnorm")),
           ("training", ("optimizer", "lr", "drop_prob", "weight_decay", "epochs", "seed")))


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
        self.controls["noise"].disabled = self.controls["dataset"].value == "digits"
        try:
            result = run_playground(self.settings)
        except (ValueError, TypeError, FloatingPointError) as exc:
            self.message.value = message_html(f"could not train: {exc}")
            return
        self.result = result
        color = _VERDICT_COLORS.get(result.verdict.split(":")[0].split()[0], "#b31d28")
        self._show(message_html(result.verdict, color))

    def _render(self, fig, words: bool):
        from nncourse.widgets.figures.playground import draw_playground

        # the static copy names the settings too: nothing is shown beside it
        return draw_playground(self.result, fig, title=summary(self.result.settings) if words else None,
                               verdict=words)

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
        ``lr`` (1e-4..10), ``drop_prob`` (0..1, probability of dropping a unit),
        ``weight_decay`` (0..0.1, the L2 strength; ``l2`` is its deprecated old name),
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
