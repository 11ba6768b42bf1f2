"""State changes of persons, households, cases, contacts, assessments and flags.

Each function checks access, validates, writes and audits in one transaction; the screens and
the API call the same functions. The audit rows name the fields that changed, never their
values: the log is read by auditors, and personal data stays in its record.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagi.access import audit
from tsunagi.access.policy import (
    OWN_AGENCY,
    Action,
    Denied,
    Kind,
    Sight,
    grant,
    may_restrict,
    require,
)
from tsunagi.agencies.models import Agency
from tsunagi.editing import apply_fields, bump, check_version, choices_list

from . import rules
from .choices import Problem, Relationship, Urgency
from .models import Assessment, Case, Contact, Flag, Household, HouseholdMember, Person
from .selectors import DuplicateCandidate, find_duplicates

PERSON_FIELDS = (
    "family_name",
    "given_name",
    "family_name_kana",
    "given_name_kana",
    "sex",
    "birth_date",
    "estimated_age",
    "postal_code",
    "municipality",
    "address",
    "phone",
    "mobile",
    "email",
    "preferred_contact",
    "avoided_contact",
    "contact_notes",
    "notes",
)
CASE_FIELDS = (
    "problems",
    "main_problem",
    "problem_notes",
    "screening",
    "screened_on",
    "handed_to",
    "accompaniment",
    "closed_on",
    "close_reason",
)
CONTACT_FIELDS = (
    "occurred_at",
    "channel",
    "initiator",
    "initiator_person",
    "initiator_name",
    "staff",
    "duration_minutes",
    "summary",
    "notes",
    "urgent",
)
ASSESSMENT_FIELDS = tuple(
    f.name
    for f in Assessment._meta.get_fields()
    if getattr(f, "editable", False)
    and f.name not in ("id", "agency", "case", "assessed_by", "created_at")
)


class PossibleDuplicates(Exception):
    """The agency may already know this person; nothing was saved."""

    def __init__(self, candidates: list[DuplicateCandidate]) -> None:
        super().__init__("possible duplicates")
        self.candidates = candidates


def log_read(
    actor: Any, kind: Kind, obj: Any, request: HttpRequest | None = None, **detail: Any
) -> None:
    """Every read of a personal record goes in the access log with its ground (access.md, P3)."""
    audit.record(
        f"{kind}.viewed",
        actor=actor,
        request=request,
        agency_id=obj.agency_id,
        obj=obj,
        personal=True,
        grant=grant(actor, kind, obj),
        detail=detail or None,
    )


def log_shared_read(
    actor: Any, kind: Kind, obj: Any, seen: Sight, request: HttpRequest | None = None
) -> None:
    """A read under a grant: the ground is the grant, the user's agency the receiver."""
    audit.record(
        f"{kind}.viewed",
        actor=actor,
        request=request,
        agency_id=obj.agency_id,
        obj=obj,
        personal=True,
        grant=seen.ground,
        actor_agency_id=seen.agency_id,
        detail={"kinds": sorted(seen.kinds)},
    )


def log_reads(
    actor: Any,
    kind: Kind,
    objs: Iterable[Any],
    request: HttpRequest | None = None,
    *,
    seen: Sight | None = None,
    action: str = "",
    **detail: Any,
) -> None:
    """`log_read` for every record shown in a list, written in one statement. Lists come from
    `policy.scope`, which holds only the own agency's records, unless `seen` names the grant
    they were read under. `action` replaces the default `<kind>.viewed`."""
    from tsunagi.access.models import AuditEvent

    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                actor=actor,
                actor_username=actor.get_username(),
                agency_id=obj.agency_id,
                action=action or f"{kind}.viewed",
                record_kind=obj._meta.model_name,
                record_id=str(obj.pk),
                subject_id=audit.subject_of(obj),
                actor_agency_id=seen.agency_id if seen else obj.agency_id,
                personal=True,
                grant=seen.ground if seen else OWN_AGENCY,
                detail=detail,
                ip_address=audit.client_ip(request),
            )
            for obj in objs
        ]
    )


