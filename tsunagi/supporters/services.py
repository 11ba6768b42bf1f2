"""Every change to the supporters' records: training (S1), registration and consent (S2), the
roster and its confirmation (S3), dispatch (S4, S5), visits and guidance (S6), found cases (S7)
and incidents (S8). Each function asks the access module, validates, saves and logs.

Field errors are Django `ValidationError`s keyed by field, which screens show beside the field
and the API answers as 422.
"""

from __future__ import annotations

import datetime
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagi.access import audit
from tsunagi.access import services as sharing
from tsunagi.access.policy import (
    DISPATCHERS,
    Action,
    Denied,
    Kind,
    Role,
    agencies_with,
    can,
    prefectures_with,
    require,
)
from tsunagi.agencies.models import Agency, AgencyKind
from tsunagi.editing import apply_fields, bump, check_version, choices_list
from tsunagi.people.models import Case, Person
from tsunagi.web.wareki import EARLIEST

from . import rules
from .models import (
    Attendance,
    ConsentMethod,
    CourseKind,
    Dispatch,
    DispatchState,
    Enrolment,
    FoundCase,
    FoundCaseState,
    Guidance,
    Incident,
    IncidentState,
    IncidentStep,
    Language,
    PeerBackground,
    Requester,
    RosterEntry,
    RosterRelease,
    RosterReleaseKind,
    Slot,
    StopRequester,
    Supporter,
    SupporterSex,
    TrainingCourse,
    TrainingSession,
)

# --- helpers --------------------------------------------------------------------------------


def _check_day(day: datetime.date | None, field: str, errors: dict[str, list[str]]) -> None:
    """No record is dated before 明治6年1月1日 (a year-1 date is a typing mistake)."""
    if day is not None and day < EARLIEST:
        errors.setdefault(field, []).append(_("Dates before Meiji 6 (1873) cannot be handled."))


def _findings_error(findings: Sequence[Any], field: str = "__all__") -> ValidationError:
    return ValidationError({field: [f"{f.rule}: {f.reason}" for f in findings]})


def _office_in(user: Any, prefecture_id: int) -> int | None:
    """The office a prefectural officer acts for in `prefecture_id` (for the access log)."""
    from tsunagi.accounts.models import Membership

    return (
        Membership.objects.filter(
            user=user,
            is_active=True,
            role=Role.PREFECTURAL_OFFICER,
            agency__prefecture_id=prefecture_id,
        )
        .values_list("agency_id", flat=True)
        .first()
    )


def log_supporter(
    action: str,
    actor: Any,
    supporter: Supporter,
    request: HttpRequest | None = None,
    *,
    agency_id: int | None = None,
    **detail: Any,
) -> None:
    """A read or change of a supporter's own record (their personal data, access.md)."""
    if agency_id is None:
        agency_id = _office_in(actor, supporter.prefecture_id)
    audit.record(
        action,
        actor=actor,
        request=request,
        agency_id=agency_id,
        obj=supporter,
        personal=True,
        detail=detail or None,
    )


def dispatch_ground(user: Any, dispatch: Dispatch) -> str:
    """How the access log names the ground of a read: the dispatch grant for the supporter."""
    if dispatch.agency_id in agencies_with(user, *DISPATCHERS):
        return "own_agency"
    if dispatch.grant_id is not None:
        return f"dispatch:{dispatch.grant_id}"
    return "dispatch"


def log_dispatch_work(
    action: str,
    actor: Any,
    obj: Any,
    dispatch: Dispatch,
    request: HttpRequest | None = None,
    **d: Any,
) -> None:
    ground = dispatch_ground(actor, dispatch)
    audit.record(
        action,
        actor=actor,
        request=request,
        agency_id=obj.agency_id,
        obj=obj,
        personal=True,
        grant=ground,
        subject_id=dispatch.person_id,
        actor_agency_id=obj.agency_id if ground == "own_agency" else None,
        detail=d or None,
    )


# --- training (rule S1) ---------------------------------------------------------------------

COURSE_FIELDS = (
    "kind",
    "title",
    "description",
    "place",
    "starts_on",
    "ends_on",
    "capacity",
    "commissioned_to",
)
ORGANISER_KINDS = (AgencyKind.PREFECTURAL_OFFICE, AgencyKind.MUNICIPAL_OFFICE)


def _validate_course(course: TrainingCourse) -> None:
    errors: dict[str, list[str]] = {}
    if not course.title:
        errors["title"] = [_("Enter the title of the course.")]
    if course.kind not in CourseKind.values:
        errors["kind"] = [_("Choose the kind of course.")]
    if course.starts_on and course.ends_on and course.ends_on < course.starts_on:
        errors["ends_on"] = [_("The course ends before it starts.")]
    _check_day(course.starts_on, "starts_on", errors)
    _check_day(course.ends_on, "ends_on", errors)
    if course.organiser.kind not in ORGANISER_KINDS:
        errors["organiser"] = [_("A course is run by a prefectural or municipal office.")]
    if errors:
        raise ValidationError(errors)
    course.full_clean(exclude=["organiser", "prefecture", "created_by"])


@transaction.atomic
def create_course(
    actor: Any,
    organiser: Agency,
    data: Mapping[str, Any],
    *,
    sessions: Sequence[Mapping[str, Any]] = (),
    request: HttpRequest | None = None,
) -> TrainingCourse:
    """Rule S1: a course of the prefecture (or a designated city), with its sessions."""
    course = TrainingCourse(
        organiser=organiser, prefecture_id=organiser.prefecture_id, created_by=actor
    )
    require(actor, Action.CREATE, Kind.TRAINING, course)
    apply_fields(course, data, COURSE_FIELDS, strip=True)
    _validate_course(course)
    course.save()
    for i, session in enumerate(sessions):
        _add_session(course, session, f"sessions.{i}")
    audit.record("training.created", actor=actor, request=request, agency=organiser, obj=course)
    return course


@transaction.atomic
def update_course(
    actor: Any,
    course: TrainingCourse,
    data: Mapping[str, Any],
    *,
    version: int | None = None,
    request: HttpRequest | None = None,
) -> TrainingCourse:
    current = TrainingCourse.objects.select_for_update().get(pk=course.pk)
    require(actor, Action.CHANGE, Kind.TRAINING, current)
    check_version(current, version)
    changed = apply_fields(current, data, COURSE_FIELDS, strip=True)
    _validate_course(current)
    if changed:
        bump(current)
        audit.record(
            "training.changed",
            actor=actor,
            request=request,
            agency_id=current.organiser_id,
            obj=current,
            detail={"fields": changed},
        )
    return current


