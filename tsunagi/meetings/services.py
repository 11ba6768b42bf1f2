"""Writes for support meetings: convening one and putting a case on its agenda (rule P5)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from tsunagi.access import audit
from tsunagi.access import services as sharing
from tsunagi.access.kinds import InfoKind, normalise
from tsunagi.access.policy import Action, Kind, require
from tsunagi.agencies.models import Agency
from tsunagi.people.models import Case

from .models import AgendaItem, Meeting, MeetingKind

MEETING_FIELDS = ("kind", "title", "held_on", "place", "purpose", "share_days_after")
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
    request: HttpRequest | None = None,
) -> AgendaItem:
    """Put a case on the agenda. At an Article 9 support meeting every other member agency gets
    a grant for the case, for the meeting's purpose (rule P5); at a support coordination meeting
    nothing is shared without the person's consent (rule P1)."""
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
    chosen = normalise(kinds or DEFAULT_AGENDA_KINDS)
    if not chosen:
        raise ValidationError({"kinds": [_("Choose at least one kind of information.")]})
    item = AgendaItem.objects.create(meeting=meeting, case=case, kinds=chosen, added_by=actor)
    audit.personal(
        "agenda.added", actor, case, request, meeting=meeting.pk, kinds=chosen, item=item.pk
    )
    if meeting.kind == MeetingKind.ARTICLE_9:
        for member in meeting.members.exclude(pk=case.agency_id):
            sharing.grant_for_meeting(actor, item, member, request=request)
    return item
