"""The minutes (議事録) of a support meeting as an A4 PDF.

The kind of meeting comes first: at a support meeting under Article 9 (支援会議) the members
share information without the person's consent and are bound to confidentiality by law, so the
minutes carry that statement (rule P5); at a support coordination meeting (支援調整会議) each case
is discussed with the person's consent naming that meeting (rule P1). Then the date, time and
place (or online), the purpose, the member agencies and who attended; per agenda case its
minutes and decision (a plan approved there, by its number); and the follow-up tasks.

Who prints, and what they see: any caseworker of the convening agency or of a member agency
(`policy` lets both view the meeting; anyone else gets 404, as for a meeting that does not
exist). Each agenda case is printed as the printing user may see it — the same rule as the
meeting page:
- a case of the user's own agency, in full;
- another agency's case seen through a grant in force (the Article 9 meeting's grant, or the
  person's consent naming the meeting), with the number and name only where the grant's kinds
  include them, and its minutes and decision, which the meeting wrote for its members;
- a case the user no longer sees (the sharing period over, the consent withdrawn: rule P4), only
  as "a case of <agency>", without minutes; its follow-up tasks are left out too.
So the convener and the members print the same document, less what one of them may not see.

Logged as `meeting.printed`: one event on the meeting, and one on each case printed (a read of
personal data, on its ground: own agency or the grant). Always in Japanese, dates in the Japanese
era, laid out by `templates/meetings/print/minutes.html`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tsunagi.access import audit
from tsunagi.access.kinds import shared_values
from tsunagi.access.policy import (
    CASEWORKERS,
    OWN_AGENCY,
    Action,
    Kind,
    Sight,
    agencies_with,
    can,
    require,
    sight,
)
from tsunagi.access.shared import shown_name
from tsunagi.people.printing import Printed, html_to_pdf, staff_name, wareki
from tsunagi.people.printing import _weasyprint as load_weasyprint

from .models import AgendaDecision, AgendaItem, FollowUpTask, Meeting, MeetingKind


@dataclass
class CaseMinutes:
    """One agenda case as the printing user may see it."""

    item: AgendaItem
    agency: str
    shown: bool  # the user sees the case (own agency, or a grant in force)
    own: bool = False
    number: str = ""
    name: str = ""
    kinds: str = ""
    minutes: str = ""
    decision: str = ""
    decision_notes: str = ""
    minutes_by: str = ""
    minutes_on: str = ""
    plans: list[int] = field(default_factory=list)
    seen: Sight | None = None


@dataclass(frozen=True)
class TaskLine:
    what: str
    case: str
    agency: str
    assignee: str
    due_on: str
    done_on: str


def printable_meeting(user: Any, meeting: Meeting) -> Meeting:
    """The meeting if `user` works at its convening agency or a member agency (else 404)."""
    require(user, Action.VIEW, Kind.MEETING, meeting)
    return meeting


def case_minutes(user: Any, meeting: Meeting) -> list[CaseMinutes]:
    """Every agenda case, each as `user` may see it (see the module's docstring)."""
    decisions = dict(AgendaDecision.choices)
    rows = []
    items = meeting.agenda.select_related(
        "case__person", "case__agency", "minutes_by"
    ).prefetch_related("approved_plans")
    for item in items:
        case = item.case
        row = CaseMinutes(item=item, agency=case.agency.name, shown=False)
        if can(user, Action.VIEW, Kind.CASE, case):
            row.shown = row.own = True
            row.number, row.name = case.number, case.person.full_name
        else:
            seen = sight(user, Kind.CASE, case)
            if seen is not None:
                row.shown, row.seen = True, seen
                row.number = str(shared_values(case, seen.kinds).get("number", "") or "")
                row.name = shown_name(user, case.person, log=False) or ""
        if row.shown:
            row.kinds = item.kinds_label
            row.minutes = item.minutes
            row.decision = str(decisions.get(item.decision, "")) if item.decision else ""
            row.decision_notes = item.decision_notes
            row.minutes_by = staff_name(item.minutes_by)
            row.minutes_on = wareki(timezone.localdate(item.minutes_at)) if item.minutes_at else ""
            row.plans = sorted(p.number for p in item.approved_plans.all())
        rows.append(row)
    return rows


def task_lines(meeting: Meeting, rows: list[CaseMinutes]) -> list[TaskLine]:
    """The follow-up tasks, less those of a case the user does not see."""
    labels = {}
    hidden = set()
    for n, row in enumerate(rows, start=1):
        if row.shown:
            labels[row.item.pk] = _("Case %(n)s") % {"n": n} + (
                f"（{row.number}）" if row.number else ""
            )
        else:
            hidden.add(row.item.pk)
    tasks = FollowUpTask.objects.filter(meeting=meeting).select_related("agency", "assignee")
    return [
        TaskLine(
            what=t.what,
            case=labels.get(t.item_id, "") if t.item_id else "",
            agency=t.agency.name,
            assignee=staff_name(t.assignee),
            due_on=wareki(t.due_on),
            done_on=wareki(timezone.localdate(t.done_at)) if t.done_at else "",
        )
        for t in tasks.order_by("due_on", "pk")
        if t.item_id not in hidden
    ]


def attendee_lines(meeting: Meeting) -> list[tuple[str, str]]:
    """(agency, name) of each attendee with an account, by the member agency they work at."""
    from tsunagi.accounts.models import Membership

    members = set(meeting.members.values_list("pk", flat=True))
    lines = []
    for user in meeting.attendees.order_by("full_name", "pk"):
        membership = (
            Membership.objects.filter(user=user, agency_id__in=members, is_active=True)
            .select_related("agency")
            .order_by("pk")
            .first()
        )
        agency = membership.agency if membership is not None else None
        lines.append((agency.name if agency is not None else "", staff_name(user)))
    return lines


def minutes_context(user: Any, meeting: Meeting) -> dict[str, Any]:
    """What the minutes show. The caller has checked `printable_meeting`."""
    rows = case_minutes(user, meeting)
    now = timezone.localtime()
    return {
        "meeting": meeting,
        "agency": meeting.agency,
        "kind": MeetingKind(meeting.kind).label,
        "article_9": meeting.kind == MeetingKind.ARTICLE_9,
        "held_on": wareki(meeting.held_on),
        "starts_at": meeting.starts_at.strftime("%H:%M") if meeting.starts_at else "",
        "members": list(meeting.members.order_by("kind", "name")),
        "attendees": attendee_lines(meeting),
        "rows": rows,
        "hidden": sum(1 for r in rows if not r.shown),
        "tasks": task_lines(meeting, rows),
        "convener_side": meeting.agency_id in agencies_with(user, *CASEWORKERS),
        "printed": _("Printed %(date)s %(time)s by %(name)s")
        % {"date": wareki(now.date()), "time": now.strftime("%H:%M"), "name": staff_name(user)},
    }


def minutes_html(user: Any, meeting: Meeting) -> str:
    printable_meeting(user, meeting)
    with translation.override("ja"):
        return render_to_string("meetings/print/minutes.html", minutes_context(user, meeting))


def _log(user: Any, meeting: Meeting, rows: list[CaseMinutes], request: HttpRequest | None) -> None:
    shown = [r for r in rows if r.shown]
    audit.record(
        "meeting.printed",
        actor=user,
        request=request,
        agency=meeting.agency,
        obj=meeting,
        detail={"kind": meeting.kind, "items": [r.item.pk for r in shown]},
    )
    for row in shown:  # rule P3: each case printed is a read, on its ground
        ground = OWN_AGENCY if row.own or row.seen is None else row.seen.ground
        agency_id = row.seen.agency_id if row.seen is not None else row.item.case.agency_id
        audit.personal(
            "meeting.printed",
            user,
            row.item.case,
            request,
            ground=ground,
            actor_agency_id=agency_id,
            meeting=meeting.pk,
            item=row.item.pk,
        )


def print_minutes(user: Any, meeting: Meeting, request: HttpRequest | None = None) -> Printed:
    """議事録 as a PDF, logged as `meeting.printed`."""
    printable_meeting(user, meeting)
    load_weasyprint()  # fail early (PrintUnavailable), before anything is read
    with translation.override("ja"):
        context = minutes_context(user, meeting)
        html = render_to_string("meetings/print/minutes.html", context)
        name = _("Minutes")
    pdf = html_to_pdf(html)
    _log(user, meeting, context["rows"], request)
    suffix = f"{meeting.held_on:%Y%m%d}_{meeting.pk}"
    return Printed(pdf, f"{name}_{suffix}.pdf", f"minutes-{suffix}.pdf")


def minutes_pdf(user: Any, meeting: Meeting, request: HttpRequest | None = None) -> bytes:
    """The minutes' PDF bytes (the API's `GET /meetings/{id}/print`)."""
    return print_minutes(user, meeting, request).pdf