def _log_change(
    action: str, actor: Any, obj: Any, request: HttpRequest | None, **detail: Any
) -> None:
    audit.record(
        action,
        actor=actor,
        request=request,
        agency_id=obj.agency_id,
        obj=obj,
        personal=True,
        grant="own_agency",
        detail=detail or None,
    )


# --- persons --------------------------------------------------------------------------------


def _validate_person(person: Person) -> None:
    from .choices import ContactMethod

    person.preferred_contact = choices_list(
        person.preferred_contact, ContactMethod.values, "preferred_contact"
    )
    person.avoided_contact = choices_list(
        person.avoided_contact, ContactMethod.values, "avoided_contact"
    )
    both = set(person.preferred_contact) & set(person.avoided_contact)
    if both:
        raise ValidationError(
            {"avoided_contact": _("A way of contact cannot be both preferred and avoided.")}
        )
    if person.birth_date and person.birth_date > timezone.localdate():
        raise ValidationError({"birth_date": _("The date of birth is in the future.")})
    if person.estimated_age is not None and person.estimated_age > 130:
        raise ValidationError({"estimated_age": _("Enter an age of 130 or less.")})
    person.full_clean(exclude=["agency", "created_by"])


@transaction.atomic
def create_person(
    actor: Any,
    agency: Agency,
    data: Mapping[str, Any],
    *,
    request: HttpRequest | None = None,
    allow_duplicate: bool = False,
) -> Person:
    """Register a person; refuse with the candidates when the agency may already know them."""
    person = Person(agency=agency, created_by=actor if getattr(actor, "pk", None) else None)
    require(actor, Action.CREATE, Kind.PERSON, person)
    apply_fields(person, data, PERSON_FIELDS)
    _validate_person(person)
    if not allow_duplicate:
        candidates = find_duplicates(actor, person)
        if candidates:
            raise PossibleDuplicates(candidates)
    person.save()
    _log_change("person.created", actor, person, request, duplicate_confirmed=allow_duplicate)
    return person


@transaction.atomic
def update_person(
    actor: Any,
    person: Person,
    data: Mapping[str, Any],
    *,
    version: int | None = None,
    request: HttpRequest | None = None,
) -> Person:
    current = Person.objects.select_for_update().get(pk=person.pk)
    require(actor, Action.CHANGE, Kind.PERSON, current)
    check_version(current, version)
    changed = apply_fields(current, data, PERSON_FIELDS)
    _validate_person(current)
    if changed:
        bump(current)
        _log_change("person.changed", actor, current, request, fields=changed)
    return current


# --- households -----------------------------------------------------------------------------


def _validate_member(household: Household, person: Person, relationship: str) -> None:
    if person.agency_id != household.agency_id:
        raise ValidationError({"person": _("The person belongs to another agency.")})
    if relationship not in Relationship.values:
        raise ValidationError({"relationship": _("Choose a relationship from the list.")})
    other = HouseholdMember.objects.filter(person=person).exclude(household=household).first()
    if other is not None:
        raise ValidationError(
            {"person": _("%(name)s already belongs to another household.") % {"name": person}}
        )


@transaction.atomic
def create_household(
    actor: Any,
    agency: Agency,
    name: str,
    members: Sequence[tuple[Person, str]] = (),
    *,
    notes: str = "",
    request: HttpRequest | None = None,
) -> Household:
    household = Household(agency=agency, name=name.strip(), notes=notes, created_by=actor)
    require(actor, Action.CREATE, Kind.HOUSEHOLD, household)
    household.full_clean(exclude=["agency", "created_by"])
    household.save()
    _log_change("household.created", actor, household, request)
    for person, relationship in members:
        add_member(actor, household, person, relationship, request=request)
    return household


@transaction.atomic
def update_household(
    actor: Any,
    household: Household,
    data: Mapping[str, Any],
    *,
    request: HttpRequest | None = None,
) -> Household:
    require(actor, Action.CHANGE, Kind.HOUSEHOLD, household)
    changed = apply_fields(household, data, ("name", "notes"))
    household.full_clean(exclude=["agency", "created_by"])
    if changed:
        household.save()
        _log_change("household.changed", actor, household, request, fields=changed)
    return household