def _add_session(course: TrainingCourse, data: Mapping[str, Any], prefix: str) -> TrainingSession:
    session = TrainingSession(course=course)
    apply_fields(session, data, ("held_on", "starts_at", "ends_at", "topic", "format"), strip=True)
    errors: dict[str, list[str]] = {}
    if not session.topic:
        errors[f"{prefix}.topic"] = [_("Enter the topic of the session.")]
    if session.held_on is None:
        errors[f"{prefix}.held_on"] = [_("Enter the date of the session.")]
    elif not course.starts_on <= session.held_on <= course.ends_on:
        errors[f"{prefix}.held_on"] = [_("The session is outside the course's dates.")]
    if session.starts_at and session.ends_at and session.ends_at <= session.starts_at:
        errors[f"{prefix}.ends_at"] = [_("The session ends before it starts.")]
    if errors:
        raise ValidationError(errors)
    session.save()
    return session


@transaction.atomic
def add_session(
    actor: Any,
    course: TrainingCourse,
    data: Mapping[str, Any],
    *,
    request: HttpRequest | None = None,
) -> TrainingSession:
    require(actor, Action.CHANGE, Kind.TRAINING, course)
    session = _add_session(course, data, "session")
    audit.record(
        "training.session_added",
        actor=actor,
        request=request,
        agency_id=course.organiser_id,
        obj=course,
        detail={"session": session.pk},
    )
    return session


@transaction.atomic
def enrol(
    actor: Any,
    course: TrainingCourse,
    supporter: Supporter,
    *,
    request: HttpRequest | None = None,
) -> Enrolment:
    require(actor, Action.CHANGE, Kind.TRAINING, course)
    require(actor, Action.CHANGE, Kind.SUPPORTER, supporter)
    if supporter.prefecture_id != course.prefecture_id and course.kind == CourseKind.BASIC:
        raise ValidationError(
            {"supporter": [_("The trainee is registered in another prefecture.")]}
        )
    enrolment, created = Enrolment.objects.get_or_create(course=course, supporter=supporter)
    if created:
        log_supporter("supporter.enrolled", actor, supporter, request, course=course.pk)
    return enrolment


@transaction.atomic
def record_attendance(
    actor: Any,
    session: TrainingSession,
    present: Iterable[Supporter],
    *,
    request: HttpRequest | None = None,
) -> int:
    """The roll of one session: exactly the trainees present (others are removed)."""
    course = session.course
    require(actor, Action.CHANGE, Kind.TRAINING, course)
    enrolled = set(course.enrolments.values_list("supporter_id", flat=True))
    ids = {s.pk for s in present}
    if ids - enrolled:
        raise ValidationError({"present": [_("Only trainees enrolled on the course can attend.")]})
    Attendance.objects.filter(session=session).exclude(supporter_id__in=ids).delete()
    have = set(session.attendances.values_list("supporter_id", flat=True))
    Attendance.objects.bulk_create(
        [Attendance(session=session, supporter_id=i) for i in sorted(ids - have)]
    )
    audit.record(
        "training.attendance",
        actor=actor,
        request=request,
        agency_id=course.organiser_id,
        obj=course,
        detail={"session": session.pk, "present": len(ids)},
    )
    return len(ids)


@transaction.atomic
def complete(
    actor: Any,
    enrolment: Enrolment,
    *,
    completed_on: datetime.date | None = None,
    excuse: str = "",
    request: HttpRequest | None = None,
) -> Enrolment:
    """Rule S1: record completion once every session was attended (or a missed one excused)."""
    course = enrolment.course
    require(actor, Action.CHANGE, Kind.TRAINING, course)
    sessions = course.sessions.count()
    attended = Attendance.objects.filter(
        session__course=course, supporter=enrolment.supporter
    ).count()
    findings = rules.completion_findings(sessions, attended)
    if findings and not (excuse.strip() and rules.excusable(sessions, attended)):
        raise _findings_error(findings, "completed_on")
    day = completed_on or timezone.localdate()
    if day < course.starts_on:
        raise ValidationError({"completed_on": [_("Completion is before the course started.")]})
    enrolment.completed_on = day
    enrolment.note = excuse.strip()[:200]
    enrolment.save()
    log_supporter("supporter.completed", actor, enrolment.supporter, request, course=course.pk)
    return enrolment


# --- the supporter (rules S2, S3) -----------------------------------------------------------

SUPPORTER_FIELDS = (
    "name",
    "name_kana",
    "sex",
    "birth_year",
    "postal_code",
    "municipality",
    "address",
    "phone",
    "email",
    "peer",
    "availability",
    "languages",
    "preferences",
    "notes",
)
# What supporters change themselves (rule S2: "their own preferences").
OWN_FIELDS = ("phone", "email", "availability", "languages", "preferences")


def _validate_supporter(s: Supporter) -> None:
    errors: dict[str, list[str]] = {}
    if not s.name:
        errors["name"] = [_("Enter the supporter's name.")]
    if s.sex not in SupporterSex.values:
        errors["sex"] = [_("Choose a valid value.")]
    if s.peer not in PeerBackground.values:
        errors["peer"] = [_("Choose a valid value.")]
    digits = "".join(c for c in unicodedata.normalize("NFKC", s.postal_code) if c.isdecimal())
    if s.postal_code and len(digits) != 7:
        errors["postal_code"] = [_("Enter a postal code of 7 digits.")]
    elif digits:
        s.postal_code = f"{digits[:3]}-{digits[3:]}"
    this_year = timezone.localdate().year
    if s.birth_year is not None and not this_year - 100 <= s.birth_year <= this_year - 15:
        errors["birth_year"] = [
            _("Enter a year of birth between %(a)d and %(b)d.")
            % {"a": this_year - 100, "b": this_year - 15}
        ]
    try:
        s.availability = choices_list(s.availability, Slot.values, "availability")
        s.languages = choices_list(s.languages, Language.values, "languages")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    s.full_clean(exclude=["prefecture", "user", "consent_recorded_by", "municipality"])


@transaction.atomic
def register_trainee(
    actor: Any,
    prefecture_id: int,
    data: Mapping[str, Any],
    *,
    areas: Iterable[Any] = (),
    request: HttpRequest | None = None,
) -> Supporter:
    """A trainee's record, kept by the training prefecture; on the roster only after S2."""
    supporter = Supporter(prefecture_id=prefecture_id)
    require(actor, Action.CREATE, Kind.SUPPORTER, supporter)
    apply_fields(supporter, data, SUPPORTER_FIELDS, strip=True)
    _validate_supporter(supporter)
    supporter.save()
    supporter.areas.set(list(areas))
    log_supporter("supporter.created", actor, supporter, request)
    return supporter


