"""`/api/v1/persons`: search, register with the duplicate warning, read, change, indicators."""

from __future__ import annotations

from typing import Any

import pytest

from tests.people import make_person, yamada_household, years_ago
from tsunagi.access.models import AuditEvent
from tsunagi.accounts.models import Membership, Role
from tsunagi.people import services
from tsunagi.people.models import Person
from tsunagi.web.wareki import format_wareki

from .factories import JAPANESE, assert_error, field_errors

pytestmark = pytest.mark.django_db

# Everyone who must not see the center's persons: staff of another agency, and every role that
# never reads personal records (access.md).
OUTSIDERS = (
    "other_staff", "operator", "municipal_officer", "supporter", "nobody", "auditor",
    "prefectural_officer", "dispatch_coordinator", "tokyo_officer",
)  # fmt: skip


@pytest.fixture
def yamada(world) -> Any:
    household, mother, son, case = yamada_household(world.staff, world.center)
    return household, mother, son, case


def new_person(**changes: Any) -> dict[str, Any]:
    """A person as a coordinator types them: full-width digits, hiragana reading, 和暦."""
    return {
        "family_name": "坂本",
        "given_name": "龍子",
        "family_name_kana": "さかもと",
        "given_name_kana": "ﾘｮｳｺ",
        "sex": "female",
        "birth_date": "昭和60年11月15日",
        "postal_code": "７８０－０８５０",
        "address": "丸ノ内１－２－２０",
        "phone": "０８８－８２３－１１１１",
        "preferred_contact": ["letter"],
        "avoided_contact": ["phone"],
        **changes,
    }


def persons_named(page: dict[str, Any]) -> list[str]:
    return [p["full_name"] for p in page["items"]]


# --- search ---------------------------------------------------------------------------------


@pytest.mark.parametrize("q", ["やまだ", "ヤマダ", "ﾔﾏﾀﾞ", "山田", "山田　太", "ヤマダ タロウ"])
def test_search_finds_yamada_in_any_script_and_width(world, api, yamada, q):
    page = api(world.staff).get("/persons", q=q).json()

    assert "山田 太郎" in persons_named(page), q


def test_search_by_phone_in_full_width_digits(world, api, yamada):
    page = api(world.staff).get("/persons", q="０８８－０００－１２３４").json()

    assert persons_named(page) == ["山田 花子"]


@pytest.mark.parametrize("style", ["western", "wareki", "short", "full_width"])
def test_search_by_date_of_birth_in_the_western_or_japanese_calendar(world, api, yamada, style):
    born = years_ago(52)
    text = {
        "western": born.isoformat(),
        "wareki": format_wareki(born),
        "short": format_wareki(born, short=True),
        "full_width": born.isoformat().translate(
            str.maketrans("0123456789-", "０１２３４５６７８９－")
        ),
    }[style]

    page = api(world.staff).get("/persons", birth_date=text).json()

    assert persons_named(page) == ["山田 太郎"]


def test_a_malformed_date_of_birth_in_the_search_is_a_field_error(world, api, yamada):
    messages = field_errors(api(world.staff).get("/persons", birth_date="昨日"), "birth_date")

    assert "令和7年4月1日" in messages[0]


def test_the_list_is_paginated_with_a_total_count(world, api, yamada):
    client = api(world.staff)

    first = client.get("/persons", q="やまだ", limit=1).json()
    second = client.get("/persons", q="やまだ", limit=1, offset=1).json()

    assert first["count"] == second["count"] == 2
    assert {*persons_named(first), *persons_named(second)} == {"山田 花子", "山田 太郎"}


def test_a_list_row_shows_age_and_era_date(world, api, yamada):
    row = api(world.staff).get("/persons", q="山田 花子").json()["items"][0]

    assert row["age"] in (81, 82)  # before or after the 1 April birthday
    assert row["birth_date_wareki"].startswith("昭和")
    assert row["full_name_kana"] == "ヤマダ ハナコ"


def test_search_never_crosses_agencies(world, api, yamada):
    make_person(world.other_staff, world.city_self_reliance, "山田", "一郎")

    theirs = api(world.other_staff).get("/persons", q="山田").json()
    ours = api(world.staff).get("/persons", q="山田").json()

    assert persons_named(theirs) == ["山田 一郎"]
    assert "山田 一郎" not in persons_named(ours)


