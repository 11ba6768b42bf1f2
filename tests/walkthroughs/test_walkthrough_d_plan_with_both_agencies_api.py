"""Walkthrough D through the HTTP API: a plan with both agencies (scenarios.md D; rules R1, R3b,
R4, P1; issue 6 "Done means").

Ms. 岡林 美咲 (28) has a case at 高知市's self-reliance agency (高知市生活支援相談センター). The
assessment shows a hikikomori state: she has hardly left her room for three years.

1. The self-reliance agency writes her plan with her: her wishes in her words (R1), her
   family's wishes, which differ, and items of both agencies with the default split of R4:
   就労準備支援 by the self-reliance agency, 居場所 and 訪問 (watching-over, listening) by the
   city's hikikomori station. The plan's findings and the suggestions panel propose inviting the
   hikikomori agency to the support coordination meeting (R3b).
2. The support coordination meeting is convened with the station as a member; she consents to
   that meeting (a consent naming the meeting) for her identity, situation and plan; her case
   goes on the agenda under that consent (P1).
3. The station's staff read her plan through the grant, only the kinds she consented to, and
   nothing else of the self-reliance agency (another person of the agency answers 404).
4. The minutes are recorded, the plan is approved at the meeting, the support decision
   (支援決定) is recorded; the review date is set, and the plan is listed among the reviews
   due on that day and not before.

Also: no plan without her wishes (422 on person_wishes, in Japanese); an item without exactly one
responsible agency is refused with a Japanese message naming R4; two users editing the plan: the
second save gets 409 with the current version.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.api.factories import API, JAPANESE, ApiClient, field_errors, make_user
from tests.people import years_ago
from tests.referral_world import (
    ReferralWorld,
    answer,
    client_for,
    japanese,
    make_referral_world,
    on_day,
    register,
)
from tests.sharing import scan
from tsunagi.access.models import AuditEvent
from tsunagi.accounts.models import Role
from tsunagi.web.wareki import format_wareki

pytestmark = pytest.mark.django_db

HER_WISHES = (
    "人と話すのはまだ怖いけれど、いつかは少しずつ働けるようになりたい。まずは週に一度外に出たい。"
)
FAMILY_WISHES = "（母）早く就職して自立してほしい。"
PERIOD_DAYS, REVIEW_DAYS = 180, 90


@dataclass
class Story:
    world: ReferralWorld
    agency: ApiClient  # 高知市生活支援相談センター
    station: ApiClient  # 高知市ひきこもり支援ステーション
    person: dict[str, Any]
    case_id: int


def her_case() -> Story:
    """The world of Kochi, and her case at the city's self-reliance agency with the assessment
    of a hikikomori state."""
    world = make_referral_world()
    agency = client_for(world.sr_staff)
    person, case_id = register(
        agency,
        {
            "family_name": "岡林", "given_name": "美咲", "family_name_kana": "おかばやし",
            "given_name_kana": "みさき", "sex": "female", "birth_date": years_ago(28).isoformat(),
            "municipality_code": "39201", "address": "はりまや町2-3-4",
        },
        summary="母から、娘が3年ほど自室からほとんど出ず、収入もないと相談。本人とも面談。",
        problems=["hikikomori", "income", "job_search"],
        initiator="family",
    )  # fmt: skip
    answer(agency.post("/assessments", {
        "case": case_id, "informant": "person", "employment": "unemployed",
        "finance": "tight", "housing": "owned", "going_out": "room_only",
        "withdrawn_since": years_ago(3).isoformat(),
        "hikikomori_notes": "前職を辞めてから3年、ほとんど自室で過ごしている",
        "family_notes": "母は早期の就職を望んでおり、本人は負担に感じている",
        "mental_health_notes": "不眠で通院中",
        "wishes": HER_WISHES,
    }), 201)  # fmt: skip
    return Story(world, agency, client_for(world.station_staff), person, case_id)


def plan_body(s: Story, **extra: Any) -> dict[str, Any]:
    """Her plan: her words, her mother's (different) wishes, and the R4 default split."""
    today = timezone.localdate()
    sr, station = s.world.city_self_reliance.pk, s.world.city_station.pk
    return {
        "case": s.case_id,
        "mode": "goals",
        "person_wishes": HER_WISHES,
        "family_wishes": FAMILY_WISHES,
        "overall_aim": "本人のペースを大切に、居場所から社会参加、就労準備へと段階的に進める。",
        "starts_on": today.isoformat(),
        "ends_on": (today + datetime.timedelta(days=PERIOD_DAYS)).isoformat(),
        "review_on": (today + datetime.timedelta(days=REVIEW_DAYS)).isoformat(),
        "goals": [
            {"term": "short", "text": "週に1回、居場所に通う"},
            {"term": "long", "text": "短時間の就労体験に参加する"},
        ],
        "items": [
            {"what": "就労準備支援事業（生活習慣の改善、就労体験）", "service":
             "employment_preparation", "responsible_agency": sr, "frequency": "月2回",
             "goal": 1},
            {"what": "居場所の利用（ステーションのフリースペース）", "service": "place",
             "responsible_agency": station, "frequency": "週1回", "goal": 0},
            {"what": "自宅への訪問による見守りと傾聴", "service": "home_visit",
             "responsible_agency": station, "frequency": "隔週", "goal": 0},
        ],
        **extra,
    }  # fmt: skip