@transaction.atomic
def update_supporter(
    actor: Any,
    supporter: Supporter,
    data: Mapping[str, Any],
    *,
    areas: Iterable[Any] | None = None,
    version: int | None = None,
    request: HttpRequest | None = None,
) -> Supporter:
    """The prefecture updates any field; the supporter themselves only their own preferences
    (contact, availability, languages, preferences) and the areas they can cover."""
    current = Supporter.objects.select_for_update().get(pk=supporter.pk)
    require(actor, Action.CHANGE, Kind.SUPPORTER, current)
    check_version(current, version)
    keeper = current.prefecture_id in prefectures_with(actor, Role.PREFECTURAL_OFFICER)
    fields = SUPPORTER_FIELDS if keeper else OWN_FIELDS
    changed = apply_fields(current, data, fields, strip=True)
    _validate_supporter(current)
    if areas is not None:
        new = {getattr(a, "pk", a) for a in areas}
        if new != set(current.areas.values_list("pk", flat=True)):
            current.areas.set(list(new))
            changed.append("areas")
    if changed:
        bump(current)
        log_supporter("supporter.changed", actor, current, request, fields=changed)
    return current


def completed_basic(supporter: Supporter) -> bool:
    return supporter.enrolments.filter(
        course__kind=CourseKind.BASIC, completed_on__isnull=False
    ).exists()


def is_registered(supporter: Supporter) -> bool:
    """Rule S2: on the roster (trained, consent signed after the explanation, not withdrawn)."""
    return supporter.withdrawn_on is None and not rules.registration_findings(
        completed_basic=completed_basic(supporter),
        consent_signed_on=supporter.consent_signed_on,
        explained=supporter.consent_explained,
    )


@transaction.atomic
def record_consent(
    actor: Any,
    supporter: Supporter,
    *,
    signed_on: datetime.date | None,
    explained: bool,
    request: HttpRequest | None = None,
) -> Supporter:
    """Rule S2: the signed consent to act, after the explanation that the supporter's details
    go to the municipalities that dispatch supporters. Refused before training is completed."""
    current = Supporter.objects.select_for_update().get(pk=supporter.pk)
    if current.prefecture_id not in prefectures_with(actor, Role.PREFECTURAL_OFFICER):
        require(actor, Action.VIEW, Kind.SUPPORTER, current)
        raise Denied("record consent")
    if signed_on is None:
        raise ValidationError({"signed_on": [_("Enter the date the consent was signed.")]})
    if signed_on > timezone.localdate():
        raise ValidationError({"signed_on": [_("The date is in the future.")]})
    completed = (
        current.enrolments.filter(course__kind=CourseKind.BASIC, completed_on__isnull=False)
        .order_by("completed_on")
        .values_list("completed_on", flat=True)
        .first()
    )
    if completed is not None and signed_on < completed:
        raise ValidationError(
            {"signed_on": ["S2: " + _("The consent is dated before the training was completed.")]}
        )
    findings = rules.registration_findings(
        completed_basic=completed_basic(current), consent_signed_on=signed_on, explained=explained
    )
    for f in findings:
        field = "explained" if f.code == "explained" else "signed_on"
        raise ValidationError({field: [f"{f.rule}: {f.reason}"]})
    current.consent_signed_on = signed_on
    current.consent_explained = True
    current.consent_recorded_by = actor
    bump(current)
    log_supporter("supporter.consent", actor, current, request, signed_on=str(signed_on))
    return current


@transaction.atomic
def withdraw(
    actor: Any,
    supporter: Supporter,
    *,
    on: datetime.date | None = None,
    reason: str = "",
    request: HttpRequest | None = None,
) -> Supporter:
    """Rule S3: a supporter who withdraws leaves every roster at once; their active dispatches
    stop and they lose sight of the households (rule S5)."""
    current = Supporter.objects.select_for_update().get(pk=supporter.pk)
    require(actor, Action.CHANGE, Kind.SUPPORTER, current)
    if current.withdrawn_on is not None:
        raise ValidationError({"withdrawn_on": [_("The supporter has already withdrawn.")]})
    day = on or timezone.localdate()
    errors: dict[str, list[str]] = {}
    _check_day(day, "withdrawn_on", errors)
    if day > timezone.localdate():
        errors.setdefault("withdrawn_on", []).append(_("The date is in the future."))
    if errors:
        raise ValidationError(errors)
    current.withdrawn_on = day
    current.withdrawal_reason = reason.strip()[:200]
    bump(current)
    for dispatch in Dispatch.objects.filter(
        supporter=current, state__in=(DispatchState.ACTIVE, DispatchState.MATCHED)
    ):
        _stop(
            actor,
            dispatch,
            requested_by=StopRequester.SUPPORTER,
            reason=_("The supporter withdrew from the roster."),
            request=request,
        )
    log_supporter("supporter.withdrawn", actor, current, request, reason=current.withdrawal_reason)
    return current


@transaction.atomic
def give_account(
    actor: Any,
    supporter: Supporter,
    *,
    username: str,
    password: str,
    request: HttpRequest | None = None,
) -> Any:
    """The supporter's own login for the phone view: a supporter role in the prefecture's
    office that registered them; it sees only the supporter's active dispatches."""
    from tsunagi.accounts.models import Membership, User

    if supporter.prefecture_id not in prefectures_with(actor, Role.PREFECTURAL_OFFICER):
        require(actor, Action.VIEW, Kind.SUPPORTER, supporter)
        raise Denied("give account")
    if supporter.user_id is not None:
        raise ValidationError({"username": [_("The supporter already has an account.")]})
    office_id = _office_in(actor, supporter.prefecture_id)
    if not username.strip():
        raise ValidationError({"username": [_("Enter a user name.")]})
    if User.objects.filter(username__iexact=username.strip()).exists():
        raise ValidationError({"username": [_("This user name is already taken.")]})
    from django.contrib.auth.password_validation import validate_password

    user = User(username=username.strip(), full_name=supporter.name, email=supporter.email)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.save()
    Membership.objects.create(user=user, agency_id=office_id, role=Role.SUPPORTER)
    supporter.user = user
    supporter.save(update_fields=["user"])
    # Dispatches already running stay without a grant until their office shares the household
    # with the supporter (`share_household`): the prefecture cannot share a municipality's record.
    audit.record("user.created", actor=actor, request=request, obj=user, agency_id=office_id)
    log_supporter("supporter.account", actor, supporter, request, username=user.username)
    return user


# --- the roster (rule S3) -------------------------------------------------------------------

