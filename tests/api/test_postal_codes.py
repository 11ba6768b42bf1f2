"""`GET /api/v1/postal-codes/{code}`: 〒 → prefecture, municipality and town."""

from __future__ import annotations

import pytest

from tsunagi.jurisdictions.models import Municipality

from .factories import JAPANESE, assert_error

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("code", ["780-0850", "7800850", "７８０－０８５０", "〒７８０ー０８５０"])
def test_any_way_of_writing_a_postal_code_finds_the_address(world, api, code):
    response = api(world.staff).get(f"/postal-codes/{code}")

    assert response.status_code == 200, response.content
    address = response.json()
    assert address["postal_code"] == "780-0850"
    assert (address["prefecture"], address["city"], address["town"]) == (
        "高知県",
        "高知市",
        "丸ノ内",
    )
    assert address["municipality_code"] == "39201"
    assert address["municipality_id"] == Municipality.objects.get(code="39201").pk
    assert address["ward"] is None


def test_a_ward_of_a_designated_city_resolves_to_the_city(world, api):
    address = api(world.staff).get("/postal-codes/060-0001").json()  # 札幌市中央区北一条西

    assert address["municipality_code"] == "01100"
    assert address["ward"] == "中央区"


def test_a_malformed_postal_code_is_422_in_japanese(world, api):
    response = api(world.staff).get("/postal-codes/1234")

    body = assert_error(response, 422)
    assert body["errors"][0]["field"] == "code"
    assert JAPANESE.search(body["errors"][0]["message"])


def test_an_unknown_postal_code_is_404(world, api):
    assert_error(api(world.staff).get("/postal-codes/0000000"), 404)


def test_postal_lookup_needs_a_token(world, api):
    assert_error(api(None).get("/postal-codes/7800850"), 401)
