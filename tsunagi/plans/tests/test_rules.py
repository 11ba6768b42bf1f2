"""The rules of the support plan, called with plain objects (rules R1, R3b, R4; the national
process from approval at the meeting to evaluation)."""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import translation

from tsunagi.agencies.models import AgencyKind
from tsunagi.plans import rules
from tsunagi.plans.models import PlanMode, PlanState, Service

D = datetime.date
CENTER = SimpleNamespace(
    pk=1, name="高知県ひきこもり地域支援センター", kind=AgencyKind.HIKIKOMORI_CENTER
)
STATION = SimpleNamespace(
    pk=2, name="いの町ひきこもり支援ステーション", kind=AgencyKind.HIKIKOMORI_STATION
)
SELF_RELIANCE = SimpleNamespace(pk=3, name="高知市自立相談支援機関", kind=AgencyKind.SELF_RELIANCE)
HELLO_WORK = SimpleNamespace(pk=4, name="ハローワーク高知", kind=AgencyKind.HELLO_WORK)


def _plan(**values: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "person_wishes": "まずは昼夜逆転を直して、いつか働きたい",
        "mode": PlanMode.GOALS,
        "starts_on": D(2025, 4, 1),
        "ends_on": D(2025, 9, 30),
        "review_on": D(2025, 6, 30),
    }
    return {**base, **values}


def _item(what: str, service: str, agency: SimpleNamespace, pk: int = 0) -> SimpleNamespace:
    return SimpleNamespace(pk=pk, what=what, service=service, responsible_agency=agency)


# --- R1 and the period -------------------------------------------------------------------------


def test_r1_a_plan_with_the_persons_wishes_and_a_period_has_no_problem() -> None:
    assert rules.plan_problems(**_plan()) == {}


@pytest.mark.parametrize("wishes", ["", "   ", "\n\t", None])
def test_r1_a_plan_without_the_persons_wishes_is_refused(wishes: object) -> None:
    with translation.override("ja"):
        problems = rules.plan_problems(**_plan(person_wishes=wishes))
    assert set(problems) == {"person_wishes"}
    assert "本人の意向" in problems["person_wishes"] and "R1" in problems["person_wishes"]


def test_r1_the_familys_wishes_do_not_stand_in_for_the_persons() -> None:
    """plan_problems has no family field at all: only the person's own words count."""
    problems = rules.plan_problems(**_plan(person_wishes=""))
    assert "person_wishes" in problems


def test_r1_a_plan_with_goals_needs_a_start_and_an_end() -> None:
    with translation.override("ja"):
        problems = rules.plan_problems(**_plan(starts_on=None, ends_on=None, review_on=None))
    assert set(problems) == {"starts_on", "ends_on"}
    assert "伴走型" in problems["ends_on"]  # points to the mode without an end


def test_r1_the_period_cannot_end_before_it_starts() -> None:
    problems = rules.plan_problems(
        **_plan(starts_on=D(2025, 4, 1), ends_on=D(2025, 3, 31), review_on=None)
    )
    assert set(problems) == {"ends_on"}
    # one day is a period
    assert rules.plan_problems(**_plan(ends_on=D(2025, 4, 1), review_on=None)) == {}


@pytest.mark.parametrize(
    ("review_on", "wrong"),
    [
        (D(2025, 3, 31), True),  # before the start
        (D(2025, 4, 1), False),  # on the first day
        (D(2025, 9, 30), False),  # on the last day
        (D(2025, 10, 1), True),  # after the end
        (None, False),  # a review date is optional
    ],
)
def test_r1_the_review_date_falls_within_the_period(review_on: D | None, wrong: bool) -> None:
    problems = rules.plan_problems(**_plan(review_on=review_on))
    assert ("review_on" in problems) is wrong
    assert set(problems) <= {"review_on"}


def test_r1_accompaniment_needs_no_end_date() -> None:
    """伴走型: staying connected without an end goal (C); the review date still helps."""
    accompaniment = _plan(mode=PlanMode.ACCOMPANIMENT, ends_on=None, review_on=D(2026, 3, 31))
    assert rules.plan_problems(**accompaniment) == {}
    before = _plan(mode=PlanMode.ACCOMPANIMENT, ends_on=None, review_on=D(2025, 1, 1))
    assert set(rules.plan_problems(**before)) == {"review_on"}


def test_r1_an_unknown_mode_is_refused() -> None:
    assert set(rules.plan_problems(**_plan(mode="forever"))) == {"mode"}


