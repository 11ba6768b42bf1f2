"""`/api/v1/access-log`: managers read their agency's log, auditors the body they audit; filters,
CSV export (logged as an export); staff, the operator and the users who must see nothing are
refused."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.factories import API, JAPANESE, ApiClient, assert_error, field_errors, issue_token
from tests.cast import PASSWORD, make_cast
from tests.people import yamada_household
from tests.sharing import make_consent, receiver
from tsunagi.access import services as sharing
from tsunagi.access.models import AuditEvent
from tsunagi.accounts.models import Role

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> ApiClient:
    response = issue_token(user.username, PASSWORD)
    assert response.status_code == 200, response.content
    return ApiClient(response.json()["token"])


@pytest.fixture
def story() -> Any:
    cast = make_cast()
    staff = cast.users[Role.STAFF]
    _household, mother, son, case = yamada_household(staff, cast.center)
    consent = make_consent(staff, son, cast.self_reliance, ["identity", "situation"], case=case)
    grant = sharing.share_under_consent(
        staff, consent, receiving_agency=cast.self_reliance, case=case
    )
    sr = receiver(cast)
    assert client_for(sr).get(f"/grants/{grant.pk}/record").status_code == 200
    return cast, staff, mother, son, grant, sr


def test_p3_the_manager_sees_the_receivers_reads_with_their_ground(story):
    cast, _staff, _mother, son, grant, sr = story
    manager = client_for(cast.users[Role.MANAGER])
    response = manager.get("/access-log", person=son.pk, ground="consent")
    assert response.status_code == 200, response.content.decode()
    items = response.json()["items"]
    assert items and all(e["ground"] == grant.code for e in items)
    read = next(e for e in items if e["action"] == "person.viewed")
    assert read["user"] == sr.username
    assert read["user_agency_name"] == cast.self_reliance.name
    assert read["agency_name"] == cast.center.name
    assert JAPANESE.search(read["action_label"]) and JAPANESE.search(read["ground_label"])


def test_filters_by_action_prefix_user_and_dates(story):
    cast, staff, _mother, _son, _grant, _sr = story
    manager = client_for(cast.users[Role.MANAGER])
    consents = manager.get("/access-log", action="consent.").json()
    assert {e["action"] for e in consents["items"]} == {"consent.recorded"}
    mine = manager.get("/access-log", user=staff.username).json()
    assert mine["count"] > 0 and {e["user"] for e in mine["items"]} == {staff.username}
    future = manager.get("/access-log", date_from="2999-01-01").json()
    assert future["count"] == 0
    today = manager.get("/access-log", date_from="令和7年1月1日", limit=2).json()
    assert today["count"] > 2 and len(today["items"]) == 2


def test_bad_filters_are_japanese_field_errors(story):
    cast, *_ = story
    manager = client_for(cast.users[Role.MANAGER])
    assert all(
        JAPANESE.search(m)
        for m in field_errors(manager.get("/access-log", date_from="昨日の昼"), "date_from")
    )
    assert field_errors(manager.get("/access-log", person="山田"), "person")
    assert field_errors(manager.get("/access-log", format="pdf"), "format")
    assert field_errors(manager.get("/access-log", limit=0), "limit")


def test_the_auditor_reads_the_log_of_the_body_they_audit(story):
    cast, *_ = story
    body = client_for(cast.users[Role.AUDITOR]).get("/access-log").json()
    assert body["count"] > 0
    assert all(cast.center.name in (e["agency_name"], e["user_agency_name"]) for e in body["items"])


def test_the_receivers_manager_sees_what_its_staff_read_elsewhere(story):
    cast, _staff, _mother, _son, _grant, _sr = story
    sr_manager = receiver(cast, "sr_manager", Role.MANAGER)
    items = client_for(sr_manager).get("/access-log").json()["items"]
    assert items and {e["user_agency_name"] for e in items} == {cast.self_reliance.name}
    assert not any(e["action"] == "consent.recorded" for e in items)


def test_csv_export_is_logged(story):
    cast, *_ = story
    manager = client_for(cast.users[Role.MANAGER])
    response = manager.client.get(
        API + "/access-log", {"format": "csv", "action": "person."}, headers=manager._headers()
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("日時")
    assert "person.viewed" in text
    assert AuditEvent.objects.filter(action="audit.exported").exists()


def test_the_users_who_must_see_nothing(story):
    cast, staff, _mother, _son, _grant, sr = story
    for user in (cast.nobody, cast.outsider, staff, sr, cast.users[Role.SUPPORTER]):
        assert_error(client_for(user).get("/access-log"), 403)
    # The operator sees the installation's events, never one about a personal record.
    operator = client_for(cast.users[Role.OPERATOR]).get("/access-log").json()
    assert operator["items"] and not any(e["person_id"] for e in operator["items"])
    assert_error(ApiClient().get("/access-log"), 401)
