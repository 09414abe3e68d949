"""``nncourse.check`` / ``progress``: statuses, feedback text, determinism, warnings, time limit, registry."""
import re
import warnings

import numpy as np
import pytest

from nncourse import exercises
from nncourse.check import CheckResult, check, progress, reset_progress
from nncourse.exercises import runner


@pytest.fixture(autouse=True)
def _fresh_hints():
    """Every test starts with the gentlest hints (the hint rung counts failed checks per session)."""
    reset_progress()
    yield
    reset_progress()


def good_linear(dout, cache):  # written by hand, not taken from the package
    x, W, b = cache
    return dout @ W.T, x.T @ dout, dout.sum(axis=0)


def stub_linear(dout, cache):
    x, W, b = cache
    raise NotImplementedError("write your code here (and delete this line)")


def broken_linear(dout, cache):
    x, W, b = cache
    dW = x @ dout  # the student's bug: shapes (N, D) @ (N, H) do not fit
    return dout @ W.T, dW, dout.sum(axis=0)


def warning_linear(dout, cache):
    x, W, b = cache
    warnings.warn("I am not sure about db", UserWarning)
    with np.errstate(divide="warn"):
        np.log(np.zeros(1))
    return dout @ W.T, x.T @ dout, dout.sum(axis=0)


def half_linear(dout, cache):
    x, W, b = cache
    return dout @ W.T, x.T @ dout * 0.5, dout.sum(axis=0)


def endless_linear(dout, cache):
    while True:
        pass


def hard_coded(exercise):
    """A function that returns the reference outputs of the public cases, whatever it is given."""
    public = [c for c in exercise.cases(0) if c.public]
    table = {c.args[0].tobytes(): exercise.expected(c) for c in public}

    def fn(dout, cache):
        return table.get(dout.tobytes(), exercise.expected(public[0]))

    return fn


# ---- the registry --------------------------------------------------------------------------------
def test_registry_lists_the_backprop_exercises():
    ids = [ex.id for ex in exercises.for_notebook("backprop")]
    assert {"backprop.linear_backward", "backprop.relu_backward", "backprop.quiz_cache"} <= set(ids)
    assert exercises.get("backprop.linear_backward").kind == "function"
    assert exercises.get("backprop.quiz_cache").kind == "quiz"
    assert exercises.for_notebook("no-such-notebook") == []


@pytest.mark.parametrize("bad, close", [("backprop.linear_backwards", "backprop.linear_backward"),
                                        ("backprop.relu_bakward", "backprop.relu_backward"),
                                        ("linear_backward", "backprop.linear_backward")])
def test_unknown_id_lists_the_closest_known_ids(bad, close):
    with pytest.raises(ValueError, match=re.escape(f"unknown exercise id {bad!r}")) as info:
        check(bad, good_linear)
    assert repr(close) in str(info.value)


def test_a_value_for_a_function_exercise_is_a_type_error():
    with pytest.raises(TypeError, match=r"check\('backprop.linear_backward', linear_backward\)"):
        check("backprop.linear_backward", (np.zeros(1), np.zeros(1), np.zeros(1)))


def test_cases_public_fixed_random_fresh():
    ex = exercises.get("backprop.linear_backward")
    a, b = ex.cases(1), ex.cases(2)
    for ca, cb in zip(a, b):
        same = all(np.array_equal(u, v) for u, v in zip(ca.args[1], cb.args[1]))
        assert same == ca.public  # public cases never change; randomized ones change with the seed
        assert ca.args[0].shape == cb.args[0].shape  # shapes never depend on the seed
    assert [c.name for c in a] == ["public 1", "public 2", "random 1", "random 2", "random 3"]
    assert np.array_equal(ex.cases(7)[3].args[0], ex.cases(7)[3].args[0])  # a seed repeats its cases


# ---- statuses ------------------------------------------------------------------------------------
def test_a_right_function_gets_full_points():
    result = check("backprop.linear_backward", good_linear)
    assert (result.points, result.max_points, result.status) == (3, 3, "passed")
    assert all(c.status == "passed" for c in result.cases) and len(result.cases) == 5
    assert str(result).startswith("backprop.linear_backward: 3 / 3 points (passed)")


def test_an_untouched_stub_is_not_attempted_not_a_traceback():
    result = check("backprop.linear_backward", stub_linear)
    assert (result.points, result.status) == (0, "not attempted")
    assert "Traceback" not in str(result) and "NotImplementedError" not in str(result)
    assert "write your code in the exercise cell above" in str(result)


def test_a_student_exception_shows_its_type_message_and_line():
    result = check("backprop.linear_backward", broken_linear)
    assert result.status == "error" and result.points == 0
    message = result.cases[0].message
    assert message.startswith("your code raised ValueError: matmul")
    assert "in broken_linear: dW = x @ dout" in message
    line = broken_linear.__code__.co_firstlineno + 2
    assert f"(line {line} in broken_linear" in message
    assert "nncourse" not in message and "site-packages" not in message


