"""Search and the duplicate warning inside an agency (issue 3, item 6; access.md: no search
crosses agencies, a restricted person stays hidden from unassigned staff)."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from tests.cast import Cast, make_cast
from tests.people import make_person, yamada_household, years_ago
from tsunagi.accounts.models import Membership, Role, User
from tsunagi.people import selectors, services
from tsunagi.people.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast() -> Cast:
    return make_cast()


@pytest.fixture
def staff(cast: Cast) -> User:
    return cast.users[Role.STAFF]


def names(user: Any, q: str = "", **kw: Any) -> set[str]:
    return {p.full_name for p in selectors.persons(user, q, **kw)}


def create(actor: User, cast: Cast, family: str, given: str, **data: Any) -> Person:
    values = {"family_name": family, "given_name": given, **data}
    return services.create_person(actor, cast.center, values)


def duplicates_of(actor: User, cast: Cast, family: str, given: str, **data: Any) -> list:
    with pytest.raises(services.PossibleDuplicates) as caught:
        create(actor, cast, family, given, **data)
    return caught.value.candidates


# --- search ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "q",
    [
        "やまだ",
        "ヤマダ",
        "ﾔﾏﾀﾞ",
        "ﾔﾏﾀﾞ ﾀﾛｳ",
        "やまだ　たろう",
        "山田",
        "山田 太",
        "山田　太",
        "山田太郎",
        "  山田 太郎  ",
        "たろう",
        "太郎",
    ],
)
def test_search_finds_yamada_however_typed(cast: Cast, staff: User, q: str) -> None:
    yamada_household(staff, cast.center)
    assert "山田 太郎" in names(staff, q)


def test_given_name_prefix_narrows_the_family(cast: Cast, staff: User) -> None:
    yamada_household(staff, cast.center)
    make_person(staff, cast.center, "山田", "次郎")
    assert names(staff, "山田 太") == {"山田 太郎"}
    assert names(staff, "山田") == {"山田 太郎", "山田 花子", "山田 次郎"}
    assert names(staff, "やまだ は") == {"山田 花子"}


def test_search_by_old_kanji_finds_the_common_form_and_back(cast: Cast, staff: User) -> None:
    make_person(staff, cast.center, "高橋", "一郎")
    make_person(staff, cast.center, "山﨑", "花子")
    make_person(staff, cast.center, "渡邊", "健")
    assert names(staff, "髙橋") == {"高橋 一郎"}
    assert names(staff, "山崎") == {"山﨑 花子"}
    assert names(staff, "渡辺") == names(staff, "渡邉") == {"渡邊 健"}


def test_a_name_written_in_kana_is_found_in_either_script(cast: Cast, staff: User) -> None:
    make_person(staff, cast.center, "山田", "はな")  # no reading given
    for q in ("山田 はな", "山田 ハナ", "山田 ﾊﾅ", "はな", "ハナ"):
        assert names(staff, q) == {"山田 はな"}, q


def test_search_by_phone_in_any_width_and_with_any_separator(cast: Cast, staff: User) -> None:
    yamada_household(staff, cast.center)  # the mother's phone: 088-000-1234
    for q in (
        "088-000-1234",
        "0880001234",
        "０８８－０００－１２３４",
        "088 000 1234",
        "(088)000-1234",
    ):
        assert names(staff, q) == {"山田 花子"}, q
    assert names(staff, phone="０８８ー０００ー１２３４") == {"山田 花子"}


def test_search_by_date_of_birth(cast: Cast, staff: User) -> None:
    yamada_household(staff, cast.center)
    assert names(staff, birth_date=years_ago(52)) == {"山田 太郎"}
    assert names(staff, "山田", birth_date=years_ago(82)) == {"山田 花子"}


def test_search_never_crosses_agencies(cast: Cast, staff: User) -> None:
    yamada_household(staff, cast.center)
    other_staff = User.objects.create_user(username="jiritsu", password="x")
    Membership.objects.create(user=other_staff, agency=cast.self_reliance, role=Role.STAFF)
    for user in (cast.outsider, other_staff, *(cast.users[r] for r in Role if r != Role.STAFF)):
        if user == cast.users[Role.MANAGER]:
            continue
        assert not selectors.persons(user, "やまだ").exists(), user
        assert not selectors.persons(user, phone="088-000-1234").exists(), user
    assert not selectors.persons(cast.nobody, "").exists()


def test_a_restricted_person_is_not_found_by_unassigned_staff(cast: Cast, staff: User) -> None:
    manager = cast.users[Role.MANAGER]
    person = make_person(manager, cast.center, "佐藤", "恵", phone="088-111-2222")
    case = services.open_case(manager, person, {"problems": ["dv_abuse"]})
    services.set_restriction(manager, case, True, [manager])
    for q in ("佐藤", "088-111-2222"):
        assert not selectors.persons(staff, q).exists()
        assert selectors.persons(manager, q).exists()
    services.set_restriction(manager, case, True, [manager, staff])
    assert names(staff, "佐藤") == {"佐藤 恵"}


# --- duplicates ------------------------------------------------------------------------------


def test_takahashi_with_the_old_kanji_and_same_birth_date_warns(cast: Cast, staff: User) -> None:
    make_person(staff, cast.center, "高橋", "一郎", birth_date=years_ago(40))
    with translation.override("en"):
        (candidate,) = duplicates_of(staff, cast, "髙橋", "一郎", birth_date=years_ago(40))
    assert candidate.person.full_name == "高橋 一郎"
    # 髙 and 高 are one name once the variant is folded
    assert candidate.reasons == ["the same name", "the same date of birth"]
    assert not Person.objects.filter(family_name="髙橋").exists()  # nothing was saved


@pytest.mark.parametrize(
    ("existing", "typed"),
    [
        (("山崎", "花子"), ("山﨑", "花子")),
        (("山﨑", "花子"), ("山崎", "花子")),
        (("渡辺", "健"), ("渡邊", "健")),
        (("渡邉", "健"), ("渡辺", "健")),
        (("高橋", "一郎"), ("高橋", "一郎 ")),
        (("高橋", "一郎"), ("高橋一郎", "")),
        (("山田", "ハナ"), ("山田", "はな")),
        (("山田", "ﾊﾅ"), ("山田", "はな")),
        (("ＫＡＴＯ", "Ｊｕｎ"), ("Kato", "jun")),
    ],
)
def test_variants_of_one_name_with_the_same_birth_date_warn(
    cast: Cast, staff: User, existing: tuple[str, str], typed: tuple[str, str]
) -> None:
    make_person(staff, cast.center, *existing, birth_date=years_ago(40))
    assert duplicates_of(staff, cast, *typed, birth_date=years_ago(40))


def test_the_same_reading_in_other_kanji_warns(cast: Cast, staff: User) -> None:
    make_person(
        staff, cast.center, "斉藤", "一郎", family_name_kana="サイトウ",
        given_name_kana="イチロウ", birth_date=years_ago(40),
    )  # fmt: skip
    (candidate,) = duplicates_of(
        staff, cast, "斎藤", "一郎", family_name_kana="さいとう",
        given_name_kana="いちろう", birth_date=years_ago(40),
    )  # fmt: skip
    assert candidate.person.full_name == "斉藤 一郎"


def test_the_same_phone_warns_whatever_the_name(cast: Cast, staff: User) -> None:
    yamada_household(staff, cast.center)
    (candidate,) = duplicates_of(staff, cast, "山本", "花", mobile="０８８（０００）１２３４")
    assert candidate.person.full_name == "山田 花子"


def test_same_name_without_a_known_birth_date_warns(cast: Cast, staff: User) -> None:
    make_person(staff, cast.center, "高橋", "一郎")
    assert duplicates_of(staff, cast, "髙橋", "一郎", birth_date=years_ago(40))


def test_same_name_with_a_different_known_birth_date_does_not_warn(cast: Cast, staff: User) -> None:
    make_person(staff, cast.center, "高橋", "一郎", birth_date=years_ago(40))
    person = create(staff, cast, "髙橋", "一郎", birth_date=years_ago(62))
    assert person.pk is not None


def test_a_different_name_with_the_same_birth_date_does_not_warn(cast: Cast, staff: User) -> None:
    make_person(staff, cast.center, "高橋", "一郎", birth_date=years_ago(40))
    assert create(staff, cast, "田中", "次郎", birth_date=years_ago(40)).pk is not None


def test_confirmed_duplicate_is_saved_and_logged_as_confirmed(cast: Cast, staff: User) -> None:
    from tsunagi.access.models import AuditEvent

    make_person(staff, cast.center, "高橋", "一郎", birth_date=years_ago(40))
    values = {"family_name": "髙橋", "given_name": "一郎", "birth_date": years_ago(40)}
    person = services.create_person(staff, cast.center, values, allow_duplicate=True)
    event = AuditEvent.objects.get(action="person.created", record_id=str(person.pk))
    assert event.detail == {"duplicate_confirmed": True}


def test_duplicates_are_never_looked_for_across_agencies(cast: Cast, staff: User) -> None:
    make_person(staff, cast.center, "高橋", "一郎", birth_date=years_ago(40), phone="0880001111")
    outsider = cast.outsider
    values = {"family_name": "髙橋", "given_name": "一郎", "birth_date": years_ago(40),
              "phone": "0880001111"}  # fmt: skip
    person = services.create_person(outsider, cast.tokyo_agency, values)
    assert person.agency == cast.tokyo_agency
    # and the other way: the center is not told the Tokyo agency knows him
    assert selectors.find_duplicates(staff, person) == []
    twin = Person(agency=cast.center, **values)
    assert [c.person.agency for c in selectors.find_duplicates(staff, twin)] == [cast.center]
    assert selectors.find_duplicates(outsider, twin) == []


def test_a_restricted_person_is_not_revealed_as_a_duplicate(cast: Cast, staff: User) -> None:
    manager = cast.users[Role.MANAGER]
    person = make_person(manager, cast.center, "佐藤", "恵", birth_date=years_ago(35))
    case = services.open_case(manager, person, {"problems": ["dv_abuse"]})
    services.set_restriction(manager, case, True, [manager])
    created = create(staff, cast, "佐藤", "恵", birth_date=years_ago(35))
    assert created.pk is not None  # staff learn nothing of the sensitive case
    assert duplicates_of(manager, cast, "佐藤", "恵", birth_date=years_ago(35))


def test_editing_a_person_does_not_find_the_person_as_their_own_duplicate(
    cast: Cast, staff: User
) -> None:
    person = make_person(staff, cast.center, "高橋", "一郎", birth_date=years_ago(40))
    assert selectors.find_duplicates(staff, person) == []


def test_a_name_in_the_other_kana_script_is_a_name_written_alike(cast: Cast, staff: User) -> None:
    make_person(staff, cast.center, "山田", "ハナ", birth_date=years_ago(40))
    with translation.override("en"):
        (candidate,) = duplicates_of(staff, cast, "山田", "はな", birth_date=years_ago(40))
    assert candidate.reasons == ["a name written alike (山田 ハナ)", "the same date of birth"]
