"""Schemas of the people API: persons, households, cases, contacts, assessments and flags.

Input is accepted as people type it: dates in the Western calendar or the Japanese era
(2025-04-01, 令和7年4月1日, R7.4.1), full-width digits in phone numbers and postal codes, kana
in hiragana, katakana or half-width katakana. Output carries the stored values, their labels in
the user's language and dates also in the Japanese era.
"""

import datetime
from typing import Annotated, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination
from pydantic import AfterValidator, BeforeValidator

from tsunagi.access.policy import Action, Kind, can
from tsunagi.jurisdictions.postal import format_postal_code, normalize_postal_code
from tsunagi.people import rules, selectors
from tsunagi.people.choices import (
    Channel,
    Connection,
    ContactMethod,
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
    Urgency,
)
from tsunagi.people.models import (
    SPECIAL_CARE_FIELDS,
    Assessment,
    Case,
    Contact,
    Flag,
    HouseholdMember,
    Person,
)
from tsunagi.web.text import digits_only, normalize_kana, normalize_phone, normalize_text
from tsunagi.web.wareki import EARLIEST, format_wareki, parse_date

# --- input types ----------------------------------------------------------------------------


def _date(value: Any) -> Any:
    """西暦 or 和暦, full-width or half-width; a date object passes as it is."""
    if value is None or isinstance(value, datetime.date):
        return value
    if not isinstance(value, str):
        raise ValueError(_("Write the date like 令和7年4月1日, R7.4.1 or 2025-04-01."))
    if not value.strip():
        return None
    return parse_date(value)


# The first day of the Gregorian calendar in Japan (明治6年1月1日): the oldest date any API date
# field takes (`parse_date` refuses older text; this also holds for date and datetime values).
FIRST_DATE: datetime.date = EARLIEST


def _not_before_meiji(value: datetime.date | None) -> datetime.date | None:
    if value is not None and value < FIRST_DATE:
        raise ValueError(_("Dates before Meiji 6 (1873) cannot be handled."))
    return value


def refuse_nul(value: Any) -> Any:
    """A NUL character (\\x00) cannot be stored: the field is refused (422), as Django's forms
    refuse it, instead of reaching the database."""
    if isinstance(value, str) and "\x00" in value:
        raise ValueError(_("Remove the control character (NUL) from the text."))
    return value


def _not_future(value: datetime.date | None) -> datetime.date | None:
    if value is not None and value > timezone.localdate():
        raise ValueError(_("This date is in the future."))
    return value


def _aware(value: datetime.datetime) -> datetime.datetime:
    """A time without a zone is Japan's local time; none before 明治6年, none that cannot be held
    in UTC (the year 9999 with a zone west of Greenwich)."""
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value.date() < FIRST_DATE:
        raise ValueError(_("Dates before Meiji 6 (1873) cannot be handled."))
    try:
        value.astimezone(datetime.UTC)
    except OverflowError as exc:
        raise ValueError(_("This date and time cannot be handled.")) from exc
    return value


def _phone(value: str) -> str:
    text = normalize_text(value)
    if not text:
        return ""
    if any(ch.isalpha() for ch in text) or len(digits_only(text)) < 3:
        raise ValueError(_("Enter a phone number in digits (for example 088-000-1234)."))
    return normalize_phone(text)


def _postal_code(value: str) -> str:
    if not normalize_text(value):
        return ""
    return format_postal_code(normalize_postal_code(value))


DATE_HELP = "西暦 (2025-04-01) or 和暦 (令和7年4月1日, R7.4.1); full-width digits accepted."
JapaneseDate = Annotated[datetime.date, BeforeValidator(_date), AfterValidator(_not_before_meiji)]
PastDate = Annotated[
    datetime.date,
    BeforeValidator(_date),
    AfterValidator(_not_before_meiji),
    AfterValidator(_not_future),
]
LocalDateTime = Annotated[datetime.datetime, AfterValidator(_aware)]
Line = Annotated[str, BeforeValidator(refuse_nul), AfterValidator(normalize_text)]
Kana = Annotated[str, BeforeValidator(refuse_nul), AfterValidator(normalize_kana)]
Phone = Annotated[str, BeforeValidator(refuse_nul), AfterValidator(_phone)]
PostalCode = Annotated[str, BeforeValidator(refuse_nul), AfterValidator(_postal_code)]
SPECIAL_CARE = "要配慮個人情報 (special-care personal information): a consent can leave it out. "


