"""What a viewer of a meeting page may see of its agenda cases, and which of the person's consents
let a case onto a support coordination meeting's agenda (rule P1).

A member agency sees the other members' agenda cases only as its grant permits (`policy.sight`:
the Article 9 meeting grant, rule P5, or the grant under the person's consent to the meeting,
rule P1), rendered from the permitted fields alone; without sight it sees that a case of that
agency is on the agenda, nothing of the person, its minutes or its plan.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagi.access.kinds import shared_values
from tsunagi.access.policy import Action, Kind, can, scope, sight
from tsunagi.access.shared import shown_name
from tsunagi.consent.models import Consent
from tsunagi.people import services as people_services
from tsunagi.people.models import Case

from .models import AgendaItem, Meeting


def _plans(user: Any, item: AgendaItem) -> list[dict[str, Any]]:
    """The plan approved at this agenda case, linked for its own agency and for a member that
    sees plans through its grant (the plan page then shows the granted fields only)."""
    return [
        {"plan": plan, "link": True}
        for plan in item.approved_plans.all()
        if can(user, Action.VIEW, Kind.PLAN, plan) or sight(user, Kind.PLAN, plan) is not None
    ]


def agenda_rows(user: Any, meeting: Meeting, request: HttpRequest) -> list[dict[str, Any]]:
    """Each agenda item as the viewer may see it: own cases in full (logged in one statement),
    other agencies' cases through the meeting grant's kinds (each logged on its ground), or
    only the agency that put it there."""
    rows, own_cases = [], []
    runs = can(user, Action.CHANGE, Kind.MEETING, meeting)
    items = meeting.agenda.select_related(
        "case", "case__person", "case__agency", "consent", "minutes_by"
    ).prefetch_related("approved_plans")
    for item in items:
        case = item.case
        row: dict[str, Any] = {"item": item, "agency": case.agency.name, "kinds": item.kinds_label}
        if can(user, Action.VIEW, Kind.CASE, case):
            own_cases.append(case)
            row.update(own=True, number=case.number, name=case.person.full_name, case_pk=case.pk)
            row.update(visible=True, may_write=True)
        else:
            # the case through a grant naming its kinds; the name alone through one naming
            # identity (the case's own fields are of other kinds)
            seen = sight(user, Kind.CASE, case)
            name = shown_name(user, case.person, request) or ""
            row.update(own=False, seen=seen is not None or bool(name), visible=seen is not None)
            row.update(number="", name=name, person_pk=case.person_id)
            if seen is not None:
                number = shared_values(case, seen.kinds).get("number", "")
                if number or item.minutes:
                    people_services.log_shared_read(user, Kind.CASE, case, seen, request)
                row.update(number=number, may_write=runs)
        if row["visible"]:
            row["plans"] = _plans(user, item)
        if row.get("seen") or row["own"]:
            row["label"] = f"{row['number']} {row['name']}".strip()
        if not row.get("label"):
            row["label"] = _("A case of %(agency)s") % {"agency": case.agency.name}
        rows.append(row)
    if own_cases:
        people_services.log_reads(user, Kind.CASE, own_cases, request, shown_in="meeting")
    return rows


def agenda_cases(user: Any, meeting: Meeting) -> QuerySet[Case]:
    """Open cases the user sees, of the user's agencies that sit at the meeting, not yet on it."""
    return (
        scope(user, Kind.CASE, Case.objects.filter(closed_on__isnull=True))
        .filter(agency__in=meeting.members.all())
        .exclude(agenda_items__meeting=meeting)
        .select_related("person")
        .order_by("-opened_on", "-pk")
    )


def meeting_consents(user: Any, meeting: Meeting, cases: QuerySet[Case]) -> QuerySet[Consent]:
    """Rule P1: the consents, in force today, of the persons of these cases that name this
    meeting or every other member agency (as `services.add_agenda_item` checks)."""
    today = timezone.localdate()
    candidates = scope(
        user,
        Kind.CONSENT,
        Consent.objects.filter(
            person__in=cases.values("person"),
            withdrawn_at__isnull=True,
            given_on__lte=today,
            valid_until__gte=today,
        ),
    ).select_related("recipient_agency", "recipient_meeting")
    members = list(meeting.members.all())
    # a consent naming a meeting is for that meeting only, even when the members overlap
    keep = [
        c.pk
        for c in candidates
        if c.recipient_meeting_id == meeting.pk
        or (
            c.recipient_meeting_id is None
            and all(c.names_agency(m) for m in members if m.pk != c.agency_id)
        )
    ]
    return (
        Consent.objects.filter(pk__in=keep)
        .select_related("person", "recipient_agency", "recipient_meeting")
        .order_by("person__family_name_kana", "-given_on", "-pk")
    )
