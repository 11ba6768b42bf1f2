"""Registering and editing a person: postal lookup wiring, contact preferences, duplicates, age,
bad input kept as typed, and edit conflicts."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from tests.cast import Cast, make_cast
from tests.people import make_person, years_ago
from tsunagi.access.models import AuditEvent
from tsunagi.accounts.models import Role
from tsunagi.people.models import Person
from tsunagi.web.wareki import format_wareki

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast() -> Cast:
    return make_cast()


def client_for(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def son(**extra: Any) -> dict[str, Any]:
    return {
        "family_name": "山田", "given_name": "太郎", "family_name_kana": "ﾔﾏﾀﾞ",
        "given_name_kana": "たろう", "sex": "male", "birth_date": format_wareki(years_ago(52)),
        "postal_code": "７８０－０８５０", "address": "丸ノ内1丁目", "phone": "",
        "avoided_contact": ["phone"], "preferred_contact": ["letter"],
        "contact_notes": "夜なら起きている", **extra,
    }  # fmt: skip


def test_form_has_postal_lookup_and_contact_checkboxes(cast: Cast) -> None:
    page = client_for(cast.users[Role.STAFF]).get("/people/new/").content.decode()
    assert 'data-postal-lookup="/api/v1/postal-codes/"' in page
    assert 'id="id_postal_code_lookup"' in page
    assert 'name="avoided_contact" value="phone"' in page
    assert "避けたい連絡方法" in page and "希望する連絡方法" in page


def test_staff_registers_a_person_in_japanese_era_and_full_width(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    response = client_for(staff).post("/people/new/", son())
    assert response.status_code == 302, response.context["form"].errors
    person = Person.objects.get(family_name="山田")
    assert person.agency == cast.center and person.created_by == staff
    assert person.birth_date == years_ago(52) and person.postal_code == "780-0850"
    assert person.family_name_kana == "ヤマダ"  # half-width kana stored full-width
    assert person.avoided_contact == ["phone"]
    page = client_for(staff).get(response["Location"]).content.decode()
    assert "電話は避ける" in page and "52歳" in page and "夜なら起きている" in page


def test_estimated_age_when_the_date_of_birth_is_unknown(cast: Cast) -> None:
    client = client_for(cast.users[Role.STAFF])
    response = client.post("/people/new/", son(birth_date="", estimated_age="50"))
    assert response.status_code == 302
    assert "推定50歳" in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"birth_date": "2099-01-01"}, "未来"),
        ({"birth_date": "令和3年2月30日"}, "日付はありません"),
        ({"birth_date": "きのう"}, "日付として読めません"),
        ({"preferred_contact": ["letter", "phone"]}, "両方"),
        ({"estimated_age": "50"}, "どちらか一方"),
        ({"family_name": ""}, "必須"),
        ({"postal_code": "12"}, "郵便番号"),
    ],
)
def test_bad_input_is_explained_and_everything_typed_is_kept(
    cast: Cast, bad: dict[str, Any], message: str
) -> None:
    response = client_for(cast.users[Role.STAFF]).post("/people/new/", son(**bad))
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert 'value="丸ノ内1丁目"' in page and 'value="夜なら起きている"' in page
    assert re.search(r'value="letter"[^>]*checked', page)
    assert not Person.objects.exists()


def test_old_kanji_duplicate_is_shown_with_reasons_and_register_anyway(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    make_person(staff, cast.center, "高橋", "一郎", birth_date=years_ago(40))
    client = client_for(staff)
    data = son(family_name="髙橋", given_name="一郎", family_name_kana="", given_name_kana="",
               birth_date=years_ago(40).isoformat())  # fmt: skip
    response = client.post("/people/new/", data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "すでに登録されている可能性" in page
    assert "高橋 一郎" in page and "同じ生年月日" in page
    assert 'value="髙橋"' in page and 'value="丸ノ内1丁目"' in page
    assert 'name="allow_duplicate"' in page
    assert Person.objects.count() == 1
    shown = AuditEvent.objects.get(action="person.viewed", detail__shown_in="duplicates")
    assert shown.record_id == str(Person.objects.get().pk) and shown.actor == staff
    response = client.post("/people/new/", {**data, "allow_duplicate": "on"})
    assert response.status_code == 302
    assert Person.objects.filter(family_name="髙橋").exists()


def test_no_duplicate_warning_across_agencies(cast: Cast) -> None:
    make_person(cast.outsider, cast.tokyo_agency, "高橋", "一郎", birth_date=years_ago(40))
    data = son(family_name="高橋", given_name="一郎", birth_date=years_ago(40).isoformat())
    response = client_for(cast.users[Role.STAFF]).post("/people/new/", data)
    assert response.status_code == 302


def test_edit_keeps_typed_values_on_conflict_and_shows_theirs(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    person = make_person(staff, cast.center, "山田", "太郎", address="旧住所")
    client = client_for(staff)
    form = client.get(f"/people/{person.pk}/edit/").context["form"]
    assert form["version"].value() == 1
    Person.objects.filter(pk=person.pk).update(version=2, address="他の人の入力")
    response = client.post(f"/people/{person.pk}/edit/", son(address="私の入力", version=1))
    page = response.content.decode()
    assert response.status_code == 200
    assert "私の入力" in page and "他の人の入力" in page and "別の人" in page
    response = client.post(f"/people/{person.pk}/edit/", son(address="私の入力", version=2))
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.address == "私の入力" and person.version == 3


def test_edit_refuses_preferred_and_avoided_together(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    person = make_person(staff, cast.center, "山田", "太郎")
    response = client_for(staff).post(
        f"/people/{person.pk}/edit/", son(preferred_contact=["phone", "letter"], version=1)
    )
    assert "両方" in response.content.decode()
    person.refresh_from_db()
    assert person.avoided_contact == []


def test_outsider_gets_404_for_edit(cast: Cast) -> None:
    person = make_person(cast.users[Role.STAFF], cast.center, "山田", "太郎")
    client = client_for(cast.outsider)
    assert client.get(f"/people/{person.pk}/edit/").status_code == 404
    assert client.post(f"/people/{person.pk}/edit/", son(version=1)).status_code == 404


@pytest.mark.parametrize("who", ["nobody", "operator", "municipal_officer"])
def test_those_without_personal_records_cannot_register_or_edit(cast: Cast, who: str) -> None:
    person = make_person(cast.users[Role.STAFF], cast.center, "山田", "太郎")
    user = cast.nobody if who == "nobody" else cast.users[Role(who)]
    client = client_for(user)
    assert client.get("/people/new/").status_code in (403, 404)
    assert client.post("/people/new/", son()).status_code in (403, 404)
    assert client.get(f"/people/{person.pk}/edit/").status_code in (403, 404)
    assert Person.objects.count() == 1
