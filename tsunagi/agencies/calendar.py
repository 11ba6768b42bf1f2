"""The office calendar of Japanese public bodies: business days (開庁日).

An office is closed on Saturdays and Sundays, on the national holidays and substitute holidays
(祝日・振替休日・国民の休日, from `jpholiday`), and over the year-end closure from 29 December to
3 January (年末年始, 行政機関の休日に関する法律 第1条). Reminders of the referral (issue: referral)
and review dates count days on this calendar.
"""

from __future__ import annotations

from datetime import date, timedelta

import jpholiday

# 年末年始: 29, 30, 31 December and 1, 2, 3 January.
YEAR_END_CLOSURE = frozenset({(12, 29), (12, 30), (12, 31), (1, 1), (1, 2), (1, 3)})


def is_business_day(day: date) -> bool:
    """Is the office open on `day`?"""
    if day.weekday() >= 5:
        return False
    if (day.month, day.day) in YEAR_END_CLOSURE:
        return False
    return not jpholiday.is_holiday(day)


def closure_reason(day: date) -> str:
    """Why the office is closed on `day` (in Japanese, as a wall calendar says), or ""."""
    if (day.month, day.day) in YEAR_END_CLOSURE:
        return "年末年始"
    name = jpholiday.is_holiday_name(day)
    if name:
        return str(name)
    if day.weekday() >= 5:
        return "土曜日" if day.weekday() == 5 else "日曜日"
    return ""


def add_business_days(day: date, n: int) -> date:
    """The n-th business day after `day` (n ≥ 0; for n = 0, `day` itself)."""
    if n < 0:
        raise ValueError("n must not be negative")
    current = day
    while n > 0:
        current += timedelta(days=1)
        if is_business_day(current):
            n -= 1
    return current


def subtract_business_days(day: date, n: int) -> date:
    """The latest date d such that `business_days_between(d, day) >= n`.

    A thing that started on or before this date has waited at least n business days by `day`;
    selectors use it to turn "waited n business days" into one indexed date comparison.
    """
    if n <= 0:
        return day
    current = day
    counted = 0
    # Walk back over the business days that lie in (d, day].
    while True:
        if is_business_day(current):
            counted += 1
            if counted == n:
                return current - timedelta(days=1)
        current -= timedelta(days=1)


def business_days_between(start: date, end: date) -> int:
    """How many business days lie after `start` up to and including `end` (0 if end ≤ start).

    A referral sent on `start` has waited this many business days on `end`: sent on Friday,
    it has waited 1 business day on Monday, and still 0 over the weekend.
    """
    if end <= start:
        return 0
    count = 0
    current = start
    while current < end:
        current += timedelta(days=1)
        if is_business_day(current):
            count += 1
    return count
