"""Walkthrough A end to end through the HTTP API (scenarios.md A; rules R1, R2, R7, P1, P2, R5).

Ms. 山田 花子 (82, pension only) telephones the prefecture's adult hikikomori center about her son
山田 太郎 (52), who has not left the house in 20 years except at night. The pension barely
covers the rent, and there is card debt in her name.

1. The coordinator records the contact: phone, the mother calling, the son the subject; the
   household with both members. The son has not been met.
2. The assessment from the mother's words: hikikomori for 20 years, economic need, debt, the
   mother's care needs — compound problems at household level.
3. The system proposes the self-reliance agency of the city they live in (R2, by the address),
   地域包括支援センター for the mother and 多重債務相談 for the debt (R7), each with its reason.
4. The son has given no consent (P1): the coordinator gives the mother information about the
   agencies (an introduction) and records her consent for her own information; the son's
   referral stays a draft with "consent missing".
5. At a home visit the son says in his words what he wants (R1) and signs a consent naming the
   self-reliance agency, for his situation but not his health. The referral is sent.
6. The self-reliance agency receives it, accepts it and records the first contact; the center
   sees the loop closed (accepted, first contact on a date) and the timeline of who did what.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from tests.api.factories import JAPANESE
from tests.people import years_ago
from tests.referral_world import (
    answer,
    client_for,
    japanese,
    make_referral_world,
    record_consent,
    step_names,
)
from tsunagi.access.models import AuditEvent

pytestmark = pytest.mark.django_db


def by_code(panel: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["code"]: s for s in panel["active"]}


def names(suggestion: dict[str, Any]) -> list[str]:
    return [a["name"] for a in suggestion["agencies"]]


def test_walkthrough_a_8050_household_end_to_end_through_the_api() -> None:
    world = make_referral_world()
    center = client_for(world.center_staff)
    agency = client_for(world.sr_staff)

    # Step 1: the mother's call. Both live at the same address in 高知市 (postal code 780-0850).
    mother = answer(center.post("/persons", {
        "family_name": "山田", "given_name": "花子", "family_name_kana": "やまだ",
        "given_name_kana": "はなこ", "sex": "female", "birth_date": years_ago(82).isoformat(),
        "postal_code": "780-0850", "address": "丸ノ内1-2-20", "phone": "088-000-1234",
    }), 201)  # fmt: skip
    son = answer(center.post("/persons", {
        "family_name": "山田", "given_name": "太郎", "family_name_kana": "やまだ",
        "given_name_kana": "たろう", "sex": "male", "birth_date": years_ago(52).isoformat(),
        "postal_code": "780-0850", "address": "丸ノ内1-2-20",
        "contact_notes": "本人には会えていない。",
    }), 201)  # fmt: skip
    assert son["municipality_name"] == "高知市"
    answer(center.post("/households", {
        "name": "山田 世帯",
        "members": [{"person": son["id"], "relationship": "self"},
                    {"person": mother["id"], "relationship": "parent", "is_main_carer": True}],
    }), 201)  # fmt: skip
    contact = answer(center.post("/contacts", {
        "person": son["id"], "channel": "phone", "initiator": "family",
        "initiator_person": mother["id"], "summary": "母から息子について電話相談",
        "problems": ["hikikomori", "income", "debt", "care"], "main_problem": "hikikomori",
    }), 201)  # fmt: skip
    case_id = contact["case_id"]

    # Step 2: the assessment, from what the mother says.
    answer(center.post("/assessments", {
        "case": case_id, "informant": "family", "employment": "unemployed",
        "going_out": "neighbourhood", "withdrawn_since": years_ago(20).isoformat(),
        "finance": "tight", "income_sources": "母の年金", "housing": "rented",
        "debt": True, "debt_notes": "母名義のカードローン",
        "household_member_needs_care": True, "care_notes": "母の足腰が弱ってきた",
        "mental_health_notes": "不眠で通院歴あり",
        "wishes": "（母の言葉）息子のことが心配。お金のことも相談したい。",
    }), 201)  # fmt: skip

    # Step 3: the suggestions, each with its rule, its reason and the agency resolved.
    panel = answer(center.get(f"/persons/{son['id']}/suggestions", case=case_id))
    assert panel["case"]["id"] == case_id
    found = by_code(panel)
    assert {"R2", "R7:elderly_care", "R7:debt"} <= set(found)
    for suggestion in found.values():
        assert suggestion["rule"] and suggestion["rule"] in suggestion["code"]
        assert japanese(suggestion["reason"]), suggestion
        assert japanese(suggestion["title"]) and japanese(suggestion["action_label"])

    r2 = found["R2"]
    assert (r2["rule"], r2["action"]) == ("R2", "refer")
    assert names(r2) == ["高知市生活支援相談センター"]  # J2: the city of the address
    [city] = r2["agencies"]
    assert city["id"] == world.city_self_reliance.pk
    assert "J2" in city["reason"] and "福祉事務所" in city["reason"]

    care = found["R7:elderly_care"]
    assert care["rule"] == "R7"
    assert names(care) == ["高知市地域包括支援センター"]
    assert care["for_names"] == ["山田 花子"]  # for the mother, from her son's assessment
    assert "山田 花子" in care["reason"]

    debt = found["R7:debt"]
    assert debt["rule"] == "R7"
    assert names(debt) == ["高知県多重債務相談窓口"]
    assert all(japanese(a["reason"]) for a in debt["agencies"])
    assert all(japanese(u) for u in debt["unresolved"])  # no 法テラス registered here

    # Nobody at the self-reliance agency sees the center's suggestions.
    assert agency.get(f"/persons/{son['id']}/suggestions", case=case_id).status_code == 404

    # Step 4: the mother is given the agencies' information: an introduction, no data passes.
    intro = answer(center.post("/introductions", {
        "case": case_id, "target_kind": "linked_system",
        "to_agency": world.community_support.pk, "given_to": "family",
        "what_given": "地域包括支援センターのパンフレットと電話番号、相談日", "rule": "R7",
    }), 201)  # fmt: skip
    assert intro["target"] == "高知市地域包括支援センター"
    assert JAPANESE.search(intro["given_to_label"])
    answer(center.post("/introductions", {
        "case": case_id, "target_kind": "self_reliance",
        "to_agency": world.city_self_reliance.pk, "given_to": "family",
        "what_given": "自立相談支援機関のチラシ（家計相談の案内）", "rule": "R2",
    }), 201)  # fmt: skip
    # ... and her consent for her own information (the care center may hear of her).
    mothers = record_consent(
        center, mother["id"], world.city_self_reliance, purpose="母の介護と家計の相談"
    )

    # The son's referral: a draft, with consent missing (P1) shown.
    draft = answer(center.post("/referrals", {
        "case": case_id, "to_agency": world.city_self_reliance.pk, "rule": "R2",
        "purpose": "家計と就労の相談をお願いします（母の年金のみ、カード債務あり）",
    }), 201)  # fmt: skip
    rid = draft["id"]
    assert draft["state"] == "draft" and JAPANESE.search(draft["state_label"])
    missing = {f["code"]: f for f in draft["findings"]}
    assert missing["consent_missing"]["rule"] == "P1"
    assert japanese(missing["consent_missing"]["label"])
    assert "send" not in step_names(draft)
    refused = center.post(f"/referrals/{rid}/send")
    assert refused.status_code == 409 and JAPANESE.search(refused.json()["detail"])
    # The mother's consent is hers: it does not cover her son (P1).
    attached = center.post(f"/referrals/{rid}/consent", {"consent": mothers["id"]})
    assert attached.status_code == 422 and "P1" in attached.json()["errors"][0]["message"]
    assert agency.get(f"/referrals/{rid}").status_code == 404  # a draft stays with the center
    # The panel shows what was done for each suggestion.
    taken = by_code(answer(center.get(f"/persons/{son['id']}/suggestions", case=case_id)))
    assert any("高知市生活支援相談センター" in t for t in taken["R2"]["taken"])
    assert any("高知市地域包括支援センター" in t for t in taken["R7:elderly_care"]["taken"])

    # Step 5: at the home visit the son says what he wants, in his words (R1) ...
    wishes = "自分のペースで働き口を探したい。母にお金の心配をさせたくない。"
    edited = answer(center.patch(f"/referrals/{rid}", {
        "wishes": wishes, "wishes_heard_on": timezone.localdate().isoformat(),
        "version": draft["version"],
    }))  # fmt: skip
    assert edited["wishes"] == wishes and edited["state"] == "draft"
    # ... and signs a consent for his identity and situation, not his health.
    sons = record_consent(center, son["id"], world.city_self_reliance, case=case_id)
    assert sons["kinds"] == ["identity", "situation"]
    confirmed = answer(
        center.post(
            f"/referrals/{rid}/consent", {"consent": sons["id"], "version": edited["version"]}
        )
    )
    assert confirmed["state"] == "consent_confirmed" and confirmed["findings"] == []
    sent = answer(center.post(f"/referrals/{rid}/send", {"version": confirmed["version"]}))
    assert sent["state"] == "sent" and sent["dates"]["sent_at"]

    # Step 6: the self-reliance agency finds it, sees exactly the consented kinds, and acts.
    inbox = answer(agency.get("/referrals", direction="received"))
    assert [r["id"] for r in inbox["items"]] == [rid]
    seen = answer(agency.get(f"/referrals/{rid}"))
    assert seen["side"] == "receiver" and seen["person_name"] == "山田 太郎"
    assert seen["from_agency"]["name"] == "高知県ひきこもり地域支援センター"
    assert seen["consent"]["kinds"] == ["identity", "situation"]
    assert seen["wishes"] == wishes
    [grant] = answer(agency.get("/grants"))["items"]
    record = answer(agency.get(f"/grants/{grant['id']}/record"))
    assert all("mental_health_notes" not in a for a in record["assessments"])
    answer(agency.post(f"/referrals/{rid}/receive"))
    accepted = answer(agency.post(f"/referrals/{rid}/accept", {}))
    assert accepted["state"] == "accepted" and accepted["received_case"]
    first = answer(agency.post(f"/referrals/{rid}/first-contact", {
        "channel": "home_visit", "initiator": "staff", "summary": "センターと同行して初回訪問",
        "accompanied": True, "accompaniment_notes": "センターの担当者が同行",
    }))  # fmt: skip
    assert first["state"] == "first_contact"

    # The center sees the loop closed: accepted, first contact on a date, and who did what.
    loop = answer(center.get(f"/referrals/{rid}"))
    today = timezone.localdate().isoformat()
    assert loop["state"] == "first_contact" and JAPANESE.search(loop["state_label"])
    assert loop["dates"]["decided_at"] and loop["dates"]["first_contact_on"] == today
    assert loop["accompanied"] is True
    timeline = loop["events"]
    assert [e["step"] for e in timeline] == [
        "drafted", "consent_confirmed", "sent", "received", "accepted", "first_contact",
    ]  # fmt: skip
    assert all(JAPANESE.search(e["state_label"]) for e in timeline)
    center_name, agency_name = "高知県ひきこもり地域支援センター", "高知市生活支援相談センター"
    assert [e["agency"] for e in timeline] == [center_name] * 3 + [agency_name] * 3
    assert [e["actor"] for e in timeline[-3:]] == [world.sr_staff.full_name] * 3
    assert not any(e["on_behalf"] for e in timeline)
    assert step_names(loop) == ["close"]
    closed = answer(center.post(f"/referrals/{rid}/close"))
    assert closed["state"] == "closed"

    # The reads of the suggestions and of the referral are in the access log (P3).
    assert AuditEvent.objects.filter(action="suggestion.listed", actor=world.center_staff).exists()
    assert AuditEvent.objects.filter(action="referral.viewed", actor=world.sr_staff).exists()
