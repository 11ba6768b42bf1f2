"""Reads of municipal structures, filtered by the access module (Kind.MUNICIPAL_STRUCTURE).

A municipality's officers see and record their municipality; the prefecture's officers follow
every municipality of the prefecture (M5) and record only a platform set up jointly with it (M3);
the operator of a national installation sees the counts per prefecture, never a municipality's
records.
Nothing here is personal: surveys hold estimates, compliance holds counts.
"""

from __future__ import annotations

import inspect
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagi.access.policy import Action, Denied, Kind, can, is_operator, require, scope
from tsunagi.agencies.models import Agency, AgencyKind, OpeningHours, StaffMember
from tsunagi.agencies.rules import Compliance, center_compliance
from tsunagi.jurisdictions.models import Municipality, Prefecture
from tsunagi.web.text import normalize_text

from . import rules
from .models import LeadDepartment, MunicipalPlatform, NeedsSurvey

KIND = Kind.MUNICIPAL_STRUCTURE
HISTORY_YEARS = 2


def probe(municipality: Municipality) -> LeadDepartment:
    """An unsaved record of the municipality, for asking the access module before any exists
    (a lead department or a survey: the municipality's own officers change it)."""
    return LeadDepartment(municipality=municipality)


def platform_probe(municipality: Municipality, *, joint: bool) -> MunicipalPlatform:
    """An unsaved platform of the municipality: the prefecture's officers may change one set up
    jointly with the prefecture (rule M3), the municipality's officers any."""
    return MunicipalPlatform(municipality=municipality, joint_with_prefecture=joint)


def may_change_platform(
    user: Any, municipality: Municipality, current: MunicipalPlatform | None
) -> bool:
    """rule M3: whether the user may record (no platform yet: as a joint one at least) or change
    the current platform of the municipality."""
    if current is not None:
        return can(user, Action.CHANGE, KIND, current)
    return can(user, Action.CHANGE, KIND, platform_probe(municipality, joint=True))


def may_record_own(user: Any, municipality: Municipality) -> bool:
    """rules M2, M4 (and a platform that is not joint, M3): the municipality's own officers."""
    return can(user, Action.CHANGE, KIND, probe(municipality))


def municipality_for(user: Any, code: str, action: Action = Action.VIEW) -> Municipality:
    """The municipality by its code (5 digits; the 6-digit local government code is accepted),
    or 404 when it does not exist or its structures may not be seen; 403 for a change the user's
    role does not allow."""
    wanted = normalize_text(code)[:5]
    municipality = (
        Municipality.objects.select_related("prefecture").filter(code=wanted).first()
        if wanted.isascii() and wanted.isdigit()
        else None
    )
    if municipality is None or not can(user, Action.VIEW, KIND, probe(municipality)):
        raise Http404
    require(user, action, KIND, probe(municipality))
    return municipality


def prefecture_for(user: Any, code: str) -> Prefecture:
    """The prefecture whose progress the user may follow (M5): every one of its municipalities
    must be visible to them. A municipal officer is refused (403); an outsider gets 404."""
    wanted = normalize_text(code or "").zfill(2)
    if not (len(wanted) == 2 and wanted.isascii() and wanted.isdigit()):
        # a NUL byte or any other text never reaches the database
        raise ValidationError({"prefecture": [_("Enter the prefecture code as two digits.")]})
    prefecture = Prefecture.objects.filter(code=wanted).first()
    if prefecture is None or not can(user, Action.VIEW, KIND):
        raise Http404
    towns = list(Municipality.objects.filter(prefecture=prefecture, abolished_on__isnull=True))
    if not all(can(user, Action.VIEW, KIND, probe(m)) for m in towns):
        raise Denied("the prefecture's progress is for its officers")
    return prefecture


def may_follow(user: Any, prefecture: Prefecture) -> bool:
    try:
        prefecture_for(user, prefecture.code)
    except (Http404, Denied):
        return False
    return True


# --- one municipality ----------------------------------------------------------------------


