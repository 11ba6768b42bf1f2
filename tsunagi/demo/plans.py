"""Demo of the plans-and-meetings issue: walkthrough D (R3b, R4, plan and meeting).

The casebook's 28-year-old woman at 高知市's self-reliance agency (demo-sr-staff; "働きたいが、
外に出るのが怖い日がある") has two plans, written through the services as the demo users, so
every row has its audit events:

- plan no. 1 (the self-reliance agency alone: 就労準備支援 and a work experience), approved at a
  first support coordination meeting with 高知市's office, decided by 高知市, then evaluated:
  she went to the work experience once and then could not go out; the steps in daily life
  count (handbook), and the decision is a re-plan. It stays as it was (history), replaced by
- plan no. 2: her wishes in her words (R1) and her mother's, which differ; items of the
  self-reliance agency (就労準備支援, consultation) and of the hikikomori center (居場所, 訪問),
  split as R4 proposes; approved at a support coordination meeting where the center is a member
  (R3b) and attends (demo-staff), with her consent naming that meeting (P1), the minutes and a
  follow-up task for the center; the support decision of 高知市; the review (monitoring) date is
  today, so it shows among the reviews due on the self-reliance agency's dashboard.

Dates are relative to today and the texts fixed, so the same seed gives the same data. Built
once (the first meeting's title is the marker); `reset_plans` removes the plans, evaluations,
tasks and attendees of the demo agencies before `reset_sharing` removes the meetings.
"""

from __future__ import annotations

import datetime
from collections import Counter
from typing import Any

from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from tsunagi.accounts.models import User
from tsunagi.agencies.models import Agency
from tsunagi.meetings.models import AgendaDecision, FollowUpTask, Meeting, MeetingKind
from tsunagi.people.models import Case
from tsunagi.plans.models import Evaluation, Goal, GoalResult, PlanItem, SupportPlan

from .cast import ADULT_CENTER, KOCHI_CITY_OFFICE, KOCHI_CITY_SELF_RELIANCE
from .specs import DEMO_SOURCE_PREFIX

STAFF = "demo-staff"  # the adult center's coordinator, attends the meeting
SR_STAFF = "demo-sr-staff"  # writes the plans
SR_MANAGER = "demo-sr-manager"  # convenes the meetings
STORY_D = "働きたいが、外に出るのが怖い日がある"  # the casebook's walkthrough D person
FIRST_MEETING = "支援調整会議（令和 第1回・就労準備）"  # the marker: built once
MEETING = "支援調整会議（ひきこもり地域支援センター同席）"
DECIDED_BY = "高知市（健康福祉部 福祉管理課）"
PLACE = "高知市生活支援相談センター 相談室"
MEETING_KINDS = ["identity", "situation", "assessment", "plan"]

# Days before today of each step (the casebook's intake is 60 days ago).
FIRST_CONSENT, FIRST_MEETING_DAY, FIRST_DECIDED = 56, 55, 54
FIRST_ENDS, EVALUATED = 33, 33
CONSENT, PLAN_STARTS, MEETING_DAY, DECIDED = 32, 31, 30, 28
PLAN_DAYS = 120
TASK_DUE_IN = 3

FIRST_WISHES = "自分に合った働き方を少しずつ見つけたい。まずは週1回、どこかに通う練習をしたい。"
WISHES = (
    "働きたい気持ちはある。でも今は外に出るのが怖い。人の多いところは無理。"
    "まずは安心していられる場所がほしい。家に来てもらうなら、坂本さんがいい。"
)
FAMILY_WISHES = "母：早く仕事に就いてほしい。家にばかりいるのが心配で、つい強く言ってしまう。"
AIM = (
    "本人のペースを大切にし、仕事を急がせない。ひきこもり地域支援センターの居場所と訪問で、"
    "安心して外に出られる時間を少しずつ増やす。自立相談支援機関は就労準備支援事業で生活"
    "リズムと働く準備を支え、家計と今後の働き方を一緒に考える。両機関で月1回、支援の状況を"
    "共有する（R4の役割分担）。"
)
PERSON_VIEW = (
    "就労体験には1回行けたけれど、そのあと外に出られなくなった。人の多い場所はまだ怖い。"
    "朝は決まった時間に起きられるようになった。"
)
STAFF_VIEW = (
    "生活リズムは整ってきたが、外出への不安が強く、ひきこもりの状態にある。"
    "ひきこもり地域支援センターの居場所と訪問を加えて再プランとする（R3b）。"
)
MINUTES = (
    "本人は「まずは安心していられる場所がほしい」と話しており、就労を急がない方針を確認した。"
    "センターの居場所（週1回）と訪問（月2回）をセンターが、就労準備支援と家計の相談を"
    "自立相談支援機関が担当する（R4）。母の焦りについては、センターの家族相談で受け止める。"
    "プラン案を承認した。"
)


