"""The API of hikikomori supporters (ひきこもりサポーター), rules S1-S8.

Thin: parse, call one service or selector of `tsunagi.supporters`, answer. Paths:

- `/trainings`: the prefecture's courses (S1), sessions, enrolments, attendance, completion;
- `/supporters`: registration, the signed consent to act (S2), withdrawal, the supporter's own
  login, the roster given to municipalities and their confirmation (S3), the consent form;
- `/dispatches`: a request (S4), the ranking of candidates with reasons, the match, the plan
  (派遣目的・活動計画・活動内容), both consents, start, stop at once (S5), end, cancel, guidance
  (S6) and the printed dispatch plan;
- `/visit-reports` (S6), `/incidents` (S8), `/found-cases` (S7).

Every record goes through the access module: one the caller may not see answers 404, one they
may see but not change 403. A supporter sees only their active dispatches, and of the household
only the name, address and contact (through the dispatch grant), the purpose and plan, the
guidance and the visit reports; never the case. Every read of personal data is logged.
"""

from __future__ import annotations

import datetime
import unicodedata
from collections.abc import Callable, Iterable
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import BeforeValidator

from tsunagi.access.policy import (
    DISPATCHERS,
    Action,
    Denied,
    Kind,
    Role,
    agencies_with,
    can,
    get_visible,
    prefectures_with,
    require,
    scope,
    sight,
)
from tsunagi.agencies.models import Agency
from tsunagi.jurisdictions.models import Municipality
from tsunagi.people.models import Person
from tsunagi.people.services import log_read, log_shared_read
from tsunagi.supporters import selectors, services
from tsunagi.supporters.models import (
    ConsentMethod,
    CourseKind,
    Dispatch,
    DispatchState,
    Enrolment,
    FoundCase,
    FoundCaseState,
    Guidance,
    Incident,
    IncidentKind,
    IncidentState,
    Language,
    MetWhom,
    PeerBackground,
    Requester,
    RosterEntry,
    RosterReleaseKind,
    SessionFormat,
    Severity,
    Slot,
    StopRequester,
    Supporter,
    SupporterSex,
    TrainingCourse,
    TrainingSession,
    VisitPlace,
    VisitReport,
)
from tsunagi.supporters.selectors import SupporterStatus
from tsunagi.web.text import normalize_kana, normalize_text

from .people_schemas import (
    DATE_HELP,
    ConflictOut,
    JapaneseDate,
    Line,
    LocalDateTime,
    PastDate,
    refuse_nul,
)
from .printing import pdf_answer, pdf_spec
from .schemas import Error, ValidationErrorOut

router = Router()

READ = {401: Error, 404: Error, 422: ValidationErrorOut}
WRITE = {401: Error, 403: Error, 404: Error, 422: ValidationErrorOut}
STEP = {409: ConflictOut, **WRITE}
LIMIT = Query(50, ge=1, le=200, description="At most 200 rows per page.")
OFFSET = Query(0, ge=0, le=10**9, description="At most 1,000,000,000.")


def _user(request: HttpRequest) -> Any:
    return request.user


def _nfkc(value: Any) -> Any:
    """Full-width digits (１９８５) are digits."""
    return unicodedata.normalize("NFKC", value).strip() if isinstance(value, str) else value


def _text(value: Any) -> Any:
    """Multi-line text keeps what was written; only the ends are trimmed."""
    return value.strip() if isinstance(value, str) else value


Int = Annotated[int, BeforeValidator(_nfkc)]
Text = Annotated[str, BeforeValidator(refuse_nul), BeforeValidator(_text)]
Kana = Annotated[
    str,
    BeforeValidator(lambda v: normalize_text(_nfkc(v)) if isinstance(v, str) else v),
    BeforeValidator(refuse_nul),
]


def _page(rows: QuerySet[Any], limit: int, offset: int) -> tuple[list[Any], int]:
    return list(rows[offset : offset + limit]), rows.count()


def _state_conflict(exc: ValidationError, version: int | None) -> Any:
    """A step the record's state does not allow: 409 with the reason; other errors stay 422."""
    problems = getattr(exc, "error_dict", {})
    if set(problems) != {"state"}:
        raise exc
    message = " ".join(str(m) for e in problems["state"] for m in e.messages)
    return Status(409, {"detail": message, "current_version": version})


def _pick(user: Any, model: Any, pk: int | None, field: str, message: str, kind: Kind) -> Any:
    """A record named in the body, or 422 on `field` (also when the caller may not see it)."""
    obj = model.objects.filter(pk=pk).first() if pk is not None else None
    if obj is None or not can(user, Action.VIEW, kind, obj):
        raise ValidationError({field: [message]})
    return obj


def _enum(value: Any) -> str:
    return str(getattr(value, "value", value) or "")


# === trainings (rule S1) =====================================================================


class SessionIn(Schema):
    held_on: JapaneseDate = Field(..., description=DATE_HELP)
    starts_at: datetime.time | None = None
    ends_at: datetime.time | None = None
    topic: Line = Field(..., max_length=200)
    format: SessionFormat = SessionFormat.LECTURE


class CourseIn(Schema):
    organiser: int | None = Field(
        None, description="The office running the course; by default your prefectural office."
    )
    kind: CourseKind
    title: Line = Field(..., max_length=200)
    description: Text = ""
    place: Line = Field("", max_length=200)
    starts_on: JapaneseDate = Field(..., description=DATE_HELP)
    ends_on: JapaneseDate = Field(..., description=DATE_HELP)
    capacity: Int | None = Field(None, ge=1, le=10000)
    commissioned_to: Line = Field("", max_length=200)
    sessions: list[SessionIn] = []


class CoursePatch(Schema):
    kind: CourseKind | None = None
    title: Line | None = Field(None, max_length=200)
    description: Text | None = None
    place: Line | None = Field(None, max_length=200)
    starts_on: JapaneseDate | None = None
    ends_on: JapaneseDate | None = None
    capacity: Int | None = Field(None, ge=1, le=10000)
    commissioned_to: Line | None = Field(None, max_length=200)
    version: int | None = None


class SessionOut(Schema):
    id: int
    held_on: datetime.date
    starts_at: datetime.time | None
    ends_at: datetime.time | None
    topic: str
    format: str
    present: list[int]


class EnrolmentOut(Schema):
    id: int
    supporter: int
    supporter_name: str
    completed_on: datetime.date | None
    note: str


class CourseOut(Schema):
    id: int
    prefecture: int
    organiser: int
    organiser_name: str
    kind: str
    kind_label: str
    title: str
    description: str
    place: str
    starts_on: datetime.date
    ends_on: datetime.date
    capacity: int | None
    commissioned_to: str
    version: int
    enrolled: int
    completed: int


class CourseDetailOut(CourseOut):
    sessions: list[SessionOut]
    enrolments: list[EnrolmentOut]


class CoursePage(Schema):
    items: list[CourseOut]
    count: int


class EnrolIn(Schema):
    supporter: int


class AttendanceIn(Schema):
    present: list[int] = Field(..., description="Every supporter present (the others absent).")


class CompleteIn(Schema):
    completed_on: PastDate | None = Field(None, description=DATE_HELP)
    excuse: Text = Field("", description="Why a missed session is excused (made up elsewhere).")


def _session_out(session: TrainingSession) -> dict[str, Any]:
    return {
        "id": session.pk,
        "held_on": session.held_on,
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "topic": session.topic,
        "format": session.format,
        "present": sorted(session.attendances.values_list("supporter_id", flat=True)),
    }


def _enrolment_out(e: Enrolment) -> dict[str, Any]:
    return {
        "id": e.pk,
        "supporter": e.supporter_id,
        "supporter_name": e.supporter.name,
        "completed_on": e.completed_on,
        "note": e.note,
    }


def _course_out(c: TrainingCourse) -> dict[str, Any]:
    return {
        "id": c.pk,
        "prefecture": c.prefecture_id,
        "organiser": c.organiser_id,
        "organiser_name": c.organiser.name,
        "kind": c.kind,
        "kind_label": str(c.get_kind_display()),
        "title": c.title,
        "description": c.description,
        "place": c.place,
        "starts_on": c.starts_on,
        "ends_on": c.ends_on,
        "capacity": c.capacity,
        "commissioned_to": c.commissioned_to,
        "version": c.version,
        "enrolled": getattr(c, "enrolled", None) or c.enrolments.count(),
        "completed": getattr(c, "completed", None)
        or c.enrolments.filter(completed_on__isnull=False).count(),
    }


