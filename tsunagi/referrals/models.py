"""The closed-loop referral (つなぎ): followed until the person is in the next agency's hands.

States move only along the table in `rules.STEPS`. A referral is sent only with the person's
wishes in their words (rule R1) and under a consent that names the receiving agency (rule P1);
sending creates the consent grant through which the receiving agency sees exactly the kinds of
information the consent names. A receiver without an account (Hello Work, a hospital) gets a
printed referral letter (紹介状) and the sender records its answers.

Beside the referral: the introduction (紹介, rule R3a), which gives the person information and
passes no data; a suggestion dismissed with its reason; and each agency's reminder settings.
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


class DeclineReason(models.TextChoices):
    """Why a receiving agency declined, in categories the statistics count (the words are kept
    beside them)."""

    OUTSIDE_AREA = "outside_area", _("Outside our area")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible for our support")
    PERSON_DOES_NOT_WISH = "person_does_not_wish", _("The person does not wish it")
    NO_CONTACT = "no_contact", _("Could not reach the person")
    OTHER_AGENCY = "other_agency", _("Another agency fits better")
    NO_CAPACITY = "no_capacity", _("No capacity at present")
    OTHER = "other", _("Other")


class AnswerChannel(models.TextChoices):
    """How the sender learned the answer of a receiver that has no account."""

    PHONE = "phone", _("Phone")
    LETTER = "letter", _("Returned letter slip")
    FAX = "fax", _("Fax")
    EMAIL = "email", _("E-mail")
    VISIT = "visit", _("In person")


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
    wishes = models.TextField(
        _("the person's wishes, in their words"),
        blank=True,
        help_text=_("Rule R1: needed before sending, as the person said it at the time."),
    )
    wishes_heard_on = models.DateField(_("wishes heard on"), null=True, blank=True)
    by_letter = models.BooleanField(
        _("by referral letter"),
        default=False,
        help_text=_(
            "The receiving agency has no account: it gets the printed referral letter (紹介状) "
            "and the referring agency records its answers."
        ),
    )
    support_ends_on = models.DateField(
        _("our support ends on"),
        null=True,
        blank=True,
        help_text=_("For a hand-over: the day the referring agency's support ends (rule R5)."),
    )
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
    decline_category = models.CharField(
        _("kind of reason"), max_length=30, choices=DeclineReason.choices, blank=True
    )
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    answered_via = models.CharField(
        _("answer received by"), max_length=10, choices=AnswerChannel.choices, blank=True
    )
    received_case = models.OneToOneField(
        "people.Case",
        verbose_name=_("case at the receiving agency"),
        on_delete=models.PROTECT,
        related_name="referred_by",
        null=True,
        blank=True,
    )
    first_contact_on = models.DateField(_("first contact on"), null=True, blank=True)
    accompanied = models.BooleanField(_("accompanied to the first meeting (同行)"), default=False)
    accompaniment_notes = models.CharField(_("accompaniment: notes"), max_length=200, blank=True)
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
            models.Index(fields=["state", "sent_at"], name="referral_state_sent"),
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.to_agency} ({self.get_state_display()})"


class ReferralEvent(models.Model):
    """Who took which step of a referral, when, for which agency (the referral's timeline).

    Append-only: one row per step. `on_behalf` marks an answer of a receiver without an account
    that the referring agency recorded from a phone call or the returned letter slip.
    """

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    step = models.CharField(_("step"), max_length=20)
    state = models.CharField(_("state"), max_length=20, choices=State.choices)
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("for agency"), on_delete=models.PROTECT, related_name="+"
    )
    on_behalf = models.BooleanField(_("recorded for the receiving agency"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("referral step")
        verbose_name_plural = _("referral steps")
        indexes = [models.Index(fields=["referral", "at"], name="referral_event_order")]

    def __str__(self) -> str:
        return f"{self.referral_id} {self.step} {self.at:%Y-%m-%d}"


class IntroductionTarget(models.TextChoices):
    """What a person was introduced to (rules R3a, R6, R7)."""

    HIKIKOMORI_AGENCY = "hikikomori_agency", _("Hikikomori support agency")
    SELF_RELIANCE = "self_reliance", _("Self-reliance consultation support agency")
    FAMILY_ASSOCIATION = "family_association", _("Family association (家族会)")
    PEER_GROUP = "peer_group", _("Peer group of people with lived experience (当事者会)")
    SUPPORT_GROUP = "support_group", _("Local hikikomori support group")
    PLACE = "place", _("Place to take part or work (居場所・就労体験)")
    LINKED_SYSTEM = "linked_system", _("Linked system (R7)")
    OTHER = "other", _("Other")


class GivenTo(models.TextChoices):
    PERSON = "person", _("The person")
    FAMILY = "family", _("A family member")
    OTHER = "other", _("Someone else close to the person")


class Introduction(models.Model):
    """紹介: information about an agency or group given to the person or their family.

    Rule R3a: an introduction transfers no personal data, so it needs no consent and creates no
    grant; only the giving agency records it. It is counted in the statistics.
    """

    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("introducing agency"),
        on_delete=models.PROTECT,
        related_name="introductions",
    )
    person = models.ForeignKey(
        "people.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey(
        "people.Case",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="introductions",
    )
    given_on = models.DateField(_("given on"))
    target_kind = models.CharField(
        _("introduced to"), max_length=30, choices=IntroductionTarget.choices
    )
    to_agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("agency introduced"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="introductions_received",
    )
    to_name = models.CharField(
        _("name of the group or place"),
        max_length=200,
        blank=True,
        help_text=_("When it is not in the agency registry, e.g. the local family association."),
    )
    given_to = models.CharField(
        _("given to"), max_length=10, choices=GivenTo.choices, default=GivenTo.PERSON
    )
    what_given = models.TextField(
        _("what was given"),
        help_text=_("For example: the leaflet, the phone number and opening hours."),
    )
    rule = models.CharField(_("rule"), max_length=10, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-given_on", "-id"]
        verbose_name = _("introduction")
        verbose_name_plural = _("introductions")
        indexes = [
            models.Index(fields=["agency", "-given_on"], name="introduction_agency"),
            models.Index(fields=["case", "-given_on"], name="introduction_case"),
        ]

    def __str__(self) -> str:
        return f"{self.target_label} ({self.given_on})"

    @property
    def target_label(self) -> str:
        return self.to_agency.name if self.to_agency is not None else self.to_name


class Dismissal(models.Model):
    """A suggestion a staff member set aside for a case, with the reason; counted in the
    statistics per rule. Restoring it shows the suggestion again (the row stays)."""

    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey(
        "people.Case",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="dismissals",
    )
    rule = models.CharField(_("rule"), max_length=10)
    code = models.CharField(_("suggestion"), max_length=60)
    reason = models.TextField(_("reason"))
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dismissed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    dismissed_at = models.DateTimeField(_("dismissed at"))
    restored_at = models.DateTimeField(_("restored at"), null=True, blank=True)
    restored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("restored by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-dismissed_at", "-id"]
        verbose_name = _("dismissed suggestion")
        verbose_name_plural = _("dismissed suggestions")
        indexes = [
            models.Index(fields=["case", "code"], name="dismissal_case"),
            models.Index(fields=["agency", "-dismissed_at"], name="dismissal_agency"),
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.code}"


class ReminderSettings(models.Model):
    """After how many business days an agency's referrals show a reminder (on both sides), and
    after how many calendar days a hand-over counts as waiting too long (rule R5). An agency
    without a row uses the defaults."""

    DEFAULTS = {
        "days_to_receive": 2,
        "days_to_answer": 5,
        "days_to_first_contact": 10,
        "handover_days": 14,
    }

    agency = models.OneToOneField(
        "agencies.Agency", on_delete=models.CASCADE, related_name="reminder_settings"
    )
    days_to_receive = models.PositiveSmallIntegerField(
        _("business days until a sent referral should be received"),
        default=DEFAULTS["days_to_receive"],
    )
    days_to_answer = models.PositiveSmallIntegerField(
        _("business days until it should be accepted or declined"),
        default=DEFAULTS["days_to_answer"],
    )
    days_to_first_contact = models.PositiveSmallIntegerField(
        _("business days from acceptance until the first contact"),
        default=DEFAULTS["days_to_first_contact"],
    )
    handover_days = models.PositiveSmallIntegerField(
        _("days a hand-over may wait after our support ends"),
        default=DEFAULTS["handover_days"],
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("reminder settings")
        verbose_name_plural = _("reminder settings")

    def __str__(self) -> str:
        return str(self.agency_id)
