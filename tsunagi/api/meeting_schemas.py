"""Schemas of the support meeting API (支援調整会議, 支援会議 under Article 9) and the builders of
their answers.

Each agenda case is shown as far as the caller may see it: the owning agency's staff see their
case; another member the person's name only under a grant that names identity (rules P1, P5);
the minutes of a case go to its own agency and to a member holding a grant for the person.
"""

import datetime
from typing import Any

from ninja import Field, Schema

from tsunagi.access.kinds import InfoKind, kinds_label
from tsunagi.access.policy import Sight
from tsunagi.meetings.models import AgendaDecision, AgendaItem, FollowUpTask, Meeting, MeetingKind

from .people_schemas import JapaneseDate, Line
from .referral_schemas import AgencyRef, agency_ref

DATE_HELP = "西暦 (2025-04-01) or 和暦 (令和7年4月1日, R7.4.1)."

# --- input ----------------------------------------------------------------------------------


class MeetingIn(Schema):
    agency: int | None = Field(
        None, description="The convening agency; by default the one you work in."
    )
    kind: MeetingKind = Field(
        ...,
        description="`article_9`: a support meeting under Article 9, whose members may share "
        "the agenda cases without consent (rule P5); `coordination`: a support coordination "
        "meeting, which takes only cases whose person consented to it (rule P1).",
    )
    title: Line = Field(..., min_length=1, max_length=200)
    held_on: JapaneseDate = Field(..., description=DATE_HELP)
    starts_at: datetime.time | None = Field(None, description="The time it starts (HH:MM).")
    place: Line = Field("", max_length=200)
    online: bool = Field(False, description="Held online.")
    purpose: Line = Field(..., min_length=1, max_length=300)
    members: list[int] = Field(
        [],
        description="Ids of the member agencies (invite the hikikomori agency of a plan, rule "
        "R3b); the convening agency is always one.",
    )
    share_days_after: int = Field(
        14, ge=0, le=90, description="Members see the agenda cases this many days after."
    )


class MeetingPatch(Schema):
    """Fields left out stay as they are."""

    members: list[int] | None = Field(
        None,
        description="All member agencies (the convening agency stays one; an agency with a "
        "case on the agenda cannot be dropped).",
    )
    attendees: list[int] | None = Field(
        None, description="Ids of the users who attend: staff of the member agencies."
    )
    other_attendees: Line | None = Field(
        None, max_length=300, description="Attendees without an account, in words."
    )


class AgendaIn(Schema):
    case: int = Field(..., description="A case of your agency.")
    consent: int | None = Field(
        None,
        description="Required at a support coordination meeting: the person's consent naming "
        "this meeting (or every other member agency), in force (rule P1). Ignored at an "
        "Article 9 meeting.",
    )
    kinds: list[InfoKind] | None = Field(
        None,
        description="The kinds of information shared; when null or empty: at a coordination "
        "meeting the kinds the consent names, at an Article 9 meeting identity, situation, "
        "assessment and plan (never special-care information unless named).",
    )


class MinutesIn(Schema):
    minutes: str = Field(..., max_length=20000, description="The minutes for this case.")
    decision: AgendaDecision | None = Field(
        None, description="What the meeting decided for the case (`plan_approved`, ...)."
    )
    decision_notes: str = Field("", max_length=4000)
    version: int | None = Field(
        None, description="The version of the minutes you read: 409 if someone saved since."
    )


class TaskIn(Schema):
    what: Line = Field(..., min_length=1, max_length=300, description="The task.")
    agency: int = Field(..., description="The member agency responsible for it.")
    assignee: int | None = Field(
        None, description="The user responsible, a member of that agency's staff."
    )
    due_on: JapaneseDate | None = Field(None, description=DATE_HELP)
    item: int | None = Field(None, description="The agenda case it is for, if any.")


# --- output ---------------------------------------------------------------------------------


class UserRef(Schema):
    id: int
    name: str


