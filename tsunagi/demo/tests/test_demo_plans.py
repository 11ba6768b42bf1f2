"""The plans-and-meetings issue's demo: walkthrough D at 高知市's self-reliance agency — a decided
plan with items of both agencies split as R4 proposes, approved at a support coordination
meeting where the hikikomori center is a member (R3b) under the person's consent naming the
meeting (P1), minutes and a follow-up task, the review due today on the dashboard, and the
evaluated first plan kept as history; printable; the same seed gives the same data, --reset
removes it, and the bench calls find it."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from tsunagi.access.policy import Kind, sight
from tsunagi.accounts.models import User
from tsunagi.agencies.models import HIKIKOMORI_KINDS, AgencyKind
from tsunagi.bench.harness import Registry, load_calls, run_bench
from tsunagi.demo.builders import reset_demo
from tsunagi.demo.cast import ADULT_CENTER, KOCHI_CITY_SELF_RELIANCE
from tsunagi.demo.plans import MEETING, SR_STAFF, STAFF, STORY_D
from tsunagi.meetings import printing as minutes_printing
from tsunagi.meetings.models import AgendaDecision, FollowUpTask, Meeting, MeetingKind
from tsunagi.plans import printing, selectors
from tsunagi.plans.models import Decision, Evaluation, Goal, PlanItem, PlanState, SupportPlan
from tsunagi.plans.rules import EMPLOYMENT_SERVICES, WATCHING_OVER_SERVICES

pytestmark = pytest.mark.django_db

PLAN_CALLS = {
    "plans.detail",
    "api.plans.detail",
    "plans.case",
    "api.plans.case",
    "plans.reviews",
    "api.plans.reviews",
    "meetings.detail",
    "meetings.detail_member",
    "api.meetings.detail",
}


def demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def user(name: str) -> User:
    return User.objects.get(username=name)


@pytest.fixture
def built() -> str:
    return demo()


def current() -> SupportPlan:
    return SupportPlan.objects.select_related("approved_item__meeting", "previous").get(
        case__problem_notes__startswith=STORY_D, state=PlanState.DECIDED
    )


def test_r4_walkthrough_d_plan_has_both_agencies_items_split_by_default(built: str) -> None:
    plan = current()

    assert plan.agency.source == f"demo:{KOCHI_CITY_SELF_RELIANCE}"
    assert plan.person.age(timezone.localdate()) == 28 and plan.person.sex == "female"
    assert plan.person_wishes and plan.family_wishes and plan.family_wishes != plan.person_wishes
    items = list(plan.items.select_related("responsible_agency"))
    by_kind = {i.service: i.responsible_agency.kind for i in items}
    assert {"place", "home_visit", "employment_preparation"} <= set(by_kind)
    for item in items:
        if item.service in EMPLOYMENT_SERVICES:
            assert item.responsible_agency.kind == AgencyKind.SELF_RELIANCE
        if item.service in WATCHING_OVER_SERVICES:
            assert item.responsible_agency.kind in HIKIKOMORI_KINDS
    assert selectors.plan_findings(plan) == []  # no R4 departure, R3b satisfied
    assert "walkthrough D" in built


def test_r3b_p1_decided_at_the_meeting_with_the_center_under_her_consent(built: str) -> None:
    plan = current()
    item = plan.approved_item
    assert item is not None
    meeting = item.meeting

    assert meeting.title == MEETING and meeting.kind == MeetingKind.COORDINATION
    assert meeting.members.filter(source=f"demo:{ADULT_CENTER}").exists()
    assert meeting.attendees.filter(username=STAFF).exists()
    assert item.consent is not None and item.consent.recipient_meeting_id == meeting.pk
    assert item.decision == AgendaDecision.PLAN_APPROVED and item.minutes
    assert plan.approved_on == meeting.held_on
    assert plan.decided_on is not None and "高知市" in plan.decided_by
    # the center sees the plan through the consent naming the meeting, and has its task
    assert sight(user(STAFF), Kind.PLAN, plan) is not None
    task = FollowUpTask.objects.get(meeting=meeting)
    assert task.agency.source == f"demo:{ADULT_CENTER}" and task.done_at is None
    assert task in list(selectors.open_tasks(user(STAFF)))


def test_walkthrough_d_review_is_due_today_on_the_dashboard(built: str) -> None:
    plan = current()

    assert plan.review_on == timezone.localdate()
    assert plan in list(selectors.reviews_due(user(SR_STAFF)))
    assert plan not in list(selectors.reviews_due(user(STAFF)))  # the center's list is its own


def test_the_first_plan_is_evaluated_and_kept_as_history(built: str) -> None:
    plan = current()
    first = plan.previous
    assert first is not None

    assert first.state == PlanState.SUPERSEDED and first.number == 1 and plan.number == 2
    evaluation = Evaluation.objects.get(plan=first)
    assert evaluation.decision == Decision.REPLAN and evaluation.person_view
    assert evaluation.step_daily_life and not evaluation.found_work  # a step, not work
    assert evaluation.results.count() == first.goals.count() == 2
    assert [p.number for p in selectors.plans_of_case(user(SR_STAFF), plan.case)] == [2, 1]


def test_walkthrough_d_prints(built: str) -> None:
    plan = current()
    sr = user(SR_STAFF)

    assert plan.person_wishes in printing.plan_html(sr, plan)
    assert plan.previous is not None
    evaluation = Evaluation.objects.get(plan=plan.previous)
    assert evaluation.person_view in printing.evaluation_html(sr, plan.previous)
    meeting = Meeting.objects.get(title=MEETING)
    assert meeting.agenda.get().minutes in minutes_printing.minutes_html(sr, meeting)
    assert meeting.agenda.get().minutes in minutes_printing.minutes_html(user(STAFF), meeting)


def test_the_bench_calls_find_walkthrough_d(built: str) -> None:
    calls = {call.name: call for call in load_calls()}
    assert set(calls) >= PLAN_CALLS
    plan = current()
    assert plan.approved_item is not None
    assert calls["plans.detail"].path().endswith(f"/{plan.pk}/")
    assert calls["api.plans.case"].path() == f"/api/v1/plans?case={plan.case_id}"
    assert calls["meetings.detail"].path().endswith(f"/{plan.approved_item.meeting_id}/")
    mine = Registry()
    for name in PLAN_CALLS:
        mine._calls[name] = calls[name]

    result = run_bench(mine, sizes=[0], repeat=1, warmup=0, rebuild=None)

    assert not result.problems, result.table()


def snapshot() -> list[tuple[object, ...]]:
    return [
        (
            p.number,
            p.state,
            p.person_wishes,
            p.starts_on,
            p.review_on,
            p.decided_on,
            sorted((i.what, i.responsible_agency.name) for i in p.items.all()),
        )
        for p in SupportPlan.objects.order_by("case__person__family_name", "number")
    ]


def test_the_same_seed_gives_the_same_plans_demo() -> None:
    demo("--quiet")
    first = snapshot()
    demo("--quiet", "--reset")

    assert snapshot() == first
    assert len(first) == 2


def test_reset_removes_the_plans_demo() -> None:
    demo("--quiet")
    assert SupportPlan.objects.exists() and FollowUpTask.objects.exists()

    reset_demo()

    for model in (SupportPlan, Goal, PlanItem, Evaluation, FollowUpTask, Meeting):
        assert not model.objects.exists(), model
    assert not Meeting.attendees.through.objects.exists()
