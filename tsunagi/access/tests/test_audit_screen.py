"""The audit-log screen: managers see their agency, auditors theirs, the operator the system."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.cast import Cast, make_cast
from tsunagi.access import audit
from tsunagi.accounts.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast() -> Cast:
    c = make_cast()
    audit.record("agency.changed", agency=c.center, username="someone")
    audit.record("person.viewed", agency=c.center, personal=True, username="someone")
    audit.record("agency.changed", agency=c.tokyo_agency, username="tokyo-user")
    audit.record("login.failed", username="stranger")
    return c


def actions(client: Client, **params: str) -> list[str]:
    response = client.get("/audit/", params)
    assert response.status_code == 200
    return [e.action for e in response.context["page"].object_list]


def login(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


@pytest.mark.parametrize("role", [Role.MANAGER, Role.AUDITOR])
def test_manager_and_auditor_see_their_agency_only(cast: Cast, role: Role) -> None:
    # The agency's own events, and the logins of its people (this one included).
    seen = sorted(actions(login(cast.users[role])))
    assert seen == ["agency.changed", "login.succeeded", "person.viewed"]


def test_operator_sees_no_personal_event(cast: Cast) -> None:
    seen = actions(login(cast.users[Role.OPERATOR]))
    assert "person.viewed" not in seen and "login.failed" in seen


def test_staff_cannot_open_the_log(cast: Cast) -> None:
    assert login(cast.users[Role.STAFF]).get("/audit/").status_code == 404


def test_filters_accept_japanese_era_dates(cast: Cast) -> None:
    client = login(cast.users[Role.OPERATOR])
    assert actions(client, action="login.failed", date_from="R7.1.1") == ["login.failed"]
    assert actions(client, action="login.failed", date_to="H31.4.30") == []
    response = client.get("/audit/", {"date_from": "令和7年2月30日"})
    assert "ありません" in response.content.decode()


def test_csv_export_is_itself_logged(cast: Cast) -> None:
    client = login(cast.users[Role.MANAGER])
    response = client.get("/audit/", {"format": "csv"})
    assert "person.viewed" in response.content.decode("utf-8-sig")
    assert "audit.exported" in actions(client)
