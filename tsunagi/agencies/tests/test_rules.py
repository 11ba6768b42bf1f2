"""Rules J1–J7 as pure functions: plain objects in, decision and reason out."""

from __future__ import annotations

from datetime import time
from types import SimpleNamespace as Obj
from typing import Any

import pytest

from tsunagi.agencies import rules
from tsunagi.agencies.models import AgeBand, AgencyKind, OpeningHours, Qualification

SW = Qualification.SOCIAL_WORKER


def staff(coordinator: bool = True, *quals: str, active: bool = True) -> Obj:
    return Obj(is_coordinator=coordinator, qualifications=list(quals), is_active=active)


def hours(
    days: range | list[int], opens: str = "09:00", closes: str = "17:00"
) -> list[OpeningHours]:
    o, c = time.fromisoformat(opens), time.fromisoformat(closes)
    return [OpeningHours(weekday=d, opens=o, closes=c) for d in days]


WEEKDAYS = range(5)


def test_j6_center_with_one_coordinator_is_not_compliant_with_reason() -> None:
    result = rules.center_compliance([staff(True, SW)], hours(WEEKDAYS))
    assert not result.compliant
    assert result.coordinators == 1
    assert len(result.reasons) == 1
    assert result.reasons[0].startswith("J6")
    assert "2" in result.reasons[0]


def test_j6_two_coordinators_one_professional_five_full_days_is_compliant() -> None:
    result = rules.center_compliance([staff(True, SW), staff(True)], hours(WEEKDAYS))
    assert result.compliant, result.reasons
    assert (result.coordinators, result.professionals, result.open_days) == (2, 1, 5)
    assert result.weekly_hours == 40


def test_j6_no_professional_among_coordinators() -> None:
    # A social worker who is not a coordinator does not count.
    result = rules.center_compliance([staff(True), staff(True), staff(False, SW)], hours(WEEKDAYS))
    assert not result.compliant
    assert result.professionals == 0
    assert any("J6" in r for r in result.reasons)


def test_j6_equivalent_person_counts_as_professional() -> None:
    people = [staff(True, Qualification.EQUIVALENT), staff(True)]
    assert rules.center_compliance(people, hours(WEEKDAYS)).compliant


def test_j6_inactive_staff_do_not_count() -> None:
    people = [staff(True, SW), staff(True, active=False)]
    assert not rules.center_compliance(people, hours(WEEKDAYS)).compliant


@pytest.mark.parametrize(
    ("periods", "failing"),
    [
        (hours(range(4)), 3),  # 4 days: days, full days and weekly hours all short
        (hours(range(6), "09:00", "16:00"), 1),  # 6×7 h = 42 h but no 8-hour day
        (hours(WEEKDAYS, "09:00", "12:00") + hours(WEEKDAYS, "13:00", "18:00"), 0),  # lunch break
    ],
)
def test_j6_opening_standard(periods: list[OpeningHours], failing: int) -> None:
    result = rules.center_compliance([staff(True, SW), staff(True)], periods)
    assert len(result.reasons) == failing, result.reasons


@pytest.mark.parametrize(
    ("age", "band"), [(0, AgeBand.CHILD), (17, AgeBand.CHILD), (18, AgeBand.ADULT), (None, None)]
)
def test_j4_age_band(age: int | None, band: str | None) -> None:
    assert rules.age_band_for(age) == band


def test_j4_center_serves_its_band_only() -> None:
    assert rules.serves_age(AgeBand.CHILD, 17)
    assert not rules.serves_age(AgeBand.CHILD, 18)
    assert rules.serves_age(AgeBand.ADULT, 18)
    assert not rules.serves_age(AgeBand.ADULT, 17)
    assert rules.serves_age(AgeBand.BOTH, 5) and rules.serves_age(AgeBand.BOTH, 80)


