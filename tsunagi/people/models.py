"""Persons, households, cases, contacts, assessments and flags: personal data owned by one agency.

Every row carries the agency that created it (access.md "Ownership"); the access module decides
from that, and from a case's restriction to its assigned staff, who may see it.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsunagi.agencies.models import Agency
from tsunagi.jurisdictions.models import Municipality

from .choices import (
    Channel,
    Disability,
    Employment,
    Finance,
    FlagKind,
    GoingOut,
    Housing,
    Informant,
    Initiator,
    Level,
    Problem,
    Relationship,
    Screening,
    Sex,
)
from .names import kana_key, name_key


def age_on(birth_date: datetime.date | None, day: datetime.date) -> int | None:
    if birth_date is None:
        return None
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - before_birthday


class Person(models.Model):
    """A person consulted about (本人) or a member of their household."""

    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="persons"
    )
    family_name = models.CharField(_("family name"), max_length=50)
    given_name = models.CharField(_("given name"), max_length=50, blank=True)
    family_name_kana = models.CharField(_("family name (kana)"), max_length=100, blank=True)
    given_name_kana = models.CharField(_("given name (kana)"), max_length=100, blank=True)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    estimated_age = models.PositiveSmallIntegerField(
        _("estimated age"),
        null=True,
        blank=True,
        help_text=_("When the date of birth is not known."),
    )
    postal_code = models.CharField(_("postal code"), max_length=8, blank=True)
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    address = models.CharField(
        _("address"),
        max_length=200,
        blank=True,
        help_text=_("What follows the municipality: town, block, building."),
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    mobile = models.CharField(_("mobile phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    preferred_contact = models.JSONField(_("preferred ways of contact"), default=list, blank=True)
    avoided_contact = models.JSONField(_("ways of contact to avoid"), default=list, blank=True)
    contact_notes = models.CharField(
        _("notes on contact"),
        max_length=200,
        blank=True,
        help_text=_("For example: call only after 6 pm; do not leave a message."),
    )
    notes = models.TextField(_("notes"), blank=True)
    # Search keys, kept in step with the name fields by save().
    name_key = models.CharField(max_length=100, editable=False)
    given_key = models.CharField(max_length=50, editable=False, blank=True)
    kana_key = models.CharField(max_length=200, editable=False, blank=True)
    given_kana_key = models.CharField(max_length=100, editable=False, blank=True)
    phone_digits = models.CharField(max_length=20, editable=False, blank=True)
    mobile_digits = models.CharField(max_length=20, editable=False, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["kana_key", "name_key", "pk"]
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        # Name searches are prefix matches (LIKE 'ヤマダ%'); on PostgreSQL a btree serves them
        # only with the pattern operator class when the collation is not "C" (C.UTF-8,
        # ja_JP.UTF-8). Other databases ignore the operator classes.
        indexes = [
            models.Index(
                fields=["agency", key],
                opclasses=["int8_ops", "varchar_pattern_ops"],
                name=f"person_agency_{short}",
            )
            for key, short in (
                ("kana_key", "kana"),
                ("name_key", "name"),
                ("given_key", "given"),
                ("given_kana_key", "given_kana"),
            )
        ] + [
            # the list in reading order, a page at a time
            models.Index(
                fields=["agency", "kana_key", "name_key", "id"], name="person_agency_order"
            ),
            models.Index(fields=["agency", "birth_date"], name="person_agency_birth"),
            models.Index(fields=["agency", "phone_digits"], name="person_agency_phone"),
            models.Index(fields=["agency", "mobile_digits"], name="person_agency_mobile"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args: object, **kwargs: object) -> None:
        from tsunagi.web.text import digits_only

        self.name_key = name_key(self.family_name, self.given_name)
        self.given_key = name_key(self.given_name)
        self.kana_key = kana_key(self.family_name_kana, self.given_name_kana)
        self.given_kana_key = kana_key(self.given_name_kana)
        self.phone_digits = digits_only(self.phone)
        self.mobile_digits = digits_only(self.mobile)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def full_name(self) -> str:
        return f"{self.family_name} {self.given_name}".strip()

    @property
    def full_name_kana(self) -> str:
        return f"{self.family_name_kana} {self.given_name_kana}".strip()

    def age(self, day: datetime.date | None = None) -> int | None:
        """Age today (or on `day`); the estimate when the date of birth is unknown."""
        exact = age_on(self.birth_date, day or timezone.localdate())
        return exact if exact is not None else self.estimated_age

    @property
    def age_is_estimated(self) -> bool:
        return self.birth_date is None and self.estimated_age is not None


class Household(models.Model):
    """世帯: the people living (or counted) together, one of whom is the reference person."""

    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="households"
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("For example: 山田 世帯"))
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self) -> str:
        return self.name


class HouseholdMember(models.Model):
    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="members"
    )
    person = models.OneToOneField(
        Person,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="membership",
        help_text=_("A person belongs to one household at a time."),
    )
    relationship = models.CharField(
        _("relationship"), max_length=20, choices=Relationship.choices, default=Relationship.OTHER
    )
    lives_together = models.BooleanField(_("lives in the household"), default=True)
    is_main_carer = models.BooleanField(_("main carer"), default=False)
    notes = models.CharField(_("notes"), max_length=200, blank=True)

    class Meta:
        ordering = ["household", "pk"]
        verbose_name = _("household member")
        verbose_name_plural = _("household members")

    def __str__(self) -> str:
        return f"{self.household} / {self.person}"


class Case(models.Model):
    """相談受付: opened by the first contact about a person. A case never has to close (rule C)."""

    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="cases"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="cases"
    )
    number = models.CharField(_("case number"), max_length=20)
    opened_on = models.DateField(_("opened on"))
    problems = models.JSONField(_("problems"), default=list, blank=True)
    main_problem = models.CharField(
        _("main problem"), max_length=20, choices=Problem.choices, blank=True
    )
    problem_notes = models.TextField(_("problem in the caller's words"), blank=True)
    screening = models.CharField(
        _("screening outcome"), max_length=20, choices=Screening.choices, blank=True
    )
    screened_on = models.DateField(_("screened on"), null=True, blank=True)
    handed_to = models.CharField(
        _("handed to"),
        max_length=200,
        blank=True,
        help_text=_("The system or agency the person was handed to."),
    )
    accompaniment = models.BooleanField(
        _("long-term accompaniment"),
        default=False,
        help_text=_("Staying connected with periodic contact and no end goal (伴走型支援)."),
    )
    is_restricted = models.BooleanField(
        _("restricted to assigned staff"),
        default=False,
        help_text=_("A sensitive case (for example DV): only its assigned staff and managers."),
    )
    assigned_staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned staff"),
        blank=True,
        related_name="assigned_cases",
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    close_reason = models.CharField(_("reason for closing"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-opened_on", "-pk"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.UniqueConstraint(fields=["agency", "number"], name="case_number_per_agency")
        ]
        indexes = [
            models.Index(fields=["agency", "-opened_on"], name="case_agency_opened"),
            # Every person lookup asks "has this person a restricted case?": few cases are.
            models.Index(
                fields=["person"], condition=Q(is_restricted=True), name="case_restricted_person"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.person}"

    @property
    def is_open(self) -> bool:
        return self.closed_on is None

    def problem_labels(self) -> list[str]:
        labels = dict(Problem.choices)
        return [str(labels.get(p, p)) for p in self.problems]


class Contact(models.Model):
    """相談・支援記録: one contact about a case (a call, a visit, an accompaniment, a letter)."""

    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="contacts"
    )
    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="contacts"
    )
    occurred_at = models.DateTimeField(_("date and time"))
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    initiator = models.CharField(_("contact made by"), max_length=30, choices=Initiator.choices)
    initiator_person = models.ForeignKey(
        Person,
        verbose_name=_("caller (household member)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contacts_made",
    )
    initiator_name = models.CharField(
        _("caller's name or body"),
        max_length=100,
        blank=True,
        help_text=_("For example the agency or welfare commissioner who called."),
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff"),
        on_delete=models.PROTECT,
        related_name="contacts",
    )
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), null=True, blank=True
    )
    summary = models.CharField(_("summary"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    urgent = models.JSONField(
        _("urgent matters heard"),
        default=list,
        blank=True,
        help_text=_("No food, no place to stay, speaks of not wanting to live (rule R8)."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [
            models.Index(fields=["case", "-occurred_at"], name="contact_case_time"),
            models.Index(fields=["agency", "-occurred_at"], name="contact_agency_time"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.get_channel_display()}"


# Assessment fields that hold special-care personal information (要配慮個人情報, access.md):
# a consent can leave them out.
SPECIAL_CARE_FIELDS = (
    "physical_health",
    "physical_health_notes",
    "mental_health",
    "depression",
    "mental_health_notes",
    "disability",
    "disability_notes",
    "dv_abuse",
    "dv_notes",
    "criminal_record_notes",
    "suicidal_thoughts",
    "suicide_attempt",
)


class Assessment(models.Model):
    """インテーク・アセスメント: dated and repeatable; the latest one drives the indicators."""

    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="assessments"
    )
    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="assessments"
    )
    assessed_on = models.DateField(_("assessed on"))
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    informant = models.CharField(
        _("information from"), max_length=20, choices=Informant.choices, default=Informant.PERSON
    )
    # employment
    employment = models.CharField(
        _("employment"), max_length=20, choices=Employment.choices, blank=True
    )
    employment_notes = models.TextField(_("employment: notes"), blank=True)
    # health (special care)
    physical_health = models.CharField(
        _("physical health"), max_length=10, choices=Level.choices, blank=True
    )
    physical_health_notes = models.TextField(_("physical health: notes"), blank=True)
    mental_health = models.CharField(
        _("mental health"), max_length=10, choices=Level.choices, blank=True
    )
    depression = models.BooleanField(_("signs of depression"), default=False)
    mental_health_notes = models.TextField(_("mental health: notes"), blank=True)
    # community and isolation: the connections the person still has
    connections = models.JSONField(
        _("still connected with"),
        null=True,
        blank=True,
        default=None,
        help_text=_("Empty (null) while isolation has not been asked about yet."),
    )
    isolation_notes = models.TextField(_("community and isolation: notes"), blank=True)
    # household finance, debt, housing
    finance = models.CharField(
        _("household finance"), max_length=20, choices=Finance.choices, blank=True
    )
    monthly_income = models.PositiveIntegerField(
        _("household income per month (yen)"), null=True, blank=True
    )
    income_sources = models.CharField(_("sources of income"), max_length=200, blank=True)
    arrears = models.BooleanField(_("arrears of rent, tax, insurance or utilities"), default=False)
    debt = models.BooleanField(_("debt"), default=False)
    debt_notes = models.TextField(_("debt: notes"), blank=True)
    housing = models.CharField(_("housing"), max_length=20, choices=Housing.choices, blank=True)
    housing_notes = models.TextField(_("housing: notes"), blank=True)
    # family
    family_conflict = models.BooleanField(_("conflict in the family"), default=False)
    family_notes = models.TextField(_("family relations: notes"), blank=True)
    household_member_needs_care = models.BooleanField(
        _("a household member needs care (for example an elderly parent)"), default=False
    )
    cares_for_elderly = models.BooleanField(
        _("the person cares for an elderly or disabled relative"), default=False
    )
    cares_for_children = models.BooleanField(_("the person raises children"), default=False)
    care_notes = models.TextField(_("care of others: notes"), blank=True)
    # disability (special care)
    disability = models.CharField(
        _("possible disability"), max_length=20, choices=Disability.choices, blank=True
    )
    disability_notes = models.TextField(_("disability: notes"), blank=True)
    # children
    children_concern = models.BooleanField(_("concerns about the children"), default=False)
    children_notes = models.TextField(_("children: notes"), blank=True)
    # hikikomori state
    withdrawn_since = models.DateField(
        _("withdrawn since"),
        null=True,
        blank=True,
        help_text=_("Approximate is fine: the first of the month or year."),
    )
    going_out = models.CharField(
        _("how far the person goes out"), max_length=20, choices=GoingOut.choices, blank=True
    )
    hikikomori_notes = models.TextField(_("hikikomori state: notes"), blank=True)
    # DV, criminal record (special care)
    dv_abuse = models.BooleanField(_("DV or abuse"), default=False)
    dv_notes = models.TextField(_("DV or abuse: notes"), blank=True)
    criminal_record_notes = models.TextField(_("criminal record: notes"), blank=True)
    # urgent matters (rule R8)
    no_food = models.BooleanField(_("no food today"), default=False)
    no_shelter = models.BooleanField(_("no place to stay tonight"), default=False)
    suicidal_thoughts = models.BooleanField(_("speaks of not wanting to live"), default=False)
    suicide_attempt = models.BooleanField(_("has attempted suicide"), default=False)
    # the person's own wishes (rule R1: in their words)
    wishes = models.TextField(_("the person's wishes, in their words"), blank=True)
    notes = models.TextField(_("other notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-assessed_on", "-pk"]
        get_latest_by = ["assessed_on", "pk"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        indexes = [models.Index(fields=["case", "-assessed_on"], name="assessment_case_date")]

    def __str__(self) -> str:
        return f"{self.case} {self.assessed_on}"

    @property
    def is_withdrawn(self) -> bool:
        return bool(self.going_out)


class Flag(models.Model):
    """A warning shown on every screen of the case until staff resolve it with a note (R8)."""

    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="flags"
    )
    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="flags"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=FlagKind.choices)
    rule = models.CharField(_("rule"), max_length=10)
    reason = models.TextField(_("reason"))
    raised_at = models.DateTimeField(_("raised at"), auto_now_add=True)
    source = models.CharField(
        _("raised by"), max_length=40, blank=True, help_text=_("contact:<id> or assessment:<id>")
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    resolution = models.TextField(_("how it was resolved"), blank=True)

    class Meta:
        ordering = ["resolved_at", "-raised_at", "-pk"]
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        indexes = [models.Index(fields=["case", "resolved_at"], name="flag_case_open")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.rule})"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None
