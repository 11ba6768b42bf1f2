"""The supporter's phone view (rules S4-S8): their active dispatches only, the household read
through the dispatch grant, visits, incidents, found cases and their own details; after a stop
the household is gone (404); nobody else reaches these screens (404)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.cast import Cast, make_cast
from tsunagi.access.models import AuditEvent
from tsunagi.accounts.models import Role
from tsunagi.jurisdictions.models import Municipality
from tsunagi.people import services as people
from tsunagi.supporters import services as sv
from tsunagi.supporters.models import (
    CourseKind,
    Dispatch,
    FoundCase,
    Incident,
    Requester,
    RosterReleaseKind,
    Supporter,
    VisitReport,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def days(n: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=n)


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@dataclass
class World:
    cast: Cast
    coordinator: Any
    supporter: Supporter
    user: Any
    other: Supporter
    other_user: Any
    dispatch: Dispatch
    other_dispatch: Dispatch
    son: Any


def _trained(cast: Cast, course: Any, name: str, kana: str, username: str) -> tuple[Any, Any]:
    po = cast.users[Role.PREFECTURAL_OFFICER]
    kochi_city = Municipality.objects.get(code="39201")
    s = sv.register_trainee(
        po,
        cast.office.prefecture_id,
        {
            "name": name,
            "name_kana": kana,
            "sex": "male",
            "peer": "lived_experience",
            "postal_code": "7800850",
            "municipality": kochi_city,
            "availability": ["weekday_morning"],
            "phone": "088-000-0000",
        },
        areas=[kochi_city],
    )
    sv.enrol(po, course, s)
    for session in course.sessions.all():
        sv.record_attendance(po, session, [*(e.supporter for e in course.enrolments.all())])
    sv.complete(po, s.enrolments.get(), completed_on=days(20))
    sv.record_consent(po, s, signed_on=days(10), explained=True)
    user = sv.give_account(po, s, username=username, password="Kochi-supporter-2026")
    return s, user


def _dispatch(cast: Cast, supporter: Supporter, family: str, given: str) -> Dispatch:
    dc = cast.users[Role.DISPATCH_COORDINATOR]
    kochi_city = Municipality.objects.get(code="39201")
    person = people.create_person(
        dc,
        cast.city_office,
        {
            "family_name": family,
            "given_name": given,
            "postal_code": "780-0850",
            "municipality": kochi_city,
            "address": "丸ノ内1-2-3",
            "phone": "088-111-2222",
        },
        allow_duplicate=True,
    )
    d = sv.request_dispatch(
        dc,
        person,
        {
            "requested_by": Requester.FAMILY,
            "requester_name": "家族",
            "person_wish": "話し相手",
            "requested_on": days(10),
        },
    )
    d = sv.match(dc, d, supporter)
    d = sv.write_plan(
        dc,
        d,
        {
            "purpose": "外出のきっかけ",
            "activity_plan": "週1回訪問",
            "activities": "話し相手",
            "starts_on": days(7),
        },
    )
    d = sv.record_consents(dc, d, person_consent_on=days(8), supporter_consent_on=days(8))
    return sv.start(dc, d)


@pytest.fixture
def world() -> World:
    cast = make_cast()
    po = cast.users[Role.PREFECTURAL_OFFICER]
    dc = cast.users[Role.DISPATCH_COORDINATOR]
    course = sv.create_course(
        po,
        cast.office,
        {"kind": CourseKind.BASIC, "title": "養成研修", "starts_on": days(30), "ends_on": days(20)},
        sessions=[{"held_on": days(30), "topic": "概要"}],
    )
    s, user = _trained(cast, course, "高知 一郎", "コウチ イチロウ", "sup-ichiro")
    other, other_user = _trained(cast, course, "土佐 二郎", "トサ ジロウ", "sup-jiro")
    release = sv.give_roster(po, cast.city_office, dispatch_status=RosterReleaseKind.RUNS)
    for entry in release.entries.all():
        sv.confirm_entry(dc, entry, wishes_to_act=True)
    d = _dispatch(cast, s, "山田", "太郎")
    other_d = _dispatch(cast, other, "佐藤", "健")
    son = d.person
    return World(cast, dc, s, user, other, other_user, d, other_d, son)


VISIT = {
    "visited_on": "",
    "started_at": "１４：３０",
    "duration_minutes": "６０",
    "place": "home",
    "met": "person",
    "what_happened": "玄関で少し話した。\n次は散歩の話をする。",
    "concerns": "",
    "next_visit_on": "",
}


# --- the list ---------------------------------------------------------------------------------


def test_s4_mine_shows_only_own_active_dispatch_with_household(world: World) -> None:
    response = client_for(world.user).get(reverse("supporters:mine"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "山田 太郎" in html and "丸ノ内1-2-3" in html
    assert "佐藤" not in html  # another supporter's household
    assert reverse("supporters:mine_dispatch", args=[world.dispatch.pk]) in html
    # the read is logged on the dispatch grant
    assert AuditEvent.objects.filter(
        actor=world.user,
        action="person.viewed",
        grant=f"dispatch:{world.dispatch.grant_id}",
        record_id=str(world.son.pk),
    ).exists()


def test_s5_mine_is_empty_after_the_stop(world: World) -> None:
    sv.stop(world.coordinator, world.dispatch, requested_by="person", reason="本人の希望")
    response = client_for(world.user).get(reverse("supporters:mine"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "山田" not in html and "丸ノ内" not in html
    assert 'id="mine-empty"' in html


def test_s5_the_phone_screens_belong_to_supporters_only(world: World) -> None:
    """A coordinator, staff, the prefecture or a user without a role: 404 (or the no-role 403),
    never the supporter's screens."""
    pk = world.dispatch.pk
    urls = [
        reverse("supporters:mine"),
        reverse("supporters:mine_dispatch", args=[pk]),
        reverse("supporters:visit_new", args=[pk]),
        reverse("supporters:incident_new", args=[pk]),
        reverse("supporters:found_new"),
        reverse("supporters:me"),
    ]
    users = [
        world.coordinator,
        world.cast.users[Role.STAFF],
        world.cast.users[Role.MANAGER],
        world.cast.users[Role.PREFECTURAL_OFFICER],
        world.cast.users[Role.OPERATOR],
        world.cast.outsider,
    ]
    for user in users:
        client = client_for(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user.username, url)
    client = client_for(world.cast.nobody)
    for url in urls:
        assert client.get(url).status_code == 403


