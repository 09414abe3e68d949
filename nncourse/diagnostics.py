"""Per-layer training diagnostics: what makes vanishing/exploding gradients and dead units visible.

:func:`layer_stats` reads a model right after a backward pass and an optimizer step. For every leaf layer
it reports (where it applies):

- ``grad_norm``: L2 norm of the layer's parameter gradients (layers with parameters);
- ``update_ratio``: ``||update|| / ||W||`` for the step just taken (a common rule of thumb puts a healthy
  value near 1e-3; much larger means the learning rate is too high, much smaller that learning stalls);
- ``act_mean``, ``act_std``: mean and standard deviation of the layer's output on the batch;
- ``dead_frac`` (ReLU family): fraction of units that output 0 (or less) for EVERY example in the batch;
- ``saturated_frac`` (sigmoid/tanh): fraction of outputs in the flat tails (sigmoid < 0.02 or > 0.98,
  |tanh| > 0.96), where the local gradient is below about 0.08 of its maximum.

Every layer says which unit statistics apply to it (:meth:`nncourse.layers.Layer.unit_health`) and
lists its leaf layers (:meth:`~nncourse.layers.Layer.named_layers`), so nothing here checks types.
"""
from __future__ import annotations

import math

import numpy as np


def snapshot_weights(model) -> dict[str, np.ndarray]:
    """Copies of the trainable weight matrices (``W``), to measure the next update against."""
    return {f"{name}.W": layer.params["W"].copy() for name, layer in model.named_layers()
            if layer.trainable and "W" in layer.params}


def layer_stats(model, before: dict[str, np.ndarray] | None = None) -> dict[str, dict[str, float]]:
    """Diagnostics of every leaf layer of ``model`` after a forward, a backward and (optionally) a step.

    Parameters
    ----------
    model : Sequential that has just run ``forward``/``backward``.
    before : weights from :func:`snapshot_weights` taken before the step, for ``update_ratio``.

    Returns
    -------
    dict mapping the layer name (``"0:Linear"``) to a dict of floats.
    """
    stats: dict[str, dict[str, float]] = {}
    for name, layer in model.named_layers():
        s: dict[str, float] = {}
        out = layer.last_output
        if out is not None and out.size:
            mean = float(out.sum()) / out.size
            centred = (out - mean).ravel()
            s["act_mean"] = mean
            s["act_std"] = math.sqrt(float(np.dot(centred, centred)) / centred.size)
            s.update(layer.unit_health(out))  # dead or saturated units, where the layer has such
        if layer.params:
            s["grad_norm"] = math.sqrt(sum(_sq(g) for g in layer.grads.values()))
            if before is not None and f"{name}.W" in before:
                W, W0 = layer.params["W"], before[f"{name}.W"]
                s["update_ratio"] = math.sqrt(_sq(W - W0)) / (math.sqrt(_sq(W0)) + 1e-12)
        stats[name] = s
    return stats


def _sq(a: np.ndarray) -> float:
    """The squared L2 norm of ``a`` (any shape), as a Python float."""
    flat = a.ravel()
    return float(np.dot(flat, flat))


def first_bad_layer(model) -> str | None:
    """Name of the first layer (in forward order) whose output, parameters or gradients hold NaN/inf."""
    for name, layer in model.named_layers():
        arrays = [layer.last_output, *layer.params.values()]
        if any(a is not None and not np.all(np.isfinite(a)) for a in arrays):
            return name
    for name, layer in reversed(list(model.named_layers())):
        if any(not np.all(np.isfinite(g)) for g in layer.grads.values()):
            return name
    return None


def largest_output_layer(model) -> tuple[str | None, float]:
    """``(name, max |output|)`` of the layer with the largest output magnitude (where values blow up)."""
    best, name = -1.0, None
    for n, layer in model.named_layers():
        out = layer.last_output
        if out is not None and out.size:
            m = float(np.max(np.abs(out)))
            if m > best:
                best, name = m, n
    return name, best
