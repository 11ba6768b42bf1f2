"""The plan parts of other screens: the case page's plan panel and the home page's panel of
plan reviews due; the state badge and the outcomes of an evaluation."""

from __future__ import annotations

from typing import Any

from django import template
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from tsunagi.access.policy import Action, Kind, can
from tsunagi.plans import rules, selectors
from tsunagi.plans.models import Evaluation, PlanState, SupportPlan

register = template.Library()

HOME_ROWS = 10
_OK = frozenset({PlanState.DECIDED, PlanState.EVALUATED})
OUTCOMES = ("found_work", "income_rose", "step_daily_life", "step_social_life", "step_work")


@register.filter
def plan_state_class(state: str) -> str:
    if state in _OK:
        return "badge badge--ok"
    return "badge"


@register.filter
def outcome_labels(evaluation: Evaluation) -> list[str]:
    """The outcomes recorded, by their labels (work is one of five, not the only success)."""
    fields = {f.name: f for f in Evaluation._meta.concrete_fields}
    return [str(fields[name].verbose_name) for name in OUTCOMES if getattr(evaluation, name)]


@register.inclusion_tag("plans/_case_panel_body.html", takes_context=True)
def plan_case_panel(context: Any, case: Any) -> dict[str, Any]:
    """The case's plan in force with its state and review date, and the way to write one."""
    request = context["request"]
    user = request.user
    if not can(user, Action.VIEW, Kind.CASE, case) or not can(user, Action.VIEW, Kind.PLAN):
        return {"show": False}
    plans = list(selectors.plans_of_case(user, case)[:1])
    latest = plans[0] if plans else None
    in_force = latest is not None and latest.state not in (
        PlanState.SUPERSEDED,
        PlanState.EVALUATED,
    )
    current = latest if in_force else None
    if latest is not None:
        from tsunagi.people.services import log_read

        log_read(user, Kind.PLAN, latest, request, shown_in="case_panel")
    may_write = (
        current is None
        and case.closed_on is None
        and can(user, Action.CREATE, Kind.PLAN, SupportPlan(agency_id=case.agency_id, case=case))
    )
    return {
        "show": True,
        "case": case,
        "current": current,
        "latest": latest,
        "due": current is not None and rules.review_due(current, timezone.localdate()),
        "may_write": may_write,
    }


@register.inclusion_tag("plans/_home_reviews_body.html", takes_context=True)
def plan_home_reviews(context: Any) -> dict[str, Any]:
    """Plans of the user's agencies whose review (monitoring) date has come."""
    from tsunagi.plans.views import log_shown

    request = context["request"]
    if not can(request.user, Action.VIEW, Kind.PLAN):
        return {"plans": []}
    plans = list(selectors.reviews_due(request.user, timezone.localdate(), limit=HOME_ROWS))
    log_shown(request, plans)
    return {"plans": plans}


@register.simple_tag(takes_context=True)
def include_if_exists(context: Any, name: str) -> SafeString:
    """Render another app's panel when that app has written it (screens land one by one)."""
    try:
        tpl = get_template(name)
    except TemplateDoesNotExist:
        return mark_safe("")
    return mark_safe(tpl.render(context.flatten(), context.get("request")))
