"""The registry of agencies and government offices (機関), their staff, hours, pairing and networks.

Agency kinds come from rules J1 (hikikomori support agencies), J2 (self-reliance consultation
support agencies) and R7 (the linked systems), plus the government offices whose officers use
tsunagi (都道府県・市区町村の担当課).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tsunagi.jurisdictions.models import Municipality, Prefecture


class AgencyKind(models.TextChoices):
    # rule J1: hikikomori support agencies (ひきこもり支援機関)
    HIKIKOMORI_CENTER = "hikikomori_center", _("Hikikomori regional support center")
    HIKIKOMORI_STATION = "hikikomori_station", _("Hikikomori support station")
    HIKIKOMORI_PROGRAMME = "hikikomori_programme", _("Municipal hikikomori support programme")
    # rule J2: self-reliance consultation support agency (自立相談支援機関)
    SELF_RELIANCE = "self_reliance", _("Self-reliance consultation support agency")
    # rule R7: linked systems
    WELFARE_OFFICE = "welfare_office", _("Welfare office (public assistance)")
    HELLO_WORK = "hello_work", _("Hello Work")
    YOUTH_SUPPORT_STATION = "youth_support_station", _("Regional youth support station")
    MENTAL_HEALTH_CENTER = "mental_health_center", _("Mental health and welfare center")
    PUBLIC_HEALTH_CENTER = "public_health_center", _("Public health center")
    COMMUNITY_GENERAL_SUPPORT = "community_general_support", _("Community general support center")
    DISABILITY_EMPLOYMENT_LIFE = (
        "disability_employment_life",
        _("Employment and life support center for persons with disabilities"),
    )
    DEBT_CONSULTATION = "debt_consultation", _("Multiple-debt consultation")
    LEGAL_SUPPORT = "legal_support", _("Japan Legal Support Center (Houterasu)")
    HOUSING_SUPPORT_COUNCIL = "housing_support_council", _("Housing support council")
    CHILD_YOUTH_CONSULTATION = (
        "child_youth_consultation",
        _("General consultation center for children and young people"),
    )
    SUICIDE_PREVENTION = "suicide_prevention", _("Suicide prevention consultation window")
    EDUCATION_BOARD = "education_board", _("Board of education / school social worker")
    PROBATION_OFFICE = "probation_office", _("Probation office")
    PENSION_INSURANCE = "pension_insurance", _("Pension and national health insurance window")
    AGRICULTURE_WORK = "agriculture_work", _("Work place in agriculture, forestry or fisheries")
    OTHER_LINKED = "other_linked", _("Other linked agency")
    # government offices (their officers use tsunagi; they hold no cases)
    PREFECTURAL_OFFICE = "prefectural_office", _("Prefectural office")
    MUNICIPAL_OFFICE = "municipal_office", _("Municipal office")


HIKIKOMORI_KINDS = (
    AgencyKind.HIKIKOMORI_CENTER,
    AgencyKind.HIKIKOMORI_STATION,
    AgencyKind.HIKIKOMORI_PROGRAMME,
)
GOVERNMENT_OFFICE_KINDS = (AgencyKind.PREFECTURAL_OFFICE, AgencyKind.MUNICIPAL_OFFICE)
LINKED_KINDS = tuple(
    k
    for k in AgencyKind
    if k not in HIKIKOMORI_KINDS
    and k not in GOVERNMENT_OFFICE_KINDS
    and k != AgencyKind.SELF_RELIANCE
)


class AgeBand(models.TextChoices):
    """rule J4: a center serves children (under 18), adults (18 and over) or both."""

    CHILD = "child", _("Children (under 18)")
    ADULT = "adult", _("Adults (18 and over)")
    BOTH = "both", _("Children and adults")


class OperatorLevel(models.TextChoices):
    NATIONAL = "national", _("National government")
    PREFECTURE = "prefecture", _("Prefecture")
    MUNICIPALITY = "municipality", _("Municipality")
    PRIVATE = "private", _("Private body")


class Agency(models.Model):
    name = models.CharField(_("name"), max_length=200)
    name_kana = models.CharField(_("name (kana)"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=40, choices=AgencyKind.choices)
    operator_level = models.CharField(_("set up by"), max_length=20, choices=OperatorLevel.choices)
    operator_prefecture = models.ForeignKey(
        Prefecture,
        verbose_name=_("setting-up prefecture"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    operator_municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("setting-up municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    commissioned_to = models.CharField(
        _("commissioned to"),
        max_length=200,
        blank=True,
        help_text=_("The body that runs the agency on commission (委託先), if any."),
    )
    prefecture = models.ForeignKey(
        Prefecture, verbose_name=_("prefecture"), on_delete=models.PROTECT, related_name="agencies"
    )
    area = models.ManyToManyField(
        Municipality, verbose_name=_("area served"), blank=True, related_name="served_by"
    )
    age_band = models.CharField(
        _("age band"), max_length=10, choices=AgeBand.choices, default=AgeBand.BOTH
    )
    postal_code = models.CharField(_("postal code"), max_length=8, blank=True)
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agencies_located",
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    fax = models.CharField(_("fax"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
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
        ordering = ["prefecture__code", "kind", "name"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        indexes = [
            models.Index(fields=["prefecture", "kind", "name"]),
            models.Index(fields=["kind"]),
            models.Index(fields=["name_kana"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_hikikomori_agency(self) -> bool:
        return self.kind in HIKIKOMORI_KINDS

    @property
    def is_government_office(self) -> bool:
        return self.kind in GOVERNMENT_OFFICE_KINDS


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class WeeklyPeriod(models.Model):
    """One opening period on one weekday; a day may have several (午前・午後). The agencies'
    opening hours and the directory entries' hours; each names its own CHECK constraint
    (closes after opens)."""

    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        abstract = True
        ordering = ["weekday", "opens"]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"

    @property
    def hours(self) -> float:
        start = self.opens.hour * 60 + self.opens.minute
        end = self.closes.hour * 60 + self.closes.minute
        return (end - start) / 60


class OpeningHours(WeeklyPeriod):
    """One opening period of an agency on one weekday."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="opening_hours")

    class Meta(WeeklyPeriod.Meta):
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes__gt=models.F("opens")), name="opening_closes_after_opens"
            )
        ]


