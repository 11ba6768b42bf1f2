"""People services on the database: search, duplicates, intake, flags, restriction."""

from __future__ import annotations

import pytest
from django.http import Http404

from tests.cast import Cast, make_cast
from tests.people import make_person, yamada_household, years_ago
from tsunagi.accounts.models import Role
from tsunagi.people import selectors, services
from tsunagi.people.choices import Employment, Finance, GoingOut

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast() -> Cast:
    return make_cast()


def test_kana_search_in_any_script_finds_yamada(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    yamada_household(staff, cast.center)
    for q in ("やまだ", "ヤマダ", "ﾔﾏﾀﾞ", "山田", "山田 太", "たろう"):
        names = {p.full_name for p in selectors.persons(staff, q)}
        assert "山田 太郎" in names, q


def test_search_never_crosses_agencies(cast: Cast) -> None:
    yamada_household(cast.users[Role.STAFF], cast.center)
    assert not selectors.persons(cast.outsider, "やまだ").exists()
    assert not selectors.persons(cast.users[Role.OPERATOR], "やまだ").exists()


def test_old_kanji_form_warns_of_duplicate(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    make_person(staff, cast.center, "高橋", "一郎", birth_date=years_ago(40))
    with pytest.raises(services.PossibleDuplicates) as caught:
        services.create_person(
            staff,
            cast.center,
            {"family_name": "髙橋", "given_name": "一郎", "birth_date": years_ago(40)},
        )
    assert caught.value.candidates[0].person.full_name == "高橋 一郎"


def test_first_contact_opens_a_case_and_urgent_call_raises_flags(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    _household, _mother, son, case = yamada_household(staff, cast.center)
    assert case.person == son and case.number.endswith("00001")
    contact = services.record_contact(
        staff,
        {
            "channel": "phone",
            "initiator": "person",
            "summary": "食べていない",
            "urgent": ["no_food", "suicidal"],
        },
        person=son,
    )
    assert contact.case == case  # the open case is reused
    kinds = set(selectors.open_flags(case).values_list("kind", flat=True))
    assert kinds == {"urgent_need", "suicide_risk"}


def test_r2_household_indicators_of_walkthrough_a(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    household, _mother, son, case = yamada_household(staff, cast.center)
    services.record_assessment(
        staff,
        case,
        {
            "informant": "family",
            "employment": Employment.UNEMPLOYED,
            "going_out": GoingOut.HOME_ONLY,
            "withdrawn_since": years_ago(20),
            "finance": Finance.TIGHT,
            "debt": True,
            "household_member_needs_care": True,
            "connections": ["family"],
        },
    )
    view = selectors.household_view(staff, household)
    codes = {f.code for f in view.indicators.findings}
    assert {"economic_need", "compound_problems", "r2_referral", "8050"} <= codes
    assert [m.person for m in view.members] == [son, _mother]


def test_restricted_case_hidden_from_other_staff(cast: Cast) -> None:
    staff, manager = cast.users[Role.STAFF], cast.users[Role.MANAGER]
    person = make_person(manager, cast.center, "佐藤", "恵")
    case = services.open_case(manager, person, {"problems": ["dv_abuse"]})
    services.set_restriction(manager, case, True, [manager])
    assert not selectors.persons(staff, "佐藤").exists()
    with pytest.raises(Http404):
        services.record_contact(
            staff, {"channel": "phone", "initiator": "person", "summary": "x"}, person=person
        )
    assert selectors.persons(manager, "佐藤").exists()
