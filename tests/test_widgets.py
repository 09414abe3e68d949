"""Unit tests of the widgets' plain functions and of the widgets without a front end."""
from __future__ import annotations

import base64
import io
import math

import numpy as np
import pytest

import nncourse as nc
from nncourse.widgets.figures import (draw_backprop, draw_gradient_flow, draw_health,
                                      draw_playground, draw_scaling, figure_png)
from nncourse.widgets import (backprop_stepper, backprop_steps, gradient_flow,
                              gradient_flow_explorer, health_panel, health_report, playground,
                              run_playground, run_scaling, scaling_explorer, verdict)
from nncourse.widgets.playground import DEFAULTS

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _history(train_loss, val_loss, train_acc=None, val_acc=None, diverged=None):
    n = len(train_loss)
    hist = {"train_loss": list(train_loss), "val_loss": list(val_loss),
            "train_acc": list(train_acc or [0.99] * n), "val_acc": list(val_acc or [0.97] * n)}
    return nc.History(history=hist, diverged=diverged)


# --- verdicts ---------------------------------------------------------------------------------

def test_verdict_for_a_diverging_learning_rate():
    result = run_playground(lr=10.0)
    assert result.verdict.startswith("diverged"), result.verdict
    assert "learning rate 10" in result.verdict
    # the epoch named is the first at which a plotted loss curve rose above twice a uniform guess
    epoch = int(result.verdict.split(" at epoch ")[1].split()[0])
    curves = np.array([result.history["train_loss"], result.history["val_loss"]])
    first = int(np.flatnonzero((curves > 2 * math.log(2)).any(axis=0))[0]) + 1
    assert epoch == first == 1, (epoch, first, result.verdict)


def test_verdict_for_dropout_one():
    result = run_playground(drop_prob=1.0, epochs=5)
    assert result.verdict.startswith("learns nothing: dropout 1.0 drops every unit"), result.verdict
    # the verdict quotes what the run measured: accuracy at chance, loss never below a uniform guess
    recent = np.mean(result.history["val_acc"][-5:])
    assert recent < 0.65 and f"stayed near chance ({recent:.0%}" in result.verdict
    assert min(result.history["val_loss"]) > 0.9 * math.log(2)
    # the same network without dropout does learn: the verdict is about the run, not the slider
    assert np.mean(run_playground(drop_prob=0.0, epochs=5).history["val_acc"][-5:]) > recent + 0.2


def test_dropout_verdict_follows_the_history_not_the_slider():
    settings = {**DEFAULTS, "drop_prob": 1.0}
    # a history that learnt (as a dropout of 1.0 never could) is not called "learns nothing"
    learnt = verdict(_history([0.6, 0.3, 0.2], [0.6, 0.3, 0.2], val_acc=[0.8, 0.9, 0.96]), settings)
    assert not learnt.startswith("learns nothing"), learnt
    # a history at chance level is, and the measured values are named
    flat = verdict(_history([0.7] * 4, [0.75, 0.76, 0.75, 0.76], train_acc=[0.5] * 4,
                            val_acc=[0.5, 0.47, 0.5, 0.52]), settings)
    assert flat.startswith("learns nothing: dropout 1.0"), flat
    assert "stayed near chance (50%" in flat and "never fell below 0.75" in flat
    # the same flat history with dropout 0 is still "learns nothing", with another cause
    plain = verdict(_history([0.7] * 4, [0.75] * 4, train_acc=[0.5] * 4, val_acc=[0.5] * 4),
                    {**DEFAULTS, "init": "zeros"})
    assert plain.startswith("learns nothing: zero initialisation"), plain


def test_heavy_dropout_is_not_mistaken_for_divergence():
    # with dropout 0.95 the training loss (measured on a thinned network) is high and noisy; the
    # verdict must blame the dropout, not a learning rate of 1e-4
    result = run_playground(lr=1e-4, drop_prob=0.95)
    assert max(result.history["train_loss"]) > 2 * math.log(2)  # the trap the verdict must avoid
    assert result.verdict.startswith(("learns nothing: dropout 0.95", "underfitting: dropout 0.95")), \
        result.verdict
    assert "too high" not in result.verdict
    moderate = run_playground(drop_prob=0.5)
    assert moderate.verdict.startswith("good fit"), moderate.verdict


