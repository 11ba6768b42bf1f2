"""`POST /api/v1/auth/token` and the bearer token on every other endpoint."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tsunagi.access.models import AuditEvent
from tsunagi.accounts.models import ApiToken, Role

from .factories import PASSWORD, ApiClient, assert_error, field_errors, issue_token

pytestmark = pytest.mark.django_db


@pytest.mark.smoke
def test_token_from_good_credentials_opens_the_api(world):
    response = issue_token("staff")

    assert response.status_code == 200
    body = response.json()
    assert body["token"].startswith("tsu_")
    assert body["username"] == "staff"
    me = ApiClient(body["token"]).get("/users/me")
    assert me.status_code == 200
    assert me.json()["username"] == "staff"
    assert [m["role"] for m in me.json()["memberships"]] == ["staff"]
    assert me.json()["memberships"][0]["agency_name"] == "高知県ひきこもり地域支援センター"
    assert AuditEvent.objects.filter(action="token.issued", actor=world.staff).exists()


def test_only_the_hash_of_the_token_is_stored(world):
    raw = issue_token("staff").json()["token"]

    stored = ApiToken.objects.get(user=world.staff)
    assert raw not in stored.key_hash


def test_wrong_password_is_refused_in_japanese_and_logged(world):
    response = issue_token("staff", "not-the-password")

    assert_error(response, 401)
    assert "token" not in response.json()
    failed = AuditEvent.objects.filter(action="login.failed", actor_username="staff")
    assert failed.count() == 1
    world.staff.refresh_from_db()
    assert world.staff.failed_logins == 1


def test_unknown_user_gets_the_same_answer_as_a_wrong_password(world):
    unknown = issue_token("no-such-user", PASSWORD)
    wrong = issue_token("staff", "not-the-password")

    assert_error(unknown, 401)
    assert unknown.json() == wrong.json()
    assert AuditEvent.objects.filter(action="login.failed", actor_username="no-such-user").exists()


def test_account_is_locked_after_too_many_failures(world, settings):
    settings.TSUNAGI_LOGIN_MAX_FAILURES = 3
    for _ in range(3):
        assert issue_token("staff", "not-the-password").status_code == 401

    refused = issue_token("staff", PASSWORD)

    body = assert_error(refused, 401)
    assert "token" not in body
    world.staff.refresh_from_db()
    assert world.staff.locked_until is not None and world.staff.locked_until > timezone.now()
    assert not ApiToken.objects.filter(user=world.staff).exists()
    assert AuditEvent.objects.filter(action="login.refused_locked", actor_username="staff").exists()


def test_the_lock_ends_and_a_good_login_resets_the_count(world, settings):
    settings.TSUNAGI_LOGIN_MAX_FAILURES = 2
    issue_token("staff", "x")
    issue_token("staff", "y")
    type(world.staff).objects.filter(pk=world.staff.pk).update(
        locked_until=timezone.now() - timedelta(seconds=1)
    )

    assert issue_token("staff", PASSWORD).status_code == 200
    world.staff.refresh_from_db()
    assert world.staff.failed_logins == 0
    assert world.staff.locked_until is None


def test_missing_password_is_a_field_error(world):
    response = ApiClient().post("/auth/token", {"username": "staff"})

    assert field_errors(response, "password")


@pytest.mark.parametrize(
    "path", ["/users/me", "/users", "/prefectures", "/municipalities", "/agencies", "/pairings"]
)
def test_without_a_token_the_answer_is_401_in_japanese(world, path):
    response = ApiClient().get(path)

    assert_error(response, 401)


def test_a_garbage_token_is_refused(world):
    response = ApiClient("tsu_this-is-not-a-token").get("/users/me")

    assert_error(response, 401)


def test_an_expired_token_is_refused(world):
    raw = issue_token("staff").json()["token"]
    ApiToken.objects.filter(user=world.staff).update(expires_at=timezone.now() - timedelta(1))

    assert_error(ApiClient(raw).get("/users/me"), 401)


def test_a_revoked_token_is_refused(world):
    raw = issue_token("staff").json()["token"]
    ApiToken.objects.filter(user=world.staff).update(revoked_at=timezone.now())

    assert_error(ApiClient(raw).get("/users/me"), 401)


def test_a_deactivated_users_token_is_refused(world):
    raw = issue_token("staff").json()["token"]
    world.staff.is_active = False
    world.staff.save()

    assert_error(ApiClient(raw).get("/users/me"), 401)


def test_full_width_user_name_is_normalised(world):
    response = issue_token("ｓｔａｆｆ")

    assert response.status_code == 200, response.content
    assert response.json()["username"] == "staff"


def test_the_user_with_no_membership_still_sees_their_own_account(world, api):
    me = api(world.nobody).get("/users/me")

    assert me.status_code == 200
    assert me.json()["username"] == "nobody"
    assert me.json()["memberships"] == []


def test_the_operator_belongs_to_the_installation(world, api):
    me = api(world.operator).get("/users/me")

    assert me.status_code == 200
    assert me.json()["memberships"] == [
        {
            "id": me.json()["memberships"][0]["id"],
            "agency_id": None,
            "agency_name": None,
            "role": "operator",
            "is_active": True,
        }
    ]


@pytest.mark.parametrize("role", list(Role))
def test_every_role_gets_a_token_and_sees_its_role(world, api, role):
    me = api(world.by_role(role)).get("/users/me")

    assert me.status_code == 200
    assert [m["role"] for m in me.json()["memberships"]] == [role.value]
