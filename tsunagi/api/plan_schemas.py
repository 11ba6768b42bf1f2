"""Schemas of the support plan API (支援プラン / プラン兼事業等利用申込書, 評価) and the builders of
their answers.

A plan is written with goals and items nested in its body: on write an item's `goal` is the
index of its goal in the `goals` list sent with it; on read it is the goal's id. The owning
agency's staff read the whole plan with its findings (rules R4 and R3b, each with its rule ID and
its reason in Japanese). A receiving agency reads it through a grant naming "plan" (a consent or
an Article 9 meeting), field by field as `tsunagi.access.kinds.shared_values` lets through: what
the grant does not name is null (or an empty list).
"""

import datetime
from dataclasses import asdict
from typing import Any

from ninja import Field, Schema

from tsunagi.access.kinds import record_shareable, shared_values
from tsunagi.access.policy import Sight
from tsunagi.plans import rules
from tsunagi.plans.models import (
    Achievement,
    Decision,
    Evaluation,
    GoalTerm,
    PlanMode,
    PlanState,
    Service,
    SupportPlan,
)
from tsunagi.plans.selectors import plan_findings

from .people_schemas import JapaneseDate, Line
from .referral_schemas import AgencyRef, FindingOut, agency_ref

DATE_HELP = "西暦 (2025-04-01) or 和暦 (令和7年4月1日, R7.4.1)."
WISHES_HELP = (
    "The person's wishes in their own words (本人の意向), required (rule R1): a plan starts "
    "from them."
)

# --- input ----------------------------------------------------------------------------------


class GoalIn(Schema):
    term: GoalTerm = Field(GoalTerm.SHORT, description="`short` or `long`.")
    text: Line = Field(..., max_length=300)


class ItemIn(Schema):
    what: Line = Field("", max_length=300, description="What the support is.")
    responsible_agency: int | list[int] | None = Field(
        None,
        description="The ONE agency responsible for the item (rule R4): none or several "
        "answer 422.",
    )
    service: Service | None = Field(
        None,
        description="The service it uses: a programme of the poverty system, a hikikomori "
        "agency's support, or a linked system.",
    )
    frequency: Line = Field("", max_length=100, description="How often, when.")
    goal: int | None = Field(
        None, ge=0, description="The index of its goal in the `goals` sent with it (0 = first)."
    )


class PlanIn(Schema):
    case: int = Field(..., description="The case of your agency the plan is for.")
    mode: PlanMode = Field(
        PlanMode.GOALS,
        description="`goals`: goals and a period; `accompaniment` (伴走型): no end goal and no "
        "end date needed.",
    )
    person_wishes: str = Field("", max_length=4000, description=WISHES_HELP)
    family_wishes: str = Field(
        "", max_length=4000, description="The family's wishes, where they differ."
    )
    overall_aim: str = Field("", max_length=4000, description="The overall aim (支援方針).")
    starts_on: JapaneseDate | None = Field(
        None, description="Start of the plan period; default today. " + DATE_HELP
    )
    ends_on: JapaneseDate | None = Field(
        None, description="End of the plan period (not for accompaniment). " + DATE_HELP
    )
    review_on: JapaneseDate | None = Field(
        None, description="Review (monitoring) date, within the period. " + DATE_HELP
    )
    goals: list[GoalIn] = Field([], description="Short- and long-term goals, in order.")
    items: list[ItemIn] = Field(
        [], description="The items, each with exactly one responsible agency (rule R4)."
    )


class PlanPatch(Schema):
    """What may change while the plan is a draft; fields left out stay as they are. `goals`
    and `items`, when sent, replace the plan's goals and items."""

    mode: PlanMode | None = None
    person_wishes: str | None = Field(None, max_length=4000, description=WISHES_HELP)
    family_wishes: str | None = Field(None, max_length=4000)
    overall_aim: str | None = Field(None, max_length=4000)
    starts_on: JapaneseDate | None = Field(None, description=DATE_HELP)
    ends_on: JapaneseDate | None = Field(None, description=DATE_HELP)
    review_on: JapaneseDate | None = Field(None, description=DATE_HELP)
    goals: list[GoalIn] | None = None
    items: list[ItemIn] | None = None
    version: int | None = Field(
        None, description="The version you read: 409 if someone changed the plan since."
    )


class ApproveIn(Schema):
    agenda_item: int = Field(
        ...,
        description="The agenda case of the support coordination meeting where the plan was "
        "approved (`/meetings/{id}` lists them).",
    )