def test_verdict_shows_as_plain_text_wrapped_between_words():
    text = run_playground(lr=10).verdict
    shown = repr(text)
    assert not shown.startswith(("'", '"')) and "\n" in shown
    assert shown.replace("\n", " ") == str(text)   # every break replaced a space: no word was cut
    assert all(len(line) <= 100 for line in shown.splitlines())
    assert text._repr_html_().startswith("<p>") and isinstance(text, str)


def test_verdict_for_an_overfitting_run():
    result = run_playground(dataset="xor", noise=0.5, hidden_layers=3, units=64,
                            optimizer="adam", lr=0.01, epochs=60)
    assert result.verdict.startswith("overfitting: validation loss rising since epoch"), \
        result.verdict
    val = np.array(result.history["val_loss"])
    epoch = int(result.verdict.split("since epoch ")[1].split()[0])
    assert val[epoch - 1] == val.min()   # the epoch named is the minimum of the curve


def test_verdict_from_hand_made_histories():
    settings = dict(DEFAULTS)
    # validation loss bottoms out at epoch 5 (1-based) and climbs while training loss falls
    train = [0.7, 0.5, 0.4, 0.3, 0.25, 0.2, 0.15, 0.1, 0.07, 0.05]
    val = [0.7, 0.55, 0.45, 0.40, 0.38, 0.42, 0.48, 0.55, 0.6, 0.7]
    assert verdict(_history(train, val), settings).startswith(
        "overfitting: validation loss rising since epoch 5")
    nan = {"epoch": 2, "step": 11, "layer": "0:Linear", "message": "..."}
    assert verdict(_history([0.7, 5.0], [0.7, 9.0], diverged=nan), settings) == (
        "diverged: loss became NaN at epoch 3; the learning rate 0.1 is too high, try 0.01")
    good = verdict(_history([0.6, 0.3, 0.2], [0.6, 0.3, 0.2], val_acc=[0.8, 0.9, 0.96]), settings)
    assert good == "good fit: validation accuracy 96% (training 99%)"
    low = verdict(_history([0.69] * 3, [0.69] * 3, train_acc=[0.5] * 3), {**settings, "lr": 1e-4})
    assert low.startswith("learns nothing: training accuracy 50% is chance level")
    under = verdict(_history([0.6, 0.5, 0.45], [0.6, 0.5, 0.45], train_acc=[0.7, 0.75, 0.8]),
                    settings)
    assert under.startswith("underfitting: training accuracy only 80% after 3 epochs")


def test_default_run_is_a_good_fit():
    result = run_playground()
    assert result.verdict.startswith("good fit"), result.verdict
    assert result.grid_probs.shape == (48, 48) and result.confusion is None
    # the boundary agrees with the validation labels where the network is confident
    assert np.isfinite(result.grid_probs).all()


def test_digits_run_gives_a_confusion_matrix():
    result = run_playground(dataset="digits", epochs=3)
    cm = result.confusion
    assert cm.shape == (10, 10) and cm.sum() == len(result.y_val)
    assert np.trace(cm) / cm.sum() == pytest.approx(result.history["val_acc"][-1])


# --- settings ---------------------------------------------------------------------------------

def test_settings_round_trip():
    pg = playground(dataset="moons", lr=0.03, drop_prob=0.2, epochs=5, units=8)
    s = pg.settings
    assert s["dataset"] == "moons" and s["lr"] == 0.03 and s["drop_prob"] == 0.2
    assert set(s) == set(DEFAULTS)
    assert playground(**s).settings == s
    assert playground(settings=s).settings == s
    assert playground(settings=s, units=4).settings == {**s, "units": 4}
    pg.controls["units"].value = 12
    assert pg.settings["units"] == 12 and pg.result.settings["units"] == 12