@transaction.atomic
def add_member(
    actor: Any,
    household: Household,
    person: Person,
    relationship: str,
    *,
    lives_together: bool = True,
    is_main_carer: bool = False,
    notes: str = "",
    request: HttpRequest | None = None,
) -> HouseholdMember:
    """Put a person in the household, or change their relationship if they are in it."""
    require(actor, Action.CHANGE, Kind.HOUSEHOLD, household)
    require(actor, Action.CHANGE, Kind.PERSON, person)
    _validate_member(household, person, relationship)
    member, created = HouseholdMember.objects.update_or_create(
        household=household,
        person=person,
        defaults={
            "relationship": relationship,
            "lives_together": lives_together,
            "is_main_carer": is_main_carer,
            "notes": notes,
        },
    )
    _log_change(
        "household.member_added" if created else "household.member_changed",
        actor,
        household,
        request,
        person=person.pk,
        relationship=relationship,
    )
    return member


@transaction.atomic
def remove_member(
    actor: Any, household: Household, person: Person, *, request: HttpRequest | None = None
) -> None:
    require(actor, Action.CHANGE, Kind.HOUSEHOLD, household)
    deleted, _rows = HouseholdMember.objects.filter(household=household, person=person).delete()
    if deleted:
        _log_change("household.member_removed", actor, household, request, person=person.pk)


# --- cases ----------------------------------------------------------------------------------


def _next_case_number(agency: Agency, day: datetime.date) -> str:
    prefix = f"{day.year}-"
    last = (
        Case.objects.filter(agency=agency, number__startswith=prefix)
        .aggregate(m=Max("number"))
        .get("m")
    )
    seq = int(last.split("-")[1]) + 1 if last else 1
    return f"{prefix}{seq:05d}"


def _validate_case(case: Case) -> None:
    case.problems = choices_list(case.problems, Problem.values, "problems")
    if case.main_problem and case.main_problem not in case.problems:
        case.problems.append(case.main_problem)
    if case.closed_on and case.closed_on < case.opened_on:
        raise ValidationError({"closed_on": _("A case cannot close before it opened.")})
    today = timezone.localdate()
    for name in ("opened_on", "screened_on", "closed_on"):
        if (getattr(case, name) or today) > today:
            raise ValidationError({name: _("This date is in the future.")})
    if case.screening == "handed_over" and not case.handed_to.strip():
        raise ValidationError({"handed_to": _("Name the system or agency the person went to.")})
    case.full_clean(exclude=["agency", "person", "created_by", "number"])


@transaction.atomic
def open_case(
    actor: Any,
    person: Person,
    data: Mapping[str, Any] | None = None,
    *,
    opened_on: datetime.date | None = None,
    request: HttpRequest | None = None,
) -> Case:
    """相談受付: open a case about a person, with the intake's problem checklist."""
    require(actor, Action.VIEW, Kind.PERSON, person)
    day = opened_on or timezone.localdate()
    case = Case(agency=person.agency, person=person, opened_on=day, created_by=actor)
    require(actor, Action.CREATE, Kind.CASE, case)
    apply_fields(case, data or {}, CASE_FIELDS)
    _validate_case(case)
    for _attempt in range(5):
        case.number = _next_case_number(person.agency, day)
        try:
            with transaction.atomic():
                case.save()
            break
        except IntegrityError:  # another office desk took the number at the same moment
            continue
    else:
        raise IntegrityError("could not number the case")
    case.assigned_staff.add(actor)
    _log_change("case.opened", actor, case, request, number=case.number)
    return case


@transaction.atomic
def update_case(
    actor: Any,
    case: Case,
    data: Mapping[str, Any],
    *,
    version: int | None = None,
    request: HttpRequest | None = None,
) -> Case:
    """Problems, screening outcome, accompaniment, closing or reopening (never forced, rule C)."""
    current = Case.objects.select_for_update().get(pk=case.pk)
    require(actor, Action.CHANGE, Kind.CASE, current)
    check_version(current, version)
    if "screening" in data and data["screening"] and not data.get("screened_on"):
        data = {**data, "screened_on": current.screened_on or timezone.localdate()}
    changed = apply_fields(current, data, CASE_FIELDS)
    _validate_case(current)
    if changed:
        bump(current)
        _log_change("case.changed", actor, current, request, fields=changed)
    return current