def _course_detail(request: HttpRequest, course: TrainingCourse) -> dict[str, Any]:
    """The course; its trainees only those the caller may see (each read logged)."""
    user = _user(request)
    visible = set(
        scope(user, Kind.SUPPORTER, Supporter.objects.filter(enrolments__course=course))
        .values_list("pk", flat=True)
        .distinct()
    )
    enrolments = [
        e
        for e in course.enrolments.select_related("supporter").order_by(
            "supporter__name_kana", "pk"
        )
        if e.supporter_id in visible
    ]
    for e in enrolments:
        services.log_supporter("supporter.viewed", user, e.supporter, request, course=course.pk)
    sessions = []
    for session in course.sessions.all():
        out = _session_out(session)
        out["present"] = [i for i in out["present"] if i in visible]
        sessions.append(out)
    return {
        **_course_out(course),
        "sessions": sessions,
        "enrolments": [_enrolment_out(e) for e in enrolments],
    }


def _course(request: HttpRequest, course_id: int) -> TrainingCourse:
    return get_visible(
        _user(request),
        Kind.TRAINING,
        TrainingCourse.objects.select_related("organiser"),
        pk=course_id,
    )


def _organiser(user: Any, organiser_id: int | None) -> Agency:
    require(user, Action.CREATE, Kind.TRAINING)
    if organiser_id is not None:
        found = Agency.objects.filter(pk=organiser_id).first()
        if found is None:
            raise ValidationError({"organiser": [_("Choose the office that runs the course.")]})
        return found
    from tsunagi.accounts.models import Membership

    membership = (
        Membership.objects.filter(
            user=user,
            is_active=True,
            role__in=(Role.PREFECTURAL_OFFICER, Role.MUNICIPAL_OFFICER),
            agency__isnull=False,
        )
        .select_related("agency")
        .order_by("role", "pk")
        .first()
    )
    if membership is None or membership.agency is None:
        raise ValidationError({"organiser": [_("Choose the office that runs the course.")]})
    return membership.agency


@router.get(
    "/trainings",
    response={200: CoursePage, **READ},
    tags=["supporters"],
    summary="Supporter training courses (養成研修, 継続研修), the latest first",
)
def list_trainings(
    request: HttpRequest, kind: CourseKind | None = None, limit: int = LIMIT, offset: int = OFFSET
) -> Any:
    found = selectors.courses(_user(request))
    if kind is not None:
        found = found.filter(kind=_enum(kind))
    rows, count = _page(found, limit, offset)
    return {"items": [_course_out(c) for c in rows], "count": count}


@router.post(
    "/trainings",
    response={201: CourseDetailOut, **WRITE},
    tags=["supporters"],
    summary="Create a course with its sessions (rule S1)",
    description="The prefecture's (or a designated city's) office runs it; `organiser` defaults "
    "to your office. A session outside the course's dates answers 422 on `sessions.<n>.held_on`.",
)
def create_training(request: HttpRequest, payload: CourseIn) -> Any:
    user = _user(request)
    organiser = _organiser(user, payload.organiser)
    data = payload.dict(exclude={"organiser", "sessions"})
    data["kind"] = _enum(payload.kind)
    sessions = [{**s.dict(), "format": _enum(s.format)} for s in payload.sessions]
    course = services.create_course(user, organiser, data, sessions=sessions, request=request)
    return Status(201, _course_detail(request, _course(request, course.pk)))


@router.get(
    "/trainings/{course_id}",
    response={200: CourseDetailOut, **READ},
    tags=["supporters"],
    summary="A course with its sessions, attendance and enrolments",
)
def get_training(request: HttpRequest, course_id: int) -> Any:
    return _course_detail(request, _course(request, course_id))


@router.patch(
    "/trainings/{course_id}",
    response={200: CourseDetailOut, 409: ConflictOut, **WRITE},
    tags=["supporters"],
    summary="Change a course (send the version you read; 409 if someone changed it since)",
)
def update_training(request: HttpRequest, course_id: int, payload: CoursePatch) -> Any:
    course = _course(request, course_id)
    data = {k: v for k, v in payload.dict(exclude_unset=True).items() if k != "version"}
    data = {k: v for k, v in data.items() if v is not None or k == "capacity"}
    if "kind" in data:
        data["kind"] = _enum(data["kind"])
    services.update_course(_user(request), course, data, version=payload.version, request=request)
    return _course_detail(request, _course(request, course_id))


@router.post(
    "/trainings/{course_id}/sessions",
    response={201: SessionOut, **WRITE},
    tags=["supporters"],
    summary="Add a session to a course",
)
def add_training_session(request: HttpRequest, course_id: int, payload: SessionIn) -> Any:
    course = _course(request, course_id)
    data = {**payload.dict(), "format": _enum(payload.format)}
    try:
        session = services.add_session(_user(request), course, data, request=request)
    except ValidationError as exc:
        problems = getattr(exc, "error_dict", None)
        if problems is None:
            raise
        raise ValidationError(
            {k.removeprefix("session."): v for k, v in exc.message_dict.items()}
        ) from exc
    return Status(201, _session_out(session))


@router.post(
    "/trainings/{course_id}/enrolments",
    response={201: EnrolmentOut, **WRITE},
    tags=["supporters"],
    summary="Enrol a trainee (a supporter's record) on the course",
)
def enrol(request: HttpRequest, course_id: int, payload: EnrolIn) -> Any:
    user = _user(request)
    course = _course(request, course_id)
    require(user, Action.CHANGE, Kind.TRAINING, course)
    supporter = _pick(
        user, Supporter, payload.supporter, "supporter", _("Choose a trainee."), Kind.SUPPORTER
    )
    enrolment = services.enrol(user, course, supporter, request=request)
    return Status(201, _enrolment_out(enrolment))


@router.put(
    "/trainings/{course_id}/sessions/{session_id}/attendance",
    response={200: SessionOut, **WRITE},
    tags=["supporters"],
    summary="The roll of one session: exactly the trainees present",
)
def record_attendance(
    request: HttpRequest, course_id: int, session_id: int, payload: AttendanceIn
) -> Any:
    user = _user(request)
    course = _course(request, course_id)
    session = course.sessions.filter(pk=session_id).first()
    if session is None:
        raise Http404
    require(user, Action.CHANGE, Kind.TRAINING, course)
    present = list(Supporter.objects.filter(pk__in=payload.present))
    if len(present) != len(set(payload.present)):
        raise ValidationError({"present": [_("Only trainees enrolled on the course can attend.")]})
    services.record_attendance(user, session, present, request=request)
    return _session_out(session)


@router.post(
    "/trainings/{course_id}/enrolments/{enrolment_id}/complete",
    response={200: EnrolmentOut, **WRITE},
    tags=["supporters"],
    summary="Record a trainee's completion (rule S1: every session attended, or excused)",
)
def complete(request: HttpRequest, course_id: int, enrolment_id: int, payload: CompleteIn) -> Any:
    course = _course(request, course_id)
    enrolment = course.enrolments.select_related("supporter", "course").filter(pk=enrolment_id)
    found = enrolment.first()
    if found is None or not can(_user(request), Action.VIEW, Kind.SUPPORTER, found.supporter):
        raise Http404
    done = services.complete(
        _user(request),
        found,
        completed_on=payload.completed_on,
        excuse=payload.excuse,
        request=request,
    )
    return _enrolment_out(done)


# === supporters (rules S2, S3) ===============================================================

Slots = list[Slot]
Languages = list[Language]


class SupporterIn(Schema):
    prefecture: int | None = Field(None, description="By default your prefecture.")
    name: Line = Field(..., max_length=100)
    name_kana: Kana = Field("", max_length=100)
    sex: SupporterSex = SupporterSex.UNSTATED
    birth_year: Int | None = None
    postal_code: Line = Field("", max_length=8, description="7 digits, full-width accepted.")
    municipality: int | None = Field(None, description="Where they live (a municipality id).")
    address: Line = Field("", max_length=200)
    phone: Line = Field("", max_length=20)
    email: Line = Field("", max_length=254)
    peer: PeerBackground = PeerBackground.NONE
    areas: list[int] = Field([], description="Municipalities they can cover.")
    availability: Slots = []
    languages: Languages = []
    preferences: Text = ""
    notes: Text = ""


class SupporterPatch(Schema):
    name: Line | None = Field(None, max_length=100)
    name_kana: Kana | None = Field(None, max_length=100)
    sex: SupporterSex | None = None
    birth_year: Int | None = None
    postal_code: Line | None = Field(None, max_length=8)
    municipality: int | None = None
    address: Line | None = Field(None, max_length=200)
    phone: Line | None = Field(None, max_length=20)
    email: Line | None = Field(None, max_length=254)
    peer: PeerBackground | None = None
    areas: list[int] | None = None
    availability: Slots | None = None
    languages: Languages | None = None
    preferences: Text | None = None
    notes: Text | None = None
    version: int | None = None


