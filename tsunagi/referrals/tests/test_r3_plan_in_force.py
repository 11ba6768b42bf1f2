"""Rules R3a/R3b at database level: at a self-reliance agency, a person in a hikikomori state with
no support plan in force is introduced (R3a); with a plan in force the hikikomori agency goes
into the plan and is invited to the meeting (R3b). `has_plan` means a SupportPlan in force: a
draft, approved or decided plan; not one evaluated (ended) or replaced, and not the screening."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tsunagi.people.choices import Screening
from tsunagi.people.models import Case
from tsunagi.plans import services as plans
from tsunagi.plans.tests.factories import PlanWorld, decided_plan, make_plan, plan_world
from tsunagi.referrals.selectors import has_plan, suggestions_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> PlanWorld:
    return plan_world()  # her case is at 高知市's self-reliance agency, marked hikikomori


def _rules(world: PlanWorld) -> set[str]:
    case = Case.objects.get(pk=world.case.pk)
    return {s.rule for s in suggestions_for(world.sr, case).active} & {"R3a", "R3b"}


def test_r3a_without_a_plan_the_person_is_introduced(world: PlanWorld) -> None:
    assert not has_plan(world.case)
    assert _rules(world) == {"R3a"}


def test_r3a_screening_for_continuing_support_is_not_a_plan(world: PlanWorld) -> None:
    """The meaning before plans existed: the screening alone no longer counts."""
    Case.objects.filter(pk=world.case.pk).update(screening=Screening.CONTINUING)
    assert not has_plan(Case.objects.get(pk=world.case.pk))
    assert _rules(world) == {"R3a"}


def test_r3b_a_plan_being_made_or_decided_is_plan_based_support(world: PlanWorld) -> None:
    make_plan(world)
    assert has_plan(world.case) and _rules(world) == {"R3b"}


def test_r3b_a_decided_plan_then_r3a_again_once_it_is_evaluated(world: PlanWorld) -> None:
    plan = decided_plan(world)
    assert _rules(world) == {"R3b"}
    plans.evaluate_plan(
        world.sr,
        plan,
        {"evaluated_on": timezone.localdate(), "person_view": "一区切り", "decision": "end"},
        results={g.pk: {"achievement": "achieved"} for g in plan.goals.all()},
    )
    assert not has_plan(world.case) and _rules(world) == {"R3a"}
    # a new version after the evaluation is plan-based support again
    plans.replan(world.sr, plan)
    assert has_plan(world.case) and _rules(world) == {"R3b"}
