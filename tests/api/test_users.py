"""`/api/v1/users`: accounts and roles. The operator creates anyone; a manager only their staff."""

from __future__ import annotations

from typing import Any

import pytest

from tsunagi.access.models import AuditEvent
from tsunagi.accounts.models import Membership, User

from .factories import JAPANESE, assert_error, field_errors, issue_token

pytestmark = pytest.mark.django_db


def new_user(**changes: Any) -> dict[str, Any]:
    return {
        "username": "ｎｅｗ-ｃｏｍｅｒ",
        "full_name": "新人　太郎",
        "full_name_kana": "しんじん たろう",
        "email": "new@example.jp",
        "password": "katsuo-tataki-2025",
        **changes,
    }


def test_the_operator_creates_a_user_with_a_role(world, api):
    payload = new_user(agency_id=world.center.pk, role="staff")

    response = api(world.operator).post("/users", payload)

    assert response.status_code == 201, response.content
    user = response.json()
    assert user["username"] == "new-comer"
    assert user["full_name"] == "新人 太郎"
    assert [(m["agency_id"], m["role"]) for m in user["memberships"]] == [
        (world.center.pk, "staff")
    ]
    assert AuditEvent.objects.filter(action="user.created", actor=world.operator).exists()
    granted = AuditEvent.objects.get(action="membership.granted")
    assert granted.agency == world.center
    assert granted.detail["to"] == "staff"
    assert issue_token("new-comer", "katsuo-tataki-2025").status_code == 200


def test_the_operator_creates_another_operator(world, api):
    response = api(world.operator).post("/users", new_user(role="operator"))

    assert response.status_code == 201, response.content
    assert response.json()["memberships"][0]["agency_id"] is None


def test_a_manager_creates_a_staff_member_of_their_agency(world, api):
    response = api(world.manager).post("/users", new_user(agency_id=world.center.pk, role="staff"))

    assert response.status_code == 201, response.content
    assert Membership.objects.get(user__username="new-comer").agency == world.center


def test_a_manager_cannot_create_an_operator(world, api):
    response = api(world.manager).post("/users", new_user(role="operator"))

    # An installation-wide membership is not even visible to a manager: 404, not 403.
    assert_error(response, 404)
    assert not User.objects.filter(username="new-comer").exists()
    assert not AuditEvent.objects.filter(action="user.created").exists()


def test_a_manager_cannot_create_a_user_in_another_agency(world, api):
    payload = new_user(agency_id=world.city_self_reliance.pk, role="staff")

    response = api(world.manager).post("/users", payload)

    assert_error(response, 404)  # memberships of another agency are not theirs to see
    assert not User.objects.filter(username="new-comer").exists()


@pytest.mark.parametrize("role", ["supporter", "auditor", "prefectural_officer"])
def test_a_manager_hands_out_only_staff_and_manager_roles(world, api, role):
    payload = new_user(agency_id=world.center.pk, role=role)

    response = api(world.manager).post("/users", payload)

    assert_error(response, 403)  # their own agency's membership, but not a role they hand out
    assert not User.objects.filter(username="new-comer").exists()


@pytest.mark.parametrize("who", ["staff", "prefectural_officer", "auditor", "supporter"])
def test_other_roles_cannot_create_users(world, api, who):
    response = api(getattr(world, who)).post(
        "/users", new_user(agency_id=world.center.pk, role="staff")
    )

    assert_error(response, 404)  # users other than themselves are not theirs to see
    assert not User.objects.filter(username="new-comer").exists()


def test_a_weak_password_is_refused_in_japanese(world, api):
    payload = new_user(agency_id=world.center.pk, role="staff", password="1234")

    messages = field_errors(api(world.operator).post("/users", payload), "password")

    assert all(JAPANESE.search(m) for m in messages), messages
    assert not User.objects.filter(username="new-comer").exists()


def test_a_taken_user_name_is_refused(world, api):
    payload = new_user(username="STAFF", agency_id=world.center.pk, role="staff")

    messages = field_errors(api(world.operator).post("/users", payload), "username")

    assert JAPANESE.search(messages[0]), messages
    assert User.objects.filter(username__iexact="staff").count() == 1


def test_an_operator_in_an_agency_is_refused(world, api):
    payload = new_user(agency_id=world.center.pk, role="operator")

    assert field_errors(api(world.operator).post("/users", payload), "agency")
    assert not User.objects.filter(username="new-comer").exists()


def test_an_unknown_role_is_refused(world, api):
    payload = new_user(agency_id=world.center.pk, role="king")

    assert field_errors(api(world.operator).post("/users", payload), "role")


def test_staff_see_only_themselves(world, api):
    response = api(world.staff).get("/users")

    assert response.status_code == 200
    assert [u["username"] for u in response.json()["items"]] == ["staff"]


def test_a_manager_sees_the_users_of_their_agency(world, api):
    page = api(world.manager).get("/users").json()

    assert {u["username"] for u in page["items"]} == {"staff", "manager", "auditor"}


def test_the_operator_sees_every_user(world, api):
    page = api(world.operator).get("/users").json()

    assert page["count"] == User.objects.count()


def test_a_user_by_id(world, api):
    manager = api(world.manager)

    assert manager.get(f"/users/{world.staff.pk}").json()["username"] == "staff"
    assert_error(manager.get(f"/users/{world.other_staff.pk}"), 404)
    assert_error(api(world.staff).get(f"/users/{world.manager.pk}"), 404)
    assert_error(manager.get("/users/999999"), 404)
