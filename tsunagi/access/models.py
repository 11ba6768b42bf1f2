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
