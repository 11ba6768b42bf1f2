"""Walkthrough G through the HTTP API: a town without a welfare office (scenarios.md G; rule J2).

A person living in いの町, a town that runs no welfare office, is assessed by the town's
hikikomori station. The self-reliance agency proposed (R2) is the one the prefecture runs for
that town — 高知県中央西福祉保健所's window, not 高知市's and not the prefecture's other window —
with the reason. The referral goes to it and arrives there. Had the person lived in 高知市, the
city's own agency would have been proposed.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.people import years_ago
from tests.referral_world import (
    answer,
    client_for,
    japanese,
    make_referral_world,
    record_consent,
    register,
)

pytestmark = pytest.mark.django_db


def r2_of(client: Any, person_id: int, case_id: int) -> dict[str, Any]:
    panel = answer(client.get(f"/persons/{person_id}/suggestions", case=case_id))
    [r2] = [s for s in panel["active"] if s["code"] == "R2"]
    return r2


def test_walkthrough_g_a_town_without_a_welfare_office_through_the_api() -> None:
    world = make_referral_world()
    station = client_for(world.ino_staff)
    prefecture_window = client_for(world.west_sr_staff)

    person, case_id = register(
        station,
        {
            "family_name": "岡林", "given_name": "修", "family_name_kana": "おかばやし",
            "sex": "male", "birth_date": years_ago(44).isoformat(),
            "municipality_code": "39386", "address": "枝川1500",
        },
        summary="本人来所。仕事がなく貯金も尽きそう。",
        problems=["hikikomori", "income", "debt"],
    )  # fmt: skip
    assert person["municipality_name"] == "いの町"
    answer(station.post("/assessments", {
        "case": case_id, "employment": "unemployed", "finance": "short", "debt": True,
        "going_out": "neighbourhood", "withdrawn_since": years_ago(6).isoformat(),
        "housing": "at_risk", "wishes": "生活を立て直したい",
    }), 201)  # fmt: skip

    # R2 names the prefecture's agency for いの町 (J2), with the reason.
    r2 = r2_of(station, person["id"], case_id)
    assert r2["rule"] == "R2" and japanese(r2["reason"])
    [proposed] = r2["agencies"]
    assert proposed["name"] == "高知県中央西福祉保健所 自立相談支援窓口"
    assert proposed["id"] == world.west_self_reliance.pk
    assert "J2" in proposed["reason"] and "福祉事務所を設置していない町村" in proposed["reason"]
    assert r2["unresolved"] == []

    # The referral goes to that agency, and its staff find it.
    referral = answer(station.post("/referrals", {
        "case": case_id, "to_agency": proposed["id"], "rule": "R2",
        "purpose": "家計と住まいの相談をお願いします",
        "wishes": "生活を立て直したい。働く準備もしたい。",
    }), 201)  # fmt: skip
    consent = record_consent(station, person["id"], world.west_self_reliance, case=case_id)
    referral = answer(station.post(f"/referrals/{referral['id']}/consent", {
        "consent": consent["id"], "version": referral["version"],
    }))  # fmt: skip
    sent = answer(station.post(f"/referrals/{referral['id']}/send"))
    assert sent["state"] == "sent" and sent["to_agency"]["name"] == proposed["name"]
    inbox = answer(prefecture_window.get("/referrals", direction="received"))
    assert [(r["id"], r["from_agency"]["name"]) for r in inbox["items"]] == [
        (referral["id"], "いの町ひきこもり支援ステーション")
    ]
    # Neither the city's agency nor the prefecture's eastern window hears of it.
    city = client_for(world.sr_staff)
    assert answer(city.get("/referrals", direction="received"))["items"] == []

    # Had he lived in 高知市, the city runs a welfare office: its own agency would be named.
    answer(station.patch(f"/persons/{person['id']}", {"municipality_code": "39201"}))
    [in_city] = r2_of(station, person["id"], case_id)["agencies"]
    assert in_city["name"] == "高知市生活支援相談センター"
    assert "J2" in in_city["reason"] and "福祉事務所を設置している市区町村" in in_city["reason"]