# --- R4: one responsible agency per item, and the default split ------------------------------


def test_r4_an_item_with_one_agency_has_no_problem() -> None:
    assert (
        rules.item_problems(what="居場所への参加", responsible_agency_ids=[1], service="place")
        == {}
    )
    assert rules.item_problems(what="面談", responsible_agency_ids=["1"], service="") == {}


@pytest.mark.parametrize("agencies", [[], [None], [""], [1, 2], [1, 3, None]])
def test_r4_zero_or_two_agencies_are_refused_in_japanese(agencies: list[object]) -> None:
    with translation.override("ja"):
        problems = rules.item_problems(
            what="就労準備支援", responsible_agency_ids=agencies, service="employment_preparation"
        )
    assert set(problems) == {"responsible_agency"}
    message = problems["responsible_agency"]
    assert "R4" in message and "担当機関は1つ" in message


def test_r4_an_item_says_what_the_support_is_and_uses_a_known_service() -> None:
    problems = rules.item_problems(what="  ", responsible_agency_ids=[1], service="magic")
    assert set(problems) == {"what", "service"}


@pytest.mark.parametrize(
    ("service", "expected"),
    [
        # the poverty system's programmes: the self-reliance agency
        (Service.EMPLOYMENT_PREPARATION, SELF_RELIANCE),
        (Service.HOUSEHOLD_BUDGET, SELF_RELIANCE),
        (Service.HOUSING_BENEFIT, SELF_RELIANCE),
        (Service.HOUSING_SUPPORT, SELF_RELIANCE),
        (Service.CHILDREN_LEARNING, SELF_RELIANCE),
        (Service.CERTIFIED_WORK_TRAINING, SELF_RELIANCE),
        (Service.SELF_RELIANCE_CONSULTATION, SELF_RELIANCE),
        # watching over and listening: the hikikomori agency
        (Service.HIKIKOMORI_CONSULTATION, CENTER),
        (Service.PLACE, CENTER),
        (Service.HOME_VISIT, CENTER),
        (Service.FAMILY_PEER_GROUP, CENTER),
        # no default
        (Service.LINKED_SYSTEM, None),
        (Service.OTHER, None),
        ("", None),
    ],
)
def test_r4_default_responsible(service: str, expected: SimpleNamespace | None) -> None:
    agencies = [HELLO_WORK, CENTER, SELF_RELIANCE]
    assert rules.default_responsible(service, agencies) is expected


def test_r4_default_responsible_only_among_the_agencies_taking_part() -> None:
    assert rules.default_responsible(Service.PLACE, [SELF_RELIANCE]) is None
    assert rules.default_responsible(Service.EMPLOYMENT_PREPARATION, [CENTER, STATION]) is None
    # any kind of hikikomori agency (J1): a station takes the home visits
    assert rules.default_responsible(Service.HOME_VISIT, [SELF_RELIANCE, STATION]) is STATION


def test_r4_the_service_groups() -> None:
    assert rules.EMPLOYMENT_SERVICES < rules.POVERTY_SERVICES
    assert not rules.POVERTY_SERVICES & rules.WATCHING_OVER_SERVICES
    assert Service.LINKED_SYSTEM not in rules.POVERTY_SERVICES | rules.WATCHING_OVER_SERVICES


def test_r4_role_split_findings_only_when_both_kinds_take_part() -> None:
    astray = [
        _item("就労準備支援", Service.EMPLOYMENT_PREPARATION, CENTER, 1),
        _item("居場所", Service.PLACE, SELF_RELIANCE, 2),
    ]
    assert rules.role_split_findings(astray, [CENTER]) == []
    assert rules.role_split_findings(astray, [SELF_RELIANCE, HELLO_WORK]) == []
    with translation.override("ja"):
        found = rules.role_split_findings(astray, [SELF_RELIANCE, CENTER])
    assert [f.rule for f in found] == ["R4", "R4"]
    assert [f.code for f in found] == ["r4_split_1", "r4_split_2"]
    assert "就労準備支援" in found[0].reason and "自立相談支援機関" in found[0].reason
    assert "居場所" in found[1].reason and "ひきこもり支援機関" in found[1].reason


