"""The Article 9 support meeting (支援会議) through the HTTP API: what a member sees (rule P5;
issue 6 "Done means": a member sees the agenda cases of that meeting and nothing else of the
owning agency).

高知市's self-reliance agency convenes a support meeting under Article 9 with the city's
hikikomori station as a member, and puts two of its cases on the agenda: 坂本 with his plan
(identity, situation and plan) and 野村 without the plan (identity and situation only). A third
person of the agency, 西森, is not on the agenda. The station's staff:
- see both agenda cases by name, never the agency's case numbers;
- read 坂本's record and plan through the meeting's grant, and 野村's record but not her plan
  (the meeting shared no plan of hers);
- get 404 for 西森 (person, case, plan), for the agenda cases' own case records, and for a
  meeting of the agency they are not a member of;
- after the meeting's sharing period, get 404 for everything they could read.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tests.api.factories import JAPANESE, ApiClient
from tests.people import years_ago
from tests.referral_world import (
    answer,
    client_for,
    japanese,
    make_referral_world,
    on_day,
    register,
)
from tsunagi.access.models import AuditEvent
from tsunagi.web.wareki import format_wareki

pytestmark = pytest.mark.django_db

SHARE_DAYS = 14


def person(client: ApiClient, family: str, given: str, age: int, sex: str) -> tuple[int, int]:
    created, case_id = register(
        client,
        {"family_name": family, "given_name": given, "sex": sex,
         "birth_date": years_ago(age).isoformat(), "municipality_code": "39201",
         "address": "本町1-1"},
        summary="生活と仕事の相談", problems=["income", "hikikomori"],
    )  # fmt: skip
    answer(client.post("/assessments", {
        "case": case_id, "employment": "unemployed", "finance": "tight", "going_out": "room_only",
        "hikikomori_notes": "数年、自室からほとんど出ていない",
        "family_notes": "家族との関係がこじれている", "mental_health_notes": "通院中",
        "wishes": "少しずつ外に出られるようになりたい",
    }), 201)  # fmt: skip
    return created["id"], case_id


def a_plan(client: ApiClient, case_id: int, agency_id: int) -> int:
    today = timezone.localdate()
    plan = answer(client.post("/plans", {
        "case": case_id, "mode": "goals", "person_wishes": "少しずつ外に出られるようになりたい",
        "starts_on": today.isoformat(),
        "ends_on": (today + datetime.timedelta(days=180)).isoformat(),
        "goals": [{"term": "short", "text": "月に2回、相談に来る"}],
        "items": [{"what": "定期的な面談", "service": "self_reliance_consultation",
                   "responsible_agency": agency_id, "frequency": "月2回", "goal": 0}],
    }), 201)  # fmt: skip
    return int(plan["id"])


def test_p5_walkthrough_d_an_article_9_member_sees_the_agenda_cases_and_nothing_else() -> None:
    world = make_referral_world()
    agency = client_for(world.sr_staff)
    station = client_for(world.station_staff)
    today = timezone.localdate()
    sakamoto, sakamoto_case = person(agency, "坂本", "翔太", 31, "male")
    nomura, nomura_case = person(agency, "野村", "由美", 26, "female")
    nishimori, nishimori_case = person(agency, "西森", "誠", 44, "male")
    sr = world.city_self_reliance.pk
    sakamoto_plan = a_plan(agency, sakamoto_case, sr)
    nomura_plan = a_plan(agency, nomura_case, sr)
    nishimori_plan = a_plan(agency, nishimori_case, sr)

    # The support meeting under Article 9, the station a member; two cases on its agenda.
    meeting = answer(agency.post("/meetings", {
        "kind": "article_9", "title": "高知市支援会議（定例）", "held_on": format_wareki(today),
        "place": "高知市役所 会議室", "purpose": "ひきこもり状態にある方の支援方針の共有",
        "members": [world.city_station.pk], "share_days_after": SHARE_DAYS,
    }), 201)  # fmt: skip
    mid = meeting["id"]
    assert japanese(meeting["kind_label"]) and "9" in meeting["kind_label"]
    answer(agency.post(f"/meetings/{mid}/agenda", {
        "case": sakamoto_case, "kinds": ["identity", "situation", "plan"],
    }), 201)  # fmt: skip
    answer(agency.post(f"/meetings/{mid}/agenda", {
        "case": nomura_case, "kinds": ["identity", "situation"],
    }), 201)  # fmt: skip
    # Another meeting of the agency, without the station.
    other = answer(agency.post("/meetings", {
        "kind": "article_9", "title": "庁内連携会議", "held_on": format_wareki(today),
        "purpose": "庁内の情報共有", "members": [world.welfare_office.pk],
    }), 201)  # fmt: skip
    answer(agency.post(f"/meetings/{other['id']}/agenda", {"case": nishimori_case}), 201)

    # The station sees the meeting's agenda by name, never the agency's case numbers.
    seen = answer(station.get(f"/meetings/{mid}"))
    assert [i["person_name"] for i in seen["agenda"]] == ["坂本 翔太", "野村 由美"]
    assert all(i["case_id"] is None and i["case_number"] is None for i in seen["agenda"])
    assert [m["id"] for m in answer(station.get("/meetings"))["items"]] == [mid]
    assert station.get(f"/meetings/{other['id']}").status_code == 404

    # Its grants: one per agenda case, for the meeting's purpose and kinds, until the period ends.
    grants = answer(station.get("/grants", direction="received"))["items"]
    by_person = {g["person_id"]: g for g in grants}
    assert set(by_person) == {sakamoto, nomura} and len(grants) == 2
    assert all(g["kind"] == "meeting" and g["meeting_id"] == mid for g in grants)
    assert all(g["consent_id"] is None and g["legal_ground"] == "article_9" for g in grants)
    assert sorted(by_person[sakamoto]["kinds"]) == ["identity", "plan", "situation"]
    assert sorted(by_person[nomura]["kinds"]) == ["identity", "situation"]
    record = answer(station.get(f"/grants/{by_person[sakamoto]['id']}/record"))
    assert record["person"]["family_name"] == "坂本"
    assert record["assessments"], record
    for assessment in record["assessments"]:  # the meeting shared no assessment nor health
        assert "family_notes" not in assessment and "mental_health_notes" not in assessment
    assert JAPANESE.search(record["ground_label"])
    assert AuditEvent.objects.filter(
        actor=world.station_staff, grant=by_person[sakamoto]["code"]
    ).exists()

    # Nothing else of the owning agency: 西森 is on no agenda the station sits at; the agenda
    # cases' own records stay the agency's.
    for path in (
        f"/persons/{nishimori}",
        f"/cases/{nishimori_case}",
        f"/cases/{sakamoto_case}",
        f"/cases/{nomura_case}",
        f"/persons/{nishimori}/suggestions",
    ):
        assert station.get(path).status_code == 404, path
    assert answer(station.get("/grants", direction="received"))["count"] == 2

    # Plans: 坂本's (the meeting shared "plan"), read-only; 野村's not (her agenda case names
    # no plan); 西森's not.
    shared = answer(station.get(f"/plans/{sakamoto_plan}"))
    assert shared["shared"] is True and shared["person_name"] == "坂本 翔太"
    assert shared["person_wishes"] == "少しずつ外に出られるようになりたい"
    assert [i["what"] for i in shared["items"]] == ["定期的な面談"]
    assert station.get(f"/plans/{nomura_plan}").status_code == 404
    assert station.get(f"/plans/{nishimori_plan}").status_code == 404
    listed = answer(station.get("/plans"))
    assert [p["id"] for p in listed["items"]] == [sakamoto_plan]

    # After the sharing period, nothing.
    over = today + datetime.timedelta(days=SHARE_DAYS + 1)
    with on_day(over):
        later = client_for(world.station_staff)
        for grant in by_person.values():
            assert later.get(f"/grants/{grant['id']}/record").status_code == 404
        assert later.get(f"/plans/{sakamoto_plan}").status_code == 404
        assert answer(later.get("/plans"))["items"] == []
        agenda = answer(later.get(f"/meetings/{mid}"))["agenda"]
        assert [i["person_name"] for i in agenda] == [None, None]
        # ... and the agency cannot add a case to a meeting whose period is over.
        refused = client_for(world.sr_staff).post(f"/meetings/{mid}/agenda", {
            "case": nishimori_case,
        })  # fmt: skip
        assert refused.status_code == 422 and JAPANESE.search(refused.json()["detail"])
