"""The API of referrals (つなぎ, rules P1, P4, R5) and support meetings (rule P5).

Thin: parse, call one service of `tsunagi.referrals` or `tsunagi.meetings`, answer. A referral
the caller may not see (a draft, for the receiving agency) answers 404 like one that does not
exist; a step that belongs to the other side answers 403; a step the referral's state does not
allow answers 409 with the reason. Every read of a referral goes in the access log, on the
grant's ground for the receiving agency (rule P3).
"""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.responses import Status

from tsunagi.access import audit
from tsunagi.access.models import AuditEvent
from tsunagi.access.policy import (
    CASEWORKERS,
    Action,
    Kind,
    agencies_with,
    can,
    get_visible,
    scope,
    sight,
    standing,
)
from tsunagi.access.shared import shown_name
from tsunagi.agencies.models import Agency
from tsunagi.consent.models import Consent
from tsunagi.meetings import services as meeting_services
from tsunagi.meetings.models import AgendaItem, Meeting
from tsunagi.people import services as people
from tsunagi.people.models import Case, Person
from tsunagi.referrals import rules, selectors, services
from tsunagi.referrals.models import Referral, State

from .people_schemas import ConflictOut
from .referral_schemas import (
    AcceptIn,
    AgendaIn,
    CancelIn,
    ConsentIn,
    DeclineIn,
    Direction,
    FirstContactIn,
    MeetingDetailOut,
    MeetingIn,
    MeetingOut,
    ReferralDetailOut,
    ReferralIn,
    ReferralPage,
    VersionIn,
    agenda_item_out,
    meeting_out,
    referral_detail,
    referral_out,
)
from .schemas import Error, ValidationErrorOut

router = Router(tags=["referrals"])
meetings_router = Router(tags=["meetings"])

READ = {401: Error, 404: Error, 422: ValidationErrorOut}
WRITE = {401: Error, 403: Error, 404: Error, 422: ValidationErrorOut}
STEP = {409: ConflictOut, **WRITE}


def _user(request: HttpRequest) -> Any:
    return request.user


def _referral_qs() -> Any:
    return Referral.objects.select_related(
        "agency", "to_agency", "person", "case", "consent", "grant", "received_case"
    )


def _visible_referral(request: HttpRequest, referral_id: int) -> Referral:
    referral: Referral = get_visible(_user(request), Kind.REFERRAL, _referral_qs(), pk=referral_id)
    return referral


def _person_name(user: Any, referral: Referral, side: str) -> str | None:
    """The sender sees its own person; the receiver the name only while a grant names the
    identity (rule P1), so a withdrawal hides it at once (rule P4)."""
    return shown_name(user, referral.person)


def _answer(request: HttpRequest, referral: Referral) -> dict[str, Any]:
    """The referral as the caller's side sees it, its read logged on the caller's ground."""
    user = _user(request)
    referral = _referral_qs().get(pk=referral.pk)
    seen = standing(user, Kind.REFERRAL, referral)
    if seen is None:
        raise Http404
    side = rules.SENDER if seen.owner else rules.RECEIVER
    audit.personal(
        "referral.viewed",
        user,
        referral,
        request,
        ground=seen.ground,
        actor_agency_id=seen.agency_id,
    )
    return referral_detail(referral, side, _person_name(user, referral, side))


def _step(request: HttpRequest, referral_id: int, run: Callable[[Referral], Any]) -> Any:
    """Run one step; a state that does not allow it answers 409 with the reason."""
    referral = _visible_referral(request, referral_id)
    try:
        done = run(referral)
    except ValidationError as exc:
        problems = getattr(exc, "error_dict", {})
        if set(problems) == {"state"}:
            message = " ".join(str(m) for e in problems["state"] for m in e.messages)
            return Status(409, {"detail": message, "current_version": referral.version})
        raise
    if isinstance(done, tuple):
        done = done[0]
    return _answer(request, done)


# --- referrals ------------------------------------------------------------------------------


