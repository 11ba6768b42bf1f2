"""Who may do what to personal records, through the services and selectors the screens and the
API call (access.md). The table of every role against every kind is tests/test_access_matrix.py;
here the same rules are checked where a mistake would leak: a write by an outsider, a sensitive
case seen by a colleague who is not assigned to it, a list that shows more than a record would.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from tests.cast import Cast, make_cast
from tests.people import yamada_household
from tsunagi.access.models import AuditEvent
from tsunagi.access.policy import Denied, Kind, scope
from tsunagi.accounts.models import Membership, Role, User
from tsunagi.people import selectors, services
from tsunagi.people.models import Case, Contact, Flag, Household, Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast() -> Cast:
    return make_cast()


@pytest.fixture
def yamada(cast: Cast) -> dict[str, Any]:
    staff = cast.users[Role.STAFF]
    household, mother, son, case = yamada_household(staff, cast.center)
    contact = services.record_contact(
        staff,
        {"channel": "phone", "initiator": "person", "summary": "電話", "urgent": ["no_food"]},
        case=case,
    )
    assessment = services.record_assessment(staff, case, {"going_out": "room_only"})
    flag = selectors.open_flags(case).get()
    return {
        "household": household, "mother": mother, "son": son, "case": case,
        "contact": contact, "assessment": assessment, "flag": flag,
    }  # fmt: skip


def _outsiders(cast: Cast) -> list[User]:
    """Everyone who must not touch the center's records: another agency's staff, every role
    that is not casework, and the user without any role."""
    other_local = User.objects.create_user(username="jiritsu-staff", password="x")
    Membership.objects.create(user=other_local, agency=cast.self_reliance, role=Role.STAFF)
    others = [cast.users[r] for r in Role if r not in (Role.STAFF, Role.MANAGER)]
    return [cast.outsider, other_local, cast.nobody, *others]


WRITES: dict[str, Callable[[User, dict[str, Any], Cast], Any]] = {
    "create_person": lambda u, r, c: services.create_person(
        u, c.center, {"family_name": "侵入"}, allow_duplicate=True
    ),
    "update_person": lambda u, r, c: services.update_person(u, r["son"], {"notes": "x"}),
    "create_household": lambda u, r, c: services.create_household(u, c.center, "x 世帯"),
    "update_household": lambda u, r, c: services.update_household(
        u, r["household"], {"notes": "x"}
    ),
    "add_member": lambda u, r, c: services.add_member(u, r["household"], r["mother"], "parent"),
    "remove_member": lambda u, r, c: services.remove_member(u, r["household"], r["mother"]),
    "open_case": lambda u, r, c: services.open_case(u, r["mother"]),
    "update_case": lambda u, r, c: services.update_case(u, r["case"], {"accompaniment": True}),
    "set_restriction": lambda u, r, c: services.set_restriction(u, r["case"], True, [u]),
    "record_contact_on_case": lambda u, r, c: services.record_contact(
        u, {"channel": "phone", "initiator": "person", "summary": "x"}, case=r["case"]
    ),
    "record_contact_about_person": lambda u, r, c: services.record_contact(
        u, {"channel": "phone", "initiator": "person", "summary": "x"}, person=r["son"]
    ),
    "update_contact": lambda u, r, c: services.update_contact(u, r["contact"], {"notes": "x"}),
    "record_assessment": lambda u, r, c: services.record_assessment(u, r["case"], {}),
    "resolve_flag": lambda u, r, c: services.resolve_flag(u, r["flag"], "見た"),
}


@pytest.mark.parametrize("write", list(WRITES))
def test_nobody_outside_the_agency_can_write_and_learns_nothing(
    cast: Cast, yamada: dict[str, Any], write: str
) -> None:
    before = (AuditEvent.objects.count(), Contact.objects.count(), Case.objects.count())
    for user in _outsiders(cast):
        # "not found", exactly as for a record that does not exist
        with pytest.raises(Http404):
            WRITES[write](user, yamada, cast)
    assert (AuditEvent.objects.count(), Contact.objects.count(), Case.objects.count()) == before
    assert Flag.objects.get(pk=yamada["flag"].pk).is_open


def test_nobody_outside_the_agency_lists_anything(cast: Cast, yamada: dict[str, Any]) -> None:
    for user in _outsiders(cast):
        assert not selectors.persons(user).exists()
        assert not selectors.case_list(user, open_only=False).exists()
        assert not selectors.visible_cases(user, yamada["son"]).exists()
        assert selectors.household_of(user, yamada["son"]) is None
        assert not selectors.timeline(user, yamada["case"]).exists()
        assert not selectors.assessments_of(user, yamada["case"]).exists()


def test_staff_may_not_restrict_a_case_the_manager_may(cast: Cast, yamada: dict[str, Any]) -> None:
    staff, manager = cast.users[Role.STAFF], cast.users[Role.MANAGER]
    with pytest.raises(Denied):
        services.set_restriction(staff, yamada["case"], True, [staff])
    assert not Case.objects.get(pk=yamada["case"].pk).is_restricted
    services.set_restriction(manager, yamada["case"], True, [staff])
    assert Case.objects.get(pk=yamada["case"].pk).is_restricted


# --- a sensitive case -------------------------------------------------------------------------


@pytest.fixture
def colleague(cast: Cast) -> User:
    user = User.objects.create_user(username="colleague", password="x")
    Membership.objects.create(user=user, agency=cast.center, role=Role.STAFF)
    return user


@pytest.fixture
def restricted(cast: Cast, yamada: dict[str, Any]) -> dict[str, Any]:
    """The son's case limited to the staff member who took the call (and the manager)."""
    manager = cast.users[Role.MANAGER]
    services.set_restriction(manager, yamada["case"], True, [cast.users[Role.STAFF]])
    return yamada