# Who runs the dispatch programme (seed 004 第3 3(1): the municipality, or a body it commissions
# for it, which has its own municipal programme record in the registry).
DISPATCHING_KINDS = (AgencyKind.MUNICIPAL_OFFICE, AgencyKind.HIKIKOMORI_PROGRAMME)


@transaction.atomic
def give_roster(
    actor: Any,
    agency: Agency,
    *,
    dispatch_status: str,
    given_on: datetime.date | None = None,
    note: str = "",
    request: HttpRequest | None = None,
) -> RosterRelease:
    """Rule S3: the prefecture gives its roster (every registered supporter not already on
    it) to a municipal office that runs or plans the dispatch programme. Logged per supporter."""
    prefectures = prefectures_with(actor, Role.PREFECTURAL_OFFICER)
    if agency.prefecture_id not in prefectures:
        if not prefectures:
            raise Denied("give roster")
        raise ValidationError({"agency": [_("Choose a municipality of your prefecture.")]})
    if agency.kind not in DISPATCHING_KINDS or (agency.operator_municipality_id is None):
        raise ValidationError(
            {
                "agency": [
                    _("The roster goes to a municipality's office that dispatches supporters.")
                ]
            }
        )
    if dispatch_status not in RosterReleaseKind.values:
        raise ValidationError(
            {"dispatch_status": [_("Say whether the municipality runs or plans dispatch.")]}
        )
    day = given_on or timezone.localdate()
    errors: dict[str, list[str]] = {}
    _check_day(day, "given_on", errors)
    if day > timezone.localdate():
        errors.setdefault("given_on", []).append(_("The date is in the future."))
    if errors:
        raise ValidationError(errors)
    release = RosterRelease.objects.create(
        agency=agency,
        dispatch_status=dispatch_status,
        given_on=day,
        given_by=actor,
        note=note.strip()[:200],
    )
    have = set(RosterEntry.objects.filter(agency=agency).values_list("supporter_id", flat=True))
    candidates = (
        Supporter.objects.filter(
            prefecture_id=agency.prefecture_id,
            withdrawn_on__isnull=True,
            consent_signed_on__isnull=False,
            consent_explained=True,
            enrolments__course__kind=CourseKind.BASIC,
            enrolments__completed_on__isnull=False,
        )
        .exclude(pk__in=have)
        .distinct()
    )
    entries = [RosterEntry(supporter=s, agency=agency, release=release) for s in candidates]
    for entry in entries:
        require(actor, Action.CREATE, Kind.ROSTER, entry)
    RosterEntry.objects.bulk_create(entries)
    audit.record(
        "roster.given",
        actor=actor,
        request=request,
        agency_id=_office_in(actor, agency.prefecture_id),
        obj=release,
        personal=True,
        detail={"to": agency.pk, "supporters": [e.supporter_id for e in entries]},
    )
    return release


@transaction.atomic
def confirm_entry(
    actor: Any,
    entry: RosterEntry,
    *,
    wishes_to_act: bool,
    on: datetime.date | None = None,
    note: str = "",
    request: HttpRequest | None = None,
) -> RosterEntry:
    """Rule S3: the municipality confirms again that the supporter still wants to act (or
    records that they no longer do for this municipality)."""
    current = RosterEntry.objects.select_for_update().select_related("supporter").get(pk=entry.pk)
    require(actor, Action.CHANGE, Kind.ROSTER, current)
    day = on or timezone.localdate()
    if day > timezone.localdate():
        raise ValidationError({"on": [_("The date is in the future.")]})
    floor = current.release.given_on if current.release is not None else EARLIEST
    if day < floor:
        raise ValidationError({"on": [_("The date is before the roster was given.")]})
    if wishes_to_act:
        current.confirmed_on, current.confirmed_by, current.declined_on = day, actor, None
    else:
        current.declined_on = day
        # rule S3: no longer acting for this municipality ends their dispatches here (S5)
        for dispatch in Dispatch.objects.filter(
            agency_id=current.agency_id,
            supporter_id=current.supporter_id,
            state__in=(DispatchState.ACTIVE, DispatchState.MATCHED),
        ):
            _stop(
                actor,
                dispatch,
                requested_by=StopRequester.SUPPORTER,
                reason=_("The supporter no longer acts for this municipality."),
                request=request,
            )
    current.note = note.strip()[:200]
    current.save()
    audit.record(
        "roster.confirmed" if wishes_to_act else "roster.declined",
        actor=actor,
        request=request,
        agency_id=current.agency_id,
        obj=current,
        personal=True,
        detail={"supporter": current.supporter_id},
    )
    return current


# --- dispatch (rules S4, S5) ----------------------------------------------------------------

REQUEST_FIELDS = (
    "requested_on",
    "requested_by",
    "requester_name",
    "person_wish",
    "wants_sex",
    "wants_peer",
    "wanted_slots",
    "wanted_languages",
    "request_notes",
)
PLAN_FIELDS = ("purpose", "activity_plan", "activities", "starts_on", "ends_on")


def _validate_request(d: Dispatch) -> None:
    errors: dict[str, list[str]] = {}
    for f in rules.request_findings(d.requested_by, d.person_wish):
        errors.setdefault("requested_by" if f.code == "requester" else "person_wish", []).append(
            f"{f.rule}: {f.reason}"
        )
    if d.requested_on is None:
        errors["requested_on"] = [_("Enter the date of the request.")]
    elif d.requested_on > timezone.localdate():
        errors["requested_on"] = [_("The date is in the future.")]
    else:
        _check_day(d.requested_on, "requested_on", errors)
    if d.requested_by == Requester.FAMILY and not d.requester_name:
        errors["requester_name"] = [_("Enter the name of the family member who asked.")]
    if d.wants_sex not in SupporterSex.values:
        errors["wants_sex"] = [_("Choose a valid value.")]
    try:
        d.wanted_slots = choices_list(d.wanted_slots, Slot.values, "wanted_slots")
        d.wanted_languages = choices_list(d.wanted_languages, Language.values, "wanted_languages")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)


def _next_number(agency: Agency, day: datetime.date) -> str:
    prefix = f"H{day:%Y}-"
    count = Dispatch.objects.filter(agency=agency, number__startswith=prefix).count()
    return f"{prefix}{count + 1:04d}"