class RosterPlaceOut(Schema):
    id: int
    agency: int
    agency_name: str
    confirmed_on: datetime.date | None
    declined_on: datetime.date | None


class TrainingRecordOut(Schema):
    course: int
    title: str
    kind: str
    starts_on: datetime.date
    completed_on: datetime.date | None


class SupporterOut(Schema):
    id: int
    name: str
    name_kana: str
    sex: str
    peer: str
    peer_label: str
    municipality: int | None
    municipality_name: str
    areas: list[int]
    availability: list[str]
    languages: list[str]
    status: str
    version: int


class SupporterDetailOut(SupporterOut):
    prefecture: int
    birth_year: int | None
    postal_code: str
    address: str
    phone: str
    email: str
    preferences: str
    notes: str | None
    consent_signed_on: datetime.date | None
    consent_explained: bool
    withdrawn_on: datetime.date | None
    withdrawal_reason: str
    has_account: bool
    training: list[TrainingRecordOut]
    rosters: list[RosterPlaceOut]


class SupporterPage(Schema):
    items: list[SupporterOut]
    count: int


class ConsentIn(Schema):
    signed_on: PastDate | None = Field(..., description=DATE_HELP)
    explained: bool = Field(
        ..., description="Told that their details go to the dispatching municipalities (S2)."
    )


class WithdrawIn(Schema):
    on: PastDate | None = Field(None, description=DATE_HELP)
    reason: Line = Field("", max_length=200)


class AccountIn(Schema):
    username: Line = Field(..., max_length=150)
    password: str = Field(..., max_length=128)


class AccountOut(Schema):
    supporter: int
    user: int
    username: str


class RosterEntryOut(Schema):
    id: int
    agency: int
    release: int | None
    given_on: datetime.date | None
    supporter: SupporterOut
    confirmed_on: datetime.date | None
    declined_on: datetime.date | None
    note: str
    matchable: bool


class RosterPage(Schema):
    items: list[RosterEntryOut]
    count: int


class ReleaseIn(Schema):
    agency: int = Field(..., description="The municipal office that runs or plans dispatch.")
    dispatch_status: RosterReleaseKind
    given_on: PastDate | None = Field(None, description=DATE_HELP)
    note: Line = Field("", max_length=200)


class ReleaseOut(Schema):
    id: int
    agency: int
    dispatch_status: str
    given_on: datetime.date
    supporters: list[int]


class ConfirmIn(Schema):
    wishes_to_act: bool
    on: PastDate | None = Field(None, description=DATE_HELP)
    note: Line = Field("", max_length=200)


def _status(s: Supporter) -> str:
    return selectors.status_of(s)


def _supporter_out(s: Supporter) -> dict[str, Any]:
    return {
        "id": s.pk,
        "name": s.name,
        "name_kana": s.name_kana,
        "sex": s.sex,
        "peer": s.peer,
        "peer_label": str(s.get_peer_display()) if s.peer else "",
        "municipality": s.municipality_id,
        "municipality_name": s.municipality.name if s.municipality is not None else "",
        "areas": sorted(s.areas.values_list("pk", flat=True)),
        "availability": list(s.availability or []),
        "languages": list(s.languages or []),
        "status": _status(s),
        "version": s.version,
    }


def _keeper(user: Any, s: Supporter) -> bool:
    return s.prefecture_id in prefectures_with(user, Role.PREFECTURAL_OFFICER)


def _supporter_detail(request: HttpRequest, s: Supporter) -> dict[str, Any]:
    user = _user(request)
    s = Supporter.objects.select_related("municipality").get(pk=s.pk)
    services.log_supporter("supporter.viewed", user, s, request)
    keeper = _keeper(user, s)
    entries = s.roster_entries.select_related("agency", "release")
    if not keeper:
        entries = entries.filter(agency__in=agencies_with(user, *DISPATCHERS))
    return {
        **_supporter_out(s),
        "prefecture": s.prefecture_id,
        "birth_year": s.birth_year,
        "postal_code": s.postal_code,
        "address": s.address,
        "phone": s.phone,
        "email": s.email,
        "preferences": s.preferences,
        # the prefecture's own notes are not the supporter's nor the municipality's to read
        "notes": s.notes if keeper else None,
        "consent_signed_on": s.consent_signed_on,
        "consent_explained": s.consent_explained,
        "withdrawn_on": s.withdrawn_on,
        "withdrawal_reason": s.withdrawal_reason,
        "has_account": s.user_id is not None,
        "training": [
            {
                "course": e.course_id,
                "title": e.course.title,
                "kind": e.course.kind,
                "starts_on": e.course.starts_on,
                "completed_on": e.completed_on,
            }
            for e in selectors.training_history(s)
        ],
        "rosters": [
            {
                "id": e.pk,
                "agency": e.agency_id,
                "agency_name": e.agency.name,
                "confirmed_on": e.confirmed_on,
                "declined_on": e.declined_on,
            }
            for e in entries
        ],
    }


def _supporter(request: HttpRequest, supporter_id: int) -> Supporter:
    return get_visible(_user(request), Kind.SUPPORTER, Supporter.objects.all(), pk=supporter_id)


def _municipalities(ids: Iterable[int], field: str) -> list[Municipality]:
    wanted = list(dict.fromkeys(ids))
    found = list(Municipality.objects.filter(pk__in=wanted))
    if len(found) != len(wanted):
        raise ValidationError({field: [_("Choose a municipality from the list.")]})
    return found


def _supporter_data(data: dict[str, Any]) -> dict[str, Any]:
    for key in ("sex", "peer"):
        if key in data:
            data[key] = _enum(data[key])
    for key in ("availability", "languages"):
        if key in data and data[key] is not None:
            data[key] = [_enum(v) for v in data[key]]
    if "municipality" in data:
        m = data["municipality"]
        data["municipality"] = _municipalities([m], "municipality")[0] if m is not None else None
    return data


@router.get(
    "/supporters",
    response={200: SupporterPage, **READ},
    tags=["supporters"],
    summary="Supporters: the prefecture's, or those on your municipality's roster",
    description="`status`: training | completed | registered | withdrawn. `q`: a name in kanji "
    "or kana (full-width or half-width). Every supporter listed is in the access log.",
)
def list_supporters(
    request: HttpRequest,
    status: str = "",
    q: Line = "",
    limit: int = LIMIT,
    offset: int = OFFSET,
) -> Any:
    user = _user(request)
    found = selectors.supporters(user).select_related("municipality")
    if status:
        try:
            found = found.filter(selectors.status_q(status))
        except ValueError:
            raise ValidationError(
                {"status": [_("Choose one of: %(choices)s") % {"choices": _STATUSES}]}
            ) from None
    text = normalize_text(q)
    if text:
        found = found.filter(
            Q(name__icontains=text)
            | Q(name__icontains=text.replace(" ", "　"))
            | Q(name_kana__icontains=normalize_kana(text))
        )
    rows, count = _page(found, limit, offset)
    for s in rows:
        services.log_supporter("supporter.viewed", user, s, request, list="supporters")
    return {"items": [_supporter_out(s) for s in rows], "count": count}


_STATUSES = ", ".join(
    (
        SupporterStatus.TRAINING,
        SupporterStatus.COMPLETED,
        SupporterStatus.REGISTERED,
        SupporterStatus.WITHDRAWN,
    )
)


@router.post(
    "/supporters",
    response={201: SupporterDetailOut, **WRITE},
    tags=["supporters"],
    summary="Register a trainee (the prefecture keeps the record; on the roster after S2)",
)
def create_supporter(request: HttpRequest, payload: SupporterIn) -> Any:
    user = _user(request)
    prefectures = prefectures_with(user, Role.PREFECTURAL_OFFICER)
    prefecture_id = payload.prefecture
    if prefecture_id is None:
        if not prefectures:
            require(user, Action.CREATE, Kind.SUPPORTER)
            raise Denied("register supporter")
        prefecture_id = min(prefectures)
    data = _supporter_data(payload.dict(exclude={"prefecture", "areas"}))
    areas = _municipalities(payload.areas, "areas")
    s = services.register_trainee(user, prefecture_id, data, areas=areas, request=request)
    return Status(201, _supporter_detail(request, s))


@router.get(
    "/supporters/me",
    response={200: SupporterDetailOut, **READ},
    tags=["supporters"],
    summary="The supporter's own record (for a supporter's login)",
)
def my_record(request: HttpRequest) -> Any:
    user = _user(request)
    s = Supporter.objects.filter(user=user).first()
    if s is None or not can(user, Action.VIEW, Kind.SUPPORTER, s):
        raise Http404
    return _supporter_detail(request, s)


