"""How a wrong result relates to the right one, in words (``relation``), and the registry's course order."""
import numpy as np
import pytest

from nncourse import exercises
from nncourse.exercises.function import relation

E = np.array([[1.0, -2.0, 0.5], [3.0, 0.25, -1.5]])


@pytest.mark.parametrize("got, batch, words", [
    (E * 4, 4, "every entry is 4 times the expected value, and 4 is the batch size N"),
    (E / 4, 4, "every entry is 1/4 of the expected value, and 4 is the batch size N"),
    (E * 2, 2, "every entry is 2 times the expected value: a factor 2 too many, or a sum over the N = 2"),
    (-E, 4, "it has the wrong sign: every entry is minus the expected value"),
    (E * 0.3, 4, "every entry is 0.3 times the expected value: a scale factor is missing or extra"),
    (E + 0.5, 4, "every entry is off by the same amount (0.5)"),
    (np.zeros_like(E), 4, "it is all zeros"),
    (E.T.copy(), 4, "its numbers are right but transposed"),
    (np.where(E > 0, E, 0.0), 4, "it is 0 in places where the expected value is not"),
])
def test_relation_names_the_bug(got, batch, words):
    assert words in relation(got, E, batch=batch)


def test_relation_of_scalars_and_squares_and_of_noise():
    assert relation(np.array(3.0), np.array(1.5)) == "it is 2 times the expected value: a scale factor is missing or extra"
    square = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert relation(square.T.copy(), square).startswith("it is the transpose of the expected matrix")
    noise = E + np.random.default_rng(0).standard_normal(E.shape)
    assert relation(noise, E, batch=4) == ""
    assert relation(E * 5, E, batch=2, sizes={5: "the size of axis 1 of X"}).startswith(
        "every entry is 5 times the expected value, and 5 is the size of axis 1 of X")
    expected_zero_somewhere = np.array([1.0, 0.0, 2.0])
    assert "nonzero where it should be 0" in relation(np.array([1.0, 0.7, 2.0]), expected_zero_somewhere)


def test_notebooks_follow_the_course_numbers_and_unknown_ones_come_last():
    names = exercises.notebooks()
    numbers = [exercises.notebook_number(n) for n in names]
    assert numbers == sorted(numbers)
    assert exercises.notebook_number("backprop") == 1 and exercises.notebook_number("dropout") == 7
    assert exercises.notebook_number("no-such-notebook") == float("inf")


def test_randomized_cases_name_a_factor_without_its_value():
    assert relation(E * 0.3, E, values=False) == \
        "every entry is the same multiple of the expected value: a scale factor is missing or extra"
    assert relation(E + 0.5, E, values=False).startswith("every entry is off by the same amount: ")
    assert "4 is the batch size" in relation(E * 4, E, batch=4, values=False)  # a size, not a value


def test_the_text_of_a_scale_bug_is_the_same_for_every_seed():
    from nncourse.check import check, reset_progress

    def no_rescaling(x, drop_prob, u):
        return x * (u >= drop_prob)

    texts = set()
    for seed in range(4):
        reset_progress()
        texts.add(str(check("dropout.dropout_forward", no_rescaling, seed=seed)))
    reset_progress()
    assert len(texts) == 1, texts