class DecideIn(Schema):
    decided_on: JapaneseDate | None = Field(
        None, description="The day of the support decision (支援決定). " + DATE_HELP
    )
    decided_by: Line = Field(
        "", max_length=200, description="The municipality (or office) that decided."
    )


class ResultIn(Schema):
    achievement: Achievement | None = Field(
        None, description="`achieved`, `partly` or `not_achieved`."
    )
    notes: Line = Field("", max_length=300)


class EvaluateIn(Schema):
    evaluated_on: JapaneseDate | None = Field(None, description="Default today. " + DATE_HELP)
    person_view: str = Field(
        "", max_length=4000, description="The person's view, in their words (required)."
    )
    staff_view: str = Field("", max_length=4000)
    decision: Decision | None = Field(
        None, description="`end`, `replan` (a new plan) or `follow_up` (without a plan)."
    )
    found_work: bool = False
    income_rose: bool = False
    step_daily_life: bool = Field(False, description="A step in daily life (日常生活自立).")
    step_social_life: bool = Field(False, description="A step in social life (社会生活自立).")
    step_work: bool = Field(False, description="A step towards work (就労自立).")
    results: dict[int, ResultIn] = Field(
        {}, description="Per goal: the goal's id → its result. Every goal needs one."
    )


# --- output ---------------------------------------------------------------------------------


class PlanRef(Schema):
    id: int
    number: int
    state: str


class GoalOut(Schema):
    id: int
    term: str | None
    term_label: str | None
    text: str | None


class ItemOut(Schema):
    id: int
    goal: int | None = Field(None, description="The id of its goal.")
    what: str | None
    responsible_agency: AgencyRef | None = Field(
        None, description="The one responsible agency (rule R4)."
    )
    service: str | None
    service_label: str | None
    frequency: str | None


class ResultOut(Schema):
    goal: int
    achievement: str
    achievement_label: str
    notes: str


class EvaluationOut(Schema):
    evaluated_on: datetime.date | None
    person_view: str | None
    staff_view: str | None
    decision: str | None
    decision_label: str | None
    found_work: bool | None
    income_rose: bool | None
    step_daily_life: bool | None
    step_social_life: bool | None
    step_work: bool | None
    results: list[ResultOut] = Field(..., description="Per goal (the owning agency's staff only).")


class PlanOut(Schema):
    id: int
    number: int | None
    state: str | None
    state_label: str | None
    mode: str | None
    agency: AgencyRef
    case_id: int | None = Field(None, description="The owning agency's staff only.")
    case_number: str | None = Field(None, description="The owning agency's staff only.")
    person_id: int | None = Field(None, description="The owning agency's staff only.")
    person_name: str | None = Field(
        None, description="Null when your grant does not share the person's identity."
    )
    starts_on: datetime.date | None
    ends_on: datetime.date | None
    review_on: datetime.date | None
    review_due: bool = Field(..., description="The review (monitoring) date has come.")
    shared: bool = Field(
        ..., description="You read the plan through a grant (read-only), not as its agency."
    )
    version: int


class PlanDetailOut(PlanOut):
    mode_label: str | None
    person_wishes: str | None = Field(None, description="Rule R1: in the person's words.")
    family_wishes: str | None
    overall_aim: str | None
    approved_on: datetime.date | None
    approved_at: int | None = Field(
        None, description="The agenda case of the meeting that approved it (own agency only)."
    )
    decided_on: datetime.date | None
    decided_by: str | None
    previous: PlanRef | None = Field(None, description="The version it replaces.")
    next: PlanRef | None = Field(None, description="The version that replaced it.")
    kinds: list[str] = Field(..., description="The kinds of information you may read.")
    goals: list[GoalOut]
    items: list[ItemOut]
    findings: list[FindingOut] = Field(
        ...,
        description="Rule R4 (the default role split) and R3b (invite the hikikomori agency to "
        "the support coordination meeting), each with its rule ID and reason in Japanese.",
    )
    evaluation: EvaluationOut | None
    updated_at: datetime.datetime


class PlanPage(Schema):
    items: list[PlanOut]
    count: int


class PlanConflictOut(Schema):
    detail: str
    current_version: int | None = None
    current: PlanDetailOut | None = Field(None, description="The plan as saved now.")
    yours: dict[str, Any] = Field(default_factory=dict, description="What you sent.")


# --- builders -------------------------------------------------------------------------------


def _label(choices: Any, value: str | None) -> str | None:
    if value is None:
        return None
    return str(choices(value).label) if value else ""


