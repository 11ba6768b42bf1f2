"""The API of referrals (つなぎ, rules P1, P4, R5).

Thin: parse, call one service of `tsunagi.referrals`, answer. A referral
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
from ninja import Query, Router
from ninja.responses import Status

from tsunagi.access import audit
from tsunagi.access.kinds import InfoKind
from tsunagi.access.models import AuditEvent
from tsunagi.access.policy import (
    CASEWORKERS,
    Action,
    Kind,
    Standing,
    agencies_with,
    can,
    get_visible,
    referral_side,
    scope,
    sight,
    standing,
)
from tsunagi.access.shared import shown_name
from tsunagi.agencies.models import Agency
from tsunagi.consent.models import Consent
from tsunagi.people.models import Case, Person
from tsunagi.referrals import rules, selectors, services
from tsunagi.referrals.models import Referral, ReminderSettings, State

from .people_schemas import ConflictOut
from .printing import pdf_answer, pdf_spec
from .referral_schemas import (
    AcceptIn,
    CancelIn,
    ConsentIn,
    DeclineIn,
    Direction,
    FirstContactIn,
    ReceiveIn,
    ReferralDetailOut,
    ReferralIn,
    ReferralPage,
    ReferralPatch,
    ReminderSettingsIn,
    ReminderSettingsOut,
    VersionIn,
    WaitingOut,
    gap_out,
    referral_detail,
    referral_out,
    reminder_out,
)
from .schemas import Error, ValidationErrorOut

router = Router(tags=["referrals"])

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
    return referral_detail(
        referral,
        side,
        _person_name(user, referral, side),
        wishes_shown=_wishes_shown(user, referral, seen),
        limits=selectors.limits_of(seen.agency_id) if seen.agency_id else None,
    )


def _wishes_shown(user: Any, referral: Referral, seen: Standing) -> bool:
    """The person's wishes travel with the referral as their "situation and wishes": the
    receiving agency reads them only while a grant shares that kind (rules P1, P4)."""
    if seen.owner:
        return True
    person_sight = sight(user, Kind.PERSON, referral.person)
    return person_sight is not None and person_sight.permits(InfoKind.SITUATION)


# The services name the referral's fields; the API's bodies say `reason` and `category`.
RENAMED = {"decline_reason": "reason", "decline_category": "category"}


def _renamed(exc: ValidationError) -> ValidationError:
    problems = getattr(exc, "error_dict", None)
    if not problems:
        return exc
    return ValidationError({RENAMED.get(k, k): v for k, v in problems.items()})


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
        raise _renamed(exc) from exc
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
        wishes_heard_on=payload.wishes_heard_on,
        support_ends_on=payload.support_ends_on,
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
    shown = _shown(request, rows, direction=direction, state=wanted)
    return {
        "items": [referral_out(r, side, _person_name(user, r, side)) for r, side, _seen in shown],
        "count": found.count(),
    }


def _shown(
    request: HttpRequest, rows: list[Referral], **detail: Any
) -> list[tuple[Referral, str, Standing]]:
    """The referrals the caller may see, each with its side; every one shown is logged on its
    ground (rule P3), in one statement."""
    user = _user(request)
    shown = []
    events = []
    for referral in rows:
        seen = standing(user, Kind.REFERRAL, referral)
        if seen is None:
            continue
        shown.append((referral, rules.SENDER if seen.owner else rules.RECEIVER, seen))
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
                detail=detail,
                ip_address=audit.client_ip(request),
            )
        )
    AuditEvent.objects.bulk_create(events)
    return shown


# --- dashboards and settings (before /{referral_id}, which would take their names) ----------


@router.get(
    "/reminders",
    response={200: list[WaitingOut], **READ},
    summary="Referrals waiting longer than your agency allows, sent and received",
    description="Not received, not accepted or declined, or without a first contact after the "
    "number of business days each agency set (weekends, national holidays and 29 December to "
    "3 January do not count). Both sides see them.",
)
def list_reminders(
    request: HttpRequest,
    limit: int = Query(50, ge=1, le=200, description="At most 200 rows."),
) -> Any:
    user = _user(request)
    waiting = selectors.reminders(user, limit=limit)
    shown = _shown_ids(request, [w.referral for w in waiting], list="reminders")
    return [
        {
            "referral": referral_out(w.referral, w.side, _person_name(user, w.referral, w.side)),
            "side": w.side,
            "reminder": reminder_out(w.reminder),
            "gap": None,
            "limit": w.reminder.limit,
        }
        for w in waiting
        if w.referral.pk in shown and w.reminder is not None
    ]


def _shown_ids(request: HttpRequest, rows: list[Referral], **detail: Any) -> set[int]:
    unique = list({r.pk: r for r in rows}.values())
    return {r.pk for r, _side, _seen in _shown(request, unique, **detail)}


@router.get(
    "/handovers",
    response={200: list[WaitingOut], **READ},
    summary="Hand-overs waiting too long for the first contact (rule R5)",
    description="Open referrals whose referring agency's support ended (the day set for the "
    "hand-over, else the day its case closed) more days ago than your agency allows.",
)
def list_handovers(
    request: HttpRequest,
    limit: int = Query(50, ge=1, le=200, description="At most 200 rows."),
) -> Any:
    user = _user(request)
    waiting = selectors.handovers_waiting(user, limit=limit)
    shown = _shown_ids(request, [w.referral for w in waiting], list="handovers")
    answer = []
    for w in waiting:
        if w.referral.pk not in shown or w.gap is None:
            continue
        mine = w.referral.agency_id if w.side == rules.SENDER else w.referral.to_agency_id
        answer.append(
            {
                "referral": referral_out(
                    w.referral, w.side, _person_name(user, w.referral, w.side)
                ),
                "side": w.side,
                "reminder": None,
                "gap": gap_out(w.gap),
                "limit": selectors.limits_of(mine)["handover_days"],
            }
        )
    return answer


def _settings_agency(request: HttpRequest, agency_id: int | None) -> Agency:
    """One of the agencies the caller works in (404 for any other)."""
    agency = _acting_agency(request, agency_id)
    if agency.pk not in agencies_with(_user(request), *CASEWORKERS):
        raise Http404
    return agency


def _settings_out(request: HttpRequest, agency: Agency) -> dict[str, Any]:
    return {
        "agency": {"id": agency.pk, "name": agency.name},
        **selectors.limits_of(agency.pk),
        "defaults": dict(ReminderSettings.DEFAULTS),
        "may_change": can(_user(request), Action.CHANGE, Kind.AGENCY, agency),
    }


@router.get(
    "/settings",
    response={200: ReminderSettingsOut, **READ},
    summary="Your agency's reminder limits (business days) and hand-over limit (days, rule R5)",
    description="`agency`: needed when you work in more than one agency.",
)
def get_reminder_settings(request: HttpRequest, agency: int | None = None) -> Any:
    return _settings_out(request, _settings_agency(request, agency))


@router.put(
    "/settings",
    response={200: ReminderSettingsOut, **WRITE},
    summary="Change your agency's reminder limits (the agency's manager only)",
    description="`agency`: needed when you work in more than one agency. Business days from 1 "
    "to 60; the hand-over limit in days from 1 to 365.",
)
def put_reminder_settings(
    request: HttpRequest, payload: ReminderSettingsIn, agency: int | None = None
) -> Any:
    chosen = _settings_agency(request, agency)
    data = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    services.save_reminder_settings(_user(request), chosen, data, request=request)
    return _settings_out(request, chosen)


@router.get(
    "/{referral_id}",
    response={200: ReferralDetailOut, **READ},
    summary="A referral: state, what stops it (P1 “consent missing”), next steps, dates, consent",
)
def get_referral(request: HttpRequest, referral_id: int) -> Any:
    return _answer(request, _visible_referral(request, referral_id))


@router.patch(
    "/{referral_id}",
    response={200: ReferralDetailOut, **STEP},
    summary="Change the purpose, the person's wishes (R1) or the dates until the referral is sent",
    description="Only the referring agency; fields left out stay as they are. A stale "
    "`version` or a referral already sent answers 409.",
)
def update_referral(request: HttpRequest, referral_id: int, payload: ReferralPatch) -> Any:
    data = payload.dict(exclude_unset=True)
    version = data.pop("version", None)
    for key in ("purpose", "wishes"):
        if key in data and data[key] is None:
            data[key] = ""
    return _step(
        request,
        referral_id,
        lambda r: services.update_referral(
            _user(request), r, data, version=version, request=request
        ),
    )


@router.get(
    "/{referral_id}/letter",
    response={409: ConflictOut, 503: Error, **READ},
    summary="The referral letter (紹介状) as an A4 PDF, with only the consented information",
    description="For a receiving agency without an account; the referring agency's staff print "
    "it once the person's consent is confirmed and while it stands (rules P1, P4): before that "
    "409, and a consent no longer in order 422. Each print is in the access log.",
    openapi_extra=pdf_spec("The letter."),
)
def referral_letter(request: HttpRequest, referral_id: int) -> Any:
    from tsunagi.referrals.printing import letter_pdf

    referral = _visible_referral(request, referral_id)
    try:
        return pdf_answer(
            lambda: letter_pdf(_user(request), referral, request),
            f"referral-letter-{referral.pk}.pdf",
        )
    except ValidationError as exc:
        problems = getattr(exc, "error_dict", {})
        if set(problems) == {"state"}:
            message = " ".join(str(m) for e in problems["state"] for m in e.messages)
            return Status(409, {"detail": message, "current_version": referral.version})
        raise


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
def receive_referral(
    request: HttpRequest, referral_id: int, payload: ReceiveIn | None = None
) -> Any:
    via = _via(payload.answered_via if payload is not None else None)
    return _step(
        request,
        referral_id,
        lambda r: services.receive_referral(_user(request), r, answered_via=via, request=request),
    )


def _via(channel: Any) -> str:
    return str(channel.value) if channel is not None else ""


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
    via = _via(payload.answered_via if payload is not None else None)
    return _step(
        request,
        referral_id,
        lambda r: services.accept_referral(
            user, r, person=person, answered_via=via, request=request
        ),
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
            _user(request),
            r,
            reason=payload.reason,
            category=str(payload.category.value),
            answered_via=_via(payload.answered_via),
            request=request,
        ),
    )


@router.post(
    "/{referral_id}/first-contact",
    response={200: ReferralDetailOut, **STEP},
    summary="The receiving agency records its first contact with the person (rule R5)",
)
def first_contact(request: HttpRequest, referral_id: int, payload: FirstContactIn) -> Any:
    user = _user(request)
    referral = _visible_referral(request, referral_id)
    fields = payload.dict()
    accompanied = fields.pop("accompanied")
    notes = fields.pop("accompaniment_notes")
    occurred_on = fields.pop("occurred_on")
    via = _via(fields.pop("answered_via"))
    data: dict[str, Any]
    if referral_side(user, referral) == rules.SENDER:
        # by letter: the referring agency records the day it was told of, and how
        data = {"occurred_on": occurred_on, "answered_via": via}
    else:
        missing = [k for k in ("channel", "initiator", "summary") if fields.get(k) is None]
        if missing:
            raise ValidationError({k: _("This field is required.") for k in missing})
        data = {}
        for key, value in fields.items():
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
                raise ValidationError(
                    {"initiator_person": _("Choose a person of your own agency.")}
                )
            data["initiator_person"] = caller
    return _step(
        request,
        referral_id,
        lambda r: services.record_first_contact(
            user, r, data, accompanied=accompanied, accompaniment_notes=notes, request=request
        ),
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


# --- the caller's agency ---------------------------------------------------------------------


def _acting_agency(request: HttpRequest, agency_id: int | None) -> Agency:
    """The agency named, or the caller's only agency (422 when they work in several)."""
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
