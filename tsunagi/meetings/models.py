"""Support meetings: the support coordination meeting (支援調整会議) and the Article 9 support
meeting (支援会議) whose members may share information without consent (rule P5).

Putting a case on an Article 9 meeting's agenda gives each member agency a grant for that case,
for the meeting's purpose, until the meeting's sharing period ends.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tsunagi.access.kinds import kinds_label


class MeetingKind(models.TextChoices):
    COORDINATION = "coordination", _("Support coordination meeting")
    ARTICLE_9 = "article_9", _("Support meeting under Article 9")


class Meeting(models.Model):
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("convening agency"),
        on_delete=models.PROTECT,
        related_name="meetings",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=MeetingKind.choices)
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    purpose = models.CharField(_("purpose"), max_length=300)
    members = models.ManyToManyField(
        "agencies.Agency", verbose_name=_("member agencies"), related_name="meeting_seats"
    )
    share_days_after = models.PositiveSmallIntegerField(
        _("members may see agenda cases for this many days after the meeting"), default=14
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("support meeting")
        verbose_name_plural = _("support meetings")
        indexes = [models.Index(fields=["agency", "-held_on"], name="meeting_agency_date")]

    def __str__(self) -> str:
        return f"{self.held_on} {self.title}"


class AgendaItem(models.Model):
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="agenda"
    )
    case = models.ForeignKey(
        "people.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="agenda_items"
    )
    kinds = models.JSONField(_("kinds of information shared"), default=list)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("added by"), on_delete=models.PROTECT
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "id"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "case"], name="agenda_case_once"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting}: {self.case}"

    @property
    def kinds_label(self) -> str:
        return kinds_label(self.kinds)