def lead_departments(user: Any, municipality: Municipality) -> QuerySet[LeadDepartment]:
    """Current first, then the history."""
    return scope(user, KIND, LeadDepartment.objects.filter(municipality=municipality)).order_by(
        F("until").desc(nulls_first=True), "-since", "-pk"
    )


def current_lead(user: Any, municipality: Municipality) -> LeadDepartment | None:
    return lead_departments(user, municipality).filter(until__isnull=True).first()


def surveys(user: Any, municipality: Municipality) -> QuerySet[NeedsSurvey]:
    return scope(user, KIND, NeedsSurvey.objects.filter(municipality=municipality)).order_by(
        "-period_from", "-pk"
    )


def platform_versions(user: Any, municipality: Municipality) -> QuerySet[MunicipalPlatform]:
    return (
        scope(user, KIND, MunicipalPlatform.objects.filter(municipality=municipality))
        .prefetch_related(Prefetch("member_agencies", queryset=Agency.objects.order_by("name")))
        .order_by("-version")
    )


def current_platform(user: Any, municipality: Municipality) -> MunicipalPlatform | None:
    return platform_versions(user, municipality).filter(valid_until__isnull=True).first()


# --- the prefecture (M5) --------------------------------------------------------------------


def _window_source() -> Any:
    """`tsunagi.directory.selectors.municipalities_with_window(prefecture_id) -> set[int]`
    (rule M1), or None while the directory does not provide it."""
    try:
        from tsunagi.directory import selectors as directory
    except ImportError:
        return None
    return getattr(directory, "municipalities_with_window", None)


def windows(prefecture_id: int, as_of: date | None = None) -> set[int] | None:
    """rule M1: the municipalities of the prefecture with a public window (on `as_of` when the
    directory can tell; None when it cannot answer for that date)."""
    source = _window_source()
    if source is None:
        return set() if as_of is None else None
    if as_of is None:
        return set(source(prefecture_id))
    if "as_of" in inspect.signature(source).parameters:
        return set(source(prefecture_id, as_of=as_of))
    return None


@dataclass
class PrefectureProgress:
    """rule M5 for one prefecture: today's statuses and counts, and counts as of past dates."""

    prefecture: Prefecture
    as_of: date
    statuses: list[rules.MunicipalStatus]
    progress: rules.Progress
    history: list[dict[str, Any]]


def _rows_by_town(model: Any, prefecture: Prefecture) -> dict[int, list[Any]]:
    rows: dict[int, list[Any]] = defaultdict(list)
    for row in model.objects.filter(municipality__prefecture=prefecture):
        rows[row.municipality_id].append(row)
    return rows


def prefecture_progress(
    user: Any, prefecture: Prefecture, as_of: date | None = None
) -> PrefectureProgress:
    """rule M5: for each municipality of the prefecture (code order) whether it has done M1-M4,
    the counts, and the counts at each quarter's end over the last two years. The caller has
    checked access with `prefecture_for`."""
    today = as_of or timezone.localdate()
    towns = list(
        Municipality.objects.filter(prefecture=prefecture, abolished_on__isnull=True).order_by(
            "code"
        )
    )
    data = {
        "surveys": _rows_by_town(NeedsSurvey, prefecture),
        "platforms": _rows_by_town(MunicipalPlatform, prefecture),
        "leads": _rows_by_town(LeadDepartment, prefecture),
    }

    def statuses_on(day: date, with_windows: set[int]) -> list[rules.MunicipalStatus]:
        return [
            rules.status_of(
                m,
                windows=with_windows,
                surveys=data["surveys"].get(m.pk, []),
                platforms=data["platforms"].get(m.pk, []),
                leads=data["leads"].get(m.pk, []),
                as_of=day,
            )
            for m in towns
        ]

    now = statuses_on(today, windows(prefecture.pk) or set())
    start = date(today.year - HISTORY_YEARS, today.month, 1)
    history = []
    for point in rules.quarter_ends(start, today):
        past_windows = windows(prefecture.pk, as_of=point) if point != today else None
        window_count: int | None
        if point == today:
            counted, window_count = rules.progress(now), rules.progress(now).done["window"]
        else:
            counted = rules.progress(statuses_on(point, past_windows or set()))
            window_count = counted.done["window"] if past_windows is not None else None
        history.append(
            {
                "date": point,
                "total": counted.total,
                "window": window_count,
                "survey": counted.done["survey"],
                "platform": counted.done["platform"],
                "lead": counted.done["lead"],
            }
        )
    return PrefectureProgress(prefecture, today, now, rules.progress(now), history)


