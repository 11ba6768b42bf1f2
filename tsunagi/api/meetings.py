"""The API of support meetings: the support coordination meeting (支援調整会議, rule P1) and the
support meeting under Article 9 (支援会議, rule P5); members, attendees, the agenda, the minutes
per case, follow-up tasks and the printed minutes.

Thin: parse, call one service of `tsunagi.meetings`, answer. A meeting the caller's agency
neither convened nor sits in answers 404; a change only the convener may make answers 403; a
stale `version` of the minutes answers 409 with the minutes as saved now. Every agenda case
shown is logged on the ground it was seen on (rule P3).
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.responses import Status

from tsunagi.access.policy import Action, Kind, can, get_visible, scope, sight
from tsunagi.accounts.models import Membership, User
from tsunagi.agencies.models import Agency
from tsunagi.agencies.services import EditConflict
from tsunagi.consent.models import Consent
from tsunagi.meetings import services
from tsunagi.meetings.models import AgendaItem, FollowUpTask, Meeting
from tsunagi.people import services as people
from tsunagi.people.models import Case

from .meeting_schemas import (
    AgendaIn,
    AgendaItemOut,
    MeetingDetailOut,
    MeetingIn,
    MeetingPage,
    MeetingPatch,
    MinutesConflictOut,
    MinutesIn,
    TaskIn,
    TaskOut,
    agenda_item_out,
    meeting_out,
    task_out,
    user_ref,
)
from .people_schemas import ConflictOut
from .printing import pdf_answer, pdf_spec
from .referrals import _acting_agency
from .schemas import Error, ValidationErrorOut

router = Router(tags=["meetings"])

READ = {401: Error, 404: Error, 422: ValidationErrorOut}
WRITE = {401: Error, 403: Error, 404: Error, 422: ValidationErrorOut}
PDF = pdf_spec("The minutes (議事録), A4.")


def _user(request: HttpRequest) -> Any:
    return request.user


def _meeting_qs() -> QuerySet[Meeting]:
    return Meeting.objects.select_related("agency").prefetch_related("members", "attendees")


def _visible_meeting(request: HttpRequest, meeting_id: int) -> Meeting:
    meeting: Meeting = get_visible(_user(request), Kind.MEETING, _meeting_qs(), pk=meeting_id)
    return meeting


def _item_qs() -> QuerySet[AgendaItem]:
    return AgendaItem.objects.select_related(
        "case", "case__person", "case__agency", "minutes_by", "meeting"
    )


def _item_out(request: HttpRequest, item: AgendaItem, *, log: bool = True) -> dict[str, Any]:
    """One agenda case as the caller may see it; the person shown is logged on its ground."""
    user = _user(request)
    own = can(user, Action.VIEW, Kind.CASE, item.case)
    seen = None if own else sight(user, Kind.PERSON, item.case.person)
    shown = agenda_item_out(item, own, seen)
    if log and own:
        people.log_read(user, Kind.CASE, item.case, request, meeting=item.meeting_id)
    elif log and seen is not None and (shown["person_name"] is not None or shown["minutes"]):
        people.log_shared_read(user, Kind.PERSON, item.case.person, seen, request)
    return shown


def _meeting_detail(request: HttpRequest, meeting: Meeting) -> dict[str, Any]:
    """The meeting with, for each agenda case, only what the caller may see; each person shown
    is logged on the ground it was seen on (rule P3)."""
    meeting = _meeting_qs().get(pk=meeting.pk)
    answer = meeting_out(meeting)
    answer["attendees"] = [user_ref(u) for u in meeting.attendees.order_by("pk")]
    answer["other_attendees"] = meeting.other_attendees
    answer["agenda"] = [_item_out(request, i) for i in _item_qs().filter(meeting=meeting)]
    tasks = FollowUpTask.objects.filter(meeting=meeting).select_related(
        "agency", "assignee", "done_by"
    )
    answer["tasks"] = [task_out(t) for t in tasks]
    answer["may_change"] = can(_user(request), Action.CHANGE, Kind.MEETING, meeting)
    return answer


def _agencies(ids: list[int], field: str) -> list[Agency]:
    wanted = list(dict.fromkeys(ids))
    found = list(Agency.objects.filter(pk__in=wanted))
    if len(found) != len(wanted):
        raise ValidationError({field: _("No agency has one of these ids.")})
    return found


# --- meetings -------------------------------------------------------------------------------


@router.post(
    "",
    response={201: MeetingDetailOut, **WRITE},
    summary="Convene a support meeting (支援調整会議 or 支援会議 under Article 9)",
    description="Invite the hikikomori agency that supports the person in a plan (rule R3b).",
)
def create_meeting(request: HttpRequest, payload: MeetingIn) -> Any:
    agency = _acting_agency(request, payload.agency)
    members = _agencies(payload.members, "members")
    data = payload.dict(exclude={"agency", "members"})
    data["kind"] = str(payload.kind.value)
    meeting = services.create_meeting(
        _user(request), agency, data, members=members, request=request
    )
    return Status(201, _meeting_detail(request, meeting))


@router.get(
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


@router.get(
    "/{meeting_id}",
    response={200: MeetingDetailOut, **READ},
    summary="A meeting with its members, attendees, agenda (each case only as far as you may "
    "see it), minutes and follow-up tasks",
)
def get_meeting(request: HttpRequest, meeting_id: int) -> Any:
    return _meeting_detail(request, _visible_meeting(request, meeting_id))


@router.patch(
    "/{meeting_id}",
    response={200: MeetingDetailOut, **WRITE},
    summary="Change the member agencies and who attends (the convening agency only)",
    description="Fields left out stay as they are. Attendees are staff of the member agencies; "
    "an agency with a case on the agenda stays a member.",
)
def update_meeting(request: HttpRequest, meeting_id: int, payload: MeetingPatch) -> Any:
    meeting = _visible_meeting(request, meeting_id)
    data = payload.dict(exclude_unset=True)
    members = None
    if data.get("members") is not None:
        members = _agencies(data["members"], "members")
    attendees: list[Any] | None = None  # left out: unchanged; [] clears the attendees
    if data.get("attendees") is not None:
        wanted = list(dict.fromkeys(data["attendees"]))
        attendees = list(User.objects.filter(pk__in=wanted, is_active=True))
        if len(attendees) != len(wanted):
            raise ValidationError({"attendees": _("No user has one of these ids.")})
    services.set_attendees(
        _user(request),
        meeting,
        members=members,
        attendees=attendees,
        other_attendees=data.get("other_attendees"),
        request=request,
    )
    return _meeting_detail(request, meeting)


@router.get(
    "/{meeting_id}/print",
    response={503: Error, **READ},
    summary="The minutes (議事録) as an A4 PDF",
    description="Each agenda case as far as you may see it; each print is in the access log.",
    openapi_extra=PDF,
)
def print_minutes(request: HttpRequest, meeting_id: int) -> Any:
    from tsunagi.meetings.printing import minutes_pdf

    meeting = _visible_meeting(request, meeting_id)
    return pdf_answer(
        lambda: minutes_pdf(_user(request), meeting, request), f"minutes-{meeting.pk}.pdf"
    )


# --- the agenda and its minutes -------------------------------------------------------------


@router.post(
    "/{meeting_id}/agenda",
    response={201: MeetingDetailOut, **WRITE},
    summary="Put a case of your agency on the agenda",
    description="At a support coordination meeting only with the person's `consent` naming "
    "this meeting (or every other member agency): the other members then see the kinds it "
    "names (rule P1); without it 422. At a support meeting under Article 9 every other member "
    "agency gets a grant for the case, for the meeting's purpose and the kinds named (rule P5).",
)
def add_agenda_item(request: HttpRequest, meeting_id: int, payload: AgendaIn) -> Any:
    user = _user(request)
    meeting = _visible_meeting(request, meeting_id)
    case = Case.objects.select_related("person").filter(pk=payload.case).first()
    if case is None or not can(user, Action.VIEW, Kind.CASE, case):
        raise ValidationError({"case": _("Choose a case of your own agency.")})
    consent = None
    if payload.consent is not None:
        consent = (
            Consent.objects.select_related("recipient_meeting").filter(pk=payload.consent).first()
        )
        if consent is None or not can(user, Action.VIEW, Kind.CONSENT, consent):
            raise ValidationError({"consent": _("No consent with this id is on your record.")})
    kinds = [str(k.value) for k in payload.kinds] if payload.kinds else None
    services.add_agenda_item(user, meeting, case, kinds=kinds, consent=consent, request=request)
    return Status(201, _meeting_detail(request, meeting))


@router.put(
    "/{meeting_id}/agenda/{item_id}/minutes",
    response={200: AgendaItemOut, 409: MinutesConflictOut, **WRITE},
    summary="Write the minutes and the decision for one agenda case",
    description="The convening agency's staff, or the case's own agency. Send the `version` "
    "you read: if someone saved the minutes since, 409 with the minutes as saved now and what "
    "you sent, and nothing is saved.",
)
def put_minutes(request: HttpRequest, meeting_id: int, item_id: int, payload: MinutesIn) -> Any:
    meeting = _visible_meeting(request, meeting_id)
    item = _item_qs().filter(meeting=meeting, pk=item_id).first()
    if item is None:
        raise Http404
    try:
        saved = services.record_minutes(
            _user(request),
            item,
            minutes=payload.minutes,
            decision=str(payload.decision.value) if payload.decision else "",
            decision_notes=payload.decision_notes,
            version=payload.version,
            request=request,
        )
    except EditConflict as conflict:
        current = _item_qs().get(pk=conflict.current.pk)
        return Status(
            409,
            {
                "detail": _(
                    "Someone else changed this record since you read it. Nothing was saved."
                ),
                "current_version": current.version,
                "current": _item_out(request, current, log=False),
                "yours": payload.dict(),
            },
        )
    return _item_out(request, _item_qs().get(pk=saved.pk))


# --- follow-up tasks ------------------------------------------------------------------------


def _task_qs() -> QuerySet[FollowUpTask]:
    return FollowUpTask.objects.select_related("meeting", "agency", "assignee", "done_by")


@router.post(
    "/{meeting_id}/tasks",
    response={201: TaskOut, **WRITE},
    summary="Add a follow-up task the meeting decided: what, which member agency, by when",
    description="The convening agency's staff. The assignee works in the task's agency.",
)
def add_task(request: HttpRequest, meeting_id: int, payload: TaskIn) -> Any:
    meeting = _visible_meeting(request, meeting_id)
    errors: dict[str, str] = {}
    agency = Agency.objects.filter(pk=payload.agency).first()
    if agency is None:
        errors["agency"] = _("Choose one of the member agencies.")
    assignee = None
    if payload.assignee is not None:
        assignee = User.objects.filter(pk=payload.assignee, is_active=True).first()
        works_there = (
            assignee is not None
            and agency is not None
            and Membership.objects.filter(user=assignee, agency=agency, is_active=True).exists()
        )
        if not works_there:
            errors["assignee"] = _("Choose a member of the responsible agency's staff.")
    item = None
    if payload.item is not None:
        item = AgendaItem.objects.filter(pk=payload.item, meeting=meeting).first()
        if item is None:
            errors["item"] = _("Choose a case on this meeting's agenda.")
    if errors:
        raise ValidationError(errors)
    data = payload.dict()
    data.update(agency=agency, assignee=assignee, item=item)
    task = services.add_task(_user(request), meeting, data, request=request)
    return Status(201, task_out(_task_qs().get(pk=task.pk)))


@router.post(
    "/{meeting_id}/tasks/{task_id}/done",
    response={200: TaskOut, 409: ConflictOut, **WRITE},
    summary="Mark a follow-up task done (its responsible agency or the convener)",
    description="A task already done answers 409.",
)
def complete_task(request: HttpRequest, meeting_id: int, task_id: int) -> Any:
    meeting = _visible_meeting(request, meeting_id)
    task = _task_qs().filter(meeting=meeting, pk=task_id).first()
    if task is None:
        raise Http404
    try:
        services.complete_task(_user(request), task, request=request)
    except ValidationError as exc:
        problems = getattr(exc, "error_dict", {})
        if set(problems) != {"task"}:
            raise
        message = " ".join(str(m) for e in problems["task"] for m in e.messages)
        return Status(409, {"detail": message, "current_version": None})
    return task_out(_task_qs().get(pk=task.pk))