def special(default: Any, description: str) -> Any:
    """A field that holds special-care information, marked so in the OpenAPI document."""
    return Field(
        default,
        description=SPECIAL_CARE + description,
        json_schema_extra={"x-special-care": True},
    )


class Page(LimitOffsetPagination):
    """`limit` and `offset`; the answer has `items` and the total `count`."""

    class Input(Schema):
        limit: int = Field(50, ge=1, le=200, description="At most 200 rows per page.")
        offset: int = Field(0, ge=0)


# --- small shared outputs -------------------------------------------------------------------


class ConflictOut(Schema):
    detail: str
    current_version: int | None = None


class DuplicateOut(Schema):
    id: int
    name: str
    name_kana: str
    birth_date: datetime.date | None
    reasons: list[str]


class DuplicatesOut(Schema):
    detail: str
    duplicates: list[DuplicateOut]


def duplicates_out(candidates: list[selectors.DuplicateCandidate]) -> list[dict[str, Any]]:
    return [
        {
            "id": c.person.pk,
            "name": c.person.full_name,
            "name_kana": c.person.full_name_kana,
            "birth_date": c.person.birth_date,
            "reasons": [str(r) for r in c.reasons],
        }
        for c in candidates
    ]


class LabelledOut(Schema):
    code: str
    label: str


class FindingOut(Schema):
    code: str
    rule: str = Field(..., description="The rule of rules.md the finding comes from (R2, R8).")
    label: str
    reason: str = Field(..., description="Why, in one line, in the user's language.")


class IndicatorsOut(Schema):
    findings: list[FindingOut]
    areas: list[LabelledOut] = Field(
        ..., description="Problem areas counted for the whole household (rule R2)."
    )


def indicators_out(indicators: rules.Indicators) -> dict[str, Any]:
    order = list(rules.AREA_LABELS)
    areas = sorted(indicators.household_areas, key=order.index)
    return {
        "findings": [
            {"code": f.code, "rule": f.rule, "label": str(f.label), "reason": str(f.reason)}
            for f in indicators.findings
        ],
        "areas": [{"code": a, "label": str(rules.AREA_LABELS[a])} for a in areas],
    }


class FlagOut(Schema):
    id: int
    case_id: int
    kind: FlagKind
    kind_label: str = Field(..., alias="get_kind_display")
    rule: str
    reason: str
    raised_at: datetime.datetime
    source: str
    is_open: bool
    resolved_at: datetime.datetime | None
    resolved_by: str | None = None
    resolution: str

    @staticmethod
    def resolve_resolved_by(obj: Flag) -> str | None:
        user = obj.resolved_by
        return (user.full_name or user.get_username()) if user is not None else None


class ResolveIn(Schema):
    resolution: str = Field(
        ..., max_length=2000, description="How the flag was resolved (required, rule R8)."
    )


# --- persons --------------------------------------------------------------------------------


class PersonIn(Schema):
    agency: int | None = Field(
        None,
        description="The agency that holds the record; may be left out by a user who works "
        "in exactly one agency that holds cases.",
    )
    family_name: Line = Field(..., min_length=1, max_length=50)
    given_name: Line = Field("", max_length=50)
    family_name_kana: Kana = Field("", max_length=100, description="Hiragana or katakana.")
    given_name_kana: Kana = Field("", max_length=100, description="Hiragana or katakana.")
    sex: Sex = Field(Sex.UNSTATED, description="As the person states it; never required.")
    birth_date: JapaneseDate | None = Field(None, description=DATE_HELP)
    estimated_age: int | None = Field(
        None, ge=0, le=130, description="When the date of birth is not known."
    )
    postal_code: PostalCode = Field(
        "",
        max_length=10,
        description="7 digits, any width; fills the municipality when it is not given.",
    )
    municipality_code: str | None = Field(None, description="5-digit local-government code.")
    address: Line = Field("", max_length=200, description="What follows the municipality.")
    phone: Phone = Field("", max_length=20)
    mobile: Phone = Field("", max_length=20)
    email: Line = Field("", max_length=254)
    preferred_contact: list[ContactMethod] = []
    avoided_contact: list[ContactMethod] = Field(
        [], description="A withdrawn person may not want a phone call."
    )
    contact_notes: Line = Field("", max_length=200)
    notes: str = ""
    allow_duplicate: bool = Field(
        False, description="Save although the agency may already know the person (see 409)."
    )


