"""Reads of support plans, filtered by the access module."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from tsunagi.access.policy import CASEWORKERS, Kind, agencies_with, scope
from tsunagi.meetings.models import FollowUpTask, Meeting

from . import rules
from .models import PlanState, SupportPlan


def current_plan_q() -> Q:
    """A plan in force: neither replaced by a new version nor evaluated (ended)."""
    return ~Q(state__in=[PlanState.SUPERSEDED, PlanState.EVALUATED])


def _base(user: Any) -> QuerySet[SupportPlan]:
    return scope(user, Kind.PLAN, SupportPlan.objects.all()).select_related(
        "agency", "person", "case", "approved_item__meeting", "created_by", "updated_by"
    )


def plans_of_case(user: Any, case: Any) -> QuerySet[SupportPlan]:
    """Every version of the case's plans, newest first (the user's own agency)."""
    return _base(user).filter(case=case).order_by("-number", "-id")


def current_plan(user: Any, case: Any) -> SupportPlan | None:
    return plans_of_case(user, case).filter(current_plan_q()).first()


def reviews_due(user: Any, today: date | None = None, limit: int = 50) -> QuerySet[SupportPlan]:
    """Plans of the user's agencies whose review (monitoring) date has come (dashboard)."""
    today = today or timezone.localdate()
    return (
        _base(user)
        .filter(
            agency__in=agencies_with(user, *CASEWORKERS),
            state__in=[PlanState.APPROVED, PlanState.DECIDED],
            review_on__lte=today,
        )
        .order_by("review_on", "id")[:limit]
    )


def participating_agencies(plan: SupportPlan) -> list[Any]:
    """The plan's own agency and every agency responsible for an item (rule R4)."""
    agencies = {plan.agency_id: plan.agency}
    for item in plan.items.select_related("responsible_agency"):
        agencies.setdefault(item.responsible_agency_id, item.responsible_agency)
    return list(agencies.values())


def plan_findings(plan: SupportPlan) -> list[Any]:
    """Rules R4 (role split) and R3b (the hikikomori agency invited to the deciding meeting)."""
    items = list(plan.items.select_related("responsible_agency"))
    found = rules.role_split_findings(items, participating_agencies(plan))
    meeting = plan.approved_item.meeting if plan.approved_item is not None else None
    members = list(meeting.members.all()) if meeting is not None else []
    if meeting is not None or plan.state == PlanState.DRAFT:
        r3b = rules.r3b_finding([i.responsible_agency for i in items], members)
        if r3b is not None:
            found.append(r3b)
    return found


def open_tasks(user: Any, limit: int = 50) -> QuerySet[FollowUpTask]:
    """Follow-up tasks of meetings the user sees, for the user's agencies, not yet done."""
    meetings = scope(user, Kind.MEETING, Meeting.objects.all())
    return (
        FollowUpTask.objects.filter(
            meeting__in=meetings,
            agency__in=agencies_with(user, *CASEWORKERS),
            done_at__isnull=True,
        )
        .select_related("meeting", "agency", "assignee")
        .order_by("due_on", "id")[:limit]
    )
