"""Plan reviews due (見直し・モニタリング) on the home page and in the full list: a plan in force
appears on its review date and after it, not before; other agencies never see it."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tsunagi.accounts.models import Role
from tsunagi.plans.models import SupportPlan

from .screen_world import WISHES, client_for, decided, make_plan, make_world

pytestmark = pytest.mark.django_db


def _review_on(plan: SupportPlan, day: datetime.date) -> None:
    SupportPlan.objects.filter(pk=plan.pk).update(review_on=day)


def test_review_due_appears_on_the_dashboard_when_the_review_date_has_come() -> None:
    world = make_world()
    plan = decided(world, make_plan(world))
    today = timezone.localdate()
    client = client_for(world.staff)
    row = f'id="review-{plan.pk}"'
    _review_on(plan, today + datetime.timedelta(days=1))
    assert row not in client.get("/").content.decode()
    assert row not in client.get("/plans/reviews/").content.decode()
    _review_on(plan, today)
    home = client.get("/").content.decode()
    assert 'id="plan-reviews"' in home and row in home and "山田 太郎" in home
    assert "/plans/reviews/" in home
    _review_on(plan, today - datetime.timedelta(days=3))
    page = client.get("/plans/reviews/").content.decode()
    assert row in page and f"/plans/{plan.pk}/" in page
    case = client.get(f"/people/cases/{world.case.pk}/").content.decode()
    assert "plan-panel" in case and "badge--ng" in case.split('id="plan-panel"')[1]


def test_a_draft_is_not_due_and_other_agencies_see_no_review() -> None:
    world = make_world()
    plan = make_plan(world)
    _review_on(plan, timezone.localdate())
    assert f'id="review-{plan.pk}"' not in client_for(world.staff).get("/").content.decode()
    decided(world, SupportPlan.objects.get(pk=plan.pk))
    for user in (world.cast.outsider, world.sr_staff):
        page = client_for(user).get("/plans/reviews/").content.decode()
        assert f'id="review-{plan.pk}"' not in page and WISHES not in page
    assert client_for(world.cast.nobody).get("/plans/reviews/").status_code == 403


def test_the_menu_leads_caseworkers_to_the_reviews() -> None:
    world = make_world()
    assert 'href="/plans/reviews/"' in client_for(world.staff).get("/").content.decode()
    municipal = client_for(world.cast.users[Role.MUNICIPAL_OFFICER]).get("/").content.decode()
    assert 'href="/plans/reviews/"' not in municipal