class PersonPatch(Schema):
    version: int | None = Field(None, description="The version you read; a stale one answers 409.")
    family_name: Line | None = Field(None, min_length=1, max_length=50)
    given_name: Line | None = Field(None, max_length=50)
    family_name_kana: Kana | None = Field(None, max_length=100)
    given_name_kana: Kana | None = Field(None, max_length=100)
    sex: Sex | None = None
    birth_date: JapaneseDate | None = Field(None, description=DATE_HELP)
    estimated_age: int | None = Field(None, ge=0, le=130)
    postal_code: PostalCode | None = Field(None, max_length=10)
    municipality_code: str | None = None
    address: Line | None = Field(None, max_length=200)
    phone: Phone | None = Field(None, max_length=20)
    mobile: Phone | None = Field(None, max_length=20)
    email: Line | None = Field(None, max_length=254)
    preferred_contact: list[ContactMethod] | None = None
    avoided_contact: list[ContactMethod] | None = None
    contact_notes: Line | None = Field(None, max_length=200)
    notes: str | None = None


class PersonListOut(Schema):
    id: int
    agency_id: int
    full_name: str
    full_name_kana: str
    sex: Sex
    birth_date: datetime.date | None
    birth_date_wareki: str
    age: int | None
    age_is_estimated: bool
    municipality_name: str | None
    address: str
    phone: str
    mobile: str

    @staticmethod
    def resolve_birth_date_wareki(obj: Person) -> str:
        return format_wareki(obj.birth_date)

    @staticmethod
    def resolve_age(obj: Person) -> int | None:
        return obj.age()

    @staticmethod
    def resolve_municipality_name(obj: Person) -> str | None:
        return obj.municipality.name if obj.municipality else None


class HouseholdRef(Schema):
    id: int
    name: str
    relationship: Relationship
    relationship_label: str


class CaseRef(Schema):
    id: int
    number: str
    opened_on: datetime.date
    is_open: bool
    main_problem: str = Field(..., description="A value of `problems`, or empty.")


class PersonOut(PersonListOut):
    family_name: str
    given_name: str
    family_name_kana: str
    given_name_kana: str
    sex_label: str = Field(..., alias="get_sex_display")
    estimated_age: int | None
    postal_code: str
    municipality_code: str | None
    email: str
    preferred_contact: list[ContactMethod]
    avoided_contact: list[ContactMethod]
    contact_notes: str
    notes: str
    household: HouseholdRef | None = None
    cases: list[CaseRef] = []
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_municipality_code(obj: Person) -> str | None:
        return obj.municipality.code if obj.municipality else None

    @staticmethod
    def resolve_household(obj: Person, context: Any) -> dict[str, Any] | None:
        household = selectors.household_of(context["request"].user, obj)
        if household is None:
            return None
        member = HouseholdMember.objects.get(person=obj)
        return {
            "id": household.pk,
            "name": household.name,
            "relationship": member.relationship,
            "relationship_label": str(member.get_relationship_display()),
        }

    @staticmethod
    def resolve_cases(obj: Person, context: Any) -> list[Case]:
        return list(selectors.visible_cases(context["request"].user, obj).order_by("-opened_on"))


# --- households -----------------------------------------------------------------------------