# --- one household ----------------------------------------------------------------------------


def test_s6_dispatch_page_shows_plan_contact_guidance_and_marks_it_read(world: World) -> None:
    visit = sv.record_visit(
        world.user,
        world.dispatch,
        {
            "visited_on": days(2),
            "duration_minutes": 45,
            "place": "home",
            "met": "family_only",
            "what_happened": "母親と話した",
        },
    )
    g = sv.give_guidance(
        world.coordinator, world.dispatch, text="焦らず続けてください", report=visit
    )
    client = client_for(world.user)
    response = client.get(reverse("supporters:mine"))
    assert "phone-new" in response.content.decode()
    response = client.get(reverse("supporters:mine_dispatch", args=[world.dispatch.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "山田 太郎",
        "088-111-2222",
        "外出のきっかけ",
        "週1回訪問",
        "焦らず続けてください",
    ):
        assert text in html
    assert "母親と話した" in html
    g.refresh_from_db()
    assert g.seen_at is not None
    assert AuditEvent.objects.filter(actor=world.user, action="visit.viewed").exists()


def test_s5_another_supporters_dispatch_is_404(world: World) -> None:
    client = client_for(world.user)
    pk = world.other_dispatch.pk
    for name in ("mine_dispatch", "visit_new", "incident_new"):
        assert client.get(reverse(f"supporters:{name}", args=[pk])).status_code == 404
        assert client.post(reverse(f"supporters:{name}", args=[pk]), VISIT).status_code == 404
    assert not VisitReport.objects.filter(dispatch=world.other_dispatch).exists()


def test_s5_stopped_dispatch_answers_404_and_takes_no_visit(world: World) -> None:
    client = client_for(world.user)
    url = reverse("supporters:visit_new", args=[world.dispatch.pk])
    assert client.get(url).status_code == 200
    sv.stop(world.coordinator, world.dispatch, requested_by="person", reason="本人の希望")
    assert (
        client.get(reverse("supporters:mine_dispatch", args=[world.dispatch.pk])).status_code == 404
    )
    response = client.get(url)
    assert response.status_code == 404
    assert b"visit-form" not in response.content
    assert client.post(url, {**VISIT, "visited_on": str(TODAY)}).status_code == 404
    assert not VisitReport.objects.filter(dispatch=world.dispatch).exists()
    assert (
        client.get(reverse("supporters:incident_new", args=[world.dispatch.pk])).status_code == 404
    )


# --- a visit ----------------------------------------------------------------------------------


def test_s6_visit_form_starts_today_and_accepts_full_width_digits(world: World) -> None:
    client = client_for(world.user)
    url = reverse("supporters:visit_new", args=[world.dispatch.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["form"].initial["visited_on"] == TODAY
    response = client.post(url, {**VISIT, "visited_on": str(TODAY)})
    assert response.status_code == 302
    assert response["Location"] == reverse("supporters:mine_dispatch", args=[world.dispatch.pk])
    visit = VisitReport.objects.get(dispatch=world.dispatch)
    assert visit.duration_minutes == 60
    assert visit.started_at == datetime.time(14, 30)
    assert visit.written_by == world.user
    assert visit.what_happened == "玄関で少し話した。\n次は散歩の話をする。"


def test_s6_visit_bad_input_keeps_what_was_typed(world: World) -> None:
    client = client_for(world.user)
    url = reverse("supporters:visit_new", args=[world.dispatch.pk])
    tomorrow = TODAY + datetime.timedelta(days=1)
    response = client.post(url, {**VISIT, "visited_on": str(tomorrow), "duration_minutes": "０"})
    assert response.status_code == 400
    form = response.context["form"]
    assert "visited_on" in form.errors and "duration_minutes" in form.errors
    html = response.content.decode()
    assert "玄関で少し話した。" in html
    assert not VisitReport.objects.exists()
    # no date, no text, an unreadable time
    response = client.post(
        url, {**VISIT, "visited_on": "あした", "what_happened": "", "started_at": "25時"}
    )
    assert response.status_code == 400
    assert {"visited_on", "what_happened", "started_at"} <= set(response.context["form"].errors)
    # before the dispatch started (the service's rule, S6)
    response = client.post(url, {**VISIT, "visited_on": str(days(30))})
    assert response.status_code == 400
    assert "visited_on" in response.context["form"].errors


# --- an incident ------------------------------------------------------------------------------


def test_s8_incident_reaches_the_coordinator_at_once(world: World) -> None:
    client = client_for(world.user)
    url = reverse("supporters:incident_new", args=[world.dispatch.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "occurred_on": str(TODAY),
            "occurred_time": "00:01",
            "kind": "injury",
            "severity": "minor",
            "what_happened": "玄関の段差でつまずき、膝を擦りむいた",
            "immediate_action": "消毒した",
            "visit": "",
        },
    )
    assert response.status_code == 302
    incident = Incident.objects.get(dispatch=world.dispatch)
    from tsunagi.supporters.selectors import incidents_waiting

    assert list(incidents_waiting(world.coordinator)) == [incident]
    page = client.get(reverse("supporters:mine_dispatch", args=[world.dispatch.pk]))
    assert "incidents-title" in page.content.decode()


def test_s8_incident_bad_input(world: World) -> None:
    client = client_for(world.user)
    url = reverse("supporters:incident_new", args=[world.dispatch.pk])
    future = timezone.localtime() + datetime.timedelta(days=2)
    response = client.post(
        url,
        {
            "occurred_on": str(future.date()),
            "occurred_time": "10:00",
            "kind": "",
            "severity": "minor",
            "what_happened": "転倒",
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "kind" in errors
    response = client.post(
        url,
        {
            "occurred_on": str(future.date()),
            "occurred_time": "10:00",
            "kind": "injury",
            "severity": "minor",
            "what_happened": "転倒",
        },
    )
    assert response.status_code == 400
    assert "occurred_time" in response.context["form"].errors
    assert "転倒" in response.content.decode()
    assert not Incident.objects.exists()


# --- a found case -----------------------------------------------------------------------------


def test_s7_found_case_goes_to_a_confirming_municipality(world: World) -> None:
    client = client_for(world.user)
    url = reverse("supporters:found_new")
    response = client.get(url)
    assert response.status_code == 200
    assert world.cast.city_office.name in response.content.decode()
    response = client.post(
        url,
        {
            "agency": str(world.cast.city_office.pk),
            "where": "高知市丸ノ内２丁目",
            "description": "雨戸がずっと閉まっている家に若い人がいるようだ",
            "estimated_age": "３０",
        },
    )
    assert response.status_code == 302
    found = FoundCase.objects.get()
    assert found.agency == world.cast.city_office
    assert found.supporter == world.supporter
    assert found.estimated_age == 30
    assert found.where == "高知市丸ノ内2丁目"


def test_s7_found_case_bad_input_and_unconfirmed_office(world: World) -> None:
    client = client_for(world.user)
    url = reverse("supporters:found_new")
    response = client.post(
        url, {"agency": str(world.cast.center.pk), "where": "", "description": "気になる"}
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "agency" in errors and "where" in errors
    assert "気になる" in response.content.decode()
    response = client.post(
        url,
        {"agency": str(world.cast.city_office.pk), "where": "x", "description": "y",
         "estimated_age": "200"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "estimated_age" in response.context["form"].errors
    assert not FoundCase.objects.exists()


def test_s7_no_confirmed_office_no_form(world: World) -> None:
    from tsunagi.supporters.models import RosterEntry

    RosterEntry.objects.filter(supporter=world.supporter).update(confirmed_on=None)
    response = client_for(world.user).get(reverse("supporters:found_new"))
    assert response.status_code == 200
    assert b"found-none" in response.content
    assert b"found-form" not in response.content


# --- me ---------------------------------------------------------------------------------------


def test_s2_me_changes_only_own_fields(world: World) -> None:
    client = client_for(world.user)
    url = reverse("supporters:me")
    response = client.get(url)
    assert response.status_code == 200
    assert "高知 一郎" in response.content.decode()
    world.supporter.refresh_from_db()
    version = world.supporter.version
    response = client.post(
        url,
        {
            "phone": "０９０－１２３４－５６７８",
            "email": "ichiro@example.jp",
            "availability": ["weekday_morning", "weekend_afternoon"],
            "languages": ["ja", "en"],
            "preferences": "夕方は難しいです",
            "version": str(version),
            "name": "別人",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    world.supporter.refresh_from_db()
    assert world.supporter.phone == "090-1234-5678"
    assert world.supporter.availability == ["weekday_morning", "weekend_afternoon"]
    assert world.supporter.languages == ["ja", "en"]
    assert world.supporter.preferences == "夕方は難しいです"
    assert world.supporter.name == "高知 一郎"


def test_s2_me_bad_input_and_stale_version(world: World) -> None:
    client = client_for(world.user)
    url = reverse("supporters:me")
    world.supporter.refresh_from_db()
    response = client.post(
        url,
        {"email": "not-an-address", "availability": ["never"], "preferences": "朝がよい",
         "version": str(world.supporter.version)},
    )  # fmt: skip
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "email" in errors and "availability" in errors
    assert "朝がよい" in response.content.decode()
    response = client.post(
        url, {"preferences": "朝がよい", "version": str(world.supporter.version + 1)}
    )
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()


def test_s5_a_supporter_sees_no_other_menu(world: World) -> None:
    """The supporter's menu: nothing to search persons with, nobody else's records."""
    response = client_for(world.user).get(reverse("web:home"))
    nav = [str(item.url) for item in response.context["nav_items"]]
    assert reverse("people:list") not in nav
    assert reverse("referrals:list") not in nav
    assert reverse("agencies:list") not in nav
    assert client_for(world.user).get(reverse("people:list")).status_code in (403, 404)
