"""The agency registry's state changes: access, validation, audit (style.md: one function each)."""

from __future__ import annotations

from datetime import time
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from tsunagi.access.models import AuditEvent
from tsunagi.access.policy import Denied
from tsunagi.accounts.models import Membership, Role, User
from tsunagi.agencies import selectors, services
from tsunagi.agencies.models import (
    GOVERNMENT_OFFICE_KINDS,
    HIKIKOMORI_KINDS,
    LINKED_KINDS,
    Agency,
    AgencyKind,
    NetworkKind,
    OperatorLevel,
)
from tsunagi.jurisdictions.models import Municipality, Prefecture

pytestmark = pytest.mark.django_db


def make_user(name: str, agency: Agency | None, role: Role) -> User:
    user = User.objects.create_user(username=name, password="x")
    Membership.objects.create(user=user, agency=agency, role=role)
    return user


@pytest.fixture
def kochi() -> Prefecture:
    return Prefecture.objects.get(code="39")


@pytest.fixture
def office(kochi: Prefecture) -> Agency:
    return Agency.objects.create(
        name="県庁",
        kind=AgencyKind.PREFECTURAL_OFFICE,
        operator_level=OperatorLevel.PREFECTURE,
        prefecture=kochi,
    )


@pytest.fixture
def officer(office: Agency) -> User:
    return make_user("officer", office, Role.PREFECTURAL_OFFICER)


def center_data(kochi: Prefecture, **extra: Any) -> dict[str, Any]:
    return {
        "name": "センター",
        "kind": AgencyKind.HIKIKOMORI_CENTER,
        "operator_level": OperatorLevel.PREFECTURE,
        "prefecture": kochi,
        **extra,
    }


def test_r7_every_linked_system_is_an_agency_kind() -> None:
    """rule R7: the linked systems the referral rules will propose exist as agency kinds."""
    labels = {k.value for k in LINKED_KINDS}
    for kind in (
        "welfare_office",
        "hello_work",
        "youth_support_station",
        "mental_health_center",
        "public_health_center",
        "community_general_support",
        "disability_employment_life",
        "debt_consultation",
        "legal_support",
        "housing_support_council",
        "child_youth_consultation",
        "suicide_prevention",
        "education_board",
        "probation_office",
        "pension_insurance",
        "agriculture_work",
    ):
        assert kind in labels
    assert set(HIKIKOMORI_KINDS).isdisjoint(LINKED_KINDS)
    assert set(GOVERNMENT_OFFICE_KINDS).isdisjoint(LINKED_KINDS)


def test_j1_hikikomori_agency_kinds() -> None:
    assert set(HIKIKOMORI_KINDS) == {
        AgencyKind.HIKIKOMORI_CENTER,
        AgencyKind.HIKIKOMORI_STATION,
        AgencyKind.HIKIKOMORI_PROGRAMME,
    }


def test_officer_registers_agency_and_it_is_audited(kochi: Prefecture, officer: User) -> None:
    area = list(Municipality.objects.filter(prefecture=kochi)[:3])
    agency = services.create_agency(officer, data=center_data(kochi), area=area)
    assert list(agency.area.order_by("code")) == sorted(area, key=lambda m: m.code)
    event = AuditEvent.objects.get(action="agency.created", record_id=str(agency.pk))
    assert event.actor == officer and event.agency_id == agency.pk


def test_officer_cannot_register_in_another_prefecture(officer: User) -> None:
    tokyo = Prefecture.objects.get(code="13")
    with pytest.raises(Denied):
        services.create_agency(officer, data=center_data(tokyo))


def test_staff_cannot_register(kochi: Prefecture, office: Agency) -> None:
    staff = make_user("staff", office, Role.STAFF)
    with pytest.raises(Denied):
        services.create_agency(staff, data=center_data(kochi))


def test_area_outside_prefecture_is_refused(kochi: Prefecture, officer: User) -> None:
    with pytest.raises(ValidationError) as exc:
        services.create_agency(
            officer, data=center_data(kochi), area=[Municipality.objects.get(code="13101")]
        )
    assert "area" in exc.value.message_dict