def agency(
    pk: int,
    kind: str,
    *,
    pref: int = 39,
    muni: int | None = None,
    band: str = AgeBand.BOTH,
    active: bool = True,
) -> Obj:
    return Obj(
        pk=pk,
        kind=kind,
        operator_level="municipality" if muni else "prefecture",
        operator_prefecture_id=None if muni else pref,
        operator_municipality_id=muni,
        age_band=band,
        is_active=active,
    )


CITY = Obj(pk=100, prefecture_id=39, has_welfare_office=True)
TOWN = Obj(pk=200, prefecture_id=39, has_welfare_office=False)
OTHER_TOWN = Obj(pk=201, prefecture_id=39, has_welfare_office=False)
CITY_AGENCY = agency(1, AgencyKind.SELF_RELIANCE, muni=100)
PREF_EAST = agency(2, AgencyKind.SELF_RELIANCE)
PREF_WEST = agency(3, AgencyKind.SELF_RELIANCE)
AREAS = {1: {100}, 2: {200}, 3: {201}}
SR = [CITY_AGENCY, PREF_EAST, PREF_WEST]


def test_j2_city_with_welfare_office_is_served_by_its_own_agency() -> None:
    result = rules.responsible_self_reliance_agency(CITY, SR, AREAS)
    assert result.agency is CITY_AGENCY
    assert result.reason.startswith("J2")


def test_j2_town_without_welfare_office_is_served_by_the_prefecture() -> None:
    assert rules.responsible_self_reliance_agency(TOWN, SR, AREAS).agency is PREF_EAST
    assert rules.responsible_self_reliance_agency(OTHER_TOWN, SR, AREAS).agency is PREF_WEST


def test_j2_town_that_runs_its_own_welfare_office() -> None:
    town = Obj(pk=300, prefecture_id=39, has_welfare_office=True)
    own = agency(4, AgencyKind.SELF_RELIANCE, muni=300)
    assert rules.responsible_self_reliance_agency(town, [*SR, own], AREAS).agency is own


def test_j2_nothing_registered_says_so() -> None:
    result = rules.responsible_self_reliance_agency(CITY, [PREF_EAST], AREAS)
    assert result.agency is None
    assert result.reason.startswith("J2")


def test_j2_inactive_and_other_kinds_are_ignored() -> None:
    closed = agency(5, AgencyKind.SELF_RELIANCE, muni=100, active=False)
    station = agency(6, AgencyKind.HIKIKOMORI_STATION, muni=100)
    assert rules.responsible_self_reliance_agency(CITY, [closed, station], AREAS).agency is None


def test_j1_j4_hikikomori_agencies_for_area_and_age() -> None:
    adult_center = agency(10, AgencyKind.HIKIKOMORI_CENTER, band=AgeBand.ADULT)
    child_center = agency(11, AgencyKind.HIKIKOMORI_CENTER, band=AgeBand.CHILD)
    station = agency(12, AgencyKind.HIKIKOMORI_STATION, muni=100)
    areas = {10: {100, 200}, 11: {100, 200}, 12: {100}}
    found = rules.responsible_hikikomori_agencies(
        CITY, 35, [adult_center, child_center, station], areas
    )
    assert [r.agency for r in found] == [station, adult_center]
    found = rules.responsible_hikikomori_agencies(
        TOWN, 16, [adult_center, child_center, station], areas
    )
    assert [r.agency for r in found] == [child_center]
    assert found[0].reason.startswith("J4")


def test_j3_paired_agencies_narrowed_by_age_band() -> None:
    adult = agency(10, AgencyKind.HIKIKOMORI_CENTER, band=AgeBand.ADULT)
    child = agency(11, AgencyKind.HIKIKOMORI_CENTER, band=AgeBand.CHILD)
    pairs = [(10, 1), (11, 1), (10, 2)]
    by_pk: dict[Any, Any] = {10: adult, 11: child}
    assert rules.paired_hikikomori_agencies(1, pairs, by_pk) == [adult, child]
    assert rules.paired_hikikomori_agencies(1, pairs, by_pk, age=40) == [adult]
    assert rules.paired_hikikomori_agencies(2, pairs, by_pk, age=15) == []
