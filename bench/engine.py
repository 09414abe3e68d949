"""Epoch time of the same 64-128-10 ReLU MLP on digits (batch 64, plain SGD), four ways, in one run.

- nncourse.fit (the course engine, diagnostics on as by default, and off), in float64 (the default)
  and in float32 (``mlp(..., dtype=np.float32)``);
- a hand-written, fused numpy loop: the practical floor for numpy (run, like fit, with one BLAS
  thread), in float64 and in float32, each the floor for nncourse in the same dtype;
- scikit-learn's MLPClassifier (partial_fit, one epoch per call), when installed;
- PyTorch on the CPU (float32, its default), when installed.

Prints the median epoch time of each and the ratios. Budget: nncourse within 1.3x of the hand-written
loop of the same dtype, and at least 2x faster than scikit-learn and PyTorch at this size.
Run: ``python bench/engine.py [--epochs N] [--rounds N] [--cpu-time]``. On a machine shared with
other work, ``--cpu-time`` measures the CPU time this process used instead of wall time, which the
other processes hardly disturb (it counts every thread, so it overstates a multi-threaded peer).
"""
from __future__ import annotations

import argparse
import statistics
import time
import warnings

import numpy as np

import nncourse as nc
from nncourse.datasets import digits_splits

BATCH, LR, HIDDEN = 64, 0.1, 128
CLOCK = time.perf_counter  # wall time; --cpu-time switches to this process's CPU time


def bench_nncourse(X, y, epochs, diagnostics, dtype=np.float64):
    model = nc.mlp([64, HIDDEN, 10], seed=0, dtype=dtype)
    stamps = [CLOCK()]
    nc.fit(model, X, y, optimizer=nc.SGD(lr=LR), epochs=epochs, batch_size=BATCH, seed=0, progress=False,
           diagnostics=diagnostics, callbacks=[lambda e, logs, m: stamps.append(CLOCK())])
    return np.diff(stamps)


def bench_hand(X, y, epochs, dtype=np.float64):
    # the same BLAS setting as nncourse.fit (one thread), so the floor is measured under equal terms
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        return _hand_loop(X.astype(dtype), y, epochs, dtype)


def _hand_loop(X, y, epochs, dtype):
    rng = np.random.default_rng(0)
    a1, a2 = np.sqrt(6 / 64), np.sqrt(6 / HIDDEN)
    W1, b1 = rng.uniform(-a1, a1, (64, HIDDEN)).astype(dtype), np.zeros(HIDDEN, dtype)
    W2, b2 = rng.uniform(-a2, a2, (HIDDEN, 10)).astype(dtype), np.zeros(10, dtype)
    n, times = len(X), []
    for _ in range(epochs):
        t0 = CLOCK()
        order = rng.permutation(n)
        for i in range(0, n, BATCH):
            idx = order[i:i + BATCH]
            xb, yb = X[idx], y[idx]
            h = xb @ W1
            h += b1
            np.maximum(h, 0, out=h)
            z = h @ W2
            z += b2
            z -= z.max(axis=1, keepdims=True)
            np.exp(z, out=z)
            z /= z.sum(axis=1, keepdims=True)
            z[np.arange(len(idx)), yb] -= 1
            z /= len(idx)
            dW2, db2 = h.T @ z, z.sum(axis=0)
            dh = z @ W2.T
            dh *= h > 0
            dW1, db1 = xb.T @ dh, dh.sum(axis=0)
            W1 -= LR * dW1
            b1 -= LR * db1
            W2 -= LR * dW2
            b2 -= LR * db2
        times.append(CLOCK() - t0)
    return np.array(times)


def bench_sklearn(X, y, epochs):
    try:
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.neural_network import MLPClassifier
    except ImportError:
        return None
    clf = MLPClassifier(hidden_layer_sizes=(HIDDEN,), solver="sgd", batch_size=BATCH, learning_rate_init=LR,
                        momentum=0.0, alpha=0.0, random_state=0, shuffle=True)
    times = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for _ in range(epochs):
            t0 = CLOCK()
            clf.partial_fit(X, y, classes=np.arange(10))
            times.append(CLOCK() - t0)
    return np.array(times)


