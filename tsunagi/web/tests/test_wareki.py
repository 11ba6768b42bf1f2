"""Japanese-era dates: shown as 令和7年4月1日, typed in either calendar and either width."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from tsunagi.web.wareki import DateFormatError, format_wareki, parse_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("令和7年4月1日", date(2025, 4, 1)),
        ("R7.4.1", date(2025, 4, 1)),
        ("r07/04/01", date(2025, 4, 1)),
        ("2025-04-01", date(2025, 4, 1)),
        ("2025/4/1", date(2025, 4, 1)),
        ("2025年4月1日", date(2025, 4, 1)),
        ("20250401", date(2025, 4, 1)),
        ("２０２５－０４－０１", date(2025, 4, 1)),
        ("Ｒ７．４．１", date(2025, 4, 1)),
        ("令和元年5月1日", date(2019, 5, 1)),
        ("平成31年4月30日", date(2019, 4, 30)),
        ("昭和64年1月7日", date(1989, 1, 7)),
        ("H1.1.8", date(1989, 1, 8)),
        ("S48.3.15", date(1973, 3, 15)),
        (" 令和 7年 4月 1日 ", date(2025, 4, 1)),
    ],
)
def test_accepted_forms(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "入力"),
        ("令和7年2月30日", "ありません"),
        ("平成31年5月1日", "令和に入っています"),
        ("令和1年4月30日", "始まりより前"),
        ("昭和64年1月8日", "平成に入っています"),
        ("きのう", "読めません"),
        ("2025-13-01", "ありません"),
    ],
)
def test_rejected_with_japanese_message(text: str, message: str) -> None:
    with pytest.raises(DateFormatError, match=message):
        parse_date(text)


def test_display() -> None:
    assert format_wareki(date(2025, 4, 1)) == "令和7年4月1日"
    assert format_wareki(date(2019, 5, 1)) == "令和元年5月1日"
    assert format_wareki(date(2019, 4, 30)) == "平成31年4月30日"
    assert format_wareki(date(2025, 4, 1), short=True) == "R7.4.1"
    assert format_wareki(None) == ""


@given(st.dates(min_value=date(1873, 1, 1), max_value=date(2200, 12, 31)))
def test_round_trip_through_both_era_forms(day: date) -> None:
    assert parse_date(format_wareki(day)) == day
    assert parse_date(format_wareki(day, short=True)) == day
    assert parse_date(day.isoformat()) == day


@pytest.mark.parametrize("text", ["0001-01-01", "１８７２年１２月３１日", "18721231"])
def test_dates_before_meiji_6_are_refused(text: str) -> None:
    """No record is dated before the Gregorian calendar came to Japan (明治6年1月1日); a year-1
    date typed by mistake is refused with a message instead of breaking every list later."""
    with translation.override("ja"), pytest.raises(DateFormatError, match="明治6年"):
        parse_date(text)
    assert parse_date("1873-01-01") == date(1873, 1, 1)


def test_an_old_date_already_stored_still_shows() -> None:
    from tsunagi.web.templatetags.wareki import wareki, wareki_both

    with translation.override("ja"):
        assert wareki(date(1, 1, 1)) == "0001-01-01"
        assert wareki_both(date(1872, 12, 31)) == "1872-12-31"


def test_meiji_years_count_from_1868() -> None:
    assert format_wareki(date(1873, 1, 1)) == "明治6年1月1日"
    assert format_wareki(date(1900, 5, 1)) == "明治33年5月1日"
    assert parse_date("明治33年5月1日") == date(1900, 5, 1)
    assert parse_date("M45.7.29") == date(1912, 7, 29)
    with pytest.raises(DateFormatError):
        parse_date("明治5年12月2日")  # before the Gregorian calendar
