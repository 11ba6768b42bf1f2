"""The situation of the plan screen tests (walkthrough D in small): the hikikomori center's
staff write a plan for 山田太郎 with the self-reliance agency paired with the center (J3); a
coordination meeting with both agencies approves it; the self-reliance agency's staff then see
the plan through the consent to that meeting, the outsider and `nobody` see nothing."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.test import Client
from django.utils import timezone

from tests.cast import Cast, make_cast
from tests.people import yamada_household
from tests.sharing import make_consent, receiver
from tsunagi.accounts.models import Role, User
from tsunagi.agencies.models import Pairing
from tsunagi.meetings import services as meeting_services
from tsunagi.meetings.models import AgendaItem, MeetingKind
from tsunagi.people.models import Case, Person
from tsunagi.plans import services
from tsunagi.plans.models import PlanMode, Service, SupportPlan

WISHES = "今は家から出るのが怖い。でも、いつか少し働いてみたい。"


@dataclass
class World:
    cast: Cast
    staff: User  # the center's staff: the plan's owner
    manager: User  # the center's manager
    sr_staff: User  # the paired self-reliance agency
    son: Person
    case: Case


def make_world() -> World:
    cast = make_cast()
    staff = cast.users[Role.STAFF]
    _household, _mother, son, case = yamada_household(staff, cast.center)
    Pairing.objects.create(
        prefecture=cast.center.prefecture,
        hikikomori_agency=cast.center,
        self_reliance_agency=cast.self_reliance,
    )
    return World(cast, staff, cast.users[Role.MANAGER], receiver(cast), son, case)


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def make_plan(world: World, **data: Any) -> SupportPlan:
    today = timezone.localdate()
    values = {
        "mode": PlanMode.GOALS,
        "person_wishes": WISHES,
        "family_wishes": "母は早く働いてほしいと思っている。",
        "overall_aim": "無理のない範囲で外とのつながりを取り戻す",
        "starts_on": today,
        "ends_on": today + datetime.timedelta(days=180),
        "review_on": today + datetime.timedelta(days=90),
        **data,
    }
    return services.create_plan(
        world.staff,
        world.case,
        values,
        goals=[
            {"term": "short", "text": "週に一度、居場所に行く"},
            {"term": "long", "text": "就労体験に参加する"},
        ],
        items=[
            {
                "what": "居場所への同行",
                "responsible_agency": world.cast.center,
                "service": Service.PLACE,
                "frequency": "週1回",
                "goal": 0,
            },
            {
                "what": "就労準備支援事業の利用",
                "responsible_agency": world.cast.self_reliance,
                "service": Service.EMPLOYMENT_PREPARATION,
                "frequency": "月2回",
                "goal": 1,
            },
        ],
    )


def coordination_item(world: World, kinds: list[str] | None = None) -> AgendaItem:
    """A support coordination meeting of both agencies with the case on its agenda, under the
    person's consent naming the self-reliance agency (P1)."""
    meeting = meeting_services.create_meeting(
        world.staff,
        world.cast.center,
        {
            "kind": MeetingKind.COORDINATION,
            "title": "第1回 支援調整会議",
            "held_on": timezone.localdate(),
            "purpose": "山田さんの支援プランを協議する",
        },
        members=[world.cast.self_reliance],
    )
    consent = make_consent(
        world.staff,
        world.son,
        world.cast.self_reliance,
        kinds or ["identity", "situation", "plan"],
        case=world.case,
    )
    return meeting_services.add_agenda_item(world.staff, meeting, world.case, consent=consent)


def decided(world: World, plan: SupportPlan) -> SupportPlan:
    item = coordination_item(world)
    plan = services.approve_plan(world.staff, plan, item)
    return services.decide_plan(
        world.staff, plan, decided_on=timezone.localdate(), decided_by="高知市"
    )


def form_data(world: World, **overrides: Any) -> dict[str, Any]:
    """The plan form as a person fills it: two goals and two items, blank rows left blank."""
    today = timezone.localdate()
    data: dict[str, Any] = {
        "person_wishes": WISHES,
        "family_wishes": "",
        "overall_aim": "外とのつながりを取り戻す",
        "mode": "goals",
        "starts_on": today.isoformat(),
        "ends_on": (today + datetime.timedelta(days=180)).isoformat(),
        "review_on": (today + datetime.timedelta(days=90)).isoformat(),
        "goals-TOTAL_FORMS": "3",
        "goals-INITIAL_FORMS": "0",
        "goals-0-term": "short",
        "goals-0-text": "週に一度、居場所に行く",
        "goals-1-term": "long",
        "goals-1-text": "就労体験に参加する",
        "goals-2-term": "short",
        "goals-2-text": "",
        "items-TOTAL_FORMS": "3",
        "items-INITIAL_FORMS": "0",
        "items-0-what": "居場所への同行",
        "items-0-responsible_agency": str(world.cast.center.pk),
        "items-0-service": "place",
        "items-0-frequency": "週1回",
        "items-0-goal": "0",
        "items-1-what": "就労準備支援事業の利用",
        "items-1-responsible_agency": str(world.cast.self_reliance.pk),
        "items-1-service": "employment_preparation",
        "items-1-frequency": "月2回",
        "items-1-goal": "1",
        "items-2-what": "",
        "items-2-responsible_agency": "",
        "items-2-service": "",
        "items-2-frequency": "",
        "items-2-goal": "",
    }
    data.update(overrides)
    return data
