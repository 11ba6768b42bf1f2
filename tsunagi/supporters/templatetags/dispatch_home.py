"""The supporters' panels of the home page: a coordinator's waiting work (rules S3, S7, S8),
a supporter's link to their own view."""

from __future__ import annotations

from typing import Any

from django import template

from tsunagi.access.policy import DISPATCHERS, Role, agencies_with, has_role

from .. import selectors
from ..models import DispatchState, IncidentState

register = template.Library()


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
        out.update(
            coordinator=True,
            unseen=[i for i in waiting if i.acknowledged_at is None],
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
