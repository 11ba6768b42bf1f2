"""Walkthrough C through the HTTP API: an introduction without a plan (scenarios.md C; rule R3a).

A 35-year-old man asks the self-reliance agency about rent after losing his job; he has barely
left his room for two years and does not want a plan now. The system proposes introducing the
hikikomori agency (R3a). The staff member records the introduction to the hikikomori station of
his town and to the local family association; no personal data leaves the agency (no grant, and
the station's staff cannot open anything of his); the introduction appears in the statistics.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.api.factories import JAPANESE
from tests.people import years_ago
from tests.referral_world import (
    answer,
    client_for,
    japanese,
    make_referral_world,
    register,
)
from tsunagi.access.models import Grant

pytestmark = pytest.mark.django_db


def test_walkthrough_c_introduction_without_a_plan_through_the_api() -> None:
    world = make_referral_world()
    agency = client_for(world.sr_staff)
    station = client_for(world.station_staff)

    person, case_id = register(
        agency,
        {
            "family_name": "高橋", "given_name": "健", "family_name_kana": "たかはし",
            "sex": "male", "birth_date": years_ago(35).isoformat(),
            "municipality_code": "39201", "address": "桟橋通1-1",
        },
        summary="失業して家賃が払えない。部屋からほとんど出ていない。",
        problems=["income", "rent_arrears"],
    )  # fmt: skip
    answer(agency.post("/assessments", {
        "case": case_id, "employment": "unemployed", "finance": "short", "housing": "rented",
        "going_out": "room_only", "withdrawn_since": years_ago(2).isoformat(),
        "hikikomori_notes": "この2年ほとんど自室から出ていない",
        "wishes": "今は家賃のことだけ相談したい。プランはまだ考えられない。",
    }), 201)  # fmt: skip

    # R3a: in a hikikomori state and no plan: introduce the hikikomori agency or a group.
    panel = answer(agency.get(f"/persons/{person['id']}/suggestions", case=case_id))
    found = {s["code"]: s for s in panel["active"]}
    assert "R3a" in found and "R3b" not in found
    r3a = found["R3a"]
    assert (r3a["rule"], r3a["action"]) == ("R3a", "introduce")
    assert japanese(r3a["reason"]) and japanese(r3a["action_label"])
    proposed = [a["name"] for a in r3a["agencies"]]
    assert proposed[0] == "高知市ひきこもり支援ステーション"  # paired (J3) and of his town
    assert "高知県ひきこもり地域支援センター" in proposed  # the adult center covers the city
    assert "高知県こどもひきこもり相談センター" not in proposed  # J4: he is 35
    assert all(japanese(a["reason"]) for a in r3a["agencies"])
    assert r3a["taken"] == []

    # The introductions: the station of his town and the local family association.
    today = timezone.localdate().isoformat()
    to_station = answer(agency.post("/introductions", {
        "case": case_id, "target_kind": "hikikomori_agency", "to_agency": world.city_station.pk,
        "what_given": "ステーションのチラシ、電話番号と開所時間（平日9時〜17時）", "rule": "R3a",
    }), 201)  # fmt: skip
    to_family = answer(agency.post("/introductions", {
        "case": case_id, "target_kind": "family_association", "to_name": "高知県ひきこもり家族会",
        "what_given": "家族会の月例会の案内", "rule": "R3a",
    }), 201)  # fmt: skip
    assert to_station["target"] == "高知市ひきこもり支援ステーション"
    assert to_family["target"] == "高知県ひきこもり家族会" and to_family["to_agency"] is None
    assert to_station["given_on"] == today and to_station["rule"] == "R3a"
    assert JAPANESE.search(to_family["target_kind_label"])
    listed = answer(agency.get("/introductions", case=case_id))
    assert {i["target"] for i in listed["items"]} == {
        "高知市ひきこもり支援ステーション", "高知県ひきこもり家族会",
    }  # fmt: skip

    # A bad introduction is refused with Japanese field errors, and nothing is recorded.
    bad = agency.post("/introductions", {
        "case": case_id, "target_kind": "family_association", "to_name": "", "what_given": "",
    })  # fmt: skip
    assert bad.status_code == 422
    errors = {e["field"]: e["message"] for e in bad.json()["errors"]}
    assert {"to_name", "what_given"} <= set(errors)
    assert all(japanese(m) for m in errors.values())
    assert answer(agency.get("/introductions", case=case_id))["count"] == 2

    # The panel shows the suggestion taken.
    again = {s["code"]: s for s in answer(agency.get(f"/persons/{person['id']}/suggestions",
                                                      case=case_id))["active"]}  # fmt: skip
    assert any("高知市ひきこもり支援ステーション" in t for t in again["R3a"]["taken"])

    # No personal data left the agency: no grant, and the station cannot open anything.
    assert not Grant.objects.filter(person_id=person["id"]).exists()
    assert answer(agency.get("/grants", direction="given"))["items"] == []
    assert answer(station.get("/grants", direction="received"))["items"] == []
    assert station.get(f"/persons/{person['id']}").status_code == 404
    assert station.get(f"/cases/{case_id}").status_code == 404
    assert station.get(f"/introductions/{to_station['id']}").status_code == 404
    assert answer(station.get("/introductions"))["count"] == 0
    assert station.get(f"/persons/{person['id']}/suggestions").status_code == 404
    assert answer(station.get("/persons", q="たかはし"))["count"] == 0

    # The introductions are counted in the agency's statistics, by kind and by rule; the
    # station counts nothing (it received no data) and cannot read the agency's figures.
    stats = answer(agency.get("/stats/referrals", agency=world.city_self_reliance.pk))
    introductions = stats["introductions"]
    assert introductions["total"] == 2
    assert [(r["rule"], r["count"]) for r in introductions["by_rule"]] == [("R3a", 2)]
    kinds = {k["target_kind"]: k for k in introductions["by_target_kind"]}
    assert {k: v["count"] for k, v in kinds.items()} == {
        "hikikomori_agency": 1, "family_association": 1,
    }  # fmt: skip
    assert all(JAPANESE.search(k["label"]) for k in kinds.values())
    assert stats["sent"]["total"] == 0  # an introduction is not a referral
    assert answer(station.get("/stats/referrals"))["introductions"]["total"] == 0
    assert station.get("/stats/referrals", agency=world.city_self_reliance.pk).status_code == 404
