"""Walkthrough I, the suggestions, through the HTTP API (scenarios.md I; rule R8, J2).

A person says on the phone that he has not eaten for two days and does not want to live. Besides
the flags (test_walkthrough_i_flags_api.py) and the sharing without consent
(test_walkthrough_i_emergency_api.py), the case proposes, first of all and under rule R8: the
suicide-prevention window, and food and a place to stay — 一時生活支援・居住支援 through the
self-reliance agency of his city and 生活保護 through the welfare office — each with its reason.
The welfare office has no account in tsunagi: a referral to it goes by letter, and the
coordinator records its answers.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from tests.api.factories import JAPANESE
from tests.referral_world import (
    answer,
    client_for,
    japanese,
    make_referral_world,
    record_consent,
    register,
    step_names,
)

pytestmark = pytest.mark.django_db


def test_walkthrough_i_an_urgent_call_proposes_the_r8_windows_through_the_api() -> None:
    world = make_referral_world()
    center = client_for(world.center_staff)

    person, case_id = register(
        center,
        {
            "family_name": "佐々木", "given_name": "誠", "family_name_kana": "ささき",
            "sex": "male", "estimated_age": 40, "municipality_code": "39201",
        },
        summary="二日間食べていない。生きていたくないと話す。",
        problems=["no_food", "income"],
        urgent=["no_food", "suicidal"],
    )  # fmt: skip

    panel = answer(center.get(f"/persons/{person['id']}/suggestions", case=case_id))
    active = panel["active"]
    found: dict[str, dict[str, Any]] = {s["code"]: s for s in active}
    # Urgent needs come first (R8): both R8 suggestions lead the panel.
    assert [s["code"] for s in active[:2]] == ["R8:urgent", "R8:suicide"]
    assert {found["R8:urgent"]["rule"], found["R8:suicide"]["rule"]} == {"R8"}

    urgent = found["R8:urgent"]
    assert "一時生活支援" in urgent["reason"] and "生活保護" in urgent["reason"]
    assert japanese(urgent["reason"]) and japanese(urgent["title"])
    agencies = {a["name"]: a for a in urgent["agencies"]}
    assert list(agencies) == ["高知市生活支援相談センター", "高知市福祉事務所"]
    assert "J2" in agencies["高知市生活支援相談センター"]["reason"]
    assert JAPANESE.search(agencies["高知市福祉事務所"]["kind_label"])
    assert japanese(agencies["高知市福祉事務所"]["reason"])

    suicide = found["R8:suicide"]
    assert [a["name"] for a in suicide["agencies"]] == ["高知県こころの相談ダイヤル"]
    assert "自殺対策" in suicide["reason"] and japanese(suicide["reason"])
    assert japanese(suicide["agencies"][0]["reason"])

    # The rule table says what R8 proposes, as the help page does.
    rules = answer(center.get("/referral-rules"))
    r8 = [r for r in rules if r["id"] == "R8"]
    assert [r["code"] for r in r8] == ["R8:urgent", "R8:suicide"]
    assert {t["code"] for t in r8[0]["targets"]} == {"self_reliance", "welfare_office"}

    # The welfare office has no account: the referral goes by letter, the coordinator records
    # the answer it gave by phone.
    paper = record_consent(center, person["id"], world.welfare_office, case=case_id)
    referral = answer(center.post("/referrals", {
        "case": case_id, "to_agency": world.welfare_office.pk, "rule": "R8",
        "purpose": "生活保護の申請について相談をお願いします", "consent": paper["id"],
        "wishes": "とにかく今日食べるものがほしい",
    }), 201)  # fmt: skip
    assert referral["by_letter"] is True and referral["state"] == "consent_confirmed"
    sent = answer(center.post(f"/referrals/{referral['id']}/send"))
    assert "receive" in step_names(sent) or "accept" in step_names(sent)
    refused = center.post(f"/referrals/{referral['id']}/accept", {})
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["answered_via"]
    accepted = answer(center.post(f"/referrals/{referral['id']}/accept", {"answered_via": "phone"}))
    assert accepted["state"] == "accepted" and JAPANESE.search(accepted["answered_via_label"])
    first = answer(center.post(f"/referrals/{referral['id']}/first-contact", {
        "occurred_on": timezone.localdate().isoformat(), "answered_via": "phone",
        "accompanied": True,
    }))  # fmt: skip
    assert first["state"] == "first_contact" and first["accompanied"] is True
    assert [e["on_behalf"] for e in first["events"] if e["step"] != "drafted"][-2:] == [True, True]

    # The panel shows what was done under R8.
    again = {
        s["code"]: s
        for s in answer(center.get(f"/persons/{person['id']}/suggestions", case=case_id))["active"]
    }
    assert any("高知市福祉事務所" in t for t in again["R8:urgent"]["taken"])