@transaction.atomic
def request_dispatch(
    actor: Any,
    person: Person,
    data: Mapping[str, Any],
    *,
    request: HttpRequest | None = None,
) -> Dispatch:
    """Rule S4: the person or the family asks for a supporter; the request is a record of the
    municipality's office that holds the person, on the person's open case (opened if none)."""
    from tsunagi.people import services as people

    require(actor, Action.VIEW, Kind.PERSON, person)
    dispatch = Dispatch(agency_id=person.agency_id, person=person, created_by=actor)
    require(actor, Action.CREATE, Kind.DISPATCH, dispatch)
    if person.agency.kind not in DISPATCHING_KINDS:
        raise ValidationError(
            {"person": ["S4: " + _("Supporters are dispatched by a municipality's office.")]}
        )
    values = {"requested_on": timezone.localdate(), **data}
    apply_fields(dispatch, values, REQUEST_FIELDS, strip=True)
    _validate_request(dispatch)
    case = (
        Case.objects.filter(person=person, agency_id=person.agency_id, closed_on__isnull=True)
        .order_by("-opened_on", "-pk")
        .first()
    )
    if case is None:
        case = people.open_case(actor, person, opened_on=dispatch.requested_on, request=request)
    dispatch.case = case
    for _attempt in range(5):
        dispatch.number = _next_number(dispatch.agency, dispatch.requested_on)
        try:
            with transaction.atomic():
                dispatch.save()
            break
        except IntegrityError:  # another desk took the number at the same moment
            dispatch.pk = None
    else:
        raise IntegrityError("could not number the dispatch")
    log_dispatch_work("dispatch.requested", actor, dispatch, dispatch, request)
    return dispatch


def _locked(dispatch: Dispatch, version: int | None = None) -> Dispatch:
    current = Dispatch.objects.select_for_update().get(pk=dispatch.pk)
    check_version(current, version)
    return current


def _editable(actor: Any, dispatch: Dispatch, version: int | None, refusal: str) -> Dispatch:
    """The dispatch, locked, for a change allowed only before the start (request, plan,
    consents); `refusal` says why not once it has started."""
    current = _locked(dispatch, version)
    require(actor, Action.CHANGE, Kind.DISPATCH, current)
    if current.state not in rules.EDITABLE_STATES:
        raise ValidationError({"state": [refusal]})
    return current


def _step(current: Dispatch, step: str) -> None:
    if not rules.step_allowed(step, current.state):
        raise ValidationError(
            {
                "state": [
                    _("This step is not possible while the dispatch is “%(state)s”.")
                    % {"state": current.get_state_display()}
                ]
            }
        )


@transaction.atomic
def update_request(
    actor: Any,
    dispatch: Dispatch,
    data: Mapping[str, Any],
    *,
    version: int | None = None,
    request: HttpRequest | None = None,
) -> Dispatch:
    current = _editable(
        actor, dispatch, version, _("The request can be changed only before the start.")
    )
    changed = apply_fields(current, data, REQUEST_FIELDS, strip=True)
    _validate_request(current)
    if changed:
        bump(current)
        log_dispatch_work("dispatch.changed", actor, current, current, request, fields=changed)
    return current


def matchable_entry(agency_id: int, supporter: Supporter) -> RosterEntry | None:
    """Rule S3: the supporter's confirmed entry on this office's roster, if any."""
    return RosterEntry.objects.matchable().filter(agency_id=agency_id, supporter=supporter).first()


@transaction.atomic
def match(
    actor: Any,
    dispatch: Dispatch,
    supporter: Supporter,
    *,
    version: int | None = None,
    request: HttpRequest | None = None,
) -> Dispatch:
    """Rule S4: the municipality picks a supporter; only one on its roster, registered (S2) and
    confirmed again (S3) can be matched. The ranking's reasons are kept with the dispatch."""
    from .selectors import ranked_candidates

    current = _locked(dispatch, version)
    require(actor, Action.CHANGE, Kind.DISPATCH, current)
    _step(current, "match")
    supporter = Supporter.objects.get(pk=supporter.pk)
    if matchable_entry(current.agency_id, supporter) is None or not is_registered(supporter):
        raise ValidationError(
            {
                "supporter": [
                    "S3: "
                    + _(
                        "Only a supporter on this municipality's roster, with a signed consent "
                        "and confirmed again by the municipality, can be matched."
                    )
                ]
            }
        )
    reasons: list[dict[str, object]] = []
    for r in ranked_candidates(current):
        if r.candidate.supporter_id == supporter.pk:
            reasons = r.explanation
            break
    current.supporter = supporter
    current.matched_at = timezone.now()
    current.matched_by = actor
    current.match_reasons = reasons
    current.state = DispatchState.MATCHED
    current.supporter_consent_on = None  # the consent was the previous supporter's
    bump(current)
    log_dispatch_work("dispatch.matched", actor, current, current, request, supporter=supporter.pk)
    return current


@transaction.atomic
def write_plan(
    actor: Any,
    dispatch: Dispatch,
    data: Mapping[str, Any],
    *,
    version: int | None = None,
    request: HttpRequest | None = None,
) -> Dispatch:
    """Rule S4: the purpose, the activity plan and the activities (派遣目的・活動計画・活動内容)."""
    current = _editable(
        actor, dispatch, version, _("The plan can be changed only before the start.")
    )
    changed = apply_fields(current, data, PLAN_FIELDS, strip=True)
    if current.starts_on and current.ends_on and current.ends_on < current.starts_on:
        raise ValidationError({"ends_on": [_("The dispatch ends before it starts.")]})
    if current.starts_on and current.starts_on < current.requested_on:
        raise ValidationError({"starts_on": [_("The dispatch starts before it was requested.")]})
    if changed:
        # both consents were given to the plan as it was; a changed plan needs them again
        if {"purpose", "activity_plan", "activities"} & set(changed):
            current.person_consent_on = None
            current.supporter_consent_on = None
        bump(current)
        log_dispatch_work("dispatch.planned", actor, current, current, request, fields=changed)
    return current