class MemberIn(Schema):
    person: int
    relationship: Relationship = Field(
        ..., description="続柄, relative to the person consulted about (self)."
    )
    lives_together: bool = True
    is_main_carer: bool = False
    notes: Line = Field("", max_length=200)


class HouseholdIn(Schema):
    agency: int | None = Field(None, description="As for persons; else the members' agency.")
    name: Line = Field(..., min_length=1, max_length=100, description="For example 山田 世帯.")
    notes: str = ""
    members: list[MemberIn] = []


class HouseholdPatch(Schema):
    name: Line | None = Field(None, min_length=1, max_length=100)
    notes: str | None = None


class HouseholdListOut(Schema):
    id: int
    agency_id: int
    name: str
    created_at: datetime.datetime


class CaseBrief(Schema):
    id: int
    number: str
    opened_on: datetime.date
    problems: list[Problem]
    main_problem: str
    open_flags: list[LabelledOut]


class AssessmentSummary(Schema):
    id: int
    case_id: int
    assessed_on: datetime.date
    assessed_on_wareki: str
    informant: Informant
    informant_label: str
    areas: list[LabelledOut] = Field(..., description="The problem areas this assessment shows.")
    going_out: GoingOut
    going_out_label: str
    withdrawn_since: datetime.date | None
    withdrawn_years: int | None
    isolation_level: int | None = Field(
        ..., description="Kinds of connection lost, 0–6; null while not asked about."
    )
    isolation_label: str


def assessment_summary(a: Assessment | None) -> dict[str, Any] | None:
    if a is None:
        return None
    order = list(rules.AREA_LABELS)
    level = rules.isolation_level(a)
    since = a.withdrawn_since
    return {
        "id": a.pk,
        "case_id": a.case_id,
        "assessed_on": a.assessed_on,
        "assessed_on_wareki": format_wareki(a.assessed_on),
        "informant": a.informant,
        "informant_label": str(a.get_informant_display()),
        "areas": [
            {"code": c, "label": str(rules.AREA_LABELS[c])}
            for c in sorted(rules.problem_areas(a), key=order.index)
        ],
        "going_out": a.going_out,
        "going_out_label": str(a.get_going_out_display()),
        "withdrawn_since": since,
        "withdrawn_years": _years_between(since, a.assessed_on) if since else None,
        "isolation_level": level,
        "isolation_label": str(rules.isolation_label(level)),
    }


def _years_between(start: datetime.date, end: datetime.date) -> int:
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))


class MemberOut(Schema):
    person_id: int
    name: str
    name_kana: str
    relationship: Relationship
    relationship_label: str
    lives_together: bool
    is_main_carer: bool
    notes: str
    birth_date: datetime.date | None
    birth_date_wareki: str
    age: int | None
    age_is_estimated: bool
    open_cases: list[CaseBrief]
    latest_assessment: AssessmentSummary | None


class HouseholdOut(Schema):
    id: int
    agency_id: int
    name: str
    notes: str
    members: list[MemberOut]
    hidden_members: int = Field(
        ..., description="Members the caller may not see (a restricted case); only counted."
    )
    indicators: IndicatorsOut


def household_out(view: selectors.HouseholdView) -> dict[str, Any]:
    household = view.household
    cases = [c for cases in view.open_cases.values() for c in cases]
    flags: dict[int, list[Flag]] = {}
    for flag in Flag.objects.filter(case__in=cases, resolved_at__isnull=True).order_by("pk"):
        flags.setdefault(flag.case_id, []).append(flag)
    members = []
    for m in view.members:
        person = m.person
        members.append(
            {
                "person_id": person.pk,
                "name": person.full_name,
                "name_kana": person.full_name_kana,
                "relationship": m.relationship,
                "relationship_label": str(m.get_relationship_display()),
                "lives_together": m.lives_together,
                "is_main_carer": m.is_main_carer,
                "notes": m.notes,
                "birth_date": person.birth_date,
                "birth_date_wareki": format_wareki(person.birth_date),
                "age": person.age(),
                "age_is_estimated": person.age_is_estimated,
                "open_cases": [
                    {
                        "id": c.pk,
                        "number": c.number,
                        "opened_on": c.opened_on,
                        "problems": c.problems,
                        "main_problem": c.main_problem,
                        "open_flags": [
                            {"code": f.kind, "label": str(f.get_kind_display())}
                            for f in flags.get(c.pk, [])
                        ],
                    }
                    for c in view.open_cases.get(person.pk, [])
                ],
                "latest_assessment": assessment_summary(view.latest.get(person.pk)),
            }
        )
    return {
        "id": household.pk,
        "agency_id": household.agency_id,
        "name": household.name,
        "notes": household.notes,
        "members": members,
        "hidden_members": view.hidden_members,
        "indicators": indicators_out(view.indicators),
    }


