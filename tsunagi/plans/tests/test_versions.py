"""A re-plan (見直し) is a new version: a draft copied from the plan, which stays exactly as it was
and is marked replaced. The case's plans list every version, newest first."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from tsunagi.access.models import AuditEvent
from tsunagi.plans import selectors, services
from tsunagi.plans.models import PlanState, SupportPlan
from tsunagi.plans.tests.factories import (
    PlanWorld,
    approved_plan,
    decided_plan,
    make_plan,
    plan_world,
)
from tsunagi.referrals.selectors import has_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> PlanWorld:
    return plan_world()


def _snapshot(plan: SupportPlan) -> dict[str, Any]:
    plan = SupportPlan.objects.get(pk=plan.pk)
    return {
        "fields": {
            f.name: getattr(plan, f.attname)
            for f in plan._meta.concrete_fields
            if f.name not in ("state", "version", "updated_at")
        },
        "goals": list(plan.goals.values_list("pk", "term", "text", "order")),
        "items": list(
            plan.items.values_list("pk", "goal_id", "what", "responsible_agency_id", "service")
        ),
    }


def _content(plan: SupportPlan) -> dict[str, Any]:
    goal_text: dict[int | None, str] = {g.pk: g.text for g in plan.goals.all()}
    return {
        "wishes": (plan.person_wishes, plan.family_wishes, plan.overall_aim, plan.mode),
        "goals": [(g.term, g.text) for g in plan.goals.all()],
        "items": [
            (i.what, i.responsible_agency_id, i.service, i.frequency, goal_text.get(i.goal_id))
            for i in plan.items.all()
        ],
    }


@pytest.mark.parametrize("state", ["approved", "decided", "evaluated"])
def test_a_replan_keeps_the_old_version_unchanged(world: PlanWorld, state: str) -> None:
    plan = approved_plan(world) if state == "approved" else decided_plan(world)
    if state == "evaluated":
        services.evaluate_plan(
            world.sr,
            plan,
            {"person_view": "もう少し続けたい", "decision": "replan"},
            results={g.pk: {"achievement": "partly"} for g in plan.goals.all()},
        )
    before = _snapshot(plan)
    new = services.replan(world.sr, plan)
    old = SupportPlan.objects.get(pk=plan.pk)
    assert old.state == PlanState.SUPERSEDED and not old.is_current
    assert _snapshot(old) == before  # its text, goals, items, approval and decision as they were
    assert new.state == PlanState.DRAFT and new.previous == old and new.number == old.number + 1
    assert new.approved_item is None and new.decided_on is None and new.version == 1
    assert new.starts_on >= old.starts_on and new.starts_on >= timezone.localdate()
    assert _content(new) == _content(old)  # copied, each item still under its goal
    assert not set(new.goals.values_list("pk", flat=True)) & {g[0] for g in before["goals"]}
    (event,) = AuditEvent.objects.filter(action="plan.replanned")
    assert event.record_id == str(new.pk) and event.detail["previous"] == old.pk


def test_the_new_version_is_edited_and_the_old_one_not(world: PlanWorld) -> None:
    old = decided_plan(world)
    new = services.replan(world.sr, old)
    # the new version's period is set anew: it has no end until one is entered
    assert new.ends_on is None and new.review_on is None
    with pytest.raises(ValidationError) as err:
        services.update_plan(world.sr, new, {"overall_aim": "就労体験を始める"})
    assert set(err.value.message_dict) == {"ends_on"}
    end = timezone.localdate() + datetime.timedelta(days=180)
    changed = services.update_plan(
        world.sr, new, {"overall_aim": "就労体験を始める", "ends_on": end}, version=new.version
    )
    assert changed.overall_aim == "就労体験を始める" and changed.version == 2
    with pytest.raises(ValidationError) as err:
        services.update_plan(world.sr, old, {"overall_aim": "書き換え"})
    assert "state" in err.value.message_dict
    old.refresh_from_db()
    assert old.overall_aim == "生活リズムを整え、人と関わる場を広げる"


def test_a_draft_or_a_replaced_plan_is_not_replanned(world: PlanWorld) -> None:
    draft = make_plan(world)
    with pytest.raises(ValidationError) as err:
        services.replan(world.sr, draft)
    assert "state" in err.value.message_dict
    draft.delete()
    old = decided_plan(world)
    services.replan(world.sr, old)
    with pytest.raises(ValidationError):
        services.replan(world.sr, old)
    assert SupportPlan.objects.filter(case=world.case).count() == 2


def test_the_case_lists_every_version_and_one_is_in_force(world: PlanWorld) -> None:
    first = decided_plan(world)
    second = services.replan(world.sr, first)
    assert list(selectors.plans_of_case(world.sr, world.case)) == [second, first]
    assert selectors.current_plan(world.sr, world.case) == second
    # R3a/R3b: the new draft is the plan-based support now; the case still has a plan
    assert has_plan(world.case)


def test_has_plan_means_a_plan_in_force(world: PlanWorld) -> None:
    """rules R3a/R3b: a draft counts (the plan is being made), a replaced or evaluated plan
    does not; nothing else on the case (screening) counts."""
    assert not has_plan(world.case)
    plan = make_plan(world)
    assert has_plan(world.case)
    SupportPlan.objects.filter(pk=plan.pk).update(state=PlanState.SUPERSEDED)
    assert not has_plan(world.case)


def test_another_agency_cannot_replan(world: PlanWorld) -> None:
    plan = decided_plan(world)
    for user in (world.center_staff, world.cast.outsider, world.cast.nobody):
        with pytest.raises(Http404):
            services.replan(user, plan)
    assert SupportPlan.objects.count() == 1
