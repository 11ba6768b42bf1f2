"""`/api/v1/municipal-structures`: lead department (M4), surveys (M2), platform (M3), the
prefecture's progress (M5) and its centers' compliance (J6), with the access rules of access.md."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest

from tsunagi.oversight.models import LeadDepartment, MunicipalPlatform

from .factories import ApiClient, World, add_staff, assert_error, field_errors, weekday_hours

pytestmark = pytest.mark.django_db
Api = Callable[..., ApiClient]
BASE = "/municipal-structures"
SURVEY = {
    "method": "welfare_commissioners",
    "period_from": "2024-07-01",
    "period_to": "2024-09-30",
    "estimated_15_39": 120,
    "estimated_40_64": 180,
    "needs": ["place_to_be", "family_support"],
    "needs_text": "居場所が足りない。",
    "is_published": True,
}
PLATFORM = {
    "name": "高知市ひきこもり支援ネットワーク会議",
    "secretariat": "地域共生社会推進課",
    "other_members": ["NPO法人 例", "民生委員児童委員協議会"],
    "existing_body": "高知市地域福祉推進協議会",
    "holds_meetings": False,
    "set_up_on": "2024-04-01",
}


def test_m4_the_municipal_officer_names_the_lead_department_and_keeps_history(
    world: World, api: Api
) -> None:
    client = api(world.municipal_officer)
    first = client.put(
        f"{BASE}/39201/lead-department",
        {"name": "健康福祉部 地域共生社会推進課", "contact": "088-000-0000", "since": "2023-04-01"},
    )
    assert first.status_code == 200, first.content
    assert first.json()["current"]["name"] == "健康福祉部 地域共生社会推進課"
    second = client.put(
        f"{BASE}/39201/lead-department", {"name": "福祉こども部", "since": "2025-04-01"}
    )
    body = second.json()
    assert body["current"]["name"] == "福祉こども部"
    assert [d["until"] for d in body["history"]] == [None, "2025-04-01"]
    assert LeadDepartment.objects.filter(municipality__code="39201").count() == 2


def test_m4_bad_input_answers_422_with_the_field(world: World, api: Api) -> None:
    client = api(world.municipal_officer)
    assert field_errors(client.put(f"{BASE}/39201/lead-department", {"name": " "}), "name")
    future = (date.today() + timedelta(days=30)).isoformat()
    assert field_errors(
        client.put(f"{BASE}/39201/lead-department", {"name": "課", "since": future}), "since"
    )


def test_m4_another_municipality_is_not_found_for_the_municipal_officer(
    world: World, api: Api
) -> None:
    client = api(world.municipal_officer)
    assert_error(client.get(f"{BASE}/39202/lead-department"), 404)
    assert_error(client.put(f"{BASE}/39202/lead-department", {"name": "課"}), 404)
    assert_error(client.get(f"{BASE}/99999/lead-department"), 404)


def test_m4_outsiders_see_nothing(world: World, api: Api) -> None:
    for user in (world.nobody, world.staff, world.tokyo_officer, world.other_staff):
        assert_error(api(user).get(f"{BASE}/39201/lead-department"), 404)
    assert_error(api(None).get(f"{BASE}/39201/lead-department"), 401)


def test_m4_the_operator_sees_no_municipalitys_records(world: World, api: Api) -> None:
    client = api(world.operator)  # the national counts only (aggregates)
    for what in ("lead-department", "surveys", "platform"):
        assert_error(client.get(f"{BASE}/39201/{what}"), 404)
    assert_error(client.put(f"{BASE}/39201/lead-department", {"name": "課"}), 404)
    assert_error(client.get(f"{BASE}/progress", prefecture="39"), 404)


def test_m4_the_prefecture_follows_but_does_not_name_a_towns_lead_department(
    world: World, api: Api
) -> None:
    api(world.municipal_officer).put(f"{BASE}/39201/lead-department", {"name": "福祉課"})
    officer = api(world.prefectural_officer)
    assert officer.get(f"{BASE}/39201/lead-department").json()["current"]["name"] == "福祉課"
    assert_error(officer.put(f"{BASE}/39201/lead-department", {"name": "県が決めた課"}), 403)
    assert_error(officer.put(f"{BASE}/39202/lead-department", {"name": "県が決めた課"}), 403)
    assert_error(officer.post(f"{BASE}/39201/surveys", SURVEY), 403)
    assert list(LeadDepartment.objects.values_list("name", flat=True)) == ["福祉課"]


def test_m3_the_prefecture_sets_up_and_changes_a_joint_platform(world: World, api: Api) -> None:
    officer = api(world.prefectural_officer)
    made = officer.post(f"{BASE}/39202/platform", {**PLATFORM, "joint_with_prefecture": True})
    assert made.status_code == 201, made.content
    assert made.json()["current"]["joint_with_prefecture"]
    changed = officer.patch(f"{BASE}/39202/platform", {"version": 1, "holds_meetings": True})
    assert changed.status_code == 200, changed.content
    assert changed.json()["current"]["version"] == 2
    # the town changes its joint platform too
    town = api(world.municipal_officer)
    joint = {**PLATFORM, "joint_with_prefecture": True}
    assert town.post(f"{BASE}/39201/platform", joint).status_code == 201
    assert town.patch(f"{BASE}/39201/platform", {"name": "新しい名前"}).status_code == 200


def test_m3_the_prefecture_cannot_record_or_change_a_towns_own_platform(
    world: World, api: Api
) -> None:
    officer = api(world.prefectural_officer)
    assert_error(officer.post(f"{BASE}/39202/platform", PLATFORM), 403)
    assert_error(officer.patch(f"{BASE}/39202/platform", {"name": "x"}), 404)  # none yet
    assert not MunicipalPlatform.objects.exists()
    town = api(world.municipal_officer)
    assert town.post(f"{BASE}/39201/platform", PLATFORM).status_code == 201
    assert_error(officer.patch(f"{BASE}/39201/platform", {"name": "県が変えた名前"}), 403)
    # a joint platform does not become the town's own by the prefecture's hand
    assert town.patch(f"{BASE}/39201/platform", {"joint_with_prefecture": True}).status_code == 200
    assert_error(officer.patch(f"{BASE}/39201/platform", {"joint_with_prefecture": False}), 403)
    assert officer.patch(f"{BASE}/39201/platform", {"name": "共同の名前"}).status_code == 200
    assert MunicipalPlatform.objects.get(valid_until__isnull=True).name == "共同の名前"
    # another prefecture's officer sees nothing
    assert_error(api(world.tokyo_officer).get(f"{BASE}/39201/platform"), 404)


def test_nul_in_a_platform_text_is_422_with_the_field(world: World, api: Api) -> None:
    client = api(world.municipal_officer)
    for field, value, where in (
        ("name", "会議\x00", "name"),
        ("secretariat", "\x00", "secretariat"),
        ("other_members", ["民生委員\x00"], "other_members.0"),
    ):
        answer = client.post(f"{BASE}/39201/platform", {**PLATFORM, field: value})
        assert "NUL" in field_errors(answer, where)[0], field
    contact = client.put(f"{BASE}/39201/lead-department", {"name": "課", "contact": "\x00"})
    assert field_errors(contact, "contact")
    detail = client.post(
        f"{BASE}/39201/surveys", {**SURVEY, "method": "other", "method_detail": "聞\x00"}
    )
    assert field_errors(detail, "method_detail")
    assert not MunicipalPlatform.objects.exists() and not LeadDepartment.objects.exists()


def test_nul_in_the_prefecture_code_is_422(world: World, api: Api) -> None:
    officer = api(world.prefectural_officer)
    for path in ("progress", "compliance"):
        answer = officer.get(f"{BASE}/{path}", prefecture="3\x009")
        assert "NUL" in field_errors(answer, "prefecture")[0]


def test_m2_surveys_are_recorded_and_listed(world: World, api: Api) -> None:
    client = api(world.municipal_officer)
    made = client.post(f"{BASE}/39201/surveys", SURVEY)
    assert made.status_code == 201, made.content
    assert made.json()["estimated_total"] == 300
    listed = client.get(f"{BASE}/39201/surveys").json()
    assert [s["needs"] for s in listed["items"]] == [["place_to_be", "family_support"]]
    officer = api(world.prefectural_officer).get(f"{BASE}/39201/surveys")
    assert officer.json()["items"][0]["needs_text"] == "居場所が足りない。"


def test_m2_bad_surveys_answer_422(world: World, api: Api) -> None:
    client = api(world.municipal_officer)
    backwards = {**SURVEY, "period_to": "2024-06-01"}
    assert "開始" in field_errors(client.post(f"{BASE}/39201/surveys", backwards), "period_to")[0]
    assert field_errors(client.post(f"{BASE}/39201/surveys", {**SURVEY, "method": "x"}), "method")
    other = {**SURVEY, "method": "other"}
    assert field_errors(client.post(f"{BASE}/39201/surveys", other), "method_detail")
    negative = {**SURVEY, "estimated_15_39": -1}
    assert_error(client.post(f"{BASE}/39201/surveys", negative), 422)


def test_m3_the_platform_is_recorded_and_changed_as_a_new_version(world: World, api: Api) -> None:
    client = api(world.municipal_officer)
    made = client.post(
        f"{BASE}/39201/platform",
        {**PLATFORM, "member_agency_ids": [world.city_self_reliance.pk, world.center.pk]},
    )
    assert made.status_code == 201, made.content
    current = made.json()["current"]
    assert current["uses_existing_body"] and not current["holds_meetings"]
    assert {m["name"] for m in current["member_agencies"]} == {
        world.city_self_reliance.name,
        world.center.name,
    }
    again = client.post(f"{BASE}/39201/platform", PLATFORM)
    assert_error(again, 422)
    changed = client.patch(
        f"{BASE}/39201/platform",
        {"version": 1, "holds_meetings": True, "joint_with_prefecture": True},
    )
    assert changed.status_code == 200, changed.content
    body = changed.json()
    assert body["current"]["version"] == 2 and body["current"]["holds_meetings"]
    assert len(body["current"]["member_agencies"]) == 2
    assert [p["version"] for p in body["history"]] == [2, 1]
    stale = client.patch(f"{BASE}/39201/platform", {"version": 1, "name": "別名"})
    assert_error(stale, 409)
    assert MunicipalPlatform.objects.filter(municipality__code="39201").count() == 2


def test_m3_bad_platform_input(world: World, api: Api) -> None:
    client = api(world.municipal_officer)
    assert field_errors(
        client.post(f"{BASE}/39201/platform", {**PLATFORM, "secretariat": ""}), "secretariat"
    )
    tokyo = {**PLATFORM, "member_agency_ids": [world.tokyo_self_reliance.pk]}
    assert field_errors(client.post(f"{BASE}/39201/platform", tokyo), "member_agency_ids")
    assert_error(client.patch(f"{BASE}/39201/platform", {"name": "x"}), 404)


def test_m5_progress_for_the_prefectural_officer(world: World, api: Api) -> None:
    client = api(world.municipal_officer)
    client.put(f"{BASE}/39201/lead-department", {"name": "課", "since": "2023-04-01"})
    client.post(f"{BASE}/39201/surveys", SURVEY)
    set_up = (date.today() - timedelta(days=200)).isoformat()
    client.post(f"{BASE}/39201/platform", {**PLATFORM, "set_up_on": set_up})
    answer = api(world.prefectural_officer).get(f"{BASE}/progress", prefecture="39")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["survey"]["label"] == "1/34"
    assert body["platform"]["label"] == "1/34"
    assert body["lead"]["label"] == "1/34"
    assert "39201" not in body["missing"]["survey"] and "39202" in body["missing"]["survey"]
    first = body["municipalities"][0]
    assert first["code"] == "39201" and first["survey"] and first["platform"]
    assert body["history"][-1]["survey"] == 1
    early = [p for p in body["history"] if p["date"] < set_up]
    assert early and all(p["platform"] == 0 for p in early)


def test_m5_progress_is_refused_to_others(world: World, api: Api) -> None:
    assert_error(api(world.municipal_officer).get(f"{BASE}/progress", prefecture="39"), 403)
    assert_error(api(world.tokyo_officer).get(f"{BASE}/progress", prefecture="39"), 403)
    assert_error(api(world.staff).get(f"{BASE}/progress", prefecture="39"), 404)
    assert_error(api(world.nobody).get(f"{BASE}/progress", prefecture="39"), 404)
    assert_error(api(world.prefectural_officer).get(f"{BASE}/progress", prefecture="99"), 404)


def test_m5_national_counts_per_prefecture_for_the_operator(world: World, api: Api) -> None:
    api(world.municipal_officer).put(f"{BASE}/39201/lead-department", {"name": "課"})
    rows = api(world.operator).get(f"{BASE}/national").json()
    assert len(rows) == 47
    kochi = next(r for r in rows if r["prefecture_code"] == "39")
    assert kochi == {
        "prefecture_code": "39",
        "prefecture_name": "高知県",
        "total": 34,
        "window": kochi["window"],
        "survey": 0,
        "platform": 0,
        "lead": 1,
    }
    own = api(world.prefectural_officer).get(f"{BASE}/national").json()
    assert [r["prefecture_code"] for r in own] == ["39"]
    assert own[0] == kochi
    assert_error(api(world.staff).get(f"{BASE}/national"), 404)
    assert_error(api(world.municipal_officer).get(f"{BASE}/national"), 404)


def test_j6_compliance_of_the_prefectures_centers(world: World, api: Api) -> None:
    add_staff(world.center, "土佐 花子", qualifications=["social_worker"])
    weekday_hours(world.center)
    body = api(world.prefectural_officer).get(f"{BASE}/compliance", prefecture="39").json()
    assert [c["agency_name"] for c in body] == [world.center.name]
    center = body[0]
    assert not center["compliant"] and center["coordinators"] == 1
    assert center["rule"] == "J6" and center["reasons"][0].startswith("J6")
    assert "コーディネーター" in center["reasons"][0]
    add_staff(world.center, "高知 次郎")
    again = api(world.prefectural_officer).get(f"{BASE}/compliance", prefecture="39").json()
    assert again[0]["compliant"] and again[0]["reasons"] == []
    assert_error(api(world.municipal_officer).get(f"{BASE}/compliance", prefecture="39"), 403)


def test_a_municipal_officer_gets_no_personal_record(world: World, api: Api) -> None:
    client = api(world.municipal_officer)
    assert client.get("/persons").json()["count"] == 0
    assert_error(client.get("/persons/1"), 404)
