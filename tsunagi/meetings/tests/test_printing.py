"""The printed minutes (議事録): the kind of meeting with its statement (the Article 9 duty of
confidentiality, rule P5; the consent naming the meeting, rule P1), date, time and place, members
and attendees, per agenda case the minutes and decision, and the follow-up tasks. The convener
and the member agencies print them, each with the agenda cases they may see; logged as
`meeting.printed`."""

from __future__ import annotations

import datetime
from urllib.parse import quote

import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from tests.people import make_person
from tsunagi.access.models import AuditEvent
from tsunagi.accounts.models import Role
from tsunagi.consent.services import withdraw_consent
from tsunagi.meetings import printing
from tsunagi.meetings import services as meetings
from tsunagi.people import services as people
from tsunagi.plans.tests.test_printing import MINUTES, WalkthroughD, login, walkthrough_d

pytestmark = pytest.mark.django_db


@pytest.fixture
def d() -> WalkthroughD:
    return walkthrough_d()


def test_p1_coordination_minutes_show_the_meeting_the_case_its_decision_and_tasks(d) -> None:
    html = printing.minutes_html(d.sr, d.meeting)

    assert "議事録" in html and "支援調整会議" in html
    assert 'id="consent-statement"' in html and 'id="confidentiality"' not in html
    assert "令和" in html and "14:00" in html and "高知市自立相談支援機関 相談室" in html
    members = html.split('id="members"')[1].split("</td>")[0]
    assert d.cast.center.name in members and d.cast.self_reliance.name in members
    attendees = html.split('id="attendees"')[1].split("</td>")[0]
    assert "sr_staff" in attendees and "staff" in attendees and "福祉管理課" in attendees
    case = html.split('id="case-1"')[1]
    assert d.case.number in case and "小松" in case and MINUTES in case
    assert "プラン承認" in case or "Plan approved" in case
    assert "第1回プラン" in case or "plan no. 1" in case
    tasks = html.split('id="tasks"')[1].split("</table>")[0]
    assert "居場所の見学日を本人と調整する" in tasks and d.cast.center.name in tasks
    assert "記録者" in html.split('id="signatures"')[1]


def test_p3_minutes_pdf_is_inline_and_each_case_printed_is_logged(d) -> None:
    response = login(d.sr).get(reverse("meetings:print", args=[d.meeting.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"].startswith("inline;")
    assert (
        quote(f"{d.meeting.held_on:%Y%m%d}_{d.meeting.pk}.pdf") in (response["Content-Disposition"])
    )
    events = AuditEvent.objects.filter(action="meeting.printed")
    meeting_event = events.get(personal=False)
    assert meeting_event.detail["items"] == [d.item.pk]
    case_event = events.get(personal=True)
    assert case_event.subject_id == d.case.person_id and case_event.grant == "own_agency"


def test_p1_a_member_agency_prints_the_case_it_sees_through_the_consent(d) -> None:
    html = printing.minutes_html(d.center_staff, d.meeting)
    assert "小松" in html and MINUTES in html

    printing.minutes_pdf(d.center_staff, d.meeting)

    event = AuditEvent.objects.get(action="meeting.printed", personal=True)
    assert event.grant != "own_agency" and event.actor_agency_id == d.cast.center.pk


def test_p4_after_the_withdrawal_a_member_prints_the_minutes_without_the_case(d) -> None:
    withdraw_consent(d.sr, d.item.consent, note="本人から電話で撤回")

    html = printing.minutes_html(d.center_staff, d.meeting)

    assert "小松" not in html and MINUTES not in html and d.case.number not in html
    assert "居場所の見学日を本人と調整する" not in html  # the case's task goes with it
    assert d.cast.self_reliance.name in html.split('id="case-1"')[1]
    printing.minutes_pdf(d.center_staff, d.meeting)
    assert not AuditEvent.objects.filter(action="meeting.printed", personal=True).exists()
    # the convener still prints it in full
    assert MINUTES in printing.minutes_html(d.sr, d.meeting)


def test_p5_article_9_minutes_carry_the_duty_of_confidentiality(d) -> None:
    center_staff = d.center_staff
    meeting = meetings.create_meeting(
        center_staff,
        d.cast.center,
        {
            "kind": "article_9",
            "title": "支援会議（第9条）",
            "held_on": timezone.localdate(),
            "online": True,
            "purpose": "地域で孤立している世帯の支援方針",
        },
        members=[d.cast.self_reliance],
    )
    person = make_person(center_staff, d.cast.center, "森田", "浩二")
    case = people.open_case(center_staff, person, {})
    item = meetings.add_agenda_item(center_staff, meeting, case)
    meetings.record_minutes(center_staff, item, minutes="父の介護と借金の相談を先に進める。")

    html = printing.minutes_html(d.sr, meeting)

    statement = html.split('id="confidentiality"')[1].split("</div>")[0]
    assert "第9条" in statement and "秘密" in statement
    assert "支援会議（法第9条）" in html and "オンライン" in html
    assert "父の介護と借金の相談を先に進める。" in html  # the member sees the agenda case


def test_minutes_are_404_for_an_outsider_nobody_and_the_operator(d) -> None:
    for user in (d.cast.outsider, d.cast.nobody, d.cast.users[Role.OPERATOR]):
        with pytest.raises(Http404):
            printing.minutes_pdf(user, d.meeting)
        response = login(user).get(reverse("meetings:print", args=[d.meeting.pk]))
        assert response.status_code in (403, 404), user
    assert login(d.sr).get(reverse("meetings:print", args=[0])).status_code == 404
    assert not AuditEvent.objects.filter(action="meeting.printed").exists()


def test_a_meeting_without_cases_prints_empty_sections(d) -> None:
    empty = meetings.create_meeting(
        d.sr,
        d.cast.self_reliance,
        {
            "kind": "coordination",
            "title": "支援調整会議（定例）",
            "held_on": timezone.localdate() + datetime.timedelta(days=14),
            "purpose": "定例の会議",
        },
    )

    html = printing.minutes_html(d.sr, empty)

    assert "検討事例はありません" in html and "今後の対応はありません" in html
