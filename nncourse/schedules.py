"""Learning-rate schedules: plain functions ``lr(step)`` of the step (0-based), built by the helpers below.

Pass one to ``fit(..., schedule=...)``; it is called before every update and the optimizer's ``lr`` is set
to the value. ``step`` counts updates (mini-batches), not epochs.
"""
from __future__ import annotations

import math
from typing import Callable

from nncourse._validate import check_number, check_positive_int

Schedule = Callable[[int], float]


def _named(fn, text: str):
    fn.__name__ = text
    fn.__qualname__ = text
    return fn


def constant(lr: float) -> Schedule:
    """Always ``lr``."""
    lr = check_number(lr, "lr", 0.0, low_open=True)
    return _named(lambda step: lr, f"constant(lr={lr:g})")


def step_decay(lr: float, drop: float = 0.5, every: int = 100) -> Schedule:
    """``lr * drop ** (step // every)``: multiply by ``drop`` every ``every`` steps."""
    lr = check_number(lr, "lr", 0.0, low_open=True)
    drop = check_number(drop, "drop", 0.0, 1.0, low_open=True)
    every = check_positive_int(every, "every")
    return _named(lambda step: lr * drop ** (step // every), f"step_decay(lr={lr:g}, drop={drop:g}, every={every})")


def exponential(lr: float, decay: float = 0.1, steps: int = 1000) -> Schedule:
    """``lr * decay ** (step / steps)``: smooth decay by a factor ``decay`` every ``steps`` steps."""
    lr = check_number(lr, "lr", 0.0, low_open=True)
    decay = check_number(decay, "decay", 0.0, 1.0, low_open=True)
    steps = check_positive_int(steps, "steps")
    return _named(lambda step: lr * decay ** (step / steps), f"exponential(lr={lr:g}, decay={decay:g}, steps={steps})")


def cosine(lr: float, total_steps: int, min_lr: float = 0.0) -> Schedule:
    """Cosine annealing (Loshchilov & Hutter, 2017) from ``lr`` to ``min_lr`` over ``total_steps``, then ``min_lr``.

    ``min_lr + (lr - min_lr) * (1 + cos(pi * step / total_steps)) / 2``.
    """
    lr = check_number(lr, "lr", 0.0, low_open=True)
    total_steps = check_positive_int(total_steps, "total_steps")
    min_lr = check_number(min_lr, "min_lr", 0.0, lr)

    def f(step):
        t = min(step, total_steps) / total_steps
        return min_lr + (lr - min_lr) * 0.5 * (1.0 + math.cos(math.pi * t))

    return _named(f, f"cosine(lr={lr:g}, total_steps={total_steps}, min_lr={min_lr:g})")


def warmup(schedule: Schedule | float, warmup_steps: int) -> Schedule:
    """Linear warm-up: ``(step + 1) / warmup_steps`` times the target for the first ``warmup_steps`` steps.

    ``schedule`` is a schedule or a constant learning rate; after the warm-up it continues, shifted so
    that it starts at its own step 0.
    """
    base = schedule if callable(schedule) else constant(schedule)
    warmup_steps = check_positive_int(warmup_steps, "warmup_steps")

    def f(step):
        if step < warmup_steps:
            return base(0) * (step + 1) / warmup_steps
        return base(step - warmup_steps)

    return _named(f, f"warmup({getattr(base, '__name__', 'schedule')}, warmup_steps={warmup_steps})")
