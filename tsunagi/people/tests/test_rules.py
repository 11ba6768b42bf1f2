"""Rules R2, R8 and C as the case page shows them: pure rules on plain objects first, then the
services that raise and resolve flags and keep a case open for as long as it takes.

Each test is named after its rule (rules.md): `test_r2_...`, `test_r8_...`, `test_c_...`.
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from tests.cast import Cast, make_cast
from tests.people import make_person, years_ago
from tsunagi.accounts.models import Role
from tsunagi.people import rules, selectors, services
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
    Urgency,
)
from tsunagi.people.models import Flag

EVERY_CONNECTION = list(Connection.values)


def assessment(**answers: Any) -> SimpleNamespace:
    """An assessment sheet with nothing of concern ticked, then the given answers."""
    sheet: dict[str, Any] = {
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
        "connections": EVERY_CONNECTION,
        "dv_abuse": False,
        "no_food": False,
        "no_shelter": False,
        "suicidal_thoughts": False,
        "suicide_attempt": False,
    }
    sheet.update(answers)
    return SimpleNamespace(**sheet)


def member(name: str, age: int | None, relationship: str = Relationship.SELF, **kw: Any) -> Any:
    return rules.MemberView(name=name, age=age, relationship=relationship, **kw)


def codes(indicators: rules.Indicators) -> set[str]:
    return {f.code for f in indicators.findings}


@pytest.fixture(autouse=True)
def japanese() -> Any:
    with translation.override("ja"):
        yield


# --- R2: economic need and compound problems, counted for the household ---------------------


def test_r2_son_alone_with_hikikomori_is_not_compound() -> None:
    son = member("山田 太郎", 52, problems=[Problem.HIKIKOMORI])
    result = rules.household_indicators([son])
    assert result.household_areas == {"hikikomori"}
    assert codes(result) == set()


def test_r2_mothers_debt_and_finance_make_the_household_compound_and_in_need() -> None:
    son = member("山田 太郎", 52, problems=[Problem.HIKIKOMORI])
    mother = member(
        "山田 花子",
        82,
        Relationship.PARENT,
        assessment=assessment(finance=Finance.TIGHT, debt=True, employment=Employment.RETIRED),
    )
    result = rules.household_indicators([son, mother])

    assert result.areas == {"山田 太郎": {"hikikomori"}, "山田 花子": {"finance", "debt"}}
    need = result.get("economic_need")
    compound = result.get("compound_problems")
    referral = result.get("r2_referral")
    assert need is not None and compound is not None and referral is not None
    assert {need.rule, compound.rule, referral.rule} == {"R2"}
    assert "世帯" in need.reason
    assert compound.reason.startswith("世帯の課題が3分野にわたっています")
    assert "ひきこもり" in compound.reason and "債務" in compound.reason
    assert referral.reason == (
        "世帯に経済的困窮と複合的な課題があります。"
        "本人の意向を尊重し、自立相談支援機関へのつなぎを提案します。"
    )


def test_r2_the_intake_checklist_alone_can_show_economic_need() -> None:
    son = member("山田 太郎", 52, problems=[Problem.HIKIKOMORI, Problem.RENT_ARREARS])
    result = rules.household_indicators([son])
    assert {"economic_need", "compound_problems", "r2_referral"} <= codes(result)


def test_r2_compound_problems_without_economic_need_propose_no_referral() -> None:
    son = member(
        "山田 太郎",
        30,
        assessment=assessment(
            going_out=GoingOut.ROOM_ONLY, family_conflict=True, finance=Finance.STABLE
        ),
    )
    result = rules.household_indicators([son])
    assert "compound_problems" in codes(result)
    assert not {"economic_need", "r2_referral"} & codes(result)


def test_r2_economic_need_alone_is_not_compound() -> None:
    result = rules.household_indicators(
        [member("佐藤 一郎", 45, assessment=assessment(finance=Finance.NO_INCOME))]
    )
    assert "economic_need" in codes(result)
    assert not {"compound_problems", "r2_referral"} & codes(result)


@pytest.mark.parametrize(
    ("answers", "in_need"),
    [
        ({"finance": Finance.NO_INCOME}, True),
        ({"finance": Finance.SHORT}, True),
        ({"finance": Finance.TIGHT}, False),
        ({"finance": Finance.TIGHT, "debt": True}, True),
        ({"finance": Finance.STABLE, "arrears": True}, True),
        ({"housing": Housing.AT_RISK}, True),
        ({"housing": Housing.NONE}, True),
        ({"housing": Housing.RENTED}, False),
        ({"no_food": True}, True),
        ({"debt": True}, False),  # debt with a household that makes ends meet
        ({}, False),
    ],
)
def test_r2_economic_need_from_the_assessment(answers: dict[str, Any], in_need: bool) -> None:
    assert bool(rules.economic_need_reasons(assessment(**answers))) is in_need


def test_r2_problem_areas_of_a_full_assessment() -> None:
    sheet = assessment(
        employment=Employment.UNEMPLOYED_SEEKING,
        physical_health=Level.CONCERN,
        mental_health=Level.SERIOUS,
        disability=Disability.POSSIBLE,
        finance=Finance.SHORT,
        debt=True,
        housing=Housing.WITH_OTHERS,
        family_conflict=True,
        cares_for_elderly=True,
        children_concern=True,
        going_out=GoingOut.NEIGHBOURHOOD,
        connections=[],
        dv_abuse=True,
        no_shelter=True,
    )
    assert rules.problem_areas(sheet) == set(rules.AREA_LABELS) - {"other"}
    assert rules.problem_areas(assessment()) == set()


# --- R2: 8050 and double care ----------------------------------------------------------------


def test_r2_8050_household_of_walkthrough_a() -> None:
    son = member("山田 太郎", 52, assessment=assessment(going_out=GoingOut.HOME_ONLY))
    mother = member("山田 花子", 82, Relationship.PARENT)
    finding = rules.household_indicators([son, mother]).get("8050")
    assert finding is not None and finding.rule == "R2"
    assert finding.reason == (
        "山田 花子さん（82歳）が、"
        "ひきこもりや無職の状態にある山田 太郎さん（52歳）と同居しています。"
    )


def test_r2_8050_from_the_jobless_child_and_from_7040_on() -> None:
    son = member("田中 健", 41, assessment=assessment(employment=Employment.UNEMPLOYED))
    father = member("田中 実", 70, Relationship.PARENT)
    assert rules.household_indicators([son, father]).has("8050")


@pytest.mark.parametrize(
    ("child_age", "parent_age", "child_answers"),
    [
        (35, 82, {"going_out": GoingOut.HOME_ONLY}),  # child too young
        (52, 65, {"going_out": GoingOut.HOME_ONLY}),  # parent too young
        (52, 82, {"employment": Employment.FULL_TIME}),  # the son works and goes out
        (75, 82, {"going_out": GoingOut.HOME_ONLY}),  # a spouse, not a parent
    ],
)
def test_r2_no_8050_otherwise(child_age: int, parent_age: int, child_answers: dict) -> None:
    child = member("子", child_age, assessment=assessment(**child_answers))
    parent = member("親", parent_age, Relationship.PARENT)
    assert not rules.household_indicators([child, parent]).has("8050")


def test_r2_8050_when_only_the_withdrawn_child_is_known() -> None:
    son = member(
        "山田 太郎",
        52,
        assessment=assessment(going_out=GoingOut.ROOM_ONLY, household_member_needs_care=True),
    )
    finding = rules.household_indicators([son]).get("8050")
    assert finding is not None and "山田 太郎さん（52歳）" in finding.reason


def test_r2_8050_needs_known_ages() -> None:
    son = member("山田 太郎", None, assessment=assessment(going_out=GoingOut.ROOM_ONLY))
    mother = member("山田 花子", None, Relationship.PARENT)
    assert not rules.household_indicators([son, mother]).has("8050")


def test_r2_double_care() -> None:
    daughter = member(
        "鈴木 恵", 42, assessment=assessment(cares_for_elderly=True, cares_for_children=True)
    )
    finding = rules.household_indicators([daughter]).get("double_care")
    assert finding is not None and finding.rule == "R2" and "鈴木 恵" in finding.reason
    only_children = member("鈴木 恵", 42, assessment=assessment(cares_for_children=True))
    assert not rules.household_indicators([only_children]).has("double_care")


# --- isolation (seed 003: the six kinds of social isolation) ---------------------------------


@pytest.mark.parametrize(
    ("kept", "level", "label"),
    [
        (EVERY_CONNECTION, 0, "つながりあり"),
        (EVERY_CONNECTION[:5], 1, "つながりあり"),
        (EVERY_CONNECTION[:4], 2, "一部で孤立"),
        (EVERY_CONNECTION[:3], 3, "一部で孤立"),
        (EVERY_CONNECTION[:2], 4, "深刻な孤立"),
        ([], 6, "深刻な孤立"),
    ],
)
def test_isolation_level_counts_the_lost_connections(kept: list, level: int, label: str) -> None:
    sheet = assessment(connections=kept)
    assert rules.isolation_level(sheet) == level
    assert rules.isolation_label(level) == label


def test_isolation_ignores_unknown_and_repeated_ticks() -> None:
    assert rules.isolation_level(assessment(connections=["family", "family", "pets"])) == 5
    assert rules.isolation_level(assessment(connections=[])) == 6


def test_isolation_not_asked_is_not_isolation() -> None:
    """An assessment made before isolation could be asked about counts no isolation at all."""
    not_asked = assessment(connections=None, depression=True, employment="unemployed")
    assert rules.isolation_level(not_asked) is None
    assert rules.isolation_label(None) == "未確認"
    assert "isolation" not in rules.problem_areas(not_asked)
    assert "深刻な孤立" not in " ".join(rules.suicide_risk_factors(not_asked))


def test_isolation_counts_as_a_problem_area_from_four_lost_connections() -> None:
    assert "isolation" not in rules.problem_areas(assessment(connections=EVERY_CONNECTION[:3]))
    assert "isolation" in rules.problem_areas(assessment(connections=EVERY_CONNECTION[:2]))


# --- R8: urgent need and suicide risk -----------------------------------------------------------


def test_r8_no_food_raises_the_urgent_flag() -> None:
    flags = rules.urgent_flags([Urgency.NO_FOOD])
    assert [(f.code, f.rule) for f in flags] == [(FlagKind.URGENT_NEED, "R8")]
    assert "食べるものがない" in flags[0].reason
    assert "一時生活支援" in flags[0].reason and "生活保護" in flags[0].reason


def test_r8_no_shelter_from_the_assessment_raises_the_urgent_flag() -> None:
    flags = rules.urgent_flags([], assessment(no_shelter=True))
    assert [f.code for f in flags] == [FlagKind.URGENT_NEED]


def test_r8_does_not_want_to_live_raises_the_suicide_flag() -> None:
    flags = rules.urgent_flags([Urgency.SUICIDAL])
    assert [f.code for f in flags] == [FlagKind.SUICIDE_RISK]
    assert flags[0].rule == "R8" and "自殺" in flags[0].reason


def test_r8_walkthrough_i_not_eaten_and_does_not_want_to_live_raises_both() -> None:
    flags = rules.urgent_flags([Urgency.NO_FOOD, Urgency.SUICIDAL])
    assert {f.code for f in flags} == {FlagKind.URGENT_NEED, FlagKind.SUICIDE_RISK}


def test_r8_a_past_attempt_raises_the_suicide_flag() -> None:
    flags = rules.urgent_flags([], assessment(suicide_attempt=True))
    assert [f.code for f in flags] == [FlagKind.SUICIDE_RISK]
    assert "自殺未遂" in flags[0].reason


def test_r8_depression_unemployment_and_debt_follow_the_crisis_pathway() -> None:
    """Seed 003, 無職者① 失業→生活苦→多重債務→うつ病→自殺."""
    sheet = assessment(depression=True, employment=Employment.UNEMPLOYED, debt=True)
    flags = rules.urgent_flags([], sheet)
    assert [f.code for f in flags] == [FlagKind.SUICIDE_RISK]
    assert "うつ" in flags[0].reason and "仕事がない" in flags[0].reason
    assert "債務" in flags[0].reason


def test_r8_student_pathway_conflict_hikikomori_depression() -> None:
    """Seed 003, 学生② 親子間の不和→ひきこもり→うつ病→将来生活への不安→自殺."""
    sheet = assessment(
        mental_health=Level.SERIOUS, family_conflict=True, going_out=GoingOut.ROOM_ONLY
    )
    assert [f.code for f in rules.urgent_flags([], sheet)] == [FlagKind.SUICIDE_RISK]


@pytest.mark.parametrize(
    "answers",
    [
        {"depression": True},  # depression alone
        {"depression": True, "employment": Employment.UNEMPLOYED},  # one factor beside it
        {"employment": Employment.UNEMPLOYED, "debt": True, "finance": Finance.SHORT},
        {"mental_health": Level.CONCERN, "employment": Employment.UNEMPLOYED, "debt": True},
    ],
)
def test_r8_no_suicide_flag_without_the_combination(answers: dict[str, Any]) -> None:
    assert rules.urgent_flags([], assessment(**answers)) == []


def test_r8_nothing_urgent_raises_nothing() -> None:
    assert rules.urgent_flags([]) == []
    assert rules.urgent_flags([], assessment()) == []


# --- R8 on the database: flags stay until resolved, never twice --------------------------------


@pytest.fixture
def cast(db: None) -> Cast:
    return make_cast()


def _call(actor: Any, person: Any, *urgent: str, **extra: Any) -> Any:
    data = {
        "channel": "phone",
        "initiator": "person",
        "summary": "電話相談",
        "urgent": list(urgent),
    }
    return services.record_contact(actor, {**data, **extra}, person=person)


def test_r8_urgent_call_flags_the_case_until_resolved_with_a_note(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    person = make_person(staff, cast.center, "山本", "健一")
    contact = _call(staff, person, Urgency.NO_FOOD, Urgency.SUICIDAL)
    case = contact.case
    flags = {f.kind: f for f in selectors.open_flags(case)}
    assert set(flags) == {FlagKind.URGENT_NEED, FlagKind.SUICIDE_RISK}
    assert {f.rule for f in flags.values()} == {"R8"}
    assert flags[FlagKind.URGENT_NEED].source == f"contact:{contact.pk}"
    # the case list shows the case among the flagged ones
    assert list(selectors.case_list(staff, flagged=True)) == [case]
    listed: Any = selectors.case_list(staff).get()
    assert listed.open_flag_count == 2

    # a later quiet contact does not clear anything
    _call(staff, person)
    assert selectors.open_flags(case).count() == 2

    flag = flags[FlagKind.URGENT_NEED]
    for note in ("", "   "):
        with pytest.raises(ValidationError) as caught:
            services.resolve_flag(staff, flag, note)
        assert "resolution" in caught.value.message_dict
    assert selectors.open_flags(case).count() == 2

    resolved = services.resolve_flag(staff, flag, " 食料支援につなぎ、生活保護の申請に同行した ")
    assert resolved.resolution == "食料支援につなぎ、生活保護の申請に同行した"
    assert resolved.resolved_by == staff and resolved.resolved_at is not None
    assert [f.kind for f in selectors.open_flags(case)] == [FlagKind.SUICIDE_RISK]
    with pytest.raises(ValidationError):
        services.resolve_flag(staff, flag, "もう一度")


def test_r8_a_new_urgent_contact_does_not_duplicate_an_open_flag(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    person = make_person(staff, cast.center, "山本", "健一")
    case = _call(staff, person, Urgency.NO_FOOD).case
    _call(staff, person, Urgency.NO_FOOD)
    _call(staff, person, Urgency.NO_SHELTER)  # the same kind of flag: urgent need
    services.record_assessment(staff, case, {"no_food": True, "no_shelter": True})
    assert Flag.objects.filter(case=case, kind=FlagKind.URGENT_NEED).count() == 1


def test_r8_after_resolution_a_new_urgent_contact_raises_a_new_flag(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    person = make_person(staff, cast.center, "山本", "健一")
    case = _call(staff, person, Urgency.NO_FOOD).case
    services.resolve_flag(staff, selectors.open_flags(case).get(), "フードバンクにつないだ")
    contact = _call(staff, person, Urgency.NO_FOOD)
    again = selectors.open_flags(case).get()
    assert again.kind == FlagKind.URGENT_NEED and again.source == f"contact:{contact.pk}"
    assert Flag.objects.filter(case=case).count() == 2


def test_r8_editing_an_old_contact_does_not_raise_a_resolved_flag_again(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    person = make_person(staff, cast.center, "山本", "健一")
    contact = _call(staff, person, Urgency.NO_FOOD)
    services.resolve_flag(staff, selectors.open_flags(contact.case).get(), "食料を届けた")
    services.update_contact(staff, contact, {"summary": "電話相談（誤字訂正）"})
    assert not selectors.open_flags(contact.case).exists()
    # adding an urgent matter to a contact afterwards raises its flag
    services.update_contact(staff, contact, {"urgent": [Urgency.NO_FOOD, Urgency.SUICIDAL]})
    assert [f.kind for f in selectors.open_flags(contact.case)] == [FlagKind.SUICIDE_RISK]


def test_r8_assessment_with_the_crisis_combination_flags_the_case(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    person = make_person(staff, cast.center, "山本", "健一")
    case = _call(staff, person).case
    assessment_ = services.record_assessment(
        staff,
        case,
        {
            "depression": True,
            "employment": Employment.UNEMPLOYED,
            "debt": True,
            "connections": EVERY_CONNECTION,
        },
    )
    flag = selectors.open_flags(case).get()
    assert flag.kind == FlagKind.SUICIDE_RISK and flag.source == f"assessment:{assessment_.pk}"


def test_r8_depression_alone_in_an_assessment_raises_no_flag(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    person = make_person(staff, cast.center, "山本", "健一")
    case = _call(staff, person).case
    services.record_assessment(staff, case, {"depression": True, "connections": EVERY_CONNECTION})
    assert not selectors.open_flags(case).exists()


def test_r8_only_the_agency_resolves_its_flags(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    person = make_person(staff, cast.center, "山本", "健一")
    flag = selectors.open_flags(_call(staff, person, Urgency.NO_FOOD).case).get()
    from django.http import Http404

    for outsider in (cast.outsider, cast.users[Role.OPERATOR], cast.users[Role.AUDITOR]):
        with pytest.raises(Http404):
            services.resolve_flag(outsider, flag, "見た")
    assert Flag.objects.get(pk=flag.pk).is_open


# --- C: a case never has to close ------------------------------------------------------------


def test_c_a_case_stays_open_for_years_of_contacts_without_a_goal(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    person = make_person(staff, cast.center, "山田", "太郎", birth_date=years_ago(52))
    five_years_ago = timezone.now() - datetime.timedelta(days=5 * 365)
    case = services.open_case(
        staff, person, {"problems": [Problem.HIKIKOMORI]}, opened_on=five_years_ago.date()
    )
    case = services.update_case(staff, case, {"accompaniment": True, "screening": "continuing"})
    for quarter in range(20):
        when = five_years_ago + datetime.timedelta(days=91 * quarter)
        services.record_contact(
            staff,
            {
                "channel": "home_visit",
                "initiator": "staff",
                "summary": "定期訪問",
                "occurred_at": when,
            },
            case=case,
        )
    case.refresh_from_db()
    assert case.is_open and case.accompaniment and case.closed_on is None
    assert selectors.timeline(staff, case).count() == 20
    assert case in selectors.case_list(staff)
    assert not selectors.open_flags(case).exists()  # no reminder pushes it to close


def test_c_accompaniment_is_a_setting_of_the_case_and_can_be_left_again(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    case = services.open_case(staff, make_person(staff, cast.center, "山田", "太郎"))
    case = services.update_case(staff, case, {"accompaniment": True}, version=case.version)
    assert case.accompaniment and case.version == 2
    case = services.update_case(staff, case, {"accompaniment": False}, version=case.version)
    assert not case.accompaniment and case.is_open


def test_c_a_closed_case_can_be_reopened(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    person = make_person(staff, cast.center, "山田", "太郎")
    case = _call(staff, person).case
    today = timezone.localdate()
    case = services.update_case(
        staff,
        case,
        {"screening": "information_only", "closed_on": today, "close_reason": "情報提供で終了"},
    )
    assert not case.is_open and case.screened_on == today
    assert case not in selectors.case_list(staff)
    assert case in selectors.case_list(staff, open_only=False)

    case = services.update_case(
        staff, case, {"closed_on": None, "close_reason": "", "screening": "continuing"}
    )
    assert case.is_open
    contact = _call(staff, person)
    assert contact.case == case  # the reopened case takes the next contact


def test_c_a_contact_after_closing_opens_a_new_case_rather_than_reviving_the_old(
    cast: Cast,
) -> None:
    staff = cast.users[Role.STAFF]
    person = make_person(staff, cast.center, "山田", "太郎")
    first = _call(staff, person).case
    services.update_case(staff, first, {"closed_on": timezone.localdate()})
    second = _call(staff, person).case
    assert second != first and second.is_open
    assert set(selectors.visible_cases(staff, person)) == {first, second}