@transaction.atomic
def record_consents(
    actor: Any,
    dispatch: Dispatch,
    *,
    person_consent_on: datetime.date | None = None,
    person_consent_method: str = ConsentMethod.SIGNED,
    person_consent_by: str = Requester.PERSON,
    supporter_consent_on: datetime.date | None = None,
    version: int | None = None,
    request: HttpRequest | None = None,
) -> Dispatch:
    """Rule S4: the consent of the person (or the family) and of the supporter to the dispatch
    plan, each with its date."""
    current = _editable(actor, dispatch, version, _("Consents are recorded before the start."))
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    if not (current.purpose and current.activity_plan and current.activities):
        errors["__all__"] = [
            "S4: " + _("Write the purpose, the activity plan and the activities first.")
        ]
    for name, day in (
        ("person_consent_on", person_consent_on),
        ("supporter_consent_on", supporter_consent_on),
    ):
        if day is not None and day < current.requested_on:
            errors[name] = [_("The consent is dated before the request.")]
    if person_consent_on is not None:
        if person_consent_on > today:
            errors["person_consent_on"] = [_("The date is in the future.")]
        if person_consent_method not in ConsentMethod.values:
            errors["person_consent_method"] = [_("Choose how the consent was given.")]
        if person_consent_by not in Requester.values:
            errors["person_consent_by"] = [_("Choose who gave the consent.")]
    if supporter_consent_on is not None:
        if current.supporter_id is None:
            errors["supporter_consent_on"] = [_("Choose a supporter first.")]
        elif supporter_consent_on > today:
            errors["supporter_consent_on"] = [_("The date is in the future.")]
    if person_consent_on is None and supporter_consent_on is None:
        errors["person_consent_on"] = [_("Enter the date of at least one consent.")]
    if errors:
        raise ValidationError(errors)
    if person_consent_on is not None:
        current.person_consent_on = person_consent_on
        current.person_consent_method = person_consent_method
        current.person_consent_by = person_consent_by
    if supporter_consent_on is not None:
        current.supporter_consent_on = supporter_consent_on
    bump(current)
    log_dispatch_work("dispatch.consents", actor, current, current, request)
    return current


def facts(dispatch: Dispatch) -> rules.DispatchFacts:
    supporter = dispatch.supporter
    return rules.DispatchFacts(
        state=dispatch.state,
        requested_by=dispatch.requested_by,
        person_wish=dispatch.person_wish,
        supporter_chosen=supporter is not None,
        supporter_registered=supporter is not None and is_registered(supporter),
        supporter_confirmed=supporter is not None
        and matchable_entry(dispatch.agency_id, supporter) is not None,
        purpose=dispatch.purpose,
        activity_plan=dispatch.activity_plan,
        activities=dispatch.activities,
        person_consent_on=dispatch.person_consent_on,
        supporter_consent_on=dispatch.supporter_consent_on,
    )


@transaction.atomic
def start(
    actor: Any,
    dispatch: Dispatch,
    *,
    version: int | None = None,
    request: HttpRequest | None = None,
) -> Dispatch:
    """Rule S4: the dispatch becomes active (visits may be recorded) once everything is in
    place; the supporter then sees the household's name, address and contact through the
    dispatch grant (access.md grant 4), until the dispatch stops or ends."""
    current = _locked(dispatch, version)
    require(actor, Action.CHANGE, Kind.DISPATCH, current)
    _step(current, "start")
    findings = rules.start_findings(facts(current))
    if findings:
        raise _findings_error(findings)
    if current.starts_on is None:
        current.starts_on = timezone.localdate()
    supporter = current.supporter
    assert supporter is not None
    if supporter.user_id is not None:
        current.grant = _dispatch_grant(actor, current, supporter.user, request)
    current.state = DispatchState.ACTIVE
    bump(current)
    log_dispatch_work("dispatch.started", actor, current, current, request)
    return current


def _dispatch_grant(actor: Any, dispatch: Dispatch, user: Any, request: HttpRequest | None) -> Any:
    """The dispatch grant (access.md grant 4) until the planned end, or a year."""
    today = timezone.localdate()
    if dispatch.ends_on is not None and dispatch.ends_on < today:
        raise ValidationError(
            {"ends_on": [_("The planned end of the dispatch has passed: change the plan first.")]}
        )
    until = dispatch.ends_on or (today + datetime.timedelta(days=365))
    return sharing.grant_for_dispatch(
        actor,
        dispatch.person,
        user,
        dispatch_ref=dispatch.pk,
        until=until,
        case=dispatch.case,
        request=request,
    )


@transaction.atomic
def share_household(
    actor: Any, dispatch: Dispatch, *, request: HttpRequest | None = None
) -> Dispatch:
    """Rules S4/S5: an active dispatch whose supporter got their account after the start (or
    whose grant ran out at the planned end while the dispatch goes on) gets its dispatch grant."""
    current = _locked(dispatch)
    require(actor, Action.CHANGE, Kind.DISPATCH, current)
    supporter = current.supporter
    if current.state != DispatchState.ACTIVE or supporter is None:
        raise ValidationError(
            {"state": [_("Only an active dispatch is shared with its supporter.")]}
        )
    if supporter.user_id is None:
        raise ValidationError({"supporter": [_("The supporter has no account yet.")]})
    if current.grant is not None and current.grant.is_active():
        raise ValidationError({"grant": [_("The household is already shared with the supporter.")]})
    current.grant = _dispatch_grant(actor, current, supporter.user, request)
    bump(current)
    log_dispatch_work("dispatch.shared", actor, current, current, request)
    return current


def needs_sharing(dispatch: Dispatch) -> bool:
    """An active dispatch whose supporter has an account but no grant in force."""
    return (
        dispatch.state == DispatchState.ACTIVE
        and dispatch.supporter is not None
        and dispatch.supporter.user_id is not None
        and (dispatch.grant is None or not dispatch.grant.is_active())
    )


def _stop(
    actor: Any,
    current: Dispatch,
    *,
    requested_by: str,
    reason: str,
    request: HttpRequest | None,
    state: str = DispatchState.STOPPED,
) -> Dispatch:
    now = timezone.now()
    current.state = state
    current.stopped_at = now
    current.stopped_by = actor
    current.stop_requested_by = requested_by
    current.stop_reason = reason.strip()
    if (
        current.grant_id is not None
        and current.grant is not None
        and current.grant.ended_at is None
    ):
        grant = current.grant
        grant.ended_at, grant.ended_by = now, actor
        grant.end_reason = (
            _("Dispatch stopped") if state == DispatchState.STOPPED else _("Dispatch ended")
        )[:200]
        grant.save(update_fields=["ended_at", "ended_by", "end_reason"])
        audit.personal("grant.ended", actor, grant, request, reason=grant.end_reason)
    bump(current)
    log_dispatch_work(
        "dispatch.stopped" if state == DispatchState.STOPPED else "dispatch.ended",
        actor,
        current,
        current,
        request,
        requested_by=requested_by,
    )
    return current


@transaction.atomic
def stop(
    actor: Any,
    dispatch: Dispatch,
    *,
    requested_by: str,
    reason: str,
    request: HttpRequest | None = None,
) -> Dispatch:
    """Rule S5: one action on a request to stop. From this moment the supporter's view no longer
    shows the household and no visit can be recorded; the reason is kept. Never refused for a
    stale version: a stop must not wait."""
    current = _locked(dispatch)
    require(actor, Action.CHANGE, Kind.DISPATCH, current)
    _step(current, "stop")
    errors: dict[str, list[str]] = {}
    if requested_by not in StopRequester.values:
        errors["requested_by"] = [_("Choose who asked to stop.")]
    if not reason.strip():
        errors["reason"] = [_("Write the reason for stopping.")]
    if errors:
        raise ValidationError(errors)
    return _stop(actor, current, requested_by=requested_by, reason=reason, request=request)