def test_j2_self_reliance_agency_is_set_up_by_a_welfare_office_body(
    kochi: Prefecture, officer: User
) -> None:
    data = center_data(kochi, kind=AgencyKind.SELF_RELIANCE, operator_level=OperatorLevel.PRIVATE)
    with pytest.raises(ValidationError) as exc:
        services.create_agency(officer, data=data)
    assert "operator_level" in exc.value.message_dict


def test_j2_resolution_against_the_registry(kochi: Prefecture, officer: User) -> None:
    city = Municipality.objects.get(code="39201")  # 高知市
    town = Municipality.objects.filter(prefecture=kochi, kind="town").first()
    assert town is not None and not town.has_welfare_office
    city_agency = services.create_agency(
        officer,
        data=center_data(
            kochi,
            name="高知市",
            kind=AgencyKind.SELF_RELIANCE,
            operator_level=OperatorLevel.MUNICIPALITY,
            operator_municipality=city,
        ),
        area=[city],
    )
    pref_agency = services.create_agency(
        officer, data=center_data(kochi, name="県", kind=AgencyKind.SELF_RELIANCE), area=[town]
    )
    assert selectors.responsible_self_reliance_agency(city).agency == city_agency
    assert selectors.responsible_self_reliance_agency(town).agency == pref_agency


def test_manager_edits_own_agency_with_version_check(kochi: Prefecture, officer: User) -> None:
    agency = services.create_agency(officer, data=center_data(kochi))
    manager = make_user("manager", agency, Role.MANAGER)
    services.update_agency(manager, agency, data={"phone": "088-000-0000"}, version=1)
    agency.refresh_from_db()
    assert agency.version == 2 and agency.phone == "088-000-0000"
    event = AuditEvent.objects.get(action="agency.changed")
    assert event.detail["changes"]["phone"] == ["", "088-000-0000"]
    with pytest.raises(services.EditConflict):
        services.update_agency(manager, agency, data={"phone": "088-111-1111"}, version=1)
    agency.refresh_from_db()
    assert agency.phone == "088-000-0000"


def test_outsider_gets_not_found_not_a_hint(kochi: Prefecture, officer: User) -> None:
    agency = services.create_agency(officer, data=center_data(kochi))
    supporter = make_user("supporter", agency, Role.SUPPORTER)
    with pytest.raises(Http404):
        services.update_agency(supporter, agency, data={"phone": "1"})


def test_opening_hours_overlap_is_refused(kochi: Prefecture, officer: User) -> None:
    agency = services.create_agency(officer, data=center_data(kochi))
    with pytest.raises(ValidationError):
        services.set_opening_hours(
            officer, agency, [(0, time(9), time(13)), (0, time(12), time(17))]
        )
    rows = services.set_opening_hours(
        officer, agency, [(0, time(9), time(12)), (0, time(13), time(17))]
    )
    assert len(rows) == 2


def test_j3_pairing_only_between_the_two_kinds(kochi: Prefecture, officer: User) -> None:
    center = services.create_agency(officer, data=center_data(kochi))
    sr = services.create_agency(
        officer, data=center_data(kochi, name="SR", kind=AgencyKind.SELF_RELIANCE)
    )
    pairing = services.add_pairing(officer, hikikomori_agency=center, self_reliance_agency=sr)
    assert pairing.prefecture == kochi
    with pytest.raises(ValidationError):
        services.add_pairing(officer, hikikomori_agency=center, self_reliance_agency=sr)
    with pytest.raises(ValidationError):
        services.add_pairing(officer, hikikomori_agency=sr, self_reliance_agency=center)
    services.remove_pairing(officer, pairing)
    assert AuditEvent.objects.filter(action="pairing.removed").count() == 1


def test_j7_network_membership_is_recorded(kochi: Prefecture, officer: User) -> None:
    center = services.create_agency(officer, data=center_data(kochi))
    others = [
        services.create_agency(
            officer, data=center_data(kochi, name=f"機関{i}", kind=AgencyKind.HELLO_WORK)
        )
        for i in range(3)
    ]
    manager = make_user("manager", center, Role.MANAGER)
    network = services.save_network(
        manager,
        convenor=center,
        members=[center, *others],
        data={"name": "連絡協議会", "kind": NetworkKind.LIAISON_COUNCIL},
    )
    assert set(network.members.all()) == set(others)  # the convenor is not its own member
    assert AuditEvent.objects.filter(action="network.created").exists()
