"""Support meetings: the support coordination meeting (支援調整会議) and the Article 9 support
meeting (支援会議) whose members may share information without consent (rule P5).

Putting a case on an Article 9 meeting's agenda gives each member agency a grant for that case,
for the meeting's purpose, until the meeting's sharing period ends. A support coordination
meeting takes only cases whose person consented to that meeting (rule P1); the members then see
what the consent names. Each agenda case has its minutes and decision (a plan approved there),
and the meeting its follow-up tasks.
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
    starts_at = models.TimeField(_("starts at"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    online = models.BooleanField(_("online"), default=False)
    purpose = models.CharField(_("purpose"), max_length=300)
    members = models.ManyToManyField(
        "agencies.Agency", verbose_name=_("member agencies"), related_name="meeting_seats"
    )
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("attendees"),
        blank=True,
        related_name="meetings_attended",
    )
    other_attendees = models.CharField(
        _("other attendees (without an account)"), max_length=300, blank=True
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


class AgendaDecision(models.TextChoices):
    PLAN_APPROVED = "plan_approved", _("Plan approved")
    PLAN_CHANGED = "plan_changed", _("Plan to be changed")
    CONTINUE = "continue", _("Continue as now")
    END = "end", _("End of support")
    OTHER = "other", _("Other")


class AgendaItem(models.Model):
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="agenda"
    )
    case = models.ForeignKey(
        "people.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="agenda_items"
    )
    kinds = models.JSONField(_("kinds of information shared"), default=list)
    consent = models.ForeignKey(
        "consent.Consent",
        verbose_name=_("consent to this meeting"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agenda_items",
    )
    minutes = models.TextField(_("minutes"), blank=True)
    decision = models.CharField(
        _("decision"), max_length=20, choices=AgendaDecision.choices, blank=True
    )
    decision_notes = models.TextField(_("decision: notes"), blank=True)
    minutes_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("minutes written by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    minutes_at = models.DateTimeField(_("minutes written at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
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


class FollowUpTask(models.Model):
    """A task the meeting decided: what, by which agency (and person), by when."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="tasks")
    item = models.ForeignKey(
        AgendaItem,
        verbose_name=_("for the case"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="tasks",
    )
    what = models.CharField(_("task"), max_length=300)
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("responsible agency"),
        on_delete=models.PROTECT,
        related_name="meeting_tasks",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meeting_tasks",
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("follow-up task")
        verbose_name_plural = _("follow-up tasks")
        indexes = [models.Index(fields=["agency", "done_at", "due_on"], name="task_agency_open")]

    def __str__(self) -> str:
        return self.what
