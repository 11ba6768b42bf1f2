"""評価 at the end of the period: a result per goal, the person's view in their words, the decision
(end, a new plan, follow-up), and outcomes that count every step, not only work (handbook)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from tsunagi.access.models import AuditEvent
from tsunagi.plans import selectors, services
from tsunagi.plans.models import Evaluation, GoalResult, PlanState, SupportPlan
from tsunagi.plans.tests.factories import (
    PlanWorld,
    approved_plan,
    decided_plan,
    make_plan,
    plan_data,
    plan_world,
)
from tsunagi.referrals.selectors import has_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> PlanWorld:
    return plan_world()


def _results(plan: SupportPlan, *achievements: str) -> dict[int, dict[str, Any]]:
    return {
        g.pk: {"achievement": a, "notes": f"メモ{i}"}
        for i, (g, a) in enumerate(zip(plan.goals.all(), achievements, strict=True))
    }


def _data(**values: Any) -> dict[str, Any]:
    return {
        "evaluated_on": timezone.localdate(),
        "person_view": "居場所には慣れた。仕事はまだ考えられない。",
        "staff_view": "生活リズムが整ってきた",
        "decision": "replan",
        **values,
    }


def test_a_decided_plan_is_evaluated_goal_by_goal(world: PlanWorld) -> None:
    plan = decided_plan(world)
    evaluation = services.evaluate_plan(
        world.sr,
        plan,
        _data(step_daily_life=True, step_social_life="on", found_work=False),
        results=_results(plan, "achieved", "not_achieved"),
    )
    assert evaluation.plan == plan and evaluation.agency == world.cast.self_reliance
    assert evaluation.case == world.case and evaluation.created_by == world.sr
    assert evaluation.decision == "replan"
    assert [(r.goal.text, r.achievement, r.notes) for r in evaluation.results.all()] == [
        ("週に1回、居場所に通う", "achieved", "メモ0"),
        ("就労体験に参加する", "not_achieved", "メモ1"),
    ]
    plan.refresh_from_db()
    assert plan.state == PlanState.EVALUATED
    (event,) = AuditEvent.objects.filter(action="plan.evaluated", record_id=plan.pk)
    assert event.detail["decision"] == "replan" and event.personal


def test_outcomes_count_steps_in_daily_and_social_life_not_only_work(world: PlanWorld) -> None:
    """The handbook: self-determination is the aim; work is one step among others."""
    plan = decided_plan(world)
    evaluation = services.evaluate_plan(
        world.sr,
        plan,
        _data(decision="follow_up", step_daily_life=True, step_social_life=True),
        results=_results(plan, "achieved", "partly"),
    )
    outcomes = {k: getattr(evaluation, k) for k in services.OUTCOMES}
    assert outcomes == {
        "found_work": False,
        "income_rose": False,
        "step_daily_life": True,
        "step_social_life": True,
        "step_work": False,
    }


def test_a_plan_approved_but_not_yet_decided_can_be_evaluated(world: PlanWorld) -> None:
    plan = approved_plan(world)
    services.evaluate_plan(
        world.sr, plan, _data(decision="end"), results=_results(plan, "achieved", "achieved")
    )
    plan.refresh_from_db()
    assert plan.state == PlanState.EVALUATED


def test_results_may_be_keyed_by_the_goal_id_as_text(world: PlanWorld) -> None:
    """As a form or JSON body sends them."""
    plan = decided_plan(world)
    results = {str(k): v for k, v in _results(plan, "partly", "partly").items()}
    evaluation = services.evaluate_plan(world.sr, plan, _data(), results=results)  # type: ignore[arg-type]
    assert evaluation.results.count() == 2


def test_every_goal_needs_a_result_and_the_persons_view_is_required(world: PlanWorld) -> None:
    plan = decided_plan(world)
    first, second = plan.goals.all()
    with pytest.raises(ValidationError) as err:
        services.evaluate_plan(
            world.sr,
            plan,
            _data(person_view="  ", decision="maybe"),
            results={first.pk: {"achievement": "achieved"}, second.pk: {"achievement": "great"}},
        )
    assert set(err.value.message_dict) == {
        "person_view",
        "decision",
        f"results.{second.pk}",
    }
    assert not Evaluation.objects.exists() and not GoalResult.objects.exists()
    plan.refresh_from_db()
    assert plan.state == PlanState.DECIDED


def test_an_evaluation_is_not_dated_in_the_future(world: PlanWorld) -> None:
    plan = decided_plan(world)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as err:
        services.evaluate_plan(
            world.sr,
            plan,
            _data(evaluated_on=tomorrow),
            results=_results(plan, "achieved", "achieved"),
        )
    assert set(err.value.message_dict) == {"evaluated_on"}


def test_a_draft_is_not_evaluated_and_a_plan_only_once(world: PlanWorld) -> None:
    draft = make_plan(world)
    with pytest.raises(ValidationError) as err:
        services.evaluate_plan(world.sr, draft, _data(), results=_results(draft, "achieved", "x"))
    assert "state" in err.value.message_dict
    draft.delete()
    plan = decided_plan(world)
    services.evaluate_plan(world.sr, plan, _data(), results=_results(plan, "partly", "partly"))
    with pytest.raises(ValidationError) as err:
        services.evaluate_plan(world.sr, plan, _data(), results=_results(plan, "partly", "partly"))
    assert "state" in err.value.message_dict
    assert Evaluation.objects.count() == 1


def test_accompaniment_is_evaluated_without_goals(world: PlanWorld) -> None:
    """伴走型: no goal to tick, the person's view and the decision are enough."""
    plan = services.create_plan(
        world.sr,
        world.case,
        plan_data(mode="accompaniment", ends_on=None, review_on=None),
        items=[{"what": "月1回の電話", "responsible_agency": world.cast.center}],
    )
    from tsunagi.plans.tests.factories import coordination_meeting, on_agenda

    plan = services.approve_plan(world.sr, plan, on_agenda(world, coordination_meeting(world)))
    evaluation = services.evaluate_plan(world.sr, plan, _data(decision="follow_up"))
    assert not evaluation.results.exists()


def test_r3a_an_evaluated_plan_is_no_longer_in_force(world: PlanWorld) -> None:
    """After the evaluation the case has no plan in force: a new plan may be written, and
    `has_plan` (rules R3a/R3b) answers no."""
    plan = decided_plan(world)
    assert has_plan(world.case)
    services.evaluate_plan(
        world.sr, plan, _data(decision="end"), results=_results(plan, "achieved", "achieved")
    )
    assert not has_plan(world.case)
    assert selectors.current_plan(world.sr, world.case) is None
    second = make_plan(world)
    assert second.number == 2 and second.previous is None


def test_another_agency_cannot_evaluate(world: PlanWorld) -> None:
    plan = decided_plan(world)
    for user in (world.center_staff, world.cast.outsider, world.cast.nobody):
        with pytest.raises(Http404):
            services.evaluate_plan(user, plan, _data(), results=_results(plan, "partly", "partly"))
    assert not Evaluation.objects.exists()
