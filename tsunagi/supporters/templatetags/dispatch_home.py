"""The supporters' panels of the home page: a coordinator's waiting work (rules S3, S7, S8),
a supporter's link to their own view."""

from __future__ import annotations

from typing import Any

from django import template

from tsunagi.access import audit
from tsunagi.access.policy import DISPATCHERS, Role, agencies_with, has_role

from .. import selectors
from ..models import DispatchState, Incident, IncidentState

register = template.Library()


def _log_unseen(user: Any, request: Any, incidents: list[Incident]) -> None:
    """The panel names each unseen incident (kind, time, dispatch number): one personal
    `incident.listed` record per office, naming the incidents shown."""
    by_office: dict[int, list[int]] = {}
    for inc in incidents:
        by_office.setdefault(inc.agency_id, []).append(inc.pk)
    for agency_id, ids in by_office.items():
        audit.record(
            "incident.listed",
            actor=user,
            request=request,
            agency_id=agency_id,
            personal=True,
            detail={"incidents": ids, "panel": "home"},
        )


@register.inclusion_tag("supporters/_home_panels.html", takes_context=True)
def supporters_home(context: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return {"show": False}
    out: dict[str, Any] = {"show": True, "is_supporter": has_role(user, Role.SUPPORTER)}
    offices = agencies_with(user, *DISPATCHERS)
    if offices and has_role(user, Role.DISPATCH_COORDINATOR):
        # rule S8: an incident reaches the coordinator at once and stays on top until seen
        waiting = list(selectors.incidents_waiting(user)[:50])
        unseen = [i for i in waiting if i.acknowledged_at is None]
        _log_unseen(user, request, unseen)
        out.update(
            coordinator=True,
            unseen=unseen,
            following=[
                i
                for i in waiting
                if i.acknowledged_at is not None and i.state != IncidentState.CLOSED
            ],
            found=list(selectors.found_cases_waiting(user)[:20]),
            to_confirm=selectors.to_confirm(user).count(),
            active=selectors.dispatches(user)
            .filter(agency__in=offices, state=DispatchState.ACTIVE)
            .count(),
        )
    return out
