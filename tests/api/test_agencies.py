"""`/api/v1/agencies`: the registry — list and search, detail, register, change."""

from __future__ import annotations

from typing import Any

import pytest

from tsunagi.access.models import AuditEvent
from tsunagi.agencies.models import Agency

from .factories import JAPANESE, assert_error, field_errors

pytestmark = pytest.mark.django_db


def new_station(**changes: Any) -> dict[str, Any]:
    """A hikikomori support station the 高知県 officer registers (input as people type it)."""
    return {
        "name": "いの町ひきこもり支援ステーション",
        "name_kana": "いのちょうひきこもりしえんすてーしょん",
        "kind": "hikikomori_station",
        "operator_level": "municipality",
        "operator_municipality_code": "39386",
        "prefecture_code": "39",
        "age_band": "both",
        "postal_code": "７８１－２１１０",
        "municipality_code": "39386",
        "address": "吾川郡いの町１４００",
        "phone": "０８８－８９３－１１１１",
        "area": ["39386"],
        **changes,
    }


def test_staff_list_the_registry(world, api):
    response = api(world.staff).get("/agencies")

    assert response.status_code == 200
    page = response.json()
    assert page["count"] == Agency.objects.count() == 7
    names = [a["name"] for a in page["items"]]
    assert "高知県ひきこもり地域支援センター" in names
    assert "千代田区くらしサポート" in names


def test_the_list_is_filtered_by_prefecture_and_kind(world, api):
    client = api(world.staff)

    kochi = client.get("/agencies", prefecture="39").json()
    self_reliance = client.get("/agencies", prefecture="39", kind="self_reliance").json()

    assert kochi["count"] == 5
    assert {a["name"] for a in self_reliance["items"]} == {
        "高知市生活支援相談センター",
        "高知県中央西福祉保健所 自立相談支援窓口",
    }


def test_search_by_name_in_kanji(world, api):
    page = api(world.staff).get("/agencies", q="生活支援").json()

    assert [a["name"] for a in page["items"]] == ["高知市生活支援相談センター"]


@pytest.mark.parametrize("reading", ["せいかつしえん", "セイカツシエン", "ｾｲｶﾂｼｴﾝ"])
def test_search_by_reading_in_hiragana_or_katakana(world, api, reading):
    page = api(world.staff).get("/agencies", q=reading).json()

    assert [a["name"] for a in page["items"]] == ["高知市生活支援相談センター"]


def test_search_by_area(world, api):
    page = api(world.staff).get("/agencies", municipality="39386").json()

    assert {a["name"] for a in page["items"]} == {
        "高知県ひきこもり地域支援センター",
        "高知県中央西福祉保健所 自立相談支援窓口",
    }


def test_detail_of_an_agency(world, api):
    response = api(world.staff).get(f"/agencies/{world.city_self_reliance.pk}")

    assert response.status_code == 200
    agency = response.json()
    assert agency["name"] == "高知市生活支援相談センター"
    assert agency["kind"] == "self_reliance"
    assert agency["operator_level"] == "municipality"
    assert agency["operator_municipality_code"] == "39201"
    assert agency["prefecture_code"] == "39"
    assert agency["area"] == ["39201"]
    assert agency["opening_hours"] == []
    assert agency["version"] == 1


def test_a_nonexistent_agency_is_404(world, api):
    assert_error(api(world.staff).get("/agencies/999999"), 404)


# --- register --------------------------------------------------------------------------------


@pytest.mark.smoke
def test_the_prefectural_officer_registers_an_agency_in_their_prefecture(world, api):
    response = api(world.prefectural_officer).post("/agencies", new_station())

    assert response.status_code == 201, response.content
    agency = response.json()
    assert agency["name"] == "いの町ひきこもり支援ステーション"
    assert agency["name_kana"] == "イノチョウヒキコモリシエンステーション"
    assert agency["postal_code"] == "781-2110"
    assert agency["phone"] == "088-893-1111"
    assert agency["address"] == "吾川郡いの町1400"
    assert agency["area"] == ["39386"]
    assert agency["operator_municipality_code"] == "39386"
    event = AuditEvent.objects.get(action="agency.created")
    assert event.actor == world.prefectural_officer
    assert event.agency_id == agency["id"]
    assert event.detail["area"] == ["39386"]


def test_staff_cannot_register_an_agency(world, api):
    response = api(world.staff).post("/agencies", new_station())

    assert_error(response, 403)
    assert not Agency.objects.filter(name="いの町ひきこもり支援ステーション").exists()


def test_the_prefectural_officer_cannot_register_in_another_prefecture(world, api):
    tokyo = new_station(
        name="千代田区ひきこもり支援ステーション", prefecture_code="13",
        operator_municipality_code="13101", municipality_code="13101", area=["13101"],
        postal_code="100-0001", address="千代田区千代田1-1",
    )  # fmt: skip

    response = api(world.prefectural_officer).post("/agencies", tokyo)

    assert_error(response, 403)
    assert not AuditEvent.objects.filter(action="agency.created").exists()


def test_a_name_is_required(world, api):
    payload = new_station()
    del payload["name"]

    messages = field_errors(api(world.prefectural_officer).post("/agencies", payload), "name")

    assert JAPANESE.search(messages[0]), messages