# --- cases ----------------------------------------------------------------------------------


class CaseOut(Schema):
    id: int
    agency_id: int
    number: str
    person_id: int
    person_name: str = Field(..., alias="person.full_name")
    person_name_kana: str = Field(..., alias="person.full_name_kana")
    opened_on: datetime.date
    opened_on_wareki: str
    problems: list[Problem]
    main_problem: str = Field(..., description="A value of `problems`, or empty.")
    screening: Screening
    screening_label: str = Field(..., alias="get_screening_display")
    accompaniment: bool
    is_open: bool
    closed_on: datetime.date | None
    is_restricted: bool
    open_flag_count: int
    version: int

    @staticmethod
    def resolve_opened_on_wareki(obj: Case) -> str:
        return format_wareki(obj.opened_on)

    @staticmethod
    def resolve_open_flag_count(obj: Case) -> int:
        count = getattr(obj, "open_flag_count", None)
        return count if count is not None else selectors.open_flags(obj).count()


class UserRef(Schema):
    id: int
    username: str
    full_name: str


class HouseholdBrief(Schema):
    id: int
    name: str


class CaseDetailOut(CaseOut):
    problem_labels: list[str]
    main_problem_label: str = Field(..., alias="get_main_problem_display")
    problem_notes: str
    screened_on: datetime.date | None
    handed_to: str
    close_reason: str
    assigned_staff: list[UserRef]
    open_flags: list[FlagOut] = Field(
        ..., description="Shown on every screen of the case until resolved (rule R8)."
    )
    household: HouseholdBrief | None
    indicators: IndicatorsOut = Field(
        ..., description="Computed for the person's household (rules R2 and 8050)."
    )
    latest_assessment: AssessmentSummary | None
    contact_count: int
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_assigned_staff(obj: Case) -> list[Any]:
        return list(obj.assigned_staff.order_by("pk"))

    @staticmethod
    def resolve_open_flags(obj: Case) -> list[Flag]:
        return list(selectors.open_flags(obj).select_related("resolved_by"))

    @staticmethod
    def resolve_household(obj: Case, context: Any) -> Any:
        return selectors.household_of(context["request"].user, obj.person)

    @staticmethod
    def resolve_indicators(obj: Case, context: Any) -> dict[str, Any]:
        user = context["request"].user
        return indicators_out(selectors.person_indicators(user, obj.person))

    @staticmethod
    def resolve_latest_assessment(obj: Case) -> dict[str, Any] | None:
        return assessment_summary(selectors.latest_assessment(obj))

    @staticmethod
    def resolve_contact_count(obj: Case, context: Any) -> int:
        return selectors.timeline(context["request"].user, obj).count()


class CasePatch(Schema):
    version: int | None = Field(None, description="The version you read; a stale one answers 409.")
    problems: list[Problem] | None = Field(None, description="The intake form's checklist.")
    main_problem: Problem | None = None
    problem_notes: str | None = None
    screening: Screening | None = Field(
        None, description="The screening outcome; its date defaults to today."
    )
    screened_on: PastDate | None = Field(None, description=DATE_HELP)
    handed_to: Line | None = Field(None, max_length=200)
    accompaniment: bool | None = Field(
        None, description="Long-term accompaniment: the case stays open with no end goal (C)."
    )
    closed_on: PastDate | None = Field(
        None, description="A date closes the case, null reopens it. " + DATE_HELP
    )
    close_reason: Line | None = Field(None, max_length=200)


