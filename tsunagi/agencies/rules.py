"""Rules about agencies and jurisdiction: J2 (responsible self-reliance agency), J3/J4 (the
hikikomori agency for an area and age), J6 (center compliance).

Pure functions over plain objects: data in, decision and reason out; no database writes. The
selectors in `selectors.py` feed them from the database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.utils.translation import gettext as _

from .models import AgeBand, AgencyKind, Qualification

ADULT_AGE = 18

# rule J6: 社会福祉士, 精神保健福祉士, 保健師 "等" — and a person of equivalent ability where those
# cannot be had (004 第2 3(3)ア). 公認心理師 is a national qualification for the same work.
PROFESSIONAL_QUALIFICATIONS = frozenset(
    {
        Qualification.SOCIAL_WORKER,
        Qualification.PSYCHIATRIC_SOCIAL_WORKER,
        Qualification.PUBLIC_HEALTH_NURSE,
        Qualification.CERTIFIED_PSYCHOLOGIST,
        Qualification.EQUIVALENT,
    }
)
MIN_COORDINATORS = 2
MIN_PROFESSIONALS = 1
MIN_OPEN_DAYS = 5
MIN_HOURS_PER_DAY = 8.0
MIN_HOURS_PER_WEEK = 40.0


class StaffLike(Protocol):
    is_coordinator: bool
    is_active: bool
    qualifications: list[str]


class HoursLike(Protocol):
    weekday: int

    @property
    def hours(self) -> float: ...


@dataclass
class Compliance:
    """rule J6: whether a center meets the staffing and opening standard, and why not."""

    compliant: bool
    coordinators: int
    professionals: int
    open_days: int
    full_days: int
    weekly_hours: float
    reasons: list[str] = field(default_factory=list)


def center_compliance(staff: Iterable[StaffLike], hours: Iterable[HoursLike]) -> Compliance:
    """rule J6: ≥2 coordinators, ≥1 of them a professional; open ≥5 days, 8 h a day, 40 h a week."""
    coordinators = [s for s in staff if s.is_active and s.is_coordinator]
    professionals = [
        s for s in coordinators if PROFESSIONAL_QUALIFICATIONS.intersection(s.qualifications)
    ]
    per_day: dict[int, float] = defaultdict(float)
    for period in hours:
        per_day[period.weekday] += period.hours
    open_days = sum(1 for h in per_day.values() if h > 0)
    full_days = sum(1 for h in per_day.values() if h >= MIN_HOURS_PER_DAY)
    weekly = round(sum(per_day.values()), 2)

    reasons = []
    if len(coordinators) < MIN_COORDINATORS:
        reasons.append(
            _("J6: %(n)d hikikomori support coordinator(s); at least %(min)d are required.")
            % {"n": len(coordinators), "min": MIN_COORDINATORS}
        )
    if len(professionals) < MIN_PROFESSIONALS:
        reasons.append(
            _(
                "J6: no coordinator holds a professional qualification (certified social worker, "
                "psychiatric social worker, public health nurse or equivalent)."
            )
        )
    if open_days < MIN_OPEN_DAYS:
        reasons.append(
            _("J6: open %(n)d day(s) a week; at least %(min)d are expected.")
            % {"n": open_days, "min": MIN_OPEN_DAYS}
        )
    if full_days < MIN_OPEN_DAYS:
        reasons.append(
            _("J6: open 8 hours on %(n)d day(s) a week; 8 hours on %(min)d days are expected.")
            % {"n": full_days, "min": MIN_OPEN_DAYS}
        )
    if weekly < MIN_HOURS_PER_WEEK:
        reasons.append(
            _("J6: open %(h)s hours a week; at least %(min)d are expected.")
            % {"h": f"{weekly:g}", "min": int(MIN_HOURS_PER_WEEK)}
        )
    return Compliance(
        compliant=not reasons,
        coordinators=len(coordinators),
        professionals=len(professionals),
        open_days=open_days,
        full_days=full_days,
        weekly_hours=weekly,
        reasons=reasons,
    )


def age_band_for(age: int | None) -> str | None:
    """rule J4: under 18 is a child, 18 and over an adult; unknown age decides nothing."""
    if age is None:
        return None
    return AgeBand.CHILD if age < ADULT_AGE else AgeBand.ADULT


def serves_age(agency_band: str, age: int | None) -> bool:
    """rule J4: does an agency with this age band serve a person of this age?"""
    band = age_band_for(age)
    return agency_band == AgeBand.BOTH or band is None or agency_band == band


class AgencyLike(Protocol):
    pk: Any
    kind: str
    operator_level: str
    operator_prefecture_id: Any
    operator_municipality_id: Any
    age_band: str
    is_active: bool


class MunicipalityLike(Protocol):
    pk: Any
    prefecture_id: Any
    has_welfare_office: bool


@dataclass
class Resolution:
    """The agency a rule points at, with the reason in the user's language."""

    agency: Any | None
    reason: str


