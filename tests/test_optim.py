"""Optimizers' first steps and schedules' values, against numbers computed by hand."""
import math

import numpy as np
import pytest

import nncourse as nc
from nncourse import schedules


def one_weight(w=1.0, g=0.5, b_grad=0.0):
    layer = nc.Linear(1, 1, init=nc.init.constant(w))
    layer.grads["W"] = np.array([[g]])
    layer.grads["b"] = np.array([b_grad])
    return layer


def steps(opt, n, **kw):
    layer = one_weight(**kw)
    out = []
    for _ in range(n):
        opt.step(layer)
        out.append(float(layer.params["W"][0, 0]))
    return out, layer


@pytest.mark.parametrize("opt,expected", [
    (nc.SGD(lr=0.1), [0.95, 0.90]),
    (nc.SGD(lr=0.1, momentum=0.9), [0.95, 0.855]),               # v = -0.05, then -0.095
    (nc.SGD(lr=0.1, momentum=0.9, nesterov=True), [0.905, 0.7695]),  # w += 0.9 v - lr g
    (nc.RMSProp(lr=0.01, rho=0.9), [1 - 0.01 * 0.5 / math.sqrt(0.025),
                                    1 - 0.01 * 0.5 / math.sqrt(0.025) - 0.01 * 0.5 / math.sqrt(0.0475)]),
    (nc.Adam(lr=0.1), [0.9, 0.8]),  # bias correction makes the first steps exactly lr for a constant gradient
], ids=["sgd", "momentum", "nesterov", "rmsprop", "adam"])
def test_first_steps(opt, expected):
    got, _ = steps(opt, 2)
    np.testing.assert_allclose(got, expected, rtol=1e-7)


def test_adam_first_step_without_bias_correction_would_be_tiny():
    # with m = 0.05 and v = 0.00025 an uncorrected step is lr * 0.05 / 0.0158 = 0.316 lr; corrected it is lr
    got, _ = steps(nc.Adam(lr=0.1), 1, g=0.5)
    assert got[0] == pytest.approx(0.9)


def test_penalties_apply_to_weights_not_biases():
    got, layer = steps(nc.SGD(lr=0.1, weight_decay=0.5), 1, g=0.0, b_grad=0.0)
    assert got[0] == pytest.approx(0.95)
    layer.params["b"][...] = 2.0
    nc.SGD(lr=0.1, weight_decay=0.5).step(layer)
    assert layer.params["b"][0] == 2.0
    got, _ = steps(nc.SGD(lr=0.1, l1=0.2), 1, g=0.0)
    assert got[0] == pytest.approx(0.98)
    model = nc.Sequential(one_weight(w=2.0))
    assert nc.optim.penalty(model, weight_decay=0.5, l1=0.1) == pytest.approx(0.5 * 0.5 * 4 + 0.1 * 2)


def test_clip_grad_norm_keeps_direction():
    layer = nc.Linear(2, 1, init="zeros")
    layer.grads["W"] = np.array([[3.0], [4.0]])
    norm = nc.clip_grad_norm(nc.Sequential(layer), 1.0)
    assert norm == pytest.approx(5.0)
    np.testing.assert_allclose(layer.grads["W"], [[0.6], [0.8]])
    layer.grads["W"] = np.array([[0.3], [0.4]])
    nc.clip_grad_norm(nc.Sequential(layer), 1.0)
    np.testing.assert_allclose(layer.grads["W"], [[0.3], [0.4]])  # under the limit: untouched


def test_frozen_layers_are_skipped():
    layer = one_weight()
    layer.trainable = False
    nc.SGD(lr=0.1).step(nc.Sequential(layer))
    assert layer.params["W"][0, 0] == 1.0


def test_schedule_values():
    assert schedules.step_decay(1.0, drop=0.5, every=10)(25) == pytest.approx(0.25)
    assert schedules.step_decay(1.0, drop=0.5, every=10)(9) == pytest.approx(1.0)
    assert schedules.exponential(1.0, decay=0.1, steps=100)(50) == pytest.approx(math.sqrt(0.1))
    cos = schedules.cosine(1.0, total_steps=100, min_lr=0.0)
    assert [cos(0), cos(50), cos(100), cos(200)] == pytest.approx([1.0, 0.5, 0.0, 0.0])
    warm = schedules.warmup(0.1, warmup_steps=10)
    assert [warm(0), warm(4), warm(9), warm(10), warm(500)] == pytest.approx([0.01, 0.05, 0.1, 0.1, 0.1])
    warm_cos = schedules.warmup(schedules.cosine(1.0, 100), warmup_steps=10)
    assert [warm_cos(10), warm_cos(60)] == pytest.approx([1.0, 0.5])


def test_schedule_sets_lr_during_fit():
    X, y = np.random.default_rng(0).normal(size=(40, 3)), np.arange(40) % 2
    opt = nc.SGD(lr=1.0)
    hist = nc.fit(nc.mlp([3, 4, 2]), X, y, optimizer=opt, epochs=3, batch_size=10, progress=False,
                  schedule=schedules.step_decay(0.4, drop=0.5, every=4))
    # 4 steps per epoch; the lr in force for the last step of epoch e is used at step 4e+3
    assert hist["lr"] == pytest.approx([0.4, 0.2, 0.1])


