"""The closed-loop referral (つなぎ): followed until the person is in the next agency's hands.

States move only along the table in `rules.TRANSITIONS`. A referral is sent only under a
consent that names the receiving agency (rule P1); sending creates the consent grant through
which the receiving agency sees exactly the kinds of information the consent names.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    CONSENT_CONFIRMED = "consent_confirmed", _("Consent confirmed")
    SENT = "sent", _("Sent")
    RECEIVED = "received", _("Received")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    FIRST_CONTACT = "first_contact", _("First contact made")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class Referral(models.Model):
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("referring agency"),
        on_delete=models.PROTECT,
        related_name="referrals_sent",
    )
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    case = models.ForeignKey(
        "people.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="referrals"
    )
    to_agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("receiving agency"),
        on_delete=models.PROTECT,
        related_name="referrals_received",
    )
    rule = models.CharField(_("rule"), max_length=10, blank=True)
    purpose = models.TextField(_("purpose and what is asked of the receiving agency"))
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.DRAFT, db_index=True
    )
    consent = models.ForeignKey(
        "consent.Consent",
        verbose_name=_("consent"),
        on_delete=models.PROTECT,
        related_name="referrals",
        null=True,
        blank=True,
    )
    grant = models.OneToOneField(
        "access.Grant",
        verbose_name=_("grant"),
        on_delete=models.PROTECT,
        related_name="referral",
        null=True,
        blank=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("drafted by"), on_delete=models.PROTECT
    )
    created_at = models.DateTimeField(_("drafted at"), auto_now_add=True)
    consent_confirmed_at = models.DateTimeField(_("consent confirmed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    received_case = models.OneToOneField(
        "people.Case",
        verbose_name=_("case at the receiving agency"),
        on_delete=models.PROTECT,
        related_name="referred_by",
        null=True,
        blank=True,
    )
    first_contact_on = models.DateField(_("first contact on"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        indexes = [
            models.Index(fields=["agency", "state", "-created_at"], name="referral_sender"),
            models.Index(fields=["to_agency", "state", "-sent_at"], name="referral_receiver"),
            models.Index(fields=["person", "-created_at"], name="referral_person"),
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.to_agency} ({self.get_state_display()})"
