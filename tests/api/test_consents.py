"""`/api/v1/consents`: record (multipart, with the scan), list, read, withdraw; and the P2
explanations. Includes the users who must see nothing and bad input answered in Japanese."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from tests.api.factories import API, JAPANESE, ApiClient, assert_error, field_errors, issue_token
from tests.cast import PASSWORD, make_cast
from tests.people import yamada_household
from tests.sharing import make_consent, receiver, scan
from tsunagi.access.models import AuditEvent
from tsunagi.accounts.models import Role

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> ApiClient:
    response = issue_token(user.username, PASSWORD)
    assert response.status_code == 200, response.content
    return ApiClient(response.json()["token"])


def post_form(client: ApiClient, path: str, data: dict[str, Any]) -> Any:
    """A multipart POST, as a browser or a scanner sends a form with a file."""
    data = {k: v for k, v in data.items() if v is not None}
    return client.client.post(API + path, data, headers=client._headers())


@pytest.fixture
def story() -> Any:
    cast = make_cast()
    staff = cast.users[Role.STAFF]
    _household, mother, son, case = yamada_household(staff, cast.center)
    return cast, staff, mother, son, case


def consent_form(son: Any, recipient: Any, **extra: Any) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "person": son.pk,
        "given_by": "subject",
        "recipient_agency": recipient.pk,
        "purpose": "生活困窮の相談支援のため",
        "kinds": ["identity", "situation"],
        "given_on": today.isoformat(),
        "valid_until": (today + datetime.timedelta(days=365)).isoformat(),
        "method": "signed_paper",
        "scan": scan(),
        **extra,
    }


def test_p1_a_signed_consent_is_recorded_with_its_scan(story):
    cast, staff, _mother, son, case = story
    response = post_form(
        client_for(staff), "/consents", consent_form(son, cast.self_reliance, case=case.pk)
    )
    assert response.status_code == 201, response.content.decode()
    body = response.json()
    assert body["person_id"] == son.pk and body["case_id"] == case.pk
    assert body["kinds"] == ["identity", "situation"]
    assert body["has_scan"] is True
    assert body["status"] == "active" and JAPANESE.search(body["status_label"])
    assert JAPANESE.search(body["kinds_label"]) and body["given_on_wareki"].startswith("令和")
    assert body["recipient_label"] == cast.self_reliance.name
    assert AuditEvent.objects.filter(action="consent.recorded", subject_id=son.pk).exists()


def test_p1_a_verbal_consent_needs_a_witness_among_the_staff(story):
    cast, staff, _mother, son, _case = story
    client = client_for(staff)
    form = consent_form(son, cast.self_reliance, method="verbal", scan=None)
    messages = field_errors(post_form(client, "/consents", form), "witness")
    assert all(JAPANESE.search(m) for m in messages)
    form["witness"] = cast.users[Role.MANAGER].pk
    assert post_form(client, "/consents", form).status_code == 201


def test_p1_bad_input_gets_japanese_field_errors_never_500(story):
    cast, staff, _mother, son, _case = story
    client = client_for(staff)
    # a paper consent without its scan, no purpose, no kinds
    form = consent_form(son, cast.self_reliance, scan=None, purpose="", kinds=None)
    body = assert_error(post_form(client, "/consents", form), 422)
    fields = {e["field"] for e in body["errors"]}
    assert {"scan", "purpose", "kinds"} <= fields
    assert all(JAPANESE.search(e["message"]) for e in body["errors"])
    # a date nobody can read, and a person id that is not a number
    bad_date = consent_form(son, cast.self_reliance, valid_until="来年のいつか")
    assert field_errors(post_form(client, "/consents", bad_date), "valid_until")
    bad_person = consent_form(son, cast.self_reliance, person="太郎")
    assert field_errors(post_form(client, "/consents", bad_person), "person")
    # the period ends before it starts; an unknown kind
    backwards = consent_form(
        son, cast.self_reliance, valid_until=(timezone.localdate() - datetime.timedelta(days=1))
    )
    assert field_errors(post_form(client, "/consents", backwards), "valid_until")
    unknown = consent_form(son, cast.self_reliance, kinds=["everything"])
    assert field_errors(post_form(client, "/consents", unknown), "kinds")


def test_p1_the_mother_cannot_consent_for_her_adult_son(story):
    cast, staff, _mother, son, _case = story
    form = consent_form(
        son,
        cast.self_reliance,
        given_by="parent_of_minor",
        representative_name="山田 花子",
        representative_relationship="母",
    )
    messages = field_errors(post_form(client_for(staff), "/consents", form), "given_by")
    assert "P1" in messages[0]


def test_list_and_read_are_logged(story):
    cast, staff, mother, son, _case = story
    consent = make_consent(staff, son, cast.self_reliance)
    make_consent(staff, mother, cast.self_reliance)
    client = client_for(staff)
    listed = client.get("/consents", person=son.pk)
    assert listed.status_code == 200
    assert [c["id"] for c in listed.json()["items"]] == [consent.pk]
    assert listed.json()["count"] == 1
    one = client.get(f"/consents/{consent.pk}")
    assert one.status_code == 200 and one.json()["purpose"] == consent.purpose
    viewed = AuditEvent.objects.get(action="consent.viewed")
    assert viewed.subject_id == son.pk and viewed.grant == "own_agency"
    assert AuditEvent.objects.filter(action="consent.listed", subject_id=son.pk).exists()


def test_p4_withdrawal_through_the_api(story):
    cast, staff, _mother, son, _case = story
    consent = make_consent(staff, son, cast.self_reliance)
    client = client_for(staff)
    response = client.post(f"/consents/{consent.pk}/withdraw", {"note": "本人から電話で撤回"})
    assert response.status_code == 200, response.content.decode()
    body = response.json()
    assert body["status"] == "withdrawn" and body["withdrawn_at"]
    assert body["withdrawal_note"] == "本人から電話で撤回"
    assert body["withdrawn_on_wareki"].startswith("令和")
    again = client.post(f"/consents/{consent.pk}/withdraw", {"note": ""})
    assert field_errors(again, "consent")


def test_the_users_who_must_see_nothing(story):
    cast, staff, _mother, son, _case = story
    consent = make_consent(staff, son, cast.self_reliance)
    for user in (cast.nobody, cast.outsider, receiver(cast), cast.users[Role.OPERATOR]):
        client = client_for(user)
        assert_error(client.get(f"/consents/{consent.pk}"), 404)
        assert_error(client.get("/consents", person=son.pk), 404)
        assert_error(client.post(f"/consents/{consent.pk}/withdraw", {}), 404)
        assert_error(post_form(client, "/consents", consent_form(son, cast.self_reliance)), 404)
        assert_error(client.get("/consents/explanations", person=son.pk), 404)
    assert not AuditEvent.objects.filter(action="consent.viewed").exists()
    assert not AuditEvent.objects.filter(action="consent.withdrawn").exists()


def test_without_a_token_401(story):
    assert_error(ApiClient().get("/consents", person=1), 401)


def test_p2_explanation_recorded_and_listed(story):
    _cast, staff, _mother, son, case = story
    client = client_for(staff)
    refused = client.post("/consents/explanations", {"person": son.pk, "understood": False})
    assert field_errors(refused, "agreed_handling")
    made = client.post(
        "/consents/explanations",
        {"person": son.pk, "case": case.pk, "explained_on": "令和7年4月1日"},
    )
    assert made.status_code == 201, made.content.decode()
    assert made.json()["explained_on"] == "2025-04-01" and made.json()["understood"] is True
    listed = client.get("/consents/explanations", person=son.pk)
    assert [e["id"] for e in listed.json()] == [made.json()["id"]]
    future = client.post("/consents/explanations", {"person": son.pk, "explained_on": "2999-01-01"})
    assert field_errors(future, "explained_on")


# --- a consent naming a support coordination meeting (recipient_meeting) ---------------------


def _meeting(cast: Any, staff: Any, kind: str = "coordination", members: Any = None) -> Any:
    from tsunagi.meetings import services as meetings

    return meetings.create_meeting(
        staff,
        cast.center,
        {"kind": kind, "title": "山田さんの支援調整会議", "held_on": timezone.localdate(),
         "purpose": "支援プランの検討"},
        members=[cast.self_reliance] if members is None else members,
    )  # fmt: skip


def test_p1_a_consent_names_the_support_coordination_meeting(story):
    cast, staff, _mother, son, case = story
    meeting = _meeting(cast, staff)
    form = consent_form(son, cast.self_reliance, case=case.pk, recipient_meeting=meeting.pk)
    del form["recipient_agency"]

    body = post_form(client_for(staff), "/consents", form)

    assert body.status_code == 201, body.content.decode()
    shown = body.json()
    assert shown["recipient_meeting_id"] == meeting.pk and shown["recipient_agency_id"] is None
    assert meeting.title in shown["recipient_label"]
    read = client_for(staff).get(f"/consents/{shown['id']}").json()
    assert read["recipient_meeting_id"] == meeting.pk


def test_p1_a_consent_shows_no_meeting_when_it_names_an_agency(story):
    cast, staff, _mother, son, case = story
    response = post_form(
        client_for(staff), "/consents", consent_form(son, cast.self_reliance, case=case.pk)
    )
    assert response.status_code == 201, response.content.decode()
    assert response.json()["recipient_meeting_id"] is None


def test_p1_the_meeting_named_must_be_a_coordination_meeting_of_the_agency(story):
    cast, staff, _mother, son, case = story
    client = client_for(staff)
    article_9 = _meeting(cast, staff, kind="article_9")
    sr = receiver(cast)
    from tsunagi.meetings.models import Meeting

    not_ours = Meeting.objects.create(
        agency=cast.self_reliance, kind="coordination", title="他機関の会議",
        held_on=timezone.localdate(), purpose="x", created_by=sr,
    )  # fmt: skip
    not_ours.members.set([cast.self_reliance])  # the center takes no part in it
    for meeting_id in (article_9.pk, not_ours.pk, 999999):
        form = consent_form(son, cast.self_reliance, case=case.pk, recipient_meeting=meeting_id)
        [message, *_rest] = field_errors(post_form(client, "/consents", form), "recipient_meeting")
        assert JAPANESE.search(message), (meeting_id, message)
    form = consent_form(son, cast.self_reliance, recipient_meeting="会議")
    assert field_errors(post_form(client, "/consents", form), "recipient_meeting")
