"""The person page: details, contact preferences first, household summary, cases and flags."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.cast import Cast, make_cast
from tests.people import make_person, yamada_household
from tsunagi.access.models import AuditEvent
from tsunagi.accounts.models import Role
from tsunagi.people import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast() -> Cast:
    return make_cast()


def client_for(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_person_page_shows_details_preferences_household_and_cases(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    _household, _mother, son, case = yamada_household(staff, cast.center)
    page = client_for(staff).get(f"/people/{son.pk}/").content.decode()
    assert "山田 太郎" in page and "やまだ たろう" in page
    assert "電話は避ける" in page  # the son does not want phone calls
    assert "山田 世帯" in page and "山田 花子" in page and "82歳" in page
    assert case.number in page
    assert "昭和" in page  # date of birth in the Japanese era


def test_every_view_of_the_person_is_in_the_access_log(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    person = make_person(staff, cast.center, "山田", "太郎")
    client_for(staff).get(f"/people/{person.pk}/")
    event = AuditEvent.objects.get(action="person.viewed", record_id=str(person.pk))
    assert event.actor == staff and event.personal and event.grant == "own_agency"


def test_open_flags_appear_on_the_person_page(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    _household, _mother, son, case = yamada_household(staff, cast.center)
    services.record_contact(
        staff,
        {"channel": "phone", "initiator": "person", "summary": "電話", "urgent": ["suicidal"]},
        case=case,
    )
    page = client_for(staff).get(f"/people/{son.pk}/").content.decode()
    assert "未対応の警告" in page and "R8" in page and "自殺" in page
    assert "/people/flags/" in page  # with the resolve form


def test_person_without_household_offers_to_create_one(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    person = make_person(staff, cast.center, "鈴木", "一郎")
    page = client_for(staff).get(f"/people/{person.pk}/").content.decode()
    assert "まだ世帯が登録されていません" in page
    assert f"/people/{person.pk}/household/new/" in page
    assert "最初の相談を記録するとケースが始まります" in page


def test_restricted_case_hides_the_person_from_other_staff(cast: Cast) -> None:
    staff, manager = cast.users[Role.STAFF], cast.users[Role.MANAGER]
    _household, _mother, son, case = yamada_household(staff, cast.center)
    services.set_restriction(manager, case, True, [manager])
    assert client_for(staff).get(f"/people/{son.pk}/").status_code == 404
    assert client_for(manager).get(f"/people/{son.pk}/").status_code == 200


def test_outsider_gets_404_and_nothing_is_logged_for_them(cast: Cast) -> None:
    person = make_person(cast.users[Role.STAFF], cast.center, "山田", "太郎")
    assert client_for(cast.outsider).get(f"/people/{person.pk}/").status_code == 404
    assert not AuditEvent.objects.filter(action="person.viewed", actor=cast.outsider).exists()


def test_missing_and_forbidden_look_the_same(cast: Cast) -> None:
    person = make_person(cast.users[Role.STAFF], cast.center, "山田", "太郎")
    client = client_for(cast.outsider)
    assert client.get(f"/people/{person.pk}/").status_code == 404
    assert client.get(f"/people/{person.pk + 1000}/").status_code == 404


@pytest.mark.parametrize("who", ["nobody", "operator", "municipal_officer", "supporter"])
def test_those_without_personal_records_are_refused(cast: Cast, who: str) -> None:
    person = make_person(cast.users[Role.STAFF], cast.center, "山田", "太郎")
    user = cast.nobody if who == "nobody" else cast.users[Role(who)]
    response = client_for(user).get(f"/people/{person.pk}/")
    assert response.status_code in (403, 404)
    assert "山田" not in response.content.decode()