def _agency(key: str) -> Agency | None:
    return Agency.objects.filter(source=f"{DEMO_SOURCE_PREFIX}{key}").first()


def _day(today: datetime.date, days_ago: int) -> datetime.date:
    return today - datetime.timedelta(days=days_ago)


def story_case(sr: Agency) -> Case | None:
    """The casebook's walkthrough D case at the self-reliance agency."""
    return (
        Case.objects.filter(agency=sr, problem_notes__startswith=STORY_D)
        .select_related("person")
        .order_by("pk")
        .first()
    )


def _meeting(
    actor: User,
    sr: Agency,
    title: str,
    held_on: datetime.date,
    purpose: str,
    *,
    members: list[Agency],
    attendees: list[User],
    other_attendees: str = "",
) -> Meeting:
    from tsunagi.meetings import services as meetings

    return meetings.create_meeting(
        actor,
        sr,
        {
            "kind": MeetingKind.COORDINATION,
            "title": title,
            "held_on": held_on,
            "starts_at": datetime.time(14, 0),
            "place": PLACE,
            "purpose": purpose,
            "other_attendees": other_attendees,
        },
        members=members,
        attendees=attendees,
    )


def _consent(actor: User, case: Case, meeting: Meeting, given_on: datetime.date) -> Any:
    """The person's consent naming the meeting (rule P1): its members see what it names."""
    from tsunagi.consent import services as consents

    from .sharing import _scan

    return consents.record_consent(
        actor,
        case.person,
        {
            "given_by": "subject",
            "recipient_meeting": meeting,
            "purpose": "支援調整会議でプランと役割分担を話し合うため",
            "kinds": MEETING_KINDS,
            "given_on": given_on,
            "valid_until": given_on + datetime.timedelta(days=365),
            "method": "signed_paper",
        },
        case=case,
        scan=_scan(),
    )


