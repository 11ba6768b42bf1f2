"""Consents (同意) to pass a person's information on, and the explanation given at intake.

Rule P1: passing information to another agency needs the person's consent, naming the receiving
agency, the purpose and the kinds of information. Rule P2: when an agency first takes a person's
information it explains that it may be given to related agencies and records that the person
understood. Rule P4: a consent can be withdrawn at any time.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsunagi.access.kinds import kinds_label
from tsunagi.agencies.models import AgencyKind
from tsunagi.web.wareki import format_wareki


class Giver(models.TextChoices):
    """Who gives the consent. A family member who calls is not the subject (rule P1)."""

    SUBJECT = "subject", _("The person themself")
    LEGAL_REPRESENTATIVE = (
        "legal_representative",
        _("Legal representative (guardian appointed by the court)"),
    )
    PARENT_OF_MINOR = "parent_of_minor", _("Person with parental authority (the person is a minor)")


class Method(models.TextChoices):
    SIGNED_PAPER = "signed_paper", _("Signed paper form (scan attached)")
    VERBAL = "verbal", _("Verbal, with a member of staff as witness")


def scan_path(instance: Consent, filename: str) -> str:
    # Never the uploaded name: it could carry the person's name into file listings.
    suffix = filename.rsplit(".", 1)[-1].lower()[:5] if "." in filename else "bin"
    return f"consents/{instance.agency_id}/{timezone.now():%Y%m%d%H%M%S%f}.{suffix}"


class Consent(models.Model):
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="consents",
    )
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="consents",
    )
    case = models.ForeignKey(
        "people.Case",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="consents",
        null=True,
        blank=True,
    )
    given_by = models.CharField(
        _("consent given by"), max_length=30, choices=Giver.choices, default=Giver.SUBJECT
    )
    representative_name = models.CharField(_("representative's name"), max_length=100, blank=True)
    representative_relationship = models.CharField(
        _("representative's standing"), max_length=100, blank=True
    )
    recipient_agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("receiving agency"),
        on_delete=models.PROTECT,
        related_name="consents_received",
        null=True,
        blank=True,
    )
    recipient_kind = models.CharField(
        _("or any agency of the kind"),
        max_length=40,
        choices=AgencyKind.choices,
        blank=True,
        help_text=_("Only when the consent names a kind of agency rather than one agency."),
    )
    recipient_meeting = models.ForeignKey(
        "meetings.Meeting",
        verbose_name=_("or the members of the support coordination meeting"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consents",
        help_text=_("The person agrees that this meeting's member agencies share the information."),
    )
    purpose = models.CharField(_("purpose"), max_length=300)
    kinds = models.JSONField(_("kinds of information"), default=list)
    given_on = models.DateField(_("given on"))
    valid_until = models.DateField(_("valid until"))
    method = models.CharField(_("method"), max_length=20, choices=Method.choices)
    scan = models.FileField(_("scan of the signed form"), upload_to=scan_path, blank=True)
    witness = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("witness"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # rule P4: withdrawal at any moment, effective at once
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawal recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    withdrawal_note = models.TextField(_("how the withdrawal was expressed"), blank=True)

    class Meta:
        ordering = ["-given_on", "-id"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        indexes = [models.Index(fields=["person", "-given_on"], name="consent_person")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__gte=models.F("given_on")),
                name="consent_valid_after_given",
            ),
            models.CheckConstraint(
                condition=models.Q(recipient_agency__isnull=False)
                | ~models.Q(recipient_kind="")
                | models.Q(recipient_meeting__isnull=False),
                name="consent_names_recipient",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.recipient_label} ({self.given_on})"

    @property
    def recipient_label(self) -> str:
        if self.recipient_agency_id:
            return str(self.recipient_agency)
        if self.recipient_meeting_id:
            meeting = self.recipient_meeting
            assert meeting is not None
            return str(
                _("the members of %(meeting)s")
                % {"meeting": f"{format_wareki(meeting.held_on)} {meeting.title}"}
            )
        return str(self.get_recipient_kind_display())

    @property
    def kinds_label(self) -> str:
        return kinds_label(self.kinds)

    def is_withdrawn_at(self, at: datetime) -> bool:
        return self.withdrawn_at is not None and self.withdrawn_at <= at

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    def stands_on(self, day: date) -> bool:
        """In force on `day`: given, not expired, not withdrawn (by the end of that moment)."""
        if self.withdrawn_at is not None:
            return False
        return self.given_on <= day <= self.valid_until

    @property
    def status(self) -> str:
        if self.withdrawn_at is not None:
            return "withdrawn"
        today = timezone.localdate()
        if today < self.given_on:
            return "future"
        if today > self.valid_until:
            return "expired"
        return "active"

    def names_agency(self, agency: Any) -> bool:
        """Does the consent name this agency, by name or by kind?"""
        if self.recipient_agency_id is not None:
            return bool(self.recipient_agency_id == agency.pk)
        if self.recipient_meeting is not None:
            return self.recipient_meeting.members.filter(pk=agency.pk).exists()
        return bool(self.recipient_kind) and self.recipient_kind == agency.kind


class Explanation(models.Model):
    """Rule P2: the explanation at intake that information may go to related agencies."""

    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="sharing_explanations",
    )
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="sharing_explanations",
    )
    case = models.ForeignKey(
        "people.Case",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="sharing_explanations",
        null=True,
        blank=True,
    )
    explained_on = models.DateField(_("explained on"))
    explained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("explained by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    understood = models.BooleanField(
        _("the person understood and agreed"),
        default=True,
        help_text=_("Clear this when the person did not agree; then write how it was agreed."),
    )
    agreed_handling = models.TextField(
        _("how the information is to be handled, as agreed with the person"), blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-explained_on", "-id"]
        verbose_name = _("explanation of information sharing")
        verbose_name_plural = _("explanations of information sharing")
        indexes = [models.Index(fields=["person", "-explained_on"], name="explanation_person")]

    def __str__(self) -> str:
        return f"{self.person} {self.explained_on}"
