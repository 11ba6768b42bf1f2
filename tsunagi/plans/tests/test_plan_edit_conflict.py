"""Two users change one draft plan: the second save does not overwrite the first silently. The
screen shows both versions side by side, keeps what the second user typed, and lets them save
over the version now saved."""

from __future__ import annotations

import pytest

from tsunagi.plans import services
from tsunagi.plans.models import SupportPlan

from .screen_world import client_for, form_data, make_plan, make_world

pytestmark = pytest.mark.django_db


def test_a_save_in_between_shows_both_versions_and_keeps_the_input() -> None:
    world = make_world()
    plan = make_plan(world)
    url = f"/plans/{plan.pk}/edit/"
    staff = client_for(world.staff)
    page = staff.get(url).content.decode()
    assert 'name="version" value="1"' in page and "居場所への同行" in page
    # the manager saves meanwhile
    services.update_plan(
        world.manager,
        plan,
        {"overall_aim": "主任が書き直した方針"},
        version=1,
    )
    mine = form_data(world, version="1", overall_aim="担当者が書いた方針")
    response = staff.post(url, mine)
    page = response.content.decode()
    assert response.status_code == 400 and 'id="edit-conflict"' in page
    conflict = page.split('id="edit-conflict"')[1].split("</section>")[0]
    assert "担当者が書いた方針" in conflict and "主任が書き直した方針" in conflict
    assert "manager" in conflict  # who saved meanwhile
    assert 'name="version" value="2"' in page  # the next save goes over the saved version
    assert SupportPlan.objects.get().overall_aim == "主任が書き直した方針"
    response = staff.post(url, {**mine, "version": "2"})
    assert response.status_code == 302
    assert SupportPlan.objects.get().overall_aim == "担当者が書いた方針"


def test_only_a_draft_is_changed() -> None:
    world = make_world()
    plan = make_plan(world)
    plan.state = "approved"
    plan.save()
    response = client_for(world.staff).get(f"/plans/{plan.pk}/edit/")
    assert response.status_code == 302 and response["Location"] == f"/plans/{plan.pk}/"


def test_the_edit_screen_is_the_owners_alone() -> None:
    world = make_world()
    plan = make_plan(world)
    assert client_for(world.cast.outsider).get(f"/plans/{plan.pk}/edit/").status_code == 404
    assert client_for(world.cast.nobody).get(f"/plans/{plan.pk}/edit/").status_code == 403
    assert (
        client_for(world.sr_staff).post(f"/plans/{plan.pk}/edit/", form_data(world)).status_code
        == 404
    )
