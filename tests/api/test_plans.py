"""`/api/v1/plans`: the support plan written with the person (R1), goals and items nested, one
responsible agency per item (R4), the findings R4 and R3b, the concurrent edit (409 with both
versions), approval at a support coordination meeting (P1), the support decision, evaluation per
goal, the new version, the reviews due, the receiving agency's read-only view through its grant,
and the users who must see nothing."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from tests.api.factories import JAPANESE, ApiClient, assert_error, field_errors, issue_token
from tests.cast import PASSWORD, make_cast
from tests.people import yamada_household
from tests.sharing import make_consent, receiver
from tsunagi.access import services as sharing
from tsunagi.access.models import AuditEvent
from tsunagi.accounts.models import Role
from tsunagi.meetings import services as meetings
from tsunagi.plans.models import PlanState, SupportPlan
from tsunagi.web.wareki import format_wareki

pytestmark = pytest.mark.django_db

WISHES = "外に出るのはまだ怖い。でも、いつか少しずつ働けるようになりたい。"


def client_for(user: Any) -> ApiClient:
    response = issue_token(user.username, PASSWORD)
    assert response.status_code == 200, response.content
    return ApiClient(response.json()["token"])


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content.decode()
    return response.json()


@pytest.fixture
def story() -> dict[str, Any]:
    """The son of the 山田 household has his case at the city's self-reliance agency, which
    writes his plan; the prefecture's hikikomori center takes part in it."""
    cast = make_cast()
    sr = receiver(cast)
    _household, _mother, son, case = yamada_household(sr, cast.self_reliance)
    return {
        "cast": cast,
        "sr": sr,
        "son": son,
        "case": case,
        "agency": client_for(sr),
        "center_staff": cast.users[Role.STAFF],
        "center": client_for(cast.users[Role.STAFF]),
    }


def body(s: dict[str, Any], **extra: Any) -> dict[str, Any]:
    today = timezone.localdate()
    sr, center = s["cast"].self_reliance.pk, s["cast"].center.pk
    return {
        "case": s["case"].pk,
        "person_wishes": WISHES,
        "family_wishes": "（母）早く仕事に就いてほしい。",
        "overall_aim": "本人のペースで居場所から就労準備へ進む。",
        "starts_on": format_wareki(today),
        "ends_on": (today + datetime.timedelta(days=180)).isoformat(),
        "review_on": (today + datetime.timedelta(days=90)).isoformat(),
        "goals": [
            {"term": "short", "text": "週に1回、居場所に通う"},
            {"term": "long", "text": "就労体験に参加する"},
        ],
        "items": [
            {"what": "就労準備支援", "service": "employment_preparation",
             "responsible_agency": sr, "frequency": "月2回", "goal": 1},
            {"what": "居場所の利用", "service": "place", "responsible_agency": center,
             "frequency": "週1回", "goal": 0},
        ],
        **extra,
    }  # fmt: skip


def write(s: dict[str, Any], **extra: Any) -> dict[str, Any]:
    plan: dict[str, Any] = ok(s["agency"].post("/plans", body(s, **extra)), 201)
    return plan


def rules_of(plan: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["rule"]: f for f in plan["findings"]}


def coordination_meeting(s: dict[str, Any], kinds: list[str] | None = None) -> dict[str, Any]:
    """A support coordination meeting with the center invited, the son's consent naming every
    other member (the center), and his case on its agenda under that consent (P1)."""
    meeting = meetings.create_meeting(
        s["sr"],
        s["cast"].self_reliance,
        {"kind": "coordination", "title": "支援調整会議", "held_on": timezone.localdate(),
         "purpose": "支援プランの検討"},
        members=[s["cast"].center],
    )  # fmt: skip
    consent = make_consent(
        s["sr"],
        s["son"],
        s["cast"].center,
        kinds or ["identity", "situation", "plan"],
        case=s["case"],
        purpose="支援調整会議でプランを検討するため",
    )
    item = meetings.add_agenda_item(s["sr"], meeting, s["case"], consent=consent)
    return {"meeting": meeting, "consent": consent, "item": item}


# --- writing the plan -----------------------------------------------------------------------


