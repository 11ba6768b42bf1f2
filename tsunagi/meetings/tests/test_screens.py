"""The meeting screens: convening a meeting (for a plan: its agencies, the hikikomori agency
invited, rule R3b), its page with the kind explained, members, attendees and agenda, putting a
case on the agenda. At an Article 9 meeting a member sees another agency's agenda case as its
grant permits (rule P5); a support coordination meeting takes a case only with the person's
consent to it and shares only the kinds chosen within it (rule P1); the outsider sees nothing
(404)."""

from __future__ import annotations

import datetime

import pytest

from tests.people import make_person
from tsunagi.access.models import AuditEvent, Grant
from tsunagi.meetings import services
from tsunagi.meetings.models import AgendaItem, Meeting
from tsunagi.people import services as people
from tsunagi.plans import services as plans
from tsunagi.plans.models import SupportPlan

from .screen_world import World, client_for, days, html, make_world

pytestmark = pytest.mark.django_db

P1_REFUSAL = "支援調整会議で検討できるのは、本人がその会議への情報提供に同意した事例だけです"


@pytest.fixture
def world() -> World:
    return make_world()


def test_convene_a_meeting_keeps_what_was_typed(world: World) -> None:
    cast = world.cast
    client = client_for(world.staff)
    page = html(client.get("/meetings/new/"))
    assert "高知市自立相談支援機関" in page and "東京都" not in page
    data = {"kind": "article_9", "title": "支援会議", "held_on": "令和", "purpose": "見守り",
            "starts_at": "25時", "place": "センター会議室", "online": "on",
            "members": [cast.self_reliance.pk], "attendees": [world.staff.pk],
            "other_attendees": "民生委員 1名", "share_days_after": "14"}  # fmt: skip
    response = client.post("/meetings/new/", data)
    page = html(response)
    assert response.status_code == 400 and "field__error" in page
    assert "見守り" in page and "センター会議室" in page and "民生委員 1名" in page
    assert "14:00" in page  # the time field says how to write a time
    assert not Meeting.objects.exists()
    response = client.post(
        "/meetings/new/", {**data, "held_on": "R7.4.1", "starts_at": "１４：３０"}
    )
    created = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/meetings/{created.pk}/"
    assert set(created.members.all()) == {cast.center, cast.self_reliance}
    assert created.starts_at == datetime.time(14, 30) and created.online
    assert list(created.attendees.all()) == [world.staff]
    assert created.other_attendees == "民生委員 1名"
    assert "支援会議" in html(client.get("/meetings/"))


def test_convene_attendees_work_at_a_member_agency(world: World) -> None:
    client = client_for(world.staff)
    data = {"kind": "coordination", "title": "調整会議", "held_on": "R7.4.1", "purpose": "役割分担",
            "members": [world.cast.city_office.pk], "attendees": [world.sr.pk],
            "share_days_after": "14"}  # fmt: skip
    response = client.post("/meetings/new/", data)
    assert response.status_code == 400 and "attendees" in response.context["form"].errors
    assert "役割分担" in html(response) and not Meeting.objects.exists()


def _plan_at_self_reliance(world: World) -> SupportPlan:
    """Walkthrough D: her plan at the self-reliance agency, with the center's 居場所 (R4)."""
    cast = world.cast
    person = make_person(world.sr, cast.self_reliance, "小松", "彩花")
    case = people.open_case(world.sr, person, {})
    return plans.create_plan(
        world.sr, case,
        {"person_wishes": "外に出る練習から始めたい", "starts_on": days(0), "ends_on": days(90)},
        goals=[{"term": "short", "text": "週1回、居場所で過ごす"}],
        items=[
            {"what": "居場所で過ごす", "responsible_agency": cast.center, "service": "place",
             "goal": 0},
            {"what": "就労準備支援", "responsible_agency": cast.self_reliance,
             "service": "employment_preparation", "goal": 0},
        ],
    )  # fmt: skip


