"""Walkthrough H through the API (scenarios.md, rules M1-M5): a prefecture of 34 municipalities;
all have named a window, 7 have surveyed needs, 10 have a platform. The prefecture's officer
sees 34/34, 7/34 and 10/34 with the list of who has not; the municipal officer records their
own and is refused the prefecture's page and any personal record."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.api.conftest import api, world  # noqa: F401 (the API tests' cast)
from tests.api.factories import ApiClient, World, assert_error
from tsunagi.directory.models import DirectoryEntry, EntryKind
from tsunagi.jurisdictions.models import Municipality, Prefecture

pytestmark = pytest.mark.django_db
Api = Callable[..., ApiClient]
BASE = "/municipal-structures"


def test_walkthrough_h_progress_34_7_10(world: World, api: Api) -> None:  # noqa: F811
    kochi = Prefecture.objects.get(code="39")
    towns = list(Municipality.objects.filter(prefecture=kochi).order_by("code"))
    assert len(towns) == 34
    for town in towns:  # M1: every municipality has a public window in the directory
        DirectoryEntry.objects.create(
            kind=EntryKind.WINDOW,
            name=f"{town.name} ひきこもり相談窓口",
            prefecture=kochi,
            municipality=town,
        )
    officer = api(world.prefectural_officer)
    surveyed, with_platform = towns[:7], towns[:10]
    for town in towns:  # M4 recorded by the prefecture's officer for every municipality
        answer = officer.put(f"{BASE}/{town.code}/lead-department", {"name": "健康福祉課"})
        assert answer.status_code == 200, answer.content
    for town in surveyed:
        made = officer.post(
            f"{BASE}/{town.code}/surveys",
            {"method": "welfare_commissioners", "period_from": "2025-04-01"},
        )
        assert made.status_code == 201, made.content
    for n, town in enumerate(with_platform):
        made = officer.post(
            f"{BASE}/{town.code}/platform",
            {
                "name": f"{town.name}プラットフォーム",
                "secretariat": "健康福祉課",
                "existing_body": "地域ケア会議" if n % 3 == 0 else "",
                "joint_with_prefecture": n == 9,
                "set_up_on": "2025-04-01",
            },
        )
        assert made.status_code == 201, made.content

    body = officer.get(f"{BASE}/progress", prefecture="39").json()
    assert body["window"]["label"] == "34/34"
    assert body["survey"]["label"] == "7/34"
    assert body["platform"]["label"] == "10/34"
    assert body["lead"]["label"] == "34/34"
    assert body["missing"]["window"] == []
    assert body["missing"]["survey"] == [t.code for t in towns[7:]]
    assert body["missing"]["platform"] == [t.code for t in towns[10:]]
    row = next(m for m in body["municipalities"] if m["code"] == towns[20].code)
    assert row["missing"][0].startswith("M2") and row["missing"][1].startswith("M3")

    # The municipal officer of 高知市 sees their own, not the prefecture's page.
    city = api(world.municipal_officer)
    assert city.get(f"{BASE}/39201/surveys").json()["items"][0]["method"] == (
        "welfare_commissioners"
    )
    assert_error(city.get(f"{BASE}/progress", prefecture="39"), 403)
    assert_error(city.get(f"{BASE}/{towns[1].code}/platform"), 404)
    # ... and never a personal record (access.md: aggregates only).
    assert city.get("/persons").json()["count"] == 0
    assert_error(city.get("/cases/1"), 404)


def test_walkthrough_h_the_demo_prefecture_shows_34_7_10(world: World, api: Api) -> None:  # noqa: F811
    from tsunagi.demo.directory import build_directory
    from tsunagi.demo.oversight import build_oversight, oversight_counts, reset_oversight

    build_directory(1)
    first = build_oversight(1)
    assert first == {"lead departments": 34, "needs surveys": 7, "municipal platforms": 10}
    assert build_oversight(1) == {}  # idempotent
    body = api(world.prefectural_officer).get(f"{BASE}/progress", prefecture="39").json()
    assert (body["window"]["label"], body["survey"]["label"], body["platform"]["label"]) == (
        "34/34",
        "7/34",
        "10/34",
    )
    assert body["lead"]["label"] == "34/34"
    history = body["history"]
    assert history[0]["platform"] < history[-1]["platform"] == 10
    assert history[0]["survey"] < history[-1]["survey"] == 7
    assert reset_oversight() == {
        "lead departments": 34,
        "needs surveys": 7,
        "municipal platforms": 10,
    }
    assert oversight_counts() == {
        "lead departments": 0,
        "needs surveys": 0,
        "municipal platforms": 0,
    }
