"""The household page: every visible member and problem, R2 indicators with reasons, adding and
removing members (an existing person or one registered on the spot)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.cast import Cast, make_cast
from tests.people import make_person, yamada_household, years_ago
from tsunagi.access.models import AuditEvent
from tsunagi.accounts.models import Role
from tsunagi.people import services
from tsunagi.people.choices import Employment, Finance, GoingOut
from tsunagi.people.models import Household, HouseholdMember, Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast() -> Cast:
    return make_cast()


def client_for(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def assess_son(staff: Any, case: Any) -> None:
    services.record_assessment(staff, case, {
        "informant": "family", "employment": Employment.UNEMPLOYED,
        "going_out": GoingOut.HOME_ONLY, "withdrawn_since": years_ago(20),
        "finance": Finance.TIGHT, "debt": True, "household_member_needs_care": True,
    })  # fmt: skip


def test_household_shows_members_problems_and_r2_indicators(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    household, _mother, _son, case = yamada_household(staff, cast.center)
    assess_son(staff, case)
    page = client_for(staff).get(f"/people/households/{household.pk}/").content.decode()
    assert "山田 太郎" in page and "山田 花子" in page
    assert "52歳" in page and "82歳" in page
    assert case.number in page
    assert "ひきこもり" in page  # the problem checklist of the son's open case
    assert "R2" in page and "8050" in page
    assert "複合" in page  # compound problems, counted for the household


def test_household_view_logs_the_household_and_each_member(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    household, mother, son, _case = yamada_household(staff, cast.center)
    client_for(staff).get(f"/people/households/{household.pk}/")
    assert AuditEvent.objects.filter(action="household.viewed", record_id=str(household.pk))
    logged = set(
        AuditEvent.objects.filter(action="person.viewed").values_list("record_id", flat=True)
    )
    assert {str(mother.pk), str(son.pk)} <= logged


def test_hidden_members_are_counted_not_shown(cast: Cast) -> None:
    staff, manager = cast.users[Role.STAFF], cast.users[Role.MANAGER]
    household, _mother, _son, case = yamada_household(staff, cast.center)
    services.set_restriction(manager, case, True, [manager])
    page = client_for(staff).get(f"/people/households/{household.pk}/").content.decode()
    assert "山田 花子" in page and "山田 太郎" not in page
    assert "閲覧できない世帯員が1人" in page


def test_create_a_household_from_the_person_page(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    person = make_person(staff, cast.center, "鈴木", "一郎")
    client = client_for(staff)
    form = client.get(f"/people/{person.pk}/household/new/").content.decode()
    assert 'value="鈴木 世帯"' in form
    response = client.post(
        f"/people/{person.pk}/household/new/", {"name": "鈴木 世帯", "relationship": "self"}
    )
    assert response.status_code == 302
    household = Household.objects.get(name="鈴木 世帯")
    assert household.members.get().person == person
    # a second visit goes to the household instead of making another
    again = client.get(f"/people/{person.pk}/household/new/")
    assert again.status_code == 302 and str(household.pk) in again["Location"]


def test_add_an_existing_person_found_by_reading(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    household, *_ = yamada_household(staff, cast.center)
    sister = make_person(staff, cast.center, "山田", "次子", given_name_kana="つぐこ")
    client = client_for(staff)
    found = client.get(
        f"/people/households/{household.pk}/members/add/", {"q": "ツグコ"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "山田 次子" in found and "<html" not in found
    response = client.post(
        f"/people/households/{household.pk}/members/add/",
        {"mode": "existing", "person": sister.pk, "relationship": "sibling"},
    )
    assert response.status_code == 302
    assert HouseholdMember.objects.get(person=sister).relationship == "sibling"


def test_a_person_of_another_household_is_refused_with_a_reason(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    household, *_ = yamada_household(staff, cast.center)
    other = make_person(staff, cast.center, "鈴木", "一郎")
    services.create_household(staff, cast.center, "鈴木 世帯", [(other, "self")])
    response = client_for(staff).post(
        f"/people/households/{household.pk}/members/add/",
        {"mode": "existing", "person": other.pk, "relationship": "other"},
    )
    assert response.status_code == 200
    assert "すでに別の世帯に属しています" in response.content.decode()


def test_a_person_of_another_agency_cannot_be_added(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    household, *_ = yamada_household(staff, cast.center)
    tokyo = make_person(cast.outsider, cast.tokyo_agency, "東京", "太郎")
    response = client_for(staff).post(
        f"/people/households/{household.pk}/members/add/",
        {"mode": "existing", "person": tokyo.pk, "relationship": "other"},
    )
    assert response.status_code == 404
    assert not HouseholdMember.objects.filter(person=tokyo).exists()


def test_register_a_new_member_inline_with_duplicate_warning(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    household, *_ = yamada_household(staff, cast.center)
    url = f"/people/households/{household.pk}/members/add/"
    client = client_for(staff)
    data = {"mode": "new", "relationship": "parent", "family_name": "山田", "given_name": "花子",
            "family_name_kana": "やまだ", "given_name_kana": "はなこ",
            "birth_date": years_ago(82).isoformat(), "notes": "母の姉妹かも"}  # fmt: skip
    page = client.post(url, data).content.decode()
    assert "すでに登録されている可能性" in page and "この人を世帯に加える" in page
    assert 'value="はなこ"' in page and "母の姉妹かも" in page
    data.update(given_name="春子", given_name_kana="はるこ", birth_date="昭和20年1月1日")
    response = client.post(url, data)
    assert response.status_code == 302
    assert HouseholdMember.objects.get(person__given_name="春子").household == household


def test_new_member_with_future_birth_date_keeps_input(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    household, *_ = yamada_household(staff, cast.center)
    page = client_for(staff).post(
        f"/people/households/{household.pk}/members/add/",
        {"mode": "new", "relationship": "child", "family_name": "山田", "given_name": "未来",
         "birth_date": "令和30年1月1日"},
    ).content.decode()  # fmt: skip
    assert "未来" in page and 'value="令和30年1月1日"' in page
    assert not Person.objects.filter(given_name="未来").exists()


def test_remove_a_member_after_confirmation(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    household, mother, *_ = yamada_household(staff, cast.center)
    url = f"/people/households/{household.pk}/members/{mother.pk}/remove/"
    client = client_for(staff)
    assert "山田 花子" in client.get(url).content.decode()
    assert HouseholdMember.objects.filter(person=mother).exists()
    assert client.post(url).status_code == 302
    assert not HouseholdMember.objects.filter(person=mother).exists()
    assert Person.objects.filter(pk=mother.pk).exists()


def test_edit_the_household_name(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    household, *_ = yamada_household(staff, cast.center)
    client = client_for(staff)
    assert client.post(f"/people/households/{household.pk}/edit/", {"name": ""}).status_code == 200
    client.post(f"/people/households/{household.pk}/edit/", {"name": "山田家"})
    household.refresh_from_db()
    assert household.name == "山田家"


def test_outsider_gets_404_everywhere(cast: Cast) -> None:
    household, mother, *_ = yamada_household(cast.users[Role.STAFF], cast.center)
    client = client_for(cast.outsider)
    base = f"/people/households/{household.pk}"
    for url in (f"{base}/", f"{base}/edit/", f"{base}/members/add/",
                f"{base}/members/{mother.pk}/remove/"):  # fmt: skip
        assert client.get(url).status_code == 404, url
    assert client.post(f"{base}/members/{mother.pk}/remove/").status_code == 404
    assert HouseholdMember.objects.filter(person=mother).exists()


@pytest.mark.parametrize("who", ["nobody", "operator", "municipal_officer"])
def test_those_without_personal_records_are_refused(cast: Cast, who: str) -> None:
    household, mother, *_ = yamada_household(cast.users[Role.STAFF], cast.center)
    user = cast.nobody if who == "nobody" else cast.users[Role(who)]
    client = client_for(user)
    response = client.get(f"/people/households/{household.pk}/")
    assert response.status_code in (403, 404) and "山田" not in response.content.decode()
    remove = f"/people/households/{household.pk}/members/{mother.pk}/remove/"
    assert client.post(remove).status_code in (403, 404)
    assert HouseholdMember.objects.filter(person=mother).exists()
