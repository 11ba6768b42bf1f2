"""The directory (社会資源の一覧): consultation windows, places to take part and work, family and
peer groups, and the linked agencies.

- M1/M4: every municipality names its hikikomori consultation window and the lead department.
- M6: centers publish information about the local services (public pages, leaflet).
- R6: places to take part and work (居場所, 就労体験, ボランティア, 就労準備支援, 認定就労訓練,
  農福連携).
- R7: the linked systems (an entry may describe an `agencies.Agency`).

Entries are public information, not personal data. Each entry keeps a stable `uuid` used as the
Open Referral HSDS id of its organization, service and location.
"""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tsunagi.agencies.models import WeeklyPeriod
from tsunagi.jurisdictions.models import Municipality, Prefecture


class EntryKind(models.TextChoices):
    # M1/M4: the municipality's hikikomori consultation window (相談窓口)
    WINDOW = "window", _("Consultation window")
    # R6: places to take part and work
    IBASHO = "ibasho", _("Place to be (ibasho)")
    WORK_EXPERIENCE = "work_experience", _("Work experience")
    VOLUNTEERING = "volunteering", _("Volunteering")
    WORK_READINESS = "work_readiness", _("Work readiness support")
    CERTIFIED_TRAINING = "certified_training", _("Certified employment training")
    AGRICULTURE_WELFARE = "agriculture_welfare", _("Agriculture and welfare work")
    # groups
    FAMILY_ASSOCIATION = "family_association", _("Family association")
    PEER_GROUP = "peer_group", _("Peer group")
    # R7: a linked agency (生活保護, ハローワーク, サポステ …)
    LINKED_AGENCY = "linked_agency", _("Linked agency")


PLACE_KINDS = (
    EntryKind.IBASHO,
    EntryKind.WORK_EXPERIENCE,
    EntryKind.VOLUNTEERING,
    EntryKind.WORK_READINESS,
    EntryKind.CERTIFIED_TRAINING,
    EntryKind.AGRICULTURE_WELFARE,
)
GROUP_KINDS = (EntryKind.FAMILY_ASSOCIATION, EntryKind.PEER_GROUP)


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    VISIT = "visit", _("Visit")
    ONLINE = "online", _("Online")
    HOME_VISIT = "home_visit", _("Home visit")


class DirectoryEntry(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=30, choices=EntryKind.choices)
    name = models.CharField(_("name"), max_length=200)
    name_kana = models.CharField(_("name (kana)"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    prefecture = models.ForeignKey(
        Prefecture,
        verbose_name=_("prefecture"),
        on_delete=models.PROTECT,
        related_name="directory_entries",
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="directory_entries",
        help_text=_("Where it is; empty for a prefecture-wide entry."),
    )
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("agency"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="directory_entries",
        help_text=_("The agency this entry describes, if it is one."),
    )
    # rule M4: the department in charge of hikikomori support (windows)
    lead_department = models.CharField(_("lead department"), max_length=100, blank=True)
    area = models.ManyToManyField(
        Municipality,
        verbose_name=_("area served"),
        blank=True,
        related_name="directory_entries_serving",
    )
    postal_code = models.CharField(_("postal code"), max_length=8, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    access = models.CharField(_("how to get there"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    hours_note = models.CharField(_("hours: note"), max_length=200, blank=True)
    channels = models.JSONField(_("ways to get in touch"), default=list, blank=True)
    min_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    residence_required = models.BooleanField(
        _("only for residents of the area served"), default=False
    )
    eligibility = models.TextField(_("who may use it"), blank=True)
    is_free = models.BooleanField(_("free of charge"), default=True)
    cost = models.CharField(_("cost"), max_length=200, blank=True)
    accompaniment = models.BooleanField(
        _("staff can go with the person on a first visit (同行)"), default=False
    )
    welcomes_silent = models.BooleanField(_("welcomes people who cannot talk yet"), default=False)
    mornings = models.BooleanField(_("open in the morning"), default=False)
    afternoons = models.BooleanField(_("open in the afternoon"), default=False)
    evenings = models.BooleanField(_("open in the evening"), default=False)
    is_public = models.BooleanField(_("shown on the public pages"), default=True)
    is_active = models.BooleanField(_("active"), default=True)
    verified_on = models.DateField(_("last verified on"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    source = models.CharField(
        _("source"),
        max_length=100,
        blank=True,
        editable=False,
        db_index=True,
        help_text=_("Where the record came from when not typed in (demo:<key>, an import)."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["prefecture__code", "kind", "name_kana", "name", "pk"]
        verbose_name = _("directory entry")
        verbose_name_plural = _("directory entries")
        indexes = [
            models.Index(fields=["prefecture", "kind", "name"], name="directory_pref_kind"),
            models.Index(fields=["municipality", "kind"], name="directory_town_kind"),
            models.Index(fields=["verified_on"], name="directory_verified"),
            models.Index(fields=["name_kana"], name="directory_kana"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_age__isnull=True)
                | models.Q(max_age__isnull=True)
                | models.Q(min_age__lte=models.F("max_age")),
                name="directory_age_range",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_window(self) -> bool:
        return self.kind == EntryKind.WINDOW

    @property
    def is_place(self) -> bool:
        return self.kind in PLACE_KINDS

    def verified_before(self, day: datetime.date) -> bool:
        return self.verified_on is None or self.verified_on < day


class EntryHours(WeeklyPeriod):
    """One opening period of an entry on one weekday (the agencies' WeeklyPeriod)."""

    entry = models.ForeignKey(DirectoryEntry, on_delete=models.CASCADE, related_name="hours")

    class Meta(WeeklyPeriod.Meta):
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes__gt=models.F("opens")),
                name="directory_hours_closes_after_opens",
            )
        ]