def build_plans(seed: int) -> Counter[str]:
    """Create walkthrough D's plans, meetings and evaluation once; what was created."""
    from tsunagi.meetings import services as meetings
    from tsunagi.plans import services as plans

    created: Counter[str] = Counter()
    sr, center = _agency(KOCHI_CITY_SELF_RELIANCE), _agency(ADULT_CENTER)
    city = _agency(KOCHI_CITY_OFFICE)
    users = {u.username: u for u in User.objects.filter(username__in=[STAFF, SR_STAFF, SR_MANAGER])}
    if sr is None or center is None or city is None or len(users) < 3:
        return created
    case = story_case(sr)
    if case is None:
        return created
    if Meeting.objects.filter(agency=sr, title=FIRST_MEETING).exists():
        return created  # already built
    today = timezone.localdate()
    sr_staff, sr_manager, staff = users[SR_STAFF], users[SR_MANAGER], users[STAFF]

    # --- plan no. 1: the self-reliance agency alone, approved, decided, evaluated (re-plan)
    first_meeting = _meeting(
        sr_manager,
        sr,
        FIRST_MEETING,
        _day(today, FIRST_MEETING_DAY),
        "就労準備支援事業の利用についてプランを確認するため",
        members=[city],  # the municipality that makes the support decision
        attendees=[sr_staff, sr_manager],
        other_attendees="高知市 福祉管理課 担当者",
    )
    first_consent = _consent(sr_staff, case, first_meeting, _day(today, FIRST_CONSENT))
    first_item = meetings.add_agenda_item(sr_staff, first_meeting, case, consent=first_consent)
    first = plans.create_plan(
        sr_staff,
        case,
        {
            "person_wishes": FIRST_WISHES,
            "overall_aim": "就労準備支援事業で生活リズムを整え、就労体験につなげる。",
            "starts_on": _day(today, FIRST_MEETING_DAY),
            "ends_on": _day(today, FIRST_ENDS),
            "review_on": _day(today, FIRST_ENDS),
        },
        goals=[
            {"term": "short", "text": "週1回、就労準備支援のプログラムに参加する"},
            {"term": "long", "text": "就労体験を経て、自分に合った仕事を見つける"},
        ],
        items=[
            {"what": "就労準備支援事業（生活習慣・コミュニケーションのプログラム）",
             "responsible_agency": sr, "service": "employment_preparation",
             "frequency": "週1回（火曜午前）", "goal": 0},
            {"what": "農園での就労体験（軽作業）", "responsible_agency": sr,
             "service": "employment_preparation", "frequency": "月2回", "goal": 1},
        ],
    )  # fmt: skip
    meetings.record_minutes(
        sr_staff,
        first_item,
        minutes="本人の希望に沿い、就労準備支援事業の利用を中心とするプランを確認した。",
        decision=AgendaDecision.PLAN_APPROVED,
    )
    first = plans.approve_plan(sr_staff, first, first_item)
    first = plans.decide_plan(
        sr_manager, first, decided_on=_day(today, FIRST_DECIDED), decided_by=DECIDED_BY
    )
    goals = list(first.goals.order_by("order", "pk"))
    plans.evaluate_plan(
        sr_staff,
        first,
        {
            "evaluated_on": _day(today, EVALUATED),
            "person_view": PERSON_VIEW,
            "staff_view": STAFF_VIEW,
            "decision": "replan",
            "step_daily_life": True,
        },
        results={
            goals[0].pk: {"achievement": "partly", "notes": "最初の3週は参加できた"},
            goals[1].pk: {"achievement": "not_achieved", "notes": "体験は1回のみ"},
        },
    )
    created["plans"] += 1
    created["evaluations"] += 1

    # --- plan no. 2: the re-plan with the hikikomori center (R3b, R4)
    second = plans.replan(sr_staff, first)
    second = plans.update_plan(
        sr_staff,
        second,
        {
            "person_wishes": WISHES,
            "family_wishes": FAMILY_WISHES,
            "overall_aim": AIM,
            "starts_on": _day(today, PLAN_STARTS),
            "ends_on": _day(today, PLAN_STARTS) + datetime.timedelta(days=PLAN_DAYS),
            "review_on": today,  # due today: on the dashboard
        },
        goals=[
            {"term": "short", "text": "週1回、居場所で安心して過ごす時間をもつ"},
            {"term": "short", "text": "朝9時に起きる生活リズムを続ける"},
            {"term": "long", "text": "自分に合った働き方を見つけ、就労体験にもう一度挑戦する"},
        ],
        items=[
            {"what": "居場所（フリースペース）で過ごす。最初は担当の坂本さんと一緒に",
             "responsible_agency": center, "service": "place",
             "frequency": "週1回（水曜午後）", "goal": 0},
            {"what": "自宅への訪問と、本人の話を聴く時間（見守り・傾聴）",
             "responsible_agency": center, "service": "home_visit",
             "frequency": "月2回", "goal": 1},
            {"what": "就労準備支援事業（生活リズムと働く準備のプログラム）",
             "responsible_agency": sr, "service": "employment_preparation",
             "frequency": "週1回、本人の調子に合わせて", "goal": 2},
            {"what": "面談で家計と今後の働き方を一緒に考える", "responsible_agency": sr,
             "service": "self_reliance_consultation", "frequency": "月1回", "goal": 2},
        ],
        version=second.version,
    )  # fmt: skip
    meeting = _meeting(
        sr_manager,
        sr,
        MEETING,
        _day(today, MEETING_DAY),
        "再プランの内容と、自立相談支援機関とひきこもり地域支援センターの役割分担を確認するため",
        members=[center],
        attendees=[sr_staff, sr_manager, staff],
        other_attendees="本人（冒頭のみ同席）",
    )
    consent = _consent(sr_staff, case, meeting, _day(today, CONSENT))
    item = meetings.add_agenda_item(sr_staff, meeting, case, consent=consent)
    item = meetings.record_minutes(
        sr_staff,
        item,
        minutes=MINUTES,
        decision=AgendaDecision.PLAN_APPROVED,
        decision_notes="次回の見直しで、居場所に通えた回数と本人の気持ちを確認する。",
    )
    second = plans.approve_plan(sr_staff, second, item)
    second = plans.decide_plan(
        sr_manager, second, decided_on=_day(today, DECIDED), decided_by=DECIDED_BY
    )
    meetings.add_task(
        sr_manager,
        meeting,
        {
            "what": "居場所の見学日を本人と調整し、初回の訪問を行う",
            "agency": center,
            "assignee": staff,
            "due_on": today + datetime.timedelta(days=TASK_DUE_IN),
            "item": item,
        },
    )
    created["plans"] += 1
    created["meetings"] += 2
    created["consents"] += 2
    created["follow-up tasks"] += 1
    return created