def test_r4_a_plan_with_goals_and_items_of_both_agencies_and_its_findings(story):
    plan = write(story)

    assert plan["state"] == "draft" and JAPANESE.search(plan["state_label"])
    assert plan["person_wishes"] == WISHES and plan["shared"] is False
    assert plan["case_id"] == story["case"].pk and plan["person_name"] == "山田 太郎"
    goals = {g["text"]: g["id"] for g in plan["goals"]}
    items = {i["service"]: i for i in plan["items"]}
    # on read an item's goal is the goal's id (on write it was the index)
    assert items["place"]["goal"] == goals["週に1回、居場所に通う"]
    assert items["employment_preparation"]["goal"] == goals["就労体験に参加する"]
    assert items["place"]["responsible_agency"]["id"] == story["cast"].center.pk
    assert items["place"]["service_label"] == "居場所"
    found = rules_of(plan)
    assert "R4" not in found  # the default split of R4: nothing to point out
    # rule R3b: the center has items and is at no meeting yet
    assert found["R3b"]["code"] == "r3b_invite" and JAPANESE.search(found["R3b"]["reason"])
    assert story["cast"].center.name in found["R3b"]["reason"]
    assert AuditEvent.objects.filter(action="plan.created", record_id=str(plan["id"])).exists()


def test_r4_an_item_leaving_the_default_split_is_pointed_out_with_its_reason(story):
    center = story["cast"].center.pk
    plan = write(story, items=[
        {"what": "就労準備支援", "service": "employment_preparation",
         "responsible_agency": center},
        {"what": "家計の相談", "service": "household_budget",
         "responsible_agency": story["cast"].self_reliance.pk},
    ])  # fmt: skip

    r4 = rules_of(plan)["R4"]
    assert r4["rule"] == "R4" and "就労準備支援" in r4["reason"]
    assert JAPANESE.search(r4["label"]) and "自立相談支援機関" in r4["reason"]


def test_r1_no_plan_without_the_persons_wishes(story):
    for wishes in ("", "   "):
        refused = story["agency"].post("/plans", body(story, person_wishes=wishes))
        [message] = field_errors(refused, "person_wishes")
        assert JAPANESE.search(message) and "R1" in message
    refused = story["agency"].post(
        "/plans", {k: v for k, v in body(story).items() if k != "person_wishes"}
    )
    assert "R1" in field_errors(refused, "person_wishes")[0]
    assert not SupportPlan.objects.exists()


def test_r4_an_item_without_a_responsible_agency_or_with_two_is_refused(story):
    base = body(story)
    first, second = base["items"]
    without = {**base, "items": [{**first, "responsible_agency": None}]}
    [message] = field_errors(story["agency"].post("/plans", without), "items.0.responsible_agency")
    assert JAPANESE.search(message) and "R4" in message

    both = [story["cast"].self_reliance.pk, story["cast"].center.pk]
    two = {**base, "items": [first, {**second, "responsible_agency": both}]}
    [message] = field_errors(story["agency"].post("/plans", two), "items.1.responsible_agency")
    assert JAPANESE.search(message) and "R4" in message
    assert not SupportPlan.objects.exists()


def test_bad_inputs_answer_field_errors_in_japanese(story):
    agency = story["agency"]
    base = body(story)
    item = base["items"][0]
    for changes, field in (
        ({"goals": []}, "goals"),
        ({"ends_on": "2000-01-01"}, "ends_on"),
        ({"starts_on": "いつか"}, "starts_on"),
        ({"mode": "forever"}, "mode"),
        ({"goals": [{"term": "someday", "text": "x"}]}, "goals.0.term"),
        ({"items": [{**item, "goal": 5}]}, "items.0.goal"),
        ({"items": [{**item, "goal": -1}]}, "items.0.goal"),
        ({"items": [{**item, "service": "magic"}]}, "items.0.service"),
        ({"items": [{**item, "responsible_agency": 999999}]}, "items.0.responsible_agency"),
        ({"items": [{**item, "what": ""}]}, "items.0.what"),
        ({"items": []}, "items"),
    ):
        [message, *_rest] = field_errors(agency.post("/plans", {**base, **changes}), field)
        assert JAPANESE.search(message), (field, message)
    assert_error(agency.post("/plans", {**base, "case": 999999}), 404)
    assert not SupportPlan.objects.exists()


def test_an_accompaniment_plan_needs_no_goal_and_no_end(story):
    plan = write(story, mode="accompaniment", goals=[], ends_on=None, review_on=None, items=[
        {"what": "月1回の訪問で近況を聞く", "service": "home_visit",
         "responsible_agency": story["cast"].center.pk},
    ])  # fmt: skip

    assert plan["mode"] == "accompaniment" and plan["goals"] == [] and plan["ends_on"] is None
    refused = story["agency"].post("/plans", body(story))  # one plan in force per case
    assert JAPANESE.search(field_errors(refused, "case")[0])


# --- reading and listing --------------------------------------------------------------------


