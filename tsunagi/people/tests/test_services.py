"""The people services on the database: the access log of every change and read, edit conflicts,
and bad input refused with a message on the field it concerns (style.md: services validate)."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone, translation

from tests.cast import Cast, make_cast
from tests.people import make_person, yamada_household, years_ago
from tsunagi.access.models import AuditEvent
from tsunagi.access.policy import Kind
from tsunagi.accounts.models import Role, User
from tsunagi.agencies.services import EditConflict
from tsunagi.people import selectors, services
from tsunagi.people.models import Assessment, Case, Contact, Flag, Household, Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast() -> Cast:
    return make_cast()


@pytest.fixture
def staff(cast: Cast) -> User:
    return cast.users[Role.STAFF]


# --- the access log ---------------------------------------------------------------------------

# What the walkthrough below writes into records: none of it may appear in the log.
PERSONAL_VALUES = [
    "山田", "花子", "太郎", "ヤマダ", "やまだ", "ハナコ", "088-000-1234", "0880001234",
    "母から息子について電話相談", "夜中だけコンビニに行く", "はりまや町", "年金だけでは",
    "カードの借金", "外に出たくない", "食べていない", "hanako@example.jp", "780-0870",
]  # fmt: skip


def _walkthrough_a(actor: User, cast: Cast) -> dict[str, Any]:
    """Walkthrough A steps 1-2 and a little more, every kind of record created and changed."""
    household, mother, son, case = yamada_household(actor, cast.center)
    services.update_person(
        actor, mother,
        {"address": "はりまや町1-2-3", "postal_code": "780-0870", "email": "hanako@example.jp"},
        version=mother.version,
    )  # fmt: skip
    services.update_household(actor, household, {"notes": "年金だけでは家賃が苦しい"})
    case = services.update_case(actor, case, {"problem_notes": "夜中だけコンビニに行く"})
    assessment = services.record_assessment(
        actor,
        case,
        {"informant": "family", "debt": True, "debt_notes": "カードの借金", "finance": "short",
         "wishes": "外に出たくない", "going_out": "neighbourhood"},
    )  # fmt: skip
    contact = services.record_contact(
        actor,
        {"channel": "phone", "initiator": "family", "initiator_person": mother,
         "summary": "食べていない", "urgent": ["no_food"]},
        case=case,
    )  # fmt: skip
    services.update_contact(actor, contact, {"notes": "食べていない日が続く"})
    flag = selectors.open_flags(case).get()
    services.resolve_flag(actor, flag, "食べていないため食料を届けた")
    manager = cast.users[Role.MANAGER]
    services.set_restriction(manager, case, True, [manager, actor])
    services.remove_member(actor, household, mother)
    for kind, obj in (
        (Kind.PERSON, son), (Kind.HOUSEHOLD, household), (Kind.CASE, case),
        (Kind.CONTACT, contact), (Kind.ASSESSMENT, assessment), (Kind.FLAG, flag),
    ):  # fmt: skip
        services.log_read(actor, kind, obj, screen="case_page")
    return {
        "person": son, "household": household, "case": case, "contact": contact,
        "assessment": assessment, "flag": flag,
    }  # fmt: skip


def test_every_change_and_read_is_logged_for_the_agency_without_personal_values(
    cast: Cast, staff: User
) -> None:
    records = _walkthrough_a(staff, cast)
    events = list(AuditEvent.objects.order_by("pk"))
    actions = [e.action for e in events]

    for action in (
        "person.created", "person.changed", "household.created", "household.changed",
        "household.member_added", "household.member_removed", "case.opened", "case.changed",
        "case.restricted", "contact.recorded", "contact.changed", "assessment.recorded",
        "flag.raised", "flag.resolved", "person.viewed", "household.viewed", "case.viewed",
        "contact.viewed", "assessment.viewed", "flag.viewed",
    ):  # fmt: skip
        assert action in actions, action
    for event in events:
        assert event.personal is True, event.action
        assert event.grant == "own_agency", event.action
        assert event.agency_id == cast.center.pk, event.action
        detail = json.dumps(event.detail, ensure_ascii=False)
        for value in PERSONAL_VALUES:
            assert value not in detail, (event.action, value)
        assert event.reason == ""

    # each record's reads name the record and its kind, so a disclosure report can be built
    for kind, obj in records.items():
        read = AuditEvent.objects.get(action=f"{kind}.viewed")
        assert (read.record_kind, read.record_id) == (obj._meta.model_name, str(obj.pk))
        assert read.actor == staff and read.detail == {"screen": "case_page"}


def test_changes_name_the_fields_never_their_values(cast: Cast, staff: User) -> None:
    person = make_person(staff, cast.center, "山田", "花子", phone="088-000-1234")
    services.update_person(staff, person, {"phone": "088-999-0000", "notes": "夜は不在"})
    event = AuditEvent.objects.get(action="person.changed")
    assert sorted(event.detail["fields"]) == ["notes", "phone"]
    assert "088" not in json.dumps(event.detail)


def test_an_unchanged_save_writes_no_change_event_and_keeps_the_version(
    cast: Cast, staff: User
) -> None:
    person = make_person(staff, cast.center, "山田", "花子")
    same = services.update_person(staff, person, {"family_name": "山田"}, version=person.version)
    assert same.version == person.version
    assert not AuditEvent.objects.filter(action="person.changed").exists()


def test_a_refused_change_writes_nothing(cast: Cast, staff: User) -> None:
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError):
        services.create_person(staff, cast.center, {"family_name": "山田", "sex": "robot"})
    assert AuditEvent.objects.count() == before
    assert not Person.objects.exists()


# --- edit conflicts ---------------------------------------------------------------------------


def test_two_desks_editing_one_person_the_second_is_told(cast: Cast, staff: User) -> None:
    person = make_person(staff, cast.center, "山田", "花子")
    opened = person.version
    manager = cast.users[Role.MANAGER]
    saved = services.update_person(manager, person, {"phone": "088-000-1234"}, version=opened)
    assert saved.version == opened + 1
    with pytest.raises(EditConflict) as caught:
        services.update_person(staff, person, {"phone": "088-111-1111"}, version=opened)
    assert caught.value.current.phone == "088-000-1234"
    assert Person.objects.get(pk=person.pk).phone == "088-000-1234"
    # with the version now shown, the second desk saves
    services.update_person(staff, person, {"phone": "088-111-1111"}, version=saved.version)
    assert Person.objects.get(pk=person.pk).version == opened + 2


def test_two_desks_editing_one_case_the_second_is_told(cast: Cast, staff: User) -> None:
    _household, _mother, _son, case = yamada_household(staff, cast.center)
    opened = case.version
    services.update_case(staff, case, {"accompaniment": True}, version=opened)
    with pytest.raises(EditConflict):
        services.update_case(
            cast.users[Role.MANAGER], case, {"screening": "continuing"}, version=opened
        )
    current = Case.objects.get(pk=case.pk)
    assert current.accompaniment and current.screening == ""


def test_without_a_version_the_change_is_applied(cast: Cast, staff: User) -> None:
    person = make_person(staff, cast.center, "山田", "花子")
    services.update_person(staff, person, {"notes": "a"})
    assert services.update_person(staff, person, {"notes": "b"}).version == person.version + 2


# --- bad input ------------------------------------------------------------------------------


def _field_error(call: Any, *args: Any, **kwargs: Any) -> dict[str, list[str]]:
    with translation.override("ja"), pytest.raises(ValidationError) as caught:
        call(*args, **kwargs)
    return caught.value.message_dict


def _new_person(cast: Cast, staff: User, **data: Any) -> dict[str, list[str]]:
    values = {"family_name": "山田", "given_name": "花子", **data}
    return _field_error(services.create_person, staff, cast.center, values, allow_duplicate=True)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"birth_date": datetime.date.today() + datetime.timedelta(days=400)}, "birth_date"),
        ({"estimated_age": 200}, "estimated_age"),
        ({"sex": "robot"}, "sex"),
        ({"preferred_contact": ["fax"]}, "preferred_contact"),
        ({"avoided_contact": ["telepathy"]}, "avoided_contact"),
        (
            {"preferred_contact": ["phone", "letter"], "avoided_contact": ["phone"]},
            "avoided_contact",
        ),
        ({"email": "not an address"}, "email"),
        ({"family_name": ""}, "family_name"),
        ({"family_name": "山" * 51}, "family_name"),
    ],
)
def test_bad_person_input_is_refused_on_its_field(
    cast: Cast, staff: User, data: dict[str, Any], field: str
) -> None:
    errors = _new_person(cast, staff, **data)
    assert list(errors) == [field]
    assert errors[field][0]  # a message to show beside the field
    assert not Person.objects.exists()


def test_messages_are_in_japanese(cast: Cast, staff: User) -> None:
    future = timezone.localdate() + datetime.timedelta(days=1)
    assert _new_person(cast, staff, birth_date=future)["birth_date"][0].startswith("生年月日が未来")
    both = _new_person(cast, staff, preferred_contact=["phone"], avoided_contact=["phone"])
    assert "避け" in both["avoided_contact"][0]
    unknown = _new_person(cast, staff, preferred_contact=["fax"])
    assert (
        "fax" in unknown["preferred_contact"][0]
        and "選択肢にない" in unknown["preferred_contact"][0]
    )


def test_a_single_choice_given_as_a_string_is_read_as_one_choice(cast: Cast, staff: User) -> None:
    person = services.create_person(
        staff, cast.center, {"family_name": "山田", "avoided_contact": "phone"}
    )
    assert person.avoided_contact == ["phone"]
    assert list(_new_person(cast, staff, avoided_contact="fax")) == ["avoided_contact"]


def test_a_failed_update_leaves_the_person_as_it_was(cast: Cast, staff: User) -> None:
    person = make_person(staff, cast.center, "山田", "花子", preferred_contact=["letter"])
    errors = _field_error(
        services.update_person, staff, person, {"phone": "088", "avoided_contact": ["letter"]}
    )
    assert list(errors) == ["avoided_contact"]
    fresh = Person.objects.get(pk=person.pk)
    assert fresh.phone == "" and fresh.avoided_contact == [] and fresh.version == person.version


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"problems": ["aliens"]}, "problems"),
        ({"main_problem": "aliens"}, "main_problem"),
        ({"screening": "maybe"}, "screening"),
        ({"screening": "handed_over"}, "handed_to"),
        ({"screening": "handed_over", "handed_to": "   "}, "handed_to"),
        ({"closed_on": datetime.date(2000, 1, 1)}, "closed_on"),
    ],
)
def test_bad_case_input_is_refused_on_its_field(
    cast: Cast, staff: User, data: dict[str, Any], field: str
) -> None:
    person = make_person(staff, cast.center, "山田", "太郎")
    case = services.open_case(staff, person)
    assert field in _field_error(services.update_case, staff, case, data)
    assert Case.objects.get(pk=case.pk).version == case.version


def test_handed_over_with_the_receiving_system_named_is_accepted(cast: Cast, staff: User) -> None:
    case = services.open_case(staff, make_person(staff, cast.center, "山田", "太郎"))
    case = services.update_case(
        staff, case, {"screening": "handed_over", "handed_to": "高知市 福祉事務所（生活保護）"}
    )
    assert case.screening == "handed_over" and case.screened_on == timezone.localdate()


def test_bad_case_input_on_opening(cast: Cast, staff: User) -> None:
    person = make_person(staff, cast.center, "山田", "太郎")
    errors = _field_error(services.open_case, staff, person, {"problems": ["hikikomori", "x"]})
    assert list(errors) == ["problems"] and "x" in errors["problems"][0]
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"channel": "pigeon"}, "channel"),
        ({"initiator": "ghost"}, "initiator"),
        ({"urgent": ["bored"]}, "urgent"),
        ({"occurred_at": timezone.now() + datetime.timedelta(days=1)}, "occurred_at"),
        ({"summary": ""}, "summary"),
        ({"duration_minutes": -5}, "duration_minutes"),
    ],
)
def test_bad_contact_input_is_refused_on_its_field(
    cast: Cast, staff: User, data: dict[str, Any], field: str
) -> None:
    person = make_person(staff, cast.center, "山田", "太郎")
    values = {"channel": "phone", "initiator": "person", "summary": "電話", **data}
    assert field in _field_error(services.record_contact, staff, values, person=person)
    assert not Contact.objects.exists() and not Case.objects.exists()


def test_the_caller_must_be_a_person_of_the_agency(cast: Cast, staff: User) -> None:
    person = make_person(staff, cast.center, "山田", "太郎")
    stranger = make_person(cast.outsider, cast.tokyo_agency, "東", "一")
    values = {"channel": "phone", "initiator": "family", "summary": "電話"}
    errors = _field_error(
        services.record_contact, staff, {**values, "initiator_person": stranger}, person=person
    )
    assert list(errors) == ["initiator_person"]


def test_a_contact_needs_its_person(cast: Cast, staff: User) -> None:
    values = {"channel": "phone", "initiator": "person", "summary": "電話"}
    assert list(_field_error(services.record_contact, staff, values)) == ["person"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"assessed_on": timezone.localdate() + datetime.timedelta(days=2)}, "assessed_on"),
        (
            {"withdrawn_since": timezone.localdate() + datetime.timedelta(days=40)},
            "withdrawn_since",
        ),
        ({"connections": ["family", "internet friends"]}, "connections"),
        ({"finance": "rich"}, "finance"),
        ({"going_out": "moon"}, "going_out"),
        ({"employment": "astronaut"}, "employment"),
    ],
)
def test_bad_assessment_input_is_refused_on_its_field(
    cast: Cast, staff: User, data: dict[str, Any], field: str
) -> None:
    case = services.open_case(staff, make_person(staff, cast.center, "山田", "太郎"))
    assert field in _field_error(services.record_assessment, staff, case, data)
    assert not Assessment.objects.exists()


def test_assessments_are_dated_and_kept_as_history(cast: Cast, staff: User) -> None:
    case = services.open_case(staff, make_person(staff, cast.center, "山田", "太郎"))
    first = services.record_assessment(
        staff, case, {"assessed_on": years_ago(1), "going_out": "room_only"}
    )
    second = services.record_assessment(staff, case, {"going_out": "neighbourhood"})
    assert list(selectors.assessments_of(staff, case)) == [second, first]
    assert selectors.latest_assessment(case) == second
    assert Assessment.objects.get(pk=first.pk).going_out == "room_only"


def test_household_membership_is_checked(cast: Cast, staff: User) -> None:
    household, mother, _son, _case = yamada_household(staff, cast.center)
    other = services.create_household(staff, cast.center, "別の世帯")
    errors = _field_error(services.add_member, staff, other, mother, "parent")
    assert list(errors) == ["person"] and "山田 花子" in errors["person"][0]
    newcomer = make_person(staff, cast.center, "山田", "次郎")
    assert list(_field_error(services.add_member, staff, household, newcomer, "cousin")) == [
        "relationship"
    ]
    stranger = make_person(cast.outsider, cast.tokyo_agency, "東", "一")
    with pytest.raises(Http404):  # another agency's person is not even found
        services.add_member(staff, household, stranger, "sibling")
    assert household.members.count() == 2


def test_a_household_needs_a_name(cast: Cast, staff: User) -> None:
    assert "name" in _field_error(services.create_household, staff, cast.center, "   ")
    assert not Household.objects.exists()


def test_restriction_needs_staff_of_the_agency(cast: Cast, staff: User) -> None:
    manager = cast.users[Role.MANAGER]
    case = services.open_case(manager, make_person(manager, cast.center, "佐藤", "恵"))
    assert list(_field_error(services.set_restriction, manager, case, True, [])) == [
        "assigned_staff"
    ]
    errors = _field_error(services.set_restriction, manager, case, True, [cast.outsider])
    assert list(errors) == ["assigned_staff"]
    assert not Case.objects.get(pk=case.pk).is_restricted


def test_resolving_a_flag_needs_a_note(cast: Cast, staff: User) -> None:
    person = make_person(staff, cast.center, "山田", "太郎")
    values = {"channel": "phone", "initiator": "person", "summary": "電話", "urgent": ["no_food"]}
    case = services.record_contact(staff, values, person=person).case
    flag = selectors.open_flags(case).get()
    assert list(_field_error(services.resolve_flag, staff, flag, "")) == ["resolution"]
    assert Flag.objects.get(pk=flag.pk).is_open
