"""Members and attendees of a meeting (meetings:edit): the convening agency changes them, an
agency with a case on the agenda stays a member, attendees work at a member agency; bad input
keeps what was typed; members' staff may not change them, the outsider sees nothing."""

from __future__ import annotations

import pytest

from tests.people import make_person
from tsunagi.meetings import services
from tsunagi.people import services as people

from .screen_world import World, client_for, html, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return make_world()


def test_members_and_attendees_changed(world: World) -> None:
    meeting = world.meeting()
    client = client_for(world.staff)
    url = f"/meetings/{meeting.pk}/edit/"
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["form"]["members"].value() == [world.cast.self_reliance.pk]
    assert "東京都" not in html(response)
    data = {
        "members": [world.cast.self_reliance.pk, world.cast.city_office.pk],
        "attendees": [world.staff.pk, world.sr.pk],
        "other_attendees": "民生委員 1名",
    }
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"] == f"/meetings/{meeting.pk}/"
    assert set(meeting.members.all()) == {
        world.cast.center, world.cast.self_reliance, world.cast.city_office,
    }  # fmt: skip
    assert set(meeting.attendees.all()) == {world.staff, world.sr}
    page = html(client.get(f"/meetings/{meeting.pk}/"))
    assert "民生委員 1名" in page and world.sr.get_full_name() in page


def test_an_agency_with_a_case_on_the_agenda_stays_a_member(world: World) -> None:
    meeting = world.meeting()
    person = make_person(world.sr, world.cast.self_reliance, "小松", "彩花")
    services.add_agenda_item(world.sr, meeting, people.open_case(world.sr, person, {}))
    client = client_for(world.staff)
    url = f"/meetings/{meeting.pk}/edit/"
    assert 'id="staying"' in html(client.get(url))
    response = client.post(url, {"members": [], "other_attendees": "書きかけの出席者"})
    page = html(response)
    assert response.status_code == 400 and "議題に事例がある機関は構成機関から外せません" in page
    assert "書きかけの出席者" in page
    assert world.cast.self_reliance in meeting.members.all()


def test_attendees_work_at_a_member_agency(world: World) -> None:
    meeting = world.meeting()
    client = client_for(world.staff)
    outsider_pk = world.cast.outsider.pk
    response = client.post(
        f"/meetings/{meeting.pk}/edit/",
        {
            "members": [world.cast.self_reliance.pk],
            "attendees": [outsider_pk],
            "other_attendees": "家族会",
        },
    )
    assert response.status_code == 400 and "attendees" in response.context["form"].errors
    assert "家族会" in html(response) and not meeting.attendees.exists()


def test_only_the_convening_agency_changes_members(world: World) -> None:
    meeting = world.meeting()
    url = f"/meetings/{meeting.pk}/edit/"
    sr = client_for(world.sr)
    assert sr.get(url).status_code == 403
    assert sr.post(url, {"members": []}).status_code == 403
    assert client_for(world.cast.outsider).get(url).status_code == 404
    assert client_for(world.cast.outsider).post(url, {"members": []}).status_code == 404
    assert client_for(world.cast.nobody).get(url).status_code == 403
    assert world.cast.self_reliance in meeting.members.all()
