"""The playground's verdict: a one-line diagnosis of a training run, read from its history.

Every verdict is backed by what the run recorded (losses, accuracies, the per-layer diagnostics);
the settings only help to name the likely cause.
"""
from __future__ import annotations

import math
import textwrap

import numpy as np


class Verdict(str):
    """A verdict: a plain ``str`` that shows as wrapped text (no quotes) in a notebook."""

    def __repr__(self) -> str:
        return "\n".join(textwrap.wrap(str(self), 100, break_long_words=False, break_on_hyphens=False))

    def _repr_html_(self) -> str:
        import html

        return f"<p><b>{html.escape(str(self))}</b></p>"


def _floats(values) -> np.ndarray:
    return np.asarray(values, dtype=float)


def _first_above(values: np.ndarray, level: float) -> int | None:
    above = np.flatnonzero(~(values <= level))  # NaN and inf count as above
    return int(above[0]) if above.size else None


def _dead_fraction(history) -> float:
    """Fraction of ReLU units dead in the last epoch's diagnostics (0.0 without diagnostics)."""
    if not history.diagnostics:
        return 0.0
    fracs = [st["dead_frac"] for st in history.diagnostics[-1].values() if "dead_frac" in st]
    return float(np.mean(fracs)) if fracs else 0.0


def _dropout_cause(p: float) -> str:
    if p >= 1.0:
        return "dropout 1.0 drops every unit, so no signal from the input reaches the output"
    return f"dropout {p:g} drops {p:.0%} of the units on every step, so little signal gets through"


def verdict(history, settings: dict) -> Verdict:
    """A one-line diagnosis of a training run, in words.

    Parameters
    ----------
    history : nncourse.History
        With ``train_loss``, ``train_acc``, ``val_loss`` and ``val_acc`` per epoch.
    settings : dict
        The playground settings the run used (missing ones take their defaults).

    Returns
    -------
    Verdict
        A ``str`` starting with one of "diverged", "learns nothing", "underfitting", "overfitting"
        or "good fit", followed by the evidence and, where it helps, what to try.

    Notes
    -----
    Checked in this order, with C classes and a uniform guess scoring :math:`\\ln C`:

    1. the NaN trap fired, the final validation loss is above :math:`2 \\ln C`, or a loss curve
       rose above :math:`10 \\ln C` and the network ended at chance level ("diverged", naming the
       first epoch at which a curve rose above :math:`2 \\ln C`); the training curve is left out
       with dropout of 0.5 or more, which makes it high and noisy by design;
    2. the validation accuracy of the last 5 epochs stayed within 15 points of chance on average
       and the validation loss never fell below :math:`0.9 \\ln C` ("learns nothing", with the
       likely cause: dropout, zero initialisation, dead ReLUs or a tiny learning rate); a network
       with untrained hidden layers can score a little above chance by luck, never much;
    3. dropout of 0.8 or more with validation accuracy below 90% ("underfitting", because of dropout);
    4. training accuracy within 10 points of chance ("learns nothing");
    5. the mean validation loss of the last 3 epochs is above 1.25 times its minimum plus 0.02,
       the minimum was at least 3 epochs before the end, and the training loss kept falling
       ("overfitting");
    6. accuracy below 90% ("underfitting"); otherwise "good fit".
    """
    from nncourse.widgets.playground import check_playground_settings

    s = check_playground_settings(settings)
    return Verdict(_verdict(history, s))