def test_r4_the_default_split_and_items_without_a_default_give_no_finding() -> None:
    items = [
        _item("就労準備支援", Service.EMPLOYMENT_PREPARATION, SELF_RELIANCE),
        _item("家計の見直し", Service.HOUSEHOLD_BUDGET, SELF_RELIANCE),
        _item("訪問", Service.HOME_VISIT, STATION),
        _item("家族会", Service.FAMILY_PEER_GROUP, STATION),
        _item("ハローワークへの同行", Service.LINKED_SYSTEM, HELLO_WORK),
        _item("面談", "", CENTER),
    ]
    assert rules.role_split_findings(items, [SELF_RELIANCE, STATION, HELLO_WORK, CENTER]) == []


def test_r4_a_departure_to_another_hikikomori_agency_is_not_a_departure() -> None:
    """The default is 'a hikikomori agency': a station instead of the center is fine."""
    items = [_item("居場所", Service.PLACE, STATION)]
    assert rules.role_split_findings(items, [SELF_RELIANCE, CENTER, STATION]) == []


# --- R3b: the hikikomori agency is invited to the meeting -------------------------------------


def test_r3b_a_hikikomori_agency_with_items_that_is_not_a_member_is_named() -> None:
    with translation.override("ja"):
        found = rules.r3b_finding([SELF_RELIANCE, CENTER, CENTER, STATION], [SELF_RELIANCE])
    assert found is not None and found.rule == "R3b" and found.code == "r3b_invite"
    # each agency named once, in order
    assert CENTER.name in found.reason and STATION.name in found.reason
    assert found.reason.count(CENTER.name) == 1
    assert SELF_RELIANCE.name not in found.reason
    assert "支援調整会議" in found.reason


def test_r3b_no_finding_when_every_hikikomori_agency_is_a_member() -> None:
    assert rules.r3b_finding([SELF_RELIANCE, CENTER], [SELF_RELIANCE, CENTER]) is None
    # only hikikomori agencies must be invited
    assert rules.r3b_finding([SELF_RELIANCE, HELLO_WORK], [SELF_RELIANCE]) is None
    assert rules.r3b_finding([], []) is None


# --- the state table --------------------------------------------------------------------------

ALLOWED = {
    # step → the states it may start from
    "approve": {PlanState.DRAFT},
    "decide": {PlanState.APPROVED},
    "evaluate": {PlanState.APPROVED, PlanState.DECIDED},
    "replan": {PlanState.APPROVED, PlanState.DECIDED, PlanState.EVALUATED},
}
LEADS_TO = {
    "approve": PlanState.APPROVED,
    "decide": PlanState.DECIDED,
    "evaluate": PlanState.EVALUATED,
    "replan": PlanState.SUPERSEDED,
}


@pytest.mark.parametrize("step", sorted(ALLOWED))
@pytest.mark.parametrize("state", list(PlanState))
def test_every_step_from_every_state(state: PlanState, step: str) -> None:
    with translation.override("ja"):
        problem = rules.check_step(state, step)
    if state in ALLOWED[step]:
        assert problem is None
        assert rules.STEPS[step][1] == LEADS_TO[step]
    else:
        assert problem is not None and str(state.label) in problem


def test_the_table_is_the_one_written_here() -> None:
    assert {step: set(states) for step, (states, _to) in rules.STEPS.items()} == ALLOWED
    assert {step: to for step, (_from, to) in rules.STEPS.items()} == LEADS_TO
    # nothing leaves a replaced plan, and only a draft is edited
    assert all(PlanState.SUPERSEDED not in states for states, _to in rules.STEPS.values())
    assert {PlanState.DRAFT} == rules.EDITABLE_STATES


def test_an_unknown_step_is_refused() -> None:
    assert rules.check_step(PlanState.DRAFT, "delete") is not None


# --- the review date -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "review_on", "due"),
    [
        (PlanState.APPROVED, D(2025, 6, 30), True),
        (PlanState.DECIDED, D(2025, 6, 30), True),
        (PlanState.DECIDED, D(2025, 6, 1), True),  # overdue stays due
        (PlanState.DECIDED, D(2025, 7, 1), False),  # not yet
        (PlanState.DECIDED, None, False),
        (PlanState.DRAFT, D(2025, 6, 1), False),  # not in force yet
        (PlanState.EVALUATED, D(2025, 6, 1), False),
        (PlanState.SUPERSEDED, D(2025, 6, 1), False),
    ],
)
def test_review_due(state: PlanState, review_on: D | None, due: bool) -> None:
    plan = SimpleNamespace(state=state, review_on=review_on)
    assert rules.review_due(plan, D(2025, 6, 30)) is due
