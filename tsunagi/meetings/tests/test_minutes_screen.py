"""The minutes and decision of one agenda case (議事録): written by the convening agency or the
case's own agency, kept on bad input, never overwriting another save silently (both versions
shown); a member sees them only where its grant shows the case; the outsider sees nothing."""

from __future__ import annotations

import pytest

from tsunagi.access.models import AuditEvent
from tsunagi.accounts.models import Role
from tsunagi.meetings import services
from tsunagi.meetings.models import AgendaItem

from .screen_world import World, client_for, html, make_world

pytestmark = pytest.mark.django_db

MINUTES = "本人は居場所の見学を希望。センターが初回訪問で日程を相談する。"


@pytest.fixture
def world() -> World:
    return make_world()


def _item(world: World, kind: str = "article_9", **kwargs: object) -> AgendaItem:
    return services.add_agenda_item(world.staff, world.meeting(kind), world.case, **kwargs)  # type: ignore[arg-type]


def _url(item: AgendaItem) -> str:
    return f"/meetings/{item.meeting_id}/agenda/{item.pk}/minutes/"


def test_minutes_recorded_and_shown_on_the_meeting_page(world: World) -> None:
    item = _item(world)
    client = client_for(world.staff)
    page = html(client.get(_url(item)))
    assert "山田 太郎" in page and 'name="version" value="1"' in page
    data = {
        "minutes": MINUTES,
        "decision": "continue",
        "decision_notes": "次回は1か月後",
        "version": "1",
    }
    response = client.post(_url(item), data)
    assert response.status_code == 302
    assert response["Location"] == f"/meetings/{item.meeting_id}/#item-{item.pk}"
    item.refresh_from_db()
    assert (
        item.minutes == MINUTES and item.decision == "continue" and item.minutes_by == world.staff
    )
    page = html(client.get(f"/meetings/{item.meeting_id}/"))
    assert MINUTES in page and "次回は1か月後" in page
    assert AuditEvent.objects.filter(action="agenda.minutes", actor=world.staff).exists()


def test_minutes_bad_input_keeps_what_was_typed(world: World) -> None:
    item = _item(world)
    client = client_for(world.staff)
    response = client.post(
        _url(item), {"minutes": " ", "decision_notes": "補足を先に書いた", "version": "1"}
    )
    assert response.status_code == 400 and "補足を先に書いた" in html(response)
    assert "field__error" in html(response)
    response = client.post(_url(item), {"minutes": MINUTES, "decision": "nonsense", "version": "1"})
    assert response.status_code == 400 and MINUTES in html(response)
    item.refresh_from_db()
    assert item.minutes == "" and item.version == 1


def test_minutes_conflict_shows_both_versions_and_overwrites_nothing(world: World) -> None:
    item = _item(world)
    client = client_for(world.staff)
    client.get(_url(item))  # opened at version 1
    manager = world.cast.users[Role.MANAGER]
    services.record_minutes(manager, item, minutes="主任が先に記録した内容", version=1)
    mine = {"minutes": MINUTES, "decision": "continue", "version": "1"}
    response = client.post(_url(item), mine)
    page = html(response)
    assert response.status_code == 409 and 'id="conflict"' in page
    assert "主任が先に記録した内容" in page and MINUTES in page
    item.refresh_from_db()
    assert item.minutes == "主任が先に記録した内容"  # nothing overwritten
    # the form now carries the version seen: saving again replaces it knowingly
    assert response.context["form"]["version"].value() == str(item.version)
    response = client.post(_url(item), {**mine, "version": str(item.version)})
    item.refresh_from_db()
    assert response.status_code == 302 and item.minutes == MINUTES


def test_p5_a_member_reads_the_minutes_through_its_grant_but_does_not_write_them(
    world: World,
) -> None:
    item = services.record_minutes(world.staff, _item(world), minutes=MINUTES)
    sr = client_for(world.sr)
    assert MINUTES in html(sr.get(f"/meetings/{item.meeting_id}/"))
    assert sr.get(_url(item)).status_code == 403
    assert AuditEvent.objects.filter(actor=world.sr, action="case.viewed").exists()


def test_p1_a_member_whose_consent_does_not_show_the_case_sees_no_minutes(world: World) -> None:
    consent = world.consent(["identity"])
    item = _item(world, "coordination", consent=consent)
    services.record_minutes(world.staff, item, minutes=MINUTES)
    sr = client_for(world.sr)
    page = html(sr.get(f"/meetings/{item.meeting_id}/"))
    assert "山田 太郎" in page and MINUTES not in page
    assert sr.get(_url(item)).status_code == 404


def test_nobody_and_the_outsider_see_no_minutes(world: World) -> None:
    item = services.record_minutes(world.staff, _item(world), minutes=MINUTES)
    outsider = client_for(world.cast.outsider)
    assert outsider.get(_url(item)).status_code == 404
    assert outsider.post(_url(item), {"minutes": "上書き", "version": "2"}).status_code == 404
    assert client_for(world.cast.nobody).get(_url(item)).status_code == 403
    other = world.meeting()
    assert (
        client_for(world.staff).get(f"/meetings/{other.pk}/agenda/{item.pk}/minutes/").status_code
        == 404
    )
    item.refresh_from_db()
    assert item.minutes == MINUTES
