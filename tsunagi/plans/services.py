"""Writes of the support plan: one function per state change (style.md), each in a transaction
that checks access, validates with `rules`, writes, and logs.

Goals and items are given as lists of dicts and saved with the plan: a goal as
`{"term", "text"}`, an item as `{"what", "responsible_agency", "service", "frequency", "goal"}`
where `goal` is the index of its goal in the list (or None).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagi.access import audit
from tsunagi.access.policy import OWN_AGENCY, Action, Kind, require
from tsunagi.agencies.models import Agency
from tsunagi.agencies.services import EditConflict
from tsunagi.meetings.models import AgendaDecision, AgendaItem, MeetingKind
from tsunagi.people.models import Case

from . import rules
from .models import (
    Achievement,
    Decision,
    Evaluation,
    Goal,
    GoalResult,
    GoalTerm,
    PlanItem,
    PlanMode,
    PlanState,
    SupportPlan,
)

PLAN_FIELDS = (
    "mode",
    "person_wishes",
    "family_wishes",
    "overall_aim",
    "starts_on",
    "ends_on",
    "review_on",
)


def _log(
    action: str, actor: Any, plan: SupportPlan, request: HttpRequest | None, **detail: Any
) -> None:
    audit.personal(
        action,
        actor,
        plan,
        request,
        ground=OWN_AGENCY,
        actor_agency_id=plan.agency_id,
        state=plan.state,
        number=plan.number,
        **detail,
    )


def _agency(value: Any) -> Agency | None:
    if isinstance(value, Agency):
        return value
    if value in (None, ""):
        return None
    try:
        return Agency.objects.filter(pk=int(value), is_active=True).first()
    except (TypeError, ValueError):
        return None


def _check_content(
    plan: SupportPlan, goals: Sequence[Mapping[str, Any]], items: Sequence[Mapping[str, Any]]
) -> tuple[list[Goal], list[tuple[PlanItem, int | None]]]:
    """Validate the plan with its goals and items (rules R1, R4); nothing is saved here."""
    errors: dict[str, Any] = dict(
        rules.plan_problems(
            person_wishes=plan.person_wishes,
            mode=plan.mode,
            starts_on=plan.starts_on,
            ends_on=plan.ends_on,
            review_on=plan.review_on,
        )
    )
    new_goals = []
    for i, g in enumerate(goals):
        text = (g.get("text") or "").strip()
        term = g.get("term") or GoalTerm.SHORT
        if not text:
            continue
        if term not in GoalTerm.values:
            errors[f"goals.{i}.term"] = _("Choose short-term or long-term.")
        new_goals.append(Goal(term=term, text=text[:300], order=i))
    if plan.mode == PlanMode.GOALS and not new_goals:
        errors["goals"] = _(
            "Write at least one goal (or choose accompaniment without an end goal)."
        )
    new_items: list[tuple[PlanItem, int | None]] = []
    for i, it in enumerate(items):
        what = (it.get("what") or "").strip()
        raw = it.get("responsible_agency")
        raws = raw if isinstance(raw, (list, tuple)) else [raw]
        if not what and all(r in (None, "") for r in raws):
            continue  # an empty row of the form
        problems = rules.item_problems(
            what=what, responsible_agency_ids=raws, service=it.get("service") or ""
        )
        agency = _agency(raws[0]) if len(raws) == 1 else None
        if "responsible_agency" not in problems and agency is None:
            problems["responsible_agency"] = _("Unknown agency.")
        for key, message in problems.items():
            errors[f"items.{i}.{key}"] = message
        goal_index = it.get("goal")
        if goal_index not in (None, "") and not (
            isinstance(goal_index, int) and 0 <= goal_index < len(new_goals)
        ):
            errors[f"items.{i}.goal"] = _("Choose one of the plan's goals.")
            goal_index = None
        if agency is not None:
            new_items.append(
                (
                    PlanItem(
                        what=what[:300],
                        responsible_agency=agency,
                        service=it.get("service") or "",
                        frequency=(it.get("frequency") or "").strip()[:100],
                        order=i,
                    ),
                    goal_index if goal_index not in (None, "") else None,
                )
            )
    if not new_items and not any(k.startswith("items.") for k in errors):
        errors["items"] = _("Add at least one item with its responsible agency.")
    if errors:
        raise ValidationError({k: [v] for k, v in errors.items()})
    return new_goals, new_items


def _save_content(
    plan: SupportPlan, goals: list[Goal], items: list[tuple[PlanItem, int | None]]
) -> None:
    plan.goals.all().delete()
    plan.items.all().delete()
    saved_goals = []
    for g in goals:
        g.plan = plan
        g.save()
        saved_goals.append(g)
    for item, goal_index in items:
        item.plan = plan
        item.goal = saved_goals[goal_index] if goal_index is not None else None
        item.save()


def _apply(plan: SupportPlan, data: Mapping[str, Any]) -> None:
    for key in PLAN_FIELDS:
        if key in data:
            value = data[key]
            setattr(plan, key, value.strip() if isinstance(value, str) else value)


@transaction.atomic
def create_plan(
    actor: Any,
    case: Case,
    data: Mapping[str, Any],
    *,
    goals: Sequence[Mapping[str, Any]] = (),
    items: Sequence[Mapping[str, Any]] = (),
    request: HttpRequest | None = None,
) -> SupportPlan:
    """Write a plan with the person (rule R1), its goals and items (rule R4), as a draft."""
    plan = SupportPlan(
        agency_id=case.agency_id,
        person_id=case.person_id,
        case=case,
        created_by=actor,
        updated_by=actor,
        person_wishes="",
        starts_on=timezone.localdate(),
    )
    require(actor, Action.CREATE, Kind.PLAN, plan)
    if case.closed_on is not None:
        raise ValidationError({"case": [_("The case is closed: reopen it to make a plan.")]})
    current = SupportPlan.objects.filter(case=case).exclude(
        state__in=[PlanState.SUPERSEDED, PlanState.EVALUATED]
    )
    if current.exists():
        raise ValidationError(
            {"case": [_("The case already has a plan in force: make a new version of it.")]}
        )
    _apply(plan, data)
    plan.starts_on = data.get("starts_on") or timezone.localdate()
    new_goals, new_items = _check_content(plan, goals, items)
    last = SupportPlan.objects.filter(case=case).aggregate(n=Max("number"))["n"] or 0
    plan.number = last + 1
    plan.save()
    _save_content(plan, new_goals, new_items)
    _log("plan.created", actor, plan, request)
    return plan


@transaction.atomic
def update_plan(
    actor: Any,
    plan: SupportPlan,
    data: Mapping[str, Any],
    *,
    goals: Sequence[Mapping[str, Any]] | None = None,
    items: Sequence[Mapping[str, Any]] | None = None,
    version: int | None = None,
    request: HttpRequest | None = None,
) -> SupportPlan:
    """Change a draft plan. Another user's save in between raises EditConflict with the current
    plan, so nobody overwrites anyone silently."""
    current = SupportPlan.objects.select_for_update().get(pk=plan.pk)
    require(actor, Action.CHANGE, Kind.PLAN, current)
    if version is not None and version != current.version:
        raise EditConflict(current)
    if current.state not in rules.EDITABLE_STATES:
        raise ValidationError(
            {"state": [_("Only a draft can be changed: make a new version of the plan.")]}
        )
    _apply(current, data)
    if goals is None:
        goals = [{"term": g.term, "text": g.text} for g in current.goals.all()]
    if items is None:
        index = {g.pk: i for i, g in enumerate(current.goals.all())}
        items = [
            {
                "what": i.what,
                "responsible_agency": i.responsible_agency_id,
                "service": i.service,
                "frequency": i.frequency,
                "goal": index.get(i.goal_id) if i.goal_id else None,
            }
            for i in current.items.all()
        ]
    new_goals, new_items = _check_content(current, goals, items)
    current.updated_by = actor
    current.version = F("version") + 1
    current.save()
    current.refresh_from_db()
    _save_content(current, new_goals, new_items)
    _log("plan.changed", actor, current, request)
    return current


def _step(actor: Any, plan: SupportPlan, step: str) -> SupportPlan:
    current = SupportPlan.objects.select_for_update().get(pk=plan.pk)
    require(actor, Action.CHANGE, Kind.PLAN, current)
    problem = rules.check_step(current.state, step)
    if problem is not None:
        raise ValidationError({"state": [problem]})
    return current


def _bump(plan: SupportPlan, state: str, **fields: Any) -> SupportPlan:
    plan.state = state
    for key, value in fields.items():
        setattr(plan, key, value)
    plan.version = F("version") + 1
    plan.save()
    plan.refresh_from_db()
    return plan


@transaction.atomic
def approve_plan(
    actor: Any, plan: SupportPlan, item: AgendaItem, *, request: HttpRequest | None = None
) -> SupportPlan:
    """The plan is approved at a support coordination meeting where its case is on the agenda;
    that agenda case's decision says so."""
    current = _step(actor, plan, "approve")
    require(actor, Action.VIEW, Kind.MEETING, item.meeting)
    if item.case_id != current.case_id:
        raise ValidationError({"item": [_("Choose the meeting where this case was discussed.")]})
    if item.meeting.kind != MeetingKind.COORDINATION:
        raise ValidationError(
            {"item": [_("A plan is approved at a support coordination meeting.")]}
        )
    current = _bump(
        current, PlanState.APPROVED, approved_item=item, approved_on=item.meeting.held_on
    )
    AgendaItem.objects.filter(pk=item.pk, decision="").update(
        decision=AgendaDecision.PLAN_APPROVED, version=F("version") + 1
    )
    _log("plan.approved", actor, current, request, meeting=item.meeting_id)
    return current