def test_r3b_a_meeting_for_a_plan_invites_the_hikikomori_agency(world: World) -> None:
    plan = _plan_at_self_reliance(world)
    client = client_for(world.sr)
    response = client.get(f"/meetings/new/?plan={plan.pk}")
    page = html(response)
    form = response.context["form"]
    assert response.status_code == 200 and "R3b" in page
    assert "高知県ひきこもり地域支援センター" in page and "支援調整会議" in page
    assert "このプランで本人を支援します" in page  # the reason, in Japanese
    assert form["kind"].value() == "coordination"
    assert form["members"].value() == [world.cast.center.pk]
    assert AuditEvent.objects.filter(actor=world.sr, action="plan.viewed").exists()
    data = {"kind": "coordination", "title": form["title"].value(), "held_on": "R7.4.1",
            "purpose": form["purpose"].value(), "members": [world.cast.center.pk],
            "share_days_after": "14"}  # fmt: skip
    response = client.post(f"/meetings/new/?plan={plan.pk}", data)
    meeting = Meeting.objects.get()
    assert set(meeting.members.all()) == {world.cast.center, world.cast.self_reliance}
    assert response["Location"] == f"/meetings/{meeting.pk}/?case={plan.case_id}#agenda-add"


def test_r3b_a_plan_of_another_agency_is_not_found(world: World) -> None:
    plan = _plan_at_self_reliance(world)
    assert client_for(world.staff).get(f"/meetings/new/?plan={plan.pk}").status_code == 404
    assert client_for(world.cast.outsider).get(f"/meetings/new/?plan={plan.pk}").status_code == 404
    assert client_for(world.sr).get("/meetings/new/?plan=x").status_code == 404


def test_p5_detail_explains_the_article_9_meeting(world: World) -> None:
    meeting = world.meeting(starts_at=datetime.time(10, 0), place="高知市役所", online=True)
    page = html(client_for(world.sr).get(f"/meetings/{meeting.pk}/"))
    assert "生活困窮者自立支援法第9条" in page and "守秘義務" in page
    assert "10:00" in page and "高知市役所" in page and "オンライン" in page
    assert "14日後まで" in page
    assert f"/meetings/{meeting.pk}/print/" in page
    assert f"/meetings/{meeting.pk}/edit/" not in page  # a member does not run the meeting


def test_p1_detail_explains_the_coordination_meeting(world: World) -> None:
    meeting = world.meeting("coordination")
    page = html(client_for(world.staff).get(f"/meetings/{meeting.pk}/"))
    assert "本人がこの会議" in page and "同意" in page
    assert f"/meetings/{meeting.pk}/edit/" in page


def test_p5_agenda_case_seen_by_the_member_as_the_grant_permits(world: World) -> None:
    m = world.meeting()
    client = client_for(world.staff)
    page = html(client.get(f"/meetings/{m.pk}/"))
    assert f'value="{world.case.pk}"' in page and "高知市自立相談支援機関" in page
    assert 'name="consent"' not in page  # no consent at an Article 9 meeting
    response = client.post(
        f"/meetings/{m.pk}/agenda/add/", {"case": world.case.pk, "kinds": ["identity", "situation"]}
    )
    assert response.status_code == 302
    assert AgendaItem.objects.filter(meeting=m, case=world.case).exists()
    grant = Grant.objects.get(meeting=m, receiving_agency=world.cast.self_reliance)
    page = html(client_for(world.sr).get(f"/meetings/{m.pk}/"))
    assert "山田 太郎" in page and f"/consent/persons/{world.son.pk}/shared/" in page
    assert f"/people/cases/{world.case.pk}/" not in page
    assert AuditEvent.objects.filter(
        actor=world.sr, subject_id=world.son.pk, grant=grant.code
    ).exists()