@transaction.atomic
def end(
    actor: Any,
    dispatch: Dispatch,
    *,
    summary: str,
    version: int | None = None,
    request: HttpRequest | None = None,
) -> Dispatch:
    """The dispatch ends as planned (its purpose reached, or handed to an agency)."""
    current = _locked(dispatch, version)
    require(actor, Action.CHANGE, Kind.DISPATCH, current)
    _step(current, "end")
    if not summary.strip():
        raise ValidationError({"summary": [_("Write how the dispatch ended.")]})
    return _stop(
        actor,
        current,
        requested_by=StopRequester.MUNICIPALITY,
        reason=summary,
        request=request,
        state=DispatchState.ENDED,
    )


@transaction.atomic
def cancel(
    actor: Any,
    dispatch: Dispatch,
    *,
    reason: str,
    request: HttpRequest | None = None,
) -> Dispatch:
    current = _locked(dispatch)
    require(actor, Action.CHANGE, Kind.DISPATCH, current)
    _step(current, "cancel")
    if not reason.strip():
        raise ValidationError({"reason": [_("Write the reason.")]})
    current.state = DispatchState.CANCELLED
    current.stop_reason = reason.strip()
    current.stopped_at, current.stopped_by = timezone.now(), actor
    bump(current)
    log_dispatch_work("dispatch.cancelled", actor, current, current, request)
    return current


# --- visits and guidance (rule S6) ----------------------------------------------------------

VISIT_FIELDS = (
    "visited_on",
    "started_at",
    "duration_minutes",
    "place",
    "met",
    "what_happened",
    "concerns",
    "next_visit_on",
)


@transaction.atomic
def record_visit(
    actor: Any,
    dispatch: Dispatch,
    data: Mapping[str, Any],
    *,
    request: HttpRequest | None = None,
) -> Any:
    """Rules S5/S6: the supporter (or the coordinator for them) reports a visit; never on a
    stopped dispatch."""
    from .models import MetWhom, VisitPlace, VisitReport

    current = Dispatch.objects.select_for_update().get(pk=dispatch.pk)
    report = VisitReport(agency_id=current.agency_id, dispatch=current, written_by=actor)
    if not can(actor, Action.CREATE, Kind.VISIT_REPORT, report):
        if current.state == DispatchState.STOPPED and can(
            actor, Action.VIEW, Kind.DISPATCH, current
        ):
            pass  # the coordinator sees why below
        else:
            require(actor, Action.VIEW, Kind.DISPATCH, current)
            raise Denied("record visit")
    apply_fields(report, data, VISIT_FIELDS, strip=True)
    errors = rules.visit_findings(
        state=current.state,
        visited_on=report.visited_on,
        today=timezone.localdate(),
        starts_on=current.starts_on,
        duration_minutes=report.duration_minutes,
    )
    field_errors: dict[str, list[str]] = {k: [v] for k, v in errors.items()}
    if report.place not in VisitPlace.values:
        field_errors["place"] = [_("Choose where the visit took place.")]
    if report.met not in MetWhom.values:
        field_errors["met"] = [_("Choose who was met.")]
    if not report.what_happened:
        field_errors["what_happened"] = [_("Write what happened.")]
    if report.next_visit_on and report.visited_on and report.next_visit_on < report.visited_on:
        field_errors["next_visit_on"] = [_("The next visit is before this one.")]
    if field_errors:
        if "dispatch" in field_errors:
            field_errors["dispatch"] = ["S5: " + field_errors["dispatch"][0]]
        raise ValidationError(field_errors)
    report.save()
    log_dispatch_work("visit.recorded", actor, report, current, request)
    return report


@transaction.atomic
def give_guidance(
    actor: Any,
    dispatch: Dispatch,
    *,
    text: str,
    report: Any = None,
    follow_up_training: bool = False,
    request: HttpRequest | None = None,
) -> Guidance:
    """Rule S6: the coordinator's advice on how to work with the household, shown to the
    supporter; follow-up training can be advised."""
    require(actor, Action.CHANGE, Kind.DISPATCH, dispatch)
    if not text.strip():
        raise ValidationError({"text": [_("Write the advice.")]})
    if report is not None and report.dispatch_id != dispatch.pk:
        raise ValidationError({"report": [_("The visit report belongs to another dispatch.")]})
    guidance = Guidance.objects.create(
        agency_id=dispatch.agency_id,
        dispatch=dispatch,
        report=report,
        text=text.strip(),
        follow_up_training=follow_up_training,
        written_by=actor,
    )
    log_dispatch_work("guidance.given", actor, guidance, dispatch, request)
    return guidance


@transaction.atomic
def mark_guidance_seen(actor: Any, guidance: Guidance, request: HttpRequest | None = None) -> None:
    dispatch = guidance.dispatch
    require(actor, Action.VIEW, Kind.DISPATCH, dispatch)
    if dispatch.supporter is None or dispatch.supporter.user_id != actor.pk:
        return
    if guidance.seen_at is None:
        guidance.seen_at = timezone.now()
        guidance.save(update_fields=["seen_at"])


# --- incidents (rule S8) --------------------------------------------------------------------

INCIDENT_FIELDS = ("occurred_at", "kind", "severity", "what_happened", "immediate_action", "visit")


@transaction.atomic
def report_incident(
    actor: Any,
    dispatch: Dispatch,
    data: Mapping[str, Any],
    *,
    request: HttpRequest | None = None,
) -> Incident:
    """Rule S8: the report reaches the coordinator at once (it waits on their home screen until
    they have seen it)."""
    from .models import IncidentKind, Severity

    incident = Incident(agency_id=dispatch.agency_id, dispatch=dispatch, reported_by=actor)
    require(actor, Action.CREATE, Kind.INCIDENT, incident)
    apply_fields(incident, data, INCIDENT_FIELDS, strip=True)
    errors: dict[str, list[str]] = {}
    if incident.occurred_at is None:
        errors["occurred_at"] = [_("Enter when it happened.")]
    elif incident.occurred_at > timezone.now() + datetime.timedelta(minutes=5):
        errors["occurred_at"] = [_("The time is in the future.")]
    elif timezone.localdate(incident.occurred_at) < (dispatch.starts_on or dispatch.requested_on):
        errors["occurred_at"] = [_("The time is before the dispatch started.")]
    if incident.kind not in IncidentKind.values:
        errors["kind"] = [_("Choose the kind of incident.")]
    if incident.severity not in Severity.values:
        errors["severity"] = [_("Choose how serious it is.")]
    if not incident.what_happened:
        errors["what_happened"] = [_("Write what happened.")]
    if incident.visit is not None and incident.visit.dispatch_id != dispatch.pk:
        errors["visit"] = [_("The visit report belongs to another dispatch.")]
    if errors:
        raise ValidationError(errors)
    incident.save()
    log_dispatch_work(
        "incident.reported", actor, incident, dispatch, request, severity=incident.severity
    )
    return incident


