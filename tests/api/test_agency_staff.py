"""`/api/v1/agencies/{id}/staff`: who works at an agency, seen by its members and the prefecture."""

from __future__ import annotations

import pytest

from tsunagi.access.models import AuditEvent
from tsunagi.agencies.models import Qualification, StaffMember

from .factories import add_staff, assert_error, field_errors

pytestmark = pytest.mark.django_db


@pytest.fixture
def center_staff(world):
    add_staff(world.center, "山田 花子", qualifications=[Qualification.SOCIAL_WORKER])
    add_staff(world.center, "土佐 一郎", coordinator=False)


@pytest.mark.parametrize("who", ["staff", "manager", "auditor", "prefectural_officer", "operator"])
def test_the_agencys_members_and_the_prefecture_see_its_staff(world, api, center_staff, who):
    response = api(getattr(world, who)).get(f"/agencies/{world.center.pk}/staff")

    assert response.status_code == 200, response.content
    names = {s["name"] for s in response.json()}
    assert names == {"山田 花子", "土佐 一郎"}


def test_a_staff_member_shows_coordinator_and_qualifications(world, api, center_staff):
    staff = api(world.staff).get(f"/agencies/{world.center.pk}/staff").json()

    yamada = next(s for s in staff if s["name"] == "山田 花子")
    assert yamada["is_coordinator"] is True
    assert yamada["qualifications"] == ["social_worker"]


@pytest.mark.parametrize(
    "who", ["other_staff", "municipal_officer", "dispatch_coordinator", "tokyo_officer"]
)
def test_staff_of_other_bodies_do_not_see_the_staff_list(world, api, center_staff, who):
    assert_error(api(getattr(world, who)).get(f"/agencies/{world.center.pk}/staff"), 404)


def test_the_manager_adds_a_staff_member(world, api):
    response = api(world.manager).post(
        f"/agencies/{world.center.pk}/staff",
        {"name": "四万十　次郎", "name_kana": "しまんと じろう", "is_coordinator": True,
         "qualifications": ["psychiatric_social_worker"]},
    )  # fmt: skip

    assert response.status_code == 201, response.content
    assert response.json()["name"] == "四万十 次郎"
    assert response.json()["name_kana"] == "シマントジロウ"
    member = StaffMember.objects.get(pk=response.json()["id"])
    assert member.agency == world.center
    assert AuditEvent.objects.filter(action="staff.created", agency=world.center).exists()


def test_the_manager_changes_a_staff_member(world, api, center_staff):
    yamada = StaffMember.objects.get(name="山田 花子")

    response = api(world.manager).put(
        f"/agencies/{world.center.pk}/staff/{yamada.pk}",
        {"name": "山田 花子", "is_coordinator": False, "is_active": False},
    )

    assert response.status_code == 200
    yamada.refresh_from_db()
    assert (yamada.is_coordinator, yamada.is_active) == (False, False)


def test_an_unknown_qualification_is_refused(world, api):
    response = api(world.manager).post(
        f"/agencies/{world.center.pk}/staff", {"name": "山田", "qualifications": ["wizard"]}
    )

    assert field_errors(response, "qualifications.0")


def test_staff_cannot_add_a_staff_member(world, api):
    response = api(world.staff).post(f"/agencies/{world.center.pk}/staff", {"name": "山田"})

    assert_error(response, 403)
    assert not StaffMember.objects.exists()


def test_the_manager_of_another_agency_cannot_add_staff_here(world, api):
    response = api(world.manager).post(
        f"/agencies/{world.city_self_reliance.pk}/staff", {"name": "山田"}
    )

    assert_error(response, 404)  # they may not even see that agency's staff
    assert not StaffMember.objects.exists()
