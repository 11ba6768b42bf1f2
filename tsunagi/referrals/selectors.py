"""Reads of referrals, filtered by the access module."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from tsunagi.access.policy import CASEWORKERS, Kind, agencies_with, scope

from .models import Referral, State


def _base(user: Any) -> QuerySet[Referral]:
    return scope(user, Kind.REFERRAL, Referral.objects.all()).select_related(
        "agency", "to_agency", "person", "case", "consent", "grant", "received_case"
    )


def referrals_of_case(user: Any, case: Any) -> QuerySet[Referral]:
    return _base(user).filter(case=case).order_by("-created_at", "-id")


def sent_by(user: Any, state: str = "") -> QuerySet[Referral]:
    """The referrals the user's agencies made, newest first."""
    qs = _base(user).filter(agency__in=agencies_with(user, *CASEWORKERS))
    return (qs.filter(state=state) if state else qs).order_by("-created_at", "-id")


def received_by(user: Any, state: str = "") -> QuerySet[Referral]:
    """The referrals sent to the user's agencies (never drafts), newest first."""
    qs = _base(user).filter(to_agency__in=agencies_with(user, *CASEWORKERS), sent_at__isnull=False)
    return (qs.filter(state=state) if state else qs).order_by("-sent_at", "-id")


def awaiting_answer(user: Any) -> QuerySet[Referral]:
    return received_by(user).filter(state__in=[State.SENT, State.RECEIVED])
