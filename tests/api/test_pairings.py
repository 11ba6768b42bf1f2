"""`/api/v1/pairings`: rule J3, the prefecture pairs hikikomori and self-reliance agencies."""

from __future__ import annotations

import pytest

from tsunagi.access.models import AuditEvent
from tsunagi.agencies.models import Pairing

from .factories import assert_error, field_errors

pytestmark = pytest.mark.django_db


def pair(world) -> dict[str, int]:
    return {
        "hikikomori_agency_id": world.center.pk,
        "self_reliance_agency_id": world.city_self_reliance.pk,
    }


def test_j3_the_prefectural_officer_pairs_two_agencies(world, api):
    response = api(world.prefectural_officer).post("/pairings", {**pair(world), "note": "高知市"})

    assert response.status_code == 201, response.content
    pairing = response.json()
    assert pairing["prefecture_code"] == "39"
    assert pairing["hikikomori_agency_name"] == "高知県ひきこもり地域支援センター"
    assert pairing["self_reliance_agency_name"] == "高知市生活支援相談センター"
    assert AuditEvent.objects.filter(
        action="pairing.added", actor=world.prefectural_officer
    ).exists()


def test_j3_everyone_in_the_registry_sees_the_pairings(world, api):
    api(world.prefectural_officer).post("/pairings", pair(world))

    page = api(world.staff).get("/pairings", prefecture="39").json()

    assert page["count"] == 1
    assert page["items"][0]["self_reliance_agency_id"] == world.city_self_reliance.pk
    assert api(world.staff).get("/pairings", prefecture="13").json()["count"] == 0


def test_j3_the_same_pair_twice_is_refused(world, api):
    officer = api(world.prefectural_officer)
    officer.post("/pairings", pair(world))

    response = officer.post("/pairings", pair(world))

    assert field_errors(response, "self_reliance_agency")
    assert Pairing.objects.count() == 1


def test_j3_only_a_hikikomori_agency_can_be_paired(world, api):
    payload = {**pair(world), "hikikomori_agency_id": world.city_office.pk}

    response = api(world.prefectural_officer).post("/pairings", payload)

    assert field_errors(response, "hikikomori_agency")
    assert not Pairing.objects.exists()


def test_j3_only_a_self_reliance_agency_can_be_paired(world, api):
    payload = {**pair(world), "self_reliance_agency_id": world.kochi_office.pk}

    response = api(world.prefectural_officer).post("/pairings", payload)

    assert field_errors(response, "self_reliance_agency")


def test_j3_staff_cannot_add_a_pairing(world, api):
    assert_error(api(world.staff).post("/pairings", pair(world)), 403)
    assert not Pairing.objects.exists()


def test_j3_the_officer_of_another_prefecture_cannot_pair_kochi_agencies(world, api):
    assert_error(api(world.tokyo_officer).post("/pairings", pair(world)), 403)


def test_j3_an_unknown_agency_is_404(world, api):
    payload = {**pair(world), "hikikomori_agency_id": 999999}

    assert_error(api(world.prefectural_officer).post("/pairings", payload), 404)


def test_j3_the_prefectural_officer_removes_a_pairing(world, api):
    officer = api(world.prefectural_officer)
    created = officer.post("/pairings", pair(world)).json()

    response = officer.delete(f"/pairings/{created['id']}")

    assert response.status_code == 204
    assert not Pairing.objects.exists()
    assert AuditEvent.objects.filter(action="pairing.removed").exists()


def test_j3_staff_cannot_remove_a_pairing(world, api):
    created = api(world.prefectural_officer).post("/pairings", pair(world)).json()

    assert_error(api(world.staff).delete(f"/pairings/{created['id']}"), 403)
    assert Pairing.objects.exists()


def test_j3_removing_an_unknown_pairing_is_404(world, api):
    assert_error(api(world.prefectural_officer).delete("/pairings/999999"), 404)
