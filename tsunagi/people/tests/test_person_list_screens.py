"""Person list and search: name in any script and width, date of birth in either calendar, phone."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.cast import Cast, make_cast
from tests.people import make_person, yamada_household, years_ago
from tsunagi.access.models import AuditEvent
from tsunagi.accounts.models import Role
from tsunagi.web.wareki import format_wareki

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast() -> Cast:
    return make_cast()


def client_for(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


@pytest.mark.parametrize("q", ["やまだ", "ヤマダ", "ﾔﾏﾀﾞ", "山田", "山田 太"])
def test_name_search_in_any_script_finds_yamada(cast: Cast, q: str) -> None:
    yamada_household(cast.users[Role.STAFF], cast.center)
    page = client_for(cast.users[Role.STAFF]).get("/people/", {"q": q}).content.decode()
    assert "山田 太郎" in page


def test_list_shows_age_municipality_open_case_and_flags(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    _household, _mother, son, case = yamada_household(staff, cast.center)
    son.municipality_id = cast.center.municipality_id
    son.save()
    from tsunagi.people import services

    services.record_contact(
        staff,
        {"channel": "phone", "initiator": "person", "summary": "電話", "urgent": ["no_food"]},
        case=case,
    )
    response = client_for(staff).get("/people/", {"q": "やまだ"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body  # the htmx fragment only
    assert "52歳" in body and "82歳" in body
    assert "高知市" in body
    assert case.number in body
    assert "⚠ 1" in body


def test_search_by_date_of_birth_in_japanese_era_and_western(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    make_person(staff, cast.center, "高橋", "一郎", birth_date=years_ago(40))
    make_person(staff, cast.center, "高橋", "二郎", birth_date=years_ago(41))
    client = client_for(staff)
    for text in (format_wareki(years_ago(40)), years_ago(40).isoformat()):
        page = client.get("/people/", {"birth_date": text}).content.decode()
        assert "高橋 一郎" in page and "高橋 二郎" not in page, text


def test_search_by_phone_in_full_width(cast: Cast) -> None:
    yamada_household(cast.users[Role.STAFF], cast.center)
    page = client_for(cast.users[Role.STAFF]).get("/people/", {"q": "０８８－０００－１２３４"})
    assert "山田 花子" in page.content.decode()
    assert "山田 太郎" not in page.content.decode()


def test_malformed_date_is_explained_and_kept(cast: Cast) -> None:
    page = client_for(cast.users[Role.STAFF]).get(
        "/people/", {"q": "山田", "birth_date": "令和99年13月1日"}
    )
    assert page.status_code == 200
    body = page.content.decode()
    assert "日付" in body and 'value="令和99年13月1日"' in body and 'value="山田"' in body


def test_list_is_paginated_and_every_shown_person_is_logged(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    for n in range(25):
        make_person(staff, cast.center, "佐藤", f"{n:02d}", family_name_kana="サトウ")
    client = client_for(staff)
    page = client.get("/people/", {"q": "さとう"}).content.decode()
    assert "25人" in page and 'rel="next"' in page
    assert AuditEvent.objects.filter(action="person.viewed", actor=staff).count() == 20
    second = client.get("/people/", {"q": "さとう", "page": "2"}).content.decode()
    assert "佐藤 24" in second


def test_outsider_finds_nothing_of_another_agency(cast: Cast) -> None:
    yamada_household(cast.users[Role.STAFF], cast.center)
    page = client_for(cast.outsider).get("/people/", {"q": "やまだ"}).content.decode()
    assert "山田" not in page
    assert "該当する人はいません" in page


@pytest.mark.parametrize("who", ["nobody", "operator", "municipal_officer", "auditor"])
def test_those_without_personal_records_are_refused(cast: Cast, who: str) -> None:
    yamada_household(cast.users[Role.STAFF], cast.center)
    user = cast.nobody if who == "nobody" else cast.users[Role(who)]
    response = client_for(user).get("/people/", {"q": "やまだ"})
    assert response.status_code in (403, 404)
    assert "山田" not in response.content.decode()


def test_menu_shows_consultation_records_to_staff_only(cast: Cast) -> None:
    assert "相談記録" in client_for(cast.users[Role.STAFF]).get("/").content.decode()
    assert "相談記録" in client_for(cast.users[Role.MANAGER]).get("/").content.decode()
    assert "相談記録" not in client_for(cast.users[Role.OPERATOR]).get("/").content.decode()
    assert (
        "相談記録" not in client_for(cast.users[Role.MUNICIPAL_OFFICER]).get("/").content.decode()
    )