SENSITIVE_WRITES = [w for w in WRITES if w not in ("create_person", "create_household")]


@pytest.mark.parametrize("write", SENSITIVE_WRITES)
def test_an_unassigned_colleague_cannot_touch_a_restricted_case(
    cast: Cast, restricted: dict[str, Any], colleague: User, write: str
) -> None:
    if write in ("update_household", "add_member", "remove_member", "open_case"):
        # the household and the mother are not restricted: the colleague works with them
        WRITES[write](colleague, restricted, cast)
        return
    with pytest.raises(Http404):
        WRITES[write](colleague, restricted, cast)


def test_an_unassigned_colleague_cannot_open_a_new_case_about_the_hidden_person(
    cast: Cast, restricted: dict[str, Any], colleague: User
) -> None:
    with pytest.raises(Http404):
        services.open_case(colleague, restricted["son"])


@pytest.mark.parametrize("write", SENSITIVE_WRITES)
def test_the_assigned_staff_and_the_manager_work_on_a_restricted_case(
    cast: Cast, restricted: dict[str, Any], write: str
) -> None:
    if write == "set_restriction":
        return  # the manager's alone, tested above
    for user in (cast.users[Role.STAFF], cast.users[Role.MANAGER]):
        if write == "resolve_flag" and not Flag.objects.get(pk=restricted["flag"].pk).is_open:
            continue
        WRITES[write](user, restricted, cast)


def test_the_household_view_leaves_out_a_hidden_member(
    cast: Cast, restricted: dict[str, Any], colleague: User
) -> None:
    household = restricted["household"]
    view = selectors.household_view(colleague, household)
    assert [m.person for m in view.members] == [restricted["mother"]]
    assert view.hidden_members == 1
    assert "山田 太郎" not in view.indicators.areas  # his problems are not shown either
    assigned = selectors.household_view(cast.users[Role.STAFF], household)
    assert assigned.hidden_members == 0
    assert "山田 太郎" in assigned.indicators.areas


def test_lists_leave_out_the_restricted_case_for_the_unassigned(
    cast: Cast, restricted: dict[str, Any], colleague: User
) -> None:
    case = restricted["case"]
    assert case not in selectors.case_list(colleague)
    assert case not in selectors.case_list(colleague, flagged=True)
    assert not selectors.timeline(colleague, case).exists()
    assert not selectors.persons(colleague, "やまだ たろう").exists()
    assert case in selectors.case_list(cast.users[Role.STAFF])
    assert case in selectors.case_list(cast.users[Role.MANAGER])
    # the mother, in no restricted case, is still found by everyone in the agency
    assert selectors.persons(colleague, "やまだ は").get() == restricted["mother"]


def test_lifting_the_restriction_shows_the_case_again(
    cast: Cast, restricted: dict[str, Any], colleague: User
) -> None:
    services.set_restriction(cast.users[Role.MANAGER], restricted["case"], False, [])
    assert restricted["case"] in selectors.case_list(colleague)


# --- the log of reads, and who reads it -------------------------------------------------------


def test_the_manager_and_auditor_read_who_saw_a_person_the_operator_does_not(
    cast: Cast, yamada: dict[str, Any]
) -> None:
    staff = cast.users[Role.STAFF]
    services.log_read(staff, Kind.PERSON, yamada["son"])
    reads = AuditEvent.objects.filter(action="person.viewed", record_id=str(yamada["son"].pk))
    for role in (Role.MANAGER, Role.AUDITOR):
        assert scope(cast.users[role], Kind.AUDIT_EVENT, reads).get().actor == staff
    for user in (cast.users[Role.OPERATOR], cast.users[Role.STAFF], cast.outsider):
        assert not scope(user, Kind.AUDIT_EVENT, reads).exists()


def test_an_ended_membership_ends_access(cast: Cast, yamada: dict[str, Any]) -> None:
    staff = cast.users[Role.STAFF]
    Membership.objects.filter(user=staff).update(is_active=False)
    fresh = User.objects.get(pk=staff.pk)
    assert not selectors.persons(fresh).exists()
    with pytest.raises(Http404):
        services.update_person(fresh, yamada["son"], {"notes": "x"})


def test_staff_of_two_agencies_keep_each_agencys_records_apart(
    cast: Cast, yamada: dict[str, Any]
) -> None:
    staff = cast.users[Role.STAFF]
    Membership.objects.create(user=staff, agency=cast.self_reliance, role=Role.STAFF)
    staff = User.objects.get(pk=staff.pk)
    twin = services.create_person(
        staff, cast.self_reliance, {"family_name": "山田", "given_name": "太郎",
                                    "birth_date": yamada["son"].birth_date},
    )  # fmt: skip  # no warning: the center's 山田 太郎 is another agency's record
    assert twin.agency == cast.self_reliance
    assert set(selectors.persons(staff, "山田 太郎")) == {yamada["son"], twin}
    with pytest.raises(ValidationError) as caught:
        services.add_member(staff, yamada["household"], twin, "sibling")
    assert list(caught.value.message_dict) == ["person"]
    assert Person.objects.filter(membership__household=yamada["household"]).count() == 2
    assert Household.objects.filter(agency=cast.self_reliance).count() == 0