def plan_ref(plan: SupportPlan | None) -> dict[str, Any] | None:
    if plan is None:
        return None
    return {"id": plan.pk, "number": plan.number, "state": plan.state}


def plan_out(
    plan: SupportPlan, seen: Sight, person_name: str | None, today: datetime.date
) -> dict[str, Any]:
    """The plan's row: everything for its own agency; under a grant only the named kinds."""
    own = seen.is_own
    values = shared_values(plan, seen.kinds)
    state = values.get("state")
    return {
        "id": plan.pk,
        "number": values.get("number"),
        "state": state,
        "state_label": _label(PlanState, state),
        "mode": values.get("mode"),
        "agency": agency_ref(plan.agency),
        "case_id": plan.case_id if own else None,
        "case_number": plan.case.number if own else None,
        "person_id": plan.person_id if own else None,
        "person_name": person_name,
        "starts_on": values.get("starts_on"),
        "ends_on": values.get("ends_on"),
        "review_on": values.get("review_on"),
        "review_due": "review_on" in values and rules.review_due(plan, today),
        "shared": not own,
        "version": plan.version,
    }


def _goal_out(goal: Any, kinds: frozenset[str]) -> dict[str, Any]:
    values = shared_values(goal, kinds)
    term = values.get("term")
    return {
        "id": goal.pk,
        "term": term,
        "term_label": _label(GoalTerm, term),
        "text": values.get("text"),
    }


def _item_out(item: Any, kinds: frozenset[str]) -> dict[str, Any]:
    values = shared_values(item, kinds)
    service = values.get("service")
    return {
        "id": item.pk,
        "goal": item.goal_id if "goal" in values else None,
        "what": values.get("what"),
        "responsible_agency": (
            agency_ref(item.responsible_agency) if "responsible_agency" in values else None
        ),
        "service": service,
        "service_label": _label(Service, service),
        "frequency": values.get("frequency"),
    }


def evaluation_out(evaluation: Evaluation, seen: Sight) -> dict[str, Any]:
    values = shared_values(evaluation, seen.kinds)
    decision = values.get("decision")
    results = []
    if seen.is_own:  # a goal's result is no field a grant shares (tsunagi.access.kinds)
        results = [
            {
                "goal": r.goal_id,
                "achievement": r.achievement,
                "achievement_label": _label(Achievement, r.achievement),
                "notes": r.notes,
            }
            for r in evaluation.results.all()
        ]
    return {
        **{k: values.get(k) for k in EvaluationOut.model_fields if k != "results"},
        "decision_label": _label(Decision, decision),
        "results": results,
    }


def evaluation_of(plan: SupportPlan, seen: Sight) -> Evaluation | None:
    """The plan's evaluation, when there is one and `seen` lets a field of it through."""
    if not record_shareable("plans.evaluation", seen.kinds):
        return None
    return Evaluation.objects.filter(plan=plan).prefetch_related("results").first()


def plan_detail(
    plan: SupportPlan, seen: Sight, person_name: str | None, today: datetime.date
) -> dict[str, Any]:
    """The plan with its goals, items, findings (R4, R3b) and evaluation, as `seen` permits."""
    own = seen.is_own
    kinds = seen.kinds
    values = shared_values(plan, kinds)
    answer = plan_out(plan, seen, person_name, today)
    goals = list(plan.goals.all()) if record_shareable("plans.goal", kinds) else []
    items = (
        list(plan.items.select_related("responsible_agency"))
        if record_shareable("plans.planitem", kinds)
        else []
    )
    findings = [asdict(f) for f in plan_findings(plan)] if items else []
    evaluation = evaluation_of(plan, seen)
    following = SupportPlan.objects.filter(previous=plan).first() if own else None
    answer.update(
        mode_label=_label(PlanMode, values.get("mode")),
        person_wishes=values.get("person_wishes"),
        family_wishes=values.get("family_wishes"),
        overall_aim=values.get("overall_aim"),
        approved_on=values.get("approved_on"),
        approved_at=plan.approved_item_id if own else None,
        decided_on=values.get("decided_on"),
        decided_by=values.get("decided_by"),
        previous=plan_ref(plan.previous) if own else None,
        next=plan_ref(following) if own else None,
        kinds=sorted(kinds),
        goals=[_goal_out(g, kinds) for g in goals],
        items=[_item_out(i, kinds) for i in items],
        findings=findings,
        evaluation=evaluation_out(evaluation, seen) if evaluation is not None else None,
        updated_at=plan.updated_at,
    )
    return answer