def test_p1_coordination_meeting_shares_only_with_consent_and_only_its_kinds(world: World) -> None:
    m = world.meeting("coordination")
    client = client_for(world.staff)
    url = f"/meetings/{m.pk}/agenda/add/"
    # without the person's consent: refused, with the way to record it (meeting preselected)
    response = client.post(url, {"case": world.case.pk, "kinds": ["identity"]})
    page = html(response)
    assert response.status_code == 400 and P1_REFUSAL in page
    record = f"/consent/persons/{world.son.pk}/new/?meeting={m.pk}&amp;case={world.case.pk}"
    assert record in page
    assert response.context["form"]["kinds"].value() == ["identity"]  # kept
    assert not AgendaItem.objects.exists() and not Grant.objects.exists()
    sr_page = html(client_for(world.sr).get(f"/meetings/{m.pk}/"))
    assert "太郎" not in sr_page
    # with her consent naming the other member: only the kinds chosen within it
    consent = world.consent(["identity", "situation"])
    page = html(client.get(f"/meetings/{m.pk}/?case={world.case.pk}"))
    assert f'<option value="{consent.pk}"' in page and "consent-missing" not in page
    response = client.post(
        url, {"case": world.case.pk, "consent": consent.pk, "kinds": ["identity"]}
    )
    assert response.status_code == 302
    grant = Grant.objects.get(receiving_agency=world.cast.self_reliance)
    assert grant.consent == consent and grant.kinds == ["identity"]
    sr_page = html(client_for(world.sr).get(f"/meetings/{m.pk}/"))
    assert "山田 太郎" in sr_page and "本人確認情報" in sr_page
    assert world.case.number not in sr_page  # the case's number is 'situation', not consented


def test_p1_kinds_beyond_the_consent_are_refused_and_kept(world: World) -> None:
    m = world.meeting("coordination")
    consent = world.consent(["identity"])
    response = client_for(world.staff).post(
        f"/meetings/{m.pk}/agenda/add/",
        {"case": world.case.pk, "consent": consent.pk, "kinds": ["identity", "assessment"]},
    )
    assert response.status_code == 400 and "同意" in html(response)
    assert response.context["form"]["kinds"].value() == ["identity", "assessment"]
    assert not AgendaItem.objects.exists()


def test_p1_only_consents_in_force_naming_the_meeting_are_offered(world: World) -> None:
    m = world.meeting("coordination")
    other_meeting = world.meeting("coordination")  # the same members
    elsewhere = world.consent(["identity"], to=world.cast.city_office)
    expired = world.consent(["identity"], given_on=days(-400), valid_until=days(-1))
    good = world.consent(["identity", "situation"])
    named = world.consent(["identity"], to=None, meeting=m)
    for_the_other = world.consent(["identity"], to=None, meeting=other_meeting)
    form = client_for(world.staff).get(f"/meetings/{m.pk}/").context["form"]
    offered = set(form.fields["consent"].queryset)
    assert offered == {good, named}
    assert elsewhere not in offered and expired not in offered and for_the_other not in offered
    # a consent not offered cannot be posted either
    response = client_for(world.staff).post(
        f"/meetings/{m.pk}/agenda/add/", {"case": world.case.pk, "consent": elsewhere.pk}
    )
    assert response.status_code == 400 and not AgendaItem.objects.exists()


def test_agenda_bad_inputs(world: World) -> None:
    m = world.meeting()
    client = client_for(world.staff)
    response = client.post(f"/meetings/{m.pk}/agenda/add/", {"case": world.case.pk})
    assert response.status_code == 400 and "情報の種類を1つ以上選んでください" in html(response)
    assert client.post(f"/meetings/{m.pk}/agenda/add/", {"kinds": ["identity"]}).status_code == 400
    assert not AgendaItem.objects.exists()


def test_nobody_and_the_outsider_see_nothing(world: World) -> None:
    m = world.meeting()
    outsider = client_for(world.cast.outsider)
    assert outsider.get(f"/meetings/{m.pk}/").status_code == 404
    assert outsider.post(f"/meetings/{m.pk}/agenda/add/", {}).status_code == 404
    assert "8050世帯の支援会議" not in html(outsider.get("/meetings/"))
    assert client_for(world.cast.nobody).get(f"/meetings/{m.pk}/").status_code == 403
    # a member agency's staff sees the meeting but cannot put the center's case on its agenda
    sr = client_for(world.sr)
    assert sr.get(f"/meetings/{m.pk}/").status_code == 200
    response = sr.post(
        f"/meetings/{m.pk}/agenda/add/", {"case": world.case.pk, "kinds": ["identity"]}
    )
    assert response.status_code == 400
    assert not AgendaItem.objects.exists()
    services.add_agenda_item(world.staff, m, world.case)
    assert "山田" not in html(outsider.get(f"/meetings/{m.pk}/"))
