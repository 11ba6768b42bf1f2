"""`GET /api/v1/agencies/{id}/compliance`: rule J6, the standard of a hikikomori regional center."""

from __future__ import annotations

from datetime import time

import pytest

from tsunagi.agencies.models import Qualification

from .factories import add_staff, assert_error, weekday_hours

pytestmark = pytest.mark.django_db


def test_j6_a_center_with_one_coordinator_is_not_compliant(world, api):
    add_staff(world.center, "山田 花子", qualifications=[Qualification.SOCIAL_WORKER])
    weekday_hours(world.center)

    response = api(world.staff).get(f"/agencies/{world.center.pk}/compliance")

    assert response.status_code == 200
    result = response.json()
    assert result["rule"] == "J6"
    assert result["compliant"] is False
    assert result["coordinators"] == 1
    assert len(result["reasons"]) == 1
    assert "J6" in result["reasons"][0]


@pytest.mark.smoke
def test_j6_two_coordinators_with_a_social_worker_open_on_weekdays_are_compliant(world, api):
    add_staff(world.center, "山田 花子", qualifications=[Qualification.SOCIAL_WORKER])
    add_staff(world.center, "土佐 一郎")
    weekday_hours(world.center, time(9), time(17))

    result = api(world.staff).get(f"/agencies/{world.center.pk}/compliance").json()

    assert result == {
        "rule": "J6", "compliant": True, "coordinators": 2, "professionals": 1, "open_days": 5,
        "full_days": 5, "weekly_hours": 40.0, "reasons": [],
    }  # fmt: skip


def test_j6_without_a_professional_the_reason_says_so(world, api):
    add_staff(world.center, "山田 花子")
    add_staff(world.center, "土佐 一郎")
    weekday_hours(world.center)

    result = api(world.staff).get(f"/agencies/{world.center.pk}/compliance").json()

    assert result["compliant"] is False
    assert result["professionals"] == 0
    assert [r[:3] for r in result["reasons"]] == ["J6:"]


def test_j6_short_hours_are_a_reason(world, api):
    add_staff(world.center, "山田 花子", qualifications=[Qualification.PUBLIC_HEALTH_NURSE])
    add_staff(world.center, "土佐 一郎")
    weekday_hours(world.center, time(10), time(16))

    result = api(world.staff).get(f"/agencies/{world.center.pk}/compliance").json()

    assert result["compliant"] is False
    assert result["weekly_hours"] == 30.0
    assert len(result["reasons"]) == 2  # 8 hours a day, 40 hours a week


def test_j6_only_applies_to_regional_centers(world, api):
    response = api(world.staff).get(f"/agencies/{world.city_self_reliance.pk}/compliance")

    assert_error(response, 404)


def test_j6_compliance_of_an_unknown_agency_is_404(world, api):
    assert_error(api(world.staff).get("/agencies/999999/compliance"), 404)