@pytest.mark.parametrize("kwargs, words", [
    ({"lrr": 0.1}, ["'lrr'", "lr", "drop_prob", "epochs"]),
    ({"lr": 20.0}, ["lr", "0.0001", "10", "20.0"]),
    ({"lr": 0.0}, ["lr", "0.0001", "0.0"]),
    ({"drop_prob": 1.5}, ["drop_prob", "between 0 and 1", "1.5"]),
    ({"epochs": 2.5}, ["epochs", "an integer", "2.5"]),
    ({"epochs": True}, ["epochs", "True"]),
    ({"dataset": "mnist"}, ["'mnist'", "circle", "digits"]),
    ({"batchnorm": "yes"}, ["batchnorm", "True or False", "'yes'"]),
    ({"optimizer": "adamw"}, ["'adamw'", "sgd", "adam"]),
])
def test_bad_settings_are_rejected_with_a_clear_message(kwargs, words):
    with pytest.raises(ValueError) as err:
        playground(**kwargs)
    for word in words:
        assert word in str(err.value), (word, str(err.value))
    with pytest.raises(ValueError):
        run_playground(**kwargs)


def test_settings_must_be_a_dict():
    with pytest.raises(TypeError, match="expected settings to be a dict"):
        playground(settings=[("lr", 0.1)])


# --- the widgets without a front end ----------------------------------------------------------

def _display_bundle(widget) -> dict:
    from IPython.core.formatters import DisplayFormatter

    data, _ = DisplayFormatter().format(widget)
    return data


@pytest.mark.parametrize("make", [
    lambda: playground(epochs=3),
    lambda: gradient_flow_explorer(hidden_layers=3, steps=0),
    lambda: scaling_explorer(steps=10),
    lambda: backprop_stepper(),
    lambda: health_panel(run_playground(epochs=2).history),
], ids=["playground", "gradient_flow", "scaling", "backprop", "health"])
def test_static_picture_without_front_end(make):
    data = _display_bundle(make())
    assert "application/vnd.jupyter.widget-view+json" in data
    png = base64.b64decode(data["image/png"])
    assert png.startswith(PNG_SIGNATURE) and len(png) > 5000


def test_playground_redraws_on_a_control_change():
    pg = playground(epochs=10)
    before_png, before_verdict = bytes(pg.image.value), pg.message.value
    assert "good fit" in before_verdict
    pg.controls["lr"].value = 10.0
    assert "diverged" in pg.message.value and pg.message.value != before_verdict
    assert bytes(pg.image.value) != before_png
    pg.controls["lr"].value = 0.1
    pg.controls["drop_prob"].value = 1.0
    assert "learns nothing: dropout 1.0" in pg.message.value
    assert pg.figure._suptitle.get_text() == ""   # the verdict is printed once, beside the picture


def _decode(png: bytes) -> np.ndarray:
    import PIL.Image

    return np.asarray(PIL.Image.open(io.BytesIO(png)).convert("RGB"), dtype=int)


def test_reused_figure_matches_a_fresh_drawing():
    first, second = run_playground(epochs=8), run_playground(epochs=8, lr=0.5, units=4)
    fig = draw_playground(first, verdict=False)
    figure_png(fig)
    reused = _decode(figure_png(draw_playground(second, fig, verdict=False)))
    fresh = _decode(figure_png(draw_playground(second, verdict=False)))
    assert reused.shape == fresh.shape
    differing = np.mean(np.abs(reused - fresh).max(axis=2) > 40)
    assert differing < 0.01, differing   # only anti-aliased edges may differ


def test_every_plot_axis_is_labelled():
    result = run_playground(epochs=3, diagnostics=True)
    figures = [draw_playground(result), draw_playground(run_playground(dataset="digits", epochs=1)),
               draw_health(result.history.diagnostics),
               draw_gradient_flow(gradient_flow(hidden_layers=3, steps=2)),
               draw_scaling(run_scaling(steps=10))]
    for fig in figures:
        assert fig._suptitle is not None and fig._suptitle.get_text()
        for ax in fig.axes:
            if ax.get_label() == "<colorbar>":
                assert ax.get_ylabel(), ax   # a colour key says what its colours mean
                continue
            assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel(), ax


