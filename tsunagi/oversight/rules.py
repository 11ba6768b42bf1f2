"""Rules M1-M5 (seed 002): what counts as done for a municipality, and the prefecture's counts.

Pure functions over plain objects: data in, decision and reason out; no database. The
selectors feed them from the database (and from the directory, for the windows of M1). Every
check takes the date it is asked about, so the history over time is the same rule asked at
earlier dates. Center compliance (J6) lives in `tsunagi.agencies.rules.center_compliance`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Protocol

from django.utils.translation import gettext as _

STEPS = ("window", "survey", "platform", "lead")
RULE_OF = {"window": "M1", "survey": "M2", "platform": "M3", "lead": "M4"}


class SurveyLike(Protocol):
    period_from: date


class PlatformLike(Protocol):
    set_up_on: date


class LeadLike(Protocol):
    since: date
    until: date | None


def window_done(municipality_id: Any, windows: set[Any]) -> bool:
    """rule M1: the municipality has a public consultation window in the directory."""
    return municipality_id in windows


def survey_done(surveys: Iterable[SurveyLike], as_of: date) -> bool:
    """rule M2: at least one needs survey whose period has ended or is running on `as_of`
    (one planned to start later does not count yet)."""
    return any(s.period_from <= as_of for s in surveys)


def platform_done(platforms: Iterable[PlatformLike], as_of: date) -> bool:
    """rule M3: a municipal platform set up on or before `as_of` (meetings are not required)."""
    return any(p.set_up_on <= as_of for p in platforms)


def lead_done(leads: Iterable[LeadLike], as_of: date) -> bool:
    """rule M4: a lead department named and in charge on `as_of`."""
    return any(d.since <= as_of and (d.until is None or d.until > as_of) for d in leads)


def missing_reason(step: str) -> str:
    """Why a municipality counts as not done for a step, in the user's language (M1-M4)."""
    reasons = {
        "window": _("M1: no public consultation window in the directory."),
        "survey": _("M2: no needs survey recorded that has started."),
        "platform": _("M3: no municipal platform set up."),
        "lead": _("M4: no lead department named."),
    }
    return reasons[step]


@dataclass
class MunicipalStatus:
    """One municipality's steps (M1-M4) on a date; `done[step]` is True or False."""

    municipality: Any
    done: dict[str, bool]

    @property
    def missing(self) -> list[str]:
        return [missing_reason(s) for s in STEPS if not self.done[s]]


def status_of(
    municipality: Any,
    *,
    windows: set[Any],
    surveys: Sequence[SurveyLike],
    platforms: Sequence[PlatformLike],
    leads: Sequence[LeadLike],
    as_of: date,
) -> MunicipalStatus:
    """rules M1-M4 for one municipality on `as_of`."""
    return MunicipalStatus(
        municipality,
        {
            "window": window_done(municipality.pk, windows),
            "survey": survey_done(surveys, as_of),
            "platform": platform_done(platforms, as_of),
            "lead": lead_done(leads, as_of),
        },
    )


@dataclass
class Progress:
    """rule M5: how many of the prefecture's municipalities have done each step, and who not."""

    total: int
    done: dict[str, int]
    missing: dict[str, list[Any]] = field(default_factory=dict)

    def label(self, step: str) -> str:
        return f"{self.done[step]}/{self.total}"


def progress(statuses: Sequence[MunicipalStatus]) -> Progress:
    """rule M5: counts per step ("明確化 34/34, プラットフォーム 10/34") and the municipalities
    missing each step, in the order given (code order)."""
    return Progress(
        total=len(statuses),
        done={s: sum(1 for st in statuses if st.done[s]) for s in STEPS},
        missing={s: [st.municipality for st in statuses if not st.done[s]] for s in STEPS},
    )


def quarter_ends(start: date, end: date) -> list[date]:
    """rule M5 history: the last day of each quarter from `start`'s quarter to `end`'s, the
    last point being `end` itself (today's counts)."""
    points = []
    year, quarter = start.year, (start.month - 1) // 3
    while True:
        month = quarter * 3 + 3
        last = (date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)) - timedelta(
            days=1
        )
        if last >= end:
            points.append(end)
            return points
        points.append(last)
        quarter += 1
        if quarter == 4:
            year, quarter = year + 1, 0