def responsible_self_reliance_agency(
    municipality: MunicipalityLike,
    agencies: Sequence[AgencyLike],
    area_of: dict[Any, set[Any]],
) -> Resolution:
    """rule J2: the self-reliance agency of the welfare-office municipality covering an address.

    `agencies` are the candidate self-reliance agencies, `area_of` maps an agency's pk to the
    pks of the municipalities it serves. A municipality with a welfare office is served by the
    agency it set up; a town or village without one by its prefecture's agency — the one whose
    area includes it when the prefecture runs several.
    """
    candidates = [a for a in agencies if a.is_active and a.kind == AgencyKind.SELF_RELIANCE]
    if municipality.has_welfare_office:
        own = [a for a in candidates if a.operator_municipality_id == municipality.pk]
        covering = [a for a in own if municipality.pk in area_of.get(a.pk, set())] or own
        if covering:
            return Resolution(
                covering[0],
                _("J2: the municipality runs a welfare office, so its own agency is responsible."),
            )
        return Resolution(
            None,
            _(
                "J2: the municipality runs a welfare office but no self-reliance agency of it is "
                "registered."
            ),
        )
    by_prefecture = [
        a
        for a in candidates
        if a.operator_prefecture_id == municipality.prefecture_id
        and a.operator_municipality_id is None
    ]
    covering = [a for a in by_prefecture if municipality.pk in area_of.get(a.pk, set())]
    chosen = covering or by_prefecture
    if chosen:
        return Resolution(
            chosen[0],
            _(
                "J2: the town or village runs no welfare office, so the prefecture's agency is "
                "responsible."
            ),
        )
    return Resolution(
        None, _("J2: no self-reliance agency of the prefecture is registered for this area.")
    )


def responsible_hikikomori_agencies(
    municipality: MunicipalityLike,
    age: int | None,
    agencies: Sequence[AgencyLike],
    area_of: dict[Any, set[Any]],
) -> list[Resolution]:
    """rules J1/J4: hikikomori agencies serving the municipality and the person's age band.

    Nearest first: a municipal station or programme of the municipality, then centers that
    cover it (a prefecture's or designated city's), each filtered by age band (J4).
    """
    found = []
    for agency in agencies:
        if not agency.is_active or agency.kind not in (
            AgencyKind.HIKIKOMORI_CENTER,
            AgencyKind.HIKIKOMORI_STATION,
            AgencyKind.HIKIKOMORI_PROGRAMME,
        ):
            continue
        if municipality.pk not in area_of.get(agency.pk, set()):
            continue
        if not serves_age(agency.age_band, age):
            continue
        found.append(agency)
    order = {
        AgencyKind.HIKIKOMORI_STATION: 0,
        AgencyKind.HIKIKOMORI_PROGRAMME: 1,
        AgencyKind.HIKIKOMORI_CENTER: 2,
    }
    found.sort(key=lambda a: (order[AgencyKind(a.kind)], a.age_band == AgeBand.BOTH))
    band = age_band_for(age)
    return [
        Resolution(
            a,
            _("J4: serves this area and the person's age band.")
            if band
            else _("J1: serves this area."),
        )
        for a in found
    ]


def paired_hikikomori_agencies(
    self_reliance_agency_pk: Any,
    pairings: Iterable[tuple[Any, Any]],
    agencies_by_pk: dict[Any, AgencyLike],
    age: int | None = None,
) -> list[Any]:
    """rule J3: the hikikomori agencies the prefecture paired with a self-reliance agency,
    narrowed to the person's age band (J4)."""
    return [
        agencies_by_pk[h]
        for h, s in pairings
        if s == self_reliance_agency_pk
        and h in agencies_by_pk
        and serves_age(agencies_by_pk[h].age_band, age)
    ]