def test_optimizer_bad_input():
    with pytest.raises(ValueError, match=r"lr > 0.0, got -1"):
        nc.SGD(lr=-1)
    with pytest.raises(ValueError, match=r"momentum < 1.0, got 1.5"):
        nc.SGD(lr=0.1, momentum=1.5)
    with pytest.raises(ValueError, match="nesterov=True needs momentum > 0"):
        nc.SGD(lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match=r"unknown optimizer 'adamw'; choose one of adam, momentum"):
        nc.make_optimizer("adamw", lr=0.1)
    with pytest.raises(TypeError):
        nc.Adam(lr=0.1, betas=(0.9, 0.99))  # unknown keyword arguments are rejected
    with pytest.raises(ValueError, match=r"drop <= 1.0, got 2"):
        schedules.step_decay(0.1, drop=2)
    assert repr(nc.SGD(lr=0.1, momentum=0.9, nesterov=True)) == "SGD(lr=0.1, momentum=0.9, nesterov=True)"


def test_pure_updates_match_hand_computed_values_and_leave_inputs_alone():
    from nncourse.updates import adam_step, rmsprop_step, sgd_step
    w, dw = np.array([1.0, -2.0]), np.array([0.5, 0.25])
    w0, dw0 = w.copy(), dw.copy()
    new_w, st = sgd_step(w, dw, None, lr=0.1)
    np.testing.assert_allclose(new_w, [0.95, -2.025])
    assert st == {}
    v = np.array([0.2, -0.1])
    new_w, st = sgd_step(w, dw, {"velocity": v}, lr=0.1, momentum=0.9)
    np.testing.assert_allclose(st["velocity"], [0.9 * 0.2 - 0.05, 0.9 * -0.1 - 0.025])
    np.testing.assert_allclose(new_w, w0 + st["velocity"])
    new_w, st = sgd_step(w, dw, {"velocity": v}, lr=0.1, momentum=0.9, nesterov=True)
    np.testing.assert_allclose(new_w, w0 + 0.9 * st["velocity"] - 0.1 * dw0)
    new_w, st = rmsprop_step(w, dw, None, lr=0.01, rho=0.9, eps=1e-3)
    np.testing.assert_allclose(st["square_avg"], 0.1 * dw0 ** 2)
    np.testing.assert_allclose(new_w, w0 - 0.01 * dw0 / (np.sqrt(0.1 * dw0 ** 2) + 1e-3))
    # Adam at step t=3 from given moments, the formula written out
    m, s = np.array([0.1, 0.0]), np.array([0.01, 0.02])
    new_w, st = adam_step(w, dw, {"m": m, "v": s}, lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8, t=3)
    m1, v1 = 0.9 * m + 0.1 * dw0, 0.999 * s + 0.001 * dw0 ** 2
    np.testing.assert_allclose(st["m"], m1) and np.testing.assert_allclose(st["v"], v1)
    np.testing.assert_allclose(new_w, w0 - 0.1 * (m1 / (1 - 0.9 ** 3)) / (np.sqrt(v1 / (1 - 0.999 ** 3)) + 1e-8))
    np.testing.assert_array_equal(w, w0), np.testing.assert_array_equal(dw, dw0)  # nothing changed in place
    np.testing.assert_array_equal(m, [0.1, 0.0]), np.testing.assert_array_equal(v, [0.2, -0.1])


@pytest.mark.parametrize("name,step,kw", [
    ("sgd", "sgd_step", dict(lr=0.05, momentum=0.9, nesterov=True)),
    ("rmsprop", "rmsprop_step", dict(lr=0.01, rho=0.8)),
    ("adam", "adam_step", dict(lr=0.02, beta1=0.8, beta2=0.99)),
])
def test_optimizer_classes_apply_the_pure_updates(name, step, kw):
    from nncourse import updates
    rng = np.random.default_rng(0)
    layer = nc.Linear(3, 2, seed=0)
    opt = {"sgd": nc.SGD, "rmsprop": nc.RMSProp, "adam": nc.Adam}[name](**kw)
    w, state = layer.params["W"].copy(), None
    for t in range(1, 4):
        layer.grads["W"], layer.grads["b"] = rng.normal(size=(3, 2)), rng.normal(size=2)
        extra = {"t": t} if name == "adam" else {}
        w, state = getattr(updates, step)(w, layer.grads["W"], state, **kw, **extra)
        opt.step(layer)
        np.testing.assert_allclose(layer.params["W"], w, rtol=1e-12)
        for k, arr in state.items():
            np.testing.assert_allclose(opt.state["W"][k], arr, rtol=1e-12)


def test_pure_updates_keep_float32_and_check_their_input():
    from nncourse.updates import adam_step, sgd_step
    w = np.ones((2, 2), dtype=np.float32)
    new_w, st = adam_step(w, np.full((2, 2), 0.5, dtype=np.float32), None, lr=0.1)
    assert new_w.dtype == np.float32 and st["m"].dtype == np.float32
    with pytest.raises(ValueError, match=r"expected dw of the same shape as w \(2, 2\), got \(2,\)"):
        sgd_step(w, np.ones(2), None, lr=0.1)
    with pytest.raises(ValueError, match=r"expected lr > 0.0, got -1"):
        sgd_step(w, w, None, lr=-1)
    with pytest.raises(ValueError, match=r"expected t to be an integer >= 1, got 0"):
        adam_step(w, w, None, t=0)
    with pytest.raises(ValueError, match=r"state\['m'\] of the same shape as w"):
        adam_step(w, w, {"m": np.zeros(3), "v": np.zeros((2, 2))})
    with pytest.raises(ValueError, match=r"unexpected state keys \['velocity'\]"):
        adam_step(w, w, {"velocity": np.zeros((2, 2))})
