"""Walkthrough H through the API (scenarios.md, rules M1-M5): a prefecture of 34 municipalities;
all have named a window, 7 have surveyed needs, 10 have a platform. Each municipality's officer
records their own (one platform is set up jointly with the prefecture, whose officer records
it; the prefecture may not name a town's lead department or record its survey). The
prefecture's officer sees 34/34, 7/34 and 10/34 with the list of who has not; the municipal
officer is refused the prefecture's page and any personal record."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.api.conftest import api, world  # noqa: F401 (the API tests' cast)
from tests.api.factories import ApiClient, World, assert_error, make_agency, make_user
from tsunagi.accounts.models import Role
from tsunagi.agencies.models import AgencyKind
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
    # Each municipality records its own structures (M2-M4) through its own officer.
    clerks = {towns[0].code: api(world.municipal_officer)}
    for town in towns[1:]:
        office = make_agency(
            f"{town.name} 福祉課", AgencyKind.MUNICIPAL_OFFICE, "39", city=town.code
        )
        clerks[town.code] = api(make_user(f"clerk-{town.code}", office, Role.MUNICIPAL_OFFICER))
    surveyed, with_platform = towns[:7], towns[:10]
    for town in towns:  # M4: every municipality names its lead department
        answer = clerks[town.code].put(
            f"{BASE}/{town.code}/lead-department", {"name": "健康福祉課"}
        )
        assert answer.status_code == 200, answer.content
    # ... which the prefecture follows but does not name for them (M5)
    assert_error(officer.put(f"{BASE}/{towns[0].code}/lead-department", {"name": "県の課"}), 403)
    for town in surveyed:
        made = clerks[town.code].post(
            f"{BASE}/{town.code}/surveys",
            {"method": "welfare_commissioners", "period_from": "2025-04-01"},
        )
        assert made.status_code == 201, made.content
    assert_error(
        officer.post(
            f"{BASE}/{towns[8].code}/surveys",
            {"method": "welfare_commissioners", "period_from": "2025-04-01"},
        ),
        403,
    )
    for n, town in enumerate(with_platform):
        joint = n == 9  # set up jointly with the prefecture (M3): recorded by its officer
        made = (officer if joint else clerks[town.code]).post(
            f"{BASE}/{town.code}/platform",
            {
                "name": f"{town.name}プラットフォーム",
                "secretariat": "健康福祉課",
                "existing_body": "地域ケア会議" if n % 3 == 0 else "",
                "joint_with_prefecture": joint,
                "set_up_on": "2025-04-01",
            },
        )
        assert made.status_code == 201, made.content
    own = {"name": "県の会議", "secretariat": "県", "set_up_on": "2025-04-01"}
    assert_error(officer.post(f"{BASE}/{towns[10].code}/platform", own), 403)

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
    assert first == {
        "municipal populations": 34,
        "lead departments": 34,
        "needs surveys": 7,
        "municipal platforms": 10,
    }
    assert +build_oversight(1) == {}  # idempotent (a zero count of populations is nothing made)
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