class AgendaItemOut(Schema):
    id: int
    case_id: int | None = Field(None, description="The owning agency's staff only.")
    case_number: str | None = Field(None, description="The owning agency's staff only.")
    person_name: str | None = Field(
        None,
        description="The owning agency's staff, or a member whose grant names identity.",
    )
    agency: AgencyRef
    consent: int | None = Field(
        None, description="The consent the case is discussed under (its own agency only)."
    )
    kinds: list[str]
    kinds_label: str
    added_at: datetime.datetime
    minutes: str | None = Field(
        None,
        description="Null for a member that may not see the case (no grant for the person).",
    )
    decision: str | None = None
    decision_label: str | None = None
    decision_notes: str | None = None
    minutes_by: str | None = None
    minutes_at: datetime.datetime | None = None
    version: int = Field(..., description="Send it back with the minutes: 409 if stale.")


class TaskOut(Schema):
    id: int
    what: str
    agency: AgencyRef
    assignee: UserRef | None
    due_on: datetime.date | None
    item: int | None
    done_at: datetime.datetime | None
    done_by: str | None


class MeetingOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    held_on: datetime.date
    starts_at: datetime.time | None
    place: str
    online: bool
    purpose: str
    agency: AgencyRef
    members: list[AgencyRef]
    share_days_after: int


class MeetingDetailOut(MeetingOut):
    attendees: list[UserRef]
    other_attendees: str
    agenda: list[AgendaItemOut]
    tasks: list[TaskOut]
    may_change: bool = Field(
        ..., description="The convening agency's staff change members, minutes and tasks."
    )


class MeetingPage(Schema):
    items: list[MeetingOut]
    count: int


class MinutesConflictOut(Schema):
    detail: str
    current_version: int | None = None
    current: AgendaItemOut | None = Field(None, description="The minutes as saved now.")
    yours: dict[str, Any] = Field(default_factory=dict, description="What you sent.")


# --- builders -------------------------------------------------------------------------------


def user_ref(user: Any) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.get_full_name() or user.get_username()}


def meeting_out(meeting: Meeting) -> dict[str, Any]:
    return {
        "id": meeting.pk,
        "kind": meeting.kind,
        "kind_label": meeting.get_kind_display(),
        "title": meeting.title,
        "held_on": meeting.held_on,
        "starts_at": meeting.starts_at,
        "place": meeting.place,
        "online": meeting.online,
        "purpose": meeting.purpose,
        "agency": agency_ref(meeting.agency),
        "members": [agency_ref(a) for a in meeting.members.order_by("pk")],
        "share_days_after": meeting.share_days_after,
    }


def agenda_item_out(item: AgendaItem, own: bool, seen: Sight | None) -> dict[str, Any]:
    """Own agency: case number and name; another member: the name only under a grant that
    names identity (rule P5); otherwise nothing about the person. The minutes go to the case's
    own agency and to a member holding a grant for the person (rules P1, P4, P5)."""
    case = item.case
    name = None
    if own or (seen is not None and seen.permits(InfoKind.IDENTITY)):
        name = case.person.full_name
    minuted = own or seen is not None
    return {
        "id": item.pk,
        "case_id": case.pk if own else None,
        "case_number": case.number if own else None,
        "person_name": name,
        "agency": agency_ref(case.agency),
        "consent": item.consent_id if own else None,
        "kinds": list(item.kinds),
        "kinds_label": kinds_label(item.kinds),
        "added_at": item.added_at,
        "minutes": item.minutes if minuted else None,
        "decision": item.decision if minuted else None,
        "decision_label": (item.get_decision_display() if item.decision else "")
        if minuted
        else None,
        "decision_notes": item.decision_notes if minuted else None,
        "minutes_by": (
            (item.minutes_by.get_full_name() or item.minutes_by.get_username())
            if minuted and item.minutes_by is not None
            else None
        ),
        "minutes_at": item.minutes_at if minuted else None,
        "version": item.version,
    }


def task_out(task: FollowUpTask) -> dict[str, Any]:
    done_by = task.done_by
    return {
        "id": task.pk,
        "what": task.what,
        "agency": agency_ref(task.agency),
        "assignee": user_ref(task.assignee),
        "due_on": task.due_on,
        "item": task.item_id,
        "done_at": task.done_at,
        "done_by": (done_by.get_full_name() or done_by.get_username()) if done_by else None,
    }