def test_a_search_is_logged_without_what_was_searched(world, api, yamada):
    api(world.staff).get("/persons", q="やまだ")

    event = AuditEvent.objects.get(action="person.listed")
    assert event.actor == world.staff
    assert event.agency_id == world.center.pk
    assert event.personal
    assert event.detail == {"filters": ["q"]}
    assert "やまだ" not in str(event.detail)


# --- register -------------------------------------------------------------------------------


@pytest.mark.smoke
def test_staff_register_a_person_as_typed(world, api):
    response = api(world.staff).post("/persons", new_person())

    assert response.status_code == 201, response.content
    person = response.json()
    assert person["agency_id"] == world.center.pk  # the only agency the staff works in
    assert person["full_name"] == "坂本 龍子"
    assert person["full_name_kana"] == "サカモト リョウコ"
    assert person["birth_date"] == "1985-11-15"
    assert person["birth_date_wareki"] == "昭和60年11月15日"
    assert person["postal_code"] == "780-0850"
    assert person["municipality_code"] == "39201"  # filled from the postal code
    assert person["municipality_name"] == "高知市"
    assert person["address"] == "丸ノ内1-2-20"
    assert person["phone"] == "088-823-1111"
    assert person["avoided_contact"] == ["phone"]
    assert person["sex_label"] == "女性"
    assert person["version"] == 1
    event = AuditEvent.objects.get(action="person.created")
    assert (event.actor, event.agency_id, event.record_id) == (
        world.staff, world.center.pk, str(person["id"]),
    )  # fmt: skip


def test_the_age_is_computed_and_an_estimate_allowed(world, api):
    response = api(world.staff).post(
        "/persons", new_person(birth_date=None, estimated_age=50, family_name="年齢不詳")
    )

    person = response.json()
    assert (person["age"], person["age_is_estimated"], person["birth_date"]) == (50, True, None)


def test_a_variant_kanji_of_an_existing_person_is_a_duplicate_warning(world, api):
    existing = make_person(world.staff, world.center, "高橋", "一郎", birth_date=years_ago(40))
    body = new_person(
        family_name="髙橋", given_name="一郎", family_name_kana="", given_name_kana="",
        birth_date=years_ago(40).isoformat(), phone="",
    )  # fmt: skip

    response = api(world.staff).post("/persons", body)

    answer = assert_error(response, 409)
    assert [d["id"] for d in answer["duplicates"]] == [existing.pk]
    duplicate = answer["duplicates"][0]
    assert duplicate["name"] == "高橋 一郎"
    assert {"同じ氏名", "同じ生年月日"} <= set(duplicate["reasons"])  # 髙 and 高 are one name
    assert Person.objects.filter(family_name="髙橋").count() == 0


@pytest.mark.parametrize("kana", ["ﾔﾏﾀﾞ", "やまだ"])
def test_a_reading_in_another_script_is_a_duplicate_warning(world, api, yamada, kana):
    _household, _mother, son, _case = yamada
    body = new_person(
        family_name="山田", given_name="太朗", family_name_kana=kana, given_name_kana="たろう",
        birth_date=son.birth_date.isoformat(), phone="",
    )  # fmt: skip

    answer = assert_error(api(world.staff).post("/persons", body), 409)

    assert answer["duplicates"][0]["id"] == son.pk
    assert "同じふりがな" in answer["duplicates"][0]["reasons"]


def test_a_duplicate_can_be_registered_when_staff_confirm(world, api):
    make_person(world.staff, world.center, "高橋", "一郎", birth_date=years_ago(40))
    body = new_person(family_name="髙橋", given_name="一郎", birth_date=years_ago(40).isoformat())

    response = api(world.staff).post("/persons", {**body, "allow_duplicate": True})

    assert response.status_code == 201
    event = AuditEvent.objects.get(action="person.created", record_id=str(response.json()["id"]))
    assert event.detail == {"duplicate_confirmed": True}


def test_no_duplicate_warning_across_agencies(world, api):
    make_person(
        world.other_staff, world.city_self_reliance, "高橋", "一郎", birth_date=years_ago(40)
    )
    body = new_person(family_name="高橋", given_name="一郎", birth_date=years_ago(40).isoformat())

    assert api(world.staff).post("/persons", body).status_code == 201


