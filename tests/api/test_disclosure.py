"""`/api/v1/persons/{id}/disclosure`: the disclosure report (開示報告, rule P3) lists every read
and change of the person's record, by every agency and user, with the ground; only the owning
agency's staff who see the person get it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.factories import JAPANESE, ApiClient, assert_error, issue_token
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
    return cast, staff, mother, son, case


def test_p3_every_agency_and_user_that_saw_the_record_with_the_ground(story):
    cast, staff, _mother, son, case = story
    consent = make_consent(staff, son, cast.self_reliance, ["identity", "situation"], case=case)
    grant = sharing.share_under_consent(
        staff, consent, receiving_agency=cast.self_reliance, case=case
    )
    sr = receiver(cast)
    assert client_for(sr).get(f"/grants/{grant.pk}/record").status_code == 200
    response = client_for(staff).get(f"/persons/{son.pk}/disclosure")
    assert response.status_code == 200, response.content.decode()
    report = response.json()
    assert report["person_id"] == son.pk
    assert set(report["agencies"]) == {cast.center.name, cast.self_reliance.name}
    entries = report["entries"]
    assert [e["at"] for e in entries] == sorted(e["at"] for e in entries)  # oldest first
    read = next(e for e in entries if e["user"] == sr.username and e["action"] == "person.viewed")
    assert read["ground"] == grant.code and JAPANESE.search(read["ground_label"])
    assert read["user_agency_name"] == cast.self_reliance.name
    assert read["owning_agency_name"] == cast.center.name
    assert JAPANESE.search(read["action_label"])
    made = next(e for e in entries if e["action"] == "grant.made")
    assert made["user"] == staff.username and made["ground"] == grant.code
    assert all(JAPANESE.search(e["action_label"]) for e in entries), {
        e["action"] for e in entries if not JAPANESE.search(e["action_label"])
    }
    # The report itself goes in the log.
    assert AuditEvent.objects.filter(action="disclosure.viewed", subject_id=son.pk).exists()


def test_p3_the_reason_of_an_emergency_is_in_the_report(story):
    cast, staff, _mother, son, _case = story
    sharing.share_in_emergency(
        staff, son, receiving_agency=cast.self_reliance, legal_ground="life_body_property",
        reason="生命の危険があるため", hours=2,
    )  # fmt: skip
    entries = client_for(cast.users[Role.MANAGER]).get(f"/persons/{son.pk}/disclosure").json()
    emergency = next(e for e in entries["entries"] if e["action"] == "grant.emergency")
    assert emergency["reason"] == "生命の危険があるため"


def test_p3_the_mothers_record_is_not_in_the_sons_report(story):
    _cast, staff, mother, son, _case = story
    client = client_for(staff)
    client.get(f"/persons/{mother.pk}")
    entries = client.get(f"/persons/{son.pk}/disclosure").json()["entries"]
    assert not any(e["action"] == "person.viewed" for e in entries)


def test_the_users_who_must_see_nothing(story):
    cast, staff, _mother, son, case = story
    consent = make_consent(staff, son, cast.self_reliance, ["identity", "situation"], case=case)
    sharing.share_under_consent(staff, consent, receiving_agency=cast.self_reliance, case=case)
    # the receiver holds a grant, but the report belongs to the owning agency
    for user in (cast.nobody, cast.outsider, receiver(cast), cast.users[Role.OPERATOR]):
        assert_error(client_for(user).get(f"/persons/{son.pk}/disclosure"), 404)
    assert_error(client_for(staff).get("/persons/999999/disclosure"), 404)
    assert_error(ApiClient().get(f"/persons/{son.pk}/disclosure"), 401)
    assert not AuditEvent.objects.filter(action="disclosure.viewed").exists()