@router.post(
    "",
    response={201: ReferralDetailOut, **WRITE},
    summary="Draft a referral of a case's person to another agency",
    description="Without a consent in order (rule P1) the referral stays a draft and its "
    "`findings` say “consent missing”.",
)
def create_referral(request: HttpRequest, payload: ReferralIn) -> Any:
    user = _user(request)
    case = get_visible(user, Kind.CASE, Case.objects.select_related("person"), pk=payload.case)
    to_agency = Agency.objects.filter(pk=payload.to_agency).first()
    if to_agency is None:
        raise ValidationError({"to_agency": _("No agency has this id.")})
    consent = None
    if payload.consent is not None:
        consent = get_visible(user, Kind.CONSENT, Consent.objects.all(), pk=payload.consent)
    referral = services.draft_referral(
        user,
        case,
        to_agency=to_agency,
        purpose=payload.purpose,
        rule=payload.rule,
        consent=consent,
        wishes=payload.wishes,
        request=request,
    )
    return Status(201, _answer(request, referral))


@router.get(
    "",
    response={200: ReferralPage, **READ},
    summary="Referrals your agency sent or received (drafts only on the sending side)",
    description="`direction`: `sent`, `received` or empty for both; `state`: one state.",
)
def list_referrals(
    request: HttpRequest,
    direction: Direction = "",
    state: State | None = None,
    limit: int = Query(50, ge=1, le=200, description="At most 200 rows per page."),
    offset: int = Query(0, ge=0),
) -> Any:
    user = _user(request)
    wanted = str(state.value) if state is not None else ""
    if direction == "sent":
        found = selectors.sent_by(user, wanted)
    elif direction == "received":
        found = selectors.received_by(user, wanted)
    else:
        found = scope(user, Kind.REFERRAL, _referral_qs()).order_by("-created_at", "-id")
        if wanted:
            found = found.filter(state=wanted)
    rows = list(found[offset : offset + limit])
    items = []
    events = []
    for referral in rows:
        seen = standing(user, Kind.REFERRAL, referral)
        if seen is None:
            continue
        side = rules.SENDER if seen.owner else rules.RECEIVER
        items.append(referral_out(referral, side, _person_name(user, referral, side)))
        events.append(
            AuditEvent(
                actor=user,
                actor_username=user.get_username(),
                agency_id=referral.agency_id,
                action="referral.listed",
                record_kind="referral",
                record_id=str(referral.pk),
                subject_id=referral.person_id,
                actor_agency_id=seen.agency_id,
                personal=True,
                grant=seen.ground,
                detail={"direction": direction, "state": wanted},
                ip_address=audit.client_ip(request),
            )
        )
    AuditEvent.objects.bulk_create(events)  # every referral shown, on its ground (rule P3)
    return {"items": items, "count": found.count()}


@router.get(
    "/{referral_id}",
    response={200: ReferralDetailOut, **READ},
    summary="A referral: state, what stops it (P1 “consent missing”), next steps, dates, consent",
)
def get_referral(request: HttpRequest, referral_id: int) -> Any:
    return _answer(request, _visible_referral(request, referral_id))


@router.post(
    "/{referral_id}/consent",
    response={200: ReferralDetailOut, **STEP},
    summary="Attach the person's consent; it must name the receiving agency (rule P1)",
)
def confirm_consent(request: HttpRequest, referral_id: int, payload: ConsentIn) -> Any:
    user = _user(request)
    consent = Consent.objects.filter(pk=payload.consent).first()
    if consent is None or not can(user, Action.VIEW, Kind.CONSENT, consent):
        raise ValidationError({"consent": _("No consent with this id is on your record.")})
    return _step(
        request,
        referral_id,
        lambda r: services.confirm_consent(
            user, r, consent, version=payload.version, request=request
        ),
    )


@router.post(
    "/{referral_id}/send",
    response={200: ReferralDetailOut, **STEP},
    summary="Send: the consent is checked again and the receiving agency gets its grant",
)
def send_referral(request: HttpRequest, referral_id: int, payload: VersionIn | None = None) -> Any:
    version = payload.version if payload is not None else None
    return _step(
        request,
        referral_id,
        lambda r: services.send_referral(_user(request), r, version=version, request=request),
    )