def bench_torch(X, y, epochs):
    try:
        import torch
    except ImportError:
        return None
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(64, HIDDEN), torch.nn.ReLU(), torch.nn.Linear(HIDDEN, 10))
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    lossf = torch.nn.CrossEntropyLoss()
    Xt, yt = torch.tensor(X, dtype=torch.float32), torch.tensor(y, dtype=torch.long)
    times = []
    for _ in range(epochs):
        t0 = CLOCK()
        order = torch.randperm(len(Xt))
        for i in range(0, len(Xt), BATCH):
            idx = order[i:i + BATCH]
            opt.zero_grad()
            loss = lossf(model(Xt[idx]), yt[idx])
            loss.backward()
            opt.step()
        times.append(CLOCK() - t0)
    return np.array(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=30, help="epochs per contender (default 30)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument("--cpu-time", action="store_true",
                        help="time with this process's CPU time instead of wall time (for a busy machine)")
    args = parser.parse_args()
    global CLOCK
    if args.cpu_time:
        CLOCK = time.process_time
    d = digits_splits(seed=0)
    X, y = d.X_train, d.y_train
    f32 = np.float32
    contenders = {
        "hand-written numpy": lambda: bench_hand(X, y, args.epochs),
        "nncourse.fit": lambda: bench_nncourse(X, y, args.epochs, True),
        "nncourse.fit, no diagnostics": lambda: bench_nncourse(X, y, args.epochs, False),
        "hand-written numpy, float32": lambda: bench_hand(X, y, args.epochs, f32),
        "nncourse.fit, float32": lambda: bench_nncourse(X, y, args.epochs, True, f32),
        "nncourse.fit, float32, no diag.": lambda: bench_nncourse(X, y, args.epochs, False, f32),
        "scikit-learn MLPClassifier": lambda: bench_sklearn(X, y, args.epochs),
        "PyTorch (CPU, float32)": lambda: bench_torch(X, y, args.epochs),
    }
    times: dict[str, list[float]] = {k: [] for k in contenders}
    for _ in range(args.rounds):  # interleave so that machine noise hits every contender alike
        for name, run in contenders.items():
            t = run()
            if t is not None:
                times[name].extend(t[1:].tolist())  # the first epoch includes warm-up
    med = {k: statistics.median(v) for k, v in times.items() if v}
    floor, floor32 = med["hand-written numpy"], med["hand-written numpy, float32"]
    print(f"digits: {len(X)} training examples, 64-{HIDDEN}-10 ReLU MLP, batch {BATCH}, SGD lr={LR}, "
          f"{args.epochs} epochs x {args.rounds} rounds, {'CPU' if args.cpu_time else 'wall'} time")
    print(f"{'contender':32s} {'median epoch':>14s} {'vs hand-written float64':>24s}")
    for k, v in med.items():
        print(f"{k:32s} {v * 1e3:11.2f} ms {v / floor:23.2f}x")
    for k in contenders:
        if k not in med:
            print(f"{k:32s} {'not installed':>14s}")
    ours = med["nncourse.fit"]
    print(f"\nnncourse / hand-written, float64: {ours / floor:.2f}x (budget <= 1.3x)")
    ours32 = med["nncourse.fit, float32"]
    print(f"nncourse / hand-written, float32: {ours32 / floor32:.2f}x (budget <= 1.3x)")
    print(f"float32 speed-up: hand-written {floor / floor32:.2f}x, nncourse {ours / ours32:.2f}x")
    for peer in ("scikit-learn MLPClassifier", "PyTorch (CPU, float32)"):
        if peer in med:
            print(f"{peer} / nncourse: {med[peer] / ours:.2f}x (budget >= 2x)")


if __name__ == "__main__":
    main()
