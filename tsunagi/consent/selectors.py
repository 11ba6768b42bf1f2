"""Reads of consents and explanations, filtered by the access module."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from tsunagi.access.policy import Kind, scope
from tsunagi.people.rules import Finding

from . import rules
from .models import Consent, Explanation


def consents_of(user: Any, person: Any) -> QuerySet[Consent]:
    """The person's consents the user may see, newest first, withdrawn ones with their date."""
    return (
        scope(user, Kind.CONSENT, Consent.objects.filter(person=person))
        .select_related("recipient_agency", "witness", "recorded_by", "withdrawn_recorded_by")
        .order_by("-given_on", "-id")
    )


def standing_consents(user: Any, person: Any, agency: Any, on: Any) -> list[Consent]:
    """Consents in force on `on` that name `agency` (rule P1), for choosing one to attach."""
    return [c for c in consents_of(user, person) if c.stands_on(on) and c.names_agency(agency)]


def explanations_of(user: Any, person: Any) -> QuerySet[Explanation]:
    return (
        scope(user, Kind.EXPLANATION, Explanation.objects.filter(person=person))
        .select_related("explained_by")
        .order_by("-explained_on", "-id")
    )


def explanation_finding(user: Any, person: Any) -> Finding | None:
    """Rule P2 as the case page shows it: missing, or not agreed (with the agreed handling)."""
    return rules.explanation_finding(list(explanations_of(user, person)[:1]))
