"""The evaluation (評価) screen: per goal achieved, partly or not with notes, the person's view in
their words, the supporters' view, the decision, and outcomes that count every step towards
self-reliance, not only work."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tsunagi.plans.models import Evaluation, PlanState

from .screen_world import client_for, decided, make_plan, make_world

pytestmark = pytest.mark.django_db


def test_evaluate_a_decided_plan_goal_by_goal_with_outcomes_beyond_work() -> None:
    world = make_world()
    plan = decided(world, make_plan(world))
    short, long = plan.goals.all()
    url = f"/plans/{plan.pk}/evaluate/"
    client = client_for(world.staff)
    page = client.get(url).content.decode()
    assert "週に一度、居場所に行く" in page and "就労体験に参加する" in page
    assert 'id="outcomes-note"' in page and "step_social_life" in page
    data = {
        "evaluated_on": timezone.localdate().isoformat(),
        "person_view": "居場所に行けるようになってよかった。",
        "staff_view": "",
        "decision": "replan",
        "step_daily_life": "on",
        "step_social_life": "on",
        f"result_{short.pk}": "achieved",
        f"notes_{short.pk}": "毎週通えた",
    }
    response = client.post(url, data)
    page = response.content.decode()
    # a goal without its result: refused next to that goal, the input kept
    assert response.status_code == 400 and not Evaluation.objects.exists()
    assert "居場所に行けるようになってよかった。" in page and "毎週通えた" in page
    assert (
        f'id="goal-{long.pk}"' in page and "field__error" in page.split(f'id="goal-{long.pk}"')[1]
    )
    response = client.post(url, {**data, f"result_{long.pk}": "not_achieved"})
    assert response.status_code == 302
    evaluation = Evaluation.objects.get()
    plan.refresh_from_db()
    assert plan.state == PlanState.EVALUATED
    assert evaluation.step_social_life and evaluation.step_daily_life and not evaluation.found_work
    page = client.get(f"/plans/{plan.pk}/").content.decode()
    assert "居場所に行けるようになってよかった。" in page and "毎週通えた" in page
    assert f"/plans/{plan.pk}/evaluation/print/" in page


def test_the_persons_view_is_required() -> None:
    world = make_world()
    plan = decided(world, make_plan(world))
    response = client_for(world.staff).post(
        f"/plans/{plan.pk}/evaluate/", {"decision": "end", "person_view": ""}
    )
    assert response.status_code == 400 and not Evaluation.objects.exists()


def test_a_draft_is_not_evaluated_and_others_see_nothing() -> None:
    world = make_world()
    plan = make_plan(world)
    response = client_for(world.staff).get(f"/plans/{plan.pk}/evaluate/")
    assert response.status_code == 302 and response["Location"] == f"/plans/{plan.pk}/"
    assert client_for(world.cast.outsider).get(f"/plans/{plan.pk}/evaluate/").status_code == 404
    assert client_for(world.cast.nobody).get(f"/plans/{plan.pk}/evaluate/").status_code == 403
