"""Reads of the audit log, filtered by the access module."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from tsunagi.accounts.models import Role

from .models import NOTIFIED_KINDS, AuditEvent, Grant
from .policy import CASEWORKERS, Kind, agencies_with, scope


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_events(
    viewer: Any,
    *,
    action: str = "",
    user: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AuditEvent]:
    """Events the viewer may read, newest first; `action` matches a dotted prefix (login.)."""
    events = scope(viewer, Kind.AUDIT_EVENT, AuditEvent.objects.all()).select_related("agency")
    if action:
        events = events.filter(action__startswith=action)
    if user:
        events = events.filter(actor_username=user)
    if date_from:
        events = events.filter(at__gte=_start_of(date_from))
    if date_to:
        events = events.filter(at__lt=_start_of(date_to + timedelta(days=1)))
    return events.order_by("-at", "-id")


def grants_given(viewer: Any, agency_id: int | None = None) -> QuerySet[Grant]:
    """Grants made on the viewer's agencies' records, newest first."""
    grants = scope(viewer, Kind.GRANT, Grant.objects.all()).filter(
        agency__in=agencies_with(viewer, *CASEWORKERS)
    )
    if agency_id is not None:
        grants = grants.filter(agency_id=agency_id)
    return grants.select_related(
        "person", "receiving_agency", "receiving_user", "consent", "made_by", "meeting"
    ).order_by("-starts_at", "-id")


def grants_received(viewer: Any) -> QuerySet[Grant]:
    """Grants held by the viewer's agencies (or by the viewer as a supporter), newest first."""
    grants = scope(viewer, Kind.GRANT, Grant.objects.all()).exclude(
        agency__in=agencies_with(viewer, *CASEWORKERS)
    )
    return grants.select_related("person", "agency", "consent", "made_by").order_by(
        "-starts_at", "-id"
    )


def pending_notices(viewer: Any) -> QuerySet[Grant]:
    """Rule P5: sharing without consent on the records of agencies the viewer manages, not yet
    marked as seen. Shown on the manager's home screen."""
    return (
        Grant.objects.filter(
            agency__in=agencies_with(viewer, Role.MANAGER),
            kind__in=NOTIFIED_KINDS,
            acknowledged_at__isnull=True,
        )
        .select_related("person", "receiving_agency", "made_by")
        .order_by("-starts_at", "-id")
    )


def disclosure(viewer: Any, person: Any) -> QuerySet[AuditEvent]:
    """Rule P3: every read and change of the person's record, by every agency and user, with
    the ground; oldest first. Only for a viewer who sees the person at the owning agency.

    Events about the household the person belongs to are included by record, since a household
    page shows its members."""
    from tsunagi.people.models import HouseholdMember

    from .policy import Action, can

    if not can(viewer, Action.VIEW, Kind.PERSON, person):
        return AuditEvent.objects.none()
    q = Q(subject_id=person.pk)
    household_id = (
        HouseholdMember.objects.filter(person=person).values_list("household_id", flat=True).first()
    )
    if household_id is not None:
        q |= Q(record_kind="household", record_id=str(household_id))
    return (
        AuditEvent.objects.filter(q, personal=True)
        .select_related("agency", "actor_agency")
        .order_by("at", "id")
    )