def home_page(user: Any) -> str:
    browser = Client()
    browser.force_login(user)
    page: str = browser.get("/").content.decode()
    return page


def suggestions(s: Story) -> dict[str, dict[str, Any]]:
    """The suggestions panel of her case, by code."""
    path = f"/persons/{s.person['id']}/suggestions"
    return {x["code"]: x for x in answer(s.agency.get(path, case=s.case_id))["active"]}


def codes(findings: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {f["rule"]: f for f in findings}


def record_meeting_consent(s: Story, meeting_id: int, kinds: list[str]) -> dict[str, Any]:
    """Her signed consent naming the support coordination meeting (`recipient_meeting`)."""
    today = timezone.localdate()
    form = {
        "person": s.person["id"],
        "case": s.case_id,
        "given_by": "subject",
        "recipient_meeting": meeting_id,
        "purpose": "支援調整会議で支援プランを検討するため",
        "kinds": kinds,
        "given_on": today.isoformat(),
        "valid_until": (today + datetime.timedelta(days=365)).isoformat(),
        "method": "signed_paper",
        "scan": scan(),
    }
    response = s.agency.client.post(API + "/consents", form, headers=s.agency._headers())
    body: dict[str, Any] = answer(response, 201)
    return body


def test_walkthrough_d_plan_with_both_agencies_through_the_api() -> None:
    s = her_case()
    world = s.world
    today = timezone.localdate()

    # Before any plan: R3a (introduce), not R3b.
    before = suggestions(s)
    assert "R3a" in before and "R3b" not in before

    # Step 1: her plan with items of both agencies, the R4 default split.
    plan = answer(s.agency.post("/plans", plan_body(s)), 201)
    pid = plan["id"]
    assert plan["state"] == "draft" and plan["person_wishes"] == HER_WISHES
    assert plan["family_wishes"] == FAMILY_WISHES != plan["person_wishes"]
    split = {i["service"]: i["responsible_agency"]["id"] for i in plan["items"]}
    assert split == {
        "employment_preparation": world.city_self_reliance.pk,
        "place": world.city_station.pk,
        "home_visit": world.city_station.pk,
    }
    assert [g["term"] for g in plan["goals"]] == ["short", "long"]
    found = codes(plan["findings"])
    assert "R4" not in found  # the default split: nothing to point out
    r3b = found["R3b"]  # the station has items: invite it to the meeting
    assert japanese(r3b["reason"]) and "高知市ひきこもり支援ステーション" in r3b["reason"]

    # The suggestions panel: with a plan, R3b proposes the city's station (J3 pairing).
    panel = suggestions(s)
    assert "R3b" in panel and "R3a" not in panel
    assert panel["R3b"]["rule"] == "R3b" and japanese(panel["R3b"]["reason"])
    assert panel["R3b"]["agencies"][0]["id"] == world.city_station.pk

    # The station sees nothing of her yet.
    assert s.station.get(f"/plans/{pid}").status_code == 404
    assert s.station.get(f"/persons/{s.person['id']}").status_code == 404

    # Step 2: the support coordination meeting, the station invited (R3b).
    held = format_wareki(today)
    meeting = answer(s.agency.post("/meetings", {
        "kind": "coordination", "title": "岡林さんの支援調整会議", "held_on": held,
        "place": "高知市生活支援相談センター 相談室", "purpose": "支援プランの検討と役割分担",
        "members": [world.city_station.pk],
    }), 201)  # fmt: skip
    mid = meeting["id"]
    assert {m["id"] for m in meeting["members"]} == {
        world.city_self_reliance.pk,
        world.city_station.pk,
    }
    assert japanese(meeting["kind_label"])

    # Her consent names the meeting; her case goes on the agenda under it (P1).
    kinds = ["identity", "situation", "plan"]
    consent = record_meeting_consent(s, mid, kinds)
    assert consent["recipient_meeting_id"] == mid and consent["kinds"] == kinds
    agenda = answer(
        s.agency.post(f"/meetings/{mid}/agenda", {"case": s.case_id, "consent": consent["id"]}),
        201,
    )["agenda"]
    [item] = agenda
    assert item["case_id"] == s.case_id and sorted(item["kinds"]) == sorted(kinds)

    # Step 3: the station sees her on the agenda and reads her plan through the grant.
    [theirs] = answer(s.station.get(f"/meetings/{mid}"))["agenda"]
    assert theirs["person_name"] == "岡林 美咲" and theirs["case_id"] is None
    [grant] = answer(s.station.get("/grants", direction="received"))["items"]
    assert grant["consent_id"] == consent["id"] and grant["person_id"] == s.person["id"]
    assert grant["receiving_agency_id"] == world.city_station.pk
    assert sorted(grant["kinds"]) == sorted(kinds) and grant["person_name"] == "岡林 美咲"
    record = answer(s.station.get(f"/grants/{grant['id']}/record"))
    assert sorted(record["kinds"]) == sorted(kinds)
    for assessment in record["assessments"]:  # situation only: not the assessor's wider notes
        assert "family_notes" not in assessment and "mental_health_notes" not in assessment
    shared = answer(s.station.get(f"/plans/{pid}"))
    assert shared["person_wishes"] == HER_WISHES
    assert {i["what"] for i in shared["items"]} == {i["what"] for i in plan["items"]}
    assert shared["shared"] is True and shared["case_id"] is None
    assert AuditEvent.objects.filter(actor=world.station_staff, grant=grant["code"]).exists()
    # Read-only: the plan stays the self-reliance agency's to change.
    changed = s.station.patch(f"/plans/{pid}", {"overall_aim": "x", "version": plan["version"]})
    assert changed.status_code == 403

    # ... and nothing else of the self-reliance agency: another person, case and plan.
    other, other_case = register(
        s.agency,
        {"family_name": "西森", "given_name": "誠", "sex": "male",
         "birth_date": years_ago(44).isoformat(), "municipality_code": "39201"},
        summary="家賃の滞納について相談", problems=["rent_arrears"],
    )  # fmt: skip
    other_plan = answer(s.agency.post("/plans", {
        **plan_body(s), "case": other_case, "person_wishes": "家賃の心配をなくしたい。",
        "items": [{"what": "家計改善支援", "service": "household_budget",
                   "responsible_agency": world.city_self_reliance.pk}],
        "goals": [{"term": "short", "text": "滞納を解消する"}],
    }), 201)  # fmt: skip
    for path in (
        f"/persons/{other['id']}",
        f"/cases/{other_case}",
        f"/plans/{other_plan['id']}",
        f"/cases/{s.case_id}",  # her case itself is not shared: only what she consented to
    ):
        assert s.station.get(path).status_code == 404, path
    listed = answer(s.station.get("/plans"))
    assert [p["id"] for p in listed["items"]] == [pid]

    # Step 4: the minutes, the approval at the meeting, the support decision.
    minuted = answer(s.agency.put(f"/meetings/{mid}/agenda/{item['id']}/minutes", {
        "minutes": "本人の意向を確認。就労準備支援はセンター、居場所と訪問はステーションが担当。",
        "decision": "plan_approved",
        "decision_notes": "3か月後にモニタリング",
        "version": item["version"],
    }))  # fmt: skip
    assert (
        minuted["minutes"].startswith("本人の意向を確認") and minuted["version"] > item["version"]
    )
    [their_minutes] = answer(s.station.get(f"/meetings/{mid}"))["agenda"]
    assert their_minutes["minutes"] == minuted["minutes"]
    assert their_minutes["decision"] == "plan_approved"
    assert japanese(their_minutes["decision_label"])
    approved = answer(s.agency.post(f"/plans/{pid}/approve", {"agenda_item": item["id"]}))
    assert approved["state"] == "approved" and approved["approved_on"] == today.isoformat()
    assert "R3b" not in codes(approved["findings"])  # the station was at the meeting
    decided = answer(s.agency.post(f"/plans/{pid}/decide", {
        "decided_on": held, "decided_by": "高知市",
    }))  # fmt: skip
    assert decided["state"] == "decided" and decided["decided_on"] == today.isoformat()
    assert decided["decided_by"] == "高知市" and JAPANESE.search(decided["state_label"])
    review_on = today + datetime.timedelta(days=REVIEW_DAYS)
    assert decided["review_on"] == review_on.isoformat()

    # The review date: not listed before it, listed on the day.
    assert pid not in [p["id"] for p in answer(s.agency.get("/plans/reviews"))["items"]]
    row = f'id="review-{pid}"'  # the home page's panel of reviews due
    with on_day(review_on - datetime.timedelta(days=1)):
        early = client_for(world.sr_staff)
        assert pid not in [p["id"] for p in answer(early.get("/plans/reviews"))["items"]]
        assert row not in home_page(world.sr_staff)
    with on_day(review_on):
        due = client_for(world.sr_staff)
        [listed_due] = answer(due.get("/plans/reviews"))["items"]
        assert listed_due["id"] == pid and listed_due["review_due"] is True
        assert listed_due["person_name"] == "岡林 美咲"
        assert row in home_page(world.sr_staff)
        # the station does not own the plan: its reviews are the self-reliance agency's
        theirs_due = answer(client_for(world.station_staff).get("/plans/reviews"))["items"]
        assert pid not in [p["id"] for p in theirs_due]


def test_r1_walkthrough_d_no_plan_without_her_wishes() -> None:
    s = her_case()

    for wishes in ("", "   "):
        refused = s.agency.post("/plans", plan_body(s, person_wishes=wishes))
        [message] = field_errors(refused, "person_wishes")
        assert japanese(message) and "R1" in message
    assert answer(s.agency.get("/plans", case=s.case_id))["items"] == []


def test_r4_walkthrough_d_an_item_has_exactly_one_responsible_agency() -> None:
    s = her_case()
    body = plan_body(s)

    without = {**body, "items": [{**body["items"][0], "responsible_agency": None}]}
    [message] = field_errors(s.agency.post("/plans", without), "items.0.responsible_agency")
    assert japanese(message) and "R4" in message
    both = [s.world.city_self_reliance.pk, s.world.city_station.pk]
    two = {**body, "items": [body["items"][0], {**body["items"][1], "responsible_agency": both}]}
    [message] = field_errors(s.agency.post("/plans", two), "items.1.responsible_agency")
    assert japanese(message) and "R4" in message
    assert answer(s.agency.get("/plans", case=s.case_id))["items"] == []

    # Leaving the default split is allowed (the agencies agree it), and shown with its reason.
    swapped = {**body["items"][0], "responsible_agency": s.world.city_station.pk}
    plan = answer(s.agency.post("/plans", {**body, "items": [swapped, *body["items"][1:]]}), 201)
    r4 = codes(plan["findings"])["R4"]
    assert japanese(r4["reason"]) and "就労準備支援事業" in r4["reason"]


def test_walkthrough_d_two_users_editing_her_plan_the_second_gets_409() -> None:
    s = her_case()
    colleague = make_user("sr-staff-2", s.world.city_self_reliance, Role.STAFF)
    other = client_for(colleague)
    plan = answer(s.agency.post("/plans", plan_body(s)), 201)
    pid, version = plan["id"], plan["version"]
    assert answer(other.get(f"/plans/{pid}"))["version"] == version

    first = answer(s.agency.patch(f"/plans/{pid}", {
        "overall_aim": "居場所への定着を最優先にする。", "version": version,
    }))  # fmt: skip
    assert first["version"] == version + 1
    second = other.patch(f"/plans/{pid}", {
        "overall_aim": "就労準備支援を先に始める。", "version": version,
    })  # fmt: skip

    assert second.status_code == 409, second.content.decode()
    body = second.json()
    assert JAPANESE.search(body["detail"])
    # Both versions in front of her: the plan as saved now, and what she sent.
    assert body["current_version"] == version + 1
    assert body["current"]["overall_aim"] == "居場所への定着を最優先にする。"
    assert body["current"]["version"] == version + 1
    assert body["yours"]["overall_aim"] == "就労準備支援を先に始める。"
    kept = answer(s.agency.get(f"/plans/{pid}"))
    assert kept["overall_aim"] == "居場所への定着を最優先にする。"
