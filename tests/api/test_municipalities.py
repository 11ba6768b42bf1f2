"""`/api/v1/municipalities`: the 1,741 市区町村, their kinds, the welfare-office flag (rule J2)."""

from __future__ import annotations

import pytest

from tsunagi.access.models import AuditEvent
from tsunagi.jurisdictions.models import Municipality

from .factories import assert_error, field_errors

pytestmark = pytest.mark.django_db

INO = "39386"  # 吾川郡いの町: a town without a welfare office, covered by 高知県


@pytest.mark.smoke
def test_tokyo_has_62_municipalities(world, api):
    response = api(world.staff).get("/municipalities", prefecture="13")

    assert response.status_code == 200
    page = response.json()
    assert page["count"] == 62
    assert len(page["items"]) == 62
    assert {m["prefecture_name"] for m in page["items"]} == {"東京都"}
    assert sum(m["kind"] == "special_ward" for m in page["items"]) == 23


def test_1741_municipalities_in_all(world, api):
    page = api(world.staff).get("/municipalities").json()

    assert page["count"] == 1741
    assert len(page["items"]) == 100  # one page


def test_a_full_width_prefecture_code_is_understood(world, api):
    page = api(world.staff).get("/municipalities", prefecture="１３").json()

    assert page["count"] == 62


def test_kind_and_name_filters(world, api):
    client = api(world.staff)

    villages = client.get("/municipalities", prefecture="39", kind="village").json()
    by_kana = client.get("/municipalities", prefecture="39", q="こうち").json()

    assert villages["count"] == 6
    assert {m["name"] for m in villages["items"]} >= {"馬路村", "大川村"}
    assert [m["name"] for m in by_kana["items"]] == ["高知市"]


@pytest.mark.parametrize(
    ("code", "name", "kind", "welfare_office"),
    [
        ("131016", "千代田区", "special_ward", True),
        ("011002", "札幌市", "designated_city", True),
        ("392014", "高知市", "core_city", True),
        ("392022", "室戸市", "city", True),
        ("393860", "いの町", "town", False),
        ("393061", "馬路村", "village", False),
    ],
)
def test_kinds_of_known_municipalities(world, api, code, name, kind, welfare_office):
    response = api(world.staff).get(f"/municipalities/{code}")

    assert response.status_code == 200
    municipality = response.json()
    assert (municipality["lg_code"], municipality["name"]) == (code, name)
    assert municipality["code"] == code[:5]
    assert municipality["kind"] == kind
    assert municipality["has_welfare_office"] is welfare_office


def test_a_designated_city_lists_its_wards(world, api):
    sapporo = api(world.staff).get("/municipalities/011002").json()

    wards = {w["name"]: w["lg_code"] for w in sapporo["wards"]}
    assert len(wards) == 10
    assert wards["中央区"] == "011011"
    assert sapporo["kind_label"]


def test_a_town_knows_its_district(world, api):
    ino = api(world.staff).get(f"/municipalities/{INO}").json()

    assert (ino["district"], ino["name"], ino["prefecture_code"]) == ("吾川郡", "いの町", "39")
    assert ino["wards"] == []


def test_five_and_six_digit_codes_find_the_same_municipality(world, api):
    client = api(world.staff)

    five = client.get("/municipalities/13101")
    six = client.get("/municipalities/131016")
    full_width = client.get("/municipalities/１３１０１")

    assert five.status_code == six.status_code == full_width.status_code == 200
    assert five.json() == six.json() == full_width.json()


@pytest.mark.parametrize("code", ["99999", "999999", "1310", "abc"])
def test_an_unknown_municipality_is_404(world, api, code):
    assert_error(api(world.staff).get(f"/municipalities/{code}"), 404)


def test_the_prefectural_officer_sets_the_welfare_office_of_a_town(world, api):
    response = api(world.prefectural_officer).patch(
        f"/municipalities/{INO}", {"has_welfare_office": True}
    )

    assert response.status_code == 200, response.content
    assert response.json()["has_welfare_office"] is True
    assert Municipality.objects.get(code=INO).has_welfare_office is True
    event = AuditEvent.objects.get(action="municipality.changed")
    assert event.actor == world.prefectural_officer
    assert event.detail["before"]["has_welfare_office"] is False
    assert event.detail["after"]["has_welfare_office"] is True


def test_the_prefectural_officer_sets_the_population(world, api):
    response = api(world.prefectural_officer).patch(f"/municipalities/{INO}", {"population": 20000})

    assert response.status_code == 200
    assert response.json()["population"] == 20000
    assert response.json()["population_as_of"] is not None
    assert response.json()["has_welfare_office"] is False  # untouched


def test_staff_may_read_but_not_change_a_municipality(world, api):
    # They can see the municipality, so the access module answers 403 (not 404).
    response = api(world.staff).patch(f"/municipalities/{INO}", {"has_welfare_office": True})

    assert_error(response, 403)
    assert Municipality.objects.get(code=INO).has_welfare_office is False
    assert not AuditEvent.objects.filter(action="municipality.changed").exists()


def test_the_officer_of_another_prefecture_cannot_change_a_kochi_town(world, api):
    response = api(world.tokyo_officer).patch(
        f"/municipalities/{INO}", {"has_welfare_office": True}
    )

    assert_error(response, 403)
    assert Municipality.objects.get(code=INO).has_welfare_office is False


def test_a_negative_population_is_refused(world, api):
    response = api(world.prefectural_officer).patch(f"/municipalities/{INO}", {"population": -1})

    body = assert_error(response, 422)
    assert body["errors"][0]["field"] == "population"
    assert field_errors(response, "population")
    assert Municipality.objects.get(code=INO).population is None


def test_the_user_with_no_membership_sees_no_municipality(world, api):
    client = api(world.nobody)

    assert client.get("/municipalities").json()["count"] == 0
    assert_error(client.get("/municipalities/39201"), 404)
    assert_error(client.patch(f"/municipalities/{INO}", {"has_welfare_office": True}), 404)


# --- rule J2: which self-reliance agency is responsible for the residents ---------------------


def test_j2_a_city_is_served_by_its_own_self_reliance_agency(world, api):
    response = api(world.staff).get("/municipalities/39201/self-reliance-agency")

    assert response.status_code == 200
    answer = response.json()
    assert answer["agency_id"] == world.city_self_reliance.pk
    assert answer["agency_name"] == "高知市生活支援相談センター"
    assert answer["rule"] == "J2"
    assert answer["reason"]


def test_j2_a_town_without_welfare_office_is_served_by_the_prefectures_agency(world, api):
    answer = api(world.staff).get(f"/municipalities/{INO}/self-reliance-agency").json()

    assert answer["agency_id"] == world.pref_self_reliance.pk
    assert answer["reason"]


def test_j2_a_town_that_opens_a_welfare_office_needs_its_own_agency(world, api):
    api(world.prefectural_officer).patch(f"/municipalities/{INO}", {"has_welfare_office": True})

    answer = api(world.staff).get(f"/municipalities/{INO}/self-reliance-agency").json()

    assert answer["agency_id"] is None
    assert answer["reason"]


def test_j2_an_unknown_municipality_is_404(world, api):
    assert_error(api(world.staff).get("/municipalities/99999/self-reliance-agency"), 404)
