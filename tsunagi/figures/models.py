"""The pre-aggregated monthly figures (月次集計) behind the case statistics.

One row per (agency, municipality of residence, month, measure, breakdown key): `value` is the
count (cases, plans, contacts, persons…), `persons` how many distinct persons it was built from
in that agency and month (what the privacy rule looks at, rules.py). A prefecture's year is a sum
over at most 12 × agencies × keys rows, whatever the number of persons or contacts. The rows are
rebuilt by `services.refresh` (the `tsunagi refresh_figures` command, nightly, and on read when
older than an hour): never edited by hand, and they name no person.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class MonthlyFigure(models.Model):
    prefecture = models.ForeignKey(
        "jurisdictions.Prefecture", on_delete=models.CASCADE, related_name="+"
    )
    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    municipality = models.ForeignKey(
        "jurisdictions.Municipality",
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        blank=True,
        help_text=_("Where the persons live (their record's municipality); empty when unknown."),
    )
    month = models.DateField(_("month"))  # the first day of the month
    measure = models.CharField(_("measure"), max_length=30)
    key = models.CharField(_("breakdown"), max_length=40, blank=True)
    value = models.BigIntegerField(_("value"))
    persons = models.PositiveIntegerField(_("persons"))

    class Meta:
        verbose_name = _("monthly figure")
        verbose_name_plural = _("monthly figures")
        indexes = [
            models.Index(fields=["prefecture", "month"], name="figures_pref_month"),
            models.Index(fields=["municipality", "month"], name="figures_town_month"),
            models.Index(fields=["agency", "month"], name="figures_agency_month"),
            models.Index(fields=["month"], name="figures_month"),
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.month:%Y-%m} {self.measure} {self.key}: {self.value}"


class FigureRefresh(models.Model):
    """When the figures were last rebuilt, and from which month."""

    since = models.DateField(null=True, blank=True)
    finished_at = models.DateTimeField(auto_now_add=True)
    rows = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-finished_at", "-pk"]
        verbose_name = _("refresh of the figures")
        verbose_name_plural = _("refreshes of the figures")

    def __str__(self) -> str:
        return f"{self.finished_at:%Y-%m-%d %H:%M} from {self.since}"


class AgencyMonthFigure(models.Model):
    """`MonthlyFigure` summed over the municipalities, per (agency, month, measure, key): what an
    agency's, a prefecture's or the national statistics read (a prefecture's year is at most
    12 × agencies × keys rows). `persons` is the sum over the municipalities — distinct persons
    of the agency, as a person has one municipality of residence."""

    prefecture = models.ForeignKey(
        "jurisdictions.Prefecture", on_delete=models.CASCADE, related_name="+"
    )
    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("month"))
    measure = models.CharField(_("measure"), max_length=30)
    key = models.CharField(_("breakdown"), max_length=40, blank=True)
    value = models.BigIntegerField(_("value"))
    persons = models.PositiveIntegerField(_("persons"))

    class Meta:
        verbose_name = _("monthly figure of an agency")
        verbose_name_plural = _("monthly figures of agencies")
        indexes = [
            models.Index(fields=["prefecture", "month"], name="figures_agency_pref_month"),
            models.Index(fields=["agency", "month"], name="figures_agency_only_month"),
            models.Index(fields=["month"], name="figures_agency_month_only"),
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.month:%Y-%m} {self.measure} {self.key}: {self.value}"


class MunicipalityMonthFigure(models.Model):
    """`MonthlyFigure` summed over the agencies, per (municipality of residence, month, measure,
    key): what a municipality's statistics and the municipalities of a prefecture's (rule P2
    across areas) read — a prefecture's year is at most 12 × municipalities × keys rows, however
    many agencies. `value` is the sum over the agencies; `persons` the largest agency's (a person
    may be known to two agencies: at least that many distinct persons), as `selectors.load`
    sums them. `prefecture` is the municipality's (not the agencies'). Rows without a known
    municipality are not rolled up."""

    prefecture = models.ForeignKey(
        "jurisdictions.Prefecture", on_delete=models.CASCADE, related_name="+"
    )
    municipality = models.ForeignKey(
        "jurisdictions.Municipality", on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField(_("month"))
    measure = models.CharField(_("measure"), max_length=30)
    key = models.CharField(_("breakdown"), max_length=40, blank=True)
    value = models.BigIntegerField(_("value"))
    persons = models.PositiveIntegerField(_("persons"))

    class Meta:
        verbose_name = _("monthly figure of a municipality")
        verbose_name_plural = _("monthly figures of municipalities")
        indexes = [
            models.Index(fields=["prefecture", "month"], name="figures_town_pref_month"),
            models.Index(fields=["municipality", "month"], name="figures_town_only_month"),
            models.Index(fields=["month"], name="figures_town_month_only"),
        ]

    def __str__(self) -> str:
        return f"{self.municipality_id} {self.month:%Y-%m} {self.measure} {self.key}: {self.value}"
