"""Responsiveness of the playground: time from a control change to the finished redraw.

Run: ``.venv/bin/python bench/widgets.py [--repeats N]``. Not a test (machines are noisy).

For the default 2-D set and for digits it builds a playground (no front end needed), then
changes the "learning rate" and "dropout" controls programmatically, as the browser would. Each
change runs the same observer the browser triggers: retrain, redraw, render the PNG. The peer
in the same run is one bare ``nncourse.fit`` call with the same model, data and optimizer, so
the ratio shows what the drawing and evaluation add on top of training.

Budgets (2-core machine): median under 150 ms for the 2-D default, under 400 ms for digits.
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("MPLBACKEND", "Agg")

import numpy as np  # noqa: E402

import nncourse as nc  # noqa: E402
from nncourse.widgets import playground  # noqa: E402
from nncourse.widgets.playground import BATCH_SIZE, _data, build_model  # noqa: E402

BUDGETS_MS = {"2-D default (circle)": 150.0, "digits": 400.0}
# values the controls are moved through, in turn (each one differs from the one before)
CHANGES = [("lr", 0.2), ("lr", 0.05), ("lr", 0.1), ("drop_prob", 0.1), ("drop_prob", 0.2),
           ("drop_prob", 0.0), ("lr", 0.3), ("lr", 0.1)]


def _percentile(values, q):
    return float(np.percentile(np.asarray(values), q))


def time_changes(pg, repeats: int) -> list[float]:
    """Seconds per control change (retrain + redraw + PNG), ``repeats`` changes in all."""
    times = []
    for i in range(repeats):
        name, value = CHANGES[i % len(CHANGES)]
        start = time.perf_counter()
        pg.controls[name].value = value        # the observer retrains and redraws synchronously
        times.append(time.perf_counter() - start)
        assert pg.result.settings[name] == value, "the redraw did not use the new value"
    return times


def time_bare_fit(settings: dict, repeats: int) -> list[float]:
    """Seconds per bare ``fit`` with the playground's model, data, optimizer and epochs."""
    X, y, Xv, yv = _data(settings["dataset"], settings["noise"], settings["seed"])
    batch = BATCH_SIZE["digits" if settings["dataset"] == "digits" else "2d"]
    times = []
    for _ in range(repeats):
        model, opt, _ = build_model(settings)
        start = time.perf_counter()
        nc.fit(model, X, y, optimizer=opt, epochs=settings["epochs"], batch_size=batch,
               seed=settings["seed"], val_data=(Xv, yv), progress=False, diagnostics=True,
               on_nan="stop")
        times.append(time.perf_counter() - start)
    return times


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=24, help="control changes per data set")
    args = parser.parse_args(argv)
    print(f"playground responsiveness, {args.repeats} control changes per data set "
          f"(numpy {np.__version__}, {os.cpu_count()} CPUs)")
    print(f"{'data set':24s} {'median':>9s} {'p90':>9s} {'budget':>9s} {'bare fit':>9s} "
          f"{'ratio':>7s}  verdict of the last view")
    ok = True
    for label, overrides in (("2-D default (circle)", {}), ("digits", {"dataset": "digits"})):
        pg = playground(**overrides)
        time_changes(pg, 2)                                      # warm-up
        changes = time_changes(pg, args.repeats)
        fits = time_bare_fit(pg.settings, max(args.repeats // 3, 5))
        median, p90 = statistics.median(changes) * 1e3, _percentile(changes, 90) * 1e3
        fit_ms = statistics.median(fits) * 1e3
        budget = BUDGETS_MS[label]
        ok &= median < budget
        print(f"{label:24s} {median:7.1f}ms {p90:7.1f}ms {budget:7.0f}ms {fit_ms:7.1f}ms "
              f"{median / fit_ms:6.2f}x  {pg.result.verdict[:40]}")
    print("ratio = median time per change / median bare fit (1.0 would be drawing for free)")
    print("all medians within budget" if ok else "SOME MEDIANS ARE OVER BUDGET")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
