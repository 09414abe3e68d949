"""A quiz answer wrapped in brackets is 'could not read', with how to write it, not a bare type error."""
import pytest

import nncourse


@pytest.mark.parametrize("exercise_id, answer, shown", [
    ("backprop.quiz_multiplications", [32000], "(3 rather than [3])"),
    ("backprop.quiz_cache", ["B"], '("X" rather than ["X"])'),
    ("backprop.quiz_cache", ("B",), '("X" rather than ["X"])'),
])
def test_one_value_in_brackets_says_how_to_write_it(exercise_id, answer, shown):
    result = nncourse.check(exercise_id, answer)
    assert result.points == 0
    text = str(result)
    assert "could not read your answer" in text and f"write the value itself, without the brackets {shown}" in text
    assert "Hint" not in text  # the message itself says what to do


def test_several_values_in_brackets_stay_a_type_error():
    text = str(nncourse.check("backprop.quiz_multiplications", [1, 2]))
    assert "wrong type: expected a number, got list" in text