@router.post(
    "/{referral_id}/receive",
    response={200: ReferralDetailOut, **STEP},
    summary="The receiving agency marks the referral as received",
)
def receive_referral(request: HttpRequest, referral_id: int) -> Any:
    return _step(
        request,
        referral_id,
        lambda r: services.receive_referral(_user(request), r, request=request),
    )


@router.post(
    "/{referral_id}/accept",
    response={200: ReferralDetailOut, **STEP},
    summary="The receiving agency takes the person on and opens its own case",
)
def accept_referral(request: HttpRequest, referral_id: int, payload: AcceptIn | None = None) -> Any:
    user = _user(request)
    person = None
    if payload is not None and payload.person is not None:
        person = Person.objects.filter(pk=payload.person).first()
        if person is None or not can(user, Action.VIEW, Kind.PERSON, person):
            raise ValidationError({"person": _("Choose a person of your own agency.")})
    return _step(
        request,
        referral_id,
        lambda r: services.accept_referral(user, r, person=person, request=request),
    )


@router.post(
    "/{referral_id}/decline",
    response={200: ReferralDetailOut, **STEP},
    summary="The receiving agency declines, saying why",
)
def decline_referral(request: HttpRequest, referral_id: int, payload: DeclineIn) -> Any:
    return _step(
        request,
        referral_id,
        lambda r: services.decline_referral(
            _user(request), r, reason=payload.reason, request=request
        ),
    )


@router.post(
    "/{referral_id}/first-contact",
    response={200: ReferralDetailOut, **STEP},
    summary="The receiving agency records its first contact with the person (rule R5)",
)
def first_contact(request: HttpRequest, referral_id: int, payload: FirstContactIn) -> Any:
    user = _user(request)
    data: dict[str, Any] = {}
    for key, value in payload.dict().items():
        if key == "occurred_at" and value is None:
            continue
        if isinstance(value, list):
            value = [str(v) for v in value]
        elif isinstance(value, str):
            value = str(value)
        data[key] = value
    if data.get("initiator_person") is not None:
        caller = Person.objects.filter(pk=data["initiator_person"]).first()
        if caller is None or not can(user, Action.VIEW, Kind.PERSON, caller):
            raise ValidationError({"initiator_person": _("Choose a person of your own agency.")})
        data["initiator_person"] = caller
    return _step(
        request,
        referral_id,
        lambda r: services.record_first_contact(user, r, data, request=request),
    )


@router.post(
    "/{referral_id}/close",
    response={200: ReferralDetailOut, **STEP},
    summary="The referring agency closes the loop after the first contact or a decline",
)
def close_referral(request: HttpRequest, referral_id: int) -> Any:
    return _step(
        request, referral_id, lambda r: services.close_referral(_user(request), r, request=request)
    )


@router.post(
    "/{referral_id}/cancel",
    response={200: ReferralDetailOut, **STEP},
    summary="The referring agency cancels a referral not yet decided; its grant ends now",
)
def cancel_referral(request: HttpRequest, referral_id: int, payload: CancelIn) -> Any:
    return _step(
        request,
        referral_id,
        lambda r: services.cancel_referral(
            _user(request), r, reason=payload.reason, request=request
        ),
    )


# --- support meetings -----------------------------------------------------------------------


def _meeting_qs() -> Any:
    return Meeting.objects.select_related("agency").prefetch_related("members")


def _convener(request: HttpRequest, agency_id: int | None) -> Agency:
    workplaces = agencies_with(_user(request), *CASEWORKERS)
    if agency_id is None:
        if not workplaces:
            raise Http404
        if len(workplaces) > 1:
            raise ValidationError(
                {"agency": _("You work in more than one agency: choose the agency.")}
            )
        agency_id = next(iter(workplaces))
    agency = Agency.objects.filter(pk=agency_id).first()
    if agency is None:
        raise Http404
    return agency


