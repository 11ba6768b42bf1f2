"""The world of walkthrough D for plan tests: a 28-year-old woman at 高知市's self-reliance agency
who is also in a hikikomori state; the prefecture's center takes part in her plan (R3b, R4).

The plan is the self-reliance agency's; its staff member is `sr`. The center's staff member is
`cast.users[Role.STAFF]`. A support coordination meeting convened by the self-reliance agency
with the center as a member, and her consent naming that meeting (P1), put her case on its
agenda.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from tests.cast import Cast, make_cast
from tests.people import make_person, years_ago
from tests.sharing import make_consent, receiver
from tsunagi.accounts.models import Role, User
from tsunagi.meetings import services as meetings
from tsunagi.meetings.models import AgendaItem, Meeting
from tsunagi.people import services as people
from tsunagi.people.models import Case, Person
from tsunagi.plans import services
from tsunagi.plans.models import SupportPlan

WISHES = "人と話すのはまだこわい。でも、いつかは自分で稼げるようになりたい。"


@dataclass
class PlanWorld:
    cast: Cast
    sr: User  # the self-reliance agency's staff (the plan's agency)
    center_staff: User
    person: Person
    case: Case


def plan_world() -> PlanWorld:
    cast = make_cast()
    sr = receiver(cast)
    person = make_person(
        sr, cast.self_reliance, "川村", "美咲", sex="female", birth_date=years_ago(28)
    )
    case = people.open_case(sr, person, {"problems": ["hikikomori", "job_search"]})
    return PlanWorld(cast, sr, cast.users[Role.STAFF], person, case)


def goals() -> list[dict[str, Any]]:
    return [
        {"term": "short", "text": "週に1回、居場所に通う"},
        {"term": "long", "text": "就労体験に参加する"},
    ]


def items(world: PlanWorld) -> list[dict[str, Any]]:
    """Walkthrough D: employment items with the self-reliance agency, watching over and listening
    with the hikikomori center (R4)."""
    return [
        {
            "what": "就労準備支援事業への参加",
            "responsible_agency": world.cast.self_reliance,
            "service": "employment_preparation",
            "frequency": "週1回",
            "goal": 1,
        },
        {
            "what": "居場所への参加",
            "responsible_agency": world.cast.center.pk,
            "service": "place",
            "frequency": "週1回",
            "goal": 0,
        },
        {
            "what": "自宅への訪問",
            "responsible_agency": str(world.cast.center.pk),
            "service": "home_visit",
            "frequency": "月2回",
            "goal": None,
        },
    ]


def plan_data(**values: Any) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "mode": "goals",
        "person_wishes": WISHES,
        "family_wishes": "早く働いてほしい",
        "overall_aim": "生活リズムを整え、人と関わる場を広げる",
        "starts_on": today,
        "ends_on": today + datetime.timedelta(days=180),
        "review_on": today + datetime.timedelta(days=90),
        **values,
    }


def make_plan(world: PlanWorld, **values: Any) -> SupportPlan:
    return services.create_plan(
        world.sr, world.case, plan_data(**values), goals=goals(), items=items(world)
    )


def coordination_meeting(
    world: PlanWorld, *, held_on: datetime.date | None = None, kind: str = "coordination"
) -> Meeting:
    return meetings.create_meeting(
        world.sr,
        world.cast.self_reliance,
        {
            "kind": kind,
            "title": "支援調整会議",
            "held_on": held_on or timezone.localdate(),
            "purpose": "川村さんの支援プランの検討",
        },
        members=[world.cast.center],
    )


def meeting_consent(world: PlanWorld, meeting: Meeting, kinds: list[str] | None = None) -> Any:
    """Her consent naming the meeting (P1): its member agencies may share her information."""
    return make_consent(
        world.sr,
        world.person,
        None,  # type: ignore[arg-type]
        kinds or ["identity", "situation", "plan"],
        case=world.case,
        recipient_meeting=meeting,
        purpose="支援調整会議での支援方針の検討のため",
    )


def on_agenda(world: PlanWorld, meeting: Meeting) -> AgendaItem:
    """The case on the meeting's agenda: under her consent naming a coordination meeting (P1),
    without consent at an Article 9 meeting (P5)."""
    if meeting.kind == "coordination":
        consent = meeting_consent(world, meeting)
        return meetings.add_agenda_item(world.sr, meeting, world.case, consent=consent)
    return meetings.add_agenda_item(world.sr, meeting, world.case)


def approved_plan(world: PlanWorld) -> SupportPlan:
    plan = make_plan(world)
    meeting = coordination_meeting(world)
    return services.approve_plan(world.sr, plan, on_agenda(world, meeting))


def decided_plan(world: PlanWorld) -> SupportPlan:
    return services.decide_plan(
        world.sr,
        approved_plan(world),
        decided_on=timezone.localdate(),
        decided_by="高知市 健康福祉部",
    )
