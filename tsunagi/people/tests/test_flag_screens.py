"""Flags (R8): on every screen of the case until staff resolve them with a note."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.cast import Cast, make_cast
from tests.people import yamada_household
from tsunagi.access.models import AuditEvent
from tsunagi.accounts.models import Role
from tsunagi.people import services
from tsunagi.people.models import Flag

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast() -> Cast:
    return make_cast()


def client_for(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def urgent_call(cast: Cast) -> tuple[Any, Any, Any, Flag]:
    staff = cast.users[Role.STAFF]
    household, _mother, son, case = yamada_household(staff, cast.center)
    services.record_contact(staff, {
        "channel": "phone", "initiator": "person", "summary": "二日食べていない",
        "urgent": ["no_food", "suicidal"],
    }, case=case)  # fmt: skip
    flag = Flag.objects.get(case=case, kind="suicide_risk")
    return household, son, case, flag


def screens_of(household: Any, son: Any, case: Any) -> list[str]:
    a = services.record_assessment(son.created_by, case, {"debt": True})
    return [
        f"/people/cases/{case.pk}/",
        f"/people/cases/{case.pk}/contacts/new/",
        f"/people/{son.pk}/contacts/new/",
        f"/people/cases/{case.pk}/assessments/new/",
        f"/people/cases/{case.pk}/assessments/",
        f"/people/assessments/{a.pk}/",
        f"/people/cases/{case.pk}/edit/",
        f"/people/households/{household.pk}/",
        f"/people/{son.pk}/",
    ]


def test_flags_banner_is_on_every_screen_of_the_case(cast: Cast) -> None:
    household, son, case, flag = urgent_call(cast)
    client = client_for(cast.users[Role.STAFF])
    for url in screens_of(household, son, case):
        page = client.get(url).content.decode()
        assert 'id="open-flags"' in page, url
        assert "未対応の警告 2件" in page, url
        assert flag.reason in page, url
        assert f"/people/flags/{flag.pk}/resolve/" in page, url


def test_every_screen_of_the_case_is_in_the_access_log(cast: Cast) -> None:
    household, son, case, _flag = urgent_call(cast)
    staff = cast.users[Role.STAFF]
    client = client_for(staff)
    for url in screens_of(household, son, case):
        before = AuditEvent.objects.filter(actor=staff, action__endswith=".viewed").count()
        client.get(url)
        after = AuditEvent.objects.filter(actor=staff, action__endswith=".viewed").count()
        assert after > before, url


def test_resolving_needs_a_note_and_keeps_nothing_lost(cast: Cast) -> None:
    _household, _son, case, flag = urgent_call(cast)
    client = client_for(cast.users[Role.STAFF])
    response = client.post(
        f"/people/flags/{flag.pk}/resolve/",
        {"resolution": "  ", "next": f"/people/cases/{case.pk}/"},
    )
    assert response.status_code == 200
    assert "対応内容" in response.content.decode()
    assert 'id="id_resolution_error"' in response.content.decode()
    flag.refresh_from_db()
    assert flag.is_open


def test_resolve_with_a_note_returns_to_the_screen_and_the_flag_is_gone(cast: Cast) -> None:
    household, _son, case, flag = urgent_call(cast)
    staff = cast.users[Role.STAFF]
    client = client_for(staff)
    back = f"/people/households/{household.pk}/"
    response = client.post(f"/people/flags/{flag.pk}/resolve/",
                           {"resolution": "自殺予防の窓口につないだ", "next": back})  # fmt: skip
    assert response.status_code == 302 and response["Location"] == back
    flag.refresh_from_db()
    assert not flag.is_open and flag.resolved_by == staff
    assert flag.resolution == "自殺予防の窓口につないだ"
    page = client.get(f"/people/cases/{case.pk}/").content.decode()
    assert "未対応の警告 1件" in page and flag.reason not in page


def test_next_outside_the_site_is_ignored(cast: Cast) -> None:
    _household, _son, case, flag = urgent_call(cast)
    response = client_for(cast.users[Role.STAFF]).post(
        f"/people/flags/{flag.pk}/resolve/",
        {"resolution": "対応済み", "next": "https://evil.example/"},
    )
    assert response["Location"] == f"/people/cases/{case.pk}/"


def test_a_resolved_flag_cannot_be_resolved_again(cast: Cast) -> None:
    _household, _son, _case, flag = urgent_call(cast)
    client = client_for(cast.users[Role.STAFF])
    client.post(f"/people/flags/{flag.pk}/resolve/", {"resolution": "一回目"})
    response = client.post(f"/people/flags/{flag.pk}/resolve/", {"resolution": "二回目"})
    assert response.status_code == 200
    flag.refresh_from_db()
    assert flag.resolution == "一回目"


def test_resolve_page_shows_the_flag_with_its_rule(cast: Cast) -> None:
    _household, _son, _case, flag = urgent_call(cast)
    page = client_for(cast.users[Role.STAFF]).get(f"/people/flags/{flag.pk}/resolve/")
    body = page.content.decode()
    assert page.status_code == 200 and "R8" in body and flag.reason in body
    assert body.count(flag.reason) == 1  # not repeated in the banner of the other flags


def test_outsider_gets_404(cast: Cast) -> None:
    _household, _son, _case, flag = urgent_call(cast)
    client = client_for(cast.outsider)
    assert client.get(f"/people/flags/{flag.pk}/resolve/").status_code == 404
    assert client.post(f"/people/flags/{flag.pk}/resolve/", {"resolution": "x"}).status_code == 404
    flag.refresh_from_db()
    assert flag.is_open


@pytest.mark.parametrize("who", ["nobody", "operator", "municipal_officer", "auditor"])
def test_those_without_personal_records_are_refused(cast: Cast, who: str) -> None:
    _household, _son, _case, flag = urgent_call(cast)
    user = cast.nobody if who == "nobody" else cast.users[Role(who)]
    response = client_for(user).post(f"/people/flags/{flag.pk}/resolve/", {"resolution": "x"})
    assert response.status_code in (403, 404)
    flag.refresh_from_db()
    assert flag.is_open