def test_decision_boundary_has_a_colour_key_and_a_legend():
    fig = draw_playground(run_playground(epochs=2))
    bars = [ax for ax in fig.axes if ax.get_label() == "<colorbar>"]
    assert len(bars) == 1 and "P(class 1)" in bars[0].get_ylabel()
    boundary = [ax for ax in fig.axes if ax.get_title() == "decision boundary"][0]
    labels = [t.get_text() for t in boundary.get_legend().get_texts()]
    assert labels == ["class 0", "class 1", "training", "validation"]


@pytest.mark.parametrize("make, text, static_text", [
    (lambda: playground(epochs=3), lambda w: w.result.verdict, None),
    (lambda: gradient_flow_explorer(hidden_layers=3, steps=0), lambda w: w.flow.verdict, None),
    (lambda: scaling_explorer(steps=10), lambda w: w.result.verdict, None),
    (lambda: health_panel(run_playground(epochs=2).history), lambda w: w.report[0], None),
    # the stepper's static copy shows the finished graph, so the last step's words
    (lambda: backprop_stepper(), lambda w: w.steps[w.index].note, lambda w: w.steps[-1].note),
], ids=["playground", "gradient_flow", "scaling", "health", "backprop"])
def test_words_are_shown_once(make, text, static_text):
    import html

    widget = make()
    words = text(widget)
    assert html.escape(words) in widget.message.value
    live = " ".join(t.get_text() for t in widget.figure.texts + [widget.figure._suptitle] if t)
    assert words[:30] not in live.replace("\n", " ")       # not again in the live picture
    static = widget._render(None, words=True)              # the static copy carries them instead
    drawn = " ".join(t.get_text() for t in static.texts + [static._suptitle] if t)
    assert (static_text or text)(widget)[:30] in drawn.replace("\n", " ")


def test_sliders_of_real_numbers_share_one_readout_format():
    from nncourse.widgets._common import FLOAT_READOUT
    formats = set()
    for widget in (playground(epochs=1), gradient_flow_explorer(hidden_layers=2, steps=0),
                   scaling_explorer(steps=10)):
        for control in widget.controls.values():
            if hasattr(control, "readout_format") and not isinstance(control.value, (int, bool)):
                formats.add(control.readout_format)
    # d3-format: a precision with no type trims trailing zeros (0.1, not 0.100)
    assert formats == {FLOAT_READOUT} and FLOAT_READOUT == ".3"


def test_one_vocabulary_with_deprecated_old_names():
    from nncourse.widgets.playground import SPEC
    assert "weight_decay" in SPEC and "l2" not in SPEC
    with pytest.warns(DeprecationWarning, match="'l2' is now called 'weight_decay'"):
        s = nc_settings(l2=0.01)
    assert s["weight_decay"] == 0.01
    with pytest.warns(DeprecationWarning, match="'depth' is now called 'hidden_layers'"):
        old = gradient_flow(depth=3, steps=0)
    new = gradient_flow(hidden_layers=3, steps=0)
    assert old.settings == new.settings and len(new.layers) == 4
    np.testing.assert_array_equal(old.grad_norm_init, new.grad_norm_init)
    with pytest.warns(DeprecationWarning), pytest.raises(ValueError, match="both 'depth' and"):
        gradient_flow(depth=3, hidden_layers=4)
    with pytest.raises(TypeError, match="unexpected keyword argument 'deepness'"):
        gradient_flow(deepness=3)


def nc_settings(**kw):
    from nncourse.widgets import check_playground_settings
    return check_playground_settings(**kw)


# --- health -----------------------------------------------------------------------------------