def _office(user: Any, agency: int | None) -> int:
    if agency is not None:
        return agency
    offices = agencies_with(user, Role.DISPATCH_COORDINATOR)
    if not offices:
        raise ValidationError({"agency": [_("Choose the municipal office.")]})
    return min(offices)


def _entry_out(e: RosterEntry) -> dict[str, Any]:
    return {
        "id": e.pk,
        "agency": e.agency_id,
        "release": e.release_id,
        "given_on": e.release.given_on if e.release_id and e.release else None,
        "supporter": _supporter_out(e.supporter),
        "confirmed_on": e.confirmed_on,
        "declined_on": e.declined_on,
        "note": e.note,
        "matchable": e.confirmed_on is not None
        and e.declined_on is None
        and e.supporter.withdrawn_on is None,
    }


@router.get(
    "/supporters/roster",
    response={200: RosterPage, **READ},
    tags=["supporters"],
    summary="A municipal office's roster (rule S3): who is on it and who was confirmed again",
    description="`agency`: the office (by default yours). `to_confirm=true`: only entries not "
    "yet confirmed. Withdrawn supporters are no longer on any roster.",
)
def get_roster(
    request: HttpRequest,
    agency: int | None = None,
    to_confirm: bool = False,
    limit: int = LIMIT,
    offset: int = OFFSET,
) -> Any:
    user = _user(request)
    office = _office(user, agency)
    found = selectors.roster(user, office).select_related("supporter__municipality")
    if to_confirm:
        found = found.filter(confirmed_on__isnull=True)
    rows, count = _page(found, limit, offset)
    for e in rows:
        services.log_supporter("roster.viewed", user, e.supporter, request, agency_id=e.agency_id)
    return {"items": [_entry_out(e) for e in rows], "count": count}


@router.post(
    "/supporters/roster/releases",
    response={201: ReleaseOut, **WRITE},
    tags=["supporters"],
    summary="Give the roster to a municipal office that runs or plans dispatch (rule S3)",
    description="Every registered supporter (trained, consent signed, S2) not already on the "
    "office's roster is added, waiting for the municipality's confirmation.",
)
def give_roster(request: HttpRequest, payload: ReleaseIn) -> Any:
    user = _user(request)
    agency = Agency.objects.filter(pk=payload.agency).first()
    if agency is None:
        raise ValidationError({"agency": [_("Choose a municipality of your prefecture.")]})
    release = services.give_roster(
        user,
        agency,
        dispatch_status=_enum(payload.dispatch_status),
        given_on=payload.given_on,
        note=payload.note,
        request=request,
    )
    return Status(
        201,
        {
            "id": release.pk,
            "agency": release.agency_id,
            "dispatch_status": release.dispatch_status,
            "given_on": release.given_on,
            "supporters": sorted(release.entries.values_list("supporter_id", flat=True)),
        },
    )


@router.post(
    "/supporters/roster/{entry_id}/confirm",
    response={200: RosterEntryOut, **WRITE},
    tags=["supporters"],
    summary="Confirm again that a supporter wishes to act here (rule S3), or record they do not",
)
def confirm_entry(request: HttpRequest, entry_id: int, payload: ConfirmIn) -> Any:
    user = _user(request)
    entry = get_visible(
        user, Kind.ROSTER, RosterEntry.objects.select_related("supporter"), pk=entry_id
    )
    done = services.confirm_entry(
        user,
        entry,
        wishes_to_act=payload.wishes_to_act,
        on=payload.on,
        note=payload.note,
        request=request,
    )
    done = RosterEntry.objects.select_related("supporter__municipality", "release").get(pk=done.pk)
    return _entry_out(done)


@router.get(
    "/supporters/{supporter_id}",
    response={200: SupporterDetailOut, **READ},
    tags=["supporters"],
    summary="A supporter's record, training history and rosters",
)
def get_supporter(request: HttpRequest, supporter_id: int) -> Any:
    return _supporter_detail(request, _supporter(request, supporter_id))


@router.patch(
    "/supporters/{supporter_id}",
    response={200: SupporterDetailOut, 409: ConflictOut, **WRITE},
    tags=["supporters"],
    summary="Change a supporter's record (the supporter: only contact, availability, "
    "languages, preferences and areas)",
)
def update_supporter(request: HttpRequest, supporter_id: int, payload: SupporterPatch) -> Any:
    user = _user(request)
    s = _supporter(request, supporter_id)
    sent = payload.dict(exclude_unset=True)
    version = sent.pop("version", None)
    areas_ids = sent.pop("areas", None)
    if not _keeper(user, s):
        require(user, Action.CHANGE, Kind.SUPPORTER, s)
        if set(sent) - set(services.OWN_FIELDS):
            raise Denied("supporter changes only their own preferences")
    for key in ("name_kana", "postal_code", "address", "phone", "email", "preferences", "notes"):
        if key in sent and sent[key] is None:
            sent[key] = ""
    for key in ("availability", "languages"):
        if key in sent and sent[key] is None:
            sent[key] = []
    if "sex" in sent and sent["sex"] is None:
        sent["sex"] = ""
    if "peer" in sent and sent["peer"] is None:
        sent["peer"] = ""
    data = _supporter_data(sent)
    areas = _municipalities(areas_ids, "areas") if areas_ids is not None else None
    done = services.update_supporter(user, s, data, areas=areas, version=version, request=request)
    return _supporter_detail(request, done)


@router.post(
    "/supporters/{supporter_id}/consent",
    response={200: SupporterDetailOut, **WRITE},
    tags=["supporters"],
    summary="Record the signed consent to act (rule S2), after the explanation",
    description="Refused (422) before the basic course is completed or without the explanation "
    "that the supporter's details go to the municipalities that dispatch supporters.",
)
def record_consent(request: HttpRequest, supporter_id: int, payload: ConsentIn) -> Any:
    s = _supporter(request, supporter_id)
    done = services.record_consent(
        _user(request),
        s,
        signed_on=payload.signed_on,
        explained=payload.explained,
        request=request,
    )
    return _supporter_detail(request, done)


@router.post(
    "/supporters/{supporter_id}/withdraw",
    response={200: SupporterDetailOut, **WRITE},
    tags=["supporters"],
    summary="The supporter withdraws: off every roster at once, their dispatches stop (S3, S5)",
)
def withdraw(request: HttpRequest, supporter_id: int, payload: WithdrawIn) -> Any:
    s = _supporter(request, supporter_id)
    done = services.withdraw(
        _user(request), s, on=payload.on, reason=payload.reason, request=request
    )
    return _supporter_detail(request, done)


@router.post(
    "/supporters/{supporter_id}/account",
    response={201: AccountOut, **WRITE},
    tags=["supporters"],
    summary="Give the supporter their own login (the phone view of their dispatches)",
)
def give_account(request: HttpRequest, supporter_id: int, payload: AccountIn) -> Any:
    s = _supporter(request, supporter_id)
    user = services.give_account(
        _user(request), s, username=payload.username, password=payload.password, request=request
    )
    return Status(201, {"supporter": s.pk, "user": user.pk, "username": user.username})


@router.get(
    "/supporters/{supporter_id}/consent-form",
    response={503: Error, 403: Error, **READ},
    tags=["supporters"],
    summary="The consent to act (活動同意書) as an A4 PDF, for the supporter's signature",
    description="The prefecture's officers; each print is in the access log.",
    openapi_extra=pdf_spec("The consent form (活動同意書), A4."),
)
def consent_form(request: HttpRequest, supporter_id: int) -> Any:
    user = _user(request)
    s = _supporter(request, supporter_id)
    if not _keeper(user, s):
        raise Denied("print consent form")
    from tsunagi.supporters.printing import consent_form_pdf

    return pdf_answer(lambda: consent_form_pdf(s, user, request), f"consent-{s.pk}.pdf")


# === dispatches (rules S4, S5, S6) ===========================================================


class DispatchIn(Schema):
    person: int = Field(..., description="The person (a record of your office).")
    requested_on: PastDate | None = Field(None, description=DATE_HELP)
    requested_by: Requester
    requester_name: Line = Field("", max_length=100)
    person_wish: Text = Field(..., description="What the person wants, in their words (S4).")
    wants_sex: SupporterSex = SupporterSex.UNSTATED
    wants_peer: bool = False
    wanted_slots: Slots = []
    wanted_languages: Languages = []
    request_notes: Text = ""


