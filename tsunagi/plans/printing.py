"""The support plan as the national standard form プラン兼事業等利用申込書, and its evaluation
sheet (評価シート), as A4 PDFs to be signed and filed.

The plan is printed to be read through with the person and signed: their wishes in their own
words come first (rule R1), then the family's wishes where they differ, the overall aim
(支援方針), the short- and long-term goals, and the items as a table, each with its ONE
responsible agency and service (rule R4), the period and the review (monitoring) date, the
approval at the support coordination meeting and the municipality's support decision (支援決定).
At its foot the person applies for the services by signing (本人署名 and date), and the agency's
staff member and every other agency responsible for an item sign as well.

The evaluation sheet shows, per goal, the result; the person's view in their words; the
decision (end, re-plan, follow-up) and the outcomes, where steps in daily and social life count
as much as work (handbook). A plan in force without an evaluation gives the sheet blank, with
its goals, to be filled in by hand at the review.

Only the owning agency's caseworkers who see the case print (404 for anyone else, also for an
agency that sees the plan through a grant: the same answer as for a plan that does not exist).
Each print is logged as `plan.printed`, with the sheet (`plan` or `evaluation`). Always in
Japanese, dates in the Japanese era, laid out by `templates/plans/print/*.html` and made a PDF by
the people app's WeasyPrint helper (Noto CJK, no resource fetched).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tsunagi.access import audit
from tsunagi.access.policy import OWN_AGENCY, Action, Kind, require
from tsunagi.people.printing import (
    Option,
    Printed,
    age_text,
    html_to_pdf,
    options,
    staff_name,
    wareki,
)
from tsunagi.people.printing import _weasyprint as load_weasyprint

from .models import (
    Achievement,
    Decision,
    Evaluation,
    GoalTerm,
    PlanMode,
    PlanState,
    Service,
    SupportPlan,
)
from .selectors import participating_agencies

PLAN = "plan"
EVALUATION = "evaluation"
# A plan in force may be evaluated: without an evaluation its sheet is printed blank.
BLANK_EVALUATION_STATES = frozenset({PlanState.APPROVED, PlanState.DECIDED})
OUTCOMES = ("found_work", "income_rose", "step_daily_life", "step_social_life", "step_work")


@dataclass(frozen=True)
class ItemLine:
    number: int
    what: str
    goal: str
    agency: str
    service: str
    frequency: str


def printable_plan(user: Any, plan: SupportPlan) -> SupportPlan:
    """The plan if `user` may print it: the owning agency's caseworkers who see its case
    (404 for anyone else, as for a plan that does not exist)."""
    require(user, Action.VIEW, Kind.PLAN, plan)
    return plan


def printed_line(user: Any) -> str:
    now = timezone.localtime()
    return _("Printed %(date)s %(time)s by %(name)s") % {
        "date": wareki(now.date()),
        "time": now.strftime("%H:%M"),
        "name": staff_name(user),
    }


def item_lines(plan: SupportPlan) -> list[ItemLine]:
    """The items in order, each with its one responsible agency (rule R4)."""
    services = dict(Service.choices)
    items = plan.items.select_related("goal", "responsible_agency").order_by("order", "pk")
    return [
        ItemLine(
            number=n,
            what=item.what,
            goal=item.goal.text if item.goal is not None else "",
            agency=item.responsible_agency.name,
            service=str(services.get(item.service, "")) if item.service else "",
            frequency=item.frequency,
        )
        for n, item in enumerate(items, start=1)
    ]


def _state_note(plan: SupportPlan) -> str:
    """What the paper must not hide: a draft is not yet decided, a replaced plan is history."""
    if plan.state == PlanState.DRAFT:
        return _("Draft: not yet approved at a support coordination meeting.")
    if plan.state == PlanState.SUPERSEDED:
        following = SupportPlan.objects.filter(previous=plan).values_list("number", flat=True)
        number = following.first()
        if number is not None:
            return _("Replaced by plan no. %(number)s.") % {"number": number}
        return _("Replaced by a new plan.")
    return ""


def _other_agencies(plan: SupportPlan) -> list[Any]:
    """The agencies besides the plan's own that are responsible for an item (rule R4): each
    signs that it takes its part."""
    return [a for a in participating_agencies(plan) if a.pk != plan.agency_id]


def plan_context(user: Any, plan: SupportPlan) -> dict[str, Any]:
    """What the form shows. The caller has checked `printable_plan`."""
    person, case = plan.person, plan.case
    goals = list(plan.goals.order_by("order", "pk"))
    meeting = plan.approved_item.meeting if plan.approved_item is not None else None
    made_on = timezone.localdate(plan.created_at) if plan.created_at else timezone.localdate()
    return {
        "plan": plan,
        "case": case,
        "person": person,
        "agency": plan.agency,
        "made_on": wareki(made_on),
        "state": PlanState(plan.state).label,
        "state_note": _state_note(plan),
        "first": plan.previous_id is None,
        "previous_number": plan.previous.number if plan.previous is not None else None,
        "accompaniment": plan.mode == PlanMode.ACCOMPANIMENT,
        "modes": options(PlanMode, plan.mode),
        "birth_date": wareki(person.birth_date),
        "age": age_text(person, made_on),
        "long_goals": [g.text for g in goals if g.term == GoalTerm.LONG],
        "short_goals": [g.text for g in goals if g.term == GoalTerm.SHORT],
        "items": item_lines(plan),
        "starts_on": wareki(plan.starts_on),
        "ends_on": wareki(plan.ends_on),
        "review_on": wareki(plan.review_on),
        "meeting": meeting,
        "meeting_on": wareki(meeting.held_on) if meeting is not None else "",
        "approved_on": wareki(plan.approved_on),
        "decided_on": wareki(plan.decided_on),
        "staff": staff_name(plan.created_by),
        "others": _other_agencies(plan),
        "printed": printed_line(user),
    }


def plan_html(user: Any, plan: SupportPlan) -> str:
    """The form as HTML (in Japanese), after the access check."""
    printable_plan(user, plan)
    with translation.override("ja"):
        return render_to_string("plans/print/plan.html", plan_context(user, plan))


def _log(user: Any, plan: SupportPlan, request: HttpRequest | None, sheet: str) -> None:
    audit.personal(
        "plan.printed",
        user,
        plan,
        request,
        ground=OWN_AGENCY,
        actor_agency_id=plan.agency_id,
        sheet=sheet,
        number=plan.number,
        version=plan.version,
        state=plan.state,
    )


def print_plan(user: Any, plan: SupportPlan, request: HttpRequest | None = None) -> Printed:
    """プラン兼事業等利用申込書 as a PDF, logged as `plan.printed`."""
    printable_plan(user, plan)
    load_weasyprint()  # fail early (PrintUnavailable), before anything is read
    with translation.override("ja"):
        html = render_to_string("plans/print/plan.html", plan_context(user, plan))
        name = _("Support plan and application for services")
    pdf = html_to_pdf(html)
    _log(user, plan, request, PLAN)
    suffix = f"{plan.case.number}_{plan.number}"
    return Printed(pdf, f"{name}_{suffix}.pdf", f"plan-{suffix}.pdf")


def plan_pdf(user: Any, plan: SupportPlan, request: HttpRequest | None = None) -> bytes:
    """The plan's PDF bytes (the API's `GET /plans/{id}/print`)."""
    return print_plan(user, plan, request).pdf


# --- 評価シート -------------------------------------------------------------------------------


@dataclass(frozen=True)
class GoalLine:
    term: str
    text: str
    results: list[Option]
    notes: str


def evaluation_of(plan: SupportPlan) -> Evaluation | None:
    return Evaluation.objects.filter(plan=plan).select_related("created_by").first()


def printable_evaluation(user: Any, plan: SupportPlan) -> Evaluation | None:
    """The plan's evaluation (None: a blank sheet for a plan in force) if `user` may print it;
    a draft or a plan replaced without evaluation has no sheet."""
    printable_plan(user, plan)
    evaluation = evaluation_of(plan)
    if evaluation is not None:
        require(user, Action.VIEW, Kind.EVALUATION, evaluation)
        return evaluation
    if plan.state not in BLANK_EVALUATION_STATES:
        raise ValidationError(
            {
                "state": [
                    _(
                        "An evaluation sheet is printed for a plan in force or an evaluated "
                        "plan; this plan is “%(state)s”."
                    )
                    % {"state": PlanState(plan.state).label}
                ]
            }
        )
    return None


def goal_lines(plan: SupportPlan, evaluation: Evaluation | None) -> list[GoalLine]:
    """Each goal with the result boxes (ticked from the evaluation, empty on a blank sheet)."""
    results = {}
    if evaluation is not None:
        results = {r.goal_id: r for r in evaluation.results.all()}
    terms = dict(GoalTerm.choices)
    lines = []
    for goal in plan.goals.order_by("order", "pk"):
        result = results.get(goal.pk)
        lines.append(
            GoalLine(
                term=str(terms.get(goal.term, goal.term)),
                text=goal.text,
                results=options(Achievement, result.achievement if result else None),
                notes=result.notes if result else "",
            )
        )
    return lines


def outcome_boxes(evaluation: Evaluation | None) -> list[Option]:
    """Found work, income rose, and the steps in daily life, social life and towards work: all
    count (handbook: employment is not the only success)."""
    return [
        Option(
            str(getattr(Evaluation._meta.get_field(name), "verbose_name", name)),
            bool(evaluation is not None and getattr(evaluation, name)),
        )
        for name in OUTCOMES
    ]


def evaluation_context(
    user: Any, plan: SupportPlan, evaluation: Evaluation | None
) -> dict[str, Any]:
    person = plan.person
    day = evaluation.evaluated_on if evaluation is not None else timezone.localdate()
    return {
        "plan": plan,
        "case": plan.case,
        "person": person,
        "agency": plan.agency,
        "evaluation": evaluation,
        "blank": evaluation is None,
        "evaluated_on": wareki(evaluation.evaluated_on) if evaluation is not None else "",
        "evaluated_by": staff_name(evaluation.created_by) if evaluation is not None else "",
        "birth_date": wareki(person.birth_date),
        "age": age_text(person, day),
        "accompaniment": plan.mode == PlanMode.ACCOMPANIMENT,
        "starts_on": wareki(plan.starts_on),
        "ends_on": wareki(plan.ends_on),
        "review_on": wareki(plan.review_on),
        "person_wishes": plan.person_wishes,
        "goals": goal_lines(plan, evaluation),
        "decisions": options(Decision, evaluation.decision if evaluation is not None else None),
        "outcomes": outcome_boxes(evaluation),
        "printed": printed_line(user),
    }


def evaluation_html(user: Any, plan: SupportPlan) -> str:
    evaluation = printable_evaluation(user, plan)
    with translation.override("ja"):
        return render_to_string(
            "plans/print/evaluation.html", evaluation_context(user, plan, evaluation)
        )


def print_evaluation(user: Any, plan: SupportPlan, request: HttpRequest | None = None) -> Printed:
    """評価シート as a PDF (blank for a plan in force), logged as `plan.printed`."""
    evaluation = printable_evaluation(user, plan)
    load_weasyprint()
    with translation.override("ja"):
        html = render_to_string(
            "plans/print/evaluation.html", evaluation_context(user, plan, evaluation)
        )
        name = _("Evaluation sheet")
    pdf = html_to_pdf(html)
    _log(user, plan, request, EVALUATION)
    suffix = f"{plan.case.number}_{plan.number}"
    return Printed(pdf, f"{name}_{suffix}.pdf", f"evaluation-{suffix}.pdf")


def evaluation_pdf(user: Any, plan: SupportPlan, request: HttpRequest | None = None) -> bytes:
    """The evaluation sheet's PDF bytes (for the API)."""
    return print_evaluation(user, plan, request).pdf
