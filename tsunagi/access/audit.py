"""Write audit events. Call inside the transaction of the change being recorded."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .models import AuditEvent


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record(
    action: str,
    *,
    actor: Any = None,
    request: HttpRequest | None = None,
    agency: Any = None,
    agency_id: int | None = None,
    obj: Any = None,
    record_kind: str = "",
    record_id: str | int = "",
    personal: bool = False,
    grant: str = "",
    reason: str = "",
    detail: dict[str, Any] | None = None,
    username: str = "",
    subject_id: int | None = None,
    actor_agency_id: int | None = None,
) -> AuditEvent:
    """Append one event with a dotted action code (`agency.changed`, `login.failed`).

    For a personal record, `subject_id` (the person it is about) is worked out from `obj` when
    not given, and the user's agency defaults to the owning agency (own-agency work); a read
    under a grant passes the receiving agency."""
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    if obj is not None:
        record_kind = record_kind or obj._meta.model_name
        record_id = record_id or obj.pk
        if subject_id is None:
            subject_id = subject_of(obj)
    owner_id = agency.pk if agency is not None else agency_id
    if actor_agency_id is None and personal:
        actor_agency_id = owner_id
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_username=username or (actor.get_username() if actor is not None else ""),
        agency_id=owner_id,
        actor_agency_id=actor_agency_id,
        subject_id=subject_id,
        action=action,
        record_kind=record_kind,
        record_id=str(record_id),
        personal=personal,
        grant=grant,
        reason=reason,
        detail=detail or {},
        ip_address=client_ip(request),
    )


def subject_of(obj: Any) -> int | None:
    """The person a personal record is about (for the disclosure report, rule P3)."""
    label = obj._meta.label_lower
    if label == "people.person":
        return int(obj.pk) if obj.pk is not None else None
    person_id = getattr(obj, "person_id", None)
    if person_id is not None:
        return int(person_id)
    case = getattr(obj, "case", None) if getattr(obj, "case_id", None) is not None else None
    if case is not None:
        return int(case.person_id)
    return None


def personal(
    action: str,
    actor: Any,
    obj: Any,
    request: HttpRequest | None = None,
    *,
    ground: str = "own_agency",
    actor_agency_id: int | None = None,
    reason: str = "",
    **detail: Any,
) -> AuditEvent:
    """A change (or read) of a personal record, on `ground`, logged against its owner."""
    return record(
        action,
        actor=actor,
        request=request,
        agency_id=obj.agency_id,
        obj=obj,
        personal=True,
        grant=ground,
        actor_agency_id=actor_agency_id,
        reason=reason,
        detail=detail or None,
    )
