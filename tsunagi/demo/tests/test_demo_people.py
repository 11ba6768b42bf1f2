"""`tsunagi demo`: the people of the 高知県 demo (issue 3) and `--persons N` for the benchmark."""

from __future__ import annotations

import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.http import Http404

from tsunagi.access.models import AuditEvent
from tsunagi.access.policy import Action, Kind, require
from tsunagi.accounts.models import User
from tsunagi.agencies.models import Agency
from tsunagi.demo.cast import (
    ADULT_CENTER,
    CHILD_CENTER,
    KOCHI_CITY_OFFICE,
    KOCHI_CITY_SELF_RELIANCE,
)
from tsunagi.demo.people import SYNTHETIC_CASE_PREFIX, YAMADA_HOUSEHOLD, with_search_keys
from tsunagi.people import selectors
from tsunagi.people.models import Case, Contact, Flag, Household, Person

pytestmark = pytest.mark.django_db


def demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def agency(key: str) -> Agency:
    return Agency.objects.get(source=f"demo:{key}")


def user(username: str) -> User:
    return User.objects.get(username=username)


def test_walkthrough_a_yamada_household_with_its_indicators() -> None:
    output = demo()
    staff = user("demo-staff")

    household = Household.objects.get(agency=agency(ADULT_CENTER), name=YAMADA_HOUSEHOLD)
    members = {m.person.given_name: m for m in household.members.select_related("person")}
    mother, son = members["花子"].person, members["太郎"].person
    assert (mother.age(), son.age()) == (82, 52)
    assert mother.phone and "phone" in son.avoided_contact
    case = son.cases.get()
    call = case.contacts.get()
    assert (call.channel, call.initiator, call.initiator_person) == ("phone", "family", mother)
    assert case.main_problem == "hikikomori"
    assessment = selectors.latest_assessment(case)
    assert assessment is not None and assessment.informant == "family"
    indicators = selectors.person_indicators(staff, son)
    for code in ("economic_need", "compound_problems", "r2_referral", "8050"):
        assert indicators.has(code), code
    assert f"/people/cases/{case.pk}/" in output


def test_walkthrough_i_urgent_call_keeps_its_flags_open() -> None:
    demo("--quiet")
    open_flags = Flag.objects.filter(agency=agency(ADULT_CENTER), resolved_at__isnull=True)
    urgent = Case.objects.get(flags__kind="urgent_need", agency=agency(ADULT_CENTER))
    assert {f.kind for f in open_flags.filter(case=urgent)} == {"urgent_need", "suicide_risk"}
    assert urgent.contacts.get().urgent == ["no_food", "suicidal"]


def test_the_dv_case_is_restricted_to_the_manager() -> None:
    demo("--quiet")
    case = Case.objects.get(agency=agency(ADULT_CENTER), is_restricted=True)
    assert case.main_problem == "dv_abuse"
    assert list(case.assigned_staff.values_list("username", flat=True)) == ["demo-manager"]
    require(user("demo-manager"), Action.VIEW, Kind.CASE, case)
    with pytest.raises(Http404):
        require(user("demo-staff"), Action.VIEW, Kind.CASE, case)
    assert not selectors.persons(user("demo-staff"), case.person.family_name_kana).filter(
        pk=case.person_id
    )


def test_about_twenty_more_people_at_both_agencies_written_through_the_services() -> None:
    demo("--quiet")
    center, sr = agency(ADULT_CENTER), agency(KOCHI_CITY_SELF_RELIANCE)
    persons = Person.objects.filter(agency__in=[center, sr])

    assert persons.count() >= 4 + 18  # the walkthroughs, and about twenty more
    assert Person.objects.filter(agency=sr).count() >= 8
    assert Household.objects.filter(agency__in=[center, sr]).count() >= 5
    assert {c.channel for c in Contact.objects.filter(agency__in=[center, sr])} >= {
        "phone", "office_visit", "home_visit", "accompaniment", "online",
    }  # fmt: skip
    screenings = set(Case.objects.filter(agency=sr).values_list("screening", flat=True))
    assert {"information_only", "handed_over", "continuing"} <= screenings
    assert Case.objects.filter(accompaniment=True).exists()
    assert Flag.objects.filter(agency=sr, resolved_at__isnull=False).exists()
    # audited as if staff had typed them
    created = AuditEvent.objects.filter(action="person.created", personal=True)
    child = agency(CHILD_CENTER)  # issue 5: the 17-year-old of walkthrough B
    office = agency(KOCHI_CITY_OFFICE)  # issue 7: the households supporters visit
    others = Person.objects.filter(agency__in=[child, office]).count()
    assert created.count() == persons.count() + others
    assert set(created.values_list("agency_id", flat=True)) == {
        center.pk,
        sr.pk,
        child.pk,
        office.pk,
    }


