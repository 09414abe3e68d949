"""What training records: :class:`History`, the :class:`EarlyStopping` rule and :class:`TrainingDiverged`."""
from __future__ import annotations

from dataclasses import dataclass, field

from nncourse._validate import check_choice, check_number, check_positive_int


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
