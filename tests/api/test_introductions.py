"""`/api/v1/introductions`: recording an introduction (紹介, rule R3a) with what was given and to
whom, no data passing and no grant made; the list with its filters and pages; the access log;
bad inputs; and the users who must see nothing."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from tests.api.factories import JAPANESE, ApiClient, assert_error, field_errors, issue_token
from tests.cast import PASSWORD, make_cast
from tests.people import make_person, yamada_household
from tests.sharing import receiver
from tsunagi.access.models import AuditEvent, Grant
from tsunagi.accounts.models import Role
from tsunagi.people import services as people
from tsunagi.referrals.models import Introduction

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> ApiClient:
    response = issue_token(user.username, PASSWORD)
    assert response.status_code == 200, response.content
    return ApiClient(response.json()["token"])


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content.decode()
    return response.json()


@pytest.fixture
def story() -> dict[str, Any]:
    cast = make_cast()
    staff = cast.users[Role.STAFF]
    _household, mother, son, case = yamada_household(staff, cast.center)
    return {
        "cast": cast,
        "staff": staff,
        "mother": mother,
        "son": son,
        "case": case,
        "center": client_for(staff),
    }


def introduce(s: dict[str, Any], **extra: Any) -> Any:
    body = {
        "case": s["case"].pk,
        "target_kind": "self_reliance",
        "to_agency": s["cast"].self_reliance.pk,
        "given_to": "family",
        "what_given": "窓口のチラシと電話番号、開所時間",
        "rule": "R3a",
        **extra,
    }
    return ok(s["center"].post("/introductions", body), 201)


def test_r3a_an_introduction_records_what_was_given_and_passes_no_data(story):
    grants_before = Grant.objects.count()

    intro = introduce(story)

    assert intro["case"] == story["case"].pk and intro["person"] == story["son"].pk
    assert intro["person_name"] == "山田 太郎" and intro["case_number"]
    assert intro["agency"]["id"] == story["cast"].center.pk
    assert intro["to_agency"]["id"] == story["cast"].self_reliance.pk
    assert intro["target"] == story["cast"].self_reliance.name
    assert intro["given_to"] == "family" and JAPANESE.search(intro["given_to_label"])
    assert JAPANESE.search(intro["target_kind_label"])
    assert intro["given_on"] == timezone.localdate().isoformat()
    assert intro["rule"] == "R3a" and intro["recorded_by"] == "staff"
    assert Grant.objects.count() == grants_before  # no data passes: no grant
    recorded = AuditEvent.objects.get(action="introduction.recorded")
    assert recorded.subject_id == story["son"].pk
    # the agency introduced learns nothing
    agency = client_for(receiver(story["cast"]))
    assert ok(agency.get("/introductions"))["items"] == []
    assert_error(agency.get(f"/introductions/{intro['id']}"), 404)


def test_r3a_a_group_not_in_the_registry_by_its_name_on_a_past_day_in_wareki(story):
    intro = introduce(
        story,
        target_kind="family_association",
        to_agency=None,
        to_name="高知ひきこもり家族会",
        given_to="person",
        given_on="令和7年4月1日",
    )

    assert intro["to_agency"] is None and intro["target"] == "高知ひきこもり家族会"
    assert intro["given_on"] == "2025-04-01"


def test_bad_inputs_answer_field_errors_in_japanese(story):
    center = story["center"]
    base = {
        "case": story["case"].pk,
        "target_kind": "family_association",
        "to_name": "家族会",
        "what_given": "例会の案内",
    }
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()

    for body, field in (
        ({**base, "target_kind": "moon"}, "target_kind"),
        ({**base, "to_name": ""}, "to_name"),
        ({**base, "to_agency": 999999}, "to_agency"),
        ({**base, "to_agency": story["cast"].center.pk}, "to_agency"),
        ({**base, "what_given": "  "}, "what_given"),
        ({k: v for k, v in base.items() if k != "what_given"}, "what_given"),
        ({**base, "given_to": "cat"}, "given_to"),
        ({**base, "given_on": tomorrow}, "given_on"),
        ({**base, "given_on": "昨日"}, "given_on"),
        ({**base, "rule": "R" * 20}, "rule"),
        ({**base, "case": "abc"}, "case"),
    ):
        [message, *_rest] = field_errors(center.post("/introductions", body), field)
        assert JAPANESE.search(message), (field, message)
    assert not Introduction.objects.exists()
    assert_error(center.post("/introductions", {**base, "case": 999999}), 404)


def test_the_list_filters_by_case_person_and_days_and_pages(story):
    staff, center = story["staff"], story["center"]
    first = introduce(story, given_on="2025-04-01")
    second = introduce(story, given_on="2025-06-10", target_kind="peer_group", to_agency=None,
                       to_name="当事者会")  # fmt: skip
    other = make_person(staff, story["cast"].center, "高橋", "一郎")
    contact = people.record_contact(
        staff, {"channel": "phone", "initiator": "person", "summary": "本人から"}, person=other
    )
    third = introduce(story, case=contact.case.pk, given_on="2025-05-01")

    everything = ok(center.get("/introductions"))
    assert [i["id"] for i in everything["items"]] == [second["id"], third["id"], first["id"]]
    assert everything["count"] == 3
    by_case = ok(center.get("/introductions", case=story["case"].pk))
    assert [i["id"] for i in by_case["items"]] == [second["id"], first["id"]]
    by_person = ok(center.get("/introductions", person=other.pk))
    assert [i["id"] for i in by_person["items"]] == [third["id"]]
    window = ok(center.get("/introductions", since="R7.4.2", until="2025-06-10"))
    assert [i["id"] for i in window["items"]] == [second["id"], third["id"]]
    page = ok(center.get("/introductions", limit=1, offset=1))
    assert [i["id"] for i in page["items"]] == [third["id"]] and page["count"] == 3


def test_bad_filters_answer_field_errors(story):
    center = story["center"]

    assert JAPANESE.search(field_errors(center.get("/introductions", since="いつか"), "since")[0])
    assert field_errors(center.get("/introductions", until="2025-13-01"), "until")
    assert field_errors(center.get("/introductions", since="2025-06-01", until="2025-05-01"),
                        "until")  # fmt: skip
    assert field_errors(center.get("/introductions", limit=0), "limit")
    assert field_errors(center.get("/introductions", case="abc"), "case")
    assert_error(center.get("/introductions/999999"), 404)
    assert_error(center.get("/introductions/abc"), 422)


def test_p3_every_read_is_logged(story):
    intro = introduce(story)

    ok(story["center"].get("/introductions"))
    ok(story["center"].get(f"/introductions/{intro['id']}"))

    listed = AuditEvent.objects.get(action="introduction.listed")
    assert listed.record_id == str(intro["id"]) and listed.subject_id == story["son"].pk
    assert listed.grant == "own_agency" and listed.actor == story["staff"]
    viewed = AuditEvent.objects.get(action="introduction.viewed")
    assert viewed.subject_id == story["son"].pk and viewed.agency_id == story["cast"].center.pk


@pytest.mark.parametrize("who", ["nobody", "outsider", "auditor"])
def test_the_users_who_must_see_nothing(story, who):
    cast = story["cast"]
    intro = introduce(story)
    user = cast.users[Role.AUDITOR] if who == "auditor" else getattr(cast, who)
    client = client_for(user)

    page = ok(client.get("/introductions"))
    assert (page["items"], page["count"]) == ([], 0)
    assert ok(client.get("/introductions", case=story["case"].pk))["items"] == []
    assert_error(client.get(f"/introductions/{intro['id']}"), 404)
    posted = client.post("/introductions", {
        "case": story["case"].pk, "target_kind": "other", "to_name": "x", "what_given": "x",
    })  # fmt: skip
    assert_error(posted, 404)
    assert Introduction.objects.count() == 1
    assert not AuditEvent.objects.filter(action__startswith="introduction.", actor=user).exists()


def test_no_token_is_401(story):
    assert_error(ApiClient().get("/introductions"), 401)
