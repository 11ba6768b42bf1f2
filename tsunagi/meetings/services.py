"""Writes for support meetings: convening one, its attendees, putting a case on its agenda
(rules P1, P5), the minutes and decision per case, and follow-up tasks."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagi.access import audit
from tsunagi.access import services as sharing
from tsunagi.access.kinds import InfoKind, normalise
from tsunagi.access.policy import CASEWORKERS, Action, Denied, Kind, agencies_with, can, require
from tsunagi.agencies.models import Agency
from tsunagi.agencies.services import EditConflict
from tsunagi.people.models import Case

from .models import AgendaDecision, AgendaItem, FollowUpTask, Meeting, MeetingKind

MEETING_FIELDS = (
    "kind",
    "title",
    "held_on",
    "starts_at",
    "place",
    "online",
    "purpose",
    "share_days_after",
    "other_attendees",
)
DEFAULT_AGENDA_KINDS = (
    InfoKind.IDENTITY,
    InfoKind.SITUATION,
    InfoKind.ASSESSMENT,
    InfoKind.PLAN,
)


@transaction.atomic
def create_meeting(
    actor: Any,
    agency: Agency,
    data: Mapping[str, Any],
    *,
    members: Iterable[Agency] = (),
    attendees: Iterable[Any] = (),
    request: HttpRequest | None = None,
) -> Meeting:
    meeting = Meeting(agency=agency, created_by=actor)
    require(actor, Action.CREATE, Kind.MEETING, meeting)
    for key in MEETING_FIELDS:
        if key in data and data[key] is not None:
            setattr(meeting, key, data[key])
    errors: dict[str, list[str]] = {}
    if meeting.kind not in MeetingKind.values:
        errors["kind"] = [_("Choose the kind of meeting.")]
    if not (meeting.title or "").strip():
        errors["title"] = [_("Enter a title.")]
    if not (meeting.purpose or "").strip():
        errors["purpose"] = [_("Write the meeting's purpose.")]
    if not meeting.held_on:
        errors["held_on"] = [_("Enter the date of the meeting.")]
    if errors:
        raise ValidationError(errors)
    meeting.full_clean(exclude=["agency", "created_by"])
    meeting.save()
    meeting.members.set({agency, *members})
    _set_attendees(meeting, attendees)
    audit.record(
        "meeting.created",
        actor=actor,
        request=request,
        agency=agency,
        obj=meeting,
        detail={"kind": meeting.kind, "members": sorted(m.pk for m in meeting.members.all())},
    )
    return meeting


@transaction.atomic
def add_agenda_item(
    actor: Any,
    meeting: Meeting,
    case: Case,
    *,
    kinds: Iterable[str] | None = None,
    consent: Any = None,
    request: HttpRequest | None = None,
) -> AgendaItem:
    """Put a case on the agenda. At an Article 9 support meeting every other member agency gets
    a grant for the case, for the meeting's purpose (rule P5). A support coordination meeting
    takes only a case whose person consented to that meeting (rule P1): the other members get a
    grant under that consent, for the kinds it names."""
    require(actor, Action.VIEW, Kind.MEETING, meeting)
    require(actor, Action.VIEW, Kind.CASE, case)
    if not meeting.members.filter(pk=case.agency_id).exists():
        raise ValidationError(
            {"case": [_("Only a member agency can put its own case on the agenda.")]}
        )
    if meeting.kind == MeetingKind.ARTICLE_9 and sharing.meeting_sharing_over(meeting):
        raise ValidationError(
            {"case": [_("The meeting's sharing period is over: convene a new meeting.")]}
        )
    if meeting.agenda.filter(case=case).exists():
        raise ValidationError({"case": [_("This case is already on the agenda.")]})
    if meeting.kind == MeetingKind.COORDINATION:
        _check_meeting_consent(meeting, case, consent)
        chosen = normalise(kinds or consent.kinds)
        if not set(chosen) <= set(consent.kinds):
            raise ValidationError(
                {"kinds": [_("Choose only kinds of information the consent names (P1).")]}
            )
    else:
        consent = None
        chosen = normalise(kinds or DEFAULT_AGENDA_KINDS)
    if not chosen:
        raise ValidationError({"kinds": [_("Choose at least one kind of information.")]})
    item = AgendaItem.objects.create(
        meeting=meeting, case=case, kinds=chosen, consent=consent, added_by=actor
    )
    audit.personal(
        "agenda.added", actor, case, request, meeting=meeting.pk, kinds=chosen, item=item.pk
    )
    others = meeting.members.exclude(pk=case.agency_id)
    if meeting.kind == MeetingKind.ARTICLE_9:
        for member in others:
            sharing.grant_for_meeting(actor, item, member, request=request)
    else:
        for member in others:
            sharing.share_under_consent(
                actor,
                consent,
                receiving_agency=member,
                kinds=chosen,
                case=case,
                purpose=meeting.purpose,
                request=request,
            )
    return item


def _check_meeting_consent(meeting: Meeting, case: Case, consent: Any) -> None:
    """Rule P1 for a support coordination meeting: the person's consent, in force, naming this
    meeting (or every other member agency)."""
    if consent is None:
        raise ValidationError(
            {
                "consent": [
                    _(
                        "A support coordination meeting discusses only a case whose person "
                        "consented to it (P1): record the consent first."
                    )
                ]
            }
        )
    today = timezone.localdate()
    others = list(meeting.members.exclude(pk=case.agency_id))
    if consent.recipient_meeting_id not in (None, meeting.pk):
        raise ValidationError(
            {"consent": [_("The consent names another meeting: it does not cover this one (P1).")]}
        )
    if (
        consent.person_id != case.person_id
        or not consent.stands_on(today)
        or not all(consent.names_agency(m) for m in others)
    ):
        raise ValidationError(
            {
                "consent": [
                    _(
                        "The consent must be the person's own, in force, and name this meeting "
                        "or every other member agency (P1)."
                    )
                ]
            }
        )


def _set_attendees(meeting: Meeting, attendees: Iterable[Any] | None) -> None:
    """Attendees are users of the member agencies; None leaves them as they are."""
    if attendees is None:
        return
    chosen = list(attendees)
    from tsunagi.accounts.models import Membership

    allowed = set(
        Membership.objects.filter(
            user__in=chosen, agency__in=meeting.members.all(), is_active=True
        ).values_list("user_id", flat=True)
    )
    outside = [u for u in chosen if u.pk not in allowed]
    if outside:
        raise ValidationError(
            {"attendees": [_("Attendees must work in one of the member agencies.")]}
        )
    meeting.attendees.set(chosen)


@transaction.atomic
def set_attendees(
    actor: Any,
    meeting: Meeting,
    *,
    members: Iterable[Agency] | None = None,
    attendees: Iterable[Any] | None = None,
    other_attendees: str | None = None,
    request: HttpRequest | None = None,
) -> Meeting:
    """The convening agency changes the member agencies (never dropping one with a case on the
    agenda) and who attends."""
    require(actor, Action.CHANGE, Kind.MEETING, meeting)
    if members is not None:
        chosen = {meeting.agency, *members}
        on_agenda = set(meeting.agenda.values_list("case__agency_id", flat=True))
        if not on_agenda <= {a.pk for a in chosen}:
            raise ValidationError(
                {"members": [_("An agency with a case on the agenda stays a member.")]}
            )
        added = {a.pk for a in chosen} - set(meeting.members.values_list("pk", flat=True))
        if added and meeting.consents.filter(withdrawn_at__isnull=True).exists():
            # rule P1: a person consented to the members as they were; a new member is not named
            raise ValidationError(
                {
                    "members": [
                        _(
                            "People have consented to this meeting as its members were: convene "
                            "a new meeting to add an agency (P1)."
                        )
                    ]
                }
            )
        meeting.members.set(chosen)
    _set_attendees(meeting, attendees)
    if other_attendees is not None:
        meeting.other_attendees = other_attendees.strip()[:300]
        meeting.save(update_fields=["other_attendees"])
    audit.record(
        "meeting.changed",
        actor=actor,
        request=request,
        agency=meeting.agency,
        obj=meeting,
        detail={"members": sorted(meeting.members.values_list("pk", flat=True))},
    )
    return meeting


@transaction.atomic
def record_minutes(
    actor: Any,
    item: AgendaItem,
    *,
    minutes: str,
    decision: str = "",
    decision_notes: str = "",
    version: int | None = None,
    request: HttpRequest | None = None,
) -> AgendaItem:
    """The minutes and decision for one agenda case, written by the convening agency's staff
    (or the case's own agency). Another save in between raises EditConflict."""
    current = (
        AgendaItem.objects.select_for_update().select_related("meeting", "case").get(pk=item.pk)
    )
    require(actor, Action.VIEW, Kind.MEETING, current.meeting)
    if not (
        can(actor, Action.CHANGE, Kind.MEETING, current.meeting)
        or can(actor, Action.CHANGE, Kind.CASE, current.case)
    ):
        raise Denied("minutes")
    if version is not None and version != current.version:
        raise EditConflict(current)
    errors: dict[str, list[str]] = {}
    if not (minutes or "").strip():
        errors["minutes"] = [_("Write the minutes for this case.")]
    if decision and decision not in AgendaDecision.values:
        errors["decision"] = [_("Choose a decision.")]
    if errors:
        raise ValidationError(errors)
    current.minutes = minutes.strip()
    current.decision = decision
    current.decision_notes = (decision_notes or "").strip()
    current.minutes_by = actor
    current.minutes_at = timezone.now()
    current.version = F("version") + 1
    current.save()
    current.refresh_from_db()
    audit.personal(
        "agenda.minutes",
        actor,
        current.case,
        request,
        meeting=current.meeting_id,
        item=current.pk,
        decision=decision,
    )
    return current


@transaction.atomic
def add_task(
    actor: Any,
    meeting: Meeting,
    data: Mapping[str, Any],
    *,
    request: HttpRequest | None = None,
) -> FollowUpTask:
    """A follow-up task decided at the meeting: what, by which member agency, by when."""
    require(actor, Action.CHANGE, Kind.MEETING, meeting)
    agency = data.get("agency")
    item = data.get("item")
    task = FollowUpTask(
        meeting=meeting,
        item=item,
        what=(data.get("what") or "").strip()[:300],
        agency=agency if isinstance(agency, Agency) else None,
        assignee=data.get("assignee"),
        due_on=data.get("due_on"),
        created_by=actor,
    )
    errors: dict[str, list[str]] = {}
    if not task.what:
        errors["what"] = [_("Write the task.")]
    if not isinstance(agency, Agency) or not meeting.members.filter(pk=agency.pk).exists():
        errors["agency"] = [_("Choose one of the member agencies.")]
    if item is not None and item.meeting_id != meeting.pk:
        errors["item"] = [_("Choose a case on this meeting's agenda.")]
    if errors:
        raise ValidationError(errors)
    task.save()
    audit.record(
        "meeting.task_added", actor=actor, request=request, agency=meeting.agency, obj=task
    )
    return task


@transaction.atomic
def complete_task(
    actor: Any, task: FollowUpTask, *, request: HttpRequest | None = None
) -> FollowUpTask:
    """The responsible agency (or the convener) marks a task done."""
    require(actor, Action.VIEW, Kind.MEETING, task.meeting)
    if task.agency_id not in agencies_with(actor, *CASEWORKERS) and not can(
        actor, Action.CHANGE, Kind.MEETING, task.meeting
    ):
        raise Denied("task")
    if task.done_at is not None:
        raise ValidationError({"task": [_("This task is already done.")]})
    task.done_at = timezone.now()
    task.done_by = actor
    task.save(update_fields=["done_at", "done_by"])
    audit.record(
        "meeting.task_done", actor=actor, request=request, agency=task.meeting.agency, obj=task
    )
    return task
