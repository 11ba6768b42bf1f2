"""Users, their memberships in agencies and government offices, and API tokens.

A user belongs to one or more agencies or offices with one role in each (access.md). The role
names are the ones of access.md; what each role may do is decided in `tsunagi.access.policy`
and nowhere else.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    STAFF = "staff", _("Consultation staff / coordinator")
    MANAGER = "manager", _("Agency manager")
    DISPATCH_COORDINATOR = "dispatch_coordinator", _("Dispatch coordinator")
    SUPPORTER = "supporter", _("Supporter")
    MUNICIPAL_OFFICER = "municipal_officer", _("Municipal officer")
    PREFECTURAL_OFFICER = "prefectural_officer", _("Prefectural officer")
    AUDITOR = "auditor", _("Auditor")
    OPERATOR = "operator", _("Operator")


class User(AbstractUser):
    """A person who logs in. `first_name`/`last_name` are unused: Japanese names are one field."""

    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    full_name_kana = models.CharField(_("full name (kana)"), max_length=100, blank=True)
    failed_logins = models.PositiveSmallIntegerField(default=0, editable=False)
    locked_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name or self.username


class Membership(models.Model):
    """A user's role in one agency or government office (operators belong to the installation)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    agency = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        related_name="memberships",
        null=True,
        blank=True,
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "agency"],
                condition=models.Q(agency__isnull=False),
                name="membership_one_role_per_agency",
            ),
            models.CheckConstraint(
                condition=(models.Q(role="operator") & models.Q(agency__isnull=True))
                | (~models.Q(role="operator") & models.Q(agency__isnull=False)),
                name="membership_agency_unless_operator",
            ),
        ]

    def __str__(self) -> str:
        where = self.agency.name if self.agency_id and self.agency else _("installation")
        return f"{self.user} — {self.get_role_display()} ({where})"


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def valid(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ApiToken(models.Model):
    """A bearer token for the API. Only its hash is stored; the raw token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    label = models.CharField(_("label"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.user} {self.label or self.key_hash[:8]}"

    @classmethod
    def issue(cls, user: User, label: str = "") -> tuple[ApiToken, str]:
        raw = "tsu_" + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user,
            key_hash=_hash_token(raw),
            label=label,
            expires_at=timezone.now() + timedelta(days=settings.TSUNAGI_TOKEN_DAYS),
        )
        return token, raw

    @classmethod
    def find(cls, raw: str) -> ApiToken | None:
        return cls.objects.valid().select_related("user").filter(key_hash=_hash_token(raw)).first()
