"""The referral parts of other screens: the case page's panel (with rule P1's finding for a
draft without consent), the home page's inbox of referrals awaiting an answer and its panel of
reminders and hand-overs waiting (rule R5)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from tsunagi.access.policy import Action, Kind, can
from tsunagi.referrals import rules, selectors
from tsunagi.referrals.models import State

register = template.Library()

_OK = frozenset({State.ACCEPTED, State.FIRST_CONTACT, State.CLOSED})
_NG = frozenset({State.DECLINED, State.CANCELLED})


@register.filter
def state_class(state: str) -> str:
    """The badge modifier of a referral's state: done well, refused, or under way."""
    if state in _OK:
        return "badge badge--ok"
    if state in _NG:
        return "badge badge--ng"
    return "badge"


@register.filter
def state_label(state: str) -> str:
    return str(State(state).label) if state in State.values else state


@register.inclusion_tag("referrals/_case_panel_body.html", takes_context=True)
def referral_case_panel(context: Any, case: Any) -> dict[str, Any]:
    """The case's referrals with their states; a draft without a consent in order shows rule
    P1's finding with the way to record the consent."""
    user = context["request"].user
    if not can(user, Action.VIEW, Kind.CASE, case):
        return {"show": False}
    today = timezone.localdate()
    rows = []
    for referral in selectors.referrals_of_case(user, case)[:20]:
        finding = rules.referral_finding(referral, today)
        rows.append({"referral": referral, "finding": finding})
    return {
        "show": True,
        "case": case,
        "rows": rows,
        "may_refer": case.closed_on is None and can(user, Action.CREATE, Kind.REFERRAL),
    }


@register.inclusion_tag("referrals/_home_inbox_body.html", takes_context=True)
def referral_home_inbox(context: Any) -> dict[str, Any]:
    """Referrals sent to the user's agencies and not yet answered, with the person as the grant
    lets the receiver see them (logged on the grant's ground)."""
    from tsunagi.referrals.views import rows_for

    request = context["request"]
    waiting = list(selectors.awaiting_answer(request.user)[:20])
    return {"rows": rows_for(request.user, waiting, request) if waiting else []}


@register.inclusion_tag("referrals/_home_reminders_body.html", takes_context=True)
def referral_home_reminders(context: Any) -> dict[str, Any]:
    """Both sides' referrals waiting longer than their agency allows (business days) and the
    hand-overs waiting too long (rule R5), with the person as the viewer may see them."""
    from tsunagi.referrals.dashboard_views import HOME_ROWS, waiting_rows

    request = context["request"]
    if not can(request.user, Action.VIEW, Kind.REFERRAL):
        return {}
    return waiting_rows(request.user, request, limit=HOME_ROWS)


@register.filter
def receiver_steps(steps: list[str]) -> bool:
    """Are any of these steps the receiving agency's (recorded for it when it has no account)?"""
    return any(rules.STEPS[s][2] == rules.RECEIVER for s in steps if s in rules.STEPS)


@register.filter
def get_form(forms: dict[str, Any], step: str) -> Any:
    return forms.get(step)
