"""Walkthrough B through the HTTP API: turning 18 (scenarios.md B; rules J4, J5, R5).

中村 翔 (17) is supported by the prefecture's child center; he turns 18 on 15 June 2026. Ninety
days before the birthday the case proposes the hand-over (J5) to the adult center of the same
area — not the day before that. The hand-over is a referral with his consent and his wishes like
any other, with the day the child center's support ends (the day before the birthday). The
adult center accepts it, and its first contact comes 16 days after the support ended: while it
waits beyond the agencies' 14 days it is listed as an open hand-over on both sides, and once the
first contact is made the gap (R5) is measured in the referral and in the referral statistics
of both agencies.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from tests.api.factories import ApiClient
from tests.referral_world import (
    answer,
    client_for,
    japanese,
    make_referral_world,
    on_day,
    record_consent,
    register,
    step_names,
)

pytestmark = pytest.mark.django_db

BORN = datetime.date(2008, 6, 15)
BIRTHDAY = datetime.date(2026, 6, 15)  # the 18th
SUPPORT_ENDS = datetime.date(2026, 6, 14)  # the child center's last day
FIRST_CONTACT = datetime.date(2026, 6, 30)


def suggested(client: ApiClient, person_id: int, case_id: int) -> dict[str, dict[str, Any]]:
    panel = answer(client.get(f"/persons/{person_id}/suggestions", case=case_id))
    return {s["code"]: s for s in panel["active"]}


def test_walkthrough_b_turning_18_hand_over_through_the_api() -> None:
    assert (BIRTHDAY - datetime.timedelta(days=90)) == datetime.date(2026, 3, 17)

    with on_day(datetime.date(2026, 3, 16)):  # 91 days before: nothing yet
        world = make_referral_world()
        child = client_for(world.child_staff)
        person, case_id = register(
            child,
            {
                "family_name": "中村", "given_name": "翔", "family_name_kana": "なかむら",
                "sex": "male", "birth_date": BORN.isoformat(), "municipality_code": "39201",
            },
            summary="母から相談。高校に行けていない。",
            problems=["hikikomori", "family"],
            initiator="family",
        )  # fmt: skip
        assert person["age"] == 17
        answer(child.post("/assessments", {
            "case": case_id, "informant": "person", "employment": "student",
            "going_out": "home_only", "wishes": "18になっても相談を続けたい",
        }), 201)  # fmt: skip
        assert "J5" not in suggested(child, person["id"], case_id)

    # Ninety days before the 18th birthday: the hand-over to the adult center of the area (J5).
    with on_day(datetime.date(2026, 3, 17)):
        child = client_for(world.child_staff)
        j5 = suggested(child, person["id"], case_id)["J5"]
        assert (j5["rule"], j5["action"]) == ("J5", "handover")
        assert j5["due"] == BIRTHDAY.isoformat()
        assert "令和8年6月15日" in j5["reason"] and "90" in j5["reason"]
        assert japanese(j5["reason"]) and japanese(j5["title"]) and japanese(j5["action_label"])
        [adult] = j5["agencies"]
        assert adult["name"] == "高知県ひきこもり地域支援センター"  # not the child center itself
        assert "J5" in adult["reason"] and japanese(adult["reason"])

        # The hand-over: a referral with his wishes, his consent and the end of our support.
        wishes = "18になっても今の担当の人と話せるところがいい。急に変わるのは不安。"
        draft = answer(child.post("/referrals", {
            "case": case_id, "to_agency": adult["id"], "rule": "J5",
            "purpose": "18歳到達に伴う成人担当センターへの引き継ぎをお願いします",
            "wishes": wishes, "wishes_heard_on": "令和8年3月17日",
            "support_ends_on": "R8.6.14",
        }), 201)  # fmt: skip
        assert draft["state"] == "draft" and draft["wishes_heard_on"] == "2026-03-17"
        assert draft["support_ends_on"] == SUPPORT_ENDS.isoformat()
        assert [f["code"] for f in draft["findings"]] == ["consent_missing"]
        consent = record_consent(
            child, person["id"], world.adult_center, case=case_id,
            purpose="成人担当センターへの引き継ぎのため",
        )  # fmt: skip
        answer(child.post(f"/referrals/{draft['id']}/consent", {"consent": consent["id"]}))
        sent = answer(child.post(f"/referrals/{draft['id']}/send"))
        assert sent["state"] == "sent"
        rid = sent["id"]
        taken = suggested(child, person["id"], case_id)["J5"]["taken"]
        assert any("高知県ひきこもり地域支援センター" in t for t in taken)

    with on_day(datetime.date(2026, 3, 18)):
        adult_center = client_for(world.center_staff)
        seen = answer(adult_center.get(f"/referrals/{rid}"))
        assert seen["from_agency"]["name"] == "高知県こどもひきこもり相談センター"
        assert seen["wishes"] == wishes and seen["support_ends_on"] == SUPPORT_ENDS.isoformat()
        answer(adult_center.post(f"/referrals/{rid}/receive"))
        accepted = answer(adult_center.post(f"/referrals/{rid}/accept", {}))
        assert accepted["state"] == "accepted" and step_names(accepted) == ["first_contact"]
        # Before the support ends there is nothing to measure yet.
        assert accepted["gap"]["days"] is None and accepted["gap"]["waiting"] is None

    # Past the birthday: no more J5; the open hand-over waits beyond 14 days on both sides.
    with on_day(datetime.date(2026, 6, 29)):
        child, adult_center = client_for(world.child_staff), client_for(world.center_staff)
        assert "J5" not in suggested(child, person["id"], case_id)
        for client, side in ((child, "sender"), (adult_center, "receiver")):
            [row] = answer(client.get("/referrals/handovers"))
            assert (row["referral"]["id"], row["side"], row["limit"]) == (rid, side, 14)
            assert row["gap"]["ended_on"] == SUPPORT_ENDS.isoformat()
            assert row["gap"]["waiting"] == 15 and row["gap"]["days"] is None

    # The adult center meets him: the gap is measured (R5), in the referral and the statistics.
    with on_day(FIRST_CONTACT):
        child, adult_center = client_for(world.child_staff), client_for(world.center_staff)
        first = answer(adult_center.post(f"/referrals/{rid}/first-contact", {
            "channel": "office_visit", "initiator": "person", "summary": "成人担当として初回面談",
            "accompanied": True, "accompaniment_notes": "こどもセンターの担当者が同席",
        }))  # fmt: skip
        assert first["state"] == "first_contact"
        loop = answer(child.get(f"/referrals/{rid}"))
        assert loop["dates"]["first_contact_on"] == FIRST_CONTACT.isoformat()
        assert loop["gap"] == {
            "ended_on": SUPPORT_ENDS.isoformat(), "first_contact_on": FIRST_CONTACT.isoformat(),
            "days": 16, "waiting": None,
        }  # fmt: skip
        assert answer(child.get("/referrals/handovers")) == []
        assert answer(adult_center.get("/referrals/handovers")) == []

        # This fiscal year (from April) counts the hand-over by its first contact; the referral
        # itself was sent in March, in the fiscal year before.
        this_year = answer(child.get("/stats/referrals"))
        assert this_year["period"]["since"] == "2026-04-01"
        assert this_year["sent"]["by_rule"] == []
        assert this_year["sent"]["handover"]["days"]["median"] == 16
        period = {"since": "令和8年3月1日", "until": "R8.6.30"}
        sent_side = answer(child.get("/stats/referrals", **period))["sent"]
        received_side = answer(adult_center.get("/stats/referrals", **period))["received"]
        for side in (sent_side, received_side):
            handover = side["handover"]
            assert handover["days"]["count"] == 1
            assert (handover["days"]["median"], handover["days"]["max"]) == (16, 16)
            assert handover["no_gap"] == 0 and handover["waiting_too_long"] == 0
            [j5_row] = side["by_rule"]
            assert j5_row["rule"] == "J5" and j5_row["total"] == 1
            assert j5_row["outcomes"]["first_contact"] == 1
            assert "J5" in j5_row["rule_label"]
