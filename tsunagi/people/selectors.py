"""Reads of personal records, filtered by the access module. No search ever crosses agencies."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

import jaconv
from django.db.models import Count, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Concat
from django.utils import timezone

from tsunagi.access.policy import Kind, scope
from tsunagi.web.text import digits_only, is_kana, to_halfwidth

from . import rules
from .models import Assessment, Case, Contact, Flag, Household, HouseholdMember, Person
from .names import kana_key, name_key, similarity

# A name this alike (0–100, on the folded keys) counts as the same name for duplicates.
SAME_NAME = 85
# Shortest phone number worth matching (fewer digits match too many people).
MIN_PHONE_DIGITS = 6
# What may stand between the digits of a phone number as people type it.
_PHONE_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―−ー－()（）+]")


def persons(
    user: Any,
    q: str = "",
    *,
    birth_date: datetime.date | None = None,
    phone: str = "",
) -> QuerySet[Person]:
    """Persons of the user's agencies matching a name (kanji or kana, any width), a date of
    birth or a phone number. Prefix matches on indexed keys, so the cost does not grow with
    the number of persons."""
    qs = scope(user, Kind.PERSON, Person.objects.all())
    q = (q or "").strip()
    if q:
        if _looks_like_phone(q):
            phone = phone or q
        else:
            # Sorted on an expression no index provides, so that PostgreSQL finds the few
            # matches through the prefix indexes and sorts them, instead of walking the whole
            # list in reading order and filtering (which grows with the number of persons).
            qs = qs.filter(_name_q(q)).order_by(Concat("kana_key", Value("")), "name_key", "pk")
    if birth_date is not None:
        qs = qs.filter(birth_date=birth_date)
    if phone:
        digits = digits_only(phone)
        qs = qs.filter(Q(phone_digits=digits) | Q(mobile_digits=digits))
    return qs.select_related("municipality")


def _looks_like_phone(q: str) -> bool:
    """０８８－０００－１２３４, 088 000 1234, (088)000-1234: digits and separators only."""
    rest = _PHONE_SEPARATORS.sub("", to_halfwidth(q))
    return len(rest) >= MIN_PHONE_DIGITS and rest.isascii() and rest.isdigit()


def _script_forms(key: str) -> set[str]:
    """A name written in kana may be stored in hiragana or katakana (はな, ハナ): both forms."""
    return {key, jaconv.hira2kata(key), jaconv.kata2hira(key)}


def _name_q(q: str) -> Q:
    condition = Q()
    words = q.replace("\u3000", " ").split()
    for key in _script_forms(name_key(q)):
        condition |= Q(name_key__startswith=key) | Q(given_key__startswith=key)
    if len(words) > 1:  # 山田 太 → family name 山田, given name starting 太
        for family in _script_forms(name_key(words[0])):
            for given in _script_forms(name_key(*words[1:])):
                condition |= Q(name_key__startswith=family, given_key__startswith=given)
    if is_kana(q):
        kana = kana_key(q)
        condition |= Q(kana_key__startswith=kana) | Q(given_kana_key__startswith=kana)
    return condition


def _katakana(key: str) -> str:
    return str(jaconv.hira2kata(key))


@dataclass
class DuplicateCandidate:
    person: Person
    reasons: list[str] = field(default_factory=list)


def find_duplicates(user: Any, person: Person) -> list[DuplicateCandidate]:
    """Persons of the same agency that may be this one: same date of birth and a name alike in
    kanji (variants folded) or kana, or the same phone number. Inside the agency only."""
    from django.utils.translation import gettext as _

    base = scope(user, Kind.PERSON, Person.objects.filter(agency_id=person.agency_id))
    if person.pk:
        base = base.exclude(pk=person.pk)
    key = name_key(person.family_name, person.given_name)
    kana = kana_key(person.family_name_kana, person.given_name_kana)
    phones = {digits_only(p) for p in (person.phone, person.mobile)}
    phones = {p for p in phones if len(p) >= MIN_PHONE_DIGITS}
    condition = Q(name_key__in=_script_forms(key))
    if kana:
        condition |= Q(kana_key=kana)
    if person.birth_date:
        condition |= Q(birth_date=person.birth_date)
    for digits in phones:
        condition |= Q(phone_digits=digits) | Q(mobile_digits=digits)
    found = []
    for other in base.filter(condition)[:200]:
        reasons = []
        name_alike = similarity(_katakana(key), _katakana(other.name_key)) >= SAME_NAME
        kana_alike = bool(kana) and kana == other.kana_key
        same_birth = bool(person.birth_date) and person.birth_date == other.birth_date
        if name_alike and key != other.name_key:
            reasons.append(_("a name written alike (%(name)s)") % {"name": other.full_name})
        elif name_alike:
            reasons.append(_("the same name"))
        if kana_alike:
            reasons.append(_("the same reading"))
        if same_birth:
            reasons.append(_("the same date of birth"))
        same_phone = phones & {other.phone_digits, other.mobile_digits}
        if same_phone:
            reasons.append(_("the same phone number"))
        named = name_alike or kana_alike
        unknown_birth = person.birth_date is None or other.birth_date is None
        if (named and (same_birth or unknown_birth)) or same_phone:
            found.append(DuplicateCandidate(other, reasons))
    return found[:10]


# --- one person, household and case ---------------------------------------------------------


def visible_cases(user: Any, person: Person) -> QuerySet[Case]:
    return scope(user, Kind.CASE, person.cases.all())


def household_of(user: Any, person: Person) -> Household | None:
    membership = HouseholdMember.objects.filter(person=person).select_related("household").first()
    if membership is None:
        return None
    households = scope(user, Kind.HOUSEHOLD, Household.objects.filter(pk=membership.household_id))
    return households.first()


@dataclass
class HouseholdView:
    household: Household
    members: list[HouseholdMember]
    hidden_members: int
    indicators: rules.Indicators
    latest: dict[int, Assessment | None]  # person id → latest assessment
    open_cases: dict[int, list[Case]]


def latest_assessment(case: Case) -> Assessment | None:
    return case.assessments.order_by("-assessed_on", "-pk").first()


def household_view(user: Any, household: Household) -> HouseholdView:
    """Everyone in the household the user may see, with every problem (rule R2 counts them)."""
    all_members = list(household.members.select_related("person").order_by("pk"))
    visible_ids = set(
        scope(
            user, Kind.PERSON, Person.objects.filter(membership__household=household)
        ).values_list("pk", flat=True)
    )
    members = [m for m in all_members if m.person_id in visible_ids]
    cases = scope(user, Kind.CASE, Case.objects.filter(person_id__in=visible_ids)).order_by(
        "-opened_on", "-pk"
    )
    open_cases: dict[int, list[Case]] = {}
    latest: dict[int, Assessment | None] = {}
    for case in cases:
        if case.closed_on is None:
            open_cases.setdefault(case.person_id, []).append(case)
    for m in members:
        latest[m.person_id] = latest_for_person(user, m.person)
    today = timezone.localdate()
    views = [
        rules.MemberView(
            name=m.person.full_name,
            age=m.person.age(today),
            relationship=m.relationship,
            assessment=latest[m.person_id],
            problems=[p for c in open_cases.get(m.person_id, []) for p in c.problems],
        )
        for m in members
    ]
    return HouseholdView(
        household=household,
        members=members,
        hidden_members=len(all_members) - len(members),
        indicators=rules.household_indicators(views),
        latest=latest,
        open_cases=open_cases,
    )


def latest_for_person(user: Any, person: Person) -> Assessment | None:
    return (
        scope(user, Kind.ASSESSMENT, Assessment.objects.filter(case__person=person))
        .order_by("-assessed_on", "-pk")
        .first()
    )


def person_indicators(user: Any, person: Person) -> rules.Indicators:
    """The household's indicators when the person has one, else the person's alone."""
    household = household_of(user, person)
    if household is not None:
        return household_view(user, household).indicators
    cases = scope(user, Kind.CASE, person.cases.filter(closed_on__isnull=True))
    view = rules.MemberView(
        name=person.full_name,
        age=person.age(),
        assessment=latest_for_person(user, person),
        problems=[p for c in cases for p in c.problems],
    )
    return rules.household_indicators([view])


def open_flags(case: Case) -> QuerySet[Flag]:
    return case.flags.filter(resolved_at__isnull=True).order_by("raised_at")


def timeline(user: Any, case: Case) -> QuerySet[Contact]:
    """The contacts of a case, newest first (paginate it)."""
    return (
        scope(user, Kind.CONTACT, case.contacts.all())
        .select_related("staff", "initiator_person")
        .order_by("-occurred_at", "-pk")
    )


def assessments_of(user: Any, case: Case) -> QuerySet[Assessment]:
    return scope(user, Kind.ASSESSMENT, case.assessments.all()).select_related("assessed_by")


def case_list(user: Any, *, open_only: bool = True, flagged: bool = False) -> QuerySet[Case]:
    qs = scope(user, Kind.CASE, Case.objects.all()).select_related("person")
    if open_only:
        qs = qs.filter(closed_on__isnull=True)
    if flagged:
        # Not `flags__resolved_at__isnull=True`: the outer join matches cases with no flag too.
        qs = qs.filter(pk__in=Flag.objects.filter(resolved_at__isnull=True).values("case_id"))
    return qs.annotate(
        open_flag_count=Count("flags", filter=Q(flags__resolved_at__isnull=True), distinct=True)
    ).prefetch_related(Prefetch("assigned_staff"))