class DispatchPatch(Schema):
    requested_on: PastDate | None = None
    requested_by: Requester | None = None
    requester_name: Line | None = Field(None, max_length=100)
    person_wish: Text | None = None
    wants_sex: SupporterSex | None = None
    wants_peer: bool | None = None
    wanted_slots: Slots | None = None
    wanted_languages: Languages | None = None
    request_notes: Text | None = None
    version: int | None = None


class MatchIn(Schema):
    supporter: int
    version: int | None = None


class PlanIn(Schema):
    purpose: Text = Field(..., description="派遣目的")
    activity_plan: Text = Field(..., description="活動計画")
    activities: Text = Field(..., description="活動内容")
    starts_on: JapaneseDate | None = Field(None, description=DATE_HELP)
    ends_on: JapaneseDate | None = Field(None, description=DATE_HELP)
    version: int | None = None


class ConsentsIn(Schema):
    person_consent_on: PastDate | None = Field(None, description=DATE_HELP)
    person_consent_method: ConsentMethod = ConsentMethod.SIGNED
    person_consent_by: Requester = Requester.PERSON
    supporter_consent_on: PastDate | None = Field(None, description=DATE_HELP)
    version: int | None = None


class VersionIn(Schema):
    version: int | None = None


class StopIn(Schema):
    requested_by: StopRequester
    reason: Text


class EndIn(Schema):
    summary: Text
    version: int | None = None


class CancelIn(Schema):
    reason: Text


class GuidanceIn(Schema):
    text: Text
    report: int | None = Field(None, description="The visit report the advice is about.")
    follow_up_training: bool = False


class ReasonOut(Schema):
    points: int
    reason: str
    rule: str


class FindingOut(Schema):
    rule: str
    field: str
    reason: str


class HouseholdOut(Schema):
    """What the supporter sees of the household: name, address and contact only."""

    name: str
    name_kana: str
    postal_code: str
    municipality_name: str
    address: str
    phone: str
    mobile: str
    email: str
    preferred_contact: list[str]
    avoided_contact: list[str]
    contact_notes: str


class GuidanceOut(Schema):
    id: int
    text: str
    report: int | None
    follow_up_training: bool
    written_at: datetime.datetime
    seen_at: datetime.datetime | None


class VisitOut(Schema):
    id: int
    dispatch: int
    visited_on: datetime.date
    started_at: datetime.time | None
    duration_minutes: int
    place: str
    met: str
    what_happened: str
    concerns: str
    next_visit_on: datetime.date | None
    written_by_me: bool


class OfficeDispatchOut(Schema):
    """The dispatching office's part: the request, the case, the match, consents, the stop."""

    person: int
    case: int | None
    requested_on: datetime.date
    requested_by: str
    requester_name: str
    person_wish: str
    wants_sex: str
    wants_peer: bool
    wanted_slots: list[str]
    wanted_languages: list[str]
    request_notes: str
    match_reasons: list[ReasonOut]
    person_consent_on: datetime.date | None
    person_consent_method: str
    person_consent_by: str
    supporter_consent_on: datetime.date | None
    stop_requested_by: str
    stopped_at: datetime.datetime | None
    stop_reason: str
    start_findings: list[FindingOut]


class SupporterRef(Schema):
    id: int
    name: str


class DispatchRow(Schema):
    id: int
    number: str
    state: str
    state_label: str
    agency: int
    agency_name: str
    person_name: str
    supporter: SupporterRef | None
    starts_on: datetime.date | None
    ends_on: datetime.date | None
    version: int


class DispatchOut(DispatchRow):
    purpose: str
    activity_plan: str
    activities: str
    household: HouseholdOut | None
    guidance: list[GuidanceOut]
    visits: list[VisitOut]
    office: OfficeDispatchOut | None = Field(
        None, description="Only for the dispatching office; null in the supporter's view."
    )


class DispatchPage(Schema):
    items: list[DispatchRow]
    count: int


class CandidateOut(Schema):
    rank: int
    supporter: SupporterOut
    score: int
    reasons: list[ReasonOut]


class CandidatePage(Schema):
    items: list[CandidateOut]
    count: int


def _dispatch_qs() -> QuerySet[Dispatch]:
    return Dispatch.objects.select_related("agency", "person", "supporter", "case")


def _is_office(user: Any, d: Dispatch) -> bool:
    return d.agency_id in agencies_with(user, *DISPATCHERS)


def _dispatch(request: HttpRequest, dispatch_id: int) -> Dispatch:
    return get_visible(_user(request), Kind.DISPATCH, _dispatch_qs(), pk=dispatch_id)


def _own_dispatch(request: HttpRequest, dispatch_id: int) -> Dispatch:
    """A dispatch of the caller's office; the supporter who only sees it gets 403."""
    d = _dispatch(request, dispatch_id)
    require(_user(request), Action.CHANGE, Kind.DISPATCH, d)
    return d


def _row(d: Dispatch) -> dict[str, Any]:
    return {
        "id": d.pk,
        "number": d.number,
        "state": d.state,
        "state_label": str(d.get_state_display()),
        "agency": d.agency_id,
        "agency_name": d.agency.name,
        "person_name": d.person.full_name,
        "supporter": {"id": d.supporter_id, "name": d.supporter.name} if d.supporter else None,
        "starts_on": d.starts_on,
        "ends_on": d.ends_on,
        "version": d.version,
    }


def _household(p: Person) -> dict[str, Any]:
    return {
        "name": p.full_name,
        "name_kana": p.full_name_kana,
        "postal_code": p.postal_code,
        "municipality_name": p.municipality.name if p.municipality is not None else "",
        "address": p.address,
        "phone": p.phone,
        "mobile": p.mobile,
        "email": p.email,
        "preferred_contact": list(p.preferred_contact or []),
        "avoided_contact": list(p.avoided_contact or []),
        "contact_notes": p.contact_notes,
    }


def _guidance_out(g: Guidance) -> dict[str, Any]:
    return {
        "id": g.pk,
        "text": g.text,
        "report": g.report_id,
        "follow_up_training": g.follow_up_training,
        "written_at": g.created_at,
        "seen_at": g.seen_at,
    }


def _visit_out(v: VisitReport, user: Any) -> dict[str, Any]:
    return {
        "id": v.pk,
        "dispatch": v.dispatch_id,
        "visited_on": v.visited_on,
        "started_at": v.started_at,
        "duration_minutes": v.duration_minutes,
        "place": v.place,
        "met": v.met,
        "what_happened": v.what_happened,
        "concerns": v.concerns,
        "next_visit_on": v.next_visit_on,
        "written_by_me": v.written_by_id == user.pk,
    }


def _office_part(d: Dispatch) -> dict[str, Any]:
    from tsunagi.supporters import rules

    findings = rules.start_findings(services.facts(d)) if d.state == DispatchState.MATCHED else []
    return {
        "person": d.person_id,
        "case": d.case_id,
        "requested_on": d.requested_on,
        "requested_by": d.requested_by,
        "requester_name": d.requester_name,
        "person_wish": d.person_wish,
        "wants_sex": d.wants_sex,
        "wants_peer": d.wants_peer,
        "wanted_slots": list(d.wanted_slots or []),
        "wanted_languages": list(d.wanted_languages or []),
        "request_notes": d.request_notes,
        "match_reasons": list(d.match_reasons or []),
        "person_consent_on": d.person_consent_on,
        "person_consent_method": d.person_consent_method,
        "person_consent_by": d.person_consent_by,
        "supporter_consent_on": d.supporter_consent_on,
        "stop_requested_by": d.stop_requested_by,
        "stopped_at": d.stopped_at,
        "stop_reason": d.stop_reason,
        "start_findings": [
            {"rule": f.rule, "field": f.code, "reason": str(f.reason)} for f in findings
        ],
    }


def _dispatch_answer(request: HttpRequest, d: Dispatch) -> dict[str, Any]:
    """The dispatch as the caller sees it, every read logged: the office sees it whole; the
    supporter the household's identity and contact (the dispatch grant), the plan, the guidance
    and the visit reports, never the case (access.md grant 4)."""
    user = _user(request)
    d = _dispatch_qs().select_related("person__municipality").get(pk=d.pk)
    if not can(user, Action.VIEW, Kind.DISPATCH, d):
        raise Http404
    office = _is_office(user, d)
    services.log_dispatch_work("dispatch.viewed", user, d, d, request)
    household = None
    if office:
        log_read(user, Kind.PERSON, d.person, request)
        household = _household(d.person)
    else:
        seen = sight(user, Kind.PERSON, d.person)
        if seen is not None:
            log_shared_read(user, Kind.PERSON, d.person, seen, request)
            household = _household(d.person)
    guidance = list(d.guidance.all())
    if not office:
        # rule S6: the advice reaches the supporter; when they have read it is kept
        for g in guidance:
            if g.seen_at is None:
                services.mark_guidance_seen(user, g, request)
    visits = list(d.visits.all())
    for v in visits:
        services.log_dispatch_work("visit.viewed", user, v, d, request)
    return {
        **_row(d),
        "purpose": d.purpose,
        "activity_plan": d.activity_plan,
        "activities": d.activities,
        "household": household,
        "guidance": [_guidance_out(g) for g in guidance],
        "visits": [_visit_out(v, user) for v in visits],
        "office": _office_part(d) if office else None,
    }


