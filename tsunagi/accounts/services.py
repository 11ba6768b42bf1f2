"""State changes of accounts: lockout after failures, creating users, granting and changing roles.

Each change checks access, validates, writes and appends its audit event in one transaction.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagi.access import audit
from tsunagi.access.policy import Action, Kind, forget, require

from .models import Membership, Role, User


def is_locked(user: User) -> bool:
    return user.locked_until is not None and user.locked_until > timezone.now()


def login_succeeded(user: User) -> None:
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)


def login_failed(username: str) -> None:
    """Count a failure; after too many in a row the account is locked for a while."""
    User.objects.filter(username=username).update(failed_logins=F("failed_logins") + 1)
    user = User.objects.filter(username=username).first()
    if user is not None and user.failed_logins >= settings.TSUNAGI_LOGIN_MAX_FAILURES:
        until = timezone.now() + timedelta(minutes=settings.TSUNAGI_LOGIN_LOCK_MINUTES)
        User.objects.filter(pk=user.pk).update(locked_until=until)


@transaction.atomic
def create_user(
    actor: Any,
    *,
    username: str,
    full_name: str,
    email: str = "",
    password: str,
    full_name_kana: str = "",
    request: Any = None,
) -> User:
    require(actor, Action.CREATE, Kind.USER)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("This user name is already taken.")})
    user = User(username=username, full_name=full_name, full_name_kana=full_name_kana, email=email)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    audit.record("user.created", actor=actor, request=request, obj=user)
    return user


@transaction.atomic
def set_membership(
    actor: Any, *, user: User, agency: Any, role: str, request: Any = None
) -> Membership:
    """Give `user` a role in `agency` (or change it). Operators are members of no agency."""
    role = Role(role)
    if (role == Role.OPERATOR) != (agency is None):
        raise ValidationError({"agency": _("An operator belongs to no agency; others to one.")})
    membership = Membership.objects.filter(user=user, agency=agency).first()
    before = membership.role if membership else None
    if membership is None:
        membership = Membership(user=user, agency=agency, role=role)
    else:
        require(actor, Action.CHANGE, Kind.MEMBERSHIP, membership)
        membership.role = role
        membership.is_active = True
    require(actor, Action.CHANGE, Kind.MEMBERSHIP, membership)
    membership.save()
    forget(user)
    audit.record(
        "membership.role_changed" if before else "membership.granted",
        actor=actor,
        request=request,
        agency=agency,
        obj=membership,
        detail={"user": user.username, "from": before, "to": str(role)},
    )
    return membership


@transaction.atomic
def end_membership(actor: Any, membership: Membership, request: Any = None) -> None:
    require(actor, Action.CHANGE, Kind.MEMBERSHIP, membership)
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    forget(membership.user)
    audit.record(
        "membership.ended",
        actor=actor,
        request=request,
        agency=membership.agency,
        obj=membership,
        detail={"user": membership.user.username, "role": membership.role},
    )
