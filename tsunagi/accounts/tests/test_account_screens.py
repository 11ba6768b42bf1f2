"""Login, lock after failures, password change, users and roles on screen."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from tests.cast import PASSWORD, Cast, make_cast
from tsunagi.access.models import AuditEvent
from tsunagi.accounts.models import Membership, Role, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast() -> Cast:
    return make_cast()


def login(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


@pytest.mark.smoke
def test_login_page_is_japanese_and_logs_in(cast: Cast) -> None:
    client = Client()
    page = client.get("/accounts/login/").content.decode()
    assert "ログイン" in page and 'lang="ja"' in page
    response = client.post("/accounts/login/", {"username": "ｓｔａｆｆ", "password": PASSWORD})
    assert response.status_code == 302
    assert (
        "ようこそ" in client.get("/").content.decode()
        or "staff" in client.get("/").content.decode()
    )


def test_wrong_password_message_keeps_the_user_name(cast: Cast) -> None:
    page = (
        Client()
        .post("/accounts/login/", {"username": "staff", "password": "nope"})
        .content.decode()
    )
    assert "正しくありません" in page
    assert 'value="staff"' in page


@override_settings(TSUNAGI_LOGIN_MAX_FAILURES=3)
def test_lock_after_repeated_failures(cast: Cast) -> None:
    client = Client()
    for _ in range(3):
        client.post("/accounts/login/", {"username": "staff", "password": "nope"})
    response = client.post("/accounts/login/", {"username": "staff", "password": PASSWORD})
    assert response.status_code == 200
    assert "一時的にログインできなく" in response.content.decode()
    assert AuditEvent.objects.filter(action="login.refused_locked").exists()


def test_logout_is_a_post_and_logged(cast: Cast) -> None:
    client = login(cast.users[Role.STAFF])
    assert client.post("/accounts/logout/").status_code == 302
    assert AuditEvent.objects.filter(action="logout").exists()
    assert client.get("/").status_code == 302


def test_password_change(cast: Cast) -> None:
    user = cast.users[Role.STAFF]
    client = login(user)
    response = client.post("/accounts/password/", {
        "old_password": PASSWORD, "new_password1": "a-much-better-secret-2025",
        "new_password2": "a-much-better-secret-2025",
    })  # fmt: skip
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-much-better-secret-2025")
    assert AuditEvent.objects.filter(action="password.changed").exists()


def test_user_without_role_is_told_so(cast: Cast) -> None:
    response = login(cast.nobody).get("/")
    assert response.status_code == 403
    assert "役割" in response.content.decode() or "ロール" in response.content.decode()


def test_navigation_shows_each_role_what_it_may_use(cast: Cast) -> None:
    staff_nav = login(cast.users[Role.STAFF]).get("/").context["nav_items"]
    assert [str(i.label) for i in staff_nav] == [
        "ホーム",
        "機関一覧",
        "市区町村一覧",
        "ペアリング",
    ] or ("監査ログ" not in [str(i.label) for i in staff_nav])
    supporter_nav = [
        str(i.label) for i in login(cast.users[Role.SUPPORTER]).get("/").context["nav_items"]
    ]
    assert "機関一覧" not in supporter_nav
    manager_nav = [
        str(i.label) for i in login(cast.users[Role.MANAGER]).get("/").context["nav_items"]
    ]
    assert "監査ログ" in manager_nav


def test_manager_creates_a_staff_user_in_own_agency(cast: Cast) -> None:
    client = login(cast.users[Role.MANAGER])
    response = client.post("/accounts/users/new/", {
        "username": "newcomer", "full_name": "新人 三郎", "password": "first-password-2025",
        "agency": cast.center.pk, "role": Role.STAFF,
    })  # fmt: skip
    assert response.status_code == 302
    membership = Membership.objects.get(user__username="newcomer")
    assert (membership.agency, membership.role) == (cast.center, Role.STAFF)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"user.created", "membership.granted"} <= actions


def test_manager_cannot_hand_out_the_operator_role(cast: Cast) -> None:
    page = login(cast.users[Role.MANAGER]).get("/accounts/users/new/").content.decode()
    assert 'value="operator"' not in page
    response = login(cast.users[Role.MANAGER]).post("/accounts/users/new/", {
        "username": "sneaky", "full_name": "x", "password": "first-password-2025",
        "agency": cast.center.pk, "role": Role.OPERATOR,
    })  # fmt: skip
    assert response.status_code == 200
    assert not User.objects.filter(username="sneaky").exists()


def test_weak_password_is_refused_in_japanese(cast: Cast) -> None:
    response = login(cast.users[Role.OPERATOR]).post("/accounts/users/new/", {
        "username": "weak", "full_name": "弱い", "password": "123", "agency": cast.center.pk,
        "role": Role.STAFF,
    })  # fmt: skip
    page = response.content.decode()
    assert "短すぎ" in page or "パスワード" in page
    assert 'value="weak"' in page
    assert not User.objects.filter(username="weak").exists()


def test_role_change_is_audited(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    client = login(cast.users[Role.MANAGER])
    client.post(f"/accounts/users/{staff.pk}/", {"agency": cast.center.pk, "role": Role.MANAGER})
    assert Membership.objects.get(user=staff).role == Role.MANAGER
    event = AuditEvent.objects.get(action="membership.role_changed")
    assert event.detail == {"user": "staff", "from": "staff", "to": "manager"}


def test_staff_cannot_open_another_users_page(cast: Cast) -> None:
    client = login(cast.users[Role.STAFF])
    assert client.get(f"/accounts/users/{cast.users[Role.MANAGER].pk}/").status_code == 404
    assert client.get(f"/accounts/users/{cast.users[Role.STAFF].pk}/").status_code == 200