def test_the_list_filters_by_case_person_and_state(story):
    plan = write(story)
    agency = story["agency"]

    listed = ok(agency.get("/plans"))
    assert [p["id"] for p in listed["items"]] == [plan["id"]] and listed["count"] == 1
    assert ok(agency.get("/plans", case=story["case"].pk))["count"] == 1
    assert ok(agency.get("/plans", person=story["son"].pk))["count"] == 1
    assert ok(agency.get("/plans", state="draft"))["count"] == 1
    assert ok(agency.get("/plans", state="decided"))["count"] == 0
    assert ok(agency.get("/plans", case=999999))["items"] == []
    assert field_errors(agency.get("/plans", state="lost"), "state")
    assert field_errors(agency.get("/plans", limit=0), "limit")
    logged = AuditEvent.objects.filter(action="plan.viewed", actor=story["sr"])
    assert logged.exists() and all(e.grant == "own_agency" for e in logged)


# --- the concurrent edit --------------------------------------------------------------------


def test_a_stale_version_answers_409_with_the_current_plan_and_yours(story):
    plan = write(story)
    colleague = receiver(story["cast"], "sr_staff_2")
    other = client_for(colleague)
    pid, version = plan["id"], plan["version"]

    first = ok(story["agency"].patch(f"/plans/{pid}", {
        "overall_aim": "居場所への定着を最優先にする。", "version": version,
    }))  # fmt: skip
    assert first["version"] == version + 1
    second = other.patch(f"/plans/{pid}", {"overall_aim": "就労準備を先に。", "version": version})

    conflict = assert_error(second, 409)
    assert JAPANESE.search(conflict["detail"]) and conflict["current_version"] == version + 1
    assert conflict["current"]["overall_aim"] == "居場所への定着を最優先にする。"
    assert conflict["yours"] == {"overall_aim": "就労準備を先に。", "version": version}
    assert (
        ok(story["agency"].get(f"/plans/{pid}"))["overall_aim"] == "居場所への定着を最優先にする。"
    )


def test_a_draft_changes_its_goals_and_items_and_keeps_the_rules(story):
    plan = write(story)
    pid = plan["id"]
    changed = ok(story["agency"].patch(f"/plans/{pid}", {
        "goals": [{"term": "long", "text": "自分で生活のリズムを整える"}],
        "items": [{"what": "訪問", "service": "home_visit",
                   "responsible_agency": story["cast"].center.pk, "goal": 0}],
        "version": plan["version"],
    }))  # fmt: skip
    [goal] = changed["goals"]
    [item] = changed["items"]
    assert item["goal"] == goal["id"] and changed["person_wishes"] == WISHES

    for patch, field in (
        ({"person_wishes": ""}, "person_wishes"),
        ({"person_wishes": None}, "person_wishes"),
        ({"items": [{"what": "訪問", "responsible_agency": None}]}, "items.0.responsible_agency"),
        ({"review_on": "2000-01-01"}, "review_on"),
    ):
        [message, *_rest] = field_errors(story["agency"].patch(f"/plans/{pid}", patch), field)
        assert JAPANESE.search(message), (field, message)
    assert_error(story["agency"].patch("/plans/999999", {"overall_aim": "x"}), 404)


# --- approval, decision, evaluation, new version --------------------------------------------


def test_p1_approved_at_the_coordination_meeting_then_decided(story):
    plan = write(story)
    pid = plan["id"]
    held = coordination_meeting(story)
    agency = story["agency"]

    for bad in ({"agenda_item": 999999}, {}):
        assert field_errors(agency.post(f"/plans/{pid}/approve", bad), "agenda_item")
    assert_error(agency.post(f"/plans/{pid}/decide", {"decided_by": "高知市"}), 409)

    approved = ok(agency.post(f"/plans/{pid}/approve", {"agenda_item": held["item"].pk}))
    assert approved["state"] == "approved" and approved["approved_at"] == held["item"].pk
    assert approved["approved_on"] == timezone.localdate().isoformat()
    assert "R3b" not in rules_of(approved)  # the center sat at the meeting
    again = assert_error(
        agency.post(f"/plans/{pid}/approve", {"agenda_item": held["item"].pk}), 409
    )
    assert JAPANESE.search(again["detail"])
    # no longer a draft: a change answers 409 with the reason
    assert JAPANESE.search(
        assert_error(agency.patch(f"/plans/{pid}", {"overall_aim": "x"}), 409)["detail"]
    )

    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    for decision, field in (
        ({"decided_by": "高知市"}, "decided_on"),
        ({"decided_on": tomorrow, "decided_by": "高知市"}, "decided_on"),
        ({"decided_on": format_wareki(timezone.localdate())}, "decided_by"),
        ({"decided_on": "きのう", "decided_by": "高知市"}, "decided_on"),
    ):
        [message, *_rest] = field_errors(agency.post(f"/plans/{pid}/decide", decision), field)
        assert JAPANESE.search(message), (field, message)
    decided = ok(agency.post(f"/plans/{pid}/decide", {
        "decided_on": format_wareki(timezone.localdate()), "decided_by": "高知市",
    }))  # fmt: skip
    assert decided["state"] == "decided" and decided["decided_by"] == "高知市"
    assert JAPANESE.search(decided["state_label"])