@transaction.atomic
def set_restriction(
    actor: Any,
    case: Case,
    is_restricted: bool,
    assigned_staff: Iterable[Any],
    *,
    request: HttpRequest | None = None,
) -> Case:
    """Limit a sensitive case to its assigned staff (and managers): the manager's setting."""
    require(actor, Action.VIEW, Kind.CASE, case)
    if not may_restrict(actor, case):
        raise Denied("restrict case")
    staff = list(assigned_staff)
    from tsunagi.accounts.models import Membership

    workers = set(
        Membership.objects.filter(agency=case.agency, is_active=True).values_list(
            "user_id", flat=True
        )
    )
    outsiders = [u for u in staff if u.pk not in workers]
    if outsiders:
        raise ValidationError(
            {"assigned_staff": _("Only staff of the agency can be assigned to its case.")}
        )
    if is_restricted and not staff:
        raise ValidationError(
            {"assigned_staff": _("Assign at least one member of staff to a restricted case.")}
        )
    case.is_restricted = is_restricted
    case.save(update_fields=["is_restricted", "updated_at"])
    case.assigned_staff.set(staff)
    _log_change(
        "case.restricted" if is_restricted else "case.unrestricted",
        actor,
        case,
        request,
        assigned=[u.pk for u in staff],
    )
    return case


# --- contacts -------------------------------------------------------------------------------


def _validate_contact(contact: Contact) -> None:
    contact.urgent = choices_list(contact.urgent, Urgency.values, "urgent")
    _check_contact_time(contact.occurred_at)
    if contact.initiator_person_id is not None:
        caller = Person.objects.filter(pk=contact.initiator_person_id).first()
        if caller is None or caller.agency_id != contact.agency_id:
            raise ValidationError({"initiator_person": _("Choose a person of this agency.")})
    if contact.staff_id is not None and not _works_at(contact.staff_id, contact.agency_id):
        raise ValidationError({"staff": _("Choose a member of staff of this agency.")})
    contact.full_clean(exclude=["agency", "case", "created_by"])


def _check_contact_time(when: datetime.datetime | None) -> None:
    if when and when > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationError({"occurred_at": _("A contact cannot be recorded in the future.")})


def _works_at(user_id: int, agency_id: int) -> bool:
    from tsunagi.accounts.models import Membership

    return Membership.objects.filter(user_id=user_id, agency_id=agency_id, is_active=True).exists()