def test_an_empty_name_is_refused(world, api):
    response = api(world.prefectural_officer).post("/agencies", new_station(name=""))

    assert field_errors(response, "name")


def test_a_bad_postal_code_is_refused(world, api):
    response = api(world.prefectural_officer).post("/agencies", new_station(postal_code="78-08"))

    messages = field_errors(response, "postal_code")
    assert JAPANESE.search(messages[0])


def test_the_area_must_lie_in_the_agencys_prefecture(world, api):
    payload = new_station(area=["39386", "13101"])

    messages = field_errors(api(world.prefectural_officer).post("/agencies", payload), "area")

    assert "千代田区" in messages[0]
    assert not Agency.objects.filter(name="いの町ひきこもり支援ステーション").exists()


def test_an_unknown_municipality_in_the_area_is_refused(world, api):
    payload = new_station(area=["39999"])

    messages = field_errors(api(world.prefectural_officer).post("/agencies", payload), "area")

    assert "39999" in messages[0]


def test_j2_a_private_body_cannot_set_up_a_self_reliance_agency(world, api):
    payload = new_station(kind="self_reliance", operator_level="private")

    assert field_errors(api(world.prefectural_officer).post("/agencies", payload), "operator_level")


def test_an_unknown_kind_is_refused(world, api):
    response = api(world.prefectural_officer).post("/agencies", new_station(kind="bakery"))

    assert field_errors(response, "kind")


# --- change ----------------------------------------------------------------------------------


def test_the_manager_changes_their_agency(world, api):
    response = api(world.manager).patch(
        f"/agencies/{world.center.pk}", {"version": 1, "phone": "０８８－８２１－４５０８"}
    )

    assert response.status_code == 200, response.content
    assert response.json()["phone"] == "088-821-4508"
    assert response.json()["version"] == 2
    event = AuditEvent.objects.get(action="agency.changed")
    assert event.actor == world.manager
    assert event.agency == world.center
    assert event.detail["changes"] == {"phone": ["", "088-821-4508"]}


def test_an_edit_from_a_stale_version_is_a_conflict(world, api):
    manager = api(world.manager)
    first = manager.patch(f"/agencies/{world.center.pk}", {"version": 1, "phone": "088-821-4508"})
    assert first.status_code == 200

    second = manager.patch(f"/agencies/{world.center.pk}", {"version": 1, "phone": "088-000-0000"})

    body = assert_error(second, 409)
    assert body["current_version"] == 2
    world.center.refresh_from_db()
    assert world.center.phone == "088-821-4508"
    assert world.center.version == 2
    assert AuditEvent.objects.filter(action="agency.changed").count() == 1


def test_the_manager_changes_the_area(world, api):
    response = api(world.manager).patch(f"/agencies/{world.center.pk}", {"area": ["39201"]})

    assert response.json()["area"] == ["39201"]
    changes = AuditEvent.objects.get(action="agency.changed").detail["changes"]
    assert changes["area"][1] == ["39201"]


def test_the_manager_of_one_agency_cannot_change_another(world, api):
    response = api(world.manager).patch(f"/agencies/{world.city_self_reliance.pk}", {"phone": "1"})

    assert_error(response, 403)


def test_staff_cannot_change_their_agency(world, api):
    assert_error(api(world.staff).patch(f"/agencies/{world.center.pk}", {"phone": "1"}), 403)


def test_the_prefectural_officer_changes_any_agency_of_their_prefecture(world, api):
    response = api(world.prefectural_officer).patch(
        f"/agencies/{world.city_self_reliance.pk}", {"commissioned_to": "高知市社会福祉協議会"}
    )

    assert response.status_code == 200
    assert response.json()["commissioned_to"] == "高知市社会福祉協議会"


def test_the_officer_of_another_prefecture_cannot_change_a_kochi_agency(world, api):
    response = api(world.tokyo_officer).patch(f"/agencies/{world.center.pk}", {"notes": "x"})

    assert_error(response, 403)


# --- opening hours ---------------------------------------------------------------------------


def test_the_manager_sets_the_opening_hours(world, api):
    hours = [{"weekday": d, "opens": "09:00", "closes": "17:00"} for d in range(5)]
    hours.append({"weekday": 5, "opens": "13:00", "closes": "16:30"})

    response = api(world.manager).put(f"/agencies/{world.center.pk}/hours", hours)

    assert response.status_code == 200, response.content
    assert len(response.json()) == 6
    assert response.json()[5] == {"weekday": 5, "opens": "13:00:00", "closes": "16:30:00"}
    detail = api(world.staff).get(f"/agencies/{world.center.pk}").json()
    assert len(detail["opening_hours"]) == 6
    assert AuditEvent.objects.filter(action="agency.hours_changed").exists()


def test_a_closing_time_before_the_opening_time_is_refused(world, api):
    hours = [{"weekday": 0, "opens": "17:00", "closes": "09:00"}]

    response = api(world.manager).put(f"/agencies/{world.center.pk}/hours", hours)

    assert field_errors(response, "hours")
    assert not world.center.opening_hours.exists()


def test_staff_cannot_set_the_opening_hours(world, api):
    hours = [{"weekday": 0, "opens": "09:00", "closes": "17:00"}]

    assert_error(api(world.staff).put(f"/agencies/{world.center.pk}/hours", hours), 403)
