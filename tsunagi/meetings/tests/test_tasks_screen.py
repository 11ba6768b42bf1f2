"""Follow-up tasks decided at a meeting: added by the convening agency (kept on bad input), shown
on the meeting page and on the responsible agency's home page, marked done there or on the
meeting page by that agency; others cannot, the outsider sees nothing."""

from __future__ import annotations

import datetime

import pytest
from django.template import engines
from django.test import RequestFactory

from tsunagi.meetings import services
from tsunagi.meetings.models import FollowUpTask, Meeting

from .screen_world import World, client_for, days, html, make_world

pytestmark = pytest.mark.django_db

TASK = "居場所の見学日を本人と調整する"


@pytest.fixture
def world() -> World:
    return make_world()


def _task(world: World, meeting: Meeting, **data: object) -> FollowUpTask:
    values = {"what": TASK, "agency": world.cast.self_reliance, "due_on": days(7), **data}
    return services.add_task(world.staff, meeting, values)


def home_panel(user: object) -> str:
    request = RequestFactory().get("/")
    request.user = user  # type: ignore[assignment]
    template = engines["django"].from_string('{% include "meetings/_home_tasks.html" %}')
    return str(template.render({"request": request, "csrf_token": "t"}, request))


def test_task_added_from_the_meeting_page(world: World) -> None:
    meeting = world.meeting()
    item = services.add_agenda_item(world.staff, meeting, world.case)
    client = client_for(world.staff)
    page = html(client.get(f"/meetings/{meeting.pk}/"))
    assert 'name="task-what"' in page and f'<option value="{world.sr.pk}"' in page
    data = {
        "task-what": TASK,
        "task-agency": world.cast.self_reliance.pk,
        "task-assignee": world.sr.pk,
        "task-due_on": "R8.1.15",
        "task-item": item.pk,
    }
    response = client.post(f"/meetings/{meeting.pk}/tasks/add/", data)
    assert response.status_code == 302 and response["Location"].endswith("#tasks")
    task = FollowUpTask.objects.get()
    assert task.assignee == world.sr and task.due_on == datetime.date(2026, 1, 15)
    assert task.item == item
    page = html(client.get(f"/meetings/{meeting.pk}/"))
    assert TASK in page and "令和8年1月15日" in page and "山田 太郎" in page


def test_task_bad_inputs_keep_what_was_typed(world: World) -> None:
    meeting = world.meeting()
    client = client_for(world.staff)
    url = f"/meetings/{meeting.pk}/tasks/add/"
    response = client.post(url, {"task-what": TASK, "task-due_on": "来週"})
    page = html(response)
    assert response.status_code == 400 and TASK in page and "来週" in page
    assert set(response.context["task_form"].errors) == {"agency", "due_on"}
    # the responsible person works for the responsible agency
    data = {
        "task-what": TASK,
        "task-agency": world.cast.self_reliance.pk,
        "task-assignee": world.staff.pk,
    }
    response = client.post(url, data)
    assert response.status_code == 400 and "担当者は担当機関の職員から選んでください" in html(
        response
    )
    response = client.post(url, {"task-what": "", "task-agency": world.cast.city_office.pk})
    assert response.status_code == 400
    assert {"what", "agency"} <= set(response.context["task_form"].errors)
    assert not FollowUpTask.objects.exists()


def test_open_tasks_on_the_responsible_agencys_home_and_done_from_there(world: World) -> None:
    task = _task(world, world.meeting(), due_on=days(-1))
    panel = home_panel(world.sr)
    assert TASK in panel and "期限切れ" in panel and f"/meetings/tasks/{task.pk}/done/" in panel
    assert TASK not in home_panel(world.cast.outsider)
    assert TASK in html(client_for(world.sr).get("/"))  # the home page includes the panel
    response = client_for(world.sr).post(f"/meetings/tasks/{task.pk}/done/", {"next": "home"})
    assert response.status_code == 302 and response["Location"] == "/"
    task.refresh_from_db()
    assert task.done_at is not None and task.done_by == world.sr
    assert TASK not in home_panel(world.sr)
    page = html(client_for(world.staff).get(f"/meetings/{task.meeting_id}/"))
    assert "完了" in page and world.sr.get_full_name() in page
    # done twice: said so, nothing changes
    response = client_for(world.sr).post(f"/meetings/tasks/{task.pk}/done/", follow=True)
    assert "このタスクは完了済みです" in html(response)


def test_who_may_add_and_finish_tasks(world: World) -> None:
    meeting = world.meeting()
    center_task = _task(world, meeting, agency=world.cast.center)
    sr = client_for(world.sr)
    data = {"task-what": TASK, "task-agency": world.cast.self_reliance.pk}
    assert sr.post(f"/meetings/{meeting.pk}/tasks/add/", data).status_code == 403
    assert sr.post(f"/meetings/tasks/{center_task.pk}/done/").status_code == 403
    outsider = client_for(world.cast.outsider)
    assert outsider.post(f"/meetings/{meeting.pk}/tasks/add/", data).status_code == 404
    assert outsider.post(f"/meetings/tasks/{center_task.pk}/done/").status_code == 404
    nobody = client_for(world.cast.nobody)
    assert nobody.post(f"/meetings/tasks/{center_task.pk}/done/").status_code == 403
    assert client_for(world.staff).get(f"/meetings/tasks/{center_task.pk}/done/").status_code == 405
    assert sr.post("/meetings/tasks/999999/done/").status_code == 404
    center_task.refresh_from_db()
    assert center_task.done_at is None and FollowUpTask.objects.count() == 1
