"""The run's seed, claims and the student's own code: nncourse.seed, nncourse.claim, nncourse.use."""
import numpy as np
import pytest

import nncourse
from nncourse.course import ClaimNote


@pytest.mark.parametrize("value, base", [(None, 0), ("", 0), ("0", 0), ("3", 3), (" 4 ", 4)])
def test_seed_derives_from_the_environment(monkeypatch, value, base):
    if value is None:
        monkeypatch.delenv("NNCOURSE_SEED", raising=False)
    else:
        monkeypatch.setenv("NNCOURSE_SEED", value)
    assert nncourse.base_seed() == base
    assert [nncourse.seed(k) for k in (0, 1, 999)] == [1000 * base, 1000 * base + 1, 1000 * base + 999]


@pytest.mark.parametrize("value, words", [("three", "'three' is not a whole number"), ("-1", "is negative")])
def test_a_bad_seed_variable_is_named(monkeypatch, value, words):
    monkeypatch.setenv("NNCOURSE_SEED", value)
    with pytest.raises(ValueError, match=words):
        nncourse.seed(0)


@pytest.mark.parametrize("k", [-1, 1000, 1.5, True, "1"])
def test_a_bad_experiment_number_is_named(k):
    with pytest.raises(ValueError, match="experiment number k from 0 to 999"):
        nncourse.seed(k)


def test_a_claim_that_holds_is_silent(capsys, monkeypatch):
    monkeypatch.delenv("NNCOURSE_STRICT_CLAIMS", raising=False)
    assert nncourse.claim(np.bool_(True), "never shown", expected="x > 0") is None
    assert capsys.readouterr().out == ""


def test_a_failing_claim_is_a_note_for_students(capsys, monkeypatch):
    monkeypatch.delenv("NNCOURSE_STRICT_CLAIMS", raising=False)
    assert nncourse.claim(False, "accuracy 0.41", expected="acc > 0.9") is None
    out = capsys.readouterr().out
    assert "does not show what the lesson expected: acc > 0.9" in out and "accuracy 0.41" in out
    html = ClaimNote("a < b", "<b>3</b>")._repr_html_()
    assert "&lt;b&gt;3&lt;/b&gt;" in html and "a &lt; b" in html


def test_a_claim_note_rounds_what_the_run_measured(capsys, monkeypatch):
    monkeypatch.delenv("NNCOURSE_STRICT_CLAIMS", raising=False)
    nncourse.claim(False, (-0.019000000000000003, [np.float64(0.007681145747868622), 3]), expected="gain > 0")
    assert "What your run shows: (-0.019, [0.007681, 3])" in capsys.readouterr().out
    nncourse.claim(False, {"gap": 0.123456789, "ok": True}, expected="gap < 0.1")
    assert "{gap: 0.1235, ok: True}" in capsys.readouterr().out


@pytest.mark.parametrize("flag", ["1", "yes"])
def test_a_failing_claim_is_an_error_in_strict_mode(monkeypatch, flag):
    monkeypatch.setenv("NNCOURSE_STRICT_CLAIMS", flag)
    with pytest.raises(AssertionError, match="accuracy 0.41"):
        nncourse.claim(False, "accuracy 0.41", expected="acc > 0.9")
    with pytest.raises(AssertionError, match="acc > 0.9"):
        nncourse.claim(False, None, expected="acc > 0.9")


def _right(dout, cache):
    x, W, b = cache
    return dout @ W.T, x.T @ dout, dout.sum(axis=0)


def _wrong(dout, cache):  # db as a mean: a wrong idea
    x, W, b = cache
    return dout @ W.T, x.T @ dout, dout.mean(axis=0)


def _stub(dout, cache):
    raise NotImplementedError("write your code here (and delete this line)")


def test_use_returns_the_students_function_once_it_passes(capsys):
    assert nncourse.use("backprop.linear_backward", _right) is _right
    assert "Using your linear_backward" in capsys.readouterr().out


@pytest.mark.parametrize("fn, words", [(_wrong, "does not pass its check yet"), (_stub, "not written it yet")])
def test_use_falls_back_to_the_reference_and_says_why(capsys, monkeypatch, fn, words):
    from nncourse.functional import linear_backward

    monkeypatch.delenv("NNCOURSE_STRICT_CLAIMS", raising=False)
    assert nncourse.use("backprop.linear_backward", fn) is linear_backward
    out = capsys.readouterr().out
    assert "reference linear_backward instead of yours" in out and words in out


def test_strict_use_refuses_a_written_function_that_fails_but_not_an_untouched_stub(capsys, monkeypatch):
    """Under make test a solution notebook must run on its own code; a student notebook's stubs still
    fall back to the reference, so the untouched notebooks run."""
    from nncourse.functional import linear_backward

    monkeypatch.setenv("NNCOURSE_STRICT_CLAIMS", "1")
    with pytest.raises(AssertionError, match=r"linear_backward does not pass its check \(\d"):
        nncourse.use("backprop.linear_backward", _wrong)
    assert nncourse.use("backprop.linear_backward", _stub) is linear_backward
    assert nncourse.use("backprop.linear_backward", _right) is _right


def test_use_notes_wrap_between_words_and_render_as_html():
    from nncourse.course import UseNote

    note = UseNote("Using the package's reference linear_backward instead of yours: " + "word " * 40, ok=False)
    assert all(len(line) <= 100 for line in str(note).splitlines()) and len(str(note).splitlines()) > 1
    assert "linear_backward" in note._repr_html_() and "nncourse-use" in note._repr_html_()


def test_a_function_calling_another_exercises_stub_is_told_which(capsys, monkeypatch):
    monkeypatch.delenv("NNCOURSE_STRICT_CLAIMS", raising=False)
    def linear_backward(dout, cache):
        raise NotImplementedError("write your code here (and delete this line)")

    def relu_backward(dout, cache):
        return dout * cache

    def network_backward(dlogits, caches):
        cache1, mask, cache2 = caches
        dh, dW2, db2 = linear_backward(dlogits, cache2)
        dx, dW1, db1 = linear_backward(relu_backward(dh, mask), cache1)
        return dW1, db1, dW2, db2

    result = nncourse.check("backprop.network_backward", network_backward)
    assert result.status == "error"
    assert "calls linear_backward, which still raises NotImplementedError" in str(result)
    nncourse.use("backprop.network_backward", network_backward)
    assert "does not pass its check yet" in capsys.readouterr().out


def test_use_rejects_what_it_cannot_use():
    with pytest.raises(TypeError, match="expects your function itself"):
        nncourse.use("backprop.linear_backward", 3)
    with pytest.raises(ValueError, match="takes a function exercise"):
        nncourse.use("backprop.quiz_cache", "B")
