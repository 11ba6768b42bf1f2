"""The printed support plan (プラン兼事業等利用申込書) and evaluation sheet (評価シート):
printed by the owning agency only (404 for an agency that sees the plan through the meeting's
consent, an outsider and nobody), with the person's wishes in their words (R1), the items each
with its one responsible agency (R4), the approval and support decision, and signature lines;
logged as `plan.printed`."""

from __future__ import annotations

import datetime
import shutil
import subprocess
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from tests.cast import Cast, make_cast
from tests.people import make_person, years_ago
from tests.sharing import make_consent, receiver
from tsunagi.access.models import AuditEvent
from tsunagi.access.policy import Kind, sight
from tsunagi.accounts.models import Role
from tsunagi.meetings import services as meetings
from tsunagi.meetings.models import AgendaItem, Meeting
from tsunagi.people import services as people
from tsunagi.people.models import Case
from tsunagi.plans import printing
from tsunagi.plans import services as plans
from tsunagi.plans.models import Decision, PlanState, SupportPlan

pytestmark = pytest.mark.django_db

WISHES = "働きたい気持ちはある。でも今は外に出るのが怖い。"
FAMILY = "母：早く仕事に就いてほしい。"
AIM = "本人のペースを大切に、居場所と訪問で外に出る時間を増やしながら働く準備を進める。"
MINUTES = "本人は居場所の見学を希望。センターが初回訪問で日程を相談する。"

needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None,
    reason="pdftotext (Debian package poppler-utils) is not installed: the PDF text is not read",
)


@dataclass
class WalkthroughD:
    """A 28-year-old woman at the self-reliance agency, with the hikikomori center invited."""

    cast: Cast
    sr: Any  # the self-reliance agency's staff member (the plan's owner)
    center_staff: Any
    case: Case
    meeting: Meeting
    item: AgendaItem
    plan: SupportPlan


def walkthrough_d(*, decide: bool = True) -> WalkthroughD:
    """Walkthrough D through the services: the meeting, the consent naming it, the plan with
    both agencies' items (R4 split), minutes, approval, the support decision and a task."""
    cast = make_cast()
    sr = receiver(cast)
    center_staff = cast.users[Role.STAFF]
    today = timezone.localdate()
    person = make_person(
        sr, cast.self_reliance, "小松", "彩花", family_name_kana="コマツ",
        given_name_kana="アヤカ", sex="female", birth_date=years_ago(28),
    )  # fmt: skip
    case = people.open_case(sr, person, {})
    meeting = meetings.create_meeting(
        sr,
        cast.self_reliance,
        {
            "kind": "coordination",
            "title": "第3回 支援調整会議",
            "held_on": today,
            "starts_at": datetime.time(14, 0),
            "place": "高知市自立相談支援機関 相談室",
            "purpose": "プランの内容と役割分担を確認するため",
            "other_attendees": "高知市 福祉管理課 担当者",
        },
        members=[cast.center],
        attendees=[sr, center_staff],
    )
    consent = make_consent(
        sr,
        person,
        None,  # type: ignore[arg-type]  # the meeting is the recipient
        ["identity", "situation", "plan"],
        case=case,
        recipient_meeting=meeting,
    )
    item = meetings.add_agenda_item(sr, meeting, case, consent=consent)
    plan = plans.create_plan(
        sr,
        case,
        {
            "person_wishes": WISHES,
            "family_wishes": FAMILY,
            "overall_aim": AIM,
            "starts_on": today,
            "ends_on": today + datetime.timedelta(days=90),
            "review_on": today + datetime.timedelta(days=30),
        },
        goals=[
            {"term": "short", "text": "週1回、居場所で過ごす"},
            {"term": "long", "text": "自分に合った働き方を見つける"},
        ],
        items=[
            {"what": "居場所で過ごす", "responsible_agency": cast.center, "service": "place",
             "frequency": "週1回（水曜午後）", "goal": 0},
            {"what": "自宅への訪問と傾聴", "responsible_agency": cast.center,
             "service": "home_visit", "frequency": "月2回", "goal": 0},
            {"what": "就労準備支援のプログラム", "responsible_agency": cast.self_reliance,
             "service": "employment_preparation", "frequency": "週1回", "goal": 1},
        ],
    )  # fmt: skip
    item = meetings.record_minutes(sr, item, minutes=MINUTES, decision="plan_approved")
    if decide:
        plan = plans.approve_plan(sr, plan, item)
        plan = plans.decide_plan(sr, plan, decided_on=today, decided_by="高知市")
    meetings.add_task(
        sr,
        meeting,
        {
            "what": "居場所の見学日を本人と調整する",
            "agency": cast.center,
            "assignee": center_staff,
            "due_on": today + datetime.timedelta(days=7),
            "item": item,
        },
    )
    return WalkthroughD(cast, sr, center_staff, case, meeting, item, plan)