def _dispatch_step(
    request: HttpRequest, dispatch_id: int, run: Callable[[Dispatch], Dispatch]
) -> Any:
    d = _own_dispatch(request, dispatch_id)
    try:
        done = run(d)
    except ValidationError as exc:
        d.refresh_from_db()
        return _state_conflict(exc, d.version)
    return _dispatch_answer(request, done)


@router.get(
    "/dispatches",
    response={200: DispatchPage, **READ},
    tags=["dispatches"],
    summary="Dispatches of your office; for a supporter, only their active dispatches",
    description="Filters (office): `state`, `person`, `supporter`.",
)
def list_dispatches(
    request: HttpRequest,
    state: DispatchState | None = None,
    person: int | None = None,
    supporter: int | None = None,
    limit: int = LIMIT,
    offset: int = OFFSET,
) -> Any:
    user = _user(request)
    if agencies_with(user, *DISPATCHERS):
        found = selectors.dispatches(user)
        if state is not None:
            found = found.filter(state=_enum(state))
        if person is not None:
            found = found.filter(person_id=person)
        if supporter is not None:
            found = found.filter(supporter_id=supporter)
    else:
        found = selectors.my_dispatches(user).select_related("agency", "supporter")
    rows, count = _page(found, limit, offset)
    for d in rows:
        services.log_dispatch_work("dispatch.viewed", user, d, d, request, list="dispatches")
    return {"items": [_row(d) for d in rows], "count": count}


@router.post(
    "/dispatches",
    response={201: DispatchOut, **WRITE},
    tags=["dispatches"],
    summary="Record a request for a supporter (rule S4: the person or the family asks)",
    description="On the person's open case (one is opened if none). `person_wish`, in the "
    "person's words, is required.",
)
def create_dispatch(request: HttpRequest, payload: DispatchIn) -> Any:
    user = _user(request)
    require(user, Action.CREATE, Kind.DISPATCH)
    person = _pick(
        user, Person, payload.person, "person", _("Choose a person of your office."), Kind.PERSON
    )
    data = payload.dict(exclude={"person"})
    if data["requested_on"] is None:
        del data["requested_on"]
    for key in ("requested_by", "wants_sex"):
        data[key] = _enum(data[key])
    data["wanted_slots"] = [_enum(v) for v in data["wanted_slots"]]
    data["wanted_languages"] = [_enum(v) for v in data["wanted_languages"]]
    d = services.request_dispatch(user, person, data, request=request)
    return Status(201, _dispatch_answer(request, d))


@router.get(
    "/dispatches/{dispatch_id}",
    response={200: DispatchOut, **READ},
    tags=["dispatches"],
    summary="A dispatch: the office sees all of it, the supporter only what they need",
)
def get_dispatch(request: HttpRequest, dispatch_id: int) -> Any:
    return _dispatch_answer(request, _dispatch(request, dispatch_id))


@router.patch(
    "/dispatches/{dispatch_id}",
    response={200: DispatchOut, **STEP},
    tags=["dispatches"],
    summary="Change the request before the start (send the version you read)",
)
def update_dispatch(request: HttpRequest, dispatch_id: int, payload: DispatchPatch) -> Any:
    sent = payload.dict(exclude_unset=True)
    version = sent.pop("version", None)
    data = {k: v for k, v in sent.items() if v is not None}
    for key in ("requested_by", "wants_sex"):
        if key in data:
            data[key] = _enum(data[key])
    for key in ("wanted_slots", "wanted_languages"):
        if key in data:
            data[key] = [_enum(v) for v in data[key]]
    for key in ("requester_name", "request_notes"):
        if key in sent and sent[key] is None:
            data[key] = ""
    return _dispatch_step(
        request,
        dispatch_id,
        lambda d: services.update_request(
            _user(request), d, data, version=version, request=request
        ),
    )


@router.get(
    "/dispatches/{dispatch_id}/candidates",
    response={200: CandidatePage, **WRITE},
    tags=["dispatches"],
    summary="The supporters that may be matched, best first, each with its reasons (S3, S4)",
    description="Only supporters on the office's roster, registered (S2) and confirmed again "
    "(S3). Reasons: area, distance, slots, sex asked for, peer, languages, past dispatches, load.",
)
def candidates(request: HttpRequest, dispatch_id: int) -> Any:
    user = _user(request)
    d = _own_dispatch(request, dispatch_id)
    ranked = selectors.ranked_supporters(d)
    items = []
    for i, r in enumerate(ranked, start=1):
        services.log_supporter(
            "supporter.viewed", user, r.supporter, request, agency_id=d.agency_id, dispatch=d.pk
        )
        items.append(
            {
                "rank": i,
                "supporter": _supporter_out(r.supporter),
                "score": r.ranked.score,
                "reasons": r.ranked.explanation,
            }
        )
    return {"items": items, "count": len(items)}


@router.post(
    "/dispatches/{dispatch_id}/match",
    response={200: DispatchOut, **STEP},
    tags=["dispatches"],
    summary="Choose the supporter (rule S3: only one confirmed on your roster)",
)
def match(request: HttpRequest, dispatch_id: int, payload: MatchIn) -> Any:
    user = _user(request)

    def run(d: Dispatch) -> Dispatch:
        s = Supporter.objects.filter(pk=payload.supporter).first()
        if s is None:
            raise ValidationError(
                {
                    "supporter": [
                        "S3: "
                        + _(
                            "Only a supporter on this municipality's roster, with a signed "
                            "consent and confirmed again by the municipality, can be matched."
                        )
                    ]
                }
            )
        return services.match(user, d, s, version=payload.version, request=request)

    return _dispatch_step(request, dispatch_id, run)


@router.put(
    "/dispatches/{dispatch_id}/plan",
    response={200: DispatchOut, **STEP},
    tags=["dispatches"],
    summary="Write the dispatch plan: purpose, activity plan, activities (S4)",
    description="A changed purpose, plan or activities needs both consents again.",
)
def write_plan(request: HttpRequest, dispatch_id: int, payload: PlanIn) -> Any:
    data = payload.dict(exclude={"version"})
    errors = {
        k: [_("This field is required.")]
        for k in ("purpose", "activity_plan", "activities")
        if not data[k]
    }
    if errors:
        raise ValidationError(errors)
    return _dispatch_step(
        request,
        dispatch_id,
        lambda d: services.write_plan(
            _user(request), d, data, version=payload.version, request=request
        ),
    )


@router.post(
    "/dispatches/{dispatch_id}/consents",
    response={200: DispatchOut, **STEP},
    tags=["dispatches"],
    summary="Record the person's (or family's) and the supporter's consent to the plan (S4)",
)
def record_consents(request: HttpRequest, dispatch_id: int, payload: ConsentsIn) -> Any:
    return _dispatch_step(
        request,
        dispatch_id,
        lambda d: services.record_consents(
            _user(request),
            d,
            person_consent_on=payload.person_consent_on,
            person_consent_method=_enum(payload.person_consent_method),
            person_consent_by=_enum(payload.person_consent_by),
            supporter_consent_on=payload.supporter_consent_on,
            version=payload.version,
            request=request,
        ),
    )


@router.post(
    "/dispatches/{dispatch_id}/start",
    response={200: DispatchOut, **STEP},
    tags=["dispatches"],
    summary="Start the dispatch (S4: supporter confirmed, plan written, both consents)",
    description="Each missing piece is a 422 error with its rule. From now on the supporter "
    "sees the household's name, address and contact.",
)
def start(request: HttpRequest, dispatch_id: int, payload: VersionIn) -> Any:
    return _dispatch_step(
        request,
        dispatch_id,
        lambda d: services.start(_user(request), d, version=payload.version, request=request),
    )


@router.post(
    "/dispatches/{dispatch_id}/share",
    response={200: DispatchOut, **STEP},
    tags=["dispatches"],
    summary="Share the household with the supporter of an active dispatch (S4)",
    description="For a supporter whose account was made after the start, or whose sharing ran "
    "out while the dispatch goes on: the dispatch grant (name, address, contact).",
)
def share(request: HttpRequest, dispatch_id: int) -> Any:
    return _dispatch_step(
        request,
        dispatch_id,
        lambda d: services.share_household(_user(request), d, request=request),
    )