def test_a_warning_costs_no_points_and_is_reported():
    result = check("backprop.linear_backward", warning_linear)
    assert result.points == result.max_points
    assert any(w.startswith("UserWarning: I am not sure about db (line ") for w in result.warnings)
    assert any(w.startswith("RuntimeWarning: divide by zero") for w in result.warnings)
    assert "Warnings from your code (they cost no points):" in str(result)


def test_hard_coding_the_public_outputs_fails_the_randomized_cases():
    ex = exercises.get("backprop.linear_backward")
    result = check(ex.id, hard_coded(ex))
    assert [c.status for c in result.cases] == ["passed", "passed", "failed", "failed", "failed"]
    assert result.status == "partial" and 0 < result.points < result.max_points
    assert result.points == pytest.approx(3 * 2 / 5)
    assert "passes the public cases but not the randomized ones" in result.hint


def test_the_time_limit_stops_an_endless_loop():
    ex = exercises.get("backprop.linear_backward")
    results = exercises.run_cases(ex, endless_linear, ex.cases(0), time_limit=0.2)
    assert [r.status for r in results] == ["timeout"] * 5
    assert "time limit" in results[0].message and "not run" in results[1].message
    assert ex.grade(results)[:2] == (0.0, "timeout")


def test_a_student_catching_everything_still_times_out():
    def swallow(dout, cache):
        while True:
            try:
                while True:
                    pass
            except Exception:
                pass

    ex = exercises.get("backprop.relu_backward")
    assert exercises.run_cases(ex, swallow, ex.cases(0)[:1], time_limit=0.2)[0].status == "timeout"


def test_grade_statuses():
    ex = exercises.get("backprop.relu_backward")
    R = exercises.CaseResult
    assert ex.grade([R("a", "passed"), R("b", "failed", "x")]) == (1.0, "partial", "b: x")
    assert ex.grade([R("a", "error", "e"), R("b", "error", "e")])[1] == "error"
    assert ex.grade([R("a", "error", "e"), R("b", "failed", "f")])[1] == "failed"
    assert ex.grade([R("a", "not attempted", "n")])[1] == "not attempted"
    assert ex.grade([R("a", "passed")]) == (2.0, "passed", "")


# ---- the text and the HTML -----------------------------------------------------------------------
@pytest.mark.parametrize("fn", [half_linear, broken_linear, stub_linear, warning_linear],
                         ids=lambda f: f.__name__)
def test_the_text_is_deterministic(fn):
    first = str(check("backprop.linear_backward", fn))
    reset_progress()  # the hint depends on the number of failed attempts before
    second = repr(check("backprop.linear_backward", fn))
    assert first == second
    assert not re.search(r"0x[0-9a-f]{6,}", first)


def test_randomized_values_are_not_printed():
    result = check("backprop.linear_backward", half_linear, seed=3)
    for case in result.cases:
        assert case.public == case.name.startswith("public")
        assert ("expected" in case.message and "dW[0, 0]" in case.message) == case.public
    assert "(same problem in 2 more cases: random 2, random 3)" in str(result)


def test_object_addresses_never_reach_the_feedback():
    class Odd:
        pass

    def odd(dout, cache):
        raise RuntimeError(f"cannot use {Odd()}")

    text = str(check("backprop.relu_backward", odd))
    assert "RuntimeError: cannot use <" in text and "0x" not in text


def test_html_escapes_and_shows_points():
    def lt(dout, cache):
        raise ValueError("a < b")

    html = check("backprop.relu_backward", lt)._repr_html_()
    assert "a &lt; b" in html and "a < b" not in html
    assert "0 / 2 points (error)" in html
    assert "3 / 3 points (passed)" in check("backprop.linear_backward", good_linear)._repr_html_()


def test_describe_exception_points_at_the_deepest_student_frame():
    def helper(x):
        return x.missing_attribute

    try:
        helper(np.zeros(1))
    except AttributeError as exc:
        text = runner.describe_exception(exc)
    assert "in helper: return x.missing_attribute" in text
    assert text.startswith("AttributeError: 'numpy.ndarray' object has no attribute 'missing_attribute'")


# ---- progress ------------------------------------------------------------------------------------
def test_progress_adds_up_the_latest_results():
    reset_progress()
    assert str(progress()).startswith("Progress in all notebooks: 0 / ")
    check("backprop.linear_backward", good_linear)
    check("backprop.quiz_cache", "B")
    check("backprop.quiz_dw_shape", "(N, D)")
    p = progress()
    assert (p.points, p.max_points) == (4, sum(ex.points for ex in exercises.for_notebook("backprop")))
    text = str(p)
    assert text.splitlines()[0] == f"Progress in backprop: 4 / {p.max_points:g} points"
    assert re.search(r"backprop\.quiz_dw_shape\s+0 / 1  failed", text)
    assert re.search(r"backprop\.relu_backward\s+0 / 2  not checked", text)
    check("backprop.linear_backward", stub_linear)  # the latest result counts
    assert progress("backprop").points == 1
    assert "<table>" in progress("all")._repr_html_()
    with pytest.raises(ValueError, match="unknown notebook 'backprob'; choose one of backprop"):
        progress("backprob")
    reset_progress()


