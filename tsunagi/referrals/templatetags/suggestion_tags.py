"""The introductions part of the case page: the case's introductions (紹介, rule R3a), each
shown logged as read (rule P3), with the way to record one."""

from __future__ import annotations

from typing import Any

from django import template

from tsunagi.access.policy import Action, Kind, can, scope
from tsunagi.referrals.models import Introduction

register = template.Library()

SHOWN = 10


@register.inclusion_tag("referrals/_introductions_body.html", takes_context=True)
def case_introductions(context: Any, case: Any) -> dict[str, Any]:
    from tsunagi.referrals.suggestion_views import log_listed

    request = context["request"]
    user = request.user
    if not can(user, Action.VIEW, Kind.CASE, case):
        return {"show": False}
    found = scope(user, Kind.INTRODUCTION, Introduction.objects.filter(case=case))
    rows = list(found.select_related("to_agency").order_by("-given_on", "-id")[: SHOWN + 1])
    log_listed(request, rows[:SHOWN])
    blank = Introduction(agency_id=case.agency_id, case=case)
    return {
        "show": True,
        "case": case,
        "rows": rows[:SHOWN],
        "more": len(rows) > SHOWN,
        "may_introduce": case.closed_on is None
        and can(user, Action.CREATE, Kind.INTRODUCTION, blank),
    }
