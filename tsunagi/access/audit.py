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
) -> AuditEvent:
    """Append one event with a dotted action code (`agency.changed`, `login.failed`)."""
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    if obj is not None:
        record_kind = record_kind or obj._meta.model_name
        record_id = record_id or obj.pk
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_username=username or (actor.get_username() if actor is not None else ""),
        agency_id=agency.pk if agency is not None else agency_id,
        action=action,
        record_kind=record_kind,
        record_id=str(record_id),
        personal=personal,
        grant=grant,
        reason=reason,
        detail=detail or {},
        ip_address=client_ip(request),
    )
