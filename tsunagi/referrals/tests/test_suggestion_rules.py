"""The rule table of suggestions (rules R2, R3a, R3b, R6, R7, R8, J4, J5), one test per row.

Each test builds a `Situation` from plain objects — assessment sheets as SimpleNamespace, the
household's indicators from `people.rules` — and asks `evaluate()` what it proposes, with the
reason staff read in Japanese, and when the rule does not apply. No database.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import translation

from tsunagi.agencies.models import AgeBand, AgencyKind
from tsunagi.people import rules as indicators
from tsunagi.people.choices import (
    Connection,
    Disability,
    Employment,
    Finance,
    FlagKind,
    GoingOut,
    Housing,
    Level,
    Problem,
    Relationship,
)
from tsunagi.referrals import suggestions as sg
from tsunagi.referrals.suggestions import Member, Situation, Suggestion

TODAY = date(2026, 6, 1)  # a Monday
CENTER, STATION = AgencyKind.HIKIKOMORI_CENTER, AgencyKind.HIKIKOMORI_STATION
SELF_RELIANCE = AgencyKind.SELF_RELIANCE


@pytest.fixture(autouse=True)
def japanese() -> Iterator[None]:
    with translation.override("ja"):
        yield


def sheet(**answers: Any) -> SimpleNamespace:
    """An assessment with nothing of concern ticked, then the given answers."""
    values: dict[str, Any] = {
        "employment": "",
        "physical_health": "",
        "mental_health": "",
        "depression": False,
        "disability": "",
        "finance": "",
        "arrears": False,
        "debt": False,
        "housing": "",
        "family_conflict": False,
        "household_member_needs_care": False,
        "cares_for_elderly": False,
        "cares_for_children": False,
        "children_concern": False,
        "going_out": "",
        "connections": list(Connection.values),
        "dv_abuse": False,
        "no_food": False,
        "no_shelter": False,
        "suicidal_thoughts": False,
        "suicide_attempt": False,
        "criminal_record_notes": "",
    }
    values.update(answers)
    return SimpleNamespace(**values)


def situation(
    person: Member,
    others: Sequence[Member] = (),
    *,
    at: str = CENTER,
    band: str = AgeBand.ADULT,
    problems: Sequence[str] = (),
    **extra: Any,
) -> Situation:
    """The situation of a case, with the household's indicators computed as the case page does
    (rule R2 counts the whole household)."""
    views = [
        indicators.MemberView(
            person.name, person.age, Relationship.SELF, person.assessment, problems
        ),
        *(indicators.MemberView(m.name, m.age, Relationship.PARENT, m.assessment) for m in others),
    ]
    return Situation(
        today=TODAY,
        agency_kind=at,
        agency_age_band=band,
        person=person,
        others=others,
        household=indicators.household_indicators(views),
        problems=problems,
        **extra,
    )


def found(s: Situation, code: str) -> Suggestion | None:
    return next((x for x in sg.evaluate(s) if x.code == code), None)


def proposed(s: Situation, code: str) -> Suggestion:
    hit = found(s, code)
    assert hit is not None, f"{code} not proposed; got {[x.code for x in sg.evaluate(s)]}"
    rule = sg.rule_for(code)
    assert rule is not None and hit.rule == rule.id
    assert is_japanese(hit.reason), hit.reason
    assert is_japanese(hit.title), hit.title
    return hit


def is_japanese(text: str) -> bool:
    """No untranslated English left (rule IDs and digits are fine)."""
    return bool(text.strip()) and re.search(r"[A-Za-z]{3,}", text) is None


def son(**answers: Any) -> Member:
    return Member("山田 太郎", 52, sheet(**answers))


def mother(**answers: Any) -> Member:
    return Member("山田 花子", 82, sheet(**answers))


# --- R8: urgent needs come first --------------------------------------------------------------


def test_r8_urgent_no_food_today_comes_first_with_food_and_shelter() -> None:
    s = situation(son(no_food=True, going_out=GoingOut.ROOM_ONLY, debt=True))
    first = sg.evaluate(s)[0]
    assert first.code == "R8:urgent" and first.rule == "R8"
    hit = proposed(s, "R8:urgent")
    assert "今日食べるものがない" in hit.reason
    assert "一時生活支援" in hit.reason and "生活保護" in hit.reason
    assert hit.targets == (sg.SELF_RELIANCE, AgencyKind.WELFARE_OFFICE)


def test_r8_urgent_from_the_intake_checklist_or_an_open_flag() -> None:
    by_intake = proposed(situation(Member("甲", 40), problems=[Problem.NO_FOOD]), "R8:urgent")
    assert "受付" in by_intake.reason
    by_flag = proposed(situation(Member("甲", 40), open_flags=[FlagKind.URGENT_NEED]), "R8:urgent")
    assert str(FlagKind.URGENT_NEED.label) in by_flag.reason


def test_r8_urgent_does_not_apply_without_an_urgent_need() -> None:
    s = situation(son(going_out=GoingOut.ROOM_ONLY, finance=Finance.SHORT))
    assert found(s, "R8:urgent") is None
    assert found(situation(Member("甲", 40)), "R8:urgent") is None


def test_r8_suicide_speaking_of_not_wanting_to_live() -> None:
    hit = proposed(situation(son(suicidal_thoughts=True)), "R8:suicide")
    assert "死にたい" in hit.reason and "自殺対策の相談窓口" in hit.reason
    assert hit.targets == (AgencyKind.SUICIDE_PREVENTION,)


def test_r8_suicide_depression_with_the_crisis_pathway_factors() -> None:
    # unemployment + debt + depression (rules.md R8, seed 003 自殺の危機経路)
    s = situation(son(depression=True, employment=Employment.UNEMPLOYED, debt=True))
    hit = proposed(s, "R8:suicide")
    assert "債務" in hit.reason
    # depression with one other factor only does not raise it
    assert found(situation(son(depression=True, debt=True)), "R8:suicide") is None


def test_r8_suicide_from_an_open_flag_and_not_otherwise() -> None:
    s = situation(Member("甲", 40), open_flags=[FlagKind.SUICIDE_RISK])
    assert "フラグ" in proposed(s, "R8:suicide").reason
    assert found(situation(son(debt=True, employment=Employment.UNEMPLOYED)), "R8:suicide") is None


# --- R2: economic need and compound problems, for the household ---------------------------------


def test_r2_need_in_the_mothers_assessment_and_problems_over_both_members() -> None:
    """Walkthrough A: the son alone shows only his withdrawal; the mother alone only her
    money. Counted for the household, both hold, and the center proposes the referral."""
    withdrawn_son = son(going_out=GoingOut.ROOM_ONLY)
    short_mother = mother(finance=Finance.SHORT)
    assert found(situation(withdrawn_son), "R2") is None
    assert found(situation(Member("山田 花子", 82, short_mother.assessment)), "R2") is None

    hit = proposed(situation(withdrawn_son, [short_mother]), "R2")
    assert hit.rule == "R2" and hit.action == sg.REFER
    assert hit.targets == (sg.SELF_RELIANCE,)
    assert "世帯" in hit.reason
    assert "自立相談支援機関" in hit.reason and "本人の意向" in hit.reason


def test_r2_not_without_economic_need() -> None:
    # compound problems (withdrawal, mental health, care) but no money trouble
    s = situation(son(going_out=GoingOut.ROOM_ONLY), [mother(physical_health=Level.SERIOUS)])
    assert s.household.has("compound_problems") and not s.household.has("economic_need")
    assert found(s, "R2") is None


def test_r2_not_without_compound_problems() -> None:
    # need in one area only: no income, nothing else
    s = situation(Member("甲", 40, sheet(finance=Finance.NO_INCOME)))
    assert s.household.has("economic_need") and not s.household.has("compound_problems")
    assert found(s, "R2") is None


def test_r2_only_at_a_hikikomori_agency() -> None:
    household = (son(going_out=GoingOut.ROOM_ONLY), [mother(finance=Finance.SHORT)])
    for kind in (CENTER, STATION, AgencyKind.HIKIKOMORI_PROGRAMME):
        assert found(situation(*household, at=kind), "R2") is not None, kind
    for kind in (SELF_RELIANCE, AgencyKind.WELFARE_OFFICE, AgencyKind.HELLO_WORK):
        assert found(situation(*household, at=kind), "R2") is None, kind


# --- R3a / R3b: a self-reliance agency and a person in a hikikomori state ------------------------


def test_r3a_no_plan_introduces_the_hikikomori_agency() -> None:
    s = situation(son(going_out=GoingOut.HOME_ONLY), at=SELF_RELIANCE, has_plan=False)
    hit = proposed(s, "R3a")
    assert hit.action == sg.INTRODUCE and hit.targets == (sg.HIKIKOMORI,)
    assert "紹介" in hit.reason and "個人情報" in hit.reason
    assert found(s, "R3b") is None


def test_r3a_withdrawal_known_from_the_intake_checklist_alone() -> None:
    s = situation(Member("甲", 35), at=SELF_RELIANCE, problems=[Problem.HIKIKOMORI])
    assert proposed(s, "R3a").rule == "R3a"


def test_r3b_with_a_plan_invites_into_the_plan_and_meeting() -> None:
    s = situation(son(going_out=GoingOut.HOME_ONLY), at=SELF_RELIANCE, has_plan=True)
    hit = proposed(s, "R3b")
    assert hit.action == sg.INVITE and hit.targets == (sg.HIKIKOMORI,)
    assert "プラン" in hit.reason and "支援調整会議" in hit.reason
    assert found(s, "R3a") is None


def test_r3a_r3b_not_for_a_person_who_goes_out_or_at_a_hikikomori_agency() -> None:
    for has_plan in (False, True):
        not_withdrawn = situation(son(), at=SELF_RELIANCE, has_plan=has_plan)
        at_center = situation(son(going_out=GoingOut.ROOM_ONLY), at=CENTER, has_plan=has_plan)
        for s in (not_withdrawn, at_center):
            assert found(s, "R3a") is None and found(s, "R3b") is None


# --- J4: the age band decides the center ---------------------------------------------------------


def test_j4_a_child_at_an_adult_center_and_an_adult_at_a_child_center() -> None:
    child = proposed(situation(Member("甲", 16), band=AgeBand.ADULT), "J4")
    assert "16" in child.reason and str(AgeBand.ADULT.label) in child.reason
    assert child.targets == (sg.HIKIKOMORI,)
    adult = proposed(situation(Member("乙", 30), band=AgeBand.CHILD), "J4")
    assert "30" in adult.reason and str(AgeBand.CHILD.label) in adult.reason


def test_j4_not_inside_the_band_nor_at_a_center_for_both_nor_elsewhere() -> None:
    assert found(situation(Member("甲", 18), band=AgeBand.ADULT), "J4") is None
    assert found(situation(Member("甲", 17), band=AgeBand.CHILD), "J4") is None
    assert found(situation(Member("甲", 16), band=AgeBand.BOTH), "J4") is None
    assert found(situation(Member("甲", None), band=AgeBand.ADULT), "J4") is None
    assert found(situation(Member("甲", 16), at=SELF_RELIANCE), "J4") is None


# --- J5: turning 18 at a child center ----------------------------------------------------------


def _turning_18_in(days: int) -> Situation:
    birthday = TODAY + timedelta(days=days)
    born = birthday.replace(year=birthday.year - 18)
    return situation(Member("高校生", 17), band=AgeBand.CHILD, birth_date=born)


def test_j5_ninety_days_before_the_18th_birthday() -> None:
    hit = proposed(_turning_18_in(90), "J5")
    assert hit.action == sg.HANDOVER and hit.targets == (sg.ADULT_CENTER,)
    assert hit.due == TODAY + timedelta(days=90)
    assert "18歳" in hit.reason and "90" in hit.reason and "同意" in hit.reason


def test_j5_not_ninety_one_days_before() -> None:
    assert found(_turning_18_in(91), "J5") is None


def test_j5_up_to_the_birthday_and_not_after_it() -> None:
    assert proposed(_turning_18_in(1), "J5").due == TODAY + timedelta(days=1)
    assert proposed(_turning_18_in(0), "J5").due == TODAY
    assert found(_turning_18_in(-1), "J5") is None


def test_j5_only_at_a_child_center() -> None:
    born = (TODAY + timedelta(days=30)).replace(year=TODAY.year - 18)
    for band in (AgeBand.ADULT, AgeBand.BOTH):
        s = situation(Member("高校生", 17), band=band, birth_date=born)
        assert found(s, "J5") is None
    s = situation(Member("高校生", 17), at=SELF_RELIANCE, band="", birth_date=born)
    assert found(s, "J5") is None


def test_j5_born_on_29_february_turns_18_on_1_march() -> None:
    s = Situation(
        today=date(2026, 1, 1),
        agency_kind=CENTER,
        agency_age_band=AgeBand.CHILD,
        person=Member("閏", 17),
        birth_date=date(2008, 2, 29),
    )
    hit = proposed(s, "J5")
    assert hit.due == date(2026, 3, 1)


# --- R6: a place to take part or work ------------------------------------------------------------


def test_r6_a_place_for_a_withdrawn_person() -> None:
    hit = proposed(situation(son(going_out=GoingOut.ROOM_ONLY)), "R6")
    assert str(GoingOut.ROOM_ONLY.label) in hit.reason and "居場所" in hit.reason
    assert hit.action == sg.INTRODUCE and hit.targets == (sg.PLACES,)


def test_r6_a_place_for_a_severely_isolated_person_who_goes_out() -> None:
    hit = proposed(situation(son(connections=[Connection.FAMILY])), "R6")
    assert "孤立" in hit.reason


def test_r6_not_when_something_is_urgent_or_nothing_shows() -> None:
    assert found(situation(son(going_out=GoingOut.ROOM_ONLY, no_shelter=True)), "R6") is None
    s = situation(son(going_out=GoingOut.ROOM_ONLY), open_flags=[FlagKind.URGENT_NEED])
    assert found(s, "R6") is None
    assert found(situation(son()), "R6") is None
    assert found(situation(son(connections=None)), "R6") is None  # isolation not asked yet
    assert found(situation(Member("甲", 40)), "R6") is None  # no assessment


# --- R7: the linked systems ----------------------------------------------------------------------


def test_r7_public_assistance_for_no_income_in_any_members_assessment() -> None:
    hit = proposed(situation(son(), [mother(finance=Finance.NO_INCOME)]), "R7:public_assistance")
    assert "生活保護" in hit.reason and hit.for_names == ("山田 花子",)
    assert hit.targets == (AgencyKind.WELFARE_OFFICE,)
    assert found(situation(son(finance=Finance.SHORT)), "R7:public_assistance") is None


def test_r7_hello_work_for_a_working_age_jobseeker_who_goes_out() -> None:
    seeker = Member("甲", 30, sheet(employment=Employment.UNEMPLOYED_SEEKING))
    hit = proposed(situation(seeker), "R7:hello_work")
    assert "甲さん" in hit.reason and hit.targets == (AgencyKind.HELLO_WORK,)
    withdrawn = Member(
        "甲", 30, sheet(employment=Employment.UNEMPLOYED_SEEKING, going_out=GoingOut.HOME_ONLY)
    )
    assert found(situation(withdrawn), "R7:hello_work") is None
    retired = Member("甲", 70, sheet(employment=Employment.UNEMPLOYED_SEEKING))
    assert found(situation(retired), "R7:hello_work") is None


def test_r7_youth_station_for_15_to_49_without_work() -> None:
    hit = proposed(
        situation(Member("甲", 49, sheet(employment=Employment.UNEMPLOYED))), "R7:youth_station"
    )
    assert "49歳" in hit.reason and "地域若者サポートステーション" in hit.reason
    assert found(situation(son(employment=Employment.UNEMPLOYED)), "R7:youth_station") is None
    at_work = Member("甲", 30, sheet(employment=Employment.PART_TIME))
    assert found(situation(at_work), "R7:youth_station") is None


def test_r7_mental_health_for_depression_or_a_concern() -> None:
    hit = proposed(situation(son(depression=True)), "R7:mental_health")
    assert "山田 太郎さん" in hit.reason
    assert hit.targets == (AgencyKind.MENTAL_HEALTH_CENTER, AgencyKind.PUBLIC_HEALTH_CENTER)
    assert found(situation(son(mental_health=Level.CONCERN)), "R7:mental_health") is not None
    assert found(situation(son(mental_health=Level.NONE)), "R7:mental_health") is None


def test_r7_elderly_care_names_the_mother_from_the_sons_assessment() -> None:
    """Walkthrough A: the son's assessment, filled from what the mother says, records her
    care needs; the suggestion is for her."""
    s = situation(son(household_member_needs_care=True), [Member("山田 花子", 82)])
    hit = proposed(s, "R7:elderly_care")
    assert "山田 花子（82）" in hit.reason and "介護" in hit.reason
    assert "山田 太郎さんのアセスメント" in hit.reason
    assert hit.for_names == ("山田 花子",)
    assert hit.targets == (AgencyKind.COMMUNITY_GENERAL_SUPPORT,)


def test_r7_elderly_care_for_an_elderly_members_health_and_not_otherwise() -> None:
    hit = proposed(situation(son(), [mother(physical_health=Level.CONCERN)]), "R7:elderly_care")
    assert "健康" in hit.reason and hit.for_names == ("山田 花子",)
    young = situation(Member("甲", 40, sheet(cares_for_elderly=True)))
    assert "家族に介護が必要" in proposed(young, "R7:elderly_care").reason
    assert found(situation(son(), [mother()]), "R7:elderly_care") is None
    well_son = situation(Member("甲", 70, sheet(physical_health=Level.NONE)))
    assert found(well_son, "R7:elderly_care") is None


def test_r7_disability_without_work() -> None:
    hit = proposed(
        situation(son(disability=Disability.POSSIBLE, employment=Employment.UNEMPLOYED)),
        "R7:disability",
    )
    assert "障害" in hit.reason and hit.targets == (AgencyKind.DISABILITY_EMPLOYMENT_LIFE,)
    working = son(disability=Disability.CERTIFIED, employment=Employment.FULL_TIME)
    assert found(situation(working), "R7:disability") is None
    assert found(situation(son(employment=Employment.UNEMPLOYED)), "R7:disability") is None


def test_r7_debt_in_the_mothers_assessment() -> None:
    hit = proposed(situation(son(), [mother(debt=True)]), "R7:debt")
    assert "債務" in hit.reason and "山田 花子さん" in hit.reason
    assert hit.for_names == ("山田 花子",)
    assert hit.targets == (AgencyKind.DEBT_CONSULTATION, AgencyKind.LEGAL_SUPPORT)
    assert found(situation(son(), [mother()]), "R7:debt") is None


def test_r7_housing_at_risk_lost_or_with_others() -> None:
    for housing in (Housing.AT_RISK, Housing.NONE, Housing.WITH_OTHERS):
        hit = proposed(situation(son(housing=housing)), "R7:housing")
        assert str(Housing(housing).label) in hit.reason
    for housing in (Housing.RENTED, Housing.OWNED, Housing.UNKNOWN):
        assert found(situation(son(housing=housing)), "R7:housing") is None


def test_r7_child_youth_up_to_39_withdrawn_or_isolated() -> None:
    young = Member("甲", 39, sheet(going_out=GoingOut.NEIGHBOURHOOD))
    hit = proposed(situation(young), "R7:child_youth")
    assert "39歳" in hit.reason
    isolated = Member("甲", 25, sheet(connections=[]))
    assert found(situation(isolated), "R7:child_youth") is not None
    older = Member("甲", 40, sheet(going_out=GoingOut.NEIGHBOURHOOD))
    assert found(situation(older), "R7:child_youth") is None
    assert found(situation(Member("甲", 25, sheet())), "R7:child_youth") is None


def test_r7_school_under_18_who_does_not_go_out() -> None:
    pupil = Member("甲", 15, sheet(going_out=GoingOut.HOME_ONLY))
    hit = proposed(situation(pupil, band=AgeBand.CHILD), "R7:school")
    assert "不登校" in hit.reason and hit.targets == (AgencyKind.EDUCATION_BOARD,)
    adult = Member("甲", 18, sheet(going_out=GoingOut.HOME_ONLY))
    assert found(situation(adult), "R7:school") is None
    assert found(situation(Member("甲", 15, sheet()), band=AgeBand.CHILD), "R7:school") is None


def test_r7_probation_for_the_persons_own_record_only() -> None:
    hit = proposed(situation(son(criminal_record_notes="窃盗で執行猶予中")), "R7:probation")
    assert "保護観察所" in hit.reason and hit.for_names == ()
    # another member's record is not a reason to propose it for this person
    s = situation(son(), [mother(criminal_record_notes="過去に前科")])
    assert found(s, "R7:probation") is None
    assert found(situation(son(criminal_record_notes="   ")), "R7:probation") is None


def test_r7_arrears_of_tax_insurance_or_utilities() -> None:
    hit = proposed(situation(son(), [mother(arrears=True)]), "R7:arrears")
    assert "滞納" in hit.reason and hit.targets == (AgencyKind.PENSION_INSURANCE,)
    assert found(situation(son()), "R7:arrears") is None


# --- the table as a whole ------------------------------------------------------------------------


def test_every_row_of_the_table_has_its_test() -> None:
    names = {name for name in globals() if name.startswith("test_")}
    for rule in sg.RULES:
        prefix = "test_" + re.sub(r"[^a-z0-9]+", "_", rule.code.lower()) + "_"
        assert any(n.startswith(prefix) for n in names), f"no test for {rule.code}"


def test_r2_r7_r8_walkthrough_a_household_sees_every_reason_in_japanese() -> None:
    """The 山田 household at the center: R2, R6, the care and debt rows of R7, each with its
    rule ID and a Japanese reason; nothing for a self-reliance agency's rules."""
    s = situation(
        son(going_out=GoingOut.ROOM_ONLY, household_member_needs_care=True),
        [mother(finance=Finance.TIGHT, debt=True)],
    )
    got = sg.evaluate(s)
    codes = [x.code for x in got]
    assert codes == ["R2", "R6", "R7:elderly_care", "R7:debt"]
    assert all(is_japanese(x.reason) and is_japanese(x.action_label) for x in got)
    assert {x.rule for x in got} == {"R2", "R6", "R7"}