def test_a_plan_is_approved_only_at_a_coordination_meeting_of_its_case(story):
    plan = write(story)
    article_9 = meetings.create_meeting(
        story["sr"],
        story["cast"].self_reliance,
        {"kind": "article_9", "title": "支援会議", "held_on": timezone.localdate(),
         "purpose": "支援方針"},
        members=[story["cast"].center],
    )  # fmt: skip
    item = meetings.add_agenda_item(story["sr"], article_9, story["case"])

    refused = story["agency"].post(f"/plans/{plan['id']}/approve", {"agenda_item": item.pk})

    assert JAPANESE.search(field_errors(refused, "agenda_item")[0])
    assert SupportPlan.objects.get(pk=plan["id"]).state == PlanState.DRAFT


def decided_plan(s: dict[str, Any]) -> dict[str, Any]:
    plan = write(s)
    held = coordination_meeting(s)
    ok(s["agency"].post(f"/plans/{plan['id']}/approve", {"agenda_item": held["item"].pk}))
    decided: dict[str, Any] = ok(s["agency"].post(f"/plans/{plan['id']}/decide", {
        "decided_on": timezone.localdate().isoformat(), "decided_by": "高知市",
    }))  # fmt: skip
    return decided


def test_the_evaluation_records_each_goal_and_steps_beyond_work(story):
    plan = decided_plan(story)
    pid = plan["id"]
    short, long = (g["id"] for g in plan["goals"])
    agency = story["agency"]
    results = {
        str(short): {"achievement": "achieved", "notes": "毎週通えた"},
        str(long): {"achievement": "not_achieved"},
    }
    good = {
        "person_view": "居場所に通えるようになって少し自信がついた。",
        "decision": "replan",
        "step_social_life": True,
        "results": results,
    }
    for changes, field in (
        ({"person_view": ""}, "person_view"),
        ({"decision": None}, "decision"),
        ({"decision": "retire"}, "decision"),
        ({"results": {str(short): {"achievement": "achieved"}}}, f"results.{long}"),
        ({"results": {**results, "999999": {"achievement": "partly"}}}, "results.999999"),
        ({"results": {str(short): {"achievement": "great"}}}, f"results.{short}.achievement"),
    ):
        [message, *_rest] = field_errors(
            agency.post(f"/plans/{pid}/evaluate", {**good, **changes}), field
        )
        assert JAPANESE.search(message), (field, message)

    evaluated = ok(agency.post(f"/plans/{pid}/evaluate", good))

    assert evaluated["state"] == "evaluated"
    evaluation = evaluated["evaluation"]
    assert evaluation["step_social_life"] is True and evaluation["found_work"] is False
    assert JAPANESE.search(evaluation["decision_label"])
    results = {r["goal"]: r for r in evaluation["results"]}
    assert results[short]["achievement"] == "achieved" and results[short]["notes"] == "毎週通えた"
    assert results[long]["achievement_label"] == "未達成"
    assert_error(agency.post(f"/plans/{pid}/evaluate", good), 409)


def test_replan_gives_a_new_draft_and_keeps_the_old_version(story):
    draft = write(story)
    assert JAPANESE.search(
        assert_error(story["agency"].post(f"/plans/{draft['id']}/replan"), 409)["detail"]
    )
    SupportPlan.objects.filter(pk=draft["id"]).delete()
    plan = decided_plan(story)

    new = ok(story["agency"].post(f"/plans/{plan['id']}/replan"), 201)

    assert new["state"] == "draft" and new["number"] == plan["number"] + 1
    assert new["previous"] == {"id": plan["id"], "number": plan["number"], "state": "superseded"}
    assert [g["text"] for g in new["goals"]] == [g["text"] for g in plan["goals"]]
    old = ok(story["agency"].get(f"/plans/{plan['id']}"))
    assert old["state"] == "superseded" and old["next"]["id"] == new["id"]
    assert old["decided_by"] == "高知市"  # the old version stays as it was