def test_check_result_is_a_public_class():
    assert isinstance(check("backprop.quiz_cache", None), CheckResult)


def wrong_db(dout, cache):
    x, W, b = cache
    return dout @ W.T, x.T @ dout, dout.sum(axis=0) + 1


def test_the_hint_fits_the_problem():
    assert "shape" in check("backprop.linear_backward", broken_linear).hint
    reset_progress()
    assert "dout.sum(axis=0)" in check("backprop.linear_backward", wrong_db, hint=True).hint
    assert "x.T @ dout" in check("backprop.linear_backward", half_linear, hint=True).hint


def test_hints_escalate_over_failed_attempts_and_the_formula_comes_last():
    ex = exercises.get("backprop.linear_backward")
    texts = [str(check(ex.id, wrong_db, seed=0)) for _ in range(4)]
    hints = [check_hint.split(": ", 1)[1] for t in texts for check_hint in t.splitlines()
             if check_hint.startswith("Hint")]
    assert len(hints) == 4
    assert "dout.sum" not in hints[0] and "db" in hints[0]  # gentle, about the wrong output
    assert len(set(hints[:3])) == 3  # each failure climbs one rung
    assert "dout.sum(axis=0)" in hints[2] and hints[3] == hints[2]  # the formula last, and it stays
    assert texts[0].count("Hint (1 of 3)") == 1 and "hint=True" in texts[0]
    assert "Hint (3 of 3, the strongest)" in texts[2] and "hint=True" not in texts[2]
    reset_progress()  # the same sequence of attempts gives the same texts
    assert [str(check(ex.id, wrong_db, seed=0)) for _ in range(4)] == texts


def test_hint_true_shows_the_strongest_hint_at_once_and_a_pass_shows_none():
    strongest = check("backprop.linear_backward", wrong_db, hint=True).hint
    assert strongest == exercises.get("backprop.linear_backward").hint_for("public 1: wrong values in db", -1)
    assert "dout.sum(axis=0)" in strongest
    assert check("backprop.linear_backward", good_linear, hint=True).hint == ""


def test_the_gentlest_hint_is_what_the_grader_shows():
    ex = exercises.get("backprop.linear_backward")
    message = check(ex.id, wrong_db, seed=0).message
    reset_progress()
    assert ex.hint_for(message) == check(ex.id, wrong_db, seed=0).hint
    assert "sum" not in ex.hint_for(message)


def test_repeated_errors_are_shown_once():
    result = check("backprop.linear_backward", broken_linear, seed=0)
    text = str(result)
    assert text.count("your code raised ValueError") == 1
    assert "(same error in 4 more cases: public 2, random 1, random 2, random 3)" in text
    assert "same error in 4 more cases" in result._repr_html_()


def test_progress_lists_notebooks_in_course_order():
    reset_progress()
    ids = [row[0] for row in progress("all").rows]
    notebooks = list(dict.fromkeys(i.split(".")[0] for i in ids))
    assert notebooks == exercises.notebooks()
    numbers = [exercises.base.notebook_number(n) for n in notebooks]
    assert numbers == sorted(numbers)
    assert notebooks.index("backprop") < notebooks.index("scaling") < notebooks.index("optimizers") \
        < notebooks.index("regularization") < notebooks.index("transfer")
    backprop = [i for i in ids if i.startswith("backprop.")]
    assert backprop[:3] == ["backprop.linear_backward", "backprop.relu_backward", "backprop.quiz_cache"]


def test_a_new_problem_starts_again_from_its_gentlest_hint():
    ex = exercises.get("backprop.linear_backward")
    check(ex.id, wrong_db, seed=0)
    check(ex.id, wrong_db, seed=0)  # db hints climbed to the second rung
    result = check(ex.id, half_linear, seed=0)  # now dW is wrong: its ladder starts at the bottom
    assert result.hint == ex.hint_for(result.message, 0) and result.hint_rung == 1
    assert "db" in check(ex.id, wrong_db, seed=0).hint and "dout.sum(axis=0)" in check(ex.id, wrong_db).hint


def test_an_edge_case_passed_alone_says_why_it_earns_nothing():
    def zeros_or_copy(x, drop_prob, u):
        return np.zeros_like(x) if drop_prob == 1.0 else x.copy()

    text = str(check("dropout.dropout_forward", zeros_or_copy, seed=0))
    assert "edge 1    passed: an edge case: it counts once a regular case earns something" in text
    assert text.startswith("dropout.dropout_forward: 0 / 2 points (failed)")


def test_an_answer_that_cannot_be_read_gets_how_to_write_it_and_no_hint():
    result = check("backprop.quiz_dw_shape", "D H")
    assert result.status == "failed" and result.hint == ""
    assert 'write a shape as sizes separated by commas, e.g. "(N, D)"' in str(result)
    assert check("backprop.quiz_dw_shape", "(N, D)").hint  # a readable wrong answer gets the hint
