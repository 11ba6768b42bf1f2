"""Small factories for people-app tests: persons, the 山田 household of walkthrough A, contacts."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from tsunagi.agencies.models import Agency
from tsunagi.people import services
from tsunagi.people.choices import Channel, Initiator, Relationship
from tsunagi.people.models import Case, Household, Person


def years_ago(years: int, month: int = 4, day: int = 1) -> datetime.date:
    today = timezone.localdate()
    return datetime.date(today.year - years, month, day)


def make_person(actor: Any, agency: Agency, family: str, given: str = "", **data: Any) -> Person:
    values = {"family_name": family, "given_name": given, **data}
    return services.create_person(actor, agency, values, allow_duplicate=True)


def yamada_household(actor: Any, agency: Agency) -> tuple[Household, Person, Person, Case]:
    """Walkthrough A, step 1: the mother (82) calls about her son (52); both in one household."""
    mother = make_person(
        actor, agency, "山田", "花子", family_name_kana="ヤマダ", given_name_kana="ハナコ",
        sex="female", birth_date=years_ago(82), phone="088-000-1234",
    )  # fmt: skip
    son = make_person(
        actor, agency, "山田", "太郎", family_name_kana="やまだ", given_name_kana="たろう",
        sex="male", birth_date=years_ago(52), avoided_contact=["phone"],
    )  # fmt: skip
    household = services.create_household(
        actor,
        agency,
        "山田 世帯",
        [(son, Relationship.SELF), (mother, Relationship.PARENT)],
    )
    contact = services.record_contact(
        actor,
        {
            "channel": Channel.PHONE,
            "initiator": Initiator.FAMILY,
            "initiator_person": mother,
            "summary": "母から息子について電話相談",
            "duration_minutes": 30,
        },
        person=son,
        case_data={
            "problems": ["hikikomori", "income", "debt", "care"],
            "main_problem": "hikikomori",
        },
    )
    return household, mother, son, contact.case