def test_reviews_due_lists_plans_in_force_whose_review_date_has_come(story):
    today = timezone.localdate()
    plan = write(story, starts_on=today.isoformat(), review_on=today.isoformat())
    assert ok(story["agency"].get("/plans/reviews"))["items"] == []  # a draft is not in force
    held = coordination_meeting(story)
    ok(story["agency"].post(f"/plans/{plan['id']}/approve", {"agenda_item": held["item"].pk}))

    due = ok(story["agency"].get("/plans/reviews"))

    assert [p["id"] for p in due["items"]] == [plan["id"]] and due["items"][0]["review_due"]
    assert ok(story["center"].get("/plans/reviews"))["items"] == []  # not the center's plan


# --- the receiving agency's read-only view --------------------------------------------------


def test_the_receiver_reads_the_plan_through_its_grant_read_only(story):
    plan = decided_plan(story)  # the son consented to the meeting: identity, situation, plan
    pid = plan["id"]
    center = story["center"]

    shared = ok(center.get(f"/plans/{pid}"))

    assert shared["shared"] is True and shared["person_name"] == "山田 太郎"
    assert shared["person_wishes"] == WISHES and shared["state"] == "decided"
    assert shared["case_id"] is None and shared["case_number"] is None
    assert shared["approved_at"] is None and shared["previous"] is None
    assert {i["what"] for i in shared["items"]} == {i["what"] for i in plan["items"]}
    assert sorted(shared["kinds"]) == ["identity", "plan", "situation"]
    logged = AuditEvent.objects.get(action="plan.viewed", actor=story["center_staff"])
    assert logged.grant.startswith("consent:") and logged.actor_agency_id == story["cast"].center.pk
    assert [p["id"] for p in ok(center.get("/plans"))["items"]] == [pid]
    # read-only: every change answers 403 and nothing changes
    for response in (
        center.patch(f"/plans/{pid}", {"overall_aim": "x"}),
        center.post(f"/plans/{pid}/evaluate", {"person_view": "x", "decision": "end"}),
        center.post(f"/plans/{pid}/replan"),
        center.get(f"/plans/{pid}/print"),
    ):
        assert_error(response, 403)
    assert SupportPlan.objects.get(pk=pid).state == PlanState.DECIDED


def test_the_receiver_sees_only_the_kinds_its_grant_names(story):
    plan = write(story)
    consent = make_consent(
        story["sr"], story["son"], story["cast"].center, ["situation", "plan"], case=story["case"]
    )
    sharing.share_under_consent(
        story["sr"], consent, receiving_agency=story["cast"].center, case=story["case"]
    )

    shared = ok(story["center"].get(f"/plans/{plan['id']}"))

    assert shared["person_name"] is None  # no identity in the grant
    assert shared["person_wishes"] == WISHES and shared["items"]


def test_a_grant_without_plan_shows_no_plan(story):
    plan = write(story)
    consent = make_consent(
        story["sr"], story["son"], story["cast"].center, ["identity", "situation"],
        case=story["case"],
    )  # fmt: skip
    sharing.share_under_consent(
        story["sr"], consent, receiving_agency=story["cast"].center, case=story["case"]
    )

    assert_error(story["center"].get(f"/plans/{plan['id']}"), 404)
    assert ok(story["center"].get("/plans"))["items"] == []


# --- the users who must see nothing ---------------------------------------------------------


@pytest.mark.parametrize("who", ["nobody", "outsider", "center"])
def test_the_users_who_must_see_nothing(story, who):
    plan = write(story)
    pid = plan["id"]
    user = story["center_staff"] if who == "center" else getattr(story["cast"], who)
    client = client_for(user)

    assert ok(client.get("/plans"))["items"] == []
    assert ok(client.get("/plans/reviews"))["items"] == []
    for response in (
        client.get(f"/plans/{pid}"),
        client.patch(f"/plans/{pid}", {"overall_aim": "x"}),
        client.post(f"/plans/{pid}/approve", {"agenda_item": 1}),
        client.post(f"/plans/{pid}/decide", {"decided_by": "x"}),
        client.post(f"/plans/{pid}/evaluate", {"person_view": "x"}),
        client.post(f"/plans/{pid}/replan"),
        client.get(f"/plans/{pid}/print"),
        client.post("/plans", body(story)),
    ):
        assert_error(response, 404)
    assert not AuditEvent.objects.filter(actor=user, personal=True).exists()
    assert_error(ApiClient().get(f"/plans/{pid}"), 401)


# --- printing -------------------------------------------------------------------------------


def test_the_plan_prints_as_a_pdf_for_its_agency(story):
    plan = write(story)

    response = story["agency"].get(f"/plans/{plan['id']}/print")

    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and "private" in response["Cache-Control"]
    assert AuditEvent.objects.filter(action="plan.printed", actor=story["sr"]).exists()
