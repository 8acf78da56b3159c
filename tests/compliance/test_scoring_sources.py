"""The scoring rules of the assessor's sources and of the 2025 follow-up indicator
(``compliance.scoring``: ``interview_value``, ``survey_aggregate``, ``follow_up_value``), no
database. Expected values are worked out by hand from the rules their docstrings state (each
an assumption the app documents in docs/methodology.md)."""
from decimal import Decimal

import pytest

from compliance.scoring import follow_up_value, interview_value, survey_aggregate


def test_interview_value_is_the_mean_rounded_half_up():
    assert interview_value([3, 2, 2, 1]) == 2
    assert interview_value([2, 3]) == 3  # 2.5 rounds up
    assert interview_value([1, 2, 2, 2]) == 2  # 1.75
    assert interview_value([0, 1]) == 1  # 0.5
    assert interview_value([None, 1, 1, 2]) == 1  # 1.33, nobody's None does not count
    assert interview_value([]) is None


def test_survey_aggregate_is_the_mean_of_the_questions():
    assert survey_aggregate(["75", "85"]) == Decimal("80.00")
    assert survey_aggregate([Decimal("70"), Decimal("71"), Decimal("71")]) == Decimal("70.67")
    assert survey_aggregate([]) is None
    with pytest.raises(ValueError):
        survey_aggregate(["101"])


def test_survey_aggregate_skips_missing_questions_and_keeps_the_bounds():
    assert survey_aggregate([None, "80", 90]) == Decimal("85.00")
    assert survey_aggregate([None]) is None
    assert survey_aggregate(["0", "100"]) == Decimal("50.00")  # both bounds are scores
    assert survey_aggregate(["33.335"]) == Decimal("33.34")  # half-up at two decimals
    for outside in ("-0.01", "100.01"):
        with pytest.raises(ValueError, match=rf"^question score {outside} outside 0\.\.100$"):
            survey_aggregate(["50", outside])


@pytest.mark.parametrize(("on_time", "due", "scale_max", "expected"), [
    (0, 0, 3, None), (0, -1, 3, None),  # nothing due: not applicable
    (0, 1, 3, 0), (1, 1, 3, 3),
    (1, 2, 3, 1), (2, 3, 3, 2),  # 1.5 and 2.0: rounded down
    (1, 2, 5, 2), (2, 2, 5, 5), (3, 4, 5, 3),  # another scale: 2.5 -> 2, 3.75 -> 3
])
def test_follow_up_value_is_the_share_on_time_on_the_scale_rounded_down(on_time, due, scale_max,
                                                                         expected):
    assert follow_up_value(on_time, due, scale_max=scale_max) == expected
    if scale_max == 3:  # the 2022-2025 indicators' 0-3 scale is the default
        assert follow_up_value(on_time, due) == expected


@pytest.mark.parametrize(("on_time", "due"), [(-1, 3), (4, 3), (1, 0)])
def test_follow_up_value_refuses_impossible_counts(on_time, due):
    if due <= 0:
        assert follow_up_value(on_time, due) is None  # nothing due: never an error
        return
    with pytest.raises(ValueError, match="^on_time must be between 0 and due$"):
        follow_up_value(on_time, due)