def test_health_report_spots_vanishing_gradients_and_dead_units():
    from nncourse.datasets import make_2d

    X, y = make_2d("circle", 64, seed=0)
    deep = nc.mlp([2] + [16] * 8 + [2], activation="sigmoid", seed=0)
    hist = nc.fit(deep, X, y, epochs=2, progress=False)
    report = health_report(hist.diagnostics)
    assert report[0].startswith("vanishing gradients: the first layer (0:Linear)")
    dead = {"0:Linear": {"grad_norm": 1.0, "update_ratio": 1e-3},
            "1:ReLU": {"dead_frac": 0.75, "act_mean": 0.0, "act_std": 0.0},
            "2:Linear": {"grad_norm": 1.0, "update_ratio": 1e-3}}
    assert health_report([dead]) == ["dying ReLUs: 75% of the units of 1:ReLU output 0 for "
                                      "every example"]
    healthy = {k: v for k, v in dead.items() if k != "1:ReLU"}
    assert health_report([healthy])[0].startswith("healthy")


def test_health_panel_inputs():
    model = nc.mlp([2, 4, 2], seed=0)
    with pytest.raises(ValueError, match="has not run forward"):
        health_panel(model)
    out = model.forward(np.ones((3, 2)), train=True)
    model.backward(np.ones_like(out))
    assert "HealthPanel(1 epochs" in repr(health_panel(model))
    with pytest.raises(TypeError, match="expected a History"):
        health_panel(42)
    with pytest.raises(ValueError, match="diagnostics=True"):
        health_panel(nc.History(history={"train_loss": [1.0]}))


# --- gradient flow ----------------------------------------------------------------------------

def test_gradient_flow_vanishes_in_a_deep_sigmoid_net():
    flow = gradient_flow(hidden_layers=10, activation="sigmoid", init="xavier", steps=0)
    assert len(flow.layers) == 11 and flow.grad_norm_init.shape == (11,)
    assert flow.grad_norm_init[0] < flow.grad_norm_init[-1] / 100
    assert flow.verdict.startswith("vanishing")
    relu = gradient_flow(hidden_layers=10, activation="relu", init="he", steps=0)
    assert 0.1 < relu.ratio_init < 10 and relu.verdict.startswith("healthy")


def test_gradient_flow_norms_match_a_direct_computation():
    flow = gradient_flow(hidden_layers=2, activation="tanh", init="xavier", steps=0, seed=3)
    from nncourse.widgets.gradflow import N_EXAMPLES, _batch

    X, y = _batch(3)
    model = nc.mlp([64, 32, 32, 10], activation="tanh", init="xavier", seed=3)
    logits = model.forward(X, train=True)
    # softmax cross-entropy gradient written out: (softmax - onehot) / N
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(N_EXAMPLES), y] -= 1.0
    dout = p / N_EXAMPLES
    for layer in reversed(model.layers):
        dout = layer.backward(dout)
    expected = [np.linalg.norm(l.grads["W"]) for l in model.layers if isinstance(l, nc.Linear)]
    np.testing.assert_allclose(flow.grad_norm_init, expected, rtol=1e-10)


def test_gradient_flow_rejects_bad_input():
    with pytest.raises(ValueError, match="hidden_layers"):
        gradient_flow(hidden_layers=0)
    with pytest.raises(ValueError, match="unknown init 'hee'"):
        gradient_flow(init="hee")


# --- scaling ----------------------------------------------------------------------------------

def test_scaling_raw_features_diverge_and_zscore_converges():
    raw = run_scaling(None, lr=0.1, steps=100)
    assert raw.diverged_at is not None and raw.verdict.startswith("diverged")
    assert "income reaches" in raw.verdict and "unscaled" in raw.verdict
    clipped = run_scaling({"income": "clip", "area_sqft": "clip"}, lr=0.1, steps=100)
    assert "income still reaches" in clipped.verdict and "after clip scaling" in clipped.verdict
    z = run_scaling(["zscore"] * 4, lr=0.1, steps=100)
    assert z.diverged_at is None and z.verdict.startswith("converged")
    # the optimum is the least-squares fit on standardised columns, computed independently
    from nncourse.datasets import make_scaling_regression

    data = make_scaling_regression(1000, seed=0)
    Z = (data.X - data.X.mean(axis=0)) / data.X.std(axis=0)
    A = np.column_stack([Z, np.ones(len(Z))])
    coef, *_ = np.linalg.lstsq(A, data.y, rcond=None)
    assert z.optimum == pytest.approx(np.mean((A @ coef - data.y) ** 2), rel=1e-9)
    assert z.losses[-1] <= 1.05 * z.optimum