def test_a_user_of_two_agencies_names_the_agency(world, api):
    Membership.objects.create(user=world.staff, agency=world.city_self_reliance, role=Role.STAFF)
    client = api(world.staff)

    messages = field_errors(client.post("/persons", new_person()), "agency")
    response = client.post("/persons", new_person(agency=world.city_self_reliance.pk))

    assert JAPANESE.search(messages[0])
    assert response.status_code == 201
    assert response.json()["agency_id"] == world.city_self_reliance.pk


def test_a_person_cannot_be_registered_in_an_agency_one_does_not_work_in(world, api):
    assert_error(
        api(world.staff).post("/persons", new_person(agency=world.tokyo_self_reliance.pk)), 404
    )
    assert_error(api(world.staff).post("/persons", new_person(agency=999999)), 404)
    assert not Person.objects.exists()


BAD_INPUT = [
    ("sex", {"sex": "unknown"}),
    ("birth_date", {"birth_date": "2999-01-01"}),  # future
    ("birth_date", {"birth_date": "令和99年13月1日"}),
    ("birth_date", {"birth_date": "去年の春"}),
    ("birth_date", {"birth_date": 19850101}),
    ("estimated_age", {"estimated_age": "五十"}),
    ("estimated_age", {"estimated_age": 200}),
    ("family_name", {"family_name": ""}),
    ("family_name", {"family_name": "あ" * 51}),
    ("phone", {"phone": "お電話ください"}),
    ("postal_code", {"postal_code": "78008"}),
    ("municipality_code", {"municipality_code": "99999"}),
    ("preferred_contact.0", {"preferred_contact": ["pigeon"]}),
    ("avoided_contact", {"preferred_contact": ["phone"], "avoided_contact": ["phone"]}),
    ("email", {"email": "not-an-address"}),
    ("allow_duplicate", {"allow_duplicate": "perhaps"}),
]


@pytest.mark.parametrize(("field", "change"), BAD_INPUT)
def test_bad_input_is_a_field_error_in_japanese(world, api, field, change):
    response = api(world.staff).post("/persons", new_person(**change))

    messages = field_errors(response, field)
    assert JAPANESE.search(messages[0]), messages
    assert not Person.objects.exists()


def test_a_missing_family_name_is_a_field_error(world, api):
    body = new_person()
    del body["family_name"]

    messages = field_errors(api(world.staff).post("/persons", body), "family_name")

    assert messages == ["この項目は必須です。"] or JAPANESE.search(messages[0])


# --- read and change ------------------------------------------------------------------------


def test_a_person_shows_household_and_cases(world, api, yamada):
    household, _mother, son, case = yamada

    person = api(world.staff).get(f"/persons/{son.pk}").json()

    assert person["full_name"] == "山田 太郎"
    assert person["household"] == {
        "id": household.pk, "name": "山田 世帯", "relationship": "self",
        "relationship_label": person["household"]["relationship_label"],
    }  # fmt: skip
    assert JAPANESE.search(person["household"]["relationship_label"])
    assert [c["number"] for c in person["cases"]] == [case.number]
    assert person["cases"][0]["main_problem"] == "hikikomori"


def test_every_read_of_a_person_is_logged(world, api, yamada):
    _household, mother, _son, _case = yamada
    client = api(world.manager)

    client.get(f"/persons/{mother.pk}")
    client.get(f"/persons/{mother.pk}/duplicates")
    client.get(f"/persons/{mother.pk}/indicators")

    events = AuditEvent.objects.filter(action="person.viewed").order_by("id")
    assert [e.record_id for e in events] == [str(mother.pk)] * 3
    assert {(e.actor_id, e.agency_id, e.grant) for e in events} == {
        (world.manager.pk, world.center.pk, "own_agency")
    }
    assert [e.detail for e in events] == [{}, {"view": "duplicates"}, {"view": "indicators"}]


def test_a_change_with_the_version_read(world, api, yamada):
    _household, mother, _son, _case = yamada
    client = api(world.staff)

    response = client.patch(
        f"/persons/{mother.pk}",
        {"version": 1, "mobile": "０９０－１１１１－２２２２", "given_name_kana": "はなこ"},
    )

    assert response.status_code == 200, response.content
    person = response.json()
    assert (person["mobile"], person["given_name_kana"], person["version"]) == (
        "090-1111-2222", "ハナコ", 2,
    )  # fmt: skip
    assert AuditEvent.objects.get(action="person.changed").detail == {"fields": ["mobile"]}