@transaction.atomic
def decide_plan(
    actor: Any,
    plan: SupportPlan,
    *,
    decided_on: date | None,
    decided_by: str,
    request: HttpRequest | None = None,
) -> SupportPlan:
    """The municipality's support decision (支援決定) after the meeting's approval."""
    current = _step(actor, plan, "decide")
    errors: dict[str, list[str]] = {}
    if decided_on is None:
        errors["decided_on"] = [_("Enter the day of the support decision.")]
    elif decided_on > timezone.localdate():
        errors["decided_on"] = [_("The day cannot be in the future.")]
    elif current.approved_on is not None and decided_on < current.approved_on:
        errors["decided_on"] = [_("The support decision comes after the meeting's approval.")]
    if not (decided_by or "").strip():
        errors["decided_by"] = [_("Write which municipality made the support decision.")]
    if errors:
        raise ValidationError(errors)
    current = _bump(
        current, PlanState.DECIDED, decided_on=decided_on, decided_by=decided_by.strip()[:200]
    )
    _log("plan.decided", actor, current, request)
    return current


OUTCOMES = ("found_work", "income_rose", "step_daily_life", "step_social_life", "step_work")


@transaction.atomic
def evaluate_plan(
    actor: Any,
    plan: SupportPlan,
    data: Mapping[str, Any],
    *,
    results: Mapping[int, Mapping[str, Any]] | None = None,
    request: HttpRequest | None = None,
) -> Evaluation:
    """評価: per goal (goal id → {"achievement", "notes"}), the person's view, the decision and
    the outcomes (work, income, and the steps in daily and social life, not only work)."""
    current = _step(actor, plan, "evaluate")
    results = results or {}
    evaluation = Evaluation(
        plan=current,
        agency_id=current.agency_id,
        case_id=current.case_id,
        evaluated_on=data.get("evaluated_on") or timezone.localdate(),
        person_view=(data.get("person_view") or "").strip(),
        staff_view=(data.get("staff_view") or "").strip(),
        decision=data.get("decision") or "",
        created_by=actor,
        **{k: bool(data.get(k)) for k in OUTCOMES},
    )
    require(actor, Action.CREATE, Kind.EVALUATION, evaluation)
    errors: dict[str, list[str]] = {}
    if not evaluation.person_view:
        errors["person_view"] = [_("Write the person's view in their words.")]
    if evaluation.decision not in Decision.values:
        errors["decision"] = [_("Choose end, a new plan, or follow-up.")]
    if evaluation.evaluated_on > timezone.localdate():
        errors["evaluated_on"] = [_("The day cannot be in the future.")]
    goal_results = []
    for goal in current.goals.all():
        result = results.get(goal.pk) or results.get(str(goal.pk)) or {}  # type: ignore[call-overload]
        achievement = result.get("achievement") or ""
        if achievement not in Achievement.values:
            errors[f"results.{goal.pk}"] = [_("Choose the result for this goal.")]
            continue
        goal_results.append(
            GoalResult(
                goal=goal,
                achievement=achievement,
                notes=(result.get("notes") or "").strip()[:300],
            )
        )
    if errors:
        raise ValidationError(errors)
    evaluation.save()
    for r in goal_results:
        r.evaluation = evaluation
        r.save()
    current = _bump(current, PlanState.EVALUATED)
    _log("plan.evaluated", actor, current, request, decision=evaluation.decision)
    return evaluation


