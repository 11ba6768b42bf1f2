"""The meeting screens: convening a meeting, its page with members and agenda, putting a case
on the agenda; a member agency sees another agency's agenda case only as its Article 9 grant
permits (rule P5), the outsider nothing (404)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.cast import Cast, make_cast
from tests.people import yamada_household
from tests.sharing import receiver
from tsunagi.access.models import AuditEvent, Grant
from tsunagi.accounts.models import Role
from tsunagi.meetings import services
from tsunagi.meetings.models import AgendaItem, Meeting

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def cast() -> Cast:
    return make_cast()


def meeting(cast: Cast, kind: str = "article_9") -> Meeting:
    return services.create_meeting(
        cast.users[Role.STAFF],
        cast.center,
        {"kind": kind, "title": "8050世帯の支援会議", "held_on": timezone.localdate(),
         "purpose": "8050世帯の見守り体制の検討"},
        members=[cast.self_reliance],
    )  # fmt: skip


def test_convene_a_meeting_keeps_what_was_typed(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    client = client_for(staff)
    page = client.get("/meetings/new/").content.decode()
    assert "高知市自立相談支援機関" in page and "東京都" not in page
    data = {"kind": "article_9", "title": "支援会議", "held_on": "令和", "purpose": "見守り",
            "members": [cast.self_reliance.pk], "share_days_after": "14"}  # fmt: skip
    response = client.post("/meetings/new/", data)
    page = response.content.decode()
    assert response.status_code == 200 and "field__error" in page and "見守り" in page
    response = client.post("/meetings/new/", {**data, "held_on": "R7.4.1"})
    created = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/meetings/{created.pk}/"
    assert set(created.members.all()) == {cast.center, cast.self_reliance}
    assert "支援会議" in client.get("/meetings/").content.decode()


def test_p5_agenda_case_seen_by_the_member_as_the_grant_permits(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    _household, _mother, son, case = yamada_household(staff, cast.center)
    m = meeting(cast)
    client = client_for(staff)
    page = client.get(f"/meetings/{m.pk}/").content.decode()
    assert f'value="{case.pk}"' in page and "高知市自立相談支援機関" in page
    response = client.post(
        f"/meetings/{m.pk}/agenda/add/", {"case": case.pk, "kinds": ["identity", "situation"]}
    )
    assert response.status_code == 302
    assert AgendaItem.objects.filter(meeting=m, case=case).exists()
    grant = Grant.objects.get(meeting=m, receiving_agency=cast.self_reliance)
    sr = receiver(cast)
    page = client_for(sr).get(f"/meetings/{m.pk}/").content.decode()
    assert "山田 太郎" in page and f"/consent/persons/{son.pk}/shared/" in page
    assert f"/people/cases/{case.pk}/" not in page
    assert AuditEvent.objects.filter(actor=sr, subject_id=son.pk, grant=grant.code).exists()


def test_coordination_meeting_shares_nothing_of_other_agencies_cases(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    _household, _mother, _son, case = yamada_household(staff, cast.center)
    m = meeting(cast, "coordination")
    services.add_agenda_item(staff, m, case)
    page = client_for(receiver(cast)).get(f"/meetings/{m.pk}/").content.decode()
    assert "太郎" not in page and "共有されている情報はありません" in page


def test_agenda_bad_inputs(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    _household, _mother, _son, case = yamada_household(staff, cast.center)
    m = meeting(cast)
    client = client_for(staff)
    response = client.post(f"/meetings/{m.pk}/agenda/add/", {"case": case.pk})
    assert (
        response.status_code == 400
        and "情報の種類を1つ以上選んでください" in response.content.decode()
    )
    assert client.post(f"/meetings/{m.pk}/agenda/add/", {"kinds": ["identity"]}).status_code == 400
    assert not AgendaItem.objects.exists()


def test_nobody_and_the_outsider_see_nothing(cast: Cast) -> None:
    m = meeting(cast)
    outsider = client_for(cast.outsider)
    assert outsider.get(f"/meetings/{m.pk}/").status_code == 404
    assert outsider.post(f"/meetings/{m.pk}/agenda/add/", {}).status_code == 404
    assert "8050世帯の支援会議" not in outsider.get("/meetings/").content.decode()
    assert client_for(cast.nobody).get(f"/meetings/{m.pk}/").status_code == 403
    # a member agency's staff sees the meeting but cannot put the center's case on its agenda
    _household, _mother, _son, case = yamada_household(cast.users[Role.STAFF], cast.center)
    sr = client_for(receiver(cast))
    assert sr.get(f"/meetings/{m.pk}/").status_code == 200
    assert (
        sr.post(
            f"/meetings/{m.pk}/agenda/add/", {"case": case.pk, "kinds": ["identity"]}
        ).status_code
        == 400
    )
    assert not AgendaItem.objects.exists()
