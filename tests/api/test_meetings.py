"""`/api/v1/meetings`: convening a support meeting, its agenda as each member may see it, the
Article 9 grants (P5), and the users who must see nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from tests.api.factories import JAPANESE, ApiClient, assert_error, field_errors, issue_token
from tests.cast import PASSWORD, make_cast
from tests.people import yamada_household
from tests.sharing import receiver
from tsunagi.access.models import AuditEvent, Grant, GrantKind
from tsunagi.accounts.models import Role
from tsunagi.web.wareki import format_wareki

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> ApiClient:
    response = issue_token(user.username, PASSWORD)
    assert response.status_code == 200, response.content
    return ApiClient(response.json()["token"])


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.content.decode()
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
def story() -> dict[str, Any]:
    cast = make_cast()
    staff = cast.users[Role.STAFF]
    _household, _mother, son, case = yamada_household(staff, cast.center)
    sr = receiver(cast)
    return {
        "cast": cast,
        "staff": staff,
        "son": son,
        "case": case,
        "sr": sr,
        "center": client_for(staff),
        "receiver": client_for(sr),
    }


def convene(s: dict[str, Any], kind: str = "article_9", **extra: Any) -> dict[str, Any]:
    body = {
        "kind": kind,
        "title": "山田さん世帯の支援会議",
        "held_on": format_wareki(timezone.localdate()),
        "place": "センター会議室",
        "purpose": "8050世帯の支援方針の検討",
        "members": [s["cast"].self_reliance.pk],
        "share_days_after": 30,
        **extra,
    }
    return ok(s["center"].post("/meetings", body), 201)


def test_p5_an_article_9_agenda_case_is_granted_to_the_other_members(story):
    meeting = convene(story)
    assert {m["id"] for m in meeting["members"]} == {
        story["cast"].center.pk,
        story["cast"].self_reliance.pk,
    }
    assert meeting["kind_label"] and JAPANESE.search(meeting["kind_label"])

    answer = ok(
        story["center"].post(
            f"/meetings/{meeting['id']}/agenda",
            {"case": story["case"].pk, "kinds": ["identity", "situation"]},
        ),
        201,
    )

    [item] = answer["agenda"]
    assert item["case_number"] == story["case"].number and item["person_name"] == "山田 太郎"
    grant = Grant.objects.get(kind=GrantKind.MEETING, case=story["case"])
    assert grant.receiving_agency == story["cast"].self_reliance
    assert sorted(grant.kinds) == ["identity", "situation"] and grant.meeting_id == meeting["id"]
    seen = ok(story["receiver"].get(f"/meetings/{meeting['id']}"))
    [theirs] = seen["agenda"]
    assert theirs["person_name"] == "山田 太郎"
    assert theirs["case_id"] is None and theirs["case_number"] is None
    logged = AuditEvent.objects.get(action="person.viewed", actor=story["sr"])
    assert logged.grant == grant.code and logged.actor_agency_id == story["cast"].self_reliance.pk


def test_p5_without_identity_the_member_sees_no_name(story):
    meeting = convene(story)
    ok(
        story["center"].post(
            f"/meetings/{meeting['id']}/agenda",
            {"case": story["case"].pk, "kinds": ["situation"]},
        ),
        201,
    )

    [item] = ok(story["receiver"].get(f"/meetings/{meeting['id']}"))["agenda"]

    assert item["person_name"] is None and item["kinds"] == ["situation"]


def test_p1_a_coordination_meeting_shares_nothing_without_consent(story):
    meeting = convene(story, kind="coordination")
    ok(story["center"].post(f"/meetings/{meeting['id']}/agenda", {"case": story["case"].pk}), 201)

    [item] = ok(story["receiver"].get(f"/meetings/{meeting['id']}"))["agenda"]

    assert item["person_name"] is None and item["case_number"] is None
    assert not Grant.objects.filter(kind=GrantKind.MEETING).exists()


def test_a_member_cannot_put_another_agencys_case_on_the_agenda(story):
    meeting = convene(story)
    answer = story["receiver"].post(f"/meetings/{meeting['id']}/agenda", {"case": story["case"].pk})
    assert JAPANESE.search(field_errors(answer, "case")[0])
    ok(story["center"].post(f"/meetings/{meeting['id']}/agenda", {"case": story["case"].pk}), 201)
    again = story["center"].post(f"/meetings/{meeting['id']}/agenda", {"case": story["case"].pk})
    assert JAPANESE.search(field_errors(again, "case")[0])


def test_members_list_the_meetings(story):
    meeting = convene(story)
    other = convene(story, members=[])

    assert {m["id"] for m in ok(story["center"].get("/meetings"))["items"]} == {
        meeting["id"],
        other["id"],
    }
    listed = ok(story["receiver"].get("/meetings"))
    assert [m["id"] for m in listed["items"]] == [meeting["id"]] and listed["count"] == 1
    assert_error(story["receiver"].get(f"/meetings/{other['id']}"), 404)


@pytest.mark.parametrize("who", ["nobody", "outsider"])
def test_the_users_who_must_see_nothing(story, who):
    meeting = convene(story)
    ok(story["center"].post(f"/meetings/{meeting['id']}/agenda", {"case": story["case"].pk}), 201)
    client = client_for(getattr(story["cast"], who))

    assert ok(client.get("/meetings"))["items"] == []
    assert_error(client.get(f"/meetings/{meeting['id']}"), 404)
    assert_error(client.post(f"/meetings/{meeting['id']}/agenda", {"case": story["case"].pk}), 404)
    assert not AuditEvent.objects.filter(actor__username=who, personal=True).exists()


def test_nobody_cannot_convene(story):
    assert_error(client_for(story["cast"].nobody).post("/meetings", {
        "kind": "article_9", "title": "x", "held_on": "2025-04-01", "purpose": "x",
    }), 404)  # fmt: skip
    assert_error(ApiClient().get("/meetings"), 401)


def test_bad_inputs_answer_field_errors_in_japanese(story):
    center = story["center"]
    base = {"kind": "article_9", "title": "会議", "held_on": "2025-04-01", "purpose": "検討"}

    for body, field in (
        ({**base, "kind": "party"}, "kind"),
        ({**base, "held_on": "いつか"}, "held_on"),
        ({**base, "title": ""}, "title"),
        ({k: v for k, v in base.items() if k != "purpose"}, "purpose"),
        ({**base, "members": [999999]}, "members"),
        ({**base, "share_days_after": -1}, "share_days_after"),
    ):
        [message, *_rest] = field_errors(center.post("/meetings", body), field)
        assert JAPANESE.search(message), (field, message)
    meeting = convene(story)
    agenda = f"/meetings/{meeting['id']}/agenda"
    assert field_errors(center.post(agenda, {"case": 999999}), "case")
    assert field_errors(center.post(agenda, {"case": story["case"].pk, "kinds": ["x"]}), "kinds.0")
    assert_error(center.get("/meetings/999999"), 404)