@router.post(
    "/dispatches/{dispatch_id}/stop",
    response={200: DispatchOut, **STEP},
    tags=["dispatches"],
    summary="Stop at once on a request to stop (rule S5; never refused for a stale version)",
    description="The supporter's view loses the household at once; no visit can be recorded.",
)
def stop(request: HttpRequest, dispatch_id: int, payload: StopIn) -> Any:
    return _dispatch_step(
        request,
        dispatch_id,
        lambda d: services.stop(
            _user(request),
            d,
            requested_by=_enum(payload.requested_by),
            reason=payload.reason,
            request=request,
        ),
    )


@router.post(
    "/dispatches/{dispatch_id}/end",
    response={200: DispatchOut, **STEP},
    tags=["dispatches"],
    summary="End the dispatch as planned",
)
def end(request: HttpRequest, dispatch_id: int, payload: EndIn) -> Any:
    return _dispatch_step(
        request,
        dispatch_id,
        lambda d: services.end(
            _user(request), d, summary=payload.summary, version=payload.version, request=request
        ),
    )


@router.post(
    "/dispatches/{dispatch_id}/cancel",
    response={200: DispatchOut, **STEP},
    tags=["dispatches"],
    summary="Cancel a request before the dispatch started",
)
def cancel(request: HttpRequest, dispatch_id: int, payload: CancelIn) -> Any:
    return _dispatch_step(
        request,
        dispatch_id,
        lambda d: services.cancel(_user(request), d, reason=payload.reason, request=request),
    )


@router.post(
    "/dispatches/{dispatch_id}/guidance",
    response={201: GuidanceOut, **WRITE},
    tags=["dispatches"],
    summary="Give the supporter advice (rule S6), possibly follow-up training",
)
def give_guidance(request: HttpRequest, dispatch_id: int, payload: GuidanceIn) -> Any:
    user = _user(request)
    d = _own_dispatch(request, dispatch_id)
    report = None
    if payload.report is not None:
        report = d.visits.filter(pk=payload.report).first()
        if report is None:
            raise ValidationError({"report": [_("The visit report belongs to another dispatch.")]})
    g = services.give_guidance(
        user,
        d,
        text=payload.text,
        report=report,
        follow_up_training=payload.follow_up_training,
        request=request,
    )
    return Status(201, _guidance_out(g))


@router.get(
    "/dispatches/{dispatch_id}/print",
    response={503: Error, 403: Error, **READ},
    tags=["dispatches"],
    summary="The dispatch plan (派遣計画書) as an A4 PDF",
    description="The dispatching office; each print is in the access log. Without the purpose, "
    "the activity plan and the activities: 422 (S4).",
    openapi_extra=pdf_spec("The dispatch plan (派遣計画書), A4."),
)
def print_dispatch(request: HttpRequest, dispatch_id: int) -> Any:
    from tsunagi.supporters.printing import dispatch_plan_pdf

    d = _own_dispatch(request, dispatch_id)
    user = _user(request)

    def make() -> bytes:
        pdf = dispatch_plan_pdf(d, user)
        services.log_dispatch_work("dispatch.printed", user, d, d, request)
        return pdf

    return pdf_answer(make, f"dispatch-{d.pk}.pdf")


# === visit reports (rules S5, S6) ============================================================


class VisitIn(Schema):
    dispatch: int
    visited_on: JapaneseDate = Field(..., description=DATE_HELP)
    started_at: datetime.time | None = None
    duration_minutes: Int = Field(..., description="1 to 720.")
    place: VisitPlace
    met: MetWhom
    what_happened: Text
    concerns: Text = ""
    next_visit_on: JapaneseDate | None = Field(None, description=DATE_HELP)


class VisitDetailOut(VisitOut):
    guidance: list[GuidanceOut]


class VisitPage(Schema):
    items: list[VisitOut]
    count: int


@router.get(
    "/visit-reports",
    response={200: VisitPage, **READ},
    tags=["dispatches"],
    summary="Visit reports (the office's; a supporter's of their active dispatches)",
)
def list_visits(
    request: HttpRequest, dispatch: int | None = None, limit: int = LIMIT, offset: int = OFFSET
) -> Any:
    user = _user(request)
    found = scope(user, Kind.VISIT_REPORT, VisitReport.objects.select_related("dispatch"))
    if dispatch is not None:
        found = found.filter(dispatch_id=dispatch)
    rows, count = _page(found, limit, offset)
    for v in rows:
        services.log_dispatch_work("visit.viewed", user, v, v.dispatch, request, list="visits")
    return {"items": [_visit_out(v, user) for v in rows], "count": count}


@router.post(
    "/visit-reports",
    response={201: VisitDetailOut, **WRITE},
    tags=["dispatches"],
    summary="Report a visit (rule S6); never on a stopped dispatch (rule S5)",
)
def create_visit(request: HttpRequest, payload: VisitIn) -> Any:
    user = _user(request)
    d = Dispatch.objects.filter(pk=payload.dispatch).first()
    if d is None:
        raise Http404
    data = payload.dict(exclude={"dispatch"})
    data["place"], data["met"] = _enum(payload.place), _enum(payload.met)
    v = services.record_visit(user, d, data, request=request)
    return Status(201, {**_visit_out(v, user), "guidance": []})


@router.get(
    "/visit-reports/{report_id}",
    response={200: VisitDetailOut, **READ},
    tags=["dispatches"],
    summary="One visit report with the guidance given on it",
)
def get_visit(request: HttpRequest, report_id: int) -> Any:
    user = _user(request)
    v = get_visible(
        user, Kind.VISIT_REPORT, VisitReport.objects.select_related("dispatch"), pk=report_id
    )
    services.log_dispatch_work("visit.viewed", user, v, v.dispatch, request)
    return {**_visit_out(v, user), "guidance": [_guidance_out(g) for g in v.guidance.all()]}


# === incidents (rule S8) =====================================================================


class IncidentIn(Schema):
    dispatch: int
    visit: int | None = None
    occurred_at: LocalDateTime = Field(..., description="Japan time if no zone is given.")
    kind: IncidentKind
    severity: Severity
    what_happened: Text
    immediate_action: Text = ""


class StepIn(Schema):
    what: Text
    taken_on: PastDate | None = Field(None, description=DATE_HELP)


class CloseIn(Schema):
    summary: Text
    version: int | None = None


class StepOut(Schema):
    id: int
    taken_on: datetime.date
    what: str


class IncidentOut(Schema):
    id: int
    dispatch: int
    dispatch_number: str
    visit: int | None
    occurred_at: datetime.datetime
    kind: str
    kind_label: str
    severity: str
    what_happened: str
    immediate_action: str
    reported_at: datetime.datetime
    acknowledged_at: datetime.datetime | None
    state: str
    state_label: str
    closed_at: datetime.datetime | None
    closure_summary: str
    version: int


class IncidentDetailOut(IncidentOut):
    steps: list[StepOut]


class IncidentPage(Schema):
    items: list[IncidentOut]
    count: int


def _incident_out(i: Incident) -> dict[str, Any]:
    return {
        "id": i.pk,
        "dispatch": i.dispatch_id,
        "dispatch_number": i.dispatch.number,
        "visit": i.visit_id,
        "occurred_at": i.occurred_at,
        "kind": i.kind,
        "kind_label": str(i.get_kind_display()),
        "severity": i.severity,
        "what_happened": i.what_happened,
        "immediate_action": i.immediate_action,
        "reported_at": i.reported_at,
        "acknowledged_at": i.acknowledged_at,
        "state": i.state,
        "state_label": str(i.get_state_display()),
        "closed_at": i.closed_at,
        "closure_summary": i.closure_summary,
        "version": i.version,
    }


def _incident_detail(request: HttpRequest, i: Incident) -> dict[str, Any]:
    user = _user(request)
    i = Incident.objects.select_related("dispatch").get(pk=i.pk)
    services.log_dispatch_work("incident.viewed", user, i, i.dispatch, request)
    steps = [{"id": s.pk, "taken_on": s.taken_on, "what": s.what} for s in i.steps.all()]
    return {**_incident_out(i), "steps": steps}


def _incident(request: HttpRequest, incident_id: int) -> Incident:
    return get_visible(
        _user(request), Kind.INCIDENT, Incident.objects.select_related("dispatch"), pk=incident_id
    )


