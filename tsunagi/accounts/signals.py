"""Logins, logouts and failed logins go to the audit log (access.md "What is logged")."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from tsunagi.access import audit
from tsunagi.access.policy import positions

from . import services


def _home_agency_id(user: Any) -> int | None:
    """The user's agency when they belong to exactly one, so its manager sees their logins."""
    ids = {p.agency_id for p in positions(user) if p.agency_id is not None}
    return next(iter(ids)) if len(ids) == 1 else None


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    services.login_succeeded(user)
    audit.record("login.succeeded", actor=user, request=request, agency_id=_home_agency_id(user))


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit.record("logout", actor=user, request=request, agency_id=_home_agency_id(user))


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kw: Any) -> None:
    username = str(credentials.get("username", ""))[:150]
    services.login_failed(username)
    audit.record("login.failed", request=request, username=username)