def test_scaling_input_errors():
    with pytest.raises(ValueError, match="unknown column 'incme'"):
        run_scaling({"incme": "zscore"})
    with pytest.raises(ValueError, match="unknown scaler 'zscor' for income"):
        run_scaling({"income": "zscor"})
    with pytest.raises(ValueError, match="expected scalings to list 4"):
        run_scaling(["zscore"])


# --- backprop stepper -------------------------------------------------------------------------

def _loss(x, t, p, activation):
    """Independent forward pass of the stepper's network."""
    z = x @ p["W1"] + p["b1"]
    h = {"sigmoid": lambda v: 1 / (1 + np.exp(-v)), "tanh": np.tanh,
         "relu": lambda v: np.maximum(v, 0)}[activation](z)
    return float(((h @ p["W2"] + p["b2"])[0] - t) ** 2)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_backprop_steps_match_finite_differences(activation):
    rng = np.random.default_rng(7)
    x = rng.normal(size=3)
    p = {"W1": rng.normal(size=(3, 4)), "b1": rng.normal(size=4),
         "W2": rng.normal(size=(4, 1)), "b2": rng.normal(size=1)}
    steps = backprop_steps(x, 0.3, p, activation)
    by_name = {s.name: s for s in steps}
    assert by_name["L"].value == pytest.approx(_loss(x, 0.3, p, activation))
    eps = 1e-6
    for key in ("W1", "b1", "W2", "b2"):
        numeric = np.zeros_like(p[key])
        for i in np.ndindex(p[key].shape):
            plus = {k: v.copy() for k, v in p.items()}
            minus = {k: v.copy() for k, v in p.items()}
            plus[key][i] += eps
            minus[key][i] -= eps
            numeric[i] = (_loss(x, 0.3, plus, activation)
                          - _loss(x, 0.3, minus, activation)) / (2 * eps)
        analytic = by_name[f"dL/d{key}"].value
        assert analytic.shape == p[key].shape
        assert nc.gradcheck.rel_error(analytic, numeric) < 1e-6, key


def test_backprop_steps_order_values_and_caches():
    steps = backprop_steps()
    assert [s.phase for s in steps] == ["forward"] * 4 + ["backward"] * 7
    assert [s.name for s in steps][:4] == ["z1", "h", "ŷ", "L"]
    # by hand: z1 = [1, 0.5] @ [[0.4, -0.3], [0.2, 0.5]] + [0, -0.2] = [0.5, -0.25]
    np.testing.assert_allclose(steps[0].value, [0.5, -0.25])
    cached = {s.name: s.cached for s in steps}
    assert cached["dL/dW1"] == ("x",) and cached["dL/dW2"] == ("h",)
    assert cached["dL/dz1"] == ("h",)                       # sigmoid' = h (1 - h)
    assert {s.name: s.cached for s in backprop_steps(activation="relu")}["dL/dz1"] == ("z1",)
    widget = backprop_stepper()
    widget.go(5)
    assert widget.index == 5 and "cached h" in widget.message.value
    widget.go(99)
    assert widget.index == 10 and widget.next_button.disabled
    assert draw_backprop(steps, 3).axes


def test_backprop_steps_reject_bad_input():
    with pytest.raises(ValueError, match=r"expected W1 of shape \(3, H\)"):
        backprop_steps(x=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="unknown activation 'softplus'"):
        backprop_steps(activation="softplus")
    with pytest.raises(ValueError, match="missing"):
        backprop_steps(params={"W1": np.ones((2, 2))})
    with pytest.raises(ValueError, match="target"):
        backprop_steps(target=math.nan)