@router.get(
    "/incidents",
    response={200: IncidentPage, **READ},
    tags=["dispatches"],
    summary="Incidents (S8): the office's, the unseen and open first; a supporter's own",
    description="`state`: reported | following_up | closed; `open=true`: not closed.",
)
def list_incidents(
    request: HttpRequest,
    state: IncidentState | None = None,
    open: bool = False,
    dispatch: int | None = None,
    limit: int = LIMIT,
    offset: int = OFFSET,
) -> Any:
    user = _user(request)
    found = scope(user, Kind.INCIDENT, Incident.objects.select_related("dispatch")).order_by(
        selectors.F_unseen_first(), "-reported_at", "-pk"
    )
    if state is not None:
        found = found.filter(state=_enum(state))
    if open:
        found = found.exclude(state=IncidentState.CLOSED)
    if dispatch is not None:
        found = found.filter(dispatch_id=dispatch)
    rows, count = _page(found, limit, offset)
    for i in rows:
        services.log_dispatch_work("incident.viewed", user, i, i.dispatch, request, list=True)
    return {"items": [_incident_out(i) for i in rows], "count": count}


@router.post(
    "/incidents",
    response={201: IncidentDetailOut, **WRITE},
    tags=["dispatches"],
    summary="Report an incident (S8): it reaches the coordinator at once",
)
def report_incident(request: HttpRequest, payload: IncidentIn) -> Any:
    user = _user(request)
    d = _dispatch(request, payload.dispatch)
    data = payload.dict(exclude={"dispatch", "visit"})
    data["kind"], data["severity"] = _enum(payload.kind), _enum(payload.severity)
    if payload.visit is not None:
        visit = d.visits.filter(pk=payload.visit).first()
        if visit is None:
            raise ValidationError({"visit": [_("The visit report belongs to another dispatch.")]})
        data["visit"] = visit
    i = services.report_incident(user, d, data, request=request)
    return Status(201, _incident_detail(request, i))


@router.get(
    "/incidents/{incident_id}",
    response={200: IncidentDetailOut, **READ},
    tags=["dispatches"],
    summary="An incident with its follow-up steps",
)
def get_incident(request: HttpRequest, incident_id: int) -> Any:
    return _incident_detail(request, _incident(request, incident_id))


@router.post(
    "/incidents/{incident_id}/acknowledge",
    response={200: IncidentDetailOut, **WRITE},
    tags=["dispatches"],
    summary="The coordinator has seen the report",
)
def acknowledge_incident(request: HttpRequest, incident_id: int) -> Any:
    i = services.acknowledge_incident(_user(request), _incident(request, incident_id), request)
    return _incident_detail(request, i)


@router.post(
    "/incidents/{incident_id}/steps",
    response={201: IncidentDetailOut, **WRITE},
    tags=["dispatches"],
    summary="Add a follow-up step",
)
def add_incident_step(request: HttpRequest, incident_id: int, payload: StepIn) -> Any:
    i = _incident(request, incident_id)
    services.add_incident_step(
        _user(request), i, what=payload.what, taken_on=payload.taken_on, request=request
    )
    return Status(201, _incident_detail(request, i))


@router.post(
    "/incidents/{incident_id}/close",
    response={200: IncidentDetailOut, 409: ConflictOut, **WRITE},
    tags=["dispatches"],
    summary="Close the incident (S8: after at least one follow-up step, with how it was resolved)",
)
def close_incident(request: HttpRequest, incident_id: int, payload: CloseIn) -> Any:
    i = _incident(request, incident_id)
    done = services.close_incident(
        _user(request), i, summary=payload.summary, version=payload.version, request=request
    )
    return _incident_detail(request, done)


# === found cases (rule S7) ===================================================================


class FoundCaseIn(Schema):
    agency: int | None = Field(
        None, description="The municipal office told; by default one that confirmed you."
    )
    where: Line = Field(..., max_length=200)
    description: Text
    estimated_age: Int | None = None
    urgent: bool = False


class DecisionIn(Schema):
    open_intake: bool
    note: Text = ""
    person: int | None = Field(None, description="The person registered in your office.")


class FoundCaseOut(Schema):
    id: int
    agency: int
    reported_at: datetime.datetime
    where: str
    description: str
    estimated_age: int | None
    urgent: bool
    state: str
    state_label: str
    case: int | None = Field(..., description="The case opened; only for the office.")
    decision_note: str = Field(..., description="The office's note; empty for the supporter.")
    decided_at: datetime.datetime | None


class FoundCasePage(Schema):
    items: list[FoundCaseOut]
    count: int


def _found_out(f: FoundCase, user: Any) -> dict[str, Any]:
    """The found case; the office's decision (its note and the case it opened) only to those
    who work for the office, never to the supporter who reported it (rule S7)."""
    office = f.agency_id in agencies_with(user, *DISPATCHERS)
    return {
        "id": f.pk,
        "agency": f.agency_id,
        "reported_at": f.reported_at,
        "where": f.where,
        "description": f.description,
        "estimated_age": f.estimated_age,
        "urgent": f.urgent,
        "state": f.state,
        "state_label": str(f.get_state_display()),
        "case": f.case_id if office else None,
        "decision_note": f.decision_note if office else "",
        "decided_at": f.decided_at,
    }


def _log_found(action: str, user: Any, f: FoundCase, request: HttpRequest) -> None:
    from tsunagi.access import audit

    audit.record(action, actor=user, request=request, agency_id=f.agency_id, obj=f, personal=True)


@router.get(
    "/found-cases",
    response={200: FoundCasePage, **READ},
    tags=["dispatches"],
    summary="Hidden cases found by supporters (S7): the office's, or a supporter's own reports",
)
def list_found_cases(
    request: HttpRequest,
    state: FoundCaseState | None = None,
    limit: int = LIMIT,
    offset: int = OFFSET,
) -> Any:
    user = _user(request)
    found = scope(user, Kind.FOUND_CASE, FoundCase.objects.all()).order_by(
        "-urgent", "-reported_at", "-pk"
    )
    if state is not None:
        found = found.filter(state=_enum(state))
    rows, count = _page(found, limit, offset)
    for f in rows:
        _log_found("found_case.viewed", user, f, request)
    return {"items": [_found_out(f, user) for f in rows], "count": count}


@router.post(
    "/found-cases",
    response={201: FoundCaseOut, **WRITE},
    tags=["dispatches"],
    summary="Report a hidden case you noticed (S7) to a municipality that confirmed you",
)
def report_found_case(request: HttpRequest, payload: FoundCaseIn) -> Any:
    user = _user(request)
    require(user, Action.CREATE, Kind.FOUND_CASE)
    agency_id = payload.agency
    if agency_id is None:
        offices = sorted(agencies_with(user, *DISPATCHERS))
        confirmed = (
            RosterEntry.objects.matchable()
            .filter(supporter__user=user)
            .order_by("pk")
            .values_list("agency_id", flat=True)
        )
        agency_id = next(iter(offices), None) or confirmed.first()
    agency = Agency.objects.filter(pk=agency_id).first() if agency_id else None
    if agency is None:
        raise ValidationError({"agency": [_("Choose the municipal office.")]})
    data = payload.dict(exclude={"agency"})
    f = services.report_found_case(user, agency, data, request=request)
    return Status(201, _found_out(f, user))


@router.get(
    "/found-cases/{found_id}",
    response={200: FoundCaseOut, **READ},
    tags=["dispatches"],
    summary="A found case",
)
def get_found_case(request: HttpRequest, found_id: int) -> Any:
    user = _user(request)
    f = get_visible(user, Kind.FOUND_CASE, FoundCase.objects.all(), pk=found_id)
    _log_found("found_case.viewed", user, f, request)
    return _found_out(f, user)


@router.post(
    "/found-cases/{found_id}/decision",
    response={200: FoundCaseOut, **STEP},
    tags=["dispatches"],
    summary="Decide on support (S7): open an intake for a registered person, or no action",
)
def decide_found_case(request: HttpRequest, found_id: int, payload: DecisionIn) -> Any:
    user = _user(request)
    f = get_visible(user, Kind.FOUND_CASE, FoundCase.objects.all(), pk=found_id)
    require(user, Action.CHANGE, Kind.FOUND_CASE, f)
    person = None
    if payload.person is not None:
        person = _pick(
            user,
            Person,
            payload.person,
            "person",
            _("Choose a person of your office."),
            Kind.PERSON,
        )
    try:
        done = services.decide_found_case(
            user, f, open_intake=payload.open_intake, note=payload.note, person=person,
            request=request,
        )  # fmt: skip
    except ValidationError as exc:
        return _state_conflict(exc, None)
    return _found_out(done, user)
