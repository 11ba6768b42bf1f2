"""The office calendar of Japanese public bodies (開庁日): weekends, national and substitute
holidays from jpholiday, and the year-end closure of 29 December–3 January. Reminders of the
referral count on it, so the properties that the selectors rely on are checked with Hypothesis.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tsunagi.agencies.calendar import (
    add_business_days,
    business_days_between,
    closure_reason,
    is_business_day,
    subtract_business_days,
)

days = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))
counts = st.integers(min_value=0, max_value=40)


@pytest.mark.parametrize(
    ("day", "reason"),
    [
        (date(2026, 11, 21), "土曜日"),
        (date(2026, 11, 22), "日曜日"),
        (date(2026, 11, 23), "勤労感謝の日"),  # a Monday
        (date(2026, 5, 6), "憲法記念日 振替休日"),  # 3 May falls on a Sunday
        (date(2025, 11, 24), "勤労感謝の日 振替休日"),
        (date(2026, 9, 22), "国民の休日"),  # between 敬老の日 and 秋分の日
        (date(2026, 1, 12), "成人の日"),
        (date(2026, 12, 29), "年末年始"),
        (date(2026, 12, 31), "年末年始"),
        (date(2027, 1, 1), "年末年始"),  # also 元日: the closure is named
        (date(2027, 1, 3), "年末年始"),
    ],
)
def test_closed_days_and_why(day: date, reason: str) -> None:
    assert not is_business_day(day)
    assert closure_reason(day) == reason


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 11, 24),  # the Tuesday after 勤労感謝の日
        date(2026, 12, 28),  # the last working day of the year (仕事納め)
        date(2027, 1, 4),  # the first of the new year (仕事始め), a Monday
        date(2026, 5, 7),
        date(2026, 9, 24),
    ],
)
def test_open_days(day: date) -> None:
    assert is_business_day(day)
    assert closure_reason(day) == ""


def test_counting_over_a_weekend_and_a_monday_holiday() -> None:
    friday = date(2026, 11, 20)
    # sent on Friday: nothing counts over the weekend and the holiday, Tuesday is the first day
    assert business_days_between(friday, date(2026, 11, 23)) == 0
    assert business_days_between(friday, date(2026, 11, 24)) == 1
    assert add_business_days(friday, 1) == date(2026, 11, 24)
    assert add_business_days(friday, 0) == friday
    assert subtract_business_days(date(2026, 11, 24), 1) == date(2026, 11, 23)


def test_counting_over_the_year_end_closure() -> None:
    last_day = date(2026, 12, 28)
    assert add_business_days(last_day, 1) == date(2027, 1, 4)
    assert business_days_between(last_day, date(2027, 1, 3)) == 0
    assert business_days_between(last_day, date(2027, 1, 5)) == 2


def test_a_negative_count_is_refused_and_reversed_ranges_count_nothing() -> None:
    with pytest.raises(ValueError):
        add_business_days(date(2026, 6, 1), -1)
    assert business_days_between(date(2026, 6, 5), date(2026, 6, 1)) == 0
    assert subtract_business_days(date(2026, 6, 5), 0) == date(2026, 6, 5)


@given(day=days, n=st.integers(min_value=1, max_value=40))
def test_add_business_days_lands_on_a_business_day(day: date, n: int) -> None:
    assert is_business_day(add_business_days(day, n))


@given(day=days, n=counts)
def test_business_days_between_undoes_add_business_days(day: date, n: int) -> None:
    assert business_days_between(day, add_business_days(day, n)) == n


@given(day=days, n=st.integers(min_value=1, max_value=40))
def test_add_business_days_is_the_first_day_that_reaches_n(day: date, n: int) -> None:
    end = add_business_days(day, n)
    assert business_days_between(day, end - timedelta(days=1)) == n - 1


@given(day=days, n=counts)
def test_subtract_business_days_is_the_latest_start_that_has_waited_n(day: date, n: int) -> None:
    """What the reminder selectors rely on: started on or before the cutoff ⇔ waited ≥ n."""
    cutoff = subtract_business_days(day, n)
    assert business_days_between(cutoff, day) >= n
    assert business_days_between(cutoff + timedelta(days=1), day) < n or n == 0


@given(start=days, middle=counts, rest=counts)
def test_business_days_add_up(start: date, middle: int, rest: int) -> None:
    mid = add_business_days(start, middle)
    end = add_business_days(mid, rest)
    assert business_days_between(start, end) == middle + rest
