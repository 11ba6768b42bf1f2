"""`/api/v1/meetings`: convening a support meeting, its agenda as each member may see it, the
Article 9 grants (P5), and the users who must see nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from tests.api.factories import JAPANESE, ApiClient, assert_error, field_errors, issue_token
from tests.cast import PASSWORD, make_cast
from tests.people import make_person, yamada_household
from tests.sharing import make_consent, receiver
from tsunagi.access.models import AuditEvent, Grant, GrantKind
from tsunagi.accounts.models import Role
from tsunagi.people import services as people
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


def test_p1_a_coordination_meeting_refuses_a_case_without_consent(story):
    meeting = convene(story, kind="coordination")
    agenda = f"/meetings/{meeting['id']}/agenda"

    [message] = field_errors(story["center"].post(agenda, {"case": story["case"].pk}), "consent")

    assert JAPANESE.search(message) and "P1" in message
    assert ok(story["center"].get(f"/meetings/{meeting['id']}"))["agenda"] == []
    # a consent naming another agency only is not a consent to this meeting
    other = make_consent(
        story["staff"], story["son"], story["cast"].city_office, case=story["case"]
    )
    refused = story["center"].post(agenda, {"case": story["case"].pk, "consent": other.pk})
    assert "P1" in field_errors(refused, "consent")[0]
    assert field_errors(
        story["center"].post(agenda, {"case": story["case"].pk, "consent": 999999}), "consent"
    )
    assert not Grant.objects.exists()


def test_p1_with_the_persons_consent_the_members_see_what_it_names(story):
    meeting = convene(story, kind="coordination")
    consent = make_consent(
        story["staff"], story["son"], story["cast"].self_reliance, ["identity", "situation"],
        case=story["case"],
    )  # fmt: skip

    agenda = f"/meetings/{meeting['id']}/agenda"
    beyond = {"case": story["case"].pk, "consent": consent.pk, "kinds": ["special_care"]}
    assert "P1" in field_errors(story["center"].post(agenda, beyond), "kinds")[0]

    answer = ok(
        story["center"].post(agenda, {"case": story["case"].pk, "consent": consent.pk}), 201
    )

    [item] = answer["agenda"]
    assert item["consent"] == consent.pk and item["kinds"] == ["identity", "situation"]
    grant = Grant.objects.get(kind=GrantKind.CONSENT, consent=consent)
    assert grant.receiving_agency == story["cast"].self_reliance
    [theirs] = ok(story["receiver"].get(f"/meetings/{meeting['id']}"))["agenda"]
    assert theirs["person_name"] == "山田 太郎" and theirs["consent"] is None


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


# --- members and attendees ------------------------------------------------------------------


def test_the_convener_changes_members_and_attendees(story):
    meeting = convene(story, members=[])
    path = f"/meetings/{meeting['id']}"
    cast = story["cast"]

    changed = ok(story["center"].patch(path, {
        "members": [cast.self_reliance.pk],
        "attendees": [story["staff"].pk, story["sr"].pk],
        "other_attendees": "民生委員 1名",
    }))  # fmt: skip

    assert {m["id"] for m in changed["members"]} == {cast.center.pk, cast.self_reliance.pk}
    assert {a["id"] for a in changed["attendees"]} == {story["staff"].pk, story["sr"].pk}
    assert changed["other_attendees"] == "民生委員 1名" and changed["may_change"] is True
    assert AuditEvent.objects.filter(action="meeting.changed").exists()
    # the member now sees the meeting, and may not change it
    seen = ok(story["receiver"].get(path))
    assert seen["may_change"] is False
    assert_error(story["receiver"].patch(path, {"other_attendees": "x"}), 403)


def test_bad_changes_of_members_and_attendees(story):
    meeting = convene(story)
    path = f"/meetings/{meeting['id']}"
    ok(story["center"].post(f"{path}/agenda", {"case": story["case"].pk}), 201)
    outsider = story["cast"].outsider

    for patch, field in (
        ({"members": [999999]}, "members"),
        ({"attendees": [999999]}, "attendees"),
        ({"attendees": [outsider.pk]}, "attendees"),  # works in no member agency
        ({"members": ["x"]}, "members.0"),
    ):
        [message, *_rest] = field_errors(story["center"].patch(path, patch), field)
        assert JAPANESE.search(message), (field, message)
    # the self-reliance agency put no case, the center did: the center always stays a member
    sr_case_agenda = ok(story["center"].patch(path, {"members": []}))
    assert [m["id"] for m in sr_case_agenda["members"]] == [story["cast"].center.pk]


def test_an_agency_with_a_case_on_the_agenda_stays_a_member(story):
    meeting = convene(story)
    path = f"/meetings/{meeting['id']}"
    sr = story["sr"]
    person = make_person(sr, story["cast"].self_reliance, "川村", "花子")
    their_case = people.open_case(sr, person, {})
    ok(story["receiver"].post(f"{path}/agenda", {"case": their_case.pk}), 201)

    [message] = field_errors(story["center"].patch(path, {"members": []}), "members")

    assert JAPANESE.search(message)


# --- minutes per agenda case ----------------------------------------------------------------


def on_agenda(s: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    meeting = convene(s)
    path = f"/meetings/{meeting['id']}"
    [item] = ok(s["center"].post(f"{path}/agenda", {"case": s["case"].pk}), 201)["agenda"]
    return path, item


def test_minutes_and_decision_per_case_and_the_member_reads_them(story):
    path, item = on_agenda(story)
    assert item["minutes"] == "" and item["version"] == 1

    saved = ok(story["center"].put(f"{path}/agenda/{item['id']}/minutes", {
        "minutes": "本人の意向を確認し、訪問を続ける。", "decision": "continue",
        "decision_notes": "3か月後に再検討", "version": 1,
    }))  # fmt: skip

    assert saved["minutes"] == "本人の意向を確認し、訪問を続ける。" and saved["version"] == 2
    assert saved["decision"] == "continue" and JAPANESE.search(saved["decision_label"])
    assert saved["minutes_by"] == story["staff"].get_full_name()
    assert AuditEvent.objects.filter(action="agenda.minutes").exists()
    [theirs] = ok(story["receiver"].get(path))["agenda"]  # the Article 9 grant
    assert theirs["minutes"] == saved["minutes"] and theirs["case_id"] is None


def test_a_stale_version_of_the_minutes_answers_409_with_both(story):
    path, item = on_agenda(story)
    url = f"{path}/agenda/{item['id']}/minutes"
    ok(story["center"].put(url, {"minutes": "一回目の記録", "version": 1}))

    conflict = assert_error(story["center"].put(url, {"minutes": "別の記録", "version": 1}), 409)

    assert JAPANESE.search(conflict["detail"]) and conflict["current_version"] == 2
    assert conflict["current"]["minutes"] == "一回目の記録"
    assert conflict["yours"]["minutes"] == "別の記録"
    [kept] = ok(story["center"].get(path))["agenda"]
    assert kept["minutes"] == "一回目の記録"


def test_bad_minutes(story):
    path, item = on_agenda(story)
    url = f"{path}/agenda/{item['id']}/minutes"
    for minutes, field in (
        ({"minutes": "  "}, "minutes"),
        ({"minutes": "記録", "decision": "party"}, "decision"),
        ({}, "minutes"),
    ):
        [message, *_rest] = field_errors(story["center"].put(url, minutes), field)
        assert JAPANESE.search(message), (field, message)
    assert_error(story["center"].put(f"{path}/agenda/999999/minutes", {"minutes": "x"}), 404)
    # another member neither convened the meeting nor owns the case
    assert_error(story["receiver"].put(url, {"minutes": "x"}), 403)


# --- follow-up tasks ------------------------------------------------------------------------


def test_follow_up_tasks_added_and_done_by_the_responsible_agency(story):
    path, item = on_agenda(story)
    due = format_wareki(timezone.localdate())

    task = ok(story["center"].post(f"{path}/tasks", {
        "what": "ハローワークの見学日程を調整する", "agency": story["cast"].self_reliance.pk,
        "assignee": story["sr"].pk, "due_on": due, "item": item["id"],
    }), 201)  # fmt: skip

    assert task["agency"]["id"] == story["cast"].self_reliance.pk and task["done_at"] is None
    assert task["assignee"]["id"] == story["sr"].pk and task["item"] == item["id"]
    assert [t["id"] for t in ok(story["center"].get(path))["tasks"]] == [task["id"]]
    done = ok(story["receiver"].post(f"{path}/tasks/{task['id']}/done"))
    assert done["done_at"] is not None and done["done_by"] == story["sr"].get_full_name()
    again = assert_error(story["receiver"].post(f"{path}/tasks/{task['id']}/done"), 409)
    assert JAPANESE.search(again["detail"])
    assert AuditEvent.objects.filter(action="meeting.task_done").exists()


def test_bad_tasks(story):
    path, item = on_agenda(story)
    other_meeting = convene(story)
    cast = story["cast"]
    base = {"what": "連絡する", "agency": cast.self_reliance.pk}
    for changes, field in (
        ({"what": ""}, "what"),
        ({"agency": cast.tokyo_agency.pk}, "agency"),  # not a member
        ({"agency": 999999}, "agency"),
        ({"assignee": story["staff"].pk}, "assignee"),  # not of the task's agency
        ({"due_on": "いつか"}, "due_on"),
        ({"item": 999999}, "item"),
    ):
        [message, *_rest] = field_errors(
            story["center"].post(f"{path}/tasks", {**base, **changes}), field
        )
        assert JAPANESE.search(message), (field, message)
    assert field_errors(
        story["center"].post(
            f"/meetings/{other_meeting['id']}/tasks", {**base, "item": item["id"]}
        ),
        "item",
    )
    assert_error(story["receiver"].post(f"{path}/tasks", base), 403)  # the convener adds tasks
    assert_error(story["center"].post(f"{path}/tasks/999999/done"), 404)


@pytest.mark.parametrize("who", ["nobody", "outsider"])
def test_the_users_who_must_see_nothing_of_minutes_and_tasks(story, who):
    path, item = on_agenda(story)
    task = ok(
        story["center"].post(f"{path}/tasks", {"what": "連絡", "agency": story["cast"].center.pk}),
        201,
    )
    client = client_for(getattr(story["cast"], who))

    for response in (
        client.patch(path, {"other_attendees": "x"}),
        client.put(f"{path}/agenda/{item['id']}/minutes", {"minutes": "x"}),
        client.post(f"{path}/tasks", {"what": "x", "agency": story["cast"].center.pk}),
        client.post(f"{path}/tasks/{task['id']}/done"),
        client.get(f"{path}/print"),
    ):
        assert_error(response, 404)


def test_the_minutes_print_as_a_pdf(story):
    path, _item = on_agenda(story)

    response = story["center"].get(f"{path}/print")

    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    assert "private" in response["Cache-Control"]
    assert AuditEvent.objects.filter(action="meeting.printed", actor=story["staff"]).exists()
    # a member prints it too, with the agenda cases it sees
    theirs = story["receiver"].get(f"{path}/print")
    assert theirs.status_code == 200 and theirs.content.startswith(b"%PDF")