def national_progress(user: Any, as_of: date | None = None) -> list[tuple[Prefecture, Any]]:
    """rule M5 across the installation: counts per prefecture only (aggregates). The operator of
    a national installation sees every prefecture (explicitly: the operator sees no single
    municipality's records); a prefecture's officer the prefectures they follow; others 404.

    Only current municipalities count (like the prefecture's own view): the structures of a
    municipality abolished in a merger are not counted, so a row never shows more done than
    there are municipalities."""
    today = as_of or timezone.localdate()
    operator = is_operator(user)
    if not operator and not can(user, Action.VIEW, KIND):
        raise Http404
    current = {"municipality__abolished_on__isnull": True}
    counts: dict[str, dict[int, set[int]]] = {
        "survey": defaultdict(set),
        "platform": defaultdict(set),
        "lead": defaultdict(set),
    }
    # the same tests as rules.survey_done / platform_done / lead_done on `today`
    for m_id, p_id in NeedsSurvey.objects.filter(period_from__lte=today, **current).values_list(
        "municipality_id", "municipality__prefecture_id"
    ):
        counts["survey"][p_id].add(m_id)
    for m_id, p_id in MunicipalPlatform.objects.filter(set_up_on__lte=today, **current).values_list(
        "municipality_id", "municipality__prefecture_id"
    ):
        counts["platform"][p_id].add(m_id)
    leads = LeadDepartment.objects.filter(since__lte=today, **current).filter(
        Q(until__isnull=True) | Q(until__gt=today)
    )
    for m_id, p_id in leads.values_list("municipality_id", "municipality__prefecture_id"):
        counts["lead"][p_id].add(m_id)
    towns: dict[int, set[int]] = defaultdict(set)
    for m_id, p_id in Municipality.objects.filter(abolished_on__isnull=True).values_list(
        "pk", "prefecture_id"
    ):
        towns[p_id].add(m_id)
    result = []
    for prefecture in Prefecture.objects.order_by("code"):
        if not operator and not may_follow(user, prefecture):
            continue
        current_towns = towns[prefecture.pk]
        with_window = (windows(prefecture.pk) or set()) & current_towns
        result.append(
            (
                prefecture,
                rules.Progress(
                    total=len(current_towns),
                    done={
                        "window": len(with_window),
                        **{step: len(counts[step][prefecture.pk]) for step in counts},
                    },
                ),
            )
        )
    if not operator and not result:
        raise Http404  # a municipality's officers see their own page, not the counts
    return result


# --- center compliance (J6) -----------------------------------------------------------------


def centers_compliance(user: Any, prefecture: Prefecture) -> list[tuple[Agency, Compliance]]:
    """rule J6 for every active hikikomori regional support center of the prefecture, from its
    registered staff and opening hours (counts and reasons only, no names)."""
    centers = (
        scope(user, Kind.AGENCY, Agency.objects.all())
        .filter(prefecture=prefecture, kind=AgencyKind.HIKIKOMORI_CENTER, is_active=True)
        .prefetch_related(
            Prefetch("staff", queryset=StaffMember.objects.filter(is_active=True)),
            Prefetch("opening_hours", queryset=OpeningHours.objects.all()),
        )
        .order_by("name")
    )
    return [
        (c, center_compliance(list(c.staff.all()), list(c.opening_hours.all()))) for c in centers
    ]


def missing_rows(progress: rules.Progress) -> Sequence[tuple[str, list[Any]]]:
    return [(step, progress.missing[step]) for step in rules.STEPS]