class RestrictionIn(Schema):
    is_restricted: bool
    assigned_staff: list[int] = Field(..., description="User ids of the agency's staff.")


class RestrictionOut(Schema):
    case_id: int = Field(..., alias="pk")
    is_restricted: bool
    assigned_staff: list[UserRef]

    @staticmethod
    def resolve_assigned_staff(obj: Case) -> list[Any]:
        return list(obj.assigned_staff.order_by("pk"))


# --- contacts -------------------------------------------------------------------------------


class ContactFields(Schema):
    occurred_at: LocalDateTime | None = Field(
        None, description="ISO date and time; without a zone it is Japan time. Default: now."
    )
    channel: Channel
    initiator: Initiator = Field(..., description="Who made the contact.")
    initiator_person: int | None = Field(None, description="The caller, a person on record.")
    initiator_name: Line = Field("", max_length=100)
    duration_minutes: int | None = Field(None, ge=0, le=1440)
    summary: Line = Field(..., min_length=1, max_length=200)
    notes: str = ""
    urgent: list[Urgency] = Field(
        [], description="Urgent matters heard: they raise flags on the case (rule R8)."
    )


class ContactIn(ContactFields):
    case: int | None = Field(None, description="The case; or give `person`.")
    person: int | None = Field(
        None, description="The person the contact is about; the first contact opens a case."
    )
    problems: list[Problem] = Field(
        [], description="Only when the contact opens the case: the intake form's checklist."
    )
    main_problem: Problem | None = None
    problem_notes: str = ""


class ContactPatch(Schema):
    occurred_at: LocalDateTime | None = None
    channel: Channel | None = None
    initiator: Initiator | None = None
    initiator_person: int | None = None
    initiator_name: Line | None = Field(None, max_length=100)
    duration_minutes: int | None = Field(None, ge=0, le=1440)
    summary: Line | None = Field(None, min_length=1, max_length=200)
    notes: str | None = None
    urgent: list[Urgency] | None = None


class ContactOut(Schema):
    id: int
    agency_id: int
    case_id: int
    case_number: str = Field(..., alias="case.number")
    person_id: int = Field(..., alias="case.person_id")
    occurred_at: datetime.datetime
    occurred_on_wareki: str
    channel: Channel
    channel_label: str = Field(..., alias="get_channel_display")
    initiator: Initiator
    initiator_label: str = Field(..., alias="get_initiator_display")
    initiator_person_id: int | None
    initiator_person_name: str | None = None
    initiator_name: str
    staff_id: int
    staff_name: str
    duration_minutes: int | None
    summary: str
    notes: str
    urgent: list[Urgency]
    created_at: datetime.datetime

    @staticmethod
    def resolve_occurred_on_wareki(obj: Contact) -> str:
        return format_wareki(timezone.localdate(obj.occurred_at))

    @staticmethod
    def resolve_staff_name(obj: Contact) -> str:
        return obj.staff.full_name or obj.staff.get_username()

    @staticmethod
    def resolve_initiator_person_name(obj: Contact, context: Any) -> str | None:
        caller = obj.initiator_person
        if caller is None or not can(context["request"].user, Action.VIEW, Kind.PERSON, caller):
            return None
        return caller.full_name


class ContactDetailOut(ContactOut):
    open_flags: list[FlagOut] = Field(..., description="The case's open flags (rule R8).")

    @staticmethod
    def resolve_open_flags(obj: Contact) -> list[Flag]:
        return list(selectors.open_flags(obj.case))


class ContactCreatedOut(ContactDetailOut):
    case_opened: bool = Field(..., description="True when this contact opened the case.")


# --- assessments ----------------------------------------------------------------------------


