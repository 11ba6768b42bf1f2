"""The plan screens: writing a plan (R1 the person's wishes, R4 one agency per item and the
default split proposed), the plan page with its findings and steps, the case's versions and the
case panel; another agency's staff get 404, a receiver with a plan grant a read-only view, the
user without a role nothing."""

from __future__ import annotations

import pytest

from tsunagi.access.models import AuditEvent
from tsunagi.plans import services
from tsunagi.plans.models import PlanMode, PlanState, Service, SupportPlan

from .screen_world import (
    WISHES,
    World,
    client_for,
    coordination_item,
    decided,
    form_data,
    make_plan,
    make_world,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return make_world()


def new_url(world: World) -> str:
    return f"/plans/cases/{world.case.pk}/new/"


def test_the_form_offers_the_agencies_taking_part_and_the_r4_default_split(world: World) -> None:
    page = client_for(world.staff).get(new_url(world)).content.decode()
    assert "本人の意向" in page and "必須" in page and "R1" in page
    assert "高知市自立相談支援機関" in page and "高知県ひきこもり地域支援センター" in page
    assert "R4" in page and "items-3-what" in page  # blank rows enough for a real plan
    assert "hx-post" in page  # the service select asks for the R4 proposal


def test_writing_a_plan_saves_goals_and_items_as_a_draft(world: World) -> None:
    response = client_for(world.staff).post(new_url(world), form_data(world))
    plan = SupportPlan.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/plans/{plan.pk}/"
    assert plan.state == PlanState.DRAFT and plan.person_wishes == WISHES
    assert [g.text for g in plan.goals.all()] == ["週に一度、居場所に行く", "就労体験に参加する"]
    items = list(plan.items.all())
    assert [i.responsible_agency for i in items] == [world.cast.center, world.cast.self_reliance]
    assert items[1].goal is not None and items[1].goal.text == "就労体験に参加する"


def test_r1_a_plan_without_the_persons_wishes_is_refused_and_the_input_kept(
    world: World,
) -> None:
    response = client_for(world.staff).post(new_url(world), form_data(world, person_wishes=""))
    page = response.content.decode()
    assert response.status_code == 400 and not SupportPlan.objects.exists()
    assert "本人の意向を本人の言葉で記入してください（R1）" in page
    assert "就労準備支援事業の利用" in page and "週に一度、居場所に行く" in page


def test_r4_an_item_without_a_responsible_agency_is_refused_in_japanese(world: World) -> None:
    data = form_data(world, **{"items-1-responsible_agency": ""})
    response = client_for(world.staff).post(new_url(world), data)
    page = response.content.decode()
    assert response.status_code == 400 and not SupportPlan.objects.exists()
    assert "担当機関は1つです（R4）" in page
    assert "就労準備支援事業の利用" in page  # what was typed stays
    # the row's proposal: a programme of the poverty system goes to the self-reliance agency
    assert "r4-proposal" in page


def test_r4_the_proposal_fills_the_agency_of_a_row_from_its_service(world: World) -> None:
    data = form_data(world, **{"items-1-responsible_agency": "", "action": "propose"})
    response = client_for(world.staff).post(new_url(world), data, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200 and not SupportPlan.objects.exists()
    assert 'id="plan-form"' in page and "<html" not in page  # the form alone, for htmx
    assert f'<option value="{world.cast.self_reliance.pk}" selected>' in page
    assert "field__error" not in page  # nothing checked before saving


def test_more_rows_keep_what_was_typed(world: World) -> None:
    data = form_data(world, action="more_items")
    page = client_for(world.staff).post(new_url(world), data).content.decode()
    assert 'name="items-4-what"' in page and "就労準備支援事業の利用" in page
    assert not SupportPlan.objects.exists()


def test_accompaniment_needs_no_end_date_and_no_goal(world: World) -> None:
    blank = {"goals-0-text": "", "goals-1-text": "", "items-0-goal": "", "items-1-goal": ""}
    data = form_data(world, mode="accompaniment", ends_on="", **blank)
    response = client_for(world.staff).post(new_url(world), data)
    plan = SupportPlan.objects.get()
    assert response.status_code == 302 and plan.mode == PlanMode.ACCOMPANIMENT
    assert plan.ends_on is None and not plan.goals.exists()
    page = client_for(world.staff).get(f"/plans/{plan.pk}/").content.decode()
    assert "伴走" in page


def test_a_plan_with_goals_needs_its_end_date(world: World) -> None:
    response = client_for(world.staff).post(new_url(world), form_data(world, ends_on=""))
    assert response.status_code == 400 and "field__error" in response.content.decode()


def test_the_plan_page_shows_the_plan_grouped_by_agency_in_wareki(world: World) -> None:
    plan = make_plan(world)
    page = client_for(world.staff).get(f"/plans/{plan.pk}/").content.decode()
    assert WISHES in page and "母は早く働いてほしいと思っている。" in page
    assert f'id="agency-{world.cast.self_reliance.pk}"' in page
    assert f'id="agency-{world.cast.center.pk}"' in page
    assert "令和" in page
    # a draft: R3b asks for the hikikomori agency at the meeting; the way to schedule one
    assert "R3b" in page and f"/meetings/new/?plan={plan.pk}" in page
    assert f"/plans/{plan.pk}/edit/" in page and f"/plans/{plan.pk}/print/" in page
    assert AuditEvent.objects.filter(action="plan.viewed", record_id=str(plan.pk)).exists()


def test_r4_an_item_leaving_the_default_split_is_shown_with_its_reason(world: World) -> None:
    plan = make_plan(world)
    item = plan.items.get(service=Service.PLACE)
    item.responsible_agency = world.cast.self_reliance
    item.save()
    page = client_for(world.staff).get(f"/plans/{plan.pk}/").content.decode()
    assert f'id="finding-r4_split_{item.pk}"' in page and "居場所への同行" in page


def test_approve_at_the_meeting_then_decide_then_replan(world: World) -> None:
    plan = make_plan(world)
    client = client_for(world.staff)
    page = client.get(f"/plans/{plan.pk}/").content.decode()
    assert 'id="no-meeting"' in page
    item = coordination_item(world)
    page = client.get(f"/plans/{plan.pk}/").content.decode()
    assert "第1回 支援調整会議" in page and 'id="approve-form"' in page
    response = client.post(f"/plans/{plan.pk}/steps/approve/", {"approve-agenda_item": item.pk})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.state == PlanState.APPROVED and plan.approved_item == item
    response = client.post(f"/plans/{plan.pk}/steps/decide/", {"decide-decided_on": ""})
    assert response.status_code == 400 and "field__error" in response.content.decode()
    response = client.post(
        f"/plans/{plan.pk}/steps/decide/",
        {"decide-decided_on": str(plan.approved_on), "decide-decided_by": "高知市"},
    )
    plan.refresh_from_db()
    assert response.status_code == 302 and plan.state == PlanState.DECIDED
    page = client.get(f"/plans/{plan.pk}/").content.decode()
    assert f"/meetings/{item.meeting_id}/" in page and "高知市" in page
    assert f"/plans/{plan.pk}/evaluate/" in page
    response = client.post(f"/plans/{plan.pk}/steps/replan/")
    new = SupportPlan.objects.get(previous=plan)
    assert response.status_code == 302 and response["Location"] == f"/plans/{new.pk}/edit/"
    plan.refresh_from_db()
    assert plan.state == PlanState.SUPERSEDED and new.number == 2


def test_the_case_lists_every_version_and_its_panel_shows_the_current_one(world: World) -> None:
    client = client_for(world.staff)
    page = client.get(f"/people/cases/{world.case.pk}/").content.decode()
    assert 'id="plan-panel"' in page and new_url(world) in page
    plan = decided(world, make_plan(world))
    new = services.replan(world.staff, plan)
    page = client.get(f"/people/cases/{world.case.pk}/").content.decode()
    assert f"/plans/{new.pk}/" in page and new_url(world) not in page
    page = client.get(f"/plans/cases/{world.case.pk}/").content.decode()
    assert f'id="plan-{plan.pk}"' in page and f'id="plan-{new.pk}"' in page
    # a case with a plan in force: the form sends the user to it
    response = client.get(new_url(world))
    assert response.status_code == 302 and response["Location"] == f"/plans/{new.pk}/"


def urls(world: World, plan: SupportPlan) -> list[str]:
    return [
        new_url(world),
        f"/plans/cases/{world.case.pk}/",
        f"/plans/{plan.pk}/",
        f"/plans/{plan.pk}/edit/",
        f"/plans/{plan.pk}/evaluate/",
    ]


def test_another_agencys_staff_get_404_and_nobody_gets_nothing(world: World) -> None:
    plan = make_plan(world)
    outsider, nobody = client_for(world.cast.outsider), client_for(world.cast.nobody)
    for url in urls(world, plan):
        assert outsider.get(url).status_code == 404, url
        assert nobody.get(url).status_code == 403, url
        assert WISHES not in nobody.get(url).content.decode()
    # the paired agency without any grant sees nothing either
    assert client_for(world.sr_staff).get(f"/plans/{plan.pk}/").status_code == 404
    for step in ("approve", "decide", "replan"):
        assert outsider.post(f"/plans/{plan.pk}/steps/{step}/").status_code == 404
    assert outsider.get("/plans/reviews/").status_code == 200
    assert WISHES not in outsider.get("/plans/reviews/").content.decode()


def test_a_receiver_with_a_plan_grant_sees_only_the_granted_fields_read_only(
    world: World,
) -> None:
    plan = decided(world, make_plan(world))
    client = client_for(world.sr_staff)
    response = client.get(f"/plans/{plan.pk}/")
    page = response.content.decode()
    assert response.status_code == 200 and 'id="shared-notice"' in page
    assert WISHES in page and "就労準備支援事業の利用" in page and "山田 太郎" in page
    assert f"/plans/{plan.pk}/edit/" not in page and "replan" not in page
    assert "staff" not in page.split('id="shared-notice"')[1]  # who wrote it is not shared
    read = AuditEvent.objects.filter(action="plan.viewed", record_id=str(plan.pk)).last()
    assert read is not None and read.grant.startswith("consent")
    assert read.actor_agency_id == world.cast.self_reliance.pk
    # the receiver takes no step and cannot edit
    assert client.get(f"/plans/{plan.pk}/edit/").status_code == 404
    assert client.post(f"/plans/{plan.pk}/steps/replan/").status_code == 404


def test_a_receiver_without_the_plan_kind_gets_404(world: World) -> None:
    plan = make_plan(world)
    coordination_item(world, kinds=["identity"])
    assert client_for(world.sr_staff).get(f"/plans/{plan.pk}/").status_code == 404
