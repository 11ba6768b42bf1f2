"""A municipality's structures for hikikomori support (seed 002): its lead department (M4), its
needs surveys (実態把握, M2) and its municipal platform (市町村プラットフォーム, M3).

Nothing here is personal: a survey holds estimated numbers, never persons. History is kept: a
new lead department or a change of the platform adds a dated row and closes the previous one,
so the prefecture's progress (M5) can be counted as of any date from the dates alone.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tsunagi.agencies.models import Agency
from tsunagi.jurisdictions.models import Municipality


class LeadDepartment(models.Model):
    """rule M4: the department leading hikikomori support in a municipality (主管部署), from
    `since`; `until` is set when another department takes over (one current row)."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="lead_departments"
    )
    name = models.CharField(_("department"), max_length=200)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True, editable=False)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source = models.CharField(max_length=100, blank=True, editable=False, db_index=True)

    class Meta:
        ordering = ["municipality__code", "-since", "-pk"]
        verbose_name = _("lead department")
        verbose_name_plural = _("lead departments")
        indexes = [models.Index(fields=["municipality", "since"])]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality"],
                condition=models.Q(until__isnull=True),
                name="lead_department_one_current",
            )
        ]

    def __str__(self) -> str:
        return f"{self.municipality} {self.name}"


class SurveyMethod(models.TextChoices):
    WELFARE_COMMISSIONERS = "welfare_commissioners", _("Survey of welfare commissioners")
    RESIDENTS = "residents", _("Residents' questionnaire")
    AGENCIES = "agencies", _("Survey of related agencies")
    OTHER = "other", _("Other method")


class NeedFound(models.TextChoices):
    """The needs a survey found (a checklist; the text says the rest)."""

    PLACE_TO_BE = "place_to_be", _("A place to be (居場所)")
    FAMILY_SUPPORT = "family_support", _("Support for families")
    OUTREACH = "outreach", _("Home visits (outreach)")
    WORK = "work", _("Work and employment")
    HEALTH = "health", _("Medical and mental health care")
    MONEY = "money", _("Economic hardship")
    AGEING_PARENTS = "ageing_parents", _("Ageing parents (8050)")
    SCHOOL = "school", _("School non-attendance")
    WINDOW_KNOWN = "window_known", _("Making the window known")
    OTHER = "other", _("Other need")


class NeedsSurvey(models.Model):
    """rule M2: one survey of the numbers and needs of people needing support (実態把握).

    The period may be open (`period_to` empty: still running). Numbers are estimates by age
    band; none is required (a survey may find needs only)."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="needs_surveys"
    )
    method = models.CharField(_("method"), max_length=30, choices=SurveyMethod.choices)
    method_detail = models.CharField(_("method (details)"), max_length=200, blank=True)
    period_from = models.DateField(_("period from"))
    period_to = models.DateField(_("period to"), null=True, blank=True)
    estimated_15_39 = models.PositiveIntegerField(_("estimated, aged 15-39"), null=True, blank=True)
    estimated_40_64 = models.PositiveIntegerField(_("estimated, aged 40-64"), null=True, blank=True)
    estimated_65_plus = models.PositiveIntegerField(
        _("estimated, aged 65 and over"), null=True, blank=True
    )
    estimated_unknown = models.PositiveIntegerField(
        _("estimated, age unknown"), null=True, blank=True
    )
    needs = models.JSONField(_("needs found"), default=list, blank=True)
    needs_text = models.TextField(_("needs found (text)"), blank=True)
    is_published = models.BooleanField(_("results published"), default=False)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source = models.CharField(max_length=100, blank=True, editable=False, db_index=True)

    class Meta:
        ordering = ["municipality__code", "-period_from", "-pk"]
        verbose_name = _("needs survey")
        verbose_name_plural = _("needs surveys")
        indexes = [models.Index(fields=["municipality", "period_from"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_to__isnull=True)
                | models.Q(period_to__gte=models.F("period_from")),
                name="needs_survey_period_in_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.municipality} {self.get_method_display()} {self.period_from}"

    @property
    def estimated_total(self) -> int | None:
        parts = [
            self.estimated_15_39,
            self.estimated_40_64,
            self.estimated_65_plus,
            self.estimated_unknown,
        ]
        known = [n for n in parts if n is not None]
        return sum(known) if known else None


class MunicipalPlatform(models.Model):
    """rule M3: the municipal platform (市町村プラットフォーム), one version per row.

    A change adds a version from `valid_from` and closes the previous one (`valid_until`); the
    platform counts as set up from `set_up_on`. A meeting is not required: a contact structure
    among the members is enough (`holds_meetings` False); an existing body can serve
    (`existing_body`), and the prefecture can set one up jointly."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="platforms"
    )
    name = models.CharField(_("name"), max_length=200)
    secretariat = models.CharField(_("secretariat (department)"), max_length=200)
    member_agencies = models.ManyToManyField(
        Agency, verbose_name=_("member agencies"), blank=True, related_name="+"
    )
    other_members = models.JSONField(_("other members"), default=list, blank=True)
    existing_body = models.CharField(
        _("existing body used"),
        max_length=200,
        blank=True,
        help_text=_("The existing council that serves as the platform, if any."),
    )
    joint_with_prefecture = models.BooleanField(_("joint with the prefecture"), default=False)
    holds_meetings = models.BooleanField(
        _("holds meetings"),
        default=False,
        help_text=_("A meeting is not required: a contact structure among the members is enough."),
    )
    set_up_on = models.DateField(_("set up on"))
    valid_from = models.DateField(_("version from"))
    valid_until = models.DateField(_("version until"), null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source = models.CharField(max_length=100, blank=True, editable=False, db_index=True)

    class Meta:
        ordering = ["municipality__code", "-version"]
        verbose_name = _("municipal platform")
        verbose_name_plural = _("municipal platforms")
        indexes = [models.Index(fields=["municipality", "set_up_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality"],
                condition=models.Q(valid_until__isnull=True),
                name="platform_one_current",
            ),
            models.UniqueConstraint(
                fields=["municipality", "version"], name="platform_version_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.municipality} {self.name}"

    @property
    def uses_existing_body(self) -> bool:
        return bool(self.existing_body)