def _meeting_detail(request: HttpRequest, meeting: Meeting) -> dict[str, Any]:
    """The meeting with, for each agenda case, only what the caller may see; each person shown
    is logged on the ground it was seen on (rule P3)."""
    user = _user(request)
    answer = meeting_out(meeting)
    items = AgendaItem.objects.filter(meeting=meeting).select_related(
        "case", "case__person", "case__agency"
    )
    agenda = []
    for item in items:
        own = can(user, Action.VIEW, Kind.CASE, item.case)
        seen = None if own else sight(user, Kind.PERSON, item.case.person)
        shown = agenda_item_out(item, own, seen)
        agenda.append(shown)
        if own:
            people.log_read(user, Kind.CASE, item.case, request, meeting=meeting.pk)
        elif seen is not None and shown["person_name"] is not None:
            people.log_shared_read(user, Kind.PERSON, item.case.person, seen, request)
    answer["agenda"] = agenda
    return answer


@meetings_router.post(
    "",
    response={201: MeetingDetailOut, **WRITE},
    summary="Convene a support meeting (支援調整会議 or 支援会議 under Article 9)",
)
def create_meeting(request: HttpRequest, payload: MeetingIn) -> Any:
    agency = _convener(request, payload.agency)
    ids = list(dict.fromkeys(payload.members))
    members = list(Agency.objects.filter(pk__in=ids))
    if len(members) != len(ids):
        raise ValidationError({"members": _("No agency has one of these ids.")})
    data = payload.dict(exclude={"agency", "members"})
    data["kind"] = str(payload.kind.value)
    meeting = meeting_services.create_meeting(
        _user(request), agency, data, members=members, request=request
    )
    return Status(201, _meeting_detail(request, _meeting_qs().get(pk=meeting.pk)))


class MeetingPage(Schema):
    items: list[MeetingOut]
    count: int


@meetings_router.get(
    "",
    response={200: MeetingPage, **READ},
    summary="The meetings your agency convened or is a member of, latest first",
)
def list_meetings(
    request: HttpRequest,
    limit: int = Query(50, ge=1, le=200, description="At most 200 rows per page."),
    offset: int = Query(0, ge=0),
) -> Any:
    found = scope(_user(request), Kind.MEETING, _meeting_qs()).order_by("-held_on", "-id")
    return {
        "items": [meeting_out(m) for m in found[offset : offset + limit]],
        "count": found.count(),
    }


@meetings_router.get(
    "/{meeting_id}",
    response={200: MeetingDetailOut, **READ},
    summary="A meeting with its members and agenda (each case only as far as you may see it)",
)
def get_meeting(request: HttpRequest, meeting_id: int) -> Any:
    meeting = get_visible(_user(request), Kind.MEETING, _meeting_qs(), pk=meeting_id)
    return _meeting_detail(request, meeting)


@meetings_router.post(
    "/{meeting_id}/agenda",
    response={201: MeetingDetailOut, **WRITE},
    summary="Put a case of your agency on the agenda",
    description="At a support meeting under Article 9 every other member agency gets a grant "
    "for the case, for the meeting's purpose and the kinds named (rule P5); at a support "
    "coordination meeting nothing is shared without the person's consent (rule P1).",
)
def add_agenda_item(request: HttpRequest, meeting_id: int, payload: AgendaIn) -> Any:
    user = _user(request)
    meeting = get_visible(user, Kind.MEETING, _meeting_qs(), pk=meeting_id)
    case = Case.objects.select_related("person").filter(pk=payload.case).first()
    if case is None or not can(user, Action.VIEW, Kind.CASE, case):
        raise ValidationError({"case": _("Choose a case of your own agency.")})
    kinds = [str(k.value) for k in payload.kinds] if payload.kinds is not None else None
    meeting_services.add_agenda_item(user, meeting, case, kinds=kinds, request=request)
    return Status(201, _meeting_detail(request, meeting))
