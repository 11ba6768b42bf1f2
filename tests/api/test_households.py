"""`/api/v1/households`: a household (世帯) with its members, everyone and every problem."""

from __future__ import annotations

from typing import Any

import pytest

from tests.people import make_person, yamada_household, years_ago
from tsunagi.access.models import AuditEvent
from tsunagi.people import services
from tsunagi.people.models import Household, HouseholdMember

from .factories import JAPANESE, assert_error, field_errors

pytestmark = pytest.mark.django_db

OUTSIDERS = (
    "other_staff", "operator", "municipal_officer", "supporter", "nobody", "auditor",
    "prefectural_officer", "dispatch_coordinator", "tokyo_officer",
)  # fmt: skip


@pytest.fixture
def yamada(world) -> Any:
    return yamada_household(world.staff, world.center)


def assess_yamada(world: Any, case: Any) -> Any:
    """Walkthrough A, step 2: the son's assessment from what the mother says."""
    return services.record_assessment(
        world.staff, case,
        {"informant": "family", "employment": "unemployed", "going_out": "home_only",
         "withdrawn_since": years_ago(20), "finance": "tight", "debt": True,
         "household_member_needs_care": True, "connections": ["family"]},
    )  # fmt: skip


# --- create ---------------------------------------------------------------------------------