@pytest.fixture
def d() -> WalkthroughD:
    return walkthrough_d()


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_r1_r4_plan_form_shows_wishes_goals_items_period_approval_and_signatures(d) -> None:
    html = printing.plan_html(d.sr, d.plan)

    assert "プラン兼事業等利用申込書" in html
    assert WISHES in html and FAMILY in html and AIM in html  # rule R1, in their words
    assert "週1回、居場所で過ごす" in html and "自分に合った働き方を見つける" in html
    assert "短期目標" in html and "長期目標" in html
    # rule R4: each item with its one agency and its service
    items = html.split('id="items"')[1].split("</table>")[0]
    assert items.count(d.cast.center.name) == 2 and items.count(d.cast.self_reliance.name) == 1
    assert "居場所" in items and "就労準備支援" in items and "週1回（水曜午後）" in items
    assert "令和" in html  # dates in the Japanese era
    assert "第3回 支援調整会議" in html and "高知市" in html  # approval and decision
    signatures = html.split('id="signatures"')[1]
    assert "本人" in signatures and "署名" in signatures
    assert d.cast.self_reliance.name in signatures and d.cast.center.name in signatures
    assert "小松" in html and d.case.number in html


def test_r1_a_draft_is_printed_marked_as_not_yet_approved() -> None:
    d = walkthrough_d(decide=False)
    assert d.plan.state == PlanState.DRAFT

    html = printing.plan_html(d.sr, d.plan)

    assert "案" in html or "Draft" in html
    assert WISHES in html


def test_plan_pdf_is_inline_and_logged_as_plan_printed(d) -> None:
    response = login(d.sr).get(reverse("plans:print", args=[d.plan.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"].startswith("inline;")
    assert quote(f"{d.case.number}_{d.plan.number}.pdf") in response["Content-Disposition"]
    event = AuditEvent.objects.get(action="plan.printed")
    assert event.personal and event.subject_id == d.case.person_id
    assert event.grant == "own_agency" and event.detail["sheet"] == "plan"


def test_p1_plan_print_is_404_for_the_member_agency_an_outsider_and_nobody(d) -> None:
    # the center sees the plan through the consent naming the meeting, but does not print it
    assert sight(d.center_staff, Kind.PLAN, d.plan) is not None
    for user in (d.center_staff, d.cast.outsider, d.cast.nobody, d.cast.users[Role.OPERATOR]):
        with pytest.raises(Http404):
            printing.plan_pdf(user, d.plan)
        for name in ("plans:print", "plans:print_evaluation"):
            assert login(user).get(reverse(name, args=[d.plan.pk])).status_code in (403, 404)
    assert login(d.sr).get(reverse("plans:print", args=[0])).status_code == 404
    assert not AuditEvent.objects.filter(action="plan.printed").exists()


def test_evaluation_sheet_of_a_plan_in_force_is_blank_with_its_goals(d) -> None:
    html = printing.evaluation_html(d.sr, d.plan)

    assert "評価シート" in html
    assert "週1回、居場所で過ごす" in html
    assert "■" not in html.split('id="goals"')[1].split("</table>")[0]  # nothing ticked


def test_evaluation_sheet_shows_results_view_decision_and_outcomes_beyond_work(d) -> None:
    goals = list(d.plan.goals.all())
    plans.evaluate_plan(
        d.sr,
        d.plan,
        {
            "person_view": "居場所には行けるようになった。働くのはもう少し先。",
            "staff_view": "生活リズムが整ってきた。",
            "decision": "replan",
            "step_daily_life": True,
            "step_social_life": True,
        },
        results={
            goals[0].pk: {"achievement": "achieved", "notes": "毎週通えた"},
            goals[1].pk: {"achievement": "not_achieved"},
        },
    )
    d.plan.refresh_from_db()

    html = printing.evaluation_html(d.sr, d.plan)

    assert "居場所には行けるようになった。働くのはもう少し先。" in html
    assert "生活リズムが整ってきた。" in html and "毎週通えた" in html
    goals_table = html.split('id="goals"')[1].split("</table>")[0]
    assert goals_table.count("■") == 2
    decision = html.split('id="decision"')[1].split("</td>")[0]
    assert decision.count("■") == 1
    with translation.override("ja"):
        assert "■" + str(Decision.REPLAN.label) in decision
    outcomes = html.split('id="outcomes"')[1].split("</td>")[0]
    assert outcomes.count("■") == 2  # daily and social life; no work, and that is a result too
    assert "署名" in html.split('id="signatures"')[1]

    response = login(d.sr).get(reverse("plans:print_evaluation", args=[d.plan.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    event = AuditEvent.objects.get(action="plan.printed")
    assert event.detail["sheet"] == "evaluation"


def test_a_draft_has_no_evaluation_sheet_and_the_page_says_why() -> None:
    d = walkthrough_d(decide=False)

    with pytest.raises(ValidationError) as err:
        printing.evaluation_pdf(d.sr, d.plan)
    assert "state" in err.value.message_dict
    response = login(d.sr).get(reverse("plans:print_evaluation", args=[d.plan.pk]))
    assert response.status_code == 409
    assert not AuditEvent.objects.filter(action="plan.printed").exists()


@needs_pdftotext
def test_r1_pdf_text_holds_the_wishes(d) -> None:
    pdf = printing.plan_pdf(d.sr, d.plan)
    text = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8")
    flat = text.replace(" ", "").replace("\n", "")
    assert "プラン兼事業等利用申込書" in flat
    assert "外に出るのが怖い" in flat