def reset_plans(agency_ids: list[int]) -> Counter[str]:
    """Delete the plans, evaluations, follow-up tasks and meeting attendees of the demo agencies
    (dependants first), before `reset_sharing` deletes the meetings and consents."""
    removed: Counter[str] = Counter()
    if not agency_ids:
        return removed
    mine = Q(agency_id__in=agency_ids)
    plans = SupportPlan.objects.filter(mine)
    meetings = Meeting.objects.filter(mine)
    steps: list[tuple[str, Any]] = [
        ("goal results", GoalResult.objects.filter(evaluation__plan__in=plans)),
        ("evaluations", Evaluation.objects.filter(plan__in=plans)),
        ("plan items", PlanItem.objects.filter(plan__in=plans)),
        ("goals", Goal.objects.filter(plan__in=plans)),
        ("plans", plans),
        ("follow-up tasks", FollowUpTask.objects.filter(meeting__in=meetings)),
        ("meeting attendees", Meeting.attendees.through.objects.filter(meeting__in=meetings)),
    ]
    for label, queryset in steps:
        removed[label] = queryset._raw_delete(queryset.db)
    return +removed


# --- where to look ----------------------------------------------------------------------------


def _url(name: str, *args: Any) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def plans_summary() -> list[str]:
    """Where to look in walkthrough D, for the command's output."""
    plan = (
        SupportPlan.objects.filter(
            agency__source=f"{DEMO_SOURCE_PREFIX}{KOCHI_CITY_SELF_RELIANCE}",
            previous__isnull=False,
            case__problem_notes__startswith=STORY_D,
        )
        .select_related("approved_item")
        .order_by("pk")
        .first()
    )
    if plan is None:
        return []
    lines = [
        f"walkthrough D: plan no. {plan.number} with the center's 居場所 and 訪問 (R4), decided, "
        f"review due today: {_url('plans:detail', plan.pk)} (print "
        f"{_url('plans:print', plan.pk)}), the case's plans {_url('plans:case', plan.case_id)}, "
        f"reviews due {_url('plans:reviews')} (log in as {SR_STAFF})"
    ]
    if plan.previous_id is not None:
        lines.append(
            f"walkthrough D: the evaluated plan no. 1 (re-plan), evaluation sheet "
            f"{_url('plans:print_evaluation', plan.previous_id)}"
        )
    if plan.approved_item is not None:
        meeting = plan.approved_item.meeting_id
        lines.append(
            f"walkthrough D: the support coordination meeting with the center (R3b), minutes and "
            f"a task: {_url('meetings:detail', meeting)} (minutes {_url('meetings:print', meeting)}"
            f"; as {SR_STAFF}, or {STAFF} for the center)"
        )
    return lines