@transaction.atomic
def record_contact(
    actor: Any,
    data: Mapping[str, Any],
    *,
    case: Case | None = None,
    person: Person | None = None,
    case_data: Mapping[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> Contact:
    """Record a contact about a case; the first contact about a person opens the case.

    `person` without `case`: the person's open case in the agency is used, or a new one opened
    with `case_data` (the intake's problem checklist and main problem). Urgent matters heard
    raise flags (rule R8).
    """
    if case is None:
        if person is None:
            raise ValidationError({"person": _("Choose the person the contact is about.")})
        require(actor, Action.VIEW, Kind.PERSON, person)
        case = person.cases.filter(closed_on__isnull=True).order_by("-opened_on", "-pk").first()
        if case is None:
            when = data.get("occurred_at") or timezone.now()
            _check_contact_time(when)  # before the case opens on that date
            case = open_case(
                actor, person, case_data, opened_on=timezone.localdate(when), request=request
            )
    contact = Contact(agency=case.agency, case=case, created_by=actor)
    require(actor, Action.CREATE, Kind.CONTACT, contact)
    require(actor, Action.VIEW, Kind.CASE, case)
    values = {"staff": actor, "occurred_at": timezone.now(), **data}
    apply_fields(contact, values, CONTACT_FIELDS)
    _validate_contact(contact)
    contact.save()
    _log_change("contact.recorded", actor, contact, request, case=case.pk)
    raise_flags(actor, case, rules.urgent_flags(contact.urgent), f"contact:{contact.pk}", request)
    return contact


@transaction.atomic
def update_contact(
    actor: Any, contact: Contact, data: Mapping[str, Any], *, request: HttpRequest | None = None
) -> Contact:
    require(actor, Action.CHANGE, Kind.CONTACT, contact)
    heard_before = set(contact.urgent or [])
    changed = apply_fields(contact, data, CONTACT_FIELDS)
    _validate_contact(contact)
    if changed:
        contact.save()
        _log_change("contact.changed", actor, contact, request, fields=changed)
        # Only an urgent matter added by this edit raises a flag: correcting a typo in an old
        # contact must not bring back a flag that staff have resolved (rule R8).
        added = [u for u in contact.urgent if u not in heard_before]
        raise_flags(
            actor, contact.case, rules.urgent_flags(added), f"contact:{contact.pk}", request
        )
    return contact


# --- assessments and flags ------------------------------------------------------------------


def _validate_assessment(assessment: Assessment) -> None:
    from .choices import Connection

    if assessment.connections is not None:  # None: isolation not asked about yet
        assessment.connections = choices_list(
            assessment.connections, Connection.values, "connections"
        )
    if assessment.assessed_on and assessment.assessed_on > timezone.localdate():
        raise ValidationError({"assessed_on": _("An assessment cannot be dated in the future.")})
    if assessment.withdrawn_since and assessment.withdrawn_since > timezone.localdate():
        raise ValidationError({"withdrawn_since": _("This date is in the future.")})
    assessment.full_clean(exclude=["agency", "case", "assessed_by"])


@transaction.atomic
def record_assessment(
    actor: Any, case: Case, data: Mapping[str, Any], *, request: HttpRequest | None = None
) -> Assessment:
    """A new dated assessment (the earlier ones stay as history); raises flags (rule R8)."""
    require(actor, Action.VIEW, Kind.CASE, case)
    assessment = Assessment(
        agency=case.agency, case=case, assessed_by=actor, assessed_on=timezone.localdate()
    )
    require(actor, Action.CREATE, Kind.ASSESSMENT, assessment)
    apply_fields(assessment, data, ASSESSMENT_FIELDS)
    _validate_assessment(assessment)
    assessment.save()
    _log_change("assessment.recorded", actor, assessment, request, case=case.pk)
    raise_flags(
        actor, case, rules.urgent_flags((), assessment), f"assessment:{assessment.pk}", request
    )
    return assessment


def raise_flags(
    actor: Any,
    case: Case,
    findings: Iterable[rules.Finding],
    source: str,
    request: HttpRequest | None = None,
) -> list[Flag]:
    """Open a flag for each finding that has no open flag of its kind on the case. rule R8"""
    raised = []
    open_kinds = set(case.flags.filter(resolved_at__isnull=True).values_list("kind", flat=True))
    for finding in findings:
        if finding.code in open_kinds:
            continue
        flag = Flag.objects.create(
            agency=case.agency,
            case=case,
            kind=finding.code,
            rule=finding.rule,
            reason=finding.reason,
            source=source,
        )
        _log_change("flag.raised", actor, flag, request, kind=flag.kind, case=case.pk)
        raised.append(flag)
    return raised


@transaction.atomic
def resolve_flag(
    actor: Any, flag: Flag, resolution: str, *, request: HttpRequest | None = None
) -> Flag:
    """A flag stays on every screen of the case until staff resolve it with a note. rule R8"""
    current = Flag.objects.select_for_update().get(pk=flag.pk)
    require(actor, Action.CHANGE, Kind.FLAG, current)
    if current.resolved_at is not None:
        raise ValidationError({"resolution": _("This flag has already been resolved.")})
    if not (resolution or "").strip():
        raise ValidationError({"resolution": _("Write how the flag was resolved.")})
    current.resolution = resolution.strip()
    current.resolved_at = timezone.now()
    current.resolved_by = actor
    current.save()
    _log_change("flag.resolved", actor, current, request, kind=current.kind)
    return current