def _verdict(history, s: dict) -> str:
    n_classes = 10 if s["dataset"] == "digits" else 2
    chance, guess, lr, p = 1.0 / n_classes, math.log(n_classes), s["lr"], s["drop_prob"]
    too_high = f"the learning rate {lr:.3g} is too high, try {lr / 10:.2g}"
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
    val = _floats(history.history.get("val_loss", []))
    has_val = val.size == train.size and np.isfinite(val).all()
    judged = val if has_val else train
    # the curves a reader sees blow up: the validation loss, and the training loss unless heavy
    # dropout makes it high by design
    curves = [("validation", val)] if has_val else []
    if p < 0.5 or not has_val:
        curves.append(("training", train))
    peak = max(float(c.max()) for _, c in curves)
    if judged[-1] > 2 * guess or (peak > 10 * guess and train_acc < chance + 0.1):
        cure = too_high if lr > 1e-3 else "try batch norm, gradient clipping or another initialisation"
        # name the first epoch at which a curve left the range of a sane loss
        which, epoch = min(((name, _first_above(c, 2 * guess)) for name, c in curves
                            if _first_above(c, 2 * guess) is not None), key=lambda t: t[1])
        curve = dict(curves)[which]
        return (f"diverged: the {which} loss jumped to {curve[epoch]:.3g} at epoch {epoch + 1} "
                f"(a uniform guess scores {guess:.2f}) and reached {float(curve.max()):.3g}{died}; {cure}")
    val_accs = _floats(history.history.get("val_acc", []))
    val_acc = float(val_accs[-1]) if val_accs.size else train_acc
    recent_acc = float(val_accs[-5:].mean()) if val_accs.size else train_acc
    if has_val and val_accs.size and recent_acc < chance + 0.15 and val.min() > 0.9 * guess:
        evidence = (f"validation accuracy stayed near chance ({recent_acc:.0%} over the last epochs, "
                    f"chance is {chance:.0%}) and the validation loss never fell below {val.min():.2f} "
                    f"(a uniform guess scores {guess:.2f})")
        return f"learns nothing: {_cause(s, dead, p)}: {evidence}{_cure(s, dead, p)}"
    if p >= 0.8 and val_acc < 0.9:
        return (f"underfitting: {_dropout_cause(p)} (validation accuracy {val_acc:.0%}); lower the "
                "dropout (0.1 to 0.5 is typical)")
    if train_acc < chance + 0.1:
        return f"learns nothing: training accuracy {train_acc:.0%} is chance level; {_why_not(s, dead)}"
    if has_val and val.size >= 6:
        best = int(np.argmin(val))
        recent = float(val[-3:].mean())
        if (recent > 1.25 * val[best] + 0.02 and val.size - 1 - best >= 3
                and train[-3:].mean() < train[best]):
            return (f"overfitting: validation loss rising since epoch {best + 1} "
                    f"({val[best]:.3f} -> {val[-1]:.3f}) while training loss keeps falling; "
                    "try L2 (weight decay), dropout, fewer epochs or more data")
    # with dropout the training accuracy is measured on a thinned network: judge on validation
    acc, which = (val_acc, "validation") if p > 0 else (train_acc, "training")
    if acc < 0.9:
        return (f"underfitting: {which} accuracy only {acc:.0%} after {len(train)} epochs; "
                "try more units or layers, more epochs or a larger learning rate")
    return f"good fit: validation accuracy {val_acc:.0%} (training {train_acc:.0%})"


def _cause(s: dict, dead: float, p: float) -> str:
    """The likely reason a run learnt nothing, from the settings and the diagnostics."""
    if p >= 0.8:
        return _dropout_cause(p)
    if s["init"] == "zeros":
        return "zero initialisation gives every hidden unit the same (zero) gradient"
    if dead > 0.5:
        return f"{dead:.0%} of the ReLU units are dead (zero for every example)"
    if s["lr"] <= 1e-3 and s["optimizer"] in ("sgd", "momentum", "nesterov"):
        return f"the learning rate {s['lr']:g} is too small to move the weights"
    return "the network did not learn"


def _cure(s: dict, dead: float, p: float) -> str:
    if p >= 0.8:
        return "; lower the dropout (0.1 to 0.5 is typical)"
    if s["init"] == "zeros":
        return "; use he or xavier"
    if dead > 0.5:
        return "; lower the learning rate or try leaky_relu"
    if s["lr"] <= 1e-3 and s["optimizer"] in ("sgd", "momentum", "nesterov"):
        return "; try 0.1"
    return "; try another learning rate, initialisation or activation"


def _why_not(s: dict, dead: float) -> str:
    """Cause and cure in one clause, for the training-accuracy rule."""
    if s["init"] == "zeros":
        return "zero initialisation gives every hidden unit the same (zero) gradient; use he or xavier"
    if dead > 0.5:
        return (f"{dead:.0%} of the ReLU units are dead (zero for every example); lower the "
                "learning rate or try leaky_relu")
    if s["lr"] <= 1e-3 and s["optimizer"] in ("sgd", "momentum", "nesterov"):
        return f"the learning rate {s['lr']:g} is too small to move the weights; try 0.1"
    return "try another learning rate, initialisation or activation"
