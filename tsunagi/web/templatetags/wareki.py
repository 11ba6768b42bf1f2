"""Template filters for Japanese dates: {{ value|wareki }} → 令和7年4月1日."""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.utils import timezone
from django.utils.translation import get_language

from tsunagi.web.wareki import EARLIEST, format_wareki

register = template.Library()


def _as_date(value: date | datetime | None) -> date | None:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


@register.filter
def wareki(value: date | datetime | None) -> str:
    """令和7年4月1日 in Japanese; 2025-04-01 in English."""
    day = _as_date(value)
    if day is None:
        return ""
    if (get_language() or "ja").startswith("ja") and day >= EARLIEST:
        return format_wareki(day)
    return day.isoformat()


@register.filter
def wareki_both(value: date | datetime | None) -> str:
    """令和7年4月1日（2025-04-01）: both calendars, where officials expect the era."""
    day = _as_date(value)
    if day is None:
        return ""
    if day < EARLIEST:  # never fail a page over an old date: show the Western one
        return day.isoformat()
    return f"{format_wareki(day)}（{day.isoformat()}）"


@register.filter
def wareki_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{wareki(local)} {local:%H:%M}"
