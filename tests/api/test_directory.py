"""`/api/v1/directory`: the list, an entry, adding and changing (409 on a stale version, 403 for
roles that do not keep the directory, 422 with field errors), verification, the stale list and
the R6 matches for a case (404 for a case you may not see)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from tests.people import make_person
from tsunagi.directory.models import DirectoryEntry, EntryKind
from tsunagi.directory.tests.factories import make_entry
from tsunagi.people import services as people
from tsunagi.people.choices import GoingOut

from .factories import assert_error, field_errors

pytestmark = pytest.mark.django_db


def new_place(**changes: Any) -> dict[str, Any]:
    return {
        "kind": "ibasho",
        "name": "居場所 ひだまり",
        "name_kana": "いばしょ ひだまり",
        "prefecture_code": "39",
        "municipality_code": "39201",
        "postal_code": "７８０－０８５０",
        "phone": "０８８－８２３－０００１",
        "channels": ["phone", "visit"],
        "hours": [{"weekday": 1, "opens": "10:00", "closes": "15:00"}],
        "welcomes_silent": True,
        "mornings": True,
        **changes,
    }


def test_members_list_the_directory_filtered_and_paginated(world, api):
    make_entry("高知市 窓口", EntryKind.WINDOW, "39201")
    make_entry("いの町 窓口", EntryKind.WINDOW, "39386")
    make_entry("居場所", EntryKind.IBASHO, "39201")

    page = api(world.staff).get("/directory", kind="window").json()
    assert page["count"] == 2
    town = api(world.staff).get("/directory", municipality="39386").json()
    assert [e["name"] for e in town["items"]] == ["いの町 窓口"]


def test_nobody_gets_an_empty_list_and_404_for_an_entry(world, api):
    entry = make_entry()
    assert api(world.nobody).get("/directory").json()["count"] == 0
    assert_error(api(world.nobody).get(f"/directory/{entry.pk}"), 404)
    assert_error(api(None).get("/directory"), 401)


def test_the_prefectural_officer_adds_an_entry(world, api):
    response = api(world.prefectural_officer).post("/directory", new_place())

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["postal_code"] == "780-0850" and body["phone"] == "088-823-0001"
    assert body["hours"] == [{"weekday": 1, "opens": "10:00:00", "closes": "15:00:00"}]
    assert body["stale"] is True  # never verified


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"postal_code": "12"}, "postal_code"),
        ({"phone": "123"}, "phone"),
        ({"min_age": 50, "max_age": 20}, "max_age"),
        ({"municipality_code": "99999"}, "municipality_code"),
        ({"prefecture_code": "99"}, "prefecture_code"),
        ({"area": ["13101"]}, "area"),
        ({"hours": [{"weekday": 1, "opens": "15:00", "closes": "10:00"}]}, "hours"),
    ],
)
def test_bad_input_answers_422_with_the_field(world, api, changes, field):
    response = api(world.prefectural_officer).post("/directory", new_place(**changes))
    assert field_errors(response, field)
    assert not DirectoryEntry.objects.exists()


def test_roles_that_do_not_keep_the_directory_get_403(world, api):
    for user in (world.staff, world.auditor):
        assert_error(api(user).post("/directory", new_place()), 403)
    # a supporter's world is their dispatches: the directory does not exist for them
    assert_error(api(world.supporter).post("/directory", new_place()), 404)
    entry = make_entry()
    assert_error(api(world.staff).patch(f"/directory/{entry.pk}", {"name": "x"}), 403)
    assert_error(api(world.tokyo_officer).post(f"/directory/{entry.pk}/verify", {}), 403)


def test_a_stale_version_answers_409(world, api):
    entry = make_entry()
    client = api(world.prefectural_officer)
    assert client.patch(f"/directory/{entry.pk}", {"version": 1, "cost": "無料"}).status_code == 200

    body = assert_error(client.patch(f"/directory/{entry.pk}", {"version": 1, "cost": "x"}), 409)
    assert body["current_version"] == 2


def test_verifying_clears_the_stale_flag_and_the_stale_list(world, api):
    entry = make_entry(verified_on=datetime.date(2020, 4, 1))
    client = api(world.prefectural_officer)
    assert [e["id"] for e in client.get("/directory/stale").json()["items"]] == [entry.pk]

    body = client.post(f"/directory/{entry.pk}/verify", {}).json()

    assert body["stale"] is False and body["verified_by"]
    assert client.get("/directory/stale").json()["count"] == 0


def test_r6_matches_for_a_case_with_reasons(world, api):
    person = make_person(
        world.staff, world.center, "土佐", "一郎",
        birth_date=datetime.date(1995, 4, 1),
        municipality=make_entry().municipality,
    )  # fmt: skip
    case = people.open_case(world.staff, person, {"problems": ["hikikomori"]})
    people.record_assessment(
        world.staff, case,
        {"going_out": GoingOut.HOME_ONLY, "wishes": "まだ話せない。午前中だけなら行けるかも"},
    )  # fmt: skip
    quiet = make_entry("静かな居場所", welcomes_silent=True, mornings=True)
    make_entry("夜の居場所", evenings=True)

    response = api(world.staff).get("/directory/matches", case=case.pk)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["needs"]["silent"] and body["needs"]["times"] == ["mornings"]
    assert body["matches"][0]["entry"]["id"] == quiet.pk
    assert body["matches"][0]["rule"] == "R6" and body["matches"][0]["reasons"]
    assert "夜の居場所" not in [m["entry"]["name"] for m in body["matches"]]


def test_r6_matches_for_a_case_you_may_not_see_answer_404(world, api):
    person = make_person(world.staff, world.center, "土佐", "二郎")
    case = people.open_case(world.staff, person, {"problems": ["hikikomori"]})
    for user in (world.other_staff, world.nobody, world.tokyo_officer):
        assert_error(api(user).get("/directory/matches", case=case.pk), 404)
    assert_error(api(world.staff).get("/directory/matches", case=999999), 404)