def test_synthetic_persons_in_bulk_with_cases_contacts_and_search_keys() -> None:
    demo("--quiet")
    center = agency(ADULT_CENTER)
    before = Person.objects.filter(agency=center).count()

    started = time.monotonic()
    output = demo("--persons", "300")
    elapsed = time.monotonic() - started

    assert "300 persons" in output and elapsed < 30
    synthetic = Case.objects.filter(agency=center, number__startswith=SYNTHETIC_CASE_PREFIX)
    assert Person.objects.filter(agency=center).count() == before + 300
    assert synthetic.count() == 300
    assert 300 <= Contact.objects.filter(case__in=synthetic).count() <= 1200
    for person in Person.objects.filter(cases__in=synthetic)[:50]:
        stored = [getattr(person, f) for f in KEYS]
        person.save()  # computes the keys itself
        assert [getattr(person, f) for f in KEYS] == stored
    # found by the name search of demo-staff, in kana of any width
    someone = synthetic.select_related("person")[0].person
    assert selectors.persons(user("demo-staff"), someone.family_name_kana).filter(pk=someone.pk)


KEYS = ("name_key", "given_key", "kana_key", "given_kana_key", "phone_digits", "mobile_digits")


def test_with_search_keys_computes_what_save_computes() -> None:
    person = with_search_keys(
        Person(family_name="髙橋", given_name="一郎", family_name_kana="ﾀｶﾊｼ",
               given_name_kana="いちろう", phone="０８８−８２３−１２３４")
    )  # fmt: skip
    assert (person.name_key, person.kana_key, person.phone_digits) == (
        "高橋一郎",
        "タカハシイチロウ",
        "0888231234",
    )


def test_persons_add_to_what_exists_and_the_same_seed_gives_the_same_people() -> None:
    demo("--quiet", "--persons", "40")
    first = list(
        Person.objects.filter(cases__number__startswith=SYNTHETIC_CASE_PREFIX)
        .order_by("cases__number")
        .values_list("family_name", "given_name", "birth_date")
    )
    assert "nothing (already there)" in demo("--persons", "40")

    demo("--quiet", "--persons", "60")
    grown = list(
        Person.objects.filter(cases__number__startswith=SYNTHETIC_CASE_PREFIX)
        .order_by("cases__number")
        .values_list("family_name", "given_name", "birth_date")
    )
    assert len(grown) == 60 and grown[:40] == first

    demo("--quiet", "--reset", "--persons", "40")
    again = list(
        Person.objects.filter(cases__number__startswith=SYNTHETIC_CASE_PREFIX)
        .order_by("cases__number")
        .values_list("family_name", "given_name", "birth_date")
    )
    assert again == first


def test_reset_removes_the_people_of_the_demo_agencies() -> None:
    demo("--quiet", "--persons", "20")
    output = demo("--reset", "--quiet", "--persons", "0")

    assert output == ""
    assert (
        Person.objects.count()
        == Person.objects.filter(
            agency__in=[
                agency(ADULT_CENTER),
                agency(KOCHI_CITY_SELF_RELIANCE),
                agency(CHILD_CENTER),  # issue 5: walkthrough B
                agency(KOCHI_CITY_OFFICE),  # issue 7: walkthrough F
            ]
        ).count()
    )
    assert not Case.objects.filter(number__startswith=SYNTHETIC_CASE_PREFIX).exists()
    assert Household.objects.filter(name=YAMADA_HOUSEHOLD).count() == 1  # built again