@transaction.atomic
def acknowledge_incident(
    actor: Any, incident: Incident, request: HttpRequest | None = None
) -> Incident:
    current = Incident.objects.select_for_update().get(pk=incident.pk)
    require(actor, Action.CHANGE, Kind.INCIDENT, current)
    if current.acknowledged_at is None:
        current.acknowledged_at, current.acknowledged_by = timezone.now(), actor
        current.save(update_fields=["acknowledged_at", "acknowledged_by"])
        log_dispatch_work("incident.acknowledged", actor, current, current.dispatch, request)
    return current


@transaction.atomic
def add_incident_step(
    actor: Any,
    incident: Incident,
    *,
    what: str,
    taken_on: datetime.date | None = None,
    request: HttpRequest | None = None,
) -> IncidentStep:
    current = Incident.objects.select_for_update().get(pk=incident.pk)
    require(actor, Action.CHANGE, Kind.INCIDENT, current)
    if current.state == IncidentState.CLOSED:
        raise ValidationError({"what": [_("The incident is closed.")]})
    if not what.strip():
        raise ValidationError({"what": [_("Write what was done.")]})
    day = taken_on or timezone.localdate()
    if day > timezone.localdate():
        raise ValidationError({"taken_on": [_("The date is in the future.")]})
    if day < timezone.localdate(current.occurred_at):
        raise ValidationError({"taken_on": [_("The step is dated before the incident.")]})
    step = IncidentStep.objects.create(
        incident=current, taken_on=day, what=what.strip(), taken_by=actor
    )
    if current.acknowledged_at is None:
        current.acknowledged_at, current.acknowledged_by = timezone.now(), actor
    current.state = IncidentState.FOLLOWING_UP
    bump(current)
    log_dispatch_work("incident.step", actor, current, current.dispatch, request)
    return step


@transaction.atomic
def close_incident(
    actor: Any,
    incident: Incident,
    *,
    summary: str,
    version: int | None = None,
    request: HttpRequest | None = None,
) -> Incident:
    """Rule S8: closed after at least one follow-up step, with how it was resolved."""
    current = Incident.objects.select_for_update().get(pk=incident.pk)
    require(actor, Action.CHANGE, Kind.INCIDENT, current)
    check_version(current, version)
    if current.state == IncidentState.CLOSED:
        raise ValidationError({"summary": [_("The incident is already closed.")]})
    findings = rules.closure_findings(current.steps.count(), summary)
    if findings:
        raise ValidationError(
            {
                "steps" if f.code == "steps" else "summary": [f"{f.rule}: {f.reason}"]
                for f in findings
            }
        )
    current.state = IncidentState.CLOSED
    current.closed_at, current.closed_by = timezone.now(), actor
    current.closure_summary = summary.strip()
    bump(current)
    log_dispatch_work("incident.closed", actor, current, current.dispatch, request)
    return current


# --- found cases (rule S7) ------------------------------------------------------------------


@transaction.atomic
def report_found_case(
    actor: Any,
    agency: Agency,
    data: Mapping[str, Any],
    *,
    request: HttpRequest | None = None,
) -> FoundCase:
    """Rule S7: a supporter reports a hidden case to a municipality that confirmed them."""
    supporter = Supporter.objects.filter(user=actor).first() if actor.pk else None
    found = FoundCase(agency=agency, reported_by=actor, supporter=supporter)
    require(actor, Action.CREATE, Kind.FOUND_CASE, found)
    apply_fields(found, data, ("where", "description", "estimated_age", "urgent"), strip=True)
    errors: dict[str, list[str]] = {}
    if not found.where:
        errors["where"] = [_("Write where (the area or the address as you know it).")]
    if not found.description:
        errors["description"] = [_("Write what you noticed.")]
    if found.estimated_age is not None and not 0 <= found.estimated_age <= 120:
        errors["estimated_age"] = [_("Enter an age from 0 to 120.")]
    if errors:
        raise ValidationError(errors)
    found.save()
    audit.record(
        "found_case.reported",
        actor=actor,
        request=request,
        agency_id=agency.pk,
        obj=found,
        personal=True,
        detail={"urgent": found.urgent},
    )
    return found


@transaction.atomic
def decide_found_case(
    actor: Any,
    found: FoundCase,
    *,
    open_intake: bool,
    note: str = "",
    person: Person | None = None,
    request: HttpRequest | None = None,
) -> FoundCase:
    """Rule S7: the municipality decides on support. Opening an intake records the first
    contact (outreach, made known by a supporter) on the person's case in the office; the
    person is registered beforehand with the usual duplicate check."""
    from tsunagi.people import services as people
    from tsunagi.people.choices import Channel, Initiator

    current = FoundCase.objects.select_for_update().get(pk=found.pk)
    require(actor, Action.CHANGE, Kind.FOUND_CASE, current)
    if current.state != FoundCaseState.NEW:
        raise ValidationError({"state": [_("A decision has already been recorded.")]})
    if open_intake:
        if person is None:
            raise ValidationError({"person": [_("Choose or register the person first.")]})
        if person.agency_id != current.agency_id:
            raise ValidationError({"person": [_("The person must be registered in this office.")]})
        contact = people.record_contact(
            actor,
            {
                "channel": Channel.HOME_VISIT,
                "initiator": Initiator.SUPPORTER,
                "summary": _("Found by a supporter: %(what)s") % {"what": current.description},
            },
            person=person,
            request=request,
        )
        current.case = contact.case
        current.state = FoundCaseState.INTAKE_OPENED
    else:
        if not note.strip():
            raise ValidationError({"note": [_("Write why no action is taken for now.")]})
        current.state = FoundCaseState.NO_ACTION
    current.decision_note = note.strip()
    current.decided_by, current.decided_at = actor, timezone.now()
    current.save()
    audit.record(
        "found_case.decided",
        actor=actor,
        request=request,
        agency_id=current.agency_id,
        obj=current,
        personal=True,
        detail={"state": current.state},
    )
    return current
