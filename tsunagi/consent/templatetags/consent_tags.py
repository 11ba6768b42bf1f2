"""The consent parts of other screens (the case page's panel, the manager's notices on the home
page) and labels of statuses and grounds."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import pgettext

from tsunagi.access import labels
from tsunagi.access import selectors as access_selectors
from tsunagi.access.kinds import kinds_label
from tsunagi.access.models import Grant
from tsunagi.access.policy import Action, Kind, can, scope
from tsunagi.consent import selectors

register = template.Library()


@register.filter
def status_label(status: str) -> str:
    """有効 / 期限切れ / 撤回 / 終了 / 開始前 for a consent's or a grant's status."""
    labels = {
        "active": pgettext("status", "Active"),
        "expired": pgettext("status", "Expired"),
        "withdrawn": pgettext("status", "Withdrawn"),
        "ended": pgettext("status", "Ended"),
        "future": pgettext("status", "Not yet started"),
    }
    return str(labels.get(status, status))


@register.filter
def kinds(codes: list[str]) -> str:
    """The kinds of information a consent or grant names, in the user's language."""
    return kinds_label(codes or [])


@register.filter
def ground_label(code: str) -> str:
    """How the access log's ground reads: 自機関 / 同意 #12 / 支援会議 #3 / 緊急 #5 / 派遣 #9."""
    return labels.ground_label(code)


@register.inclusion_tag("consent/_case_panel_body.html", takes_context=True)
def consent_case_panel(context: Any, case: Any) -> dict[str, Any]:
    """Rule P2's finding (when no explanation is recorded), the person's consents with their
    status (P4: withdrawn with the date), and the grants made on the record."""
    user = context["request"].user
    person = case.person
    if not can(user, Action.VIEW, Kind.PERSON, person):
        return {"show": False}
    grants = scope(user, Kind.GRANT, Grant.objects.filter(person=person)).select_related(
        "receiving_agency", "receiving_user", "consent"
    )
    return {
        "show": True,
        "case": case,
        "person": person,
        "finding": selectors.explanation_finding(user, person),
        "consents": list(selectors.consents_of(user, person)[:20]),
        "grants": list(grants.order_by("-starts_at", "-id")[:20]),
    }


@register.inclusion_tag("consent/_home_notices_body.html", takes_context=True)
def consent_home_notices(context: Any) -> dict[str, Any]:
    """Rule P5: the manager's notices of sharing without consent, with a 確認しました button."""
    request = context["request"]
    return {
        "notices": list(access_selectors.pending_notices(request.user)[:50]),
        "csrf_token": context.get("csrf_token"),
    }