def test_a_change_on_a_stale_version_is_a_conflict(world, api, yamada):
    _household, mother, _son, _case = yamada
    services.update_person(world.manager, mother, {"notes": "先に保存"})

    answer = assert_error(
        api(world.staff).patch(f"/persons/{mother.pk}", {"version": 1, "notes": "x"}), 409
    )

    assert answer["current_version"] == 2
    mother.refresh_from_db()
    assert mother.notes == "先に保存"


def test_a_change_to_a_future_birth_date_is_refused(world, api, yamada):
    _household, mother, _son, _case = yamada

    field_errors(
        api(world.staff).patch(f"/persons/{mother.pk}", {"birth_date": "令和20年1月1日"}),
        "birth_date",
    )


def test_the_possible_duplicates_of_a_person(world, api):
    first = make_person(world.staff, world.center, "高橋", "一郎", birth_date=years_ago(40))
    second = make_person(world.staff, world.center, "髙橋", "一郎", birth_date=years_ago(40))

    found = api(world.staff).get(f"/persons/{second.pk}/duplicates").json()

    assert [d["id"] for d in found] == [first.pk]
    assert "同じ生年月日" in found[0]["reasons"]


def test_r2_indicators_of_a_person_are_those_of_the_household(world, api, yamada):
    _household, mother, _son, case = yamada
    services.record_assessment(
        world.staff, case,
        {"informant": "family", "employment": "unemployed", "going_out": "home_only",
         "finance": "tight", "debt": True, "household_member_needs_care": True},
    )  # fmt: skip

    indicators = api(world.staff).get(f"/persons/{mother.pk}/indicators").json()

    codes = {f["code"]: f for f in indicators["findings"]}
    assert {"economic_need", "compound_problems", "r2_referral", "8050"} <= set(codes)
    assert codes["r2_referral"]["rule"] == "R2"
    assert JAPANESE.search(codes["r2_referral"]["reason"])
    assert {"debt", "care", "hikikomori"} <= {a["code"] for a in indicators["areas"]}


def test_a_person_with_a_restricted_case_is_hidden_from_unassigned_staff(world, api):
    person = make_person(world.manager, world.center, "佐藤", "恵")
    case = services.open_case(world.manager, person, {"problems": ["dv_abuse"]})
    services.set_restriction(world.manager, case, True, [world.manager])

    assert_error(api(world.staff).get(f"/persons/{person.pk}"), 404)
    assert api(world.staff).get("/persons", q="佐藤").json()["count"] == 0
    assert api(world.manager).get(f"/persons/{person.pk}").status_code == 200


# --- outsiders ------------------------------------------------------------------------------

RECORDS = [
    ("get", "/persons/{id}", None),
    ("patch", "/persons/{id}", {"notes": "侵入"}),
    ("get", "/persons/{id}/duplicates", None),
    ("get", "/persons/{id}/indicators", None),
    ("post", "/persons", {"family_name": "侵入", "agency": "{agency}"}),
]


def _call(client: Any, method: str, path: str, body: Any, ids: dict[str, int]) -> Any:
    path = path.format(**ids)
    if method == "get":
        return client.get(path)
    body = {k: ids["agency"] if v == "{agency}" else v for k, v in body.items()}
    return getattr(client, method)(path, body)


@pytest.mark.parametrize(("method", "path", "body"), RECORDS)
def test_outsiders_find_no_person(world, api, yamada, method, path, body):
    _household, mother, _son, _case = yamada
    ids = {"id": mother.pk, "agency": world.center.pk}
    before = AuditEvent.objects.filter(personal=True).count()

    for name in OUTSIDERS:
        response = _call(api(getattr(world, name)), method, path, body, ids)
        assert response.status_code == 404, (name, response.content)
        assert_error(response, 404)

    assert AuditEvent.objects.filter(personal=True).count() == before
    mother.refresh_from_db()
    assert (mother.notes, mother.version) == ("", 1)
    assert not Person.objects.filter(family_name="侵入").exists()


def test_outsiders_list_no_person(world, api, yamada):
    for name in OUTSIDERS:
        page = api(getattr(world, name)).get("/persons", q="やまだ").json()
        assert (page["count"], page["items"]) == (0, []), name
        assert api(getattr(world, name)).get("/persons").json()["count"] == 0, name


def test_without_a_token_the_answer_is_401(world, api, yamada):
    _household, mother, _son, _case = yamada

    assert_error(api(None).get(f"/persons/{mother.pk}"), 401)
    assert_error(api(None).get("/persons"), 401)
