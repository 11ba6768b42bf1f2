"""Writing, changing, approving and deciding a support plan (rules R1, R4; the national process:
draft → approval at the support coordination meeting → 支援決定), with its access and audit."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from tests.cast import _user
from tsunagi.access.models import AuditEvent
from tsunagi.access.policy import Action, Kind, can, sight
from tsunagi.accounts.models import Role
from tsunagi.agencies.services import EditConflict
from tsunagi.meetings import services as meetings
from tsunagi.meetings.models import AgendaDecision
from tsunagi.people.models import Case
from tsunagi.plans import selectors, services
from tsunagi.plans.models import Goal, PlanItem, PlanState, SupportPlan
from tsunagi.plans.tests.factories import (
    WISHES,
    PlanWorld,
    approved_plan,
    coordination_meeting,
    goals,
    items,
    make_plan,
    on_agenda,
    plan_data,
    plan_world,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> PlanWorld:
    return plan_world()


def _errors(excinfo: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return excinfo.value.message_dict


def _logged(action: str, plan: SupportPlan) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(action=action, record_kind="supportplan", record_id=plan.pk)
    )


# --- create -------------------------------------------------------------------------------------


def test_r1_r4_a_plan_is_written_as_a_draft_with_its_goals_and_items(world: PlanWorld) -> None:
    plan = make_plan(world)
    assert plan.state == PlanState.DRAFT and plan.number == 1 and plan.version == 1
    assert plan.agency == world.cast.self_reliance and plan.person == world.person
    assert plan.person_wishes == WISHES and plan.family_wishes == "早く働いてほしい"
    assert [(g.term, g.text) for g in plan.goals.all()] == [
        ("short", "週に1回、居場所に通う"),
        ("long", "就労体験に参加する"),
    ]
    rows = [(i.what, i.responsible_agency, i.service, i.goal) for i in plan.items.all()]
    short, long = plan.goals.all()
    assert rows == [
        ("就労準備支援事業への参加", world.cast.self_reliance, "employment_preparation", long),
        ("居場所への参加", world.cast.center, "place", short),
        ("自宅への訪問", world.cast.center, "home_visit", None),
    ]
    (event,) = _logged("plan.created", plan)
    assert event.personal and event.agency == world.cast.self_reliance
    assert event.subject_id == world.person.pk and event.actor == world.sr
    assert event.grant == "own_agency"


@pytest.mark.parametrize("wishes", ["", "   "])
def test_r1_a_plan_without_the_persons_wishes_is_not_saved(world: PlanWorld, wishes: str) -> None:
    with pytest.raises(ValidationError) as err:
        make_plan(world, person_wishes=wishes)
    assert "R1" in _errors(err)["person_wishes"][0]
    assert not SupportPlan.objects.exists() and not Goal.objects.exists()
    assert not AuditEvent.objects.filter(action="plan.created").exists()


def test_r1_the_familys_wishes_alone_are_not_the_persons(world: PlanWorld) -> None:
    with pytest.raises(ValidationError) as err:
        make_plan(world, person_wishes="", family_wishes="本人は働きたいと言っている（母）")
    assert set(_errors(err)) == {"person_wishes"}


@pytest.mark.parametrize(
    ("agency", "message"),
    [
        (None, "R4"),
        ("", "R4"),
        ("two", "R4"),
        (999999, "登録されていない機関"),
        ("x", "登録されていない機関"),
    ],
)
def test_r4_an_item_without_exactly_one_known_agency_is_refused(
    world: PlanWorld, agency: Any, message: str
) -> None:
    rows = items(world)
    rows[1]["responsible_agency"] = (
        [world.cast.center.pk, world.cast.self_reliance.pk] if agency == "two" else agency
    )
    with pytest.raises(ValidationError) as err:
        services.create_plan(world.sr, world.case, plan_data(), goals=goals(), items=rows)
    errors = _errors(err)
    assert set(errors) == {"items.1.responsible_agency"}
    assert message in errors["items.1.responsible_agency"][0]
    assert not SupportPlan.objects.exists()


def test_r4_every_bad_row_is_named_at_once(world: PlanWorld) -> None:
    rows: list[dict[str, Any]] = [
        {"what": "", "responsible_agency": world.cast.center, "service": "place"},
        {"what": "家計の見直し", "responsible_agency": None, "service": "household_budget"},
        {"what": "謎の支援", "responsible_agency": world.cast.center, "service": "magic"},
        {"what": "面談", "responsible_agency": world.cast.center, "goal": 7},
    ]
    with pytest.raises(ValidationError) as err:
        services.create_plan(world.sr, world.case, plan_data(), goals=goals(), items=rows)
    assert set(_errors(err)) == {
        "items.0.what",
        "items.1.responsible_agency",
        "items.2.service",
        "items.3.goal",
    }


def test_empty_rows_of_the_form_are_left_out(world: PlanWorld) -> None:
    rows = [*items(world), {"what": "", "responsible_agency": ""}, {"what": "  "}]
    plan = services.create_plan(
        world.sr,
        world.case,
        plan_data(),
        goals=[*goals(), {"term": "short", "text": " "}],
        items=rows,
    )
    assert plan.items.count() == 3 and plan.goals.count() == 2


def test_a_plan_with_goals_needs_a_goal_and_every_plan_an_item(world: PlanWorld) -> None:
    with pytest.raises(ValidationError) as err:
        services.create_plan(world.sr, world.case, plan_data(), goals=[], items=[])
    assert {"goals", "items"} <= set(_errors(err))
    with pytest.raises(ValidationError) as err:
        services.create_plan(
            world.sr, world.case, plan_data(), goals=[{"term": "someday", "text": "x"}],
            items=items(world),
        )  # fmt: skip
    assert "goals.0.term" in _errors(err)


def test_the_period_is_checked(world: PlanWorld) -> None:
    today = timezone.localdate()
    with pytest.raises(ValidationError) as err:
        make_plan(world, ends_on=today - datetime.timedelta(days=1), review_on=None)
    assert set(_errors(err)) == {"ends_on"}
    with pytest.raises(ValidationError) as err:
        make_plan(world, review_on=today + datetime.timedelta(days=400))
    assert set(_errors(err)) == {"review_on"}


def test_accompaniment_needs_no_end_date_and_no_goal(world: PlanWorld) -> None:
    """伴走型 (C): staying connected without an end goal; a case is never forced to close."""
    plan = services.create_plan(
        world.sr,
        world.case,
        plan_data(mode="accompaniment", ends_on=None, review_on=None),
        goals=[],
        items=[{"what": "月1回の電話", "responsible_agency": world.cast.center, "service": ""}],
    )
    assert plan.mode == "accompaniment" and plan.ends_on is None and not plan.goals.exists()


def test_one_plan_in_force_per_case(world: PlanWorld) -> None:
    first = make_plan(world)
    with pytest.raises(ValidationError) as err:
        make_plan(world)
    assert "case" in _errors(err)
    approved = approved_plan_for(world, first)
    with pytest.raises(ValidationError):
        make_plan(world)
    assert SupportPlan.objects.filter(case=world.case).get() == approved


def approved_plan_for(world: PlanWorld, plan: SupportPlan) -> SupportPlan:
    item = on_agenda(world, coordination_meeting(world))
    return services.approve_plan(world.sr, plan, item)


def test_no_plan_on_a_closed_case(world: PlanWorld) -> None:
    Case.objects.filter(pk=world.case.pk).update(closed_on=timezone.localdate())
    world.case.refresh_from_db()
    with pytest.raises(ValidationError) as err:
        make_plan(world)
    assert "case" in _errors(err)


def test_another_agency_cannot_write_or_see_the_plan(world: PlanWorld) -> None:
    cast = world.cast
    for user in (world.center_staff, cast.users[Role.MANAGER], cast.outsider, cast.nobody):
        with pytest.raises(Http404):
            services.create_plan(user, world.case, plan_data(), goals=goals(), items=items(world))
    for role in (Role.MUNICIPAL_OFFICER, Role.PREFECTURAL_OFFICER, Role.OPERATOR, Role.AUDITOR):
        with pytest.raises(Http404):
            make_plan_as(world, cast.users[role])
    plan = make_plan(world)
    for user in (world.center_staff, cast.outsider, cast.nobody, cast.users[Role.OPERATOR]):
        assert not can(user, Action.VIEW, Kind.PLAN, plan)
        assert sight(user, Kind.PLAN, plan) is None  # no grant: nothing
        assert not selectors.plans_of_case(user, world.case).exists()
        with pytest.raises(Http404):
            services.update_plan(user, plan, {"overall_aim": "書き換え"})
    # a colleague of the same agency sees it
    colleague = _user("sr_colleague", cast.self_reliance, Role.STAFF)
    assert list(selectors.plans_of_case(colleague, world.case)) == [plan]


def make_plan_as(world: PlanWorld, user: Any) -> SupportPlan:
    return services.create_plan(user, world.case, plan_data(), goals=goals(), items=items(world))


def test_a_restricted_case_is_planned_by_its_assigned_staff_only(world: PlanWorld) -> None:
    Case.objects.filter(pk=world.case.pk).update(is_restricted=True)
    world.case.refresh_from_db()
    colleague = _user("sr_colleague", world.cast.self_reliance, Role.STAFF)
    with pytest.raises(Http404):
        make_plan_as(world, colleague)
    plan = make_plan(world)  # world.sr opened the case and is assigned to it
    assert not can(colleague, Action.VIEW, Kind.PLAN, plan)


# --- update --------------------------------------------------------------------------------------


def test_a_draft_is_changed_and_its_goals_and_items_replaced(world: PlanWorld) -> None:
    plan = make_plan(world)
    old_items = set(plan.items.values_list("pk", flat=True))
    changed = services.update_plan(
        world.sr,
        plan,
        {"overall_aim": "  まずは居場所に慣れる  ", "family_wishes": ""},
        goals=[{"term": "short", "text": "居場所に月2回通う"}],
        items=[
            {
                "what": "居場所",
                "responsible_agency": world.cast.center,
                "service": "place",
                "goal": 0,
            }
        ],
        version=1,
    )
    assert changed.version == 2 and changed.updated_by == world.sr
    assert changed.overall_aim == "まずは居場所に慣れる" and changed.family_wishes == ""
    assert changed.person_wishes == WISHES  # not sent: kept
    (goal,) = changed.goals.all()
    (item,) = changed.items.all()
    assert item.goal == goal and item.pk not in old_items
    assert not PlanItem.objects.filter(pk__in=old_items).exists()
    assert len(_logged("plan.changed", changed)) == 1


def test_a_change_without_goals_or_items_keeps_them_and_their_links(world: PlanWorld) -> None:
    plan = make_plan(world)
    before = [
        (i.what, i.responsible_agency_id, i.goal.text if i.goal else None) for i in plan.items.all()
    ]
    changed = services.update_plan(world.sr, plan, {"overall_aim": "変更"})
    after = [
        (i.what, i.responsible_agency_id, i.goal.text if i.goal else None)
        for i in changed.items.all()
    ]
    assert after == before and changed.goals.count() == 2


def test_a_stale_version_is_a_conflict_and_overwrites_nothing(world: PlanWorld) -> None:
    """Issue item 5: two users editing one plan get a clear conflict with both versions."""
    plan = make_plan(world)
    colleague = _user("sr_colleague", world.cast.self_reliance, Role.STAFF)
    services.update_plan(colleague, plan, {"overall_aim": "同僚の変更"}, version=1)
    with pytest.raises(EditConflict) as conflict:
        services.update_plan(world.sr, plan, {"overall_aim": "私の変更"}, version=1)
    current = conflict.value.current
    assert current.overall_aim == "同僚の変更" and current.version == 2
    plan.refresh_from_db()
    assert plan.overall_aim == "同僚の変更" and plan.version == 2
    assert len(_logged("plan.changed", plan)) == 1


def test_bad_input_on_update_changes_nothing(world: PlanWorld) -> None:
    plan = make_plan(world)
    with pytest.raises(ValidationError) as err:
        services.update_plan(
            world.sr, plan, {"person_wishes": " "},
            items=[{"what": "面談", "responsible_agency": None}], version=1,
        )  # fmt: skip
    assert {"person_wishes", "items.0.responsible_agency"} <= set(_errors(err))
    plan.refresh_from_db()
    assert plan.person_wishes == WISHES and plan.version == 1 and plan.items.count() == 3


def test_only_a_draft_is_changed(world: PlanWorld) -> None:
    plan = approved_plan(world)
    with pytest.raises(ValidationError) as err:
        services.update_plan(world.sr, plan, {"overall_aim": "後から変更"}, version=plan.version)
    assert "state" in _errors(err)
    plan.refresh_from_db()
    assert plan.overall_aim != "後から変更"


# --- approval at the meeting ---------------------------------------------------------------------


def test_a_plan_is_approved_at_the_coordination_meeting_with_its_case(world: PlanWorld) -> None:
    plan = make_plan(world)
    meeting = coordination_meeting(world, held_on=timezone.localdate() - datetime.timedelta(days=2))
    item = on_agenda(world, meeting)
    approved = services.approve_plan(world.sr, plan, item)
    assert approved.state == PlanState.APPROVED and approved.version == 2
    assert approved.approved_item == item and approved.approved_on == meeting.held_on
    item.refresh_from_db()
    assert item.decision == AgendaDecision.PLAN_APPROVED
    (event,) = _logged("plan.approved", approved)
    assert event.detail["meeting"] == meeting.pk
    # in force: the case now has plan-based support (R3a/R3b)
    assert selectors.current_plan(world.sr, world.case) == approved


def test_approval_keeps_a_decision_the_minutes_already_recorded(world: PlanWorld) -> None:
    plan = make_plan(world)
    item = on_agenda(world, coordination_meeting(world))
    meetings.record_minutes(world.sr, item, minutes="一部修正のうえ承認", decision="other")
    services.approve_plan(world.sr, plan, item)
    item.refresh_from_db()
    assert item.decision == AgendaDecision.OTHER


def test_a_plan_is_not_approved_at_an_article_9_meeting(world: PlanWorld) -> None:
    plan = make_plan(world)
    item = on_agenda(world, coordination_meeting(world, kind="article_9"))
    with pytest.raises(ValidationError) as err:
        services.approve_plan(world.sr, plan, item)
    assert "item" in _errors(err)
    plan.refresh_from_db()
    assert plan.state == PlanState.DRAFT and plan.approved_item is None


def test_a_plan_is_approved_only_where_its_case_was_discussed(world: PlanWorld) -> None:
    plan = make_plan(world)
    meeting = coordination_meeting(world)
    on_agenda(world, meeting)
    other = plan_world_case(world)
    consent = meeting_consent_for(world, other, meeting)
    other_item = meetings.add_agenda_item(world.sr, meeting, other, consent=consent)
    with pytest.raises(ValidationError) as err:
        services.approve_plan(world.sr, plan, other_item)
    assert "item" in _errors(err)


def plan_world_case(world: PlanWorld) -> Case:
    from tests.people import make_person
    from tsunagi.people import services as people

    person = make_person(world.sr, world.cast.self_reliance, "森", "一郎")
    return people.open_case(world.sr, person, {})


def meeting_consent_for(world: PlanWorld, case: Case, meeting: Any) -> Any:
    from tests.sharing import make_consent

    return make_consent(
        world.sr, case.person, None, ["identity", "situation"], case=case,  # type: ignore[arg-type]
        recipient_meeting=meeting,
    )  # fmt: skip


def test_a_plan_is_approved_once(world: PlanWorld) -> None:
    plan = approved_plan(world)
    item = plan.approved_item
    assert item is not None
    with pytest.raises(ValidationError) as err:
        services.approve_plan(world.sr, plan, item)
    assert "state" in _errors(err)


def test_a_member_agency_does_not_approve_the_owners_plan(world: PlanWorld) -> None:
    plan = make_plan(world)
    item = on_agenda(world, coordination_meeting(world))
    with pytest.raises(Http404):
        services.approve_plan(world.center_staff, plan, item)


# --- the support decision (支援決定) ------------------------------------------------------------


def test_the_support_decision_follows_the_approval(world: PlanWorld) -> None:
    plan = approved_plan(world)
    decided = services.decide_plan(
        world.sr, plan, decided_on=timezone.localdate(), decided_by="  高知市 健康福祉部  "
    )
    assert decided.state == PlanState.DECIDED and decided.decided_by == "高知市 健康福祉部"
    assert decided.decided_on == timezone.localdate() and decided.version == 3
    assert len(_logged("plan.decided", decided)) == 1


def test_no_support_decision_for_a_draft(world: PlanWorld) -> None:
    plan = make_plan(world)
    with pytest.raises(ValidationError) as err:
        services.decide_plan(world.sr, plan, decided_on=timezone.localdate(), decided_by="高知市")
    assert "state" in _errors(err)


def test_the_decision_needs_a_day_and_a_municipality(world: PlanWorld) -> None:
    plan = approved_plan(world)
    today = timezone.localdate()
    with pytest.raises(ValidationError) as err:
        services.decide_plan(world.sr, plan, decided_on=None, decided_by=" ")
    assert set(_errors(err)) == {"decided_on", "decided_by"}
    with pytest.raises(ValidationError) as err:
        services.decide_plan(
            world.sr, plan, decided_on=today + datetime.timedelta(days=1), decided_by="高知市"
        )
    assert set(_errors(err)) == {"decided_on"}
    # before the meeting that approved it
    with pytest.raises(ValidationError) as err:
        services.decide_plan(
            world.sr, plan, decided_on=today - datetime.timedelta(days=1), decided_by="高知市"
        )
    assert "承認" in _errors(err)["decided_on"][0]
    plan.refresh_from_db()
    assert plan.state == PlanState.APPROVED and plan.decided_on is None


def test_another_agency_cannot_decide(world: PlanWorld) -> None:
    plan = approved_plan(world)
    for user in (world.center_staff, world.cast.outsider, world.cast.nobody):
        with pytest.raises(Http404):
            services.decide_plan(user, plan, decided_on=timezone.localdate(), decided_by="高知市")


# --- findings on the plan (R4 split, R3b) --------------------------------------------------------


def test_r3b_r4_walkthrough_d_items_follow_the_split_and_the_center_is_invited(
    world: PlanWorld,
) -> None:
    plan = make_plan(world)
    assert {a.pk for a in selectors.participating_agencies(plan)} == {
        world.cast.self_reliance.pk,
        world.cast.center.pk,
    }
    # a draft: the center is not yet on any meeting deciding it (R3b); the split is the default
    assert [f.rule for f in selectors.plan_findings(plan)] == ["R3b"]
    approved = approved_plan_for(world, plan)
    assert selectors.plan_findings(approved) == []  # the center was a member


def test_r4_an_item_against_the_default_split_is_shown(world: PlanWorld) -> None:
    rows = items(world)
    rows[0]["responsible_agency"] = world.cast.center  # employment with the center
    plan = services.create_plan(world.sr, world.case, plan_data(), goals=goals(), items=rows)
    found = [f for f in selectors.plan_findings(plan) if f.rule == "R4"]
    assert len(found) == 1 and "就労準備支援事業への参加" in found[0].reason