@transaction.atomic
def replan(actor: Any, plan: SupportPlan, *, request: HttpRequest | None = None) -> SupportPlan:
    """A new version: a draft copied from the plan, which stays as it was and is marked
    replaced."""
    current = _step(actor, plan, "replan")
    new = SupportPlan.objects.create(
        agency_id=current.agency_id,
        person_id=current.person_id,
        case_id=current.case_id,
        number=current.number + 1,
        previous=current,
        mode=current.mode,
        person_wishes=current.person_wishes,
        family_wishes=current.family_wishes,
        overall_aim=current.overall_aim,
        starts_on=max(timezone.localdate(), current.starts_on),
        created_by=actor,
        updated_by=actor,
    )
    goal_map = {}
    for g in current.goals.all():
        goal_map[g.pk] = Goal.objects.create(plan=new, term=g.term, text=g.text, order=g.order)
    for i in current.items.all():
        PlanItem.objects.create(
            plan=new,
            goal=goal_map.get(i.goal_id) if i.goal_id else None,
            what=i.what,
            responsible_agency_id=i.responsible_agency_id,
            service=i.service,
            frequency=i.frequency,
            order=i.order,
        )
    _bump(current, PlanState.SUPERSEDED)
    _log("plan.replanned", actor, new, request, previous=current.pk)
    return new