@pytest.mark.smoke
def test_staff_create_a_household_with_its_members(world, api):
    father = make_person(world.staff, world.center, "中村", "茂", birth_date=years_ago(75))
    daughter = make_person(world.staff, world.center, "中村", "美咲", birth_date=years_ago(45))

    response = api(world.staff).post(
        "/households",
        {"name": "中村　世帯", "members": [
            {"person": daughter.pk, "relationship": "self"},
            {"person": father.pk, "relationship": "parent", "is_main_carer": False,
             "notes": "足が悪い"},
        ]},
    )  # fmt: skip

    assert response.status_code == 201, response.content
    household = response.json()
    assert household["name"] == "中村 世帯"
    assert household["agency_id"] == world.center.pk
    assert [(m["name"], m["relationship"]) for m in household["members"]] == [
        ("中村 美咲", "self"), ("中村 茂", "parent"),
    ]  # fmt: skip
    assert household["members"][1]["notes"] == "足が悪い"
    assert JAPANESE.search(household["members"][1]["relationship_label"])
    assert household["members"][1]["age"] == 75 or household["members"][1]["age"] == 74
    assert household["hidden_members"] == 0
    actions = list(
        AuditEvent.objects.filter(record_kind="household")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["household.created", "household.member_added", "household.member_added"]


def test_a_household_needs_a_name(world, api):
    field_errors(api(world.staff).post("/households", {"members": []}), "name")
    field_errors(api(world.staff).post("/households", {"name": "　"}), "name")
    assert not Household.objects.exists()


def test_an_unknown_relationship_is_a_field_error(world, api):
    person = make_person(world.staff, world.center, "中村", "茂")

    response = api(world.staff).post(
        "/households",
        {"name": "中村 世帯", "members": [{"person": person.pk, "relationship": "uncle"}]},
    )

    messages = field_errors(response, "members.0.relationship")
    assert JAPANESE.search(messages[0])
    assert not Household.objects.exists()


def test_a_person_in_another_household_cannot_be_added_and_nothing_is_saved(world, api, yamada):
    _household, mother, _son, _case = yamada
    other = make_person(world.staff, world.center, "中村", "茂")

    response = api(world.staff).post(
        "/households",
        {"name": "中村 世帯", "members": [
            {"person": other.pk, "relationship": "self"},
            {"person": mother.pk, "relationship": "other"},
        ]},
    )  # fmt: skip

    messages = field_errors(response, "person")
    assert "山田 花子" in messages[0]
    assert not Household.objects.filter(name="中村 世帯").exists()
    assert not HouseholdMember.objects.filter(person=other).exists()


def test_a_person_of_another_agency_is_not_found(world, api):
    theirs = make_person(world.other_staff, world.city_self_reliance, "中村", "茂")

    response = api(world.staff).post(
        "/households",
        {"name": "中村 世帯", "members": [{"person": theirs.pk, "relationship": "self"}]},
    )

    assert_error(response, 404)
    assert not Household.objects.exists()


# --- the household view ---------------------------------------------------------------------


def test_the_household_shows_everyone_and_every_problem(world, api, yamada):
    household, mother, son, case = yamada
    assess_yamada(world, case)
    services.record_contact(
        world.staff, {"channel": "phone", "initiator": "family", "summary": "食事がない",
                      "urgent": ["no_food"]}, case=case,
    )  # fmt: skip

    view = api(world.staff).get(f"/households/{household.pk}").json()

    son_row, mother_row = view["members"]
    assert (son_row["person_id"], mother_row["person_id"]) == (son.pk, mother.pk)
    assert son_row["relationship"] == "self" and mother_row["relationship"] == "parent"
    assert son_row["age"] in (51, 52) and mother_row["age"] in (81, 82)
    assert son_row["birth_date_wareki"].startswith("昭和")
    assert [c["number"] for c in son_row["open_cases"]] == [case.number]
    assert son_row["open_cases"][0]["open_flags"][0]["code"] == "urgent_need"
    assert son_row["open_cases"][0]["main_problem"] == "hikikomori"
    latest = son_row["latest_assessment"]
    assert latest["informant"] == "family"
    assert latest["withdrawn_years"] == 20
    assert latest["going_out"] == "home_only" and JAPANESE.search(latest["going_out_label"])
    assert {"debt", "care", "hikikomori", "employment"} <= {a["code"] for a in latest["areas"]}
    assert latest["isolation_level"] == 5
    assert mother_row["open_cases"] == [] and mother_row["latest_assessment"] is None
    findings = {f["code"]: f for f in view["indicators"]["findings"]}
    assert {"economic_need", "compound_problems", "r2_referral", "8050"} <= set(findings)
    assert "山田 花子" in findings["8050"]["reason"] and "山田 太郎" in findings["8050"]["reason"]
    assert all(JAPANESE.search(f["label"]) and f["rule"] for f in findings.values())


def test_a_member_with_a_restricted_case_is_counted_not_shown(world, api, yamada):
    household, _mother, _son, _case = yamada
    sister = make_person(world.manager, world.center, "山田", "幸子", birth_date=years_ago(48))
    services.add_member(world.manager, household, sister, "sibling")
    case = services.open_case(world.manager, sister, {"problems": ["dv_abuse"]})
    services.set_restriction(world.manager, case, True, [world.manager])

    staff_view = api(world.staff).get(f"/households/{household.pk}").json()
    manager_view = api(world.manager).get(f"/households/{household.pk}").json()

    assert staff_view["hidden_members"] == 1
    assert "山田 幸子" not in str(staff_view)
    assert manager_view["hidden_members"] == 0
    assert "山田 幸子" in [m["name"] for m in manager_view["members"]]


def test_reading_a_household_is_logged_with_the_members_shown(world, api, yamada):
    household, mother, son, _case = yamada

    api(world.staff).get(f"/households/{household.pk}")

    event = AuditEvent.objects.get(action="household.viewed")
    assert (event.actor, event.agency_id, event.record_id, event.grant) == (
        world.staff, world.center.pk, str(household.pk), "own_agency",
    )  # fmt: skip
    assert event.detail == {"members": [son.pk, mother.pk]}


def test_the_list_of_households(world, api, yamada):
    other = make_person(world.staff, world.center, "中村", "茂")
    services.create_household(world.staff, world.center, "中村 世帯", [(other, "self")])
    client = api(world.staff)

    everything = client.get("/households").json()
    found = client.get("/households", q="山田").json()

    assert [h["name"] for h in everything["items"]] == ["中村 世帯", "山田 世帯"]
    assert everything["count"] == 2
    assert [h["name"] for h in found["items"]] == ["山田 世帯"]
    assert AuditEvent.objects.filter(action="household.listed", agency=world.center).count() == 2


# --- change ---------------------------------------------------------------------------------


def test_rename_a_household(world, api, yamada):
    household, *_ = yamada

    response = api(world.staff).patch(f"/households/{household.pk}", {"name": "山田 花子 世帯"})

    assert response.status_code == 200
    assert response.json()["name"] == "山田 花子 世帯"
    assert AuditEvent.objects.get(action="household.changed").detail == {"fields": ["name"]}


def test_a_household_name_cannot_be_emptied(world, api, yamada):
    household, *_ = yamada

    field_errors(api(world.staff).patch(f"/households/{household.pk}", {"name": None}), "name")
    household.refresh_from_db()
    assert household.name == "山田 世帯"


def test_add_change_and_remove_a_member(world, api, yamada):
    household, _mother, _son, _case = yamada
    brother = make_person(world.staff, world.center, "山田", "次郎", birth_date=years_ago(50))
    client = api(world.staff)

    added = client.post(
        f"/households/{household.pk}/members", {"person": brother.pk, "relationship": "sibling"}
    )
    changed = client.post(
        f"/households/{household.pk}/members",
        {"person": brother.pk, "relationship": "sibling", "lives_together": False},
    )
    removed = client.delete(f"/households/{household.pk}/members?person={brother.pk}")
    again = client.delete(f"/households/{household.pk}/members?person={brother.pk}")

    assert added.status_code == 201
    assert "山田 次郎" in [m["name"] for m in added.json()["members"]]
    assert [m["lives_together"] for m in changed.json()["members"] if m["name"] == "山田 次郎"] == [
        False
    ]
    assert removed.status_code == 204
    assert_error(again, 404)
    assert not HouseholdMember.objects.filter(person=brother).exists()
    actions = AuditEvent.objects.filter(action__startswith="household.member").order_by("id")
    assert [e.action for e in actions][-3:] == [
        "household.member_added", "household.member_changed", "household.member_removed",
    ]  # fmt: skip


def test_removing_needs_the_person(world, api, yamada):
    household, *_ = yamada

    field_errors(api(world.staff).delete(f"/households/{household.pk}/members"), "person")


# --- outsiders ------------------------------------------------------------------------------

RECORDS = [
    ("get", "/households/{household}", None),
    ("patch", "/households/{household}", {"name": "侵入"}),
    ("post", "/households/{household}/members", {"person": "{stranger}", "relationship": "other"}),
    ("delete", "/households/{household}/members?person={mother}", None),
    ("post", "/households", {"name": "侵入", "agency": "{agency}", "members": []}),
    (
        "post",
        "/households",
        {"name": "侵入", "members": [{"person": "{mother}", "relationship": "self"}]},
    ),
]


def _fill(body: Any, ids: dict[str, int]) -> Any:
    if isinstance(body, dict):
        return {k: _fill(v, ids) for k, v in body.items()}
    if isinstance(body, list):
        return [_fill(v, ids) for v in body]
    if isinstance(body, str) and body.startswith("{"):
        return ids[body.strip("{}")]
    return body


@pytest.mark.parametrize(("method", "path", "body"), RECORDS)
def test_outsiders_find_no_household(world, api, yamada, method, path, body):
    household, mother, _son, _case = yamada
    for name in OUTSIDERS:
        user = getattr(world, name)
        stranger = make_person(world.staff, world.center, "見知らぬ", name)
        ids = {"household": household.pk, "mother": mother.pk, "agency": world.center.pk,
               "stranger": stranger.pk}  # fmt: skip
        before = AuditEvent.objects.filter(personal=True).count()
        client = api(user)
        path_ = path.format(**ids)
        if method in ("get", "delete"):
            response = getattr(client, method)(path_)
        else:
            response = getattr(client, method)(path_, _fill(body, ids))

        assert_error(response, 404)
        assert AuditEvent.objects.filter(personal=True).count() == before, name

    household.refresh_from_db()
    assert household.name == "山田 世帯"
    assert household.members.count() == 2
    assert not Household.objects.filter(name="侵入").exists()


def test_outsiders_list_no_household(world, api, yamada):
    for name in OUTSIDERS:
        page = api(getattr(world, name)).get("/households").json()
        assert (page["count"], page["items"]) == (0, []), name