class AssessmentFields(Schema):
    assessed_on: JapaneseDate | None = Field(None, description="Default: today. " + DATE_HELP)
    informant: Informant = Field(Informant.PERSON, description="Whose words it rests on.")
    employment: Employment = Employment.UNKNOWN
    employment_notes: str = ""
    physical_health: Level = special(Level.UNKNOWN, "Physical health.")
    physical_health_notes: str = special("", "Physical health: notes.")
    mental_health: Level = special(Level.UNKNOWN, "Mental health.")
    depression: bool = special(False, "Signs of depression.")
    mental_health_notes: str = special("", "Mental health: notes.")
    connections: list[Connection] | None = Field(
        None,
        description="The kinds of connection the person still has (six kinds of isolation); "
        "[] for none at all, null or omitted while isolation has not been asked about.",
    )
    isolation_notes: str = ""
    finance: Finance = Field(Finance.UNKNOWN, description="Household finance.")
    monthly_income: int | None = Field(None, ge=0, le=100_000_000, description="Yen per month.")
    income_sources: Line = Field("", max_length=200)
    arrears: bool = False
    debt: bool = False
    debt_notes: str = ""
    housing: Housing = Housing.UNKNOWN
    housing_notes: str = ""
    family_conflict: bool = False
    family_notes: str = ""
    household_member_needs_care: bool = False
    cares_for_elderly: bool = False
    cares_for_children: bool = False
    care_notes: str = ""
    disability: Disability = special(Disability.UNKNOWN, "Possible disability.")
    disability_notes: str = special("", "Disability: notes.")
    children_concern: bool = False
    children_notes: str = ""
    withdrawn_since: JapaneseDate | None = Field(
        None, description="Approximate is fine. " + DATE_HELP
    )
    going_out: GoingOut = Field(
        GoingOut.NOT_WITHDRAWN, description="The national survey's four levels of going out."
    )
    hikikomori_notes: str = ""
    dv_abuse: bool = special(False, "DV or abuse.")
    dv_notes: str = special("", "DV or abuse: notes.")
    criminal_record_notes: str = special("", "Criminal record: notes.")
    no_food: bool = Field(False, description="No food today (rule R8).")
    no_shelter: bool = Field(False, description="No place to stay tonight (rule R8).")
    suicidal_thoughts: bool = special(False, "Speaks of not wanting to live (R8).")
    suicide_attempt: bool = special(False, "Has attempted suicide (R8).")
    wishes: str = Field("", description="The person's wishes in their own words (rule R1).")
    notes: str = ""


class AssessmentIn(AssessmentFields):
    case: int


class AssessmentOut(AssessmentFields):
    id: int
    agency_id: int
    case_id: int
    case_number: str = Field(..., alias="case.number")
    person_id: int = Field(..., alias="case.person_id")
    assessed_on: datetime.date
    assessed_on_wareki: str
    assessed_by_id: int
    assessed_by_name: str
    withdrawn_since: datetime.date | None
    areas: list[LabelledOut]
    isolation_level: int | None
    isolation_label: str
    special_care_fields: list[str] = Field(
        ..., description="The fields of this record that hold special-care information."
    )
    created_at: datetime.datetime

    @staticmethod
    def resolve_assessed_on_wareki(obj: Assessment) -> str:
        return format_wareki(obj.assessed_on)

    @staticmethod
    def resolve_assessed_by_name(obj: Assessment) -> str:
        return obj.assessed_by.full_name or obj.assessed_by.get_username()

    @staticmethod
    def resolve_areas(obj: Assessment) -> list[dict[str, str]]:
        summary = assessment_summary(obj)
        return summary["areas"] if summary else []

    @staticmethod
    def resolve_isolation_level(obj: Assessment) -> int | None:
        return rules.isolation_level(obj)

    @staticmethod
    def resolve_isolation_label(obj: Assessment) -> str:
        return str(rules.isolation_label(rules.isolation_level(obj)))

    @staticmethod
    def resolve_special_care_fields(obj: Assessment) -> list[str]:
        return list(SPECIAL_CARE_FIELDS)


class AssessmentDetailOut(AssessmentOut):
    open_flags: list[FlagOut] = Field(..., description="The case's open flags (rule R8).")

    @staticmethod
    def resolve_open_flags(obj: Assessment) -> list[Flag]:
        return list(selectors.open_flags(obj.case))
