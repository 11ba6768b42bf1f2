"""The append-only audit log (監査ログ): logins, failures, role changes, and every change of record.

Rows are written in the same transaction as the change they record (style.md). They cannot be
changed or deleted: the model refuses, and a database trigger refuses too (on PostgreSQL and on
SQLite), so neither the application nor a stray SQL statement from its database role rewrites
history.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditLogIsAppendOnly(Exception):
    pass


class AuditEvent(models.Model):
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_username = models.CharField(_("user name"), max_length=150, blank=True)
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("agency"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The agency or office the event concerns."),
    )
    action = models.CharField(_("action"), max_length=60, db_index=True)
    record_kind = models.CharField(_("record kind"), max_length=40, blank=True)
    record_id = models.CharField(_("record"), max_length=40, blank=True)
    personal = models.BooleanField(
        _("personal data"),
        default=False,
        help_text=_("The event concerns a personal record; operators never see these."),
    )
    actor_agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("user's agency"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The agency the user acted for (differs from the owner under a grant)."),
    )
    # The person whose record this is, so a disclosure report (rule P3) is one indexed query.
    subject_id = models.PositiveIntegerField(_("person"), null=True, blank=True)
    grant = models.CharField(_("ground"), max_length=60, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")
        indexes = [
            models.Index(fields=["agency", "-at"]),
            models.Index(fields=["record_kind", "record_id"]),
            models.Index(fields=["subject_id", "at"], name="audit_subject_at"),
            models.Index(fields=["actor_agency", "-at"], name="audit_actor_agency_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AuditLogIsAppendOnly("audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditLogIsAppendOnly("audit events cannot be deleted")

    @property
    def action_label(self) -> str:
        from .labels import action_label

        return action_label(self.action)


class GrantKind(models.TextChoices):
    """The four grounds on which a user outside the owning agency sees a record (access.md)."""

    CONSENT = "consent", _("Consent (referral or co-support)")
    MEETING = "meeting", _("Support meeting (Article 9)")
    EMERGENCY = "emergency", _("Emergency")
    DISPATCH = "dispatch", _("Supporter dispatch")


class LegalGround(models.TextChoices):
    """Grounds in law for sharing without consent (rule P5; 個人情報保護法 第27条・第69条)."""

    LIFE_BODY_PROPERTY = (
        "life_body_property",
        _("Needed to protect a person's life, body or property, and consent is hard to obtain"),
    )
    PUBLIC_HEALTH_CHILD = (
        "public_health_child",
        _(
            "Specially needed for public health or the sound upbringing of children, and consent "
            "is hard to obtain"
        ),
    )
    LAW = "law", _("Required or permitted by a law")
    ARTICLE_9 = (
        "article_9",
        _("Support meeting under Article 9 of the Act on Self-Reliance Support for Needy Persons"),
    )


# rule P5: sharing without consent is reported to the owning agency's manager.
NOTIFIED_KINDS = (GrantKind.EMERGENCY, GrantKind.MEETING)

EMERGENCY_GROUNDS = (
    LegalGround.LIFE_BODY_PROPERTY,
    LegalGround.PUBLIC_HEALTH_CHILD,
    LegalGround.LAW,
)


class GrantQuerySet(models.QuerySet["Grant"]):
    def active(self, at: Any = None) -> GrantQuerySet:
        """Grants in force at `at` (now): started, not past their end, not ended early, and
        for a consent grant, the consent not withdrawn (rule P4: at once)."""
        from django.utils import timezone

        at = at or timezone.now()
        return self.filter(
            starts_at__lte=at,
            ends_at__gt=at,
            ended_at__isnull=True,
        ).exclude(consent__withdrawn_at__lte=at)


class Grant(models.Model):
    """One row that lets a user outside the owning agency see a person's record (access.md).

    It names the ground, the kinds of information, a start and an end, and the user who made it.
    Nobody edits a grant; it ends at its end time, when its consent is withdrawn, when its
    dispatch stops, or when someone ends it early (with a reason)."""

    kind = models.CharField(_("ground"), max_length=20, choices=GrantKind.choices)
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("owning agency"),
        on_delete=models.PROTECT,
        related_name="grants_given",
    )
    person = models.ForeignKey(
        "people.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="grants"
    )
    case = models.ForeignKey(
        "people.Case",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="grants",
        null=True,
        blank=True,
    )
    receiving_agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("receiving agency"),
        on_delete=models.PROTECT,
        related_name="grants_received",
        null=True,
        blank=True,
    )
    receiving_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("receiving user"),
        on_delete=models.PROTECT,
        related_name="grants_received",
        null=True,
        blank=True,
        help_text=_("For a supporter dispatch: the supporter."),
    )
    kinds = models.JSONField(_("kinds of information"), default=list)
    consent = models.ForeignKey(
        "consent.Consent",
        verbose_name=_("consent"),
        on_delete=models.PROTECT,
        related_name="grants",
        null=True,
        blank=True,
    )
    meeting = models.ForeignKey(
        "meetings.Meeting",
        verbose_name=_("support meeting"),
        on_delete=models.PROTECT,
        related_name="grants",
        null=True,
        blank=True,
    )
    # The supporters capability links its dispatch here (rules S4/S5).
    dispatch_ref = models.PositiveIntegerField(_("dispatch"), null=True, blank=True)
    legal_ground = models.CharField(
        _("legal ground"), max_length=30, choices=LegalGround.choices, blank=True
    )
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("made by"),
        on_delete=models.PROTECT,
        related_name="grants_made",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ended by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    end_reason = models.CharField(_("why it ended"), max_length=200, blank=True)
    # rule P5: the owning agency's manager is told of sharing without consent.
    acknowledged_at = models.DateTimeField(_("seen by the manager at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("seen by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    objects = GrantQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        indexes = [
            models.Index(fields=["receiving_agency", "person"], name="grant_receiver_person"),
            models.Index(fields=["receiving_user", "person"], name="grant_user_person"),
            models.Index(fields=["agency", "kind", "-starts_at"], name="grant_owner_kind"),
            models.Index(fields=["person", "-starts_at"], name="grant_person"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="grant_ends_after_start"
            ),
            models.CheckConstraint(
                condition=models.Q(receiving_agency__isnull=False)
                | models.Q(receiving_user__isnull=False),
                name="grant_has_receiver",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def code(self) -> str:
        """How the access log names this ground: `consent:12`, `emergency:5`."""
        return f"{self.kind}:{self.pk}"

    def is_active(self, at: Any = None) -> bool:
        from django.utils import timezone

        at = at or timezone.now()
        if self.ended_at is not None or not (self.starts_at <= at < self.ends_at):
            return False
        return self.consent is None or not self.consent.is_withdrawn_at(at)

    @property
    def awaits_manager(self) -> bool:
        """Sharing without consent not yet seen by the owning agency's manager (rule P5)."""
        return self.kind in NOTIFIED_KINDS and self.acknowledged_at is None

    @property
    def status(self) -> str:
        from django.utils import timezone

        now = timezone.now()
        if self.consent is not None and self.consent.is_withdrawn_at(now):
            return "withdrawn"
        if self.ended_at is not None:
            return "ended"
        if now < self.starts_at:
            return "future"
        if now >= self.ends_at:
            return "expired"
        return "active"