class Qualification(models.TextChoices):
    SOCIAL_WORKER = "social_worker", _("Certified social worker (社会福祉士)")
    PSYCHIATRIC_SOCIAL_WORKER = (
        "psychiatric_social_worker",
        _("Psychiatric social worker (精神保健福祉士)"),
    )
    PUBLIC_HEALTH_NURSE = "public_health_nurse", _("Public health nurse (保健師)")
    CERTIFIED_PSYCHOLOGIST = (
        "certified_psychologist",
        _("Certified public psychologist (公認心理師)"),
    )
    CLINICAL_PSYCHOLOGIST = "clinical_psychologist", _("Clinical psychologist (臨床心理士)")
    NURSE = "nurse", _("Nurse (看護師)")
    CARE_WORKER = "care_worker", _("Certified care worker (介護福祉士)")
    CAREER_CONSULTANT = "career_consultant", _("Career consultant (キャリアコンサルタント)")
    EQUIVALENT = "equivalent", _("Equivalent consultation experience (同等の者)")
    OTHER = "other", _("Other")


class StaffMember(models.Model):
    """A person working at an agency, with or without a tsunagi account."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="staff")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff_positions",
    )
    name = models.CharField(_("name"), max_length=100)
    name_kana = models.CharField(_("name (kana)"), max_length=100, blank=True)
    title = models.CharField(_("job title"), max_length=100, blank=True)
    is_coordinator = models.BooleanField(
        _("hikikomori support coordinator"),
        default=False,
        help_text=_("ひきこもり支援コーディネーター, counted for the center's staffing (J6)."),
    )
    qualifications = models.JSONField(_("qualifications"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["agency", "name_kana", "name"]
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")

    def __str__(self) -> str:
        return self.name

    def get_qualifications_display(self) -> list[str]:
        labels = dict(Qualification.choices)
        return [str(labels.get(q, q)) for q in self.qualifications]


class Pairing(models.Model):
    """rule J3: the prefecture records which hikikomori agency covers which self-reliance agency."""

    prefecture = models.ForeignKey(Prefecture, on_delete=models.PROTECT, related_name="pairings")
    hikikomori_agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="pairings_as_hikikomori"
    )
    self_reliance_agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="pairings_as_self_reliance"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("pairing")
        verbose_name_plural = _("pairings")
        constraints = [
            models.UniqueConstraint(
                fields=["hikikomori_agency", "self_reliance_agency"], name="pairing_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.hikikomori_agency} ⇔ {self.self_reliance_agency}"


class NetworkKind(models.TextChoices):
    """rule J7."""

    RELATED_AGENCIES = "related_agencies", _("Network of related agencies (関係機関ネットワーク)")
    LIAISON_COUNCIL = "liaison_council", _("Liaison council (連絡協議会)")


class Network(models.Model):
    """rule J7: a network of related agencies or a center's liaison council, with its members."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=NetworkKind.choices)
    convenor = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="convened_networks")
    members = models.ManyToManyField(Agency, related_name="networks", blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("network")
        verbose_name_plural = _("networks")

    def __str__(self) -> str:
        return self.name
