"""Japanese era dates (和暦): display as 令和7年4月1日 and read any common way of writing a date.

Accepted input, full-width or half-width: `令和7年4月1日`, `令和元年5月1日`, `R7.4.1`, `R07/04/01`,
`r7-4-1`, `2025-04-01`, `2025/4/1`, `2025年4月1日`, `20250401`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from .text import to_halfwidth


@dataclass(frozen=True)
class Era:
    name: str
    letter: str
    start: date  # the first day handled in this era
    first_year: int = 0  # the Western year of the era's year 1, when not start's

    @property
    def year_one(self) -> int:
        return self.first_year or self.start.year


# Newest first. Dates before 明治6年 (the Gregorian calendar in Japan) are not supported; 明治
# counts its years from 1868 (明治6年 is 1873).
ERAS = (
    Era("令和", "R", date(2019, 5, 1)),
    Era("平成", "H", date(1989, 1, 8)),
    Era("昭和", "S", date(1926, 12, 25)),
    Era("大正", "T", date(1912, 7, 30)),
    Era("明治", "M", date(1873, 1, 1), first_year=1868),
)
_BY_NAME = {e.name: e for e in ERAS} | {e.letter: e for e in ERAS}


# The first day of the Gregorian calendar in Japan (明治6年1月1日): no record is dated before it.
EARLIEST = ERAS[-1].start


class DateFormatError(ValueError):
    """The text is not a date in any accepted form; the message is for the user (Japanese)."""


def era_of(value: date) -> Era:
    for era in ERAS:
        if value >= era.start:
            return era
    raise DateFormatError(_("Dates before Meiji 6 (1873) cannot be handled."))


def era_year(value: date) -> tuple[Era, int]:
    era = era_of(value)
    return era, value.year - era.year_one + 1


def format_wareki(value: date | None, *, short: bool = False) -> str:
    """令和7年4月1日 (or R7.4.1 with short=True); 元年 for the first year of an era."""
    if value is None:
        return ""
    era, year = era_year(value)
    if short:
        return f"{era.letter}{year}.{value.month}.{value.day}"
    year_text = "元" if year == 1 else str(year)
    return f"{era.name}{year_text}年{value.month}月{value.day}日"


_ERA_NAMES = "|".join(e.name for e in ERAS)
_KANJI_ERA = re.compile(
    rf"^(?P<era>{_ERA_NAMES})\s*(?P<year>元|\d{{1,3}})\s*年\s*(?P<month>\d{{1,2}})\s*月"
    rf"\s*(?P<day>\d{{1,2}})\s*日?$"
)
_LETTER_ERA = re.compile(
    r"^(?P<era>[RHSTM])\s*(?P<year>\d{1,3})[./\-](?P<month>\d{1,2})[./\-](?P<day>\d{1,2})$",
    re.IGNORECASE,
)
_WESTERN = re.compile(
    r"^(?P<year>\d{4})\s*[./\-年]\s*(?P<month>\d{1,2})\s*[./\-月]\s*(?P<day>\d{1,2})\s*日?$"
)
_COMPACT = re.compile(r"^(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})$")


def _make(year: int, month: int, day: int) -> date:
    try:
        made = date(year, month, day)
    except ValueError as exc:
        raise DateFormatError(
            _("There is no such date: %(date)s.") % {"date": f"{year}年{month}月{day}日"}
        ) from exc
    if made < EARLIEST:
        raise DateFormatError(_("Dates before Meiji 6 (1873) cannot be handled."))
    return made


def _from_era(era: Era, year_text: str, month: int, day: int) -> date:
    year = 1 if year_text == "元" else int(year_text)
    if year < 1:
        raise DateFormatError(_("Enter a year of 1 or more."))
    result = _make(era.year_one + year - 1, month, day)
    if result < era.start:
        raise DateFormatError(
            _("%(date)s is before the start of %(era)s.")
            % {"date": f"{era.name}{year}年{month}月{day}日", "era": era.name}
        )
    later = [e for e in ERAS if e.start > era.start]
    if later and result >= min(e.start for e in later):
        nxt = min(later, key=lambda e: e.start)
        raise DateFormatError(
            _("%(date)s already falls in %(era)s.")
            % {"date": f"{era.name}{year}年{month}月{day}日", "era": nxt.name}
        )
    return result


def parse_date(text: str) -> date:
    """Read a date written in the Japanese or Western calendar; raise DateFormatError if not."""
    value = to_halfwidth(text or "").strip()
    if not value:
        raise DateFormatError(_("Enter a date."))
    if match := _KANJI_ERA.match(value):
        return _from_era(
            _BY_NAME[match["era"]], match["year"], int(match["month"]), int(match["day"])
        )
    if match := _LETTER_ERA.match(value):
        return _from_era(
            _BY_NAME[match["era"].upper()], match["year"], int(match["month"]), int(match["day"])
        )
    if match := _WESTERN.match(value) or _COMPACT.match(value):
        return _make(int(match["year"]), int(match["month"]), int(match["day"]))
    raise DateFormatError(
        _("This cannot be read as a date. Write it like 令和7年4月1日, R7.4.1 or 2025-04-01.")
    )
